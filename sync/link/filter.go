package link

import (
	"fmt"
	"regexp"
	"strings"

	revsync "github.com/revops/revops/sync"
)

// Filter chooses the records that take part in a link, as PieSync's
// filters did (owner, lead source, e-mail opt-out, any field): per side,
// either a list of conditions that must all hold or a SQL predicate on
// the side's landed table. A pair takes part only when both its records
// pass: the others are neither compared nor written, their transitions
// are not seen, and the report counts them (Report.Filtered).
//
//	filter:
//	  left:                                       # all must hold
//	    - {field: Email_Opt_Out, op: is_not, value: true}
//	    - {field: Owner.name, op: in, value: [Ann Lee, Bo Chen]}   # a part of a lookup
//	  right: "LeadSource <> 'Purchased List'"     # or a SQL predicate
//
// Ops: is (=), is_not (!=), in, not_in, lt (<), lte (<=), gt (>), gte
// (>=), contains, not_contains, empty, not_empty. Text is compared
// trimmed and case-insensitively; a boolean value compares an empty field
// as false; a number compares the field as a number; is_not, not_in and
// not_contains hold for an empty field.
type Filter struct {
	Left  any `yaml:"left"`
	Right any `yaml:"right"`

	sides [2]sideFilter
}

// sideFilter is one side's filter after parsing.
type sideFilter struct {
	sql   string
	conds []condition
}

func (f sideFilter) empty() bool { return f.sql == "" && len(f.conds) == 0 }

// condition is one parsed {field, op, value}.
type condition struct {
	key   string   // its key in the config, for messages: filter.left[0]
	path  []string // the field and, for a part of a lookup, the part
	op    string
	value any      // string, float64 or bool; nil for empty / not_empty
	list  []string // in, not_in
}

func (c condition) field() string { return strings.Join(c.path, ".") }

// Filter ops and the spellings they accept.
var filterOps = map[string]string{
	"is": "is", "=": "is", "==": "is", "eq": "is",
	"is_not": "is_not", "!=": "is_not", "<>": "is_not", "ne": "is_not",
	"in": "in", "not_in": "not_in",
	"lt": "lt", "<": "lt", "lte": "lte", "<=": "lte", "gt": "gt", ">": "gt", "gte": "gte", ">=": "gte",
	"contains": "contains", "not_contains": "not_contains",
	"empty": "empty", "is_empty": "empty", "not_empty": "not_empty", "is_not_empty": "not_empty",
}

var fieldPathRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// validateFilter parses both sides' filters; errors are "key: reason"
// with keys such as filter.left[1].op.
func (s *Spec) validateFilter() error {
	for i, raw := range [2]any{s.Filter.Left, s.Filter.Right} {
		key := "filter." + [...]string{"left", "right"}[i]
		sf, err := parseSideFilter(key, raw)
		if err != nil {
			return err
		}
		s.Filter.sides[i] = sf
	}
	return nil
}

func parseSideFilter(key string, raw any) (sideFilter, error) {
	switch x := raw.(type) {
	case nil:
		return sideFilter{}, nil
	case string:
		if err := checkPredicate(x); err != nil {
			return sideFilter{}, keyErr(key, "%v", err)
		}
		return sideFilter{sql: strings.TrimSpace(x)}, nil
	case []any:
		if len(x) == 0 {
			return sideFilter{}, keyErr(key, "an empty list: leave the side out to let every record take part")
		}
		var out sideFilter
		for j, e := range x {
			c, err := parseCondition(fmt.Sprintf("%s[%d]", key, j), e)
			if err != nil {
				return sideFilter{}, err
			}
			out.conds = append(out.conds, c)
		}
		return out, nil
	}
	return sideFilter{}, keyErr(key, "want a list of {field, op, value} conditions or a SQL predicate (a string)")
}

func parseCondition(key string, raw any) (condition, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return condition{}, keyErr(key, "want {field: FIELD, op: OP, value: VALUE}")
	}
	for _, k := range sortedKeys(m) {
		if k != "field" && k != "op" && k != "value" {
			return condition{}, keyErr(key+"."+k, "unknown key (a condition has field, op and value)")
		}
	}
	c := condition{key: key}
	field, _ := m["field"].(string)
	switch {
	case m["field"] == nil:
		return c, keyErr(key+".field", "required: the field API name (Owner.name for a part of a lookup)")
	case !fieldPathRE.MatchString(field):
		return c, keyErr(key+".field", "%v is not a field API name (or FIELD.part)", m["field"])
	}
	c.path = strings.Split(field, ".")
	opName, _ := m["op"].(string)
	op, ok := filterOps[strings.ToLower(strings.TrimSpace(opName))]
	if !ok {
		names := map[string]bool{}
		for _, v := range filterOps {
			names[v] = true
		}
		if m["op"] == nil {
			return c, keyErr(key+".op", "required: one of %s", strings.Join(sortedKeys(names), ", "))
		}
		return c, keyErr(key+".op", "%v is not one of %s", m["op"], strings.Join(sortedKeys(names), ", "))
	}
	c.op = op
	v, has := m["value"]
	switch op {
	case "empty", "not_empty":
		if has {
			return c, keyErr(key+".value", "op %s takes no value", op)
		}
		return c, nil
	case "in", "not_in":
		vals, ok := filterList(v)
		if !has || !ok {
			return c, keyErr(key+".value", "op %s takes a list of values, e.g. [Web, Partner Referral]", op)
		}
		c.list = vals
		return c, nil
	}
	if !has || v == nil {
		return c, keyErr(key+".value", "required with op %s", op)
	}
	switch x := v.(type) {
	case string:
		c.value = x
	case bool:
		if op != "is" && op != "is_not" {
			return c, keyErr(key+".value", "a boolean only compares with is or is_not")
		}
		c.value = x
	case int, int64, uint64, float64:
		f, _ := asFloat(x)
		if u, ok := x.(uint64); ok {
			f = float64(u)
		}
		c.value = f
	default:
		return c, keyErr(key+".value", "want a text, number or boolean value")
	}
	if (op == "contains" || op == "not_contains") && !isString(c.value) {
		return c, keyErr(key+".value", "op %s takes a text value", op)
	}
	return c, nil
}

