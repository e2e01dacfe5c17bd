package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/revops/revops/load"
)

// seqColumn numbers a landing's rows in arrival order, so that the last
// occurrence of a key wins.
const seqColumn = "_revops_seq"

// stagePrefix names a landing's temporary staging table; stagePath is the
// user-stage folder its Parquet file is PUT to.
const (
	stagePrefix = "_revops_stage_"
	modelPrefix = "_revops_model_"
	stagePath   = "revops"
)

type batchColumn struct {
	name string
	typ  colType
}

// Land writes r into t. See load.Warehouse.
//
// The batches are written to one Parquet file first (a failing reader,
// or a NULL key, stops the landing before anything is sent), PUT to the
// user stage, loaded by one COPY INTO a temporary staging table, and
// merged (or appended) by one statement inside a transaction that also
// saves the cursor and the run's counts. Snowflake commits any open
// transaction before DDL, so schema changes (a new table, added or
// widened columns) are made just before that transaction, after the
// landing's data is staged and checked: if the final statement fails,
// they stay (a wider table, no rows or cursor).
func (w *Warehouse) Land(ctx context.Context, t load.Table, r array.RecordReader, opts load.LandOptions) (st load.Stats, err error) {
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	if err := t.Validate(); err != nil {
		return st, fmt.Errorf("snowflake: land: %w: %w", load.ErrBadLanding, err)
	}
	cols, err := landingColumns(r.Schema(), opts)
	if err != nil {
		return st, fmt.Errorf("snowflake: land %s: %w", t, err)
	}

	lock := w.tableLock(t)
	lock.Lock()
	defer lock.Unlock()

	l := &landing{w: w, t: t, cols: cols, opts: opts, now: start}
	// The Parquet file, before any statement.
	file, err := l.writeParquet(r)
	if file != "" {
		defer os.Remove(file)
	}
	if err != nil {
		return l.stats, err
	}

	conn, err := w.db.Conn(ctx)
	if err != nil {
		return l.stats, fmt.Errorf("snowflake: land %s: %w", t, w.describe(err))
	}
	defer conn.Close()
	l.conn = conn
	defer func() {
		w.countMu.Lock()
		w.counts.Landings++
		w.counts.Statements += l.statements
		w.counts.Puts += l.puts
		w.counts.Copies += l.copies
		w.counts.Bytes += l.bytes
		w.countMu.Unlock()
	}()
	sent, err := w.createSchema(ctx, conn, t.Schema)
	if sent {
		l.statements++
	}
	if err != nil {
		return l.stats, fmt.Errorf("snowflake: land %s: %w", t, err)
	}
	if err := l.plan(ctx); err != nil {
		return l.stats, err
	}
	// Whatever stageFile made is removed when the landing returns: the
	// staging table always, the staged file if COPY did not purge it.
	defer func() {
		bg := context.WithoutCancel(ctx)
		if l.staged && !l.copied {
			_, _ = l.exec(bg, "REMOVE "+l.stageRef())
		}
		if l.staging != "" {
			_, _ = l.exec(bg, "DROP TABLE IF EXISTS "+l.stageTable())
		}
	}()
	if err := l.stageFile(ctx, file); err != nil {
		return l.stats, err
	}
	if err := l.evolve(ctx); err != nil {
		l.undoEvolution(ctx)
		return l.stats, err
	}

	if _, err := l.exec(ctx, "BEGIN"); err != nil {
		return l.stats, fmt.Errorf("snowflake: land %s: begin: %w", t, err)
	}
	committed := false
	defer func() {
		if !committed {
			if _, rerr := l.exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil && err == nil {
				err = fmt.Errorf("snowflake: land %s: rollback: %w", t, rerr)
			}
			l.undoEvolution(ctx)
		}
	}()
	switch opts.Mode {
	case load.Append:
		err = l.appendRows(ctx)
	case load.Merge:
		err = l.mergeRows(ctx)
	}
	if err != nil {
		return l.stats, err
	}
	if opts.RunID != "" {
		if _, err := l.exec(ctx, `UPDATE _revops.runs SET rows_read = coalesce(rows_read, 0) + ?,
			rows_written = coalesce(rows_written, 0) + ? WHERE id = ?`,
			l.stats.Rows, l.stats.Inserted+l.stats.Updated, opts.RunID); err != nil {
			return l.stats, fmt.Errorf("snowflake: land %s: count rows in run %s: %w", t, opts.RunID, err)
		}
	}
	if c := opts.Cursor; c != nil {
		cu := *c
		if cu.Final != nil {
			cu.Value = cu.Final()
		}
		if err := l.saveCursor(ctx, cu); err != nil {
			return l.stats, fmt.Errorf("snowflake: land %s: %w", t, err)
		}
	}
	if _, err := l.exec(ctx, "COMMIT"); err != nil {
		return l.stats, fmt.Errorf("snowflake: land %s: commit: %w", t, err)
	}
	committed = true
	return l.stats, nil
}

