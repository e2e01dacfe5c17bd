package sandbox

import (
	"strconv"
	"time"
)

// Campaign is a marketing campaign, recorded in Salesforce.
type Campaign struct {
	EntityID                                  string // "E-M-000003"
	Name                                      string
	Type                                      string // Webinar, Conference, Trade Show, Email, ...
	Status                                    string // Planned, In Progress, Completed, Aborted
	StartDate, EndDate                        time.Time
	IsActive                                  bool
	BudgetedCost, ActualCost, ExpectedRevenue float64
	OwnerIdx                                  int
	Presence                                  Presence
	CreatedAt, ModifiedAt                     time.Time
}

// CampaignMember puts a person (a lead or a contact) into a campaign, once
// per campaign.
type CampaignMember struct {
	CampaignIdx, PersonIdx int
	Status                 string    // Sent, Responded
	RespondedAt            time.Time // zero when not responded
	CreatedAt, ModifiedAt  time.Time
}

// ProjCampaign is a campaign as Salesforce records it.
type ProjCampaign struct {
	EntityID, Name, Type, Status              string
	StartDate, EndDate                        time.Time // dates (midnight UTC)
	IsActive                                  bool
	BudgetedCost, ActualCost, ExpectedRevenue float64
	OwnerIdx                                  int
	CreatedAt, ModifiedAt                     time.Time
}

// ProjCampaignMember is a campaign member as Salesforce records it: one of
// LeadIdx and ContactIdx is set (-1 for the other).
type ProjCampaignMember struct {
	CampaignIdx, LeadIdx, ContactIdx int
	Status                           string
	FirstRespondedDate               time.Time // a date; zero when not responded
	CreatedAt, ModifiedAt            time.Time
}

// Shares of Options.Records for the Salesforce-only entities, in
// thousandths, and records per campaign.
const (
	perMilleCases      = 60
	perMilleMembers    = 120
	recordsPerCampaign = 400
)

var (
	campaignTypes  = []string{"Webinar", "Conference", "Trade Show", "Email", "Direct Mail", "Advertisement", "Partners"}
	campaignTypeW  = newWeighted(30, 15, 10, 25, 5, 10, 5)
	campaignTopics = []string{"Product Tour", "Customer Summit", "Spring Launch", "Year-End Offer", "Industry Roundtable",
		"Analytics Masterclass", "Partner Days", "Security Briefing", "Migration Clinic", "Roadmap Preview"}
)

// salesforceExtras generates the Salesforce-only entities: Cases,
// Campaigns and CampaignMembers. They draw from a stream of their own, so
// that adding them left every other entity as it was.
func (g *gen) salesforceExtras(n int) {
	g.r = newRnd(g.w.Seed, 0x7366657874726173) // "sfextras"
	var contacts, people []int32
	for i := range g.w.People {
		p := &g.w.People[i]
		if p.Presence.Has(Salesforce) {
			people = append(people, int32(i))
			if !p.IsLead {
				contacts = append(contacts, int32(i))
			}
		}
	}
	g.cases(n*perMilleCases/1000, contacts)
	g.campaigns(max(2, n/recordsPerCampaign))
	g.members(n*perMilleMembers/1000, people)
}

