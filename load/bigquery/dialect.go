// Package bigquery is the BigQuery warehouse engine: landings as Parquet
// load jobs into a staging table followed by one MERGE transaction (rows,
// run counts and cursor together), schema evolution with the DuckDB
// engine's safe-widening rules, history and tombstones, queries read back
// as Arrow, and the model engine's materializations; plus its dialect, the
// model templates' portable macros rendered in GoogleSQL.
//
// Tests run the shared conformance suites against bqtest, a local emulator
// of the REST API reached by the official client over loopback, and
// against the real service when REVOPS_IT_BIGQUERY_PROJECT is set.
package bigquery

import (
	"fmt"
	"strings"

	"github.com/revops/revops/load"
)

// Macros renders the model templates' portable SQL in BigQuery's dialect.
type Macros struct {
	// Prefix is the warehouse's dataset prefix, prepended to the schema
	// of every relation.
	Prefix string
}

var _ load.Macros = Macros{}

// Ident quotes an identifier with backticks.
func (Macros) Ident(name string) string { return "`" + strings.ReplaceAll(name, "`", "\\`") + "`" }

// Relation renders `dataset`.`table` (the project is the connection's).
func (m Macros) Relation(t load.Table) string {
	return m.Ident(m.Prefix+t.Schema) + "." + m.Ident(t.Name)
}

// Literal renders a string literal (BigQuery escapes with backslashes).
func (Macros) Literal(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// DateDiff renders DATE_DIFF on dates for day, week and month, and
// TIMESTAMP_DIFF for hour.
func (Macros) DateDiff(unit, a, b string) string {
	u := strings.ToUpper(unit)
	if u == "HOUR" {
		return fmt.Sprintf("TIMESTAMP_DIFF(CAST(%s AS TIMESTAMP), CAST(%s AS TIMESTAMP), HOUR)", b, a)
	}
	if u == "WEEK" {
		u = "ISOWEEK"
	}
	return fmt.Sprintf("DATE_DIFF(CAST(%s AS DATE), CAST(%s AS DATE), %s)", b, a, u)
}

// DateTrunc renders TIMESTAMP_TRUNC (weeks start on Monday: ISOWEEK).
func (Macros) DateTrunc(unit, x string) string {
	u := strings.ToUpper(unit)
	if u == "WEEK" {
		u = "ISOWEEK"
	}
	return fmt.Sprintf("TIMESTAMP_TRUNC(CAST(%s AS TIMESTAMP), %s)", x, u)
}

// Similarity has no Jaro-Winkler in BigQuery: it renders 1 minus the
// Levenshtein distance over the longer length, also 0..1.
func (Macros) Similarity(a, b string) string {
	return fmt.Sprintf("(1 - SAFE_DIVIDE(EDIT_DISTANCE(%s, %s), GREATEST(LENGTH(%s), LENGTH(%s), 1)))", a, b, a, b)
}

// RegexpMatches renders REGEXP_CONTAINS(x, pattern).
func (m Macros) RegexpMatches(x, pattern string) string {
	return fmt.Sprintf("REGEXP_CONTAINS(%s, %s)", x, m.portableLiteral(pattern))
}

// RegexpReplace renders REGEXP_REPLACE(x, pattern, repl) (every match).
func (m Macros) RegexpReplace(x, pattern, repl string) string {
	return fmt.Sprintf("REGEXP_REPLACE(%s, %s, %s)", x, m.portableLiteral(pattern), m.portableLiteral(repl))
}

// portableLiteral renders a string literal of the portable form ('...',
// a doubled quote for a quote, a backslash being itself, as in DuckDB) in
// GoogleSQL, where a backslash escapes: the pattern '(www\.)?' must reach BigQuery
// as '(www\\.)?' (GoogleSQL refuses \. as an illegal escape). Any other
// expression is returned as it is.
func (m Macros) portableLiteral(s string) string {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '\'' || t[len(t)-1] != '\'' || !strings.Contains(t, `\`) {
		return s
	}
	inner := t[1 : len(t)-1]
	if strings.Count(inner, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
		return s // not one literal
	}
	return m.Literal(strings.ReplaceAll(inner, "''", "'"))
}

var bqTypes = map[string]string{
	"bigint": "INT64", "double": "FLOAT64", "varchar": "STRING",
	"date": "DATE", "timestamp": "TIMESTAMP", "boolean": "BOOL",
}

// SafeCast renders SAFE_CAST(x AS type).
func (Macros) SafeCast(x, typ string) (string, error) {
	t, ok := bqTypes[strings.ToLower(typ)]
	if !ok {
		return "", fmt.Errorf("safe_cast: unknown type %q (want %s)", typ, strings.Join(load.PortableTypes, ", "))
	}
	return fmt.Sprintf("SAFE_CAST(%s AS %s)", x, t), nil
}

// Hash renders TO_HEX(MD5(...)) of the expressions joined by '|', NULL as an empty string.
func (Macros) Hash(exprs ...string) string {
	parts := make([]string, len(exprs))
	for i, e := range exprs {
		parts[i] = fmt.Sprintf("COALESCE(CAST(%s AS STRING), '')", e)
	}
	return fmt.Sprintf("TO_HEX(MD5(ARRAY_TO_STRING([%s], '|')))", strings.Join(parts, ", "))
}

// Now renders CURRENT_TIMESTAMP().
func (Macros) Now() string { return "CURRENT_TIMESTAMP()" }

// Macros returns the dialect's macros (the model engine renders the
// templates with them).
func (w *Warehouse) Macros() load.Macros { return Macros{Prefix: w.prefix} }

// Median renders the median as APPROX_QUANTILES(x, 2)[OFFSET(1)]:
// BigQuery has no exact median aggregate, so this is approximate on large
// inputs (within the service's documented quantile error), and on an even
// count one of the two middle values rather than their mean.
func (Macros) Median(x string) string {
	return fmt.Sprintf("APPROX_QUANTILES(%s, 2)[OFFSET(1)]", x)
}
