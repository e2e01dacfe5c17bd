package bigquery

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"google.golang.org/api/iterator"

	"github.com/revops/revops/load"
)

// Land writes r into t. See load.Warehouse.
//
// A landing reads r once into a Parquet file (checking for NULL keys on
// the way), evolves the table's schema (columns added with tables.patch,
// widened with CREATE OR REPLACE TABLE ... SELECT * REPLACE), uploads the
// file with one load job into a staging table, and then runs one script:
// BEGIN TRANSACTION; the INSERT or MERGE; the run's counts; the cursor;
// COMMIT. Rows, run counts and cursor commit together or not at all.
//
// BigQuery allows no DDL on permanent tables inside a transaction, so a
// schema change is made before the transaction: a landing that fails after
// it (the load job or the MERGE fails) leaves the added, all-NULL columns
// or the widened type behind, and none of its rows or its cursor. Refused
// type changes, NULL keys and a failing reader stop the landing before
// anything is written.
func (w *Warehouse) Land(ctx context.Context, t load.Table, r array.RecordReader, opts load.LandOptions) (st load.Stats, err error) {
	start := time.Now()
	fig := LandingFigures{}
	defer func() {
		st.Duration = time.Since(start)
		fig.Duration, fig.Rows = st.Duration, st.Rows
		if err == nil {
			w.mu.Lock()
			w.last = fig
			w.mu.Unlock()
		}
	}()
	if err := t.Validate(); err != nil {
		return st, fmt.Errorf("bigquery: land: %w: %w", load.ErrBadLanding, err)
	}
	fields, err := landingFields(r.Schema(), opts)
	if err != nil {
		return st, fmt.Errorf("bigquery: land %s: %w", t, err)
	}
	lock := w.tableLock(t)
	lock.Lock()
	defer lock.Unlock()

	file, size, rows, err := spool(r, opts)
	if file != "" {
		defer os.Remove(file)
	}
	if err != nil {
		return st, fmt.Errorf("bigquery: land %s: %w", t, err)
	}
	st.Rows = rows
	fig.Bytes = size
	cursor := opts.Cursor
	if cursor != nil && cursor.Final != nil {
		c := *cursor
		c.Value = c.Final()
		cursor = &c
	}

	if err := w.ensureDataset(ctx, t.Schema); err != nil {
		return st, fmt.Errorf("bigquery: land %s: %w", t, err)
	}
	l := &landing{w: w, t: t, fields: fields, opts: opts, fig: &fig, now: start}
	if err := l.prepareTable(ctx, &st); err != nil {
		return st, err
	}
	stage, err := l.stage(ctx, file)
	if stage != "" {
		defer func() {
			// A fresh context: the caller's may be what failed.
			_ = w.client.Dataset(w.Dataset(t.Schema)).Table(stage).Delete(context.WithoutCancel(ctx))
		}()
	}
	if err != nil {
		return st, err
	}
	script := l.script(stage, cursor, st.Rows)
	var job *bq.Job
	for attempt := 1; ; attempt++ {
		fig.Jobs++
		fig.Statements += strings.Count(script, ";")
		job, _, err = w.run(ctx, script)
		if err == nil {
			break
		}
		// Concurrent landings all write _revops.cursors and _revops.runs:
		// BigQuery aborts a transaction that conflicts with another one, and
		// the script (which changed nothing) is run again.
		if !concurrentUpdate(err) || attempt == maxAttempts {
			return st, fmt.Errorf("bigquery: land %s: %w", t, err)
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("bigquery: land %s: %w", t, ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * 200 * time.Millisecond):
		}
	}
	if opts.Mode == load.Append {
		st.Inserted = st.Rows
		return st, nil
	}
	it, err := job.Read(ctx)
	if err != nil {
		return st, fmt.Errorf("bigquery: land %s: read counts: %w", t, err)
	}
	var counts []bq.Value
	if err := it.Next(&counts); err != nil && err != iterator.Done {
		return st, fmt.Errorf("bigquery: land %s: read counts: %w", t, err)
	}
	if len(counts) == 3 {
		st.Inserted, _ = counts[0].(int64)
		st.Updated, _ = counts[1].(int64)
		st.Unchanged, _ = counts[2].(int64)
	}
	return st, nil
}

