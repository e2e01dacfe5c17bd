package models

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/revops/revops/load"
)

// testJob is one data test prepared to run.
type testJob struct {
	r   TestResult
	sql string
}

// runTests runs the header tests of the selected models and the custom
// tests that go with them. status holds this build's model outcomes (nil
// for `revops test`); a test whose model is not available (or broken) is
// skipped; a test that is itself broken is reported as an error. A test
// that finds rows fails, or warns when its severity is warn.
func (p *Project) runTests(ctx context.Context, wh Warehouse, mc load.Macros, cat catalog, sel map[string]bool,
	opts Options, status map[string]string, clock *busyClock) []TestResult {
	available := func(rel string) string {
		if m, ok := p.byRel[rel]; ok && m.err != nil {
			return rel + " failed"
		}
		if status != nil {
			if s, ok := status[rel]; ok {
				if s == StatusSuccess {
					return ""
				}
				if s == StatusFailed {
					return rel + " failed"
				}
				return rel + " was skipped"
			}
		}
		if _, ok := cat[rel]; !ok {
			return rel + " does not exist (build it first)"
		}
		return ""
	}
	var jobs []*testJob
	for _, m := range p.models {
		if sel != nil && !sel[m.Relation] {
			continue
		}
		for _, t := range m.tests {
			j := &testJob{r: TestResult{Test: t.name, Model: m.Relation, Path: m.Path, Severity: t.decl.severity}}
			if t.err != nil {
				j.r.Status, j.r.Error = StatusError, t.err.Error()
				jobs = append(jobs, j)
				continue
			}
			j.sql = t.sql(mc)
			j.r.Reason = available(m.Relation)
			if j.r.Reason == "" && t.target != nil {
				j.r.Reason = available(t.target.Relation)
			}
			jobs = append(jobs, j)
		}
	}
	for _, c := range p.custom {
		if !p.selectedCustom(c, opts.Select, sel) {
			continue
		}
		j := &testJob{r: TestResult{Test: c.name, Path: c.path, Severity: c.severity}}
		if c.err != nil {
			j.r.Status, j.r.Error = StatusError, c.err.Error()
			jobs = append(jobs, j)
			continue
		}
		env := &renderEnv{p: p, macros: mc, exists: cat.exists}
		sql, err := render(c.path, c.tmpl, env)
		if err != nil {
			j.r.Status, j.r.Error = StatusError, err.Error()
		}
		j.sql = sql
		for _, d := range sortedKeys(env.refs) {
			if why := available(d); why != "" && j.r.Reason == "" {
				j.r.Reason = why
			}
		}
		jobs = append(jobs, j)
	}
	out := make([]TestResult, len(jobs))
	sem := make(chan struct{}, concurrency(opts))
	var wg sync.WaitGroup
	for i, j := range jobs {
		switch {
		case j.r.Status == StatusError:
			out[i] = j.r
			continue
		case j.r.Reason != "":
			j.r.Status = StatusSkipped
			out[i] = j.r
			continue
		case ctx.Err() != nil:
			j.r.Status, j.r.Reason = StatusSkipped, "run cancelled"
			out[i] = j.r
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = runTest(ctx, wh, j, clock)
		}()
	}
	wg.Wait()
	return out
}

// runTest counts the rows of one test's query.
func runTest(ctx context.Context, wh Warehouse, j *testJob, clock *busyClock) TestResult {
	start := time.Now()
	r := j.r
	r.SQL = j.sql
	clock.enter()
	n, err := countRows(ctx, wh, j.sql)
	clock.exit()
	r.Seconds = time.Since(start).Seconds()
	switch {
	case err != nil:
		r.Status, r.Error = StatusError, fmt.Sprintf("%s: %v", r.Path, err)
	case n > 0 && r.Severity == SeverityWarn:
		r.Status, r.Failures = StatusWarn, n
	case n > 0:
		r.Status, r.Failures = StatusFail, n
	default:
		r.Status = StatusPass
	}
	return r
}

func countRows(ctx context.Context, wh Warehouse, q string) (int64, error) {
	rdr, err := wh.Query(ctx, "SELECT count(*) FROM (\n"+q+"\n) AS failures")
	if err != nil {
		return 0, err
	}
	_, rows, err := load.ReadAll(rdr)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return 0, fmt.Errorf("count failures: unexpected result")
	}
	switch v := rows[0][0].(type) {
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	}
	return 0, fmt.Errorf("count failures: unexpected %T", rows[0][0])
}
