package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// sandboxInfo is the one JSON line `revops sandbox` prints once it listens.
type sandboxInfo struct {
	Salesforce sfInfo   `json:"salesforce"`
	Zoho       zohoInfo `json:"zoho"`
	Seed       int64    `json:"seed"`
	Records    int      `json:"records"`
	Config     string   `json:"config,omitempty"`
	Truth      string   `json:"truth,omitempty"`
}

type sfInfo struct {
	LoginURL     string `json:"login_url"`
	InstanceURL  string `json:"instance_url"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	Username     string `json:"username"`
	APIVersion   string `json:"api_version"`
	StatsURL     string `json:"stats_url"`
}

type zohoInfo struct {
	AccountsURL  string `json:"accounts_url"`
	APIDomain    string `json:"api_domain"`
	DeskURL      string `json:"desk_url"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	OrgID        string `json:"org_id"`
	DataCenter   string `json:"data_center"`
	StatsURL     string `json:"stats_url"`
	// The Campaigns, Books and Projects emulators answer on the same URL
	// (APIDomain), by path.
	BooksOrganizationID string `json:"books_organization_id"`
	CampaignsCallLimit  int    `json:"campaigns_call_limit"`
	ProjectsCallLimit   int    `json:"projects_call_limit"`
	ProjectsPortalID    string `json:"projects_portal_id"`
}

type sandboxFlags struct {
	listen      string
	seed        int64
	records     int
	faults      string
	writeConfig string
	state       string
	truth       string
	dataCenter  string
	tokenTTL    time.Duration
}

