package soak

import (
	"testing"
	"time"
)

// refResult is the clean reference run: the same world (seed and size) and
// the same changes, each followed by one `revops run`, with no fault and
// no kill, then converged the same way. Its calls are the baseline of the
// soak's "extra calls".
type refResult struct {
	requests  int
	rounds    int
	converged bool
	took      time.Duration
}

func runReference(t *testing.T, set settings, bin, dir string, epochs int) *refResult {
	start := time.Now()
	w := newWorld(t, set.seed, set.records, dir)
	d := newDriver(t, w, bin, set.seed, set.timeout)
	mut := newMutator(set.seed, set.records, w.seeded)
	res := &refResult{}
	for e := 1; e <= epochs; e++ {
		if e > 1 {
			if err := mut.step(t.Context(), w, d.landed); err != nil {
				t.Fatalf("reference epoch %d: change the world: %v", e, err)
			}
		}
		// extract then sync: the API calls of `revops run`, without
		// building the shipped models (which calls no API).
		for _, stage := range []string{"extract", "sync"} {
			if p := d.run("reference-"+stage, []string{stage}, nil, 0, ""); p.exit != 0 {
				t.Logf("reference: %s (a clean run fails; see %s)\n%s", p, p.log, p.tail(10))
			}
		}
	}
	for round := 1; round <= set.rounds; round++ {
		res.rounds = round
		pe := d.run("reference-extract", []string{"extract", "--json"}, nil, 0, "")
		ps := d.run("reference-sync", []string{"sync", "--json"}, nil, 0, "")
		if pe.exit == 0 && ps.exit == 0 && extractChanges(pe.stdout) == 0 && w.rec.counts(ps.idx).writes == 0 {
			res.converged = true
			break
		}
	}
	res.requests = d.countsOf(func(*proc) bool { return true }).requests
	res.took = time.Since(start)
	t.Logf("reference: %d requests in %d epochs and %d converge rounds (converged: %v), %s", res.requests, epochs, res.rounds, res.converged, res.took.Round(time.Millisecond))
	return res
}
