//go:build !duckdb_arrow

package duckdb

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/load"
)

var errNoArrow = errors.New("duckdb: this revops was built without -tags duckdb_arrow (DuckDB's Arrow interface); build it with make build")

// Warehouse is unavailable in builds without the duckdb_arrow tag: Open fails.
type Warehouse struct{}

var _ load.Warehouse = (*Warehouse)(nil)

// Open fails: DuckDB's Arrow interface needs the build tag duckdb_arrow
// (the Makefile passes it).
func Open(ctx context.Context, opts Options) (*Warehouse, error) { return nil, errNoArrow }

// Dialect returns "duckdb".
func (*Warehouse) Dialect() string { return "duckdb" }

// Exec fails without the duckdb_arrow tag.
func (*Warehouse) Exec(context.Context, string, ...any) error { return errNoArrow }

// Query fails without the duckdb_arrow tag.
func (*Warehouse) Query(context.Context, string, ...any) (array.RecordReader, error) {
	return nil, errNoArrow
}

// Land fails without the duckdb_arrow tag.
func (*Warehouse) Land(context.Context, load.Table, array.RecordReader, load.LandOptions) (load.Stats, error) {
	return load.Stats{}, errNoArrow
}

// Close does nothing.
func (*Warehouse) Close() error { return nil }
