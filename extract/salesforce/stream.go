package salesforce

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/rawbatch"
)

// spec is what one Extract reads.
type spec struct {
	object    string
	cols      []extract.Column
	modified  string    // cursor field ("" = none)
	deletedAt string    // field holding a deleted row's deletion time
	since     string    // the time of the cursor passed in ("" for none)
	cursor    time.Time // since, parsed
	state     state     // what the cursors this read hands back keep (its describe)
	from      time.Time // the read's lower bound: cursor − look-back (zero: all)
}

// stream is an extract.Stream fed by a producer goroutine: it reads pages
// (REST) or result chunks (Bulk), appends them to a Batcher and sends a
// batch every batchRows rows through a channel of one. Each batch travels
// with the checkpoint that holds once it has been read (see Checkpoint).
type stream struct {
	schema *arrow.Schema
	total  int64
	ch     chan batch
	cancel context.CancelFunc
	done   chan struct{}
	refs   atomic.Int64
	cur    arrow.RecordBatch
	// checkpoint of the batches Next has yielded; read by the caller of Next.
	ckpt   string
	ckptOK bool

	mu     sync.Mutex // guards err, cursor and incomplete
	err    error
	cursor string
	// incomplete: the read stopped at a checkpoint for the API budget.
	incomplete bool
	// state turns the cursor times into cursors that keep the describe.
	state state
}

// start launches the producer: REST paging from pager (first already
// read, see firstPage) when bulkSOQL is "", a Bulk API 2.0 query job
// otherwise.
func (e *Extractor) start(ctx context.Context, sp spec, total int64, pager *salesforce.Pager,
	first *salesforce.QueryPage, bulkSOQL string) *stream {
	ctx, cancel := context.WithCancel(ctx)
	p := &producer{e: e, sp: sp, max: sp.cursor, edgeIDs: map[string]bool{}, ordered: bulkSOQL == ""}
	var schema *arrow.Schema
	if bulkSOQL == "" {
		p.raw = rawbatch.New(sp.cols)
		schema = p.raw.Schema()
	} else {
		p.b = extract.NewBatcher(sp.cols)
		schema = p.b.Schema()
	}
	s := &stream{schema: schema, total: total, ch: make(chan batch, 1), cancel: cancel,
		done: make(chan struct{}), cursor: sp.since, state: sp.state}
	s.refs.Store(1)
	p.s = s
	go func() {
		defer close(s.done)
		defer close(s.ch)
		defer p.release()
		var err error
		switch {
		case bulkSOQL == "":
			err = p.rest(ctx, pager, first)
		case sp.modified != "" && total > int64(e.opts.BulkWindow):
			err = p.bulkWindows(ctx, total)
		default:
			err = p.bulk(ctx, bulkSOQL)
		}
		stopped := ""
		if budget.IsExceeded(err) {
			// The API budget ran out: end at the last checkpoint.
			if cp, ok := p.checkpoint(); ok {
				e.log.Warn("API budget reached: the read stops at a checkpoint; the next run continues",
					"object", sp.object, "rows", p.rows, "cursor", cp, "reason", err)
				stopped, err = cp, nil
			}
		}
		if err == nil {
			err = p.flush(ctx)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if err == nil && stopped != "" {
			s.cursor, s.incomplete = stopped, true
			return
		}
		if err != nil {
			s.err = fmt.Errorf("salesforce source %s: extract %s: %w", e.name, sp.object, err)
			return
		}
		s.cursor = p.cursor()
		e.log.Debug("extracted", "object", sp.object, "rows", p.rows, "cursor", s.cursor)
	}()
	return s
}

// producer turns API records into batches: REST query pages straight
// from their raw JSON (raw), Bulk API 2.0 CSV rows as maps (b).
type producer struct {
	e    *Extractor
	sp   spec
	b    *extract.Batcher  // Bulk reads
	raw  *rawbatch.Batcher // REST reads
	s    *stream
	max  time.Time // highest cursor-field value seen
	rows int64
	// edgeIDs are the ids of the rows read whose cursor-field value lies
	// in max's second; after a query restart, edge holds them to skip.
	edgeIDs, edge map[string]bool
	// ordered: rows come in cursor-field order (REST), so every batch
	// ends at a checkpoint. Otherwise (Bulk) safe is the checkpoint of
	// the last window read whole, if any.
	ordered bool
	safe    string
	safeOK  bool
	// The fields of REST pages the producer reads (-1: not there): Id,
	// the cursor field, IsDeleted and the deletion time's field.
	idF, modF, delF, datF int
}

// batch is a batch and the checkpoint that holds once it has been read.
type batch struct {
	rec    arrow.RecordBatch
	ckpt   string
	ckptOK bool
}

// cursor is the cursor that covers the rows read so far when every row
// with a smaller cursor-field value has been read: the highest value
// seen, never below the since of the call.
func (p *producer) cursor() string {
	if p.rows > 0 && p.max.After(p.sp.cursor) {
		return p.max.UTC().Format(CursorLayout)
	}
	return p.sp.since
}

// checkpoint is the checkpoint of the rows appended so far.
func (p *producer) checkpoint() (string, bool) {
	if p.ordered && p.sp.modified != "" {
		return p.cursor(), true
	}
	return p.safe, p.safeOK
}

// fetched is one page read ahead.
type fetched struct {
	page *salesforce.QueryPage
	err  error
}

// pageFields are the keys a REST read keeps of each record: the
// columns' and those the producer reads (Id, the cursor field,
// IsDeleted, the deletion time's field).
func pageFields(sp spec) []string {
	fields := make([]string, 0, len(sp.cols)+4)
	seen := make(map[string]bool, len(sp.cols)+4)
	for _, k := range append(columnKeys(sp.cols), "Id", sp.modified, "IsDeleted", sp.deletedAt) {
		if k != "" && !seen[k] {
			seen[k] = true
			fields = append(fields, k)
		}
	}
	return fields
}

func columnKeys(cols []extract.Column) []string {
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = c.Key()
	}
	return keys
}

