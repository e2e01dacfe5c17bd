// Package budget keeps revops within a share of each org's daily API
// allowance. A Budget belongs to one source (one org): it knows the
// org's daily limit (configured, or as the API reports it), what the org
// had used when the run started (the API's own figure, or failing that
// what earlier revops runs recorded in _revops.runs over the last 24
// hours), and what this run's clients spend (their Meter). Stages call
// Check at their checkpoints, before a part that costs API calls (the next
// object's extract, the next sync batch): when the part would take the
// org past its share, Check returns an *ExceededError saying when enough
// of the rolling 24-hour window frees for the run to resume, and the stage
// stops there, keeping what it did.
//
// Zoho CRM counts credits (a call costs one, writes one per ten records,
// a bulk read job 50, a bulk write job 500) over a rolling 24 hours and
// reports what is left only once half of the day's base credits are used
// (X-API-CREDITS-REMAINING); Salesforce counts API requests over a rolling
// 24 hours and reports use and allowance on every answer
// (Sforce-Limit-Info) and at /limits.
package budget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/revops/revops/load"
)

// DefaultShare is the share of an org's daily allowance revops uses when
// the source's api_budget is not set.
const DefaultShare = 0.8

// Units a budget counts.
const (
	Credits = "credits" // Zoho CRM
	Calls   = "calls"   // Salesforce
)

// Window is how long a spend counts against the daily allowance (both
// APIs count over a rolling 24 hours).
const Window = 24 * time.Hour

// Meter is an API client's view of its org's use.
type Meter interface {
	// Spent is what the client has spent so far, in the budget's unit.
	Spent() int64
	// Org is the org's use and allowance over the last 24 hours as the
	// API last reported them; ok is false when it has not (yet).
	Org() (used, limit int64, ok bool)
}

// Spend is one recorded use of an org's allowance.
type Spend struct {
	At     time.Time
	Amount int64
}

// Budget is one org's share of its daily allowance for one run. It is
// safe for concurrent use.
type Budget struct {
	// Source names the org (the source's name in revops.yaml).
	Source string
	// Unit is Credits or Calls.
	Unit string
	// Share is the part of the daily limit revops may use (0 < Share ≤ 1).
	Share float64

	mu       sync.Mutex
	limit    int64 // configured daily limit (0: as the API reports)
	ledger   []Spend
	reserved int64 // held by calls in flight (Reserve)
	meters   []meterBase
	now      func() time.Time

	// Set by RecordTo.
	store               load.StateStore
	part, rowID         string
	flushed             time.Time
	callBase, spentBase int64
}

type meterBase struct {
	m    Meter
	base int64
}

// New returns a budget of share (DefaultShare when 0) of a daily limit
// (0: the limit the API reports, when it does).
func New(source, unit string, share float64, limit int64) *Budget {
	if share <= 0 || share > 1 {
		share = DefaultShare
	}
	return &Budget{Source: source, Unit: unit, Share: share, limit: limit, now: time.Now}
}

// SetClock replaces time.Now (tests).
func (b *Budget) SetClock(now func() time.Time) { b.now = now }

// SetLedger sets what earlier runs spent (LoadLedger), counted in the
// org's use while the API does not report it.
func (b *Budget) SetLedger(spends []Spend) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ledger = append([]Spend(nil), spends...)
}

// Attach counts a client's spending from now on.
func (b *Budget) Attach(m Meter) {
	if m == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.meters = append(b.meters, meterBase{m: m, base: m.Spent()})
}

// Gate attaches m like Attach and, for a meter of a client that can ask
// before each request (the meters of this package), makes the client
// Reserve each call's cost from the budget first: a call that does not
// fit is not sent and fails with an *ExceededError. Parts that call at
// the same time (the objects of an extract) then share the budget
// exactly. A stage whose every call may be refused should be gated; one
// that checks before its parts itself (a sync destination) and must
// still read (a plan) is only attached.
func (b *Budget) Gate(m Meter) {
	if m == nil {
		return
	}
	b.Attach(m)
	if g, ok := m.(gated); ok {
		g.gate(b)
	}
}

