//go:build duckdb_arrow

package salesforce

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

// openWarehouse opens a fresh DuckDB file for one test.
func openWarehouse(t *testing.T, name string) *duckdb.Warehouse {
	t.Helper()
	wh, err := duckdb.Open(context.Background(), duckdb.Options{Path: filepath.Join(t.TempDir(), name+".duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

// extractInto runs the Runner on one object of e into wh.
func extractInto(t *testing.T, wh *duckdb.Warehouse, e *Extractor, object string, every int64) (extract.Result, error) {
	t.Helper()
	r := &extract.Runner{Warehouse: wh, CheckpointRows: every}
	res, err := r.Run(context.Background(), []extract.Source{{Name: "salesforce", Extractor: e}}, extract.Options{Objects: []string{object}})
	if len(res) != 1 {
		t.Fatalf("%d results: %v", len(res), err)
	}
	return res[0], err
}

// tableRows reads a landed table as key → every value but _extracted_at,
// failing on a duplicate key.
func tableRows(t *testing.T, wh *duckdb.Warehouse, table, key string) map[string]string {
	t.Helper()
	r, err := wh.Query(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	cols, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, row := range rows {
		var b strings.Builder
		var id string
		for i, c := range cols {
			if c == key {
				id = fmt.Sprint(row[i])
			}
			if c != extract.ExtractedAt {
				fmt.Fprintf(&b, "%s=%v;", c, row[i])
			}
		}
		if _, dup := out[id]; dup {
			t.Fatalf("%s: key %s twice", table, id)
		}
		out[id] = b.String()
	}
	return out
}

// sameRows fails unless got and want hold the same keys and values.
func sameRows(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, a one-shot extract has %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("row %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
}

// TestResumeAfterFailure: an object read in several pages fails for good
// part way (500 on every later page). The first run reports the failure
// but has committed the segments before it, with their checkpoint as the
// cursor; once the fault clears, the next run reads only from there, and
// the table equals a one-shot extract: nothing lost, no duplicate keys.
func TestResumeAfterFailure(t *testing.T) {
	smallBatches(t, 250)
	o := startOrg(t, 12000)
	opts := o.options()
	opts.Limits.MaxRetries = 1
	opts.History = []string{"Contact"}
	opts.Objects = []string{"Contact"}
	e := newExtractor(t, opts)
	wh := openWarehouse(t, "resume")

	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, Endpoint: "/services/data/vXX.X/query/{locator}", After: 1})
	before := o.count("")
	res, err := extractInto(t, wh, e, "Contact", 600)
	failedCalls := o.count("") - before
	if err == nil || res.Err == nil {
		t.Fatal("the first run should fail")
	}
	if res.Segments < 2 || res.Rows < 2000 {
		t.Fatalf("first run committed %d segments, %d rows; want the pages before the fault", res.Segments, res.Rows)
	}
	cur, ok, cerr := load.GetCursor(context.Background(), wh, "salesforce", "Contact")
	if cerr != nil || !ok || cur.Value != res.Cursor {
		t.Fatalf("cursor after the failed run: %+v %v %v; result says %q", cur, ok, cerr, res.Cursor)
	}
	if n := len(tableRows(t, wh, "salesforce.contact", "Id")); int64(n) != res.Rows {
		t.Fatalf("%d rows in the table, the run reported %d committed", n, res.Rows)
	}
	runs, _ := load.Runs(context.Background(), wh, 0)
	if len(runs) != 1 || runs[0].Status != load.RunFailed || runs[0].RowsRead != res.Rows {
		t.Fatalf("runs after the failed run: %+v; want one failed run with %d rows", runs, res.Rows)
	}
	t.Logf("failed run: %d calls, %d rows in %d segments, cursor %s: %v", failedCalls, res.Rows, res.Segments, res.Cursor, res.Err)

	o.faults.Clear()
	before = o.count("")
	res2, err := extractInto(t, wh, e, "Contact", 600)
	resumeCalls := o.count("") - before
	if err != nil {
		t.Fatal(err)
	}

	one := openWarehouse(t, "oneshot")
	before = o.count("")
	full, err := extractInto(t, one, newExtractor(t, opts), "Contact", -1)
	fullCalls := o.count("") - before
	if err != nil || full.Segments != 1 {
		t.Fatalf("one-shot: %+v %v", full, err)
	}
	sameRows(t, tableRows(t, wh, "salesforce.contact", "Id"), tableRows(t, one, "salesforce.contact", "Id"))
	if a, _ := ParseCursor(res2.Cursor); !a.Equal(must(ParseCursor(full.Cursor))) {
		t.Errorf("resumed cursor %s, one-shot %s", res2.Cursor, full.Cursor)
	}
	if resumeCalls >= fullCalls || res2.Rows >= full.Rows {
		t.Errorf("resumed run: %d calls, %d rows; a full read: %d calls, %d rows", resumeCalls, res2.Rows, fullCalls, full.Rows)
	}
	if h := tableRows(t, wh, "salesforce.contact__history", "Id"); len(h) != int(full.Rows) {
		t.Errorf("history holds %d versions for %d records that never changed", len(h), full.Rows)
	}
	t.Logf("resumed run: %d calls, %d rows in %d segments; one-shot: %d calls, %d rows", resumeCalls, res2.Rows, res2.Segments, fullCalls, full.Rows)
}

// TestResumeBulkWindows: the same through Bulk API 2.0 windows, failing
// on the results of a later window.
func TestResumeBulkWindows(t *testing.T) {
	smallBatches(t, 200)
	o := startOrg(t, 6000)
	opts := o.options()
	opts.Limits.MaxRetries = 1
	opts.BulkThreshold, opts.BulkWindow = 100, 300
	opts.Objects = []string{"Opportunity"}
	e := newExtractor(t, opts)
	wh := openWarehouse(t, "bulk")

	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, Endpoint: "/services/data/vXX.X/jobs/query/{id}/results", After: 3})
	before := o.count("")
	res, err := extractInto(t, wh, e, "Opportunity", 200)
	failedCalls := o.count("") - before
	if err == nil || res.Segments < 2 || res.Rows == 0 {
		t.Fatalf("first run: %d segments, %d rows, error %v; want a failure after committed windows", res.Segments, res.Rows, err)
	}
	o.faults.Clear()
	before = o.count("")
	res2, err := extractInto(t, wh, e, "Opportunity", 200)
	resumeCalls := o.count("") - before
	if err != nil {
		t.Fatal(err)
	}
	one := openWarehouse(t, "oneshot")
	before = o.count("")
	full, err := extractInto(t, one, newExtractor(t, opts), "Opportunity", -1)
	fullCalls := o.count("") - before
	if err != nil {
		t.Fatal(err)
	}
	sameRows(t, tableRows(t, wh, "salesforce.opportunity", "Id"), tableRows(t, one, "salesforce.opportunity", "Id"))
	if resumeCalls >= fullCalls {
		t.Errorf("resumed run: %d calls; a full read: %d", resumeCalls, fullCalls)
	}
	t.Logf("bulk: failed run %d calls, %d rows in %d segments; resumed %d calls, %d rows; one-shot %d calls, %d rows",
		failedCalls, res.Rows, res.Segments, resumeCalls, res2.Rows, fullCalls, full.Rows)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
