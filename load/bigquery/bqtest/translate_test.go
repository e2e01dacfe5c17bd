package bqtest

import (
	"strings"
	"testing"
)

func TestTranslate(t *testing.T) {
	s := &Server{project: "my-proj"}
	cases := []struct{ in, want, err string }{
		{"SELECT `a` FROM `my-proj.d.t`", `SELECT "a" FROM "d"."t"`, ""},
		{"SELECT x FROM `my-proj`.d.`t` AS T", `SELECT x FROM d."t" AS T`, ""},
		{`SELECT 'it\'s', "dq" FROM d.t`, `SELECT 'it''s', 'dq' FROM d.t`, ""},
		{"SELECT SAFE_CAST(x AS INT64), CAST(y AS STRING), CAST(z AS NUMERIC) FROM d.t", "SELECT TRY_CAST(x AS BIGINT), string_bq(y), CAST(z AS DECIMAL(38,9)) FROM d.t", ""},
		{"SELECT CURRENT_TIMESTAMP(), TIMESTAMP '2024-01-01 00:00:00+00:00'", "SELECT current_timestamp, TIMESTAMPTZ '2024-01-01 00:00:00+00:00'", ""},
		{"SELECT * EXCEPT (a) FROM d.t -- note\n# other", `SELECT * EXCLUDE (a) FROM d.t`, ""},
		{"SELECT i FROM UNNEST(GENERATE_ARRAY(0, 4)) AS i", `SELECT i FROM UNNEST(GENERATE_SERIES(0, 4)) AS "i"("i")`, ""},
		{"SELECT * FROM d.INFORMATION_SCHEMA.COLUMNS", "SELECT * FROM (SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable, data_type FROM information_schema.columns WHERE lower(table_schema) = lower('d'))", ""},
		{"SELECT FARM_FINGERPRINT('x')", "", "function FARM_FINGERPRINT is not emulated"},
		{"SELECT [1, 2]", "", "array literals"},
		{"DECLARE x INT64", "", "statements starting with DECLARE"},
		{"SELECT CAST(x AS STRUCT<a INT64>)", "", "STRUCT<...>"},
		{"SELECT * FROM `other-proj.d.t`", "", "Project other-proj"},
		{"SELECT r'raw'", "", "raw and bytes literals"},
		{`SELECT 'a\+b', 'c'`, "", `Illegal escape sequence: \+`},
		{`SELECT 'it\'s \\d', "\x41"`, "", `\x is not emulated`},
		{"SELECT @@project_id", "", "system variables"},
		{"SELECT DATE_DIFF(CAST(b AS DATE), CAST(a AS DATE), ISOWEEK), TIMESTAMP_DIFF(b, a, HOUR) FROM d.t",
			"SELECT date_diff('week', CAST(a AS DATE), CAST(b AS DATE)), date_diff('hour', a, b) FROM d.t", ""},
		{"SELECT TIMESTAMP_TRUNC(CAST(x AS TIMESTAMP), MONTH) FROM d.t", "SELECT date_trunc('month', CAST(x AS TIMESTAMPTZ)) FROM d.t", ""},
		{"SELECT TO_HEX(MD5(ARRAY_TO_STRING([COALESCE(CAST(a AS STRING), ''), 'b'], '|')))",
			"SELECT MD5(array_to_string([COALESCE(string_bq(a), ''), 'b'], '|'))", ""},
		{"SELECT REGEXP_REPLACE(x, 'a+', 'b'), EDIT_DISTANCE(x, y), SAFE_DIVIDE(1, 0) FROM d.t",
			"SELECT regexp_replace(x, 'a+', 'b', 'g'), LEVENSHTEIN(x, y), SAFE_DIVIDE(1, 0) FROM d.t", ""},
		{"SELECT APPROX_QUANTILES(x, 2)[OFFSET(1)] AS m FROM d.t", "SELECT quantile_disc(x, 0.5) AS m FROM d.t", ""},
		{"SELECT CAST(x AS NUMERIC(18, 2)) FROM d.t", "SELECT CAST(x AS DECIMAL(18, 2)) FROM d.t", ""},
		{"CREATE TABLE d.t (a STRING NOT NULL, PRIMARY KEY (a) NOT ENFORCED)", `CREATE TABLE d.t (a VARCHAR NOT NULL, PRIMARY KEY (a) )`, ""},
		{"SELECT APPROX_QUANTILES(x, 2) FROM d.t", "", "APPROX_QUANTILES(x, n)[OFFSET(k)] only"},
		{"SELECT TO_HEX(b) FROM d.t", "", "TO_HEX is emulated over MD5"},
		{"SELECT DATE_DIFF(a, b, MILLENNIUM) FROM d.t", "", "date part MILLENNIUM"},
		{"SELECT CAST(x AS VARCHAR) FROM d.t", "", "VARCHAR is not GoogleSQL"},
		{"INSERT INTO d.t (a) VALUES (1) ON CONFLICT DO NOTHING", "", "CONFLICT is not GoogleSQL"},
	}
	for _, c := range cases {
		sts, err := s.translateScript(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.message, c.err) {
				t.Errorf("%q: err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := strings.Join(strings.Fields(sts[0].sql), " "); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	sts, err := s.translateScript("BEGIN TRANSACTION; INSERT INTO d.t VALUES (?, ?); CREATE TEMP TABLE c AS SELECT 1; COMMIT TRANSACTION; SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, st := range sts {
		kinds = append(kinds, st.kind)
	}
	if got := strings.Join(kinds, " "); got != "BEGIN DML DDL COMMIT SELECT" || sts[1].params != 2 || !sts[2].temp {
		t.Fatalf("script = %s (params %d, temp %v)", got, sts[1].params, sts[2].temp)
	}
}
