package bigquery

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/iterator"
)

// params turns Go arguments into positional query parameters. A nil is
// sent as a NULL STRING (BigQuery needs a type for every parameter).
func params(args []any) []bq.QueryParameter {
	out := make([]bq.QueryParameter, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			a = bq.NullString{}
		case int:
			a = int64(v)
		case int32:
			a = int64(v)
		case time.Time:
			a = v.UTC()
		}
		out[i] = bq.QueryParameter{Value: a}
	}
	return out
}

// run runs GoogleSQL (one statement or a script) as a query job and waits
// for it. It returns the job's status.
func (w *Warehouse) run(ctx context.Context, sql string, args ...any) (*bq.Job, *bq.JobStatus, error) {
	q := w.client.Query(sql)
	q.Parameters = params(args)
	q.Location = w.location
	job, err := q.Run(ctx)
	if err != nil {
		return nil, nil, err
	}
	st, err := job.Wait(ctx)
	if err != nil {
		return job, nil, err
	}
	if err := st.Err(); err != nil {
		return job, st, err
	}
	return job, st, nil
}

// Exec runs statements that return no rows, GoogleSQL or revops's
// portable state statements (rendered by Macros.State). Relations are written
// schema.table; with a dataset prefix, the names after FROM, JOIN, INTO,
// UPDATE, TABLE, VIEW, MERGE and USING get it.
func (w *Warehouse) Exec(ctx context.Context, query string, args ...any) error {
	query, err := w.render(ctx, query)
	if err != nil || query == "" {
		return err
	}
	if _, _, err := w.run(ctx, w.qualify(query), args...); err != nil {
		return fmt.Errorf("bigquery: exec: %w", err)
	}
	return nil
}

// Query runs a query and returns its rows as Arrow record batches: a
// result larger than the query response's first page is read through the
// Storage Read API (Arrow batches, storage.go) unless that is off or was
// refused, otherwise through REST pages.
func (w *Warehouse) Query(ctx context.Context, query string, args ...any) (array.RecordReader, error) {
	query, err := w.render(ctx, query)
	if err != nil {
		return nil, err
	}
	q := w.queryClient().Query(w.qualify(query))
	q.Parameters = params(args)
	q.Location = w.location
	it, err := q.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("bigquery: query: %w", err)
	}
	return w.readResult(ctx, it)
}

const batchRows = 65536

// readArrow drains a row iterator into Arrow record batches.
func readArrow(it *bq.RowIterator) (array.RecordReader, error) {
	var rows [][]bq.Value
	for {
		var row []bq.Value
		err := it.Next(&row)
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bigquery: read rows: %w", err)
		}
		rows = append(rows, row)
	}
	schema, err := arrowSchema(it.Schema)
	if err != nil {
		return nil, fmt.Errorf("bigquery: read rows: %w", err)
	}
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for start := 0; start < len(rows) || start == 0; start += batchRows {
		end := min(start+batchRows, len(rows))
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for _, row := range rows[start:end] {
			for c, v := range row {
				if err := appendValue(b.Field(c), it.Schema[c], v); err != nil {
					b.Release()
					return nil, fmt.Errorf("bigquery: read rows: column %s: %w", it.Schema[c].Name, err)
				}
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
		if end >= len(rows) {
			break
		}
	}
	return array.NewRecordReader(schema, recs)
}

func arrowSchema(s bq.Schema) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(s))
	for i, f := range s {
		dt, err := arrowType(f)
		if err != nil {
			return nil, err
		}
		fields[i] = arrow.Field{Name: f.Name, Type: dt, Nullable: !f.Required}
	}
	return arrow.NewSchema(fields, nil), nil
}

func arrowType(f *bq.FieldSchema) (arrow.DataType, error) {
	var dt arrow.DataType
	switch f.Type {
	case bq.StringFieldType, bq.GeographyFieldType, bq.JSONFieldType:
		dt = arrow.BinaryTypes.String
	case bq.BytesFieldType:
		dt = arrow.BinaryTypes.Binary
	case bq.IntegerFieldType:
		dt = arrow.PrimitiveTypes.Int64
	case bq.FloatFieldType:
		dt = arrow.PrimitiveTypes.Float64
	case bq.BooleanFieldType:
		dt = arrow.FixedWidthTypes.Boolean
	case bq.NumericFieldType:
		dt = &arrow.Decimal128Type{Precision: 38, Scale: 9}
	case bq.TimestampFieldType:
		dt = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case bq.DateTimeFieldType:
		dt = &arrow.TimestampType{Unit: arrow.Microsecond}
	case bq.DateFieldType:
		dt = arrow.FixedWidthTypes.Date32
	case bq.TimeFieldType:
		dt = arrow.FixedWidthTypes.Time64us
	case bq.RecordFieldType:
		fs := make([]arrow.Field, len(f.Schema))
		for i, sf := range f.Schema {
			st, err := arrowType(sf)
			if err != nil {
				return nil, err
			}
			fs[i] = arrow.Field{Name: sf.Name, Type: st, Nullable: true}
		}
		dt = arrow.StructOf(fs...)
	default:
		return nil, fmt.Errorf("column %s: BigQuery type %s is not read by revops", f.Name, f.Type)
	}
	if f.Repeated {
		dt = arrow.ListOf(dt)
	}
	return dt, nil
}

