package zohobooks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/zohobooks"
	revsync "github.com/revops/revops/sync"
)

// Write sends recs (at most MaxWrite; more are refused unsent) with op,
// one record at a time, in order (see the package doc):
//
//   - insert creates each contact (POST);
//   - update changes the contact Record.ID names (read, then PUT with
//     every contact person kept); a record without an id fails alone;
//   - upsert updates the contact Record.ID names when known, else
//     matches by m and updates, creates, or refuses the row as ambiguous;
//   - delete deletes the contact Record.ID names (one already gone
//     counts as deleted).
//
// Refusals become row errors with Books' code ("BOOKS_<code>"): invalid
// values are not retryable; a record that no longer exists fails with
// Gone; a 409, a 5xx on a read or an update, and the API's limits (429,
// after which the rest of the Write is not sent) are retryable. Write
// fails as a whole when a create's outcome is unknown and it cannot be
// found by its match values, the credentials or the organization fail,
// or ctx ends.
func (d *Destination) Write(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	if len(recs) > MaxWrite {
		return nil, fmt.Errorf("zoho_books: %s contacts: %d records, more than the %d one write takes", op, len(recs), MaxWrite)
	}
	switch op {
	case revsync.OpInsert, revsync.OpUpdate, revsync.OpUpsert, revsync.OpDelete:
	default:
		return nil, fmt.Errorf("zoho_books: %s contacts: unknown operation", op)
	}
	sc, err := d.schemaOf(ctx)
	if err != nil {
		return nil, err
	}
	w := &write{d: d, sc: sc, m: m}
	if op == revsync.OpUpsert || op == revsync.OpInsert && m.By != "" {
		if w.es, err = d.entries(m); err != nil {
			if op == revsync.OpUpsert {
				return nil, fmt.Errorf("zoho_books: upsert contacts: %w", err)
			}
			w.es = nil
		}
	}
	out := make([]revsync.Result, len(recs))
	for i, r := range recs {
		if w.stopped != nil {
			out[i].Err = &revsync.RowError{Code: revsync.CodeNotSent, Retryable: true,
				Message: "not sent: Zoho Books refused an earlier record of the batch for its API limits (" + w.stopped.Error() + ")"}
			continue
		}
		var res revsync.Result
		switch {
		case (op == revsync.OpUpdate || op == revsync.OpDelete) && r.ID == "":
			res.Err = &revsync.RowError{Code: "MISSING_ID", Message: "the record has no Books contact id", Fields: []string{"contact_id"}}
		case op == revsync.OpDelete:
			res, err = w.delete(ctx, r.ID)
		case op == revsync.OpUpdate, op == revsync.OpUpsert && r.ID != "":
			res, err = w.update(ctx, r.ID, r.Values, true)
		case op == revsync.OpInsert:
			res, err = w.create(ctx, r.Values, false)
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
	d       *Destination
	sc      *revsync.Schema
	m       revsync.Match
	es      []entry
	stopped error
}

func (w *write) upsert(ctx context.Context, values map[string]any) (revsync.Result, error) {
	cands, err := w.d.match(ctx, w.m, w.es, values)
	if err != nil {
		if e, fatal := w.rowError(err, true); !fatal {
			return revsync.Result{Err: e}, nil
		}
		return revsync.Result{}, err
	}
	switch len(cands) {
	case 0:
		return w.create(ctx, values, w.m.By == revsync.MatchExternalID)
	case 1:
		res, err := w.update(ctx, cands[0].ID, values, false)
		if err == nil && res.Err != nil && res.Err.Gone {
			res.Err.Gone, res.Err.Retryable = false, true // matched, then deleted: sent again next run
		}
		return res, err
	}
	parts := make([]string, len(cands))
	for i, c := range cands {
		parts[i] = c.ID + " (by " + c.Via + ")"
	}
	return revsync.Result{Err: &revsync.RowError{Code: revsync.CodeAmbiguousMatch, Candidates: cands,
		Message: fmt.Sprintf("matches %d Books contacts: %s; not written until one is left (merge or delete the others, or change the row)",
			len(cands), strings.Join(parts, ", "))}}, nil
}

// create creates a contact: through Books' upsert by the key field when
// byKey (a PUT, repeated safely after a lost answer), else a POST whose
// lost answer is resolved by looking the contact up by its match values.
func (w *write) create(ctx context.Context, values map[string]any, byKey bool) (revsync.Result, error) {
	body := w.body(values, nil)
	var c *zohobooks.Contact
	var err error
	if key := form(w.m.Field, values[w.m.Field]); byKey && key != "" {
		// Nothing held the key when matched: what this PUT answers, a
		// create or (after a lost answer, repeated) an update, is the
		// contact it created.
		c, _, err = w.d.c.UpsertContact(ctx, w.m.Field, strings.TrimSpace(fmt.Sprint(values[w.m.Field])), body)
	} else {
		c, err = w.d.c.CreateContact(ctx, body)
	}
	if err == nil {
		id := string(c.ContactID)
		w.d.remember(w.es, values, id)
		return revsync.Result{ID: id, Created: true}, nil
	}
	if e, fatal := w.rowError(err, false); !fatal {
		return revsync.Result{Err: e}, nil
	}
	if !zohobooks.IsTransient(err) || ctx.Err() != nil {
		return revsync.Result{}, err
	}
	// The answer was lost: the contact may have been created.
	if !findable(w.es, values) {
		return revsync.Result{}, fmt.Errorf("zoho_books: create contact: the answer was lost and the row has no match values to look it up by: %w", err)
	}
	cands, ferr := w.d.match(ctx, w.m, w.es, values)
	if ferr != nil || len(cands) != 1 {
		w.d.log.Warn("zoho_books: a create's answer was lost and the contact was not found again; the engine resolves it next run",
			"found", len(cands), "error", err)
		return revsync.Result{}, fmt.Errorf("zoho_books: create contact: the outcome is unknown (no answer, or a 5xx): %w", err)
	}
	id := cands[0].ID
	w.d.log.Info("zoho_books: a create's answer was lost; found the contact by its match values", "id", id)
	w.d.remember(w.es, values, id)
	return revsync.Result{ID: id, Created: true}, nil
}

func findable(es []entry, values map[string]any) bool {
	for _, e := range es {
		if complete(values, e) {
			return true
		}
	}
	return false
}

// update reads contact id and writes values over it (PUT), sending back
// every contact person with its id. byID: the id came from the engine.
func (w *write) update(ctx context.Context, id string, values map[string]any, byID bool) (revsync.Result, error) {
	cur, err := w.d.c.GetContact(ctx, id)
	if err == nil {
		_, err = w.d.c.UpdateContact(ctx, id, w.body(values, cur))
	}
	if err == nil {
		return revsync.Result{ID: id}, nil
	}
	e, fatal := w.rowError(err, true)
	if fatal {
		return revsync.Result{}, err
	}
	if e.Gone {
		e.Message = fmt.Sprintf("contact %s: %s (the record no longer exists)", id, e.Message)
	}
	return revsync.Result{Err: e}, nil
}

func (w *write) delete(ctx context.Context, id string) (revsync.Result, error) {
	err := w.d.c.DeleteContact(ctx, id)
	if err == nil || zohobooks.IsNotFound(err) {
		return revsync.Result{ID: id}, nil
	}
	if e, fatal := w.rowError(err, true); !fatal {
		return revsync.Result{Err: e}, nil
	}
	return revsync.Result{}, err
}

// rowError maps a failed call to the row's error, or fatal when the
// Write must fail as a whole (ctx ended, credentials or organization
// refused, or, for creates, an outcome that may be a write).
func (w *write) rowError(err error, safe bool) (*revsync.RowError, bool) {
	var ae *zohobooks.APIError
	errors.As(err, &ae)
	code := "TRANSIENT"
	msg := err.Error()
	if ae != nil {
		code, msg = "BOOKS_"+strconv.Itoa(ae.Code), ae.Message
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, zohobooks.ErrWrongOrganization):
		return nil, true
	case zohobooks.IsNotFound(err):
		return &revsync.RowError{Code: code, Message: msg, Gone: true}, false
	case zohobooks.IsRateLimited(err):
		w.stopped = err
		return &revsync.RowError{Code: code, Retryable: true, Message: "Zoho Books' API limits: " + msg}, false
	case zohobooks.IsLocked(err):
		return &revsync.RowError{Code: code, Retryable: true, Message: msg}, false
	case zohobooks.IsInvalid(err):
		e := &revsync.RowError{Code: code, Message: msg}
		for name := range w.sc.Fields {
			if strings.Contains(msg, name) {
				e.Fields = append(e.Fields, name)
			}
		}
		return e, false
	case safe && zohobooks.IsTransient(err):
		return &revsync.RowError{Code: code, Retryable: true, Message: msg}, false
	case !safe && zohobooks.Unsent(err):
		return &revsync.RowError{Code: revsync.CodeNotSent, Retryable: true, Message: msg}, false
	}
	return nil, true
}

// body converts values to Books' contact JSON over cur (nil for a new
// contact): top-level keys, addresses merged over the current ones, the
// primary contact person, custom fields; contact_name always (Books
// wants it in every update); every current person sent back.
func (w *write) body(values map[string]any, cur *zohobooks.Contact) map[string]any {
	out := map[string]any{}
	str := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		case float64:
			if x == math.Trunc(x) {
				return strconv.FormatInt(int64(x), 10)
			}
		}
		return fmt.Sprint(v)
	}
	for _, k := range []string{"contact_name", "company_name", "website", "notes", "contact_type", "customer_sub_type"} {
		if v, ok := values[k]; ok {
			out[k] = str(v)
		}
	}
	if v, ok := values["payment_terms"]; ok {
		if v == nil {
			out["payment_terms"] = 0
		} else {
			out["payment_terms"] = v
		}
	}
	if cur != nil {
		if _, ok := out["contact_name"]; !ok || out["contact_name"] == "" {
			out["contact_name"] = cur.ContactName
		}
	}
	for _, kind := range []string{"billing", "shipping"} {
		var addr map[string]any
		for part, key := range addressParts {
			v, ok := values[kind+"_"+part]
			if !ok {
				continue
			}
			if addr == nil {
				addr = map[string]any{}
				var a *zohobooks.Address
				if cur != nil {
					a = cur.BillingAddress
					if kind == "shipping" {
						a = cur.ShippingAddress
					}
				}
				if a != nil {
					for p, x := range addressValues(a) {
						addr[addressParts[p]] = x
					}
				}
			}
			addr[key] = str(v)
		}
		if addr != nil {
			out[kind+"_address"] = addr
		}
	}
	if persons := w.persons(values, cur, str); persons != nil {
		out["contact_persons"] = persons
	}
	var cfs []any
	for _, name := range w.d.custom {
		if v, ok := values[name]; ok {
			cfs = append(cfs, map[string]any{"api_name": name, "value": str(v)})
		}
	}
	if cfs != nil {
		out["custom_fields"] = cfs
	}
	return out
}

