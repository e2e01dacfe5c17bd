package salesforce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/salesforce"
	revsync "github.com/revops/revops/sync"
)

// retryableCodes are per-record status codes worth sending again later.
var retryableCodes = map[string]bool{
	"UNABLE_TO_LOCK_ROW":                true,
	"ALL_OR_NONE_OPERATION_ROLLED_BACK": true,
	"SERVER_UNAVAILABLE":                true,
	"REQUEST_LIMIT_EXCEEDED":            true,
	"UNKNOWN_EXCEPTION":                 true,
	"UNPROCESSED":                       true, // a Bulk job ended before the row
}

// Write sends recs with op: through sObject Collections when len(recs) is
// at most 200 and the bulk threshold, through Bulk API 2.0 ingest jobs
// when it is above the threshold; anything else is refused before any
// request (see MaxBatch). Insert and upsert take the record values;
// update and delete address records by Record.ID. A record of an upsert
// whose Record.ID is known is updated by that id (so that a record
// someone deleted answers ENTITY_IS_DELETED instead of being created
// again); the others are upserted on the external id (m.By
// "external_id") or matched by revops itself (m.By "duplicate_check",
// see MatchRecords: created, updated, or refused as ambiguous). A record
// whose Record.Object is set lives in that object: a Lead record of a
// Contact is written to the Contact (see LeadToContact), as is a record
// whose lead was converted (CANNOT_UPDATE_CONVERTED_LEAD: the write goes
// to the Contact and Account it became, Result.Object "Contact"). A
// record that lacks its id or key fails alone (MISSING_ID,
// MISSING_EXTERNAL_ID) without being sent; a record deleted in Salesforce
// fails with Gone set. Results come one per record, in order; an error
// means a call failed as a whole: nothing of this Write is known to be
// written (creates among it may have been: resolve with Find).
//
// A Write makes one write call (the engine sends upserts of known
// records and of new keys in separate Writes), except for records
// matched by duplicate-check values (queries, then a create call and an
// update call) and records of a converted lead (the Contact's update,
// then the fill of its Account): a run stopped between those calls leaves
// the whole Write in flight, resolved by the next run like any write
// whose answer was lost.
func (d *Destination) Write(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	n := len(recs)
	if n == 0 {
		return nil, nil
	}
	if max := d.MaxBatch(op, n); n > max {
		return nil, fmt.Errorf("salesforce: %s %s: %d records, more than the %d one write takes", op, object, n, max)
	}
	switch op {
	case revsync.OpInsert, revsync.OpUpdate, revsync.OpDelete:
	case revsync.OpUpsert:
		switch {
		case m.By == revsync.MatchExternalID && m.Field != "":
		case m.By == revsync.MatchDuplicateCheck && len(m.Fields) > 0:
		default:
			return nil, fmt.Errorf("salesforce: upsert %s: needs an external id field or duplicate-check fields to match on (match by %q)", object, m.By)
		}
	default:
		return nil, fmt.Errorf("salesforce: %s %s: unknown operation", op, object)
	}
	if d.budget != nil {
		defer func() {
			if err := d.budget.Flush(context.WithoutCancel(ctx)); err != nil {
				d.log.Warn("salesforce: could not record the API use", "error", err)
			}
		}()
	}
	recs = slices.Clone(recs) // the ids of matched records are set on the copy
	out := make([]revsync.Result, n)
	if err := d.writeRecords(ctx, object, op, m, recs, out); err != nil {
		if !d.budgetStopped(err, out) {
			return nil, err
		}
	}
	return out, nil
}

// writeRecords sends a Write's records and fills out.
func (d *Destination) writeRecords(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record, out []revsync.Result) error {
	n := len(recs)
	var inserts, upserts, matched, deletes []int
	updates := map[string][]int{} // object → records updated by id
	for i, r := range recs {
		switch {
		case (op == revsync.OpUpdate || op == revsync.OpDelete) && r.ID == "":
			out[i].Err = &revsync.RowError{Code: "MISSING_ID", Message: "the record has no destination id", Fields: []string{"Id"}}
		case op == revsync.OpDelete:
			deletes = append(deletes, i)
		case op == revsync.OpUpdate, op == revsync.OpUpsert && r.ID != "":
			o := object
			if r.Object != "" {
				o = r.Object
			}
			updates[o] = append(updates[o], i)
		case op == revsync.OpUpsert && m.By == revsync.MatchDuplicateCheck:
			matched = append(matched, i)
		case op == revsync.OpUpsert && isEmpty(lookup(r.Values, m.Field)):
			out[i].Err = &revsync.RowError{Code: "MISSING_EXTERNAL_ID", Message: "the record has no value for " + m.Field, Fields: []string{m.Field}}
		case op == revsync.OpUpsert:
			upserts = append(upserts, i)
		default:
			inserts = append(inserts, i)
		}
	}
	w := &write{d: d, object: object, m: m, recs: recs, out: out, bulk: n > d.bulkThreshold}
	deferred, err := w.match(ctx, matched, &inserts, updates)
	if err != nil {
		return err
	}
	steps := []struct {
		op   revsync.Op
		send []int
	}{{revsync.OpInsert, inserts}, {revsync.OpUpsert, upserts}, {revsync.OpDelete, deletes}}
	for _, st := range steps {
		if err := w.send(ctx, object, st.op, st.send); err != nil {
			return err
		}
	}
	if err := w.sameBatch(ctx, deferred, updates); err != nil {
		return err
	}
	for _, o := range sortedObjects(updates) {
		if err := w.update(ctx, o, updates[o]); err != nil {
			return err
		}
	}
	if err := w.converted(ctx, op); err != nil {
		return err
	}
	return nil
}

