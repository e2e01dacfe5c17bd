package salesforce

import (
	"context"
	"fmt"
	"strings"

	revsync "github.com/revops/revops/sync"
)

// LeadToContact and LeadToAccount are the lead fields a write to a person
// who is a Contact (a lead converted into one, or a Lead sync's row whose
// person revops found as a Contact) goes to: Salesforce's standard lead
// conversion mapping (reference sheet §13.1). Custom fields (…__c) go to
// the Contact field of the same name when the Contact has one. Lead
// fields in neither map (Status, IsConverted, …) are not written. The
// Account's fields are only filled where they are empty: an account is
// shared by its contacts, and revops never renames or rewrites it from
// one lead.
var (
	LeadToContact = map[string]string{
		"FirstName": "FirstName", "LastName": "LastName", "Salutation": "Salutation", "Email": "Email", "Phone": "Phone",
		"MobilePhone": "MobilePhone", "Fax": "Fax", "Title": "Title", "LeadSource": "LeadSource", "Description": "Description",
		"HasOptedOutOfEmail": "HasOptedOutOfEmail", "DoNotCall": "DoNotCall", "Street": "MailingStreet", "City": "MailingCity",
		"State": "MailingState", "PostalCode": "MailingPostalCode", "Country": "MailingCountry",
	}
	LeadToAccount = map[string]string{
		"Company": "Name", "Website": "Website", "Industry": "Industry", "AnnualRevenue": "AnnualRevenue",
		"NumberOfEmployees": "NumberOfEmployees", "Rating": "Rating",
	}
)

// contactField returns the Contact field a Lead field is written to ("" when none).
func (d *Destination) contactField(ctx context.Context, leadField string) (string, error) {
	if f, ok := LeadToContact[leadField]; ok {
		return f, nil
	}
	if !strings.HasSuffix(strings.ToLower(leadField), "__c") {
		return "", nil
	}
	sc, err := d.schema(ctx, "Contact")
	if err != nil {
		return "", err
	}
	if f, ok := sc.Fields[canonical(sc, leadField)]; ok && f.Updateable {
		return f.Name, nil
	}
	return "", nil
}

// personValues splits a Lead record's values into the values of a Contact
// and of its Account (see LeadToContact).
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

// convertedLead is what a lead became.
type convertedLead struct {
	lead, contact, account string
}

// convertedLeads reads the conversion of leads by id, or by an external
// id field's values (field not "Id"): the leads among them that are
// converted, by the id or value asked.
func (d *Destination) convertedLeads(ctx context.Context, field string, vals []string) (map[string]convertedLead, error) {
	out := map[string]convertedLead{}
	for start := 0; start < len(vals); start += queryChunk {
		part := vals[start:min(start+queryChunk, len(vals))]
		cols := "Id, IsConverted, ConvertedContactId, ConvertedAccountId"
		if !strings.EqualFold(field, "Id") {
			cols += ", " + field
		}
		soql := fmt.Sprintf("SELECT %s FROM Lead WHERE %s IN (%s)", cols, field, quoteList(part))
		err := d.c.Query(ctx, soql, false, 0, func(recs []map[string]any) error {
			for _, r := range recs {
				if b, _ := r["IsConverted"].(bool); !b {
					continue
				}
				c := convertedLead{lead: str(r["Id"]), contact: str(r["ConvertedContactId"]), account: str(r["ConvertedAccountId"])}
				out[normKey(field, str(lookup(r, field)))] = c
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("salesforce: read lead conversions: %w", err)
		}
	}
	return out, nil
}

// personWrite is one Lead record written to a Contact (and its Account).
type personWrite struct {
	i                int // index in the Write
	contact, account string
	values           map[string]any // the Lead values
	from             string         // "Lead 00Q…" when redirected from a converted lead
}

// writePersons writes Lead records to the Contacts (and Accounts) they
// are: the Contact gets the person fields (LeadToContact), the Account's
// empty fields the company fields (LeadToAccount). Each record's result
// is the Contact's (Object "Contact"); a failed Account fill fails the
// record too (the Contact write is repeated with it: it is idempotent).
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
		got, err := d.Read(ctx, "Contact", noAccount, []string{"AccountId"})
		if err != nil {
			return err
		}
		for j := range ws {
			if ws[j].account == "" {
				ws[j].account = str(got[ws[j].contact]["AccountId"])
			}
		}
	}
	var body []map[string]any
	var idx []int
	for j, w := range ws {
		out[w.i] = revsync.Result{ID: w.contact, Object: "Contact"}
		if len(parts[j].contact) > 0 {
			rec := jsonRecord(parts[j].contact)
			rec["Id"] = w.contact
			body = append(body, rec)
			idx = append(idx, j)
		}
	}
	for start := 0; start < len(body); start += collectionMax {
		end := min(start+collectionMax, len(body))
		res, err := d.c.Update(ctx, "Contact", body[start:end], false)
		if err != nil {
			return err
		}
		for k, r := range res {
			if r.Success {
				continue
			}
			w := ws[idx[start+k]]
			re := rowError(firstError(r))
			re.Message = fmt.Sprintf("Contact %s: %s", w.contact, re.Message)
			if w.from != "" {
				re.Message += " (written there because " + w.from + " was converted into it)"
			}
			markGone(re, "Contact")
			out[w.i] = revsync.Result{ID: w.contact, Object: "Contact", Err: re}
		}
	}
	accounts := map[string]map[string]any{} // account id → values to fill
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
			out[w.i] = revsync.Result{ID: w.contact, Object: "Contact", Err: e}
		}
	}
	return nil
}

// fillAccounts writes company values to the Accounts' fields that are
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
	var fields []string
	for f := range fieldSet {
		fields = append(fields, f)
	}
	cur, err := d.Read(ctx, "Account", ids, fields)
	if err != nil {
		return nil, err
	}
	var body []map[string]any
	var order []string
	for _, id := range ids {
		now, ok := cur[id]
		if !ok {
			continue // gone: nothing to fill
		}
		fill := map[string]any{}
		for f, v := range accounts[id] {
			if isEmpty(now[f]) {
				fill[f] = v
			}
		}
		if len(fill) == 0 {
			continue
		}
		rec := jsonRecord(fill)
		rec["Id"] = id
		body = append(body, rec)
		order = append(order, id)
	}
	out := map[string]*revsync.RowError{}
	for start := 0; start < len(body); start += collectionMax {
		end := min(start+collectionMax, len(body))
		res, err := d.c.Update(ctx, "Account", body[start:end], false)
		if err != nil {
			return nil, err
		}
		for k, r := range res {
			if !r.Success {
				e := rowError(firstError(r))
				e.Message = fmt.Sprintf("Account %s (filling its empty fields): %s", order[start+k], e.Message)
				out[order[start+k]] = e
			}
		}
	}
	return out, nil
}