func (a *app) sandboxCmd() *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the Salesforce, Zoho CRM and Zoho Desk emulators on loopback",
		Long: `sandbox serves in-process emulators of Salesforce and Zoho (CRM, Desk, OAuth)
seeded with one generated world that both CRMs share, with typos and overlap
as real orgs have. It prints one JSON line with the URLs and credentials, and
runs until interrupted.

Fault rules (--faults) are ';'-separated: KIND[:key=value...], KIND one of
429, 500, 503, drop, slow, expire_token, lock_row; keys system, method,
endpoint (a route pattern, * at the end for a prefix), after, times, every,
prob, retry_after, delay, records. Example:
  --faults '429:every=10:retry_after=1s;drop:after=5:times=1'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runSandbox(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "host:port of the first emulator; the next uses port+1 (port 0 picks free ports)")
	fl.Int64Var(&f.seed, "seed", 42, "world seed: the same seed gives the same records")
	fl.IntVar(&f.records, "records", 2000, "approximate records per system (100 .. 1,000,000)")
	fl.StringVar(&f.faults, "faults", "", "fault rules to inject (see above)")
	fl.StringVar(&f.writeConfig, "write-config", "", "write a revops.yaml pointing at this sandbox to FILE")
	fl.StringVar(&f.state, "state", "", "directory to restore the emulators' records from and save them to on exit")
	fl.StringVar(&f.truth, "truth", "", "write the true entity of every seeded record to FILE (CSV)")
	fl.StringVar(&f.dataCenter, "data-center", "US", "Zoho data center of the sandbox org")
	fl.DurationVar(&f.tokenTTL, "token-ttl", time.Hour, "lifetime of access tokens")
	return cmd
}

func listenPair(addr string) (net.Listener, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("--listen %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, nil, fmt.Errorf("--listen %q: the sandbox serves on loopback only (127.0.0.1, ::1, localhost)", addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65534 {
		return nil, nil, fmt.Errorf("--listen %q: bad port", addr)
	}
	next := "0"
	if p != 0 {
		next = strconv.Itoa(p + 1)
	}
	first, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	second, err := net.Listen("tcp", net.JoinHostPort(host, next))
	if err != nil {
		first.Close()
		return nil, nil, fmt.Errorf("sandbox: listen: %w", err)
	}
	return first, second, nil
}

func (a *app) runSandbox(ctx context.Context, f sandboxFlags) error {
	if f.records < sandbox.MinRecords || f.records > sandbox.MaxRecords {
		return fmt.Errorf("--records %d: want %d .. %d", f.records, sandbox.MinRecords, sandbox.MaxRecords)
	}
	faults := sandbox.NewFaults(f.seed)
	if f.faults != "" {
		rules, err := sandbox.ParseRules(f.faults)
		if err != nil {
			return fmt.Errorf("--faults: %w", err)
		}
		for _, r := range rules {
			faults.Add(r)
		}
	}
	counters := sandbox.NewCounters()
	sf := sftest.New(sftest.Options{TokenTTL: f.tokenTTL, Counters: counters, Faults: faults})
	zo := zohotest.New(zohotest.Options{DataCenter: f.dataCenter, TokenTTL: f.tokenTTL, Counters: counters, Faults: faults})
	suite := newZohoSuite(zo, counters, faults)

	sfLn, zoLn, err := listenPair(f.listen)
	if err != nil {
		return err
	}
	sfURL, zoURL := "http://"+sfLn.Addr().String(), "http://"+zoLn.Addr().String()
	sf.SetBaseURL(sfURL)
	zo.SetURLs(zoURL, zoURL, zoURL)

	restored, err := restoreState(f.state, sf, zo)
	if err != nil {
		sfLn.Close()
		zoLn.Close()
		return err
	}
	if err := addDeskTemplateFields(zo); err != nil {
		sfLn.Close()
		zoLn.Close()
		return err
	}
	if restored && f.state != "" {
		missing, err := suite.restore(f.state)
		if err != nil {
			sfLn.Close()
			zoLn.Close()
			return err
		}
		if len(missing) > 0 {
			suite.seedMissing(sandbox.Generate(sandbox.Options{Seed: f.seed, Records: f.records}), missing)
		}
		if err := addTemplateFields(sf, zo); err != nil {
			sfLn.Close()
			zoLn.Close()
			return err
		}
	}
	if !restored {
		start := time.Now()
		world := sandbox.Generate(sandbox.Options{Seed: f.seed, Records: f.records})
		truth := sf.Seed(world.Project(sandbox.Salesforce))
		truth = append(truth, zo.SeedCRM(world.Project(sandbox.ZohoCRM))...)
		truth = append(truth, zo.SeedDesk(world.Project(sandbox.ZohoDesk))...)
		truth = append(truth, suite.seed(world)...)
		if err := addTemplateFields(sf, zo); err != nil {
			sfLn.Close()
			zoLn.Close()
			return err
		}
		a.log.Info("sandbox seeded", "seed", f.seed, "records", len(truth), "took", time.Since(start).Round(time.Millisecond))
		if f.truth != "" {
			if err := writeFileAtomic(f.truth, func(w io.Writer) error { return sandbox.WriteTruth(w, truth) }); err != nil {
				return fmt.Errorf("--truth: %w", err)
			}
		}
	}

	clientID, clientSecret, refresh, username := sf.Credentials()
	info := sandboxInfo{
		Salesforce: sfInfo{LoginURL: sfURL, InstanceURL: sfURL, ClientID: clientID, ClientSecret: clientSecret,
			RefreshToken: refresh, Username: username, APIVersion: sf.APIVersion(), StatsURL: sfURL + "/__sandbox/stats"},
		Zoho: zohoInfo{AccountsURL: zoURL, APIDomain: zoURL, DeskURL: zoURL, ClientID: zo.ClientID(),
			ClientSecret: zo.ClientSecret(), RefreshToken: zo.RefreshToken(), OrgID: zo.OrgID(),
			DataCenter: strings.ToUpper(f.dataCenter), StatsURL: zoURL + "/__sandbox/stats",
			BooksOrganizationID: suite.books.OrganizationID(), ProjectsPortalID: suite.projects.PortalID(),
			CampaignsCallLimit: sandboxCampaignsCalls, ProjectsCallLimit: sandboxProjectsCalls},
		Seed: f.seed, Records: f.records, Truth: f.truth,
	}
	if f.writeConfig != "" {
		if err := writeSandboxConfig(f.writeConfig, info); err != nil {
			return err
		}
		info.Config = f.writeConfig
	}
	line, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	fmt.Fprintln(a.stdout, string(line))
	// The line is the sandbox's machine output; nothing else goes to stdout.
	a.printed = true

	servers := []*http.Server{
		{Handler: sf, ReadHeaderTimeout: 10 * time.Second},
		{Handler: suite, ReadHeaderTimeout: 10 * time.Second},
	}
	errc := make(chan error, 2)
	go func() { errc <- servers[0].Serve(sfLn) }()
	go func() { errc <- servers[1].Serve(zoLn) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shutdown)
	}
	if f.state != "" {
		if err := saveState(f.state, sf, zo); err != nil {
			return err
		}
		if err := suite.save(f.state); err != nil {
			return err
		}
		a.log.Info("sandbox state saved", "dir", f.state)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("sandbox: serve: %w", serveErr)
	}
	return nil
}

// Custom fields the shipped templates (configs/syncs, configs/links)
// write that a new org lacks. The sandbox creates them as an admin would
// before enabling the templates (a real org needs them created the same
// way: in setup, or through Salesforce's Tooling API and Zoho's fields
// API). A state restored with --state already holds them.
var (
	sfTemplateFields = []struct {
		object string
		field  sftest.Field
	}{
		{"Account", sftest.Field{Name: "Last_Activity_At__c", Label: "Last Activity At", Type: sftest.TypeDateTime}},
		{"Account", sftest.Field{Name: "Revops_Company_Id__c", Label: "Revops Company Id", Type: sftest.TypeString, Length: 64}},
		{"Account", sftest.Field{Name: "Customer_Tier__c", Label: "Customer Tier", Type: sftest.TypePicklist,
			PicklistValues: []sftest.PicklistValue{{Value: "Strategic", Active: true}, {Value: "Key", Active: true}, {Value: "Standard", Active: true}}}},
		{"Contact", sftest.Field{Name: "Open_Tickets__c", Label: "Open Tickets", Type: sftest.TypeDouble, Precision: 18}},
		{"Contact", sftest.Field{Name: "Last_Activity_At__c", Label: "Last Activity At", Type: sftest.TypeDateTime}},
		{"Contact", sftest.Field{Name: "Revops_Person_Id__c", Label: "Revops Person Id", Type: sftest.TypeString, Length: 64}},
		{"Contact", sftest.Field{Name: "Revops_Company_Id__c", Label: "Revops Company Id", Type: sftest.TypeString, Length: 64}},
		{"Task", sftest.Field{Name: "Zoho_Desk_Ticket_Id__c", Label: "Zoho Desk Ticket Id", Type: sftest.TypeString, Length: 255,
			ExternalID: true, Unique: true, IDLookup: true}},
	}
	zohoTemplateFields = []struct {
		module string
		field  zohotest.Field
	}{
		{"Accounts", zohotest.Field{APIName: "Last_Activity_At", DataType: "datetime", Custom: true}},
		{"Accounts", zohotest.Field{APIName: "Revops_Company_Id", DataType: "text", Length: 64, Custom: true}},
		{"Accounts", zohotest.Field{APIName: "Customer_Tier", DataType: "picklist", Custom: true,
			PickList: []string{"-None-", "Strategic", "Key", "Standard"}}},
		{"Accounts", zohotest.Field{APIName: "Last_Won_Amount", DataType: "currency", DecimalPlace: 2, Custom: true}},
		{"Accounts", zohotest.Field{APIName: "Last_Won_Date", DataType: "date", Custom: true}},
		{"Contacts", zohotest.Field{APIName: "Open_Tickets", DataType: "integer", Custom: true}},
		{"Contacts", zohotest.Field{APIName: "Last_Activity_At", DataType: "datetime", Custom: true}},
		{"Contacts", zohotest.Field{APIName: "Revops_Person_Id", DataType: "text", Length: 64, Custom: true}},
		{"Contacts", zohotest.Field{APIName: "Revops_Company_Id", DataType: "text", Length: 64, Custom: true}},
		// The seeded org may have it already (the emulator's lifecycle field).
		{"Contacts", zohotest.Field{APIName: "Lifecycle_Stage", DataType: "picklist", Custom: true,
			PickList: []string{"-None-", "Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity", "Customer", "Evangelist", "Other"}}},
	}
)

// deskTemplateFields are the Zoho Desk custom fields the Desk templates
// (configs/syncs/desk_*.yaml) stamp on the accounts and contacts they
// write: the CRM record's id.
var deskTemplateFields = []struct {
	kind  string
	field zohotest.DeskField
}{
	{"accounts", zohotest.DeskField{APIName: "cf_zoho_crm_id", Label: "Zoho CRM Id"}},
	{"accounts", zohotest.DeskField{APIName: "cf_salesforce_id", Label: "Salesforce Id"}},
	{"contacts", zohotest.DeskField{APIName: "cf_zoho_crm_id", Label: "Zoho CRM Id"}},
	{"contacts", zohotest.DeskField{APIName: "cf_salesforce_id", Label: "Salesforce Id"}},
}

// addDeskTemplateFields creates the Desk templates' custom fields; a
// saved state holds their values but not the fields, so a restored
// sandbox adds them again (keeping the values).
func addDeskTemplateFields(zo *zohotest.Server) error {
	for _, f := range deskTemplateFields {
		if err := zo.AddDeskField(f.kind, f.field); err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("sandbox: template field Desk %s.%s: %w", f.kind, f.field.APIName, err)
		}
	}
	return nil
}

// addTemplateFields creates the templates' custom fields in both orgs;
// a field the org already has is kept as it is (a state restored with
// --state holds those of the templates it knew, and gets the newer ones).
func addTemplateFields(sf *sftest.Server, zo *zohotest.Server) error {
	for _, f := range sfTemplateFields {
		if err := sf.AddField(f.object, f.field); err != nil && !strings.HasSuffix(err.Error(), "field exists") {
			return fmt.Errorf("sandbox: template field %s.%s: %w", f.object, f.field.Name, err)
		}
	}
	for _, f := range zohoTemplateFields {
		if err := zo.AddField(f.module, f.field); err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("sandbox: template field %s.%s: %w", f.module, f.field.APIName, err)
		}
	}
	return nil
}

type saver interface {
	Save(w io.Writer) error
	Load(r io.Reader) error
}

func stateFiles(dir string, sf, zo saver) map[string]saver {
	return map[string]saver{
		filepath.Join(dir, "salesforce.state"): sf,
		filepath.Join(dir, "zoho.state"):       zo,
	}
}

// restoreState loads saved emulator records; false when dir holds none.
func restoreState(dir string, sf, zo saver) (bool, error) {
	if dir == "" {
		return false, nil
	}
	files := stateFiles(dir, sf, zo)
	found := 0
	for path := range files {
		if _, err := os.Stat(path); err == nil {
			found++
		}
	}
	if found == 0 {
		return false, nil
	}
	if found != len(files) {
		return false, fmt.Errorf("--state %s: holds the state of only some emulators; remove it to start afresh", dir)
	}
	for path, s := range files {
		f, err := os.Open(path)
		if err != nil {
			return false, fmt.Errorf("--state: %w", err)
		}
		err = s.Load(f)
		f.Close()
		if err != nil {
			return false, fmt.Errorf("--state: restore %s: %w", path, err)
		}
	}
	return true, nil
}

func saveState(dir string, sf, zo saver) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--state: %w", err)
	}
	for path, s := range stateFiles(dir, sf, zo) {
		if err := writeFileAtomic(path, s.Save); err != nil {
			return fmt.Errorf("--state: save %s: %w", path, err)
		}
	}
	return nil
}

// writeFileAtomic writes through a temporary file renamed into place, so
// a crash never leaves a half-written file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

var sandboxConfig = template.Must(template.New("config").Funcs(template.FuncMap{
	"suiteLinks": func() string { return strings.Join(sandboxSuiteLinks, "") },
	"suiteSyncs": func() string { return strings.Join(sandboxSuiteSyncs, "") },
}).Parse(`# Written by revops sandbox: every source points at the sandbox emulators.
# The sandbox's credentials are not secrets; a real config reads them from
# the environment or from *_file keys.
version: 1

