package link

import (
	"context"
	"fmt"
	"strings"
	"time"

	revsync "github.com/revops/revops/sync"
)

// Transition states in _revops.link_transitions.
const (
	statePending = "pending" // seen, not acted on yet
	stateSending = "sending" // its write was sent; the answer is not recorded
	stateFired   = "fired"
)

// transitions detects and fires the link's transitions. A record's field
// is compared with the value revops saw last (_revops.link_seen); a
// change to a value in on.to (from one in on.from) is recorded, keyed by
// (record, from, to, time of the change), as pending in the transaction
// that records the new value seen. Pending transitions are then written:
// marked sending before the call, fired with the answer. A run killed in
// between leaves them sending: the next run reads the target record and
// marks them fired when it holds the values, else sends them again. The
// first run of a transition only records what it sees (changes before
// the link existed are not acted on).
func (e *engine) transitions(ctx context.Context, data [2]*sideData, p *pairing) error {
	s := e.spec
	partner := [2]map[string]string{{}, {}}
	for _, pr := range p.pairs {
		partner[0][pr[0]], partner[1][pr[1]] = pr[1], pr[0]
	}
	for ti := range s.Transitions {
		t := &s.Transitions[ti]
		if err := e.detect(ctx, t, data[t.on]); err != nil {
			return err
		}
		if err := e.fire(ctx, t, partner); err != nil {
			return err
		}
	}
	return nil
}

func transitionValue(v any) string {
	s := text(v)
	if s == "-None-" {
		return ""
	}
	return s
}

func (e *engine) detect(ctx context.Context, t *Transition, sd *sideData) error {
	s := e.spec
	rows, err := queryRows(ctx, e.w, `SELECT record_id, value FROM _revops.link_seen WHERE link = ? AND transition = ?`, s.Name, t.Name)
	if err != nil {
		return fmt.Errorf("link %s: transition %s: read values seen: %w", s.Name, t.Name, err)
	}
	seen := make(map[string]string, len(rows))
	for _, r := range rows {
		seen[str(r[0])] = str(r[1])
	}
	baseline := len(rows) == 0
	now := e.r.now()
	field := strings.ToLower(t.On.Field)
	var upd, fired [][]any
	type fire struct{ id, old, v string }
	var fires []fire
	var ids []string
	for _, id := range sd.order {
		r := sd.recs[id]
		if !r.pass {
			continue // left out by the link's filter: it takes no part
		}
		v := transitionValue(r.vals[field])
		old, had := seen[id]
		if had && old == v {
			continue
		}
		upd = append(upd, []any{s.Name, t.Name, id, v, now})
		if baseline || !inList(t.to, v) || t.from != nil && !inList(t.from, old) {
			continue
		}
		fires = append(fires, fire{id, old, v})
		ids = append(ids, id)
	}
	// The time of each change, from the history of the records that
	// fire only.
	if err := e.date(ctx, sd, ids); err != nil {
		return err
	}
	for _, fr := range fires {
		id, old, v, r := fr.id, fr.old, fr.v, sd.recs[fr.id]
		at := r.changed[field]
		if at.IsZero() {
			at = r.modified
		}
		if at.IsZero() {
			at = r.extracted
		}
		fired = append(fired, []any{s.Name, t.Name, id, old, v, at, statePending, e.rep.ID, now})
	}
	var b batch
	b.insert(`INSERT INTO _revops.link_seen (link, transition, record_id, value, seen_at)`,
		`ON CONFLICT (link, transition, record_id) DO UPDATE SET value = excluded.value, seen_at = excluded.seen_at`, upd)
	b.insert(`INSERT INTO _revops.link_transitions (link, transition, record_id, from_value, to_value, changed_at, state, run_id, detected_at)`,
		`ON CONFLICT DO NOTHING`, fired)
	if err := b.exec(ctx, e.w); err != nil {
		return fmt.Errorf("link %s: transition %s: record changes seen: %w", s.Name, t.Name, err)
	}
	return nil
}

