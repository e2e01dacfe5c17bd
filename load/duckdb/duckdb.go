//go:build duckdb_arrow

// Package duckdb is the default revops warehouse: DuckDB embedded in the
// process, one file on disk (or ":memory:"), Arrow in and Arrow out.
//
// Landings go through DuckDB's Arrow scan, read exactly once and with all
// columns (see duckdb/duckdb-go#24: a registered Arrow view may be read
// only once, and a projection of some of its columns reads wrong buffers).
package duckdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/revops/revops/load"
)

// Warehouse is a DuckDB database used as the revops warehouse.
type Warehouse struct {
	path      string
	connector *duckdb.Connector
	db        *sql.DB

	schemaMu sync.Mutex // CREATE SCHEMA runs one at a time

	mu     sync.Mutex
	tables map[string]*sync.Mutex // landing locks per table
	seq    uint64                 // names of temporary views and tables
	token  string                 // makes those names unique to this Warehouse
}

var _ load.Warehouse = (*Warehouse)(nil)

// Open opens (creating if needed) the DuckDB database at opts.Path and
// makes sure the _revops state tables exist. A file held by another
// process fails at once with load.ErrLocked.
func Open(ctx context.Context, opts Options) (*Warehouse, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	if opts.Path != ":memory:" {
		dir := filepath.Dir(opts.Path)
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("duckdb: open %s: directory %s: %w", opts.Path, dir, err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("duckdb: open %s: %s is not a directory", opts.Path, dir)
		}
	}
	dsn := opts.Path
	if dsn == ":memory:" {
		dsn = ""
	}
	var settings []string
	if opts.Threads > 0 {
		settings = append(settings, fmt.Sprintf("SET threads = %d", opts.Threads))
	}
	if opts.MemoryLimit != "" {
		settings = append(settings, "SET memory_limit = "+quoteString(opts.MemoryLimit))
	}
	connector, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, s := range settings {
			if _, err := ex.ExecContext(ctx, s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, openError(opts.Path, err)
	}
	var tok [4]byte
	_, _ = rand.Read(tok[:])
	w := &Warehouse{
		path:      opts.Path,
		connector: connector,
		db:        sql.OpenDB(connector),
		tables:    map[string]*sync.Mutex{},
		token:     hex.EncodeToString(tok[:]),
	}
	if err := w.ensureState(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	if err := w.dropLeftovers(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	return w, nil
}

// Prefixes of the objects a landing creates for its own use and drops
// before it returns. Earlier revops builds left the views behind in the
// database file (DuckDB's Arrow scan creates a persistent view, and
// releasing the stream does not drop it), where reading one crashed the
// process: the stream it points to is long gone. Open drops any it finds.
const (
	arrowPrefix = "_revops_arrow_"
	stagePrefix = "_revops_stage_"
	dedupPrefix = "_revops_dedup_"
)

// dropLeftovers drops the views and tables that landings of an earlier
// process left in the database. Dropping a view does not read it, so a
// view over a stream that no longer exists is dropped safely.
func (w *Warehouse) dropLeftovers(ctx context.Context) error {
	type object struct{ kind, schema, name string }
	var found []object
	collect := func(q, kind string) error {
		rows, err := w.db.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o := object{kind: kind}
			if err := rows.Scan(&o.schema, &o.name); err != nil {
				return err
			}
			found = append(found, o)
		}
		return rows.Err()
	}
	like := func(col, prefix string) string {
		return fmt.Sprintf(`starts_with(%s, %s)`, col, quoteString(prefix))
	}
	if err := collect(`SELECT schema_name, view_name FROM duckdb_views()
		WHERE NOT internal AND NOT temporary AND database_name = current_database() AND `+like("view_name", arrowPrefix), "VIEW"); err != nil {
		return fmt.Errorf("duckdb: open %s: look for leftover landing views: %w", w.path, err)
	}
	if err := collect(`SELECT schema_name, table_name FROM duckdb_tables()
		WHERE NOT internal AND NOT temporary AND database_name = current_database() AND (`+
		like("table_name", stagePrefix)+` OR `+like("table_name", dedupPrefix)+`)`, "TABLE"); err != nil {
		return fmt.Errorf("duckdb: open %s: look for leftover landing tables: %w", w.path, err)
	}
	for _, o := range found {
		q := fmt.Sprintf("DROP %s IF EXISTS %s.%s", o.kind, quoteIdent(o.schema), quoteIdent(o.name))
		if _, err := w.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("duckdb: open %s: drop leftover %s %s.%s: %w", w.path, strings.ToLower(o.kind), o.schema, o.name, err)
		}
	}
	return nil
}

var pidRE = regexp.MustCompile(`PID (\d+)`)

// openError turns DuckDB's open failures into messages a user can act on.
func openError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock"), strings.Contains(msg, "Conflicting lock"):
		holder := "another process"
		if m := pidRE.FindStringSubmatch(msg); m != nil {
			holder = "process " + m[1]
		}
		return fmt.Errorf("duckdb: %s is in use by %s (another revops run?); wait for it to finish or stop it: %w",
			path, holder, load.ErrLocked)
	case strings.Contains(msg, "Permission denied"), strings.Contains(msg, "Read-only file system"):
		return fmt.Errorf("duckdb: %s is not writable: %w", path, err)
	}
	return fmt.Errorf("duckdb: open %s: %w", path, err)
}

