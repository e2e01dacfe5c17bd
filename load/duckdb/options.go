package duckdb

import (
	"errors"
	"fmt"
	"regexp"
)

// Options configure a DuckDB warehouse.
type Options struct {
	// Path is the database file; ":memory:" keeps everything in memory.
	Path string `yaml:"path"`
	// Threads caps DuckDB's worker threads (0 = DuckDB's default: all cores).
	Threads int `yaml:"threads"`
	// MemoryLimit is DuckDB's memory_limit setting, e.g. "4GB" ("" = default).
	MemoryLimit string `yaml:"memory_limit"`
}

var memLimitRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)$`)

// Validate checks the options without touching the disk.
func (o Options) Validate() error {
	if o.Path == "" {
		return errors.New("path: required (a file, or :memory:)")
	}
	if o.Threads < 0 {
		return fmt.Errorf("threads: %d is negative", o.Threads)
	}
	if o.MemoryLimit != "" && !memLimitRE.MatchString(o.MemoryLimit) {
		return fmt.Errorf("memory_limit: %q is not a size such as 4GB or 512MiB", o.MemoryLimit)
	}
	return nil
}
