//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load/duckdb"
)

// BenchmarkExtractLand200k runs the whole extract stage on 200,000 Leads:
// the Runner extracting into a DuckDB file (Arrow batches, merge landing,
// cursor, Leads history), beside the bare loop that only downloads and
// JSON-decodes the same pages. It then changes 1% of the leads through
// the update API and runs an incremental extract, reporting its API calls
// as a share of the full run's.
func BenchmarkExtractLand200k(b *testing.B) {
	ts := bench200k()
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	o.History = []string{"Leads"}
	o.Limits = benchLimits
	ctx := context.Background()
	e, err := zoho.New(ctx, "zoho_crm", o, nil)
	if err != nil {
		b.Fatal(err)
	}
	fields, err := e.Client().Fields(ctx, "Leads")
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.APIName)
	}
	b.ResetTimer()
	var landDur, bareDur time.Duration
	var fullCalls, incCalls, changed int64
	for i := range b.N {
		b.StopTimer()
		wh, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(b.TempDir(), fmt.Sprintf("b%d.duckdb", i))})
		if err != nil {
			b.Fatal(err)
		}
		runner := &extract.Runner{Warehouse: wh}
		src := []extract.Source{{Name: "zoho_crm", Extractor: e}}
		b.StartTimer()

		start, before := time.Now(), e.TotalStats().Requests
		res, err := runner.Run(ctx, src, extract.Options{FullRefresh: true})
		if err != nil {
			b.Fatal(err)
		}
		landDur += time.Since(start)
		fullCalls += e.TotalStats().Requests - before
		if len(res) != 1 || res[0].Rows != benchLeads {
			b.Fatalf("landed %+v, want %d rows", res, benchLeads)
		}

		start = time.Now()
		if n, _ := bareLoop(b, ts, names); n != benchLeads {
			b.Fatalf("bare loop read %d", n)
		}
		bareDur += time.Since(start)

		b.StopTimer()
		changed += int64(changeLeads(b, e, ts, i))
		b.StartTimer()
		before = e.TotalStats().Requests
		res, err = runner.Run(ctx, src, extract.Options{})
		if err != nil {
			b.Fatal(err)
		}
		incCalls += e.TotalStats().Requests - before
		if res[0].Updated < benchLeads/100 {
			b.Fatalf("incremental run updated %d rows, want the %d changed", res[0].Updated, benchLeads/100)
		}
		b.StopTimer()
		wh.Close()
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(benchLeads*n/landDur.Seconds(), "land-rec/s")
	b.ReportMetric(benchLeads*n/bareDur.Seconds(), "bare-rec/s")
	b.ReportMetric(landDur.Seconds()/bareDur.Seconds(), "x_bare")
	b.ReportMetric(float64(fullCalls)/n, "full-calls")
	b.ReportMetric(float64(incCalls)/n, "incr-calls")
	b.ReportMetric(float64(incCalls)/float64(fullCalls), "incr/full")
	b.ReportMetric(float64(changed)/n, "changed")
}

// changeLeads updates every 100th lead (1%) through the update API, 100 per call.
func changeLeads(b *testing.B, e *zoho.Extractor, ts interface {
	Records(string) []map[string]any
}, round int) int {
	recs := ts.Records("Leads")
	var batch []map[string]any
	for i := 0; i < len(recs); i += 100 {
		batch = append(batch, map[string]any{"id": recs[i]["id"], "Designation": fmt.Sprintf("changed %d", round)})
	}
	n := len(batch)
	for len(batch) > 0 {
		k := min(100, len(batch))
		res, err := e.Client().Update(context.Background(), "Leads", batch[:k])
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err() != nil {
				b.Fatal(r.Err())
			}
		}
		batch = batch[k:]
	}
	return n
}
