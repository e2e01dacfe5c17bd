package loadtest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/revops/revops/load"
)

// ModelWarehouse is a warehouse that can also materialize models.
type ModelWarehouse interface {
	load.Warehouse
	load.Materializer
}

// ModelOpener returns a fresh, empty warehouse for one test. The suite closes it.
type ModelOpener func(t *testing.T) ModelWarehouse

// RunModels runs the materialization conformance suite: views, tables
// swapped atomically, incremental merges, relation listing.
func RunModels(t *testing.T, open ModelOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, w ModelWarehouse)
	}{
		{"View", testModelView},
		{"TableRebuild", testModelTable},
		{"TableFailedRebuildKeepsOld", testModelTableFailure},
		{"KindChanges", testModelKindChanges},
		{"IncrementalMerge", testModelIncremental},
		{"IncrementalFullRefresh", testModelFullRefresh},
		{"IncrementalDuplicateKeys", testModelIncrementalDuplicates},
		{"BadModels", testModelBad},
		{"Relations", testModelRelations},
		{"Concurrent", testModelConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
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

func materialize(t *testing.T, w ModelWarehouse, m load.Model) load.ModelStats {
	t.Helper()
	st, err := w.Materialize(ctx(t), m)
	if err != nil {
		t.Fatalf("materialize %s: %v", m.Table(), err)
	}
	return st
}

// rowsOf returns the rows of q rendered as "a|b" strings.
func rowsOf(t *testing.T, w load.Warehouse, q string) string {
	t.Helper()
	var out []string
	for _, r := range query(t, w, q) {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return strings.Join(out, " ")
}

func testModelView(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "staging", Name: "v", Kind: load.ModelView, SQL: "SELECT 1 AS a -- a trailing comment"}
	if st := materialize(t, w, m); st.Rows != 0 {
		t.Errorf("view rows = %d, want 0", st.Rows)
	}
	if got := rowsOf(t, w, "SELECT a FROM staging.v"); got != "1" {
		t.Fatalf("view = %q", got)
	}
	m.SQL = "SELECT 2 AS a UNION ALL SELECT 3"
	materialize(t, w, m)
	if got := rowsOf(t, w, "SELECT a FROM staging.v ORDER BY a"); got != "2 3" {
		t.Fatalf("replaced view = %q", got)
	}
}

func testModelTable(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "core", Name: "t", Kind: load.ModelTable, SQL: "SELECT * FROM range(5) r(i)"}
	if st := materialize(t, w, m); st.Rows != 5 {
		t.Errorf("rows = %d, want 5", st.Rows)
	}
	m.SQL = "SELECT i, i * 2 AS j FROM range(3) r(i)"
	if st := materialize(t, w, m); st.Rows != 3 {
		t.Errorf("rows = %d, want 3", st.Rows)
	}
	if got := rowsOf(t, w, "SELECT i, j FROM core.t ORDER BY i"); got != "0|0 1|2 2|4" {
		t.Fatalf("rebuilt table = %q", got)
	}
	assertNoLeftovers(t, w)
}

func assertNoLeftovers(t *testing.T, w ModelWarehouse) {
	t.Helper()
	rels, err := w.Relations(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rels {
		if strings.Contains(r.Name, "__revops") || strings.HasPrefix(r.Name, "_revops") {
			t.Errorf("leftover relation %s", r.Table)
		}
	}
}

func testModelTableFailure(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "core", Name: "t", Kind: load.ModelTable, SQL: "SELECT 'kept' AS v"}
	materialize(t, w, m)
	for _, bad := range []string{
		"SELEC 1",                             // syntax
		"SELECT * FROM core.no_such_table",    // binder
		"SELECT CAST('x' AS INTEGER) AS v",    // runtime
		"SELECT error('boom from the model')", // runtime, after rows might be produced
	} {
		m.SQL = bad
		if _, err := w.Materialize(ctx(t), m); err == nil {
			t.Errorf("%q: materialized without error", bad)
		} else if !strings.Contains(err.Error(), "core.t") {
			t.Errorf("%q: error does not name the model: %v", bad, err)
		}
		if got := rowsOf(t, w, "SELECT v FROM core.t"); got != "kept" {
			t.Fatalf("after failed rebuild %q: table = %q, want the old rows", bad, got)
		}
	}
	assertNoLeftovers(t, w)
}

func testModelKindChanges(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "core", Name: "k", Kind: load.ModelView, SQL: "SELECT 1 AS a"}
	materialize(t, w, m)
	m.Kind, m.SQL = load.ModelTable, "SELECT 2 AS a"
	materialize(t, w, m)
	m.Kind, m.SQL = load.ModelView, "SELECT 3 AS a"
	materialize(t, w, m)
	m.Kind, m.SQL, m.UniqueKey = load.ModelIncremental, "SELECT 4 AS a", []string{"a"}
	materialize(t, w, m)
	if got := rowsOf(t, w, "SELECT a FROM core.k"); got != "4" {
		t.Fatalf("after kind changes: %q", got)
	}
	rels, err := w.Relations(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rels {
		if r.Name == "k" && r.View {
			t.Errorf("core.k is still a view")
		}
	}
}

func testModelIncremental(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "core", Name: "inc", Kind: load.ModelIncremental, UniqueKey: []string{"id"},
		SQL: "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(id, name)"}
	if st := materialize(t, w, m); st.Rows != 2 {
		t.Errorf("first build rows = %d", st.Rows)
	}
	m.SQL = "SELECT * FROM (VALUES (2, 'B', 20), (3, 'c', 30)) v(id, name, score)"
	if st := materialize(t, w, m); st.Rows != 2 {
		t.Errorf("merge rows = %d", st.Rows)
	}
	if got := rowsOf(t, w, "SELECT id, name, score FROM core.inc ORDER BY id"); got != "1|a|<nil> 2|B|20 3|c|30" {
		t.Fatalf("after merge: %q", got)
	}
	m.UniqueKey = nil
	if _, err := w.Materialize(ctx(t), m); !errors.Is(err, load.ErrBadModel) {
		t.Errorf("incremental without unique_key: %v, want ErrBadModel", err)
	}
	m.UniqueKey = []string{"nope"}
	if _, err := w.Materialize(ctx(t), m); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unique_key not in the columns: %v", err)
	}
	m.UniqueKey = []string{"id"}
	m.SQL = "SELECT * FROM (VALUES (NULL, 'x', 1)) v(id, name, score)"
	if _, err := w.Materialize(ctx(t), m); !errors.Is(err, load.ErrNullKey) {
		t.Errorf("NULL key: %v, want ErrNullKey", err)
	}
	if got := rowsOf(t, w, "SELECT count(*) FROM core.inc"); got != "3" {
		t.Fatalf("failed merges changed the table: %q rows", got)
	}
}

