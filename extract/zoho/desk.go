package zoho

import (
	"context"
	"fmt"
	"time"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
)

// extractDesk reads one Desk collection newest first, down to the cursor
// minus the look-back.
func (e *Extractor) extractDesk(ctx context.Context, obj extract.Object, cur cursor) (extract.Stream, error) {
	cols, ok := deskColumns[obj.Name]
	if !ok {
		return nil, fmt.Errorf("zoho: source %s: Desk collection %q: %w", e.name, obj.Name, extract.ErrUnknownObject)
	}
	var stop time.Time
	if m := at(cur.Modified); !m.IsZero() {
		stop = m.Add(-e.opts.Lookback)
	}
	schema := extract.NewBatcher(cols).Schema()
	// Newest first: no point before the end is safe, so batches carry no
	// checkpoint and a failed read lands nothing.
	run := func(ctx context.Context, emit func(batch) error) (string, bool, error) {
		b := &batcher{Batcher: extract.NewBatcher(cols), emit: emit}
		defer b.Release()
		var newest maxTime
		err := e.desk.List(ctx, obj.Name, zoho.DeskListOptions{SortBy: "-modifiedTime"}, func(recs []map[string]any) (bool, error) {
			for _, r := range recs {
				s, _ := r["modifiedTime"].(string)
				t, err := zoho.ParseTime(s)
				if err != nil {
					id, _ := r["id"].(string)
					return false, fmt.Errorf("record %s: modifiedTime: %w", id, err)
				}
				if !stop.IsZero() && t.Before(stop) {
					return false, nil // sorted newest first: the rest is older
				}
				newest.observe(s, t)
				if err := b.add(r, nil); err != nil {
					return false, err
				}
			}
			return true, nil
		})
		if err == nil {
			err = b.flush()
		}
		if err != nil {
			return "", false, fmt.Errorf("zoho: source %s: extract %s: %w", e.name, obj.Name, err)
		}
		next := cursor{Modified: cur.Modified}
		if newest.s != "" && (next.Modified == "" || newest.t.After(at(next.Modified))) {
			next.Modified = newest.s
		}
		return next.String(), false, nil
	}
	return newStream(ctx, schema, run), nil
}
