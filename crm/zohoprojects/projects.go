package zohoprojects

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
)

// ID is a Projects id: a JSON number (legacy answers) or string (V3;
// unconfirmed); both are accepted.
type ID = zoho.ID

// Status is a project's status: "active", "archived" or "template". V3
// may render it as an object with a name (unconfirmed): both are read.
type Status string

// UnmarshalJSON accepts "active" or {"name":"active",…}.
func (s *Status) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*s = Status(strings.ToLower(o.Name))
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil && string(b) != "null" {
		return err
	}
	*s = Status(strings.ToLower(str))
	return nil
}

// Portal is one of the user's portals.
type Portal struct {
	ID      ID     `json:"id"`
	Name    string `json:"name"`
	Default bool   `json:"default"`
}

// Project is a project as the V3 API answers it (key names unconfirmed:
// those of the legacy API where V3 is not documented).
type Project struct {
	ID           ID     `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Status       Status `json:"status"`
	OwnerName    string `json:"owner_name"`
	StartDate    string `json:"start_date"`
	EndDate      string `json:"end_date"`
	TemplateID   ID     `json:"template_id"`
	CreatedTime  string `json:"created_time"`
	ModifiedTime string `json:"modified_time"`
}

// portalPath is the path of the portal's resource below /api/v3.
func (c *Client) portalPath(rest string) string {
	return "/api/v3/portal/" + url.PathEscape(c.cfg.PortalID) + "/" + strings.TrimPrefix(rest, "/")
}

// Portals lists the user's portals (GET /api/v3/portals;
// ZohoProjects.portals.READ). The answer may be a list or
// {"portals":[…]} (V3 shape unconfirmed): both are read.
func (c *Client) Portals(ctx context.Context) ([]Portal, error) {
	var raw json.RawMessage
	if _, err := c.call(ctx, http.MethodGet, "/api/v3/portals", nil, nil, &raw); err != nil {
		return nil, fmt.Errorf("zohoprojects: list portals: %w", err)
	}
	var out []Portal
	if err := json.Unmarshal(raw, &out); err == nil {
		return out, nil
	}
	var wrapped struct {
		Portals []Portal `json:"portals"`
	}
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		return nil, fmt.Errorf("zohoprojects: list portals: decode: %w", err)
	}
	return wrapped.Portals, nil
}

// ErrWrongPortal is matched by the error of CheckPortal for a portal_id
// that is not one of the user's.
var ErrWrongPortal = errors.New("zohoprojects: wrong portal_id")

// CheckPortal makes sure the configured portal_id is one of the user's
// portals; the error names the setting and the portals there are.
func (c *Client) CheckPortal(ctx context.Context) error {
	ps, err := c.Portals(ctx)
	if err != nil {
		return err
	}
	var have []string
	for _, p := range ps {
		if string(p.ID) == c.cfg.PortalID {
			return nil
		}
		have = append(have, fmt.Sprintf("%s (%s)", p.ID, p.Name))
	}
	return fmt.Errorf("zohoprojects: portal_id %q is not a portal of this user (it has %s): %w",
		c.cfg.PortalID, strings.Join(have, ", "), ErrWrongPortal)
}

// ListOptions shape a projects list.
type ListOptions struct {
	// Status filters: active, archived or template ("" = V3's default).
	Status string
	// PerPage is the page size (default 100; V3 paging is unconfirmed).
	PerPage int
}

// ListProjects pages through the portal's projects, calling fn with each
// page (false stops). It reads {"projects":[…],"page_info":{
// "has_next_page"}} and, without page_info, stops at a short page (V3
// paging unconfirmed).
func (c *Client) ListProjects(ctx context.Context, opts ListOptions, fn func([]Project) (bool, error)) error {
	per := opts.PerPage
	if per <= 0 {
		per = 100
	}
	for page := 1; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(per)}}
		if opts.Status != "" {
			q.Set("status", opts.Status)
		}
		var ans struct {
			Projects []Project `json:"projects"`
			PageInfo *struct {
				HasNextPage bool `json:"has_next_page"`
			} `json:"page_info"`
		}
		if _, err := c.call(ctx, http.MethodGet, c.portalPath("projects"), q, nil, &ans); err != nil {
			return fmt.Errorf("zohoprojects: list projects page %d: %w", page, err)
		}
		if len(ans.Projects) > 0 {
			more, err := fn(ans.Projects)
			if err != nil || !more {
				return err
			}
		}
		if ans.PageInfo != nil && !ans.PageInfo.HasNextPage || ans.PageInfo == nil && len(ans.Projects) < per || len(ans.Projects) == 0 {
			return nil
		}
	}
}

// one decodes a single project answer: the object itself or
// {"projects":[…]} (legacy; V3 shape unconfirmed).
func one(raw json.RawMessage) (*Project, error) {
	var wrapped struct {
		Projects []Project `json:"projects"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.Projects) > 0 {
		return &wrapped.Projects[0], nil
	}
	var p Project
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetProject reads one project; IsNotFound accepts the error of one that
// does not exist.
func (c *Client) GetProject(ctx context.Context, id string) (*Project, error) {
	var raw json.RawMessage
	if _, err := c.call(ctx, http.MethodGet, c.portalPath("projects/"+url.PathEscape(id)), nil, nil, &raw); err != nil {
		return nil, fmt.Errorf("zohoprojects: get project %s: %w", id, err)
	}
	p, err := one(raw)
	if err != nil {
		return nil, fmt.Errorf("zohoprojects: get project %s: decode: %w", id, err)
	}
	return p, nil
}

