//go:build duckdb_arrow

package salesforce

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

const (
	tokenEndpoint  = "/services/oauth2/token"
	globalEndpoint = "/services/data/vXX.X/sobjects"
	batchEndpoint  = "/services/data/vXX.X/composite"
	queryEndpoint  = "/services/data/vXX.X/queryAll"
	moreEndpoint   = "/services/data/vXX.X/query/{locator}"
)

// unbatched hides Prepare from the Runner: the reads go as before
// Composite calls (one first query per object).
type unbatched struct{ e *Extractor }

func (u unbatched) Objects(ctx context.Context) ([]extract.Object, error) { return u.e.Objects(ctx) }
func (u unbatched) Extract(ctx context.Context, obj extract.Object, since string) (extract.Stream, error) {
	return u.e.Extract(ctx, obj, since)
}

// runOnce runs the Runner over x into wh and fails the test on an error.
func runOnce(t *testing.T, wh extract.Warehouse, x extract.Extractor) []extract.Result {
	t.Helper()
	res, err := (&extract.Runner{Warehouse: wh, Concurrency: 2}).Run(context.Background(),
		[]extract.Source{{Name: "salesforce", Extractor: x}}, extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// changeAccounts updates n Accounts (200 per Collections call) and
// returns the Description they now hold.
func changeAccounts(t *testing.T, o *org, e *Extractor, n int, text string) {
	t.Helper()
	recs := o.Records("Account")
	if len(recs) < n {
		t.Fatalf("the org has %d Accounts, want %d", len(recs), n)
	}
	for i := 0; i < n; i += 200 {
		var batch []map[string]any
		for _, r := range recs[i:min(n, i+200)] {
			batch = append(batch, map[string]any{"Id": r["Id"], "Description": text})
		}
		res, err := e.Client().Update(context.Background(), "Account", batch, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
		}
	}
}

// TestIncrementalCallsInBatches: an incremental run of N objects (every
// object the emulated org has) costs ceil(N/5) Composite calls for
// the first pages, the data pages beyond the first (queryMore), and a
// constant of 2: the login (token) and describeGlobal (Objects); the
// metadata check (describeGlobal with If-Modified-Since, 304) travels in
// the first Composite call. No
// object sends its first query alone and none is described, whatever the
// order of the times the objects' describes were last known current.
// Groups of 5 (Composite's limit of queries per call) and of 4.
func TestIncrementalCallsInBatches(t *testing.T) {
	smallPages(t)
	o := startOrg(t, 3000)
	opts := o.options()
	opts.Objects = o.Objects()
	wh := openWarehouse(t, "calls")
	time.Sleep(1100 * time.Millisecond) // the org's metadata lies before the first describes' second
	// The later objects are read first, a second apart: the cursors of
	// the first objects keep later describe times than the others', and
	// one metadata check still answers for all.
	half := len(opts.Objects) / 2
	for _, part := range [][]string{opts.Objects[half:], opts.Objects[:half]} {
		if _, err := (&extract.Runner{Warehouse: wh, Concurrency: 2}).Run(context.Background(),
			[]extract.Source{{Name: "salesforce", Extractor: newExtractor(t, opts)}}, extract.Options{Objects: part}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond)
	}
	for round, group := range []int{salesforce.MaxCompositeQueries, 4} {
		t.Run(fmt.Sprintf("groups of %d", group), func(t *testing.T) {
			old := batchGroup
			batchGroup = group
			defer func() { batchGroup = old }()
			changeAccounts(t, o, newExtractor(t, opts), 300, fmt.Sprintf("changed %d", round))
			time.Sleep(1100 * time.Millisecond) // the next read's window starts after the last run's last second

			o.counters.Reset()
			res := runOnce(t, wh, newExtractor(t, opts))
			n := len(opts.Objects)
			const page, constant = 200, 2
			extra := int64(0)
			for _, r := range res {
				if r.Rows > page {
					extra += (r.Rows+page-1)/page - 1
				}
				if r.Object == "Account" && r.Rows < 300 {
					t.Errorf("Account: %d rows read, want at least the 300 changed", r.Rows)
				}
			}
			batches := int64((n + group - 1) / group)
			count := func(ep string) int64 { return o.count(ep) }
			byEndpoint := fmt.Sprint(o.counters.Snapshot())
			if got, limit := count(""), batches+extra+constant; got > limit {
				t.Errorf("incremental run of %d objects: %d calls, want at most %d (%d batches + %d pages beyond the first + %d): %s",
					n, got, limit, batches, extra, constant, byEndpoint)
			}
			if got := count(batchEndpoint); got != batches {
				t.Errorf("%d composite calls for %d objects, want %d", got, n, batches)
			}
			if got := count(queryEndpoint); got != 0 {
				t.Errorf("%d first pages queried alone, want 0 (all in batches): %s", got, byEndpoint)
			}
			if got := count(moreEndpoint); got != extra {
				t.Errorf("%d pages beyond the first, want %d", got, extra)
			}
			// The objects' reported calls hold every data call, the
			// Composite call that carries the metadata check included.
			var reported int64
			for _, r := range res {
				reported += r.APICalls
			}
			if reported != batches+extra {
				t.Errorf("the objects report %d API calls, want %d (%d composite calls + %d further pages)", reported, batches+extra, batches, extra)
			}
			if c := count(tokenEndpoint) + count(globalEndpoint); c != constant {
				t.Errorf("login and describeGlobal: %d calls, want %d: %s", c, constant, byEndpoint)
			}
			t.Logf("%d objects, %d rows: %d calls (%d batches, %d further pages)", n, sumRows(res), count(""), batches, extra)
		})
	}
}

func sumRows(res []extract.Result) int64 {
	var n int64
	for _, r := range res {
		n += r.Rows
	}
	return n
}

// TestBatchedIncrementalLandsTheSame: two warehouses take the same full
// run, then the same incremental run, one with the first pages in a
// Composite calls and one without; every table then holds the same rows,
// cell by cell (but _extracted_at), the changes included.
func TestBatchedIncrementalLandsTheSame(t *testing.T) {
	smallPages(t)
	o := startOrg(t, 3000)
	opts := o.options()
	opts.Objects = o.Objects()
	opts.History = []string{"Account", "Contact"}
	ctx := context.Background()
	batched, plain := openWarehouse(t, "batched"), openWarehouse(t, "plain")
	time.Sleep(1100 * time.Millisecond)
	runOnce(t, batched, newExtractor(t, opts))
	runOnce(t, plain, unbatched{newExtractor(t, opts)})

	e := newExtractor(t, opts)
	changeAccounts(t, o, e, 300, "changed twice")
	contacts := o.Records("Contact")
	if _, err := e.Client().Delete(ctx, "Contact", []string{contacts[0]["Id"].(string), contacts[7]["Id"].(string)}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client().Create(ctx, "Lead", []map[string]any{{"LastName": "Batch", "Company": "Batch Ltd"}}, true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)

	before := o.count(batchEndpoint)
	runOnce(t, batched, newExtractor(t, opts))
	if o.count(batchEndpoint) == before {
		t.Fatal("the batched run sent no composite call")
	}
	before = o.count(batchEndpoint)
	runOnce(t, plain, unbatched{newExtractor(t, opts)})
	if o.count(batchEndpoint) != before {
		t.Fatal("the plain run sent a composite call")
	}

	tables := tableNames(t, batched)
	if fmt.Sprint(tables) != fmt.Sprint(tableNames(t, plain)) || len(tables) < len(opts.Objects) {
		t.Fatalf("tables differ or are missing: %v vs %v", tables, tableNames(t, plain))
	}
	for _, tbl := range tables {
		a, b := cellRows(t, batched, tbl), cellRows(t, plain, tbl)
		if len(a) != len(b) {
			t.Errorf("%s: %d rows batched, %d plain", tbl, len(a), len(b))
			continue
		}
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("%s row %d differs:\nbatched %s\nplain   %s", tbl, i, a[i], b[i])
				break
			}
		}
	}
	// Not vacuous: the changes landed.
	rows := cellRows(t, batched, "account")
	changed := 0
	for _, r := range rows {
		if strings.Contains(r, "changed twice") {
			changed++
		}
	}
	if changed != 300 {
		t.Errorf("%d Accounts hold the change, want 300", changed)
	}
	if got := len(cellRows(t, batched, "contact")); got != len(contacts) {
		t.Errorf("salesforce.contact holds %d rows, the org %d (deleted ones as tombstones)", got, len(contacts))
	}
}

// tableNames lists the salesforce schema's tables.
func tableNames(t *testing.T, wh *duckdb.Warehouse) []string {
	t.Helper()
	r, err := wh.Query(context.Background(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'salesforce' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range rows {
		out = append(out, fmt.Sprint(row[0]))
	}
	return out
}

// cellRows renders every row of salesforce.<table> but _extracted_at,
// in a stable order.
func cellRows(t *testing.T, wh *duckdb.Warehouse, table string) []string {
	t.Helper()
	r, err := wh.Query(context.Background(), fmt.Sprintf(
		`SELECT * EXCLUDE (_extracted_at) FROM salesforce.%q ORDER BY ALL`, table))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = fmt.Sprint(row)
	}
	return out
}

// TestBatchFallsBack: when the Composite calls fail (503 past the
// retries) every object queries its first page alone and the run lands
// as usual; when one subrequest fails (a field the user may no longer
// read), that object queries alone and fails as it would without a
// batch, naming the field, while the others land from the batch.
func TestBatchFallsBack(t *testing.T) {
	smallPages(t)
	o := startOrg(t, 3000)
	opts := o.options()
	opts.Objects = o.Objects()
	opts.Limits.MaxRetries = 1
	wh := openWarehouse(t, "fallback")
	ctx := context.Background()
	time.Sleep(1100 * time.Millisecond)
	runOnce(t, wh, newExtractor(t, opts))
	n := int64(len(opts.Objects))

	changeAccounts(t, o, newExtractor(t, opts), 300, "batch refused")
	time.Sleep(1100 * time.Millisecond)
	groups := (n + int64(batchGroup) - 1) / int64(batchGroup)
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault503, Endpoint: batchEndpoint, Times: 2 * int(groups)})
	o.counters.Reset()
	runOnce(t, wh, newExtractor(t, opts))
	if b, q := o.count(batchEndpoint), o.count(queryEndpoint); b != 2*groups || q != n {
		t.Errorf("composite calls refused: %d attempts (want %d), %d first pages alone (want %d)", b, 2*groups, q, n)
	}
	if got := strings.Count(strings.Join(cellRows(t, wh, "account"), "\n"), "batch refused"); got != 300 {
		t.Errorf("batch refused: %d Accounts hold the change, want 300", got)
	}

	leadCursor, _, err := load.GetCursor(ctx, wh, "salesforce", "Lead")
	if err != nil {
		t.Fatal(err)
	}
	o.RestrictField("Lead", "Title")
	changeAccounts(t, o, newExtractor(t, opts), 300, "subrequest failed")
	time.Sleep(1100 * time.Millisecond)
	o.counters.Reset()
	res, err := (&extract.Runner{Warehouse: wh, Concurrency: 2}).Run(ctx,
		[]extract.Source{{Name: "salesforce", Extractor: newExtractor(t, opts)}}, extract.Options{})
	if err == nil {
		t.Fatal("the run succeeded although Lead.Title cannot be read")
	}
	for _, r := range res {
		switch {
		case r.Object == "Lead" && (r.Err == nil || !strings.Contains(r.Error, "Title")):
			t.Errorf("Lead: error %q does not name Title", r.Error)
		case r.Object != "Lead" && r.Err != nil:
			t.Errorf("%s failed: %v", r.Object, r.Err)
		}
	}
	// The first call's metadata check answers 200 (the field-level
	// security changed): its query answers are dropped and the objects
	// are described and queried again, in groups.
	if b, q := o.count(batchEndpoint), o.count(queryEndpoint); b != groups+1 || q != 1 {
		t.Errorf("one subrequest failed: %d composite calls (want %d: the check's, then one per group), %d first pages alone (want 1, Lead's): %v", b, groups+1, q, o.counters.Snapshot())
	}
	if got := strings.Count(strings.Join(cellRows(t, wh, "account"), "\n"), "subrequest failed"); got != 300 {
		t.Errorf("one subrequest failed: %d Accounts hold the change, want 300", got)
	}
	if c, _, _ := load.GetCursor(ctx, wh, "salesforce", "Lead"); c.Value != leadCursor.Value {
		t.Error("the failed Lead's cursor moved")
	}
}

