//go:build duckdb_arrow

package main

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// goldenProject is a project whose identity inputs and clusters are user
// models over seeds the test rewrites between builds, standing in for the
// CRM data and the matcher: what is tested is how golden ids follow the
// clusters from build to build.
type goldenProject struct {
	t        *testing.T
	dir, cfg string
}

func newGoldenProject(t *testing.T) *goldenProject {
	t.Helper()
	g := &goldenProject{t: t}
	g.cfg, g.dir = modelProject(t, map[string]string{
		// The person records: the seed's columns, the other roles NULL.
		"identity/person_input.sql": `-- config: materialized=table
SELECT record_id, source, object, source_id, first_name, last_name, CAST(NULL AS VARCHAR) AS full_name,
    email, phone, CAST(NULL AS VARCHAR) AS company, city, CAST(NULL AS VARCHAR) AS postcode,
    CAST(NULL AS VARCHAR) AS address, CAST(NULL AS VARCHAR) AS country, CAST(NULL AS VARCHAR) AS website,
    CAST(NULL AS VARCHAR) AS date_of_birth, CAST(updated_at AS TIMESTAMPTZ) AS updated_at,
    CAST(created_at AS TIMESTAMPTZ) AS created_at, CAST(NULL AS VARCHAR) AS title, CAST(NULL AS VARCHAR) AS mobile,
    CAST(NULL AS VARCHAR) AS state, CAST(NULL AS VARCHAR) AS lead_source, CAST(NULL AS VARCHAR) AS company_record_id
FROM {{ ref "seeds.test_people" }}
`,
		"identity/person_clusters.sql": `SELECT c.record_id, c.cluster_id, p.source
FROM {{ ref "seeds.test_clusters" }} AS c JOIN {{ ref "identity.person_input" }} AS p ON p.record_id = c.record_id
`,
		// Every pair of a cluster is a deterministic link.
		"identity/person_links.sql": `SELECT a.record_id AS record_id_l, b.record_id AS record_id_r, 20.0 AS match_weight,
    1.0 AS match_probability, 'deterministic:test' AS rule, TRUE AS linked
FROM {{ ref "identity.person_clusters" }} AS a
JOIN {{ ref "identity.person_clusters" }} AS b ON b.cluster_id = a.cluster_id AND a.record_id < b.record_id
`,
		"identity/company_clusters.sql": `SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS VARCHAR) AS cluster_id, CAST(NULL AS VARCHAR) AS source WHERE 1 = 0
`,
		"identity/company_links.sql": `SELECT CAST(NULL AS VARCHAR) AS record_id_l, CAST(NULL AS VARCHAR) AS record_id_r, CAST(NULL AS DOUBLE) AS match_weight,
    CAST(NULL AS DOUBLE) AS match_probability, CAST(NULL AS VARCHAR) AS rule, CAST(NULL AS BOOLEAN) AS linked WHERE 1 = 0
`,
	})
	return g
}

// person is one row of the people seed: a Salesforce contact unless sys
// and object say otherwise.
type person struct {
	id, first, last, email, created, updated string
	sys, object, phone, city                 string
}

// contact is a Salesforce contact of the people seed.
func contact(id, first, last, email, created, updated string) person {
	return person{id: id, first: first, last: last, email: email, created: created, updated: updated}
}

func (p person) recordID() string {
	sys, obj := p.sys, p.object
	if sys == "" {
		sys, obj = "salesforce", "Contact"
	}
	return sys + ":" + obj + ":" + p.id
}

// build writes the people and clusters (each cluster a list of record ids)
// and builds the identity models that hold golden ids.
func (g *goldenProject) build(people []person, clusters [][]string, extra ...string) string {
	g.t.Helper()
	var b strings.Builder
	b.WriteString("record_id,source,object,source_id,first_name,last_name,email,phone,city,created_at,updated_at\n")
	recordIDs := map[string]string{}
	for _, p := range people {
		id := p.recordID()
		recordIDs[p.id] = id
		parts := strings.SplitN(id, ":", 3)
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", id, parts[0], parts[1], p.id, p.first, p.last, p.email,
			p.phone, p.city, p.created, p.updated)
	}
	g.write("seeds/test_people.csv", b.String())
	b.Reset()
	b.WriteString("record_id,cluster_id\n")
	for _, c := range clusters {
		ids := make([]string, len(c))
		for i, id := range c {
			ids[i] = recordIDs[id]
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Fprintf(&b, "%s,%s\n", id, ids[0])
		}
	}
	g.write("seeds/test_clusters.csv", b.String())
	args := append([]string{"build", "-c", g.cfg, "--select", "+identity.golden_ids", "--select", "+identity.crosswalk",
		"--select", "+identity.persons"}, extra...)
	code, out, errOut := revops(g.t, nil, args...)
	if code != 0 {
		g.t.Fatalf("build: exit %d\n%s\n%s", code, out, errOut)
	}
	return out
}

