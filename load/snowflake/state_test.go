package snowflake

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	w := &Warehouse{pks: map[string][]string{}}
	cases := []struct{ in, want, err string }{
		{`SELECT "Id", "Last Name", x FROM "raw"."people" WHERE "Name" = 'it''s "Name"'`,
			`SELECT "ID", "Last Name", x FROM "RAW"."PEOPLE" WHERE "NAME" = 'it''s "Name"'`, ""},
		{`WITH a AS MATERIALIZED (SELECT 1 AS n) SELECT n FROM a -- "x"`, `WITH a AS (SELECT 1 AS n) SELECT n FROM a -- "x"`, ""},
		{`CREATE TABLE IF NOT EXISTS _revops.link_decisions (link VARCHAR NOT NULL, at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (link, "at"))`,
			`CREATE TABLE IF NOT EXISTS _revops.link_decisions (link VARCHAR NOT NULL, at TIMESTAMP_TZ NOT NULL, PRIMARY KEY (link, "AT"))`, ""},
		{`INSERT INTO _revops.link_decisions (link, at) VALUES (?, ?), ('b', now()) ON CONFLICT DO NOTHING`,
			`MERGE INTO _revops.link_decisions AS link_decisions USING (SELECT ? AS link, ? AS at UNION ALL SELECT 'b', now ( )) AS excluded ` +
				`ON link_decisions."LINK" = excluded."LINK" AND link_decisions."AT" = excluded."AT" WHEN NOT MATCHED THEN INSERT (link, at) VALUES (excluded.link, excluded.at)`, ""},
		{`INSERT INTO _revops.link_clocks (source, offset_ms, samples) VALUES (?, ?, 1)
			ON CONFLICT (source) DO UPDATE SET offset_ms = excluded.offset_ms, samples = link_clocks.samples + 1`,
			`MERGE INTO _revops.link_clocks AS link_clocks USING (SELECT ? AS source, ? AS offset_ms, 1 AS samples) AS excluded ON link_clocks.source = excluded.source ` +
				`WHEN MATCHED THEN UPDATE SET offset_ms = excluded.offset_ms, samples = link_clocks.samples + 1 ` +
				`WHEN NOT MATCHED THEN INSERT (source, offset_ms, samples) VALUES (excluded.source, excluded.offset_ms, excluded.samples)`, ""},
		{`INSERT INTO t (a) VALUES (1); SELECT "a" FROM t`, "INSERT INTO t (a) VALUES (1);\nSELECT \"A\" FROM t", ""},
		{`INSERT INTO _revops.unknown (a) VALUES (1) ON CONFLICT DO NOTHING`, "", "primary key is not known"},
		{`INSERT INTO t VALUES (1) ON CONFLICT (a) DO NOTHING`, "", "want a column list"},
		{`INSERT INTO t (a, b) VALUES (1) ON CONFLICT (a) DO NOTHING`, "", "a row of 1 values for 2 columns"},
		{`SELECT 'open`, "", "unclosed string"},
	}
	for _, c := range cases {
		got, err := w.render(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("render(%q) = %q, %v; want an error saying %q", c.in, got, err, c.err)
			}
		case err != nil:
			t.Errorf("render(%q): %v", c.in, err)
		case got != c.want:
			t.Errorf("render(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestStoredName(t *testing.T) {
	for in, want := range map[string]string{"Id": "ID", "raw": "RAW", "_revops_seq": "_REVOPS_SEQ", "Region__c": "REGION__C",
		"a$b": "A$B", "Last Name": "Last Name", "$approved": "$approved", "1st": "1st", "Größe": "Größe"} {
		if got := storedName(in); got != want {
			t.Errorf("storedName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (Macros{}).Ident("Id"); got != `"ID"` {
		t.Errorf(`Ident("Id") = %s, want "ID"`, got)
	}
	for in, want := range map[string]string{"ID": "id", "Name": "Name", "COUNT(*)": "count(*)", "Last Name": "Last Name", "1": "1"} {
		if got := resultName(in); got != want {
			t.Errorf("resultName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRegexpLiterals: a backslash in a template's pattern is a backslash
// (the portable SQL's literals have no escapes); Snowflake's literals
// read \ as an escape, so the macros double it.
func TestRegexpLiterals(t *testing.T) {
	m := Macros{}
	cases := map[string]string{
		m.RegexpReplace("x", `'\+[^@]*@'`, `'@'`): `REGEXP_REPLACE(x, '\\+[^@]*@', '@')`,
		m.RegexpMatches("x", `'^\d+$'`):           `(REGEXP_INSTR(x, '^\\d+$') > 0)`,
		m.RegexpMatches("x", `pat`):               `(REGEXP_INSTR(x, pat) > 0)`,
		m.RegexpMatches("x", `'a' || '\d'`):       `(REGEXP_INSTR(x, 'a' || '\d') > 0)`,
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}
