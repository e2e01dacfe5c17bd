package rawbatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/revops/revops/crm/rawjson"
	"github.com/revops/revops/extract"
)

// rows is the simplest Rows: a JSON array of records, read whole.
type rows struct {
	fields []string
	vals   [][][]byte // [record][field]
	recs   [][]byte
}

// readRows reads body, an array of objects, keeping the values of fields.
func readRows(body []byte, fields []string) (*rows, error) {
	r := &rows{fields: fields}
	var s rawjson.Scanner
	s.Reset(body)
	if !s.AtEnd() && s.Literal("null") {
		return r, nil
	}
	err := s.Array("want an array", func() error {
		vals := make([][]byte, len(fields))
		s.Peek()
		start := s.Pos()
		if s.Literal("null") {
			r.vals = append(r.vals, vals)
			r.recs = append(r.recs, body[start:s.Pos()])
			return nil
		}
		err := s.Object("want an object", func(key []byte) error {
			v, err := s.Skip()
			for i, f := range fields {
				if f == string(key) {
					vals[i] = v
				}
			}
			return err
		})
		r.vals = append(r.vals, vals)
		r.recs = append(r.recs, body[start:s.Pos()])
		return err
	})
	return r, err
}

func (r *rows) Fields() []string        { return r.fields }
func (r *rows) Value(rec, f int) []byte { return r.vals[rec][f] }
func (r *rows) Record(rec int) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(r.recs[rec]))
	dec.UseNumber()
	var m map[string]any
	return m, dec.Decode(&m)
}

var testColumns = []extract.Column{
	{Name: "id", Kind: extract.KindString},
	{Name: "S", Kind: extract.KindString},
	{Name: "B", Kind: extract.KindBool},
	{Name: "I", Kind: extract.KindInt},
	{Name: "F", Kind: extract.KindFloat},
	{Name: "D", Kind: extract.KindDecimal, Scale: 2},
	{Name: "Dt", Kind: extract.KindDate},
	{Name: "DT", Kind: extract.KindDateTime},
	{Name: "L", Kind: extract.KindStringList},
	{Name: "K", Kind: extract.KindLookup},
	{Name: "J", Kind: extract.KindJSON},
}

var testValues = map[string][]string{
	"S":  {`"plain"`, `"esc \"q\" \\ \n"`, `"\u003cb\u003e\u0026"`, `"\ud800x"`, "\"\xff\"", `42`, `-1.5e3`, `true`, `null`, `{"a":1}`},
	"B":  {`true`, `false`, `"true"`, `1`},
	"I":  {`5`, `1.0`, `1.5`, `"12"`, `9223372036854775808`},
	"F":  {`1.5`, `1e309`, `"2.5"`},
	"D":  {`125000.5`, `0.005`, `1e2`, `-0.5`},
	"Dt": {`"2024-01-15"`, `"2024-02-30"`, `"2024-01-15T10:00:00.000+0000"`},
	"DT": {`"2026-11-01T05:29:00.000+0000"`, `"2026-11-01T05:29:00.123-0800"`, `"2026-11-01T05:29:00+05:30"`,
		`"2026-11-01T05:29:00.5Z"`, `"2026-11-01T05:29:00-0000"`, `"x"`},
	"L": {`"a;b;;c"`, `""`, `";"`, `"one"`, `"\u00e9;x"`, `["a","b"]`, `[1]`, `5`},
	"K": {`{"name":"Ada","id":"1"}`, `"plainid"`, `{"id":5}`},
	"J": {`{"b":1}`, `[1,2.50]`},
}

func testBody() []byte {
	var recs []string
	n := 0
	for _, f := range []string{"S", "B", "I", "F", "D", "Dt", "DT", "L", "K", "J"} {
		for _, v := range testValues[f] {
			n++
			recs = append(recs, fmt.Sprintf(`{"id":"%d",%q:%s}`, n, f, v))
		}
	}
	recs = append(recs, `null`, `{}`, `{"id":null,"S":"x","S":"dup"}`)
	return []byte("[" + strings.Join(recs, ",\n") + "]")
}

// both appends every record of body through extract.Batcher (decoded as
// encoding/json decodes it) and through Batcher, every third one deleted,
// and fails where the two differ: errors, schemas or cells.
func both(t *testing.T, body []byte) int {
	t.Helper()
	var keys []string
	for _, c := range testColumns {
		keys = append(keys, c.Key())
	}
	page, err := readRows(body, keys)
	var maps []map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	derr := dec.Decode(&maps)
	if err != nil || derr != nil {
		if (err == nil) != (derr == nil) {
			t.Fatalf("raw error %v, encoding/json error %v", err, derr)
		}
		return 0
	}
	old := extract.NewBatcher(testColumns)
	defer old.Release()
	raw := New(testColumns)
	defer raw.Release()
	del := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	for i, m := range maps {
		var d *time.Time
		if i%3 == 2 {
			d = &del
		}
		oerr, rerr := old.Append(m, d), raw.Append(page, i, d)
		if fmt.Sprint(oerr) != fmt.Sprint(rerr) {
			t.Errorf("record %d: map path error %v, raw path error %v", i+1, oerr, rerr)
		}
	}
	return sameBatches(t, old.Flush(), raw.Flush())
}

