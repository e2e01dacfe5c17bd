package sync

import (
	"errors"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
)

// FuzzParseSyncs feeds the sync spec parser arbitrary `syncs:` sections:
// it must never panic, every error must be a *configs.Error naming the
// file, and every spec it accepts must validate, fingerprint and say
// whether it is idempotent.
func FuzzParseSyncs(f *testing.F) {
	f.Add([]byte(`  - name: s
    model: syncs.s
    destination: {source: salesforce, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
      Description: {value: "Synced by revops"}
`))
	f.Add([]byte(`  - name: m
    sql: SELECT 1 AS k
    destination: {source: zoho_crm, object: Leads}
    mode: mirror
    match: {by: id, create_key: Revops_Key}
    key: k
    mapping:
      Status: {column: s, picklist: {a: b}}
      Owner: {lookup: {sync: m, column: k}}
    mirror: {action: archive, archive_field: Active, archive_value: false, max_share: 0.5}
`))
	f.Add([]byte("  - name: x\n    mode: [upsert]\n    mapping: {A: {colum: b}}\n"))
	f.Add([]byte("  - name: y\n    match: {by: duplicate_check, fields: [Email, Phone]}\n    mapping: {Email: {value: \"caf\xe9\"}}\n"))
	f.Add([]byte("  - {name: z, destination: {source: zoho_desk, object: tickets}}\n  - name: z\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		cfg, err := configs.Parse("fuzz.yaml", append([]byte(syncConfigHead), body...), nil)
		if err != nil {
			return // the config frame itself is the configs package's fuzz target
		}
		parsed := ParseEach(cfg, []string{"salesforce", "zoho_crm"})
		if len(parsed) != len(cfg.Syncs) {
			t.Fatalf("%d results for %d syncs", len(parsed), len(cfg.Syncs))
		}
		for _, p := range parsed {
			if p.Err != nil {
				var ce *configs.Error
				if !errors.As(p.Err, &ce) || ce.File != "fuzz.yaml" || !strings.HasPrefix(ce.Key, "syncs[") {
					t.Fatalf("sync %s: error %v (%T) does not name the file and key", p.Name, p.Err, p.Err)
				}
				continue
			}
			if err := p.Spec.Validate(); err != nil {
				t.Fatalf("sync %s parsed but does not validate: %v", p.Name, err)
			}
			_ = p.Spec.Fingerprint()
			if ok, why := p.Spec.Idempotency(); why == "" {
				t.Fatalf("sync %s: Idempotency %v without a reason", p.Name, ok)
			}
		}
	})
}
