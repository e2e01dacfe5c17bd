package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/load"
)

// Warehouse is what the engine needs from a warehouse: run records and
// queries (load.StateStore), materializations and the relation list
// (load.Materializer), and its dialect's macros. load/duckdb.Warehouse
// satisfies it.
type Warehouse interface {
	load.StateStore
	load.Materializer
	Macros() load.Macros
}

// Options control a build or a test run.
type Options struct {
	// Select limits the run to the selected models (see Project.Select
	// forms: name, name+, +name, tag:x, path:dir); all when empty.
	Select []string
	// FullRefresh rebuilds incremental models from scratch.
	FullRefresh bool
	// SkipTests skips the data tests after a build.
	SkipTests bool
	// Concurrency caps the models (or tests) running at once; 0 means 4.
	Concurrency int
}

// Statuses of models and tests in a Result.
const (
	StatusSuccess = "success" // model built
	StatusFailed  = "failed"  // model failed
	StatusSkipped = "skipped" // model or test not run; Reason says why
	StatusPass    = "pass"    // test returned no rows
	StatusWarn    = "warn"    // test of severity warn returned rows
	StatusFail    = "fail"    // test of severity error returned rows
	StatusError   = "error"   // test could not run (its query or file is wrong)
)

// ModelResult is the outcome of one model in a build.
type ModelResult struct {
	Model   string         `json:"model"`
	Path    string         `json:"path"`
	Kind    load.ModelKind `json:"kind"`
	Status  string         `json:"status"`
	Rows    int64          `json:"rows"`
	Seconds float64        `json:"seconds"`
	// WarehouseSeconds is the part of Seconds spent in the warehouse's
	// Materialize call.
	WarehouseSeconds float64 `json:"warehouse_seconds"`
	Error            string  `json:"error,omitempty"`
	Reason           string  `json:"reason,omitempty"`
}

// TestResult is the outcome of one data test.
type TestResult struct {
	Test  string `json:"test"`
	Model string `json:"model,omitempty"`
	Path  string `json:"path"`
	// Severity is SeverityError or SeverityWarn.
	Severity string  `json:"severity"`
	Status   string  `json:"status"`
	Failures int64   `json:"failures"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"`
	Reason   string  `json:"reason,omitempty"`
	// SQL is the query whose rows are the failures (to look at them).
	SQL string `json:"sql,omitempty"`
}

// Result is the outcome of a build or test run.
type Result struct {
	Models    []ModelResult `json:"models"`
	Tests     []TestResult  `json:"tests"`
	Overrides []Override    `json:"overrides,omitempty"`
	// Problems are the project's files that are no model or test at all
	// ("file: message"); broken models and tests are reported in Models
	// and Tests instead.
	Problems []string `json:"problems,omitempty"`
	// Seconds is the run's wall time; WarehouseSeconds the wall time
	// during which at least one warehouse call (materialization or test
	// query) was running. The rest is the engine's overhead.
	Seconds          float64 `json:"seconds"`
	WarehouseSeconds float64 `json:"warehouse_seconds"`

	project *Project
}

// Failed reports whether a model failed, a test failed (severity error)
// or could not run (any severity), or a file is in Problems. Tests of
// severity warn that find rows (status warn) do not fail a run.
func (r *Result) Failed() bool {
	for _, m := range r.Models {
		if m.Status == StatusFailed {
			return true
		}
	}
	for _, t := range r.Tests {
		if t.Status == StatusFail || t.Status == StatusError {
			return true
		}
	}
	return len(r.Problems) > 0
}

