package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/load"
)

func (a *app) historyCmd() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the newest runs of revops run: per stage status, rows written, API calls, failed rows, duration",
		Long: `history lists the newest runs of revops run, newest first: each stage's status
(extract, build, identity, sync, links), the rows the syncs and links wrote, the
API calls, the failed rows and how long the run took. A run that was killed is
shown as killed, with what its stages had done. --json prints every run with
its stages, their targets and each source's API calls against its org's daily
allowance (see the README for the keys). The exit status is 1 when the newest
run failed or was killed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return &usageError{fmt.Errorf("revops history: --limit %d: must not be negative", limit)}
			}
			_, w, err := a.openState(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			runs, err := a.runSummaries(cmd.Context(), w, limit)
			if err != nil {
				return err
			}
			if a.json {
				a.printJSON(map[string]any{"ok": true, "runs": nonNilRuns(runs)})
			} else if !a.quiet {
				if len(runs) == 0 {
					fmt.Fprintln(a.stdout, "no revops run yet (revops run records one; extract, build and sync alone are in revops status)")
				} else {
					printHistory(a.stdout, runs)
				}
			}
			return lastRunError(runs)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 10, "newest runs to list (0 = all)")
	return cmd
}

func nonNilRuns(r []*runSummary) []*runSummary {
	if r == nil {
		return []*runSummary{}
	}
	return r
}

// runSummaries reads the newest runs of revops run, newest first.
func (a *app) runSummaries(ctx context.Context, w load.StateStore, limit int) ([]*runSummary, error) {
	rows, err := a.listRunRows(ctx, w, limit, "")
	if err != nil {
		return nil, err
	}
	out := make([]*runSummary, 0, len(rows))
	for _, r := range rows {
		s, err := a.summaryOf(ctx, w, r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// lastRunError is exit 1 when the newest run failed or was killed.
func lastRunError(runs []*runSummary) error {
	if len(runs) == 0 {
		return nil
	}
	r := runs[0]
	switch r.Status {
	case load.RunFailed, load.RunKilled:
		msg := fmt.Sprintf("the last run (%s) %s", r.RunID, r.Status)
		if r.Error != "" {
			msg += ": " + firstLineOf(r.Error)
		}
		return &exitError{code: 1, err: fmt.Errorf("%s", msg)}
	}
	return nil
}

// stageToken is a stage's status in a few letters, for history's table.
func stageToken(status string) string {
	switch status {
	case load.RunSucceeded:
		return "ok"
	case load.RunFailed:
		return "FAIL"
	case load.RunKilled:
		return "KILL"
	case load.RunRunning:
		return "run"
	case stageSkipped:
		return "skip"
	case runStopped:
		return "stop"
	}
	return "-"
}

func printHistory(w io.Writer, runs []*runSummary) {
	var rows [][]string
	for _, r := range runs {
		var toks []string
		var written int64
		for _, name := range runStages {
			st := r.stage(name)
			toks = append(toks, fmt.Sprintf("%-4s", stageToken(st.Status)))
			if name == stageSync || name == stageLinks {
				written += st.Rows
			}
		}
		var calls int64
		for _, c := range r.APICalls {
			calls += c.Calls
		}
		if len(r.APICalls) == 0 {
			for _, st := range r.Stages {
				calls += st.APICalls
			}
		}
		rows = append(rows, []string{r.RunID, r.Status, took(r.Seconds), strings.TrimRight(strings.Join(toks, " "), " "),
			fmt.Sprint(written), fmt.Sprint(calls), fmt.Sprint(r.FailedRows)})
	}
	table(w, []string{"RUN", "STATUS", "TOOK", "EXTR BLD  IDNT SYNC LINK", "WRITTEN", "CALLS", "FAILED"}, rows)
}

func took(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return fmt.Sprintf("%.1fs", sec)
}

// printSummary prints one run for people: a line, a row per stage, the
// API calls per source, what was recovered, skipped and alerted.
func (a *app) printSummary(w io.Writer, s *runSummary, blank bool) {
	if blank {
		fmt.Fprintln(w)
	}
	head := fmt.Sprintf("run %s %s in %s", s.RunID, s.Status, took(s.Seconds))
	if s.Status == load.RunRunning {
		head = fmt.Sprintf("run %s running for %s", s.RunID, took(s.Seconds))
	}
	if s.Trigger != "" && s.Trigger != "once" {
		head += " (" + s.Trigger + ")"
	}
	if s.Derived && s.Status == load.RunKilled {
		head += "; what its stages had done:"
	}
	fmt.Fprintln(w, head)
	var rows [][]string
	for _, st := range s.Stages {
		calls := "-"
		if st.APICalls > 0 || st.Stage == stageExtract || st.Stage == stageSync || st.Stage == stageLinks {
			calls = fmt.Sprint(st.APICalls)
		}
		rows = append(rows, []string{"  " + st.Stage, st.Status, fmt.Sprint(st.Rows), fmt.Sprint(st.FailedRows), calls,
			fmt.Sprintf("%.1f", st.Seconds), clip(stageNote(st), 48)})
	}
	table(w, []string{"  STAGE", "STATUS", "ROWS", "FAILED", "CALLS", "SECONDS", "NOTE"}, rows)
	if len(s.APICalls) > 0 {
		var parts []string
		for _, c := range s.APICalls {
			p := fmt.Sprintf("%s %d", c.Source, c.Calls)
			if c.Credits != nil {
				p += fmt.Sprintf(", %d credits", *c.Credits)
			}
			if c.DailyLimit != nil && c.DailyUsed != nil {
				p += fmt.Sprintf(" (org: %d of %d in 24 h", *c.DailyUsed, *c.DailyLimit)
				if c.APIBudget != nil {
					p += fmt.Sprintf(", budget %.0f%%", *c.APIBudget*100)
				}
				p += ")"
			}
			parts = append(parts, p)
		}
		wrap(w, "  API calls: "+strings.Join(parts, " · "), "    ")
	}
	a.printRunNotes(w, s)
}

// printRunNotes prints, under a run's summary, what it recovered, did not
// run, found paused, the stages that failed, and its alerts.
func (a *app) printRunNotes(w io.Writer, s *runSummary) {
	for _, n := range s.Recovered {
		fmt.Fprintln(w, clip("  recovered: "+n.Detail, maxWidth))
	}
	for _, sk := range s.Skipped {
		fmt.Fprintln(w, clip(fmt.Sprintf("  %s %s not run: %s", sk.Kind, sk.Name, oneLine(strings.Join(sk.Reasons, "; "))), maxWidth))
	}
	for _, st := range s.Stages {
		for _, t := range st.Targets {
			if t.Status == targetPaused {
				fmt.Fprintf(w, "  %s %s is paused (revops resume %s)\n", strings.TrimSuffix(st.Stage, "s"), t.Name, t.Name)
			}
		}
	}
	for _, al := range s.Alerts {
		if al.OK {
			fmt.Fprintf(w, "  alert sent: %s\n", strings.Join(al.Events, ", "))
		} else {
			fmt.Fprintf(w, "  alert NOT delivered (%s): %s\n", strings.Join(al.Events, ", "), al.Error)
		}
	}
}

// stageNote says what a stage did, or its first failure.
func stageNote(st stageSummary) string {
	c := st.Counts
	for _, t := range st.Targets {
		if t.Status == load.RunFailed || t.Status == load.RunKilled || t.Status == load.RunRunning {
			note := t.Name + ": " + t.Status
			if t.Error != "" {
				note += ": " + t.Error
			}
			return note
		}
	}
	if st.Error != "" {
		return st.Error
	}
	switch st.Stage {
	case stageExtract:
		if c != nil {
			return fmt.Sprintf("%d objects", c["objects"])
		}
	case stageBuild:
		if c != nil {
			return fmt.Sprintf("%d models, %d tests passed, %d warned", c["models"], c["tests_passed"], c["tests_warned"])
		}
	case stageIdentity:
		if c != nil {
			if _, ok := c["persons"]; ok {
				return fmt.Sprintf("%d persons, %d companies, %d to review", c["persons"], c["companies"], c["review"])
			}
			return fmt.Sprintf("%d models", c["models"])
		}
	case stageSync, stageLinks:
		if c != nil {
			kind := strings.TrimSuffix(st.Stage, "s") + "s"
			note := fmt.Sprintf("%d %s", c[kind], kind)
			if c["paused"] > 0 {
				note += fmt.Sprintf(", %d paused", c["paused"])
			}
			if c["skipped"] > 0 {
				note += fmt.Sprintf(", %d not run", c["skipped"])
			}
			return note
		}
		if st.Status == stageNone {
			return "none configured"
		}
	}
	return ""
}

// openState opens the configured warehouse for status and history: a
// config that is wrong (including the warehouse's own options) exits 2.
func (a *app) openState(ctx context.Context) (*configs.Config, load.Warehouse, error) {
	cfg, w, err := a.openConfigured(ctx)
	var ce *configs.Error
	if errors.As(err, &ce) {
		return nil, nil, &exitError{code: 2, err: err}
	}
	return cfg, w, err
}
