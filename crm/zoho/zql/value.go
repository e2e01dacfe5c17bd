package zql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// operand is a literal read for one field type.
type operand struct {
	text  string    // the literal as written (unescaped)
	lower string    // strings.ToLower(text), for text comparisons
	num   float64   // TypeNumber
	i     int64     // TypeNumber when isInt
	isInt bool      // the literal is an integer that fits int64
	b     bool      // TypeBool
	t     time.Time // TypeDateTime
	day   int       // TypeDate: yyyymmdd
	id    string    // TypeID, TypeLookup, TypeOwner: canonical id text
}

// makeOperand reads text as a literal of type t; ok is false when the text
// is not a valid value of that type.
func makeOperand(t FieldType, text string) (operand, bool) {
	o := operand{text: text, lower: strings.ToLower(text)}
	switch t {
	case TypeNumber:
		f, i, isInt, ok := parseNumber(text)
		if !ok {
			return o, false
		}
		o.num, o.i, o.isInt = f, i, isInt
	case TypeBool:
		switch o.lower {
		case "true":
			o.b = true
		case "false":
		default:
			return o, false
		}
	case TypeDate:
		d, ok := parseDay(text)
		if !ok {
			return o, false
		}
		o.day = d
	case TypeDateTime:
		tm, ok := parseDateTime(text)
		if !ok {
			return o, false
		}
		o.t = tm
	case TypeID:
		id, ok := canonID(text)
		if !ok {
			return o, false
		}
		o.id = id
	case TypeLookup, TypeOwner:
		o.id = text
		if id, ok := canonID(text); ok {
			o.id = id
		}
	}
	return o, true
}

// parseNumber accepts plain decimal numbers: -?digits(.digits)?.
func parseNumber(s string) (f float64, i int64, isInt, ok bool) {
	if !isDecimal(s) {
		return 0, 0, false, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, 0, false, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return f, i, true, true
	}
	return f, 0, false, true
}

// isDecimal reports whether s is -?digits(.digits)?.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if !allDigits(intPart) {
		return false
	}
	return !hasDot || allDigits(frac)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonID strips leading zeros from a digit string.
func canonID(s string) (string, bool) {
	if !allDigits(s) {
		return "", false
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		s = "0"
	}
	return s, true
}

// cmpID orders canonical digit strings numerically.
func cmpID(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// parseDay reads yyyy-MM-dd as yyyymmdd.
func parseDay(s string) (int, bool) {
	if len(s) != 10 {
		return 0, false
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// parseDateTime reads yyyy-MM-ddTHH:mm:ss±HH:mm (or Z). A space in place of
// the "+" of the offset, which an unencoded "+" in a URL turns into, is
// accepted.
func parseDateTime(s string) (time.Time, bool) {
	if len(s) == 25 && s[19] == ' ' {
		s = s[:19] + "+" + s[20:]
	}
	if len(s) < 20 || s[10] != 'T' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// isNull reports whether a record value is empty, as Zoho treats it.
func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// inferType guesses the type of a field that was not resolved by Check, from
// the record value and the literal.
func inferType(path string, v any, lit string) FieldType {
	if path == "id" || strings.HasSuffix(path, ".id") {
		return TypeID
	}
	switch x := v.(type) {
	case float64, float32, int, int64, int32:
		return TypeNumber
	case bool:
		return TypeBool
	case time.Time:
		if _, ok := parseDay(lit); ok {
			return TypeDate
		}
		return TypeDateTime
	case map[string]any:
		return TypeLookup
	case []string, []any:
		return TypeMultiSelect
	case string:
		if _, ok := parseDay(lit); ok {
			if _, ok := toDay(x); ok {
				return TypeDate
			}
		}
		if _, ok := parseDateTime(lit); ok {
			if _, ok := parseDateTime(x); ok {
				return TypeDateTime
			}
		}
	}
	return TypeText
}

// toText renders a record value as text.
func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return toText(x["id"])
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// toStrings renders a multi-select value as its options.
func toStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, toText(e))
		}
		return out
	case nil:
		return nil
	}
	return []string{toText(v)}
}

// toNumber reads a numeric record value.
func toNumber(v any) (f float64, i int64, isInt, ok bool) {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return x, int64(x), true, true
		}
		return x, 0, false, !math.IsNaN(x)
	case float32:
		return toNumber(float64(x))
	case int64:
		return float64(x), x, true, true
	case int:
		return float64(x), int64(x), true, true
	case int32:
		return float64(x), int64(x), true, true
	case string:
		return parseNumber(x)
	}
	return 0, 0, false, false
}

// toDay reads a date record value as yyyymmdd.
func toDay(v any) (int, bool) {
	switch x := v.(type) {
	case time.Time:
		return dayOf(x), true
	case string:
		if d, ok := parseDay(x); ok {
			return d, true
		}
		if t, ok := parseDateTime(x); ok {
			return dayOf(t), true
		}
	}
	return 0, false
}

