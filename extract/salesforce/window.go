package salesforce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// bulkWindows reads a large Bulk API 2.0 extract as consecutive
// SystemModstamp windows, one query job each, so that the end of every
// window is a checkpoint: Bulk results come in no order (ORDER BY is not
// supported there), but once a window [lo, up) is read whole every row
// changed before up has been passed.
//
// Windows hold about Options.BulkWindow rows: the first span is guessed
// from the oldest and newest cursor-field values and total, then each
// window is counted first (one REST call) and halved while it holds more
// than twice the target (down to one second), doubled after a small one.
// Every bounded window ends at or before the second of the newest value
// seen when the read began; the last window is open-ended, so rows
// changed during the read (whose new value is at least that) are read
// there or by the next run, never skipped.
func (p *producer) bulkWindows(ctx context.Context, total int64) error {
	sp := p.sp
	target := int64(p.e.opts.BulkWindow)
	newest, err := p.edgeValue(ctx, "DESC")
	if err != nil {
		return err
	}
	lower := sp.from.Truncate(time.Second) // the next window's bound in SOQL (zero: none)
	pos := lower                           // where the next window begins
	if pos.IsZero() {
		oldest, err := p.edgeValue(ctx, "ASC")
		if err != nil {
			return err
		}
		pos = oldest.Truncate(time.Second)
	}
	hi := newest.Truncate(time.Second)
	span := time.Second
	if hi.After(pos) && total > 0 {
		span = max(time.Second, time.Duration(float64(hi.Sub(pos))*float64(target)/float64(total)).Truncate(time.Second))
	}
	windows := 0
	for !newest.IsZero() && pos.Before(hi) {
		up := pos.Add(span)
		if up.After(hi) {
			up = hi
		}
		// A window costs a count and a job's calls (create, poll,
		// results): stop at the last window's end when they do not fit.
		if err := p.e.checkBudget("the next Bulk window of "+sp.object, 4); err != nil {
			return err
		}
		w := windowWhere(sp.modified, lower, up)
		n, err := p.e.client.Count(ctx, "SELECT COUNT() FROM "+sp.object+w, true)
		if err != nil {
			return err
		}
		if int64(n) > 2*target && span > time.Second {
			span = max(time.Second, (span / 2).Truncate(time.Second))
			continue
		}
		if n > 0 {
			if err := p.bulk(ctx, selectList(sp.object, sp.cols)+w); err != nil {
				return err
			}
		}
		windows++
		// Every row changed before up is read: the highest value seen
		// is safe, and so is the since of the call.
		p.safe, p.safeOK = p.cursor(), true
		if err := p.flush(ctx); err != nil {
			return err
		}
		if int64(n) < target/2 {
			span *= 2
		}
		pos, lower = up, up
	}
	w := ""
	if !lower.IsZero() {
		w = " WHERE " + sp.modified + " >= " + lower.UTC().Format(soqlTime)
	}
	p.e.log.Debug("bulk windows", "object", sp.object, "windows", windows+1, "rows", total)
	if err := p.bulk(ctx, selectList(sp.object, sp.cols)+w); err != nil {
		return err
	}
	p.safe, p.safeOK = p.cursor(), true // read whole
	return nil
}

// edgeValue reads the oldest (ASC) or newest (DESC) cursor-field value
// at or after the read's lower bound, deleted rows included; zero when
// there is no row.
func (p *producer) edgeValue(ctx context.Context, dir string) (time.Time, error) {
	sp := p.sp
	soql := "SELECT Id, " + sp.modified + " FROM " + sp.object + where(sp.modified, sp.from) +
		" ORDER BY " + sp.modified + " " + dir + " LIMIT 1"
	recs, err := p.e.client.NewPager(soql, true, 0).Next(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if len(recs) == 0 {
		return time.Time{}, nil
	}
	v, _ := recs[0][sp.modified].(string)
	t, err := salesforce.ParseTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s of %v: %w", dir, sp.modified, recs[0]["Id"], err)
	}
	return t, nil
}

// windowWhere bounds the cursor field to [lo, up); a zero lo has no lower bound.
func windowWhere(modified string, lo, up time.Time) string {
	w := " WHERE "
	if !lo.IsZero() {
		w += modified + " >= " + lo.UTC().Format(soqlTime) + " AND "
	}
	return w + modified + " < " + up.UTC().Format(soqlTime)
}

// selectList is "SELECT cols FROM object".
func selectList(object string, cols []extract.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return "SELECT " + strings.Join(names, ", ") + " FROM " + object
}
