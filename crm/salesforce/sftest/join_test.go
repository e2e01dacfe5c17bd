package sftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// nested is a parent-to-child subquery's value.
type nested struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

// child decodes the subquery value under key of a query record (nil for
// JSON null).
func child(t *testing.T, rec map[string]any, key string) *nested {
	t.Helper()
	v, ok := rec[key]
	if !ok {
		t.Fatalf("record has no %s: %v", key, rec)
	}
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	var n nested
	if err := json.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// names returns field f of every record.
func names(recs []map[string]any, f string) string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprint(r[f]))
	}
	return strings.Join(out, ",")
}

// queryErr runs a query that must fail with status 400 and returns the
// first error's code and message.
func (e *env) queryErr(soql string) (string, string) {
	e.t.Helper()
	r := e.must(400, "GET", "query?q="+urlEscape(soql), nil)
	var errs []map[string]any
	r.json(e.t, &errs)
	return errs[0]["errorCode"].(string), errs[0]["message"].(string)
}

func TestQueryParentToChildSubqueries(t *testing.T) {
	e := newEnv(t, Options{ChildBatchSize: 2})
	acme := e.create("Account", map[string]any{"Name": "Acme"})
	bare := e.create("Account", map[string]any{"Name": "Bare"})
	var contacts []string
	for _, n := range []string{"Yin", "Adams", "Mills"} {
		contacts = append(contacts, e.create("Contact", map[string]any{"LastName": n, "AccountId": acme}))
	}
	e.create("Opportunity", map[string]any{"Name": "Big deal", "StageName": "Prospecting", "CloseDate": "2026-03-01", "AccountId": acme})
	e.create("Case", map[string]any{"Subject": "Broken", "AccountId": acme, "ContactId": contacts[0]})
	e.create("Task", map[string]any{"Subject": "Call", "WhatId": acme, "WhoId": contacts[1]})
	camp := e.create("Campaign", map[string]any{"Name": "Launch"})
	lead := e.create("Lead", map[string]any{"LastName": "Lee", "Company": "Initech"})
	e.create("CampaignMember", map[string]any{"CampaignId": camp, "LeadId": lead})
	e.create("CampaignMember", map[string]any{"CampaignId": camp, "ContactId": contacts[2]})

	q := e.query("SELECT Id, Name, (SELECT LastName FROM Contacts ORDER BY LastName), (SELECT Name FROM Opportunities), " +
		"(SELECT Subject FROM Cases), (SELECT Subject FROM Tasks) FROM Account ORDER BY Name")
	if q.TotalSize != 2 || len(q.Records) != 2 {
		t.Fatalf("%+v", q)
	}
	a, b := q.Records[0], q.Records[1]
	cs := child(t, a, "Contacts")
	if cs == nil || cs.TotalSize != 3 || cs.Done || len(cs.Records) != 2 || names(cs.Records, "LastName") != "Adams,Mills" {
		t.Fatalf("Contacts %+v", cs)
	}
	if typ := cs.Records[0]["attributes"].(map[string]any)["type"]; typ != "Contact" {
		t.Errorf("child attributes type %v", typ)
	}
	// The rest of the children page through the nested locator.
	if !strings.HasPrefix(cs.NextRecordsURL, "/services/data/v62.0/query/01g") || !strings.HasSuffix(cs.NextRecordsURL, "-2") {
		t.Fatalf("nested nextRecordsUrl %q", cs.NextRecordsURL)
	}
	var more queryResult
	e.must(200, "GET", cs.NextRecordsURL, nil).json(t, &more)
	if more.TotalSize != 3 || !more.Done || names(more.Records, "LastName") != "Yin" {
		t.Errorf("next child page %+v", more)
	}
	for key, want := range map[string]string{"Opportunities": "Big deal", "Cases": "Broken", "Tasks": "Call"} {
		n := child(t, a, key)
		f := map[string]string{"Opportunities": "Name", "Cases": "Subject", "Tasks": "Subject"}[key]
		if n == nil || n.TotalSize != 1 || !n.Done || n.NextRecordsURL != "" || names(n.Records, f) != want {
			t.Errorf("%s: %+v", key, n)
		}
	}
	for _, key := range []string{"Contacts", "Opportunities", "Cases", "Tasks"} {
		if n := child(t, b, key); n != nil {
			t.Errorf("account without %s: %+v, want null", key, n)
		}
	}
	// Keys follow the SELECT order, subqueries included.
	raw := string(e.must(200, "GET", "query?q="+urlEscape("SELECT (SELECT LastName FROM Contacts WHERE LastName = 'Yin'), Name, Id FROM Account WHERE Name = 'Bare'"), nil).body)
	if !strings.Contains(raw, `"url":"/services/data/v62.0/sobjects/Account/`+bare+`"},"Contacts":null,"Name":"Bare","Id":"`+bare+`"}`) {
		t.Errorf("record shape %s", raw)
	}

	// WHERE, LIMIT, a parent field and a nested subquery inside the subquery.
	q = e.query("SELECT Name, (SELECT LastName, Account.Name, (SELECT Subject FROM Cases), (SELECT Subject FROM Tasks) FROM Contacts WHERE LastName != 'Mills' ORDER BY LastName DESC LIMIT 2) FROM Account WHERE Id = '" + acme + "'")
	cs = child(t, q.Records[0], "Contacts")
	if cs.TotalSize != 2 || names(cs.Records, "LastName") != "Yin,Adams" {
		t.Fatalf("filtered children %+v", cs)
	}
	if cs.Records[0]["Account"].(map[string]any)["Name"] != "Acme" {
		t.Errorf("parent field in a subquery: %v", cs.Records[0])
	}
	if n := child(t, cs.Records[0], "Cases"); n == nil || names(n.Records, "Subject") != "Broken" {
		t.Errorf("nested Cases %+v", n)
	}
	if n := child(t, cs.Records[1], "Tasks"); n == nil || names(n.Records, "Subject") != "Call" {
		t.Errorf("nested Tasks (WhoId) %+v", n)
	}
	if n := child(t, cs.Records[0], "Tasks"); n != nil {
		t.Errorf("Yin has no task: %+v", n)
	}

	// Campaign members from the campaign, the lead and the contact.
	q = e.query("SELECT Name, (SELECT LeadId, ContactId, Status FROM CampaignMembers ORDER BY CreatedDate) FROM Campaign")
	if n := child(t, q.Records[0], "CampaignMembers"); n == nil || n.TotalSize != 2 || n.Records[0]["LeadId"] != lead || n.Records[1]["Status"] != "Sent" {
		t.Errorf("CampaignMembers %+v", n)
	}
	q = e.query("SELECT Id, (SELECT CampaignId FROM CampaignMembers) FROM Lead")
	if n := child(t, q.Records[0], "CampaignMembers"); n == nil || n.Records[0]["CampaignId"] != camp {
		t.Errorf("lead's CampaignMembers %+v", n)
	}

	// A custom lookup's relationship is <Name>__r.
	if err := e.ts.AddField("Contact", Field{Name: "Referrer__c", Type: TypeReference, ReferenceTo: []string{"Account"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.ts.AddField("Opportunity", Field{Name: "Partner__c", Type: TypeReference, ReferenceTo: []string{"Account"}, ChildRelationship: "Partnered_Deals"}); err != nil {
		t.Fatal(err)
	}
	if err := e.ts.AddField("Case", Field{Name: "Other__c", Type: TypeReference, ReferenceTo: []string{"Account"}, ChildRelationship: "Partnered_Deals__r"}); err == nil {
		t.Error("a second Partnered_Deals__r on Account was accepted")
	}
	e.must(204, "PATCH", "sobjects/Contact/"+contacts[0], map[string]any{"Referrer__c": bare})
	q = e.query("SELECT Name, (SELECT LastName FROM Contacts__r), (SELECT Id FROM partnered_deals__r) FROM Account ORDER BY Name")
	if n := child(t, q.Records[1], "Contacts__r"); n == nil || names(n.Records, "LastName") != "Yin" {
		t.Errorf("custom relationship %+v", n)
	}
	if n := child(t, q.Records[0], "Partnered_Deals__r"); n != nil {
		t.Errorf("custom relationship, no children: %+v", n)
	}

	// Errors.
	rel := "Didn't understand relationship 'Contactz' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
	for _, tc := range []struct{ soql, code, msg string }{
		{"SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE", rel},
		{"SELECT Id, (SELECT Id FROM Leads) FROM Account", "INVALID_TYPE", "Didn't understand relationship 'Leads'"},
		{"SELECT Id, (SELECT Id FROM Referrer__c) FROM Account", "INVALID_TYPE", "Didn't understand relationship 'Referrer__c'"},
		{"SELECT Id, (SELECT Nope FROM Contacts) FROM Account", "INVALID_FIELD", "No such column 'Nope' on entity 'Contact'"},
		{"SELECT Id, (SELECT COUNT(Id) FROM Contacts) FROM Account", "MALFORMED_QUERY", "only root queries support aggregate expressions"},
	} {
		code, msg := e.queryErr(tc.soql)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %s %q", tc.soql, code, msg)
		}
	}
	// Nesting: one level up to v57.0, five from v58.0.
	nestedQ := "SELECT Id, (SELECT Id, (SELECT Id FROM Cases) FROM Contacts) FROM Account"
	e.ver = "v57.0"
	r := e.must(400, "GET", "query?q="+urlEscape(nestedQ), nil)
	if !strings.Contains(string(r.body), "cannot query aggregate relationships more than 1 level away from the root entity object") {
		t.Errorf("v57 nesting: %s", r.body)
	}
	e.must(200, "GET", "query?q="+urlEscape("SELECT Id, (SELECT Id FROM Contacts) FROM Account"), nil)
	e.ver = "v58.0"
	e.must(200, "GET", "query?q="+urlEscape(nestedQ), nil)
}

func TestSubqueryChildCursorsKeepTheParentCursor(t *testing.T) {
	e := newEnv(t, Options{ChildBatchSize: 1})
	ids := seedAccounts(e, 230)
	var recs []map[string]any
	for i := 0; i < 12; i++ {
		for j := 0; j < 2; j++ {
			recs = append(recs, map[string]any{"attributes": map[string]any{"type": "Contact"}, "LastName": fmt.Sprintf("C%d-%d", i, j), "AccountId": ids[i]})
		}
	}
	e.must(200, "POST", "composite/sobjects", map[string]any{"records": recs})
	q := e.query("SELECT Name, (SELECT LastName FROM Contacts) FROM Account ORDER BY Name", "Sforce-Query-Options", "batchSize=200")
	opened := 0
	for _, r := range q.Records {
		if n := child(t, r, "Contacts"); n != nil && !n.Done {
			opened++
		}
	}
	if opened != 12 || q.Done || q.NextRecordsURL == "" {
		t.Fatalf("%d child cursors, parent done %v", opened, q.Done)
	}
	var next queryResult
	e.must(200, "GET", q.NextRecordsURL, nil).json(t, &next)
	if len(next.Records) != 30 || !next.Done {
		t.Errorf("second parent page: %d records, done %v", len(next.Records), next.Done)
	}
}

func TestDescribeChildRelationships(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.ts.AddField("Contact", Field{Name: "Referrer__c", Type: TypeReference, ReferenceTo: []string{"Account"}}); err != nil {
		t.Fatal(err)
	}
	for _, obj := range e.ts.Objects() {
		var d struct {
			Children []struct {
				ChildSObject     string  `json:"childSObject"`
				Field            string  `json:"field"`
				RelationshipName *string `json:"relationshipName"`
			} `json:"childRelationships"`
		}
		e.must(200, "GET", "sobjects/"+obj+"/describe", nil).json(t, &d)
		seen := map[string]string{}
		got := map[string]string{}
		for _, c := range d.Children {
			if c.RelationshipName == nil {
				got[c.ChildSObject+"."+c.Field] = "null"
				continue
			}
			n := *c.RelationshipName
			got[c.ChildSObject+"."+c.Field] = n
			if prev, dup := seen[strings.ToLower(n)]; dup {
				t.Errorf("%s: relationship %s on both %s and %s.%s", obj, n, prev, c.ChildSObject, c.Field)
			}
			seen[strings.ToLower(n)] = c.ChildSObject + "." + c.Field
			// Every named relationship can be subqueried.
			e.must(http.StatusOK, "GET", "query?q="+urlEscape("SELECT Id, (SELECT Id FROM "+n+") FROM "+obj+" LIMIT 1"), nil)
		}
		want := map[string]map[string]string{
			"Account": {"Contact.AccountId": "Contacts", "Opportunity.AccountId": "Opportunities", "Case.AccountId": "Cases",
				"Task.WhatId": "Tasks", "Task.AccountId": "null", "Account.ParentId": "ChildAccounts", "Lead.ConvertedAccountId": "null",
				"Contact.Referrer__c": "Contacts__r"},
			"Contact":     {"Case.ContactId": "Cases", "Task.WhoId": "Tasks", "CampaignMember.ContactId": "CampaignMembers", "Contact.ReportsToId": "null"},
			"Lead":        {"Task.WhoId": "Tasks", "CampaignMember.LeadId": "CampaignMembers"},
			"Campaign":    {"CampaignMember.CampaignId": "CampaignMembers", "Opportunity.CampaignId": "Opportunities", "Campaign.ParentId": "ChildCampaigns"},
			"Opportunity": {"OpportunityHistory.OpportunityId": "OpportunityHistories", "Task.WhatId": "Tasks"},
		}[obj]
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s child %s: relationshipName %q, want %q", obj, k, got[k], v)
			}
		}
	}
}

