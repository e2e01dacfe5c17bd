// Package salesforce extracts Salesforce objects into the warehouse as
// Arrow record batches, incrementally, through the API client in
// crm/salesforce.
//
// Each Extract takes the object's describe (so new fields become
// columns) from its cursor while Salesforce answers 304 to
// If-Modified-Since (see metacache.go), else describes it, then reads
// every field of the rows whose SystemModstamp is at or after the
// cursor minus the look-back window, deleted rows included (queryAll), in
// SystemModstamp, Id order. When the runner prepares a run (Prepare), the
// first pages of its incremental reads go in Composite calls, up to 5
// objects' in one API call (prefetch.go). With an API budget (SetBudget) a read stops
// at a checkpoint when the budget runs out, and the next run resumes
// there. Above Options.BulkThreshold changed rows (the
// totalSize of the first REST page) the rows come from a Bulk API 2.0
// query job instead (in SystemModstamp windows of Options.BulkWindow rows,
// one job each, above that size). The cursor is JSON: {"modified": the
// highest SystemModstamp seen, "schema": the describe used}; streams offer
// it as a checkpoint after every REST batch and at the
// end of every Bulk window (extract.Checkpointer). A
// query cursor the server dropped mid-way (INVALID_QUERY_LOCATOR) restarts
// the query from the highest SystemModstamp read.
//
// Known limits: a formula field's value can change without its row's
// SystemModstamp moving, so incremental runs miss such changes until the
// row changes otherwise; rows purged from the recycle bin (hard deletes,
// or soft deletes older than 15 days when the cursor is older) never show
// up as deleted; base64 fields are not extracted.
package salesforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// batchRows is about how many rows each Arrow batch holds.
var batchRows = 10_000

// queryBatch is the REST page size asked for (0: the API's default,
// 2,000); tests make it small.
var queryBatch = 0

// Extractor reads one Salesforce org. It implements extract.Extractor and
// is safe for concurrent use by several objects at once.
type Extractor struct {
	name    string
	opts    Options
	client  *salesforce.Client
	log     *slog.Logger
	history map[string]bool // lower-case object names

	gate gate // the describeGlobal checks of this extractor's life

	// pre holds the run's incremental reads prepared for Composite
	// Batches (Prepare).
	pre prefetch

	// budget is the org's API budget (SetBudget), nil without one.
	budget atomic.Pointer[budget.Budget]
}

// SetBudget makes reads stop at a checkpoint once the org's API budget
// has no room for their next call (extract.BudgetSetter): before a REST
// page or a Bulk window, or when the budget refuses a call at its
// reservation (see budget.Budget.Gate). The stream then ends cleanly at
// its last checkpoint, Incomplete, and the next run continues from there.
// An object without a checkpoint yet (no cursor field, or a Bulk read
// before its first window ends) fails with the *budget.ExceededError.
func (e *Extractor) SetBudget(b *budget.Budget) { e.budget.Store(b) }

// checkBudget returns the *budget.ExceededError when the org's budget
// has no room for need more calls on part.
func (e *Extractor) checkBudget(part string, need int64) error {
	return e.budget.Load().Check(part, need)
}

// New checks opts, logs in and returns the extractor of the source name.
func New(ctx context.Context, name string, opts Options, log *slog.Logger) (*Extractor, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("salesforce source %s: %w", name, err)
	}
	log = log.With("source", name)
	c, err := salesforce.New(ctx, opts.ClientConfig(), log)
	if err != nil {
		return nil, fmt.Errorf("salesforce source %s: %w", name, err)
	}
	e := &Extractor{name: name, opts: opts, client: c, log: log, history: map[string]bool{}}
	for _, h := range opts.History {
		e.history[strings.ToLower(h)] = true
	}
	return e, nil
}

// Client is the API client the extractor uses.
func (e *Extractor) Client() *salesforce.Client { return e.client }

// Stats returns the request counts of one object's calls (describes,
// query pages, Bulk job calls, retries).
func (e *Extractor) Stats(object string) httpx.Stats { return e.client.TagStats(object) }

