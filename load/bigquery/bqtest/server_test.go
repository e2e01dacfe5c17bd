package bqtest_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/revops/revops/load/bigquery/bqtest"
)

func start(t *testing.T, opts ...bqtest.Option) (*bqtest.Server, *bigquery.Client) {
	t.Helper()
	s, err := bqtest.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := bigquery.NewClient(t.Context(), s.Project(), option.WithEndpoint(s.URL()+"/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return s, c
}

func readAll(t *testing.T, it *bigquery.RowIterator) [][]bigquery.Value {
	t.Helper()
	var out [][]bigquery.Value
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row)
	}
}

func TestDatasetsTablesAndQueries(t *testing.T) {
	s, c := start(t, bqtest.WithPageRows(3))
	ctx := t.Context()
	ds := c.Dataset("raw")
	if err := ds.Create(ctx, &bigquery.DatasetMetadata{Location: "EU"}); err != nil {
		t.Fatal(err)
	}
	if err := ds.Create(ctx, nil); !isReason(err, "duplicate", 409) {
		t.Fatalf("second create: %v, want 409 duplicate", err)
	}
	md, err := ds.Metadata(ctx)
	if err != nil || md.Location != "EU" {
		t.Fatalf("dataset metadata = %+v, %v", md, err)
	}
	schema := bigquery.Schema{
		{Name: "id", Type: bigquery.StringFieldType, Required: true},
		{Name: "n", Type: bigquery.IntegerFieldType},
		{Name: "at", Type: bigquery.TimestampFieldType},
		{Name: "tags", Type: bigquery.StringFieldType, Repeated: true},
		{Name: "acct", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{{Name: "name", Type: bigquery.StringFieldType}}},
	}
	tbl := ds.Table("people")
	if err := tbl.Create(ctx, &bigquery.TableMetadata{Schema: schema}); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Table("nope").Metadata(ctx); !isReason(err, "notFound", 404) {
		t.Fatalf("missing table: %v, want 404 notFound", err)
	}
	// Schema evolution through tables.patch: a field added.
	tm, err := tbl.Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newSchema := append(tm.Schema, &bigquery.FieldSchema{Name: "extra", Type: bigquery.FloatFieldType})
	if _, err := tbl.Update(ctx, bigquery.TableMetadataToUpdate{Schema: newSchema}, ""); err != nil {
		t.Fatal(err)
	}
	retyped := append(bigquery.Schema{}, newSchema...)
	retyped[1] = &bigquery.FieldSchema{Name: "n", Type: bigquery.StringFieldType}
	if _, err := tbl.Update(ctx, bigquery.TableMetadataToUpdate{Schema: retyped}, ""); !isReason(err, "invalid", 400) {
		t.Fatalf("retype through patch: %v, want 400 invalid", err)
	}

	at := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	q := c.Query("INSERT INTO `raw.people` (id, n, `at`, tags, acct) VALUES ('a', 1, ?, ['x'], STRUCT('Acme' AS name))")
	q.Parameters = []bigquery.QueryParameter{{Value: at}}
	if _, err := q.Read(ctx); err == nil || !strings.Contains(err.Error(), "not emulated") {
		t.Fatalf("array literal: %v, want a clear refusal", err)
	}
	for i := 0; i < 7; i++ {
		q = c.Query("INSERT INTO `" + s.Project() + ".raw.people` (id, n, `at`) VALUES (?, ?, ?)")
		q.Parameters = []bigquery.QueryParameter{{Value: string(rune('a' + i))}, {Value: int64(i)}, {Value: at}}
		job, err := q.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st, err := job.Wait(ctx)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		if qs := st.Statistics.Details.(*bigquery.QueryStatistics); qs.NumDMLAffectedRows != 1 {
			t.Fatalf("affected = %d", qs.NumDMLAffectedRows)
		}
	}
	// Seven rows, three per page: the client pages through them.
	if _, err := c.Query("SELECT id, n, `at`, tags, acct, extra FROM `raw`.`people` WHERE n >= ? ORDER BY id").Read(ctx); err == nil {
		t.Fatal("a query missing its parameter ran")
	}
	q = c.Query("SELECT id, n, `at`, tags, acct, extra FROM `raw`.`people` WHERE n >= ? ORDER BY id")
	q.Parameters = []bigquery.QueryParameter{{Value: int64(0)}}
	it, err := q.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, it)
	if len(rows) != 7 || it.TotalRows != 7 {
		t.Fatalf("rows = %d (total %d), want 7", len(rows), it.TotalRows)
	}
	if got := rows[6]; got[0] != "g" || got[1] != int64(6) || !got[2].(time.Time).Equal(at) || len(got[3].([]bigquery.Value)) != 0 || got[4] != nil || got[5] != nil {
		t.Fatalf("last row = %#v", got)
	}
	// A SQL error is a 400 invalidQuery.
	if _, err := c.Query("SELECT nope FROM `raw.people`").Read(ctx); !isReason(err, "invalidQuery", 400) {
		t.Fatalf("bad SQL: %v", err)
	}
	// Constructs the emulator does not translate are refused by name.
	for _, bad := range []string{"SELECT FARM_FINGERPRINT('x')", "DECLARE x INT64", "SELECT * FROM `other-proj.raw.people`"} {
		if _, err := c.Query(bad).Read(ctx); err == nil {
			t.Errorf("%q ran", bad)
		}
	}
}

