package zohotest_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// fieldsOf reads GET /settings/fields?module= by API name.
func (e *env) fieldsOf(module string) map[string]map[string]any {
	e.t.Helper()
	r := e.do("GET", "/crm/v8/settings/fields?module="+module, nil).want(e.t, 200)
	out := map[string]map[string]any{}
	for _, x := range r.body["fields"].([]any) {
		f := x.(map[string]any)
		out[f["api_name"].(string)] = f
	}
	return out
}

// createFields posts fields to module and returns the answer.
func (e *env) createFields(module string, fields ...map[string]any) *resp {
	e.t.Helper()
	list := make([]any, len(fields))
	for i, f := range fields {
		list[i] = f
	}
	return e.do("POST", "/crm/v8/settings/fields?module="+module, map[string]any{"fields": list})
}

func elements(r *resp) []map[string]any {
	arr, _ := r.body["fields"].([]any)
	out := make([]map[string]any, len(arr))
	for i, x := range arr {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func picklist(values ...string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = map[string]any{"display_value": v, "actual_value": v}
	}
	return out
}

// TestCreateCustomFields creates the sheet's five sample fields through
// the fields API: they appear in the fields API and the standard layout,
// accept writes, come back on reads and COQL, and a unique one refuses a
// duplicate and serves upsert's duplicate check.
func TestCreateCustomFields(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	acc := e.do("POST", "/crm/v8/Accounts", map[string]any{"data": []any{map[string]any{"Account_Name": "Partner Inc"}}}).want(t, 201)
	accID := acc.data()[0]["details"].(map[string]any)["id"].(string)
	r := e.createFields("Leads",
		map[string]any{"field_label": "External Ref", "data_type": "text", "length": 120, "unique": map[string]any{"case_sensitive": false}},
		map[string]any{"field_label": "Seats", "data_type": "integer", "length": 9},
		map[string]any{"field_label": "Health Score", "data_type": "double", "length": 16, "decimal_place": 2},
		map[string]any{"field_label": "Region", "data_type": "picklist", "pick_list_values": picklist("EMEA", "APAC")},
		map[string]any{"field_label": "Partner", "data_type": "lookup", "lookup": map[string]any{
			"module": map[string]any{"api_name": "Accounts"}, "display_label": "Partner Of"}},
	).want(t, 201)
	ids := map[string]string{}
	for i, el := range elements(r) {
		if el["code"] != "SUCCESS" || el["status"] != "success" || el["message"] != "field created" {
			t.Fatalf("element %d: %v", i, el)
		}
		ids[[]string{"External_Ref", "Seats", "Health_Score", "Region", "Partner"}[i]] = el["details"].(map[string]any)["id"].(string)
	}
	// The generated API name, read by id as the sheet says.
	one := e.do("GET", "/crm/v8/settings/fields/"+ids["External_Ref"]+"?module=Leads", nil).want(t, 200)
	if f := one.body["fields"].([]any)[0].(map[string]any); f["api_name"] != "External_Ref" || f["field_label"] != "External Ref" ||
		f["custom_field"] != true || f["length"] != float64(120) || len(f["unique"].(map[string]any)) == 0 {
		t.Fatalf("created field: %s", one.raw)
	}
	fs := e.fieldsOf("Leads")
	if fs["Health_Score"]["decimal_place"] != float64(2) || fs["Seats"]["data_type"] != "integer" ||
		len(fs["Region"]["pick_list_values"].([]any)) != 2 ||
		fs["Partner"]["lookup"].(map[string]any)["module"].(map[string]any)["api_name"] != "Accounts" {
		t.Fatalf("fields API: %v %v %v %v", fs["Health_Score"], fs["Seats"], fs["Region"], fs["Partner"])
	}
	// In the standard layout, not mandatory there.
	lay := e.layoutFields("Leads")
	for name := range ids {
		if f := lay[name]; f == nil || f["required"] != false {
			t.Fatalf("layout field %s: %v", name, f)
		}
	}
	// Writes, reads, COQL.
	rec := map[string]any{"Last_Name": "Custom", "External_Ref": "X-1", "Seats": 12, "Health_Score": 87.25,
		"Region": "EMEA", "Partner": map[string]any{"id": accID}}
	w := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{rec}}).want(t, 201)
	id := w.data()[0]["details"].(map[string]any)["id"].(string)
	got := e.do("GET", "/crm/v8/Leads/"+id+"?fields=External_Ref,Seats,Health_Score,Region,Partner", nil).want(t, 200).data()[0]
	if got["External_Ref"] != "X-1" || got["Seats"] != float64(12) || got["Health_Score"] != 87.25 || got["Region"] != "EMEA" ||
		got["Partner"].(map[string]any)["name"] != "Partner Inc" {
		t.Fatalf("read back: %v", got)
	}
	q := e.do("POST", "/crm/v8/coql", map[string]any{"select_query": "select External_Ref, Seats, Partner.Account_Name from Leads where Region = 'EMEA'"}).want(t, 200)
	if d := q.data(); len(d) != 1 || d[0]["External_Ref"] != "X-1" || d[0]["Partner.Account_Name"] != "Partner Inc" {
		t.Fatalf("COQL: %s", q.raw)
	}
	// Unique: a second record with the value is refused; upsert matches on it.
	dup := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "Twin", "External_Ref": "x-1"}}}).want(t, 400)
	if el := dup.data()[0]; el["code"] != "DUPLICATE_DATA" || el["details"].(map[string]any)["api_name"] != "External_Ref" {
		t.Fatalf("duplicate unique value: %s", dup.raw)
	}
	up := e.do("POST", "/crm/v8/Leads/upsert", map[string]any{"data": []any{map[string]any{"Last_Name": "Upserted", "External_Ref": "X-1"}},
		"duplicate_check_fields": []any{"External_Ref"}}).want(t, 200)
	if el := up.data()[0]; el["action"] != "update" || el["duplicate_field"] != "External_Ref" {
		t.Fatalf("upsert on the new unique field: %s", up.raw)
	}
}

