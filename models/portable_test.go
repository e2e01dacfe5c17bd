//go:build duckdb_arrow

package models_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/bigquery"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/snowflake"
	sqlfiles "github.com/revops/revops/sql"
)

// duckdbOnly are constructs of DuckDB's dialect that BigQuery or
// Snowflake lack (or read differently): the shipped SQL writes them
// through a dialect macro, never inline.
var duckdbOnly = []struct {
	what string
	re   *regexp.Regexp
}{
	{"median() (no such aggregate in BigQuery)", regexp.MustCompile(`(?i)\b(median|quantile\w*)\s*\(`)},
	{"a :: cast (not BigQuery)", regexp.MustCompile(`::`)},
	{"a cast to a DuckDB type name (use cast)", regexp.MustCompile(
		`(?i)\bCAST\s*\([^()]*(\([^()]*\)[^()]*)*\bAS\s+(VARCHAR|TEXT|DOUBLE|BIGINT|INTEGER|HUGEINT|BOOLEAN|TIMESTAMPTZ|TIMESTAMP\s+WITH\s+TIME\s+ZONE)\b`)},
	{"a date function (use datediff or date_trunc)", regexp.MustCompile(
		`(?i)\b(date_diff|datediff|date_trunc|date_part|datepart|strftime|strptime|epoch|age|make_date|make_timestamp|to_timestamp|now|today)\s*\(|\binterval\s+'`)},
	{"a hash function (use hash)", regexp.MustCompile(`(?i)\b(md5|sha1|sha256|hash)\s*\(`)},
	{"a DuckDB string or list function", regexp.MustCompile(
		`(?i)\b(string_agg|list|list_\w+|struct_pack|regexp_matches|regexp_replace|regexp_full_match|jaro_winkler_similarity|levenshtein|try_cast|strpos|starts_with)\s*\(|\bilike\b`)},
}

var (
	actionRE  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	commentRE = regexp.MustCompile(`--[^\n]*`)
	stringRE  = regexp.MustCompile(`'(?:[^']|'')*'`)
)

// outsideMacros is a shipped file's SQL without its template actions,
// comments and string literals, line for line.
func outsideMacros(src string) string {
	blank := func(s string) string { return strings.Repeat(" ", len(s)) }
	src = commentRE.ReplaceAllStringFunc(src, blank)
	src = actionRE.ReplaceAllStringFunc(src, func(s string) string {
		return strings.Repeat("\n", strings.Count(s, "\n")) + " "
	})
	return stringRE.ReplaceAllStringFunc(src, blank)
}

// TestShippedSQLPortable renders every shipped model and test for DuckDB,
// BigQuery and Snowflake, and fails on a DuckDB-only construct written in
// a shipped SQL file outside a dialect macro, naming the file and line.
func TestShippedSQLPortable(t *testing.T) {
	p, err := loadShipped()
	if err != nil {
		t.Fatal(err)
	}
	dialects := []struct {
		name string
		mc   load.Macros
	}{{"duckdb", duckdb.Macros{}}, {"bigquery", bigquery.Macros{}}, {"snowflake", snowflake.Macros{}}}
	n := 0
	for _, m := range p.Models() {
		for _, d := range dialects {
			if _, err := p.CompileFor(m.Relation, d.mc); err != nil {
				t.Errorf("%s: %s: %v", d.name, m.Relation, err)
			}
		}
		n++
	}
	if n < 100 {
		t.Fatalf("%d shipped models rendered, want every one (over 100)", n)
	}
	err = fs.WalkDir(sqlfiles.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		data, err := fs.ReadFile(sqlfiles.FS, path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(outsideMacros(string(data)), "\n") {
			for _, c := range duckdbOnly {
				if loc := c.re.FindStringIndex(line); loc != nil {
					t.Errorf("sql/%s:%d: %s outside a dialect macro: %s", path, i+1, c.what,
						strings.TrimSpace(strings.Split(string(data), "\n")[i]))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
