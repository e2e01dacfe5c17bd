package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// statusMap is a seed mapping Zoho lead statuses to Salesforce's.
const statusMap = `from,to
-None-,Open - Not Contacted
Not Contacted,Open - Not Contacted
Attempted to Contact,Open - Not Contacted
Contact in Future,Open - Not Contacted
Contacted,Working - Contacted
Pre-Qualified,Working - Contacted
Junk Lead,Closed - Not Converted
Lost Lead,Closed - Not Converted
Not Qualified,Closed - Not Converted
`

// seededSync is a sync of Zoho leads to Salesforce whose status goes
// through the seed seeds.lead_status_sf.
const seededSync = `
  - name: leads_by_seed
    model: syncs.zoho_leads_to_sf
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {column: zoho_lead_id}
      LastName: {column: last_name}
      Company: {column: company}
      Email: {column: email}
      Phone: {column: phone, skip_nulls: true}
      Status: {column: lead_status, picklist: seeds.lead_status_sf}
`

// TestSyncRulesCLI: through the CLI, against the sandbox. Editing a seed a
// sync maps its picklist through resends the rows it maps differently
// and only them (the seed is built by revops sync); --full-resync finds a
// record deleted by hand and unlinks its row (on_deleted's default, said
// so); revops sync reset --key forgets that row and the next run creates
// it again; review lists nothing.
func TestSyncRulesCLI(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "300", "--write-config", cfg)
	models := filepath.Join(dir, "models")
	if err := os.MkdirAll(filepath.Join(models, "seeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	seed := filepath.Join(models, "seeds", "lead_status_sf.csv")
	if err := os.WriteFile(seed, []byte(statusMap), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "models:\n  paths: []", "models:\n  paths: ["+models+"]", 1)
	if err := os.WriteFile(cfg, []byte(text+seededSync), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, out := runExtract(t, cfg); code != 0 {
		t.Fatalf("extract: exit %d\n%s", code, out)
	}
	code, reps, errOut := runSync(t, cfg, "leads_by_seed")
	first := reps["leads_by_seed"]
	if code != 0 || first.Succeeded == 0 || first.Failed != 0 {
		t.Fatalf("first sync: exit %d %+v %s", code, first, errOut)
	}
	if _, reps, _ = runSync(t, cfg, "leads_by_seed"); reps["leads_by_seed"].Planned != 0 {
		t.Fatalf("second sync: %+v", reps["leads_by_seed"])
	}
	contacted := queryRows(t, cfg, `SELECT count(*) AS n FROM syncs.zoho_leads_to_sf WHERE lead_status = 'Contacted'`)[0]["n"].(float64)
	if contacted == 0 {
		t.Fatal("no Contacted lead in the sandbox")
	}
	if err := os.WriteFile(seed, []byte(strings.Replace(statusMap, "Contacted,Working - Contacted", "Contacted,Closed - Not Converted", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	sfBefore := writeCalls(t, info.Salesforce.StatsURL, "salesforce")
	_, reps, errOut = runSync(t, cfg, "leads_by_seed")
	r := reps["leads_by_seed"]
	if float64(r.Changed) != contacted || r.Succeeded != r.Changed || float64(r.Unchanged) != float64(first.Succeeded)-contacted {
		t.Fatalf("after editing the seed: %+v (%s); want the %v Contacted rows resent", r, errOut, contacted)
	}
	if n := writeCalls(t, info.Salesforce.StatsURL, "salesforce") - sfBefore; n != 1 {
		t.Errorf("%d write calls after the seed edit, want 1", n)
	}
	sf := sfAPI(t, info)
	moved := soql(t, sf, info, "SELECT Id, Zoho_Lead_Id__c FROM Lead WHERE Status = 'Closed - Not Converted' AND Zoho_Lead_Id__c != null")
	if float64(len(moved)) < contacted {
		t.Errorf("%d leads hold the new status, want at least %v", len(moved), contacted)
	}

	// A user deletes a synced lead; a normal run cannot see it, a full
	// resync can.
	gone := moved[0]
	if c, body := sf.do("DELETE", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead/"+gone["Id"].(string), ""); c != 204 {
		t.Fatalf("delete: %d %s", c, body)
	}
	code, out, errOut := revops(t, nil, "sync", "-c", cfg, "--full-resync", "leads_by_seed")
	if code != 0 || !strings.Contains(out, "leads_by_seed: 1 rows unlinked: their records were deleted in the destination (on_deleted: unlink, the default)") {
		t.Fatalf("full resync: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, reps, _ = runSync(t, cfg, "leads_by_seed"); reps["leads_by_seed"].Planned != 0 {
		t.Fatalf("after the full resync: %+v", reps["leads_by_seed"])
	}
	key := gone["Zoho_Lead_Id__c"].(string)
	code, out, errOut = revops(t, nil, "sync", "reset", "-c", cfg, "--json", "leads_by_seed", "--key", key)
	var reset struct {
		Reset struct{ Snapshots int64 } `json:"reset"`
	}
	if err := json.Unmarshal([]byte(out), &reset); code != 0 || err != nil || reset.Reset.Snapshots != 1 {
		t.Fatalf("reset: exit %d %q %v (%s)", code, out, err, errOut)
	}
	_, reps, _ = runSync(t, cfg, "leads_by_seed")
	if r := reps["leads_by_seed"]; r.Added != 1 || r.Succeeded != 1 {
		t.Fatalf("after reset: %+v", r)
	}
	if n := soql(t, sf, info, "SELECT Id FROM Lead WHERE Zoho_Lead_Id__c = '"+key+"'"); len(n) != 1 {
		t.Errorf("%d leads for %s after reset, want 1 (created again)", len(n), key)
	}
	code, out, _ = revops(t, nil, "sync", "review", "-c", cfg, "--json")
	if code != 0 || !strings.Contains(out, `"review":[]`) && !strings.Contains(out, `"review":null`) {
		t.Errorf("review: exit %d %s", code, out)
	}
}
