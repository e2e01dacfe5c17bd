package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// revops runs the command line in-process and returns its exit code and output.
func revops(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(t.Context(), args, &out, &errOut, lookup)
	return code, out.String(), errOut.String()
}

func TestInitThenValidate(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := revops(t, nil, "init", dir)
	if code != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("init: %d %q %q", code, out, errOut)
	}
	cfg := filepath.Join(dir, "revops.yaml")
	if code, _, errOut = revops(t, nil, "init", dir); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second init: %d %q", code, errOut)
	}
	if code, _, _ = revops(t, nil, "init", dir, "--force"); code != 0 {
		t.Fatal("init --force failed")
	}
	code, out, errOut = revops(t, nil, "validate", "--config", cfg, "-v")
	if code != 0 || !strings.Contains(out, "is valid") || !strings.Contains(out, "zoho_desk") {
		t.Fatalf("validate: %d %q %q", code, out, errOut)
	}
	// $REVOPS_CONFIG is the default --config.
	code, out, _ = revops(t, map[string]string{"REVOPS_CONFIG": cfg}, "validate", "--json")
	var res struct {
		OK      bool `json:"ok"`
		Sources []struct {
			Name string `json:"name"`
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK || len(res.Sources) != 3 {
		t.Fatalf("validate --json: %d %q %v", code, out, err)
	}
}

func TestValidateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, body, want string
		env              map[string]string
	}{
		{"unknown key", "version: 1\nwarehouse:\n  type: duckdb\n  path: x.duckdb\n  pth: y\n", "bad.yaml:5:3: warehouse.pth: unknown key", nil},
		{"unknown warehouse", "version: 1\nwarehouse:\n  type: oracle\n", "unknown warehouse type \"oracle\"", nil},
		{"snowflake without account", "version: 1\nwarehouse:\n  type: snowflake\n", "warehouse.account: required", nil},
		{"unknown source type", "version: 1\nwarehouse: {type: duckdb, path: x}\nsources:\n  - name: hub\n    type: hubspot\n", "bad.yaml:4:5: sources[0]: source hub: unknown type \"hubspot\"", nil},
		{"enabled source missing secret", "version: 1\nwarehouse: {type: duckdb, path: x}\nsources:\n  - name: zoho_crm\n    type: zoho_crm\n    client_id: a\n    refresh_token: r\n",
			"bad.yaml:4:5: sources[0].client_secret: required", nil},
		{"bad data center", "version: 1\nwarehouse: {type: duckdb, path: x}\nsources:\n  - name: z\n    type: zoho_crm\n    data_center: MARS\n    client_id: a\n    client_secret: b\n    refresh_token: c\n",
			"bad.yaml:6:5: sources[0].data_center: \"MARS\" is not one of US", nil},
		{"wrong type in source", "version: 1\nwarehouse: {type: duckdb, path: x}\nsources:\n  - name: s\n    type: salesforce\n    enabled: false\n    limits:\n      concurrency: many\n",
			"bad.yaml:8:20: sources[0].limits.concurrency: want a whole number", nil},
		{"malformed yaml", "version: 1\nwarehouse: {type: duckdb\n", "bad.yaml:", nil},
		{"identity unknown key", "version: 1\nwarehouse: {type: duckdb, path: x}\nidentity:\n  matchng: {}\n", "bad.yaml:4:3: identity.matchng: unknown key", nil},
		{"identity survivorship field", "version: 1\nwarehouse: {type: duckdb, path: x}\nidentity:\n  survivorship:\n    persons:\n      emial: most_recent\n", "identity.survivorship.persons.emial", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write("bad.yaml", c.body)
			code, _, errOut := revops(t, c.env, "validate", "-c", p)
			if code != 2 || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, c.want)
			}
			code, out, _ := revops(t, c.env, "validate", "-c", p, "--json")
			var res struct {
				OK    bool           `json:"ok"`
				Error map[string]any `json:"error"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil || code != 2 || res.OK || res.Error["message"] == nil {
				t.Fatalf("--json: %d %q %v", code, out, err)
			}
		})
	}
}

func TestStatusAndQuery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, _ := revops(t, nil, "init", dir); code != 0 {
		t.Fatal("init failed")
	}
	cfg := filepath.Join(dir, "revops.yaml")
	code, out, errOut := revops(t, nil, "status", "-c", cfg)
	if code != 0 || !strings.Contains(out, "0 cursors") {
		t.Fatalf("status: %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "revops.duckdb")); err != nil {
		t.Fatalf("the warehouse should be created beside the config: %v", err)
	}
	code, out, _ = revops(t, nil, "query", "-c", cfg, "--json", "SELECT table_name FROM information_schema.tables WHERE table_schema = '_revops' ORDER BY 1")
	var res struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || len(res.Rows) < 2 || res.Rows[0]["table_name"] != "cursors" {
		t.Fatalf("query: %d %q %v", code, out, err)
	}
	tables := map[any]bool{}
	for _, r := range res.Rows {
		tables[r["table_name"]] = true
	}
	if !tables["runs"] || !tables["identity_decisions"] {
		t.Fatalf("_revops tables: %v", res.Rows)
	}
	code, _, errOut = revops(t, nil, "query", "-c", cfg, "SELEC nonsense")
	if code != 1 || !strings.Contains(errOut, "syntax error") {
		t.Fatalf("bad query: %d %q", code, errOut)
	}
}

func TestUnwritableWarehouse(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	body := "version: 1\nwarehouse:\n  type: duckdb\n  path: missing/dir/wh.duckdb\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := revops(t, nil, "status", "-c", cfg)
	if code != 1 || !strings.Contains(errOut, "missing/dir") {
		t.Fatalf("status: %d %q", code, errOut)
	}
}
