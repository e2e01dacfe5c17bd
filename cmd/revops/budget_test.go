package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIBudgetCLI: a zoho_crm source with daily_credits 30 and
// api_budget 0.5 extracts until 15 credits are spent and stops, the
// objects it did not finish naming when the run can resume; the spend is
// in _revops.runs; sync plan says what sending the plan would cost.
func TestAPIBudgetCLI(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "300", "--write-config", cfg)
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "  - name: zoho_crm\n    type: zoho_crm\n",
		"  - name: zoho_crm\n    type: zoho_crm\n    daily_credits: 30\n    api_budget: 0.5\n", 1)
	if text == string(raw) {
		t.Fatal("no zoho_crm source in the sandbox config")
	}
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, res, errOut := runExtract(t, cfg, "--source", "zoho_crm")
	if code != 1 {
		t.Fatalf("extract past the budget: exit %d\n%s", code, errOut)
	}
	stopped := 0
	for _, r := range res {
		if strings.Contains(r.Error, "API budget of zoho_crm reached") && strings.Contains(r.Error, "resume after") {
			stopped++
		}
	}
	if stopped == 0 {
		t.Errorf("no object stopped by the budget: %+v", res)
	}
	rows := queryRows(t, cfg, `SELECT api_calls, detail FROM _revops.runs WHERE stage = 'api_budget' AND target = 'zoho_crm'`)
	if len(rows) != 1 || !strings.Contains(rows[0]["detail"].(string), `"credits":`) {
		t.Fatalf("recorded API use: %v", rows)
	}
	t.Logf("recorded: %v", rows[0])

	code, out, errOut := revops(t, nil, "sync", "plan", "account_enrichment_zoho", "-c", cfg)
	if code != 0 && code != 1 {
		t.Fatalf("sync plan: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "API use to send: zoho_crm about") {
		t.Errorf("sync plan printed no API use:\n%s%s", out, errOut)
	}
}

// TestRunRecordsCredits: a revops run's summary (and so status and
// history) carries each org's Zoho credits and budget share.
func TestRunRecordsCredits(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	code, out, errOut := revops(t, env, "run", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	run, _ := oneJSON(t, out)["run"].(map[string]any)
	calls := map[string]map[string]any{}
	for _, c := range run["api_calls"].([]any) {
		m := c.(map[string]any)
		calls[m["source"].(string)] = m
	}
	z := calls["zoho_crm"]
	if z == nil || z["credits"] == nil || z["credits"].(float64) == 0 || z["api_budget"] != 0.8 {
		t.Errorf("zoho_crm: %v, want its credits and the budget share", z)
	}
	if sf := calls["salesforce"]; sf == nil || sf["credits"] != nil || sf["api_budget"] != 0.8 {
		t.Errorf("salesforce: %v, want the budget share and no credits", sf)
	}
	code, out, _ = revops(t, env, "status", "-c", cfg)
	if code != 0 || !strings.Contains(out, "credits") {
		t.Errorf("status (exit %d) shows no credits:\n%s", code, out)
	}
}