func testModelFullRefresh(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "core", Name: "inc", Kind: load.ModelIncremental, UniqueKey: []string{"id"},
		SQL: "SELECT * FROM range(10) r(id)"}
	materialize(t, w, m)
	m.SQL, m.FullRefresh = "SELECT * FROM range(3) r(id)", true
	materialize(t, w, m)
	if got := rowsOf(t, w, "SELECT count(*) FROM core.inc"); got != "3" {
		t.Fatalf("full refresh left %s rows, want 3", got)
	}
}

func testModelIncrementalDuplicates(t *testing.T, w ModelWarehouse) {
	m := load.Model{Schema: "core", Name: "inc", Kind: load.ModelIncremental, UniqueKey: []string{"id"},
		SQL: "SELECT 1 AS id"}
	materialize(t, w, m)
	m.SQL = "SELECT 1 AS id UNION ALL SELECT 1"
	if _, err := w.Materialize(ctx(t), m); err == nil || !strings.Contains(err.Error(), "unique_key") {
		t.Fatalf("duplicate keys: %v", err)
	}
}

func testModelBad(t *testing.T, w ModelWarehouse) {
	for _, m := range []load.Model{
		{Schema: "core", Name: "bad name", Kind: load.ModelTable, SQL: "SELECT 1"},
		{Schema: "", Name: "x", Kind: load.ModelTable, SQL: "SELECT 1"},
		{Schema: "core", Name: "x", Kind: "ephemeral", SQL: "SELECT 1"},
		{Schema: "core", Name: "x", Kind: load.ModelIncremental, SQL: "SELECT 1"},
	} {
		if _, err := w.Materialize(ctx(t), m); !errors.Is(err, load.ErrBadModel) {
			t.Errorf("%+v: %v, want ErrBadModel", m, err)
		}
	}
}

func testModelRelations(t *testing.T, w ModelWarehouse) {
	materialize(t, w, load.Model{Schema: "staging", Name: "v", Kind: load.ModelView, SQL: "SELECT 1 AS a"})
	materialize(t, w, load.Model{Schema: "core", Name: "t", Kind: load.ModelTable, SQL: "SELECT 1 AS a"})
	rels, err := w.Relations(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rels {
		got = append(got, fmt.Sprintf("%s:%v", r.Table, r.View))
	}
	if s := strings.Join(got, " "); s != "core.t:false staging.v:true" {
		t.Fatalf("relations = %q", s)
	}
}

func testModelConcurrent(t *testing.T, w ModelWarehouse) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			schema := []string{"core", "metrics"}[i%2]
			m := load.Model{Schema: schema, Name: fmt.Sprintf("m%d", i), Kind: load.ModelTable,
				SQL: fmt.Sprintf("SELECT * FROM range(%d) r(i)", 1000*(i+1))}
			for range 2 {
				if _, err := w.Materialize(ctx(t), m); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := rowsOf(t, w, "SELECT count(*) FROM metrics.m7"); got != "8000" {
		t.Fatalf("metrics.m7 rows = %s", got)
	}
}
