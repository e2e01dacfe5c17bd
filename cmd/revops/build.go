package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/load"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
)

// loadProject loads the shipped models and seeds plus the config's model
// paths. Its errors are the project's fault (exit 2).
func (a *app) loadProject() (*configs.Config, *models.Project, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	paths := make([]string, len(cfg.Models.Paths))
	for i, p := range cfg.Models.Paths {
		paths[i] = cfg.Resolve(p)
	}
	seeds, err := identitySeeds(cfg)
	if err != nil {
		return nil, nil, err
	}
	idOpts, vars, err := identitySetup(cfg)
	if err != nil {
		return nil, nil, err
	}
	p, err := models.Load(sqlfiles.FS, seeds, paths, vars)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: fmt.Errorf("models: %w", err)}
	}
	idOpts.Register(p)
	return cfg, p, nil
}

// openModelWarehouse opens the config's warehouse as one models can build in.
func openModelWarehouse(ctx context.Context, cfg *configs.Config) (models.Warehouse, func(), error) {
	w, err := openWarehouse(ctx, cfg, nil)
	if err != nil {
		return nil, nil, err
	}
	mw, ok := w.(models.Warehouse)
	if !ok {
		_ = w.Close()
		return nil, nil, &exitError{code: 2, err: fmt.Errorf("warehouse %s cannot build models", cfg.Warehouse.Type)}
	}
	return mw, func() { _ = w.Close() }, nil
}

