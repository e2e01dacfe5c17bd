package zoho

import (
	"context"
	"fmt"

	revsync "github.com/revops/revops/sync"
)

// LeadToContact and LeadToAccount are the Leads fields a write goes to
// when the person of a Leads record is a contact: a lead that was
// converted, or a Leads sync's row that matched a contact (see
// MatchRecords). They are Zoho's default lead conversion mapping (an org
// can change it in the layout's convert_mapping; revops keeps the
// default). Custom fields (the org's own: custom_field in the fields API)
// go to the Contacts field of the same API name when there is one. Leads
// fields in neither map (Lead_Status, …) are not written. The Account's
// fields are only filled where they are empty: an account is shared by
// its contacts, and revops never renames or rewrites it from one lead.
var (
	LeadToContact = map[string]string{
		"Salutation": "Salutation", "First_Name": "First_Name", "Last_Name": "Last_Name", "Email": "Email",
		"Secondary_Email": "Secondary_Email", "Phone": "Phone", "Mobile": "Mobile", "Fax": "Fax", "Designation": "Title",
		"Lead_Source": "Lead_Source", "Skype_ID": "Skype_ID", "Twitter": "Twitter", "Description": "Description",
		"Email_Opt_Out": "Email_Opt_Out", "Street": "Mailing_Street", "City": "Mailing_City", "State": "Mailing_State",
		"Zip_Code": "Mailing_Zip", "Country": "Mailing_Country",
	}
	LeadToAccount = map[string]string{
		"Company": "Account_Name", "Website": "Website", "Industry": "Industry", "Annual_Revenue": "Annual_Revenue",
		"No_of_Employees": "Employees", "Rating": "Rating",
	}
)

// personValues splits a Leads record's values into the values of a
// contact and of its account (see LeadToContact and contactField).
func (d *Destination) personValues(ctx context.Context, values map[string]any) (contact, account map[string]any, err error) {
	contact, account = map[string]any{}, map[string]any{}
	for k, v := range values {
		if a, ok := LeadToAccount[k]; ok {
			account[a] = v
			continue
		}
		c, err := d.contactField(ctx, k)
		if err != nil {
			return nil, nil, err
		}
		if c != "" {
			contact[c] = v
		}
	}
	return contact, account, nil
}

// personWrite is one Leads record written to the contact (and account) it is.
type personWrite struct {
	i                int // index in the Write
	contact, account string
	values           map[string]any // the Leads values
	from             string         // "Leads …" when redirected from a converted lead
}

// convertedLeads sends the updates of Leads records that failed as gone
// to the contact and account their lead was converted into, when it was:
// a converted lead leaves the module, and its writes are answered as for
// a record that does not exist. One read of the lead per record.
func (d *Destination) convertedLeads(ctx context.Context, recs []revsync.Record, rows []int, out []revsync.Result) error {
	var ws []personWrite
	for _, i := range rows {
		if e := out[i].Err; e == nil || !e.Gone || recs[i].ID == "" {
			continue
		}
		lead, err := d.c.Get(ctx, "Leads", recs[i].ID, "Converted__s", "Converted_Contact", "Converted_Account")
		if err != nil {
			return fmt.Errorf("zoho: read lead %s: %w", recs[i].ID, err)
		}
		if conv, _ := lead["Converted__s"].(bool); !conv {
			continue
		}
		contact, account := idString(refID(lead["Converted_Contact"])), idString(refID(lead["Converted_Account"]))
		if contact == "" {
			continue
		}
		ws = append(ws, personWrite{i: i, contact: contact, account: account, values: recs[i].Values, from: "Leads " + recs[i].ID})
	}
	return d.writePersons(ctx, ws, out)
}

func refID(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["id"]
	}
	return nil
}

