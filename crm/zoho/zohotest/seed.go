package zohotest

import (
	"strings"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// zohoStage maps a normalized stage onto the default "Standard" pipeline
// (sheet §5.4). Zoho has no prospecting stage: it starts at Qualification.
func zohoStage(st sandbox.Stage) string {
	switch st {
	case sandbox.StageProspecting, sandbox.StageQualification:
		return "Qualification"
	case sandbox.StageNeedsAnalysis:
		return "Needs Analysis"
	case sandbox.StageValueProposition:
		return "Value Proposition"
	case sandbox.StageProposal:
		return "Proposal/Price Quote"
	case sandbox.StageNegotiation:
		return "Negotiation/Review"
	case sandbox.StageClosedWon:
		return "Closed Won"
	case sandbox.StageClosedLost:
		return "Closed Lost"
	}
	return string(st)
}

// zohoLeadStatus maps a normalized lead status onto Lead_Status values.
func zohoLeadStatus(st sandbox.LeadStatus) string {
	switch st {
	case sandbox.LeadNew:
		return "Not Contacted"
	case sandbox.LeadContacted:
		return "Contacted"
	case sandbox.LeadQualified:
		return "Pre-Qualified"
	case sandbox.LeadUnqualified:
		return "Not Qualified"
	}
	return ""
}

// seeder writes projection records straight into the store; the sort
// indexes are rebuilt once at the end.
type seeder struct {
	s       *Server
	users   []uint64 // projection user index → CRM user id
	touched map[*module]bool
	truth   []sandbox.Truth
	sys     sandbox.System
}

func (sd *seeder) owner(idx int) any {
	if idx >= 0 && idx < len(sd.users) {
		return userRef(sd.users[idx])
	}
	return userRef(sd.s.users[0].ID)
}

func str(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func num(v float64) any {
	if v == 0 {
		return nil
	}
	return v
}

// add stores one record with the given API-name values.
func (sd *seeder) add(m *module, entity string, created, modified time.Time, owner any, vals map[string]any) *record {
	s := sd.s
	r := &record{id: s.ids.next(), vals: m.newVals(), created: created.Unix(), modified: modified.Unix(),
		creator: s.users[0].ID, modifier: s.users[0].ID, ver: 1}
	if r.modified < r.created {
		r.modified = r.created
	}
	if u, ok := owner.(userRef); ok {
		r.creator, r.modifier = uint64(u), uint64(u)
	}
	r.vals[m.field("Owner").slot] = owner
	for k, v := range vals {
		if f := m.field(k); f != nil && v != nil {
			r.vals[f.slot] = v
		}
	}
	m.recs[r.id] = r
	m.byID.e = append(m.byID.e, ientry{id: r.id, ver: r.ver, r: r})
	m.indexValues(r, true)
	sd.touched[m] = true
	if entity != "" {
		sd.truth = append(sd.truth, sandbox.Truth{System: sd.sys, Object: m.APIName, RecordID: fmtID(r.id), EntityID: entity})
	}
	return r
}

func (sd *seeder) finish() {
	for m := range sd.touched {
		m.byCreated.rebuild(m.recs)
		m.byModified.rebuild(m.recs)
		m.byID.rebuild(m.recs)
	}
}

// seedUsers adds the projection's users after the API user and returns
// their CRM ids by projection index. Called with s.mu held.
func (s *Server) seedUsers(p *sandbox.Projection) []uint64 {
	ids := make([]uint64, len(p.Users))
	for i, u := range p.Users {
		for _, have := range s.users {
			if strings.EqualFold(have.Email, u.Email) {
				ids[i] = have.ID
			}
		}
		if ids[i] == 0 {
			nu := &user{ID: s.ids.next(), FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, Active: u.Active}
			s.users = append(s.users, nu)
			ids[i] = nu.ID
		}
	}
	return ids
}

// SeedCRM loads the Zoho CRM projection of a world into the CRM modules:
// Accounts, Contacts, Leads, Deals (with their Stage_History) and Tasks,
// owned by the projection's users. It returns one truth row per record.
func (s *Server) SeedCRM(p *sandbox.Projection) []sandbox.Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	sd := &seeder{s: s, touched: map[*module]bool{}, sys: sandbox.ZohoCRM}
	sd.users = s.seedUsers(p)
	accts, contacts, leads, deals, tasks := s.modules["accounts"], s.modules["contacts"], s.modules["leads"],
		s.modules["deals"], s.modules["tasks"]
	acctIDs := make([]uint64, len(p.Accounts))
	for i, a := range p.Accounts {
		var emp any
		if a.Employees > 0 {
			emp = int64(a.Employees)
		}
		acctIDs[i] = sd.add(accts, a.EntityID, a.CreatedAt, a.ModifiedAt, sd.owner(a.OwnerIdx), map[string]any{
			"Account_Name": str(a.Name), "Website": str(a.Website), "Industry": str(a.Industry), "Phone": str(a.Phone),
			"Billing_Street": str(a.Street), "Billing_City": str(a.City), "Billing_State": str(a.State),
			"Billing_Code": str(a.PostalCode), "Billing_Country": str(a.Country), "Employees": emp,
			"Annual_Revenue": num(a.AnnualRevenue), "Account_Type": "Customer",
		}).id
	}
	lookup := func(mod string, ids []uint64, idx int) any {
		if idx < 0 || idx >= len(ids) {
			return nil
		}
		return ref{Module: mod, ID: ids[idx]}
	}
	stages := lifecycleOf(p)
	contactIDs := make([]uint64, len(p.Contacts))
	for i, c := range p.Contacts {
		contactIDs[i] = sd.add(contacts, c.EntityID, c.CreatedAt, c.ModifiedAt, sd.owner(c.OwnerIdx), map[string]any{
			"First_Name": str(c.FirstName), "Last_Name": str(c.LastName), "Title": str(c.Title), "Email": str(c.Email),
			"Phone": str(c.Phone), "Mobile": str(c.Mobile), "Mailing_City": str(c.MailingCity),
			"Mailing_State": str(c.MailingState), "Mailing_Country": str(c.MailingCountry),
			"Lead_Source": str(c.LeadSource), "Account_Name": lookup("Accounts", acctIDs, c.AccountIdx),
			"Lifecycle_Stage": stages[i],
		}).id
	}
	leadIDs := make([]uint64, len(p.Leads))
	for i, l := range p.Leads {
		leadIDs[i] = sd.add(leads, l.EntityID, l.CreatedAt, l.ModifiedAt, sd.owner(l.OwnerIdx), map[string]any{
			"First_Name": str(l.FirstName), "Last_Name": str(l.LastName), "Company": str(l.Company),
			"Designation": str(l.Title), "Email": str(l.Email), "Phone": str(l.Phone), "City": str(l.City),
			"State": str(l.State), "Country": str(l.Country), "Lead_Source": str(l.LeadSource),
			"Lead_Status": str(zohoLeadStatus(l.Status)), "Industry": str(l.Industry),
			"Annual_Revenue": num(l.AnnualRevenue), "Converted__s": false,
		}).id
	}
	dealIDs := make([]uint64, len(p.Deals))
	for i, d := range p.Deals {
		r := sd.add(deals, d.EntityID, d.CreatedAt, d.ModifiedAt, sd.owner(d.OwnerIdx), map[string]any{
			"Deal_Name": str(d.Name), "Amount": num(d.Amount), "Stage": zohoStage(d.Stage),
			"Closing_Date": dateOf(d.CloseDate), "Probability": float64(d.Probability), "Pipeline": "Standard (Standard)",
			"Lead_Source": str(d.LeadSource), "Type": str(d.Type),
			"Account_Name": lookup("Accounts", acctIDs, d.AccountIdx), "Contact_Name": lookup("Contacts", contactIDs, d.ContactIdx),
		})
		dealIDs[i] = r.id
		for _, h := range d.History {
			amount := h.Amount
			stage := zohoStage(h.Stage)
			prob := stageProbability[stage]
			deals.history[r.id] = append(deals.history[r.id], stageEntry{ID: s.ids.next(), Stage: stage, Amount: &amount,
				Probability: &prob, ClosingDate: fmtDate(h.CloseDate), ModifiedBy: r.modifier, At: h.At.Unix()})
		}
	}
	for _, t := range p.Tasks {
		var what any
		switch {
		case t.DealIdx >= 0:
			what = lookup("Deals", dealIDs, t.DealIdx)
		case t.LeadIdx >= 0:
			what = lookup("Leads", leadIDs, t.LeadIdx)
		case t.AccountIdx >= 0:
			what = lookup("Accounts", acctIDs, t.AccountIdx)
		}
		subject := t.Subject
		if subject == "" {
			subject = t.Type
		}
		sd.add(tasks, t.EntityID, t.CreatedAt, t.ModifiedAt, sd.owner(t.OwnerIdx), map[string]any{
			"Subject": str(subject), "Status": str(t.Status), "Priority": str(t.Priority), "Due_Date": dateOf(t.DueDate),
			"What_Id": what, "Who_Id": lookup("Contacts", contactIDs, t.ContactIdx),
		})
	}
	sd.finish()
	return sd.truth
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}

func dateOf(t time.Time) any { return str(fmtDate(t)) }

// SeedDesk loads the Zoho Desk projection of a world: accounts, contacts
// and tickets. It returns one truth row per record (objects "accounts",
// "contacts", "tickets").
func (s *Server) SeedDesk(p *sandbox.Projection) []sandbox.Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	var truth []sandbox.Truth
	tr := func(kind string, it *deskItem, entity string) {
		truth = append(truth, sandbox.Truth{System: sandbox.ZohoDesk, Object: kind, RecordID: fmtID(it.id), EntityID: entity})
	}
	acct := make([]uint64, len(p.Accounts))
	for i, a := range p.Accounts {
		it := s.deskAdd(deskAccounts, map[string]any{"accountName": a.Name, "email": nil, "website": str(a.Website),
			"phone": str(a.Phone), "fax": nil, "industry": str(a.Industry), "street": str(a.Street), "city": str(a.City),
			"state": str(a.State), "code": str(a.PostalCode), "country": str(a.Country), "description": nil,
			"annualrevenue": nil, "ownerId": nil, "zohoCRMAccount": nil, "isDeleted": false, "isTrashed": false,
			"cf": map[string]any{}}, a.CreatedAt.UnixMilli(), a.ModifiedAt.UnixMilli())
		acct[i] = it.id
		tr(deskAccounts, it, a.EntityID)
	}
	idOf := func(ids []uint64, i int) any {
		if i < 0 || i >= len(ids) {
			return nil
		}
		return ids[i]
	}
	contact := make([]uint64, len(p.Contacts))
	for i, c := range p.Contacts {
		it := s.deskAdd(deskContacts, map[string]any{"firstName": str(c.FirstName), "lastName": c.LastName,
			"email": str(c.Email), "secondaryEmail": nil, "phone": str(c.Phone), "mobile": str(c.Mobile),
			"accountId": idOf(acct, c.AccountIdx), "ownerId": nil, "type": "End User", "isAnonymous": false,
			"isEndUser": true, "isSpam": false, "photoURL": nil, "zohoCRMContact": nil, "title": str(c.Title),
			"city": str(c.MailingCity), "state": str(c.MailingState), "country": str(c.MailingCountry),
			"customerHappiness": map[string]any{"badPercentage": "0", "okPercentage": "0", "goodPercentage": "0"},
			"cf":                map[string]any{}}, c.CreatedAt.UnixMilli(), c.ModifiedAt.UnixMilli())
		contact[i] = it.id
		tr(deskContacts, it, c.EntityID)
	}
	for _, t := range p.Tickets {
		f := newTicketFields()
		status := t.Status
		st, ok := deskStatuses[status]
		if !ok {
			status, st = "Open", "Open"
		}
		s.desk.ticketNo++
		f["ticketNumber"] = itoa(s.desk.ticketNo)
		f["subject"], f["description"], f["status"], f["statusType"] = t.Subject, str(t.Description), status, st
		f["priority"], f["channel"], f["email"], f["phone"] = str(t.Priority), str(t.Channel), str(t.Email), str(t.Phone)
		f["contactId"], f["accountId"], f["departmentId"] = idOf(contact, t.ContactIdx), idOf(acct, t.AccountIdx), s.desk.department
		f["isEscalated"] = t.Status == "Escalated"
		if t.ClosedAt != nil {
			f["closedTime"] = t.ClosedAt.UnixMilli()
		}
		if t.DueDate != nil {
			f["dueDate"] = t.DueDate.UnixMilli()
			f["isOverDue"] = t.ClosedAt == nil && t.DueDate.Before(s.now())
		}
		if t.FirstResponseAt != nil {
			f["customerResponseTime"] = t.FirstResponseAt.UnixMilli()
		}
		it := s.deskAdd(deskTickets, f, t.CreatedAt.UnixMilli(), t.ModifiedAt.UnixMilli())
		tr(deskTickets, it, t.EntityID)
	}
	return truth
}

func itoa(n int) string { return fmtValue(int64(n)) }

// Records returns the live records of a CRM module as the API names them
// (every field, lookups as {"name","id"}, datetimes with offsets, ids as
// strings), in id order; nil for an unknown module.
func (s *Server) Records(moduleName string) []map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.modules[strings.ToLower(moduleName)]
	if m == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(m.recs))
	for i := range m.byID.e {
		e := &m.byID.e[i]
		if m.byID.live(e) {
			out = append(out, s.recordMap(m, e.r))
		}
	}
	return out
}

// StageHistory returns the Stage_History entries of a deal, newest first,
// as GET /crm/v8/Deals/{id}/Stage_History renders them.
func (s *Server) StageHistory(dealID string) []map[string]any {
	id, _ := parseID(dealID)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stageRows(s.modules["deals"], id, stageHistoryFields, 0, false)
}
