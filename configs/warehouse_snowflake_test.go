package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSnowflakeSection(t *testing.T) {
	dir := t.TempDir()
	key := "-----BEGIN PRIVATE KEY-----\nczNjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n"
	if err := os.WriteFile(filepath.Join(dir, "sf.p8"), []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "enc.p8"), []byte(strings.ReplaceAll(key, "PRIVATE KEY", "ENCRYPTED PRIVATE KEY")), 0o600); err != nil {
		t.Fatal(err)
	}
	const base = "  account: myorg-acct\n  user: REVOPS\n  database: REVOPS\n"
	cases := []struct {
		name, body, want string
		env              map[string]string
	}{
		{"key pair", base + "  private_key_file: sf.p8\n  role: REVOPS_ROLE\n  warehouse: REVOPS_WH\n", "", nil},
		{"password from env", base + "  password: ${SF_PW}\n", "", map[string]string{"SF_PW": "pa55-w0rd"}},
		{"emulator address", base + "  password: x\n  host: 127.0.0.1\n  port: 8765\n  protocol: http\n", "", nil},
		{"missing account", "  user: u\n  password: p\n  database: D\n", "warehouse.account: required", nil},
		{"missing user", "  account: a\n  password: p\n  database: D\n", "warehouse.user: required", nil},
		{"no credentials", base, "warehouse.private_key_file: required (or password)", nil},
		{"both credentials", base + "  password: pa55-w0rd\n  private_key_file: sf.p8\n", "warehouse.password: set either", nil},
		{"missing database", "  account: a\n  user: u\n  password: pa55-w0rd\n", "warehouse.database: required", nil},
		{"encrypted key", base + "  private_key_file: enc.p8\n", "warehouse.private_key_file: the key is encrypted", nil},
		{"not a key", base + "  private_key_file: notes.txt\n", "warehouse.private_key_file: read secret file", nil},
		{"bad role", base + "  password: pa55-w0rd\n  role: \"my role\"\n", "warehouse.role: \"my role\" is not a plain name", nil},
		{"host without port", base + "  password: pa55-w0rd\n  host: 127.0.0.1\n", "warehouse.port: required with host", nil},
		{"bad protocol", base + "  password: pa55-w0rd\n  protocol: ftp\n", "warehouse.protocol:", nil},
		{"unknown key", base + "  password: pa55-w0rd\n  schema: X\n", "warehouse.schema: unknown key", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "revops.yaml")
			env := Env(func(k string) (string, bool) { v, ok := c.env[k]; return v, ok })
			cfg, err := Parse(path, []byte("version: 1\nwarehouse:\n  type: snowflake\n"+c.body), env)
			var o Snowflake
			if err == nil {
				err = cfg.Warehouse.Options.Decode(&o)
			}
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(c.body, "private_key_file") && o.PrivateKey != strings.TrimSpace(key) {
					t.Fatalf("private key = %q, want the key file's contents", o.PrivateKey)
				}
				if c.env != nil && o.Password != c.env["SF_PW"] {
					t.Fatalf("password not expanded from the environment")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			for _, secret := range []string{"czNjcmV0", "pa55-w0rd"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error echoes a secret: %v", err)
				}
			}
		})
	}
}
