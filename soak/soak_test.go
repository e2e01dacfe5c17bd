package soak

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The stages the soak kills.
var stages = []string{"extract", "sync", "run"}

// Kill plans.
const (
	planFirstRead = "first-read" // during the first full read: at the n-th page read
	planRead      = "read"       // at the n-th page read
	planWrite     = "write"      // right after the n-th write was answered
	planBulk      = "bulk"       // right after a Bulk API 2.0 ingest step (create, upload, close) was answered
	planDelay     = "delay"      // after a seeded random delay
	planNone      = "none"
)

// soakRun is one soak: the killing phase, the converge phase, the checks.
type soakRun struct {
	t   *testing.T
	set settings
	w   *world
	d   *driver
	mut *mutator

	kills       map[string]map[string]int
	firstDone   bool // an extract or run finished without a kill or failure
	bulkDone    bool // a Bulk ingest's results reached revops, or a kill hit a Bulk step
	midSyncDone bool // the first sync was planned to die between two batches of one sync
	estReads    map[string]int
	estWrites   map[string]int
	estDur      map[string]time.Duration
	epochs      int
	killStart   time.Time
	killEnd     time.Time
	convStart   time.Time
	convEnd     time.Time
	convRounds  int
	converged   bool
	firstConv   int // index of the first converge process
}

func TestSoak(t *testing.T) {
	set := soakSettings()
	bin := revopsBinary(t)
	t.Logf("soak: seed %d, %d records per system, full=%v (reproduce with REVOPS_SOAK_SEED=%d)", set.seed, set.records, set.full, set.seed)
	dir := t.TempDir()
	if keep := os.Getenv("REVOPS_SOAK_KEEP"); keep != "" {
		dir = filepath.Join(keep, fmt.Sprintf("soak-%d", set.seed))
		_ = os.RemoveAll(dir)
	}
	ctx := t.Context()

	s := newSoakRun(t, set, bin, filepath.Join(dir, "soak"))
	s.killingPhase(ctx)
	s.convergePhase()
	res := s.check(ctx)

	var ref *refResult
	if set.reference {
		ref = runReference(t, set, bin, filepath.Join(dir, "reference"), s.epochs)
	}
	s.summary(res, ref)
}

func newSoakRun(t *testing.T, set settings, bin, dir string) *soakRun {
	w := newWorld(t, set.seed, set.records, dir)
	factor := w.caseFactor
	s := &soakRun{t: t, set: set, w: w, d: newDriver(t, w, bin, set.seed, set.timeout),
		mut:       newMutator(set.seed, set.records, w.seeded),
		kills:     map[string]map[string]int{},
		estReads:  map[string]int{"extract": max(20, set.records/8), "run": max(20, set.records/8)},
		estWrites: map[string]int{"sync": 20, "run": 20},
		estDur:    map[string]time.Duration{"extract": 2 * time.Second, "sync": 2 * time.Second, "run": 4 * time.Second},
	}
	for _, st := range stages {
		s.kills[st] = map[string]int{}
	}
	t.Logf("soak: world in %s; the Bulk sync makes %d cases of each of %d Zoho contacts", dir, factor, len(w.seeded["zoho.Contacts"]))
	return s
}

