package load

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Value returns row i of arr as a Go value: nil, string, bool, int64,
// float64, time.Time (dates at UTC midnight), []any for lists,
// map[string]any for structs; decimals become their exact string
// ("1234.50"). Other types fall back to arrow's string rendering.
func Value(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	// Strings are cloned: arrow's Value aliases the batch's buffers, which
	// the engine may free once the batch is released.
	case *array.String:
		return strings.Clone(a.Value(i))
	case *array.LargeString:
		return strings.Clone(a.Value(i))
	case *array.StringView:
		return strings.Clone(a.Value(i))
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Uint64:
		return int64(a.Value(i))
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		return decimalString(a.Value(i), dt.Scale)
	case *array.Date32:
		return a.Value(i).ToTime().UTC()
	case *array.Timestamp:
		dt := a.DataType().(*arrow.TimestampType)
		return a.Value(i).ToTime(dt.Unit).UTC()
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			out = append(out, Value(vals, int(j)))
		}
		return out
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		out := make(map[string]any, st.NumFields())
		for f := 0; f < st.NumFields(); f++ {
			out[st.Field(f).Name] = Value(a.Field(f), i)
		}
		return out
	case array.ExtensionArray:
		return Value(a.Storage(), i)
	}
	return strings.Clone(arr.ValueStr(i))
}

func decimalString(v decimal128.Num, scale int32) string {
	return v.ToString(scale)
}

// ReadAll drains r into rows of Go values (see Value) and releases it.
// It is meant for small results: state tables, tests, CLI listings.
func ReadAll(r array.RecordReader) (cols []string, rows [][]any, err error) {
	defer r.Release()
	for _, f := range r.Schema().Fields() {
		cols = append(cols, f.Name)
	}
	for r.Next() {
		rec := r.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = Value(rec.Column(c), i)
			}
			rows = append(rows, row)
		}
	}
	if err := r.Err(); err != nil {
		return cols, rows, fmt.Errorf("read result: %w", err)
	}
	return cols, rows, nil
}

// asTime converts a state-table timestamp value.
func asTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t
	}
	return time.Time{}
}

func asString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}
