package soql

import (
	"strings"
	"testing"
)

func TestParseRoundTripSubqueriesAndAggregates(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT Id, (SELECT Id, LastName FROM Contacts WHERE Email != null ORDER BY LastName LIMIT 50) FROM Account", ""},
		{"select id, (select id, (select id from tasks) from contacts), (select name from opportunities) from account",
			"SELECT id, (SELECT id, (SELECT id FROM tasks) FROM contacts), (SELECT name FROM opportunities) FROM account"},
		{"SELECT LeadSource, COUNT(Id) n FROM Lead GROUP BY LeadSource HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC LIMIT 10", ""},
		{"select count_distinct(email), sum(amount), avg(amount) total, min(closedate), max(closedate) from Opportunity",
			"SELECT COUNT_DISTINCT(email), SUM(amount), AVG(amount) total, MIN(closedate), MAX(closedate) FROM Opportunity"},
		{"SELECT CALENDAR_YEAR(CloseDate), SUM(Amount) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate) ORDER BY CALENDAR_YEAR(CloseDate) DESC", ""},
		{"SELECT COUNT(Id) FROM Lead", ""},
		{"SELECT StageName, Count(Id) FROM Opportunity GROUP BY StageName HAVING StageName != 'x' AND (MAX(Amount) > 5 OR NOT MIN(Amount) < 1)",
			"SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName HAVING StageName != 'x' AND (MAX(Amount) > 5 OR NOT MIN(Amount) < 1)"},
		{"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won') AND Id NOT IN (SELECT AccountId FROM Contact)", ""},
		{"SELECT Id FROM Account WHERE Id not in (select AccountId from Contact where AccountId != null)",
			"SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact WHERE AccountId != null)"},
		{"SELECT Id FROM Contact WHERE CALENDAR_YEAR(CreatedDate) = 2024 AND DAY_ONLY(CreatedDate) > 2024-01-01", ""},
		{"SELECT Id, Name n FROM Contact", ""},
		{"SELECT Id FROM Contact WHERE Id IN ('003000000000001AAA') AND AccountId IN (SELECT Id FROM Account)", ""},
	}
	for _, tt := range tests {
		roundTrip(t, tt.in, tt.want)
	}
}

func TestParseItems(t *testing.T) {
	q, err := Parse("SELECT Name, COUNT(Id) total, MAX(Amount), (SELECT Id FROM Tasks) FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity)")
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Items) != 4 || q.Fields[0] != "Name" || len(q.Fields) != 1 {
		t.Fatalf("items %+v fields %v", q.Items, q.Fields)
	}
	want := []struct {
		kind                  ItemKind
		fn, field, alias, key string
	}{
		{ItemField, "", "Name", "", "Name"},
		{ItemFunc, "COUNT", "Id", "total", "COUNT(Id)"},
		{ItemFunc, "MAX", "Amount", "", "MAX(Amount)"},
		{ItemSubquery, "", "", "", "Tasks"},
	}
	for i, w := range want {
		it := q.Items[i]
		if it.Kind != w.kind || it.Func != w.fn || it.Field != w.field || it.Alias != w.alias || it.Key() != w.key {
			t.Errorf("item %d = %+v (key %s), want %+v", i, it, it.Key(), w)
		}
	}
	if sub := q.Items[3].Sub; sub.Object != "Tasks" || sub.Fields[0] != "Id" {
		t.Errorf("subquery %+v", sub)
	}
	c := q.Where.(*Condition)
	if c.Sub == nil || c.Op != "IN" || c.Sub.Object != "Opportunity" || len(c.Values) != 0 {
		t.Errorf("semi-join %+v", c)
	}
}

