// Package load is the warehouse contract of revops: landing Arrow record
// batches into tables, querying them back as Arrow, and keeping the
// pipeline's own state (cursors, run history) in the `_revops` schema of
// the same warehouse.
//
// Engines live in subpackages (load/duckdb today); each runs the shared
// conformance suite in load/loadtest from its own tests.
//
// Adding an engine:
//  1. a package load/<engine> with a type that satisfies Warehouse;
//  2. a FromConfig that decodes its options and validates them;
//  3. a one-line entry in cmd/revops's warehouse table;
//  4. a test that calls loadtest.Run.
package load

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Mode says how a landing combines with what the table already holds.
type Mode string

const (
	// Append adds every row of the landing.
	Append Mode = "append"
	// Merge inserts rows whose key is new and updates rows whose key exists
	// and whose values changed. A key that occurs more than once in one
	// landing keeps its last occurrence.
	Merge Mode = "merge"
)

// StateSchema is the schema holding the pipeline's own tables.
const StateSchema = "_revops"

// Table names a destination table.
type Table struct {
	Schema string
	Name   string
}

// String returns schema.name.
func (t Table) String() string { return t.Schema + "." + t.Name }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports whether schema and name are plain identifiers
// (letters, digits, underscores), the only names revops creates.
func (t Table) Validate() error {
	if !identRE.MatchString(t.Schema) {
		return fmt.Errorf("table %q: schema %q is not a plain identifier (letters, digits, _)", t.String(), t.Schema)
	}
	if !identRE.MatchString(t.Name) {
		return fmt.Errorf("table %q: name %q is not a plain identifier (letters, digits, _)", t.String(), t.Name)
	}
	return nil
}

// CursorUpdate is a cursor value saved in the same transaction as a
// landing, so that rows and the cursor that covers them commit together.
type CursorUpdate struct {
	Source string
	Object string
	Value  string
	// Final, when set, is called after every row has been read and its
	// result is saved instead of Value: an extract knows its new
	// high-water mark only at the end of its stream.
	Final func() string
}

// History asks a Merge landing to keep every version of its rows in a
// second table, in the same transaction.
//
// Versions of one key never share a _valid_from, and a key has at most
// one current version (_valid_to NULL): none while it is deleted. A
// version starts at the record's modified time (ValidFrom) when that time
// moved past the current version's; a change seen without a newer
// modified time (a lookup's name renamed elsewhere, a formula field) starts
// a version at the time it was seen (SeenAt). Either way a version starts
// at least one microsecond after the version before it, so a source clock
// ahead of ours cannot make two versions collide. A deletion (the
// Tombstone column set) closes the current version at the deletion time
// (or one microsecond after its start, if later); a record restored
// afterwards opens a new version.
type History struct {
	// Table is the history relation: the main table's columns plus
	// _valid_from and _valid_to. Engines may build it from the versions
	// landings replaced (kept in <Table>_versions) and the current rows.
	Table Table
	// ValidFrom is the landing's column holding the record's last-modified
	// time, a timestamp.
	ValidFrom string
	// SeenAt is the landing's column holding when the row was read (e.g.
	// _extracted_at): the start of a version whose ValidFrom did not move.
	// Empty means the time of the landing.
	SeenAt string
}

// History columns. The main table of a landing with History also holds
// ValidFromColumn: the start of its current version (for a deleted row,
// the time its last version was closed), which may be later than the
// record's modified time.
const (
	ValidFromColumn = "_valid_from"
	ValidToColumn   = "_valid_to"
)

// LandOptions control one landing.
type LandOptions struct {
	Mode Mode
	// Key lists the primary-key columns; required for Merge. Key columns
	// must not hold NULLs.
	Key []string
	// Cursor, when set, is written to _revops.cursors in the landing's
	// transaction.
	Cursor *CursorUpdate
	// RunID, when set, names the _revops.runs row the landing belongs to:
	// the landing adds its rows read and written (inserted + updated) to
	// that run's counts in its own transaction, so a run killed after
	// some of its landings committed still accounts for what they wrote.
	RunID string
	// History, when set on a Merge landing, keeps every version.
	History *History
	// Tombstone names a column that marks deleted records in a Merge
	// landing. A row whose Tombstone column is set and whose other
	// non-key columns, Unversioned ones aside, are all NULL is a deletion
	// reported by id alone: it sets the Tombstone column (and the
	// Unversioned ones) on the existing row, keeping every other value, or
	// inserts the key with it. A row with values and the Tombstone set is
	// taken whole. A deleted record that arrives again with the Tombstone
	// NULL is restored.
	Tombstone string
	// Unversioned columns are written with every changed row but do not
	// make a row count as changed on their own (e.g. _extracted_at): a
	// record read again unchanged is left as it was.
	Unversioned []string
}

// Stats describes what a landing did.
type Stats struct {
	Rows      int64 // rows read from the landing
	Inserted  int64 // rows added
	Updated   int64 // existing rows whose values changed
	Unchanged int64 // existing rows whose values were already current (Merge)
	// AddedColumns and WidenedColumns list schema evolution the landing
	// performed.
	AddedColumns   []string
	WidenedColumns []string
	Duration       time.Duration
}

// Warehouse is what every engine provides. Implementations are safe for
// concurrent use; landings into the same table are serialized.
type Warehouse interface {
	// Dialect names the SQL dialect ("duckdb", "bigquery", "snowflake").
	Dialect() string
	// Exec runs one or more statements that return no rows.
	Exec(ctx context.Context, query string, args ...any) error
	// Query runs a statement and streams its result as Arrow record
	// batches. The caller must Release the reader.
	Query(ctx context.Context, query string, args ...any) (array.RecordReader, error)
	// Land writes r into t atomically: on any error nothing of the landing
	// (rows, schema changes, cursor) is visible. Land reads r exactly once.
	// Whatever the landing creates for its own use (staging tables, views
	// over r) is gone when it returns, whether it succeeded or failed.
	Land(ctx context.Context, t Table, r array.RecordReader, opts LandOptions) (Stats, error)
	// Close releases the warehouse. It does not close readers it returned.
	Close() error
}

// Sentinel errors shared by engines, tested with errors.Is.
var (
	// ErrNullKey: a key column of a Merge landing holds NULL.
	ErrNullKey = errors.New("key column holds NULL")
	// ErrIncompatibleType: a column's type changed in a way that cannot be widened safely.
	ErrIncompatibleType = errors.New("incompatible column type change")
	// ErrLocked: the warehouse is held by another process.
	ErrLocked = errors.New("warehouse is locked by another process")
	// ErrBadLanding: the landing's options or schema are invalid.
	ErrBadLanding = errors.New("invalid landing")
)

// Evolution is what a table's column needs so that a landing's column of
// another type fits in it.
type Evolution int

const (
	Keep   Evolution = iota // the table's type already holds the batch's values
	Widen                   // alter the table's column to the returned type
	Refuse                  // no safe common type
)

// Reconcile is the safe-widening rule every engine applies, on its own
// types: the table's type is kept when the batch's values fit in it, it
// is widened to the batch's type when its own values fit in that, two
// numeric types meet at float, and anything else is refused. fits
// reports whether every value of type a can be stored in a column of type
// b; numeric tells numbers; float is the engine's floating-point type.
func Reconcile[T any](table, batch T, fits func(a, b T) bool, numeric func(T) bool, float T) (Evolution, T) {
	if fits(batch, table) {
		return Keep, table
	}
	if fits(table, batch) {
		return Widen, batch
	}
	if numeric(table) && numeric(batch) {
		return Widen, float
	}
	return Refuse, table
}