// plan picks the kill moment of the next process of stage, from what the
// last process of that stage that ended by itself did (reads, writes,
// time), so that most kills land inside the work.
func (s *soakRun) plan(stage string) (string, *trigger, time.Duration, string) {
	r := s.d.rnd
	readN := func() int { return 1 + r.IntN(max(1, s.estReads[stage]*9/10)) }
	writeN := func() int { return 1 + r.IntN(max(1, s.estWrites[stage]*9/10)) }
	delay := func() (time.Duration, string) {
		d := time.Duration(float64(s.estDur[stage]) * (0.05 + 0.85*r.Float64()))
		return d, fmt.Sprintf("after %s", d.Round(time.Millisecond))
	}
	read := func(kind string) (string, *trigger, time.Duration, string) {
		n := readN()
		label := fmt.Sprintf("at page read %d", n)
		if kind == planFirstRead {
			label = fmt.Sprintf("during the first full read, at page %d", n)
		}
		return kind, &trigger{kind: kindRead, n: n, label: label}, 0, ""
	}
	write := func() (string, *trigger, time.Duration, string) {
		n, flush := writeN(), r.IntN(2) == 0
		return planWrite, &trigger{kind: kindWrite, n: n, flush: flush,
			label: fmt.Sprintf("right after write %d was answered (answer delivered: %v)", n, flush)}, 0, ""
	}
	x := r.Float64()
	firstReadKills := s.kills["extract"][planFirstRead] + s.kills["run"][planFirstRead]
	switch stage {
	case "extract":
		if !s.firstDone {
			if firstReadKills < s.set.firstReadKills {
				return read(planFirstRead)
			}
			return planNone, nil, 0, "" // let the first full read finish
		}
		switch {
		case x < 0.5:
			return read(planRead)
		case x < 0.92:
			d, label := delay()
			return planDelay, nil, d, label
		}
	case "sync":
		if s.firstDone && !s.midSyncDone {
			// The first sync writes every sync's first rows, several
			// batches each: killed right after its second answer, the
			// first sync has written two batches and is still running.
			s.midSyncDone = true
			return planWrite, &trigger{kind: kindWrite, n: 2, flush: true,
				label: "right after write 2 was answered (answer delivered: true), inside the first sync's batches"}, 0, ""
		}
		if s.firstDone && !s.bulkDone {
			return s.bulkPlan()
		}
		switch {
		case x < 0.6:
			return write()
		case x < 0.92:
			d, label := delay()
			return planDelay, nil, d, label
		}
	default: // run: extract, build, sync in one process
		switch {
		case !s.firstDone && firstReadKills < s.set.firstReadKills:
			return read(planFirstRead)
		case !s.firstDone:
			return planNone, nil, 0, ""
		case !s.bulkDone:
			return s.bulkPlan()
		case x < 0.45:
			return write()
		case x < 0.65:
			return read(planRead)
		case x < 0.92:
			d, label := delay()
			return planDelay, nil, d, label
		}
	}
	return planNone, nil, 0, ""
}

// bulkPlan kills right after a step of the Bulk sync's first ingest job
// was answered: the job created, the CSV uploaded, or the job closed (the
// job then writes every row while revops is dead).
func (s *soakRun) bulkPlan() (string, *trigger, time.Duration, string) {
	r := s.d.rnd
	n := 1 + r.IntN(3)
	flush := r.IntN(2) == 0
	step := []string{"", "job created", "CSV uploaded", "job closed"}[n]
	return planBulk, &trigger{kind: kindWrite, op: "bulk-", n: n, flush: flush,
		label: fmt.Sprintf("right after the Bulk ingest step %q was answered (answer delivered: %v)", step, flush)}, 0, ""
}

// quotasMet reports whether the killing phase has killed enough.
func (s *soakRun) quotasMet() bool {
	for _, st := range stages {
		if s.total(st) < s.set.killsPerStage {
			return false
		}
	}
	return s.kills["extract"][planFirstRead]+s.kills["run"][planFirstRead] >= 1 &&
		s.kills["sync"][planWrite]+s.kills["sync"][planBulk] >= s.set.writeKills &&
		s.kills["run"][planWrite] >= s.set.writeKills
}

func (s *soakRun) total(stage string) int {
	n := 0
	for _, v := range s.kills[stage] {
		n += v
	}
	return n
}

