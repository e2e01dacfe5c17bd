package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Plan is what a sync would send: per row the operation and, per field,
// the destination's value before (from the last extract, else read from
// the destination) and the value after.
type Plan struct {
	ID      string    `json:"plan_id,omitempty"`
	Sync    string    `json:"sync"`
	Created time.Time `json:"created_at"`
	// Stored is false for a dry run.
	Stored bool    `json:"stored"`
	Report *Report `json:"summary"`
	// Rows are the planned rows in key order.
	Rows []PlanRow `json:"rows"`
}

// PlanRow is one planned row.
type PlanRow struct {
	Key    string `json:"key"`
	Change string `json:"change"` // added, changed, removed
	Op     Op     `json:"op"`
	DestID string `json:"destination_id,omitempty"`
	// Object is the object of DestID when it is not the sync's (a Contact
	// a Lead sync's row is written to).
	Object string                 `json:"destination_object,omitempty"`
	Hash   string                 `json:"-"`
	Fields map[string]FieldChange `json:"fields"`
}

// FieldChange is one field's value before and after.
type FieldChange struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// PlanOptions control a plan.
type PlanOptions struct {
	Options
	// DryRun computes the plan without storing it.
	DryRun bool
}

// Plan computes what Run would send, without writing anything to the
// destination, and stores it in _revops.sync_plans unless opts.DryRun.
func (r *Runner) Plan(ctx context.Context, spec *Spec, dest Destination, opts PlanOptions) (*Plan, error) {
	rep := r.newReport(spec, "plan", "")
	if err := EnsureState(ctx, r.Warehouse); err != nil {
		return nil, err
	}
	start := time.Now()
	rep.meter = startMeter(dest)
	p, err := r.prepare(ctx, spec, dest, opts.Options, rep)
	if err != nil {
		return nil, err
	}
	defer rep.meter.stop(rep)
	rep.Failed = int64(len(p.failed))
	rep.addErrors(spec.Name, "", p.failed)
	plan := &Plan{ID: rep.ID, Sync: spec.Name, Created: time.Now().UTC(), Stored: !opts.DryRun, Report: rep}
	before, err := r.before(ctx, p, rep)
	if err != nil {
		return nil, err
	}
	for _, pd := range p.sends {
		row := PlanRow{Key: pd.ch.Key, Change: pd.ch.Kind, Op: pd.op, DestID: pd.rec.ID, Object: pd.rec.Object, Hash: pd.ch.Hash, Fields: map[string]FieldChange{}}
		prev := before[pd.rec.ID]
		for f, v := range pd.rec.Values {
			var b any
			if prev != nil {
				b = prev[f]
			}
			row.Fields[f] = FieldChange{Before: b, After: v}
		}
		plan.Rows = append(plan.Rows, row)
	}
	rep.Seconds = time.Since(start).Seconds()
	if opts.DryRun {
		return plan, nil
	}
	vals := make([][]any, len(plan.Rows))
	for i, row := range plan.Rows {
		vals[i] = []any{plan.ID, spec.Name, plan.Created, int64(i), row.Key, row.Change, string(row.Op), nullable(row.DestID), row.Hash,
			toJSON(row.Fields), nullable(row.Object)}
	}
	if len(vals) == 0 {
		// An empty plan is stored as one marker row, so apply finds it.
		vals = [][]any{{plan.ID, spec.Name, plan.Created, int64(-1), "", "none", "none", nil, nil, "{}", nil}}
	}
	err = insertRows(ctx, r.Warehouse, `INSERT INTO _revops.sync_plans (plan_id, sync, created_at, seq, key, change, op, destination_id, row_hash,
		fields, destination_object)`, "", vals)
	if err != nil {
		return nil, fmt.Errorf("sync %s: store plan: %w", spec.Name, err)
	}
	return plan, nil
}

