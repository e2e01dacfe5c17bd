package zql

import (
	"fmt"
	"strings"
)

// Aggregate groups rs (the records that Match) by GROUP BY and computes the
// aggregate columns, returning one row per group as Zoho's COQL answer
// carries it: the GROUP BY columns (the group's first value) and one key per
// aggregate named like "SUM(Amount)". Without GROUP BY there is exactly one
// row. COUNT is an int64 (COUNT(*) and COUNT(id) count rows, COUNT(f)
// non-null values of f); SUM and AVG are float64, or nil when every value is
// null; MIN and MAX are the extreme value as the record holds it, or nil.
// Groups of text values compare case-insensitively. Rows come back ordered
// by ORDER BY when given, else by the GROUP BY columns ascending.
func (q *Query) Aggregate(rs []Record) []map[string]any {
	type group struct {
		first Record
		rows  []Record
	}
	var groups []*group
	index := map[string]*group{}
	for _, r := range rs {
		var key strings.Builder
		for _, g := range q.GroupBy {
			t, typed := q.types[g]
			k := makeSortKey(g, t, typed, value(r, g))
			fmt.Fprintf(&key, "%v|%d|%d|%v|%d|%q;", k.null, k.kind, k.i, k.f, k.t.UnixNano(), k.s)
		}
		gr := index[key.String()]
		if gr == nil {
			gr = &group{first: r}
			index[key.String()] = gr
			groups = append(groups, gr)
		}
		gr.rows = append(gr.rows, r)
	}
	if len(q.GroupBy) == 0 && len(groups) == 0 {
		groups = append(groups, &group{})
	}
	out := make([]Record, 0, len(groups))
	for _, gr := range groups {
		row := MapRecord{}
		for _, g := range q.GroupBy {
			row[g] = value(gr.first, g)
		}
		for _, a := range q.Aggregates {
			row[a.String()] = q.aggregate(a, gr.rows)
		}
		out = append(out, row)
	}
	order := q.OrderBy
	if len(order) == 0 {
		for _, g := range q.GroupBy {
			order = append(order, Order{Field: g})
		}
	}
	if len(order) > 0 {
		sortRecords(out, order, q.types)
	}
	rows := make([]map[string]any, len(out))
	for i, r := range out {
		rows[i] = r.(MapRecord)
	}
	return rows
}

func (q *Query) aggregate(a Aggregate, rs []Record) any {
	if a.Func == "COUNT" && (a.Field == "*" || strings.EqualFold(a.Field, "id")) {
		return int64(len(rs))
	}
	t, typed := q.types[a.Field]
	var (
		n        int64
		sum      float64
		best     any
		bestKey  sortKey
		haveBest bool
	)
	for _, r := range rs {
		v := value(r, a.Field)
		if isNull(v) {
			continue
		}
		n++
		switch a.Func {
		case "SUM", "AVG":
			if f, _, _, ok := toNumber(v); ok {
				sum += f
			}
		case "MIN", "MAX":
			k := makeSortKey(a.Field, t, typed, v)
			c := cmpSortKey(k, bestKey)
			if !haveBest || a.Func == "MIN" && c < 0 || a.Func == "MAX" && c > 0 {
				best, bestKey, haveBest = v, k, true
			}
		}
	}
	switch a.Func {
	case "COUNT":
		return n
	case "SUM":
		if n == 0 {
			return nil
		}
		return sum
	case "AVG":
		if n == 0 {
			return nil
		}
		return sum / float64(n)
	}
	return best
}
