//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

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
func extractInto(t *testing.T, wh *duckdb.Warehouse, e *zoho.Extractor, object string, every int64) (extract.Result, error) {
	t.Helper()
	r := &extract.Runner{Warehouse: wh, CheckpointRows: every}
	res, err := r.Run(context.Background(), []extract.Source{{Name: "zoho_crm", Extractor: e}}, extract.Options{Objects: []string{object}})
	if len(res) != 1 {
		t.Fatalf("%d results: %v", len(res), err)
	}
	return res[0], err
}

// tableRows reads a landed table as id → every value but _extracted_at,
// failing on a duplicate id.
func tableRows(t *testing.T, wh *duckdb.Warehouse, table string) map[string]string {
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
			if c == "id" {
				id = fmt.Sprint(row[i])
			}
			if c != extract.ExtractedAt {
				fmt.Fprintf(&b, "%s=%v;", c, row[i])
			}
		}
		if _, dup := out[id]; dup {
			t.Fatalf("%s: id %s twice", table, id)
		}
		out[id] = b.String()
	}
	return out
}

// clock is an emulator clock that tests move forward.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

// TestStageHistoryResumesUnderCredits: the org's daily credits run out
// part way through the first Deals_Stage_History read (429 on every
// call). The run fails but keeps the deals read whole, with their
// checkpoint; the next day's run goes on from there, and after as many
// days as the credits need the table holds every deal's history exactly
// once, as the emulator has it.
func TestStageHistoryResumesUnderCredits(t *testing.T) {
	defer zoho.SetBatchRows(100)()
	var clk clock
	ts := start(t, zohotest.Options{DailyCredits: 100, Now: clk.now}, 1200)
	o := crmOptions(ts)
	o.Modules = []string{"Deals"}
	o.Limits.MaxRetries = 1
	e := newExtractor(t, o)
	wh := openWarehouse(t, "credits")
	deals := ts.Records("Deals")
	want := 0
	for _, d := range deals {
		want += len(ts.StageHistory(d["id"].(string)))
	}

	var days []extract.Result
	for day := 0; day < 10; day++ {
		res, err := extractInto(t, wh, e, zoho.StageHistoryObject, 200)
		days = append(days, res)
		t.Logf("day %d: %d rows in %d segments, error %v", day+1, res.Rows, res.Segments, err)
		if err == nil {
			break
		}
		var se *httpx.StatusError
		if !strings.Contains(err.Error(), "429") && !errorsAs(err, &se) {
			t.Fatalf("day %d failed otherwise: %v", day+1, err)
		}
		if res.Segments == 0 || res.Rows == 0 {
			t.Fatalf("day %d kept nothing: %+v", day+1, res)
		}
		clk.advance(25 * time.Hour)
	}
	if len(days) < 3 || days[len(days)-1].Err != nil {
		t.Fatalf("%d runs, last %+v; want several days and a finished read", len(days), days[len(days)-1])
	}
	got := tableRows(t, wh, "zoho_crm.deals_stage_history")
	if len(got) != want {
		t.Fatalf("%d Stage_History rows landed over %d days; the emulator has %d", len(got), len(days), want)
	}
	for _, d := range deals[:20] {
		for _, h := range ts.StageHistory(d["id"].(string)) {
			if row, ok := got[fmt.Sprint(h["id"])]; !ok || !strings.Contains(row, "Deal_Id="+d["id"].(string)+";") {
				t.Fatalf("deal %s entry %v: landed as %q", d["id"], h["id"], row)
			}
		}
	}
	runs, _ := load.Runs(context.Background(), wh, 0)
	if len(runs) != len(days) {
		t.Errorf("%d run records for %d runs", len(runs), len(days))
	}
	t.Logf("%d deals, %d entries, read over %d days of 100 credits", len(deals), want, len(days))
}

