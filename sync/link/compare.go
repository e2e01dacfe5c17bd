package link

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	revsync "github.com/revops/revops/sync"
)

// Failure codes the link engine reports itself (destinations report theirs).
const (
	// CodeUnmapped: a value is not in the field's map (or reverse map).
	CodeUnmapped = "UNMAPPED_VALUE"
	// CodeBatchFailed: the write call failed as a whole.
	CodeBatchFailed = "BATCH_FAILED"
)

// pending is one record to write: the values of every field the run
// writes to it, and the agreed values to record once written.
type pending struct {
	side        int
	left, right string
	rec         revsync.Record
	agreed      map[string]string // field label → canonical value
	before      map[string]any
	labels      map[string]string // destination field name → field label
	// refused is set on the retry of a record the destination refused
	// for some of its fields (sent again without them; counted failed once).
	refused bool
}

// conflictRow is one conflict and its decision.
type conflictRow struct {
	Conflict
}

// Conflict is one field both sides changed to different values since
// they last agreed, and how it was decided.
type Conflict struct {
	Link           string    `json:"link"`
	LeftID         string    `json:"left_id"`
	RightID        string    `json:"right_id"`
	Field          string    `json:"field"`
	Base           string    `json:"base"`
	LeftValue      string    `json:"left_value"`
	RightValue     string    `json:"right_value"`
	LeftChangedAt  time.Time `json:"left_changed_at"`
	RightChangedAt time.Time `json:"right_changed_at"`
	Winner         string    `json:"winner"`
	Rule           string    `json:"rule"`
	Reason         string    `json:"reason"`
	RunID          string    `json:"run_id,omitempty"`
	DecidedAt      time.Time `json:"decided_at"`
}

// outcome is what a comparison decided.
type outcome struct {
	agree []agreement
	// ok are the fields compared without failure that have a failure
	// recorded (it clears).
	ok        []agreement
	failures  []failure
	conflicts []conflictRow
	writes    [2][]*pending
	gone      [][2]string // pairs whose recorded failures no longer apply
}

// value is a side's value of f: raw as the side holds it, canonical in
// the comparison space (the right side's values: left values go through
// the map).
func (e *engine) value(f *rtField, side int, r *record) (raw any, c string, err error) {
	vals := make([]any, 0, 2)
	for _, n := range f.Names(side) {
		vals = append(vals, r.vals[strings.ToLower(n)])
	}
	raw = joined(vals)
	if st := e.stale[side][r.id]; st != nil {
		if v, ok := st[f.Label()]; ok {
			return raw, v, nil
		}
	}
	v := raw
	if side == 0 && f.lr != nil {
		t := text(raw)
		if t == "" || t == "-None-" {
			v = nil
		} else if m, ok := f.lr[t]; ok {
			v = m
		} else {
			return raw, "", fmt.Errorf("%s %s value %q is not in fields[%d].map", e.spec.Left.Source, strings.Join(f.left, "+"), t, f.idx)
		}
	}
	return raw, canon(f.typ, v, e.region), nil
}

// backTo reports whether the right value cr (canonical) translates back
// through the field's reverse map to the left value left (as extracted):
// with a map that is not one to one, a left value and a right value are
// the same when either translates to the other. False without a map, for
// an empty value, and when left is unknown (nil).
func (f *rtField) backTo(cr string, left any) bool {
	if f.rl == nil || cr == "" || left == nil {
		return false
	}
	l, ok := f.rl[cr]
	return ok && l != "" && l == text(left)
}

// changedAt is when a side's field took its value: its own change time
// from the history, else the record's modified time (the system's clock).
func changedAt(f *rtField, side int, r *record) time.Time {
	var t time.Time
	for _, n := range f.Names(side) {
		if c, ok := r.changed[strings.ToLower(n)]; ok && c.After(t) {
			t = c
		}
	}
	if t.IsZero() {
		return r.modified
	}
	return t
}

