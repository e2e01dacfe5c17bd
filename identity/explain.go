package identity

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/revops/revops/load"
	"github.com/revops/revops/models"
)

// ComparisonExplained is one comparison of an explained pair.
type ComparisonExplained struct {
	Comparison string `json:"comparison"`
	Left       string `json:"left"`
	Right      string `json:"right"`
	Level      int    `json:"level"`
	LevelName  string `json:"level_name"`
	// M and U are the level's probabilities among matches and non-matches
	// (nil for a missing value).
	M *float64 `json:"m,omitempty"`
	U *float64 `json:"u,omitempty"`
	// Weight is the level's match weight; TFAdjustment what the value's
	// frequency adds to it (top levels only).
	Weight       float64 `json:"weight"`
	TFAdjustment float64 `json:"tf_adjustment"`
	// Group is the comparison's group (places, employer): within a group
	// only the strongest agreement adds to the match weight, and every
	// disagreement (Comparison.Group).
	Group string `json:"group,omitempty"`
}

// Explanation says why two records did or did not match.
type Explanation struct {
	Kind    Kind   `json:"entity"`
	RecordL string `json:"record_id_l"`
	RecordR string `json:"record_id_r"`
	// Candidate: a blocking rule paired the records (else they were never
	// compared, and the score below is what they would have scored).
	Candidate        bool                  `json:"candidate"`
	BlockedBy        []string              `json:"blocked_by"`
	Deterministic    string                `json:"deterministic,omitempty"`
	PriorWeight      float64               `json:"prior_weight"`
	Comparisons      []ComparisonExplained `json:"comparisons"`
	MatchWeight      float64               `json:"match_weight"`
	MatchProbability float64               `json:"match_probability"`
	LinkThreshold    float64               `json:"link_threshold"`
	ReviewThreshold  float64               `json:"review_threshold"`
	// Guard names the rule that keeps the score from linking the pair
	// whatever it is ("" when none applies).
	Guard string `json:"guard,omitempty"`
	// Linked and Rule are the pair's row in identity.<kind>_links (Linked
	// false and Rule "" when the pair is not there).
	Linked bool   `json:"linked"`
	Rule   string `json:"rule,omitempty"`
	// ClusterL and ClusterR are the records' clusters.
	ClusterL    string `json:"cluster_l"`
	ClusterR    string `json:"cluster_r"`
	SameCluster bool   `json:"same_cluster"`
}

// comparisonColumn is the feature column each comparison shows.
var comparisonColumn = map[string]string{
	"first_name": "first_name", "last_name": "last_name", "dob": "dob", "email": "email", "phone": "phone",
	"postcode": "postcode", "city": "city", "address": "address", "company": "company", "domain": "domain",
	"id_number": "id_number", "gender": "gender", "state": "state", "country": "country",
	"occupation": "occupation", "birth_place": "birth_place",
}

