package sftest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConvertLeadThenWritesToItFail(t *testing.T) {
	e := newEnv(t, Options{})
	lead := e.create("Lead", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Company": "Analytical Engines",
		"Email": "ada@example.com", "Phone": "+44 20 7946 0001", "Title": "Countess", "Industry": "Engineering",
		"City": "London", "Zoho_Lead_Id__c": "ZL-1"})
	got, err := e.ts.ConvertLead(lead, ConvertOptions{Opportunity: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.AccountID, "001") || !strings.HasPrefix(got.ContactID, "003") || !strings.HasPrefix(got.OpportunityID, "006") {
		t.Fatalf("converted: %+v", got)
	}
	q := e.query("SELECT IsConverted, Status, ConvertedContactId, ConvertedAccountId, ConvertedDate FROM Lead WHERE Id = '" + lead + "'")
	if len(q.Records) != 1 {
		t.Fatalf("the converted lead is not a live record: %+v", q)
	}
	l := q.Records[0]
	if l["IsConverted"] != true || l["Status"] != "Closed - Converted" || l["ConvertedContactId"] != got.ContactID ||
		l["ConvertedAccountId"] != got.AccountID || l["ConvertedDate"] == nil {
		t.Errorf("lead after conversion: %v", l)
	}
	c := e.query("SELECT FirstName, LastName, Email, Title, MailingCity, AccountId, Account.Name FROM Contact WHERE Id = '" + got.ContactID + "'").Records[0]
	if c["LastName"] != "Lovelace" || c["Email"] != "ada@example.com" || c["MailingCity"] != "London" || c["AccountId"] != got.AccountID {
		t.Errorf("contact: %v", c)
	}
	a := e.query("SELECT Name, Industry, BillingCity FROM Account WHERE Id = '" + got.AccountID + "'").Records[0]
	if a["Name"] != "Analytical Engines" || a["Industry"] != "Engineering" || a["BillingCity"] != "London" {
		t.Errorf("account: %v", a)
	}
	if _, err := e.ts.ConvertLead(lead, ConvertOptions{}); err == nil {
		t.Error("a lead converted twice")
	}

	// Every way of updating the lead now fails, and the lead is unchanged.
	if r := e.do("PATCH", "sobjects/Lead/"+lead, map[string]any{"Title": "Dr"}); r.status != 400 || r.errCode(t) != "CANNOT_UPDATE_CONVERTED_LEAD" {
		t.Errorf("PATCH: %d %s", r.status, r.body)
	}
	var res []map[string]any
	e.must(200, "PATCH", "composite/sobjects", map[string]any{"allOrNone": false, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Lead"}, "id": lead, "Title": "Dr"}}}).json(t, &res)
	if res[0]["success"] != false || !strings.Contains(string(mustJSON(t, res[0]["errors"])), "CANNOT_UPDATE_CONVERTED_LEAD") {
		t.Errorf("Collections update: %v", res)
	}
	e.must(200, "PATCH", "composite/sobjects/Lead/Zoho_Lead_Id__c", map[string]any{"allOrNone": false, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Lead"}, "Zoho_Lead_Id__c": "ZL-1", "Title": "Dr"}}}).json(t, &res)
	if res[0]["success"] != false || !strings.Contains(string(mustJSON(t, res[0]["errors"])), "CANNOT_UPDATE_CONVERTED_LEAD") {
		t.Errorf("Collections upsert: %v", res)
	}
	if l := e.query("SELECT Title FROM Lead WHERE Id = '" + lead + "'").Records[0]; l["Title"] != "Countess" {
		t.Errorf("the converted lead was written: %v", l)
	}

	// Into existing records: nothing new is created.
	lead2 := e.create("Lead", map[string]any{"LastName": "Byron", "Company": "Analytical Engines"})
	got2, err := e.ts.ConvertLead(lead2, ConvertOptions{AccountID: got.AccountID, ContactID: got.ContactID})
	if err != nil || got2.AccountID != got.AccountID || got2.ContactID != got.ContactID {
		t.Fatalf("convert into existing records: %+v %v", got2, err)
	}
	if n := len(e.ts.Records("Contact")); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
