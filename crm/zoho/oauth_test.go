package zoho_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohobooks"
	"github.com/revops/revops/crm/zohocampaigns"
	"github.com/revops/revops/crm/zohoprojects"
)

// TestTokenCacheSharedByTheZohoClients: the clients of CRM, Books,
// Projects and Campaigns keep their access tokens in one cache file,
// named by the accounts server, the data center and the credentials (the
// name caches written by earlier versions have), so that with the same
// credentials one grant serves them all, and a run that finds a cache
// from before reuses it.
func TestTokenCacheSharedByTheZohoClients(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	ctx := context.Background()
	dir := t.TempDir()
	id, secret, refresh := ts.ClientID(), ts.ClientSecret(), ts.RefreshToken()
	grants := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" })
	}
	crm := config(ts)
	crm.TokenCacheDir = dir
	if err := newClient(t, crm).Connect(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := httpx.TokenCache{Dir: dir}.Key("zoho", ts.URL, "US", id, secret, refresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, key+".json")); err != nil {
		t.Fatalf("the cache file is not where earlier versions keep it: %v", err)
	}
	for _, tc := range []struct {
		name    string
		connect func() error
	}{
		{"books", func() error {
			c, err := zohobooks.New(zohobooks.Config{AccountsURL: ts.URL, OrganizationID: "1", ClientID: id,
				ClientSecret: secret, RefreshToken: refresh, TokenCacheDir: dir})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
		{"projects", func() error {
			c, err := zohoprojects.New(zohoprojects.Config{AccountsURL: ts.URL, PortalID: "1", ClientID: id,
				ClientSecret: secret, RefreshToken: refresh, TokenCacheDir: dir})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
		{"campaigns", func() error {
			c, err := zohocampaigns.New(zohocampaigns.Config{AccountsURL: ts.URL, ClientID: id,
				ClientSecret: secret, RefreshToken: refresh, TokenCacheDir: dir})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.connect(); err != nil {
				t.Fatal(err)
			}
			if n := grants(); n != 1 {
				t.Errorf("%d token grants, want the one of the CRM client (the cached token reused)", n)
			}
		})
	}
}

// TestTokenErrorNamesTheDataCenter: a client of any Zoho service left on
// the default data center, whose org lives in another, fails with
// invalid_client naming the data center it asked (US), as the CRM client
// always did (the Campaigns client used to name none).
func TestTokenErrorNamesTheDataCenter(t *testing.T) {
	ts := start(t, zohotest.Options{DataCenter: "EU"}, 0)
	eu, _ := zoho.LookupDataCenter("EU")
	ts.SetURLs(eu.AccountsURL, eu.APIDomain, eu.DeskURL)
	tr := viaHosts(t, ts)
	id, secret, refresh := ts.ClientID(), ts.ClientSecret(), ts.RefreshToken()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		connect func() error
	}{
		{"crm", func() error {
			c, err := zoho.New(zoho.Config{ClientID: id, ClientSecret: secret, RefreshToken: refresh, Transport: tr})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
		{"books", func() error {
			c, err := zohobooks.New(zohobooks.Config{OrganizationID: "1", ClientID: id, ClientSecret: secret,
				RefreshToken: refresh, Transport: tr})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
		{"projects", func() error {
			c, err := zohoprojects.New(zohoprojects.Config{PortalID: "1", ClientID: id, ClientSecret: secret,
				RefreshToken: refresh, Transport: tr})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
		{"campaigns", func() error {
			c, err := zohocampaigns.New(zohocampaigns.Config{ClientID: id, ClientSecret: secret, RefreshToken: refresh,
				Transport: tr})
			if err != nil {
				return err
			}
			return c.Connect(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.connect()
			var te *zoho.TokenError
			if !errors.As(err, &te) || te.Code != "invalid_client" || te.DataCenter != "US" {
				t.Fatalf("want invalid_client from the US data center, got %v", err)
			}
			if !strings.Contains(err.Error(), "data center than US") {
				t.Errorf("unclear error: %v", err)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), refresh) {
				t.Error("secret in error")
			}
		})
	}
}

// TestTokenSharedInTheProcess: without a token cache on disk
// (REVOPS_CACHE_DIR=off), the Zoho clients of one process with the same
// credentials still use one token between them (one `revops run` opens
// a client per source and destination; Zoho grants ten tokens per
// refresh token in ten minutes).
func TestTokenSharedInTheProcess(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	ctx := context.Background()
	id, secret, refresh := ts.ClientID(), ts.ClientSecret(), ts.RefreshToken()
	grants := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" })
	}
	if err := newClient(t, config(ts)).Connect(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := zohobooks.New(zohobooks.Config{AccountsURL: ts.URL, OrganizationID: "1", ClientID: id,
		ClientSecret: secret, RefreshToken: refresh})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := zohocampaigns.New(zohocampaigns.Config{AccountsURL: ts.URL, ClientID: id, ClientSecret: secret, RefreshToken: refresh})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if n := grants(); n != 1 {
		t.Errorf("%d token grants for three clients of one refresh token, want 1", n)
	}
}
