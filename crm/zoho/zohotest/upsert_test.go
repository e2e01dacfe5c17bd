package zohotest_test

import (
	"strings"
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

func details(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	d, ok := m["details"].(map[string]any)
	if !ok {
		t.Fatalf("no details: %v", m)
	}
	return d
}

func TestInsertAnswer(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	r := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "Daly", "Company": "ABC",
		"Email": "p.daly@zylker.com", "No_of_Employees": 12, "Annual_Revenue": 1e6, "Email_Opt_Out": true}},
		"trigger": []any{"workflow"}}).want(t, 201)
	d := r.data()[0]
	if d["code"] != "SUCCESS" || d["status"] != "success" || d["message"] != "record added" {
		t.Fatalf("insert: %s", r.raw)
	}
	det := details(t, d)
	for _, k := range []string{"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By", "$approval_state"} {
		if det[k] == nil {
			t.Fatalf("details lack %s: %s", k, r.raw)
		}
	}
	got := e.ts.Records("Leads")
	if len(got) != 1 || got[0]["No_of_Employees"] != int64(12) || got[0]["Annual_Revenue"] != 1e6 || got[0]["Email_Opt_Out"] != true {
		t.Fatalf("stored: %v", got)
	}
}

func TestRecordLevelErrors(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "A", "Salesforce_Id": "00Q000000000001"}}}).want(t, 201)
	long := strings.Repeat("x", 81)
	r := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{
		map[string]any{"Company": "no last name"},
		map[string]any{"Last_Name": "B", "No_of_Employees": "twelve"},
		map[string]any{"Last_Name": long},
		map[string]any{"Last_Name": "C", "Salesforce_Id": "00q000000000001"},
		map[string]any{"Last_Name": "D", "Email": "not-an-email"},
		map[string]any{"Last_Name": "E", "Owner": map[string]any{"id": "1"}},
		"not an object",
		map[string]any{"Last_Name": "F"},
	}}).want(t, 207)
	data := r.data()
	want := []struct {
		code, apiName, key string
		val                any
	}{
		{"MANDATORY_NOT_FOUND", "Last_Name", "json_path", "$.data[0].Last_Name"},
		{"INVALID_DATA", "No_of_Employees", "expected_data_type", "integer"},
		{"INVALID_DATA", "Last_Name", "maximum_length", float64(80)},
		{"DUPLICATE_DATA", "Salesforce_Id", "json_path", "$.data[3].Salesforce_Id"},
		{"INVALID_DATA", "Email", "expected_data_type", "email"},
		{"INVALID_DATA", "Owner", "expected_data_type", "ownerlookup"},
	}
	for i, w := range want {
		d := data[i]
		det := details(t, d)
		if d["code"] != w.code || d["status"] != "error" || det["api_name"] != w.apiName || det[w.key] != w.val {
			t.Errorf("record %d: want %s %s %s=%v, got %v", i, w.code, w.apiName, w.key, w.val, d)
		}
	}
	if dup := details(t, data[3])["duplicate_record"].(map[string]any); dup["module"].(map[string]any)["api_name"] != "Leads" {
		t.Errorf("duplicate_record: %v", dup)
	}
	if data[6]["code"] != "INVALID_DATA" || data[7]["status"] != "success" {
		t.Errorf("tail: %v %v", data[6], data[7])
	}
	// All failed → 400 with the data array.
	r = e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"First_Name": "x"}}}).want(t, 400)
	if r.data()[0]["code"] != "MANDATORY_NOT_FOUND" {
		t.Fatalf("all failed: %s", r.raw)
	}
	// Deals: Probability range, lookups that do not exist.
	r = e.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{
		map[string]any{"Deal_Name": "D1", "Stage": "Qualification", "Probability": 120},
		map[string]any{"Deal_Name": "D2", "Stage": "Qualification", "Account_Name": map[string]any{"id": "5725767000099999999"}},
		map[string]any{"Deal_Name": "D3", "Stage": "Qualification", "Closing_Date": "2026-13-45"},
		map[string]any{"Deal_Name": "D4", "Stage": "Qualification", "Closing_Date": "2026-12-01", "Amount": 1000},
	}}).want(t, 207)
	if r.data()[0]["message"] != "Given Probability is not valid" || r.data()[1]["message"] != "the related id given seems to be invalid" ||
		details(t, r.data()[2])["expected_data_type"] != "date" || r.data()[3]["status"] != "success" {
		t.Fatalf("deal errors: %s", r.raw)
	}
}

