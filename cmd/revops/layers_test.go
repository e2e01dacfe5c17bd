package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsFlowOneWay holds DESIGN.md's line: crm ← extract → load ←
// models ← sync → crm, with configs a leaf every stage may read. Only
// cmd wires concrete packages of several stages together. Test files are
// not checked (tests may start emulators of any stage).
func TestImportsFlowOneWay(t *testing.T) {
	const mod = "github.com/revops/revops/"
	out, err := exec.Command("go", "list", "-tags", "duckdb_arrow", "-f", `{{.ImportPath}} {{join .Imports " "}}`, mod+"...").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v: %s", err, out)
	}
	stage := func(pkg string) string {
		p := strings.TrimPrefix(pkg, mod)
		if i := strings.IndexByte(p, '/'); i >= 0 {
			p = p[:i]
		}
		return p
	}
	allowed := map[string][]string{
		"configs": {},
		"sql":     {},
		"crm":     {"crm"},
		"load":    {"load"},
		// budget: API calls and credits per org; it meters the CRM clients
		// and keeps its ledger in the warehouse, below extract and sync.
		"budget":  {"budget", "crm", "load"},
		"extract": {"extract", "crm", "load", "budget"},
		"models":  {"models", "load"},
		"sync":    {"sync", "crm", "load", "models", "configs", "budget"},
		// identity: matching and golden records; its CSV driver runs the
		// shipped identity models.
		"identity": {"identity", "load", "models", "sql", "configs"},
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		from := stage(pkg)
		ok, ruled := allowed[from]
		if !ruled {
			continue // cmd and scripts wire everything
		}
		checked++
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			to := stage(imp)
			permitted := false
			for _, a := range ok {
				permitted = permitted || a == to
			}
			if !permitted {
				t.Errorf("%s imports %s: %s may not reach %s", pkg, imp, from, to)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages: go list output %q", checked, out)
	}
}
