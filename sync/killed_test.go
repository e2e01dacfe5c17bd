//go:build duckdb_arrow

package sync_test

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

	"github.com/revops/revops/crm/httpx"
	extractsf "github.com/revops/revops/extract/salesforce"
	extractzoho "github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
	"github.com/revops/revops/sync/zoho"
)

// The test below runs a sync in a second process (this test binary,
// re-executed), which kill -9 stops between a create call and recording
// its answer.

const helperEnv = "REVOPS_SYNC_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "sync-until-killed" {
		helperSyncUntilKilled()
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// pauseAfter passes writes through to the destination, and after the
// answer to the n-th call of one of ops says "answered" and blocks: the
// process is killed with the answer in hand, before the runner records
// it. With before, it says "sending" and blocks before that call is
// sent: the process is killed with the write recorded in flight and
// never sent.
type pauseAfter struct {
	revsync.Destination
	n, seen int
	ops     map[revsync.Op]bool
	before  bool
}

func (p *pauseAfter) Write(ctx context.Context, object string, op revsync.Op, m revsync.Match, recs []revsync.Record) ([]revsync.Result, error) {
	if !p.ops[op] {
		return p.Destination.Write(ctx, object, op, m, recs)
	}
	p.seen++
	if p.before && p.seen == p.n {
		fmt.Printf("sending %d %s\n", len(recs), op)
		select {}
	}
	res, err := p.Destination.Write(ctx, object, op, m, recs)
	if p.seen == p.n {
		fmt.Printf("answered %d %v\n", len(recs), err)
		select {}
	}
	return res, err
}

// helperSyncUntilKilled runs the sync the environment describes against
// the emulator the parent serves.
func helperSyncUntilKilled() {
	ctx := context.Background()
	env := os.Getenv
	fail := func(err error) { fmt.Println("error:", err) }
	w, err := duckdb.Open(ctx, duckdb.Options{Path: env("REVOPS_SYNC_DB")})
	if err != nil {
		fail(err)
		return
	}
	limits := httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 1, Timeout: 20 * time.Second}
	var dest revsync.Destination
	system := env("REVOPS_SYNC_SYSTEM")
	if system == "salesforce" {
		opts := extractsf.Options{LoginURL: env("REVOPS_SYNC_URL"), Limits: limits, Auth: extractsf.Auth{Flow: "refresh_token",
			ClientID: env("REVOPS_SYNC_CLIENT_ID"), ClientSecret: env("REVOPS_SYNC_CLIENT_SECRET"), RefreshToken: env("REVOPS_SYNC_REFRESH_TOKEN")}}
		dest, err = salesforce.New(ctx, opts.ClientConfig(), nil)
	} else {
		opts := extractzoho.CRM()
		opts.AccountsURL, opts.APIDomain, opts.Limits = env("REVOPS_SYNC_URL"), env("REVOPS_SYNC_URL"), limits
		opts.ClientID, opts.ClientSecret, opts.RefreshToken = env("REVOPS_SYNC_CLIENT_ID"), env("REVOPS_SYNC_CLIENT_SECRET"), env("REVOPS_SYNC_REFRESH_TOKEN")
		dest, err = zoho.New(ctx, opts.ClientConfig("zoho_crm", nil), nil)
	}
	if err != nil {
		fail(err)
		return
	}
	n, _ := strconv.Atoi(env("REVOPS_SYNC_PAUSE_AFTER"))
	ops := map[revsync.Op]bool{revsync.OpInsert: true, revsync.OpUpsert: true}
	if o := env("REVOPS_SYNC_PAUSE_OPS"); o != "" {
		ops = map[revsync.Op]bool{}
		for _, op := range strings.Split(o, ",") {
			ops[revsync.Op(op)] = true
		}
	}
	spec := idemSpecFor(system, revsync.Mode(env("REVOPS_SYNC_MODE")), env("REVOPS_SYNC_MATCH"), env("REVOPS_SYNC_CREATE_KEY"))
	pause := &pauseAfter{Destination: dest, n: n, ops: ops, before: env("REVOPS_SYNC_PAUSE_WHEN") == "before"}
	_, err = (&revsync.Runner{Warehouse: w}).Run(ctx, spec, pause, revsync.Options{})
	fmt.Println("the run returned:", err)
}

