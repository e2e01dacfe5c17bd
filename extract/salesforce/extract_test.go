package salesforce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
)

func TestColumnMapping(t *testing.T) {
	cases := []struct {
		typ   string
		scale int
		kind  extract.Kind
		dscal int32
		skip  bool
	}{
		{"id", 0, extract.KindString, 0, false},
		{"reference", 0, extract.KindString, 0, false},
		{"string", 0, extract.KindString, 0, false},
		{"picklist", 0, extract.KindString, 0, false},
		{"textarea", 0, extract.KindString, 0, false},
		{"email", 0, extract.KindString, 0, false},
		{"phone", 0, extract.KindString, 0, false},
		{"url", 0, extract.KindString, 0, false},
		{"combobox", 0, extract.KindString, 0, false},
		{"boolean", 0, extract.KindBool, 0, false},
		{"int", 0, extract.KindInt, 0, false},
		{"long", 0, extract.KindInt, 0, false},
		{"double", 2, extract.KindFloat, 0, false},
		{"percent", 0, extract.KindFloat, 0, false},
		{"currency", 2, extract.KindDecimal, 2, false},
		{"currency", 4, extract.KindDecimal, 4, false},
		{"currency", 0, extract.KindDecimal, 2, false},
		{"date", 0, extract.KindDate, 0, false},
		{"datetime", 0, extract.KindDateTime, 0, false},
		{"multipicklist", 0, extract.KindStringList, 0, false},
		{"time", 0, extract.KindString, 0, false},
		{"anyType", 0, extract.KindString, 0, false},
		{"encryptedstring", 0, extract.KindString, 0, false},
		{"address", 0, 0, 0, true},
		{"location", 0, 0, 0, true},
		{"base64", 0, 0, 0, true},
	}
	for _, tc := range cases {
		c, ok := Column(salesforce.Field{Name: "F", Type: tc.typ, Scale: tc.scale})
		if ok == tc.skip {
			t.Errorf("%s: kept = %v, want %v", tc.typ, ok, !tc.skip)
			continue
		}
		if ok && (c.Kind != tc.kind || c.Scale != tc.dscal || c.Name != "F") {
			t.Errorf("%s(scale %d) → %+v, want %v scale %d", tc.typ, tc.scale, c, tc.kind, tc.dscal)
		}
	}

	// Against the emulator's describe: every field of Opportunity lands, typed.
	o := startOrg(t, 0)
	e := newExtractor(t, o.options())
	d, err := e.Client().Describe(context.Background(), "Opportunity")
	if err != nil {
		t.Fatal(err)
	}
	cols := Columns(d)
	if len(cols) != len(d.Fields) {
		t.Errorf("%d columns for %d fields", len(cols), len(d.Fields))
	}
	kinds := map[string]extract.Kind{}
	for _, c := range cols {
		kinds[c.Name] = c.Kind
	}
	for name, k := range map[string]extract.Kind{"Id": extract.KindString, "Amount": extract.KindDecimal,
		"Probability": extract.KindFloat, "CloseDate": extract.KindDate, "IsWon": extract.KindBool,
		"SystemModstamp": extract.KindDateTime, "AccountId": extract.KindString, "StageName": extract.KindString} {
		if kinds[name] != k {
			t.Errorf("Opportunity.%s: %v, want %v", name, kinds[name], k)
		}
	}
}

func TestObjects(t *testing.T) {
	o := startOrg(t, 0)
	opts := o.options()
	opts.Objects = []string{"lead", "Contact", "OpportunityHistory"}
	opts.History = []string{"LEAD"}
	e := newExtractor(t, opts)
	objs, err := e.Objects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []extract.Object{
		{Name: "Lead", Table: "lead", Key: "Id", Modified: "SystemModstamp", History: true},
		{Name: "Contact", Table: "contact", Key: "Id", Modified: "SystemModstamp"},
		{Name: "OpportunityHistory", Table: "opportunityhistory", Key: "Id", Modified: "SystemModstamp"},
	}
	if !slices.Equal(objs, want) {
		t.Errorf("objects %+v\nwant %+v", objs, want)
	}

	opts.Objects = []string{"Lead", "Invoice__c"}
	e = newExtractor(t, opts)
	_, err = e.Objects(context.Background())
	if !errors.Is(err, extract.ErrUnknownObject) || !strings.Contains(err.Error(), "Invoice__c") {
		t.Errorf("unknown object: %v", err)
	}
}

