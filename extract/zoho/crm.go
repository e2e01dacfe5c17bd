package zoho

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// plan is what one CRM read does, decided from the cursor.
type plan struct {
	full      bool      // read every record (first read, formula refresh)
	since     time.Time // If-Modified-Since for the records (zero: all)
	delSince  time.Time // If-Modified-Since for deletions
	deletions bool      // read the deleted-records API
	next      cursor    // the cursor to return, before the records' times
}

// planRead decides between a full and an incremental read. serverNow is
// the server's clock (local clock when the API sent no Date).
func (e *Extractor) planRead(cur cursor, serverNow time.Time) plan {
	now := serverNow.Format(time.RFC3339)
	p := plan{next: cursor{Modified: cur.Modified, Full: cur.Full, Deleted: now}}
	modified := at(cur.Modified)
	p.full = modified.IsZero() ||
		e.opts.FormulaRefresh > 0 && (cur.Full == "" || !serverNow.Before(at(cur.Full).Add(e.opts.FormulaRefresh)))
	if p.full {
		p.next.Full = now
	} else {
		// Strictly after (since − look-back − 1s): the boundary second is read again.
		p.since = modified.Add(-e.opts.Lookback - time.Second)
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

// batcher wraps extract.Batcher with the flush-at-10,000 rule.
type batcher struct {
	*extract.Batcher
	emit func(arrow.RecordBatch) error
}

func (b *batcher) add(rec map[string]any, deletedAt *time.Time) error {
	if err := b.Append(rec, deletedAt); err != nil {
		id, _ := rec["id"].(string)
		return fmt.Errorf("record %s: %w", id, err)
	}
	if b.Len() >= batchRows {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if rb := b.Flush(); rb != nil {
		return b.emit(rb)
	}
	return nil
}

// extractModule reads one CRM module.
func (e *Extractor) extractModule(ctx context.Context, obj extract.Object, cur cursor) (extract.Stream, error) {
	fields, serverNow, err := e.c.FieldsAt(ctx, obj.Name)
	if err != nil {
		return nil, e.unknownModule(err, obj.Name)
	}
	cols := moduleColumns(fields)
	names := make([]string, 0, len(cols))
	for _, c := range cols[1:] {
		names = append(names, c.Name)
	}
	p := e.planRead(cur, e.serverNow(serverNow))
	schema := extract.NewBatcher(cols).Schema()
	e.log.Debug("zoho extract", "source", e.name, "object", obj.Name, "full", p.full, "since", p.since,
		"deletions", p.deletions, "columns", len(cols))
	run := func(ctx context.Context, emit func(arrow.RecordBatch) error) (string, error) {
		b := &batcher{Batcher: extract.NewBatcher(cols), emit: emit}
		defer b.Release()
		fail := func(err error) (string, error) {
			return "", fmt.Errorf("zoho: source %s: extract %s: %w", e.name, obj.Name, err)
		}
		if p.deletions {
			dels, err := e.c.Deleted(ctx, obj.Name, p.delSince)
			if err != nil {
				return fail(err)
			}
			for _, d := range dels {
				at := d.DeletedTime
				if err := b.add(map[string]any{"id": d.ID}, &at); err != nil {
					return fail(err)
				}
			}
			if err := b.flush(); err != nil { // deleted rows never share a batch with live ones
				return fail(err)
			}
		}
		var newest maxTime
		opts := zoho.ListOptions{SortBy: "Modified_Time", SortOrder: "asc", ModifiedSince: p.since}
		if obj.Name == "Leads" {
			opts.Converted = "both"
		}
		err := e.c.List(ctx, obj.Name, names, opts, func(recs []map[string]any) error {
			// Sorted by Modified_Time ascending: the page's last is its newest.
			if s, ok := recs[len(recs)-1]["Modified_Time"].(string); ok {
				if t, err := zoho.ParseTime(s); err == nil {
					newest.observe(s, t)
				}
			}
			for _, r := range recs {
				if err := b.add(r, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			err = b.flush()
		}
		if err != nil {
			return fail(err)
		}
		next := p.next
		if newest.s != "" && (next.Modified == "" || newest.t.After(at(next.Modified))) {
			next.Modified = newest.s
		}
		return next.String(), nil
	}
	return newStream(ctx, schema, run), nil
}

// extractStageHistory reads Deals' Stage_History of the deals changed
// since the cursor (all deals on the first read).
func (e *Extractor) extractStageHistory(ctx context.Context, obj extract.Object, cur cursor) (extract.Stream, error) {
	var since time.Time
	if m := at(cur.Modified); !m.IsZero() {
		since = m.Add(-e.opts.Lookback - time.Second)
	}
	cols := stageHistoryColumns
	schema := extract.NewBatcher(cols).Schema()
	workers := max(1, e.opts.Limits.Concurrency)
	run := func(ctx context.Context, emit func(arrow.RecordBatch) error) (string, error) {
		b := &batcher{Batcher: extract.NewBatcher(cols), emit: emit}
		defer b.Release()
		fail := func(err error) (string, error) {
			return "", fmt.Errorf("zoho: source %s: extract %s: %w", e.name, obj.Name, err)
		}
		var newest maxTime
		opts := zoho.ListOptions{SortBy: "Modified_Time", SortOrder: "asc", ModifiedSince: since}
		err := e.c.List(ctx, "Deals", []string{"Modified_Time"}, opts, func(deals []map[string]any) error {
			rows := make([][]map[string]any, len(deals))
			errs := make([]error, len(deals))
			var wg sync.WaitGroup
			sem := make(chan struct{}, workers)
			for i, d := range deals {
				id, _ := d["id"].(string)
				if s, ok := d["Modified_Time"].(string); ok {
					if t, err := zoho.ParseTime(s); err == nil {
						newest.observe(s, t)
					}
				}
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					rows[i], errs[i] = e.c.Related(ctx, "Deals", id, "Stage_History", stageHistoryFields, time.Time{})
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return err
				}
			}
			for i, d := range deals {
				for _, r := range rows[i] {
					r["Deal_Id"] = d["id"]
					if err := b.add(r, nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err == nil {
			err = b.flush()
		}
		if err != nil {
			return fail(err)
		}
		next := cursor{Modified: cur.Modified}
		if newest.s != "" && (next.Modified == "" || newest.t.After(at(next.Modified))) {
			next.Modified = newest.s
		}
		return next.String(), nil
	}
	return newStream(ctx, schema, run), nil
}