// newPage is an empty query page for the REST read of sp (a Composite
// call's answer primes one with Pager.PrimeRaw).
func newPage(sp spec) *salesforce.QueryPage { return salesforce.NewQueryPage(pageFields(sp)) }

// firstPage reads the first page of pager, raw, for the read of sp.
func (e *Extractor) firstPage(ctx context.Context, sp spec, pager *salesforce.Pager) (*salesforce.QueryPage, error) {
	pg := newPage(sp)
	if _, err := pager.NextRaw(ctx, pg); err != nil {
		return nil, err
	}
	return pg, nil
}

// rest appends the first page and every following one, reading each next
// page while the current one is converted (one request in flight, so the
// calls stay sequential for the API). Pages are read raw into two
// buffers in turn: the one converted and the one read. When the server
// has dropped the query cursor (INVALID_QUERY_LOCATOR: idle for 15
// minutes, or pushed out by newer cursors), the query restarts from the
// highest cursor-field value read: rows come in that order, so nothing is
// lost, and the rows of that last second already read are skipped.
func (p *producer) rest(ctx context.Context, pager *salesforce.Pager, page *salesforce.QueryPage) error {
	var restartedAt time.Time
	bufs := [2]*salesforce.QueryPage{page, nil}
	cur := 0
	if page == nil {
		bufs[0] = newPage(p.sp)
	}
	p.index(bufs[0])
	for {
		var next chan fetched
		var stop error
		if !pager.Done() && p.sp.modified != "" {
			// The next page must fit the budget (its call reserves it);
			// else the read ends after this page, at its checkpoint.
			stop = p.e.checkBudget("the next page of "+p.sp.object, 1)
		}
		if !pager.Done() && stop == nil {
			if bufs[1-cur] == nil {
				bufs[1-cur] = newPage(p.sp)
			}
			into := bufs[1-cur]
			next = make(chan fetched, 1)
			go func() {
				_, err := pager.NextRaw(ctx, into)
				next <- fetched{into, err}
			}()
		}
		if page != nil {
			for i := range page.Len() {
				if p.edge != nil {
					if id, _ := str(page, i, p.idF); p.edge[id] {
						continue // read before the restart
					}
				}
				if err := p.addRaw(ctx, page, i); err != nil {
					return err // ctx is cancelled by the stream; the fetch ends
				}
			}
		}
		if next == nil {
			return stop
		}
		f := <-next
		if f.err != nil {
			if !salesforce.IsCode(f.err, "INVALID_QUERY_LOCATOR") || p.sp.modified == "" || p.max.IsZero() ||
				p.max.Equal(restartedAt) {
				return f.err
			}
			restartedAt = p.max
			p.e.log.Info("query cursor expired, restarting", "object", p.sp.object, "from", p.max, "rows", p.rows)
			pager = p.e.client.NewPager(buildSOQL(p.sp.object, p.sp.cols, p.sp.modified, p.max, true), true, 0)
			p.edge = p.edgeIDs
			page = nil
			continue
		}
		cur = 1 - cur
		page = f.page
	}
}

