package zoho

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	orgbudget "github.com/revops/revops/budget"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// plan is what one CRM read does, decided from the cursor.
type plan struct {
	full      bool      // read every record from the oldest (first read, formula refresh)
	since     time.Time // If-Modified-Since for the records (zero: all)
	delSince  time.Time // If-Modified-Since for deletions
	deletions bool      // read the deleted-records API
	next      cursor    // the cursor to return, before the records' times
	// fullStarted is the start of the full read this read is or
	// continues ("" for an incremental read): checkpoints carry it.
	fullStarted string
	prev        cursor // the cursor passed in
	// bulk is the Bulk Read a checkpoint left part way, to go on with.
	bulk *bulkState
	// skip is what a list read passes over (see order.go).
	skip skipRule
}

// planRead decides between a full read, the continuation of a full read
// a checkpoint left part way, and an incremental read. serverNow is the
// server's clock (local clock when the API sent no Date).
func (e *Extractor) planRead(cur cursor, serverNow time.Time) plan {
	if cur.Bulk != nil && !e.bulkOn() {
		// Bulk Read is off now: the read starts over through the list API.
		cur.Bulk, cur.FullStarted = nil, ""
	}
	now := serverNow.Format(time.RFC3339)
	p := plan{next: cursor{Modified: cur.Modified, Full: cur.Full, Deleted: now}, prev: cur}
	modified := at(cur.Modified)
	switch {
	case cur.Bulk != nil:
		// A checkpoint of a Bulk Read: go on at its next page.
		st := *cur.Bulk
		p.bulk = &st
		p.full = st.Full
		p.since = at(st.Since)
		if st.Full {
			p.fullStarted = cur.FullStarted
			p.next.Full = cur.FullStarted
		}
	case cur.FullStarted != "" && !modified.IsZero():
		// A checkpoint of a full read: go on from where it got.
		p.fullStarted = cur.FullStarted
		p.next.Full = cur.FullStarted
		p.since = modified.Add(-e.opts.Lookback - time.Second)
	case modified.IsZero() ||
		e.opts.FormulaRefresh > 0 && (cur.Full == "" || !serverNow.Before(at(cur.Full).Add(e.opts.FormulaRefresh))):
		p.full = true
		p.fullStarted = now
		p.next.Full = now
	default:
		// Strictly after (since − look-back − 1s): the boundary second is read again.
		p.since = modified.Add(-e.opts.Lookback - time.Second)
	}
	if !p.full && p.bulk == nil {
		p.skip = cur.skipRule(e.opts.Lookback)
	}
	if cur != (cursor{}) {
		p.deletions = true
		from := at(cur.Deleted)
		if from.IsZero() {
			from = modified
		}
		p.delSince = from.Add(-e.opts.Lookback - time.Second)
	}
	return p
}

// checkpoint is the cursor that covers a read of plan p once its
// deletions are read (delDone) and every record up to o.last (the last
// listed, in order; mod "" for none): ok is false before that.
func (p plan) checkpoint(delDone bool, o *listOrder) (string, bool) {
	if p.deletions && !delDone {
		return "", false
	}
	c := cursor{Full: p.prev.Full, Deleted: p.next.Deleted, FullStarted: p.fullStarted, Schema: p.next.Schema}
	if p.full {
		// A full read goes from the oldest record: its progress is last,
		// even below the previous cursor.
		if o.last.mod == "" {
			return "", false
		}
		c.Modified, c.ID, c.ReadAt = reach(cursor{}, o.last, p.next.Deleted, o.broken)
	} else {
		c.Modified, c.ID, c.ReadAt = reach(p.prev, o.last, p.next.Deleted, o.broken)
	}
	if c.Modified == "" {
		return "", false
	}
	return c.String(), true
}

func (e *Extractor) serverNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// unknownModule turns the API's INVALID_MODULE into extract.ErrUnknownObject.
func (e *Extractor) unknownModule(err error, module string) error {
	if zoho.IsCode(err, "INVALID_MODULE") {
		return fmt.Errorf("zoho: source %s: module %q: %w (%v)", e.name, module, extract.ErrUnknownObject, err)
	}
	return fmt.Errorf("zoho: source %s: %w", e.name, err)
}