// writePersons writes Leads records to the contacts (and accounts) they
// are: the contact gets the person fields, the account's empty fields the
// company fields. Each record's result is the contact's (Object
// "Contacts"); a failed account fill fails the record too (the contact
// write is repeated with it: it is idempotent).
func (d *Destination) writePersons(ctx context.Context, ws []personWrite, out []revsync.Result) error {
	if len(ws) == 0 {
		return nil
	}
	type split struct{ contact, account map[string]any }
	parts := make([]split, len(ws))
	var noAccount []string
	for j, w := range ws {
		c, a, err := d.personValues(ctx, w.values)
		if err != nil {
			return err
		}
		parts[j] = split{c, a}
		if len(a) > 0 && w.account == "" {
			noAccount = append(noAccount, w.contact)
		}
	}
	if len(noAccount) > 0 {
		got, err := d.Read(ctx, "Contacts", noAccount, []string{"Account_Name"})
		if err != nil {
			return err
		}
		for j := range ws {
			if ws[j].account == "" {
				ws[j].account, _ = got[ws[j].contact]["Account_Name"].(string)
			}
		}
	}
	contacts := make([]revsync.Record, 0, len(ws))
	var idx []int
	for j, w := range ws {
		out[w.i] = revsync.Result{ID: w.contact, Object: "Contacts"}
		if len(parts[j].contact) > 0 {
			contacts = append(contacts, revsync.Record{ID: w.contact, Values: parts[j].contact})
			idx = append(idx, j)
		}
	}
	if len(contacts) > 0 {
		res := make([]revsync.Result, len(contacts))
		send := make([]int, len(contacts))
		for k := range send {
			send[k] = k
		}
		if err := d.write(ctx, "Contacts", revsync.OpUpdate, nil, contacts, send, res); err != nil {
			return err
		}
		for k, r := range res {
			if r.Err == nil {
				continue
			}
			w := ws[idx[k]]
			if w.from != "" {
				r.Err.Message += " (written there because " + w.from + " was converted into it)"
			}
			out[w.i] = revsync.Result{ID: w.contact, Object: "Contacts", Err: r.Err}
		}
	}
	accounts := map[string]map[string]any{}
	for j, w := range ws {
		if len(parts[j].account) == 0 || w.account == "" || out[w.i].Err != nil {
			continue
		}
		a := accounts[w.account]
		if a == nil {
			a = map[string]any{}
			accounts[w.account] = a
		}
		for k, v := range parts[j].account {
			if _, set := a[k]; !set && !isEmpty(v) {
				a[k] = v
			}
		}
	}
	errs, err := d.fillAccounts(ctx, accounts)
	if err != nil {
		return err
	}
	for j, w := range ws {
		if e := errs[w.account]; e != nil && len(parts[j].account) > 0 && out[w.i].Err == nil {
			out[w.i] = revsync.Result{ID: w.contact, Object: "Contacts", Err: e}
		}
	}
	return nil
}

// fillAccounts writes company values to the accounts' fields that are
// empty; it returns the per-account failures.
func (d *Destination) fillAccounts(ctx context.Context, accounts map[string]map[string]any) (map[string]*revsync.RowError, error) {
	if len(accounts) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(accounts))
	fieldSet := map[string]bool{}
	for id, vals := range accounts {
		ids = append(ids, id)
		for f := range vals {
			fieldSet[f] = true
		}
	}
	fields := make([]string, 0, len(fieldSet))
	for f := range fieldSet {
		fields = append(fields, f)
	}
	cur, err := d.Read(ctx, "Accounts", ids, fields)
	if err != nil {
		return nil, err
	}
	var recs []revsync.Record
	for _, id := range ids {
		now, ok := cur[id]
		if !ok {
			continue
		}
		fill := map[string]any{}
		for f, v := range accounts[id] {
			if isEmpty(now[f]) {
				fill[f] = v
			}
		}
		if len(fill) > 0 {
			recs = append(recs, revsync.Record{ID: id, Values: fill})
		}
	}
	out := map[string]*revsync.RowError{}
	for start := 0; start < len(recs); start += 100 {
		part := recs[start:min(start+100, len(recs))]
		res := make([]revsync.Result, len(part))
		send := make([]int, len(part))
		for k := range send {
			send[k] = k
		}
		if err := d.write(ctx, "Accounts", revsync.OpUpdate, nil, part, send, res); err != nil {
			return nil, err
		}
		for k, r := range res {
			if r.Err != nil {
				r.Err.Message = fmt.Sprintf("Accounts %s (filling its empty fields): %s", part[k].ID, r.Err.Message)
				out[part[k].ID] = r.Err
			}
		}
	}
	return out, nil
}
