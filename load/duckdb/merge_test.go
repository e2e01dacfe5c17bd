//go:build duckdb_arrow

package duckdb_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/loadtest"
)

// TestMergeEveryCell lands a merge that mixes, within its batches, new
// keys, changed keys, unchanged keys and deletions reported by id alone,
// into a table that holds a column the landing lacks, and compares every
// cell of the table with what the merge must leave. The landing is
// larger than the table (the table's keys are read and the new rows
// inserted apart from the merged ones) or smaller (one MERGE), for text,
// integer and composite keys.
func TestMergeEveryCell(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	type keyShape struct {
		name   string
		fields []arrow.Field
		key    func(i int) []any
	}
	shapes := []keyShape{
		{"text key", []arrow.Field{{Name: "Id", Type: arrow.BinaryTypes.String}},
			func(i int) []any { return []any{fmt.Sprintf("rec%05d", i)} }},
		{"integer key", []arrow.Field{{Name: "Id", Type: arrow.PrimitiveTypes.Int64}},
			func(i int) []any { return []any{int64(i) * 7919} }},
		{"composite key", []arrow.Field{{Name: "org", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int32}},
			func(i int) []any { return []any{fmt.Sprintf("org%d", i%3), int32(i / 3)} }},
	}
	for _, shape := range shapes {
		for _, untouched := range []int{0, 1000} { // 0: the landing is larger than the table
			name := shape.name + ", landing larger than the table"
			if untouched > 0 {
				name = shape.name + ", landing smaller than the table"
			}
			t.Run(name, func(t *testing.T) {
				testMergeEveryCell(t, shape.fields, shape.key, untouched, at)
			})
		}
	}
}

