//go:build duckdb_arrow

package zoho_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
)

// stageClock is an org clock that stands still until a test moves it, so
// that "the same day" and "24 hours later" are exact.
type stageClock struct{ ns atomic.Int64 }

func newStageClock() *stageClock {
	c := &stageClock{}
	c.ns.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *stageClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *stageClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// logBuffer collects an extractor's log lines (written from its
// producer goroutine).
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLoggedExtractor(t *testing.T, o *zoho.Options, logs *logBuffer) *zoho.Extractor {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e, err := zoho.New(context.Background(), "zoho_crm", o, log)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// stageCalls counts the Stage_History calls the emulator served, and
// every call under /crm/v8/Deals (the deal list pages too).
func stageCalls(ts *zohotest.TestServer) (histories, all int64) {
	histories = ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/v8/Deals/{id}/Stage_History" })
	all = ts.Counters().Sum(func(c sandbox.Count) bool { return strings.HasPrefix(c.Endpoint, "/crm/v8/Deals") })
	return histories, all
}

// stageWorld starts an emulator of at least minDeals deals on clk, whose
// org has dailyCredits, and returns it with the deals in Modified_Time
// order and the count of their Stage_History entries.
func stageWorld(t *testing.T, clk *stageClock, dailyCredits, records, minDeals int) (*zohotest.TestServer, []map[string]any, int) {
	t.Helper()
	opts := zohotest.Options{DailyCredits: dailyCredits}
	if clk != nil {
		opts.Now = clk.now
	}
	ts := start(t, opts, records)
	deals := ts.Records("Deals")
	if len(deals) < minDeals {
		t.Fatalf("the world has %d deals, want at least %d", len(deals), minDeals)
	}
	sort.SliceStable(deals, func(i, j int) bool {
		a, b := ztime(t, deals[i]["Modified_Time"].(string)), ztime(t, deals[j]["Modified_Time"].(string))
		if !a.Equal(b) {
			return a.Before(b)
		}
		return deals[i]["id"].(string) < deals[j]["id"].(string)
	})
	entries := 0
	for _, d := range deals {
		entries += len(ts.StageHistory(d["id"].(string)))
	}
	return ts, deals, entries
}

// landedDeals is the deals with Stage_History rows in the warehouse.
func landedDeals(t *testing.T, rows map[string]string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, row := range rows {
		_, rest, ok := strings.Cut(row, "Deal_Id=")
		if !ok {
			t.Fatalf("row without Deal_Id: %s", row)
		}
		id, _, _ := strings.Cut(rest, ";")
		out[id]++
	}
	return out
}

// stageSpent decodes the ledger of a Deals_Stage_History cursor.
func stageSpent(t *testing.T, cur string) (modified string, calls int) {
	t.Helper()
	var c struct {
		Modified string `json:"modified"`
		Spent    []struct {
			At    string `json:"at"`
			Calls int    `json:"calls"`
		} `json:"stage_spent"`
	}
	if err := json.Unmarshal([]byte(cur), &c); err != nil {
		t.Fatalf("cursor %q: %v", cur, err)
	}
	for _, s := range c.Spent {
		calls += s.Calls
	}
	return c.Modified, calls
}

// TestStageHistoryDailyAllowance: with daily_credits 10,000 and the
// default stage_history_share (0.05), a first Deals_Stage_History read
// of 1,200 deals spends at most 500 calls (list pages included) and stops
// at its checkpoint, incomplete, saying how many deals are left and when
// the allowance frees; a run the same day spends nothing; once the
// spend is 24 hours old the next run goes on from the checkpoint, and
// after a few days every deal's history is landed exactly once, as the
// emulator has it.
func TestStageHistoryDailyAllowance(t *testing.T) {
	clk := newStageClock()
	ts, deals, entries := stageWorld(t, clk, 10_000, 6400, 1200)
	o := crmOptions(ts)
	o.Modules, o.DailyCredits = []string{"Deals"}, 10_000
	var logs logBuffer
	e := newLoggedExtractor(t, o, &logs)
	wh := openWarehouse(t, "allowance")

	runDay := func(label string) (extract.Result, int64, int64) {
		t.Helper()
		h0, a0 := stageCalls(ts)
		res, err := extractInto(t, wh, e, zoho.StageHistoryObject, 0)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		h1, a1 := stageCalls(ts)
		t.Logf("%s: %d histories, %d Deals calls, %d rows, incomplete %v", label, h1-h0, a1-a0, res.Rows, res.Incomplete)
		return res, h1 - h0, a1 - a0
	}

	// Day 1: the first ~500 deals, not more.
	res, hist, calls := runDay("day 1")
	if calls > 500 || hist < 490 || !res.Incomplete {
		t.Fatalf("day 1: %d histories in %d calls, incomplete %v; want about 500 calls, at most 500, and incomplete", hist, calls, res.Incomplete)
	}
	landed := landedDeals(t, tableRows(t, wh, "zoho_crm.deals_stage_history"))
	for i, d := range deals {
		id := d["id"].(string)
		if i < int(hist) && landed[id] != len(ts.StageHistory(id)) {
			t.Fatalf("day 1: deal %d (%s) has %d of %d entries landed", i, id, landed[id], len(ts.StageHistory(id)))
		}
	}
	cur, ok, err := load.GetCursor(context.Background(), wh, "zoho_crm", zoho.StageHistoryObject)
	if err != nil || !ok {
		t.Fatalf("day 1: no cursor saved (%v)", err)
	}
	if _, spent := stageSpent(t, cur.Value); spent != int(calls) {
		t.Fatalf("day 1: cursor %s records %d calls, the run made %d", cur.Value, spent, calls)
	}
	// The spend frees 24 hours after the ledger says it was made (a
	// moment after the org's clock, which stands still, said 09:00:00).
	var spent struct {
		Spent []struct{ At string } `json:"stage_spent"`
	}
	_ = json.Unmarshal([]byte(cur.Value), &spent)
	frees := ztime(t, spent.Spent[0].At).Add(24 * time.Hour)
	log := logs.String()
	if !strings.Contains(log, "level=INFO") || !strings.Contains(log, "stopped at its daily allowance") ||
		!strings.Contains(log, "deals are left") || !strings.Contains(log, "frees_at="+frees.Format(time.RFC3339)) ||
		!strings.Contains(log, "starts to free at 2026-03-03 09:01 UTC") {
		t.Fatalf("day 1: the log does not say what is left and when the allowance frees:\n%s", log)
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "daily allowance") {
			t.Logf("day 1 log: %s", line)
		}
	}

	// The same day, an hour later: nothing is spent, not even a list page.
	clk.advance(time.Hour)
	res, hist, calls = runDay("day 1, later")
	if hist != 0 || calls != 0 || !res.Incomplete {
		t.Fatalf("same day: %d histories, %d Deals calls, incomplete %v; want none and incomplete", hist, calls, res.Incomplete)
	}

	// 24 hours after the spend (it ended a moment after day1): the next
	// run continues from the checkpoint, and so on until the read is done.
	clk.advance(23*time.Hour + time.Minute)
	total := int64(0)
	days := 1
	for ; days < 10; days++ {
		res, hist, calls = runDay(fmt.Sprintf("day %d", days+1))
		total += hist
		if calls > 500 || hist == 0 {
			t.Fatalf("day %d: %d histories in %d calls; want some, within 500 calls", days+1, hist, calls)
		}
		if !res.Incomplete {
			break
		}
		clk.advance(24*time.Hour + time.Minute)
	}
	if res.Incomplete || days < 2 {
		t.Fatalf("not done after %d days", days+1)
	}
	got := tableRows(t, wh, "zoho_crm.deals_stage_history") // fails on a duplicate id
	if len(got) != entries {
		t.Fatalf("%d Stage_History rows landed over %d days; the emulator has %d", len(got), days+1, entries)
	}
	landed = landedDeals(t, got)
	for _, d := range deals {
		id := d["id"].(string)
		for _, h := range ts.StageHistory(id) {
			if row, ok := got[fmt.Sprint(h["id"])]; !ok || !strings.Contains(row, "Deal_Id="+id+";") {
				t.Fatalf("deal %s entry %v: landed as %q", id, h["id"], row)
			}
		}
		if landed[id] != len(ts.StageHistory(id)) {
			t.Fatalf("deal %s: %d rows landed, the emulator has %d", id, landed[id], len(ts.StageHistory(id)))
		}
	}
	t.Logf("%d deals, %d entries over %d days; histories read after day 1: %d", len(deals), entries, days+1, total)
}

// TestStageHistoryAllowanceSurvivesRestart: the ledger is in the cursor,
// so a new extractor (a new process) that reads the cursor from the
// warehouse the same day spends nothing, and one a day later goes on.
func TestStageHistoryAllowanceSurvivesRestart(t *testing.T) {
	clk := newStageClock()
	ts, deals, _ := stageWorld(t, clk, 4000, 2100, 300)
	o := crmOptions(ts)
	share := 0.05 // 200 calls per 24 hours
	o.Modules, o.DailyCredits, o.StageHistoryShare = []string{"Deals"}, 4000, &share
	wh := openWarehouse(t, "restart")

	run := func(label string) (extract.Result, int64, int64) {
		t.Helper()
		e := newExtractor(t, o) // a fresh extractor each run, like a new process
		h0, a0 := stageCalls(ts)
		res, err := extractInto(t, wh, e, zoho.StageHistoryObject, 0)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		h1, a1 := stageCalls(ts)
		t.Logf("%s: %d histories, %d Deals calls, incomplete %v, cursor %s", label, h1-h0, a1-a0, res.Incomplete, res.Cursor)
		return res, h1 - h0, a1 - a0
	}
	res, hist, calls := run("first process")
	if calls > 200 || hist < 195 || !res.Incomplete {
		t.Fatalf("first process: %d histories in %d calls, incomplete %v", hist, calls, res.Incomplete)
	}
	clk.advance(2 * time.Hour)
	res, hist, calls = run("second process, same day")
	if hist != 0 || calls != 0 || !res.Incomplete {
		t.Fatalf("second process: %d histories, %d calls, incomplete %v; the ledger did not survive", hist, calls, res.Incomplete)
	}
	clk.advance(22*time.Hour + time.Minute)
	res, hist, calls = run("third process, next day")
	if hist == 0 || calls > 200 {
		t.Fatalf("third process: %d histories in %d calls", hist, calls)
	}
	if n := len(landedDeals(t, tableRows(t, wh, "zoho_crm.deals_stage_history"))); n < 390 || n > len(deals) {
		t.Fatalf("%d deals landed after two days of 200 calls", n)
	}
}

// TestStageHistoryAllowanceOldCursor: a cursor written before the ledger
// existed (a bare time, or JSON without stage_spent) still reads from
// where it points, within the allowance, and the cursor it returns
// carries the ledger.
func TestStageHistoryAllowanceOldCursor(t *testing.T) {
	ts, deals, _ := stageWorld(t, nil, 2000, 2100, 300)
	o := crmOptions(ts)
	o.Modules, o.DailyCredits = []string{"Deals"}, 2000 // 100 calls per 24 hours
	from := deals[100]["Modified_Time"].(string)
	for name, old := range map[string]string{
		"bare time":         from,
		"json":              `{"modified":"` + from + `"}`,
		"json with deleted": `{"modified":"` + from + `","deleted":"` + from + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newExtractor(t, o)
			h0, a0 := stageCalls(ts)
			st, err := e.Extract(context.Background(), extract.Object{Name: zoho.StageHistoryObject, Key: "id"}, old)
			if err != nil {
				t.Fatal(err)
			}
			res := drain(t, st)
			incomplete := st.(extract.Incompleter).Incomplete()
			st.Release()
			h1, a1 := stageCalls(ts)
			if a1-a0 > 100 || h1-h0 < 95 || !incomplete {
				t.Fatalf("from %s: %d histories in %d calls, incomplete %v; want about 100 calls", old, h1-h0, a1-a0, incomplete)
			}
			for _, row := range res.rows {
				d := row["Deal_Id"].(string)
				for i, dd := range deals[:95] {
					if dd["id"] == d && ztime(t, dd["Modified_Time"].(string)).Before(ztime(t, from).Add(-o.Lookback-time.Second)) {
						t.Fatalf("deal %d (%s), modified before the cursor, was read", i, d)
					}
				}
			}
			modified, spent := stageSpent(t, res.cursor)
			if spent != int(a1-a0) || !ztime(t, modified).After(ztime(t, from)) {
				t.Fatalf("cursor %s: want stage_spent of %d calls and modified after %s", res.cursor, a1-a0, from)
			}
		})
	}
}

