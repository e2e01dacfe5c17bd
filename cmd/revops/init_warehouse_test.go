package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitWarehouseThenValidate: `revops init --warehouse bigquery|snowflake`
// writes that engine's commented section, which validates once its
// settings are given and otherwise names the one missing.
func TestInitWarehouseThenValidate(t *testing.T) {
	key := "-----BEGIN PRIVATE KEY-----\nczNjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n"
	cases := []struct {
		warehouse string
		env       map[string]string
		bad       map[string]string // env under which validate fails
		want      string            // what that failure names
	}{
		{"bigquery", map[string]string{"BIGQUERY_PROJECT": "acme-analytics", "BIGQUERY_LOCATION": "EU"},
			map[string]string{"BIGQUERY_PROJECT": "Acme Analytics"}, "warehouse.project: \"Acme Analytics\" is not a Google Cloud project id"},
		{"snowflake", map[string]string{"SNOWFLAKE_ACCOUNT": "myorg-acct"},
			map[string]string{"SNOWFLAKE_ACCOUNT": "myorg-acct", "SNOWFLAKE_PRIVATE_KEY_FILE": "missing.p8"}, "warehouse.private_key_file"},
	}
	for _, c := range cases {
		t.Run(c.warehouse, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "revops_key.p8"), []byte(key), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := revops(t, nil, "init", dir, "--warehouse", c.warehouse); code != 0 || !strings.Contains(out, "wrote") {
				t.Fatalf("init: %d %q %q", code, out, errOut)
			}
			cfg := filepath.Join(dir, "revops.yaml")
			data, err := os.ReadFile(cfg)
			if err != nil || !strings.Contains(string(data), "type: "+c.warehouse) {
				t.Fatalf("revops.yaml: %v\n%s", err, data)
			}
			if code, out, errOut := revops(t, c.env, "validate", "--config", cfg); code != 0 || !strings.Contains(out, "warehouse "+c.warehouse) {
				t.Errorf("validate: %d %q %q", code, out, errOut)
			}
			code, _, errOut := revops(t, c.bad, "validate", "--config", cfg)
			if code == 0 || !strings.Contains(errOut, c.want) {
				t.Errorf("validate with %v: %d %q, want an error naming %s", c.bad, code, errOut, c.want)
			}
		})
	}
	if code, _, errOut := revops(t, nil, "init", t.TempDir(), "--warehouse", "oracle"); code == 0 ||
		!strings.Contains(errOut, "--warehouse: warehouse \"oracle\" (want duckdb, bigquery, snowflake)") {
		t.Errorf("init --warehouse oracle: %d %q", code, errOut)
	}
}
