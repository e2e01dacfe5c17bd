package zql

import "strings"

// searchOps lists the operators each field type accepts in search criteria
// (Zoho's v8 search documentation; not_in is accepted wherever in is).
var searchOps = map[FieldType]map[string]bool{
	TypeText:        set(OpEquals, OpNotEqual, OpStartsWith, OpIn, OpNotIn),
	TypeEmail:       set(OpEquals, OpNotEqual, OpStartsWith, OpIn, OpNotIn),
	TypePhone:       set(OpEquals, OpNotEqual, OpStartsWith, OpIn, OpNotIn),
	TypeTextArea:    set(OpEquals, OpNotEqual, OpStartsWith),
	TypeNumber:      set(OpEquals, OpNotEqual, OpGreaterThan, OpGreaterEqual, OpLessThan, OpLessEqual, OpBetween, OpIn, OpNotIn),
	TypeDate:        set(OpEquals, OpNotEqual, OpGreaterThan, OpGreaterEqual, OpLessThan, OpLessEqual, OpBetween, OpIn, OpNotIn),
	TypeDateTime:    set(OpEquals, OpNotEqual, OpGreaterThan, OpGreaterEqual, OpLessThan, OpLessEqual, OpBetween, OpIn, OpNotIn),
	TypeID:          set(OpEquals, OpNotEqual, OpGreaterThan, OpGreaterEqual, OpLessThan, OpLessEqual, OpBetween, OpIn, OpNotIn),
	TypeBool:        set(OpEquals, OpNotEqual),
	TypeLookup:      set(OpEquals, OpNotEqual, OpIn, OpNotIn),
	TypeOwner:       set(OpEquals, OpNotEqual, OpIn, OpNotIn),
	TypePicklist:    set(OpEquals, OpNotEqual, OpIn, OpNotIn),
	TypeMultiSelect: set(OpEquals, OpNotEqual, OpStartsWith, OpIn, OpNotIn),
}

func set(ops ...string) map[string]bool {
	m := make(map[string]bool, len(ops))
	for _, op := range ops {
		m[op] = true
	}
	return m
}

// resolveField looks path up in s; "id" is always known, and a
// "Lookup.id", "Lookup.name" or "Owner.email" path the Schema does not know
// is resolved through the lookup's own map.
func resolveField(s Schema, module, path string) (string, FieldType, bool) {
	if c, t, ok := s.Field(module, path); ok {
		return c, t, true
	}
	if strings.EqualFold(path, "id") {
		return "id", TypeID, true // every module has one
	}
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return "", 0, false
	}
	base, t, ok := s.Field(module, path[:i])
	if !ok || (t != TypeLookup && t != TypeOwner) {
		return "", 0, false
	}
	switch sub := strings.ToLower(path[i+1:]); sub {
	case "id":
		return base + ".id", TypeID, true
	case "name":
		return base + ".name", TypeText, true
	case "email":
		if t == TypeOwner {
			return base + ".email", TypeEmail, true
		}
	}
	return "", 0, false
}

// noJoins hides dotted paths from a Schema.
type noJoins struct{ s Schema }

func (n noJoins) Field(module, path string) (string, FieldType, bool) {
	if strings.Contains(path, ".") {
		return "", 0, false
	}
	return n.s.Field(module, path)
}

// Check resolves every field against s (in module), replaces the field
// names by their canonical spelling, checks each operator against the
// field's type and reads every value as that type. After Check, Match
// compares typed values (numbers as numbers, dates by day, ...).
//
// Search reaches no other module, so the only dotted fields it resolves
// are Lookup.id, Lookup.name and Owner.email, through the lookup's own map.
//
// Errors (all INVALID_QUERY): a field unknown to s ("the field is not
// available for search"), an operator the field type does not support
// ("invalid operator found"), a value that is not of the field's type
// ("invalid value for search", with expected_data_type).
func (c *Criteria) Check(module string, s Schema) error {
	var err error
	var walk func(n critNode)
	walk = func(n critNode) {
		if err != nil {
			return
		}
		switch x := n.(type) {
		case *critGroup:
			walk(x.left)
			walk(x.right)
		case *critCond:
			err = x.check(module, s)
		}
	}
	walk(c.root)
	return err
}

