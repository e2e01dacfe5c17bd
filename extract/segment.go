package extract

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// landSegments lands one object's stream (stamped by rdr) into t as one
// or more Merge landings. Each landing saves its cursor in its own
// transaction: a checkpoint of the stream when the segment was cut after
// CheckpointRows rows or CheckpointEvery, the stream's Cursor when it ended. res is summed
// over the committed segments; res.Cursor is the last cursor committed.
//
// When the stream fails, the rows of the failing segment are kept too if
// the stream still offers a checkpoint (they commit with it), and the
// stream's error is returned either way.
func (r *Runner) landSegments(ctx context.Context, log *slog.Logger, res *Result, t load.Table, source, object string,
	stream Stream, rdr *stampReader, opts load.LandOptions, since string) error {
	every := r.CheckpointRows
	if every == 0 {
		every = DefaultCheckpointRows
	}
	interval := r.CheckpointEvery
	if interval == 0 {
		interval = DefaultCheckpointEvery
	}
	ckpt, _ := stream.(Checkpointer)
	if every < 0 {
		ckpt = nil
	}
	last := since
	for {
		seg := &segmentReader{src: rdr, stream: stream, ckpt: ckpt, every: every, interval: interval, last: last,
			started: time.Now()}
		seg.refs.Store(1)
		o := opts
		o.Cursor = &load.CursorUpdate{Source: source, Object: object, Value: last, Final: seg.final}
		// The landing runs on a context that is not cancelled with the
		// run's: when the run is interrupted (Ctrl-C, a scheduler's
		// SIGTERM), the stream's requests stop with ctx and the segment
		// still commits what it read up to the stream's last checkpoint,
		// instead of throwing it away. The landing's own work is bounded
		// by what the segment read.
		st, err := r.Warehouse.Land(context.WithoutCancel(ctx), t, seg, o)
		seg.Release()
		if err != nil {
			if res.Segments > 0 {
				return fmt.Errorf("segment %d (after %d rows committed up to cursor %s): %w", res.Segments+1, res.Rows, last, err)
			}
			return err
		}
		res.Segments++
		res.Rows += st.Rows
		res.Inserted += st.Inserted
		res.Updated += st.Updated
		res.Unchanged += st.Unchanged
		last = seg.final()
		res.Cursor = last
		if len(st.AddedColumns) > 0 || len(st.WidenedColumns) > 0 {
			log.Info("schema changed", "table", t.String(), "added", st.AddedColumns, "widened", st.WidenedColumns)
		}
		if seg.streamErr != nil {
			// Only reached when the segment was kept at a checkpoint.
			return fmt.Errorf("%w (kept %d rows in %d segments up to checkpoint %s; the next run resumes there)",
				seg.streamErr, res.Rows, res.Segments, last)
		}
		if seg.ended {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w (kept %d rows in %d segments up to checkpoint %s; the next run resumes there)",
				err, res.Rows, res.Segments, last)
		}
		log.Debug("checkpoint committed", "table", t.String(), "rows", res.Rows, "cursor", last)
	}
}

// segmentReader passes one segment of a stamped stream to a landing. It
// ends the segment, before asking the stream for more, once every rows
// went by or the segment has run for interval (with a row at least), and
// the stream offers a checkpoint other than the last one committed.
// Releasing it does not release the stream.
type segmentReader struct {
	src      *stampReader
	stream   Stream
	ckpt     Checkpointer // nil: the whole stream is one segment
	every    int64
	interval time.Duration // ≤ 0: rows only
	last     string        // the cursor committed before this segment
	started  time.Time

	rows      int64
	stopped   bool   // Next has returned false
	ended     bool   // the stream itself ended (cleanly or not)
	cut       string // the checkpoint the segment ends at
	hasCut    bool
	streamErr error // the stream's error
	kept      bool  // streamErr came with a checkpoint: the segment commits
	refs      atomic.Int64
}

func (s *segmentReader) Retain() { s.refs.Add(1) }

// Release drops a reference; the stream stays with the runner.
func (s *segmentReader) Release() { s.refs.Add(-1) }

func (s *segmentReader) Schema() *arrow.Schema { return s.src.Schema() }

func (s *segmentReader) Next() bool {
	if s.stopped {
		return false
	}
	if s.ckpt != nil && s.rows > 0 && (s.rows >= s.every || s.interval > 0 && time.Since(s.started) >= s.interval) {
		if c, ok := s.ckpt.Checkpoint(); ok && c != s.last {
			s.cut, s.hasCut, s.stopped = c, true, true
			return false
		}
	}
	if !s.src.Next() {
		s.stopped, s.ended = true, true
		if err := s.src.Err(); err != nil {
			s.streamErr = err
			if s.ckpt != nil {
				if c, ok := s.ckpt.Checkpoint(); ok {
					s.cut, s.hasCut, s.kept = c, true, true
				}
			}
		}
		return false
	}
	s.rows += s.src.RecordBatch().NumRows()
	return true
}

func (s *segmentReader) RecordBatch() arrow.RecordBatch { return s.src.RecordBatch() }

// Record returns the current batch (the arrow-go v17 name).
func (s *segmentReader) Record() arrow.RecordBatch { return s.src.RecordBatch() }

// Err is the stream's error unless the segment keeps its rows at a checkpoint.
func (s *segmentReader) Err() error {
	if s.streamErr != nil && !s.kept {
		return s.streamErr
	}
	return nil
}

// final is the cursor the segment commits: its checkpoint when it was cut
// (or kept after an error), the stream's cursor after a clean end.
func (s *segmentReader) final() string {
	if s.hasCut {
		return s.cut
	}
	return s.stream.Cursor()
}
