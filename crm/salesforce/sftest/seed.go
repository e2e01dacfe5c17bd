package sftest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// stageNames maps normalized deal stages to the default StageName values.
var stagePicklist = map[sandbox.Stage]string{
	sandbox.StageProspecting:      "Prospecting",
	sandbox.StageQualification:    "Qualification",
	sandbox.StageNeedsAnalysis:    "Needs Analysis",
	sandbox.StageValueProposition: "Value Proposition",
	sandbox.StageProposal:         "Proposal/Price Quote",
	sandbox.StageNegotiation:      "Negotiation/Review",
	sandbox.StageClosedWon:        "Closed Won",
	sandbox.StageClosedLost:       "Closed Lost",
}

// leadStatusPicklist maps normalized lead statuses to Lead.Status values.
var leadStatusPicklist = map[sandbox.LeadStatus]string{
	sandbox.LeadNew:         "Open - Not Contacted",
	sandbox.LeadContacted:   "Working - Contacted",
	sandbox.LeadQualified:   "Working - Contacted",
	sandbox.LeadUnqualified: "Closed - Not Converted",
}

// seeder builds records straight into the tables (no validation: the
// projection is trusted), fast enough for a million records.
type seeder struct {
	s     *Server
	truth []sandbox.Truth
	last  msTime
}

// add appends a record with the given field values and returns its id.
func (sd *seeder) add(t *table, entity string, created, modified time.Time, vals map[string]any) string {
	r := record{vals: make([]any, len(t.def.Fields))}
	r.vals[1] = false
	for i, f := range t.def.Fields {
		if f.Type == TypeBoolean {
			r.vals[i] = false
		} else if d := f.defaultPicklist(); d != "" {
			r.vals[i] = d
		}
	}
	for k, v := range vals {
		_, i, ok := t.def.field(k)
		if !ok {
			panic(fmt.Sprintf("sftest: seed: no field %s.%s", t.def.Name, k))
		}
		switch x := v.(type) {
		case string:
			if x == "" {
				v = nil
			}
		case time.Time:
			if x.IsZero() {
				v = nil
			} else if t.def.Fields[i].Type == TypeDate {
				v = dateVal(x.UTC().Format("2006-01-02"))
			} else {
				v = toMS(x)
			}
		case int:
			v = float64(x)
		}
		r.vals[i] = v
	}
	c, m := toMS(created), toMS(modified)
	if m < c {
		m = c
	}
	if c > sd.last {
		sd.last = c
	}
	if m > sd.last {
		sd.last = m
	}
	user := sd.s.userID()
	for _, i := range []int{t.iCreated} {
		if i >= 0 {
			r.vals[i] = c
		}
	}
	for _, i := range []int{t.iModified, t.iStamp} {
		if i >= 0 {
			r.vals[i] = m
		}
	}
	for _, i := range []int{t.iCreatedBy, t.iModifiedBy} {
		if i >= 0 {
			r.vals[i] = user
		}
	}
	if t.iOwner >= 0 && r.vals[t.iOwner] == nil {
		r.vals[t.iOwner] = user
	}
	t.recs = append(t.recs, r)
	seq := int64(len(t.recs))
	rec := &t.recs[seq-1]
	x := &tx{s: sd.s}
	given := make(map[string]bool, len(vals))
	for k := range vals {
		given[k] = true
	}
	x.derive(t, rec, given, true)
	t.indexAdd(seq, rec)
	id := t.id(seq)
	if entity != "" {
		sd.truth = append(sd.truth, sandbox.Truth{System: sandbox.Salesforce, Object: t.def.Name, RecordID: id, EntityID: entity})
	}
	return id
}

// ref returns ids[i] or nil for an index out of range (-1 = none).
func ref(ids []string, i int) any {
	if i < 0 || i >= len(ids) {
		return nil
	}
	return ids[i]
}