// TestStageHistoryAllowanceAndMaxCalls: max_calls still applies beside
// the allowance; the smaller wins.
func TestStageHistoryAllowanceAndMaxCalls(t *testing.T) {
	ts, _, _ := stageWorld(t, nil, 0, 2100, 300)
	for _, tc := range []struct {
		maxCalls int
		daily    int64
		want     int64 // at most this many Deals calls
	}{
		{60, 10_000, 61}, // max_calls 60 against an allowance of 500 (max_calls may list one page more)
		{300, 2000, 100}, // the allowance (100) against max_calls 300
	} {
		t.Run(fmt.Sprint(tc.maxCalls, "/", tc.daily), func(t *testing.T) {
			o := crmOptions(ts)
			o.Modules, o.MaxCalls, o.DailyCredits = []string{"Deals"}, tc.maxCalls, tc.daily
			e := newExtractor(t, o)
			_, a0 := stageCalls(ts)
			st, err := e.Extract(context.Background(), extract.Object{Name: zoho.StageHistoryObject, Key: "id"}, "")
			if err != nil {
				t.Fatal(err)
			}
			drain(t, st)
			incomplete := st.(extract.Incompleter).Incomplete()
			st.Release()
			_, a1 := stageCalls(ts)
			if calls := a1 - a0; calls > tc.want || calls < tc.want-10 || !incomplete {
				t.Fatalf("max_calls %d, daily_credits %d: %d calls, incomplete %v; want about %d", tc.maxCalls, tc.daily, calls, incomplete, tc.want)
			}
		})
	}
}

