package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
	revsync "github.com/revops/revops/sync"
)

type syncFlags struct {
	opts    revsync.Options
	dryRun  bool
	noBuild bool
	rows    int
	rowsSet bool // --rows was given: the plan's rows are printed
	limit   int
}

func (a *app) syncCmd() *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync [NAME ...]",
		Short: "Send what changed in the sync models to Salesforce and Zoho CRM (reverse ETL)",
		Long: `sync builds each sync's model, diffs it in the warehouse against what was last
written (_revops.sync_snapshots) and sends only added and changed rows (and,
in mirror mode, removals), batched at each API's maximum. Every row's outcome
is recorded: failures in _revops.sync_failures (retried next run), the run in
_revops.sync_runs. With no NAME every sync of the config runs, in config
order (a sync whose lookups need another's ids comes after it).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.dryRun {
				f.rowsSet = cmd.Flags().Changed("rows")
				return a.runSyncPlan(cmd.Context(), args, f, true)
			}
			return a.runSync(cmd.Context(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.opts.RetryFailed, "retry-failed", false, "send only the rows recorded as failed")
	fl.BoolVar(&f.opts.AllowMassDelete, "allow-mass-delete", false, "let mirror syncs remove more than mirror.max_share of their records")
	fl.BoolVar(&f.opts.ResendUnknown, "resend-unknown", false, "send again creates whose outcome is unknown after a crash (syncs matched by record id without match.create_key); check the destination first: this may create duplicates")
	fl.BoolVar(&f.opts.FullResync, "full-resync", false, "compare every row with the destination's current values (read through its API) instead of trusting what revops last wrote: send the rows that differ, record the others, apply on_deleted to records found deleted")
	fl.BoolVar(&f.dryRun, "dry-run", false, "show the plan without storing or sending it")
	fl.BoolVar(&f.noBuild, "no-build", false, "read the sync models as they are in the warehouse, without building them")
	fl.IntVar(&f.rows, "rows", 10, "rows of each plan to print (--dry-run; with -v, or when given)")

	plan := &cobra.Command{
		Use:   "plan [NAME ...]",
		Short: "Store what a sync would send (per row the operation, per field before and after) and print a summary",
		RunE: func(cmd *cobra.Command, args []string) error {
			f.rowsSet = cmd.Flags().Changed("rows")
			return a.runSyncPlan(cmd.Context(), args, f, f.dryRun)
		},
	}
	plan.Flags().BoolVar(&f.dryRun, "dry-run", false, "do not store the plan")
	plan.Flags().BoolVar(&f.opts.FullResync, "full-resync", false, "compare every row with the destination's current values instead of trusting the snapshot")
	plan.Flags().BoolVar(&f.noBuild, "no-build", false, "do not build the sync models first")
	plan.Flags().IntVar(&f.rows, "rows", 10, "rows of each plan to print (with -v, or when given)")
	apply := &cobra.Command{
		Use:   "apply PLAN_ID",
		Short: "Send exactly a stored plan, refusing rows whose destination changed since",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSyncApply(cmd.Context(), args[0], f)
		},
	}
	apply.Flags().BoolVar(&f.opts.ResendUnknown, "resend-unknown", false, "send again creates whose outcome is unknown after a crash; this may create duplicates (see match.create_key)")
	history := &cobra.Command{
		Use:   "history [NAME ...]",
		Short: "List sync runs: rows written and failed, API calls, time (-v: rows planned; --json: every count)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSyncHistory(cmd.Context(), args, f.limit)
		},
	}
	history.Flags().IntVar(&f.limit, "limit", 20, "newest runs to list (0 = all)")
	failures := &cobra.Command{
		Use:   "failures [NAME ...]",
		Short: "List rows that were not written, with the destination's reason",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSyncFailures(cmd.Context(), args, f.limit)
		},
	}
	failures.Flags().IntVar(&f.limit, "limit", 50, "newest failures to list (0 = all)")
	review := &cobra.Command{
		Use:   "review [NAME ...]",
		Short: "List rows not written because their values match several destination records, with the candidates",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSyncReview(cmd.Context(), args, f.limit)
		},
	}
	review.Flags().IntVar(&f.limit, "limit", 50, "newest rows to list (0 = all)")
	var keys []string
	var force bool
	reset := &cobra.Command{
		Use:   "reset NAME",
		Short: "Forget what revops knows of a sync (or of some rows, --key): its next run compares those rows again as new",
		Long: `reset forgets what revops knows of a sync, or of the rows named with --key:
