package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/revops/revops/load"
)

// Progress hears about a sync run's writes (progress bars on a terminal).
// Calls come from the goroutine running the sync.
type Progress interface {
	// Start announces total records to send.
	Start(sync string, total int64)
	// Add reports n more records answered.
	Add(sync string, n int64)
	// Done ends the sync's progress (err nil on success).
	Done(sync string, err error)
}

// Options control one sync run or plan.
type Options struct {
	// RetryFailed sends only the rows recorded in _revops.sync_failures.
	RetryFailed bool
	// AllowMassDelete lets mirror mode remove more than mirror.max_share
	// of the synced records.
	AllowMassDelete bool
	// ResendUnknown drops the record of creates whose outcome is unknown
	// (a run stopped between the API call and recording its answer) for
	// syncs that cannot look records up (match by id), so they are sent
	// again. Without it such a sync stops and says so.
	ResendUnknown bool
}

// Runner runs syncs against one warehouse.
type Runner struct {
	Warehouse Warehouse
	// Log receives one line per batch and per run (nil: discarded).
	Log *slog.Logger
	// Progress, when set, hears about every batch.
	Progress Progress
}

// Report is the outcome of one sync run (or plan, or apply).
type Report struct {
	RunRecord
	// Unchanged counts model rows already current at the destination.
	Unchanged int64 `json:"unchanged"`
	// NullKeys and Duplicates are model rows that were not synced.
	NullKeys   int64    `json:"null_keys"`
	Duplicates []string `json:"duplicate_keys,omitempty"`
	// DiffSeconds is the time the warehouse diff took.
	DiffSeconds float64 `json:"diff_seconds"`
	// Errors are the first row failures of the run.
	Errors []Failure `json:"errors,omitempty"`
	// FailuresCleared counts recorded failures of keys that left the
	// model, which the run removed from _revops.sync_failures: nothing is
	// left to send for them (the runs that failed them counted them).
	FailuresCleared int64 `json:"failures_cleared"`

	meter *meter // the destination's request count, when it keeps one
}

// calls is the run's API calls so far: the destination's requests when it
// counts them, else the engine's own count.
func (rep *Report) calls() int64 {
	if rep.meter != nil {
		return rep.meter.rc.Requests() - rep.meter.base
	}
	return rep.APICalls
}

const maxReportErrors = 20

// pending is a row ready to send.
type pending struct {
	ch    Change
	op    Op
	rec   Record
	match map[string]any
}

// prepared is a sync after validation and diff, before any write.
type prepared struct {
	spec   *Spec
	dest   Destination
	schema *Schema
	diff   *Diff
	sends  []*pending
	failed []failureRow
	// stale are keys whose recorded failures the run clears (Diff.Stale).
	stale  []string
	report *Report
}

func newID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Run sends what changed in spec's model since the last successful write
// to dest, and records every row's outcome. Row failures are data (in the
// report and _revops.sync_failures), not errors; an error means the sync
// could not run (bad spec, model SQL failing, warehouse or whole-call API
// failures) and is also recorded in _revops.sync_runs.
func (r *Runner) Run(ctx context.Context, spec *Spec, dest Destination, opts Options) (*Report, error) {
	rep := r.newReport(spec, "run", "")
	if err := EnsureState(ctx, r.Warehouse); err != nil {
		return rep, err
	}
	if err := startRunRecord(ctx, r.Warehouse, &rep.RunRecord); err != nil {
		return rep, err
	}
	start := time.Now()
	rep.meter = startMeter(dest)
	err := func() error {
		p, err := r.prepare(ctx, spec, dest, opts, rep)
		if err != nil {
			return err
		}
		return r.send(ctx, p, rep)
	}()
	rep.meter.stop(rep)
	return rep, r.finish(ctx, rep, start, err)
}

// meter counts a run's API calls from the destination's HTTP layer when
// it counts its requests (see RequestCounter).
type meter struct {
	rc   RequestCounter
	base int64
}

func startMeter(dest Destination) *meter {
	rc, ok := dest.(RequestCounter)
	if !ok {
		return nil
	}
	return &meter{rc: rc, base: rc.Requests()}
}

