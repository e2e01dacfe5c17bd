//go:build duckdb_arrow

package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

const collections = "/services/data/vXX.X/composite/sobjects*"

// settled returns the counters' total once it holds still for 10 ms (the
// emulator counts a request after its handler returns).
func settled(c *sandbox.Counters) int64 {
	n := c.Sum(nil)
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		m := c.Sum(nil)
		if m == n {
			break
		}
		n = m
	}
	return n
}

// distinctLeads returns how many leads hold a Zoho_Lead_Id__c and how
// many distinct values they hold.
func (e *env) distinctLeads() (n, distinct int) {
	seen := map[any]bool{}
	for _, r := range e.org.Records("Lead") {
		if k, _ := r["Zoho_Lead_Id__c"].(string); strings.HasPrefix(k, "ZL-") {
			n++
			seen[k] = true
		}
	}
	return n, len(seen)
}

func TestRunThroughInjected429And5xxAndDrop(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 450)
	e.faults.Add(sandbox.Rule{Kind: sandbox.Fault429, System: "salesforce", Method: "PATCH", Endpoint: collections, Times: 1})
	e.faults.Add(sandbox.Rule{Kind: sandbox.Fault503, System: "salesforce", Method: "PATCH", Endpoint: collections, After: 2, Times: 1})
	e.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, System: "salesforce", Method: "PATCH", Endpoint: collections, After: 3, Times: 1})
	before := settled(e.counters)
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 450 || rep.Failed != 0 {
		t.Fatalf("run under faults: %v %+v %v", err, rep.Counts, rep.Errors)
	}
	if n, d := e.distinctLeads(); n != 450 || d != 450 {
		t.Fatalf("%d leads, %d distinct: want 450 with no duplicate", n, d)
	}
	// API calls are the HTTP layer's requests: 1 describe + 3 writes + 3 retries.
	served := settled(e.counters) - before
	if rep.APICalls != 7 || served != 7 {
		t.Errorf("API calls %d, emulator served %d: want 7 (describe, 3 writes, 3 retries)", rep.APICalls, served)
	}
	runs, _ := revsync.History(ctx, e.w, []string{"leads"}, 1)
	if len(runs) != 1 || runs[0].APICalls != rep.APICalls {
		t.Errorf("run log: %+v", runs)
	}
	before = e.writes()
	if rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{}); err != nil || rep.Planned != 0 || e.writes() != before {
		t.Errorf("re-run: %v %+v, %d writes", err, rep.Counts, e.writes()-before)
	}
}

// TestInsertFaultsRecordRowsAndConverge: inserts (POST) are not retried
// by the HTTP layer after a 500 or a dropped answer (the server may have
// written them), so such a fault fails its batch; the rows of that batch
// are BATCH_FAILED, the rows after it NOT_SENT, and the next run converges
// without a duplicate create.
func TestInsertFaultsRecordRowsAndConverge(t *testing.T) {
	for _, kind := range []sandbox.FaultKind{sandbox.Fault500, sandbox.FaultDrop} {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.leadModel(t, 450)
			e.faults.Add(sandbox.Rule{Kind: kind, System: "salesforce", Method: "POST", Endpoint: collections, After: 1, Times: 1})
			rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.Options{})
			if err == nil || rep.Status != "failed" || rep.Succeeded != 200 || rep.Failed != 250 {
				t.Fatalf("run: %v, %s %+v", err, rep.Status, rep.Counts)
			}
			codes := map[string]int{}
			fails, _ := revsync.Failures(ctx, e.w, []string{"leads"}, 0)
			for _, f := range fails {
				codes[f.Code]++
				if !f.Retryable {
					t.Errorf("%s: not retryable", f.Key)
				}
			}
			if codes[revsync.CodeBatchFailed] != 200 || codes[revsync.CodeNotSent] != 50 {
				t.Errorf("failure codes %v, want 200 %s and 50 %s", codes, revsync.CodeBatchFailed, revsync.CodeNotSent)
			}
			if r := e.rows(t, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'leads'`); r[0][0] != int64(200) {
				t.Errorf("snapshots %v, want 200 (only the rows written)", r)
			}
			rep, err = e.runner.Run(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.Options{})
			if err != nil || rep.Failed != 0 {
				t.Fatalf("re-run: %v %+v", err, rep.Counts)
			}
			if n, d := e.distinctLeads(); n != 450 || d != 450 {
				t.Errorf("%d leads, %d distinct after the re-run: want 450, no duplicate", n, d)
			}
			if fails, _ := revsync.Failures(ctx, e.w, []string{"leads"}, 0); len(fails) != 0 {
				t.Errorf("%d failures left", len(fails))
			}
		})
	}
}

// TestThrottledInsertIsRetried: a 429 means the server did not process
// the request, so the HTTP layer sends the insert again and the run
// completes with every row written once.
func TestThrottledInsertIsRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 450)
	e.faults.Add(sandbox.Rule{Kind: sandbox.Fault429, System: "salesforce", Method: "POST", Endpoint: collections, After: 1, Times: 1})
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 450 || rep.Failed != 0 {
		t.Fatalf("run: %v %+v", err, rep.Counts)
	}
	if n, d := e.distinctLeads(); n != 450 || d != 450 {
		t.Errorf("%d leads, %d distinct: want 450, no duplicate", n, d)
	}
}

func TestZohoCredentialsRevokedMidRun(t *testing.T) {
	z := newZenv(t)
	ctx := context.Background()
	z.zleadModel(t, 250)
	secret := z.org.ClientSecret()
	// After the first batch of 100 is answered, an admin revokes the token.
	z.runner.Progress = &onBatch{n: 1, fn: func() { z.revoke(t) }}
	rep, err := z.runner.Run(ctx, zleadSpec(revsync.ModeUpsert), z.dest, revsync.Options{})
	if err == nil || !strings.Contains(err.Error(), "sync zleads: upsert 100 Leads records") {
		t.Fatalf("want a clear error naming the sync and the call, got %v", err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), z.org.RefreshToken()) {
		t.Fatalf("the error shows a secret: %v", err)
	}
	t.Logf("error: %v", err)
	if rep.Succeeded != 100 || rep.Failed != 150 {
		t.Errorf("report %+v", rep.Counts)
	}
	if r := rows(t, z, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'zleads'`); r[0][0] != int64(100) {
		t.Errorf("snapshots %v: want only the 100 rows written", r)
	}
	fails, _ := revsync.Failures(ctx, z.w, []string{"zleads"}, 0)
	if len(fails) != 150 {
		t.Errorf("%d failures recorded, want 150", len(fails))
	}
	// New credentials: the next run converges without duplicates.
	z.runner.Progress = nil
	d := z.newDest(t, z.org.IssueRefreshToken("ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.coql.READ"))
	rep, err = z.runner.Run(ctx, zleadSpec(revsync.ModeUpsert), d, revsync.Options{})
	if err != nil || rep.Succeeded != 150 {
		t.Fatalf("re-run: %v %+v %v", err, rep.Counts, rep.Errors)
	}
	if n := len(z.org.Records("Leads")); n != 250 {
		t.Errorf("%d leads, want 250", n)
	}
}

