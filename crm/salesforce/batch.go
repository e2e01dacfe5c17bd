package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// MaxBatchRequests is the most subrequests one Composite Batch call
// holds. Each subrequest of a batch counts as one API call against the
// org's daily allocation (Salesforce's Composite Batch documentation): a
// batch saves round trips, not API calls. Composite (see Composite)
// counts as one call.
const MaxBatchRequests = 25

// MaxCompositeRequests is the most subrequests one Composite call holds,
// and MaxCompositeQueries the most of them that may be query operations
// (query, queryAll, the next page of a query). The whole Composite call
// counts as one API call against the org's daily allocation.
const (
	MaxCompositeRequests = 25
	MaxCompositeQueries  = 5
)

// BatchRequest is one subrequest of a Composite Batch.
type BatchRequest struct {
	// Method is GET, POST, PATCH, DELETE or HEAD.
	Method string `json:"method"`
	// URL is the resource's path and query on the instance, e.g.
	// /services/data/v62.0/query?q=… (see QueryRequest).
	URL string `json:"url"`
	// RichInput is the subrequest's JSON body, if any.
	RichInput any `json:"richInput,omitempty"`
	// Headers are the subrequest's own headers (If-Modified-Since on a
	// describe, say). Composite sends them; Batch has no place for them
	// and refuses a subrequest that sets any.
	Headers map[string]string `json:"-"`
}

// BatchOptions are the settings of one Composite Batch call.
type BatchOptions struct {
	// HaltOnError stops at the first failed subrequest: the later ones
	// answer 412 BATCH_PROCESSING_HALTED.
	HaltOnError bool
	// QueryBatchSize (200..2,000, 0 for the default) is sent as
	// Sforce-Query-Options on the batch request. Whether Salesforce
	// applies the batch request's headers to its subrequests is
	// unconfirmed (the emulator does); it is a hint either way.
	QueryBatchSize int
}

// BatchResult is one subrequest's answer, in the order of the requests.
type BatchResult struct {
	// StatusCode is the subrequest's own HTTP status.
	StatusCode int
	// Result is the subrequest's own body (a query page, a describe, the
	// error array; null for 204/304).
	Result json.RawMessage
	// Err is the subrequest's error (StatusCode ≥ 400), nil on success.
	Err *APIError
	// Date (Composite only) is the server time of the answer: the
	// subrequest's own Date header when its httpHeaders carry one, else
	// the Composite call's (whether Salesforce puts Date in a
	// subrequest's httpHeaders is unconfirmed). Zero when neither has it.
	Date time.Time
}

// QueryRequest is the subrequest of the first page of soql (queryAll
// when all), as Pager.Next would send it.
func (c *Client) QueryRequest(soql string, all bool) BatchRequest {
	op := "query"
	if all {
		op = "queryAll"
	}
	return BatchRequest{Method: http.MethodGet, URL: c.dataPath(op) + "?" + url.Values{"q": {soql}}.Encode()}
}

// Batch sends up to MaxBatchRequests subrequests as one Composite Batch
// call (POST /composite/batch: one API call) and returns each one's
// answer. A failed subrequest is not an error of the call: its
// BatchResult carries Err, and the others still ran (unless
// HaltOnError). The error is for the call as a whole: no or too many
// subrequests, the batch refused (an *APIError) or not answered. A batch
// of GETs only reads, so the transport may send it again after a 5xx or
// a dropped connection; one that writes is not repeated.
func (c *Client) Batch(ctx context.Context, reqs []BatchRequest, opts BatchOptions) ([]BatchResult, error) {
	switch {
	case len(reqs) == 0:
		return nil, fmt.Errorf("salesforce: batch: no subrequests")
	case len(reqs) > MaxBatchRequests:
		return nil, fmt.Errorf("salesforce: batch: %d subrequests, at most %d in one batch", len(reqs), MaxBatchRequests)
	}
	readOnly := true
	for i, r := range reqs {
		m := strings.ToUpper(r.Method)
		if m == "" || r.URL == "" {
			return nil, fmt.Errorf("salesforce: batch: subrequest %d needs a method and a url", i)
		}
		if len(r.Headers) > 0 {
			return nil, fmt.Errorf("salesforce: batch: subrequest %d sets headers, which a Composite Batch cannot carry (use Composite)", i)
		}
		if m != http.MethodGet && m != http.MethodHead {
			readOnly = false
		}
	}
	if readOnly {
		ctx = httpx.Retryable(ctx)
	}
	body := struct {
		BatchRequests []BatchRequest `json:"batchRequests"`
		HaltOnError   bool           `json:"haltOnError"`
	}{reqs, opts.HaltOnError}
	r := request{method: http.MethodPost, path: c.dataPath("composite/batch"), body: body}
	if opts.QueryBatchSize > 0 {
		n := min(max(opts.QueryBatchSize, MinQueryBatch), MaxQueryBatch)
		r.header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(n)}}
	}
	var out struct {
		HasErrors bool `json:"hasErrors"`
		Results   []struct {
			StatusCode int             `json:"statusCode"`
			Result     json.RawMessage `json:"result"`
		} `json:"results"`
	}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, fmt.Errorf("salesforce: batch of %d subrequests: %w", len(reqs), err)
	}
	if len(out.Results) != len(reqs) {
		return nil, fmt.Errorf("salesforce: batch of %d subrequests: the answer holds %d results", len(reqs), len(out.Results))
	}
	res := make([]BatchResult, len(reqs))
	for i, o := range out.Results {
		res[i] = BatchResult{StatusCode: o.StatusCode, Result: o.Result}
		if o.StatusCode >= 400 {
			res[i].Err = subrequestError(o.StatusCode, o.Result)
		}
	}
	return res, nil
}

