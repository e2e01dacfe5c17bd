//go:build duckdb_arrow

package duckdb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/load/loadtest"
)

const (
	benchRows  = 1_000_000
	benchBatch = 50_000
)

// crmSchema has 20 columns shaped like a CRM object: ids, names, emails,
// picklists, money, counts, flags, datetimes, a date and a lookup.
var crmSchema = arrow.NewSchema([]arrow.Field{
	{Name: "Id", Type: arrow.BinaryTypes.String},
	{Name: "FirstName", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "LastName", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Phone", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Company", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Title", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Status", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "LeadSource", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "City", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "Country", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "AnnualRevenue", Type: &arrow.Decimal128Type{Precision: 18, Scale: 2}, Nullable: true},
	{Name: "NumberOfEmployees", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "Score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "IsConverted", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "IsDeleted", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "CreatedDate", Type: loadtest.TimestampTZ, Nullable: true},
	{Name: "SystemModstamp", Type: loadtest.TimestampTZ, Nullable: true},
	{Name: "CloseDate", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "Owner", Type: loadtest.Lookup, Nullable: true},
}, nil)

var (
	statuses = []string{"Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"}
	sources  = []string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}
	cities   = []string{"Berlin", "Austin", "London", "Pune", "Sydney", "Toronto", "Osaka", "Lyon"}
)

// crmBatches builds benchRows rows in batches; rows whose index is below
// changed get a different Status and Score (the "updated" rows of a merge).
func crmBatches(offset, changedBelow int, version string) []arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, crmSchema)
	defer b.Release()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []arrow.RecordBatch
	for start := 0; start < benchRows; start += benchBatch {
		for i := start; i < start+benchBatch; i++ {
			n := i + offset
			st := statuses[n%len(statuses)]
			score := float64(n%1000) / 10
			if i < changedBelow {
				st = statuses[(n+1)%len(statuses)] + version
				score += 1
			}
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("00Q%015d", n))
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("First%d", n%5000))
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("Last%d", n%20000))
			b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("person%d@example%d.com", n, n%300))
			b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("+1 415 555 %04d", n%10000))
			b.Field(5).(*array.StringBuilder).Append(fmt.Sprintf("Company %d Inc.", n%40000))
			b.Field(6).(*array.StringBuilder).Append("Director of Operations")
			b.Field(7).(*array.StringBuilder).Append(st)
			b.Field(8).(*array.StringBuilder).Append(sources[n%len(sources)])
			b.Field(9).(*array.StringBuilder).Append(cities[n%len(cities)])
			b.Field(10).(*array.StringBuilder).Append("US")
			b.Field(11).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(n%100000) * 12345))
			b.Field(12).(*array.Int64Builder).Append(int64(n % 5000))
			b.Field(13).(*array.Float64Builder).Append(score)
			b.Field(14).(*array.BooleanBuilder).Append(n%3 == 0)
			b.Field(15).(*array.BooleanBuilder).Append(false)
			ts, _ := arrow.TimestampFromTime(base.Add(time.Duration(n)*time.Second), arrow.Microsecond)
			b.Field(16).(*array.TimestampBuilder).Append(ts)
			b.Field(17).(*array.TimestampBuilder).Append(ts + 3_600_000_000)
			b.Field(18).(*array.Date32Builder).Append(arrow.Date32FromTime(base.AddDate(0, 0, n%700)))
			ob := b.Field(19).(*array.StructBuilder)
			ob.Append(true)
			ob.FieldBuilder(0).(*array.StringBuilder).Append(fmt.Sprintf("Rep %d", n%50))
			ob.FieldBuilder(1).(*array.StringBuilder).Append(fmt.Sprintf("005%015d", n%50))
		}
		out = append(out, b.NewRecordBatch())
	}
	return out
}

var benchData = sync.OnceValues(func() (map[string][]arrow.RecordBatch, error) {
	base := crmBatches(0, 0, "")
	return map[string][]arrow.RecordBatch{
		"base":    base,
		"prefill": base[:benchRows/10/benchBatch], // the 10% of keys the merge updates
		"merge":   crmBatches(0, benchRows/10, "*"),
		// The small-update and all-update shapes: 1% and 100% of the
		// landing's keys already in the table with other values.
		"prefill1": {base[0].NewSlice(0, benchRows/100)},
		"merge1":   crmBatches(0, benchRows/100, "*"),
		"merge100": crmBatches(0, benchRows, "*"),
	}, nil
})

func writeParquet(b *testing.B, path string, recs []arrow.RecordBatch) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(crmSchema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func openBench(b *testing.B) *duckdb.Warehouse {
	w, err := duckdb.Open(context.Background(), duckdb.Options{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func reader(b *testing.B, recs []arrow.RecordBatch) array.RecordReader {
	r, err := array.NewRecordReader(crmSchema, recs)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkLand1M lands 1,000,000 rows x 20 columns. The parquet case is
// DuckDB reading the same data from a Parquet file written by arrow-go,
// the practical limit; append and merge report their time as a multiple
// of it (x_parquet), measured in the same run.
func BenchmarkLand1M(b *testing.B) {
	data, _ := benchData()
	var limit float64 // ns per landing of the parquet case

	b.Run("parquet", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "crm.parquet")
		writeParquet(b, path, data["base"])
		var total time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			w := openBench(b)
			b.StartTimer()
			start := time.Now()
			if err := w.Exec(context.Background(), fmt.Sprintf("CREATE SCHEMA raw; CREATE TABLE raw.lead AS SELECT * FROM read_parquet('%s')", path)); err != nil {
				b.Fatal(err)
			}
			total += time.Since(start)
			b.StopTimer()
			w.Close()
			b.StartTimer()
		}
		limit = float64(total.Nanoseconds()) / float64(b.N)
		b.ReportMetric(benchRows/(limit/1e9), "rows/s")
	})

	run := func(name string, prefill []arrow.RecordBatch, land []arrow.RecordBatch, mode load.Mode, updates int64) {
		b.Run(name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				w := openBench(b)
				tbl := load.Table{Schema: "raw", Name: "lead"}
				if prefill != nil {
					if _, err := w.Land(context.Background(), tbl, reader(b, prefill), load.LandOptions{Mode: load.Append}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := time.Now()
				st, err := w.Land(context.Background(), tbl, reader(b, land), load.LandOptions{Mode: mode, Key: []string{"Id"}})
				if err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				b.StopTimer()
				if mode == load.Merge && (st.Updated != updates || st.Inserted != benchRows-updates) {
					b.Fatalf("merge stats = %+v", st)
				}
				w.Close()
				b.StartTimer()
			}
			ns := float64(total.Nanoseconds()) / float64(b.N)
			b.ReportMetric(benchRows/(ns/1e9), "rows/s")
			if limit > 0 {
				b.ReportMetric(ns/limit, "x_parquet")
			}
		})
	}
	run("append", nil, data["base"], load.Append, 0)
	run("merge_10pct_updates", data["prefill"], data["merge"], load.Merge, benchRows/10)
	run("merge_1pct_updates", data["prefill1"], data["merge1"], load.Merge, benchRows/100)
	run("merge_100pct_updates", data["base"], data["merge100"], load.Merge, benchRows)
}
