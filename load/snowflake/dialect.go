// Package snowflake is the Snowflake warehouse engine, through the
// gosnowflake driver: landings write one Parquet file, PUT it to the
// user stage, COPY it into a temporary staging table and merge it with
// one statement in a transaction with the cursor and the run's counts;
// queries come back as Arrow; models are views, tables replaced
// atomically, or incremental merges. Its dialect macros render the model
// templates' portable SQL in Snowflake SQL.
//
// Tests run the shared conformance suite against sftest, a loopback
// emulator of Snowflake's HTTP protocol on DuckDB, and against the real
// service when SNOWFLAKE_TEST_* credentials are set (see
// snowflake_test.go).
package snowflake

import (
	"fmt"
	"strings"

	"github.com/revops/revops/load"
)

// Macros renders the model templates' portable SQL in Snowflake's dialect.
type Macros struct{}

var _ load.Macros = Macros{}

// Ident quotes an identifier in the spelling revops stores it with: a
// name that could be written unquoted upper-case, as Snowflake stores
// unquoted names (so that a model's unquoted `Id` and {{ ident "Id" }}
// name the same column), any other exactly.
func (Macros) Ident(name string) string { return quoteIdent(name) }

// Relation renders "schema"."name" in the connection's database.
func (m Macros) Relation(t load.Table) string { return m.Ident(t.Schema) + "." + m.Ident(t.Name) }

// Literal renders a string literal.
func (Macros) Literal(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// DateDiff renders DATEDIFF(unit, a, b).
func (Macros) DateDiff(unit, a, b string) string {
	return fmt.Sprintf("DATEDIFF(%s, %s, %s)", strings.ToLower(unit), a, b)
}

// DateTrunc renders DATE_TRUNC('unit', x) (weeks start on Monday by default).
func (Macros) DateTrunc(unit, x string) string {
	return fmt.Sprintf("DATE_TRUNC('%s', %s)", strings.ToLower(unit), x)
}

// Similarity renders JAROWINKLER_SIMILARITY (0..100) scaled to 0..1.
func (Macros) Similarity(a, b string) string {
	return fmt.Sprintf("(JAROWINKLER_SIMILARITY(%s, %s) / 100.0)", a, b)
}

// RegexpMatches renders REGEXP_INSTR(x, pattern) > 0 (REGEXP_LIKE would
// anchor the pattern to the whole string).
func (Macros) RegexpMatches(x, pattern string) string {
	return fmt.Sprintf("(REGEXP_INSTR(%s, %s) > 0)", x, snowLiteral(pattern))
}

// RegexpReplace renders REGEXP_REPLACE(x, pattern, repl) (every match).
func (Macros) RegexpReplace(x, pattern, repl string) string {
	return fmt.Sprintf("REGEXP_REPLACE(%s, %s, %s)", x, snowLiteral(pattern), snowLiteral(repl))
}

// snowLiteral renders a string literal of the templates' portable SQL,
// where a backslash is itself ('\+' is the regular expression \+), as
// Snowflake reads it: there a backslash starts an escape, so it is
// doubled. Anything but a single literal is left as it is.
func snowLiteral(s string) string {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' || strings.Contains(strings.ReplaceAll(s[1:len(s)-1], "''", ""), "'") {
		return s
	}
	return strings.ReplaceAll(s, `\`, `\\`)
}

var sfTypes = map[string]string{
	"bigint": "NUMBER(38,0)", "double": "DOUBLE", "varchar": "VARCHAR",
	"date": "DATE", "timestamp": "TIMESTAMP_TZ", "boolean": "BOOLEAN",
}

// SafeCast renders TRY_CAST(TO_VARCHAR(x) AS type): Snowflake's TRY_CAST
// takes strings only.
func (Macros) SafeCast(x, typ string) (string, error) {
	t, ok := sfTypes[strings.ToLower(typ)]
	if !ok {
		return "", fmt.Errorf("safe_cast: unknown type %q (want %s)", typ, strings.Join(load.PortableTypes, ", "))
	}
	return fmt.Sprintf("TRY_CAST(TO_VARCHAR(%s) AS %s)", x, t), nil
}

// Hash renders MD5 of the expressions joined by '|', NULL as an empty string.
func (Macros) Hash(exprs ...string) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = fmt.Sprintf("COALESCE(TO_VARCHAR(%s), '')", e)
	}
	return fmt.Sprintf("MD5(CONCAT_WS('|', %s))", strings.Join(parts, ", "))
}

// Now renders CURRENT_TIMESTAMP().
func (Macros) Now() string { return "CURRENT_TIMESTAMP()" }

// Field renders the text of a field of a landed struct (a lookup such as
// Zoho's Owner {"name","id"}): structs land as VARIANT, read with
// GET(x, 'name')::VARCHAR (x.name would name a column of a table x).
func (m Macros) Field(x, name string) string {
	return fmt.Sprintf("GET(%s, %s)::VARCHAR", x, m.Literal(name))
}

// Cast renders CAST(x AS type) for a portable type name.
func (Macros) Cast(x, typ string) (string, error) {
	t, ok := sfTypes[strings.ToLower(typ)]
	if !ok {
		return "", fmt.Errorf("cast: unknown type %q (want %s)", typ, strings.Join(load.PortableTypes, ", "))
	}
	return fmt.Sprintf("CAST(%s AS %s)", x, t), nil
}
