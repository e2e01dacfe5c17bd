package soql

import (
	"slices"
	"strings"
	"time"
)

// Bound is a constraint on one field implied by the whole WHERE clause,
// usable to narrow a scan with an index. Rows outside a bound cannot
// match; rows inside must still be checked with Match. Equality follows
// SOQL, so an index used with a Bound must compare strings without case,
// ids on their first 15 characters and date fields by day.
type Bound struct {
	// Field is the field path (canonical after Check).
	Field string
	// Op is "=", ">", ">=", "<", "<=" or "IN".
	Op string
	// Values holds one value, or the IN list: nil (null), string, float64,
	// bool or time.Time (UTC).
	Values []any
}

// Bounds returns the constraints of the top-level AND conjunction of the
// WHERE clause (or of the clause itself when it is a single condition)
// that have absolute values: =, <, <=, >, >= and IN. OR, NOT, !=, NOT IN,
// LIKE, INCLUDES and EXCLUDES give no bound, nor do conditions with
// relative date literals (BoundsAt resolves those) or null (or an empty string)
// compared with anything but =, nor do functions. A resolved semi-join
// (Resolve) gives an IN bound with its ids (15-character keys of 18-character
// ids). A nil value stands for null.
func (q *Query) Bounds() []Bound { return q.bounds(time.Time{}, false) }

// BoundsAt is Bounds with relative date literals resolved against now
// into range constraints: = LAST_N_DAYS:7 yields >= start and < end.
func (q *Query) BoundsAt(now time.Time) []Bound { return q.bounds(now, true) }

func (q *Query) bounds(now time.Time, relative bool) []Bound {
	var out []Bound
	for _, e := range conjuncts(q.Where, nil) {
		c, ok := e.(*Condition)
		if !ok || c.Func != "" {
			continue
		}
		if c.Sub != nil {
			// A resolved semi-join bounds its field to the selected ids.
			if c.Op == "IN" && c.resolved != nil {
				vals := make([]any, 0, len(c.resolved))
				for id := range c.resolved {
					vals = append(vals, id)
				}
				slices.SortFunc(vals, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
				out = append(out, Bound{Field: c.Field, Op: "IN", Values: vals})
			}
			continue
		}
		if len(c.Values) == 0 {
			continue
		}
		switch c.Op {
		case "=", "<", "<=", ">", ">=":
			v := c.Values[0]
			switch {
			case v.Kind == KindRelative:
				if relative {
					out = append(out, rangeBounds(c.Field, c.Op, v, now)...)
				}
			case !v.isNull() || c.Op == "=":
				out = append(out, Bound{Field: c.Field, Op: c.Op, Values: []any{boundValue(v)}})
			}
		case "IN":
			vals := make([]any, 0, len(c.Values))
			for _, v := range c.Values {
				if v.Kind == KindRelative {
					vals = nil
					break
				}
				vals = append(vals, boundValue(v))
			}
			if vals != nil {
				out = append(out, Bound{Field: c.Field, Op: "IN", Values: vals})
			}
		}
	}
	return out
}

// boundValue is the Go value of an absolute literal, nil for null and the empty string.
func boundValue(v Value) any {
	if v.isNull() {
		return nil
	}
	return v.Go()
}

// conjuncts appends the terms of the top-level AND chain of e to dst.
func conjuncts(e Expr, dst []Expr) []Expr {
	switch x := e.(type) {
	case nil:
		return dst
	case *And:
		for _, t := range x.Terms {
			dst = conjuncts(t, dst)
		}
		return dst
	}
	return append(dst, e)
}

// rangeBounds turns "field op <relative literal>" into bounds on the
// literal's range [start, end).
func rangeBounds(field, op string, v Value, now time.Time) []Bound {
	start, end, ok := v.Range(now)
	if !ok {
		return nil
	}
	b := func(op string, t time.Time) Bound { return Bound{Field: field, Op: op, Values: []any{t}} }
	switch op {
	case "=":
		return []Bound{b(">=", start), b("<", end)}
	case "<":
		return []Bound{b("<", start)}
	case "<=":
		return []Bound{b("<", end)}
	case ">":
		return []Bound{b(">=", end)}
	}
	return []Bound{b(">=", start)} // ">="
}