what it last wrote (the snapshots), the rows it unlinked from records deleted in
the destination, recorded failures and rows under review. The next run treats
those rows as new: a sync matched by external id or duplicate-check values finds
its records again and updates them; an unlinked row is written again (created,
when its record is gone). Writes still in flight (a run stopped before recording
their answer) are resolved by the sync's next run; reset refuses to forget them
unless --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSyncReset(cmd.Context(), args[0], keys, force)
		},
	}
	reset.Flags().StringSliceVar(&keys, "key", nil, "forget only these keys of the model (repeat, or separate with commas)")
	reset.Flags().BoolVar(&force, "force", false, "also forget writes whose outcome is unknown (creates among them may then be sent again)")
	cmd.AddCommand(plan, apply, history, failures, review, reset)
	return cmd
}

// syncEnv is what a sync command works with.
type syncEnv struct {
	cfg   *configs.Config
	specs []*revsync.Spec
	// bad holds the selected syncs whose entries are wrong: they are
	// reported and not run, and the others still run.
	bad   []revsync.Parsed
	w     revsync.Warehouse
	close func()
}

// openSync loads the config and the selected specs and opens the
// warehouse. A sync whose entry is wrong does not stop the others: it is
// kept in env.bad; only when none of the selected syncs can run is that
// an error (exit 2).
func (a *app) openSync(ctx context.Context, names []string) (*syncEnv, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if err := checkConfig(cfg); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	parsed := parseSyncs(cfg)
	parsed, err = selectParsed(parsed, names)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("%w (in %s)", err, cfg.Path)}
	}
	env := &syncEnv{cfg: cfg}
	var errs []error
	for _, p := range parsed {
		if p.Err != nil {
			env.bad = append(env.bad, p)
			errs = append(errs, p.Err)
			continue
		}
		env.specs = append(env.specs, p.Spec)
	}
	if len(env.specs) == 0 {
		return nil, &exitError{code: 2, err: errors.Join(errs...)}
	}
	w, err := openWarehouse(ctx, cfg, a.log)
	if err != nil {
		return nil, err
	}
	env.w, env.close = w, func() { _ = w.Close() }
	return env, nil
}

// badSyncs turns the syncs whose entries are wrong into an error that
// exits 2 (after the others ran), or nil.
func (env *syncEnv) badSyncs() error {
	if len(env.bad) == 0 {
		return nil
	}
	var errs []error
	for _, p := range env.bad {
		errs = append(errs, fmt.Errorf("sync %s not run: %w", p.Name, p.Err))
	}
	return &exitError{code: 2, err: errors.Join(errs...)}
}

// selectParsed keeps the syncs named (all when names is empty).
func selectParsed(all []revsync.Parsed, names []string) ([]revsync.Parsed, error) {
	if len(all) == 0 {
		return nil, errors.New("no syncs are configured")
	}
	if len(names) == 0 {
		return all, nil
	}
	var out []revsync.Parsed
	for _, n := range names {
		found := false
		for _, p := range all {
			if p.Name == n {
				out = append(out, p)
				found = true
			}
		}
		if !found {
			var have []string
			for _, p := range all {
				have = append(have, p.Name)
			}
			return nil, fmt.Errorf("no sync named %q (syncs: %s)", n, strings.Join(have, ", "))
		}
	}
	return out, nil
}

