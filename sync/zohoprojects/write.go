package zohoprojects

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/revops/revops/crm/zohoprojects"
	revsync "github.com/revops/revops/sync"
)

// Write sends recs (at most MaxWrite) with op, one call per record:
// insert creates (from the row's template), update PATCHes the project
// Record.ID names, upsert updates the known or name-matched project or
// creates one (several of one name: the row goes to review), delete
// deletes (one already gone counts as deleted). Row errors carry V3's
// title; a project that no longer exists fails with Gone; a 409, a 5xx
// on an update and the API's limits (after which the rest is not sent)
// are retryable. Write fails as a whole when a create's outcome is
// unknown and it cannot be found by name, the credentials fail, or ctx
// ends.
func (d *Destination) Write(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	if len(recs) > MaxWrite {
		return nil, fmt.Errorf("zoho_projects: %s projects: %d records, more than the %d one write takes", op, len(recs), MaxWrite)
	}
	switch op {
	case revsync.OpInsert, revsync.OpUpdate, revsync.OpDelete:
	case revsync.OpUpsert:
		if err := checkMatch(m); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("zoho_projects: %s projects: unknown operation", op)
	}
	if err := d.ensureSchema(ctx); err != nil {
		return nil, err
	}
	w := &write{d: d}
	out := make([]revsync.Result, len(recs))
	for i, r := range recs {
		if w.stopped != nil {
			out[i].Err = &revsync.RowError{Code: revsync.CodeNotSent, Retryable: true,
				Message: "not sent: Zoho Projects refused an earlier record of the batch for its API limits (" + w.stopped.Error() + ")"}
			continue
		}
		var res revsync.Result
		var err error
		switch {
		case (op == revsync.OpUpdate || op == revsync.OpDelete) && r.ID == "":
			res.Err = &revsync.RowError{Code: "MISSING_ID", Message: "the record has no project id", Fields: []string{"id"}}
		case op == revsync.OpDelete:
			res, err = w.delete(ctx, r.ID)
		case op == revsync.OpUpdate, op == revsync.OpUpsert && r.ID != "":
			res, err = w.update(ctx, r.ID, r.Values)
		case op == revsync.OpInsert:
			res, err = w.create(ctx, r.Values)
		default:
			res, err = w.upsert(ctx, r.Values)
		}
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

type write struct {
	d       *Destination
	stopped error
}

func (w *write) upsert(ctx context.Context, values map[string]any) (revsync.Result, error) {
	cands, err := w.d.match(ctx, values)
	if err != nil {
		if e, fatal := w.rowError(err, true); !fatal {
			return revsync.Result{Err: e}, nil
		}
		return revsync.Result{}, err
	}
	switch len(cands) {
	case 0:
		return w.create(ctx, values)
	case 1:
		res, err := w.update(ctx, cands[0].ID, values)
		if err == nil && res.Err != nil && res.Err.Gone {
			res.Err.Gone, res.Err.Retryable = false, true
		}
		return res, err
	}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	return revsync.Result{Err: &revsync.RowError{Code: revsync.CodeAmbiguousMatch, Candidates: cands,
		Message: fmt.Sprintf("%d projects are named %q: %s; not written until one is left", len(cands), values["name"], strings.Join(ids, ", "))}}, nil
}

// body converts values to the V3 project keys; template is left out
// (create resolves it).
func body(values map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"name", "description", "start_date", "end_date"} {
		v, ok := values[k]
		if !ok {
			continue
		}
		if v == nil {
			out[k] = ""
			continue
		}
		s := fmt.Sprint(v)
		if (k == "start_date" || k == "end_date") && len(s) > 10 {
			s = s[:10] // a datetime's date
		}
		out[k] = s
	}
	return out
}

func (w *write) create(ctx context.Context, values map[string]any) (revsync.Result, error) {
	b := body(values)
	if t, _ := values["template"].(string); strings.TrimSpace(t) != "" {
		tpl, err := zohoprojects.TemplateNamed(w.d.templates, t, w.d.c.PortalID())
		if err != nil {
			return revsync.Result{Err: &revsync.RowError{Code: CodeTemplateNotFound, Message: err.Error(), Fields: []string{"template"}}}, nil
		}
		b["template_id"] = string(tpl.ID)
	}
	p, err := w.d.c.CreateProject(ctx, b)
	if err == nil {
		w.d.created[nameKey(values["name"])] = string(p.ID)
		return revsync.Result{ID: string(p.ID), Created: true}, nil
	}
	if e, fatal := w.rowError(err, false); !fatal {
		return revsync.Result{Err: e}, nil
	}
	if !zohoprojects.IsTransient(err) || ctx.Err() != nil {
		return revsync.Result{}, err
	}
	// The answer was lost: the project may have been created.
	cands, ferr := w.d.match(ctx, values)
	if ferr != nil || len(cands) != 1 {
		w.d.log.Warn("zoho_projects: a create's answer was lost and the project was not found by its name; the engine resolves it next run",
			"found", len(cands), "error", err)
		return revsync.Result{}, fmt.Errorf("zoho_projects: create project %q: the outcome is unknown (no answer, or a 5xx): %w", values["name"], err)
	}
	id := cands[0].ID
	w.d.log.Info("zoho_projects: a create's answer was lost; found the project by its name", "id", id)
	w.d.created[nameKey(values["name"])] = id
	return revsync.Result{ID: id, Created: true}, nil
}

func (w *write) update(ctx context.Context, id string, values map[string]any) (revsync.Result, error) {
	b := body(values)
	if len(b) == 0 {
		return revsync.Result{ID: id}, nil
	}
	_, err := w.d.c.UpdateProject(ctx, id, b)
	if err == nil {
		return revsync.Result{ID: id}, nil
	}
	e, fatal := w.rowError(err, true)
	if fatal {
		return revsync.Result{}, err
	}
	if e.Gone {
		e.Message = fmt.Sprintf("project %s: %s (the project no longer exists)", id, e.Message)
	}
	return revsync.Result{Err: e}, nil
}

func (w *write) delete(ctx context.Context, id string) (revsync.Result, error) {
	err := w.d.c.DeleteProject(ctx, id)
	if err == nil || zohoprojects.IsNotFound(err) {
		return revsync.Result{ID: id}, nil
	}
	if e, fatal := w.rowError(err, true); !fatal {
		return revsync.Result{Err: e}, nil
	}
	return revsync.Result{}, err
}

// rowError maps a failed call to the row's error, or fatal.
func (w *write) rowError(err error, safe bool) (*revsync.RowError, bool) {
	var ae *zohoprojects.APIError
	errors.As(err, &ae)
	code, msg := "TRANSIENT", err.Error()
	if ae != nil {
		code, msg = ae.Title, strings.Join(ae.Details, "; ")
		if msg == "" {
			msg = ae.Error()
		}
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, true
	case zohoprojects.IsNotFound(err):
		return &revsync.RowError{Code: code, Message: msg, Gone: true}, false
	case zohoprojects.IsRateLimited(err):
		w.stopped = err
		if ae == nil {
			code = "TOO_MANY_REQUESTS"
		}
		return &revsync.RowError{Code: code, Retryable: true, Message: "Zoho Projects' API limits: " + msg}, false
	case zohoprojects.IsLocked(err):
		return &revsync.RowError{Code: code, Retryable: true, Message: msg}, false
	case zohoprojects.IsInvalid(err):
		e := &revsync.RowError{Code: code, Message: msg}
		for _, f := range []string{"name", "description", "start_date", "end_date", "template"} {
			if strings.Contains(msg, f) {
				e.Fields = append(e.Fields, f)
			}
		}
		return e, false
	case safe && zohoprojects.IsTransient(err):
		return &revsync.RowError{Code: code, Retryable: true, Message: msg}, false
	case !safe && zohoprojects.Unsent(err):
		return &revsync.RowError{Code: revsync.CodeNotSent, Retryable: true, Message: msg}, false
	}
	return nil, true
}