// cases files support requests as Salesforce Cases: by contacts (never
// leads) of Salesforce accounts, some people far more often than others,
// timed like Desk tickets.
func (g *gen) cases(n int, contacts []int32) {
	w := g.w
	if len(contacts) == 0 || n == 0 {
		return
	}
	w.Cases = make([]Ticket, n)
	for i := range w.Cases {
		t := &w.Cases[i]
		u := g.r.Float64()
		pi := int(contacts[int(float64(len(contacts))*u*u)])
		p := &w.People[pi]
		t.EntityID = g.a.id("E-S-", i+1)
		t.PersonIdx, t.CompanyIdx = pi, p.CompanyIdx
		pr := priorityW.pick(g.r)
		t.Priority = ticketPriority[pr]
		t.Channel = ticketChannel[channelW.pick(g.r)]
		t.Subject = g.r.pick(ticketSubjects)
		t.Description = g.r.pick(ticketBodies)
		t.CreatedAt = g.recent(later(p.CreatedAt, g.now.Add(-730*day1)), g.now.Add(-10*time.Minute))
		mod := t.CreatedAt
		t.Status = "Open"
		if fr := t.CreatedAt.Add(g.r.dur(firstResponse[pr], 1.0, time.Minute)); fr.Before(g.now) {
			mod = fr
			if cl := fr.Add(g.r.dur(resolution[pr], 1.1, 5*time.Minute)); cl.Before(g.now) && g.r.chance(0.95) {
				t.ClosedAt = g.timePtr(cl)
				t.Status = "Closed"
				mod = cl
			}
		}
		if t.Status != "Closed" {
			switch x := g.r.Float64(); {
			case x < 0.15:
				t.Status = "Escalated"
			case x < 0.45:
				t.Status = "On Hold"
			}
		}
		t.ModifiedAt = g.recent(mod, earlier(g.now, mod.Add(2*day1)))
	}
}

// campaigns plans marketing campaigns over the last two years and the next
// two months; their status follows their dates.
func (g *gen) campaigns(n int) {
	w := g.w
	w.Campaigns = make([]Campaign, n)
	for i := range w.Campaigns {
		c := &w.Campaigns[i]
		c.EntityID = g.a.id("E-M-", i+1)
		c.Type = campaignTypes[campaignTypeW.pick(g.r)]
		c.StartDate = day(g.r.between(g.now.Add(-700*day1), g.now.Add(60*day1)))
		c.EndDate = c.StartDate.Add(time.Duration(1+g.r.IntN(90)) * day1)
		q := (int(c.StartDate.Month())-1)/3 + 1
		c.Name = g.a.concat("Q", strconv.Itoa(q), " ", strconv.Itoa(c.StartDate.Year()), " ", g.r.pick(campaignTopics), " ", c.Type)
		switch {
		case c.StartDate.After(g.now):
			c.Status = "Planned"
		case c.EndDate.After(g.now):
			c.Status = "In Progress"
		case g.r.chance(0.06):
			c.Status = "Aborted"
		default:
			c.Status = "Completed"
		}
		c.IsActive = c.Status == "Planned" || c.Status == "In Progress"
		c.BudgetedCost = roundAmount(g.r.lognorm(6000, 0.8))
		switch c.Status {
		case "Completed":
			c.ActualCost = roundAmount(c.BudgetedCost * (0.7 + 0.5*g.r.Float64()))
		case "In Progress", "Aborted":
			c.ActualCost = roundAmount(c.BudgetedCost * 0.5 * g.r.Float64())
		}
		c.ExpectedRevenue = roundAmount(c.BudgetedCost * (3 + 7*g.r.Float64()))
		c.OwnerIdx = g.r.IntN(len(w.Users))
		c.Presence = InSalesforce
		c.CreatedAt = earlier(c.StartDate.Add(-time.Duration(7+g.r.IntN(53))*day1), g.now.Add(-time.Hour))
		c.ModifiedAt = g.recent(c.CreatedAt, g.now)
	}
}

