//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The template "Leads both ways": the syncs zoho_leads_to_sf and
// sf_leads_to_zoho (configs/syncs), run over a small sandbox world.

// leadsReport is one sync of `revops sync --json`, with the counts this
// template needs.
type leadsReport struct {
	Sync      string `json:"sync"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	Planned   int64  `json:"planned"`
	Succeeded int64  `json:"succeeded"`
	Failed    int64  `json:"failed"`
	Review    int64  `json:"review"`
	APICalls  int64  `json:"api_calls"`
	Errors    []struct {
		Key, Code, Message string
	} `json:"errors"`
}

// leadsConfig starts a sandbox and writes its config with the template's
// two syncs (read from configs/syncs, in the order of files) as its only
// syncs and no links, and returns its path.
func leadsConfig(t *testing.T, dir string, files []string, extra ...string) (string, sandboxInfo) {
	t.Helper()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, append([]string{"--write-config", cfg}, extra...)...)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	cut := strings.Index(text, "\nlinks:")
	if cut < 0 {
		cut = strings.Index(text, "\nsyncs:")
	}
	if cut < 0 {
		t.Fatalf("the sandbox config has no links: or syncs: section:\n%s", text)
	}
	var b strings.Builder
	b.WriteString(text[:cut+1])
	b.WriteString("syncs:\n")
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("..", "..", "configs", "syncs", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, info
}

// leadsSync runs `revops sync` (both syncs) and returns the reports.
func leadsSync(t *testing.T, cfg string) map[string]leadsReport {
	t.Helper()
	code, out, errOut := revops(t, nil, "sync", "-c", cfg, "--json")
	var res struct {
		Syncs []leadsReport `json:"syncs"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &res); err != nil {
		t.Fatalf("sync --json printed %q (stderr %q): %v", out, errOut, err)
	}
	m := map[string]leadsReport{}
	for _, r := range res.Syncs {
		if r.Status == "failed" || r.Failed > 0 {
			t.Errorf("sync %s: %+v (exit %d, stderr %q)", r.Sync, r, code, errOut)
		}
		m[r.Sync] = r
	}
	if len(m) != 2 {
		t.Fatalf("sync ran %v (exit %d, stderr %q)", m, code, errOut)
	}
	return m
}

// crmPerson is a CRM record that holds a person.
type crmPerson struct {
	object, id, email string
	// stamp is the other CRM's id the record carries (Zoho_Lead_Id__c,
	// Salesforce_Id).
	stamp string
}

func normEmail(v any) string {
	s, _ := v.(string)
	return strings.ToLower(strings.TrimSpace(s))
}

// sfPersons reads the Salesforce org's unconverted Leads and its Contacts.
func sfPersons(t *testing.T, sf *api, info sandboxInfo) []crmPerson {
	t.Helper()
	var out []crmPerson
	for _, r := range soql(t, sf, info, "SELECT Id, Email, IsConverted, Zoho_Lead_Id__c FROM Lead") {
		if conv, _ := r["IsConverted"].(bool); conv {
			continue
		}
		stamp, _ := r["Zoho_Lead_Id__c"].(string)
		out = append(out, crmPerson{object: "Lead", id: r["Id"].(string), email: normEmail(r["Email"]), stamp: stamp})
	}
	for _, r := range soql(t, sf, info, "SELECT Id, Email FROM Contact") {
		out = append(out, crmPerson{object: "Contact", id: r["Id"].(string), email: normEmail(r["Email"])})
	}
	return out
}

// coqlAll reads every record of a Zoho module through COQL (by id pages).
func coqlAll(t *testing.T, z *api, info sandboxInfo, module, fields string) []map[string]any {
	t.Helper()
	var out []map[string]any
	last := "0"
	for {
		q := fmt.Sprintf("select id, %s from %s where id > %s order by id asc limit 2000", fields, module, last)
		body, _ := json.Marshal(map[string]string{"select_query": q})
		code, resp := z.do("POST", info.Zoho.APIDomain+"/crm/v8/coql", string(body))
		if code == 204 {
			return out
		}
		if code != 200 {
			t.Fatalf("%s: %d %s", q, code, resp)
		}
		var res struct {
			Data []map[string]any `json:"data"`
			Info struct {
				More bool `json:"more_records"`
			} `json:"info"`
		}
		if err := json.Unmarshal([]byte(resp), &res); err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Data...)
		if !res.Info.More || len(res.Data) == 0 {
			return out
		}
		last = res.Data[len(res.Data)-1]["id"].(string)
	}
}

