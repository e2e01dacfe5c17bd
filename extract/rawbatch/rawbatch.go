// Package rawbatch appends records whose values are raw JSON (slices of
// an API answer, as crm/zoho's list pages and crm/salesforce's query
// pages keep them) to Arrow builders, with the schema and the cells
// extract.Batcher gives the same records decoded into maps, without the
// maps.
//
// The common values (plain strings, numbers, booleans, dates, datetimes
// as Zoho and Salesforce write them, lookup objects, lists of plain
// strings and ;-separated multi-select picklists, nulls) are converted
// here; a record holding any other value (a number in a text field that
// the map path would format differently, an object, JSON columns, …) goes
// through extract.Batcher itself, one row, and is copied over: both paths
// give the same cells and the same errors by construction.
package rawbatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/crm/rawjson"
	"github.com/revops/revops/extract"
)

// Rows is a page of records whose values are raw JSON.
type Rows interface {
	// Fields are the keys Value returns values of, by index. A reader
	// returns the same slice for every record of a page (Batcher maps
	// its columns to them once per slice).
	Fields() []string
	// Value is the raw JSON value of field f of record rec, nil when the
	// record does not have the key.
	Value(rec, f int) []byte
	// Record decodes record rec as the map path would have it (numbers
	// as json.Number), for the values Batcher leaves to extract.Batcher.
	Record(rec int) (map[string]any, error)
}

// Batcher appends records of Rows to Arrow builders. It is not safe for
// concurrent use.
type Batcher struct {
	cols   []extract.Column
	schema *arrow.Schema
	b      *array.RecordBuilder
	n      int
	vals   []rawValue
	scales []int32 // decimal columns' scale
	// fidx is each column's field index in the pages (-1: never there).
	fidx   []int
	fields []string // the page fields fidx was computed for
	// slow converts the records the fast path does not take.
	slow *extract.Batcher
	// The builders of each column, typed once.
	strB  []*array.StringBuilder
	listB []*array.ListBuilder
	lookB []*array.StructBuilder
	delB  *array.TimestampBuilder
}

// New returns a Batcher for cols: its schema is extract.NewBatcher's.
func New(cols []extract.Column) *Batcher {
	slow := extract.NewBatcher(cols)
	r := &Batcher{cols: slow.Columns(), schema: slow.Schema(), slow: slow}
	r.b = array.NewRecordBuilder(memory.DefaultAllocator, r.schema)
	r.vals = make([]rawValue, len(r.cols))
	r.scales = make([]int32, len(r.cols))
	r.strB = make([]*array.StringBuilder, len(r.cols))
	r.listB = make([]*array.ListBuilder, len(r.cols))
	r.lookB = make([]*array.StructBuilder, len(r.cols))
	for i, c := range r.cols {
		switch c.Kind {
		case extract.KindDecimal:
			r.scales[i] = r.schema.Field(i).Type.(*arrow.Decimal128Type).Scale
		case extract.KindStringList:
			r.listB[i] = r.b.Field(i).(*array.ListBuilder)
		case extract.KindLookup:
			r.lookB[i] = r.b.Field(i).(*array.StructBuilder)
		case extract.KindString:
			r.strB[i] = r.b.Field(i).(*array.StringBuilder)
		}
	}
	r.delB = r.b.Field(len(r.cols)).(*array.TimestampBuilder)
	return r
}

// Schema is the schema of the batches.
func (r *Batcher) Schema() *arrow.Schema { return r.schema }

// Len is the number of rows appended since the last Flush.
func (r *Batcher) Len() int { return r.n }

// Flush returns the rows appended so far (nil when none) and starts a new
// batch. The caller releases it.
func (r *Batcher) Flush() arrow.RecordBatch {
	if r.n == 0 {
		return nil
	}
	r.n = 0
	return r.b.NewRecordBatch()
}

// Release frees the builders.
func (r *Batcher) Release() {
	r.b.Release()
	r.slow.Release()
}