func TestCheckSubqueries(t *testing.T) {
	q, e := checkErr(t, testSchema, "select id, (select lastname, account.name from CONTACTS where email != null order by lastname), (SELECT Id, (SELECT Subject FROM tasks) FROM Opportunities) FROM account")
	if e != nil {
		t.Fatal(e)
	}
	want := "SELECT Id, (SELECT LastName, Account.Name FROM Contacts WHERE Email != null ORDER BY LastName), (SELECT Id, (SELECT Subject FROM Tasks) FROM Opportunities) FROM Account"
	if got := q.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	sub := q.Items[1].Sub
	if sub.Relationship != "Contacts" || sub.Object != "Contact" || sub.JoinField != "AccountId" {
		t.Errorf("subquery bound to %q %q %q", sub.Relationship, sub.Object, sub.JoinField)
	}
	if tasks := q.Items[2].Sub.Items[1].Sub; tasks.Object != "Task" || tasks.JoinField != "WhatId" {
		t.Errorf("nested subquery bound to %q %q", tasks.Object, tasks.JoinField)
	}
	if len(q.Fields) != 1 || q.Fields[0] != "Id" {
		t.Errorf("root fields %v", q.Fields)
	}

	const relErr = "Didn't understand relationship 'Contactz' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
	chain := func(n int) string { // n nested Children__r subqueries under Contact
		s := "SELECT Id FROM Children__r"
		for i := 1; i < n; i++ {
			s = "SELECT Id, (" + s + ") FROM Children__r"
		}
		return "SELECT Id, (" + s + ") FROM Contact"
	}
	tests := []struct {
		schema       Schema
		q            string
		code, reason string
		col          int
	}{
		{testSchema, "SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE", relErr, 28},
		{fieldsOnly{testSchema}, "SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE", relErr, 28},
		{testSchema, "SELECT Id, (SELECT Id FROM Contacts) FROM Contact", "INVALID_TYPE", "Didn't understand relationship 'Contacts' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", 28},
		{testSchema, "SELECT Id, (SELECT Foo FROM Contacts) FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", 20},
		{testSchema, "SELECT Id, (SELECT Id FROM Contacts WHERE Birthdate = 'x') FROM Account", "INVALID_FIELD", "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes", 55},
		{testSchema, "SELECT Id, (SELECT COUNT(Id) FROM Contacts) FROM Account", "MALFORMED_QUERY", "only root queries support aggregate expressions", 20},
		{testSchema, "SELECT Id, (SELECT COUNT() FROM Contacts) FROM Account", "MALFORMED_QUERY", "only root queries support aggregate expressions", 33},
		{testSchema, "SELECT Id, (SELECT LastName FROM Contacts GROUP BY LastName) FROM Account", "MALFORMED_QUERY", "only root queries support aggregate expressions", 52},
		{testSchema, "SELECT Id, (SELECT Id FROM Contacts), (SELECT Id FROM contacts) FROM Account", "INVALID_FIELD", "duplicate field selected: Contacts", 39},
		{testSchema, "SELECT Name, COUNT(Id), (SELECT Id FROM Contacts) FROM Account GROUP BY Name", "MALFORMED_QUERY", "Field must be grouped or aggregated: Contacts", 25},
		{depth1{testSchema}, "SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Contacts) FROM Account", "MALFORMED_QUERY", "SOQL statements cannot query aggregate relationships more than 1 level away from the root entity object.", 24},
		{depth1{testSchema}, "SELECT Id, (SELECT Id FROM Contacts) FROM Account", "", "", 0},
		{testSchema, chain(5), "", "", 0},
		{testSchema, chain(6), "MALFORMED_QUERY", "SOQL statements cannot query aggregate relationships more than 5 levels away from the root entity object.", 0},
		{deep{testSchema}, chain(20), "", "", 0},
		{deep{testSchema}, chain(21), "MALFORMED_QUERY", "SOQL statements cannot query more than 20 aggregate relationships", 0},
	}
	for _, tt := range tests {
		wantCheck(t, tt.schema, tt.q, tt.code, tt.reason, tt.col)
	}
}

// deep is testSchema with unlimited subquery nesting.
type deep struct{ schema }

