package zoho

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
	"github.com/revops/revops/crm/zoho/zql"
)

// API limits of the records APIs (reference sheet §2).
const (
	// MaxPerPage is the largest page of the list, deleted and related APIs.
	MaxPerPage = 200
	// MaxFields is how many fields one list call may name.
	MaxFields = 50
	// MaxDiscrete is how many records page numbers reach; page_token goes further.
	MaxDiscrete = 2000
	// MaxTokenRecords is how many records one chain of page_tokens reaches.
	MaxTokenRecords = 100000
	// maxIDs is how many ids one list call may name.
	maxIDs = 100
)

// DateTimeLayout is how Zoho CRM writes datetimes (with the offset).
const DateTimeLayout = "2006-01-02T15:04:05-07:00"

// ListOptions shape a List call.
type ListOptions struct {
	// SortBy is id (default), Created_Time or Modified_Time.
	SortBy string
	// SortOrder is asc or desc (the API's default).
	SortOrder string
	// ModifiedSince asks only for records modified strictly after it (the
	// If-Modified-Since header); zero reads everything.
	ModifiedSince time.Time
	// PerPage is the page size (default and maximum 200).
	PerPage int
	// Converted is Leads' converted filter: false (the API's default),
	// true or both.
	Converted string
	// First, when set, is called with the first page's more_records
	// before that page is handed to fn (not at all when there are no
	// records); its error stops the listing and is returned. Extract uses
	// it to decide whether a read is large enough for Bulk Read.
	First func(moreRecords bool) error
}

// listInfo is the info block of a list answer.
type listInfo struct {
	PerPage       int    `json:"per_page"`
	Count         int    `json:"count"`
	Page          int    `json:"page"`
	MoreRecords   bool   `json:"more_records"`
	NextPageToken string `json:"next_page_token"`
}

// List reads the records of module with the given fields (id always
// comes), calling fn with each page as it arrives; an error from fn stops
// the listing and is returned. 204 (no records) and 304 (none modified
// since) call fn never.
//
// Paging: page 1, then the next_page_token of each answer (page numbers
// are used only when the API gives no token, and reach 2,000 records).
// Tokens resume after the last record by its sort key, so a record
// modified during the listing is not skipped (it comes again, later).
// A token chain reaches 100,000 records; when sorted by Modified_Time
// ascending, List then starts a new chain from the last Modified_Time
// seen (If-Modified-Since one second earlier, dropping the records of that
// second already delivered), so any number of records can be listed.
//
// More than 50 fields: the first call of each page names the first 50,
// and the others are fetched for the page's ids (≤100 per call) in
// further calls of 50 and joined by id. A record changed between those
// calls may mix versions; it then comes again later in the listing with
// its new Modified_Time (when sorted by it).
func (c *Client) List(ctx context.Context, module string, fields []string, opts ListOptions, fn func(records []map[string]any) error) error {
	if len(fields) == 0 {
		return fmt.Errorf("zoho: list %s: no fields", module)
	}
	groups := fieldGroups(fields)
	var recs []map[string]any
	pg := &mapPage{}
	parse := func(_ int, body []byte) (listedPage, error) {
		var ans struct {
			Data []map[string]any `json:"data"`
			Info listInfo         `json:"info"`
		}
		if err := decode(body, &ans); err != nil {
			return nil, err
		}
		pg.recs, pg.info = ans.Data, ans.Info
		return pg, nil
	}
	deliver := func(call int) error {
		recs = pg.recs
		if len(groups) > 1 && len(recs) > 0 {
			if err := c.joinFields(ctx, module, recs, groups[1:], opts.Converted); err != nil {
				return fmt.Errorf("zoho: list %s page %d: %w", module, call, err)
			}
		}
		if len(recs) > 0 {
			return fn(recs)
		}
		return nil
	}
	return c.list(ctx, module, groups[0], opts, parse, deliver)
}

// ListRaw is List for readers that convert the records themselves: fn
// gets each page with every record's values as raw JSON (RawPage), and no
// map is built. fields (at most MaxFields besides id) are asked for and
// are the fields RawPage.Value returns, by index; the paging, the new
// chains past 100,000 records and the records dropped when a chain starts
// again are List's. The page is valid only while fn runs.
func (c *Client) ListRaw(ctx context.Context, module string, fields []string, opts ListOptions, fn func(page *RawPage) error) error {
	if len(fields) == 0 {
		return fmt.Errorf("zoho: list %s: no fields", module)
	}
	groups := fieldGroups(fields)
	if len(groups) > 1 {
		n := 0
		for _, g := range groups {
			n += len(g)
		}
		return fmt.Errorf("zoho: list %s: %d fields: a raw listing takes at most %d (List joins more)", module, n, MaxFields)
	}
	pg := newRawPage(fields)
	parse := func(call int, body []byte) (listedPage, error) {
		if err := pg.parse(call, body); err != nil {
			return nil, err
		}
		return pg, nil
	}
	deliver := func(int) error {
		if pg.Len() > 0 {
			return fn(pg)
		}
		return nil
	}
	return c.list(ctx, module, groups[0], opts, parse, deliver)
}

