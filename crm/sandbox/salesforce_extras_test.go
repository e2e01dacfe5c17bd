package sandbox

import (
	"testing"
)

func TestSalesforceCasesAndCampaigns(t *testing.T) {
	w := Generate(Options{Seed: 5, Records: 10_000})
	if len(w.Cases) < 400 || len(w.Campaigns) < 20 || len(w.CampaignMembers) < 1000 {
		t.Fatalf("%d cases, %d campaigns, %d members", len(w.Cases), len(w.Campaigns), len(w.CampaignMembers))
	}
	for _, c := range w.Cases {
		p := &w.People[c.PersonIdx]
		if p.IsLead || !p.Presence.Has(Salesforce) || p.CompanyIdx != c.CompanyIdx || !w.Companies[c.CompanyIdx].Presence.Has(Salesforce) {
			t.Fatalf("case %s filed by %s, not a Salesforce contact of its company", c.EntityID, p.EntityID)
		}
		if c.CreatedAt.Before(p.CreatedAt) || c.ModifiedAt.Before(c.CreatedAt) || !c.ModifiedAt.Before(w.Now) ||
			(c.ClosedAt != nil) != (c.Status == "Closed") {
			t.Fatalf("case %s: created %v modified %v status %s", c.EntityID, c.CreatedAt, c.ModifiedAt, c.Status)
		}
	}
	statuses := map[string]int{}
	for _, c := range w.Campaigns {
		statuses[c.Status]++
		if !c.EndDate.After(c.StartDate) || c.CreatedAt.After(w.Now) || c.ModifiedAt.Before(c.CreatedAt) ||
			c.IsActive != (c.Status == "Planned" || c.Status == "In Progress") || c.Name == "" {
			t.Fatalf("campaign %+v", c)
		}
	}
	for _, s := range []string{"Planned", "In Progress", "Completed"} {
		if statuses[s] == 0 {
			t.Errorf("no %s campaign: %v", s, statuses)
		}
	}
	pairs := map[[2]int]bool{}
	responded := 0
	for _, m := range w.CampaignMembers {
		if pairs[[2]int{m.CampaignIdx, m.PersonIdx}] {
			t.Fatalf("person %d twice in campaign %d", m.PersonIdx, m.CampaignIdx)
		}
		pairs[[2]int{m.CampaignIdx, m.PersonIdx}] = true
		if !w.People[m.PersonIdx].Presence.Has(Salesforce) || !m.CreatedAt.Before(w.Now) || m.ModifiedAt.Before(m.CreatedAt) {
			t.Fatalf("member %+v", m)
		}
		if m.Status == "Responded" {
			responded++
			if m.RespondedAt.Before(m.CreatedAt) || m.RespondedAt.After(w.Now) {
				t.Fatalf("member responded at %v, created %v", m.RespondedAt, m.CreatedAt)
			}
		}
	}
	if responded == 0 || responded*2 > len(w.CampaignMembers) {
		t.Errorf("%d of %d members responded", responded, len(w.CampaignMembers))
	}

	sf := w.Project(Salesforce)
	if len(sf.Cases) != len(w.Cases) || len(sf.Campaigns) != len(w.Campaigns) || len(sf.CampaignMembers) != len(w.CampaignMembers) {
		t.Errorf("projection: %d cases, %d campaigns, %d members", len(sf.Cases), len(sf.Campaigns), len(sf.CampaignMembers))
	}
	for _, c := range sf.Cases {
		if c.ContactIdx < 0 || c.ContactIdx >= len(sf.Contacts) || c.AccountIdx < 0 || c.AccountIdx >= len(sf.Accounts) {
			t.Fatalf("case %s: contact %d account %d", c.EntityID, c.ContactIdx, c.AccountIdx)
		}
		ct := &sf.Contacts[c.ContactIdx]
		if ct.AccountIdx >= 0 && sf.Accounts[ct.AccountIdx].EntityID != sf.Accounts[c.AccountIdx].EntityID || c.Email != ct.Email {
			t.Fatalf("case %s: account %s, its contact's %d; e-mail %q vs %q", c.EntityID, sf.Accounts[c.AccountIdx].EntityID, ct.AccountIdx, c.Email, ct.Email)
		}
	}
	leads, contacts := 0, 0
	for _, m := range sf.CampaignMembers {
		if (m.LeadIdx >= 0) == (m.ContactIdx >= 0) || m.CampaignIdx < 0 || m.CampaignIdx >= len(sf.Campaigns) ||
			m.LeadIdx >= len(sf.Leads) || m.ContactIdx >= len(sf.Contacts) {
			t.Fatalf("member %+v", m)
		}
		if m.LeadIdx >= 0 {
			leads++
		} else {
			contacts++
		}
		if (m.Status == "Responded") == m.FirstRespondedDate.IsZero() {
			t.Fatalf("member %+v", m)
		}
	}
	if leads == 0 || contacts == 0 {
		t.Errorf("members: %d leads, %d contacts", leads, contacts)
	}
	for _, sys := range []System{ZohoCRM, ZohoDesk} {
		if p := w.Project(sys); len(p.Cases)+len(p.Campaigns)+len(p.CampaignMembers) != 0 {
			t.Errorf("%s holds Salesforce-only records", sys)
		}
	}
	// Small worlds have some of each too.
	small := Generate(Options{Seed: 1, Records: 300}).Project(Salesforce)
	if len(small.Cases) == 0 || len(small.Campaigns) < 2 || len(small.CampaignMembers) == 0 {
		t.Errorf("300 records: %d cases, %d campaigns, %d members", len(small.Cases), len(small.Campaigns), len(small.CampaignMembers))
	}
}
