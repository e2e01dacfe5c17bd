package zoho_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zoho"
)

// insert creates one record through the destination and returns its id.
func insert(t *testing.T, d *zoho.Destination, module string, values map[string]any) string {
	t.Helper()
	res, err := d.Write(context.Background(), module, revsync.OpInsert, revsync.Match{}, []revsync.Record{{Values: values}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("insert %s: %v %+v", module, err, res)
	}
	return res[0].ID
}

// record returns the org's record of module with id.
func (o *org) record(t *testing.T, module, id string) map[string]any {
	t.Helper()
	for _, r := range o.Records(module) {
		if r["id"] == id {
			return r
		}
	}
	t.Fatalf("no %s %s", module, id)
	return nil
}

// withEmail counts the org's records of module whose e-mail is email
// (trimmed, any case).
func (o *org) withEmail(module, email string) int {
	n := 0
	for _, r := range o.Records(module) {
		if conv, _ := r["Converted__s"].(bool); conv {
			continue
		}
		if s, _ := r["Email"].(string); strings.EqualFold(strings.TrimSpace(s), email) {
			n++
		}
	}
	return n
}

// TestLeadsMatchAmongContacts: a Leads upsert matched like
// duplicate_check_fields (Email, then Phone, then Last_Name+Company),
// revops matching among Leads and Contacts. A person who is already a
// contact (e-mail in another case) is updated as the contact
// (lead fields through the conversion mapping; the account's empty
// website filled, its name kept); a phone written otherwise matches; a
// converted lead counts as its contact; two leads or two contacts with
// one e-mail fail the row as AMBIGUOUS_MATCH with both candidates, and
// write nothing; name and company match when nothing else does; two
// records of one batch with a new e-mail make one lead.
func TestLeadsMatchAmongContacts(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	a1 := insert(t, d, "Accounts", map[string]any{"Account_Name": "Analytical Engines"})
	c1 := insert(t, d, "Contacts", map[string]any{"First_Name": "Ada", "Last_Name": "Lovelace", "Email": "ADA@Example.com", "Account_Name": a1})
	c2 := insert(t, d, "Contacts", map[string]any{"Last_Name": "Twin One", "Email": "twin.contact@example.com"})
	c3 := insert(t, d, "Contacts", map[string]any{"Last_Name": "Twin Two", "Email": "Twin.Contact@example.com"})
	l1 := insert(t, d, "Leads", map[string]any{"First_Name": "Grace", "Last_Name": "Hopper", "Company": "Navy", "Phone": "(415) 555-0100"})
	l2 := insert(t, d, "Leads", map[string]any{"Last_Name": "Dup One", "Company": "X", "Email": "dup@example.com"})
	l3 := insert(t, d, "Leads", map[string]any{"Last_Name": "Dup Two", "Company": "X", "Email": "dup@example.com"})
	l4 := insert(t, d, "Leads", map[string]any{"First_Name": "Alan", "Last_Name": "Turing", "Company": "Bletchley", "Email": "alan@example.com"})
	l5 := insert(t, d, "Leads", map[string]any{"First_Name": "Linus", "Last_Name": "Torvalds", "Company": "Transmeta"})
	conv, err := o.ConvertLead(l4, zohotest.ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lead := func(key, first, last, company, email, phone, title string) revsync.Record {
		v := map[string]any{"First_Name": first, "Last_Name": last, "Company": company, "Designation": title}
		if email != "" {
			v["Email"] = email
		}
		if phone != "" {
			v["Phone"] = phone
		}
		return revsync.Record{Key: key, Values: v}
	}
	recs := []revsync.Record{
		lead("K1", "Ada", "Lovelace", "Analytical Engines Ltd", "ada@example.com", "", "Countess"),
		lead("K2", "Grace", "Hopper", "Navy", "grace@new.example", "+1 415 555 0100", "Rear Admiral"),
		lead("K3", "Dup", "Three", "X", "dup@example.com", "", "Twice"),
		lead("K4", "Alan", "Turing", "Bletchley", "alan@example.com", "", "Codebreaker"),
		lead("K5", "New", "Person", "NewCo", "new@example.com", "", "Founder"),
		lead("K6", "Linus", "Torvalds", "transmeta ", "linus@example.com", "", "Kernel"),
		lead("K7", "Twin", "A", "Twins", "twin@example.com", "", "First"),
		lead("K8", "Twin", "B", "Twins", "TWIN@example.com", "", "Second"),
		lead("K9", "Twin", "Contact", "Twins", "twin.contact@example.com", "", "Third"),
	}
	recs[0].Values["Website"] = "engines.example"
	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email", "Phone", "Last_Name+Company"}}
	if _, err := d.Describe(ctx, "Leads"); err != nil {
		t.Fatal(err)
	}
	before := o.calls("")
	res, err := d.Write(ctx, "Leads", revsync.OpUpsert, m, recs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one Write of %d records: %d requests", len(recs), o.calls("")-before)
	want := []struct {
		object, id string
		created    bool
		code       string
	}{
		{"Contacts", c1, false, ""}, {"", l1, false, ""}, {"", "", false, revsync.CodeAmbiguousMatch},
		{"Contacts", conv.ContactID, false, ""}, {"", "", true, ""}, {"", l5, false, ""},
		{"", "", true, ""}, {"", "", false, ""}, {"", "", false, revsync.CodeAmbiguousMatch},
	}
	for i, w := range want {
		r := res[i]
		switch {
		case w.code != "":
			if r.Err == nil || r.Err.Code != w.code || len(r.Err.Candidates) != 2 {
				t.Errorf("%s: %+v, want %s with 2 candidates", recs[i].Key, r, w.code)
			}
		case r.Err != nil || r.Object != w.object || w.id != "" && r.ID != w.id || r.Created != w.created:
			t.Errorf("%s: %+v (err %v), want object %q id %q created %v", recs[i].Key, r, r.Err, w.object, w.id, w.created)
		}
	}
	if res[7].ID != res[6].ID {
		t.Errorf("the twins of one batch went to %s and %s", res[6].ID, res[7].ID)
	}
	if e := res[2].Err; e != nil && (!strings.Contains(e.Message, l2) || !strings.Contains(e.Message, l3) || !strings.Contains(e.Message, "(by Email)")) {
		t.Errorf("ambiguous message: %s", e.Message)
	}
	if e := res[8].Err; e != nil && (e.Candidates[0].Object != "Contacts" || !strings.Contains(e.Message, c2) || !strings.Contains(e.Message, c3)) {
		t.Errorf("ambiguous among contacts: %+v", e)
	}
	if o.withEmail("Leads", "ada@example.com") != 0 {
		t.Error("a person who is a contact was added as a lead")
	}
	if c := o.record(t, "Contacts", c1); c["Title"] != "Countess" || c["Email"] != "ada@example.com" {
		t.Errorf("contact C1: %v", c)
	}
	if a := o.record(t, "Accounts", a1); a["Account_Name"] != "Analytical Engines" || a["Website"] != "engines.example" {
		t.Errorf("account A1 (want its name kept, its empty website filled): %v", a)
	}
	if l := o.record(t, "Leads", l1); l["Email"] != "grace@new.example" || l["Designation"] != "Rear Admiral" {
		t.Errorf("lead L1 (matched by phone): %v", l)
	}
	for _, id := range []string{l2, l3} {
		if l := o.record(t, "Leads", id); l["Designation"] != nil {
			t.Errorf("an ambiguous row was written to %s: %v", id, l)
		}
	}
	for _, id := range []string{c2, c3} {
		if c := o.record(t, "Contacts", id); c["Title"] != nil {
			t.Errorf("an ambiguous row was written to %s: %v", id, c)
		}
	}
	if c := o.record(t, "Contacts", conv.ContactID); c["Title"] != "Codebreaker" {
		t.Errorf("contact of the converted lead: %v", c)
	}
	if l := o.record(t, "Leads", l5); l["Email"] != "linus@example.com" || l["Designation"] != "Kernel" {
		t.Errorf("lead L5 (matched by name and company): %v", l)
	}
	if n := o.withEmail("Leads", "new@example.com"); n != 1 {
		t.Errorf("%d leads for the new person", n)
	}
	if n := o.withEmail("Leads", "twin@example.com"); n != 1 {
		t.Errorf("%d leads for the twins of one batch, want 1", n)
	}
	if n := len(o.Records("Leads")); n != 7 {
		t.Errorf("%d leads, want 7 (5 before, the new person, the twins)", n)
	}

	// The same Write again creates nothing and finds the same records.
	again, err := d.Write(ctx, "Leads", revsync.OpUpsert, m, recs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if (again[i].Err == nil) != (res[i].Err == nil) || again[i].Created || again[i].Err == nil && again[i].ID != res[i].ID {
			t.Errorf("%s again: %+v, first %+v", recs[i].Key, again[i], res[i])
		}
	}
	if n := len(o.Records("Leads")); n != 7 {
		t.Errorf("%d leads after the same Write again, want 7", n)
	}

	// MatchRecords says the same without writing (e-mails trimmed too).
	cands, err := d.MatchRecords(ctx, "Leads", m, []map[string]any{{"Email": " Ada@example.com "}, {"Email": "alan@example.com"},
		{"Email": "nobody@example.com"}, {}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cands[0]) != 1 || cands[0][0].Object != "Contacts" || cands[0][0].ID != c1 ||
		len(cands[1]) != 1 || cands[1][0].ID != conv.ContactID || cands[1][0].From != "Leads "+l4 || len(cands[2]) != 0 || len(cands[3]) != 0 {
		t.Errorf("MatchRecords: %+v", cands)
	}
	// Find looks only at the module's own records.
	ids, err := d.Find(ctx, "Leads", m, []map[string]any{{"Email": "ADA@example.com"}, {"Email": " new@example.com"}, {"Email": "dup@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] != "" || ids[1] != res[4].ID || ids[2] != l2 {
		t.Errorf("Find: %v, want none, %s, %s (the oldest)", ids, res[4].ID, l2)
	}
}

// TestLeadsMatchCustomFieldsAndQueryCost: a lead field of the org's own
// (Salesforce_Id, on Leads and Contacts) is matched and written on the
// contact of the same name; an entry of it goes first, the e-mail after;
// the cost is one COQL call per module and per 50 values.
func TestLeadsMatchCustomFieldsAndQueryCost(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	c1 := insert(t, d, "Contacts", map[string]any{"Last_Name": "Known", "Email": "known@example.com"})
	l1 := insert(t, d, "Leads", map[string]any{"Last_Name": "Stamped", "Company": "S", "Email": "old@example.com", "Salesforce_Id": "00Q000000000001AAA"})
	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Salesforce_Id", "Email"}}
	var recs []revsync.Record
	for i := range 120 {
		recs = append(recs, revsync.Record{Key: "n", Values: map[string]any{"Last_Name": "New", "Company": "N",
			"Email": "new" + itoa(i) + "@example.com", "Salesforce_Id": "00Q1" + pad(i) + "AAA"}})
	}
	recs[0].Values["Email"] = "known@example.com"
	recs[1].Values["Email"] = "changed@example.com"
	recs[1].Values["Salesforce_Id"] = "00Q000000000001AAA"
	if _, err := d.Describe(ctx, "Leads"); err != nil {
		t.Fatal(err)
	}
	coql := o.calls("/crm/v8/coql")
	var res []revsync.Result
	for start := 0; start < len(recs); start += 100 {
		r, err := d.Write(ctx, "Leads", revsync.OpUpsert, m, recs[start:min(start+100, len(recs))])
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r...)
	}
	// Two batches (100, 20), each matched by Salesforce_Id then Email on
	// Leads and Contacts, 50 values a call: 2·2 + 2·2 for the first, 2 + 2
	// for the second (the fields and layouts of Contacts are not COQL),
	// and the read of the account of the contact found (to fill it).
	if n := o.calls("/crm/v8/coql") - coql; n != 13 {
		t.Errorf("%d COQL calls for 120 records, want 13", n)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("record %d: %v", i, r.Err)
		}
	}
	if res[0].Object != "Contacts" || res[0].ID != c1 || o.record(t, "Contacts", c1)["Salesforce_Id"] != recs[0].Values["Salesforce_Id"] {
		t.Errorf("record 0 (a contact's e-mail): %+v, contact %v", res[0], o.record(t, "Contacts", c1))
	}
	if res[1].ID != l1 || o.record(t, "Leads", l1)["Email"] != "changed@example.com" {
		t.Errorf("record 1 (the stamped lead, its e-mail changed): %+v", res[1])
	}
	if n := len(o.Records("Leads")); n != 119 {
		t.Errorf("%d leads, want 119", n)
	}
}

func pad(i int) string {
	s := itoa(i)
	return strings.Repeat("0", 11-len(s)) + s
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestLeadsLostUpsertNeverDuplicates: the answer of the upsert is lost
// (the connection drops after Zoho wrote): the Write fails, Find then
// finds every record it created, and sending the records again updates
// them instead of creating them twice.
func TestLeadsLostUpsertNeverDuplicates(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	c1 := insert(t, d, "Contacts", map[string]any{"Last_Name": "Known", "Email": "known@example.com"})
	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}
	recs := []revsync.Record{
		{Key: "a", Values: map[string]any{"Last_Name": "A", "Company": "X", "Email": "a@example.com"}},
		{Key: "b", Values: map[string]any{"Last_Name": "B", "Company": "X", "Email": "b@example.com"}},
		{Key: "k", Values: map[string]any{"Last_Name": "Known", "Company": "X", "Email": "known@example.com", "Designation": "Boss"}},
	}
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: http.MethodPost, Endpoint: "/crm/v8/Leads/upsert", Times: 1})
	if _, err := d.Write(ctx, "Leads", revsync.OpUpsert, m, recs); err == nil {
		t.Fatal("a Write whose upsert answer was lost succeeded")
	}
	keys := []map[string]any{{"Email": "a@example.com"}, {"Email": "B@example.com"}}
	ids, err := d.Find(ctx, "Leads", m, keys)
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] == "" || ids[1] == "" {
		t.Fatalf("Find after the lost answer: %v", ids)
	}
	res, err := d.Write(ctx, "Leads", revsync.OpUpsert, m, recs)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].ID != ids[0] || res[1].ID != ids[1] || res[0].Created || res[1].Created || res[2].ID != c1 || res[2].Object != "Contacts" {
		t.Errorf("sent again: %+v", res)
	}
	for _, e := range []string{"a@example.com", "b@example.com"} {
		if n := o.withEmail("Leads", e); n != 1 {
			t.Errorf("%d leads hold %s", n, e)
		}
	}
	if n := o.withEmail("Leads", "known@example.com"); n != 0 {
		t.Errorf("the contact's person was added as a lead (%d)", n)
	}
}

// TestLeadsMatchBadInput: a match the destination cannot make is an
// error naming the module.
func TestLeadsMatchBadInput(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	for _, m := range []revsync.Match{{By: revsync.MatchDuplicateCheck}, {By: "nope", Fields: []string{"Email"}}} {
		if _, err := d.MatchRecords(ctx, "Leads", m, []map[string]any{{"Email": "a@example.com"}}); err == nil || !strings.Contains(err.Error(), "Leads") {
			t.Errorf("match %+v: %v", m, err)
		}
	}
}