// Explain compares two records of the built identity models (of kind, or
// whichever kind holds both when kind is ""), level by level, with the
// weights of identity.<kind>_weights, and says whether they were
// compared, linked and clustered. p must be the project that built them
// (its comparisons model is rendered for the one pair).
func Explain(ctx context.Context, wh models.Warehouse, p *models.Project, kind Kind, id1, id2 string, o *Options) (*Explanation, error) {
	if id1 == id2 {
		return nil, fmt.Errorf("explain: give two different record ids")
	}
	kinds := []Kind{kind}
	if kind == "" {
		kinds = []Kind{KindPerson, KindCompany}
	}
	var rn map[string]int64
	var missing []string
	for _, k := range kinds {
		got, err := recordNumbers(ctx, wh, k, id1, id2)
		if err != nil {
			return nil, err
		}
		if len(got) == 2 {
			kind, rn = k, got
			break
		}
		for _, id := range []string{id1, id2} {
			if _, ok := got[id]; !ok {
				missing = append(missing, fmt.Sprintf("%s is not in identity.%s_features", id, k))
			}
		}
	}
	if rn == nil {
		return nil, fmt.Errorf("explain: %s", strings.Join(missing, "; "))
	}
	l, r := id1, id2
	if r < l {
		l, r = r, l
	}
	k := string(kind)
	e := &Explanation{Kind: kind, RecordL: l, RecordR: r, LinkThreshold: o.Matching.LinkThreshold,
		ReviewThreshold: o.Matching.ReviewThreshold, BlockedBy: []string{}}
	mc := wh.Macros()

	// The comparison levels, from the model's own SQL over this one pair.
	sql, err := p.Compile(ctx, wh, "identity."+k+"_comparisons")
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	pairsRel := mc.Relation(load.Table{Schema: "identity", Name: k + "_pairs"})
	if !strings.Contains(sql, pairsRel) {
		return nil, fmt.Errorf("explain: identity.%s_comparisons does not read %s", k, pairsRel)
	}
	one := fmt.Sprintf("(SELECT 'explain' AS kind, CAST(%d AS BIGINT) AS rn_l, CAST(%d AS BIGINT) AS rn_r, CAST(0 AS BIGINT) AS rules, CAST(NULL AS VARCHAR) AS deterministic)",
		rn[l], rn[r])
	levels, err := queryMap(ctx, wh, "SELECT * FROM ("+strings.Replace(sql, pairsRel, one, 1)+") AS x")
	if err != nil {
		return nil, err
	}
	if len(levels) != 1 {
		return nil, fmt.Errorf("explain: the comparison of the pair returned %d rows", len(levels))
	}
	lv := levels[0]
	feats, err := queryMap(ctx, wh, "SELECT * FROM identity."+k+"_features WHERE rn IN (?, ?) ORDER BY rn", rn[l], rn[r])
	if err != nil {
		return nil, err
	}
	if len(feats) != 2 {
		return nil, fmt.Errorf("explain: identity.%s_features holds %d rows of the pair", k, len(feats))
	}
	weights, err := queryMap(ctx, wh, "SELECT comparison, level, level_name, m, u, weight FROM identity."+k+"_weights")
	if err != nil {
		return nil, err
	}
	type wkey struct {
		c string
		l int64
	}
	wt := map[wkey]map[string]any{}
	for _, w := range weights {
		wt[wkey{asString(w["comparison"]), asInt(w["level"])}] = w
	}
	prior, ok := wt[wkey{"_prior", 0}]
	if !ok {
		return nil, fmt.Errorf("explain: identity.%s_weights has no prior", k)
	}
	e.PriorWeight = asFloat(prior["weight"])
	e.MatchWeight = e.PriorWeight
	best := map[string]float64{} // per group, its strongest agreement
	for _, c := range Comparisons(kind) {
		level := asInt(lv["c_"+c.Name])
		ce := ComparisonExplained{Comparison: c.Name, Level: int(level), LevelName: "missing",
			Left: asString(feats[0][comparisonColumn[c.Name]]), Right: asString(feats[1][comparisonColumn[c.Name]])}
		if w, ok := wt[wkey{c.Name, level}]; ok {
			ce.LevelName = asString(w["level_name"])
			ce.Weight = asFloat(w["weight"])
			if v, ok := w["m"].(float64); ok {
				ce.M = &v
			}
			if v, ok := w["u"].(float64); ok {
				ce.U = &v
				if tf, ok := lv["tf_"+c.Name].(float64); ok && tf > 0 {
					ce.TFAdjustment = math.Log2(v / tf)
				}
			}
		}
		total := ce.Weight + ce.TFAdjustment
		ce.Group = c.Group
		if c.Group != "" && total > 0 {
			best[c.Group] = math.Max(best[c.Group], total)
		} else {
			e.MatchWeight += total
		}
		e.Comparisons = append(e.Comparisons, ce)
	}
	for _, b := range best {
		e.MatchWeight += b
	}
	e.Guard = guard(kind, lv)
	e.MatchProbability = 1 / (1 + math.Exp2(-e.MatchWeight))

	// Was the pair a candidate, and which rules paired it?
	pr, err := queryMap(ctx, wh, "SELECT rules, deterministic FROM identity."+k+"_pairs WHERE kind = 'candidate' AND rn_l = ? AND rn_r = ?", rn[l], rn[r])
	if err != nil {
		return nil, err
	}
	if len(pr) == 1 {
		e.Candidate = true
		e.Deterministic = asString(pr[0]["deterministic"])
		mask := asInt(pr[0]["rules"])
		rules, err := queryMap(ctx, wh, "SELECT rule, name FROM identity."+k+"_rules ORDER BY rule")
		if err != nil {
			return nil, err
		}
		for _, rule := range rules {
			if mask&(int64(1)<<asInt(rule["rule"])) != 0 {
				e.BlockedBy = append(e.BlockedBy, asString(rule["name"]))
			}
		}
	}
	link, err := queryMap(ctx, wh, "SELECT linked, rule FROM identity."+k+"_links WHERE record_id_l = ? AND record_id_r = ?", l, r)
	if err != nil {
		return nil, err
	}
	if len(link) == 1 {
		e.Linked, _ = link[0]["linked"].(bool)
		e.Rule = asString(link[0]["rule"])
	}
	cl, err := queryMap(ctx, wh, "SELECT record_id, cluster_id FROM identity."+k+"_clusters WHERE record_id IN (?, ?)", l, r)
	if err != nil {
		return nil, err
	}
	for _, c := range cl {
		if asString(c["record_id"]) == l {
			e.ClusterL = asString(c["cluster_id"])
		} else {
			e.ClusterR = asString(c["cluster_id"])
		}
	}
	e.SameCluster = e.ClusterL != "" && e.ClusterL == e.ClusterR
	return e, nil
}

// guard says which rule of the links models keeps a score from linking
// the pair (person_links.sql, company_links.sql).
func guard(kind Kind, levels map[string]any) string {
	switch {
	case kind == KindPerson && asInt(levels["c_first_name"]) == 0 && asInt(levels["c_last_name"]) == 0:
		return "first and last names both differ"
	case kind == KindPerson && levels["numbered_mailboxes"] == true:
		return "two mailboxes of one domain told apart by their number"
	case kind == KindCompany && asInt(levels["c_address"]) == 0:
		return "the street addresses differ"
	}
	return ""
}

// recordNumbers returns the rn of the ids found in identity.<kind>_features.
func recordNumbers(ctx context.Context, wh load.StateStore, kind Kind, ids ...string) (map[string]int64, error) {
	rows, err := queryMap(ctx, wh, "SELECT record_id, rn FROM identity."+string(kind)+"_features WHERE record_id IN (?, ?)", ids[0], ids[1])
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return map[string]int64{}, nil
		}
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[asString(r["record_id"])] = asInt(r["rn"])
	}
	return out, nil
}

// queryMap runs q and returns its rows keyed by column name.
func queryMap(ctx context.Context, wh load.StateStore, q string, args ...any) ([]map[string]any, error) {
	r, err := wh.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	cols, rows, err := load.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	out := make([]map[string]any, len(rows))
	for i, row := range rows {
		m := make(map[string]any, len(cols))
		for j, c := range cols {
			m[c] = row[j]
		}
		out[i] = m
	}
	return out, nil
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return math.NaN()
}
