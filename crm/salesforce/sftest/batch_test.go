package sftest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
)

// batchAnswer is the Composite Batch envelope.
type batchAnswer struct {
	HasErrors bool `json:"hasErrors"`
	Results   []struct {
		StatusCode int             `json:"statusCode"`
		Result     json.RawMessage `json:"result"`
	} `json:"results"`
}

func queryURL(soql string) string { return "/services/data/v62.0/query?q=" + url.QueryEscape(soql) }

func TestCompositeBatch(t *testing.T) {
	counters := sandbox.NewCounters()
	e := newEnv(t, Options{Counters: counters, DailyAPILimit: 1000})
	// 450 creates, then the batch: the batch must move the org's usage by one.
	for i := range 450 {
		e.create("Account", map[string]any{"Name": fmt.Sprintf("Acme %03d", i)})
	}
	e.create("Lead", map[string]any{"LastName": "Ng", "Company": "Ng Ltd"})

	usage := func(r resp) string { return r.header.Get("Sforce-Limit-Info") }
	before := e.must(200, "GET", "limits", nil)
	counters.Reset()
	soqlAcct := "SELECT Id, Name FROM Account ORDER BY Name"
	r := e.must(200, "POST", "composite/batch", map[string]any{"haltOnError": false, "batchRequests": []map[string]any{
		{"method": "GET", "url": queryURL(soqlAcct)},
		{"method": "GET", "url": queryURL("SELECT Id, NoSuchField__c FROM Lead")},
		{"method": "GET", "url": "v62.0/query?q=" + url.QueryEscape("SELECT Id, LastName FROM Lead")},
		{"method": "GET", "url": "/services/data/v62.0/sobjects/Lead/describe"},
		{"method": "GET", "url": "/services/data/v62.0/limits"},
	}}, "Sforce-Query-Options", "batchSize=200")
	var b batchAnswer
	r.json(t, &b)
	if !b.HasErrors || len(b.Results) != 5 {
		t.Fatalf("hasErrors %v, %d results: %s", b.HasErrors, len(b.Results), r.body)
	}
	wantStatus := []int{200, 400, 200, 200, 200}
	for i, res := range b.Results {
		if res.StatusCode != wantStatus[i] {
			t.Errorf("result %d: status %d, want %d: %s", i, res.StatusCode, wantStatus[i], res.Result)
		}
	}

	// Each subrequest is one API call for the org (five), and the batch
	// one request in the counters.
	used := 0
	if _, err := fmt.Sscanf(usage(before), "api-usage=%d/1000", &used); err != nil {
		t.Fatalf("Sforce-Limit-Info %q: %v", usage(before), err)
	}
	if n := counters.Sum(func(c sandbox.Count) bool { return true }); n != 1 {
		t.Errorf("counters saw %d requests for the batch, want 1: %+v", n, counters.Snapshot())
	}
	if n := counters.Sum(func(c sandbox.Count) bool { return c.Endpoint == "/services/data/vXX.X/composite/batch" }); n != 1 {
		t.Errorf("the batch is not counted as /composite/batch: %+v", counters.Snapshot())
	}
	var lim map[string]map[string]int
	if err := json.Unmarshal(b.Results[4].Result, &lim); err != nil || lim["DailyApiRequests"]["Remaining"] != 1000-used-5 {
		t.Errorf("limits inside the batch (its fifth subrequest): %v %s", err, b.Results[4].Result)
	}
	if got, want := usage(e.must(200, "GET", "limits", nil)), fmt.Sprintf("api-usage=%d/1000", used+6); got != want {
		t.Errorf("Sforce-Limit-Info: before %q, after the batch of 5 and one call %q, want %q", usage(before), got, want)
	}

	// The query result is the query's own page: the header's batch size,
	// a cursor that pages on, the same records as a direct query.
	var page queryResult
	if err := json.Unmarshal(b.Results[0].Result, &page); err != nil {
		t.Fatal(err)
	}
	direct := e.query(soqlAcct, "Sforce-Query-Options", "batchSize=200")
	if page.TotalSize != 450 || page.Done || len(page.Records) != 200 || page.NextRecordsURL == "" {
		t.Fatalf("first page: total %d done %v records %d next %q", page.TotalSize, page.Done, len(page.Records), page.NextRecordsURL)
	}
	if fmt.Sprint(page.Records) != fmt.Sprint(direct.Records) {
		t.Errorf("batch page differs from the direct query's first page")
	}
	seen := len(page.Records)
	for next := page.NextRecordsURL; next != ""; {
		var more queryResult
		e.must(200, "GET", next, nil).json(t, &more)
		seen += len(more.Records)
		next = more.NextRecordsURL
	}
	if seen != 450 {
		t.Errorf("paged %d records from the batch's cursor, want 450", seen)
	}

	var errs []map[string]any
	if err := json.Unmarshal(b.Results[1].Result, &errs); err != nil || len(errs) != 1 || errs[0]["errorCode"] != "INVALID_FIELD" {
		t.Errorf("failed subrequest's result: %s", b.Results[1].Result)
	}
	var lead queryResult
	if err := json.Unmarshal(b.Results[2].Result, &lead); err != nil || lead.TotalSize != 1 || !lead.Done {
		t.Errorf("relative url subrequest: %v %s", err, b.Results[2].Result)
	}
	var desc map[string]any
	if err := json.Unmarshal(b.Results[3].Result, &desc); err != nil || desc["name"] != "Lead" {
		t.Errorf("describe subrequest: %v %.200s", err, b.Results[3].Result)
	}
}

