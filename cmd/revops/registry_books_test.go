package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateBooksAndProjects: zoho_books and zoho_projects sources
// validate with their secrets from ${VAR} and a _file; a bad setting is
// named at its line.
func TestValidateBooksAndProjects(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "refresh"), []byte("1000.sandbox.refresh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := "version: 1\nwarehouse: {type: duckdb, path: w.duckdb}\nsources:\n" +
		"  - name: books\n    type: zoho_books\n    data_center: eu\n    organization_id: \"10234695\"\n" +
		"    client_id: 1000.X\n    client_secret: ${BOOKS_SECRET}\n    refresh_token_file: refresh\n    custom_fields: [cf_revops_id]\n" +
		"  - name: projects\n    type: zoho_projects\n    portal_id: \"58572595\"\n" +
		"    client_id: 1000.X\n    client_secret: ${BOOKS_SECRET}\n    refresh_token_file: refresh\n"
	env := map[string]string{"BOOKS_SECRET": "s3cret", "REVOPS_CACHE_DIR": "off"}
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if code, out, errOut := revops(t, env, "validate", "-c", write("good.yaml", good)); code != 0 {
		t.Fatalf("validate: exit %d: %s %s", code, out, errOut)
	}
	for _, c := range []struct{ name, from, to, want string }{
		{"org id", `organization_id: "10234695"`, "organization_id: zillum", "sources[0].organization_id"},
		{"no org id", `    organization_id: "10234695"` + "\n", "", "sources[0].organization_id: required"},
		{"custom field", "[cf_revops_id]", "[revops_id]", "sources[0].custom_fields[0]"},
		{"data center", "data_center: eu", "data_center: mars", "sources[0].data_center"},
		{"portal", `portal_id: "58572595"`, "portal_id: my-portal", "sources[1].portal_id"},
		{"pace", `portal_id: "58572595"` + "\n", `portal_id: "58572595"` + "\n    limits: {requests_per_second: 5}\n", "sources[1].limits.requests_per_second"},
		{"call limit", `portal_id: "58572595"` + "\n", `portal_id: "58572595"` + "\n    call_limit: -1\n", "sources[1].call_limit"},
		{"pace above the call limit", `portal_id: "58572595"` + "\n", `portal_id: "58572595"` + "\n    call_limit: 1000\n    limits: {requests_per_second: 10}\n", "past 1000 (call_limit"},
	} {
		body := strings.Replace(good, c.from, c.to, 1)
		code, _, errOut := revops(t, env, "validate", "-c", write(strings.ReplaceAll(c.name, " ", "_")+".yaml", body))
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, %s; want 2 naming %s", c.name, code, errOut, c.want)
		}
		if strings.Contains(errOut, "s3cret") {
			t.Errorf("%s: the secret is in the error", c.name)
		}
	}
}