func isString(v any) bool { _, ok := v.(string); return ok }

// filterList reads the value of in / not_in: a list of scalars (or one).
func filterList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			switch e.(type) {
			case nil, map[string]any, []any:
				return nil, false
			}
			out = append(out, strings.ToLower(text(e)))
		}
		return out, len(out) > 0
	case nil, map[string]any:
		return nil, false
	}
	return []string{strings.ToLower(text(v))}, true
}

// checkPredicate refuses SQL predicates that cannot be one boolean
// expression: empty, several statements, unbalanced quotes or
// parentheses. The warehouse checks the rest when the link runs.
func checkPredicate(p string) error {
	if strings.TrimSpace(p) == "" {
		return fmt.Errorf("an empty SQL predicate")
	}
	depth := 0
	var quote rune
	for i, r := range p {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("%q: a ) at character %d closes nothing", p, i+1)
			}
		case r == ';':
			return fmt.Errorf("%q: one boolean expression, without ';'", p)
		case r == '-' && strings.HasPrefix(p[i:], "--"):
			return fmt.Errorf("%q: no comments in a predicate", p)
		}
	}
	switch {
	case quote != 0:
		return fmt.Errorf("%q: a quote (%c) is not closed", p, quote)
	case depth > 0:
		return fmt.Errorf("%q: %d ( not closed", p, depth)
	}
	return nil
}

// filtered reports whether side i has a filter.
func (s *Spec) filtered(i int) bool { return !s.Filter.sides[i].empty() }

// filterSQL renders side i's filter as a boolean select expression over
// its landed table (have: lower-case column names to their spelling),
// with its arguments; "" when the side has none.
func (s *Spec) filterSQL(i int, have map[string]string, rel string) (string, []any, error) {
	sf := s.Filter.sides[i]
	if sf.sql != "" {
		return "coalesce((" + sf.sql + "), false)", nil, nil
	}
	if len(sf.conds) == 0 {
		return "", nil, nil
	}
	var parts []string
	var args []any
	for _, c := range sf.conds {
		col := have[strings.ToLower(c.path[0])]
		if col == "" {
			return "", nil, fmt.Errorf("%s.field: %s has no column %s (the field is gone, or was not extracted yet)", c.key, rel, c.path[0])
		}
		x := quoteIdent(col)
		if len(c.path) > 1 {
			x += "." + quoteIdent(c.path[1])
		}
		txt := "lower(trim(CAST(" + x + " AS VARCHAR)))"
		isEmpty := "(" + x + " IS NULL OR trim(CAST(" + x + " AS VARCHAR)) IN ('', '-None-'))"
		var p string
		switch c.op {
		case "empty":
			p = isEmpty
		case "not_empty":
			p = "NOT " + isEmpty
		case "in", "not_in":
			p = txt + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(c.list)), ", ") + ")"
			for _, v := range c.list {
				args = append(args, v)
			}
			if c.op == "not_in" {
				p = "(" + x + " IS NULL OR NOT " + p + ")"
			}
		case "contains", "not_contains":
			p = txt + " LIKE ? ESCAPE '\\'"
			args = append(args, "%"+likeEscape(strings.ToLower(strings.TrimSpace(c.value.(string))))+"%")
			if c.op == "not_contains" {
				p = "(" + x + " IS NULL OR NOT " + p + ")"
			}
		default:
			sym := map[string]string{"is": "=", "is_not": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[c.op]
			switch v := c.value.(type) {
			case bool:
				p = "coalesce(CAST(" + x + " AS BOOLEAN), false) = ?"
				args = append(args, v)
			case float64:
				p = "CAST(" + x + " AS DOUBLE) " + sym + " ?"
				args = append(args, v)
			case string:
				if c.op == "is" || c.op == "is_not" {
					p = txt + " = ?"
					args = append(args, strings.ToLower(collapse(v)))
				} else {
					p = "CAST(" + x + " AS VARCHAR) " + sym + " ?"
					args = append(args, v)
				}
			}
			if c.op == "is_not" {
				if _, ok := c.value.(bool); ok {
					p = "NOT (" + p + ")"
				} else {
					p = "(" + x + " IS NULL OR NOT (" + p + "))"
				}
			}
		}
		parts = append(parts, "("+p+")")
	}
	return "coalesce(" + strings.Join(parts, " AND ") + ", false)", args, nil
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// checkFilterMetadata adds a problem for every filter field an object no
// longer has: a filter on a field that is gone would let every record
// fail (or pass) silently.
func checkFilterMetadata(s *Spec, schemas [2]*revsync.Schema, add func(string, ...any)) {
	for i := range 2 {
		if schemas[i] == nil {
			continue
		}
		for _, c := range s.Filter.sides[i].conds {
			if f := lookupField(schemas[i], c.path[0]); f.Name == "" {
				add("%s %s: %s %s has no field %s%s (removed or renamed?)", c.key, c.field(), s.Sides()[i].Source, s.Sides()[i].Object,
					c.path[0], suggest(c.path[0], schemas[i]))
			}
		}
	}
}