// buildModels builds the sync models (and what they read) with the
// models engine, and returns, per sync, why it must not run: a model it
// reads failed (see models.Result.Blocked). Specs with inline SQL or a
// relation the project does not define are read as they are.
func (a *app) buildModels(ctx context.Context, env *syncEnv) (map[string][]string, error) {
	paths := make([]string, len(env.cfg.Models.Paths))
	for i, p := range env.cfg.Models.Paths {
		paths[i] = env.cfg.Resolve(p)
	}
	seeds, err := identitySeeds(env.cfg)
	if err != nil {
		return nil, err
	}
	idOpts, vars, err := identitySetup(env.cfg)
	if err != nil {
		return nil, err
	}
	p, err := models.Load(sqlfiles.FS, seeds, paths, vars)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("models: %w", err)}
	}
	idOpts.Register(p)
	var sel []string
	for _, s := range env.specs {
		if s.Model != "" {
			if _, err := p.Model(s.Model); err == nil {
				sel = append(sel, "+"+s.Model)
			}
		}
		// A picklist table (a seed, say) shapes what the sync sends: it
		// is built too, so that an edit of it reaches the diff.
		for _, f := range s.Fields() {
			if t, ok := s.Mapping[f].Picklist.(string); ok {
				if _, err := p.Model(t); err == nil {
					sel = append(sel, "+"+t)
				}
			}
		}
	}
	if len(sel) == 0 {
		return nil, nil
	}
	mw, ok := env.w.(models.Warehouse)
	if !ok {
		return nil, nil
	}
	res, err := p.Build(ctx, mw, models.Options{Select: sel, SkipTests: true})
	if err != nil {
		return nil, fmt.Errorf("sync: build models: %w", err)
	}
	blocked := map[string][]string{}
	for _, s := range env.specs {
		if s.Model == "" {
			continue
		}
		if reasons := res.Blocked(s.Model); len(reasons) > 0 {
			blocked[s.Name] = reasons
		}
	}
	return blocked, nil
}

// destinationFor builds the destination of a spec from its source.
func (a *app) destinationFor(ctx context.Context, env *syncEnv, s *revsync.Spec, cache map[string]revsync.Destination) (revsync.Destination, error) {
	if d, ok := cache[s.Destination.Source]; ok {
		return d, nil
	}
	src, _ := env.cfg.Source(s.Destination.Source)
	d, err := destinations[src.Type](ctx, src, a.wiring())
	if err != nil {
		return nil, fmt.Errorf("sync %s: destination %s: %w", s.Name, src.Name, err)
	}
	a.budgetDestination(ctx, env.cfg, env.w, s.Destination.Source, d)
	cache[s.Destination.Source] = d
	return d, nil
}

func (a *app) runner(w revsync.Warehouse) (*revsync.Runner, *syncBars) {
	r := &revsync.Runner{Warehouse: w, Log: a.log}
	if a.showProgress() {
		bars := newSyncBars(a.stderr)
		bars.restoreLog = a.logOut.above(bars.p)
		r.Progress = bars
		r.Log = slog.New(slog.DiscardHandler)
		return r, bars
	}
	return r, nil
}