// batcher wraps extract.Batcher with the flush-at-10,000 rule; every
// batch it emits carries ckpt's answer at the time (none when nil). The
// records of list pages go through raw (their raw JSON straight into
// Arrow), the others (deletions, Bulk Read's CSV rows) through
// extract.Batcher; a batch holds rows of one kind, in the order added.
type batcher struct {
	*extract.Batcher
	raw  *rawBatcher // nil: maps only
	emit func(batch) error
	ckpt func() (string, bool)
}

func newBatcher(cols []extract.Column, emit func(batch) error, ckpt func() (string, bool)) *batcher {
	return &batcher{Batcher: extract.NewBatcher(cols), raw: newRawBatcher(cols), emit: emit, ckpt: ckpt}
}

func (b *batcher) add(rec map[string]any, deletedAt *time.Time) error {
	if b.raw != nil && b.raw.Len() > 0 {
		if err := b.flush(); err != nil {
			return err
		}
	}
	if err := b.Append(rec, deletedAt); err != nil {
		id, _ := rec["id"].(string)
		return fmt.Errorf("record %s: %w", id, err)
	}
	if b.Batcher.Len() >= batchRows {
		return b.flush()
	}
	return nil
}

// addRaw adds record i of a list page.
func (b *batcher) addRaw(p *zoho.RawPage, i int) error {
	if b.Batcher.Len() > 0 {
		if err := b.flush(); err != nil {
			return err
		}
	}
	if err := b.raw.Append(p, i); err != nil {
		return fmt.Errorf("list page %d: record %s: %w", p.Call(), p.ID(i), err)
	}
	if b.raw.Len() >= batchRows {
		return b.flush()
	}
	return nil
}

// flush emits the rows added since the last flush, if any.
func (b *batcher) flush() error {
	rbs := []arrow.RecordBatch{b.Flush(), nil}
	if b.raw != nil {
		rbs[1] = b.raw.Flush()
	}
	for i, rb := range rbs {
		if rb == nil {
			continue
		}
		out := batch{rec: rb}
		if b.ckpt != nil {
			out.ckpt, out.ckptOK = b.ckpt()
		}
		if err := b.emit(out); err != nil {
			if i == 0 && rbs[1] != nil {
				rbs[1].Release()
			}
			return err
		}
	}
	return nil
}

// Release frees both builders.
func (b *batcher) Release() {
	b.Batcher.Release()
	if b.raw != nil {
		b.raw.Release()
	}
}

// rawFields says whether a list of names is read raw (zoho.ListRaw): up
// to the fields one list call names; more are joined by id from further
// calls, which List does on maps.
func rawFields(names []string) bool {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n != "id" {
			seen[n] = true
		}
	}
	return len(seen) <= zoho.MaxFields
}

// errBudget stops a read at Options.MaxCalls.
var errBudget = errors.New("call budget reached")

// budget counts an object's API calls in one Extract against
// Options.MaxCalls.
type budget struct {
	e      *Extractor
	object string
	base   int64
	// free is the calls since base that do not count against MaxCalls:
	// list pages that listed only records the read passes over (see
	// skipRule). The org's budget counts them.
	free int64
}

func (e *Extractor) budget(object string) budget {
	return budget{e: e, object: object, base: e.c.TagStats(object).Requests}
}

// left is how many calls remain (math.MaxInt without a budget): within
// Options.MaxCalls, and within the org's API budget (SetBudget), whose
// credits are calls here (a list page costs one).
func (b budget) left() int {
	n := math.MaxInt
	if b.e.opts.MaxCalls > 0 {
		n = max(0, b.e.opts.MaxCalls-int(b.e.c.TagStats(b.object).Requests-b.base-b.free))
	}
	if ob := b.e.orgBudget.Load(); ob != nil {
		if l := ob.Status().Left(); l < int64(n) {
			n = int(l)
		}
	}
	return n
}

