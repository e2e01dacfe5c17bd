package salesforce_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
)

func TestLoginFlows(t *testing.T) {
	pemKey, cert := testKey(t)
	o := startOrg(t, sftest.Options{JWTCert: cert})
	id, secret, _, user := o.Credentials()
	cases := []struct {
		name string
		cfg  salesforce.Config
	}{
		{"refresh_token", o.config()},
		{"client_credentials", salesforce.Config{LoginURL: o.URL, Flow: salesforce.FlowClientCredentials,
			ClientID: id, ClientSecret: secret}},
		{"jwt", salesforce.Config{LoginURL: o.URL, Flow: salesforce.FlowJWT, ClientID: id, Username: user,
			PrivateKeyPEM: pemKey}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Limits = fastLimits()
			c := newClient(t, tc.cfg)
			if c.InstanceURL() != o.URL {
				t.Errorf("instance URL %q, want %q", c.InstanceURL(), o.URL)
			}
			g, err := c.DescribeGlobal(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := g.Find("lead"); !ok || g.MaxBatchSize != 200 {
				t.Errorf("describeGlobal: lead missing or maxBatchSize %d", g.MaxBatchSize)
			}
			if s := c.Stats(); s.TokenFetches != 1 || s.Requests != 2 {
				t.Errorf("stats %+v, want 1 token fetch and 2 requests", s)
			}
		})
	}
}

func TestLoginRefused(t *testing.T) {
	pemKey, cert := testKey(t)
	o := startOrg(t, sftest.Options{JWTCert: cert})
	id, secret, refresh, _ := o.Credentials()
	cases := []struct {
		name     string
		cfg      salesforce.Config
		code     string
		hideText string
	}{
		{"bad refresh token", salesforce.Config{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: "nope-refresh"},
			"invalid_grant", "nope-refresh"},
		{"bad secret", salesforce.Config{Flow: "client_credentials", ClientID: id, ClientSecret: "wrong-secret-xyz"},
			"invalid_client", "wrong-secret-xyz"},
		{"unknown client", salesforce.Config{Flow: "refresh_token", ClientID: "nobody", ClientSecret: secret, RefreshToken: refresh},
			"invalid_client_id", secret},
		{"jwt wrong user", salesforce.Config{Flow: "jwt", ClientID: id, Username: "someone@else", PrivateKeyPEM: pemKey},
			"invalid_grant", "PRIVATE KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.LoginURL, tc.cfg.Limits = o.URL, fastLimits()
			_, err := salesforce.New(context.Background(), tc.cfg, nil)
			var ae *salesforce.AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *AuthError", err)
			}
			if ae.Code != tc.code || ae.Status != 400 {
				t.Errorf("code %q status %d, want %q 400 (%v)", ae.Code, ae.Status, tc.code, err)
			}
			if strings.Contains(err.Error(), tc.hideText) {
				t.Errorf("error shows a credential: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "salesforce: login to ") {
				t.Errorf("error lacks context: %v", err)
			}
		})
	}
	if _, err := salesforce.New(context.Background(), salesforce.Config{LoginURL: o.URL, Flow: "password"}, nil); err == nil ||
		!strings.Contains(err.Error(), "unknown OAuth flow") {
		t.Errorf("password flow: %v", err)
	}
}

func TestTypedErrors(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()

	_, err := c.Describe(ctx, "Nope__c")
	var ae *salesforce.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != "NOT_FOUND" {
		t.Errorf("describe unknown: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "salesforce: describe Nope__c: ") {
		t.Errorf("describe error context: %v", err)
	}
	var se *httpx.StatusError
	if !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("APIError does not wrap the StatusError: %v", err)
	}

	err = c.Query(ctx, "SELECT Id FROM Nope__c", false, 0, func([]map[string]any) error { return nil })
	if !salesforce.IsCode(err, "INVALID_TYPE") || !strings.Contains(err.Error(), "query Nope__c page 1") {
		t.Errorf("query unknown object: %v", err)
	}
	err = c.Query(ctx, "SELECT Id, FROM Lead", false, 0, func([]map[string]any) error { return nil })
	if !salesforce.IsCode(err, "MALFORMED_QUERY") || !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("malformed SOQL: %v", err)
	}
	err = c.Query(ctx, "SELECT Id, Nope__c FROM Lead", false, 0, func([]map[string]any) error { return nil })
	if !salesforce.IsCode(err, "INVALID_FIELD") {
		t.Errorf("unknown field: %v", err)
	}
}

func TestQueryPagingAndTokenExpiry(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	seed(o, 2000)
	c := newClient(t, o.config())
	ctx := context.Background()
	want := len(o.Records("Contact"))
	if want < 450 {
		t.Fatalf("only %d contacts seeded", want)
	}
	n, err := c.Count(ctx, "SELECT COUNT() FROM Contact", false)
	if err != nil || n != want {
		t.Fatalf("count = %d, %v; want %d", n, err, want)
	}
	seen := map[string]bool{}
	pages := 0
	err = c.Query(ctx, "SELECT Id, LastName, Account.Name FROM Contact ORDER BY Id", false, 200, func(recs []map[string]any) error {
		pages++
		if pages == 2 {
			o.ExpireTokens() // the next page needs a new token
		}
		for _, r := range recs {
			if _, ok := r["attributes"]; ok {
				t.Fatal("attributes not stripped")
			}
			id := r["Id"].(string)
			if seen[id] {
				t.Fatalf("record %s twice", id)
			}
			seen[id] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != want || pages != (want+199)/200 {
		t.Errorf("%d records in %d pages, want %d in %d", len(seen), pages, want, (want+199)/200)
	}
	if s := c.Stats(); s.TokenFetches != 2 {
		t.Errorf("token fetches %d, want 2 (login + renewal)", s.TokenFetches)
	}
	if got := o.requests("/services/data/vXX.X/query/{locator}"); got != int64(pages) {
		// pages-1 follow-ups plus the one replayed after the 401
		t.Logf("queryMore requests: %d", got)
	}
}

func TestLimitsAndDeleted(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 3, 1, 12, 0, 30, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	o := startOrg(t, sftest.Options{Now: clock})
	c := newClient(t, o.config())
	ctx := context.Background()
	lim, err := c.Limits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l := lim["DailyApiRequests"]; l.Max != sftest.DefaultDailyAPILimit || l.Remaining <= 0 {
		t.Errorf("DailyApiRequests = %+v", l)
	}
	res, err := c.Create(ctx, "Lead", []map[string]any{{"LastName": "Gone", "Company": "X"}}, false)
	if err != nil || !res[0].Success {
		t.Fatalf("create: %v %+v", err, res)
	}
	if _, err := c.Delete(ctx, "Lead", []string{res[0].ID}, false); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	d, err := c.Deleted(ctx, "Lead", now.Add(-time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Records) != 1 || d.Records[0].ID != res[0].ID || d.Records[0].DeletedDate.IsZero() {
		t.Errorf("deleted = %+v, want %s", d.Records, res[0].ID)
	}
	if d.LatestDateCovered.IsZero() || d.EarliestDateAvailable.IsZero() {
		t.Errorf("dates missing: %+v", d)
	}
}