// stop replaces the engine's count of calls with the requests sent since
// startMeter (nil: the engine's count stays).
func (m *meter) stop(rep *Report) {
	if m != nil {
		rep.APICalls = m.rc.Requests() - m.base
	}
}

func (r *Runner) newReport(spec *Spec, kind, planID string) *Report {
	return &Report{RunRecord: RunRecord{ID: newID(), Sync: spec.Name, Kind: kind, PlanID: planID, StartedAt: time.Now().UTC()}}
}

// finish records the run's outcome and returns err.
func (r *Runner) finish(ctx context.Context, rep *Report, start time.Time, err error) error {
	rep.FinishedAt = time.Now().UTC()
	rep.Seconds = time.Since(start).Seconds()
	rep.Status = load.RunSucceeded
	switch {
	case err != nil:
		rep.Status = load.RunFailed
		rep.Error = err.Error()
	case rep.Failed > 0 && rep.Succeeded == 0 && rep.Recovered == 0 && rep.Unchanged == 0:
		// Nothing this run was to write was written (an apply whose
		// every row was refused, say).
		rep.Status = load.RunFailed
	case rep.Failed > 0:
		rep.Status = "partial"
	}
	if ferr := finishRunRecord(context.WithoutCancel(ctx), r.Warehouse, &rep.RunRecord); ferr != nil && err == nil {
		err = ferr
	}
	r.log().Info("sync finished", "sync", rep.Sync, "kind", rep.Kind, "status", rep.Status, "added", rep.Added,
		"changed", rep.Changed, "removed", rep.Removed, "succeeded", rep.Succeeded, "failed", rep.Failed,
		"skipped", rep.Skipped, "recovered", rep.Recovered, "refused", rep.Refused, "api_calls", rep.APICalls, "seconds", fmt.Sprintf("%.2f", rep.Seconds))
	return err
}