// listedPage is one decoded page of a list answer, as the paging loop of
// List and ListRaw sees it.
type listedPage interface {
	Len() int
	ID(i int) string
	ModifiedTime(i int) (string, bool)
	listInfo() listInfo
	// keep keeps the records whose mask entry is true, in order.
	keep(mask []bool)
}

// mapPage is a page decoded into maps (List).
type mapPage struct {
	recs []map[string]any
	info listInfo
}

func (p *mapPage) Len() int           { return len(p.recs) }
func (p *mapPage) listInfo() listInfo { return p.info }
func (p *mapPage) ID(i int) string    { s, _ := p.recs[i]["id"].(string); return s }
func (p *mapPage) ModifiedTime(i int) (string, bool) {
	s, ok := p.recs[i]["Modified_Time"].(string)
	return s, ok
}

func (p *mapPage) keep(mask []bool) {
	out := p.recs[:0]
	for i, rec := range p.recs {
		if mask[i] {
			out = append(out, rec)
		}
	}
	p.recs = out
}

func (p *RawPage) listInfo() listInfo { return p.info }

// list is the paging loop of List and ListRaw: first names the fields of
// the page calls; parse decodes an answer's body (call is the call's
// number), and deliver hands the page parse returned last on, after the
// records already delivered before a new chain are dropped.
func (c *Client) list(ctx context.Context, module string, first []string, opts ListOptions,
	parse func(call int, body []byte) (listedPage, error), deliver func(call int) error) error {
	perPage := opts.PerPage
	if perPage <= 0 || perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	base := url.Values{"fields": {strings.Join(first, ",")}, "per_page": {strconv.Itoa(perPage)}}
	if opts.SortBy != "" {
		base.Set("sort_by", opts.SortBy)
	}
	if opts.SortOrder != "" {
		base.Set("sort_order", opts.SortOrder)
	}
	if opts.Converted != "" {
		base.Set("converted", opts.Converted)
	}
	byModifiedAsc := opts.SortBy == "Modified_Time" && opts.SortOrder == "asc"
	since := opts.ModifiedSince
	var (
		page, served int
		token        string
		lastMod      string              // the last Modified_Time delivered
		atLast       = map[string]bool{} // ids delivered with Modified_Time == lastMod
		mask         []bool
		body         bytes.Buffer
	)
	page = 1
	for call := 1; ; call++ {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		if token != "" {
			q.Set("page_token", token)
		} else {
			q.Set("page", strconv.Itoa(page))
		}
		var hdr http.Header
		if !since.IsZero() {
			hdr = http.Header{"If-Modified-Since": {since.Format(DateTimeLayout)}}
		}
		// The pages share one buffer: neither decoding keeps the body
		// past deliver.
		r, err := c.sendInto(ctx, http.MethodGet, func() string { return c.crmURL(module, q) }, hdr, nil, &body)
		if err != nil {
			return fmt.Errorf("zoho: list %s page %d: %w", module, call, err)
		}
		if r.status == http.StatusNoContent || r.status == http.StatusNotModified {
			return nil
		}
		pg, err := parse(call, r.body)
		if err != nil {
			return fmt.Errorf("zoho: list %s page %d: %w", module, call, err)
		}
		info := pg.listInfo()
		if call == 1 && opts.First != nil {
			if err := opts.First(info.MoreRecords); err != nil {
				return err
			}
		}
		n := pg.Len()
		served += n
		if byModifiedAsc {
			// One server writes every Modified_Time with the same offset,
			// so equal seconds are equal strings.
			mask = mask[:0]
			drop := false
			for i := range n {
				mod, _ := pg.ModifiedTime(i)
				id := pg.ID(i)
				if mod == lastMod && atLast[id] {
					mask = append(mask, false) // delivered before a new chain started
					drop = true
					continue
				}
				if mod != lastMod {
					lastMod = mod
					clear(atLast)
				}
				atLast[id] = true
				mask = append(mask, true)
			}
			if drop {
				pg.keep(mask)
			}
		}
		if err := deliver(call); err != nil {
			return err
		}
		if !info.MoreRecords {
			return nil
		}
		switch {
		case info.NextPageToken != "" && served+perPage <= MaxTokenRecords:
			token = info.NextPageToken
		case byModifiedAsc && lastMod != "" && (info.NextPageToken != "" || page*perPage >= MaxDiscrete):
			// The chain is at its end: start a new one at the last second seen.
			t, err := ParseTime(lastMod)
			if err != nil {
				return fmt.Errorf("zoho: list %s page %d: Modified_Time: %w", module, call, err)
			}
			since, token, page, served = t.Add(-time.Second), "", 1, 0
		case info.NextPageToken == "" && page*perPage < MaxDiscrete:
			page++
		default:
			return fmt.Errorf("zoho: list %s page %d: more records than page numbers reach (%d) and no page_token", module, call, MaxDiscrete)
		}
	}
}