// landingColumns checks the landing's Arrow schema and options and maps
// every column to its Snowflake type.
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
			return nil, fmt.Errorf("%w: column %s appears twice (names are matched case-insensitively)", load.ErrBadLanding, f.Name)
		}
		seen[low] = true
		typ, err := arrowType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %s: %w", load.ErrBadLanding, f.Name, err)
		}
		cols = append(cols, batchColumn{name: f.Name, typ: typ})
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
	w       *Warehouse
	conn    *sql.Conn
	t       load.Table
	cols    []batchColumn
	opts    load.LandOptions
	stats   load.Stats
	now     time.Time // when the landing started
	staging string    // staging table name, once created
	// staged: the file is on the stage; copied: COPY loaded (and purged) it.
	staged, copied bool
	// distinct is the number of distinct keys of a merge landing.
	distinct int64
	// existing holds the table's columns before the landing (none: new
	// table), target their types after evolution, by lower-case name.
	existing map[string]colType
	order    []string // existing column names, in order
	target   map[string]colType
	ddl      []string // evolution, run by evolve
	undo     []string // what takes it back, run in order reversed
	// counters
	statements, puts, copies, bytes int64
}

func (l *landing) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	l.statements++
	res, err := l.conn.ExecContext(ctx, q, args...)
	if err != nil {
		return nil, l.w.describe(err)
	}
	return res, nil
}

func (l *landing) qualified() string { return quoteIdent(l.t.Schema) + "." + quoteIdent(l.t.Name) }

func (l *landing) stageTable() string { return quoteIdent(l.t.Schema) + "." + quoteIdent(l.staging) }

// writeParquet drains r into a Parquet file with the seqColumn added,
// counting rows and distinct keys and refusing NULL keys.
func (l *landing) writeParquet(r array.RecordReader) (string, error) {
	f, err := os.CreateTemp("", "revops-landing-*.parquet")
	if err != nil {
		return "", fmt.Errorf("snowflake: land %s: %w", l.t, err)
	}
	name := f.Name()
	defer f.Close()
	in := r.Schema()
	fields := append(append([]arrow.Field(nil), in.Fields()...), arrow.Field{Name: seqColumn, Type: arrow.PrimitiveTypes.Int64})
	schema := arrow.NewSchema(fields, nil)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(1<<20))
	fw, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return name, fmt.Errorf("snowflake: land %s: write parquet: %w", l.t, err)
	}
	var keyIdx []int
	for _, k := range l.opts.Key {
		for i, fd := range in.Fields() {
			if strings.EqualFold(fd.Name, k) {
				keyIdx = append(keyIdx, i)
			}
		}
	}
	keys := map[string]struct{}{}
	var nulls, firstNull int64
	var seq int64
	for r.Next() {
		rec := r.RecordBatch()
		n := int(rec.NumRows())
		sb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := 0; i < n; i++ {
			seq++
			sb.Append(seq)
			if l.opts.Mode != load.Merge {
				continue
			}
			var kb strings.Builder
			null := false
			for _, c := range keyIdx {
				col := rec.Column(c)
				if col.IsNull(i) {
					null = true
					break
				}
				s := col.ValueStr(i)
				fmt.Fprintf(&kb, "%d:%s", len(s), s)
			}
			if null {
				nulls++
				if firstNull == 0 {
					firstNull = seq
				}
				continue
			}
			keys[kb.String()] = struct{}{}
		}
		seqArr := sb.NewArray()
		sb.Release()
		cols := append(append([]arrow.Array(nil), rec.Columns()...), seqArr)
		out := array.NewRecordBatch(schema, cols, int64(n))
		seqArr.Release()
		err := fw.WriteBuffered(out)
		out.Release()
		if err != nil {
			return name, fmt.Errorf("snowflake: land %s: write parquet: %w", l.t, err)
		}
	}
	if err := r.Err(); err != nil {
		_ = fw.Close()
		return name, fmt.Errorf("snowflake: land %s: read batches: %w", l.t, err)
	}
	if err := fw.Close(); err != nil {
		return name, fmt.Errorf("snowflake: land %s: write parquet: %w", l.t, err)
	}
	l.stats.Rows = seq
	l.distinct = int64(len(keys))
	if nulls > 0 {
		return name, fmt.Errorf("snowflake: land %s: %d rows have a NULL in key (%s), the first is row %d of the landing: %w",
			l.t, nulls, strings.Join(l.opts.Key, ", "), firstNull, load.ErrNullKey)
	}
	if st, err := os.Stat(name); err == nil {
		l.bytes = st.Size()
	}
	return name, nil
}

