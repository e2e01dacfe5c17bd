//go:build duckdb_arrow

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/revops/revops/load/snowflake/sftest"
)

// snowflakeConfig writes the sandbox's config with its warehouse replaced
// by Snowflake on a fresh emulator (sftest, reached by the gosnowflake
// driver over loopback), and returns the config's path and the emulator.
func snowflakeConfig(t *testing.T, records int) (string, sandboxInfo, *sftest.Server) {
	t.Helper()
	// The driver otherwise probes cloud metadata endpoints on its first
	// connection and unpacks a native library.
	t.Setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
	t.Setenv("SF_DISABLE_MINICORE", "true")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", strconv.Itoa(records), "--write-config", cfg)
	srv := sftest.New(t, sftest.Options{Password: "secret"})
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wh := fmt.Sprintf("warehouse:\n  type: snowflake\n  account: revops\n  user: REVOPS\n  password: secret\n  role: SYSADMIN\n"+
		"  warehouse: REVOPS_WH\n  database: REVOPS\n  host: %s\n  port: %d\n  protocol: http\n", srv.Host, srv.Port)
	if err := os.WriteFile(cfg, replaceWarehouse(t, data, wh), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, info, srv
}

// TestSnowflakeRunAndLink runs the whole pipeline on Snowflake (the
// emulator, which resolves names by Snowflake's case rules): `revops run`
// extracts, builds every model and syncs; the next run extracts the
// copies the syncs made and the example link (zoho_sf_leads) fills them;
// a third run writes nothing. Then a lead changed in each CRM reaches
// the other through `revops link`, one write each way, and the link run
// after it writes nothing. An identity decision is recorded and built;
// status and the histories read the state.
func TestSnowflakeRunAndLink(t *testing.T) {
	cfg, info, srv := snowflakeConfig(t, 100)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	for _, rel := range []string{"salesforce.lead", "zoho_crm.leads", "staging.stg_salesforce__lead", "core.leads", "core.deals",
		"metrics.pipeline_by_stage", "identity.persons", "syncs.account_enrichment_sf", "_revops.sync_snapshots", "_revops.runs"} {
		if n := queryRows(t, cfg, "SELECT count(*) AS n FROM "+rel)[0]["n"]; num(n) == 0 {
			t.Errorf("%s holds no rows after the run", rel)
		}
	}
	if n := crmWrites(t, info); n == 0 {
		t.Fatal("the first run wrote nothing to the CRMs: the example syncs did not run")
	}
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, errOut)
	}
	before := crmWrites(t, info)
	srv.ResetStats()
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("third run: exit %d\n%s%s", code, out, errOut)
	}
	if n := crmWrites(t, info) - before; n != 0 {
		t.Errorf("the third run sent %d writes, want 0", n)
	}
	st := srv.Stats()
	t.Logf("third run: %d statements on the emulator (%v), %d PUT files, %d COPY files", st.Statements, st.ByKind, st.PutFiles, st.CopyFiles)

	// Two-way link: a change on each side crosses once.
	_, sid, _, _ := editLinkedLeadPair(t, env, cfg, info)
	code, doc, errOut := runLink(t, env, cfg, "zoho_sf_leads")
	r := linkReports(t, doc, "links")
	if code != 0 || len(r) != 1 || len(r[0].Sides) != 2 || r[0].Sides[0].Updated != 1 || r[0].Sides[1].Updated != 1 || r[0].Conflicts != 0 {
		t.Fatalf("one change each way: exit %d %+v %s", code, r, errOut)
	}
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	code, doc, errOut = runLink(t, env, cfg, "zoho_sf_leads")
	if r := linkReports(t, doc, "links"); code != 0 || len(r) != 1 || r[0].Updated != 0 || r[0].Created != 0 {
		t.Fatalf("the echo was written: exit %d %+v %s", code, r, errOut)
	}
	got := queryRows(t, cfg, fmt.Sprintf(`SELECT City AS city FROM salesforce.lead WHERE Id = '%s'`, sid))
	if len(got) != 1 || got[0]["city"] != "Lisbon" {
		t.Errorf("salesforce.lead %s after the link: %v, want City Lisbon", sid, got)
	}
	// A person's decision lands in _revops.identity_decisions and the
	// next build reads it.
	recs := queryRows(t, cfg, "SELECT record_id FROM identity.crosswalk WHERE entity = 'person' ORDER BY record_id LIMIT 2")
	if len(recs) != 2 {
		t.Fatalf("identity.crosswalk: %v", recs)
	}
	if code, out, errOut := revops(t, env, "identity", "decide", "-c", cfg, fmt.Sprint(recs[0]["record_id"]), fmt.Sprint(recs[1]["record_id"]), "no-match"); code != 0 {
		t.Fatalf("identity decide: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := revops(t, env, "build", "-c", cfg, "--select", "identity.decisions"); code != 0 {
		t.Fatalf("build identity.decisions: exit %d\n%s\n%s", code, out, errOut)
	}
	if d := queryRows(t, cfg, "SELECT decision FROM identity.decisions"); len(d) != 1 || d[0]["decision"] != "no_match" {
		t.Errorf("identity.decisions: %v", d)
	}
	for _, args := range [][]string{{"status", "-c", cfg}, {"sync", "history", "-c", cfg}, {"link", "history", "-c", cfg}} {
		if code, out, errOut := revops(t, env, args...); code != 0 || out == "" {
			t.Errorf("%s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
	}
}
