// Package zohoprojects is the Zoho Projects destination of revops sync:
// it creates projects (object "projects", reference sheet §18) from a
// template project named in the row, once per source record, over
// crm/zohoprojects. It implements revsync.Destination and
// revsync.Matcher.
//
// # What it writes
//
// Fields name (required, at most 100 characters; Projects refuses a
// second project of one name, unconfirmed), description, start_date and
// end_date (yyyy-MM-dd), and template: the name of a template project
// (a project with status template) the project is created from; it is
// resolved to template_id on create and never updated. A template name
// the portal does not have fails the row (TEMPLATE_NOT_FOUND, naming it
// and the templates there are), unsent. id, status, template_id,
// created_time and modified_time are read only. One call per record (a
// POST to create, a PATCH to update), 20 records a Write; the client
// paces every call below Zoho's 100 calls in 2 minutes.
//
// # Once per source record
//
// The engine keeps each row's project id (Result.ID), so a row already
// written is never created again and the id can be written back on the
// deal. Rows are matched by the project name (match by duplicate_check
// on name, or external_id name): the name should carry something unique
// to the deal (e.g. "Onboarding: Acme GmbH (006…)"). A create whose
// answer was lost is looked up at once by that name (one search call);
// found, it counts as created; not found, the Write fails and the engine
// resolves it next run with Find.
package zohoprojects

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/revops/revops/crm/zohoprojects"
	revsync "github.com/revops/revops/sync"
)

// Object is the one object the destination writes.
const Object = "projects"

// MaxWrite is the most records one Write takes.
const MaxWrite = 20

// CodeTemplateNotFound is the row error of a template name the portal
// has no template project by.
const CodeTemplateNotFound = "TEMPLATE_NOT_FOUND"

// Destination writes the projects of one portal, from one goroutine.
type Destination struct {
	c         *zohoprojects.Client
	log       *slog.Logger
	schema    *revsync.Schema
	templates []zohoprojects.Project
	created   map[string]string
}

// New returns a Destination for cfg. It fetches a token and checks the
// portal_id (GET /api/v3/portals) at once, so that bad credentials or a
// wrong portal fail here, named.
func New(ctx context.Context, cfg zohoprojects.Config, log *slog.Logger) (*Destination, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = log
	c, err := zohoprojects.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("zoho_projects destination: %w", err)
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("zoho_projects destination: %w", err)
	}
	if err := c.CheckPortal(ctx); err != nil {
		return nil, fmt.Errorf("zoho_projects destination: %w", err)
	}
	return &Destination{c: c, log: log, created: map[string]string{}}, nil
}

// Client returns the API client.
func (d *Destination) Client() *zohoprojects.Client { return d.c }

// Requests is the number of API requests sent so far
// (revsync.RequestCounter; token fetches not included).
func (d *Destination) Requests() int64 { return d.c.Stats().Requests }

// System returns "zoho_projects".
func (d *Destination) System() string { return "zoho_projects" }

// MaxBatch is MaxWrite.
func (d *Destination) MaxBatch(op revsync.Op, total int) int { return MaxWrite }

func checkObject(object string) error {
	if !strings.EqualFold(object, Object) {
		return fmt.Errorf("zoho_projects: object %q: the Projects destination writes projects", object)
	}
	return nil
}

// Describe lists the portal's template projects (one call; kept for
// template names) and returns the project fields.
func (d *Destination) Describe(ctx context.Context, object string) (*revsync.Schema, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	ts, err := d.c.Templates(ctx)
	if err != nil {
		return nil, fmt.Errorf("zoho_projects: describe projects: %w", err)
	}
	d.templates = ts
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	f := map[string]revsync.Field{
		"name": {Name: "name", Type: revsync.TypeString, Length: 100, Required: true, Createable: true, Updateable: true,
			ExternalID: true, Unique: true},
		"description": {Name: "description", Type: revsync.TypeTextarea, Createable: true, Updateable: true},
		"start_date":  {Name: "start_date", Type: revsync.TypeDate, Createable: true, Updateable: true},
		"end_date":    {Name: "end_date", Type: revsync.TypeDate, Createable: true, Updateable: true},
		// The template is chosen at creation only; its names are the
		// portal's templates (not restricted here: an unknown one fails
		// its row with a message naming it).
		"template":      {Name: "template", Type: revsync.TypeString, Createable: true, Picklist: names},
		"id":            {Name: "id", Type: revsync.TypeID, Unique: true},
		"status":        {Name: "status", Type: revsync.TypeString},
		"template_id":   {Name: "template_id", Type: revsync.TypeString},
		"created_time":  {Name: "created_time", Type: revsync.TypeDatetime},
		"modified_time": {Name: "modified_time", Type: revsync.TypeDatetime},
	}
	d.schema = &revsync.Schema{Object: Object, Fields: f}
	return &revsync.Schema{Object: Object, Fields: maps.Clone(f)}, nil
}

