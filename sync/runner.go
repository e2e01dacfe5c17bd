package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
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
	// FullResync compares every row with the destination's current
	// values, read through its API, instead of trusting the snapshot:
	// rows the destination already holds are recorded as written and not
	// sent, rows that drifted are sent (even when the snapshot says they
	// are current), records found deleted follow on_deleted. It costs one
	// read per 100 records (Zoho: 50).
	FullResync bool
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
	// Created, Updated and Deleted count the rows this run wrote by what
	// the destination did with each: a record created (an insert, or an
	// upsert that created), one updated, one deleted. They add up to
	// Succeeded.
	Created int64 `json:"created"`
	Updated int64 `json:"updated"`
	Deleted int64 `json:"deleted"`

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
	// full holds every mapped value (before the write options that apply
	// to existing records dropped some): what a create sends.
	full map[string]any
	// exists: the record is known to exist (an update, or an upsert of a
	// record found); recreate: the create of a record someone deleted.
	exists, recreate bool
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
	stale []string
	// review are rows that matched several records (not sent).
	review []reviewRow
	// current are rows with nothing to send (the destination holds their
	// values, or the write options left nothing): recorded as written
	// before the first write.
	current []snapshotRow
	// unlink are keys whose record was found deleted before sending
	// (--full-resync) under on_deleted: unlink.
	unlink []string
	// recreate are rows whose record turned out deleted while sending,
	// under on_deleted: recreate; send creates them after the rest.
	recreate []*pending
	opts     Options
	report   *Report
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
	d, err := ComputeDiff(ctx, w, spec, DiffOptions{OnlyFailed: opts.RetryFailed, OnlyAdded: spec.Mode == ModeInsert,
		Removed: spec.Mode == ModeMirror && !opts.RetryFailed, Full: opts.FullResync && !opts.RetryFailed, Schema: sc, Picklists: picklists})
	if err != nil {
		return nil, err
	}
	rep.DiffSeconds, rep.NullKeys, rep.Duplicates = d.Seconds, d.NullKeys, d.Duplicates
	rep.Added, rep.Changed, rep.Removed, rep.Unchanged = d.Added, d.Changed, int64(len(d.Removed)), d.Unchanged
	if d.NullKeys > 0 {
		r.log().Warn("model rows with a NULL key are not synced", "sync", spec.Name, "rows", d.NullKeys, "key", spec.Key)
	}
	if len(d.Unlinked) > 0 {
		r.log().Info("rows unlinked from records deleted in the destination are not written (revops sync reset NAME --key K writes them again)",
			"sync", spec.Name, "rows", len(d.Unlinked), "first", d.Unlinked[0])
	}
	p := &prepared{spec: spec, dest: dest, schema: sc, diff: d, stale: d.Stale, report: rep, opts: opts}
	if len(d.Duplicates) > 0 {
		r.log().Warn("duplicate keys in the model: none of their rows is synced", "sync", spec.Name, "keys", len(d.Duplicates), "first", d.Duplicates[0])
		for _, k := range d.Duplicates {
			p.failed = append(p.failed, failureRow{Key: k, Err: &RowError{Code: CodeDuplicateKey,
				Message: fmt.Sprintf("key %q is held by more than one row of the model", k), Fields: []string{spec.Key}}})
		}
	}
	if spec.Mode == ModeMirror && len(d.Removed) > 0 && !opts.AllowMassDelete {
		total, err := queryRows(ctx, w, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = ? AND row_hash <> ? AND row_hash <> ?`,
			spec.Name, removedHash, unlinkedHash)
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
	var built, needFind []*pending
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
		built = append(built, pd)
	}
	if len(needFind) > 0 {
		found, err := r.findIDs(ctx, p, needFind)
		if err != nil {
			return nil, err
		}
		built = append(built, found...)
	}
	if built, err = r.applyWriteOptions(ctx, p, built); err != nil {
		return nil, err
	}
	if opts.FullResync && !opts.RetryFailed {
		if built, err = r.compareWithDestination(ctx, p, built); err != nil {
			return nil, err
		}
	}
	p.sends = append(p.sends, built...)
	for _, c := range d.Removed {
		pd := &pending{ch: c, rec: Record{Key: c.Key, ID: c.DestID, Object: c.DestObject}, exists: true}
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
// written). Fields whose value skip_nulls leaves out are not in the
// record; the options that apply to existing records are applied later
// (applyWriteOptions), once revops knows whether the record exists.
func (p *prepared) build(c Change, picklists map[string]map[string]string) (*pending, *RowError) {
	s, sc := p.spec, p.schema
	pd := &pending{ch: c, rec: Record{Key: c.Key, ID: c.DestID, Object: c.DestObject, Values: map[string]any{}}}
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
			mapped, rerr := mapPicklist(v, picklists[name], f, m.Picklist)
			if rerr != nil {
				return nil, rerr
			}
			v = mapped
		case m.Column != "":
			if rerr := checkColumnUTF8(c.Key, m.Column, name, v); rerr != nil {
				return nil, rerr
			}
		}
		cv, rerr := Coerce(v, f)
		if rerr != nil {
			return nil, rerr
		}
		if m.SkipNulls && isEmpty(cv) {
			continue // never written empty: the destination keeps its value
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
	pd.exists = pd.op == OpUpdate || pd.op == OpUpsert && pd.rec.ID != ""
	if !pd.exists && (pd.op == OpInsert || pd.op == OpUpsert) {
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
		// twice), and an update finds nothing. An entry of several
		// fields counts only when all of them hold a value.
		pd.match = map[string]any{}
		for _, n := range s.matchValueFields() {
			pd.match[n] = pd.rec.Values[n]
		}
		if !usableMatch(s, pd.match) {
			fields := s.matchValueFields()
			return nil, &RowError{Code: CodeMatchValueMissing, Fields: fields, Retryable: true,
				Message: fmt.Sprintf("%s: empty, and rows are matched by %s: a record written without it could not be found again; "+
					"the row is sent once the model gives it a value", strings.Join(s.matchEntryNames(), ", "), plural(len(fields), "it", "them"))}
		}
	case pd.op == OpInsert && s.Match.CreateKey != "":
		if rerr := p.addCreateKey(pd); rerr != nil {
			return nil, rerr
		}
	}
	pd.full = maps.Clone(pd.rec.Values)
	return pd, nil
}

// addCreateKey puts the key of revops's own into a create's values, to be
// found again by.
func (p *prepared) addCreateKey(pd *pending) *RowError {
	s := p.spec
	f := p.schema.Fields[s.Match.CreateKey]
	if f.Name == "" {
		f = Field{Name: s.Match.CreateKey, Type: TypeString}
	}
	v, rerr := Coerce(s.createKeyValue(pd.ch.Key), f)
	if rerr != nil {
		rerr.Message = "match.create_key " + rerr.Message
		return rerr
	}
	pd.rec.Values[s.Match.CreateKey] = v
	pd.match = map[string]any{s.Match.CreateKey: v}
	return nil
}

// usableMatch reports whether match values can find a record: the
// external id holds a value, or every field of one duplicate-check entry
// does.
func usableMatch(s *Spec, match map[string]any) bool {
	if s.Match.By == MatchExternalID {
		return !isEmpty(match[s.Match.Field])
	}
	for _, e := range MatchEntries(s.Match.Fields) {
		ok := len(e) > 0
		for _, f := range e {
			if isEmpty(match[f]) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// matchEntryNames names what the spec matches by.
func (s *Spec) matchEntryNames() []string {
	if s.Match.By == MatchExternalID {
		return []string{s.Match.Field}
	}
	return s.Match.Fields
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

// mapPicklist maps v (a value, a list, or for a multi-select field
// ;-separated text) through m. A value m does not hold passes through
// when the destination's picklist has it (or lists no values); otherwise
// the row fails naming the value and the map.
func mapPicklist(v any, m map[string]string, f Field, source any) (any, *RowError) {
	convert := func(x any) (any, *RowError) {
		k, ok := asText(x)
		if !ok {
			return x, nil
		}
		if to, ok := m[k]; ok {
			return to, nil
		}
		if len(f.Picklist) == 0 || inList(f.Picklist, k) {
			return x, nil
		}
		where := "the inline picklist map"
		if t, ok := source.(string); ok {
			where = "picklist table " + t
		}
		return nil, &RowError{Code: CodePicklistUnmapped, Fields: []string{f.Name},
			Message: fmt.Sprintf("%s: %q is not in %s, nor a value of the field (add it to the map)", f.Name, k, where)}
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, rerr := convert(e)
			if rerr != nil {
				return nil, rerr
			}
			out[i] = c
		}
		return out, nil
	case string:
		if f.Type == TypeMultipicklist && strings.Contains(x, ";") {
			var out []any
			for _, part := range strings.Split(x, ";") {
				if part = strings.TrimSpace(part); part == "" {
					continue
				}
				c, rerr := convert(part)
				if rerr != nil {
					return nil, rerr
				}
				out = append(out, c)
			}
			return out, nil
		}
	}
	return convert(v)
}

// loadPicklists reads the picklist maps of the spec (inline or tables).
// A table that maps one value to two different values is refused: which
// one a row would get is not defined.
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
			pt, err := picklistTableOf(ctx, w, s, name, p)
			if err != nil {
				return nil, err
			}
			rows, err := queryRows(ctx, w, fmt.Sprintf("SELECT CAST(%s AS VARCHAR), CAST(%s AS VARCHAR) FROM %s", pt.from, pt.to, pt.rel))
			if err != nil {
				return nil, &SpecError{Sync: s.Name, Field: name, Reason: fmt.Sprintf("picklist table %s: %v", p, err)}
			}
			m := map[string]string{}
			for _, r := range rows {
				if r[0] == nil || r[1] == nil {
					continue
				}
				from, to := str(r[0]), str(r[1])
				if old, ok := m[from]; ok && old != to {
					return nil, &SpecError{Sync: s.Name, Field: name, Reason: fmt.Sprintf("picklist table %s maps %q to both %q and %q: keep one", p, from, old, to)}
				}
				m[from] = to
			}
			out[name] = m
		}
	}
	return out, nil
}

// findIDs looks up the destination ids of update-mode rows matched by
// external id or duplicate-check fields and returns the rows found; rows
// without a record fail with NOT_FOUND (update mode never creates), rows
// that match several records (a destination that matches itself, see
// Matcher) go to review.
func (r *Runner) findIDs(ctx context.Context, p *prepared, rows []*pending) ([]*pending, error) {
	var out []*pending
	matcher, byMatcher := p.dest.(Matcher)
	byMatcher = byMatcher && p.spec.Match.By == MatchDuplicateCheck
	step := max(1, p.dest.MaxBatch(OpUpdate, len(rows)))
	for start := 0; start < len(rows); start += step {
		batch := rows[start:min(start+step, len(rows))]
		keys := make([]map[string]any, len(batch))
		for i, pd := range batch {
			keys[i] = pd.match
		}
		cands := make([][]Candidate, len(batch))
		var err error
		if byMatcher {
			cands, err = matcher.MatchRecords(ctx, p.spec.Destination.Object, p.spec.MatchFor(), keys)
		} else {
			var ids []string
			ids, err = p.dest.Find(ctx, p.spec.Destination.Object, p.spec.MatchFor(), keys)
			if err == nil && len(ids) != len(batch) {
				err = fmt.Errorf("%d ids for %d keys", len(ids), len(batch))
			}
			for i, id := range ids {
				if id != "" && i < len(cands) {
					cands[i] = []Candidate{{ID: id}}
				}
			}
		}
		p.report.APICalls++
		if err != nil {
			return nil, fmt.Errorf("sync %s: find %s records: %w", p.spec.Name, p.spec.Destination.Object, err)
		}
		if len(cands) != len(batch) {
			return nil, fmt.Errorf("sync %s: find %s records: %d answers for %d keys", p.spec.Name, p.spec.Destination.Object, len(cands), len(batch))
		}
		for i, pd := range batch {
			switch len(cands[i]) {
			case 0:
				p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: &RowError{Code: CodeNotFound,
					Message: fmt.Sprintf("no %s record matches (mode update never creates)", p.spec.Destination.Object)}})
			case 1:
				pd.rec.ID = cands[i][0].ID
				if o := cands[i][0].Object; o != "" && !strings.EqualFold(o, p.spec.Destination.Object) {
					pd.rec.Object = o
				}
				pd.exists = true
				out = append(out, pd)
			default:
				p.review = append(p.review, reviewRow{Key: pd.ch.Key, Candidates: cands[i], Values: pd.rec.Values,
					Message: ambiguousMessage(p.spec.Destination.Object, cands[i])})
			}
		}
	}
	return out, nil
}

// ambiguousMessage says which records a row matched.
func ambiguousMessage(object string, cands []Candidate) string {
	var parts []string
	for _, c := range cands {
		o := c.Object
		if o == "" {
			o = object
		}
		part := o + " " + c.ID
		if c.Via != "" {
			part += " (by " + c.Via + ")"
		}
		parts = append(parts, part)
	}
	return fmt.Sprintf("matches %d records: %s; not written until one is left (merge or delete the others, or change the row)",
		len(cands), strings.Join(parts, ", "))
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
	// Rows with nothing to send (the destination holds their values, or
	// the write options left nothing) are recorded as written, rows
	// found deleted and unlinked as unlinked, rows that match several
	// records as under review.
	now := time.Now().UTC()
	rep.Review += int64(len(p.review))
	var b batch
	b.clearFailures(p.spec.Name, p.stale)
	b.failures(p.spec.Name, rep.ID, p.failed, now)
	b.snapshots(p.spec.Name, p.current, now)
	b.unlink(p.spec.Name, p.unlink, now)
	var settled []string
	for _, c := range p.current {
		settled = append(settled, c.Key)
	}
	b.clearFailures(p.spec.Name, append(settled, p.unlink...))
	b.reviewRows(p.spec.Name, rep.ID, p.review, now)
	b.counts(rep)
	if err := b.exec(ctx, r.Warehouse); err != nil {
		return fmt.Errorf("sync %s: record failures: %w", p.spec.Name, err)
	}
	if len(p.stale) > 0 {
		rep.FailuresCleared = int64(len(p.stale))
		r.log().Info("cleared failures of keys with nothing left to send (they left the model, or their row is as last written)",
			"sync", p.spec.Name, "keys", len(p.stale), "first", p.stale[0])
	}
	if len(p.review) > 0 {
		r.log().Warn("rows whose values match several records are not written (see revops sync review)", "sync", p.spec.Name,
			"rows", len(p.review), "first", p.review[0].Key)
	}
	// Creates first, then upserts of records revops knows, upserts of new
	// keys, updates, removals. Upserts of known records and of new keys go
	// in separate writes: a destination writes the first by id (an update)
	// and the others by their match values, and each write is one call,
	// whose answer is recorded before the next is sent.
	var insert, upsertKnown, upsertNew, update, remove []*pending
	for _, pd := range p.sends {
		switch {
		case pd.op == OpInsert:
			insert = append(insert, pd)
		case pd.op == OpUpsert && pd.rec.ID != "":
			upsertKnown = append(upsertKnown, pd)
		case pd.op == OpUpsert:
			upsertNew = append(upsertNew, pd)
		case pd.op == OpUpdate:
			update = append(update, pd)
		default:
			remove = append(remove, pd)
		}
	}
	if r.Progress != nil {
		r.Progress.Start(p.spec.Name, int64(len(p.sends)))
	}
	var err error
	var unsent []*pending // rows never sent because the run stopped
	for _, g := range []struct {
		op   Op
		rows []*pending
	}{{OpInsert, insert}, {OpUpsert, upsertKnown}, {OpUpsert, upsertNew}, {OpUpdate, update}, {OpDelete, remove}} {
		op, rows := g.op, g.rows
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
	// Records found deleted while sending, under on_deleted: recreate,
	// are created again now (their snapshots were dropped with the answer
	// that found them gone, so a run stopped before this sends them as
	// new rows).
	if len(p.recreate) > 0 {
		again := map[Op][]*pending{}
		for _, pd := range p.recreate {
			again[pd.op] = append(again[pd.op], pd)
		}
		p.recreate = nil
		for _, op := range []Op{OpInsert, OpUpsert} {
			rows := again[op]
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
		vals[i] = []any{spec.Name, pd.ch.Key, rep.ID, string(op), pd.ch.Hash, toJSON(pd.match), sentAt, nullable(pd.rec.ID), sent,
			nullable(pd.rec.Object)}
	}
	err := insertRows(ctx, w, `INSERT INTO _revops.sync_inflight (sync, key, run_id, op, row_hash, match_values, sent_at, destination_id,
			sent_values, destination_object)`,
		`ON CONFLICT (sync, key) DO UPDATE SET run_id = excluded.run_id, op = excluded.op, row_hash = excluded.row_hash,
			match_values = excluded.match_values, sent_at = excluded.sent_at, destination_id = excluded.destination_id,
			sent_values = excluded.sent_values, destination_object = excluded.destination_object`, vals)
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
	var removed, succeeded, unlinked, regone []string
	var failed []failureRow
	var review []reviewRow
	for i, res := range results {
		pd := rows[i]
		switch {
		case res.Err == nil, op == OpDelete && (goneCode(res.Err.Code) || res.Err.Gone):
		case res.Err.Code == CodeAmbiguousMatch:
			review = append(review, reviewRow{Key: pd.ch.Key, Candidates: res.Err.Candidates, Values: pd.rec.Values, Message: res.Err.Message})
			continue
		case res.Err.Gone && pd.rec.ID != "" && (op == OpUpdate || op == OpUpsert):
			r.log().Warn(goneMessage(spec, pd), "sync", spec.Name, "key", pd.ch.Key)
			switch spec.DeletedPolicy() {
			case DeletedUnlink:
				unlinked = append(unlinked, pd.ch.Key)
				continue
			case DeletedRecreate:
				np, rerr := p.recreatePending(pd)
				if rerr == nil {
					regone = append(regone, pd.ch.Key)
					p.recreate = append(p.recreate, np)
					continue
				}
				failed = append(failed, failureRow{Key: pd.ch.Key, Err: rerr})
				continue
			}
			e := *res.Err
			e.Message += " (" + goneMessage(spec, pd) + ")"
			failed = append(failed, failureRow{Key: pd.ch.Key, Err: &e})
			continue
		default:
			failed = append(failed, failureRow{Key: pd.ch.Key, Err: res.Err})
			continue
		}
		succeeded = append(succeeded, pd.ch.Key)
		if pd.recreate {
			rep.Recreated++
		}
		switch {
		case op == OpDelete:
			rep.Deleted++
		case op == OpInsert || res.Created:
			rep.Created++
		default:
			rep.Updated++
		}
		switch {
		case op == OpDelete:
			removed = append(removed, pd.ch.Key)
		default:
			id, obj := res.ID, res.Object
			if id == "" {
				id = pd.rec.ID
			}
			if obj == "" && id == pd.rec.ID {
				obj = pd.rec.Object
			}
			if strings.EqualFold(obj, spec.Destination.Object) {
				obj = ""
			}
			row := snapshotRow{Key: pd.ch.Key, Hash: pd.ch.Hash, DestID: id, Object: obj}
			if pd.ch.Hash != removedHash {
				row.Values = pd.rec.Values
			}
			snaps = append(snaps, row)
		}
	}
	rep.Succeeded += int64(len(succeeded))
	rep.Failed += int64(len(failed))
	rep.Unlinked += int64(len(unlinked))
	rep.Review += int64(len(review))
	b.snapshots(spec.Name, snaps, now)
	b.deleteKeys("sync_snapshots", spec.Name, append(removed, regone...))
	b.unlink(spec.Name, unlinked, now)
	b.clearFailures(spec.Name, append(succeeded, unlinked...))
	b.failures(spec.Name, rep.ID, failed, now)
	b.reviewRows(spec.Name, rep.ID, review, now)
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
