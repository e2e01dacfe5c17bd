package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// MaxQueryBatch and MinQueryBatch bound Sforce-Query-Options batchSize.
const (
	MinQueryBatch = 200
	MaxQueryBatch = 2000
)

// Pager reads a SOQL result page by page (query or queryAll, then each
// nextRecordsUrl). It is not safe for concurrent use.
type Pager struct {
	c      *Client
	soql   string
	object string
	all    bool
	batch  int
	next   string // nextRecordsUrl of the page to read; "" before the first
	page   int    // pages read
	total  int
	done   bool
}

// NewPager returns a Pager for soql; all uses queryAll (deleted and
// archived rows too); batchSize (200..2000, 0 for the default 2000) is a
// hint to the server.
func (c *Client) NewPager(soql string, all bool, batchSize int) *Pager {
	if batchSize != 0 {
		batchSize = min(max(batchSize, MinQueryBatch), MaxQueryBatch)
	}
	return &Pager{c: c, soql: soql, object: objectOf(soql), all: all, batch: batchSize}
}

// page is the query envelope.
type page struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

// Next reads the next page. Records are maps of field name to value:
// strings, bool, json.Number, nil, a nested map for a parent relationship,
// or for a parent-to-child subquery a nested map {totalSize, done,
// records} (nil without children; its nextRecordsUrl, when set, is not
// followed); the "attributes" members are removed. After the last page
// Done is true and Next returns nil, nil.
func (p *Pager) Next(ctx context.Context) ([]map[string]any, error) {
	if p.done {
		return nil, nil
	}
	r, err := p.request()
	if err != nil {
		return nil, err
	}
	var pg page
	if err := p.c.do(ctx, r, &pg); err != nil {
		return nil, fmt.Errorf("salesforce: query %s page %d: %w", p.object, p.page+1, err)
	}
	p.took(pg.TotalSize, pg.Done, pg.NextRecordsURL)
	for _, rec := range pg.Records {
		stripAttributes(rec)
	}
	return pg.Records, nil
}

// stripAttributes removes "attributes" from a record, its parents and the
// records of its parent-to-child subqueries ({totalSize, done, records}).
func stripAttributes(rec map[string]any) {
	delete(rec, "attributes")
	for _, v := range rec {
		switch x := v.(type) {
		case map[string]any:
			stripAttributes(x)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					stripAttributes(m)
				}
			}
		}
	}
}

// Done reports whether the last page was read.
func (p *Pager) Done() bool { return p.done }

// TotalSize is the result's totalSize, known after the first page.
func (p *Pager) TotalSize() int { return p.total }

// Pages is how many pages were read.
func (p *Pager) Pages() int { return p.page }

// Query runs soql (queryAll when all) and calls fn with each page of
// records, in order, following nextRecordsUrl; fn's error stops it and is
// returned. batchSize as in NewPager.
func (c *Client) Query(ctx context.Context, soql string, all bool, batchSize int,
	fn func(records []map[string]any) error) error {
	p := c.NewPager(soql, all, batchSize)
	for !p.Done() {
		recs, err := p.Next(ctx)
		if err != nil {
			return err
		}
		if err := fn(recs); err != nil {
			return err
		}
	}
	return nil
}

// Count runs a SELECT COUNT() query and returns totalSize.
func (c *Client) Count(ctx context.Context, soql string, all bool) (int, error) {
	if !strings.Contains(strings.ToUpper(soql), "COUNT()") {
		return 0, fmt.Errorf("salesforce: count %s: not a SELECT COUNT() query", objectOf(soql))
	}
	p := c.NewPager(soql, all, 0)
	if _, err := p.Next(ctx); err != nil {
		return 0, err
	}
	return p.TotalSize(), nil
}

// Limit is one entry of the org's limits.
type Limit struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// Limits returns the org's limits (DailyApiRequests, DailyBulkV2QueryJobs, …).
func (c *Client) Limits(ctx context.Context) (map[string]Limit, error) {
	var raw map[string]json.RawMessage
	if err := c.do(ctx, request{method: http.MethodGet, path: c.dataPath("limits")}, &raw); err != nil {
		return nil, fmt.Errorf("salesforce: limits: %w", err)
	}
	out := make(map[string]Limit, len(raw))
	for k, v := range raw {
		var l Limit
		if json.Unmarshal(v, &l) == nil {
			out[k] = l
		}
	}
	return out, nil
}
