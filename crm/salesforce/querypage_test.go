package salesforce_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
)

// rawRecords pages p on with NextRaw and returns every record of the
// pages as Record decodes it, and the values of field f.
func rawRecords(t *testing.T, p *salesforce.Pager, pg *salesforce.QueryPage, first bool, f int) (recs []map[string]any, vals []string) {
	t.Helper()
	for {
		if !first {
			ok, err := p.NextRaw(context.Background(), pg)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return recs, vals
			}
		}
		first = false
		for i := range pg.Len() {
			m, err := pg.Record(i)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, m)
			vals = append(vals, string(pg.Value(i, f)))
		}
	}
}

// TestNextRawAsNext: pages read raw (NextRaw, and PrimeRaw from a
// Composite Batch subrequest) hold the records Next and Prime give,
// parent relationships and subqueries without their attributes, over
// several pages; a failed subrequest primes nothing.
func TestNextRawAsNext(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	seed(o, 4000)
	c := newClient(t, o.config())
	ctx := context.Background()
	soql := "SELECT Id, Name, Owner.Email, (SELECT LastName FROM Contacts) FROM Account ORDER BY SystemModstamp, Id"
	var want []map[string]any
	if err := c.Query(ctx, soql, true, 200, func(r []map[string]any) error { want = append(want, r...); return nil }); err != nil {
		t.Fatal(err)
	}
	fields := []string{"Id", "Owner", "attributes", "Contacts"}
	p := c.NewPager(soql, true, 200)
	got, owners := rawRecords(t, p, salesforce.NewQueryPage(fields), false, 1)
	if len(got) != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("NextRaw: %d records differ from Next's %d", len(got), len(want))
	}
	if p.Pages() < 2 {
		t.Fatalf("NextRaw read %d pages, want several", p.Pages())
	}
	if !strings.Contains(owners[0], `"Email"`) || !strings.Contains(owners[0], `"attributes"`) {
		t.Errorf("raw Owner %s: want the parent object as sent", owners[0])
	}

	res, err := c.Batch(ctx, []salesforce.BatchRequest{c.QueryRequest(soql, true), c.QueryRequest("SELECT Nope__c FROM Account", false)},
		salesforce.BatchOptions{QueryBatchSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	p = c.NewPager(soql, true, 200)
	pg := salesforce.NewQueryPage(fields)
	if err := p.PrimeRaw(res[0], pg); err != nil {
		t.Fatal(err)
	}
	got, _ = rawRecords(t, p, pg, true, 0)
	if len(got) != len(want) || fmt.Sprint(got) != fmt.Sprint(want) || p.TotalSize() != len(want) {
		t.Fatalf("PrimeRaw then NextRaw: %d records differ from Next's %d", len(got), len(want))
	}
	p = c.NewPager("SELECT Nope__c FROM Account", false, 0)
	if err := p.PrimeRaw(res[1], pg); !salesforce.IsCode(err, "INVALID_FIELD") || p.Pages() != 0 {
		t.Fatalf("PrimeRaw of a failed subrequest: %v, %d pages", err, p.Pages())
	}
}
