//go:build duckdb_arrow

package salesforce

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load/duckdb"
)

// BenchmarkExtractLand200k runs the whole extract stage: the Runner
// extracting the seeded org into a DuckDB file (Arrow batches, merge
// landings, cursors, history for Lead and Opportunity), beside the bare
// loop that only downloads and JSON-decodes the same pages. It then
// changes 1% of the records through sObject Collections and runs an
// incremental extract, reporting its API calls as a share of the full run's.
func BenchmarkExtractLand200k(b *testing.B) {
	benchOnce.Do(func() {
		benchOrg = &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
		benchOrg.TestServer = sftest.Start(sftest.Options{Counters: benchOrg.counters})
		w := sandbox.Generate(sandbox.Options{Seed: 11, Records: 110_000})
		benchOrg.Seed(w.Project(sandbox.Salesforce))
	})
	o := benchOrg
	opts := o.options()
	opts.BulkThreshold = 1 << 30
	opts.Lookback = time.Second
	var objects []string
	for _, name := range o.Objects() {
		if len(o.Records(name)) > 0 {
			objects = append(objects, name)
		}
	}
	opts.Objects = objects
	opts.History = []string{"Lead", "Opportunity"}
	ctx := context.Background()
	e := newExtractor(b, opts)
	token := o.Token()
	var soqls []string
	total := 0
	for _, name := range objects {
		d, err := e.Client().Describe(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		soqls = append(soqls, buildSOQL(name, Columns(d), "SystemModstamp", time.Time{}, true))
		total += len(o.Records(name))
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
		runner := &extract.Runner{Warehouse: wh, Concurrency: 2}
		src := []extract.Source{{Name: "salesforce", Extractor: e}}
		b.StartTimer()

		start, before := time.Now(), o.count("")
		res, err := runner.Run(ctx, src, extract.Options{})
		if err != nil {
			b.Fatal(err)
		}
		landDur += time.Since(start)
		fullCalls += o.count("") - before
		rows := int64(0)
		for _, r := range res {
			rows += r.Rows
		}
		if rows != int64(total) {
			b.Fatalf("landed %d rows, want %d", rows, total)
		}

		start = time.Now()
		bare := 0
		for _, q := range soqls {
			bare += barePages(b, o.URL, token, q)
		}
		bareDur += time.Since(start)
		if bare != total {
			b.Fatalf("bare loop read %d rows, want %d", bare, total)
		}

		// 1% of the records change, then an incremental run.
		b.StopTimer()
		changed += int64(changeOnePercent(b, e, o, objects, i))
		time.Sleep(1100 * time.Millisecond) // past the look-back, so the overlap holds only the changes
		b.StartTimer()
		before = o.count("")
		if _, err = runner.Run(ctx, src, extract.Options{}); err != nil {
			b.Fatal(err)
		}
		incCalls += o.count("") - before
		b.StopTimer()
		wh.Close()
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(total)*n/landDur.Seconds(), "land-rec/s")
	b.ReportMetric(float64(total)*n/bareDur.Seconds(), "bare-rec/s")
	b.ReportMetric(landDur.Seconds()/bareDur.Seconds(), "x_bare")
	b.ReportMetric(float64(fullCalls)/n, "full-calls")
	b.ReportMetric(float64(incCalls)/n, "incr-calls")
	b.ReportMetric(float64(incCalls)/float64(fullCalls), "incr/full")
	b.ReportMetric(float64(changed)/n, "changed")
}

// changeOnePercent updates 1% of each object's records through sObject
// Collections (200 per call) and returns how many changed.
func changeOnePercent(b *testing.B, e *Extractor, o *org, objects []string, round int) int {
	field := map[string]string{"Account": "Description", "Contact": "Title", "Lead": "Title", "Opportunity": "Description", "Task": "Description"}
	ctx := context.Background()
	n := 0
	for _, obj := range objects {
		if field[obj] == "" {
			continue // read-only (OpportunityHistory) or not ours to change (User)
		}
		recs := o.Records(obj)
		var batch []map[string]any
		for i := 0; i < len(recs); i += 100 {
			batch = append(batch, map[string]any{"Id": recs[i]["Id"], field[obj]: fmt.Sprintf("changed %d", round)})
		}
		for len(batch) > 0 {
			k := min(200, len(batch))
			res, err := e.Client().Update(ctx, obj, batch[:k], false)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range res {
				if r.Err() != nil {
					b.Fatal(r.Err())
				}
			}
			n += k
			batch = batch[k:]
		}
	}
	return n
}

// BenchmarkIncrementalCalls measures the API calls of the seeded org
// (about 200,000 records over every object): a first full run with the
// defaults, then 1% of the records changed through sObject Collections
// and an incremental run. Each run is a new extractor, as a new process
// is, with nothing but the warehouse's cursors (the describes kept in
// them). Metrics: the calls of each run (every request the emulator
// counted, login included), the describe calls among them, the data
// calls (all but the login, describeGlobal and describes: query pages,
// Composite calls, Bulk job calls), and the incremental run's shares
// of the full run's.
func BenchmarkIncrementalCalls(b *testing.B) {
	benchOnce.Do(func() {
		benchOrg = &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
		benchOrg.TestServer = sftest.Start(sftest.Options{Counters: benchOrg.counters})
		w := sandbox.Generate(sandbox.Options{Seed: 11, Records: 110_000})
		benchOrg.Seed(w.Project(sandbox.Salesforce))
	})
	o := benchOrg
	opts := o.options()
	opts.Lookback = time.Second
	var objects []string
	for _, name := range o.Objects() {
		if len(o.Records(name)) > 0 {
			objects = append(objects, name)
		}
	}
	opts.Objects, opts.History = objects, []string{"Lead", "Opportunity"}
	ctx := context.Background()
	const describe = "/services/data/vXX.X/sobjects/{object}/describe"
	// meta are the calls that are not data: the login, describeGlobal
	// (Objects and the metadata check) and the describes.
	meta := func() int64 { return o.count(describe) + o.count(globalEndpoint) + o.count(tokenEndpoint) }
	measure := func(wh *duckdb.Warehouse) (calls, describes, data int64) {
		b.Helper()
		before, d, m := o.count(""), o.count(describe), meta()
		if _, err := (&extract.Runner{Warehouse: wh, Concurrency: 2}).Run(ctx,
			[]extract.Source{{Name: "salesforce", Extractor: newExtractor(b, opts)}}, extract.Options{}); err != nil {
			b.Fatal(err)
		}
		calls = o.count("") - before
		return calls, o.count(describe) - d, calls - (meta() - m)
	}
	var full, incr, fullDesc, incrDesc, fullData, incrData, changed int64
	for i := range b.N {
		b.StopTimer()
		wh, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(b.TempDir(), fmt.Sprintf("inc%d.duckdb", i))})
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // the org's metadata lies before the first describes' second
		b.StartTimer()
		c, d, x := measure(wh)
		full, fullDesc, fullData = full+c, fullDesc+d, fullData+x
		b.StopTimer()
		changed += int64(changeOnePercent(b, newExtractor(b, opts), o, objects, 100+i))
		time.Sleep(1100 * time.Millisecond) // past the look-back, so the overlap holds only the changes
		b.StartTimer()
		c, d, x = measure(wh)
		incr, incrDesc, incrData = incr+c, incrDesc+d, incrData+x
		b.StopTimer()
		wh.Close()
		b.StartTimer()
	}
	k := float64(b.N)
	b.ReportMetric(float64(full)/k, "full-calls")
	b.ReportMetric(float64(fullDesc)/k, "full-describes")
	b.ReportMetric(float64(incr)/k, "incr-calls")
	b.ReportMetric(float64(incrDesc)/k, "incr-describes")
	b.ReportMetric(float64(incr)/float64(full), "incr/full-calls")
	b.ReportMetric(float64(fullData)/k, "full-data-calls")
	b.ReportMetric(float64(incrData)/k, "incr-data-calls")
	b.ReportMetric(float64(incrData)/float64(fullData), "incr/full-data")
	b.ReportMetric(float64(changed)/k, "changed")
}
