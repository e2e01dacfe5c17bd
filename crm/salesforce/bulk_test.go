package salesforce_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
)

func TestBulkQueryMatchesREST(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	seed(o, 2000)
	cfg := o.config()
	cfg.BulkPageSize = 300 // several result pages
	c := newClient(t, cfg)
	ctx := context.Background()
	soql := "SELECT Id, LastName, Email, AccountId, CreatedDate FROM Contact"

	rest := map[string][]string{}
	err := c.Query(ctx, soql, false, 0, func(recs []map[string]any) error {
		for _, r := range recs {
			s := func(k string) string { v, _ := r[k].(string); return v }
			created, err := salesforce.ParseTime(s("CreatedDate"))
			if err != nil {
				return err
			}
			rest[s("Id")] = []string{s("LastName"), s("Email"), s("AccountId"), created.Format(time.RFC3339)}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pages, rows := 0, 0
	err = c.BulkQuery(ctx, soql, false, func(header []string, page [][]string) error {
		pages++
		if strings.Join(header, ",") != "Id,LastName,Email,AccountId,CreatedDate" {
			t.Fatalf("header %v", header)
		}
		for _, r := range page {
			rows++
			created, err := salesforce.ParseTime(r[4])
			if err != nil {
				return err
			}
			got := []string{r[1], r[2], r[3], created.Format(time.RFC3339)}
			want, ok := rest[r[0]]
			if !ok || strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("bulk row %v, REST %v", got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(rest) || pages != (len(rest)+299)/300 {
		t.Errorf("bulk: %d rows in %d pages, REST %d rows", rows, pages, len(rest))
	}
	// The job is deleted afterwards.
	if n := o.requests("/services/data/vXX.X/jobs/query/{id}"); n < 2 {
		t.Errorf("job poll+delete requests: %d", n)
	}
}

func TestBulkQueryErrors(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	err := c.BulkQuery(context.Background(), "SELECT Id FROM Nope__c", false, func([]string, [][]string) error { return nil })
	if !salesforce.IsCode(err, "INVALID_TYPE") || !strings.Contains(err.Error(), "bulk query Nope__c: create job") {
		t.Errorf("unknown object: %v", err)
	}
}

func TestFaultsAreRetried(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	seed(o, 1000)
	c := newClient(t, o.config())
	want := len(o.Records("Account"))
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault429, Endpoint: "/services/data/vXX.X/query*", Times: 1, RetryAfter: time.Second})
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, Endpoint: "/services/data/vXX.X/query*", After: 1, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault503, Endpoint: "/services/data/vXX.X/query*", After: 2, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Endpoint: "/services/data/vXX.X/query*", After: 3, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultSlow, Endpoint: "/services/data/vXX.X/query*", After: 4, Times: 1, Delay: 100 * time.Millisecond})
	start := time.Now()
	got := 0
	err := c.Query(context.Background(), "SELECT Id, Name FROM Account", false, 200, func(recs []map[string]any) error {
		got += len(recs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%d records, want %d", got, want)
	}
	s := c.Stats()
	if s.Retries != 4 || s.Throttled != 1 || s.Failures != 3 {
		t.Errorf("stats %+v, want 4 retries, 1 throttled, 3 failures", s)
	}
	if time.Since(start) < time.Second {
		t.Errorf("Retry-After of 1s not honoured")
	}
}
