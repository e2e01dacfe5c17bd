package zoho_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestDataCenters(t *testing.T) {
	want := map[string][2]string{
		"US": {"https://accounts.zoho.com", "https://www.zohoapis.com"},
		"EU": {"https://accounts.zoho.eu", "https://www.zohoapis.eu"},
		"IN": {"https://accounts.zoho.in", "https://www.zohoapis.in"},
		"AU": {"https://accounts.zoho.com.au", "https://www.zohoapis.com.au"},
		"JP": {"https://accounts.zoho.jp", "https://www.zohoapis.jp"},
		"CA": {"https://accounts.zohocloud.ca", "https://www.zohoapis.ca"},
		"CN": {"https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"},
		"SA": {"https://accounts.zoho.sa", "https://www.zohoapis.sa"},
	}
	for code, hosts := range want {
		dc, err := zoho.LookupDataCenter(strings.ToLower(code))
		if err != nil || dc.AccountsURL != hosts[0] || dc.APIDomain != hosts[1] {
			t.Errorf("%s: got %+v, %v", code, dc, err)
		}
	}
	if _, err := zoho.LookupDataCenter("UK"); err == nil {
		t.Error("UK: want an error")
	}
}

// TestOAuthPerDataCenter reaches each data center by its real host names
// (the emulator tells them apart by Host): the org's own DC works, with
// the API domain taken from the token answer; another DC's accounts server
// does not know the client.
func TestOAuthPerDataCenter(t *testing.T) {
	ctx := context.Background()
	for _, dc := range []string{"EU", "IN", "AU", "JP", "CA", "CN", "SA", "US"} {
		t.Run(dc, func(t *testing.T) {
			ts := start(t, zohotest.Options{DataCenter: dc}, 0)
			d, _ := zoho.LookupDataCenter(dc)
			ts.SetURLs(d.AccountsURL, d.APIDomain, d.DeskURL) // what a real org answers
			cfg := zoho.Config{DataCenter: dc, ClientID: ts.ClientID(), ClientSecret: ts.ClientSecret(),
				RefreshToken: ts.RefreshToken(), Transport: viaHosts(t, ts), Limits: fastLimits}
			c := newClient(t, cfg)
			mods, err := c.Modules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(mods) == 0 || c.APIDomain() != d.APIDomain {
				t.Fatalf("modules %d, api domain %s", len(mods), c.APIDomain())
			}
			// The same credentials with the wrong data center fail clearly.
			other := "US"
			if dc == "US" {
				other = "EU"
			}
			cfg.DataCenter = other
			err = newClient(t, cfg).Connect(ctx)
			var te *zoho.TokenError
			if !errors.As(err, &te) || te.Code != "invalid_client" {
				t.Fatalf("want invalid_client, got %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "zoho: token: invalid_client") || !strings.Contains(msg, "data center than "+other) {
				t.Fatalf("unclear error: %s", msg)
			}
			if strings.Contains(err.Error(), ts.ClientSecret()) || strings.Contains(err.Error(), ts.RefreshToken()) {
				t.Fatal("secret in error")
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		edit func(*zoho.Config)
		code string
	}{
		{"client id", func(c *zoho.Config) { c.ClientID = "1000.NOPE" }, "invalid_client"},
		{"secret", func(c *zoho.Config) { c.ClientSecret = "wrong-secret" }, "invalid_client_secret"},
		{"refresh token", func(c *zoho.Config) { c.RefreshToken = "1000.revoked.token" }, "invalid_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(ts)
			tc.edit(&cfg)
			c := newClient(t, cfg)
			_, err := c.Fields(ctx, "Leads")
			var te *zoho.TokenError
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("want %s, got %v", tc.code, err)
			}
			for _, secret := range []string{cfg.ClientSecret, cfg.RefreshToken} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("secret in error: %v", err)
				}
			}
		})
	}
	if _, err := zoho.New(zoho.Config{ClientID: "x", ClientSecret: "y"}); err == nil {
		t.Fatal("a config without refresh token: want an error")
	}
}

// TestTokenCacheNeverHidesBadCredentials: a token an earlier run cached
// with the right credentials is not used by a run whose client secret,
// refresh token or client id is wrong: that run fails at once, as it
// would without a cache, while the right credentials still reuse it.
func TestTokenCacheNeverHidesBadCredentials(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	ctx := context.Background()
	dir := t.TempDir()
	good := config(ts)
	good.TokenCacheDir = dir
	if err := newClient(t, good).Connect(ctx); err != nil {
		t.Fatal(err)
	}
	again := newClient(t, good)
	if err := again.Connect(ctx); err != nil || again.TokenFetches() != 1 {
		t.Fatalf("the same credentials: %v; want the cached token reused", err)
	}
	grants := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" })
	}
	for _, tc := range []struct {
		name string
		edit func(*zoho.Config)
		code string
	}{
		{"secret", func(c *zoho.Config) { c.ClientSecret = "wrong-secret" }, "invalid_client_secret"},
		{"refresh token", func(c *zoho.Config) { c.RefreshToken = "1000.revoked.token" }, "invalid_code"},
		{"client id", func(c *zoho.Config) { c.ClientID = "1000.NOPE" }, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			before := grants()
			err := newClient(t, cfg).Connect(ctx)
			var te *zoho.TokenError
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("want %s, got %v: a cached token hid the bad credential", tc.code, err)
			}
			if grants() != before+1 {
				t.Fatalf("%d token requests, want 1", grants()-before)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		for _, secret := range []string{good.ClientSecret, good.RefreshToken, "wrong-secret"} {
			if strings.Contains(e.Name(), secret) {
				t.Fatalf("cache file %s names a secret", e.Name())
			}
		}
	}
}

