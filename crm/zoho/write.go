package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxWrite is the most records one insert, update, upsert or delete call
// takes (reference sheet §2.3).
const MaxWrite = 100

// MaxBatch is the batch size writers should use: the API's cap of 100
// records per call.
func (c *Client) MaxBatch() int { return MaxWrite }

// Result is the outcome of one record of a write, in input order.
type Result struct {
	// Status is success or error.
	Status string `json:"status"`
	// Code is SUCCESS or the record's error code (MANDATORY_NOT_FOUND,
	// INVALID_DATA, DUPLICATE_DATA, RECORD_LOCKED, …).
	Code    string `json:"code"`
	Message string `json:"message"`
	// Action is insert or update (upsert only).
	Action string `json:"action"`
	// DuplicateField is the field an upsert matched on ("" for inserts).
	DuplicateField string `json:"duplicate_field"`
	// ID is the record's id (success), or the id the error names.
	ID string `json:"-"`
	// Details are the answer's details: created/modified times on success,
	// the offending api_name, json_path, limits on error.
	Details map[string]any `json:"details"`
}

// OK reports whether the record was written.
func (r Result) OK() bool { return r.Status == "success" }

// Err returns the record's failure as an *APIError, or nil.
func (r Result) Err() error {
	if r.OK() {
		return nil
	}
	return &APIError{Status: http.StatusBadRequest, Code: r.Code, Message: r.Message, Details: r.Details}
}

// Insert creates records (POST /{module}); each needs the module's
// mandatory fields. Per-record failures are in the results, not the error.
func (c *Client) Insert(ctx context.Context, module string, records []map[string]any) ([]Result, error) {
	return c.write(ctx, "insert", http.MethodPost, module, module, records, nil)
}

// Update changes records (PUT /{module}); each needs its id.
func (c *Client) Update(ctx context.Context, module string, records []map[string]any) ([]Result, error) {
	for i, r := range records {
		if id, _ := r["id"].(string); id == "" {
			return nil, fmt.Errorf("zoho: update %s: record %d has no id", module, i)
		}
	}
	return c.write(ctx, "update", http.MethodPut, module, module, records, nil)
}

// Upsert inserts records or updates the ones that match on
// duplicateCheckFields, in that order (the module's system duplicate-check
// field and unique fields when empty). Result.Action says which happened.
func (c *Client) Upsert(ctx context.Context, module string, records []map[string]any, duplicateCheckFields []string) ([]Result, error) {
	return c.write(ctx, "upsert", http.MethodPost, module, module+"/upsert", records, duplicateCheckFields)
}

func (c *Client) write(ctx context.Context, op, method, module, path string, records []map[string]any, dup []string) ([]Result, error) {
	switch {
	case len(records) == 0:
		return nil, nil
	case len(records) > MaxWrite:
		return nil, fmt.Errorf("zoho: %s %s: %d records exceed the API's %d per call", op, module, len(records), MaxWrite)
	}
	body := map[string]any{"data": records}
	if len(dup) > 0 {
		body["duplicate_check_fields"] = dup
	}
	r, err := c.sendRaw(withCost(ctx, (len(records)+9)/10), method, func() string { return c.crmURL(path, nil) }, nil, body)
	if err != nil {
		return nil, fmt.Errorf("zoho: %s %s: %w", op, module, err)
	}
	return results(r, op, module, len(records))
}

// results reads the per-record answers of a write: 200/201 all written,
// 207 mixed, 400 with a data array all failed; any other answer is an error
// of the whole call.
func results(r *response, op, module string, n int) ([]Result, error) {
	var ans struct {
		Data []json.RawMessage `json:"data"`
	}
	if len(r.body) > 0 {
		_ = json.Unmarshal(r.body, &ans)
	}
	if len(ans.Data) != n {
		if r.status < 200 || r.status > 299 {
			return nil, fmt.Errorf("zoho: %s %s: %w", op, module, r.err())
		}
		return nil, fmt.Errorf("zoho: %s %s: answer has %d results for %d records", op, module, len(ans.Data), n)
	}
	out := make([]Result, n)
	for i, raw := range ans.Data {
		if err := decode(raw, &out[i]); err != nil {
			return nil, fmt.Errorf("zoho: %s %s: result %d: %w", op, module, i, err)
		}
		if id, ok := out[i].Details["id"].(string); ok {
			out[i].ID = id
		}
	}
	return out, nil
}

// Delete moves records to the recycle bin (DELETE /{module}?ids=).
func (c *Client) Delete(ctx context.Context, module string, ids []string) ([]Result, error) {
	switch {
	case len(ids) == 0:
		return nil, nil
	case len(ids) > MaxWrite:
		return nil, fmt.Errorf("zoho: delete %s: %d records exceed the API's %d per call", module, len(ids), MaxWrite)
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}}
	r, err := c.sendRaw(ctx, http.MethodDelete, func() string { return c.crmURL(module, q) }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: delete %s: %w", module, err)
	}
	return results(r, "delete", module, len(ids))
}