// Seed loads a projection of the sandbox world (normally
// world.Project(sandbox.Salesforce)) into the org: Users, Accounts,
// Contacts, Leads, Opportunities with their OpportunityHistory, Cases (from
// the projection's cases and tickets), Tasks, Campaigns and their
// CampaignMembers (with the campaigns' member and response counts),
// keeping the projection's CreatedDate and LastModifiedDate. It returns the
// ground truth, one row per record (none for history rows and campaign
// members, which copy no world entity of their own).
// Writes after Seed stamp later than every seeded record.
func (s *Server) Seed(p *sandbox.Projection) []sandbox.Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	sd := &seeder{s: s}
	tU, tA, tC, tL := s.table("User"), s.table("Account"), s.table("Contact"), s.table("Lead")
	tO, tH, tK, tT := s.table("Opportunity"), s.table("OpportunityHistory"), s.table("Case"), s.table("Task")
	users := make([]string, len(p.Users))
	for i, u := range p.Users {
		alias := []rune(strings.ToLower(u.FirstName))
		if len(alias) > 1 {
			alias = alias[:1]
		}
		alias = append(alias, []rune(strings.ToLower(u.LastName))...)
		if len(alias) > 8 {
			alias = alias[:8]
		}
		users[i] = sd.add(tU, u.EntityID, u.CreatedAt, u.CreatedAt, map[string]any{
			"FirstName": u.FirstName, "LastName": u.LastName, "Username": u.Email, "Email": u.Email,
			"Alias": string(alias), "CommunityNickname": fmt.Sprintf("%s%d", string(alias), i+1), "Title": u.Title, "Phone": u.Phone,
			"IsActive": u.Active, "ProfileId": To18("00e5g000000AbCd"), "TimeZoneSidKey": "America/Los_Angeles",
			"LocaleSidKey": "en_US", "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US"})
	}
	accounts := make([]string, len(p.Accounts))
	for i, a := range p.Accounts {
		accounts[i] = sd.add(tA, a.EntityID, a.CreatedAt, a.ModifiedAt, map[string]any{
			"Name": a.Name, "Website": a.Website, "Industry": a.Industry, "Phone": a.Phone,
			"BillingStreet": a.Street, "BillingCity": a.City, "BillingState": a.State, "BillingPostalCode": a.PostalCode,
			"BillingCountry": a.Country, "NumberOfEmployees": a.Employees, "AnnualRevenue": a.AnnualRevenue,
			"OwnerId": ref(users, a.OwnerIdx)})
	}
	contacts := make([]string, len(p.Contacts))
	for i, c := range p.Contacts {
		contacts[i] = sd.add(tC, c.EntityID, c.CreatedAt, c.ModifiedAt, map[string]any{
			"FirstName": c.FirstName, "LastName": c.LastName, "Title": c.Title, "Email": c.Email, "Phone": c.Phone,
			"MobilePhone": c.Mobile, "MailingCity": c.MailingCity, "MailingState": c.MailingState,
			"MailingCountry": c.MailingCountry, "LeadSource": c.LeadSource, "AccountId": ref(accounts, c.AccountIdx),
			"OwnerId": ref(users, c.OwnerIdx)})
	}
	leads := make([]string, len(p.Leads))
	for i, l := range p.Leads {
		st := leadStatusPicklist[l.Status]
		if st == "" {
			st = "Open - Not Contacted"
		}
		leads[i] = sd.add(tL, l.EntityID, l.CreatedAt, l.ModifiedAt, map[string]any{
			"FirstName": l.FirstName, "LastName": l.LastName, "Company": l.Company, "Title": l.Title, "Email": l.Email,
			"Phone": l.Phone, "City": l.City, "State": l.State, "Country": l.Country, "LeadSource": l.LeadSource,
			"Status": st, "Industry": l.Industry, "AnnualRevenue": l.AnnualRevenue, "OwnerId": ref(users, l.OwnerIdx)})
	}
	deals := make([]string, len(p.Deals))
	for i, d := range p.Deals {
		typ := "New Customer"
		if strings.HasPrefix(d.Type, "Existing") {
			typ = "Existing Customer - Upgrade"
		}
		st := stagePicklist[d.Stage]
		if st == "" {
			st = "Prospecting"
		}
		info, _ := stageOf(st)
		deals[i] = sd.add(tO, d.EntityID, d.CreatedAt, d.ModifiedAt, map[string]any{
			"Name": d.Name, "Amount": d.Amount, "StageName": st, "CloseDate": d.CloseDate, "Probability": d.Probability,
			"ForecastCategoryName": info.Forecast, "LeadSource": d.LeadSource, "Type": typ,
			"AccountId": ref(accounts, d.AccountIdx), "ContactId": ref(contacts, d.ContactIdx), "OwnerId": ref(users, d.OwnerIdx)})
		var prevAmt, prevClose any
		for _, h := range d.History {
			hs := stagePicklist[h.Stage]
			hi, _ := stageOf(hs)
			prob := hi.Probability
			sd.add(tH, "", h.At, h.At, map[string]any{
				"OpportunityId": deals[i], "StageName": hs, "Amount": h.Amount, "CloseDate": h.CloseDate,
				"Probability": prob, "ExpectedRevenue": h.Amount * prob / 100,
				"ForecastCategory": forecastCategory(hi.Forecast), "PrevAmount": prevAmt, "PrevCloseDate": prevClose})
			prevAmt, prevClose = h.Amount, h.CloseDate
		}
	}
	for _, k := range slices.Concat(p.Tickets, p.Cases) {
		st := map[string]string{"Open": "New", "On Hold": "Working", "Escalated": "Escalated", "Closed": "Closed"}[k.Status]
		pr := map[string]string{"Urgent": "High", "High": "High", "Medium": "Medium", "Low": "Low"}[k.Priority]
		or := map[string]string{"Email": "Email", "Phone": "Phone", "Web": "Web", "Chat": "Web"}[k.Channel]
		vals := map[string]any{"Subject": k.Subject, "Description": k.Description, "Status": st, "Priority": pr,
			"Origin": or, "AccountId": ref(accounts, k.AccountIdx), "ContactId": ref(contacts, k.ContactIdx),
			"SuppliedEmail": k.Email, "SuppliedPhone": k.Phone, "IsEscalated": st == "Escalated"}
		if k.ClosedAt != nil {
			vals["ClosedDate"] = *k.ClosedAt
		}
		tK.autoNum++
		vals["CaseNumber"] = fmt.Sprintf("%08d", 1000+tK.autoNum)
		sd.add(tK, k.EntityID, k.CreatedAt, k.ModifiedAt, vals)
	}
	sd.campaigns(p, users, leads, contacts)
	for _, k := range p.Tasks {
		who := ref(contacts, k.ContactIdx)
		if who == nil {
			who = ref(leads, k.LeadIdx)
		}
		what := ref(deals, k.DealIdx)
		if what == nil && who != nil && k.ContactIdx >= 0 {
			what = ref(accounts, k.AccountIdx)
		}
		status := k.Status
		if _, ok := tT.def.Fields[fieldIndex(tT, "Status")].picklistHas(status); !ok {
			status = "Not Started"
		}
		prio := k.Priority
		if _, ok := tT.def.Fields[fieldIndex(tT, "Priority")].picklistHas(prio); !ok {
			prio = "Normal"
		}
		sd.add(tT, k.EntityID, k.CreatedAt, k.ModifiedAt, map[string]any{
			"Subject": k.Subject, "Status": status, "Priority": prio, "Type": k.Type, "ActivityDate": k.DueDate,
			"WhoId": who, "WhatId": what, "OwnerId": ref(users, k.OwnerIdx)})
	}
	if sd.last > s.clock.last {
		s.clock.last = sd.last
	}
	return sd.truth
}

