package soak

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	flagFull = flag.Bool("soak.full", false, "run the full soak (~20,000 records per system, at least 15 kills per stage); also REVOPS_SOAK=full")
	flagSeed = flag.Int64("soak.seed", 0, "seed of the world, the changes, the faults and the kill moments (0: REVOPS_SOAK_SEED, else 1 for the short soak and the clock for the full one)")
	flagRef  = flag.String("soak.reference", "", "run the clean reference (same world and changes, no kills or faults) for the extra-calls figure: on, off (default: on for the full soak, off for the short one; also REVOPS_SOAK_REFERENCE)")
)

// binDir holds the revops binary the soak runs; TestMain removes it.
var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "revops-soak-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// revopsBinary builds ./cmd/revops once (with the duckdb_arrow tag) into a
// temporary directory, so the soak runs the real binary as a child
// process and SIGKILL is real. REVOPS_SOAK_BIN names a binary to use
// instead.
func revopsBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if b := os.Getenv("REVOPS_SOAK_BIN"); b != "" {
			binPath = b
			return
		}
		root, err := filepath.Abs("..")
		if err != nil {
			binError = err
			return
		}
		binPath = filepath.Join(binDir, "revops")
		start := time.Now()
		cmd := exec.Command("go", "build", "-tags", "duckdb_arrow", "-o", binPath, "./cmd/revops")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build ./cmd/revops: %w\n%s", err, out)
			return
		}
		fmt.Fprintf(os.Stderr, "soak: built revops in %s\n", time.Since(start).Round(time.Millisecond))
	})
	if binError != nil {
		t.Fatal(binError)
	}
	return binPath
}

// settings are the sizes of one soak.
type settings struct {
	full           bool
	seed           int64
	records        int // per system
	killsPerStage  int // SIGKILLs of each stage (extract, sync, run) in the killing phase
	writeKills     int // of which right after a write (sync and run)
	firstReadKills int // kills during the first full read before it may finish
	minEpochs      int // world changes, each followed by a run of every stage
	maxEpochs      int
	rounds         int           // converge rounds at most
	timeout        time.Duration // one revops process at most
	reference      bool
}

func soakSettings() settings {
	full := *flagFull || strings.EqualFold(os.Getenv("REVOPS_SOAK"), "full")
	seed := *flagSeed
	if seed == 0 {
		if v, err := strconv.ParseInt(os.Getenv("REVOPS_SOAK_SEED"), 10, 64); err == nil {
			seed = v
		}
	}
	if seed == 0 {
		seed = 1
		if full {
			seed = time.Now().UnixNano() % 1_000_000
		}
	}
	ref := full
	switch v := strings.ToLower(cmp.Or(*flagRef, os.Getenv("REVOPS_SOAK_REFERENCE"))); v {
	case "on", "1", "true", "yes":
		ref = true
	case "off", "0", "false", "no":
		ref = false
	}
	if full {
		return settings{full: true, seed: seed, records: 20_000, killsPerStage: 15, writeKills: 5, firstReadKills: 4, minEpochs: 12,
			maxEpochs: 60, rounds: 8, timeout: 30 * time.Minute, reference: ref}
	}
	return settings{seed: seed, records: 2_000, killsPerStage: 3, writeKills: 1, firstReadKills: 2, minEpochs: 2, maxEpochs: 10,
		rounds: 6, timeout: 3 * time.Minute, reference: ref}
}

// caseFactor is how many cases the Bulk sync makes of each Zoho contact:
// enough for its first run to pass the Bulk API 2.0 threshold (10,000).
func caseFactor(contacts int) int {
	return max(1, 10_500/max(1, contacts)+1)
}
