package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
)

// TestZohoCampaignsSource extracts a zoho_campaigns source, its secrets
// from ${VAR} and a _file, into DuckDB through `revops extract`.
func TestZohoCampaignsSource(t *testing.T) {
	t.Parallel()
	zo := zohotest.Start(zohotest.Options{})
	defer zo.Close()
	cs := campaignstest.Start(campaignstest.Options{Tokens: zo.Server})
	defer cs.Close()
	w := sandbox.Generate(sandbox.Options{Seed: 2, Records: 600})
	cs.Seed(w.Project(sandbox.ZohoCampaigns))

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "refresh"), []byte(zo.RefreshToken()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "revops.yaml")
	body := "version: 1\nwarehouse: {type: duckdb, path: w.duckdb}\nsources:\n  - name: campaigns\n    type: zoho_campaigns\n" +
		"    accounts_url: " + zo.URL + "\n    campaigns_url: " + cs.URL + "\n    client_id: " + zo.ClientID() +
		"\n    client_secret: ${ZC_SECRET}\n    refresh_token_file: refresh\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ZC_SECRET": zo.ClientSecret(), "REVOPS_CACHE_DIR": "off"}
	code, out, errOut := revops(t, env, "extract", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("extract: exit %d: %s %s", code, errOut, out)
	}
	if !strings.Contains(out, `"object":"campaign_recipients"`) || !strings.Contains(out, `"object":"campaigns"`) {
		t.Fatalf("extract printed %s", out)
	}
	code, out, errOut = revops(t, env, "query", "-c", cfg, "--json", "SELECT count(*) AS n FROM campaigns.campaign_recipients")
	if code != 0 || !strings.Contains(out, `"n":`+strconv.Itoa(cs.Events())) {
		t.Fatalf("query: %d %s %s; want %d events", code, out, errOut, cs.Events())
	}

	// A bad setting is named with its place in the file.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(body, "    client_id:", "    actions: [openedcontacts, readcontacts]\n    client_id:", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = revops(t, env, "validate", "-c", bad)
	if code != 2 || !strings.Contains(errOut, "sources[0].actions[1]") || !strings.Contains(errOut, "readcontacts") {
		t.Fatalf("validate: exit %d, %s", code, errOut)
	}
}
