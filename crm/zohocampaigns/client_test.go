package zohocampaigns_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohocampaigns"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
)

// fakeClock is a clock that moves only when someone sleeps on it: the
// pacer's waits and the emulator's lock windows pass at once.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	c.mu.Unlock()
}

type env struct {
	zo    *zohotest.TestServer
	cs    *campaignstest.TestServer
	clock *fakeClock
}

// start runs the accounts emulator and a Campaigns emulator seeded from a
// world of records records (none when 0), both on loopback.
func start(t *testing.T, records int) *env {
	t.Helper()
	clock := newFakeClock()
	zo := zohotest.Start(zohotest.Options{})
	t.Cleanup(zo.Close)
	cs := campaignstest.Start(campaignstest.Options{Tokens: zo.Server, Now: clock.Now})
	t.Cleanup(cs.Close)
	if records > 0 {
		w := sandbox.Generate(sandbox.Options{Seed: 3, Records: records})
		cs.Seed(w.Project(sandbox.ZohoCampaigns))
	}
	return &env{zo: zo, cs: cs, clock: clock}
}

func (e *env) config() zohocampaigns.Config {
	return zohocampaigns.Config{AccountsURL: e.zo.URL, BaseURL: e.cs.URL, ClientID: e.zo.ClientID(),
		ClientSecret: e.zo.ClientSecret(), RefreshToken: e.zo.RefreshToken(), Clock: e.clock,
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 10000, MaxRetries: 2}}
}

