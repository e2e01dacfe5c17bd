package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The Closed Won → Zoho Books customer + Zoho Projects onboarding project
// template (configs/syncs/closed_won_books_projects.yaml).
const (
	cwBooks     = "closed_won_books_customers"
	cwProjects  = "closed_won_onboarding_projects"
	cwWriteBack = "onboarding_project_ids_to_sf"
)

var closedWonSyncs = []string{cwBooks, cwProjects, cwWriteBack}

// cwReport is one sync's report in `revops run --json`, with the
// records created and updated.
type cwReport struct {
	Sync      string `json:"sync"`
	Status    string `json:"status"`
	Error     string `json:"error"`
	Added     int64  `json:"added"`
	Changed   int64  `json:"changed"`
	Succeeded int64  `json:"succeeded"`
	Failed    int64  `json:"failed"`
	Created   int64  `json:"created"`
	Updated   int64  `json:"updated"`
	Recovered int64  `json:"recovered"`
	APICalls  int64  `json:"api_calls"`
	Errors    []struct {
		Key, Code, Message string
	} `json:"errors"`
}

// pauseOthers pauses every template of the sandbox config but keep, so
// that each run does only this template's work (the other templates have
// tests of their own).
func (w *templateWorld) pauseOthers(keep ...string) {
	w.t.Helper()
	pauseTemplatesBut(w.t, w.env, w.cfg, keep...)
}

// pauseTemplatesBut pauses every link and sync of the sandbox config cfg
// but keep.
func pauseTemplatesBut(t *testing.T, env map[string]string, cfg string, keep ...string) {
	t.Helper()
	links, syncs := sandboxTemplates(t)
	for _, n := range append(links, syncs...) {
		if slices.Contains(keep, n) {
			continue
		}
		if code, _, errOut := revops(t, env, "pause", n, "-c", cfg); code != 0 {
			t.Fatalf("pause %s: %d %s", n, code, errOut)
		}
	}
}