func (d *Destination) ensureSchema(ctx context.Context) error {
	if d.schema != nil {
		return nil
	}
	_, err := d.Describe(ctx, Object)
	return err
}

// values renders a project in the destination's field names.
func (d *Destination) values(p *zohoprojects.Project) map[string]any {
	out := map[string]any{"id": string(p.ID), "name": p.Name, "description": p.Description, "start_date": p.StartDate,
		"end_date": p.EndDate, "status": string(p.Status), "template_id": string(p.TemplateID), "created_time": p.CreatedTime,
		"modified_time": p.ModifiedTime, "template": nil}
	for _, t := range d.templates {
		if t.ID == p.TemplateID && p.TemplateID != "" {
			out["template"] = t.Name
		}
	}
	for k, v := range out {
		if s, ok := v.(string); ok && s == "" {
			out[k] = nil
		}
	}
	return out
}

// Read returns the current values of fields (all when empty) of the live
// projects among ids: one GET each.
func (d *Destination) Read(ctx context.Context, object string, ids []string, fields []string) (map[string]map[string]any, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if err := d.ensureSchema(ctx); err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, id := range ids {
		p, err := d.c.GetProject(ctx, id)
		if zohoprojects.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("zoho_projects: read projects: %w", err)
		}
		all := d.values(p)
		if len(fields) == 0 {
			out[id] = all
			continue
		}
		vals := make(map[string]any, len(fields))
		for _, f := range fields {
			vals[f] = all[f]
		}
		out[id] = vals
	}
	return out, nil
}

// checkMatch: projects match by name only.
func checkMatch(m revsync.Match) error {
	switch {
	case m.By == revsync.MatchDuplicateCheck && len(m.Fields) == 1 && m.Fields[0] == "name",
		m.By == revsync.MatchExternalID && m.Field == "name":
		return nil
	}
	return fmt.Errorf("zoho_projects: projects match by name (match: {by: duplicate_check, fields: [name]}), not %s %s%v",
		m.By, m.Field, m.Fields)
}

// MatchRecords implements revsync.Matcher: for each key, the projects
// named key["name"] (one search call per key).
func (d *Destination) MatchRecords(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([][]revsync.Candidate, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if err := checkMatch(m); err != nil {
		return nil, err
	}
	out := make([][]revsync.Candidate, len(keys))
	for i, k := range keys {
		c, err := d.match(ctx, k)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func nameKey(v any) string {
	if v == nil {
		return ""
	}
	return strings.ToLower(strings.Join(strings.Fields(fmt.Sprint(v)), " "))
}

func (d *Destination) match(ctx context.Context, key map[string]any) ([]revsync.Candidate, error) {
	name := nameKey(key["name"])
	if name == "" {
		return nil, nil
	}
	ps, err := d.c.SearchProjects(ctx, fmt.Sprint(key["name"]))
	if err != nil {
		return nil, fmt.Errorf("zoho_projects: match projects by name: %w", err)
	}
	var out []revsync.Candidate
	add := func(id string) {
		for _, c := range out {
			if c.ID == id {
				return
			}
		}
		out = append(out, revsync.Candidate{Object: Object, ID: id, Via: "name"})
	}
	for _, p := range ps {
		add(string(p.ID))
	}
	if id := d.created[name]; id != "" {
		add(id)
	}
	return out, nil
}

// Find returns, for each key, the id of the one project named key["name"]
// ("" for none or several), or with m.By "id", key["id"] when it exists.
func (d *Destination) Find(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([]string, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if m.By == revsync.MatchID {
		out, err := revsync.ExistingIDs(ctx, keys, func(ctx context.Context, id string) (bool, error) {
			_, err := d.c.GetProject(ctx, id)
			if zohoprojects.IsNotFound(err) {
				return false, nil
			}
			return err == nil, err
		})
		if err != nil {
			return nil, fmt.Errorf("zoho_projects: find projects by id: %w", err)
		}
		return out, nil
	}
	cands, err := d.MatchRecords(ctx, object, m, keys)
	if err != nil {
		return nil, err
	}
	return revsync.UniqueIDs(cands), nil
}

var (
	_ revsync.Destination    = (*Destination)(nil)
	_ revsync.RequestCounter = (*Destination)(nil)
	_ revsync.Matcher        = (*Destination)(nil)
)
