//go:build duckdb_arrow

package link_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/crm/httpx"
	extractsf "github.com/revops/revops/extract/salesforce"
	extractzoho "github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
	syncsf "github.com/revops/revops/sync/salesforce"
	synczoho "github.com/revops/revops/sync/zoho"
)

// The kill test runs a link in a second process (this test binary,
// re-executed), which kill -9 stops while a write is in flight.

const helperEnv = "REVOPS_LINK_HELPER"

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// pause passes writes through and blocks the process at the n-th write
// call: before sending it ("sending") or after its answer ("answered"),
// before the link records it.
type pause struct {
	revsync.Destination
	n, seen int
	before  bool
}

func (p *pause) Write(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	p.seen++
	if p.seen == p.n && p.before {
		fmt.Printf("sending %d\n", len(recs))
		select {}
	}
	res, err := p.Destination.Write(ctx, object, op, m, recs)
	if p.seen == p.n {
		fmt.Printf("answered %d %v\n", len(recs), err)
		select {}
	}
	return res, err
}

// helperRun runs the link the environment describes against the
// emulators the parent serves.
func helperRun() {
	ctx := context.Background()
	env := os.Getenv
	fail := func(err error) { fmt.Println("error:", err) }
	w, err := duckdb.Open(ctx, duckdb.Options{Path: env("LINK_DB")})
	if err != nil {
		fail(err)
		return
	}
	lim := httpx.Limits{RequestsPerSecond: 1000, Burst: 1000, Concurrency: 2, MaxRetries: 1, Timeout: 10 * time.Second}
	zo := extractzoho.CRM()
	zo.AccountsURL, zo.APIDomain, zo.ClientID, zo.ClientSecret, zo.RefreshToken = env("ZO_URL"), env("ZO_URL"), env("ZO_ID"), env("ZO_SECRET"), env("ZO_REFRESH")
	zo.TokenCacheDir, zo.Limits = env("ZO_CACHE"), lim
	zd, err := synczoho.New(ctx, zo.ClientConfig("zoho_crm", nil), nil)
	if err != nil {
		fail(err)
		return
	}
	sfo := extractsf.Options{LoginURL: env("SF_URL"), Auth: extractsf.Auth{Flow: "refresh_token", ClientID: env("SF_ID"), ClientSecret: env("SF_SECRET"),
		RefreshToken: env("SF_REFRESH")}, Limits: lim}
	sd, err := syncsf.New(ctx, sfo.ClientConfig(), nil)
	if err != nil {
		fail(err)
		return
	}
	cfg, err := configs.Parse("revops.yaml", []byte(env("LINK_CONFIG")), nil)
	if err != nil {
		fail(err)
		return
	}
	ps := link.ParseEach(cfg, nil)
	if ps[0].Err != nil {
		fail(ps[0].Err)
		return
	}
	n, _ := strconv.Atoi(env("PAUSE_AT"))
	side, _ := strconv.Atoi(env("PAUSE_SIDE"))
	dests := [2]revsync.Destination{zd, sd}
	dests[side] = &pause{Destination: dests[side], n: n, before: env("PAUSE_BEFORE") == "1"}
	_, err = (&link.Runner{Warehouse: w}).Run(ctx, ps[0].Spec, dests, link.Options{})
	fmt.Println("finished:", err)
}

