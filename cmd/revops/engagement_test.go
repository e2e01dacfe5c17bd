package main

import (
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
)

// The syncs of the "Zoho Campaigns engagement → CRM" template
// (configs/syncs/campaign_engagement.yaml).
var engagementSyncs4 = []string{"engagement_sf_leads", "engagement_sf_contacts", "engagement_zoho_leads", "engagement_zoho_contacts"}

// startEngagementSandbox serves the sandbox's emulators as `revops
// sandbox` does (the same world, template fields and written config), but
// from the test's process, so that the test can add Campaigns engagement
// (campaignstest.Server.AddEngagement) between runs, which the CLI
// sandbox cannot.
func startEngagementSandbox(t *testing.T, records int) (*templateWorld, *campaignstest.Server) {
	t.Helper()
	counters, faults := sandbox.NewCounters(), sandbox.NewFaults(42)
	sf := sftest.New(sftest.Options{TokenTTL: time.Hour, Counters: counters, Faults: faults})
	zo := zohotest.New(zohotest.Options{DataCenter: "US", TokenTTL: time.Hour, Counters: counters, Faults: faults})
	suite := newZohoSuite(zo, counters, faults)
	sfSrv, zoSrv := httptest.NewServer(sf), httptest.NewServer(suite)
	t.Cleanup(sfSrv.Close)
	t.Cleanup(zoSrv.Close)
	sf.SetBaseURL(sfSrv.URL)
	zo.SetURLs(zoSrv.URL, zoSrv.URL, zoSrv.URL)
	if err := addDeskTemplateFields(zo); err != nil {
		t.Fatal(err)
	}
	world := sandbox.Generate(sandbox.Options{Seed: 42, Records: records})
	sf.Seed(world.Project(sandbox.Salesforce))
	zo.SeedCRM(world.Project(sandbox.ZohoCRM))
	zo.SeedDesk(world.Project(sandbox.ZohoDesk))
	suite.seed(world)
	if err := addTemplateFields(sf, zo); err != nil {
		t.Fatal(err)
	}
	clientID, clientSecret, refresh, username := sf.Credentials()
	w := &templateWorld{t: t, cfg: filepath.Join(t.TempDir(), "revops.yaml"), env: map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}}
	w.info = sandboxInfo{
		Salesforce: sfInfo{LoginURL: sfSrv.URL, InstanceURL: sfSrv.URL, ClientID: clientID, ClientSecret: clientSecret,
			RefreshToken: refresh, Username: username, APIVersion: sf.APIVersion(), StatsURL: sfSrv.URL + "/__sandbox/stats"},
		Zoho: zohoInfo{AccountsURL: zoSrv.URL, APIDomain: zoSrv.URL, DeskURL: zoSrv.URL, ClientID: zo.ClientID(),
			ClientSecret: zo.ClientSecret(), RefreshToken: zo.RefreshToken(), OrgID: zo.OrgID(), DataCenter: "US",
			StatsURL: zoSrv.URL + "/__sandbox/stats", BooksOrganizationID: suite.books.OrganizationID(),
			ProjectsPortalID: suite.projects.PortalID(), CampaignsCallLimit: sandboxCampaignsCalls},
		Seed: 42, Records: records,
	}
	if err := writeSandboxConfig(w.cfg, w.info); err != nil {
		t.Fatal(err)
	}
	w.sf, w.zo = sfAPI(t, w.info), zohoAPI(t, w.info)
	return w, suite.campaigns
}

// idSet is the ids of rows, by column.
func idSet(rows []map[string]any, col string) map[string]bool {
	out := map[string]bool{}
	for _, r := range rows {
		out[fmt.Sprint(r[col])] = true
	}
	return out
}

