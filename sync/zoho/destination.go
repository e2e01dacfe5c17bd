// Package zoho is the Zoho CRM destination of revops sync: it inserts,
// updates, upserts and deletes module records 100 per call (or, when a
// sync writes more than the bulk threshold, inserts, updates and upserts
// them through Bulk Write jobs of up to 25,000 records, each row's result
// read back from the job's result file with Zoho's codes), reads each
// record's outcome (code, action, details) into the engine's results, and
// answers Find and Read with COQL. Upserts matched by duplicate_check are
// matched by revops itself, with COQL (see MatchRecords: a Leads sync
// also among Contacts; several matches go to review). It implements
// revsync.Destination and revsync.Matcher over a crm/zoho client built
// from a zoho_crm source's options, so one OAuth client serves extract and
// sync.
//
// # Retries and double writes
//
// The shared transport (crm/httpx) repeats GETs, PUTs and DELETEs on 429,
// 5xx and dropped connections, and never a POST unless the client marks it
// safe (COQL, which only reads). So:
//
//   - insert and upsert (POST) are never retried: a call whose answer was
//     lost may have written, and Write returns an error; the engine then
//     resolves the records with Find (on the duplicate-check fields) before
//     sending them again, and an upsert re-sent matches the records the lost
//     call created;
//   - update (PUT) is retried: it sets the same values again;
//   - Bulk Write: the upload, polls and download are retried; creating an
//     insert job is not (an update or upsert job is: same values again);
//     a failed or lost job fails the whole Write, resolved as above;
//   - delete (DELETE) is retried; a record the lost attempt already deleted
//     answers INVALID_DATA "record not deleted", and Write then checks with
//     COQL that the record is gone and reports it deleted.
//
// # Mandatory fields
//
// Describe reports as Required both the system-mandatory fields and those
// the module's standard layout makes mandatory (read from the layouts
// API: Leads Company, Deals Closing_Date and Account_Name in a new org).
// The API itself checks the second kind only for records that name their
// layout, which Write never does, so the engine's checks are what keeps a
// sync from creating records the CRM's UI would refuse to save.
//
// Per-record failures become revsync.RowError with Zoho's code
// (MANDATORY_NOT_FOUND, INVALID_DATA, DUPLICATE_DATA, …) and the field the
// details name; RECORD_LOCKED, TOO_MANY_REQUESTS and INTERNAL_ERROR are
// Retryable.
package zoho

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"strings"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// Destination writes to one Zoho CRM org. It is used by one sync run at a
// time (from one goroutine), as revsync.Destination says.
type Destination struct {
	c       *zoho.Client
	log     *slog.Logger
	schemas map[string]*schema // by lower-cased module name
	// layouts caches each module's layout-mandatory fields: layouts are
	// read once in a Destination's life (one sync run).
	layouts map[string]map[string]bool
	// bulkThreshold: more records than this to write in one Write go
	// through Bulk Write.
	bulkThreshold int
	// budget is the org's API budget (SetBudget), nil without one.
	budget *budget.Budget
}

// SetBudget makes every write call and Bulk Write job check the org's API
// budget first: records whose call would take the org past it fail alone
// with BUDGET_EXCEEDED (retryable: sent again by a later run) without a
// request, the message saying when the budget frees. The spending is
// flushed to the budget's record after each Write.
func (d *Destination) SetBudget(b *budget.Budget) { d.budget = b }

// DefaultBulkThreshold is the number of records above which a sync
// writes through Bulk Write jobs (500 credits each, up to 25,000 records)
// instead of 100-record calls (one credit per ten records): above 5,000
// records a job costs fewer credits, and far fewer calls.
const DefaultBulkThreshold = 10_000

// Option changes how New builds a Destination.
type Option func(*config)

type config struct {
	bulkThreshold int
}

// WithBulkThreshold sets the number of records above which a sync writes
// through Bulk Write (default DefaultBulkThreshold; 0 keeps it; a negative
// n never uses Bulk Write).
func WithBulkThreshold(n int) Option {
	return func(c *config) {
		switch {
		case n > 0:
			c.bulkThreshold = n
		case n < 0:
			c.bulkThreshold = math.MaxInt
		}
	}
}

// schema is a module's fields as the engine sees them, plus Zoho's own
// data types (lookups and datetimes are written differently).
type schema struct {
	s        *revsync.Schema
	dataType map[string]string // field API name → Zoho data_type
	custom   map[string]bool   // the org's own fields (custom_field)
}