// CreateProject creates a project from body (name required; description,
// template_id, start_date, end_date, …) and returns it.
func (c *Client) CreateProject(ctx context.Context, body map[string]any) (*Project, error) {
	var raw json.RawMessage
	if _, err := c.call(ctx, http.MethodPost, c.portalPath("projects"), nil, body, &raw); err != nil {
		return nil, fmt.Errorf("zohoprojects: create project: %w", err)
	}
	p, err := one(raw)
	if err != nil {
		return nil, fmt.Errorf("zohoprojects: create project: decode: %w", err)
	}
	return p, nil
}

// UpdateProject changes the given keys of project id (PATCH; it sets the
// same values again when repeated, so the transport repeats it after a
// 5xx or a dropped connection).
func (c *Client) UpdateProject(ctx context.Context, id string, body map[string]any) (*Project, error) {
	var raw json.RawMessage
	if _, err := c.call(httpx.Retryable(ctx), http.MethodPatch, c.portalPath("projects/"+url.PathEscape(id)), nil, body, &raw); err != nil {
		return nil, fmt.Errorf("zohoprojects: update project %s: %w", id, err)
	}
	p, err := one(raw)
	if err != nil {
		return nil, fmt.Errorf("zohoprojects: update project %s: decode: %w", id, err)
	}
	return p, nil
}

// DeleteProject deletes project id (Zoho moves it to the trash).
func (c *Client) DeleteProject(ctx context.Context, id string) error {
	if _, err := c.call(ctx, http.MethodDelete, c.portalPath("projects/"+url.PathEscape(id)), nil, nil, nil); err != nil {
		return fmt.Errorf("zohoprojects: delete project %s: %w", id, err)
	}
	return nil
}

// SearchProjects returns the portal's projects whose name equals name
// (trimmed, single-spaced, in any case): one search call (GET
// /api/v3/portal/{id}/search?search_term=&module=projects; the legacy
// API documents the search, its V3 path is unconfirmed), the results
// compared here.
func (c *Client) SearchProjects(ctx context.Context, name string) ([]Project, error) {
	want := norm(name)
	if want == "" {
		return nil, nil
	}
	q := url.Values{"search_term": {strings.Join(strings.Fields(name), " ")}, "module": {"projects"}}
	var ans struct {
		Projects []Project `json:"projects"`
	}
	if _, err := c.call(ctx, http.MethodGet, c.portalPath("search"), q, nil, &ans); err != nil {
		return nil, fmt.Errorf("zohoprojects: search projects %q: %w", name, err)
	}
	var out []Project
	for _, p := range ans.Projects {
		if norm(p.Name) == want && p.Status != "template" {
			out = append(out, p)
		}
	}
	return out, nil
}

func norm(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ErrUnknownTemplate is matched by the error of a template name the
// portal has no template project by.
var ErrUnknownTemplate = errors.New("zohoprojects: no such template")

// Templates lists the portal's template projects (projects with status
// template).
func (c *Client) Templates(ctx context.Context) ([]Project, error) {
	var out []Project
	err := c.ListProjects(ctx, ListOptions{Status: "template"}, func(ps []Project) (bool, error) {
		for _, p := range ps {
			if p.Status == "" || p.Status == "template" {
				out = append(out, p)
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("zohoprojects: list templates: %w", err)
	}
	return out, nil
}

// TemplateNamed returns the template in ts called name (in any case and
// spacing), or an error naming it and the templates there are.
func TemplateNamed(ts []Project, name, portal string) (*Project, error) {
	var names []string
	for i := range ts {
		if norm(ts[i].Name) == norm(name) {
			return &ts[i], nil
		}
		names = append(names, fmt.Sprintf("%q", ts[i].Name))
	}
	slices.Sort(names)
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return nil, fmt.Errorf("template %q: portal %s has no template project by that name (its templates: %s): %w",
		name, portal, have, ErrUnknownTemplate)
}