func TestCreateCustomFieldErrors(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	cases := []struct {
		name    string
		field   map[string]any
		code    string
		apiName string // details.api_name
	}{
		{"no label", map[string]any{"data_type": "text"}, "MANDATORY_NOT_FOUND", "field_label"},
		{"no type", map[string]any{"field_label": "Nothing"}, "MANDATORY_NOT_FOUND", "data_type"},
		{"unknown type", map[string]any{"field_label": "Colour", "data_type": "colour"}, "INVALID_DATA", "data_type"},
		{"label taken", map[string]any{"field_label": "company", "data_type": "text"}, "DUPLICATE_DATA", "field_label"},
		{"api name taken", map[string]any{"field_label": "Last-Name", "data_type": "text"}, "DUPLICATE_DATA", "api_name"},
		{"bad api name", map[string]any{"field_label": "Fine", "api_name": "Bad__Name", "data_type": "text"}, "INVALID_DATA", "api_name"},
		{"trailing underscore", map[string]any{"field_label": "Fine", "api_name": "Fine_", "data_type": "text"}, "INVALID_DATA", "api_name"},
		{"reserved", map[string]any{"field_label": "Select", "data_type": "text"}, "RESERVED_KEYWORD_NOT_ALLOWED", "api_name"},
		{"text too long", map[string]any{"field_label": "Long", "data_type": "text", "length": 256}, "DEPENDENT_MISMATCH", "length"},
		{"phone too long", map[string]any{"field_label": "Cell", "data_type": "phone", "length": 31}, "DEPENDENT_MISMATCH", "length"},
		{"integer digits", map[string]any{"field_label": "Seats", "data_type": "integer", "length": 10}, "DEPENDENT_MISMATCH", "length"},
		{"decimals", map[string]any{"field_label": "Ratio", "data_type": "double", "decimal_place": 10}, "DEPENDENT_MISMATCH", "decimal_place"},
		{"picklist without values", map[string]any{"field_label": "Tier", "data_type": "picklist"}, "EXPECTED_DEPENDENT_FIELD_MISSING", "pick_list_values"},
		{"picklist both", map[string]any{"field_label": "Tier", "data_type": "picklist", "pick_list_values": picklist("A"),
			"global_picklist": map[string]any{"id": "1"}}, "AMBIGUITY_DURING_PROCESSING", "pick_list_values"},
		{"picklist twice", map[string]any{"field_label": "Tier", "data_type": "picklist", "pick_list_values": picklist("A", "a")}, "DUPLICATE_DATA", "display_value"},
		{"textarea type", map[string]any{"field_label": "Notes", "data_type": "textarea"}, "DEPENDENT_FIELD_MISSING", "textarea"},
		{"textarea filterable", map[string]any{"field_label": "Notes", "data_type": "textarea", "textarea": map[string]any{"type": "large"},
			"filterable": true}, "NOT_ALLOWED", "filterable"},
		{"lookup without module", map[string]any{"field_label": "Ref", "data_type": "lookup"}, "DEPENDENT_FIELD_MISSING", "lookup"},
		{"lookup unknown module", map[string]any{"field_label": "Ref", "data_type": "lookup",
			"lookup": map[string]any{"module": map[string]any{"api_name": "Nope"}}}, "INVALID_DATA", "lookup"},
		{"encrypted boolean", map[string]any{"field_label": "Flag", "data_type": "boolean", "crypt": map[string]any{"mode": "encryption"}}, "NOT_SUPPORTED", "crypt"},
		{"external picklist", map[string]any{"field_label": "Ext", "data_type": "picklist", "pick_list_values": picklist("A"),
			"external": map[string]any{"type": "org"}}, "NOT_ALLOWED", "external"},
		{"tooltip too long", map[string]any{"field_label": "Tip", "data_type": "text",
			"tooltip": map[string]any{"name": "static_text", "value": strings.Repeat("x", 36)}}, "INVALID_DATA", "tooltip"},
		{"unknown profile", map[string]any{"field_label": "Secret", "data_type": "text",
			"profiles": []any{map[string]any{"id": "1", "permission_type": "hidden"}}}, "INVALID_DATA", "id"},
		{"unique picklist", map[string]any{"field_label": "Tier", "data_type": "picklist", "pick_list_values": picklist("A"),
			"unique": map[string]any{}}, "NOT_ALLOWED", "unique"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.createFields("Leads", tc.field).want(t, 400)
			el := elements(r)
			if len(el) != 1 || el[0]["code"] != tc.code || el[0]["status"] != "error" {
				t.Fatalf("want %s, got %s", tc.code, r.raw)
			}
			d := el[0]["details"].(map[string]any)
			if d["api_name"] != tc.apiName || !strings.HasPrefix(fmt.Sprint(d["json_path"]), "$.fields[0]") {
				t.Fatalf("details %v, want api_name %s", d, tc.apiName)
			}
		})
	}
	before := len(e.fieldsOf("Leads"))
	// A batch with a good and a bad field: the good one is created (207).
	r := e.createFields("Leads", map[string]any{"field_label": "Good One", "data_type": "email"},
		map[string]any{"field_label": "Bad One", "data_type": "text", "length": 0}).want(t, 207)
	if el := elements(r); el[0]["status"] != "success" || el[1]["code"] != "DEPENDENT_MISMATCH" {
		t.Fatalf("mixed batch: %s", r.raw)
	}
	if after := e.fieldsOf("Leads"); len(after) != before+1 || after["Good_One"]["length"] != float64(100) {
		t.Fatalf("after a mixed batch: %d fields (had %d), Good_One %v", len(after), before, after["Good_One"])
	}
	// Request-level errors.
	six := make([]map[string]any, 6)
	for i := range six {
		six[i] = map[string]any{"field_label": fmt.Sprintf("Six %d", i), "data_type": "text"}
	}
	e.createFields("Leads", six...).wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("POST", "/crm/v8/settings/fields", map[string]any{"fields": []any{}}).wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	e.createFields("Nope", map[string]any{"field_label": "X", "data_type": "text"}).wantErr(t, 400, "INVALID_MODULE")
	e.do("POST", "/crm/v8/settings/fields?module=Leads", map[string]any{"field": []any{}}).wantErr(t, 400, "MANDATORY_NOT_FOUND")
	e.do("POST", "/crm/v8/settings/fields?module=Leads", "{not json").wantErr(t, 400, "INVALID_DATA")
	e.do("PUT", "/crm/v8/settings/fields?module=Leads", map[string]any{"fields": []any{}}).wantErr(t, 400, "INVALID_REQUEST_METHOD")
	e.do("POST", "/crm/v8/settings/layouts?module=Leads", map[string]any{}).wantErr(t, 400, "INVALID_REQUEST_METHOD")
	if n := len(e.fieldsOf("Leads")); n != before+1 {
		t.Fatalf("refused calls created fields: %d", n)
	}

	// A token that may only read fields cannot create them.
	ro := newEnv(t, zohotest.Options{Scopes: []string{"ZohoCRM.settings.fields.READ", "ZohoCRM.modules.ALL"}})
	ro.createFields("Leads", map[string]any{"field_label": "X", "data_type": "text"}).wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	ok := newEnv(t, zohotest.Options{Scopes: []string{"ZohoCRM.settings.fields.CREATE", "ZohoCRM.modules.ALL"}})
	ok.createFields("Leads", map[string]any{"field_label": "X", "data_type": "text"}).want(t, 201)
}