// compare runs the three-way comparison of every paired record's fields.
func (e *engine) compare(ctx context.Context, data [2]*sideData, p *pairing) (*outcome, error) {
	s := e.spec
	rows, err := queryRows(ctx, e.w, `SELECT left_id, right_id, field, value FROM _revops.link_values WHERE link = ?`, s.Name)
	if err != nil {
		return nil, fmt.Errorf("link %s: read agreed values: %w", s.Name, err)
	}
	base := map[[3]string]string{}
	for _, r := range rows {
		base[[3]string{str(r[0]), str(r[1]), str(r[2])}] = str(r[3])
	}
	out := &outcome{}
	// Failures of pairs that no longer exist (a record deleted or
	// converted, a pairing key changed) are cleared; those of fields
	// compared without failure too. Only the fields that have one are
	// cleared: a run's deletes follow the failures recorded, not every
	// field of every pair.
	fails, err := queryRows(ctx, e.w, `SELECT left_id, right_id, field FROM _revops.link_failures WHERE link = ?`, s.Name)
	if err != nil {
		return nil, fmt.Errorf("link %s: read failures: %w", s.Name, err)
	}
	current := make(map[[2]string]bool, len(p.pairs))
	for _, pr := range p.pairs {
		current[pr] = true
	}
	e.failing = make(map[agreement]bool, len(fails))
	goneSeen := map[[2]string]bool{}
	for _, f := range fails {
		pr := [2]string{str(f[0]), str(f[1])}
		e.failing[agreement{Left: pr[0], Right: pr[1], Field: str(f[2])}] = true
		if !current[pr] && !goneSeen[pr] {
			goneSeen[pr] = true
			out.gone = append(out.gone, pr)
		}
	}
	byRec := [2]map[string]*pending{{}, {}}
	// A pair with a conflict needs its fields' change times, from the
	// history: it is compared once the history of every such pair is
	// read, so a run reads the history of the records in conflict only.
	var later [][2]string
	for _, pr := range p.pairs {
		if !e.comparePair(pr, data, base, out, byRec, false) {
			later = append(later, pr)
		}
	}
	if len(later) > 0 {
		var ids [2][]string
		for _, pr := range later {
			ids[0], ids[1] = append(ids[0], pr[0]), append(ids[1], pr[1])
		}
		for i := range 2 {
			if err := e.date(ctx, data[i], ids[i]); err != nil {
				return nil, err
			}
		}
		for _, pr := range later {
			e.comparePair(pr, data, base, out, byRec, true)
		}
	}
	e.rep.Agreed += int64(len(out.agree))
	e.rep.Conflicts += int64(len(out.conflicts))
	e.rep.Failed += int64(len(out.failures))
	e.addFailures(out.failures)
	for i, c := range out.conflicts {
		if i >= maxReportItems {
			break
		}
		e.rep.Decided = append(e.rep.Decided, c.Conflict)
	}
	return out, nil
}

