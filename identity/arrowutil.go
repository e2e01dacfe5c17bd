package identity

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// strCol reads a column as strings whatever its Arrow type ("" and
// false for NULL or a column the batch does not have).
type strCol func(i int) (string, bool)

func column(rec arrow.RecordBatch, name string) strCol {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		// Column names are case-insensitive in the warehouses.
		for i, f := range rec.Schema().Fields() {
			if strings.EqualFold(f.Name, name) {
				idx = []int{i}
				break
			}
		}
	}
	if len(idx) == 0 {
		return func(int) (string, bool) { return "", false }
	}
	arr := rec.Column(idx[0])
	switch a := arr.(type) {
	case *array.String:
		return func(i int) (string, bool) {
			if a.IsNull(i) {
				return "", false
			}
			return a.Value(i), true
		}
	case *array.LargeString:
		return func(i int) (string, bool) {
			if a.IsNull(i) {
				return "", false
			}
			return a.Value(i), true
		}
	case *array.StringView:
		return func(i int) (string, bool) {
			if a.IsNull(i) {
				return "", false
			}
			return a.Value(i), true
		}
	}
	return func(i int) (string, bool) {
		if arr.IsNull(i) {
			return "", false
		}
		return arr.ValueStr(i), true
	}
}

// intCol reads an integer column (any width) as int64.
func intCol(rec arrow.RecordBatch, name string) (func(i int) int64, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("column %s is missing", name)
	}
	switch a := rec.Column(idx[0]).(type) {
	case *array.Int64:
		return func(i int) int64 { return a.Value(i) }, nil
	case *array.Int32:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Int16:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Int8:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Uint64:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Uint32:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Float64:
		return func(i int) int64 { return int64(a.Value(i)) }, nil
	case *array.Decimal128:
		return func(i int) int64 { return int64(a.Value(i).LowBits()) }, nil
	}
	return nil, fmt.Errorf("column %s is %s, not an integer", name, rec.Column(idx[0]).DataType())
}

// floatCol reads a numeric column as float64.
func floatCol(rec arrow.RecordBatch, name string) (func(i int) float64, error) {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("column %s is missing", name)
	}
	switch a := rec.Column(idx[0]).(type) {
	case *array.Float64:
		return func(i int) float64 { return a.Value(i) }, nil
	case *array.Float32:
		return func(i int) float64 { return float64(a.Value(i)) }, nil
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		return func(i int) float64 { return a.Value(i).ToFloat64(dt.Scale) }, nil
	}
	get, err := intCol(rec, name)
	if err != nil {
		return nil, err
	}
	return func(i int) float64 { return float64(get(i)) }, nil
}

// batchFunc turns one input batch into one output batch.
type batchFunc func(rec arrow.RecordBatch) (arrow.RecordBatch, error)

// parallelReader applies fn to every batch of in on up to GOMAXPROCS
// goroutines and yields the results (in any order).
type parallelReader struct {
	schema *arrow.Schema
	out    chan arrow.RecordBatch
	cur    arrow.RecordBatch
	mu     sync.Mutex
	err    error
	cancel context.CancelFunc
	done   chan struct{}
	refs   int64
}

func newParallelReader(ctx context.Context, in array.RecordReader, schema *arrow.Schema, fn batchFunc) *parallelReader {
	ctx, cancel := context.WithCancel(ctx)
	r := &parallelReader{schema: schema, out: make(chan arrow.RecordBatch, 2), cancel: cancel, done: make(chan struct{}), refs: 1}
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan arrow.RecordBatch, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rec := range jobs {
				o, err := fn(rec)
				rec.Release()
				if err != nil {
					r.fail(err)
					cancel()
					continue
				}
				select {
				case r.out <- o:
				case <-ctx.Done():
					o.Release()
				}
			}
		}()
	}
	go func() {
		defer func() {
			close(jobs)
			wg.Wait()
			close(r.out)
			close(r.done)
		}()
		for in.Next() {
			rec := in.RecordBatch()
			rec.Retain()
			select {
			case jobs <- rec:
			case <-ctx.Done():
				rec.Release()
				return
			}
		}
		if err := in.Err(); err != nil {
			r.fail(err)
		}
	}()
	return r
}

func (r *parallelReader) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

func (r *parallelReader) Schema() *arrow.Schema { return r.schema }

func (r *parallelReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for rec := range r.out {
		if r.Err() != nil {
			rec.Release()
			continue
		}
		r.cur = rec
		return true
	}
	return false
}

func (r *parallelReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch under its older name.
func (r *parallelReader) Record() arrow.RecordBatch { return r.cur }

func (r *parallelReader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *parallelReader) Retain() { r.refs++ }

func (r *parallelReader) Release() {
	r.refs--
	if r.refs > 0 {
		return
	}
	r.cancel()
	for rec := range r.out {
		rec.Release()
	}
	<-r.done
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

// stringsBuilder appends optional strings.
func appendStr(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
	} else {
		b.Append(s)
	}
}

var alloc = memory.DefaultAllocator
