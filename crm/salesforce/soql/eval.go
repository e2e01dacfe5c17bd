package soql

import "time"

// Row is one record as the evaluator sees it.
type Row interface {
	// Value returns the value at a canonical field path ("Name",
	// "Account.Name"): nil, string, float64, int64, bool or time.Time
	// (dates as UTC midnight). A missing field or parent is nil.
	Value(path string) any
}

// Match reports whether r satisfies the WHERE clause (true without one).
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

// Eval evaluates the condition on r.
func (c *Condition) Eval(r Row, now time.Time) bool { return false }

// Compare orders two row values the way ORDER BY does: null first, then
// by value (strings case-insensitively, numbers numerically across int64
// and float64, false before true, times chronologically). Values of
// different types order by type. It returns -1, 0 or +1.
func Compare(a, b any) int { return 0 }

// Sort sorts rows stably by q.OrderBy.
func (q *Query) Sort(rows []Row) {}
