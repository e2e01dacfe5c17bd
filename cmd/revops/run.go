package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/models"
)

// runCmd is the scheduled job: extract, then build, then sync.
func (a *app) runCmd() *cobra.Command {
	var full bool
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The whole job: extract every enabled source, build the models and their tests, then run every sync and link",
		Long: `run is what a schedule calls. It extracts every enabled source (a source or
object that fails keeps its cursor and the others land), builds every model and
runs the data tests, then runs every sync and then every two-way link in
revops.yaml. A sync or link is skipped,
with the reason printed, when its entry in revops.yaml is wrong, when a source
table its model reads (directly or upstream) failed to extract in this run, or
when a model it reads failed or one of their tests of severity error failed.
Tests of severity warn never stop a sync.
The exit status is 1 when any stage had a failure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runAll(cmd.Context(), full)
		},
	}
	cmd.Flags().BoolVar(&full, "full-refresh", false, "re-read every object and rebuild incremental models from scratch")
	return cmd
}

// skippedSync is a sync revops run did not run, and why.
type skippedSync struct {
	Sync    string   `json:"sync"`
	Reasons []string `json:"reasons"`
}

func (a *app) runAll(ctx context.Context, full bool) error {
	defer func() { a.section = "" }()
	var failures []error
	a.say("== extract")
	a.section = "extract"
	results, err := a.extractAll(ctx, extract.Options{FullRefresh: full}, 4)
	if err != nil {
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
	a.section = "build"
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
	buildErr := a.report(res, true)
	if buildErr != nil {
		failures = append(failures, buildErr)
	}
	if len(cfg.Syncs) == 0 {
		return a.runLinkStage(ctx, cfg, res, extractFailures(results), failures, false)
	}

	a.section = "sync"
	a.say("\n== sync")
	failedTables := extractFailures(results)
	var run []string
	var skipped []skippedSync
	badConfig := false
	for _, ps := range parseSyncs(cfg) {
		if ps.Err != nil {
			skipped = append(skipped, skippedSync{Sync: ps.Name, Reasons: []string{ps.Err.Error()}})
			badConfig = true
			continue
		}
		s := ps.Spec
		var reasons []string
		if s.Model != "" {
			reasons = append(reasons, sourceBlockers(p, s.Model, failedTables)...)
			reasons = append(reasons, res.Blocked(s.Model)...)
		} else if res.Failed() {
			// Inline SQL: what it reads is unknown to the model graph.
			reasons = append(reasons, "its inline SQL may read a model that failed in this run's build")
		}
		if len(reasons) > 0 {
			skipped = append(skipped, skippedSync{Sync: s.Name, Reasons: reasons})
			continue
		}
		run = append(run, s.Name)
	}
	for _, sk := range skipped {
		a.say("sync %s skipped: %s", sk.Sync, strings.Join(sk.Reasons, "; "))
		a.log.Warn("sync skipped", "sync", sk.Sync, "reasons", strings.Join(sk.Reasons, "; "))
	}
	if len(run) > 0 {
		if err := a.runSync(ctx, run, syncFlags{noBuild: true}); err != nil {
			failures = append(failures, err)
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
	return a.runLinkStage(ctx, cfg, res, failedTables, failures, badConfig)
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