// TestCustomFieldLimits: a Standard org has 10 custom fields per module,
// every org 2 unique ones and 1 autonumber field.
func TestCustomFieldLimits(t *testing.T) {
	e := newEnv(t, zohotest.Options{Edition: "standard"})
	// Leads starts with one custom field (Salesforce_Id, unique).
	for i := range 9 {
		e.createFields("Leads", map[string]any{"field_label": fmt.Sprintf("Extra %d", i), "data_type": "text"}).want(t, 201)
	}
	r := e.createFields("Leads", map[string]any{"field_label": "Eleventh", "data_type": "text"}).want(t, 400)
	if el := elements(r)[0]; el["code"] != "LIMIT_EXCEEDED" || el["details"].(map[string]any)["limit"] != float64(10) {
		t.Fatalf("11th custom field: %s", r.raw)
	}
	f := newEnv(t, zohotest.Options{})
	f.createFields("Contacts", map[string]any{"field_label": "Desk Id", "data_type": "text", "unique": map[string]any{}}).want(t, 201)
	r = f.createFields("Contacts", map[string]any{"field_label": "Other Id", "data_type": "text", "unique": map[string]any{}}).want(t, 400)
	if el := elements(r)[0]; el["code"] != "LIMIT_EXCEEDED" {
		t.Fatalf("third unique field: %s", r.raw)
	}
	f.createFields("Deals", map[string]any{"field_label": "Deal No", "data_type": "autonumber",
		"auto_number": map[string]any{"prefix": "D-", "start_number": 100}}).want(t, 201)
	r = f.createFields("Deals", map[string]any{"field_label": "Deal No 2", "data_type": "autonumber"}).want(t, 400)
	if el := elements(r)[0]; el["code"] != "LIMIT_EXCEEDED" {
		t.Fatalf("second autonumber field: %s", r.raw)
	}
	// The autonumber field numbers new deals and ignores written values.
	w := f.do("POST", "/crm/v8/Deals", map[string]any{"data": []any{
		map[string]any{"Deal_Name": "A", "Stage": "Qualification", "Deal_No": "mine"},
		map[string]any{"Deal_Name": "B", "Stage": "Qualification"}}}).want(t, 201)
	var got []any
	for _, d := range w.data() {
		id := d["details"].(map[string]any)["id"].(string)
		got = append(got, f.do("GET", "/crm/v8/Deals/"+id+"?fields=Deal_No", nil).want(t, 200).data()[0]["Deal_No"])
	}
	if got[0] != "D-100" || got[1] != "D-101" {
		t.Fatalf("autonumbers %v", got)
	}
	// A deal made by converting a lead is numbered too.
	ins := f.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "Conv", "Company": "C"}}}).want(t, 201)
	lead := ins.data()[0]["details"].(map[string]any)["id"].(string)
	conv := f.do("POST", "/crm/v8/Leads/"+lead+"/actions/convert", map[string]any{"data": []any{map[string]any{
		"Deals": map[string]any{"Deal_Name": "From lead", "Stage": "Qualification", "Closing_Date": "2027-01-31"}}}}).want(t, 200)
	dealID := conv.data()[0]["Deals"].(string)
	if n := f.do("GET", "/crm/v8/Deals/"+dealID+"?fields=Deal_No", nil).want(t, 200).data()[0]["Deal_No"]; n != "D-102" {
		t.Fatalf("converted deal's number: %v", n)
	}
}

