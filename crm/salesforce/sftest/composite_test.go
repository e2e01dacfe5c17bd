package sftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// compositeAnswer is the Composite envelope.
type compositeAnswer struct {
	CompositeResponse []struct {
		Body           json.RawMessage   `json:"body"`
		HTTPHeaders    map[string]string `json:"httpHeaders"`
		HTTPStatusCode int               `json:"httpStatusCode"`
		ReferenceID    string            `json:"referenceId"`
	} `json:"compositeResponse"`
}

// TestComposite: five queries and a describeGlobal with its own
// If-Modified-Since cost the org ONE API call (one request in the
// counters), answer in order under their referenceIds, each query's body
// is its own first page (a cursor that pages on), the describe answers
// 304 with no body while nothing changed; a failed subrequest has its own
// status and error array and the others still run.
func TestComposite(t *testing.T) {
	counters := sandbox.NewCounters()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Counters: counters, DailyAPILimit: 1000, Now: clk.Now})
	for i := range 300 {
		e.create("Account", map[string]any{"Name": fmt.Sprintf("Acme %03d", i)})
	}
	e.create("Lead", map[string]any{"LastName": "Ng", "Company": "Ng Ltd"})
	clk.Add(10 * time.Second)
	ims := clk.Now().Format(http.TimeFormat)

	usage := func(r resp) int {
		var used int
		if _, err := fmt.Sscanf(r.header.Get("Sforce-Limit-Info"), "api-usage=%d/1000", &used); err != nil {
			t.Fatalf("Sforce-Limit-Info %q: %v", r.header.Get("Sforce-Limit-Info"), err)
		}
		return used
	}
	before := usage(e.must(200, "GET", "limits", nil))
	counters.Reset()
	soqlAcct := "SELECT Id, Name FROM Account ORDER BY Name"
	r := e.must(200, "POST", "composite", map[string]any{"compositeRequest": []map[string]any{
		{"method": "GET", "url": queryURL(soqlAcct), "referenceId": "accounts"},
		{"method": "GET", "url": queryURL("SELECT Id, NoSuchField__c FROM Lead"), "referenceId": "bad"},
		{"method": "GET", "url": strings.Replace(queryURL("SELECT Id FROM Lead"), "/query?", "/queryAll?", 1), "referenceId": "leads"},
		{"method": "GET", "url": queryURL("SELECT Id FROM Contact"), "referenceId": "contacts"},
		{"method": "GET", "url": queryURL("SELECT Id FROM Opportunity"), "referenceId": "opps"},
		{"method": "GET", "url": "/services/data/v62.0/sobjects/", "referenceId": "global", "httpHeaders": map[string]string{"If-Modified-Since": ims}},
		{"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": "limits"},
	}}, "Sforce-Query-Options", "batchSize=200")
	var a compositeAnswer
	r.json(t, &a)
	if len(a.CompositeResponse) != 7 {
		t.Fatalf("%d answers, want 7: %s", len(a.CompositeResponse), r.body)
	}
	wantStatus := []int{200, 400, 200, 200, 200, 304, 200}
	wantRef := []string{"accounts", "bad", "leads", "contacts", "opps", "global", "limits"}
	for i, res := range a.CompositeResponse {
		if res.HTTPStatusCode != wantStatus[i] || res.ReferenceID != wantRef[i] {
			t.Errorf("answer %d: %d %q, want %d %q: %s", i, res.HTTPStatusCode, res.ReferenceID, wantStatus[i], wantRef[i], res.Body)
		}
	}
	if b := a.CompositeResponse[5].Body; len(b) != 0 && string(b) != "null" {
		t.Errorf("304 with a body: %s", b)
	}
	var errs []map[string]any
	if err := json.Unmarshal(a.CompositeResponse[1].Body, &errs); err != nil || len(errs) != 1 || errs[0]["errorCode"] != "INVALID_FIELD" {
		t.Errorf("failed subrequest's body: %s", a.CompositeResponse[1].Body)
	}
	// One call for the whole request, in the org's usage and the counters.
	var lim map[string]map[string]int
	if err := json.Unmarshal(a.CompositeResponse[6].Body, &lim); err != nil || lim["DailyApiRequests"]["Remaining"] != 1000-before-1 {
		t.Errorf("limits inside the composite request: %v %s (usage before %d)", err, a.CompositeResponse[6].Body, before)
	}
	if got := usage(e.must(200, "GET", "limits", nil)); got != before+2 {
		t.Errorf("org usage %d after the composite request and one call, want %d", got, before+2)
	}
	if n := counters.Sum(func(c sandbox.Count) bool { return c.Endpoint == "/services/data/vXX.X/composite" }); n != 1 {
		t.Errorf("the request is not counted once as /composite: %+v", counters.Snapshot())
	}

	// The query's body is the query's own first page, and its cursor pages on.
	var page queryResult
	if err := json.Unmarshal(a.CompositeResponse[0].Body, &page); err != nil {
		t.Fatal(err)
	}
	if page.TotalSize != 300 || page.Done || len(page.Records) != 200 || page.NextRecordsURL == "" {
		t.Fatalf("first page: total %d done %v records %d next %q", page.TotalSize, page.Done, len(page.Records), page.NextRecordsURL)
	}
	var more queryResult
	e.must(200, "GET", page.NextRecordsURL, nil).json(t, &more)
	if len(more.Records) != 100 || !more.Done {
		t.Errorf("second page: %d records, done %v", len(more.Records), more.Done)
	}

	// After a field change, the describe subrequest answers 200.
	clk.Add(time.Second)
	if r := e.createField("Contact.Score__c", map[string]any{"type": "Number", "label": "Score", "precision": 5, "scale": 0}); r.status != http.StatusCreated {
		t.Fatalf("create field: HTTP %d %s", r.status, r.body)
	}
	e.must(200, "POST", "composite", map[string]any{"compositeRequest": []map[string]any{
		{"method": "GET", "url": "/services/data/v62.0/sobjects/", "referenceId": "global", "httpHeaders": map[string]string{"If-Modified-Since": ims}},
	}}).json(t, &a)
	if a.CompositeResponse[0].HTTPStatusCode != 200 || !strings.Contains(string(a.CompositeResponse[0].Body), `"sobjects"`) {
		t.Errorf("describeGlobal after a field change: %d %.200s", a.CompositeResponse[0].HTTPStatusCode, a.CompositeResponse[0].Body)
	}
}

