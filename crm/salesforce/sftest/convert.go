package sftest

import (
	"fmt"
	"time"
)

// ConvertOptions shape a lead conversion (reference sheet §13.1).
type ConvertOptions struct {
	// AccountID and ContactID name an existing Account and Contact to
	// convert into; empty creates them from the lead (the Account from
	// its company fields, the Contact from its person fields).
	AccountID, ContactID string
	// Opportunity also creates an Opportunity named after the company.
	Opportunity bool
	// Status is the converted status (default "Closed - Converted").
	Status string
}

// Converted says what a conversion produced.
type Converted struct {
	AccountID, ContactID, OpportunityID string
}

// leadToContact and leadToAccount are the standard lead field mapping a
// conversion copies (reference sheet §13.1: Company becomes the Account's
// Name, the person fields the Contact's, the address both).
var (
	leadToContact = [][2]string{{"FirstName", "FirstName"}, {"LastName", "LastName"}, {"Salutation", "Salutation"},
		{"Email", "Email"}, {"Phone", "Phone"}, {"MobilePhone", "MobilePhone"}, {"Title", "Title"}, {"LeadSource", "LeadSource"},
		{"Description", "Description"}, {"Street", "MailingStreet"}, {"City", "MailingCity"}, {"State", "MailingState"},
		{"PostalCode", "MailingPostalCode"}, {"Country", "MailingCountry"}}
	leadToAccount = [][2]string{{"Company", "Name"}, {"Website", "Website"}, {"Industry", "Industry"},
		{"AnnualRevenue", "AnnualRevenue"}, {"NumberOfEmployees", "NumberOfEmployees"}, {"Rating", "Rating"},
		{"Phone", "Phone"}, {"LeadSource", "AccountSource"}, {"Street", "BillingStreet"}, {"City", "BillingCity"},
		{"State", "BillingState"}, {"PostalCode", "BillingPostalCode"}, {"Country", "BillingCountry"}}
)

// ConvertLead converts a lead as the UI, SOAP convertLead() or Apex do
// (there is no REST resource for it): in one transaction it creates (or
// reuses) an Account and a Contact, optionally an Opportunity, and marks
// the lead converted (IsConverted, Status, ConvertedDate and the
// Converted…Id fields). The lead stays a live record, and from then on
// every update of it (single record, Collections, upsert, Bulk) fails
// with CANNOT_UPDATE_CONVERTED_LEAD.
func (s *Server) ConvertLead(leadID string, o ConvertOptions) (Converted, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lt := s.table("Lead")
	_, seq, e := parseID(leadID)
	var lead *record
	if e == idOK {
		lead = lt.rec(seq)
	}
	if lead == nil || lead.deleted {
		return Converted{}, fmt.Errorf("sftest: convert lead %s: no such lead", leadID)
	}
	get := func(n string) any { return lead.get(fieldIndex(lt, n)) }
	if b, _ := get("IsConverted").(bool); b {
		return Converted{}, fmt.Errorf("sftest: convert lead %s: already converted", leadID)
	}
	x := s.begin(nil)
	fail := func(what string, errs []recError) (Converted, error) {
		x.rollback()
		return Converted{}, fmt.Errorf("sftest: convert lead %s: %s: %s: %s", leadID, what, errs[0].StatusCode, errs[0].Message)
	}
	copyFields := func(t *table, pairs [][2]string) []assign {
		var as []assign
		for _, p := range pairs {
			v := get(p[0])
			f, i, ok := t.def.field(p[1])
			if v == nil || !ok {
				continue
			}
			as = append(as, assign{f: f, i: i, val: v})
		}
		return as
	}
	var out Converted
	at, ct := s.table("Account"), s.table("Contact")
	if o.AccountID != "" {
		id, re := s.collectionID(at, o.AccountID)
		if re != nil {
			return fail("account "+o.AccountID, []recError{*re})
		}
		out.AccountID = at.id(id)
	} else {
		aseq, errs := x.insert(at, copyFields(at, leadToAccount))
		if len(errs) > 0 {
			return fail("create the account", errs)
		}
		out.AccountID = at.id(aseq)
	}
	if o.ContactID != "" {
		id, re := s.collectionID(ct, o.ContactID)
		if re != nil {
			return fail("contact "+o.ContactID, []recError{*re})
		}
		out.ContactID = ct.id(id)
	} else {
		as := copyFields(ct, leadToContact)
		f, i, _ := ct.def.field("AccountId")
		as = append(as, assign{f: f, i: i, val: out.AccountID})
		cseq, errs := x.insert(ct, as)
		if len(errs) > 0 {
			return fail("create the contact", errs)
		}
		out.ContactID = ct.id(cseq)
	}
	if o.Opportunity {
		ot := s.table("Opportunity")
		name, _ := get("Company").(string)
		var as []assign
		for n, v := range map[string]any{"Name": name, "StageName": "Prospecting", "AccountId": out.AccountID,
			"CloseDate": dateVal(s.opts.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02"))} {
			f, i, _ := ot.def.field(n)
			as = append(as, assign{f: f, i: i, val: v})
		}
		oseq, errs := x.insert(ot, as)
		if len(errs) > 0 {
			return fail("create the opportunity", errs)
		}
		out.OpportunityID = ot.id(oseq)
	}
	status := o.Status
	if status == "" {
		status = "Closed - Converted"
	}
	prev := record{vals: append([]any(nil), lead.vals...)}
	lt.indexRemove(seq, lead)
	now := s.clock.tick()
	set := func(n string, v any) { lead.set(fieldIndex(lt, n), v) }
	set("IsConverted", true)
	set("Status", status)
	set("ConvertedDate", dateVal(time.UnixMilli(int64(now)).UTC().Format("2006-01-02")))
	set("ConvertedAccountId", out.AccountID)
	set("ConvertedContactId", out.ContactID)
	if out.OpportunityID != "" {
		set("ConvertedOpportunityId", out.OpportunityID)
	}
	set("LastModifiedDate", now)
	set("SystemModstamp", now)
	set("LastModifiedById", s.userID())
	lt.indexAdd(seq, lead)
	x.log = append(x.log, undo{t: lt, seq: seq, prev: prev})
	return out, nil
}

// convertedLead reports whether r is a converted lead of t.
func convertedLead(t *table, r *record) bool {
	if t.def.Name != "Lead" {
		return false
	}
	b, _ := r.get(fieldIndex(t, "IsConverted")).(bool)
	return b
}
