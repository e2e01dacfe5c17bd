package zoho_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	crmzoho "github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zoho"
)

// viaHosts sends every request to the emulator whatever its host,
// keeping the real data center's host name in the Host header.
type viaHosts struct{ target *url.URL }

func (h viaHosts) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Host = r.URL.Host
	r2.URL.Scheme, r2.URL.Host = h.target.Scheme, h.target.Host
	return http.DefaultTransport.RoundTrip(r2)
}

// TestDataCenters: the destination works in each of Zoho's data centers
// (US, EU, IN, AU, JP, CA, CN, SA), reached by the DC's real host names
// with the API domain from the token answer; an unknown one is refused
// with the list.
func TestDataCenters(t *testing.T) {
	ctx := context.Background()
	for _, dc := range []string{"US", "EU", "IN", "AU", "JP", "CA", "CN", "SA"} {
		t.Run(dc, func(t *testing.T) {
			ts := zohotest.Start(zohotest.Options{DataCenter: dc})
			t.Cleanup(ts.Close)
			hosts, err := crmzoho.LookupDataCenter(strings.ToLower(dc))
			if err != nil {
				t.Fatal(err)
			}
			ts.SetURLs(hosts.AccountsURL, hosts.APIDomain, hosts.DeskURL)
			u, _ := url.Parse(ts.URL)
			cfg := crmzoho.Config{DataCenter: dc, ClientID: ts.ClientID(), ClientSecret: ts.ClientSecret(),
				RefreshToken: ts.RefreshToken(), Transport: viaHosts{u},
				Limits: httpx.Limits{RequestsPerSecond: 1000, Burst: 100, Concurrency: 2, MaxRetries: 2, Timeout: 10 * time.Second}}
			d, err := zoho.New(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Client().APIDomain(); got != hosts.APIDomain {
				t.Fatalf("API domain %s, want %s", got, hosts.APIDomain)
			}
			res, err := d.Write(ctx, "Contacts", revsync.OpInsert, revsync.Match{}, []revsync.Record{{Values: map[string]any{"Last_Name": "In " + dc}}})
			if err != nil || res[0].Err != nil {
				t.Fatalf("write: %v %+v", err, res)
			}
		})
	}
	_, err := zoho.New(ctx, crmzoho.Config{DataCenter: "UK", ClientID: "x", ClientSecret: "y", RefreshToken: "z"}, nil)
	if err == nil || !strings.Contains(err.Error(), "US, EU, IN, AU, JP, CA, CN, SA") {
		t.Fatalf("unknown data center: %v", err)
	}
}
