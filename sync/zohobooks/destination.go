// Package zohobooks is the Zoho Books destination of revops sync: it
// creates and updates Books customers (object "contacts", reference
// sheet §17) with their billing and shipping addresses and a primary
// contact person, over crm/zohobooks. It implements revsync.Destination
// and revsync.Matcher.
//
// # What it writes
//
// Object "contacts" with flat field names: contact_name (Books' display
// name, required, unique in an organization), company_name, website,
// contact_type (customer, the default, or vendor), customer_sub_type,
// notes, payment_terms; billing_address, billing_city, billing_state,
// billing_zip, billing_country, billing_phone, billing_attention,
// billing_street2 (and shipping_… alike) as the contact's address; and
// the primary contact person as first_name, last_name, email, phone,
// mobile, designation, salutation. Custom fields are written by their API
// names (cf_…) when the destination's options list them. contact_id,
// status, zcrm_account_id, created_time and last_modified_time are read
// only. Books has no batch write: one call per record (an update reads
// the contact first: Books deletes the contact persons a PUT leaves out,
// so every person is sent back with its contact_person_id), 20 records a
// Write.
//
// # Matching: never a duplicate
//
// A sync matched by external_id on a unique custom field (such as
// cf_revops_id, holding the CRM account's id) finds the customer by that
// field first; a customer it does not find there is then looked for by
// the primary person's e-mail and by display name (compared trimmed,
// single-spaced and in any case; a customer already stamped with another
// value does not count), and one found is updated and stamped. Only when
// none is found is the customer created, through Books' upsert (PUT
// /contacts with X-Unique-Identifier-Key): a PUT is safe to repeat, so a
// create whose answer was lost is repeated by the transport and updates
// what the first call created instead of creating it twice.
//
// Why a custom field and not zcrm_account_id: zcrm_account_id is Books'
// own link to a Zoho CRM account, set by Zoho's CRM integration (a list
// filter, read-only here), while the Closed Won customers come from
// Salesforce opportunities whose account ids are not Zoho CRM ids; and a
// unique custom field is the key Books' upsert takes, which makes the
// create idempotent in one call. zcrm_account_id can still be a
// duplicate_check entry, to match customers Zoho's integration made.
//
// A sync matched by duplicate_check tries its entries in order (email,
// contact_name, company_name, zcrm_account_id, cf_…): the first that
// matches decides (one: updated; several: the row goes to review,
// revsync.CodeAmbiguousMatch); none: created (POST), and a create whose
// answer was lost is looked up again by the same values.
package zohobooks

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/revops/revops/crm/zohobooks"
	revsync "github.com/revops/revops/sync"
)

// Object is the one object the destination writes.
const Object = "contacts"

// MaxWrite is the most records one Write takes (one call or two per
// record).
const MaxWrite = 20

// Destination writes the contacts of one Books organization. It is used
// by one sync run at a time, from one goroutine.
type Destination struct {
	c      *zohobooks.Client
	log    *slog.Logger
	custom []string
	schema *revsync.Schema
	// created remembers contacts this Destination created, by match
	// key, so that twins of one run update the first.
	created map[string]string
}

// New returns a Destination for cfg, writing the custom fields named in
// custom (API names, cf_…). It fetches a token and checks the
// organization_id at once (GET /organizations), so that bad credentials,
// a wrong data center or a wrong organization fail here, named.
func New(ctx context.Context, cfg zohobooks.Config, custom []string, log *slog.Logger) (*Destination, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = log
	for _, f := range custom {
		if !strings.HasPrefix(f, "cf_") {
			return nil, fmt.Errorf("zoho_books destination: custom_fields: %q is not a custom field API name (cf_…)", f)
		}
	}
	c, err := zohobooks.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("zoho_books destination: %w", err)
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("zoho_books destination: %w", err)
	}
	if err := c.CheckOrganization(ctx); err != nil {
		return nil, fmt.Errorf("zoho_books destination: %w", err)
	}
	return &Destination{c: c, log: log, custom: custom, created: map[string]string{}}, nil
}

// Client returns the API client.
func (d *Destination) Client() *zohobooks.Client { return d.c }

// Requests is the number of HTTP requests sent so far
// (revsync.RequestCounter).
func (d *Destination) Requests() int64 { return d.c.Stats().Requests }

// System returns "zoho_books".
func (d *Destination) System() string { return "zoho_books" }

// MaxBatch is MaxWrite.
func (d *Destination) MaxBatch(op revsync.Op, total int) int { return MaxWrite }

func checkObject(object string) error {
	if !strings.EqualFold(object, Object) {
		return fmt.Errorf("zoho_books: object %q: the Books destination writes contacts (customers)", object)
	}
	return nil
}

// addressParts maps the flat field suffixes to Books' address keys.
var addressParts = map[string]string{"attention": "attention", "address": "address", "street2": "street2", "city": "city",
	"state": "state", "zip": "zip", "country": "country", "phone": "phone"}

// personFields are the primary contact person's fields.
var personFields = []string{"salutation", "first_name", "last_name", "email", "phone", "mobile", "designation"}

