//go:build duckdb_arrow

package sync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	extractsf "github.com/revops/revops/extract/salesforce"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

// BenchmarkSync1M runs the lead sync on a 1,000,000-row model whose rows
// were all written before (the snapshot is landed directly), after 1% of
// them (10,000) changed, against the Salesforce emulator: it reports the
// diff's seconds and the run's, and checks that the run sends exactly
// ceil(changed / 200) sObject Collections calls plus one describe, and
// that a re-run with nothing changed sends no write.
func BenchmarkSync1M(b *testing.B) { benchSync(b, 1_000_000, false) }

// BenchmarkSync100k does the same at 100,000 rows, the first run sending
// every row for real (one Bulk API 2.0 ingest job), and the incremental
// run from a freshly logged-in destination, so the login is counted too.
func BenchmarkSync100k(b *testing.B) { benchSync(b, 100_000, true) }

func benchSync(b *testing.B, n int, firstRun bool) {
	e := newEnv(b)
	ctx := context.Background()
	e.exec(b, fmt.Sprintf(`CREATE TABLE syncs.leads AS SELECT i, 'ZL-' || lpad(CAST(i AS VARCHAR), 7, '0') AS zoho_lead_id,
		'Last ' || i AS last_name, 'Company ' || (i %% 5000) AS company, 'lead' || i || '@example.com' AS email,
		CASE i %% 2 WHEN 0 THEN 'Contacted' ELSE 'Not Contacted' END AS status FROM range(%d) t(i)`, n))
	spec := leadSpec(revsync.ModeUpsert)
	var firstSeconds float64
	if firstRun {
		start := time.Now()
		rep, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{})
		if err != nil || rep.Succeeded != int64(n) {
			b.Fatalf("first run: %v %+v", err, rep.Counts)
		}
		firstSeconds = time.Since(start).Seconds()
	} else {
		if err := revsync.EnsureState(ctx, e.w); err != nil {
			b.Fatal(err)
		}
		d, err := revsync.ComputeDiff(ctx, e.w, spec, revsync.DiffOptions{})
		if err != nil || d.Added != int64(n) {
			b.Fatalf("diff: %v", err)
		}
		landSnapshots(b, e.w, d)
		e.exec(b, `INSERT INTO _revops.sync_snapshots SELECT 'leads', key, row_hash, NULL, now() FROM syncs.bench_written`)
	}
	changed := n / 100
	var rep *revsync.Report
	b.ResetTimer()
	for it := range b.N {
		b.StopTimer()
		e.exec(b, fmt.Sprintf(`UPDATE syncs.leads SET company = 'Changed %d ' || i WHERE i %% 100 = 7`, it))
		dest := e.dest
		if firstRun {
			dest = freshDest(b, e)
		}
		before := settled(e.counters)
		writes := e.writes()
		b.StartTimer()
		var err error
		rep, err = e.runner.Run(ctx, spec, dest, revsync.Options{})
		b.StopTimer()
		if err != nil || rep.Changed != int64(changed) || rep.Succeeded != int64(changed) {
			b.Fatalf("run: %v %+v", err, rep.Counts)
		}
		wantWrites := int64((changed + 199) / 200)
		served := settled(e.counters) - before
		auth := int64(0)
		if firstRun {
			auth = 1
			served += 1 // the login of freshDest came before `before`
		}
		if w := e.writes() - writes; w != wantWrites || served != wantWrites+1+auth || rep.APICalls != wantWrites+1 {
			b.Fatalf("%d changed rows: %d write calls (want %d), %d requests served (want %d: writes + describe + %d login), run's API calls %d",
				changed, w, wantWrites, served, wantWrites+1+auth, auth, rep.APICalls)
		}
		b.ReportMetric(float64(e.writes()-writes), "write_calls")
		b.ReportMetric(float64(served), "requests")
	}
	b.StopTimer()
	if firstRun {
		b.ReportMetric(firstSeconds, "first_run_s")
	}
	b.ReportMetric(rep.DiffSeconds, "diff_s")
	b.ReportMetric(float64(rep.Changed), "changed")
	writes := e.writes()
	start := time.Now()
	again, err := e.runner.Run(ctx, spec, e.dest, revsync.Options{})
	if err != nil || again.Planned != 0 || e.writes() != writes {
		b.Fatalf("re-run with nothing changed: %v %+v, %d writes", err, again.Counts, e.writes()-writes)
	}
	b.ReportMetric(time.Since(start).Seconds(), "rerun_s")
	b.ReportMetric(again.DiffSeconds, "rerun_diff_s")
}

// freshDest logs in to e's org again (one token request).
func freshDest(b *testing.B, e *env) *salesforce.Destination {
	b.Helper()
	id, secret, refresh, _ := e.org.Credentials()
	opts := extractsf.Options{LoginURL: e.org.URL, Auth: extractsf.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 60 * time.Second}}
	d, err := salesforce.New(context.Background(), opts.ClientConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	return d
}