// extractModule reads one CRM module.
func (e *Extractor) extractModule(ctx context.Context, obj extract.Object, cur cursor) (extract.Stream, error) {
	seen, _ := e.seen(obj.Name)
	p := e.planRead(cur, seen.clock())
	fields, cache, fresh, serverNow, err := e.moduleFields(ctx, obj.Name, cur, p.full)
	if err != nil {
		return nil, e.unknownModule(err, obj.Name)
	}
	if fresh {
		p = e.planRead(cur, e.serverNow(serverNow))
	}
	p.next.Schema = cache
	cols := moduleColumns(fields)
	names := make([]string, 0, len(cols))
	for _, c := range cols[1:] {
		names = append(names, c.Key())
	}
	schema := extract.NewBatcher(cols).Schema()
	e.log.Debug("zoho extract", "source", e.name, "object", obj.Name, "full", p.full, "since", p.since,
		"deletions", p.deletions, "continues", p.fullStarted != "" && !p.full || p.bulk != nil, "columns", len(cols),
		"fields_call", fresh)
	bud := e.budget(obj.Name)
	run := func(ctx context.Context, emit func(batch) error) (string, bool, error) {
		var (
			delDone bool
			ord     listOrder // the records listed so far, in order
			warned  bool      // the order broke, and the log said so
			// During a Bulk Read, batches carry the checkpoint of the
			// last page read whole instead.
			inBulk bool
			bulkCk string
			bulkOK bool
		)
		b := newBatcher(cols, emit, func() (string, bool) {
			if inBulk {
				return bulkCk, bulkOK
			}
			return p.checkpoint(delDone, &ord)
		})
		defer b.Release()
		fail := func(err error) (string, bool, error) {
			return "", false, fmt.Errorf("zoho: source %s: extract %s: %w", e.name, obj.Name, err)
		}
		if p.deletions {
			dels, err := e.c.Deleted(ctx, obj.Name, p.delSince)
			if err != nil {
				return fail(err)
			}
			for i, d := range dels {
				at := d.DeletedTime
				delDone = i == len(dels)-1
				if err := b.add(map[string]any{"id": d.ID}, &at); err != nil {
					return fail(err)
				}
			}
			delDone = true
			if err := b.flush(); err != nil { // deleted rows never share a batch with live ones
				return fail(err)
			}
		}
		// bulk runs a Bulk Read of st; ok is false when Bulk Read cannot
		// serve this read, which then goes through the list API.
		bulk := func(st bulkState) (c string, incomplete, ok bool, err error) {
			inBulk = true
			if p.bulk != nil {
				// The checkpoint this read started from holds until a page is read.
				c := p.prev
				c.Schema = p.next.Schema
				bulkCk, bulkOK = c.String(), true
			} else {
				bulkCk, bulkOK = p.checkpoint(delDone, &listOrder{})
			}
			c, incomplete, err = e.readBulk(ctx, obj, p, st, fields, cols, b, bud, func(c string) { bulkCk, bulkOK = c, true })
			var nb *noBulkError
			if errors.As(err, &nb) {
				inBulk = false
				e.log.Warn("zoho extract: reading through the list API instead of Bulk Read", "source", e.name,
					"object", obj.Name, "reason", nb.reason)
				return "", false, false, nil
			}
			return c, incomplete, true, err
		}
		if p.bulk != nil {
			c, incomplete, ok, err := bulk(*p.bulk)
			if err != nil {
				_ = b.flush()
				return fail(err)
			}
			if ok {
				return c, incomplete, nil
			}
		}
		opts := zoho.ListOptions{SortBy: "Modified_Time", SortOrder: "asc", ModifiedSince: p.since}
		if obj.Name == "Leads" {
			opts.Converted = "both"
		}
		if p.bulk == nil && e.bulkOn() {
			opts.First = e.bulkDecision(ctx, obj.Name, p, opts.Converted)
		}
		// keep places the next record listed and says whether to read it.
		keep := func(mod, id string) bool {
			pl, ok := ord.see(mod, id)
			return !ok || !p.skip.skips(pl)
		}
		// paged ends a page of which kept records were read: a page that
		// listed only records passed over does not count against
		// max_calls, so that a run always gets past them.
		paged := func(kept int) error {
			ord.warnBroken(e.log, e.name, obj.Name, &warned)
			if kept == 0 {
				bud.free++
			}
			if bud.left() == 0 {
				if _, ok := p.checkpoint(delDone, &ord); ok {
					return errBudget
				}
			}
			return nil
		}
		page := func(recs []map[string]any) error {
			kept := 0
			for _, r := range recs {
				mod, _ := r["Modified_Time"].(string)
				id, _ := r["id"].(string)
				if !keep(mod, id) {
					continue
				}
				kept++
				if err := b.add(r, nil); err != nil {
					return err
				}
			}
			return paged(kept)
		}
		// rawPage is page for the list API's pages read raw: the same
		// records, appended without a map each.
		rawPage := func(pg *zoho.RawPage) error {
			kept := 0
			for i := range pg.Len() {
				mod, _ := pg.ModifiedTime(i)
				if !keep(mod, pg.ID(i)) {
					continue
				}
				kept++
				if err := b.addRaw(pg, i); err != nil {
					return err
				}
			}
			return paged(kept)
		}
		list := func() error {
			if rawFields(names) {
				return e.c.ListRaw(ctx, obj.Name, names, opts, rawPage)
			}
			return e.c.List(ctx, obj.Name, names, opts, page)
		}
		err := list()
		if errors.Is(err, errUseBulk) {
			st := bulkState{Started: p.next.Deleted, Full: p.full, Page: 1}
			if !p.since.IsZero() {
				st.Since = p.since.UTC().Format(time.RFC3339)
			}
			c, incomplete, ok, berr := bulk(st)
			if berr != nil {
				_ = b.flush()
				return fail(berr)
			}
			if ok {
				return c, incomplete, nil
			}
			opts.First = nil
			err = list()
		}
		if errors.Is(err, errBudget) || orgbudget.IsExceeded(err) {
			// max_calls, or the org's API budget refused the next page:
			// every page before it is whole, so the read stops at the
			// checkpoint they make.
			stop := err
			if err := b.flush(); err != nil {
				return fail(err)
			}
			c, ok := p.checkpoint(delDone, &ord)
			if !ok {
				return fail(stop)
			}
			e.log.Info("zoho extract stopped at its call budget; the next run continues", "source", e.name, "object", obj.Name,
				"reason", stop.Error(), "cursor", c)
			return c, true, nil
		}
		if err != nil {
			// Hand on what was read: its checkpoint lets the runner keep it.
			_ = b.flush()
			return fail(err)
		}
		if err := b.flush(); err != nil {
			return fail(err)
		}
		// Sorted by Modified_Time ascending: the last listed is the newest.
		next := p.next
		next.Modified, next.ID, next.ReadAt = reach(p.prev, ord.last, p.next.Deleted, ord.broken)
		return next.String(), false, nil
	}
	return newStream(ctx, schema, run), nil
}