// Dialect returns "duckdb".
func (w *Warehouse) Dialect() string { return "duckdb" }

// Path returns the database file (or ":memory:").
func (w *Warehouse) Path() string { return w.path }

// DB exposes the database/sql handle for callers that want rows as Go
// values (the state helpers in package load, the CLI's tables).
func (w *Warehouse) DB() *sql.DB { return w.db }

// Exec runs statements that return no rows.
func (w *Warehouse) Exec(ctx context.Context, query string, args ...any) error {
	if _, err := w.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("duckdb: exec: %w", err)
	}
	return nil
}

// Query runs query and returns its result as Arrow record batches. The
// connection stays reserved until the reader is released.
func (w *Warehouse) Query(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("duckdb: query: %w", err)
	}
	var rdr array.RecordReader
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err = ar.QueryContext(ctx, query, args...)
		return err
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("duckdb: query: %w", err)
	}
	return &connReader{RecordReader: rdr, conn: conn}, nil
}

// connReader returns its connection to the pool when released.
type connReader struct {
	array.RecordReader
	conn *sql.Conn
	once sync.Once
}

func (r *connReader) Release() {
	r.RecordReader.Release()
	r.once.Do(func() { _ = r.conn.Close() })
}

// Close closes the database. Readers returned by Query must be released first.
func (w *Warehouse) Close() error {
	err := w.db.Close()
	if cerr := w.connector.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("duckdb: close %s: %w", w.path, err)
	}
	return nil
}

// tableLock returns the mutex serializing landings into t.
func (w *Warehouse) tableLock(t load.Table) *sync.Mutex {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := strings.ToLower(t.String())
	m, ok := w.tables[key]
	if !ok {
		m = &sync.Mutex{}
		w.tables[key] = m
	}
	return m
}

// nextName returns a fresh name for a landing's own view or table: the
// prefix, this Warehouse's token (so two processes, or two Warehouses in
// one, never pick the same name) and a counter.
func (w *Warehouse) nextName(prefix string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return fmt.Sprintf("%s%s_%d", prefix, w.token, w.seq)
}

// ensureState creates the _revops schema and its tables.
func (w *Warehouse) ensureState(ctx context.Context) error {
	stmts := []string{
		`CREATE SCHEMA IF NOT EXISTS _revops`,
		`CREATE TABLE IF NOT EXISTS _revops.runs (
			id VARCHAR NOT NULL,
			stage VARCHAR NOT NULL,
			target VARCHAR,
			started_at TIMESTAMP WITH TIME ZONE NOT NULL,
			finished_at TIMESTAMP WITH TIME ZONE,
			status VARCHAR NOT NULL,
			rows_read BIGINT,
			rows_written BIGINT,
			error VARCHAR
		)`,
		// The process that ran it (load.Process), to tell killed runs.
		`ALTER TABLE _revops.runs ADD COLUMN IF NOT EXISTS process VARCHAR`,
		// revops run: the stage runs of one `revops run` carry its id
		// (parent_id) and the run itself is a row of stage 'run' whose
		// detail holds its summary (JSON); api_calls counts the requests
		// of a run where they are known (extracts, whole runs).
		`ALTER TABLE _revops.runs ADD COLUMN IF NOT EXISTS parent_id VARCHAR`,
		`ALTER TABLE _revops.runs ADD COLUMN IF NOT EXISTS api_calls BIGINT`,
		`ALTER TABLE _revops.runs ADD COLUMN IF NOT EXISTS detail VARCHAR`,
		`CREATE TABLE IF NOT EXISTS _revops.cursors (
			source VARCHAR NOT NULL,
			object VARCHAR NOT NULL,
			value VARCHAR,
			updated_at TIMESTAMP WITH TIME ZONE NOT NULL
		)`,
	}
	for _, s := range stmts {
		if _, err := w.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: create state tables in %s: %w", w.path, err)
		}
	}
	return nil
}
