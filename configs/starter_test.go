package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStarterFor: each warehouse's starter loads, and its warehouse
// section decodes and validates once its variables are set (and names
// the setting when they are not).
func TestStarterFor(t *testing.T) {
	dir := t.TempDir()
	key := "-----BEGIN PRIVATE KEY-----\nczNjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n"
	if err := os.WriteFile(filepath.Join(dir, "revops_key.p8"), []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		warehouse string
		section   any
		env       map[string]string
		want      string // the error without env, "" when it loads
	}{
		{"duckdb", nil, nil, ""},
		{"bigquery", &BigQuery{}, map[string]string{"BIGQUERY_PROJECT": "acme-analytics"}, "BIGQUERY_PROJECT"},
		{"snowflake", &Snowflake{}, map[string]string{"SNOWFLAKE_ACCOUNT": "myorg-acct"}, "SNOWFLAKE_ACCOUNT"},
	}
	for _, c := range cases {
		t.Run(c.warehouse, func(t *testing.T) {
			src, err := StarterFor(c.warehouse)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(src, "type: "+c.warehouse) || strings.Count(src, "\nwarehouse:\n") != 1 {
				t.Fatalf("starter for %s:\n%s", c.warehouse, src)
			}
			path := filepath.Join(dir, c.warehouse+".yaml")
			if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			load := func(env map[string]string) error {
				cfg, err := Load(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
				if err != nil {
					return err
				}
				if cfg.Warehouse.Type != c.warehouse {
					t.Errorf("type %q, want %q", cfg.Warehouse.Type, c.warehouse)
				}
				if c.section != nil {
					return cfg.Warehouse.Options.Decode(c.section)
				}
				return nil
			}
			if err := load(c.env); err != nil {
				t.Errorf("with %v: %v", c.env, err)
			}
			err = load(nil)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("without env: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("without env: %v, want an error naming %s", err, c.want)
			}
		})
	}
	if _, err := StarterFor("oracle"); err == nil || !strings.Contains(err.Error(), "duckdb, bigquery, snowflake") {
		t.Errorf("StarterFor(oracle): %v", err)
	}
}