// extractStageHistory reads Deals' Stage_History of the deals changed
// since the cursor (all deals on the first read), one call per deal.
// Deals come oldest Modified_Time first (ties by id), so once a deal's
// whole history has been handed on, its (Modified_Time, id) is a
// checkpoint: a failure (the daily credits running out) keeps what was
// read, and Options.MaxCalls and the read's daily allowance
// (Options.StageHistoryShare of DailyCredits, see stageBudget) stop the
// read there on purpose. The next read lists the deals from the look-back
// before it again but reads no history of the deals it passes over (see
// skipRule), so that it gets past any number of deals of one second.
func (e *Extractor) extractStageHistory(ctx context.Context, obj extract.Object, cur cursor) (extract.Stream, error) {
	var since time.Time
	if m := at(cur.Modified); !m.IsZero() {
		since = m.Add(-e.opts.Lookback - time.Second)
	}
	cols := stageHistoryColumns
	schema := extract.NewBatcher(cols).Schema()
	workers := max(1, e.opts.Limits.Concurrency)
	bud := e.budget(obj.Name)
	seen, _ := e.seen("Deals")
	// The read's start (the server's clock, whole seconds, never late).
	readAt := seen.clock().UTC().Truncate(time.Second).Format(time.RFC3339)
	skip := cur.skipRule(e.opts.Lookback)
	daily := e.stageBudget(cur, seen.clock(), bud.base, obj.Name)
	run := func(ctx context.Context, emit func(batch) error) (string, bool, error) {
		// The last deal whose history is appended whole, in order.
		reached, _ := placeOf(cur.Modified, cur.ID)
		reached.mod = cur.Modified
		reachedAt := cur.ReadAt
		var (
			ord    listOrder // the deals listed so far
			warned bool
		)
		// cursorAt is the cursor of the deals read whole, with what this
		// read spent so far in the ledger.
		cursorAt := func() cursor {
			c := cursor{Modified: reached.mod, ID: reached.id, ReadAt: reachedAt, StageSpent: daily.ledger(seen.clock())}
			if ord.broken || c.ID == "" {
				c.ID, c.ReadAt = "", ""
			}
			return c
		}
		checkpoint := func() (string, bool) {
			c := cursorAt()
			if c == (cursor{}) {
				return "", false
			}
			return c.String(), true
		}
		b := &batcher{Batcher: extract.NewBatcher(cols), emit: emit, ckpt: checkpoint}
		defer b.Release()
		fail := func(err error) (string, bool, error) {
			return "", false, fmt.Errorf("zoho: source %s: extract %s: %w", e.name, obj.Name, err)
		}
		// dealsLeft says, for the log, what is known of the deals not read.
		dealsLeft := "no deal was listed (that would spend a call), so how many are left is not known"
		var err error
		if daily.left() < 2 {
			// Not even a list page and one deal's history fit.
			err = errStageAllowance
		} else {
			opts := zoho.ListOptions{SortBy: "Modified_Time", SortOrder: "asc", ModifiedSince: since}
			err = e.c.List(ctx, "Deals", []string{"Modified_Time"}, opts, func(listed []map[string]any) error {
				// Deals at or before the cursor's place whose history was
				// read need no call; a page of only those does not count
				// against max_calls (the daily allowance counts it: it
				// was spent).
				deals := make([]map[string]any, 0, len(listed))
				for _, d := range listed {
					mod, _ := d["Modified_Time"].(string)
					id, _ := d["id"].(string)
					if pl, ok := ord.see(mod, id); !ok || !skip.skips(pl) {
						deals = append(deals, d)
					}
				}
				ord.warnBroken(e.log, e.name, obj.Name, &warned)
				if len(deals) == 0 {
					bud.free++
					if daily.left() < 2 && len(listed) >= zoho.MaxPerPage {
						dealsLeft = "the deals after the last page listed are not listed yet, so how many are left is not known"
						return errStageAllowance
					}
					return nil
				}
				var stop error
				n := len(deals)
				if l := bud.left(); l < n {
					n, stop = l, errBudget
				}
				if l := daily.left(); l < n {
					n, stop = l, errStageAllowance
				}
				if stop != nil {
					dealsLeft = fmt.Sprintf("at least %d deals are left (those of the last page listed; later pages are not listed yet)",
						len(deals)-n)
				}
				deals = deals[:n]
				// In order, up to the first deal that failed: what precedes
				// it is whole and stays checkpointed. A batch goes out every
				// stageChunk deals, so that the runner can commit a read that
				// costs one call per deal long before 10,000 rows.
				err := e.stageHistories(ctx, deals, workers, func(i int, rows []map[string]any) error {
					d := deals[i]
					for _, r := range rows {
						r["Deal_Id"] = d["id"]
						if err := b.add(r, nil); err != nil {
							return err
						}
					}
					mod, _ := d["Modified_Time"].(string)
					id, _ := d["id"].(string)
					if pl, ok := placeOf(mod, id); ok && (reached.mod == "" || pl.cmp(reached) >= 0) {
						reached, reachedAt = pl, readAt
					}
					if (i+1)%stageChunk == 0 {
						return b.flush()
					}
					return nil
				})
				if err != nil {
					return err
				}
				if stop == nil && len(listed) >= zoho.MaxPerPage && daily.left() < 2 {
					// More deals may follow, and the next page's list call
					// would not leave room for one history.
					dealsLeft = "the deals after the last page listed are not listed yet, so how many are left is not known"
					stop = errStageAllowance
				}
				return stop
			})
		}
		switch {
		case errors.Is(err, errStageAllowance):
			if err := b.flush(); err != nil {
				return fail(err)
			}
			c := cursorAt()
			daily.logStop(seen.clock(), dealsLeft, c)
			return c.String(), true, nil
		case errors.Is(err, errBudget) || orgbudget.IsExceeded(err):
			stop := err
			if err := b.flush(); err != nil {
				return fail(err)
			}
			c, _ := checkpoint()
			e.log.Info("zoho extract stopped at its call budget; the next run continues", "source", e.name, "object", obj.Name,
				"reason", stop.Error(), "cursor", c)
			return c, true, nil
		case err != nil:
			// Hand on the deals read whole: their checkpoint lets the runner keep them.
			_ = b.flush()
			return fail(err)
		}
		if err := b.flush(); err != nil {
			return fail(err)
		}
		return cursorAt().String(), false, nil
	}
	st := newStream(ctx, schema, run)
	if daily.limit > 0 {
		// The ledger of a checkpoint counts the calls spent when the
		// runner takes it, not only those before its batch was built: the
		// reads go on ahead of the landing (see stageDaily).
		st.stamp = func(ckpt string) string {
			c, err := parseCursor(ckpt)
			if err != nil {
				return ckpt
			}
			c.StageSpent = daily.ledger(seen.clock())
			return c.String()
		}
	}
	return st, nil
}

