package sync

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Every write is recorded in _revops.sync_inflight (key, operation, row
// hash, match values, record id, values sent) before it is sent, and
// removed in the transaction that records its answer. A row left there
// is a write whose outcome is unknown: the run was killed between the
// call and recording the answer, or the call failed as a whole (a lost
// answer, a 5xx after the retries). The sync's next run (or plan, or
// apply) resolves them before it diffs: see resolveInflight.

// ErrUnknownOutcome: creates of an earlier run may or may not have been
// written and the sync cannot look them up (see Options.ResendUnknown).
var ErrUnknownOutcome = errors.New("creates with an unknown outcome")

// recoverInflight resolves the in-flight writes of earlier runs (see
// resolveInflight). A run or an apply counts what it recovers itself; a
// plan, which is not a run, records the resolution as a run of its own
// (kind "recover") when there is anything to resolve, so that history
// accounts for every record written.
func (r *Runner) recoverInflight(ctx context.Context, spec *Spec, dest Destination, sc *Schema, opts Options, rep *Report) error {
	if rep.Kind != "plan" {
		return r.resolveInflight(ctx, spec, dest, sc, opts, rep)
	}
	n, err := queryRows(ctx, r.Warehouse, `SELECT count(*) FROM _revops.sync_inflight WHERE sync = ?`, spec.Name)
	if err != nil {
		return fmt.Errorf("sync %s: read in-flight writes: %w", spec.Name, err)
	}
	if num(n[0][0]) == 0 {
		return nil
	}
	rec := r.newReport(spec, "recover", "")
	if err := startRunRecord(ctx, r.Warehouse, &rec.RunRecord); err != nil {
		return err
	}
	start := time.Now()
	rec.meter = startMeter(dest)
	err = r.resolveInflight(ctx, spec, dest, sc, opts, rec)
	rec.meter.stop(rec)
	rep.Recovered += rec.Recovered
	return r.finish(ctx, rec, start, err)
}

// inflight is one write of an earlier run whose outcome is unknown.
type inflight struct {
	key, hash, run string
	op             Op
	// id is the record the write addressed (updates, deletes, upserts
	// of known records) or, for a create, the record found by its match
	// values.
	id string
	// match holds the values the record can be found by; sent the field
	// values the write sent (nil: not known, a delete or a write recorded
	// by an older revops).
	match, sent map[string]any
	// snapshot: the key had a snapshot (it was written before).
	snapshot bool
	// object is the object of id when it is not the sync's (its values
	// are not compared: the write is sent again).
	object string
}

// resolveInflight resolves the writes earlier runs sent without recording
// the answer, so that the snapshot holds only what the destination is
// known to hold, or a mark that sends the row again:
//
//   - already recorded (the snapshot holds the write's hash): nothing to do;
//   - a delete: the record is looked up by id; gone, the removal is
//     recorded (counted as recovered); still there, the snapshot stays, and
//     a key still out of the model is removed again;
//   - a create (an insert, or an upsert of a key never written): looked
//     up by its match values or by the key revops wrote into
//     match.create_key; absent, it is sent again as new; an insert found
//     is recorded as written (recovered), an upsert found is checked as
//     below;
//   - an update, or an upsert of a record that existed (a changed row, or
//     a new key that matched a record): finding the record says nothing
//     of the write, so its current values are read and compared with the
//     values sent. All equal, the write is recorded as written
//     (recovered); else, or when they cannot be read, the snapshot is
//     marked unknown (unknownHash, keeping the record id), so the next
//     diff sends the row again whatever the model holds by then: updates
//     and upserts are safe to send twice.
//
// What it records goes in one transaction with the run's counts. Creates
// that cannot be looked up (a sync matched by id without create_key, or
// rows recorded without match values) stop the sync unless
// opts.ResendUnknown.
func (r *Runner) resolveInflight(ctx context.Context, spec *Spec, dest Destination, sc *Schema, opts Options, rep *Report) error {
	w := r.Warehouse
	rows, err := queryRows(ctx, w, `SELECT i.key, i.row_hash, i.match_values, s.row_hash, i.run_id, i.op,
			coalesce(i.destination_id, s.destination_id), i.sent_values, s.key IS NOT NULL,
			CASE WHEN i.destination_id IS NOT NULL THEN i.destination_object ELSE s.destination_object END
		FROM _revops.sync_inflight i LEFT JOIN _revops.sync_snapshots s ON s.sync = i.sync AND s.key = i.key
		WHERE i.sync = ? ORDER BY i.key`, spec.Name)
	if err != nil {
		return fmt.Errorf("sync %s: read in-flight writes: %w", spec.Name, err)
	}
	if len(rows) == 0 {
		return nil
	}
	var done []string
	var deletes, verify, lookup, blind []inflight
	for _, row := range rows {
		o := inflight{key: str(row[0]), hash: str(row[1]), run: str(row[4]), op: Op(str(row[5])), id: str(row[6]), snapshot: row[8] == true,
			object: str(row[9])}
		if m := str(row[2]); m != "" && m != "null" {
			o.match = parseJSONMap(m)
		}
		if v := str(row[7]); v != "" && v != "null" {
			o.sent = parseJSONMap(v)
		}
		done = append(done, o.key)
		switch {
		case o.snapshot && str(row[3]) == o.hash:
			// The answer was recorded after all.
		case o.op == OpDelete:
			if o.id != "" {
				deletes = append(deletes, o)
			}
		case o.id != "":
			verify = append(verify, o)
		case o.op == OpUpdate:
			// An update addresses a record by id: without one nothing
			// was sent to any record.
		case findable(spec, o.match):
			lookup = append(lookup, o)
		default:
			blind = append(blind, o)
		}
	}
	if len(blind) > 0 && !opts.ResendUnknown {
		why := "a sync matched by record id cannot look them up (set match.create_key to make it able to)"
		if spec.Match.By != MatchID || spec.Match.CreateKey != "" {
			why = "they were recorded without the values they could be looked up by"
		}
		return fmt.Errorf("sync %s: %d creates sent by run %s have an unknown outcome (it stopped between the API call and recording the answer), "+
			"and %s; check %s for records of keys such as %q, then run again with --resend-unknown: %w",
			spec.Name, len(blind), blind[0].run, why, spec.Destination.Object, blind[0].key, ErrUnknownOutcome)
	}
	// Blind creates (with --resend-unknown) are dropped: sent again.

	var written []snapshotRow // recorded as written (recovered)
	var gone []string         // removals found done (recovered)
	notFound := 0
	found, err := r.lookUpCreates(ctx, spec, dest, lookup, rep)
	if err != nil {
		return err
	}
	for _, o := range lookup {
		id := found[o.key]
		switch {
		case id == "":
			notFound++ // never written: the diff sends it again
		case o.op == OpInsert:
			// An insert found was written: it can only have created the
			// record (create_key values are revops's own).
			written = append(written, o.writtenRow(id))
		default:
			// An upsert may have matched a record that was there before.
			o.id = id
			verify = append(verify, o)
		}
	}
	ok, err := r.verifyWrites(ctx, spec, dest, sc, verify, rep)
	if err != nil {
		return err
	}
	var unknownKnown []string    // snapshots marked unknown
	var unknownNew []snapshotRow // records found, values not the ones sent
	for _, o := range verify {
		switch {
		case ok[o.key]:
			written = append(written, o.writtenRow(o.id))
		case o.snapshot:
			unknownKnown = append(unknownKnown, o.key)
		default:
			unknownNew = append(unknownNew, snapshotRow{Key: o.key, Hash: unknownHash, DestID: o.id, Object: o.object})
		}
	}
	if len(deletes) > 0 {
		ids := make([]string, len(deletes))
		for i, o := range deletes {
			ids[i] = o.id
		}
		live, err := r.readRecords(ctx, spec, dest, ids, nil, rep)
		if err != nil {
			return fmt.Errorf("sync %s: look up records of in-flight deletes: %w", spec.Name, err)
		}
		for _, o := range deletes {
			if _, ok := live[o.id]; !ok {
				gone = append(gone, o.key)
			}
		}
	}

	recovered := make([]string, 0, len(written)+len(gone))
	for _, s := range written {
		recovered = append(recovered, s.Key)
	}
	recovered = append(recovered, gone...)
	rep.Recovered += int64(len(recovered))
	now := time.Now().UTC()
	var b batch
	b.snapshots(spec.Name, written, now)
	b.snapshots(spec.Name, unknownNew, now)
	b.markUnknown(spec.Name, unknownKnown)
	b.deleteKeys("sync_snapshots", spec.Name, gone)
	// A failure recorded for a write found done (BATCH_FAILED when the
	// answer was lost) is void.
	b.clearFailures(spec.Name, recovered)
	b.deleteKeys("sync_inflight", spec.Name, done)
	b.counts(rep)
	if err := b.exec(context.WithoutCancel(ctx), w); err != nil {
		return fmt.Errorf("sync %s: record the in-flight writes resolved: %w", spec.Name, err)
	}
	r.log().Info("resolved writes of an earlier run with an unknown outcome", "sync", spec.Name, "writes", len(rows),
		"recovered", len(recovered), "sent_again", len(unknownKnown)+len(unknownNew)+notFound+len(blind))
	return nil
}

// writtenRow is the snapshot of o's write found done at record id.
func (o inflight) writtenRow(id string) snapshotRow {
	row := snapshotRow{Key: o.key, Hash: o.hash, DestID: id}
	if id == o.id {
		row.Object = o.object
	}
	if o.hash != removedHash {
		row.Values = o.sent
	}
	return row
}

// lookUpCreates finds the records of in-flight creates by their match
// values (or the create key); it returns the ids found by key.
func (r *Runner) lookUpCreates(ctx context.Context, spec *Spec, dest Destination, creates []inflight, rep *Report) (map[string]string, error) {
	out := map[string]string{}
	m := spec.MatchFor()
	if spec.Match.By == MatchID && spec.Match.CreateKey != "" {
		m = Match{By: MatchExternalID, Field: spec.Match.CreateKey}
	}
	step := min(max(1, dest.MaxBatch(OpUpsert, len(creates))), 200)
	for start := 0; start < len(creates); start += step {
		part := creates[start:min(start+step, len(creates))]
		keys := make([]map[string]any, len(part))
		for i, o := range part {
			keys[i] = o.match
		}
		ids, err := dest.Find(ctx, spec.Destination.Object, m, keys)
		rep.APICalls++
		if err != nil {
			return nil, fmt.Errorf("sync %s: look up in-flight creates: %w", spec.Name, err)
		}
		for i, o := range part {
			if i < len(ids) && ids[i] != "" {
				out[o.key] = ids[i]
			}
		}
	}
	return out, nil
}

// verifyWrites reads the records of in-flight updates and upserts and
// reports, by key, those holding every value the write sent. A write
// whose values are not known, or whose record cannot be read, is not
// confirmed (a failed read is logged: the rows are sent again).
func (r *Runner) verifyWrites(ctx context.Context, spec *Spec, dest Destination, sc *Schema, writes []inflight, rep *Report) (map[string]bool, error) {
	ok := map[string]bool{}
	var ids []string
	fieldSet := map[string]bool{}
	for _, o := range writes {
		if o.sent == nil || o.object != "" {
			continue
		}
		ids = append(ids, o.id)
		for f := range o.sent {
			fieldSet[f] = true
		}
	}
	if len(ids) == 0 {
		return ok, nil
	}
	cur, err := r.readRecords(ctx, spec, dest, ids, sortedKeys(fieldSet), rep)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.log().Warn("could not read the records of writes with an unknown outcome: they are sent again", "sync", spec.Name,
			"records", len(ids), "error", err)
		return ok, nil
	}
	for _, o := range writes {
		vals, there := cur[o.id]
		if o.sent == nil || o.object != "" || !there {
			continue
		}
		same := true
		for f, v := range o.sent {
			if !sameValue(v, vals[f], sc.Fields[f]) {
				same = false
				break
			}
		}
		ok[o.key] = same
	}
	return ok, nil
}

// readRecords reads fields of the records ids (live records only), 100
// ids a call.
func (r *Runner) readRecords(ctx context.Context, spec *Spec, dest Destination, ids, fields []string, rep *Report) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for start := 0; start < len(ids); start += 100 {
		got, err := dest.Read(ctx, spec.Destination.Object, ids[start:min(start+100, len(ids))], fields)
		rep.APICalls++
		if err != nil {
			return nil, err
		}
		for id, m := range got {
			out[id] = m
		}
	}
	return out, nil
}

// findable reports whether an in-flight create can be looked up: it holds
// a non-empty value of the fields the sync finds records by.
func findable(spec *Spec, match map[string]any) bool {
	switch {
	case spec.Match.By == MatchID && spec.Match.CreateKey != "":
		return !isEmpty(match[spec.Match.CreateKey])
	case spec.Match.By == MatchID:
		return false
	}
	return usableMatch(spec, match)
}
