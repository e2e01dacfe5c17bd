package soql

import (
	"strconv"
	"strings"
	"time"
)

// Group is one result row of an aggregate query. It implements Row: Value
// answers the GROUP BY keys and the aggregate functions by their Key
// ("LeadSource", "CALENDAR_YEAR(CloseDate)", "COUNT(Id)").
type Group struct {
	vals map[string]any
}

// Value returns the value of a grouped key or an aggregate: nil, string,
// float64, int64 (COUNT and COUNT_DISTINCT), bool or time.Time.
func (g *Group) Value(key string) any { return g.vals[key] }

// Column is one column of an aggregate query's result rows.
type Column struct {
	// Name is the JSON key: the alias; else exprN for functions, counted
	// from 0 left to right over the unaliased ones; else the field's API
	// name (the last segment of a path: Account.Name gives Name, as the
	// Apex JSON notes say; for REST unconfirmed).
	Name string
	// Item is the SELECT item; its Key reads the value from a Group.
	Item Item
}

// Columns names the SELECT items of an aggregate query (reference sheet
// §10.3).
func (q *Query) Columns() []Column {
	items := q.items()
	out := make([]Column, 0, len(items))
	n := 0
	for _, it := range items {
		name := it.Alias
		switch {
		case name != "":
		case it.Kind == ItemFunc:
			name = "expr" + strconv.Itoa(n)
			n++
		default:
			name = it.Key()
			name = name[strings.LastIndexByte(name, '.')+1:]
		}
		out = append(out, Column{Name: name, Item: it})
	}
	return out
}

// accum accumulates one aggregate function over a group's rows.
type accum struct {
	spec     Item
	count    int64
	distinct map[string]bool
	sum      float64
	min, max any
}

func (a *accum) add(v any) {
	v = normalize(v)
	if v == nil {
		return
	}
	a.count++
	switch a.spec.Func {
	case "COUNT_DISTINCT":
		if a.distinct == nil {
			a.distinct = map[string]bool{}
		}
		a.distinct[groupKeyPart(v, a.spec.Type)] = true
	case "SUM", "AVG":
		if f, ok := v.(float64); ok {
			a.sum += f
		}
	case "MIN":
		if a.min == nil || a.less(v, a.min) {
			a.min = v
		}
	case "MAX":
		if a.max == nil || a.less(a.max, v) {
			a.max = v
		}
	}
}

// less orders two values for MIN and MAX: picklists by their value order,
// others as ORDER BY does.
func (a *accum) less(x, y any) bool {
	if a.spec.picklist != nil {
		xs, _ := x.(string)
		ys, _ := y.(string)
		xi, ok1 := a.spec.picklist[strings.ToLower(xs)]
		yi, ok2 := a.spec.picklist[strings.ToLower(ys)]
		if ok1 && ok2 {
			return xi < yi
		}
	}
	return compareKey(x, y, a.spec.Type) < 0
}

func (a *accum) result() any {
	switch a.spec.Func {
	case "COUNT":
		return a.count
	case "COUNT_DISTINCT":
		return int64(len(a.distinct))
	case "SUM":
		if a.count == 0 {
			return nil
		}
		return a.sum
	case "AVG":
		if a.count == 0 {
			return nil
		}
		return a.sum / float64(a.count)
	case "MIN":
		return a.min
	case "MAX":
		return a.max
	}
	return nil
}

// groupKeyPart renders a normalized value for a group's identity: text
// ignores case (as SOQL's comparisons do; that GROUP BY folds case is
// unconfirmed), ids compare exactly.
func groupKeyPart(v any, t FieldType) string {
	switch x := v.(type) {
	case nil:
		return "\x00"
	case string:
		if t == TypeID {
			return "s" + x
		}
		return "s" + strings.ToUpper(x)
	case float64:
		return "n" + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "b" + strconv.FormatBool(x)
	case time.Time:
		return "t" + strconv.FormatInt(x.UnixNano(), 10)
	}
	return "?"
}

