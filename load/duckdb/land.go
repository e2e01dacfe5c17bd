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

	l := &landing{w: w, conn: conn, t: t, cols: cols, opts: opts}
	if err := l.prepareTable(ctx); err != nil {
		return st, err
	}
	switch opts.Mode {
	case load.Append:
		err = l.appendRows(ctx, r)
	case load.Merge:
		err = l.mergeRows(ctx, r)
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
		case refuse:
			return fmt.Errorf("duckdb: land %s: column %s: table has %s, batch has %s, and no type holds both safely: %w",
				l.t, c.name, cur, c.typ, load.ErrIncompatibleType)
		case widen:
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
// read exactly once, with all its columns (duckdb/duckdb-go#24).
func (l *landing) registerView(ctx context.Context, r array.RecordReader) (string, func(), error) {
	name := l.w.nextName("_revops_arrow")
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
	return name, release, nil
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
	view, release, err := l.registerView(ctx, cr)
	if err != nil {
		return err
	}
	defer release()
	// One read of the whole view, every column: the path duckdb/duckdb-go#24 leaves correct.
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM (SELECT * FROM %s) AS v",
		l.qualified(), l.columnList(), l.selectList("v"), quoteIdent(view))
	res, err := l.conn.ExecContext(ctx, q)
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
	view, release, err := l.registerView(ctx, sr)
	if err != nil {
		return err
	}
	stage := l.w.nextName("_revops_stage")
	q := fmt.Sprintf("CREATE TEMP TABLE %s AS SELECT * FROM %s", quoteIdent(stage), quoteIdent(view))
	_, err = l.conn.ExecContext(ctx, q)
	release()
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
		dedup := l.w.nextName("_revops_dedup")
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

	// A first landing into an empty table has nothing to compare with.
	var hasRows bool
	if err := l.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s)", l.qualified())).Scan(&hasRows); err != nil {
		return fmt.Errorf("duckdb: land %s: %w", l.t, err)
	}
	if !hasRows {
		q = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS s", l.qualified(), l.columnList(), l.selectList("s"), src)
		res, err := l.conn.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("duckdb: land %s: insert: %w", l.t, err)
		}
		l.stats.Inserted, _ = res.RowsAffected()
		if l.opts.History != nil {
			return l.historyView(ctx)
		}
		return nil
	}

	var on []string
	for _, k := range keys {
		on = append(on, "t."+k+" = s."+k)
	}
	isKey := map[string]bool{}
	for _, k := range l.opts.Key {
		isKey[strings.ToLower(k)] = true
	}
	unversioned := map[string]bool{}
	for _, c := range l.opts.Unversioned {
		unversioned[strings.ToLower(c)] = true
	}
	tomb := "false"
	if l.opts.Tombstone != "" {
		conds := []string{"s." + quoteIdent(l.opts.Tombstone) + " IS NOT NULL"}
		for _, c := range l.cols {
			if low := strings.ToLower(c.name); !isKey[low] && low != strings.ToLower(l.opts.Tombstone) {
				conds = append(conds, "s."+quoteIdent(c.name)+" IS NULL")
			}
		}
		tomb = "(" + strings.Join(conds, " AND ") + ")"
	}
	var sets, changed []string
	for _, c := range l.cols {
		if isKey[strings.ToLower(c.name)] {
			continue
		}
		col := quoteIdent(c.name)
		val := "s." + col
		if tt := l.target[strings.ToLower(c.name)]; tt.key != c.typ.key {
			val = fmt.Sprintf("CAST(%s AS %s)", val, tt.sql)
		}
		sets = append(sets, col+" = "+val)
		if !unversioned[strings.ToLower(c.name)] {
			changed = append(changed, fmt.Sprintf("t.%s IS DISTINCT FROM %s", col, val))
		}
	}
	if len(changed) > 0 && l.opts.History != nil {
		// The versions this landing replaces are kept before they are overwritten.
		if err := l.archiveVersions(ctx, src, on, tomb, changed); err != nil {
			return err
		}
	}
	if len(changed) > 0 {
		q = fmt.Sprintf("UPDATE %s AS t SET %s FROM %s AS s WHERE %s AND NOT %s AND (%s)",
			l.qualified(), strings.Join(sets, ", "), src, strings.Join(on, " AND "), tomb, strings.Join(changed, " OR "))
		res, err := l.conn.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("duckdb: land %s: update changed rows: %w", l.t, err)
		}
		l.stats.Updated, _ = res.RowsAffected()
	}
	if l.opts.Tombstone != "" {
		col := quoteIdent(l.opts.Tombstone)
		q = fmt.Sprintf("UPDATE %s AS t SET %s = s.%s FROM %s AS s WHERE %s AND %s AND t.%s IS DISTINCT FROM s.%s",
			l.qualified(), col, col, src, strings.Join(on, " AND "), tomb, col, col)
		res, err := l.conn.ExecContext(ctx, q)
		if err != nil {
			return fmt.Errorf("duckdb: land %s: mark deleted rows: %w", l.t, err)
		}
		n, _ := res.RowsAffected()
		l.stats.Updated += n
	}
	q = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS s WHERE NOT EXISTS (SELECT 1 FROM %s AS t WHERE %s)",
		l.qualified(), l.columnList(), l.selectList("s"), src, l.qualified(), strings.Join(on, " AND "))
	res, err := l.conn.ExecContext(ctx, q)
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

