package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is revops running as a child process (the test binary, see
// TestMain), its output (stdout and stderr together) read as it comes.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	code int
}

func startProc(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(os.Args[0], args...), done: make(chan struct{})}
	p.cmd.Env = append(append(os.Environ(), "REVOPS_TEST_CHILD=1"), env...)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := pr.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				break
			}
		}
		err := p.cmd.Wait()
		p.code = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the output matches re and returns the match.
func (p *proc) waitFor(re string, timeout time.Duration) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(p.output()); m != nil {
			return m
		}
		select {
		case <-p.done:
			if m := rx.FindStringSubmatch(p.output()); m != nil {
				return m
			}
			p.t.Fatalf("revops exited (%d) before printing %q:\n%s", p.code, re, p.output())
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.t.Fatalf("no %q within %s:\n%s", re, timeout, p.output())
	return nil
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		p.t.Fatalf("revops still running after %s:\n%s", timeout, p.output())
		return -1
	}
}

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// TestScheduleBadInput: schedules that cannot work are refused before
// anything runs, naming the flag and the value (exit 2).
func TestScheduleBadInput(t *testing.T) {
	dir := t.TempDir()
	if code, _, _ := revops(t, nil, "init", dir); code != 0 {
		t.Fatal("init failed")
	}
	cfg := filepath.Join(dir, "revops.yaml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--cron", "*/15 * * *"}, `--cron "*/15 * * *": not a cron expression`},
		{[]string{"--cron", "99 * * * *"}, `--cron "99 * * * *"`},
		{[]string{"--every", "fortnightly"}, `--every "fortnightly": not a duration`},
		{[]string{"--every", "100ms"}, "at least 1s"},
		{[]string{"--every", "1m", "--cron", "* * * * *"}, "not both"},
		{[]string{"--max-runs", "2"}, "--max-runs needs --every or --cron"},
		{[]string{"--metrics-addr", "127.0.0.1:0"}, "--metrics-addr needs --every or --cron"},
	} {
		code, out, errOut := revops(t, nil, append([]string{"run", "-c", cfg}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("run %v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
		if out != "" {
			t.Errorf("run %v printed %q", c.args, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "revops.duckdb")); err == nil {
		t.Error("a refused schedule opened the warehouse")
	}
}

// TestRunRefusesLockedWarehouse: a live revops holding the warehouse's
// lock makes another revops run refuse at once, naming its pid; once
// that process is gone its lock is taken over and the run says so.
func TestRunRefusesLockedWarehouse(t *testing.T) {
	dir := t.TempDir()
	if code, _, _ := revops(t, nil, "init", dir); code != 0 {
		t.Fatal("init failed")
	}
	cfg := filepath.Join(dir, "revops.yaml")
	lock := filepath.Join(dir, "revops.duckdb.lock")
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() })
	host, _ := os.Hostname()
	body := fmt.Sprintf(`{"pid":%d,"host":%q,"token":"x","started_at":"2026-01-02T03:04:05Z","command":"revops run (every 15m0s)"}`,
		sleeper.Process.Pid, host)
	if err := os.WriteFile(lock, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := revops(t, nil, "run", "-c", cfg)
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("pid %d", sleeper.Process.Pid)) || !strings.Contains(errOut, "still running") {
		t.Fatalf("run over a live lock: exit %d, stderr %q; want 1 naming pid %d", code, errOut, sleeper.Process.Pid)
	}
	if data, _ := os.ReadFile(lock); string(data) != body {
		t.Fatalf("the live holder's lock was changed: %s", data)
	}
	_ = sleeper.Process.Kill()
	_ = sleeper.Wait()
	// The starter config has no enabled source: the run fails at its
	// extract (exit 2), after taking the stale lock over and saying so.
	code, _, errOut = revops(t, nil, "run", "-c", cfg)
	if !strings.Contains(errOut, "recovered from a killed run") || !strings.Contains(errOut, fmt.Sprintf("pid %d", sleeper.Process.Pid)) {
		t.Fatalf("run over a dead holder's lock: exit %d, stderr %q; want the recovery said", code, errOut)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("the lock is left after the run: %v", err)
	}
}

// TestScheduleEveryNeverOverlaps: --every 2s with runs that take longer
// than 2s: the ticks during a run are skipped and logged, two runs never
// overlap, --max-runs 2 ends the process, each run printed its summary
// and is recorded with the schedule as its trigger.
func TestScheduleEveryNeverOverlaps(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	start := time.Now()
	code, out, errOut := revops(t, env, "run", "-c", cfg, "--every", "2s", "--max-runs", "2")
	if code != 0 {
		t.Fatalf("run --every: exit %d\n%s%s", code, out, errOut)
	}
	if n := strings.Count(out, " succeeded in "); n != 2 {
		t.Errorf("%d run summaries, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "revops run every 2s") || strings.Contains(out, "== extract") {
		t.Errorf("want the schedule line and the summaries only (stage tables need -v):\n%s", out)
	}
	if !strings.Contains(errOut, "tick skipped") {
		t.Errorf("no skipped tick logged although a run takes longer than 2s (took %s):\n%s", time.Since(start), errOut)
	}
	runs := queryRows(t, cfg, `SELECT id, status, target, epoch(started_at) AS s, epoch(finished_at) AS f FROM _revops.runs WHERE stage = 'run' ORDER BY started_at`)
	if len(runs) != 2 {
		t.Fatalf("runs recorded: %v", runs)
	}
	for _, r := range runs {
		if r["status"] != "succeeded" || r["target"] != "every 2s" {
			t.Errorf("run %v: want succeeded, trigger every 2s", r)
		}
	}
	if runs[1]["s"].(float64) < runs[0]["f"].(float64) {
		t.Errorf("the second run started before the first finished: %v", runs)
	}
	if _, err := os.Stat(filepath.Join(dir, "revops.duckdb.lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}
	// A cron schedule waits for its first tick, then runs.
	code, out, errOut = revops(t, env, "run", "-c", cfg, "--cron", "@every 1s", "--max-runs", "1", "--log-level", "info")
	if code != 0 || strings.Count(out, " succeeded in ") != 1 || !strings.Contains(errOut, "waiting for the next run") {
		t.Fatalf("run --cron: exit %d\n%s%s", code, out, errOut)
	}
	last := queryRows(t, cfg, `SELECT target FROM _revops.runs WHERE stage = 'run' ORDER BY started_at DESC LIMIT 1`)
	if last[0]["target"] != `cron "@every 1s"` {
		t.Errorf("the cron run's trigger: %v", last)
	}
}

// TestScheduleSignals: a first SIGTERM during a run lets the stage in
// flight finish, starts no other stage and exits 0, the run recorded as
// stopped; two signals stop at once (exit 130). Either way the lock is
// released and the next run finds nothing to recover.
func TestScheduleSignals(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	// Zoho answers slowly, so the extract is in flight when the signal comes.
	startSandbox(t, "--records", "100", "--write-config", cfg, "--faults", "slow:delay=200ms:endpoint=/crm/v8/*")
	env := []string{"REVOPS_CACHE_DIR=" + t.TempDir()}

	p := startProc(t, env, "run", "-c", cfg, "--every", "1h", "--log-level", "info")
	p.waitFor(`msg=extracted source=salesforce`, 60*time.Second)
	p.signal(syscall.SIGTERM)
	if code := p.wait(90 * time.Second); code != 0 {
		t.Fatalf("after one SIGTERM: exit %d, want 0\n%s", code, p.output())
	}
	out := p.output()
	if !strings.Contains(out, "stopped after 1 runs") {
		t.Errorf("want the run stopped after its extract:\n%s", out)
	}
	rows := queryRows(t, cfg, `SELECT status, detail FROM _revops.runs WHERE stage = 'run'`)
	if len(rows) != 1 || rows[0]["status"] != "stopped" {
		t.Fatalf("run rows %v, want one stopped", rows)
	}
	for _, want := range []string{`"stage":"extract","status":"succeeded"`, `"stage":"build","status":"stopped"`, `"stage":"links","status":"stopped"`} {
		if !strings.Contains(rows[0]["detail"].(string), want) {
			t.Errorf("summary lacks %s: %s", want, rows[0]["detail"])
		}
	}
	if n := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.runs WHERE stage = 'build'`)[0]["n"]; n != float64(0) {
		t.Errorf("%v models built after the signal", n)
	}
	if n := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.runs WHERE stage = 'extract' AND status <> 'succeeded'`)[0]["n"]; n != float64(0) {
		t.Errorf("%v extracts did not finish: the stage in flight should have", n)
	}

	p = startProc(t, env, "run", "-c", cfg, "--every", "1h", "--full-refresh", "--log-level", "info")
	p.waitFor(`msg=extracted source=salesforce`, 60*time.Second)
	p.signal(syscall.SIGTERM)
	time.Sleep(100 * time.Millisecond)
	p.signal(syscall.SIGTERM)
	stopped := time.Now()
	if code := p.wait(30 * time.Second); code != 130 {
		t.Fatalf("after two signals: exit %d, want 130\n%s", code, p.output())
	}
	if d := time.Since(stopped); d > 10*time.Second {
		t.Errorf("two signals took %s to stop", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "revops.duckdb.lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}
	if n := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.runs WHERE status = 'running'`)[0]["n"]; n != float64(0) {
		t.Errorf("%v runs left running", n)
	}
}

// TestKilledRunRecovers: a revops run killed with SIGKILL in its extract
// leaves its lock and its runs `running`; the next run takes the lock
// over, marks the killed run and its stage runs killed (its extracts
// carry its id), says so, and history shows the killed run's stages.
func TestKilledRunRecovers(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg, "--faults", "slow:delay=200ms:endpoint=/crm/v8/*")
	cache := t.TempDir()
	p := startProc(t, []string{"REVOPS_CACHE_DIR=" + cache}, "run", "-c", cfg, "--log-level", "info")
	p.waitFor(`msg=extracted source=salesforce`, 60*time.Second)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(10 * time.Second)
	pid := p.cmd.Process.Pid
	if _, err := os.Stat(filepath.Join(dir, "revops.duckdb.lock")); err != nil {
		t.Fatalf("the killed run left no lock: %v", err)
	}

	code, out, errOut := revops(t, map[string]string{"REVOPS_CACHE_DIR": cache}, "run", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("run after the kill: exit %d\n%s", code, errOut)
	}
	run := oneJSON(t, out)["run"].(map[string]any)
	notes := map[string]map[string]any{}
	for _, n := range run["recovered"].([]any) {
		m := n.(map[string]any)
		notes[m["what"].(string)] = m
	}
	if l := notes["lock"]; l == nil || l["pid"] != float64(pid) || !strings.Contains(l["detail"].(string), fmt.Sprintf("pid %d", pid)) {
		t.Errorf("recovered lock: %v; want the killed pid %d", l, pid)
	}
	killed := notes["run"]
	if killed == nil || killed["pid"] != float64(pid) || !strings.Contains(killed["detail"].(string), "was killed") ||
		!strings.Contains(killed["detail"].(string), "extract stage") {
		t.Fatalf("recovered run: %v (notes %v)", killed, notes)
	}
	if !strings.Contains(errOut, "recovered from a killed run") {
		t.Errorf("the recovery was not logged:\n%s", errOut)
	}
	kid := killed["run_id"].(string)
	r := queryRows(t, cfg, `SELECT status, error FROM _revops.runs WHERE id = '`+kid+`' AND stage = 'run'`)
	if len(r) != 1 || r[0]["status"] != "killed" {
		t.Fatalf("the killed run's row: %v", r)
	}
	r = queryRows(t, cfg, `SELECT count(*) AS n, count(*) FILTER (WHERE status = 'running') AS running FROM _revops.runs
		WHERE parent_id = '`+kid+`' AND stage = 'extract'`)
	if r[0]["n"].(float64) == 0 || r[0]["running"] != float64(0) {
		t.Errorf("the killed run's extracts: %v; want them carrying its id, none left running", r)
	}
	code, out, _ = revops(t, nil, "history", "-c", cfg, "--json")
	if code != 0 {
		t.Errorf("history: exit %d (the newest run succeeded)", code)
	}
	runs := oneJSON(t, out)["runs"].([]any)
	if len(runs) != 2 {
		t.Fatalf("history: %v", runs)
	}
	k := runs[1].(map[string]any)
	ex := k["stages"].([]any)[0].(map[string]any)
	if k["run_id"] != kid || k["status"] != "killed" || k["derived"] != true || ex["stage"] != "extract" || ex["rows"].(float64) == 0 {
		t.Errorf("history of the killed run: %v", k)
	}
	if st := k["stages"].([]any)[1].(map[string]any); st["status"] != "not_run" {
		t.Errorf("the killed run's build: %v, want not_run", st)
	}
}
