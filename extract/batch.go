package extract

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Kind is the warehouse type of a field, decided from the API's metadata.
type Kind int

// Kinds of fields, and the Arrow type each lands as.
const (
	KindString     Kind = iota // utf8
	KindBool                   // bool
	KindInt                    // int64
	KindFloat                  // float64
	KindDecimal                // decimal128(18, Scale): currency
	KindDate                   // date32
	KindDateTime               // timestamp[us, UTC]
	KindStringList             // list<utf8>: multi-select picklists
	KindLookup                 // struct<name: utf8, id: utf8>: Zoho lookups and owners
	KindJSON                   // arrow.json: anything nested
)

var kindNames = [...]string{"string", "bool", "int", "float", "decimal", "date", "datetime", "string list", "lookup", "json"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Column is one field of an object as it lands.
type Column struct {
	// Name is the column's name in the warehouse.
	Name string
	// Field is the record's key the values come from; "" means Name. It
	// differs from Name where the API's field names differ only by case
	// and the warehouse, which ignores case, needs distinct names.
	Field string
	Kind  Kind
	Scale int32 // KindDecimal: digits after the point (default 2)
}

// Key is the record's key the column's values come from.
func (c Column) Key() string {
	if c.Field != "" {
		return c.Field
	}
	return c.Name
}

// LookupType is the Arrow type of KindLookup columns.
var LookupType = arrow.StructOf(
	arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
)

// DateTimeType is the Arrow type of KindDateTime columns.
var DateTimeType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

var jsonType = func() arrow.DataType {
	t, err := extensions.NewJSONType(arrow.BinaryTypes.String)
	if err != nil {
		panic(err)
	}
	return t
}()

func (c Column) arrowType() arrow.DataType {
	switch c.Kind {
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	case KindInt:
		return arrow.PrimitiveTypes.Int64
	case KindFloat:
		return arrow.PrimitiveTypes.Float64
	case KindDecimal:
		return &arrow.Decimal128Type{Precision: 18, Scale: c.scale()}
	case KindDate:
		return arrow.FixedWidthTypes.Date32
	case KindDateTime:
		return DateTimeType
	case KindStringList:
		return arrow.ListOf(arrow.BinaryTypes.String)
	case KindLookup:
		return LookupType
	case KindJSON:
		return jsonType
	}
	return arrow.BinaryTypes.String
}

func (c Column) scale() int32 {
	if c.Scale <= 0 {
		return 2
	}
	return min(c.Scale, 17)
}

// Batcher turns decoded API records (map[string]any from encoding/json,
// numbers as float64 or json.Number) into Arrow record batches whose
// schema is the object's columns plus DeletedAt.
type Batcher struct {
	cols   []Column
	schema *arrow.Schema
	b      *array.RecordBuilder
	n      int
	vals   []value // one row's converted values, reused
}

// NewBatcher returns a Batcher for cols, in that order. Column names must
// differ case-insensitively (warehouses ignore case) and must not be
// DeletedAt: a duplicate keeps the first, so sources give every field a
// distinct name first (see extract/zoho's rule for names that differ only
// by case).
func NewBatcher(cols []Column) *Batcher {
	seen := map[string]bool{}
	var kept []Column
	var fields []arrow.Field
	for _, c := range cols {
		low := strings.ToLower(c.Name)
		if seen[low] || low == DeletedAt {
			continue
		}
		seen[low] = true
		kept = append(kept, c)
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.arrowType(), Nullable: true})
	}
	fields = append(fields, arrow.Field{Name: DeletedAt, Type: DateTimeType, Nullable: true})
	s := arrow.NewSchema(fields, nil)
	return &Batcher{cols: kept, schema: s, b: array.NewRecordBuilder(memory.DefaultAllocator, s)}
}

// Schema is the schema of the batches.
func (b *Batcher) Schema() *arrow.Schema { return b.schema }

// Columns are the columns in schema order, without DeletedAt.
func (b *Batcher) Columns() []Column { return b.cols }

// Len is the number of rows appended since the last Flush.
func (b *Batcher) Len() int { return b.n }

// Append adds one record; deletedAt is the deletion time of a deleted
// record (nil for a live one). A value that does not fit its column is an
// error naming the field; the row is then not added.
func (b *Batcher) Append(rec map[string]any, deletedAt *time.Time) error {
	if cap(b.vals) < len(b.cols) {
		b.vals = make([]value, len(b.cols))
	}
	vals := b.vals[:len(b.cols)]
	// Convert every value first, so that a row is added whole or not at all.
	for i, c := range b.cols {
		if err := vals[i].set(c, rec[c.Key()]); err != nil {
			return fmt.Errorf("field %s: %w", c.Key(), err)
		}
	}
	for i := range b.cols {
		vals[i].append(b.b.Field(i))
	}
	db := b.b.Field(len(b.cols)).(*array.TimestampBuilder)
	if deletedAt == nil {
		db.AppendNull()
	} else {
		db.Append(arrow.Timestamp(deletedAt.UnixMicro()))
	}
	b.n++
	return nil
}