func isReason(err error, reason string, code int) bool {
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return false
	}
	return ge.Code == code && len(ge.Errors) > 0 && ge.Errors[0].Reason == reason
}

func TestScriptsAndTransactions(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	if err := c.Dataset("d").Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	run := func(q string) error {
		job, err := c.Query(q).Run(ctx)
		if err != nil {
			return err
		}
		st, err := job.Wait(ctx)
		if err != nil {
			return err
		}
		return st.Err()
	}
	if err := run("CREATE TABLE `d.t` (k STRING, v INT64)"); err != nil {
		t.Fatal(err)
	}
	// A failing statement inside a transaction rolls the whole script back.
	err := run("BEGIN TRANSACTION; INSERT INTO `d.t` VALUES ('a', 1); SELECT ERROR('boom'); COMMIT TRANSACTION;")
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("failing script: %v", err)
	}
	// Permanent DDL inside a transaction is refused, as BigQuery refuses it.
	if err := run("BEGIN; CREATE TABLE `d.u` (x INT64); COMMIT;"); err == nil || !strings.Contains(err.Error(), "inside a transaction") {
		t.Fatalf("DDL in a transaction: %v", err)
	}
	if err := run("BEGIN TRANSACTION; INSERT INTO `d.t` VALUES ('b', 2); MERGE INTO `d.t` AS T USING (SELECT 'b' AS k, 3 AS v) AS S ON T.k = S.k WHEN MATCHED THEN UPDATE SET v = S.v WHEN NOT MATCHED THEN INSERT (k, v) VALUES (S.k, S.v); COMMIT TRANSACTION;"); err != nil {
		t.Fatal(err)
	}
	it, err := c.Query("SELECT k, v FROM `d.t`").Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, it); len(rows) != 1 || rows[0][0] != "b" || rows[0][1] != int64(3) {
		t.Fatalf("rows = %v, want only b=3", rows)
	}
}

func parquetOf(t *testing.T, n int) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(strings.Repeat("x", i%50))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(schema, &buf, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func loadInto(ctx context.Context, c *bigquery.Client, tbl string, data []byte, chunk int) error {
	src := bigquery.NewReaderSource(bytes.NewReader(data))
	src.SourceFormat = bigquery.Parquet
	l := c.Dataset("d").Table(tbl).LoaderFrom(src)
	if chunk > 0 {
		l.MediaOptions = append(l.MediaOptions, googleapi.ChunkSize(chunk))
	}
	job, err := l.Run(ctx)
	if err != nil {
		return err
	}
	st, err := job.Wait(ctx)
	if err != nil {
		return err
	}
	return st.Err()
}

func TestLoadJobs(t *testing.T) {
	s, c := start(t)
	ctx := t.Context()
	if err := c.Dataset("d").Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	small := parquetOf(t, 100)
	if err := loadInto(ctx, c, "t", small, 0); err != nil {
		t.Fatal(err)
	}
	// Resumable: a file larger than the chunk size goes up in chunks.
	big := parquetOf(t, 400_000)
	if len(big) <= 256*1024 {
		t.Fatalf("test file only %d bytes", len(big))
	}
	if err := loadInto(ctx, c, "t", big, 256*1024); err != nil {
		t.Fatal(err)
	}
	it, err := c.Query("SELECT count(*) FROM `d.t`").Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, it); rows[0][0] != int64(400_100) {
		t.Fatalf("rows = %v", rows)
	}
	jobs := s.Jobs()
	var loaded int64
	for _, j := range jobs {
		if j.Type == "LOAD" {
			loaded += j.LoadRows
		}
	}
	if loaded != 400_100 {
		t.Fatalf("load jobs report %d rows", loaded)
	}
	// An injected job failure surfaces as the job's error.
	s.FailJobs("t", 1, "injected load failure")
	if err := loadInto(ctx, c, "t", small, 0); err == nil || !strings.Contains(err.Error(), "injected load failure") {
		t.Fatalf("failed load job: %v", err)
	}
	if _, err := c.Dataset("d").Table("t").Metadata(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestFaultsAreRetried(t *testing.T) {
	s, c := start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s.FailNext("jobs.query", 1, bqtest.RateLimited)
	s.FailNext("getQueryResults", 1, bqtest.BackendError)
	it, err := c.Query("SELECT 1 AS one").Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, it); len(rows) != 1 || rows[0][0] != int64(1) {
		t.Fatalf("rows = %v", rows)
	}
	if n := s.Requests()["jobs.query"]; n != 2 {
		t.Fatalf("jobs.query requests = %d, want 2 (one rate-limited, one retried)", n)
	}
	// quotaExceeded is not retried.
	s.FailNext("datasets.get", 1, bqtest.QuotaExceed)
	if _, err := c.Dataset("x").Metadata(ctx); !isReason(err, "quotaExceeded", 403) {
		t.Fatalf("quota: %v", err)
	}
}

// TestCountIfNoMatch: COUNTIF is 0, not NULL, when nothing matches
// (DuckDB's count_if over only NULLs is NULL).
func TestCountIfNoMatch(t *testing.T) {
	_, c := start(t)
	it, err := c.Query("SELECT COUNTIF(x) FROM (SELECT CAST(NULL AS BOOL) AS x)").Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, it); len(rows) != 1 || rows[0][0] != int64(0) {
		t.Fatalf("COUNTIF over NULLs = %v, want 0", rows)
	}
}