// TestKilledBetweenCreateAndAnswer: kill -9 stops a sync after the
// destination answered its second create call and before the answer is
// recorded. The next process marks the run killed, with counts that
// match what it recorded (the first batch), and the next run finds the
// second batch at the destination (counted as recovered) instead of
// creating it again: every row's record exists once, counted through the
// emulator's API, and the history accounts for every record created.
func TestKilledBetweenCreateAndAnswer(t *testing.T) {
	cases := []struct {
		system, match string
		mode          revsync.Mode
		rows          int
	}{
		{"salesforce", "external_id", revsync.ModeUpsert, 450},
		{"salesforce", "create_key", revsync.ModeInsert, 450},
		{"salesforce", "external_id", revsync.ModeMirror, 450},
		{"zoho_crm", "duplicate_check", revsync.ModeUpsert, 250},
		{"zoho_crm", "duplicate_check", revsync.ModeInsert, 250},
		{"zoho_crm", "create_key", revsync.ModeMirror, 250},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", c.system, c.mode, c.match), func(t *testing.T) {
			ctx := context.Background()
			var s *side
			if c.system == "salesforce" {
				s = sfSide(t)
			} else {
				s = zohoSide(t)
			}
			s.idemModel(t, c.rows)
			spec := s.idemSpec(t, c.mode, c.match)
			sent := c.rows - c.rows/25 // rows with a match value
			if c.match == "create_key" {
				sent = c.rows
			}
			path := s.w.Path()
			pid := s.syncUntilKilled(t, spec, "answered ", "REVOPS_SYNC_PAUSE_AFTER=2")

			batch := s.maxBatch
			if got := len(s.names(t)); got != 2*batch {
				t.Fatalf("%d records after the kill, want %d (two batches written)", got, 2*batch)
			}
			w, err := duckdb.Open(ctx, duckdb.Options{Path: path})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.Close() })
			runner := &revsync.Runner{Warehouse: w}
			// Not exclusive: the helper's pid is checked, and it is gone.
			reaped, err := revsync.ReapRuns(ctx, w, false)
			if err != nil || len(reaped) != 1 {
				t.Fatalf("reaped %+v, %v: want the helper's run", reaped, err)
			}
			k := reaped[0]
			if k.Status != load.RunKilled || !strings.Contains(k.Error, fmt.Sprintf("process %d", pid)) ||
				!strings.Contains(k.Error, fmt.Sprintf("%d writes it sent have an unknown outcome", batch)) {
				t.Errorf("killed run: %s %q", k.Status, k.Error)
			}
			snaps := rowsOf(t, w, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'idem'`)[0][0]
			if k.Succeeded != int64(batch) || snaps != int64(batch) || k.Planned != int64(sent) {
				t.Errorf("killed run counts %+v, %v snapshots: want %d succeeded = snapshots, %d planned", k.Counts, snaps, batch, sent)
			}
			if again, _ := revsync.ReapRuns(ctx, w, true); len(again) != 0 {
				t.Errorf("reaped twice: %+v", again)
			}

			rep, err := runner.Run(ctx, spec, s.dest, revsync.Options{})
			if err != nil || rep.Recovered != int64(batch) || rep.Succeeded != int64(sent-2*batch) {
				t.Fatalf("next run: %v %+v, want %d recovered and %d sent", err, rep.Counts, batch, sent-2*batch)
			}
			s.checkOnce(t, sent)
			runs, err := revsync.History(ctx, w, []string{"idem"}, 0)
			if err != nil || len(runs) != 2 {
				t.Fatalf("history %+v %v", runs, err)
			}
			var accounted int64
			for _, r := range runs {
				accounted += r.Succeeded + r.Recovered
			}
			if accounted != int64(sent) {
				t.Errorf("history accounts for %d records written, the destination holds %d", accounted, sent)
			}
		})
	}
}

// syncUntilKilled closes the side's warehouse and runs spec in a helper
// process (env: its REVOPS_SYNC_PAUSE_* settings) until it prints a line
// starting with say (the pause), then kills it with SIGKILL and returns
// its pid.
func (s *side) syncUntilKilled(t *testing.T, spec *revsync.Spec, say string, env ...string) int {
	t.Helper()
	if err := s.w.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), s.login...)
	cmd.Env = append(cmd.Env, helperEnv+"=sync-until-killed", "REVOPS_SYNC_DB="+s.w.Path(), "REVOPS_SYNC_SYSTEM="+s.system,
		"REVOPS_SYNC_MODE="+string(spec.Mode), "REVOPS_SYNC_MATCH="+matchName(spec), "REVOPS_SYNC_CREATE_KEY="+spec.Match.CreateKey)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, say) || strings.HasPrefix(say, "answered") && !strings.HasSuffix(line, " <nil>\n") {
		t.Fatalf("helper said %q (%v)", line, err)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred function runs
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return cmd.Process.Pid
}

// matchName is the match of an idemSpec, as idemSpecFor takes it.
func matchName(spec *revsync.Spec) string {
	if spec.Match.CreateKey != "" {
		return "create_key"
	}
	return spec.Match.By
}

// TestKilledAroundAWriteToKnownRecords: rows written once change, and a
// sync sending the changes is killed at its second write call: before
// the call is sent (the records keep the old values; finding them says
// nothing of the write), or after its answer and before recording it,
// and then the model goes back to the old values (equal to the
// snapshot). The next run leaves every record with the model's values:
// nothing is recorded as written that was not, and no update is lost.
func TestKilledAroundAWriteToKnownRecords(t *testing.T) {
	cases := []struct {
		system, match string
		mode          revsync.Mode
		rows          int
	}{
		{"salesforce", "external_id", revsync.ModeUpsert, 450},
		{"salesforce", "create_key", revsync.ModeMirror, 450},
		{"zoho_crm", "duplicate_check", revsync.ModeMirror, 250},
		{"zoho_crm", "duplicate_check", revsync.ModeUpdate, 250},
	}
	for _, c := range cases {
		for _, when := range []string{"before", "after"} {
			t.Run(fmt.Sprintf("%s/%s/%s/%s", c.system, c.mode, c.match, when), func(t *testing.T) {
				ctx := context.Background()
				s := sfSide(t)
				if c.system == "zoho_crm" {
					s = zohoSide(t)
				}
				s.idemModel(t, c.rows)
				spec := s.idemSpec(t, c.mode, c.match)
				byID := c.match == "create_key"
				first, op := spec, revsync.OpUpsert
				if c.mode == revsync.ModeUpdate {
					first = idemSpecFor(s.system, revsync.ModeUpsert, c.match, spec.Match.CreateKey)
				}
				if byID || c.mode == revsync.ModeUpdate {
					op = revsync.OpUpdate
				}
				if _, err := s.runner.Run(ctx, first, s.dest, revsync.Options{}); err != nil {
					t.Fatal(err)
				}
				if first != spec {
					// The update sync writes them once (its snapshot).
					if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil {
						t.Fatal(err)
					}
				}
				s.exec(t, `UPDATE syncs.idem SET company = 'Two ' || company`)

				path := s.w.Path()
				say := map[string]string{"before": "sending ", "after": "answered "}[when]
				s.syncUntilKilled(t, spec, say, "REVOPS_SYNC_PAUSE_AFTER=2", "REVOPS_SYNC_PAUSE_OPS="+string(op), "REVOPS_SYNC_PAUSE_WHEN="+when)
				w, err := duckdb.Open(ctx, duckdb.Options{Path: path})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { w.Close() })
				s.w, s.runner = w, &revsync.Runner{Warehouse: w}
				s.exec = func(t *testing.T, q string) {
					if err := w.Exec(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				reaped, err := revsync.ReapRuns(ctx, w, false)
				if err != nil || len(reaped) != 1 {
					t.Fatalf("reaped %+v, %v: want the helper's run", reaped, err)
				}
				if k := reaped[0]; k.Succeeded != int64(s.maxBatch) || !strings.Contains(k.Error, fmt.Sprintf("%d writes it sent have an unknown outcome", s.maxBatch)) {
					t.Errorf("killed run: %+v %q: want %d written and %d unknown", k.Counts, k.Error, s.maxBatch, s.maxBatch)
				}
				if when == "after" {
					s.exec(t, `UPDATE syncs.idem SET company = substr(company, 5)`)
				}
				rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{})
				if err != nil {
					t.Fatalf("next run: %v", err)
				}
				// The batch written before the kill is found written (and
				// sent again, the model having gone back); the batch never
				// sent is not.
				wantRec := map[string]int64{"before": 0, "after": int64(s.maxBatch)}[when]
				if rep.Recovered != wantRec {
					t.Errorf("next run recovered %d, want %d", rep.Recovered, wantRec)
				}
				s.checkValues(t, byID)
				if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Planned != 0 {
					t.Errorf("last run: %v %+v", err, rep.Counts)
				}
				s.onlyMissingMatchValues(t)
			})
		}
	}
}

func rowsOf(t *testing.T, w *duckdb.Warehouse, q string) [][]any {
	t.Helper()
	e := &env{w: w}
	return e.rows(t, q)
}

// TestReapRunsLeavesLiveRuns: only runs whose process is certainly gone
// are marked killed; this process's runs, and with a shared warehouse
// runs of other hosts or without a recorded process, stay running.
func TestReapRunsLeavesLiveRuns(t *testing.T) {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := revsync.EnsureState(ctx, w); err != nil {
		t.Fatal(err)
	}
	for id, proc := range map[string]any{"mine": load.Self().String(), "old": nil, "elsewhere": "other-host:4242:abc"} {
		if err := w.Exec(ctx, `INSERT INTO _revops.sync_runs (id, sync, kind, started_at, status, process) VALUES (?, 's', 'run', now(), 'running', ?)`, id, proc); err != nil {
			t.Fatal(err)
		}
	}
	status := func() map[string]string {
		out := map[string]string{}
		for _, r := range rowsOf(t, w, `SELECT id, status FROM _revops.sync_runs`) {
			out[r[0].(string)] = r[1].(string)
		}
		return out
	}
	if got, err := revsync.ReapRuns(ctx, w, false); err != nil || len(got) != 0 {
		t.Fatalf("shared warehouse: reaped %+v %v", got, err)
	}
	got, err := revsync.ReapRuns(ctx, w, true)
	if err != nil || len(got) != 2 {
		t.Fatalf("exclusive warehouse: reaped %+v %v", got, err)
	}
	if s := status(); s["mine"] != load.RunRunning || s["old"] != load.RunKilled || s["elsewhere"] != load.RunKilled {
		t.Errorf("statuses %v", s)
	}
}
