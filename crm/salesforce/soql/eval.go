package soql

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Row is one record as the evaluator sees it.
type Row interface {
	// Value returns the value at a canonical field path ("Name",
	// "Account.Name"): nil, string, float64, int64, bool or time.Time
	// (dates as UTC midnight). A missing field or parent is nil. Other
	// integer and float types are accepted too.
	Value(path string) any
}

// Match reports whether r satisfies the WHERE clause (true without one).
// now anchors relative date literals.
func (q *Query) Match(r Row, now time.Time) bool {
	return q.Where == nil || q.Where.Eval(r, now)
}

// Eval reports whether all terms hold.
func (e *And) Eval(r Row, now time.Time) bool {
	for _, t := range e.Terms {
		if !t.Eval(r, now) {
			return false
		}
	}
	return true
}

// Eval reports whether any term holds.
func (e *Or) Eval(r Row, now time.Time) bool {
	for _, t := range e.Terms {
		if t.Eval(r, now) {
			return true
		}
	}
	return false
}

// Eval negates the operand.
func (e *Not) Eval(r Row, now time.Time) bool { return !e.X.Eval(r, now) }

// Eval evaluates the condition on r. Comparisons between a value and a
// literal of another type are false (!= and NOT IN: true); Check rejects
// such queries up front.
func (c *Condition) Eval(r Row, now time.Time) bool {
	if c.Sub != nil {
		// A semi-join (anti-join) holds when the id is (is not) among the
		// values the subquery selected; a null id is in no set.
		s, _ := normalize(r.Value(c.Field)).(string)
		in := s != "" && c.resolved[idKey(s)]
		return in == (c.Op == "IN")
	}
	if len(c.Values) == 0 {
		return false
	}
	v := normalize(keyValue(r, c.Func, c.Field))
	lit := c.Values[0]
	switch c.Op {
	case "=":
		return c.equal(v, lit, now)
	case "!=":
		return !c.equal(v, lit, now)
	case "IN", "NOT IN":
		in := slices.ContainsFunc(c.Values, func(l Value) bool { return c.equal(v, l, now) })
		return in == (c.Op == "IN")
	case "LIKE":
		s, ok := v.(string)
		return ok && lit.Kind == KindString && likeMatch(c.pattern(), s)
	case "INCLUDES", "EXCLUDES":
		s, _ := v.(string)
		inc := s != "" && slices.ContainsFunc(c.Values, func(l Value) bool {
			return l.Kind == KindString && l.Str != "" && subset(splitPicklist(l.Str), splitPicklist(s))
		})
		return inc == (c.Op == "INCLUDES")
	}
	if v == nil || lit.isNull() {
		return false
	}
	if lit.Kind == KindRelative {
		t, ok := v.(time.Time)
		start, end, ok2 := lit.Range(now)
		if !ok || !ok2 {
			return false
		}
		switch c.Op {
		case "<":
			return t.Before(start)
		case "<=":
			return t.Before(end)
		case ">":
			return !t.Before(end)
		case ">=":
			return !t.Before(start)
		}
		return false
	}
	n, ok := c.compare(v, lit)
	if !ok {
		return false
	}
	switch c.Op {
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	case ">=":
		return n >= 0
	}
	return false
}

// keyValue reads the value of a field, or of a function of a field, from a
// row: a date function applies to the field's value (a Group answers for
// its grouped date functions itself); an aggregate is answered by the
// Group, keyed by its text ("COUNT(Id)").
func keyValue(r Row, fn, field string) any {
	if fn == "" {
		return r.Value(field)
	}
	key := fn + "(" + field + ")"
	if g, ok := r.(*Group); ok {
		return g.Value(key)
	}
	if dateFuncs[fn] {
		return applyDateFunc(fn, normalize(r.Value(field)))
	}
	return r.Value(key)
}

// equal implements = for one literal, with SOQL's null semantics.
func (c *Condition) equal(v any, lit Value, now time.Time) bool {
	if lit.isNull() || v == nil {
		return lit.isNull() && v == nil
	}
	switch lit.Kind {
	case KindRelative:
		t, ok := v.(time.Time)
		start, end, ok2 := lit.Range(now)
		return ok && ok2 && !t.Before(start) && t.Before(end)
	case KindString:
		s, ok := v.(string)
		if !ok {
			return false
		}
		switch c.Type {
		case TypeID:
			return idEqual(s, lit.Str)
		case TypeMultiPicklist:
			a, b := splitPicklist(s), splitPicklist(lit.Str)
			return subset(a, b) && subset(b, a)
		}
		return strings.EqualFold(s, lit.Str)
	}
	n, ok := c.compare(v, lit)
	return ok && n == 0
}

// compare orders a (normalized) row value against an absolute literal; ok
// is false when their types differ.
func (c *Condition) compare(v any, lit Value) (int, bool) {
	switch lit.Kind {
	case KindString:
		if s, ok := v.(string); ok {
			if c.Type == TypeID {
				return strings.Compare(s, lit.Str), true
			}
			return compareFold(s, lit.Str), true
		}
	case KindNumber:
		if f, ok := v.(float64); ok {
			return cmpFloat(f, lit.Num), true
		}
	case KindBool:
		if b, ok := v.(bool); ok {
			return cmpBool(b, lit.Bool), true
		}
	case KindDate:
		if t, ok := v.(time.Time); ok {
			return periodStart(t, unitDay).Compare(periodStart(lit.Time, unitDay)), true
		}
	case KindDateTime:
		if t, ok := v.(time.Time); ok {
			return t.Compare(lit.Time), true
		}
	}
	return 0, false
}

