package extract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/load"
)

// Source is a configured source: its name (the warehouse schema) and its extractor.
type Source struct {
	Name      string
	Extractor Extractor
}

// Warehouse is what the runner needs from the warehouse.
type Warehouse interface {
	load.StateStore
	Land(ctx context.Context, t load.Table, r array.RecordReader, opts load.LandOptions) (load.Stats, error)
}

// Progress receives what the runner is doing; the CLI draws it. Methods
// are called from several goroutines.
type Progress interface {
	Start(source, object string, total int64) // total < 0: unknown
	Add(source, object string, rows int64)
	Done(r Result)
}

// StatsReporter is implemented by extractors that count their API calls per object.
type StatsReporter interface {
	Stats(object string) httpx.Stats
}

// Totaler is implemented by streams that know how many records they will yield.
type Totaler interface {
	Total() int64
}

// Options select what one run extracts.
type Options struct {
	// Sources limits the run to these source names (all when empty).
	Sources []string
	// Objects limits the run to these objects, by API name or
	// "source.object", case-insensitive (all when empty).
	Objects []string
	// FullRefresh ignores saved cursors and reads everything again.
	FullRefresh bool
}

// Result is the outcome of one object's extraction.
type Result struct {
	Source    string `json:"source"`
	Object    string `json:"object"`
	Table     string `json:"table"`
	Rows      int64  `json:"rows"`
	Inserted  int64  `json:"inserted"`
	Updated   int64  `json:"updated"`
	Unchanged int64  `json:"unchanged"`
	Cursor    string `json:"cursor,omitempty"`
	// Segments is how many transactions landed the object (more than one
	// when checkpoints split a long stream).
	Segments int `json:"segments,omitempty"`
	// Incomplete: the stream stopped early on purpose (a call budget) at
	// a checkpoint; the next run continues from Cursor.
	Incomplete bool          `json:"incomplete,omitempty"`
	APICalls   int64         `json:"api_calls"`
	Retries    int64         `json:"retries"`
	Duration   time.Duration `json:"-"`
	Seconds    float64       `json:"seconds"`
	Err        error         `json:"-"`
	Error      string        `json:"error,omitempty"`
}

// Runner extracts sources into a warehouse.
type Runner struct {
	Warehouse Warehouse
	Log       *slog.Logger
	// Concurrency is how many objects extract at once (default 4); each
	// source's own limits still cap its requests.
	Concurrency int
	Progress    Progress
	// Now stamps _extracted_at (time.Now when nil).
	Now func() time.Time
	// CheckpointRows lands a long stream in segments: once at least this
	// many rows have gone by since the last commit and the stream offers
	// a new checkpoint (Checkpointer), the rows so far commit with that
	// checkpoint as the object's cursor, and the stream goes on into the
	// next segment. A failure then keeps the committed segments and the
	// next run resumes from their cursor. 0 means DefaultCheckpointRows;
	// a negative value lands every object in one transaction.
	CheckpointRows int64
	// CheckpointEvery is the second trigger of a segment's end: once a
	// segment has run this long (and holds a row), it commits at the next
	// checkpoint the stream offers, however few rows it holds. A read that
	// costs many calls for few rows (Zoho's Deals_Stage_History: one call
	// per deal) then keeps its progress when the process is killed. 0
	// means DefaultCheckpointEvery; negative: rows only.
	CheckpointEvery time.Duration
	// Budgets, by source name, hold each org's API budget: an object
	// whose extract would start past it is not started (its result fails
	// with a *budget.ExceededError naming when the run can resume), an
	// extractor that can (BudgetSetter) stops a read at a checkpoint once
	// the budget is spent, and at the end of Run each budget records what
	// the source's objects spent (budget.Record, part "extract").
	Budgets map[string]*budget.Budget
}

// BudgetSetter is implemented by extractors that stop a read at a
// checkpoint when their org's API budget runs out.
type BudgetSetter interface {
	SetBudget(b *budget.Budget)
}

// DefaultCheckpointRows is Runner.CheckpointRows when it is 0.
const DefaultCheckpointRows = 100_000

// DefaultCheckpointEvery is Runner.CheckpointEvery when it is 0.
const DefaultCheckpointEvery = 30 * time.Second

