package soql

import (
	"fmt"
	"strconv"
	"strings"
)

// maxOffset is Salesforce's cap on OFFSET.
const maxOffset = 2000

// reserved are the SOQL reserved words, which cannot name a field or an
// object.
var reserved = map[string]bool{
	"AND": true, "ASC": true, "DESC": true, "EXCLUDES": true, "FIRST": true,
	"FROM": true, "GROUP": true, "HAVING": true, "IN": true, "INCLUDES": true,
	"LAST": true, "LIKE": true, "LIMIT": true, "NOT": true, "NULL": true,
	"NULLS": true, "OR": true, "SELECT": true, "WHERE": true, "WITH": true,
	"TRUE": true, "FALSE": true,
}

// Parse parses one SOQL SELECT statement. Errors are *Error with code
// MALFORMED_QUERY, or NUMBER_OUTSIDE_VALID_RANGE for an OFFSET above 2,000.
// Parse does not know the object's fields; call Check for that.
func Parse(q string) (*Query, error) {
	toks, lerr := lex(q)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{src: q, toks: toks}
	query, err := p.parse()
	if err != nil {
		return nil, err
	}
	return query, nil
}

type parser struct {
	src  string
	toks []token
	i    int
}

// failure carries a parse error up through panic/recover inside parse.
type failure struct{ err *Error }

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) failAt(t token, code, format string, args ...any) {
	panic(failure{newError(p.src, p.toks, t.pos, code, fmt.Sprintf(format, args...))})
}

// unexpected aborts with Salesforce's "unexpected token" error at t.
func (p *parser) unexpected(t token) {
	p.failAt(t, "MALFORMED_QUERY", "unexpected token: %s", t.display())
}

// isWord reports whether t is the keyword w (case-insensitive).
func isWord(t token, w string) bool { return t.kind == tIdent && strings.EqualFold(t.text, w) }

func (p *parser) acceptWord(w string) bool {
	if isWord(p.peek(), w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectWord(w string) {
	if !p.acceptWord(w) {
		p.unexpected(p.peek())
	}
}

func (p *parser) expect(k tokKind) token {
	t := p.next()
	if t.kind != k {
		p.unexpected(t)
	}
	return t
}

// name reads a field path (or, with single set, an object name).
func (p *parser) name(single bool) token {
	t := p.next()
	if t.kind != tIdent || reserved[strings.ToUpper(t.text)] || single && strings.Contains(t.text, ".") {
		p.unexpected(t)
	}
	return t
}

func (p *parser) parse() (q *Query, err *Error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			q, err = nil, f.err
		}
	}()
	q = p.query(modeRoot)
	p.expect(tEOF)
	return q, nil
}

// mode is where a SELECT statement stands.
type mode int

const (
	modeRoot  mode = iota // the statement itself
	modeChild             // a parent-to-child subquery in the SELECT list
	modeSemi              // the subquery of a semi-join or anti-join
)

