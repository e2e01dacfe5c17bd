package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/load"
)

// Opener returns a fresh, empty warehouse for one test. The suite closes it.
type Opener func(t *testing.T) load.Warehouse

// Run runs the conformance suite against the warehouses open returns.
func Run(t *testing.T, open Opener) { RunCases(t, open) }

// RunCases runs the named cases of the suite (every case when names is
// empty), e.g. again with a warehouse set up in a particular way.
func RunCases(t *testing.T, open Opener, names ...string) { runCases(t, open, nil, names...) }

// RunExcept runs every case but those in skip, which are reported as
// skipped with their reason: an engine's documented gap, visible in the
// test output rather than silently left out.
func RunExcept(t *testing.T, open Opener, skip map[string]string) { runCases(t, open, skip) }

func runCases(t *testing.T, open Opener, skip map[string]string, names ...string) {
	tests := []struct {
		name string
		fn   func(t *testing.T, w load.Warehouse)
	}{
		{"AppendRoundTrip", testAppendRoundTrip},
		{"AllColumnsReadCorrectly", testAllColumnsReadCorrectly},
		{"TypeRoundTrip", testTypeRoundTrip},
		{"MergeInsertsUpdatesKeeps", testMerge},
		{"MergeLastDuplicateWins", testMergeDuplicates},
		{"MergeCompositeKey", testMergeCompositeKey},
		{"MergeNullKeyFails", testMergeNullKey},
		{"EvolutionAddsAndKeepsColumns", testEvolutionColumns},
		{"EvolutionWidens", testEvolutionWidens},
		{"EvolutionRefusesBeforeWriting", testEvolutionRefuses},
		{"FailedReaderWritesNothing", testFailedReader},
		{"CursorCommitsWithRows", testCursor},
		{"BadLandings", testBadLandings},
		{"BigBatches", testBigBatches},
		{"ConcurrentLandings", testConcurrent},
		{"Runs", testRuns},
		{"RunsReaped", testRunsReaped},
		{"LandingCountsInRun", testLandingCountsInRun},
		{"CursorFinalAfterRows", testCursorFinal},
		{"Tombstones", testTombstones},
		{"History", testHistory},
		{"UnversionedColumns", testUnversioned},
		{"TombstoneKeepsValuesWithUnversioned", testTombstoneUnversioned},
		{"HistoryClosedAtDeletion", testHistoryDeletion},
		{"HistoryChangeWithoutModifiedTime", testHistoryChangeSeen},
		{"HistorySourceClockAhead", testHistoryClockAhead},
		{"HistoryDeletedThenRestored", testHistoryRestored},
		{"NoLeftoverObjects", testNoLeftovers},
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for _, tc := range tests {
		if len(names) > 0 && !want[tc.name] {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			if why, ok := skip[tc.name]; ok {
				t.Skip(why)
			}
			w := open(t)
			t.Cleanup(func() {
				if err := w.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, w)
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// query returns all rows of q, failing the test on error.
func query(t *testing.T, w load.Warehouse, q string, args ...any) [][]any {
	t.Helper()
	r, err := w.Query(ctx(t), q, args...)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	return rows
}

func land(t *testing.T, w load.Warehouse, tbl load.Table, r array.RecordReader, opts load.LandOptions) load.Stats {
	t.Helper()
	defer r.Release()
	st, err := w.Land(ctx(t), tbl, r, opts)
	if err != nil {
		t.Fatalf("land %s: %v", tbl, err)
	}
	return st
}

func count(t *testing.T, w load.Warehouse, tbl load.Table) int64 {
	t.Helper()
	rows := query(t, w, "SELECT count(*) FROM "+tbl.String())
	return rows[0][0].(int64)
}

var people = arrow.NewSchema([]arrow.Field{
	{Name: "Id", Type: arrow.BinaryTypes.String},
	{Name: "Name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Score", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

func testAppendRoundTrip(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	st := land(t, w, tbl, MustReader(people,
		[][]any{{"a", "Ann", 1}, {"b", nil, 2}},
		[][]any{{"c", "Cy", nil}},
	), load.LandOptions{Mode: load.Append})
	if st.Rows != 3 || st.Inserted != 3 {
		t.Fatalf("stats = %+v, want 3 rows inserted", st)
	}
	land(t, w, tbl, MustReader(people, [][]any{{"a", "Ann again", 4}}), load.LandOptions{Mode: load.Append})
	got := query(t, w, `SELECT Id, Name, Score FROM raw.people ORDER BY Id, Score`)
	want := [][]any{{"a", "Ann", int64(1)}, {"a", "Ann again", int64(4)}, {"b", nil, int64(2)}, {"c", "Cy", nil}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

// testAllColumnsReadCorrectly guards against duckdb/duckdb-go#24: a
// projection over an Arrow view reads wrong buffers. Every column of a
// many-batch landing is checked against values computed here.
func testAllColumnsReadCorrectly(t *testing.T, w load.Warehouse) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int64},
		{Name: "label", Type: arrow.BinaryTypes.String},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "small", Type: arrow.PrimitiveTypes.Int32},
	}, nil)
	var batches [][][]any
	var sumN, sumSmall int64
	var sumX float64
	var flags int64
	n := 0
	for b := 0; b < 7; b++ {
		var rows [][]any
		for i := 0; i < 3001; i++ {
			n++
			flag := n%3 == 0
			rows = append(rows, []any{int64(n), fmt.Sprintf("row-%06d", n), float64(n) / 4, flag, int64(n % 1000)})
			sumN += int64(n)
			sumSmall += int64(n % 1000)
			sumX += float64(n) / 4
			if flag {
				flags++
			}
		}
		batches = append(batches, rows)
	}
	for _, mode := range []load.Mode{load.Append, load.Merge} {
		tbl := load.Table{Schema: "raw", Name: "wide_" + string(mode)}
		land(t, w, tbl, MustReader(schema, batches...), load.LandOptions{Mode: mode, Key: []string{"n"}})
		got := query(t, w, fmt.Sprintf(`SELECT count(*), sum(n), sum(x), count(*) FILTER (WHERE flag), sum(small),
			min(label), max(label), count(*) FILTER (WHERE label <> 'row-' || lpad(CAST(n AS VARCHAR), 6, '0')) FROM %s`, tbl))[0]
		want := []any{int64(n), float64(sumN), sumX, flags, float64(sumSmall), "row-000001", fmt.Sprintf("row-%06d", n), int64(0)}
		for i := range want {
			if !sameNumber(got[i], want[i]) {
				t.Errorf("%s: aggregate %d = %v, want %v (all: %v)", mode, i, got[i], want[i], got)
			}
		}
	}
}

// sameNumber compares scalars, treating integer and float sums alike.
func sameNumber(a, b any) bool {
	af, aok := toFloat(a)
	bf, bok := toFloat(b)
	if aok && bok {
		return math.Abs(af-bf) <= 1e-9*math.Max(1, math.Abs(bf))
	}
	return reflect.DeepEqual(a, b)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		var f float64
		if _, err := fmt.Sscan(x, &f); err == nil {
			return f, true
		}
	}
	return 0, false
}

func testTypeRoundTrip(t *testing.T, w load.Warehouse) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "active", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "employees", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "probability", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
		{Name: "close_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "modified", Type: TimestampTZ, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "account", Type: Lookup, Nullable: true},
		{Name: "raw", Type: JSON, Nullable: true},
	}, nil)
	mod := time.Date(2024, 1, 15, 10, 30, 0, 123000000, time.UTC)
	day := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{"r1", true, 250, 0.35, "1234567.89", day, mod, []string{"vip", "emea"},
			map[string]any{"name": "Acme GmbH", "id": "4150868000000224005"}, `{"a":[1,2],"b":{"c":"d"}}`},
		{"r2", false, 0, 1.0, "-0.01", day.AddDate(0, 0, 1), mod.Add(time.Hour), []string{}, map[string]any{"name": nil, "id": "1"}, `[]`},
		{"r3", nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	tbl := load.Table{Schema: "raw", Name: "types"}
	land(t, w, tbl, MustReader(schema, rows), load.LandOptions{Mode: load.Merge, Key: []string{"id"}})
	got := query(t, w, `SELECT id, active, employees, probability, CAST(amount AS VARCHAR), close_date, modified, tags, account, CAST(raw AS VARCHAR)
		FROM raw.types ORDER BY id`)
	want := [][]any{
		{"r1", true, int64(250), 0.35, "1234567.89", day, mod, []any{"vip", "emea"},
			map[string]any{"name": "Acme GmbH", "id": "4150868000000224005"}, `{"a":[1,2],"b":{"c":"d"}}`},
		{"r2", false, int64(0), 1.0, "-0.01", day.AddDate(0, 0, 1), mod.Add(time.Hour), []any{}, map[string]any{"name": nil, "id": "1"}, `[]`},
		{"r3", nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %v\nwant %v", got, want)
	}
	// Nested values are queryable, not opaque text.
	got = query(t, w, `SELECT account.name, len(tags), CAST(amount * 2 AS DOUBLE) FROM raw.types WHERE id = 'r1'`)
	if !reflect.DeepEqual(got, [][]any{{"Acme GmbH", int64(2), 2469135.78}}) {
		t.Fatalf("nested access = %v", got)
	}
}

func testMerge(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	st := land(t, w, tbl, MustReader(people, [][]any{{"a", "Ann", 1}, {"b", "Bo", 2}, {"c", "Cy", 3}}),
		load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	if st.Inserted != 3 || st.Updated != 0 {
		t.Fatalf("first merge stats = %+v", st)
	}
	st = land(t, w, tbl, MustReader(people, [][]any{{"b", "Bo", 2}, {"c", "Cyrus", 3}, {"d", "Di", nil}, {"a", "Ann", nil}}),
		load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	if st.Rows != 4 || st.Inserted != 1 || st.Updated != 2 || st.Unchanged != 1 {
		t.Fatalf("second merge stats = %+v, want 4 rows: 1 inserted, 2 updated (c, a), 1 unchanged (b)", st)
	}
	got := query(t, w, `SELECT Id, Name, Score FROM raw.people ORDER BY Id`)
	want := [][]any{{"a", "Ann", nil}, {"b", "Bo", int64(2)}, {"c", "Cyrus", int64(3)}, {"d", "Di", nil}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func testMergeDuplicates(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	land(t, w, tbl, MustReader(people, [][]any{{"a", "first", 1}}), load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	// The same key three times across two batches: the last occurrence wins.
	st := land(t, w, tbl, MustReader(people,
		[][]any{{"a", "second", 2}, {"b", "b1", 1}},
		[][]any{{"b", "b2", 2}, {"a", "third", 3}, {"c", "c1", 1}},
	), load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	if st.Rows != 5 || st.Inserted != 2 || st.Updated != 1 || st.Unchanged != 0 {
		t.Fatalf("stats = %+v", st)
	}
	got := query(t, w, `SELECT Id, Name FROM raw.people ORDER BY Id`)
	want := [][]any{{"a", "third"}, {"b", "b2"}, {"c", "c1"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func testMergeCompositeKey(t *testing.T, w load.Warehouse) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "org", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	tbl := load.Table{Schema: "raw", Name: "composite"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"org", "id"}}
	land(t, w, tbl, MustReader(schema, [][]any{{"x", 1, "x1"}, {"y", 1, "y1"}}), opts)
	land(t, w, tbl, MustReader(schema, [][]any{{"x", 1, "x1b"}, {"x", 2, "x2"}}), opts)
	got := query(t, w, `SELECT org, id, v FROM raw.composite ORDER BY org, id`)
	want := [][]any{{"x", int64(1), "x1b"}, {"x", int64(2), "x2"}, {"y", int64(1), "y1"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func testMergeNullKey(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"Id"}, Cursor: &load.CursorUpdate{Source: "s", Object: "people", Value: "v2"}}
	land(t, w, tbl, MustReader(people, [][]any{{"a", "Ann", 1}}), load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	r := MustReader(people, [][]any{{"b", "Bo", 1}}, [][]any{{nil, "nobody", 2}, {"c", "Cy", 3}})
	defer r.Release()
	_, err := w.Land(ctx(t), tbl, r, opts)
	if !errors.Is(err, load.ErrNullKey) {
		t.Fatalf("err = %v, want ErrNullKey", err)
	}
	if !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), "Id") {
		t.Errorf("error should name the key and the row: %v", err)
	}
	if n := count(t, w, tbl); n != 1 {
		t.Fatalf("rows after failed landing = %d, want 1", n)
	}
	if _, ok, _ := load.GetCursor(ctx(t), w, "s", "people"); ok {
		t.Fatal("cursor saved by a failed landing")
	}
}

// columnsOf lists tbl's columns as the engine's information_schema spells
// them. Engines may store a name in another case than it was landed with
// (Snowflake stores names that could be unquoted upper-case, as it stores
// unquoted names); sameNames compares them so. The suite's own SQL names
// landed columns unquoted, which every engine resolves case-insensitively.
func columnsOf(t *testing.T, w load.Warehouse, tbl load.Table) []string {
	t.Helper()
	rows := query(t, w, `SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
		tbl.Schema, tbl.Name)
	var out []string
	for _, r := range rows {
		out = append(out, r[0].(string))
	}
	return out
}

// sameNames reports whether got names want's columns in order, case aside.
func sameNames(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.EqualFold(got[i], want[i]) {
			return false
		}
	}
	return true
}

func testEvolutionColumns(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	land(t, w, tbl, MustReader(people, [][]any{{"a", "Ann", 1}}), load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	// A new column arrives, Score is missing from the batch.
	v2 := arrow.NewSchema([]arrow.Field{
		{Name: "Id", Type: arrow.BinaryTypes.String},
		{Name: "Name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "Region__c", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	st := land(t, w, tbl, MustReader(v2, [][]any{{"a", "Ann", "EMEA"}, {"b", "Bo", "APAC"}}), load.LandOptions{Mode: load.Merge, Key: []string{"Id"}})
	if !reflect.DeepEqual(st.AddedColumns, []string{"Region__c"}) {
		t.Errorf("added columns = %v", st.AddedColumns)
	}
	if cols := columnsOf(t, w, tbl); !sameNames(cols, []string{"Id", "Name", "Score", "Region__c"}) {
		t.Fatalf("columns = %v", cols)
	}
	got := query(t, w, `SELECT Id, Name, Score, Region__c FROM raw.people ORDER BY Id`)
	want := [][]any{{"a", "Ann", int64(1), "EMEA"}, {"b", "Bo", nil, "APAC"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func oneColumn(name string, dt arrow.DataType) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}, {Name: name, Type: dt, Nullable: true}}, nil)
}

func testEvolutionWidens(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "widen"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"id"}}
	steps := []struct {
		dt    arrow.DataType
		value any
	}{
		{arrow.PrimitiveTypes.Int32, 7},
		{arrow.PrimitiveTypes.Int64, int64(1) << 40},
		{arrow.PrimitiveTypes.Float64, 2.5},
		{arrow.BinaryTypes.String, "n/a"},
		{arrow.PrimitiveTypes.Int64, int64(9)}, // narrower again: kept as text
	}
	for i, s := range steps {
		id := fmt.Sprintf("r%d", i)
		land(t, w, tbl, MustReader(oneColumn("v", s.dt), [][]any{{id, s.value}}), opts)
	}
	got := query(t, w, `SELECT id, v FROM raw.widen ORDER BY id`)
	// r0 and r1 went through DOUBLE on their way to text.
	want := [][]any{{"r0", "7.0"}, {"r1", "1099511627776.0"}, {"r2", "2.5"}, {"r3", "n/a"}, {"r4", "9"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func testEvolutionRefuses(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "refuse"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"id"}, Cursor: &load.CursorUpdate{Source: "s", Object: "refuse", Value: "2"}}
	land(t, w, tbl, MustReader(oneColumn("flag", arrow.FixedWidthTypes.Boolean), [][]any{{"a", true}}), load.LandOptions{Mode: load.Merge, Key: []string{"id"}})
	// A new column and a type change that has no safe widening.
	bad := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	r := MustReader(bad, [][]any{{"b", "x", time.Now()}})
	defer r.Release()
	_, err := w.Land(ctx(t), tbl, r, opts)
	if !errors.Is(err, load.ErrIncompatibleType) {
		t.Fatalf("err = %v, want ErrIncompatibleType", err)
	}
	for _, want := range []string{"flag", "BOOLEAN", "DATE", "raw.refuse"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if cols := columnsOf(t, w, tbl); !sameNames(cols, []string{"id", "flag"}) {
		t.Errorf("columns after refused landing = %v", cols)
	}
	if n := count(t, w, tbl); n != 1 {
		t.Errorf("rows after refused landing = %d", n)
	}
	if _, ok, _ := load.GetCursor(ctx(t), w, "s", "refuse"); ok {
		t.Error("cursor saved by a refused landing")
	}
}

// failingReader yields its batches, then fails.
type failingReader struct {
	array.RecordReader
	err error
}

func (f *failingReader) Err() error { return f.err }

func testFailedReader(t *testing.T, w load.Warehouse) {
	for _, mode := range []load.Mode{load.Append, load.Merge} {
		t.Run(string(mode), func(t *testing.T) {
			tbl := load.Table{Schema: "raw", Name: "failing_" + string(mode)}
			opts := load.LandOptions{Mode: mode, Key: []string{"Id"}}
			land(t, w, tbl, MustReader(people, [][]any{{"a", "Ann", 1}}), opts)
			v2 := arrow.NewSchema(append(people.Fields(), arrow.Field{Name: "New", Type: arrow.BinaryTypes.String, Nullable: true}), nil)
			inner := MustReader(v2, [][]any{{"b", "Bo", 2, "x"}}, [][]any{{"c", "Cy", 3, "y"}})
			defer inner.Release()
			r := &failingReader{RecordReader: inner, err: errors.New("connection reset by peer")}
			opts.Cursor = &load.CursorUpdate{Source: "s", Object: tbl.Name, Value: "later"}
			_, err := w.Land(ctx(t), tbl, r, opts)
			if err == nil || !strings.Contains(err.Error(), "connection reset") {
				t.Fatalf("err = %v, want the reader's error", err)
			}
			if n := count(t, w, tbl); n != 1 {
				t.Errorf("rows = %d, want 1", n)
			}
			if cols := columnsOf(t, w, tbl); len(cols) != 3 {
				t.Errorf("columns = %v, want the old three", cols)
			}
			if _, ok, _ := load.GetCursor(ctx(t), w, "s", tbl.Name); ok {
				t.Error("cursor saved by a failed landing")
			}
		})
	}
}

func testCursor(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	if _, ok, err := load.GetCursor(ctx(t), w, "crm", "people"); err != nil || ok {
		t.Fatalf("fresh cursor: ok=%v err=%v", ok, err)
	}
	for i, v := range []string{"2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"} {
		land(t, w, tbl, MustReader(people, [][]any{{fmt.Sprint(i), "x", i}}),
			load.LandOptions{Mode: load.Merge, Key: []string{"Id"}, Cursor: &load.CursorUpdate{Source: "crm", Object: "people", Value: v}})
	}
	c, ok, err := load.GetCursor(ctx(t), w, "crm", "people")
	if err != nil || !ok || c.Value != "2024-02-01T00:00:00Z" || c.UpdatedAt.IsZero() {
		t.Fatalf("cursor = %+v ok=%v err=%v", c, ok, err)
	}
	all, err := load.Cursors(ctx(t), w)
	if err != nil || len(all) != 1 {
		t.Fatalf("cursors = %v, %v (one per source/object)", all, err)
	}
}

func testBadLandings(t *testing.T, w load.Warehouse) {
	dup := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}, {Name: "A", Type: arrow.BinaryTypes.String}}, nil)
	cases := []struct {
		name   string
		tbl    load.Table
		schema *arrow.Schema
		opts   load.LandOptions
		want   string
	}{
		{"merge without key", load.Table{Schema: "raw", Name: "t"}, people, load.LandOptions{Mode: load.Merge}, "needs a key"},
		{"unknown key", load.Table{Schema: "raw", Name: "t"}, people, load.LandOptions{Mode: load.Merge, Key: []string{"Nope"}}, "Nope"},
		{"bad mode", load.Table{Schema: "raw", Name: "t"}, people, load.LandOptions{Mode: "upsert"}, "upsert"},
		{"bad table name", load.Table{Schema: "raw", Name: "t; DROP TABLE x"}, people, load.LandOptions{Mode: load.Append}, "not a plain identifier"},
		{"duplicate column", load.Table{Schema: "raw", Name: "t"}, dup, load.LandOptions{Mode: load.Append}, "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := MustReader(c.schema)
			defer r.Release()
			_, err := w.Land(ctx(t), c.tbl, r, c.opts)
			if !errors.Is(err, load.ErrBadLanding) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrBadLanding naming %q", err, c.want)
			}
		})
	}
	if rows := query(t, w, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'`); rows[0][0] != int64(0) {
		t.Fatalf("bad landings created tables: %v", rows)
	}
}

func testBigBatches(t *testing.T, w load.Warehouse) {
	const batches, per = 20, 10_000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	var recs [][][]any
	for b := 0; b < batches; b++ {
		rows := make([][]any, per)
		for i := range rows {
			id := int64(b*per + i)
			rows[i] = []any{id, fmt.Sprintf("user%d@example.com", id), float64(id % 97)}
		}
		recs = append(recs, rows)
	}
	tbl := load.Table{Schema: "raw", Name: "big"}
	st := land(t, w, tbl, MustReader(schema, recs...), load.LandOptions{Mode: load.Merge, Key: []string{"id"}})
	if st.Inserted != batches*per {
		t.Fatalf("inserted %d, want %d", st.Inserted, batches*per)
	}
	// Land it again with every tenth amount changed: exactly those update.
	for _, rows := range recs {
		for _, row := range rows {
			if row[0].(int64)%10 == 0 {
				row[2] = row[2].(float64) + 1
			}
		}
	}
	st = land(t, w, tbl, MustReader(schema, recs...), load.LandOptions{Mode: load.Merge, Key: []string{"id"}})
	if st.Updated != batches*per/10 || st.Inserted != 0 || st.Unchanged != batches*per*9/10 {
		t.Fatalf("second landing stats = %+v", st)
	}
	if n := count(t, w, tbl); n != batches*per {
		t.Fatalf("rows = %d", n)
	}
}

func testConcurrent(t *testing.T, w load.Warehouse) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			tbl := load.Table{Schema: "raw", Name: "shared"}
			if g%2 == 1 {
				tbl.Name = fmt.Sprintf("own_%d", g)
			}
			var rows [][]any
			for i := 0; i < 100; i++ {
				rows = append(rows, []any{fmt.Sprintf("%d-%d", i%50, g%2), fmt.Sprint(g), i})
			}
			r := MustReader(people, rows)
			defer r.Release()
			if _, err := w.Land(ctx(t), tbl, r, load.LandOptions{Mode: load.Merge, Key: []string{"Id"}}); err != nil {
				errs <- err
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rows := query(t, w, `SELECT count(*), count(DISTINCT Id) FROM raw.shared`)
	if rows[0][0] != int64(50) || rows[0][1] != int64(50) {
		t.Fatalf("shared table: %v rows/distinct keys, want 50/50", rows[0])
	}
}

func testRuns(t *testing.T, w load.Warehouse) {
	a, err := load.StartRun(ctx(t), w, "extract", "salesforce.Lead")
	if err != nil {
		t.Fatal(err)
	}
	b, err := load.StartRun(ctx(t), w, "extract", "salesforce.Contact")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Finish(ctx(t), w, 10, 9, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Finish(ctx(t), w, 3, 0, errors.New("salesforce: query Contact: 503")); err != nil {
		t.Fatal(err)
	}
	runs, err := load.Runs(ctx(t), w, 0)
	if err != nil {
		t.Fatal(err)
	}
	byTarget := map[string]load.Run{}
	for _, r := range runs {
		byTarget[r.Target] = r
	}
	if len(runs) != 2 {
		t.Fatalf("runs = %+v", runs)
	}
	la, co := byTarget["salesforce.Lead"], byTarget["salesforce.Contact"]
	if la.Status != load.RunSucceeded || la.RowsRead != 10 || la.RowsWritten != 9 || la.FinishedAt.Before(la.StartedAt) {
		t.Errorf("lead run = %+v", la)
	}
	if co.Status != load.RunFailed || co.Error != "salesforce: query Contact: 503" {
		t.Errorf("contact run = %+v", co)
	}
	ids := []string{la.ID, co.ID}
	sort.Strings(ids)
	if ids[0] == ids[1] {
		t.Error("run ids collide")
	}
}

func testCursorFinal(t *testing.T, w load.Warehouse) {
	tbl := load.Table{Schema: "raw", Name: "people"}
	read := 0
	r := &countingReader{RecordReader: MustReader(people, [][]any{{"a", "x", 1}}, [][]any{{"b", "y", 2}}), n: &read}
	defer r.Release()
	_, err := w.Land(ctx(t), tbl, r, load.LandOptions{Mode: load.Merge, Key: []string{"Id"},
		Cursor: &load.CursorUpdate{Source: "s", Object: "people", Value: "unused", Final: func() string { return fmt.Sprintf("after-%d-batches", read) }}})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := load.GetCursor(ctx(t), w, "s", "people")
	if err != nil || c.Value != "after-2-batches" {
		t.Fatalf("cursor = %q (%v): Final must run after every batch was read", c.Value, err)
	}
}

type countingReader struct {
	array.RecordReader
	n *int
}

func (c *countingReader) Next() bool {
	ok := c.RecordReader.Next()
	if ok {
		*c.n++
	}
	return ok
}

func testTombstones(t *testing.T, w load.Warehouse) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "_deleted_at", Type: TimestampTZ, Nullable: true},
	}, nil)
	tbl := load.Table{Schema: "raw", Name: "tomb"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"id"}, Tombstone: "_deleted_at"}
	land(t, w, tbl, MustReader(schema, [][]any{{"a", "Ann", nil}, {"b", "Bo", nil}}), opts)
	gone := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	// a: a deletion reported by id alone; c: a deletion of a record never seen;
	// b: a full row that happens to be deleted (its values are taken).
	st := land(t, w, tbl, MustReader(schema, [][]any{{"a", nil, gone}, {"c", nil, gone}, {"b", "Bob", gone}}), opts)
	if st.Updated != 2 || st.Inserted != 1 {
		t.Fatalf("stats = %+v", st)
	}
	got := query(t, w, `SELECT id, name, _deleted_at FROM raw.tomb ORDER BY id`)
	want := [][]any{{"a", "Ann", gone}, {"b", "Bob", gone}, {"c", nil, gone}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

func testHistory(t *testing.T, w load.Warehouse) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "Id", Type: arrow.BinaryTypes.String},
		{Name: "StageName", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "SystemModstamp", Type: TimestampTZ, Nullable: true},
	}, nil)
	tbl := load.Table{Schema: "raw", Name: "opp"}
	hist := load.Table{Schema: "raw", Name: "opp__history"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"Id"}, History: &load.History{Table: hist, ValidFrom: "SystemModstamp"}}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t1, t2 := t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	land(t, w, tbl, MustReader(schema, [][]any{{"o1", "Prospecting", t0}, {"o2", "Qualification", t0}}), opts)
	// o1 moves on; the same version of o2 is seen again (look-back overlap): kept once.
	land(t, w, tbl, MustReader(schema, [][]any{{"o1", "Proposal", t1}, {"o2", "Qualification", t0}}), opts)
	// A new column arrives: the history table grows it too.
	v2 := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "Amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true}), nil)
	land(t, w, tbl, MustReader(v2, [][]any{{"o1", "Closed Won", t2, 5000.0}}), opts)
	got := query(t, w, `SELECT Id, StageName, Amount, _valid_from, _valid_to FROM raw.opp__history ORDER BY Id, _valid_from`)
	want := [][]any{
		{"o1", "Prospecting", nil, t0, t1},
		{"o1", "Proposal", nil, t1, t2},
		{"o1", "Closed Won", 5000.0, t2, nil},
		{"o2", "Qualification", nil, t0, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("history:\n got %v\nwant %v", got, want)
	}
	if n := count(t, w, tbl); n != 2 {
		t.Fatalf("main table rows = %d", n)
	}
}

func testUnversioned(t *testing.T, w load.Warehouse) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "_extracted_at", Type: TimestampTZ, Nullable: true},
	}, nil)
	tbl := load.Table{Schema: "raw", Name: "unversioned"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"id"}, Unversioned: []string{"_extracted_at"}}
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	land(t, w, tbl, MustReader(schema, [][]any{{"a", "Ann", t1}, {"b", "Bo", t1}}), opts)
	st := land(t, w, tbl, MustReader(schema, [][]any{{"a", "Ann", t2}, {"b", "Bob", t2}}), opts)
	if st.Updated != 1 || st.Unchanged != 1 {
		t.Fatalf("stats = %+v: a row that differs only in an unversioned column is unchanged", st)
	}
	got := query(t, w, `SELECT id, name, _extracted_at FROM raw.unversioned ORDER BY id`)
	want := [][]any{{"a", "Ann", t1}, {"b", "Bob", t2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
}

// testRunsReaped: a run left `running` by a process that is gone is marked
// killed by the next process; this process's own running runs are not.
func testRunsReaped(t *testing.T, w load.Warehouse) {
	mine, err := load.StartRun(ctx(t), w, "extract", "salesforce.Lead")
	if err != nil {
		t.Fatal(err)
	}
	// A process on this host whose pid no longer exists: pid 2^22+1 is
	// above Linux's pid_max default of 2^22.
	dead := load.Process{Host: load.Self().Host, PID: 1<<22 + 1, Token: "dead"}
	// A process on another host: it cannot be checked from here.
	remote := load.Process{Host: load.Self().Host + "-elsewhere", PID: 42, Token: "far"}
	for _, p := range []struct{ id, proc string }{{"dead-run", dead.String()}, {"remote-run", remote.String()}, {"old-run", ""}} {
		if err := w.Exec(ctx(t), `INSERT INTO _revops.runs (id, stage, target, started_at, status, process) VALUES (?, 'sync', 'x', now(), 'running', ?)`,
			p.id, p.proc); err != nil {
			t.Fatal(err)
		}
	}
	got, err := load.ReapRuns(ctx(t), w, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "dead-run" {
		t.Fatalf("reaped (not exclusive) = %+v, want only dead-run", got)
	}
	status := func(id string) string {
		rows := query(t, w, `SELECT status, error FROM _revops.runs WHERE id = ?`, id)
		return fmt.Sprint(rows[0][0])
	}
	if s := status("dead-run"); s != load.RunKilled {
		t.Errorf("dead-run status %q, want killed", s)
	}
	for _, id := range []string{mine.ID, "remote-run", "old-run"} {
		if s := status(id); s != load.RunRunning {
			t.Errorf("%s status %q, want running", id, s)
		}
	}
	// With an exclusive warehouse every other process is gone.
	got, err = load.ReapRuns(ctx(t), w, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("reaped (exclusive) = %+v, want remote-run and old-run", got)
	}
	if s := status(mine.ID); s != load.RunRunning {
		t.Errorf("own run status %q after reaping, want running", s)
	}
}

// testLandingCountsInRun: a landing with RunID adds its rows to the run
// in its own transaction; a failed landing adds nothing.
func testLandingCountsInRun(t *testing.T, w load.Warehouse) {
	run, err := load.StartRun(ctx(t), w, "extract", "raw.people")
	if err != nil {
		t.Fatal(err)
	}
	tbl := load.Table{Schema: "raw", Name: "people"}
	opts := load.LandOptions{Mode: load.Merge, Key: []string{"Id"}, RunID: run.ID}
	land(t, w, tbl, MustReader(people, [][]any{{"a", "x", 1}, {"b", "y", 2}}), opts)
	land(t, w, tbl, MustReader(people, [][]any{{"a", "x", 1}, {"b", "z", 2}, {"c", "w", 3}}), opts)
	if _, err := w.Land(ctx(t), tbl, MustReader(people, [][]any{{nil, "x", 1}}), opts); err == nil {
		t.Fatal("a NULL key landed")
	}
	rows := query(t, w, `SELECT rows_read, rows_written, status FROM _revops.runs WHERE id = ?`, run.ID)
	if rows[0][0] != int64(5) || rows[0][1] != int64(4) || rows[0][2] != load.RunRunning {
		t.Fatalf("run counts = %v, want 5 read, 4 written (2 + 1 new + 1 changed), running", rows[0])
	}
}
