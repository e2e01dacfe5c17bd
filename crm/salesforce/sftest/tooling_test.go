package sftest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// createField posts a CustomField and returns the status and the answer.
func (e *env) createField(full string, md map[string]any) resp {
	e.t.Helper()
	body := map[string]any{"FullName": full}
	if md != nil {
		body["Metadata"] = md
	}
	return e.do("POST", "tooling/sobjects/CustomField", body)
}

// toolingQuery runs a Tooling query that must succeed.
func (e *env) toolingQuery(soql string) map[string]any {
	e.t.Helper()
	var out map[string]any
	e.must(200, "GET", "tooling/query?q="+urlEscape(soql), nil).json(e.t, &out)
	return out
}

// describeField returns one field of an object's describe (nil if absent).
func (e *env) describeField(object, name string) map[string]any {
	e.t.Helper()
	var d struct {
		Fields []map[string]any `json:"fields"`
	}
	e.must(200, "GET", "sobjects/"+object+"/describe", nil).json(e.t, &d)
	for _, f := range d.Fields {
		if f["name"] == name {
			return f
		}
	}
	return nil
}

func TestToolingCustomField(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.createField("Contact.Ext_Id__c", map[string]any{"type": "Text", "label": "Ext Id", "length": 80,
		"externalId": true, "unique": true, "caseSensitive": false, "description": "Id in the ERP"})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
		Errors  []any  `json:"errors"`
	}
	r.json(t, &created)
	if !strings.HasPrefix(created.ID, "00N") || !created.Success || created.Errors == nil || len(created.Errors) != 0 {
		t.Fatalf("create answer %s", r.body)
	}
	if loc := r.header.Get("Location"); loc != "/services/data/v62.0/tooling/sobjects/CustomField/"+created.ID {
		t.Errorf("Location %q", loc)
	}

	// Describe shows it at once.
	f := e.describeField("Contact", "Ext_Id__c")
	if f == nil || f["type"] != "string" || f["length"] != float64(80) || f["externalId"] != true || f["unique"] != true ||
		f["idLookup"] != true || f["custom"] != true || f["label"] != "Ext Id" || f["nillable"] != true {
		t.Fatalf("describe %v", f)
	}
	// Writes, upserts and queries take it.
	id := e.create("Contact", map[string]any{"LastName": "Ng", "Ext_Id__c": "E-1"})
	e.must(200, "PATCH", "sobjects/Contact/Ext_Id__c/E-1", map[string]any{"LastName": "Ng2"})
	e.must(201, "PATCH", "sobjects/Contact/Ext_Id__c/E-2", map[string]any{"LastName": "Two"})
	if q := e.query("SELECT Id, LastName FROM Contact WHERE Ext_Id__c = 'e-1'"); q.TotalSize != 1 || q.Records[0]["Id"] != id || q.Records[0]["LastName"] != "Ng2" {
		t.Errorf("query by the new field: %+v", q)
	}
	var res []map[string]any
	e.must(200, "POST", "composite/sobjects", map[string]any{"records": []map[string]any{
		{"attributes": map[string]any{"type": "Contact"}, "LastName": "Dup", "Ext_Id__c": "E-2"}}}).json(t, &res)
	if res[0]["success"] != false || !strings.Contains(string(jsonOf(res)), "DUPLICATE_VALUE") {
		t.Errorf("unique: %v", res)
	}

	// Read back through a Tooling query: the envelope of the reference sheet.
	out := e.toolingQuery("SELECT Id, DeveloperName, TableEnumOrId, Description FROM CustomField WHERE TableEnumOrId = 'Contact' AND DeveloperName = 'Ext_Id'")
	recs, _ := out["records"].([]any)
	if out["size"] != float64(1) || out["totalSize"] != float64(1) || out["done"] != true || out["entityTypeName"] != "CustomField" ||
		len(recs) != 1 {
		t.Fatalf("tooling query %v", out)
	}
	if v, ok := out["queryLocator"]; !ok || v != nil {
		t.Errorf("queryLocator %v", v)
	}
	rec := recs[0].(map[string]any)
	if rec["Id"] != created.ID || rec["DeveloperName"] != "Ext_Id" || rec["TableEnumOrId"] != "Contact" || rec["Description"] != "Id in the ERP" ||
		rec["attributes"].(map[string]any)["url"] != "/services/data/v62.0/tooling/sobjects/CustomField/"+created.ID {
		t.Errorf("tooling record %v", rec)
	}
	// Metadata and FullName need a one-row result.
	out = e.toolingQuery("SELECT FullName, Metadata FROM CustomField WHERE Id = '" + created.ID + "'")
	rec = out["records"].([]any)[0].(map[string]any)
	md := rec["Metadata"].(map[string]any)
	if rec["FullName"] != "Contact.Ext_Id__c" || md["type"] != "Text" || md["length"] != float64(80) || md["externalId"] != true || md["label"] != "Ext Id" {
		t.Errorf("Metadata %v", rec)
	}
	r = e.must(400, "GET", "tooling/query?q="+urlEscape("SELECT Id, FullName FROM CustomField WHERE TableEnumOrId = 'Contact'"), nil)
	if r.errCode(t) != "MALFORMED_QUERY" || !strings.Contains(string(r.body), "When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: 2") {
		t.Errorf("multi-row Metadata: %s", r.body)
	}
	// Every custom field is listed, the integration fields too.
	out = e.toolingQuery("SELECT DeveloperName FROM CustomField WHERE TableEnumOrId IN ('Contact', 'Account') ORDER BY DeveloperName")
	var dev []string
	for _, x := range out["records"].([]any) {
		dev = append(dev, x.(map[string]any)["DeveloperName"].(string))
	}
	if strings.Join(dev, ",") != "Ext_Id,Lifetime_Won,Open_Tickets,Zoho_Account_Id,Zoho_Contact_Id" {
		t.Errorf("listed %v", dev)
	}
	if out := e.toolingQuery("SELECT COUNT() FROM CustomField WHERE TableEnumOrId = 'Contact'"); out["totalSize"] != float64(2) {
		t.Errorf("COUNT() %v", out)
	}
	for _, tc := range []struct{ soql, code string }{
		{"SELECT Id FROM ApexClass", "INVALID_TYPE"},
		{"SELECT Nope FROM CustomField", "INVALID_FIELD"},
		{"SELECT FROM CustomField", "MALFORMED_QUERY"},
	} {
		if r := e.must(400, "GET", "tooling/query?q="+urlEscape(tc.soql), nil); r.errCode(t) != tc.code {
			t.Errorf("%s: %s", tc.soql, r.body)
		}
	}

	// GET by id answers the whole record.
	var full map[string]any
	e.must(200, "GET", "tooling/sobjects/CustomField/"+created.ID, nil).json(t, &full)
	if full["FullName"] != "Contact.Ext_Id__c" || full["Metadata"].(map[string]any)["unique"] != true || full["ManageableState"] != "unmanaged" {
		t.Errorf("read %v", full)
	}
	e.must(404, "GET", "tooling/sobjects/CustomField/00N5g00000AbCdEAAX", nil)
	e.must(404, "GET", "tooling/sobjects/ApexClass", nil)

	// PATCH replaces the Metadata: label, length and help text change.
	e.must(204, "PATCH", "tooling/sobjects/CustomField/"+created.ID, map[string]any{"FullName": "Contact.Ext_Id__c",
		"Metadata": map[string]any{"type": "Text", "label": "ERP Id", "length": 100, "externalId": true, "unique": true, "inlineHelpText": "From the ERP"}})
	if f := e.describeField("Contact", "Ext_Id__c"); f["label"] != "ERP Id" || f["length"] != float64(100) || f["inlineHelpText"] != "From the ERP" {
		t.Errorf("after update: %v", f)
	}
	out = e.toolingQuery("SELECT CreatedDate, LastModifiedDate, Description FROM CustomField WHERE Id = '" + created.ID + "'")
	rec = out["records"].([]any)[0].(map[string]any)
	if rec["LastModifiedDate"].(string) <= rec["CreatedDate"].(string) || rec["Description"] != nil {
		t.Errorf("after update: %v", rec)
	}
	if r := e.must(400, "PATCH", "tooling/sobjects/CustomField/"+created.ID, map[string]any{"Metadata": map[string]any{"type": "Number", "label": "x", "precision": 3}}); !strings.Contains(string(r.body), "type") {
		t.Errorf("type change: %s", r.body)
	}
	zoho := e.toolingQuery("SELECT Id FROM CustomField WHERE DeveloperName = 'Zoho_Contact_Id'")["records"].([]any)[0].(map[string]any)["Id"].(string)
	e.must(400, "PATCH", "tooling/sobjects/CustomField/"+zoho, map[string]any{"Metadata": map[string]any{"type": "Text", "label": "x", "length": 10}})

	// The state survives Save and Load.
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, Options{})
	if err := e2.ts.Load(&buf); err != nil {
		t.Fatal(err)
	}
	out = e2.toolingQuery("SELECT Id, Metadata FROM CustomField WHERE DeveloperName = 'Ext_Id'")
	rec = out["records"].([]any)[0].(map[string]any)
	if rec["Id"] != created.ID || rec["Metadata"].(map[string]any)["label"] != "ERP Id" {
		t.Errorf("after Load: %v", rec)
	}
}

