package zoho_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	extractzoho "github.com/revops/revops/extract/zoho"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
	"github.com/revops/revops/sync/zoho"
)

// org is an emulated Zoho CRM org with counters and faults.
type org struct {
	*zohotest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
}

func startOrg(t *testing.T) *org {
	t.Helper()
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.TestServer = zohotest.Start(zohotest.Options{Counters: o.counters, Faults: o.faults})
	t.Cleanup(o.Close)
	return o
}

// options are a zoho_crm source's options for the org, with fast limits.
func (o *org) options() *extractzoho.Options {
	opts := extractzoho.CRM()
	opts.AccountsURL, opts.APIDomain = o.URL, o.URL
	opts.ClientID, opts.ClientSecret, opts.RefreshToken = o.ClientID(), o.ClientSecret(), o.RefreshToken()
	opts.Limits = httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}
	return opts
}

func (o *org) dest(t *testing.T) *zoho.Destination {
	t.Helper()
	d, err := zoho.New(context.Background(), o.options().ClientConfig("zoho_crm", nil), nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// calls counts the org's requests to one endpoint pattern ("" = all).
func (o *org) calls(endpoint string) int64 {
	return o.counters.Sum(func(c sandbox.Count) bool { return endpoint == "" || c.Endpoint == endpoint })
}

// fixture is the conformance suite's Contacts.
func fixture() synctest.Fixture {
	return synctest.Fixture{
		Object:   "Contacts",
		Match:    revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}},
		KeyField: "Email",
		Valid: func(i int) map[string]any {
			return map[string]any{"Email": fmt.Sprintf("synctest%d@example.com", i), "Last_Name": fmt.Sprintf("Synctest %d", i),
				"First_Name": "Sync", "Title": fmt.Sprintf("Title %d", i)}
		},
		UpdateField: "Title",
		Invalid:     map[string]any{"Email": "bad@example.com", "First_Name": "No Last Name"},
		InvalidCode: "MANDATORY_NOT_FOUND",
		Required:    []string{"Last_Name"},
		ReadOnly:    []string{"Full_Name", "Created_Time", "id"},
		Picklist:    "Lead_Source", PicklistValue: "Trade Show",
		Typed: map[string]any{"Date_of_Birth": "1980-05-17", "Email_Opt_Out": true, "Lead_Source": "Trade Show",
			"Department": "Sales"},
		Parent: &synctest.Parent{Object: "Accounts", Values: map[string]any{"Account_Name": "Synctest Parent"}, Field: "Account_Name"},
	}
}
