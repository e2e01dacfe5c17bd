package zohobooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/zoho"
)

// ID is a Books id. Books' samples write ids as JSON numbers, its other
// answers as strings (sheet §17): ID accepts both and keeps the digits.
type ID = zoho.ID

// Organization is one entry of GET /organizations.
type Organization struct {
	OrganizationID ID     `json:"organization_id"`
	Name           string `json:"name"`
	IsDefaultOrg   bool   `json:"is_default_org"`
	CurrencyCode   string `json:"currency_code"`
}

// Address is a contact's billing or shipping address.
type Address struct {
	Attention string `json:"attention"`
	Address   string `json:"address"`
	Street2   string `json:"street2"`
	City      string `json:"city"`
	State     string `json:"state"`
	StateCode string `json:"state_code,omitempty"`
	Zip       string `json:"zip"`
	Country   string `json:"country"`
	Phone     string `json:"phone"`
	Fax       string `json:"fax"`
}

// Person is a contact person of a contact.
type Person struct {
	ContactPersonID  ID     `json:"contact_person_id,omitempty"`
	Salutation       string `json:"salutation"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	Email            string `json:"email"`
	Phone            string `json:"phone"`
	Mobile           string `json:"mobile"`
	Designation      string `json:"designation"`
	Department       string `json:"department"`
	IsPrimaryContact bool   `json:"is_primary_contact"`
}

// CustomField is one custom field value of a contact. Books documents
// {index, value} on writes; answers carry api_name and label as well
// (api_name on writes, and the cf_ keys of answers, unconfirmed).
type CustomField struct {
	Index   int    `json:"index,omitempty"`
	APIName string `json:"api_name,omitempty"`
	Label   string `json:"label,omitempty"`
	Value   any    `json:"value"`
}

// Contact is a Books contact (a customer or vendor) as the API answers
// it. List rows are slim: no addresses, persons or custom fields; the
// primary person's name, e-mail and phone inline.
type Contact struct {
	ContactID        ID            `json:"contact_id"`
	ContactName      string        `json:"contact_name"`
	CompanyName      string        `json:"company_name"`
	ContactType      string        `json:"contact_type"`
	CustomerSubType  string        `json:"customer_sub_type"`
	Website          string        `json:"website"`
	Notes            string        `json:"notes"`
	Status           string        `json:"status"`
	PaymentTerms     json.Number   `json:"payment_terms,omitempty"`
	CurrencyCode     string        `json:"currency_code"`
	PrimaryContactID ID            `json:"primary_contact_id"`
	FirstName        string        `json:"first_name"`
	LastName         string        `json:"last_name"`
	Email            string        `json:"email"`
	Phone            string        `json:"phone"`
	Mobile           string        `json:"mobile"`
	ZCRMAccountID    ID            `json:"zcrm_account_id"`
	ZCRMContactID    ID            `json:"zcrm_contact_id"`
	BillingAddress   *Address      `json:"billing_address,omitempty"`
	ShippingAddress  *Address      `json:"shipping_address,omitempty"`
	ContactPersons   []Person      `json:"contact_persons,omitempty"`
	CustomFields     []CustomField `json:"custom_fields,omitempty"`
	CreatedTime      string        `json:"created_time"`
	LastModifiedTime string        `json:"last_modified_time"`
	// CF holds the cf_ keys of the answer: custom field values by API
	// name, on list rows as on records (unconfirmed for list rows).
	CF map[string]any `json:"-"`
}

// UnmarshalJSON decodes a contact and collects its cf_ keys into CF.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	if err := json.Unmarshal(b, (*plain)(c)); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for k, v := range raw {
		if !strings.HasPrefix(k, "cf_") || strings.HasSuffix(k, "_unformatted") {
			continue
		}
		var x any
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		if dec.Decode(&x) == nil {
			if c.CF == nil {
				c.CF = map[string]any{}
			}
			c.CF[k] = x
		}
	}
	return nil
}

// Custom returns the value of the custom field apiName ("cf_…"), or nil.
func (c *Contact) Custom(apiName string) any {
	for _, f := range c.CustomFields {
		if strings.EqualFold(f.APIName, apiName) {
			return f.Value
		}
	}
	return c.CF[apiName]
}

// PageContext is the paging part of a list answer.
type PageContext struct {
	Page        int    `json:"page"`
	PerPage     int    `json:"per_page"`
	HasMorePage bool   `json:"has_more_page"`
	SortColumn  string `json:"sort_column"`
	SortOrder   string `json:"sort_order"`
}

// ListOptions shape a contacts list.
type ListOptions struct {
	// Filters are the list's filter parameters: contact_name, email,
	// company_name, phone, … (with _startswith / _contains), filter_by
	// (Status.Active, …), search_text, zcrm_account_id, zcrm_contact_id.
	Filters url.Values
	// PerPage is the page size (default 200, Books' default; its maximum
	// is unconfirmed).
	PerPage int
	// SortColumn sorts (contact_name, created_time, last_modified_time).
	SortColumn string
}

// Organizations lists the organizations of the user (GET /organizations;
// ZohoBooks.settings.READ).
func (c *Client) Organizations(ctx context.Context) ([]Organization, error) {
	var ans struct {
		Organizations []Organization `json:"organizations"`
	}
	if _, err := c.call(ctx, http.MethodGet, "organizations", nil, nil, nil, &ans); err != nil {
		return nil, fmt.Errorf("zohobooks: list organizations: %w", err)
	}
	return ans.Organizations, nil
}

// CheckOrganization makes sure the configured organization_id is one of
// the user's organizations; the error names the setting and the ids the
// user has (and matches ErrWrongOrganization).
func (c *Client) CheckOrganization(ctx context.Context) error {
	orgs, err := c.Organizations(ctx)
	if err != nil {
		return err
	}
	var have []string
	for _, o := range orgs {
		if string(o.OrganizationID) == c.cfg.OrganizationID {
			return nil
		}
		have = append(have, fmt.Sprintf("%s (%s)", o.OrganizationID, o.Name))
	}
	return fmt.Errorf("zohobooks: organization_id %q is not an organization of this user (it has %s): %w",
		c.cfg.OrganizationID, strings.Join(have, ", "), ErrWrongOrganization)
}

// ListContacts pages through the contacts matching opts, calling fn with
// each page; fn returns false to stop. It loops while page_context says
// has_more_page.
func (c *Client) ListContacts(ctx context.Context, opts ListOptions, fn func([]Contact) (bool, error)) error {
	per := opts.PerPage
	if per <= 0 {
		per = 200
	}
	for page := 1; ; page++ {
		q := url.Values{}
		for k, vs := range opts.Filters {
			q[k] = vs
		}
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(per))
		if opts.SortColumn != "" {
			q.Set("sort_column", opts.SortColumn)
		}
		var ans struct {
			Contacts    []Contact   `json:"contacts"`
			PageContext PageContext `json:"page_context"`
		}
		if _, err := c.call(ctx, http.MethodGet, "contacts", q, nil, nil, &ans); err != nil {
			return fmt.Errorf("zohobooks: list contacts page %d: %w", page, err)
		}
		if len(ans.Contacts) > 0 {
			more, err := fn(ans.Contacts)
			if err != nil || !more {
				return err
			}
		}
		if !ans.PageContext.HasMorePage || len(ans.Contacts) == 0 {
			return nil
		}
	}
}

// GetContact reads one contact whole (addresses, persons, custom
// fields). A contact that does not exist is an error IsNotFound accepts.
func (c *Client) GetContact(ctx context.Context, id string) (*Contact, error) {
	var ans struct {
		Contact Contact `json:"contact"`
	}
	if _, err := c.call(ctx, http.MethodGet, "contacts/"+url.PathEscape(id), nil, nil, nil, &ans); err != nil {
		return nil, fmt.Errorf("zohobooks: get contact %s: %w", id, err)
	}
	return &ans.Contact, nil
}

// CreateContact creates a contact from body (contact_name required;
// billing_address, contact_persons, custom_fields, …) and returns it.
func (c *Client) CreateContact(ctx context.Context, body map[string]any) (*Contact, error) {
	var ans struct {
		Contact Contact `json:"contact"`
	}
	if _, err := c.call(ctx, http.MethodPost, "contacts", nil, nil, body, &ans); err != nil {
		return nil, fmt.Errorf("zohobooks: create contact: %w", err)
	}
	return &ans.Contact, nil
}

// UpdateContact replaces the given keys of contact id (PUT; Books wants
// contact_name in every update). Books deletes the contact persons a PUT
// with contact_persons leaves out: send every person to keep with its
// contact_person_id.
func (c *Client) UpdateContact(ctx context.Context, id string, body map[string]any) (*Contact, error) {
	var ans struct {
		Contact Contact `json:"contact"`
	}
	if _, err := c.call(ctx, http.MethodPut, "contacts/"+url.PathEscape(id), nil, nil, body, &ans); err != nil {
		return nil, fmt.Errorf("zohobooks: update contact %s: %w", id, err)
	}
	return &ans.Contact, nil
}

// UpsertContact updates the contact whose unique custom field key
// (its API name, e.g. cf_revops_id) holds value, or creates one (PUT
// /contacts with X-Unique-Identifier-Key, X-Unique-Identifier-Value and
// X-Upsert: true). created is true when Books answered 201; a PUT is
// repeated by the transport after a lost answer, and the repeat updates
// what the first created.
func (c *Client) UpsertContact(ctx context.Context, key, value string, body map[string]any) (ct *Contact, created bool, err error) {
	var ans struct {
		Contact Contact `json:"contact"`
	}
	hdr := http.Header{"X-Unique-Identifier-Key": {key}, "X-Unique-Identifier-Value": {value}, "X-Upsert": {"true"}}
	status, err := c.call(ctx, http.MethodPut, "contacts", nil, hdr, body, &ans)
	if err != nil {
		return nil, false, fmt.Errorf("zohobooks: upsert contact by %s: %w", key, err)
	}
	return &ans.Contact, status == http.StatusCreated, nil
}

// DeleteContact deletes contact id.
func (c *Client) DeleteContact(ctx context.Context, id string) error {
	if _, err := c.call(ctx, http.MethodDelete, "contacts/"+url.PathEscape(id), nil, nil, nil, nil); err != nil {
		return fmt.Errorf("zohobooks: delete contact %s: %w", id, err)
	}
	return nil
}
