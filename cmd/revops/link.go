package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/models"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
)

type linkFlags struct {
	opts    link.Options
	limit   int
	rows    int
	rowsSet bool // --rows was given: the planned writes are printed
}

func (a *app) linkCmd() *cobra.Command {
	var f linkFlags
	cmd := &cobra.Command{
		Use:   "link [NAME ...]",
		Short: "Run the two-way links: keep paired records of two objects equal both ways",
		Long: `link runs each two-way link of revops.yaml (links:): it pairs the records of its two
objects, compares every linked field of both sides' latest extract with the value
both last agreed on, writes a side's change to the other side once, decides
conflicts by the field's owner rule (logged in _revops.link_conflicts), and
fires the link's transitions once. Run revops extract first (revops run does it
all). With no NAME every link runs, in config order.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLinks(cmd.Context(), args, f)
		},
	}
	cmd.Flags().BoolVar(&f.opts.AcceptSchema, "accept-schema", false, "accept mandatory fields added to the linked objects since the last run")
	plan := &cobra.Command{
		Use:   "plan [NAME ...]",
		Short: "Show what the links would write, per side, and the API calls they would spend (writes nothing)",
		RunE: func(cmd *cobra.Command, args []string) error {
			f.rowsSet = cmd.Flags().Changed("rows")
			return a.runLinkPlan(cmd.Context(), args, f)
		},
	}
	plan.Flags().IntVar(&f.rows, "rows", 10, "planned writes of each link to print (with -v, or when given)")
	conflicts := &cobra.Command{
		Use:   "conflicts [NAME ...]",
		Short: "List the conflicts the links decided: both values, the base, the winner and why",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLinkList(cmd.Context(), "conflicts", args, f.limit)
		},
	}
	conflicts.Flags().IntVar(&f.limit, "limit", 50, "newest conflicts to list (0 = all)")
	history := &cobra.Command{
		Use:   "history [NAME ...]",
		Short: "List link runs: pairs, updated, unchanged, failed, conflicts, API calls",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLinkList(cmd.Context(), "history", args, f.limit)
		},
	}
	history.Flags().IntVar(&f.limit, "limit", 20, "newest runs to list (0 = all)")
	failures := &cobra.Command{
		Use:   "failures [NAME ...]",
		Short: "List paired records' fields that could not be compared or written, with the reason",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLinkList(cmd.Context(), "failures", args, f.limit)
		},
	}
	failures.Flags().IntVar(&f.limit, "limit", 50, "newest failures to list (0 = all)")
	transitions := &cobra.Command{
		Use:   "transitions [NAME ...]",
		Short: "List the transitions the links saw and their state (pending, sending, fired)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runLinkList(cmd.Context(), "transitions", args, f.limit)
		},
	}
	transitions.Flags().IntVar(&f.limit, "limit", 50, "newest transitions to list (0 = all)")
	cmd.AddCommand(plan, conflicts, history, failures, transitions)
	return cmd
}

// linkCheck is one link of `revops validate`.
type linkCheck struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// checkLinks checks every link of cfg without opening anything (see
// link.ParseEach), for revops validate.
func checkLinks(cfg *configs.Config) ([]linkCheck, []error) {
	var out []linkCheck
	var errs []error
	for _, p := range link.ParseEach(cfg, writableTypes()) {
		c := linkCheck{Name: p.Name, OK: p.Err == nil}
		if p.Err != nil {
			c.Error = p.Err.Error()
			errs = append(errs, fmt.Errorf("link %s: %w", p.Name, p.Err))
		}
		out = append(out, c)
	}
	return out, errs
}

// linkEnv is what a link command works with.
type linkEnv struct {
	cfg   *configs.Config
	specs []*link.Spec
	bad   []link.Parsed
	w     interface {
		link.Warehouse
		Close() error
	}
}

func (a *app) openLinks(ctx context.Context, names []string) (*linkEnv, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if err := checkConfig(cfg); err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	parsed := link.ParseEach(cfg, writableTypes())
	if len(parsed) == 0 {
		return nil, &exitError{code: 2, err: fmt.Errorf("no links are configured (in %s)", cfg.Path)}
	}
	env := &linkEnv{cfg: cfg}
	var errs []error
	for _, n := range names {
		found := false
		for _, p := range parsed {
			found = found || p.Name == n
		}
		if !found {
			var have []string
			for _, p := range parsed {
				have = append(have, p.Name)
			}
			return nil, &exitError{code: 2, err: fmt.Errorf("no link named %q (links: %s; in %s)", n, strings.Join(have, ", "), cfg.Path)}
		}
	}
	for _, p := range parsed {
		if len(names) > 0 && !inNames(names, p.Name) {
			continue
		}
		if p.Err != nil {
			env.bad = append(env.bad, p)
			errs = append(errs, fmt.Errorf("link %s not run: %w", p.Name, p.Err))
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
	if reaped, err := link.ReapRuns(ctx, w, cfg.Warehouse.Type == "duckdb"); err != nil {
		w.Close()
		return nil, err
	} else {
		for _, r := range reaped {
			a.log.Warn("an earlier link run was killed before it finished; marked killed", "run", r.ID, "link", r.Link)
		}
	}
	env.w = w
	return env, nil
}

func inNames(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

func (env *linkEnv) badLinks() error {
	if len(env.bad) == 0 {
		return nil
	}
	var errs []error
	for _, p := range env.bad {
		errs = append(errs, fmt.Errorf("link %s not run: %w", p.Name, p.Err))
	}
	return &exitError{code: 2, err: errors.Join(errs...)}
}

// linkDests builds a link's two destinations (nil for a side whose
// source revops cannot write to: the link never writes there), sharing
// one per source.
func (a *app) linkDests(ctx context.Context, env *linkEnv, s *link.Spec, cache map[string]revsync.Destination) ([2]revsync.Destination, error) {
	var out [2]revsync.Destination
	for i, sd := range s.Sides() {
		if d, ok := cache[sd.Source]; ok {
			out[i] = d
			continue
		}
		src, _ := env.cfg.Source(sd.Source)
		mk, ok := destinations[src.Type]
		if !ok {
			continue
		}
		d, err := mk(ctx, src, a.wiring())
		if err != nil {
			return out, fmt.Errorf("link %s: %s: %w", s.Name, sd.Source, err)
		}
		cache[sd.Source], out[i] = d, d
	}
	return out, nil
}

func (a *app) runLinks(ctx context.Context, names []string, f linkFlags) error {
	env, err := a.openLinks(ctx, names)
	if err != nil {
		return err
	}
	defer env.w.Close()
	specs, paused, err := dropPaused(ctx, a, env.w, "link", env.specs, linkName)
	if err != nil {
		return err
	}
	env.specs = specs
	r := &link.Runner{Warehouse: env.w, Log: a.log}
	cache := map[string]revsync.Destination{}
	var reports []*link.Report
	var failed []string
	for _, p := range env.bad {
		reports = append(reports, &link.Report{Link: p.Name, Status: "failed", Error: p.Err.Error()})
	}
	for _, p := range paused {
		reports = append(reports, &link.Report{Link: p.Name, Status: targetPaused})
	}
	for _, s := range env.specs {
		dests, err := a.linkDests(ctx, env, s, cache)
		var rep *link.Report
		if err == nil {
			rep, err = r.Run(ctx, s, dests, f.opts)
		}
		if rep == nil {
			rep = &link.Report{Link: s.Name, Status: "failed"}
		}
		if err != nil {
			rep.Status, rep.Error = "failed", err.Error()
			failed = append(failed, s.Name)
			a.log.Error("link failed", "link", s.Name, "error", err)
		}
		reports = append(reports, rep)
		if ctx.Err() != nil {
			break
		}
	}
	rowsFailed := false
	for _, r := range reports {
		rowsFailed = rowsFailed || r.Failed > 0
	}
	if a.run != nil {
		a.run.links = append(a.run.links, reports...)
	}
	if a.json {
		a.printJSON(map[string]any{"ok": len(failed) == 0 && len(env.bad) == 0 && !rowsFailed, "links": reports})
	} else if !a.quiet {
		a.printLinkReports(reports)
	}
	if err := env.badLinks(); err != nil {
		return err
	}
	if len(failed) > 0 {
		var errs []error
		for _, r := range reports {
			if r.Status == "failed" && r.Error != "" {
				errs = append(errs, errors.New(r.Error))
			}
		}
		return &exitError{code: 1, err: fmt.Errorf("link: %s failed: %w", strings.Join(failed, ", "), errors.Join(errs...))}
	}
	if rowsFailed {
		return &exitError{code: 1, err: errors.New("link: some fields could not be compared or written (see revops link failures); they are tried again next run")}
	}
	return nil
}

// sideCounts renders a left/right figure pair.
func sideCounts(r *link.Report, f func(link.SideReport) int64) string {
	return fmt.Sprintf("%d/%d", f(r.Sides[0]), f(r.Sides[1]))
}

func (a *app) printLinkDetails(r *link.Report) {
	u := r.Unpaired
	if n := u.MissingKey[0] + u.MissingKey[1] + u.NoPartner[0] + u.NoPartner[1] + u.Ambiguous + u.Converted[0] + u.Converted[1]; n > 0 && a.verbose {
		wrap(a.stdout, fmt.Sprintf("%s: not paired (left/right): %d/%d without a pairing key, %d/%d with no partner, %d ambiguous, %d/%d converted",
			r.Link, u.MissingKey[0], u.MissingKey[1], u.NoPartner[0], u.NoPartner[1], u.Ambiguous, u.Converted[0], u.Converted[1]), "  ")
	}
	shown := 0
	for _, e := range u.Examples {
		// Records without a pairing key are usual (a Salesforce lead
		// that never came from Zoho): counted above, listed in --json.
		if a.verbose && shown < 3 && !strings.Contains(e, " is empty: not paired") {
			wrap(a.stdout, "  "+e, "    ")
			shown++
		}
	}
	for _, c := range r.Decided[:min(5, len(r.Decided))] {
		fmt.Fprintln(a.stdout, clip(fmt.Sprintf("%s: conflict on %s: %q vs %q → %s", r.Link, c.Field, c.LeftValue, c.RightValue, c.Winner), maxWidth))
		if a.verbose {
			fmt.Fprintln(a.stdout, clip(fmt.Sprintf("  pair %s/%s, was %q: %s", c.LeftID, c.RightID, c.Base, c.Reason), maxWidth))
		}
	}
	for _, e := range r.Errors[:min(5, len(r.Errors))] {
		fmt.Fprintln(a.stdout, clip(fmt.Sprintf("%s: %s/%s %s: %s: %s", r.Link, e.LeftID, e.RightID, e.Field, e.Code, e.Message), maxWidth))
	}
}

func (a *app) runLinkPlan(ctx context.Context, names []string, f linkFlags) error {
	env, err := a.openLinks(ctx, names)
	if err != nil {
		return err
	}
	defer env.w.Close()
	r := &link.Runner{Warehouse: env.w, Log: a.log}
	cache := map[string]revsync.Destination{}
	var plans []*link.Report
	for _, s := range env.specs {
		dests, err := a.linkDests(ctx, env, s, cache)
		if err != nil {
			return err
		}
		p, err := r.Plan(ctx, s, dests, f.opts)
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		plans = append(plans, p)
	}
	if a.json {
		for _, p := range plans {
			p.Writes = p.Writes[:min(len(p.Writes), max(f.rows, 0))]
		}
		a.printJSON(map[string]any{"ok": len(env.bad) == 0, "plans": plans})
		return env.badLinks()
	}
	if a.quiet {
		return env.badLinks()
	}
	var total, calls int64
	for _, p := range plans {
		pc := p.Sides[0].PlannedCalls + p.Sides[1].PlannedCalls
		total, calls = total+p.Updated, calls+pc
		line := fmt.Sprintf("link %s: %d to update (%d %s, %d %s), %d unchanged, %d conflicts",
			p.Link, p.Updated, p.Sides[0].Updated, p.Sides[0].Source, p.Sides[1].Updated, p.Sides[1].Source, p.Unchanged, p.Conflicts)
		if p.Failed > 0 {
			line += fmt.Sprintf(", %d fields refused", p.Failed)
		}
		fmt.Fprintln(a.stdout, clip(line+fmt.Sprintf(" · %d calls", pc), maxWidth))
		a.printLinkDetails(p)
		if !a.verbose && !f.rowsSet {
			continue
		}
		var rows [][]string
		for _, w := range p.Writes[:min(len(p.Writes), max(f.rows, 0))] {
			var parts []string
			for _, fld := range sortedKeys(w.Fields) {
				c := w.Fields[fld]
				parts = append(parts, fmt.Sprintf("%s: %v → %v", fld, c.Before, c.After))
			}
			rows = append(rows, []string{"  " + w.Side, w.RecordID, strings.Join(parts, "; ")})
		}
		if len(rows) > 0 {
			table(a.stdout, []string{"  SIDE", "RECORD", "FIELDS (before → after)"}, rows)
		}
	}
	fmt.Fprintf(a.stdout, "Plan: %d to update, 0 to create across %d links · %d API calls\n", total, len(plans), calls)
	return env.badLinks()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (a *app) runLinkList(ctx context.Context, what string, names []string, limit int) error {
	_, w, err := a.openConfigured(ctx)
	if err != nil {
		return err
	}
	defer w.Close()
	switch what {
	case "conflicts":
		cs, err := link.Conflicts(ctx, w, names, limit)
		if err != nil {
			return err
		}
		if a.json {
			a.printJSON(map[string]any{"ok": true, "conflicts": cs})
			return nil
		}
		var rows [][]string
		for _, c := range cs {
			row := []string{c.Link, c.Field, c.Base, c.LeftValue, c.RightValue, c.Winner}
			if a.verbose {
				row = []string{c.DecidedAt.Format(time.RFC3339), c.Link, c.LeftID + "/" + c.RightID, c.Field, c.Base, c.LeftValue,
					c.RightValue, c.Winner, oneLine(c.Reason)}
			}
			rows = append(rows, row)
		}
		if !a.quiet {
			header := []string{"LINK", "FIELD", "BASE", "LEFT", "RIGHT", "WINNER"}
			if a.verbose {
				header = []string{"DECIDED", "LINK", "PAIR", "FIELD", "BASE", "LEFT", "RIGHT", "WINNER", "WHY"}
			}
			table(a.stdout, header, rows)
		}
	case "history":
		runs, err := link.Runs(ctx, w, names, limit)
		if err != nil {
			return err
		}
		if a.json {
			a.printJSON(map[string]any{"ok": true, "runs": runs})
			return nil
		}
		var rows [][]string
		for _, r := range runs {
			row := []string{r.ID, r.Link, r.Status, sideCounts(&r, func(s link.SideReport) int64 { return s.Updated }),
				fmt.Sprint(r.Unchanged), fmt.Sprint(r.Conflicts), fmt.Sprint(r.Failed)}
			if a.verbose {
				row = append(row, fmt.Sprint(r.APICalls), fmt.Sprint(r.Pairs), fmt.Sprint(r.Recovered), took(r.Seconds))
			}
			rows = append(rows, append(row, oneLine(r.Error)))
		}
		if !a.quiet {
			header := []string{"RUN", "LINK", "STATUS", "UPDATED L/R", "UNCHANGED", "CONFLICTS", "FAILED"}
			if a.verbose {
				header = append(header, "CALLS", "PAIRS", "RECOVERED", "TOOK")
			}
			table(a.stdout, append(header, "ERROR"), rows)
		}
	case "failures":
		fs, err := link.Failures(ctx, w, names, limit)
		if err != nil {
			return err
		}
		if a.json {
			a.printJSON(map[string]any{"ok": true, "failures": fs})
			return nil
		}
		// The code and the field in the table, whole; each failure's pair
		// and reason below it, wrapped (ids and messages are too long
		// for one 100-column row).
		var rows [][]string
		for _, f := range fs {
			rows = append(rows, []string{f.Link, f.Field, f.Side, f.Code, fmt.Sprint(f.Attempts), f.LastSeen.Format(time.RFC3339)})
		}
		if !a.quiet {
			table(a.stdout, []string{"LINK", "FIELD", "SIDE", "CODE", "ATTEMPTS", "LAST_SEEN"}, rows)
			if len(fs) > 0 {
				fmt.Fprintln(a.stdout, "\nwhy (pair left/right: reason):")
			}
			for _, f := range fs {
				wrap(a.stdout, fmt.Sprintf("  %s %s/%s %s: %s", f.Link, f.LeftID, f.RightID, f.Field, oneLine(f.Message)), "    ")
			}
		}
	case "transitions":
		ts, err := link.Fired(ctx, w, names, limit)
		if err != nil {
			return err
		}
		if a.json {
			a.printJSON(map[string]any{"ok": true, "transitions": ts})
			return nil
		}
		var rows [][]string
		for _, t := range ts {
			rows = append(rows, []string{render(t["link"]), render(t["transition"]), render(t["record_id"]), render(t["from"]), render(t["to"]),
				render(t["changed_at"]), render(t["state"]), render(t["target_id"]), render(t["error"])})
		}
		if !a.quiet {
			table(a.stdout, []string{"LINK", "TRANSITION", "RECORD", "FROM", "TO", "CHANGED", "STATE", "TARGET", "ERROR"}, rows)
		}
	}
	return nil
}

// runLinkStage is revops run's last stage: every link, after the syncs.
// A link is skipped, with the reason, when its entry is wrong, when one
// of its two tables failed to extract in this run, or (paired by
// crosswalk) when the crosswalk failed to build. It returns the run's
// error: exit 2 when a sync or link entry is wrong (badConfig), 1 for
// any other failure.
func (a *app) runLinkStage(ctx context.Context, cfg *configs.Config, res *models.Result, failedTables map[string]string, failures []error, badConfig bool) error {
	if len(cfg.Links) > 0 {
		a.section = "links"
		a.say("\n== links")
		var run []string
		var skipped []skippedSync
		for _, p := range link.ParseEach(cfg, writableTypes()) {
			if p.Err != nil {
				skipped = append(skipped, skippedSync{Sync: p.Name, Reasons: []string{p.Err.Error()}})
				badConfig = true
				continue
			}
			var reasons []string
			for _, sd := range p.Spec.Sides() {
				tbl := strings.ToLower(sd.Source + "." + sd.Object)
				if sd.Table != "" {
					tbl = strings.ToLower(sd.Table)
				}
				if msg, ok := failedTables[tbl]; ok {
					reasons = append(reasons, fmt.Sprintf("%s failed to extract: %s", tbl, msg))
				} else if msg, ok := failedTables[strings.ToLower(sd.Source)+".*"]; ok {
					reasons = append(reasons, fmt.Sprintf("source %s failed to extract: %s", sd.Source, msg))
				}
			}
			if p.Spec.Pair.By == "crosswalk" && res != nil {
				rel := p.Spec.Pair.Crosswalk
				if rel == "" {
					rel = "identity.crosswalk"
				}
				reasons = append(reasons, res.Blocked(rel)...)
			}
			if len(reasons) > 0 {
				skipped = append(skipped, skippedSync{Sync: p.Name, Reasons: reasons})
				continue
			}
			run = append(run, p.Name)
		}
		for _, sk := range skipped {
			a.say("link %s skipped: %s", sk.Sync, strings.Join(sk.Reasons, "; "))
			a.log.Warn("link skipped", "link", sk.Sync, "reasons", strings.Join(sk.Reasons, "; "))
		}
		if len(run) > 0 {
			if err := a.runLinks(ctx, run, linkFlags{}); err != nil {
				failures = append(failures, err)
			}
		}
		if a.run != nil {
			a.run.skippedLinks = skipped
		}
		if len(skipped) > 0 {
			if a.json {
				if a.doc == nil {
					a.doc = map[string]any{}
				}
				a.doc["skipped_links"] = skipped
			}
			var names []string
			for _, sk := range skipped {
				names = append(names, sk.Sync)
			}
			failures = append(failures, fmt.Errorf("run: links not run: %s (see the reasons above)", strings.Join(names, ", ")))
		}
	}
	if badConfig {
		// A sync or link entry that is wrong needs its config fixed:
		// exit 2, as for any bad config, after everything else ran.
		return &exitError{code: 2, err: errors.Join(failures...)}
	}
	return joinFailures(failures)
}

// printLinkReports prints a row per link (records updated on each side,
// pairs unchanged, conflicts, failures) and a closing total.
func (a *app) printLinkReports(reports []*link.Report) {
	var rows [][]string
	var upd, unch, confl, failed, calls int64
	n := 0
	for _, r := range reports {
		status := r.Status
		if r.Error != "" {
			status = "FAILED: " + oneLine(r.Error)
		}
		row := []string{r.Link, sideCounts(r, func(s link.SideReport) int64 { return s.Updated }), fmt.Sprint(r.Unchanged),
			fmt.Sprint(r.Conflicts), fmt.Sprint(r.Failed), fmt.Sprint(r.Transitions), fmt.Sprint(r.APICalls), took(r.Seconds)}
		if a.verbose {
			row = append(row, fmt.Sprint(r.Pairs), fmt.Sprint(r.Recovered))
		}
		rows = append(rows, append(row, status))
		if r.Status != targetPaused {
			n++
		}
		upd, unch, confl, failed, calls = upd+r.Updated, unch+r.Unchanged, confl+r.Conflicts, failed+r.Failed, calls+r.APICalls
	}
	header := []string{"LINK", "UPDATED L/R", "UNCHANGED", "CONFLICTS", "FAILED", "FIRED", "CALLS", "TOOK"}
	if a.verbose {
		header = append(header, "PAIRS", "RECOVERED")
	}
	table(a.stdout, append(header, "STATUS"), rows)
	for _, r := range reports {
		if r.Error != "" {
			fmt.Fprintf(a.stdout, "%s %s: %s\n", r.Link, r.Status, oneLine(r.Error))
		}
		a.printLinkDetails(r)
	}
	fmt.Fprintf(a.stdout, "%d links: %d updated, %d unchanged, %d conflicts, %d failed · %d API calls\n", n, upd, unch, confl, failed, calls)
}
