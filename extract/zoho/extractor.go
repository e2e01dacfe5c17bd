// Package zoho extracts Zoho CRM modules and Zoho Desk collections into
// the warehouse as Arrow record batches, incrementally, and holds the
// sources' configuration (Options) that `revops validate` checks.
//
// # Zoho CRM (type zoho_crm)
//
// Objects are the configured modules, checked against the modules API,
// plus Deals_Stage_History when Deals is configured. Each Extract takes
// the module's fields (so a new field is a new column; see Column for the
// types) from its cursor while the modules API shows the module unchanged,
// else from the fields API (see fieldcache.go), and then:
//
//   - Records: the list API sorted by Modified_Time ascending with
//     If-Modified-Since set one second before cursor − look-back (the
//     header means "strictly after", and Modified_Time has whole seconds,
//     so records at the boundary second are read again rather than
//     missed). That is the fewest calls: one per 200 changed records, no
//     COQL credits, no count call. page_token paging resumes by sort key,
//     so records modified during the read come again later instead of
//     being skipped; modules with more than 50 fields cost one more call per
//     100 records per further 50 fields (see zoho.Client.List). Leads are
//     read with converted=both. A read of more than Options.BulkThreshold
//     records (a count call decides once the first page says more
//     follow) goes through Bulk Read instead: a job per 200,000 records,
//     the CSV's cells typed exactly as the list API's values (bulk.go).
//   - Full reads: the first read, and again whenever FormulaRefresh has
//     passed since the last full read (formula fields and lookup names
//     change without moving Modified_Time). The time of the last full
//     read travels in the cursor.
//   - Deletions: the deleted-records API (type=all) for deletions after
//     the previous read's start (server time, minus the look-back), on
//     every read but the first. They come first, in batches of their own:
//     every row of such a batch has _deleted_at set, the id, and every
//     other column NULL; live rows never share a batch with them. The
//     runner lands them into _deleted_at only.
//   - Deals_Stage_History: the Deals changed since the cursor (id and
//     Modified_Time only), then each one's Stage_History related list in
//     full (the previous entry's Duration_Days changes when a stage is
//     added): one call per changed deal, Limits.Concurrency at a time.
//
// Columns are named by the fields' API names. Warehouses ignore case in
// column names while Zoho does not, so when fields differ only by case
// (Last_Name and a custom last_name), the field created first keeps the
// name and the others land as <API name>__2, __3, … in creation order; a
// field named like a column revops adds (ID, _source) is renamed the same
// way. A field added later never renames a column that holds data.
//
// The cursor is JSON: {"modified": newest Modified_Time seen, "id": the
// last record read at it, "read_at": start of the read that got there,
// "full": last full read, "deleted": start of this read, "schema": the
// fields read} (server times, RFC 3339). The next read passes over the
// records of its look-back window at or before (modified, id) that were
// older than the look-back at read_at (order.go): a second shared by
// thousands of records (a bulk import) is read once, even when a run's
// max_calls or Stage_History allowance reads only part of it; a list page
// of only such records does not count against max_calls. A cursor without
// an id (written by an older revops) reads its window whole, as before.
//
// Checkpoints (extract.Checkpointer): records come oldest first, so after
// the deletions every batch ends at a checkpoint, the newest Modified_Time
// passed (a Bulk Read: the end of each page, with the next page's token). During a full read a checkpoint carries "full_started" instead
// of moving "full", and a read from it continues the full read where it
// stopped. Deals_Stage_History checkpoints at the last deal whose whole
// history was handed on, and hands on a batch every 50 deals (about 50
// calls), so that the runner's time trigger (Runner.CheckpointEvery) can
// commit a read that costs many calls for few rows; a failure (a 429 once
// the daily credits are spent, a token refresh Zoho refused) stops the
// reads of later deals and still hands on the deals read whole, so the
// runner keeps them. Options.MaxCalls stops a read at a checkpoint on
// purpose: a first Stage_History read of many deals then spreads over
// several runs.
//
// # Zoho Desk (type zoho_desk)
//
// Objects are tickets, contacts and accounts. The Desk list API has no
// modified-since filter, so Extract reads sortBy=-modifiedTime (newest
// first, 100 per call, from 1-based) and stops at the first record older
// than cursor − look-back: the fewest calls for an incremental read, and a
// full read otherwise. A record modified during the read moves to the
// front; it was then either read already or is newer than the cursor this
// read returns, so the next read gets it. Desk has no deleted-records API
// here, so Desk deletions are not extracted. Columns are fixed per
// collection (custom fields in the cf JSON column).
//
// Batches hold up to 10,000 rows (Stage_History: 50 deals) and are built by a goroutine while the
// previous one is being landed. Requests are tagged with the object's
// name: Stats(object) and TotalStats report calls, retries and throttling.
package zoho

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	orgbudget "github.com/revops/revops/budget"
	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// Extractor reads one zoho_crm or zoho_desk source. It is safe for
