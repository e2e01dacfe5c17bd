//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/load/duckdb"
)

// modelProject writes a config with a DuckDB file and a user model path.
func modelProject(t *testing.T, files map[string]string) (cfg, dir string) {
	t.Helper()
	dir = t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, "models", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg = filepath.Join(dir, "revops.yaml")
	body := "version: 1\nwarehouse:\n  type: duckdb\n  path: wh.duckdb\nmodels:\n  paths: [models]\n  vars: {who: analyst}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, dir
}

func TestBuildCommand(t *testing.T) {
	cfg, dir := modelProject(t, map[string]string{
		"mine/hello.sql":   "-- config: tags=mine\n-- test: not_null who\nSELECT '{{ var \"who\" }}' AS who, n FROM {{ ref \"mine.numbers\" }}",
		"mine/numbers.sql": "SELECT * FROM range(3) r(n)",
		"mine/broken.sql":  "SELECT FROM WHERE {{ ref \"numbers\" }}",
		"mine/after.sql":   "SELECT * FROM {{ ref \"broken\" }}",
	})
	// The shipped models have no raw data here: their staging views are skipped, seeds load.
	code, out, errOut := revops(t, nil, "build", "-c", cfg)
	if code != 1 {
		t.Fatalf("build: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"mine.hello", "mine.broken", "failed", "skipped", "seeds.deal_stages", "in the warehouse"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "failed: mine.broken") || !strings.Contains(out, "models/mine/broken.sql: duckdb: materialize mine.broken") {
		t.Errorf("failure not reported with its file:\n%s\n%s", out, errOut)
	}

	code, out, _ = revops(t, nil, "build", "-c", cfg, "--select", "+hello", "--json")
	var res struct {
		OK     bool `json:"ok"`
		Models []struct {
			Model  string `json:"model"`
			Status string `json:"status"`
			Rows   int64  `json:"rows"`
		} `json:"models"`
		Tests []struct {
			Test   string `json:"test"`
			Status string `json:"status"`
		} `json:"tests"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK || len(res.Models) != 2 || res.Models[1].Rows != 3 {
		t.Fatalf("build --select +hello --json: %d %v\n%s", code, err, out)
	}
	if len(res.Tests) != 1 || res.Tests[0].Status != "pass" {
		t.Errorf("tests: %+v", res.Tests)
	}

	code, out, _ = revops(t, nil, "test", "-c", cfg, "--select", "mine.hello")
	if code != 0 || !strings.Contains(out, "not_null(mine.hello.who)  pass") {
		t.Errorf("test: %d\n%s", code, out)
	}
	code, out, _ = revops(t, nil, "compile", "-c", cfg, "hello")
	if code != 0 || strings.TrimSpace(out) != `SELECT 'analyst' AS who, n FROM "mine"."numbers"` {
		t.Errorf("compile: %d %q", code, out)
	}
	code, out, _ = revops(t, nil, "models", "-c", cfg)
	if code != 0 || !strings.Contains(out, "mine.hello") || !strings.Contains(out, "core.deals") {
		t.Errorf("models: %d\n%s", code, out)
	}
	code, out, _ = revops(t, nil, "models", "-c", cfg, "--graph", "mermaid")
	if code != 0 || !strings.HasPrefix(out, "flowchart LR") || !strings.Contains(out, "mine__numbers --> mine__hello") {
		t.Errorf("models --graph mermaid: %d\n%s", code, out)
	}
	code, out, _ = revops(t, nil, "models", "-c", cfg, "--graph", "dot")
	if code != 0 || !strings.Contains(out, `"mine.numbers" -> "mine.hello";`) {
		t.Errorf("models --graph dot: %d\n%s", code, out)
	}
	code, out, _ = revops(t, nil, "models", "-c", cfg, "--json")
	if code != 0 || !strings.Contains(out, `"relation":"mine.hello"`) {
		t.Errorf("models --json: %d\n%s", code, out)
	}

	// The runs are in _revops.runs.
	w, err := duckdb.Open(t.Context(), duckdb.Options{Path: filepath.Join(dir, "wh.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n int
	if err := w.DB().QueryRowContext(t.Context(), "SELECT count(*) FROM _revops.runs WHERE stage = 'build' AND target = 'mine.broken' AND status = 'failed'").Scan(&n); err != nil || n != 1 {
		t.Errorf("failed runs of mine.broken: %d %v", n, err)
	}
}

func TestBuildCommandBadProject(t *testing.T) {
	cfg, _ := modelProject(t, map[string]string{"mine/a.sql": "-- config: materialised=table\nSELECT 1"})
	for _, args := range [][]string{{"build"}, {"test"}, {"models"}, {"compile", "a"}} {
		code, _, errOut := revops(t, nil, append(args, "-c", cfg)...)
		if code != 2 || !strings.Contains(errOut, "models/mine/a.sql:1: config: unknown key \"materialised\"") {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
	cfg, _ = modelProject(t, map[string]string{"mine/a.sql": "SELECT 1", "seeds/m.csv": "a,b\n1\n"})
	code, out, _ := revops(t, nil, "build", "-c", cfg, "--json")
	if code != 2 || !strings.Contains(out, "seeds/m.csv:2: seed: wrong number of fields") {
		t.Errorf("bad seed: exit %d %s", code, out)
	}
	cfg, _ = modelProject(t, map[string]string{"mine/a.sql": "SELECT 1"})
	if code, _, errOut := revops(t, nil, "build", "-c", cfg, "--select", "nope"); code != 2 || !strings.Contains(errOut, "--select nope") {
		t.Errorf("bad --select: exit %d %q", code, errOut)
	}
	if code, _, _ := revops(t, nil, "compile", "-c", cfg, "nope"); code != 2 {
		t.Errorf("compile nope: exit %d", code)
	}
	if code, _, _ := revops(t, nil, "models", "-c", cfg, "--graph", "svg"); code != 2 {
		t.Errorf("--graph svg: exit %d", code)
	}
}
