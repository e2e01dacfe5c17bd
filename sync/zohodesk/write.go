package zohodesk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// CodeNotSupported is the row error of a delete: the Desk destination
// never deletes.
const CodeNotSupported = "NOT_SUPPORTED"

// Write sends recs (at most MaxWrite; more are refused before any request)
// with op, one call per record, in order (see the package doc):
//
//   - insert creates each record;
//   - update changes the record Record.ID names (a record without one
//     fails alone, MISSING_ID, unsent);
//   - upsert updates the record Record.ID names when it is known (so that
//     a record someone deleted answers as gone instead of being matched to
//     another or created again), else matches by m (duplicate_check
//     entries, or external_id: one field) and creates, updates, or refuses
//     the row as ambiguous (revsync.CodeAmbiguousMatch, with candidates);
//   - delete fails every row with CodeNotSupported, unsent.
//
// Per-record refusals become row errors with Desk's errorCode and the
// fields its errors name (INVALID_DATA: not retryable); a record that no
// longer exists fails with Gone set; a locked record (409), a 5xx on an
// update or the API's limits (429) are retryable, and after a 429 the
// rest of the Write is not sent (retryable NOT_SENT). Write returns an
// error, and nothing of it counts as known, when a create's outcome is
// unknown (its answer was lost and the record cannot be found by its
// match values), the credentials fail, ctx ends, or an upsert that
// matches in memory (see index.go) cannot list the collection.
func (d *Destination) Write(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	kind, err := kindOf(object)
	if err != nil {
		return nil, err
	}
	n := len(recs)
	if n == 0 {
		return nil, nil
	}
	if n > MaxWrite {
		return nil, fmt.Errorf("zoho_desk: %s %s: %d records, more than the %d one write takes", op, kind, n, MaxWrite)
	}
	out := make([]revsync.Result, n)
	if op == revsync.OpDelete {
		for i := range out {
			out[i].Err = &revsync.RowError{Code: CodeNotSupported, Message: "the Zoho Desk destination never deletes records " +
				"(deletions are not propagated, as in Zoho's own Desk–CRM integration); use mirror.action: archive"}
		}
		return out, nil
	}
	switch op {
	case revsync.OpInsert, revsync.OpUpdate:
	case revsync.OpUpsert:
	default:
		return nil, fmt.Errorf("zoho_desk: %s %s: unknown operation", op, kind)
	}
	sc, err := d.schemaOf(ctx, kind)
	if err != nil {
		return nil, err
	}
	if op == revsync.OpUpsert {
		if err := checkMatch(kind, sc, m); err != nil {
			return nil, fmt.Errorf("zoho_desk: upsert %s: %w", kind, err)
		}
	}
	w := &write{d: d, kind: kind, sc: sc, m: m}
	if op == revsync.OpUpsert {
		n := 0
		for _, r := range recs {
			if r.ID == "" {
				n++
			}
		}
		if n > 0 {
			if w.ix, w.fresh, err = d.indexFor(ctx, kind, max(n, d.pending)); err != nil {
				return nil, fmt.Errorf("zoho_desk: upsert %s: %w", kind, err)
			}
		}
	}
	for i, r := range recs {
		if w.stopped != nil {
			out[i].Err = &revsync.RowError{Code: revsync.CodeNotSent, Retryable: true,
				Message: "not sent: Zoho Desk refused an earlier record of the batch for its API limits (" + w.stopped.Error() + ")"}
			continue
		}
		var res revsync.Result
		switch {
		case op == revsync.OpUpdate && r.ID == "":
			res.Err = &revsync.RowError{Code: "MISSING_ID", Message: "the record has no destination id", Fields: []string{"id"}}
		case op == revsync.OpUpdate, op == revsync.OpUpsert && r.ID != "":
			res, err = w.update(ctx, r.ID, r.Values, true)
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

// write is one Write in progress.
type write struct {
	d    *Destination
	kind string
	sc   *schema
	m    revsync.Match
	// stopped is the 429 that stopped the Write.
	stopped error
	// ix is the collection read once, when the Write matches in memory;
	// fresh is true once it was read in this Write (see index.go).
	ix    *index
	fresh bool
}

// match returns the records values match by w.m: in memory when the
// Write has an index, reading what changed in Desk before the Write's
// first create (see index.go); else by search.
func (w *write) match(ctx context.Context, values map[string]any) ([]revsync.Candidate, error) {
	if w.ix == nil || w.d.index[w.kind] != w.ix {
		cands, err := w.d.MatchRecords(ctx, w.kind, w.m, []map[string]any{values})
		if err != nil {
			return nil, err
		}
		return cands[0], nil
	}
	es, _ := entries(w.m)
	cands := w.d.matchIndexed(w.ix, es, values)
	if len(cands) > 0 || w.fresh {
		return cands, nil
	}
	ok, err := w.d.list(ctx, w.ix)
	if err != nil {
		return nil, err
	}
	w.fresh = true
	if !ok {
		w.ix = nil
		return w.match(ctx, values)
	}
	return w.d.matchIndexed(w.ix, es, values), nil
}

// indexed puts a record a write answered into the Write's index.
func (w *write) indexed(rec map[string]any) {
	if w.ix != nil && rec != nil {
		w.ix.put(rec)
	}
}

// upsert matches values by w.m, then creates, updates or refuses.
func (w *write) upsert(ctx context.Context, values map[string]any) (revsync.Result, error) {
	c, err := w.match(ctx, values)
	if err != nil {
		// A search wrote nothing: failed like an update, retryable.
		if e, fatal := w.rowError(err, true); !fatal {
			return revsync.Result{Err: e}, nil
		}
		return revsync.Result{}, err
	}
	switch len(c) {
	case 0:
		return w.create(ctx, values)
	case 1:
		res, err := w.update(ctx, c[0].ID, values, false)
		if err == nil && res.Err != nil && res.Err.Gone {
			// Matched, then deleted before the update: sent again next run.
			res.Err.Gone, res.Err.Retryable = false, true
		}
		return res, err
	default:
		parts := make([]string, len(c))
		for i, x := range c {
			parts[i] = x.ID + " (by " + x.Via + ")"
		}
		return revsync.Result{Err: &revsync.RowError{Code: revsync.CodeAmbiguousMatch, Candidates: c,
			Message: fmt.Sprintf("matches %d %s: %s; not written until one is left (merge or delete the others, or change the row)",
				len(c), w.kind, strings.Join(parts, ", "))}}, nil
	}
}

// create creates one record. A create whose answer was lost is looked up
// by its match values (see the package doc).
func (w *write) create(ctx context.Context, values map[string]any) (revsync.Result, error) {
	rec, err := w.d.desk.Create(ctx, w.kind, w.sc.body(values))
	if err == nil {
		id, _ := rec["id"].(string)
		w.d.remember(w.kind, w.m, values, id)
		w.indexed(rec)
		return revsync.Result{ID: id, Created: true}, nil
	}
	if e, fatal := w.rowError(err, false); !fatal {
		return revsync.Result{Err: e}, nil
	}
	if !zoho.IsTransient(err) || ctx.Err() != nil {
		return revsync.Result{}, err
	}
	// The answer was lost: the record may have been created.
	es, eerr := entries(w.m)
	if eerr != nil || !findable(es, values) {
		return revsync.Result{}, fmt.Errorf("zoho_desk: create %s: the answer was lost and the record has no match values to look it up by: %w",
			strings.TrimSuffix(w.kind, "s"), err)
	}
	cands, ferr := w.d.MatchRecords(ctx, w.kind, w.m, []map[string]any{values})
	if ferr != nil || len(cands[0]) != 1 {
		found := -1
		if ferr == nil {
			found = len(cands[0])
		}
		w.d.log.Warn("zoho_desk: a create's answer was lost and the record was not found again; the engine resolves it next run",
			"object", w.kind, "found", found, "error", err)
		return revsync.Result{}, fmt.Errorf("zoho_desk: create %s: the outcome is unknown (no answer, or a 5xx): %w", strings.TrimSuffix(w.kind, "s"), err)
	}
	id := cands[0][0].ID
	w.d.log.Info("zoho_desk: a create's answer was lost; found the record by its match values", "object", w.kind, "id", id)
	w.d.remember(w.kind, w.m, values, id)
	return revsync.Result{ID: id, Created: true}, nil
}

// findable reports whether values hold every field of some entry.
func findable(es [][]string, values map[string]any) bool {
	for _, e := range es {
		if complete(values, e) {
			return true
		}
	}
	return false
}

// update changes record id. byID: the id came from the engine (a record
// that is gone fails with Gone set).
func (w *write) update(ctx context.Context, id string, values map[string]any, byID bool) (revsync.Result, error) {
	body := w.sc.body(values)
	if len(body) == 0 {
		return revsync.Result{ID: id}, nil // nothing to change: Desk refuses an empty PATCH
	}
	rec, err := w.d.desk.Update(ctx, w.kind, id, body)
	if err == nil {
		w.indexed(rec)
		return revsync.Result{ID: id}, nil
	}
	e, fatal := w.rowError(err, true)
	if fatal {
		return revsync.Result{}, err
	}
	if e.Gone {
		e.Message = fmt.Sprintf("%s %s: %s (the record no longer exists)", w.kind, id, e.Message)
	}
	return revsync.Result{Err: e}, nil
}

// rowError maps a failed call to the row's error, or fatal when the Write
// must fail as a whole: ctx ended, credentials refused, or (creates:
// update false) an outcome that may be a write.
func (w *write) rowError(err error, update bool) (*revsync.RowError, bool) {
	var ae *zoho.APIError
	errors.As(err, &ae)
	code := ""
	if ae != nil {
		code = ae.Code
	}
	switch {
	case ctxDone(err):
		return nil, true
	case zoho.IsNotFound(err):
		return &revsync.RowError{Code: "NOT_FOUND", Message: "Zoho Desk answered 404 for the record", Gone: true}, false
	case zoho.IsRateLimited(err):
		w.stopped = err
		if code == "" {
			code = "TOO_MANY_REQUESTS"
		}
		return &revsync.RowError{Code: code, Retryable: true, Message: "Zoho Desk's API limits: " + err.Error()}, false
	case zoho.IsLocked(err):
		return &revsync.RowError{Code: "RECORD_LOCKED", Retryable: true, Message: err.Error()}, false
	case zoho.IsInvalid(err) && ae != nil:
		return invalid(ae), false
	case update && zoho.IsTransient(err):
		// A PATCH sets the same values again: failed and sent next run.
		if code == "" {
			code = "TRANSIENT"
		}
		return &revsync.RowError{Code: code, Retryable: true, Message: err.Error()}, false
	case !update && zoho.Unsent(err):
		return &revsync.RowError{Code: revsync.CodeNotSent, Retryable: true, Message: err.Error()}, false
	}
	return nil, true
}

func ctxDone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// invalid maps a 400/422 answer: Desk's errors[] name the fields
// ("/lastName", "/cf/cf_x") and what is wrong with them.
func invalid(ae *zoho.APIError) *revsync.RowError {
	e := &revsync.RowError{Code: ae.Code, Message: ae.Message}
	errs, _ := ae.Details["errors"].([]any)
	var what []string
	for _, x := range errs {
		m, _ := x.(map[string]any)
		name, _ := m["fieldName"].(string)
		name = strings.TrimPrefix(strings.TrimPrefix(name, "/"), "cf/")
		if name == "" {
			continue
		}
		e.Fields = append(e.Fields, name)
		part := name
		if t, _ := m["errorType"].(string); t != "" {
			part += " " + t
		}
		if msg, _ := m["errorMessage"].(string); msg != "" {
			part += ": " + msg
		}
		what = append(what, part)
	}
	if len(what) > 0 {
		e.Message += " (" + strings.Join(what, "; ") + ")"
	}
	return e
}

// body converts engine values to Desk's write forms: custom fields under
// cf as strings (sheet §15.1), annualrevenue as a decimal string, dates
// yyyy-MM-dd, datetimes ISO UTC with ms, lookups as id strings; nil
// clears. Read-only fields are left out.
func (sc *schema) body(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	var cf map[string]any
	for k, v := range values {
		f, known := sc.s.Fields[k]
		if k == "id" || known && !f.Createable && !f.Updateable {
			continue
		}
		dt := sc.deskType[k]
		if strings.HasPrefix(k, "cf_") {
			if cf == nil {
				cf = map[string]any{}
			}
			cf[k] = cfValue(dt, v)
			continue
		}
		out[k] = writeValue(dt, v)
	}
	if cf != nil {
		out["cf"] = cf
	}
	return out
}

// writeValue converts a standard field's value.
func writeValue(dt string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
	case float64, int64, int:
		if dt == "Decimal" || dt == "Number" || dt == "Currency" || dt == "Percent" || dt == "Text" {
			return number(x)
		}
	case time.Time:
		return timeValue(dt, x)
	}
	if s, ok := v.(string); ok && (dt == "Date" || dt == "DateTime") {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return timeValue(dt, t)
		}
	}
	return v
}

// cfValue converts a custom field's value: a string, or nil.
func cfValue(dt string, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if dt == "Date" || dt == "DateTime" {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return timeValue(dt, t)
			}
		}
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64, int64, int:
		return number(x)
	case time.Time:
		return timeValue(dt, x)
	case []string:
		return strings.Join(x, ";")
	}
	return fmt.Sprint(v)
}

func number(v any) string {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}

func timeValue(dt string, t time.Time) string {
	if dt == "Date" {
		return t.Format("2006-01-02")
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