func (g *goldenProject) write(rel, body string) {
	g.t.Helper()
	p := filepath.Join(g.dir, "models", rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		g.t.Fatal(err)
	}
}

// ids returns each present record's golden id (by short id).
func (g *goldenProject) ids() map[string]string {
	g.t.Helper()
	out := map[string]string{}
	for _, r := range queryRows(g.t, g.cfg, `SELECT source_id, golden_id FROM identity.crosswalk WHERE entity = 'person'`) {
		out[r["source_id"].(string)] = r["golden_id"].(string)
	}
	return out
}

// golden returns status and resolves_to of a golden id.
func (g *goldenProject) golden(id string) (status, resolvesTo string) {
	g.t.Helper()
	rows := queryRows(g.t, g.cfg, `SELECT status, resolves_to FROM identity.golden_ids WHERE golden_id = '`+id+`'`)
	if len(rows) != 1 {
		g.t.Fatalf("golden id %s: %d rows in identity.golden_ids", id, len(rows))
	}
	return rows[0]["status"].(string), rows[0]["resolves_to"].(string)
}

// minted is the id the rules mint for a cluster anchored at record id
// (salesforce:Contact:<id>) when n ids were minted for it before.
func minted(id string, n int) string {
	sum := md5.Sum([]byte(fmt.Sprintf("salesforce:Contact:%s|%d", id, n)))
	return "P-" + hex.EncodeToString(sum[:])[:16]
}