// sameBatches fails where two batches differ and releases them.
func sameBatches(t *testing.T, want, got arrow.RecordBatch) int {
	t.Helper()
	if want == nil || got == nil {
		if want != nil || got != nil {
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
				t.Errorf("row %d column %s: map path %s, raw path %s", r+1, want.Schema().Field(c).Name, w.ValueStr(r), g.ValueStr(r))
			}
		}
	}
	return int(want.NumRows())
}

// TestCellsAsBatcher: every value of every kind lands the same cell (or
// the same error) read raw as decoded into a map first, deletion times
// included.
func TestCellsAsBatcher(t *testing.T) {
	if n := both(t, testBody()); n < 40 {
		t.Fatalf("only %d rows converted", n)
	}
}

// FuzzCellsAsBatcher holds Batcher to extract.Batcher on any records.
func FuzzCellsAsBatcher(f *testing.F) {
	f.Add(testBody())
	for k, vs := range testValues {
		for _, v := range vs {
			f.Add([]byte(fmt.Sprintf(`[{"id":"1",%q:%s}]`, k, v)))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) { both(t, body) })
}

// checkFast fails when fastDateTime or fastDecimal takes s and gives
// other than extract.ParseDateTime or decimal128.FromString.
func checkFast(t *testing.T, s string) {
	t.Helper()
	if us, ok := fastDateTime([]byte(s)); ok {
		want, err := extract.ParseDateTime(s)
		if err != nil || want.UnixMicro() != us {
			t.Errorf("%q: fastDateTime %d, ParseDateTime %d (%v)", s, us, want.UnixMicro(), err)
		}
	}
	for _, scale := range []int32{0, 2, 3, 17} {
		if d, ok := fastDecimal([]byte(s), scale); ok {
			want, err := decimal128.FromString(s, 18, scale)
			if err != nil || want != d {
				t.Errorf("%q scale %d: fastDecimal %v, FromString %v (%v)", s, scale, d, want, err)
			}
		}
	}
}

// TestFastParsersAsLibrary sweeps dates, times, fractions and offsets
// (Zoho's and Salesforce's forms), and decimals, through the fast paths
// and the library readers.
func TestFastParsersAsLibrary(t *testing.T) {
	taken := 0
	for _, y := range []int{1000, 1582, 1899, 1900, 1969, 1970, 2000, 2024, 2026, 2100, 2400, 9999} {
		for m := 0; m <= 13; m++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				for _, tail := range []string{"T00:00:00Z", "T23:59:59+05:30", "T12:00:00-08:00", "T24:00:00Z", "T00:60:00Z",
					"T00:00:00+23:59", "T00:00:00-00:00", "T00:00:00+00:00", "T01:02:03.5Z", "T10:30:00.000+0000",
					"T23:59:59.999+0000", "T00:00:00.001-0800", "T00:00:00.123456789+0530", "T00:00:00.1234567891Z",
					"T00:00:00+0000", "T00:00:00-0000", "T00:00:00.+0000", "T00:00:00.000+000", "T00:00:00.000+2400",
					"T00:00:00.000z", "T00:00:00.000 +0000", "T00:00:00.0001-12:00"} {
					s := fmt.Sprintf("%04d-%02d-%02d%s", y, m, d, tail)
					checkFast(t, s)
					if _, ok := fastDateTime([]byte(s)); ok {
						taken++
					}
				}
			}
		}
	}
	for _, s := range []string{"0", "-0", "1", "125000.5", "0.10", "-99.99", "999999999999999999", "99999999999999999.9",
		"0.00000000000000001", "12.345", "1e2", "-", "", ".5", "5.", "007"} {
		checkFast(t, s)
	}
	if taken < 2000 {
		t.Fatalf("the fast path took only %d datetimes", taken)
	}
}

// FuzzFastParsers holds fastDateTime and fastDecimal to the library readers.
func FuzzFastParsers(f *testing.F) {
	for _, s := range []string{"2026-11-01T05:29:00+05:30", "2024-02-29T23:59:59Z", "125000.5", "-0.01", "2026-11-01T05:29:00-00:00",
		"2026-11-01T05:29:00.000+0000", "1969-12-31T23:59:59.999-0100"} {
		f.Add(s)
	}
	f.Fuzz(checkFast)
}
