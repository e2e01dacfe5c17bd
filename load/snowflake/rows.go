package snowflake

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// batchRows is the most rows one Arrow batch of a query result holds.
const batchRows = 8192

// rowsReader turns rows the driver decoded from a JSON reply into Arrow
// record batches. Types follow the result's Snowflake column types (the
// Arrow batches of an Arrow reply are brought to the same, see
// batchReader):
//
//	FIXED scale 0 → int64; FIXED scale > 0 → decimal128(p,s); REAL → float64;
//	TEXT, VARIANT, OBJECT, ARRAY, TIME → string (JSON text for the
//	semi-structured ones); BOOLEAN → bool; DATE → date32;
//	TIMESTAMP_* → timestamp[us, UTC]; BINARY → binary.
type rowsReader struct {
	// next fills dest with the next row; false at the end.
	next   func(dest []any) (bool, error)
	close  func() error
	schema *arrow.Schema
	kinds  []string
	cur    arrow.RecordBatch
	err    error
	refs   atomic.Int64
	done   bool
}

// column is a result column as the driver describes it.
type column struct {
	name, typ string // typ: the Snowflake type name, e.g. FIXED
	p, s      int64
}

// resultSchema maps result columns to revops's Arrow types; kinds are
// how appendCell and normalize treat each column.
func resultSchema(cols []column) (*arrow.Schema, []string) {
	fields := make([]arrow.Field, len(cols))
	kinds := make([]string, len(cols))
	for i, ct := range cols {
		k := strings.ToUpper(ct.typ)
		var dt arrow.DataType
		switch k {
		case "FIXED":
			p, s := ct.p, ct.s
			if s == 0 {
				dt = arrow.PrimitiveTypes.Int64
			} else {
				if p < 1 || p > 38 {
					p = 38
				}
				dt = &arrow.Decimal128Type{Precision: int32(p), Scale: int32(s)}
				k = "DECIMAL"
			}
		case "REAL", "FLOAT", "DOUBLE":
			dt = arrow.PrimitiveTypes.Float64
		case "BOOLEAN":
			dt = arrow.FixedWidthTypes.Boolean
		case "DATE":
			dt = arrow.FixedWidthTypes.Date32
		case "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
			dt = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
		case "BINARY":
			dt = arrow.BinaryTypes.Binary
		default:
			dt = arrow.BinaryTypes.String
			k = "TEXT"
		}
		fields[i] = arrow.Field{Name: resultName(ct.name), Type: dt, Nullable: true}
		kinds[i] = k
	}
	return arrow.NewSchema(fields, nil), kinds
}

// resultName is the name revops reads a result column by. Snowflake
// stores unquoted identifiers upper-case, and revops stores its names so
// (see storedName), so `SELECT rn`, an unquoted alias or a landed column
// Id come back as RN or ID; revops writes its names lower-case, so a name
// with no lower-case letter is read back lower-case. Mixed-case names (a
// quoted alias "Id") are kept as they are.
func resultName(name string) string { return revopsName(name) }

func (r *rowsReader) Retain() { r.refs.Add(1) }

func (r *rowsReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		_ = r.close()
	}
}

func (r *rowsReader) Schema() *arrow.Schema { return r.schema }

func (r *rowsReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch (the arrow-go v17 name).
func (r *rowsReader) Record() arrow.RecordBatch { return r.cur }

func (r *rowsReader) Err() error { return r.err }

func (r *rowsReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done || r.err != nil {
		return false
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, r.schema)
	defer b.Release()
	vals := make([]any, len(r.kinds))
	n := 0
	for n < batchRows {
		ok, err := r.next(vals)
		if err != nil {
			r.err = fmt.Errorf("read rows: %w", err)
			return false
		}
		if !ok {
			r.done = true
			break
		}
		for i, v := range vals {
			if err := appendCell(b.Field(i), r.kinds[i], v); err != nil {
				r.err = fmt.Errorf("column %s: %w", r.schema.Field(i).Name, err)
				return false
			}
		}
		n++
	}
	if n == 0 {
		return false
	}
	r.cur = b.NewRecordBatch()
	return true
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func appendCell(b array.Builder, kind string, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch kind {
	case "FIXED":
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			n = int64(x)
		case *big.Int:
			if !x.IsInt64() {
				return fmt.Errorf("integer %s does not fit in int64", x)
			}
			n = x.Int64()
		case big.Int:
			if !x.IsInt64() {
				return fmt.Errorf("integer %s does not fit in int64", x.String())
			}
			n = x.Int64()
		default:
			bi, ok := new(big.Int).SetString(text(v), 10)
			if !ok || !bi.IsInt64() {
				return fmt.Errorf("integer %q does not fit in int64", text(v))
			}
			n = bi.Int64()
		}
		b.(*array.Int64Builder).Append(n)
	case "DECIMAL":
		db := b.(*array.Decimal128Builder)
		dt := db.Type().(*arrow.Decimal128Type)
		s := text(v)
		switch x := v.(type) {
		case float64:
			s = strconv.FormatFloat(x, 'f', int(dt.Scale), 64)
		case *big.Float:
			s = x.Text('f', int(dt.Scale))
		case big.Float:
			s = x.Text('f', int(dt.Scale))
		}
		d, err := decimal128.FromString(s, dt.Precision, dt.Scale)
		if err != nil {
			return fmt.Errorf("decimal %q: %w", s, err)
		}
		db.Append(d)
	case "REAL", "FLOAT", "DOUBLE":
		switch x := v.(type) {
		case float64:
			b.(*array.Float64Builder).Append(x)
		default:
			f, err := strconv.ParseFloat(text(v), 64)
			if err != nil {
				return err
			}
			b.(*array.Float64Builder).Append(f)
		}
	case "BOOLEAN":
		switch x := v.(type) {
		case bool:
			b.(*array.BooleanBuilder).Append(x)
		default:
			bv, err := strconv.ParseBool(text(v))
			if err != nil {
				return err
			}
			b.(*array.BooleanBuilder).Append(bv)
		}
	case "DATE":
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("date value %T", v)
		}
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("timestamp value %T", v)
		}
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	case "BINARY":
		switch x := v.(type) {
		case []byte:
			b.(*array.BinaryBuilder).Append(x)
		default:
			b.(*array.BinaryBuilder).Append([]byte(text(v)))
		}
	default:
		b.(*array.StringBuilder).Append(text(v))
	}
	return nil
}