// TestSalesforceCredentialsRevokedMidRun: an admin revokes the connected
// app after the first batch; the run stops with a clear error, only the
// rows the API confirmed get snapshots, and once access is restored the
// next run converges without duplicates.
func TestSalesforceCredentialsRevokedMidRun(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 450)
	_, secret, refresh, _ := e.org.Credentials()
	e.runner.Progress = &onBatch{n: 1, fn: e.org.RevokeRefreshToken}
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("want a clear error naming the refused grant, got %v", err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), refresh) {
		t.Fatalf("the error shows a secret: %v", err)
	}
	if rep.Succeeded != 200 || rep.Failed != 250 {
		t.Errorf("report %+v", rep.Counts)
	}
	if r := e.rows(t, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'leads'`); r[0][0] != int64(200) {
		t.Errorf("snapshots %v: want only the 200 rows written", r)
	}
	e.org.RestoreRefreshToken()
	e.runner.Progress = nil
	// The next run is a new process: a client that was refused keeps the
	// refusal of that token for a while (httpx.Auth) rather than asking again.
	d, err := salesforce.New(ctx, e.opts.ClientConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), d, revsync.Options{})
	if err != nil || rep.Succeeded != 250 {
		t.Fatalf("re-run: %v %+v", err, rep.Counts)
	}
	if n, d := e.distinctLeads(); n != 450 || d != 450 {
		t.Errorf("%d leads, %d distinct: want 450, no duplicate", n, d)
	}
}

func TestSalesforceTokensExpireMidRun(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 450)
	e.runner.Progress = &onBatch{n: 1, fn: e.org.ExpireTokens}
	before := settled(e.counters)
	rep, err := e.runner.Run(ctx, leadSpec(revsync.ModeUpsert), e.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 450 {
		t.Fatalf("run: %v %+v", err, rep.Counts)
	}
	// describe + 3 writes + the write refused with INVALID_SESSION_ID + a token refresh.
	if served := settled(e.counters) - before; rep.APICalls != 6 || served != 6 {
		t.Errorf("API calls %d, served %d; want 6", rep.APICalls, served)
	}
	if n, d := e.distinctLeads(); n != 450 || d != 450 {
		t.Errorf("%d leads, %d distinct", n, d)
	}
}

func TestApplyStoppedPartWayRecordsUnsentRows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.leadModel(t, 450)
	plan, err := e.runner.Plan(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.PlanOptions{})
	if err != nil || len(plan.Rows) != 450 {
		t.Fatalf("plan: %v", err)
	}
	e.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, System: "salesforce", Method: "POST", Endpoint: collections, After: 1, Times: 1})
	rep, err := e.runner.Apply(ctx, leadSpec(revsync.ModeInsert), e.dest, plan.ID, revsync.Options{})
	if err == nil || rep.Succeeded != 200 || rep.Failed != 250 {
		t.Fatalf("apply: %v %+v", err, rep.Counts)
	}
	fails, _ := revsync.Failures(ctx, e.w, []string{"leads"}, 0)
	codes := map[string]int{}
	for _, f := range fails {
		codes[f.Code]++
	}
	if codes[revsync.CodeBatchFailed] != 200 || codes[revsync.CodeNotSent] != 50 {
		t.Errorf("failures %v: every row not written must be recorded", codes)
	}
	// The plan was claimed: it is not sent twice.
	if _, err := e.runner.Apply(ctx, leadSpec(revsync.ModeInsert), e.dest, plan.ID, revsync.Options{}); err == nil {
		t.Error("a plan applied twice")
	}
	// The rows not written go with the next run, once.
	rep, err = e.runner.Run(ctx, leadSpec(revsync.ModeInsert), e.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 250 {
		t.Fatalf("next run: %v %+v", err, rep.Counts)
	}
	if n, d := e.distinctLeads(); n != 450 || d != 450 {
		t.Errorf("%d leads, %d distinct", n, d)
	}
}

func rows(t *testing.T, z *zenv, q string) [][]any {
	t.Helper()
	e := &env{w: z.w}
	return e.rows(t, q)
}
