package soql

import (
	"strconv"
	"strings"
	"time"
)

// Query is a parsed SOQL SELECT statement. Parse fills it in; Check
// rewrites its field paths and object name to their canonical spelling.
type Query struct {
	// Object is the FROM object, as written until Check canonicalizes it.
	// In a parent-to-child subquery the FROM names a child relationship:
	// Object holds that name as written, and Check moves it to
	// Relationship and sets Object to the child object.
	Object string
	// Relationship is the canonical child relationship name of a checked
	// parent-to-child subquery ("Contacts"), "" otherwise.
	Relationship string
	// JoinField is the child object's field that references the parent in
	// a checked parent-to-child subquery ("AccountId"), "" otherwise.
	JoinField string
	// Items are the SELECT items in source order: fields, functions
	// (COUNT(Id), CALENDAR_YEAR(CreatedDate)) and parent-to-child
	// subqueries. A Query built by hand may leave Items empty and list
	// Fields only. Empty when CountOnly.
	Items []Item
	// Fields are the paths of the plain field items ("Name",
	// "Account.Owner.Email"), in order, as written until Check
	// canonicalizes them. Empty when CountOnly.
	Fields []string
	// CountOnly is set for SELECT COUNT() FROM ...
	CountOnly bool
	// Where is the filter, nil when there is no WHERE clause.
	Where Expr
	// GroupBy lists the GROUP BY keys: fields and date functions.
	GroupBy []Item
	// Having filters the groups of an aggregate query, nil without HAVING.
	Having Expr
	// OrderBy lists the sort keys, most significant first.
	OrderBy []Order
	// Limit is the LIMIT value, -1 when there is none.
	Limit int
	// Offset is the OFFSET value, 0 when there is none.
	Offset int

	src       string // the query text, echoed in errors
	objectPos int    // byte offset of Object in src
	fieldPos  []int  // byte offset of each Fields entry in src
}

// ItemKind says what a SELECT item is.
type ItemKind int

// Item kinds.
const (
	ItemField    ItemKind = iota // a field path
	ItemFunc                     // an aggregate or date function
	ItemSubquery                 // a parent-to-child subquery
)

// Item is one SELECT item or GROUP BY key.
type Item struct {
	// Kind says which of the fields below are meaningful.
	Kind ItemKind
	// Field is the field path of an ItemField or the argument of an
	// ItemFunc ("" for COUNT()), canonical after Check.
	Field string
	// Func is the upper-case function name of an ItemFunc: COUNT,
	// COUNT_DISTINCT, SUM, AVG, MIN, MAX or a date function
	// (CALENDAR_YEAR, DAY_ONLY, ...).
	Func string
	// Alias is the alias written after the item, "" without one.
	Alias string
	// Sub is the subquery of an ItemSubquery.
	Sub *Query
	// Type is the type of Field, set by Check.
	Type FieldType

	pos      int            // byte offset of the item in src
	argPos   int            // byte offset of a function's argument
	picklist map[string]int // picklist order of Field (MIN/MAX), set by Check
}

// Key is the canonical text of a field or function item ("Name",
// "COUNT(Id)", "CALENDAR_YEAR(CreatedDate)"): the path a group row of
// Aggregate answers to. A subquery's key is its relationship (or FROM)
// name.
func (it Item) Key() string {
	switch it.Kind {
	case ItemFunc:
		return it.Func + "(" + it.Field + ")"
	case ItemSubquery:
		if it.Sub == nil {
			return ""
		}
		return it.Sub.from()
	}
	return it.Field
}

// IsAggregate reports whether the item is an aggregate function.
func (it Item) IsAggregate() bool { return it.Kind == ItemFunc && aggregateFuncs[it.Func] }

// String renders the item as SOQL, with its alias.
func (it Item) String() string {
	s := it.Key()
	if it.Kind == ItemSubquery && it.Sub != nil {
		s = "(" + it.Sub.String() + ")"
	}
	if it.Alias != "" {
		s += " " + it.Alias
	}
	return s
}

// from is the FROM name: the relationship of a checked subquery, the
// object otherwise.
func (q *Query) from() string {
	if q.Relationship != "" {
		return q.Relationship
	}
	return q.Object
}

// Order is one ORDER BY key.
type Order struct {
	// Field is the field path (the argument when Func is set).
	Field string
	// Func is the upper-case function name when the key is a function
	// (ORDER BY COUNT(Id) DESC), "" otherwise.
	Func string
	// Desc is set for DESC.
	Desc bool
	// NullsLast is set for NULLS LAST; nulls sort first otherwise, in
	// both directions.
	NullsLast bool
	// Type is the field's type, set by Check (TypeUnknown before). Sort
	// orders TypeID keys case-sensitively.
	Type FieldType

	pos int
}

