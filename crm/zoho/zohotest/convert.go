package zohotest

import (
	"fmt"
	"net/http"
	"strings"
)

// ConvertOptions shape a lead conversion.
type ConvertOptions struct {
	// AccountID and ContactID name an existing account and contact to
	// convert into; empty creates them from the lead.
	AccountID, ContactID string
	// Deal, when set, creates a deal with these values (Deal_Name, Stage,
	// Closing_Date, Amount, …) linked to the account and contact.
	Deal map[string]any
}

// Converted names the records a conversion produced (DealID empty when
// no deal was made).
type Converted struct {
	ContactID, AccountID, DealID string
}

// The lead fields a conversion copies (Zoho's default lead conversion
// mapping; an org can change it in the layout's convert_mapping, sheet
// §13 — the emulator keeps the default).
var (
	leadToContact = [][2]string{{"Salutation", "Salutation"}, {"First_Name", "First_Name"}, {"Last_Name", "Last_Name"},
		{"Email", "Email"}, {"Secondary_Email", "Secondary_Email"}, {"Phone", "Phone"}, {"Mobile", "Mobile"}, {"Fax", "Fax"},
		{"Designation", "Title"}, {"Lead_Source", "Lead_Source"}, {"Skype_ID", "Skype_ID"}, {"Twitter", "Twitter"},
		{"Description", "Description"}, {"Email_Opt_Out", "Email_Opt_Out"}, {"Street", "Mailing_Street"},
		{"City", "Mailing_City"}, {"State", "Mailing_State"}, {"Zip_Code", "Mailing_Zip"}, {"Country", "Mailing_Country"}}
	leadToAccount = [][2]string{{"Company", "Account_Name"}, {"Phone", "Phone"}, {"Fax", "Fax"}, {"Website", "Website"},
		{"Industry", "Industry"}, {"Annual_Revenue", "Annual_Revenue"}, {"No_of_Employees", "Employees"}, {"Rating", "Rating"},
		{"Street", "Billing_Street"}, {"City", "Billing_City"}, {"State", "Billing_State"}, {"Zip_Code", "Billing_Code"},
		{"Country", "Billing_Country"}}
)

// ConvertLead converts a lead as POST /crm/v8/Leads/{id}/actions/convert
// does: it creates (or links) a contact and an account from the lead,
// optionally a deal, and marks the lead converted (Converted__s,
// Converted_Date_Time, Converted_Contact, Converted_Account,
// Converted_Deal). The converted lead leaves the Leads module's lists and
// searches (converted=true shows it) and its duplicate checks; a single
// GET by id still returns it. A write to it is answered as for a record
// that does not exist (INVALID_DATA "the id given seems to be invalid"):
// that answer is unconfirmed (the sheet does not say what Zoho answers).
func (s *Server) ConvertLead(leadID string, o ConvertOptions) (Converted, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.convertLead(leadID, o)
}