// sameSet reports the ids in one set and not the other, sorted.
func sameSet(got, want map[string]bool) (extra, missing []string) {
	for id := range got {
		if !want[id] {
			extra = append(extra, id)
		}
	}
	for id := range want {
		if !got[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	return extra, missing
}

// engagementWrites is the records the template's syncs wrote in a pass.
func engagementWrites(p pass) (records, calls int64) {
	for _, n := range append(append([]string{}, engagementSyncs4...), "engagement_sf_tasks") {
		r := p.syncs[n]
		if r.Sync == "" {
			continue
		}
		records += r.Added + r.Changed
		calls += r.APICalls
	}
	return records, calls
}

// TestEngagementToCRM runs the "Zoho Campaigns engagement → CRM" template
// with the sandbox config (every template enabled but the two lead syncs,
// which create leads that would take a score on the next pass): the first
// run scores exactly the Salesforce leads of people who opened or clicked
// and logs each open and click once as a Task; a re-run writes nothing.
// Then Campaigns gets an open and a click of one person, an unsubscribe of
// another and an open of an address no CRM holds: the next run raises the
// first person's score once and logs two Tasks, marks the second opted
// out in both CRMs, counts the third as unmatched and writes it nowhere;
// the run after writes nothing, and an opt-out set in the CRM is never
// cleared. A full resync writes no score; after the Tasks' sync is reset,
// every response is sent again and no Task is created twice.
func TestEngagementToCRM(t *testing.T) {
	t.Parallel()
	w, campaigns := startEngagementSandbox(t, 200)
	// The other templates have tests of their own; the lead templates
	// would also create leads that take a score a run later.
	w.pauseOthers(append(append([]string{}, engagementSyncs4...), "engagement_sf_tasks")...)

	first := w.run(0)
	for _, n := range append(append([]string{}, engagementSyncs4...), "engagement_sf_tasks") {
		if r := first.syncs[n]; r.Status != "succeeded" || r.Failed != 0 {
			t.Fatalf("%s: %+v\n%s", n, r, first.out)
		}
	}

	// The leads and contacts whose person opened or clicked (through the
	// crosswalk from the golden person of each event), and no others,
	// hold a score.
	want := queryRows(t, w.cfg, `SELECT DISTINCT x.source_id AS id FROM core.email_events e
		JOIN identity.crosswalk x ON x.golden_id = e.person_id AND x.system = 'salesforce' AND x.object IN ('Lead', 'Contact')
		WHERE e.action IN ('opened', 'clicked')
		  AND x.source_id NOT IN (SELECT "Id" FROM salesforce.lead WHERE coalesce("IsConverted", false))`)
	var scored []map[string]any
	for _, obj := range []string{"Lead", "Contact"} {
		scored = append(scored, soql(t, w.sf, w.info, "SELECT Id, Lead_Score__c, Lead_Score_Band__c, Last_Engagement__c FROM "+obj+" WHERE Lead_Score__c != null")...)
	}
	if len(want) < 3 {
		t.Fatalf("only %d Salesforce leads and contacts of engaged people in the sandbox world", len(want))
	}
	if extra, missing := sameSet(idSet(scored, "Id"), idSet(want, "id")); len(extra)+len(missing) > 0 {
		t.Errorf("scored leads and contacts: %d not of engaged people %v; %d of engaged people without a score %v", len(extra), extra, len(missing), missing)
	}
	// Each holds its person's score of metrics.lead_scores as a whole
	// number (taken at the start of the day, so within one point of the
	// score now), and a band.
	scores := map[string]map[string]any{}
	for _, r := range queryRows(t, w.cfg, `SELECT x.source_id AS id, s.score, s.band FROM metrics.lead_scores s
		JOIN identity.crosswalk x ON x.golden_id = s.person_id AND x.system = 'salesforce'`) {
		scores[fmt.Sprint(r["id"])] = r
	}
	for _, l := range scored {
		got, s := num(l["Lead_Score__c"]), scores[fmt.Sprint(l["Id"])]
		if got != math.Round(got) || math.Abs(got-num(s["score"])) > 1 || l["Lead_Score_Band__c"] == nil || l["Last_Engagement__c"] == nil {
			t.Errorf("%v: score %v band %v last engagement %v; metrics.lead_scores %v", l["Id"], l["Lead_Score__c"],
				l["Lead_Score_Band__c"], l["Last_Engagement__c"], s)
		}
	}
	responses := queryRows(t, w.cfg, `SELECT count(*) AS n FROM syncs.engagement_sf_tasks`)[0]["n"]
	tasks := soql(t, w.sf, w.info, "SELECT Id, Zoho_Campaigns_Response_Id__c, WhoId, Status FROM Task WHERE Zoho_Campaigns_Response_Id__c != null")
	if len(tasks) == 0 || float64(len(tasks)) != num(responses) || len(idSet(tasks, "Zoho_Campaigns_Response_Id__c")) != len(tasks) {
		t.Errorf("%d response Tasks (%d distinct response ids), the model has %v responses", len(tasks), len(idSet(tasks, "Zoho_Campaigns_Response_Id__c")), responses)
	}
	records1, calls1 := engagementWrites(first)
	t.Logf("first run: %d Salesforce leads and contacts scored of %d, %d records written (SF leads %d, SF contacts %d, Zoho leads %d, Zoho contacts %d), %d Tasks, %d API calls",
		len(scored), len(soql(t, w.sf, w.info, "SELECT Id FROM Lead"))+len(soql(t, w.sf, w.info, "SELECT Id FROM Contact")), records1, first.written("engagement_sf_leads"),
		first.written("engagement_sf_contacts"), first.written("engagement_zoho_leads"), first.written("engagement_zoho_contacts"),
		first.written("engagement_sf_tasks"), calls1)

	second := w.run(0)
	records2, calls2 := engagementWrites(second)
	t.Logf("re-run: %d records written, %d API calls", records2, calls2)
	if records2 != 0 {
		for _, n := range append(append([]string{}, engagementSyncs4...), "engagement_sf_tasks") {
			t.Errorf("re-run: %s wrote %d records", n, second.written(n))
		}
	}

	// One person with a score and one Salesforce record opens and clicks
	// a campaign they had not opened; another person, with records in both
	// CRMs, unsubscribes; an address no CRM record has opens a campaign.
	hot := w.one(`SELECT DISTINCT e.email, e.person_id, x.source_id AS record_id, x.object
		FROM core.email_events e
		JOIN syncs.engagement_people p ON p.person_id = e.person_id AND p.takes_part
		JOIN identity.crosswalk x ON x.golden_id = e.person_id AND x.system = 'salesforce'
		WHERE e.person_id IN (SELECT golden_id FROM identity.crosswalk WHERE system = 'salesforce' GROUP BY 1 HAVING count(*) = 1)
		  AND x.source_id NOT IN (SELECT "Id" FROM salesforce.lead WHERE coalesce("IsConverted", false))
		ORDER BY x.object DESC, e.person_id LIMIT 1`)
	hotRecord, hotObject := fmt.Sprint(hot["record_id"]), fmt.Sprint(hot["object"])
	hotScore := num(soql(t, w.sf, w.info, "SELECT Lead_Score__c FROM "+hotObject+" WHERE Id = '"+hotRecord+"'")[0]["Lead_Score__c"])
	key := ""
	for _, c := range campaigns.Campaigns() {
		opened := queryRows(t, w.cfg, `SELECT 1 AS x FROM core.email_events WHERE campaign_key = '`+c.Key+`' AND person_id = '`+
			fmt.Sprint(hot["person_id"])+`' AND action IN ('opened', 'clicked')`)
		if len(opened) == 0 {
			key = c.Key
			break
		}
	}
	if key == "" {
		t.Fatalf("person %v opened every campaign", hot["person_id"])
	}
	leaving := w.one(`SELECT e.email, e.person_id, s.source_id AS sf_id, s.object AS sf_object, z.source_id AS zoho_id, z.object AS zoho_object
		FROM core.email_events e
		JOIN identity.crosswalk s ON s.golden_id = e.person_id AND s.system = 'salesforce' AND s.object IN ('Lead', 'Contact')
		JOIN identity.crosswalk z ON z.golden_id = e.person_id AND z.system = 'zoho_crm' AND z.object IN ('Leads', 'Contacts')
		WHERE e.person_id <> '` + fmt.Sprint(hot["person_id"]) + `'
		  AND e.person_id NOT IN (SELECT person_id FROM metrics.email_engagement_by_person WHERE unsubscribed)
		  AND s.source_id NOT IN (SELECT "Id" FROM salesforce.lead WHERE coalesce("IsConverted", false))
		  AND z.source_id NOT IN (SELECT id FROM zoho_crm.leads WHERE coalesce("Converted__s", false))
		ORDER BY e.person_id LIMIT 1`)
	// Someone opts the first person out of e-mail in Salesforce by hand:
	// the run that writes their new score must not set it back.
	w.sfUpdate(hotObject, hotRecord, map[string]any{"HasOptedOutOfEmail": true})
	const stranger = "nobody.at.all@unmatched-engagement.example"
	for _, e := range []struct{ campaign, email, action string }{
		{key, fmt.Sprint(hot["email"]), campaignstest.ActionOpened},
		{key, fmt.Sprint(hot["email"]), campaignstest.ActionClicked},
		{key, fmt.Sprint(leaving["email"]), campaignstest.ActionOptOut},
		{key, stranger, campaignstest.ActionOpened},
	} {
		if ok, err := campaigns.AddEngagement(e.campaign, e.email, e.action, time.Time{}); err != nil || !ok {
			t.Fatalf("add %s %s %s: %v %v", e.campaign, e.email, e.action, ok, err)
		}
	}

	third := w.run(0)
	records3, calls3 := engagementWrites(third)
	t.Logf("after an open and a click, an unsubscribe and an unmatched open: %d records written (%d Tasks), %d API calls",
		records3, third.written("engagement_sf_tasks"), calls3)
	after := num(soql(t, w.sf, w.info, "SELECT Lead_Score__c FROM "+hotObject+" WHERE Id = '"+hotRecord+"'")[0]["Lead_Score__c"])
	if after-hotScore < 19 || after-hotScore > 20 {
		t.Errorf("%s %s: score %v → %v after a fresh open (5) and click (15)", hotObject, hotRecord, hotScore, after)
	}
	hotEmail := strings.ToLower(fmt.Sprint(hot["email"]))
	for _, action := range []string{"opened", "clicked"} {
		id := key + ":" + hotEmail + ":" + action
		got := soql(t, w.sf, w.info, "SELECT Id, WhoId, Status FROM Task WHERE Zoho_Campaigns_Response_Id__c = '"+id+"'")
		if len(got) != 1 || got[0]["WhoId"] != hotRecord || got[0]["Status"] != "Completed" {
			t.Errorf("response %s: tasks %v, want one Completed on %s %s", id, got, hotObject, hotRecord)
		}
	}
	if n := third.written("engagement_sf_tasks"); n != 2 {
		t.Errorf("%d Tasks logged after one open and one click, want 2", n)
	}
	if got := soql(t, w.sf, w.info, "SELECT HasOptedOutOfEmail FROM "+fmt.Sprint(leaving["sf_object"])+" WHERE Id = '"+fmt.Sprint(leaving["sf_id"])+"'")[0]; got["HasOptedOutOfEmail"] != true {
		t.Errorf("%v %v of a person who unsubscribed: HasOptedOutOfEmail %v", leaving["sf_object"], leaving["sf_id"], got["HasOptedOutOfEmail"])
	}
	if got := w.zohoRecord(fmt.Sprint(leaving["zoho_object"]), fmt.Sprint(leaving["zoho_id"])); got["Email_Opt_Out"] != true {
		t.Errorf("zoho %v %v of a person who unsubscribed: Email_Opt_Out %v", leaving["zoho_object"], leaving["zoho_id"], got["Email_Opt_Out"])
	}
	if got := soql(t, w.sf, w.info, "SELECT HasOptedOutOfEmail FROM "+hotObject+" WHERE Id = '"+hotRecord+"'")[0]; got["HasOptedOutOfEmail"] != true {
		t.Errorf("%s %s: the opt-out set in Salesforce was cleared when its score was written", hotObject, hotRecord)
	}
	unmatched := queryRows(t, w.cfg, `SELECT reason, opens FROM metrics.email_engagement_unmatched WHERE email = '`+stranger+`'`)
	if len(unmatched) != 1 || unmatched[0]["reason"] != "no_person" || num(unmatched[0]["opens"]) != 1 {
		t.Errorf("metrics.email_engagement_unmatched for %s: %v", stranger, unmatched)
	}
	if got := soql(t, w.sf, w.info, "SELECT Id FROM Task WHERE Zoho_Campaigns_Response_Id__c LIKE '%"+stranger+"%'"); len(got) != 0 {
		t.Errorf("an unmatched address got Tasks: %v", got)
	}
	// Only the two people's records (and the Tasks) were written.
	touched := queryRows(t, w.cfg, `SELECT count(*) AS n FROM identity.crosswalk
		WHERE golden_id IN ('`+fmt.Sprint(hot["person_id"])+`', '`+fmt.Sprint(leaving["person_id"])+`')
		  AND system IN ('salesforce', 'zoho_crm') AND object IN ('Lead', 'Contact', 'Leads', 'Contacts')`)[0]["n"]
	if got := records3 - third.written("engagement_sf_tasks"); float64(got) > num(touched) || got < 2 {
		t.Errorf("%d lead and contact records written for two people who hold %v", got, touched)
	}

	fourth := w.run(0)
	records4, calls4 := engagementWrites(fourth)
	t.Logf("re-run: %d records written, %d API calls", records4, calls4)
	if records4 != 0 {
		for _, n := range append(append([]string{}, engagementSyncs4...), "engagement_sf_tasks") {
			t.Errorf("re-run: %s wrote %d records", n, fourth.written(n))
		}
	}
	logged := soql(t, w.sf, w.info, "SELECT Id FROM Task WHERE Zoho_Campaigns_Response_Id__c != null")

	// A resync: the scores compared with the records' current values
	// write nothing; the Tasks' snapshots forgotten, every response is
	// sent again and lands on its Task (an upsert on the external id).
	syncs := append(append([]string{}, engagementSyncs4...), "engagement_sf_tasks")
	code, reps, errOut := runSync(t, w.cfg, append([]string{"--full-resync"}, syncs...)...)
	if code != 0 {
		t.Fatalf("sync --full-resync: exit %d %s", code, errOut)
	}
	for _, n := range engagementSyncs4 {
		if r := reps[n]; r.Status != "succeeded" || r.Added+r.Changed != 0 {
			t.Errorf("full resync of %s: %+v", n, r)
		}
	}
	if code, out, errOut := revops(t, w.env, "sync", "reset", "engagement_sf_tasks", "--force", "-c", w.cfg); code != 0 {
		t.Fatalf("sync reset: %d %s %s", code, out, errOut)
	}
	code, reps, errOut = runSync(t, w.cfg, "engagement_sf_tasks")
	if r := reps["engagement_sf_tasks"]; code != 0 || r.Status != "succeeded" || r.Succeeded != int64(len(logged)) {
		t.Errorf("engagement_sf_tasks after a reset: exit %d %+v (%d Tasks) %s", code, r, len(logged), errOut)
	}
	tasks = soql(t, w.sf, w.info, "SELECT Id, Zoho_Campaigns_Response_Id__c FROM Task WHERE Zoho_Campaigns_Response_Id__c != null")
	if len(tasks) != len(logged) || len(idSet(tasks, "Zoho_Campaigns_Response_Id__c")) != len(tasks) {
		t.Errorf("after a resync: %d response Tasks (%d response ids), %d before", len(tasks), len(idSet(tasks, "Zoho_Campaigns_Response_Id__c")), len(logged))
	}
	t.Logf("resync: %d responses sent again, %d Tasks before and %d after", reps["engagement_sf_tasks"].Succeeded, len(logged), len(tasks))
}