// aggregateSpecs lists the distinct aggregate functions the query needs:
// those of SELECT, HAVING and ORDER BY.
func (q *Query) aggregateSpecs() []Item {
	var out []Item
	seen := map[string]bool{}
	add := func(it Item) {
		if it.IsAggregate() && !seen[it.Key()] {
			seen[it.Key()] = true
			out = append(out, it)
		}
	}
	for _, it := range q.items() {
		add(it)
	}
	for _, c := range Conditions(q.Having) {
		if c.Func != "" {
			add(Item{Kind: ItemFunc, Func: c.Func, Field: c.Field, Type: typeOfArg(c)})
		}
	}
	for _, o := range q.OrderBy {
		if o.Func != "" {
			add(Item{Kind: ItemFunc, Func: o.Func, Field: o.Field, Type: o.Type})
		}
	}
	return out
}

// typeOfArg is the argument type of a HAVING condition's function: the
// condition's own type for MIN and MAX (which keep it), else unknown.
func typeOfArg(c *Condition) FieldType {
	if c.Func == "MIN" || c.Func == "MAX" {
		return c.Type
	}
	return TypeUnknown
}

// Aggregate evaluates an aggregate query over rows that already passed
// Match: it groups them by GROUP BY, computes the aggregate functions
// (nulls skipped; COUNT(Id) counts every row), keeps the groups HAVING
// accepts, orders them by ORDER BY (by the grouped keys when there is
// none), and applies OFFSET and LIMIT. Without GROUP BY it returns one
// group, also for no rows. A grouped text key takes the spelling of its
// first row. now anchors relative date literals in HAVING.
func (q *Query) Aggregate(rows []Row, now time.Time) []*Group {
	specs := q.aggregateSpecs()
	type group struct {
		g   *Group
		acc []accum
	}
	newGroup := func() *group {
		gr := &group{g: &Group{vals: map[string]any{}}, acc: make([]accum, len(specs))}
		for i, sp := range specs {
			gr.acc[i].spec = sp
		}
		return gr
	}
	var groups []*group
	index := map[string]*group{}
	if len(q.GroupBy) == 0 {
		groups = append(groups, newGroup())
		index[""] = groups[0]
	}
	var kb strings.Builder
	vals := make([]any, len(q.GroupBy))
	for _, r := range rows {
		kb.Reset()
		for i, g := range q.GroupBy {
			v := normalize(keyValue(r, g.Func, g.Field))
			vals[i] = v
			kb.WriteString(groupKeyPart(v, g.Type))
			kb.WriteByte(0xff)
		}
		gr := index[kb.String()]
		if gr == nil {
			gr = newGroup()
			for i, g := range q.GroupBy {
				gr.g.vals[g.Key()] = vals[i]
			}
			index[kb.String()] = gr
			groups = append(groups, gr)
		}
		for i := range gr.acc {
			sp := &gr.acc[i].spec
			if sp.Func == "COUNT" && (sp.Field == "" || strings.EqualFold(sp.Field, "Id")) {
				gr.acc[i].count++
				continue
			}
			gr.acc[i].add(r.Value(sp.Field))
		}
	}
	out := make([]Row, 0, len(groups))
	for _, gr := range groups {
		for i := range gr.acc {
			gr.g.vals[gr.acc[i].spec.Key()] = gr.acc[i].result()
		}
		if q.Having == nil || q.Having.Eval(gr.g, now) {
			out = append(out, gr.g)
		}
	}
	switch {
	case len(q.OrderBy) > 0:
		q.Sort(out)
	case len(q.GroupBy) > 0:
		byKeys := &Query{}
		for _, g := range q.GroupBy {
			byKeys.OrderBy = append(byKeys.OrderBy, Order{Field: g.Key(), Type: g.Type})
		}
		byKeys.Sort(out)
	}
	if q.Offset > 0 {
		out = out[min(q.Offset, len(out)):]
	}
	if q.Limit >= 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	res := make([]*Group, len(out))
	for i, r := range out {
		res[i] = r.(*Group)
	}
	return res
}

var _ Row = (*Group)(nil)
