package zohocampaigns

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
)

// batchRows is how many rows a batch holds before it is handed on.
const batchRows = 10_000

// stream is an extract.Stream fed by a producer goroutine, one batch ahead.
type stream struct {
	schema *arrow.Schema
	ch     chan arrow.RecordBatch
	cancel context.CancelFunc
	refs   atomic.Int64
	cur    arrow.RecordBatch
	once   sync.Once

	// Set by the producer before it closes ch.
	err    error
	cursor string
}

// produce reads the API and emits batches; it returns the new cursor.
type produce func(ctx context.Context, emit func(arrow.RecordBatch) error) (string, error)

func newStream(ctx context.Context, schema *arrow.Schema, run produce) *stream {
	ctx, cancel := context.WithCancel(ctx)
	s := &stream{schema: schema, ch: make(chan arrow.RecordBatch, 1), cancel: cancel}
	s.refs.Store(1)
	go func() {
		defer close(s.ch)
		emit := func(b arrow.RecordBatch) error {
			select {
			case s.ch <- b:
				return nil
			case <-ctx.Done():
				b.Release()
				return ctx.Err()
			}
		}
		cur, err := run(ctx, emit)
		if err == nil {
			err = ctx.Err()
		}
		s.cursor, s.err = cur, err
	}()
	return s
}

// Schema is the schema of every batch.
func (s *stream) Schema() *arrow.Schema { return s.schema }

// Next moves to the next batch; false at the end or on an error (Err).
func (s *stream) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	b, ok := <-s.ch
	if !ok {
		return false
	}
	s.cur = b
	return true
}

// RecordBatch is the current batch, valid until the next Next.
func (s *stream) RecordBatch() arrow.RecordBatch { return s.cur }

// Record is RecordBatch.
//
// Deprecated: use RecordBatch.
func (s *stream) Record() arrow.RecordBatch { return s.cur }

// Err is the error that ended the stream, nil after a clean end.
func (s *stream) Err() error { return s.err }

// Cursor is the new high-water mark after a clean end.
func (s *stream) Cursor() string { return s.cursor }

// Retain adds a reference.
func (s *stream) Retain() { s.refs.Add(1) }

// Release drops a reference; the last stops the producer and frees the batch.
func (s *stream) Release() {
	if s.refs.Add(-1) > 0 {
		return
	}
	s.once.Do(func() {
		s.cancel()
		if s.cur != nil {
			s.cur.Release()
			s.cur = nil
		}
		for b := range s.ch {
			b.Release()
		}
	})
}

var _ extract.Stream = (*stream)(nil)
