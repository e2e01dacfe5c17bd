package salesforce

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/rawbatch"
)

// drainProducer ends p (flushing its rows) and returns its batches.
func drainProducer(t testing.TB, p *producer) []arrow.RecordBatch {
	t.Helper()
	if err := p.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(p.s.ch)
	var out []arrow.RecordBatch
	for b := range p.s.ch {
		out = append(out, b.rec)
	}
	return out
}

// newTestProducer is a producer of sp whose batches stay in its channel:
// through maps (extract.Batcher) or raw (rawbatch).
func newTestProducer(e *Extractor, sp spec, raw bool) *producer {
	p := &producer{e: e, sp: sp, max: sp.cursor, edgeIDs: map[string]bool{}, ordered: true,
		s: &stream{ch: make(chan batch, 10_000)}}
	if raw {
		p.raw = rawbatch.New(sp.cols)
	} else {
		p.b = extract.NewBatcher(sp.cols)
	}
	return p
}

// sameCells fails where the rows of two batch lists differ.
func sameCells(t testing.TB, what string, want, got []arrow.RecordBatch) int {
	t.Helper()
	type at struct {
		b arrow.RecordBatch
		r int
	}
	flat := func(bs []arrow.RecordBatch) []at {
		var out []at
		for _, b := range bs {
			for r := range int(b.NumRows()) {
				out = append(out, at{b, r})
			}
		}
		return out
	}
	w, g := flat(want), flat(got)
	if len(w) != len(g) {
		t.Fatalf("%s: %d rows through maps, %d raw", what, len(w), len(g))
	}
	bad := 0
	for i := range w {
		if !w[i].b.Schema().Equal(g[i].b.Schema()) {
			t.Fatalf("%s: schemas differ:\n%s\n%s", what, w[i].b.Schema(), g[i].b.Schema())
		}
		for c := range int(w[i].b.NumCols()) {
			wa, ga := w[i].b.Column(c), g[i].b.Column(c)
			if !array.SliceEqual(wa, int64(w[i].r), int64(w[i].r+1), ga, int64(g[i].r), int64(g[i].r+1)) && bad < 20 {
				bad++
				t.Errorf("%s row %d column %s: map path %s, raw path %s", what, i+1, w[i].b.Schema().Field(c).Name,
					cellStr(wa, w[i].r), cellStr(ga, g[i].r))
			}
		}
	}
	return len(w)
}

func cellStr(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	return a.ValueStr(i)
}

