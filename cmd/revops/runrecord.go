package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
	"github.com/revops/revops/models"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
)

// The stages of revops run, in order.
const (
	stageExtract  = "extract"
	stageBuild    = "build"
	stageIdentity = "identity"
	stageSync     = "sync"
	stageLinks    = "links"
)

var runStages = []string{stageExtract, stageBuild, stageIdentity, stageSync, stageLinks}

// Statuses of a whole run (the row of stage 'run' in _revops.runs) and
// of its stages, besides load's running, succeeded, failed and killed.
const (
	// runStopped: a signal stopped the run between stages (or cancelled
	// the stage in flight, on a second signal).
	runStopped = "stopped"
	// stageSkipped: nothing of the stage ran because what it needs failed.
	stageSkipped = "skipped"
	// stageNotRun: the run ended (stopped, killed) before the stage.
	stageNotRun = "not_run"
	// stageNone: nothing is configured for the stage (no syncs, no links).
	stageNone = "none"
	// targetPaused: a sync or link paused with revops pause.
	targetPaused = "paused"
)

// runSummary is what revops run reports about one run, what _revops.runs
// keeps of it (the detail column of its row) and what status and
// history print. Its JSON keys are part of the CLI's contract (README).
type runSummary struct {
	RunID      string     `json:"run_id"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Seconds    float64    `json:"seconds"`
	// Trigger is what started the run: "once", or the schedule
	// ("every 15m0s", `cron "*/15 * * * *"`).
	Trigger string `json:"trigger"`
	// PID and Host are the process that ran it.
	PID        int              `json:"pid"`
	Host       string           `json:"host"`
	Error      string           `json:"error,omitempty"`
	Stages     []stageSummary   `json:"stages"`
	APICalls   []sourceCalls    `json:"api_calls"`
	FailedRows int64            `json:"failed_rows"`
	Recovered  []recoveredNote  `json:"recovered,omitempty"`
	Alerts     []alertOutcome   `json:"alerts,omitempty"`
	Skipped    []skippedSummary `json:"skipped,omitempty"`
	// Derived: the run did not finish (killed, or still running), so its
	// stages were read from the stage runs it left, not from its summary.
	Derived bool `json:"derived,omitempty"`
}

// stageSummary is one stage of a run.
type stageSummary struct {
	Stage      string  `json:"stage"`
	Status     string  `json:"status"`
	Rows       int64   `json:"rows"`
	FailedRows int64   `json:"failed_rows"`
	APICalls   int64   `json:"api_calls"`
	Seconds    float64 `json:"seconds"`
	Error      string  `json:"error,omitempty"`
	// Counts are the stage's own figures, by name: objects, objects_failed
	// (extract); models, models_failed, models_skipped, tests_passed,
	// tests_warned, tests_failed (build, identity); persons, companies,
	// review (identity); syncs, links, paused, skipped.
	Counts map[string]int64 `json:"counts,omitempty"`
	// Targets are the syncs and links of the stage, and the failed
	// objects, models and tests of the others.
	Targets []targetSummary `json:"targets,omitempty"`
}

// targetSummary is one sync, link, object, model or test of a stage.
type targetSummary struct {
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	Rows       int64   `json:"rows"`
	FailedRows int64   `json:"failed_rows"`
	APICalls   int64   `json:"api_calls"`
	Seconds    float64 `json:"seconds"`
	// RunID is the target's own run (_revops.sync_runs, link_runs).
	RunID string `json:"run_id,omitempty"`
	Error string `json:"error,omitempty"`
}

// sourceCalls is a source's API calls in a run, beside its org's daily
// allowance where revops can read it.
type sourceCalls struct {
	Source string `json:"source"`
	Type   string `json:"type"`
	Calls  int64  `json:"calls"`
	// DailyLimit and DailyUsed are the org's allowance and use over the
	// last 24 hours (Salesforce's DailyApiRequests, read after the
	// extract); null when unknown.
	DailyLimit *int64 `json:"daily_limit"`
	DailyUsed  *int64 `json:"daily_used"`
	// Credits are the Zoho CRM credits the run spent (null for other
	// systems), and APIBudget the share of the daily allowance revops may
	// use (null without a budget).
	Credits   *int64   `json:"credits,omitempty"`
	APIBudget *float64 `json:"api_budget,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// recoveredNote is something an earlier, killed revops left that this
// run found and settled.
type recoveredNote struct {
	What   string `json:"what"` // lock, run, stage_runs, sync_runs, link_runs
	RunID  string `json:"run_id,omitempty"`
	PID    int    `json:"pid,omitempty"`
	Host   string `json:"host,omitempty"`
	Count  int    `json:"count,omitempty"`
	Detail string `json:"detail"`
}

// alertOutcome is a webhook alert sent (or tried) for a run.
type alertOutcome struct {
	Events []string `json:"events"`
	OK     bool     `json:"ok"`
	Error  string   `json:"error,omitempty"`
}

// skippedSummary is a sync or link revops run did not run, and why.
type skippedSummary struct {
	Kind    string   `json:"kind"` // sync or link
	Name    string   `json:"name"`
	Reasons []string `json:"reasons"`
}

func (s *runSummary) stage(name string) *stageSummary {
	for i := range s.Stages {
		if s.Stages[i].Stage == name {
			return &s.Stages[i]
		}
	}
	s.Stages = append(s.Stages, stageSummary{Stage: name, Status: stageNotRun})
	return &s.Stages[len(s.Stages)-1]
}

// newRunID makes an id in the form of load's run ids.
func newRunID(start time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return start.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// ensureRunState creates the state revops run keeps beside _revops.runs.
func ensureRunState(ctx context.Context, w load.StateStore) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS _revops.paused (
			kind VARCHAR NOT NULL,
			name VARCHAR NOT NULL,
			paused_at TIMESTAMP WITH TIME ZONE NOT NULL,
			paused_by VARCHAR,
			reason VARCHAR
		)`,
	} {
		if err := w.Exec(ctx, q); err != nil {
			return fmt.Errorf("create run state: %w", err)
		}
	}
	return nil
}

// startRunRow records the run as running: a row of stage 'run'.
func startRunRow(ctx context.Context, w load.StateStore, s *runSummary) error {
	detail, _ := json.Marshal(s)
	err := w.Exec(ctx, `INSERT INTO _revops.runs (id, stage, target, started_at, status, process, rows_read, rows_written, api_calls, detail)
		VALUES (?, 'run', ?, ?, ?, ?, 0, 0, 0, ?)`, s.RunID, s.Trigger, s.StartedAt, load.RunRunning, load.Self().String(), string(detail))
	if err != nil {
		return fmt.Errorf("record run %s: %w", s.RunID, err)
	}
	return nil
}

// finishRunRow tags the stage runs this process started since the run
// began with its id, counts the extracts' API calls in their rows and
// records the run's outcome and summary.
func finishRunRow(ctx context.Context, w load.StateStore, s *runSummary, extractCalls map[string]int64) error {
	if err := tagStageRuns(ctx, w, s.RunID, load.Self().String(), s.StartedAt); err != nil {
		return err
	}
	addBudgetUsage(ctx, w, s)
	for target, n := range extractCalls {
		if err := w.Exec(ctx, `UPDATE _revops.runs SET api_calls = ? WHERE parent_id = ? AND stage = 'extract' AND target = ?`,
			n, s.RunID, target); err != nil {
			return fmt.Errorf("record run %s: api calls of %s: %w", s.RunID, target, err)
		}
	}
	var read, written, calls int64
	if st := s.stage(stageExtract); st != nil {
		read = st.Rows
	}
	for _, name := range []string{stageSync, stageLinks} {
		written += s.stage(name).Rows
	}
	for _, c := range s.APICalls {
		calls += c.Calls
	}
	detail, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("record run %s: %w", s.RunID, err)
	}
	var msg any
	if s.Error != "" {
		msg = s.Error
	}
	if err := w.Exec(ctx, `UPDATE _revops.runs SET finished_at = ?, status = ?, rows_read = ?, rows_written = ?, api_calls = ?, error = ?, detail = ?
		WHERE id = ? AND stage = 'run'`, *s.FinishedAt, s.Status, read, written, calls, msg, string(detail), s.RunID); err != nil {
		return fmt.Errorf("record run %s: %w", s.RunID, err)
	}
	return nil
}

// tagStageRuns gives the extract and build runs that process started
// since start (and that belong to no run yet) the parent id. One process
// runs one revops run at a time, so they are that run's.
func tagStageRuns(ctx context.Context, w load.StateStore, parent, process string, start time.Time) error {
	if err := w.Exec(ctx, `UPDATE _revops.runs SET parent_id = ?
		WHERE parent_id IS NULL AND stage <> 'run' AND process = ? AND started_at >= ?`, parent, process, start); err != nil {
		return fmt.Errorf("record run %s: tag its stage runs: %w", parent, err)
	}
	return nil
}

// reapForRun marks the runs of revops processes that are gone as killed
// (as every command does when it opens the warehouse) and says what it
// found, for revops run to report: killed runs get their orphaned stage
// runs tagged with their id.
func (a *app) reapForRun(ctx context.Context, w load.Warehouse, exclusive bool) ([]recoveredNote, error) {
	reaped, err := load.ReapRuns(ctx, w, exclusive)
	if err != nil {
		return nil, err
	}
	syncs, err := revsync.ReapRuns(ctx, w, exclusive)
	if err != nil {
		return nil, err
	}
	links, err := link.ReapRuns(ctx, w, exclusive)
	if err != nil {
		return nil, err
	}
	var out []recoveredNote
	stageRuns := 0
	for _, r := range reaped {
		if r.Stage != "run" {
			stageRuns++
			continue
		}
		note := recoveredNote{What: "run", RunID: r.ID, Detail: fmt.Sprintf("run %s was killed before it finished; marked killed", r.ID)}
		if p, ok := load.ParseProcess(r.Process); ok {
			note.PID, note.Host = p.PID, p.Host
			note.Detail = fmt.Sprintf("run %s (pid %d on %s) was killed before it finished; marked killed", r.ID, p.PID, p.Host)
		}
		// Its stage runs left untagged are its own.
		rows, err := a.queryState(ctx, w, `SELECT started_at FROM _revops.runs WHERE id = ? AND stage = 'run'`, r.ID)
		if err == nil && len(rows) == 1 {
			if start, ok := rows[0][0].(time.Time); ok {
				if err := tagStageRuns(ctx, w, r.ID, r.Process, start); err != nil {
					return out, err
				}
			}
		}
		if d, err := a.deriveRun(ctx, w, r.ID); err == nil && d != nil {
			if st := lastStarted(d); st != "" {
				note.Detail += "; it was in its " + st + " stage"
			}
		}
		out = append(out, note)
	}
	if stageRuns > 0 {
		out = append(out, recoveredNote{What: "stage_runs", Count: stageRuns,
			Detail: fmt.Sprintf("%d extract and build runs left running by a killed revops marked killed (extracts keep what they committed)", stageRuns)})
	}
	if len(syncs) > 0 {
		inflight := 0
		for _, r := range syncs {
			if strings.Contains(r.Error, "in flight") {
				inflight++
			}
		}
		out = append(out, recoveredNote{What: "sync_runs", Count: len(syncs),
			Detail: fmt.Sprintf("%d sync runs left running by a killed revops marked killed; the writes they left in flight are looked up and settled by this run's syncs", len(syncs))})
	}
	if len(links) > 0 {
		out = append(out, recoveredNote{What: "link_runs", Count: len(links),
			Detail: fmt.Sprintf("%d link runs left running by a killed revops marked killed; their writes in flight are read back by this run's links", len(links))})
	}
	for _, n := range out {
		a.log.Warn("recovered from a killed run", "what", n.What, "detail", n.Detail)
	}
	return out, nil
}

// lastStarted names the last stage a derived run had started.
func lastStarted(s *runSummary) string {
	last := ""
	for _, st := range s.Stages {
		if st.Status != stageNotRun && st.Status != stageNone {
			last = st.Stage
		}
	}
	return last
}

// queryState runs a state query and returns its rows.
func (a *app) queryState(ctx context.Context, w load.StateStore, q string, args ...any) ([][]any, error) {
	r, err := w.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	_, rows, err := load.ReadAll(r)
	return rows, err
}

// runRow is a row of stage 'run' in _revops.runs.
type runRow struct {
	id, trigger, status, process, errMsg, detail string
	started, finished                            time.Time
}

// listRunRows lists the newest runs of revops run, at most limit (0 = all).
func (a *app) listRunRows(ctx context.Context, w load.StateStore, limit int, where string, args ...any) ([]runRow, error) {
	q := `SELECT id, coalesce(target, ''), status, coalesce(process, ''), coalesce(error, ''), coalesce(detail, ''), started_at, finished_at
		FROM _revops.runs WHERE stage = 'run'`
	if where != "" {
		q += " AND " + where
	}
	q += ` ORDER BY started_at DESC, id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := a.queryState(ctx, w, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	out := make([]runRow, len(rows))
	for i, r := range rows {
		out[i] = runRow{id: str(r[0]), trigger: str(r[1]), status: str(r[2]), process: str(r[3]), errMsg: str(r[4]), detail: str(r[5])}
		out[i].started, _ = r[6].(time.Time)
		out[i].finished, _ = r[7].(time.Time)
	}
	return out, nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func num64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case uint64:
		return int64(x)
	}
	return 0
}

// summaryOf reads a run row: its recorded summary when it finished,
// else one derived from the stage runs it left.
func (a *app) summaryOf(ctx context.Context, w load.StateStore, r runRow) (*runSummary, error) {
	if r.status != load.RunRunning && r.status != load.RunKilled && r.detail != "" {
		var s runSummary
		if err := json.Unmarshal([]byte(r.detail), &s); err == nil && s.FinishedAt != nil {
			return &s, nil
		}
	}
	return a.deriveRunRow(ctx, w, r)
}

// deriveRun derives the summary of run id from its stage runs.
func (a *app) deriveRun(ctx context.Context, w load.StateStore, id string) (*runSummary, error) {
	rows, err := a.listRunRows(ctx, w, 1, "id = ?", id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return a.deriveRunRow(ctx, w, rows[0])
}

// deriveRunRow rebuilds what it can of a run that did not finish (or
// whose summary is unreadable) from its stage runs: the extract and
// build runs that carry its id, and the sync and link runs its process
// ran while it was running.
func (a *app) deriveRunRow(ctx context.Context, w load.StateStore, r runRow) (*runSummary, error) {
	s := &runSummary{RunID: r.id, Status: r.status, StartedAt: r.started, Trigger: r.trigger, Error: r.errMsg, Derived: true}
	if r.detail != "" {
		var rec runSummary
		if json.Unmarshal([]byte(r.detail), &rec) == nil {
			s.Trigger, s.Recovered = rec.Trigger, rec.Recovered
		}
	}
	if p, ok := load.ParseProcess(r.process); ok {
		s.PID, s.Host = p.PID, p.Host
	}
	end := time.Now().UTC()
	if !r.finished.IsZero() {
		f := r.finished
		s.FinishedAt, end = &f, f
	}
	s.Seconds = end.Sub(r.started).Seconds()
	for _, name := range runStages {
		s.stage(name)
	}
	// Extract and build runs carry the id.
	rows, err := a.queryState(ctx, w, `SELECT stage, target, status, coalesce(rows_read, 0), coalesce(rows_written, 0),
		coalesce(api_calls, 0), started_at, coalesce(finished_at, ?), coalesce(error, '')
		FROM _revops.runs WHERE parent_id = ? ORDER BY started_at`, end, r.id)
	if err != nil {
		return nil, fmt.Errorf("run %s: stage runs: %w", r.id, err)
	}
	spans := map[string][2]time.Time{}
	add := func(stage, target, status string, rows, failed, calls int64, from, to time.Time, errMsg, runID string) {
		st := s.stage(stage)
		st.Rows += rows
		st.FailedRows += failed
		st.APICalls += calls
		st.Status = worse(st.Status, status)
		if sp, ok := spans[stage]; !ok {
			spans[stage] = [2]time.Time{from, to}
		} else {
			spans[stage] = [2]time.Time{minTime(sp[0], from), maxTime(sp[1], to)}
		}
		if status != load.RunSucceeded || stage == stageSync || stage == stageLinks {
			st.Targets = append(st.Targets, targetSummary{Name: target, Status: status, Rows: rows, FailedRows: failed,
				APICalls: calls, Seconds: to.Sub(from).Seconds(), Error: oneLine(errMsg), RunID: runID})
		}
	}
	for _, row := range rows {
		stage, target := str(row[0]), str(row[1])
		if stage == budgetStage {
			continue // an org's API use, not a stage (see addBudgetUsage)
		}
		from, _ := row[6].(time.Time)
		to, _ := row[7].(time.Time)
		rowsN := num64(row[3])
		if stage == "build" {
			if strings.HasPrefix(target, "identity.") {
				stage = stageIdentity
			}
			rowsN = num64(row[4])
		}
		add(stage, target, str(row[2]), rowsN, 0, num64(row[5]), from, to, str(row[8]), "")
	}
	// Sync and link runs of the same process while the run ran.
	for _, q := range []struct{ stage, sql string }{
		{stageSync, `SELECT sync, status, coalesce(succeeded, 0), coalesce(failed, 0), coalesce(api_calls, 0), started_at,
			coalesce(finished_at, ?), coalesce(error, ''), id FROM _revops.sync_runs
			WHERE process = ? AND started_at >= ? AND started_at <= ? ORDER BY started_at`},
		{stageLinks, `SELECT link, status, coalesce(updated, 0), coalesce(failed, 0), coalesce(api_calls, 0), started_at,
			coalesce(finished_at, ?), coalesce(error, ''), id FROM _revops.link_runs
			WHERE process = ? AND started_at >= ? AND started_at <= ? ORDER BY started_at`},
	} {
		rows, err := a.queryState(ctx, w, q.sql, end, r.process, r.started, end)
		if err != nil {
			continue // the table may not exist yet
		}
		for _, row := range rows {
			from, _ := row[5].(time.Time)
			to, _ := row[6].(time.Time)
			add(q.stage, str(row[0]), str(row[1]), num64(row[2]), num64(row[3]), num64(row[4]), from, to, str(row[7]), str(row[8]))
		}
	}
	for name, sp := range spans {
		s.stage(name).Seconds = sp[1].Sub(sp[0]).Seconds()
	}
	for i := range s.Stages {
		s.FailedRows += s.Stages[i].FailedRows
	}
	return s, nil
}

// worse keeps the more telling of two statuses of one stage's runs.
func worse(have, next string) string {
	rank := map[string]int{stageNotRun: 0, load.RunSucceeded: 1, "partial": 2, load.RunFailed: 3, load.RunRunning: 4, load.RunKilled: 5}
	if rank[next] > rank[have] {
		return next
	}
	return have
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// extractStage summarizes the extract's results.
func extractStage(st *stageSummary, results []extract.Result) {
	st.Counts = map[string]int64{"objects": 0, "objects_failed": 0}
	for _, r := range results {
		st.Counts["objects"]++
		st.Rows += r.Rows
		st.APICalls += r.APICalls
		if r.Err != nil {
			st.Counts["objects_failed"]++
			name := r.Source
			if r.Object != "" {
				name += "." + r.Object
			}
			st.Targets = append(st.Targets, targetSummary{Name: name, Status: load.RunFailed, Rows: r.Rows,
				APICalls: r.APICalls, Seconds: r.Seconds, Error: oneLine(r.Error)})
		}
	}
}

// buildStages splits a build's result into the build and identity stages.
func buildStages(build, ident *stageSummary, res *models.Result) {
	for _, st := range []*stageSummary{build, ident} {
		st.Counts = map[string]int64{"models": 0, "models_failed": 0, "models_skipped": 0, "tests_passed": 0, "tests_warned": 0, "tests_failed": 0}
		st.Status = load.RunSucceeded
	}
	pick := func(rel string) *stageSummary {
		if strings.HasPrefix(rel, "identity.") {
			return ident
		}
		return build
	}
	for _, m := range res.Models {
		st := pick(m.Model)
		st.Counts["models"]++
		st.Seconds += m.Seconds
		switch m.Status {
		case models.StatusSuccess:
			if m.Kind != load.ModelView {
				st.Rows += m.Rows
			}
		case models.StatusFailed:
			st.Counts["models_failed"]++
			st.Status = load.RunFailed
			st.Targets = append(st.Targets, targetSummary{Name: m.Model, Status: load.RunFailed, Seconds: m.Seconds, Error: oneLine(m.Error)})
		case models.StatusSkipped:
			st.Counts["models_skipped"]++
		}
	}
	for _, t := range res.Tests {
		st := pick(t.Model)
		switch t.Status {
		case models.StatusPass:
			st.Counts["tests_passed"]++
		case models.StatusWarn:
			st.Counts["tests_warned"]++
		case models.StatusFail, models.StatusError:
			st.Counts["tests_failed"]++
			st.Status = load.RunFailed
			note := t.Error
			if note == "" {
				note = fmt.Sprintf("%d failing rows", t.Failures)
			}
			st.Targets = append(st.Targets, targetSummary{Name: t.Test, Status: load.RunFailed, Seconds: t.Seconds, Error: oneLine(note)})
		}
	}
	for _, p := range res.Problems {
		build.Status = load.RunFailed
		build.Targets = append(build.Targets, targetSummary{Name: "project", Status: load.RunFailed, Error: oneLine(p)})
	}
	// Models run concurrently: the stage's wall time is the build's,
	// shared by the stages in proportion to their models' time.
	if total := build.Seconds + ident.Seconds; total > 0 {
		b := res.Seconds * build.Seconds / total
		build.Seconds, ident.Seconds = b, res.Seconds-b
	}
}

// identityCounts reads the golden records' figures after a build.
func (a *app) identityCounts(ctx context.Context, w load.StateStore, st *stageSummary) {
	for _, c := range []struct{ key, rel string }{
		{"persons", "identity.persons"}, {"companies", "identity.companies"}, {"review", "identity.review"},
	} {
		rows, err := a.queryState(ctx, w, `SELECT count(*) FROM `+c.rel)
		if err != nil || len(rows) != 1 {
			continue
		}
		if st.Counts == nil {
			st.Counts = map[string]int64{}
		}
		st.Counts[c.key] = num64(rows[0][0])
	}
	st.Rows = st.Counts["persons"] + st.Counts["companies"]
}

// sortedTargets orders a stage's targets by name (stable output).
func sortedTargets(ts []targetSummary) []targetSummary {
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	return ts
}
