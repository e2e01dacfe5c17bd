package zohocampaigns_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zohocampaigns"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

// fakeClock moves only when slept on: the pacer's waits and the
// emulator's lock windows pass at once.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	c.mu.Unlock()
	return ctx.Err()
}

type env struct {
	zo    *zohotest.TestServer
	cs    *campaignstest.TestServer
	clock *fakeClock
}

func start(t *testing.T, records int) *env {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	zo := zohotest.Start(zohotest.Options{})
	t.Cleanup(zo.Close)
	cs := campaignstest.Start(campaignstest.Options{Tokens: zo.Server, Now: clock.Now})
	t.Cleanup(cs.Close)
	w := sandbox.Generate(sandbox.Options{Seed: 7, Records: records})
	cs.Seed(w.Project(sandbox.ZohoCampaigns))
	return &env{zo: zo, cs: cs, clock: clock}
}

func (e *env) options() *zohocampaigns.Options {
	return &zohocampaigns.Options{AccountsURL: e.zo.URL, CampaignsURL: e.cs.URL, ClientID: e.zo.ClientID(),
		ClientSecret: e.zo.ClientSecret(), RefreshToken: e.zo.RefreshToken(), Clock: e.clock,
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 10000, MaxRetries: 2}}
}

func openWarehouse(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	wh, err := duckdb.Open(context.Background(), duckdb.Options{Path: filepath.Join(t.TempDir(), "c.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

func count(t *testing.T, wh *duckdb.Warehouse, q string, args ...any) int64 {
	t.Helper()
	r, err := wh.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%s: %v", q, err)
	}
	switch n := rows[0][0].(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	}
	t.Fatalf("%s: %T", q, rows[0][0])
	return 0
}

func run(t *testing.T, wh *duckdb.Warehouse, ex *zohocampaigns.Extractor) map[string]extract.Result {
	t.Helper()
	r := &extract.Runner{Warehouse: wh}
	res, err := r.Run(context.Background(), []extract.Source{{Name: "zoho_campaigns", Extractor: ex}}, extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]extract.Result{}
	for _, x := range res {
		out[x.Object] = x
	}
	return out
}

// TestExtractIncremental lands the emulator's campaigns and recipient
// events into DuckDB, then runs again (nothing new lands, settled
// campaigns are not read again), then adds engagement to an old campaign
// (only it lands).
func TestExtractIncremental(t *testing.T) {
	e := start(t, 3000)
	o := e.options()
	o.Settle = time.Hour
	ex, err := zohocampaigns.New(context.Background(), "zoho_campaigns", o, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh := openWarehouse(t)

	first := run(t, wh, ex)
	events := e.cs.Events()
	rec := first[zohocampaigns.ObjectRecipients]
	if rec.Inserted != int64(events) || rec.Rows != int64(events) {
		t.Fatalf("first run landed %d (%d inserted) recipient events, the emulator holds %d", rec.Rows, rec.Inserted, events)
	}
	if n := count(t, wh, "SELECT count(*) FROM zoho_campaigns.campaign_recipients"); n != int64(events) {
		t.Fatalf("table holds %d events, emulator %d", n, events)
	}
	for api, name := range zohocampaigns.ActionNames {
		want := 0
		if strings.HasPrefix(api, "unopened") || api == "spamcontacts" || api == "unsentcontacts" {
			continue
		}
		want = e.cs.Events(api)
		if n := count(t, wh, "SELECT count(*) FROM zoho_campaigns.campaign_recipients WHERE action = ?", name); n != int64(want) {
			t.Errorf("action %s: %d rows, emulator %d", name, n, want)
		}
	}
	if n := count(t, wh, "SELECT count(*) FROM zoho_campaigns.campaign_recipients WHERE event_time IS NULL OR event_time < sent_time"); n != 0 {
		t.Errorf("%d events without a time or before their send", n)
	}
	camps := e.cs.Campaigns()
	if c := first[zohocampaigns.ObjectCampaigns]; c.Rows != int64(len(camps)) {
		t.Errorf("landed %d campaigns, emulator %d", c.Rows, len(camps))
	}
	if n := count(t, wh, `SELECT count(*) FROM zoho_campaigns.campaigns c WHERE opens_count =
		(SELECT count(*) FROM zoho_campaigns.campaign_recipients r WHERE r.campaign_key = c.campaign_key AND r.action = 'opened')`); n != int64(len(camps)) {
		t.Errorf("%d of %d campaigns' opens_count agree with their opened rows", n, len(camps))
	}
	firstCalls := first[zohocampaigns.ObjectRecipients].APICalls + first[zohocampaigns.ObjectCampaigns].APICalls
	if e.cs.Lockouts() != 0 {
		t.Fatal("the first run got an API locked")
	}
	t.Logf("first run: %d campaigns, %d events landed (emulator %d), %d API calls", len(camps), rec.Inserted, events, firstCalls)

	second := run(t, wh, ex)
	for obj, r := range second {
		if r.Inserted != 0 || r.Updated != 0 {
			t.Errorf("second run: %s inserted %d, updated %d", obj, r.Inserted, r.Updated)
		}
	}
	// Settled campaigns are not read again: one listing and a report each.
	if got, want := second[zohocampaigns.ObjectRecipients].APICalls+second[zohocampaigns.ObjectCampaigns].APICalls,
		int64(1+len(camps)); got != want {
		t.Errorf("second run made %d calls, want %d (a listing and the reports)", got, want)
	}

	// Engagement arrives on the oldest campaign.
	old := camps[0]
	var unopened []string
	rows, err := wh.Query(context.Background(), `SELECT email FROM zoho_campaigns.campaign_recipients s WHERE s.campaign_key = ? AND s.action = 'sent'
		AND NOT EXISTS (SELECT 1 FROM zoho_campaigns.campaign_recipients o WHERE o.campaign_key = s.campaign_key AND o.email = s.email AND o.action IN ('opened','hard_bounce','soft_bounce'))
		ORDER BY email LIMIT 2`, old.Key)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := load.ReadAll(rows)
	if err != nil || len(got) != 2 {
		t.Fatalf("unopened recipients: %v %v", got, err)
	}
	for _, r := range got {
		unopened = append(unopened, r[0].(string))
	}
	at := e.clock.Now().Add(-time.Minute).Truncate(time.Second)
	for _, add := range []struct{ email, action string }{{unopened[0], campaignstest.ActionOpened},
		{unopened[1], campaignstest.ActionClicked}} {
		if ok, err := e.cs.AddEngagement(old.Key, add.email, add.action, at); err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	added := e.cs.Events() - events // the click brings its open: 3
	third := run(t, wh, ex)
	if r := third[zohocampaigns.ObjectRecipients]; r.Inserted != int64(added) || added != 3 {
		t.Errorf("third run inserted %d events, %d were added", r.Inserted, added)
	}
	if n := count(t, wh, "SELECT count(*) FROM zoho_campaigns.campaign_recipients"); n != int64(e.cs.Events()) {
		t.Errorf("table holds %d events, emulator %d", n, e.cs.Events())
	}
	if n := count(t, wh, "SELECT count(*) FROM zoho_campaigns.campaign_recipients WHERE campaign_key = ? AND email = ? AND action = 'opened' AND event_time = ?",
		old.Key, unopened[0], at); n != 1 {
		t.Errorf("the new open of %s did not land with its time", unopened[0])
	}
	if c := third[zohocampaigns.ObjectCampaigns]; c.Updated != 1 {
		t.Errorf("third run updated %d campaigns, want the one whose report changed", c.Updated)
	}
	if e.cs.Lockouts() != 0 {
		t.Error("an API was locked")
	}
	calls := func(res map[string]extract.Result) int64 {
		return res[zohocampaigns.ObjectRecipients].APICalls + res[zohocampaigns.ObjectCampaigns].APICalls
	}
	t.Logf("API calls: first run %d, second %d, third %d (%d new events landed)", calls(first), calls(second), calls(third), added)
}

// TestExtractPacesUnderTheLock lands an account whose read needs more
// recipient calls than 500 in 5 minutes: the pacer spreads them (on the
// fake clock) and no API is locked.
func TestExtractPacesUnderTheLock(t *testing.T) {
	e := start(t, 3000)
	o := e.options()
	o.PageSize = 3 // many pages: well over 500 recipient calls
	ex, err := zohocampaigns.New(context.Background(), "zoho_campaigns", o, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh := openWarehouse(t)
	began := e.clock.Now()
	res := run(t, wh, ex)
	calls := res[zohocampaigns.ObjectRecipients].APICalls
	if calls <= 500 {
		t.Fatalf("only %d recipient calls: the test needs more than 500", calls)
	}
	if e.cs.Lockouts() != 0 {
		t.Fatalf("an API was locked after %d calls", calls)
	}
	if res[zohocampaigns.ObjectRecipients].Rows != int64(e.cs.Events()) {
		t.Errorf("landed %d of %d events", res[zohocampaigns.ObjectRecipients].Rows, e.cs.Events())
	}
	ps := ex.Client().Pacing()["getcampaignrecipientsdata"]
	if ps.Waits == 0 || e.clock.Now().Sub(began) < 5*time.Minute {
		t.Errorf("%d calls paced with %d waits over %v of clock", calls, ps.Waits, e.clock.Now().Sub(began))
	}
	t.Logf("%d recipient calls, %d waited, %v of clock", calls, ps.Waits, e.clock.Now().Sub(began))
}

func TestExtractUnknownCursorAndOptions(t *testing.T) {
	e := start(t, 200)
	ex, err := zohocampaigns.New(context.Background(), "zc", e.options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ex.Extract(context.Background(), extract.Object{Name: zohocampaigns.ObjectRecipients}, "2026-01-01T00:00:00Z")
	if err == nil || !strings.Contains(err.Error(), "cursor") {
		t.Errorf("a CRM-style cursor: %v", err)
	}
	_, err = ex.Extract(context.Background(), extract.Object{Name: "lists"}, "")
	if !errors.Is(err, extract.ErrUnknownObject) {
		t.Errorf("unknown object: %v", err)
	}
	for _, c := range []struct {
		mod  func(*zohocampaigns.Options)
		want string
	}{
		{func(o *zohocampaigns.Options) { o.DataCenter = "mars" }, "data_center"},
		{func(o *zohocampaigns.Options) { o.ClientSecret = "" }, "client_secret"},
		{func(o *zohocampaigns.Options) { o.RefreshToken = "" }, "refresh_token"},
		{func(o *zohocampaigns.Options) { o.Actions = []string{"openedcontacts", "readcontacts"} }, "actions[1]"},
		{func(o *zohocampaigns.Options) { o.Objects = []string{"lists"} }, "objects[0]"},
		{func(o *zohocampaigns.Options) { o.PageSize = 1000 }, "page_size"},
		{func(o *zohocampaigns.Options) { o.CallShare = 1.5 }, "call_share"},
		{func(o *zohocampaigns.Options) { o.CallLimit = -5 }, "call_limit"},
		{func(o *zohocampaigns.Options) { o.TimeZone = "Mars/Olympus" }, "time_zone"},
		{func(o *zohocampaigns.Options) { o.CampaignsURL = "ftp://x" }, "campaigns_url"},
	} {
		o := e.options()
		c.mod(o)
		if err := o.Validate(); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("want an error naming %s, got %v", c.want, err)
		}
	}
}
