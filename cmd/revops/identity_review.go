package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/revops/revops/load"
)

// The review workflow of identity: `revops identity review` lists the
// pairs the matcher was unsure about (identity.review), `revops identity
// decide` records what a person decided about a pair in
// _revops.identity_decisions, and `revops identity decisions` lists what
// was decided. Every later build honours the decisions (identity.decisions
// feeds the matcher's links and clusters).

// identityReviewCmds are the review workflow's subcommands of `revops
// identity`.
func (a *app) identityReviewCmds() []*cobra.Command {
	return []*cobra.Command{a.identityReviewCmd(), a.identityDecideCmd(), a.identityDecisionsCmd()}
}

// Decisions a person can record; "clear" withdraws the pair's decision.
const (
	decisionMatch   = "match"
	decisionNoMatch = "no_match"
	decisionClear   = "clear"
)

func (a *app) identityDecideCmd() *cobra.Command {
	var note, by string
	cmd := &cobra.Command{
		Use:   "decide ID1 ID2 match|no-match|clear",
		Short: "Record that two records are (match) or are not (no-match) the same person or company",
		Long: `decide records a person's decision about two records, by their record ids
(identity.crosswalk.record_id, e.g. zoho_crm:Leads:5725767000000001075 and
salesforce:Contact:0035g00000AbCdEAAV; identity review lists pairs to decide).
Every later build honours it: match links the two records into one golden
record; no-match keeps the matcher from linking them directly (records still
join through other links); clear withdraws the pair's decision. A match may
also name two golden ids (P-..., C-...): their records become one golden
record, which keeps the older id. The decision is kept in
_revops.identity_decisions (who, when, --note) and takes effect at the next
revops build.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			decision, err := parseDecision(args[2])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			_, w, err := a.openConfigured(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			if by == "" {
				by, _ = a.env("USER")
			}
			d, err := recordDecision(cmd.Context(), w, args[0], args[1], decision, by, note)
			if err != nil {
				return err
			}
			if a.json {
				a.printJSON(map[string]any{"ok": true, "entity": d.entity, "record_id_l": d.left, "record_id_r": d.right,
					"decision": d.decision, "decided_at": d.at, "decided_by": d.by, "note": d.note})
				return nil
			}
			switch decision {
			case decisionMatch:
				a.say("recorded: %s and %s are the same %s (from the next revops build)", d.left, d.right, d.entity)
			case decisionNoMatch:
				a.say("recorded: %s and %s are different %ss (from the next revops build)", d.left, d.right, d.entity)
			default:
				a.say("recorded: the decision about %s and %s is withdrawn; the matcher decides again at the next revops build", d.left, d.right)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "why (kept with the decision)")
	cmd.Flags().StringVar(&by, "by", "", "who decided (default $USER)")
	return cmd
}

func parseDecision(s string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(s, "-", "_")) {
	case "match", "same":
		return decisionMatch, nil
	case "no_match", "nomatch", "different":
		return decisionNoMatch, nil
	case "clear", "undo":
		return decisionClear, nil
	}
	return "", fmt.Errorf("decision %q: want match, no-match or clear", s)
}

// decision is one recorded decision.
type decision struct {
	entity, left, right, decision, by, note string
	at                                      time.Time
}

// recordDecision checks both ids against the identity models (records, or
// golden ids for a match) and appends the decision.
func recordDecision(ctx context.Context, w load.Warehouse, id1, id2, what, by, note string) (*decision, error) {
	if id1 == id2 {
		return nil, &exitError{code: 2, err: fmt.Errorf("decide: %s twice: name two different records", id1)}
	}
	e1, r1, err := resolveRecord(ctx, w, id1, what)
	if err != nil {
		return nil, err
	}
	e2, r2, err := resolveRecord(ctx, w, id2, what)
	if err != nil {
		return nil, err
	}
	if e1 != e2 {
		return nil, &exitError{code: 2, err: fmt.Errorf("decide: %s is a %s record and %s a %s record: a decision pairs two persons or two companies", id1, e1, id2, e2)}
	}
	if r1 == r2 {
		return nil, &exitError{code: 2, err: fmt.Errorf("decide: %s and %s are the same record", id1, id2)}
	}
	if r2 < r1 {
		r1, r2 = r2, r1
	}
	d := &decision{entity: e1, left: r1, right: r2, decision: what, by: by, note: note, at: time.Now().UTC()}
	err = w.Exec(ctx, `INSERT INTO _revops.identity_decisions
		(entity, record_id_l, record_id_r, decision, decided_at, decided_by, note, seq)
		SELECT ?, ?, ?, ?, ?, ?, ?, coalesce(max(seq), 0) + 1 FROM _revops.identity_decisions`,
		d.entity, d.left, d.right, d.decision, d.at, nullable(d.by), nullable(d.note))
	if err != nil {
		return nil, fmt.Errorf("decide: record the decision: %w", err)
	}
	return d, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// resolveRecord finds id among the records of the last build (persons
// first, then companies); for a match, a golden id stands for one of its
// records (the one it was minted for, if still present). It returns the
// entity and the record id.
func resolveRecord(ctx context.Context, w load.Warehouse, id, what string) (string, string, error) {
	for _, t := range []string{"person_input", "company_input", "person_id_state", "company_id_state"} {
		ok, err := relationExists(ctx, w, "identity", t)
		if err != nil {
			return "", "", err
		}
		if !ok {
			return "", "", &exitError{code: 1, err: fmt.Errorf("decide: identity.%s does not exist: run revops build first", t)}
		}
	}
	for _, e := range []string{"person", "company"} {
		rows, err := queryAll(ctx, w, `SELECT record_id FROM identity.`+e+`_input WHERE record_id = ?`, id)
		if err != nil {
			return "", "", fmt.Errorf("decide: look up %s: %w", id, err)
		}
		if len(rows) > 0 {
			return e, id, nil
		}
	}
	for _, e := range []string{"person", "company"} {
		// A golden id, resolved through merges, stands for a present record.
		rows, err := queryAll(ctx, w, `WITH g AS (
				SELECT DISTINCT CASE WHEN id_status = 'merged' THEN merged_into ELSE golden_id END AS live
				FROM identity.`+e+`_id_state WHERE golden_id = ?)
			SELECT s.record_id FROM identity.`+e+`_id_state AS s JOIN g ON s.golden_id = g.live
			WHERE s.is_present
			ORDER BY s.record_id = s.anchor_record_id DESC, s.record_id LIMIT 1`, id)
		if err != nil {
			return "", "", fmt.Errorf("decide: look up %s: %w", id, err)
		}
		if len(rows) > 0 {
			if what != decisionMatch {
				return "", "", &exitError{code: 2, err: fmt.Errorf("decide: %s is a golden id: only match takes golden ids (a golden record holds several records; no-match and clear name two record ids, e.g. from identity review)", id)}
			}
			return e, rows[0][0].(string), nil
		}
	}
	return "", "", &exitError{code: 2, err: fmt.Errorf("decide: %q is no person or company record of the last build (not in identity.person_input or identity.company_input); record ids look like zoho_crm:Leads:5725767000000001075 or salesforce:Contact:0035g00000AbCdEAAV (see identity.crosswalk; run revops build if the record is new)", id)}
}

// relationExists reports whether schema.name is a table or view.
func relationExists(ctx context.Context, w load.Warehouse, schema, name string) (bool, error) {
	if m, ok := w.(load.Materializer); ok && w.Dialect() != "duckdb" {
		// BigQuery keeps an INFORMATION_SCHEMA per dataset: ask the engine.
		rels, err := m.Relations(ctx)
		if err != nil {
			return false, fmt.Errorf("look up %s.%s: %w", schema, name, err)
		}
		for _, r := range rels {
			if strings.EqualFold(r.Schema, schema) && strings.EqualFold(r.Name, name) {
				return true, nil
			}
		}
		return false, nil
	}
	rows, err := queryAll(ctx, w, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, name)
	if err != nil {
		return false, fmt.Errorf("look up %s.%s: %w", schema, name, err)
	}
	return len(rows) == 1 && rows[0][0] != nil && rows[0][0].(int64) > 0, nil
}

func queryAll(ctx context.Context, w load.StateStore, q string, args ...any) ([][]any, error) {
	r, err := w.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	_, rows, err := load.ReadAll(r)
	return rows, err
}

func (a *app) identityReviewCmd() *cobra.Command {
	var entity string
	var limit int
	cmd := &cobra.Command{
		Use:   "review",
		Short: "List the pairs of records the matcher was unsure about, most likely first",
		Long: `review lists identity.review as the last build left it: pairs of records the
matcher scored between the review and the link thresholds, in different golden
records and not decided yet, most likely matches first, each with both records
side by side and the evidence (every comparison's level and weight). Decide a
pair with revops identity decide ID1 ID2 match|no-match; the next build
honours it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch entity {
			case "", "person", "company":
			default:
				return &exitError{code: 2, err: fmt.Errorf("--entity %q: want person or company", entity)}
			}
			if limit < 0 {
				return &exitError{code: 2, err: fmt.Errorf("--limit %d: want 0 (all) or more", limit)}
			}
			_, w, err := a.openConfigured(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			ok, err := relationExists(cmd.Context(), w, "identity", "review")
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("review: identity.review does not exist: run revops build first")
			}
			q := `SELECT entity, record_id_l, record_id_r, golden_id_l, golden_id_r, match_probability, match_weight,
				evidence, name_l, name_r, email_l, email_r, phone_l, phone_r, company_l, company_r, city_l, city_r
				FROM identity.review WHERE (? = '' OR entity = ?)
				ORDER BY match_probability DESC, record_id_l, record_id_r`
			rows, err := queryAll(cmd.Context(), w, q, entity, entity)
			if err != nil {
				return fmt.Errorf("review: %w", err)
			}
			total := len(rows)
			if limit > 0 && len(rows) > limit {
				rows = rows[:limit]
			}
			cols := []string{"entity", "record_id_l", "record_id_r", "golden_id_l", "golden_id_r", "match_probability",
				"match_weight", "evidence", "name_l", "name_r", "email_l", "email_r", "phone_l", "phone_r",
				"company_l", "company_r", "city_l", "city_r"}
			if a.json {
				pairs := make([]map[string]any, len(rows))
				for i, r := range rows {
					m := map[string]any{}
					for c, v := range r {
						m[cols[c]] = v
					}
					pairs[i] = m
				}
				a.printJSON(map[string]any{"ok": true, "total": total, "pairs": pairs})
				return nil
			}
			if a.quiet {
				return nil
			}
			for _, r := range rows {
				s := func(i int) string {
					if r[i] == nil {
						return ""
					}
					return fmt.Sprint(r[i])
				}
				p, _ := r[5].(float64)
				fmt.Fprintf(a.stdout, "%.3f  %-7s  %s  %s\n", p, s(0), s(1), s(2))
				fmt.Fprintf(a.stdout, "       %s\n", side(s(8), s(10), s(12), s(14), s(16)))
				fmt.Fprintf(a.stdout, "       %s\n", side(s(9), s(11), s(13), s(15), s(17)))
				if e := s(7); e != "" {
					fmt.Fprintf(a.stdout, "       %s\n", e)
				}
			}
			shown := ""
			if len(rows) < total {
				shown = " (showing " + strconv.Itoa(len(rows)) + "; --limit 0 for all)"
			}
			a.say("%d pairs to review%s. Decide with: revops identity decide ID1 ID2 match|no-match", total, shown)
			return nil
		},
	}
	cmd.Flags().StringVar(&entity, "entity", "", "person or company (default both)")
	cmd.Flags().IntVar(&limit, "limit", 20, "pairs to show, most likely first (0 for all)")
	return cmd
}

