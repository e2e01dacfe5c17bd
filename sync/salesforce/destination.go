// Package salesforce is the Salesforce destination of revops sync: it
// writes records to sObjects through sObject Collections (200 records per
// call, allOrNone=false, one result per record), or, when a sync sends more
// than BulkThreshold records, through one Bulk API 2.0 ingest job whose
// result CSVs are mapped back to the input rows. It implements
// revsync.Destination over a crm/salesforce client built from the source's
// options (credentials and limits), so the same connected app serves
// extract and sync.
//
// # Retries and double writes
//
// Retries live in the shared transport (crm/httpx), which repeats GETs,
// PUTs and DELETEs on 429, 5xx and dropped connections, and a POST or
// PATCH only when the client marks it safe. Of the writes:
//
//   - insert (POST /composite/sobjects) is never retried: a create whose
//     answer was lost may have written, so Write returns an error and the
//     engine resolves the records with Find (by external id) before sending
//     them again;
//   - upsert by external id and update by Id (PATCH) are retried: they set
//     the same values again on the same records (an upsert retried after a
//     lost answer reports Created=false for the records its first attempt
//     created);
//   - delete (DELETE) is retried; a record the lost attempt already deleted
//     answers ENTITY_IS_DELETED, which Write reports as deleted;
//   - Bulk ingest jobs: see salesforce.Client.Ingest (the close is never
//     repeated blindly; a double upload is refused by Salesforce and the
//     job restarted).
//
// Per-record failures become revsync.RowError with the statusCode as Code;
// UNABLE_TO_LOCK_ROW and other transient codes are Retryable.
package salesforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/salesforce"
	revsync "github.com/revops/revops/sync"
)

// DefaultBulkThreshold is the number of records above which a sync goes
// through one Bulk API 2.0 ingest job instead of sObject Collections.
const DefaultBulkThreshold = 10_000

// collectionMax is the sObject Collections cap per call.
const collectionMax = 200

// Destination writes to one Salesforce org. It is used by one sync run at
// a time (from one goroutine), as revsync.Destination says.
type Destination struct {
	c             *salesforce.Client
	log           *slog.Logger
	bulkThreshold int
	schemas       map[string]*revsync.Schema // by lower-cased object name
	// budget is the org's API budget (SetBudget), nil without one.
	budget *budget.Budget
}

// SetBudget makes every sObject Collections call and Bulk API 2.0 ingest
// job check the org's API budget first: records whose call would take the
// org past it fail alone with BUDGET_EXCEEDED (retryable: sent again by a
// later run) without a request, the message saying when the budget
// frees. A call the budget refuses at its reservation (see
// budget.Budget.Gate: a query of a duplicate-check match, a converted
// lead's lookup) fails the records of the Write it was for that have no
// result yet the same way; one of a Bulk job already sent fails the
// Write. The spending is flushed to the budget's record after each Write.
func (d *Destination) SetBudget(b *budget.Budget) { d.budget = b }

// Option changes how New builds a Destination.
type Option func(*config)

type config struct {
	bulkThreshold int
	bulkPoll      time.Duration
}

// WithBulkThreshold sets the number of records above which a sync uses a
// Bulk API 2.0 ingest job (default DefaultBulkThreshold; n ≤ 0 keeps it).
func WithBulkThreshold(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.bulkThreshold = n
		}
	}
}

// WithBulkPoll sets the first wait between polls of a Bulk job (it doubles
// up to 10 s; default 50 ms).
func WithBulkPoll(d time.Duration) Option { return func(c *config) { c.bulkPoll = d } }

// New logs in to the org of a salesforce source's options (login URL, API
// version, auth flow and credentials, limits) and returns a Destination.
// Bad options or refused credentials fail here.
func New(ctx context.Context, client salesforce.Config, log *slog.Logger, options ...Option) (*Destination, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if client.ClientID == "" {
		return nil, errors.New("salesforce destination: no client id in the source's auth")
	}
	cfg := config{bulkThreshold: DefaultBulkThreshold}
	for _, o := range options {
		o(&cfg)
	}
	client.BulkPoll = cfg.bulkPoll
	c, err := salesforce.New(ctx, client, log)
	if err != nil {
		return nil, fmt.Errorf("salesforce destination: %w", err)
	}
	return &Destination{c: c, log: log, bulkThreshold: cfg.bulkThreshold, schemas: map[string]*revsync.Schema{}}, nil
}

