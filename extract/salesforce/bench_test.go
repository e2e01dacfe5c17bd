package salesforce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
)

// The benchmark's org is seeded once per process (the benchmark function
// runs more than once) and left for the process's exit to close.
var (
	benchOnce sync.Once
	benchOrg  *org
)

// BenchmarkExtract200k extracts about 200,000 seeded records (every
// object of a generated org) from sftest over loopback and drains the
// Arrow streams. Beside it, in the same iteration, a bare loop only
// downloads and JSON-decodes the same query pages (the limit). Metrics:
// records/s of both, API calls against the minimum (pages of 2,000) and
// the time ratio extract/bare; and the same extract through Bulk API 2.0
// query jobs (records/s, calls).
func BenchmarkExtract200k(b *testing.B) {
	benchOnce.Do(func() {
		benchOrg = &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
		benchOrg.TestServer = sftest.Start(sftest.Options{Counters: benchOrg.counters})
		w := sandbox.Generate(sandbox.Options{Seed: 11, Records: 110_000})
		benchOrg.Seed(w.Project(sandbox.Salesforce))
	})
	o := benchOrg
	opts := o.options()
	opts.BulkThreshold = 1 << 30 // the REST path: the bare loop reads the same pages
	e := newExtractor(b, opts)
	ctx := context.Background()
	type target struct {
		name, soql string
		n          int
	}
	var targets []target
	total, minCalls := 0, 0
	for _, name := range o.Objects() {
		n := len(o.Records(name))
		if n == 0 {
			continue
		}
		d, err := e.Client().Describe(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		targets = append(targets, target{name, buildSOQL(name, Columns(d), "SystemModstamp", time.Time{}, true), n})
		total += n
		minCalls += (n + 1999) / 2000
	}
	token := o.Token()
	b.ResetTimer()
	bopts := o.options()
	bopts.BulkThreshold = 1
	bulk := newExtractor(b, bopts)
	var extractDur, bareDur, bulkDur time.Duration
	var calls, bulkCalls int64
	for range b.N {
		// revops: Extract → Arrow batches, drained.
		start := time.Now()
		before := o.count("")
		rows := 0
		for _, t := range targets {
			rows += drain(b, e, t.name)
		}
		extractDur += time.Since(start)
		calls += o.count("") - before
		if rows != total {
			b.Fatalf("extracted %d rows, want %d", rows, total)
		}

		// The same through Bulk API 2.0 (threshold 0 rows: every object).
		start = time.Now()
		before = o.count("")
		rows = 0
		for _, t := range targets {
			rows += drain(b, bulk, t.name)
		}
		bulkDur += time.Since(start)
		bulkCalls += o.count("") - before
		if rows != total {
			b.Fatalf("bulk extracted %d rows, want %d", rows, total)
		}

		// The limit: download and decode the same pages, nothing else.
		start = time.Now()
		rows = 0
		for _, t := range targets {
			rows += barePages(b, o.URL, token, t.soql)
		}
		bareDur += time.Since(start)
		if rows != total {
			b.Fatalf("bare loop read %d rows, want %d", rows, total)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(total)*n/extractDur.Seconds(), "extract-rec/s")
	b.ReportMetric(float64(total)*n/bareDur.Seconds(), "bare-rec/s")
	b.ReportMetric(extractDur.Seconds()/bareDur.Seconds(), "ratio")
	b.ReportMetric(float64(calls)/n, "calls")
	b.ReportMetric(float64(minCalls), "min-calls")
	b.ReportMetric(float64(total)*n/bulkDur.Seconds(), "bulk-rec/s")
	b.ReportMetric(float64(bulkCalls)/n, "bulk-calls")
	b.ReportMetric(float64(total), "records")
}

// drain extracts object whole and returns the rows read.
func drain(b *testing.B, e *Extractor, object string) int {
	s, err := e.Extract(context.Background(), extract.Object{Name: object, Modified: "SystemModstamp"}, "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Release()
	rows := 0
	for s.Next() {
		rows += int(s.RecordBatch().NumRows())
	}
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
	return rows
}

// barePages reads a queryAll result page by page with plain net/http and
// encoding/json and returns the record count.
func barePages(b *testing.B, base, token, soql string) int {
	next := base + "/services/data/v62.0/queryAll?q=" + url.QueryEscape(soql)
	rows := 0
	for next != "" {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var pg struct {
			NextRecordsURL string           `json:"nextRecordsUrl"`
			Records        []map[string]any `json:"records"`
		}
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		err = dec.Decode(&pg)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("page: %v (HTTP %d)", err, resp.StatusCode)
		}
		rows += len(pg.Records)
		next = ""
		if pg.NextRecordsURL != "" {
			next = base + pg.NextRecordsURL
		}
	}
	return rows
}
