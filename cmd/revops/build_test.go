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
	code, out, errOut := revops(t, nil, "build", "-c", cfg, "-v")
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

	code, out, _ = revops(t, nil, "test", "-c", cfg, "--select", "mine.hello", "-v")
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

// TestBuildCommandBrokenModel: one broken user model (a bad ref, a bad
// header, a bad seed) is reported as that model's error; build, test,
// compile of another model and models still work for everything else.
func TestBuildCommandBrokenModel(t *testing.T) {
	t.Parallel()
	cfg, _ := modelProject(t, map[string]string{
		"mine/numbers.sql": "-- test: unique n\nSELECT * FROM range(3) r(n)",
		"mine/badref.sql":  "SELECT *\nFROM {{ ref \"mine.nope\" }}",
		"mine/after.sql":   "SELECT * FROM {{ ref \"badref\" }}",
		"mine/header.sql":  "-- config: materialised=table\nSELECT 1",
		"seeds/m.csv":      "a,b\n1\n",
	})
	const badref = `models/mine/badref.sql:2: ref "mine.nope": no model mine.nope`
	const header = `models/mine/header.sql:1: config: unknown key "materialised"`
	const seed = "models/seeds/m.csv:2: seed: wrong number of fields"

	code, out, errOut := revops(t, nil, "build", "-c", cfg, "-v")
	if code != 1 {
		t.Fatalf("build: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{badref, header, seed, "mine.after", "mine.badref failed", "seeds.deal_stages"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	if !hasRow(out, "unique(mine.numbers.n)", "pass") || !hasRow(out, "mine.numbers", "table", "3") {
		t.Errorf("the sound model was not built and tested:\n%s", out)
	}
	if !strings.Contains(errOut, "failed: mine.badref, mine.header, seeds.m") {
		t.Errorf("build stderr: %s", errOut)
	}

	code, out, _ = revops(t, nil, "build", "-c", cfg, "--json")
	var res struct {
		OK     bool `json:"ok"`
		Models []struct {
			Model  string `json:"model"`
			Status string `json:"status"`
			Error  string `json:"error"`
			Reason string `json:"reason"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 || res.OK {
		t.Fatalf("build --json: %d %v\n%s", code, err, out)
	}
	got := map[string]string{}
	for _, m := range res.Models {
		got[m.Model] = m.Status + " " + m.Error + m.Reason
	}
	for rel, want := range map[string][2]string{
		"mine.numbers": {"success ", ""}, "mine.badref": {"failed ", badref}, "mine.after": {"skipped ", "mine.badref failed"},
		"mine.header": {"failed ", header}, "seeds.m": {"failed ", seed}, "seeds.deal_stages": {"success ", ""},
	} {
		if !strings.HasPrefix(got[rel], want[0]) || !strings.HasSuffix(got[rel], want[1]) && !strings.Contains(got[rel], want[1]+" (want") {
			t.Errorf("%s: %q, want %q", rel, got[rel], want)
		}
	}

	code, out, errOut = revops(t, nil, "test", "-c", cfg, "--select", "mine.numbers", "-v")
	if code != 0 || !hasRow(out, "unique(mine.numbers.n)", "pass") {
		t.Errorf("test --select mine.numbers: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = revops(t, nil, "test", "-c", cfg, "-v")
	if code != 1 || !hasRow(out, "unique(mine.numbers.n)", "pass") || !strings.Contains(out, badref) {
		t.Errorf("test: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := revops(t, nil, "compile", "-c", cfg, "numbers"); code != 0 || strings.TrimSpace(out) != "SELECT * FROM range(3) r(n)" {
		t.Errorf("compile numbers: %d %q %s", code, out, errOut)
	}
	if code, out, _ := revops(t, nil, "compile", "-c", cfg, "after"); code != 0 || !strings.Contains(out, `"mine"."badref"`) {
		t.Errorf("compile after: %d %q", code, out)
	}
	if code, _, errOut := revops(t, nil, "compile", "-c", cfg, "badref"); code != 2 || !strings.Contains(errOut, badref) {
		t.Errorf("compile badref: exit %d %q", code, errOut)
	}
	code, out, errOut = revops(t, nil, "models", "-c", cfg)
	if code != 1 || !strings.Contains(out, "mine.numbers") || !strings.Contains(out, "core.deals") || !strings.Contains(out, "mine.after") {
		t.Errorf("models: %d\n%s", code, out)
	}
	for _, want := range []string{"3 problems in the model files", badref, header, seed} {
		if !strings.Contains(errOut, want) {
			t.Errorf("models stderr lacks %q:\n%s", want, errOut)
		}
	}
	code, out, _ = revops(t, nil, "models", "-c", cfg, "--json")
	if code != 1 || !strings.Contains(out, `"relation":"mine.numbers"`) || !strings.Contains(out, strings.ReplaceAll(badref, `"`, `\"`)+`"}`) ||
		!strings.Contains(out, `"problems":[`) {
		t.Errorf("models --json: %d\n%s", code, out)
	}
	if code, out, _ := revops(t, nil, "models", "-c", cfg, "--graph", "mermaid"); code != 1 || !strings.Contains(out, "mine__badref --> mine__after") {
		t.Errorf("models --graph mermaid: %d\n%s", code, out)
	}
}

// TestBuildCommandWarnings: a failing test of severity warn is shown and
// counted apart and keeps exit 0; one of severity error exits 1.
func TestBuildCommandWarnings(t *testing.T) {
	cfg, _ := modelProject(t, map[string]string{
		"mine/leads.sql": "-- test: unique id\n-- test: not_null status; severity=warn\n" +
			"SELECT * FROM (VALUES (1, 'open'), (2, NULL)) v(id, status)",
		"tests/no_null_ids.sql": "-- config: severity=warn\nSELECT * FROM {{ ref \"mine.leads\" }} WHERE status IS NULL",
	})
	for _, cmd := range []string{"build", "test"} {
		code, out, errOut := revops(t, nil, cmd, "-c", cfg, "--select", "mine.leads", "-v")
		if code != 0 {
			t.Errorf("%s: exit %d\n%s%s", cmd, code, out, errOut)
		}
		if !hasRow(out, "not_null(mine.leads.status)", "warn", "1") || !hasRow(out, "tests.no_null_ids", "warn", "1") ||
			!hasRow(out, "unique(mine.leads.id)", "pass") || !strings.Contains(out, "1 tests passed, 2 warned, 0 failed;") {
			t.Errorf("%s output:\n%s", cmd, out)
		}
		code, out, _ = revops(t, nil, cmd, "-c", cfg, "--select", "mine.leads", "--json")
		if code != 0 || !strings.Contains(out, `"ok":true`) || !strings.Contains(out, `"severity":"warn","status":"warn","failures":1`) {
			t.Errorf("%s --json: %d\n%s", cmd, code, out)
		}
	}
	cfg, _ = modelProject(t, map[string]string{
		"mine/leads.sql": "-- test: unique id\n-- test: not_null status; severity=warn\n" +
			"SELECT * FROM (VALUES (1, 'open'), (1, NULL)) v(id, status)",
	})
	code, out, errOut := revops(t, nil, "build", "-c", cfg, "--select", "mine.leads")
	if code != 1 || !strings.Contains(out, "0 tests passed, 1 warned, 1 failed") || !strings.Contains(errOut, "failed: unique(mine.leads.id)") {
		t.Errorf("build with a failing error test: exit %d\n%s%s", code, out, errOut)
	}
}

// hasRow reports whether a line of a printed table starts with cells.
func hasRow(out string, cells ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < len(cells) {
			continue
		}
		match := true
		for i, c := range cells {
			match = match && f[i] == c
		}
		if match {
			return true
		}
	}
	return false
}

func TestBuildCommandBadProject(t *testing.T) {
	cfg, _ := modelProject(t, map[string]string{"mine/a.sql": "SELECT 1"})
	if code, _, errOut := revops(t, nil, "build", "-c", cfg, "--select", "nope"); code != 2 || !strings.Contains(errOut, "--select nope") {
		t.Errorf("bad --select: exit %d %q", code, errOut)
	}
	if code, _, _ := revops(t, nil, "compile", "-c", cfg, "nope"); code != 2 {
		t.Errorf("compile nope: exit %d", code)
	}
	if code, _, _ := revops(t, nil, "models", "-c", cfg, "--graph", "svg"); code != 2 {
		t.Errorf("--graph svg: exit %d", code)
	}
	missing := filepath.Join(filepath.Dir(cfg), "revops.yaml")
	data, _ := os.ReadFile(missing)
	if err := os.WriteFile(missing, []byte(strings.Replace(string(data), "paths: [models]", "paths: [nowhere]", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := revops(t, nil, "models", "-c", cfg); code != 2 || !strings.Contains(errOut, "nowhere") {
		t.Errorf("missing model path: exit %d %q", code, errOut)
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