// New returns a Destination for a zoho_crm source's options (data center
// or hosts, OAuth client and refresh token, limits, transport). It fetches
// an access token at once, so bad credentials or a wrong data center fail
// here. Zoho Desk sources are refused.
func New(ctx context.Context, client zoho.Config, log *slog.Logger, options ...Option) (*Destination, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if client.System == "zoho_desk" || client.DeskURL != "" || client.OrgID != "" {
		return nil, errors.New("zoho destination: a zoho_desk source cannot be a sync destination (zoho_crm only)")
	}
	if client.ClientID == "" {
		return nil, errors.New("zoho destination: no client id in the source's options")
	}
	client.System, client.Log = "zoho_crm", log
	c, err := zoho.New(client)
	if err != nil {
		return nil, fmt.Errorf("zoho destination: %w", err)
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("zoho destination: %w", err)
	}
	cfg := config{bulkThreshold: DefaultBulkThreshold}
	for _, o := range options {
		o(&cfg)
	}
	return &Destination{c: c, log: log, schemas: map[string]*schema{}, layouts: map[string]map[string]bool{},
		bulkThreshold: cfg.bulkThreshold}, nil
}

// Client returns the API client (for its request statistics).
func (d *Destination) Client() *zoho.Client { return d.c }

// Requests is the number of HTTP requests the client sent so far, every
// retry and token fetch included (revsync.RequestCounter: a run's API
// calls).
func (d *Destination) Requests() int64 { return d.c.Stats().Requests }

// System returns "zoho_crm".
func (d *Destination) System() string { return "zoho_crm" }

// MaxBatch is 100 (the most records one insert, update, upsert or delete
// call takes) when total is at most the bulk threshold, and total above
// it for inserts, updates and upserts: one Write, whose records go through
// Bulk Write jobs of up to 25,000 (deletes stay 100 per call).
func (d *Destination) MaxBatch(op revsync.Op, total int) int {
	if total > d.bulkThreshold && op != revsync.OpDelete {
		return total
	}
	return zoho.MaxWrite
}

// BulkThreshold is the number of records above which writes go through
// Bulk Write.
func (d *Destination) BulkThreshold() int { return d.bulkThreshold }

// systemDupField is each standard module's system duplicate-check field
// (reference sheet §2.4); custom modules use Name.
var systemDupField = map[string]string{
	"leads": "Email", "contacts": "Email", "accounts": "Account_Name", "deals": "Deal_Name",
	"campaigns": "Campaign_Name", "cases": "Subject", "solutions": "Solution_Title", "products": "Product_Name",
	"vendors": "Vendor_Name", "price_books": "Price_Book_Name", "quotes": "Subject", "sales_orders": "Subject",
	"purchase_orders": "Subject", "invoices": "Subject",
}

// Describe reads the module's fields API and maps it: data_type to the
// engine's types, Createable and Updateable from read_only, lengths,
// decimal places, picklist values (without "-None-"), lookup targets;
// ExternalID marks the fields upsert can match on (unique fields and the
// module's system duplicate-check field). Zoho accepts new picklist values
// on write, so no picklist is Restricted. Fields sync cannot write
// (subforms, files, multi-select lookups) are left out.
//
// Required is what a record created by sync needs: the system-mandatory
// fields, and the fields the module's standard layout makes mandatory,
// read from the layouts API (in a new org Leads Company, Deals
// Closing_Date and Account_Name; each org's own layout decides). Zoho's
// API checks layout-mandatory fields only for records that name their
// layout, so without this a sync would create records the UI then refuses
// to save; with it the engine refuses, before any call, a spec whose
// mapping leaves one out, and fails alone a row that has no value for
// one. Layouts need the ZohoCRM.settings.layouts.READ scope (or
// settings.ALL): a token without it, or a module without layouts, gets a
// warning and the system-mandatory fields only. A module's layout is read
// once in the Destination's life (its first Describe: two calls, later
// ones one); the schema is cached for the Destination's life.
func (d *Destination) Describe(ctx context.Context, module string) (*revsync.Schema, error) {
	fields, err := d.c.Fields(ctx, module)
	if err != nil {
		return nil, err
	}
	layoutRequired, err := d.layoutRequired(ctx, module)
	if err != nil {
		return nil, err
	}
	dup, ok := systemDupField[strings.ToLower(module)]
	if !ok {
		dup = "Name"
	}
	sc := &schema{s: &revsync.Schema{Object: module, Fields: map[string]revsync.Field{}}, dataType: map[string]string{}, custom: map[string]bool{}}
	for _, f := range fields {
		t, ok := fieldType(f)
		if !ok {
			continue
		}
		ro := f.ReadOnly || isSystemField(f.APIName) || f.DataType == "formula" || f.DataType == "rollup_summary" ||
			f.DataType == "autonumber"
		rf := revsync.Field{Name: f.APIName, Type: t, Length: f.Length, Required: (f.SystemMandatory || layoutRequired[f.APIName]) && !ro,
			Createable: !ro, Updateable: !ro, Unique: f.IsUnique(), ExternalID: f.IsUnique() || f.APIName == dup}
		if f.DecimalPlace != nil {
			rf.Scale = *f.DecimalPlace
		}
		for _, v := range f.PickListValues {
			if v.ActualValue != "" && v.ActualValue != "-None-" {
				rf.Picklist = append(rf.Picklist, v.ActualValue)
			}
		}
		switch f.DataType {
		case "lookup":
			if m := f.LookupModule(); m != "" {
				rf.ReferenceTo = []string{m}
			}
		case "ownerlookup", "userlookup":
			rf.ReferenceTo = []string{"users"}
		}
		if f.APIName == "id" {
			rf.Type, rf.Length = revsync.TypeID, 0
		}
		sc.s.Fields[f.APIName] = rf
		sc.dataType[f.APIName] = f.DataType
		sc.custom[f.APIName] = f.CustomField
	}
	if _, ok := sc.s.Fields["id"]; !ok {
		sc.s.Fields["id"] = revsync.Field{Name: "id", Type: revsync.TypeID, Unique: true}
	}
	d.schemas[strings.ToLower(module)] = sc
	return &revsync.Schema{Object: module, Fields: maps.Clone(sc.s.Fields)}, nil
}

