package zoho

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// DeskMaxLimit is the largest page of the Desk list APIs.
const DeskMaxLimit = 100

// DeskKinds are the Desk collections the client lists.
var DeskKinds = []string{"tickets", "contacts", "accounts"}

// Desk calls the Zoho Desk API (v1) with the Client's token (Desk scopes
// are granted to the same refresh token) and the orgId header.
type Desk struct {
	c     *Client
	base  string // …/api/v1
	orgID string
}

// Desk returns the Desk API of the client's org: Config.DeskURL, else the
// data center's Desk host; Config.OrgID is required.
func (c *Client) Desk() (*Desk, error) {
	if c.cfg.OrgID == "" {
		return nil, errors.New("zoho: desk: org_id is required")
	}
	base := strings.TrimSuffix(c.cfg.DeskURL, "/")
	if base == "" {
		base = c.dc.DeskURL
	}
	if !strings.HasSuffix(base, "/api/v1") {
		base += "/api/v1"
	}
	return &Desk{c: c, base: base, orgID: c.cfg.OrgID}, nil
}

// DeskListOptions shape a Desk list call.
type DeskListOptions struct {
	// SortBy is a sort key (createdTime, modifiedTime, …); a leading "-"
	// sorts descending.
	SortBy string
	// Limit is the page size (default and maximum 100).
	Limit int
	// Include asks for related objects (tickets: contacts, assignee, …).
	Include string
}

func (d *Desk) url(path string, q url.Values) string {
	u := d.base + "/" + strings.TrimPrefix(path, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (d *Desk) header() http.Header { return http.Header{"orgId": {d.orgID}} }

// List pages through a Desk collection (tickets, contacts or accounts)
// with from/limit, calling fn with each page; fn returns false to stop
// early (e.g. at a cursor). The list API has no paging envelope: a short
// page is the last. from is 1-based, as the emulator and third-party
// connectors use it.
func (d *Desk) List(ctx context.Context, kind string, opts DeskListOptions, fn func(records []map[string]any) (more bool, err error)) error {
	limit := opts.Limit
	if limit <= 0 || limit > DeskMaxLimit {
		limit = DeskMaxLimit
	}
	for from, page := 1, 1; ; from, page = from+limit, page+1 {
		q := url.Values{"from": {strconv.Itoa(from)}, "limit": {strconv.Itoa(limit)}}
		if opts.SortBy != "" {
			q.Set("sortBy", opts.SortBy)
		}
		if opts.Include != "" {
			q.Set("include", opts.Include)
		}
		r, err := d.c.send(ctx, http.MethodGet, func() string { return d.url(kind, q) }, d.header(), nil)
		if err != nil {
			return fmt.Errorf("zoho: desk list %s page %d: %w", kind, page, err)
		}
		if r.status == http.StatusNoContent || len(r.body) == 0 {
			return nil
		}
		var ans struct {
			Data []map[string]any `json:"data"`
		}
		if err := decode(r.body, &ans); err != nil {
			return fmt.Errorf("zoho: desk list %s page %d: %w", kind, page, err)
		}
		if len(ans.Data) > 0 {
			more, err := fn(ans.Data)
			if err != nil || !more {
				return err
			}
		}
		if len(ans.Data) < limit {
			return nil
		}
	}
}

// Page reads one page of a Desk collection: limit records (1–100) from
// the 1-based position from, in opts.SortBy order (opts.Limit is
// ignored). An empty or 204 answer is an empty page. List pages the whole
// collection; Page lets a caller choose its own steps (overlapping pages,
// a probe of one record far into the list).
func (d *Desk) Page(ctx context.Context, kind string, opts DeskListOptions, from, limit int) ([]map[string]any, error) {
	if limit <= 0 || limit > DeskMaxLimit {
		return nil, fmt.Errorf("zoho: desk list %s: limit %d (want 1–%d)", kind, limit, DeskMaxLimit)
	}
	q := url.Values{"from": {strconv.Itoa(max(from, 1))}, "limit": {strconv.Itoa(limit)}}
	if opts.SortBy != "" {
		q.Set("sortBy", opts.SortBy)
	}
	if opts.Include != "" {
		q.Set("include", opts.Include)
	}
	r, err := d.c.send(ctx, http.MethodGet, func() string { return d.url(kind, q) }, d.header(), nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: desk list %s from %d: %w", kind, from, err)
	}
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		return nil, nil
	}
	var ans struct {
		Data []map[string]any `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: desk list %s from %d: %w", kind, from, err)
	}
	return ans.Data, nil
}

// Get reads one Desk record; nil when it does not exist.
func (d *Desk) Get(ctx context.Context, kind, id string) (map[string]any, error) {
	r, err := d.c.send(ctx, http.MethodGet, func() string { return d.url(kind+"/"+url.PathEscape(id), nil) }, d.header(), nil)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("zoho: desk get %s %s: %w", kind, id, err)
	}
	var out map[string]any
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		return nil, nil
	}
	if err := decode(r.body, &out); err != nil {
		return nil, fmt.Errorf("zoho: desk get %s %s: %w", kind, id, err)
	}
	return out, nil
}

// CreateTicket creates a ticket (subject, departmentId and a contact are
// required by Desk) and returns it as stored.
func (d *Desk) CreateTicket(ctx context.Context, ticket map[string]any) (map[string]any, error) {
	r, err := d.c.send(ctx, http.MethodPost, func() string { return d.url("tickets", nil) }, d.header(), ticket)
	if err != nil {
		return nil, fmt.Errorf("zoho: desk create ticket: %w", err)
	}
	var out map[string]any
	if err := decode(r.body, &out); err != nil {
		return nil, fmt.Errorf("zoho: desk create ticket: %w", err)
	}
	return out, nil
}

// UpdateTicket changes the given fields of a ticket (PATCH) and returns it
// as stored.
func (d *Desk) UpdateTicket(ctx context.Context, id string, fields map[string]any) (map[string]any, error) {
	r, err := d.c.send(ctx, http.MethodPatch, func() string { return d.url("tickets/"+url.PathEscape(id), nil) }, d.header(), fields)
	if err != nil {
		return nil, fmt.Errorf("zoho: desk update ticket %s: %w", id, err)
	}
	var out map[string]any
	if err := decode(r.body, &out); err != nil {
		return nil, fmt.Errorf("zoho: desk update ticket %s: %w", id, err)
	}
	return out, nil
}
