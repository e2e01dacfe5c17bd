package zql

import (
	"strconv"
	"strings"
)

// Search criteria limits (GET /crm/v8/{module}/search).
const (
	// MaxSearchCriteria is the number of (field:operator:value) conditions a
	// criteria string may hold. Zoho's OpenAPI error text names 15, but its
	// documentation and the reference sheet say 10; we enforce 10.
	MaxSearchCriteria = 10
	// MaxSearchInValues is the number of values an in (or not_in) list may
	// hold.
	MaxSearchInValues = 100
	// maxCriteriaDepth bounds nesting, so hostile input cannot recurse
	// without end.
	maxCriteriaDepth = 64
)

// Search operators.
const (
	OpEquals       = "equals"
	OpNotEqual     = "not_equal"
	OpStartsWith   = "starts_with"
	OpIn           = "in"
	OpNotIn        = "not_in"
	OpGreaterThan  = "greater_than"
	OpGreaterEqual = "greater_equal"
	OpLessThan     = "less_than"
	OpLessEqual    = "less_equal"
	OpBetween      = "between"
)

var searchOperators = map[string]bool{
	OpEquals: true, OpNotEqual: true, OpStartsWith: true, OpIn: true, OpNotIn: true,
	OpGreaterThan: true, OpGreaterEqual: true, OpLessThan: true, OpLessEqual: true, OpBetween: true,
}

// Criteria is a parsed search criteria string such as
// ((Last_Name:equals:Burns\,B)and(First_Name:starts_with:M)).
//
// ParseCriteria builds it, Check resolves it against a Schema, and Match
// evaluates it. String renders it back in canonical form (every group in
// parentheses, specials escaped), which parses to an equal Criteria.
type Criteria struct {
	root critNode
	n    int
}

type critNode interface {
	match(r Record) bool
	write(b *strings.Builder)
}

// critGroup is (left and right) or (left or right).
type critGroup struct {
	and         bool
	left, right critNode
}

// critCond is one (field:op:value) condition.
type critCond struct {
	field  string
	op     string
	values []string

	// Set by Check.
	typed bool
	typ   FieldType
	ops   []operand
}

// Conditions returns the number of (field:operator:value) conditions.
func (c *Criteria) Conditions() int { return c.n }

// Fields returns the field names the criteria refer to, in order of
// appearance, as written (or as canonicalized by Check).
func (c *Criteria) Fields() []string {
	var out []string
	var walk func(n critNode)
	walk = func(n critNode) {
		switch x := n.(type) {
		case *critGroup:
			walk(x.left)
			walk(x.right)
		case *critCond:
			out = append(out, x.field)
		}
	}
	walk(c.root)
	return out
}

// String renders the criteria in canonical form.
func (c *Criteria) String() string {
	var b strings.Builder
	c.root.write(&b)
	return b.String()
}

func (g *critGroup) write(b *strings.Builder) {
	b.WriteByte('(')
	g.left.write(b)
	if g.and {
		b.WriteString("and")
	} else {
		b.WriteString("or")
	}
	g.right.write(b)
	b.WriteByte(')')
}

func (c *critCond) write(b *strings.Builder) {
	b.WriteByte('(')
	b.WriteString(c.field)
	b.WriteByte(':')
	b.WriteString(c.op)
	b.WriteByte(':')
	for i, v := range c.values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(EscapeCriteriaValue(v))
	}
	b.WriteByte(')')
}

