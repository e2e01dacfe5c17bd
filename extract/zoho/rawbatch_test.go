package zoho

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// rawTestColumns has a column of every kind, a decimal of scale 3 and a
// column named apart from its field.
var rawTestColumns = []extract.Column{
	{Name: "id", Kind: extract.KindString},
	{Name: "S", Kind: extract.KindString},
	{Name: "B", Kind: extract.KindBool},
	{Name: "I", Kind: extract.KindInt},
	{Name: "F", Kind: extract.KindFloat},
	{Name: "D", Kind: extract.KindDecimal, Scale: 2},
	{Name: "D3", Kind: extract.KindDecimal, Scale: 3},
	{Name: "Dt", Kind: extract.KindDate},
	{Name: "DT", Kind: extract.KindDateTime},
	{Name: "DT2", Kind: extract.KindDateTime},
	{Name: "L", Kind: extract.KindStringList},
	{Name: "K", Kind: extract.KindLookup},
	{Name: "J", Kind: extract.KindJSON},
	{Name: "s__2", Field: "s", Kind: extract.KindString},
}

// rawTestValues are raw JSON values per field: the ones the fast path
// takes and the ones it leaves to extract.Batcher, good and bad.
var rawTestValues = map[string][]string{
	"S": {`"plain"`, `""`, `"café"`, `"esc \"q\" \\ \n"`, `"\u003cb\u003e\u0026"`, `42`, `-1.5e3`, `0.10`, `true`, `false`,
		`null`, `{"b":[1,2],"a":"<"}`, `[1,"x"]`, "\"\xff\xfe\"", `"日本"`},
	"B": {`true`, `false`, `"true"`, `"no"`, `1`, `null`, `{}`},
	"I": {`5`, `-7`, `0`, `1.0`, `1.5`, `1e3`, `"12"`, `" 13 "`, `9223372036854775807`, `9223372036854775808`, `1e20`,
		`9007199254740993.0`, `null`, `"x"`, `[]`},
	"F": {`1.5`, `-0`, `1e308`, `1e309`, `"2.5"`, `"x"`, `12345678901234567890`, `null`, `true`},
	"D": {`125000.5`, `0.001`, `0.005`, `1e2`, `"3.14"`, `12345678901234567890`, `-0.5`, `1E-2`, `null`, `false`},
	"DT2": {`"2024-02-29T23:59:59-11:45"`, `"2023-02-29T00:00:00Z"`, `"2026-12-31T24:00:00Z"`, `"2026-01-01T00:00:60Z"`,
		`"2026-01-01T00:00:00-00:00"`, `"2026-01-01T00:00:00+24:00"`, `"0999-01-01T00:00:00Z"`, `"1970-01-01T00:00:00+00:00"`,
		`"2000-03-01T12:30:00+14:00"`, `"2100-02-28T01:02:03+05:30"`, `"2026-1-01T00:00:00Z"`, `"2026-01-01t00:00:00z"`},
	"D3": {`125000.5`, `0.0015`, `-99.999`, `1e-3`, `-0`, `0.10`, `999999999999999.999`, `9999999999999999.999`,
		`123456789012345678`, `1.50`, `-0.000`},
	"Dt": {`"2024-01-15"`, `"2024-01-15T10:00:00+05:30"`, `"bad"`, `5`, `"2024-02-30"`, `null`},
	"DT": {`"2026-11-01T05:29:00+05:30"`, `"2026-11-01T05:29:00Z"`, `"2026-11-01T05:29:00.123+0000"`,
		`"2026-11-01 05:29:00"`, `"x"`, `17`, `"2026-11-01T05:29:00.123456789-08:00"`},
	"L": {`["a","b"]`, `[]`, `["a",null,1]`, `"a;b"`, `""`, `5`, `["é","\u00e9"]`, `[["x"]]`},
	"K": {`{"name":"Ada","id":"1","email":"a@x"}`, `{"full_name":"Ada R","id":"2"}`, `{"name":null,"full_name":"F","id":"3"}`,
		`{"name":"x","name":null,"id":"4"}`, `{"id":5}`, `{"name":"\u00e9"}`, `"plainid"`, `[1]`, `5`, `{}`,
		`{"name":"","id":""}`, `{"name":{"a":1},"id":"6"}`, `{"id":"7","id":"8"}`, `{"n\u0061me":"esc key","id":"9"}`},
	"J": {`{"b":1,"a":"<"}`, `[1,2.50]`, `"s"`, `3`, `true`},
	"s": {`"lower"`, `7`},
}

