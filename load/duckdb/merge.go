//go:build duckdb_arrow

package duckdb

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/revops/revops/load"
)

// errRepeatedKeys: a landing merged by mergeOnce held a key twice.
var errRepeatedKeys = errors.New("a key came more than once")

// mergeOnce merges a landing without history straight from the Arrow
// stream, reading the batches once: no staged copy. The NULL-key refusal
// and the count of distinct keys are done in Go as DuckDB pulls the
// batches; a NULL key fails the landing after the statements, and the
// caller's transaction rolls it back. A key that came twice returns
// errRepeatedKeys (a MERGE cannot tell which row should win): the caller
// rolls back and lands again through the staged path, which keeps the
// last row per key.
//
// Two plans, chosen by the size of the landing against the table's:
//
//   - One MERGE statement. DuckDB estimates an Arrow scan at one row, so
//     it builds the join's hash table on the landing (every column of
//     every row) and probes it with the table: right when the landing is
//     no larger than the table.
//   - For a landing larger than the table (a first full read into a
//     table holding some of its keys), building on the landing was about
//     half of the MERGE's time (EXPLAIN ANALYZE, 1,000,000 rows into
//     100,000). The table's keys are read into Go instead, the rows whose
//     key is new go in by a plain INSERT as the batches stream past, and
//     the rows whose key exists are kept aside and merged after it by
//     the same MERGE, whose hash table then holds only them. Only for
//     keys Go compares exactly as DuckDB does (text and integers, of the
//     table's own type): a key of the table taken for a new one would be
//     inserted twice. (The MERGE still inserts a key it does not find.)
func (l *landing) mergeOnce(ctx context.Context, r array.RecordReader) error {
	var hasRows bool
	if err := l.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s)", l.qualified())).Scan(&hasRows); err != nil {
		return fmt.Errorf("duckdb: land %s: %w", l.t, err)
	}
	var before int64
	if hasRows {
		if err := l.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+l.qualified()).Scan(&before); err != nil {
			return fmt.Errorf("duckdb: land %s: count rows: %w", l.t, err)
		}
	}
	kc, err := newKeyCheck(newSeqReader(r), l.opts.Key)
	if err != nil {
		return fmt.Errorf("duckdb: land %s: %w", l.t, err)
	}
	defer kc.Release()

	var affected int64
	if keyIdx, ok := l.exactKeys(kc.Schema()); hasRows && ok {
		// Read ahead one row more than the table holds: reached, the
		// landing is the larger side.
		head := newHeadReader(kc)
		defer head.Release()
		if head.readAhead(before + 1) {
			affected, err = l.insertThenMerge(ctx, head, keyIdx)
		} else {
			affected, err = l.mergeStatement(ctx, head, true)
		}
	} else {
		affected, err = l.mergeStatement(ctx, kc, hasRows)
	}
	if rerr := r.Err(); rerr != nil {
		return fmt.Errorf("duckdb: land %s: read batches: %w", l.t, rerr)
	}
	if err != nil {
		// A key that came twice may be what failed a statement (two
		// landed rows for one row of the table): the batches DuckDB did
		// not read are counted too, and such a landing goes the staged way.
		for kc.Next() { // counted only
		}
		if r.Err() == nil && kc.nulls == 0 && int64(len(kc.seen)) < kc.seq {
			return errRepeatedKeys
		}
		return err
	}
	if kc.nulls > 0 {
		return fmt.Errorf("duckdb: land %s: %d rows have a NULL in key (%s), the first is row %d of the landing: %w",
			l.t, kc.nulls, strings.Join(l.opts.Key, ", "), kc.firstNull, load.ErrNullKey)
	}
	if int64(len(kc.seen)) < kc.seq {
		return errRepeatedKeys
	}
	l.stats.Rows = kc.seq
	if !hasRows {
		l.stats.Inserted = affected
	} else {
		var after int64
		if err := l.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+l.qualified()).Scan(&after); err != nil {
			return fmt.Errorf("duckdb: land %s: count rows: %w", l.t, err)
		}
		l.stats.Inserted = after - before
		l.stats.Updated = affected - l.stats.Inserted
	}
	l.stats.Unchanged = int64(len(kc.seen)) - l.stats.Inserted - l.stats.Updated
	return nil
}

