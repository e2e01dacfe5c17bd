package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/models"
)

// runCmd is the scheduled job: extract, then build, then sync.
func (a *app) runCmd() *cobra.Command {
	var full bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The whole job: extract every enabled source, build the models and their tests, then run every sync",
		Long: `run is what a schedule calls. It extracts every enabled source (an object
that fails keeps its cursor and the others land), builds every model and runs
the data tests, and then runs every sync in revops.yaml. When a model or a data
test fails, the syncs are not run: they would send what a broken model says.
The exit status is 1 when any stage had a failure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runAll(cmd.Context(), full)
		},
	}
	cmd.Flags().BoolVar(&full, "full-refresh", false, "re-read every object and rebuild incremental models from scratch")
	return cmd
}

func (a *app) runAll(ctx context.Context, full bool) error {
	var failures []error
	a.say("== extract")
	if err := a.runExtract(ctx, extract.Options{FullRefresh: full}, 4); err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 2 {
			return err // a bad config stops everything
		}
		failures = append(failures, err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	a.say("\n== build")
	cfg, p, err := a.loadProject()
	if err != nil {
		return err
	}
	a.sayOverrides(p)
	w, closeWH, err := openModelWarehouse(ctx, cfg)
	if err != nil {
		return err
	}
	res, err := p.Build(ctx, w, models.Options{FullRefresh: full})
	closeWH()
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("build: %w", err)}
	}
	if err := a.report(res, true); err != nil {
		failures = append(failures, err)
		failures = append(failures, errors.New("run: the syncs were not run because a model or a data test failed"))
		return &exitError{code: 1, err: errors.Join(failures...)}
	}

	if len(cfg.Syncs) > 0 {
		a.say("\n== sync")
		if err := a.runSync(ctx, nil, syncFlags{noBuild: true}); err != nil {
			failures = append(failures, err)
		}
	}
	if len(failures) > 0 {
		return &exitError{code: 1, err: errors.Join(failures...)}
	}
	return nil
}
