//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
)

// bulkImport inserts n records into module through the API, 100 a call,
// while the org's clock stands still: every one gets the same
// Modified_Time, as a bulk import gives thousands of records.
func bulkImport(t *testing.T, ts *zohotest.TestServer, module string, n int) {
	t.Helper()
	e := newExtractor(t, crmOptions(ts))
	for i := 0; i < n; i += 100 {
		var recs []map[string]any
		for j := i; j < min(n, i+100); j++ {
			switch module {
			case "Deals":
				recs = append(recs, map[string]any{"Deal_Name": fmt.Sprintf("Import %04d", j), "Stage": "Qualification",
					"Amount": float64(1000 + j), "Closing_Date": "2026-06-30"})
			default:
				recs = append(recs, map[string]any{"Last_Name": fmt.Sprintf("Import %04d", j), "Company": "Imported"})
			}
		}
		res, err := e.Client().Insert(context.Background(), module, recs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if !r.OK() {
				t.Fatalf("insert into %s: %+v", module, r)
			}
		}
	}
	// The newest second holds the n records just imported.
	var newest time.Time
	atNewest := 0
	for _, r := range ts.Records(module) {
		switch tm := ztime(t, r["Modified_Time"].(string)); {
		case tm.After(newest):
			newest, atNewest = tm, 1
		case tm.Equal(newest):
			atNewest++
		}
	}
	if atNewest != n {
		t.Fatalf("%d records of %s share the import's Modified_Time %s, want %d", atNewest, module, newest, n)
	}
}

// TestStageHistoryBulkImport: 2,000 deals share one Modified_Time (a bulk
// import) and the Deals_Stage_History allowance is 300 calls a day. Each
// day's read gets past the deals read the days before without reading
// their histories again: after ceil(2000/300)-ish days every history is
// landed, each read once (2,000 history calls in all), and the table
// equals the emulator's. When the import landed within the look-back
// before the first read ("fresh"), that read's deals may have changed
// unseen in its second, so the second day reads them again, once.
func TestStageHistoryBulkImport(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  time.Duration // from the import to the first read
		maxDays int
		extra   int64 // history calls allowed beyond one per deal
	}{
		{"import 10 minutes before", 10 * time.Minute, 8, 0},
		{"fresh import", 0, 9, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newStageClock()
			ts := start(t, zohotest.Options{DailyCredits: 50_000, Now: clk.now}, 0)
			bulkImport(t, ts, "Deals", 2000)
			deals := ts.Records("Deals")
			entries := 0
			for _, d := range deals {
				entries += len(ts.StageHistory(d["id"].(string)))
			}
			clk.advance(tc.before)
			ts.Counters().Reset()
			o := crmOptions(ts)
			share := 0.05
			o.Modules, o.DailyCredits, o.StageHistoryShare = []string{"Deals"}, 6000, &share // 300 calls a day
			e := newExtractor(t, o)
			wh := openWarehouse(t, "import")
			var total int64
			days := 0
			for done := false; !done; days++ {
				if days == 15 {
					t.Fatalf("not done after %d days: %d history calls so far", days, total)
				}
				h0, a0 := stageCalls(ts)
				res, err := extractInto(t, wh, e, zoho.StageHistoryObject, 0)
				if err != nil {
					t.Fatalf("day %d: %v", days+1, err)
				}
				h1, a1 := stageCalls(ts)
				total += h1 - h0
				t.Logf("day %d: %d histories, %d Deals calls, incomplete %v", days+1, h1-h0, a1-a0, res.Incomplete)
				if a1-a0 > 300 || h1 == h0 {
					t.Fatalf("day %d: %d histories in %d calls; want some, within 300 calls", days+1, h1-h0, a1-a0)
				}
				done = !res.Incomplete
				clk.advance(24*time.Hour + time.Minute)
			}
			if days > tc.maxDays || total > int64(len(deals))+tc.extra {
				t.Fatalf("%d days and %d history calls for %d deals; want at most %d days and %d calls",
					days, total, len(deals), tc.maxDays, int64(len(deals))+tc.extra)
			}
			got := tableRows(t, wh, "zoho_crm.deals_stage_history") // fails on a duplicate id
			if len(got) != entries {
				t.Fatalf("%d Stage_History rows landed; the emulator has %d", len(got), entries)
			}
			for _, d := range deals {
				id := d["id"].(string)
				for _, h := range ts.StageHistory(id) {
					row, ok := got[fmt.Sprint(h["id"])]
					if !ok || !strings.Contains(row, "Deal_Id="+id+";") || !strings.Contains(row, "Stage=Qualification;") {
						t.Fatalf("deal %s entry %v: landed as %q", id, h["id"], row)
					}
				}
			}
			// Once done, a run the next day reads no history again.
			h0, _ := stageCalls(ts)
			if _, err := extractInto(t, wh, e, zoho.StageHistoryObject, 0); err != nil {
				t.Fatal(err)
			}
			if h1, _ := stageCalls(ts); h1 != h0 {
				t.Fatalf("a run after the read was done read %d histories again", h1-h0)
			}
		})
	}
}

