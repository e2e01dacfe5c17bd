package salesforce_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	extractsf "github.com/revops/revops/extract/salesforce"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
	"github.com/revops/revops/sync/synctest"
)

// org is an emulated org with counters and faults.
type org struct {
	*sftest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
}

func startOrg(t *testing.T) *org {
	t.Helper()
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.TestServer = sftest.Start(sftest.Options{Counters: o.counters, Faults: o.faults})
	t.Cleanup(o.Close)
	return o
}

// options are the source options of the org with fast limits.
func (o *org) options() extractsf.Options {
	id, secret, refresh, _ := o.Credentials()
	return extractsf.Options{LoginURL: o.URL, Auth: extractsf.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}}
}

func (o *org) dest(t *testing.T, opts ...salesforce.Option) *salesforce.Destination {
	t.Helper()
	opts = append([]salesforce.Option{salesforce.WithBulkPoll(5 * time.Millisecond)}, opts...)
	d, err := salesforce.New(context.Background(), o.options().ClientConfig(), nil, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// fixture is the conformance suite's Contact.
func fixture() synctest.Fixture {
	return synctest.Fixture{
		Object:   "Contact",
		Match:    revsync.Match{By: revsync.MatchExternalID, Field: "Zoho_Contact_Id__c"},
		KeyField: "Zoho_Contact_Id__c",
		Valid: func(i int) map[string]any {
			return map[string]any{"Zoho_Contact_Id__c": fmt.Sprintf("ZC-%05d", i), "LastName": fmt.Sprintf("Synctest %d", i),
				"Email": fmt.Sprintf("synctest%d@example.com", i), "Title": fmt.Sprintf("Title %d", i)}
		},
		UpdateField: "Title",
		Invalid:     map[string]any{"Zoho_Contact_Id__c": "ZC-BAD", "FirstName": "No Last Name"},
		InvalidCode: "REQUIRED_FIELD_MISSING",
		Required:    []string{"LastName"},
		ReadOnly:    []string{"Name", "CreatedDate", "Id"},
		Picklist:    "LeadSource", PicklistValue: "Web",
		Typed: map[string]any{"Birthdate": "1980-05-17", "HasOptedOutOfEmail": true, "LeadSource": "Web",
			"Department": "Sales"},
		Parent: &synctest.Parent{Object: "Account", Values: map[string]any{"Name": "Synctest Parent"}, Field: "AccountId"},
	}
}
