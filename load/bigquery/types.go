package bigquery

import (
	"fmt"
	"strings"

	bq "cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// Arrow types map to BigQuery column types by this table; anything else
// is refused before landing with an error naming the column:
//
//	string, large string, string view   STRING
//	bool                                BOOL
//	int8, int16, int32, int64, uint8..32 INT64
//	float32, float64                    FLOAT64
//	decimal128(p, s), s ≤ 9, p-s ≤ 29   NUMERIC
//	date32                              DATE
//	timestamp with a time zone          TIMESTAMP
//	timestamp without                   DATETIME
//	list<T>                             REPEATED T (a NULL list reads back empty:
//	                                    BigQuery arrays are never NULL)
//	struct<...>                         RECORD
//	arrow.json extension                JSON
//	binary                              BYTES

// kind classifies a BigQuery column type for the widening rules.
type kind int

const (
	kOther kind = iota // RECORD, REPEATED, ...: only identical types fit
	kBool
	kInt
	kFloat
	kNumeric
	kDate
	kDatetime
	kTimestamp
	kString
	kJSON
	kBytes
)

// colType is a column type as the engine reasons about it.
type colType struct {
	k   kind
	ddl string // GoogleSQL spelling, e.g. INT64, ARRAY<STRING>, STRUCT<name STRING>
}

func (c colType) String() string { return c.ddl }

func (c colType) numeric() bool { return c.k == kInt || c.k == kFloat || c.k == kNumeric }

func (c colType) scalar() bool { return c.k != kOther && c.k != kJSON && c.k != kBytes }

// field maps an Arrow field to a BigQuery schema field.
func field(f arrow.Field) (*bq.FieldSchema, error) {
	out := &bq.FieldSchema{Name: f.Name}
	dt := f.Type
	if l, ok := dt.(*arrow.ListType); ok {
		out.Repeated = true
		dt = l.Elem()
	} else if l, ok := dt.(*arrow.LargeListType); ok {
		out.Repeated = true
		dt = l.Elem()
	}
	switch t := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		out.Type = bq.StringFieldType
	case *arrow.BooleanType:
		out.Type = bq.BooleanFieldType
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type, *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type:
		out.Type = bq.IntegerFieldType
	case *arrow.Float32Type, *arrow.Float64Type:
		out.Type = bq.FloatFieldType
	case *arrow.Decimal128Type:
		if t.Scale < 0 || t.Scale > 9 || t.Precision-t.Scale > 29 {
			return nil, fmt.Errorf("decimal(%d,%d) does not fit BigQuery's NUMERIC (scale ≤ 9, integer digits ≤ 29)", t.Precision, t.Scale)
		}
		out.Type = bq.NumericFieldType
	case *arrow.Date32Type:
		out.Type = bq.DateFieldType
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			out.Type = bq.TimestampFieldType
		} else {
			out.Type = bq.DateTimeFieldType
		}
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		out.Type = bq.BytesFieldType
	case *arrow.StructType:
		out.Type = bq.RecordFieldType
		for _, sf := range t.Fields() {
			sub, err := field(sf)
			if err != nil {
				return nil, fmt.Errorf("struct field %s: %w", sf.Name, err)
			}
			out.Schema = append(out.Schema, sub)
		}
	case arrow.ExtensionType:
		if t.ExtensionName() != "arrow.json" {
			return nil, fmt.Errorf("arrow extension type %s is not supported", t.ExtensionName())
		}
		out.Type = bq.JSONFieldType
	case *arrow.ListType, *arrow.LargeListType:
		return nil, fmt.Errorf("lists of lists are not supported by BigQuery")
	default:
		return nil, fmt.Errorf("arrow type %s has no BigQuery column type", dt)
	}
	return out, nil
}

// typeOf classifies a BigQuery schema field.
func typeOf(f *bq.FieldSchema) colType {
	var c colType
	switch f.Type {
	case bq.BooleanFieldType:
		c = colType{kBool, "BOOL"}
	case bq.IntegerFieldType:
		c = colType{kInt, "INT64"}
	case bq.FloatFieldType:
		c = colType{kFloat, "FLOAT64"}
	case bq.NumericFieldType:
		c = colType{kNumeric, "NUMERIC"}
	case bq.DateFieldType:
		c = colType{kDate, "DATE"}
	case bq.DateTimeFieldType:
		c = colType{kDatetime, "DATETIME"}
	case bq.TimestampFieldType:
		c = colType{kTimestamp, "TIMESTAMP"}
	case bq.StringFieldType:
		c = colType{kString, "STRING"}
	case bq.JSONFieldType:
		c = colType{kJSON, "JSON"}
	case bq.BytesFieldType:
		c = colType{kBytes, "BYTES"}
	case bq.RecordFieldType:
		parts := make([]string, len(f.Schema))
		for i, sf := range f.Schema {
			parts[i] = quote(sf.Name) + " " + typeOf(sf).ddl
		}
		c = colType{kOther, "STRUCT<" + strings.Join(parts, ", ") + ">"}
	default:
		c = colType{kOther, string(f.Type)}
	}
	if f.Repeated {
		c = colType{kOther, "ARRAY<" + c.ddl + ">"}
	}
	return c
}

// fits reports whether every value of type a can be stored in a column of type b.
func fits(a, b colType) bool {
	if a.ddl == b.ddl {
		return true
	}
	switch b.k {
	case kString:
		return a.scalar()
	case kJSON:
		return a.k == kOther || a.k == kString
	case kFloat:
		return a.k == kInt || a.k == kNumeric
	case kNumeric:
		return a.k == kInt
	case kTimestamp:
		return a.k == kDate || a.k == kDatetime
	}
	return false
}

// reconcile decides how a table column of type table takes batch values
// of type batch (load.Reconcile on BigQuery's types).
func reconcile(table, batch colType) (load.Evolution, colType) {
	return load.Reconcile(table, batch, fits, colType.numeric, colType{kFloat, "FLOAT64"})
}

// quote quotes an identifier with backticks.
func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "\\`") + "`" }

// literal renders a GoogleSQL string literal.
func literal(s string) string { return Macros{}.Literal(s) }