func (a *app) runSync(ctx context.Context, names []string, f syncFlags) error {
	env, err := a.openSync(ctx, names)
	if err != nil {
		return err
	}
	defer env.close()
	specs, paused, err := dropPaused(ctx, a, env.w, "sync", env.specs, func(s *revsync.Spec) string { return s.Name })
	if err != nil {
		return err
	}
	env.specs = specs
	var blocked map[string][]string
	if !f.noBuild {
		if blocked, err = a.buildModels(ctx, env); err != nil {
			return err
		}
	}
	r, bars := a.runner(env.w)
	cache := map[string]revsync.Destination{}
	var reports []*revsync.Report
	var failed []string
	for _, p := range env.bad {
		reports = append(reports, &revsync.Report{RunRecord: revsync.RunRecord{Sync: p.Name, Status: "failed", Error: p.Err.Error()}})
	}
	for _, p := range paused {
		reports = append(reports, &revsync.Report{RunRecord: revsync.RunRecord{Sync: p.Name, Status: targetPaused}})
	}
	for _, s := range env.specs {
		if reasons := blocked[s.Name]; len(reasons) > 0 {
			err := fmt.Errorf("not run: its model cannot be read: %s", strings.Join(reasons, "; "))
			reports = append(reports, &revsync.Report{RunRecord: revsync.RunRecord{Sync: s.Name, Status: "skipped", Error: err.Error()}})
			failed = append(failed, s.Name)
			a.log.Error("sync skipped", "sync", s.Name, "error", err)
			continue
		}
		dest, err := a.destinationFor(ctx, env, s, cache)
		var rep *revsync.Report
		if err == nil {
			rep, err = r.Run(ctx, s, dest, f.opts)
		}
		if rep == nil {
			rep = &revsync.Report{RunRecord: revsync.RunRecord{Sync: s.Name, Status: "failed"}}
		}
		if err != nil {
			rep.Status, rep.Error = "failed", err.Error()
			failed = append(failed, s.Name)
			a.log.Error("sync failed", "sync", s.Name, "error", err)
		}
		reports = append(reports, rep)
		if ctx.Err() != nil {
			break
		}
	}
	if bars != nil {
		bars.Wait()
	}
	if a.run != nil {
		a.run.syncs = append(a.run.syncs, reports...)
	}
	if a.json {
		a.printJSON(map[string]any{"ok": len(failed) == 0, "syncs": reports})
	} else if !a.quiet {
		a.printSyncReports(reports)
		for _, r := range reports {
			if len(r.Duplicates) > 0 {
				wrapf(a.stdout, "%s: %d duplicate keys not synced, e.g. %q", r.Sync, len(r.Duplicates), r.Duplicates[0])
			}
			if r.FailuresCleared > 0 {
				wrapf(a.stdout, "%s: %d recorded failures no longer apply (their keys left the model or are back to what was written) and were cleared", r.Sync, r.FailuresCleared)
			}
			if r.NullKeys > 0 {
				wrapf(a.stdout, "%s: %d rows with a NULL key not synced", r.Sync, r.NullKeys)
			}
			if r.Unlinked > 0 {
				fmt.Fprintf(a.stdout, "%s: %d rows unlinked: their records were deleted in the destination (on_deleted: %s); "+
					"they are no longer written; revops sync reset %s --key KEY writes one again\n", r.Sync, r.Unlinked, policyOf(env, r.Sync), r.Sync)
			}
			if r.Recreated > 0 {
				wrapf(a.stdout, "%s: %d records deleted in the destination were created again (on_deleted: recreate)", r.Sync, r.Recreated)
			}
			if r.Review > 0 {
				wrapf(a.stdout, "%s: %d rows match several records and were not written: revops sync review %s", r.Sync, r.Review, r.Sync)
			}
			for _, e := range r.Errors[:min(5, len(r.Errors))] {
				wrapf(a.stdout, "%s: row %s: %s: %s", r.Sync, e.Key, e.Code, e.Message)
			}
		}
		fmt.Fprintln(a.stdout, syncTotals(reports))
	}
	if err := env.badSyncs(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("sync: %s failed", strings.Join(failed, ", "))}
	}
	for _, r := range reports {
		if r.Failed > 0 {
			return &exitError{code: 1, err: fmt.Errorf("sync: some rows failed (see revops sync failures); they are retried next run")}
		}
	}
	return nil
}

// policyOf says a sync's on_deleted policy, and when it is the default.
func policyOf(env *syncEnv, name string) string {
	for _, s := range env.specs {
		if s.Name == name {
			if s.OnDeleted == "" {
				return string(s.DeletedPolicy()) + ", the default"
			}
			return string(s.OnDeleted)
		}
	}
	return string(revsync.DeletedUnlink)
}

