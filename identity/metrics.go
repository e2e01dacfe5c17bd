package identity

import (
	"context"
	"fmt"

	"github.com/revops/revops/load"
)

// Evaluation compares predicted entities with true ones.
type Evaluation struct {
	Records int `json:"records"`
	// Pairwise counts pairs of records in one entity: true positives
	// (in one predicted and one true entity), false positives (predicted
	// only) and false negatives (true only), after transitive closure.
	TruePositives  int64   `json:"true_positives"`
	FalsePositives int64   `json:"false_positives"`
	FalseNegatives int64   `json:"false_negatives"`
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	F1             float64 `json:"f1"`
	// BCubed scores each record by the overlap of its predicted and true
	// entities, averaged over records.
	BCubedPrecision   float64 `json:"bcubed_precision"`
	BCubedRecall      float64 `json:"bcubed_recall"`
	BCubedF1          float64 `json:"bcubed_f1"`
	PredictedEntities int     `json:"predicted_entities"`
	TrueEntities      int     `json:"true_entities"`
}

// Evaluate scores predicted against truth (both map a record id to its
// entity). Records without a truth value are left out; a record truth
// has and predicted lacks is its own predicted entity.
func Evaluate(predicted, truth map[string]string) (*Evaluation, error) {
	type key struct{ p, t string }
	cont := map[key]int64{}
	psize := map[string]int64{}
	tsize := map[string]int64{}
	e := &Evaluation{}
	for id, t := range truth {
		if t == "" {
			continue
		}
		p, ok := predicted[id]
		if !ok || p == "" {
			p = "\x00" + id
		}
		cont[key{p, t}]++
		psize[p]++
		tsize[t]++
		e.Records++
	}
	if e.Records == 0 {
		return nil, fmt.Errorf("evaluate: no record has both an id and a truth value")
	}
	pairs := func(n int64) int64 { return n * (n - 1) / 2 }
	var tp, pp, tpairs int64
	for _, n := range cont {
		tp += pairs(n)
	}
	for _, n := range psize {
		pp += pairs(n)
	}
	for _, n := range tsize {
		tpairs += pairs(n)
	}
	e.TruePositives, e.FalsePositives, e.FalseNegatives = tp, pp-tp, tpairs-tp
	e.Precision, e.Recall, e.F1 = prf(float64(tp), float64(pp), float64(tpairs))
	var bp, br float64
	for k, n := range cont {
		// Each of the n records in this cell sees n of its predicted
		// entity's records and n of its true entity's as correct.
		bp += float64(n) * float64(n) / float64(psize[k.p])
		br += float64(n) * float64(n) / float64(tsize[k.t])
	}
	e.BCubedPrecision = bp / float64(e.Records)
	e.BCubedRecall = br / float64(e.Records)
	if e.BCubedPrecision+e.BCubedRecall > 0 {
		e.BCubedF1 = 2 * e.BCubedPrecision * e.BCubedRecall / (e.BCubedPrecision + e.BCubedRecall)
	}
	e.PredictedEntities, e.TrueEntities = len(psize), len(tsize)
	return e, nil
}

// prf returns precision, recall and F1 from true positives and the
// predicted and true totals (1 where a total is 0: nothing to find or
// nothing claimed).
func prf(tp, predicted, actual float64) (p, r, f float64) {
	p, r = 1, 1
	if predicted > 0 {
		p = tp / predicted
	}
	if actual > 0 {
		r = tp / actual
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// Blocking measures the blocking of a built run against truth (record
// id → entity): how many candidate pairs it made and what share of the
// true matching pairs are among them (pairs completeness), and the
// recall the clusters could reach at most if every true candidate pair
// linked (the transitive closure recovers pairs blocking missed).
type Blocking struct {
	CandidatePairs    int64   `json:"candidate_pairs"`
	TruePairs         int64   `json:"true_pairs"`
	TrueCandidates    int64   `json:"true_candidates"`
	PairsCompleteness float64 `json:"pairs_completeness"`
	ReachableRecall   float64 `json:"reachable_recall"`
}

// MeasureBlocking reads the candidate pairs of kind from wh.
func MeasureBlocking(ctx context.Context, wh load.StateStore, kind Kind, truth map[string]string) (*Blocking, error) {
	k := string(kind)
	rows, err := queryRows(ctx, wh, `SELECT l.record_id, r.record_id FROM identity.`+k+`_pairs AS p
		JOIN identity.`+k+`_features AS l ON l.rn = p.rn_l JOIN identity.`+k+`_features AS r ON r.rn = p.rn_r
		WHERE p.kind = 'candidate'`)
	if err != nil {
		return nil, err
	}
	b := &Blocking{CandidatePairs: int64(len(rows))}
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	for _, row := range rows {
		a, c := asString(row[0]), asString(row[1])
		if t := truth[a]; t != "" && t == truth[c] {
			b.TrueCandidates++
			ra, rc := find(a), find(c)
			if ra != rc {
				parent[ra] = rc
			}
		}
	}
	size := map[string]int64{}
	comp := map[[2]string]int64{}
	for id, t := range truth {
		if t == "" {
			continue
		}
		size[t]++
		comp[[2]string{t, find(id)}]++
	}
	var reach int64
	for _, n := range comp {
		reach += n * (n - 1) / 2
	}
	for _, n := range size {
		b.TruePairs += n * (n - 1) / 2
	}
	if b.TruePairs > 0 {
		b.PairsCompleteness = float64(b.TrueCandidates) / float64(b.TruePairs)
		b.ReachableRecall = float64(reach) / float64(b.TruePairs)
	}
	return b, nil
}