func TestRequestLevelWriteErrors(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.do("POST", "/crm/v8/Leads", `{"data":[{"Last_Name":"x"}`).wantErr(t, 400, "INVALID_DATA")
	e.do("POST", "/crm/v8/Leads", `{}`).wantErr(t, 400, "MANDATORY_NOT_FOUND")
	e.do("POST", "/crm/v8/Leads", `{"data":{}}`).wantErr(t, 400, "INVALID_DATA")
	var data []any
	for range 101 {
		data = append(data, map[string]any{"Last_Name": "x"})
	}
	r := e.do("POST", "/crm/v8/Leads", map[string]any{"data": data})
	r.wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("POST", "/crm/v8/Leads/upsert", map[string]any{"data": data}).wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("PUT", "/crm/v8/Leads", map[string]any{"data": data}).wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "x"}}, "trigger": []any{"nope"}}).
		wantErr(t, 400, "INVALID_DATA")
	e.do("POST", "/crm/v8/Leads/upsert", map[string]any{"data": []any{map[string]any{"Last_Name": "x"}},
		"duplicate_check_fields": []any{"Company"}}).wantErr(t, 400, "INVALID_DATA")
	if len(e.ts.Records("Leads")) != 0 {
		t.Fatal("a rejected request wrote records")
	}
}

func TestUpdate(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	ids := e.insertLeads(2)
	r := e.do("PUT", "/crm/v8/Leads", map[string]any{"data": []any{
		map[string]any{"id": ids[0], "Company": "New Co"},
		map[string]any{"Company": "no id"},
		map[string]any{"id": "5725767000099999999", "Company": "ghost"},
		map[string]any{"id": ids[1], "Last_Name": nil},
	}}).want(t, 207)
	if r.data()[0]["message"] != "record updated" || r.data()[1]["code"] != "MANDATORY_NOT_FOUND" ||
		details(t, r.data()[2])["id"] != "5725767000099999999" || r.data()[3]["code"] != "MANDATORY_NOT_FOUND" {
		t.Fatalf("update: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Leads/"+ids[0]+"?fields=Company,Last_Name", nil).want(t, 200)
	if r.data()[0]["Company"] != "New Co" || r.data()[0]["Last_Name"] != "Lead 00000" {
		t.Fatalf("after update: %s", r.raw)
	}
	// If-Unmodified-Since before the last write → 412.
	e.do("PUT", "/crm/v8/Leads/"+ids[0], map[string]any{"data": []any{map[string]any{"Company": "late"}}},
		"If-Unmodified-Since", "2020-01-01T00:00:00+00:00").wantErr(t, 412, "ALREADY_MODIFIED")
}

func TestUpsert(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Boyle", "Email": "P.Boyle@zylker.com"},
		map[string]any{"Last_Name": "Kent", "Email": "c.kent@zylker.com", "Salesforce_Id": "003A"},
	}}).want(t, 201)
	r := e.do("POST", "/crm/v8/Contacts/upsert", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Boyle", "Email": "p.boyle@zylker.com", "Title": "CEO"},            // system field: Email
		map[string]any{"Last_Name": "Wayne", "Email": "b.wayne@zylker.com"},                            // new
		map[string]any{"Last_Name": "Kent", "Email": "clark@dailyplanet.com", "Salesforce_Id": "003a"}, // unique field
		map[string]any{"Email": "x@y.co"},                                                              // insert lacking Last_Name
	}}).want(t, 207)
	d := r.data()
	if d[0]["action"] != "update" || d[0]["duplicate_field"] != "Email" || d[0]["message"] != "record updated" ||
		d[1]["action"] != "insert" || d[1]["duplicate_field"] != nil || d[1]["message"] != "record added" ||
		d[2]["action"] != "update" || d[2]["duplicate_field"] != "Salesforce_Id" ||
		d[3]["code"] != "MANDATORY_NOT_FOUND" {
		t.Fatalf("upsert: %s", r.raw)
	}
	if !strings.Contains(string(r.raw), `"duplicate_field":null`) {
		t.Fatalf("duplicate_field must be null on insert: %s", r.raw)
	}
	// duplicate_check_fields listed: Salesforce_Id first, Email skipped.
	r = e.do("POST", "/crm/v8/Contacts/upsert", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Other", "Email": "b.wayne@zylker.com", "Salesforce_Id": "003B"},
	}, "duplicate_check_fields": []any{"Salesforce_Id"}}).want(t, 201)
	if r.data()[0]["action"] != "insert" {
		t.Fatalf("listed fields only (Email is a system field left out): %s", r.raw)
	}
	if n := len(e.ts.Records("Contacts")); n != 4 {
		t.Fatalf("%d contacts, want 4", n)
	}
	// Accounts default to Account_Name; custom modules to Name.
	e.do("POST", "/crm/v8/Accounts/upsert", map[string]any{"data": []any{map[string]any{"Account_Name": "Zylker"}}}).want(t, 201)
	r = e.do("POST", "/crm/v8/Accounts/upsert", map[string]any{"data": []any{map[string]any{"Account_Name": "zylker", "Open_Tickets": 3}}}).want(t, 200)
	if r.data()[0]["duplicate_field"] != "Account_Name" {
		t.Fatalf("accounts upsert: %s", r.raw)
	}
	if err := e.ts.AddModule("Projects", "Project", "Projects"); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/crm/v8/Projects/upsert", map[string]any{"data": []any{map[string]any{"Name": "Apollo"}}}).want(t, 201)
	r = e.do("POST", "/crm/v8/Projects/upsert", map[string]any{"data": []any{map[string]any{"Name": "Apollo", "Description": "moon"}}}).want(t, 200)
	if r.data()[0]["duplicate_field"] != "Name" {
		t.Fatalf("custom module upsert: %s", r.raw)
	}
}