func (deep) SubqueryDepth() int { return 100 }

func TestCheckSemiJoins(t *testing.T) {
	q, e := checkErr(t, testSchema, "select id from account where id in (select accountid from opportunity where stagename = 'Closed Won') and ID not in (select ACCOUNTID from contact)")
	if e != nil {
		t.Fatal(e)
	}
	want := "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won') AND Id NOT IN (SELECT AccountId FROM Contact)"
	if got := q.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	and := q.Where.(*And)
	if c := and.Terms[0].(*Condition); c.Type != TypeID || c.Sub.Fields[0] != "AccountId" || c.Sub.Items[0].Type != TypeID {
		t.Errorf("semi-join %+v", c)
	}
	const w = "SELECT Id FROM Account WHERE "
	tests := []struct {
		q            string
		code, reason string
		col          int
	}{
		{"SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE Name LIKE 'A%')", "", "", 0},
		{"SELECT Id FROM Contact WHERE Parent__c IN (SELECT Id FROM Account)", "", "", 0},
		{w + "Id IN (SELECT Id FROM Account)", "MALFORMED_QUERY", "The inner and outer selects should not be on the same object type", 52},
		{w + "Id IN (SELECT WhatId FROM Task)", "MALFORMED_QUERY", "Entity 'Task' is not supported for semi join inner selects", 56},
		{w + "Id IN (SELECT Name FROM Contact)", "MALFORMED_QUERY", "semi join sub selects can only query id fields, cannot use: 'Name'", 44},
		{w + "Id IN (SELECT Account.Id FROM Contact)", "MALFORMED_QUERY", "inner select field cannot have more than one level of relationships", 44},
		{w + "Id IN (SELECT Foo FROM Contact)", "INVALID_FIELD", "No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", 44},
		{w + "Id IN (SELECT AccountId FROM Nope)", "INVALID_TYPE", "sObject type 'Nope' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", 59},
		{w + "Name IN (SELECT AccountId FROM Contact)", "MALFORMED_QUERY", "semi join sub selects can only be used on id fields, cannot use: 'Name'", 30},
		{w + "Owner.Id IN (SELECT OwnerId FROM Contact)", "MALFORMED_QUERY", "semi join sub selects can only be used on id fields, cannot use: 'Owner.Id'", 30},
		{w + "Name = 'x' OR Id IN (SELECT AccountId FROM Contact)", "MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'OR' operator", 44},
		{w + "NOT Id IN (SELECT AccountId FROM Contact)", "MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'NOT' operator", 34},
		{w + "Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Opportunity))", "MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported", 73},
		{w + "Id IN (SELECT AccountId FROM Contact) AND Id IN (SELECT AccountId FROM Opportunity) AND Id NOT IN (SELECT WhatId FROM Task)", "MALFORMED_QUERY", "Maximum of 2 semi join sub-selects are allowed", 118},
		{w + "Id IN (SELECT AccountId FROM Contact WHERE Birthdate = 5)", "INVALID_FIELD", "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes", 85},
		{"SELECT Name, COUNT(Id) FROM Account GROUP BY Name HAVING Id IN (SELECT AccountId FROM Contact)", "MALFORMED_QUERY", "Semi join sub-selects are not allowed in the HAVING clause", 58},
	}
	for _, tt := range tests {
		wantCheck(t, testSchema, tt.q, tt.code, tt.reason, tt.col)
	}
}

