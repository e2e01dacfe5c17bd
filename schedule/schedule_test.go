package schedule

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestScheduleParse(t *testing.T) {
	cases := []struct {
		every, cron string
		want        string // in the error; "" = ok
		next        time.Duration
	}{
		{every: "15m", next: 15 * time.Minute},
		{every: "2s", next: 2 * time.Second},
		{cron: "*/15 * * * *"},
		{cron: "@hourly"},
		{cron: "@every 10m"},
		{every: "15", want: `--every "15": not a duration`},
		{every: "10ms", want: "at least 1s"},
		{cron: "*/15 * * *", want: `--cron "*/15 * * *"`},
		{cron: "61 * * * *", want: `--cron "61 * * * *"`},
		{cron: "every monday", want: `--cron "every monday"`},
		{every: "1m", cron: "* * * * *", want: "not both"},
		{want: "no schedule"},
	}
	base := time.Date(2026, 3, 1, 10, 7, 30, 0, time.UTC)
	for _, c := range cases {
		s, err := Parse(c.every, c.cron)
		if c.want != "" {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Parse(%q, %q) = %v, want an error containing %q", c.every, c.cron, err, c.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q, %q): %v", c.every, c.cron, err)
			continue
		}
		n := s.Next(base)
		if c.next > 0 && n.Sub(base) != c.next {
			t.Errorf("%s: next after %s is %s", s, base, n)
		}
		if c.cron == "*/15 * * * *" && !n.Equal(time.Date(2026, 3, 1, 10, 15, 0, 0, time.UTC).In(n.Location())) {
			t.Errorf("%s: next after %s is %s, want 10:15", s, base, n)
		}
	}
}

// TestScheduleLoopNeverOverlaps: ticks every 40ms, runs of 110ms: the
// ticks that come during a run are skipped and reported, runs never
// overlap, and MaxRuns ends the loop.
func TestScheduleLoopNeverOverlaps(t *testing.T) {
	var mu sync.Mutex
	var inFlight, maxInFlight int
	var spans [][2]time.Time
	var skipped []time.Time
	l := &Loop{
		Schedule:  Every(40 * time.Millisecond),
		Immediate: true,
		MaxRuns:   3,
		Run: func(tick time.Time) {
			mu.Lock()
			inFlight++
			maxInFlight = max(maxInFlight, inFlight)
			mu.Unlock()
			start := time.Now()
			time.Sleep(110 * time.Millisecond)
			mu.Lock()
			inFlight--
			spans = append(spans, [2]time.Time{start, time.Now()})
			mu.Unlock()
		},
		Skipped: func(tick, since time.Time) {
			mu.Lock()
			skipped = append(skipped, tick)
			mu.Unlock()
		},
	}
	n := l.Serve(make(chan struct{}))
	if n != 3 || len(spans) != 3 {
		t.Fatalf("%d runs finished (%d recorded), want 3", n, len(spans))
	}
	if maxInFlight != 1 {
		t.Errorf("%d runs in flight at once", maxInFlight)
	}
	for i := 1; i < len(spans); i++ {
		if spans[i][0].Before(spans[i-1][1]) {
			t.Errorf("run %d started before run %d ended", i+1, i)
		}
	}
	if len(skipped) < 3 {
		t.Errorf("%d ticks skipped, want at least 3 (two per 110ms run at 40ms ticks)", len(skipped))
	}
}

// TestScheduleLoopStop: closing stop while a run is in flight waits for
// it and starts no other; closing it while idle returns at once.
func TestScheduleLoopStop(t *testing.T) {
	stop := make(chan struct{})
	var runs int
	var mu sync.Mutex
	l := &Loop{
		Schedule:  Every(30 * time.Millisecond),
		Immediate: true,
		Run: func(time.Time) {
			mu.Lock()
			runs++
			first := runs == 1
			mu.Unlock()
			if first {
				close(stop)
			}
			time.Sleep(80 * time.Millisecond)
		},
	}
	if n := l.Serve(stop); n != 1 || runs != 1 {
		t.Fatalf("%d runs finished, %d started; want the one in flight only", n, runs)
	}
	idle := make(chan struct{})
	waiting := make(chan time.Time, 1)
	l = &Loop{Schedule: Every(time.Hour), Run: func(time.Time) { t.Error("ran") },
		Waiting: func(next time.Time) { waiting <- next }}
	go func() { <-waiting; close(idle) }()
	start := time.Now()
	if n := l.Serve(idle); n != 0 || time.Since(start) > 5*time.Second {
		t.Fatalf("idle loop: %d runs, returned after %s", n, time.Since(start))
	}
}

func me(token string) Holder {
	host, _ := os.Hostname()
	return Holder{PID: os.Getpid(), Host: host, Token: token, Command: "revops run"}
}

func TestScheduleLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wh.duckdb.lock")
	l, stale, err := Acquire(path, me("a"))
	if err != nil || stale != nil {
		t.Fatalf("first acquire: %v %v", err, stale)
	}
	var h Holder
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &h); err != nil || h.PID != os.Getpid() || h.Host == "" || h.StartedAt.IsZero() {
		t.Fatalf("lock file %s: %v", data, err)
	}
	if _, _, err := Acquire(path, me("a")); err == nil || !strings.Contains(err.Error(), "already held by this process") {
		t.Fatalf("second acquire by the same process: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("lock file left after release: %v", err)
	}

	// A live process (a child sleeping) holds it: refused, naming the pid.
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() })
	live := me("other")
	live.PID = sleeper.Process.Pid
	writeLock(t, path, live)
	_, _, err = Acquire(path, me("b"))
	var le *LockedError
	if !errors.As(err, &le) || le.Holder.PID != live.PID || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("acquire over a live holder: %v", err)
	}

	// The same process dies: its lock is stale and is taken over.
	_ = sleeper.Process.Kill()
	_ = sleeper.Wait()
	l, stale, err = Acquire(path, me("b"))
	if err != nil || stale == nil || stale.PID != live.PID {
		t.Fatalf("acquire over a dead holder: %v, stale %v", err, stale)
	}
	_ = l.Release()

	// Our own pid with another token: an earlier process whose pid we got.
	writeLock(t, path, me("earlier"))
	if l, stale, err = Acquire(path, me("b")); err != nil || stale == nil || stale.Token != "earlier" {
		t.Fatalf("acquire over our pid's earlier holder: %v %v", err, stale)
	}
	_ = l.Release()

	// Another host: refused, saying it cannot tell.
	far := me("far")
	far.Host = "some-other-host"
	writeLock(t, path, far)
	if _, _, err = Acquire(path, me("b")); !errors.As(err, &le) || !le.OtherHost || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("acquire over another host's lock: %v", err)
	}
}

func writeLock(t *testing.T, path string, h Holder) {
	t.Helper()
	h.StartedAt = time.Now().UTC()
	data, _ := json.Marshal(h)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
