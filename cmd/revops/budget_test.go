package main

import (
	"encoding/json"
	"fmt"
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
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "300", "--write-config", cfg)
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "    daily_credits: 60000\n", "    daily_credits: 30\n    api_budget: 0.5\n", 1)
	if text == string(raw) {
		t.Fatal("no daily_credits of the zoho_crm source in the sandbox config")
	}
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	// Accounts first (the plan below reads them), then everything.
	if code, res, errOut := runExtract(t, cfg, "--source", "zoho_crm", "--object", "Accounts"); code != 0 {
		t.Fatalf("extract of Accounts: exit %d %+v\n%s", code, res, errOut)
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
	if len(rows) != 2 {
		t.Fatalf("recorded API use: %v", rows)
	}
	// Objects extracting at once reserve each call from the one budget:
	// the two runs spend at most the 15 credits allowed.
	var spent int64
	for _, row := range rows {
		t.Logf("recorded: %v", row)
		var rec struct {
			Credits *int64 `json:"credits"`
		}
		if err := json.Unmarshal([]byte(row["detail"].(string)), &rec); err != nil || rec.Credits == nil {
			t.Fatalf("recorded API use without credits: %v (%v)", row, err)
		}
		spent += *rec.Credits
	}
	if spent == 0 || spent > 15 {
		t.Errorf("the extracts spent %d credits of a budget of 15", spent)
	}

	code, out, errOut := revops(t, nil, "sync", "plan", "account_enrichment_zoho", "-c", cfg)
	text0 := out
	if code != 0 && code != 1 {
		t.Fatalf("sync plan: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "API use to send: zoho_crm about") {
		t.Errorf("sync plan printed no API use:\n%s%s", out, errOut)
	}

	// sync plan --json carries the same cost per destination org.
	code, out, errOut = revops(t, nil, "sync", "plan", "account_enrichment_zoho", "-c", cfg, "--json")
	if code != 0 && code != 1 {
		t.Fatalf("sync plan --json: exit %d\n%s%s", code, out, errOut)
	}
	doc := oneJSON(t, out)
	costs, _ := doc["api_cost"].([]any)
	if len(costs) != 1 {
		t.Fatalf("api_cost %v in %s", doc["api_cost"], out)
	}
	c, _ := costs[0].(map[string]any)
	calls, _ := c["calls"].(float64)
	credits, _ := c["credits"].(float64)
	if c["source"] != "zoho_crm" || calls < 1 || credits < 1 {
		t.Errorf("api_cost %v, want zoho_crm's calls and credits", c)
	}
	if line := fmt.Sprintf("zoho_crm about %d calls, %d credits", int64(calls), int64(credits)); !strings.Contains(strings.Join(strings.Fields(text0), " "), line) {
		t.Errorf("api_cost %v does not match the plan's line %q", c, text0)
	}
}

// TestRunRecordsCredits: a revops run's summary (and so status and
// history) carries each org's Zoho credits and budget share.
func TestRunRecordsCredits(t *testing.T) {
	t.Parallel()
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
