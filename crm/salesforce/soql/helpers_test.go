package soql

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// row is a Row backed by a map keyed by canonical path.
type row map[string]any

func (r row) Value(path string) any { return r[path] }

// now is the fixed clock of the evaluation tests: Wednesday 15 May 2024.
var now = time.Date(2024, 5, 15, 13, 45, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// stripped returns a deep copy of q without source positions, for
// comparing a query with its reparsed String().
func stripped(q *Query) *Query {
	if q == nil {
		return nil
	}
	c := *q
	c.src, c.objectPos, c.fieldPos = "", 0, nil
	c.Fields = append([]string(nil), q.Fields...)
	c.Items = stripItems(q.Items)
	c.GroupBy = stripItems(q.GroupBy)
	c.OrderBy = nil
	for _, o := range q.OrderBy {
		o.pos = 0
		c.OrderBy = append(c.OrderBy, o)
	}
	c.Where = stripExpr(q.Where)
	c.Having = stripExpr(q.Having)
	return &c
}

func stripItems(items []Item) []Item {
	var out []Item
	for _, it := range items {
		it.pos, it.argPos, it.picklist = 0, 0, nil
		it.Sub = stripped(it.Sub)
		out = append(out, it)
	}
	return out
}

func stripExpr(e Expr) Expr {
	switch x := e.(type) {
	case *And:
		a := &And{}
		for _, t := range x.Terms {
			a.Terms = append(a.Terms, stripExpr(t))
		}
		return a
	case *Or:
		o := &Or{}
		for _, t := range x.Terms {
			o.Terms = append(o.Terms, stripExpr(t))
		}
		return o
	case *Not:
		return &Not{X: stripExpr(x.X)}
	case *Condition:
		c := *x
		c.pos = 0
		c.Values = nil
		c.resolved = nil
		for _, v := range x.Values {
			v.pos = 0
			c.Values = append(c.Values, v)
		}
		c.Sub = stripped(x.Sub)
		return &c
	}
	return e
}

func equalQuery(a, b *Query) bool { return reflect.DeepEqual(stripped(a), stripped(b)) }

// schema is a test Schema: per object, canonical paths and their types.
type schema map[string]map[string]FieldType

var testSchema = schema{
	"Account": {
		"Id": TypeID, "Name": TypeString, "Industry": TypeString, "AnnualRevenue": TypeNumber,
		"NumberOfEmployees": TypeNumber, "CreatedDate": TypeDateTime, "Description": TypeString,
		"OwnerId": TypeID, "Owner.Id": TypeID, "Owner.Email": TypeString, "IsDeleted": TypeBool,
		"Rating": TypeString,
	},
	"Opportunity": {
		"Id": TypeID, "Name": TypeString, "AccountId": TypeID, "Account.Id": TypeID, "Account.Name": TypeString,
		"Amount": TypeNumber, "StageName": TypeString, "CloseDate": TypeDate, "IsWon": TypeBool,
		"ContactId": TypeID, "CreatedDate": TypeDateTime,
	},
	"Task": {"Id": TypeID, "WhatId": TypeID, "WhoId": TypeID, "Subject": TypeString},
	"User": {"Id": TypeID, "Email": TypeString},
	"Contact": {
		"Id": TypeID, "Name": TypeString, "LastName": TypeString, "Email": TypeString,
		"AccountId": TypeID, "Account.Id": TypeID, "Account.Name": TypeString,
		"Account.Owner.Id": TypeID, "Account.Owner.Email": TypeString,
		"Owner.Id": TypeID, "Owner.Email": TypeString,
		"CreatedDate": TypeDateTime, "Birthdate": TypeDate, "Amount__c": TypeNumber,
		"IsDeleted": TypeBool, "Interests__c": TypeMultiPicklist,
		"Parent__c": TypeID, "Parent__r.Id": TypeID, "Parent__r.Name": TypeString,
		"Location__c": TypeAny,
	},
}

func (s schema) Lookup(object, path string) (string, FieldType, bool) {
	for o, fields := range s {
		if !strings.EqualFold(o, object) {
			continue
		}
		for p, t := range fields {
			if strings.EqualFold(p, path) {
				return p, t, true
			}
		}
	}
	return "", 0, false
}

func (s schema) LookupObject(name string) (string, bool) {
	for o := range s {
		if strings.EqualFold(o, name) {
			return o, true
		}
	}
	return "", false
}

// children are the test schema's child relationships by parent.
var children = map[string][]Relationship{
	"Account":     {{"Contacts", "Contact", "AccountId"}, {"Opportunities", "Opportunity", "AccountId"}, {"Tasks", "Task", "WhatId"}},
	"Contact":     {{"Opportunities", "Opportunity", "ContactId"}, {"Tasks", "Task", "WhoId"}, {"Children__r", "Contact", "Parent__c"}},
	"Opportunity": {{"Tasks", "Task", "WhatId"}},
}

func (s schema) ChildRelationship(parent, name string) (Relationship, bool) {
	for _, r := range children[parent] {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Relationship{}, false
}

func (s schema) SubqueryDepth() int { return 5 }

// FieldInfo: descriptions (Description) and multipicklists cannot be
// grouped or aggregated; Rating is a picklist Hot, Warm, Cold.
func (s schema) FieldInfo(object, path string) FieldInfo {
	switch path {
	case "Description", "Interests__c":
		return FieldInfo{}
	case "CreatedDate", "Amount", "AnnualRevenue":
		return FieldInfo{Aggregatable: true}
	case "Rating":
		return FieldInfo{Groupable: true, Aggregatable: true, Picklist: []string{"Hot", "Warm", "Cold"}}
	}
	return FieldInfo{Groupable: true, Aggregatable: true}
}

// depth1 is testSchema as an org before API v58.0: one level of subqueries.
type depth1 struct{ schema }

func (depth1) SubqueryDepth() int { return 1 }

// fieldsOnly hides LookupObject, to test Check without ObjectSchema.
type fieldsOnly struct{ s schema }

func (f fieldsOnly) Lookup(object, path string) (string, FieldType, bool) {
	return f.s.Lookup(object, path)
}

// roundTrip checks that Parse(in).String() is want (in when want is "")
// and that the string parses back to an equal query.
func roundTrip(t *testing.T, in, want string) {
	t.Helper()
	q, err := Parse(in)
	if err != nil {
		t.Errorf("Parse(%q): %v", in, err)
		return
	}
	if want == "" {
		want = in
	}
	got := q.String()
	if got != want {
		t.Errorf("Parse(%q).String():\n got %s\nwant %s", in, got, want)
	}
	q2, err := Parse(got)
	if err != nil {
		t.Errorf("reparse %q: %v", got, err)
		return
	}
	if !equalQuery(q, q2) {
		t.Errorf("reparse of %q differs:\n%#v\n%#v", got, stripped(q), stripped(q2))
	}
}

// checkErr runs Parse and Check and returns the *Error (nil when both pass).
func checkErr(t *testing.T, s Schema, text string) (*Query, *Error) {
	t.Helper()
	q, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	err = q.Check(s)
	if err == nil {
		return q, nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Check(%q): %T is not *Error", text, err)
	}
	return q, e
}

// wantCheck checks that Check of text passes (code "") or fails with code
// and reason at column col (any column when col is 0).
func wantCheck(t *testing.T, s Schema, text, code, reason string, col int) {
	t.Helper()
	_, e := checkErr(t, s, text)
	switch {
	case code == "" && e != nil:
		t.Errorf("%q: %v", text, e)
	case code == "":
	case e == nil:
		t.Errorf("%q: no error, want %s %s", text, code, reason)
	case e.Code != code || e.Reason != reason || col != 0 && e.Column != col:
		t.Errorf("%q:\n got %s %q at %d\nwant %s %q at %d", text, e.Code, e.Reason, e.Column, code, reason, col)
	}
}
