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
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "200", "--write-config", cfg)
	// Access tokens are kept between runs, as revops does with a home
	// directory: Zoho grants ten per refresh token in ten minutes.
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	code, out, errOut := revops(t, env, "run", "-c", cfg, "-q")
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
	before := crmWrites(t, info)
	if before == 0 {
		t.Fatal("the first run wrote nothing to the CRMs: the example syncs did not run")
	}
	// The second run extracts the lead copies the first run's sync made,
	// and the example link (zoho_sf_leads) fills them; after that nothing
	// changed: a third run writes nothing to either CRM.
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	before = crmWrites(t, info)
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("third run: exit %d\n%s%s", code, out, errOut)
	}
	if after := crmWrites(t, info); after != before {
		t.Errorf("a third run sent %d writes", after-before)
	}
}

// TestRunSkipsOnlyTheSyncsAFailedModelFeeds: a broken user model fails
// the run (exit 1, named), but only the syncs whose models read it are
// skipped, each with the reason; the others still run.
func TestRunSkipsOnlyTheSyncsAFailedModelFeeds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	// A user model that fails in the warehouse and feeds no sync, and a
	// user version of the lead sync's model that fails.
	for path, sql := range map[string]string{
		"core/broken.sql":            "SELECT no_such_column FROM {{ ref \"core.deals\" }}\n",
		"syncs/zoho_leads_to_sf.sql": "SELECT no_such_column AS zoho_lead_id FROM {{ ref \"core.leads\" }}\n",
	} {
		p := filepath.Join(dir, "models", path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(sql), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "  paths: []", "  paths: [models]", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := revops(t, nil, "run", "-c", cfg, "-v")
	if code != 1 || !strings.Contains(out+errOut, "core.broken") {
		t.Fatalf("exit %d: want 1 naming core.broken\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "sync zoho_leads_to_sf skipped: syncs.zoho_leads_to_sf failed") {
		t.Errorf("the lead sync should be skipped naming its failed model:\n%s", out)
	}
	for _, s := range []string{"account_enrichment_sf", "account_enrichment_zoho"} {
		if strings.Contains(out, "sync "+s+" skipped") {
			t.Errorf("%s was skipped although nothing it reads failed:\n%s", s, out)
		}
		r := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.sync_runs WHERE sync = '`+s+`' AND status = 'succeeded'`)
		if r[0]["n"].(float64) != 1 {
			t.Errorf("%s: %v succeeded runs, want 1", s, r[0]["n"])
		}
	}
	if r := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.sync_runs WHERE sync = 'zoho_leads_to_sf'`); r[0]["n"].(float64) != 0 {
		t.Errorf("zoho_leads_to_sf ran although its model failed")
	}
	if crmWrites(t, info) == 0 {
		t.Error("nothing reached the CRMs")
	}
}
