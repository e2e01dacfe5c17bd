//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
)

// TestBudgetStopsSync: a sync of 500 contacts into an org of 100 daily
// credits with a 50% budget writes the batches that fit (10 credits per
// 100 records) and fails the rest unsent with BUDGET_EXCEEDED, saying
// when the budget frees; the spend is recorded in _revops.runs; a day
// later the next run writes the rest.
func TestBudgetStopsSync(t *testing.T) {
	ctx := context.Background()
	var clock atomic.Int64
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	o := startOrg(t)
	w, err := duckdb.Open(ctx, duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	var rows []string
	for i := range 500 {
		rows = append(rows, fmt.Sprintf("('K%d', 'Person %d', 'b%d@example.com')", i, i, i))
	}
	for _, q := range []string{`CREATE SCHEMA syncs`, `CREATE TABLE syncs.people AS SELECT * FROM (VALUES ` +
		strings.Join(rows, ", ") + `) v(k, last_name, email)`} {
		if err := w.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	spec := &revsync.Spec{Name: "people", Model: "syncs.people", Destination: revsync.Target{Source: "zoho_crm", Object: "Contacts"},
		Mode: revsync.ModeUpsert, Key: "k", Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Email"},
		Mapping: map[string]revsync.FieldMap{"Last_Name": {Column: "last_name"}, "Email": {Column: "email"}}}
	run := func() *revsync.Report {
		t.Helper()
		d := o.dest(t)
		b := budget.New("zoho_crm", budget.Credits, 0.5, 100)
		b.SetClock(now)
		ledger, err := budget.LoadLedger(ctx, w, "zoho_crm", now())
		if err != nil {
			t.Fatal(err)
		}
		b.SetLedger(ledger)
		b.Attach(budget.ZohoMeter(d.Client(), 100))
		b.RecordTo(w, "sync")
		d.SetBudget(b)
		rep, err := (&revsync.Runner{Warehouse: w}).Run(ctx, spec, d, revsync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v; budget %+v", rep.Counts, b.Status())
		return rep
	}
	rep := run()
	if rep.Succeeded < 300 || rep.Succeeded > 500-100 || rep.Failed != 500-rep.Succeeded {
		t.Fatalf("first run: %+v", rep.Counts)
	}
	if e := rep.Errors[0]; e.Code != "BUDGET_EXCEEDED" || !strings.Contains(e.Message, "resume after 2026-03-03T09:00:00Z") {
		t.Errorf("failure: %+v", e)
	}
	if n := len(o.Records("Contacts")); int64(n) != rep.Succeeded {
		t.Errorf("%d contacts for %d rows written", n, rep.Succeeded)
	}
	q, err := w.Query(ctx, `SELECT api_calls, detail FROM _revops.runs WHERE stage = 'api_budget' AND target = 'zoho_crm'`)
	if err != nil {
		t.Fatal(err)
	}
	_, rec, err := load.ReadAll(q)
	if err != nil || len(rec) != 1 || !strings.Contains(rec[0][1].(string), `"part":"sync"`) {
		t.Fatalf("recorded %v %v", rec, err)
	}
	t.Logf("recorded %v", rec[0])

	clock.Add(int64(25 * time.Hour))
	rep2 := run()
	if rep2.Succeeded != rep.Failed || rep2.Failed != 0 {
		t.Errorf("next day: %+v", rep2.Counts)
	}
	if n := len(o.Records("Contacts")); n != 500 {
		t.Errorf("%d contacts", n)
	}
}