func release(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// everyType are custom fields of every type the emulator serves (the
// standard objects add id and the types they hold).
var everyType = []sftest.Field{
	{Name: "T_String__c", Type: sftest.TypeString},
	{Name: "T_Text__c", Type: sftest.TypeTextArea},
	{Name: "T_Email__c", Type: sftest.TypeEmail},
	{Name: "T_Phone__c", Type: sftest.TypePhone},
	{Name: "T_Url__c", Type: sftest.TypeURL},
	{Name: "T_Pick__c", Type: sftest.TypePicklist, PicklistValues: []sftest.PicklistValue{{Value: "A", Active: true}, {Value: "B <&>", Active: true}}},
	{Name: "T_Multi__c", Type: sftest.TypeMultiPicklist, PicklistValues: []sftest.PicklistValue{{Value: "A", Active: true}, {Value: "B", Active: true}, {Value: "C é", Active: true}}},
	{Name: "T_Combo__c", Type: sftest.TypeCombobox},
	{Name: "T_Bool__c", Type: sftest.TypeBoolean},
	{Name: "T_Int__c", Type: sftest.TypeInt, Precision: 18},
	{Name: "T_Double__c", Type: sftest.TypeDouble, Precision: 18, Scale: 6},
	{Name: "T_Cur__c", Type: sftest.TypeCurrency, Precision: 18, Scale: 2},
	{Name: "T_Cur4__c", Type: sftest.TypeCurrency, Precision: 18, Scale: 4},
	{Name: "T_Pct__c", Type: sftest.TypePercent, Precision: 5, Scale: 2},
	{Name: "T_Date__c", Type: sftest.TypeDate},
	{Name: "T_DT__c", Type: sftest.TypeDateTime},
	{Name: "T_Ref__c", Type: sftest.TypeReference, ReferenceTo: []string{"Account"}},
}

// trickyAccounts are values of every custom field above, plain and not.
func trickyAccounts(parent string) []map[string]any {
	texts := []any{"plain", "", "café 日本", "quote \" back \\ slash", "line\nbreak\ttab", "<b>&amp;</b>", "\u2028", nil}
	var out []map[string]any
	for i, s := range texts {
		out = append(out, map[string]any{
			"Name": fmt.Sprintf("Tricky %d", i), "T_String__c": s, "T_Text__c": s, "T_Combo__c": s,
			"T_Email__c": []any{"a@example.com", nil}[i%2], "T_Phone__c": []any{"+1 (555) 010-0000", nil}[i%2],
			"T_Url__c":    []any{"https://example.com/a?b=c&d=<e>", nil}[i%2],
			"T_Pick__c":   []any{"A", "B <&>", nil}[i%3],
			"T_Multi__c":  []any{"A;B", "C é", "A", nil}[i%4],
			"T_Bool__c":   i%2 == 0,
			"T_Int__c":    []any{0, -7, 123456789012, nil}[i%4],
			"T_Double__c": []any{1.5, -0.000001, 1e21, 12345678.123456, nil}[i%5],
			"T_Cur__c":    []any{125000.5, 0.01, -99.99, 1e15, nil}[i%5],
			"T_Cur4__c":   []any{1.2345, 0.0001, 12, nil}[i%4],
			"T_Pct__c":    []any{12.5, 100, 0, nil}[i%4],
			"T_Date__c":   []any{"2024-02-29", "1999-12-31", "2026-01-01", nil}[i%4],
			"T_DT__c":     []any{"2024-02-29T23:59:59.000+0000", "1969-12-31T23:59:59.999+0000", "2026-01-01T00:00:00.000Z", nil}[i%4],
			"T_Ref__c":    []any{parent, nil}[i%2],
		})
	}
	return out
}

// TestRawPathCellsAsMapPath reads every object of a seeded org, with
// custom fields of every type the emulator serves holding plain and
// awkward values and deleted rows among them, through the REST producer
// twice: pages decoded into maps (Pager.Next, extract.Batcher: the path
// before raw pages) and pages read raw (NextRaw, rawbatch, as Extract
// reads them). Every cell, the deletion times and the cursor agree.
func TestRawPathCellsAsMapPath(t *testing.T) {
	o := startOrg(t, 600)
	for _, f := range everyType {
		if err := o.AddField("Account", f); err != nil {
			t.Fatal(err)
		}
	}
	e := newExtractor(t, o.options())
	ctx := context.Background()
	c := e.Client()
	parent := o.Records("Account")[0]["Id"].(string)
	res, err := c.Create(ctx, "Account", trickyAccounts(parent), true)
	if err != nil {
		t.Fatal(err)
	}
	// Deleted rows (queryAll reads them) of two objects.
	if _, err := c.Delete(ctx, "Account", []string{res[1].ID, res[2].ID}, true); err != nil {
		t.Fatal(err)
	}
	var leads []string
	for _, l := range o.Records("Lead")[:3] {
		leads = append(leads, l["Id"].(string))
	}
	if _, err := c.Delete(ctx, "Lead", leads, true); err != nil {
		t.Fatal(err)
	}
	old := queryBatch
	queryBatch = 200 // several pages: the two page buffers take turns
	t.Cleanup(func() { queryBatch = old })
	smallBatches(t, 150)

	types := map[string]bool{}
	total := 0
	for _, name := range o.Objects() {
		if len(o.Records(name)) == 0 {
			continue
		}
		d, err := c.Describe(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		cols := Columns(d)
		for _, f := range d.Fields {
			types[f.Type] = true
		}
		modified := modifiedField(d)
		sp := spec{object: d.Name, cols: cols, modified: modified, deletedAt: deletedField(d, modified)}
		soql := buildSOQL(d.Name, cols, modified, time.Time{}, true)

		mp := newTestProducer(e, sp, false)
		pager := c.NewPager(soql, true, queryBatch)
		for !pager.Done() {
			recs, err := pager.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range recs {
				if err := mp.add(ctx, rec); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := drainProducer(t, mp)
		mp.release()

		rp := newTestProducer(e, sp, true)
		pager = c.NewPager(soql, true, queryBatch)
		first, err := e.firstPage(ctx, sp, pager)
		if err != nil {
			t.Fatal(err)
		}
		if err := rp.rest(ctx, pager, first); err != nil {
			t.Fatal(err)
		}
		got := drainProducer(t, rp)
		rp.release()
		total += sameCells(t, name, want, got)
		if mp.cursor() != rp.cursor() {
			t.Errorf("%s: cursor %s through maps, %s raw", name, mp.cursor(), rp.cursor())
		}
		release(want)
		release(got)
	}
	for _, typ := range []string{sftest.TypeID, sftest.TypeReference, sftest.TypeString, sftest.TypeTextArea, sftest.TypeEmail,
		sftest.TypePhone, sftest.TypeURL, sftest.TypePicklist, sftest.TypeMultiPicklist, sftest.TypeCombobox, sftest.TypeBoolean,
		sftest.TypeInt, sftest.TypeDouble, sftest.TypeCurrency, sftest.TypePercent, sftest.TypeDate, sftest.TypeDateTime} {
		if !types[typ] {
			t.Errorf("no field of type %s was read", typ)
		}
	}
	if total < 600 {
		t.Errorf("only %d rows compared", total)
	}
}

// fuzzColumns has a column of every kind a Salesforce describe type
// lands as (schema.go), and Id, SystemModstamp, IsDeleted and
// LastModifiedDate, which the producer reads itself.
var fuzzColumns = func() []extract.Column {
	var cols []extract.Column
	for _, f := range []salesforce.Field{{Name: "Id", Type: "id"}, {Name: "SystemModstamp", Type: "datetime"},
		{Name: "IsDeleted", Type: "boolean"}, {Name: "LastModifiedDate", Type: "datetime"}, {Name: "S", Type: "string"},
		{Name: "R", Type: "reference"}, {Name: "P", Type: "picklist"}, {Name: "M", Type: "multipicklist"},
		{Name: "B", Type: "boolean"}, {Name: "I", Type: "int"}, {Name: "D", Type: "double"}, {Name: "Pc", Type: "percent"},
		{Name: "C", Type: "currency", Scale: 2}, {Name: "C4", Type: "currency", Scale: 4}, {Name: "Dt", Type: "date"},
		{Name: "DT", Type: "datetime"}, {Name: "Tm", Type: "time"}} {
		c, _ := Column(f)
		cols = append(cols, c)
	}
	return cols
}()

var fuzzValues = map[string][]string{
	"Id":               {`"001A"`, `null`, `5`, `{"attributes":{"x":1},"a":"b"}`},
	"SystemModstamp":   {`"2026-01-02T03:04:05.000+0000"`, `"2026-01-02T03:04:05.999+0000"`, `"bad"`, `null`, `7`},
	"IsDeleted":        {`true`, `false`, `"true"`, `null`},
	"LastModifiedDate": {`"2025-12-31T23:59:59.000+0000"`, `"x"`, `null`},
	"S":                {`"plain"`, `"\u003cb\u003e"`, `"a\nb"`, `1.50`, `true`, `{"attributes":{},"Name":"x"}`, `[1]`},
	"M":                {`"A;B"`, `""`, `"\u00e9;x"`, `["a"]`, `5`},
	"I":                {`5`, `-7`, `1.0`, `1e3`, `"12"`, `9223372036854775808`},
	"D":                {`1.5`, `1e21`, `"x"`, `-0`},
	"C":                {`125000.5`, `0.005`, `1e15`, `"3.14"`},
	"C4":               {`1.2345`, `0.00001`},
	"Dt":               {`"2024-02-29"`, `"2024-02-30"`, `"2024-01-01T00:00:00.000+0000"`},
	"DT":               {`"2024-02-29T23:59:59.000+0000"`, `"1969-12-31T23:59:59.999+0000"`, `"2026-01-01T00:00:00Z"`, `"2026-01-01"`},
	"Tm":               {`"10:30:00.000Z"`},
	"B":                {`true`, `"false"`, `0`},
}

// fuzzBody is a query page of one record per value above, then records
// with a value of every field, a null element and an empty record.
func fuzzBody() []byte {
	var recs []string
	n := 0
	keys := []string{"Id", "SystemModstamp", "IsDeleted", "LastModifiedDate", "S", "M", "I", "D", "C", "C4", "Dt", "DT", "Tm", "B"}
	for _, k := range keys {
		for _, v := range fuzzValues[k] {
			n++
			recs = append(recs, fmt.Sprintf(`{"attributes":{"type":"X"},"Id":"r%d",%q:%s}`, n, k, v))
		}
	}
	for i := range 4 {
		var kv []string
		for _, k := range keys[1:] {
			vs := fuzzValues[k]
			kv = append(kv, fmt.Sprintf("%q:%s", k, vs[i%len(vs)]))
		}
		recs = append(recs, fmt.Sprintf(`{"Id":"all%d",%s}`, i, strings.Join(kv, ",")))
	}
	recs = append(recs, `null`, `{}`)
	return []byte(`{"totalSize":99,"done":true,"records":[` + strings.Join(recs, ",\n") + `]}`)
}

// FuzzRawPathAsMapPath holds the producer's raw path (ReadQueryPage,
// addRaw) to its map path (the records Next decodes, add) on any page:
// the same errors and the same cells, deletion times and cursor.
func FuzzRawPathAsMapPath(f *testing.F) {
	f.Add(fuzzBody())
	for k, vs := range fuzzValues {
		for _, v := range vs {
			f.Add([]byte(fmt.Sprintf(`{"records":[{"Id":"1",%q:%s}]}`, k, v)))
		}
	}
	sp := spec{object: "X", cols: fuzzColumns, modified: "SystemModstamp", deletedAt: "SystemModstamp"}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := salesforce.ReadQueryPage(body, pageFields(sp))
		if err != nil {
			return // FuzzQueryPage holds the page errors to encoding/json's
		}
		ctx := context.Background()
		mp, rp := newTestProducer(nil, sp, false), newTestProducer(nil, sp, true)
		defer mp.release()
		defer rp.release()
		rp.index(pg)
		for i := range pg.Len() {
			rec, err := pg.Record(i) // as Next decodes it (FuzzQueryPage)
			if err != nil {
				t.Fatal(err)
			}
			merr, rerr := mp.add(ctx, rec), rp.addRaw(ctx, pg, i)
			if fmt.Sprint(merr) != fmt.Sprint(rerr) {
				t.Fatalf("record %d: map path error %v, raw path error %v", i+1, merr, rerr)
			}
		}
		want, got := drainProducer(t, mp), drainProducer(t, rp)
		defer release(want)
		defer release(got)
		sameCells(t, "page", want, got)
		if mp.cursor() != rp.cursor() {
			t.Fatalf("cursor %s through maps, %s raw", mp.cursor(), rp.cursor())
		}
	})
}
