package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/extract"
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
	cfg, err := a.loadConfig()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := checkConfig(cfg); err != nil {
		return &exitError{code: 2, err: err}
	}
	for _, name := range opts.Sources {
		if s, ok := cfg.Source(name); !ok {
			return &exitError{code: 2, err: fmt.Errorf("--source %s: no such source in %s", name, cfg.Path)}
		} else if !s.Enabled {
			return &exitError{code: 2, err: fmt.Errorf("--source %s: the source is disabled in %s", name, cfg.Path)}
		}
	}
	w, err := openWarehouse(ctx, cfg)
	if err != nil {
		return err
	}
	defer w.Close()

	sources, err := a.buildSources(ctx, cfg, opts.Sources)
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return &exitError{code: 2, err: fmt.Errorf("extract: no enabled source in %s", cfg.Path)}
	}
	runner := &extract.Runner{Warehouse: w, Log: a.log, Concurrency: concurrency}
	var bars *barProgress
	if !a.json && !a.quiet && isTerminal(a.stderr) {
		bars = newBarProgress(a.stderr)
		runner.Progress = bars
		// Bars replace the per-object log lines on a terminal.
		runner.Log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	results, runErr := runner.Run(ctx, sources, opts)
	if bars != nil {
		bars.Wait()
	}
	sort.SliceStable(results, func(i, j int) bool {
		if results[i].Source != results[j].Source {
			return results[i].Source < results[j].Source
		}
		return results[i].Object < results[j].Object
	})
	if a.json {
		a.printJSON(map[string]any{"ok": runErr == nil, "objects": results, "seconds": time.Since(start).Seconds()})
	} else if !a.quiet {
		var rows [][]string
		for _, r := range results {
			status := "ok"
			if r.Err != nil {
				status = "FAILED: " + r.Error
			}
			rows = append(rows, []string{r.Source, r.Object, fmt.Sprint(r.Rows), fmt.Sprint(r.Inserted), fmt.Sprint(r.Updated),
				fmt.Sprint(r.APICalls), fmt.Sprint(r.Retries), fmt.Sprintf("%.1f", r.Seconds), status})
		}
		table(a.stdout, []string{"SOURCE", "OBJECT", "ROWS", "NEW", "CHANGED", "CALLS", "RETRIES", "SECONDS", "STATUS"}, rows)
	}
	if runErr != nil {
		if a.json {
			return &exitError{code: 1, err: runErr}
		}
		return &exitError{code: 1, err: errors.New("extract: some objects failed (see above); their cursors did not move")}
	}
	return nil
}

// buildSources constructs the extractor of every enabled (and selected) source.
func (a *app) buildSources(ctx context.Context, cfg *configs.Config, only []string) ([]extract.Source, error) {
	var out []extract.Source
	for _, s := range cfg.Sources {
		if !s.Enabled || (len(only) > 0 && !contains(only, s.Name)) {
			continue
		}
		build, ok := extractors[s.Type]
		if !ok {
			return nil, s.Options.Errorf("", "source %s: type %q cannot be extracted by this revops", s.Name, s.Type)
		}
		ex, err := build(ctx, s, a.wiring())
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		out = append(out, extract.Source{Name: s.Name, Extractor: ex})
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
