package sync

import "context"

// Op is the write operation a sync sends to a destination.
type Op string

// The operations a Destination must support.
const (
	// OpInsert creates new records.
	OpInsert Op = "insert"
	// OpUpdate changes existing records addressed by Record.ID.
	OpUpdate Op = "update"
	// OpUpsert creates or updates records matched by Match (external id or
	// duplicate-check fields).
	OpUpsert Op = "upsert"
	// OpDelete removes records addressed by Record.ID.
	OpDelete Op = "delete"
)

// Match says how model rows find destination records.
type Match struct {
	// By is "id" (the destination record id), "external_id" (a Salesforce
	// external id field) or "duplicate_check" (Zoho duplicate_check_fields).
	By string
	// Field is the Salesforce external id field when By is "external_id".
	Field string
	// Fields are the Zoho duplicate_check_fields when By is "duplicate_check".
	Fields []string
}

// Match kinds.
const (
	MatchID             = "id"
	MatchExternalID     = "external_id"
	MatchDuplicateCheck = "duplicate_check"
)

// FieldType is a destination field's type in a system-neutral vocabulary:
// "string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
// "boolean", "int", "double", "currency", "percent", "date", "datetime",
// "reference", "lookup", "id".
type FieldType string

// Field types known to the engine.
const (
	TypeString        FieldType = "string"
	TypeTextarea      FieldType = "textarea"
	TypeEmail         FieldType = "email"
	TypePhone         FieldType = "phone"
	TypeURL           FieldType = "url"
	TypePicklist      FieldType = "picklist"
	TypeMultipicklist FieldType = "multipicklist"
	TypeBoolean       FieldType = "boolean"
	TypeInt           FieldType = "int"
	TypeDouble        FieldType = "double"
	TypeCurrency      FieldType = "currency"
	TypePercent       FieldType = "percent"
	TypeDate          FieldType = "date"
	TypeDatetime      FieldType = "datetime"
	TypeReference     FieldType = "reference"
	TypeLookup        FieldType = "lookup"
	TypeID            FieldType = "id"
)

// Field describes one destination field, from the destination's own metadata.
type Field struct {
	// Name is the field's API name.
	Name string
	// Type is the field's type.
	Type FieldType
	// Length is the maximum length of text values (0: no limit known);
	// Scale is the number of decimals of numbers.
	Length, Scale int
	// Required: a create without this field fails. Createable / Updateable:
	// the field may be set on create / update. ExternalID: usable as an
	// upsert key. Unique: values must be unique. Restricted: picklist values
	// outside Picklist are refused.
	Required, Createable, Updateable, ExternalID, Unique, Restricted bool
	// Picklist lists the allowed values of picklist and multipicklist fields.
	Picklist []string
	// ReferenceTo names the objects a reference / lookup field points to.
	ReferenceTo []string
}

// Schema is a destination object's fields.
type Schema struct {
	// Object is the object's API name (Salesforce sObject or Zoho module).
	Object string
	// Fields holds the fields by API name.
	Fields map[string]Field
}

// Record is one row to write. Values are already coerced to the API's JSON
// types: string; float64 or int64; bool; "2006-01-02" dates; RFC 3339
// datetimes with offset; []string for multi-select. Lookups are plain id
// strings (the destination wraps them as its API wants). A nil value clears
// the field.
type Record struct {
	// Key is the model row's key (for logs and results; not sent).
	Key string
	// ID is the destination record id, for update and delete (and for
	// upsert when already known).
	ID string
	// Object is the object the record ID lives in when it is not the one
	// the sync writes: a Lead sync's row whose person revops found as a
	// Contact, or whose lead was converted into one. "" is the sync's
	// object. Values keep the sync's object's field names; the destination
	// translates them.
	Object string
	// Values maps destination field API names to values.
	Values map[string]any
}

// RowError is why one record was refused.
type RowError struct {
	// Code is the API's error code (e.g. "REQUIRED_FIELD_MISSING",
	// "DUPLICATE_DATA", "INVALID_DATA").
	Code string
	// Message is the API's message.
	Message string
	// Fields names the fields the error is about, when the API says.
	Fields []string
	// Retryable is true when sending the same record again may succeed
	// (lock contention, transient server errors).
	Retryable bool
	// Gone is true when the record the write addressed no longer exists:
	// someone deleted it (Salesforce ENTITY_IS_DELETED, or
	// INVALID_CROSS_REFERENCE_KEY on the record id; Zoho INVALID_DATA on
	// the record id). The sync's on_deleted policy decides what follows.
	Gone bool
	// Candidates are the records a row matched when there were several
	// (Code CodeAmbiguousMatch): the row is not written, and goes to
	// _revops.sync_review.
	Candidates []Candidate
}