// Client returns the API client (for its request statistics).
func (d *Destination) Client() *salesforce.Client { return d.c }

// Requests is the number of HTTP requests the client sent so far, every
// retry and token fetch included (revsync.RequestCounter: a run's API
// calls).
func (d *Destination) Requests() int64 { return d.c.Stats().Requests }

// System returns "salesforce".
func (d *Destination) System() string { return "salesforce" }

// BulkThreshold is the number of records above which writes go through
// Bulk API 2.0.
func (d *Destination) BulkThreshold() int { return d.bulkThreshold }

// MaxBatch is 200 (one sObject Collections call) when total is at most the
// bulk threshold, and total (one Bulk API 2.0 job) above it.
func (d *Destination) MaxBatch(op revsync.Op, total int) int {
	if total > d.bulkThreshold {
		return total
	}
	return collectionMax
}

// Describe reads the object's describe and maps its fields: types to the
// engine's vocabulary, Required = createable && !nillable &&
// !defaultedOnCreate, Restricted from restrictedPicklist, active picklist
// values, lengths and scales. Compound fields (address, location) are left
// out. The schema is cached for the Destination's life.
func (d *Destination) Describe(ctx context.Context, object string) (*revsync.Schema, error) {
	desc, err := d.c.Describe(ctx, object)
	if err != nil {
		return nil, err
	}
	s := &revsync.Schema{Object: desc.Name, Fields: make(map[string]revsync.Field, len(desc.Fields))}
	for _, f := range desc.Fields {
		t, ok := fieldType(f.Type)
		if !ok {
			continue
		}
		rf := revsync.Field{Name: f.Name, Type: t, Length: f.Length, Scale: f.Scale,
			Required: f.Required(), Createable: f.Createable, Updateable: f.Updateable,
			ExternalID: f.ExternalID, Unique: f.Unique, Restricted: f.RestrictedPick,
			ReferenceTo: slices.Clone(f.ReferenceTo)}
		if t == revsync.TypePicklist || t == revsync.TypeMultipicklist {
			for _, v := range f.PicklistValues {
				if v.Active {
					rf.Picklist = append(rf.Picklist, v.Value)
				}
			}
			if f.Type == "combobox" {
				rf.Restricted = false
			}
		}
		s.Fields[f.Name] = rf
	}
	d.schemas[strings.ToLower(object)] = s
	return cloneSchema(s), nil
}

// schema returns the cached schema of object, describing it when needed.
func (d *Destination) schema(ctx context.Context, object string) (*revsync.Schema, error) {
	if s := d.schemas[strings.ToLower(object)]; s != nil {
		return s, nil
	}
	if _, err := d.Describe(ctx, object); err != nil {
		return nil, err
	}
	return d.schemas[strings.ToLower(object)], nil
}

func cloneSchema(s *revsync.Schema) *revsync.Schema {
	return &revsync.Schema{Object: s.Object, Fields: maps.Clone(s.Fields)}
}

// fieldType maps a describe type to the engine's; false for compound and
// binary fields, which sync does not write.
func fieldType(t string) (revsync.FieldType, bool) {
	switch t {
	case "id":
		return revsync.TypeID, true
	case "reference":
		return revsync.TypeReference, true
	case "string", "encryptedstring", "time", "anyType":
		return revsync.TypeString, true
	case "textarea":
		return revsync.TypeTextarea, true
	case "email":
		return revsync.TypeEmail, true
	case "phone":
		return revsync.TypePhone, true
	case "url":
		return revsync.TypeURL, true
	case "picklist", "combobox":
		return revsync.TypePicklist, true
	case "multipicklist":
		return revsync.TypeMultipicklist, true
	case "boolean":
		return revsync.TypeBoolean, true
	case "int", "long":
		return revsync.TypeInt, true
	case "double":
		return revsync.TypeDouble, true
	case "currency":
		return revsync.TypeCurrency, true
	case "percent":
		return revsync.TypePercent, true
	case "date":
		return revsync.TypeDate, true
	case "datetime":
		return revsync.TypeDatetime, true
	}
	return "", false
}

var (
	_ revsync.Destination    = (*Destination)(nil)
	_ revsync.RequestCounter = (*Destination)(nil)
)
