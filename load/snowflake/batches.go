package snowflake

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	sf "github.com/snowflakedb/gosnowflake"
)

// batchReader streams a result's Arrow batches as the driver downloads
// them (the first with the reply, the others chunk by chunk), each column
// brought to revops's Arrow type (see rowsReader): the driver hands
// integers of any width, decimals as unscaled integers or decimal128 and
// timestamps without a zone.
type batchReader struct {
	ctx     context.Context
	batches []*sf.ArrowBatch
	schema  *arrow.Schema
	kinds   []string
	scales  []int64
	close   func() error
	pending []arrow.RecordBatch
	cur     arrow.RecordBatch
	err     error
	refs    atomic.Int64
}

func newBatchReader(ctx context.Context, rows driver.Rows, batches []*sf.ArrowBatch, cols []column, closeFn func() error) *batchReader {
	schema, kinds := resultSchema(cols)
	r := &batchReader{ctx: ctx, batches: batches, schema: schema, kinds: kinds, close: closeFn}
	for _, c := range cols {
		r.scales = append(r.scales, c.s)
	}
	r.refs.Store(1)
	return r
}

func (r *batchReader) Retain() { r.refs.Add(1) }

func (r *batchReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for _, p := range r.pending {
		p.Release()
	}
	r.pending = nil
	_ = r.close()
}

func (r *batchReader) Schema() *arrow.Schema          { return r.schema }
func (r *batchReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch (the arrow-go v17 name).
func (r *batchReader) Record() arrow.RecordBatch { return r.cur }
func (r *batchReader) Err() error                { return r.err }

func (r *batchReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for len(r.pending) == 0 {
		if r.err != nil || len(r.batches) == 0 {
			return false
		}
		b := r.batches[0]
		r.batches = r.batches[1:]
		recs, err := b.WithContext(r.ctx).Fetch()
		if err != nil {
			r.err = fmt.Errorf("fetch result batch: %w", err)
			return false
		}
		for _, rec := range *recs {
			out, err := r.normalize(rec)
			rec.Release()
			if err != nil {
				r.err = err
				return false
			}
			if out.NumRows() == 0 {
				out.Release()
				continue
			}
			r.pending = append(r.pending, out)
		}
	}
	r.cur = r.pending[0]
	r.pending = r.pending[1:]
	return true
}

func (r *batchReader) normalize(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	if int(rec.NumCols()) != r.schema.NumFields() {
		return nil, fmt.Errorf("result batch has %d columns, the result %d", rec.NumCols(), r.schema.NumFields())
	}
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		c, err := r.column(rec.Column(i), i)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", r.schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(r.schema, cols, rec.NumRows()), nil
}

// column converts one column to the schema's type; the result is the caller's.
func (r *batchReader) column(col arrow.Array, i int) (arrow.Array, error) {
	want := r.schema.Field(i).Type
	if arrow.TypeEqual(col.DataType(), want) {
		col.Retain()
		return col, nil
	}
	switch want := want.(type) {
	case *arrow.TimestampType:
		if ts, ok := col.DataType().(*arrow.TimestampType); ok && ts.Unit == want.Unit {
			// The same instants, labelled UTC.
			d := array.NewData(want, col.Len(), col.Data().Buffers(), nil, col.NullN(), col.Data().Offset())
			defer d.Release()
			return array.MakeFromData(d), nil
		}
	case *arrow.Decimal128Type:
		if isInteger(col.DataType()) {
			// Unscaled integers (what the service sends for small decimals).
			b := array.NewDecimal128Builder(memory.DefaultAllocator, want)
			defer b.Release()
			for j := 0; j < col.Len(); j++ {
				if col.IsNull(j) {
					b.AppendNull()
					continue
				}
				n, ok := new(big.Int).SetString(col.ValueStr(j), 10)
				if !ok {
					return nil, fmt.Errorf("integer %q", col.ValueStr(j))
				}
				b.Append(decimal128.FromBigInt(n))
			}
			return b.NewArray(), nil
		}
	}
	return compute.CastArray(r.ctx, col, compute.SafeCastOptions(want))
}

func isInteger(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

// queryArrow runs q asking the driver for Arrow batches. A reply the
// service sent as JSON (statements other than queries) is read row by
// row instead, without running q again.
func (w *Warehouse) queryArrow(ctx context.Context, q string, args []any) (array.RecordReader, error) {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	bctx := sf.WithArrowBatches(sf.WithHigherPrecision(sf.WithArrowBatchesTimestampOption(ctx, sf.UseMicrosecondTimestamp)))
	var rows driver.Rows
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("the driver connection cannot query")
		}
		var err error
		rows, err = qc.QueryContext(bctx, q, named)
		return err
	})
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	closeAll := func() error {
		err := rows.Close()
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		return err
	}
	names := rows.Columns()
	cols := make([]column, len(names))
	for i, n := range names {
		cols[i].name = n
		if tn, ok := rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
			cols[i].typ = tn.ColumnTypeDatabaseTypeName(i)
		}
		if ps, ok := rows.(driver.RowsColumnTypePrecisionScale); ok {
			cols[i].p, cols[i].s, _ = ps.ColumnTypePrecisionScale(i)
		}
	}
	sr, ok := rows.(sf.SnowflakeRows)
	if !ok {
		_ = closeAll()
		return nil, errors.New("the driver's rows offer no Arrow batches")
	}
	batches, berr := sr.GetArrowBatches()
	if berr == nil {
		return newBatchReader(ctx, rows, batches, cols, closeAll), nil
	}
	var se *sf.SnowflakeError
	if !errors.As(berr, &se) || se.Number != sf.ErrNonArrowResponseInArrowBatches {
		_ = closeAll()
		return nil, berr
	}
	// A JSON reply: its rows, as the driver converts them.
	schema, kinds := resultSchema(cols)
	dest := make([]driver.Value, len(cols))
	next := func(out []any) (bool, error) {
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				return false, nil
			}
			return false, err
		}
		for i, v := range dest {
			out[i] = v
		}
		return true, nil
	}
	rr := &rowsReader{next: next, close: closeAll, schema: schema, kinds: kinds}
	rr.refs.Store(1)
	return rr, nil
}
