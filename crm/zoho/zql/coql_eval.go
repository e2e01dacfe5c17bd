package zql

// Check resolves the query against s.
func (q *Query) Check(s Schema) error { return nil }

// Match reports whether r satisfies the WHERE clause.
func (q *Query) Match(r Record) bool { return q.Where == nil || q.Where.Eval(r) }

// Sort orders rs by ORDER BY.
func (q *Query) Sort(rs []Record) {}

// Eval implements Cond.
func (l *Logical) Eval(r Record) bool { return false }

// Eval implements Cond.
func (c *Comparison) Eval(r Record) bool { return false }