// errStageAllowance stops a Deals_Stage_History read at its daily
// allowance (Options.StageHistoryShare).
var errStageAllowance = errors.New("Deals_Stage_History's daily allowance reached")

// stageMerge is the span of clock time whose spends share one ledger
// entry, stamped with the latest of them (its calls then free up to that
// much late, never early), so that a schedule every few minutes keeps
// the ledger at one entry per hour of the day at most.
const stageMerge = time.Hour

// stageDaily is a Deals_Stage_History read's allowance per rolling 24
// hours: the calls it may spend, those the cursor's ledger says were
// spent in the 24 hours before the read, and the read's own calls
// (Requests tagged with the object since base; a retried attempt counts,
// erring towards spending less).
//
// A checkpoint's ledger counts the calls spent up to the moment the
// runner takes it to cut a segment (stream.stamp), which includes the
// reads done ahead of the batches it has landed. A run killed after that
// segment committed spent calls the ledger it left does not show: those
// made while the segment landed and until the next cut (at most
// Runner.CheckpointEvery, 30 s by default, plus the landing's time, at
// the rate limit; Limits.Concurrency reads in flight at most). Counting
// them ahead would need the producer to wait for each commit. So a kill
// can take this read past its share by that much, once per kill; the
// org's budget (api_budget) sees those calls only once Zoho reports the
// org's use (X-API-CREDITS-REMAINING, from half the day's credits on).
type stageDaily struct {
	e      *Extractor
	object string
	base   int64
	limit  int         // 0: no allowance (no daily_credits)
	past   spendLedger // the cursor's entries of the last 24 hours
	spent  int         // their calls
}

