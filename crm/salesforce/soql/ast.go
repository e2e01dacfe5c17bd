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
	Object string
	// Fields are the selected field paths ("Name", "Account.Owner.Email"),
	// as written until Check canonicalizes them. Empty when CountOnly.
	Fields []string
	// CountOnly is set for SELECT COUNT() FROM ...
	CountOnly bool
	// Where is the filter, nil when there is no WHERE clause.
	Where Expr
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

// Order is one ORDER BY key.
type Order struct {
	// Field is the field path.
	Field string
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

// Condition compares one field with literal values.
type Condition struct {
	// Field is the field path, canonical after Check.
	Field string
	// Op is one of "=", "!=", "<", "<=", ">", ">=", "LIKE", "IN",
	// "NOT IN", "INCLUDES", "EXCLUDES". "<>" is parsed as "!=".
	Op string
	// Values holds one value, or the list for IN, NOT IN, INCLUDES and
	// EXCLUDES.
	Values []Value
	// Type is the field's type, set by Check (TypeUnknown before). It
	// selects id and multipicklist comparison rules.
	Type FieldType

	pos  int       // byte offset of Field
	like []likeTok // compiled LIKE pattern
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
		b.WriteString(strings.Join(q.Fields, ", "))
	}
	b.WriteString(" FROM ")
	b.WriteString(q.Object)
	if q.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where.String())
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

// String renders the key as SOQL ("Name DESC NULLS LAST").
func (o Order) String() string {
	s := o.Field
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

// String renders the condition ("Name = 'x'", "Id IN ('a', 'b')").
func (c *Condition) String() string {
	switch c.Op {
	case "IN", "NOT IN", "INCLUDES", "EXCLUDES":
		parts := make([]string, len(c.Values))
		for i, v := range c.Values {
			parts[i] = v.String()
		}
		return c.Field + " " + c.Op + " (" + strings.Join(parts, ", ") + ")"
	}
	v := Value{}
	if len(c.Values) > 0 {
		v = c.Values[0]
	}
	return c.Field + " " + c.Op + " " + v.String()
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