// before reads the destination's current values of the planned rows that
// address existing records: from the extracted table of the destination
// (schema = the source's name, table = the object in lower case) when it
// has the record, else from the destination itself. What revops itself
// wrote since that extract is not taken for someone else's change: when
// a row's snapshot was written after the record was extracted
// (written_at later than its _extracted_at), the values that write sent
// are the current ones for the fields it sent. A row whose last write has
// an unknown outcome (unknownHash) is read from the destination: neither
// the extract nor the last confirmed write may hold its current values.
func (r *Runner) before(ctx context.Context, p *prepared, rep *Report) (map[string]map[string]any, error) {
	fieldSet := map[string]bool{}
	for _, pd := range p.sends {
		if pd.rec.ID == "" || pd.rec.Object != "" {
			continue
		}
		for f := range pd.rec.Values {
			fieldSet[f] = true
		}
	}
	if len(fieldSet) == 0 {
		return map[string]map[string]any{}, nil
	}
	return r.currentValues(ctx, p, p.sends, sortedKeys(fieldSet), false)
}

// extractedAt is the column extract stamps every landed record with (as
// extract.ExtractedAt; sync does not import extract).
const extractedAt = "_extracted_at"

// written is what revops last wrote for a row: when, and the values sent;
// unknown when a later write's outcome is unknown (see unknownHash).
type written struct {
	at      time.Time
	values  map[string]any
	unknown bool
}

// writtenValues reads, for the keys of spec, the values of the last write
// that recorded them.
func (r *Runner) writtenValues(ctx context.Context, spec *Spec, keys []string) (map[string]written, error) {
	out := map[string]written{}
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := []any{spec.Name}
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := queryRows(ctx, r.Warehouse, `SELECT key, written_at, written_values, row_hash FROM _revops.sync_snapshots
			WHERE sync = ? AND (written_values IS NOT NULL OR row_hash = ?) AND key IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`,
			append([]any{spec.Name, unknownHash}, args[1:]...)...)
		if err != nil {
			return nil, fmt.Errorf("sync %s: read what was written: %w", spec.Name, err)
		}
		for _, row := range rows {
			m := parseJSONMap(str(row[2]))
			if unknown := str(row[3]) == unknownHash; m != nil || unknown {
				out[str(row[0])] = written{at: tm(row[1]), values: m, unknown: unknown}
			}
		}
	}
	return out, nil
}

func prefixComma(cols []string) string {
	if len(cols) == 0 {
		return ""
	}
	return ", " + strings.Join(cols, ", ")
}

// readColumns returns a relation's columns by lower-cased name.
func readColumns(ctx context.Context, w Warehouse, rel string) (map[string]string, int, error) {
	r, err := w.Query(ctx, "SELECT * FROM "+rel+" LIMIT 0")
	if err != nil {
		return nil, 0, err
	}
	defer r.Release()
	out := map[string]string{}
	for _, f := range r.Schema().Fields() {
		out[strings.ToLower(f.Name)] = f.Name
	}
	return out, len(out), nil
}

// ErrPlanNotFound: no stored plan has the id (or it was applied).
var ErrPlanNotFound = fmt.Errorf("plan not found")

// PlanSync returns the name of the sync a stored plan belongs to.
func PlanSync(ctx context.Context, w Warehouse, planID string) (string, error) {
	if err := EnsureState(ctx, w); err != nil {
		return "", err
	}
	rows, err := queryRows(ctx, w, `SELECT sync, count(*) FILTER (WHERE applied_run IS NOT NULL) FROM _revops.sync_plans WHERE plan_id = ? GROUP BY sync`, planID)
	if err != nil {
		return "", fmt.Errorf("sync: read plan %s: %w", planID, err)
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("sync: plan %s: %w (see revops sync history)", planID, ErrPlanNotFound)
	}
	if num(rows[0][1]) > 0 {
		return "", fmt.Errorf("sync: plan %s was already applied", planID)
	}
	return str(rows[0][0]), nil
}