func TestExtractErrors(t *testing.T) {
	o := startOrg(t, 0)
	e := newExtractor(t, o.options())
	ctx := context.Background()
	_, err := e.Extract(ctx, extract.Object{Name: "Invoice__c"}, "")
	if !salesforce.IsCode(err, "NOT_FOUND") || !strings.Contains(err.Error(), "extract Invoice__c") {
		t.Errorf("unknown object: %v", err)
	}
	_, err = e.Extract(ctx, extract.Object{Name: "Lead"}, "yesterday")
	if err == nil || !strings.Contains(err.Error(), `cursor "yesterday"`) {
		t.Errorf("bad cursor: %v", err)
	}
	// A cursor field the object lacks (Objects names SystemModstamp
	// without a describe): the object's own is used.
	st, err := e.Extract(ctx, extract.Object{Name: "Lead", Modified: "Nope__c"}, "")
	if err != nil {
		t.Errorf("cursor field the object lacks: %v", err)
	} else {
		if sp := st.(*stream); sp.schema.Fields()[0].Name != "Id" {
			t.Errorf("schema %v", sp.schema)
		}
		st.Release()
	}

	opts := o.options()
	opts.Auth.RefreshToken = "revoked"
	if _, err := New(ctx, "sf", opts, nil); err == nil || !strings.Contains(err.Error(), "invalid_grant") ||
		strings.Contains(err.Error(), "revoked") {
		t.Errorf("bad credentials: %v", err)
	}
}

