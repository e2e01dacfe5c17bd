package salesforce

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/httpx"
)

// maxCollection is the sObject Collections cap per call.
const maxCollection = 200

// MaxBatch is the most records one Collections call takes (200); callers
// batch at this size.
func (c *Client) MaxBatch() int { return maxCollection }

// Result is the outcome of one record of a Collections call, in input order.
type Result struct {
	// ID is the record's id (empty for a failed create).
	ID string `json:"id"`
	// Success is true when the record was written.
	Success bool `json:"success"`
	// Created is true when an upsert created the record (upsert only).
	Created bool `json:"created"`
	// Errors are the record's errors when Success is false.
	Errors []RecordError `json:"errors"`
}

// Err returns the record's first error, or nil on success.
func (r Result) Err() error {
	if r.Success {
		return nil
	}
	if len(r.Errors) == 0 {
		return RecordError{StatusCode: "UNKNOWN", Message: "failed without an error"}
	}
	return r.Errors[0]
}

// Create inserts records of object (at most MaxBatch, none with an Id).
// With allOrNone nothing is written unless every record succeeds. A
// request-level failure is an error; per-record failures are in the Results.
// A create is never retried by the transport (it could duplicate records).
func (c *Client) Create(ctx context.Context, object string, records []map[string]any, allOrNone bool) ([]Result, error) {
	body, err := collectionBody("create", object, records, allOrNone, func(r map[string]any) error {
		if _, ok := idOf(r); ok {
			return fmt.Errorf("has an Id")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.collection(ctx, "create", object, len(records),
		request{method: http.MethodPost, path: c.dataPath("composite/sobjects"), body: body})
}

// Update changes records of object by their Id (at most MaxBatch; each
// record must have "Id"). Updates are retried on transient failures: they
// set the same values again.
func (c *Client) Update(ctx context.Context, object string, records []map[string]any, allOrNone bool) ([]Result, error) {
	body, err := collectionBody("update", object, records, allOrNone, func(r map[string]any) error {
		if _, ok := idOf(r); !ok {
			return fmt.Errorf("has no Id")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.collection(httpx.Retryable(ctx), "update", object, len(records),
		request{method: http.MethodPatch, path: c.dataPath("composite/sobjects"), body: body})
}

// Upsert creates or updates records of object matched on the external-id
// field extIDField (at most MaxBatch; each record must hold a value for
// it). Result.Created says which happened. Upserts are retried on
// transient failures (the key makes them idempotent).
func (c *Client) Upsert(ctx context.Context, object, extIDField string, records []map[string]any, allOrNone bool) ([]Result, error) {
	if extIDField == "" {
		return nil, fmt.Errorf("salesforce: upsert %s: no external id field", object)
	}
	body, err := collectionBody("upsert", object, records, allOrNone, func(r map[string]any) error {
		for k, v := range r {
			if strings.EqualFold(k, extIDField) && v != nil && v != "" {
				return nil
			}
		}
		return fmt.Errorf("has no %s", extIDField)
	})
	if err != nil {
		return nil, err
	}
	path := c.dataPath("composite/sobjects/" + url.PathEscape(object) + "/" + url.PathEscape(extIDField))
	return c.collection(httpx.Retryable(ctx), "upsert", object, len(records),
		request{method: http.MethodPatch, path: path, body: body})
}

// Delete deletes records by id (at most MaxBatch); object names them in
// errors. Deleting is retried on transient failures; a record already gone
// reports ENTITY_IS_DELETED.
func (c *Client) Delete(ctx context.Context, object string, ids []string, allOrNone bool) ([]Result, error) {
	if len(ids) > maxCollection {
		return nil, fmt.Errorf("salesforce: delete %s: %d records, more than the %d one call takes", object, len(ids), maxCollection)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	for i, id := range ids {
		if id == "" {
			return nil, fmt.Errorf("salesforce: delete %s: record %d has no id", object, i)
		}
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}, "allOrNone": {strconv.FormatBool(allOrNone)}}
	return c.collection(ctx, "delete", object, len(ids),
		request{method: http.MethodDelete, path: c.dataPath("composite/sobjects"), query: q})
}

// collectionBody checks records and builds {"allOrNone","records"} with
// attributes.type set on copies of the records.
func collectionBody(op, object string, records []map[string]any, allOrNone bool, check func(map[string]any) error) (map[string]any, error) {
	if len(records) > maxCollection {
		return nil, fmt.Errorf("salesforce: %s %s: %d records, more than the %d one call takes", op, object, len(records), maxCollection)
	}
	if len(records) == 0 {
		return nil, nil
	}
	out := make([]map[string]any, len(records))
	for i, r := range records {
		if err := check(r); err != nil {
			return nil, fmt.Errorf("salesforce: %s %s: record %d %w", op, object, i, err)
		}
		m := maps.Clone(r)
		delete(m, "attributes")
		m["attributes"] = map[string]string{"type": object}
		out[i] = m
	}
	return map[string]any{"allOrNone": allOrNone, "records": out}, nil
}

// collection sends a Collections call and checks that one result came
// back per record.
func (c *Client) collection(ctx context.Context, op, object string, n int, r request) ([]Result, error) {
	if n == 0 {
		return nil, nil
	}
	var out []Result
	if err := c.do(ctx, r, &out); err != nil {
		return nil, fmt.Errorf("salesforce: %s %s (%d records): %w", op, object, n, err)
	}
	if len(out) != n {
		return nil, fmt.Errorf("salesforce: %s %s: %d results for %d records", op, object, len(out), n)
	}
	return out, nil
}

// idOf returns a record's Id (any case of the key).
func idOf(r map[string]any) (string, bool) {
	for k, v := range r {
		if strings.EqualFold(k, "Id") {
			s, ok := v.(string)
			return s, ok && s != ""
		}
	}
	return "", false
}
