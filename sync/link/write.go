package link

import (
	"context"
	"fmt"
	"sort"
	"strings"

	revsync "github.com/revops/revops/sync"
)

// send writes side i's records in batches of the destination's maximum.
// Each write is recorded in flight before it is sent; its answer, the
// agreed values of what was written, the failures and the run's counts
// are recorded in one transaction right after. A record the destination
// refuses for named fields (Salesforce's fields, Zoho's api_name: an
// e-mail address it finds invalid, a value too long) is sent once more
// without them, so the other fields travel: the refused fields stay
// failures (retried by the next run), the others are written.
func (e *engine) send(ctx context.Context, i int, list []*pending) error {
	if len(list) == 0 {
		return nil
	}
	dest := e.dests[i]
	step := max(1, dest.MaxBatch(revsync.OpUpdate, len(list)))
	for start := 0; start < len(list); start += step {
		retry, err := e.sendBatch(ctx, i, list[start:min(start+step, len(list))], true)
		if err != nil {
			return err
		}
		rstep := max(1, dest.MaxBatch(revsync.OpUpdate, len(retry)))
		for rs := 0; rs < len(retry); rs += rstep {
			if _, err := e.sendBatch(ctx, i, retry[rs:min(rs+rstep, len(retry))], false); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// sendBatch sends one Write of part and records its answer. With
// mayRetry, the records refused for fields they can go without are
// returned, less those fields (whose failures are recorded), to be sent
// again; they stay in flight until then.
func (e *engine) sendBatch(ctx context.Context, i int, part []*pending, mayRetry bool) ([]*pending, error) {
	s, dest := e.spec, e.dests[i]
	obj := s.Sides()[i].Object
	side := s.Sides()[i].Source
	sentAt := e.r.now()
	recs := make([]revsync.Record, len(part))
	var fl batch
	vals := make([][]any, len(part))
	for j, pd := range part {
		recs[j] = pd.rec
		vals[j] = []any{s.Name, int64(i), pd.rec.ID, pd.left, pd.right, e.rep.ID, toJSON(pd.rec.Values), toJSON(pd.agreed), sentAt}
	}
	fl.insert(`INSERT INTO _revops.link_inflight (link, side, record_id, left_id, right_id, run_id, sent_values, agreed, sent_at)`,
		`ON CONFLICT (link, side, record_id) DO UPDATE SET left_id = excluded.left_id, right_id = excluded.right_id, run_id = excluded.run_id,
			sent_values = excluded.sent_values, agreed = excluded.agreed, sent_at = excluded.sent_at`, vals)
	if err := fl.exec(ctx, e.w); err != nil {
		return nil, fmt.Errorf("link %s: record writes in flight: %w", s.Name, err)
	}
	results, werr := dest.Write(ctx, obj, revsync.OpUpdate, revsync.Match{By: revsync.MatchID}, recs)
	if werr == nil && len(results) != len(recs) {
		werr = fmt.Errorf("%d results for %d records", len(results), len(recs))
	}
	answered := e.r.now()
	bg := context.WithoutCancel(ctx)
	var b batch
	var failed []failure
	if werr != nil {
		// Nothing is known: the writes stay in flight for the next run.
		for _, pd := range part {
			for _, label := range sortedKeys(pd.agreed) {
				failed = append(failed, failure{Left: pd.left, Right: pd.right, Field: label, Side: side,
					Code: CodeBatchFailed, Message: werr.Error()})
			}
			if !pd.refused {
				e.rep.Sides[i].Failed++
			}
		}
		e.rep.Failed += int64(len(failed))
		e.addFailures(failed)
		b.failures(s.Name, e.rep.ID, failed, answered)
		e.counts(&b)
		if err := b.exec(bg, e.w); err != nil {
			return nil, fmt.Errorf("link %s: record failures: %w", s.Name, err)
		}
		return nil, fmt.Errorf("link %s: update %d %s %s records: %w", s.Name, len(part), side, obj, werr)
	}
	var agreed, cleared []agreement
	var written, values [][]any
	var ids []string
	var retry []*pending
	for j, res := range results {
		pd := part[j]
		if res.Err != nil {
			if !pd.refused {
				e.rep.Sides[i].Failed++
			}
			if mayRetry {
				if rest, dropped := pd.without(res.Err); rest != nil {
					for _, label := range dropped {
						failed = append(failed, failure{Left: pd.left, Right: pd.right, Field: label, Side: side,
							Code: res.Err.Code, Message: res.Err.Message})
					}
					retry = append(retry, rest)
					continue // in flight until the retry's answer
				}
			}
			ids = append(ids, pd.rec.ID)
			for _, label := range sortedKeys(pd.agreed) {
				failed = append(failed, failure{Left: pd.left, Right: pd.right, Field: label, Side: side,
					Code: res.Err.Code, Message: res.Err.Message})
			}
			continue
		}
		ids = append(ids, pd.rec.ID)
		for label, v := range pd.agreed {
			agreed = append(agreed, agreement{Left: pd.left, Right: pd.right, Field: label, Value: v})
			if k := (agreement{Left: pd.left, Right: pd.right, Field: label}); e.failing == nil || e.failing[k] {
				cleared = append(cleared, k)
				delete(e.failing, k)
			}
		}
		written = append(written, []any{s.Name, int64(i), pd.rec.ID, sentAt, answered, toJSON(pd.agreed)})
		values = append(values, []any{s.Name, side, obj, pd.rec.ID, answered, toJSON(pd.rec.Values)})
		e.rep.Updated++
		e.rep.Sides[i].Updated++
		e.rep.Sides[i].Fields += int64(len(pd.rec.Values))
	}
	e.rep.Failed += int64(len(failed))
	e.addFailures(failed)
	e.noteFailing(failed)
	b.agree(s.Name, agreed, answered)
	b.clearFailures(s.Name, cleared)
	b.failures(s.Name, e.rep.ID, failed, answered)
	b.insert(`INSERT INTO _revops.link_writes (link, side, record_id, sent_at, answered_at, agreed)`,
		`ON CONFLICT (link, side, record_id) DO UPDATE SET sent_at = excluded.sent_at, answered_at = excluded.answered_at, agreed = excluded.agreed`, written)
	b.insert(writtenValuesInsert, writtenValuesConflict, values)
	e.deleteInflight(&b, i, ids)
	e.counts(&b)
	if err := b.exec(bg, e.w); err != nil {
		return nil, fmt.Errorf("link %s: record the answer to %d %s updates: %w", s.Name, len(part), obj, err)
	}
	e.r.log().Debug("link batch", "link", s.Name, "side", side, "records", len(part), "failed", len(failed), "retry", len(retry))
	if len(retry) > 0 {
		e.r.log().Info("records refused for some fields: sent again without them", "link", s.Name, "side", side, "records", len(retry))
	}
	return retry, nil
}

// without returns the record less the fields err refused (every field of
// a field label one of whose fields is refused: a name split in two goes
// whole) and the labels dropped. It returns nil when the refusal cannot
// be worked around that way: it names no field, a field the write does
// not set (a record id, another field a validation rule checks), says the
// record is gone or may pass when sent again as is, or nothing would be
// left to send.
func (pd *pending) without(err *revsync.RowError) (*pending, []string) {
	if err == nil || err.Gone || err.Retryable || len(err.Fields) == 0 {
		return nil, nil
	}
	drop := map[string]bool{}
	for _, f := range err.Fields {
		label := ""
		for n, l := range pd.labels {
			if strings.EqualFold(n, f) {
				label = l
				break
			}
		}
		if label == "" {
			return nil, nil
		}
		drop[label] = true
	}
	rest := &pending{side: pd.side, left: pd.left, right: pd.right, refused: true,
		rec:    revsync.Record{Key: pd.rec.Key, ID: pd.rec.ID, Object: pd.rec.Object, Values: map[string]any{}},
		agreed: map[string]string{}, before: map[string]any{}, labels: map[string]string{}}
	for n, v := range pd.rec.Values {
		if l := pd.labels[n]; !drop[l] {
			rest.rec.Values[n], rest.before[n], rest.labels[n] = v, pd.before[n], l
		}
	}
	for l, v := range pd.agreed {
		if !drop[l] {
			rest.agreed[l] = v
		}
	}
	if len(rest.rec.Values) == 0 || len(rest.agreed) == 0 {
		return nil, nil
	}
	dropped := make([]string, 0, len(drop))
	for l := range drop {
		dropped = append(dropped, l)
	}
	sort.Strings(dropped)
	return rest, dropped
}

// noteFailing adds failures recorded during the run to e.failing, so a
// later write of the same field in the run clears them.
func (e *engine) noteFailing(fs []failure) {
	if e.failing == nil {
		return
	}
	for _, f := range fs {
		e.failing[agreement{Left: f.Left, Right: f.Right, Field: f.Field}] = true
	}
}

func (e *engine) deleteInflight(b *batch, side int, ids []string) {
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := []any{e.spec.Name, int64(side)}
		for _, id := range part {
			args = append(args, id)
		}
		b.add(`DELETE FROM _revops.link_inflight WHERE link = ? AND side = ? AND record_id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...)
	}
}
