package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole process to the file
// REVOPS_CPUPROFILE names, when set (for measuring a run, as `make
// bench-e2e` does; not a user setting). The returned stop ends and
// flushes the profile.
func startProfile(lookup func(string) (string, bool)) (stop func(), err error) {
	path, ok := lookup("REVOPS_CPUPROFILE")
	if !ok || path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}, fmt.Errorf("REVOPS_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return func() {}, fmt.Errorf("REVOPS_CPUPROFILE %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