// gated is a meter whose client can reserve each call from a budget.
type gated interface{ gate(b *Budget) }

// Spent is what the attached clients spent since they were attached.
func (b *Budget) Spent() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spentLocked()
}

func (b *Budget) spentLocked() int64 {
	var n int64
	for _, mb := range b.meters {
		n += mb.m.Spent() - mb.base
	}
	return n
}

// Status is a budget's figures at one moment.
type Status struct {
	// Limit is the org's daily allowance (0: unknown) and Allowed the
	// share of it revops may use.
	Limit, Allowed int64
	// Used is the org's use over the last 24 hours: as the API reported
	// it, or what revops recorded plus this run's spending, whichever is
	// more. Spent is this run's part.
	Used, Spent int64
	// Reserved is held by calls in flight (Reserve), not yet counted in
	// Used.
	Reserved int64
	// Known is false when no limit is known: nothing is enforced.
	Known bool
}

// Left is what the run may still spend (math.MaxInt64 when unknown):
// the allowed share less the use and the calls in flight.
func (s Status) Left() int64 {
	if !s.Known {
		return math.MaxInt64
	}
	return max(0, s.Allowed-s.Used-s.Reserved)
}

// Status returns the budget's figures now.
func (b *Budget) Status() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.statusLocked()
}

func (b *Budget) statusLocked() Status {
	st := Status{Limit: b.limit, Spent: b.spentLocked(), Reserved: b.reserved}
	cut := b.now().Add(-Window)
	var recorded int64
	for _, s := range b.ledger {
		if s.At.After(cut) {
			recorded += s.Amount
		}
	}
	st.Used = recorded + st.Spent
	for _, mb := range b.meters {
		if used, limit, ok := mb.m.Org(); ok {
			if st.Limit == 0 {
				st.Limit = limit
			}
			st.Used = max(st.Used, used)
		}
	}
	if st.Limit > 0 {
		st.Known = true
		st.Allowed = int64(math.Floor(float64(st.Limit) * b.Share))
	}
	return st
}

// ExceededError is a part of a run that would take the org past its
// budget. The run stops before it; ResumeAt is when enough of the rolling
// window frees (as far as revops knows what was spent when).
type ExceededError struct {
	Source, Unit, Part         string
	Need, Used, Allowed, Limit int64
	Share                      float64
	ResumeAt                   time.Time
}

func (e *ExceededError) Error() string {
	msg := fmt.Sprintf("API budget of %s reached before %s: it needs about %d %s, and %d of the %d allowed "+
		"(%.0f%% of %d a day) are used", e.Source, e.Part, e.Need, e.Unit, e.Used, e.Allowed, e.Share*100, e.Limit)
	if !e.ResumeAt.IsZero() {
		msg += "; it can resume after " + e.ResumeAt.UTC().Format(time.RFC3339)
	}
	return msg
}

// IsExceeded reports whether err is (or wraps) an *ExceededError.
func IsExceeded(err error) bool {
	var e *ExceededError
	return errors.As(err, &e)
}

// Check returns an *ExceededError when spending need more on part would
// take the org past the budget (counting the calls in flight); nil when
// it fits or no limit is known. It reserves nothing: parts that run at
// the same time each pass the same Check; their calls Reserve.
func (b *Budget) Check(part string, need int64) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.checkLocked(b.statusLocked(), part, need)
}

func (b *Budget) checkLocked(st Status, part string, need int64) error {
	if !st.Known || st.Used+st.Reserved+need <= st.Allowed {
		return nil
	}
	return &ExceededError{Source: b.Source, Unit: b.Unit, Part: part, Need: need, Used: st.Used + st.Reserved,
		Allowed: st.Allowed, Limit: st.Limit, Share: b.Share, ResumeAt: b.resumeAtLocked(st, need)}
}

