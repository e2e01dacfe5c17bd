package zohodesk_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	extractzoho "github.com/revops/revops/extract/zoho"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
	"github.com/revops/revops/sync/zohodesk"
)

// org is an emulated Zoho Desk org with counters, faults and the custom
// contact fields the tests write.
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
	for _, f := range []zohotest.DeskField{{APIName: "cf_revops_key"}, {APIName: "cf_vip", Type: "Boolean"},
		{APIName: "cf_since", Type: "Date"}, {APIName: "cf_seats", Type: "Number"},
		{APIName: "cf_tier", Type: "Picklist", Values: []string{"Gold", "Silver"}}} {
		if err := o.AddDeskField("contacts", f); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// options are a zoho_desk source's options for the org, with fast limits.
func (o *org) options() *extractzoho.Options {
	opts := extractzoho.Desk()
	opts.AccountsURL, opts.APIDomain, opts.DeskURL, opts.OrgID = o.URL, o.URL, o.URL, o.OrgID()
	opts.ClientID, opts.ClientSecret, opts.RefreshToken = o.ClientID(), o.ClientSecret(), o.RefreshToken()
	opts.Limits = httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}
	return opts
}

func (o *org) dest(t *testing.T) *zohodesk.Destination {
	t.Helper()
	d, err := zohodesk.New(context.Background(), o.options().ClientConfig("zoho_desk", nil), nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// calls counts the org's Desk requests with method ("" = any) whose
// endpoint has the prefix.
func (o *org) calls(method, prefix string) int64 {
	return o.counters.Sum(func(c sandbox.Count) bool {
		return c.System == "zoho_desk" && (method == "" || c.Method == method) && strings.HasPrefix(c.Endpoint, prefix)
	})
}

// writes counts the org's Desk record writes (POST, PATCH).
func (o *org) writes() int64 {
	return o.counters.Sum(func(c sandbox.Count) bool {
		return c.System == "zoho_desk" && (c.Method == http.MethodPost || c.Method == http.MethodPatch)
	})
}

// records returns the org's records of kind whose field equals value,
// case-insensitively.
func (o *org) records(kind, field, value string) []map[string]any {
	var out []map[string]any
	for _, r := range o.DeskRecords(kind) {
		if s, _ := r[field].(string); strings.EqualFold(s, value) {
			out = append(out, r)
		}
	}
	return out
}

// fixture is the conformance suite's Desk contacts.
func fixture() synctest.Fixture {
	return synctest.Fixture{
		Object:   "contacts",
		Match:    revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"email"}},
		KeyField: "email",
		Valid: func(i int) map[string]any {
			return map[string]any{"email": fmt.Sprintf("synctest%d@example.com", i), "lastName": fmt.Sprintf("Synctest %d", i),
				"firstName": "Sync", "title": fmt.Sprintf("Title %d", i)}
		},
		UpdateField: "title",
		Invalid:     map[string]any{"email": "bad@example.com", "firstName": "No Last Name"},
		InvalidCode: "INVALID_DATA",
		Required:    []string{"lastName"},
		ReadOnly:    []string{"createdTime", "modifiedTime", "id"},
		Picklist:    "cf_tier", PicklistValue: "Gold", Restricted: "cf_tier",
		Typed: map[string]any{"phone": "+1 415 555 0100", "cf_vip": true, "cf_since": "2020-01-15", "cf_seats": int64(12),
			"cf_tier": "Silver"},
		Parent: &synctest.Parent{Object: "accounts", Values: map[string]any{"accountName": "Synctest Parent"}, Field: "accountId"},
	}
}