// index finds the fields the producer reads among a page's.
func (p *producer) index(pg *salesforce.QueryPage) {
	p.idF, p.modF, p.delF, p.datF = -1, -1, -1, -1
	for i, f := range pg.Fields() {
		for _, x := range []struct {
			name string
			at   *int
		}{{"Id", &p.idF}, {p.sp.modified, &p.modF}, {"IsDeleted", &p.delF}, {p.sp.deletedAt, &p.datF}} {
			if x.name != "" && f == x.name && *x.at < 0 {
				*x.at = i
			}
		}
	}
}

// str is field f of record i when it is a string (f -1: none).
func str(pg *salesforce.QueryPage, i, f int) (string, bool) {
	if f < 0 {
		return "", false
	}
	return pg.String(i, f)
}

// idOf is record i's Id as errors print it: the map path's rec["Id"].
func (p *producer) idOf(pg *salesforce.QueryPage, i int) any {
	m, err := pg.Record(i)
	if err != nil {
		return nil
	}
	return m["Id"]
}

// addRaw appends record i of a REST page, as add appends a map.
func (p *producer) addRaw(ctx context.Context, pg *salesforce.QueryPage, i int) error {
	var deletedAt *time.Time
	if v, ok := str(pg, i, p.modF); ok {
		t, err := salesforce.ParseTime(v)
		if err != nil {
			return fmt.Errorf("record %v: %s: %w", p.idOf(pg, i), p.sp.modified, err)
		}
		if p.see(t) {
			if id, ok := str(pg, i, p.idF); ok {
				p.edgeIDs[id] = true
			}
		}
	}
	if p.delF >= 0 && isDeletedRaw(pg, i, p.delF) {
		t := p.max
		if v, ok := str(pg, i, p.datF); ok {
			if dt, err := salesforce.ParseTime(v); err == nil {
				t = dt
			}
		}
		deletedAt = &t
	}
	if err := p.raw.Append(pg, i, deletedAt); err != nil {
		return fmt.Errorf("record %v: %w", p.idOf(pg, i), err)
	}
	p.rows++
	if p.raw.Len() >= batchRows {
		return p.flush(ctx)
	}
	return nil
}

// isDeletedRaw is isDeleted of a raw value: true, or the string "true".
func isDeletedRaw(pg *salesforce.QueryPage, i, f int) bool {
	raw := pg.Value(i, f)
	if string(raw) == "true" {
		return true
	}
	s, ok := pg.String(i, f)
	return ok && s == "true"
}

// see takes a row's cursor-field value t into the cursor; true when the
// row's id belongs among the ids of the highest second (edgeIDs).
func (p *producer) see(t time.Time) bool {
	if t.After(p.max) {
		if t.Truncate(time.Second) != p.max.Truncate(time.Second) {
			p.edgeIDs = map[string]bool{}
		}
		p.max = t
	}
	return p.edgeIDs != nil && !t.Before(p.max.Truncate(time.Second))
}

