package sftest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	sf "github.com/snowflakedb/gosnowflake"

	"github.com/revops/revops/load/snowflake/sftest"
)

func TestMain(m *testing.M) {
	os.Setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
	os.Setenv("SF_DISABLE_MINICORE", "true")
	_ = sf.GetLogger().SetLogLevel("fatal")
	os.Exit(m.Run())
}

func config(srv *sftest.Server) sf.Config {
	return sf.Config{Account: "revops", User: "revops", Password: "pw", Host: srv.Host, Port: srv.Port, Protocol: "http",
		Database: "DB", Schema: "PUBLIC", Warehouse: "WH", DisableOCSPChecks: true, MaxRetryCount: 3}
}

func open(t *testing.T, cfg sf.Config) *sql.DB {
	t.Helper()
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, cfg))
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func sfError(t *testing.T, err error) *sf.SnowflakeError {
	t.Helper()
	var se *sf.SnowflakeError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *gosnowflake.SnowflakeError", err, err)
	}
	return se
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func rowsOf(t *testing.T, db *sql.DB, q string, args ...any) [][]any {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTypesAndBinds(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	mustExec(t, db, `CREATE TABLE "t" ("n" NUMBER(38,0), "s" VARCHAR(100), "f" FLOAT, "d" NUMBER(10,2), "b" BOOLEAN, "ts" TIMESTAMP_TZ, "day" DATE, "v" VARIANT)`)
	ts := time.Date(2024, 1, 15, 10, 30, 0, 123000000, time.UTC)
	mustExec(t, db, `INSERT INTO "t" SELECT ?, ?, ?, 12.5, ?, ?, '2024-03-31', PARSE_JSON('{"a":[1,2]}')`, 7, "x'y", 2.5, true, ts)
	mustExec(t, db, `INSERT INTO "t" ("n") VALUES (NULL)`)
	var n int64
	var s string
	var f float64
	var b bool
	var got time.Time
	var v string
	if err := db.QueryRow(`SELECT "n", "s", "f", "b", "ts", "v" FROM "t" WHERE "s" IS NOT NULL`).Scan(&n, &s, &f, &b, &got, &v); err != nil {
		t.Fatal(err)
	}
	if n != 7 || s != "x'y" || f != 2.5 || !b || !got.Equal(ts) || v != `{"a":[1,2]}` {
		t.Fatalf("row = %v %q %v %v %v %q", n, s, f, b, got, v)
	}
	var d any
	if err := db.QueryRow(`SELECT "d" FROM "t" WHERE "d" IS NOT NULL`).Scan(&d); err != nil || d != "12.50" {
		t.Fatalf("NUMBER(10,2) = %#v (%v), want \"12.50\"", d, err)
	}
	// Unquoted identifiers come back upper-case, as Snowflake reports them.
	rows, err := db.Query(`select "n" as total from "t"`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	if !reflect.DeepEqual(cols, []string{"TOTAL"}) {
		t.Fatalf("columns = %v", cols)
	}
	// Snowflake's functions and literals.
	got2 := rowsOf(t, db, `SELECT IFF(1 > 0, 'a', 'b'), NVL(NULL, 'n'), DATEDIFF(day, '2024-01-01'::DATE, '2024-01-31'::DATE),
		TO_VARCHAR(42), MD5('x') = md5('x'), 'back\\slash', REGEXP_REPLACE('a-b-c', '-', '+')`)
	// Booleans travel as "1"/"0" in JSON results.
	want := []any{"a", "n", "30", "42", "1", `back\slash`, "a+b+c"}
	if !reflect.DeepEqual(got2[0], want) {
		t.Fatalf("functions = %#v, want %#v", got2[0], want)
	}
}

func TestLogin(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	srv := sftest.New(t, sftest.Options{Password: "pw", PublicKey: &key.PublicKey})
	ping := func(cfg sf.Config) error { return open(t, cfg).PingContext(t.Context()) }

	if err := ping(config(srv)); err != nil {
		t.Fatalf("password login: %v", err)
	}
	bad := config(srv)
	bad.Password = "wrong"
	if se := sfError(t, ping(bad)); se.Number != 390100 {
		t.Fatalf("wrong password: %v", se)
	}
	jwt := config(srv)
	jwt.Password, jwt.Authenticator, jwt.PrivateKey = "", sf.AuthTypeJwt, key
	if err := ping(jwt); err != nil {
		t.Fatalf("key-pair login: %v", err)
	}
	jwt.PrivateKey = other
	if se := sfError(t, ping(jwt)); se.Number != 390144 {
		t.Fatalf("key-pair login with another key: %v", se)
	}
	if st := srv.Stats(); st.Logins != 2 {
		t.Fatalf("logins = %d, want 2 accepted", st.Logins)
	}
}

func TestSessionRenewal(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	db.SetMaxOpenConns(1)
	mustExec(t, db, `CREATE TABLE "t" ("a" NUMBER(38,0))`)
	srv.ExpireSessions()
	mustExec(t, db, `INSERT INTO "t" VALUES (1)`)
	if st := srv.Stats(); st.Renewals != 1 || st.Logins != 1 {
		t.Fatalf("renewals %d, logins %d: want the expired session renewed once, not a new login", st.Renewals, st.Logins)
	}
}

func TestHTTPFaultsAreRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("the driver backs off a second or more per retry")
	}
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	mustExec(t, db, `SELECT 1`)
	srv.FailHTTP("/queries/v1/query-request", 503, 1)
	srv.FailHTTP("/queries/v1/query-request", 429, 1)
	before := srv.Stats().Requests["/queries/v1/query-request"]
	mustExec(t, db, `SELECT 2`)
	if n := srv.Stats().Requests["/queries/v1/query-request"] - before; n != 3 {
		t.Fatalf("query requests = %d, want 3 (503, 429, then success)", n)
	}
}

