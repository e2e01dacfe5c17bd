package zohotest_test

import (
	"bytes"
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// layout reads GET /settings/layouts?module= and returns its one layout.
func (e *env) layout(module string) map[string]any {
	e.t.Helper()
	r := e.do("GET", "/crm/v8/settings/layouts?module="+module, nil).want(e.t, 200)
	ls := r.body["layouts"].([]any)
	if len(ls) != 1 {
		e.t.Fatalf("%d layouts of %s", len(ls), module)
	}
	return ls[0].(map[string]any)
}

// layoutFields returns the standard layout's fields by API name.
func (e *env) layoutFields(module string) map[string]map[string]any {
	e.t.Helper()
	out := map[string]map[string]any{}
	for _, s := range e.layout(module)["sections"].([]any) {
		for _, x := range s.(map[string]any)["fields"].([]any) {
			f := x.(map[string]any)
			out[f["api_name"].(string)] = f
		}
	}
	return out
}

// TestLayoutsMetadata: each module has a standard layout with sections,
// and its fields carry "required" beside "system_mandatory": a new org's
// defaults star Leads Company and Deals Closing_Date and Account_Name.
func TestLayoutsMetadata(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	want := map[string][]string{
		"Leads":    {"Last_Name", "Company"},
		"Contacts": {"Last_Name"},
		"Accounts": {"Account_Name"},
		"Deals":    {"Deal_Name", "Stage", "Closing_Date", "Account_Name"},
		"Tasks":    {"Subject"},
	}
	for module, req := range want {
		l := e.layout(module)
		if l["api_name"] != "Standard__s" || l["name"] != "Standard" || l["status"] != "active" || !idPattern.MatchString(l["id"].(string)) {
			t.Fatalf("%s layout: %v", module, l)
		}
		fields := e.layoutFields(module)
		got := 0
		for name, f := range fields {
			if f["required"] == true {
				got++
				found := false
				for _, r := range req {
					found = found || r == name
				}
				if !found {
					t.Errorf("%s.%s required in the layout", module, name)
				}
			}
		}
		if got != len(req) {
			t.Errorf("%s: %d required fields, want %v", module, got, req)
		}
		for _, r := range req {
			if fields[r]["required"] != true {
				t.Errorf("%s.%s not required: %v", module, r, fields[r])
			}
		}
		// Every field of the fields API is in the layout.
		if n := len(e.fieldsOf(module)); n != len(fields) {
			t.Errorf("%s: %d fields in the layout, %d in the fields API", module, len(fields), n)
		}
	}
	lf := e.layoutFields("Leads")
	if lf["Company"]["system_mandatory"] != false || lf["Last_Name"]["system_mandatory"] != true {
		t.Fatalf("system_mandatory beside required: %v %v", lf["Company"], lf["Last_Name"])
	}
	// The fields API merges layouts and has no layout flag.
	if _, ok := e.fieldsOf("Leads")["Company"]["required"]; ok {
		t.Fatal("the fields API reports a layout's required flag")
	}
	l := e.layout("Leads")
	var sections []string
	for _, s := range l["sections"].([]any) {
		sections = append(sections, s.(map[string]any)["api_name"].(string))
	}
	if len(sections) != 3 || sections[0] != "Lead Information" || sections[1] != "Address Information" {
		t.Fatalf("sections %v", sections)
	}
	deals := l["convert_mapping"].(map[string]any)["Deals"].(map[string]any)
	conv := map[string]bool{}
	for _, x := range deals["fields"].([]any) {
		conv[x.(map[string]any)["api_name"].(string)] = true
	}
	if !conv["Closing_Date"] || !conv["Deal_Name"] {
		t.Fatalf("convert mapping to Deals: %v", deals)
	}
	// One layout by id; errors.
	one := e.do("GET", "/crm/v8/settings/layouts/"+l["id"].(string)+"?module=Leads", nil).want(t, 200)
	if ls := one.body["layouts"].([]any); len(ls) != 1 || ls[0].(map[string]any)["id"] != l["id"] {
		t.Fatalf("layout by id: %s", one.raw)
	}
	if e.ts.LayoutID("Leads") != l["id"] {
		t.Fatal("LayoutID")
	}
	e.do("GET", "/crm/v8/settings/layouts/123?module=Leads", nil).wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/settings/layouts", nil).wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	e.do("GET", "/crm/v8/settings/layouts?module=Nope", nil).wantErr(t, 400, "INVALID_MODULE")
}

// TestLayoutMandatoryOnlyWithLayoutID: as in v8, a record without
// Layout.id is checked for system-mandatory fields only; one naming the
// layout fails MANDATORY_NOT_FOUND for a missing layout-mandatory field,
// alone in its batch.
func TestLayoutMandatoryOnlyWithLayoutID(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	lead := e.ts.LayoutID("Leads")
	deal := e.ts.LayoutID("Deals")
	layoutOf := func(id string) map[string]any { return map[string]any{"id": id} }

	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "No Company"}}}).want(t, 201)
	r := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Named", "Layout": layoutOf(lead)},
		map[string]any{"Last_Name": "Complete", "Company": "Acme", "Layout": layoutOf(lead)},
	}}).want(t, 207)
	el := r.data()[0]
	if d := el["details"].(map[string]any); el["code"] != "MANDATORY_NOT_FOUND" || d["api_name"] != "Company" || d["json_path"] != "$.data[0].Company" {
		t.Fatalf("layout-mandatory Company: %s", r.raw)
	}
	if r.data()[1]["status"] != "success" {
		t.Fatalf("the complete record: %s", r.raw)
	}
	id := r.data()[1]["details"].(map[string]any)["id"].(string)
	// Updates naming the layout may leave Company out, not clear it.
	e.do("PUT", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"id": id, "City": "Oslo", "Layout": layoutOf(lead)}}}).want(t, 200)
	r = e.do("PUT", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"id": id, "Company": nil, "Layout": layoutOf(lead)}}}).want(t, 400)
	if r.data()[0]["code"] != "MANDATORY_NOT_FOUND" {
		t.Fatalf("clearing Company: %s", r.raw)
	}
	e.do("PUT", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"id": id, "Company": nil}}}).want(t, 200)
	// An upsert that inserts is an insert; an unknown layout id is refused.
	r = e.do("POST", "/crm/v8/Leads/upsert", map[string]any{"data": []any{map[string]any{"Last_Name": "U", "Email": "u@example.com", "Layout": layoutOf(lead)}}}).want(t, 400)
	if r.data()[0]["code"] != "MANDATORY_NOT_FOUND" {
		t.Fatalf("upsert insert: %s", r.raw)
	}
	r = e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "X", "Company": "Y", "Layout": layoutOf(deal)}}}).want(t, 400)
	if d := r.data()[0]["details"].(map[string]any); r.data()[0]["code"] != "INVALID_DATA" || d["api_name"] != "Layout" {
		t.Fatalf("another module's layout: %s", r.raw)
	}
	// Deals: Account_Name and Closing_Date.
	r = e.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{map[string]any{"Deal_Name": "D", "Stage": "Qualification",
		"Account_Name": map[string]any{"id": e.ts.Records("Leads")[0]["id"]}, "Layout": layoutOf(deal)}}}).want(t, 400)
	if r.data()[0]["code"] != "INVALID_DATA" {
		t.Fatalf("a lead as the account: %s", r.raw)
	}
	acc := e.do("POST", "/crm/v8/Accounts", map[string]any{"data": []any{map[string]any{"Account_Name": "A"}}}).want(t, 201)
	accID := acc.data()[0]["details"].(map[string]any)["id"]
	r = e.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{map[string]any{"Deal_Name": "D", "Stage": "Qualification",
		"Account_Name": map[string]any{"id": accID}, "Layout": layoutOf(deal)}}}).want(t, 400)
	if d := r.data()[0]["details"].(map[string]any); d["api_name"] != "Closing_Date" {
		t.Fatalf("deal without Closing_Date: %s", r.raw)
	}
	e.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{map[string]any{"Deal_Name": "D", "Stage": "Qualification",
		"Account_Name": map[string]any{"id": accID}, "Closing_Date": "2026-12-31", "Layout": layoutOf(deal)}}}).want(t, 201)
	e.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{map[string]any{"Deal_Name": "D2", "Stage": "Qualification"}}}).want(t, 201)
}