func TestQuerySemiJoins(t *testing.T) {
	e := newEnv(t, Options{})
	won := e.create("Account", map[string]any{"Name": "Won"})
	lost := e.create("Account", map[string]any{"Name": "Lost"})
	none := e.create("Account", map[string]any{"Name": "None"})
	e.create("Opportunity", map[string]any{"Name": "W", "StageName": "Closed Won", "CloseDate": "2026-01-01", "AccountId": won})
	e.create("Opportunity", map[string]any{"Name": "L", "StageName": "Closed Lost", "CloseDate": "2026-01-01", "AccountId": lost})
	e.create("Opportunity", map[string]any{"Name": "Orphan", "StageName": "Prospecting", "CloseDate": "2026-01-01"})
	e.create("Contact", map[string]any{"LastName": "AtWon", "AccountId": won})
	e.create("Contact", map[string]any{"LastName": "AtNone", "AccountId": none})
	e.create("Contact", map[string]any{"LastName": "Nowhere"})

	for _, tc := range []struct{ soql, want string }{
		{"SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won')", "Won"},
		{"SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity) ORDER BY Name", "None"},
		{"SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity) AND Id IN (SELECT AccountId FROM Contact) ORDER BY Name", "Won"},
		{"SELECT Name FROM Account WHERE Name != 'Won' AND Id NOT IN (SELECT AccountId FROM Contact WHERE AccountId != null) ORDER BY Name", "Lost"},
		{"SELECT LastName FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE Name = 'Won' OR Name = 'None') ORDER BY LastName", "AtNone,AtWon"},
		{"SELECT LastName FROM Contact WHERE AccountId NOT IN (SELECT AccountId FROM Opportunity) ORDER BY LastName", "AtNone,Nowhere"},
		{"SELECT Name FROM Opportunity WHERE AccountId IN (SELECT Id FROM Account WHERE Name = 'Nobody')", ""},
	} {
		if got := names(e.query(tc.soql).Records, strings.Fields(strings.TrimPrefix(tc.soql, "SELECT "))[0]); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.soql, got, tc.want)
		}
	}
	if q := e.query("SELECT COUNT() FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity)"); q.TotalSize != 2 {
		t.Errorf("COUNT() with a semi-join: %d", q.TotalSize)
	}
	// A semi-join inside a parent-to-child subquery.
	q := e.query("SELECT Name, (SELECT LastName FROM Contacts WHERE AccountId IN (SELECT AccountId FROM Opportunity)) FROM Account ORDER BY Name")
	if n := child(t, q.Records[2], "Contacts"); q.Records[2]["Name"] != "Won" || n == nil || names(n.Records, "LastName") != "AtWon" {
		t.Errorf("semi-join in a subquery: %v", q.Records[2])
	}
	if n := child(t, q.Records[1], "Contacts"); n != nil {
		t.Errorf("None's contact passed the semi-join: %+v", n)
	}

	const w = "SELECT Id FROM Account WHERE "
	for _, tc := range []struct{ soql, msg string }{
		{w + "Id IN (SELECT Id FROM Account)", "The inner and outer selects should not be on the same object type"},
		{w + "Id IN (SELECT WhatId FROM Task)", "Entity 'Task' is not supported for semi join inner selects"},
		{w + "Id IN (SELECT Name FROM Contact)", "semi join sub selects can only query id fields, cannot use: 'Name'"},
		{w + "Name = 'x' OR Id IN (SELECT AccountId FROM Contact)", "Semi join sub-selects are not allowed with the 'OR' operator"},
		{w + "Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Opportunity))", "Nesting of semi join sub-selects is not supported"},
		{w + "Id IN (SELECT AccountId FROM Contact GROUP BY AccountId)", "missing value at 'GROUP'"},
	} {
		code, msg := e.queryErr(tc.soql)
		if code != "MALFORMED_QUERY" || !strings.Contains(msg, tc.msg) || !strings.Contains(msg, "ERROR at Row:1:Column:") {
			t.Errorf("%s: %s %q", tc.soql, code, msg)
		}
	}
}

