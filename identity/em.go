package identity

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// pattern is a group of pairs with the same comparison levels.
type pattern struct {
	random bool
	rules  int64
	levels []int
	n      float64
}

// Model is a fitted Fellegi–Sunter model: per comparison and level the
// probability of the level among matches (m) and among non-matches (u),
// and the prior probability that two records match (Lambda).
type Model struct {
	Comparisons []Comparison
	M, U        [][]float64
	// Weight is log2(m/u) per level (or the configured override); 0 for
	// an ignored comparison.
	Weight [][]float64
	Lambda float64
	// Sessions says, per comparison, how many EM sessions estimated its m.
	Sessions []int
	// Ignored marks the comparisons the config leaves out of the score.
	Ignored []bool
}

// PriorWeight is log2(λ/(1-λ)): the match weight of a pair before any
// comparison.
func (m *Model) PriorWeight() float64 { return math.Log2(m.Lambda / (1 - m.Lambda)) }

const (
	emIterations = 40
	// uPseudo is how many random pairs' worth of uPrior u starts from.
	uPseudo = 200.0
	// mPseudo is how many pairs' worth of the prior m each session's
	// estimate starts from (it keeps unseen levels from reaching 0).
	mPseudo = 2.0
)

// fit estimates the model: u from the random pairs, m by EM over the
// candidate pairs, one session per rule that leaves out the comparisons
// the rule blocked on (their agreement there is forced, not evidence),
// the median of the sessions' estimates; then λ so that the expected
// matches among candidates over all pairs is consistent. EM and λ weigh a
// pair as the links models score it: within a group of comparisons
// (Comparison.Group) only the strongest agreement counts.
func fit(cmps []Comparison, pats []pattern, rules []numberedRule, totalPairs float64, ent *Entity) *Model {
	k := len(cmps)
	md := &Model{Comparisons: cmps, M: make([][]float64, k), U: make([][]float64, k), Weight: make([][]float64, k),
		Sessions: make([]int, k), Ignored: make([]bool, k)}
	for c, cmp := range cmps {
		md.Ignored[c] = ignored(ent, cmp.Name)
	}
	// u from random pairs.
	for c, cmp := range cmps {
		counts := make([]float64, len(cmp.Levels))
		total := 0.0
		for _, p := range pats {
			if p.random && p.levels[c] >= 0 && p.levels[c] < len(counts) {
				counts[p.levels[c]] += p.n
				total += p.n
			}
		}
		md.U[c] = make([]float64, len(counts))
		prior := uPrior(len(counts))
		for l := range counts {
			// A few hundred pairs' worth of a neutral prior (agreement is
			// rare among random pairs) keeps small files from estimating u
			// from a handful of pairs; large ones do not notice it.
			md.U[c][l] = (counts[l] + uPseudo*prior[l]) / (total + uPseudo)
		}
	}
	// m by EM, one session per rule.
	estimates := make([][][]float64, k) // per comparison, per session
	for _, r := range rules {
		excl := map[string]bool{}
		for _, c := range ruleComparisons(r.Rule) {
			excl[c] = true
		}
		var sess []pattern
		total := 0.0
		for _, p := range pats {
			if !p.random && p.rules&(int64(1)<<r.id) != 0 {
				sess = append(sess, p)
				total += p.n
			}
		}
		if total < 10 {
			continue
		}
		active := make([]bool, k)
		for c, cmp := range cmps {
			active[c] = !excl[cmp.Name] && !ignored(ent, cmp.Name)
		}
		m, matches := emSession(cmps, md.U, sess, active)
		if matches < 1 {
			continue
		}
		for c := range cmps {
			if active[c] && m[c] != nil {
				estimates[c] = append(estimates[c], m[c])
				md.Sessions[c]++
			}
		}
	}
	for c, cmp := range cmps {
		md.M[c] = make([]float64, len(cmp.Levels))
		if len(estimates[c]) == 0 {
			copy(md.M[c], cmp.M)
		} else {
			// The median of the sessions' estimates, level by level: a
			// session whose EM settled on another split (a block of one
			// city whose "matches" are its neighbours) does not drag the
			// others, however many pairs it holds.
			sum := 0.0
			for l := range cmp.Levels {
				vals := make([]float64, len(estimates[c]))
				for i, e := range estimates[c] {
					vals[i] = e[l]
				}
				md.M[c][l] = median(vals)
				sum += md.M[c][l]
			}
			for l := range md.M[c] {
				md.M[c][l] /= sum
			}
		}
		md.Weight[c] = make([]float64, len(cmp.Levels))
		for l, name := range cmp.Levels {
			switch w, ok := ent.Weights[cmp.Name][name]; {
			case ignored(ent, cmp.Name):
			case ok:
				md.Weight[c][l] = w
			default:
				md.Weight[c][l] = clampWeight(math.Log2(md.M[c][l] / md.U[c][l]))
			}
		}
	}
	md.Lambda = fitLambda(md, pats, totalPairs)
	return md
}

