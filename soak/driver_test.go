package soak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one revops process the soak ran.
type proc struct {
	idx    int
	stage  string // extract, sync, run; converge-extract, converge-build, converge-sync; reference-run, …
	args   []string
	plan   string // the kill plan
	start  time.Time
	end    time.Time
	exit   int
	killed bool   // ended by SIGKILL
	reason string // which kill moment
	hung   bool   // killed by the watchdog
	stdout []byte
	log    string // file with its stdout and stderr
	faults map[int]int64
}

func (p *proc) String() string {
	s := fmt.Sprintf("process %d (revops %s, %s)", p.idx, strings.Join(p.args, " "), p.end.Sub(p.start).Round(time.Millisecond))
	if p.killed {
		s += " killed " + p.reason
	} else {
		s += fmt.Sprintf(" exit %d", p.exit)
	}
	return s
}

// driver runs revops processes one at a time against a world.
type driver struct {
	t       *testing.T
	w       *world
	bin     string
	env     []string
	logDir  string
	timeout time.Duration
	procs   []*proc
	rnd     *rand.Rand
}

func newDriver(t *testing.T, w *world, bin string, seed int64, timeout time.Duration) *driver {
	d := &driver{t: t, w: w, bin: bin, logDir: filepath.Join(w.dir, "logs"), timeout: timeout,
		rnd: rand.New(rand.NewPCG(uint64(seed), 0x6b696c6c))}
	if err := os.MkdirAll(d.logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "REVOPS_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_CACHE_HOME=") {
			continue
		}
		d.env = append(d.env, kv)
	}
	d.env = append(d.env, "HOME="+w.dir, "REVOPS_CACHE_DIR="+filepath.Join(w.dir, "cache"), "NO_COLOR=1")
	return d
}

