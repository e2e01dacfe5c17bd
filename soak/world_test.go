package soak

import (
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// world is one sandbox (Salesforce, Zoho CRM and Desk emulators seeded with
// one generated world) served in-process behind the taps, with the
// revops config that points at it.
type world struct {
	seed    int64
	records int
	dir     string // the revops project: revops.yaml, models/, the DuckDB file

	counters *sandbox.Counters
	faults   *sandbox.Faults
	sf       *sftest.Server
	zo       *zohotest.Server
	rec      *recorder
	sfURL    string
	zoURL    string
	sfc      *sfClient
	zoc      *zohoClient

	// seeded holds, per object, the seeded records as the emulator
	// rendered them right after seeding, in seed order: the pools the
	// world changes draw from.
	seeded map[string][]map[string]any
	// caseFactor is the Bulk sync's cases per Zoho contact.
	caseFactor int
}

// Custom fields the soak adds, as an admin would, before the first run:
// the Bulk sync's external id on Case, and keys for the records the soak
// creates itself (so its own creates are idempotent under faults).
var (
	sfSoakFields = map[string]string{"Case": "Soak_Key__c", "Lead": "Soak_Ref__c", "Opportunity": "Soak_Ref__c"}
	zoSoakFields = map[string]string{"Leads": "Soak_Ref"}
)

// newWorld generates and serves a world; t.Cleanup stops it.
func newWorld(t *testing.T, seed int64, records int, dir string) *world {
	t.Helper()
	w := &world{seed: seed, records: records, dir: dir, counters: sandbox.NewCounters(),
		faults: sandbox.NewFaults(seed), rec: newRecorder()}
	w.sf = sftest.New(sftest.Options{Counters: w.counters, Faults: w.faults, DailyAPILimit: 50_000_000})
	// Credits scale with licensed users; the soak is about kills and faults,
	// not about the daily budget, so the org gets room for every run.
	w.zo = zohotest.New(zohotest.Options{Counters: w.counters, Faults: w.faults, Users: 1000})
	for obj, f := range sfSoakFields {
		err := w.sf.AddField(obj, sftest.Field{Name: f, Label: f, Type: sftest.TypeString, Length: 80,
			ExternalID: true, Unique: true, IDLookup: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	for mod, f := range zoSoakFields {
		if err := w.zo.AddField(mod, zohotest.Field{APIName: f, DataType: "text", Length: 80, Unique: true, Custom: true}); err != nil {
			t.Fatal(err)
		}
	}
	sfSrv := httptest.NewServer(&tap{rec: w.rec, classify: classifySF, next: w.sf})
	zoSrv := httptest.NewServer(&tap{rec: w.rec, classify: classifyZoho, next: w.zo})
	t.Cleanup(func() {
		sfSrv.CloseClientConnections()
		zoSrv.CloseClientConnections()
		sfSrv.Close()
		zoSrv.Close()
	})
	w.sfURL, w.zoURL = sfSrv.URL, zoSrv.URL
	w.sf.SetBaseURL(w.sfURL)
	w.zo.SetURLs(w.zoURL, w.zoURL, w.zoURL)

	gen := sandbox.Generate(sandbox.Options{Seed: seed, Records: records})
	w.sf.Seed(gen.Project(sandbox.Salesforce))
	w.zo.SeedCRM(gen.Project(sandbox.ZohoCRM))
	w.zo.SeedDesk(gen.Project(sandbox.ZohoDesk))
	w.seeded = map[string][]map[string]any{}
	for _, o := range []string{"Lead", "Opportunity", "Account"} {
		w.seeded["sf."+o] = w.sf.Records(o)
	}
	for _, m := range []string{"Leads", "Contacts", "Accounts", "Deals"} {
		w.seeded["zoho."+m] = w.zo.Records(m)
	}

	id, secret, refresh, _ := w.sf.Credentials()
	w.sfc = newSFClient(w.sfURL, w.sf.APIVersion(), id, secret, refresh)
	// The soak's own Zoho client has a refresh token of its own, so that its
	// token grants never count against revops's ten per ten minutes.
	w.zoc = newZohoClient(w.zoURL, w.zoURL, w.zoURL, w.zo.OrgID(), w.zo.ClientID(), w.zo.ClientSecret(), w.zo.IssueRefreshToken())
	w.zoc.extra = map[string][]string{"orgId": {w.zo.OrgID()}}

	w.caseFactor = caseFactor(len(w.seeded["zoho.Contacts"]))
	if err := w.writeProject(); err != nil {
		t.Fatal(err)
	}
	return w
}

// The sync specs of the soak: every mode, Salesforce through sObject
// Collections and through Bulk API 2.0 (the Case sync's first run sends
// more rows than the Bulk threshold, 10,000), and Zoho. Each can look its
// creates up after a crash: external ids (Salesforce), duplicate_check on
// a unique field that is never empty (Zoho); the update sync matches by
// record id and never creates.
var configTmpl = template.Must(template.New("revops.yaml").Parse(`# Written by the soak suite (soak/world_test.go).
version: 1

warehouse:
  type: duckdb
  path: revops.duckdb
  # Small data: one DuckDB thread per statement builds the models on less
  # CPU than contending threads (the soak's processes share two cores).
  threads: 1

sources:
  - name: salesforce
    type: salesforce
    login_url: {{.SF}}
    api_version: "{{.SFVersion}}"
    auth:
      flow: refresh_token
      client_id: {{printf "%q" .SFClientID}}
      client_secret: {{printf "%q" .SFSecret}}
      refresh_token: {{printf "%q" .SFRefresh}}
    objects: [Lead, Contact, Account, Opportunity, OpportunityHistory, Case, Task, User]
    bulk_threshold: {{.BulkThreshold}}
    bulk_window: {{.BulkWindow}}
    # The soak's runs follow each other within seconds: with the default
    # look-back of 5m every run would read again all the soak wrote. The
    # emulators stamp each write with the time it is made, so 5s is safe.
    lookback: 5s
    limits: {requests_per_second: 500, burst: 100, concurrency: 8, max_retries: 10}

  - name: zoho_crm
    type: zoho_crm
    data_center: US
    accounts_url: {{.Zoho}}
    api_domain: {{.Zoho}}
    client_id: {{printf "%q" .ZClientID}}
    client_secret: {{printf "%q" .ZSecret}}
    refresh_token: {{printf "%q" .ZRefresh}}
    modules: [Leads, Contacts, Accounts, Deals]
    lookback: 5s
    # Lookup names (an account renamed shows in its deals and contacts) and
    # formula fields change without Modified_Time: extract reads each module
    # whole every formula_refresh. The soak renames accounts; a short
    # refresh lets its runs (killed or not) and its checks see them.
    formula_refresh: {{.FormulaRefresh}}
    limits: {requests_per_second: 500, burst: 100, concurrency: 8, max_retries: 10}

  - name: zoho_desk
    type: zoho_desk
    data_center: US
    accounts_url: {{.Zoho}}
    desk_url: {{.Zoho}}
    org_id: {{printf "%q" .OrgID}}
    client_id: {{printf "%q" .ZClientID}}
    client_secret: {{printf "%q" .ZSecret}}
    refresh_token: {{printf "%q" .ZRefresh}}
    modules: [tickets, contacts, accounts]
    lookback: 5s
    limits: {requests_per_second: 500, burst: 100, concurrency: 8, max_retries: 10}

models:
  paths: [models]
  vars: {soak_case_factor: {{.CaseFactor}}}

syncs:
  # upsert, Salesforce sObject Collections: Zoho's own leads as Salesforce leads.
  - name: soak_leads_to_sf
    model: soak.leads_to_sf
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {column: zoho_lead_id}
      FirstName: {column: first_name}
      LastName: {column: last_name}
      Company: {column: company}
      Description: {column: description}

  # upsert, Salesforce Bulk API 2.0 on the first run (more rows than the
  # Bulk threshold), Collections for the changes after it.
  - name: soak_cases_bulk
    model: soak.cases_bulk
    destination: {source: salesforce, object: Case}
    mode: upsert
    match: {by: external_id, field: Soak_Key__c}
    key: case_key
    mapping:
      Soak_Key__c: {column: case_key}
      Subject: {column: subject}
      Description: {column: description}
      Origin: {value: Web}

  # update by record id: never creates.
  - name: soak_accounts_sf
    model: soak.accounts_sf
    destination: {source: salesforce, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Description: {column: description}

  # mirror into Zoho: open Salesforce opportunities as Zoho deals; a deal
  # whose opportunity closed or was deleted is deleted.
  - name: soak_deals_mirror
    model: soak.deals_mirror
    destination: {source: zoho_crm, object: Deals}
    mode: mirror
    match: {by: duplicate_check, fields: [Salesforce_Id]}
    key: opportunity_id
    mirror: {action: delete, max_share: 0.5}
    mapping:
      Salesforce_Id: {column: opportunity_id}
      Deal_Name: {column: deal_name}
      Stage:
        column: stage
        picklist: {Prospecting: Qualification, Perception Analysis: Id. Decision Makers}
      Amount: {column: amount}
      Closing_Date: {column: closing_date}
      Account_Name: {column: zoho_account_id}   # mandatory in Zoho's standard layout
      Description: {column: description}

  # insert into Zoho: Salesforce's own leads, written once each.
  - name: soak_leads_to_zoho
    model: soak.leads_to_zoho
    destination: {source: zoho_crm, object: Leads}
    mode: insert
    match: {by: duplicate_check, fields: [Salesforce_Id]}
    key: sf_lead_id
    mapping:
      Salesforce_Id: {column: sf_lead_id}
      First_Name: {column: first_name}
      Last_Name: {column: last_name}
      Company: {column: company}
      Lead_Status: {value: Not Contacted}
`))

// formulaRefresh is the soak's Zoho formula_refresh.
const formulaRefresh = 20 * time.Second

// syncObjects names the destination object of each soak sync; each sync
// writes an object no other sync writes, so the tap can tell their writes apart.
var syncObjects = map[string]string{
	"soak_leads_to_sf":   "Lead",
	"soak_cases_bulk":    "Case",
	"soak_accounts_sf":   "Account",
	"soak_deals_mirror":  "Deals",
	"soak_leads_to_zoho": "Leads",
}

// syncNames in config order.
var syncNames = []string{"soak_leads_to_sf", "soak_cases_bulk", "soak_accounts_sf", "soak_deals_mirror", "soak_leads_to_zoho"}

func (w *world) cfgPath() string { return filepath.Join(w.dir, "revops.yaml") }

// writeProject writes revops.yaml and copies the soak's sync models.
func (w *world) writeProject() error {
	id, secret, refresh, _ := w.sf.Credentials()
	// Extract reads the larger Salesforce objects through Bulk API 2.0
	// query jobs, in windows, so that kills land inside Bulk reads too.
	bulk := max(500, w.records/4)
	data := map[string]any{
		"SF": w.sfURL, "SFVersion": w.sf.APIVersion(), "SFClientID": id, "SFSecret": secret, "SFRefresh": refresh,
		"Zoho": w.zoURL, "ZClientID": w.zo.ClientID(), "ZSecret": w.zo.ClientSecret(), "ZRefresh": w.zo.RefreshToken(),
		"OrgID": w.zo.OrgID(), "BulkThreshold": bulk, "BulkWindow": bulk, "CaseFactor": w.caseFactor, "FormulaRefresh": formulaRefresh.String(),
	}
	var b strings.Builder
	if err := configTmpl.Execute(&b, data); err != nil {
		return err
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(w.cfgPath(), []byte(b.String()), 0o600); err != nil {
		return err
	}
	return copyDir("testdata/models", filepath.Join(w.dir, "models"))
}

func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// Fault rules of the killing phase: about 12-13% of all requests. Zoho's
// accounts server gets no drops and Zoho gets only a few expired tokens:
// Zoho grants ten access tokens per refresh token in ten minutes, and a
// drop there or an expiry every few requests would spend them faster than
// the real service ever expires tokens, so the soak would measure that
// limit instead of revops.
func faultRules(full bool) string {
	zohoExpire := 2
	if full {
		zohoExpire = 6
	}
	return strings.Join([]string{
		"429:prob=0.04:retry_after=1s",
		"500:prob=0.03",
		"503:prob=0.03",
		"drop:system=salesforce:prob=0.025",
		"drop:system=zoho_crm:prob=0.025",
		"drop:system=zoho_desk:prob=0.025",
		"expire_token:system=salesforce:prob=0.01",
		fmt.Sprintf("expire_token:system=zoho_crm:prob=0.01:times=%d", zohoExpire),
	}, ";")
}

// faultsOn adds the killing phase's fault rules; faultsOff removes them.
func (w *world) faultsOn(full bool) error {
	rules, err := sandbox.ParseRules(faultRules(full))
	if err != nil {
		return err
	}
	for _, r := range rules {
		w.faults.Add(r)
	}
	return nil
}

func (w *world) faultsOff() { w.faults.Clear() }

// faultCounts sums the emulators' counters by status: 429, 500, 503 and
// 401 (an expired token) answers.
func faultCounts(c []sandbox.Count) map[int]int64 {
	out := map[int]int64{}
	for _, x := range c {
		switch x.Status {
		case 401, 429, 500, 503:
			out[x.Status] += x.Count
		}
	}
	return out
}