// prepare validates the spec against the destination and the model,
// resolves creates left in flight by an earlier run, diffs the model and
// builds the records to send. Nothing is written to the destination.
func (r *Runner) prepare(ctx context.Context, spec *Spec, dest Destination, opts Options, rep *Report) (*prepared, error) {
	w := r.Warehouse
	if err := spec.Validate(); err != nil {
		return nil, &SpecError{Sync: spec.Name, Reason: err.Error()}
	}
	sc, err := dest.Describe(ctx, spec.Destination.Object)
	rep.APICalls++
	if err != nil {
		return nil, fmt.Errorf("sync %s: describe %s %s: %w", spec.Name, dest.System(), spec.Destination.Object, err)
	}
	cols, err := ModelSchema(ctx, w, spec)
	if err != nil {
		return nil, err
	}
	if err := CheckSchema(spec, sc, cols); err != nil {
		return nil, err
	}
	picklists, err := loadPicklists(ctx, w, spec)
	if err != nil {
		return nil, err
	}
	if err := r.recoverInflight(ctx, spec, dest, sc, opts, rep); err != nil {
		return nil, err
	}
	d, err := ComputeDiff(ctx, w, spec, DiffOptions{OnlyFailed: opts.RetryFailed, OnlyAdded: spec.Mode == ModeInsert, Removed: spec.Mode == ModeMirror && !opts.RetryFailed})
	if err != nil {
		return nil, err
	}
	rep.DiffSeconds, rep.NullKeys, rep.Duplicates = d.Seconds, d.NullKeys, d.Duplicates
	rep.Added, rep.Changed, rep.Removed, rep.Unchanged = d.Added, d.Changed, int64(len(d.Removed)), d.Unchanged
	if d.NullKeys > 0 {
		r.log().Warn("model rows with a NULL key are not synced", "sync", spec.Name, "rows", d.NullKeys, "key", spec.Key)
	}
	p := &prepared{spec: spec, dest: dest, schema: sc, diff: d, stale: d.Stale, report: rep}
	if len(d.Duplicates) > 0 {
		r.log().Warn("duplicate keys in the model: none of their rows is synced", "sync", spec.Name, "keys", len(d.Duplicates), "first", d.Duplicates[0])
		for _, k := range d.Duplicates {
			p.failed = append(p.failed, failureRow{Key: k, Err: &RowError{Code: CodeDuplicateKey,
				Message: fmt.Sprintf("key %q is held by more than one row of the model", k), Fields: []string{spec.Key}}})
		}
	}
	if spec.Mode == ModeMirror && len(d.Removed) > 0 && !opts.AllowMassDelete {
		total, err := queryRows(ctx, w, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = ? AND row_hash <> ?`, spec.Name, removedHash)
		if err != nil {
			return nil, fmt.Errorf("sync %s: count synced records: %w", spec.Name, err)
		}
		share := spec.Mirror.MaxShare
		if share == 0 {
			share = 0.1
		}
		if n := num(total[0][0]); n > 0 && float64(len(d.Removed)) > share*float64(n) {
			return nil, fmt.Errorf("sync %s: would remove %d of %d synced %s records (more than mirror.max_share %.0f%%); "+
				"check the model, or run with --allow-mass-delete", spec.Name, len(d.Removed), n, spec.Destination.Object, share*100)
		}
	}
	var needFind []*pending
	for _, c := range d.Changes {
		pd, rerr := p.build(c, picklists)
		if rerr != nil {
			p.failed = append(p.failed, failureRow{Key: c.Key, Err: rerr})
			continue
		}
		if pd == nil {
			rep.Skipped++
			continue
		}
		if pd.op == OpUpdate && pd.rec.ID == "" {
			needFind = append(needFind, pd)
			continue
		}
		p.sends = append(p.sends, pd)
	}
	if len(needFind) > 0 {
		if err := r.findIDs(ctx, p, needFind); err != nil {
			return nil, err
		}
	}
	for _, c := range d.Removed {
		pd := &pending{ch: c, rec: Record{Key: c.Key, ID: c.DestID}}
		if spec.Mirror.Action == "delete" {
			pd.op = OpDelete
		} else {
			v, _ := Coerce(spec.Mirror.ArchiveValue, sc.Fields[spec.Mirror.ArchiveField])
			pd.op, pd.rec.Values = OpUpdate, map[string]any{spec.Mirror.ArchiveField: v}
			pd.ch.Hash = removedHash
		}
		if pd.rec.ID == "" {
			p.failed = append(p.failed, failureRow{Key: c.Key, Err: &RowError{Code: CodeNotFound, Message: "no destination id was recorded for this row"}})
			continue
		}
		p.sends = append(p.sends, pd)
	}
	rep.Planned = int64(len(p.sends))
	return p, nil
}

// build maps one changed row to a record and chooses its operation; nil
// without error means the row is skipped (insert mode, a row already
// written).
func (p *prepared) build(c Change, picklists map[string]map[string]string) (*pending, *RowError) {
	s, sc := p.spec, p.schema
	pd := &pending{ch: c, rec: Record{Key: c.Key, ID: c.DestID, Values: map[string]any{}}}
	for i, name := range s.Fields() {
		m, f := s.Mapping[name], sc.Fields[name]
		v := c.Values[i]
		switch {
		case m.Value != nil:
			v = m.Value
		case m.Lookup != nil:
			if v == nil && c.LookupKeys[i] != nil {
				return nil, &RowError{Code: CodeLookupNotFound, Fields: []string{name}, Retryable: true,
					Message: fmt.Sprintf("%s: sync %s has not written key %s yet", name, m.Lookup.Sync, show(c.LookupKeys[i]))}
			}
		case m.Picklist != nil && v != nil:
			if rerr := checkColumnUTF8(c.Key, m.Column, name, v); rerr != nil {
				return nil, rerr
			}
			v = mapPicklist(v, picklists[name])
		case m.Column != "":
			if rerr := checkColumnUTF8(c.Key, m.Column, name, v); rerr != nil {
				return nil, rerr
			}
		}
		cv, rerr := Coerce(v, f)
		if rerr != nil {
			return nil, rerr
		}
		pd.rec.Values[name] = cv
	}
	if s.Match.By == MatchID && s.Mode == ModeUpdate && pd.rec.ID == "" {
		pd.rec.ID = c.Key
	}
	switch s.Mode {
	case ModeUpdate:
		pd.op = OpUpdate
	case ModeInsert:
		if c.Kind != "added" {
			return nil, nil
		}
		pd.op = OpInsert
	default:
		switch {
		case s.Match.By == MatchID && pd.rec.ID != "":
			pd.op = OpUpdate
		case s.Match.By == MatchID:
			pd.op = OpInsert
		default:
			pd.op = OpUpsert
		}
	}
	if pd.op == OpInsert || pd.op == OpUpsert {
		for n, f := range sc.Fields {
			if f.Required && f.Createable && isEmpty(pd.rec.Values[n]) {
				if _, mapped := s.Mapping[n]; mapped {
					return nil, &RowError{Code: CodeRequiredMissing, Fields: []string{n}, Message: n + ": mandatory, but the row has no value"}
				}
			}
		}
	}
	switch {
	case s.Match.By != MatchID:
		// A row is matched by these values; without any, a create could
		// not be found again after a lost answer (and would be sent
		// twice), and an update finds nothing.
		pd.match = map[string]any{}
		empty := true
		for _, n := range matchFieldsOf(s) {
			pd.match[n] = pd.rec.Values[n]
			if !isEmpty(pd.rec.Values[n]) {
				empty = false
			}
		}
		if empty {
			fields := matchFieldsOf(s)
			return nil, &RowError{Code: CodeMatchValueMissing, Fields: fields, Retryable: true,
				Message: fmt.Sprintf("%s: empty, and rows are matched by %s: a record written without it could not be found again; "+
					"the row is sent once the model gives it a value", strings.Join(fields, ", "), plural(len(fields), "it", "them"))}
		}
	case pd.op == OpInsert && s.Match.CreateKey != "":
		// The create carries a key of revops's own, to be found again by.
		f := sc.Fields[s.Match.CreateKey]
		if f.Name == "" {
			f = Field{Name: s.Match.CreateKey, Type: TypeString}
		}
		v, rerr := Coerce(s.createKeyValue(c.Key), f)
		if rerr != nil {
			rerr.Message = "match.create_key " + rerr.Message
			return nil, rerr
		}
		pd.rec.Values[s.Match.CreateKey] = v
		pd.match = map[string]any{s.Match.CreateKey: v}
	}
	return pd, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkColumnUTF8 refuses a model value whose text is not valid UTF-8: it
// would reach the destination with its bytes replaced (U+FFFD).
func checkColumnUTF8(key, column, field string, v any) *RowError {
	var bad string
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			bad = badByte(x)
		}
	case []any:
		for i, e := range x {
			if s, ok := e.(string); ok && !utf8.ValidString(s) {
				bad = fmt.Sprintf(" (item %d%s)", i, badByte(s))
				break
			}
		}
	}
	if bad == "" {
		return nil
	}
	return &RowError{Code: CodeInvalidUTF8, Fields: []string{field},
		Message: fmt.Sprintf("%s: column %s of key %s is not valid UTF-8%s; the model must give UTF-8 text", field, column, quoteBytes(key), bad)}
}

func matchFieldsOf(s *Spec) []string {
	if s.Match.By == MatchExternalID {
		return []string{s.Match.Field}
	}
	return s.Match.Fields
}

func mapPicklist(v any, m map[string]string) any {
	convert := func(x string) string {
		if to, ok := m[x]; ok {
			return to
		}
		return x
	}
	switch x := v.(type) {
	case string:
		return convert(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				out[i] = convert(s)
			} else {
				out[i] = e
			}
		}
		return out
	}
	return v
}

// loadPicklists reads the picklist maps of the spec (inline or tables).
func loadPicklists(ctx context.Context, w Warehouse, s *Spec) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, name := range s.Fields() {
		switch p := s.Mapping[name].Picklist.(type) {
		case map[string]any:
			m := map[string]string{}
			for k, v := range p {
				m[k] = fmt.Sprint(v)
			}
			out[name] = m
		case string:
			parts := strings.Split(p, ".")
			cols, rows, err := readTable(ctx, w, quoteIdent(parts[0])+"."+quoteIdent(parts[1]))
			if err != nil {
				return nil, &SpecError{Sync: s.Name, Field: name, Reason: fmt.Sprintf("picklist table %s: %v", p, err)}
			}
			from, to := -1, -1
			for i, c := range cols {
				switch strings.ToLower(c) {
				case "from":
					from = i
				case "to":
					to = i
				}
			}
			if from < 0 || to < 0 {
				if len(cols) < 2 {
					return nil, &SpecError{Sync: s.Name, Field: name, Reason: fmt.Sprintf("picklist table %s: needs columns from and to (or two columns)", p)}
				}
				from, to = len(cols)-2, len(cols)-1
			}
			m := map[string]string{}
			for _, r := range rows {
				if r[from] != nil && r[to] != nil {
					m[str(r[from])] = str(r[to])
				}
			}
			out[name] = m
		}
	}
	return out, nil
}

func readTable(ctx context.Context, w Warehouse, rel string) ([]string, [][]any, error) {
	r, err := w.Query(ctx, "SELECT * FROM "+rel)
	if err != nil {
		return nil, nil, err
	}
	var cols []string
	for _, f := range r.Schema().Fields() {
		cols = append(cols, f.Name)
	}
	r.Release()
	rows, err := queryRows(ctx, w, "SELECT * FROM "+rel)
	return cols, rows, err
}

// findIDs looks up the destination ids of update-mode rows matched by
// external id or duplicate-check fields; rows without a record fail with
// NOT_FOUND (update mode never creates).
func (r *Runner) findIDs(ctx context.Context, p *prepared, rows []*pending) error {
	step := max(1, p.dest.MaxBatch(OpUpdate, len(rows)))
	for start := 0; start < len(rows); start += step {
		batch := rows[start:min(start+step, len(rows))]
		keys := make([]map[string]any, len(batch))
		for i, pd := range batch {
			keys[i] = pd.match
		}
		ids, err := p.dest.Find(ctx, p.spec.Destination.Object, p.spec.MatchFor(), keys)
		p.report.APICalls++
		if err != nil {
			return fmt.Errorf("sync %s: find %s records: %w", p.spec.Name, p.spec.Destination.Object, err)
		}
		if len(ids) != len(batch) {
			return fmt.Errorf("sync %s: find %s records: %d ids for %d keys", p.spec.Name, p.spec.Destination.Object, len(ids), len(batch))
		}
		for i, pd := range batch {
			if ids[i] == "" {
				p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: &RowError{Code: CodeNotFound,
					Message: fmt.Sprintf("no %s record matches (mode update never creates)", p.spec.Destination.Object)}})
				continue
			}
			pd.rec.ID = ids[i]
			p.sends = append(p.sends, pd)
		}
	}
	return nil
}

// send writes the prepared records in batches of the destination's
// maximum, creates first, then updates, then removals.
func (r *Runner) send(ctx context.Context, p *prepared, rep *Report) error {
	rep.Failed += int64(len(p.failed))
	rep.addErrors(p.spec.Name, rep.ID, p.failed)
	// The rows refused before sending, and what the run plans, are
	// recorded before the first write. Failures of keys the sync has
	// nothing left to send for (they left the model, or their row is what
	// was last written) are cleared: the runs that failed them counted
	// them, and nothing would ever retry them.
	var b batch
	b.deleteKeys("sync_failures", p.spec.Name, p.stale)
	b.failures(p.spec.Name, rep.ID, p.failed, time.Now().UTC())
	b.counts(rep)
	if err := b.exec(ctx, r.Warehouse); err != nil {
		return fmt.Errorf("sync %s: record failures: %w", p.spec.Name, err)
	}
	if len(p.stale) > 0 {
		rep.FailuresCleared = int64(len(p.stale))
		r.log().Info("cleared failures of keys with nothing left to send (they left the model, or their row is as last written)",
			"sync", p.spec.Name, "keys", len(p.stale), "first", p.stale[0])
	}
	groups := map[Op][]*pending{}
	for _, pd := range p.sends {
		groups[pd.op] = append(groups[pd.op], pd)
	}
	if r.Progress != nil {
		r.Progress.Start(p.spec.Name, int64(len(p.sends)))
	}
	var err error
	var unsent []*pending // rows never sent because the run stopped
	for _, op := range []Op{OpInsert, OpUpsert, OpUpdate, OpDelete} {
		rows := groups[op]
		if err != nil {
			unsent = append(unsent, rows...)
			continue
		}
		step := max(1, p.dest.MaxBatch(op, len(rows)))
		for start := 0; start < len(rows); start += step {
			if err != nil {
				unsent = append(unsent, rows[start:]...)
				break
			}
			err = r.sendBatch(ctx, p, op, rows[start:min(start+step, len(rows))], rep)
		}
	}
	if err != nil && len(unsent) > 0 {
		if ferr := r.recordUnsent(ctx, p, unsent, err, rep); ferr != nil {
			err = errors.Join(err, ferr)
		}
	}
	if r.Progress != nil {
		r.Progress.Done(p.spec.Name, err)
	}
	return err
}

// recordUnsent records the rows a stopped run never sent as NOT_SENT
// failures (retryable): their snapshot is untouched, so the next run sends
// them, and `revops sync failures` and --retry-failed see them.
func (r *Runner) recordUnsent(ctx context.Context, p *prepared, rows []*pending, cause error, rep *Report) error {
	why := cause.Error()
	if len(why) > 300 {
		why = why[:300] + "…"
	}
	failed := make([]failureRow, len(rows))
	for i, pd := range rows {
		failed[i] = failureRow{Key: pd.ch.Key, Err: &RowError{Code: CodeNotSent, Retryable: true,
			Message: "not sent: the run stopped before this row's batch (" + why + ")"}}
	}
	rep.Failed += int64(len(failed))
	rep.addErrors(p.spec.Name, rep.ID, failed)
	r.log().Warn("rows not sent because the sync stopped; they are sent again next run", "sync", p.spec.Name, "rows", len(rows))
	var b batch
	b.failures(p.spec.Name, rep.ID, failed, time.Now().UTC())
	b.counts(rep)
	if err := b.exec(context.WithoutCancel(ctx), r.Warehouse); err != nil {
		return fmt.Errorf("sync %s: record rows not sent: %w", p.spec.Name, err)
	}
	return nil
}

// sendBatch writes one batch and records each row's outcome right after
// the API answers. Every write is recorded in flight before it is sent
// (see inflight.go).
func (r *Runner) sendBatch(ctx context.Context, p *prepared, op Op, rows []*pending, rep *Report) error {
	w, spec := r.Warehouse, p.spec
	keys := make([]string, len(rows))
	recs := make([]Record, len(rows))
	vals := make([][]any, len(rows))
	sentAt := time.Now().UTC()
	for i, pd := range rows {
		keys[i], recs[i] = pd.ch.Key, pd.rec
		var sent any
		if op != OpDelete {
			sent = toJSON(pd.rec.Values)
		}
		vals[i] = []any{spec.Name, pd.ch.Key, rep.ID, string(op), pd.ch.Hash, toJSON(pd.match), sentAt, nullable(pd.rec.ID), sent}
	}
	err := insertRows(ctx, w, `INSERT INTO _revops.sync_inflight (sync, key, run_id, op, row_hash, match_values, sent_at, destination_id, sent_values)`,
		`ON CONFLICT (sync, key) DO UPDATE SET run_id = excluded.run_id, op = excluded.op, row_hash = excluded.row_hash,
			match_values = excluded.match_values, sent_at = excluded.sent_at, destination_id = excluded.destination_id,
			sent_values = excluded.sent_values`, vals)
	if err != nil {
		return fmt.Errorf("sync %s: record in-flight writes: %w", spec.Name, err)
	}
	start := time.Now()
	results, werr := p.dest.Write(ctx, spec.Destination.Object, op, spec.MatchFor(), recs)
	rep.APICalls++
	if werr == nil && len(results) != len(recs) {
		werr = fmt.Errorf("%d results for %d records", len(results), len(recs))
	}
	now := time.Now().UTC()
	// The answer is recorded even when the run is being cancelled, in one
	// transaction with the run's counts.
	bg := context.WithoutCancel(ctx)
	var b batch
	if werr != nil {
		// Nothing is known to be written: every row failed, retryable.
		// The writes stay in flight: the next run resolves them.
		var failed []failureRow
		for _, pd := range rows {
			failed = append(failed, failureRow{Key: pd.ch.Key, Err: &RowError{Code: CodeBatchFailed, Message: werr.Error(), Retryable: true}})
		}
		rep.Failed += int64(len(failed))
		rep.addErrors(spec.Name, rep.ID, failed)
		b.failures(spec.Name, rep.ID, failed, now)
		b.counts(rep)
		if err := b.exec(bg, w); err != nil {
			return fmt.Errorf("sync %s: record failures: %w", spec.Name, err)
		}
		if r.Progress != nil {
			r.Progress.Add(spec.Name, int64(len(rows)))
		}
		return fmt.Errorf("sync %s: %s %d %s records: %w", spec.Name, op, len(rows), spec.Destination.Object, werr)
	}
	var snaps []snapshotRow
	var removed, succeeded []string
	var failed []failureRow
	for i, res := range results {
		pd := rows[i]
		if res.Err != nil && !(op == OpDelete && goneCode(res.Err.Code)) {
			failed = append(failed, failureRow{Key: pd.ch.Key, Err: res.Err})
			continue
		}
		succeeded = append(succeeded, pd.ch.Key)
		switch {
		case op == OpDelete:
			removed = append(removed, pd.ch.Key)
		default:
			id := res.ID
			if id == "" {
				id = pd.rec.ID
			}
			row := snapshotRow{Key: pd.ch.Key, Hash: pd.ch.Hash, DestID: id}
			if pd.ch.Hash != removedHash {
				row.Values = pd.rec.Values
			}
			snaps = append(snaps, row)
		}
	}
	rep.Succeeded += int64(len(succeeded))
	rep.Failed += int64(len(failed))
	b.snapshots(spec.Name, snaps, now)
	b.deleteKeys("sync_snapshots", spec.Name, removed)
	b.deleteKeys("sync_failures", spec.Name, succeeded)
	b.failures(spec.Name, rep.ID, failed, now)
	b.deleteKeys("sync_inflight", spec.Name, keys)
	b.counts(rep)
	if err := b.exec(bg, w); err != nil {
		return fmt.Errorf("sync %s: record the answer to %s %d %s records: %w", spec.Name, op, len(rows), spec.Destination.Object, err)
	}
	rep.addErrors(spec.Name, rep.ID, failed)
	if r.Progress != nil {
		r.Progress.Add(spec.Name, int64(len(rows)))
	}
	r.log().Debug("sync batch", "sync", spec.Name, "op", op, "records", len(rows), "failed", len(failed),
		"took", time.Since(start).Round(time.Millisecond))
	return ctx.Err()
}

// goneCode is a delete failure that means the record is already gone.
func goneCode(code string) bool {
	switch strings.ToUpper(code) {
	case "ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY", "INVALID_DATA_NOT_FOUND", "RECORD_NOT_FOUND":
		return true
	}
	return false
}

func (rep *Report) addErrors(sync, runID string, rows []failureRow) {
	for _, f := range rows {
		if len(rep.Errors) >= maxReportErrors {
			return
		}
		rep.Errors = append(rep.Errors, Failure{Sync: sync, Key: f.Key, Code: f.Err.Code, Message: f.Err.Message,
			Fields: strings.Join(f.Err.Fields, ","), Retryable: f.Err.Retryable, Attempts: 1, RunID: runID})
	}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
