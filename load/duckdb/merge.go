//go:build duckdb_arrow

package duckdb

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/load"
)

// errRepeatedKeys: a landing merged by mergeOnce held a key twice.
var errRepeatedKeys = errors.New("a key came more than once")

// mergeOnce merges a landing without history in one MERGE statement that
// reads the batches once, straight from the Arrow stream: no staged copy.
// The NULL-key refusal and the count of distinct keys are done in Go as
// DuckDB pulls the batches; a NULL key fails the landing after the
// statement, and the caller's transaction rolls it back. A key that came
// twice returns errRepeatedKeys (the MERGE cannot tell which row should
// win): the caller rolls back and lands again through the staged path,
// which keeps the last row per key.
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
	view, drop, err := l.registerView(ctx, kc)
	if err != nil {
		return err
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
		return derr
	}
	if rerr := r.Err(); rerr != nil {
		return fmt.Errorf("duckdb: land %s: read batches: %w", l.t, rerr)
	}
	if err != nil {
		return fmt.Errorf("duckdb: land %s: merge: %w", l.t, err)
	}
	if kc.nulls > 0 {
		return fmt.Errorf("duckdb: land %s: %d rows have a NULL in key (%s), the first is row %d of the landing: %w",
			l.t, kc.nulls, strings.Join(l.opts.Key, ", "), kc.firstNull, load.ErrNullKey)
	}
	if int64(len(kc.seen)) < kc.seq {
		return errRepeatedKeys
	}
	affected, _ := res.RowsAffected()
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
