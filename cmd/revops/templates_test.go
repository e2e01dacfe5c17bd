package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
)

// The templates this file checks in depth (deals, accounts and contacts,
// escalated tickets, closed won, enrichment); the sandbox config enables
// these and the lead templates.
var (
	templateLinks = []string{"zoho_sf_deals", "zoho_sf_accounts", "zoho_sf_contacts", "sf_closed_won_to_zoho"}
	templateSyncs = []string{"account_enrichment_sf", "account_enrichment_zoho", "contact_enrichment_sf", "contact_enrichment_zoho",
		"desk_escalations_to_sf_tasks", "closed_won_contacts_zoho"}
)

// sandboxYAML is the config `revops sandbox --write-config` writes (for a
// sandbox on made-up ports).
func sandboxYAML(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	info := sandboxInfo{Salesforce: sfInfo{LoginURL: "http://127.0.0.1:1", APIVersion: "62.0"},
		Zoho: zohoInfo{AccountsURL: "http://127.0.0.1:2", APIDomain: "http://127.0.0.1:2", DeskURL: "http://127.0.0.1:2", DataCenter: "US", CampaignsCallLimit: sandboxCampaignsCalls, ProjectsCallLimit: sandboxProjectsCalls}}
	if err := sandboxConfig.Execute(&buf, info); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sandboxTemplates lists the links and syncs the sandbox config enables.
func sandboxTemplates(t *testing.T) (links, syncs []string) {
	t.Helper()
	cfg, err := configs.Parse("sandbox config", sandboxYAML(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range cfg.Links {
		links = append(links, l.Name)
	}
	for _, s := range cfg.Syncs {
		syncs = append(syncs, s.Name)
	}
	return links, syncs
}

// entries decodes the entries of a config's links: or syncs: by name.
func entries(t *testing.T, name string, data []byte, section string) map[string]map[string]any {
	t.Helper()
	cfg, err := configs.Parse(name, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	add := func(n string, node configs.Node) {
		var m map[string]any
		if err := node.Decode(&m); err != nil {
			t.Fatalf("%s: %s: %v", name, n, err)
		}
		if _, dup := out[n]; dup {
			t.Fatalf("%s: %s twice", name, n)
		}
		out[n] = m
	}
	if section == "links" {
		for _, l := range cfg.Links {
			add(l.Name, l.Spec)
		}
	} else {
		for _, s := range cfg.Syncs {
			add(s.Name, s.Spec)
		}
	}
	return out
}

// TestTemplateConfigMatchesFiles: the links and syncs the sandbox config
// inlines are the ones of configs/links and configs/syncs, entry for
// entry, and all of them are valid.
func TestTemplateConfigMatchesFiles(t *testing.T) {
	sandboxYAML := sandboxYAML(t)
	for _, section := range []string{"links", "syncs"} {
		inline := entries(t, "sandbox config", sandboxYAML, section)
		files, err := filepath.Glob(filepath.Join("..", "..", "configs", section, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no configs/%s/*.yaml: %v", section, err)
		}
		shipped := map[string]map[string]any{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// A file is a list of entries: make it a config's section.
			var b strings.Builder
			b.WriteString("version: 1\nwarehouse: {type: duckdb}\n" + section + ":\n")
			for _, line := range strings.Split(string(data), "\n") {
				b.WriteString("  " + line + "\n")
			}
			for n, e := range entries(t, f, []byte(b.String()), section) {
				if _, dup := shipped[n]; dup {
					t.Fatalf("%s: %s is in two files", f, n)
				}
				shipped[n] = e
			}
		}
		for n, e := range shipped {
			if !reflect.DeepEqual(e, inline[n]) {
				t.Errorf("%s %s: configs/%s differs from the sandbox config (cmd/revops/sandbox.go):\nfile:    %v\nsandbox: %v", section, n, section, e, inline[n])
			}
		}
		for n := range inline {
			if shipped[n] == nil {
				t.Errorf("%s %s: in the sandbox config, in no file of configs/%s", section, n, section)
			}
		}
	}
	cfg, err := configs.Parse("sandbox config", sandboxYAML, nil)
	if err != nil {
		t.Fatal(err)
	}
	enabled := map[string]bool{}
	for _, p := range link.ParseEach(cfg, writableTypes()) {
		if p.Err != nil {
			t.Errorf("link %s: %v", p.Name, p.Err)
		}
		enabled[p.Name] = true
	}
	for _, p := range revsync.ParseEach(cfg, writableTypes()) {
		if p.Err != nil {
			t.Errorf("sync %s: %v", p.Name, p.Err)
		}
		enabled[p.Name] = true
	}
	for _, n := range append(append([]string{"zoho_sf_leads", "zoho_leads_to_sf"}, templateLinks...), templateSyncs...) {
		if !enabled[n] {
			t.Errorf("the sandbox config does not enable %s", n)
		}
	}
}

// runDoc is `revops run --json`: the reports of every sync and link.
type runDoc struct {
	Sync struct {
		Syncs []syncReport `json:"syncs"`
	} `json:"sync"`
	Links struct {
		Links []struct {
			linkReport
			Filtered    int64 `json:"filtered"`
			Transitions int64 `json:"transitions"`
		} `json:"links"`
	} `json:"links"`
}

// pass is one run of the loop (extract, build, syncs, links) with what
// each template did and the writes both CRMs served.
type pass struct {
	code   int
	out    string
	syncs  map[string]syncReport
	links  map[string]templateLink
	writes int64
}

type templateLink struct {
	linkReport
	Filtered    int64
	Transitions int64
}

// written is the records a template wrote in the pass (links: both
// sides and transitions; syncs: rows added or changed).
func (p pass) written(name string) int64 {
	if r, ok := p.links[name]; ok {
		return r.Updated + r.Transitions
	}
	r := p.syncs[name]
	return r.Added + r.Changed
}

func (p pass) calls(name string) int64 {
	if r, ok := p.links[name]; ok {
		return r.APICalls
	}
	return p.syncs[name].APICalls
}

type templateWorld struct {
	t    *testing.T
	cfg  string
	info sandboxInfo
	env  map[string]string
	sf   *api
	zo   *api
}

func (w *templateWorld) run(wantCode int) pass {
	t := w.t
	t.Helper()
	before := crmWrites(t, w.info)
	code, out, errOut := revops(t, w.env, "run", "-c", w.cfg, "--json")
	if code != wantCode {
		t.Fatalf("run: exit %d, want %d\n%s\n%s", code, wantCode, out, errOut)
	}
	var doc runDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("run --json: %v\n%s", err, out)
	}
	p := pass{code: code, out: out + errOut, syncs: map[string]syncReport{}, links: map[string]templateLink{}, writes: crmWrites(t, w.info) - before}
	for _, s := range doc.Sync.Syncs {
		p.syncs[s.Sync] = s
	}
	for _, l := range doc.Links.Links {
		p.links[l.Link] = templateLink{linkReport: l.linkReport, Filtered: l.Filtered, Transitions: l.Transitions}
	}
	return p
}

// zoho calls the Zoho CRM API and decodes its answer.
func (w *templateWorld) zoho(method, path, body string) map[string]any {
	w.t.Helper()
	code, out := w.zo.do(method, w.info.Zoho.APIDomain+"/crm/v8/"+path, body)
	if code != 200 && code != 201 {
		w.t.Fatalf("zoho %s %s: %d %s", method, path, code, out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		w.t.Fatalf("zoho %s %s: %v", method, path, err)
	}
	return m
}

// zohoRecord reads one Zoho CRM record.
func (w *templateWorld) zohoRecord(module, id string) map[string]any {
	w.t.Helper()
	m := w.zoho("GET", module+"/"+id, "")
	data, _ := m["data"].([]any)
	if len(data) != 1 {
		w.t.Fatalf("zoho %s %s: %v", module, id, m)
	}
	return data[0].(map[string]any)
}

func (w *templateWorld) zohoUpdate(module, id string, vals map[string]any) {
	w.t.Helper()
	vals["id"] = id
	b, _ := json.Marshal(map[string]any{"data": []any{vals}})
	m := w.zoho("PUT", module, string(b))
	if d, _ := m["data"].([]any); len(d) != 1 || d[0].(map[string]any)["code"] != "SUCCESS" {
		w.t.Fatalf("zoho update %s %s: %v", module, id, m)
	}
}

// zohoIDs lists the ids of every record of a Zoho CRM module.
func (w *templateWorld) zohoIDs(module string) []string {
	w.t.Helper()
	var ids []string
	for page := 1; ; page++ {
		m := w.zoho("GET", fmt.Sprintf("%s?fields=id&per_page=200&page=%d", module, page), "")
		data, _ := m["data"].([]any)
		for _, r := range data {
			ids = append(ids, fmt.Sprint(r.(map[string]any)["id"]))
		}
		info, _ := m["info"].(map[string]any)
		if more, _ := info["more_records"].(bool); !more {
			return ids
		}
	}
}

func (w *templateWorld) sfUpdate(object, id string, vals map[string]any) {
	w.t.Helper()
	b, _ := json.Marshal(vals)
	if code, out := w.sf.do("PATCH", w.info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/"+object+"/"+id, string(b)); code != 204 {
		w.t.Fatalf("salesforce update %s %s: %d %s", object, id, code, out)
	}
}

// desk updates a Zoho Desk ticket.
func (w *templateWorld) desk(id, body string) {
	w.t.Helper()
	req, _ := http.NewRequest("PATCH", w.info.Zoho.DeskURL+"/api/v1/tickets/"+id, strings.NewReader(body))
	req.Header.Set("Authorization", "Zoho-oauthtoken "+w.zo.token)
	req.Header.Set("orgId", w.info.Zoho.OrgID)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		w.t.Fatalf("desk ticket %s: %d %s", id, resp.StatusCode, b)
	}
}

// one returns the single row of a warehouse query.
func (w *templateWorld) one(q string) map[string]any {
	w.t.Helper()
	rows := queryRows(w.t, w.cfg, q)
	if len(rows) == 0 {
		w.t.Fatalf("no row: %s", q)
	}
	return rows[0]
}

// duplicates counts the records the templates could have duplicated,
// through the APIs: Salesforce Tasks per ticket, leads per Zoho lead,
// and records of the objects templates never create (their count must
// not move).
func (w *templateWorld) duplicates(counts map[string]int) (dups int, now map[string]int) {
	w.t.Helper()
	now = map[string]int{}
	for _, obj := range []string{"Account", "Contact", "Opportunity"} {
		now["salesforce."+obj] = len(soql(w.t, w.sf, w.info, "SELECT Id FROM "+obj))
	}
	for _, m := range []string{"Accounts", "Contacts", "Deals"} {
		now["zoho_crm."+m] = len(w.zohoIDs(m))
	}
	for k, n := range counts {
		if now[k] != n {
			w.t.Errorf("%s: %d records, %d before: a template created records", k, now[k], n)
			dups += max(now[k]-n, 0)
		}
	}
	for q, field := range map[string]string{
		"SELECT Id, Zoho_Desk_Ticket_Id__c FROM Task WHERE Zoho_Desk_Ticket_Id__c != null": "Zoho_Desk_Ticket_Id__c",
		"SELECT Id, Zoho_Lead_Id__c FROM Lead WHERE Zoho_Lead_Id__c != null":               "Zoho_Lead_Id__c",
	} {
		seen := map[string]int{}
		for _, r := range soql(w.t, w.sf, w.info, q) {
			seen[fmt.Sprint(r[field])]++
		}
		for k, n := range seen {
			if n > 1 {
				w.t.Errorf("%s %s: %d records", field, k, n)
				dups += n - 1
			}
		}
	}
	return dups, now
}

// deskHops is the records the Desk links wrote in pass p into the CRM
// records that link n (zoho_sf_accounts, zoho_sf_contacts) pairs: what
// n carries to the other CRM on the next pass.
func deskHops(p pass, n string) int64 {
	from := map[string][]string{"zoho_sf_accounts": {"desk_zoho_accounts", "desk_sf_accounts"},
		"zoho_sf_contacts": {"desk_zoho_contacts", "desk_sf_contacts"}}[n]
	var hops int64
	for _, l := range from {
		for _, sd := range p.links[l].Sides {
			if sd.Source != "zoho_desk" {
				hops += sd.Updated
			}
		}
	}
	return hops
}

// TestTemplatesEndToEnd runs the sandbox config's templates on the
// emulators: the loop (extract, build, syncs, links) twice, where the
// second pass writes nothing for any template; then what each template
// says it does, through the CRMs' APIs; then a field a template maps is
// removed from an emulator, which stops that template alone, before any
// write.
func TestTemplatesEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := &templateWorld{t: t, cfg: filepath.Join(dir, "revops.yaml"), env: map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}}
	w.info, _ = startSandbox(t, "--records", "200", "--write-config", w.cfg)
	w.sf, w.zo = sfAPI(t, w.info), zohoAPI(t, w.info)
	_, counts := w.duplicates(nil)

	first := w.run(0)
	second := w.run(0)
	links, syncs := sandboxTemplates(t)
	all := append(append([]string{}, links...), syncs...)
	sort.Strings(all)
	mine := map[string]bool{}
	for _, n := range append(append([]string{}, templateLinks...), templateSyncs...) {
		mine[n] = true
	}
	var othersCalls int64
	for _, n := range all {
		if _, ok := first.links[n]; !ok && first.syncs[n].Sync == "" {
			t.Fatalf("%s did not run\n%s", n, first.out)
		}
		t.Logf("%-30s first pass: %4d records written, %2d API calls; second pass: %d written, %d API calls",
			n, first.written(n), first.calls(n), second.written(n), second.calls(n))
		if !mine[n] {
			// The lead templates: the lead link pairs the leads the lead
			// sync created in the first pass once they are extracted, in
			// the second (their own tests hold them to account).
			othersCalls += second.calls(n)
			continue
		}
		// A value only Desk held reaches Zoho CRM (or Salesforce) through
		// a Desk link in the first pass, and the other CRM through the
		// CRM link in the second: at most one record per record the Desk
		// links wrote into that CRM.
		if got, hops := second.written(n), deskHops(first, n); got > hops {
			t.Errorf("%s wrote %d records in the second pass (the Desk links wrote %d records into the CRMs it links in the first)", n, got, hops)
		}
	}
	for _, n := range []string{"zoho_sf_accounts", "zoho_sf_contacts", "sf_closed_won_to_zoho", "account_enrichment_sf",
		"account_enrichment_zoho", "contact_enrichment_sf", "contact_enrichment_zoho", "desk_escalations_to_sf_tasks"} {
		if first.written(n) == 0 {
			t.Errorf("%s wrote nothing in the first pass", n)
		}
	}
	if second.writes > othersCalls {
		t.Errorf("the second pass sent %d write calls; the lead templates spent %d calls in all", second.writes, othersCalls)
	}
	if dups, _ := w.duplicates(counts); dups != 0 {
		t.Errorf("%d duplicates after the loop", dups)
	}

	// Deal ⇄ Opportunity: a stage changed in Zoho reaches Salesforce; an
	// amount changed in both goes to its owner (Salesforce).
	deal := w.one(`SELECT z.source_id AS zid, s.source_id AS sid, o."Amount" AS amount FROM syncs.deal_pairs z
		JOIN syncs.deal_pairs s ON s.golden_id = z.golden_id AND s.system = 'salesforce'
		JOIN salesforce.opportunity o ON o."Id" = s.source_id
		WHERE z.system = 'zoho_crm' AND o."StageName" NOT LIKE 'Closed%' ORDER BY z.source_id LIMIT 1`)
	zdeal, sdeal := fmt.Sprint(deal["zid"]), fmt.Sprint(deal["sid"])
	w.zohoUpdate("Deals", zdeal, map[string]any{"Stage": "Negotiation/Review", "Amount": 1111})
	w.sfUpdate("Opportunity", sdeal, map[string]any{"Amount": 2222})

	// Account and Contact harmonization: a phone changed in Zoho reaches
	// Salesforce; a pair the filter leaves out (a purchased list) is not
	// written.
	contact := w.one(`SELECT x.source_id AS zid, y.source_id AS sid FROM identity.crosswalk x
		JOIN identity.crosswalk y ON y.golden_id = x.golden_id AND y.system = 'salesforce' AND y.object = 'Contact'
		JOIN salesforce.contact c ON c."Id" = y.source_id
		WHERE x.system = 'zoho_crm' AND x.object = 'Contacts' AND coalesce(c."LeadSource", '') <> 'Purchased List'
		  AND x.golden_id IN (SELECT golden_id FROM identity.crosswalk WHERE object IN ('Contacts', 'Contact') GROUP BY 1 HAVING count(*) = 2)
		ORDER BY x.source_id LIMIT 1`)
	w.zohoUpdate("Contacts", fmt.Sprint(contact["zid"]), map[string]any{"Phone": "+1 415 555 0142"})
	filtered := w.one(`SELECT x.source_id AS zid, y.source_id AS sid FROM identity.crosswalk x
		JOIN identity.crosswalk y ON y.golden_id = x.golden_id AND y.system = 'salesforce' AND y.object = 'Contact'
		JOIN salesforce.contact c ON c."Id" = y.source_id
		WHERE x.system = 'zoho_crm' AND x.object = 'Contacts' AND c."LeadSource" = 'Purchased List'
		ORDER BY x.source_id LIMIT 1`)
	w.zohoUpdate("Contacts", fmt.Sprint(filtered["zid"]), map[string]any{"Phone": "+1 415 555 0199"})

	// Escalated ticket → Task: a ticket of a person with a Salesforce
	// account is escalated.
	ticket := w.one(`SELECT t.source_id AS id, c.account_id AS account FROM core.tickets t
		JOIN identity.crosswalk x ON x.system = 'salesforce' AND x.object = 'Contact' AND x.golden_id = t.person_id
		JOIN staging.stg_salesforce__contact c ON c.contact_id = x.source_id
		WHERE t.source_system = 'zoho_desk' AND t.status_raw = 'Open' AND NOT t.is_escalated AND c.account_id IS NOT NULL
		  AND t.person_id IN (SELECT golden_id FROM identity.crosswalk WHERE system = 'salesforce' AND object = 'Contact' GROUP BY 1 HAVING count(*) = 1)
		ORDER BY t.source_id LIMIT 1`)
	tid := fmt.Sprint(ticket["id"])
	w.desk(tid, `{"status": "Escalated"}`)

	// Closed Won → Zoho: an open opportunity of a company with one Zoho
	// account is won; the account was a prospect, a contact of it a lead.
	won := w.one(`SELECT d.source_id AS opp, d.amount, d.close_date, x.source_id AS acct FROM core.deals d
		JOIN identity.crosswalk x ON x.golden_id = d.company_id AND x.system = 'zoho_crm' AND x.object = 'Accounts'
		WHERE d.source_system = 'salesforce' AND NOT d.is_closed AND d.amount > 0 AND d.source_id <> '` + sdeal + `'
		  AND d.company_id IN (SELECT golden_id FROM identity.crosswalk WHERE system = 'zoho_crm' AND object = 'Accounts' GROUP BY 1 HAVING count(*) = 1)
		  AND x.source_id IN (SELECT "Account_Name".id FROM zoho_crm.contacts WHERE NOT coalesce("Email_Opt_Out", false))
		ORDER BY d.source_id LIMIT 1`)
	opp, acct := fmt.Sprint(won["opp"]), fmt.Sprint(won["acct"])
	lead := fmt.Sprint(w.one(`SELECT id FROM zoho_crm.contacts WHERE "Account_Name".id = '` + acct + `' AND NOT coalesce("Email_Opt_Out", false) ORDER BY id LIMIT 1`)["id"])
	w.zohoUpdate("Accounts", acct, map[string]any{"Account_Type": "Prospect"})
	w.zohoUpdate("Contacts", lead, map[string]any{"Lifecycle_Stage": "Sales Qualified Lead"})
	w.sfUpdate("Opportunity", opp, map[string]any{"StageName": "Closed Won"})

	edits := w.run(0)
	if got := soql(t, w.sf, w.info, "SELECT StageName, Amount FROM Opportunity WHERE Id = '"+sdeal+"'")[0]; got["StageName"] != "Negotiation/Review" || num(got["Amount"]) != 2222 {
		t.Errorf("opportunity %s after a Zoho stage change and an amount changed on both sides: %v", sdeal, got)
	}
	if got := w.zohoRecord("Deals", zdeal); num(got["Amount"]) != 2222 {
		t.Errorf("zoho deal %s: Amount %v, want Salesforce's 2222 (its owner)", zdeal, got["Amount"])
	}
	code, out, _ := revops(t, w.env, "link", "conflicts", "zoho_sf_deals", "-c", w.cfg, "--json")
	var cs struct {
		Conflicts []link.Conflict `json:"conflicts"`
	}
	if err := json.Unmarshal([]byte(out), &cs); err != nil || code != 0 {
		t.Fatalf("link conflicts: exit %d %v\n%s", code, err, out)
	}
	amountConflict := false
	for _, c := range cs.Conflicts {
		amountConflict = amountConflict || c.LeftID == zdeal && c.Field == "Amount ⇄ Amount" && c.Winner == "salesforce" && c.LeftValue == "1111"
	}
	if !amountConflict {
		t.Errorf("the amount conflict is not listed with its owner as winner: %+v", cs.Conflicts)
	}
	if got := soql(t, w.sf, w.info, "SELECT Phone FROM Contact WHERE Id = '"+fmt.Sprint(contact["sid"])+"'")[0]["Phone"]; got != "+1 415 555 0142" {
		t.Errorf("salesforce contact %v: Phone %v, want Zoho's new phone", contact["sid"], got)
	}
	if got := soql(t, w.sf, w.info, "SELECT Phone FROM Contact WHERE Id = '"+fmt.Sprint(filtered["sid"])+"'")[0]["Phone"]; got == "+1 415 555 0199" {
		t.Errorf("a contact the filter leaves out was written")
	}
	tasks := soql(t, w.sf, w.info, "SELECT Id, Status, WhatId FROM Task WHERE Zoho_Desk_Ticket_Id__c = '"+tid+"'")
	if len(tasks) != 1 || tasks[0]["Status"] != "In Progress" || tasks[0]["WhatId"] != ticket["account"] {
		t.Errorf("escalated ticket %s: tasks %v, want one In Progress on account %v", tid, tasks, ticket["account"])
	}
	if r := edits.links["sf_closed_won_to_zoho"]; r.Transitions != 1 {
		t.Errorf("closed won: %d transitions fired, want 1 (%+v)", r.Transitions, r)
	}
	a := w.zohoRecord("Accounts", acct)
	if a["Account_Type"] != "Customer" || num(a["Last_Won_Amount"]) != num(won["amount"]) || !strings.HasPrefix(fmt.Sprint(won["close_date"]), fmt.Sprint(a["Last_Won_Date"])) {
		t.Errorf("zoho account %s after opportunity %s was won: %v %v %v; want Customer, %v, %v", acct, opp,
			a["Account_Type"], a["Last_Won_Amount"], a["Last_Won_Date"], won["amount"], won["close_date"])
	}
	if got := w.zohoRecord("Contacts", lead)["Lifecycle_Stage"]; got != "Customer" {
		t.Errorf("zoho contact %s of the won account: Lifecycle_Stage %v, want Customer", lead, got)
	}

	// Salesforce moves the deal to a stage Zoho lacks (reverse map); the
	// ticket closes; the won account is edited by hand.
	w.sfUpdate("Opportunity", sdeal, map[string]any{"StageName": "Perception Analysis"})
	w.desk(tid, `{"status": "Closed"}`)
	w.zohoUpdate("Accounts", acct, map[string]any{"Account_Type": "Partner"})
	w.run(0)
	if got := w.zohoRecord("Deals", zdeal)["Stage"]; got != "Id. Decision Makers" {
		t.Errorf("zoho deal %s: Stage %v, want Id. Decision Makers (the reverse of Perception Analysis)", zdeal, got)
	}
	tasks = soql(t, w.sf, w.info, "SELECT Id, Status FROM Task WHERE Zoho_Desk_Ticket_Id__c = '"+tid+"'")
	if len(tasks) != 1 || tasks[0]["Status"] != "Completed" {
		t.Errorf("closed ticket %s: tasks %v, want one Completed", tid, tasks)
	}
	settled := w.run(0)
	for _, n := range all {
		if settled.written(n) != 0 {
			t.Errorf("%s wrote %d records once everything settled", n, settled.written(n))
		}
	}
	if settled.writes != 0 {
		t.Errorf("%d write calls once everything settled", settled.writes)
	}
	if got := w.zohoRecord("Accounts", acct)["Account_Type"]; got != "Partner" {
		t.Errorf("closed won fired again: the account's own edit was overwritten (%v)", got)
	}
	if dups, _ := w.duplicates(counts); dups != 0 {
		t.Errorf("%d duplicates", dups)
	}

	// A mapped field is deleted in Zoho (the link's Last_Won_Date, the
	// contact enrichment's Revops_Person_Id): those two templates stop
	// before any write, naming the field; the others run.
	for module, field := range map[string]string{"Accounts": "Last_Won_Date", "Contacts": "Revops_Person_Id"} {
		fields := w.zoho("GET", "settings/fields?module="+module, "")["fields"].([]any)
		id := ""
		for _, f := range fields {
			if m := f.(map[string]any); m["api_name"] == field {
				id = fmt.Sprint(m["id"])
			}
		}
		if id == "" {
			t.Fatalf("zoho %s has no field %s", module, field)
		}
		w.zoho("DELETE", "settings/fields/"+id+"?module="+module, "")
	}
	w.zohoUpdate("Deals", zdeal, map[string]any{"Stage": "Proposal/Price Quote"})
	w.desk(tid, `{"status": "Escalated"}`) // the person's open tickets change: contact enrichment has rows to write
	broken := w.run(1)
	if r := broken.links["sf_closed_won_to_zoho"]; r.Status != "failed" || !strings.Contains(r.Error, "Last_Won_Date") || r.Updated != 0 {
		t.Errorf("closed won link with its field gone: %+v", r)
	}
	if r := broken.syncs["contact_enrichment_zoho"]; r.Status != "failed" || !strings.Contains(r.Error, "Revops_Person_Id") || r.Succeeded != 0 {
		t.Errorf("zoho contact enrichment with its field gone: %+v", r)
	}
	for _, n := range all {
		if n == "sf_closed_won_to_zoho" || n == "contact_enrichment_zoho" {
			continue
		}
		if l, ok := broken.links[n]; ok && l.Status != "succeeded" {
			t.Errorf("link %s: %s %s", n, l.Status, l.Error)
		}
		if s, ok := broken.syncs[n]; ok && s.Status != "succeeded" {
			t.Errorf("sync %s: %s %s", n, s.Status, s.Error)
		}
	}
	if got := soql(t, w.sf, w.info, "SELECT StageName FROM Opportunity WHERE Id = '"+sdeal+"'")[0]["StageName"]; got != "Proposal/Price Quote" {
		t.Errorf("the deal link did not run beside the broken templates: StageName %v", got)
	}
	if tasks := soql(t, w.sf, w.info, "SELECT Id, Status FROM Task WHERE Zoho_Desk_Ticket_Id__c = '"+tid+"'"); len(tasks) != 1 || tasks[0]["Status"] != "In Progress" {
		t.Errorf("the reopened ticket's task: %v", tasks)
	}
	if dups, _ := w.duplicates(counts); dups != 0 {
		t.Errorf("%d duplicates", dups)
	}
}