// Apply sends exactly the rows of a stored plan. A row whose destination
// record changed since the plan (a field's current value differs from
// the plan's "before") is refused: recorded as a DESTINATION_CHANGED
// failure and counted as refused and failed (the run is partial, or
// failed when nothing was written); plan again to send it.
func (r *Runner) Apply(ctx context.Context, spec *Spec, dest Destination, planID string, opts Options) (*Report, error) {
	w := r.Warehouse
	if _, err := PlanSync(ctx, w, planID); err != nil {
		return nil, err
	}
	rep := r.newReport(spec, "apply", planID)
	if err := startRunRecord(ctx, w, &rep.RunRecord); err != nil {
		return rep, err
	}
	start := time.Now()
	rep.meter = startMeter(dest)
	err := func() error {
		sc, err := dest.Describe(ctx, spec.Destination.Object)
		rep.APICalls++
		if err != nil {
			return fmt.Errorf("sync %s: describe %s: %w", spec.Name, spec.Destination.Object, err)
		}
		if err := CheckSchema(spec, sc, nil); err != nil {
			return err
		}
		if err := r.recoverInflight(ctx, spec, dest, sc, opts, rep); err != nil {
			return err
		}
		rows, err := queryRows(ctx, w, `SELECT key, change, op, destination_id, row_hash, fields, destination_object FROM _revops.sync_plans
			WHERE plan_id = ? AND seq >= 0 ORDER BY seq`, planID)
		if err != nil {
			return fmt.Errorf("sync %s: read plan %s: %w", spec.Name, planID, err)
		}
		p := &prepared{spec: spec, dest: dest, schema: sc, report: rep}
		var changed []string
		readIDs := map[string]bool{}
		fieldSet := map[string]bool{}
		plans := map[string]map[string]FieldChange{}
		for _, row := range rows {
			var fc map[string]FieldChange
			if err := json.Unmarshal([]byte(str(row[5])), &fc); err != nil {
				return fmt.Errorf("sync %s: plan %s: row %s: %w", spec.Name, planID, str(row[0]), err)
			}
			pd := &pending{ch: Change{Key: str(row[0]), Kind: str(row[1]), Hash: str(row[4]), DestID: str(row[3]), DestObject: str(row[6])},
				op: Op(str(row[2])), rec: Record{Key: str(row[0]), ID: str(row[3]), Object: str(row[6]), Values: map[string]any{}}}
			for f, c := range fc {
				v, rerr := Coerce(c.After, sc.Fields[f])
				if rerr != nil {
					p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: rerr})
					pd = nil
					break
				}
				pd.rec.Values[f] = v
			}
			if pd == nil {
				continue
			}
			switch pd.ch.Kind {
			case "added":
				rep.Added++
			case "changed":
				rep.Changed++
			case "removed":
				rep.Removed++
			}
			if spec.Match.By != MatchID {
				pd.match = map[string]any{}
				for _, n := range spec.matchValueFields() {
					pd.match[n] = pd.rec.Values[n]
				}
			}
			pd.exists = pd.rec.ID != ""
			pd.full = pd.rec.Values
			if pd.rec.ID != "" && pd.op != OpDelete && pd.rec.Object == "" {
				readIDs[pd.rec.ID] = true
				for f := range fc {
					fieldSet[f] = true
				}
				plans[pd.rec.ID] = fc
			}
			p.sends = append(p.sends, pd)
		}
		// Refuse rows whose destination changed since the plan.
		current := map[string]map[string]any{}
		ids, fields := sortedKeys(readIDs), sortedKeys(fieldSet)
		for start := 0; start < len(ids); start += 100 {
			part := ids[start:min(start+100, len(ids))]
			got, err := dest.Read(ctx, spec.Destination.Object, part, fields)
			rep.APICalls++
			if err != nil {
				return fmt.Errorf("sync %s: read current %s values: %w", spec.Name, spec.Destination.Object, err)
			}
			for id, m := range got {
				current[id] = m
			}
		}
		var keep []*pending
		for _, pd := range p.sends {
			fc, ok := plans[pd.rec.ID]
			if !ok || pd.rec.ID == "" {
				keep = append(keep, pd)
				continue
			}
			cur := current[pd.rec.ID]
			var moved []string
			for _, f := range sortedKeys(fc) {
				if cur == nil || !sameValue(fc[f].Before, cur[f], sc.Fields[f]) {
					moved = append(moved, f)
				}
			}
			if len(moved) == 0 {
				keep = append(keep, pd)
				continue
			}
			changed = append(changed, pd.ch.Key)
			msg := fmt.Sprintf("%s %s changed since plan %s (fields %s); plan again to send it", spec.Destination.Object, pd.rec.ID, planID, strings.Join(moved, ", "))
			if cur == nil {
				msg = fmt.Sprintf("%s %s no longer exists", spec.Destination.Object, pd.rec.ID)
			}
			// Recorded with the rows refused before sending (send
			// records p.failed and counts them as failed).
			p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: &RowError{Code: CodeDestinationMoved, Message: msg, Fields: moved}})
		}
		rep.Refused += int64(len(changed))
		p.sends = keep
		// Rows planned as new that another run wrote since the plan are
		// not created again: skipped when written as planned, else
		// refused.
		if err := r.refuseWrittenSincePlan(ctx, p, planID, rep); err != nil {
			return err
		}
		rep.Planned = int64(len(rows))
		// The plan is claimed before anything is sent, so it is never
		// sent twice. If sending stops part way, send records the rows it
		// did not send as NOT_SENT failures; their snapshots are
		// untouched, so the next run (or a new plan) sends them.
		if err := w.Exec(ctx, `UPDATE _revops.sync_plans SET applied_run = ? WHERE plan_id = ?`, rep.ID, planID); err != nil {
			return fmt.Errorf("sync %s: mark plan %s applied: %w", spec.Name, planID, err)
		}
		return r.send(ctx, p, rep)
	}()
	rep.meter.stop(rep)
	return rep, r.finish(ctx, rep, start, err)
}