// TestLeadsBulkImportMaxCalls: 2,000 Leads share one Modified_Time and
// max_calls lets a run list 3 pages (600 records). Runs continue past the
// records read before, whether the import is in a first read (a full
// read continued) or in an incremental one: every lead lands once (the
// rows landed over the runs add up to 2,000), in 4 runs, and the table
// equals a one-shot read's.
func TestLeadsBulkImportMaxCalls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first bool // the import is in the first read
	}{
		{"first read", true},
		{"incremental", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newStageClock()
			ts := start(t, zohotest.Options{Now: clk.now}, 0)
			o := crmOptions(ts)
			o.Modules, o.BulkThreshold = []string{"Leads"}, -1
			wh := openWarehouse(t, "leads")
			if !tc.first {
				// A lead from the day before, read by a first run.
				bulkImport(t, ts, "Leads", 1)
				clk.advance(24 * time.Hour)
				if _, err := extractInto(t, wh, newExtractor(t, o), "Leads", 0); err != nil {
					t.Fatal(err)
				}
			}
			bulkImport(t, ts, "Leads", 2000)
			clk.advance(10 * time.Minute)
			o.MaxCalls = 5 // pages; a later run's deletions call counts too
			e := newExtractor(t, o)
			var rows int64
			runs := 0
			for done := false; !done; runs++ {
				if runs == 10 {
					t.Fatalf("not done after %d runs (%d rows landed)", runs, rows)
				}
				before := e.Stats("Leads").Requests
				res, err := extractInto(t, wh, e, "Leads", 0)
				if err != nil {
					t.Fatalf("run %d: %v", runs+1, err)
				}
				t.Logf("run %d: %d rows, %d calls, incomplete %v, cursor %.120s", runs+1, res.Rows,
					e.Stats("Leads").Requests-before, res.Incomplete, res.Cursor)
				rows += res.Rows
				done = !res.Incomplete
				clk.advance(time.Hour)
			}
			if runs > 5 || rows != 2000 {
				t.Fatalf("%d runs landed %d rows; want 2,000 leads once each in at most 5 runs", runs, rows)
			}
			one := openWarehouse(t, "oneshot")
			o.MaxCalls = 0
			if _, err := extractInto(t, one, newExtractor(t, o), "Leads", 0); err != nil {
				t.Fatal(err)
			}
			got, w := tableRows(t, wh, "zoho_crm.leads"), tableRows(t, one, "zoho_crm.leads")
			if len(got) != len(w) || len(w) != len(ts.Records("Leads")) {
				t.Fatalf("%d leads landed, one-shot %d, the emulator %d", len(got), len(w), len(ts.Records("Leads")))
			}
			for id, row := range w {
				if got[id] != row {
					t.Fatalf("lead %s:\n got %s\nwant %s", id, got[id], row)
				}
			}
		})
	}
}

