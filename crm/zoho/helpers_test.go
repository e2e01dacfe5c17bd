package zoho_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// fastLimits lets tests run at loopback speed with quick retries.
var fastLimits = httpx.Limits{RequestsPerSecond: 10000, Burst: 1000, Concurrency: 4, MaxRetries: 6}

// start runs an emulator seeded with a world of n records (none when 0).
func start(t testing.TB, opts zohotest.Options, n int) *zohotest.TestServer {
	t.Helper()
	ts := zohotest.Start(opts)
	t.Cleanup(ts.Close)
	if n > 0 {
		w := sandbox.Generate(sandbox.Options{Seed: 7, Records: n})
		ts.SeedCRM(w.Project(sandbox.ZohoCRM))
		ts.SeedDesk(w.Project(sandbox.ZohoDesk))
	}
	return ts
}

// config points a client at the emulator by explicit URLs.
func config(ts *zohotest.TestServer) zoho.Config {
	return zoho.Config{AccountsURL: ts.URL, APIDomain: ts.URL, DeskURL: ts.URL, OrgID: ts.OrgID(),
		ClientID: ts.ClientID(), ClientSecret: ts.ClientSecret(), RefreshToken: ts.RefreshToken(), Limits: fastLimits}
}

func newClient(t testing.TB, cfg zoho.Config) *zoho.Client {
	t.Helper()
	c, err := zoho.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hostTransport sends every request to the emulator whatever its host,
// keeping the Host header (accounts.zoho.eu, www.zohoapis.eu, …), so the
// real data-center host names are what the emulator sees.
type hostTransport struct{ target *url.URL }

func (h hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Host = r.URL.Host
	r2.URL.Scheme, r2.URL.Host = h.target.Scheme, h.target.Host
	return http.DefaultTransport.RoundTrip(r2)
}

func viaHosts(t testing.TB, ts *zohotest.TestServer) http.RoundTripper {
	u, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	return hostTransport{u}
}