// members adds Salesforce leads and contacts to campaigns, each person at
// most once per campaign; a quarter of the members of started campaigns
// responded.
func (g *gen) members(n int, people []int32) {
	w := g.w
	if len(people) == 0 || len(w.Campaigns) == 0 {
		return
	}
	w.CampaignMembers = make([]CampaignMember, 0, n)
	seen := make(map[[2]int32]bool, n)
	for range n {
		ci := g.r.IntN(len(w.Campaigns))
		pi := int(people[g.r.IntN(len(people))])
		if seen[[2]int32{int32(ci), int32(pi)}] {
			continue // a rare repeat: one member fewer
		}
		c, p := &w.Campaigns[ci], &w.People[pi]
		lo := later(c.CreatedAt, p.CreatedAt)
		hi := earlier(g.now.Add(-time.Minute), c.EndDate.Add(30*day1))
		if !lo.Before(g.now.Add(-time.Minute)) {
			continue
		}
		if !hi.After(lo) {
			hi = g.now.Add(-time.Minute)
		}
		seen[[2]int32{int32(ci), int32(pi)}] = true
		m := CampaignMember{CampaignIdx: ci, PersonIdx: pi, Status: "Sent"}
		m.CreatedAt = g.r.between(lo, hi)
		m.ModifiedAt = m.CreatedAt
		if c.StartDate.Before(g.now) && g.r.chance(0.25) {
			from := later(m.CreatedAt, c.StartDate)
			at := g.r.between(from, earlier(g.now, from.Add(21*day1)))
			m.Status, m.RespondedAt, m.ModifiedAt = "Responded", at, at
		}
		w.CampaignMembers = append(w.CampaignMembers, m)
	}
}

// salesforceExtras projects the Salesforce-only entities: Cases on the
// copies of their contacts and accounts (supplied e-mail and phone as the
// contact record has them), every campaign, and the members whose person
// Salesforce holds, as the lead or contact it holds them as.
func (p *projector) salesforceExtras() {
	w, out := p.w, p.out
	out.Cases = make([]ProjTicket, 0, len(w.Cases))
	for i := range w.Cases {
		t := &w.Cases[i]
		ci := p.contact[t.PersonIdx]
		if ci < 0 {
			continue
		}
		c := &out.Contacts[ci]
		pt := ProjTicket{
			EntityID: t.EntityID, Subject: t.Subject, Description: t.Description, Status: t.Status,
			Priority: t.Priority, Channel: t.Channel, Email: c.Email, ContactIdx: int(ci),
			AccountIdx: int(p.acct[t.CompanyIdx]), CreatedAt: t.CreatedAt, ModifiedAt: t.ModifiedAt,
			FirstResponseAt: t.FirstResponseAt, ClosedAt: t.ClosedAt, DueDate: t.DueDate,
		}
		if t.Channel == "Phone" {
			pt.Phone = c.Phone
		}
		out.Cases = append(out.Cases, pt)
	}
	campaign := minusOnes(len(w.Campaigns))
	out.Campaigns = make([]ProjCampaign, 0, len(w.Campaigns))
	for i := range w.Campaigns {
		c := &w.Campaigns[i]
		if !c.Presence.Has(Salesforce) {
			continue
		}
		campaign[i] = int32(len(out.Campaigns))
		out.Campaigns = append(out.Campaigns, ProjCampaign{
			EntityID: c.EntityID, Name: c.Name, Type: c.Type, Status: c.Status, StartDate: c.StartDate, EndDate: c.EndDate,
			IsActive: c.IsActive, BudgetedCost: c.BudgetedCost, ActualCost: c.ActualCost, ExpectedRevenue: c.ExpectedRevenue,
			OwnerIdx: c.OwnerIdx, CreatedAt: c.CreatedAt, ModifiedAt: c.ModifiedAt,
		})
	}
	out.CampaignMembers = make([]ProjCampaignMember, 0, len(w.CampaignMembers))
	for i := range w.CampaignMembers {
		m := &w.CampaignMembers[i]
		ci := campaign[m.CampaignIdx]
		lead, contact := p.lead[m.PersonIdx], p.contact[m.PersonIdx]
		if ci < 0 || lead < 0 && contact < 0 {
			continue
		}
		pm := ProjCampaignMember{CampaignIdx: int(ci), LeadIdx: int(lead), ContactIdx: -1, Status: m.Status,
			CreatedAt: m.CreatedAt, ModifiedAt: m.ModifiedAt}
		if lead < 0 {
			pm.LeadIdx, pm.ContactIdx = -1, int(contact)
		}
		if !m.RespondedAt.IsZero() {
			pm.FirstRespondedDate = day(m.RespondedAt)
		}
		out.CampaignMembers = append(out.CampaignMembers, pm)
	}
}