func (a *app) runSyncPlan(ctx context.Context, names []string, f syncFlags, dryRun bool) error {
	env, err := a.openSync(ctx, names)
	if err != nil {
		return err
	}
	defer env.close()
	var blocked map[string][]string
	if !f.noBuild {
		if blocked, err = a.buildModels(ctx, env); err != nil {
			return err
		}
	}
	r := &revsync.Runner{Warehouse: env.w, Log: a.log}
	cache := map[string]revsync.Destination{}
	var plans []*revsync.Plan
	for _, s := range env.specs {
		if reasons := blocked[s.Name]; len(reasons) > 0 {
			return &exitError{code: 1, err: fmt.Errorf("sync %s: cannot plan: its model cannot be read: %s", s.Name, strings.Join(reasons, "; "))}
		}
		dest, err := a.destinationFor(ctx, env, s, cache)
		if err != nil {
			return err
		}
		p, err := r.Plan(ctx, s, dest, revsync.PlanOptions{Options: f.opts, DryRun: dryRun})
		if err != nil {
			return err
		}
		plans = append(plans, p)
	}
	if a.json {
		cost := planCosts(env.cfg, env.specs, plans) // before the rows are cut
		for _, p := range plans {
			p.Rows = p.Rows[:min(len(p.Rows), max(f.rows, 0))]
		}
		a.printJSON(map[string]any{"ok": len(env.bad) == 0, "plans": plans, "api_cost": cost})
		return env.badSyncs()
	}
	if a.quiet {
		return env.badSyncs()
	}
	a.printPlans(plans, f.rows, f.rowsSet)
	if line := planCost(env.cfg, env.specs, plans); line != "" {
		wrap(a.stdout, line, "  ")
	}
	return env.badSyncs()
}

func sortedFields(m map[string]revsync.FieldChange) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (a *app) runSyncApply(ctx context.Context, planID string, f syncFlags) error {
	_, w, err := a.openConfigured(ctx)
	if err != nil {
		return err
	}
	name, err := revsync.PlanSync(ctx, w, planID)
	w.Close()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	env, err := a.openSync(ctx, []string{name})
	if err != nil {
		return err
	}
	defer env.close()
	s := env.specs[0]
	dest, err := a.destinationFor(ctx, env, s, map[string]revsync.Destination{})
	if err != nil {
		return err
	}
	r, bars := a.runner(env.w)
	rep, err := r.Apply(ctx, s, dest, planID, f.opts)
	if bars != nil {
		bars.Wait()
	}
	if a.json {
		a.printJSON(map[string]any{"ok": err == nil, "run": rep})
	} else if rep != nil {
		a.say("sync %s: applied plan %s: %d created, %d updated, %d deleted, %d failed (%d of them refused because the destination changed since the plan), %d already written as planned; %d API calls",
			rep.Sync, planID, rep.Created, rep.Updated, rep.Deleted, rep.Failed, rep.Refused, rep.Skipped, rep.APICalls)
		if !a.quiet {
			for _, e := range rep.Errors[:min(5, len(rep.Errors))] {
				fmt.Fprintf(a.stdout, "  %s: %s: %s\n", e.Key, e.Code, e.Message)
			}
		}
	}
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if rep.Failed > 0 {
		return &exitError{code: 1, err: errors.New("sync apply: some rows were not written (see revops sync failures)")}
	}
	return nil
}

func (a *app) openStateOnly(ctx context.Context) (revsync.Warehouse, func(), error) {
	_, w, err := a.openConfigured(ctx)
	if err != nil {
		return nil, nil, err
	}
	return w, func() { _ = w.Close() }, nil
}