// TestStageHistoryLedgerRolls: once the histories are read, a run every
// 15 minutes spends two calls each (the deal list, and the newest deal's
// history, which the boundary second brings again); over two days
// that is far above the allowance in total but below it in any 24 hours,
// so no run stops, and the ledger in the cursor stays small (an entry per
// hour at most) while spends older than 24 hours drop out of it.
func TestStageHistoryLedgerRolls(t *testing.T) {
	ctx := context.Background()
	clk := newStageClock()
	ts, deals, _ := stageWorld(t, clk, 2000, 300, 20)
	o := crmOptions(ts)
	share := 0.2 // 400 calls per 24 hours
	o.Modules, o.DailyCredits, o.StageHistoryShare = []string{"Deals"}, 2000, &share
	e := newExtractor(t, o)
	cur := ""
	total := 0
	for i := range 200 { // 50 hours
		if _, err := e.Objects(ctx); err != nil { // the runner's discovery: the org's clock
			t.Fatal(err)
		}
		_, a0 := stageCalls(ts)
		st, err := e.Extract(ctx, extract.Object{Name: zoho.StageHistoryObject, Key: "id"}, cur)
		if err != nil {
			t.Fatal(err)
		}
		res := drain(t, st)
		incomplete := st.(extract.Incompleter).Incomplete()
		st.Release()
		_, a1 := stageCalls(ts)
		total += int(a1 - a0)
		if incomplete {
			t.Fatalf("run %d (hour %.2f) stopped; %d calls in all; cursor %s", i, float64(i)/4, total, res.cursor)
		}
		cur = res.cursor
		clk.advance(15 * time.Minute)
	}
	var c struct {
		Spent []struct {
			At    string
			Calls int
		} `json:"stage_spent"`
	}
	if err := json.Unmarshal([]byte(cur), &c); err != nil {
		t.Fatal(err)
	}
	inLedger := 0
	for _, s := range c.Spent {
		inLedger += s.Calls
		if !ztime(t, s.At).After(clk.now().Add(-24*time.Hour - 15*time.Minute)) {
			t.Fatalf("an entry older than 24 hours stayed: %s", cur)
		}
	}
	if len(c.Spent) > 25 || inLedger > 400 || total <= 400 || inLedger < 150 {
		t.Fatalf("%d calls over 50 hours (%d deals); the ledger has %d entries of %d calls: %s", total, len(deals), len(c.Spent), inLedger, cur)
	}
	t.Logf("%d calls over 50 hours; the ledger holds %d entries of %d calls", total, len(c.Spent), inLedger)
}