// comparePair runs the three-way comparison of one pair's fields into
// out. It returns false, adding nothing, when a field is in conflict and
// a record's change times are not read yet (see date): the caller
// compares the pair again once they are, with dated set (the pair is
// then compared whatever the times).
func (e *engine) comparePair(pr [2]string, data [2]*sideData, base map[[3]string]string, out *outcome, byRec [2]map[string]*pending, dated bool) bool {
	s := e.spec
	var err error
	// The pair's results are staged and added at the end, so a pair
	// put off adds nothing.
	var loc outcome
	var fresh []*pending
	recs := [2]*record{data[0].recs[pr[0]], data[1].recs[pr[1]]}
	busy := false
	for _, f := range e.fields {
		key := agreement{Left: pr[0], Right: pr[1], Field: f.Label()}
		var raw [2]any
		var c [2]string
		var bad error
		for i := range 2 {
			if raw[i], c[i], err = e.value(f, i, recs[i]); err != nil && bad == nil {
				bad = err
			}
		}
		if bad != nil {
			loc.failures = append(loc.failures, failure{Left: pr[0], Right: pr[1], Field: f.Label(), Code: CodeUnmapped, Message: bad.Error()})
			busy = true
			continue
		}
		b, hasBase := base[[3]string{pr[0], pr[1], f.Label()}]
		// The left value as extracted (nil when revops wrote the
		// record since: the extract is older than what it holds).
		var left any = raw[0]
		if _, stale := e.stale[0][recs[0].id][f.Label()]; stale {
			left = nil
		}
		if c[0] == c[1] || f.backTo(c[1], left) {
			if e.failing[key] {
				loc.ok = append(loc.ok, key)
			}
			if !hasBase || b != c[1] {
				key.Value = c[1]
				loc.agree = append(loc.agree, key)
			}
			continue
		}
		changed := [2]bool{c[0] != b && !f.backTo(b, left), c[1] != b}
		to, conflict, reason := e.decide(f, hasBase, changed, c, recs)
		if conflict && !dated && (!data[0].datedFor(recs[0]) || !data[1].datedFor(recs[1])) {
			return false
		}
		if conflict {
			win := 1 - to
			loc.conflicts = append(loc.conflicts, conflictRow{Conflict{Link: s.Name, LeftID: pr[0], RightID: pr[1], Field: f.Label(),
				Base: b, LeftValue: c[0], RightValue: c[1], LeftChangedAt: changedAt(f, 0, recs[0]), RightChangedAt: changedAt(f, 1, recs[1]),
				Winner: s.Sides()[win].Source, Rule: f.ownerName(s), Reason: reason, RunID: e.rep.ID, DecidedAt: e.r.now()}})
		}
		if to < 0 {
			if e.failing[key] {
				loc.ok = append(loc.ok, key)
			}
			continue
		}
		from := 1 - to
		vals, werr := e.writeValues(f, from, to, raw[from])
		if werr != nil {
			loc.failures = append(loc.failures, failure{Left: pr[0], Right: pr[1], Field: f.Label(), Side: s.Sides()[to].Source,
				Code: werr.Code, Message: werr.Message})
			busy = true
			continue
		}
		pd := byRec[to][recs[to].id]
		for _, f := range fresh {
			if pd == nil && f.side == to && f.rec.ID == recs[to].id {
				pd = f
			}
		}
		if pd == nil {
			pd = &pending{side: to, left: pr[0], right: pr[1], rec: revsync.Record{Key: pr[0] + "|" + pr[1], ID: recs[to].id, Values: map[string]any{}},
				agreed: map[string]string{}, before: map[string]any{}, labels: map[string]string{}}
			fresh = append(fresh, pd)
		}
		for n, v := range vals {
			pd.rec.Values[n] = v
			pd.before[n] = recs[to].vals[strings.ToLower(n)]
			pd.labels[n] = f.Label()
		}
		pd.agreed[f.Label()] = c[from]
		busy = true
	}
	if !busy {
		e.rep.Unchanged++
	}
	out.ok = append(out.ok, loc.ok...)
	out.agree = append(out.agree, loc.agree...)
	out.failures = append(out.failures, loc.failures...)
	out.conflicts = append(out.conflicts, loc.conflicts...)
	for _, pd := range fresh {
		byRec[pd.side][pd.rec.ID] = pd
		out.writes[pd.side] = append(out.writes[pd.side], pd)
	}
	return true
}

func (e *engine) addFailures(fs []failure) {
	now := e.r.now()
	for _, f := range fs {
		if len(e.rep.Errors) >= maxReportItems {
			return
		}
		e.rep.Errors = append(e.rep.Errors, Failure{Link: e.spec.Name, LeftID: f.Left, RightID: f.Right, Field: f.Field, Side: f.Side,
			Code: f.Code, Message: f.Message, LastSeen: now})
	}
}

