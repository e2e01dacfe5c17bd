package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateDeskSyncs: zoho_desk is a sync destination for contacts
// and accounts; another object, and a mirror that deletes, are refused by
// validate at their line.
func TestValidateDeskSyncs(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimRight(string(data), "\n") + "\n" + `  - name: desk_contacts_ok
    model: syncs.zoho_leads_to_sf
    destination: {source: zoho_desk, object: contacts}
    mode: upsert
    match: {by: duplicate_check, fields: [email, cf_revops_key]}
    key: zoho_lead_id
    mapping:
      email: {column: email}
      lastName: {column: last_name}
      cf_revops_key: {column: zoho_lead_id}
  - name: desk_tickets
    model: syncs.zoho_leads_to_sf
    destination: {source: zoho_desk, object: tickets}
    mode: update
    match: {by: id}
    key: zoho_lead_id
    mapping:
      subject: {column: last_name}
  - name: desk_mirror
    model: syncs.zoho_leads_to_sf
    destination: {source: zoho_desk, object: accounts}
    mode: mirror
    mirror: {action: delete}
    match: {by: duplicate_check, fields: [accountName]}
    key: zoho_lead_id
    mapping:
      accountName: {column: last_name}
`
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := revops(t, nil, "validate", "-c", cfg)
	if code != 2 {
		t.Fatalf("validate: exit %d, want 2\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"desk_tickets", "writes contacts and accounts, not tickets", "desk_mirror", "never deletes"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("errors do not say %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "desk_contacts_ok") {
		t.Errorf("the Desk contacts sync was refused:\n%s", errOut)
	}
}