// zohoPersons reads the Zoho org's unconverted Leads and its Contacts.
func zohoPersons(t *testing.T, z *api, info sandboxInfo) []crmPerson {
	t.Helper()
	var out []crmPerson
	for _, r := range coqlAll(t, z, info, "Leads", "Email, Salesforce_Id, Converted__s") {
		if conv, _ := r["Converted__s"].(bool); conv {
			continue
		}
		stamp, _ := r["Salesforce_Id"].(string)
		out = append(out, crmPerson{object: "Leads", id: r["id"].(string), email: normEmail(r["Email"]), stamp: stamp})
	}
	for _, r := range coqlAll(t, z, info, "Contacts", "Email, Salesforce_Id") {
		stamp, _ := r["Salesforce_Id"].(string)
		out = append(out, crmPerson{object: "Contacts", id: r["id"].(string), email: normEmail(r["Email"]), stamp: stamp})
	}
	return out
}

// byEmail counts a CRM's person records per normalized e-mail.
func byEmail(ps []crmPerson) map[string]int {
	out := map[string]int{}
	for _, p := range ps {
		if p.email != "" {
			out[p.email]++
		}
	}
	return out
}

// duplicatesMade lists the e-mails that gained a record although the CRM
// held one before, or gained more than one.
func duplicatesMade(before, after map[string]int) []string {
	var out []string
	for e, n := range after {
		if b := before[e]; n > b && (b > 0 || n-b > 1) {
			out = append(out, fmt.Sprintf("%s: %d records, %d before", e, n, b))
		}
	}
	sort.Strings(out)
	return out
}

// missing lists the leads of from that the other CRM (to) does not hold:
// no record with the same e-mail, none stamped with the lead's id, and
// the lead names no record of to.
func missing(from, to []crmPerson, leadObject string) []string {
	emails, stamped, ids := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range to {
		emails[p.email] = true
		if p.stamp != "" {
			stamped[p.stamp] = true
		}
		ids[p.id] = true
	}
	var out []string
	for _, p := range from {
		if p.object != leadObject {
			continue
		}
		if p.email != "" && emails[p.email] || stamped[p.id] || p.stamp != "" && ids[p.stamp] {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s <%s>", p.object, p.id, p.email))
	}
	sort.Strings(out)
	return out
}

// create adds one record through an API and returns its id.
func sfCreate(t *testing.T, sf *api, info sandboxInfo, object string, values map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(values)
	code, resp := sf.do("POST", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/"+object, string(body))
	var res struct {
		ID string `json:"id"`
	}
	if code != 201 || json.Unmarshal([]byte(resp), &res) != nil {
		t.Fatalf("create %s: %d %s", object, code, resp)
	}
	return res.ID
}

func zohoCreate(t *testing.T, z *api, info sandboxInfo, module string, values map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"data": []any{values}})
	code, resp := z.do("POST", info.Zoho.APIDomain+"/crm/v8/"+module, string(body))
	var res struct {
		Data []struct {
			Status  string         `json:"status"`
			Details map[string]any `json:"details"`
		} `json:"data"`
	}
	if code != 201 || json.Unmarshal([]byte(resp), &res) != nil || len(res.Data) != 1 || res.Data[0].Status != "success" {
		t.Fatalf("create %s: %d %s", module, code, resp)
	}
	return res.Data[0].Details["id"].(string)
}

// TestLeadsBothWays: extract → build → sync → extract → build → sync with
// the template's two syncs over a sandbox world (its own overlaps and
// duplicates), plus people planted through the APIs: a Zoho lead whose
// e-mail is a Salesforce Contact's (the Contact is updated, no Lead is
// added), a Salesforce lead whose e-mail two Zoho contacts hold (the row
// goes to review, nothing is written), a lead in both CRMs (paired, not
// copied), and a lead without e-mail on each side (copied once). The
// second sync writes nothing; no e-mail gains a record in a CRM that held
// one (checked through the APIs, Leads and Contacts); every Zoho lead is
// in Salesforce and every Salesforce lead in Zoho. The outcome is the same
// whichever of the two syncs the config lists first.
func TestLeadsBothWays(t *testing.T) {
	t.Parallel()
	for _, order := range [][]string{{"zoho_leads_to_sf.yaml", "sf_leads_to_zoho.yaml"}, {"sf_leads_to_zoho.yaml", "zoho_leads_to_sf.yaml"}} {
		t.Run(strings.TrimSuffix(order[0], ".yaml")+"_first", func(t *testing.T) { testLeadsBothWays(t, order) })
	}
}

