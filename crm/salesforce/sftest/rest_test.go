package sftest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestVersionsResourcesLimits(t *testing.T) {
	e := newEnv(t, Options{DailyAPILimit: 5})
	var vers []map[string]string
	r := e.must(200, "GET", "/services/data/", nil)
	r.json(t, &vers)
	last := vers[len(vers)-1]
	if last["version"] != "62.0" || last["url"] != "/services/data/v62.0" || last["label"] != "Winter '25" || vers[0]["version"] != "20.0" {
		t.Fatalf("versions: first %v last %v", vers[0], last)
	}
	if r.header.Get("Sforce-Limit-Info") != "" {
		t.Error("versions URL carries Sforce-Limit-Info")
	}
	var res map[string]string
	e.must(200, "GET", "", nil).json(t, &res)
	if res["query"] != "/services/data/v62.0/query" || res["sobjects"] == "" || res["jobs"] == "" {
		t.Fatalf("resources %v", res)
	}
	var lim map[string]map[string]int
	r = e.must(200, "GET", "limits", nil)
	r.json(t, &lim)
	if lim["DailyApiRequests"]["Max"] != 5 || lim["DailyApiRequests"]["Remaining"] != 3 {
		t.Fatalf("limits %v", lim["DailyApiRequests"])
	}
	if got := r.header.Get("Sforce-Limit-Info"); got != "api-usage=2/5" {
		t.Fatalf("Sforce-Limit-Info %q", got)
	}
	e.must(200, "GET", "limits", nil)
	e.must(200, "GET", "limits", nil)
	e.must(200, "GET", "limits", nil)
	r = e.must(403, "GET", "limits", nil)
	if r.errCode(t) != "REQUEST_LIMIT_EXCEEDED" {
		t.Fatal(string(r.body))
	}
	e.must(404, "GET", "/services/data/v99.0/limits", nil)
}

