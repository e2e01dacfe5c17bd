package snowflake

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	sf "github.com/snowflakedb/gosnowflake"

	"github.com/revops/revops/load"
)

// Warehouse is a Snowflake database used as the revops warehouse, through
// the gosnowflake driver.
type Warehouse struct {
	opts Options
	db   *sql.DB

	schemaMu sync.Mutex
	schemas  map[string]bool // schemas known to exist

	mu     sync.Mutex
	tables map[string]*sync.Mutex
	seq    uint64
	token  string

	countMu sync.Mutex
	counts  LandingFigures

	pkMu sync.Mutex
	pks  map[string][]string // primary keys of the tables render saw created, by stored name
}

var quietDriver sync.Once

// LandingFigures add up what landings sent.
type LandingFigures struct {
	Landings   int64
	Statements int64 // statements sent by landings (PUT and COPY included)
	Puts       int64
	Copies     int64
	Bytes      int64 // Parquet bytes PUT
}

var (
	_ load.Warehouse    = (*Warehouse)(nil)
	_ load.Materializer = (*Warehouse)(nil)
)

// Open connects (logging in once per pooled connection) and makes sure
// the _revops state tables exist.
func Open(ctx context.Context, opts Options) (*Warehouse, error) {
	w, err := OpenNoState(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := w.ensureState(ctx); err != nil {
		_ = w.db.Close()
		return nil, err
	}
	return w, nil
}

// OpenNoState connects without touching the database's contents (for
// administration: creating the database Open will use).
func OpenNoState(ctx context.Context, opts Options) (*Warehouse, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("snowflake: %w", err)
	}
	if err := opts.loadKey(); err != nil {
		return nil, fmt.Errorf("snowflake: %w", err)
	}
	quietDriver.Do(func() {
		// The driver logs every failed statement to stderr on its own;
		// revops reports the errors it gets (and expects some, such as a
		// probe for a table that does not exist yet).
		_ = sf.GetLogger().SetLogLevel("fatal")
	})
	utc, arrowFormat := "UTC", "ARROW"
	cfg := sf.Config{
		Account: opts.Account, User: opts.User, Password: opts.Password,
		Role: opts.Role, Warehouse: opts.Warehouse, Database: opts.Database, Schema: "PUBLIC",
		Host: opts.Host, Port: opts.Port, Protocol: opts.Protocol,
		// Arrow results are the service's default for Go clients; named
		// here so that an emulator answers them too.
		Params:        map[string]*string{"TIMEZONE": &utc, "GO_QUERY_RESULT_FORMAT": &arrowFormat},
		MaxRetryCount: 7,
	}
	if opts.PrivateKey != nil {
		cfg.Authenticator = sf.AuthTypeJwt
		cfg.PrivateKey = opts.PrivateKey
	}
	if opts.Protocol == "http" {
		cfg.DisableOCSPChecks = true
	}
	var tok [4]byte
	_, _ = rand.Read(tok[:])
	w := &Warehouse{opts: opts, db: sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, cfg)),
		schemas: map[string]bool{}, tables: map[string]*sync.Mutex{}, pks: map[string][]string{}, token: hex.EncodeToString(tok[:])}
	return w, nil
}

// describe turns driver errors into messages that name the setting at
// fault; the driver's text never holds the password or key.
func (w *Warehouse) describe(err error) error {
	var se *sf.SnowflakeError
	if errors.As(err, &se) {
		switch se.Number {
		case 390100, 390144:
			return fmt.Errorf("snowflake: login as %s to account %s refused (check user, password or private_key_file): %w", w.opts.User, w.opts.Account, err)
		case 390189, 390201:
			return fmt.Errorf("snowflake: database %s or warehouse %s does not exist or the role may not use it (check database, warehouse, role): %w",
				w.opts.Database, w.opts.Warehouse, err)
		}
	}
	return err
}

