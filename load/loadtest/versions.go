package loadtest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// The cases in this file land rows the way the extract runner does:
// merged on id, deletions in _deleted_at (Zoho CRM reports them by id
// alone, Salesforce as full rows), _extracted_at and _source stamped on
// every row and unversioned, and history kept with the record's modified
// time as ValidFrom and _extracted_at as SeenAt.

var crm = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "Name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Modified_Time", Type: TimestampTZ, Nullable: true},
	{Name: "_deleted_at", Type: TimestampTZ, Nullable: true},
	{Name: "_extracted_at", Type: TimestampTZ, Nullable: true},
	{Name: "_source", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

var (
	crmTable   = load.Table{Schema: "zoho_crm", Name: "deals"}
	crmHistory = load.Table{Schema: "zoho_crm", Name: "deals__history"}
	base       = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	us         = time.Microsecond
)

func crmOpts(history bool) load.LandOptions {
	o := load.LandOptions{Mode: load.Merge, Key: []string{"id"}, Tombstone: "_deleted_at",
		Unversioned: []string{"_extracted_at", "_source"}}
	if history {
		o.History = &load.History{Table: crmHistory, ValidFrom: "Modified_Time", SeenAt: "_extracted_at"}
	}
	return o
}

// live is a record read at seen; gone is a deletion reported by id alone;
// deleted is a full row that is deleted (Salesforce's queryAll).
func live(id, name string, modified, seen time.Time) []any {
	return []any{id, name, modified, nil, seen, "crm"}
}

func gone(id string, at, seen time.Time) []any { return []any{id, nil, nil, at, seen, "crm"} }

func deleted(id, name string, modified, at, seen time.Time) []any {
	return []any{id, name, modified, at, seen, "crm"}
}

func landCRM(t *testing.T, w load.Warehouse, history bool, rows ...[]any) load.Stats {
	t.Helper()
	return land(t, w, crmTable, MustReader(crm, rows), crmOpts(history))
}

// version is one row of the history relation.
type version struct {
	ID, Name      any
	From, To      any
	DeletedAtNull bool
}

func versionsOf(t *testing.T, w load.Warehouse) []version {
	t.Helper()
	rows := query(t, w, `SELECT id, Name, _valid_from, _valid_to, _deleted_at IS NULL FROM `+crmHistory.String()+` ORDER BY id, _valid_from`)
	out := make([]version, len(rows))
	for i, r := range rows {
		out[i] = version{ID: r[0], Name: r[1], From: r[2], To: r[3], DeletedAtNull: r[4].(bool)}
	}
	return out
}

func wantVersions(t *testing.T, w load.Warehouse, want []version) {
	t.Helper()
	checkHistory(t, w)
	if got := versionsOf(t, w); !reflect.DeepEqual(got, want) {
		t.Fatalf("history:\n got %v\nwant %v", fmtVersions(got), fmtVersions(want))
	}
}

func fmtVersions(vs []version) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  %v %v [%v, %v) live=%v", v.ID, v.Name, fmtTime(v.From), fmtTime(v.To), v.DeletedAtNull)
	}
	return b.String()
}

func fmtTime(v any) string {
	if tm, ok := v.(time.Time); ok {
		return tm.Format("15:04:05.000000")
	}
	return fmt.Sprint(v)
}