// pattern returns the compiled LIKE pattern of the condition.
func (c *Condition) pattern() []likeTok {
	if c.like != nil {
		return c.like
	}
	lit := c.Values[0]
	if lit.Text == "" && lit.Str != "" {
		q := quote(lit.Str)
		return compileLike(q[1 : len(q)-1])
	}
	return compileLike(lit.Text)
}

// isNull reports whether the literal is null or the empty string, which Salesforce
// treats alike because it stores empty text as null.
func (v Value) isNull() bool { return v.Kind == KindNull || v.Kind == KindString && v.Str == "" }

// normalize maps row values onto nil, string, float64, bool, time.Time
// (UTC); empty strings become nil.
func normalize(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
	case time.Time:
		return x.UTC()
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}

// idEqual compares Salesforce ids case-sensitively, matching a 15-character
// id with its 18-character form.
func idEqual(a, b string) bool {
	if (len(a) == 15 || len(a) == 18) && (len(b) == 15 || len(b) == 18) {
		return a[:15] == b[:15]
	}
	return a == b
}

// splitPicklist splits a multipicklist value ("a;b") into trimmed items.
func splitPicklist(s string) []string {
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// subset reports whether every item of a is in b, ignoring case.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return strings.EqualFold(x, y) }) {
			return false
		}
	}
	return true
}

// compareFold compares strings by their upper-cased runes, the order
// Salesforce uses for English locales.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra, rb = unicode.ToUpper(ra), unicode.ToUpper(rb); ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// Compare orders two row values the way ORDER BY does: null (nil or "")
// first, then by value: strings case-insensitively, numbers numerically
// across int64 and float64, false before true, times chronologically.
// Values of different types order by type (bool, number, string, time,
// other). It returns -1, 0 or +1.
func Compare(a, b any) int {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	a, b = normalize(a), normalize(b)
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmpFloat(float64(ra), float64(rb))
	}
	switch x := a.(type) {
	case bool:
		return cmpBool(x, b.(bool))
	case float64:
		return cmpFloat(x, b.(float64))
	case string:
		return compareFold(x, b.(string))
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	return 0
}

// rank orders the normalized value types for Compare.
func rank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case float64:
		return 2
	case string:
		return 3
	case time.Time:
		return 4
	}
	return 5
}

// compareKey is Compare, except that ids compare case-sensitively.
func compareKey(x, y any, t FieldType) int {
	if t == TypeID {
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if ok1 && ok2 {
			return strings.Compare(xs, ys)
		}
	}
	return Compare(x, y)
}

// Sort sorts rows stably by q.OrderBy; nulls go first unless the key says
// NULLS LAST. Keys that Check typed as TypeID compare case-sensitively,
// others as Compare does. Each row's Value is called once per key.
func (q *Query) Sort(rows []Row) {
	if len(q.OrderBy) == 0 || len(rows) < 2 {
		return
	}
	type keyed struct {
		row  Row
		keys []any
	}
	ks := make([]keyed, len(rows))
	flat := make([]any, len(rows)*len(q.OrderBy))
	for i, r := range rows {
		keys := flat[i*len(q.OrderBy) : (i+1)*len(q.OrderBy)]
		for j, o := range q.OrderBy {
			keys[j] = normalize(keyValue(r, o.Func, o.Field))
		}
		ks[i] = keyed{r, keys}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for j, o := range q.OrderBy {
			x, y := a.keys[j], b.keys[j]
			switch {
			case x == nil && y == nil:
				continue
			case x == nil || y == nil:
				first := -1
				if o.NullsLast {
					first = 1
				}
				if x == nil {
					return first
				}
				return -first
			}
			n := compareKey(x, y, o.Type)
			if o.Desc {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return 0
	})
	for i := range ks {
		rows[i] = ks[i].row
	}
}

// likeTok is one element of a compiled LIKE pattern: a literal rune, '_'
// (any one character) or '%' (any run of characters).
type likeTok struct {
	wild byte // 0, '_' or '%'
	r    rune
}

// compileLike compiles the raw text of a LIKE string literal: % and _ are
// wildcards, \% and \_ literal, other escapes as in string literals.
func compileLike(raw string) []likeTok {
	var p []likeTok
	for i := 0; i < len(raw); {
		r, n := utf8.DecodeRuneInString(raw[i:])
		i += n
		switch r {
		case '%', '_':
			p = append(p, likeTok{wild: byte(r)})
			continue
		case '\\':
			if i < len(raw) && raw[i] == 'u' {
				s, _ := unescape(raw[i-1 : min(i+5, len(raw))])
				r, _ = utf8.DecodeRuneInString(s)
				i += 5
			} else if i < len(raw) {
				s, _ := unescape(raw[i-1 : i+1])
				if s == "" {
					s = raw[i : i+1]
				}
				r, _ = utf8.DecodeRuneInString(s)
				i++
			}
		}
		p = append(p, likeTok{r: r})
	}
	return p
}

// likeMatch matches s against a compiled pattern, ignoring case.
func likeMatch(p []likeTok, s string) bool {
	rs := []rune(s)
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(rs) {
		switch {
		case pi < len(p) && p[pi].wild == '%':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi].wild == '_' || p[pi].wild == 0 && foldEq(p[pi].r, rs[si])):
			pi++
			si++
		case star >= 0:
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].wild == '%' {
		pi++
	}
	return pi == len(p)
}

// foldEq reports whether two runes are equal under Unicode case folding.
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
