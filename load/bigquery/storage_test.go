package bigquery_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/bigquery"
	"github.com/revops/revops/load/bigquery/bqtest"
	"github.com/revops/revops/load/loadtest"
)

// syncBuffer is a log sink tests read back.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// openOn opens a warehouse on emulator s: storage reads through its gRPC
// service when storage is true, REST pages only otherwise.
func openOn(t testing.TB, s *bqtest.Server, storage bool, log *slog.Logger) *bigquery.Warehouse {
	t.Helper()
	o := bigquery.Options{Project: s.Project(), Logger: log, ClientOptions: []option.ClientOption{
		option.WithEndpoint(s.URL() + "/"), option.WithoutAuthentication()}}
	if storage {
		o.StorageEndpoint = s.StorageAddr()
	} else {
		o.DisableStorageRead = true
	}
	w, err := bigquery.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// TestConformanceEmulatedStorage runs the suite with storage reads on and
// pages of 2 rows, so that every result of more than 2 rows comes back
// through the Storage Read API.
func TestConformanceEmulatedStorage(t *testing.T) {
	var mu sync.Mutex
	reads := 0
	t.Cleanup(func() {
		if reads == 0 {
			t.Error("no case read through the Storage Read API")
		}
		t.Logf("%d ReadRows calls over the suite", reads)
	})
	loadtest.RunCases(t, func(t *testing.T) load.Warehouse {
		s, err := bqtest.New(bqtest.WithPageRows(2), bqtest.WithStreamRows(3))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		w := openOn(t, s, true, nil)
		t.Cleanup(func() {
			if !w.StorageReads() {
				t.Error("storage reads were turned off")
			}
			mu.Lock()
			reads += s.Requests()["storage.ReadRows"]
			mu.Unlock()
		})
		return suite{w}
	}, cases...)
}

// bigSchema has a column of each type a landing writes.
var bigSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "active", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "born", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "seen", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "owner", Type: arrow.StructOf(arrow.Field{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
}, nil)

// landBig lands n rows into raw.big in batches of 10,000.
func landBig(t testing.TB, w *bigquery.Warehouse, n int) {
	t.Helper()
	var recs []arrow.RecordBatch
	base := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	for start := 0; start < n; start += 10000 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, bigSchema)
		for i := start; i < min(start+10000, n); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			if i%7 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("name %d é", i))
			}
			b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromBigInt(big.NewInt(int64(i)*101 - 5000)))
			b.Field(3).(*array.Float64Builder).Append(float64(i) / 3)
			b.Field(4).(*array.BooleanBuilder).Append(i%2 == 0)
			b.Field(5).(*array.Date32Builder).Append(arrow.Date32FromTime(base.AddDate(0, 0, i%3000)))
			b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(i) * time.Second).UnixMicro()))
			lb := b.Field(7).(*array.ListBuilder)
			lb.Append(true)
			for k := 0; k < i%3; k++ {
				lb.ValueBuilder().(*array.StringBuilder).Append(fmt.Sprintf("t%d", k))
			}
			sb := b.Field(8).(*array.StructBuilder)
			if i%5 == 0 {
				sb.AppendNull()
			} else {
				sb.Append(true)
				sb.FieldBuilder(0).(*array.StringBuilder).Append(fmt.Sprintf("owner %d", i%11))
				sb.FieldBuilder(1).(*array.StringBuilder).Append(fmt.Sprint(i % 11))
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	rr, err := array.NewRecordReader(bigSchema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	defer rr.Release()
	if _, err := w.Land(context.Background(), load.Table{Schema: "raw", Name: "big"}, rr, load.LandOptions{Mode: load.Append}); err != nil {
		t.Fatal(err)
	}
}

// readAll concatenates a reader's batches, column by column.
func readAll(t testing.TB, rr array.RecordReader) ([]arrow.Array, *arrow.Schema, int) {
	t.Helper()
	defer rr.Release()
	var chunks [][]arrow.Array
	n := 0
	for rr.Next() {
		rec := rr.RecordBatch()
		for len(chunks) < int(rec.NumCols()) {
			chunks = append(chunks, nil)
		}
		for i, c := range rec.Columns() {
			c.Retain()
			chunks[i] = append(chunks[i], c)
		}
		n += int(rec.NumRows())
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	cols := make([]arrow.Array, len(chunks))
	for i, cs := range chunks {
		c, err := array.Concatenate(cs, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range cs {
			x.Release()
		}
		cols[i] = c
	}
	return cols, rr.Schema(), n
}

func query(t testing.TB, w *bigquery.Warehouse, q string) ([]arrow.Array, *arrow.Schema, int) {
	t.Helper()
	rr, err := w.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return readAll(t, rr)
}

// TestStorageReadLargeResult reads 100,000 rows of every type once
// through REST pages and once through the Storage Read API (gRPC, Arrow
// batches), in order and in several streams, and compares every cell.
func TestStorageReadLargeResult(t *testing.T) {
	s, err := bqtest.New(bqtest.WithStreamRows(30000))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rest, grpcW := openOn(t, s, false, nil), openOn(t, s, true, nil)
	const n = 100000
	landBig(t, rest, n)

	const ordered = "SELECT * FROM raw.big ORDER BY id"
	s.ResetRequests()
	want, wantSchema, wantN := query(t, rest, ordered)
	reqs := s.Requests()
	if reqs["storage.CreateReadSession"]+reqs["storage.ReadRows"] != 0 || reqs["getQueryResults"] == 0 {
		t.Fatalf("the REST warehouse's requests: %v", reqs)
	}
	s.ResetRequests()
	got, gotSchema, gotN := query(t, grpcW, ordered)
	reqs = s.Requests()
	if reqs["storage.CreateReadSession"] != 1 || reqs["storage.ReadRows"] != 1 || reqs["getQueryResults"] != 0 {
		t.Fatalf("an ordered storage read: want 1 session, 1 stream, no REST pages; requests %v", reqs)
	}
	if grpcW.StorageQueries() != 1 {
		t.Fatalf("StorageQueries = %d, want 1", grpcW.StorageQueries())
	}
	if wantN != n || gotN != n {
		t.Fatalf("rows: REST %d, storage %d, want %d", wantN, gotN, n)
	}
	if !wantSchema.Equal(gotSchema) {
		t.Fatalf("schemas differ:\nREST    %v\nstorage %v", wantSchema, gotSchema)
	}
	for i := range want {
		if !array.Equal(want[i], got[i]) {
			t.Errorf("column %s differs between REST and the Storage Read API", wantSchema.Field(i).Name)
		}
	}

	// Unordered: several streams, read concurrently by the client.
	s.ResetRequests()
	ids, _, m := query(t, grpcW, "SELECT id FROM raw.big")
	reqs = s.Requests()
	if reqs["storage.ReadRows"] != 4 {
		t.Fatalf("an unordered read of 100,000 rows in streams of 30,000: want 4 streams read, requests %v", reqs)
	}
	seen := make([]bool, n)
	for _, v := range ids[0].(*array.Int64).Int64Values() {
		seen[v] = true
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("id %d missing from the storage read (%d rows)", i, m)
		}
	}
}

// TestStorageReadRefusedFallsBack: a service that refuses the Storage
// Read API (at the session or at the stream) answers through REST pages,
// says so in the log once, and is not asked again; a transient failure is
// retried on the stream.
func TestStorageReadRefusedFallsBack(t *testing.T) {
	for _, tc := range []struct {
		method   string
		code     codes.Code
		fallback bool
	}{
		{"CreateReadSession", codes.PermissionDenied, true},
		{"CreateReadSession", codes.Unimplemented, true},
		{"ReadRows", codes.PermissionDenied, true},
		{"ReadRows", codes.Unimplemented, true},
		{"ReadRows", codes.Unavailable, false},
	} {
		t.Run(tc.method+"_"+tc.code.String(), func(t *testing.T) {
			s, err := bqtest.New(bqtest.WithPageRows(100))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var logs syncBuffer
			w := openOn(t, s, true, slog.New(slog.NewTextHandler(&logs, nil)))
			landBig(t, w, 1000)
			s.FailStorage(tc.method, 1, tc.code)
			cols, _, n := query(t, w, "SELECT id FROM raw.big ORDER BY id")
			if n != 1000 || cols[0].(*array.Int64).Value(999) != 999 {
				t.Fatalf("read %d rows", n)
			}
			refusedLog := strings.Contains(logs.String(), "Storage Read API was refused")
			if refusedLog != tc.fallback || w.StorageReads() == tc.fallback {
				t.Fatalf("fallback: log %v, storage reads still on %v; want fallback %v; log:\n%s", refusedLog, w.StorageReads(), tc.fallback, logs.String())
			}
			s.ResetRequests()
			if _, _, n := query(t, w, "SELECT id FROM raw.big"); n != 1000 {
				t.Fatalf("second read: %d rows", n)
			}
			storage := s.Requests()["storage.CreateReadSession"]
			if tc.fallback != (storage == 0) {
				t.Fatalf("second read: %d storage sessions; fallback %v", storage, tc.fallback)
			}
			if strings.Count(logs.String(), "was refused") > 1 {
				t.Fatalf("the refusal was logged more than once:\n%s", logs.String())
			}
		})
	}
}

// BenchmarkQuery100k reads the same 100,000-row table of every type
// through REST pages and through the Storage Read API.
func BenchmarkQuery100k(b *testing.B) {
	s, err := bqtest.New()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rest, grpcW := openOn(b, s, false, nil), openOn(b, s, true, nil)
	landBig(b, rest, 100000)
	for _, bc := range []struct {
		name string
		w    *bigquery.Warehouse
	}{{"REST", rest}, {"Storage", grpcW}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cols, _, n := query(b, bc.w, "SELECT * FROM raw.big")
				if n != 100000 {
					b.Fatalf("%d rows", n)
				}
				for _, c := range cols {
					c.Release()
				}
			}
		})
	}
}