// TestCompositeRefused: requests Salesforce refuses whole (too many
// subrequests or queries, no referenceId, a duplicate one, a header a
// subrequest may not set) and what the emulator does not do (references,
// allOrNone with writes) answer 400 with a message that names the
// subrequest, and cost no work.
func TestCompositeRefused(t *testing.T) {
	e := newEnv(t, Options{})
	q := func(ref string) map[string]any {
		return map[string]any{"method": "GET", "url": queryURL("SELECT Id FROM Account"), "referenceId": ref}
	}
	many := func(n int, mk func(int) map[string]any) []map[string]any {
		var out []map[string]any
		for i := range n {
			out = append(out, mk(i))
		}
		return out
	}
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"six queries", map[string]any{"compositeRequest": many(6, func(i int) map[string]any { return q(fmt.Sprint("q", i)) })},
			"at most 5 query operations"},
		{"26 subrequests", map[string]any{"compositeRequest": many(26, func(i int) map[string]any {
			return map[string]any{"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": fmt.Sprint("l", i)}
		})}, "at most 25 subrequests"},
		{"none", map[string]any{"compositeRequest": []any{}}, "at least one subrequest"},
		{"no referenceId", map[string]any{"compositeRequest": []any{map[string]any{"method": "GET", "url": "/services/data/v62.0/limits"}}},
			"compositeRequest[0]: referenceId is required"},
		{"duplicate referenceId", map[string]any{"compositeRequest": []any{q("a"), q("a")}}, "compositeRequest[1]: duplicate referenceId"},
		{"authorization header", map[string]any{"compositeRequest": []any{map[string]any{"method": "GET", "url": "/services/data/v62.0/limits",
			"referenceId": "l", "httpHeaders": map[string]string{"Authorization": "Bearer x"}}}}, "may not set Authorization"},
		{"reference", map[string]any{"compositeRequest": []any{q("a"), map[string]any{"method": "GET",
			"url": "/services/data/v62.0/sobjects/Account/@{a.records[0].Id}", "referenceId": "b"}}}, "compositeRequest[1] (b): references"},
		{"allOrNone with a write", map[string]any{"allOrNone": true, "compositeRequest": []any{map[string]any{"method": "POST",
			"url": "/services/data/v62.0/sobjects/Account", "referenceId": "new", "body": map[string]any{"Name": "X"}}}}, "allOrNone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.must(400, "POST", "composite", c.body)
			if !strings.Contains(string(r.body), c.want) {
				t.Errorf("body %s, want it to say %q", r.body, c.want)
			}
		})
	}
	if n := len(e.query("SELECT Id FROM Account WHERE Name = 'X'").Records); n != 0 {
		t.Errorf("a refused request wrote %d accounts", n)
	}
}

// TestCompositeAllOrNoneAndWrites: with allOrNone, the subrequests after
// a failed one answer 400 PROCESSING_HALTED; without it, a write
// subrequest runs like the call alone (201 with its Location).
func TestCompositeAllOrNoneAndWrites(t *testing.T) {
	e := newEnv(t, Options{})
	var a compositeAnswer
	e.must(200, "POST", "composite", map[string]any{"allOrNone": true, "compositeRequest": []any{
		map[string]any{"method": "GET", "url": queryURL("SELECT Nope FROM Account"), "referenceId": "bad"},
		map[string]any{"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": "after"},
	}}).json(t, &a)
	if a.CompositeResponse[0].HTTPStatusCode != 400 || a.CompositeResponse[1].HTTPStatusCode != 400 ||
		!strings.Contains(string(a.CompositeResponse[1].Body), "PROCESSING_HALTED") {
		t.Errorf("allOrNone after a failure: %+v", a.CompositeResponse)
	}
	e.must(200, "POST", "composite", map[string]any{"compositeRequest": []any{
		map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "new", "body": map[string]any{"Name": "Composite Co"}},
	}}).json(t, &a)
	res := a.CompositeResponse[0]
	var created struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
	}
	if err := json.Unmarshal(res.Body, &created); err != nil || res.HTTPStatusCode != 201 || !created.Success ||
		!strings.HasSuffix(res.HTTPHeaders["Location"], created.ID) {
		t.Fatalf("create in a composite request: %d %s %v", res.HTTPStatusCode, res.Body, res.HTTPHeaders)
	}
	if got := e.query("SELECT Id FROM Account WHERE Name = 'Composite Co'").Records; len(got) != 1 {
		t.Errorf("the created account: %d records", len(got))
	}
}
