//go:build duckdb_arrow

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
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

// benchWarehouse returns a DuckDB file holding what `revops extract` lands
// from a sandbox world of records per system (Salesforce and Zoho CRM, plus
// Zoho Desk), made once and kept in the cache directory: the sandbox is
// served in-process and extract runs through the CLI, as a user would.
func benchWarehouse(b *testing.B, records int) string {
	b.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "revops-bench")
	path := filepath.Join(dir, fmt.Sprintf("build-seed42-%d.duckdb", records))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	work := b.TempDir()
	cfg := filepath.Join(work, "revops.yaml")
	ctx, cancel := context.WithCancel(b.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	noEnv := func(string) (string, bool) { return "", false }
	go func() {
		done <- run(ctx, []string{"sandbox", "--records", strconv.Itoa(records), "--seed", "42", "--write-config", cfg}, pw, io.Discard, noEnv)
		pw.Close()
	}()
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		cancel()
		b.Fatalf("sandbox: %v", err)
	}
	go io.Copy(io.Discard, pr)
	// The emulators do not throttle: lift the written config's client-side
	// limits, or Zoho's per-deal Stage_History calls alone take many minutes.
	body, err := os.ReadFile(cfg)
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	body = []byte(strings.ReplaceAll(string(body), "requests_per_second: 200, burst: 50, concurrency: 8",
		"requests_per_second: 100000, burst: 1000, concurrency: 8"))
	if err := os.WriteFile(cfg, body, 0o600); err != nil {
		cancel()
		b.Fatal(err)
	}
	start := time.Now()
	var out, errOut strings.Builder
	code := run(ctx, []string{"extract", "-c", cfg, "--quiet"}, &out, &errOut, noEnv)
	cancel()
	<-done
	if code != 0 {
		// Objects that failed are missing; the models on them are skipped.
		b.Logf("extract: exit %d (the models on failed objects will be skipped)\n%s%s", code, out.String(), errOut.String())
	}
	b.Logf("extracted a %d-record-per-system sandbox world in %s", records, time.Since(start).Round(time.Second))
	if err := os.Rename(filepath.Join(work, "revops.duckdb"), path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkBuild1M builds every shipped model (and runs their data tests)
// on the raw tables extracted from a 1,000,000-record sandbox world
// (`revops sandbox --records 1000000`; REVOPS_BENCH_RECORDS sets another
// size). It reports the seconds of a build and the share of
// them during which DuckDB was executing a model's or test's SQL; the rest
// is the engine's overhead (planning, rendering, scheduling, run records).
func BenchmarkBuild1M(b *testing.B) {
	records := 1_000_000
	if v := os.Getenv("REVOPS_BENCH_RECORDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("REVOPS_BENCH_RECORDS=%q: %v", v, err)
		}
		records = n
	}
	src := benchWarehouse(b, records)
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "wh.duckdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	data = nil
	w, err := duckdb.Open(b.Context(), duckdb.Options{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var raw int64
	if err := w.DB().QueryRowContext(b.Context(), `SELECT sum(estimated_size) FROM duckdb_tables()
		WHERE schema_name IN ('salesforce', 'zoho_crm', 'zoho_desk') AND table_name NOT LIKE '%__history'`).Scan(&raw); err != nil {
		b.Fatal(err)
	}
	p, err := models.Load(sqlfiles.FS, configs.Seeds, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	var total, inWH float64
	b.ResetTimer()
	for range b.N {
		res, err := p.Build(b.Context(), w, models.Options{FullRefresh: true})
		if err != nil {
			b.Fatal(err)
		}
		if n := res.Count(models.StatusFailed); n > 0 {
			for _, m := range res.Models {
				if m.Status == models.StatusFailed {
					b.Logf("%s: %s", m.Model, m.Error)
				}
			}
			b.Fatalf("%d models failed", n)
		}
		total += res.Seconds
		inWH += res.WarehouseSeconds
		b.Logf("%d models (%d skipped), %d tests: %.2fs, %.1f%% in DuckDB", len(res.Models), res.Count(models.StatusSkipped),
			len(res.Tests), res.Seconds, 100*res.WarehouseSeconds/res.Seconds)
	}
	b.StopTimer()
	b.ReportMetric(total/float64(b.N), "s/build")
	b.ReportMetric(100*inWH/total, "%in-duckdb")
	b.ReportMetric(100*(total-inWH)/total, "%overhead")
	b.ReportMetric(float64(raw), "raw-rows")
}