// Flush returns the rows appended so far as a batch (nil when there are
// none) and starts a new one. The caller releases the batch.
func (b *Batcher) Flush() arrow.RecordBatch {
	if b.n == 0 {
		return nil
	}
	b.n = 0
	return b.b.NewRecordBatch()
}

// Release frees the builder.
func (b *Batcher) Release() { b.b.Release() }

// value is one converted field value, held until the whole row converted.
type value struct {
	kind     Kind
	null     bool
	s        string
	i        int64
	f        float64
	b        bool
	d        decimal128.Num
	t        time.Time
	list     []string
	name, id any
}

func (v *value) set(c Column, x any) error {
	*v = value{kind: c.Kind, null: x == nil}
	if x == nil {
		return nil
	}
	var err error
	switch c.Kind {
	case KindBool:
		v.b, err = toBool(x)
	case KindInt:
		v.i, err = toInt(x)
	case KindFloat:
		v.f, err = toFloat(x)
	case KindDecimal:
		v.d, err = toDecimal(x, c.scale())
	case KindDate:
		v.t, err = ParseDate(x)
	case KindDateTime:
		v.t, err = ParseDateTime(x)
	case KindStringList:
		v.list, err = toList(x)
	case KindLookup:
		switch x.(type) {
		case map[string]any, string:
			v.name, v.id = lookupParts(x)
		default:
			err = fmt.Errorf("want a lookup object, got %s", describe(x))
		}
	case KindJSON:
		data, merr := json.Marshal(x)
		if merr != nil {
			return fmt.Errorf("not JSON: %w", merr)
		}
		v.s = string(data)
	default:
		v.s = toText(x)
	}
	return err
}

func (v *value) append(fb array.Builder) {
	if v.null {
		fb.AppendNull()
		return
	}
	switch v.kind {
	case KindBool:
		fb.(*array.BooleanBuilder).Append(v.b)
	case KindInt:
		fb.(*array.Int64Builder).Append(v.i)
	case KindFloat:
		fb.(*array.Float64Builder).Append(v.f)
	case KindDecimal:
		fb.(*array.Decimal128Builder).Append(v.d)
	case KindDate:
		fb.(*array.Date32Builder).Append(arrow.Date32FromTime(v.t))
	case KindDateTime:
		fb.(*array.TimestampBuilder).Append(arrow.Timestamp(v.t.UnixMicro()))
	case KindStringList:
		lb := fb.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for _, x := range v.list {
			vb.Append(x)
		}
	case KindLookup:
		sb := fb.(*array.StructBuilder)
		sb.Append(true)
		appendOptString(sb.FieldBuilder(0).(*array.StringBuilder), v.name)
		appendOptString(sb.FieldBuilder(1).(*array.StringBuilder), v.id)
	case KindJSON:
		fb.(*array.ExtensionBuilder).StorageBuilder().(*array.StringBuilder).Append(v.s)
	default:
		fb.(*array.StringBuilder).Append(v.s)
	}
}

func appendOptString(b *array.StringBuilder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	b.Append(toText(v))
}

func lookupParts(v any) (name, id any) {
	switch x := v.(type) {
	case map[string]any:
		name = x["name"]
		if name == nil {
			name = x["full_name"] // Zoho owners
		}
		return name, x["id"]
	case string:
		return nil, x
	}
	return nil, nil
}

func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return strconv.Quote(x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		b, err := strconv.ParseBool(x)
		if err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("want true or false, got %s", describe(v))
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case json.Number:
		return x.Float64()
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("want a number, got %s", describe(v))
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := toFloat(v)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("want a whole number, got %s", describe(v))
	}
	return int64(f), nil
}

func toDecimal(v any, scale int32) (decimal128.Num, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return decimal128.Num{}, fmt.Errorf("want a number, got %s", describe(v))
	}
	n, err := decimal128.FromString(s, 18, scale)
	if err != nil {
		return decimal128.Num{}, fmt.Errorf("want a number that fits decimal(18,%d), got %s", scale, describe(v))
	}
	return n, nil
}

func toList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return []string{}, nil
		}
		return strings.Split(x, ";"), nil // Salesforce multi-select picklists
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = toText(e)
		}
		return out, nil
	case []string:
		return x, nil
	}
	return nil, fmt.Errorf("want a list, got %s", describe(v))
}

// ParseDate reads a date value ("2024-01-15", or a datetime whose date part is taken).
func ParseDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("want a date, got %s", describe(v))
	}
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("want a date (YYYY-MM-DD), got %s", describe(v))
}

var dateTimeLayouts = []string{
	time.RFC3339Nano,               // Zoho CRM (+05:30), Zoho Desk (Z), ISO 8601
	"2006-01-02T15:04:05.000-0700", // Salesforce
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05",
}

// ParseDateTime reads a datetime as the CRMs write them, with an offset
// (+0000, +05:30 or Z), and returns it in UTC.
func ParseDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("want a datetime, got %s", describe(v))
	}
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("want a datetime with an offset, got %s", describe(v))
}
