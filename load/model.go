package load

import (
	"context"
	"errors"
	"time"
)

// ModelKind says how a model's SELECT becomes a relation.
type ModelKind string

const (
	// ModelView creates (or replaces) a view over the SELECT.
	ModelView ModelKind = "view"
	// ModelTable rebuilds a table from the SELECT and swaps it in
	// atomically: a failed build leaves the previous table in place.
	ModelTable ModelKind = "table"
	// ModelIncremental creates a table on its first build; later builds
	// merge the SELECT's rows into it on UniqueKey (new keys inserted,
	// existing keys replaced), in one transaction.
	ModelIncremental ModelKind = "incremental"
)

// Model is one relation to materialize, as the model engine hands it to
// a warehouse: its name, its rendered SELECT (already in the warehouse's
// dialect) and how to materialize it.
type Model struct {
	Schema string
	Name   string
	// SQL is one SELECT (possibly WITH ... SELECT), without a trailing
	// semicolon.
	SQL  string
	Kind ModelKind
	// UniqueKey lists the columns an incremental model merges on.
	UniqueKey []string
	// FullRefresh rebuilds an incremental model from scratch, as a table.
	FullRefresh bool
}

// Table returns the model's relation.
func (m Model) Table() Table { return Table{Schema: m.Schema, Name: m.Name} }

// ModelStats describes one materialization.
type ModelStats struct {
	// Rows is the number of rows the table holds after the build (table),
	// or the rows the SELECT returned and were merged (incremental); 0 for
	// a view.
	Rows     int64
	Duration time.Duration
}

// Relation is a table or view that exists in the warehouse.
type Relation struct {
	Table
	View bool
}

// Materializer turns models into relations. It is implemented by engines
// (load/duckdb) and used by the model engine, which may call it from
// several goroutines at once for independent models.
type Materializer interface {
	// Materialize builds m. On error the warehouse holds what it held
	// before (a view or table is replaced only when its new version was
	// built). Errors carry the warehouse's own message.
	Materialize(ctx context.Context, m Model) (ModelStats, error)
	// Relations lists the tables and views of every schema (not the
	// warehouse's internal ones). The model engine calls it once per run.
	Relations(ctx context.Context) ([]Relation, error)
}

// Macros renders the SQL that differs between warehouses, under portable
// names the model templates use. Arguments are SQL expressions (or, for
// units and types, the portable names listed with each method) and the
// result is an SQL expression in the engine's dialect. Implementations
// are stateless and safe for concurrent use.
type Macros interface {
	// Ident quotes an identifier.
	Ident(name string) string
	// Relation renders a schema-qualified relation name.
	Relation(t Table) string
	// Literal renders a string literal.
	Literal(s string) string
	// DateDiff counts unit boundaries (day, hour, week, month) from a to b.
	DateDiff(unit, a, b string) string
	// DateTrunc truncates x to its unit (hour, day, week (Monday), month,
	// quarter, year).
	DateTrunc(unit, x string) string
	// Similarity scores two strings from 0 (nothing alike) to 1 (equal).
	Similarity(a, b string) string
	// RegexpMatches is true when pattern (an SQL string expression)
	// matches anywhere in x.
	RegexpMatches(x, pattern string) string
	// RegexpReplace replaces every match of pattern in x by repl.
	RegexpReplace(x, pattern, repl string) string
	// SafeCast converts x to typ (bigint, double, varchar, date,
	// timestamp, boolean), NULL where it does not convert. An unknown typ
	// is an error.
	SafeCast(x, typ string) (string, error)
	// Hash renders a stable hexadecimal hash of the expressions (NULLs
	// hash like empty strings).
	Hash(exprs ...string) string
	// Now renders the current timestamp.
	Now() string
}

// ErrBadModel: a model the warehouse refuses before running any SQL
// (bad name, an incremental model without a unique key, an unknown kind).
var ErrBadModel = errors.New("invalid model")

// PortableTypes are the type names SafeCast and seed headers accept.
var PortableTypes = []string{"bigint", "double", "varchar", "date", "timestamp", "boolean"}