// Composite sends up to MaxCompositeRequests independent subrequests, at
// most MaxCompositeQueries of them queries, as one Composite call (POST
// /composite, allOrNone false: one API call for all of them), each with
// its own headers, and returns each one's answer in order. A failed
// subrequest is not an error of the call: its BatchResult carries Err and
// the others still ran. The error is for the call as a whole. A call of
// GETs only reads, so the transport may send it again after a 5xx or a
// dropped connection; one that writes is not repeated.
func (c *Client) Composite(ctx context.Context, reqs []BatchRequest, opts BatchOptions) ([]BatchResult, error) {
	switch {
	case len(reqs) == 0:
		return nil, fmt.Errorf("salesforce: composite: no subrequests")
	case len(reqs) > MaxCompositeRequests:
		return nil, fmt.Errorf("salesforce: composite: %d subrequests, at most %d in one call", len(reqs), MaxCompositeRequests)
	}
	type sub struct {
		Method      string            `json:"method"`
		URL         string            `json:"url"`
		ReferenceID string            `json:"referenceId"`
		Body        any               `json:"body,omitempty"`
		HTTPHeaders map[string]string `json:"httpHeaders,omitempty"`
	}
	subs := make([]sub, len(reqs))
	readOnly, queries := true, 0
	for i, r := range reqs {
		m := strings.ToUpper(r.Method)
		if m == "" || r.URL == "" {
			return nil, fmt.Errorf("salesforce: composite: subrequest %d needs a method and a url", i)
		}
		if m != http.MethodGet && m != http.MethodHead {
			readOnly = false
		}
		if isQueryURL(r.URL) {
			queries++
		}
		subs[i] = sub{Method: m, URL: r.URL, ReferenceID: "r" + strconv.Itoa(i), Body: r.RichInput, HTTPHeaders: r.Headers}
	}
	if queries > MaxCompositeQueries {
		return nil, fmt.Errorf("salesforce: composite: %d queries, at most %d in one call", queries, MaxCompositeQueries)
	}
	if readOnly {
		ctx = httpx.Retryable(ctx)
	}
	body := struct {
		AllOrNone        bool  `json:"allOrNone"`
		CompositeRequest []sub `json:"compositeRequest"`
	}{false, subs}
	r := request{method: http.MethodPost, path: c.dataPath("composite"), body: body}
	if opts.QueryBatchSize > 0 {
		n := min(max(opts.QueryBatchSize, MinQueryBatch), MaxQueryBatch)
		r.header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(n)}}
	}
	var out struct {
		CompositeResponse []struct {
			Body           json.RawMessage   `json:"body"`
			HTTPHeaders    map[string]string `json:"httpHeaders"`
			HTTPStatusCode int               `json:"httpStatusCode"`
			ReferenceID    string            `json:"referenceId"`
		} `json:"compositeResponse"`
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("salesforce: composite of %d subrequests: %w", len(reqs), err)
	}
	defer resp.Body.Close()
	date, _ := http.ParseTime(resp.Header.Get("Date"))
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("salesforce: composite of %d subrequests: decode answer: %w", len(reqs), err)
	}
	if len(out.CompositeResponse) != len(reqs) {
		return nil, fmt.Errorf("salesforce: composite of %d subrequests: the answer holds %d", len(reqs), len(out.CompositeResponse))
	}
	res := make([]BatchResult, len(reqs))
	for _, o := range out.CompositeResponse {
		i, err := strconv.Atoi(strings.TrimPrefix(o.ReferenceID, "r"))
		if err != nil || !strings.HasPrefix(o.ReferenceID, "r") || i < 0 || i >= len(reqs) || res[i].StatusCode != 0 {
			return nil, fmt.Errorf("salesforce: composite of %d subrequests: an answer for referenceId %q, which was not sent", len(reqs), o.ReferenceID)
		}
		res[i] = BatchResult{StatusCode: o.HTTPStatusCode, Result: o.Body, Date: date}
		for k, v := range o.HTTPHeaders {
			if strings.EqualFold(k, "Date") {
				if d, err := http.ParseTime(v); err == nil {
					res[i].Date = d
				}
			}
		}
		if o.HTTPStatusCode >= 400 {
			res[i].Err = subrequestError(o.HTTPStatusCode, o.Body)
		}
	}
	return res, nil
}

