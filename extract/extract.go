// Package extract lands Salesforce, Zoho CRM and Zoho Desk records in
// the warehouse as Arrow record batches, incrementally.
//
// Each system has an Extractor in its own subpackage (extract/salesforce,
// extract/zoho) built on its API client in crm/. The Runner in this
// package owns everything that is the same for all of them: cursors,
// look-back de-duplication through merge landings, the _extracted_at and
// _source columns, history tables, concurrency and run records.
// Extractors never write state.
//
// Adding a source:
//  1. a package extract/<system> with Options (yaml tags, Validate) and an
//     Extractor built from them;
//  2. an entry in cmd/revops's source table;
//  3. its emulator in crm/<system>/<system>test, and tests against it;
//  4. an example in configs/.
package extract

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Columns every landed row carries besides the API's own fields.
const (
	// DeletedAt is when the source deleted the record (NULL while it lives).
	DeletedAt = "_deleted_at"
	// ExtractedAt is when this run read the record.
	ExtractedAt = "_extracted_at"
	// SourceColumn is the source's name from revops.yaml.
	SourceColumn = "_source"
	// ValidFrom and ValidTo bound a version in a <table>__history table.
	ValidFrom = "_valid_from"
	ValidTo   = "_valid_to"
)

// Object is one Salesforce object, Zoho CRM module or Desk collection a
// source extracts.
type Object struct {
	// Name is the API name: "Lead", "Leads", "tickets".
	Name string
	// Table is the warehouse table: Name in lower case.
	Table string
	// Key is the record-id column ("Id", "id").
	Key string
	// Modified is the column holding the record's last-change time, the
	// cursor field ("SystemModstamp", "Modified_Time", "modifiedTime");
	// empty for objects that can only be read whole.
	Modified string
	// History keeps every version seen in <Table>__history.
	History bool
}

// Extractor reads one source. Implementations are safe for concurrent use
// by several objects at once.
type Extractor interface {
	// Objects lists the configured objects, checked against the API's
	// metadata. An object the API does not know is an error naming it
	// (wrapping ErrUnknownObject); the known objects are still returned
	// beside that error, so that they extract while the run fails.
	Objects(ctx context.Context) ([]Object, error)
	// Extract streams the records of obj changed at or after since minus
	// the source's look-back window ("" reads everything), deleted records
	// included with DeletedAt set. The schema is built from the API's
	// metadata read in this call, so new fields appear as columns. When
	// Next returns false and Err is nil, Cursor is the new high-water mark
	// (since itself when nothing changed).
	Extract(ctx context.Context, obj Object, since string) (Stream, error)
}

// Stream is the records of one Extract call.
type Stream interface {
	array.RecordReader
	// Cursor is the high-water mark after a clean end of the stream.
	Cursor() string
}

// Checkpointer is implemented by streams that can tell, part way, a
// cursor that is safe to save. The Runner asks after each batch it has
// passed on, from the goroutine that calls Next, to land a long stream in
// several transactions (see Runner.CheckpointRows).
type Checkpointer interface {
	// Checkpoint returns a cursor covering the batches yielded so far: an
	// Extract started from it (with the source's inclusive filter and
	// look-back) misses nothing that this stream has not yielded yet.
	// ok is false while no such point exists (deletions not read yet, a
	// read whose order gives no watermark); a stream may then still end
	// with a Cursor. After Next returned false because of an error, the
	// checkpoint still describes the batches yielded before it, so the
	// Runner can keep them.
	Checkpoint() (cursor string, ok bool)
}

// Incompleter is implemented by streams that may end early on purpose
// (a per-run budget of API calls): after a clean end, Incomplete reports
// that Cursor is a checkpoint and records remain for the next run.
type Incompleter interface {
	Incomplete() bool
}

// Preparer is implemented by extractors that can start several objects'
// reads together (Salesforce: the first pages of up to 5 incremental
// reads in one Composite call). Before the first Extract of a run,
// the Runner calls Prepare once per source with the source's objects
// that this run extracts and, for each, the since its Extract will get
// ("" for a full read). Prepare makes no call and cannot fail; an
// Extract whose since differs from the prepared one reads as if
// unprepared.
type Preparer interface {
	Prepare(objs []Object, since []string)
}

// ErrUnknownObject is returned (wrapped, naming the object) for an object
// or module the source's API does not have.
var ErrUnknownObject = errors.New("unknown object")