// index maps the columns to the page's fields.
func (r *Batcher) index(p Rows) {
	fields := p.Fields()
	if r.fidx != nil && len(fields) == len(r.fields) && (len(fields) == 0 || &fields[0] == &r.fields[0]) {
		return
	}
	at := make(map[string]int, len(fields))
	for i, f := range fields {
		if _, dup := at[f]; !dup {
			at[f] = i
		}
	}
	r.fidx = make([]int, len(r.cols))
	for i, c := range r.cols {
		j, ok := at[c.Key()]
		if !ok {
			j = -1
		}
		r.fidx[i] = j
	}
	r.fields = fields
}

// Append adds record rec of p, whole or not at all; deletedAt is the
// deletion time of a deleted record (nil for a live one). An error names
// the field as extract.Batcher's does.
func (r *Batcher) Append(p Rows, rec int, deletedAt *time.Time) error {
	r.index(p)
	for i, c := range r.cols {
		var raw []byte
		if j := r.fidx[i]; j >= 0 {
			raw = p.Value(rec, j)
		}
		if !r.vals[i].set(c.Kind, raw, r.scales[i]) {
			return r.appendSlow(p, rec, deletedAt)
		}
	}
	for i := range r.cols {
		r.appendValue(i)
	}
	r.appendDeleted(deletedAt)
	r.n++
	return nil
}

func (r *Batcher) appendDeleted(deletedAt *time.Time) {
	if deletedAt == nil {
		r.delB.AppendNull()
		return
	}
	r.delB.Append(arrow.Timestamp(deletedAt.UnixMicro()))
}

// appendSlow converts record rec through extract.Batcher and copies the row.
func (r *Batcher) appendSlow(p Rows, rec int, deletedAt *time.Time) error {
	m, err := p.Record(rec)
	if err != nil {
		return err
	}
	if err := r.slow.Append(m, nil); err != nil {
		return err
	}
	row := r.slow.Flush()
	defer row.Release()
	for i := range r.cols {
		copyCell(r.b.Field(i), row.Column(i), 0)
	}
	r.appendDeleted(deletedAt)
	r.n++
	return nil
}

// rawValue is one value converted by the fast path, held until the whole
// row converted.
type rawValue struct {
	null     bool
	s        []byte
	i        int64
	f        float64
	b        bool
	d        decimal128.Num
	list     [][]byte
	name, id []byte // lookup parts; nil is null
}

