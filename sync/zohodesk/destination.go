// Package zohodesk is the Zoho Desk destination of revops sync: it creates
// and updates Desk contacts and accounts (reference sheet §15) from a
// zoho_desk source's options, so one OAuth client serves extract and sync.
// It implements revsync.Destination and revsync.Matcher over crm/zoho's
// Desk client.
//
// # What it writes
//
// Objects "contacts" and "accounts", with the keys Desk takes (lastName,
// email, accountId, …; accountName, website, …) and custom fields by their
// cf_ names (sent and read under cf). Desk has no batch write: each record
// is one call (a POST to create, a PATCH of the mapped fields to update),
// 20 records per Write. Modes insert, update and upsert work as on the
// other destinations. It never deletes: a delete is refused row by row
// (NOT_SUPPORTED) without a call, as Zoho's own Desk–CRM integration does
// not propagate deletions; mirror mode may archive (set a field) instead.
//
// # Matching (duplicate check)
//
// Desk's create does not refuse a duplicate (unconfirmed, sheet §15.3), so
// a sync matched by duplicate_check is matched by the destination itself,
// as the Salesforce destination does: the entries of match.fields are
// tried in order (an entry "firstName+lastName" matches when every part
// does), each with one search call (GET /{object}/search?email=…, or
// customFieldN=cf_x:value for a custom field; a phone by its last four
// digits; an entry needs one part Desk's search filters on, and its other
// parts, such as accountId, are only compared), and the records found are
// compared in a normal form (e-mail trimmed and lower-cased, phones by
// their last ten digits, other text trimmed, single-spaced and in any
// case). The first entry that matches any
// record decides: none, the record is created; one, it is updated; several,
// the row is not written (revsync.CodeAmbiguousMatch, with the candidates)
// and goes to review. Typically contacts match on email and accounts on
// accountName. A contact without e-mail is matched by a later entry, such
// as a custom text field the sync fills with the model's key
// (fields: [email, cf_revops_key]): it is created, and found again by that
// key, after a lost answer too.
//
// A run with more records to match than the collection has pages of 100
// lists the collection once instead and matches in memory with the same
// entries and normal forms, reading what changed in Desk before each
// Write's first create (index.go says how that keeps a record a user adds
// meanwhile from being duplicated).
//
// # Retries and lost answers
//
// The transport repeats a PATCH after a 5xx or a dropped connection (it
// sets the same values again) and a POST only when the server cannot have
// seen it (429, failed connect). A create whose answer was lost is looked
// up at once by its match values: found, it counts as created; not found,
// or not findable (an insert without match values), Write fails as a
// whole and the engine resolves its records with Find next run. An update
// of a record that no longer exists (deleted, or moved to Desk's trash)
// fails with Gone set, and the sync's on_deleted policy applies.
package zohodesk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// MaxWrite is the most records one Write takes: Desk writes one record per
// call, and 20 keeps what a stopped run leaves in flight small (and is the
// most ids one contactsByIds read takes).
const MaxWrite = 20

// Destination writes Desk contacts and accounts of one Desk org. It is
// used by one sync run at a time (from one goroutine), as
// revsync.Destination says.
type Destination struct {
	c       *zoho.Client
	desk    *zoho.Desk
	log     *slog.Logger
	schemas map[string]*schema
	// created remembers the records this Destination created, by object
	// and match key (entry and normal form of its values), so that twins
	// in one run update the record the first created even before Desk's
	// search finds it.
	created map[string]map[string]string
	// index holds, per object, the collection read once to match many
	// records in memory (see index.go); noIndex the objects whose read
	// was given up, tooBig the most records to match for which an
	// object was found too big to list.
	index   map[string]*index
	noIndex map[string]bool
	tooBig  map[string]int
	// pending is the number of records the engine said it is about to
	// upsert or update (MaxBatch's total): the most records the next
	// Writes and look-ups match.
	pending int
}

// schema is an object's fields as the engine sees them, with Desk's own
// types (custom fields are written under cf).
type schema struct {
	s        *revsync.Schema
	deskType map[string]string
}

// New returns a Destination for a zoho_desk source's options (data center
// or hosts, org id, OAuth client and refresh token, limits, transport). It
// fetches an access token at once, so that bad credentials or a wrong data
// center fail here. The refresh token needs Desk.contacts.READ, CREATE and
// UPDATE (accounts are under Desk.contacts too), Desk.search.READ, and
// Desk.settings.READ or Desk.basic.READ for the fields API.
func New(ctx context.Context, client zoho.Config, log *slog.Logger) (*Destination, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if client.OrgID == "" {
		return nil, errors.New("zoho_desk destination: no org_id in the source's options (Desk needs the orgId of every call)")
	}
	if client.ClientID == "" {
		return nil, errors.New("zoho_desk destination: no client id in the source's options")
	}
	client.System, client.Log = "zoho_desk", log
	c, err := zoho.New(client)
	if err != nil {
		return nil, fmt.Errorf("zoho_desk destination: %w", err)
	}
	desk, err := c.Desk()
	if err != nil {
		return nil, fmt.Errorf("zoho_desk destination: %w", err)
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("zoho_desk destination: %w", err)
	}
	return &Destination{c: c, desk: desk, log: log, schemas: map[string]*schema{}, created: map[string]map[string]string{},
		index: map[string]*index{}, noIndex: map[string]bool{}, tooBig: map[string]int{}}, nil
}

// Client returns the API client (for its request statistics).
func (d *Destination) Client() *zoho.Client { return d.c }

