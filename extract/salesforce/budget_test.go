//go:build duckdb_arrow

package salesforce

import (
	"context"
	"fmt"
	"testing"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
)

// smallPages makes REST queries ask for pages of 200 records for one test.
func smallPages(t *testing.T) {
	old := queryBatch
	queryBatch = 200
	t.Cleanup(func() { queryBatch = old })
}

// budgetRun extracts objects of e into wh with a budget of share of a
// daily limit of limit calls, concurrency objects at once; it returns
// the results, the budget and the requests the org served meanwhile.
func budgetRun(t *testing.T, o *org, wh extract.Warehouse, e *Extractor, limit int64, share float64, concurrency int,
	objects ...string) ([]extract.Result, *budget.Budget, int64) {
	t.Helper()
	b := budget.New("salesforce", budget.Calls, share, limit)
	b.Gate(budget.SalesforceMeter(e.Client()))
	r := &extract.Runner{Warehouse: wh, Concurrency: concurrency, CheckpointRows: 1,
		Budgets: map[string]*budget.Budget{"salesforce": b}}
	before := o.count("")
	res, _ := r.Run(context.Background(), []extract.Source{{Name: "salesforce", Extractor: e}}, extract.Options{Objects: objects})
	return res, b, o.count("") - before
}

// TestBudgetStopsInsideObject: with room for a few pages of 200 Contacts,
// the read stops at a checkpoint inside the object (incomplete, no
// error), having landed the pages it read and saved their checkpoint as
// the cursor; the next run, with room, continues from there and the
// table then holds every Contact once.
func TestBudgetStopsInsideObject(t *testing.T) {
	smallBatches(t, 200)
	smallPages(t)
	o := startOrg(t, 6000)
	opts := o.options()
	opts.Objects, opts.BulkThreshold = []string{"Contact"}, 1_000_000
	wh := openWarehouse(t, "budget")
	want := len(o.Records("Contact"))

	// 10 calls: describeGlobal, describe, and 8 pages.
	res, b, calls := budgetRun(t, o, wh, newExtractor(t, opts), 20, 0.5, 1, "Contact")
	if len(res) != 1 {
		t.Fatalf("results %+v", res)
	}
	r := res[0]
	t.Logf("first run: %d of %d rows, %d calls, incomplete %v, cursor %s, err %v; budget %+v", r.Rows, want, calls, r.Incomplete, r.Cursor, r.Err, b.Status())
	if r.Err != nil || !r.Incomplete || r.Rows == 0 || r.Rows >= int64(want) {
		t.Fatalf("first run: %+v, want an incomplete read of part of %d rows", r, want)
	}
	if st := b.Status(); calls > st.Allowed {
		t.Errorf("the run made %d requests, the budget allows %d", calls, st.Allowed)
	}
	cur, ok, err := load.GetCursor(context.Background(), wh, "salesforce", "Contact")
	if err != nil || !ok || cur.Value != r.Cursor {
		t.Fatalf("cursor %+v %v %v, result says %q", cur, ok, err, r.Cursor)
	}
	if n := len(tableRows(t, wh, "salesforce.contact", "Id")); int64(n) != r.Rows {
		t.Fatalf("%d rows landed, %d reported", n, r.Rows)
	}

	res, _, calls = budgetRun(t, o, wh, newExtractor(t, opts), 1000, 1, 1, "Contact")
	r2 := res[0]
	t.Logf("next run: %d rows, %d calls, incomplete %v, err %v", r2.Rows, calls, r2.Incomplete, r2.Err)
	if r2.Err != nil || r2.Incomplete {
		t.Fatalf("next run: %+v", r2)
	}
	got := tableRows(t, wh, "salesforce.contact", "Id")
	if len(got) != want {
		t.Fatalf("%d contacts landed, the org has %d", len(got), want)
	}
	for _, rec := range o.Records("Contact") {
		if _, ok := got[fmt.Sprint(rec["Id"])]; !ok {
			t.Fatalf("contact %v not landed", rec["Id"])
		}
	}
}

// TestBudgetSharedByObjects: four objects extracting at once reserve
// each call from one budget, so the run's requests never pass it (here
// no call is retried, so not even by the calls in flight), whatever the
// order the objects start and stop in.
func TestBudgetSharedByObjects(t *testing.T) {
	smallBatches(t, 200)
	smallPages(t)
	objects := []string{"Account", "Contact", "Lead", "Opportunity", "Case", "Task"}
	for _, allowed := range []int64{3, 7, 15, 30} {
		t.Run(fmt.Sprint(allowed), func(t *testing.T) {
			o := startOrg(t, 6000) // the org's use starts at 0
			opts := o.options()
			opts.Objects, opts.BulkThreshold = objects, 1_000_000
			wh := openWarehouse(t, "shared")
			e := newExtractor(t, opts)
			res, b, calls := budgetRun(t, o, wh, e, 2*allowed, 0.5, 4)
			stopped := 0
			for _, r := range res {
				if r.Incomplete || budget.IsExceeded(r.Err) {
					stopped++
				} else if r.Err != nil {
					t.Errorf("%s: %v", r.Object, r.Err)
				}
			}
			t.Logf("allowed %d: %d requests, %d of %d objects stopped; budget %+v", allowed, calls, stopped, len(res), b.Status())
			if calls > allowed {
				t.Errorf("the run made %d requests, the budget allows %d", calls, allowed)
			}
			if stopped == 0 {
				t.Errorf("no object stopped by a budget of %d", allowed)
			}
		})
	}
}