// TotalStats returns the counts of every request, token fetches included.
func (e *Extractor) TotalStats() httpx.Stats { return e.client.Stats().Stats }

// Objects lists the configured objects with their API spelling, checked
// against describeGlobal; an object the org lacks is an error wrapping
// extract.ErrUnknownObject. Objects are not described here (that would
// cost a call per object and run): the cursor field is SystemModstamp,
// which every replicable object has, except for field-history objects
// (AccountHistory, Foo__History, … but not OpportunityHistory), which
// have only CreatedDate, and share objects (AccountShare, Foo__Share),
// which have LastModifiedDate. Extract checks it against the describe
// and falls back to the object's own cursor field.
func (e *Extractor) Objects(ctx context.Context) ([]extract.Object, error) {
	g, err := e.client.DescribeGlobal(ctx)
	if err != nil {
		return nil, fmt.Errorf("salesforce source %s: %w", e.name, err)
	}
	// A bad object is reported, and the good ones are still returned so
	// that they extract.
	out := make([]extract.Object, 0, len(e.opts.Objects))
	var errs []error
	for _, name := range e.opts.Objects {
		so, ok := g.Find(name)
		if !ok {
			errs = append(errs, fmt.Errorf("salesforce source %s: object %s: %w", e.name, name, extract.ErrUnknownObject))
			continue
		}
		if !so.Queryable {
			errs = append(errs, fmt.Errorf("salesforce source %s: object %s is not queryable", e.name, so.Name))
			continue
		}
		out = append(out, extract.Object{Name: so.Name, Table: strings.ToLower(so.Name), Key: "Id",
			Modified: cursorField(so.Name), History: e.history[strings.ToLower(so.Name)]})
	}
	return out, errors.Join(errs...)
}

// Extract streams the rows of obj changed at or after since minus the
// look-back ("" reads everything), deleted rows with extract.DeletedAt
// set to their SystemModstamp. It describes the object and reads the
// first page before returning, so a bad object or query fails here; the
// rest streams from a goroutine in batches of about 10,000 rows. Cancel
// ctx or Release the stream to stop early.
func (e *Extractor) Extract(ctx context.Context, obj extract.Object, since string) (extract.Stream, error) {
	fail := func(err error) (extract.Stream, error) {
		return nil, fmt.Errorf("salesforce source %s: extract %s: %w", e.name, obj.Name, err)
	}
	ctx = httpx.WithTag(ctx, obj.Name)
	// An incremental read prepared by the runner takes its describe and
	// first page from its group's Composite call (prefetch.go).
	pl, first := e.prefetched(ctx, obj, since)
	if pl == nil {
		var err error
		if pl, err = e.plan(ctx, obj, since); err != nil {
			return fail(err)
		}
	}
	sp := pl.sp
	if pl.tooLong {
		// Too long for a GET: Bulk API 2.0 takes the query in its body.
		n, err := e.client.Count(ctx, "SELECT COUNT() FROM "+sp.object+where(sp.modified, sp.from), true)
		if err != nil {
			return fail(err)
		}
		e.log.Info("query too long for REST, using Bulk API 2.0", "object", sp.object, "fields", len(sp.cols))
		return e.start(ctx, sp, int64(n), nil, nil, pl.bulkSOQL), nil
	}
	pager := e.client.NewPager(pl.restSOQL, true, queryBatch)
	var page *salesforce.QueryPage
	var err error
	if first != nil {
		page = newPage(sp)
		if err = pager.PrimeRaw(*first, page); err != nil {
			// The subrequest failed: the query goes alone, as without a batch.
			e.log.Info("batched first page failed; querying the object alone", "object", sp.object, "error", err)
		}
	}
	if first == nil || err != nil {
		if page, err = e.firstPage(ctx, sp, pager); err != nil {
			return fail(err)
		}
	}
	total := pager.TotalSize()
	if e.opts.BulkThreshold > 0 && total > e.opts.BulkThreshold {
		e.log.Info("many changed rows, using Bulk API 2.0", "object", sp.object, "rows", total, "threshold", e.opts.BulkThreshold)
		return e.start(ctx, sp, int64(total), nil, nil, pl.bulkSOQL), nil
	}
	return e.start(ctx, sp, int64(total), pager, page, ""), nil
}