// uPrior is the u a comparison with n levels starts from: 95% of random
// pairs differ, the rest spread over the levels of agreement, the top one
// rarest.
func uPrior(n int) []float64 {
	out := make([]float64, n)
	out[0] = 0.95
	for l := 1; l < n; l++ {
		out[l] = 0.05 / float64(n-1)
	}
	if n > 1 {
		out[n-1] /= 10
		out[0] += 0.05/float64(n-1) - out[n-1]
	}
	return out
}

func median(v []float64) float64 {
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func ignored(ent *Entity, name string) bool {
	for _, c := range ent.Ignore {
		if c == name {
			return true
		}
	}
	return false
}

func clampWeight(w float64) float64 { return math.Max(-20, math.Min(20, w)) }

// grouping adds up the weights of comparisons the way the links models
// do: each comparison's weight, except that within a group
// (Comparison.Group) only the strongest agreement counts, and every
// disagreement.
type grouping struct {
	group []int // per comparison: its group's index, -1 for none
	best  []float64
}

func newGrouping(cmps []Comparison) *grouping {
	g := &grouping{group: make([]int, len(cmps))}
	index := map[string]int{}
	for c, cmp := range cmps {
		g.group[c] = -1
		if cmp.Group == "" {
			continue
		}
		i, ok := index[cmp.Group]
		if !ok {
			i = len(index)
			index[cmp.Group] = i
		}
		g.group[c] = i
	}
	g.best = make([]float64, len(index))
	return g
}

// sum returns the match weight of the comparisons' weights w (0 for a
// comparison that does not count). Not safe for concurrent use.
func (g *grouping) sum(w []float64) float64 {
	clear(g.best)
	total := 0.0
	for c, x := range w {
		switch i := g.group[c]; {
		case i < 0 || x < 0:
			total += x
		case x > g.best[i]:
			g.best[i] = x
		}
	}
	for _, b := range g.best {
		total += b
	}
	return total
}

// emSession runs EM over sess with u fixed, estimating m of the active
// comparisons; it returns m and the expected number of matches. A pair's
// weight adds up as in the links models (grouping), so that agreements
// that say one thing do not pull non-matches into the matches.
func emSession(cmps []Comparison, u [][]float64, sess []pattern, active []bool) ([][]float64, float64) {
	k := len(cmps)
	g := newGrouping(cmps)
	w := make([]float64, k)
	m := make([][]float64, k)
	for c, cmp := range cmps {
		if active[c] {
			m[c] = append([]float64(nil), cmp.M...)
		}
	}
	lambda := 0.3
	post := make([]float64, len(sess))
	matches := 0.0
	for it := 0; it < emIterations; it++ {
		// E step.
		matches = 0
		total := 0.0
		for i, p := range sess {
			for c := range cmps {
				w[c] = 0
				if l := p.levels[c]; active[c] && l >= 0 && l < len(m[c]) {
					w[c] = math.Log2(m[c][l] / u[c][l])
				}
			}
			post[i] = 1 / (1 + math.Exp2(-(math.Log2(lambda/(1-lambda)) + g.sum(w))))
			matches += p.n * post[i]
			total += p.n
		}
		// M step.
		lambda = math.Min(math.Max(matches/total, 1e-6), 1-1e-6)
		next := make([][]float64, k)
		for c, cmp := range cmps {
			if !active[c] {
				continue
			}
			counts := make([]float64, len(cmp.Levels))
			sum := 0.0
			for i, p := range sess {
				if l := p.levels[c]; l >= 0 && l < len(counts) {
					counts[l] += p.n * post[i]
					sum += p.n * post[i]
				}
			}
			next[c] = make([]float64, len(counts))
			for l := range counts {
				next[c][l] = (counts[l] + mPseudo*cmp.M[l]) / (sum + mPseudo)
			}
		}
		m = next
	}
	return m, matches
}

// fitLambda finds the prior λ: the expected matches among candidate pairs
// (scored with λ) over all pairs, iterated to its fixed point.
func fitLambda(md *Model, pats []pattern, totalPairs float64) float64 {
	var cand []pattern
	var ws []float64
	ncand := 0.0
	g := newGrouping(md.Comparisons)
	w := make([]float64, len(md.Comparisons))
	for _, p := range pats {
		if p.random {
			continue
		}
		for c := range md.Comparisons {
			w[c] = 0
			if l := p.levels[c]; l >= 0 && l < len(md.Weight[c]) {
				w[c] = md.Weight[c][l]
			}
		}
		cand = append(cand, p)
		ws = append(ws, g.sum(w))
		ncand += p.n
	}
	if totalPairs < 1 || ncand == 0 {
		return 0.5
	}
	lambda := math.Min(0.5, ncand/totalPairs/2)
	for range 100 {
		prior := math.Log2(lambda / (1 - lambda))
		exp := 0.0
		for i, p := range cand {
			exp += p.n / (1 + math.Exp2(-(prior + ws[i])))
		}
		next := math.Min(math.Max(exp/totalPairs, 1e-12), 0.999)
		if math.Abs(next-lambda) < lambda*1e-6 {
			lambda = next
			break
		}
		lambda = next
	}
	return lambda
}

// weightsTransform fits the model from the comparison patterns (kind,
// rules, c_<comparison>..., n, total_pairs) and writes one row per
// comparison and level: comparison, level, level_name, m, u, weight;
// level -1 (a value missing) weighs 0; comparison "_prior" holds λ as m
// and log2(λ/(1-λ)) as weight.
func (m *Matching) weightsTransform(kind Kind) func(context.Context, array.RecordReader, map[string]string) (array.RecordReader, error) {
	return func(ctx context.Context, in array.RecordReader, _ map[string]string) (array.RecordReader, error) {
		cmps := Comparisons(kind)
		var pats []pattern
		totalPairs := 0.0
		for in.Next() {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			rec := in.RecordBatch()
			kindCol := column(rec, "kind")
			rules, err := intCol(rec, "rules")
			if err != nil {
				return nil, fmt.Errorf("weights: %w", err)
			}
			n, err := floatCol(rec, "n")
			if err != nil {
				return nil, fmt.Errorf("weights: %w", err)
			}
			tp, err := floatCol(rec, "total_pairs")
			if err != nil {
				return nil, fmt.Errorf("weights: %w", err)
			}
			lv := make([]func(int) int64, len(cmps))
			for c, cmp := range cmps {
				if lv[c], err = intCol(rec, "c_"+cmp.Name); err != nil {
					return nil, fmt.Errorf("weights: %w", err)
				}
			}
			for i := 0; i < int(rec.NumRows()); i++ {
				k, _ := kindCol(i)
				p := pattern{random: k == "random", rules: rules(i), n: n(i), levels: make([]int, len(cmps))}
				for c := range cmps {
					p.levels[c] = int(lv[c](i))
				}
				pats = append(pats, p)
				totalPairs = tp(i)
			}
		}
		if err := in.Err(); err != nil {
			return nil, fmt.Errorf("weights: %w", err)
		}
		md := fit(cmps, pats, m.ruleSet(kind).rules, totalPairs, m.Entity(kind))
		return md.reader()
	}
}

// reader writes the model as the weights table.
func (md *Model) reader() (array.RecordReader, error) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "comparison", Type: arrow.BinaryTypes.String},
		{Name: "level", Type: arrow.PrimitiveTypes.Int32},
		{Name: "level_name", Type: arrow.BinaryTypes.String},
		{Name: "m", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "weight", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	b := array.NewRecordBuilder(alloc, schema)
	defer b.Release()
	add := func(cmp string, level int, name string, m, u, w float64) {
		b.Field(0).(*array.StringBuilder).Append(cmp)
		b.Field(1).(*array.Int32Builder).Append(int32(level))
		b.Field(2).(*array.StringBuilder).Append(name)
		for i, v := range []float64{m, u} {
			if math.IsNaN(v) {
				b.Field(3 + i).AppendNull()
			} else {
				b.Field(3 + i).(*array.Float64Builder).Append(v)
			}
		}
		b.Field(5).(*array.Float64Builder).Append(w)
	}
	add("_prior", 0, "prior", md.Lambda, math.NaN(), md.PriorWeight())
	for c, cmp := range md.Comparisons {
		add(cmp.Name, -1, "missing", math.NaN(), math.NaN(), 0)
		for l, name := range cmp.Levels {
			u := md.U[c][l]
			if md.Ignored[c] {
				u = math.NaN() // no term-frequency adjustment either
			}
			add(cmp.Name, l, name, md.M[c][l], u, md.Weight[c][l])
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewRecordReader(schema, []arrow.RecordBatch{rec})
}
