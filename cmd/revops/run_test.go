package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// crmWrites counts the writes both CRMs of the sandbox served.
func crmWrites(t *testing.T, info sandboxInfo) int64 {
	return writeCalls(t, info.Salesforce.StatsURL, "salesforce") + writeCalls(t, info.Salesforce.StatsURL, "zoho_crm")
}

func TestRunExtractsBuildsAndSyncs(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "200", "--write-config", cfg)
	code, out, errOut := revops(t, nil, "run", "-c", cfg, "-q")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	for _, q := range []string{
		`SELECT count(*) AS n FROM salesforce.lead`,
		`SELECT count(*) AS n FROM core.deals`,
		`SELECT count(*) AS n FROM metrics.pipeline_by_stage`,
		`SELECT count(*) AS n FROM _revops.sync_snapshots`,
	} {
		if r := queryRows(t, cfg, q); r[0]["n"].(float64) == 0 {
			t.Errorf("%s: empty after run", q)
		}
	}
	// Nothing changed: a second run writes nothing to either CRM.
	before := crmWrites(t, info)
	if before == 0 {
		t.Fatal("the first run wrote nothing to the CRMs: the example syncs did not run")
	}
	if code, out, errOut := revops(t, nil, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	if after := crmWrites(t, info); after != before {
		t.Errorf("a second run sent %d writes", after-before)
	}
}

func TestRunSkipsSyncsWhenAModelFails(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	// A user model path with a model that fails in the warehouse.
	mdir := filepath.Join(dir, "models", "core")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mdir, "broken.sql"), []byte("SELECT no_such_column FROM {{ ref \"core.deals\" }}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "  paths: []", "  paths: [models]", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := revops(t, nil, "run", "-c", cfg)
	if code != 1 || !strings.Contains(out+errOut, "core.broken") || !strings.Contains(errOut, "syncs not run") {
		t.Fatalf("exit %d: want 1 naming core.broken and saying the syncs did not run\n%s%s", code, out, errOut)
	}
	if r := queryRows(t, cfg, `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = '_revops' AND table_name = 'sync_runs'`); r[0]["n"].(float64) != 0 {
		if r := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.sync_runs`); r[0]["n"].(float64) != 0 {
			t.Fatalf("syncs ran although a model failed: %v", r)
		}
	}
	if r := queryRows(t, cfg, `SELECT count(*) AS n FROM salesforce.lead`); r[0]["n"].(float64) == 0 {
		t.Error("extract did not land before the build failed")
	}
}
