package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// nonSnakeKeys lists every key of a JSON document, at any depth, that
// is not snake_case (such as Status or FinishedAt).
func nonSnakeKeys(v any, path string, bad map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if !snakeCase.MatchString(k) {
				bad[path+"."+k] = true
			}
			nonSnakeKeys(val, path+"."+k, bad)
		}
	case []any:
		for _, val := range x {
			nonSnakeKeys(val, path+"[]", bad)
		}
	}
}

func assertSnakeCase(t *testing.T, what string, doc map[string]any) {
	t.Helper()
	bad := map[string]bool{}
	nonSnakeKeys(doc, "", bad)
	if len(bad) > 0 {
		var keys []string
		for k := range bad {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("%s --json has keys that are not snake_case: %s", what, strings.Join(keys, ", "))
	}
}

// TestStatusJSONKeysAreSnakeCase holds the JSON contract of status and
// history on a warehouse where every kind of row exists.
func TestStatusJSONKeysAreSnakeCase(t *testing.T) {
	for _, doc := range []string{`{"a_b":1,"c":[{"d_e2":{"f":1}}]}`, `{"Status":1}`, `{"runs":[{"finishedAt":1}]}`} {
		bad := map[string]bool{}
		nonSnakeKeys(oneJSON(t, doc), "", bad)
		if (len(bad) == 0) != strings.Contains(doc, "a_b") {
			t.Fatalf("the key check is wrong on %s: %v", doc, bad)
		}
	}
}

// TestRunOneRunIDAcrossStages: revops run records one run (a row of
// stage 'run') whose extract and build runs carry its id; its summary has
// the five stages (identity with the golden records and the review
// queue) and each source's API calls, with Salesforce's daily
// allowance. status and history show it with snake_case JSON keys; their
// exit status is 0 while the last run succeeded, 1 once it failed, 2 for
// bad usage or config.
func TestRunOneRunIDAcrossStages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	code, out, errOut := revops(t, env, "run", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	doc := oneJSON(t, out)
	assertSnakeCase(t, "run", doc)
	run, _ := doc["run"].(map[string]any)
	if run == nil || run["status"] != "succeeded" || run["run_id"] == "" {
		t.Fatalf("run --json: no run summary: %v", doc)
	}
	id := run["run_id"].(string)
	var names []string
	stages := map[string]map[string]any{}
	for _, s := range run["stages"].([]any) {
		st := s.(map[string]any)
		names = append(names, st["stage"].(string))
		stages[st["stage"].(string)] = st
		if st["status"] != "succeeded" {
			t.Errorf("stage %v: want succeeded", st)
		}
	}
	if strings.Join(names, ",") != "extract,build,identity,sync,links" {
		t.Errorf("stages %v", names)
	}
	counts := stages["identity"]["counts"].(map[string]any)
	if counts["persons"].(float64) == 0 || counts["companies"].(float64) == 0 || counts["review"] == nil {
		t.Errorf("identity counts %v: want persons, companies and the review queue", counts)
	}
	if stages["extract"]["rows"].(float64) == 0 || stages["extract"]["api_calls"].(float64) == 0 {
		t.Errorf("extract stage %v", stages["extract"])
	}
	calls := map[string]map[string]any{}
	for _, c := range run["api_calls"].([]any) {
		m := c.(map[string]any)
		calls[m["source"].(string)] = m
	}
	sf := calls["salesforce"]
	if sf == nil || sf["calls"].(float64) == 0 || sf["daily_limit"] == nil || sf["daily_used"].(float64) == 0 ||
		sf["daily_used"].(float64) >= sf["daily_limit"].(float64) {
		t.Errorf("salesforce API calls %v: want this run's calls, the org's daily use and its limit", sf)
	}
	// Zoho does not report its daily allowance: the limit shown is the
	// sandbox config's daily_credits (60,000), and the credits this run spent.
	if z := calls["zoho_crm"]; z == nil || z["calls"].(float64) == 0 || z["daily_limit"] != float64(60000) ||
		z["credits"] == nil || z["credits"].(float64) == 0 {
		t.Errorf("zoho_crm API calls %v: want the calls, the credits and the configured daily limit", z)
	}

	rows := queryRows(t, cfg, `SELECT stage, count(*) AS n, count(*) FILTER (WHERE parent_id = '`+id+`') AS tagged,
		CAST(sum(api_calls) AS BIGINT) AS calls FROM _revops.runs GROUP BY stage ORDER BY stage`)
	by := map[string]map[string]any{}
	for _, r := range rows {
		by[r["stage"].(string)] = r
	}
	if by["run"]["n"] != float64(1) {
		t.Errorf("run rows: %v", by["run"])
	}
	for _, stage := range []string{"extract", "build"} {
		if r := by[stage]; r == nil || r["n"].(float64) == 0 || r["tagged"] != r["n"] {
			t.Errorf("%s runs %v: want all of them carrying the run id", stage, r)
		}
	}
	if by["extract"]["calls"].(float64) == 0 {
		t.Errorf("the extract runs carry no API calls: %v", by["extract"])
	}

	code, out, errOut = revops(t, env, "status", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("status after a good run: exit %d %s", code, errOut)
	}
	st := oneJSON(t, out)
	assertSnakeCase(t, "status", st)
	if lr, _ := st["last_run"].(map[string]any); lr == nil || lr["run_id"] != id {
		t.Errorf("status last_run: %v", st["last_run"])
	}
	code, out, _ = revops(t, env, "history", "-c", cfg, "--json")
	h := oneJSON(t, out)
	assertSnakeCase(t, "history", h)
	if hr := h["runs"].([]any); code != 0 || len(hr) != 1 || hr[0].(map[string]any)["run_id"] != id {
		t.Errorf("history: exit %d, runs %v", code, h["runs"])
	}
	code, out, _ = revops(t, env, "history", "-c", cfg)
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "succeeded") {
		t.Errorf("history: exit %d\n%s", code, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 100 {
			t.Errorf("history line wider than 100 columns: %q", l)
		}
	}

	// A run that fails: status and history exit 1.
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(string(data), info.Salesforce.ClientSecret, "not-the-secret")), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := revops(t, env, "run", "-c", cfg, "-q"); code != 1 {
		t.Fatalf("failing run: exit %d", code)
	}
	code, out, _ = revops(t, env, "status", "-c", cfg, "--json")
	st = oneJSON(t, out)
	assertSnakeCase(t, "status", st)
	if code != 1 || st["ok"] != false || st["exit_code"] != float64(1) {
		t.Errorf("status after a failed run: exit %d, ok %v, exit_code %v", code, st["ok"], st["exit_code"])
	}
	lr := st["last_run"].(map[string]any)
	if lr["status"] != "failed" || !strings.Contains(lr["error"].(string), "salesforce") {
		t.Errorf("last_run %v: want failed naming salesforce", lr)
	}
	if code, out, _ := revops(t, env, "history", "-c", cfg); code != 1 || !strings.Contains(out, "FAIL") {
		t.Errorf("history after a failed run: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"history", "--limit", "-1"}, {"history", "now"}, {"status", "--limit", "x"}} {
		if code, _, _ := revops(t, env, append(args, "-c", cfg)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("version: 1\nwarehouse: {type: duckdb, pth: x}\n"), 0o600)
	for _, c := range []string{"status", "history"} {
		if code, _, _ := revops(t, env, c, "-c", bad); code != 2 {
			t.Errorf("%s with a bad config: exit %d, want 2", c, code)
		}
	}
}