func TestStageHistory(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	r := e.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{map[string]any{"Deal_Name": "Big", "Stage": "Qualification",
		"Amount": 1000, "Closing_Date": "2026-12-31"}}}).want(t, 201)
	id := details(t, r.data()[0])["id"].(string)
	e.now = e.now.AddDate(0, 0, 3)
	e.token = e.refresh()
	e.do("PUT", "/crm/v8/Deals/"+id, map[string]any{"data": []any{map[string]any{"Stage": "Negotiation/Review"}}}).want(t, 200)
	e.do("PUT", "/crm/v8/Deals/"+id, map[string]any{"data": []any{map[string]any{"Amount": 2000}}}).want(t, 200) // no stage change
	e.now = e.now.AddDate(0, 0, 2)
	e.token = e.refresh()
	e.do("PUT", "/crm/v8/Deals/"+id, map[string]any{"data": []any{map[string]any{"Stage": "Closed Won"}}}).want(t, 200)
	r = e.do("GET", "/crm/v8/Deals/"+id+"/Stage_History", nil).want(t, 200)
	h := r.data()
	if len(h) != 3 || h[0]["Stage"] != "Closed Won" || h[1]["Stage"] != "Negotiation/Review" || h[2]["Stage"] != "Qualification" {
		t.Fatalf("history: %s", r.raw)
	}
	if h[2]["Duration_Days"] != float64(3) || h[1]["Duration_Days"] != float64(2) || h[0]["Probability"] != float64(100) ||
		h[0]["Amount"] != float64(2000) || h[0]["Expected_Revenue"] != float64(2000) {
		t.Fatalf("history values: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Deals/"+id+"?fields=Probability,Expected_Revenue", nil).want(t, 200)
	if r.data()[0]["Probability"] != float64(100) || r.data()[0]["Expected_Revenue"] != float64(2000) {
		t.Fatalf("deal: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Deals/"+id+"/Stage_History?fields=Stage,Bogus", nil).wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/Deals/"+id+"/Nothing", nil).wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/Deals/"+id+"/Stage_History?page=2", nil).want(t, 204)
}

func TestNotesAndTasksLookups(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	ids := e.insertLeads(1)
	r := e.do("POST", "/crm/v8/Notes", map[string]any{"data": []any{map[string]any{"Note_Title": "Call", "Note_Content": "Went well",
		"Parent_Id": map[string]any{"module": map[string]any{"api_name": "Leads"}, "id": ids[0]}}}}).want(t, 201)
	if r.data()[0]["code"] != "SUCCESS" {
		t.Fatalf("note: %s", r.raw)
	}
	e.do("POST", "/crm/v8/Leads/"+ids[0]+"/Notes", map[string]any{"data": []any{map[string]any{"Note_Content": "Second"}}}).want(t, 201)
	r = e.do("GET", "/crm/v8/Leads/"+ids[0]+"/Notes?fields=Note_Content,Parent_Id", nil).want(t, 200)
	if len(r.data()) != 2 || r.data()[0]["Parent_Id"].(map[string]any)["id"] != ids[0] {
		t.Fatalf("notes: %s", r.raw)
	}
	r = e.do("POST", "/crm/v8/Notes", map[string]any{"data": []any{map[string]any{"Note_Content": "orphan"}}}).want(t, 400)
	if r.data()[0]["code"] != "MANDATORY_NOT_FOUND" {
		t.Fatalf("note without parent: %s", r.raw)
	}
	r = e.do("POST", "/crm/v8/Tasks", map[string]any{"data": []any{map[string]any{"Subject": "Follow up", "Status": "Not Started",
		"What_Id": map[string]any{"id": ids[0]}, "$se_module": "Leads", "Due_Date": "2026-12-01"}}}).want(t, 201)
	if r.data()[0]["code"] != "SUCCESS" {
		t.Fatalf("task: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Tasks?fields=Subject,What_Id", nil).want(t, 200)
	d := r.data()[0]
	if d["$se_module"] != "Leads" || d["What_Id"].(map[string]any)["name"] != "Lead 00000" {
		t.Fatalf("task: %s", r.raw)
	}
}