// Key is the canonical text of the key: the field path, or the function
// and its argument ("COUNT(Id)").
func (o Order) Key() string {
	if o.Func != "" {
		return o.Func + "(" + o.Field + ")"
	}
	return o.Field
}

// Expr is a WHERE expression: *And, *Or, *Not or *Condition.
type Expr interface {
	// Eval reports whether the row satisfies the expression. now anchors
	// relative date literals and is used in UTC. Eval is safe for
	// concurrent use.
	Eval(r Row, now time.Time) bool
	// String renders the expression as SOQL that parses back to an equal
	// expression.
	String() string
}

// And is a conjunction of two or more terms (a AND b AND ...).
type And struct {
	// Terms are the operands, in source order.
	Terms []Expr
}

// Or is a disjunction of two or more terms (a OR b OR ...).
type Or struct {
	// Terms are the operands, in source order.
	Terms []Expr
}

// Not negates its operand (NOT cond, NOT (a OR b)).
type Not struct {
	// X is the negated expression.
	X Expr
}

// Condition compares one field (or function of a field) with literal
// values, or, in a semi-join or anti-join, with the values a subquery
// selects.
type Condition struct {
	// Field is the field path, canonical after Check; the argument when
	// Func is set.
	Field string
	// Func is the upper-case function name when the left side is a
	// function: a date function (CALENDAR_YEAR(CreatedDate) = 2024) or, in
	// HAVING, an aggregate (COUNT(Id) > 1). "" otherwise.
	Func string
	// Op is one of "=", "!=", "<", "<=", ">", ">=", "LIKE", "IN",
	// "NOT IN", "INCLUDES", "EXCLUDES". "<>" is parsed as "!=".
	Op string
	// Values holds one value, or the list for IN, NOT IN, INCLUDES and
	// EXCLUDES. Empty for a semi-join.
	Values []Value
	// Sub is the subquery of a semi-join (IN) or anti-join (NOT IN); nil
	// otherwise. Its results are handed over with Resolve before Match.
	Sub *Query
	// Type is the type of the left side, set by Check (TypeUnknown
	// before). It selects id and multipicklist comparison rules.
	Type FieldType

	pos      int             // byte offset of Field (or Func)
	like     []likeTok       // compiled LIKE pattern
	resolved map[string]bool // a semi-join's values: ids by their first 15 characters
}

// Key is the canonical text of the left side: the field path, or the
// function and its argument ("COUNT(Id)").
func (c *Condition) Key() string {
	if c.Func != "" {
		return c.Func + "(" + c.Field + ")"
	}
	return c.Field
}

// Resolve hands a semi-join or anti-join the values its subquery selected
// (ids, as strings); until then it behaves as if the subquery selected
// nothing. Resolve is not safe for concurrent use with Eval.
func (c *Condition) Resolve(values []string) {
	c.resolved = make(map[string]bool, len(values))
	for _, v := range values {
		c.resolved[idKey(v)] = true
	}
}

// Conditions returns the conditions of an expression in source order (nil
// for a nil expression); semi-joins among them carry their subquery.
func Conditions(e Expr) []*Condition {
	var out []*Condition
	var walk func(e Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case *And:
			for _, t := range x.Terms {
				walk(t)
			}
		case *Or:
			for _, t := range x.Terms {
				walk(t)
			}
		case *Not:
			walk(x.X)
		case *Condition:
			out = append(out, x)
		}
	}
	walk(e)
	return out
}

// idKey is the part of an id that identifies it: the first 15 characters
// of a 15- or 18-character id, the whole string otherwise.
func idKey(s string) string {
	if len(s) == 18 {
		return s[:15]
	}
	return s
}

// Kind classifies a literal Value.
type Kind int

// Literal kinds.
const (
	KindNull     Kind = iota // null
	KindString               // 'text'
	KindNumber               // 42, -1.5
	KindBool                 // true, false
	KindDate                 // 2024-01-15
	KindDateTime             // 2024-01-15T10:30:00Z
	KindRelative             // TODAY, LAST_N_DAYS:7, ...
)

var kindNames = [...]string{"null", "string", "number", "boolean", "date", "dateTime", "date literal"}

