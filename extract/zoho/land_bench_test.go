//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"

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
	o.BulkThreshold = -1 // the list API's pages, as the bare loop reads them
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

// BenchmarkIncrementalCalls measures the API budget of an org of N Leads
// (REVOPS_BENCH_LEADS, default 200,000): a first full run with the
// defaults (Bulk Read above bulk_threshold), the same full run through
// the list API only (the REST minimum: one call per 200 records), then 1%
// of the leads changed through the update API and an incremental run.
// Every run is a new extractor, as a new process is, with nothing but the
// warehouse's cursors. Metrics: calls (every request the emulator
// counted, token and metadata included) and credits of each run, and the
// incremental run's share of each full run.
func BenchmarkIncrementalCalls(b *testing.B) {
	n := benchLeads
	if v, err := strconv.Atoi(os.Getenv("REVOPS_BENCH_LEADS")); err == nil && v > 0 {
		n = v
	}
	ts := zohotest.Start(zohotest.Options{DailyCredits: 100_000_000, Concurrency: -1, RefreshLimit: -1, BulkDownloads: -1})
	defer ts.Close()
	ts.SeedCRM(benchProjection(n))
	ctx := context.Background()
	opts := func(threshold int) *zoho.Options {
		o := crmOptions(ts)
		o.Modules, o.History, o.Limits = []string{"Leads"}, []string{"Leads"}, benchLimits
		o.BulkThreshold, o.BulkPoll = threshold, 50*time.Millisecond
		return o
	}
	type spent struct{ calls, credits int64 }
	measure := func(wh *duckdb.Warehouse, o *zoho.Options) (spent, extract.Result) {
		b.Helper()
		calls := ts.Counters().Sum(func(sandbox.Count) bool { return true })
		credits, _ := ts.Credits()
		e, err := zoho.New(ctx, "zoho_crm", o, nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := (&extract.Runner{Warehouse: wh}).Run(ctx, []extract.Source{{Name: "zoho_crm", Extractor: e}}, extract.Options{})
		if err != nil || len(res) != 1 {
			b.Fatal(res, err)
		}
		after, _ := ts.Credits()
		return spent{ts.Counters().Sum(func(sandbox.Count) bool { return true }) - calls, int64(after - credits)}, res[0]
	}
	var full, rest, incr spent
	for i := range b.N {
		b.StopTimer()
		dir := b.TempDir()
		whBulk, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(dir, fmt.Sprintf("bulk%d.duckdb", i))})
		if err != nil {
			b.Fatal(err)
		}
		whRest, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(dir, fmt.Sprintf("rest%d.duckdb", i))})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		f, res := measure(whBulk, opts(0))
		if res.Rows < int64(n) {
			b.Fatalf("full run landed %d rows of %d", res.Rows, n)
		}
		r, _ := measure(whRest, opts(-1))
		b.StopTimer()
		e, err := zoho.New(ctx, "zoho_crm", opts(-1), nil)
		if err != nil {
			b.Fatal(err)
		}
		changed := changeLeads(b, e, ts, i)
		b.StartTimer()
		in, res := measure(whBulk, opts(0))
		if res.Updated < int64(changed) {
			b.Fatalf("incremental run updated %d rows, want the %d changed", res.Updated, changed)
		}
		full.calls, full.credits = full.calls+f.calls, full.credits+f.credits
		rest.calls, rest.credits = rest.calls+r.calls, rest.credits+r.credits
		incr.calls, incr.credits = incr.calls+in.calls, incr.credits+in.credits
		b.StopTimer()
		whBulk.Close()
		whRest.Close()
		b.StartTimer()
	}
	k := float64(b.N)
	b.ReportMetric(float64(full.calls)/k, "full-calls")
	b.ReportMetric(float64(full.credits)/k, "full-credits")
	b.ReportMetric(float64(rest.calls)/k, "rest-full-calls")
	b.ReportMetric(float64(rest.credits)/k, "rest-full-credits")
	b.ReportMetric(float64(incr.calls)/k, "incr-calls")
	b.ReportMetric(float64(incr.credits)/k, "incr-credits")
	b.ReportMetric(float64(incr.calls)/float64(rest.calls), "incr/rest-full-calls")
	b.ReportMetric(float64(incr.calls)/float64(full.calls), "incr/full-calls")
	b.ReportMetric(float64(incr.credits)/float64(full.credits), "incr/full-credits")
}
