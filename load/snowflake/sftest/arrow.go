package sftest

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Arrow results, as the service sends them to a session whose
// GO_QUERY_RESULT_FORMAT is ARROW: each part (the first rowset, then
// every chunk) is an Arrow IPC stream whose columns follow the rowtype:
//
//	fixed, scale 0       int64 (decimal128(p,0) when a value does not fit)
//	fixed, scale > 0     decimal128(p,s)
//	real                 float64
//	text, variant        utf8
//	boolean              bool
//	date                 date32
//	time                 int64, nanoseconds (scale 9)
//	timestamp_ntz/_ltz   struct{epoch int64, fraction int32} (scale 9)
//	timestamp_tz         struct{epoch int64, fraction int32, timezone int32}
//	binary               binary
//
// The service picks the narrowest integer width per batch; the emulator
// always sends int64 (the driver reads every width).
func arrowStream(rt []rowType, rows [][]*string) ([]byte, error) {
	fields := make([]arrow.Field, len(rt))
	for i, r := range rt {
		fields[i] = arrow.Field{Name: r.Name, Type: arrowTypeOf(r, rows, i), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range rows {
		for i, cell := range row {
			if err := appendArrow(b.Field(i), rt[i], cell); err != nil {
				return nil, fmt.Errorf("column %s: %w", rt[i].Name, err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var (
	ntzStruct = arrow.StructOf(arrow.Field{Name: "epoch", Type: arrow.PrimitiveTypes.Int64}, arrow.Field{Name: "fraction", Type: arrow.PrimitiveTypes.Int32})
	tzStruct  = arrow.StructOf(arrow.Field{Name: "epoch", Type: arrow.PrimitiveTypes.Int64}, arrow.Field{Name: "fraction", Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: "timezone", Type: arrow.PrimitiveTypes.Int32})
)

func arrowTypeOf(r rowType, rows [][]*string, col int) arrow.DataType {
	switch r.Type {
	case "fixed":
		p := r.Precision
		if p < 1 || p > 38 {
			p = 38
		}
		if r.Scale > 0 {
			return &arrow.Decimal128Type{Precision: int32(p), Scale: int32(r.Scale)}
		}
		for _, row := range rows {
			if c := row[col]; c != nil {
				if _, err := strconv.ParseInt(*c, 10, 64); err != nil {
					return &arrow.Decimal128Type{Precision: int32(p), Scale: 0}
				}
			}
		}
		return arrow.PrimitiveTypes.Int64
	case "real":
		return arrow.PrimitiveTypes.Float64
	case "boolean":
		return arrow.FixedWidthTypes.Boolean
	case "date":
		return arrow.FixedWidthTypes.Date32
	case "time":
		return arrow.PrimitiveTypes.Int64
	case "timestamp_ntz", "timestamp_ltz":
		return ntzStruct
	case "timestamp_tz":
		return tzStruct
	case "binary":
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

// epochNanos splits "<seconds>.<fraction>" into seconds and nanoseconds.
func epochNanos(s string) (int64, int32, error) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	frac = (frac + "000000000")[:9]
	f, err := strconv.ParseInt(frac, 10, 32)
	if err != nil {
		return 0, 0, err
	}
	if strings.HasPrefix(sec, "-") && f > 0 {
		// "-1.25" is 1.25 s before the epoch: -2 s + 0.75 s.
		n--
		f = 1e9 - f
	}
	return n, int32(f), nil
}

func appendArrow(b array.Builder, r rowType, cell *string) error {
	if cell == nil {
		b.AppendNull()
		return nil
	}
	v := *cell
	switch b := b.(type) {
	case *array.Int64Builder:
		if r.Type == "time" {
			sec, ns, err := epochNanos(v)
			if err != nil {
				return err
			}
			b.Append(sec*1e9 + int64(ns))
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		b.Append(n)
	case *array.Decimal128Builder:
		dt := b.Type().(*arrow.Decimal128Type)
		if dt.Scale == 0 {
			bi, ok := new(big.Int).SetString(v, 10)
			if !ok {
				return fmt.Errorf("integer %q", v)
			}
			b.Append(decimal128.FromBigInt(bi))
			return nil
		}
		d, err := decimal128.FromString(v, dt.Precision, dt.Scale)
		if err != nil {
			return err
		}
		b.Append(d)
	case *array.Float64Builder:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return err
		}
		b.Append(f)
	case *array.BooleanBuilder:
		b.Append(v == "1" || strings.EqualFold(v, "true"))
	case *array.Date32Builder:
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return err
		}
		b.Append(arrow.Date32(n))
	case *array.StructBuilder:
		ts, tz, _ := strings.Cut(v, " ")
		sec, ns, err := epochNanos(ts)
		if err != nil {
			return err
		}
		b.Append(true)
		b.FieldBuilder(0).(*array.Int64Builder).Append(sec)
		b.FieldBuilder(1).(*array.Int32Builder).Append(ns)
		if b.NumField() == 3 {
			off, err := strconv.ParseInt(tz, 10, 32)
			if err != nil {
				off = 1440
			}
			b.FieldBuilder(2).(*array.Int32Builder).Append(int32(off))
		}
	case *array.BinaryBuilder:
		raw := make([]byte, len(v)/2)
		for i := range raw {
			x, err := strconv.ParseUint(v[2*i:2*i+2], 16, 8)
			if err != nil {
				return err
			}
			raw[i] = byte(x)
		}
		b.Append(raw)
	case *array.StringBuilder:
		b.Append(v)
	default:
		return fmt.Errorf("builder %T", b)
	}
	return nil
}
