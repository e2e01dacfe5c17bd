//go:build duckdb_arrow

package sync_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	revsync "github.com/revops/revops/sync"
)

// insert creates one record through the destination and returns its id.
func insert(t *testing.T, d revsync.Destination, object string, values map[string]any) string {
	t.Helper()
	res, err := d.Write(context.Background(), object, revsync.OpInsert, revsync.Match{By: revsync.MatchID}, []revsync.Record{{Values: values}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("insert %s: %v %v", object, err, res)
	}
	return res[0].ID
}

// record returns the org's record of object with id (15 or 18 characters).
func (e *env) record(t *testing.T, object, id string) map[string]any {
	t.Helper()
	for _, r := range e.org.Records(object) {
		if r["Id"].(string)[:15] == id[:15] {
			return r
		}
	}
	t.Fatalf("no %s %s", object, id)
	return nil
}

// leadsWhere counts the org's leads whose field equals value (any case).
func (e *env) leadsWhere(field, value string) int {
	n := 0
	for _, r := range e.org.Records("Lead") {
		if s, _ := r[field].(string); strings.EqualFold(s, value) {
			n++
		}
	}
	return n
}

// TestSalesforceDuplicateCheckMatching: a Lead sync matched like Zoho's
// duplicate_check_fields (Email, then Phone, then LastName+Company). A
// person who is already a Contact (e-mail in another case) is updated as
// the Contact, and the empty fields of its Account are filled (its name
// is kept); a phone formatted otherwise matches; a converted lead counts
// as its Contact; two records with one e-mail send the row to review, not
// written, until one is left; name and company match when nothing else
// does; two rows of one batch with a new e-mail make one lead.
func TestSalesforceDuplicateCheckMatching(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := e.dest
	a1 := insert(t, d, "Account", map[string]any{"Name": "Analytical Engines"})
	c1 := insert(t, d, "Contact", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Email": "ADA@Example.com", "AccountId": a1})
	l1 := insert(t, d, "Lead", map[string]any{"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy", "Phone": "(415) 555-0100"})
	l2 := insert(t, d, "Lead", map[string]any{"LastName": "Dup One", "Company": "X", "Email": "dup@example.com"})
	l3 := insert(t, d, "Lead", map[string]any{"LastName": "Dup Two", "Company": "X", "Email": "dup@example.com"})
	l4 := insert(t, d, "Lead", map[string]any{"FirstName": "Alan", "LastName": "Turing", "Company": "Bletchley", "Email": "alan@example.com"})
	l5 := insert(t, d, "Lead", map[string]any{"FirstName": "Linus", "LastName": "Torvalds", "Company": "Transmeta"})
	conv, err := e.org.ConvertLead(l4, sftest.ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.exec(t, `CREATE TABLE syncs.people AS SELECT * FROM (VALUES
		('K1', 'Ada', 'Lovelace', 'Analytical Engines Ltd', 'ada@example.com', NULL, 'Countess', 'engines.example'),
		('K2', 'Grace', 'Hopper', 'Navy', 'grace@new.example', '+1 415 555 0100', 'Rear Admiral', NULL),
		('K3', 'Dup', 'Three', 'X', 'dup@example.com', NULL, 'Twice', NULL),
		('K4', 'Alan', 'Turing', 'Bletchley', 'alan@example.com', NULL, 'Codebreaker', NULL),
		('K5', 'New', 'Person', 'NewCo', 'new@example.com', NULL, 'Founder', NULL),
		('K6', 'Linus', 'Torvalds', 'transmeta ', 'linus@example.com', NULL, 'Kernel', NULL),
		('K7', 'Twin', 'A', 'Twins', 'twin@example.com', NULL, 'First', NULL),
		('K8', 'Twin', 'B', 'Twins', 'TWIN@example.com', NULL, 'Second', NULL))
		v(k, first_name, last_name, company, email, phone, title, website)`)
	spec := &revsync.Spec{Name: "people", Model: "syncs.people", Destination: revsync.Target{Source: "salesforce", Object: "Lead"},
		Mode: revsync.ModeUpsert, Key: "k",
		Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email", "Phone", "LastName+Company"}},
		Mapping: map[string]revsync.FieldMap{"FirstName": {Column: "first_name"}, "LastName": {Column: "last_name"},
			"Company": {Column: "company"}, "Email": {Column: "email"}, "Phone": {Column: "phone", WriteOptions: revsync.WriteOptions{SkipNulls: true}},
			"Title": {Column: "title"}, "Website": {Column: "website", WriteOptions: revsync.WriteOptions{SkipNulls: true}}}}
	calls := settled(e.counters)
	rep := run(t, e.runner, spec, d, revsync.Options{})
	firstCalls := settled(e.counters) - calls
	if rep.Succeeded != 7 || rep.Review != 1 || rep.Failed != 0 {
		t.Fatalf("first run: %+v %v", rep.Counts, rep.Errors)
	}
	if e.leadsWhere("Email", "ada@example.com") != 0 {
		t.Error("a person who is a Contact was added as a Lead")
	}
	if c := e.record(t, "Contact", c1); c["Title"] != "Countess" {
		t.Errorf("contact C1: %v", c)
	}
	if a := e.record(t, "Account", a1); a["Name"] != "Analytical Engines" || a["Website"] != "engines.example" {
		t.Errorf("account A1 (want its name kept, its empty website filled): %v", a)
	}
	if l := e.record(t, "Lead", l1); l["Email"] != "grace@new.example" || l["Title"] != "Rear Admiral" {
		t.Errorf("lead L1 (matched by phone): %v", l)
	}
	for _, id := range []string{l2, l3} {
		if l := e.record(t, "Lead", id); l["Title"] != nil {
			t.Errorf("an ambiguous row was written to %s: %v", id, l)
		}
	}
	if c := e.record(t, "Contact", conv.ContactID); c["Title"] != "Codebreaker" {
		t.Errorf("contact of the converted lead: %v", c)
	}
	if l := e.record(t, "Lead", l5); l["Email"] != "linus@example.com" || l["Title"] != "Kernel" {
		t.Errorf("lead L5 (matched by name and company): %v", l)
	}
	if n := e.leadsWhere("Email", "new@example.com"); n != 1 {
		t.Errorf("%d leads for the new person", n)
	}
	if n := e.leadsWhere("Email", "twin@example.com"); n != 1 {
		t.Errorf("%d leads for the twins of one batch, want 1", n)
	}
	if n := len(e.org.Records("Lead")); n != 7 {
		t.Errorf("%d leads, want 7 (5 before, the new person, the twins)", n)
	}
	snaps := map[string][2]any{}
	for _, r := range rowsOf(t, e.w, `SELECT key, destination_id, destination_object FROM _revops.sync_snapshots WHERE sync = 'people'`) {
		snaps[r[0].(string)] = [2]any{r[1], r[2]}
	}
	if s := snaps["K1"]; s[0] != c1 || s[1] != "Contact" {
		t.Errorf("K1's snapshot: %v, want Contact %s", s, c1)
	}
	if s := snaps["K4"]; s[0] != conv.ContactID || s[1] != "Contact" {
		t.Errorf("K4's snapshot: %v, want Contact %s", s, conv.ContactID)
	}
	if _, ok := snaps["K3"]; ok {
		t.Error("the ambiguous row has a snapshot")
	}
	revs, err := revsync.Reviews(ctx, e.w, []string{"people"}, 0)
	if err != nil || len(revs) != 1 || revs[0].Key != "K3" || len(revs[0].Candidates) != 2 ||
		!strings.Contains(revs[0].Message, l2) || !strings.Contains(revs[0].Message, "(by Email)") {
		t.Fatalf("review: %+v %v", revs, err)
	}
	t.Logf("first run: %d requests (%d reported)", firstCalls, rep.APICalls)

	// Nothing changed: only the row under review is tried again, and not
	// written.
	before := e.writes()
	rep = run(t, e.runner, spec, d, revsync.Options{})
	t.Logf("second run: %d requests, %d write calls", rep.APICalls, e.writes()-before)
	if rep.Planned != 1 || rep.Review != 1 || rep.Succeeded != 0 || e.writes() != before {
		t.Fatalf("second run: %+v, %d writes", rep.Counts, e.writes()-before)
	}
	// Someone merges the duplicates (the loser is deleted): the row is
	// written to the one left and leaves review.
	deleteRecord(t, d, "Lead", l3)
	rep = run(t, e.runner, spec, d, revsync.Options{})
	t.Logf("run after the merge: %d requests", rep.APICalls)
	if rep.Succeeded != 1 || rep.Review != 0 {
		t.Fatalf("after the merge: %+v %v", rep.Counts, rep.Errors)
	}
	if l := e.record(t, "Lead", l2); l["Title"] != "Twice" {
		t.Errorf("lead L2 after the merge: %v", l)
	}
	if revs, _ := revsync.Reviews(ctx, e.w, []string{"people"}, 0); len(revs) != 0 {
		t.Errorf("review left: %+v", revs)
	}
	if fails, _ := revsync.Failures(ctx, e.w, []string{"people"}, 0); len(fails) != 0 {
		t.Errorf("failures left: %+v", fails)
	}
	// A change of K1 goes straight to the Contact.
	e.exec(t, `UPDATE syncs.people SET title = 'Enchantress of Numbers' WHERE k = 'K1'`)
	rep = run(t, e.runner, spec, d, revsync.Options{})
	t.Logf("a change of the row written to a Contact: %d requests", rep.APICalls)
	if rep.Succeeded != 1 || e.record(t, "Contact", c1)["Title"] != "Enchantress of Numbers" || e.leadsWhere("Email", "ada@example.com") != 0 {
		t.Fatalf("a change of a row written to a Contact: %+v %v", rep.Counts, rep.Errors)
	}
	if rep := run(t, e.runner, spec, d, revsync.Options{}); rep.Planned != 0 {
		t.Errorf("last run: %+v", rep.Counts)
	}
}

// TestConvertedLeadWritesGoToTheContact: a lead a sync wrote is converted
// in the CRM; the row's next change is written to the Contact it became
// (person fields) and to the Account's empty fields (the account's name
// is kept), without a failure, and the change after goes straight there.
// Salesforce (upsert by external id) and Zoho (by e-mail).
func TestConvertedLeadWritesGoToTheContact(t *testing.T) {
	t.Run("salesforce", func(t *testing.T) {
		e := newEnv(t)
		e.leadModel(t, 5)
		spec := leadSpec(revsync.ModeUpsert)
		spec.Mapping["Website"] = revsync.FieldMap{Column: "website"}
		e.exec(t, `ALTER TABLE syncs.leads ADD COLUMN website VARCHAR`)
		run(t, e.runner, spec, e.dest, revsync.Options{})
		lead := e.leadByExt(t, "ZL-00001")["Id"].(string)
		conv, err := e.org.ConvertLead(lead, sftest.ConvertOptions{})
		if err != nil {
			t.Fatal(err)
		}
		e.exec(t, `UPDATE syncs.leads SET last_name = 'Renamed', company = 'Another Name', website = 'one.example' WHERE zoho_lead_id = 'ZL-00001'`)
		rep := run(t, e.runner, spec, e.dest, revsync.Options{})
		t.Logf("run after the conversion: %d requests", rep.APICalls)
		if rep.Succeeded != 1 || rep.Failed != 0 {
			t.Fatalf("after the conversion: %+v %v", rep.Counts, rep.Errors)
		}
		if c := e.record(t, "Contact", conv.ContactID); c["LastName"] != "Renamed" {
			t.Errorf("contact: %v", c)
		}
		if a := e.record(t, "Account", conv.AccountID); a["Name"] != "Company 1" || a["Website"] != "one.example" {
			t.Errorf("account (name kept, empty website filled): %v", a)
		}
		if l := e.record(t, "Lead", lead); l["LastName"] != "Last 1" {
			t.Errorf("the converted lead changed: %v", l)
		}
		if r := rowsOf(t, e.w, `SELECT destination_id, destination_object FROM _revops.sync_snapshots WHERE sync = 'leads' AND key = 'ZL-00001'`); r[0][0] != conv.ContactID || r[0][1] != "Contact" {
			t.Errorf("snapshot: %v", r)
		}
		e.exec(t, `UPDATE syncs.leads SET email = 'renamed@example.com' WHERE zoho_lead_id = 'ZL-00001'`)
		leadCalls := e.counters.Sum(func(c sandbox.Count) bool { return strings.Contains(c.Endpoint, "/composite/sobjects") })
		rep = run(t, e.runner, spec, e.dest, revsync.Options{})
		t.Logf("the change after: %d requests", rep.APICalls)
		if rep.Succeeded != 1 || e.record(t, "Contact", conv.ContactID)["Email"] != "renamed@example.com" {
			t.Fatalf("the change after: %+v %v", rep.Counts, rep.Errors)
		}
		if n := e.counters.Sum(func(c sandbox.Count) bool { return strings.Contains(c.Endpoint, "/composite/sobjects") }) - leadCalls; n != 1 {
			t.Errorf("the change after took %d write calls, want 1 (straight to the Contact)", n)
		}
	})
	t.Run("zoho_crm", func(t *testing.T) {
		z := newZenv(t)
		z.zleadModel(t, 3)
		spec := zleadSpec(revsync.ModeUpsert)
		run(t, z.runner, spec, z.dest, revsync.Options{})
		lead := z.byField("Leads", "Email", "zlead1@example.com")[0]["id"].(string)
		conv, err := z.org.ConvertLead(lead, zohotest.ConvertOptions{})
		if err != nil {
			t.Fatal(err)
		}
		z.exec(t, `UPDATE syncs.zleads SET last_name = 'Renamed', company = 'Another Name' WHERE lead_key = 'K0001'`)
		before := z.writes()
		rep := run(t, z.runner, spec, z.dest, revsync.Options{})
		if rep.Succeeded != 1 || rep.Failed != 0 {
			t.Fatalf("after the conversion: %+v %v", rep.Counts, rep.Errors)
		}
		contact := z.byField("Contacts", "Email", "zlead1@example.com")
		if len(contact) != 1 || contact[0]["id"] != conv.ContactID || contact[0]["Last_Name"] != "Renamed" {
			t.Errorf("contact: %v", contact)
		}
		if a := z.byField("Accounts", "Account_Name", "Company 1"); len(a) != 1 {
			t.Errorf("the account was renamed: %v", z.org.Records("Accounts"))
		}
		n := 0
		for _, l := range z.byField("Leads", "Email", "zlead1@example.com") {
			if l["Converted__s"] != true {
				n++
			}
		}
		if n != 0 {
			t.Errorf("%d (unconverted) leads hold the converted person's e-mail: a new lead was made", n)
		}
		if r := rowsOf(t, z.w, `SELECT destination_id, destination_object FROM _revops.sync_snapshots WHERE sync = 'zleads' AND key = 'K0001'`); r[0][0] != conv.ContactID || r[0][1] != "Contacts" {
			t.Errorf("snapshot: %v", r)
		}
		t.Logf("run after the conversion: %d write calls", z.writes()-before)
		z.exec(t, `UPDATE syncs.zleads SET last_name = 'Renamed Again' WHERE lead_key = 'K0001'`)
		before = z.writes()
		rep = run(t, z.runner, spec, z.dest, revsync.Options{})
		if rep.Succeeded != 1 || z.byField("Contacts", "Email", "zlead1@example.com")[0]["Last_Name"] != "Renamed Again" {
			t.Fatalf("the change after: %+v %v", rep.Counts, rep.Errors)
		}
		if n := z.writes() - before; n != 1 {
			t.Errorf("the change after took %d write calls, want 1 (straight to the contact)", n)
		}
	})
}