// A link killed (kill -9) while its writes are in flight converges with
// nothing written twice: killed after the answer, the next run reads the
// records back and records the writes (recovered) without sending them
// again; killed before sending, the next run sends them once.
func TestKilledRunConverges(t *testing.T) {
	for _, c := range []struct {
		name   string
		before bool
	}{{"killed after the answer", false}, {"killed before sending", true}} {
		t.Run(c.name, func(t *testing.T) {
			wd := newWorld(t, 0)
			cfgText := "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - {name: zoho_crm, type: zoho_crm}\n  - {name: salesforce, type: salesforce}\nlinks:\n" + leadLink
			s := spec(t, leadLink)
			var zids, sids []string
			for i := range 250 {
				z, sf := wd.pairOf(t, map[string]any{"Phone": "+1 212 555 0000"}, map[string]any{"Title": fmt.Sprintf("Title %d", i)})
				zids, sids = append(zids, z), append(sids, sf)
			}
			wd.extract(t)
			wd.run(t, s)
			wd.extract(t)
			for i := range 250 {
				wd.edit(t, 1, sids[i], map[string]any{"Title": fmt.Sprintf("New title %d", i)})
			}
			wd.extract(t)
			wd.close()
			before := wd.writes()
			id, secret, refresh, _ := wd.sf.Credentials()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=1", "LINK_DB="+wd.path, "LINK_CONFIG="+cfgText,
				"ZO_URL="+wd.zo.URL, "ZO_ID="+wd.zo.ClientID(), "ZO_SECRET="+wd.zo.ClientSecret(), "ZO_REFRESH="+wd.zo.RefreshToken(),
				"ZO_CACHE="+wd.zoOpts.TokenCacheDir, "SF_URL="+wd.sf.URL, "SF_ID="+id, "SF_SECRET="+secret, "SF_REFRESH="+refresh,
				"PAUSE_AT=2", "PAUSE_SIDE=0", "PAUSE_BEFORE="+map[bool]string{true: "1", false: "0"}[c.before])
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			want := "answered 100"
			if c.before {
				want = "sending 100"
			}
			got := ""
			for lines.Scan() {
				got = lines.Text()
				if strings.HasPrefix(got, "answered") || strings.HasPrefix(got, "sending") || strings.HasPrefix(got, "error") || strings.HasPrefix(got, "finished") {
					break
				}
			}
			_ = cmd.Process.Kill() // SIGKILL
			_ = cmd.Wait()
			if !strings.HasPrefix(got, want) {
				t.Fatalf("helper said %q, want %q", got, want)
			}
			sent := wd.writes()[0] - before[0]
			// 250 records, 100 a Zoho call: the first call is answered and
			// recorded, the second is killed after its answer (or before
			// it is sent).
			wantSent := int64(2)
			if c.before {
				wantSent = 1
			}
			if sent != wantSent {
				t.Fatalf("the killed run sent %d write calls to Zoho, want %d", sent, wantSent)
			}
			wd.open(t)
			if n := wd.rows(t, `SELECT count(*) FROM _revops.link_inflight`)[0][0]; n != int64(100) {
				t.Fatalf("%v writes in flight after the kill", n)
			}
			rep, w := wd.run(t, s)
			t.Logf("%s: the next run sent zoho %d, salesforce %d write calls; recovered %d; updated %d; API calls %d", c.name, w[0], w[1], rep.Recovered, rep.Updated, rep.APICalls)
			// Killed after the answer: the 100 records are read back and
			// recorded; the last 50 go in one call. Killed before sending:
			// nothing to recover; 150 records go in 2 calls.
			wantRec, wantCalls := int64(100), int64(1)
			if c.before {
				wantRec, wantCalls = 0, 2
			}
			if rep.Recovered != wantRec || w[0] != wantCalls || rep.Failed != 0 {
				t.Fatalf("after the kill: recovered %d, %d Zoho write calls; %+v", rep.Recovered, w[0], rep)
			}
			for i := range 250 {
				if v := fmt.Sprint(wd.get(t, 0, zids[i], "Designation")); v != fmt.Sprintf("New title %d", i) {
					t.Fatalf("Zoho lead %d: Designation %q", i, v)
				}
			}
			wd.extract(t)
			if _, w := wd.run(t, s); w != [2]int64{0, 0} {
				t.Fatalf("after converging: writes %v", w)
			}
			runs, err := link.Runs(context.Background(), wd.w, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			killed := 0
			for _, r := range runs {
				if r.Status == "running" {
					killed++
				}
			}
			if reaped, err := link.ReapRuns(context.Background(), wd.w, true); err != nil || len(reaped) != killed || killed != 1 {
				t.Fatalf("reap: %v %+v (running %d)", err, reaped, killed)
			}
		})
	}
}