func appendValue(b array.Builder, f *bq.FieldSchema, v bq.Value) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	if f.Repeated {
		lb := b.(*array.ListBuilder)
		xs, ok := v.([]bq.Value)
		if !ok {
			return fmt.Errorf("want a list, got %T", v)
		}
		lb.Append(true)
		elem := *f
		elem.Repeated = false
		for _, x := range xs {
			if err := appendValue(lb.ValueBuilder(), &elem, x); err != nil {
				return err
			}
		}
		return nil
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(fmt.Sprint(v))
	case *array.BinaryBuilder:
		x, _ := v.([]byte)
		b.Append(x)
	case *array.Int64Builder:
		x, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want int64, got %T", v)
		}
		b.Append(x)
	case *array.Float64Builder:
		x, ok := v.(float64)
		if !ok {
			return fmt.Errorf("want float64, got %T", v)
		}
		b.Append(x)
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want bool, got %T", v)
		}
		b.Append(x)
	case *array.Decimal128Builder:
		r, ok := v.(*big.Rat)
		if !ok {
			return fmt.Errorf("want a decimal, got %T", v)
		}
		n := new(big.Int).Mul(r.Num(), new(big.Int).Exp(big.NewInt(10), big.NewInt(9), nil))
		n.Quo(n, r.Denom())
		b.Append(decimal128.FromBigInt(n))
	case *array.TimestampBuilder:
		switch x := v.(type) {
		case time.Time:
			b.Append(arrow.Timestamp(x.UnixMicro()))
		case civil.DateTime:
			b.Append(arrow.Timestamp(x.In(time.UTC).UnixMicro()))
		default:
			return fmt.Errorf("want a timestamp, got %T", v)
		}
	case *array.Date32Builder:
		x, ok := v.(civil.Date)
		if !ok {
			return fmt.Errorf("want a date, got %T", v)
		}
		b.Append(arrow.Date32FromTime(x.In(time.UTC)))
	case *array.Time64Builder:
		x, ok := v.(civil.Time)
		if !ok {
			return fmt.Errorf("want a time, got %T", v)
		}
		us := int64(x.Hour)*3600e6 + int64(x.Minute)*60e6 + int64(x.Second)*1e6 + int64(x.Nanosecond)/1000
		b.Append(arrow.Time64(us))
	case *array.StructBuilder:
		xs, ok := v.([]bq.Value)
		if !ok {
			return fmt.Errorf("want a record, got %T", v)
		}
		b.Append(true)
		for i, sf := range f.Schema {
			var x bq.Value
			if i < len(xs) {
				x = xs[i]
			}
			if err := appendValue(b.FieldBuilder(i), sf, x); err != nil {
				return fmt.Errorf("field %s: %w", sf.Name, err)
			}
		}
	default:
		return fmt.Errorf("builder %T", b)
	}
	return nil
}

// relationWords precede a relation name in the SQL revops's stages send.
var relationWords = map[string]bool{"FROM": true, "JOIN": true, "INTO": true, "UPDATE": true, "TABLE": true,
	"VIEW": true, "MERGE": true, "USING": true, "EXISTS": true}

// qualify prefixes the dataset of every schema.table name that follows a
// relation keyword (FROM raw.people → FROM acme_raw.people). Names in
// string literals, comments and backticks are left alone, as are names
// after the keyword that are not two-part (aliases, subqueries).
func (w *Warehouse) qualify(sql string) string {
	if w.prefix == "" {
		return sql
	}
	var b strings.Builder
	prev := ""
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) && sql[j] != c {
				if sql[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(sql))
			b.WriteString(sql[i:end])
			i = end
			prev = ""
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			b.WriteString(sql[i : i+j])
			i += j
		case isWordByte(c):
			j := i
			for j < len(sql) && (isWordByte(sql[j]) || sql[j] == '.') {
				j++
			}
			word := sql[i:j]
			if relationWords[prev] && strings.Count(word, ".") == 1 && !strings.HasSuffix(word, ".") {
				word = w.prefix + word
			}
			b.WriteString(word)
			prev = strings.ToUpper(word)
			i = j
		default:
			if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
				prev = ""
			}
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
