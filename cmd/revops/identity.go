package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/identity"
	"github.com/revops/revops/load/duckdb"
)

// identitySetup decodes the config's identity: section and returns its
// options and the models vars: the identity vars (thresholds, block
// size) under the config's own models.vars, which win.
func identitySetup(cfg *configs.Config) (*identity.Options, map[string]string, error) {
	opts, err := identity.Decode(cfg.Identity.Decode)
	if err != nil {
		return nil, nil, &exitError{code: 2, err: err}
	}
	vars := opts.Vars()
	for k, v := range cfg.Models.Vars {
		vars[k] = v
	}
	return &opts, vars, nil
}

func (a *app) identityCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity",
		Short: "Match records to people and companies: in the warehouse, or in any CSV file",
		Long: `identity resolves records to entities. revops build runs the identity models
on the CRM data (identity.person_links, person_clusters, ...); these commands
match any CSV file without a revops.yaml (in an in-memory DuckDB), explain
why two records did or did not match, and measure a matcher against a
labeled file.`,
	}
	cmd.AddCommand(a.identityMatchCmd(), a.identityExplainCmd(), a.identityEvaluateCmd())
	cmd.AddCommand(a.identityReviewCmds()...)
	return cmd
}

// csvFlags are the flags that name a CSV file to match.
type csvFlags struct {
	file     string
	idColumn string
	mapping  []string
	entity   string
	linkOnly bool
}

func (f *csvFlags) add(cmd *cobra.Command, required bool) {
	fl := cmd.Flags()
	fl.StringVar(&f.file, "csv", "", "CSV file to match (a header line, RFC 4180 quoting)")
	fl.StringVar(&f.idColumn, "id-column", "record_id", "column holding unique record ids")
	fl.StringSliceVar(&f.mapping, "map", nil, "roles: role=column[,role=col1+col2...] (roles: "+strings.Join(identity.CSVRoles(), ", ")+")")
	fl.StringVar(&f.entity, "entity", "auto", "person, company, or auto (person when a name or date of birth is mapped)")
	fl.BoolVar(&f.linkOnly, "link-only", false, "compare only records of different sources (the source role)")
	if required {
		_ = cmd.MarkFlagRequired("csv")
		_ = cmd.MarkFlagRequired("map")
	}
}

func (f *csvFlags) kind(m identity.RoleMap) (identity.Kind, error) {
	switch f.entity {
	case "auto", "":
		return m.Kind(), nil
	case string(identity.KindPerson), string(identity.KindCompany):
		return identity.Kind(f.entity), nil
	}
	return "", &exitError{code: 2, err: fmt.Errorf("--entity %q: want person, company or auto", f.entity)}
}

// identityOptions reads the identity: section of the config when there
// is one (--config given, or ./revops.yaml present), else the defaults.
func (a *app) identityOptions(cmd *cobra.Command) (*identity.Options, error) {
	explicit := cmd.Flags().Changed("config")
	if !explicit {
		if _, err := os.Stat(a.configPath); errors.Is(err, fs.ErrNotExist) {
			o, err := identity.Decode(nil)
			return &o, err
		}
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	o, _, err := identitySetup(cfg)
	return o, err
}

// matchCSV reads and matches the file of f in an in-memory DuckDB (the
// caller closes the returned warehouse). extra names columns to read
// besides the roles (a truth column).
func (a *app) matchCSV(ctx context.Context, cmd *cobra.Command, f *csvFlags, extra ...string) (*identity.MatchResult, *identity.CSVData, *identity.Options, *duckdb.Warehouse, error) {
	opts, err := a.identityOptions(cmd)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if f.linkOnly {
		opts.Matching.LinkOnly = true
		if err := opts.Validate(); err != nil {
			return nil, nil, nil, nil, &exitError{code: 2, err: err}
		}
	}
	m, err := identity.ParseRoleMap(strings.Join(f.mapping, ","))
	if err != nil {
		return nil, nil, nil, nil, &exitError{code: 2, err: err}
	}
	kind, err := f.kind(m)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if _, ok := m[identity.RoleSource]; !ok && f.linkOnly {
		return nil, nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("--link-only needs the source role in --map (source=column)")}
	}
	file, err := os.Open(f.file)
	if err != nil {
		return nil, nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("identity: %w", err)}
	}
	defer file.Close()
	data, err := identity.ReadCSV(file, f.file, f.idColumn, m, extra...)
	if err != nil {
		return nil, nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("identity: %w", err)}
	}
	for _, w := range data.Warnings {
		a.log.Warn(w)
	}
	w, err := duckdb.Open(ctx, duckdb.Options{Path: ":memory:"})
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("identity: %w", err)
	}
	iw, ok := any(w).(identity.Warehouse)
	if !ok {
		_ = w.Close()
		return nil, nil, nil, nil, fmt.Errorf("identity: this build's DuckDB cannot build models (build with -tags duckdb_arrow)")
	}
	res, err := identity.MatchCSV(ctx, iw, data, kind, opts)
	if err != nil {
		_ = w.Close()
		return nil, nil, nil, nil, err
	}
	return res, data, opts, w, nil
}

