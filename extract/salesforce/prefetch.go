package salesforce

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// First pages of incremental reads in Composite calls.
//
// An incremental read costs at least its first query page, which after a
// small change is often its only page. The runner says before a run which
// objects it reads from which cursors (Prepare); the incremental ones are
// put in groups of up to salesforce.MaxCompositeQueries (5), in the runner's
// order. The first Extract of a group sends the first query of every
// member (the SOQL Extract would send alone: same fields, same
// SystemModstamp window and order, queryAll) in one Composite call (POST
// /composite, independent subrequests), which costs one API call for all
// of them (a Composite Batch would cost one per subrequest, and Composite
// takes at most 5 queries); each member's Extract then takes its answer
// as its first page and follows nextRecordsUrl, decides on Bulk API 2.0
// from its totalSize, and so on, as without a batch. To build those queries
// the group's first Extract resolves every member's describe as Extract
// does (describeFor: the cursor's describe while Salesforce answers 304).
//
// A member whose describe fails, whose query is too long for a GET, whose
// cursor differs from the prepared one, or whose subrequest fails reads
// as it would alone (its own describe and query, with the transport's
// retries); so does every member when the batch call itself fails. A
// group of one sends its query alone. Full reads and first reads (no
// cursor) are never prepared.
//
// The batch's query cursors stay open until each member's Extract pages
// on; one the server dropped meanwhile (idle for 15 minutes, or more than
// the open cursors a user may keep) restarts that member's query from the
// highest SystemModstamp of its first page (see producer.rest).

// batchGroup is how many reads share a Composite call (tests make it small).
var batchGroup = salesforce.MaxCompositeQueries

type prefetch struct {
	// checkMu is held while a group sends the metadata check.
	checkMu sync.Mutex
	mu      sync.Mutex
	entries map[string]*preEntry // lower-case object name
	// earliest is the earliest time a prepared read's describe was known
	// current (zero: none kept one).
	earliest time.Time
}

// preEntry is one prepared incremental read.
type preEntry struct {
	obj   extract.Object
	since string
	group *preGroup
	used  bool // taken by an Extract (each entry serves one)

	// Set by the group's fetch (under group.mu).
	plan  *readPlan
	first *salesforce.BatchResult
}

// preGroup is the reads whose first pages share one batch.
type preGroup struct {
	mu      sync.Mutex
	fetched bool
	members []*preEntry
}

// Prepare implements extract.Preparer: it keeps the incremental reads of
// the run (since set) for Composite calls of their first pages, in
// groups of up to salesforce.MaxCompositeQueries (5) in the order given. It
// replaces what an earlier run prepared and makes no call.
func (e *Extractor) Prepare(objs []extract.Object, since []string) {
	entries := map[string]*preEntry{}
	var g *preGroup
	for i, o := range objs {
		if i >= len(since) || since[i] == "" {
			continue
		}
		key := strings.ToLower(o.Name)
		if _, dup := entries[key]; dup {
			continue
		}
		if g == nil || len(g.members) >= batchGroup {
			g = &preGroup{}
		}
		en := &preEntry{obj: o, since: since[i], group: g}
		g.members = append(g.members, en)
		entries[key] = en
	}
	var earliest time.Time
	for _, en := range entries {
		if at := describedAt(en.obj, en.since); !at.IsZero() && (earliest.IsZero() || at.Before(earliest)) {
			earliest = at
		}
	}
	e.pre.mu.Lock()
	e.pre.entries, e.pre.earliest = entries, earliest
	e.pre.mu.Unlock()
}

// describedAt is the time the describe kept in an object's cursor was
// last known current, zero when describeFor would not use it.
func describedAt(obj extract.Object, since string) time.Time {
	st, _, err := parseState(since)
	if err != nil || st.Schema == nil || st.Schema.At == "" || !strings.EqualFold(st.Schema.Object, obj.Name) {
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339, st.Schema.At)
	if err != nil {
		return time.Time{}
	}
	return at
}

// prefetched returns the plan of obj's read and its first page's batch
// answer when the runner prepared this read (same object and since) in a
// group of several, fetching the group's batch if no member has yet; nil,
// nil when the read goes alone. The answer may be a failed subrequest
// (Pager.Prime says so, and Extract then queries alone).
func (e *Extractor) prefetched(ctx context.Context, obj extract.Object, since string) (*readPlan, *salesforce.BatchResult) {
	e.pre.mu.Lock()
	en := e.pre.entries[strings.ToLower(obj.Name)]
	if en == nil || en.used || en.since != since || en.obj != obj || len(en.group.members) < 2 {
		e.pre.mu.Unlock()
		return nil, nil
	}
	en.used = true
	e.pre.mu.Unlock()

	g := en.group
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.fetched {
		g.fetched = true
		e.fetchGroup(ctx, g)
	}
	pl, first := en.plan, en.first
	en.plan, en.first = nil, nil // the page is this read's alone; free it
	if first == nil {
		// Not in the batch (no plan, too long, the batch failed): the
		// plan, if any, still saves the describe's check.
		return pl, nil
	}
	return pl, first
}