// refuseWrittenSincePlan drops from p.sends the rows the plan saw as new
// (never written) that have a snapshot now: another run (or the
// resolution of its in-flight creates) wrote them since the plan, and
// sending the plan's create would make a second record. A row written
// with the planned values is skipped; one written with others is refused
// (DESTINATION_CHANGED, counted as refused and failed).
func (r *Runner) refuseWrittenSincePlan(ctx context.Context, p *prepared, planID string, rep *Report) error {
	var added []string
	for _, pd := range p.sends {
		if pd.ch.Kind == "added" {
			added = append(added, pd.ch.Key)
		}
	}
	if len(added) == 0 {
		return nil
	}
	now := map[string]string{}
	for start := 0; start < len(added); start += chunk {
		part := added[start:min(start+chunk, len(added))]
		args := []any{p.spec.Name}
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := queryRows(ctx, r.Warehouse, `SELECT key, row_hash FROM _revops.sync_snapshots WHERE sync = ? AND key IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...)
		if err != nil {
			return fmt.Errorf("sync %s: read snapshots of planned rows: %w", p.spec.Name, err)
		}
		for _, row := range rows {
			now[str(row[0])] = str(row[1])
		}
	}
	var keep []*pending
	for _, pd := range p.sends {
		h, written := now[pd.ch.Key]
		switch {
		case pd.ch.Kind != "added" || !written:
			keep = append(keep, pd)
		case h == pd.ch.Hash:
			rep.Skipped++
		default:
			rep.Refused++
			p.failed = append(p.failed, failureRow{Key: pd.ch.Key, Err: &RowError{Code: CodeDestinationMoved,
				Message: fmt.Sprintf("planned as new by plan %s, but written by another run since, with other values; plan again to send it", planID)}})
		}
	}
	p.sends = keep
	return nil
}

func parseJSONMap(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil
	}
	return m
}