// run starts `revops args... -c revops.yaml`, arms the kill plan (a tap
// trigger, or a delay), and waits for the process to end.
func (d *driver) run(stage string, args []string, trig *trigger, delay time.Duration, plan string) *proc {
	p := &proc{idx: len(d.procs), stage: stage, args: args, plan: plan}
	d.procs = append(d.procs, p)
	cmd := exec.Command(d.bin, append(append([]string{}, args...), "-c", d.w.cfgPath())...)
	cmd.Env = d.env
	cmd.Dir = d.w.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	var mu sync.Mutex
	started := false
	kill := func(reason string) {
		mu.Lock()
		defer mu.Unlock()
		if !started {
			return
		}
		if p.reason == "" {
			p.reason = reason
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	before := faultCounts(d.w.counters.Snapshot())
	d.w.rec.start(p.idx, trig, kill)
	p.start = time.Now()
	mu.Lock()
	err := cmd.Start()
	started = err == nil
	mu.Unlock()
	if err != nil {
		d.w.rec.stop()
		d.t.Fatalf("start revops: %v", err)
	}
	var timers []*time.Timer
	if delay > 0 {
		timers = append(timers, time.AfterFunc(delay, func() { kill(plan) }))
	}
	timers = append(timers, time.AfterFunc(d.timeout, func() {
		mu.Lock()
		p.hung = true
		mu.Unlock()
		kill(fmt.Sprintf("by the watchdog: still running after %s", d.timeout))
	}))
	_ = cmd.Wait()
	for _, tm := range timers {
		tm.Stop()
	}
	p.end = time.Now()
	d.w.rec.stop()
	mu.Lock()
	started = false
	mu.Unlock()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		p.killed = true
		p.exit = -1
	} else {
		p.exit = cmd.ProcessState.ExitCode()
		p.reason = ""
	}
	after := faultCounts(d.w.counters.Snapshot())
	p.faults = map[int]int64{}
	for k, v := range after {
		p.faults[k] = v - before[k]
	}
	p.stdout = stdout.Bytes()
	p.log = filepath.Join(d.logDir, fmt.Sprintf("%03d-%s.log", p.idx, stage))
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nplan: %s\n--- stdout\n%s\n--- stderr\n%s", p, plan, stdout.Bytes(), stderr.Bytes())
	_ = os.WriteFile(p.log, b.Bytes(), 0o644)
	if p.hung {
		d.t.Errorf("%s: hung (see %s)", p, p.log)
	}
	return p
}

// tail returns the last lines of a process's log, for failure messages.
func (p *proc) tail(n int) string {
	data, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// query runs `revops query --json SQL` and returns its rows. It is never
// killed and runs with no other revops process.
func (d *driver) query(sql string) ([]map[string]any, error) {
	cmd := exec.Command(d.bin, "query", "--json", "-c", d.w.cfgPath(), sql)
	cmd.Env = d.env
	cmd.Dir = d.w.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var res struct {
		OK    bool             `json:"ok"`
		Rows  []map[string]any `json:"rows"`
		Error any              `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	dec.UseNumber()
	if derr := dec.Decode(&res); derr != nil || (err != nil && !res.OK) {
		return nil, fmt.Errorf("revops query %q: %v %v: %s %s", sql, err, derr, stdout.Bytes(), stderr.Bytes())
	}
	if !res.OK {
		return nil, fmt.Errorf("revops query %q: %v", sql, res.Error)
	}
	return res.Rows, nil
}

// mustQuery is query that fails the test on error.
func (d *driver) mustQuery(sql string) []map[string]any {
	d.t.Helper()
	rows, err := d.query(sql)
	if err != nil {
		d.t.Fatal(err)
	}
	return rows
}

// landed reports, per landed table, which of the ids the warehouse holds
// (a table not landed yet holds none). One query asks for every table;
// when one of them does not exist yet, each is asked on its own.
func (d *driver) landed(ids map[string][]string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	part := func(table string, list []string) string {
		col := "id"
		if strings.HasPrefix(table, "salesforce.") {
			col = "Id"
		}
		return fmt.Sprintf("SELECT '%s' AS t, %s AS id FROM %s WHERE %s IN ('%s')", table, col, table, col, strings.Join(list, "','"))
	}
	var parts []string
	for table, list := range ids {
		out[table] = map[string]bool{}
		if len(list) > 0 {
			parts = append(parts, part(table, list))
		}
	}
	if len(parts) == 0 {
		return out, nil
	}
	add := func(rows []map[string]any) {
		for _, r := range rows {
			out[fmt.Sprint(r["t"])][fmt.Sprint(r["id"])] = true
		}
	}
	rows, err := d.query(strings.Join(parts, " UNION ALL "))
	if err == nil {
		add(rows)
		return out, nil
	}
	if !strings.Contains(err.Error(), "does not exist") {
		return nil, err
	}
	for table, list := range ids {
		if len(list) == 0 {
			continue
		}
		rows, err := d.query(part(table, list))
		if err != nil {
			if strings.Contains(err.Error(), "does not exist") {
				continue
			}
			return nil, err
		}
		add(rows)
	}
	return out, nil
}

// extractChanges sums what an `extract --json` run landed: rows inserted,
// updated and deleted, over every object (-1 when the output is not
// understood).
func extractChanges(out []byte) int64 {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return -1
	}
	objs, ok := doc["objects"].([]any)
	if !ok {
		return -1
	}
	var n int64
	for _, o := range objs {
		m, _ := o.(map[string]any)
		for _, k := range []string{"inserted", "updated", "deleted"} {
			if v, ok := m[k].(json.Number); ok {
				x, _ := v.Int64()
				n += x
			}
		}
	}
	return n
}

// countsOf sums the tap's request counts over processes.
func (d *driver) countsOf(keep func(*proc) bool) procCounts {
	var tot procCounts
	tot.bySystem = map[string]int{}
	for _, p := range d.procs {
		if !keep(p) {
			continue
		}
		c := d.w.rec.counts(p.idx)
		tot.requests += c.requests
		tot.reads += c.reads
		tot.writes += c.writes
		tot.drops += c.drops
		for k, v := range c.bySystem {
			tot.bySystem[k] += v
		}
	}
	return tot
}