// convertLead converts a lead; called with s.mu held.
func (s *Server) convertLead(leadID string, o ConvertOptions) (Converted, error) {
	leads, contacts, accounts := s.modules["leads"], s.modules["contacts"], s.modules["accounts"]
	id, ok := parseID(leadID)
	lead := leads.recs[id]
	if !ok || lead == nil {
		return Converted{}, fmt.Errorf("the id given seems to be invalid")
	}
	if isConverted(leads, lead) {
		return Converted{}, fmt.Errorf("the lead is already converted")
	}
	me := s.users[0].ID
	now := s.clk.tick()
	link := func(m *module, raw string) (*record, error) {
		rid, ok := parseID(raw)
		if r := m.recs[rid]; ok && r != nil {
			return r, nil
		}
		return nil, fmt.Errorf("the %s id given seems to be invalid", strings.ToLower(m.Singular))
	}
	create := func(m *module, pairs [][2]string, extra map[string]any) *record {
		r := &record{id: s.ids.next(), vals: m.newVals(), created: now, modified: now, creator: me, modifier: me}
		r.vals[m.field("Owner").slot] = userRef(me)
		m.numberNew(r)
		for _, p := range pairs {
			from, to := leads.field(p[0]), m.field(p[1])
			if from == nil || to == nil {
				continue
			}
			if v := leads.get(lead, from); v != nil {
				r.vals[to.slot] = v
			}
		}
		for k, v := range extra {
			if f := m.field(k); f != nil {
				r.vals[f.slot] = v
			}
		}
		r.ver++
		m.insert(r)
		return r
	}
	var acct, cont *record
	var err error
	if o.AccountID != "" {
		if acct, err = link(accounts, o.AccountID); err != nil {
			return Converted{}, err
		}
	} else {
		acct = create(accounts, leadToAccount, nil)
	}
	if o.ContactID != "" {
		if cont, err = link(contacts, o.ContactID); err != nil {
			return Converted{}, err
		}
	} else {
		cont = create(contacts, leadToContact, map[string]any{"Account_Name": ref{Module: "Accounts", ID: acct.id}})
	}
	out := Converted{ContactID: fmtID(cont.id), AccountID: fmtID(acct.id)}
	var deal *record
	if o.Deal != nil {
		deals := s.modules["deals"]
		vals := map[string]any{"Account_Name": ref{Module: "Accounts", ID: acct.id}, "Contact_Name": ref{Module: "Contacts", ID: cont.id}}
		for k, v := range o.Deal {
			f := deals.field(k)
			if f == nil || f.ReadOnly {
				return Converted{}, fmt.Errorf("deal field %s: no such writable field", k)
			}
			cv, rerr := s.coerce(deals, f, v, "$.data[0].Deals."+k, "")
			if rerr != nil {
				return Converted{}, fmt.Errorf("deal field %s: invalid data", k)
			}
			vals[k] = cv
		}
		deal = create(deals, nil, vals)
		out.DealID = fmtID(deal.id)
	}
	leads.indexValues(lead, false)
	set := func(name string, v any) { lead.vals[leads.field(name).slot] = v }
	set("Converted__s", true)
	set("Converted_Date_Time", now)
	set("Converted_Contact", ref{Module: "Contacts", ID: cont.id})
	set("Converted_Account", ref{Module: "Accounts", ID: acct.id})
	if deal != nil {
		set("Converted_Deal", ref{Module: "Deals", ID: deal.id})
	}
	lead.modified, lead.modifier = now, me
	lead.ver++
	leads.indexValues(lead, true)
	leads.touch(lead)
	return out, nil
}

// isConverted reports whether r is a converted lead of m.
func isConverted(m *module, r *record) bool {
	if m.APIName != "Leads" {
		return false
	}
	f := m.field("Converted__s")
	if f == nil {
		return false
	}
	b, _ := m.get(r, f).(bool)
	return b
}

// serveConvert answers POST /crm/v8/Leads/{id}/actions/convert: body
// {"data":[{"overwrite", "notify_lead_owner", "notify_new_entity_owner",
// "Accounts", "Contacts", "assign_to", "Deals": {…}}]}, answered (as Zoho's
// published samples show) {"data":[{"Contacts": id, "Accounts": id,
// "Deals": id or null}]}. Accounts and Contacts may be an id or {"id"}.
// It costs 5 credits and takes a slot of the pool for heavy calls (sheet
// §6.1).
func (s *Server) serveConvert(c *call, m *module, id uint64) {
	if m.APIName != "Leads" {
		c.fail(errURLPattern())
		return
	}
	if !moduleScope(c.scopes, m, "UPDATE") {
		c.fail(errScope())
		return
	}
	body, e := readBody(c.r)
	if e != nil {
		c.fail(e)
		return
	}
	data, _ := body["data"].([]any)
	if len(data) != 1 {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "api_name", "data", "json_path", "$.data"))
		return
	}
	in, _ := data[0].(map[string]any)
	var o ConvertOptions
	for key, dst := range map[string]*string{"Accounts": &o.AccountID, "Contacts": &o.ContactID} {
		if raw, ok := in[key]; ok && raw != nil {
			rid, ok := lookupID(raw)
			if !ok {
				c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "api_name", key, "json_path", "$.data[0]."+key))
				return
			}
			*dst = fmtID(rid)
		}
	}
	if d, ok := in["Deals"].(map[string]any); ok {
		o.Deal = d
	}
	if !c.begin(1, true) || !c.charge(4) {
		return
	}
	s.mu.Lock()
	out, err := s.convertLead(fmtID(id), o)
	s.mu.Unlock()
	if err != nil {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", err.Error(), "id", fmtID(id)))
		return
	}
	var deal any
	if out.DealID != "" {
		deal = out.DealID
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"data": []any{map[string]any{"Contacts": out.ContactID, "Accounts": out.AccountID, "Deals": deal}}})
}