warehouse:
  type: duckdb
  path: revops.duckdb
{{- if le .Records 50000}}
  # A small world: with one DuckDB thread per statement the models build
  # on about two thirds of the CPU time that contending threads take (four
  # models build at once anyway). Remove it for large data.
  threads: 1
{{- end}}

sources:
  - name: salesforce
    type: salesforce
    login_url: {{.Salesforce.LoginURL}}
    api_version: "{{.Salesforce.APIVersion}}"
    auth:
      flow: refresh_token
      client_id: {{printf "%q" .Salesforce.ClientID}}
      client_secret: {{printf "%q" .Salesforce.ClientSecret}}
      refresh_token: {{printf "%q" .Salesforce.RefreshToken}}
    limits: {requests_per_second: 200, burst: 50, concurrency: 8, max_retries: 10}

  - name: zoho_crm
    type: zoho_crm
    data_center: {{.Zoho.DataCenter}}
    accounts_url: {{.Zoho.AccountsURL}}
    api_domain: {{.Zoho.APIDomain}}
    client_id: {{printf "%q" .Zoho.ClientID}}
    client_secret: {{printf "%q" .Zoho.ClientSecret}}
    refresh_token: {{printf "%q" .Zoho.RefreshToken}}
    # The sandbox's org: Enterprise, 10 users (50,000 + 1,000 × users
    # credits a day). Known, it lets revops keep to api_budget (80%) and
    # Deals' stage history to stage_history_share (5%) of it a day.
    daily_credits: 60000
    limits: {requests_per_second: 200, burst: 50, concurrency: 8, max_retries: 10}

  - name: zoho_desk
    type: zoho_desk
    data_center: {{.Zoho.DataCenter}}
    accounts_url: {{.Zoho.AccountsURL}}
    desk_url: {{.Zoho.DeskURL}}
    org_id: {{printf "%q" .Zoho.OrgID}}
    client_id: {{printf "%q" .Zoho.ClientID}}
    client_secret: {{printf "%q" .Zoho.ClientSecret}}
    refresh_token: {{printf "%q" .Zoho.RefreshToken}}
    limits: {requests_per_second: 200, burst: 50, concurrency: 8, max_retries: 10}

  - name: zoho_campaigns             # the shipped engagement models read it by this name
    type: zoho_campaigns
    data_center: {{.Zoho.DataCenter}}
    accounts_url: {{.Zoho.AccountsURL}}
    campaigns_url: {{.Zoho.APIDomain}}
    client_id: {{printf "%q" .Zoho.ClientID}}
    client_secret: {{printf "%q" .Zoho.ClientSecret}}
    refresh_token: {{printf "%q" .Zoho.RefreshToken}}
    call_limit: {{.Zoho.CampaignsCallLimit}}   # the sandbox's; a real account allows 500 per API per 5 minutes: leave it out

  # Zoho Books and Zoho Projects: sync destinations only (nothing to
  # extract), written by the Closed Won → Books/Projects template.
  - name: zoho_books
    type: zoho_books
    data_center: {{.Zoho.DataCenter}}
    accounts_url: {{.Zoho.AccountsURL}}
    api_domain: {{.Zoho.APIDomain}}
    organization_id: {{printf "%q" .Zoho.BooksOrganizationID}}
    custom_fields: [cf_revops_id]        # unique: the golden company id the template stamps
    limits: {requests_per_second: 50, burst: 20, concurrency: 4}   # the sandbox's; Books allows about 100 calls a minute: leave it out
    client_id: {{printf "%q" .Zoho.ClientID}}
    client_secret: {{printf "%q" .Zoho.ClientSecret}}
    refresh_token: {{printf "%q" .Zoho.RefreshToken}}

  - name: zoho_projects
    type: zoho_projects
    data_center: {{.Zoho.DataCenter}}
    accounts_url: {{.Zoho.AccountsURL}}
    api_url: {{.Zoho.APIDomain}}
    portal_id: {{printf "%q" .Zoho.ProjectsPortalID}}
    call_limit: {{.Zoho.ProjectsCallLimit}}   # the sandbox's; Zoho blocks past 100 calls in 2 minutes: leave it out
    client_id: {{printf "%q" .Zoho.ClientID}}
    client_secret: {{printf "%q" .Zoho.ClientSecret}}
    refresh_token: {{printf "%q" .Zoho.RefreshToken}}