// decide says which side a differing field is written to (-1: none),
// and whether that is a conflict (both sides changed since they last
// agreed, or differ on first comparison) decided by the owner rule.
func (e *engine) decide(f *rtField, hasBase bool, changed [2]bool, c [2]string, recs [2]*record) (to int, conflict bool, reason string) {
	switch f.owner {
	case ownerFill:
		switch {
		case c[0] == "":
			return 0, false, ""
		case c[1] == "":
			return 1, false, ""
		}
		return -1, false, ""
	case ownerReadOnly:
		src := f.side
		if hasBase && !changed[src] || !hasBase && c[src] == "" {
			return -1, false, "" // the source did not change (the other side's edits are not copied back)
		}
		return 1 - src, false, ""
	}
	if hasBase {
		lc, rc := changed[0], changed[1]
		switch {
		case lc && !rc:
			return 1, false, ""
		case rc && !lc:
			return 0, false, ""
		}
	} else {
		// First comparison: an empty side takes the other's value; it
		// never empties a side.
		switch {
		case c[0] == "":
			return 0, false, ""
		case c[1] == "":
			return 1, false, ""
		}
	}
	win, reason := f.side, "owner "+e.spec.Sides()[f.side].Source
	if f.owner == ownerNewest {
		win, reason = e.newest(f, changedAt(f, 0, recs[0]), changedAt(f, 1, recs[1]))
	}
	if !hasBase {
		reason = "first comparison (no agreed value yet): " + reason
	}
	return 1 - win, true, reason
}

// newest orders two changes made on two clocks. Each side's change time
// is corrected by the side's measured offset (±1 s: whole-second clocks);
// a side whose clock revops has not measured yet is trusted only to
// within max_clock_skew. Changes that cannot be ordered within those
// bounds go to the tie side, and the reason says so: a clock running
// ahead never wins by itself.
func (e *engine) newest(f *rtField, tl, tr time.Time) (int, string) {
	s := e.spec
	name := func(i int) string { return s.Sides()[i].Source }
	if tl.IsZero() || tr.IsZero() {
		return f.tie, fmt.Sprintf("newest: a change time is unknown, so the tie goes to %s", name(f.tie))
	}
	t := [2]time.Time{tl, tr}
	var c [2]time.Time
	var u [2]time.Duration
	var how [2]string
	for i := range 2 {
		if e.measured[i] {
			c[i], u[i] = t[i].Add(-e.offsets[i]), time.Second
			how[i] = fmt.Sprintf("clock offset %s measured", e.offsets[i].Round(time.Millisecond))
		} else {
			c[i], u[i] = t[i], s.skew
			how[i] = fmt.Sprintf("clock not measured yet, trusted to %s", s.skew)
		}
	}
	desc := fmt.Sprintf("%s changed at %s (%s), %s at %s (%s)", name(0), c[0].UTC().Format(time.RFC3339), how[0],
		name(1), c[1].UTC().Format(time.RFC3339), how[1])
	switch {
	case c[0].Add(-u[0]).After(c[1].Add(u[1])):
		return 0, "newest: " + desc
	case c[1].Add(-u[1]).After(c[0].Add(u[0])):
		return 1, "newest: " + desc
	}
	return f.tie, fmt.Sprintf("newest cannot order the changes: %s; closer than the clocks can be trusted, so the tie goes to %s", desc, name(f.tie))
}