func TestSemiJoinEval(t *testing.T) {
	q, e := checkErr(t, testSchema, "SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account) AND Id NOT IN (SELECT ContactId FROM Opportunity)")
	if e != nil {
		t.Fatal(e)
	}
	in, out := q.Where.(*And).Terms[0].(*Condition), q.Where.(*And).Terms[1].(*Condition)
	a := row{"Id": "003000000000001AAA", "AccountId": "001000000000001AAA"}
	b := row{"Id": "003000000000002AAA", "AccountId": "001000000000002AAA"}
	orphan := row{"Id": "003000000000003AAA"}
	// Unresolved subqueries select nothing.
	if q.Match(a, now) || !out.Eval(a, now) || in.Eval(orphan, now) {
		t.Fatal("unresolved semi-join matched")
	}
	if b := q.Bounds(); len(b) != 0 {
		t.Errorf("unresolved bounds %v", b)
	}
	in.Resolve([]string{"001000000000001", "001000000000009AAA"}) // 15 and 18 characters
	out.Resolve([]string{"003000000000002AAA"})
	if !q.Match(a, now) || q.Match(b, now) || q.Match(orphan, now) {
		t.Errorf("semi-join: a %v b %v orphan %v", q.Match(a, now), q.Match(b, now), q.Match(orphan, now))
	}
	if !out.Eval(orphan, now) {
		t.Error("anti-join should keep a record whose id is not selected")
	}
	bounds := q.Bounds()
	if len(bounds) != 1 || bounds[0].Field != "AccountId" || bounds[0].Op != "IN" || len(bounds[0].Values) != 2 || bounds[0].Values[0] != "001000000000001" {
		t.Errorf("bounds %+v", bounds)
	}
}

