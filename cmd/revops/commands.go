package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/load"
)

func (a *app) initCmd() *cobra.Command {
	var force bool
	var warehouse string
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter revops.yaml",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			starter, err := configs.StarterFor(warehouse)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("init: --warehouse: %w", err)}
			}
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("init: %w", err)
			}
			path := filepath.Join(dir, configs.DefaultPath)
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(path, flags, 0o644)
			if errors.Is(err, fs.ErrExist) {
				return &exitError{code: 1, err: fmt.Errorf("init: %s already exists (use --force to overwrite)", path)}
			}
			if err != nil {
				return fmt.Errorf("init: %w", err)
			}
			if _, err := f.WriteString(starter); err != nil {
				f.Close()
				return fmt.Errorf("init: write %s: %w", path, err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("init: write %s: %w", path, err)
			}
			if a.json {
				a.printJSON(map[string]any{"ok": true, "config": path})
			}
			a.say("wrote %s: edit its sources, then run `revops validate --config %s`", path, path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing revops.yaml")
	cmd.Flags().StringVar(&warehouse, "warehouse", "duckdb", "the warehouse section to write: duckdb, bigquery or snowflake")
	return cmd
}

func (a *app) validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the config: keys, types, required values, every source's options and every sync",
		Long: `validate checks revops.yaml without opening anything: keys, types and required
values, every source's options, and every sync (keys, mode, match, mapping, the
destination source and whether revops can write to it). Each problem is named
by file:line:column and key; the exit status is 2 when there is one. It also
says which syncs cannot be made idempotent (creates that revops could not find
again after a lost answer) and why.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := checkConfig(cfg); err != nil {
				return &exitError{code: 2, err: err}
			}
			type src struct {
				Name    string `json:"name"`
				Type    string `json:"type"`
				Enabled bool   `json:"enabled"`
			}
			type syncCheck struct {
				Name       string `json:"name"`
				OK         bool   `json:"ok"`
				Error      string `json:"error,omitempty"`
				Idempotent bool   `json:"idempotent"`
				Why        string `json:"idempotency,omitempty"`
			}
			var srcs []src
			for _, s := range cfg.Sources {
				srcs = append(srcs, src{s.Name, s.Type, s.Enabled})
			}
			var syncs []syncCheck
			var errs []error
			for _, p := range parseSyncs(cfg) {
				c := syncCheck{Name: p.Name, OK: p.Err == nil}
				if p.Err != nil {
					c.Error = p.Err.Error()
					errs = append(errs, fmt.Errorf("sync %s: %w", p.Name, p.Err))
				} else {
					c.Idempotent, c.Why = p.Spec.Idempotency()
				}
				syncs = append(syncs, c)
			}
			links, linkErrs := checkLinks(cfg)
			errs = append(errs, linkErrs...)
			if a.json {
				a.printJSON(map[string]any{"ok": len(errs) == 0, "config": cfg.Path, "warehouse": cfg.Warehouse.Type,
					"sources": srcs, "syncs": syncs, "links": links})
			} else {
				state := "is valid"
				if len(errs) > 0 {
					state = fmt.Sprintf("has %d bad syncs or links", len(errs))
				}
				enabled := 0
				for _, s := range srcs {
					if s.Enabled {
						enabled++
					}
				}
				if !a.quiet {
					wrap(a.stdout, fmt.Sprintf("%s %s: warehouse %s, %d sources (%d enabled), %d syncs, %d links", cfg.Path, state,
						cfg.Warehouse.Type, len(cfg.Sources), enabled, len(cfg.Syncs), len(links)), "  ")
				}
				// Each entry with -v; by default only the ones to look at.
				for _, s := range srcs {
					state := "enabled"
					if !s.Enabled {
						state = "disabled"
					}
					if a.verbose {
						a.say("  source %-12s %-10s %s", s.Name, s.Type, state)
					}
				}
				var okSyncs, okLinks []string
				for _, s := range syncs {
					switch {
					case !s.OK:
						a.say("  sync   %-24s INVALID (see below)", s.Name)
					case !s.Idempotent:
						a.say("  sync   %-24s ok, NOT idempotent: %s", s.Name, s.Why)
					case a.verbose:
						a.say("  sync   %-24s ok", s.Name)
					default:
						okSyncs = append(okSyncs, s.Name)
					}
				}
				for _, l := range links {
					switch {
					case !l.OK || a.verbose:
						a.say("  link   %-24s %s", l.Name, map[bool]string{true: "ok", false: "INVALID (see below)"}[l.OK])
					default:
						okLinks = append(okLinks, l.Name)
					}
				}
				if !a.json && !a.quiet {
					wrapList(a.stdout, "  syncs ok: ", okSyncs)
					wrapList(a.stdout, "  links ok: ", okLinks)
				}
			}
			if len(errs) > 0 {
				return &exitError{code: 2, err: errors.Join(errs...)}
			}
			return nil
		},
	}
}

// cursorJSON and stageRunJSON are status's JSON rows (snake_case keys,
// documented in the README).
type cursorJSON struct {
	Source    string    `json:"source"`
	Object    string    `json:"object"`
	Value     string    `json:"value"`
	UpdatedAt time.Time `json:"updated_at"`
}

type stageRunJSON struct {
	ID          string     `json:"id"`
	Stage       string     `json:"stage"`
	Target      string     `json:"target"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	Status      string     `json:"status"`
	RowsRead    int64      `json:"rows_read"`
	RowsWritten int64      `json:"rows_written"`
	Error       string     `json:"error,omitempty"`
	Process     string     `json:"process,omitempty"`
}

