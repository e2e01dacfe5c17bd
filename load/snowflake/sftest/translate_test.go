package sftest

import (
	"strings"
	"testing"
)

func TestTranslate(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{`select a from t`, `SELECT A FROM T`, ""},
		{`SELECT "Id" FROM "raw"."people"`, `SELECT "I~d" FROM "~r~a~w" . "~p~e~o~p~l~e"`, ""},
		{`SELECT DATEDIFF(day, a, b)`, `SELECT date_diff ( 'day' , A , B )`, ""},
		{`SELECT DATEADD(microsecond, 1, t."x")`, `SELECT sf_dateadd ( 'microsecond' , 1 , T . "~x" )`, ""},
		{`SELECT CURRENT_TIMESTAMP()`, `SELECT CURRENT_TIMESTAMP`, ""},
		{`SELECT 'it''s', 'a\'b', 'c\\d'`, `SELECT 'it''s' , 'a''b' , 'c\d'`, ""},
		{`CREATE TABLE "t" ("a" NUMBER(38,0), "b" FLOAT, "c" TIMESTAMP_TZ, "d" VARIANT, "e" VARCHAR(10))`,
			`CREATE TABLE "~t" ( "~a" DECIMAL ( 38 , 0 ) , "~b" DOUBLE , "~c" TIMESTAMPTZ , "~d" JSON , "~e" VARCHAR )`, ""},
		{`SELECT CAST(x AS NUMBER), y::FLOAT, source, object FROM c`, `SELECT CAST ( X AS DECIMAL(38,0) ) , Y :: DOUBLE , SOURCE , OBJECT FROM C`, ""},
		{`SELECT REGEXP_REPLACE(x, 'a', 'b')`, `SELECT sf_regexp_replace ( X , 'a' , 'b' )`, ""},
		{`SELECT GET("Owner", 'id')::VARCHAR AS owner_id`, `SELECT sf_get ( "O~w~n~e~r" , 'id' ) :: VARCHAR AS OWNER_ID`, ""},
		{`INSERT INTO t (a, b) VALUES (?, ?)`, `INSERT INTO T ( A , B ) VALUES ( ? , ? )`, ""},
		{`SELECT * FROM (VALUES (1)) v(id)`, `SELECT * FROM ( VALUES ( 1 ) ) V ( ID )`, ""},
		{`SELECT if(a, 1, 2)`, "", "Unknown function IF"},
		{`SELECT list_value(1)`, "", "Unknown function LIST_VALUE"},
		{`SELECT 'open`, "", "unterminated"},
		{`SELECT "ID", "Id" FROM RAW.People`, `SELECT "ID" , "I~d" FROM RAW . PEOPLE`, ""},
		{`SELECT "a~b" FROM t`, "", "'~'"},
	}
	for _, c := range cases {
		toks, err := lex(c.in)
		var got string
		if err == nil {
			got, err = translate(splitStatements(toks)[0])
		}
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want %q", c.in, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.in, err)
		case got != c.want:
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestNameSpelling(t *testing.T) {
	for _, c := range []struct{ in, stored string }{
		{"ID", "ID"}, {"Id", "I~d"}, {"id", "~i~d"}, {"Last Name", "L~a~s~t N~a~m~e"}, {"_revops_seq", "_~r~e~v~o~p~s_~s~e~q"},
		{"Größe", "G~r~ö~ß~e"}, {"A1$", "A1$"},
	} {
		got, err := encodeName(c.in)
		if err != nil || got != c.stored {
			t.Errorf("encodeName(%q) = %q, %v; want %q", c.in, got, err, c.stored)
		}
		if back := decodeName(got); back != c.in {
			t.Errorf("decodeName(%q) = %q, want %q", got, back, c.in)
		}
	}
	// DuckDB's own names (unquoted words kept as typed, expression names)
	// read upper-case, as Snowflake reports unquoted names.
	for in, want := range map[string]string{"count_star()": "COUNT_STAR()", "a": "A"} {
		if got := decodeName(in); got != want {
			t.Errorf("decodeName(%q) = %q, want %q", in, got, want)
		}
	}
}
