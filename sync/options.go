package sync

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"
)

// updateOptionFields lists the mapped fields whose write options apply
// to existing records (fill_if_empty, never_overwrite), and of them the
// fill_if_empty ones.
func (s *Spec) updateOptionFields() (onUpdate, fill []string) {
	for _, f := range s.Fields() {
		o := s.Mapping[f].WriteOptions
		if o.OnUpdate() {
			onUpdate = append(onUpdate, f)
		}
		if o.FillIfEmpty {
			fill = append(fill, f)
		}
	}
	return onUpdate, fill
}

// applyWriteOptions applies fill_if_empty and never_overwrite to the rows
// that write to existing records, and returns the rows left to send.
// Whether a record exists is known for updates and for rows written
// before; an upsert of a key never written is looked up first (Find, or
// the destination's own matching). fill_if_empty compares with the
// record's current value (see currentValues); a record whose current
// value cannot be read (one revops found in another object, such as the
// Contact a lead became) keeps its value. A row left with nothing to
// write is recorded as written without being sent (counted as skipped).
func (r *Runner) applyWriteOptions(ctx context.Context, p *prepared, rows []*pending) ([]*pending, error) {
	s := p.spec
	onUpdate, fill := s.updateOptionFields()
	if len(onUpdate) == 0 {
		return rows, nil
	}
	var unknown []*pending
	for _, pd := range rows {
		if pd.op == OpUpsert && !pd.exists && !pd.recreate {
			unknown = append(unknown, pd)
		}
	}
	if err := r.lookUpExisting(ctx, p, unknown); err != nil {
		return nil, err
	}
	var current map[string]map[string]any
	if len(fill) > 0 {
		var items []*pending
		for _, pd := range rows {
			if pd.exists && pd.rec.ID != "" && pd.rec.Object == "" {
				items = append(items, pd)
			}
		}
		var err error
		if current, err = r.currentValues(ctx, p, items, fill, p.opts.FullResync); err != nil {
			return nil, err
		}
	}
	var out []*pending
	for _, pd := range rows {
		if pd.op == OpInsert || !pd.exists {
			out = append(out, pd)
			continue
		}
		cur, known := current[pd.rec.ID]
		for _, f := range onUpdate {
			v, has := pd.rec.Values[f]
			if !has {
				continue
			}
			var c any
			if known {
				c = cur[f]
			}
			if !s.Mapping[f].Allows(v, true, c, known) {
				delete(pd.rec.Values, f)
			}
		}
		if p.nothingToWrite(pd) {
			p.current = append(p.current, snapshotRow{Key: pd.ch.Key, Hash: pd.ch.Hash, DestID: pd.rec.ID, Object: pd.rec.Object,
				Values: pd.rec.Values})
			p.report.Skipped++
			continue
		}
		out = append(out, pd)
	}
	return out, nil
}

// nothingToWrite reports whether a write to an existing record would set
// nothing but the values that find it.
func (p *prepared) nothingToWrite(pd *pending) bool {
	for f := range pd.rec.Values {
		if !p.spec.matchField(f) {
			return false
		}
	}
	return true
}