// Run extracts every selected object of every source. Objects that fail
// are reported in their Result and in the returned error; the others
// still land, and a failed object's cursor does not move.
func (r *Runner) Run(ctx context.Context, sources []Source, opts Options) ([]Result, error) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	conc := r.Concurrency
	if conc <= 0 {
		conc = 4
	}
	type job struct {
		src Source
		obj Object
	}
	var (
		jobs    []job
		results []Result
		errs    []error
		all     []string // every configured object, as source.object
	)
	for _, s := range sources {
		if !selected(opts.Sources, s.Name) {
			continue
		}
		objs, err := s.Extractor.Objects(ctx)
		if err != nil {
			// Objects may name the unknown ones and still return the rest.
			res := Result{Source: s.Name, Err: fmt.Errorf("extract %s: %w", s.Name, err)}
			res.Error = res.Err.Error()
			results = append(results, res)
			errs = append(errs, res.Err)
		}
		for _, o := range objs {
			all = append(all, s.Name+"."+o.Name)
			if objectSelected(opts.Objects, s.Name, o.Name) {
				jobs = append(jobs, job{s, o})
			}
		}
	}
	if len(opts.Objects) > 0 && len(errs) == 0 {
		if err := checkSelection(opts.Objects, all); err != nil {
			return nil, err
		}
	}

	for _, s := range sources {
		if bs, ok := s.Extractor.(BudgetSetter); ok && r.Budgets[s.Name] != nil {
			bs.SetBudget(r.Budgets[s.Name])
		}
	}
	for _, s := range sources {
		p, ok := s.Extractor.(Preparer)
		if !ok {
			continue
		}
		var objs []Object
		for _, j := range jobs {
			if j.src.Name == s.Name {
				objs = append(objs, j.obj)
			}
		}
		if len(objs) > 0 {
			p.Prepare(objs, r.cursors(ctx, log, s.Name, objs, opts.FullRefresh))
		}
	}
	extractedAt := now().UTC()
	started := time.Now()
	out := make([]Result, len(jobs))
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Result{Source: j.src.Name, Object: j.obj.Name, Err: ctx.Err(), Error: ctx.Err().Error()}
				return
			}
			defer func() { <-sem }()
			out[i] = r.extractOne(ctx, log, j.src, j.obj, extractedAt, opts.FullRefresh)
		}()
	}
	wg.Wait()
	for _, res := range out {
		if res.Err != nil {
			errs = append(errs, res.Err)
		}
	}
	for name, b := range r.Budgets {
		var calls int64
		for _, res := range out {
			if res.Source == name {
				calls += res.APICalls
			}
		}
		credits := int64(0)
		if b.Unit == budget.Credits {
			credits = b.Spent()
		}
		if err := b.Record(context.WithoutCancel(ctx), r.Warehouse, "extract", calls, credits, started); err != nil {
			log.Warn("could not record the API use", "source", name, "error", err)
		}
	}
	results = append(results, out...)
	return results, errors.Join(errs...)
}

// cursors reads the saved cursors of a source's objects for Preparer
// ("" for none, for a full refresh, or when the cursor does not read:
// extractOne reports that error).
func (r *Runner) cursors(ctx context.Context, log *slog.Logger, source string, objs []Object, full bool) []string {
	since := make([]string, len(objs))
	if full {
		return since
	}
	for i, o := range objs {
		c, ok, err := load.GetCursor(ctx, r.Warehouse, source, o.Name)
		if err != nil {
			log.Debug("cursor not read for Prepare", "source", source, "object", o.Name, "error", err)
			continue
		}
		if ok {
			since[i] = c.Value
		}
	}
	return since
}

// NoMatchError is returned by Run, before anything is extracted, when an
// object asked for (Options.Objects) is not among the configured ones.
type NoMatchError struct {
	Unknown    []string // the names asked for that match nothing
	Configured []string // every configured object, as source.object
}

func (e *NoMatchError) Error() string {
	return fmt.Sprintf("extract: --object %s: no such object is configured (configured: %s)",
		strings.Join(e.Unknown, ", "), strings.Join(e.Configured, ", "))
}

// checkSelection names the wanted objects that match no configured one.
func checkSelection(want, all []string) error {
	var unknown []string
	for _, w := range want {
		found := false
		for _, so := range all {
			source, object, _ := strings.Cut(so, ".")
			if objectSelected([]string{w}, source, object) {
				found = true
				break
			}
		}
		if !found {
			unknown = append(unknown, w)
		}
	}
	if len(unknown) > 0 {
		return &NoMatchError{Unknown: unknown, Configured: all}
	}
	return nil
}

func selected(want []string, name string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if strings.EqualFold(w, name) {
			return true
		}
	}
	return false
}

func objectSelected(want []string, source, object string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if strings.EqualFold(w, object) || strings.EqualFold(w, source+"."+object) {
			return true
		}
	}
	return false
}

