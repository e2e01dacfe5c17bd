//go:build duckdb_arrow

package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// erDir holds the labeled entity-resolution sets (its README.md says
// what each column is).
const erDir = "../../../shared/data/er"

// TestIdentityQuality matches every labeled set through the CLI with the
// default configuration (one for all) and holds the pairwise F1 of the
// final clusters to the figures. The roles are what a user would
// map from each file's columns.
func TestIdentityQuality(t *testing.T) {
	cases := []struct {
		file  string
		roles string
		minF1 float64
	}{
		{"febrl4", "source=source_dataset,first_name=given_name,last_name=surname,address=street_number+address_1,city=suburb,postcode=postcode,state=state,date_of_birth=date_of_birth,id_number=soc_sec_id", 0.99},
		{"febrl3", "first_name=given_name,last_name=surname,address=street_number+address_1,city=suburb,postcode=postcode,state=state,date_of_birth=date_of_birth,id_number=soc_sec_id", 0.98},
		{"chicago_early_childhood", "source=Source,company=Site name,address=Address,postcode=Zip,phone=Phone,website=Website,email=Email Address", 0.90},
		{"historical_50k", "full_name=full_name,first_name=first_name,last_name=surname,date_of_birth=dob,birth_place=birth_place,postcode=postcode_fake,gender=gender,occupation=occupation", 0.90},
		{"fake_1000", "first_name=first_name,last_name=surname,date_of_birth=dob,city=city,email=email", 0.85},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(erDir, c.file+".csv")
			if _, err := os.Stat(path); err != nil {
				t.Skipf("labeled data not here: %v", err)
			}
			code, out, errOut := revops(t, nil, "identity", "evaluate", "--json", "--csv", path,
				"--id-column", "record_id", "--map", c.roles, "--truth-column", "true_entity_id")
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, out, errOut)
			}
			var doc struct {
				Pairwise struct {
					Precision, Recall, F1                         float64
					TruePositives, FalsePositives, FalseNegatives int64 `json:"-"`
				}
				Bcubed struct{ Precision, Recall, F1 float64 }
				Stats  struct {
					Records        int64   `json:"records"`
					CandidatePairs int64   `json:"candidate_pairs"`
					Seconds        float64 `json:"seconds"`
				}
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			t.Logf("%-24s pairwise P %.4f R %.4f F1 %.4f · B-cubed P %.4f R %.4f F1 %.4f · %d records, %d pairs, %.1fs",
				c.file, doc.Pairwise.Precision, doc.Pairwise.Recall, doc.Pairwise.F1,
				doc.Bcubed.Precision, doc.Bcubed.Recall, doc.Bcubed.F1, doc.Stats.Records, doc.Stats.CandidatePairs, doc.Stats.Seconds)
			if doc.Pairwise.F1 < c.minF1 {
				t.Errorf("%s: pairwise F1 %.4f, want at least %.2f", c.file, doc.Pairwise.F1, c.minF1)
			}
		})
	}
}

const peopleCSV = `id,first,last,mail,tel,company,dob,town
p1,Robert,Smith,Bob.Smith+crm@Acme.com,(312) 555-0100,Acme Inc.,1980-03-04,Chicago
p2,Bob,Smith,bob.smith@acme.com,+1 312 555 0100,ACME,04/03/1980,chicago
p3,Smith,Robert,,312.555.0100,Acme Corporation,1980-03-04,Chicago
p4,Alice,Jones,info@acme.com,,Acme,1975-01-02,Boston
p5,Carol,Brown,info@acme.com,,Acme,1990-07-08,Denver
p6,Dieter,Müller,dieter@beispiel.de,+49 30 1234567,Beispiel GmbH,1970-05-06,Berlin
p7,Dieter,Mueller,dieter@beispiel.de,030 1234567,Beispiel,,Berlin
`

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var peopleMap = "first_name=first,last_name=last,email=mail,phone=tel,company=company,date_of_birth=dob,city=town"

func readAssignments(t *testing.T, data string) map[string][2]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "record_id,entity_id,score" {
		t.Fatalf("header: %q", data)
	}
	out := map[string][2]string{}
	for _, r := range rows[1:] {
		out[r[0]] = [2]string{r[1], r[2]}
	}
	return out
}

