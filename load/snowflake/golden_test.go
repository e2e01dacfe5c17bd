package snowflake_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/load/snowflake"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestShippedModelsGolden keeps the Snowflake SQL of every shipped model
// and data test in testdata/models/<relation>.sql (go test -update
// rewrites them): a change of a shipped model or of a dialect macro shows
// as a diff of the SQL Snowflake receives.
func TestShippedModelsGolden(t *testing.T) {
	p := loadShipped(t)
	dir := filepath.Join("testdata", "models")
	want := map[string]bool{}
	for _, m := range p.Models() {
		sql, err := p.CompileFor(m.Relation, snowflake.Macros{})
		if err != nil {
			t.Errorf("%s: %v", m.Relation, err)
			continue
		}
		name := m.Relation + ".sql"
		want[name] = true
		got := "-- " + m.Relation + " (" + m.Path + ", " + string(m.Kind) + ")\n" + sql + "\n"
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (go test -update writes it)", err)
			continue
		}
		if string(b) != got {
			t.Errorf("%s differs from the rendered SQL (go test -update rewrites it); got:\n%s", path, got)
		}
	}
	if len(want) < 100 {
		t.Errorf("%d shipped models rendered, want every one (over 100)", len(want))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !want[e.Name()] && strings.HasSuffix(e.Name(), ".sql") {
			if *update {
				_ = os.Remove(filepath.Join(dir, e.Name()))
				continue
			}
			t.Errorf("%s: no shipped model renders it any more (go test -update removes it)", filepath.Join(dir, e.Name()))
		}
	}
}