// Blocked says why something that reads relation must not run on what
// this build made (revops run skips such syncs); nil when nothing blocks
// it. relation is a model's relation ("syncs.account_enrichment_sf") or
// its file name when that is unique. The reasons, one per finding:
//
//   - relation, or a model upstream of it (what it refs, transitively),
//     failed in this run, broken files included:
//     "core.deals failed: sql/core/deals.sql:12: ...";
//   - relation itself was skipped in this run for another reason (its
//     source table does not exist, the run was cancelled):
//     "syncs.x was skipped: source zoho_crm.accounts does not exist";
//   - a data test of severity error on relation or a model upstream of it
//     failed or could not run; a custom test counts for every model it
//     refs: "test unique(core.accounts.account_id) failed on 3 rows".
//
// Tests of severity warn never block. An upstream model skipped because
// its source table does not exist blocks nothing by itself (a model that
// guards its ref with source_exists still builds). Models this run did
// not select, and relations the project does not define (a sync with
// inline SQL), are blocked by nothing here.
func (r *Result) Blocked(relation string) []string {
	up := map[string]bool{relation: true}
	rel := relation
	if r.project != nil {
		m, err := r.project.resolve(relation)
		if err != nil {
			return nil
		}
		rel = m.Relation
		up = r.project.upstream(rel)
	}
	var reasons []string
	var self *ModelResult
	for i, m := range r.Models {
		switch {
		case !up[m.Model]:
		case m.Status == StatusFailed:
			reasons = append(reasons, fmt.Sprintf("%s failed: %s", m.Model, firstLine(m.Error)))
		case m.Model == rel && m.Status == StatusSkipped:
			self = &r.Models[i]
		}
	}
	if self != nil && len(reasons) == 0 {
		reasons = append(reasons, fmt.Sprintf("%s was skipped: %s", self.Model, self.Reason))
	}
	for _, t := range r.Tests {
		if t.Severity == SeverityWarn || (t.Status != StatusFail && t.Status != StatusError) {
			continue
		}
		on := t.Model != "" && up[t.Model]
		if t.Model == "" && r.project != nil {
			if c := r.project.customTest(t.Test); c != nil {
				for _, d := range c.deps {
					on = on || up[d]
				}
			}
		}
		if !on {
			continue
		}
		if t.Status == StatusFail {
			reasons = append(reasons, fmt.Sprintf("test %s failed on %d rows", t.Test, t.Failures))
		} else {
			reasons = append(reasons, fmt.Sprintf("test %s could not run: %s", t.Test, firstLine(t.Error)))
		}
	}
	return reasons
}

// upstream returns rel and every relation it depends on, transitively.
func (p *Project) upstream(rel string) map[string]bool {
	out := map[string]bool{}
	var walk func(string)
	walk = func(rel string) {
		if out[rel] {
			return
		}
		out[rel] = true
		if m, ok := p.byRel[rel]; ok {
			for _, d := range m.Deps {
				walk(d)
			}
		}
	}
	walk(rel)
	return out
}

