//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/revops/revops/load"
)

// seqColumn numbers a merge landing's rows in arrival order, so that the
// last occurrence of a key wins.
const seqColumn = "_revops_seq"

// batchColumn is one column of a landing.
type batchColumn struct {
	name string
	typ  colType
}

// Land writes r into t in one transaction. See load.Warehouse.
func (w *Warehouse) Land(ctx context.Context, t load.Table, r array.RecordReader, opts load.LandOptions) (st load.Stats, err error) {
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	if err := t.Validate(); err != nil {
		return st, fmt.Errorf("duckdb: land: %w: %w", load.ErrBadLanding, err)
	}
	cols, err := landingColumns(r.Schema(), opts)
	if err != nil {
		return st, fmt.Errorf("duckdb: land %s: %w", t, err)
	}

	lock := w.tableLock(t)
	lock.Lock()
	defer lock.Unlock()

	conn, err := w.db.Conn(ctx)
	if err != nil {
		return st, fmt.Errorf("duckdb: land %s: %w", t, err)
	}
	defer conn.Close()
	if err := w.createSchema(ctx, conn, t.Schema); err != nil {
		return st, fmt.Errorf("duckdb: land %s: %w", t, err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return st, fmt.Errorf("duckdb: land %s: begin: %w", t, err)
	}
	committed := false
	defer func() {
		if !committed {
			// A fresh context: the caller's may be what failed.
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil && err == nil {
				err = fmt.Errorf("duckdb: land %s: rollback: %w", t, rerr)
			}
		}
	}()

	l := &landing{w: w, conn: conn, t: t, cols: cols, opts: opts, now: start}
	if err := l.prepareTable(ctx); err != nil {
		return st, err
	}
	switch opts.Mode {
	case load.Append:
		err = l.appendRows(ctx, r)
	case load.Merge:
		if opts.History != nil {
			err = l.mergeRows(ctx, r)
			break
		}
		// One MERGE straight from the batches; when a key came twice it
		// cannot say which row wins, so the landing starts again from
		// the batches it kept, through the staged path that keeps the
		// last row per key.
		kept := newKeepReader(r)
		defer kept.releaseKept()
		err = l.mergeOnce(ctx, kept)
		if errors.Is(err, errRepeatedKeys) {
			if _, err = conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				return st, fmt.Errorf("duckdb: land %s: roll back to merge repeated keys: %w", t, err)
			}
			if _, err = conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
				committed = true // nothing is open to roll back
				return st, fmt.Errorf("duckdb: land %s: begin: %w", t, err)
			}
			l = &landing{w: w, conn: conn, t: t, cols: cols, opts: opts, now: start}
			if err := l.prepareTable(ctx); err != nil {
				return st, err
			}
			again, rerr := kept.replay()
			if rerr != nil {
				return st, fmt.Errorf("duckdb: land %s: read the batches again: %w", t, rerr)
			}
			err = l.mergeRows(ctx, again)
		}
	}
	if err != nil {
		return l.stats, err
	}
	if opts.RunID != "" {
		if _, err := conn.ExecContext(ctx, `UPDATE _revops.runs SET rows_read = coalesce(rows_read, 0) + ?,
			rows_written = coalesce(rows_written, 0) + ? WHERE id = ?`,
			l.stats.Rows, l.stats.Inserted+l.stats.Updated, opts.RunID); err != nil {
			return l.stats, fmt.Errorf("duckdb: land %s: count rows in run %s: %w", t, opts.RunID, err)
		}
	}
	if c := opts.Cursor; c != nil {
		cu := *c
		if cu.Final != nil {
			cu.Value = cu.Final()
		}
		if err := saveCursor(ctx, conn, cu); err != nil {
			return l.stats, fmt.Errorf("duckdb: land %s: %w", t, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return l.stats, fmt.Errorf("duckdb: land %s: commit: %w", t, err)
	}
	committed = true
	return l.stats, nil
}

// createSchema creates a schema outside any landing's transaction:
// concurrent transactions creating the same schema conflict in DuckDB's
// catalog, and an empty schema is harmless if the landing then fails.
func (w *Warehouse) createSchema(ctx context.Context, conn *sql.Conn, schema string) error {
	w.schemaMu.Lock()
	defer w.schemaMu.Unlock()
	if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(schema)); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

// landingColumns checks the landing's Arrow schema and options and maps
// every column to its DuckDB type.
func landingColumns(s *arrow.Schema, opts load.LandOptions) ([]batchColumn, error) {
	switch opts.Mode {
	case load.Append, load.Merge:
	default:
		return nil, fmt.Errorf("%w: mode %q (want append or merge)", load.ErrBadLanding, opts.Mode)
	}
	if opts.Mode == load.Merge && len(opts.Key) == 0 {
		return nil, fmt.Errorf("%w: merge needs a key", load.ErrBadLanding)
	}
	if s.NumFields() == 0 {
		return nil, fmt.Errorf("%w: the batch schema has no columns", load.ErrBadLanding)
	}
	seen := map[string]bool{}
	cols := make([]batchColumn, 0, s.NumFields())
	for _, f := range s.Fields() {
		low := strings.ToLower(f.Name)
		if f.Name == "" {
			return nil, fmt.Errorf("%w: a column has no name", load.ErrBadLanding)
		}
		if low == seqColumn {
			return nil, fmt.Errorf("%w: column name %s is reserved", load.ErrBadLanding, f.Name)
		}
		if seen[low] {
			return nil, fmt.Errorf("%w: column %s appears twice (names are case-insensitive)", load.ErrBadLanding, f.Name)
		}
		seen[low] = true
		typ, err := sqlType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %s: %w", load.ErrBadLanding, f.Name, err)
		}
		cols = append(cols, batchColumn{name: f.Name, typ: parseType(typ)})
	}
	for _, k := range opts.Key {
		if !seen[strings.ToLower(k)] {
			return nil, fmt.Errorf("%w: key column %s is not in the batch", load.ErrBadLanding, k)
		}
	}
	if opts.Tombstone != "" && (opts.Mode != load.Merge || !seen[strings.ToLower(opts.Tombstone)]) {
		return nil, fmt.Errorf("%w: tombstone column %s must be a column of a merge landing", load.ErrBadLanding, opts.Tombstone)
	}
	if h := opts.History; h != nil {
		if opts.Mode != load.Merge {
			return nil, fmt.Errorf("%w: history needs a merge landing", load.ErrBadLanding)
		}
		if err := h.Table.Validate(); err != nil {
			return nil, fmt.Errorf("%w: history: %w", load.ErrBadLanding, err)
		}
		if !seen[strings.ToLower(h.ValidFrom)] {
			return nil, fmt.Errorf("%w: history column %s is not in the batch", load.ErrBadLanding, h.ValidFrom)
		}
		if h.SeenAt != "" && !seen[strings.ToLower(h.SeenAt)] {
			return nil, fmt.Errorf("%w: history column %s is not in the batch", load.ErrBadLanding, h.SeenAt)
		}
		for _, c := range []string{load.ValidFromColumn, load.ValidToColumn} {
			if seen[c] {
				return nil, fmt.Errorf("%w: column name %s is reserved for history", load.ErrBadLanding, c)
			}
		}
	}
	return cols, nil
}