func (a *app) runSyncHistory(ctx context.Context, names []string, limit int) error {
	w, done, err := a.openStateOnly(ctx)
	if err != nil {
		return err
	}
	defer done()
	runs, err := revsync.History(ctx, w, names, limit)
	if err != nil {
		return err
	}
	if a.json {
		a.printJSON(map[string]any{"ok": true, "runs": runs})
		return nil
	}
	if a.quiet {
		return nil
	}
	var rows [][]string
	for _, r := range runs {
		row := []string{r.ID, r.Sync, r.Kind, r.Status, fmt.Sprint(r.Succeeded), fmt.Sprint(r.Failed), fmt.Sprint(r.APICalls),
			took(r.Seconds)}
		if a.verbose {
			row = append(row, fmt.Sprint(r.Planned))
		}
		rows = append(rows, append(row, oneLine(r.Error)))
	}
	header := []string{"RUN", "SYNC", "KIND", "STATUS", "WRITTEN", "FAILED", "CALLS", "TOOK"}
	if a.verbose {
		header = append(header, "PLANNED")
	}
	table(a.stdout, append(header, "ERROR"), rows)
	return nil
}

func (a *app) runSyncFailures(ctx context.Context, names []string, limit int) error {
	w, done, err := a.openStateOnly(ctx)
	if err != nil {
		return err
	}
	defer done()
	fs, err := revsync.Failures(ctx, w, names, limit)
	if err != nil {
		return err
	}
	if a.json {
		a.printJSON(map[string]any{"ok": true, "failures": fs})
		return nil
	}
	if a.quiet {
		return nil
	}
	var rows [][]string
	for _, f := range fs {
		rows = append(rows, []string{f.Sync, f.Key, f.Code, fmt.Sprint(f.Attempts), f.FirstSeen.Format(time.RFC3339), f.LastSeen.Format(time.RFC3339), f.Message})
	}
	table(a.stdout, []string{"SYNC", "KEY", "CODE", "ATTEMPTS", "FIRST_SEEN", "LAST_SEEN", "MESSAGE"}, rows)
	return nil
}

func (a *app) runSyncReview(ctx context.Context, names []string, limit int) error {
	w, done, err := a.openStateOnly(ctx)
	if err != nil {
		return err
	}
	defer done()
	rs, err := revsync.Reviews(ctx, w, names, limit)
	if err != nil {
		return err
	}
	if a.json {
		a.printJSON(map[string]any{"ok": true, "review": rs})
		return nil
	}
	if a.quiet {
		return nil
	}
	var rows [][]string
	for _, r := range rs {
		var cands []string
		for _, c := range r.Candidates {
			cands = append(cands, c.Object+" "+c.ID+" ("+c.Via+")")
		}
		rows = append(rows, []string{r.Sync, r.Key, fmt.Sprint(r.Attempts), r.LastSeen.Format(time.RFC3339), strings.Join(cands, ", ")})
	}
	table(a.stdout, []string{"SYNC", "KEY", "ATTEMPTS", "LAST_SEEN", "CANDIDATES"}, rows)
	return nil
}

func (a *app) runSyncReset(ctx context.Context, name string, keys []string, force bool) error {
	cfg, w, err := a.openConfigured(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	var spec *revsync.Spec
	for _, p := range revsync.ParseEach(cfg, nil) {
		if p.Name == name {
			spec = p.Spec
		}
	}
	res, err := revsync.Reset(ctx, w, name, keys, force)
	if err != nil {
		if errors.Is(err, revsync.ErrInflight) {
			return &exitError{code: 1, err: err}
		}
		return err
	}
	if a.json {
		a.printJSON(map[string]any{"ok": true, "reset": res})
		return nil
	}
	what := "sync " + name
	if len(keys) > 0 {
		what += fmt.Sprintf(" (%d keys)", len(keys))
	}
	a.say("%s: forgot %d snapshots, %d failures, %d rows under review and %d writes in flight; its next run compares those rows as new",
		what, res.Snapshots, res.Failures, res.Reviews, res.Inflight)
	if spec == nil {
		a.say("(%s is not a sync of %s)", name, cfg.Path)
	} else if spec.Match.By == revsync.MatchID && spec.Mode != revsync.ModeUpdate {
		a.say("note: %s matches by record id: its next run creates those rows again (match.create_key %s: the destination refuses keys it already holds)",
			name, spec.Match.CreateKey)
	}
	return nil
}

// syncBars draws one bar per sync on a terminal.
type syncBars struct {
	// restoreLog sends log lines to stderr again once the bars are done.
	restoreLog func()
	p          *mpb.Progress
	mu         sync.Mutex
	bars       map[string]*mpb.Bar
}

func newSyncBars(w io.Writer) *syncBars {
	return &syncBars{p: mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(150*time.Millisecond)), bars: map[string]*mpb.Bar{}}
}