// History is kept as two relations: <history>_versions holds every
// version that a later landing replaced, with its _valid_from and
// _valid_to, and <history> is a view of those versions plus the current
// rows (open-ended). A first landing therefore writes nothing twice, and
// later ones copy only the rows they change.

func (l *landing) versionsTable() (load.Table, string) {
	h := l.opts.History
	t := load.Table{Schema: h.Table.Schema, Name: h.Table.Name + "_versions"}
	return t, quoteIdent(t.Schema) + "." + quoteIdent(t.Name)
}

// archiveVersions copies the rows this landing is about to change into the
// versions table, closed at the new version's start.
func (l *landing) archiveVersions(ctx context.Context, src string, on []string, tomb string, changed []string) error {
	h := l.opts.History
	vt, versions := l.versionsTable()
	fail := func(what string, err error) error {
		return fmt.Errorf("duckdb: land %s: history %s: %s: %w", l.t, h.Table, what, err)
	}
	if err := l.evolveVersions(ctx, vt, versions); err != nil {
		return fail("prepare", err)
	}
	vf := quoteIdent(h.ValidFrom)
	q := fmt.Sprintf(`INSERT INTO %s BY NAME SELECT t.*, t.%s AS _valid_from, s.%s AS _valid_to
		FROM %s AS t JOIN %s AS s ON %s WHERE NOT %s AND (%s)`,
		versions, vf, vf, l.qualified(), src, strings.Join(on, " AND "), tomb, strings.Join(changed, " OR "))
	if _, err := l.conn.ExecContext(ctx, q); err != nil {
		return fail("keep replaced versions", err)
	}
	return nil
}

// evolveVersions creates the versions table or gives it the main table's
// columns and types.
func (l *landing) evolveVersions(ctx context.Context, vt load.Table, versions string) error {
	if err := l.w.createSchema(ctx, l.conn, vt.Schema); err != nil {
		return err
	}
	main, err := orderedColumns(ctx, l.conn, l.t)
	if err != nil {
		return err
	}
	have, err := tableColumns(ctx, l.conn, vt)
	if err != nil {
		return err
	}
	vfType := validFromType(main, l.opts.History.ValidFrom)
	if len(have) == 0 {
		q := fmt.Sprintf("CREATE TABLE %s AS SELECT *, CAST(NULL AS %s) AS _valid_from, CAST(NULL AS %s) AS _valid_to FROM %s LIMIT 0",
			versions, vfType, vfType, l.qualified())
		_, err := l.conn.ExecContext(ctx, q)
		return err
	}
	for _, c := range main {
		cur, ok := have[strings.ToLower(c.name)]
		var q string
		switch {
		case !ok:
			q = fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", versions, quoteIdent(c.name), c.typ.sql)
		case cur.key != c.typ.key:
			q = fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s", versions, quoteIdent(c.name), c.typ.sql)
		default:
			continue
		}
		if _, err := l.conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// historyView (re)creates the history view: kept versions plus current rows.
func (l *landing) historyView(ctx context.Context) error {
	h := l.opts.History
	vt, versions := l.versionsTable()
	fail := func(err error) error {
		return fmt.Errorf("duckdb: land %s: history %s: %w", l.t, h.Table, err)
	}
	if err := l.evolveVersions(ctx, vt, versions); err != nil {
		return fail(err)
	}
	main, err := orderedColumns(ctx, l.conn, l.t)
	if err != nil {
		return fail(err)
	}
	vfType := validFromType(main, h.ValidFrom)
	q := fmt.Sprintf(`CREATE OR REPLACE VIEW %s.%s AS
		SELECT * FROM %s
		UNION ALL BY NAME
		SELECT *, %s AS _valid_from, CAST(NULL AS %s) AS _valid_to FROM %s`,
		quoteIdent(h.Table.Schema), quoteIdent(h.Table.Name), versions, quoteIdent(h.ValidFrom), vfType, l.qualified())
	if _, err := l.conn.ExecContext(ctx, q); err != nil {
		return fail(err)
	}
	return nil
}

// validFromType is the type of the column that starts versions.
func validFromType(cols []batchColumn, name string) string {
	for _, c := range cols {
		if strings.EqualFold(c.name, name) {
			return c.typ.sql
		}
	}
	return "TIMESTAMP WITH TIME ZONE"
}

// orderedColumns lists a table's columns in order.
func orderedColumns(ctx context.Context, conn *sql.Conn, t load.Table) ([]batchColumn, error) {
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_catalog = current_database() AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?)
		ORDER BY ordinal_position`, t.Schema, t.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []batchColumn
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out = append(out, batchColumn{name: name, typ: parseType(typ)})
	}
	return out, rows.Err()
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
