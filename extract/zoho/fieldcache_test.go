package zoho_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract/zoho"
)

// TestFieldEncodingRoundTrip: the fields a cursor keeps give the same
// columns as the fields API's, formula types, decimals, lookups and
// case-colliding names (whose ids decide the column names) included.
func TestFieldEncodingRoundTrip(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	for _, f := range []zohotest.Field{
		{APIName: "last_name", DataType: "text", Custom: true},
		{APIName: "ID", DataType: "text", Custom: true},
		{APIName: "Margin", DataType: "formula", Formula: &zohotest.Formula{ReturnType: "double", Expression: "1"}, Custom: true},
		{APIName: "Price", DataType: "currency", DecimalPlace: 4, Custom: true},
		{APIName: "Tags_X", DataType: "multiselectpicklist", PickList: []string{"a"}, Custom: true},
	} {
		if err := ts.AddField("Leads", f); err != nil {
			t.Fatal(err)
		}
	}
	e := newExtractor(t, crmOptions(ts))
	for _, m := range []string{"Leads", "Contacts", "Deals", "Tasks"} {
		fields, err := e.Client().Fields(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		enc := zoho.EncodeFields(fields)
		dec, err := zoho.DecodeFields(enc)
		if err != nil {
			t.Fatalf("%s: %v (%s)", m, err, enc)
		}
		if want, got := zoho.ModuleColumns(fields), zoho.ModuleColumns(dec); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: columns from the cursor\n%v\nwant\n%v", m, got, want)
		}
		t.Logf("%s: %d fields in %d bytes", m, len(fields), len(enc))
	}
	for _, bad := range []string{"", "Name", "Name:t/q1", "Name:c/dx", ":t"} {
		if _, err := zoho.DecodeFields(bad); err == nil {
			t.Errorf("DecodeFields(%q) took it", bad)
		}
	}
}

// TestFieldsNotReadOnIncrementals: an incremental read takes the fields
// from its cursor when the modules API (read by Objects every run) shows
// the module unchanged, and calls the fields API again once a field is
// added (the new column lands at once), on a full read, and for a cursor
// without fields.
func TestFieldsNotReadOnIncrementals(t *testing.T) {
	ts := start(t, zohotest.Options{}, 300)
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	e := newExtractor(t, o)
	ctx := context.Background()
	fieldCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/v8/settings/fields" })
	}
	time.Sleep(1100 * time.Millisecond) // the module's modified_time lies before the fields read
	run := func(cursor string) (*result, int64) {
		t.Helper()
		before := fieldCalls()
		if _, err := e.Objects(ctx); err != nil {
			t.Fatal(err)
		}
		res := extractObj(t, e, "Leads", cursor)
		return res, fieldCalls() - before
	}
	first, calls := run("")
	if calls != 1 || !strings.Contains(first.cursor, `"schema"`) {
		t.Fatalf("first read: %d fields calls, cursor %s", calls, first.cursor)
	}
	second, calls := run(first.cursor)
	if calls != 0 {
		t.Fatalf("incremental read made %d fields calls, want none", calls)
	}
	if !reflect.DeepEqual(second.schema, first.schema) {
		t.Fatalf("schema from the cursor differs:\n%v\n%v", second.schema, first.schema)
	}

	if err := ts.AddField("Leads", zohotest.Field{APIName: "Region_New", DataType: "text", Custom: true}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // else the next read, too, reads the fields (a change in the second of the read)
	third, calls := run(second.cursor)
	if calls != 1 || third.schema.FieldIndices("Region_New") == nil {
		t.Fatalf("after a field was added: %d fields calls, columns %v", calls, third.schema)
	}
	if _, calls = run(third.cursor); calls != 0 {
		t.Fatalf("the next incremental read made %d fields calls", calls)
	}
	// A cursor of an earlier revops (no fields in it).
	if _, calls = run(`{"modified":"` + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) + `"}`); calls != 1 {
		t.Fatalf("a cursor without fields: %d fields calls", calls)
	}
	// A full read (formula_refresh due) reads them.
	o2 := crmOptions(ts)
	o2.Modules, o2.FormulaRefresh = []string{"Leads"}, time.Nanosecond
	e = newExtractor(t, o2)
	if _, calls = run(third.cursor); calls != 1 {
		t.Fatalf("a full read made %d fields calls", calls)
	}
}

// TestFieldAddedInTheSameSecond: modified_time has whole seconds, so a
// field added in the second the fields were read (the module's
// modified_time then unchanged on the second) is still noticed by the
// next read. The org's clock stands still here: every read and the change
// share one second.
func TestFieldAddedInTheSameSecond(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ts := start(t, zohotest.Options{Now: func() time.Time { return now }}, 300)
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	e := newExtractor(t, o)
	ctx := context.Background()
	if _, err := e.Objects(ctx); err != nil {
		t.Fatal(err)
	}
	first := extractObj(t, e, "Leads", "")
	if err := ts.AddField("Leads", zohotest.Field{APIName: "Same_Second", DataType: "text", Custom: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Objects(ctx); err != nil {
		t.Fatal(err)
	}
	next := extractObj(t, e, "Leads", first.cursor)
	if next.schema.FieldIndices("Same_Second") == nil {
		t.Fatal("a field added in the second of the last fields read was missed")
	}
}
