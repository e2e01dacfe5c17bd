package salesforce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
)

const batchEndpoint = "/services/data/vXX.X/composite/batch"

// TestBatchQueries sends several objects' first query pages in one
// Composite Batch and pages on from each with Next: the records are those
// of the same queries sent one by one, a failed subrequest is a typed
// error of its own, and the batch is one request (retried after a 503).
func TestBatchQueries(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	seed(o, 2000)
	c := newClient(t, o.config())
	ctx := context.Background()
	soqls := []string{
		"SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id",
		"SELECT Id, NoSuchField__c FROM Lead",
		"SELECT Id, Email, IsDeleted FROM Contact ORDER BY SystemModstamp, Id",
	}
	reqs := make([]salesforce.BatchRequest, len(soqls))
	for i, q := range soqls {
		reqs[i] = c.QueryRequest(q, i == 2)
	}
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault503, Endpoint: batchEndpoint, Times: 1})
	before := o.requests("")
	res, err := c.Batch(ctx, reqs, salesforce.BatchOptions{QueryBatchSize: 200})
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	if n := o.requests(batchEndpoint); n != 2 || o.requests("")-before != 2 {
		t.Errorf("batch requests %d (all %d), want 2: one 503, then the batch", n, o.requests("")-before)
	}
	if res[1].Err == nil || res[1].StatusCode != 400 || res[1].Err.Code != "INVALID_FIELD" {
		t.Fatalf("failed subrequest: %+v", res[1])
	}
	for _, i := range []int{0, 2} {
		if res[i].Err != nil || res[i].StatusCode != 200 {
			t.Fatalf("subrequest %d: %+v", i, res[i])
		}
		p := c.NewPager(soqls[i], i == 2, 200)
		got, err := p.Prime(res[i])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 200 || p.Done() || p.TotalSize() <= 200 {
			t.Fatalf("%s: first page %d records, done %v, total %d", soqls[i], len(got), p.Done(), p.TotalSize())
		}
		for !p.Done() {
			recs, err := p.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, recs...)
		}
		var want []map[string]any
		if err := c.Query(ctx, soqls[i], i == 2, 0, func(r []map[string]any) error { want = append(want, r...); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %d records through the batch differ from the %d of the query", soqls[i], len(got), len(want))
		}
	}

	// A failed subrequest primes nothing: Next sends the query itself.
	p := c.NewPager(soqls[1], false, 0)
	_, err = p.Prime(res[1])
	if !salesforce.IsCode(err, "INVALID_FIELD") || !strings.Contains(err.Error(), "query Lead page 1 (batch)") {
		t.Fatalf("Prime of a failed subrequest: %v", err)
	}
	var ae *salesforce.APIError
	if _, err := p.Next(ctx); !errors.As(err, &ae) || ae.Code != "INVALID_FIELD" {
		t.Fatalf("Next after a failed Prime: %v", err)
	}
}

func TestBatchRefusals(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	q := c.QueryRequest("SELECT Id FROM Account", false)
	many := make([]salesforce.BatchRequest, salesforce.MaxBatchRequests+1)
	for i := range many {
		many[i] = q
	}
	before := o.requests("")
	for _, reqs := range [][]salesforce.BatchRequest{nil, many, {{Method: "GET"}}} {
		if _, err := c.Batch(ctx, reqs, salesforce.BatchOptions{}); err == nil || !strings.HasPrefix(err.Error(), "salesforce: batch") {
			t.Errorf("%d subrequests: err %v", len(reqs), err)
		}
	}
	if n := o.requests("") - before; n != 0 {
		t.Errorf("refused batches sent %d requests", n)
	}
	res, err := c.Batch(ctx, many[:salesforce.MaxBatchRequests], salesforce.BatchOptions{})
	if err != nil || len(res) != salesforce.MaxBatchRequests {
		t.Fatalf("25 subrequests: %v, %d results", err, len(res))
	}
	// Each subrequest of a batch is one API call (the login is not one):
	// 25, and the /limits call after it the 26th.
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	if used, _, ok := c.APIUsage(); !ok || used != 26 {
		t.Errorf("API usage after a 25-subrequest batch and /limits: %d (ok %v), want 26", used, ok)
	}
	if _, err := c.Batch(ctx, []salesforce.BatchRequest{{Method: "GET", URL: "/services/data/v62.0/sobjects/",
		Headers: map[string]string{"If-Modified-Since": "Mon, 02 Mar 2026 09:00:00 GMT"}}}, salesforce.BatchOptions{}); err == nil ||
		!strings.Contains(err.Error(), "use Composite") {
		t.Errorf("a batch subrequest with headers: %v", err)
	}
}

// TestCompositeQueries: five objects' first query pages and a
// describeGlobal with its own If-Modified-Since in one Composite call cost
// ONE API call; the pages prime pagers that page on to the same records as
// the queries alone; the describe answers 304 while nothing changed; a
// sixth query is refused before anything is sent.
func TestCompositeQueries(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	seed(o, 500)
	c := newClient(t, o.config())
	ctx := context.Background()
	soqls := []string{
		"SELECT Id, Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id",
		"SELECT Id, NoSuchField__c FROM Lead",
		"SELECT Id, Email, IsDeleted FROM Contact ORDER BY SystemModstamp, Id",
		"SELECT Id FROM Opportunity ORDER BY SystemModstamp, Id",
		"SELECT Id FROM Lead ORDER BY SystemModstamp, Id",
	}
	reqs := make([]salesforce.BatchRequest, 0, len(soqls)+1)
	for i, q := range soqls {
		reqs = append(reqs, c.QueryRequest(q, i == 2))
	}
	_, date, err := c.DescribeGlobalIfModified(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	reqs = append(reqs, c.DescribeGlobalRequest(date))
	used0, _, _ := c.APIUsage()
	res, err := c.Composite(ctx, reqs, salesforce.BatchOptions{QueryBatchSize: 200})
	if err != nil {
		t.Fatalf("Composite: %v", err)
	}
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	if used, _, _ := c.APIUsage(); used-used0 != 2 {
		t.Errorf("API usage grew by %d for the composite call and /limits, want 2", used-used0)
	}
	if res[1].Err == nil || res[1].Err.Code != "INVALID_FIELD" {
		t.Fatalf("failed subrequest: %+v", res[1])
	}
	if changed, err := salesforce.GlobalChanged(res[5]); err != nil || changed || res[5].StatusCode != http.StatusNotModified || res[5].Date.Before(date) {
		t.Errorf("describeGlobal with If-Modified-Since in the call: changed %v, %v, %d %s, Date %v (the check's %v)",
			changed, err, res[5].StatusCode, res[5].Result, res[5].Date, date)
	}
	for _, i := range []int{0, 2, 3, 4} {
		p := c.NewPager(soqls[i], i == 2, 200)
		got, err := p.Prime(res[i])
		if err != nil {
			t.Fatal(err)
		}
		for !p.Done() {
			recs, err := p.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, recs...)
		}
		var want []map[string]any
		if err := c.Query(ctx, soqls[i], i == 2, 0, func(r []map[string]any) error { want = append(want, r...); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %d records through the composite call differ from the %d of the query", soqls[i], len(got), len(want))
		}
	}
	before := o.requests("")
	six := append(reqs[:5:5], c.QueryRequest("SELECT Id FROM Case", false))
	if _, err := c.Composite(ctx, six, salesforce.BatchOptions{}); err == nil || !strings.Contains(err.Error(), "6 queries, at most 5") {
		t.Errorf("six queries: %v", err)
	}
	if n := o.requests("") - before; n != 0 {
		t.Errorf("a refused composite call sent %d requests", n)
	}
}
