package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

type testOpts struct {
	ClientID     string        `yaml:"client_id"`
	ClientSecret string        `yaml:"client_secret"`
	Port         int           `yaml:"port"`
	Timeout      time.Duration `yaml:"timeout"`
	Objects      []string      `yaml:"objects"`
	Nested       struct {
		Flag bool `yaml:"flag"`
	} `yaml:"nested"`
}

func (o *testOpts) Validate() error {
	if o.ClientID == "" {
		return errorString("client_id: required")
	}
	if o.Port > 65535 {
		return errorString("port: must be below 65536")
	}
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

const good = `version: 1
warehouse:
  type: duckdb
  path: ${WH_PATH:-revops.duckdb}
sources:
  - name: salesforce
    type: salesforce
    client_id: ${SF_ID}
    client_secret_file: secret.txt
    timeout: 30s
    objects: [Lead, Contact]
  - name: zoho_crm
    type: zoho_crm
    enabled: false
    client_id: "lit$$eral"
models:
  paths: [models]
  vars: {region: emea}
syncs:
  - name: leads_to_zoho
    model: syncs/leads
`

func TestParseGood(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "revops.yaml")
	cfg, err := Parse(path, []byte(good), envOf(map[string]string{"SF_ID": "abc"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse.Type != "duckdb" || len(cfg.Sources) != 2 || len(cfg.Syncs) != 1 || cfg.Syncs[0].Name != "leads_to_zoho" {
		t.Fatalf("cfg = %+v", cfg)
	}
	var wh struct {
		Path string `yaml:"path"`
	}
	if err := cfg.Warehouse.Options.Decode(&wh); err != nil || wh.Path != "revops.duckdb" {
		t.Fatalf("warehouse path = %q, %v", wh.Path, err)
	}
	if got := cfg.Resolve(wh.Path); got != filepath.Join(dir, "revops.duckdb") {
		t.Errorf("resolve = %s", got)
	}
	var sf testOpts
	if err := cfg.Sources[0].Options.Decode(&sf); err != nil {
		t.Fatal(err)
	}
	if sf.ClientID != "abc" || sf.ClientSecret != "s3cr3t" || sf.Timeout != 30*time.Second || len(sf.Objects) != 2 {
		t.Fatalf("salesforce options = %+v", sf)
	}
	if cfg.Sources[1].Enabled {
		t.Error("zoho_crm should be disabled")
	}
	var zo testOpts
	if err := cfg.Sources[1].Options.Decode(&zo); err != nil || zo.ClientID != "lit$eral" {
		t.Fatalf("zoho options = %+v, %v", zo, err)
	}
	if cfg.Models.Vars["region"] != "emea" || cfg.Models.Paths[0] != "models" {
		t.Errorf("models = %+v", cfg.Models)
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("hunter2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "latin1.txt"), []byte("hunter\xe9"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		yaml string
		env  map[string]string
		want string // substring of the error, which starts with the file
	}{
		{"empty", "", nil, "revops.yaml:1: the file is empty"},
		{"syntax", "version: 1\nwarehouse: [a\n", nil, "revops.yaml:2"},
		{"unknown top key", "version: 1\nwarehouse: {type: duckdb}\nsoruces: []\n", nil, "revops.yaml:3:1: soruces: unknown key"},
		{"missing version", "warehouse: {type: duckdb}\n", nil, "version: required"},
		{"bad version", "version: 2\nwarehouse: {type: duckdb}\n", nil, "revops.yaml:1:1: version: version 2 is not supported"},
		{"version type", "version: one\nwarehouse: {type: duckdb}\n", nil, "revops.yaml:1:10: version: want a whole number, got a string"},
		{"missing warehouse", "version: 1\n", nil, "warehouse: required"},
		{"warehouse type missing", "version: 1\nwarehouse:\n  path: x\n", nil, "revops.yaml:2:1: warehouse.type: required"},
		{"warehouse not a map", "version: 1\nwarehouse: duckdb\n", nil, "revops.yaml:2:12: warehouse: want a mapping"},
		{"sources not a list", "version: 1\nwarehouse: {type: duckdb}\nsources: {a: 1}\n", nil, "sources: want a list"},
		{"source without name", "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - type: salesforce\n", nil, "revops.yaml:4:5: sources[0].name: required"},
		{"source bad name", "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - name: sales-force\n    type: salesforce\n", nil, "revops.yaml:4:11: sources[0].name: \"sales-force\" is not a plain identifier"},
		{"source twice", "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - {name: a, type: x}\n  - {name: a, type: x}\n", nil, "sources[1].name: source \"a\" is declared twice"},
		{"enabled type", "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - name: a\n    type: x\n    enabled: maybe\n", nil, "revops.yaml:6:14: sources[0].enabled: want true or false"},
		{"unset env", "version: 1\nwarehouse:\n  type: duckdb\n  path: ${NOPE}\n", nil, "revops.yaml:4:9: warehouse.path: environment variable NOPE is not set"},
		{"bad env name", "version: 1\nwarehouse:\n  type: duckdb\n  path: ${1X}\n", nil, "is not an environment variable name"},
		{"unclosed env", "version: 1\nwarehouse:\n  type: duckdb\n  path: ${X\n", nil, "unclosed ${"},
		{"both secret forms", "version: 1\nwarehouse:\n  type: duckdb\n  password: x\n  password_file: secret.txt\n", nil, "revops.yaml:5:3: warehouse.password_file: set either password or password_file, not both"},
		{"missing secret file", "version: 1\nwarehouse:\n  type: duckdb\n  password_file: nope.txt\n", nil, "revops.yaml:4:18: warehouse.password_file: read secret file"},
		{"syncs without name", "version: 1\nwarehouse: {type: duckdb}\nsyncs:\n  - model: x\n", nil, "syncs[0].name: required"},
		{"latin-1 byte", "version: 1\nwarehouse: {type: duckdb}\nsyncs:\n  - name: a\n    mapping:\n      Description: {value: \"Caf\xe9 M\xfcller\"}\n", nil,
			"revops.yaml:6:32: byte 0xE9 is not UTF-8"},
		{"latin-1 in a comment", "# caf\xe9\nversion: 1\n", nil, "revops.yaml:1:6: byte 0xE9 is not UTF-8"},
		{"latin-1 in env", "version: 1\nwarehouse:\n  type: duckdb\n  path: ${BAD}\n", map[string]string{"BAD": "x\xe9"}, "revops.yaml:4:9: warehouse.path: environment variable BAD is not UTF-8"},
		{"latin-1 secret file", "version: 1\nwarehouse:\n  type: duckdb\n  password_file: latin1.txt\n", nil, "warehouse.password_file: the file"},
		{"models unknown key", "version: 1\nwarehouse: {type: duckdb}\nmodels:\n  path: [x]\n", nil, "revops.yaml:4:3: models.path: unknown key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, "revops.yaml"), []byte(c.yaml), envOf(c.env))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), filepath.Join(dir, "revops.yaml")) {
				t.Fatalf("error = %q\nwant it to start with the file and contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "hunter") {
				t.Fatal("a secret reached an error")
			}
		})
	}
}

func TestConnectorOptionErrors(t *testing.T) {
	base := "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - name: s\n    type: x\n"
	cases := []struct {
		name, body, want string
	}{
		{"unknown key", "    client_id: a\n    clientid: b\n", "revops.yaml:7:5: sources[0].clientid: unknown key"},
		{"wrong type", "    client_id: a\n    port: eighty\n", "revops.yaml:7:11: sources[0].port: want a whole number"},
		{"nested unknown", "    client_id: a\n    nested:\n      flg: true\n", "revops.yaml:8:7: sources[0].nested.flg: unknown key"},
		{"validate missing", "    port: 80\n", "revops.yaml:4:5: sources[0].client_id: required"},
		{"validate at key", "    client_id: a\n    port: 70000\n", "revops.yaml:7:5: sources[0].port: must be below 65536"},
		{"list type", "    client_id: a\n    objects: Lead\n", "sources[0].objects: want a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("revops.yaml", []byte(base+c.body), nil)
			if err != nil {
				t.Fatal(err)
			}
			var o testOpts
			err = cfg.Sources[0].Options.Decode(&o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
		})
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	cfg, err := Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\nsources:\n  - name: s\n    type: x\n    client_id: ok\n    port: ${SECRET}\n"),
		envOf(map[string]string{"SECRET": "tops3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	var o testOpts
	err = cfg.Sources[0].Options.Decode(&o)
	if err == nil || strings.Contains(err.Error(), "tops3cret") {
		t.Fatalf("error = %v: want an error that does not echo the value", err)
	}
}

func TestStarterParses(t *testing.T) {
	cfg, err := Parse("revops.yaml", []byte(Starter), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse.Type != "duckdb" || len(cfg.Sources) != 3 {
		t.Fatalf("starter = %+v", cfg)
	}
	for _, s := range cfg.Sources {
		if s.Enabled {
			t.Errorf("source %s is enabled in the starter, but has no credentials", s.Name)
		}
	}
}

// TestDecodeNeverPanics: the YAML decoder panics on a few malformed
// documents (a tag on an empty sequence item); Decode reports an error
// at the section instead.
func TestDecodeNeverPanics(t *testing.T) {
	cfg, err := Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\nidentity:\n  matching:\n    person:\n      blocking:\n       !0 #0\n"), nil)
	if err != nil {
		t.Skipf("the parser refuses the document already: %v", err)
	}
	var v struct {
		Matching struct {
			Person struct {
				Blocking []map[string]any `yaml:"blocking"`
			} `yaml:"person"`
		} `yaml:"matching"`
	}
	for name, decode := range map[string]func(any) error{"Decode": cfg.Identity.Decode, "DecodeKeys": cfg.Identity.DecodeKeys} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s panicked: %v", name, p)
				}
			}()
			if err := decode(&v); err != nil && !strings.HasPrefix(err.Error(), "revops.yaml:") {
				t.Errorf("%s: error %q does not name the file", name, err)
			}
		}()
	}
}

func TestParseLinks(t *testing.T) {
	cfg, err := Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\nlinks:\n  - name: leads\n    left: {source: zoho_crm, object: Leads}\n  - name: contacts\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Links) != 2 || cfg.Links[0].Name != "leads" || cfg.Links[1].Name != "contacts" || cfg.Links[0].Spec.Path() != "links[0]" {
		t.Fatalf("links = %+v", cfg.Links)
	}
	var spec struct {
		Left struct {
			Source string `yaml:"source"`
			Object string `yaml:"object"`
		} `yaml:"left"`
	}
	if err := cfg.Links[0].Spec.Decode(&spec); err != nil || spec.Left.Source != "zoho_crm" {
		t.Fatalf("decode: %+v, %v", spec, err)
	}
	for _, c := range []struct{ yaml, want string }{
		{"links:\n  - left: {}\n", "revops.yaml:4:5: links[0].name: required"},
		{"links:\n  - name: a-b\n", "revops.yaml:4:11: links[0].name: \"a-b\" is not a plain identifier"},
		{"links:\n  - name: a\n  - name: a\n", "revops.yaml:5:11: links[1].name: link \"a\" is declared twice"},
		{"links: {a: 1}\n", "links: want a list"},
	} {
		_, err := Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\n"+c.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}

// TestParseAlerts: the alerts section is kept for package alert, with
// its position; ${ENV} is expanded in it; it must be a mapping.
func TestParseAlerts(t *testing.T) {
	env := func(k string) (string, bool) {
		if k == "SLACK_WEBHOOK" {
			return "https://hooks.invalid/T/B/secret", true
		}
		return "", false
	}
	cfg, err := Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\nalerts:\n  webhook:\n    url: ${SLACK_WEBHOOK}\n    on: [failure]\n"), env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Alerts.IsZero() || cfg.Alerts.Path() != "alerts" {
		t.Fatalf("alerts section: %+v", cfg.Alerts)
	}
	var a struct {
		Webhook struct {
			URL string   `yaml:"url"`
			On  []string `yaml:"on"`
		} `yaml:"webhook"`
	}
	if err := cfg.Alerts.Decode(&a); err != nil || a.Webhook.URL != "https://hooks.invalid/T/B/secret" || len(a.Webhook.On) != 1 || a.Webhook.On[0] != "failure" {
		t.Fatalf("decode: %+v, %v", a, err)
	}
	if err := cfg.Alerts.Errorf("webhook.on", "bad"); !strings.HasPrefix(err.Error(), "revops.yaml:6:5: alerts.webhook.on: bad") {
		t.Errorf("position: %v", err)
	}
	cfg, err = Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\n"), nil)
	if err != nil || !cfg.Alerts.IsZero() {
		t.Fatalf("no alerts section: %v %+v", err, cfg.Alerts)
	}
	for _, c := range []struct{ yaml, want string }{
		{"alerts: [x]\n", "revops.yaml:3:"},
		{"alerts:\n  webhook:\n    url: ${NOT_SET}\n", "NOT_SET"},
		{"alert: {}\n", "or alerts)"},
	} {
		_, err := Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb}\n"+c.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
}