// lookUpExisting finds the records that upserts of keys never written
// would update (by external id or duplicate-check values), and marks the
// rows found as writing to existing records. A row that matches several
// records stays as it is: the write itself sends it to review.
func (r *Runner) lookUpExisting(ctx context.Context, p *prepared, rows []*pending) error {
	if len(rows) == 0 {
		return nil
	}
	matcher, byMatcher := p.dest.(Matcher)
	byMatcher = byMatcher && p.spec.Match.By == MatchDuplicateCheck
	step := min(max(1, p.dest.MaxBatch(OpUpsert, len(rows))), 200)
	for start := 0; start < len(rows); start += step {
		part := rows[start:min(start+step, len(rows))]
		keys := make([]map[string]any, len(part))
		for i, pd := range part {
			keys[i] = pd.match
		}
		if byMatcher {
			cands, err := matcher.MatchRecords(ctx, p.spec.Destination.Object, p.spec.MatchFor(), keys)
			p.report.APICalls++
			if err != nil {
				return fmt.Errorf("sync %s: look up existing %s records: %w", p.spec.Name, p.spec.Destination.Object, err)
			}
			for i, pd := range part {
				if i < len(cands) && len(cands[i]) == 1 {
					pd.rec.ID, pd.exists = cands[i][0].ID, true
					if o := cands[i][0].Object; o != "" && !strings.EqualFold(o, p.spec.Destination.Object) {
						pd.rec.Object = o
					}
				}
			}
			continue
		}
		ids, err := p.dest.Find(ctx, p.spec.Destination.Object, p.spec.MatchFor(), keys)
		p.report.APICalls++
		if err != nil {
			return fmt.Errorf("sync %s: look up existing %s records: %w", p.spec.Name, p.spec.Destination.Object, err)
		}
		for i, pd := range part {
			if i < len(ids) && ids[i] != "" {
				pd.rec.ID, pd.exists = ids[i], true
			}
		}
	}
	return nil
}

// currentValues returns the destination's current values of fields for
// the records of items (by record id): from the last extract of the
// destination (the table <source>.<object lower-cased>) when it holds the
// record, taking what revops itself wrote after that extract as current
// (see writtenValues), else, and always with api, read through the
// destination's API (100 records a call). Records that do not exist are
// absent.
func (r *Runner) currentValues(ctx context.Context, p *prepared, items []*pending, fields []string, api bool) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	var ids, keys []string
	keyOf := map[string]string{}
	for _, pd := range items {
		if pd.rec.ID == "" || pd.rec.Object != "" {
			continue
		}
		if _, dup := keyOf[pd.rec.ID]; dup {
			continue
		}
		ids = append(ids, pd.rec.ID)
		keys = append(keys, pd.ch.Key)
		keyOf[pd.rec.ID] = pd.ch.Key
	}
	if len(ids) == 0 {
		return out, nil
	}
	if !api {
		if err := r.extractedValues(ctx, p, ids, keys, keyOf, fields, out); err != nil {
			return nil, err
		}
	}
	fromExtract := len(out)
	var missing []string
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			missing = append(missing, id)
		}
	}
	got, err := r.readRecords(ctx, p.spec, p.dest, missing, fields, p.report)
	if err != nil {
		return nil, fmt.Errorf("sync %s: read current %s values: %w", p.spec.Name, p.spec.Destination.Object, err)
	}
	maps.Copy(out, got)
	r.log().Debug("read the destination's current values", "sync", p.spec.Name, "records", len(ids),
		"from_extract", fromExtract, "through_the_api", len(missing), "fields", strings.Join(fields, ","))
	return out, nil
}