// TestRefusedHostFailsFast: with the default limits, an accounts server
// that refuses every connection fails Connect within seconds (three quick
// attempts), with an error that says so and shows no secret.
func TestRefusedHostFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := zoho.Config{AccountsURL: "http://" + addr, APIDomain: "http://" + addr, ClientID: "1000.C",
		ClientSecret: "s3cret-value", RefreshToken: "1000.refresh.value"}
	start := time.Now()
	err = newClient(t, cfg).Connect(context.Background())
	var ce *httpx.ConnectError
	if !errors.As(err, &ce) || !ce.Refused || ce.Attempts != 3 || !strings.Contains(err.Error(), "refused the connection") {
		t.Fatalf("err = %v; want the refusal after 3 attempts", err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("failed after %v", took)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "refresh.value") {
		t.Fatalf("secret in error: %v", err)
	}
}

func TestAPIErrors(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	c := newClient(t, config(ts))
	ctx := context.Background()
	_, err := c.Fields(ctx, "Nope")
	var ae *zoho.APIError
	if !errors.As(err, &ae) || ae.Code != "INVALID_MODULE" || ae.Status != 400 || !strings.Contains(err.Error(), "Nope") {
		t.Fatalf("want INVALID_MODULE naming the module, got %v", err)
	}
	err = c.List(ctx, "Leads", []string{"No_Such_Field"}, zoho.ListOptions{}, func([]map[string]any) error { return nil })
	if !zoho.IsCode(err, "INVALID_DATA") || !strings.Contains(err.Error(), "list Leads") {
		t.Fatalf("want INVALID_DATA from list Leads, got %v", err)
	}
	d, err := c.Desk()
	if err != nil {
		t.Fatal(err)
	}
	err = d.List(ctx, "tickets", zoho.DeskListOptions{SortBy: "nope"}, func([]map[string]any) (bool, error) { return true, nil })
	if !errors.As(err, &ae) || ae.Code != "INVALID_DATA" || ae.Status != 422 {
		t.Fatalf("want Desk INVALID_DATA 422, got %v", err)
	}
}

// TestTokenRenewedOnExpiry expires every token between calls: the client
// renews it and replays the call.
func TestTokenRenewedOnExpiry(t *testing.T) {
	ts := start(t, zohotest.Options{}, 300)
	c := newClient(t, config(ts))
	ctx := context.Background()
	if _, err := c.Fields(ctx, "Leads"); err != nil {
		t.Fatal(err)
	}
	ts.ExpireTokens()
	if _, err := c.Fields(ctx, "Leads"); err != nil {
		t.Fatal(err)
	}
	d, _ := c.Desk()
	ts.ExpireTokens()
	if err := d.List(ctx, "tickets", zoho.DeskListOptions{}, func([]map[string]any) (bool, error) { return false, nil }); err != nil {
		t.Fatal(err)
	}
	if n := c.TokenFetches(); n != 3 {
		t.Fatalf("token fetches: %d, want 3", n)
	}
}

// gate holds API requests (not token requests) until n of them have
// arrived, so that they all go out with the same access token.
type gate struct {
	n       int
	mu      sync.Mutex
	waiting int
	open    chan struct{}
}