// TestFullAndIncremental extracts a seeded org whole, then changes,
// creates and deletes records through the REST API and extracts since the
// cursor: exactly those rows (plus the look-back overlap) come back.
func TestFullAndIncremental(t *testing.T) {
	o := startOrg(t, 10000)
	e := newExtractor(t, o.options())
	ctx := context.Background()

	for _, obj := range []string{"Account", "Lead", "Opportunity", "OpportunityHistory", "Task", "User"} {
		d, err := e.Client().Describe(ctx, obj)
		if err != nil {
			t.Fatal(err)
		}
		got := run(t, e, obj, "")
		if got.err != nil {
			t.Fatal(got.err)
		}
		checkAgainstOrg(t, o, obj, Columns(d), got)
	}

	// Call count of a full extract: one describe, ceil(n/2000) query
	// pages, and the one login of New.
	e2 := newExtractor(t, o.options())
	before := o.count("")
	full := run(t, e2, "Contact", "")
	if full.err != nil {
		t.Fatal(full.err)
	}
	n := len(o.Records("Contact"))
	pages := int64((n + 1999) / 2000)
	if pages < 3 || full.total != int64(n) || len(full.rows) != n {
		t.Fatalf("%d contacts, total %d, rows %d", n, full.total, len(full.rows))
	}
	if got := o.count("") - before; got != pages+1 {
		t.Errorf("org saw %d requests for a full extract, want %d pages + 1 describe", got, pages)
	}
	if s := e2.Stats("Contact"); s.Requests != pages+1 || s.Retries != 0 {
		t.Errorf("Stats(Contact) = %+v, want %d requests", s, pages+1)
	}
	if s := e2.TotalStats(); s.Requests != pages+2 {
		t.Errorf("TotalStats = %+v, want %d requests (+1 login)", s, pages+2)
	}
	if full.batches != (n+batchRows-1)/batchRows {
		t.Errorf("%d batches for %d rows", full.batches, n)
	}
	d, _ := e.Client().Describe(ctx, "Contact")
	checkAgainstOrg(t, o, "Contact", Columns(d), full)

	// Cursor is the highest SystemModstamp.
	var maxStamp time.Time
	for _, r := range full.rows {
		if ts := r["SystemModstamp"].(time.Time); ts.After(maxStamp) {
			maxStamp = ts
		}
	}
	if full.cursor != maxStamp.Format(CursorLayout) {
		t.Fatalf("cursor %q, want %s", full.cursor, maxStamp.Format(CursorLayout))
	}

	// Change 7, delete 3, create 2 through the API.
	c := e.Client()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range full.rows {
			if !yield(id) {
				return
			}
		}
	})
	var upd []map[string]any
	for _, id := range ids[:7] {
		upd = append(upd, map[string]any{"Id": id, "Title": "Changed " + id[len(id)-4:]})
	}
	if res, err := c.Update(ctx, "Contact", upd, true); err != nil || !res[0].Success {
		t.Fatalf("update: %v %+v", err, res)
	}
	if _, err := c.Delete(ctx, "Contact", ids[10:13], true); err != nil {
		t.Fatal(err)
	}
	res, err := c.Create(ctx, "Contact", []map[string]any{{"LastName": "New1"}, {"LastName": "New2", "Email": "n2@example.com"}}, true)
	if err != nil || !res[1].Success {
		t.Fatalf("create: %v %+v", err, res)
	}

	inc := run(t, e, "Contact", full.cursor)
	if inc.err != nil {
		t.Fatal(inc.err)
	}
	want := map[string]bool{res[0].ID: true, res[1].ID: true}
	for _, id := range append(slices.Clone(ids[:7]), ids[10:13]...) {
		want[id] = true
	}
	// Overlap: rows stamped in the cursor's second are read again.
	floor := maxStamp.Truncate(time.Second)
	for id, r := range full.rows {
		if !r["SystemModstamp"].(time.Time).Before(floor) {
			want[id] = true
		}
	}
	t.Logf("full: %d contacts in %d pages; incremental: %d rows (12 changed + %d overlap)", n, pages, len(inc.rows), len(want)-12)
	if len(inc.rows) != len(want) {
		t.Errorf("incremental: %d rows, want %d", len(inc.rows), len(want))
	}
	for id := range want {
		if _, ok := inc.rows[id]; !ok {
			t.Errorf("incremental: %s missing", id)
		}
	}
	for _, id := range ids[:7] {
		if r := inc.rows[id]; r != nil && r["Title"] != "Changed "+id[len(id)-4:] {
			t.Errorf("%s: Title %v", id, r["Title"])
		}
	}
	for _, id := range ids[10:13] {
		r := inc.rows[id]
		if r == nil {
			continue
		}
		del, _ := r[extract.DeletedAt].(time.Time)
		if r["IsDeleted"] != true || del.IsZero() || !del.Equal(r["SystemModstamp"].(time.Time)) {
			t.Errorf("deleted %s: IsDeleted %v, _deleted_at %v, SystemModstamp %v", id, r["IsDeleted"], r[extract.DeletedAt], r["SystemModstamp"])
		}
	}
	for id, r := range inc.rows {
		if r[extract.DeletedAt] != nil && !slices.Contains(ids[10:13], id) {
			t.Errorf("%s marked deleted", id)
		}
	}
	if inc.cursor <= full.cursor {
		t.Errorf("cursor did not move: %s → %s", full.cursor, inc.cursor)
	}

	// Nothing changed since: the cursor stays.
	again := run(t, e, "Contact", inc.cursor)
	if again.err != nil || again.cursor != inc.cursor {
		t.Errorf("idle run: cursor %q → %q (%v)", inc.cursor, again.cursor, again.err)
	}
}