models:
  paths: []

links:                        # the templates' two-way links (configs/links/*.yaml)
  # Zoho CRM leads ⇄ Salesforce leads (configs/links/zoho_sf_leads.yaml)
  - name: zoho_sf_leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c, then: [{by: crosswalk}]}
    fields:
      - {left: Designation, right: Title, owner: salesforce}      # Salesforce wins conflicts
      - {left: Mobile, right: MobilePhone, owner: newest}          # the later change wins (compared in E.164)
      - {left: City, right: City, owner: newest}
      - {left: State, right: State, owner: newest}
      - {left: No_of_Employees, right: NumberOfEmployees, owner: zoho}
      - {left: Website, right: Website, owner: fill_if_empty}      # fills an empty side, never overwrites

  # Deal ⇄ Opportunity stage mirroring (stage table: seeds.deal_stage_mirror) (configs/links/zoho_sf_deals.yaml)
  - name: zoho_sf_deals
    left: {source: zoho_crm, object: Deals}
    right: {source: salesforce, object: Opportunity}
    pair: {by: crosswalk, crosswalk: syncs.deal_pairs}
    fields:
      - left: Stage
        right: StageName
        owner: newest                  # the later change wins
        tie: salesforce                # changes too close together to order: Salesforce
        map: seeds.deal_stage_mirror
        reverse: {Closed Lost: Closed Lost, Prospecting: Qualification, Perception Analysis: Id. Decision Makers}
      - {left: Closing_Date, right: CloseDate, owner: newest}
      - {left: Amount, right: Amount, owner: salesforce}    # Salesforce wins conflicts
    filter:
      left: [{field: Pipeline, op: is, value: "Standard (Standard)"}]
      right: [{field: Type, op: is_not, value: "Existing Customer - Downgrade"}]

  # Account and Contact harmonization (configs/links/zoho_sf_accounts_contacts.yaml)
  - name: zoho_sf_accounts
    left: {source: zoho_crm, object: Accounts}
    right: {source: salesforce, object: Account}
    pair: {by: crosswalk}
    fields:
      - {left: Phone, right: Phone, owner: newest}
      - {left: Website, right: Website, owner: newest}
      - {left: Billing_Street, right: BillingStreet, owner: newest}
      - {left: Billing_City, right: BillingCity, owner: newest}
      - {left: Billing_State, right: BillingState, owner: newest}
      - {left: Billing_Code, right: BillingPostalCode, owner: newest}
      - {left: Billing_Country, right: BillingCountry, owner: newest}
      - {left: Employees, right: NumberOfEmployees, owner: salesforce}
      - {left: Annual_Revenue, right: AnnualRevenue, owner: salesforce}
      - {left: Account_Number, right: AccountNumber, owner: fill_if_empty}
      - {left: Customer_Tier, right: Customer_Tier__c, owner: newest}
    filter:
      left: [{field: Account_Type, op: not_in, value: [Competitor, Vendor]}]

  - name: zoho_sf_contacts
    left: {source: zoho_crm, object: Contacts}
    right: {source: salesforce, object: Contact}
    pair: {by: crosswalk}
    fields:
      - {left: First_Name, right: FirstName, owner: newest}
      - {left: Last_Name, right: LastName, owner: newest}
      - {left: Email, right: Email, owner: newest}
      - {left: Phone, right: Phone, owner: newest}
      - {left: Mobile, right: MobilePhone, owner: newest}
      - {left: Mailing_Street, right: MailingStreet, owner: newest}
      - {left: Mailing_City, right: MailingCity, owner: newest}
      - {left: Mailing_State, right: MailingState, owner: newest}
      - {left: Mailing_Zip, right: MailingPostalCode, owner: newest}
      - {left: Mailing_Country, right: MailingCountry, owner: newest}
      - {left: Title, right: Title, owner: salesforce}
      - {left: Department, right: Department, owner: fill_if_empty}
    filter:
      right: [{field: LeadSource, op: is_not, value: Purchased List}]

  # Desk with Zoho CRM: accounts and contacts both ways (configs/links/desk_zoho_crm.yaml)
  - name: desk_zoho_accounts
    left: {source: zoho_desk, object: accounts}
    right: {source: zoho_crm, object: Accounts}
    pair: {by: crosswalk}
    fields:
      - {left: accountName, right: Account_Name, owner: zoho_crm}
      - {left: phone, right: Phone, owner: zoho_crm}
      - {left: website, right: Website, owner: zoho_crm}
      - {left: street, right: Billing_Street, owner: zoho_crm}
      - {left: city, right: Billing_City, owner: zoho_crm}
      - {left: state, right: Billing_State, owner: zoho_crm}
      - {left: code, right: Billing_Code, owner: zoho_crm}
      - {left: country, right: Billing_Country, owner: zoho_crm}
      - {left: industry, right: Industry, owner: read_only, from: zoho_crm}   # a picklist in the CRM, text in Desk

  - name: desk_zoho_contacts
    left: {source: zoho_desk, object: contacts}
    right: {source: zoho_crm, object: Contacts}
    pair: {by: crosswalk}
    fields:
      - {left: firstName, right: First_Name, owner: zoho_crm}
      - {left: lastName, right: Last_Name, owner: zoho_crm}
      - {left: email, right: Email, owner: zoho_crm}
      - {left: phone, right: Phone, owner: zoho_crm}
      - {left: mobile, right: Mobile, owner: zoho_crm}
      - {left: title, right: Title, owner: zoho_crm}
      - {left: city, right: Mailing_City, owner: zoho_crm}
      - {left: state, right: Mailing_State, owner: zoho_crm}
      - {left: country, right: Mailing_Country, owner: zoho_crm}
    filter:
      left: "NOT coalesce(isSpam, false)"          # Desk contacts marked as spam stay out

  # Desk with Salesforce: accounts and contacts both ways (configs/links/desk_salesforce.yaml)
  - name: desk_sf_accounts
    left: {source: zoho_desk, object: accounts}
    right: {source: salesforce, object: Account}
    pair: {by: crosswalk}
    fields:
      - {left: accountName, right: Name, owner: salesforce}
      - {left: phone, right: Phone, owner: salesforce}
      - {left: website, right: Website, owner: salesforce}
      - {left: street, right: BillingStreet, owner: salesforce}
      - {left: city, right: BillingCity, owner: salesforce}
      - {left: state, right: BillingState, owner: salesforce}
      - {left: code, right: BillingPostalCode, owner: salesforce}
      - {left: country, right: BillingCountry, owner: salesforce}
      - {left: industry, right: Industry, owner: read_only, from: salesforce}   # a picklist in Salesforce, text in Desk
    filter:
      # Feeding one Desk from both CRMs (desk_zoho_crm.yaml enabled too):
      # the Desk accounts of companies Zoho CRM holds are linked with Zoho
      # CRM (desk_zoho_accounts), which zoho_sf_accounts links with
      # Salesforce; drop this filter with Salesforce alone.
      left: >-
        id NOT IN (SELECT d.source_id FROM identity.crosswalk AS d
          JOIN identity.crosswalk AS z ON z.golden_id = d.golden_id AND z.system = 'zoho_crm' AND z.object = 'Accounts'
          WHERE d.system = 'zoho_desk' AND d.object = 'accounts'
            AND EXISTS (SELECT 1 FROM seeds.identity_syncs WHERE sync = 'zoho_accounts_to_desk'))

  - name: desk_sf_contacts
    left: {source: zoho_desk, object: contacts}
    right: {source: salesforce, object: Contact}
    pair: {by: crosswalk}
    fields:
      - {left: firstName, right: FirstName, owner: salesforce}
      - {left: lastName, right: LastName, owner: salesforce}
      - {left: email, right: Email, owner: salesforce}
      - {left: phone, right: Phone, owner: salesforce}
      - {left: mobile, right: MobilePhone, owner: salesforce}
      - {left: title, right: Title, owner: salesforce}
      - {left: city, right: MailingCity, owner: salesforce}
      - {left: state, right: MailingState, owner: salesforce}
      - {left: country, right: MailingCountry, owner: salesforce}
    filter:
      # Desk contacts marked as spam stay out; feeding one Desk from both
      # CRMs, so do the people Zoho CRM holds (linked by desk_zoho_contacts).
      left: >-
        NOT coalesce(isSpam, false) AND id NOT IN (SELECT d.source_id FROM identity.crosswalk AS d
          JOIN identity.crosswalk AS z ON z.golden_id = d.golden_id AND z.system = 'zoho_crm' AND z.object = 'Contacts'
          WHERE d.system = 'zoho_desk' AND d.object = 'contacts'
            AND EXISTS (SELECT 1 FROM seeds.identity_syncs WHERE sync = 'zoho_contacts_to_desk'))

  # Closed Won → Zoho account (with the sync closed_won_contacts_zoho) (configs/links/sf_closed_won_to_zoho.yaml)
  - name: sf_closed_won_to_zoho
    left: {source: zoho_crm, object: Accounts}
    right: {source: salesforce, object: Opportunity}
    pair: {by: crosswalk, crosswalk: syncs.closed_won_pairs}
    fields:
      - {left: Last_Won_Amount, right: Amount, owner: read_only, from: salesforce}
      - {left: Last_Won_Date, right: CloseDate, owner: read_only, from: salesforce}
    transitions:
      - name: closed_won
        on: {side: salesforce, field: StageName, to: [Closed Won]}
        set: {side: zoho, values: {Account_Type: Customer}}
    filter:
      right: [{field: Amount, op: gt, value: 0}]