// TestStageHistoryMaxCalls: max_calls stops each run at a checkpoint
// without an error; runs go on from there until the read is complete.
func TestStageHistoryMaxCalls(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1200)
	o := crmOptions(ts)
	o.Modules = []string{"Deals"}
	o.MaxCalls = 60
	e := newExtractor(t, o)
	wh := openWarehouse(t, "budget")
	deals := ts.Records("Deals")
	want := 0
	for _, d := range deals {
		want += len(ts.StageHistory(d["id"].(string)))
	}
	runs := 0
	for ; runs < 10; runs++ {
		before := e.Stats(zoho.StageHistoryObject).Requests
		res, err := extractInto(t, wh, e, zoho.StageHistoryObject, 0)
		calls := e.Stats(zoho.StageHistoryObject).Requests - before
		if err != nil {
			t.Fatal(err)
		}
		if calls > int64(o.MaxCalls)+1 {
			t.Fatalf("run %d: %d calls, max_calls %d", runs+1, calls, o.MaxCalls)
		}
		if !res.Incomplete {
			break
		}
	}
	if runs < 2 || runs == 10 {
		t.Fatalf("%d runs of at most %d calls for %d deals", runs+1, o.MaxCalls, len(deals))
	}
	if got := tableRows(t, wh, "zoho_crm.deals_stage_history"); len(got) != want {
		t.Fatalf("%d rows after %d runs, want %d", len(got), runs+1, want)
	}
}

// TestModuleResumesAfterFailure: a module's first read fails for good part
// way (500 on every later list page). Its committed segments stay; the
// next run continues the full read from their checkpoint (fewer calls)
// and the table equals a one-shot extract.
func TestModuleResumesAfterFailure(t *testing.T) {
	defer zoho.SetBatchRows(100)()
	faults := sandbox.NewFaults(1)
	ts := start(t, zohotest.Options{Faults: faults}, 4000)
	o := crmOptions(ts)
	o.Modules = []string{"Contacts"}
	o.Limits.MaxRetries = 1
	e := newExtractor(t, o)
	wh := openWarehouse(t, "module")

	faults.Add(sandbox.Rule{Kind: sandbox.Fault500, System: "zoho_crm", Endpoint: "/crm/v8/Contacts", After: 4})
	before := e.Stats("Contacts").Requests
	res, err := extractInto(t, wh, e, "Contacts", 250)
	failed := e.Stats("Contacts").Requests - before
	if err == nil || res.Segments < 2 || res.Rows < 500 {
		t.Fatalf("first run: %+v, error %v; want a failure after committed segments", res, err)
	}
	cur, ok, _ := load.GetCursor(context.Background(), wh, "zoho_crm", "Contacts")
	if !ok || !strings.Contains(cur.Value, "full_started") {
		t.Fatalf("cursor after the failed first read: %+v", cur)
	}
	faults.Clear()
	before = e.Stats("Contacts").Requests
	res2, err := extractInto(t, wh, e, "Contacts", 250)
	resumed := e.Stats("Contacts").Requests - before
	if err != nil {
		t.Fatal(err)
	}
	one := openWarehouse(t, "oneshot")
	e2 := newExtractor(t, o)
	full, err := extractInto(t, one, e2, "Contacts", -1)
	fullCalls := e2.Stats("Contacts").Requests
	if err != nil {
		t.Fatal(err)
	}
	got, wantRows := tableRows(t, wh, "zoho_crm.contacts"), tableRows(t, one, "zoho_crm.contacts")
	if len(got) != len(wantRows) {
		t.Fatalf("%d rows after resuming, one-shot %d", len(got), len(wantRows))
	}
	for id, w := range wantRows {
		if got[id] != w {
			t.Fatalf("contact %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
	if resumed >= fullCalls {
		t.Errorf("resumed run %d calls, one-shot %d", resumed, fullCalls)
	}
	if c, _, _ := load.GetCursor(context.Background(), wh, "zoho_crm", "Contacts"); strings.Contains(c.Value, "full_started") || !strings.Contains(c.Value, `"full"`) {
		t.Errorf("cursor after the resumed read: %s", c.Value)
	}
	t.Logf("failed run %d calls (%d rows kept); resumed %d calls, %d rows; one-shot %d calls, %d rows",
		failed, res.Rows, resumed, res2.Rows, fullCalls, full.Rows)
}

func errorsAs(err error, target **httpx.StatusError) bool { return errors.As(err, target) }
