package sandbox

import (
	"hash/fnv"
	"slices"
	"time"
)

// Noise and duplicate rates of a projection.
const (
	dupAccountRate = 0.02  // accounts recorded twice in one system
	dupPersonRate  = 0.025 // contacts and leads recorded twice in one system
	convertedRate  = 0.08  // leads one system already converted to contacts
)

// Project returns what sys holds of w: a noisy, partial copy. Salesforce
// and Zoho CRM hold overlapping accounts, contacts, leads, deals and tasks;
// Zoho Desk holds the tickets, with their people as contacts and their
// companies as accounts. The copy is deterministic given the World and sys.
// Stage histories may be shared with the World: treat them as read-only.
// Zoho CRM's standard pipeline has no Prospecting stage, so in its
// projection prospecting is folded into qualification.
func (w *World) Project(sys System) *Projection {
	h := fnv.New64a()
	h.Write([]byte(sys))
	p := &projector{
		w:   w,
		sys: sys,
		n:   noiser{r: newRnd(w.Seed, h.Sum64())},
		out: &Projection{System: sys, Users: slices.Clone(w.Users)},
	}
	p.acct = minusOnes(len(w.Companies))
	p.contact = minusOnes(len(w.People))
	p.lead = minusOnes(len(w.People))
	switch sys {
	case Salesforce, ZohoCRM:
		p.crm()
	case ZohoDesk:
		p.desk()
	case ZohoCampaigns:
		p.zohoCampaigns()
	}
	return p.out
}

type projector struct {
	w   *World
	sys System
	n   noiser
	out *Projection
	// World index → Projection index of the first copy, -1 if absent.
	acct, contact, lead, deal []int32
	phoneStyle                int
	histBuf                   []StageChange
}