// campaigns seeds the projection's campaigns and their members, and sets
// the campaigns' read-only roll-ups (NumberOfLeads, NumberOfContacts,
// NumberOfResponses; NumberOfOpportunities stays 0: seeded opportunities
// name no campaign).
func (sd *seeder) campaigns(p *sandbox.Projection, users, leads, contacts []string) {
	tC, tM := sd.s.table("Campaign"), sd.s.table("CampaignMember")
	ids := make([]string, len(p.Campaigns))
	type rollup struct{ leads, contacts, responses float64 }
	counts := make([]rollup, len(p.Campaigns))
	for _, m := range p.CampaignMembers {
		c := &counts[m.CampaignIdx]
		if m.LeadIdx >= 0 {
			c.leads++
		} else {
			c.contacts++
		}
		if m.Status == "Responded" {
			c.responses++
		}
	}
	for i, c := range p.Campaigns {
		ids[i] = sd.add(tC, c.EntityID, c.CreatedAt, c.ModifiedAt, map[string]any{
			"Name": c.Name, "Type": c.Type, "Status": c.Status, "StartDate": c.StartDate, "EndDate": c.EndDate,
			"IsActive": c.IsActive, "BudgetedCost": c.BudgetedCost, "ActualCost": c.ActualCost,
			"ExpectedRevenue": c.ExpectedRevenue, "OwnerId": ref(users, c.OwnerIdx),
			"NumberOfLeads": counts[i].leads, "NumberOfContacts": counts[i].contacts,
			"NumberOfResponses": counts[i].responses, "NumberOfOpportunities": 0.0})
	}
	for _, m := range p.CampaignMembers {
		sd.add(tM, "", m.CreatedAt, m.ModifiedAt, map[string]any{
			"CampaignId": ref(ids, m.CampaignIdx), "LeadId": ref(leads, m.LeadIdx), "ContactId": ref(contacts, m.ContactIdx),
			"Status": m.Status, "HasResponded": m.Status == "Responded", "FirstRespondedDate": m.FirstRespondedDate})
	}
}