// String names the kind ("string", "dateTime", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a literal in a WHERE clause.
type Value struct {
	// Kind says which of the fields below is meaningful.
	Kind Kind
	// Str is the unescaped text of a KindString literal.
	Str string
	// Num is the value of a KindNumber literal.
	Num float64
	// Bool is the value of a KindBool literal.
	Bool bool
	// Time is the instant of a KindDateTime literal or the UTC midnight of
	// a KindDate literal, always in UTC.
	Time time.Time
	// Text is the literal as written: the raw text between the quotes of a
	// string (escapes intact), the digits of a number, the date or datetime
	// text; for KindRelative the upper-cased name without ":n"; "true",
	// "false" or "null" otherwise.
	Text string
	// N is the parameter of a KindRelative literal such as LAST_N_DAYS:n.
	N int

	pos int
}

// Go returns the value as the Go type rows use: nil, string, float64,
// bool or time.Time. KindRelative returns nil; use Range for it.
func (v Value) Go() any {
	switch v.Kind {
	case KindString:
		return v.Str
	case KindNumber:
		return v.Num
	case KindBool:
		return v.Bool
	case KindDate, KindDateTime:
		return v.Time
	}
	return nil
}

// String renders the literal as SOQL.
func (v Value) String() string {
	switch v.Kind {
	case KindString:
		if v.Text == "" && v.Str != "" {
			return quote(v.Str)
		}
		return "'" + v.Text + "'"
	case KindNumber:
		if v.Text == "" {
			return strconv.FormatFloat(v.Num, 'f', -1, 64)
		}
		return v.Text
	case KindBool:
		return strconv.FormatBool(v.Bool)
	case KindDate:
		if v.Text == "" {
			return v.Time.UTC().Format(time.DateOnly)
		}
		return v.Text
	case KindDateTime:
		if v.Text == "" {
			return v.Time.UTC().Format("2006-01-02T15:04:05Z")
		}
		return v.Text
	case KindRelative:
		if relatives[v.Text].param {
			return v.Text + ":" + strconv.Itoa(v.N)
		}
		return v.Text
	}
	return "null"
}

// quote renders s as a single-quoted SOQL string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\\', '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// String renders the query as SOQL that Parse turns back into an equal
// Query.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if q.CountOnly {
		b.WriteString("COUNT()")
	} else {
		for i, it := range q.items() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(it.String())
		}
	}
	b.WriteString(" FROM ")
	b.WriteString(q.from())
	if q.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where.String())
	}
	for i, g := range q.GroupBy {
		if i == 0 {
			b.WriteString(" GROUP BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(g.Key())
	}
	if q.Having != nil {
		b.WriteString(" HAVING ")
		b.WriteString(q.Having.String())
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.String())
	}
	if q.Limit >= 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		b.WriteString(" OFFSET ")
		b.WriteString(strconv.Itoa(q.Offset))
	}
	return b.String()
}

// items returns the SELECT items; a hand-built Query without Items gets
// one field item per Fields entry.
func (q *Query) items() []Item {
	if len(q.Items) > 0 || len(q.Fields) == 0 {
		return q.Items
	}
	out := make([]Item, len(q.Fields))
	for i, f := range q.Fields {
		out[i] = Item{Kind: ItemField, Field: f, pos: at(q.fieldPos, i)}
	}
	return out
}

// String renders the key as SOQL ("Name DESC NULLS LAST").
func (o Order) String() string {
	s := o.Key()
	if o.Desc {
		s += " DESC"
	}
	if o.NullsLast {
		s += " NULLS LAST"
	}
	return s
}

// String renders the conjunction, parenthesising nested AND/OR terms.
func (e *And) String() string { return joinTerms(e.Terms, " AND ") }

// String renders the disjunction, parenthesising nested AND/OR terms.
func (e *Or) String() string { return joinTerms(e.Terms, " OR ") }

// String renders the negation.
func (e *Not) String() string { return "NOT " + operand(e.X) }

// String renders the condition ("Name = 'x'", "Id IN ('a', 'b')",
// "AccountId IN (SELECT Id FROM Account)").
func (c *Condition) String() string {
	if c.Sub != nil {
		return c.Key() + " " + c.Op + " (" + c.Sub.String() + ")"
	}
	switch c.Op {
	case "IN", "NOT IN", "INCLUDES", "EXCLUDES":
		parts := make([]string, len(c.Values))
		for i, v := range c.Values {
			parts[i] = v.String()
		}
		return c.Key() + " " + c.Op + " (" + strings.Join(parts, ", ") + ")"
	}
	v := Value{}
	if len(c.Values) > 0 {
		v = c.Values[0]
	}
	return c.Key() + " " + c.Op + " " + v.String()
}

func joinTerms(terms []Expr, sep string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = operand(t)
	}
	return strings.Join(parts, sep)
}

// operand renders e as an operand of AND, OR or NOT.
func operand(e Expr) string {
	switch e.(type) {
	case *And, *Or:
		return "(" + e.String() + ")"
	}
	return e.String()
}