// layoutRefusals are the answers of the layouts API that mean "no layout
// for you" rather than a failure worth stopping for.
var layoutRefusals = map[string]bool{"OAUTH_SCOPE_MISMATCH": true, "NO_PERMISSION": true, "AUTHORIZATION_FAILED": true,
	"NOT_SUPPORTED": true, "INVALID_MODULE": true, "INVALID_URL_PATTERN": true}

// layoutRequired returns the fields the module's standard layout makes
// mandatory. When Zoho refuses the layouts call (a missing scope, a module
// without layouts) it warns and returns none; other failures are errors.
func (d *Destination) layoutRequired(ctx context.Context, module string) (map[string]bool, error) {
	key := strings.ToLower(module)
	if req, ok := d.layouts[key]; ok {
		return req, nil
	}
	req, err := d.readLayout(ctx, module)
	if err != nil {
		return nil, err
	}
	d.layouts[key] = req
	return req, nil
}

func (d *Destination) readLayout(ctx context.Context, module string) (map[string]bool, error) {
	layouts, err := d.c.Layouts(ctx, module)
	if err != nil {
		var ae *zoho.APIError
		if errors.As(err, &ae) && layoutRefusals[ae.Code] {
			d.log.Warn("zoho destination: cannot read the module's layouts, so records are checked for system-mandatory fields only",
				"module", module, "code", ae.Code, "hint", "grant ZohoCRM.settings.layouts.READ (or ZohoCRM.settings.ALL)")
			return nil, nil
		}
		return nil, err
	}
	l, ok := zoho.StandardLayout(layouts)
	if !ok {
		return nil, nil
	}
	out := map[string]bool{}
	for _, f := range l.Required() {
		out[f.APIName] = true
	}
	d.log.Debug("zoho destination: layout", "module", module, "layout", l.Name, "id", l.ID, "required", len(out))
	return out, nil
}

// schemaOf returns the cached schema of module, describing it when needed.
func (d *Destination) schemaOf(ctx context.Context, module string) (*schema, error) {
	if sc := d.schemas[strings.ToLower(module)]; sc != nil {
		return sc, nil
	}
	if _, err := d.Describe(ctx, module); err != nil {
		return nil, err
	}
	return d.schemas[strings.ToLower(module)], nil
}

// isSystemField names the fields every record has and only Zoho sets.
func isSystemField(name string) bool {
	switch name {
	case "id", "Created_Time", "Modified_Time", "Created_By", "Modified_By", "Last_Activity_Time":
		return true
	}
	return false
}

// fieldType maps Zoho's data_type to the engine's; false for fields sync
// does not write.
func fieldType(f zoho.Field) (revsync.FieldType, bool) {
	dt := f.DataType
	if dt == "formula" && f.Formula != nil {
		dt = f.Formula.ReturnType
	}
	switch dt {
	case "text", "autonumber":
		return revsync.TypeString, true
	case "textarea":
		return revsync.TypeTextarea, true
	case "email":
		return revsync.TypeEmail, true
	case "phone":
		return revsync.TypePhone, true
	case "website":
		return revsync.TypeURL, true
	case "picklist":
		return revsync.TypePicklist, true
	case "multiselectpicklist":
		return revsync.TypeMultipicklist, true
	case "integer", "bigint":
		return revsync.TypeInt, true
	case "double", "decimal":
		return revsync.TypeDouble, true
	case "currency", "rollup_summary":
		return revsync.TypeCurrency, true
	case "percent":
		return revsync.TypePercent, true
	case "boolean":
		return revsync.TypeBoolean, true
	case "date":
		return revsync.TypeDate, true
	case "datetime":
		return revsync.TypeDatetime, true
	case "lookup", "ownerlookup", "userlookup":
		return revsync.TypeLookup, true
	}
	return "", false
}

var (
	_ revsync.Destination    = (*Destination)(nil)
	_ revsync.RequestCounter = (*Destination)(nil)
	_ revsync.Matcher        = (*Destination)(nil)
)
