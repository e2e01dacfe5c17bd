//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
)

// TestOrgBudgetStopsExtract: with an org of 20 daily credits and a 50%
// budget, an extract of three modules on the list API spends at most 10
// credits (and one object's first calls): a read stops at a checkpoint
// or an object does not start, saying when the run can resume; the spend is recorded in
// _revops.runs, so the next run at once stops before its first object; a
// day later the run continues where the first stopped.
func TestOrgBudgetStopsExtract(t *testing.T) {
	ctx := context.Background()
	var clock atomic.Int64
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	ts := start(t, zohotest.Options{Now: now, DailyCredits: 1000}, 3000)
	wh := openWarehouse(t, "budget")
	o := crmOptions(ts)
	o.Modules, o.History, o.BulkThreshold = []string{"Leads", "Contacts", "Accounts"}, []string{}, -1
	run := func() ([]extract.Result, *budget.Budget, int) {
		t.Helper()
		e := newExtractor(t, o)
		b := budget.New("zoho_crm", budget.Credits, 0.5, 20)
		b.SetClock(now)
		ledger, err := budget.LoadLedger(ctx, wh, "zoho_crm", now())
		if err != nil {
			t.Fatal(err)
		}
		b.SetLedger(ledger)
		b.Attach(budget.ZohoMeter(e.Client(), 20))
		used0, _ := ts.Credits()
		r := &extract.Runner{Warehouse: wh, Concurrency: 1, Budgets: map[string]*budget.Budget{"zoho_crm": b}}
		res, _ := r.Run(ctx, []extract.Source{{Name: "zoho_crm", Extractor: e}}, extract.Options{})
		used1, _ := ts.Credits()
		return res, b, used1 - used0
	}
	res, b, spent := run()
	t.Logf("status %+v, spent %d", b.Status(), spent)
	stopped, incomplete := 0, 0
	var ee *budget.ExceededError
	for _, r := range res {
		t.Logf("%s: rows %d calls %d incomplete %v err %v", r.Object, r.Rows, r.APICalls, r.Incomplete, r.Err)
		if errors.As(r.Err, &ee) {
			stopped++
		}
		if r.Incomplete {
			incomplete++
		}
	}
	// An object that starts within the budget spends its first page and
	// deletions (and, on a full read, its fields) before its first
	// checkpoint: the budget holds within one object's first calls.
	if spent > 10+4 || spent < 7 {
		t.Errorf("the run spent %d credits of a budget of 10", spent)
	}
	// Objects start in any order: the last to run stops at a checkpoint
	// or before it starts.
	if stopped+incomplete == 0 {
		t.Fatalf("no object stopped: %+v", res)
	}
	if st := b.Status(); st.Allowed != 10 || st.Limit != 20 {
		t.Errorf("status %+v", st)
	}
	q, err := wh.Query(ctx, `SELECT api_calls, detail FROM _revops.runs WHERE stage = 'api_budget' AND target = 'zoho_crm'`)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(q)
	if err != nil || len(rows) != 1 {
		t.Fatalf("recorded %v, %v", rows, err)
	}
	t.Logf("recorded: %v", rows[0])

	// The same day: the recorded spend leaves nothing; no object starts.
	clock.Add(int64(time.Hour))
	res, _, spent = run()
	for _, r := range res {
		if !errors.As(r.Err, &ee) {
			t.Errorf("%s started past the budget: %+v", r.Object, r)
			continue
		}
		if want := t0.Add(24 * time.Hour); ee.ResumeAt.Before(want) || ee.ResumeAt.After(want.Add(time.Minute)) {
			t.Errorf("resume at %v, want about %v", ee.ResumeAt, want)
		}
	}
	t.Logf("second run: %v", res[0].Err)
	if spent > 2 {
		t.Errorf("a run past its budget spent %d credits", spent)
	}

	// A day later the window has freed: the run goes on.
	clock.Add(int64(24 * time.Hour))
	res, _, spent = run()
	rows0 := int64(0)
	for _, r := range res {
		rows0 += r.Rows
		t.Logf("next day %s: rows %d calls %d incomplete %v err %v", r.Object, r.Rows, r.APICalls, r.Incomplete, r.Err)
	}
	if rows0 == 0 || spent == 0 || spent > 10+4 {
		t.Errorf("the next day's run read %d rows for %d credits", rows0, spent)
	}
}

// TestGateStopsInsideModule: when the org's budget gate refuses the next
// page of a module's read, the read stops at the checkpoint of the pages
// before it (incomplete, not failed), and the next day's run reads the
// rest: every record lands once.
func TestGateStopsInsideModule(t *testing.T) {
	ctx := context.Background()
	var clock atomic.Int64
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	ts := start(t, zohotest.Options{Now: now, DailyCredits: 1000}, 20_000)
	leads := int64(len(ts.Records("Leads")))
	wh := openWarehouse(t, "gate")
	o := crmOptions(ts)
	o.Modules, o.History, o.BulkThreshold = []string{"Leads"}, []string{}, -1
	run := func() extract.Result {
		t.Helper()
		e := newExtractor(t, o)
		b := budget.New("zoho_crm", budget.Credits, 0.5, 16)
		b.SetClock(now)
		ledger, err := budget.LoadLedger(ctx, wh, "zoho_crm", now())
		if err != nil {
			t.Fatal(err)
		}
		b.SetLedger(ledger)
		b.Gate(budget.ZohoMeter(e.Client(), 16))
		// The gate alone (no Runner.Budgets, whose check before each page
		// would stop the read first): what objects reading at once meet
		// when another one took the last credits.
		r := &extract.Runner{Warehouse: wh, Concurrency: 1}
		res, _ := r.Run(ctx, []extract.Source{{Name: "zoho_crm", Extractor: e}}, extract.Options{})
		if len(res) != 1 {
			t.Fatalf("results %+v", res)
		}
		t.Logf("rows %d calls %d incomplete %v err %v", res[0].Rows, res[0].APICalls, res[0].Incomplete, res[0].Err)
		return res[0]
	}
	first := run()
	if first.Err != nil || !first.Incomplete {
		t.Fatalf("first run: want an incomplete read stopped by the budget, got err %v incomplete %v", first.Err, first.Incomplete)
	}
	if first.Rows == 0 || first.Rows >= leads {
		t.Fatalf("first run landed %d of %d leads", first.Rows, leads)
	}
	for day := 1; day <= 20; day++ {
		clock.Add(int64(25 * time.Hour))
		r := run()
		if r.Err != nil {
			t.Fatalf("day %d: %v", day, r.Err)
		}
		if !r.Incomplete {
			break
		}
	}
	var n, distinct int64
	q := `SELECT count(*), count(DISTINCT id) FROM zoho_crm.leads`
	if err := wh.DB().QueryRowContext(ctx, q).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != leads || distinct != leads {
		t.Fatalf("landed %d rows (%d distinct), want %d once each", n, distinct, leads)
	}
}