// fetchGroup plans every member of g and sends their first queries in
// one Composite call. Members left without an answer read alone. The
// caller holds g.mu; ctx is the Extract's that came first (its object
// is charged with the batch and the describes).
func (e *Extractor) fetchGroup(ctx context.Context, g *preGroup) {
	// One describeGlobal check answers for every prepared read when it
	// asks from the earliest time one's describe was known current (the
	// gate keeps the answer for later times); asked in member order, a
	// read with an earlier time than the first would ask again.
	e.pre.mu.Lock()
	earliest := e.pre.earliest
	e.pre.mu.Unlock()
	if !earliest.IsZero() {
		since := ifModifiedSince(earliest)
		// One group at a time sends the check: the others wait for its
		// answer instead of sending checks of their own.
		e.pre.checkMu.Lock()
		handled := !e.gateAnswered(since) && e.fetchWithCheck(ctx, g, since)
		e.pre.checkMu.Unlock()
		if handled {
			return
		}
		if _, _, err := e.unchanged(ctx, since); err != nil {
			e.log.Warn("describeGlobal check failed", "error", err)
		}
	}
	var batched []*preEntry
	var reqs []salesforce.BatchRequest
	for _, m := range g.members {
		pl, err := e.plan(ctx, m.obj, m.since)
		if err != nil {
			e.log.Info("describe for the batched first pages failed; the object reads alone", "object", m.obj.Name, "error", err)
			continue
		}
		m.plan = pl
		if pl.tooLong {
			continue
		}
		batched = append(batched, m)
		reqs = append(reqs, e.client.QueryRequest(pl.restSOQL, true))
	}
	if len(reqs) < 2 {
		return // a batch of one saves nothing
	}
	res, err := e.client.Composite(ctx, reqs, salesforce.BatchOptions{QueryBatchSize: queryBatch})
	if err != nil {
		e.log.Warn("composite call of first pages failed; each object queries alone", "objects", len(reqs), "error", err)
		return
	}
	for i, m := range batched {
		r := res[i]
		m.first = &r
	}
	e.log.Debug("first pages in one composite call", "objects", len(reqs))
}

// fetchWithCheck sends the describeGlobal check for since (the earliest
// time a prepared read's describe was known current) in the same
// Composite call as the first queries of g's members, each planned on the
// describe its cursor keeps: one call instead of two. On 304 those plans
// hold (their describes are known current at the answer's Date) and it
// returns true; members without a kept describe, or whose query is too
// long, plan and read alone. When the call fails, every member reads
// alone, and it returns true too. On 200 (something changed) or a failed
// check, the query answers are dropped and it returns false: the caller
// plans every member as Extract would (after a 200 the gate holds it, so
// each object's own describe is asked) and sends the queries again.
func (e *Extractor) fetchWithCheck(ctx context.Context, g *preGroup, since time.Time) bool {
	var batched []*preEntry
	var plans []*readPlan
	reqs := []salesforce.BatchRequest{e.client.DescribeGlobalRequest(since)}
	for _, m := range g.members {
		pl, ok := e.cachedPlan(m.obj, m.since)
		if !ok || pl.tooLong {
			continue
		}
		batched, plans = append(batched, m), append(plans, pl)
		reqs = append(reqs, e.client.QueryRequest(pl.restSOQL, true))
	}
	if len(batched) == 0 {
		return false
	}
	res, err := e.client.Composite(ctx, reqs, salesforce.BatchOptions{QueryBatchSize: queryBatch})
	if err != nil {
		// As when a Composite call of queries fails: every member reads
		// alone (the first to describe asks the check alone).
		e.log.Warn("composite call of the metadata check and first pages failed; each object reads alone", "objects", len(batched), "error", err)
		return true
	}
	changed, err := salesforce.GlobalChanged(res[0])
	if err != nil || res[0].Date.IsZero() {
		e.log.Warn("describeGlobal check in a composite call failed", "error", err)
		return false
	}
	e.gateRecord(since, !changed, res[0].Date)
	if changed {
		e.log.Info("metadata changed since the kept describes; the objects are described and queried again", "objects", len(batched))
		return false
	}
	at := res[0].Date.UTC().Format(time.RFC3339)
	for i, m := range batched {
		plans[i].sp.state.Schema.At = at
		r := res[i+1]
		m.plan, m.first = plans[i], &r
	}
	for _, m := range g.members {
		if m.plan != nil {
			continue
		}
		pl, err := e.plan(ctx, m.obj, m.since)
		if err != nil {
			e.log.Info("describe for the batched first pages failed; the object reads alone", "object", m.obj.Name, "error", err)
			continue
		}
		m.plan = pl
	}
	e.log.Debug("metadata check and first pages in one composite call", "objects", len(batched))
	return true
}