// stageBudget is the allowance of a read from cursor cur at server time now.
func (e *Extractor) stageBudget(cur cursor, now time.Time, base int64, object string) stageDaily {
	d := stageDaily{e: e, object: object, base: base, limit: e.opts.stageAllowance()}
	if d.limit == 0 || cur.StageSpent == nil {
		return d
	}
	for _, sp := range *cur.StageSpent {
		if now.Before(at(sp.At).Add(orgbudget.Window)) {
			d.past = append(d.past, sp)
			d.spent += sp.Calls
		}
	}
	return d
}

// calls is what the read has spent so far.
func (d stageDaily) calls() int {
	return int(d.e.c.TagStats(d.object).Requests - d.base)
}

// left is how many calls the allowance still has (math.MaxInt without one).
func (d stageDaily) left() int {
	if d.limit == 0 {
		return math.MaxInt
	}
	return max(0, d.limit-d.spent-d.calls())
}

// ledger is the ledger for a cursor written at server time now: the
// past entries and the read's own calls so far (nil without an
// allowance, or with nothing spent).
func (d stageDaily) ledger(now time.Time) *spendLedger {
	if d.limit == 0 {
		return nil
	}
	l := append(spendLedger(nil), d.past...)
	if n := d.calls(); n > 0 {
		// Whole seconds, rounded up: a spend never frees early.
		stamp := now.Add(time.Second - 1).Truncate(time.Second).UTC().Format(time.RFC3339)
		if k := len(l) - 1; k >= 0 && at(l[k].At).Truncate(stageMerge).Equal(at(stamp).Truncate(stageMerge)) {
			l[k] = spend{At: stamp, Calls: l[k].Calls + n}
		} else {
			l = append(l, spend{At: stamp, Calls: n})
		}
	}
	if len(l) == 0 {
		return nil
	}
	return &l
}