func (a *app) buildCmd() *cobra.Command {
	var opts models.Options
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the SQL models (shipped and yours) in dependency order, then run their data tests",
		Long: `build materializes every model (or those --select picks: name, name+, +name,
tag:x, path:sql/metrics) as a view, table or incremental table, in dependency
order, then runs the data tests of what it built unless --skip-tests. A model
that fails (or whose file is broken: a bad ref, header or template) skips the
models that use it; the others still build. A data test of severity warn that
finds rows is reported as a warning; the exit status is 1 only when a model
failed or a test of severity error failed or could not run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, p, err := a.loadProject()
			if err != nil {
				return err
			}
			a.sayOverrides(p)
			w, closeWH, err := openModelWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer closeWH()
			res, err := p.Build(cmd.Context(), w, opts)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("build: %w", err)}
			}
			return a.report(res, true)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&opts.Select, "select", "s", nil, "models to build: name, name+, +name, tag:x, path:dir (repeatable)")
	f.BoolVar(&opts.FullRefresh, "full-refresh", false, "rebuild incremental models from scratch")
	f.BoolVar(&opts.SkipTests, "skip-tests", false, "do not run the data tests after the build")
	f.IntVar(&opts.Concurrency, "concurrency", 4, "models built at once")
	return cmd
}

func (a *app) testCmd() *cobra.Command {
	var opts models.Options
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the data tests of the models (or those --select picks) against the warehouse",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, p, err := a.loadProject()
			if err != nil {
				return err
			}
			a.sayOverrides(p)
			w, closeWH, err := openModelWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer closeWH()
			res, err := p.Test(cmd.Context(), w, opts)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("test: %w", err)}
			}
			return a.report(res, false)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Select, "select", "s", nil, "models whose tests run: name, name+, +name, tag:x, path:dir, tests.<name>")
	cmd.Flags().IntVar(&opts.Concurrency, "concurrency", 4, "tests run at once")
	return cmd
}

func (a *app) compileCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compile NAME",
		Short: "Print a model's SQL as the warehouse would run it (NAME: core.deals, deals or tests.<name>)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, p, err := a.loadProject()
			if err != nil {
				return err
			}
			w, closeWH, err := openModelWarehouse(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer closeWH()
			sql, err := p.Compile(cmd.Context(), w, args[0])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if a.json {
				a.printJSON(map[string]any{"ok": true, "model": args[0], "sql": sql})
				return nil
			}
			fmt.Fprintln(a.stdout, sql)
			return nil
		},
	}
}

func (a *app) modelsCmd() *cobra.Command {
	var graph string
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the models in build order with their dependencies (--graph mermaid|dot for the DAG)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, p, err := a.loadProject()
			if err != nil {
				return err
			}
			if graph != "" {
				g, err := p.Graph(graph)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--graph: %w", err)}
				}
				if a.json {
					a.printJSON(map[string]any{"ok": len(p.Problems()) == 0, "format": graph, "graph": g})
				} else {
					fmt.Fprint(a.stdout, g)
				}
				return problemsError(p.Problems())
			}
			problems := p.Problems()
			if a.json {
				msgs := make([]string, len(problems))
				for i, e := range problems {
					msgs[i] = e.Error()
				}
				a.printJSON(map[string]any{"ok": len(problems) == 0, "models": p.Models(), "overrides": p.Overrides, "problems": msgs})
			} else {
				a.sayOverrides(p)
				if !a.quiet {
					var rows [][]string
					for _, m := range p.Models() {
						deps := strings.Join(m.Deps, ", ")
						if m.Error != "" {
							deps = "BROKEN (see below)"
						}
						row := []string{m.Relation, string(m.Kind), strings.Join(m.Tags, ","), deps}
						if a.verbose {
							row = []string{m.Relation, string(m.Kind), strings.Join(m.Tags, ","), m.Path, deps}
						}
						rows = append(rows, row)
					}
					header := []string{"MODEL", "KIND", "TAGS", "DEPS"}
					if a.verbose {
						header = []string{"MODEL", "KIND", "TAGS", "PATH", "DEPS"}
					}
					table(a.stdout, header, rows)
				}
			}
			return problemsError(problems)
		},
	}
	cmd.Flags().StringVar(&graph, "graph", "", "print the DAG as mermaid or dot")
	return cmd
}

// problemsError lists the problems of the project's files (exit 1: the
// rest of the project still works).
func problemsError(problems []*models.Error) error {
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, len(problems))
	for i, e := range problems {
		msgs[i] = "  " + oneLine(e.Error())
	}
	what := "problems"
	if len(problems) == 1 {
		what = "problem"
	}
	return &exitError{code: 1, err: fmt.Errorf("%d %s in the model files:\n%s", len(problems), what, strings.Join(msgs, "\n"))}
}

func (a *app) sayOverrides(p *models.Project) {
	for _, o := range p.Overrides {
		a.say("note: %s from %s replaces the shipped %s", o.Relation, o.Path, o.Replaced)
	}
}

// report prints a build or test result and turns failures into exit 1;
// tests of severity warn that find rows are shown (status warn) and
// counted, but do not fail.
func (a *app) report(res *models.Result, build bool) error {
	failed := res.Failed()
	if a.json {
		a.printJSON(map[string]any{"ok": !failed, "models": res.Models, "tests": res.Tests, "overrides": res.Overrides,
			"problems": res.Problems, "seconds": res.Seconds, "warehouse_seconds": res.WarehouseSeconds})
	} else if !a.quiet {
		a.printBuildDetail(res, build)
		share := 0.0
		if res.Seconds > 0 {
			share = 100 * res.WarehouseSeconds / res.Seconds
		}
		for _, p := range res.Problems {
			fmt.Fprintf(a.stdout, "error: %s\n", oneLine(p))
		}
		tests := fmt.Sprintf("%d tests passed, %d warned, %d failed", res.Count(models.StatusPass), res.Count(models.StatusWarn),
			res.Count(models.StatusFail))
		if n := res.Count(models.StatusError); n > 0 {
			tests += fmt.Sprintf(", %d errors", n)
		}
		if n := countTests(res, models.StatusSkipped); n > 0 {
			tests += fmt.Sprintf(", %d skipped", n)
		}
		fmt.Fprintf(a.stdout, "%s%s; %.1fs (%.0f%% in the warehouse)\n", modelSummary(res, build), tests, res.Seconds, share)
	}
	if failed {
		var what []string
		for _, m := range res.Models {
			if m.Status == models.StatusFailed {
				what = append(what, m.Model)
			}
		}
		for _, t := range res.Tests {
			if t.Status == models.StatusFail || t.Status == models.StatusError {
				what = append(what, t.Test)
			}
		}
		what = append(what, res.Problems...)
		return &exitError{code: 1, err: fmt.Errorf("failed: %s", strings.Join(what, ", "))}
	}
	return nil
}

// printBuildDetail prints, with -v, a row per model and per test; then,
// with or without -v, a line per model that failed and per test that
// failed, errored or warned, with its whole message, so that a build of
// 100 models is a line when all is well.
func (a *app) printBuildDetail(res *models.Result, build bool) {
	var issues []string
	if a.verbose {
		var mrows, trows [][]string
		for _, m := range res.Models {
			rowCount := fmt.Sprint(m.Rows)
			if m.Kind == load.ModelView || m.Status != models.StatusSuccess {
				rowCount = "-"
			}
			note := m.Error
			if note == "" {
				note = m.Reason
			}
			mrows = append(mrows, []string{m.Model, string(m.Kind), rowCount, fmt.Sprintf("%.2f", m.Seconds), m.Status, oneLine(note)})
		}
		for _, t := range res.Tests {
			note := t.Error
			if note == "" {
				note = t.Reason
			}
			trows = append(trows, []string{t.Test, t.Status, fmt.Sprint(t.Failures), fmt.Sprintf("%.2f", t.Seconds), oneLine(note)})
		}
		// revops test lists models only when one is broken.
		if len(mrows) > 0 && (build || len(res.Models) > 0) {
			table(a.stdout, []string{"MODEL", "KIND", "ROWS", "SECONDS", "STATUS", "NOTE"}, mrows)
			fmt.Fprintln(a.stdout)
		}
		if len(trows) > 0 {
			table(a.stdout, []string{"TEST", "STATUS", "FAILURES", "SECONDS", "NOTE"}, trows)
			fmt.Fprintln(a.stdout)
		}
	}
	for _, m := range res.Models {
		if m.Status == models.StatusFailed {
			issues = append(issues, fmt.Sprintf("failed %s: %s", m.Model, oneLine(m.Error)))
		}
	}
	for _, t := range res.Tests {
		switch t.Status {
		case models.StatusFail, models.StatusError, models.StatusWarn:
			note := t.Error
			if note == "" {
				note = fmt.Sprintf("%d rows", t.Failures)
			}
			issues = append(issues, fmt.Sprintf("%s %s: %s", t.Status, t.Test, oneLine(note)))
		}
	}
	// Whole, not wrapped: a message names a file and line to copy.
	for _, line := range issues {
		fmt.Fprintln(a.stdout, line)
	}
}

func modelSummary(res *models.Result, build bool) string {
	if !build {
		return ""
	}
	n := map[string]int{}
	for _, m := range res.Models {
		n[m.Status]++
	}
	out := fmt.Sprintf("%d models built", n[models.StatusSuccess])
	if n[models.StatusFailed] > 0 {
		out += fmt.Sprintf(", %d failed", n[models.StatusFailed])
	}
	if n[models.StatusSkipped] > 0 {
		out += fmt.Sprintf(", %d skipped", n[models.StatusSkipped])
	}
	return out + "; "
}

func countTests(res *models.Result, status string) int {
	n := 0
	for _, t := range res.Tests {
		if t.Status == status {
			n++
		}
	}
	return n
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}