// Requests is the number of HTTP requests the client sent so far, every
// retry and token fetch included (revsync.RequestCounter).
func (d *Destination) Requests() int64 { return d.c.Stats().Requests }

// System returns "zoho_desk".
func (d *Destination) System() string { return "zoho_desk" }

// MaxBatch is MaxWrite whatever the operation and total. The total of an
// upsert or update is kept: the Writes (or the engine's look-ups by
// match values) that follow match up to that many records, and enough of
// them make the Destination list the collection once instead of
// searching per record (see index.go).
func (d *Destination) MaxBatch(op revsync.Op, total int) int {
	if op == revsync.OpUpsert || op == revsync.OpUpdate {
		d.pending = total
	}
	return MaxWrite
}

// kindOf returns the Desk object ("contacts" or "accounts") an object
// name means, in any case.
func kindOf(object string) (string, error) {
	switch k := strings.ToLower(object); k {
	case "contacts", "accounts":
		return k, nil
	}
	return "", fmt.Errorf("zoho_desk: object %q: the Desk destination writes contacts and accounts", object)
}

// readOnly are the keys Desk sets itself on every contact and account.
var readOnly = map[string]revsync.FieldType{
	"id": revsync.TypeID, "createdTime": revsync.TypeDatetime, "modifiedTime": revsync.TypeDatetime, "webUrl": revsync.TypeURL,
}

// Describe reads the object's fields (GET /organizationFields?module=;
// one call) and maps them: Desk's types to the engine's, Required from
// isMandatory (lastName, accountName), maxLength, picklist values
// (Restricted: Desk refuses others, unconfirmed), accountId as a lookup of
// accounts and ownerId of agents. ExternalID marks the fields a sync
// usually matches on: email (contacts), accountName (accounts), custom
// text fields, and a contact's accountId (the account part of an entry
// such as firstName+lastName+accountId, compared on the records found).
// id, createdTime, modifiedTime and webUrl are read-only.
// The schema is kept for the Destination's life.
func (d *Destination) Describe(ctx context.Context, object string) (*revsync.Schema, error) {
	kind, err := kindOf(object)
	if err != nil {
		return nil, err
	}
	fields, err := d.desk.DeskFields(ctx, kind)
	if err != nil {
		return nil, fmt.Errorf("zoho_desk: describe %s: %w", kind, err)
	}
	sc := &schema{s: &revsync.Schema{Object: kind, Fields: map[string]revsync.Field{}}, deskType: map[string]string{}}
	for _, f := range fields {
		t, ro, ok := fieldType(f.Type)
		if !ok || f.APIName == "" {
			continue
		}
		rf := revsync.Field{Name: f.APIName, Type: t, Length: f.MaxLength, Required: f.Mandatory && !ro, Createable: !ro,
			Updateable: !ro, Picklist: f.AllowedValues, Restricted: t == revsync.TypePicklist && len(f.AllowedValues) > 0,
			ExternalID: kind == "contacts" && (f.APIName == "email" || f.APIName == "accountId") ||
				kind == "accounts" && f.APIName == "accountName" || f.Custom && t == revsync.TypeString}
		switch f.APIName {
		case "accountId":
			rf.ReferenceTo = []string{"accounts"}
		case "ownerId":
			rf.ReferenceTo = []string{"agents"}
		}
		sc.s.Fields[f.APIName] = rf
		sc.deskType[f.APIName] = f.Type
	}
	for name, t := range readOnly {
		if _, ok := sc.s.Fields[name]; !ok {
			sc.s.Fields[name] = revsync.Field{Name: name, Type: t, Unique: name == "id"}
		}
	}
	d.schemas[kind] = sc
	return &revsync.Schema{Object: kind, Fields: maps.Clone(sc.s.Fields)}, nil
}

// schemaOf returns the kept schema of kind, describing it when needed.
func (d *Destination) schemaOf(ctx context.Context, kind string) (*schema, error) {
	if sc := d.schemas[kind]; sc != nil {
		return sc, nil
	}
	if _, err := d.Describe(ctx, kind); err != nil {
		return nil, err
	}
	return d.schemas[kind], nil
}

// fieldType maps a Desk field type to the engine's; ro for fields Desk
// computes; false for fields sync does not write (multi-record lookups).
func fieldType(t string) (ft revsync.FieldType, ro, ok bool) {
	switch t {
	case "Text":
		return revsync.TypeString, false, true
	case "Textarea", "LargeText":
		return revsync.TypeTextarea, false, true
	case "Email":
		return revsync.TypeEmail, false, true
	case "Phone", "Fax":
		return revsync.TypePhone, false, true
	case "URL":
		return revsync.TypeURL, false, true
	case "Picklist":
		return revsync.TypePicklist, false, true
	case "Multiselect":
		return revsync.TypeMultipicklist, false, true
	case "Number":
		return revsync.TypeInt, false, true
	case "Decimal":
		return revsync.TypeDouble, false, true
	case "Currency":
		return revsync.TypeCurrency, false, true
	case "Percent":
		return revsync.TypePercent, false, true
	case "Boolean":
		return revsync.TypeBoolean, false, true
	case "Date":
		return revsync.TypeDate, false, true
	case "DateTime":
		return revsync.TypeDatetime, false, true
	case "LookUp":
		return revsync.TypeLookup, false, true
	case "AutoNumber", "Formula":
		return revsync.TypeString, true, true
	}
	return "", false, false
}

var (
	_ revsync.Destination    = (*Destination)(nil)
	_ revsync.RequestCounter = (*Destination)(nil)
	_ revsync.Matcher        = (*Destination)(nil)
)
