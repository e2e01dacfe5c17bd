package zoho_test

import (
	"context"
	"encoding/json"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// cursorModified reads the "modified" time of a cursor.
func cursorModified(t *testing.T, cur string) time.Time {
	t.Helper()
	var c struct {
		Modified string `json:"modified"`
	}
	if err := json.Unmarshal([]byte(cur), &c); err != nil {
		t.Fatalf("cursor %q: %v", cur, err)
	}
	tm, err := time.Parse(time.RFC3339, c.Modified)
	if err != nil {
		t.Fatalf("cursor %q: %v", cur, err)
	}
	return tm
}

// modifiedSince lists the ids of records modified at or after from.
func modifiedSince(t *testing.T, recs []map[string]any, from time.Time) []string {
	var out []string
	for _, r := range recs {
		tm, err := time.Parse(time.RFC3339, r["Modified_Time"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if !tm.Before(from) {
			out = append(out, r["id"].(string))
		}
	}
	sort.Strings(out)
	return out
}

// readAfter lists the ids of the records a read from cur reads: those
// modified at or after cur's modified − look-back (5m), but for the ones
// at or before cur's (modified, id) that were more than the look-back old
// when the read that got there started (cur's read_at).
func readAfter(t *testing.T, recs []map[string]any, cur string) []string {
	t.Helper()
	var c struct {
		Modified string `json:"modified"`
		ID       string `json:"id"`
		ReadAt   string `json:"read_at"`
	}
	if err := json.Unmarshal([]byte(cur), &c); err != nil {
		t.Fatalf("cursor %q: %v", cur, err)
	}
	if c.ID == "" || c.ReadAt == "" {
		t.Fatalf("cursor %s has no id and read_at", cur)
	}
	m, readAt := ztime(t, c.Modified), ztime(t, c.ReadAt)
	var out []string
	for _, r := range recs {
		tm, id := ztime(t, r["Modified_Time"].(string)), r["id"].(string)
		if tm.Before(m.Add(-5 * time.Minute)) {
			continue
		}
		atOrBefore := tm.Before(m) || tm.Equal(m) && (len(id) < len(c.ID) || len(id) == len(c.ID) && id <= c.ID)
		if atOrBefore && !tm.After(readAt.Add(-5*time.Minute-time.Second)) {
			continue
		}
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func ids(res *result) []string {
	var out []string
	for _, r := range res.rows {
		out = append(out, r["id"].(string))
	}
	sort.Strings(out)
	return out
}

func TestIncrementalAfterChanges(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	e := newExtractor(t, crmOptions(ts))
	ctx := context.Background()
	first := extractObj(t, e, "Leads", "")
	c1 := cursorModified(t, first.cursor)

	c := e.Client()
	var upd []map[string]any
	for _, r := range first.rows[:5] {
		upd = append(upd, map[string]any{"id": r["id"], "Lead_Status": "Contacted", "City": "Lyon"})
	}
	if res, err := c.Update(ctx, "Leads", upd); err != nil || !res[4].OK() {
		t.Fatalf("update: %v %+v", err, res)
	}
	ins := []map[string]any{{"Last_Name": "New1", "Company": "N"}, {"Last_Name": "New2", "Company": "N"}, {"Last_Name": "New3", "Company": "N"}}
	insRes, err := c.Insert(ctx, "Leads", ins)
	if err != nil || !insRes[2].OK() {
		t.Fatalf("insert: %v %+v", err, insRes)
	}
	changedIDs := map[string]bool{}
	for _, u := range upd {
		changedIDs[u["id"].(string)] = true
	}
	for _, r := range insRes {
		changedIDs[r.ID] = true
	}

	before := e.Stats("Leads").Requests
	second := extractObj(t, e, "Leads", first.cursor)
	recs := ts.Records("Leads")
	// Exactly the records modified at or after cursor − look-back (5m),
	// the 8 changed ones and the look-back overlap, but for those the
	// first read read when they were already older than the look-back.
	wantIDs := readAfter(t, recs, first.cursor)
	if got := ids(second); !equal(got, wantIDs) {
		t.Fatalf("incremental read %d records %v, want %d %v", len(got), got, len(wantIDs), wantIDs)
	}
	for id := range changedIDs {
		if !contains(wantIDs, id) {
			t.Fatalf("changed record %s not read", id)
		}
	}
	byID := map[string]map[string]any{}
	for _, r := range recs {
		byID[r["id"].(string)] = r
	}
	var changed []map[string]any
	for _, id := range wantIDs {
		changed = append(changed, byID[id])
	}
	compare(t, second, changed)
	// fields + deletions (none) + one page.
	if n := e.Stats("Leads").Requests - before; n != 3 {
		t.Fatalf("incremental read took %d calls, want 3", n)
	}
	c2 := cursorModified(t, second.cursor)
	if !c2.After(c1) {
		t.Fatalf("cursor did not advance: %v → %v", c1, c2)
	}
	// Nothing changed: only the look-back overlap that was not yet older
	// than the look-back comes again.
	third := extractObj(t, e, "Leads", second.cursor)
	if got, w := ids(third), readAfter(t, recs, second.cursor); !equal(got, w) {
		t.Fatalf("unchanged read %v, want %v", got, w)
	}
	if c3 := cursorModified(t, third.cursor); !c3.Equal(c2) {
		t.Fatalf("cursor moved without changes: %s → %s", second.cursor, third.cursor)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBoundaryTies writes records in the same second as the cursor: they
// are read, however small the look-back.
func TestBoundaryTies(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := start(t, zohotest.Options{Now: clock}, 0)
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	o.Lookback = time.Nanosecond
	e := newExtractor(t, o)
	ctx := context.Background()
	insert := func(name string) string {
		res, err := e.Client().Insert(ctx, "Leads", []map[string]any{{"Last_Name": name, "Company": "T"}})
		if err != nil || !res[0].OK() {
			t.Fatalf("insert: %v %+v", err, res)
		}
		return res[0].ID
	}
	a := insert("A")
	first := extractObj(t, e, "Leads", "")
	b := insert("B") // same second as A, the cursor
	second := extractObj(t, e, "Leads", first.cursor)
	if got := ids(second); !equal(got, sorted(a, b)) {
		t.Fatalf("tie read %v, want A and B %v", got, sorted(a, b))
	}
	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	if res, err := e.Client().Update(ctx, "Leads", []map[string]any{{"id": a, "City": "Oslo"}}); err != nil || !res[0].OK() {
		t.Fatalf("update: %v %+v", err, res)
	}
	// B sits at the boundary second of the cursor: read again, with A.
	third := extractObj(t, e, "Leads", second.cursor)
	if got := ids(third); !equal(got, sorted(a, b)) {
		t.Fatalf("read %v, want A and B", got)
	}
	fourth := extractObj(t, e, "Leads", third.cursor)
	if got := ids(fourth); !equal(got, []string{a}) {
		t.Fatalf("read %v, want only A %s", got, a)
	}
}

func sorted(xs ...string) []string {
	sort.Strings(xs)
	return xs
}

func TestDeletes(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	o := crmOptions(ts)
	e := newExtractor(t, o)
	ctx := context.Background()
	first := extractObj(t, e, "Contacts", "")
	gone := []string{first.rows[3]["id"].(string), first.rows[10]["id"].(string), first.rows[20]["id"].(string)}
	res, err := e.Client().Delete(ctx, "Contacts", gone)
	if err != nil || !res[0].OK() || !res[2].OK() {
		t.Fatalf("delete: %v %+v", err, res)
	}
	second := extractObj(t, e, "Contacts", first.cursor)
	if len(second.deleted) != 3 {
		t.Fatalf("deleted rows %v, want %v", second.deleted, gone)
	}
	for _, id := range gone {
		at, ok := second.deleted[id]
		if !ok || at.IsZero() || time.Since(at) > time.Hour {
			t.Fatalf("deleted %s at %v", id, at)
		}
		if second.byID()[id] != nil {
			t.Fatalf("deleted %s also live", id)
		}
	}
	// The next read does not repeat them (they are older than its start).
	third := extractObj(t, e, "Contacts", second.cursor)
	if len(third.deleted) != 0 && o.Lookback < time.Since(second.deleted[gone[0]]) {
		t.Fatalf("deletions read again: %v", third.deleted)
	}
}

func TestNewCustomFieldAppears(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	e := newExtractor(t, crmOptions(ts))
	first := extractObj(t, e, "Leads", "")
	if first.schema.HasField("Region__c") {
		t.Fatal("field before it exists")
	}
	if err := ts.AddField("Leads", zohotest.Field{APIName: "Region__c", DataType: "picklist", Custom: true,
		PickList: []string{"EMEA", "APAC"}}); err != nil {
		t.Fatal(err)
	}
	if err := ts.AddField("Leads", zohotest.Field{APIName: "Seats__c", DataType: "integer", Custom: true}); err != nil {
		t.Fatal(err)
	}
	id := first.rows[0]["id"].(string)
	res, err := e.Client().Update(context.Background(), "Leads", []map[string]any{{"id": id, "Region__c": "EMEA", "Seats__c": 12}})
	if err != nil || !res[0].OK() {
		t.Fatalf("update: %v %+v", err, res)
	}
	second := extractObj(t, e, "Leads", first.cursor)
	if !second.schema.HasField("Region__c") || !second.schema.HasField("Seats__c") {
		t.Fatalf("new fields missing from %v", second.schema)
	}
	row := second.byID()[id]
	if row == nil || row["Region__c"] != "EMEA" || row["Seats__c"] != int64(12) {
		t.Fatalf("row %v", row)
	}
}