// extractedValues fills out with the values of the last extract of the
// destination for the records ids that it holds (see currentValues).
func (r *Runner) extractedValues(ctx context.Context, p *prepared, ids, keys []string, keyOf map[string]string,
	fields []string, out map[string]map[string]any) error {
	written, err := r.writtenValues(ctx, p.spec, keys)
	if err != nil {
		return err
	}
	idCol := "Id"
	if p.dest.System() != "salesforce" {
		idCol = "id"
	}
	rel := quoteIdent(p.spec.Destination.Source) + "." + quoteIdent(strings.ToLower(p.spec.Destination.Object))
	cols, _, err := readColumns(ctx, r.Warehouse, rel)
	if err != nil || cols[strings.ToLower(idCol)] == "" {
		return nil // not extracted: the API answers
	}
	var sel, have []string
	for _, f := range fields {
		if c := cols[strings.ToLower(f)]; c != "" {
			sel = append(sel, quoteIdent(c))
			have = append(have, f)
		}
	}
	at := "NULL"
	if c := cols[extractedAt]; c != "" {
		at = quoteIdent(c)
	}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := fmt.Sprintf("SELECT %s, %s%s FROM %s WHERE %s IN (%s)", quoteIdent(cols[strings.ToLower(idCol)]), at,
			prefixComma(sel), rel, quoteIdent(cols[strings.ToLower(idCol)]), strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", "))
		rows, err := queryRows(ctx, r.Warehouse, q, args...)
		if err != nil {
			return fmt.Errorf("sync %s: read extracted values from %s: %w", p.spec.Name, rel, err)
		}
		for _, row := range rows {
			id := str(row[0])
			w, wrote := written[keyOf[id]]
			extracted, dated := row[1].(time.Time)
			if wrote && (!dated || w.unknown) {
				continue // the extract cannot be dated against revops's write, or the write's outcome is unknown: read the destination
			}
			if len(have) < len(fields) {
				continue // the extract lacks a field: read the destination
			}
			m := map[string]any{}
			for i, f := range have {
				m[f] = row[i+2]
			}
			if wrote && w.at.After(extracted) {
				for f, v := range w.values {
					if _, asked := m[f]; asked {
						m[f] = v
					}
				}
			}
			out[id] = m
		}
	}
	return nil
}

// compareWithDestination (--full-resync) reads the current values of
// every row that writes to an existing record of the sync's object and
// compares them with what the row would send: equal, the row is recorded
// as written without being sent; different, it is sent, whatever the
// snapshot said; a record that no longer exists follows on_deleted. Rows
// it cannot compare (creates, records of another object) are sent.
func (r *Runner) compareWithDestination(ctx context.Context, p *prepared, rows []*pending) ([]*pending, error) {
	var items []*pending
	fieldSet := map[string]bool{}
	for _, pd := range rows {
		if pd.op != OpInsert && pd.rec.ID != "" && pd.rec.Object == "" {
			items = append(items, pd)
			for f := range pd.rec.Values {
				fieldSet[f] = true
			}
		}
	}
	cur, err := r.currentValues(ctx, p, items, sortedKeys(fieldSet), true)
	if err != nil {
		return nil, err
	}
	rep := p.report
	var out []*pending
	drifted := 0
	for _, pd := range rows {
		comparable := pd.op != OpInsert && pd.rec.ID != "" && pd.rec.Object == ""
		if !comparable {
			if pd.ch.Kind == "unchanged" {
				rep.Unchanged--
				rep.Changed++
			}
			out = append(out, pd)
			continue
		}
		vals, there := cur[pd.rec.ID]
		if !there {
			// Counted as unlinked, recreated or failed instead.
			if pd.ch.Kind == "unchanged" {
				rep.Unchanged--
			} else if pd.ch.Kind == "changed" {
				rep.Changed--
			}
			gone := &RowError{Code: CodeNotFound, Gone: true,
				Message: fmt.Sprintf("%s %s no longer exists (found by a full resync)", p.spec.Destination.Object, pd.rec.ID)}
			if np := p.onGoneBeforeSend(pd, gone); np != nil {
				out = append(out, np)
			}
			continue
		}
		same := true
		for f, v := range pd.rec.Values {
			if !sameValue(v, vals[f], p.schema.Fields[f]) {
				same = false
				break
			}
		}
		switch {
		case same:
			if pd.ch.Kind == "changed" {
				rep.Changed--
				rep.Unchanged++
			}
			p.current = append(p.current, snapshotRow{Key: pd.ch.Key, Hash: pd.ch.Hash, DestID: pd.rec.ID, Values: pd.rec.Values})
		default:
			if pd.ch.Kind == "unchanged" {
				rep.Unchanged--
				rep.Changed++
				drifted++
			}
			out = append(out, pd)
		}
	}
	if drifted > 0 {
		r.log().Info("full resync: records that differ from what the snapshot says was written are sent again", "sync", p.spec.Name, "rows", drifted)
	}
	return out, nil
}