func TestDescribe(t *testing.T) {
	e := newEnv(t, Options{})
	var g struct {
		Encoding     string           `json:"encoding"`
		MaxBatchSize int              `json:"maxBatchSize"`
		SObjects     []map[string]any `json:"sobjects"`
	}
	e.must(200, "GET", "sobjects", nil).json(t, &g)
	prefixes := map[string]string{}
	for _, o := range g.SObjects {
		prefixes[o["name"].(string)] = o["keyPrefix"].(string)
	}
	want := map[string]string{"Account": "001", "Contact": "003", "Lead": "00Q", "Opportunity": "006",
		"OpportunityHistory": "008", "Case": "500", "Task": "00T", "Campaign": "701", "CampaignMember": "00v", "User": "005"}
	for n, p := range want {
		if prefixes[n] != p {
			t.Errorf("%s prefix %q, want %q", n, prefixes[n], p)
		}
	}
	if g.Encoding != "UTF-8" || g.MaxBatchSize != 200 {
		t.Errorf("global %v %v", g.Encoding, g.MaxBatchSize)
	}
	var d struct {
		Name   string           `json:"name"`
		Fields []map[string]any `json:"fields"`
	}
	e.must(200, "GET", "sobjects/lead/describe", nil).json(t, &d)
	fields := map[string]map[string]any{}
	for _, f := range d.Fields {
		fields[f["name"].(string)] = f
	}
	if d.Name != "Lead" {
		t.Fatal(d.Name)
	}
	for _, tc := range []struct {
		field, key string
		want       any
	}{
		{"Id", "type", "id"}, {"Id", "length", 18.0}, {"Id", "createable", false}, {"Id", "idLookup", true},
		{"LastName", "nillable", false}, {"LastName", "length", 80.0}, {"Company", "createable", true},
		{"Status", "defaultedOnCreate", true}, {"Status", "nillable", false}, {"Status", "restrictedPicklist", true},
		{"Email", "type", "email"}, {"Email", "idLookup", true}, {"Zoho_Lead_Id__c", "externalId", true},
		{"Zoho_Lead_Id__c", "unique", true}, {"Zoho_Lead_Id__c", "custom", true}, {"IsConverted", "updateable", false},
		{"OwnerId", "relationshipName", "Owner"}, {"SystemModstamp", "type", "datetime"}, {"Name", "calculated", true},
		{"AnnualRevenue", "soapType", "xsd:double"}, {"IsDeleted", "type", "boolean"},
	} {
		if got := fields[tc.field][tc.key]; got != tc.want {
			t.Errorf("Lead.%s.%s = %v, want %v", tc.field, tc.key, got, tc.want)
		}
	}
	pv := fields["Status"]["picklistValues"].([]any)[0].(map[string]any)
	if pv["value"] != "Open - Not Contacted" || pv["defaultValue"] != true || pv["active"] != true || pv["label"] != "Open - Not Contacted" {
		t.Errorf("picklist %v", pv)
	}
	if ref := fields["OwnerId"]["referenceTo"].([]any); len(ref) != 2 {
		t.Errorf("OwnerId referenceTo %v", ref)
	}
	var acct struct{ Fields []map[string]any }
	e.must(200, "GET", "sobjects/Account/describe", nil).json(t, &acct)
	names := ""
	for _, f := range acct.Fields {
		names += f["name"].(string) + ","
	}
	for _, n := range []string{"Zoho_Account_Id__c", "Open_Tickets__c", "Lifetime_Won__c", "BillingCity"} {
		if !strings.Contains(names, n+",") {
			t.Errorf("Account has no %s", n)
		}
	}
	if e.must(404, "GET", "sobjects/Foo/describe", nil).errCode(t) != "NOT_FOUND" {
		t.Error("unknown object")
	}
	if e.must(405, "POST", "sobjects/Account/describe", map[string]any{}).errCode(t) != "METHOD_NOT_ALLOWED" {
		t.Error("405")
	}
	if err := e.ts.AddField("Account", Field{Name: "Region__c", Type: TypePicklist, RestrictedPicklist: true,
		PicklistValues: []PicklistValue{{Value: "EMEA", Active: true}, {Value: "AMER", Active: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.ts.AddField("Account", Field{Name: "Region__c", Type: TypeString}); err == nil {
		t.Error("duplicate field accepted")
	}
	e.must(200, "GET", "sobjects/Account/describe", nil).json(t, &acct)
	if f := acct.Fields[len(acct.Fields)-1]; f["name"] != "Region__c" || f["custom"] != true || f["nillable"] != true {
		t.Errorf("added field %v", f)
	}
	id := e.create("Account", map[string]any{"Name": "Drift", "Region__c": "EMEA"})
	if q := e.query("SELECT Region__c FROM Account WHERE Region__c = 'EMEA'"); q.TotalSize != 1 || q.Records[0]["Region__c"] != "EMEA" {
		t.Errorf("query custom field: %+v", q)
	}
	r := e.must(400, "PATCH", "sobjects/Account/"+id, map[string]any{"Region__c": "APAC"})
	if r.errCode(t) != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" {
		t.Error(string(r.body))
	}
}

var stampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`)

func TestRecordLifecycle(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.must(201, "POST", "sobjects/Account/", map[string]any{"Name": "Acme", "Zoho_Account_Id__c": "ZA-1", "NumberOfEmployees": 12})
	var cr map[string]any
	r.json(t, &cr)
	id := cr["id"].(string)
	if cr["success"] != true || len(cr["errors"].([]any)) != 0 || len(id) != 18 || !strings.HasPrefix(id, "001") || IDSuffix(id[:15]) != id[15:] {
		t.Fatalf("create: %s", r.body)
	}
	var rec map[string]any
	e.must(200, "GET", "sobjects/Account/"+id, nil).json(t, &rec)
	attrs := rec["attributes"].(map[string]any)
	if attrs["type"] != "Account" || attrs["url"] != "/services/data/v62.0/sobjects/Account/"+id || rec["Id"] != id {
		t.Fatalf("attributes %v", rec)
	}
	if rec["NumberOfEmployees"] != 12.0 || rec["IsDeleted"] != false || rec["OwnerId"] != e.ts.userID() {
		t.Errorf("fields %v", rec)
	}
	for _, k := range []string{"CreatedDate", "LastModifiedDate", "SystemModstamp"} {
		if s, _ := rec[k].(string); !stampRE.MatchString(s) {
			t.Errorf("%s = %v", k, rec[k])
		}
	}
	stamp := rec["SystemModstamp"].(string)
	rec = nil
	e.must(200, "GET", "sobjects/Account/"+id[:15]+"?fields=Name,Zoho_Account_Id__c", nil).json(t, &rec)
	if len(rec) != 4 || rec["Name"] != "Acme" || rec["Id"] != id {
		t.Errorf("?fields: %v", rec)
	}
	r = e.must(204, "PATCH", "sobjects/Account/"+id, map[string]any{"Name": "Acme Corp", "Phone": nil})
	if len(r.body) != 0 {
		t.Errorf("204 with body %s", r.body)
	}
	// POST ?_HttpMethod=PATCH is an update too.
	e.must(204, "POST", "sobjects/Account/"+id+"?_HttpMethod=PATCH", map[string]any{"Website": "acme.example"})
	e.must(200, "GET", "sobjects/Account/"+id, nil).json(t, &rec)
	if rec["Name"] != "Acme Corp" || rec["Website"] != "acme.example" || rec["SystemModstamp"].(string) <= stamp {
		t.Errorf("after update %v (stamp was %s)", rec, stamp)
	}
	e.must(204, "DELETE", "sobjects/Account/"+id, nil)
	for _, m := range []string{"GET", "DELETE"} {
		r = e.must(404, m, "sobjects/Account/"+id, nil)
		if r.errCode(t) != "ENTITY_IS_DELETED" || !strings.Contains(string(r.body), `"fields":[]`) {
			t.Errorf("%s deleted: %s", m, r.body)
		}
	}
	e.must(404, "PATCH", "sobjects/Account/"+id, map[string]any{"Name": "x"})
	if got := e.ts.Records("Account"); len(got) != 0 {
		t.Errorf("Records after delete: %v", got)
	}
}

func TestWriteErrors(t *testing.T) {
	e := newEnv(t, Options{})
	acct := e.create("Account", map[string]any{"Name": "Acme", "Zoho_Account_Id__c": "ZA-1"})
	contact := e.create("Contact", map[string]any{"LastName": "Ng", "AccountId": acct})
	long := strings.Repeat("x", 81)
	for _, tc := range []struct {
		name, method, path string
		body               any
		ct                 string
		status             int
		code, field        string
	}{
		{"required", "POST", "sobjects/Lead", map[string]any{"FirstName": "A"}, "", 400, "REQUIRED_FIELD_MISSING", "LastName"},
		{"required opportunity", "POST", "sobjects/Opportunity", map[string]any{"Name": "D"}, "", 400, "REQUIRED_FIELD_MISSING", "StageName"},
		{"restricted picklist", "POST", "sobjects/Lead", map[string]any{"LastName": "A", "Company": "C", "Status": "Bogus"}, "", 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Status"},
		{"too long", "POST", "sobjects/Contact", map[string]any{"LastName": long}, "", 400, "STRING_TOO_LONG", "LastName"},
		{"email", "POST", "sobjects/Contact", map[string]any{"LastName": "A", "Email": "not-an-email"}, "", 400, "INVALID_EMAIL_ADDRESS", "Email"},
		{"duplicate ext id", "POST", "sobjects/Account", map[string]any{"Name": "B", "Zoho_Account_Id__c": "za-1"}, "", 400, "DUPLICATE_VALUE", ""},
		{"read-only", "POST", "sobjects/Opportunity", map[string]any{"Name": "D", "StageName": "Prospecting", "CloseDate": "2026-01-01", "IsWon": true}, "", 400, "INVALID_FIELD_FOR_INSERT_UPDATE", "IsWon"},
		{"read-only on update", "PATCH", "sobjects/Contact/" + contact, map[string]any{"CreatedDate": "2020-01-01T00:00:00Z"}, "", 400, "INVALID_FIELD_FOR_INSERT_UPDATE", "CreatedDate"},
		{"unknown field", "POST", "sobjects/Account", map[string]any{"Name": "A", "Foo__c": 1}, "", 400, "INVALID_FIELD", ""},
		{"id in body", "POST", "sobjects/Account", map[string]any{"Name": "A", "Id": acct}, "", 400, "INVALID_FIELD", ""},
		{"wrong type", "POST", "sobjects/Account", map[string]any{"Name": "A", "NumberOfEmployees": "many"}, "", 400, "JSON_PARSER_ERROR", ""},
		{"bad json", "POST", "sobjects/Account", `{"Name": `, "", 400, "JSON_PARSER_ERROR", ""},
		{"array body", "POST", "sobjects/Account", `[]`, "", 400, "JSON_PARSER_ERROR", ""},
		{"wrong content type", "POST", "sobjects/Account", `Name=A`, "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"lookup wrong type", "POST", "sobjects/Contact", map[string]any{"LastName": "A", "AccountId": contact}, "", 400, "MALFORMED_ID", "AccountId"},
		{"lookup missing", "POST", "sobjects/Contact", map[string]any{"LastName": "A", "AccountId": makeID("001", 999)}, "", 400, "INVALID_CROSS_REFERENCE_KEY", "AccountId"},
		{"malformed id", "GET", "sobjects/Account/001xyz", nil, "", 400, "MALFORMED_ID", ""},
		{"bad checksum", "GET", "sobjects/Account/" + acct[:15] + "BAA", nil, "", 400, "MALFORMED_ID", ""},
		{"id of other object", "GET", "sobjects/Account/" + contact, nil, "", 400, "MALFORMED_ID", ""},
		{"unknown id", "GET", "sobjects/Account/" + makeID("001", 999), nil, "", 404, "NOT_FOUND", ""},
		{"unknown object", "POST", "sobjects/Foo", map[string]any{"Name": "A"}, "", 404, "NOT_FOUND", ""},
		{"read-only object", "POST", "sobjects/OpportunityHistory", map[string]any{"StageName": "Prospecting"}, "", 400, "INVALID_TYPE_FOR_OPERATION", ""},
		{"bad ?fields", "GET", "sobjects/Account/" + acct + "?fields=Nope", nil, "", 400, "INVALID_FIELD", ""},
		{"method", "PUT", "sobjects/Account/" + acct, map[string]any{}, "", 405, "METHOD_NOT_ALLOWED", ""},
		{"unknown resource", "GET", "nothing/here", nil, "", 404, "NOT_FOUND", ""},
		{"uri too long", "GET", "query?q=" + strings.Repeat("a", 17000), nil, "", 414, "URI_TOO_LONG", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.ct != "" {
				hdr = []string{"Content-Type", tc.ct}
			}
			r := e.do(tc.method, tc.path, tc.body, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			var errs []apiError
			r.json(t, &errs)
			if errs[0].ErrorCode != tc.code || errs[0].Message == "" {
				t.Fatalf("got %s, want %s", r.body, tc.code)
			}
			if tc.field != "" && (len(errs[0].Fields) == 0 || errs[0].Fields[0] != tc.field) {
				t.Fatalf("fields %v, want %s", errs[0].Fields, tc.field)
			}
		})
	}
	r := e.do("GET", "sobjects/Account/"+acct, nil, "X-Big", strings.Repeat("h", 40000))
	if r.status != 431 {
		t.Errorf("big header: %d", r.status)
	}
	if got := len(e.ts.Records("Account")); got != 1 {
		t.Errorf("failed writes left %d accounts", got)
	}
}

func TestUpsertByExternalID(t *testing.T) {
	e := newEnv(t, Options{})
	path := "sobjects/Account/Zoho_Account_Id__c/ZA-7"
	var out map[string]any
	e.must(201, "PATCH", path, map[string]any{"Name": "Seven"}).json(t, &out)
	if out["created"] != true || out["success"] != true {
		t.Fatalf("create: %v", out)
	}
	id := out["id"].(string)
	e.must(200, "PATCH", path, map[string]any{"Name": "Seven Inc"}).json(t, &out)
	if out["created"] != false || out["id"] != id {
		t.Fatalf("update: %v", out)
	}
	// Before v46 an update answers 204 without a body.
	e.ver = "v45.0"
	if r := e.must(204, "PATCH", "sobjects/Account/zoho_account_id__c/za-7", map[string]any{"Phone": "1"}); len(r.body) != 0 {
		t.Errorf("204 body %s", r.body)
	}
	e.ver = "v62.0"
	var rec map[string]any
	e.must(200, "GET", path, nil).json(t, &rec)
	if rec["Name"] != "Seven Inc" || rec["Phone"] != "1" || rec["Id"] != id {
		t.Errorf("by ext id: %v", rec)
	}
	if e.must(404, "PATCH", "sobjects/Account/Name/x", map[string]any{"Name": "x"}).errCode(t) != "NOT_FOUND" {
		t.Error("non-external field")
	}
	e.must(400, "PATCH", path, map[string]any{"Zoho_Account_Id__c": "other"})
	// A non-unique external id with two matches answers 300.
	if err := e.ts.AddField("Account", Field{Name: "Legacy_Id__c", Type: TypeString, ExternalID: true}); err != nil {
		t.Fatal(err)
	}
	e.create("Account", map[string]any{"Name": "A", "Legacy_Id__c": "L1"})
	e.create("Account", map[string]any{"Name": "B", "Legacy_Id__c": "L1"})
	var urls []string
	e.must(300, "PATCH", "sobjects/Account/Legacy_Id__c/L1", map[string]any{"Name": "C"}).json(t, &urls)
	if len(urls) != 2 || !strings.HasPrefix(urls[0], "/services/data/v62.0/sobjects/Account/001") {
		t.Errorf("300 body %v", urls)
	}
	// POST /sobjects/{type}/Id creates.
	e.must(201, "POST", "sobjects/Account/Id", map[string]any{"Name": "Via Id"})
	e.must(204, "DELETE", path, nil)
	e.must(404, "GET", path, nil)
}

func TestOpportunityHistoryAndDerivedFields(t *testing.T) {
	e := newEnv(t, Options{})
	opp := e.create("Opportunity", map[string]any{"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-03-01", "Amount": 1000})
	var rec map[string]any
	e.must(200, "GET", "sobjects/Opportunity/"+opp, nil).json(t, &rec)
	if rec["Probability"] != 10.0 || rec["ForecastCategoryName"] != "Pipeline" || rec["IsClosed"] != false || rec["ExpectedRevenue"] != 100.0 {
		t.Errorf("derived %v", rec)
	}
	e.must(204, "PATCH", "sobjects/Opportunity/"+opp, map[string]any{"Description": "no history"})
	e.must(204, "PATCH", "sobjects/Opportunity/"+opp, map[string]any{"StageName": "Closed Won", "Amount": 1500})
	e.must(200, "GET", "sobjects/Opportunity/"+opp, nil).json(t, &rec)
	if rec["IsWon"] != true || rec["IsClosed"] != true || rec["Probability"] != 100.0 {
		t.Errorf("won %v", rec)
	}
	q := e.query(fmt.Sprintf("SELECT Id, StageName, Amount, PrevAmount, CreatedDate FROM OpportunityHistory WHERE OpportunityId = '%s' ORDER BY CreatedDate", opp))
	if q.TotalSize != 2 || q.Records[0]["StageName"] != "Prospecting" || q.Records[1]["StageName"] != "Closed Won" || q.Records[1]["PrevAmount"] != 1000.0 {
		t.Fatalf("history %+v", q.Records)
	}
	hid := q.Records[0]["Id"].(string)
	if !strings.HasPrefix(hid, "008") {
		t.Errorf("history id %s", hid)
	}
	e.must(400, "PATCH", "sobjects/OpportunityHistory/"+hid, map[string]any{"StageName": "Qualification"})
	e.must(400, "DELETE", "sobjects/OpportunityHistory/"+hid, nil)
	lead := e.create("Lead", map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Company": "AE"})
	e.must(200, "GET", "sobjects/Lead/"+lead, nil).json(t, &rec)
	if rec["Name"] != "Ada Lovelace" || rec["Status"] != "Open - Not Contacted" || rec["IsConverted"] != false {
		t.Errorf("lead %v", rec)
	}
	cs := e.create("Case", map[string]any{"Subject": "Broken"})
	e.must(200, "GET", "sobjects/Case/"+cs, nil).json(t, &rec)
	if rec["Status"] != "New" || rec["Priority"] != "Medium" || rec["CaseNumber"] == nil || !strings.HasPrefix(cs, "500") {
		t.Errorf("case %v", rec)
	}
	task := e.create("Task", map[string]any{"Subject": "Call", "WhoId": lead})
	e.must(200, "GET", "sobjects/Task/"+task, nil).json(t, &rec)
	if rec["Status"] != "Not Started" || rec["Priority"] != "Normal" || !strings.HasPrefix(task, "00T") {
		t.Errorf("task %v", rec)
	}
	camp := e.create("Campaign", map[string]any{"Name": "Spring"})
	e.create("CampaignMember", map[string]any{"CampaignId": camp, "LeadId": lead})
	r := e.must(400, "POST", "sobjects/CampaignMember", map[string]any{"CampaignId": camp, "LeadId": lead})
	if r.errCode(t) != "DUPLICATE_VALUE" {
		t.Error(string(r.body))
	}
	if e.must(400, "POST", "sobjects/CampaignMember", map[string]any{"CampaignId": camp}).errCode(t) != "REQUIRED_FIELD_MISSING" {
		t.Error("member without person")
	}
}