// TestIdentityGoldenIdsStable follows golden ids through the cases of the
// rules in sql/identity/person_id_state.sql: re-runs and --full-refresh
// keep them, records joining keep them, a merge keeps the older id and
// resolves the other to it, a split gives a merged id back, records
// leaving retire an id and bring it back, and a fresh warehouse mints the
// same ids from the same data.
func TestIdentityGoldenIdsStable(t *testing.T) {
	t.Parallel()
	g := newGoldenProject(t)
	// c is created before a, f before c: "older" is about when ids were
	// minted, not when records were created.
	people := []person{
		contact("a", "Ann", "Lee", "ann@acme.com", "2024-01-05T00:00:00Z", "2024-02-01T00:00:00Z"),
		contact("b", "Anne", "Lee", "ann@acme.com", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"),
		contact("c", "Carl", "Moe", "carl@beta.com", "2023-06-01T00:00:00Z", "2024-01-01T00:00:00Z"),
		contact("d", "Dora", "Fox", "dora@gamma.com", "2024-04-01T00:00:00Z", "2024-04-01T00:00:00Z"),
	}
	g.build(people, [][]string{{"a", "b"}, {"c"}, {"d"}})
	first := g.ids()
	want := map[string]string{"a": minted("a", 0), "b": minted("a", 0), "c": minted("c", 0), "d": minted("d", 0)}
	if fmt.Sprint(first) != fmt.Sprint(want) {
		t.Fatalf("first build: ids %v, want %v", first, want)
	}

	// Re-runs, with and without --full-refresh, change nothing.
	g.build(people, [][]string{{"a", "b"}, {"c"}, {"d"}})
	g.build(people, [][]string{{"a", "b"}, {"c"}, {"d"}}, "--full-refresh")
	if got := g.ids(); fmt.Sprint(got) != fmt.Sprint(first) {
		t.Fatalf("after re-runs: %v, want %v", got, first)
	}

	// A record joins a cluster and a new one arrives alone.
	people = append(people,
		contact("e", "Ann", "Lee", "ann.lee@acme.com", "2024-05-01T00:00:00Z", "2024-05-01T00:00:00Z"),
		contact("f", "Carl", "Moe", "c.moe@beta.com", "2022-01-01T00:00:00Z", "2024-06-01T00:00:00Z"))
	g.build(people, [][]string{{"a", "b", "e"}, {"c"}, {"d"}, {"f"}})
	ids := g.ids()
	if ids["e"] != first["a"] || ids["a"] != first["a"] || ids["f"] != minted("f", 0) {
		t.Fatalf("after e joined and f arrived: %v", ids)
	}

	// A merge: {c} (id minted in the first build) and {f} (minted in the
	// third, though f was created first): c's id survives, f's resolves to it.
	g.build(people, [][]string{{"a", "b", "e"}, {"c", "f"}, {"d"}})
	ids = g.ids()
	pc, pf := minted("c", 0), minted("f", 0)
	if ids["c"] != pc || ids["f"] != pc {
		t.Fatalf("after the merge of c and f: %v, want both %s", ids, pc)
	}
	if st, to := g.golden(pf); st != "merged" || to != pc {
		t.Fatalf("merged id %s: status %s, resolves to %s; want merged into %s", pf, st, to, pc)
	}
	if r := queryRows(t, g.cfg, `SELECT previous_golden_id, rule FROM identity.crosswalk WHERE source_id = 'f'`); r[0]["previous_golden_id"] != pf || r[0]["rule"] != "deterministic:test" {
		t.Errorf("f in the crosswalk: %v", r)
	}
	if r := queryRows(t, g.cfg, `SELECT records FROM identity.persons WHERE person_id = '`+pc+`'`); len(r) != 1 || r[0]["records"].(float64) != 2 {
		t.Errorf("persons after the merge: %v", r)
	}
	if r := queryRows(t, g.cfg, `SELECT count(*) AS n FROM identity.persons WHERE person_id = '`+pf+`'`); r[0]["n"].(float64) != 0 {
		t.Errorf("the merged id is still a golden record")
	}

	// The merge is undone (a no-match decision, say): c keeps its id, f
	// gets back the id it had.
	g.build(people, [][]string{{"a", "b", "e"}, {"c"}, {"d"}, {"f"}})
	ids = g.ids()
	if ids["c"] != pc || ids["f"] != pf {
		t.Fatalf("after the split of c and f: %v, want c %s, f %s", ids, pc, pf)
	}
	if st, to := g.golden(pf); st != "active" || to != pf {
		t.Fatalf("revived id %s: %s, resolves to %s", pf, st, to)
	}

	// d is deleted in the CRM: its id retires, and comes back with it.
	without := append([]person(nil), people[:3]...)
	without = append(without, people[4:]...)
	g.build(without, [][]string{{"a", "b", "e"}, {"c"}, {"f"}})
	if _, ok := g.ids()["d"]; ok {
		t.Fatal("a deleted record is still in the crosswalk")
	}
	if st, _ := g.golden(minted("d", 0)); st != "retired" {
		t.Fatalf("the id of a deleted record: %s, want retired", st)
	}
	g.build(people, [][]string{{"a", "b", "e"}, {"c"}, {"d"}, {"f"}})
	if ids = g.ids(); ids["d"] != minted("d", 0) {
		t.Fatalf("d came back with %s, want %s", ids["d"], minted("d", 0))
	}
	if st, _ := g.golden(minted("d", 0)); st != "active" {
		t.Fatalf("the id of a record that came back: %s, want active", st)
	}

	// A split with no old id to give back: the id stays with the part that
	// holds most of its records (b, e), a gets a new one.
	g.build(people, [][]string{{"a"}, {"b", "e"}, {"c"}, {"d"}, {"f"}})
	ids = g.ids()
	if ids["b"] != first["a"] || ids["e"] != first["a"] || ids["a"] != minted("a", 1) {
		t.Fatalf("after a split: %v, want b, e %s and a %s", ids, first["a"], minted("a", 1))
	}

	// Every id ever minted is listed once, merged ones resolving to a live one.
	rows := queryRows(t, g.cfg, `SELECT status, count(*) AS n FROM identity.golden_ids GROUP BY status ORDER BY status`)
	if fmt.Sprint(rows) != "[map[n:5 status:active]]" {
		t.Errorf("golden ids by status: %v", rows)
	}

	// A fresh warehouse mints the same ids for the same clusters.
	fresh := newGoldenProject(t)
	fresh.build(people[:4], [][]string{{"a", "b"}, {"c"}, {"d"}})
	if got := fresh.ids(); fmt.Sprint(got) != fmt.Sprint(first) {
		t.Fatalf("a fresh warehouse minted %v, want %v", got, first)
	}
}

// configure appends an identity: section to the project's revops.yaml.
func (g *goldenProject) configure(section string) {
	g.t.Helper()
	data, err := os.ReadFile(g.cfg)
	if err != nil {
		g.t.Fatal(err)
	}
	if err := os.WriteFile(g.cfg, append(data, []byte("identity:\n"+section)...), 0o644); err != nil {
		g.t.Fatal(err)
	}
}

// TestIdentitySurvivorship: each golden field takes its value by its rule,
// records the record it came from, and the identity: section's rules
// change the winners at the next build.
func TestIdentitySurvivorship(t *testing.T) {
	people := []person{
		{id: "s1", first: "Ann", last: "Lee-Smith", email: "ann@acme.com", phone: "+1 617 555 0100", city: "Cambridge",
			created: "2024-01-01T00:00:00Z", updated: "2024-01-02T00:00:00Z"},
		{id: "z1", sys: "zoho_crm", object: "Contacts", first: "Ann", last: "Lee", email: "ann.lee@acme.com", city: "Boston",
			created: "2024-02-01T00:00:00Z", updated: "2024-03-01T00:00:00Z"},
		{id: "d1", sys: "zoho_desk", object: "contacts", first: "Anne", last: "Leigh", email: "a.lee@acme.com",
			created: "2024-05-01T00:00:00Z", updated: "2024-06-01T00:00:00Z"},
	}
	fields := func(g *goldenProject) map[string]string {
		rows := queryRows(t, g.cfg, `SELECT first_name, first_name_from, last_name, last_name_from, email, email_from,
			phone, city, city_from, full_name, records, systems FROM identity.persons`)
		if len(rows) != 1 {
			t.Fatalf("persons: %v", rows)
		}
		out := map[string]string{}
		for k, v := range rows[0] {
			out[k] = fmt.Sprint(v)
		}
		return out
	}
	check := func(got, want map[string]string) {
		t.Helper()
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
	}

	g := newGoldenProject(t)
	g.build(people, [][]string{{"s1", "z1", "d1"}})
	// The defaults: names by frequency (ties to the record updated last),
	// contact details the most recent, empty values never.
	check(fields(g), map[string]string{
		"first_name": "Ann", "first_name_from": "zoho_crm:Contacts:z1",
		"last_name": "Leigh", "last_name_from": "zoho_desk:contacts:d1",
		"email": "a.lee@acme.com", "email_from": "zoho_desk:contacts:d1",
		"phone": "+1 617 555 0100", "city": "Boston", "city_from": "zoho_crm:Contacts:z1",
		"full_name": "Ann Leigh", "records": "3", "systems": "3",
	})

	g.configure(`  survivorship:
    source_priority: [zoho_crm, salesforce]
    persons:
      first_name: most_recent
      last_name: most_complete
      email: {rule: source_priority, sources: [salesforce]}
      city: source_priority
`)
	g.build(people, [][]string{{"s1", "z1", "d1"}})
	check(fields(g), map[string]string{
		"first_name": "Anne", "first_name_from": "zoho_desk:contacts:d1",
		"last_name": "Lee-Smith", "last_name_from": "salesforce:Contact:s1",
		"email": "ann@acme.com", "email_from": "salesforce:Contact:s1",
		"city": "Boston", "city_from": "zoho_crm:Contacts:z1",
	})
	if r := queryRows(t, g.cfg, `SELECT rule, candidates FROM identity.person_fields WHERE field = 'email'`); fmt.Sprint(r) != "[map[candidates:3 rule:source_priority]]" {
		t.Errorf("person_fields for email: %v", r)
	}

	// A rule naming an unknown field stops the build at its line.
	data, _ := os.ReadFile(g.cfg)
	bad := strings.Replace(string(data), "      city: source_priority", "      cty: source_priority", 1)
	if err := os.WriteFile(g.cfg, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := revops(t, nil, "build", "-c", g.cfg)
	if code != 2 || !strings.Contains(errOut, `: identity.survivorship.persons.cty: unknown field "cty"`) {
		t.Errorf("an unknown field: exit %d, %s", code, errOut)
	}
}
