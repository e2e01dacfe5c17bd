package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
)

func (a *app) extractCmd() *cobra.Command {
	var opts extract.Options
	var concurrency int
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Land every configured object of every enabled source in the warehouse, incrementally",
		Long: `extract reads each enabled source's objects from their APIs and lands them in
the warehouse: schema = the source's name, table = the object's API name in
lower case, one row per record (merged on its id), deletions marked in
_deleted_at, every version of history objects in <table>__history. Cursors
advance only with the rows they cover; a failed object keeps its cursor and
the others still land.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runExtract(cmd.Context(), opts, concurrency)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Sources, "source", nil, "extract only these sources (repeatable)")
	f.StringSliceVar(&opts.Objects, "object", nil, "extract only these objects: Lead or salesforce.Lead (repeatable)")
	f.BoolVar(&opts.FullRefresh, "full-refresh", false, "ignore saved cursors and read everything again")
	f.IntVar(&concurrency, "concurrency", 4, "objects extracted at once")
	return cmd
}

func (a *app) runExtract(ctx context.Context, opts extract.Options, concurrency int) error {
	_, err := a.extractAll(ctx, opts, concurrency)
	return err
}

// extractAll runs an extract and returns every object's result (a source
// that could not even start, e.g. refused credentials, is one result
// with no object). Each source fails alone: the others still extract.
func (a *app) extractAll(ctx context.Context, opts extract.Options, concurrency int) ([]extract.Result, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if err := checkConfig(cfg); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	for _, name := range opts.Sources {
		if s, ok := cfg.Source(name); !ok {
			return nil, &exitError{code: 2, err: fmt.Errorf("--source %s: no such source in %s (sources: %s)", name, cfg.Path, sourceNames(cfg))}
		} else if !s.Enabled {
			return nil, &exitError{code: 2, err: fmt.Errorf("--source %s: the source is disabled in %s", name, cfg.Path)}
		}
	}
	w, err := openWarehouse(ctx, cfg, a.log)
	if err != nil {
		return nil, err
	}
	defer w.Close()

	start := time.Now()
	sources, failed := a.buildSources(ctx, cfg, opts.Sources)
	if len(sources) == 0 && len(failed) == 0 {
		return nil, &exitError{code: 2, err: fmt.Errorf("extract: no enabled source in %s", cfg.Path)}
	}
	// A source that cannot start is recorded like a failed object, so
	// that status shows it.
	for i := range failed {
		recordFailedSource(ctx, w, &failed[i])
		a.log.Error("extract failed", "source", failed[i].Source, "error", failed[i].Err)
	}
	runner := &extract.Runner{Warehouse: w, Log: a.log, Concurrency: concurrency}
	runner.Budgets = a.extractBudgets(ctx, cfg, w, sources)
	var bars *barProgress
	if a.showProgress() {
		bars = newBarProgress(a.stderr)
		defer a.logOut.above(bars.p)()
		runner.Progress = bars
		// Bars replace the per-object log lines on a terminal.
		runner.Log = slog.New(slog.DiscardHandler)
	}
	var results []extract.Result
	var runErr error
	if len(sources) > 0 {
		results, runErr = runner.Run(ctx, sources, opts)
	}
	if bars != nil {
		bars.Wait()
	}
	if a.run != nil {
		a.run.usage = readSourceUsage(ctx, sources, a.log)
	}
	var nomatch *extract.NoMatchError
	if errors.As(runErr, &nomatch) && len(failed) == 0 {
		return nil, &exitError{code: 2, err: runErr}
	}
	results = append(failed, results...)
	sort.SliceStable(results, func(i, j int) bool {
		if results[i].Source != results[j].Source {
			return results[i].Source < results[j].Source
		}
		return results[i].Object < results[j].Object
	})
	var bad []string
	for _, r := range results {
		if r.Err != nil {
			bad = append(bad, r.Error)
		}
	}
	if a.json {
		a.printJSON(map[string]any{"ok": len(bad) == 0, "objects": results, "seconds": time.Since(start).Seconds()})
	} else if !a.quiet {
		a.printExtract(results, time.Since(start))
	}
	if len(bad) == 0 && runErr != nil {
		bad = append(bad, runErr.Error())
	}
	if len(bad) > 0 {
		return results, &exitError{code: 1, err: fmt.Errorf("extract: %d failed (their cursors did not move):\n  %s",
			len(bad), strings.Join(bad, "\n  "))}
	}
	return results, nil
}

// recordFailedSource writes a source that could not start into
// _revops.runs as a failed extract of the whole source.
func recordFailedSource(ctx context.Context, w load.StateStore, r *extract.Result) {
	run, err := load.StartRun(ctx, w, "extract", r.Source)
	if err == nil {
		err = run.Finish(context.WithoutCancel(ctx), w, 0, 0, r.Err)
	}
	if err != nil {
		r.Err = errors.Join(r.Err, fmt.Errorf("record the failure in _revops.runs: %w", err))
		r.Error = r.Err.Error()
	}
}

// destinationOnly reports whether sources of type t are only written to
// (a sync destination with no extractor), as zoho_books and zoho_projects.
func destinationOnly(t string) bool {
	_, extractable := extractors[t]
	_, writable := destinations[t]
	return writable && !extractable
}

// buildSources constructs the extractor of every enabled (and selected)
// source. A source that cannot be built (refused credentials, an
// unreachable host) is returned as a failed result; the others are built.
func (a *app) buildSources(ctx context.Context, cfg *configs.Config, only []string) ([]extract.Source, []extract.Result) {
	var out []extract.Source
	var failed []extract.Result
	for _, s := range cfg.Sources {
		if !s.Enabled || (len(only) > 0 && !contains(only, s.Name)) {
			continue
		}
		start := time.Now()
		fail := func(err error) {
			r := extract.Result{Source: s.Name, Err: err, Error: err.Error(), Seconds: time.Since(start).Seconds()}
			failed = append(failed, r)
		}
		build, ok := extractors[s.Type]
		if !ok && destinationOnly(s.Type) && len(only) == 0 {
			continue // Books, Projects: written to by syncs, nothing to read
		}
		if !ok {
			fail(s.Options.Errorf("", "source %s: type %q cannot be extracted by this revops", s.Name, s.Type))
			continue
		}
		ex, err := build(ctx, s, a.wiring())
		if err != nil {
			fail(fmt.Errorf("extract %s: %w", s.Name, err))
			continue
		}
		out = append(out, extract.Source{Name: s.Name, Extractor: ex})
	}
	return out, failed
}

func sourceNames(cfg *configs.Config) string {
	var names []string
	for _, s := range cfg.Sources {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// printExtract prints what an extract did: with -v a row per object; by
// default a line per source (rows read, new, changed, API calls) and the
// objects that failed.
func (a *app) printExtract(results []extract.Result, took time.Duration) {
	var rows [][]string
	type tally struct {
		objects, failed                      int
		rows, inserted, updated, calls, retr int64
	}
	var order []string
	per := map[string]*tally{}
	for _, r := range results {
		status := "ok"
		if r.Err != nil {
			status = "FAILED"
		}
		obj := r.Object
		if obj == "" {
			obj = "(all)"
		}
		if a.verbose || r.Err != nil {
			row := []string{r.Source, obj, fmt.Sprint(r.Rows), fmt.Sprint(r.Inserted), fmt.Sprint(r.Updated),
				fmt.Sprint(r.APICalls), fmt.Sprint(r.Retries), fmt.Sprintf("%.1f", r.Seconds), status}
			if r.Err != nil {
				row = append(row, oneLine(r.Error))
			} else {
				row = append(row, "")
			}
			rows = append(rows, row)
		}
		t := per[r.Source]
		if t == nil {
			t = &tally{}
			per[r.Source] = t
			order = append(order, r.Source)
		}
		t.objects++
		if r.Err != nil {
			t.failed++
		}
		t.rows += r.Rows
		t.inserted += r.Inserted
		t.updated += r.Updated
		t.calls += r.APICalls
		t.retr += r.Retries
	}
	if len(rows) > 0 {
		table(a.stdout, []string{"SOURCE", "OBJECT", "ROWS", "NEW", "CHANGED", "CALLS", "RETRIES", "SECONDS", "STATUS", "ERROR"}, rows)
	}
	var all tally
	width := 11
	for _, src := range order {
		width = max(width, runeLen(src))
	}
	for _, src := range order {
		t := per[src]
		line := fmt.Sprintf("  %-*s %7d rows read (%d new, %d changed) from %d objects, %d API calls",
			width, src, t.rows, t.inserted, t.updated, t.objects, t.calls)
		if t.retr > 0 {
			line += fmt.Sprintf(", %d retries", t.retr)
		}
		if t.failed > 0 {
			line += fmt.Sprintf(", %d FAILED", t.failed)
		}
		fmt.Fprintln(a.stdout, line)
		all.rows += t.rows
		all.objects += t.objects
		all.failed += t.failed
		all.calls += t.calls
	}
	status := "extracted"
	if all.failed > 0 {
		status = fmt.Sprintf("extracted with %d objects FAILED (their cursors did not move):", all.failed)
	}
	fmt.Fprintf(a.stdout, "%s %d rows from %d objects of %d sources in %.1fs, %d API calls\n",
		status, all.rows, all.objects, len(order), took.Seconds(), all.calls)
}