// side joins a record's values for one line of review.
func side(vals ...string) string {
	var parts []string
	for _, v := range vals {
		if v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return "(no values)"
	}
	return strings.Join(parts, " · ")
}

func (a *app) identityDecisionsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "decisions",
		Short: "List the decisions in force (the latest per pair), newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, w, err := a.openConfigured(cmd.Context())
			if err != nil {
				return err
			}
			defer w.Close()
			rows, err := queryAll(cmd.Context(), w, `SELECT entity, record_id_l, record_id_r, decision, decided_at, decided_by, note
				FROM (SELECT d.*, row_number() OVER (PARTITION BY entity, record_id_l, record_id_r ORDER BY decided_at DESC, seq DESC) AS rn
				      FROM _revops.identity_decisions AS d) AS x
				WHERE rn = 1 AND decision <> 'clear'
				ORDER BY decided_at DESC, record_id_l, record_id_r`)
			if err != nil {
				return fmt.Errorf("decisions: %w", err)
			}
			cols := []string{"entity", "record_id_l", "record_id_r", "decision", "decided_at", "decided_by", "note"}
			if a.json {
				out := make([]map[string]any, len(rows))
				for i, r := range rows {
					m := map[string]any{}
					for c, v := range r {
						m[cols[c]] = v
					}
					out[i] = m
				}
				a.printJSON(map[string]any{"ok": true, "decisions": out})
				return nil
			}
			if a.quiet {
				return nil
			}
			text := make([][]string, len(rows))
			for i, r := range rows {
				text[i] = make([]string, len(r))
				for c, v := range r {
					if v == nil {
						continue
					}
					text[i][c] = render(v)
				}
			}
			table(a.stdout, []string{"ENTITY", "RECORD", "RECORD", "DECISION", "DECIDED AT", "BY", "NOTE"}, text)
			return nil
		},
	}
}