// checkHistory asserts what must hold after every landing with history:
// no two versions of an id share a _valid_from; every version starts
// before it ends, and ends no later than the next one starts; a live id
// has exactly one open version and a deleted id none.
func checkHistory(t *testing.T, w load.Warehouse) {
	t.Helper()
	h := crmHistory.String()
	if rows := query(t, w, `SELECT id, _valid_from, count(*) FROM `+h+` GROUP BY id, _valid_from HAVING count(*) > 1`); len(rows) > 0 {
		t.Errorf("versions share (id, _valid_from): %v", rows)
	}
	if rows := query(t, w, `SELECT id, _valid_from, _valid_to FROM `+h+` WHERE _valid_from IS NULL OR _valid_to <= _valid_from`); len(rows) > 0 {
		t.Errorf("versions without a start or ending before they start: %v", rows)
	}
	if rows := query(t, w, `SELECT id, _valid_to, next_from FROM (
			SELECT id, _valid_to, lead(_valid_from) OVER (PARTITION BY id ORDER BY _valid_from) AS next_from FROM `+h+`
		) AS v WHERE next_from IS NOT NULL AND (_valid_to IS NULL OR _valid_to > next_from)`); len(rows) > 0 {
		t.Errorf("versions overlap the next one: %v", rows)
	}
	rows := query(t, w, `SELECT m.id, m._deleted_at IS NULL, (SELECT count(*) FROM `+h+` AS v WHERE v.id = m.id AND v._valid_to IS NULL)
		FROM `+crmTable.String()+` AS m ORDER BY m.id`)
	for _, r := range rows {
		want := int64(0)
		if r[1].(bool) {
			want = 1
		}
		if r[2] != want {
			t.Errorf("id %v (live=%v) has %v open versions, want %d", r[0], r[1], r[2], want)
		}
	}
}

// testTombstoneUnversioned: a deletion by id alone that carries the
// runner's stamps (_extracted_at, _source) still keeps the row's values.
func testTombstoneUnversioned(t *testing.T, w load.Warehouse) {
	s1, s2, s3 := base.Add(time.Hour), base.Add(2*time.Hour), base.Add(3*time.Hour)
	m0, m1 := base, base.Add(90*time.Minute)
	at := base.Add(100 * time.Minute)
	landCRM(t, w, false, live("a", "Ann", m0, s1), live("b", "Bo", m0, s1))
	st := landCRM(t, w, false, gone("a", at, s2), gone("c", at, s2), deleted("b", "Bob", m1, at, s2))
	if st.Updated != 2 || st.Inserted != 1 || st.Unchanged != 0 {
		t.Fatalf("stats = %+v, want a and b updated, c inserted", st)
	}
	const q = `SELECT id, Name, Modified_Time, _deleted_at, _extracted_at, _source FROM zoho_crm.deals ORDER BY id`
	want := [][]any{
		{"a", "Ann", m0, at, s2, "crm"}, // values kept; the deletion's read is stamped
		{"b", "Bob", m1, at, s2, "crm"}, // a full deleted row is taken whole
		{"c", nil, nil, at, s2, "crm"},  // never seen: the key with its deletion
	}
	if got := query(t, w, q); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	// The look-back reads the same deletions again: nothing changes.
	st = landCRM(t, w, false, gone("a", at, s3), gone("c", at, s3), deleted("b", "Bob", m1, at, s3))
	if st.Updated != 0 || st.Inserted != 0 || st.Unchanged != 3 {
		t.Fatalf("stats of the re-read = %+v, want 3 unchanged", st)
	}
	if got := query(t, w, q); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows after the re-read = %v, want %v", got, want)
	}
}

// testHistoryDeletion: a deletion closes the current version at the
// deletion time, by id alone (Zoho) or as a full row (Salesforce); a
// deleted id has no open version.
func testHistoryDeletion(t *testing.T, w load.Warehouse) {
	s1, s2, s3, s4 := base.Add(time.Hour), base.Add(2*time.Hour), base.Add(3*time.Hour), base.Add(4*time.Hour)
	m0, m2 := base, base.Add(150*time.Minute)
	at1, at2 := base.Add(90*time.Minute), base.Add(150*time.Minute)
	landCRM(t, w, true, live("d1", "A", m0, s1), live("d2", "B", m0, s1))
	wantVersions(t, w, []version{{"d1", "A", m0, nil, true}, {"d2", "B", m0, nil, true}})

	st := landCRM(t, w, true, gone("d1", at1, s2), gone("d3", at1, s2))
	if st.Updated != 1 || st.Inserted != 1 {
		t.Fatalf("stats = %+v, want d1 marked, d3 inserted", st)
	}
	after := []version{{"d1", "A", m0, at1, true}, {"d2", "B", m0, nil, true}}
	wantVersions(t, w, after)
	if got := query(t, w, `SELECT Name, Modified_Time, _deleted_at FROM zoho_crm.deals WHERE id = 'd1'`); !reflect.DeepEqual(got, [][]any{{"A", m0, at1}}) {
		t.Fatalf("d1 after its deletion = %v, want its last values and the deletion time", got)
	}

	// The same deletions read again change nothing.
	st = landCRM(t, w, true, gone("d1", at1, s3), gone("d3", at1, s3))
	if st.Updated != 0 || st.Inserted != 0 || st.Unchanged != 2 {
		t.Fatalf("stats of the re-read = %+v", st)
	}
	wantVersions(t, w, after)

	// Salesforce: the deleted record as a full row, its modified time moved.
	landCRM(t, w, true, deleted("d2", "B", m2, at2, s4))
	wantVersions(t, w, []version{{"d1", "A", m0, at1, true}, {"d2", "B", m0, at2, true}})
}

