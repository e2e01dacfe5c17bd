package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scrape reads /metrics and returns each sample line's value by its
// name and labels as printed (`revops_runs_total{status="succeeded"}`).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	out := map[string]float64{}
	for _, l := range strings.Split(string(body), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", l, err)
		}
		out[l[:i]] = v
	}
	return out
}

// TestMetricsScrape: a scheduled revops with --metrics-addr serves
// Prometheus metrics: runs, stages, rows, API calls (and the org's daily
// allowance), failures and durations, per stage and per sync and link;
// SIGTERM while it waits for the next tick exits 0 at once.
func TestMetricsScrape(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	p := startProc(t, []string{"REVOPS_CACHE_DIR=" + t.TempDir()}, "run", "-c", cfg, "--every", "1h", "--metrics-addr", "127.0.0.1:0")
	url := p.waitFor(`metrics: (http://127\.0\.0\.1:\d+/metrics)`, 30*time.Second)[1]
	// Before the first run ends: served, nothing counted yet.
	if m := scrape(t, url); m[`revops_runs_total{status="succeeded"}`] != 0 || m["revops_skipped_ticks_total"] != 0 {
		t.Errorf("before any run: %v", m)
	}
	p.waitFor(`run \S+ succeeded in`, 120*time.Second)
	m := scrape(t, url)
	want := map[string]func(float64) bool{
		`revops_runs_total{status="succeeded"}`:                                             func(v float64) bool { return v == 1 },
		`revops_run_duration_seconds_count`:                                                 func(v float64) bool { return v == 1 },
		`revops_run_duration_seconds_sum`:                                                   func(v float64) bool { return v > 0 },
		`revops_last_run_success`:                                                           func(v float64) bool { return v == 1 },
		`revops_last_run_timestamp_seconds`:                                                 func(v float64) bool { return v > float64(time.Now().Add(-time.Hour).Unix()) },
		`revops_run_in_progress`:                                                            func(v float64) bool { return v == 0 },
		`revops_stage_runs_total{stage="extract",status="succeeded"}`:                       func(v float64) bool { return v == 1 },
		`revops_stage_runs_total{stage="identity",status="succeeded"}`:                      func(v float64) bool { return v == 1 },
		`revops_stage_duration_seconds_count{stage="build"}`:                                func(v float64) bool { return v == 1 },
		`revops_rows_total{stage="extract"}`:                                                func(v float64) bool { return v > 0 },
		`revops_rows_total{stage="identity"}`:                                               func(v float64) bool { return v > 0 },
		`revops_failed_rows_total{stage="sync"}`:                                            func(v float64) bool { return v == 0 },
		`revops_api_calls_total{source="salesforce"}`:                                       func(v float64) bool { return v > 0 },
		`revops_api_calls_total{source="zoho_crm"}`:                                         func(v float64) bool { return v > 0 },
		`revops_api_daily_limit{source="salesforce"}`:                                       func(v float64) bool { return v > 0 },
		`revops_api_daily_used{source="salesforce"}`:                                        func(v float64) bool { return v > 0 },
		`revops_target_runs_total{name="zoho_leads_to_sf",stage="sync",status="succeeded"}`: func(v float64) bool { return v == 1 },
		`revops_target_rows_total{name="zoho_leads_to_sf",stage="sync"}`:                    func(v float64) bool { return v > 0 },
		`revops_target_api_calls_total{name="zoho_leads_to_sf",stage="sync"}`:               func(v float64) bool { return v > 0 },
		`revops_target_runs_total{name="zoho_sf_leads",stage="links",status="succeeded"}`:   func(v float64) bool { return v == 1 },
		`revops_target_last_duration_seconds{name="zoho_sf_leads",stage="links"}`:           func(v float64) bool { return v > 0 },
	}
	for k, ok := range want {
		v, found := m[k]
		if !found || !ok(v) {
			t.Errorf("%s = %v (found %v)", k, v, found)
		}
	}
	if t.Failed() {
		var names []string
		for k := range m {
			if strings.HasPrefix(k, "revops_") && !regexp.MustCompile(`_bucket\{`).MatchString(k) {
				names = append(names, k)
			}
		}
		t.Logf("revops metrics served: %v", names)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(15 * time.Second); code != 0 {
		t.Fatalf("SIGTERM while idle: exit %d\n%s", code, p.output())
	}
	if _, err := http.Get(url); err == nil {
		t.Error("metrics still served after exit")
	}
	if _, err := os.Stat(filepath.Join(dir, "revops.duckdb.lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}
}
