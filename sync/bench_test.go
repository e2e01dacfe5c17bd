//go:build duckdb_arrow

package sync_test

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/load"

	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
)

// benchSpec maps six columns of a 1,000,000-row model.
func benchSpec() *revsync.Spec {
	return &revsync.Spec{Name: "bench", Model: "syncs.bench", Destination: revsync.Target{Source: "zoho_crm", Object: "Leads"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}, Key: "lead_key",
		Mapping: map[string]revsync.FieldMap{
			"Email": {Column: "email"}, "Last_Name": {Column: "last_name"}, "Company": {Column: "company"},
			"Annual_Revenue": {Column: "revenue"}, "Lead_Status": {Column: "status"}, "Email_Opt_Out": {Column: "opt_out"},
		}}
}

// openBench builds a 1,000,000-row model whose rows were all written, then
// changes 1% of them.
func openBench(b *testing.B) (*duckdb.Warehouse, *revsync.Spec) {
	b.Helper()
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: b.TempDir() + "/bench.duckdb"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	must := func(q string) {
		if err := w.Exec(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	must(`CREATE SCHEMA syncs`)
	must(`CREATE TABLE syncs.bench AS SELECT 'L' || i AS lead_key, 'person' || i || '@example.com' AS email,
		'Name ' || i AS last_name, 'Company ' || (i % 5000) AS company, (i % 1000) * 1000.5 AS revenue,
		CASE i % 3 WHEN 0 THEN 'Contacted' WHEN 1 THEN 'Not Contacted' ELSE 'Junk Lead' END AS status,
		i % 7 = 0 AS opt_out FROM range(1000000) t(i)`)
	s := benchSpec()
	if err := revsync.EnsureState(ctx, w); err != nil {
		b.Fatal(err)
	}
	d, err := revsync.ComputeDiff(ctx, w, s, revsync.DiffOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if d.Added != 1000000 {
		b.Fatalf("first diff: %d added", d.Added)
	}
	// Record every row as written, as a completed first run would.
	landSnapshots(b, w, d)
	must(`UPDATE syncs.bench SET company = company || ' Ltd' WHERE hash(lead_key) % 100 = 0`)
	return w, s
}

// BenchmarkDiff1M diffs a 1,000,000-row sync model with 1% changed rows
// against its snapshot (target: under 3 s).
func BenchmarkDiff1M(b *testing.B) {
	w, s := openBench(b)
	ctx := context.Background()
	b.ResetTimer()
	var d *revsync.Diff
	for i := 0; i < b.N; i++ {
		var err error
		d, err = revsync.ComputeDiff(ctx, w, s, revsync.DiffOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if d.Changed < 9000 || d.Changed > 11000 || d.Added != 0 {
		b.Fatalf("diff: %d changed, %d added; want ~10,000 changed", d.Changed, d.Added)
	}
	b.ReportMetric(float64(d.Changed), "changed")
	b.ReportMetric(d.Seconds, "diff_s")
}

// landSnapshots records every row of d as written.
func landSnapshots(b testing.TB, w *duckdb.Warehouse, d *revsync.Diff) {
	b.Helper()
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}, {Name: "row_hash", Type: arrow.BinaryTypes.String}}, nil)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	for _, c := range d.Changes {
		bld.Field(0).(*array.StringBuilder).Append(c.Key)
		bld.Field(1).(*array.StringBuilder).Append(c.Hash)
	}
	rec := bld.NewRecordBatch()
	rdr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.Land(ctx, load.Table{Schema: "syncs", Name: "bench_written"}, rdr, load.LandOptions{Mode: load.Append}); err != nil {
		b.Fatal(err)
	}
	if err := w.Exec(ctx, `INSERT INTO _revops.sync_snapshots SELECT 'bench', key, row_hash, 'id' || key, now() FROM syncs.bench_written`); err != nil {
		b.Fatal(err)
	}
}