func TestErrorShapes(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	cases := []struct {
		q     string
		code  int
		state string
		text  string
	}{
		{`SELECT * FROM "nope"`, 2003, "42S02", "does not exist"},
		{`SELEC 1`, 1003, "42000", "syntax"},
		{`SELECT IF(1 > 0, 1, 2)`, 2140, "42601", "Unknown function IF"},
		{`SHOW TABLES`, 1003, "42000", "not emulated"},
		{`SELECT 1; SELECT 2`, 8, "0A000", "statement count 2"},
	}
	for _, c := range cases {
		_, err := db.Exec(c.q)
		se := sfError(t, err)
		if se.Number != c.code || se.SQLState != c.state || !strings.Contains(se.Message, c.text) || se.QueryID == "" {
			t.Errorf("%s: %d %s %q (query %q), want %d %s %q", c.q, se.Number, se.SQLState, se.Message, se.QueryID, c.code, c.state, c.text)
		}
	}
	srv.FailStatement(`insert into "t"`, sftest.Error{Code: "000625", State: "57014", Message: "Statement reached its statement or warehouse timeout"}, 1)
	mustExec(t, db, `CREATE TABLE "t" ("a" NUMBER(38,0))`)
	if se := sfError(t, func() error { _, err := db.Exec(`INSERT INTO "t" VALUES (1)`); return err }()); se.Number != 625 {
		t.Fatalf("injected failure: %v", se)
	}
	mustExec(t, db, `INSERT INTO "t" VALUES (1)`)
}

func TestChunks(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw", ChunkRows: 10})
	db := open(t, config(srv))
	rows := rowsOf(t, db, `SELECT i, 'row ' || i FROM range(95) r(i) ORDER BY i`)
	if len(rows) != 95 {
		t.Fatalf("rows = %d", len(rows))
	}
	for i, r := range rows {
		if r[1] != fmt.Sprintf("row %d", i) {
			t.Fatalf("row %d = %v: chunks out of order", i, r)
		}
	}
	if st := srv.Stats(); st.Chunks != 9 {
		t.Fatalf("chunks downloaded = %d, want 9", st.Chunks)
	}
}