// TestBatchedReadAboveBulkThreshold: an object whose batched first page
// says more rows changed than Options.BulkThreshold goes through Bulk API
// 2.0 as it would alone (decided on the batch's totalSize, with no query
// of its own), and lands the same rows.
func TestBatchedReadAboveBulkThreshold(t *testing.T) {
	smallPages(t)
	o := startOrg(t, 3000)
	opts := o.options()
	opts.Objects = o.Objects()
	opts.BulkThreshold = 250
	wh := openWarehouse(t, "bulk")
	time.Sleep(1100 * time.Millisecond)
	runOnce(t, wh, newExtractor(t, opts))
	changeAccounts(t, o, newExtractor(t, opts), 300, "via bulk")
	time.Sleep(1100 * time.Millisecond)
	o.counters.Reset()
	res := runOnce(t, wh, newExtractor(t, opts))
	jobs := o.counters.Sum(func(c sandbox.Count) bool {
		return c.Method == "POST" && c.Endpoint == "/services/data/vXX.X/jobs/query"
	})
	groups := int64((len(opts.Objects) + batchGroup - 1) / batchGroup)
	if b, q, m := o.count(batchEndpoint), o.count(queryEndpoint), o.count(moreEndpoint); b != groups || q != 0 || m != 0 || jobs != 1 {
		t.Errorf("%d composite calls (want %d), %d first pages alone (want 0), %d further REST pages (want 0), %d Bulk jobs (want 1): %v",
			b, groups, q, m, jobs, o.counters.Snapshot())
	}
	for _, r := range res {
		if r.Object == "Account" && r.Rows < 300 {
			t.Errorf("Account: %d rows, want at least 300", r.Rows)
		}
	}
	if got := strings.Count(strings.Join(cellRows(t, wh, "account"), "\n"), "via bulk"); got != 300 {
		t.Errorf("%d Accounts hold the change, want 300", got)
	}
}
