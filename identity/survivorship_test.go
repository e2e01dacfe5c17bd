package identity_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/identity"
)

// TestSurvivorshipShippedSeedsAreTheDefaults: the seeds shipped in
// configs/seeds (what a models run outside revops reads) are the defaults
// revops writes when the config sets no rule.
func TestSurvivorshipShippedSeedsAreTheDefaults(t *testing.T) {
	for name, want := range (identity.Survivorship{}).Seeds() {
		got, err := fs.ReadFile(configs.Seeds, "seeds/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("configs/seeds/%s differs from Survivorship{}.Seeds():\n%s\nwant:\n%s", name, got, want)
		}
	}
}

func parseIdentity(t *testing.T, section string) (identity.Options, error) {
	t.Helper()
	src := "version: 1\nwarehouse:\n  type: duckdb\n  path: x.duckdb\nidentity:\n" + section
	cfg, err := configs.Parse("revops.yaml", []byte(src), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return identity.Decode(cfg.Identity.Decode)
}

// TestSurvivorshipConfig: rules as names or mappings become the seeds the
// models read; the defaults stand for the fields not named.
func TestSurvivorshipConfig(t *testing.T) {
	o, err := parseIdentity(t, `  survivorship:
    source_priority: [zoho_crm]
    persons:
      first_name: most_recent
      email: {rule: source_priority, sources: [zoho_desk, salesforce]}
    companies:
      name: most_complete
`)
	if err != nil {
		t.Fatal(err)
	}
	seeds := o.Survivorship.Seeds()
	rules := string(seeds["identity_survivorship.csv"])
	for _, want := range []string{"person,first_name,most_recent\n", "person,email,source_priority\n",
		"person,last_name,most_frequent\n", "company,name,most_complete\n", "company,website,most_frequent\n"} {
		if !strings.Contains(rules, want) {
			t.Errorf("identity_survivorship.csv lacks %q:\n%s", want, rules)
		}
	}
	prio := string(seeds["identity_source_priority.csv"])
	for _, want := range []string{
		// The default order: the one listed, then the others.
		"person,*,zoho_crm,1\nperson,*,salesforce,2\nperson,*,zoho_desk,3\n",
		"company,*,zoho_crm,1\n",
		// A field's own order.
		"person,email,zoho_desk,1\nperson,email,salesforce,2\nperson,email,zoho_crm,3\n",
	} {
		if !strings.Contains(prio, want) {
			t.Errorf("identity_source_priority.csv lacks %q:\n%s", want, prio)
		}
	}
}

// TestSurvivorshipConfigErrors: a rule naming an unknown field, rule or
// source is an error at its file, line and column.
func TestSurvivorshipConfigErrors(t *testing.T) {
	for _, c := range []struct{ section, want string }{
		{"  survivorship:\n    persons:\n      emial: most_recent\n",
			`revops.yaml:8:7: identity.survivorship.persons.emial: unknown field "emial" (person fields: first_name, last_name, email,`},
		{"  survivorship:\n    companies:\n      name: newest\n",
			`revops.yaml:8:7: identity.survivorship.companies.name: unknown rule "newest" (want one of source_priority, most_recent, most_complete, most_frequent)`},
		{"  survivorship:\n    persons:\n      email: {rule: source_priority, sources: [hubspot]}\n",
			`revops.yaml:8:38: identity.survivorship.persons.email.sources: unknown source "hubspot" (the identity models read salesforce, zoho_crm, zoho_desk)`},
		{"  survivorship:\n    source_priority: [salesforce, zoho_crm, salesforce]\n",
			`revops.yaml:7:5: identity.survivorship.source_priority: salesforce is listed twice`},
		{"  survivorship:\n    persons:\n      email: {sources: [salesforce]}\n",
			`revops.yaml:8:7: identity.survivorship.persons.email: no rule (want one of`},
		{"  survivorship:\n    persons:\n      email: {rule: most_recent, source: [salesforce]}\n",
			`revops.yaml:8:`},
	} {
		_, err := parseIdentity(t, c.section)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.section, err, c.want)
		}
	}
}