// TestBoundaryTies: rows written in the same millisecond as the cursor,
// after the extract that set it, are read by the next one.
func TestBoundaryTies(t *testing.T) {
	o := startOrg(t, 0)
	e := newExtractor(t, o.options())
	ctx := context.Background()
	c := e.Client()
	tie := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
	o.FreezeClock(tie)
	defer o.FreezeClock(time.Time{})
	a, err := c.Create(ctx, "Lead", []map[string]any{{"LastName": "A", "Company": "X"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	first := run(t, e, "Lead", "")
	if first.cursor != tie.Format(CursorLayout) || len(first.rows) != 1 {
		t.Fatalf("cursor %q rows %d, want %s and 1", first.cursor, len(first.rows), tie.Format(CursorLayout))
	}
	b, err := c.Create(ctx, "Lead", []map[string]any{{"LastName": "B", "Company": "Y"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	next := run(t, e, "Lead", first.cursor)
	if next.rows[b[0].ID] == nil || next.rows[a[0].ID] == nil || len(next.rows) != 2 {
		t.Errorf("tie at the cursor: got %d rows, want A again and B", len(next.rows))
	}
	if next.cursor != first.cursor {
		t.Errorf("cursor %q, want %q", next.cursor, first.cursor)
	}
}

func TestLookback(t *testing.T) {
	o := startOrg(t, 2000)
	opts := o.options()
	opts.Lookback = time.Hour
	e := newExtractor(t, opts)
	full := run(t, e, "Lead", "")
	cur, _ := ParseCursor(full.cursor)
	want := 0
	for _, r := range full.rows {
		if !r["SystemModstamp"].(time.Time).Before(cur.Add(-time.Hour).Truncate(time.Second)) {
			want++
		}
	}
	inc := run(t, e, "Lead", full.cursor)
	if len(inc.rows) != want || want == 0 {
		t.Errorf("look-back of 1h: %d rows, want %d", len(inc.rows), want)
	}
}

func TestSchemaDrift(t *testing.T) {
	o := startOrg(t, 2000)
	e := newExtractor(t, o.options())
	first := run(t, e, "Account", "")
	if err := o.AddField("Account", sftest.Field{Name: "Region__c", Type: sftest.TypePicklist,
		PicklistValues: []sftest.PicklistValue{{Value: "EMEA", Active: true}, {Value: "APAC", Active: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := o.AddField("Account", sftest.Field{Name: "Tags__c", Type: sftest.TypeMultiPicklist,
		PicklistValues: []sftest.PicklistValue{{Value: "a", Active: true}, {Value: "b", Active: true}}}); err != nil {
		t.Fatal(err)
	}
	var id string
	for id = range first.rows {
		break
	}
	res, err := e.Client().Update(context.Background(), "Account",
		[]map[string]any{{"Id": id, "Region__c": "EMEA", "Tags__c": "a;b"}}, true)
	if err != nil || !res[0].Success {
		t.Fatalf("update: %v %+v", err, res)
	}
	next := run(t, e, "Account", first.cursor)
	if _, ok := next.schema.FieldsByName("Region__c"); !ok {
		t.Fatalf("new field not a column: %v", next.schema)
	}
	r := next.rows[id]
	if r == nil || r["Region__c"] != "EMEA" || !equal(r["Tags__c"], []string{"a", "b"}) {
		t.Errorf("new fields: %v %v", r["Region__c"], r["Tags__c"])
	}
}

// TestBulkMatchesREST: above the threshold the rows come from a Bulk API
// 2.0 job, with the same values and cursor as the REST path.
func TestBulkMatchesREST(t *testing.T) {
	o := startOrg(t, 4000)
	rest := run(t, newExtractor(t, o.options()), "Opportunity", "")
	// Delete one so that queryAll's deleted rows are compared too.
	var gone string
	for gone = range rest.rows {
		break
	}
	e := newExtractor(t, o.options())
	if _, err := e.Client().Delete(context.Background(), "Opportunity", []string{gone}, true); err != nil {
		t.Fatal(err)
	}
	rest = run(t, e, "Opportunity", "")
	opts := o.options()
	opts.BulkThreshold = 100
	jobs := o.count("/services/data/vXX.X/jobs/query")
	bulk := run(t, newExtractor(t, opts), "Opportunity", "")
	if bulk.err != nil {
		t.Fatal(bulk.err)
	}
	if o.count("/services/data/vXX.X/jobs/query") != jobs+1 {
		t.Fatal("no Bulk query job was created")
	}
	if len(bulk.rows) != len(rest.rows) || bulk.cursor != rest.cursor || bulk.total != rest.total {
		t.Fatalf("bulk %d rows cursor %s total %d; REST %d rows cursor %s total %d",
			len(bulk.rows), bulk.cursor, bulk.total, len(rest.rows), rest.cursor, rest.total)
	}
	if !bulk.schema.Equal(rest.schema) {
		t.Errorf("schemas differ:\n%v\n%v", bulk.schema, rest.schema)
	}
	bad := 0
	for id, rr := range rest.rows {
		br := bulk.rows[id]
		for k, v := range rr {
			if !equal(v, br[k]) && bad < 10 {
				bad++
				t.Errorf("%s.%s: bulk %#v, REST %#v", id, k, br[k], v)
			}
		}
	}
	t.Logf("bulk and REST: %d rows each", len(bulk.rows))
	if bulk.rows[gone][extract.DeletedAt] == nil {
		t.Error("deleted row not marked in the bulk path")
	}
}

// TestFaultsAndTokenExpiry: throttling, server errors, dropped and slow
// connections and an access token that dies between pages; the extract
// completes with every row once and the retries counted.
func TestFaultsAndTokenExpiry(t *testing.T) {
	o := startOrg(t, 10000)
	e := newExtractor(t, o.options())
	more := "/services/data/vXX.X/query/{locator}"
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault429, Endpoint: "/services/data/vXX.X/queryAll", Times: 1, RetryAfter: time.Second})
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, Endpoint: more, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultExpireToken, Endpoint: more, After: 1, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault503, Endpoint: more, After: 2, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Endpoint: more, After: 3, Times: 1})
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultSlow, Endpoint: more, After: 4, Times: 1, Delay: 200 * time.Millisecond})
	got := run(t, e, "Contact", "")
	if got.err != nil {
		t.Fatal(got.err)
	}
	n := len(o.Records("Contact"))
	if len(got.rows) != n {
		t.Errorf("%d rows, want %d", len(got.rows), n)
	}
	s := e.Stats("Contact")
	if s.Retries != 4 || s.Throttled != 1 || s.Failures != 3 {
		t.Errorf("Stats(Contact) = %+v, want 4 retries (429, 500, 503, drop)", s)
	}
	if tf := e.Client().Stats().TokenFetches; tf != 2 {
		t.Errorf("token fetches %d, want 2 (login, renewal)", tf)
	}
}

func TestCancel(t *testing.T) {
	o := startOrg(t, 10000)
	e := newExtractor(t, o.options())
	ctx, cancel := context.WithCancel(context.Background())
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultSlow, Endpoint: "/services/data/vXX.X/query/{locator}", Delay: 300 * time.Millisecond})
	s, err := e.Extract(ctx, extract.Object{Name: "OpportunityHistory"}, "")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	start := time.Now()
	for s.Next() {
	}
	if !errors.Is(s.Err(), context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", s.Err())
	}
	s.Release()
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancel took %v", time.Since(start))
	}

	// Releasing a stream mid-way stops it too.
	s, err = e.Extract(context.Background(), extract.Object{Name: "OpportunityHistory"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Next() {
		t.Fatal(s.Err())
	}
	s.Release()
}

// TestLongFieldListUsesBulk: an object with so many fields that the REST
// query URL would be too long is read through Bulk API 2.0 instead.
func TestLongFieldListUsesBulk(t *testing.T) {
	o := startOrg(t, 2000)
	for i := range 400 {
		name := fmt.Sprintf("A_Rather_Long_Custom_Field_Name_%03d__c", i)
		if err := o.AddField("Lead", sftest.Field{Name: name, Type: sftest.TypeString}); err != nil {
			t.Fatal(err)
		}
	}
	e := newExtractor(t, o.options())
	jobs := o.count("/services/data/vXX.X/jobs/query")
	got := run(t, e, "Lead", "")
	if got.err != nil {
		t.Fatal(got.err)
	}
	if o.count("/services/data/vXX.X/jobs/query") != jobs+1 {
		t.Error("no Bulk query job was created")
	}
	if n := len(o.Records("Lead")); len(got.rows) != n || got.total != int64(n) {
		t.Errorf("%d rows (total %d), want %d", len(got.rows), got.total, n)
	}
	if _, ok := got.schema.FieldsByName("A_Rather_Long_Custom_Field_Name_399__c"); !ok {
		t.Error("custom field missing from the schema")
	}
}

// TestExpiredQueryCursor: when the server drops the query cursor between
// pages (here: every cursor expires at once), the extract restarts from
// the highest SystemModstamp read and still yields every row once.
func TestExpiredQueryCursor(t *testing.T) {
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.TestServer = sftest.Start(sftest.Options{Counters: o.counters, LocatorTTL: time.Nanosecond})
	t.Cleanup(o.Close)
	o.Seed(sandbox.Generate(sandbox.Options{Seed: 11, Records: 10000}).Project(sandbox.Salesforce))
	e := newExtractor(t, o.options())
	got := run(t, e, "Contact", "")
	if got.err != nil {
		t.Fatal(got.err)
	}
	d, _ := e.Client().Describe(context.Background(), "Contact")
	checkAgainstOrg(t, o, "Contact", Columns(d), got)
	if n := o.count("/services/data/vXX.X/queryAll"); n < 3 {
		t.Errorf("%d queries: the cursor never expired?", n)
	}
}