// writeValues turns a side's raw value into the values to write to the
// other side's fields: through the map (or reverse map), split or
// joined, coerced to each field's type.
func (e *engine) writeValues(f *rtField, from, to int, raw any) (map[string]any, *revsync.RowError) {
	v := raw
	if f.lr != nil {
		m := f.lr
		key := "map"
		if from == 1 {
			m, key = f.rl, "reverse map"
			if f.Reverse == nil {
				key = "map (inverted)"
			}
		}
		t := text(raw)
		if t == "" || t == "-None-" {
			v = nil
		} else if mv, ok := m[t]; ok {
			v = mv
		} else {
			return nil, &revsync.RowError{Code: CodeUnmapped, Fields: f.Names(to),
				Message: fmt.Sprintf("%s %s value %q is not in fields[%d].%s", e.spec.Sides()[from].Source, strings.Join(f.Names(from), "+"), t, f.idx, key)}
		}
	}
	names := f.Names(to)
	vals := []any{v}
	if len(names) == 2 {
		vals = split(v)
	}
	out := map[string]any{}
	for i, n := range names {
		x := vals[i]
		if len(f.meta[to]) > i && f.meta[to][i].Name != "" {
			cv, rerr := revsync.Coerce(x, f.meta[to][i])
			if rerr != nil {
				return nil, rerr
			}
			x = cv
		}
		out[n] = x
	}
	return out, nil
}

// conflicts adds the recording of decided conflicts (one row per distinct
// conflict: a conflict seen again while its write is retried keeps its
// first decision).
func (e *engine) conflicts(b *batch, rows []conflictRow, at time.Time) {
	vals := make([][]any, len(rows))
	for i, c := range rows {
		vals[i] = []any{c.Link, c.LeftID, c.RightID, c.Field, c.Base, c.LeftValue, c.RightValue, nullTime(c.LeftChangedAt),
			nullTime(c.RightChangedAt), c.Winner, c.Rule, c.Reason, e.rep.ID, at}
	}
	b.insert(`INSERT INTO _revops.link_conflicts (link, left_id, right_id, field, base, left_value, right_value, left_changed_at,
		right_changed_at, winner, rule, reason, run_id, decided_at)`, `ON CONFLICT DO NOTHING`, vals)
}

// planWrites fills the report with the writes a run would send and the
// write calls they would spend.
func (e *engine) planWrites(out *outcome, data [2]*sideData) error {
	for i := range 2 {
		ws := out.writes[i]
		if len(ws) == 0 {
			continue
		}
		step := max(1, e.dests[i].MaxBatch(revsync.OpUpdate, len(ws)))
		e.rep.Sides[i].PlannedCalls = int64((len(ws) + step - 1) / step)
		e.rep.Sides[i].Updated = int64(len(ws))
		e.rep.Updated += int64(len(ws))
		for _, pd := range ws {
			e.rep.Sides[i].Fields += int64(len(pd.rec.Values))
			w := PlannedWrite{Side: e.spec.Sides()[i].Source, Object: e.spec.Sides()[i].Object, RecordID: pd.rec.ID, LeftID: pd.left,
				RightID: pd.right, Fields: map[string]FieldChange{}}
			for n, v := range pd.rec.Values {
				w.Fields[n] = FieldChange{Before: pd.before[n], After: v}
			}
			e.rep.Writes = append(e.rep.Writes, w)
		}
	}
	sort.SliceStable(e.rep.Writes, func(a, b int) bool {
		if e.rep.Writes[a].Side != e.rep.Writes[b].Side {
			return e.rep.Writes[a].Side < e.rep.Writes[b].Side
		}
		return e.rep.Writes[a].RecordID < e.rep.Writes[b].RecordID
	})
	return nil
}