// Describe returns the contact fields (a fixed list: Books has no fields
// API for contacts revops relies on) and the configured custom fields,
// after checking the organization is still there (one call, GET
// /organizations).
func (d *Destination) Describe(ctx context.Context, object string) (*revsync.Schema, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if err := d.c.CheckOrganization(ctx); err != nil {
		return nil, fmt.Errorf("zoho_books: describe contacts: %w", err)
	}
	f := map[string]revsync.Field{}
	add := func(name string, t revsync.FieldType, length int) {
		f[name] = revsync.Field{Name: name, Type: t, Length: length, Createable: true, Updateable: true}
	}
	add("contact_name", revsync.TypeString, 200)
	cn := f["contact_name"]
	cn.Required, cn.Unique = true, true
	f["contact_name"] = cn
	add("company_name", revsync.TypeString, 200)
	add("website", revsync.TypeURL, 0)
	add("notes", revsync.TypeTextarea, 0)
	add("payment_terms", revsync.TypeInt, 0)
	f["contact_type"] = revsync.Field{Name: "contact_type", Type: revsync.TypePicklist, Createable: true, Updateable: true,
		Restricted: true, Picklist: []string{"customer", "vendor"}}
	f["customer_sub_type"] = revsync.Field{Name: "customer_sub_type", Type: revsync.TypePicklist, Createable: true, Updateable: true,
		Restricted: true, Picklist: []string{"business", "individual"}}
	for _, kind := range []string{"billing", "shipping"} {
		for part := range addressParts {
			t, n := revsync.TypeString, 0
			switch part {
			case "address":
				n = 500
			case "phone":
				t = revsync.TypePhone
			}
			add(kind+"_"+part, t, n)
		}
	}
	for _, p := range personFields {
		add(p, revsync.TypeString, 0)
	}
	ln := f["last_name"]
	ln.Length = 100
	f["last_name"] = ln
	em := f["email"]
	em.Type, em.ExternalID = revsync.TypeEmail, true
	f["email"] = em
	for _, p := range []string{"phone", "mobile"} {
		x := f[p]
		x.Type = revsync.TypePhone
		f[p] = x
	}
	for _, name := range d.custom {
		f[name] = revsync.Field{Name: name, Type: revsync.TypeString, Createable: true, Updateable: true, ExternalID: true}
	}
	f["contact_id"] = revsync.Field{Name: "contact_id", Type: revsync.TypeID, Unique: true}
	f["zcrm_account_id"] = revsync.Field{Name: "zcrm_account_id", Type: revsync.TypeString, ExternalID: true}
	for _, name := range []string{"status", "created_time", "last_modified_time"} {
		t := revsync.TypeDatetime
		if name == "status" {
			t = revsync.TypeString
		}
		f[name] = revsync.Field{Name: name, Type: t}
	}
	d.schema = &revsync.Schema{Object: Object, Fields: f}
	return &revsync.Schema{Object: Object, Fields: maps.Clone(f)}, nil
}

func (d *Destination) schemaOf(ctx context.Context) (*revsync.Schema, error) {
	if d.schema != nil {
		return d.schema, nil
	}
	if _, err := d.Describe(ctx, Object); err != nil {
		return nil, err
	}
	return d.schema, nil
}

// flatten renders a contact in the destination's flat field names.
func flatten(c *zohobooks.Contact) map[string]any {
	out := map[string]any{"contact_id": string(c.ContactID), "contact_name": c.ContactName, "company_name": c.CompanyName,
		"website": c.Website, "notes": c.Notes, "contact_type": c.ContactType, "customer_sub_type": c.CustomerSubType,
		"status": c.Status, "zcrm_account_id": string(c.ZCRMAccountID), "created_time": c.CreatedTime,
		"last_modified_time": c.LastModifiedTime}
	if n, err := c.PaymentTerms.Int64(); err == nil {
		out["payment_terms"] = n
	}
	for kind, a := range map[string]*zohobooks.Address{"billing": c.BillingAddress, "shipping": c.ShippingAddress} {
		if a == nil {
			a = &zohobooks.Address{}
		}
		for part, v := range addressValues(a) {
			out[kind+"_"+part] = v
		}
	}
	p := primary(c)
	if p == nil {
		p = &zohobooks.Person{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone, Mobile: c.Mobile}
	}
	for k, v := range personValues(p) {
		out[k] = v
	}
	for k, v := range c.CF {
		out[k] = v
	}
	for _, cf := range c.CustomFields {
		if cf.APIName != "" {
			out[cf.APIName] = cf.Value
		}
	}
	for k, v := range out {
		if s, ok := v.(string); ok && s == "" {
			out[k] = nil
		}
	}
	return out
}

func addressValues(a *zohobooks.Address) map[string]string {
	return map[string]string{"attention": a.Attention, "address": a.Address, "street2": a.Street2, "city": a.City,
		"state": a.State, "zip": a.Zip, "country": a.Country, "phone": a.Phone}
}

func personValues(p *zohobooks.Person) map[string]string {
	return map[string]string{"salutation": p.Salutation, "first_name": p.FirstName, "last_name": p.LastName, "email": p.Email,
		"phone": p.Phone, "mobile": p.Mobile, "designation": p.Designation}
}

func primary(c *zohobooks.Contact) *zohobooks.Person {
	for i := range c.ContactPersons {
		if c.ContactPersons[i].IsPrimaryContact {
			return &c.ContactPersons[i]
		}
	}
	if len(c.ContactPersons) > 0 {
		return &c.ContactPersons[0]
	}
	return nil
}

// Read returns the current values of fields (all when empty) of the live
// contacts among ids: one GET each.
func (d *Destination) Read(ctx context.Context, object string, ids []string, fields []string) (map[string]map[string]any, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	out := map[string]map[string]any{}
	for _, id := range ids {
		c, err := d.c.GetContact(ctx, id)
		if zohobooks.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("zoho_books: read contacts: %w", err)
		}
		all := flatten(c)
		if len(fields) == 0 {
			out[id] = all
			continue
		}
		vals := make(map[string]any, len(fields))
		for _, f := range fields {
			vals[f] = all[f]
		}
		out[id] = vals
	}
	return out, nil
}

var (
	_ revsync.Destination    = (*Destination)(nil)
	_ revsync.RequestCounter = (*Destination)(nil)
	_ revsync.Matcher        = (*Destination)(nil)
)
