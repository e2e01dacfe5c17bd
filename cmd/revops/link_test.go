package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// linkReport is one link of `revops link --json`.
type linkReport struct {
	Link      string `json:"link"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	Pairs     int64  `json:"pairs"`
	Created   int64  `json:"created"`
	Updated   int64  `json:"updated"`
	Unchanged int64  `json:"unchanged"`
	Failed    int64  `json:"failed"`
	Conflicts int64  `json:"conflicts"`
	APICalls  int64  `json:"api_calls"`
	Sides     []struct {
		Source       string `json:"source"`
		Updated      int64  `json:"updated"`
		APICalls     int64  `json:"api_calls"`
		PlannedCalls int64  `json:"planned_calls"`
	} `json:"sides"`
}

func runLink(t *testing.T, env map[string]string, cfg string, args ...string) (int, map[string]any, string) {
	t.Helper()
	code, out, errOut := revops(t, env, append([]string{"link", "-c", cfg, "--json"}, args...)...)
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("link --json printed %q (stderr %q): %v", out, errOut, err)
	}
	return code, doc, errOut
}

func linkReports(t *testing.T, doc map[string]any, key string) []linkReport {
	t.Helper()
	b, _ := json.Marshal(doc[key])
	var out []linkReport
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLinkEndToEnd: the sandbox's example link through the CLI. After
// revops run, a lead changed in each CRM reaches the other CRM with one
// write each way; the next run writes nothing; a conflict is decided by
// its owner (Title: salesforce) and listed by revops link conflicts.
func TestLinkEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	for i := range 2 { // the second run extracts the copies the sync made and the link fills them
		if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
			t.Fatalf("run %d: exit %d\n%s%s", i+1, code, out, errOut)
		}
	}
	if code, out, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	code, doc, errOut := runLink(t, env, cfg, "zoho_sf_leads") // the sandbox config has more links (templates)
	reps := linkReports(t, doc, "links")
	if code != 0 || len(reps) != 1 || reps[0].Pairs == 0 || reps[0].Updated != 0 || reps[0].Created != 0 {
		t.Fatalf("converged link: exit %d %+v %s", code, reps, errOut)
	}
	pair := queryRows(t, cfg, `SELECT z.id AS zid, s."Id" AS sid FROM zoho_crm.leads z JOIN salesforce.lead s ON s."Zoho_Lead_Id__c" = z.id ORDER BY z.id LIMIT 1`)[0]
	zid, sid := fmt.Sprint(pair["zid"]), fmt.Sprint(pair["sid"])
	sf, zo := sfAPI(t, info), zohoAPI(t, info)
	edit := func(city, zTitle, sTitle string) {
		t.Helper()
		z := fmt.Sprintf(`{"data":[{"id":%q,"City":%q%s}]}`, zid, city, map[bool]string{true: fmt.Sprintf(`,"Designation":%q`, zTitle)}[zTitle != ""])
		if c, b := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads", z); c != 200 {
			t.Fatalf("zoho edit: %d %s", c, b)
		}
		if c, b := sf.do("PATCH", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead/"+sid, fmt.Sprintf(`{"Title":%q}`, sTitle)); c != 204 {
			t.Fatalf("salesforce edit: %d %s", c, b)
		}
	}
	edit("Lisbon", "", "Head of Revenue")
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	code, doc, errOut = revops3(t, env, cfg, "plan")
	plans := linkReports(t, doc, "plans")
	if code != 0 || plans[0].Updated != 2 || plans[0].Sides[0].PlannedCalls != 1 || plans[0].Sides[1].PlannedCalls != 1 {
		t.Fatalf("plan: exit %d %+v %s", code, plans, errOut)
	}
	code, doc, _ = runLink(t, env, cfg)
	r := linkReports(t, doc, "links")[0]
	if code != 0 || r.Sides[0].Updated != 1 || r.Sides[1].Updated != 1 || r.Conflicts != 0 {
		t.Fatalf("one change each way: exit %d %+v", code, r)
	}
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	code, doc, _ = runLink(t, env, cfg)
	if r := linkReports(t, doc, "links")[0]; code != 0 || r.Updated != 0 {
		t.Fatalf("the echo was written: %+v", r)
	}
	// A conflict: both CRMs change the title.
	edit("Lisbon", "VP Revenue", "Chief Revenue Officer")
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	code, doc, _ = runLink(t, env, cfg)
	if r := linkReports(t, doc, "links")[0]; code != 0 || r.Conflicts != 1 || r.Sides[0].Updated != 1 || r.Sides[1].Updated != 0 {
		t.Fatalf("conflict: %+v", r)
	}
	code, out, _ := revops(t, env, "link", "conflicts", "zoho_sf_leads", "-c", cfg, "--json")
	var cs struct {
		Conflicts []struct{ Field, Winner, LeftValue, RightValue string } `json:"conflicts"`
	}
	if err := json.Unmarshal([]byte(out), &cs); err != nil || code != 0 || len(cs.Conflicts) != 1 || cs.Conflicts[0].Winner != "salesforce" {
		t.Fatalf("conflicts: exit %d %s", code, out)
	}
	if code, out, errOut := revops(t, env, "link", "history", "-c", cfg); code != 0 || !strings.Contains(out, "zoho_sf_leads") {
		t.Fatalf("history: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := revops(t, env, "link", "nope", "-c", cfg); code != 2 || !strings.Contains(errOut, `no link named "nope"`) {
		t.Fatalf("unknown link: exit %d %s", code, errOut)
	}
}

func revops3(t *testing.T, env map[string]string, cfg, sub string) (int, map[string]any, string) {
	t.Helper()
	code, out, errOut := revops(t, env, "link", sub, "-c", cfg, "--json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("link %s --json printed %q (stderr %q)", sub, out, errOut)
	}
	return code, doc, errOut
}
