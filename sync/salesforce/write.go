package salesforce

import (
	"context"
	"fmt"
	"strings"
	"time"

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
// at most 200 and the bulk threshold, through one Bulk API 2.0 ingest job
// when it is above the threshold; anything else is refused before any
// request (see MaxBatch). Insert and upsert take the record values; update
// and delete address records by Record.ID; upsert needs m.By ==
// "external_id" and the external id value in each record. A record that
// lacks its id or key fails alone (MISSING_ID, MISSING_EXTERNAL_ID)
// without being sent. Results come one per record, in order; an error
// means the call failed as a whole and, for inserts, that it may or may
// not have written (resolve with Find).
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
		if m.By != revsync.MatchExternalID || m.Field == "" {
			return nil, fmt.Errorf("salesforce: upsert %s: needs an external id field to match on (match by %q)", object, m.By)
		}
	default:
		return nil, fmt.Errorf("salesforce: %s %s: unknown operation", op, object)
	}
	out := make([]revsync.Result, n)
	var send []int // indexes of the records that pass the local checks
	for i, r := range recs {
		switch {
		case (op == revsync.OpUpdate || op == revsync.OpDelete) && r.ID == "":
			out[i].Err = &revsync.RowError{Code: "MISSING_ID", Message: "the record has no destination id", Fields: []string{"Id"}}
		case op == revsync.OpUpsert && isEmpty(lookup(r.Values, m.Field)):
			out[i].Err = &revsync.RowError{Code: "MISSING_EXTERNAL_ID", Message: "the record has no value for " + m.Field, Fields: []string{m.Field}}
		default:
			send = append(send, i)
		}
	}
	if len(send) == 0 {
		return out, nil
	}
	var err error
	if n > d.bulkThreshold {
		err = d.bulk(ctx, object, op, m, recs, send, out)
	} else {
		err = d.collection(ctx, object, op, m, recs, send, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// collection writes the records at send in one sObject Collections call
// (allOrNone=false) and fills their results.
func (d *Destination) collection(ctx context.Context, object string, op revsync.Op, m revsync.Match,
	recs []revsync.Record, send []int, out []revsync.Result) error {
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
			e := salesforce.RecordError{StatusCode: "UNKNOWN", Message: "failed without an error"}
			if len(r.Errors) > 0 {
				e = r.Errors[0]
			}
			out[i] = revsync.Result{ID: r.ID, Err: rowError(e)}
		}
	}
	return nil
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
