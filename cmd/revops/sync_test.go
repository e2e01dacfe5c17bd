package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// syncReport is one sync of `revops sync --json`.
type syncReport struct {
	Sync      string `json:"sync"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	Planned   int64  `json:"planned"`
	Added     int64  `json:"added"`
	Changed   int64  `json:"changed"`
	Succeeded int64  `json:"succeeded"`
	Failed    int64  `json:"failed"`
	Unchanged int64  `json:"unchanged"`
	APICalls  int64  `json:"api_calls"`
	Errors    []struct {
		Key, Code, Message string
	} `json:"errors"`
}

func runSync(t *testing.T, cfg string, args ...string) (int, map[string]syncReport, string) {
	t.Helper()
	code, out, errOut := revops(t, nil, append([]string{"sync", "-c", cfg, "--json"}, args...)...)
	var res struct {
		OK    bool         `json:"ok"`
		Syncs []syncReport `json:"syncs"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &res); err != nil {
		t.Fatalf("sync --json printed %q (stderr %q): %v", out, errOut, err)
	}
	m := map[string]syncReport{}
	for _, r := range res.Syncs {
		m[r.Sync] = r
	}
	return code, m, errOut
}

// writeCalls counts the write requests the sandbox served to system, from
// /__sandbox/stats: every non-GET request except token grants and
// read-only queries (COQL, Composite calls and Batches of queries).
func writeCalls(t *testing.T, statsURL, system string) int64 {
	t.Helper()
	var stats struct {
		Requests []struct {
			System, Method, Endpoint string
			Count                    int64
		} `json:"requests"`
	}
	getJSON(t, statsURL, &stats)
	var n int64
	for _, r := range stats.Requests {
		// Reads sent as POST are not writes: COQL queries, and Composite
		// calls and Batches (revops sends only queries in them).
		if r.System != system || r.Method == "GET" || strings.Contains(r.Endpoint, "oauth") ||
			strings.Contains(r.Endpoint, "coql") || strings.HasSuffix(r.Endpoint, "/composite") ||
			strings.HasSuffix(r.Endpoint, "/composite/batch") {
			continue
		}
		n += r.Count
	}
	return n
}

