package link

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/revops/revops/load"
	revsync "github.com/revops/revops/sync"
)

// Runner runs links against one warehouse.
type Runner struct {
	Warehouse Warehouse
	// Log receives a line per run and per batch (nil: discarded).
	Log *slog.Logger
	// Now is revops's clock (time.Now when nil).
	Now func() time.Time
}

// Options control a run or a plan.
type Options struct {
	// AcceptSchema records the objects' mandatory fields as they are now
	// instead of stopping when one was added since the link's last run.
	AcceptSchema bool
}

// SideReport is one side's part of a run or plan.
type SideReport struct {
	Source string `json:"source"`
	Object string `json:"object"`
	// Updated counts records written; Fields the field values written.
	Updated int64 `json:"updated"`
	Fields  int64 `json:"fields"`
	Failed  int64 `json:"failed"`
	// APICalls are the requests this side's client sent during the run
	// (describe, reads of a killed run's writes, writes, retries).
	APICalls int64 `json:"api_calls"`
	// PlannedCalls (plans) are the write calls the plan will spend.
	PlannedCalls int64 `json:"planned_calls"`
}

// Unpaired says which records a link could not pair.
type Unpaired struct {
	// MissingKey counts records (left, right) whose pairing key is empty
	// (or, by crosswalk, that the crosswalk does not hold yet).
	MissingKey [2]int64 `json:"missing_key"`
	// NoPartner counts records whose key finds no record on the other side.
	NoPartner [2]int64 `json:"no_partner"`
	// Ambiguous counts records whose key more than one record holds.
	Ambiguous int64 `json:"ambiguous"`
	// Converted counts converted leads (left, right): not paired, since
	// the CRMs refuse their updates.
	Converted [2]int64 `json:"converted"`
	Examples  []string `json:"examples,omitempty"`
}

// Report is the outcome of one link run (or plan).
type Report struct {
	ID         string    `json:"id"`
	Link       string    `json:"link"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Process    string    `json:"process,omitempty"`
	// Pairs is the number of paired records that take part.
	Pairs int64 `json:"pairs"`
	// Filtered counts pairs left out because a record fails its side's
	// filter (Spec.Filter).
	Filtered int64 `json:"filtered"`
	// Created is always 0: a link updates paired records, it creates none.
	Created int64 `json:"created"`
	// Updated counts records written (both sides).
	Updated int64 `json:"updated"`
	// Unchanged counts pairs with nothing to write.
	Unchanged int64 `json:"unchanged"`
	// Failed counts pairs' fields that could not be compared or written.
	Failed int64 `json:"failed"`
	// Conflicts counts fields both sides changed to different values
	// (decided by the owner rule, in _revops.link_conflicts).
	Conflicts int64 `json:"conflicts"`
	// Agreed counts fields recorded as agreed without a write (equal on
	// both sides: a first run, both changed alike, an echo).
	Agreed int64 `json:"agreed"`
	// Recovered counts writes of a killed run found done and recorded,
	// not sent again.
	Recovered int64 `json:"recovered"`
	// Transitions counts transitions fired.
	Transitions int64         `json:"transitions"`
	Unpaired    Unpaired      `json:"unpaired"`
	Sides       [2]SideReport `json:"sides"`
	APICalls    int64         `json:"api_calls"`
	Seconds     float64       `json:"seconds"`
	Error       string        `json:"error,omitempty"`
	// Errors are the first failures; Decided the first conflicts.
	Errors  []Failure  `json:"errors,omitempty"`
	Decided []Conflict `json:"decided,omitempty"`
	// Writes (plans only) are the planned writes, per record.
	Writes []PlannedWrite `json:"writes,omitempty"`
}

// PlannedWrite is one record a plan would write.
type PlannedWrite struct {
	Side     string                 `json:"side"`
	Object   string                 `json:"object"`
	RecordID string                 `json:"record_id"`
	LeftID   string                 `json:"left_id"`
	RightID  string                 `json:"right_id"`
	Fields   map[string]FieldChange `json:"fields"`
}

// FieldChange is one field's value before and after.
type FieldChange struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Failure is a pair's field that could not be compared or written.
type Failure struct {
	Link     string    `json:"link"`
	LeftID   string    `json:"left_id"`
	RightID  string    `json:"right_id"`
	Field    string    `json:"field"`
	Side     string    `json:"side,omitempty"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Attempts int64     `json:"attempts,omitempty"`
	LastSeen time.Time `json:"last_seen"`
}

