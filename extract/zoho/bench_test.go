package zoho_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
)

const benchLeads = 200_000

var (
	benchOnce   sync.Once
	benchServer *zohotest.TestServer
)

// bench200k seeds 200,000 Leads once per benchmark binary, each modified
// in its own minute, with the fields a seeded lead has.
func bench200k() *zohotest.TestServer {
	benchOnce.Do(func() {
		benchServer = zohotest.Start(zohotest.Options{DailyCredits: -1, Concurrency: -1, RefreshLimit: -1})
		benchServer.SeedCRM(benchProjection(benchLeads))
	})
	return benchServer
}

// benchProjection is n Leads, each modified in its own minute.
func benchProjection(n int) *sandbox.Projection {
	now := sandbox.DefaultNow
	p := &sandbox.Projection{System: sandbox.ZohoCRM, Users: []sandbox.User{{FirstName: "Ada", LastName: "Rep", Email: "ada@example.com", Active: true}}}
	p.Leads = make([]sandbox.Lead, n)
	for i := range p.Leads {
		at := now.Add(-time.Duration(n-i) * time.Minute)
		p.Leads[i] = sandbox.Lead{EntityID: fmt.Sprintf("E-%07d", i), FirstName: "Ann", LastName: fmt.Sprintf("Lead%07d", i),
			Company: "Acme Corp", Title: "Buyer", Email: fmt.Sprintf("lead%07d@example.com", i), Phone: "+14155550100",
			City: "Springfield", Country: "US", LeadSource: "Web Research", Status: sandbox.LeadNew, AnnualRevenue: 125000.5,
			CreatedAt: at, ModifiedAt: at}
	}
	return p
}

var benchLimits = httpx.Limits{RequestsPerSecond: 1e6, Burst: 1000, Concurrency: 4}

// BenchmarkExtract200k extracts 200,000 Leads through Extract, draining
// the stream (the "extract" case), beside a bare loop that only downloads
// the same pages (same fields, page_token chains, a new chain after
// 100,000 records) and JSON-decodes them (the "limit" case). It reports
// records/s, calls against the minimum (records/200) and, for extract, the
// time ratio to the limit measured in the same run.
func BenchmarkExtract200k(b *testing.B) {
	ts := bench200k()
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	o.Limits = benchLimits
	o.BulkThreshold = -1 // the list API's pages, as the limit reads them
	ctx := context.Background()
	e, err := zoho.New(ctx, "bench", o, nil)
	if err != nil {
		b.Fatal(err)
	}
	fields, err := e.Client().Fields(ctx, "Leads")
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.APIName)
	}
	var limitPerOp time.Duration
	b.Run("limit", func(b *testing.B) {
		calls := 0
		start := time.Now()
		for b.Loop() {
			n, c := bareLoop(b, ts, names)
			if n != benchLeads {
				b.Fatalf("read %d records", n)
			}
			calls = c
		}
		limitPerOp = time.Since(start) / time.Duration(b.N)
		b.ReportMetric(float64(benchLeads)/limitPerOp.Seconds(), "records/s")
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(calls)/float64(benchLeads/200), "calls/min")
	})
	b.Run("extract", func(b *testing.B) {
		var calls int64
		start := time.Now()
		for b.Loop() {
			before := e.Stats("Leads").Requests
			st, err := e.Extract(ctx, extract.Object{Name: "Leads"}, "")
			if err != nil {
				b.Fatal(err)
			}
			rows := 0
			for st.Next() {
				rows += int(st.RecordBatch().NumRows())
			}
			if st.Err() != nil || rows != benchLeads {
				b.Fatalf("rows %d, err %v", rows, st.Err())
			}
			st.Release()
			calls = e.Stats("Leads").Requests - before
		}
		perOp := time.Since(start) / time.Duration(b.N)
		b.ReportMetric(float64(benchLeads)/perOp.Seconds(), "records/s")
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(calls)/float64(benchLeads/200), "calls/min")
		if limitPerOp > 0 {
			b.ReportMetric(float64(perOp)/float64(limitPerOp), "x_limit")
		}
	})
}

// bareLoop downloads every page and decodes it, nothing else: the limit.
func bareLoop(b *testing.B, ts *zohotest.TestServer, fields []string) (records, calls int) {
	tok := benchToken(b, ts)
	since := ""
	for {
		token, served := "", 0
		var last string
		for {
			q := url.Values{"fields": {strings.Join(fields, ",")}, "sort_by": {"Modified_Time"}, "sort_order": {"asc"}, "per_page": {"200"}}
			if token != "" {
				q.Set("page_token", token)
			}
			req, _ := http.NewRequest("GET", ts.URL+"/crm/v8/Leads?"+q.Encode(), nil)
			req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
			if since != "" {
				req.Header.Set("If-Modified-Since", since)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			calls++
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 304 || resp.StatusCode == 204 {
				return records, calls
			}
			var page struct {
				Data []map[string]any `json:"data"`
				Info struct {
					More  bool   `json:"more_records"`
					Token string `json:"next_page_token"`
				} `json:"info"`
			}
			dec := json.NewDecoder(&buf)
			dec.UseNumber()
			if err := dec.Decode(&page); err != nil {
				b.Fatalf("HTTP %d: %v", resp.StatusCode, err)
			}
			records += len(page.Data)
			served += len(page.Data)
			if len(page.Data) > 0 {
				last, _ = page.Data[len(page.Data)-1]["Modified_Time"].(string)
			}
			if !page.Info.More {
				return records, calls
			}
			if served >= 100_000 {
				since = last // every lead has its own minute: no ties to re-read
				break
			}
			token = page.Info.Token
		}
	}
}

var (
	benchTokMu sync.Mutex
	benchTok   string
)

func benchToken(b *testing.B, ts *zohotest.TestServer) string {
	benchTokMu.Lock()
	defer benchTokMu.Unlock()
	if benchTok != "" {
		return benchTok
	}
	resp, err := http.PostForm(ts.URL+"/oauth/v2/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {ts.ClientID()}, "client_secret": {ts.ClientSecret()}, "refresh_token": {ts.RefreshToken()}})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	benchTok = body.AccessToken
	return benchTok
}
