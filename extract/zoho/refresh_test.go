//go:build duckdb_arrow

package zoho_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
)

// TestRefusedRefreshKeepsCheckpoints: 5% of Stage_History calls answer
// that the access token expired, and Zoho grants only three tokens per
// ten minutes here, so a run soon has its refresh refused. That fails
// the object with the refusal (one refused token request, shared by the
// requests that needed it) but keeps the deals read whole; runs ten
// minutes apart (sharing the token cache, as scheduled runs do) go on
// from there until the table equals a one-shot read.
func TestRefusedRefreshKeepsCheckpoints(t *testing.T) {
	var clk clock
	faults := sandbox.NewFaults(3)
	ts := start(t, zohotest.Options{RefreshLimit: 3, Now: clk.now, Faults: faults}, 1500)
	faults.Add(sandbox.Rule{Kind: sandbox.FaultExpireToken, System: "zoho_crm",
		Endpoint: "/crm/v8/Deals/{id}/Stage_History", Probability: 0.05})
	tokenRequests := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" })
	}
	dealCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return strings.HasPrefix(c.Endpoint, "/crm/v8/Deals") })
	}
	o := crmOptions(ts)
	o.Modules = []string{"Deals"}
	o.TokenCacheDir = t.TempDir()
	wh := openWarehouse(t, "refused")

	var failed, total int64
	prev := ""
	runs := 0
	for ; runs < 30; runs++ {
		ts.Counters().Reset()
		e := newExtractor(t, o)
		res, err := extractInto(t, wh, e, zoho.StageHistoryObject, 0)
		total += dealCalls()
		cur, _, _ := load.GetCursor(t.Context(), wh, "zoho_crm", zoho.StageHistoryObject)
		t.Logf("run %d: %d rows in %d segments, %d calls, %d token requests, cursor %s, error %v",
			runs+1, res.Rows, res.Segments, dealCalls(), tokenRequests(), cur.Value, err)
		// At most the three grants of the window and one refused request:
		// the requests that met the refusal share it.
		if n := tokenRequests(); n > 4 {
			t.Fatalf("run %d made %d token requests", runs+1, n)
		}
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "Access Denied") || !strings.Contains(err.Error(), "ten access tokens") {
			t.Fatalf("run %d failed otherwise: %v", runs+1, err)
		}
		failed++
		if res.Segments == 0 || cur.Value == prev {
			t.Fatalf("run %d kept nothing: %+v", runs+1, res)
		}
		prev = cur.Value
		clk.advance(11 * time.Minute) // the next window
	}
	if failed == 0 || runs == 30 {
		t.Fatalf("%d runs, %d failed: want refusals and then a finished read", runs+1, failed)
	}

	faults.Clear()
	ts.Counters().Reset()
	one := openWarehouse(t, "oneshot")
	if _, err := extractInto(t, one, newExtractor(t, o), zoho.StageHistoryObject, 0); err != nil {
		t.Fatal(err)
	}
	oneShot := dealCalls()
	got, want := tableRows(t, wh, "zoho_crm.deals_stage_history"), tableRows(t, one, "zoho_crm.deals_stage_history")
	if len(got) != len(want) {
		t.Fatalf("%d rows after %d runs, one-shot %d", len(got), runs+1, len(want))
	}
	// The open stage's Duration_Days grows with the emulator's clock,
	// which moved on between the runs without changing Modified_Time.
	days := regexp.MustCompile(`Duration_Days=[^;]*;`)
	for id, w := range want {
		if days.ReplaceAllString(got[id], "") != days.ReplaceAllString(w, "") {
			t.Fatalf("entry %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
	t.Logf("%d runs (%d refused a refresh) made %d calls; a one-shot read without faults %d", runs+1, failed, total, oneShot)
}
