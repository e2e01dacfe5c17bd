package zoho

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/revops/revops/extract"
)

// batchRows is how many rows a batch holds before it is handed on.
var batchRows = 10_000

// aheadBytes is how much the producer may build ahead of the reader, in
// batch bytes (at least one batch is always allowed): enough for the API
// reads to go on while the warehouse works on a landing segment (staging,
// key checks, merge, history), which reads no batches meanwhile.
var aheadBytes int64 = 64 << 20

// maxAhead bounds the batches queued, whatever their size.
const maxAhead = 256

// stream is an extract.Stream fed by a producer goroutine: batches are
// built while the previous ones are being landed, up to aheadBytes ahead. Each
// batch travels with the checkpoint that holds once it has been read.
type stream struct {
	schema *arrow.Schema
	ch     chan batch
	cancel context.CancelFunc
	refs   atomic.Int64

	// queued is the bytes of the batches in ch; space wakes a producer
	// waiting for it to fall.
	mu     sync.Mutex
	queued int64
	space  chan struct{}

	cur arrow.RecordBatch
	// The checkpoint of the batches yielded so far (see Checkpoint).
	ckpt   string
	ckptOK bool
	// stamp, when set (before the stream is handed out), brings that
	// checkpoint up to date when it is asked for: Deals_Stage_History
	// puts every call spent so far in its ledger then.
	stamp func(ckpt string) string
	// Set by the producer before it closes ch.
	err        error
	cursor     string
	incomplete bool

	once sync.Once
}

// batch is a batch and the checkpoint that holds once it has been read.
type batch struct {
	rec    arrow.RecordBatch
	ckpt   string
	ckptOK bool
	size   int64 // bytes, counted in stream.queued
}

// batchBytes is the size of a batch's buffers.
func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += int64(c.Data().SizeInBytes())
	}
	return n
}

// producer reads the API and emits batches; it returns the new cursor,
// and incomplete when it stopped early on purpose at a checkpoint (that
// cursor).
type producer func(ctx context.Context, emit func(batch) error) (cursor string, incomplete bool, err error)

// newStream starts run in a goroutine. Cancelling ctx (or releasing the
// stream) stops it; Err then reports why.
func newStream(ctx context.Context, schema *arrow.Schema, run producer) *stream {
	ctx, cancel := context.WithCancel(ctx)
	s := &stream{schema: schema, ch: make(chan batch, maxAhead), cancel: cancel, space: make(chan struct{}, 1)}
	s.refs.Store(1)
	go func() {
		defer close(s.ch)
		emit := func(b batch) error {
			b.size = batchBytes(b.rec)
			for {
				s.mu.Lock()
				ok := s.queued == 0 || s.queued+b.size <= aheadBytes
				if ok {
					s.queued += b.size
				}
				s.mu.Unlock()
				if ok {
					break
				}
				select {
				case <-s.space:
				case <-ctx.Done():
					b.rec.Release()
					return ctx.Err()
				}
			}
			select {
			case s.ch <- b:
				return nil
			case <-ctx.Done():
				b.rec.Release()
				return ctx.Err()
			}
		}
		cur, incomplete, err := run(ctx, emit)
		if err == nil {
			err = ctx.Err()
		}
		s.cursor, s.incomplete, s.err = cur, incomplete, err
	}()
	return s
}

// Schema is the schema of every batch.
func (s *stream) Schema() *arrow.Schema { return s.schema }

// Next moves to the next batch, waiting for the API; false at the end or
// on an error (see Err).
func (s *stream) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	b, ok := <-s.ch
	if !ok {
		return false
	}
	s.mu.Lock()
	s.queued -= b.size
	s.mu.Unlock()
	select {
	case s.space <- struct{}{}:
	default:
	}
	s.cur = b.rec
	s.ckpt, s.ckptOK = b.ckpt, b.ckptOK
	return true
}

// Checkpoint implements extract.Checkpointer, from the goroutine that
// calls Next. CRM modules: after the deletions, the newest Modified_Time
// passed (records come oldest first), with the deletions watermark and,
// during a full read, full_started so that the next read continues it.
// Deals_Stage_History: the Modified_Time of the last deal whose whole
// history was yielded. Desk never offers one: it reads newest first, so
// only the end of the stream is safe.
func (s *stream) Checkpoint() (string, bool) {
	if s.ckptOK && s.stamp != nil {
		return s.stamp(s.ckpt), true
	}
	return s.ckpt, s.ckptOK
}

// Incomplete implements extract.Incompleter: the read stopped at
// Options.MaxCalls and Cursor is a checkpoint.
func (s *stream) Incomplete() bool { return s.incomplete }

// RecordBatch is the current batch, valid until the next call of Next.
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

// Release drops a reference; the last one stops the producer and frees
// the batches not read.
func (s *stream) Release() {
	if s.refs.Add(-1) > 0 {
		return
	}
	s.once.Do(func() {
		s.cancel()
		for b := range s.ch {
			b.rec.Release()
		}
		if s.cur != nil {
			s.cur.Release()
			s.cur = nil
		}
	})
}

var (
	_ extract.Stream       = (*stream)(nil)
	_ extract.Checkpointer = (*stream)(nil)
	_ extract.Incompleter  = (*stream)(nil)
)