// write is one Write in progress.
type write struct {
	d      *Destination
	object string
	m      revsync.Match
	recs   []revsync.Record
	out    []revsync.Result
	bulk   bool
}

// send writes the records at send with op on the write's object.
func (w *write) send(ctx context.Context, object string, op revsync.Op, send []int) error {
	if len(send) == 0 {
		return nil
	}
	if w.bulk {
		return w.d.bulk(ctx, object, op, w.m, w.recs, send, w.out)
	}
	return w.d.collection(ctx, object, op, w.m, w.recs, send, w.out)
}

// update writes records by id to object: the write's own object (by
// Collections or Bulk), or a Contact a Lead record is (see writePersons).
func (w *write) update(ctx context.Context, object string, send []int) error {
	if len(send) == 0 {
		return nil
	}
	if strings.EqualFold(w.object, "Lead") && strings.EqualFold(object, "Contact") {
		ws := make([]personWrite, len(send))
		for k, i := range send {
			ws[k] = personWrite{i: i, contact: w.recs[i].ID, values: w.recs[i].Values}
		}
		return w.d.writePersons(ctx, ws, w.out)
	}
	if err := w.send(ctx, object, revsync.OpUpdate, send); err != nil {
		return err
	}
	for _, i := range send {
		if e := w.out[i].Err; e != nil {
			markGone(e, object)
			continue
		}
		if !strings.EqualFold(object, w.object) {
			w.out[i].Object = object
		}
	}
	return nil
}

// converted sends the writes that failed because their lead was
// converted to the Contact (and Account) it became.
func (w *write) converted(ctx context.Context, op revsync.Op) error {
	if !strings.EqualFold(w.object, "Lead") || op == revsync.OpDelete || op == revsync.OpInsert {
		return nil
	}
	var byID, byExt []int
	for i, r := range w.out {
		if r.Err == nil || r.Err.Code != "CANNOT_UPDATE_CONVERTED_LEAD" || w.out[i].Object != "" {
			continue
		}
		if w.recs[i].ID != "" {
			byID = append(byID, i)
		} else if w.m.By == revsync.MatchExternalID {
			byExt = append(byExt, i)
		}
	}
	var ws []personWrite
	for _, g := range []struct {
		field string
		rows  []int
	}{{"Id", byID}, {w.m.Field, byExt}} {
		if len(g.rows) == 0 {
			continue
		}
		var vals []string
		for _, i := range g.rows {
			if g.field == "Id" {
				vals = append(vals, w.recs[i].ID)
			} else {
				vals = append(vals, fmt.Sprint(lookup(w.recs[i].Values, g.field)))
			}
		}
		conv, err := w.d.convertedLeads(ctx, g.field, vals)
		if err != nil {
			return err
		}
		for k, i := range g.rows {
			c, ok := conv[normKey(g.field, vals[k])]
			if !ok || c.contact == "" {
				continue
			}
			ws = append(ws, personWrite{i: i, contact: c.contact, account: c.account, values: w.recs[i].Values, from: "Lead " + c.lead})
		}
	}
	return w.d.writePersons(ctx, ws, w.out)
}

// markGone flags the errors that say the record addressed no longer
// exists: ENTITY_IS_DELETED (in the recycle bin), and
// INVALID_CROSS_REFERENCE_KEY about the record itself (no field named, or
// Id) rather than a lookup value (hard deleted, or never there).
func markGone(e *revsync.RowError, object string) {
	switch e.Code {
	case "ENTITY_IS_DELETED":
		e.Gone = true
	case "INVALID_CROSS_REFERENCE_KEY", "INVALID_ID_FIELD":
		if len(e.Fields) == 0 || len(e.Fields) == 1 && strings.EqualFold(e.Fields[0], "Id") {
			e.Gone = true
		}
	}
	if e.Gone && !strings.Contains(e.Message, object) {
		e.Message = object + ": " + e.Message
	}
}

