package models_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/bigquery"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/snowflake"
	"github.com/revops/revops/models"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadBasic loads testdata/basic: shipped models, shipped seeds and a user path.
func loadBasic(t testing.TB, vars map[string]string) *models.Project {
	t.Helper()
	if vars == nil {
		vars = map[string]string{"region": "emea"}
	}
	p, err := models.Load(os.DirFS("testdata/basic/shipped"), os.DirFS("testdata/basic/seeds"),
		[]string{"testdata/basic/user"}, vars)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestGoldenPlan(t *testing.T) {
	p := loadBasic(t, nil)
	golden(t, "testdata/basic/want.plan", p.Plan())
	for _, f := range []string{"mermaid", "dot"} {
		g, err := p.Graph(f)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "testdata/basic/want."+f, g)
	}
	if _, err := p.Graph("svg"); err == nil {
		t.Error("Graph(svg) did not fail")
	}
}

func TestGoldenDialects(t *testing.T) {
	p := loadBasic(t, nil)
	for _, d := range []struct {
		name string
		mc   load.Macros
	}{{"duckdb", duckdb.Macros{}}, {"bigquery", bigquery.Macros{}}, {"snowflake", snowflake.Macros{}}} {
		var b strings.Builder
		for _, m := range p.Models() {
			sql, err := p.CompileFor(m.Relation, d.mc)
			if err != nil {
				t.Fatalf("%s: %s: %v", d.name, m.Relation, err)
			}
			b.WriteString("-- " + m.Relation + " (" + m.Path + ")\n" + sql + "\n;\n\n")
		}
		sql, err := p.CompileFor("tests.no_future_leads", d.mc)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("-- tests.no_future_leads\n" + sql + "\n;\n")
		golden(t, filepath.Join("testdata/basic", "want."+d.name+".sql"), b.String())
	}
}