func (b *syncBars) Start(name string, total int64) {
	bar := b.p.New(total, mpb.BarStyle(), mpb.BarRemoveOnComplete(), mpb.PrependDecorators(decor.Name(fmt.Sprintf("sync %-28s", name))),
		mpb.AppendDecorators(decor.CountersNoUnit("%d/%d records"), decor.Name("  "),
			decor.AverageSpeed(0, "%.0f/s", decor.WCSyncSpace), decor.Name("  ETA "), decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace)))
	b.mu.Lock()
	b.bars[name] = bar
	b.mu.Unlock()
}

func (b *syncBars) bar(name string) *mpb.Bar {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bars[name]
}

func (b *syncBars) Add(name string, n int64) {
	if bar := b.bar(name); bar != nil {
		bar.IncrInt64(n)
	}
}

func (b *syncBars) Done(name string, err error) {
	if bar := b.bar(name); bar != nil {
		if err != nil {
			bar.Abort(true)
			return
		}
		bar.SetTotal(-1, true)
	}
}

func (b *syncBars) Wait() {
	b.p.Wait()
	if b.restoreLog != nil {
		b.restoreLog()
	}
}

// printSyncReports prints a row per sync: what the destination did with
// the rows sent (created, updated, deleted), the rows already current
// (unchanged), the rows that failed; -v adds the rest.
func (a *app) printSyncReports(reports []*revsync.Report) {
	var rows [][]string
	for _, r := range reports {
		status := r.Status
		if r.Error != "" {
			status = "FAILED: " + oneLine(r.Error)
		}
		row := []string{r.Sync, fmt.Sprint(r.Created), fmt.Sprint(r.Updated), fmt.Sprint(r.Deleted), fmt.Sprint(r.Unchanged),
			fmt.Sprint(r.Failed), fmt.Sprint(r.APICalls), took(r.Seconds)}
		if a.verbose {
			row = append(row, fmt.Sprint(r.Skipped), fmt.Sprint(r.Recovered), fmt.Sprintf("%.2f", r.DiffSeconds))
		}
		rows = append(rows, append(row, status))
	}
	header := []string{"SYNC", "CREATED", "UPDATED", "DELETED", "UNCHANGED", "FAILED", "CALLS", "TOOK"}
	if a.verbose {
		header = append(header, "SKIPPED", "RECOVERED", "DIFF_S")
	}
	table(a.stdout, append(header, "STATUS"), rows)
	// A failure's whole message, which the table shortens.
	for _, r := range reports {
		if r.Error != "" {
			fmt.Fprintf(a.stdout, "%s %s: %s\n", r.Sync, r.Status, oneLine(r.Error))
		}
	}
}

// syncTotals is the closing line of a sync run: every sync's rows added up.
func syncTotals(reports []*revsync.Report) string {
	var c revsync.Report
	n := 0
	for _, r := range reports {
		if r.Status == targetPaused {
			continue
		}
		n++
		c.Created += r.Created
		c.Updated += r.Updated
		c.Deleted += r.Deleted
		c.Unchanged += r.Unchanged
		c.Failed += r.Failed
		c.APICalls += r.APICalls
	}
	return fmt.Sprintf("%d syncs: %d created, %d updated, %d deleted, %d unchanged, %d failed · %d API calls",
		n, c.Created, c.Updated, c.Deleted, c.Unchanged, c.Failed, c.APICalls)
}

