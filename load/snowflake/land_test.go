package snowflake_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/loadtest"
	"github.com/revops/revops/load/snowflake"
	"github.com/revops/revops/load/snowflake/sftest"
	revsync "github.com/revops/revops/sync"
)

var deals = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
	{Name: "modified", Type: loadtest.TimestampTZ},
}, nil)

func dealRows(n int, bump int64) [][][]any {
	var batches [][][]any
	for b := 0; b < n; b += 10_000 {
		var rows [][]any
		for i := b; i < min(b+10_000, n); i++ {
			amt := float64(i % 1000)
			if int64(i)%10 == 0 {
				amt += float64(bump)
			}
			rows = append(rows, []any{int64(i), fmt.Sprintf("deal %d", i), amt, nil})
		}
		batches = append(batches, rows)
	}
	return batches
}

// TestLandingFigures pins how a landing reaches Snowflake: one PUT of one
// Parquet file, one COPY INTO a staging table, one MERGE, in a fixed
// number of statements whatever the row count.
func TestLandingFigures(t *testing.T) {
	w, srv := emulated(t)
	tbl := load.Table{Schema: "raw", Name: "deals"}
	const rows = 100_000
	for i, bump := range []int64{0, 1} {
		srv.ResetStats()
		before := w.LandingFigures()
		r := loadtest.MustReader(deals, dealRows(rows, bump)...)
		st, err := w.Land(t.Context(), tbl, r, load.LandOptions{Mode: load.Merge, Key: []string{"id"},
			Cursor: &load.CursorUpdate{Source: "crm", Object: "deals", Value: fmt.Sprint(i)}})
		r.Release()
		if err != nil {
			t.Fatal(err)
		}
		after := w.LandingFigures()
		ss := srv.Stats()
		if ss.ByKind["PUT"] != 1 || ss.ByKind["COPY"] != 1 || ss.ByKind["MERGE"] != 1 || ss.PutFiles != 1 || ss.CopyFiles != 1 {
			t.Fatalf("landing %d sent %v (files put %d, copied %d): want one PUT, one COPY, one MERGE", i, ss.ByKind, ss.PutFiles, ss.CopyFiles)
		}
		want := map[int64]load.Stats{0: {Inserted: rows}, 1: {Updated: rows / 10, Unchanged: rows * 9 / 10}}[int64(i)]
		if st.Inserted != want.Inserted || st.Updated != want.Updated || st.Unchanged != want.Unchanged {
			t.Fatalf("landing %d stats = %+v", i, st)
		}
		stmts, bytes := after.Statements-before.Statements, after.Bytes-before.Bytes
		if after.Puts-before.Puts != 1 || after.Copies-before.Copies != 1 || after.Landings-before.Landings != 1 {
			t.Errorf("figures %+v → %+v: want one landing, one PUT, one COPY", before, after)
		}
		t.Logf("landing %d of %d rows: %d statements (%v), %d Parquet bytes (%.1f MB per 1M rows), %d HTTP requests",
			i, rows, stmts, ss.ByKind, bytes, float64(bytes)/rows, sum(ss.Requests))
		if stmts != int64(ss.Statements) {
			t.Errorf("engine counted %d statements, the emulator ran %d", stmts, ss.Statements)
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestFailedStatementsKeepCommittedState: a landing whose COPY or MERGE
// fails leaves the rows and cursor the last landing committed, and no
// staging table behind; the next landing succeeds.
func TestFailedStatementsKeepCommittedState(t *testing.T) {
	w, srv := emulated(t)
	tbl := load.Table{Schema: "raw", Name: "deals"}
	opts := func(v string) load.LandOptions {
		return load.LandOptions{Mode: load.Merge, Key: []string{"id"}, Cursor: &load.CursorUpdate{Source: "crm", Object: "deals", Value: v}}
	}
	land := func(v string, n int) error {
		r := loadtest.MustReader(deals, dealRows(n, 0)...)
		defer r.Release()
		_, err := w.Land(t.Context(), tbl, r, opts(v))
		return err
	}
	if err := land("v1", 10); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"copy into", "merge into", "insert into _revops.cursors"} {
		srv.FailStatement(stmt, sftest.Error{Code: "000625", State: "57014", Message: "Statement reached its statement or warehouse timeout"}, 1)
		err := land("v2", 20)
		if err == nil || !strings.Contains(err.Error(), "000625") {
			t.Fatalf("%s failing: err = %v", stmt, err)
		}
		c, _, _ := load.GetCursor(t.Context(), w, "crm", "deals")
		_, rows, qerr := load.ReadAll(must(w.Query(t.Context(), `SELECT count(*) FROM raw.deals`)))
		if qerr != nil || rows[0][0] != int64(10) || c.Value != "v1" {
			t.Fatalf("%s failing: %v rows, cursor %q (%v), want the first landing's 10 and v1", stmt, rows, c.Value, qerr)
		}
		_, left, _ := load.ReadAll(must(w.Query(t.Context(), `SELECT table_name FROM information_schema.tables WHERE upper(substr(table_name, 1, 8)) = '_REVOPS_'`)))
		if len(left) != 0 || len(srv.StageFiles()) != 0 {
			t.Fatalf("%s failing left %v and staged files %v", stmt, left, srv.StageFiles())
		}
	}
	if err := land("v2", 20); err != nil {
		t.Fatal(err)
	}

	// Schema changes are DDL, committed at once: a landing that fails
	// after making them takes them back.
	wide := arrow.NewSchema(append(deals.Fields(), arrow.Field{Name: "stage", Type: arrow.BinaryTypes.String, Nullable: true}), nil)
	columns := func(tbl string) string {
		_, rows, err := load.ReadAll(must(w.Query(t.Context(), `SELECT column_name FROM information_schema.columns WHERE table_schema = 'RAW' AND table_name = ? ORDER BY ordinal_position`, snowflake.StoredName(tbl))))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	before := columns("deals")
	if before == "[]" {
		t.Fatal("raw.deals has no columns in information_schema")
	}
	for _, target := range []string{"deals", "fresh"} {
		srv.FailStatement("merge into", sftest.Error{Code: "000625", State: "57014", Message: "timeout"}, 1)
		r := loadtest.MustReader(wide, [][]any{{int64(1), "a", 1.0, nil, "won"}})
		_, err := w.Land(t.Context(), load.Table{Schema: "raw", Name: target}, r, opts("v3"))
		r.Release()
		if err == nil {
			t.Fatalf("%s: the failing MERGE landed", target)
		}
	}
	if after := columns("deals"); after != before {
		t.Fatalf("columns after a failed landing = %s, want %s", after, before)
	}
	if cols := columns("fresh"); cols != "[]" {
		t.Fatalf("a failed first landing left its table: %s", cols)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestLoginErrors(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	srv := sftest.New(t, sftest.Options{Password: "s3cret-pw", PublicKey: &key.PublicKey})
	base := snowflake.Options{Account: "revops", User: "revops", Database: "REVOPS", Host: srv.Host, Port: srv.Port, Protocol: "http"}

	o := base
	o.PrivateKeyPEM = pemKey
	w, err := snowflake.Open(t.Context(), o)
	if err != nil {
		t.Fatalf("key-pair login: %v", err)
	}
	_ = w.Close()

	o = base
	o.Password = "wrong-pw"
	_, err = snowflake.Open(t.Context(), o)
	if err == nil || !strings.Contains(err.Error(), "check user, password or private_key_file") || strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("wrong password: %v", err)
	}
	o = base
	o.PrivateKey = other
	if _, err := snowflake.Open(t.Context(), o); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("unregistered key: %v", err)
	}
	o = base
	o.PrivateKeyPEM = "not a key"
	if _, err := snowflake.Open(t.Context(), o); err == nil || !strings.Contains(err.Error(), "private_key_file: not a PEM file") {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := snowflake.Open(t.Context(), snowflake.Options{Account: "a", User: "u", Password: "p", Database: "D", Host: "127.0.0.1"}); err == nil ||
		!strings.Contains(err.Error(), "port: required") {
		t.Fatalf("host without port: %v", err)
	}
}

// TestQueryLargeResult reads a result the emulator splits into chunks as
// Arrow batches.
func TestQueryLargeResult(t *testing.T) {
	w, srv := emulated(t)
	r, err := w.Query(t.Context(), `SELECT i AS n, 'x' || i AS s, i / 2 AS half, i % 2 = 0 AS even FROM range(25000) r(i) ORDER BY i`)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 25000 || rows[24999][0] != int64(24999) || rows[24999][1] != "x24999" || rows[3][2] != 1.5 || rows[4][3] != true {
		t.Fatalf("rows: %d, last %v, 3rd %v", len(rows), rows[len(rows)-1], rows[3])
	}
	if st := srv.Stats(); st.Chunks == 0 || st.ArrowResults == 0 {
		t.Fatalf("chunks %d, Arrow results %d: want the result in Arrow chunks", st.Chunks, st.ArrowResults)
	}
	// Every type comes back as revops's Arrow type.
	r, err = w.Query(t.Context(), `SELECT CAST(1.25 AS NUMBER(10,2)) AS d, CAST('2024-01-15 10:30:00.123456+00' AS TIMESTAMP_TZ) AS ts,
		CAST('2024-01-15 10:30:00.5' AS TIMESTAMP_NTZ) AS ntz, CAST('2024-03-31' AS DATE) AS day, TRUE AS b, 2.5::FLOAT AS f, 7 AS n, NULL AS z`)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(r.Schema().Fields())
	_, vals, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]any{"1.25", time.Date(2024, 1, 15, 10, 30, 0, 123456000, time.UTC), time.Date(2024, 1, 15, 10, 30, 0, 500000000, time.UTC),
		time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC), true, 2.5, int64(7), nil})
	if fmt.Sprint(vals[0]) != want {
		t.Fatalf("values = %v\nwant %v\n(schema %s)", vals[0], want, got)
	}
	// A statement answered in JSON (DML) is read from its rows.
	if err := w.Exec(t.Context(), `CREATE TABLE "counts" ("n" NUMBER(38,0))`); err != nil {
		t.Fatal(err)
	}
	_, vals, err = load.ReadAll(must(w.Query(t.Context(), `INSERT INTO "counts" VALUES (1), (2)`)))
	if err != nil || fmt.Sprint(vals) != "[[2]]" {
		t.Fatalf("INSERT through Query = %v, %v", vals, err)
	}
}

// TestSyncStateDDL: the sync engine's state tables are created through
// this engine (revops opens a warehouse so).
func TestSyncStateDDL(t *testing.T) {
	w, _ := emulated(t)
	for range 2 {
		if err := revsync.EnsureState(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := load.ReadAll(must(w.Query(t.Context(), `SELECT count(*) FROM _revops.sync_snapshots`))); err != nil {
		t.Fatal(err)
	}
}