// UpstreamSources lists the landed tables ("salesforce.lead", lower
// case, sorted) that relation reads, directly or through the models it
// refs, transitively. A relation the project does not define reads none.
func (p *Project) UpstreamSources(relation string) []string {
	m, err := p.resolve(relation)
	if err != nil {
		return nil
	}
	srcs := map[string]bool{}
	for rel := range p.upstream(m.Relation) {
		if u, ok := p.byRel[rel]; ok {
			for _, s := range u.Sources {
				srcs[strings.ToLower(s)] = true
			}
		}
	}
	out := make([]string, 0, len(srcs))
	for s := range srcs {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// looseProblems renders the problems that belong to no model or test.
func (p *Project) looseProblems() []string {
	var out []string
	for _, e := range p.loose {
		out = append(out, e.Error())
	}
	return out
}

// Count returns how many models (or, with tests, tests) have status.
func (r *Result) Count(status string) int {
	n := 0
	for _, m := range r.Models {
		if m.Status == status {
			n++
		}
	}
	for _, t := range r.Tests {
		if t.Status == status {
			n++
		}
	}
	return n
}

// busyClock measures the wall time during which at least one warehouse
// call is in flight.
type busyClock struct {
	mu    sync.Mutex
	n     int
	since time.Time
	busy  time.Duration
}

func (c *busyClock) enter() {
	c.mu.Lock()
	if c.n == 0 {
		c.since = time.Now()
	}
	c.n++
	c.mu.Unlock()
}

func (c *busyClock) exit() {
	c.mu.Lock()
	c.n--
	if c.n == 0 {
		c.busy += time.Since(c.since)
	}
	c.mu.Unlock()
}

// catalog is the warehouse's relations at the start of a run.
type catalog map[string]load.Relation

func readCatalog(ctx context.Context, wh Warehouse) (catalog, error) {
	rels, err := wh.Relations(ctx)
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	c := catalog{}
	for _, r := range rels {
		c[strings.ToLower(r.String())] = r
	}
	return c, nil
}

func (c catalog) exists(schema, name string) bool {
	_, ok := c[strings.ToLower(schema+"."+name)]
	return ok
}

// job is one selected model prepared for a build.
type job struct {
	m       *Model
	sql     string
	refs    []string // relations the rendered SQL uses
	missing []string // sources it uses that do not exist
	err     error    // render error
	exists  bool     // a transform model's relation exists already
}

func (p *Project) prepare(m *Model, mc load.Macros, cat catalog, fullRefresh bool) *job {
	j := &job{m: m}
	if m.err != nil {
		j.err = m.err
		return j
	}
	if m.Kind == KindSeed {
		j.sql, j.err = m.seed.sql(mc)
		if j.err != nil {
			j.err = fmt.Errorf("%s: %w", m.Path, j.err)
		}
		return j
	}
	env := &renderEnv{p: p, self: m, macros: mc, exists: cat.exists}
	if m.Kind == load.ModelIncremental && !fullRefresh {
		if r, ok := cat[strings.ToLower(m.Relation)]; ok && !r.View {
			env.incremental = true
		}
	}
	if m.Kind == KindTransform {
		j.exists = cat.exists(m.schema, m.Name)
	}
	j.sql, j.err = render(m.Path, m.tmpl, env)
	j.refs = sortedKeys(env.refs)
	j.missing = env.missing
	return j
}

func concurrency(o Options) int {
	if o.Concurrency > 0 {
		return o.Concurrency
	}
	return 4
}

// Build materializes the selected models in dependency order, running
// independent models concurrently, then runs their data tests unless
// opts.SkipTests. A failing model marks the models that use it skipped;
// the others still build. The error is for runs that could not start
// (a bad selector, an unreachable warehouse); model and test failures are
// in the Result (see Result.Failed).
func (p *Project) Build(ctx context.Context, wh Warehouse, opts Options) (*Result, error) {
	start := time.Now()
	sel, err := p.selectModels(opts.Select)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(ctx, wh)
	if err != nil {
		return nil, err
	}
	res := &Result{Overrides: p.Overrides, Models: []ModelResult{}, Tests: []TestResult{},
		Problems: p.looseProblems(), project: p}
	clock := &busyClock{}
	mc := wh.Macros()
	var jobs []*job
	index := map[string]int{}
	for _, m := range p.models {
		if sel == nil || sel[m.Relation] {
			index[m.Relation] = len(jobs)
			jobs = append(jobs, p.prepare(m, mc, cat, opts.FullRefresh))
		}
	}
	results := p.schedule(ctx, wh, jobs, index, opts, clock)
	res.Models = results
	if !opts.SkipTests && ctx.Err() == nil {
		status := map[string]string{}
		for _, r := range results {
			status[r.Model] = r.Status
		}
		res.Tests = p.runTests(ctx, wh, mc, cat, sel, opts, status, clock)
	}
	res.Seconds = time.Since(start).Seconds()
	res.WarehouseSeconds = clock.busy.Seconds()
	return res, nil
}

// schedule runs jobs (in topological order) as their dependencies finish.
func (p *Project) schedule(ctx context.Context, wh Warehouse, jobs []*job, index map[string]int, opts Options, clock *busyClock) []ModelResult {
	results := make([]ModelResult, len(jobs))
	pending := make([]int, len(jobs))
	children := make([][]int, len(jobs))
	for i, j := range jobs {
		for _, d := range j.m.edges() {
			if k, ok := index[d]; ok {
				pending[i]++
				children[k] = append(children[k], i)
			}
		}
	}
	var ready []int
	for i := range jobs {
		if pending[i] == 0 {
			ready = append(ready, i)
		}
	}
	type done struct {
		i int
		r ModelResult
	}
	doneCh := make(chan done)
	running, finished := 0, 0
	finish := func(i int, r ModelResult) {
		results[i] = r
		finished++
		for _, c := range children[i] {
			if pending[c]--; pending[c] == 0 {
				ready = append(ready, c)
			}
		}
		sort.Ints(ready)
	}
	limit := concurrency(opts)
	for finished < len(jobs) {
		for running < limit && len(ready) > 0 {
			i := ready[0]
			ready = ready[1:]
			j := jobs[i]
			if r, skip := p.skipReason(j, index, results, ctx); skip {
				finish(i, r)
				continue
			}
			running++
			go func() {
				doneCh <- done{i, p.buildOne(ctx, wh, j, opts, clock)}
			}()
		}
		if running == 0 && len(ready) == 0 {
			break // cannot happen with a DAG; guards against a hang
		}
		if running == 0 {
			continue
		}
		d := <-doneCh
		running--
		finish(d.i, d.r)
	}
	return results
}

// skipReason decides before a run whether j is skipped or already failed.
func (p *Project) skipReason(j *job, index map[string]int, results []ModelResult, ctx context.Context) (ModelResult, bool) {
	r := ModelResult{Model: j.m.Relation, Path: j.m.Path, Kind: j.m.Kind, Status: StatusSkipped}
	if err := ctx.Err(); err != nil {
		r.Reason = "run cancelled"
		return r, true
	}
	if j.err != nil {
		r.Status, r.Error = StatusFailed, j.err.Error()
		return r, true
	}
	var why []string
	for _, d := range j.refs {
		if k, ok := index[d]; ok {
			switch results[k].Status {
			case StatusFailed:
				why = append(why, d+" failed")
			case StatusSkipped:
				why = append(why, d+" was skipped")
			}
		}
	}
	for _, s := range j.missing {
		why = append(why, "source "+s+" does not exist")
	}
	if len(why) > 0 {
		r.Reason = strings.Join(why, "; ")
		return r, true
	}
	return r, false
}

// buildOne materializes one model and records its run.
func (p *Project) buildOne(ctx context.Context, wh Warehouse, j *job, opts Options, clock *busyClock) ModelResult {
	start := time.Now()
	m := j.m
	r := ModelResult{Model: m.Relation, Path: m.Path, Kind: m.Kind}
	fail := func(err error) ModelResult {
		r.Status, r.Error = StatusFailed, err.Error()
		r.Seconds = time.Since(start).Seconds()
		return r
	}
	run, err := load.StartRun(ctx, wh, "build", m.Relation)
	if err != nil {
		return fail(fmt.Errorf("models: %w", err))
	}
	kind := m.Kind
	if kind == KindSeed {
		kind = load.ModelTable
	}
	t := table(m.Relation)
	clock.enter()
	var st load.ModelStats
	var merr error
	if kind == KindTransform {
		st, merr = p.buildTransform(ctx, wh, j)
	} else {
		st, merr = wh.Materialize(ctx, load.Model{Schema: t.Schema, Name: t.Name, SQL: j.sql, Kind: kind,
			UniqueKey: m.UniqueKey, FullRefresh: opts.FullRefresh})
	}
	clock.exit()
	r.WarehouseSeconds = st.Duration.Seconds()
	if merr != nil {
		merr = fmt.Errorf("%s: %w", m.Path, merr)
	}
	if ferr := run.Finish(ctx, wh, 0, st.Rows, merr); ferr != nil && merr == nil {
		merr = fmt.Errorf("models: %w", ferr)
	}
	if merr != nil {
		return fail(merr)
	}
	r.Status, r.Rows = StatusSuccess, st.Rows
	r.Seconds = time.Since(start).Seconds()
	return r
}

// Test runs the data tests of the selected models (all when none) and
// the custom tests that use them, against what the warehouse holds.
func (p *Project) Test(ctx context.Context, wh Warehouse, opts Options) (*Result, error) {
	start := time.Now()
	sel, err := p.selectModels(opts.Select)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(ctx, wh)
	if err != nil {
		return nil, err
	}
	clock := &busyClock{}
	res := &Result{Overrides: p.Overrides, Models: []ModelResult{}, Problems: p.looseProblems(), project: p}
	// A broken model is reported failed (it cannot be tested: what the
	// warehouse holds is not what its file says).
	for _, m := range p.models {
		if m.err != nil && (sel == nil || sel[m.Relation]) {
			res.Models = append(res.Models, ModelResult{Model: m.Relation, Path: m.Path, Kind: m.Kind,
				Status: StatusFailed, Error: m.err.Error()})
		}
	}
	res.Tests = p.runTests(ctx, wh, wh.Macros(), cat, sel, opts, nil, clock)
	res.Seconds = time.Since(start).Seconds()
	res.WarehouseSeconds = clock.busy.Seconds()
	return res, nil
}

// Compile renders the model (or custom test, tests.<name>) in the
// warehouse's dialect, as a build would run it now.
func (p *Project) Compile(ctx context.Context, wh Warehouse, name string) (string, error) {
	cat, err := readCatalog(ctx, wh)
	if err != nil {
		return "", err
	}
	return p.compile(name, wh.Macros(), cat)
}

// CompileFor renders a model or custom test with macros and no warehouse:
// every source exists and no model is incremental yet (nil macros render
// the portable names themselves). It shows the SQL
// a dialect would run (golden tests, `revops compile` offline).
func (p *Project) CompileFor(name string, macros load.Macros) (string, error) {
	if macros == nil {
		macros = planMacros{}
	}
	return p.compile(name, macros, nil)
}

func (p *Project) compile(name string, mc load.Macros, cat catalog) (string, error) {
	if c := p.customTest(name); c != nil {
		if c.err != nil {
			return "", c.err
		}
		env := &renderEnv{p: p, macros: mc}
		if cat != nil {
			env.exists = cat.exists
		}
		return render(c.path, c.tmpl, env)
	}
	m, err := p.resolve(name)
	if err != nil {
		return "", fmt.Errorf("models: compile: %w", err)
	}
	if m.err != nil {
		return "", m.err
	}
	if cat == nil {
		if m.Kind == KindSeed {
			return m.seed.sql(mc)
		}
		return render(m.Path, m.tmpl, &renderEnv{p: p, self: m, macros: mc})
	}
	j := p.prepare(m, mc, cat, false)
	if j.err != nil {
		return "", j.err
	}
	return j.sql, nil
}
