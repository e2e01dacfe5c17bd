package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBigQuerySection(t *testing.T) {
	dir := t.TempDir()
	key := `{"type": "service_account", "private_key": "s3cret-key"}`
	if err := os.WriteFile(filepath.Join(dir, "bq.json"), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, body, want string
	}{
		{"good", "  project: acme-analytics\n  dataset_prefix: revops_\n  location: EU\n  credentials_file: bq.json\n", ""},
		{"application default", "  project: acme-analytics\n", ""},
		{"missing project", "  location: EU\n", "warehouse.project: required"},
		{"bad project", "  project: Acme_Analytics\n", "warehouse.project: \"Acme_Analytics\" is not a Google Cloud project id"},
		{"bad prefix", "  project: acme-analytics\n  dataset_prefix: rev-ops\n", "warehouse.dataset_prefix:"},
		{"unknown key", "  project: acme-analytics\n  dataset: x\n", "warehouse.dataset: unknown key"},
		{"emulator endpoint", "  project: acme-analytics\n  endpoint: http://127.0.0.1:9050\n", ""},
		{"bad endpoint", "  project: acme-analytics\n  endpoint: 127.0.0.1:9050\n", "warehouse.endpoint: \"127.0.0.1:9050\" is not an http(s) URL"},
		{"storage emulator", "  project: acme-analytics\n  endpoint: http://127.0.0.1:9050\n  storage_endpoint: 127.0.0.1:9051\n  storage_read: true\n", ""},
		{"bad storage endpoint", "  project: acme-analytics\n  storage_endpoint: http://127.0.0.1:9051\n", "warehouse.storage_endpoint: \"http://127.0.0.1:9051\" is not host:port"},
		{"missing key file", "  project: acme-analytics\n  credentials_file: nope.json\n", "warehouse.credentials_file: read secret file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "revops.yaml")
			cfg, err := Parse(path, []byte("version: 1\nwarehouse:\n  type: bigquery\n"+c.body), nil)
			var o BigQuery
			if err == nil {
				err = cfg.Warehouse.Options.Decode(&o)
			}
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(c.body, "credentials_file") && o.Credentials != key {
					t.Fatalf("credentials = %q, want the key file's contents", o.Credentials)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "s3cret-key") {
				t.Fatalf("error echoes the key: %v", err)
			}
		})
	}
}