// DescribeGlobalRequest is the subrequest of describeGlobal with
// If-Modified-Since since (as DescribeGlobalIfModified sends it; none when
// since is zero), for Composite. Its answer is 304 with no body when no
// object's metadata changed since since; GlobalChanged reads it.
func (c *Client) DescribeGlobalRequest(since time.Time) BatchRequest {
	r := BatchRequest{Method: http.MethodGet, URL: c.dataPath("sobjects/")}
	if !since.IsZero() {
		r.Headers = map[string]string{"If-Modified-Since": since.UTC().Format(http.TimeFormat)}
	}
	return r
}

// GlobalChanged reads the answer to DescribeGlobalRequest: false on 304
// (nothing changed), true on 200, the subrequest's error otherwise.
func GlobalChanged(res BatchResult) (bool, error) {
	switch {
	case res.Err != nil:
		return false, fmt.Errorf("salesforce: describe global (composite): %w", res.Err)
	case res.StatusCode == http.StatusNotModified:
		return false, nil
	case res.StatusCode == http.StatusOK:
		return true, nil
	}
	return false, fmt.Errorf("salesforce: describe global (composite): status %d", res.StatusCode)
}

// isQueryURL reports whether a subrequest url is a query operation (query,
// queryAll or a next page of one), which Composite limits.
func isQueryURL(u string) bool {
	path, _, _ := strings.Cut(u, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if (s == "query" || s == "queryAll") && i > 0 && strings.HasPrefix(segs[i-1], "v") {
			return true
		}
	}
	return false
}

// subrequestError reads a failed subrequest's error array.
func subrequestError(status int, body json.RawMessage) *APIError {
	ae := &APIError{Status: status}
	var items []struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	if json.Unmarshal(body, &items) == nil && len(items) > 0 {
		ae.Code, ae.Message, ae.Fields = items[0].ErrorCode, items[0].Message, items[0].Fields
		for _, it := range items[1:] {
			ae.More = append(ae.More, APIError{Status: status, Code: it.ErrorCode, Message: it.Message, Fields: it.Fields})
		}
		return ae
	}
	ae.Message = strings.TrimSpace(string(body))
	return ae
}

// Prime takes res, the answer to p's first query sent as a batch
// subrequest (QueryRequest), as p's first page, and returns its records
// as Next would. A failed subrequest returns its error (wrapped like
// Next's) and leaves p as it was, so that Next can still send the query
// itself. It must be called before any Next.
func (p *Pager) Prime(res BatchResult) ([]map[string]any, error) {
	if err := p.primable(res); err != nil {
		return nil, err
	}
	var pg page
	dec := json.NewDecoder(bytes.NewReader(res.Result))
	dec.UseNumber()
	if err := dec.Decode(&pg); err != nil {
		return nil, fmt.Errorf("salesforce: query %s page 1 (batch): decode: %w", p.object, err)
	}
	p.took(pg.TotalSize, pg.Done, pg.NextRecordsURL)
	for _, rec := range pg.Records {
		stripAttributes(rec)
	}
	return pg.Records, nil
}

// primable checks that res can be p's first page.
func (p *Pager) primable(res BatchResult) error {
	if p.page != 0 || p.done {
		return fmt.Errorf("salesforce: query %s: a page was already read", p.object)
	}
	if res.Err != nil {
		return fmt.Errorf("salesforce: query %s page 1 (batch): %w", p.object, res.Err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("salesforce: query %s page 1 (batch): status %d", p.object, res.StatusCode)
	}
	return nil
}
