package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// wideLines returns the lines of out wider than maxWidth characters.
func wideLines(out string) []string {
	var wide []string
	for _, line := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(line) > maxWidth {
			wide = append(wide, fmt.Sprintf("(%d) %s", utf8.RuneCountInString(line), line))
		}
	}
	return wide
}

// TestTableFits: table keeps every line within 100 columns, shortening
// the widest cells with "…", keeps short columns and a run id whole, and
// leaves out a last column with nothing in it.
func TestTableFits(t *testing.T) {
	long := strings.Repeat("x", 300)
	runID := "20261203T042506Z-e992ad52"
	cases := []struct {
		name      string
		header    []string
		rows      [][]string
		want      []string // substrings every case's output holds
		wantLines int
	}{
		{"narrow table unchanged", []string{"A", "B"}, [][]string{{"1", "2"}}, []string{"A  B", "1  2"}, 2},
		{"one wide cell", []string{"RUN", "STATUS", "NOTE"}, [][]string{{runID, "succeeded", long}},
			[]string{runID + "  succeeded  xxx", "…"}, 2},
		{"many wide columns", []string{"LINK", "FIELD", "BASE", "LEFT", "RIGHT", "WINNER"},
			[][]string{{"zoho_sf_contacts", long, long, "Göteborg ⇄ " + long, long, "zoho_crm"}}, []string{"zoho_sf_contacts  ", "…"}, 2},
		{"empty last column left out", []string{"SYNC", "ROWS", "ERROR"}, [][]string{{"a", "1", ""}, {"b", "2", ""}},
			[]string{"SYNC  ROWS\n"}, 3},
		{"more columns than fit at their floor", []string{"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12"},
			[][]string{{long, long, long, long, long, long, long, long, long, long, long, long}}, []string{"…"}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			table(&b, c.header, c.rows)
			out := b.String()
			if wide := wideLines(out); len(wide) > 0 {
				t.Errorf("lines wider than %d:\n%s", maxWidth, strings.Join(wide, "\n"))
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if n := strings.Count(out, "\n"); n != c.wantLines {
				t.Errorf("%d lines, want %d:\n%s", n, c.wantLines, out)
			}
		})
	}
}

