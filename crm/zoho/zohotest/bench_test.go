package zohotest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

const benchRecords = 1_000_000

var (
	bigOnce  sync.Once
	big      *zohotest.TestServer
	bigToken string
	bigBytes float64 // heap bytes per seeded record
)

// bigServer seeds 1,000,000 Leads once per benchmark binary.
func bigServer(b *testing.B) (*zohotest.TestServer, string) {
	bigOnce.Do(func() {
		now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		p := &sandbox.Projection{System: sandbox.ZohoCRM, Users: []sandbox.User{{FirstName: "Ada", LastName: "Rep", Email: "ada@example.com", Active: true}}}
		p.Leads = make([]sandbox.Lead, benchRecords)
		for i := range p.Leads {
			t := now.Add(-time.Duration(benchRecords-i) * time.Minute)
			p.Leads[i] = sandbox.Lead{EntityID: fmt.Sprintf("E-P-%07d", i), FirstName: "Ann", LastName: fmt.Sprintf("Lead%07d", i),
				Company: "Acme Corp", Title: "Buyer", Email: fmt.Sprintf("lead%07d@example.com", i), Phone: "+14155550100",
				City: "Springfield", Country: "US", LeadSource: "Web Research", Status: sandbox.LeadNew, CreatedAt: t, ModifiedAt: t}
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		big = zohotest.Start(zohotest.Options{DailyCredits: -1, Concurrency: -1, Now: func() time.Time { return now }})
		big.SeedCRM(p)
		p = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		bigBytes = float64(after.HeapAlloc-before.HeapAlloc) / benchRecords
		res, err := http.PostForm(big.URL+"/oauth/v2/token", url.Values{"grant_type": {"refresh_token"},
			"client_id": {big.ClientID()}, "client_secret": {big.ClientSecret()}, "refresh_token": {big.RefreshToken()}})
		if err != nil {
			panic(err)
		}
		var body struct {
			AccessToken string `json:"access_token"`
		}
		decodeJSON(res.Body, &body)
		bigToken = body.AccessToken
	})
	return big, bigToken
}

func get(b *testing.B, h http.Handler, token, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String())
	}
	return w
}

// BenchmarkList1M measures one 200-record page of a 1,000,000-record
// module, in process (no network), at the start and deep into the module:
// the cost is flat because page tokens resume by binary search.
func BenchmarkList1M(b *testing.B) {
	ts, tok := bigServer(b)
	const q = "/crm/v8/Leads?fields=Last_Name,Email,Company,Owner,Modified_Time&sort_by=Modified_Time&sort_order=asc"
	b.Run("page1", func(b *testing.B) {
		for b.Loop() {
			get(b, ts, tok, q)
		}
		b.ReportMetric(bigBytes, "heapB/record")
	})
	b.Run("page_token_99800", func(b *testing.B) {
		// Walk to record 99,800 (the page_token reach is 100,000).
		next := ""
		for range 499 {
			p := q
			if next != "" {
				p += "&page_token=" + url.QueryEscape(next)
			}
			w := get(b, ts, tok, p)
			next = tokenOf(w.Body.String())
		}
		p := q + "&page_token=" + url.QueryEscape(next)
		b.ResetTimer()
		for b.Loop() {
			get(b, ts, tok, p)
		}
	})
	b.Run("page10_id_desc", func(b *testing.B) {
		for b.Loop() {
			get(b, ts, tok, "/crm/v8/Leads?fields=Last_Name,Email&page=10")
		}
	})
}

func tokenOf(body string) string {
	_, rest, ok := strings.Cut(body, `"next_page_token":"`)
	if !ok {
		return ""
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// BenchmarkListHTTP measures requests/s of page-1 reads over loopback with
// parallel clients.
func BenchmarkListHTTP(b *testing.B) {
	ts, tok := bigServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", ts.URL+"/crm/v8/Leads?fields=Last_Name,Email,Owner&per_page=200", nil)
			req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkUpsert1M upserts batches of 100 into the 1,000,000-record
// module, half matching existing records by Email.
func BenchmarkUpsert1M(b *testing.B) {
	ts, tok := bigServer(b)
	i := 0
	for b.Loop() {
		var sb strings.Builder
		sb.WriteString(`{"data":[`)
		for k := range 100 {
			if k > 0 {
				sb.WriteByte(',')
			}
			n := (i*100 + k) % (2 * benchRecords)
			fmt.Fprintf(&sb, `{"Last_Name":"Up%d","Email":"lead%07d@example.com","Company":"Bench"}`, n, n)
		}
		sb.WriteString(`]}`)
		i++
		req := httptest.NewRequest("POST", "/crm/v8/Leads/upsert", strings.NewReader(sb.String()))
		req.Header.Set("Authorization", "Zoho-oauthtoken "+tok)
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, req)
		if w.Code != 200 && w.Code != 201 {
			b.Fatalf("upsert: %d %s", w.Code, w.Body.String())
		}
	}
	b.ReportMetric(100*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSeed1M measures seeding 1,000,000 leads and the heap per record.
func BenchmarkSeed1M(b *testing.B) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	p := &sandbox.Projection{System: sandbox.ZohoCRM}
	p.Leads = make([]sandbox.Lead, benchRecords)
	for i := range p.Leads {
		t := now.Add(-time.Duration(i) * time.Second)
		p.Leads[i] = sandbox.Lead{LastName: "L", Email: fmt.Sprintf("l%d@x.com", i), CreatedAt: t, ModifiedAt: t}
	}
	for b.Loop() {
		s := zohotest.New(zohotest.Options{})
		s.SeedCRM(p)
	}
}