// Reserve holds need (a call's cost) for part until release is called,
// or fails with an *ExceededError when the use, the calls in flight and
// need together would pass the budget. Every call of a gated client
// reserves its cost before it is sent (see Gate) and releases it once
// the client's meter has counted it, so calls made at the same time by
// several objects share one budget: a run passes its budget by no more
// than what the API charged beyond the reservations (retries of calls in
// flight). Without a known limit nothing is refused.
func (b *Budget) Reserve(part string, need int64) (release func(), err error) {
	if b == nil {
		return func() {}, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.checkLocked(b.statusLocked(), part, need); err != nil {
		return nil, err
	}
	b.reserved += need
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.reserved -= need
			b.mu.Unlock()
		})
	}, nil
}

// resumeAt is when the spends revops knows of free enough of the window
// for need to fit: the oldest first, each 24 hours after it was made. The
// part of the use revops did not record (other integrations) is taken to
// free last: a full window from now.
func (b *Budget) resumeAtLocked(st Status, need int64) time.Time {
	now := b.now()
	over := st.Used + st.Reserved + need - st.Allowed
	cut := now.Add(-Window)
	spends := append([]Spend(nil), b.ledger...)
	if s := b.spentLocked(); s > 0 {
		spends = append(spends, Spend{At: now, Amount: s})
	}
	var freed int64
	for _, s := range spends {
		if !s.At.After(cut) {
			continue
		}
		freed += s.Amount
		if freed >= over {
			return s.At.Add(Window)
		}
	}
	return now.Add(Window)
}

// stage is the _revops.runs stage of the rows budgets record.
const stage = "api_budget"

// record is the detail JSON of a recorded spend.
type record struct {
	Unit    string  `json:"unit"`
	Part    string  `json:"part"`
	Calls   int64   `json:"calls"`
	Credits int64   `json:"credits"`
	Spent   int64   `json:"spent"`
	Limit   int64   `json:"daily_limit,omitempty"`
	Used    int64   `json:"daily_used,omitempty"`
	Share   float64 `json:"share"`
}