// query parses one SELECT statement, up to (not including) the token that
// ends it.
func (p *parser) query(m mode) *Query {
	q := &Query{Limit: -1, src: p.src}
	p.expectWord("SELECT")
	if m != modeSemi && isWord(p.peek(), "COUNT") && p.toks[p.i+1].kind == tLParen && p.toks[p.i+2].kind == tRParen {
		p.i += 3
		q.CountOnly = true
	} else {
		for {
			it := p.item(m)
			q.Items = append(q.Items, it)
			if it.Kind == ItemField {
				q.Fields = append(q.Fields, it.Field)
				q.fieldPos = append(q.fieldPos, it.pos)
			}
			if m == modeSemi || p.peek().kind != tComma {
				break
			}
			p.i++
		}
	}
	p.expectWord("FROM")
	obj := p.name(true)
	q.Object, q.objectPos = obj.text, obj.pos
	if p.acceptWord("WHERE") {
		q.Where = p.expr()
	}
	if m == modeSemi {
		// A semi-join's subquery ends after its WHERE clause. Salesforce
		// answers "missing value at 'GROUP'" for a GROUP BY there (seen on
		// the wire); that it answers ORDER BY, LIMIT and OFFSET alike is
		// unconfirmed.
		for _, w := range []string{"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET"} {
			if t := p.peek(); isWord(t, w) {
				p.failAt(t, "MALFORMED_QUERY", "missing value at '%s'", t.text)
			}
		}
		return q
	}
	if p.acceptWord("GROUP") {
		p.expectWord("BY")
		for {
			q.GroupBy = append(q.GroupBy, p.groupKey())
			if p.peek().kind != tComma {
				break
			}
			p.i++
		}
	}
	if p.acceptWord("HAVING") {
		q.Having = p.expr()
	}
	if p.acceptWord("ORDER") {
		p.expectWord("BY")
		for {
			q.OrderBy = append(q.OrderBy, p.order())
			if p.peek().kind != tComma {
				break
			}
			p.i++
		}
	}
	if p.acceptWord("LIMIT") {
		q.Limit = p.integer()
	}
	if p.acceptWord("OFFSET") {
		t := p.peek()
		if q.Offset = p.integer(); q.Offset > maxOffset {
			p.failAt(t, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is %d", maxOffset)
		}
	}
	return q
}

// item parses one SELECT item: a field path, a function call or (outside
// semi-joins) a parenthesised subquery, with an optional alias.
func (p *parser) item(m mode) Item {
	t := p.peek()
	if t.kind == tLParen && m != modeSemi {
		p.i++
		sub := p.query(modeChild)
		p.expect(tRParen)
		return Item{Kind: ItemSubquery, Sub: sub, pos: t.pos}
	}
	var it Item
	if m != modeSemi && p.isCall() {
		it = p.call()
	} else {
		n := p.name(false)
		it = Item{Kind: ItemField, Field: n.text, pos: n.pos}
	}
	if m != modeSemi {
		if a := p.peek(); a.kind == tIdent && !reserved[strings.ToUpper(a.text)] && !strings.Contains(a.text, ".") {
			p.i++
			it.Alias = a.text
		}
	}
	return it
}

// isCall reports whether the next tokens are a known function name and "(".
func (p *parser) isCall() bool {
	t := p.peek()
	return t.kind == tIdent && isFunc(t.text) && p.toks[p.i+1].kind == tLParen
}

// call parses FUNC(path); the argument is required.
func (p *parser) call() Item {
	f := p.next()
	p.expect(tLParen)
	arg := p.name(false)
	p.expect(tRParen)
	return Item{Kind: ItemFunc, Func: strings.ToUpper(f.text), Field: arg.text, pos: f.pos, argPos: arg.pos}
}

// groupKey parses a GROUP BY key: a field path or a function call.
func (p *parser) groupKey() Item {
	if p.isCall() {
		return p.call()
	}
	n := p.name(false)
	return Item{Kind: ItemField, Field: n.text, pos: n.pos}
}

func (p *parser) order() Order {
	var o Order
	if p.isCall() {
		it := p.call()
		o = Order{Field: it.Field, Func: it.Func, pos: it.pos}
	} else {
		t := p.name(false)
		o = Order{Field: t.text, pos: t.pos}
	}
	if p.acceptWord("DESC") {
		o.Desc = true
	} else {
		p.acceptWord("ASC")
	}
	if p.acceptWord("NULLS") {
		if p.acceptWord("LAST") {
			o.NullsLast = true
		} else {
			p.expectWord("FIRST")
		}
	}
	return o
}

// integer reads a non-negative integer literal.
func (p *parser) integer() int {
	t := p.next()
	n, err := strconv.Atoi(t.text)
	if t.kind != tNumber || err != nil || n < 0 || strings.ContainsAny(t.text, "-.") {
		p.unexpected(t)
	}
	return n
}

// expr parses conditions joined by AND or by OR; mixing the two without
// parentheses is an error at the second connector, as in SOQL.
func (p *parser) expr() Expr {
	first := p.unary()
	var conn string
	switch {
	case isWord(p.peek(), "AND"):
		conn = "AND"
	case isWord(p.peek(), "OR"):
		conn = "OR"
	default:
		return first
	}
	other := map[string]string{"AND": "OR", "OR": "AND"}[conn]
	terms := []Expr{first}
	for p.acceptWord(conn) {
		terms = append(terms, p.unary())
	}
	if isWord(p.peek(), other) {
		p.unexpected(p.peek())
	}
	if conn == "AND" {
		return &And{Terms: terms}
	}
	return &Or{Terms: terms}
}

func (p *parser) unary() Expr {
	if p.acceptWord("NOT") {
		return &Not{X: p.unary()}
	}
	if p.peek().kind == tLParen {
		p.i++
		e := p.expr()
		p.expect(tRParen)
		return e
	}
	return p.condition()
}

func (p *parser) condition() Expr {
	var c *Condition
	if p.isCall() {
		it := p.call()
		c = &Condition{Field: it.Field, Func: it.Func, pos: it.pos}
	} else {
		f := p.name(false)
		c = &Condition{Field: f.text, pos: f.pos}
	}
	t := p.next()
	switch {
	case t.kind == tOp:
		c.Op = t.text
		if c.Op == "<>" {
			c.Op = "!="
		}
		c.Values = []Value{p.value()}
	case isWord(t, "LIKE"):
		c.Op = "LIKE"
		c.Values = []Value{p.value()}
		if v := c.Values[0]; v.Kind == KindString {
			c.like = compileLike(v.Text)
		}
	case isWord(t, "IN"), isWord(t, "INCLUDES"), isWord(t, "EXCLUDES"):
		c.Op = strings.ToUpper(t.text)
		if c.Op == "IN" && p.subqueryNext() {
			c.Sub = p.semiJoin()
		} else {
			c.Values = p.list()
		}
	case isWord(t, "NOT"):
		p.expectWord("IN")
		c.Op = "NOT IN"
		if p.subqueryNext() {
			c.Sub = p.semiJoin()
		} else {
			c.Values = p.list()
		}
	default:
		p.unexpected(t)
	}
	return c
}

// subqueryNext reports whether "(SELECT" follows.
func (p *parser) subqueryNext() bool {
	return p.peek().kind == tLParen && isWord(p.toks[p.i+1], "SELECT")
}

// semiJoin parses the parenthesised subquery of a semi-join or anti-join.
func (p *parser) semiJoin() *Query {
	p.expect(tLParen)
	q := p.query(modeSemi)
	p.expect(tRParen)
	return q
}

func (p *parser) list() []Value {
	p.expect(tLParen)
	var vs []Value
	for {
		vs = append(vs, p.value())
		if p.peek().kind != tComma {
			break
		}
		p.i++
	}
	p.expect(tRParen)
	return vs
}

func (p *parser) value() Value {
	t := p.next()
	v := Value{Text: t.text, pos: t.pos}
	switch t.kind {
	case tString:
		v.Kind, v.Str, v.Text = KindString, t.str, t.text[1:len(t.text)-1]
	case tNumber:
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.unexpected(t)
		}
		v.Kind, v.Num = KindNumber, n
	case tDate:
		v.Kind, v.Time = KindDate, t.t
	case tDateTime:
		v.Kind, v.Time = KindDateTime, t.t
	case tIdent:
		name := strings.ToUpper(t.text)
		switch name {
		case "NULL":
			return Value{Kind: KindNull, Text: "null", pos: t.pos}
		case "TRUE", "FALSE":
			return Value{Kind: KindBool, Bool: name == "TRUE", Text: strings.ToLower(name), pos: t.pos}
		}
		spec, ok := relatives[name]
		if !ok {
			p.unexpected(t)
		}
		v.Kind, v.Text = KindRelative, name
		if spec.param {
			if c := p.next(); c.kind != tColon {
				p.failAt(c, "MALFORMED_QUERY", "expecting a colon, found %s", c.display())
			}
			n := p.next()
			num, err := strconv.Atoi(n.text)
			if n.kind != tNumber || err != nil || strings.ContainsAny(n.text, "-.") {
				p.failAt(n, "MALFORMED_QUERY", "expecting a number, found %s", n.display())
			}
			v.N = num
		}
	default:
		p.unexpected(t)
	}
	return v
}
