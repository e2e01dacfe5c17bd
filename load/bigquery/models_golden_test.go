package bigquery_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/identity"
	"github.com/revops/revops/load/bigquery"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// duckdbOnly matches DuckDB constructs BigQuery refuses; none may reach
// the service.
var duckdbOnly = regexp.MustCompile(`(?i)\b(VARCHAR|BIGINT|TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|MATERIALIZED|ON CONFLICT|median\s*\(|list_\w+\s*\(|strftime\s*\(|epoch\s*\(|jaro_winkler_similarity\s*\()|::|\bVALUES\s*\(`)

// TestShippedModelsGolden renders every shipped model (staging, core,
// metrics, identity, syncs and the seeds) as the BigQuery engine sends it:
// compiled with the dialect's macros, then the portable form rendered by
// Macros.State. testdata/models/<relation>.sql keeps each one (go test
// -update rewrites them); testdata/models/portable_form.txt lists the
// models whose compiled SQL still needed that rendering (DuckDB's type
// names in casts, seeds' VALUES lists).
func TestShippedModelsGolden(t *testing.T) {
	opts := identity.DefaultOptions()
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := models.Load(sqlfiles.FS, configs.Seeds, nil, opts.Vars())
	if err != nil {
		t.Fatal(err)
	}
	opts.Register(p)
	mc := bigquery.Macros{}
	dir := filepath.Join("testdata", "models")
	if *update {
		_ = os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var rendered []string
	n := 0
	for _, m := range p.Models() {
		compiled, err := p.CompileFor(m.Relation, mc)
		if err != nil {
			t.Errorf("%s: %v", m.Relation, err)
			continue
		}
		got, err := mc.State(compiled, nil)
		if err != nil {
			t.Errorf("%s: %v", m.Relation, err)
			continue
		}
		n++
		if got != compiled {
			rendered = append(rendered, m.Relation+" ("+m.Path+")")
		}
		if loc := duckdbOnly.FindStringIndex(got); loc != nil {
			t.Errorf("%s: DuckDB-only SQL reaches BigQuery: %q", m.Relation, got[max(0, loc[0]-40):min(len(got), loc[1]+40)])
		}
		goldenFile(t, filepath.Join(dir, m.Relation+".sql"), "-- "+m.Relation+" ("+m.Path+")\n"+got+"\n")
	}
	goldenFile(t, filepath.Join(dir, "portable_form.txt"), strings.Join(rendered, "\n")+"\n")
	if n < 100 {
		t.Errorf("%d shipped models rendered; want them all", n)
	}
}

func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}