func TestCompositeBatchHaltAndLimits(t *testing.T) {
	e := newEnv(t, Options{})
	sub := func(n int, soql string) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"method": "GET", "url": queryURL(soql)}
		}
		return out
	}
	ok := "SELECT Id FROM Account"
	cases := []struct {
		name       string
		body       any
		method     string
		wantStatus int
		wantCode   string
	}{
		{"25 subrequests", map[string]any{"batchRequests": sub(25, ok)}, "POST", 200, ""},
		{"26 subrequests", map[string]any{"batchRequests": sub(26, ok)}, "POST", 400, "INVALID_BATCH_REQUEST"},
		{"none", map[string]any{"batchRequests": []any{}}, "POST", 400, "INVALID_BATCH_REQUEST"},
		{"no url", map[string]any{"batchRequests": []any{map[string]any{"method": "GET"}}}, "POST", 400, "INVALID_BATCH_REQUEST"},
		{"not a REST path", map[string]any{"batchRequests": []any{map[string]any{"method": "GET", "url": "/id/x/y"}}}, "POST", 400, "INVALID_BATCH_REQUEST"},
		{"bad JSON", "{", "POST", 400, "JSON_PARSER_ERROR"},
		{"GET", nil, "GET", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := &env{t: t, ts: e.ts, token: e.token, ver: e.ver}
			r := e.must(c.wantStatus, c.method, "composite/batch", c.body)
			if c.wantCode != "" {
				if got := r.errCode(t); got != c.wantCode {
					t.Fatalf("errorCode %s, want %s: %s", got, c.wantCode, r.body)
				}
				return
			}
			var b batchAnswer
			r.json(t, &b)
			if b.HasErrors || len(b.Results) != 25 {
				t.Fatalf("hasErrors %v, %d results", b.HasErrors, len(b.Results))
			}
		})
	}

	t.Run("haltOnError", func(t *testing.T) {
		e := &env{t: t, ts: e.ts, token: e.token, ver: e.ver}
		reqs := append(sub(1, ok), sub(1, "SELECT Bogus FROM Account")...)
		reqs = append(reqs, sub(2, ok)...)
		for _, halt := range []bool{false, true} {
			var b batchAnswer
			e.must(200, "POST", "composite/batch", map[string]any{"haltOnError": halt, "batchRequests": reqs}).json(t, &b)
			got := make([]int, len(b.Results))
			for i, r := range b.Results {
				got[i] = r.StatusCode
			}
			want := "[200 400 200 200]"
			if halt {
				want = "[200 400 412 412]"
			}
			if fmt.Sprint(got) != want || !b.HasErrors {
				t.Errorf("haltOnError %v: statuses %v, want %s", halt, got, want)
			}
			if halt && !strings.Contains(string(b.Results[3].Result), "BATCH_PROCESSING_HALTED") {
				t.Errorf("halted result: %s", b.Results[3].Result)
			}
		}
	})
}