// soql runs a SOQL query against the sandbox org and returns its records.
func soql(t *testing.T, sf *api, info sandboxInfo, q string) []map[string]any {
	t.Helper()
	code, body := sf.do("GET", info.Salesforce.InstanceURL+"/services/data/v62.0/query?q="+url.QueryEscape(q), "")
	if code != 200 {
		t.Fatalf("%s: %d %s", q, code, body)
	}
	var res struct {
		TotalSize int              `json:"totalSize"`
		Done      bool             `json:"done"`
		Records   []map[string]any `json:"records"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || !res.Done {
		t.Fatalf("%s: %v (done %v)", q, err, res.Done)
	}
	return res.Records
}

func TestSyncEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "300", "--write-config", cfg)
	if code, _, out := runExtract(t, cfg); code != 0 {
		t.Fatalf("extract: exit %d\n%s", code, out)
	}
	sfBefore, zohoBefore := writeCalls(t, info.Salesforce.StatsURL, "salesforce"), writeCalls(t, info.Zoho.StatsURL, "zoho_crm")
	// The syncs this test checks (the sandbox config enables more templates).
	checked := []string{"account_enrichment_sf", "account_enrichment_zoho", "zoho_leads_to_sf"}
	code, reps, errOut := runSync(t, cfg, checked...)
	for _, name := range checked {
		r, ok := reps[name]
		if !ok || r.Status == "failed" || r.Succeeded == 0 {
			t.Fatalf("sync %s: %+v (exit %d, stderr %q)", name, r, code, errOut)
		}
		if r.Failed > 0 {
			t.Logf("sync %s: %d rows failed, e.g. %+v", name, r.Failed, r.Errors[0])
		}
	}
	if code != 0 && code != 1 {
		t.Fatalf("sync: exit %d", code)
	}
	sfWrites, zohoWrites := writeCalls(t, info.Salesforce.StatsURL, "salesforce")-sfBefore, writeCalls(t, info.Zoho.StatsURL, "zoho_crm")-zohoBefore
	// Under 200 (Salesforce) and 100 (Zoho) rows per sync: one write call
	// each, except that the lead sync sends its creates and its updates
	// (leads already in Salesforce, matched by e-mail) in two.
	if sfWrites < 2 || sfWrites > 3 || zohoWrites != 1 {
		t.Fatalf("first sync: %d Salesforce and %d Zoho write calls, want 2 or 3 and 1", sfWrites, zohoWrites)
	}

	// Salesforce accounts carry the warehouse's figures.
	want := queryRows(t, cfg, `SELECT account_id, open_tickets, lifetime_won FROM syncs.account_enrichment_sf`)
	sf := sfAPI(t, info)
	got := map[string]map[string]any{}
	for _, r := range soql(t, sf, info, "SELECT Id, Open_Tickets__c, Lifetime_Won__c FROM Account") {
		got[r["Id"].(string)] = r
	}
	withTickets := 0
	for _, w := range want {
		a := got[w["account_id"].(string)]
		if a == nil {
			t.Errorf("account %v: not in the org", w["account_id"])
			continue
		}
		if num(w["open_tickets"]) != num(a["Open_Tickets__c"]) || num(w["lifetime_won"]) != num(a["Lifetime_Won__c"]) {
			t.Errorf("account %v: Open_Tickets__c %v, Lifetime_Won__c %v; the model says %v, %v",
				w["account_id"], a["Open_Tickets__c"], a["Lifetime_Won__c"], w["open_tickets"], w["lifetime_won"])
		}
		if num(a["Open_Tickets__c"]) > 0 {
			withTickets++
		}
	}
	if len(want) == 0 || withTickets == 0 {
		t.Errorf("%d enriched accounts, %d with open tickets", len(want), withTickets)
	}
	// So do Zoho accounts.
	zo := zohoAPI(t, info)
	code, body := zo.do("GET", info.Zoho.APIDomain+"/crm/v8/Accounts?fields=Open_Tickets,Lifetime_Won&per_page=200", "")
	var zaccts struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &zaccts); code != 200 || err != nil {
		t.Fatalf("zoho accounts: %d %v", code, err)
	}
	zgot := map[string]map[string]any{}
	for _, a := range zaccts.Data {
		zgot[fmt.Sprint(a["id"])] = a
	}
	zwant := queryRows(t, cfg, `SELECT account_id, open_tickets, lifetime_won FROM syncs.account_enrichment_zoho`)
	for _, w := range zwant {
		a := zgot[fmt.Sprint(w["account_id"])]
		if a == nil || num(a["Open_Tickets"]) != num(w["open_tickets"]) || num(a["Lifetime_Won"]) != num(w["lifetime_won"]) {
			t.Errorf("zoho account %v: %v; the model says %v, %v", w["account_id"], a, w["open_tickets"], w["lifetime_won"])
		}
	}
	if len(zwant) == 0 {
		t.Error("no Zoho account enriched")
	}
	// Zoho leads are Salesforce leads, keyed by Zoho_Lead_Id__c.
	leads := queryRows(t, cfg, `SELECT count(*) AS n FROM syncs.zoho_leads_to_sf`)[0]["n"].(float64)
	synced := soql(t, sf, info, "SELECT Id, Zoho_Lead_Id__c, LastName FROM Lead WHERE Zoho_Lead_Id__c != null")
	if r := reps["zoho_leads_to_sf"]; int64(len(synced)) != r.Succeeded || float64(r.Succeeded+r.Failed) != leads {
		t.Errorf("%d Salesforce leads with a Zoho_Lead_Id__c; the sync wrote %d and failed %d of %v model rows", len(synced), r.Succeeded, r.Failed, leads)
	}
	t.Logf("%d accounts enriched (%d with open tickets), %d leads synced; first run: %d Salesforce and %d Zoho write calls",
		len(want), withTickets, len(synced), sfWrites, zohoWrites)
	sample := queryRows(t, cfg, `SELECT zoho_lead_id, last_name FROM syncs.zoho_leads_to_sf ORDER BY zoho_lead_id LIMIT 1`)[0]
	found := false
	for _, l := range synced {
		if l["Zoho_Lead_Id__c"] == sample["zoho_lead_id"] {
			found = l["LastName"] == sample["last_name"]
		}
	}
	if !found {
		t.Errorf("Zoho lead %v is not in Salesforce with LastName %v", sample["zoho_lead_id"], sample["last_name"])
	}

	// A second run with nothing changed sends no writes.
	sfBefore, zohoBefore = writeCalls(t, info.Salesforce.StatsURL, "salesforce"), writeCalls(t, info.Zoho.StatsURL, "zoho_crm")
	_, reps, errOut = runSync(t, cfg, checked...)
	for name, r := range reps {
		if r.Status == "failed" || r.Planned != 0 || r.Unchanged == 0 {
			t.Errorf("second run of %s: %+v (%s)", name, r, errOut)
		}
	}
	if n := writeCalls(t, info.Salesforce.StatsURL, "salesforce") - sfBefore + writeCalls(t, info.Zoho.StatsURL, "zoho_crm") - zohoBefore; n != 0 {
		for name, r := range reps {
			t.Logf("%s: %+v", name, r)
		}
		t.Errorf("the second sync sent %d write calls, want 0", n)
	}
}

// num reads a JSON number, or a number printed as a string (decimals);
// nil is 0.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}
