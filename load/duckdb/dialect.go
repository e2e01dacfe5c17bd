package duckdb

import (
	"fmt"
	"strings"

	"github.com/revops/revops/load"
)

// Macros renders the model templates' portable SQL in DuckDB's dialect.
type Macros struct{}

var _ load.Macros = Macros{}

// Macros returns DuckDB's dialect macros.
func (*Warehouse) Macros() load.Macros { return Macros{} }

// Ident quotes an identifier.
func (Macros) Ident(name string) string { return quoteIdent(name) }

// Relation renders "schema"."name".
func (Macros) Relation(t load.Table) string { return quoteIdent(t.Schema) + "." + quoteIdent(t.Name) }

// Literal renders a string literal.
func (Macros) Literal(s string) string { return quoteString(s) }

// DateDiff renders date_diff('unit', a, b).
func (Macros) DateDiff(unit, a, b string) string {
	return fmt.Sprintf("date_diff(%s, %s, %s)", quoteString(strings.ToLower(unit)), a, b)
}

// DateTrunc renders date_trunc('unit', x) (weeks start on Monday).
func (Macros) DateTrunc(unit, x string) string {
	return fmt.Sprintf("date_trunc(%s, %s)", quoteString(strings.ToLower(unit)), x)
}

// Similarity renders jaro_winkler_similarity(a, b).
func (Macros) Similarity(a, b string) string {
	return fmt.Sprintf("jaro_winkler_similarity(%s, %s)", a, b)
}

// RegexpMatches renders regexp_matches(x, pattern).
func (Macros) RegexpMatches(x, pattern string) string {
	return fmt.Sprintf("regexp_matches(%s, %s)", x, pattern)
}

// RegexpReplace renders regexp_replace(x, pattern, repl, 'g') (every match).
func (Macros) RegexpReplace(x, pattern, repl string) string {
	return fmt.Sprintf("regexp_replace(%s, %s, %s, 'g')", x, pattern, repl)
}

var duckTypes = map[string]string{
	"bigint": "BIGINT", "double": "DOUBLE", "varchar": "VARCHAR",
	"date": "DATE", "timestamp": "TIMESTAMPTZ", "boolean": "BOOLEAN",
}

// SafeCast renders TRY_CAST(x AS type).
func (Macros) SafeCast(x, typ string) (string, error) {
	t, ok := duckTypes[strings.ToLower(typ)]
	if !ok {
		return "", fmt.Errorf("safe_cast: unknown type %q (want %s)", typ, strings.Join(load.PortableTypes, ", "))
	}
	return fmt.Sprintf("TRY_CAST(%s AS %s)", x, t), nil
}

// Hash renders md5 of the expressions joined by '|', NULL as an empty string.
func (Macros) Hash(exprs ...string) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = fmt.Sprintf("coalesce(CAST(%s AS VARCHAR), '')", e)
	}
	return fmt.Sprintf("md5(concat_ws('|', %s))", strings.Join(parts, ", "))
}

// Now renders current_timestamp.
func (Macros) Now() string { return "current_timestamp" }