func (a *app) identityMatchCmd() *cobra.Command {
	var f csvFlags
	var out string
	cmd := &cobra.Command{
		Use:   "match --csv FILE --map role=column,...",
		Short: "Match the records of a CSV file to entities: writes record_id,entity_id,score",
		Long: `match normalizes, blocks, scores and clusters the records of a CSV file and
writes one line per record: record_id, entity_id (the smallest record id of
its entity) and score (the highest match probability among the record's
links; empty for a record that matched nothing), to --out or stdout.

--map names the columns of the roles the matcher compares:
  first_name, last_name, full_name, email, phone, company, city, postcode,
  address, country, website, date_of_birth, state, gender, id_number,
  occupation, birth_place, and source (the file or system a record comes from).
A role may read several columns joined by a space: address=number+street.
A mapped column the file lacks, or that is empty in every row, is reported
and matching goes on with what is there. People are matched when a name or a
date of birth is mapped, companies otherwise (--entity overrides).
No revops.yaml is needed; when there is one, its identity: section applies.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, data, _, w, err := a.matchCSV(cmd.Context(), cmd, &f)
			if err != nil {
				return err
			}
			defer w.Close()
			var dst io.Writer = a.stdout
			if out != "" {
				file, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("identity match: %w", err)
				}
				defer file.Close()
				dst = file
			}
			doc := map[string]any{"ok": true, "entity": res.Kind, "stats": res.Stats, "warnings": nonNil(data.Warnings)}
			if a.json && out == "" {
				rows := make([]map[string]any, len(res.Assignments))
				for i, as := range res.Assignments {
					rows[i] = map[string]any{"record_id": as.RecordID, "entity_id": as.EntityID, "score": jsonScore(as.Score)}
				}
				doc["assignments"] = rows
			} else if err := writeAssignments(dst, res.Assignments); err != nil {
				return fmt.Errorf("identity match: write: %w", err)
			}
			if out != "" {
				doc["out"] = out
			}
			if a.json {
				a.printJSON(doc)
				return nil
			}
			if !a.quiet {
				say := a.stdout
				if out == "" {
					say = a.stderr // stdout holds the CSV
				}
				s := res.Stats
				fmt.Fprintf(say, "%d %s records → %d entities · %d candidate pairs compared, %d linked, %d for review · %.1fs\n",
					s.Records, res.Kind, s.Entities, s.CandidatePairs, s.LinkedPairs, s.ReviewPairs, s.Seconds)
			}
			return nil
		},
	}
	f.add(cmd, true)
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the CSV here (default stdout)")
	return cmd
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func jsonScore(s float64) any {
	if math.IsNaN(s) {
		return nil
	}
	return math.Round(s*1e6) / 1e6
}

func writeAssignments(w io.Writer, as []identity.Assignment) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"record_id", "entity_id", "score"}); err != nil {
		return err
	}
	for _, x := range as {
		score := ""
		if !math.IsNaN(x.Score) {
			score = strconv.FormatFloat(x.Score, 'f', 4, 64)
		}
		if err := cw.Write([]string{x.RecordID, x.EntityID, score}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (a *app) identityEvaluateCmd() *cobra.Command {
	var f csvFlags
	var truthCol, predictions string
	cmd := &cobra.Command{
		Use:   "evaluate --csv FILE --map role=column,... --truth-column COLUMN",
		Short: "Measure matching against a labeled CSV file: pairwise precision, recall, F1 and B-cubed",
		Long: `evaluate matches a labeled CSV file (the same flags as match) and compares the
entities found with the file's truth column (records with the same value are
the same entity; the column is never a matching feature). With --predictions
it reads a match output (record_id,entity_id,...) instead of matching.
It prints pairwise precision, recall and F1 with the true positive, false
positive and false negative pair counts (pairs in one entity, after the
transitive closure of the links), and B-cubed precision, recall and F1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pred := map[string]string{}
			var truth map[string]string
			var stats *identity.MatchStats
			if predictions != "" {
				file, err := os.Open(f.file)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("identity: %w", err)}
				}
				data, err := identity.ReadCSV(file, f.file, f.idColumn, identity.RoleMap{}, truthCol)
				file.Close()
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("identity: %w", err)}
				}
				truth = truthOf(data, truthCol)
				if pred, err = readPredictions(predictions); err != nil {
					return &exitError{code: 2, err: err}
				}
			} else {
				if len(f.mapping) == 0 {
					return &exitError{code: 2, err: fmt.Errorf("evaluate: --map is required (or --predictions)")}
				}
				res, data, _, w, err := a.matchCSV(cmd.Context(), cmd, &f, truthCol)
				if err != nil {
					return err
				}
				w.Close()
				for _, as := range res.Assignments {
					pred[as.RecordID] = as.EntityID
				}
				truth = truthOf(data, truthCol)
				stats = &res.Stats
			}
			ev, err := identity.Evaluate(pred, truth)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if a.json {
				doc := map[string]any{"ok": true,
					"pairwise": map[string]any{"precision": ev.Precision, "recall": ev.Recall, "f1": ev.F1,
						"true_positives": ev.TruePositives, "false_positives": ev.FalsePositives, "false_negatives": ev.FalseNegatives},
					"bcubed":  map[string]any{"precision": ev.BCubedPrecision, "recall": ev.BCubedRecall, "f1": ev.BCubedF1},
					"records": ev.Records, "predicted_entities": ev.PredictedEntities, "true_entities": ev.TrueEntities}
				if stats != nil {
					doc["stats"] = stats
				}
				a.printJSON(doc)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "records\t%d\t(%d entities found, %d true)\n", ev.Records, ev.PredictedEntities, ev.TrueEntities)
			fmt.Fprintf(tw, "pairwise\tprecision %.4f\trecall %.4f\tF1 %.4f\t(TP %d, FP %d, FN %d)\n",
				ev.Precision, ev.Recall, ev.F1, ev.TruePositives, ev.FalsePositives, ev.FalseNegatives)
			fmt.Fprintf(tw, "B-cubed\tprecision %.4f\trecall %.4f\tF1 %.4f\t\n", ev.BCubedPrecision, ev.BCubedRecall, ev.BCubedF1)
			return tw.Flush()
		},
	}
	f.add(cmd, false)
	_ = cmd.MarkFlagRequired("csv")
	cmd.Flags().StringVar(&truthCol, "truth-column", "", "column holding the true entity of each record")
	_ = cmd.MarkFlagRequired("truth-column")
	cmd.Flags().StringVar(&predictions, "predictions", "", "a match output (record_id,entity_id) to score instead of matching")
	return cmd
}

