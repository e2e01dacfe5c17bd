// Package loadtest is the conformance suite every revops warehouse runs
// from its own tests (the way rclone's fstests or golang-migrate's
// database/testing work), plus helpers to build Arrow batches.
package loadtest

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Lookup is the Arrow type of a CRM lookup value such as Zoho's
// {"name": "Acme", "id": "4150868000000224005"}.
var Lookup = arrow.StructOf(
	arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
)

// TimestampTZ is the Arrow type revops uses for datetimes: microseconds, UTC.
var TimestampTZ = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// JSON is the Arrow JSON extension type (arrow.json) for free-form nested values.
var JSON = mustJSON()

func mustJSON() *extensions.JSONType {
	t, err := extensions.NewJSONType(arrow.BinaryTypes.String)
	if err != nil {
		panic(err)
	}
	return t
}

// Record builds one record batch from Go values, row by row. Values per
// type: string; bool; int64 (or int); float64; decimals as string
// ("1234.50"); dates and timestamps as time.Time; lists as []string;
// lookups as map[string]any; JSON as a string; nil for NULL.
func Record(schema *arrow.Schema, rows [][]any) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for r, row := range rows {
		if len(row) != schema.NumFields() {
			return nil, fmt.Errorf("row %d has %d values, schema has %d columns", r, len(row), schema.NumFields())
		}
		for c, v := range row {
			if err := appendValue(b.Field(c), v); err != nil {
				return nil, fmt.Errorf("row %d column %s: %w", r, schema.Field(c).Name, err)
			}
		}
	}
	return b.NewRecordBatch(), nil
}

// Reader builds a RecordReader over batches of rows, one batch per element.
func Reader(schema *arrow.Schema, batches ...[][]any) (array.RecordReader, error) {
	recs := make([]arrow.RecordBatch, 0, len(batches))
	for _, rows := range batches {
		rec, err := Record(schema, rows)
		if err != nil {
			return nil, err
		}
		defer rec.Release()
		recs = append(recs, rec)
	}
	return array.NewRecordReader(schema, recs)
}

// MustReader is Reader for fixed test data; it panics on a bad row.
func MustReader(schema *arrow.Schema, batches ...[][]any) array.RecordReader {
	r, err := Reader(schema, batches...)
	if err != nil {
		panic(err)
	}
	return r
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want string, got %T", v)
		}
		b.Append(s)
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want bool, got %T", v)
		}
		b.Append(x)
	case *array.Int32Builder:
		n, err := toInt(v)
		if err != nil {
			return err
		}
		b.Append(int32(n))
	case *array.Int64Builder:
		n, err := toInt(v)
		if err != nil {
			return err
		}
		b.Append(n)
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
		case int:
			b.Append(float64(x))
		default:
			return fmt.Errorf("want float64, got %T", v)
		}
	case *array.Decimal128Builder:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want decimal as string, got %T", v)
		}
		dt := b.Type().(*arrow.Decimal128Type)
		n, err := decimal128.FromString(s, dt.Precision, dt.Scale)
		if err != nil {
			return fmt.Errorf("decimal %q: %w", s, err)
		}
		b.Append(n)
	case *array.Date32Builder:
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("want time.Time, got %T", v)
		}
		b.Append(arrow.Date32FromTime(t))
	case *array.TimestampBuilder:
		t, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("want time.Time, got %T", v)
		}
		unit := b.Type().(*arrow.TimestampType).Unit
		ts, err := arrow.TimestampFromTime(t, unit)
		if err != nil {
			return err
		}
		b.Append(ts)
	case *array.ListBuilder:
		xs, ok := v.([]string)
		if !ok {
			return fmt.Errorf("want []string, got %T", v)
		}
		b.Append(true)
		vb := b.ValueBuilder()
		for _, x := range xs {
			if err := appendValue(vb, x); err != nil {
				return err
			}
		}
	case *array.StructBuilder:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("want map[string]any, got %T", v)
		}
		b.Append(true)
		st := b.Type().(*arrow.StructType)
		for i := 0; i < st.NumFields(); i++ {
			if err := appendValue(b.FieldBuilder(i), m[st.Field(i).Name]); err != nil {
				return fmt.Errorf("field %s: %w", st.Field(i).Name, err)
			}
		}
	case *array.ExtensionBuilder:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want JSON text, got %T", v)
		}
		return b.AppendValueFromString(s)
	default:
		return fmt.Errorf("builder %T not supported by loadtest", b)
	}
	return nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	}
	return 0, fmt.Errorf("want an integer, got %T", v)
}