func TestMultiStatement(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	ctx, err := sf.WithMultiStatement(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ExecContext(ctx, `CREATE TABLE "t" ("a" NUMBER(38,0)); INSERT INTO "t" VALUES (1), (2); INSERT INTO "t" VALUES (3)`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 3 {
		t.Fatalf("rows affected = %d, want 3", n)
	}
	ctx2, _ := sf.WithMultiStatement(t.Context(), 2)
	rows, err := db.QueryContext(ctx2, `SELECT count(*) FROM "t"; SELECT max("a") FROM "t"`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if !rows.NextResultSet() {
			break
		}
	}
	rows.Close()
	if !reflect.DeepEqual(got, []string{"3", "3"}) {
		t.Fatalf("results = %v", got)
	}
}

func TestTransactions(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	mustExec(t, db, `CREATE TABLE "t" ("a" NUMBER(38,0))`)
	count := func() any { return rowsOf(t, db, `SELECT count(*) FROM "t"`)[0][0] }

	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO "t" VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if c := count(); c != "0" {
		t.Fatalf("after rollback: %v rows", c)
	}
	mustExec(t, db, `CREATE OR REPLACE TABLE "c" COPY GRANTS AS SELECT 1 AS a`)

	// DDL commits the open transaction first, as in Snowflake.
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`BEGIN`, `INSERT INTO "t" VALUES (2)`, `CREATE TABLE "u" ("b" VARCHAR)`, `ROLLBACK`} {
		if _, err := conn.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if c := count(); c != "1" {
		t.Fatalf("DDL inside a transaction: %v rows, want the insert committed by the CREATE", c)
	}
	// Temporary tables are the session's: gone when it closes.
	if _, err := conn.ExecContext(t.Context(), `CREATE TEMPORARY TABLE "tmp" ("x" NUMBER(38,0))`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	_ = db.Close()
	db2 := open(t, config(srv))
	if rows := rowsOf(t, db2, `SELECT table_name FROM information_schema.tables WHERE table_name = 'tmp'`); len(rows) != 0 {
		t.Fatalf("temporary table outlived its session: %v", rows)
	}
}

func TestPutAndCopy(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	dir := t.TempDir()
	file := filepath.Join(dir, "people.parquet")
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	if _, err := duck.Exec(fmt.Sprintf(`COPY (SELECT 'a' AS "Id", 'Ann' AS name, 42 AS extra UNION ALL SELECT 'b', 'Bo', 1) TO '%s' (FORMAT parquet)`, file)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TABLE "people" ("id" VARCHAR, "NAME" VARCHAR, "score" NUMBER(38,0))`)
	put := rowsOf(t, db, fmt.Sprintf(`PUT 'file://%s' @~/load/ AUTO_COMPRESS=FALSE`, file))
	if len(put) != 1 || put[0][6] != "UPLOADED" {
		t.Fatalf("put = %v", put)
	}
	if got := srv.StageFiles(); !reflect.DeepEqual(got, []string{"_user/load/people.parquet"}) {
		t.Fatalf("stage = %v", got)
	}
	const cp = `COPY INTO "people" FROM @~/load/ FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE`
	res := rowsOf(t, db, cp)
	if len(res) != 1 || res[0][0] != "load/people.parquet" || res[0][1] != "LOADED" || res[0][3] != "2" {
		t.Fatalf("copy = %v", res)
	}
	// Columns match by name, case-insensitively; the file's extra column is
	// ignored and the table's missing one is NULL.
	if got := rowsOf(t, db, `SELECT "id", "NAME", "score" FROM "people" ORDER BY 1`); !reflect.DeepEqual(got, [][]any{{"a", "Ann", nil}, {"b", "Bo", nil}}) {
		t.Fatalf("rows = %v", got)
	}
	// A file already loaded into the table is skipped, unless FORCE.
	if res := rowsOf(t, db, cp); len(res) != 1 || res[0][0] != "Copy executed with 0 files processed." {
		t.Fatalf("second copy = %v", res)
	}
	rowsOf(t, db, cp+` FORCE = TRUE PURGE = TRUE`)
	if got := rowsOf(t, db, `SELECT count(*) FROM "people"`); got[0][0] != "4" {
		t.Fatalf("after FORCE: %v rows", got)
	}
	if got := srv.StageFiles(); len(got) != 0 {
		t.Fatalf("PURGE left %v", got)
	}
	if _, err := db.Exec(`COPY INTO "people" FROM @~/load/ FILE_FORMAT = (TYPE = CSV)`); !strings.Contains(fmt.Sprint(err), "TYPE=PARQUET) only") {
		t.Fatalf("CSV copy: %v", err)
	}
	if st := srv.Stats(); st.PutFiles != 1 || st.CopyFiles != 2 || st.CopyRows != 4 || st.CopyBytes == 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestCloseEndsSessions(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, config(srv)))
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if n := srv.Stats().Requests["/session"]; n != 1 {
		t.Fatalf("session close requests = %d, want 1", n)
	}
}

func TestLongQueries(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	srv.SlowStatement("select 41", 1)
	if got := rowsOf(t, db, `SELECT 41 + 1`); got[0][0] != "42" {
		t.Fatalf("long query = %v", got)
	}
	// The driver's asynchronous mode: the reply comes at once, the rows later.
	rows, err := db.QueryContext(sf.WithAsyncMode(t.Context()), `SELECT 'later'`)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if !rows.Next() || rows.Scan(&s) != nil || s != "later" {
		t.Fatalf("async: %q %v", s, rows.Err())
	}
	rows.Close()
	n := srv.Stats().Requests
	results := 0
	for p, c := range n {
		if strings.HasSuffix(p, "/result") {
			results += c
		}
	}
	if n["/queries/v1/query-request"] != 2 || results < 2 {
		t.Fatalf("requests = %v, want both results fetched from their getResultUrl", n)
	}
}

func TestArrowResults(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw", ChunkRows: 4})
	cfg := config(srv)
	arrowFmt := "ARROW"
	cfg.Params = map[string]*string{"GO_QUERY_RESULT_FORMAT": &arrowFmt}
	db := open(t, cfg)
	mustExec(t, db, `CREATE TABLE "t" ("n" NUMBER(38,0), "d" NUMBER(10,2), "f" FLOAT, "s" VARCHAR, "b" BOOLEAN, "day" DATE, "ts" TIMESTAMP_TZ, "ntz" TIMESTAMP_NTZ, "v" VARIANT)`)
	ts := time.Date(2024, 1, 15, 10, 30, 0, 123456000, time.UTC)
	for i := range 10 {
		mustExec(t, db, `INSERT INTO "t" SELECT ?, 12.25, 2.5, ?, TRUE, '2024-03-31', ?, ?, PARSE_JSON('[1]')`, i, fmt.Sprint("s", i), ts, ts)
	}
	mustExec(t, db, `INSERT INTO "t" ("n") VALUES (100)`)
	rows := rowsOf(t, db, `SELECT "n", "d", "f", "s", "b", "day", "ts", "ntz", "v" FROM "t" ORDER BY "n"`)
	if len(rows) != 11 {
		t.Fatalf("rows = %d", len(rows))
	}
	r := rows[3]
	tz, _ := r[6].(time.Time)
	ntz, _ := r[7].(time.Time)
	day, _ := r[5].(time.Time)
	// NUMBER(38,0) reaches Scan as a string (precision over 18), as from the service.
	if r[0] != "3" || r[1] != "12.25" || r[2] != 2.5 || r[3] != "s3" || r[4] != true || day.Format("2006-01-02") != "2024-03-31" ||
		!tz.Equal(ts) || !ntz.Equal(ts) || r[8] != "[1]" {
		t.Fatalf("row 3 = %#v", r)
	}
	if last := rows[10]; last[0] != "100" || last[1] != nil || last[6] != nil {
		t.Fatalf("last row = %#v", last)
	}
	if st := srv.Stats(); st.Chunks != 2 {
		t.Fatalf("chunks = %d, want 2 Arrow chunks", st.Chunks)
	}
}

// TestIdentifierCase holds the emulator to Snowflake's case rules: an
// unquoted name resolves upper-case, a quoted one exactly, and the
// catalog and result headers spell names as Snowflake stores them.
func TestIdentifierCase(t *testing.T) {
	srv := sftest.New(t, sftest.Options{Password: "pw"})
	db := open(t, config(srv))
	mustExec(t, db, `CREATE SCHEMA raw`)
	mustExec(t, db, `CREATE TABLE raw.folded (id VARCHAR, "Name" VARCHAR, "SCORE" NUMBER(38,0))`)
	mustExec(t, db, `INSERT INTO raw.folded (ID, "Name", score) VALUES ('a', 'Ann', 1)`)
	cases := []struct {
		q       string
		cols    []string
		errCode int // 0: the query succeeds
	}{
		{`SELECT id, ID, "ID" FROM raw.folded`, []string{"ID", "ID", "ID"}, 0},
		{`SELECT "Name", score, "SCORE" AS "Points", points FROM (SELECT *, 1 AS points FROM RAW.FOLDED)`, []string{"Name", "SCORE", "Points", "POINTS"}, 0},
		{`SELECT "id" FROM raw.folded`, nil, 904},
		{`SELECT name FROM raw.folded`, nil, 904},
		{`SELECT "NAME" FROM raw.folded`, nil, 904},
		{`SELECT "score" FROM raw.folded`, nil, 904},
		{`SELECT id FROM "raw".folded`, nil, 2003},
		{`SELECT id FROM "RAW"."FOLDED"`, []string{"ID"}, 0},
	}
	for _, c := range cases {
		rows, err := db.Query(c.q)
		if c.errCode != 0 {
			if err == nil {
				rows.Close()
				t.Errorf("%s: no error, want %06d", c.q, c.errCode)
				continue
			}
			if se := sfError(t, err); se.Number != c.errCode || strings.Contains(se.Message, "~") {
				t.Errorf("%s: error %d %s, want %06d naming names as Snowflake spells them", c.q, se.Number, se.Message, c.errCode)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		cols, _ := rows.Columns()
		rows.Close()
		if !reflect.DeepEqual(cols, c.cols) {
			t.Errorf("%s: columns %v, want %v", c.q, cols, c.cols)
		}
	}
	got := rowsOf(t, db, `SELECT table_schema, table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'RAW' AND table_name = 'FOLDED' ORDER BY ordinal_position`)
	want := [][]any{{"RAW", "FOLDED", "ID"}, {"RAW", "FOLDED", "Name"}, {"RAW", "FOLDED", "SCORE"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("information_schema.columns = %v, want %v", got, want)
	}
	// A quoted lower-case table is another table than the folded one.
	mustExec(t, db, `CREATE TABLE raw."folded" ("id" VARCHAR)`)
	mustExec(t, db, `INSERT INTO raw."folded" VALUES ('lower')`)
	if got := rowsOf(t, db, `SELECT "id" FROM raw."folded"`); !reflect.DeepEqual(got, [][]any{{"lower"}}) {
		t.Errorf(`raw."folded" = %v`, got)
	}
	if got := rowsOf(t, db, `SELECT id FROM raw.folded`); !reflect.DeepEqual(got, [][]any{{"a"}}) {
		t.Errorf(`raw.folded = %v`, got)
	}
}