func TestQueryAggregates(t *testing.T) {
	e := newEnv(t, Options{})
	acme := e.create("Account", map[string]any{"Name": "Acme", "NumberOfEmployees": 40})
	e.create("Account", map[string]any{"Name": "Globex", "NumberOfEmployees": 7})
	for _, o := range []struct {
		name, stage, close string
		amount             any
	}{
		{"a", "Closed Won", "2025-03-01", 100}, {"b", "Closed Won", "2026-02-10", 300.5}, {"c", "Prospecting", "2026-05-01", nil},
		{"d", "Prospecting", "2026-06-01", 50}, {"e", "Closed Lost", "2025-01-01", 10},
	} {
		f := map[string]any{"Name": o.name, "StageName": o.stage, "CloseDate": o.close, "Amount": o.amount}
		if o.name != "e" {
			f["AccountId"] = acme
		}
		e.create("Opportunity", f)
	}
	e.create("Lead", map[string]any{"LastName": "L1", "Company": "X", "LeadSource": "Web"})
	e.create("Lead", map[string]any{"LastName": "L2", "Company": "X", "LeadSource": "web"})
	e.create("Lead", map[string]any{"LastName": "L3", "Company": "Y"})

	raw := func(soql string) string {
		t.Helper()
		return string(e.must(200, "GET", "query?q="+urlEscape(soql), nil).body)
	}
	for _, tc := range []struct{ soql, want string }{
		{"SELECT COUNT(Id) FROM Lead",
			`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"expr0":3}]}`},
		{"SELECT LeadSource, COUNT(Id) n FROM Lead GROUP BY LeadSource ORDER BY LeadSource NULLS LAST",
			`{"totalSize":2,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"LeadSource":"Web","n":2},{"attributes":{"type":"AggregateResult"},"LeadSource":null,"n":1}]}`},
		{"SELECT StageName, COUNT(Id), COUNT(Amount), SUM(Amount) total, AVG(Amount), MIN(CloseDate), MAX(CloseDate) FROM Opportunity GROUP BY StageName ORDER BY COUNT(Id) DESC, StageName",
			`{"totalSize":3,"done":true,"records":[` +
				`{"attributes":{"type":"AggregateResult"},"StageName":"Closed Won","expr0":2,"expr1":2,"total":400.5,"expr2":200.25,"expr3":"2025-03-01","expr4":"2026-02-10"},` +
				`{"attributes":{"type":"AggregateResult"},"StageName":"Prospecting","expr0":2,"expr1":1,"total":50,"expr2":50,"expr3":"2026-05-01","expr4":"2026-06-01"},` +
				`{"attributes":{"type":"AggregateResult"},"StageName":"Closed Lost","expr0":1,"expr1":1,"total":10,"expr2":10,"expr3":"2025-01-01","expr4":"2025-01-01"}]}`},
		{"SELECT Account.Name, COUNT_DISTINCT(StageName) FROM Opportunity WHERE AccountId != null GROUP BY Account.Name",
			`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"Name":"Acme","expr0":2}]}`},
		{"SELECT CALENDAR_YEAR(CloseDate) year, SUM(Amount) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate) HAVING SUM(Amount) > 200 ORDER BY CALENDAR_YEAR(CloseDate)",
			`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"year":2026,"expr0":350.5}]}`},
		{"SELECT MAX(NumberOfEmployees), MIN(Name), SUM(NumberOfEmployees) FROM Account",
			`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"expr0":40,"expr1":"Acme","expr2":47}]}`},
		{"SELECT SUM(Amount), MAX(CreatedDate) FROM Opportunity WHERE Name = 'nobody'",
			`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"expr0":null,"expr1":null}]}`},
		{"SELECT StageName, COUNT(Id) FROM Opportunity WHERE Name = 'nobody' GROUP BY StageName",
			`{"totalSize":0,"done":true,"records":[]}`},
		{"SELECT StageName FROM Opportunity GROUP BY StageName ORDER BY StageName LIMIT 1 OFFSET 1",
			`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"StageName":"Closed Won"}]}`},
	} {
		if got := raw(tc.soql); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.soql, got, tc.want)
		}
	}
	// MAX of a datetime renders like the field.
	if got := raw("SELECT MAX(CreatedDate) m FROM Opportunity"); !strings.Contains(got, `"m":"20`) || !strings.Contains(got, `+0000"`) || !strings.Contains(got, `T`) {
		t.Errorf("MAX(CreatedDate): %s", got)
	}
	// COUNT() is unchanged: totalSize and no records.
	if q := e.query("SELECT COUNT() FROM Opportunity WHERE StageName = 'Prospecting'"); q.TotalSize != 2 || len(q.Records) != 0 {
		t.Errorf("COUNT(): %+v", q)
	}
	for _, tc := range []struct{ soql, code, msg string }{
		{"SELECT StageName, COUNT(Id) FROM Opportunity", "MALFORMED_QUERY", "Field must be grouped or aggregated: StageName"},
		{"SELECT Name n FROM Opportunity", "MALFORMED_QUERY", "only aggregate expressions use field aliasing"},
		{"SELECT Description, COUNT(Id) FROM Opportunity GROUP BY Description", "MALFORMED_QUERY", "field 'Description' can not be grouped in a query call"},
		{"SELECT Amount, COUNT(Id) FROM Opportunity GROUP BY Amount", "MALFORMED_QUERY", "field 'Amount' can not be grouped in a query call"},
		{"SELECT SUM(Name) FROM Opportunity", "MALFORMED_QUERY", "field Name does not support aggregate operator SUM"},
		{"SELECT COUNT(IsWon) FROM Opportunity", "MALFORMED_QUERY", "field IsWon does not support aggregate operator COUNT"},
		{"SELECT MAX(Nope) FROM Opportunity", "INVALID_FIELD", "No such column 'Nope' on entity 'Opportunity'"},
	} {
		code, msg := e.queryErr(tc.soql)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %s %q", tc.soql, code, msg)
		}
	}
	// Bulk 2.0 query jobs refuse aggregates and subqueries.
	for _, soql := range []string{"SELECT COUNT(Id) FROM Lead", "SELECT Id, (SELECT Id FROM Contacts) FROM Account"} {
		r := e.must(400, "POST", "jobs/query", map[string]any{"operation": "query", "query": soql})
		if r.errCode(t) != "INVALIDJOB" {
			t.Errorf("bulk %s: %s", soql, r.body)
		}
	}
}

func TestAggregateQueryHasNoLocator(t *testing.T) {
	e := newEnv(t, Options{})
	seedAccounts(e, 2001)
	code, msg := e.queryErr("SELECT Name, COUNT(Id) FROM Account GROUP BY Name")
	if code != "EXCEEDED_ID_LIMIT" || msg != "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch" {
		t.Errorf("%s %q", code, msg)
	}
	if q := e.query("SELECT Name, COUNT(Id) FROM Account GROUP BY Name LIMIT 2000"); q.TotalSize != 2000 || !q.Done || q.NextRecordsURL != "" {
		t.Errorf("LIMIT 2000: %d rows, done %v", q.TotalSize, q.Done)
	}
}