func TestAPINameRule(t *testing.T) {
	for label, want := range map[string]string{
		"External Ref":     "External_Ref",
		"Score (0-100)":    "Score_0_100",
		"  Lead  Score  ":  "Lead_Score",
		"Lifecycle_Stage":  "Lifecycle_Stage",
		"NPS__":            "NPS",
		"2024 Budget":      "Field_2024_Budget",
		"Région":           "R_gion",
		"!!!":              "",
		"Customer-Tier #2": "Customer_Tier_2",
	} {
		if got := zohotest.APIName(label); got != want {
			t.Errorf("APIName(%q) = %q, want %q", label, got, want)
		}
	}
}

// TestDeleteCustomField: a custom field can be deleted, a standard one
// cannot; the module and the saved state forget it.
func TestDeleteCustomField(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	r := e.createFields("Contacts", map[string]any{"field_label": "Temp", "data_type": "text"},
		map[string]any{"field_label": "Kept", "data_type": "text"}).want(t, 201)
	tempID := elements(r)[0]["details"].(map[string]any)["id"].(string)
	e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{map[string]any{"Last_Name": "T", "Temp": "gone soon", "Kept": "stays"}}}).want(t, 201)
	d := e.do("DELETE", "/crm/v8/settings/fields/"+tempID+"?module=Contacts", nil).want(t, 200)
	if el := elements(d)[0]; el["message"] != "field deleted" {
		t.Fatalf("delete: %s", d.raw)
	}
	if _, ok := e.fieldsOf("Contacts")["Temp"]; ok {
		t.Fatal("deleted field still listed")
	}
	e.do("GET", "/crm/v8/Contacts?fields=Temp", nil).wantErr(t, 400, "INVALID_DATA")
	last := e.fieldsOf("Contacts")["Last_Name"]["id"].(string)
	e.do("DELETE", "/crm/v8/settings/fields/"+last+"?module=Contacts", nil).wantErr(t, 400, "NOT_ALLOWED")
	e.do("DELETE", "/crm/v8/settings/fields/"+tempID+"?module=Contacts", nil).wantErr(t, 400, "INVALID_DATA")
	// A field created after the deletion, and a save and load, keep values apart.
	e.createFields("Contacts", map[string]any{"field_label": "Newer", "data_type": "text"}).want(t, 201)
	e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{map[string]any{"Last_Name": "U", "Newer": "new", "Kept": "k2"}}}).want(t, 201)
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	g := newEnv(t, zohotest.Options{})
	if err := g.ts.Load(&buf); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.ts.Records("Contacts") {
		if _, has := c["Temp"]; has {
			t.Fatalf("loaded record has the deleted field: %v", c)
		}
		want := map[string][2]any{"T": {"stays", nil}, "U": {"k2", "new"}}[c["Last_Name"].(string)]
		if c["Kept"] != want[0] || c["Newer"] != want[1] {
			t.Fatalf("loaded record %v, want Kept %v Newer %v", c, want[0], want[1])
		}
	}
	if err := g.ts.RemoveField("Contacts", "Kept"); err != nil {
		t.Fatal(err)
	}
	if err := g.ts.RemoveField("Contacts", "Email"); err == nil {
		t.Fatal("a standard field was removed")
	}
	g.do("POST", "/crm/v8/coql", map[string]any{"select_query": "select Kept from Contacts where Last_Name = 'U'"}).wantErr(t, 400, "INVALID_QUERY")
}