// fieldGroups splits fields into calls of at most 50 names, without id
// (which always comes) or duplicates.
func fieldGroups(fields []string) [][]string {
	var groups [][]string
	var cur []string
	seen := map[string]bool{"id": true}
	for _, f := range fields {
		if seen[f] {
			continue
		}
		seen[f] = true
		if len(cur) == MaxFields {
			groups = append(groups, cur)
			cur = nil
		}
		cur = append(cur, f)
	}
	if len(cur) > 0 || len(groups) == 0 {
		groups = append(groups, cur)
	}
	return groups
}

// joinFields fetches the other field groups of recs by id and merges them in.
func (c *Client) joinFields(ctx context.Context, module string, recs []map[string]any, groups [][]string, converted string) error {
	byID := make(map[string]map[string]any, len(recs))
	ids := make([]string, 0, len(recs))
	for _, r := range recs {
		id, _ := r["id"].(string)
		if id != "" && byID[id] == nil {
			byID[id] = r
			ids = append(ids, id)
		}
	}
	for _, g := range groups {
		for start := 0; start < len(ids); start += maxIDs {
			chunk := ids[start:min(start+maxIDs, len(ids))]
			q := url.Values{"fields": {strings.Join(g, ",")}, "ids": {strings.Join(chunk, ",")},
				"per_page": {strconv.Itoa(MaxPerPage)}}
			if converted != "" {
				q.Set("converted", converted)
			}
			r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL(module, q) }, nil, nil)
			if err != nil {
				return fmt.Errorf("fields by id: %w", err)
			}
			if r.status != http.StatusOK {
				continue
			}
			var ans struct {
				Data []map[string]any `json:"data"`
			}
			if err := decode(r.body, &ans); err != nil {
				return fmt.Errorf("fields by id: %w", err)
			}
			for _, extra := range ans.Data {
				id, _ := extra["id"].(string)
				if dst := byID[id]; dst != nil {
					for _, f := range g {
						if v, ok := extra[f]; ok {
							dst[f] = v
						}
					}
				}
			}
		}
	}
	return nil
}

// ParseTime reads a Zoho datetime value (a string with an offset).
func ParseTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("not a datetime: %v", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a datetime: %q", s)
	}
	return t, nil
}