// testHistoryChangeSeen: a change seen without the record's modified time
// moving (a renamed account's name in a deal's lookup) starts a version at
// the time it was seen, not a second one at the same modified time.
func testHistoryChangeSeen(t *testing.T, w load.Warehouse) {
	s1, s2, s3, s4 := base.Add(time.Hour), base.Add(2*time.Hour), base.Add(3*time.Hour), base.Add(4*time.Hour)
	m0, m1 := base, base.Add(150*time.Minute)
	landCRM(t, w, true, live("d1", "Deal · Acme", m0, s1))
	st := landCRM(t, w, true, live("d1", "Deal · Acme Corp", m0, s2))
	if st.Updated != 1 {
		t.Fatalf("stats = %+v, want 1 updated", st)
	}
	wantVersions(t, w, []version{{"d1", "Deal · Acme", m0, s2, true}, {"d1", "Deal · Acme Corp", s2, nil, true}})
	// Read again unchanged: no version.
	if st := landCRM(t, w, true, live("d1", "Deal · Acme Corp", m0, s3)); st.Unchanged != 1 {
		t.Fatalf("stats of the re-read = %+v, want 1 unchanged", st)
	}
	// Modified for real: the version starts at the modified time.
	landCRM(t, w, true, live("d1", "Deal won", m1, s4))
	wantVersions(t, w, []version{
		{"d1", "Deal · Acme", m0, s2, true},
		{"d1", "Deal · Acme Corp", s2, m1, true},
		{"d1", "Deal won", m1, nil, true},
	})
}

// testHistoryClockAhead: the source's clock runs ahead of ours (modified
// times minutes in the future): versions seen before that time still
// start strictly after the one before, and a deletion timed before the
// current version's start closes it just after.
func testHistoryClockAhead(t *testing.T, w load.Warehouse) {
	m0 := base.Add(10 * time.Minute)
	seen := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	landCRM(t, w, true, live("d1", "A", m0, seen(1)), live("d2", "X", m0, seen(1)))
	landCRM(t, w, true, live("d1", "B", m0, seen(2)), gone("d2", seen(2), seen(2)))
	landCRM(t, w, true, live("d1", "C", m0, seen(3)))
	landCRM(t, w, true, live("d1", "D", m0.Add(30*time.Second), seen(4)))
	wantVersions(t, w, []version{
		{"d1", "A", m0, m0.Add(us), true},
		{"d1", "B", m0.Add(us), m0.Add(2 * us), true},
		{"d1", "C", m0.Add(2 * us), m0.Add(30 * time.Second), true},
		{"d1", "D", m0.Add(30 * time.Second), nil, true},
		{"d2", "X", m0, m0.Add(us), true},
	})
}