// Record writes what the run spent through the budget's clients in
// _revops.runs: a row of stage api_budget per org and part (extract, sync)
// with api_calls = calls and detail = {unit, part, calls, credits, spent,
// daily_limit, daily_used, share}. A revops run tags it as its own (its
// stage runs). Nothing is written when nothing was spent.
func (b *Budget) Record(ctx context.Context, w load.StateStore, part string, calls, credits int64, started time.Time) error {
	st := b.Status()
	if calls == 0 && credits == 0 && st.Spent == 0 {
		return nil
	}
	detail, err := json.Marshal(record{Unit: b.Unit, Part: part, Calls: calls, Credits: credits, Spent: st.Spent,
		Limit: st.Limit, Used: st.Used, Share: b.Share})
	if err != nil {
		return err
	}
	now := b.now().UTC()
	id := fmt.Sprintf("%s-%s-%s", now.Format("20060102T150405.000000000Z"), b.Source, part)
	if err := w.Exec(ctx, `INSERT INTO _revops.runs (id, stage, target, started_at, finished_at, status, process, api_calls, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, stage, b.Source, started.UTC(), now, load.RunSucceeded, load.Self().String(),
		calls, string(detail)); err != nil {
		return fmt.Errorf("budget: record the API use of %s: %w", b.Source, err)
	}
	b.mu.Lock()
	// What is recorded is in the ledger now; the meters start again.
	b.ledger = append(b.ledger, Spend{At: now, Amount: st.Spent})
	for i := range b.meters {
		b.meters[i].base = b.meters[i].m.Spent()
	}
	b.mu.Unlock()
	return nil
}

// LoadLedger reads what revops recorded of an org's use over the last 24
// hours (the api_budget rows of _revops.runs), oldest first.
func LoadLedger(ctx context.Context, w load.StateStore, source string, now time.Time) ([]Spend, error) {
	r, err := w.Query(ctx, `SELECT finished_at, detail FROM _revops.runs
		WHERE stage = ? AND target = ? AND finished_at > ? ORDER BY finished_at`, stage, source, now.Add(-Window).UTC())
	if err != nil {
		return nil, fmt.Errorf("budget: read the API use of %s: %w", source, err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("budget: read the API use of %s: %w", source, err)
	}
	var out []Spend
	for _, row := range rows {
		at, _ := row[0].(time.Time)
		d, _ := row[1].(string)
		var rec record
		if json.Unmarshal([]byte(d), &rec) != nil {
			continue
		}
		out = append(out, Spend{At: at, Amount: rec.Spent})
	}
	return out, nil
}

// Usage is an org's recorded API use over the last 24 hours.
type Usage struct {
	Source, Unit   string
	Calls, Credits int64
	Limit, Used    int64
	Share          float64
}

// RunUsage sums the api_budget rows of one revops run (parent_id) per org.
func RunUsage(ctx context.Context, w load.StateStore, runID string) ([]Usage, error) {
	r, err := w.Query(ctx, `SELECT target, detail FROM _revops.runs WHERE stage = ? AND parent_id = ? ORDER BY finished_at`, stage, runID)
	if err != nil {
		return nil, fmt.Errorf("budget: read the API use of run %s: %w", runID, err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("budget: read the API use of run %s: %w", runID, err)
	}
	var out []Usage
	idx := map[string]int{}
	for _, row := range rows {
		src, _ := row[0].(string)
		d, _ := row[1].(string)
		var rec record
		if json.Unmarshal([]byte(d), &rec) != nil {
			continue
		}
		i, ok := idx[src]
		if !ok {
			i = len(out)
			idx[src] = i
			out = append(out, Usage{Source: src, Unit: rec.Unit, Share: rec.Share})
		}
		u := &out[i]
		u.Calls += rec.Calls
		u.Credits += rec.Credits
		u.Limit, u.Used = rec.Limit, rec.Used
	}
	return out, nil
}

// CallMeter is a Meter that also counts requests (a Zoho client, whose
// spend is in credits).
type CallMeter interface {
	Calls() int64
}

// RecordTo makes Flush record the budget's spending from now on in w's
// _revops.runs as part (e.g. "sync"): one row, rewritten by each Flush.
func (b *Budget) RecordTo(w load.StateStore, part string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.store, b.part, b.flushed, b.rowID = w, part, b.now(), ""
	b.callBase, b.spentBase = b.callsLocked(), b.spentLocked()
}

func (b *Budget) callsLocked() int64 {
	var n int64
	for _, mb := range b.meters {
		if cm, ok := mb.m.(CallMeter); ok {
			n += cm.Calls()
		}
	}
	return n
}

// Flush records what was spent since RecordTo (its row in _revops.runs,
// written the first time something was spent and updated after). Call it
// after each part that spent: a sync destination after each Write.
func (b *Budget) Flush(ctx context.Context) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil {
		return nil
	}
	calls := b.callsLocked() - b.callBase
	spent := b.spentLocked() - b.spentBase
	if spent == 0 && calls == 0 {
		return nil
	}
	st := b.statusLocked()
	rec := record{Unit: b.Unit, Part: b.part, Calls: calls, Spent: spent, Share: b.Share, Limit: st.Limit, Used: st.Used}
	if b.Unit == Credits {
		rec.Credits = spent
	} else if calls == 0 {
		rec.Calls = spent
	}
	detail, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	now := b.now().UTC()
	if b.rowID == "" {
		b.rowID = fmt.Sprintf("%s-%s-%s", now.Format("20060102T150405.000000000Z"), b.Source, b.part)
		err = b.store.Exec(ctx, `INSERT INTO _revops.runs (id, stage, target, started_at, finished_at, status, process, api_calls, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.rowID, stage, b.Source, b.flushed.UTC(), now, load.RunSucceeded,
			load.Self().String(), rec.Calls, string(detail))
	} else {
		err = b.store.Exec(ctx, `UPDATE _revops.runs SET finished_at = ?, api_calls = ?, detail = ? WHERE id = ? AND stage = ?`,
			now, rec.Calls, string(detail), b.rowID, stage)
	}
	if err != nil {
		return fmt.Errorf("budget: record the API use of %s: %w", b.Source, err)
	}
	return nil
}
