package sftest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
)

// TestSeedCasesAndCampaigns seeds the world's Cases, Campaigns and
// CampaignMembers and checks them through the queries the integrations
// use: subqueries, semi-joins and aggregates.
func TestSeedCasesAndCampaigns(t *testing.T) {
	e := newEnv(t, Options{})
	w := sandbox.Generate(sandbox.Options{Seed: 9, Records: 2000})
	p := w.Project(sandbox.Salesforce)
	truth := e.ts.Seed(p)
	counts := map[string]int{}
	for _, tr := range truth {
		counts[tr.Object]++
	}
	if len(p.Cases) == 0 || len(p.Campaigns) == 0 || len(p.CampaignMembers) == 0 {
		t.Fatalf("projection: %d cases, %d campaigns, %d members", len(p.Cases), len(p.Campaigns), len(p.CampaignMembers))
	}
	for obj, want := range map[string]int{"Case": len(p.Cases), "Campaign": len(p.Campaigns), "CampaignMember": 0} {
		if counts[obj] != want {
			t.Errorf("%s: %d truth rows, want %d", obj, counts[obj], want)
		}
	}
	count := func(soql string) int { t.Helper(); return e.query(soql).TotalSize }
	for soql, want := range map[string]int{
		"SELECT COUNT() FROM Case":           len(p.Cases),
		"SELECT COUNT() FROM Campaign":       len(p.Campaigns),
		"SELECT COUNT() FROM CampaignMember": len(p.CampaignMembers),
		// Every case is on an existing contact of an existing account.
		"SELECT COUNT() FROM Case WHERE ContactId = null OR AccountId = null":                                                        0,
		"SELECT COUNT() FROM Case WHERE ContactId NOT IN (SELECT Id FROM Contact)":                                                   0,
		"SELECT COUNT() FROM Case WHERE AccountId NOT IN (SELECT Id FROM Account)":                                                   0,
		"SELECT COUNT() FROM Case WHERE Status = 'Escalated' AND IsEscalated = false":                                                0,
		"SELECT COUNT() FROM Case WHERE Status = 'Closed' AND (IsClosed = false OR ClosedDate = null)":                               0,
		"SELECT COUNT() FROM CampaignMember WHERE LeadId = null AND ContactId = null":                                                0,
		"SELECT COUNT() FROM CampaignMember WHERE LeadId NOT IN (SELECT Id FROM Lead) AND ContactId NOT IN (SELECT Id FROM Contact)": 0,
		"SELECT COUNT() FROM CampaignMember WHERE Status = 'Responded' AND (HasResponded = false OR FirstRespondedDate = null)":      0,
	} {
		if got := count(soql); got != want {
			t.Errorf("%s: %d, want %d", soql, got, want)
		}
	}
	// A case's account is its contact's account.
	q := e.query("SELECT AccountId, Contact.AccountId FROM Case")
	for _, r := range q.Records {
		if c := r["Contact"].(map[string]any); c["AccountId"] != r["AccountId"] {
			t.Fatalf("case on account %v, its contact on %v", r["AccountId"], c["AccountId"])
		}
	}
	// The campaigns' roll-ups count their members.
	q = e.query("SELECT Name, NumberOfLeads, NumberOfContacts, NumberOfResponses, (SELECT HasResponded FROM CampaignMembers) FROM Campaign")
	members := 0
	for _, r := range q.Records {
		n := child(t, r, "CampaignMembers")
		size, responses := 0, 0
		if n != nil {
			size = n.TotalSize
			for _, m := range n.Records {
				if m["HasResponded"] == true {
					responses++
				}
			}
		}
		members += size
		if r["NumberOfLeads"].(float64)+r["NumberOfContacts"].(float64) != float64(size) ||
			n != nil && n.Done && r["NumberOfResponses"] != float64(responses) {
			t.Errorf("campaign %v: %d members, %d responses", r, size, responses)
		}
	}
	if members != len(p.CampaignMembers) {
		t.Errorf("%d members through subqueries, want %d", members, len(p.CampaignMembers))
	}
	// Cases by status add up.
	groups := e.query("SELECT Status, COUNT(Id) n FROM Case GROUP BY Status")
	total := 0
	for _, g := range groups.Records {
		total += int(g["n"].(float64))
	}
	if total != len(p.Cases) || groups.TotalSize < 3 {
		t.Errorf("case groups %v", groups.Records)
	}
	// Save and Load keep them.
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, Options{})
	if err := e2.ts.Load(&buf); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []string{"Case", "Campaign", "CampaignMember"} {
		if a, b := e.ts.Records(obj), e2.ts.Records(obj); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s differs after Load", obj)
		}
	}
}