// sortedObjects returns the keys of updates in order.
func sortedObjects(updates map[string][]int) []string {
	out := make([]string, 0, len(updates))
	for o := range updates {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

// firstError returns a result's first error.
func firstError(r salesforce.Result) salesforce.RecordError {
	if len(r.Errors) > 0 {
		return r.Errors[0]
	}
	return salesforce.RecordError{StatusCode: "UNKNOWN", Message: "failed without an error"}
}

// collection writes the records at send in one sObject Collections call
// (allOrNone=false) and fills their results.
func (d *Destination) collection(ctx context.Context, object string, op revsync.Op, m revsync.Match,
	recs []revsync.Record, send []int, out []revsync.Result) error {
	if d.overBudget(fmt.Sprintf("a %s of %d %s records", op, len(send), object), 1, send, out) {
		return nil
	}
	var (
		res []salesforce.Result
		err error
	)
	if op == revsync.OpDelete {
		ids := make([]string, len(send))
		for j, i := range send {
			ids[j] = recs[i].ID
		}
		res, err = d.c.Delete(ctx, object, ids, false)
	} else {
		body := make([]map[string]any, len(send))
		for j, i := range send {
			body[j] = jsonRecord(recs[i].Values)
			if op == revsync.OpUpdate {
				body[j]["Id"] = recs[i].ID
			}
		}
		switch op {
		case revsync.OpInsert:
			res, err = d.c.Create(ctx, object, body, false)
		case revsync.OpUpdate:
			res, err = d.c.Update(ctx, object, body, false)
		case revsync.OpUpsert:
			res, err = d.c.Upsert(ctx, object, m.Field, body, false)
		}
	}
	if err != nil {
		return err
	}
	for j, i := range send {
		r := res[j]
		switch {
		case r.Success:
			out[i] = revsync.Result{ID: r.ID, Created: op == revsync.OpInsert || r.Created}
		case op == revsync.OpDelete && len(r.Errors) > 0 && r.Errors[0].StatusCode == "ENTITY_IS_DELETED":
			// Already gone: a retried delete, or deleted by someone else.
			out[i] = revsync.Result{ID: recs[i].ID}
		default:
			out[i] = revsync.Result{ID: r.ID, Err: rowErrors(r.Errors)}
		}
	}
	return nil
}

// rowErrors maps a record's errors: Salesforce lists one per refused
// field (an invalid e-mail and a value too long are two errors). The
// first gives the code; the others' codes and messages follow in the
// message, and Fields names the fields of them all, so a caller that
// leaves the refused fields out leaves out every one of them.
func rowErrors(errs []salesforce.RecordError) *revsync.RowError {
	if len(errs) == 0 {
		return rowError(salesforce.RecordError{StatusCode: "UNKNOWN", Message: "failed without an error"})
	}
	e := rowError(errs[0])
	for _, x := range errs[1:] {
		e.Message += "; " + x.StatusCode + ": " + x.Message
		e.Retryable = e.Retryable && retryableCodes[x.StatusCode]
		for _, f := range x.Fields {
			if !slices.Contains(e.Fields, f) {
				e.Fields = append(e.Fields, f)
			}
		}
	}
	return e
}

// rowError maps a per-record error.
func rowError(e salesforce.RecordError) *revsync.RowError {
	var fields []string
	if len(e.Fields) > 0 {
		fields = append(fields, e.Fields...)
	}
	return &revsync.RowError{Code: e.StatusCode, Message: e.Message, Fields: fields, Retryable: retryableCodes[e.StatusCode]}
}

// jsonRecord copies values into a Collections record: multi-select values
// joined by ";", times as RFC 3339, any Id or attributes key dropped (the
// destination sets them).
func jsonRecord(values map[string]any) map[string]any {
	out := make(map[string]any, len(values)+1)
	for k, v := range values {
		if strings.EqualFold(k, "Id") || k == "attributes" {
			continue
		}
		out[k] = jsonValue(v)
	}
	return out
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ";")
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ";")
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// lookup returns values[name], trying a case-insensitive match too.
func lookup(values map[string]any, name string) any {
	if v, ok := values[name]; ok {
		return v
	}
	for k, v := range values {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// overBudget checks a call (or job) costing calls against the org's
// budget; past it, the records at rows fail BUDGET_EXCEEDED (retryable)
// unsent, and it returns true.
func (d *Destination) overBudget(part string, calls int64, rows []int, out []revsync.Result) bool {
	if d.budget == nil {
		return false
	}
	err := d.budget.Check(part, calls)
	if err == nil {
		return false
	}
	for _, i := range rows {
		out[i] = revsync.Result{Err: budgetError(err)}
	}
	return true
}

// budgetStopped fails the records without a result BUDGET_EXCEEDED when
// err is a call the budget refused before sending it (see SetBudget).
func (d *Destination) budgetStopped(err error, out []revsync.Result) bool {
	if d.budget == nil || !budget.IsExceeded(err) {
		return false
	}
	for i, r := range out {
		if r.Err == nil && r.ID == "" {
			out[i] = revsync.Result{Err: budgetError(err)}
		}
	}
	return true
}

func budgetError(err error) *revsync.RowError {
	var e *budget.ExceededError
	msg := err.Error()
	if errors.As(err, &e) {
		msg = e.Error()
	}
	return &revsync.RowError{Code: "BUDGET_EXCEEDED", Message: msg, Retryable: true}
}