// mergeStatement lands the batches of r by one statement: a MERGE, or an
// INSERT when the table has no rows. It returns the rows it wrote.
func (l *landing) mergeStatement(ctx context.Context, r array.RecordReader, hasRows bool) (int64, error) {
	view, drop, err := l.registerView(ctx, r)
	if err != nil {
		return 0, err
	}
	defer func() { _ = drop() }()
	keys := make([]string, len(l.opts.Key))
	for i, k := range l.opts.Key {
		keys[i] = quoteIdent(k)
	}
	// One read of the whole view, every column (duckdb/duckdb-go#24).
	src := fmt.Sprintf("(SELECT * FROM %s)", quoteIdent(view))
	m := l.mergeSQL(src, keys)
	var q string
	if !hasRows {
		q = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS s", l.qualified(), l.columnList(), l.selectList("s"), src)
	} else {
		var b strings.Builder
		fmt.Fprintf(&b, "MERGE INTO %s AS t USING %s AS s ON %s", l.qualified(), src, m.on)
		if l.opts.Tombstone != "" {
			// Deletions reported by id alone: the tombstone (and the
			// unversioned columns) only, every other value kept.
			fmt.Fprintf(&b, " WHEN MATCHED AND %s AND %s IS DISTINCT FROM %s THEN UPDATE SET %s",
				m.idOnly, m.tTomb, m.sTomb, strings.Join(m.markSets, ", "))
		}
		// Rows with values: taken whole when a versioned column changed.
		if len(m.sets) > 0 {
			fmt.Fprintf(&b, " WHEN MATCHED AND NOT %s AND %s THEN UPDATE SET %s", m.idOnly, m.changed, strings.Join(m.sets, ", "))
		}
		fmt.Fprintf(&b, " WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)", l.columnList(), l.selectList("s"))
		q = b.String()
	}
	res, err := l.conn.ExecContext(ctx, q)
	if derr := drop(); err == nil && derr != nil {
		return 0, derr
	}
	if err != nil {
		return 0, fmt.Errorf("duckdb: land %s: merge: %w", l.t, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// insertThenMerge lands r, larger than the table, in two statements: an
// INSERT of the rows whose key the table does not hold, streamed, then
// the MERGE of the others. It returns the rows they wrote.
func (l *landing) insertThenMerge(ctx context.Context, r array.RecordReader, keyIdx []int) (int64, error) {
	have, ok, err := l.tableKeys(ctx)
	if err != nil {
		return 0, err
	}
	if !ok {
		return l.mergeStatement(ctx, r, true)
	}
	sp := &splitReader{src: r, idx: keyIdx, have: have}
	sp.refs.Store(1)
	defer sp.Release()
	view, drop, err := l.registerView(ctx, sp)
	if err != nil {
		return 0, err
	}
	defer func() { _ = drop() }()
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM (SELECT * FROM %s) AS s",
		l.qualified(), l.columnList(), l.selectList("s"), quoteIdent(view))
	res, err := l.conn.ExecContext(ctx, q)
	if derr := drop(); err == nil && derr != nil {
		return 0, derr
	}
	if sp.err != nil {
		return 0, fmt.Errorf("duckdb: land %s: split the rows of known keys: %w", l.t, sp.err)
	}
	if err != nil {
		return 0, fmt.Errorf("duckdb: land %s: insert new keys: %w", l.t, err)
	}
	inserted, _ := res.RowsAffected()
	if len(sp.known) == 0 {
		return inserted, nil
	}
	known, err := array.NewRecordReader(r.Schema(), sp.known)
	if err != nil {
		return 0, fmt.Errorf("duckdb: land %s: rows of known keys: %w", l.t, err)
	}
	defer known.Release()
	merged, err := l.mergeStatement(ctx, known, true)
	return inserted + merged, err
}

// exactKeys returns the positions in s of the landing's key columns when
// Go can compare their values exactly as DuckDB does: text or integers,
// of the type the table holds them in.
func (l *landing) exactKeys(s *arrow.Schema) ([]int, bool) {
	var idx []int
	for _, k := range l.opts.Key {
		found := -1
		for i, f := range s.Fields() {
			if strings.EqualFold(f.Name, k) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, false
		}
		switch s.Field(found).Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
			arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		default:
			return nil, false
		}
		low := strings.ToLower(k)
		for _, c := range l.cols {
			if strings.ToLower(c.name) == low && l.target[low].key != c.typ.key {
				return nil, false
			}
		}
		idx = append(idx, found)
	}
	return idx, true
}

// tableKeys reads the keys the table holds (NULLs left out), encoded by
// appendKey; false when DuckDB hands them back in a type appendKey does
// not read.
func (l *landing) tableKeys(ctx context.Context) (map[string]struct{}, bool, error) {
	cols := make([]string, len(l.opts.Key))
	conds := make([]string, len(l.opts.Key))
	for i, k := range l.opts.Key {
		cols[i] = quoteIdent(k)
		conds[i] = quoteIdent(k) + " IS NOT NULL"
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(cols, ", "), l.qualified(), strings.Join(conds, " AND "))
	have := map[string]struct{}{}
	readable := true
	err := l.conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rdr.Release()
		idx := make([]int, len(cols))
		for i := range idx {
			idx[i] = i
		}
		var buf []byte
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for row := 0; row < int(rec.NumRows()); row++ {
				var ok bool
				buf, ok = appendKey(buf[:0], rec, idx, row)
				if !ok {
					readable = false
					return nil
				}
				have[string(buf)] = struct{}{}
			}
		}
		return rdr.Err()
	})
	if err != nil {
		return nil, false, fmt.Errorf("duckdb: land %s: read the table's keys: %w", l.t, err)
	}
	return have, readable, nil
}

