package sftest

import (
	"encoding/json"
	"math"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// datetime layouts accepted on writes and in SOQL-free inputs.
var dateTimeLayouts = []string{
	"2006-01-02T15:04:05.000Z0700",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.000Z07:00",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.000",
	"2006-01-02",
}

// parseDateTime parses an ISO 8601 datetime with Z or an offset.
func parseDateTime(s string) (msTime, bool) {
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return toMS(t), true
		}
	}
	return 0, false
}

// parseDate parses YYYY-MM-DD (or the date part of a datetime).
func parseDate(s string) (dateVal, bool) {
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil && (len(s) == 10 || s[10] == 'T' || s[10] == ' ') {
			return dateVal(t.Format("2006-01-02")), true
		}
	}
	return "", false
}

// coerce converts a decoded JSON value (json.Number for numbers) or a CSV
// string into the stored representation of f. It reports false when the
// value cannot be of the field's type. nil means null.
func coerce(f *Field, v any, fromCSV bool) (any, bool) {
	if v == nil {
		if f.Type == TypeBoolean {
			return false, true
		}
		return nil, true
	}
	switch f.Type {
	case TypeBoolean:
		switch x := v.(type) {
		case bool:
			return x, true
		case string:
			switch strings.ToLower(x) {
			case "true", "1", "yes":
				return true, true
			case "false", "0", "no", "":
				return false, true
			}
		}
		return nil, false
	case TypeInt, TypeDouble, TypeCurrency, TypePercent:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			if fromCSV && x == "" {
				return nil, true
			}
			s = strings.TrimSpace(x)
		case float64:
			return x, true
		default:
			return nil, false
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, false
		}
		if f.Type == TypeInt {
			n = math.Trunc(n)
		} else if f.Scale >= 0 && f.Type != TypeDouble {
			p := math.Pow10(f.Scale)
			n = math.Round(n*p) / p
		}
		return n, true
	case TypeDate:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if s == "" {
			return nil, true
		}
		d, ok := parseDate(s)
		return d, ok
	case TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if s == "" {
			return nil, true
		}
		ms, ok := parseDateTime(s)
		return ms, ok
	}
	// Text types, ids and references.
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = string(x)
	case bool:
		s = strconv.FormatBool(x)
	default:
		return nil, false
	}
	if s == "" {
		return nil, true
	}
	return s, true
}

// validEmail is Salesforce's (roughly) email check.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " ,;<>()[]\\\"") {
		return false
	}
	dom := s[at+1:]
	if !strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") || strings.HasSuffix(dom, ".") || strings.Contains(dom, "..") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// jsonValue renders a stored value for a JSON response.
func jsonValue(f *Field, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case msTime:
		return formatMS(x)
	case dateVal:
		return string(x)
	case float64:
		if f != nil && f.Type == TypeInt {
			return int64(x)
		}
		return x
	}
	return v
}

// csvValue renders a stored value for a Bulk CSV (null = empty).
func csvValue(f *Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case msTime:
		return formatMS(x)
	case dateVal:
		return string(x)
	case float64:
		if f != nil && f.Type == TypeInt {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return ""
}