const maxReportItems = 20

// MetadataError is a link its objects' metadata no longer fits; nothing
// was written.
type MetadataError struct {
	Link     string
	Problems []string
}

func (e *MetadataError) Error() string {
	return fmt.Sprintf("link %s: the objects' metadata does not fit the link; nothing was written:\n  %s", e.Link, strings.Join(e.Problems, "\n  "))
}

// engine is one run (or plan) of a link.
type engine struct {
	r       *Runner
	w       Warehouse
	spec    *Spec
	dests   [2]revsync.Destination
	schemas [2]*revsync.Schema
	fields  []*rtField
	region  string
	rep     *Report
	base    [2]int64 // each destination's request count at the start
	counted [2]bool
	// offsets are each side's measured clock offset (its time minus
	// revops's); measured says which are known.
	offsets  [2]time.Duration
	measured [2]bool
	// stale holds, per side and record, the canonical values revops wrote
	// after that record's extract: the side holds them now.
	stale [2]map[string]map[string]string
	// failing holds the pairs' fields with a failure recorded (read by
	// compare, Value empty): only those are cleared when they pass.
	failing map[agreement]bool
}

// rtField is a field with what a run resolved: its type, maps and the
// destination fields of each side.
type rtField struct {
	*Field
	idx    int
	typ    string
	lr, rl map[string]string
	meta   [2][]revsync.Field
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

func newID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return t.Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (r *Runner) engine(spec *Spec, dests [2]revsync.Destination, kind string) *engine {
	now := r.now()
	e := &engine{r: r, w: r.Warehouse, spec: spec, dests: dests, region: spec.PhoneRegion,
		rep: &Report{ID: newID(now), Link: spec.Name, Kind: kind, StartedAt: now}}
	if e.region == "" {
		e.region = "US"
	}
	for i, sd := range spec.Sides() {
		e.rep.Sides[i] = SideReport{Source: sd.Source, Object: sd.Object}
		if rc, ok := dests[i].(revsync.RequestCounter); ok && dests[i] != nil {
			e.base[i], e.counted[i] = rc.Requests(), true
		}
	}
	return e
}

// calls refreshes the run's API call counts from the destinations.
func (e *engine) calls() {
	var total int64
	for i := range 2 {
		if !e.counted[i] {
			continue
		}
		n := e.dests[i].(revsync.RequestCounter).Requests() - e.base[i]
		e.rep.Sides[i].APICalls = n
		if i == 1 && e.dests[1] == e.dests[0] {
			continue // one client serves both sides
		}
		total += n
	}
	e.rep.APICalls = total
}

// Run compares both sides of the link and writes what changed on one side
// to the other (see the package doc). Row failures are data (in the
// report and _revops.link_failures); an error means the link could not
// run and is recorded in _revops.link_runs. dests are the two sides'
// destinations, left first; a side the link never writes to may be nil.
func (r *Runner) Run(ctx context.Context, spec *Spec, dests [2]revsync.Destination, opts Options) (*Report, error) {
	e := r.engine(spec, dests, "run")
	if err := EnsureState(ctx, r.Warehouse); err != nil {
		return e.rep, err
	}
	e.rep.Process = load.Self().String()
	err := r.Warehouse.Exec(ctx, `INSERT INTO _revops.link_runs (id, link, kind, started_at, status, process) VALUES (?, ?, ?, ?, ?, ?)`,
		e.rep.ID, spec.Name, "run", e.rep.StartedAt, load.RunRunning, e.rep.Process)
	if err != nil {
		return e.rep, fmt.Errorf("link %s: record run: %w", spec.Name, err)
	}
	err = e.run(ctx, opts, false)
	return e.rep, e.finish(ctx, err)
}

// Plan computes what Run would write, per side, and the API calls it
// would spend, without writing anything to either system or to the
// link's state.
func (r *Runner) Plan(ctx context.Context, spec *Spec, dests [2]revsync.Destination, opts Options) (*Report, error) {
	e := r.engine(spec, dests, "plan")
	if err := EnsureState(ctx, r.Warehouse); err != nil {
		return e.rep, err
	}
	err := e.run(ctx, opts, true)
	e.calls()
	e.rep.FinishedAt = r.now()
	e.rep.Seconds = e.rep.FinishedAt.Sub(e.rep.StartedAt).Seconds()
	e.rep.Status = load.RunSucceeded
	if err != nil {
		e.rep.Status, e.rep.Error = load.RunFailed, err.Error()
	}
	return e.rep, err
}

func (e *engine) finish(ctx context.Context, err error) error {
	e.calls()
	rep := e.rep
	rep.FinishedAt = e.r.now()
	rep.Seconds = rep.FinishedAt.Sub(rep.StartedAt).Seconds()
	rep.Status = load.RunSucceeded
	switch {
	case err != nil:
		rep.Status, rep.Error = load.RunFailed, err.Error()
	case rep.Failed > 0:
		rep.Status = "partial"
	}
	var b batch
	e.counts(&b)
	b.add(`UPDATE _revops.link_runs SET finished_at = ?, status = ?, seconds = ?, error = ? WHERE id = ?`,
		rep.FinishedAt, rep.Status, rep.Seconds, nullable(rep.Error), rep.ID)
	if ferr := b.exec(context.WithoutCancel(ctx), e.w); ferr != nil && err == nil {
		err = fmt.Errorf("link %s: record run: %w", e.spec.Name, ferr)
	}
	e.r.log().Info("link finished", "link", rep.Link, "status", rep.Status, "pairs", rep.Pairs, "updated", rep.Updated,
		"unchanged", rep.Unchanged, "conflicts", rep.Conflicts, "failed", rep.Failed, "recovered", rep.Recovered,
		"api_calls", rep.APICalls, "seconds", fmt.Sprintf("%.2f", rep.Seconds))
	return err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// counts adds the update of the run's counts: it goes with every
// recorded answer, so a killed run's counts match what it recorded.
func (e *engine) counts(b *batch) {
	if e.rep.Kind != "run" {
		return
	}
	e.calls()
	r := e.rep
	b.add(`UPDATE _revops.link_runs SET pairs = ?, unchanged = ?, created = ?, updated = ?, failed = ?, conflicts = ?, recovered = ?,
		agreed = ?, transitions = ?, api_calls = ?, sides = ? WHERE id = ?`,
		r.Pairs, r.Unchanged, r.Created, r.Updated, r.Failed, r.Conflicts, r.Recovered, r.Agreed, r.Transitions, r.APICalls,
		toJSON(r.Sides), r.ID)
}

func (e *engine) run(ctx context.Context, opts Options, plan bool) error {
	s := e.spec
	for i, d := range e.dests {
		if d == nil {
			if s.Written(i) {
				return fmt.Errorf("link %s: no destination for %s, which the link writes to", s.Name, s.Sides()[i].Source)
			}
			continue
		}
		sc, err := d.Describe(ctx, s.Sides()[i].Object)
		if err != nil {
			return fmt.Errorf("link %s: describe %s %s: %w", s.Name, s.Sides()[i].Source, s.Sides()[i].Object, err)
		}
		e.schemas[i] = sc
	}
	if err := e.resolve(ctx); err != nil {
		return err
	}
	if err := e.checkMandatory(ctx, opts, plan); err != nil {
		return err
	}
	if plan {
		n, err := queryRows(ctx, e.w, `SELECT count(*) FROM _revops.link_inflight WHERE link = ?`, s.Name)
		if err == nil && num(n[0][0]) > 0 {
			e.rep.Unpaired.Examples = append(e.rep.Unpaired.Examples,
				fmt.Sprintf("%d writes of a killed run have an unknown outcome: the next run reads them back first", num(n[0][0])))
		}
	} else if err := e.recover(ctx); err != nil {
		return err
	}
	var cols [2][]string
	for _, f := range e.fields {
		for i := range 2 {
			cols[i] = append(cols[i], f.Names(i)...)
		}
	}
	for _, m := range s.Pair.methods() {
		switch m.By {
		case "id_field", "key":
			if m.Left != "" {
				cols[0] = append(cols[0], m.Left)
			}
			if m.Right != "" {
				cols[1] = append(cols[1], m.Right)
			}
		}
	}
	for _, t := range s.Transitions {
		cols[t.on] = append(cols[t.on], t.On.Field)
	}
	var data [2]*sideData
	for i := range 2 {
		d, err := e.loadSide(ctx, i, cols[i])
		if err != nil {
			return err
		}
		data[i] = d
	}
	p, err := e.pair(ctx, data)
	if err != nil {
		return err
	}
	if s.filtered(0) || s.filtered(1) {
		kept := p.pairs[:0]
		for _, pr := range p.pairs {
			if data[0].recs[pr[0]].pass && data[1].recs[pr[1]].pass {
				kept = append(kept, pr)
			} else {
				e.rep.Filtered++
			}
		}
		p.pairs = kept
	}
	e.rep.Pairs = int64(len(p.pairs))
	e.rep.Unpaired.MissingKey, e.rep.Unpaired.NoPartner, e.rep.Unpaired.Ambiguous = p.missing, p.orphans, p.ambiguous
	e.rep.Unpaired.Converted = [2]int64{data[0].converted, data[1].converted}
	e.rep.Unpaired.Examples = append(e.rep.Unpaired.Examples, p.examples...)
	if err := e.clocks(ctx, data, !plan); err != nil {
		return err
	}
	out, err := e.compare(ctx, data, p)
	if err != nil {
		return err
	}
	if plan {
		return e.planWrites(out, data)
	}
	now := e.r.now()
	var b batch
	b.agree(s.Name, out.agree, now)
	b.clearFailures(s.Name, out.ok)
	for _, pr := range out.gone {
		b.add(`DELETE FROM _revops.link_failures WHERE link = ? AND left_id = ? AND right_id = ?`, s.Name, pr[0], pr[1])
	}
	b.failures(s.Name, e.rep.ID, out.failures, now)
	e.conflicts(&b, out.conflicts, now)
	e.counts(&b)
	if err := b.exec(ctx, e.w); err != nil {
		return fmt.Errorf("link %s: record agreed values and conflicts: %w", s.Name, err)
	}
	for i := range 2 {
		if err := e.send(ctx, i, out.writes[i]); err != nil {
			return err
		}
	}
	if err := e.transitions(ctx, data, p); err != nil {
		return err
	}
	return e.saveMetadata(ctx)
}

// resolve gives each field its type, maps and metadata, and checks the
// link against both objects' metadata (see CheckMetadata).
func (e *engine) resolve(ctx context.Context) error {
	s := e.spec
	e.fields = nil
	for i := range s.Fields {
		f := &rtField{Field: &s.Fields[i], idx: i, typ: s.Fields[i].Type}
		for side := range 2 {
			if e.schemas[side] == nil {
				continue
			}
			for _, n := range f.Names(side) {
				f.meta[side] = append(f.meta[side], lookupField(e.schemas[side], n))
			}
		}
		if f.typ == "" {
			f.typ = typeText
			for _, side := range []int{1, 0} {
				if len(f.meta[side]) == 1 && f.meta[side][0].Name != "" && len(f.Names(1-side)) == 1 {
					f.typ = typeOf(f.meta[side][0].Type)
					break
				}
			}
		}
		if f.Map != nil {
			var err error
			if f.lr, err = e.readMap(ctx, f.Map); err != nil {
				return fmt.Errorf("link %s: fields[%d] %s: map: %w", s.Name, i, f.Label(), err)
			}
			// Right values translate back through the inverse of the
			// map, except where reverse says otherwise: reverse needs
			// only the values the map does not translate one to one.
			var rev map[string]string
			if f.Reverse != nil {
				if rev, err = e.readMap(ctx, f.Reverse); err != nil {
					return fmt.Errorf("link %s: fields[%d] %s: reverse: %w", s.Name, i, f.Label(), err)
				}
			}
			f.rl = map[string]string{}
			for _, k := range sortedKeys(f.lr) {
				v := f.lr[k]
				if _, ok := rev[v]; ok {
					continue
				}
				if prev, dup := f.rl[v]; dup && f.writes(0) {
					return fmt.Errorf("link %s: fields[%d] %s: map: %q and %q both map to %q, so a change on %s cannot be written back (owner %s writes both ways); add reverse: {%q: ...}",
						s.Name, i, f.Label(), prev, k, v, s.Right.Source, f.ownerName(s), v)
				}
				f.rl[v] = k
			}
			for k, v := range rev {
				f.rl[k] = v
			}
		}
		e.fields = append(e.fields, f)
	}
	if probs := CheckMetadata(s, e.schemas, e.fields); len(probs) > 0 {
		return &MetadataError{Link: s.Name, Problems: probs}
	}
	return nil
}

// readMap reads an inline map or a table's pairs.
func (e *engine) readMap(ctx context.Context, m any) (map[string]string, error) {
	out := map[string]string{}
	switch x := m.(type) {
	case map[string]any:
		for k, v := range x {
			out[collapse(k)] = collapse(fmt.Sprint(v))
		}
	case string:
		sch, tab, _ := strings.Cut(x, ".")
		rel := quoteIdent(sch) + "." + quoteIdent(tab)
		cols, err := columnsOf(ctx, e.w, rel)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", x, err)
		}
		from, to := cols["from"], cols["to"]
		if from == "" || to == "" {
			r, err := e.w.Query(ctx, "SELECT * FROM "+rel+" LIMIT 0")
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", x, err)
			}
			fs := r.Schema().Fields()
			r.Release()
			if len(fs) < 2 {
				return nil, fmt.Errorf("table %s: needs columns from and to (or two columns)", x)
			}
			from, to = fs[len(fs)-2].Name, fs[len(fs)-1].Name
		}
		rows, err := queryRows(ctx, e.w, "SELECT "+quoteIdent(from)+", "+quoteIdent(to)+" FROM "+rel)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", x, err)
		}
		for _, r := range rows {
			if r[0] != nil && r[1] != nil {
				out[text(r[0])] = text(r[1])
			}
		}
	}
	return out, nil
}

