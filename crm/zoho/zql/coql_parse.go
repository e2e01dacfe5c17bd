package zql

import (
	"strconv"
	"strings"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp // = != <> < <= > >=
	tLParen
	tRParen
	tComma
	tStar
)

type token struct {
	kind      tokKind
	text      string // identifier or operator as written; string unescaped
	line, col int    // 1-based position of the first character
}

// lexCOQL splits a query into tokens. Strings are single-quoted; inside,
// a backslash escapes the next character, and a doubled quote stands for
// one quote.
func lexCOQL(s string) ([]token, error) {
	var toks []token
	line, lineStart := 1, 0
	for i := 0; i < len(s); {
		c := s[i]
		col := i - lineStart + 1
		switch {
		case c == '\n':
			line, lineStart = line+1, i+1
			i++
			continue
		case isBlank(c):
			i++
			continue
		case c == '(' || c == ')' || c == ',' || c == '*':
			k := map[byte]tokKind{'(': tLParen, ')': tRParen, ',': tComma, '*': tStar}[c]
			toks = append(toks, token{kind: k, text: string(c), line: line, col: col})
			i++
			continue
		case c == '=' || c == '<' || c == '>' || c == '!':
			op := string(c)
			if i+1 < len(s) && (c != '=' && s[i+1] == '=' || c == '<' && s[i+1] == '>') {
				op = s[i : i+2]
			}
			if op == "!" {
				return nil, syntaxAt(line, col, "!")
			}
			if op == "<>" {
				op = "!="
			}
			toks = append(toks, token{kind: tOp, text: op, line: line, col: col})
			i += 2
			if op == "=" || op == "<" || op == ">" {
				i--
			}
			continue
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, syntaxAt(line, col, clip(s[i:]))
				}
				if s[j] == '\\' && j+1 < len(s) {
					b.WriteByte(s[j+1])
					j += 2
					continue
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				if s[j] == '\n' {
					line, lineStart = line+1, j+1
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, token{kind: tString, text: b.String(), line: line, col: col})
			i = j + 1
			continue
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && isIdentByte(s[j]) {
				return nil, syntaxAt(line, col, clip(s[i:]))
			}
			if !isDecimal(s[i:j]) {
				return nil, syntaxAt(line, col, s[i:j])
			}
			toks = append(toks, token{kind: tNumber, text: s[i:j], line: line, col: col})
			i = j
			continue
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j], line: line, col: col})
			i = j
			continue
		}
		return nil, syntaxAt(line, col, clip(s[i:]))
	}
	col := len(s) - lineStart + 1
	return append(toks, token{kind: tEOF, line: line, col: col}), nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '.' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// syntaxAt is Zoho's positional syntax error.
func syntaxAt(line, col int, near string) *Error {
	return newErr(CodeSyntaxError, "unexpected token", "line", line, "column", col, "near", near)
}