func (r *Runner) extractOne(ctx context.Context, log *slog.Logger, src Source, obj Object, extractedAt time.Time, full bool) (res Result) {
	start := time.Now()
	res = Result{Source: src.Name, Object: obj.Name, Table: src.Name + "." + obj.Table}
	target := src.Name + "." + obj.Name
	run, err := load.StartRun(ctx, r.Warehouse, "extract", target)
	if err != nil {
		res.Err = fmt.Errorf("extract %s: %w", target, err)
		res.Error = res.Err.Error()
		return res
	}
	// Extractors count requests per object over their lifetime; a run
	// reports its own share (the discovery in Objects is not included).
	var before httpx.Stats
	sr, counts := src.Extractor.(StatsReporter)
	if counts {
		before = sr.Stats(obj.Name)
	}
	defer func() {
		res.Duration = time.Since(start)
		res.Seconds = res.Duration.Seconds()
		if counts {
			st := sr.Stats(obj.Name)
			res.APICalls, res.Retries = st.Requests-before.Requests, st.Retries-before.Retries
		}
		if res.Err != nil {
			res.Error = res.Err.Error()
		}
		if ferr := run.Finish(context.WithoutCancel(ctx), r.Warehouse, res.Rows, res.Inserted+res.Updated, res.Err); ferr != nil && res.Err == nil {
			res.Err, res.Error = ferr, ferr.Error()
		}
		if r.Progress != nil {
			r.Progress.Done(res)
		}
		attrs := []any{"source", src.Name, "object", obj.Name, "rows", res.Rows, "inserted", res.Inserted,
			"updated", res.Updated, "api_calls", res.APICalls, "seconds", fmt.Sprintf("%.2f", res.Seconds)}
		if res.Err != nil {
			log.Error("extract failed", append(attrs, "error", res.Err)...)
		} else {
			log.Info("extracted", attrs...)
		}
	}()

	if b := r.Budgets[src.Name]; b != nil {
		// Two calls at least before the read's first checkpoint: its
		// first page, and its deletions or metadata.
		if err := b.Check("the extract of "+target, 2); err != nil {
			res.Err = fmt.Errorf("extract %s: %w", target, err)
			return res
		}
	}
	since := ""
	if !full {
		c, ok, err := load.GetCursor(ctx, r.Warehouse, src.Name, obj.Name)
		if err != nil {
			res.Err = fmt.Errorf("extract %s: %w", target, err)
			return res
		}
		if ok {
			since = c.Value
		}
	}
	stream, err := src.Extractor.Extract(ctx, obj, since)
	if err != nil {
		res.Err = fmt.Errorf("extract %s: %w", target, err)
		return res
	}
	total := int64(-1)
	if t, ok := stream.(Totaler); ok {
		total = t.Total()
	}
	if r.Progress != nil {
		r.Progress.Start(src.Name, obj.Name, total)
	}
	rdr := newStampReader(stream, extractedAt, src.Name, func(n int64) {
		if r.Progress != nil {
			r.Progress.Add(src.Name, obj.Name, n)
		}
	})
	defer rdr.Release()
	opts := load.LandOptions{
		Mode:      load.Merge,
		Key:       []string{obj.Key},
		Tombstone: DeletedAt,
		// A record read again unchanged (the look-back overlap) is not a change.
		Unversioned: []string{ExtractedAt, SourceColumn},
		// Each committed segment counts its rows in the run, so a killed
		// run still accounts for what it landed.
		RunID: run.ID,
	}
	if obj.History && obj.Modified != "" {
		opts.History = &load.History{
			Table:     load.Table{Schema: src.Name, Name: obj.Table + "__history"},
			ValidFrom: obj.Modified,
			SeenAt:    ExtractedAt,
		}
	}
	err = r.landSegments(ctx, log, &res, load.Table{Schema: src.Name, Name: obj.Table}, src.Name, obj.Name, stream, rdr, opts, since)
	if err != nil {
		res.Err = fmt.Errorf("extract %s: %w", target, err)
		return res
	}
	if inc, ok := stream.(Incompleter); ok && inc.Incomplete() {
		res.Incomplete = true
		log.Info("extract stopped early at a checkpoint; the next run continues", "source", src.Name, "object", obj.Name, "cursor", res.Cursor)
	}
	return res
}

// stampReader adds _extracted_at and _source to every batch of a stream.
type stampReader struct {
	src    Stream
	schema *arrow.Schema
	at     arrow.Timestamp
	source string
	cur    arrow.RecordBatch
	onRows func(int64)
	refs   atomic.Int64
}

func newStampReader(src Stream, at time.Time, source string, onRows func(int64)) *stampReader {
	fields := append([]arrow.Field(nil), src.Schema().Fields()...)
	fields = append(fields,
		arrow.Field{Name: ExtractedAt, Type: DateTimeType, Nullable: true},
		arrow.Field{Name: SourceColumn, Type: arrow.BinaryTypes.String, Nullable: true})
	r := &stampReader{src: src, schema: arrow.NewSchema(fields, nil), at: arrow.Timestamp(at.UnixMicro()), source: source, onRows: onRows}
	r.refs.Store(1)
	return r
}

func (r *stampReader) Retain() { r.refs.Add(1) }

func (r *stampReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.src.Release()
	}
}

func (r *stampReader) Schema() *arrow.Schema { return r.schema }

func (r *stampReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.src.Next() {
		return false
	}
	rec := r.src.RecordBatch()
	n := int(rec.NumRows())
	tb := array.NewTimestampBuilder(memory.DefaultAllocator, DateTimeType)
	defer tb.Release()
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	tb.Reserve(n)
	sb.Reserve(n)
	for i := 0; i < n; i++ {
		tb.UnsafeAppend(r.at)
		sb.Append(r.source)
	}
	ts, ss := tb.NewArray(), sb.NewArray()
	defer ts.Release()
	defer ss.Release()
	cols := append(append([]arrow.Array(nil), rec.Columns()...), ts, ss)
	r.cur = array.NewRecordBatch(r.schema, cols, int64(n))
	if r.onRows != nil {
		r.onRows(int64(n))
	}
	return true
}

func (r *stampReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch (the arrow-go v17 name).
func (r *stampReader) Record() arrow.RecordBatch { return r.cur }

func (r *stampReader) Err() error { return r.src.Err() }