func (c *critCond) check(module string, s Schema) error {
	// Search reaches no other module: a dotted path can only name a key of
	// a lookup's own map.
	canon, t, ok := "", FieldType(0), false
	if strings.Contains(c.field, ".") {
		canon, t, ok = resolveField(noJoins{s}, module, c.field)
	} else {
		canon, t, ok = s.Field(module, c.field)
	}
	if !ok {
		return newErr(CodeInvalidQuery, "the field is not available for search",
			"reason", "the field is not available for search", "api_name", c.field)
	}
	if !searchOps[t][c.op] {
		return newErr(CodeInvalidQuery, "invalid operator found",
			"operator", c.op, "reason", "The operator is not valid for the field type", "api_name", canon)
	}
	ops := make([]operand, len(c.values))
	for i, v := range c.values {
		o, ok := makeOperand(t, v)
		if !ok {
			return newErr(CodeInvalidQuery, "Invalid query formed",
				"expected_data_type", t.String(), "reason", "invalid value for search",
				"api_name", canon, "value", v)
		}
		ops[i] = o
	}
	c.field, c.typ, c.ops, c.typed = canon, t, ops, true
	return nil
}

// Match reports whether r satisfies the criteria. Without a prior Check,
// each field's type is inferred from the record's value.
func (c *Criteria) Match(r Record) bool { return c.root.match(r) }

func (g *critGroup) match(r Record) bool {
	if g.and {
		return g.left.match(r) && g.right.match(r)
	}
	return g.left.match(r) || g.right.match(r)
}

func (c *critCond) match(r Record) bool {
	v := value(r, c.field)
	if isNull(v) {
		return c.op == OpNotEqual || c.op == OpNotIn
	}
	t, ops := c.typ, c.ops
	if !c.typed {
		t, ops = inferOperands(c.field, v, c.values)
	}
	switch c.op {
	case OpEquals:
		return searchEquals(t, v, ops[0])
	case OpNotEqual:
		return !searchEquals(t, v, ops[0])
	case OpStartsWith:
		return anyText(t, v, func(s string) bool { return strings.HasPrefix(s, ops[0].lower) })
	case OpIn, OpNotIn:
		in := false
		for _, o := range ops {
			if searchEquals(t, v, o) && (!t.isText() || strings.EqualFold(toText(v), o.text)) {
				in = true
				break
			}
		}
		return in == (c.op == OpIn)
	case OpBetween:
		lo, ok1 := compare(t, v, ops[0])
		hi, ok2 := compare(t, v, ops[1])
		return ok1 && ok2 && lo >= 0 && hi <= 0
	}
	cmp, ok := compare(t, v, ops[0])
	if !ok {
		return false
	}
	switch c.op {
	case OpGreaterThan:
		return cmp > 0
	case OpGreaterEqual:
		return cmp >= 0
	case OpLessThan:
		return cmp < 0
	case OpLessEqual:
		return cmp <= 0
	}
	return false
}

// searchEquals is the search API's equals: "contains" on free text, exact
// elsewhere; a lookup or owner matches by id or by name.
func searchEquals(t FieldType, v any, o operand) bool {
	switch {
	case t.isText():
		return strings.Contains(strings.ToLower(toText(v)), o.lower)
	case t == TypeLookup || t == TypeOwner:
		if m, ok := v.(map[string]any); ok {
			if name, ok := m["name"].(string); ok && strings.EqualFold(name, o.text) {
				return true
			}
		}
	}
	return equal(t, v, o)
}

// inferOperands types the literals of an unchecked condition from the
// record's value, falling back to text when a literal does not fit.
func inferOperands(path string, v any, values []string) (FieldType, []operand) {
	t := inferType(path, v, values[0])
	ops := make([]operand, len(values))
	for i, s := range values {
		o, ok := makeOperand(t, s)
		if !ok {
			if t == TypeID {
				o, _ = makeOperand(TypeLookup, s)
			} else {
				t = TypeText
				return t, textOperands(values)
			}
		}
		ops[i] = o
	}
	return t, ops
}

func textOperands(values []string) []operand {
	ops := make([]operand, len(values))
	for i, s := range values {
		ops[i], _ = makeOperand(TypeText, s)
	}
	return ops
}
