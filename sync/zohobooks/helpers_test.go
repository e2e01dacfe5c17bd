package zohobooks_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	books "github.com/revops/revops/crm/zohobooks"
	"github.com/revops/revops/crm/zohobooks/bookstest"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
	"github.com/revops/revops/sync/zohobooks"
)

// org is an emulated Books organization behind the Zoho accounts
// emulator, counted and fault-injectable.
type org struct {
	accounts *zohotest.TestServer
	books    *bookstest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
}

func startOrg(t *testing.T) *org {
	t.Helper()
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.accounts = zohotest.Start(zohotest.Options{Counters: o.counters, Faults: o.faults})
	t.Cleanup(o.accounts.Close)
	o.books = bookstest.Start(bookstest.Options{Tokens: o.accounts, Counters: o.counters, Faults: o.faults, PerMinute: -1,
		CustomFields: []bookstest.CustomField{{APIName: "cf_revops_id", Label: "Revops Id", Unique: true}}})
	t.Cleanup(o.books.Close)
	return o
}

func (o *org) config(orgID string) books.Config {
	if orgID == "" {
		orgID = o.books.OrganizationID()
	}
	return books.Config{AccountsURL: o.accounts.URL, APIDomain: o.books.URL, OrganizationID: orgID,
		ClientID: o.accounts.ClientID(), ClientSecret: o.accounts.ClientSecret(), RefreshToken: o.accounts.RefreshToken(),
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}}
}

func (o *org) dest(t *testing.T) *zohobooks.Destination {
	t.Helper()
	d, err := zohobooks.New(context.Background(), o.config(""), []string{"cf_revops_id"}, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// writes counts the Books contact writes (POST, PUT).
func (o *org) writes() int64 {
	return o.counters.Sum(func(c sandbox.Count) bool {
		return c.System == bookstest.SystemName && (c.Method == http.MethodPost || c.Method == http.MethodPut)
	})
}

func isAuth(c sandbox.Count) bool { return c.System == "zoho_accounts" }

var byKey = revsync.Match{By: revsync.MatchExternalID, Field: "cf_revops_id"}

func fixture() synctest.Fixture {
	return synctest.Fixture{
		Object:   "contacts",
		Match:    byKey,
		KeyField: "cf_revops_id",
		Valid: func(i int) map[string]any {
			return map[string]any{"cf_revops_id": fmt.Sprintf("acct-%d", i), "contact_name": fmt.Sprintf("Synctest %d", i),
				"email": fmt.Sprintf("synctest%d@example.com", i), "first_name": "Sync", "last_name": fmt.Sprintf("Test %d", i),
				"notes": fmt.Sprintf("Note %d", i), "billing_city": "Lyon"}
		},
		UpdateField: "notes",
		Invalid:     map[string]any{"cf_revops_id": "bad", "company_name": "No Display Name"},
		InvalidCode: "BOOKS_2",
		Required:    []string{"contact_name"},
		ReadOnly:    []string{"contact_id", "created_time", "last_modified_time", "status"},
		Picklist:    "contact_type", PicklistValue: "customer", Restricted: "contact_type",
		Typed: map[string]any{"payment_terms": int64(30), "customer_sub_type": "individual", "billing_zip": "69001",
			"phone": "+33 4 78 00 00 00", "website": "https://synctest.example"},
	}
}
