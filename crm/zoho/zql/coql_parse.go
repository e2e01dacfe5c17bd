package zql

// ParseCOQL parses a COQL select query.
func ParseCOQL(s string) (*Query, error) {
	return nil, newErr(CodeSyntaxError, "given coql query not supported")
}