// ParseCOQL parses a COQL select query (the select_query of POST
// /crm/v8/coql). Keywords are case-insensitive. WHERE is required. A
// condition level joins at most two terms: write ((A and B) and C), as Zoho
// asks. LIMIT takes "limit n", "limit n offset m" or "limit m, n" (offset m
// first, as in MySQL); "offset m" may also stand alone.
//
// Errors: SYNTAX_ERROR with {"line","column","near"} for unexpected input,
// {"clause":"where"} when WHERE is missing, {"operator":"not"} for a bare
// NOT; INVALID_QUERY for a bad LIMIT or OFFSET value; INVALID_DATA for a
// LIMIT below 1 or an unknown function; LIMIT_EXCEEDED past the limits above
// (details {"clause", "limit"}); DUPLICATE_DATA for a column repeated in
// SELECT, ORDER BY or GROUP BY.
func ParseCOQL(s string) (*Query, error) {
	toks, err := lexCOQL(s)
	if err != nil {
		return nil, err
	}
	p := &coqlParser{toks: toks}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

type coqlParser struct {
	toks     []token
	pos      int
	criteria int
}

func (p *coqlParser) peek() token { return p.toks[p.pos] }

func (p *coqlParser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// isKW reports whether t is the keyword kw (any case).
func isKW(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

func (p *coqlParser) acceptKW(kw string) bool {
	if isKW(p.peek(), kw) {
		p.pos++
		return true
	}
	return false
}

// unexpected reports the token at hand.
func (p *coqlParser) unexpected() *Error {
	t := p.peek()
	near := t.text
	if t.kind == tEOF {
		near = ""
		if p.pos > 0 {
			near = p.toks[p.pos-1].text
		}
	}
	if t.kind == tString {
		near = Literal{Kind: LitString, Text: t.text}.String()
	}
	return syntaxAt(t.line, t.col, near)
}

func (p *coqlParser) expectKW(kw string) error {
	if !p.acceptKW(kw) {
		return p.unexpected()
	}
	return nil
}

var reserved = map[string]bool{
	"select": true, "from": true, "where": true, "and": true, "or": true, "not": true,
	"in": true, "like": true, "is": true, "null": true, "between": true, "order": true,
	"group": true, "by": true, "asc": true, "desc": true, "limit": true, "offset": true,
	"true": true, "false": true,
}

// column reads a field path.
func (p *coqlParser) column() (string, error) {
	t := p.peek()
	if t.kind != tIdent || reserved[strings.ToLower(t.text)] || !isFieldName(t.text) {
		return "", p.unexpected()
	}
	p.pos++
	return t.text, nil
}

func limitErr(clause string, limit int) *Error {
	return newErr(CodeLimitExceeded, "limit exceeded", "clause", clause, "limit", limit)
}

// checkHops rejects paths with more lookup hops than Zoho allows.
func checkHops(clause, col string) error {
	if strings.Count(col, ".") > MaxCOQLLookupHops {
		return newErr(CodeLimitExceeded, "limit exceeded",
			"clause", clause, "column_name", col, "limit", MaxCOQLLookupHops)
	}
	return nil
}

func (p *coqlParser) query() (*Query, error) {
	if err := p.expectKW("select"); err != nil {
		return nil, err
	}
	q := &Query{Limit: DefaultCOQLLimit}
	if err := p.selectList(q); err != nil {
		return nil, err
	}
	if err := p.expectKW("from"); err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tIdent || reserved[strings.ToLower(t.text)] || strings.Contains(t.text, ".") {
		return nil, p.unexpected()
	}
	p.pos++
	q.Module = t.text
	if !p.acceptKW("where") {
		if t := p.peek(); t.kind == tEOF || isKW(t, "group") || isKW(t, "order") || isKW(t, "limit") || isKW(t, "offset") {
			return nil, newErr(CodeSyntaxError, "missing clause", "clause", "where")
		}
		return nil, p.unexpected()
	}
	w, err := p.cond(0)
	if err != nil {
		return nil, err
	}
	q.Where = w
	if p.criteria > MaxCOQLCriteria {
		return nil, limitErr("where", MaxCOQLCriteria)
	}
	if p.acceptKW("group") {
		if err := p.expectKW("by"); err != nil {
			return nil, err
		}
		for {
			col, err := p.column()
			if err != nil {
				return nil, err
			}
			if err := checkHops("group by", col); err != nil {
				return nil, err
			}
			for _, g := range q.GroupBy {
				if strings.EqualFold(g, col) {
					return nil, newErr(CodeDuplicateData, "duplicate group by column", "column_name", col)
				}
			}
			q.GroupBy = append(q.GroupBy, col)
			if p.peek().kind != tComma {
				break
			}
			p.pos++
		}
		if len(q.GroupBy) > MaxCOQLGroupBy {
			return nil, limitErr("group by", MaxCOQLGroupBy)
		}
	}
	if p.acceptKW("order") {
		if err := p.expectKW("by"); err != nil {
			return nil, err
		}
		for {
			col, err := p.column()
			if err != nil {
				return nil, err
			}
			if err := checkHops("order by", col); err != nil {
				return nil, err
			}
			o := Order{Field: col}
			if p.acceptKW("desc") {
				o.Desc = true
			} else {
				p.acceptKW("asc")
			}
			for _, prev := range q.OrderBy {
				if strings.EqualFold(prev.Field, col) {
					return nil, newErr(CodeDuplicateData, "duplicate order by column", "column_name", col)
				}
			}
			q.OrderBy = append(q.OrderBy, o)
			if p.peek().kind != tComma {
				break
			}
			p.pos++
		}
		if len(q.OrderBy) > MaxCOQLOrderBy {
			return nil, limitErr("order by", MaxCOQLOrderBy)
		}
	}
	if err := p.limit(q); err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.unexpected()
	}
	if q.Limit+q.Offset > MaxCOQLRows {
		return nil, limitErr("offset", MaxCOQLRows)
	}
	return q, nil
}

var aggregateFuncs = map[string]bool{"COUNT": true, "SUM": true, "MIN": true, "MAX": true, "AVG": true}

func (p *coqlParser) selectList(q *Query) error {
	for {
		t := p.peek()
		if t.kind != tIdent || reserved[strings.ToLower(t.text)] {
			return p.unexpected()
		}
		p.pos++
		if p.peek().kind == tLParen {
			p.pos++
			arg := p.peek()
			switch {
			case arg.kind == tStar:
			case arg.kind == tIdent && !reserved[strings.ToLower(arg.text)] && isFieldName(arg.text):
			default:
				return p.unexpected()
			}
			p.pos++
			if p.peek().kind != tRParen {
				return p.unexpected()
			}
			p.pos++
			fn := strings.ToUpper(t.text)
			if !aggregateFuncs[fn] || arg.kind == tStar && fn != "COUNT" {
				return newErr(CodeInvalidData, "invalid data",
					"reason", "unsupported aggregate function", "column", t.text+"("+arg.text+")")
			}
			if err := checkHops("select", arg.text); err != nil {
				return err
			}
			for _, a := range q.Aggregates {
				if a.Func == fn && strings.EqualFold(a.Field, arg.text) {
					return newErr(CodeDuplicateData, "duplicate aggregate function",
						"column_name", arg.text, "aggregate", fn)
				}
			}
			q.Aggregates = append(q.Aggregates, Aggregate{Func: fn, Field: arg.text})
		} else {
			if !isFieldName(t.text) {
				p.pos--
				return p.unexpected()
			}
			if err := checkHops("select", t.text); err != nil {
				return err
			}
			for _, f := range q.Fields {
				if strings.EqualFold(f, t.text) {
					return newErr(CodeDuplicateData, "duplicate select column", "column_name", t.text)
				}
			}
			q.Fields = append(q.Fields, t.text)
		}
		if p.peek().kind != tComma {
			break
		}
		p.pos++
	}
	if len(q.Fields) > MaxCOQLFields {
		return limitErr("select", MaxCOQLFields)
	}
	if len(q.Aggregates) > MaxCOQLAggregates {
		return limitErr("aggregate", MaxCOQLAggregates)
	}
	return nil
}

// limit parses the optional LIMIT and OFFSET clauses.
func (p *coqlParser) limit(q *Query) error {
	if p.acceptKW("limit") {
		n, err := p.count("limit")
		if err != nil {
			return err
		}
		if p.peek().kind == tComma {
			p.pos++
			m, err := p.count("limit")
			if err != nil {
				return err
			}
			q.Offset, n = n, m
		} else if p.acceptKW("offset") {
			if q.Offset, err = p.count("offset"); err != nil {
				return err
			}
		}
		if n < 1 {
			return newErr(CodeInvalidData, "limit should be greater than 0")
		}
		if n > MaxCOQLLimit {
			return limitErr("limit", MaxCOQLLimit)
		}
		q.Limit = n
		return nil
	}
	if p.acceptKW("offset") {
		var err error
		q.Offset, err = p.count("offset")
		return err
	}
	return nil
}

// count reads the integer of a LIMIT or OFFSET. A negative LIMIT comes
// back as -1 (INVALID_DATA later); values past MaxCOQLRows come back as
// MaxCOQLRows+1 (LIMIT_EXCEEDED later).
func (p *coqlParser) count(what string) (int, error) {
	t := p.peek()
	if t.kind != tNumber && t.kind != tString && t.kind != tIdent {
		return 0, p.unexpected()
	}
	p.pos++
	digits, neg := strings.CutPrefix(t.text, "-")
	if t.kind != tNumber || !allDigits(digits) || neg && what == "offset" {
		return 0, newErr(CodeInvalidQuery, what+" given seems to be invalid", what, t.text)
	}
	if neg {
		return -1, nil
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > MaxCOQLRows {
		n = MaxCOQLRows + 1
	}
	return n, nil
}

// cond parses term [and|or term]: one operator per level.
func (p *coqlParser) cond(depth int) (Cond, error) {
	left, err := p.term(depth)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if !isKW(t, "and") && !isKW(t, "or") {
		return left, nil
	}
	p.pos++
	right, err := p.term(depth)
	if err != nil {
		return nil, err
	}
	if t2 := p.peek(); isKW(t2, "and") || isKW(t2, "or") {
		return nil, newErr(CodeSyntaxError, "error occured while parsing the query",
			"line", t2.line, "column", t2.col, "near", t2.text)
	}
	return &Logical{Op: strings.ToLower(t.text), Left: left, Right: right}, nil
}

func (p *coqlParser) term(depth int) (Cond, error) {
	if depth > maxCOQLNestingDepth {
		return nil, p.unexpected()
	}
	t := p.peek()
	if t.kind == tLParen {
		p.pos++
		c, err := p.cond(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			return nil, p.unexpected()
		}
		p.pos++
		return c, nil
	}
	if isKW(t, "not") {
		return nil, newErr(CodeSyntaxError, "operator not supported", "operator", "not")
	}
	return p.comparison()
}

func (p *coqlParser) comparison() (Cond, error) {
	field, err := p.column()
	if err != nil {
		return nil, err
	}
	if err := checkHops("where", field); err != nil {
		return nil, err
	}
	p.criteria++
	c := &Comparison{Field: field}
	t := p.next()
	switch {
	case t.kind == tOp:
		c.Op = t.text
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		c.Values = []Literal{lit}
		return c, nil
	case isKW(t, "is"):
		c.Op = CmpIsNull
		if p.acceptKW("not") {
			c.Op = CmpIsNotNull
		}
		if err := p.expectKW("null"); err != nil {
			return nil, err
		}
		return c, nil
	case isKW(t, "not"):
		n := p.next()
		switch {
		case isKW(n, "like"), isKW(n, "in"), isKW(n, "between"):
			t = n
			c.Op = "not "
		default:
			p.pos--
			return nil, p.unexpected()
		}
	}
	switch {
	case isKW(t, "like"):
		c.Op += CmpLike
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		if lit.Kind != LitString {
			p.pos--
			return nil, p.unexpected()
		}
		c.Values = []Literal{lit}
	case isKW(t, "between"):
		c.Op += CmpBetween
		lo, err := p.literal()
		if err != nil {
			return nil, err
		}
		if err := p.expectKW("and"); err != nil {
			return nil, err
		}
		hi, err := p.literal()
		if err != nil {
			return nil, err
		}
		c.Values = []Literal{lo, hi}
	case isKW(t, "in"):
		c.Op += CmpIn
		if p.peek().kind != tLParen {
			return nil, p.unexpected()
		}
		p.pos++
		for {
			lit, err := p.literal()
			if err != nil {
				return nil, err
			}
			c.Values = append(c.Values, lit)
			if p.peek().kind != tComma {
				break
			}
			p.pos++
		}
		if p.peek().kind != tRParen {
			return nil, p.unexpected()
		}
		p.pos++
		if len(c.Values) > MaxCOQLInValues {
			return nil, newErr(CodeLimitExceeded, "limit exceeded",
				"clause", "where", "column_name", field, "limit", MaxCOQLInValues)
		}
	default:
		p.pos--
		return nil, p.unexpected()
	}
	return c, nil
}

// literal reads a string, number or boolean.
func (p *coqlParser) literal() (Literal, error) {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.pos++
		return Literal{Kind: LitString, Text: t.text}, nil
	case t.kind == tNumber:
		p.pos++
		return Literal{Kind: LitNumber, Text: t.text}, nil
	case isKW(t, "true"), isKW(t, "false"):
		p.pos++
		return Literal{Kind: LitBool, Text: strings.ToLower(t.text)}, nil
	}
	return Literal{}, p.unexpected()
}