func testLeadsBothWays(t *testing.T, order []string) {
	cfg, info := leadsConfig(t, t.TempDir(), order, "--records", "300", "--seed", "42")
	sf, z := sfAPI(t, info), zohoAPI(t, info)

	contact := sfCreate(t, sf, info, "Contact", map[string]any{"FirstName": "Ada", "LastName": "Lovelace",
		"Email": "ada.lovelace@engines.example", "Phone": "+1 415 555 0101"})
	zohoCreate(t, z, info, "Leads", map[string]any{"First_Name": "Ada", "Last_Name": "Lovelace", "Company": "Analytical Engines",
		"Email": "Ada.Lovelace@Engines.example", "Phone": "+1 415 555 0199", "Lead_Status": "Contacted"})
	zc1 := zohoCreate(t, z, info, "Contacts", map[string]any{"Last_Name": "Twin One", "Email": "twins@duplicates.example"})
	zc2 := zohoCreate(t, z, info, "Contacts", map[string]any{"Last_Name": "Twin Two", "Email": "TWINS@duplicates.example"})
	ambiguous := sfCreate(t, sf, info, "Lead", map[string]any{"LastName": "Twin", "Company": "Duplicates",
		"Email": "twins@duplicates.example", "Status": "Working - Contacted"})
	bothZoho := zohoCreate(t, z, info, "Leads", map[string]any{"Last_Name": "Hopper", "Company": "Navy", "Email": "grace@navy.example"})
	bothSF := sfCreate(t, sf, info, "Lead", map[string]any{"LastName": "Hopper", "Company": "Navy", "Email": "GRACE@Navy.example",
		"Status": "Open - Not Contacted"})
	noEmailZoho := zohoCreate(t, z, info, "Leads", map[string]any{"Last_Name": "Nomail", "Company": "Zoho Only"})
	noEmailSF := sfCreate(t, sf, info, "Lead", map[string]any{"LastName": "Nomail", "Company": "Salesforce Only", "Status": "Open - Not Contacted"})

	sfBefore, zohoBefore := byEmail(sfPersons(t, sf, info)), byEmail(zohoPersons(t, z, info))
	sfLeadsBefore := 0
	for _, p := range sfPersons(t, sf, info) {
		if p.object == "Lead" {
			sfLeadsBefore++
		}
	}

	loop := func(round int) (map[string]leadsReport, int64, int64) {
		t.Helper()
		for _, cmd := range []string{"extract", "build"} {
			if code, out, errOut := revops(t, nil, cmd, "-c", cfg, "-q"); code != 0 {
				t.Fatalf("round %d: %s: exit %d\n%s%s", round, cmd, code, out, errOut)
			}
		}
		sfW, zW := writeCalls(t, info.Salesforce.StatsURL, "salesforce"), writeCalls(t, info.Zoho.StatsURL, "zoho_crm")
		reps := leadsSync(t, cfg)
		return reps, writeCalls(t, info.Salesforce.StatsURL, "salesforce") - sfW, writeCalls(t, info.Zoho.StatsURL, "zoho_crm") - zW
	}
	first, sfWrites, zohoWrites := loop(1)
	for _, name := range []string{"zoho_leads_to_sf", "sf_leads_to_zoho"} {
		r := first[name]
		t.Logf("first run: %s wrote %d records (%d to review, %d failed), %d API calls", name, r.Succeeded, r.Review, r.Failed, r.APICalls)
		if r.Succeeded == 0 {
			t.Errorf("%s wrote nothing: %+v", name, r)
		}
	}
	t.Logf("first run: %d Salesforce and %d Zoho write calls", sfWrites, zohoWrites)

	second, sfWrites, zohoWrites := loop(2)
	for _, name := range []string{"zoho_leads_to_sf", "sf_leads_to_zoho"} {
		r := second[name]
		t.Logf("second run: %s wrote %d records (%d rows under review tried again), %d API calls", name, r.Succeeded, r.Review, r.APICalls)
		if r.Succeeded != 0 || r.Planned != r.Review {
			t.Errorf("second run of %s: %+v, want nothing but the rows under review", name, r)
		}
	}
	if sfWrites != 0 || zohoWrites != 0 {
		t.Errorf("second run: %d Salesforce and %d Zoho write calls, want 0", sfWrites, zohoWrites)
	}

	sfAfter, zohoAfter := sfPersons(t, sf, info), zohoPersons(t, z, info)
	if d := duplicatesMade(sfBefore, byEmail(sfAfter)); len(d) > 0 {
		t.Errorf("Salesforce gained %d duplicate persons, e.g. %v", len(d), d[:min(5, len(d))])
	}
	if d := duplicatesMade(zohoBefore, byEmail(zohoAfter)); len(d) > 0 {
		t.Errorf("Zoho gained %d duplicate persons, e.g. %v", len(d), d[:min(5, len(d))])
	}
	if m := missing(zohoAfter, sfAfter, "Leads"); len(m) > 0 {
		t.Errorf("%d Zoho leads not in Salesforce, e.g. %v", len(m), m[:min(5, len(m))])
	}
	if m := missing(sfAfter, zohoAfter, "Lead"); len(m) > 0 {
		t.Errorf("%d Salesforce leads not in Zoho, e.g. %v", len(m), m[:min(5, len(m))])
	}

	// The Salesforce Contact is the Zoho lead's person: updated, no Lead.
	c := soql(t, sf, info, "SELECT Id, Phone, Email FROM Contact WHERE Id = '"+contact+"'")
	if len(c) != 1 || c[0]["Phone"] != "+1 415 555 0199" {
		t.Errorf("the Contact with the Zoho lead's e-mail: %v", c)
	}
	if byEmail(sfAfter)["ada.lovelace@engines.example"] != 1 {
		t.Errorf("%d Salesforce records hold the Contact's e-mail, want 1", byEmail(sfAfter)["ada.lovelace@engines.example"])
	}
	rows := queryRows(t, cfg, `SELECT destination_id, destination_object FROM _revops.sync_snapshots
		WHERE sync = 'zoho_leads_to_sf' AND destination_id = '`+contact+`'`)
	if len(rows) != 1 || rows[0]["destination_object"] != "Contact" {
		t.Errorf("snapshot of the row written to the Contact: %v", rows)
	}
	// Two Zoho contacts hold the Salesforce lead's e-mail: under review,
	// both named, neither written.
	rev := queryRows(t, cfg, `SELECT candidates, message FROM _revops.sync_review WHERE sync = 'sf_leads_to_zoho' AND key = '`+ambiguous+`'`)
	if len(rev) != 1 || !strings.Contains(fmt.Sprint(rev[0]["candidates"]), zc1) || !strings.Contains(fmt.Sprint(rev[0]["candidates"]), zc2) {
		t.Errorf("review of the lead two Zoho contacts match: %v", rev)
	}
	for _, p := range zohoAfter {
		if (p.id == zc1 || p.id == zc2) && p.stamp != "" {
			t.Errorf("Zoho contact %s written although ambiguous (Salesforce_Id %s)", p.id, p.stamp)
		}
	}
	// The lead in both CRMs is paired (the Zoho → Salesforce half keeps
	// it), not copied either way.
	for _, p := range sfAfter {
		if p.id == bothSF && p.stamp != bothZoho {
			t.Errorf("the Salesforce lead in both CRMs carries Zoho_Lead_Id__c %q, want %s", p.stamp, bothZoho)
		}
	}
	if n := byEmail(zohoAfter)["grace@navy.example"]; n != 1 {
		t.Errorf("%d Zoho records hold the e-mail of the lead in both CRMs", n)
	}
	// The leads without e-mail are copied once, stamped with their origin.
	copies := map[string]int{}
	for _, p := range append(sfAfter, zohoAfter...) {
		if p.stamp == noEmailZoho || p.stamp == noEmailSF {
			copies[p.stamp]++
		}
	}
	if copies[noEmailZoho] != 1 || copies[noEmailSF] != 1 {
		t.Errorf("copies of the leads without e-mail: %v", copies)
	}
	sfLeadsAfter := 0
	for _, p := range sfAfter {
		if p.object == "Lead" {
			sfLeadsAfter++
		}
	}
	t.Logf("Salesforce leads %d → %d; persons by e-mail: Salesforce %d → %d, Zoho %d → %d", sfLeadsBefore, sfLeadsAfter,
		len(sfBefore), len(byEmail(sfAfter)), len(zohoBefore), len(byEmail(zohoAfter)))
}