// TestOutputForPeople runs the commands a person runs against a sandbox
// and holds their output to what a person reads: no log lines unless
// --log-level asks for them, counts named for what happened (an
// update-only sync never says "added"), every line within 100 columns,
// a build of 100 models in one line, a scheduled run in one line per run.
func TestOutputForPeople(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "200", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	logLine := regexp.MustCompile(`(?m)^time=\S+ level=`)

	// Logs only with --log-level.
	code, out, errOut := revops(t, env, "extract", "-c", cfg)
	if code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	if logLine.MatchString(errOut) || logLine.MatchString(out) {
		t.Errorf("extract without --log-level printed log lines:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if !regexp.MustCompile(`(?m)^extracted \d+ rows from \d+ objects of 4 sources`).MatchString(out) || strings.Count(out, "\n") > 6 {
		t.Errorf("extract: want a line per source and a total:\n%s", out)
	}
	code, out, errOut = revops(t, env, "extract", "-c", cfg, "--log-level", "info")
	if code != 0 || !strings.Contains(errOut, "msg=extracted") {
		t.Errorf("extract --log-level info: exit %d, want its log lines on stderr:\n%s", code, errOut)
	}
	if logLine.MatchString(out) {
		t.Errorf("log lines on stdout:\n%s", out)
	}

	// An update-only sync (account_enrichment_sf: mode update) plans and
	// reports updates, never "added".
	const updateOnly = "account_enrichment_sf"
	code, out, errOut = revops(t, env, "sync", "plan", "-c", cfg, updateOnly)
	if code != 0 {
		t.Fatalf("sync plan: exit %d\n%s%s", code, out, errOut)
	}
	planRow := regexp.MustCompile(`(?m)^` + updateOnly + `\s+0\s+([1-9]\d*)\s+0\s+0\s`)
	if strings.Contains(strings.ToLower(out), "added") || !planRow.MatchString(out) || !strings.Contains(out, "Plan: 0 to create, ") {
		t.Errorf("sync plan of an update-only sync: want N to update, 0 to create, no \"added\":\n%s", out)
	}
	code, out, errOut = revops(t, env, "sync", "-c", cfg, "--no-build", updateOnly)
	if code != 0 {
		t.Fatalf("sync: exit %d\n%s%s", code, out, errOut)
	}
	// SYNC CREATED UPDATED DELETED UNCHANGED FAILED
	runRow := regexp.MustCompile(`(?m)^` + updateOnly + `\s+0\s+([1-9]\d*)\s+0\s+0\s+0\s`)
	if strings.Contains(strings.ToLower(out), "added") || !runRow.MatchString(out) ||
		!regexp.MustCompile(`(?m)^1 syncs: 0 created, [1-9]\d* updated, 0 deleted, 0 unchanged, 0 failed`).MatchString(out) {
		t.Errorf("sync of an update-only sync: want N updated, 0 created, no \"added\":\n%s", out)
	}
	for _, args := range [][]string{{"sync", "history"}, {"sync", "history", "-v"}} {
		_, out, _ := revops(t, env, append(args, "-c", cfg)...)
		if strings.Contains(strings.ToLower(out), "added") {
			t.Errorf("%s says added:\n%s", strings.Join(args, " "), out)
		}
	}

	// The whole job, then every table a person looks at.
	if code, out, errOut := revops(t, env, "run", "-c", cfg); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	} else if !regexp.MustCompile(`(?m)^run \S+ succeeded in `).MatchString(out) || strings.Count(out, "\n") > 15 || logLine.MatchString(errOut) {
		t.Errorf("run: want its summary only (stage tables with -v), no logs:\n%s\nstderr:\n%s", out, errOut)
	}
	code, out, _ = revops(t, env, "build", "-c", cfg)
	if code != 0 || strings.Count(out, "\n") != 1 ||
		!regexp.MustCompile(`^\d{2,} models built; \d{2,} tests passed, 0 warned, 0 failed; `).MatchString(out) {
		t.Errorf("build: want one summary line:\n%s", out)
	}
	if _, out, _ := revops(t, env, "build", "-c", cfg, "-v"); !hasRow(out, "core.deals", "table") || !strings.Contains(out, "pass") {
		t.Errorf("build -v: want a row per model and test:\n%s", out)
	}
	for _, args := range [][]string{
		{"models"}, {"models", "-v"}, {"status"}, {"status", "-v"}, {"status", "--history"}, {"history"},
		{"build", "-v"}, {"extract", "-v"}, {"validate", "-v"},
		{"sync", "plan", "--no-build"}, {"sync", "plan", "--no-build", "-v", "--rows", "3"}, {"sync", "--no-build", "-v"},
		{"sync", "history"}, {"sync", "history", "-v"}, {"sync", "failures"}, {"sync", "review"},
		{"link", "plan", "-v"}, {"link", "-v"}, {"link", "history"}, {"link", "history", "-v"},
		{"link", "conflicts"}, {"link", "conflicts", "-v"}, {"link", "failures"}, {"link", "transitions"},
		{"identity", "review"}, {"query", "SELECT * FROM _revops.cursors"},
	} {
		code, out, errOut := revops(t, env, append(args, "-c", cfg)...)
		if code > 1 {
			t.Errorf("%s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		if wide := wideLines(out); len(wide) > 0 {
			t.Errorf("revops %s: lines wider than %d columns:\n%s", strings.Join(args, " "), maxWidth, strings.Join(wide, "\n"))
		}
		if logLine.MatchString(errOut) {
			t.Errorf("revops %s: log lines without --log-level:\n%s", strings.Join(args, " "), errOut)
		}
	}

	// A scheduled run: a header, then one line per run.
	code, out, errOut = revops(t, env, "run", "-c", cfg, "--every", "1s", "--max-runs", "2")
	if code != 0 {
		t.Fatalf("run --every: exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	perRun := regexp.MustCompile(`^run \S+ succeeded in \S+: read \d+, wrote \d+, failed 0, \d+ API calls$`)
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "revops run every 1s") || !perRun.MatchString(lines[1]) || !perRun.MatchString(lines[2]) {
		t.Errorf("run --every 1s --max-runs 2: want a header and a line per run:\n%s", out)
	}
	if wide := wideLines(out); len(wide) > 0 {
		t.Errorf("run --every: lines wider than %d columns:\n%s", maxWidth, strings.Join(wide, "\n"))
	}
}