// set converts raw (nil: the key is absent) for a column of kind k as
// extract.Batcher converts the value encoding/json decodes from it
// (numbers as json.Number); false when the fast path does not take it.
func (v *rawValue) set(k extract.Kind, raw []byte, scale int32) bool {
	v.null = len(raw) == 0 || raw[0] == 'n' // absent or null
	if v.null {
		return true
	}
	c := raw[0]
	switch k {
	case extract.KindString:
		switch {
		case c == '"':
			if s, ok := rawjson.String(raw); ok {
				v.s = s
				return true
			}
			// Escapes (the emulator writes <, > and & as \u003c…): the
			// text encoding/json gives.
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return false
			}
			v.s = []byte(s)
			return true
		case c == '-' || c >= '0' && c <= '9':
			v.s = raw // json.Number's text
			return true
		case c == 't' || c == 'f':
			v.s = raw // "true" / "false"
			return true
		}
	case extract.KindBool:
		if c == 't' || c == 'f' {
			v.b = c == 't'
			return true
		}
	case extract.KindInt:
		if c == '-' || c >= '0' && c <= '9' {
			n, err := strconv.ParseInt(string(raw), 10, 64)
			v.i = n
			return err == nil
		}
	case extract.KindFloat:
		if c == '-' || c >= '0' && c <= '9' {
			f, err := strconv.ParseFloat(string(raw), 64)
			v.f = f
			return err == nil
		}
	case extract.KindDecimal:
		if c == '-' || c >= '0' && c <= '9' {
			if d, ok := fastDecimal(raw, scale); ok {
				v.d = d
				return true
			}
			d, err := decimal128.FromString(string(raw), 18, scale)
			v.d = d
			return err == nil
		}
	case extract.KindDate:
		if s, ok := rawjson.String(raw); ok {
			t, err := extract.ParseDate(string(s))
			v.i = int64(arrow.Date32FromTime(t))
			return err == nil
		}
	case extract.KindDateTime:
		if s, ok := rawjson.String(raw); ok {
			if us, ok := fastDateTime(s); ok {
				v.i = us
				return true
			}
			t, err := extract.ParseDateTime(string(s))
			v.i = t.UnixMicro()
			return err == nil
		}
	case extract.KindStringList:
		v.list = v.list[:0]
		if c == '"' {
			// Salesforce multi-select picklists: "a;b" (extract's toList).
			s, ok := rawjson.String(raw)
			if !ok {
				return false
			}
			if len(s) > 0 {
				for {
					i := bytes.IndexByte(s, ';')
					if i < 0 {
						break
					}
					v.list = append(v.list, s[:i])
					s = s[i+1:]
				}
				v.list = append(v.list, s)
			}
			return true
		}
		ok := rawjson.Elements(raw, func(e []byte) {
			s, plain := rawjson.String(e)
			if !plain {
				v.list, raw = nil, nil // a non-string element: the slow path formats it
				return
			}
			if raw != nil {
				v.list = append(v.list, s)
			}
		})
		return ok && raw != nil
	case extract.KindLookup:
		if c == '"' {
			s, ok := rawjson.String(raw)
			v.name, v.id = nil, s
			return ok
		}
		var name, full, id []byte
		ok := rawjson.Members(raw, func(key, val []byte) {
			var dst *[]byte
			switch string(key) {
			case "name":
				dst = &name
			case "full_name":
				dst = &full
			case "id":
				dst = &id
			default:
				return
			}
			if val[0] == 'n' {
				*dst = nil
				return
			}
			s, plain := rawjson.String(val)
			if !plain {
				raw = nil // a number or object: the slow path formats it
				return
			}
			if s == nil {
				s = []byte{} // "" is a value, not null
			}
			*dst = s
		})
		if !ok || raw == nil {
			return false
		}
		if name == nil {
			name = full // Zoho owners
		}
		v.name, v.id = name, id
		return true
	}
	return false
}

func (r *Batcher) appendValue(i int) {
	v := &r.vals[i]
	fb := r.b.Field(i)
	if v.null {
		fb.AppendNull()
		return
	}
	switch r.cols[i].Kind {
	case extract.KindString:
		r.strB[i].BinaryBuilder.Append(v.s)
	case extract.KindBool:
		fb.(*array.BooleanBuilder).Append(v.b)
	case extract.KindInt:
		fb.(*array.Int64Builder).Append(v.i)
	case extract.KindFloat:
		fb.(*array.Float64Builder).Append(v.f)
	case extract.KindDecimal:
		fb.(*array.Decimal128Builder).Append(v.d)
	case extract.KindDate:
		fb.(*array.Date32Builder).Append(arrow.Date32(v.i))
	case extract.KindDateTime:
		fb.(*array.TimestampBuilder).Append(arrow.Timestamp(v.i))
	case extract.KindStringList:
		lb := r.listB[i]
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for _, s := range v.list {
			vb.BinaryBuilder.Append(s)
		}
	case extract.KindLookup:
		sb := r.lookB[i]
		sb.Append(true)
		appendOpt(sb.FieldBuilder(0).(*array.StringBuilder), v.name)
		appendOpt(sb.FieldBuilder(1).(*array.StringBuilder), v.id)
	default:
		panic(fmt.Sprintf("rawbatch: kind %s has no fast path", r.cols[i].Kind))
	}
}

func appendOpt(b *array.StringBuilder, s []byte) {
	if s == nil {
		b.AppendNull()
		return
	}
	b.BinaryBuilder.Append(s)
}