// testHistoryRestored: a record deleted and later restored (the full row
// again, _deleted_at NULL) is live again with one open version, whether
// its modified time moved (Salesforce undelete) or not (a Zoho restore).
func testHistoryRestored(t *testing.T, w load.Warehouse) {
	s1, s2, s3, s4 := base.Add(time.Hour), base.Add(2*time.Hour), base.Add(5*time.Hour), base.Add(6*time.Hour)
	m0, m1, m2 := base, base.Add(2*time.Hour), base.Add(4*time.Hour)
	at := base.Add(2 * time.Hour)
	landCRM(t, w, true, live("z1", "Z", m0, s1), live("s1", "S", m0, s1))
	landCRM(t, w, true, gone("z1", at, s2), deleted("s1", "S", m1, at, s2))
	st := landCRM(t, w, true, live("z1", "Z", m0, s3), live("s1", "S", m2, s3))
	if st.Updated != 2 {
		t.Fatalf("stats of the restore = %+v, want 2 updated", st)
	}
	wantVersions(t, w, []version{
		{"s1", "S", m0, at, true}, {"s1", "S", m2, nil, true},
		{"z1", "Z", m0, at, true}, {"z1", "Z", s3, nil, true},
	})
	if got := query(t, w, `SELECT count(*) FROM zoho_crm.deals WHERE _deleted_at IS NOT NULL`); got[0][0] != int64(0) {
		t.Fatalf("restored rows still marked deleted: %v", got)
	}
	// Deleted again.
	at2 := base.Add(5*time.Hour + 30*time.Minute)
	landCRM(t, w, true, gone("z1", at2, s4))
	wantVersions(t, w, []version{
		{"s1", "S", m0, at, true}, {"s1", "S", m2, nil, true},
		{"z1", "Z", m0, at, true}, {"z1", "Z", s3, at2, true},
	})
}

// testNoLeftovers: nothing a landing makes for its own use (views over the
// Arrow stream, staging tables) outlives it, whether it succeeds or fails.
func testNoLeftovers(t *testing.T, w load.Warehouse) {
	s1 := base.Add(time.Hour)
	// Success: append, merge with a key seen twice, history.
	land(t, w, load.Table{Schema: "raw", Name: "appended"}, MustReader(people, [][]any{{"a", "Ann", 1}}), load.LandOptions{Mode: load.Append})
	landCRM(t, w, true, live("d1", "A", base, s1), live("d1", "B", base, s1), live("d2", "C", base, s1))
	landCRM(t, w, true, live("d1", "D", base.Add(time.Minute), s1), gone("d2", s1, s1))
	leftovers(t, w, "after successful landings")

	// Failures: the reader fails (append and merge), a NULL key, a type
	// that cannot be widened.
	for _, mode := range []load.Mode{load.Append, load.Merge} {
		inner := MustReader(people, [][]any{{"b", "Bo", 2}})
		r := &failingReader{RecordReader: inner, err: errors.New("connection reset by peer")}
		if _, err := w.Land(ctx(t), load.Table{Schema: "raw", Name: "appended"}, r, load.LandOptions{Mode: mode, Key: []string{"Id"}}); err == nil {
			t.Fatalf("%s: a failing reader landed", mode)
		}
		inner.Release()
	}
	r := MustReader(crm, [][]any{live("d3", "E", base, s1), {nil, "F", base, nil, s1, "crm"}})
	if _, err := w.Land(ctx(t), crmTable, r, crmOpts(true)); !errors.Is(err, load.ErrNullKey) {
		t.Fatalf("err = %v, want ErrNullKey", err)
	}
	r.Release()
	r = MustReader(oneColumn("Modified_Time", arrow.FixedWidthTypes.Boolean), [][]any{{"d1", true}})
	if _, err := w.Land(ctx(t), crmTable, r, load.LandOptions{Mode: load.Merge, Key: []string{"id"}}); !errors.Is(err, load.ErrIncompatibleType) {
		t.Fatalf("err = %v, want ErrIncompatibleType", err)
	}
	r.Release()
	leftovers(t, w, "after failed landings")
}

func leftovers(t *testing.T, w load.Warehouse, when string) {
	t.Helper()
	rows := query(t, w, `SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables
		WHERE substr(table_name, 1, 8) = '_revops_' ORDER BY 1, 2, 3`)
	if len(rows) > 0 {
		t.Fatalf("%s, landings left behind: %v", when, rows)
	}
}