func (e *engine) fire(ctx context.Context, t *Transition, partner [2]map[string]string) error {
	s := e.spec
	rows, err := queryRows(ctx, e.w, `SELECT record_id, from_value, to_value, changed_at, state, target_id FROM _revops.link_transitions
		WHERE link = ? AND transition = ? AND state IN (?, ?) ORDER BY changed_at, record_id`, s.Name, t.Name, statePending, stateSending)
	if err != nil {
		return fmt.Errorf("link %s: transition %s: read pending: %w", s.Name, t.Name, err)
	}
	if len(rows) == 0 {
		return nil
	}
	dest, obj := e.dests[t.set], s.Sides()[t.set].Object
	values := map[string]any{}
	for _, n := range sortedKeys(t.Set.Values) {
		v := t.Set.Values[n]
		if e.schemas[t.set] != nil {
			cv, rerr := revsync.Coerce(v, lookupField(e.schemas[t.set], n))
			if rerr != nil {
				return fmt.Errorf("link %s: transition %s: set.values.%s: %s", s.Name, t.Name, n, rerr.Message)
			}
			v = cv
		}
		values[n] = v
	}
	type key struct {
		rec, from, to string
		at            time.Time
	}
	byTarget := map[string][]key{}
	var order, sending []string
	var unpaired [][]any
	for _, r := range rows {
		k := key{str(r[0]), str(r[1]), str(r[2]), tm(r[3])}
		target := k.rec
		if t.set != t.on {
			target = partner[t.on][k.rec]
		}
		if target == "" {
			unpaired = append(unpaired, []any{"not paired: no record on " + s.Sides()[t.set].Source + " to set", s.Name, t.Name, k.rec, k.from, k.to, k.at})
			continue
		}
		if _, ok := byTarget[target]; !ok {
			order = append(order, target)
			if str(r[4]) == stateSending {
				sending = append(sending, target)
			}
		}
		byTarget[target] = append(byTarget[target], k)
	}
	var b batch
	for _, u := range unpaired {
		b.add(`UPDATE _revops.link_transitions SET error = ? WHERE link = ? AND transition = ? AND record_id = ? AND from_value = ?
			AND to_value = ? AND changed_at = ?`, u...)
	}
	if err := b.exec(ctx, e.w); err != nil {
		return fmt.Errorf("link %s: transition %s: %w", s.Name, t.Name, err)
	}
	mark := func(b *batch, target, state string, errMsg any, at any) {
		for _, k := range byTarget[target] {
			b.add(`UPDATE _revops.link_transitions SET state = ?, target_id = ?, run_id = ?, error = ?, fired_at = ? WHERE link = ? AND transition = ?
				AND record_id = ? AND from_value = ? AND to_value = ? AND changed_at = ?`,
				state, target, e.rep.ID, errMsg, at, s.Name, t.Name, k.rec, k.from, k.to, k.at)
		}
	}
	// A write a killed run sent: fired when the record holds the values.
	done := map[string]bool{}
	if len(sending) > 0 {
		got, err := dest.Read(ctx, obj, sending, sortedKeys(values))
		if err != nil {
			return fmt.Errorf("link %s: transition %s: read back %d writes of a killed run: %w", s.Name, t.Name, len(sending), err)
		}
		var b batch
		now := e.r.now()
		for _, target := range sending {
			cur, ok := got[target]
			if !ok {
				continue
			}
			same := true
			for n, v := range values {
				typ := typeOf(lookupField(e.schemas[t.set], n).Type)
				if canon(typ, v, e.region) != canon(typ, cur[n], e.region) {
					same = false
				}
			}
			if same {
				done[target] = true
				e.rep.Recovered++
				mark(&b, target, stateFired, nil, now)
			}
		}
		e.counts(&b)
		if err := b.exec(context.WithoutCancel(ctx), e.w); err != nil {
			return fmt.Errorf("link %s: transition %s: %w", s.Name, t.Name, err)
		}
	}
	var todo []string
	for _, target := range order {
		if !done[target] {
			todo = append(todo, target)
		}
	}
	step := max(1, dest.MaxBatch(revsync.OpUpdate, len(todo)))
	for start := 0; start < len(todo); start += step {
		part := todo[start:min(start+step, len(todo))]
		var pre batch
		recs := make([]revsync.Record, len(part))
		for j, target := range part {
			mark(&pre, target, stateSending, nil, nil)
			recs[j] = revsync.Record{Key: t.Name + ":" + target, ID: target, Values: values}
		}
		if err := pre.exec(ctx, e.w); err != nil {
			return fmt.Errorf("link %s: transition %s: record writes in flight: %w", s.Name, t.Name, err)
		}
		results, werr := dest.Write(ctx, obj, revsync.OpUpdate, revsync.Match{By: revsync.MatchID}, recs)
		if werr == nil && len(results) != len(recs) {
			werr = fmt.Errorf("%d results for %d records", len(results), len(recs))
		}
		if werr != nil {
			// Left sending: the next run reads the records back.
			return fmt.Errorf("link %s: transition %s: update %d %s records: %w", s.Name, t.Name, len(part), obj, werr)
		}
		now := e.r.now()
		var b batch
		for j, res := range results {
			if res.Err != nil {
				mark(&b, part[j], statePending, res.Err.Code+": "+res.Err.Message, nil)
				e.rep.Failed++
				continue
			}
			mark(&b, part[j], stateFired, nil, now)
			e.rep.Transitions += int64(len(byTarget[part[j]]))
		}
		e.counts(&b)
		if err := b.exec(context.WithoutCancel(ctx), e.w); err != nil {
			return fmt.Errorf("link %s: transition %s: record answers: %w", s.Name, t.Name, err)
		}
	}
	return nil
}

// Fired lists a link's transitions with their state (all links when
// name is empty), newest first.
func Fired(ctx context.Context, w Warehouse, names []string, limit int) ([]map[string]any, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := whereLinks(`SELECT link, transition, record_id, from_value, to_value, changed_at, target_id, state, error, fired_at
		FROM _revops.link_transitions`, nil, names)
	q += ` ORDER BY changed_at DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("link: list transitions: %w", err)
	}
	cols := []string{"link", "transition", "record_id", "from", "to", "changed_at", "target_id", "state", "error", "fired_at"}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		m := map[string]any{}
		for j, c := range cols {
			m[c] = r[j]
		}
		out[i] = m
	}
	return out, nil
}
