package zohotest_test

import (
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestModulesAndFieldsMetadata(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	r := e.do("GET", "/crm/v8/settings/modules", nil).want(t, 200)
	mods := map[string]map[string]any{}
	for _, x := range r.body["modules"].([]any) {
		m := x.(map[string]any)
		mods[m["api_name"].(string)] = m
	}
	for _, want := range []string{"Leads", "Contacts", "Accounts", "Deals", "Tasks", "Notes", "Events", "Calls"} {
		m := mods[want]
		if m == nil || m["api_supported"] != true || m["generated_type"] != "default" || !idPattern.MatchString(m["id"].(string)) {
			t.Fatalf("module %s: %v", want, m)
		}
	}
	if mods["Events"]["plural_label"] != "Meetings" {
		t.Fatalf("Events label: %v", mods["Events"])
	}
	e.do("GET", "/crm/v8/settings/modules/Deals", nil).want(t, 200)

	fields := func(module string) map[string]map[string]any {
		r := e.do("GET", "/crm/v8/settings/fields?module="+module, nil).want(t, 200)
		out := map[string]map[string]any{}
		for _, x := range r.body["fields"].([]any) {
			f := x.(map[string]any)
			out[f["api_name"].(string)] = f
		}
		return out
	}
	for _, mod := range []string{"Leads", "Contacts", "Accounts", "Deals"} {
		sf := fields(mod)["Salesforce_Id"]
		if sf == nil || sf["data_type"] != "text" || sf["custom_field"] != true || len(sf["unique"].(map[string]any)) == 0 {
			t.Fatalf("%s.Salesforce_Id: %v", mod, sf)
		}
	}
	acc := fields("Accounts")
	if acc["Open_Tickets"]["data_type"] != "integer" || acc["Lifetime_Won"]["data_type"] != "currency" ||
		acc["Account_Name"]["system_mandatory"] != true || acc["Modified_Time"]["read_only"] != true {
		t.Fatalf("accounts fields: %v %v", acc["Open_Tickets"], acc["Lifetime_Won"])
	}
	deals := fields("Deals")
	lk := deals["Account_Name"]["lookup"].(map[string]any)["module"].(map[string]any)
	if lk["api_name"] != "Accounts" {
		t.Fatalf("lookup target: %v", deals["Account_Name"])
	}
	stages := deals["Stage"]["pick_list_values"].([]any)
	if len(stages) != 9 || stages[0].(map[string]any)["actual_value"] != "Qualification" ||
		stages[6].(map[string]any)["forecast_type"] != "Closed Won" || deals["Stage"]["system_mandatory"] != true {
		t.Fatalf("stages: %v", stages)
	}
	if fields("Leads")["Last_Name"]["length"] != float64(80) {
		t.Fatal("Last_Name length")
	}
	e.do("GET", "/crm/v8/settings/fields", nil).wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	e.do("GET", "/crm/v8/settings/fields?module=Nope", nil).wantErr(t, 400, "INVALID_MODULE")
	e.do("GET", "/crm/v8/settings/nothing", nil).wantErr(t, 404, "INVALID_URL_PATTERN")
	e.do("GET", "/crm/v8/settings/layouts?module=Leads", nil).want(t, 200)
	e.do("GET", "/crm/v8/settings/pipeline?layout_id=1", nil).want(t, 200)

	// Custom fields at run time.
	if err := e.ts.AddField("Leads", zohotest.Field{APIName: "Region__c", DataType: "picklist", PickList: []string{"EMEA", "APAC"}, Custom: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.ts.AddField("Leads", zohotest.Field{APIName: "Region__c"}); err == nil {
		t.Fatal("a second Region__c was accepted")
	}
	if err := e.ts.AddField("Nope", zohotest.Field{APIName: "X"}); err == nil {
		t.Fatal("field on an unknown module was accepted")
	}
	if f := fields("Leads")["Region__c"]; f == nil || f["custom_field"] != true || len(f["pick_list_values"].([]any)) != 2 {
		t.Fatalf("custom field: %v", f)
	}
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "X", "Region__c": "EMEA"}}}).want(t, 201)
	r = e.do("GET", "/crm/v8/Leads?fields=Region__c", nil).want(t, 200)
	if r.data()[0]["Region__c"] != "EMEA" {
		t.Fatalf("custom field value: %s", r.raw)
	}
	// Users and org (what SDKs ask on start).
	r = e.do("GET", "/crm/v8/users?type=CurrentUser", nil).want(t, 200)
	if u := r.body["users"].([]any); len(u) != 1 || u[0].(map[string]any)["email"] != "p.boyle@zylker.com" {
		t.Fatalf("users: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/org", nil).want(t, 200)
	if r.body["org"].([]any)[0].(map[string]any)["zgid"] != e.ts.OrgID() {
		t.Fatalf("org: %s", r.raw)
	}
}