// Get reads one record (every field when fields is empty); nil when the
// record does not exist.
func (c *Client) Get(ctx context.Context, module, id string, fields ...string) (map[string]any, error) {
	q := url.Values{}
	if len(fields) > 0 {
		q.Set("fields", strings.Join(fields, ","))
	}
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL(module+"/"+url.PathEscape(id), q) }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: get %s %s: %w", module, id, err)
	}
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		return nil, nil
	}
	var ans struct {
		Data []map[string]any `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: get %s %s: %w", module, id, err)
	}
	if len(ans.Data) == 0 {
		return nil, nil
	}
	return ans.Data[0], nil
}

// DeletedRecord is one entry of the deleted-records API.
type DeletedRecord struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	// Type is recycle (in the recycle bin) or permanent.
	Type        string    `json:"type"`
	DeletedTime time.Time `json:"-"`
	DeletedBy   *User     `json:"deleted_by"`
	CreatedBy   *User     `json:"created_by"`
}

// User is a user reference ({"name","id"}).
type User struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// Deleted lists the records of module deleted after since (every retained
// deletion when since is zero), type=all, newest first.
func (c *Client) Deleted(ctx context.Context, module string, since time.Time) ([]DeletedRecord, error) {
	var out []DeletedRecord
	for page := 1; ; page++ {
		q := url.Values{"type": {"all"}, "per_page": {strconv.Itoa(MaxPerPage)}, "page": {strconv.Itoa(page)}}
		var hdr http.Header
		if !since.IsZero() {
			hdr = http.Header{"If-Modified-Since": {since.Format(DateTimeLayout)}}
		}
		r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL(module+"/deleted", q) }, hdr, nil)
		if err != nil {
			return nil, fmt.Errorf("zoho: deleted %s page %d: %w", module, page, err)
		}
		if r.status == http.StatusNoContent || r.status == http.StatusNotModified {
			return out, nil
		}
		var ans struct {
			Data []struct {
				DeletedRecord
				Time string `json:"deleted_time"`
			} `json:"data"`
			Info listInfo `json:"info"`
		}
		if err := json.Unmarshal(r.body, &ans); err != nil {
			return nil, fmt.Errorf("zoho: deleted %s page %d: %w", module, page, err)
		}
		for _, d := range ans.Data {
			rec := d.DeletedRecord
			if rec.DeletedTime, err = ParseTime(d.Time); err != nil {
				return nil, fmt.Errorf("zoho: deleted %s page %d: record %s: %w", module, page, rec.ID, err)
			}
			out = append(out, rec)
		}
		if !ans.Info.MoreRecords || len(ans.Data) == 0 {
			return out, nil
		}
	}
}

// Related lists a related list of one record (e.g. Deals' Stage_History),
// every page, with the given fields (all when empty), modified after since
// (everything when zero).
func (c *Client) Related(ctx context.Context, module, id, relatedList string, fields []string, since time.Time) ([]map[string]any, error) {
	var out []map[string]any
	for page := 1; ; page++ {
		q := url.Values{"per_page": {strconv.Itoa(MaxPerPage)}, "page": {strconv.Itoa(page)}}
		if len(fields) > 0 {
			q.Set("fields", strings.Join(fields, ","))
		}
		var hdr http.Header
		if !since.IsZero() {
			hdr = http.Header{"If-Modified-Since": {since.Format(DateTimeLayout)}}
		}
		path := module + "/" + url.PathEscape(id) + "/" + relatedList
		r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL(path, q) }, hdr, nil)
		if err != nil {
			return nil, fmt.Errorf("zoho: %s of %s %s: %w", relatedList, module, id, err)
		}
		if r.status == http.StatusNoContent || r.status == http.StatusNotModified {
			return out, nil
		}
		var ans struct {
			Data []map[string]any `json:"data"`
			Info listInfo         `json:"info"`
		}
		if err := decode(r.body, &ans); err != nil {
			return nil, fmt.Errorf("zoho: %s of %s %s: %w", relatedList, module, id, err)
		}
		out = append(out, ans.Data...)
		if !ans.Info.MoreRecords || len(ans.Data) == 0 {
			return out, nil
		}
	}
}

// COQLResult is one page of a COQL query.
type COQLResult struct {
	Data        []map[string]any
	Count       int
	MoreRecords bool
}

// COQL runs one COQL select (POST /crm/v8/coql). The call only reads, so
// it is retried like a GET. No rows (204) is an empty result. It costs
// credits by its LIMIT (COQLCredits).
func (c *Client) COQL(ctx context.Context, query string) (*COQLResult, error) {
	body := map[string]string{"select_query": query}
	r, err := c.send(withCost(httpx.Retryable(ctx), COQLCredits(query)), http.MethodPost, func() string { return c.crmURL("coql", nil) }, nil, body)
	if err != nil {
		return nil, fmt.Errorf("zoho: coql: %w", err)
	}
	out := &COQLResult{}
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		return out, nil
	}
	var ans struct {
		Data []map[string]any `json:"data"`
		Info struct {
			Count       int  `json:"count"`
			MoreRecords bool `json:"more_records"`
		} `json:"info"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: coql: %w", err)
	}
	out.Data, out.Count, out.MoreRecords = ans.Data, ans.Info.Count, ans.Info.MoreRecords
	return out, nil
}

// COQLCredits is what a COQL query costs by its LIMIT (reference sheet
// §2.8): 1–200 rows one credit, 201–1,000 two, 1,001–2,000 three; no
// LIMIT is 200. A query that does not parse is priced at one credit (the
// API refuses it).
func COQLCredits(query string) int {
	q, err := zql.ParseCOQL(query)
	if err != nil {
		return 1
	}
	switch {
	case q.Limit <= 200:
		return 1
	case q.Limit <= 1000:
		return 2
	}
	return 3
}