// lookupField finds a field by API name, case-insensitively; a zero
// Field when the object has none.
func lookupField(sc *revsync.Schema, name string) revsync.Field {
	if f, ok := sc.Fields[name]; ok {
		return f
	}
	for n, f := range sc.Fields {
		if strings.EqualFold(n, name) {
			return f
		}
	}
	return revsync.Field{}
}

// CheckMetadata checks a link against its objects' metadata (nil schemas
// are not checked): every linked field exists, fields the link writes to
// are updateable and not lookups, mapped picklist values exist in
// restricted picklists, the pairing and transition fields exist. It
// returns every problem, each naming the field.
func CheckMetadata(s *Spec, schemas [2]*revsync.Schema, fields []*rtField) []string {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	name := func(i int) string { return s.Sides()[i].Source + " " + s.Sides()[i].Object }
	exists := func(i int, key, field string) (revsync.Field, bool) {
		f := lookupField(schemas[i], field)
		if f.Name == "" {
			add("%s: %s has no field %s%s (removed or renamed?)", key, name(i), field, suggest(field, schemas[i]))
			return f, false
		}
		return f, true
	}
	for _, f := range fields {
		key := fmt.Sprintf("fields[%d] %s", f.idx, f.Label())
		for i := range 2 {
			if schemas[i] == nil {
				continue
			}
			for _, n := range f.Names(i) {
				m, ok := exists(i, key, n)
				if !ok {
					continue
				}
				switch {
				case m.Type == revsync.TypeReference || m.Type == revsync.TypeLookup || m.Type == revsync.TypeID:
					add("%s: %s.%s is a %s field: links compare and write values, not record references", key, name(i), n, m.Type)
				case f.writes(i) && !m.Updateable:
					add("%s: %s.%s is read-only, and owner %s writes to it: make the field read_only from %s", key, name(i), n, f.ownerName(s), s.Sides()[i].Source)
				}
			}
			// Values a map writes to this side must be values of a
			// restricted picklist.
			var vals map[string]string
			if i == 1 {
				vals = invert(f.lr)
			} else {
				vals = invert(f.rl)
			}
			if len(vals) > 0 && f.writes(i) && len(f.Names(i)) == 1 {
				m := lookupField(schemas[i], f.Names(i)[0])
				if m.Restricted && len(m.Picklist) > 0 {
					for _, v := range sortedKeys(vals) {
						if v != "" && !inList(m.Picklist, v) {
							add("%s: the map writes %q to %s.%s, which is not one of its picklist values (%s)", key, v, name(i), m.Name, strings.Join(m.Picklist, ", "))
						}
					}
				}
			}
		}
	}
	checkFilterMetadata(s, schemas, add)
	for _, m := range s.Pair.methods() {
		for i, pf := range [2]string{m.Left, m.Right} {
			if pf != "" && schemas[i] != nil {
				exists(i, "pair."+[...]string{"left", "right"}[i], pf)
			}
		}
	}
	for j, t := range s.Transitions {
		key := fmt.Sprintf("transitions[%d] %s", j, t.Name)
		if schemas[t.on] != nil {
			exists(t.on, key+" on.field", t.On.Field)
		}
		if schemas[t.set] != nil {
			for _, n := range sortedKeys(t.Set.Values) {
				if m, ok := exists(t.set, key+" set.values", n); ok && !m.Updateable {
					add("%s: %s.%s is read-only", key, name(t.set), n)
				} else if ok {
					if _, rerr := revsync.Coerce(t.Set.Values[n], m); rerr != nil {
						add("%s: set.values.%s: %s", key, n, rerr.Message)
					}
				}
			}
		}
	}
	return probs
}

