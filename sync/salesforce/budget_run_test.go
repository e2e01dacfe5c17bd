//go:build duckdb_arrow

package salesforce_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

// budgetOrg is an emulated org whose daily API limit is limit.
func budgetOrg(t *testing.T, limit int) *org {
	t.Helper()
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.TestServer = sftest.Start(sftest.Options{Counters: o.counters, Faults: o.faults, DailyAPILimit: limit})
	t.Cleanup(o.Close)
	return o
}

// TestBudgetStopsSalesforceSync: a sync of 2,000 contacts (ten sObject
// Collections calls) into an org of 40 daily requests with a 25% budget
// sends the calls that fit and fails the other records unsent with
// BUDGET_EXCEEDED (retryable), saying when the budget frees; the org's
// use stays within the budget and the spend is recorded in _revops.runs.
// With a larger share the next run sends the rest. A Bulk API 2.0 ingest
// job that does not fit is not created.
func TestBudgetStopsSalesforceSync(t *testing.T) {
	ctx := context.Background()
	o := budgetOrg(t, 40)
	w, err := duckdb.Open(ctx, duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var rows []string
	for i := range 2000 {
		rows = append(rows, fmt.Sprintf("('K%d', 'Person %d', 'c%d@example.com')", i, i, i))
	}
	for _, q := range []string{`CREATE SCHEMA syncs`, `CREATE TABLE syncs.people AS SELECT * FROM (VALUES ` +
		strings.Join(rows, ", ") + `) v(k, last_name, email)`} {
		if err := w.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	spec := &revsync.Spec{Name: "people", Model: "syncs.people", Destination: revsync.Target{Source: "salesforce", Object: "Contact"},
		Mode: revsync.ModeUpsert, Key: "k", Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Zoho_Contact_Id__c"},
		Mapping: map[string]revsync.FieldMap{"Zoho_Contact_Id__c": {Column: "k"}, "LastName": {Column: "last_name"}, "Email": {Column: "email"}}}
	run := func(share float64) (*revsync.Report, *budget.Budget, *salesforce.Destination) {
		t.Helper()
		d := o.dest(t)
		b := budget.New("salesforce", budget.Calls, share, 0)
		ledger, err := budget.LoadLedger(ctx, w, "salesforce", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.SetLedger(ledger)
		b.Attach(budget.SalesforceMeter(d.Client()))
		b.RecordTo(w, "sync")
		d.SetBudget(b)
		rep, err := (&revsync.Runner{Warehouse: w}).Run(ctx, spec, d, revsync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v; budget %+v", rep.Counts, b.Status())
		return rep, b, d
	}
	rep, b, d := run(0.25)
	if rep.Succeeded < 200 || rep.Succeeded > 2000-200 || rep.Failed != 2000-rep.Succeeded {
		t.Fatalf("first run: %+v", rep.Counts)
	}
	e := rep.Errors[0]
	if e.Code != "BUDGET_EXCEEDED" || !strings.Contains(e.Message, "API budget of salesforce reached") ||
		!strings.Contains(e.Message, "resume after") {
		t.Errorf("failure: %+v", e)
	}
	if n := len(o.Records("Contact")); int64(n) < rep.Succeeded {
		t.Errorf("%d contacts for %d rows written", n, rep.Succeeded)
	}
	used, limit, ok := d.Client().APIUsage()
	if st := b.Status(); !ok || limit != 40 || st.Allowed != 10 || used > st.Allowed {
		t.Errorf("the org used %d of %d requests (ok %v), the budget allows %d", used, limit, ok, st.Allowed)
	}
	q, err := w.Query(ctx, `SELECT api_calls, detail FROM _revops.runs WHERE stage = 'api_budget' AND target = 'salesforce'`)
	if err != nil {
		t.Fatal(err)
	}
	_, rec, err := load.ReadAll(q)
	if err != nil || len(rec) != 1 || !strings.Contains(rec[0][1].(string), `"part":"sync"`) {
		t.Fatalf("recorded %v %v", rec, err)
	}
	t.Logf("recorded %v", rec[0])

	rep2, _, _ := run(1)
	if rep2.Succeeded != rep.Failed || rep2.Failed != 0 {
		t.Errorf("next run: %+v", rep2.Counts)
	}
	if n := len(o.Records("Contact")); n != 2000 {
		t.Errorf("%d contacts", n)
	}

	// A Bulk API 2.0 job needs 7 calls: with fewer left (7 allowed, one
	// describe used) it is not created.
	o = budgetOrg(t, 14)
	d = o.dest(t, salesforce.WithBulkThreshold(5))
	b = budget.New("salesforce", budget.Calls, 0.5, 0)
	b.Attach(budget.SalesforceMeter(d.Client()))
	d.SetBudget(b)
	if _, err := d.Describe(ctx, "Contact"); err != nil {
		t.Fatal(err)
	}
	recs := make([]revsync.Record, 12)
	for i := range recs {
		recs[i] = revsync.Record{Key: fmt.Sprint(i), Values: map[string]any{"Zoho_Contact_Id__c": fmt.Sprintf("BB-%d", i), "LastName": "Bulk"}}
	}
	jobs := o.calls(jobsEndpoint)
	res, err := d.Write(ctx, "Contact", revsync.OpUpsert, revsync.Match{By: revsync.MatchExternalID, Field: "Zoho_Contact_Id__c"}, recs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err == nil || r.Err.Code != "BUDGET_EXCEEDED" || !r.Err.Retryable {
			t.Errorf("bulk row %d: %+v", i, r)
		}
	}
	if n := o.calls(jobsEndpoint) - jobs; n != 0 {
		t.Errorf("%d ingest job requests past the budget", n)
	}
}