// readPlan is what one Extract reads: the spec, and its first query for
// REST (restSOQL) and for Bulk API 2.0.
type readPlan struct {
	sp                 spec
	restSOQL, bulkSOQL string
	// tooLong: restSOQL does not fit a GET; the read goes through Bulk.
	tooLong bool
}

// plan describes obj (from the cursor's describe while Salesforce says
// it holds, see metacache.go) and builds the read from since.
func (e *Extractor) plan(ctx context.Context, obj extract.Object, since string) (*readPlan, error) {
	st, cur, err := parseState(since)
	if err != nil {
		return nil, err
	}
	d, meta, err := e.describeFor(ctx, obj, st.Schema)
	if err != nil {
		return nil, err
	}
	return e.planFrom(obj, st, cur, d, meta), nil
}

// cachedPlan is plan on the describe obj's cursor keeps, taken as current
// without asking Salesforce (the caller asks, see prefetch.go); false
// when the cursor keeps none that serves.
func (e *Extractor) cachedPlan(obj extract.Object, since string) (*readPlan, bool) {
	st, cur, err := parseState(since)
	if err != nil || st.Schema == nil || !strings.EqualFold(st.Schema.Object, obj.Name) || st.Schema.At == "" {
		return nil, false
	}
	d, err := st.Schema.describe()
	if err != nil {
		return nil, false
	}
	m := *st.Schema
	return e.planFrom(obj, st, cur, d, &m), true
}

// planFrom builds the read of obj from the cursor st (cur its time) on
// the describe d; meta is what the next cursor keeps of d.
func (e *Extractor) planFrom(obj extract.Object, st state, cur time.Time, d *salesforce.Describe, meta *objMeta) *readPlan {
	cols := Columns(d)
	modified := obj.Modified
	if f, ok := d.Field(modified); modified != "" && (!ok || f.Type != "datetime") {
		// Objects names SystemModstamp without a describe; an object
		// without it uses its own cursor field.
		modified = ""
	}
	if modified == "" {
		modified = modifiedField(d)
	}
	var from time.Time
	if !cur.IsZero() {
		from = cur.Add(-e.opts.Lookback)
	}
	pl := &readPlan{sp: spec{object: d.Name, cols: cols, modified: modified, since: st.Modified, cursor: cur, from: from,
		deletedAt: deletedField(d, modified), state: state{Schema: meta}}}
	pl.restSOQL = buildSOQL(d.Name, cols, modified, from, true)
	pl.bulkSOQL = buildSOQL(d.Name, cols, modified, from, false)
	pl.tooLong = len(url.QueryEscape(pl.restSOQL))+60 > maxQueryURL
	return pl
}

// cursorField is the cursor field Objects gives an object (see Objects).
func cursorField(object string) string {
	switch {
	case strings.EqualFold(object, "OpportunityHistory"):
		return "SystemModstamp"
	case strings.HasSuffix(object, "History"):
		return "CreatedDate"
	case strings.HasSuffix(object, "Share"):
		return "LastModifiedDate"
	}
	return "SystemModstamp"
}

// deletedField is the field whose value is a deleted row's deletion time.
func deletedField(d *salesforce.Describe, modified string) string {
	if modified != "" && modified != "CreatedDate" {
		return modified
	}
	if f, ok := d.Field("LastModifiedDate"); ok {
		return f.Name
	}
	return modified
}

var (
	_ extract.Extractor    = (*Extractor)(nil)
	_ extract.BudgetSetter = (*Extractor)(nil)
	_ extract.Preparer     = (*Extractor)(nil)
)