// killingPhase changes the world, then runs every stage under faults and
// kills, epoch after epoch, until every stage was killed often enough.
func (s *soakRun) killingPhase(ctx context.Context) {
	t := s.t
	s.killStart = time.Now()
	if err := s.w.faultsOn(s.set.full); err != nil {
		t.Fatal(err)
	}
	for s.epochs < s.set.maxEpochs && (s.epochs < s.set.minEpochs || !s.quotasMet()) {
		s.epochs++
		if s.epochs > 1 {
			if err := s.mut.step(ctx, s.w, s.d.landed); err != nil {
				t.Fatalf("epoch %d: change the world: %v", s.epochs, err)
			}
		}
		order := append([]string(nil), stages...)
		if s.epochs == 1 {
			// The first full read, killed firstReadKills times and then
			// let finish; then the first sync (its Bulk job killed).
			order = nil
			for i := 0; i < s.set.firstReadKills+3; i++ {
				order = append(order, "extract")
			}
			order = append(order, "sync", "sync", "run")
		} else {
			s.d.rnd.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for _, st := range order {
			if s.epochs == 1 && st == "extract" && s.firstDone {
				continue
			}
			kind, trig, delay, label := s.plan(st)
			p := s.d.run(st, []string{st}, trig, delay, label)
			s.after(st, kind, p)
		}
	}
	s.killEnd = time.Now()
	s.w.faultsOff()
	if !s.quotasMet() {
		t.Errorf("killing phase: kill quotas not met after %d epochs: %v (want %d per stage, %d right after a write in sync and run, one during the first full read)",
			s.epochs, s.kills, s.set.killsPerStage, s.set.writeKills)
	}
}

// after books a finished process of the killing phase and refines the
// estimates the kill moments are drawn from.
func (s *soakRun) after(stage, kind string, p *proc) {
	c := s.w.rec.counts(p.idx)
	if p.killed && !p.hung {
		s.kills[stage][kind]++
		if kind == planBulk {
			s.bulkDone = true
		}
	} else {
		// The next kills aim inside what this process did.
		s.estReads[stage] = c.reads
		s.estWrites[stage] = c.writes
		s.estDur[stage] = p.end.Sub(p.start)
		if (stage == "extract" || stage == "run") && p.exit == 0 {
			s.firstDone = true
		}
	}
	for _, ev := range s.w.rec.writesOf(func(q int) bool { return q == p.idx }) {
		if ev.op == "bulk-results" && ev.delivered && ev.ok > 0 {
			s.bulkDone = true
		}
	}
	s.t.Logf("epoch %d: %s [plan %s]: %d requests, %d writes, %d drops, faults %v", s.epochs, p, kind, c.requests, c.writes, c.drops, p.faults)
}

// convergePhase runs extract, build and sync with no faults and no kills
// until a round changes nothing: extract lands no row and sync sends no
// write (both succeeding).
func (s *soakRun) convergePhase() {
	s.convStart = time.Now()
	s.firstConv = len(s.d.procs)
	for round := 1; round <= s.set.rounds; round++ {
		s.convRounds = round
		pe := s.d.run("converge-extract", []string{"extract", "--json"}, nil, 0, "")
		pb := s.d.run("converge-build", []string{"build"}, nil, 0, "")
		ps := s.d.run("converge-sync", []string{"sync", "--json"}, nil, 0, "")
		landed := extractChanges(pe.stdout)
		writes := s.w.rec.counts(ps.idx).writes
		s.t.Logf("converge round %d: extract exit %d landed %d changes; build exit %d; sync exit %d sent %d writes",
			round, pe.exit, landed, pb.exit, ps.exit, writes)
		if pe.exit == 0 && pb.exit == 0 && ps.exit == 0 && landed == 0 && writes == 0 {
			// Zoho lookup names change without Modified_Time (an account
			// renamed): extract sees them on its whole read every
			// formula_refresh. Converged means: after one was due.
			if due := s.killEnd.Add(formulaRefresh); pe.start.Before(due) {
				s.t.Logf("converge round %d changed nothing, but Zoho's next whole read is due at %s: waiting", round, due.Format("15:04:05"))
				time.Sleep(time.Until(due))
				continue
			}
			s.converged = true
			break
		}
	}
	s.convEnd = time.Now()
	if !s.converged {
		var b strings.Builder
		for _, p := range s.d.procs[max(s.firstConv, len(s.d.procs)-3):] {
			fmt.Fprintf(&b, "\n%s\n%s", p, p.tail(15))
		}
		s.t.Errorf("converge: no round of extract, build and sync without faults or kills changed nothing within %d rounds; the last:%s", s.set.rounds, b.String())
	}
}

// summary prints the soak's figures.
func (s *soakRun) summary(res *checkResult, ref *refResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n==== soak summary (seed %d, %d records per system, %d epochs of world changes) ====\n", s.set.seed, s.set.records, s.epochs)
	fmt.Fprintf(&b, "kills (killing phase, %s):\n", s.killEnd.Sub(s.killStart).Round(time.Second))
	for _, st := range stages {
		var parts []string
		keys := make([]string, 0, len(s.kills[st]))
		for k := range s.kills[st] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.kills[st][k]))
		}
		runs := 0
		for _, p := range s.d.procs[:s.firstConv] {
			if p.stage == st {
				runs++
			}
		}
		fmt.Fprintf(&b, "  %-8s %2d of %2d processes killed (%s)\n", st, s.total(st), runs, strings.Join(parts, ", "))
	}
	faults := map[int]int64{}
	drops := 0
	for _, p := range s.d.procs[:s.firstConv] {
		for k, v := range p.faults {
			faults[k] += v
		}
		drops += s.w.rec.counts(p.idx).drops
	}
	killCalls := s.d.countsOf(func(p *proc) bool { return p.idx < s.firstConv })
	nf := faults[429] + faults[500] + faults[503] + faults[401] + int64(drops)
	fmt.Fprintf(&b, "faults injected into revops's %d requests (emulators' counters; drops seen by the tap): 429 %d, 500 %d, 503 %d, expired token (401) %d, dropped connection %d = %.1f%%\n",
		killCalls.requests, faults[429], faults[500], faults[503], faults[401], drops, 100*float64(nf)/float64(max(1, killCalls.requests)))
	all := s.d.countsOf(func(*proc) bool { return true })
	conv := s.d.countsOf(func(p *proc) bool { return p.idx >= s.firstConv })
	fmt.Fprintf(&b, "calls: %d in the killing phase + %d to converge = %d", killCalls.requests, conv.requests, all.requests)
	if ref != nil {
		fmt.Fprintf(&b, "; a clean run of the same world and changes: %d → %+.1f%% extra calls\n", ref.requests,
			100*float64(all.requests-ref.requests)/float64(max(1, ref.requests)))
	} else {
		b.WriteString("; no clean reference run\n")
	}
	fmt.Fprintf(&b, "time to converge: %s in %d rounds (converged: %v)\n", s.convEnd.Sub(s.convStart).Round(time.Millisecond), s.convRounds, s.converged)
	if res != nil {
		fmt.Fprintf(&b, "records lost: %d, duplicated: %d (landed tables: %d missing, %d duplicate ids; syncs: %d keys missing at the destination, %d keys written more than once)\n",
			res.lostLanded+res.lostSynced, res.dupLanded+res.dupSynced, res.lostLanded, res.dupLanded, res.lostSynced, res.dupSynced)
		fmt.Fprintf(&b, "sync writes: %d records written by the destinations' accounts (%d answers delivered, %d lost to drops and kills); run history records %d succeeded\n",
			res.writesAll, res.writesDelivered, res.writesAll-res.writesDelivered, res.historySucceeded)
		fmt.Fprintf(&b, "run history rule checked on %d process × sync pairs with writes, %d of them killed after more than one answer\n", res.historyPairs, res.historyKilled)
		fmt.Fprintf(&b, "checks: %d failed of %d\n", res.failed, res.checks)
	}
	s.t.Log(b.String())
}
