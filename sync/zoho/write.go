package zoho

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// retryableCodes are per-record codes worth sending again later.
var retryableCodes = map[string]bool{"RECORD_LOCKED": true, "TOO_MANY_REQUESTS": true, "INTERNAL_ERROR": true}

// writeDateTime is how Zoho takes datetimes: seconds and a numeric offset.
const writeDateTime = "2006-01-02T15:04:05-07:00"

// Write sends recs (at most MaxBatch: 100, or every record of a sync
// above the bulk threshold, whose large groups go through Bulk Write;
// more are refused before any request) with op. Values are converted to Zoho's forms: lookups {"id": …},
// datetimes yyyy-MM-ddTHH:mm:ss±HH:mm, multi-select values as arrays; nil
// clears a field. Update and delete address records by Record.ID (a record
// without one fails alone, MISSING_ID, unsent). An upsert of a record
// whose Record.ID is known is an update of that record (so that a record
// someone deleted answers as gone instead of being matched to another or
// created again). The others: matched by m.By "duplicate_check", revops
// matches them itself (see MatchRecords: a Leads record whose person is a
// contact is written to the contact; several matches fail the record with
// revsync.CodeAmbiguousMatch and leave it unwritten; no match goes to
// Zoho's upsert); by m.Field ("external_id", a unique field), or by the
// module's system duplicate-check field when neither is given, Zoho's
// upsert matches them. A record with Record.Object set lives in that
// module (the Contact a lead became: a Leads record is written there, see
// LeadToContact). A write to a lead that was converted goes to the
// Contact (and the Account's empty fields) it became, Result.Object
// "Contacts"; a write to a record that no longer exists fails with Gone
// set. Results come one per record, in order; an error means a call
// failed as a whole and, for insert and upsert, that it may have written
// (resolve with Find). A Write makes one write call (the engine sends
// upserts of known records and of new keys in separate Writes), except
// for records matched by duplicate-check values (the match queries, then
// the upsert of the new records, then the updates of the records found)
// and the records of a converted lead (the contact's update, then the
// fill of its account): a run stopped between those calls leaves the
// whole Write in flight for the next run to resolve.
func (d *Destination) Write(ctx context.Context, module string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	n := len(recs)
	if n == 0 {
		return nil, nil
	}
	if n > d.MaxBatch(op, n) {
		return nil, fmt.Errorf("zoho: %s %s: %d records, more than the %d one call takes", op, module, n, zoho.MaxWrite)
	}
	var dup []string
	switch op {
	case revsync.OpInsert, revsync.OpUpdate, revsync.OpDelete:
	case revsync.OpUpsert:
		var err error
		if dup, err = dupFields(m); err != nil {
			return nil, fmt.Errorf("zoho: upsert %s: %w", module, err)
		}
	default:
		return nil, fmt.Errorf("zoho: %s %s: unknown operation", op, module)
	}
	if d.budget != nil {
		defer func() {
			if err := d.budget.Flush(context.WithoutCancel(ctx)); err != nil {
				d.log.Warn("zoho: could not record the API use", "error", err)
			}
		}()
	}
	recs = slices.Clone(recs) // the ids of matched records are set on the copy
	out := make([]revsync.Result, n)
	var send, deletes, matched []int
	updates := map[string][]int{} // module → records updated by id
	for i, r := range recs {
		switch {
		case (op == revsync.OpUpdate || op == revsync.OpDelete) && r.ID == "":
			out[i].Err = &revsync.RowError{Code: "MISSING_ID", Message: "the record has no destination id", Fields: []string{"id"}}
		case op == revsync.OpDelete:
			deletes = append(deletes, i)
		case op == revsync.OpUpdate, op == revsync.OpUpsert && r.ID != "":
			mod := module
			if r.Object != "" {
				mod = r.Object
			}
			updates[mod] = append(updates[mod], i)
		case op == revsync.OpUpsert && m.By == revsync.MatchDuplicateCheck:
			matched = append(matched, i)
		default:
			send = append(send, i)
		}
	}
	sendOp := op
	create, deferred, err := d.match(ctx, module, m, recs, matched, out, updates)
	if err != nil {
		return nil, err
	}
	if len(create) > 0 {
		// Zoho's upsert checks the entries it can once more (a record
		// made since the match is updated, not duplicated); with none of
		// those, the records are inserted.
		sc, err := d.schemaOf(ctx, module)
		if err != nil {
			return nil, err
		}
		send = create
		if dup = nativeDupFields(sc, m); len(dup) == 0 {
			sendOp = revsync.OpInsert
		}
	}
	if len(deletes) > 0 {
		if err := d.delete(ctx, module, recs, deletes, out); err != nil {
			return nil, err
		}
	}
	if len(send) > 0 {
		if err := d.write(ctx, module, sendOp, dup, recs, send, out); err != nil {
			return nil, err
		}
	}
	sameBatch(module, recs, out, deferred, updates)
	mods := make([]string, 0, len(updates))
	for mod := range updates {
		mods = append(mods, mod)
	}
	slices.Sort(mods)
	for _, mod := range mods {
		if strings.EqualFold(module, "Leads") && strings.EqualFold(mod, "Contacts") {
			ws := make([]personWrite, len(updates[mod]))
			for k, i := range updates[mod] {
				ws[k] = personWrite{i: i, contact: recs[i].ID, values: recs[i].Values}
			}
			if err := d.writePersons(ctx, ws, out); err != nil {
				return nil, err
			}
			continue
		}
		if err := d.write(ctx, mod, revsync.OpUpdate, nil, recs, updates[mod], out); err != nil {
			return nil, err
		}
		for _, i := range updates[mod] {
			if out[i].Err == nil && !strings.EqualFold(mod, module) {
				out[i].Object = mod
			}
		}
	}
	if strings.EqualFold(module, "Leads") && op != revsync.OpInsert && op != revsync.OpDelete {
		if err := d.convertedLeads(ctx, recs, updates[module], out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// write sends the records at send to module with op (insert, update or
// upsert) and fills their results: through Bulk Write when they are more
// than the bulk threshold (see bulkWrite), else 100 per call; a record
// addressed by an id that no longer exists fails with Gone set.
func (d *Destination) write(ctx context.Context, module string, op revsync.Op, dup []string, recs []revsync.Record, send []int, out []revsync.Result) error {
	if len(send) > d.bulkThreshold {
		return d.bulkWrite(ctx, module, op, dup, recs, send, out)
	}
	for start := 0; start < len(send); start += zoho.MaxWrite {
		// A failed call fails the whole Write, also after earlier calls
		// wrote: the engine resolves every record of it (Find) before
		// sending any again, so nothing is written twice.
		part := send[start:min(start+zoho.MaxWrite, len(send))]
		if d.overBudget(module, op, len(part), zohoRESTCost(op, len(part)), part, out) {
			continue
		}
		if err := d.writeCall(ctx, module, op, dup, recs, part, out); err != nil {
			return err
		}
	}
	return nil
}

// writeCall sends at most 100 records in one call.
func (d *Destination) writeCall(ctx context.Context, module string, op revsync.Op, dup []string, recs []revsync.Record, send []int, out []revsync.Result) error {
	sc, err := d.schemaOf(ctx, module)
	if err != nil {
		return err
	}
	body := make([]map[string]any, len(send))
	for j, i := range send {
		body[j] = sc.record(recs[i].Values)
		if recs[i].ID != "" && op != revsync.OpInsert {
			body[j]["id"] = recs[i].ID
		}
	}
	var res []zoho.Result
	switch op {
	case revsync.OpInsert:
		res, err = d.c.Insert(ctx, module, body)
	case revsync.OpUpdate:
		res, err = d.c.Update(ctx, module, body)
	default:
		res, err = d.c.Upsert(ctx, module, body, dup)
	}
	if err != nil {
		return err
	}
	for j, i := range send {
		r := res[j]
		if !r.OK() {
			e := rowError(r)
			if op == revsync.OpUpdate && goneAnswer(r) {
				e.Gone = true
				e.Message = fmt.Sprintf("%s %s: %s (the record no longer exists)", module, recs[i].ID, e.Message)
			}
			out[i] = revsync.Result{Err: e}
			continue
		}
		id := r.ID
		if id == "" {
			id = recs[i].ID
		}
		out[i] = revsync.Result{ID: id, Created: op == revsync.OpInsert || op == revsync.OpUpsert && r.Action == "insert"}
	}
	return nil
}

// goneAnswer reports whether an update's failure says the record does
// not exist: INVALID_DATA about the record's id (details name the id, not
// a field), as Zoho answers for a deleted record (sheet §7).
func goneAnswer(r zoho.Result) bool {
	if r.Code != "INVALID_DATA" {
		return false
	}
	_, id := r.Details["id"]
	_, field := r.Details["api_name"]
	return id && !field
}

// dupFields returns the duplicate_check_fields of an upsert.
func dupFields(m revsync.Match) ([]string, error) {
	switch m.By {
	case revsync.MatchDuplicateCheck:
		return m.Fields, nil
	case revsync.MatchExternalID:
		if m.Field == "" {
			return nil, fmt.Errorf("match by external_id names no field")
		}
		return []string{m.Field}, nil
	case "", revsync.MatchID:
		return nil, nil // the record id, then the module's system field
	}
	return nil, fmt.Errorf("cannot match by %q", m.By)
}

// delete removes the records at send. A record Zoho no longer has answers
// INVALID_DATA; when COQL confirms it is gone (a retried delete, or
// deleted by someone else), it is reported deleted.
func (d *Destination) delete(ctx context.Context, module string, recs []revsync.Record, send []int, out []revsync.Result) error {
	ids := make([]string, len(send))
	for j, i := range send {
		ids[j] = recs[i].ID
	}
	res, err := d.c.Delete(ctx, module, ids)
	if err != nil {
		return err
	}
	var gone []string
	for j, i := range send {
		if res[j].OK() {
			out[i] = revsync.Result{ID: ids[j]}
			continue
		}
		out[i] = revsync.Result{Err: rowError(res[j])}
		if res[j].Code == "INVALID_DATA" {
			gone = append(gone, ids[j])
		}
	}
	if len(gone) == 0 {
		return nil
	}
	live, err := d.existing(ctx, module, gone)
	if err != nil {
		d.log.Debug("zoho: could not check records that failed to delete", "module", module, "error", err)
		return nil
	}
	for j, i := range send {
		if out[i].Err != nil && out[i].Err.Code == "INVALID_DATA" && !live[ids[j]] {
			out[i] = revsync.Result{ID: ids[j]}
		}
	}
	return nil
}

// rowError maps a per-record failure.
func rowError(r zoho.Result) *revsync.RowError {
	e := &revsync.RowError{Code: r.Code, Message: r.Message, Retryable: retryableCodes[r.Code]}
	if e.Code == "" {
		e.Code = "UNKNOWN"
	}
	if f, ok := r.Details["api_name"].(string); ok && f != "" {
		e.Fields = []string{f}
	}
	if msg, ok := r.Details["maximum_length"]; ok {
		e.Message += fmt.Sprintf(" (maximum length %v)", msg)
	}
	if t, ok := r.Details["expected_data_type"].(string); ok {
		e.Message += " (expected " + t + ")"
	}
	return e
}

// record converts engine values to Zoho's write forms.
func (sc *schema) record(values map[string]any) map[string]any {
	out := make(map[string]any, len(values)+1)
	for k, v := range values {
		if k == "id" {
			continue
		}
		out[k] = writeValue(sc.dataType[k], v)
	}
	return out
}

// writeValue converts one value for a field of Zoho data type dt.
func writeValue(dt string, v any) any {
	if v == nil {
		return nil
	}
	switch dt {
	case "lookup", "ownerlookup", "userlookup":
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil
			}
			return map[string]any{"id": x}
		case int64:
			return map[string]any{"id": fmt.Sprint(x)}
		}
	case "datetime":
		switch x := v.(type) {
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.Format(writeDateTime)
			}
		case time.Time:
			return x.Format(writeDateTime)
		}
	case "date":
		switch x := v.(type) {
		case string:
			if len(x) > 10 && x[10] == 'T' {
				return x[:10]
			}
		case time.Time:
			return x.Format("2006-01-02")
		}
	case "multiselectpicklist":
		if s, ok := v.(string); ok {
			if s == "" {
				return []string{}
			}
			return strings.Split(s, ";")
		}
	case "integer", "bigint":
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f)
		}
	}
	if t, ok := v.(time.Time); ok {
		return t.Format(writeDateTime)
	}
	return v
}

// zohoRESTCost is the credits of one write call of n records.
func zohoRESTCost(op revsync.Op, n int) int64 {
	if op == revsync.OpDelete {
		return 1
	}
	return int64(n+9) / 10
}

// overBudget checks a call (or job) of n records costing credits against
// the org's budget; past it, the records at rows fail BUDGET_EXCEEDED
// (retryable) unsent, and it returns true.
func (d *Destination) overBudget(module string, op revsync.Op, n int, credits int64, rows []int, out []revsync.Result) bool {
	if d.budget == nil {
		return false
	}
	err := d.budget.Check(fmt.Sprintf("a %s of %d %s records", op, n, module), credits)
	if err == nil {
		return false
	}
	for _, i := range rows {
		out[i] = revsync.Result{Err: &revsync.RowError{Code: "BUDGET_EXCEEDED", Message: err.Error(), Retryable: true}}
	}
	return true
}