// bulk runs a Bulk API 2.0 query job and appends its rows; CSV cells
// are strings ("" = null) that the Batcher converts per column kind.
func (p *producer) bulk(ctx context.Context, soql string) error {
	return p.e.client.BulkQuery(ctx, soql, true, func(header []string, rows [][]string) error {
		rec := make(map[string]any, len(header))
		for _, row := range rows {
			for i, h := range header {
				if row[i] == "" {
					rec[h] = nil
				} else {
					rec[h] = row[i]
				}
			}
			if err := p.add(ctx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// add appends one record, tracking the cursor, and sends a full batch.
func (p *producer) add(ctx context.Context, rec map[string]any) error {
	var deletedAt *time.Time
	if p.sp.modified != "" {
		if v, ok := rec[p.sp.modified].(string); ok {
			t, err := salesforce.ParseTime(v)
			if err != nil {
				return fmt.Errorf("record %v: %s: %w", rec["Id"], p.sp.modified, err)
			}
			if p.see(t) {
				if id, ok := rec["Id"].(string); ok {
					p.edgeIDs[id] = true
				}
			}
		}
	}
	if isDeleted(rec["IsDeleted"]) {
		t := p.max
		if v, ok := rec[p.sp.deletedAt].(string); ok {
			if dt, err := salesforce.ParseTime(v); err == nil {
				t = dt
			}
		}
		deletedAt = &t
	}
	if err := p.b.Append(rec, deletedAt); err != nil {
		return fmt.Errorf("record %v: %w", rec["Id"], err)
	}
	p.rows++
	if p.b.Len() >= batchRows {
		return p.flush(ctx)
	}
	return nil
}

// flush sends the rows appended so far as one batch.
func (p *producer) flush(ctx context.Context) error {
	var rec arrow.RecordBatch
	switch {
	case p.raw != nil:
		rec = p.raw.Flush()
	case p.b != nil:
		rec = p.b.Flush()
	}
	if rec == nil {
		return nil
	}
	cp, ok := p.checkpoint()
	select {
	case p.s.ch <- batch{rec, cp, ok}:
		return nil
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

// release frees the builders.
func (p *producer) release() {
	if p.raw != nil {
		p.raw.Release()
	}
	if p.b != nil {
		p.b.Release()
	}
}

func isDeleted(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// Schema implements array.RecordReader.
func (s *stream) Schema() *arrow.Schema { return s.schema }

// Next implements array.RecordReader: it waits for the next batch.
func (s *stream) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	b, ok := <-s.ch
	if !ok {
		return false
	}
	s.cur = b.rec
	s.ckpt, s.ckptOK = b.ckpt, b.ckptOK
	return true
}

// Checkpoint implements extract.Checkpointer. REST reads come ordered by
// the cursor field and Id, so after any batch the highest value passed
// is safe (the next read starts at it again, inclusive, minus the
// look-back). Bulk API 2.0 results come in no order: only the end of a
// SystemModstamp window (see Options.BulkWindow) is a checkpoint. An
// object without a cursor field has none. Call it from the goroutine
// that calls Next.
func (s *stream) Checkpoint() (string, bool) {
	if !s.ckptOK {
		return "", false
	}
	return s.state.encode(s.ckpt), true
}

// RecordBatch implements array.RecordReader.
func (s *stream) RecordBatch() arrow.RecordBatch { return s.cur }

// Record implements array.RecordReader.
//
// Deprecated: use RecordBatch.
func (s *stream) Record() arrow.RecordBatch { return s.cur }

// Err implements array.RecordReader: the API or conversion error that
// ended the stream, if any.
func (s *stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Cursor implements extract.Stream: after a clean end, the highest
// cursor-field value seen (never below the since of the call).
func (s *stream) Cursor() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.encode(s.cursor)
}

// Incomplete implements extract.Incompleter: the read stopped at a
// checkpoint because the org's API budget ran out; Cursor is that
// checkpoint.
func (s *stream) Incomplete() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.incomplete
}

// Total is the number of rows the query matched (the runner's progress).
func (s *stream) Total() int64 { return s.total }

// Retain implements array.RecordReader.
func (s *stream) Retain() { s.refs.Add(1) }

// Release implements array.RecordReader; the last release stops the
// producer and frees the batches not read.
func (s *stream) Release() {
	if s.refs.Add(-1) != 0 {
		return
	}
	s.cancel()
	for b := range s.ch {
		b.rec.Release()
	}
	<-s.done
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
}

var (
	_ extract.Stream       = (*stream)(nil)
	_ extract.Checkpointer = (*stream)(nil)
	_ extract.Incompleter  = (*stream)(nil)
)
