package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
	"github.com/revops/revops/models"
	"github.com/revops/revops/schedule"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
)

// runFlags are revops run's flags.
type runFlags struct {
	full        bool
	every, cron string
	maxRuns     int
	metricsAddr string
}

// runCmd is the scheduled job: extract, then build, then sync, then links.
func (a *app) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The whole job: extract every enabled source, build the models and their tests, then run every sync and link",
		Long: `run is what a schedule calls. It extracts every enabled source (a source or
object that fails keeps its cursor and the others land), builds every model and
runs the data tests (the identity models are reported as their own stage, with
the golden persons and companies and the review queue), then runs every sync
and then every two-way link in revops.yaml. A sync or link is skipped,
with the reason printed, when its entry in revops.yaml is wrong, when a source
table its model reads (directly or upstream) failed to extract in this run, or
when a model it reads failed or one of their tests of severity error failed.
Tests of severity warn never stop a sync. Paused syncs and links (revops pause)
are skipped and reported as paused.

Each run has one id: a row of stage 'run' in _revops.runs, whose stage runs
carry it (parent_id). One revops run at a time holds the warehouse: a lock file
beside the DuckDB file names its pid, host and start; a lock left by a process
that is gone is taken over, and the run says what it recovered.

--every 15m or --cron "*/15 * * * *" keeps revops running: one run at a time
(a tick that comes while a run is in flight is skipped and logged). SIGINT or
SIGTERM lets the stage in flight finish, starts nothing more and exits 0; a
second signal cancels the stage in flight and exits at once.

The exit status is 1 when any stage had a failure, 2 for a bad config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runMain(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.full, "full-refresh", false, "re-read every object and rebuild incremental models from scratch")
	fl.StringVar(&f.every, "every", "", "keep running: a run now, then one every interval (e.g. 15m)")
	fl.StringVar(&f.cron, "cron", "", `keep running: a run at each time of a cron expression ("*/15 * * * *")`)
	fl.IntVar(&f.maxRuns, "max-runs", 0, "with --every/--cron: stop after this many runs (0 = never)")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "with --every/--cron: serve Prometheus /metrics here (127.0.0.1:9090)")
	return cmd
}

// runState collects, inside revops run, what the stages report.
type runState struct {
	usage        map[string]sourceUsage
	extractCalls map[string]int64 // per _revops.runs target of the extract
	syncs        []*revsync.Report
	links        []*link.Report
	skippedLinks []skippedSync
}

// skippedSync is a sync revops run did not run, and why.
type skippedSync struct {
	Sync    string   `json:"sync"`
	Reasons []string `json:"reasons"`
}

// errStopped ends a run stopped by a signal between stages.
var errStopped = errors.New("stopped by a signal")

// lockPath is the lock file of cfg's warehouse: beside the DuckDB file
// ("" for a warehouse in memory, which no other process can open).
func lockPath(cfg interface{ Resolve(string) string }, dbPath string) string {
	if dbPath == "" || dbPath == ":memory:" {
		return ""
	}
	return cfg.Resolve(dbPath) + ".lock"
}

func (a *app) runMain(ctx context.Context, f runFlags) error {
	var sched schedule.Schedule
	if f.every != "" || f.cron != "" {
		s, err := schedule.Parse(f.every, f.cron)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		sched = s
	}
	switch {
	case f.maxRuns < 0:
		return &exitError{code: 2, err: errors.New("--max-runs: must not be negative")}
	case sched == nil && f.maxRuns > 0:
		return &exitError{code: 2, err: errors.New("--max-runs needs --every or --cron")}
	case sched == nil && f.metricsAddr != "":
		return &exitError{code: 2, err: errors.New("--metrics-addr needs --every or --cron (a single run ends before anything could scrape it)")}
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := checkConfig(cfg); err != nil {
		return &exitError{code: 2, err: err}
	}

	// One revops run per warehouse.
	var recovered []recoveredNote
	if cfg.Warehouse.Type == "duckdb" {
		var o struct {
			Path string `yaml:"path"`
		}
		_ = cfg.Warehouse.Options.DecodeKeys(&o)
		if path := lockPath(cfg, o.Path); path != "" {
			self := load.Self()
			command := "revops run"
			if sched != nil {
				command += " (" + sched.String() + ")"
			}
			lock, stale, err := schedule.Acquire(path, schedule.Holder{PID: self.PID, Host: self.Host, Token: self.Token, Command: command})
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("run: %w", err)}
			}
			defer func() {
				if err := lock.Release(); err != nil {
					a.log.Warn("lock not released", "error", err)
				}
			}()
			if stale != nil {
				n := recoveredNote{What: "lock", PID: stale.PID, Host: stale.Host,
					Detail: fmt.Sprintf("the lock of a revops that is gone (%s) was taken over", *stale)}
				if stale.PID == 0 {
					n.Detail = "an unreadable lock file left by a revops that is gone was replaced"
				}
				a.log.Warn("recovered from a killed run", "what", n.What, "detail", n.Detail)
				recovered = append(recovered, n)
			}
		}
	}

	// A first signal stops between stages; a second cancels the stage
	// in flight.
	runCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	stop := make(chan struct{})
	hard := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	sigs := notifySignals()
	parentDone := ctx.Done()
	go func() {
		n := 0
		stopOnce := func() {
			select {
			case <-stop:
			default:
				close(stop)
			}
		}
		for {
			select {
			case <-done:
				return
			case <-parentDone:
				stopOnce()
				parentDone = nil // seen once
			case sig := <-sigs.C:
				n++
				if n == 1 {
					a.log.Warn("signal received: the stage in flight finishes, nothing more starts; a second signal stops at once", "signal", sig)
					stopOnce()
					continue
				}
				a.log.Warn("second signal: cancelling the stage in flight", "signal", sig)
				stopOnce()
				close(hard)
				sigs.Stop()
				// A third signal kills the process.
				signal.Reset(os.Interrupt, syscall.SIGTERM)
				hardStop()
				return
			}
		}
	}()
	defer sigs.Stop()
	hardStopped := func() bool {
		select {
		case <-hard:
			return true
		default:
			return false
		}
	}

	if sched == nil {
		// The stages' own tables only with -v: the run ends with its summary.
		stageOut := io.Discard
		if a.verbose && !a.json {
			stageOut = a.stdout
		}
		s, err := a.runOnce(runCtx, f, "once", recovered, stop, stageOut)
		if s != nil {
			if a.json {
				if a.doc == nil {
					a.doc = map[string]any{}
				}
				a.doc["run"] = s
			} else if !a.quiet {
				a.printSummary(a.stdout, s, a.verbose)
			}
		}
		if hardStopped() {
			return &exitError{code: 130, err: fmt.Errorf("run: stopped at once by a second signal: %w", errOr(err))}
		}
		return err
	}
	return a.serveSchedule(ctx, runCtx, f, sched, recovered, stop, hardStopped)
}

func errOr(err error) error {
	if err == nil {
		return errStopped
	}
	return err
}

// signals delivers SIGINT and SIGTERM to C until Stop.
type signals struct {
	C    chan os.Signal
	stop func()
}

func notifySignals() *signals {
	c := make(chan os.Signal, 2)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return &signals{C: c, stop: gosync.OnceFunc(func() { signal.Stop(c) })}
}

func (s *signals) Stop() { s.stop() }

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// serveSchedule runs the pipeline at every tick of sched until a signal
// (or --max-runs), printing each run's summary.
func (a *app) serveSchedule(ctx, runCtx context.Context, f runFlags, sched schedule.Schedule, recovered []recoveredNote,
	stop <-chan struct{}, hardStopped func() bool) error {
	out := a.stdout
	var metrics *runMetrics
	if f.metricsAddr != "" {
		metrics = newRunMetrics()
		addr, shutdown, err := metrics.serve(f.metricsAddr)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		defer shutdown()
		a.log.Info("serving Prometheus metrics", "url", "http://"+addr+"/metrics")
		if !a.json && !a.quiet {
			fmt.Fprintf(out, "metrics: http://%s/metrics\n", addr)
		}
	}
	if !a.json && !a.quiet {
		fmt.Fprintf(out, "revops run %s: one run at a time; Ctrl-C stops after the stage in flight\n", sched)
	}
	var last error
	runs := 0
	loop := &schedule.Loop{
		Schedule:  sched,
		Immediate: f.every != "",
		MaxRuns:   f.maxRuns,
		Run: func(tick time.Time) {
			runs++
			if metrics != nil {
				metrics.inProgress.Set(1)
			}
			// Stage tables only with --verbose: each run ends with its summary.
			stageOut := out
			if !a.verbose || a.json {
				stageOut = io.Discard
			}
			a.doc = nil
			s, err := a.runOnce(runCtx, f, sched.String(), recovered, stop, stageOut)
			recovered = nil
			last = err
			if metrics != nil {
				metrics.inProgress.Set(0)
				if s != nil {
					metrics.observe(s)
				}
			}
			switch {
			case s == nil:
				a.log.Error("run could not start", "error", err)
			case a.json:
				enc := jsonEncoder(out)
				_ = enc.Encode(s)
				a.printed = true
			case a.verbose:
				a.printSummary(out, s, false)
			case !a.quiet:
				fmt.Fprintln(out, runLine(s))
				for _, st := range s.Stages {
					if st.Status == load.RunFailed {
						fmt.Fprintln(out, clip("  "+st.Stage+" failed: "+stageNote(st), maxWidth))
					}
				}
				a.printRunNotes(out, s)
			}
			if err != nil && s != nil {
				a.log.Error("run failed; the schedule goes on", "run", s.RunID, "error", oneLine(err.Error()))
			}
		},
		Skipped: func(tick, since time.Time) {
			if metrics != nil {
				metrics.skippedTicks.Inc()
			}
			a.log.Warn("tick skipped: the previous run is still in flight (runs never overlap)",
				"tick", tick.Format(time.RFC3339), "running_for", time.Since(since).Round(time.Second).String())
		},
		Waiting: func(next time.Time) {
			a.log.Info("waiting for the next run", "at", next.Format(time.RFC3339))
		},
	}
	loop.Serve(stop)
	if hardStopped() {
		return &exitError{code: 130, err: errors.New("run: stopped at once by a second signal")}
	}
	select {
	case <-stop:
		a.log.Info("stopped by a signal after the run in flight", "runs", runs)
		if !a.json && !a.quiet {
			fmt.Fprintf(out, "stopped after %d runs\n", runs)
		}
		return nil
	default:
	}
	// --max-runs: the last run's outcome.
	return last
}

// runOnce is one run: it records the run, runs the stages (their output
// to stageOut), records the outcome, and alerts.
func (a *app) runOnce(ctx context.Context, f runFlags, trigger string, recovered []recoveredNote, stop <-chan struct{}, stageOut io.Writer) (*runSummary, error) {
	start := time.Now().UTC()
	self := load.Self()
	s := &runSummary{RunID: newRunID(start), Status: load.RunRunning, StartedAt: start, Trigger: trigger,
		PID: self.PID, Host: self.Host, Recovered: recovered}
	for _, name := range runStages {
		s.stage(name)
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if err := checkConfig(cfg); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	hook, _ := decodeAlerts(cfg)
	open, ok := warehouses[cfg.Warehouse.Type]
	if !ok {
		return nil, &exitError{code: 2, err: fmt.Errorf("warehouse type %q is not available", cfg.Warehouse.Type)}
	}
	w, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	notes, err := a.reapForRun(ctx, w, cfg.Warehouse.Type == "duckdb")
	if err == nil {
		s.Recovered = append(s.Recovered, notes...)
		if err = ensureRunState(ctx, w); err == nil {
			err = startRunRow(ctx, w, s)
		}
	}
	_ = w.Close()
	if err != nil {
		return nil, err
	}
	a.run = &runState{}
	stdout := a.stdout
	a.stdout = stageOut
	pipeErr := a.pipeline(ctx, f.full, s, stop)
	a.stdout = stdout
	st := a.run
	a.run = nil

	end := time.Now().UTC()
	s.FinishedAt, s.Seconds = &end, end.Sub(start).Seconds()
	switch {
	case errors.Is(pipeErr, errStopped):
		s.Status, pipeErr = runStopped, &exitError{code: 1, err: fmt.Errorf("run %s: %w before %s", s.RunID, errStopped, notRun(s))}
	case ctx.Err() != nil:
		s.Status = runStopped
	case pipeErr != nil:
		s.Status = load.RunFailed
	default:
		s.Status = load.RunSucceeded
	}
	if pipeErr != nil {
		s.Error = pipeErr.Error()
	}
	s.APICalls = apiCalls(cfg, st)
	for _, stg := range s.Stages {
		s.FailedRows += stg.FailedRows
	}

	// Record the outcome even when the run's context was cancelled.
	fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	w, err = open(fin, cfg)
	if err != nil {
		return s, errors.Join(pipeErr, fmt.Errorf("run %s: record the outcome: %w", s.RunID, err))
	}
	defer w.Close()
	if id := s.stage(stageIdentity); id.Status == load.RunSucceeded {
		a.identityCounts(fin, w, id)
	}
	var base []time.Duration
	if hook != nil {
		hook.SetDefaults()
		base = a.baseline(fin, w, s, hook.SlowBaseline)
	}
	a.sendAlerts(fin, hook, s, base)
	if err := finishRunRow(fin, w, s, st.extractCalls); err != nil {
		return s, errors.Join(pipeErr, err)
	}
	return s, pipeErr
}

// notRun names the stages a stopped run did not run.
func notRun(s *runSummary) string {
	var names []string
	for _, st := range s.Stages {
		if st.Status == runStopped {
			names = append(names, st.Stage)
		}
	}
	if len(names) == 0 {
		return "its end"
	}
	return strings.Join(names, ", ")
}

// apiCalls adds up each source's API calls in the run: its extract (all
// requests of its client), and the syncs and links that wrote to it.
func apiCalls(cfg *configs.Config, st *runState) []sourceCalls {
	dest := map[string]string{}
	for _, p := range parseSyncs(cfg) {
		if p.Spec != nil {
			dest[p.Name] = p.Spec.Destination.Source
		}
	}
	var out []sourceCalls
	for _, src := range cfg.Sources {
		if !src.Enabled {
			continue
		}
		c := sourceCalls{Source: src.Name, Type: src.Type}
		if u, ok := st.usage[src.Name]; ok {
			c.Calls += u.calls
			c.DailyLimit, c.DailyUsed, c.Note = u.limit, u.used, u.note
		}
		for _, r := range st.syncs {
			if dest[r.Sync] == src.Name {
				c.Calls += r.APICalls
			}
		}
		for _, r := range st.links {
			for _, sd := range r.Sides {
				if sd.Source == src.Name {
					c.Calls += sd.APICalls
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// pipeline runs the stages in order, filling s; a signal (stop) ends it
// between stages with errStopped.
func (a *app) pipeline(ctx context.Context, full bool, s *runSummary, stop <-chan struct{}) error {
	defer func() { a.section = "" }()
	stopped := func() bool {
		select {
		case <-stop:
		default:
			return false
		}
		for i := range s.Stages {
			if s.Stages[i].Status == stageNotRun {
				s.Stages[i].Status = runStopped
			}
		}
		return true
	}
	var failures []error

	// extract
	a.say("== extract")
	a.section = "extract"
	t0 := time.Now()
	results, err := a.extractAll(ctx, extract.Options{FullRefresh: full}, 4)
	ex := s.stage(stageExtract)
	extractStage(ex, results)
	ex.Seconds = time.Since(t0).Seconds()
	ex.Status = load.RunSucceeded
	a.run.extractCalls = map[string]int64{}
	for _, r := range results {
		target := r.Source
		if r.Object != "" {
			target += "." + r.Object
		}
		a.run.extractCalls[target] = r.APICalls
	}
	if err != nil {
		ex.Status, ex.Error = load.RunFailed, oneLine(err.Error())
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 2 {
			return err // a bad config stops everything
		}
		failures = append(failures, err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if stopped() {
		return errStopped
	}

	// build (and identity)
	a.say("\n== build")
	a.section = "build"
	cfg, p, err := a.loadProject()
	if err != nil {
		s.stage(stageBuild).Status, s.stage(stageBuild).Error = load.RunFailed, oneLine(err.Error())
		return err
	}
	a.sayOverrides(p)
	w, closeWH, err := openModelWarehouse(ctx, cfg)
	if err != nil {
		s.stage(stageBuild).Status, s.stage(stageBuild).Error = load.RunFailed, oneLine(err.Error())
		return err
	}
	res, err := p.Build(ctx, w, models.Options{FullRefresh: full})
	closeWH()
	if err != nil {
		s.stage(stageBuild).Status, s.stage(stageBuild).Error = load.RunFailed, oneLine(err.Error())
		return &exitError{code: 2, err: fmt.Errorf("build: %w", err)}
	}
	buildStages(s.stage(stageBuild), s.stage(stageIdentity), res)
	buildErr := a.report(res, true)
	if buildErr != nil {
		failures = append(failures, buildErr)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if stopped() {
		return errStopped
	}

	// sync
	failedTables := extractFailures(results)
	badConfig := false
	sy := s.stage(stageSync)
	t0 = time.Now()
	if len(cfg.Syncs) == 0 {
		sy.Status = stageNone
	} else {
		a.section = "sync"
		a.say("\n== sync")
		var run []string
		var skipped []skippedSync
		for _, ps := range parseSyncs(cfg) {
			if ps.Err != nil {
				skipped = append(skipped, skippedSync{Sync: ps.Name, Reasons: []string{ps.Err.Error()}})
				badConfig = true
				continue
			}
			sp := ps.Spec
			var reasons []string
			if sp.Model != "" {
				reasons = append(reasons, sourceBlockers(p, sp.Model, failedTables)...)
				reasons = append(reasons, res.Blocked(sp.Model)...)
			} else if res.Failed() {
				// Inline SQL: what it reads is unknown to the model graph.
				reasons = append(reasons, "its inline SQL may read a model that failed in this run's build")
			}
			if len(reasons) > 0 {
				skipped = append(skipped, skippedSync{Sync: sp.Name, Reasons: reasons})
				continue
			}
			run = append(run, sp.Name)
		}
		for _, sk := range skipped {
			a.say("sync %s skipped: %s", sk.Sync, strings.Join(sk.Reasons, "; "))
			a.log.Warn("sync skipped", "sync", sk.Sync, "reasons", strings.Join(sk.Reasons, "; "))
		}
		var syncErr error
		if len(run) > 0 {
			if syncErr = a.runSync(ctx, run, syncFlags{noBuild: true}); syncErr != nil {
				failures = append(failures, syncErr)
			}
		}
		if len(skipped) > 0 {
			if a.json {
				if a.doc == nil {
					a.doc = map[string]any{}
				}
				a.doc["skipped_syncs"] = skipped
			}
			var names []string
			for _, sk := range skipped {
				names = append(names, sk.Sync)
			}
			failures = append(failures, fmt.Errorf("run: syncs not run: %s (see the reasons above)", strings.Join(names, ", ")))
		}
		targetStage(sy, "sync", a.run.syncReports(), skipped, syncErr, len(run), s)
	}
	sy.Seconds = time.Since(t0).Seconds()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if stopped() {
		return errStopped
	}

	// links
	li := s.stage(stageLinks)
	t0 = time.Now()
	var err2 error
	if len(cfg.Links) == 0 {
		li.Status = stageNone
		if badConfig {
			err2 = &exitError{code: 2, err: errors.Join(failures...)}
		} else {
			err2 = joinFailures(failures)
		}
	} else {
		err2 = a.runLinkStage(ctx, cfg, res, failedTables, failures, badConfig)
		ran := len(cfg.Links) - len(a.run.skippedLinks)
		var linkErr error
		if ran > 0 && len(a.run.links) == 0 {
			linkErr = errors.New("the links could not start (see the run's error)")
		}
		targetStage(li, "link", a.run.linkReports(), a.run.skippedLinks, linkErr, ran, s)
	}
	li.Seconds = time.Since(t0).Seconds()
	return err2
}

// syncReports and linkReports turn the stages' reports into targets.
func (st *runState) syncReports() []targetSummary {
	var out []targetSummary
	for _, r := range st.syncs {
		out = append(out, targetSummary{Name: r.Sync, Status: r.Status, Rows: r.Succeeded, FailedRows: r.Failed,
			APICalls: r.APICalls, Seconds: r.Seconds, RunID: r.ID, Error: oneLine(r.Error)})
	}
	return out
}

func (st *runState) linkReports() []targetSummary {
	var out []targetSummary
	for _, r := range st.links {
		out = append(out, targetSummary{Name: r.Link, Status: r.Status, Rows: r.Updated, FailedRows: r.Failed,
			APICalls: r.APICalls, Seconds: r.Seconds, RunID: r.ID, Error: oneLine(r.Error)})
	}
	return out
}

// targetStage fills the sync or links stage from its targets, the ones
// skipped, and the error the stage returned.
func targetStage(st *stageSummary, kind string, targets []targetSummary, skipped []skippedSync, stageErr error, ran int, s *runSummary) {
	st.Counts = map[string]int64{kind + "s": 0, "paused": 0, "skipped": int64(len(skipped))}
	for _, sk := range skipped {
		st.Targets = append(st.Targets, targetSummary{Name: sk.Sync, Status: stageSkipped, Error: oneLine(strings.Join(sk.Reasons, "; "))})
		s.Skipped = append(s.Skipped, skippedSummary{Kind: kind, Name: sk.Sync, Reasons: sk.Reasons})
	}
	failed := false
	for _, t := range targets {
		st.Targets = append(st.Targets, t)
		st.Counts[kind+"s"]++
		switch t.Status {
		case targetPaused:
			st.Counts["paused"]++
			continue
		case load.RunFailed, "partial", stageSkipped:
			failed = true
		}
		st.Rows += t.Rows
		st.FailedRows += t.FailedRows
		st.APICalls += t.APICalls
	}
	st.Targets = sortedTargets(st.Targets)
	switch {
	case ran == 0 && len(skipped) > 0:
		st.Status = stageSkipped
	case failed || st.FailedRows > 0 || len(skipped) > 0 || stageErr != nil:
		st.Status = load.RunFailed
	default:
		st.Status = load.RunSucceeded
	}
	if stageErr != nil {
		st.Error = firstLineOf(stageErr.Error())
	}
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func joinFailures(failures []error) error {
	if len(failures) == 0 {
		return nil
	}
	return &exitError{code: 1, err: errors.Join(failures...)}
}

// extractFailures maps each landed table ("salesforce.lead") whose
// extract failed in this run to its error; a source that could not start
// at all is recorded under "source.*".
func extractFailures(results []extract.Result) map[string]string {
	out := map[string]string{}
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		switch {
		case r.Object == "":
			out[strings.ToLower(r.Source)+".*"] = r.Error
		case r.Table != "":
			out[strings.ToLower(r.Table)] = r.Error
		default:
			out[strings.ToLower(r.Source+"."+r.Object)] = r.Error
		}
	}
	return out
}

// sourceBlockers names the source tables that the relation reads,
// directly or through the models upstream of it, whose extract failed.
func sourceBlockers(p *models.Project, relation string, failed map[string]string) []string {
	if len(failed) == 0 {
		return nil
	}
	var reasons []string
	for _, src := range p.UpstreamSources(relation) {
		schema, _, _ := strings.Cut(src, ".")
		if msg, ok := failed[src]; ok {
			reasons = append(reasons, fmt.Sprintf("%s failed to extract: %s", src, msg))
		} else if msg, ok := failed[schema+".*"]; ok {
			reasons = append(reasons, fmt.Sprintf("%s (source %s) failed to extract: %s", src, schema, msg))
		}
	}
	return reasons
}

// runLine is a scheduled run in one line: its id (its start), the outcome, what it read,
// wrote and failed, and the API calls it spent.
func runLine(s *runSummary) string {
	var read, written, calls int64
	for _, st := range s.Stages {
		switch st.Stage {
		case stageExtract:
			read = st.Rows
		case stageSync, stageLinks:
			written += st.Rows
		}
	}
	for _, c := range s.APICalls {
		calls += c.Calls
	}
	return fmt.Sprintf("run %s %s in %s: read %d, wrote %d, failed %d, %d API calls",
		s.RunID, s.Status, took(s.Seconds), read, written, s.FailedRows, calls)
}
