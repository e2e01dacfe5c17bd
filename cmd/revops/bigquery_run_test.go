//go:build duckdb_arrow

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/load/bigquery/bqtest"
)

// TestBigQueryRunAndLink runs the whole pipeline on BigQuery (the
// emulator, reached by the official client over loopback, with pages of
// 50 rows so that every longer result is read through its Storage Read
// API): `revops run` extracts, builds every
// model and syncs; the next run extracts the copies the syncs made and
// the example link (zoho_sf_leads) fills them; a third run writes
// nothing. Then a lead changed in each CRM reaches the other through
// `revops link`, one write each way, and the link run after it writes
// nothing; a title changed in both is decided by its owner and listed as
// a conflict. An identity decision is recorded and built; status and the
// histories read the state.
func TestBigQueryRunAndLink(t *testing.T) {
	t.Parallel()
	cfg, info, bq := bigQueryConfig(t, 100, bqtest.WithPageRows(50))
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	// The lead templates and the account enrichment run on BigQuery;
	// the others' state statements are the same and have tests on DuckDB
	// (each template on the emulator costs minutes of jobs).
	pauseTemplatesBut(t, env, cfg, "zoho_sf_leads", "zoho_leads_to_sf", "sf_leads_to_zoho", "account_enrichment_sf")
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		_, fo, fe := revops(t, env, "sync", "failures", "-c", cfg)
		t.Fatalf("run: exit %d\n%s%s\n%s%s", code, out, errOut, fo, fe)
	}
	for _, rel := range []string{"salesforce.lead", "zoho_crm.leads", "staging.stg_salesforce__lead", "core.leads", "core.deals",
		"metrics.pipeline_by_stage", "identity.persons", "syncs.account_enrichment_sf", "_revops.sync_snapshots", "_revops.runs"} {
		if n := queryRows(t, cfg, "SELECT count(*) AS n FROM "+rel)[0]["n"]; num(n) == 0 {
			t.Errorf("%s holds no rows after the run", rel)
		}
	}
	first := crmWrites(t, info)
	if first == 0 {
		t.Fatal("the first run wrote nothing to the CRMs: the example syncs did not run")
	}
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	before := crmWrites(t, info)
	bq.ResetRequests()
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("third run: exit %d\n%s%s", code, out, errOut)
	}
	if n := crmWrites(t, info) - before; n != 0 {
		t.Errorf("the third run sent %d writes, want 0", n)
	}
	req := bq.Requests()
	t.Logf("CRM writes: first run %d, second run %d, third run %d; third run's emulator requests %v",
		first, before-first, crmWrites(t, info)-before, req)
	if req["storage.CreateReadSession"] == 0 || req["storage.ReadRows"] == 0 {
		t.Errorf("the third run read nothing through the Storage Read API: requests %v", req)
	}

	// Two-way link: a change on each side crosses once.
	zid, sid, sf, zo := editLinkedLeadPair(t, env, cfg, info)
	bq.ResetRequests()
	code, doc, errOut := runLink(t, env, cfg, "zoho_sf_leads")
	r := linkReports(t, doc, "links")
	if code != 0 || len(r) != 1 || len(r[0].Sides) != 2 || r[0].Sides[0].Updated != 1 || r[0].Sides[1].Updated != 1 || r[0].Conflicts != 0 {
		t.Fatalf("one change each way: exit %d %+v %s", code, r, errOut)
	}
	t.Logf("link: %d pairs, %d API calls; emulator requests %v", r[0].Pairs, r[0].APICalls, bq.Requests())
	// Each write's answer was recorded in the transaction that cleared its
	// in-flight row (ExecTx: one script job).
	for q, want := range map[string]bool{
		"SELECT count(*) AS n FROM _revops.link_inflight":                            false,
		"SELECT count(*) AS n FROM _revops.link_writes WHERE link = 'zoho_sf_leads'": true,
		"SELECT count(*) AS n FROM _revops.link_values WHERE link = 'zoho_sf_leads'": true,
		"SELECT count(*) AS n FROM _revops.link_runs WHERE status = 'succeeded'":     true,
	} {
		if n := num(queryRows(t, cfg, q)[0]["n"]); (n > 0) != want {
			t.Errorf("%s: %v rows", q, n)
		}
	}
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	code, doc, errOut = runLink(t, env, cfg, "zoho_sf_leads")
	if r := linkReports(t, doc, "links"); code != 0 || len(r) != 1 || r[0].Updated != 0 || r[0].Created != 0 {
		t.Fatalf("the echo was written: exit %d %+v %s", code, r, errOut)
	}
	got := queryRows(t, cfg, fmt.Sprintf(`SELECT City AS city FROM salesforce.lead WHERE Id = '%s'`, sid))
	if len(got) != 1 || got[0]["city"] != "Lisbon" {
		t.Errorf("salesforce.lead %s after the link: %v, want City Lisbon", sid, got)
	}
	got = queryRows(t, cfg, fmt.Sprintf(`SELECT Designation AS title FROM zoho_crm.leads WHERE id = '%s'`, zid))
	if len(got) != 1 || got[0]["title"] != "Head of Revenue" {
		t.Errorf("zoho_crm.leads %s after the link: %v, want Designation Head of Revenue", zid, got)
	}
	// A conflict: both CRMs change the title; its owner (salesforce) wins
	// and the conflict is recorded in _revops.link_conflicts.
	if c, b := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads", fmt.Sprintf(`{"data":[{"id":%q,"Designation":"VP Revenue"}]}`, zid)); c != 200 {
		t.Fatalf("zoho edit: %d %s", c, b)
	}
	if c, b := sf.do("PATCH", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead/"+sid, `{"Title":"Chief Revenue Officer"}`); c != 204 {
		t.Fatalf("salesforce edit: %d %s", c, b)
	}
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	code, doc, errOut = runLink(t, env, cfg, "zoho_sf_leads")
	if r := linkReports(t, doc, "links"); code != 0 || len(r) != 1 || r[0].Conflicts != 1 || r[0].Sides[0].Updated != 1 || r[0].Sides[1].Updated != 0 {
		t.Fatalf("conflict: exit %d %+v %s", code, r, errOut)
	}
	code, out, errOut := revops(t, env, "link", "conflicts", "zoho_sf_leads", "-c", cfg, "--json")
	var cs struct {
		Conflicts []struct{ Field, Winner string } `json:"conflicts"`
	}
	if err := json.Unmarshal([]byte(out), &cs); err != nil || code != 0 || len(cs.Conflicts) != 1 || cs.Conflicts[0].Winner != "salesforce" {
		t.Fatalf("link conflicts: exit %d %s %s", code, out, errOut)
	}
	// A person's decision lands in _revops.identity_decisions and the
	// next build reads it.
	recs := queryRows(t, cfg, "SELECT record_id FROM identity.crosswalk WHERE entity = 'person' ORDER BY record_id LIMIT 2")
	if len(recs) != 2 {
		t.Fatalf("identity.crosswalk: %v", recs)
	}
	if code, out, errOut := revops(t, env, "identity", "decide", "-c", cfg, fmt.Sprint(recs[0]["record_id"]), fmt.Sprint(recs[1]["record_id"]), "no-match"); code != 0 {
		t.Fatalf("identity decide: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := revops(t, env, "build", "-c", cfg, "--select", "identity.decisions"); code != 0 {
		t.Fatalf("build identity.decisions: exit %d\n%s\n%s", code, out, errOut)
	}
	if d := queryRows(t, cfg, "SELECT decision FROM identity.decisions"); len(d) != 1 || d[0]["decision"] != "no_match" {
		t.Errorf("identity.decisions: %v", d)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "-c", cfg}, "warehouse: bigquery"},
		{[]string{"sync", "history", "-c", cfg}, "account_enrichment_sf"},
		{[]string{"link", "history", "-c", cfg}, "zoho_sf_leads"},
	} {
		if code, out, errOut := revops(t, env, c.args...); code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %q in\n%s\n%s", strings.Join(c.args, " "), code, c.want, out, errOut)
		}
	}
}
