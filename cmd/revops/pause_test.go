package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPauseResume: a paused sync and a paused link are skipped by
// revops run (and by revops sync and revops link), reported as paused,
// and run again once resumed; an unknown name exits 2 naming the
// configured ones.
func TestPauseResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir(), "USER": "ops"}

	code, _, errOut := revops(t, env, "pause", "zoho_leads_to_sfx", "-c", cfg)
	if code != 2 || !strings.Contains(errOut, `no sync or link named "zoho_leads_to_sfx"`) || !strings.Contains(errOut, "zoho_leads_to_sf") {
		t.Fatalf("pause of an unknown name: exit %d %q", code, errOut)
	}
	if code, _, errOut := revops(t, env, "resume", "-c", cfg); code != 2 {
		t.Fatalf("resume without a name: exit %d %q", code, errOut)
	}
	if code, out, errOut := revops(t, env, "pause", "zoho_leads_to_sf", "-c", cfg, "--reason", "CRM migration"); code != 0 || !strings.Contains(out, "paused") {
		t.Fatalf("pause: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := revops(t, env, "pause", "zoho_leads_to_sf", "-c", cfg); code != 0 || !strings.Contains(out, "already paused") {
		t.Fatalf("pause twice: exit %d\n%s", code, out)
	}
	if code, out, errOut := revops(t, env, "pause", "zoho_sf_leads", "-c", cfg); code != 0 || !strings.Contains(out, "link zoho_sf_leads paused") {
		t.Fatalf("pause a link: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut := revops(t, env, "run", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	run := oneJSON(t, out)["run"].(map[string]any)
	status := map[string]string{}
	for _, s := range run["stages"].([]any) {
		st := s.(map[string]any)
		targets, _ := st["targets"].([]any)
		for _, tg := range targets {
			m := tg.(map[string]any)
			status[st["stage"].(string)+"/"+m["name"].(string)] = m["status"].(string)
		}
		if st["stage"] == "sync" || st["stage"] == "links" {
			if st["counts"].(map[string]any)["paused"] != float64(1) || st["status"] != "succeeded" {
				t.Errorf("stage %s: %v; want succeeded with one paused", st["stage"], st)
			}
		}
	}
	if status["sync/zoho_leads_to_sf"] != "paused" || status["links/zoho_sf_leads"] != "paused" {
		t.Errorf("targets %v: want the sync and the link paused", status)
	}
	if status["sync/account_enrichment_sf"] != "succeeded" {
		t.Errorf("targets %v: the other syncs run", status)
	}
	for _, q := range []string{
		`SELECT count(*) AS n FROM _revops.sync_runs WHERE sync = 'zoho_leads_to_sf'`,
		`SELECT count(*) AS n FROM _revops.link_runs WHERE link = 'zoho_sf_leads'`,
	} {
		if n := queryRows(t, cfg, q)[0]["n"]; n != float64(0) {
			t.Errorf("%s: %v, want 0 (paused)", q, n)
		}
	}
	// revops sync and revops link skip them too, and say so.
	code, out, errOut = revops(t, env, "sync", "zoho_leads_to_sf", "-c", cfg, "--no-build")
	if code != 0 || !strings.Contains(out, "sync zoho_leads_to_sf is paused") || !strings.Contains(out, "by ops: CRM migration") {
		t.Errorf("sync of a paused sync: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = revops(t, env, "link", "-c", cfg)
	if code != 0 || !strings.Contains(out, "link zoho_sf_leads is paused") {
		t.Errorf("link with a paused link: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := revops(t, env, "status", "-c", cfg); code != 0 || !strings.Contains(out, "sync zoho_leads_to_sf is paused") {
		t.Errorf("status: exit %d, want the paused sync shown\n%s", code, out)
	}

	if code, out, errOut := revops(t, env, "resume", "zoho_leads_to_sf", "-c", cfg); code != 0 || !strings.Contains(out, "resumed") {
		t.Fatalf("resume: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := revops(t, env, "sync", "zoho_leads_to_sf", "-c", cfg, "--no-build"); code != 0 || strings.Contains(out, "paused") {
		t.Fatalf("sync after resume: exit %d\n%s%s", code, out, errOut)
	}
	if n := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.sync_runs WHERE sync = 'zoho_leads_to_sf'`)[0]["n"]; n != float64(1) {
		t.Errorf("%v runs of the resumed sync, want 1", n)
	}
	if code, out, _ := revops(t, env, "resume", "zoho_leads_to_sf", "-c", cfg); code != 0 || !strings.Contains(out, "is not paused") {
		t.Errorf("resume of a running sync: exit %d\n%s", code, out)
	}
}
