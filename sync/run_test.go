//go:build duckdb_arrow

package sync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	extractsf "github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

// env is an emulated Salesforce org, its destination and a DuckDB warehouse.
type env struct {
	org      *sftest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
	dest     *salesforce.Destination
	opts     extractsf.Options
	w        *duckdb.Warehouse
	runner   *revsync.Runner
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	e.org = sftest.Start(sftest.Options{Counters: e.counters, Faults: e.faults})
	t.Cleanup(e.org.Close)
	id, secret, refresh, _ := e.org.Credentials()
	opts := extractsf.Options{LoginURL: e.org.URL, Auth: extractsf.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}}
	d, err := salesforce.New(context.Background(), opts.ClientConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.dest, e.opts = d, opts
	w, err := duckdb.Open(context.Background(), duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	e.w = w
	e.runner = &revsync.Runner{Warehouse: w}
	e.exec(t, `CREATE SCHEMA syncs`)
	return e
}

func (e *env) exec(t testing.TB, q string) {
	t.Helper()
	if err := e.w.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// writes counts sObject Collections calls.
func (e *env) writes() int64 {
	return e.counters.Sum(func(c sandbox.Count) bool { return strings.Contains(c.Endpoint, "/composite/sobjects") })
}

func (e *env) rows(t testing.TB, q string) [][]any {
	t.Helper()
	r, err := e.w.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// leadModel creates syncs.leads with n rows.
func (e *env) leadModel(t *testing.T, n int) {
	e.exec(t, fmt.Sprintf(`CREATE OR REPLACE TABLE syncs.leads AS SELECT 'ZL-' || lpad(CAST(i AS VARCHAR), 5, '0') AS zoho_lead_id,
		'Last ' || i AS last_name, 'Company ' || (i %% 7) AS company, 'lead' || i || '@example.com' AS email,
		CASE i %% 2 WHEN 0 THEN 'Contacted' ELSE 'Not Contacted' END AS status FROM range(%d) t(i)`, n))
}

func leadSpec(mode revsync.Mode) *revsync.Spec {
	return &revsync.Spec{Name: "leads", Model: "syncs.leads", Destination: revsync.Target{Source: "salesforce", Object: "Lead"},
		Mode: mode, Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Zoho_Lead_Id__c"}, Key: "zoho_lead_id",
		Mapping: map[string]revsync.FieldMap{
			"Zoho_Lead_Id__c": {Column: "zoho_lead_id"}, "LastName": {Column: "last_name"}, "Company": {Column: "company"},
			"Email":  {Column: "email"},
			"Status": {Column: "status", Picklist: map[string]any{"Contacted": "Working - Contacted", "Not Contacted": "Open - Not Contacted"}},
		}}
}

func (e *env) leadsWith(prefix string) int {
	n := 0
	for _, r := range e.org.Records("Lead") {
		if s, _ := r["Zoho_Lead_Id__c"].(string); strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func TestUpsertSendsOnlyChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 450)
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 450 || rep.Succeeded != 450 || rep.Failed != 0 || e.writes() != 3 {
		t.Fatalf("first run: %+v, %d write calls (want 3 = ceil(450/200))", rep.Counts, e.writes())
	}
	if n := e.leadsWith("ZL-"); n != 450 {
		t.Fatalf("%d leads in the org", n)
	}
	rep, err = e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err != nil || rep.Planned != 0 || e.writes() != 3 || rep.Unchanged != 450 {
		t.Fatalf("re-run with nothing changed: %+v %v, %d write calls", rep.Counts, err, e.writes())
	}
	e.exec(t, `UPDATE syncs.leads SET company = 'Acme' WHERE zoho_lead_id IN ('ZL-00003', 'ZL-00100')`)
	rep, err = e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err != nil || rep.Changed != 2 || rep.Succeeded != 2 || e.writes() != 4 {
		t.Fatalf("after 2 changes: %+v %v, %d write calls", rep.Counts, err, e.writes())
	}
	for _, r := range e.org.Records("Lead") {
		if r["Zoho_Lead_Id__c"] == "ZL-00003" && r["Company"] != "Acme" {
			t.Errorf("ZL-00003: Company %v", r["Company"])
		}
		if r["Zoho_Lead_Id__c"] == "ZL-00004" && r["Status"] != "Working - Contacted" {
			t.Errorf("ZL-00004: Status %v (picklist map)", r["Status"])
		}
	}
	runs, err := revsync.History(ctx, e.w, []string{"leads"}, 0)
	if err != nil || len(runs) != 3 || runs[0].Succeeded != 2 || runs[0].APICalls < 2 {
		t.Fatalf("history: %+v %v", runs, err)
	}
}

func TestBadRowsAndPartialBatchFailure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 20)
	e.exec(t, `UPDATE syncs.leads SET email = 'not an email' WHERE zoho_lead_id = 'ZL-00001'`)
	e.exec(t, `UPDATE syncs.leads SET last_name = repeat('x', 200) WHERE zoho_lead_id = 'ZL-00002'`)
	e.exec(t, `INSERT INTO syncs.leads VALUES ('ZL-00005', 'Dup', 'Dup', 'dup@example.com', 'Contacted'), (NULL, 'Null', 'Null', 'n@example.com', 'Contacted')`)
	e.faults.Add(sandbox.Rule{Kind: sandbox.FaultLockRow, System: "salesforce", Times: 1, Records: []string{"ZL-00007"}})
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.NullKeys != 1 || len(rep.Duplicates) != 1 || rep.Duplicates[0] != "ZL-00005" {
		t.Errorf("null keys %d, duplicates %v", rep.NullKeys, rep.Duplicates)
	}
	fails, err := revsync.Failures(ctx, e.w, []string{"leads"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, f := range fails {
		codes[f.Key] = f.Code
	}
	for key, code := range map[string]string{"ZL-00001": revsync.CodeBadEmail, "ZL-00002": revsync.CodeTooLong, "ZL-00005": revsync.CodeDuplicateKey} {
		if codes[key] != code {
			t.Errorf("failure of %s: %q, want %s (all: %v)", key, codes[key], code, codes)
		}
	}
	if e.leadsWith("ZL-00005") != 0 || e.leadsWith("ZL-00001") != 0 {
		t.Error("a duplicate key or a bad row was written")
	}
	written := e.leadsWith("ZL-")
	if int64(written) != rep.Succeeded {
		t.Errorf("%d leads written, report says %d", written, rep.Succeeded)
	}
	// Fix the bad rows: the next run sends only them (and any row the
	// lock failed).
	e.exec(t, `UPDATE syncs.leads SET email = 'ok1@example.com' WHERE zoho_lead_id = 'ZL-00001'`)
	e.exec(t, `UPDATE syncs.leads SET last_name = 'Short' WHERE zoho_lead_id = 'ZL-00002'`)
	rep2, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{RetryFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Succeeded != int64(19-written-1+1) && e.leadsWith("ZL-") != 19 {
		t.Errorf("retry: %+v; %d leads", rep2.Counts, e.leadsWith("ZL-"))
	}
	if e.leadsWith("ZL-") != 19 {
		t.Errorf("%d leads after the retry, want 19 (20 minus the duplicate key)", e.leadsWith("ZL-"))
	}
}

func TestValidationErrorsStopBeforeWriting(t *testing.T) {
	e := newEnv(t)
	e.leadModel(t, 3)
	s := leadSpec(revsync.ModeUpsert)
	s.Mapping["Compny"] = revsync.FieldMap{Column: "company"}
	delete(s.Mapping, "Company")
	s.Mapping["IsConverted"] = revsync.FieldMap{Value: true}
	_, err := e.runner.Run(context.Background(), s, e.dest, revsync.Options{})
	if !errors.Is(err, revsync.ErrBadSpec) {
		t.Fatalf("want a spec error, got %v", err)
	}
	for _, want := range []string{"sync leads: field Compny: unknown field on Lead", "field IsConverted: read-only", "field Company: mandatory"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if e.writes() != 0 {
		t.Errorf("%d writes", e.writes())
	}
	s = leadSpec(revsync.ModeUpsert)
	s.Model = "syncs.nope"
	if _, err := e.runner.Run(context.Background(), s, e.dest, revsync.Options{}); err == nil || !strings.Contains(err.Error(), "sync leads: read model syncs.nope") {
		t.Errorf("missing model: %v", err)
	}
}

func TestDroppedAnswerDoesNotCreateTwice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 30)
	// The insert is served, then the connection drops before the answer.
	rules, err := sandbox.ParseRules("drop:system=salesforce:method=POST:endpoint=/services/data/vXX.X/composite/sobjects:times=1")
	if err != nil {
		t.Fatal(err)
	}
	e.faults.Add(rules[0])
	_, err = e.runner.Run(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.Options{})
	if err == nil {
		t.Fatal("want the dropped answer to fail the run")
	}
	if n := e.leadsWith("ZL-"); n != 30 {
		t.Fatalf("the emulator holds %d leads after the dropped answer, want 30 (it served the request)", n)
	}
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.leadsWith("ZL-"); n != 30 || rep.Planned != 0 {
		t.Fatalf("re-run: %d leads, planned %d: want 30 and nothing sent again", n, rep.Planned)
	}
	if rows := e.rows(t, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'leads' AND destination_id IS NOT NULL`); rows[0][0] != int64(30) {
		t.Errorf("snapshots: %v", rows)
	}
}

func TestPlanThenApplyRefusesChangedRecords(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 10)
	if _, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{}); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE syncs.leads SET company = 'Planned Co' WHERE zoho_lead_id IN ('ZL-00001', 'ZL-00002')`)
	before := e.writes()
	plan, err := e.runner.Plan(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.writes() != before || len(plan.Rows) != 2 || plan.Rows[0].Fields["Company"].After != "Planned Co" || plan.Rows[0].Fields["Company"].Before != "Company 1" {
		t.Fatalf("plan: %+v; %d writes", plan.Rows, e.writes()-before)
	}
	// Someone edits ZL-00002 in Salesforce after the plan.
	id := plan.Rows[1].DestID
	res, err := e.dest.Write(ctx, "Lead", revsync.OpUpdate, revsync.Match{By: revsync.MatchID}, []revsync.Record{{ID: id, Values: map[string]any{"Company": "Edited By Hand"}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	rep, err := e.runner.Apply(ctx, leadSpec(revsync.ModeUpsert), e.dest, plan.ID, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Succeeded != 1 || rep.Refused != 1 || rep.Failed != 1 || rep.Skipped != 0 || rep.Status != "partial" {
		t.Fatalf("apply: %s %+v %v", rep.Status, rep.Counts, rep.Errors)
	}
	for _, r := range e.org.Records("Lead") {
		switch r["Zoho_Lead_Id__c"] {
		case "ZL-00001":
			if r["Company"] != "Planned Co" {
				t.Errorf("ZL-00001: %v", r["Company"])
			}
		case "ZL-00002":
			if r["Company"] != "Edited By Hand" {
				t.Errorf("ZL-00002 was overwritten: %v", r["Company"])
			}
		}
	}
	fails, _ := revsync.Failures(ctx, e.w, []string{"leads"}, 0)
	if len(fails) != 1 || fails[0].Code != revsync.CodeDestinationMoved {
		t.Errorf("failures: %+v", fails)
	}
	if _, err := e.runner.Apply(ctx, leadSpec(revsync.ModeUpsert), e.dest, plan.ID, revsync.Options{}); err == nil {
		t.Error("a plan applied twice")
	}
}