// jsonOf encodes v (for tests that look for a text in it).
func jsonOf(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestToolingFieldTypes(t *testing.T) {
	e := newEnv(t, Options{})
	acct := e.create("Account", map[string]any{"Name": "Acme"})
	pick := map[string]any{"restricted": false, "valueSetDefinition": map[string]any{"sorted": false,
		"value": []map[string]any{{"fullName": "A", "label": "Aye", "default": false}, {"fullName": "B", "label": "Bee", "default": true}}}}
	for _, tc := range []struct {
		name string
		md   map[string]any
		want map[string]any // describe properties
	}{
		{"Score__c", map[string]any{"type": "Number", "label": "Score", "precision": 18, "scale": 2}, map[string]any{"type": "double", "precision": float64(18), "scale": float64(2)}},
		{"Won__c", map[string]any{"type": "Currency", "label": "Won", "precision": 16, "scale": 2}, map[string]any{"type": "currency"}},
		{"Share__c", map[string]any{"type": "Percent", "label": "Share", "precision": 5, "scale": 2}, map[string]any{"type": "percent"}},
		{"Vip__c", map[string]any{"type": "Checkbox", "label": "VIP", "defaultValue": "true"}, map[string]any{"type": "boolean", "defaultValue": true, "nillable": false}},
		{"Since__c", map[string]any{"type": "Date", "label": "Since"}, map[string]any{"type": "date"}},
		{"Seen__c", map[string]any{"type": "DateTime", "label": "Seen"}, map[string]any{"type": "datetime"}},
		{"Alt_Email__c", map[string]any{"type": "Email", "label": "Alt", "externalId": true}, map[string]any{"type": "email", "externalId": true}},
		{"Fax2__c", map[string]any{"type": "Phone", "label": "Fax 2"}, map[string]any{"type": "phone"}},
		{"Home__c", map[string]any{"type": "Url", "label": "Home"}, map[string]any{"type": "url"}},
		{"Note__c", map[string]any{"type": "TextArea", "label": "Note"}, map[string]any{"type": "textarea", "length": float64(255)}},
		{"Story__c", map[string]any{"type": "LongTextArea", "label": "Story", "length": 5000, "visibleLines": 3}, map[string]any{"type": "textarea", "length": float64(5000), "groupable": false}},
		{"Tier__c", map[string]any{"type": "Picklist", "label": "Tier", "valueSet": pick}, map[string]any{"type": "picklist", "restrictedPicklist": false}},
		{"Tags__c", map[string]any{"type": "MultiselectPicklist", "label": "Tags", "visibleLines": 4, "valueSet": pick}, map[string]any{"type": "multipicklist"}},
		{"Code__c", map[string]any{"type": "Text", "label": "Code", "length": 10, "required": true}, map[string]any{"type": "string", "nillable": false}},
		{"Referrer__c", map[string]any{"type": "Lookup", "label": "Referrer", "referenceTo": "Account", "relationshipName": "Referred_Contacts", "relationshipLabel": "Referred Contacts", "deleteConstraint": "SetNull"},
			map[string]any{"type": "reference", "relationshipName": "Referrer__r"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.createField("Contact."+tc.name, tc.md); r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			f := e.describeField("Contact", tc.name)
			for k, v := range tc.want {
				if got := f[k]; !equalJSON(got, v) {
					t.Errorf("describe %s = %v, want %v", k, got, v)
				}
			}
		})
	}
	// The picklist keeps its values, labels and default.
	f := e.describeField("Contact", "Tier__c")
	vals := f["picklistValues"].([]any)
	if len(vals) != 2 || vals[0].(map[string]any)["label"] != "Aye" || vals[1].(map[string]any)["defaultValue"] != true {
		t.Errorf("picklist values %v", vals)
	}
	// Records written with every new field, and read back.
	id := e.create("Contact", map[string]any{"LastName": "Ng", "Code__c": "C1", "Score__c": 1.5, "Vip__c": false, "Since__c": "2026-01-02",
		"Tier__c": "A", "Tags__c": "A;B", "Referrer__c": acct, "Alt_Email__c": "ng@example.com", "Story__c": strings.Repeat("x", 300)})
	q := e.query("SELECT Score__c, Vip__c, Since__c, Tags__c, Referrer__r.Name, Story__c FROM Contact WHERE Id = '" + id + "' AND Tags__c INCLUDES ('B')")
	if q.TotalSize != 1 || q.Records[0]["Score__c"] != 1.5 || q.Records[0]["Referrer__r"].(map[string]any)["Name"] != "Acme" || q.Records[0]["Since__c"] != "2026-01-02" {
		t.Fatalf("read back: %+v", q)
	}
	// A required field must be set; the lookup's children are Referred_Contacts__r.
	var res []map[string]any
	e.must(200, "POST", "composite/sobjects", map[string]any{"records": []map[string]any{{"attributes": map[string]any{"type": "Contact"}, "LastName": "NoCode"}}}).json(t, &res)
	if !strings.Contains(string(jsonOf(res)), "REQUIRED_FIELD_MISSING") || !strings.Contains(string(jsonOf(res)), "Code__c") {
		t.Errorf("required field: %v", res)
	}
	q = e.query("SELECT Name, (SELECT LastName FROM Referred_Contacts__r) FROM Account")
	if n := child(t, q.Records[0], "Referred_Contacts__r"); n == nil || n.TotalSize != 1 {
		t.Errorf("lookup children: %+v", q.Records[0])
	}
	// Upsert by the new external id (an Email field).
	e.must(200, "PATCH", "sobjects/Contact/Alt_Email__c/ng@example.com", map[string]any{"Title": "CEO"})
}

// equalJSON compares a decoded JSON value with a wanted one.
func equalJSON(a, b any) bool { return string(jsonOf(a)) == string(jsonOf(b)) }

func TestToolingValidation(t *testing.T) {
	e := newEnv(t, Options{})
	if r := e.createField("Lead.Score__c", map[string]any{"type": "Number", "label": "Score", "precision": 3, "scale": 0}); r.status != 201 {
		t.Fatalf("create: %s", r.body)
	}
	text := func(extra map[string]any) map[string]any {
		m := map[string]any{"type": "Text", "label": "X", "length": 20}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name, full string
		md         map[string]any
		code, msg  string
	}{
		{"duplicate", "Lead.Score__c", text(nil), "DUPLICATE_DEVELOPER_NAME", "There is already a field named Score on Lead."},
		{"duplicate, other case", "lead.score__c", text(nil), "DUPLICATE_DEVELOPER_NAME", "There is already a field named score on Lead."},
		{"duplicate of an integration field", "Lead.Zoho_Lead_Id__c", text(nil), "DUPLICATE_DEVELOPER_NAME", "There is already a field named Zoho_Lead_Id on Lead."},
		{"bad type", "Lead.A__c", map[string]any{"type": "Blob", "label": "A"}, "FIELD_INTEGRITY_EXCEPTION", "type: bad value for restricted picklist field: Blob"},
		{"no type", "Lead.A__c", map[string]any{"label": "A"}, "REQUIRED_FIELD_MISSING", "[type]"},
		{"no label", "Lead.A__c", map[string]any{"type": "Date"}, "REQUIRED_FIELD_MISSING", "[label]"},
		{"no Metadata", "Lead.A__c", nil, "REQUIRED_FIELD_MISSING", "[Metadata]"},
		{"no FullName", "", text(nil), "REQUIRED_FIELD_MISSING", "[FullName]"},
		{"unknown object", "Nope.A__c", text(nil), "FIELD_INTEGRITY_EXCEPTION", "no such object"},
		{"no __c", "Lead.A", text(nil), "FIELD_INTEGRITY_EXCEPTION", "The Field Name can only contain underscores and alphanumeric characters"},
		{"leading digit", "Lead.1A__c", text(nil), "FIELD_INTEGRITY_EXCEPTION", "begin with a letter"},
		{"double underscore", "Lead.A__B__c", text(nil), "FIELD_INTEGRITY_EXCEPTION", "two consecutive underscores"},
		{"too long", "Lead." + strings.Repeat("a", 41) + "__c", text(nil), "FIELD_INTEGRITY_EXCEPTION", "max length=40"},
		{"Text without length", "Lead.A__c", map[string]any{"type": "Text", "label": "A"}, "FIELD_INTEGRITY_EXCEPTION", "length: required for a field of type Text"},
		{"Text too long", "Lead.A__c", text(map[string]any{"length": 256}), "FIELD_INTEGRITY_EXCEPTION", "1 to 255"},
		{"length not a number", "Lead.A__c", text(map[string]any{"length": "ten"}), "FIELD_INTEGRITY_EXCEPTION", "length: expected a whole number"},
		{"precision too high", "Lead.A__c", map[string]any{"type": "Number", "label": "A", "precision": 19, "scale": 0}, "FIELD_INTEGRITY_EXCEPTION", "precision"},
		{"Number without precision", "Lead.A__c", map[string]any{"type": "Currency", "label": "A"}, "FIELD_INTEGRITY_EXCEPTION", "precision: required"},
		{"long text without visibleLines", "Lead.A__c", map[string]any{"type": "LongTextArea", "label": "A", "length": 1000}, "FIELD_INTEGRITY_EXCEPTION", "visibleLines: required"},
		{"long text too short", "Lead.A__c", map[string]any{"type": "LongTextArea", "label": "A", "length": 100, "visibleLines": 3}, "FIELD_INTEGRITY_EXCEPTION", "256 to 131,072"},
		{"picklist without values", "Lead.A__c", map[string]any{"type": "Picklist", "label": "A"}, "FIELD_INTEGRITY_EXCEPTION", "valueSet: required"},
		{"picklist with a bad valueSet", "Lead.A__c", map[string]any{"type": "Picklist", "label": "A", "valueSet": map[string]any{"value": []string{"x"}}}, "FIELD_INTEGRITY_EXCEPTION", "valueSet: expected"},
		{"lookup to nothing", "Lead.A__c", map[string]any{"type": "Lookup", "label": "A", "referenceTo": "Nope", "relationshipName": "As"}, "FIELD_INTEGRITY_EXCEPTION", "referenceTo: no such object"},
		{"lookup without relationshipName", "Lead.A__c", map[string]any{"type": "Lookup", "label": "A", "referenceTo": "Account"}, "FIELD_INTEGRITY_EXCEPTION", "relationshipName: required"},
		{"external id on a date", "Lead.A__c", map[string]any{"type": "Date", "label": "A", "externalId": true}, "FIELD_INTEGRITY_EXCEPTION", "externalId: only Text, Number and Email"},
		{"unique checkbox", "Lead.A__c", map[string]any{"type": "Checkbox", "label": "A", "unique": true}, "FIELD_INTEGRITY_EXCEPTION", "unique: only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.createField(tc.full, tc.md)
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var errs []map[string]any
			r.json(t, &errs)
			if errs[0]["errorCode"] != tc.code || !strings.Contains(errs[0]["message"].(string), tc.msg) {
				t.Errorf("got %s", r.body)
			}
		})
	}
	e.must(400, "POST", "tooling/sobjects/CustomField", `[1]`)
	e.must(405, "GET", "tooling/sobjects/CustomField", nil)
	// Nothing was added by the failures.
	if out := e.toolingQuery("SELECT COUNT() FROM CustomField WHERE TableEnumOrId = 'Lead'"); out["totalSize"] != float64(2) {
		t.Errorf("Lead custom fields: %v", out["totalSize"])
	}
}