// landing is the state of one Land call.
type landing struct {
	w     *Warehouse
	conn  *sql.Conn
	t     load.Table
	cols  []batchColumn
	opts  load.LandOptions
	stats load.Stats
	now   time.Time // when the landing started
	// target holds the table's column types after evolution, by lower-case name.
	target map[string]colType
}

func (l *landing) qualified() string {
	return quoteIdent(l.t.Schema) + "." + quoteIdent(l.t.Name)
}

// prepareTable creates the table or evolves its columns. Incompatible
// type changes are found before anything is altered.
func (l *landing) prepareTable(ctx context.Context) error {
	existing, err := tableColumns(ctx, l.conn, l.t)
	if err != nil {
		return fmt.Errorf("duckdb: land %s: %w", l.t, err)
	}
	l.target = map[string]colType{}
	if len(existing) == 0 {
		defs := make([]string, len(l.cols))
		for i, c := range l.cols {
			defs[i] = quoteIdent(c.name) + " " + c.typ.sql
			l.target[strings.ToLower(c.name)] = c.typ
		}
		if l.opts.History != nil {
			defs = append(defs, quoteIdent(load.ValidFromColumn)+" "+validType)
		}
		ddl := fmt.Sprintf("CREATE TABLE %s (%s)", l.qualified(), strings.Join(defs, ", "))
		if _, err := l.conn.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("duckdb: land %s: create table: %w", l.t, err)
		}
		return nil
	}
	for name, typ := range existing {
		l.target[name] = typ
	}
	var ddl []string
	for _, c := range l.cols {
		low := strings.ToLower(c.name)
		cur, ok := existing[low]
		if !ok {
			ddl = append(ddl, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", l.qualified(), quoteIdent(c.name), c.typ.sql))
			l.stats.AddedColumns = append(l.stats.AddedColumns, c.name)
			l.target[low] = c.typ
			continue
		}
		ev, to := reconcile(cur, c.typ)
		switch ev {
		case load.Refuse:
			return fmt.Errorf("duckdb: land %s: column %s: table has %s, batch has %s, and no type holds both safely: %w",
				l.t, c.name, cur, c.typ, load.ErrIncompatibleType)
		case load.Widen:
			ddl = append(ddl, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s", l.qualified(), quoteIdent(c.name), to.sql))
			l.stats.WidenedColumns = append(l.stats.WidenedColumns, fmt.Sprintf("%s %s→%s", c.name, cur, to))
			l.target[low] = to
		}
	}
	for _, s := range ddl {
		if _, err := l.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: land %s: evolve schema (%s): %w", l.t, s, err)
		}
	}
	if l.opts.History != nil {
		return l.prepareHistory(ctx, existing)
	}
	return nil
}