// ensureState creates the _revops schema and its tables. They use
// unquoted names, which Snowflake stores upper-case, so that plain SQL
// (`SELECT ... FROM _revops.runs`) reads them.
func (w *Warehouse) ensureState(ctx context.Context) error {
	stmts := []string{
		`CREATE SCHEMA IF NOT EXISTS _revops`,
		`CREATE TABLE IF NOT EXISTS _revops.runs (
			id VARCHAR NOT NULL, stage VARCHAR NOT NULL, target VARCHAR,
			started_at TIMESTAMP_TZ NOT NULL, finished_at TIMESTAMP_TZ, status VARCHAR NOT NULL,
			rows_read NUMBER(38,0), rows_written NUMBER(38,0), error VARCHAR, process VARCHAR,
			parent_id VARCHAR, api_calls NUMBER(38,0), detail VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS _revops.cursors (
			source VARCHAR NOT NULL, object VARCHAR NOT NULL, value VARCHAR, updated_at TIMESTAMP_TZ NOT NULL)`,
	}
	for _, s := range stmts {
		if _, err := w.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("snowflake: create state tables in database %s: %w", w.opts.Database, w.describe(err))
		}
	}
	w.schemas[storedName(load.StateSchema)] = true
	return nil
}

// Dialect returns "snowflake".
func (w *Warehouse) Dialect() string { return "snowflake" }

// Macros returns Snowflake's dialect macros.
func (w *Warehouse) Macros() load.Macros { return Macros{} }

// DB exposes the database/sql handle.
func (w *Warehouse) DB() *sql.DB { return w.db }

// LandingFigures returns what this Warehouse's landings sent so far.
func (w *Warehouse) LandingFigures() LandingFigures {
	w.countMu.Lock()
	defer w.countMu.Unlock()
	return w.counts
}

// Exec runs one or more statements that return no rows, rendered in
// Snowflake SQL (see render). Several statements without arguments go in
// one multi-statement request.
func (w *Warehouse) Exec(ctx context.Context, query string, args ...any) error {
	query, err := w.render(query)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		var err error
		ctx, err = sf.WithMultiStatement(ctx, 0)
		if err != nil {
			return fmt.Errorf("snowflake: exec: %w", err)
		}
	}
	if _, err := w.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("snowflake: exec: %w", w.describe(err))
	}
	return nil
}

// Query runs query and streams its result as the driver's Arrow result
// batches, typed by the result's Snowflake column types (see rowsReader).
// The connection stays reserved until the reader is released.
func (w *Warehouse) Query(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	query, err := w.render(query)
	if err != nil {
		return nil, err
	}
	r, err := w.queryArrow(ctx, query, args)
	if err != nil {
		return nil, fmt.Errorf("snowflake: query: %w", w.describe(err))
	}
	return r, nil
}

// Close closes the connection pool (each connection's session with it).
func (w *Warehouse) Close() error {
	if err := w.db.Close(); err != nil {
		return fmt.Errorf("snowflake: close: %w", err)
	}
	return nil
}

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

func (w *Warehouse) nextName(prefix string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return fmt.Sprintf("%s%s_%d", prefix, w.token, w.seq)
}

// createSchema creates a schema (once per Warehouse), outside any
// transaction: DDL commits an open transaction in Snowflake. It reports
// whether it sent the statement.
func (w *Warehouse) createSchema(ctx context.Context, conn *sql.Conn, schema string) (bool, error) {
	w.schemaMu.Lock()
	defer w.schemaMu.Unlock()
	if w.schemas[storedName(schema)] {
		return false, nil
	}
	if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(schema)); err != nil {
		return true, fmt.Errorf("create schema %s: %w", schema, w.describe(err))
	}
	w.schemas[storedName(schema)] = true
	return true, nil
}

// Relations lists the tables and views of the database's schemas, but
// Snowflake's INFORMATION_SCHEMA and revops's _revops, by the names revops
// gave them (see storedName: RAW.PEOPLE is raw.people).
func (w *Warehouse) Relations(ctx context.Context) ([]load.Relation, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT table_schema, table_name, table_type FROM information_schema.tables
		WHERE upper(table_schema) NOT IN ('INFORMATION_SCHEMA', ?) ORDER BY table_schema, table_name`, strings.ToUpper(load.StateSchema))
	if err != nil {
		return nil, fmt.Errorf("snowflake: list relations: %w", w.describe(err))
	}
	defer rows.Close()
	var out []load.Relation
	for rows.Next() {
		var r load.Relation
		var kind string
		if err := rows.Scan(&r.Schema, &r.Name, &kind); err != nil {
			return nil, fmt.Errorf("snowflake: list relations: %w", err)
		}
		r.View = kind == "VIEW"
		r.Schema, r.Name = revopsName(r.Schema), revopsName(r.Name)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snowflake: list relations: %w", err)
	}
	return out, nil
}
