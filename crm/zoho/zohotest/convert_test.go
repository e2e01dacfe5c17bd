package zohotest_test

import (
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestConvertLead(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	ins := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{
		map[string]any{"First_Name": "Ada", "Last_Name": "Lovelace", "Company": "Analytical Engines", "Email": "ada@example.com",
			"Phone": "+44 20 7946 0001", "Designation": "Countess", "City": "London"}}}).want(t, 201)
	lead := ins.data()[0]["details"].(map[string]any)["id"].(string)

	r := e.do("POST", "/crm/v8/Leads/"+lead+"/actions/convert", map[string]any{"data": []any{map[string]any{
		"overwrite": true, "Deals": map[string]any{"Deal_Name": "Engines", "Stage": "Qualification", "Closing_Date": "2027-01-31"}}}}).want(t, 200)
	got := r.data()[0]
	contact, account, deal := got["Contacts"].(string), got["Accounts"].(string), got["Deals"].(string)
	if contact == "" || account == "" || deal == "" {
		t.Fatalf("convert answered %s", r.raw)
	}
	c := e.do("GET", "/crm/v8/Contacts/"+contact, nil).want(t, 200).data()[0]
	if c["Last_Name"] != "Lovelace" || c["Email"] != "ada@example.com" || c["Title"] != "Countess" || c["Mailing_City"] != "London" {
		t.Errorf("contact: %v", c)
	}
	if a, _ := c["Account_Name"].(map[string]any); a["id"] != account {
		t.Errorf("contact's account: %v, want %s", c["Account_Name"], account)
	}
	a := e.do("GET", "/crm/v8/Accounts/"+account, nil).want(t, 200).data()[0]
	if a["Account_Name"] != "Analytical Engines" || a["Billing_City"] != "London" {
		t.Errorf("account: %v", a)
	}
	l := e.do("GET", "/crm/v8/Leads/"+lead+"?fields=Converted__s,Converted_Contact,Converted_Account,Converted_Deal", nil).want(t, 200).data()[0]
	if l["Converted__s"] != true || l["Converted_Contact"].(map[string]any)["id"] != contact || l["Converted_Account"].(map[string]any)["id"] != account ||
		l["Converted_Deal"].(map[string]any)["id"] != deal {
		t.Errorf("lead after conversion: %v", l)
	}
	// It leaves the lists and the duplicate check; a write to it fails.
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	if n := len(e.do("GET", "/crm/v8/Leads?fields=Last_Name&converted=true", nil).want(t, 200).data()); n != 1 {
		t.Errorf("converted=true lists %d leads", n)
	}
	up := e.do("PUT", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"id": lead, "Last_Name": "Byron"}}}).want(t, 400).data()[0]
	if up["code"] != "INVALID_DATA" || up["details"].(map[string]any)["id"] != lead {
		t.Errorf("update of a converted lead: %v", up)
	}
	ups := e.do("POST", "/crm/v8/Leads/upsert", map[string]any{"data": []any{map[string]any{"Last_Name": "Lovelace", "Email": "ada@example.com"}},
		"duplicate_check_fields": []string{"Email"}}).want(t, 201).data()[0]
	if ups["action"] != "insert" {
		t.Errorf("an upsert matched the converted lead: %v", ups)
	}
	if e.do("POST", "/crm/v8/Leads/"+lead+"/actions/convert", map[string]any{"data": []any{map[string]any{}}}).status != 400 {
		t.Error("a lead converted twice")
	}
	// The Go hook converts into existing records.
	ins = e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "Byron", "Company": "Analytical Engines"}}}).want(t, 201)
	lead2 := ins.data()[0]["details"].(map[string]any)["id"].(string)
	got2, err := e.ts.ConvertLead(lead2, zohotest.ConvertOptions{AccountID: account, ContactID: contact})
	if err != nil || got2.ContactID != contact || got2.AccountID != account || got2.DealID != "" {
		t.Fatalf("convert into existing records: %+v %v", got2, err)
	}
}
