//go:build duckdb_arrow

package identity_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/identity"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

// erDir holds the labeled entity-resolution sets (README.md there).
const erDir = "../../shared/data/er"

type erCase struct {
	file     string
	roles    string
	minF1    float64
	linkOnly bool
}

var erCases = []erCase{
	{"fake_1000", "first_name=first_name,last_name=surname,date_of_birth=dob,city=city,email=email", 0.85, false},
	{"febrl3", "first_name=given_name,last_name=surname,address=street_number+address_1,city=suburb,postcode=postcode,state=state,date_of_birth=date_of_birth,id_number=soc_sec_id", 0.98, false},
	{"febrl4", "source=source_dataset,first_name=given_name,last_name=surname,address=street_number+address_1,city=suburb,postcode=postcode,state=state,date_of_birth=date_of_birth,id_number=soc_sec_id", 0.99, false},
	{"chicago_early_childhood", "source=Source,company=Site name,address=Address,postcode=Zip,phone=Phone,website=Website,email=Email Address", 0.90, false},
	{"historical_50k", "full_name=full_name,first_name=first_name,last_name=surname,date_of_birth=dob,birth_place=birth_place,postcode=postcode_fake,gender=gender,occupation=occupation", 0.90, false},
}

func openMem(t testing.TB) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(t.Context(), duckdb.Options{Path: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func runCase(t *testing.T, c erCase) *identity.Evaluation {
	path := filepath.Join(erDir, c.file+".csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	defer f.Close()
	m, err := identity.ParseRoleMap(c.roles)
	if err != nil {
		t.Fatal(err)
	}
	data, err := identity.ReadCSV(f, path, "record_id", m, "true_entity_id")
	if err != nil {
		t.Fatal(err)
	}
	opts := identity.DefaultOptions()
	opts.Matching.LinkOnly = c.linkOnly
	if v := os.Getenv("ER_THRESHOLD"); v != "" {
		fmt.Sscan(v, &opts.Matching.LinkThreshold)
	}
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	w := openMem(t)
	res, err := identity.MatchCSV(t.Context(), w, data, m.Kind(), &opts)
	if err != nil {
		t.Fatal(err)
	}
	pred := map[string]string{}
	for _, a := range res.Assignments {
		pred[a.RecordID] = a.EntityID
	}
	truth := map[string]string{}
	for i, id := range data.IDs {
		truth[id] = data.Extra["true_entity_id"][i]
	}
	ev, err := identity.Evaluate(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: P %.4f R %.4f F1 %.4f (tp %d fp %d fn %d) B3 %.4f/%.4f/%.4f; %+v",
		c.file, ev.Precision, ev.Recall, ev.F1, ev.TruePositives, ev.FalsePositives, ev.FalseNegatives,
		ev.BCubedPrecision, ev.BCubedRecall, ev.BCubedF1, res.Stats)
	if bl, err := identity.MeasureBlocking(t.Context(), w, res.Kind, truth); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("blocking: %+v", *bl)
	}
	for _, m := range res.Models {
		t.Logf("  %-36s %8d rows %6.2fs", m.Model, m.Rows, m.Seconds)
	}
	if out := os.Getenv("ER_DUMP"); out != "" {
		r, err := w.Query(t.Context(), "SELECT * FROM identity."+string(res.Kind)+"_links WHERE linked")
		if err != nil {
			t.Fatal(err)
		}
		cols, rows, _ := load.ReadAll(r)
		f, _ := os.Create(out)
		fmt.Fprintln(f, strings.Join(cols, "\t"))
		for _, row := range rows {
			for i, v := range row {
				if i > 0 {
					fmt.Fprint(f, "\t")
				}
				fmt.Fprint(f, v)
			}
			fmt.Fprintln(f)
		}
		f.Close()
	}
	if os.Getenv("ER_WEIGHTS") != "" {
		r, err := w.Query(t.Context(), "SELECT comparison, level, level_name, round(m, 4), round(u, 5), round(weight, 2) FROM identity."+string(res.Kind)+"_weights ORDER BY comparison, level")
		if err != nil {
			t.Fatal(err)
		}
		_, rows, _ := load.ReadAll(r)
		for _, row := range rows {
			t.Log(row...)
		}
	}
	return ev
}

// TestQualityExperiment is for tuning (ER_EXPERIMENT=1; ER_ONLY=<file>,
// ER_THRESHOLD, ER_WEIGHTS=1, ER_DUMP=<file>): it logs per-model times,
// blocking completeness and weights. The figures that must hold are
// asserted through the CLI in cmd/revops (TestIdentityQuality).
func TestQualityExperiment(t *testing.T) {
	if os.Getenv("ER_EXPERIMENT") == "" {
		t.Skip("set ER_EXPERIMENT=1 to run")
	}
	only := os.Getenv("ER_ONLY")
	for _, c := range erCases {
		if only != "" && only != c.file {
			continue
		}
		t.Run(c.file, func(t *testing.T) { runCase(t, c) })
	}
}

func TestProfileExperiment(t *testing.T) {
	if os.Getenv("ER_PROFILE") == "" {
		t.Skip("set ER_PROFILE=1 to run")
	}
	c := erCases[1]
	path := filepath.Join(erDir, c.file+".csv")
	f, _ := os.Open(path)
	defer f.Close()
	m, _ := identity.ParseRoleMap(c.roles)
	data, _ := identity.ReadCSV(f, path, "record_id", m, "true_entity_id")
	opts := identity.DefaultOptions()
	_ = opts.Validate()
	w := openMem(t)
	res, err := identity.MatchCSV(t.Context(), w, data, m.Kind(), &opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"identity.person_pairs", "identity.person_comparisons"} {
		sql, err := res.Project.Compile(t.Context(), w, name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := w.DB().QueryContext(t.Context(), "EXPLAIN ANALYZE "+sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b string
			_ = rows.Scan(&a, &b)
			os.WriteFile("/tmp/explain_"+name+".txt", []byte(b), 0o644)
		}
		rows.Close()
	}
}