// cwRun runs `revops run` and returns the template's sync reports.
func (w *templateWorld) cwRun(wantCode int) map[string]cwReport {
	w.t.Helper()
	code, out, errOut := revops(w.t, w.env, "run", "-c", w.cfg, "--json")
	if code != wantCode {
		w.t.Fatalf("run: exit %d, want %d\n%s\n%s", code, wantCode, out, errOut)
	}
	var doc struct {
		Sync struct {
			Syncs []cwReport `json:"syncs"`
		} `json:"sync"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		w.t.Fatalf("run --json: %v\n%s", err, out)
	}
	reps := map[string]cwReport{}
	for _, s := range doc.Sync.Syncs {
		reps[s.Sync] = s
	}
	for _, n := range closedWonSyncs {
		if reps[n].Sync == "" {
			w.t.Fatalf("sync %s did not run\n%s", n, errOut)
		}
	}
	return reps
}

// booksCustomers lists the Books organization's customers through the
// API (list rows: name, primary person, custom fields as cf_ keys).
func (w *templateWorld) booksCustomers() []map[string]any {
	w.t.Helper()
	var out []map[string]any
	for page := 1; ; page++ {
		u := fmt.Sprintf("%s/books/v3/contacts?organization_id=%s&page=%d&per_page=200", w.info.Zoho.APIDomain,
			w.info.Zoho.BooksOrganizationID, page)
		code, body := w.zo.do("GET", u, "")
		var m struct {
			Contacts    []map[string]any `json:"contacts"`
			PageContext struct {
				HasMore bool `json:"has_more_page"`
			} `json:"page_context"`
		}
		if err := json.Unmarshal([]byte(body), &m); err != nil || code != 200 {
			w.t.Fatalf("books contacts: %d %v %s", code, err, body)
		}
		out = append(out, m.Contacts...)
		if !m.PageContext.HasMore {
			return out
		}
	}
}

// onboardingProjects lists the portal's projects (templates left out)
// by the opportunity id their name ends with; one call per 200 (the
// portal allows 100 calls in 2 minutes, revops's client takes 90).
func (w *templateWorld) onboardingProjects() map[string][]map[string]any {
	w.t.Helper()
	out := map[string][]map[string]any{}
	for page := 1; ; page++ {
		u := fmt.Sprintf("%s/api/v3/portal/%s/projects?page=%d&per_page=200", w.info.Zoho.APIDomain, w.info.Zoho.ProjectsPortalID, page)
		code, body := w.zo.do("GET", u, "")
		var m struct {
			Projects []map[string]any `json:"projects"`
			PageInfo struct {
				HasNext bool `json:"has_next_page"`
			} `json:"page_info"`
		}
		if err := json.Unmarshal([]byte(body), &m); err != nil || code != 200 {
			w.t.Fatalf("projects: %d %v %s", code, err, body)
		}
		for _, p := range m.Projects {
			name, _ := p["name"].(string)
			if sm := oppInName.FindStringSubmatch(name); sm != nil {
				out[sm[1]] = append(out[sm[1]], p)
			}
		}
		if !m.PageInfo.HasNext {
			return out
		}
	}
}

var oppInName = regexp.MustCompile(`\((006[0-9A-Za-z]{12,15})\)$`)

// normName is a display name as Books compares it.
func normName(v any) string {
	s, _ := v.(string)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// cwTruth maps the sandbox's seeded records to their true entity:
// "system/object/record_id" → entity.
func cwTruth(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]+"/"+r[1]+"/"+r[2]] = r[3]
	}
	return out
}

// cwCheck holds the Books and Projects state to the template: every
// company of the Books model has exactly one customer stamped with its
// golden id; no two customers share a display name or a true company
// (seeded customers by the truth file, created ones by their company's
// Salesforce accounts); every won opportunity of the Projects model has
// exactly one project, made from its template, whose id the opportunity
// holds. It returns the customers and projects.
func (w *templateWorld) cwCheck(truth map[string]string) (customers []map[string]any, projects map[string][]map[string]any) {
	t := w.t
	t.Helper()
	customers = w.booksCustomers()
	byKey, byName, byEntity := map[string]int{}, map[string]int{}, map[string][]string{}
	for _, c := range customers {
		if k, _ := c["cf_revops_id"].(string); k != "" {
			byKey[k]++
		}
		byName[normName(c["contact_name"])]++
	}
	for k, n := range byKey {
		if n > 1 {
			t.Errorf("books: %d customers stamped %s", n, k)
		}
	}
	for k, n := range byName {
		if n > 1 {
			t.Errorf("books: %d customers named %q", n, k)
		}
	}
	// The Salesforce accounts of each golden company, to find the true
	// company of the customers revops stamped.
	accounts := map[string][]string{}
	for _, r := range queryRows(t, w.cfg, `SELECT company_id, source_id FROM core.accounts WHERE source_system = 'salesforce' AND company_id IS NOT NULL`) {
		k := fmt.Sprint(r["company_id"])
		accounts[k] = append(accounts[k], fmt.Sprint(r["source_id"]))
	}
	for _, c := range customers {
		ents := map[string]bool{}
		if e := truth["zoho_books/contacts/"+fmt.Sprint(c["contact_id"])]; e != "" {
			ents[e] = true
		}
		if k, _ := c["cf_revops_id"].(string); k != "" {
			for _, a := range accounts[k] {
				if e := truth["salesforce/Account/"+a]; e != "" {
					ents[e] = true
				}
			}
		}
		for e := range ents {
			byEntity[e] = append(byEntity[e], fmt.Sprint(c["contact_name"]))
		}
	}
	known := 0
	for _, c := range customers {
		for _, names := range byEntity {
			if slices.Contains(names, fmt.Sprint(c["contact_name"])) {
				known++
				break
			}
		}
	}
	if known < len(customers)/2 {
		t.Errorf("books: the truth file names the company of %d of %d customers", known, len(customers))
	}
	for e, names := range byEntity {
		if len(names) > 1 {
			t.Errorf("books: company %s has %d customers: %q", e, len(names), names)
		}
	}
	for _, r := range queryRows(t, w.cfg, "SELECT company_id FROM syncs."+cwBooks) {
		if k := fmt.Sprint(r["company_id"]); byKey[k] != 1 {
			t.Errorf("books: company %s (won) has %d customers stamped with it", k, byKey[k])
		}
	}

	projects = w.onboardingProjects()
	for opp, ps := range projects {
		if len(ps) > 1 {
			t.Errorf("projects: opportunity %s has %d projects", opp, len(ps))
		}
	}
	held := map[string]string{}
	for _, r := range soql(t, w.sf, w.info, "SELECT Id, Onboarding_Project_Id__c FROM Opportunity WHERE StageName = 'Closed Won'") {
		held[fmt.Sprint(r["Id"])], _ = r["Onboarding_Project_Id__c"].(string)
	}
	for _, r := range queryRows(t, w.cfg, "SELECT opportunity_id, template FROM syncs."+cwProjects) {
		opp := fmt.Sprint(r["opportunity_id"])
		ps := projects[opp]
		if len(ps) != 1 {
			t.Errorf("projects: won opportunity %s has %d projects", opp, len(ps))
			continue
		}
		if ps[0]["template_id"] == "" || ps[0]["template_id"] == nil {
			t.Errorf("projects: %v not made from a template", ps[0]["name"])
		}
		if id, ok := held[opp]; ok && id != fmt.Sprint(ps[0]["id"]) {
			t.Errorf("opportunity %s: Onboarding_Project_Id__c %q, its project is %v", opp, id, ps[0]["id"])
		}
	}
	return customers, projects
}

// cwLog logs the template's figures of one run.
func cwLog(t *testing.T, what string, reps map[string]cwReport) {
	t.Helper()
	for _, n := range closedWonSyncs {
		r := reps[n]
		t.Logf("%-14s %-32s %-9s created %3d updated %3d recovered %d failed %d, %3d API calls", what, n, r.Status, r.Created, r.Updated,
			r.Recovered, r.Failed, r.APICalls)
	}
}

// cwSettle runs until the template writes nothing (the other templates
// harmonize the Salesforce accounts, contacts and opportunities the
// customers and projects are made of over the first passes: their
// changes reach Books and Projects as updates); it fails when a pass
// creates anything or the writes do not stop within four passes.
func (w *templateWorld) cwSettle() {
	w.t.Helper()
	for i := 1; ; i++ {
		reps := w.cwRun(0)
		cwLog(w.t, fmt.Sprintf("re-run %d", i), reps)
		written := int64(0)
		for _, n := range closedWonSyncs {
			if n != cwWriteBack && reps[n].Created != 0 {
				w.t.Errorf("re-run %d: %s created %d records", i, n, reps[n].Created)
			}
			if reps[n].Failed != 0 || reps[n].Status != "succeeded" {
				w.t.Errorf("re-run %d: %s %s, %d failed: %s %+v", i, n, reps[n].Status, reps[n].Failed, reps[n].Error, reps[n].Errors)
			}
			written += reps[n].Added + reps[n].Changed
		}
		if written == 0 {
			return
		}
		if i == 4 {
			w.t.Fatalf("the template still writes after %d re-runs", i)
		}
	}
}

// cwOpenOpportunity returns an open Salesforce opportunity of a company
// that has won none, whose account name no Books customer has.
func (w *templateWorld) cwOpenOpportunity(customers []map[string]any, skip map[string]bool) (opp, company string) {
	w.t.Helper()
	names := map[string]bool{}
	for _, c := range customers {
		names[normName(c["contact_name"])] = true
	}
	rows := queryRows(w.t, w.cfg, `SELECT d.source_id, d.company_id, a.name FROM core.deals AS d
		JOIN core.accounts AS a ON a.source_system = 'salesforce' AND a.source_id = d.account_source_id
		WHERE d.source_system = 'salesforce' AND NOT d.is_closed AND d.company_id IS NOT NULL
		  AND d.company_id NOT IN (SELECT company_id FROM core.deals WHERE is_won AND company_id IS NOT NULL)
		ORDER BY d.source_id`)
	for _, r := range rows {
		id, co := fmt.Sprint(r["source_id"]), fmt.Sprint(r["company_id"])
		if !skip[co] && !names[normName(r["name"])] {
			return id, co
		}
	}
	w.t.Fatal("no open opportunity of a company without won deals")
	return "", ""
}

// TestClosedWonBooksProjects runs the Closed Won → Zoho Books customer +
// Zoho Projects onboarding project template of the sandbox config with
// `revops run`, every other template on:
//   - the first run creates a Books customer for each company with a
//     won Salesforce opportunity that Books lacked and updates (stamps)
//     the ones Books held, one project per won opportunity, and writes
//     each project's id on its opportunity; no company gets two
//     customers (by stamp, name, or the sandbox's truth);
//   - re-runs create nothing (they update what the other templates
//     changed in Salesforce, then write nothing);
//   - an opportunity set to Closed Won through the API gives exactly one
//     customer and one project on the next run; reopened and won again,
//     it gets no second project;
//   - a template name the portal lacks (the user's copy of the model
//     names it) fails that opportunity's row, naming the template;
//   - a wrong Books organization id fails the Books sync, naming it,
//     before any write; the other syncs run.
func TestClosedWonBooksProjects(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a sandbox and nine runs")
	}
	dir := t.TempDir()
	truthFile := filepath.Join(dir, "truth.csv")
	w := &templateWorld{t: t, cfg: filepath.Join(dir, "revops.yaml"), env: map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}}
	w.info, _ = startSandbox(t, "--records", "200", "--write-config", w.cfg, "--truth", truthFile)
	w.pauseOthers(closedWonSyncs...)
	w.sf, w.zo = sfAPI(t, w.info), zohoAPI(t, w.info)
	truth := cwTruth(t, truthFile)
	seeded := w.booksCustomers()
	if len(seeded) == 0 {
		t.Fatal("the sandbox's Books holds no customers")
	}

	first := w.cwRun(0)
	cwLog(t, "first run", first)
	for _, n := range closedWonSyncs {
		if r := first[n]; r.Status != "succeeded" || r.Failed != 0 {
			t.Fatalf("first run: %s %s, %d failed: %s %+v", n, r.Status, r.Failed, r.Error, r.Errors)
		}
	}
	customers, projects := w.cwCheck(truth)
	b, p := first[cwBooks], first[cwProjects]
	stamped := 0
	seededIDs := map[string]bool{}
	for _, c := range seeded {
		seededIDs[fmt.Sprint(c["contact_id"])] = true
	}
	for _, c := range customers {
		if seededIDs[fmt.Sprint(c["contact_id"])] && c["cf_revops_id"] != nil && c["cf_revops_id"] != "" {
			stamped++
		}
	}
	t.Logf("books: %d customers seeded, %d after the first run; %d created, %d seeded ones updated and stamped",
		len(seeded), len(customers), b.Created, stamped)
	if b.Created == 0 || b.Updated == 0 || int64(stamped) != b.Updated || int64(len(customers)) != int64(len(seeded))+b.Created {
		t.Errorf("books first run: %d created, %d updated, %d seeded customers stamped; %d customers for %d seeded",
			b.Created, b.Updated, stamped, len(customers), len(seeded))
	}
	if p.Created == 0 || int64(len(projects)) != p.Created || first[cwWriteBack].Updated != p.Created {
		t.Errorf("projects first run: %d created, %d onboarding projects, %d ids written back", p.Created, len(projects),
			first[cwWriteBack].Updated)
	}

	w.cwSettle()

	// A newly won opportunity: one customer, one project, its id on the
	// opportunity.
	opp, company := w.cwOpenOpportunity(customers, nil)
	w.sfUpdate("Opportunity", opp, map[string]any{"StageName": "Closed Won"})
	won := w.cwRun(0)
	cwLog(t, "newly won", won)
	if won[cwBooks].Created != 1 || won[cwProjects].Created != 1 || won[cwWriteBack].Updated != 1 {
		t.Errorf("newly won %s: %d customers, %d projects created, %d ids written back; want 1 each",
			opp, won[cwBooks].Created, won[cwProjects].Created, won[cwWriteBack].Updated)
	}
	customers, projects = w.cwCheck(truth)
	n := 0
	for _, c := range customers {
		if c["cf_revops_id"] == company {
			n++
		}
	}
	if n != 1 || len(projects[opp]) != 1 {
		t.Fatalf("newly won %s: %d customers stamped %s, %d projects", opp, n, company, len(projects[opp]))
	}
	pid := fmt.Sprint(projects[opp][0]["id"])
	if got := soql(t, w.sf, w.info, "SELECT Onboarding_Project_Id__c FROM Opportunity WHERE Id = '"+opp+"'"); len(got) != 1 || got[0]["Onboarding_Project_Id__c"] != pid {
		t.Errorf("opportunity %s holds %v, its project is %s", opp, got, pid)
	}

	// Reopened and won again: no second project, no second customer.
	w.sfUpdate("Opportunity", opp, map[string]any{"StageName": "Negotiation/Review"})
	reopened := w.cwRun(0)
	cwLog(t, "reopened", reopened)
	w.sfUpdate("Opportunity", opp, map[string]any{"StageName": "Closed Won"})
	again := w.cwRun(0)
	cwLog(t, "won again", again)
	for _, reps := range []map[string]cwReport{reopened, again} {
		if reps[cwBooks].Created != 0 || reps[cwProjects].Created != 0 {
			t.Errorf("reopened / won again: %d customers, %d projects created", reps[cwBooks].Created, reps[cwProjects].Created)
		}
	}
	if _, projects = w.cwCheck(truth); len(projects[opp]) != 1 || fmt.Sprint(projects[opp][0]["id"]) != pid {
		t.Errorf("won again: projects of %s: %v (first %s)", opp, projects[opp], pid)
	}

	// A template the portal lacks: the user's copy of the model names it
	// for one newly won opportunity; that row fails, naming it.
	opp2, _ := w.cwOpenOpportunity(customers, map[string]bool{company: true})
	models := filepath.Join(dir, "models", "syncs")
	if err := os.MkdirAll(models, 0o755); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(filepath.Join("..", "..", "sql", "syncs", cwProjects+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(shipped), "'Customer Onboarding' AS template",
		"CASE WHEN w.opportunity_id = '"+opp2+"' THEN 'Enterprise Rollout' ELSE 'Customer Onboarding' END AS template", 1)
	if edited == string(shipped) {
		t.Fatal("the shipped model has no 'Customer Onboarding' AS template")
	}
	if err := os.WriteFile(filepath.Join(models, cwProjects+".sql"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgText, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	withModels := strings.Replace(string(cfgText), "  paths: []", "  paths: ["+filepath.Join(dir, "models")+"]", 1)
	if withModels == string(cfgText) {
		t.Fatal("the sandbox config has no models: paths: []")
	}
	if err := os.WriteFile(w.cfg, []byte(withModels), 0o644); err != nil {
		t.Fatal(err)
	}
	w.sfUpdate("Opportunity", opp2, map[string]any{"StageName": "Closed Won"})
	bad := w.cwRun(1)
	cwLog(t, "bad template", bad)
	bp := bad[cwProjects]
	if bp.Failed != 1 || bp.Created != 0 || len(bp.Errors) != 1 || bp.Errors[0].Key != opp2 || bp.Errors[0].Code != "TEMPLATE_NOT_FOUND" ||
		!strings.Contains(bp.Errors[0].Message, `"Enterprise Rollout"`) || !strings.Contains(bp.Errors[0].Message, `"Customer Onboarding"`) {
		t.Errorf("a template the portal lacks: %+v", bp)
	} else {
		t.Logf("a template the portal lacks: %s %s: %s", bp.Errors[0].Key, bp.Errors[0].Code, bp.Errors[0].Message)
	}
	if bad[cwBooks].Created != 1 || bad[cwWriteBack].Failed != 0 {
		t.Errorf("with the bad template: books %+v, write-back %+v", bad[cwBooks], bad[cwWriteBack])
	}
	if ps := w.onboardingProjects(); len(ps[opp2]) != 0 {
		t.Errorf("a project was made for %s without its template: %v", opp2, ps[opp2])
	}
	if err := os.WriteFile(w.cfg, cfgText, 0o644); err != nil {
		t.Fatal(err)
	}

	// A wrong Books organization id: the Books sync fails before any
	// write, naming it; the others run (the failed project row is made
	// now, from the shipped model's template).
	org := w.info.Zoho.BooksOrganizationID
	wrong := strings.Replace(string(cfgText), `organization_id: "`+org+`"`, `organization_id: "9`+org+`"`, 1)
	if wrong == string(cfgText) {
		t.Fatal("no organization_id in the sandbox config")
	}
	if err := os.WriteFile(w.cfg, []byte(wrong), 0o644); err != nil {
		t.Fatal(err)
	}
	booksWrites := writeCalls(t, w.info.Salesforce.StatsURL, "zoho_books")
	w.sfUpdate("Account", w.one("SELECT account_source_id FROM core.deals WHERE source_id = '" + opp + "'")["account_source_id"].(string),
		map[string]any{"BillingCity": "Springfield"})
	orgRun := w.cwRun(1)
	cwLog(t, "wrong org", orgRun)
	if r := orgRun[cwBooks]; r.Status != "failed" || !strings.Contains(r.Error, "organization_id") || !strings.Contains(r.Error, `"9`+org+`"`) {
		t.Errorf("wrong organization id: %+v", r)
	} else {
		t.Logf("wrong organization id: %s", r.Error)
	}
	if n := writeCalls(t, w.info.Salesforce.StatsURL, "zoho_books") - booksWrites; n != 0 {
		t.Errorf("wrong organization id: %d Books writes", n)
	}
	if r := orgRun[cwProjects]; r.Status != "succeeded" || r.Created != 1 {
		t.Errorf("projects beside a failed Books sync: %+v", r)
	}
	if err := os.WriteFile(w.cfg, cfgText, 0o644); err != nil {
		t.Fatal(err)
	}
	fixed := w.cwRun(0)
	cwLog(t, "org fixed", fixed)
	if fixed[cwBooks].Updated != 1 || fixed[cwBooks].Created != 0 {
		t.Errorf("once the organization id is fixed: %+v", fixed[cwBooks])
	}
	w.cwCheck(truth)

	// Identity merges a won company whose customer is stamped into an
	// older company (a person decides they are one): the customer keeps
	// its stamp and stays the company's; none is created.
	older := w.one(`SELECT golden_id, minted_at, first_record_created_at FROM identity.company_id_state
		WHERE id_status = 'active' AND is_present AND golden_id NOT IN (SELECT company_id FROM core.deals WHERE is_won AND company_id IS NOT NULL)
		ORDER BY minted_at, first_record_created_at, golden_id LIMIT 1`)
	merged := w.one(fmt.Sprintf(`SELECT m.company_id FROM syncs.%s AS m
		JOIN identity.company_id_state AS s ON s.golden_id = m.company_id AND s.is_present
		WHERE (s.minted_at, s.first_record_created_at, s.golden_id) > (CAST('%v' AS TIMESTAMPTZ), CAST('%v' AS TIMESTAMPTZ), '%v')
		ORDER BY m.company_id LIMIT 1`, cwBooks, older["minted_at"], older["first_record_created_at"], older["golden_id"]))
	a, b2 := fmt.Sprint(merged["company_id"]), fmt.Sprint(older["golden_id"])
	if code, _, errOut := revops(t, w.env, "identity", "decide", a, b2, "match", "-c", w.cfg); code != 0 {
		t.Fatalf("identity decide %s %s match: %d %s", a, b2, code, errOut)
	}
	afterMerge := w.cwRun(0)
	cwLog(t, "merged", afterMerge)
	if g := w.one("SELECT status, resolves_to FROM identity.golden_ids WHERE golden_id = '" + a + "'"); g["status"] != "merged" || g["resolves_to"] != b2 {
		t.Fatalf("%s merged into %s: golden_ids says %v", a, b2, g)
	}
	if r := afterMerge[cwBooks]; r.Created != 0 || r.Failed != 0 {
		t.Errorf("after %s merged into %s: %+v", a, b2, r)
	}
	if k := w.one("SELECT count(*) AS n FROM syncs." + cwBooks + " WHERE company_id = '" + a + "'"); fmt.Sprint(k["n"]) != "1" {
		t.Errorf("after the merge the model's row of %s is not keyed by the id its customer holds (%s)", b2, a)
	}
	w.cwCheck(truth)
}

// TestClosedWonKilledMidWrite kills `revops run` (SIGKILL) while it
// creates Books customers, and again while it creates Projects projects;
// the next run finishes the work and nothing is created twice: one
// customer per won company, one project per won opportunity, each
// project's id on its opportunity; the run after creates nothing.
func TestClosedWonKilledMidWrite(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a sandbox, two killed runs and two runs")
	}
	dir := t.TempDir()
	truthFile := filepath.Join(dir, "truth.csv")
	cache := t.TempDir()
	w := &templateWorld{t: t, cfg: filepath.Join(dir, "revops.yaml"), env: map[string]string{"REVOPS_CACHE_DIR": cache}}
	w.info, _ = startSandbox(t, "--records", "200", "--write-config", w.cfg, "--truth", truthFile)
	w.pauseOthers(closedWonSyncs...)
	w.sf, w.zo = sfAPI(t, w.info), zohoAPI(t, w.info)
	truth := cwTruth(t, truthFile)
	seeded := len(w.booksCustomers())

	// writes counts the creates and updates one system served.
	writes := func(system string) int64 { return writeCalls(t, w.info.Salesforce.StatsURL, system) }
	kill := func(system string, after int64) {
		t.Helper()
		base := writes(system)
		cmd, out := child(t, []string{"REVOPS_CACHE_DIR=" + cache}, "run", "-c", w.cfg)
		deadline := time.Now().Add(3 * time.Minute)
		for writes(system) < base+after {
			if time.Now().After(deadline) {
				t.Fatalf("%s: fewer than %d writes in 3 minutes\n%s", system, after, out)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if cmd.ProcessState.Success() {
			t.Fatalf("the run finished before it was killed:\n%s", out)
		}
		t.Logf("killed after %d %s writes", writes(system)-base, system)
	}
	kill("zoho_books", 3)
	kill("zoho_projects", 3)
	books, projects := w.booksCustomers(), w.onboardingProjects()
	t.Logf("after two killed runs: %d customers (%d seeded), %d opportunities with projects", len(books), seeded, len(projects))

	reps := w.cwRun(0)
	cwLog(t, "after kills", reps)
	for _, n := range closedWonSyncs {
		if r := reps[n]; r.Status != "succeeded" || r.Failed != 0 {
			t.Errorf("run after the kills: %s %s, %d failed: %s %+v", n, r.Status, r.Failed, r.Error, r.Errors)
		}
	}
	customers, all := w.cwCheck(truth)
	won := queryRows(t, w.cfg, "SELECT count(*) AS n FROM syncs."+cwProjects)[0]["n"]
	t.Logf("after the run: %d customers (%d seeded), %d opportunities with projects (%v won)", len(customers), seeded, len(all), won)
	if fmt.Sprint(len(all)) != fmt.Sprint(won) {
		t.Errorf("%d opportunities have a project, %v are won", len(all), won)
	}
	w.cwSettle()

	// A full resync compares every row with what Books and Projects hold
	// now: it creates nothing.
	code, out, errOut := revops(t, w.env, "sync", "-c", w.cfg, "--json", "--full-resync", cwBooks, cwProjects)
	if code != 0 {
		t.Fatalf("sync --full-resync: exit %d\n%s\n%s", code, out, errOut)
	}
	var res struct {
		Syncs []cwReport `json:"syncs"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &res); err != nil {
		t.Fatalf("sync --json: %v\n%s", err, out)
	}
	for _, r := range res.Syncs {
		cwLog(t, "full resync", map[string]cwReport{r.Sync: r})
		if r.Created != 0 || r.Failed != 0 {
			t.Errorf("full resync: %s created %d, failed %d", r.Sync, r.Created, r.Failed)
		}
	}
	customers2, all2 := w.cwCheck(truth)
	if len(customers2) != len(customers) || len(all2) != len(all) {
		t.Errorf("full resync: %d customers and %d projects, before %d and %d", len(customers2), len(all2), len(customers), len(all))
	}
}
