package zql

import (
	"strconv"
	"strings"
)

// COQL limits (Zoho CRM v8, POST /crm/v8/coql; see the reference sheet §2.8).
const (
	DefaultCOQLLimit    = 200    // LIMIT when the query gives none
	MaxCOQLLimit        = 2000   // rows per call
	MaxCOQLRows         = 100000 // LIMIT + OFFSET
	MaxCOQLFields       = 50     // plain columns in SELECT
	MaxCOQLCriteria     = 25     // comparisons in WHERE
	MaxCOQLOrderBy      = 10     // ORDER BY columns
	MaxCOQLGroupBy      = 4      // GROUP BY columns
	MaxCOQLAggregates   = 5      // aggregate columns
	MaxCOQLInValues     = 50     // values in an in / not in list
	MaxCOQLLookupHops   = 2      // dots in a column path (Account_Name.Parent_Account.Account_Name)
	maxCOQLNestingDepth = 64
)

// COQL comparison operators, as Comparison.Op holds them.
const (
	CmpEq         = "="
	CmpNe         = "!="
	CmpLt         = "<"
	CmpLe         = "<="
	CmpGt         = ">"
	CmpGe         = ">="
	CmpLike       = "like"
	CmpNotLike    = "not like"
	CmpIn         = "in"
	CmpNotIn      = "not in"
	CmpBetween    = "between"
	CmpNotBetween = "not between"
	CmpIsNull     = "is null"
	CmpIsNotNull  = "is not null"
)

// Query is a parsed COQL select query:
//
//	select f1, f2, Lookup.Field, COUNT(id) from Module where <cond>
//	[group by g1, ...] [order by f asc|desc, ...] [limit n [offset m] | limit m, n]
//
// ParseCOQL builds it, Check resolves it against a Schema, Match filters
// records with Where, Sort orders them and Aggregate groups them. Applying
// Offset and Limit to the sorted matches is the caller's job.
type Query struct {
	Module     string      // FROM
	Fields     []string    // plain SELECT columns, in order
	Aggregates []Aggregate // aggregate SELECT columns, in order
	Where      Cond        // WHERE (required by Zoho)
	GroupBy    []string    // GROUP BY columns
	OrderBy    []Order     // ORDER BY columns; empty means id asc
	Limit      int         // LIMIT, DefaultCOQLLimit when not given
	Offset     int         // OFFSET, 0 when not given

	types map[string]FieldType // canonical column → type, set by Check
}

// Order is one ORDER BY column.
type Order struct {
	Field string
	Desc  bool
}

// Aggregate is one aggregate SELECT column such as SUM(Amount). Func is
// upper case: COUNT, SUM, MIN, MAX or AVG; Field is "*" only for COUNT(*).
type Aggregate struct {
	Func  string
	Field string
}

// String renders the aggregate as Zoho names it in results: "SUM(Amount)".
func (a Aggregate) String() string { return a.Func + "(" + a.Field + ")" }

// Cond is a WHERE condition: a *Comparison, or a *Logical joining two.
type Cond interface {
	// Eval reports whether r satisfies the condition.
	Eval(r Record) bool
	// String renders the condition as COQL that parses back to an equal
	// condition.
	String() string
}

// Logical is (Left and Right) or (Left or Right).
type Logical struct {
	Op          string // "and" or "or"
	Left, Right Cond
}

// String renders the condition in parentheses.
func (l *Logical) String() string {
	return "(" + l.Left.String() + " " + l.Op + " " + l.Right.String() + ")"
}

// Comparison is one criterion: Field Op Values. Values holds one literal for
// = != < <= > >= like and not like, two for between and not between, the
// list for in and not in, and none for is null and is not null.
type Comparison struct {
	Field  string
	Op     string
	Values []Literal

	// Set by Check.
	typed bool
	typ   FieldType
	ops   []operand
}

// String renders the comparison as COQL.
func (c *Comparison) String() string {
	var b strings.Builder
	b.WriteString(c.Field)
	b.WriteByte(' ')
	b.WriteString(c.Op)
	switch c.Op {
	case CmpIsNull, CmpIsNotNull:
	case CmpIn, CmpNotIn:
		b.WriteString(" (")
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte(')')
	case CmpBetween, CmpNotBetween:
		b.WriteByte(' ')
		b.WriteString(c.Values[0].String())
		b.WriteString(" and ")
		b.WriteString(c.Values[1].String())
	default:
		b.WriteByte(' ')
		b.WriteString(c.Values[0].String())
	}
	return b.String()
}

// LiteralKind tells how a literal was written.
type LiteralKind int

// The literal kinds.
const (
	LitString LiteralKind = iota // 'text', '2024-01-15', '2024-01-15T10:30:00+05:30'
	LitNumber                    // 42, -1.5, 3652397000009851001 (kept as text: ids exceed 2^53)
	LitBool                      // true, false
)

// Literal is a constant in a WHERE clause. Text is the unquoted,
// unescaped string, the number as written, or "true"/"false".
type Literal struct {
	Kind LiteralKind
	Text string
}

// String renders the literal as COQL: strings in single quotes with "\" and
// "'" escaped by a backslash.
func (l Literal) String() string {
	if l.Kind != LitString {
		return l.Text
	}
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(l.Text); i++ {
		if c := l.Text[i]; c == '\'' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(l.Text[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// String renders the query as COQL that ParseCOQL reads back to an equal
// Query: plain columns first, then aggregates, and always a LIMIT.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("select ")
	cols := make([]string, 0, len(q.Fields)+len(q.Aggregates))
	cols = append(cols, q.Fields...)
	for _, a := range q.Aggregates {
		cols = append(cols, a.String())
	}
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(" from ")
	b.WriteString(q.Module)
	if q.Where != nil {
		b.WriteString(" where ")
		b.WriteString(q.Where.String())
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" group by ")
		b.WriteString(strings.Join(q.GroupBy, ", "))
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" order by ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.Field)
		if o.Desc {
			b.WriteString(" desc")
		} else {
			b.WriteString(" asc")
		}
	}
	b.WriteString(" limit ")
	b.WriteString(strconv.Itoa(q.Limit))
	if q.Offset > 0 {
		b.WriteString(" offset ")
		b.WriteString(strconv.Itoa(q.Offset))
	}
	return b.String()
}

// Credits is what the query costs in API credits, by its LIMIT: 1 up to
// 200 rows, 2 up to 1,000, 3 above.
func (q *Query) Credits() int {
	switch {
	case q.Limit <= 200:
		return 1
	case q.Limit <= 1000:
		return 2
	}
	return 3
}