// landingFields checks the landing's schema and options and maps every
// column to its BigQuery field.
func landingFields(s *arrow.Schema, opts load.LandOptions) ([]*bq.FieldSchema, error) {
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
	out := make([]*bq.FieldSchema, 0, s.NumFields())
	for _, f := range s.Fields() {
		low := strings.ToLower(f.Name)
		if f.Name == "" {
			return nil, fmt.Errorf("%w: a column has no name", load.ErrBadLanding)
		}
		if strings.HasPrefix(low, "_revops_") {
			return nil, fmt.Errorf("%w: column name %s is reserved", load.ErrBadLanding, f.Name)
		}
		if seen[low] {
			return nil, fmt.Errorf("%w: column %s appears twice (names are case-insensitive)", load.ErrBadLanding, f.Name)
		}
		seen[low] = true
		bf, err := field(f)
		if err != nil {
			return nil, fmt.Errorf("%w: column %s: %w", load.ErrBadLanding, f.Name, err)
		}
		out = append(out, bf)
	}
	for _, k := range opts.Key {
		if !seen[strings.ToLower(k)] {
			return nil, fmt.Errorf("%w: key column %s is not in the batch", load.ErrBadLanding, k)
		}
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
	if opts.Tombstone != "" && (opts.Mode != load.Merge || !seen[strings.ToLower(opts.Tombstone)]) {
		return nil, fmt.Errorf("%w: tombstone column %s must be a column of a merge landing", load.ErrBadLanding, opts.Tombstone)
	}
	return out, nil
}

// spool reads r into a Parquet file, adding the arrival order as
// _revops_seq and refusing a NULL in a key column. It returns the file,
// its size and the rows read.
func spool(r array.RecordReader, opts load.LandOptions) (name string, size, rows int64, err error) {
	in := r.Schema()
	keyIdx := make([]int, 0, len(opts.Key))
	for _, k := range opts.Key {
		for i, f := range in.Fields() {
			if strings.EqualFold(f.Name, k) {
				keyIdx = append(keyIdx, i)
			}
		}
	}
	out := arrow.NewSchema(append(append([]arrow.Field{}, in.Fields()...),
		arrow.Field{Name: seqColumn, Type: arrow.PrimitiveTypes.Int64}), nil)
	f, err := os.CreateTemp("", "revops-bq-*.parquet")
	if err != nil {
		return "", 0, 0, fmt.Errorf("spool: %w", err)
	}
	name = f.Name()
	defer func() {
		_ = f.Close() // closed already by the Parquet writer's Close on success
		if err == nil {
			if fi, serr := os.Stat(name); serr == nil {
				size = fi.Size()
			}
		}
	}()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
	pw, err := pqarrow.NewFileWriter(out, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return name, 0, 0, fmt.Errorf("spool: %w", err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = pw.Close()
		}
	}()
	for r.Next() {
		rec := r.RecordBatch()
		n := rec.NumRows()
		if opts.Mode == load.Merge {
			for _, k := range keyIdx {
				col := rec.Column(k)
				if col.NullN() == 0 {
					continue
				}
				for i := 0; i < int(n); i++ {
					if col.IsNull(i) {
						return name, 0, rows, fmt.Errorf("key column %s holds NULL in row %d of the landing: %w",
							in.Field(k).Name, rows+int64(i)+1, load.ErrNullKey)
					}
				}
			}
		}
		sb := array.NewInt64Builder(memory.DefaultAllocator)
		for i := int64(0); i < n; i++ {
			sb.Append(rows + i)
		}
		seq := sb.NewArray()
		sb.Release()
		cols := append(append([]arrow.Array{}, rec.Columns()...), seq)
		withSeq := array.NewRecordBatch(out, cols, n)
		seq.Release()
		err := pw.Write(withSeq)
		withSeq.Release()
		if err != nil {
			return name, 0, rows, fmt.Errorf("spool: write parquet: %w", err)
		}
		rows += n
	}
	if err := r.Err(); err != nil {
		return name, 0, rows, fmt.Errorf("read batches: %w", err)
	}
	closed = true
	if err := pw.Close(); err != nil {
		return name, 0, rows, fmt.Errorf("spool: %w", err)
	}
	return name, 0, rows, nil
}

// landing is the state of one Land call.
type landing struct {
	w      *Warehouse
	t      load.Table
	fields []*bq.FieldSchema
	opts   load.LandOptions
	fig    *LandingFigures
	// target holds the table's column types after evolution, by lower-case name.
	target map[string]colType
	names  map[string]string // lower-case name -> the table's spelling
	// History: the main table's columns in order (without _valid_from),
	// and whether rows landed before history began need their _valid_from.
	mainCols      []string
	fillValidFrom bool
	schemaChanged bool
	now           time.Time
}

func (l *landing) table() *bq.Table {
	return l.w.client.Dataset(l.w.Dataset(l.t.Schema)).Table(l.t.Name)
}

// prepareTable creates the table or evolves its columns; incompatible
// type changes are found before anything is altered.
func (l *landing) prepareTable(ctx context.Context, st *load.Stats) error {
	l.target, l.names = map[string]colType{}, map[string]string{}
	md, err := l.table().Metadata(ctx)
	if hasStatus(err, 404) {
		schema := make(bq.Schema, len(l.fields))
		copy(schema, l.fields)
		if l.opts.History != nil {
			schema = append(schema, &bq.FieldSchema{Name: load.ValidFromColumn, Type: bq.TimestampFieldType})
		}
		if err := l.table().Create(ctx, &bq.TableMetadata{Schema: schema}); err != nil {
			return fmt.Errorf("bigquery: land %s: create table: %w", l.t, err)
		}
		for _, f := range l.fields {
			l.target[strings.ToLower(f.Name)] = typeOf(f)
			l.names[strings.ToLower(f.Name)] = f.Name
		}
		l.schemaChanged = true
		return l.prepareHistory(ctx)
	}
	if err != nil {
		return fmt.Errorf("bigquery: land %s: read table: %w", l.t, err)
	}
	existing := map[string]*bq.FieldSchema{}
	for _, f := range md.Schema {
		existing[strings.ToLower(f.Name)] = f
		l.target[strings.ToLower(f.Name)] = typeOf(f)
		l.names[strings.ToLower(f.Name)] = f.Name
	}
	var added []*bq.FieldSchema
	var widened []string
	for _, f := range l.fields {
		low := strings.ToLower(f.Name)
		cur, ok := existing[low]
		if !ok {
			added = append(added, f)
			st.AddedColumns = append(st.AddedColumns, f.Name)
			l.target[low], l.names[low] = typeOf(f), f.Name
			continue
		}
		ct, bt := typeOf(cur), typeOf(f)
		ev, to := reconcile(ct, bt)
		switch ev {
		case load.Refuse:
			return fmt.Errorf("bigquery: land %s: column %s: table has %s, batch has %s, and no type holds both safely: %w",
				l.t, f.Name, cur.Type, f.Type, load.ErrIncompatibleType)
		case load.Widen:
			widened = append(widened, fmt.Sprintf("CAST(%s AS %s) AS %s", quote(cur.Name), to.ddl, quote(cur.Name)))
			st.WidenedColumns = append(st.WidenedColumns, fmt.Sprintf("%s %s→%s", f.Name, ct, to))
			l.target[low] = to
		}
	}
	if len(widened) > 0 {
		rel := l.w.relation(l.t)
		q := fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT * REPLACE (%s) FROM %s", rel, strings.Join(widened, ", "), rel)
		l.fig.Jobs++
		l.fig.Statements++
		if _, _, err := l.w.run(ctx, q); err != nil {
			return fmt.Errorf("bigquery: land %s: widen columns: %w", l.t, err)
		}
	}
	l.schemaChanged = len(added) > 0 || len(widened) > 0
	if l.opts.History != nil {
		if _, ok := existing[load.ValidFromColumn]; !ok {
			added = append(added, &bq.FieldSchema{Name: load.ValidFromColumn, Type: bq.TimestampFieldType})
			l.fillValidFrom = true
		}
	}
	if len(added) > 0 {
		md, err := l.table().Metadata(ctx)
		if err != nil {
			return fmt.Errorf("bigquery: land %s: read table: %w", l.t, err)
		}
		schema := append(append(bq.Schema{}, md.Schema...), added...)
		if _, err := l.table().Update(ctx, bq.TableMetadataToUpdate{Schema: schema}, ""); err != nil {
			return fmt.Errorf("bigquery: land %s: add columns %v: %w", l.t, st.AddedColumns, err)
		}
	}
	return l.prepareHistory(ctx)
}

// stage creates a staging table beside the target and loads the Parquet
// file into it with one load job. The table expires on its own after a
// day in case the landing's process dies before dropping it.
func (l *landing) stage(ctx context.Context, file string) (string, error) {
	name := l.w.nextName(stagePrefix)
	schema := append(append(bq.Schema{}, l.fields...), &bq.FieldSchema{Name: seqColumn, Type: bq.IntegerFieldType})
	tbl := l.w.client.Dataset(l.w.Dataset(l.t.Schema)).Table(name)
	if err := tbl.Create(ctx, &bq.TableMetadata{Schema: schema, ExpirationTime: time.Now().Add(24 * time.Hour)}); err != nil {
		return "", fmt.Errorf("bigquery: land %s: create staging table: %w", l.t, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return name, fmt.Errorf("bigquery: land %s: %w", l.t, err)
	}
	defer f.Close()
	src := bq.NewReaderSource(f)
	src.SourceFormat = bq.Parquet
	src.ParquetOptions = &bq.ParquetOptions{EnableListInference: true}
	ld := tbl.LoaderFrom(src)
	ld.WriteDisposition = bq.WriteAppend
	ld.CreateDisposition = bq.CreateNever
	ld.Location = l.w.location
	l.fig.Jobs++
	job, err := ld.Run(ctx)
	if err != nil {
		return name, fmt.Errorf("bigquery: land %s: load job: %w", l.t, err)
	}
	st, err := job.Wait(ctx)
	if err == nil {
		err = st.Err()
	}
	if err != nil {
		return name, fmt.Errorf("bigquery: land %s: load job %s: %w", l.t, job.ID(), err)
	}
	return name, nil
}

// src renders staging column c as the table's type.
func (l *landing) src(alias string, f *bq.FieldSchema) string {
	ref := alias + "." + quote(f.Name)
	if tt := l.target[strings.ToLower(f.Name)]; tt.ddl != typeOf(f).ddl {
		ref = fmt.Sprintf("CAST(%s AS %s)", ref, tt.ddl)
	}
	return ref
}

func (l *landing) col(f *bq.FieldSchema) string { return quote(l.names[strings.ToLower(f.Name)]) }

// differs renders "the table's value differs from the landing's".
func (l *landing) differs(f *bq.FieldSchema) string {
	t, s := "T."+l.col(f), l.src("S", f)
	if tt := l.target[strings.ToLower(f.Name)]; tt.k == kOther || tt.k == kJSON {
		return fmt.Sprintf("TO_JSON_STRING(%s) IS DISTINCT FROM TO_JSON_STRING(%s)", t, s)
	}
	return fmt.Sprintf("%s IS DISTINCT FROM %s", t, s)
}

func (l *landing) is(list []string, name string) bool {
	for _, x := range list {
		if strings.EqualFold(x, name) {
			return true
		}
	}
	return false
}

// script renders the landing's transaction. A merge ends with a SELECT of
// its counts, computed before the MERGE inside the transaction.
func (l *landing) script(stage string, cursor *load.CursorUpdate, rows int64) string {
	rel := l.w.relation(l.t)
	stg := quote(l.w.Dataset(l.t.Schema)) + "." + quote(stage)
	var cols, vals []string
	for _, f := range l.fields {
		cols = append(cols, l.col(f))
		vals = append(vals, l.src("S", f))
	}
	var b strings.Builder
	b.WriteString("BEGIN TRANSACTION;\n")
	written := fmt.Sprint(rows)
	if l.opts.Mode == load.Append {
		fmt.Fprintf(&b, "INSERT INTO %s (%s) SELECT %s FROM %s AS S;\n", rel, strings.Join(cols, ", "), strings.Join(vals, ", "), stg)
	} else {
		var keys, on, changed, set, goneCols, goneSet []string
		tomb := l.opts.Tombstone
		for _, f := range l.fields {
			switch {
			case l.is(l.opts.Key, f.Name):
				keys = append(keys, quote(f.Name))
				on = append(on, fmt.Sprintf("T.%s = %s", l.col(f), l.src("S", f)))
				continue
			case l.is(l.opts.Unversioned, f.Name):
				goneSet = append(goneSet, fmt.Sprintf("%s = %s", l.col(f), l.src("S", f)))
			case tomb != "" && strings.EqualFold(tomb, f.Name):
				goneSet = append(goneSet, fmt.Sprintf("%s = %s", l.col(f), l.src("S", f)))
				changed = append(changed, l.differs(f))
			default:
				changed = append(changed, l.differs(f))
				goneCols = append(goneCols, "S."+quote(f.Name)+" IS NULL")
			}
			set = append(set, fmt.Sprintf("%s = %s", l.col(f), l.src("S", f)))
		}
		gone := "FALSE"
		if tomb != "" {
			gone = fmt.Sprintf("(S.%s IS NOT NULL AND %s)", quote(tomb), strings.Join(append(goneCols, "TRUE"), " AND "))
		}
		change := "FALSE"
		if len(changed) > 0 {
			change = "(" + strings.Join(changed, " OR ") + ")"
		}
		goneChange := "FALSE"
		if tomb != "" {
			goneChange = fmt.Sprintf("(T.%s IS DISTINCT FROM S.%s)", quote(tomb), quote(tomb))
		}
		// A deletion by id alone changes the tombstone (and the unversioned
		// columns); any other row changes when a versioned value does.
		upd := fmt.Sprintf("((%s AND %s) OR (NOT %s AND %s))", gone, goneChange, gone, change)
		dedup := fmt.Sprintf("(SELECT * EXCEPT (%s) FROM %s WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY %s ORDER BY %s DESC) = 1)",
			seqColumn, stg, strings.Join(keys, ", "), seqColumn)
		fmt.Fprintf(&b, "CREATE TEMP TABLE _revops_counts AS SELECT COUNTIF(T._revops_hit IS NULL) AS inserted, COUNTIF(T._revops_hit AND %s) AS updated, COUNTIF(T._revops_hit AND NOT %s) AS unchanged FROM %s AS S LEFT JOIN (SELECT *, TRUE AS _revops_hit FROM %s) AS T ON %s;\n",
			upd, upd, dedup, rel, strings.Join(on, " AND "))
		insCols, insVals := cols, vals
		if h := l.opts.History; h != nil {
			hs := l.historySQL()
			if l.fillValidFrom {
				fmt.Fprintf(&b, "UPDATE %s AS T SET %s = %s WHERE T.%s IS NULL;\n", rel, quote(load.ValidFromColumn), hs.firstFrom("T"), quote(load.ValidFromColumn))
			}
			live := "TRUE"
			if tomb != "" {
				live = fmt.Sprintf("T.%s IS NULL", quote(tomb))
			}
			var tcols []string
			for _, c := range l.mainCols {
				tcols = append(tcols, "T."+quote(c))
			}
			fmt.Fprintf(&b, "INSERT INTO %s (%s, %s, %s) SELECT %s, T.%s, %s FROM %s AS T JOIN %s AS S ON %s WHERE %s AND %s;\n",
				l.versionsRel(), quoteAll(l.mainCols), quote(load.ValidFromColumn), quote(load.ValidToColumn),
				strings.Join(tcols, ", "), quote(load.ValidFromColumn), hs.start, rel, dedup, strings.Join(on, " AND "), live, change)
			vf := "T." + quote(load.ValidFromColumn)
			next := hs.start
			if tomb != "" {
				next = fmt.Sprintf("CASE WHEN S.%s IS NOT NULL AND T.%s IS NOT NULL THEN %s ELSE %s END", quote(tomb), quote(tomb), vf, hs.start)
				goneSet = append(goneSet, fmt.Sprintf("%s = CASE WHEN T.%s IS NULL THEN %s ELSE %s END", quote(load.ValidFromColumn), quote(tomb), hs.start, vf))
			}
			set = append(set, quote(load.ValidFromColumn)+" = "+next)
			insCols = append(append([]string{}, cols...), quote(load.ValidFromColumn))
			insVals = append(append([]string{}, vals...), hs.firstFrom("S"))
			_ = h
		}
		fmt.Fprintf(&b, "MERGE INTO %s AS T USING %s AS S ON %s", rel, dedup, strings.Join(on, " AND "))
		if tomb != "" {
			fmt.Fprintf(&b, " WHEN MATCHED AND %s AND %s THEN UPDATE SET %s", gone, goneChange, strings.Join(goneSet, ", "))
		}
		if len(set) > 0 {
			fmt.Fprintf(&b, " WHEN MATCHED AND NOT %s AND %s THEN UPDATE SET %s", gone, change, strings.Join(set, ", "))
		}
		fmt.Fprintf(&b, " WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s);\n", strings.Join(insCols, ", "), strings.Join(insVals, ", "))
		written = "(SELECT inserted + updated FROM _revops_counts)"
	}
	state := quote(l.w.Dataset(load.StateSchema))
	if l.opts.RunID != "" {
		fmt.Fprintf(&b, "UPDATE %s.`runs` SET `rows_read` = COALESCE(`rows_read`, 0) + %d, `rows_written` = COALESCE(`rows_written`, 0) + %s WHERE `id` = %s;\n",
			state, rows, written, literal(l.opts.RunID))
	}
	if cursor != nil {
		fmt.Fprintf(&b, "MERGE INTO %s.`cursors` AS T USING (SELECT %s AS `source`, %s AS `object`, %s AS `value`) AS S ON T.`source` = S.`source` AND T.`object` = S.`object` WHEN MATCHED THEN UPDATE SET `value` = S.`value`, `updated_at` = CURRENT_TIMESTAMP() WHEN NOT MATCHED THEN INSERT (`source`, `object`, `value`, `updated_at`) VALUES (S.`source`, S.`object`, S.`value`, CURRENT_TIMESTAMP());\n",
			state, literal(cursor.Source), literal(cursor.Object), literal(cursor.Value))
	}
	b.WriteString("COMMIT TRANSACTION;\n")
	if l.opts.Mode == load.Merge {
		b.WriteString("SELECT inserted, updated, unchanged FROM _revops_counts;\n")
	}
	return b.String()
}

// maxAttempts bounds the runs of a landing's transaction that conflicted
// with a concurrent one.
const maxAttempts = 5

// concurrentUpdate reports whether err is BigQuery aborting a transaction
// for a concurrent update (the message text is what the service is
// documented to say; its error reason is unconfirmed).
func concurrentUpdate(err error) bool {
	return strings.Contains(err.Error(), "aborted due to concurrent update")
}
