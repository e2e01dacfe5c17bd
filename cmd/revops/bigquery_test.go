//go:build duckdb_arrow

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/revops/revops/load/bigquery/bqtest"
)

// bigQueryConfig writes the config of a sandbox of the given size with
// its warehouse replaced by BigQuery on a fresh emulator (bqtest, started
// with opts; results longer than a page are read through its Storage Read
// API), and returns the config's path and the emulator.
func bigQueryConfig(t *testing.T, records int, opts ...bqtest.Option) (string, sandboxInfo, *bqtest.Server) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", strconv.Itoa(records), "--write-config", cfg)
	bq, err := bqtest.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bq.Close)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wh := "warehouse:\n  type: bigquery\n  project: " + bq.Project() + "\n  dataset_prefix: acme_\n  endpoint: " + bq.URL() +
		"\n  storage_endpoint: " + bq.StorageAddr() + "\n"
	if err := os.WriteFile(cfg, replaceWarehouse(t, data, wh), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, info, bq
}

// TestBigQueryExtractBuildSync runs the pipeline on BigQuery (the
// emulator, reached by the official client over loopback): extract lands
// the sandbox's records, build builds the models, a sync writes to
// Salesforce and Zoho, and a second sync writes nothing.
func TestBigQueryExtractBuildSync(t *testing.T) {
	t.Parallel()
	cfg, info, bq := bigQueryConfig(t, 300)
	code, objs, out := runExtract(t, cfg)
	if code != 0 {
		t.Fatalf("extract: exit %d\n%s", code, out)
	}
	landed := int64(0)
	for _, o := range objs {
		landed += o.Rows
	}
	if landed == 0 {
		t.Fatalf("extract landed no rows: %+v", objs)
	}
	if n := queryRows(t, cfg, "SELECT count(*) AS n FROM salesforce.account")[0]["n"]; num(n) == 0 {
		t.Fatalf("salesforce.account holds %v rows", n)
	}
	t.Logf("extract: %d rows of %d objects; emulator requests %v", landed, len(objs), bq.Requests())

	code, out, errOut := revops(t, nil, "build", "-c", cfg)
	if code != 0 || !strings.Contains(out, " models built;") { // "N models built, M failed, ..." otherwise
		t.Fatalf("build: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("build: %s", strings.TrimSpace(out))
	// A model of each layer holds rows.
	for _, rel := range []string{"staging.stg_salesforce__lead", "core.leads", "core.deals", "metrics.win_rate",
		"metrics.ticket_response_times", "identity.persons", "identity.crosswalk", "syncs.account_enrichment_sf"} {
		if n := queryRows(t, cfg, "SELECT count(*) AS n FROM "+rel)[0]["n"]; num(n) == 0 {
			t.Errorf("%s holds no rows", rel)
		}
	}

	checked := []string{"account_enrichment_sf", "account_enrichment_zoho", "zoho_leads_to_sf"}
	sfBefore, zohoBefore := writeCalls(t, info.Salesforce.StatsURL, "salesforce"), writeCalls(t, info.Zoho.StatsURL, "zoho_crm")
	code, reps, errOut := runSync(t, cfg, checked...)
	for _, name := range checked {
		if r := reps[name]; r.Status == "failed" || r.Succeeded == 0 {
			t.Fatalf("sync %s: %+v (exit %d, stderr %q)", name, r, code, errOut)
		}
	}
	sfWrites := writeCalls(t, info.Salesforce.StatsURL, "salesforce") - sfBefore
	zohoWrites := writeCalls(t, info.Zoho.StatsURL, "zoho_crm") - zohoBefore
	if sfWrites == 0 || zohoWrites == 0 {
		t.Fatalf("the sync sent %d Salesforce and %d Zoho write calls", sfWrites, zohoWrites)
	}
	snaps := queryRows(t, cfg, "SELECT count(*) AS n FROM _revops.sync_snapshots")[0]["n"]
	if num(snaps) == 0 {
		t.Fatal("no sync snapshot recorded")
	}

	// A person's decision lands in _revops.identity_decisions and the
	// next build reads it.
	recs := queryRows(t, cfg, "SELECT record_id FROM identity.crosswalk WHERE entity = 'person' ORDER BY record_id LIMIT 2")
	if len(recs) != 2 {
		t.Fatalf("identity.crosswalk: %v", recs)
	}
	if code, out, errOut := revops(t, nil, "identity", "decide", "-c", cfg, recs[0]["record_id"].(string), recs[1]["record_id"].(string), "no-match"); code != 0 {
		t.Fatalf("identity decide: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := revops(t, nil, "build", "-c", cfg, "--select", "identity.decisions"); code != 0 {
		t.Fatalf("build identity.decisions: exit %d\n%s\n%s", code, out, errOut)
	}
	if d := queryRows(t, cfg, "SELECT decision FROM identity.decisions"); len(d) != 1 || d[0]["decision"] != "no_match" {
		t.Errorf("identity.decisions: %v", d)
	}
	// The identity commands that read the warehouse run on BigQuery too
	// (explain compiles the comparison model over one pair, typed with the
	// dialect's casts).
	for _, args := range [][]string{
		{"identity", "explain", "--json", "-c", cfg, recs[0]["record_id"].(string), recs[1]["record_id"].(string)},
		{"identity", "decisions", "-c", cfg},
		{"identity", "review", "-c", cfg},
	} {
		if code, out, errOut := revops(t, nil, args...); code != 0 || out == "" {
			t.Errorf("%s: exit %d\n%s\n%s", strings.Join(args[:2], " "), code, out, errOut)
		} else if args[1] == "explain" && !strings.Contains(out, `"match_probability"`) {
			t.Errorf("identity explain --json: %s", out)
		}
	}

	sfBefore, zohoBefore = writeCalls(t, info.Salesforce.StatsURL, "salesforce"), writeCalls(t, info.Zoho.StatsURL, "zoho_crm")
	_, reps, errOut = runSync(t, cfg, checked...)
	for _, name := range checked {
		if r := reps[name]; r.Status == "failed" || r.Planned != 0 || r.Unchanged == 0 {
			t.Errorf("second sync of %s: %+v (%s)", name, r, errOut)
		}
	}
	if n := writeCalls(t, info.Salesforce.StatsURL, "salesforce") - sfBefore + writeCalls(t, info.Zoho.StatsURL, "zoho_crm") - zohoBefore; n != 0 {
		t.Errorf("the second sync sent %d write calls, want 0", n)
	}
	// The runs of every stage are recorded; status and sync history read them.
	for _, args := range [][]string{{"status", "-c", cfg}, {"sync", "history", "-c", cfg}} {
		if code, out, errOut := revops(t, nil, args...); code != 0 || out == "" {
			t.Errorf("%s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
	}
	if n := queryRows(t, cfg, "SELECT count(*) AS n FROM _revops.sync_runs WHERE status = 'succeeded'")[0]["n"]; num(n) < 6 {
		t.Errorf("%v succeeded sync runs recorded, want 6", n)
	}
	// A result longer than a page (10,000 rows) comes back through the
	// Storage Read API (storage_endpoint in the config).
	bq.ResetRequests()
	if rows := queryRows(t, cfg, "SELECT n FROM UNNEST(GENERATE_ARRAY(1, 25000)) AS n ORDER BY n"); len(rows) != 25000 || num(rows[24999]["n"]) != 25000 {
		t.Errorf("a query of 25,000 rows returned %d", len(rows))
	}
	if r := bq.Requests(); r["storage.CreateReadSession"] != 1 || r["storage.ReadRows"] == 0 {
		t.Errorf("the 25,000 rows were not read through the Storage Read API: requests %v", r)
	}
}

// replaceWarehouse swaps the DuckDB warehouse section of a config the
// sandbox wrote (its keys, comments and settings, up to the blank line
// after it) for section.
func replaceWarehouse(t *testing.T, config []byte, section string) []byte {
	t.Helper()
	s := string(config)
	start := strings.Index(s, "warehouse:\n  type: duckdb\n")
	if start < 0 {
		t.Fatalf("the sandbox config has no DuckDB warehouse section:\n%s", s)
	}
	end := strings.Index(s[start:], "\n\n")
	if end < 0 {
		t.Fatalf("the sandbox config's warehouse section does not end:\n%s", s[start:])
	}
	return []byte(s[:start] + section + s[start+end+1:])
}
