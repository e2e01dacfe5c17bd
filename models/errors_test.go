package models_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/revops/revops/models"
)

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

// TestLoadErrors covers every problem the engine finds in files before
// running SQL: each names the file and, where there is one, the line, and
// none stops the project from loading (Load's error is for unreadable
// paths); the problems are the project's Problems.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		seeds map[string]string
		want  []string // substrings of the error
	}{
		{"header not key=value", map[string]string{"core/a.sql": "-- config: materialized\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: config: \"materialized\" is not key=value"}},
		{"header empty config", map[string]string{"core/a.sql": "\n-- config:\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: config: nothing after"}},
		{"unknown config key", map[string]string{"core/a.sql": "-- a comment\n-- config: tags=x; materialised=table\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: config: unknown key \"materialised\""}},
		{"bad materialized", map[string]string{"core/a.sql": "-- config: materialized=ephemeral\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: config: materialized=\"ephemeral\" (want view, table, incremental or transform)"}},
		{"key set twice", map[string]string{"core/a.sql": "-- config: tags=a\n-- config: tags=b\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: config: tags is set twice (also on line 1)"}},
		{"bad unique_key", map[string]string{"core/a.sql": "-- config: materialized=incremental; unique_key=a b\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: config: unique_key: \"a b\" is not a valid column name"}},
		{"incremental without unique_key", map[string]string{"core/a.sql": "-- config: materialized=incremental\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: config: materialized=incremental needs a unique_key"}},
		{"bad severity", map[string]string{"core/a.sql": "-- test: unique id\n-- test: not_null id; severity=fatal\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: test: severity=\"fatal\" (want error or warn)"}},
		{"unknown test option", map[string]string{"core/a.sql": "-- test: not_null id; where=id > 0\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: test: unknown option \"where\" (want severity)"}},
		{"test option not key=value", map[string]string{"core/a.sql": "-- test: not_null id; warn\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: test: option \"warn\" is not key=value"}},
		{"severity twice", map[string]string{"core/a.sql": "-- test: not_null id; severity=warn; severity=error\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: test: severity is set twice"}},
		{"nothing after the semicolon", map[string]string{"core/a.sql": "\n-- test: not_null id;\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: test: nothing after `;`"}},
		{"severity on a model", map[string]string{"core/a.sql": "-- config: tags=x\n-- config: severity=warn\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: config: severity is for tests"}},
		{"custom test bad severity", map[string]string{"tests/t.sql": "-- config: severity=info\nSELECT 1"},
			nil, []string{"sql/tests/t.sql:1: config: severity=\"info\" (want error or warn)"}},
		{"unknown test", map[string]string{"core/a.sql": "-- test: unique id\n-- test: positive amount\nSELECT 1"},
			nil, []string{"sql/core/a.sql:2: test: unknown test \"positive\""}},
		{"test without columns", map[string]string{"core/a.sql": "-- test: not_null\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: test: not_null needs columns"}},
		{"bad accepted_values", map[string]string{"core/a.sql": "-- test: accepted_values stage\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: test: accepted_values: want `accepted_values column: a,b,c`"}},
		{"bad relationships", map[string]string{"core/a.sql": "-- test: relationships account_id core.accounts\nSELECT 1"},
			nil, []string{"sql/core/a.sql:1: test: relationships: want `relationships column -> model.column`"}},
		{"relationships to an unknown model", map[string]string{"core/a.sql": "-- test: relationships x -> core.nope.id\nSELECT 1 AS x"},
			nil, []string{"sql/core/a.sql:1: test: relationships: no model core.nope"}},
		{"template syntax", map[string]string{"core/a.sql": "-- config: materialized=table\nSELECT *\nFROM {{ ref \"b\" }\n"},
			nil, []string{"sql/core/a.sql:3: template: unexpected \"}\" in operand"}},
		{"unknown function", map[string]string{"core/a.sql": "SELECT *\nFROM {{ reff \"b\" }}"},
			nil, []string{"sql/core/a.sql:2: template: function \"reff\" not defined"}},
		{"unknown ref", map[string]string{"core/a.sql": "-- config: tags=x\nSELECT *\n  FROM {{ ref \"nope\" }}"},
			nil, []string{"sql/core/a.sql:3: ref \"nope\": no model named nope"}},
		{"unknown full ref", map[string]string{"core/a.sql": "SELECT * FROM {{ ref \"core.nope\" }}"},
			nil, []string{"sql/core/a.sql:1: ref \"core.nope\": no model core.nope"}},
		{"ambiguous ref", map[string]string{
			"core/a.sql":     "SELECT * FROM {{ ref \"deals\" }}",
			"core/deals.sql": "SELECT 1", "staging/deals.sql": "SELECT 1"},
			nil, []string{"sql/core/a.sql:1: ref \"deals\": deals is ambiguous: core.deals, staging.deals (use the full name)"}},
		{"self ref", map[string]string{"core/a.sql": "SELECT * FROM {{ ref \"a\" }}"},
			nil, []string{"sql/core/a.sql:1: ref \"a\": core.a refs itself (use {{ this }})"}},
		{"cycle", map[string]string{
			"core/a.sql":    "-- config: materialized=table\nSELECT * FROM {{ ref \"b\" }}",
			"core/b.sql":    "SELECT *\nFROM {{ ref \"metrics.c\" }}",
			"metrics/c.sql": "SELECT 1\n\n\nFROM {{ ref \"core.a\" }}",
			"core/d.sql":    "SELECT * FROM {{ ref \"a\" }}"},
			nil, []string{"sql/core/a.sql:2: dependency cycle: core.a (sql/core/a.sql:2) refs core.b; core.b (sql/core/b.sql:2) refs metrics.c; metrics.c (sql/metrics/c.sql:4) refs core.a"}},
		{"unset var", map[string]string{"core/a.sql": "SELECT '{{ var \"fiscal_year_start\" }}' AS x"},
			nil, []string{"sql/core/a.sql:1: var \"fiscal_year_start\": var \"fiscal_year_start\" is not set"}},
		{"bad macro unit", map[string]string{"core/a.sql": "SELECT {{ datediff \"fortnight\" \"a\" \"b\" }}"},
			nil, []string{"sql/core/a.sql:1: datediff \"fortnight\" \"a\" \"b\": unit \"fortnight\""}},
		{"bad safe_cast type", map[string]string{"core/a.sql": "SELECT\n{{ safe_cast \"a\" \"int\" }}"},
			nil, []string{"sql/core/a.sql:2: safe_cast \"a\" \"int\": type \"int\""}},
		{"empty model", map[string]string{"core/a.sql": "-- config: tags=x\n"},
			nil, []string{"sql/core/a.sql: no SQL"}},
		{"model outside a folder", map[string]string{"a.sql": "SELECT 1"},
			nil, []string{"sql/a.sql: a model must sit in a folder"}},
		{"bad relation name", map[string]string{"core/my-model.sql": "SELECT 1"},
			nil, []string{"sql/core/my-model.sql: core.my-model is not a plain relation name"}},
		{"custom test with materialized", map[string]string{"tests/t.sql": "-- config: materialized=table\nSELECT 1"},
			nil, []string{"sql/tests/t.sql:1: config: a test takes only tags"}},
		{"custom test unknown ref", map[string]string{"tests/t.sql": "SELECT 1 FROM {{ ref \"x\" }}"},
			nil, []string{"sql/tests/t.sql:1: ref \"x\": no model named x"}},
		{"several errors at once", map[string]string{"core/a.sql": "SELECT {{ ref \"x\" }}", "core/b.sql": "SELECT {{ ref \"y\" }}"},
			nil, []string{"sql/core/a.sql:1: ref \"x\"", "sql/core/b.sql:1: ref \"y\""}},
		{"seed wrong field count", nil, map[string]string{"seeds/stage_map.csv": "status,stage\nOpen,open\nWorking,working,extra\n"},
			[]string{"configs/seeds/stage_map.csv:3: seed: wrong number of fields"}},
		{"seed bad quote", nil, map[string]string{"seeds/m.csv": "a,b\n1,2\n3,\"4\n"},
			[]string{"configs/seeds/m.csv:3: seed: "}},
		{"seed bad typed value", nil, map[string]string{"seeds/m.csv": "a,n:bigint\nx,1\n\ny,two\n"},
			[]string{"configs/seeds/m.csv:4: seed: column n: \"two\" is not a bigint"}},
		{"seed bad boolean", nil, map[string]string{"seeds/m.csv": "a,ok:boolean\nx,yes\n"},
			[]string{"configs/seeds/m.csv:2: seed: column ok: \"yes\" is not a boolean (want true or false)"}},
		{"seed unknown type", nil, map[string]string{"seeds/m.csv": "a,n:int\n"},
			[]string{"configs/seeds/m.csv:1: seed: column n: unknown type \"int\""}},
		{"seed bad header", nil, map[string]string{"seeds/m.csv": "a,first name\n"},
			[]string{"configs/seeds/m.csv:1: seed: column 2: \"first name\" is not a plain column name"}},
		{"seed duplicate column", nil, map[string]string{"seeds/m.csv": "a,A\n"},
			[]string{"configs/seeds/m.csv:1: seed: column A appears twice"}},
		{"seed empty", nil, map[string]string{"seeds/m.csv": ""},
			[]string{"configs/seeds/m.csv:1: seed: the file is empty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := models.Load(mapFS(c.files), mapFS(c.seeds), nil, nil)
			if err != nil {
				t.Fatalf("Load failed for a problem in one file: %v", err)
			}
			var msgs []string
			for _, e := range p.Problems() {
				msgs = append(msgs, e.Error())
			}
			got := strings.Join(msgs, "\n")
			if got == "" {
				t.Fatal("no problem reported")
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("problems:\n%s\nwant them to contain:\n%s", got, w)
				}
			}
		})
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestUserModelsReplaceShipped(t *testing.T) {
	user := t.TempDir()
	writeFiles(t, user, map[string]string{
		"core/deals.sql":      "SELECT 'mine' AS who",
		"seeds/stage_map.csv": "a\nmine\n",
		"tests/t.sql":         "SELECT 1 WHERE false",
		"notes/readme.csv":    "ignored,data\n",
	})
	p, err := models.Load(mapFS(map[string]string{"core/deals.sql": "SELECT 'shipped' AS who", "tests/t.sql": "SELECT 1"}),
		mapFS(map[string]string{"seeds/stage_map.csv": "a\nshipped\n"}), []string{user}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range p.Overrides {
		got = append(got, o.Relation+" "+strings.TrimPrefix(o.Path, filepath.ToSlash(user)+"/")+" replaces "+o.Replaced)
	}
	want := "core.deals core/deals.sql replaces sql/core/deals.sql; seeds.stage_map seeds/stage_map.csv replaces configs/seeds/stage_map.csv"
	if s := strings.Join(got, "; "); s != want {
		t.Errorf("overrides = %q, want %q", s, want)
	}
	m, err := p.Model("deals")
	if err != nil || m.Replaces != "sql/core/deals.sql" {
		t.Fatalf("deals = %+v, %v", m, err)
	}
	sql, err := p.CompileFor("core.deals", nil)
	if err != nil || sql != "SELECT 'mine' AS who" {
		t.Errorf("compiled deals = %q, %v", sql, err)
	}
	sql, err = p.CompileFor("tests.t", nil)
	if err != nil || sql != "SELECT 1 WHERE false" {
		t.Errorf("compiled test = %q, %v", sql, err)
	}
}

func TestUserPathErrors(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeFiles(t, a, map[string]string{"core/x.sql": "SELECT 1"})
	writeFiles(t, b, map[string]string{"core/x.sql": "SELECT 2"})
	p, err := models.Load(nil, nil, []string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := p.Model("core.x"); err != nil || !strings.Contains(m.Error, "core.x is also defined in") {
		t.Errorf("two user paths define core.x: %+v, %v", m, err)
	}
	_, err = models.Load(nil, nil, []string{filepath.Join(a, "missing")}, nil)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing path: %v", err)
	}
	_, err = models.Load(nil, nil, []string{filepath.Join(a, "core", "x.sql")}, nil)
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as path: %v", err)
	}
}

func TestVars(t *testing.T) {
	files := mapFS(map[string]string{"core/a.sql": `SELECT '{{ var "start" }}' AS s, '{{ var "region" "us" }}' AS r`})
	p, err := models.Load(files, nil, nil, map[string]string{"start": "2024-02-01"})
	if err != nil {
		t.Fatal(err)
	}
	if sql, _ := p.CompileFor("a", nil); sql != `SELECT '2024-02-01' AS s, 'us' AS r` {
		t.Errorf("vars: %s", sql)
	}
	if _, err := p.CompileFor("core.zzz", nil); err == nil {
		t.Error("compile of an unknown model did not fail")
	}
}
