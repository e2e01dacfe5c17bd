package link

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	revsync "github.com/revops/revops/sync"
)

// canon renders a value in the canonical form of its comparison type, so
// that two systems storing one value differently compare equal: text
// trimmed with inner runs of spaces collapsed, e-mails lower-case, phones
// in E.164 (region for numbers without a country code; a number that does
// not parse keeps its digits), numbers by value, dates as 2006-01-02,
// datetimes in UTC to the second, booleans as true/false (empty is
// false), multi-select values sorted, Zoho's "-None-" as empty. Empty is
// "".
func canon(typ string, v any, region string) string {
	if v == nil {
		if typ == typeBoolean {
			return "false"
		}
		return ""
	}
	switch typ {
	case typeNumber:
		f, ok := asFloat(v)
		if !ok {
			return text(v)
		}
		f = math.Round(f*1e6) / 1e6
		if f == 0 {
			f = 0 // no negative zero
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	case typeBoolean:
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x)
		case int64:
			return strconv.FormatBool(x != 0)
		case float64:
			return strconv.FormatBool(x != 0)
		}
		switch strings.ToLower(text(v)) {
		case "true", "t", "yes", "y", "1":
			return "true"
		case "", "false", "f", "no", "n", "0":
			return "false"
		}
		return text(v)
	case typeDate:
		if t, ok := asTime(v); ok {
			return t.Format("2006-01-02")
		}
		return text(v)
	case typeDatetime:
		if t, ok := asTime(v); ok {
			return t.UTC().Truncate(time.Second).Format(time.RFC3339)
		}
		return text(v)
	case typeMultipicklist:
		var parts []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if e != nil {
					parts = append(parts, fmt.Sprint(e))
				}
			}
		case []string:
			parts = append(parts, x...)
		default:
			parts = strings.Split(text(v), ";")
		}
		var out []string
		for _, p := range parts {
			if p = collapse(p); p != "" && p != "-None-" {
				out = append(out, p)
			}
		}
		sort.Strings(out)
		return strings.Join(out, ";")
	}
	s := text(v)
	switch typ {
	case typeEmail:
		return strings.ToLower(s)
	case typePhone:
		return phone(s, region)
	case typeURL:
		return strings.TrimRight(s, "/")
	case typePicklist:
		if s == "-None-" {
			return ""
		}
	}
	return s
}

// text is a value as trimmed text with inner whitespace collapsed.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return collapse(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return collapse(fmt.Sprint(v))
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// phone is a phone number in E.164, or its digits (with a leading +) when
// it does not parse as a possible number of region.
func phone(s, region string) string {
	if s == "" {
		return ""
	}
	if n, err := phonenumbers.Parse(s, region); err == nil && phonenumbers.IsPossibleNumber(n) {
		out := phonenumbers.Format(n, phonenumbers.E164)
		if ext := n.GetExtension(); ext != "" {
			out += "x" + ext
		}
		return out
	}
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"}

func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		s := strings.TrimSpace(x)
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// typeOf is the comparison type of a destination field type.
func typeOf(t revsync.FieldType) string {
	switch t {
	case revsync.TypeEmail:
		return typeEmail
	case revsync.TypePhone:
		return typePhone
	case revsync.TypeURL:
		return typeURL
	case revsync.TypePicklist:
		return typePicklist
	case revsync.TypeMultipicklist:
		return typeMultipicklist
	case revsync.TypeBoolean:
		return typeBoolean
	case revsync.TypeInt, revsync.TypeDouble, revsync.TypeCurrency, revsync.TypePercent:
		return typeNumber
	case revsync.TypeDate:
		return typeDate
	case revsync.TypeDatetime:
		return typeDatetime
	}
	return typeText
}

// joined is the value of a field listed as several fields on one side:
// the non-empty parts joined by a space.
func joined(vals []any) any {
	if len(vals) == 1 {
		return vals[0]
	}
	var parts []string
	for _, v := range vals {
		if s := text(v); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return strings.Join(parts, " ")
}

// split is the inverse of joined for two fields: the last word goes to
// the second field, the rest to the first ("Mary Ann Smith" → "Mary Ann",
// "Smith"); joined(split(v)) == v.
func split(v any) []any {
	s := text(v)
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		if s == "" {
			return []any{nil, nil}
		}
		return []any{nil, s}
	}
	return []any{s[:i], s[i+1:]}
}