// TestStageHistoryLedgerCountsReadAhead: the reads go on ahead of the
// batches the runner has taken; a checkpoint taken then counts every call
// spent so far in its ledger, not only those before its batch was built,
// so that a run killed after committing it leaves no spent call out.
func TestStageHistoryLedgerCountsReadAhead(t *testing.T) {
	clk := newStageClock()
	ts := start(t, zohotest.Options{DailyCredits: 50_000, Now: clk.now}, 0)
	bulkImport(t, ts, "Deals", 600)
	clk.advance(time.Hour)
	ts.Counters().Reset()
	o := crmOptions(ts)
	o.Modules, o.DailyCredits = []string{"Deals"}, 50_000 // 2,500 calls a day
	e := newExtractor(t, o)
	if _, err := e.Objects(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := e.Extract(context.Background(), extract.Object{Name: zoho.StageHistoryObject, Key: "id"}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	if !st.Next() { // the first 50 deals
		t.Fatalf("no batch: %v", st.Err())
	}
	// The producer reads on: wait for all 600 histories.
	deadline := time.Now().Add(time.Minute)
	for h, _ := stageCalls(ts); h < 600; h, _ = stageCalls(ts) {
		if time.Now().After(deadline) {
			t.Fatalf("%d histories read in a minute", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, spent := stageCalls(ts)
	c, ok := st.(extract.Checkpointer).Checkpoint()
	if !ok {
		t.Fatal("no checkpoint after a batch")
	}
	_, ledger := stageSpent(t, c)
	if int64(ledger) != spent {
		t.Fatalf("the checkpoint of the first batch records %d calls; %d were spent when it was taken: %s", ledger, spent, c)
	}
	var cur struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal([]byte(c), &cur)
	if cur.ID == "" {
		t.Fatalf("checkpoint %s has no id", c)
	}
}

// TestCursorWithoutID: a cursor written before ids were kept (a bare
// time, JSON without id) reads as before: the whole look-back window,
// every record of it read again; the cursor it returns carries the id and
// read_at. A cursor with an id but no read_at is refused, naming it.
func TestCursorWithoutID(t *testing.T) {
	clk := newStageClock()
	ts := start(t, zohotest.Options{Now: clk.now}, 0)
	bulkImport(t, ts, "Leads", 450)
	clk.advance(time.Hour)
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	m := ts.Records("Leads")[0]["Modified_Time"].(string)
	e := newExtractor(t, o)
	first := ""
	for name, old := range map[string]string{
		"bare time": m,
		"json":      `{"modified":"` + m + `","full":"` + m + `","deleted":"` + m + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			res := extractObj(t, e, "Leads", old)
			if len(res.rows) != 450 {
				t.Fatalf("from %s: %d rows, want the 450 of the look-back window", old, len(res.rows))
			}
			var c struct{ Modified, ID, ReadAt string }
			_ = json.Unmarshal([]byte(res.cursor), &struct {
				Modified *string `json:"modified"`
				ID       *string `json:"id"`
				ReadAt   *string `json:"read_at"`
			}{&c.Modified, &c.ID, &c.ReadAt})
			if c.Modified != m || c.ID == "" || c.ReadAt == "" {
				t.Fatalf("cursor %s: want modified %s, an id and read_at", res.cursor, m)
			}
			first = res.cursor
		})
	}
	// From the new cursor, the window's records are passed over.
	if res := extractObj(t, e, "Leads", first); len(res.rows) != 0 {
		t.Fatalf("from %s: %d rows read again", first, len(res.rows))
	}
	_, err := e.Extract(context.Background(), extract.Object{Name: "Leads", Key: "id"}, `{"modified":"`+m+`","id":"42"}`)
	if err == nil || !strings.Contains(err.Error(), "read_at") || !strings.Contains(err.Error(), "Leads") {
		t.Fatalf("a cursor with an id but no read_at: %v", err)
	}
}