// appendKey appends the key of one row to buf, each column as its length
// and bytes (text) or its 8 bytes (integers), so that composite keys
// never run together. It returns false for a NULL in the key or a type
// exactKeys does not accept.
func appendKey(buf []byte, rec arrow.RecordBatch, idx []int, row int) ([]byte, bool) {
	for _, j := range idx {
		c := rec.Column(j)
		if c.IsNull(row) {
			return buf, false
		}
		var n uint64
		switch a := c.(type) {
		case *array.String:
			v := a.Value(row)
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
			continue
		case *array.LargeString:
			v := a.Value(row)
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
			continue
		case *array.StringView:
			v := a.Value(row)
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
			continue
		case *array.Int8:
			n = uint64(a.Value(row))
		case *array.Int16:
			n = uint64(a.Value(row))
		case *array.Int32:
			n = uint64(a.Value(row))
		case *array.Int64:
			n = uint64(a.Value(row))
		case *array.Uint8:
			n = uint64(a.Value(row))
		case *array.Uint16:
			n = uint64(a.Value(row))
		case *array.Uint32:
			n = uint64(a.Value(row))
		case *array.Uint64:
			n = a.Value(row)
		default:
			return buf, false
		}
		buf = binary.BigEndian.AppendUint64(buf, n)
	}
	return buf, true
}

// splitReader hands on the rows of a landing whose key is not in have
// and keeps the others (known) for the MERGE that follows.
type splitReader struct {
	src   array.RecordReader
	idx   []int
	have  map[string]struct{}
	known []arrow.RecordBatch
	cur   arrow.RecordBatch
	err   error
	refs  atomic.Int64
	buf   []byte
}

func (s *splitReader) Schema() *arrow.Schema { return s.src.Schema() }

func (s *splitReader) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	for s.err == nil && s.src.Next() {
		rec := s.src.RecordBatch()
		n := int(rec.NumRows())
		isKnown := make([]bool, n)
		var nKnown int
		for row := 0; row < n; row++ {
			var ok bool
			s.buf, ok = appendKey(s.buf[:0], rec, s.idx, row)
			if !ok {
				continue // a NULL key: the landing fails after the statement
			}
			if _, ok := s.have[string(s.buf)]; ok {
				isKnown[row] = true
				nKnown++
			}
		}
		switch nKnown {
		case 0:
			rec.Retain()
			s.cur = rec
			return true
		case n:
			rec.Retain()
			s.known = append(s.known, rec)
			continue
		}
		known, fresh, err := splitBatch(rec, isKnown)
		if err != nil {
			s.err = err
			return false
		}
		s.known = append(s.known, known)
		s.cur = fresh
		return true
	}
	return false
}

// splitBatch returns the rows of rec where sel is true and the others.
func splitBatch(rec arrow.RecordBatch, sel []bool) (yes, no arrow.RecordBatch, err error) {
	ctx := context.Background()
	mask := func(want bool) arrow.Array {
		b := array.NewBooleanBuilder(memory.DefaultAllocator)
		defer b.Release()
		b.Reserve(len(sel))
		for _, v := range sel {
			b.UnsafeAppend(v == want)
		}
		return b.NewArray()
	}
	m := mask(true)
	defer m.Release()
	if yes, err = compute.FilterRecordBatch(ctx, rec, m, compute.DefaultFilterOptions()); err != nil {
		return nil, nil, err
	}
	m2 := mask(false)
	defer m2.Release()
	if no, err = compute.FilterRecordBatch(ctx, rec, m2, compute.DefaultFilterOptions()); err != nil {
		yes.Release()
		return nil, nil, err
	}
	return yes, no, nil
}

func (s *splitReader) RecordBatch() arrow.RecordBatch { return s.cur }

// Record returns the current batch (the arrow-go v17 name).
func (s *splitReader) Record() arrow.RecordBatch { return s.cur }

func (s *splitReader) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.src.Err()
}

func (s *splitReader) Retain() { s.refs.Add(1) }

func (s *splitReader) Release() {
	if s.refs.Add(-1) != 0 {
		return
	}
	releaseBatches(s.cur, s.known)
	s.cur, s.known = nil, nil
}

// releaseBatches releases a reader's current batch (nil: none) and the
// batches it still holds.
func releaseBatches(cur arrow.RecordBatch, held []arrow.RecordBatch) {
	if cur != nil {
		cur.Release()
	}
	for _, rec := range held {
		rec.Release()
	}
}