// copyCell appends value i of src to dst, which has src's type.
func copyCell(dst array.Builder, src arrow.Array, i int) {
	if src.IsNull(i) {
		dst.AppendNull()
		return
	}
	switch a := src.(type) {
	case *array.String:
		dst.(*array.StringBuilder).Append(a.Value(i))
	case *array.Boolean:
		dst.(*array.BooleanBuilder).Append(a.Value(i))
	case *array.Int64:
		dst.(*array.Int64Builder).Append(a.Value(i))
	case *array.Float64:
		dst.(*array.Float64Builder).Append(a.Value(i))
	case *array.Decimal128:
		dst.(*array.Decimal128Builder).Append(a.Value(i))
	case *array.Date32:
		dst.(*array.Date32Builder).Append(a.Value(i))
	case *array.Timestamp:
		dst.(*array.TimestampBuilder).Append(a.Value(i))
	case *array.List:
		lb := dst.(*array.ListBuilder)
		lb.Append(true)
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		for k := int(start); k < int(end); k++ {
			copyCell(lb.ValueBuilder(), vals, k)
		}
	case *array.Struct:
		sb := dst.(*array.StructBuilder)
		sb.Append(true)
		for f := range a.NumField() {
			copyCell(sb.FieldBuilder(f), a.Field(f), i)
		}
	case array.ExtensionArray:
		copyCell(dst.(*array.ExtensionBuilder).StorageBuilder(), a.Storage(), i)
	default:
		panic(fmt.Sprintf("rawbatch: cannot copy a %s value", src.DataType()))
	}
}

// fastDecimal reads a plain decimal number (no exponent, at most scale
// digits after the point, at most 18 digits in all once scaled) as the
// unscaled integer decimal128.FromString gives for it; false for
// anything else, which FromString then reads.
func fastDecimal(raw []byte, scale int32) (decimal128.Num, bool) {
	i, neg := 0, false
	if len(raw) > 0 && raw[0] == '-' {
		i, neg = 1, true
	}
	var v int64
	digits, frac := 0, int32(0)
	start := i
	for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
		v = v*10 + int64(raw[i]-'0')
		digits++
	}
	if i == start {
		return decimal128.Num{}, false
	}
	if i < len(raw) && raw[i] == '.' {
		i++
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			v = v*10 + int64(raw[i]-'0')
			digits++
			frac++
		}
	}
	if i != len(raw) || frac > scale || digits+int(scale-frac) > 18 {
		return decimal128.Num{}, false
	}
	for ; frac < scale; frac++ {
		v *= 10
	}
	if neg {
		v = -v
	}
	return decimal128.FromI64(v), true
}

// fastDateTime reads the datetimes the CRMs write, as microseconds since
// the epoch, the instant extract.ParseDateTime gives: Zoho CRM's
// 2006-01-02T15:04:05+05:30 (or …Z) and Salesforce's
// 2006-01-02T15:04:05.000+0000, that is a date and time, an optional
// fraction of 1 to 9 digits, and Z, ±hh:mm or ±hhmm. It returns false for
// anything else (other layouts, a -00:00 offset, years before 1000,
// values out of range), which ParseDateTime then reads.
func fastDateTime(s []byte) (int64, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := num(s[0:4]), num(s[5:7]), num(s[8:10])
	h, mi, sec := num(s[11:13]), num(s[14:16]), num(s[17:19])
	if y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return 0, false
	}
	rest := s[19:]
	var micros int64
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && n <= 10 && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		digits := n - 1
		if digits < 1 || digits > 9 {
			return 0, false
		}
		nanos := int64(num(rest[1:n]))
		for range 9 - digits {
			nanos *= 10
		}
		micros = nanos / 1000
		rest = rest[n:]
	}
	off := 0
	switch {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':',
		len(rest) == 5 && (rest[0] == '+' || rest[0] == '-'):
		mm := rest[3:5]
		if len(rest) == 6 {
			mm = rest[4:6]
		}
		oh, om := num(rest[1:3]), num(mm)
		if oh < 0 || oh > 23 || om < 0 || om > 59 {
			return 0, false
		}
		off = (oh*60 + om) * 60
		if rest[0] == '-' {
			if off == 0 {
				return 0, false
			}
			off = -off
		}
	default:
		return 0, false
	}
	secs := daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+sec-off)
	return secs*1_000_000 + micros, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d
// (proleptic Gregorian, y ≥ 0).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}
