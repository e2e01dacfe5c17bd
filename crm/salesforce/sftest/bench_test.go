package sftest

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// bigOrg is a 1M-record org shared by the benchmarks (built once).
var (
	bigOnce sync.Once
	bigTS   *TestServer
	bigMem  uint64
	bigN    int
)

func bigOrg(b *testing.B) *TestServer {
	b.Helper()
	bigOnce.Do(func() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		w := sandbox.Generate(sandbox.Options{Seed: 1, Records: 1_000_000})
		p := w.Project(sandbox.Salesforce)
		w = nil
		bigTS = Start(Options{})
		bigN = len(bigTS.Seed(p))
		p = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		bigMem = after.HeapAlloc - before.HeapAlloc
	})
	return bigTS
}

func get(b *testing.B, c *http.Client, url, tok string, hdr ...string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("%s: %d", url, res.StatusCode)
	}
}

// BenchmarkSeed1M reports the heap held by a seeded 1M-record org.
func BenchmarkSeed1M(b *testing.B) {
	ts := bigOrg(b)
	_ = ts
	b.ReportMetric(float64(bigMem)/(1<<20), "MiB-heap")
	b.ReportMetric(float64(bigN), "records")
	for range b.N {
	}
}

// BenchmarkQueryPage measures one 2,000-row incremental query page over 1M
// records (SystemModstamp index), in requests per second.
func BenchmarkQueryPage(b *testing.B) {
	ts := bigOrg(b)
	tok := ts.Token()
	url := ts.URL + "/services/data/v62.0/query?q=" +
		urlEscape("SELECT Id, Name, Email, AccountId, Account.Name, SystemModstamp FROM Contact WHERE SystemModstamp > 2020-01-01T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000")
	c := &http.Client{}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		get(b, c, url, tok)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkQueryMore compares the cost of page 1 and page 400 of one cursor
// (batchSize=200 over all 1M-org contacts): it must stay flat.
func BenchmarkQueryMore(b *testing.B) {
	ts := bigOrg(b)
	tok := ts.Token()
	c := &http.Client{}
	ts.mu.Lock()
	p, e := ts.prepare("SELECT Id, LastName, Email FROM Contact", false, 0)
	if e != nil {
		b.Fatal(e)
	}
	cur := &cursor{p: p, seqs: p.run(time.Now()), ver: "62.0", batch: 200, lastUsed: time.Now()}
	id := ts.cursorID(cur)
	ts.mu.Unlock()
	if len(cur.seqs) < 400*200 {
		b.Skipf("only %d contacts", len(cur.seqs))
	}
	for _, page := range []int{1, 400} {
		b.Run(fmt.Sprintf("page%d", page), func(b *testing.B) {
			url := ts.URL + "/services/data/v62.0/query/" + formatLocator(id, (page-1)*200)
			for range b.N {
				ts.mu.Lock()
				cur.lastUsed = time.Now()
				ts.mu.Unlock()
				get(b, c, url, tok)
			}
		})
	}
}