// tableColumns returns the table's columns and types by lower-case name,
// or none when the table does not exist.
func tableColumns(ctx context.Context, conn *sql.Conn, t load.Table) (map[string]colType, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_catalog = current_database() AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)`, t.Schema, t.Name)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	out := map[string]colType{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
		out[strings.ToLower(name)] = parseType(typ)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	return out, nil
}

// selectList renders the landing's columns as read from src, cast where
// the table's type differs from the batch's.
func (l *landing) selectList(src string) string {
	parts := make([]string, len(l.cols))
	for i, c := range l.cols {
		ref := src + "." + quoteIdent(c.name)
		if tt := l.target[strings.ToLower(c.name)]; tt.key != c.typ.key {
			ref = fmt.Sprintf("CAST(%s AS %s)", ref, tt.sql)
		}
		parts[i] = ref
	}
	return strings.Join(parts, ", ")
}

func (l *landing) columnList() string {
	parts := make([]string, len(l.cols))
	for i, c := range l.cols {
		parts[i] = quoteIdent(c.name)
	}
	return strings.Join(parts, ", ")
}

// registerView exposes r to DuckDB under a fresh name. The view must be
// read exactly once, with all its columns (duckdb/duckdb-go#24). DuckDB's
// Arrow scan makes it a view of the database, not a temporary one: the
// returned drop releases the stream and drops the view, in the landing's
// transaction, so that it is never committed (a kill before that rolls
// the transaction, and the view with it, back).
func (l *landing) registerView(ctx context.Context, r array.RecordReader) (string, func() error, error) {
	name := l.w.nextName(arrowPrefix)
	var release func()
	err := l.conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = ar.RegisterView(r, name)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("duckdb: land %s: register arrow stream: %w", l.t, err)
	}
	done := false
	drop := func() error {
		if done {
			return nil
		}
		done = true
		// The view first: once the stream is released, reading the view
		// would follow freed pointers.
		_, err := l.conn.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+quoteIdent(name))
		release()
		if err != nil {
			return fmt.Errorf("duckdb: land %s: drop arrow view %s: %w", l.t, name, err)
		}
		return nil
	}
	return name, drop, nil
}

// countingReader counts the rows DuckDB pulls from the landing.
type countingReader struct {
	array.RecordReader
	rows atomic.Int64
}

func (c *countingReader) Next() bool {
	if !c.RecordReader.Next() {
		return false
	}
	c.rows.Add(c.RecordReader.RecordBatch().NumRows())
	return true
}

func (l *landing) appendRows(ctx context.Context, r array.RecordReader) error {
	cr := &countingReader{RecordReader: r}
	view, drop, err := l.registerView(ctx, cr)
	if err != nil {
		return err
	}
	defer func() { _ = drop() }() // dropped below; this covers a panic
	// One read of the whole view, every column: the path duckdb/duckdb-go#24 leaves correct.
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM (SELECT * FROM %s) AS v",
		l.qualified(), l.columnList(), l.selectList("v"), quoteIdent(view))
	res, err := l.conn.ExecContext(ctx, q)
	if derr := drop(); err == nil && derr != nil {
		return derr
	}
	if err != nil {
		if rerr := r.Err(); rerr != nil {
			return fmt.Errorf("duckdb: land %s: read batches: %w", l.t, rerr)
		}
		return fmt.Errorf("duckdb: land %s: insert: %w", l.t, err)
	}
	if rerr := r.Err(); rerr != nil {
		return fmt.Errorf("duckdb: land %s: read batches: %w", l.t, rerr)
	}
	n, _ := res.RowsAffected()
	l.stats.Rows = cr.rows.Load()
	l.stats.Inserted = n
	return nil
}

func (l *landing) mergeRows(ctx context.Context, r array.RecordReader) error {
	sr := newSeqReader(r)
	defer sr.Release()
	view, drop, err := l.registerView(ctx, sr)
	if err != nil {
		return err
	}
	stage := l.w.nextName(stagePrefix)
	q := fmt.Sprintf("CREATE TEMP TABLE %s AS SELECT * FROM %s", quoteIdent(stage), quoteIdent(view))
	_, err = l.conn.ExecContext(ctx, q)
	if derr := drop(); err == nil && derr != nil {
		return derr
	}
	if err != nil {
		if rerr := r.Err(); rerr != nil {
			return fmt.Errorf("duckdb: land %s: read batches: %w", l.t, rerr)
		}
		return fmt.Errorf("duckdb: land %s: stage rows: %w", l.t, err)
	}
	if rerr := r.Err(); rerr != nil {
		return fmt.Errorf("duckdb: land %s: read batches: %w", l.t, rerr)
	}
	defer func() {
		_, _ = l.conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+quoteIdent(stage))
	}()
	l.stats.Rows = sr.seq

	keys := make([]string, len(l.opts.Key))
	for i, k := range l.opts.Key {
		keys[i] = quoteIdent(k)
	}
	var nullConds []string
	for _, k := range keys {
		nullConds = append(nullConds, k+" IS NULL")
	}
	var nulls, distinct int64
	q = fmt.Sprintf("SELECT count(*) FILTER (WHERE %s), count(DISTINCT (%s)) FROM %s",
		strings.Join(nullConds, " OR "), strings.Join(keys, ", "), quoteIdent(stage))
	if err := l.conn.QueryRowContext(ctx, q).Scan(&nulls, &distinct); err != nil {
		return fmt.Errorf("duckdb: land %s: check keys: %w", l.t, err)
	}
	if nulls > 0 {
		var first int64
		q = fmt.Sprintf("SELECT min(%s) FROM %s WHERE %s", seqColumn, quoteIdent(stage), strings.Join(nullConds, " OR "))
		if err := l.conn.QueryRowContext(ctx, q).Scan(&first); err != nil {
			return fmt.Errorf("duckdb: land %s: check keys: %w", l.t, err)
		}
		return fmt.Errorf("duckdb: land %s: %d rows have a NULL in key (%s), the first is row %d of the landing: %w",
			l.t, nulls, strings.Join(l.opts.Key, ", "), first, load.ErrNullKey)
	}
	src := quoteIdent(stage)
	if distinct < sr.seq {
		dedup := l.w.nextName(dedupPrefix)
		q = fmt.Sprintf(`CREATE TEMP TABLE %s AS SELECT * FROM %s
			QUALIFY row_number() OVER (PARTITION BY %s ORDER BY %s DESC) = 1`,
			quoteIdent(dedup), src, strings.Join(keys, ", "), seqColumn)
		if _, err := l.conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("duckdb: land %s: keep last row per key: %w", l.t, err)
		}
		defer func() {
			_, _ = l.conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+quoteIdent(dedup))
		}()
		src = quoteIdent(dedup)
	}

	m := l.mergeSQL(src, keys)
	// A first landing into an empty table has nothing to compare with.
	var hasRows bool
	if err := l.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s)", l.qualified())).Scan(&hasRows); err != nil {
		return fmt.Errorf("duckdb: land %s: %w", l.t, err)
	}
	if !hasRows {
		res, err := l.conn.ExecContext(ctx, m.insert(l, "true"))
		if err != nil {
			return fmt.Errorf("duckdb: land %s: insert: %w", l.t, err)
		}
		l.stats.Inserted, _ = res.RowsAffected()
		if l.opts.History != nil {
			return l.historyView(ctx)
		}
		return nil
	}

	if l.opts.History != nil {
		// The versions this landing replaces or closes are kept before
		// they are overwritten.
		if err := l.archiveVersions(ctx, m); err != nil {
			return err
		}
	}
	// Rows with values: taken whole when a versioned column changed.
	sets := m.sets
	if l.opts.History != nil {
		vf := "t." + quoteIdent(load.ValidFromColumn)
		next := m.start
		if l.opts.Tombstone != "" {
			// A deleted row that stays deleted has no version to start.
			next = fmt.Sprintf("CASE WHEN %s IS NOT NULL AND %s IS NOT NULL THEN %s ELSE %s END", m.sTomb, m.tTomb, vf, m.start)
		}
		sets = append(sets[:len(sets):len(sets)], quoteIdent(load.ValidFromColumn)+" = "+next)
	}
	q = fmt.Sprintf("UPDATE %s AS t SET %s FROM %s AS s WHERE %s AND NOT %s AND %s",
		l.qualified(), strings.Join(sets, ", "), src, m.on, m.idOnly, m.changed)
	res, err := l.conn.ExecContext(ctx, q)
	if err != nil {
		return fmt.Errorf("duckdb: land %s: update changed rows: %w", l.t, err)
	}
	l.stats.Updated, _ = res.RowsAffected()
	if l.opts.Tombstone != "" {
		// Deletions reported by id alone: the tombstone (and the
		// unversioned columns) only, every other value kept.
		sets := m.markSets
		if l.opts.History != nil {
			vf := "t." + quoteIdent(load.ValidFromColumn)
			sets = append(sets[:len(sets):len(sets)], fmt.Sprintf("%s = CASE WHEN %s IS NULL THEN %s ELSE %s END",
				quoteIdent(load.ValidFromColumn), m.tTomb, m.start, vf))
		}
		q = fmt.Sprintf("UPDATE %s AS t SET %s FROM %s AS s WHERE %s AND %s AND %s IS DISTINCT FROM %s",
			l.qualified(), strings.Join(sets, ", "), src, m.on, m.idOnly, m.tTomb, m.sTomb)
		res, err := l.conn.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("duckdb: land %s: mark deleted rows: %w", l.t, err)
		}
		n, _ := res.RowsAffected()
		l.stats.Updated += n
	}
	res, err = l.conn.ExecContext(ctx, m.insert(l, fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s AS t WHERE %s)", l.qualified(), m.on)))
	if err != nil {
		return fmt.Errorf("duckdb: land %s: insert new keys: %w", l.t, err)
	}
	l.stats.Inserted, _ = res.RowsAffected()
	l.stats.Unchanged = distinct - l.stats.Inserted - l.stats.Updated
	if l.opts.History != nil {
		return l.historyView(ctx)
	}
	return nil
}

// merge holds the SQL fragments the statements of one merge share; t is
// the table's row, s the landing's.
type merge struct {
	src string
	on  string
	// idOnly: s is a deletion reported by id alone ("false" without a
	// tombstone).
	idOnly string
	// changed: a versioned column of s differs from t's ("false" when
	// every non-key column is unversioned).
	changed string
	// sTomb and tTomb are the tombstone columns ("NULL" without one).
	sTomb, tTomb string
	// sets writes every landed non-key column; markSets only the
	// tombstone and the unversioned columns.
	sets, markSets []string
	// History only. start is when the version s brings begins (or, for a
	// deletion, when t's version ends): see load.History. firstFrom is
	// the _valid_from of a key landed for the first time.
	start, firstFrom string
}

func (l *landing) mergeSQL(src string, keys []string) *merge {
	m := &merge{src: src, idOnly: "false", changed: "false", sTomb: "NULL", tTomb: "NULL"}
	var on []string
	for _, k := range keys {
		on = append(on, "t."+k+" = s."+k)
	}
	m.on = strings.Join(on, " AND ")
	isKey := map[string]bool{}
	for _, k := range l.opts.Key {
		isKey[strings.ToLower(k)] = true
	}
	unversioned := map[string]bool{}
	for _, c := range l.opts.Unversioned {
		unversioned[strings.ToLower(c)] = true
	}
	tomb := strings.ToLower(l.opts.Tombstone)
	if tomb != "" {
		m.sTomb = "s." + quoteIdent(l.opts.Tombstone)
		m.tTomb = "t." + quoteIdent(l.opts.Tombstone)
		// Unversioned columns (_extracted_at, _source) are stamped on
		// every row, deletions too: they do not make a row one with values.
		conds := []string{m.sTomb + " IS NOT NULL"}
		for _, c := range l.cols {
			if low := strings.ToLower(c.name); !isKey[low] && low != tomb && !unversioned[low] {
				conds = append(conds, "s."+quoteIdent(c.name)+" IS NULL")
			}
		}
		m.idOnly = "(" + strings.Join(conds, " AND ") + ")"
	}
	var changed []string
	for _, c := range l.cols {
		low := strings.ToLower(c.name)
		if isKey[low] {
			continue
		}
		col := quoteIdent(c.name)
		val := "s." + col
		if tt := l.target[low]; tt.key != c.typ.key {
			val = fmt.Sprintf("CAST(%s AS %s)", val, tt.sql)
		}
		m.sets = append(m.sets, col+" = "+val)
		if unversioned[low] || low == tomb {
			m.markSets = append(m.markSets, col+" = "+val)
		}
		if !unversioned[low] {
			changed = append(changed, fmt.Sprintf("t.%s IS DISTINCT FROM %s", col, val))
		}
	}
	if len(changed) > 0 {
		m.changed = "(" + strings.Join(changed, " OR ") + ")"
	}
	if h := l.opts.History; h != nil {
		seen := l.nowSQL()
		if h.SeenAt != "" {
			seen = fmt.Sprintf("coalesce(TRY_CAST(s.%s AS TIMESTAMPTZ), %s)", quoteIdent(h.SeenAt), seen)
		}
		sv := fmt.Sprintf("TRY_CAST(s.%s AS TIMESTAMPTZ)", quoteIdent(h.ValidFrom))
		tv := fmt.Sprintf("TRY_CAST(t.%s AS TIMESTAMPTZ)", quoteIdent(h.ValidFrom))
		deleted := ""
		if tomb != "" {
			deleted = fmt.Sprintf("WHEN %s IS NOT NULL THEN coalesce(TRY_CAST(%s AS TIMESTAMPTZ), %s) ", m.sTomb, m.sTomb, seen)
		}
		// The record's modified time when it moved past t's, else the time
		// the change was seen; never at or before t's version's start.
		m.start = fmt.Sprintf("greatest(CASE %sWHEN %s > %s OR (%s IS NULL AND %s IS NOT NULL) THEN %s ELSE %s END, t.%s + INTERVAL 1 MICROSECOND)",
			deleted, sv, tv, tv, sv, sv, seen, quoteIdent(load.ValidFromColumn))
		m.firstFrom = fmt.Sprintf("coalesce(%s, %s)", sv, seen)
		if deleted != "" {
			m.firstFrom = fmt.Sprintf("CASE %sELSE %s END", deleted, m.firstFrom)
		}
	}
	return m
}

// insert renders the INSERT of the landing's rows that satisfy where.
func (m *merge) insert(l *landing, where string) string {
	cols, vals := l.columnList(), l.selectList("s")
	if l.opts.History != nil {
		cols += ", " + quoteIdent(load.ValidFromColumn)
		vals += ", " + m.firstFrom
	}
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS s WHERE %s", l.qualified(), cols, vals, m.src, where)
}

// nowSQL is the landing's start as a TIMESTAMPTZ literal.
func (l *landing) nowSQL() string {
	return "TIMESTAMPTZ " + quoteString(l.now.UTC().Format("2006-01-02 15:04:05.000000")+"+00")
}

// seqReader adds the seqColumn to every batch of a landing.
type seqReader struct {
	src    array.RecordReader
	schema *arrow.Schema
	cur    arrow.RecordBatch
	seq    int64
	refs   atomic.Int64
}

func newSeqReader(src array.RecordReader) *seqReader {
	fields := append(append([]arrow.Field(nil), src.Schema().Fields()...),
		arrow.Field{Name: seqColumn, Type: arrow.PrimitiveTypes.Int64})
	md := src.Schema().Metadata()
	r := &seqReader{src: src, schema: arrow.NewSchema(fields, &md)}
	r.refs.Store(1)
	return r
}

func (r *seqReader) Retain() { r.refs.Add(1) }

func (r *seqReader) Release() {
	if r.refs.Add(-1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *seqReader) Schema() *arrow.Schema { return r.schema }

func (r *seqReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.src.Next() {
		return false
	}
	rec := r.src.RecordBatch()
	n := int(rec.NumRows())
	vals := make([]int64, n)
	for i := range vals {
		r.seq++
		vals[i] = r.seq
	}
	seq := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}, nil, 0, 0))
	cols := append(append([]arrow.Array(nil), rec.Columns()...), seq)
	r.cur = array.NewRecordBatch(r.schema, cols, int64(n))
	seq.Release()
	return true
}

func (r *seqReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch (the arrow-go v17 name).
func (r *seqReader) Record() arrow.RecordBatch { return r.cur }

func (r *seqReader) Err() error { return r.src.Err() }

// saveCursor replaces the cursor of (source, object) inside the caller's transaction.
func saveCursor(ctx context.Context, conn *sql.Conn, c load.CursorUpdate) error {
	if c.Source == "" || c.Object == "" {
		return errors.New("cursor needs a source and an object")
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM _revops.cursors WHERE source = ? AND object = ?`, c.Source, c.Object); err != nil {
		return fmt.Errorf("save cursor %s/%s: %w", c.Source, c.Object, err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO _revops.cursors (source, object, value, updated_at) VALUES (?, ?, ?, now())`,
		c.Source, c.Object, c.Value); err != nil {
		return fmt.Errorf("save cursor %s/%s: %w", c.Source, c.Object, err)
	}
	return nil
}