func TestIdentityMatchCSV(t *testing.T) {
	path := writeFile(t, "people.csv", peopleCSV)
	code, out, errOut := revops(t, nil, "identity", "match", "--csv", path, "--id-column", "id", "--map", peopleMap)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := readAssignments(t, out)
	if len(got) != 7 {
		t.Fatalf("%d records: %s", len(got), out)
	}
	// Bob = Robert (nickname), the +tag, the phone's formats and the
	// swapped names make p1, p2 and p3 one person.
	for _, id := range []string{"p2", "p3"} {
		if got[id][0] != "p1" {
			t.Errorf("%s is in entity %s, want p1 (%s)", id, got[id][0], out)
		}
	}
	if got["p1"][1] == "" {
		t.Errorf("p1 linked with no score: %s", out)
	}
	// A shared role mailbox (info@) does not make Alice and Carol one person.
	if got["p4"][0] == got["p5"][0] {
		t.Errorf("info@ linked two people: %s", out)
	}
	// Müller = Mueller with the same address and phone (E.164 with region).
	if got["p6"][0] != got["p7"][0] {
		t.Errorf("p6 and p7 apart: %s", out)
	}
	if !strings.Contains(errOut, "7 person records → 4 entities") {
		t.Errorf("summary on stderr: %q", errOut)
	}

	// --out and --json: one document, the CSV in the file.
	dst := filepath.Join(t.TempDir(), "out.csv")
	code, out, errOut = revops(t, nil, "identity", "match", "--json", "--csv", path, "--id-column", "id", "--map", peopleMap, "--out", dst)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if doc["ok"] != true || doc["out"] != dst || doc["entity"] != "person" {
		t.Errorf("json: %s", out)
	}
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(readAssignments(t, string(data))) != 7 {
		t.Errorf("out file: %s", data)
	}
	// --json without --out carries the assignments.
	code, out, _ = revops(t, nil, "identity", "match", "--json", "--csv", path, "--id-column", "id", "--map", peopleMap)
	if code != 0 || !strings.Contains(out, `"assignments"`) || strings.Count(out, `"record_id"`) != 7 {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestIdentityMatchCompanies(t *testing.T) {
	path := writeFile(t, "accounts.csv", `id,name,site,phone,street,zip
a1,Acme Corp.,https://www.acme.com/about,312-555-0100,5423 W. Diversey Ave.,60639
a2,ACME Incorporated,acme.com,(312) 555 0100,5423 West Diversey Avenue,60639
a3,Acme Corp,acme.com,312-555-0100,4644 S Dearborn Street,60609
a4,Globex LLC,globex.com,,1 Main St,10001
`)
	code, out, errOut := revops(t, nil, "identity", "match", "--csv", path, "--id-column", "id",
		"--map", "company=name,website=site,phone=phone,address=street,postcode=zip")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := readAssignments(t, out)
	if got["a2"][0] != "a1" {
		t.Errorf("a1 and a2 (legal suffixes, website forms, street words) apart: %s", out)
	}
	if got["a3"][0] == "a1" {
		t.Errorf("a3, another site of the same company, joined a1: %s", out)
	}
	if !strings.Contains(errOut, "company records") {
		t.Errorf("summary: %q", errOut)
	}
}

func TestIdentityEvaluateAndExplain(t *testing.T) {
	// Give every row a truth value: p1-p3 one person, p6-p7 one.
	lines := strings.Split(strings.TrimSpace(peopleCSV), "\n")
	truth := map[string]string{"p1": "A", "p2": "A", "p3": "A", "p4": "B", "p5": "C", "p6": "D", "p7": "D"}
	var b strings.Builder
	b.WriteString("id,truth" + strings.TrimPrefix(lines[0], "id") + "\n")
	for _, l := range lines[1:] {
		id, rest, _ := strings.Cut(l, ",")
		b.WriteString(id + "," + truth[id] + "," + rest + "\n")
	}
	path := writeFile(t, "labeled.csv", b.String())
	code, out, errOut := revops(t, nil, "identity", "evaluate", "--csv", path, "--id-column", "id", "--map", peopleMap, "--truth-column", "truth")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{"pairwise  precision 1.0000", "F1 1.0000", "(TP 4, FP 0, FN 0)", "B-cubed"} {
		if !strings.Contains(out, want) {
			t.Errorf("evaluate output lacks %q:\n%s", want, out)
		}
	}
	// --predictions scores a match output instead.
	pred := writeFile(t, "pred.csv", "record_id,entity_id,score\np1,p1,\np2,p1,\np3,p3,\np4,p4,\np5,p4,\np6,p6,\np7,p7,\n")
	code, out, errOut = revops(t, nil, "identity", "evaluate", "--json", "--csv", path, "--id-column", "id", "--truth-column", "truth", "--predictions", pred)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var doc struct {
		Pairwise map[string]float64
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// Predicted pairs p1-p2 (true) and p4-p5 (false); true pairs p1-p2,
	// p1-p3, p2-p3, p6-p7.
	if doc.Pairwise["true_positives"] != 1 || doc.Pairwise["false_positives"] != 1 || doc.Pairwise["false_negatives"] != 3 {
		t.Errorf("pairwise: %v", doc.Pairwise)
	}

	code, out, errOut = revops(t, nil, "identity", "explain", "p2", "p1", "--csv", path, "--id-column", "id", "--map", peopleMap)
	if code != 0 {
		t.Fatalf("explain exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{"person p1 ↔ p2", "first_name", "nickname", "email", "exact", "match weight", "linked", "same entity: cluster p1"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = revops(t, nil, "identity", "explain", "p4", "p5", "--json", "--csv", path, "--id-column", "id", "--map", peopleMap)
	if code != 0 || !strings.Contains(out, `"same_cluster":false`) || !strings.Contains(out, `"comparison":"email"`) {
		t.Errorf("explain --json exit %d: %s", code, out)
	}
	code, _, errOut = revops(t, nil, "identity", "explain", "p1", "nobody", "--csv", path, "--id-column", "id", "--map", peopleMap)
	if code == 0 || !strings.Contains(errOut, "nobody is not in identity.person_features") {
		t.Errorf("unknown record: exit %d, %s", code, errOut)
	}
}

func TestIdentityBadInput(t *testing.T) {
	good := writeFile(t, "people.csv", peopleCSV)
	cfg := writeFile(t, "revops.yaml", "version: 1\nwarehouse:\n  type: duckdb\n  path: wh.duckdb\nidentity:\n  matching:\n    person:\n      blocking:\n        - name: bad\n          fields: [email, shoe_size]\n")
	for _, tc := range []struct {
		name string
		csv  string
		args []string
		code int
		want string
	}{
		{"ragged row", "id,first,last\na,Ann,Lee\nb,Bob\n", []string{"--map", "first_name=first,last_name=last"}, 2, "x.csv:3: the row has another number of fields than the header (a ragged row)"},
		{"unknown role", "", []string{"--map", "first_name=first,shoe=last"}, 2, `--map: unknown role "shoe"`},
		{"no id column", "", []string{"--id-column", "key", "--map", "first_name=first"}, 2, `no column "key" for the record ids`},
		{"repeated id", "id,first\na,Ann\na,Bob\n", []string{"--map", "first_name=first"}, 2, `x.csv:3: record id "a" repeats line 2`},
		{"empty id", "id,first\n,Ann\n", []string{"--map", "first_name=first"}, 2, "x.csv:2: empty record id in column id"},
		{"unknown field in config", "", []string{"--map", "first_name=first", "--config", cfg}, 2, `identity.matching.person.blocking[0].fields: unknown field "shoe_size"`},
		{"bad entity", "", []string{"--map", "first_name=first", "--entity", "pet"}, 2, `--entity "pet"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := good
			if tc.csv != "" {
				path = writeFile(t, "x.csv", tc.csv)
			}
			args := append([]string{"identity", "match", "--csv", path, "--id-column", "id"}, tc.args...)
			code, out, errOut := revops(t, nil, args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q), stdout %q", code, tc.code, errOut, tc.want, out)
			}
		})
	}

	// Missing and empty columns: matching goes on, saying what was missing.
	path := writeFile(t, "x.csv", "id,first,last,mail\na,Ann,Lee,\nb,Ann,Lee,\n")
	code, out, errOut := revops(t, nil, "identity", "match", "--csv", path, "--id-column", "id",
		"--map", "first_name=first,last_name=last,email=mail,phone=tel")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"no column for phone=tel: matching without it", "email (mail) is empty in every row"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q: %s", want, errOut)
		}
	}
	if got := readAssignments(t, out); len(got) != 2 {
		t.Errorf("assignments: %s", out)
	}
	// Text that is not UTF-8: bad bytes dropped, the line named.
	path = writeFile(t, "x.csv", "id,first,last\na,Ann,Lee\nb,J\xffrg,M\xfcller\n")
	code, out, errOut = revops(t, nil, "identity", "match", "--csv", path, "--id-column", "id", "--map", "first_name=first,last_name=last")
	if code != 0 || !strings.Contains(errOut, "x.csv:3: text that is not UTF-8") || len(readAssignments(t, out)) != 2 {
		t.Errorf("non-UTF-8: exit %d, %s, %s", code, errOut, out)
	}
}