// invert returns the values of m as a set.
func invert(m map[string]string) map[string]string {
	out := map[string]string{}
	for _, v := range m {
		out[v] = v
	}
	return out
}

func suggest(name string, sc *revsync.Schema) string {
	best, bestD := "", 4
	for n := range sc.Fields {
		if d := distance(strings.ToLower(name), strings.ToLower(n)); d < bestD || (d == bestD && n < best) {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// required lists a schema's mandatory fields.
func required(sc *revsync.Schema) []string {
	var out []string
	for n, f := range sc.Fields {
		if f.Required {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// checkMandatory stops the link when an object it writes to gained a
// mandatory field since the link's last run: an update of a record that
// has no value for it may be refused, and the link does not fill it.
func (e *engine) checkMandatory(ctx context.Context, opts Options, plan bool) error {
	rows, err := queryRows(ctx, e.w, `SELECT side, required FROM _revops.link_metadata WHERE link = ?`, e.spec.Name)
	if err != nil {
		return fmt.Errorf("link %s: read metadata: %w", e.spec.Name, err)
	}
	prev := map[int64][]string{}
	for _, r := range rows {
		var names []string
		_ = json.Unmarshal([]byte(str(r[1])), &names)
		prev[num(r[0])] = names
	}
	var probs []string
	for i := range 2 {
		old, ok := prev[int64(i)]
		if !ok || e.schemas[i] == nil || !e.spec.Written(i) || opts.AcceptSchema {
			continue
		}
		for _, n := range required(e.schemas[i]) {
			if !inList(old, n) {
				probs = append(probs, fmt.Sprintf("%s %s has a new mandatory field %s since the link's last run: records without a value "+
					"may refuse updates, and the link does not fill it; check the object, then run with --accept-schema",
					e.spec.Sides()[i].Source, e.spec.Sides()[i].Object, n))
			}
		}
	}
	if len(probs) > 0 {
		return &MetadataError{Link: e.spec.Name, Problems: probs}
	}
	return nil
}

func (e *engine) saveMetadata(ctx context.Context) error {
	var b batch
	now := e.r.now()
	for i := range 2 {
		if e.schemas[i] == nil {
			continue
		}
		b.add(`INSERT INTO _revops.link_metadata (link, side, required, recorded_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (link, side) DO UPDATE SET required = excluded.required, recorded_at = excluded.recorded_at`,
			e.spec.Name, int64(i), toJSON(required(e.schemas[i])), now)
	}
	if err := b.exec(ctx, e.w); err != nil {
		return fmt.Errorf("link %s: record metadata: %w", e.spec.Name, err)
	}
	return nil
}

// Runs lists link runs of the named links (all when empty), newest
// first, at most limit (0 = all).
func Runs(ctx context.Context, w Warehouse, names []string, limit int) ([]Report, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := `SELECT id, link, kind, started_at, finished_at, status, process, pairs, unchanged, created, updated, failed, conflicts,
		recovered, agreed, transitions, api_calls, sides, seconds, error FROM _revops.link_runs`, []any{}
	q, args = whereLinks(q, args, names)
	q += ` ORDER BY started_at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("link: list runs: %w", err)
	}
	out := make([]Report, len(rows))
	for i, r := range rows {
		sec, _ := r[18].(float64)
		out[i] = Report{ID: str(r[0]), Link: str(r[1]), Kind: str(r[2]), StartedAt: tm(r[3]), FinishedAt: tm(r[4]), Status: str(r[5]),
			Process: str(r[6]), Pairs: num(r[7]), Unchanged: num(r[8]), Created: num(r[9]), Updated: num(r[10]), Failed: num(r[11]),
			Conflicts: num(r[12]), Recovered: num(r[13]), Agreed: num(r[14]), Transitions: num(r[15]), APICalls: num(r[16]),
			Seconds: sec, Error: str(r[19])}
		_ = json.Unmarshal([]byte(str(r[17])), &out[i].Sides)
	}
	return out, nil
}

// ReapRuns marks link runs left running by a process that is gone as
// killed (see load.Process.Gone); their writes in flight are resolved by
// the link's next run.
func ReapRuns(ctx context.Context, w Warehouse, exclusive bool) ([]Report, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, w, `SELECT id, link, process FROM _revops.link_runs WHERE status = ?`, load.RunRunning)
	if err != nil {
		return nil, fmt.Errorf("link: reap killed runs: %w", err)
	}
	var out []Report
	for _, r := range rows {
		p, ok := load.ParseProcess(str(r[2]))
		if ok && !p.Gone(exclusive) || !ok && !exclusive {
			continue
		}
		msg := "killed: the process running it ended before it finished; its writes in flight are checked by the link's next run"
		if err := w.Exec(ctx, `UPDATE _revops.link_runs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = ?`,
			load.RunKilled, time.Now().UTC(), msg, str(r[0]), load.RunRunning); err != nil {
			return out, fmt.Errorf("link: reap killed run %s: %w", str(r[0]), err)
		}
		out = append(out, Report{ID: str(r[0]), Link: str(r[1]), Status: load.RunKilled, Error: msg})
	}
	return out, nil
}

func whereLinks(q string, args []any, names []string) (string, []any) {
	if len(names) == 0 {
		return q, args
	}
	q += ` WHERE link IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + `)`
	for _, n := range names {
		args = append(args, n)
	}
	return q, args
}

// Failures lists the recorded failures of the named links, newest first.
func Failures(ctx context.Context, w Warehouse, names []string, limit int) ([]Failure, error) {
	if err := EnsureState(ctx, w); err != nil {
		return nil, err
	}
	q, args := whereLinks(`SELECT link, left_id, right_id, field, side, code, message, attempts, last_seen FROM _revops.link_failures`, nil, names)
	q += ` ORDER BY last_seen DESC, link, left_id, field`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := queryRows(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("link: list failures: %w", err)
	}
	out := make([]Failure, len(rows))
	for i, r := range rows {
		out[i] = Failure{Link: str(r[0]), LeftID: str(r[1]), RightID: str(r[2]), Field: str(r[3]), Side: str(r[4]), Code: str(r[5]),
			Message: str(r[6]), Attempts: num(r[7]), LastSeen: tm(r[8])}
	}
	return out, nil
}