// persons returns the contact_persons to send: for a new contact the
// row's person (when it has any person value), primary; for an update
// every current person with its id, the row's person (the one with the
// row's e-mail, else the primary when it has no e-mail or the row none,
// else a new one) changed and made primary.
func (w *write) persons(values map[string]any, cur *zohobooks.Contact, str func(any) string) []any {
	has := false
	for _, f := range personFields {
		if _, ok := values[f]; ok {
			has = true
		}
	}
	set := func(p map[string]any) {
		for _, f := range personFields {
			if v, ok := values[f]; ok {
				p[f] = str(v)
			}
		}
		p["is_primary_contact"] = true
	}
	if cur == nil {
		if !has {
			return nil
		}
		p := map[string]any{}
		set(p)
		return []any{p}
	}
	out := []any{}
	target := -1
	email := form("email", values["email"])
	for i, p := range cur.ContactPersons {
		if email != "" && form("email", p.Email) == email {
			target = i
		}
	}
	if target < 0 && has {
		for i, p := range cur.ContactPersons {
			if p.IsPrimaryContact && (p.Email == "" || email == "") {
				target = i
			}
		}
	}
	for i, p := range cur.ContactPersons {
		m := map[string]any{"contact_person_id": string(p.ContactPersonID), "salutation": p.Salutation, "first_name": p.FirstName,
			"last_name": p.LastName, "email": p.Email, "phone": p.Phone, "mobile": p.Mobile, "designation": p.Designation,
			"department": p.Department, "is_primary_contact": p.IsPrimaryContact}
		if has {
			m["is_primary_contact"] = false
		}
		if i == target {
			set(m)
		}
		out = append(out, m)
	}
	if has && target < 0 {
		p := map[string]any{}
		set(p)
		out = append(out, p)
	}
	if !has {
		// Keep the primary as it is.
		for i, p := range cur.ContactPersons {
			out[i].(map[string]any)["is_primary_contact"] = p.IsPrimaryContact
		}
	}
	return out
}