// TestLayoutChangesAndStrictLayout: an admin's layout change shows in the
// layouts API, is enforced with Layout.id and survives save and load; the
// StrictLayout switch enforces layouts on every insert.
func TestLayoutChangesAndStrictLayout(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	if err := e.ts.SetLayoutRequired("Contacts", "Email", true); err != nil {
		t.Fatal(err)
	}
	if err := e.ts.SetLayoutRequired("Leads", "Company", false); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"Contacts", "Last_Name"}, {"Contacts", "Nope"}, {"Nope", "Email"}} {
		if err := e.ts.SetLayoutRequired(bad[0], bad[1], false); err == nil {
			t.Errorf("SetLayoutRequired(%s, %s, false) accepted", bad[0], bad[1])
		}
	}
	if err := e.ts.SetLayoutRequired("Contacts", "Modified_Time", true); err == nil {
		t.Error("a read-only field made mandatory")
	}
	if f := e.layoutFields("Contacts")["Email"]; f["required"] != true {
		t.Fatalf("Contacts.Email after the change: %v", f)
	}
	r := e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{map[string]any{"Last_Name": "C",
		"Layout": map[string]any{"id": e.ts.LayoutID("Contacts")}}}}).want(t, 400)
	if r.data()[0]["details"].(map[string]any)["api_name"] != "Email" {
		t.Fatalf("contact without Email: %s", r.raw)
	}
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "L",
		"Layout": map[string]any{"id": e.ts.LayoutID("Leads")}}}}).want(t, 201)
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	g := newEnv(t, zohotest.Options{})
	if err := g.ts.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if got := g.ts.LayoutRequired("Contacts"); len(got) != 1 || got[0] != "Email" {
		t.Fatalf("loaded Contacts layout: %v", got)
	}
	if got := g.ts.LayoutRequired("Leads"); len(got) != 0 {
		t.Fatalf("loaded Leads layout: %v", got)
	}

	s := newEnv(t, zohotest.Options{StrictLayout: true})
	r = s.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "No Company"}}}).want(t, 400)
	if r.data()[0]["details"].(map[string]any)["api_name"] != "Company" {
		t.Fatalf("strict layouts: %s", r.raw)
	}
}