func truthOf(d *identity.CSVData, col string) map[string]string {
	out := make(map[string]string, len(d.IDs))
	for i, id := range d.IDs {
		out[id] = d.Extra[col][i]
	}
	return out
}

// readPredictions reads record_id,entity_id from a match output.
func readPredictions(path string) (map[string]string, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--predictions: %w", err)
	}
	defer file.Close()
	d, err := identity.ReadCSV(file, path, "record_id", identity.RoleMap{}, "entity_id")
	if err != nil {
		return nil, fmt.Errorf("--predictions: %w", err)
	}
	out := make(map[string]string, len(d.IDs))
	for i, id := range d.IDs {
		out[id] = d.Extra["entity_id"][i]
	}
	return out, nil
}

func (a *app) identityExplainCmd() *cobra.Command {
	var f csvFlags
	cmd := &cobra.Command{
		Use:   "explain ID1 ID2",
		Short: "Show why two records did or did not match: each comparison, its level and weight",
		Long: `explain compares two records the way the matcher did: each comparison with
both values, the level they reached and its weight (m and u, and the
adjustment for how common the value is), the prior, the total match weight
and probability against the thresholds, the blocking rules that paired the
records (or that none did), the pair's link and whether they share a cluster.
It reads the warehouse of revops.yaml (after revops build), or, with --csv and
--map, matches that file first (in memory) and explains two of its records.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var e *identity.Explanation
			if f.file != "" {
				res, _, opts, w, err := a.matchCSV(ctx, cmd, &f)
				if err != nil {
					return err
				}
				defer w.Close()
				if e, err = identity.Explain(ctx, any(w).(identity.Warehouse), res.Project, res.Kind, args[0], args[1], opts); err != nil {
					return &exitError{code: 1, err: err}
				}
			} else {
				cfg, p, err := a.loadProject()
				if err != nil {
					return err
				}
				opts, _, err := identitySetup(cfg)
				if err != nil {
					return err
				}
				w, closeWH, err := openModelWarehouse(ctx, cfg)
				if err != nil {
					return err
				}
				defer closeWH()
				kind := identity.Kind("")
				if f.entity != "auto" {
					kind = identity.Kind(f.entity)
				}
				if e, err = identity.Explain(ctx, w, p, kind, args[0], args[1], opts); err != nil {
					return &exitError{code: 1, err: err}
				}
			}
			if a.json {
				a.printJSON(map[string]any{"ok": true, "explanation": e})
				return nil
			}
			a.printExplanation(e)
			return nil
		},
	}
	f.add(cmd, false)
	return cmd
}

func (a *app) printExplanation(e *identity.Explanation) {
	w := a.stdout
	fmt.Fprintf(w, "%s %s ↔ %s\n", e.Kind, e.RecordL, e.RecordR)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  comparison\tleft\tright\tlevel\tweight\t")
	for _, c := range e.Comparisons {
		if c.Left == "" && c.Right == "" {
			continue // a field neither record has
		}
		weight := fmt.Sprintf("%+.2f", c.Weight)
		if c.TFAdjustment != 0 {
			weight += fmt.Sprintf(" %+.2f tf", c.TFAdjustment)
		}
		if c.Group != "" && c.Weight+c.TFAdjustment > 0 {
			weight += " (" + c.Group + ")"
		}
		if c.Level < 0 {
			weight = "·"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t\n", c.Comparison, clip(c.Left, 28), clip(c.Right, 28), c.LevelName, weight)
	}
	fmt.Fprintf(tw, "  prior\t\t\t\t%+.2f\t\n", e.PriorWeight)
	tw.Flush()
	verdict := "below the review threshold"
	switch {
	case e.MatchProbability >= e.LinkThreshold:
		verdict = fmt.Sprintf("at or above the link threshold %g", e.LinkThreshold)
	case e.MatchProbability >= e.ReviewThreshold:
		verdict = fmt.Sprintf("between the review threshold %g and the link threshold %g", e.ReviewThreshold, e.LinkThreshold)
	}
	fmt.Fprintf(w, "match weight %.2f, probability %.4f: %s\n", e.MatchWeight, e.MatchProbability, verdict)
	if hasGroup(e) {
		fmt.Fprintln(w, "(places: only the strongest agreement among them counts; every disagreement does)")
	}
	if e.Guard != "" {
		fmt.Fprintf(w, "a score never links them: %s\n", e.Guard)
	}
	if e.Candidate {
		fmt.Fprintf(w, "compared: blocking rules %s paired them", strings.Join(e.BlockedBy, ", "))
		if e.Deterministic != "" {
			fmt.Fprintf(w, " (deterministic rule %s links them)", e.Deterministic)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "not compared: no blocking rule paired them (the score above is what they would get)")
	}
	switch {
	case e.Rule != "" && e.Linked:
		fmt.Fprintf(w, "linked (%s)\n", e.Rule)
	case e.Rule != "":
		fmt.Fprintf(w, "not linked (%s): for review\n", e.Rule)
	default:
		fmt.Fprintln(w, "not linked")
	}
	if e.SameCluster {
		fmt.Fprintf(w, "same entity: cluster %s\n", e.ClusterL)
	} else {
		fmt.Fprintf(w, "different entities: clusters %s and %s\n", e.ClusterL, e.ClusterR)
	}
}

func hasGroup(e *identity.Explanation) bool {
	for _, c := range e.Comparisons {
		if c.Group != "" && c.Level >= 0 {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}