func stageRunsJSON(runs []load.Run) []stageRunJSON {
	out := make([]stageRunJSON, len(runs))
	for i, r := range runs {
		out[i] = stageRunJSON{ID: r.ID, Stage: r.Stage, Target: r.Target, StartedAt: r.StartedAt, Status: r.Status,
			RowsRead: r.RowsRead, RowsWritten: r.RowsWritten, Error: r.Error, Process: r.Process}
		if !r.FinishedAt.IsZero() {
			f := r.FinishedAt
			out[i].FinishedAt = &f
		}
	}
	return out
}

func (a *app) statusCmd() *cobra.Command {
	var limit int
	var history bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the last run (per stage status, rows, API calls against the daily limit, failures), the cursors and the latest run of each target",
		Long: `status shows the last revops run (each stage's status, rows, failed rows and API
calls, each source's calls against its org's daily allowance where the API says
it, what was skipped, paused and recovered), then the saved cursors and, for
each stage and target (an extracted object, a source, a model), its latest run,
failed and killed ones first, so a failure stays visible however many runs came
after it. --history lists the newest stage runs instead (revops history lists
the newest runs of revops run). Runs left running by a process that is gone are
marked killed when the warehouse is opened.

The exit status is 0 when the last run succeeded (or none ran yet), 1 when it
failed or was killed, 2 for bad usage or a bad config.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return &usageError{fmt.Errorf("revops status: --limit %d: must not be negative", limit)}
			}
			cfg, w, err := a.openState(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			ctx := cmd.Context()
			cursors, err := load.Cursors(ctx, w)
			if err != nil {
				return err
			}
			latest, err := load.LatestRuns(ctx, w, 0)
			if err != nil {
				return err
			}
			runs, err := load.Runs(ctx, w, limit)
			if err != nil {
				return err
			}
			last, err := a.runSummaries(ctx, w, 1)
			if err != nil {
				return err
			}
			paused, err := pausedSet(ctx, w)
			if err != nil {
				return err
			}
			var pausedList []pauseRow
			for _, p := range paused {
				pausedList = append(pausedList, p)
			}
			counts := map[string]int{}
			for _, r := range latest {
				counts[r.Status]++
			}
			if a.json {
				cs := make([]cursorJSON, len(cursors))
				for i, c := range cursors {
					cs[i] = cursorJSON{Source: c.Source, Object: c.Object, Value: c.Value, UpdatedAt: c.UpdatedAt}
				}
				var lastRun *runSummary
				if len(last) > 0 {
					lastRun = last[0]
				}
				if pausedList == nil {
					pausedList = []pauseRow{}
				}
				a.printJSON(map[string]any{"ok": lastRunError(last) == nil, "last_run": lastRun, "paused": pausedList,
					"cursors": cs, "latest": stageRunsJSON(latest), "runs": stageRunsJSON(runs), "counts": counts})
				return lastRunError(last)
			}
			if a.quiet {
				return lastRunError(last)
			}
			fmt.Fprintf(a.stdout, "warehouse: %s\n", cfg.Warehouse.Type)
			if len(last) > 0 {
				fmt.Fprintln(a.stdout)
				a.printSummary(a.stdout, last[0], false)
			}
			for _, p := range pausedList {
				fmt.Fprintf(a.stdout, "%s\n", p)
			}
			shown := latest
			title := fmt.Sprintf("latest run of each target: %d succeeded, %d failed, %d killed, %d running",
				counts[load.RunSucceeded], counts[load.RunFailed], counts[load.RunKilled], counts[load.RunRunning])
			if !a.verbose && !history {
				// By default only the targets whose latest run did not
				// succeed are listed; -v lists the cursors and every target.
				fmt.Fprintf(a.stdout, "\n%d cursors; %s (-v lists them)\n", len(cursors), title)
				shown = nil
				for _, r := range latest {
					if r.Status != load.RunSucceeded {
						shown = append(shown, r)
					}
				}
				if len(shown) == 0 {
					return lastRunError(last)
				}
			} else {
				fmt.Fprintf(a.stdout, "\ncursors (%d)\n", len(cursors))
				var rows [][]string
				for _, c := range cursors {
					rows = append(rows, []string{c.Source, c.Object, c.UpdatedAt.Format(time.RFC3339), c.Value})
				}
				table(a.stdout, []string{"SOURCE", "OBJECT", "UPDATED", "CURSOR"}, rows)
				if history {
					shown = runs
					title = fmt.Sprintf("runs (newest %d)", len(runs))
				} else if limit > 0 && len(shown) > limit {
					shown = shown[:limit]
					title += fmt.Sprintf(" (%d shown; --limit 0: all)", limit)
				}
				fmt.Fprintf(a.stdout, "\n%s\n", title)
			}
			var rows [][]string
			for _, r := range shown {
				dur := ""
				if !r.FinishedAt.IsZero() {
					dur = took(r.FinishedAt.Sub(r.StartedAt).Seconds())
				}
				rows = append(rows, []string{r.ID, r.Stage, r.Target, r.Status, fmt.Sprint(r.RowsRead), fmt.Sprint(r.RowsWritten), dur, oneLine(r.Error)})
			}
			table(a.stdout, []string{"RUN", "STAGE", "TARGET", "STATUS", "READ", "WRITTEN", "TOOK", "ERROR"}, rows)
			return lastRunError(last)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "rows to show (0 = all)")
	cmd.Flags().BoolVar(&history, "history", false, "list the newest stage runs instead of the latest run of each target")
	return cmd
}

func (a *app) queryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "query SQL",
		Short: "Run a SQL query on the warehouse and print the result",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, w, err := a.openConfigured(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			r, err := w.Query(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			cols, rows, err := load.ReadAll(r)
			if err != nil {
				return err
			}
			if a.json {
				out := make([]map[string]any, len(rows))
				for i, row := range rows {
					m := make(map[string]any, len(cols))
					for c, v := range row {
						m[cols[c]] = v
					}
					out[i] = m
				}
				a.printJSON(map[string]any{"ok": true, "columns": cols, "rows": out})
				return nil
			}
			text := make([][]string, len(rows))
			for i, row := range rows {
				text[i] = make([]string, len(row))
				for c, v := range row {
					text[i][c] = render(v)
				}
			}
			table(a.stdout, cols, text)
			return nil
		},
	}
}

// render prints a warehouse value for people.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	case string:
		return strings.ReplaceAll(x, "\n", `\n`)
	}
	return fmt.Sprint(v)
}

// wrapList prints names after a label, separated by commas, wrapped
// within maxWidth columns under the first name.
func wrapList(w io.Writer, label string, names []string) {
	if len(names) == 0 {
		return
	}
	indent := strings.Repeat(" ", utf8.RuneCountInString(label))
	line := label
	for i, n := range names {
		item := n
		if i < len(names)-1 {
			item += ","
		}
		if line != label && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(item) > maxWidth {
			fmt.Fprintln(w, line)
			line = indent
		}
		if line != label && line != indent {
			line += " "
		}
		line += item
	}
	fmt.Fprintln(w, line)
}