// EscapeCriteriaValue escapes a value for use in a search criteria string:
// a backslash goes before each "(", ")", "," and "\". (The result still needs
// URL encoding.)
func EscapeCriteriaValue(v string) string {
	if !strings.ContainsAny(v, `(),\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '(', ')', ',', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// isCritEscapable reports whether c may follow a backslash as an escape.
func isCritEscapable(c byte) bool {
	switch c {
	case '(', ')', ',', ':', '\\':
		return true
	}
	return false
}

// ParseCriteria parses a search criteria string (already URL-decoded).
// Conditions are (Field:operator:value); groups combine two or more
// parenthesized terms with and/or, and binds tighter than or. Values of in,
// not_in and between are comma lists; "(", ")", "," and "\" inside a value
// are escaped with a backslash ("\:" is accepted too, but a value may hold
// plain colons, as datetimes do). Values are trimmed of surrounding blanks.
//
// Errors: INVALID_QUERY for malformed criteria, unknown operators, empty
// values, a between without two values, or more than MaxSearchInValues in
// values; CRITERIA_LIMIT_EXCEEDED for more than MaxSearchCriteria
// conditions.
func ParseCriteria(s string) (*Criteria, error) {
	p := &critParser{s: s}
	p.skipSpace()
	if p.eof() {
		return nil, critSyntax("criteria is empty")
	}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, critSyntax("unexpected text after criteria: " + clip(p.s[p.pos:]))
	}
	if p.n > MaxSearchCriteria {
		return nil, newErr(CodeCriteriaLimitExceeded,
			"no of criterium that can be given exceed the limit "+strconv.Itoa(MaxSearchCriteria))
	}
	return &Criteria{root: root, n: p.n}, nil
}

// critSyntax is the error for malformed criteria.
func critSyntax(reason string) *Error {
	return newErr(CodeInvalidQuery, "Invalid query formed", "reason", reason)
}

type critParser struct {
	s   string
	pos int
	n   int
}

func (p *critParser) eof() bool { return p.pos >= len(p.s) }

func (p *critParser) skipSpace() {
	for p.pos < len(p.s) && isBlank(p.s[p.pos]) {
		p.pos++
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// keyword consumes "and" or "or" (any case) followed by a blank or "(".
func (p *critParser) keyword(kw string) bool {
	end := p.pos + len(kw)
	if end >= len(p.s) || !strings.EqualFold(p.s[p.pos:end], kw) {
		return false
	}
	if c := p.s[end]; c != '(' && !isBlank(c) {
		return false
	}
	p.pos = end
	return true
}

func (p *critParser) parseOr(depth int) (critNode, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !p.keyword("or") {
			return left, nil
		}
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &critGroup{and: false, left: left, right: right}
	}
}

func (p *critParser) parseAnd(depth int) (critNode, error) {
	left, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !p.keyword("and") {
			return left, nil
		}
		right, err := p.parsePrimary(depth)
		if err != nil {
			return nil, err
		}
		left = &critGroup{and: true, left: left, right: right}
	}
}

// parsePrimary parses "(" group ")" or "(" condition ")".
func (p *critParser) parsePrimary(depth int) (critNode, error) {
	if depth > maxCriteriaDepth {
		return nil, critSyntax("criteria nested too deeply")
	}
	p.skipSpace()
	if p.eof() || p.s[p.pos] != '(' {
		if p.eof() {
			return nil, critSyntax("criteria ended where a condition was expected")
		}
		return nil, critSyntax("expected ( near: " + clip(p.s[p.pos:]))
	}
	p.pos++
	p.skipSpace()
	if !p.eof() && p.s[p.pos] == '(' {
		n, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.eof() || p.s[p.pos] != ')' {
			return nil, critSyntax("unbalanced parentheses")
		}
		p.pos++
		return n, nil
	}
	return p.parseCond()
}

// parseCond parses field:op:value) after the opening parenthesis.
func (p *critParser) parseCond() (critNode, error) {
	field, err := p.upToColon("field")
	if err != nil {
		return nil, err
	}
	if !isFieldName(field) {
		return nil, newErr(CodeInvalidQuery, "Invalid query formed",
			"reason", "invalid field api name", "api_name", field)
	}
	op, err := p.upToColon("operator")
	if err != nil {
		return nil, err
	}
	lop := strings.ToLower(op)
	if !searchOperators[lop] {
		return nil, newErr(CodeInvalidQuery, "Invalid query formed",
			"reason", "invalid operator found", "api_name", field, "operator", op)
	}
	// The value runs to the first unescaped ")".
	start := p.pos
	for {
		if p.eof() {
			return nil, critSyntax("unbalanced parentheses")
		}
		c := p.s[p.pos]
		if c == '\\' && p.pos+1 < len(p.s) && isCritEscapable(p.s[p.pos+1]) {
			p.pos += 2
			continue
		}
		if c == ')' {
			break
		}
		p.pos++
	}
	raw := p.s[start:p.pos]
	p.pos++ // ")"
	p.n++

	var values []string
	switch lop {
	case OpIn, OpNotIn, OpBetween:
		for _, part := range splitUnescaped(raw) {
			values = append(values, unescapeCrit(strings.Trim(part, " \t\r\n")))
		}
	default:
		values = []string{unescapeCrit(strings.Trim(raw, " \t\r\n"))}
	}
	for _, v := range values {
		if v == "" {
			return nil, newErr(CodeInvalidQuery, "Invalid query formed",
				"reason", "invalid value for search", "api_name", field, "value", "")
		}
	}
	switch {
	case lop == OpBetween && len(values) != 2:
		return nil, newErr(CodeInvalidQuery, "Invalid query formed",
			"reason", "between operator needs two values", "api_name", field, "operator", lop)
	case (lop == OpIn || lop == OpNotIn) && len(values) > MaxSearchInValues:
		return nil, newErr(CodeInvalidQuery,
			`Only `+strconv.Itoa(MaxSearchInValues)+` values are allowed in "IN" criteria`, "api_name", field)
	}
	return &critCond{field: field, op: lop, values: values}, nil
}

// upToColon reads a trimmed name up to the next ":".
func (p *critParser) upToColon(what string) (string, error) {
	start := p.pos
	for !p.eof() {
		switch p.s[p.pos] {
		case ':':
			name := strings.Trim(p.s[start:p.pos], " \t\r\n")
			p.pos++
			if name == "" {
				return "", critSyntax(what + " missing in condition")
			}
			return name, nil
		case '(', ')':
			return "", critSyntax("condition must be (field:operator:value) near: " + clip(p.s[start:]))
		}
		p.pos++
	}
	return "", critSyntax("condition must be (field:operator:value) near: " + clip(p.s[start:]))
}

// splitUnescaped splits raw at commas not preceded by an escaping backslash.
func splitUnescaped(raw string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\\' && i+1 < len(raw) && isCritEscapable(raw[i+1]):
			i++
		case raw[i] == ',':
			parts = append(parts, raw[start:i])
			start = i + 1
		}
	}
	return append(parts, raw[start:])
}

// unescapeCrit drops the backslash of each escape sequence; a backslash
// before any other character is kept.
func unescapeCrit(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isCritEscapable(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isFieldName reports whether s looks like a field API name or a dotted
// path of them.
func isFieldName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '.' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 30 {
		return s[:30]
	}
	return s
}
