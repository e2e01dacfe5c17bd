package zql

import (
	"sort"
	"strings"
)

// coqlOps lists the comparators each field type accepts in COQL (reference
// sheet §2.8).
var coqlOps = func() map[FieldType]map[string]bool {
	text := set(CmpEq, CmpNe, CmpLike, CmpNotLike, CmpIn, CmpNotIn, CmpIsNull, CmpIsNotNull)
	ordered := set(CmpEq, CmpNe, CmpLt, CmpLe, CmpGt, CmpGe, CmpBetween, CmpNotBetween,
		CmpIn, CmpNotIn, CmpIsNull, CmpIsNotNull)
	lookup := set(CmpEq, CmpNe, CmpIn, CmpNotIn, CmpIsNull, CmpIsNotNull)
	return map[FieldType]map[string]bool{
		TypeText: text, TypeEmail: text, TypePhone: text, TypeTextArea: text,
		TypePicklist: text, TypeMultiSelect: text,
		TypeNumber: ordered, TypeDate: ordered, TypeDateTime: ordered, TypeID: ordered,
		TypeLookup: lookup, TypeOwner: lookup,
		TypeBool: set(CmpEq),
	}
}()

// Check resolves the module (when s is a ModuleSchema) and every column
// against s, replaces names by their canonical spelling, checks each
// comparator against the column's type and reads every literal as that
// type: dates and datetimes must be quoted in Zoho's formats, lookups and
// owners take a numeric id, booleans true or false, numbers may be quoted.
// "id" is known in every module. After Check, Match and Sort compare typed
// values.
//
// Errors: INVALID_MODULE for an unknown module; INVALID_QUERY for an
// unknown column ("unsupported column", details column_name and clause), a
// comparator the column's type does not support ("invalid operator found"),
// a literal of the wrong type (details expected_data_type), an aggregate on
// a column of the wrong type, or a plain column missing from GROUP BY when
// the query groups or aggregates.
func (q *Query) Check(s Schema) error {
	if ms, ok := s.(ModuleSchema); ok {
		m, ok := ms.Module(q.Module)
		if !ok {
			return newErr(CodeInvalidModule, "the given module is not supported in api")
		}
		q.Module = m
	}
	types := map[string]FieldType{"id": TypeID}
	col := func(clause, name string) (string, error) {
		c, t, ok := resolveField(s, q.Module, name)
		if !ok {
			return "", newErr(CodeInvalidQuery, "unsupported column", "column_name", name, "clause", clause)
		}
		types[c] = t
		return c, nil
	}
	var err error
	for i, f := range q.Fields {
		if q.Fields[i], err = col("select", f); err != nil {
			return err
		}
	}
	for i, a := range q.Aggregates {
		if a.Field == "*" {
			continue
		}
		c, err := col("select", a.Field)
		if err != nil {
			return err
		}
		t := types[c]
		ok := true
		switch a.Func {
		case "SUM", "AVG":
			ok = t == TypeNumber
		case "MIN", "MAX":
			ok = t.isOrdered()
		}
		if !ok {
			return newErr(CodeInvalidQuery, "Invalid query formed", "reason", "invalid aggregate function for the column",
				"column_name", c, "aggregate", a.Func)
		}
		q.Aggregates[i].Field = c
	}
	for i, g := range q.GroupBy {
		if q.GroupBy[i], err = col("group by", g); err != nil {
			return err
		}
	}
	for i, o := range q.OrderBy {
		if q.OrderBy[i].Field, err = col("order by", o.Field); err != nil {
			return err
		}
	}
	if len(q.Aggregates) > 0 || len(q.GroupBy) > 0 {
		for _, f := range q.Fields {
			if !containsFold(q.GroupBy, f) {
				return newErr(CodeInvalidQuery, "Invalid query formed",
					"reason", "select column must be in group by", "column_name", f)
			}
		}
	}
	if err := checkCond(q.Where, q.Module, s, types); err != nil {
		return err
	}
	q.types = types
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func checkCond(c Cond, module string, s Schema, types map[string]FieldType) error {
	switch x := c.(type) {
	case *Logical:
		if err := checkCond(x.Left, module, s, types); err != nil {
			return err
		}
		return checkCond(x.Right, module, s, types)
	case *Comparison:
		return x.check(module, s, types)
	}
	return nil
}

func (c *Comparison) check(module string, s Schema, types map[string]FieldType) error {
	canon, t, ok := resolveField(s, module, c.Field)
	if !ok {
		return newErr(CodeInvalidQuery, "unsupported column", "column_name", c.Field, "clause", "where")
	}
	if !coqlOps[t][c.Op] {
		return newErr(CodeInvalidQuery, "Invalid query formed",
			"reason", "invalid operator found", "column_name", canon, "operator", c.Op)
	}
	ops := make([]operand, len(c.Values))
	for i, v := range c.Values {
		o, ok := coqlOperand(t, v)
		if !ok {
			return newErr(CodeInvalidQuery, "Invalid query formed",
				"reason", "invalid value given for the column", "column_name", canon,
				"expected_data_type", t.String(), "value", v.Text)
		}
		ops[i] = o
	}
	types[canon] = t
	c.Field, c.typ, c.ops, c.typed = canon, t, ops, true
	return nil
}

// coqlOperand reads a literal as type t: dates and datetimes must be quoted,
// booleans must be true or false, numbers may be quoted.
func coqlOperand(t FieldType, l Literal) (operand, bool) {
	switch t {
	case TypeDate, TypeDateTime:
		if l.Kind != LitString {
			return operand{}, false
		}
	case TypeBool:
		if l.Kind == LitNumber {
			return operand{}, false
		}
	case TypeText, TypeEmail, TypePhone, TypeTextArea, TypePicklist, TypeMultiSelect:
		if l.Kind == LitBool {
			return operand{}, false
		}
	case TypeLookup, TypeOwner:
		if !allDigits(l.Text) {
			return operand{}, false
		}
	}
	return makeOperand(t, l.Text)
}

// Match reports whether r satisfies the WHERE clause (true without one).
func (q *Query) Match(r Record) bool { return q.Where == nil || q.Where.Eval(r) }

// Eval implements Cond.
func (l *Logical) Eval(r Record) bool {
	if l.Op == "or" {
		return l.Left.Eval(r) || l.Right.Eval(r)
	}
	return l.Left.Eval(r) && l.Right.Eval(r)
}

// Eval implements Cond. Without a prior Query.Check the column's type is
// inferred from the record's value.
func (c *Comparison) Eval(r Record) bool {
	v := value(r, c.Field)
	null := isNull(v)
	switch c.Op {
	case CmpIsNull:
		return null
	case CmpIsNotNull:
		return !null
	}
	if null {
		return false
	}
	t, ops := c.typ, c.ops
	if !c.typed {
		texts := make([]string, len(c.Values))
		for i, l := range c.Values {
			texts[i] = l.Text
		}
		t, ops = inferOperands(c.Field, v, texts)
	}
	switch c.Op {
	case CmpLike, CmpNotLike:
		pat := ops[0].lower
		return anyText(t, v, func(s string) bool { return likeMatch(s, pat) }) == (c.Op == CmpLike)
	case CmpIn, CmpNotIn:
		in := false
		for _, o := range ops {
			if equal(t, v, o) {
				in = true
				break
			}
		}
		return in == (c.Op == CmpIn)
	case CmpBetween, CmpNotBetween:
		lo, ok1 := compare(t, v, ops[0])
		hi, ok2 := compare(t, v, ops[1])
		if !ok1 || !ok2 {
			return false
		}
		return (lo >= 0 && hi <= 0) == (c.Op == CmpBetween)
	case CmpEq:
		return equal(t, v, ops[0])
	case CmpNe:
		if _, ok := compare(t, v, ops[0]); !ok && t != TypeMultiSelect {
			return false
		}
		return !equal(t, v, ops[0])
	}
	cmp, ok := compare(t, v, ops[0])
	if !ok {
		return false
	}
	switch c.Op {
	case CmpLt:
		return cmp < 0
	case CmpLe:
		return cmp <= 0
	case CmpGt:
		return cmp > 0
	case CmpGe:
		return cmp >= 0
	}
	return false
}

// Sort orders rs by ORDER BY, then by id ascending (the whole order when
// there is no ORDER BY). Nulls sort first ascending and last descending;
// text sorts case-insensitively. The sort is stable.
func (q *Query) Sort(rs []Record) {
	sortRecords(rs, q.OrderBy, q.types)
}

func sortRecords(rs []Record, order []Order, types map[string]FieldType) {
	cols := append([]Order(nil), order...)
	if !containsOrder(cols, "id") {
		cols = append(cols, Order{Field: "id"})
	}
	keys := make([][]sortKey, len(rs))
	for i, r := range rs {
		k := make([]sortKey, len(cols))
		for j, o := range cols {
			t, typed := types[o.Field]
			k[j] = makeSortKey(o.Field, t, typed, value(r, o.Field))
		}
		keys[i] = k
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		for j, o := range cols {
			c := cmpSortKey(ka[j], kb[j])
			if o.Desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	sorted := make([]Record, len(rs))
	for i, j := range idx {
		sorted[i] = rs[j]
	}
	copy(rs, sorted)
}

func containsOrder(cols []Order, field string) bool {
	for _, o := range cols {
		if strings.EqualFold(o.Field, field) {
			return true
		}
	}
	return false
}