func (g *gate) arm(n int) {
	g.mu.Lock()
	g.n, g.waiting, g.open = n, 0, make(chan struct{})
	g.mu.Unlock()
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/crm/") {
		g.mu.Lock()
		open := g.open
		if open != nil {
			g.waiting++
			if g.waiting == g.n {
				close(open)
				g.open = nil
			}
		}
		g.mu.Unlock()
		if open != nil {
			select {
			case <-open:
			case <-time.After(10 * time.Second):
				return nil, errors.New("gate: not every request arrived")
			}
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestConcurrentExpiryRefreshesOnce: N requests in flight all hear that
// their token expired; they share one refresh and all succeed. Once Zoho
// refuses refreshes (ten per ten minutes; two here), N requests failing
// at once share the one refused refresh: one token request, N errors that
// say the accounts server refused.
func TestConcurrentExpiryRefreshesOnce(t *testing.T) {
	const n = 12
	ts := start(t, zohotest.Options{RefreshLimit: 2}, 0)
	g := &gate{}
	cfg := config(ts)
	cfg.Transport = g
	cfg.Limits.Concurrency = n
	c := newClient(t, cfg)
	ctx := context.Background()
	if _, err := c.Fields(ctx, "Leads"); err != nil {
		t.Fatal(err)
	}
	tokenCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" })
	}
	expired := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Status == http.StatusUnauthorized })
	}
	burst := func() []error {
		ts.Counters().Reset()
		ts.ExpireTokens()
		g.arm(n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = c.Fields(ctx, "Leads") })
		}
		wg.Wait()
		return errs
	}

	for i, err := range burst() {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if got, exp := tokenCalls(), expired(); got != 1 || exp != n {
		t.Fatalf("%d requests heard INVALID_TOKEN and made %d token requests; want %d and 1", exp, got, n)
	}

	// The limit is spent: the one refresh is refused, and every request
	// that waited for it fails with the refusal.
	for i, err := range burst() {
		var te *zoho.TokenError
		if !errors.As(err, &te) || te.Code != "Access Denied" || !strings.Contains(err.Error(), "ten access tokens") {
			t.Fatalf("request %d: want the refused refresh, got %v", i, err)
		}
	}
	if got := tokenCalls(); got != 1 {
		t.Fatalf("%d token requests after a refusal; want the %d failing requests to share 1", got, n)
	}
	// A request failing with the same dead token right after is answered
	// with the refusal without asking again.
	g.arm(1)
	if _, err := c.Fields(ctx, "Leads"); err == nil || tokenCalls() != 1 {
		t.Fatalf("after the refusal: %v, %d token requests", err, tokenCalls())
	}
}

func TestListPagingAndFieldGroups(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	ctx := context.Background()
	// 2,450 leads: past the 2,000 records page numbers reach.
	p := &sandbox.Projection{System: sandbox.ZohoCRM}
	base := sandbox.DefaultNow.Add(-1000 * 3600e9)
	for i := range 2450 {
		at := base.Add(time_(i / 3)) // three records per second: ties
		p.Leads = append(p.Leads, sandbox.Lead{LastName: "L" + itoa(i), Company: "C", CreatedAt: at, ModifiedAt: at})
	}
	ts.SeedCRM(p)
	// 60 extra custom fields: more than one call's 50.
	var fields []string
	for i := range 60 {
		name := "Extra_" + itoa(i) + "__c"
		if err := ts.AddField("Leads", zohotest.Field{APIName: name, DataType: "text", Custom: true}); err != nil {
			t.Fatal(err)
		}
		fields = append(fields, name)
	}
	fields = append([]string{"Last_Name", "Modified_Time"}, fields...)
	c := newClient(t, config(ts))
	before := ts.Counters().Sum(nil)
	seen := map[string]int{}
	var sizes []int
	err := c.List(ctx, "Leads", fields, zoho.ListOptions{SortBy: "Modified_Time", SortOrder: "asc"}, func(recs []map[string]any) error {
		sizes = append(sizes, len(recs))
		for _, r := range recs {
			seen[r["id"].(string)]++
			if _, ok := r["Extra_59__c"]; !ok {
				t.Fatalf("record without the second field group: %v", r)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2450 {
		t.Fatalf("saw %d records, want 2450", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s seen %d times", id, n)
		}
	}
	// 13 pages, each with two calls for the second group (≤100 ids each),
	// plus the token.
	if got := c.Stats().Requests; got != 13+25+1 {
		t.Fatalf("calls: %d, want %d (pages %v)", got, 13+25+1, sizes)
	}
	if got := serverCalls(ts, before+39) - before; got != 39 {
		t.Fatalf("the emulator counted %d calls, want 39", got)
	}
}

// TestListPastTokenLimit lists more records than one page_token chain
// reaches (100,000): List starts a new chain at the last second seen and
// drops the records of that second it already delivered. Three records
// share each second, so the chain ends inside a group of ties.
func TestListPastTokenLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("lists 100,300 records")
	}
	ts := start(t, zohotest.Options{DailyCredits: -1}, 0)
	const n = 100_300
	p := &sandbox.Projection{System: sandbox.ZohoCRM}
	p.Leads = make([]sandbox.Lead, n)
	base := sandbox.DefaultNow.Add(-1000 * 3600e9)
	for i := range p.Leads {
		at := base.Add(time_(i / 3))
		p.Leads[i] = sandbox.Lead{LastName: "L", CreatedAt: at, ModifiedAt: at}
	}
	ts.SeedCRM(p)
	c := newClient(t, config(ts))
	seen := make(map[string]bool, n)
	err := c.List(context.Background(), "Leads", []string{"Last_Name", "Modified_Time"},
		zoho.ListOptions{SortBy: "Modified_Time", SortOrder: "asc"}, func(recs []map[string]any) error {
			for _, r := range recs {
				id := r["id"].(string)
				if seen[id] {
					t.Fatalf("%s delivered twice", id)
				}
				seen[id] = true
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("%d records, want %d", len(seen), n)
	}
	// 500 pages in the first chain; the second re-reads the boundary
	// second (one record already delivered) and the last 300: 2 pages;
	// plus the token.
	if got := c.Stats().Requests; got != 500+2+1 {
		t.Fatalf("%d calls, want 503", got)
	}
}
