package soql

import "time"

// Bound is a constraint on one field implied by the whole WHERE clause,
// usable to narrow a scan with an index.
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
// that have absolute values. Conditions with relative date literals are
// left out; BoundsAt resolves those too.
func (q *Query) Bounds() []Bound { return nil }

// BoundsAt is Bounds with relative date literals resolved against now
// into range constraints (>= start, < end).
func (q *Query) BoundsAt(now time.Time) []Bound { return nil }