// recover resolves the writes an earlier run sent without recording the
// answer (it was killed, or the call failed as a whole): each record is
// read back; one holding every value sent is recorded as written
// (recovered), not sent again; the others are dropped from flight, and
// the comparison sends what is still needed.
func (e *engine) recover(ctx context.Context) error {
	s := e.spec
	rows, err := queryRows(ctx, e.w, `SELECT side, record_id, left_id, right_id, sent_values, agreed, sent_at FROM _revops.link_inflight
		WHERE link = ? ORDER BY side, record_id`, s.Name)
	if err != nil {
		return fmt.Errorf("link %s: read writes in flight: %w", s.Name, err)
	}
	if len(rows) == 0 {
		return nil
	}
	type fl struct {
		side            int
		id, left, right string
		sent            map[string]any
		agreed          map[string]string
		sentAt          time.Time
	}
	var all []fl
	ids := [2][]string{}
	fields := [2]map[string]bool{{}, {}}
	for _, r := range rows {
		f := fl{side: int(num(r[0])), id: str(r[1]), left: str(r[2]), right: str(r[3]), sentAt: tm(r[6])}
		_ = json.Unmarshal([]byte(str(r[4])), &f.sent)
		_ = json.Unmarshal([]byte(str(r[5])), &f.agreed)
		all = append(all, f)
		ids[f.side] = append(ids[f.side], f.id)
		for n := range f.sent {
			fields[f.side][n] = true
		}
	}
	var got [2]map[string]map[string]any
	for i := range 2 {
		if len(ids[i]) == 0 {
			continue
		}
		if e.dests[i] == nil {
			return fmt.Errorf("link %s: %d writes in flight to %s, which has no destination", s.Name, len(ids[i]), s.Sides()[i].Source)
		}
		got[i] = map[string]map[string]any{}
		for start := 0; start < len(ids[i]); start += 100 {
			part := ids[i][start:min(start+100, len(ids[i]))]
			m, err := e.dests[i].Read(ctx, s.Sides()[i].Object, part, sortedKeys(fields[i]))
			if err != nil {
				return fmt.Errorf("link %s: read back %d writes of a killed run from %s %s: %w", s.Name, len(ids[i]), s.Sides()[i].Source, s.Sides()[i].Object, err)
			}
			for id, v := range m {
				got[i][id] = v
			}
		}
	}
	now := e.r.now()
	var agreed []agreement
	var written, values [][]any
	var b batch
	for _, f := range all {
		cur, ok := got[f.side][f.id]
		if !ok {
			continue
		}
		same := true
		for n, v := range f.sent {
			typ := typeText
			if e.schemas[f.side] != nil {
				typ = typeOf(lookupField(e.schemas[f.side], n).Type)
			}
			if canon(typ, v, e.region) != canon(typ, cur[n], e.region) {
				same = false
				break
			}
		}
		if !same {
			continue
		}
		e.rep.Recovered++
		for label, v := range f.agreed {
			agreed = append(agreed, agreement{Left: f.left, Right: f.right, Field: label, Value: v})
		}
		written = append(written, []any{s.Name, int64(f.side), f.id, f.sentAt, now, toJSON(f.agreed)})
		values = append(values, []any{s.Name, s.Sides()[f.side].Source, s.Sides()[f.side].Object, f.id, now, toJSON(f.sent)})
	}
	b.insert(writtenValuesInsert, writtenValuesConflict, values)
	b.agree(s.Name, agreed, now)
	b.insert(`INSERT INTO _revops.link_writes (link, side, record_id, sent_at, answered_at, agreed)`,
		`ON CONFLICT (link, side, record_id) DO UPDATE SET sent_at = excluded.sent_at, answered_at = excluded.answered_at, agreed = excluded.agreed`, written)
	b.add(`DELETE FROM _revops.link_inflight WHERE link = ?`, s.Name)
	e.counts(&b)
	if err := b.exec(context.WithoutCancel(ctx), e.w); err != nil {
		return fmt.Errorf("link %s: record the writes in flight resolved: %w", s.Name, err)
	}
	e.r.log().Info("resolved writes of a killed run", "link", s.Name, "writes", len(all), "recovered", e.rep.Recovered)
	return nil
}