// toInstant reads a datetime record value.
func toInstant(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		if t, ok := parseDateTime(x); ok {
			return t, true
		}
		if len(x) == 10 {
			if t, err := time.Parse("2006-01-02", x); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// toID reads an id-like record value (an id, or a lookup's id).
func toID(v any) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		return toID(x["id"])
	case string:
		if id, ok := canonID(x); ok {
			return id, true
		}
		return x, x != ""
	case int64:
		return canonID(strconv.FormatInt(x, 10))
	case int:
		return canonID(strconv.Itoa(x))
	case float64:
		if x >= 0 && x == math.Trunc(x) {
			return canonID(strconv.FormatFloat(x, 'f', 0, 64))
		}
	}
	return "", false
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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

func cmpNum(f float64, i int64, isInt bool, o operand) int {
	if isInt && o.isInt {
		switch {
		case i < o.i:
			return -1
		case i > o.i:
			return 1
		}
		return 0
	}
	return cmpFloat(f, o.num)
}

// compare orders a non-null record value against an operand of type t; ok
// is false when the value cannot be read as that type.
func compare(t FieldType, v any, o operand) (int, bool) {
	switch t {
	case TypeNumber:
		f, i, isInt, ok := toNumber(v)
		if !ok {
			return 0, false
		}
		return cmpNum(f, i, isInt, o), true
	case TypeDate:
		d, ok := toDay(v)
		if !ok {
			return 0, false
		}
		return cmpInt(d, o.day), true
	case TypeDateTime:
		tm, ok := toInstant(v)
		if !ok {
			return 0, false
		}
		return tm.Compare(o.t), true
	case TypeID:
		id, ok := toID(v)
		if !ok {
			return 0, false
		}
		if _, digits := canonID(id); !digits {
			return strings.Compare(id, o.id), true
		}
		return cmpID(id, o.id), true
	case TypeBool:
		b, ok := v.(bool)
		if !ok {
			s := strings.ToLower(toText(v))
			if s != "true" && s != "false" {
				return 0, false
			}
			b = s == "true"
		}
		if b == o.b {
			return 0, true
		}
		if b {
			return 1, true
		}
		return -1, true
	case TypeLookup, TypeOwner:
		id, ok := toID(v)
		if !ok {
			return 0, false
		}
		return strings.Compare(id, o.id), true
	}
	return strings.Compare(strings.ToLower(toText(v)), o.lower), true
}

// equal reports exact equality (case-insensitive for text) of a non-null
// record value and an operand; for a multi-select, any option may match.
func equal(t FieldType, v any, o operand) bool {
	if t == TypeMultiSelect {
		for _, s := range toStrings(v) {
			if strings.EqualFold(s, o.text) {
				return true
			}
		}
		return false
	}
	c, ok := compare(t, v, o)
	return ok && c == 0
}

// anyText applies f to the lowercased text of a value, or of each option of
// a multi-select, and reports whether any call returned true.
func anyText(t FieldType, v any, f func(string) bool) bool {
	if t == TypeMultiSelect {
		for _, s := range toStrings(v) {
			if f(strings.ToLower(s)) {
				return true
			}
		}
		return false
	}
	return f(strings.ToLower(toText(v)))
}

// likeMatch matches s against a lowercased SQL LIKE pattern where % stands
// for any run of characters. Both are compared rune-wise.
func likeMatch(s, pat string) bool {
	parts := strings.Split(pat, "%")
	if len(parts) == 1 {
		return s == pat
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

// sortKey is a record value prepared for ordering.
type sortKey struct {
	null  bool
	kind  int // 0 number, 1 time, 2 day, 3 id, 4 bool, 5 text
	f     float64
	i     int64
	isInt bool
	t     time.Time
	s     string
}

// makeSortKey prepares v (of type t, or inferred when !typed) for ordering.
func makeSortKey(path string, t FieldType, typed bool, v any) sortKey {
	if isNull(v) {
		return sortKey{null: true}
	}
	if !typed {
		t = inferType(path, v, "")
		if t == TypeDate {
			t = TypeDateTime
		}
		if str, ok := v.(string); ok && t == TypeText {
			if _, ok := toInstant(str); ok {
				t = TypeDateTime
			}
		}
	}
	switch t {
	case TypeNumber:
		if f, i, isInt, ok := toNumber(v); ok {
			return sortKey{kind: 0, f: f, i: i, isInt: isInt}
		}
	case TypeDateTime:
		if tm, ok := toInstant(v); ok {
			return sortKey{kind: 1, t: tm}
		}
	case TypeDate:
		if d, ok := toDay(v); ok {
			return sortKey{kind: 2, i: int64(d)}
		}
	case TypeID:
		if id, ok := toID(v); ok {
			return sortKey{kind: 3, s: id}
		}
	case TypeBool:
		if b, ok := v.(bool); ok {
			k := sortKey{kind: 4}
			if b {
				k.i = 1
			}
			return k
		}
	case TypeLookup, TypeOwner:
		if m, ok := v.(map[string]any); ok {
			return sortKey{kind: 5, s: strings.ToLower(toText(m["name"]))}
		}
	case TypeMultiSelect:
		return sortKey{kind: 5, s: strings.ToLower(strings.Join(toStrings(v), ";"))}
	}
	return sortKey{kind: 5, s: strings.ToLower(toText(v))}
}

// cmpSortKey orders keys, nulls first.
func cmpSortKey(a, b sortKey) int {
	switch {
	case a.null && b.null:
		return 0
	case a.null:
		return -1
	case b.null:
		return 1
	case a.kind != b.kind:
		return cmpInt(a.kind, b.kind)
	}
	switch a.kind {
	case 0:
		if a.isInt && b.isInt {
			return cmpNum(0, a.i, true, operand{i: b.i, isInt: true})
		}
		return cmpFloat(a.f, b.f)
	case 1:
		return a.t.Compare(b.t)
	case 2, 4:
		return cmpNum(0, a.i, true, operand{i: b.i, isInt: true})
	case 3:
		return cmpID(a.s, b.s)
	}
	return strings.Compare(a.s, b.s)
}