{{suiteLinks}}
syncs:                        # the templates' one-way syncs (configs/syncs/*.yaml)
  # Warehouse enrichment: accounts (configs/syncs/account_enrichment.yaml)
  - name: account_enrichment_sf
    model: syncs.account_enrichment_sf
    destination: {source: salesforce, object: Account}
    mode: update                 # never creates accounts
    match: {by: id}              # the key column holds the Account Id
    key: account_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
      Lifetime_Won__c: {column: lifetime_won}
      Last_Activity_At__c: {column: last_activity_at, skip_nulls: true}
      Revops_Company_Id__c: {column: company_id}

  - name: account_enrichment_zoho
    model: syncs.account_enrichment_zoho
    destination: {source: zoho_crm, object: Accounts}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets: {column: open_tickets}
      Lifetime_Won: {column: lifetime_won}
      Last_Activity_At: {column: last_activity_at, skip_nulls: true}
      Revops_Company_Id: {column: company_id}

  # Warehouse enrichment: contacts (configs/syncs/contact_enrichment.yaml)
  - name: contact_enrichment_sf
    model: syncs.contact_enrichment_sf
    destination: {source: salesforce, object: Contact}
    mode: update
    match: {by: id}
    key: contact_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
      Last_Activity_At__c: {column: last_activity_at, skip_nulls: true}
      Revops_Person_Id__c: {column: person_id}
      Revops_Company_Id__c: {column: company_id}

  - name: contact_enrichment_zoho
    model: syncs.contact_enrichment_zoho
    destination: {source: zoho_crm, object: Contacts}
    mode: update
    match: {by: id}
    key: contact_id
    mapping:
      Open_Tickets: {column: open_tickets}
      Last_Activity_At: {column: last_activity_at, skip_nulls: true}
      Revops_Person_Id: {column: person_id}
      Revops_Company_Id: {column: company_id}

  # Leads both ways: Zoho CRM leads → Salesforce (configs/syncs/zoho_leads_to_sf.yaml)
  - name: zoho_leads_to_sf
    model: syncs.zoho_leads_to_sf
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: duplicate_check, fields: [Zoho_Lead_Id__c, Email]}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {column: zoho_lead_id}
      FirstName: {column: first_name, skip_nulls: true}
      LastName: {column: last_name}
      Company: {column: company}
      Email: {column: email, skip_nulls: true}
      Phone: {column: phone, skip_nulls: true}
      Status:
        column: lead_status
        picklist:
          "-None-": Open - Not Contacted
          Not Contacted: Open - Not Contacted
          Attempted to Contact: Open - Not Contacted
          Contact in Future: Open - Not Contacted
          Contacted: Working - Contacted
          Pre-Qualified: Working - Contacted
          Junk Lead: Closed - Not Converted
          Lost Lead: Closed - Not Converted
          Not Qualified: Closed - Not Converted
      LeadSource:
        column: lead_source
        skip_nulls: true
        picklist:
          "-None-": Other
          Web Download: Web
          Web Research: Web
          Online Store: Web
          Cold Call: Phone Inquiry
          Partner: Partner Referral
          Seminar Partner: Partner Referral
          External Referral: Partner Referral
          Employee Referral: Partner Referral
          Advertisement: Other
          Public Relations: Other
          Sales Email Alias: Other
          Internal Seminar: Other
          Trade Show: Other
          Webinar: Other
          Chat: Other
          Twitter: Other
          Facebook: Other

  # Leads both ways: Salesforce leads → Zoho CRM (configs/syncs/sf_leads_to_zoho.yaml)
  - name: sf_leads_to_zoho
    model: syncs.sf_leads_to_zoho
    destination: {source: zoho_crm, object: Leads}
    mode: upsert
    match: {by: duplicate_check, fields: [Salesforce_Id, Email]}
    key: sf_lead_id
    mapping:
      Salesforce_Id: {column: sf_lead_id}
      First_Name: {column: first_name, skip_nulls: true}
      Last_Name: {column: last_name}
      Company: {column: company}
      Email: {column: email, skip_nulls: true}
      Phone: {column: phone, skip_nulls: true}
      Lead_Status:
        column: lead_status
        picklist:
          Open - Not Contacted: Not Contacted
          Working - Contacted: Contacted
          Closed - Converted: Pre-Qualified
          Closed - Not Converted: Not Qualified
      Lead_Source:
        column: lead_source
        skip_nulls: true
        picklist:
          Web: Web Research
          Phone Inquiry: Cold Call
          Partner Referral: Partner
          Purchased List: Advertisement
          Webinar: Internal Seminar
          Other: "-None-"

  # Escalated Zoho Desk ticket → Salesforce Task (configs/syncs/desk_escalations_to_sf_tasks.yaml)
  - name: desk_escalations_to_sf_tasks
    model: syncs.desk_escalations_to_sf_tasks
    destination: {source: salesforce, object: Task}
    mode: upsert
    match: {by: external_id, field: Zoho_Desk_Ticket_Id__c}
    key: zoho_ticket_id
    mapping:
      Zoho_Desk_Ticket_Id__c: {column: zoho_ticket_id}
      Subject: {column: subject}
      Description: {column: description}
      Status:
        column: ticket_status
        picklist: {Open: In Progress, Escalated: In Progress, On Hold: Waiting on someone else, Closed: Completed}
      Priority:
        column: ticket_priority
        picklist: {Urgent: High, High: High, Medium: Normal, Low: Low}
      ActivityDate: {column: due_date}
      WhatId: {column: sf_account_id}
      WhoId: {column: sf_contact_id}

  # Closed Won → the Zoho account's contacts (configs/syncs/closed_won_contacts_zoho.yaml)
  - name: closed_won_contacts_zoho
    model: syncs.closed_won_contacts_zoho
    destination: {source: zoho_crm, object: Contacts}
    mode: update
    match: {by: id}
    key: contact_id
    mapping:
      Lifecycle_Stage: {column: lifecycle_stage}

  # Desk with Zoho CRM: the accounts and contacts Desk lacks (configs/syncs/desk_zoho_crm.yaml)
  - name: zoho_accounts_to_desk
    model: syncs.zoho_accounts_to_desk
    destination: {source: zoho_desk, object: accounts}
    mode: upsert
    match: {by: duplicate_check, fields: [cf_zoho_crm_id, accountName]}
    key: zoho_account_id
    on_deleted: unlink
    mapping:
      cf_zoho_crm_id: {column: zoho_account_id}
      accountName: {column: account_name}
      website: {column: website, skip_nulls: true}
      phone: {column: phone, skip_nulls: true}
      industry: {column: industry, skip_nulls: true}
      street: {column: street, skip_nulls: true}
      city: {column: city, skip_nulls: true}
      state: {column: state, skip_nulls: true}
      code: {column: code, skip_nulls: true}
      country: {column: country, skip_nulls: true}

  - name: zoho_contacts_to_desk
    model: syncs.zoho_contacts_to_desk
    destination: {source: zoho_desk, object: contacts}
    mode: upsert
    match: {by: duplicate_check, fields: [cf_zoho_crm_id, email, firstName+lastName+accountId]}
    key: zoho_contact_id
    on_deleted: unlink
    mapping:
      cf_zoho_crm_id: {column: zoho_contact_id}
      accountId: {column: desk_account_id, skip_nulls: true}
      firstName: {column: first_name, skip_nulls: true}
      lastName: {column: last_name}
      email: {column: email, skip_nulls: true}
      phone: {column: phone, skip_nulls: true}
      mobile: {column: mobile, skip_nulls: true}
      title: {column: title, skip_nulls: true}
      city: {column: city, skip_nulls: true}
      state: {column: state, skip_nulls: true}
      country: {column: country, skip_nulls: true}

  # Desk with Salesforce: the accounts and contacts Desk lacks (configs/syncs/desk_salesforce.yaml)
  - name: sf_accounts_to_desk
    model: syncs.sf_accounts_to_desk
    destination: {source: zoho_desk, object: accounts}
    mode: upsert
    match: {by: duplicate_check, fields: [cf_salesforce_id, accountName]}
    key: sf_account_id
    on_deleted: unlink
    mapping:
      cf_salesforce_id: {column: sf_account_id}
      accountName: {column: account_name}
      website: {column: website, skip_nulls: true}
      phone: {column: phone, skip_nulls: true}
      industry: {column: industry, skip_nulls: true}
      street: {column: street, skip_nulls: true}
      city: {column: city, skip_nulls: true}
      state: {column: state, skip_nulls: true}
      code: {column: code, skip_nulls: true}
      country: {column: country, skip_nulls: true}

  - name: sf_contacts_to_desk
    model: syncs.sf_contacts_to_desk
    destination: {source: zoho_desk, object: contacts}
    mode: upsert
    match: {by: duplicate_check, fields: [cf_salesforce_id, email, firstName+lastName+accountId]}
    key: sf_contact_id
    on_deleted: unlink
    mapping:
      cf_salesforce_id: {column: sf_contact_id}
      accountId: {column: desk_account_id, skip_nulls: true}
      firstName: {column: first_name, skip_nulls: true}
      lastName: {column: last_name}
      email: {column: email, skip_nulls: true}
      phone: {column: phone, skip_nulls: true}
      mobile: {column: mobile, skip_nulls: true}
      title: {column: title, skip_nulls: true}
      city: {column: city, skip_nulls: true}
      state: {column: state, skip_nulls: true}
      country: {column: country, skip_nulls: true}
{{suiteSyncs}}
`))

func writeSandboxConfig(path string, info sandboxInfo) error {
	err := writeFileAtomic(path, func(w io.Writer) error { return sandboxConfig.Execute(w, info) })
	if err != nil {
		return fmt.Errorf("--write-config: %w", err)
	}
	return nil
}
