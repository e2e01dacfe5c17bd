package sync

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Row error codes the engine itself reports (destinations report theirs).
const (
	CodeInvalidValue     = "INVALID_VALUE"
	CodeTooLong          = "STRING_TOO_LONG"
	CodeBadEmail         = "INVALID_EMAIL"
	CodeBadPicklist      = "INVALID_PICKLIST_VALUE"
	CodeRequiredMissing  = "REQUIRED_FIELD_MISSING"
	CodeLookupNotFound   = "LOOKUP_NOT_FOUND"
	CodeDuplicateKey     = "DUPLICATE_KEY"
	CodeNotFound         = "NOT_FOUND"
	CodeDestinationMoved = "DESTINATION_CHANGED"
	CodeBatchFailed      = "BATCH_FAILED"
	CodeNotSent          = "NOT_SENT"
	// CodeMatchValueMissing: a row matched by external id or
	// duplicate-check fields has no value in any of them; it is not sent
	// (a create could not be found again) until the model gives one.
	CodeMatchValueMissing = "MATCH_VALUE_MISSING"
	// CodeInvalidUTF8: a text value is not valid UTF-8; it is not sent.
	CodeInvalidUTF8 = "INVALID_UTF8"
	// CodeAmbiguousMatch: a row's duplicate-check values match several
	// records; it is not written and goes to _revops.sync_review.
	CodeAmbiguousMatch = "AMBIGUOUS_MATCH"
	// CodePicklistUnmapped: a value is neither in the field's picklist map
	// nor a value of the destination's picklist; the row is not sent.
	CodePicklistUnmapped = "PICKLIST_VALUE_UNMAPPED"
)

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Coerce converts v (a warehouse value as load.Value returns it: nil,
// string, bool, int64, float64, time.Time, []any) to the JSON type f takes
// and checks it fits: length, email shape, picklist values. nil stays nil
// (it clears the field).
func Coerce(v any, f Field) (any, *RowError) {
	if v == nil {
		return nil, nil
	}
	bad := func(code, format string, args ...any) (any, *RowError) {
		return nil, &RowError{Code: code, Message: fmt.Sprintf(format, args...), Fields: []string{f.Name}}
	}
	switch f.Type {
	case TypeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case float64:
			if x == 0 || x == 1 {
				return x == 1, nil
			}
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "t", "yes", "y", "1":
				return true, nil
			case "false", "f", "no", "n", "0":
				return false, nil
			}
		}
		return bad(CodeInvalidValue, "%s: %s is not a boolean", f.Name, show(v))
	case TypeInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, nil
			}
			if fl, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && fl == math.Trunc(fl) {
				return int64(fl), nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return bad(CodeInvalidValue, "%s: %s is not a whole number", f.Name, show(v))
	case TypeDouble, TypeCurrency, TypePercent:
		var fl float64
		switch x := v.(type) {
		case int64:
			fl = float64(x)
		case float64:
			fl = x
		case string:
			p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return bad(CodeInvalidValue, "%s: %s is not a number", f.Name, show(v))
			}
			fl = p
		default:
			return bad(CodeInvalidValue, "%s: %s is not a number", f.Name, show(v))
		}
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			return bad(CodeInvalidValue, "%s: %v is not a finite number", f.Name, fl)
		}
		// Round to the field's decimals; precision with scale 0 means
		// whole numbers.
		if f.Scale > 0 || f.Length > 0 {
			p := math.Pow10(f.Scale)
			fl = math.Round(fl*p) / p
		}
		return fl, nil
	case TypeDate:
		t, ok := asTime(v)
		if !ok {
			return bad(CodeInvalidValue, "%s: %s is not a date", f.Name, show(v))
		}
		return t.Format("2006-01-02"), nil
	case TypeDatetime:
		t, ok := asTime(v)
		if !ok {
			return bad(CodeInvalidValue, "%s: %s is not a date and time", f.Name, show(v))
		}
		return t.Format("2006-01-02T15:04:05-07:00"), nil
	case TypeMultipicklist:
		var vals []string
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if e != nil {
					vals = append(vals, fmt.Sprint(e))
				}
			}
		case []string:
			vals = x
		case string:
			for _, p := range strings.Split(x, ";") {
				if p = strings.TrimSpace(p); p != "" {
					vals = append(vals, p)
				}
			}
		default:
			return bad(CodeInvalidValue, "%s: %s is not a list of values", f.Name, show(v))
		}
		for _, e := range vals {
			if !utf8.ValidString(e) {
				return bad(CodeInvalidUTF8, "%s: %s is not valid UTF-8%s", f.Name, show(e), badByte(e))
			}
			if f.Restricted && len(f.Picklist) > 0 && !inList(f.Picklist, e) {
				return bad(CodeBadPicklist, "%s: %q is not one of its values", f.Name, e)
			}
		}
		if vals == nil {
			vals = []string{}
		}
		return vals, nil
	}
	// Text-like: string, textarea, email, phone, url, picklist, id,
	// reference, lookup.
	s, ok := asText(v)
	if !ok {
		return bad(CodeInvalidValue, "%s: %s is not text", f.Name, show(v))
	}
	if !utf8.ValidString(s) {
		return bad(CodeInvalidUTF8, "%s: %s is not valid UTF-8%s", f.Name, show(v), badByte(s))
	}
	if f.Length > 0 && utf8.RuneCountInString(s) > f.Length {
		return bad(CodeTooLong, "%s: %d characters, at most %d fit", f.Name, utf8.RuneCountInString(s), f.Length)
	}
	switch f.Type {
	case TypeEmail:
		if s != "" && !emailRE.MatchString(s) {
			return bad(CodeBadEmail, "%s: %s is not an email address", f.Name, show(v))
		}
	case TypePicklist:
		if s != "" && f.Restricted && len(f.Picklist) > 0 && !inList(f.Picklist, s) {
			return bad(CodeBadPicklist, "%s: %q is not one of its values", f.Name, s)
		}
	}
	return s, nil
}

func asText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return x.Format(time.RFC3339), true
	}
	return "", false
}

var timeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999-07", "2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05", "2006-01-02",
}

// asTime reads a time value; text without a zone is taken as UTC.
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

func inList(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// show renders a value for an error message, shortened.
func show(v any) string {
	s := fmt.Sprintf("%v", v)
	if _, ok := v.(string); ok {
		s = strconv.Quote(s)
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// sameValue reports whether a destination value and a planned one are
// equal once both are coerced to the field's type.
func sameValue(a, b any, f Field) bool {
	if a == nil || b == nil {
		return isEmpty(a) && isEmpty(b)
	}
	ca, ea := Coerce(a, f)
	cb, eb := Coerce(b, f)
	if ea != nil || eb != nil {
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
	if fa, ok := ca.(float64); ok {
		if fb, ok := cb.(float64); ok {
			return math.Abs(fa-fb) < 1e-9
		}
	}
	if f.Type == TypeDatetime {
		ta, _ := asTime(ca)
		tb, _ := asTime(cb)
		return ta.Equal(tb)
	}
	return fmt.Sprint(ca) == fmt.Sprint(cb)
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}