func (e *env) client(t *testing.T, mod func(*zohocampaigns.Config)) *zohocampaigns.Client {
	t.Helper()
	cfg := e.config()
	if mod != nil {
		mod(&cfg)
	}
	c, err := zohocampaigns.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// calls is how many requests the emulator answered on one API.
func (e *env) calls(api string) int64 {
	var n int64
	for _, c := range e.cs.Counters().Snapshot() {
		if c.System == campaignstest.System && c.Endpoint == campaignstest.Root+api {
			n += c.Count
		}
	}
	return n
}

func campaigns(t *testing.T, c *zohocampaigns.Client, opts zohocampaigns.ListOptions) []zohocampaigns.Campaign {
	t.Helper()
	var out []zohocampaigns.Campaign
	err := c.RecentCampaigns(context.Background(), opts, func(p []zohocampaigns.Campaign) (bool, error) {
		out = append(out, p...)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func recipients(t *testing.T, c *zohocampaigns.Client, key, action string, size int) []zohocampaigns.Recipient {
	t.Helper()
	var out []zohocampaigns.Recipient
	err := c.Recipients(context.Background(), key, action, size, func(p []zohocampaigns.Recipient) (bool, error) {
		out = append(out, p...)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestClientAgainstEmulator(t *testing.T) {
	e := start(t, 1500)
	c := e.client(t, nil)
	ctx := context.Background()
	want := e.cs.Campaigns()
	got := campaigns(t, c, zohocampaigns.ListOptions{Range: 2})
	if len(got) != len(want) || len(want) < 3 {
		t.Fatalf("listed %d campaigns, the emulator holds %d", len(got), len(want))
	}
	for i, cp := range got {
		w := want[len(want)-1-i] // newest first by default
		if cp.Key != w.Key || !cp.SentTime.Equal(w.SentAt) || cp.Status != "Sent" || cp.CreatedTime.IsZero() {
			t.Fatalf("campaign %d = %+v, want %+v", i, cp, w)
		}
	}
	events := 0
	for _, cp := range got {
		rep, err := c.CampaignReport(ctx, cp.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.SentTime.Equal(cp.SentTime.Truncate(time.Minute)) || rep.Name != cp.Name {
			t.Errorf("report %s: sent %v name %q, list says %v %q", cp.Key, rep.SentTime, rep.Name, cp.SentTime, cp.Name)
		}
		counts := map[string]int{}
		for _, a := range campaignstest.EventActions {
			rows := recipients(t, c, cp.Key, a, 0)
			counts[a] = len(rows)
			events += len(rows)
			for _, r := range rows {
				if r.At.IsZero() || r.SentAt.IsZero() || r.At.Before(r.SentAt) {
					t.Fatalf("%s %s %s: at %v sent %v", cp.Key, a, r.Email, r.At, r.SentAt)
				}
			}
		}
		for metric, action := range map[string]string{"opens_count": campaignstest.ActionOpened,
			"unique_clicks_count": campaignstest.ActionClicked, "unsub_count": campaignstest.ActionOptOut,
			"hardbounce_count": campaignstest.ActionHardBounce} {
			if rep.Metrics[metric] != int64(counts[action]) {
				t.Errorf("%s %s = %d, %s lists %d", cp.Key, metric, rep.Metrics[metric], action, counts[action])
			}
		}
		if rep.Metrics["delivered_count"] != int64(counts[campaignstest.ActionSent]-counts[campaignstest.ActionHardBounce]-counts[campaignstest.ActionSoftBounce]) {
			t.Errorf("%s delivered_count = %d", cp.Key, rep.Metrics["delivered_count"])
		}
	}
	if events != e.cs.Events() {
		t.Errorf("read %d recipient events, the emulator holds %d", events, e.cs.Events())
	}
	// Nothing to list is not an error: spam complaints (6303).
	if rows := recipients(t, c, got[0].Key, zohocampaigns.ActionSpam, 0); len(rows) != 0 {
		t.Errorf("spamcontacts: %d rows", len(rows))
	}
}

func TestClientPagesRecipientsUntilShortPage(t *testing.T) {
	e := start(t, 800)
	c := e.client(t, nil)
	key := e.cs.Campaigns()[0].Key
	all := recipients(t, c, key, campaignstest.ActionSent, 0)
	for _, size := range []int{7, len(all)} {
		before := e.calls("getcampaignrecipientsdata")
		paged := recipients(t, c, key, campaignstest.ActionSent, size)
		if len(paged) != len(all) {
			t.Fatalf("range %d read %d rows, one page reads %d", size, len(paged), len(all))
		}
		seen := map[string]bool{}
		for _, r := range paged {
			if seen[r.Email] {
				t.Fatalf("range %d: %s twice", size, r.Email)
			}
			seen[r.Email] = true
		}
		// A full last page costs one more call, answered 6303.
		want := int64(len(all)/size + 1)
		if got := e.calls("getcampaignrecipientsdata") - before; got != want {
			t.Errorf("range %d: %d calls for %d rows, want %d", size, got, len(all), want)
		}
	}
}

func TestClientErrors(t *testing.T) {
	e := start(t, 500)
	c := e.client(t, nil)
	ctx := context.Background()
	_, err := c.CampaignReport(ctx, "3zdoesnotexist", nil)
	if !zohocampaigns.IsCode(err, zohocampaigns.CodeNotSent) || !strings.Contains(err.Error(), `"3zdoesnotexist"`) {
		t.Errorf("unknown key: %v, want code 6002 naming the key", err)
	}
	err = c.Recipients(ctx, "3zdoesnotexist", zohocampaigns.ActionOpened, 0, func([]zohocampaigns.Recipient) (bool, error) { return true, nil })
	if !zohocampaigns.IsCode(err, zohocampaigns.CodeNotSent) || !strings.Contains(err.Error(), "3zdoesnotexist") {
		t.Errorf("recipients of an unknown key: %v", err)
	}
	if err := c.Recipients(ctx, "k", "readcontacts", 0, nil); err == nil || !strings.Contains(err.Error(), "readcontacts") {
		t.Errorf("unknown action: %v", err)
	}

	// A report not ready yet (6001) is retried, with waits on the clock.
	key := e.cs.Campaigns()[0].Key
	e.cs.FailReports(2)
	before, at := e.calls("campaignreports"), e.clock.Now()
	if _, err := c.CampaignReport(ctx, key, nil); err != nil {
		t.Fatalf("6001 twice then a report: %v", err)
	}
	if n := e.calls("campaignreports") - before; n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	if waited := e.clock.Now().Sub(at); waited < 6*time.Second {
		t.Errorf("waited %v between 6001 retries, want 2s+4s", waited)
	}
	e.cs.FailReports(10)
	if _, err := c.CampaignReport(ctx, key, nil); !zohocampaigns.IsCode(err, zohocampaigns.CodeReportError) {
		t.Errorf("6001 every time: %v", err)
	}
	e.cs.FailReports(0)

	// An org with no campaigns sent: 6101 is an empty list.
	empty := start(t, 0)
	if got := campaigns(t, empty.client(t, nil), zohocampaigns.ListOptions{}); len(got) != 0 {
		t.Errorf("empty org listed %d", len(got))
	}

	// A token without the Campaigns scope is refused.
	crmOnly := e.zo.IssueRefreshToken("ZohoCRM.modules.ALL")
	nc := e.client(t, func(c *zohocampaigns.Config) { c.RefreshToken = crmOnly })
	if err := nc.RecentCampaigns(ctx, zohocampaigns.ListOptions{}, nil); err == nil || !strings.Contains(err.Error(), "OAUTH_SCOPE_MISMATCH") {
		t.Errorf("token without ZohoCampaigns scope: %v", err)
	}
	// Bad credentials fail at the accounts server, without leaking the secret.
	bad := e.client(t, func(c *zohocampaigns.Config) { c.ClientSecret = "wrong-secret-value" })
	err = bad.Connect(ctx)
	var te *zoho.TokenError
	if !errors.As(err, &te) || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("bad secret: %v", err)
	}
}

// TestPacerNeverLocks drives 1,200 calls of one API, more than twice its
// 500 in 5 minutes, through the client: the pacer waits (on the fake
// clock both sides share) and the emulator never locks the API.
func TestPacerNeverLocks(t *testing.T) {
	e := start(t, 300)
	c := e.client(t, nil)
	ctx := context.Background()
	key := e.cs.Campaigns()[0].Key
	start := e.clock.Now()
	for i := range 1200 {
		if _, err := c.CampaignReport(ctx, key, nil); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if n := e.cs.Lockouts(); n != 0 {
		t.Fatalf("the emulator locked an API %d times", n)
	}
	if got := e.calls("campaignreports"); got != 1200 {
		t.Errorf("emulator counted %d calls, want 1200", got)
	}
	ps := c.Pacing()["campaignreports"]
	if ps.Calls != 1200 || ps.Waits < 700 {
		t.Errorf("pacing %+v: want 1200 calls, most of those past the budget waiting", ps)
	}
	// The bucket holds 45 calls and refills 405 per 5 minutes (450 at most
	// in any window, 90% of the limit): the 1,155 calls past the first
	// 45 take 1,155/1.35 s.
	calls, perSec := 1200.0-45, 405.0/300
	want := time.Duration(calls / perSec * float64(time.Second))
	if took := e.clock.Now().Sub(start); took < want-time.Second || took > want+time.Second {
		t.Errorf("1,200 paced calls took %v of clock, want %v", took, want)
	}
	if li := e.cs.Lock("campaignreports"); li.InWindow > 450 || li.Lockouts != 0 {
		t.Errorf("lock state %+v", li)
	}
}

// TestNaiveCallerIsLocked: a caller that does not pace itself gets the
// 501st call refused, and the API stays locked 30 minutes while the others
// stay usable.
func TestNaiveCallerIsLocked(t *testing.T) {
	e := start(t, 300)
	ctx := context.Background()
	// A pacer with a budget far above the limit paces nothing.
	c := e.client(t, func(c *zohocampaigns.Config) { c.Pace = zohocampaigns.Pace{Limit: 1_000_000, Share: 1} })
	key := e.cs.Campaigns()[0].Key
	var err error
	n := 0
	for n = 1; n <= 600; n++ {
		if _, err = c.CampaignReport(ctx, key, nil); err != nil {
			break
		}
	}
	var le *zohocampaigns.LockedError
	if !errors.As(err, &le) || n != 501 || le.RetryAfter != 30*time.Minute {
		t.Fatalf("call %d: %v (%#v), want call 501 locked for 30m", n, err, le)
	}
	// The other APIs stay usable.
	if got := campaigns(t, c, zohocampaigns.ListOptions{}); len(got) == 0 {
		t.Error("recentcampaigns unusable while campaignreports is locked")
	}
	e.clock.Advance(29 * time.Minute)
	if _, err := c.CampaignReport(ctx, key, nil); !errors.As(err, &le) || le.RetryAfter != time.Minute {
		t.Errorf("29 minutes later: %v", err)
	}
	e.clock.Advance(time.Minute + time.Second)
	if _, err := c.CampaignReport(ctx, key, nil); err != nil {
		t.Errorf("after 30 minutes: %v", err)
	}
	// Raw, as any client sees it: HTTP 200, "status":"error", the lock's
	// code and a Retry-After.
	tok := accessToken(t, e)
	for i := 0; ; i++ {
		status, body, hdr := get(t, e.cs.URL+"/api/v1.1/campaignreports?resfmt=JSON&campaignkey="+url.QueryEscape(key), tok)
		if status != http.StatusOK {
			t.Fatalf("HTTP %d", status)
		}
		if strings.Contains(body, `"status":"error"`) {
			if !strings.Contains(body, `"code":997`) || hdr.Get("Retry-After") != "1800" || i != 499 {
				t.Errorf("call %d locked with %s, Retry-After %q", i+1, body, hdr.Get("Retry-After"))
			}
			break
		}
	}
}

func accessToken(t *testing.T, e *env) string {
	t.Helper()
	resp, err := http.PostForm(e.zo.URL+"/oauth/v2/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {e.zo.ClientID()}, "client_secret": {e.zo.ClientSecret()}, "refresh_token": {e.zo.RefreshToken()}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return tok.AccessToken
}

func get(t *testing.T, u, tok string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}
