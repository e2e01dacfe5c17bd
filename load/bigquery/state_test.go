package bigquery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/bigquery"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
)

// TestStateOnEmulator creates the sync and link engines' state through
// the engine and writes it the way they do (upserts, deletes, runs).
func TestStateOnEmulator(t *testing.T) {
	ctx := t.Context()
	w, _ := emulated(t)
	for i := range 2 { // twice: the DDL is idempotent
		if err := revsync.EnsureState(ctx, w); err != nil {
			t.Fatalf("sync state (pass %d): %v", i, err)
		}
		if err := link.EnsureState(ctx, w); err != nil {
			t.Fatalf("link state (pass %d): %v", i, err)
		}
	}
	now := time.Now().UTC()
	up := `INSERT INTO _revops.sync_failures (sync, key, code, message, fields, retryable, attempts, first_seen, last_seen, run_id)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?), (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT (sync, key) DO UPDATE SET code = excluded.code, message = excluded.message,
		attempts = sync_failures.attempts + 1, last_seen = excluded.last_seen, run_id = excluded.run_id`
	args := []any{"s", "k1", "E1", "it's", nil, true, now, now, "r1", "s", "k2", "E2", nil, nil, false, now, now, "r1"}
	for range 2 {
		if err := w.ExecTx(ctx, []string{up, `DELETE FROM _revops.sync_failures WHERE sync = ? AND key IN (?)`}, [][]any{args, {"s", "k2"}}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := w.Query(ctx, `SELECT key, code, message, attempts FROM _revops.sync_failures ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0] != "k1" || rows[0][2] != "it's" || rows[0][3] != int64(2) {
		t.Fatalf("sync_failures: %v", rows)
	}
	if err := w.Exec(ctx, `INSERT INTO _revops.link_clocks (source, offset_ms, samples, measured_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (source) DO UPDATE SET offset_ms = excluded.offset_ms, samples = link_clocks.samples + 1`, "sf", 5, now); err != nil {
		t.Fatal(err)
	}
	if _, err := revsync.Failures(ctx, w, []string{"s"}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := revsync.History(ctx, w, []string{"s"}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := revsync.ReapRuns(ctx, w, false); err != nil {
		t.Fatal(err)
	}
	if _, err := revsync.Reset(ctx, w, "s", nil, true); err != nil {
		t.Fatal(err)
	}
}

func TestStateRendering(t *testing.T) {
	keys := func(table string) bigquery.StateTable {
		if table == "_revops.link_seen" {
			return bigquery.StateTable{Key: []string{"link", "record_id"}, Types: map[string]string{"v": "TIMESTAMP"}}
		}
		return bigquery.StateTable{}
	}
	for _, c := range []struct{ in, want, err string }{
		{in: "SELECT `a` FROM `d`.`t` WHERE x = 'it\\'s' AND y = \"s\"", want: "SELECT `a` FROM `d`.`t` WHERE x = 'it\\'s' AND y = `s`"},
		{in: "SELECT x, COUNTIF(a <= 1e3) FROM `p.d.t` -- note\n", want: "SELECT x, COUNTIF(a <= 1e3) FROM `p.d.t` -- note\n"},
		{in: `CREATE SCHEMA IF NOT EXISTS _revops`, want: "CREATE SCHEMA IF NOT EXISTS `_revops`"},
		{in: "CREATE TABLE IF NOT EXISTS _revops.t (\n a VARCHAR NOT NULL, n BIGINT, d DOUBLE, b BOOLEAN,\n at TIMESTAMP WITH TIME ZONE NOT NULL,\n PRIMARY KEY (a, n))",
			want: "CREATE TABLE IF NOT EXISTS _revops.t ( a STRING NOT NULL, n INT64, d FLOAT64, b BOOL, at TIMESTAMP NOT NULL, PRIMARY KEY (a, n) NOT ENFORCED)"},
		{in: `CREATE TABLE IF NOT EXISTS _revops.c (source VARCHAR NOT NULL PRIMARY KEY, n BIGINT)`,
			want: `CREATE TABLE IF NOT EXISTS _revops.c (source STRING NOT NULL PRIMARY KEY NOT ENFORCED, n INT64)`},
		{in: `ALTER TABLE _revops.t ADD COLUMN IF NOT EXISTS v VARCHAR`, want: `ALTER TABLE _revops.t ADD COLUMN IF NOT EXISTS v STRING`},
		{in: `WITH st AS MATERIALIZED (SELECT CAST("k" AS VARCHAR) AS _key, 'a''b' AS s FROM m) SELECT * FROM st`,
			want: "WITH st AS (SELECT CAST(`k` AS STRING) AS _key, 'a\\'b' AS s FROM m) SELECT * FROM st"},
		{in: `INSERT INTO _revops.t (a, n) VALUES (?, ?), (?, 1) ON CONFLICT (a) DO UPDATE SET n = t.n + excluded.n`,
			want: "MERGE INTO _revops.t AS `t` USING (SELECT ? AS a, ? AS n UNION ALL SELECT ?, 1) AS incoming ON `t`.a = incoming.a WHEN MATCHED THEN UPDATE SET n = t.n + incoming.n WHEN NOT MATCHED THEN INSERT (a, n) VALUES (incoming.a, incoming.n)"},
		{in: `INSERT INTO _revops.link_seen (link, record_id, v) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			want: "MERGE INTO _revops.link_seen AS `link_seen` USING (SELECT ? AS link, ? AS record_id, CAST(? AS TIMESTAMP) AS v) AS incoming ON `link_seen`.link = incoming.link AND `link_seen`.record_id = incoming.record_id WHEN NOT MATCHED THEN INSERT (link, record_id, v) VALUES (incoming.link, incoming.record_id, incoming.v)"},
		// Plain INSERTs: bare parameters are cast to their column's type too
		// (a NULL parameter is a STRING, which BigQuery puts in no TIMESTAMP).
		{in: `INSERT INTO _revops.link_seen (link, record_id, v) VALUES (?, ?, ?), (?, 'x', ?)`,
			want: `INSERT INTO _revops.link_seen (link, record_id, v) VALUES (?, ?, CAST(? AS TIMESTAMP)), (?, 'x', CAST(? AS TIMESTAMP))`},
		{in: `INSERT INTO _revops.link_seen (link, record_id, v) SELECT ?, record_id, ? FROM _revops.other WHERE n = ?`,
			want: `INSERT INTO _revops.link_seen (link, record_id, v) SELECT ?, record_id, CAST(? AS TIMESTAMP) FROM _revops.other WHERE n = ?`},
		{in: `INSERT INTO _revops.link_seen (link, record_id, v) VALUES (?, ?, coalesce(?, CURRENT_TIMESTAMP()))`,
			want: `INSERT INTO _revops.link_seen (link, record_id, v) VALUES (?, ?, coalesce(?, CURRENT_TIMESTAMP()))`},
		{in: `INSERT INTO _revops.other (a, b) VALUES (?, ?)`, want: `INSERT INTO _revops.other (a, b) VALUES (?, ?)`},
		{in: `INSERT INTO _revops.other (a) VALUES (?) ON CONFLICT DO NOTHING`, err: "primary key is not known"},
		{in: `INSERT INTO _revops.t (a, n) VALUES (?) ON CONFLICT (a) DO NOTHING`, err: "1 values for 2 columns"},
		{in: `SELECT 'open`, err: "unclosed string"},
	} {
		got, err := bigquery.Macros{}.State(c.in, keys)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.err == "" && got != c.want:
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

// TestRegexpPatternsOnEmulator: the regexp macros receive patterns in the
// portable form (a backslash is itself, as in DuckDB) and render them as
// GoogleSQL literals, where a backslash escapes (\. and \+ are illegal
// escapes there, refused by the service and the emulator alike).
func TestRegexpPatternsOnEmulator(t *testing.T) {
	w, _ := emulated(t)
	mc := bigquery.Macros{}
	for _, c := range []struct{ x, pattern, repl, want string }{
		{"'https://www.acme.com/about'", `'^(https?://)?(www\.)?|/.*$'`, "''", "acme.com"},
		{"'wwwxacme.com'", `'^(https?://)?(www\.)?|/.*$'`, "''", "wwwxacme.com"},
		{"'ann+news@x.com'", `'\+[^@]*@'`, "'@'", "ann@x.com"},
		{"'it''s 1.5'", `'''s \d\.'`, "'!'", "it!5"},
		{"'a.b'", "'[.]'", "'-'", "a-b"},
	} {
		q := "SELECT " + mc.RegexpReplace(c.x, c.pattern, c.repl) + " AS r, " + mc.RegexpMatches(c.x, c.pattern) + " AS m"
		r, err := w.Query(t.Context(), q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		_, rows, err := load.ReadAll(r)
		if err != nil || len(rows) != 1 || rows[0][0] != c.want {
			t.Errorf("%s = %v (%v), want %q", q, rows, err, c.want)
		}
	}
}