// plan reads the table's columns and decides its evolution; an
// incompatible change is refused before anything is written.
func (l *landing) plan(ctx context.Context) error {
	l.statements++
	rows, err := l.conn.QueryContext(ctx, `SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, storedName(l.t.Schema), storedName(l.t.Name))
	if err != nil {
		return fmt.Errorf("snowflake: land %s: read columns: %w", l.t, l.w.describe(err))
	}
	l.existing = map[string]colType{}
	for rows.Next() {
		var name, typ string
		var p, s sql.NullInt64
		if err := rows.Scan(&name, &typ, &p, &s); err != nil {
			rows.Close()
			return fmt.Errorf("snowflake: land %s: read columns: %w", l.t, err)
		}
		l.existing[strings.ToLower(name)] = parseType(typ, int(p.Int64), int(s.Int64))
		l.order = append(l.order, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("snowflake: land %s: read columns: %w", l.t, err)
	}
	l.target = map[string]colType{}
	if len(l.existing) == 0 {
		defs := make([]string, len(l.cols))
		for i, c := range l.cols {
			defs[i] = quoteIdent(c.name) + " " + c.typ.sql()
			l.target[strings.ToLower(c.name)] = c.typ
		}
		if l.opts.History != nil {
			defs = append(defs, quoteIdent(load.ValidFromColumn)+" "+validType.sql())
		}
		l.ddl = append(l.ddl, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s)", l.qualified(), strings.Join(defs, ", ")))
		l.undo = append(l.undo, "DROP TABLE IF EXISTS "+l.qualified())
		if l.opts.History != nil {
			return l.planHistory(ctx)
		}
		return nil
	}
	for name, typ := range l.existing {
		l.target[name] = typ
	}
	widened := map[string]colType{}
	for _, c := range l.cols {
		low := strings.ToLower(c.name)
		cur, ok := l.existing[low]
		if !ok {
			l.ddl = append(l.ddl, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", l.qualified(), quoteIdent(c.name), c.typ.sql()))
			if l.opts.History == nil {
				// (With history, the view names the column too: it stays.)
				l.undo = append(l.undo, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", l.qualified(), quoteIdent(c.name)))
			}
			l.stats.AddedColumns = append(l.stats.AddedColumns, c.name)
			l.target[low] = c.typ
			continue
		}
		ev, to := reconcile(cur, c.typ)
		switch ev {
		case load.Refuse:
			return fmt.Errorf("snowflake: land %s: column %s: table has %s, batch has %s, and no type holds both safely: %w",
				l.t, c.name, cur, c.typ, load.ErrIncompatibleType)
		case load.Widen:
			widened[low] = to
			l.stats.WidenedColumns = append(l.stats.WidenedColumns, fmt.Sprintf("%s %s→%s", c.name, cur, to))
			l.target[low] = to
		}
	}
	if len(widened) > 0 {
		// Snowflake alters a column's type only within its kind (a longer
		// VARCHAR, a wider NUMBER): the table is rebuilt with the columns
		// cast, in order, by one statement.
		sel := make([]string, len(l.order))
		for i, name := range l.order {
			q := quoteStored(name)
			if to, ok := widened[strings.ToLower(name)]; ok {
				q = fmt.Sprintf("CAST(%s AS %s) AS %s", q, to.sql(), q)
			}
			sel[i] = q
		}
		rebuild := fmt.Sprintf("CREATE OR REPLACE TABLE %s COPY GRANTS AS SELECT %s FROM %s", l.qualified(), strings.Join(sel, ", "), l.qualified())
		l.ddl = append([]string{rebuild}, l.ddl...)
	}
	if l.opts.History != nil {
		return l.planHistory(ctx)
	}
	return nil
}

// stage creates the temporary staging table, PUTs the file and COPYs it in.
func (l *landing) stageFile(ctx context.Context, file string) error {
	name := l.w.nextName(stagePrefix)
	defs := make([]string, 0, len(l.cols)+1)
	for _, c := range l.cols {
		defs = append(defs, quoteIdent(c.name)+" "+c.typ.sql())
	}
	defs = append(defs, quoteIdent(seqColumn)+" NUMBER(38,0)")
	if _, err := l.exec(ctx, fmt.Sprintf("CREATE TEMPORARY TABLE %s.%s (%s)", quoteIdent(l.t.Schema), quoteIdent(name), strings.Join(defs, ", "))); err != nil {
		return fmt.Errorf("snowflake: land %s: create staging table: %w", l.t, err)
	}
	l.staging = name
	abs, err := filepath.Abs(file)
	if err != nil {
		return fmt.Errorf("snowflake: land %s: %w", l.t, err)
	}
	put := fmt.Sprintf("PUT 'file://%s' %s AUTO_COMPRESS=FALSE OVERWRITE=TRUE", filepath.ToSlash(abs), l.stageRef())
	l.puts++
	l.staged = true
	if _, err := l.exec(ctx, put); err != nil {
		return fmt.Errorf("snowflake: land %s: put the landing's file to the stage: %w", l.t, err)
	}
	l.copies++
	cp := fmt.Sprintf("COPY INTO %s FROM %s FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE PURGE = TRUE",
		l.stageTable(), l.stageRef())
	if _, err := l.exec(ctx, cp); err != nil {
		return fmt.Errorf("snowflake: land %s: copy into the staging table: %w", l.t, err)
	}
	l.copied = true
	return nil
}

// stageRef is the user-stage folder the landing's file is PUT to.
func (l *landing) stageRef() string { return "@~/" + stagePath + "/" + l.staging + "/" }

// undoEvolution takes back, best effort, the schema changes of a landing
// that failed after making them (DDL commits at once in Snowflake): a
// table it created is dropped, columns it added are dropped. Widened
// columns stay wider, which changes no value.
func (l *landing) undoEvolution(ctx context.Context) {
	bg := context.WithoutCancel(ctx)
	for i := len(l.undo) - 1; i >= 0; i-- {
		_, _ = l.exec(bg, l.undo[i])
	}
	l.undo = nil
}

// evolve runs the schema changes plan decided.
func (l *landing) evolve(ctx context.Context) error {
	for _, q := range l.ddl {
		if _, err := l.exec(ctx, q); err != nil {
			return fmt.Errorf("snowflake: land %s: evolve schema (%s): %w", l.t, q, err)
		}
	}
	return nil
}

// value renders column c of the staging row s, cast to the table's type.
func (l *landing) value(c batchColumn) string {
	ref := "s." + quoteIdent(c.name)
	if tt := l.target[strings.ToLower(c.name)]; !tt.same(c.typ) {
		ref = fmt.Sprintf("CAST(%s AS %s)", ref, tt.sql())
	}
	return ref
}

func (l *landing) columnList() string {
	parts := make([]string, len(l.cols))
	for i, c := range l.cols {
		parts[i] = quoteIdent(c.name)
	}
	return strings.Join(parts, ", ")
}

func (l *landing) valueList() string {
	parts := make([]string, len(l.cols))
	for i, c := range l.cols {
		parts[i] = l.value(c)
	}
	return strings.Join(parts, ", ")
}

func (l *landing) appendRows(ctx context.Context) error {
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS s ORDER BY s.%s", l.qualified(), l.columnList(), l.valueList(),
		l.stageTable(), quoteIdent(seqColumn))
	res, err := l.exec(ctx, q)
	if err != nil {
		return fmt.Errorf("snowflake: land %s: insert: %w", l.t, err)
	}
	n, _ := res.RowsAffected()
	l.stats.Inserted = n
	return nil
}

// mergeRows merges the staged rows (the last of each key) with one MERGE:
// rows with values replace the row when a versioned column changed;
// deletions reported by id alone set the tombstone (and the unversioned
// columns), keeping every other value; new keys are inserted.
func (l *landing) mergeRows(ctx context.Context) error {
	keys := make([]string, len(l.opts.Key))
	var on []string
	for i, k := range l.opts.Key {
		keys[i] = quoteIdent(k)
		on = append(on, "t."+keys[i]+" = s."+keys[i])
	}
	isKey := map[string]bool{}
	for _, k := range l.opts.Key {
		isKey[strings.ToLower(k)] = true
	}
	unversioned := map[string]bool{}
	for _, c := range l.opts.Unversioned {
		unversioned[strings.ToLower(c)] = true
	}
	tomb := strings.ToLower(l.opts.Tombstone)
	var sets, markSets, changed []string
	for _, c := range l.cols {
		low := strings.ToLower(c.name)
		if isKey[low] {
			continue
		}
		col := quoteIdent(c.name)
		val := l.value(c)
		sets = append(sets, col+" = "+val)
		if unversioned[low] || low == tomb {
			markSets = append(markSets, col+" = "+val)
		}
		if !unversioned[low] {
			changed = append(changed, fmt.Sprintf("t.%s IS DISTINCT FROM %s", col, val))
		}
	}
	src := l.stageTable()
	if l.distinct < l.stats.Rows {
		src = fmt.Sprintf("(SELECT * FROM %s QUALIFY row_number() OVER (PARTITION BY %s ORDER BY %s DESC) = 1)",
			l.stageTable(), strings.Join(keys, ", "), quoteIdent(seqColumn))
	}
	var clauses []string
	idOnly := "FALSE"
	sTomb, tTomb := "NULL", "NULL"
	changedSQL := "FALSE"
	if len(changed) > 0 {
		changedSQL = "(" + strings.Join(changed, " OR ") + ")"
	}
	insCols, insVals := l.columnList(), l.valueList()
	if l.opts.History != nil {
		live := "TRUE"
		if tomb != "" {
			live = "t." + quoteIdent(l.opts.Tombstone) + " IS NULL" // a deleted row has no open version
		}
		if err := l.archive(ctx, src, strings.Join(on, " AND "), changedSQL, live); err != nil {
			return err
		}
		vf := quoteIdent(load.ValidFromColumn)
		start := l.startOf()
		next := start
		if tomb != "" {
			st, tt := "s."+quoteIdent(l.opts.Tombstone), "t."+quoteIdent(l.opts.Tombstone)
			// A deleted row that stays deleted has no version to start.
			next = fmt.Sprintf("CASE WHEN %s IS NOT NULL AND %s IS NOT NULL THEN t.%s ELSE %s END", st, tt, vf, start)
			markSets = append(markSets, fmt.Sprintf("%s = CASE WHEN %s IS NULL THEN %s ELSE t.%s END", vf, tt, start, vf))
		}
		sets = append(sets, vf+" = "+next)
		insCols += ", " + vf
		insVals += ", " + l.firstFromOf("s")
	}
	if tomb != "" {
		sTomb, tTomb = "s."+quoteIdent(l.opts.Tombstone), "t."+quoteIdent(l.opts.Tombstone)
		conds := []string{sTomb + " IS NOT NULL"}
		for _, c := range l.cols {
			if low := strings.ToLower(c.name); !isKey[low] && low != tomb && !unversioned[low] {
				conds = append(conds, "s."+quoteIdent(c.name)+" IS NULL")
			}
		}
		idOnly = "(" + strings.Join(conds, " AND ") + ")"
		clauses = append(clauses, fmt.Sprintf("WHEN MATCHED AND %s AND %s IS DISTINCT FROM %s THEN UPDATE SET %s",
			idOnly, tTomb, sTomb, strings.Join(markSets, ", ")))
	}
	if len(changed) > 0 {
		clauses = append(clauses, fmt.Sprintf("WHEN MATCHED AND NOT %s AND %s THEN UPDATE SET %s",
			idOnly, changedSQL, strings.Join(sets, ", ")))
	}
	clauses = append(clauses, fmt.Sprintf("WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)", insCols, insVals))
	q := fmt.Sprintf("MERGE INTO %s AS t USING %s AS s ON %s\n%s", l.qualified(), src, strings.Join(on, " AND "), strings.Join(clauses, "\n"))
	l.statements++
	rows, err := l.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("snowflake: land %s: merge: %w", l.t, l.w.describe(err))
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("snowflake: land %s: merge: %w", l.t, err)
	}
	if rows.Next() {
		vals := make([]sql.NullInt64, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("snowflake: land %s: merge counts: %w", l.t, err)
		}
		for i, n := range names {
			switch strings.ToLower(n) {
			case "number of rows inserted":
				l.stats.Inserted = vals[i].Int64
			case "number of rows updated":
				l.stats.Updated = vals[i].Int64
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("snowflake: land %s: merge: %w", l.t, err)
	}
	l.stats.Unchanged = l.distinct - l.stats.Inserted - l.stats.Updated
	return nil
}

// saveCursor replaces the cursor of (source, object) inside the landing's transaction.
func (l *landing) saveCursor(ctx context.Context, c load.CursorUpdate) error {
	if c.Source == "" || c.Object == "" {
		return errors.New("cursor needs a source and an object")
	}
	if _, err := l.exec(ctx, `DELETE FROM _revops.cursors WHERE source = ? AND object = ?`, c.Source, c.Object); err != nil {
		return fmt.Errorf("save cursor %s/%s: %w", c.Source, c.Object, err)
	}
	if _, err := l.exec(ctx, `INSERT INTO _revops.cursors (source, object, value, updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP())`,
		c.Source, c.Object, c.Value); err != nil {
		return fmt.Errorf("save cursor %s/%s: %w", c.Source, c.Object, err)
	}
	return nil
}