// Candidate is one record a row's duplicate-check values matched.
type Candidate struct {
	// Object and ID name the record (the record a converted lead became,
	// when the match was the lead).
	Object string `json:"object"`
	ID     string `json:"id"`
	// Via is the duplicate-check entry that matched, e.g. "Email" or
	// "LastName+Company"; From names the record that matched when it is
	// not the one written (a converted lead: "Lead 00Q…").
	Via  string `json:"via"`
	From string `json:"from,omitempty"`
}

// Matcher is implemented by destinations that match records by
// duplicate-check values themselves (Salesforce, whose upsert knows only
// external ids). A sync matched by duplicate_check uses it to tell one
// match from several (which go to review), and a two-way link may use it
// to pair records.
type Matcher interface {
	// MatchRecords returns, for each key (duplicate-check field → value),
	// the distinct records that match the first entry of m.Fields that
	// matches any record: none, one, or several. A converted lead counts
	// as the contact it became. Called from one goroutine.
	MatchRecords(ctx context.Context, object string, m Match, keys []map[string]any) ([][]Candidate, error)
}

// UniqueIDs is what Find answers for keys a Matcher matched: per key, the
// id of its only candidate ("" for none or several).
func UniqueIDs(cands [][]Candidate) []string {
	out := make([]string, len(cands))
	for i, c := range cands {
		if len(c) == 1 {
			out[i] = c[0].ID
		}
	}
	return out
}

// ExistingIDs is what Find answers for match by id, for a destination
// that reads records one at a time: per key, key["id"] when exists says
// the record is there ("" when it is not, or the key has no id). An
// error of exists stops it.
func ExistingIDs(ctx context.Context, keys []map[string]any, exists func(ctx context.Context, id string) (bool, error)) ([]string, error) {
	out := make([]string, len(keys))
	for i, k := range keys {
		id, _ := k["id"].(string)
		if id == "" {
			continue
		}
		ok, err := exists(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out[i] = id
		}
	}
	return out, nil
}

// Error implements error.
func (e *RowError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return e.Code + ": " + e.Message
}

// Result is the outcome of one record of a Write.
type Result struct {
	// ID is the destination record id (set on success).
	ID string
	// Created is true when the record was created (insert, or an upsert
	// that created).
	Created bool
	// Object is the object written when it is not the one asked for (a
	// Lead sync's row written to the Contact its lead was converted into,
	// or found as a Contact); "" otherwise.
	Object string
	// Err is set when the record was refused.
	Err *RowError
}

// Destination is a system the engine writes to. One Destination is used by
// one sync run at a time; its methods are called from one goroutine.
type Destination interface {
	// System names the system: "salesforce" or "zoho_crm".
	System() string
	// Describe returns an object's fields from the destination's own
	// metadata (describe / fields API). Called once per sync run, before
	// any write.
	Describe(ctx context.Context, object string) (*Schema, error)
	// MaxBatch is the number of records per Write for a sync sending total
	// records with op (200 sObject Collections, 100 Zoho; for Salesforce
	// above the Bulk threshold, total: one Bulk API 2.0 ingest job).
	MaxBatch(op Op, total int) int
	// Write sends recs; one Result per record, in order. An error means
	// the whole call failed and nothing is known to be written (the runner
	// records every record as failed, retryable).
	Write(ctx context.Context, object string, op Op, m Match, recs []Record) ([]Result, error)
	// Find returns the destination ids of records matching each key (by
	// external id or duplicate-check fields; "" when none), used after a
	// crash to learn whether an insert already happened.
	Find(ctx context.Context, object string, m Match, keys []map[string]any) ([]string, error)
	// Read returns current values of fields for ids (for apply's
	// "destination changed since the plan" check).
	Read(ctx context.Context, object string, ids []string, fields []string) (map[string]map[string]any, error)
}

// RequestCounter is implemented by destinations whose HTTP layer counts
// the requests it sends (the crm clients' Stats). When a destination has
// it, a run's API calls are the requests sent during the run: every
// attempt (retries of 429, 5xx and dropped connections included), token
// refreshes, describes, finds, reads, writes and Bulk job requests. Else
// the run counts the engine's own calls (one per Describe, Find, Read and
// Write).
type RequestCounter interface {
	// Requests returns the number of HTTP requests sent so far.
	Requests() int64
}