// logStop says, at Info, that the read stopped at its allowance with
// cursor c: how much it spent, what is left, and when calls free again
// (24 hours after the oldest spend in c's ledger).
func (d stageDaily) logStop(now time.Time, dealsLeft string, c cursor) {
	e, object := d.e, d.object
	spent := d.spent + d.calls()
	frees := now.Add(orgbudget.Window)
	if c.StageSpent != nil && len(*c.StageSpent) > 0 {
		frees = at((*c.StageSpent)[0].At).Add(orgbudget.Window)
	}
	share := DefaultStageHistoryShare
	if e.opts.StageHistoryShare != nil {
		share = *e.opts.StageHistoryShare
	}
	in := max(0, frees.Sub(now)).Round(time.Minute)
	e.log.Info(fmt.Sprintf("zoho extract: %s stopped at its daily allowance: %d of its %d calls per 24 hours are spent "+
		"(stage_history_share %g of daily_credits %d); %s. The allowance starts to free at %s (in %dh%02dm); a run "+
		"after that continues from the checkpoint, and the other objects and syncs are not held up",
		object, spent, d.limit, share, e.opts.DailyCredits, dealsLeft,
		frees.Add(time.Minute-1).Truncate(time.Minute).UTC().Format("2006-01-02 15:04 MST"), // never too early
		int(in.Hours()), int(in.Minutes())%60),
		"source", e.name, "object", object, "spent_24h", spent, "allowance", d.limit, "frees_at", frees.UTC().Format(time.RFC3339),
		"cursor", c.String())
}

// stageChunk is how many deals' histories a Deals_Stage_History batch
// holds at most.
var stageChunk = 50

// stageHistories reads the Stage_History of each deal, workers at a time
// (started in deal order), and hands each deal's rows to each in deal
// order as soon as they and those of every deal before are in. The first
// failure (a deal's read, or each) stops the reads not yet done, whose
// rows would come after it, and is returned.
func (e *Extractor) stageHistories(ctx context.Context, deals []map[string]any, workers int,
	each func(i int, rows []map[string]any) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	type result struct {
		rows []map[string]any
		err  error
	}
	results := make([]chan result, len(deals))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	wg.Go(func() {
		sem := make(chan struct{}, workers)
		for i, d := range deals {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			id, _ := d["id"].(string)
			wg.Go(func() {
				defer func() { <-sem }()
				rows, err := e.c.Related(ctx, "Deals", id, "Stage_History", stageHistoryFields, time.Time{})
				results[i] <- result{rows, err}
			})
		}
	})
	for i, d := range deals {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			return fmt.Errorf("deal %v: %w", d["id"], r.err)
		}
		if err := each(i, r.rows); err != nil {
			return err
		}
	}
	return nil
}
