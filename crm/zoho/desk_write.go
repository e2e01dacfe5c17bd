package zoho

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/httpx"
)

// DeskMaxByIDs is the most ids one GET /contacts/contactsByIds takes.
const DeskMaxByIDs = 20

// Desk writes (reference sheet §15) are one record per call: create is a
// POST of the record's keys, update a PATCH of the keys to change (a
// partial update; null clears). Both answer 200 and the record as stored,
// without a data envelope.
//
// Retries: the shared transport sends a PATCH again after a 5xx or a
// dropped connection (Update marks it safe to repeat: it sets the same
// values again), and a POST only when the server cannot have seen it (a
// 429, a failed connect). A create whose answer was lost fails with an
// error for which IsTransient is true: it may have written, and the
// caller looks the record up (Search) before sending it again.

// Create creates a Desk record of kind ("contacts" or "accounts"; tickets
// have CreateTicket) and returns it as stored. Desk refuses a contact
// without lastName and an account without accountName (422 INVALID_DATA,
// IsInvalid).
func (d *Desk) Create(ctx context.Context, kind string, fields map[string]any) (map[string]any, error) {
	r, err := d.c.send(ctx, http.MethodPost, func() string { return d.url(kind, nil) }, d.header(), fields)
	if err != nil {
		return nil, fmt.Errorf("zoho: desk create %s: %w", singular(kind), err)
	}
	var out map[string]any
	if err := decode(r.body, &out); err != nil {
		return nil, fmt.Errorf("zoho: desk create %s: %w", singular(kind), err)
	}
	if id, _ := out["id"].(string); id == "" {
		return nil, fmt.Errorf("zoho: desk create %s: the answer has no id", singular(kind))
	}
	return out, nil
}

// Update changes the given fields of a Desk record (PATCH; keys left out
// keep their values, nil clears) and returns it as stored. A record that
// does not exist (deleted, or moved to the trash) fails with an error
// that matches ErrNotFound.
func (d *Desk) Update(ctx context.Context, kind, id string, fields map[string]any) (map[string]any, error) {
	if id == "" {
		return nil, fmt.Errorf("zoho: desk update %s: no id", singular(kind))
	}
	r, err := d.c.send(httpx.Retryable(ctx), http.MethodPatch, func() string { return d.url(kind+"/"+url.PathEscape(id), nil) },
		d.header(), fields)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			err = errors.Join(ErrNotFound, err)
		}
		return nil, fmt.Errorf("zoho: desk update %s %s: %w", singular(kind), id, err)
	}
	var out map[string]any
	if err := decode(r.body, &out); err != nil {
		return nil, fmt.Errorf("zoho: desk update %s %s: %w", singular(kind), id, err)
	}
	return out, nil
}

// MoveToTrash moves contacts or accounts to Desk's trash
// (POST /{kind}/moveToTrash, 204).
func (d *Desk) MoveToTrash(ctx context.Context, kind string, ids []string) error {
	key := "contactIds"
	if kind == "accounts" {
		key = "accountIds"
	}
	if _, err := d.c.send(ctx, http.MethodPost, func() string { return d.url(kind+"/moveToTrash", nil) }, d.header(),
		map[string]any{key: ids}); err != nil {
		return fmt.Errorf("zoho: desk move %d %s to the trash: %w", len(ids), kind, err)
	}
	return nil
}

// Search pages through GET /{kind}/search with the given filters (email,
// accountName, firstName, lastName, phone, customField1=cf_x:value,
// modifiedTimeRange, …; "*" is a wildcard), calling fn with each page;
// fn returns false to stop. Search's from is 0-based (sheet §8.1). A
// search without matches may answer 204 or an empty list: both end it.
func (d *Desk) Search(ctx context.Context, kind string, filters url.Values, fn func(records []map[string]any) (more bool, err error)) error {
	limit := DeskMaxLimit
	for from, page := 0, 1; ; from, page = from+limit, page+1 {
		q := url.Values{}
		for k, v := range filters {
			q[k] = v
		}
		q.Set("from", strconv.Itoa(from))
		q.Set("limit", strconv.Itoa(limit))
		r, err := d.c.send(ctx, http.MethodGet, func() string { return d.url(kind+"/search", q) }, d.header(), nil)
		if err != nil {
			return fmt.Errorf("zoho: desk search %s page %d: %w", kind, page, err)
		}
		if r.status == http.StatusNoContent || len(r.body) == 0 {
			return nil
		}
		var ans struct {
			Data []map[string]any `json:"data"`
		}
		if err := decode(r.body, &ans); err != nil {
			return fmt.Errorf("zoho: desk search %s page %d: %w", kind, page, err)
		}
		if len(ans.Data) > 0 {
			more, err := fn(ans.Data)
			if err != nil || !more {
				return err
			}
		}
		if len(ans.Data) < limit {
			return nil
		}
	}
}

// ContactsByIDs reads up to DeskMaxByIDs contacts by id (ids that do not
// exist are left out of the answer).
func (d *Desk) ContactsByIDs(ctx context.Context, ids []string) ([]map[string]any, error) {
	switch {
	case len(ids) == 0:
		return nil, nil
	case len(ids) > DeskMaxByIDs:
		return nil, fmt.Errorf("zoho: desk contacts by ids: %d ids, more than the %d one call takes", len(ids), DeskMaxByIDs)
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}}
	r, err := d.c.send(ctx, http.MethodGet, func() string { return d.url("contacts/contactsByIds", q) }, d.header(), nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: desk contacts by ids: %w", err)
	}
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		return nil, nil
	}
	var ans struct {
		Data []map[string]any `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: desk contacts by ids: %w", err)
	}
	return ans.Data, nil
}

// DeskField is one field of a Desk module, from the fields metadata API.
type DeskField struct {
	ID      string `json:"id"`
	APIName string `json:"apiName"`
	Label   string `json:"displayLabel"`
	// Type is Text, Textarea, Email, Phone, URL, Picklist, Multiselect,
	// LookUp, Number, Decimal, Currency, Percent, Boolean, Date, DateTime, …
	Type          string   `json:"type"`
	MaxLength     int      `json:"-"`
	Mandatory     bool     `json:"isMandatory"`
	Custom        bool     `json:"isCustomField"`
	AllowedValues []string `json:"allowedValues"`
}

// DeskFields reads the fields of a Desk module ("contacts", "accounts",
// "tickets") from GET /organizationFields?module= (not on the reference
// sheet: the path and the answer's keys come from Zoho's Desk OAS and
// third-party connectors, unconfirmed). Custom fields are named cf_….
func (d *Desk) DeskFields(ctx context.Context, module string) ([]DeskField, error) {
	q := url.Values{"module": {module}}
	r, err := d.c.send(ctx, http.MethodGet, func() string { return d.url("organizationFields", q) }, d.header(), nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: desk fields of %s: %w", module, err)
	}
	var ans struct {
		Data []struct {
			DeskField
			MaxLength any `json:"maxLength"`
		} `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: desk fields of %s: %w", module, err)
	}
	out := make([]DeskField, len(ans.Data))
	for i, f := range ans.Data {
		out[i] = f.DeskField
		// maxLength is a number or a numeric string (Desk's OAS allows both).
		n, _ := strconv.Atoi(strings.TrimSpace(fmt.Sprint(f.MaxLength)))
		out[i].MaxLength = n
	}
	return out, nil
}

// singular names one record of kind for errors: "contact", "account".
func singular(kind string) string { return strings.TrimSuffix(kind, "s") }