func minusOnes(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

// style picks a phone format: each system's users mostly type numbers one way.
func (p *projector) style() int {
	if p.n.r.chance(0.6) {
		return p.phoneStyle
	}
	return p.n.r.IntN(6)
}

// seen copies a time a system recorded later than the world did: imports
// and syncs lag.
func (p *projector) seen(t time.Time, lag time.Duration) time.Time {
	lag = min(lag, p.w.Now.Sub(t))
	if lag <= 0 {
		return t
	}
	return t.Add(time.Duration(p.n.r.Int64N(int64(lag))))
}

func (p *projector) crm() {
	w, out := p.w, p.out
	p.phoneStyle = 0
	if p.sys == ZohoCRM {
		p.phoneStyle = 1
	}
	var dupAccts, dupPeople []int
	out.Accounts = make([]Account, 0, len(w.Companies)*9/10)
	for ci := range w.Companies {
		if !w.Companies[ci].Presence.Has(p.sys) {
			continue
		}
		p.acct[ci] = int32(len(out.Accounts))
		out.Accounts = append(out.Accounts, p.account(ci, false))
		if p.n.r.chance(dupAccountRate) {
			dupAccts = append(dupAccts, ci)
		}
	}
	for _, ci := range dupAccts {
		out.Accounts = append(out.Accounts, p.account(ci, true))
	}

	out.Contacts = make([]Contact, 0, len(w.People)*3/4)
	for pi := range w.People {
		per := &w.People[pi]
		if !per.Presence.Has(p.sys) {
			continue
		}
		if per.IsLead && !(p.acct[per.CompanyIdx] >= 0 && p.n.r.chance(convertedRate)) {
			p.lead[pi] = int32(len(out.Leads))
			out.Leads = append(out.Leads, p.leadOf(pi, false))
		} else {
			p.contact[pi] = int32(len(out.Contacts))
			out.Contacts = append(out.Contacts, p.contactOf(pi, false))
		}
		if p.n.r.chance(dupPersonRate) {
			dupPeople = append(dupPeople, pi)
		}
	}
	for _, pi := range dupPeople {
		if p.lead[pi] >= 0 {
			out.Leads = append(out.Leads, p.leadOf(pi, true))
		} else {
			out.Contacts = append(out.Contacts, p.contactOf(pi, true))
		}
	}

	p.deal = minusOnes(len(w.Deals))
	out.Deals = make([]ProjDeal, 0, len(w.Deals)*2/3)
	for di := range w.Deals {
		d := &w.Deals[di]
		if !d.Presence.Has(p.sys) {
			continue
		}
		p.deal[di] = int32(len(out.Deals))
		pd := ProjDeal{
			EntityID: d.EntityID, Name: d.Name, Amount: d.Amount, Stage: d.Stage, CloseDate: d.CloseDate,
			Probability: d.Probability, LeadSource: d.LeadSource, Type: d.Type,
			AccountIdx: int(p.acct[d.CompanyIdx]), ContactIdx: -1, OwnerIdx: d.OwnerIdx,
			History: d.History, CreatedAt: d.CreatedAt, ModifiedAt: d.ModifiedAt,
		}
		if d.PersonIdx >= 0 {
			pd.ContactIdx = int(p.contact[d.PersonIdx])
		}
		if p.sys == ZohoCRM && d.History[0].Stage == StageProspecting {
			pd.History = p.withoutProspecting(d.History)
			pd.Stage = pd.History[len(pd.History)-1].Stage
		}
		if p.n.r.chance(0.02) {
			pd.Name = p.n.typo(pd.Name)
		}
		if p.n.r.chance(0.15) {
			pd.LeadSource = ""
		}
		if d.Presence == presenceBoth && p.n.r.chance(0.1) {
			pd.OwnerIdx = p.n.r.IntN(len(w.Users))
		}
		out.Deals = append(out.Deals, pd)
	}

	out.Tasks = make([]ProjTask, 0, len(w.Tasks)*2/3)
	for ti := range w.Tasks {
		t := &w.Tasks[ti]
		if !t.Presence.Has(p.sys) {
			continue
		}
		pt := ProjTask{
			EntityID: t.EntityID, Subject: t.Subject, Status: t.Status, Priority: t.Priority, Type: t.Type,
			ContactIdx: -1, LeadIdx: -1, DealIdx: -1, AccountIdx: -1, OwnerIdx: t.OwnerIdx,
			DueDate: t.DueDate, CreatedAt: t.CreatedAt, ModifiedAt: t.ModifiedAt,
		}
		if t.PersonIdx >= 0 {
			pt.ContactIdx = int(p.contact[t.PersonIdx])
			pt.LeadIdx = int(p.lead[t.PersonIdx])
			pt.AccountIdx = int(p.acct[w.People[t.PersonIdx].CompanyIdx])
		}
		if t.DealIdx >= 0 {
			pt.DealIdx = int(p.deal[t.DealIdx])
			pt.AccountIdx = int(p.acct[w.Deals[t.DealIdx].CompanyIdx])
		}
		if pt.LeadIdx >= 0 {
			pt.AccountIdx = -1 // a lead's company is not an account of the lead
		}
		out.Tasks = append(out.Tasks, pt)
	}
	if p.sys == Salesforce {
		p.salesforceExtras()
	}
}

// withoutProspecting rewrites a history for Zoho CRM, whose standard
// pipeline starts at Qualification: the prospecting entry becomes
// qualification, merged with a qualification entry right after it (keeping
// the earlier time and the later amount and close date).
func (p *projector) withoutProspecting(h []StageChange) []StageChange {
	n := len(h)
	merge := n > 1 && h[1].Stage == StageQualification
	if merge {
		n--
	}
	if len(p.histBuf)+n > cap(p.histBuf) {
		p.histBuf = make([]StageChange, 0, max(histChunk, n))
	}
	start := len(p.histBuf)
	p.histBuf = append(p.histBuf, h[0])
	out := &p.histBuf[start]
	out.Stage = StageQualification
	rest := h[1:]
	if merge {
		out.Amount, out.CloseDate = h[1].Amount, h[1].CloseDate
		rest = h[2:]
	}
	p.histBuf = append(p.histBuf, rest...)
	return p.histBuf[start : start+n : start+n]
}

// account copies company ci; a duplicate gets more noise and a later
// creation time.
func (p *projector) account(ci int, dup bool) Account {
	c := &p.w.Companies[ci]
	n := &p.n
	a := Account{
		EntityID: c.EntityID, Name: n.companyName(c), Industry: c.Industry,
		Street: c.Street, City: c.City, State: c.State, PostalCode: c.PostalCode, Country: n.country(c.Country),
		Employees: c.Employees, AnnualRevenue: c.AnnualRevenue, OwnerIdx: c.OwnerIdx,
		CreatedAt: p.seen(c.CreatedAt, 20*day1),
	}
	if !n.r.chance(0.05) {
		a.Website = n.website(c.Domain)
	}
	if !n.r.chance(0.10) {
		a.Phone = n.phone(c.Phone, p.style())
	}
	if n.r.chance(0.10) {
		a.Industry = ""
	}
	if n.r.chance(0.08) {
		a.Street, a.City, a.State, a.PostalCode = "", "", "", ""
	}
	switch x := n.r.Float64(); {
	case x < 0.15:
		a.Employees = 0
	case x < 0.25:
		a.Employees = max(1, int(float64(a.Employees)*(0.8+0.3*n.r.Float64()))) // stale headcount
	}
	if n.r.chance(0.2) {
		a.AnnualRevenue = 0
	}
	if n.r.chance(0.15) {
		a.OwnerIdx = n.r.IntN(len(p.w.Users))
	}
	if dup {
		a.CreatedAt = p.seen(a.CreatedAt, 300*day1)
		if n.r.chance(0.5) {
			a.Name = n.typo(a.Name)
		} else {
			a.Name = n.recase(a.Name)
		}
		a.Phone = ""
	}
	a.ModifiedAt = p.seen(later(a.CreatedAt, c.ModifiedAt), 10*day1)
	return a
}

func (p *projector) contactOf(pi int, dup bool) Contact {
	per := &p.w.People[pi]
	n := &p.n
	german := isGerman(per.Country)
	c := Contact{
		EntityID: per.EntityID, FirstName: n.firstName(per.FirstName, german), LastName: n.lastName(per.LastName, german),
		Title: n.title(per.Title), LeadSource: per.LeadSource, MailingCity: per.City, MailingState: per.State,
		MailingCountry: n.country(per.Country), AccountIdx: int(p.acct[per.CompanyIdx]), OwnerIdx: per.OwnerIdx,
		CreatedAt: p.seen(per.CreatedAt, 10*day1),
	}
	comp := &p.w.Companies[per.CompanyIdx]
	p.personNoise(per, comp, &c.Title, &c.Email, &c.Phone, &c.MailingCity, &c.MailingState)
	if per.Mobile != "" && !n.r.chance(0.3) {
		c.Mobile = n.phone(per.Mobile, p.style())
	}
	if n.r.chance(0.25) {
		c.LeadSource = ""
	}
	if dup {
		p.dupNoise(&c.FirstName, &c.LastName, &c.Email, &c.CreatedAt)
		if n.r.chance(0.3) {
			c.AccountIdx = -1
		}
	}
	c.ModifiedAt = p.seen(later(c.CreatedAt, per.ModifiedAt), 10*day1)
	return c
}

func (p *projector) leadOf(pi int, dup bool) Lead {
	per := &p.w.People[pi]
	n := &p.n
	german := isGerman(per.Country)
	comp := &p.w.Companies[per.CompanyIdx]
	l := Lead{
		EntityID: per.EntityID, FirstName: n.firstName(per.FirstName, german), LastName: n.lastName(per.LastName, german),
		Company: n.companyName(comp), Title: n.title(per.Title), City: per.City, State: per.State,
		Country: n.country(per.Country), LeadSource: per.LeadSource, Status: per.LeadStatus,
		Industry: comp.Industry, AnnualRevenue: comp.AnnualRevenue, OwnerIdx: per.OwnerIdx,
		CreatedAt: p.seen(per.CreatedAt, 5*day1),
	}
	p.personNoise(per, comp, &l.Title, &l.Email, &l.Phone, &l.City, &l.State)
	if n.r.chance(0.3) {
		l.Industry = ""
	}
	if n.r.chance(0.4) {
		l.AnnualRevenue = 0
	}
	if n.r.chance(0.1) {
		l.LeadSource = ""
	}
	if dup {
		p.dupNoise(&l.FirstName, &l.LastName, &l.Email, &l.CreatedAt)
		l.Status = LeadNew
	}
	l.ModifiedAt = p.seen(later(l.CreatedAt, per.ModifiedAt), 10*day1)
	return l
}

// personNoise blanks, staleness and formatting shared by contacts and leads.
func (p *projector) personNoise(per *Person, comp *Company, title, email, phone, city, state *string) {
	n := &p.n
	switch x := n.r.Float64(); {
	case x < 0.15:
		*title = ""
	case x < 0.25 && per.OldTitle != "":
		*title = per.OldTitle
	}
	if !n.r.chance(0.03) {
		*email = n.email(per.Email, comp.AltDomain)
	}
	if !n.r.chance(0.12) {
		*phone = n.phone(per.Phone, p.style())
	}
	switch x := n.r.Float64(); {
	case x < 0.10:
		*city, *state = "", ""
	case x < 0.6 && per.OldCity != "":
		*city = per.OldCity
	}
}

// dupNoise makes a duplicate record visibly different from its original.
func (p *projector) dupNoise(first, last, email *string, created *time.Time) {
	n := &p.n
	*created = p.seen(*created, 200*day1)
	switch n.r.IntN(4) {
	case 0:
		*first = n.typo(*first)
	case 1:
		*last = n.typo(*last)
	case 2:
		*email = n.recase(*email)
	default:
		*email = ""
	}
}

func (p *projector) desk() {
	w, out := p.w, p.out
	p.phoneStyle = 2
	out.Accounts = make([]Account, 0, len(w.Companies)/2)
	for ci := range w.Companies {
		if !w.Companies[ci].Presence.Has(ZohoDesk) {
			continue
		}
		p.acct[ci] = int32(len(out.Accounts))
		a := p.account(ci, false)
		a.Employees, a.AnnualRevenue = 0, 0 // Desk accounts carry no firmographics
		out.Accounts = append(out.Accounts, a)
	}
	out.Contacts = make([]Contact, 0, len(w.People)/3)
	for pi := range w.People {
		if !w.People[pi].Presence.Has(ZohoDesk) {
			continue
		}
		p.contact[pi] = int32(len(out.Contacts))
		c := p.contactOf(pi, false)
		c.LeadSource = ""
		if p.n.r.chance(0.5) {
			c.Title = ""
		}
		out.Contacts = append(out.Contacts, c)
	}
	out.Tickets = make([]ProjTicket, len(w.Tickets))
	for ti := range w.Tickets {
		t := &w.Tickets[ti]
		ci := p.contact[t.PersonIdx]
		pt := ProjTicket{
			EntityID: t.EntityID, Subject: t.Subject, Description: t.Description, Status: t.Status,
			Priority: t.Priority, Channel: t.Channel, ContactIdx: int(ci), AccountIdx: int(p.acct[t.CompanyIdx]),
			CreatedAt: t.CreatedAt, ModifiedAt: t.ModifiedAt,
			FirstResponseAt: t.FirstResponseAt, ClosedAt: t.ClosedAt, DueDate: t.DueDate,
		}
		c := &out.Contacts[ci]
		pt.Email, pt.Phone = c.Email, c.Phone
		if p.n.r.chance(0.1) {
			pt.Email = p.n.email(w.People[t.PersonIdx].Email, "")
		}
		if t.Channel != "Phone" && p.n.r.chance(0.5) {
			pt.Phone = ""
		}
		out.Tickets[ti] = pt
	}
}