// planOps counts a plan's rows by what they will do at the destination:
// an upsert of a record already known is an update; one without is a
// create or an update, as the destination decides.
type planOps struct{ create, update, upsert, delete int }

func countPlanOps(rows []revsync.PlanRow) planOps {
	var o planOps
	for _, r := range rows {
		switch r.Op {
		case revsync.OpInsert:
			o.create++
		case revsync.OpUpdate:
			o.update++
		case revsync.OpDelete:
			o.delete++
		default:
			if r.DestID != "" {
				o.update++
			} else {
				o.upsert++
			}
		}
	}
	return o
}

func (o planOps) String() string {
	s := fmt.Sprintf("%d to create, %d to update, %d to delete", o.create, o.update, o.delete)
	if o.upsert > 0 {
		s += fmt.Sprintf(", %d to upsert (create or update)", o.upsert)
	}
	return s
}

// printPlans prints a row per plan (its id, what it will do) and a
// closing total; the planned rows (field before → after) with -v or --rows.
func (a *app) printPlans(plans []*revsync.Plan, nrows int, rowsSet bool) {
	var all planOps
	var unchanged, refused int64
	var rows [][]string
	for _, p := range plans {
		s := p.Report
		id := p.ID
		if !p.Stored {
			id = "(dry run)"
		}
		ops := countPlanOps(p.Rows)
		all.create, all.update, all.delete, all.upsert = all.create+ops.create, all.update+ops.update, all.delete+ops.delete, all.upsert+ops.upsert
		unchanged += s.Unchanged
		refused += s.Failed
		rows = append(rows, []string{p.Sync, fmt.Sprint(ops.create), fmt.Sprint(ops.update), fmt.Sprint(ops.delete), fmt.Sprint(ops.upsert),
			fmt.Sprint(s.Unchanged), fmt.Sprint(s.Failed), id})
	}
	table(a.stdout, []string{"SYNC", "CREATE", "UPDATE", "DELETE", "UPSERT", "UNCHANGED", "REFUSED", "PLAN"}, rows)
	for _, p := range plans {
		s := p.Report
		for _, e := range s.Errors[:min(5, len(s.Errors))] {
			fmt.Fprintln(a.stdout, clip(fmt.Sprintf("%s: refused %s: %s: %s", p.Sync, e.Key, e.Code, e.Message), maxWidth))
		}
		if !a.verbose && !rowsSet {
			continue
		}
		var rows [][]string
		for _, row := range p.Rows[:min(len(p.Rows), max(nrows, 0))] {
			var parts []string
			for _, fld := range sortedFields(row.Fields) {
				c := row.Fields[fld]
				parts = append(parts, fmt.Sprintf("%s: %v → %v", fld, c.Before, c.After))
			}
			rows = append(rows, []string{"  " + row.Key, string(row.Op), row.DestID, strings.Join(parts, "; ")})
		}
		if len(rows) > 0 {
			fmt.Fprintf(a.stdout, "sync %s, plan %s:\n", p.Sync, p.ID)
			table(a.stdout, []string{"  KEY", "OP", "DESTINATION_ID", "FIELDS (before → after)"}, rows)
		}
	}
	line := fmt.Sprintf("Plan: %s; %d unchanged", all, unchanged)
	if refused > 0 {
		line += fmt.Sprintf("; %d refused", refused)
	}
	fmt.Fprintln(a.stdout, line)
	if len(plans) > 0 && plans[0].Stored {
		fmt.Fprintln(a.stdout, "send one as planned: revops sync apply PLAN")
	}
}

// wrapf prints a formatted line for people, wrapped within maxWidth.
func wrapf(w io.Writer, format string, args ...any) {
	wrap(w, fmt.Sprintf(format, args...), "  ")
}