// headReader hands on a landing's batches after reading the first of
// them ahead (readAhead), to learn whether the landing is larger than
// the table before the plan is chosen.
type headReader struct {
	src  array.RecordReader
	head []arrow.RecordBatch // read ahead, not yet handed on
	cur  arrow.RecordBatch
	refs atomic.Int64
}

func newHeadReader(src array.RecordReader) *headReader {
	h := &headReader{src: src}
	h.refs.Store(1)
	return h
}

// readAhead reads batches until limit rows were read or the batches
// ended, and reports whether limit was reached.
func (h *headReader) readAhead(limit int64) bool {
	var n int64
	for n < limit {
		if !h.src.Next() {
			return false
		}
		rec := h.src.RecordBatch()
		rec.Retain()
		h.head = append(h.head, rec)
		n += rec.NumRows()
	}
	return true
}

func (h *headReader) Schema() *arrow.Schema { return h.src.Schema() }

func (h *headReader) Next() bool {
	if h.cur != nil {
		h.cur.Release()
		h.cur = nil
	}
	if len(h.head) > 0 {
		h.cur = h.head[0]
		h.head[0] = nil
		h.head = h.head[1:]
		return true
	}
	if !h.src.Next() {
		return false
	}
	h.cur = h.src.RecordBatch()
	h.cur.Retain()
	return true
}

func (h *headReader) RecordBatch() arrow.RecordBatch { return h.cur }

// Record returns the current batch (the arrow-go v17 name).
func (h *headReader) Record() arrow.RecordBatch { return h.cur }

func (h *headReader) Err() error { return h.src.Err() }

func (h *headReader) Retain() { h.refs.Add(1) }

func (h *headReader) Release() {
	if h.refs.Add(-1) != 0 {
		return
	}
	releaseBatches(h.cur, h.head)
	h.cur, h.head = nil, nil
}

// keyCheck counts the NULL keys and the distinct keys of the batches a
// landing's reader hands DuckDB. Keys are told apart by a 64-bit hash of
// their values: two keys sharing one would count once (about one chance
// in 10^7 for a landing of 10^6 keys), which only the unchanged count
// could show.
type keyCheck struct {
	*seqReader
	idx       []int
	seed      maphash.Seed
	seen      map[uint64]struct{}
	nulls     int64
	firstNull int64 // the row number (1-based) of the first NULL key
}

func newKeyCheck(r *seqReader, keys []string) (*keyCheck, error) {
	kc := &keyCheck{seqReader: r, seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}}
	fields := r.Schema().Fields()
	for _, k := range keys {
		found := -1
		for i, f := range fields {
			if strings.EqualFold(f.Name, k) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, fmt.Errorf("key column %q is not in the batches", k)
		}
		kc.idx = append(kc.idx, found)
	}
	return kc, nil
}

func (kc *keyCheck) Next() bool {
	start := kc.seq
	if !kc.seqReader.Next() {
		return false
	}
	rec := kc.seqReader.RecordBatch()
	cols := make([]arrow.Array, len(kc.idx))
	for i, j := range kc.idx {
		cols[i] = rec.Column(j)
	}
	var h maphash.Hash
	h.SetSeed(kc.seed)
	n := int(rec.NumRows())
	for row := 0; row < n; row++ {
		h.Reset()
		null := false
		for _, c := range cols {
			if c.IsNull(row) {
				null = true
				break
			}
			switch a := c.(type) {
			case *array.String:
				h.WriteString(a.Value(row))
			case *array.LargeString:
				h.WriteString(a.Value(row))
			case *array.Binary:
				h.Write(a.Value(row))
			default:
				h.WriteString(a.ValueStr(row))
			}
			h.WriteByte(0)
		}
		if null {
			kc.nulls++
			if kc.firstNull == 0 {
				kc.firstNull = start + int64(row) + 1
			}
			continue
		}
		kc.seen[h.Sum64()] = struct{}{}
	}
	return true
}

// keepReader hands on the batches of a landing and keeps a reference to
// each, so that the landing can read them again (replay).
type keepReader struct {
	array.RecordReader
	kept []arrow.RecordBatch
}

func newKeepReader(r array.RecordReader) *keepReader { return &keepReader{RecordReader: r} }

func (k *keepReader) Next() bool {
	if !k.RecordReader.Next() {
		return false
	}
	rec := k.RecordReader.RecordBatch()
	rec.Retain()
	k.kept = append(k.kept, rec)
	return true
}

// replay reads the kept batches again.
func (k *keepReader) replay() (array.RecordReader, error) {
	return array.NewRecordReader(k.RecordReader.Schema(), k.kept)
}

func (k *keepReader) releaseKept() {
	for _, rec := range k.kept {
		rec.Release()
	}
	k.kept = nil
}