func TestCheckAggregates(t *testing.T) {
	q, e := checkErr(t, testSchema, "select stagename, account.name, count(id) n, sum(amount), calendar_year(closedate) y, max(closedate) from opportunity group by stagename, account.name, calendar_year(closedate) having count(id) > 1 order by count(id) desc, stagename")
	if e != nil {
		t.Fatal(e)
	}
	want := "SELECT StageName, Account.Name, COUNT(Id) n, SUM(Amount), CALENDAR_YEAR(CloseDate) y, MAX(CloseDate) FROM Opportunity GROUP BY StageName, Account.Name, CALENDAR_YEAR(CloseDate) HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC, StageName"
	if got := q.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !q.IsAggregate() {
		t.Error("not an aggregate query")
	}
	var names []string
	for _, c := range q.Columns() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "StageName,Name,n,expr0,y,expr1" {
		t.Errorf("columns %s", got)
	}
	if q.Items[5].Type != TypeDate || q.Having.(*Condition).Type != TypeNumber || q.OrderBy[0].Type != TypeNumber {
		t.Errorf("types: MAX %v, HAVING %v, ORDER BY %v", q.Items[5].Type, q.Having.(*Condition).Type, q.OrderBy[0].Type)
	}
	for _, s := range []string{"SELECT COUNT() FROM Account", "SELECT Id FROM Account", "SELECT COUNT(Id) FROM Account LIMIT 5"} {
		q, e := checkErr(t, testSchema, s)
		if e != nil || q.IsAggregate() != strings.Contains(s, "(Id)") {
			t.Errorf("%s: aggregate %v, %v", s, q.IsAggregate(), e)
		}
	}

	const w = "SELECT Name, COUNT(Id) FROM Account "
	tests := []struct {
		q            string
		code, reason string
		col          int
	}{
		{"SELECT Name, COUNT(Id) FROM Account", "MALFORMED_QUERY", "Field must be grouped or aggregated: Name", 8},
		{"SELECT Industry, Name, COUNT(Id) FROM Account GROUP BY Industry", "MALFORMED_QUERY", "Field must be grouped or aggregated: Name", 18},
		{"SELECT Name n FROM Account", "MALFORMED_QUERY", "only aggregate expressions use field aliasing", 8},
		{w + "GROUP BY Name", "", "", 0},
		{"SELECT Name n, COUNT(Id) FROM Account GROUP BY Name", "MALFORMED_QUERY", "only aggregate expressions use field aliasing", 8},
		{"SELECT COUNT(Id) c, MAX(Name) c FROM Account", "MALFORMED_QUERY", "duplicate alias: c", 21},
		{"SELECT Description, COUNT(Id) FROM Account GROUP BY Description", "MALFORMED_QUERY", "field 'Description' can not be grouped in a query call", 53},
		{"SELECT CreatedDate, COUNT(Id) FROM Account GROUP BY CreatedDate", "MALFORMED_QUERY", "field 'CreatedDate' can not be grouped in a query call", 53},
		{"SELECT SUM(Name) FROM Account", "MALFORMED_QUERY", "field Name does not support aggregate operator SUM", 12},
		{"SELECT AVG(CreatedDate) FROM Account", "MALFORMED_QUERY", "field CreatedDate does not support aggregate operator AVG", 12},
		{"SELECT COUNT(IsDeleted) FROM Account", "MALFORMED_QUERY", "field IsDeleted does not support aggregate operator COUNT", 14},
		{"SELECT MAX(Description) FROM Account", "MALFORMED_QUERY", "field Description does not support aggregate operator MAX", 12},
		{"SELECT COUNT(Foo) FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", 14},
		{"SELECT Id FROM Account WHERE COUNT(Id) > 1", "MALFORMED_QUERY", "Aggregate functions are not supported in the WHERE clause", 30},
		{"SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = '2024'", "INVALID_FIELD", "value of filter criterion for field 'CALENDAR_YEAR(CreatedDate)' must be of type double and should not be enclosed in quotes", 59},
		{"SELECT Id FROM Account WHERE CALENDAR_YEAR(Name) = 2024", "MALFORMED_QUERY", "field Name does not support date function CALENDAR_YEAR", 30},
		{"SELECT Id FROM Opportunity WHERE HOUR_IN_DAY(CloseDate) = 1", "MALFORMED_QUERY", "field CloseDate does not support date function HOUR_IN_DAY", 34},
		{"SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = 2024", "", "", 0},
		{"SELECT CALENDAR_YEAR(CreatedDate) FROM Account", "MALFORMED_QUERY", "Field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)", 8},
		{"SELECT CALENDAR_MONTH(CreatedDate), COUNT(Id) FROM Account GROUP BY CALENDAR_YEAR(CreatedDate)", "MALFORMED_QUERY", "Field must be grouped or aggregated: CALENDAR_MONTH(CreatedDate)", 8},
		{w + "GROUP BY Name ORDER BY Industry", "MALFORMED_QUERY", "Ordered field must be grouped or aggregated: Industry", 60},
		{w + "GROUP BY Name ORDER BY MAX(Industry) DESC, Name", "", "", 0},
		{"SELECT Id FROM Account ORDER BY CALENDAR_YEAR(CreatedDate)", "MALFORMED_QUERY", "Ordered field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)", 33},
		{"SELECT Id FROM Account ORDER BY COUNT(Id)", "MALFORMED_QUERY", "Field must be grouped or aggregated: Id", 8},
		{w + "GROUP BY Name HAVING Industry = 'x'", "MALFORMED_QUERY", "Field must be grouped or aggregated: Industry", 58},
		{w + "GROUP BY Name HAVING COUNT(Id) > '1'", "INVALID_FIELD", "value of filter criterion for field 'COUNT(Id)' must be of type double and should not be enclosed in quotes", 70},
		{w + "GROUP BY Name HAVING Name LIKE 'A%' AND MIN(CreatedDate) > 2024-01-01T00:00:00Z", "", "", 0},
		{w + "GROUP BY COUNT(Id)", "MALFORMED_QUERY", "Grouped field should not be aggregated: COUNT(Id)", 46},
		{"SELECT COUNT() FROM Account GROUP BY Name", "MALFORMED_QUERY", "COUNT() and GROUP BY cannot be used together", 21},
		{"SELECT Id FROM Account HAVING COUNT(Id) > 1", "MALFORMED_QUERY", "Field must be grouped or aggregated: Id", 8},
	}
	for _, tt := range tests {
		wantCheck(t, testSchema, tt.q, tt.code, tt.reason, tt.col)
	}
}