// rawTestBody is a list answer of one record per value above (the other
// fields absent), then records holding a value of every field, a null
// element and records with keys outside the columns.
func rawTestBody() []byte {
	var recs []string
	n := 0
	for _, f := range []string{"S", "B", "I", "F", "D", "D3", "Dt", "DT", "DT2", "L", "K", "J", "s"} {
		for _, v := range rawTestValues[f] {
			n++
			recs = append(recs, fmt.Sprintf(`{"id":"%d",%q:%s}`, n, f, v))
		}
	}
	for i := range 5 {
		var kv []string
		for _, f := range []string{"S", "B", "I", "F", "D", "D3", "Dt", "DT", "DT2", "L", "K", "J", "s"} {
			vs := rawTestValues[f]
			kv = append(kv, fmt.Sprintf("%q:%s", f, vs[i%len(vs)]))
		}
		recs = append(recs, fmt.Sprintf(`{"id":"all%d",%s,"Other":{"x":[1,2]}}`, i, strings.Join(kv, ",")))
	}
	recs = append(recs, `null`, `{}`, `{"id":null}`, `{"id":12345678901234567890}`)
	return []byte(`{"data":[` + strings.Join(recs, ",\n") + `],"info":{"more_records":false}}`)
}

// convertBoth appends every record of body through extract.Batcher (the
// records decoded as List decodes them) and through rawBatcher (the
// records of ReadRawPage), and fails the test where the two differ: an
// error or not, its message, and every cell of the batches.
func convertBoth(t *testing.T, body []byte, cols []extract.Column) (rows int) {
	t.Helper()
	var keys []string
	for _, c := range cols {
		keys = append(keys, c.Key())
	}
	page, err := zoho.ReadRawPage(body, keys)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var ans struct {
		Data []map[string]any `json:"data"`
	}
	derr := dec.Decode(&ans)
	if (err == nil) != (derr == nil) {
		t.Fatalf("raw page error %v, encoding/json error %v", err, derr)
	}
	if err != nil {
		return 0
	}
	old := extract.NewBatcher(cols)
	defer old.Release()
	raw := newRawBatcher(cols)
	defer raw.Release()
	if page.Len() != len(ans.Data) {
		t.Fatalf("%d raw records, %d decoded", page.Len(), len(ans.Data))
	}
	for i, rec := range ans.Data {
		oerr := old.Append(rec, nil)
		rerr := raw.Append(page, i)
		if fmt.Sprint(oerr) != fmt.Sprint(rerr) {
			t.Errorf("record %d: map path error %v, raw path error %v", i+1, oerr, rerr)
		}
	}
	want, got := old.Flush(), raw.Flush()
	if want == nil || got == nil {
		if want != got {
			t.Fatalf("map path batch %v, raw path batch %v", want, got)
		}
		return 0
	}
	defer want.Release()
	defer got.Release()
	if !want.Schema().Equal(got.Schema()) {
		t.Fatalf("schemas differ:\n%s\n%s", want.Schema(), got.Schema())
	}
	if want.NumRows() != got.NumRows() {
		t.Fatalf("%d rows through maps, %d raw", want.NumRows(), got.NumRows())
	}
	for c := range int(want.NumCols()) {
		w, g := want.Column(c), got.Column(c)
		for r := range w.Len() {
			if !array.SliceEqual(w, int64(r), int64(r+1), g, int64(r), int64(r+1)) {
				t.Errorf("row %d (id %s) column %s: map path %s, raw path %s", r+1, cell(want.Column(0), r),
					want.Schema().Field(c).Name, cell(w, r), cell(g, r))
			}
		}
	}
	return int(want.NumRows())
}

func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	return a.ValueStr(i)
}

// TestRawBatcherCellsAsBatcher: every value of every kind lands the same
// cell (or the same error) read raw as decoded into a map first.
func TestRawBatcherCellsAsBatcher(t *testing.T) {
	rows := convertBoth(t, rawTestBody(), rawTestColumns)
	if rows < 60 {
		t.Fatalf("only %d rows converted: the test values mostly failed", rows)
	}
}

// FuzzRawBatcher holds the raw conversion to extract.Batcher's on any
// answer: never a panic, the same errors and the same cells.
func FuzzRawBatcher(f *testing.F) {
	f.Add(rawTestBody())
	for f2, vs := range rawTestValues {
		for _, v := range vs {
			f.Add([]byte(fmt.Sprintf(`{"data":[{"id":"1",%q:%s}]}`, f2, v)))
		}
	}
	f.Add([]byte(`{"data":[{"id":"1","K":{"name":"a","id":"b"},"L":["x"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		convertBoth(t, body, rawTestColumns)
	})
}
