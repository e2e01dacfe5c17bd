package soql

// Parse parses one SOQL SELECT statement. Errors are *Error with code
// MALFORMED_QUERY (or NUMBER_OUTSIDE_VALID_RANGE for OFFSET > 2000).
func Parse(q string) (*Query, error) {
	return nil, errorAt(q, 0, "MALFORMED_QUERY", "not implemented")
}

type likeTok struct{}