func testMergeEveryCell(t *testing.T, keyFields []arrow.Field, key func(int) []any, untouched int, at time.Time) {
	ctx := t.Context()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tbl := load.Table{Schema: "raw", Name: "rec"}
	values := []arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "_deleted_at", Type: loadtest.TimestampTZ, Nullable: true},
		{Name: "_source", Type: arrow.BinaryTypes.String, Nullable: true},
	}
	landSchema := arrow.NewSchema(append(append([]arrow.Field(nil), keyFields...), values...), nil)
	firstSchema := arrow.NewSchema(append(append([]arrow.Field(nil), landSchema.Fields()...),
		arrow.Field{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true}), nil)
	var keyNames []string
	for _, f := range keyFields {
		keyNames = append(keyNames, f.Name)
	}
	opts := load.LandOptions{Mode: load.Merge, Key: keyNames, Tombstone: "_deleted_at", Unversioned: []string{"_source"}}

	// want holds every row the table must end with: the key's values,
	// then name, amount, _deleted_at, _source and note.
	want := map[string][]any{}
	row := func(i int, vals ...any) []any { return append(key(i), vals...) }
	id := func(i int) string { return fmt.Sprint(key(i)) }

	// The table: keys 100..199, which the landing brings again, and
	// `untouched` keys from 10000 on, which it does not.
	var first [][]any
	for i := 100; i < 200; i++ {
		first = append(first, row(i, fmt.Sprintf("old%d", i), int64(i), nil, "first", fmt.Sprintf("note%d", i)))
	}
	for i := 10000; i < 10000+untouched; i++ {
		first = append(first, row(i, fmt.Sprintf("old%d", i), int64(i), nil, "first", fmt.Sprintf("note%d", i)))
	}
	for _, r := range first {
		want[fmt.Sprint(r[:len(keyFields)])] = r
	}
	r := loadtest.MustReader(firstSchema, first)
	if _, err := w.Land(ctx, tbl, r, load.LandOptions{Mode: load.Merge, Key: keyNames}); err != nil {
		t.Fatal(err)
	}
	r.Release()

	// The landing: a batch of known keys only, a batch of new keys only,
	// then batches mixing both. Known keys by i%4: unchanged (only the
	// unversioned _source differs: nothing is written), a new name, the
	// amount emptied, deleted by id alone (values kept, tombstone and
	// _source written). New keys: every tenth deleted by id alone.
	known := func(i int) []any {
		old := want[id(i)]
		switch i % 4 {
		case 0:
			return row(i, fmt.Sprintf("old%d", i), int64(i), nil, "second")
		case 1:
			want[id(i)] = row(i, fmt.Sprintf("new%d", i), int64(i), nil, "second", old[len(old)-1])
			return row(i, fmt.Sprintf("new%d", i), int64(i), nil, "second")
		case 2:
			want[id(i)] = row(i, fmt.Sprintf("old%d", i), nil, nil, "second", old[len(old)-1])
			return row(i, fmt.Sprintf("old%d", i), nil, nil, "second")
		default:
			want[id(i)] = row(i, fmt.Sprintf("old%d", i), int64(i), at, "deleted", old[len(old)-1])
			return row(i, nil, nil, at, "deleted")
		}
	}
	fresh := func(i int) []any {
		if i%10 == 0 {
			want[id(i)] = row(i, nil, nil, at, "deleted", nil)
			return row(i, nil, nil, at, "deleted")
		}
		want[id(i)] = row(i, fmt.Sprintf("name%d", i), int64(i*2), nil, "second", nil)
		return row(i, fmt.Sprintf("name%d", i), int64(i*2), nil, "second")
	}
	var batches [][][]any
	var b [][]any
	for i := 100; i < 150; i++ {
		b = append(b, known(i))
	}
	batches = append(batches, b)
	b = nil
	for i := 200; i < 250; i++ {
		b = append(b, fresh(i))
	}
	batches = append(batches, b)
	b = nil
	next := 250
	for i := 150; i < 200; i++ {
		b = append(b, fresh(next), known(i), fresh(next+1), fresh(next+2))
		next += 3
		if len(b) >= 40 {
			batches = append(batches, b)
			b = nil
		}
	}
	batches = append(batches, b)
	landed := 0
	for _, b := range batches {
		landed += len(b)
	}

	r = loadtest.MustReader(landSchema, batches...)
	defer r.Release()
	st, err := w.Land(ctx, tbl, r, opts)
	if err != nil {
		t.Fatal(err)
	}
	if wantSt := (load.Stats{Rows: int64(landed), Inserted: int64(next - 200), Updated: 75, Unchanged: 25}); st.Rows != wantSt.Rows ||
		st.Inserted != wantSt.Inserted || st.Updated != wantSt.Updated || st.Unchanged != wantSt.Unchanged {
		t.Errorf("stats = %+v, want %d rows: %d inserted, %d updated, %d unchanged",
			st, wantSt.Rows, wantSt.Inserted, wantSt.Updated, wantSt.Unchanged)
	}

	cols := append(append([]string(nil), keyNames...), "name", "amount", "_deleted_at", "_source", "note")
	for i, c := range cols {
		cols[i] = `"` + c + `"`
	}
	rdr, err := w.Query(ctx, fmt.Sprintf("SELECT %s FROM raw.rec", strings.Join(cols, ", ")))
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(rdr)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]any{}
	for _, r := range rows {
		k := fmt.Sprint(r[:len(keyFields)])
		if _, dup := got[k]; dup {
			t.Errorf("key %s is in the table twice", k)
		}
		got[k] = r
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("key %s is missing", k)
			continue
		}
		for j := range w {
			if !sameCell(g[j], w[j]) {
				t.Errorf("key %s, column %s = %v, want %v", k, cols[j], g[j], w[j])
			}
		}
	}
	if len(rows) != len(want) {
		t.Errorf("table has %d rows, want %d", len(rows), len(want))
	}
}

// sameCell compares a value read back with the one landed: integers of
// any width by value, times by instant.
func sameCell(got, want any) bool {
	if gt, ok := got.(time.Time); ok {
		wt, ok := want.(time.Time)
		return ok && gt.Equal(wt)
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if got != nil && want != nil && gv.CanInt() && wv.CanInt() {
		return gv.Int() == wv.Int()
	}
	return reflect.DeepEqual(got, want)
}