// concurrent use by several objects at once.
type Extractor struct {
	name string
	opts *Options
	c    *zoho.Client
	desk *zoho.Desk
	log  *slog.Logger

	mu      sync.Mutex
	modules map[string]moduleSeen // by API name, from the last Objects
	// noBulk is set once Bulk Read was refused for want of a scope or
	// permission: the source's later reads use the list API.
	noBulk atomic.Bool
	// orgBudget is the org's API budget (SetBudget), nil without one.
	orgBudget atomic.Pointer[orgbudget.Budget]
}

// New validates opts, builds the API client and fetches a token, so that
// bad credentials or a wrong data center fail here, naming the source.
func New(ctx context.Context, name string, opts *Options, log *slog.Logger) (*Extractor, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("zoho: source %s: %w", name, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	system := "zoho_crm"
	if opts.desk {
		system = "zoho_desk"
	}
	c, err := zoho.New(opts.ClientConfig(system, log.With("source", name)))
	if err != nil {
		return nil, fmt.Errorf("zoho: source %s: %w", name, err)
	}
	e := &Extractor{name: name, opts: opts, c: c, log: log, modules: map[string]moduleSeen{}}
	if opts.desk {
		if e.desk, err = c.Desk(); err != nil {
			return nil, fmt.Errorf("zoho: source %s: %w", name, err)
		}
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("zoho: source %s: %w", name, err)
	}
	return e, nil
}

// SetBudget makes reads stop at a checkpoint once the org's API budget
// is spent (extract.BudgetSetter); the object is then incomplete and the
// next run continues from there.
func (e *Extractor) SetBudget(b *orgbudget.Budget) { e.orgBudget.Store(b) }

// Client returns the API client (for the sync stage and tests).
func (e *Extractor) Client() *zoho.Client { return e.c }

// Stats returns the request counts of one object's extracts so far.
func (e *Extractor) Stats(object string) httpx.Stats { return e.c.TagStats(object) }

// TotalStats returns the request counts of the source so far, token and
// metadata calls included.
func (e *Extractor) TotalStats() httpx.Stats { return e.c.Stats() }

func (e *Extractor) history(name string) bool {
	return slices.ContainsFunc(e.opts.History, func(h string) bool { return strings.EqualFold(h, name) })
}

// Objects lists the configured modules (CRM: checked against the modules
// API, with the API's spelling; plus Deals_Stage_History when Deals is
// configured) or Desk collections. An unknown one is an error wrapping
// extract.ErrUnknownObject that names it; the known ones are returned
// beside it, so that they still extract.
func (e *Extractor) Objects(ctx context.Context) ([]extract.Object, error) {
	var out []extract.Object
	var errs []error
	if e.opts.desk {
		for _, m := range e.opts.Modules {
			kind := strings.ToLower(m)
			if _, ok := deskColumns[kind]; !ok {
				errs = append(errs, fmt.Errorf("zoho: source %s: Desk collection %q (want tickets, contacts or accounts): %w",
					e.name, m, extract.ErrUnknownObject))
				continue
			}
			out = append(out, extract.Object{Name: kind, Table: kind, Key: "id", Modified: "modifiedTime", History: e.history(kind)})
		}
		return out, errors.Join(errs...)
	}
	mods, serverNow, err := e.c.ModulesAt(httpx.WithTag(ctx, "metadata"))
	if err != nil {
		return nil, fmt.Errorf("zoho: source %s: %w", e.name, err)
	}
	byName := map[string]zoho.Module{}
	local := time.Now()
	e.mu.Lock()
	for _, m := range mods {
		byName[strings.ToLower(m.APIName)] = m
		e.modules[m.APIName] = moduleSeen{modified: m.ModifiedTime, at: serverNow, local: local}
	}
	e.mu.Unlock()
	deals := false
	for _, name := range e.opts.Modules {
		m, ok := byName[strings.ToLower(name)]
		if !ok {
			errs = append(errs, fmt.Errorf("zoho: source %s: module %q: %w", e.name, name, extract.ErrUnknownObject))
			continue
		}
		deals = deals || m.APIName == "Deals"
		out = append(out, extract.Object{Name: m.APIName, Table: strings.ToLower(m.APIName), Key: "id",
			Modified: "Modified_Time", History: e.history(m.APIName)})
	}
	if deals {
		out = append(out, extract.Object{Name: StageHistoryObject, Table: strings.ToLower(StageHistoryObject),
			Key: "id", Modified: "Modified_Time", History: e.history(StageHistoryObject)})
	}
	return out, errors.Join(errs...)
}

// Extract streams the records of obj changed at or after since minus the
// look-back ("" reads everything); see the package doc for how.
func (e *Extractor) Extract(ctx context.Context, obj extract.Object, since string) (extract.Stream, error) {
	cur, err := parseCursor(since)
	if err != nil {
		return nil, fmt.Errorf("zoho: source %s: extract %s: %w", e.name, obj.Name, err)
	}
	ctx = httpx.WithTag(ctx, obj.Name)
	switch {
	case e.opts.desk:
		return e.extractDesk(ctx, obj, cur)
	case obj.Name == StageHistoryObject:
		return e.extractStageHistory(ctx, obj, cur)
	}
	return e.extractModule(ctx, obj, cur)
}

var _ extract.Extractor = (*Extractor)(nil)