// clocks measures each side's clock offset from revops's own writes and
// marks records whose extract is older than revops's last write to them
// (stale: they hold what revops wrote).
//
// For a write revops sent at time S (revops's clock) and confirmed, the
// record's modified time M in any extract read after the answer was
// stamped by the system at or after the write, so M - S is at least the
// system's clock offset... and at most the offset plus the time between
// the write and the record's latest change: every such sample bounds the
// offset from above, and the smallest of them is the estimate (a
// whole-second clock makes it up to a second low). A run with fresh
// samples stores the estimate per source in _revops.link_clocks (the
// smaller of it and a stored one less than a day old); a run without
// keeps the stored one.
func (e *engine) clocks(ctx context.Context, data [2]*sideData, save bool) error {
	s := e.spec
	rows, err := queryRows(ctx, e.w, `SELECT side, record_id, sent_at, answered_at, agreed FROM _revops.link_writes WHERE link = ?`, s.Name)
	if err != nil {
		return fmt.Errorf("link %s: read revops's writes: %w", s.Name, err)
	}
	var best [2]time.Duration
	var have [2]bool
	e.stale = [2]map[string]map[string]string{{}, {}}
	for _, r := range rows {
		side, id, sent, answered := int(num(r[0])), str(r[1]), tm(r[2]), tm(r[3])
		if side < 0 || side > 1 {
			continue
		}
		rec := data[side].recs[id]
		if rec == nil {
			continue
		}
		if rec.extracted.IsZero() || !rec.extracted.After(answered) {
			var agreed map[string]string
			_ = json.Unmarshal([]byte(str(r[4])), &agreed)
			e.stale[side][id] = agreed
			continue
		}
		if rec.modified.IsZero() {
			continue
		}
		d := rec.modified.Sub(sent)
		if !have[side] || d < best[side] {
			best[side], have[side] = d, true
		}
	}
	now := e.r.now()
	stored, err := queryRows(ctx, e.w, `SELECT source, offset_ms, measured_at FROM _revops.link_clocks WHERE source IN (?, ?)`, s.Left.Source, s.Right.Source)
	if err != nil {
		return fmt.Errorf("link %s: read clock offsets: %w", s.Name, err)
	}
	old := map[string][2]any{}
	for _, r := range stored {
		old[str(r[0])] = [2]any{time.Duration(num(r[1])) * time.Millisecond, tm(r[2])}
	}
	var b batch
	for i, sd := range s.Sides() {
		prev, known := old[sd.Source]
		switch {
		case have[i]:
			off := best[i]
			if known && now.Sub(prev[1].(time.Time)) < 24*time.Hour && prev[0].(time.Duration) < off {
				off = prev[0].(time.Duration)
			}
			e.offsets[i], e.measured[i] = off, true
			b.add(`INSERT INTO _revops.link_clocks (source, offset_ms, samples, measured_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (source) DO UPDATE SET offset_ms = excluded.offset_ms, samples = link_clocks.samples + 1, measured_at = excluded.measured_at`,
				sd.Source, off.Milliseconds(), now)
		case known:
			e.offsets[i], e.measured[i] = prev[0].(time.Duration), true
		}
	}
	if save {
		if err := b.exec(ctx, e.w); err != nil {
			return fmt.Errorf("link %s: record clock offsets: %w", s.Name, err)
		}
	}
	return nil
}

// Conflicts lists the logged conflicts of the named links (all when
// empty), newest first, at most limit (0 = all).
func Conflicts(ctx context.Context, w Warehouse, names []string, limit int) ([]Conflict, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := whereLinks(`SELECT link, left_id, right_id, field, base, left_value, right_value, left_changed_at, right_changed_at,
		winner, rule, reason, run_id, decided_at FROM _revops.link_conflicts`, nil, names)
	q += ` ORDER BY decided_at DESC, link, left_id, field`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("link: list conflicts: %w", err)
	}
	out := make([]Conflict, len(rows))
	for i, r := range rows {
		out[i] = Conflict{Link: str(r[0]), LeftID: str(r[1]), RightID: str(r[2]), Field: str(r[3]), Base: str(r[4]), LeftValue: str(r[5]),
			RightValue: str(r[6]), LeftChangedAt: tm(r[7]), RightChangedAt: tm(r[8]), Winner: str(r[9]), Rule: str(r[10]), Reason: str(r[11]),
			RunID: str(r[12]), DecidedAt: tm(r[13])}
	}
	return out, nil
}