// TestNumericAsString: CAST(NUMERIC AS STRING) drops trailing zeros, as
// GoogleSQL does (DuckDB keeps the scale's digits).
func TestNumericAsString(t *testing.T) {
	_, c := start(t)
	it, err := c.Query(`SELECT CAST(CAST('1234567.89' AS NUMERIC) AS STRING) AS a, CAST(CAST('-0.01' AS NUMERIC) AS STRING) AS b,
		CAST(CAST('100' AS NUMERIC) AS STRING) AS c, CAST(CAST('0' AS NUMERIC) AS STRING) AS d, CAST(CAST(120 AS NUMERIC(18, 0)) AS STRING) AS e,
		CAST(NULL AS STRING) AS f, CAST(250 AS STRING) AS g`).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, it)
	want := [][]bigquery.Value{{"1234567.89", "-0.01", "100", "0", "120", nil, "250"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestLeftRight: LEFT and RIGHT take a string's first or last characters
// (a length past the end takes the whole string) and refuse a negative
// length, as GoogleSQL does.
func TestLeftRight(t *testing.T) {
	_, c := start(t)
	it, err := c.Query(`SELECT LEFT('Onboarding: Acme', 10) AS a, RIGHT('Onboarding: Acme', 4) AS b, LEFT('ab', 5) AS c,
		LEFT(CAST(NULL AS STRING), 2) AS d, RIGHT('ab', 0) AS e`).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, it)
	want := [][]bigquery.Value{{"Onboarding", "Acme", "ab", nil, ""}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, q := range []string{"SELECT LEFT(x, n) FROM (SELECT 'abc' AS x, -1 AS n)", "SELECT RIGHT('abc', -1)"} {
		it, err := c.Query(q).Read(t.Context())
		if err == nil {
			err = it.Next(&[]bigquery.Value{})
		}
		if err == nil || !strings.Contains(err.Error(), "may not be negative") {
			t.Errorf("%s: err = %v, want a negative length refused", q, err)
		}
	}
}

// TestNamesAreCaseSensitive: a query naming a dataset or a table in
// another case than it was created in is refused as not found, as
// BigQuery does (DuckDB, underneath, would find it).
func TestNamesAreCaseSensitive(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	if err := c.Dataset("raw").Create(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tbl := c.Dataset("raw").Table("Account")
	if err := tbl.Create(ctx, &bigquery.TableMetadata{Schema: bigquery.Schema{{Name: "Id", Type: bigquery.StringFieldType}}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ q, err string }{
		{"SELECT id FROM raw.Account", ""},
		{"SELECT count(*) FROM `raw`.`Account` AS a JOIN raw.Account AS b ON a.id = b.ID", ""},
		{"SELECT id FROM raw.account", "Table revops-test:raw.account"},
		{"INSERT INTO raw.ACCOUNT (id) VALUES ('x')", "Table revops-test:raw.ACCOUNT"},
		{"SELECT id FROM Raw.Account", "Dataset revops-test:Raw"},
	}
	for _, tc := range cases {
		it, err := c.Query(tc.q).Read(ctx)
		if err == nil {
			err = it.Next(&[]bigquery.Value{})
			if err == iterator.Done {
				err = nil
			}
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.q, err)
		case tc.err != "" && (!isReason(err, "notFound", 404) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err = %v, want 404 notFound naming %s", tc.q, err, tc.err)
		}
	}
}
