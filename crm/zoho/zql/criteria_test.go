package zql

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wantErr asserts err is an *Error with the code and details.
func wantErr(t *testing.T, err error, code string, details map[string]any) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, e, code)
	}
	if details != nil && !reflect.DeepEqual(e.Details, details) {
		t.Fatalf("details = %#v, want %#v", e.Details, details)
	}
}

func TestParseCriteria(t *testing.T) {
	tests := []struct {
		in, want string
		n        int
	}{
		{"(Last_Name:equals:Burns)", "(Last_Name:equals:Burns)", 1},
		{"((Last_Name:equals:Burns\\,B)and(First_Name:starts_with:M))", "((Last_Name:equals:Burns\\,B)and(First_Name:starts_with:M))", 2},
		{"((Company:equals:ABC) and (First_Name:starts_with:M))", "((Company:equals:ABC)and(First_Name:starts_with:M))", 2},
		{"(Last_Name:equals:K\\\\)", "(Last_Name:equals:K\\\\)", 1},
		{"(Last_Name:equals:a\\(b\\)c)", "(Last_Name:equals:a\\(b\\)c)", 1},
		{"(Last_Name:equals:a\\:b)", "(Last_Name:equals:a:b)", 1},
		{"(Last_Name:equals:a\\qb)", "(Last_Name:equals:a\\\\qb)", 1},
		{"( Last_Name : EQUALS :  Burns  )", "(Last_Name:equals:Burns)", 1},
		{"(Lead_Status:in:Contacted, Not Contacted ,Junk Lead)", "(Lead_Status:in:Contacted,Not Contacted,Junk Lead)", 1},
		{"(Created_Time:between:2024-01-01T00:00:00+05:30,2024-02-01T00:00:00+05:30)",
			"(Created_Time:between:2024-01-01T00:00:00+05:30,2024-02-01T00:00:00+05:30)", 1},
		{"(Created_Time:greater_equal:2019-06-17T11:40:10+05:30)", "(Created_Time:greater_equal:2019-06-17T11:40:10+05:30)", 1},
		{"(A:equals:1)AND(B:equals:2)Or(C:equals:3)", "(((A:equals:1)and(B:equals:2))or(C:equals:3))", 3},
		{"(A:equals:1)or(B:equals:2)and(C:equals:3)", "((A:equals:1)or((B:equals:2)and(C:equals:3)))", 3},
		{"(((A:equals:1)))", "(A:equals:1)", 1},
		{"(((Company:equals:Zoho) and (First_Name:starts_with:J)) or (Last_Name:equals:Smith))",
			"(((Company:equals:Zoho)and(First_Name:starts_with:J))or(Last_Name:equals:Smith))", 3},
		{"(Owner.id:equals:554023000000235011)", "(Owner.id:equals:554023000000235011)", 1},
		{"(Company:equals:a,b)", "(Company:equals:a\\,b)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCriteria(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			if c.Conditions() != tt.n {
				t.Errorf("Conditions() = %d, want %d", c.Conditions(), tt.n)
			}
			again, err := ParseCriteria(c.String())
			if err != nil || !reflect.DeepEqual(again, c) {
				t.Errorf("reparse of %s = %v, %v", c, again, err)
			}
		})
	}
}

func TestCriteriaValues(t *testing.T) {
	c, err := ParseCriteria(`(Last_Name:in:a\,b, c\)d ,e\\,f:g)`)
	if err != nil {
		t.Fatal(err)
	}
	got := c.root.(*critCond).values
	want := []string{"a,b", "c)d", `e\`, "f:g"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("values = %q, want %q", got, want)
	}
	if f := c.Fields(); !reflect.DeepEqual(f, []string{"Last_Name"}) {
		t.Errorf("Fields() = %v", f)
	}
}

func TestParseCriteriaErrors(t *testing.T) {
	many := strings.Repeat("(A:equals:1)and", MaxSearchCriteria) + "(A:equals:1)"
	ten := strings.Repeat("(A:equals:1)and", MaxSearchCriteria-1) + "(A:equals:1)"
	if _, err := ParseCriteria(ten); err != nil {
		t.Fatalf("%d criteria: %v", MaxSearchCriteria, err)
	}
	hundred := "(A:in:" + strings.Repeat("x,", MaxSearchInValues-1) + "x)"
	if _, err := ParseCriteria(hundred); err != nil {
		t.Fatalf("%d in values: %v", MaxSearchInValues, err)
	}
	tests := []struct {
		in      string
		code    string
		details map[string]any
	}{
		{"(Last_Name:foo:x)", CodeInvalidQuery, map[string]any{"reason": "invalid operator found", "api_name": "Last_Name", "operator": "foo"}},
		{"", CodeInvalidQuery, map[string]any{"reason": "criteria is empty"}},
		{"   ", CodeInvalidQuery, map[string]any{"reason": "criteria is empty"}},
		{"Last_Name:equals:x", CodeInvalidQuery, nil},
		{"(Last_Name:equals:x", CodeInvalidQuery, map[string]any{"reason": "unbalanced parentheses"}},
		{"(Last_Name:equals:K\\)", CodeInvalidQuery, map[string]any{"reason": "unbalanced parentheses"}},
		{"((A:equals:1)and(B:equals:2)", CodeInvalidQuery, map[string]any{"reason": "unbalanced parentheses"}},
		{"(A:equals:1))", CodeInvalidQuery, nil},
		{"(A:equals:1)and", CodeInvalidQuery, nil},
		{"(A:equals:1)xor(B:equals:2)", CodeInvalidQuery, nil},
		{"(A:equals:1)andx(B:equals:2)", CodeInvalidQuery, nil},
		{"(Last_Name equals x)", CodeInvalidQuery, nil},
		{"(Last_Name:equals)", CodeInvalidQuery, nil},
		{"(:equals:x)", CodeInvalidQuery, map[string]any{"reason": "field missing in condition"}},
		{"(A::x)", CodeInvalidQuery, map[string]any{"reason": "operator missing in condition"}},
		{"(Last Name:equals:x)", CodeInvalidQuery, map[string]any{"reason": "invalid field api name", "api_name": "Last Name"}},
		{"(A.:equals:x)", CodeInvalidQuery, map[string]any{"reason": "invalid field api name", "api_name": "A."}},
		{"(Last_Name:equals:)", CodeInvalidQuery, map[string]any{"reason": "invalid value for search", "api_name": "Last_Name", "value": ""}},
		{"(Last_Name:equals:   )", CodeInvalidQuery, map[string]any{"reason": "invalid value for search", "api_name": "Last_Name", "value": ""}},
		{"(Last_Name:in:a,,b)", CodeInvalidQuery, map[string]any{"reason": "invalid value for search", "api_name": "Last_Name", "value": ""}},
		{"(Amount:between:1)", CodeInvalidQuery, map[string]any{"reason": "between operator needs two values", "api_name": "Amount", "operator": "between"}},
		{"(Amount:between:1,2,3)", CodeInvalidQuery, map[string]any{"reason": "between operator needs two values", "api_name": "Amount", "operator": "between"}},
		{"(A:in:" + strings.Repeat("x,", MaxSearchInValues) + "x)", CodeInvalidQuery, map[string]any{"api_name": "A"}},
		{many, CodeCriteriaLimitExceeded, map[string]any{}},
		{strings.Repeat("(", 100) + "(A:equals:1)" + strings.Repeat(")", 100), CodeInvalidQuery, map[string]any{"reason": "criteria nested too deeply"}},
	}
	for _, tt := range tests {
		t.Run(clip(tt.in), func(t *testing.T) {
			c, err := ParseCriteria(tt.in)
			if err == nil {
				t.Fatalf("parsed to %s, want error", c)
			}
			wantErr(t, err, tt.code, tt.details)
		})
	}
}

func TestCriteriaInLimitMessage(t *testing.T) {
	_, err := ParseCriteria("(A:not_in:" + strings.Repeat("x,", MaxSearchInValues) + "x)")
	var e *Error
	if !errors.As(err, &e) || e.Message != `Only 100 values are allowed in "IN" criteria` {
		t.Fatalf("err = %v", err)
	}
}

func TestCriteriaCheck(t *testing.T) {
	tests := []struct {
		module, in string
		want       string // canonical criteria after Check, or ""
		code       string
		details    map[string]any
	}{
		{"Leads", "(last_name:equals:x)", "(Last_Name:equals:x)", "", nil},
		{"Leads", "(annual_revenue:between:1,2.5)", "(Annual_Revenue:between:1,2.5)", "", nil},
		{"Leads", "(Created_Time:greater_than:2024-01-15T10:30:00+05:30)", "(Created_Time:greater_than:2024-01-15T10:30:00+05:30)", "", nil},
		{"Leads", "(Created_Time:greater_than:2024-01-15T10:30:00 05:30)", "(Created_Time:greater_than:2024-01-15T10:30:00 05:30)", "", nil},
		{"Contacts", "(Date_of_Birth:in:2000-01-01,2001-02-03)", "(Date_of_Birth:in:2000-01-01,2001-02-03)", "", nil},
		{"Contacts", "(Owner.id:equals:1)", "(Owner.id:equals:1)", "", nil},
		{"Contacts", "(account_name.NAME:equals:Zylker)", "(Account_Name.name:equals:Zylker)", "", nil},
		{"Leads", "(Email_Opt_Out:equals:TRUE)", "(Email_Opt_Out:equals:TRUE)", "", nil},
		{"Leads", "(Tags:starts_with:vi)", "(Tags:starts_with:vi)", "", nil},
		{"Leads", "(Nope:equals:x)", "", CodeInvalidQuery,
			map[string]any{"reason": "the field is not available for search", "api_name": "Nope"}},
		{"Contacts", "(Account_Name.Industry:equals:x)", "", CodeInvalidQuery,
			map[string]any{"reason": "the field is not available for search", "api_name": "Account_Name.Industry"}},
		{"Leads", "(Email:greater_than:x)", "", CodeInvalidQuery,
			map[string]any{"operator": "greater_than", "reason": "The operator is not valid for the field type", "api_name": "Email"}},
		{"Leads", "(Annual_Revenue:starts_with:1)", "", CodeInvalidQuery,
			map[string]any{"operator": "starts_with", "reason": "The operator is not valid for the field type", "api_name": "Annual_Revenue"}},
		{"Leads", "(Lead_Status:between:a,b)", "", CodeInvalidQuery, nil},
		{"Leads", "(Description:in:a)", "", CodeInvalidQuery, nil},
		{"Leads", "(Email_Opt_Out:in:true)", "", CodeInvalidQuery, nil},
		{"Leads", "(Owner:starts_with:a)", "", CodeInvalidQuery, nil},
		{"Leads", "(Annual_Revenue:equals:lots)", "", CodeInvalidQuery,
			map[string]any{"expected_data_type": "double", "reason": "invalid value for search", "api_name": "Annual_Revenue", "value": "lots"}},
		{"Leads", "(Annual_Revenue:equals:1e5)", "", CodeInvalidQuery, nil},
		{"Leads", "(Created_Time:equals:2024-01-15)", "", CodeInvalidQuery,
			map[string]any{"expected_data_type": "datetime", "reason": "invalid value for search", "api_name": "Created_Time", "value": "2024-01-15"}},
		{"Contacts", "(Date_of_Birth:equals:15/01/2024)", "", CodeInvalidQuery, nil},
		{"Leads", "(Email_Opt_Out:equals:yes)", "", CodeInvalidQuery, nil},
		{"Leads", "(id:equals:abc)", "", CodeInvalidQuery, nil},
	}
	for _, tt := range tests {
		t.Run(tt.module+tt.in, func(t *testing.T) {
			c, err := ParseCriteria(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Check(tt.module, schema)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.String() != tt.want {
					t.Errorf("after Check = %s, want %s", c, tt.want)
				}
				return
			}
			wantErr(t, err, tt.code, tt.details)
		})
	}
}

func TestCriteriaMatch(t *testing.T) {
	burns := rec("id", "4150868000000225013", "Last_Name", "Burns, B", "First_Name", "Mary",
		"Company", "ABC Inc.", "Email", "m.burns@zylker.com", "Lead_Status", "Contacted",
		"Annual_Revenue", 1500000.0, "No_of_Employees", int64(40), "Email_Opt_Out", false,
		"Created_Time", ts("2024-01-15T10:30:00+05:30"), "Modified_Time", "2024-03-01T00:00:00Z",
		"Owner", map[string]any{"id": "554023000000235011", "name": "Patricia Boyle", "email": "p.boyle@zylker.com"},
		"Tags", []string{"VIP", "Partner"}, "Phone", nil, "Description", "")
	tests := []struct {
		in   string
		want bool
	}{
		{"(Last_Name:equals:Burns\\, B)", true},
		{"(Last_Name:equals:burns)", true}, // equals acts as contains, case-insensitive
		{"(Company:equals:ABC)", true},
		{"(Company:equals:XYZ)", false},
		{"(Company:not_equal:XYZ)", true},
		{"(Company:not_equal:abc)", false},
		{"(Lead_Status:equals:Contact)", false}, // picklists are exact (after Check)
		{"(Lead_Status:equals:contacted)", true},
		{"(Lead_Status:in:Junk Lead,Contacted)", true},
		{"(Lead_Status:not_in:Junk Lead,Contacted)", false},
		{"(First_Name:starts_with:ma)", true},
		{"(First_Name:starts_with:ar)", false},
		{"(Email:equals:zylker.com)", true},
		{"(Annual_Revenue:greater_than:1000000)", true},
		{"(Annual_Revenue:greater_than:1500000)", false},
		{"(Annual_Revenue:greater_equal:1500000)", true},
		{"(Annual_Revenue:less_than:1500000.5)", true},
		{"(Annual_Revenue:less_equal:1499999)", false},
		{"(Annual_Revenue:equals:1500000)", true},
		{"(Annual_Revenue:between:1000000,2000000)", true},
		{"(Annual_Revenue:between:1500000,1500000)", true},
		{"(Annual_Revenue:between:1,2)", false},
		{"(No_of_Employees:in:10,40)", true},
		{"(No_of_Employees:not_equal:40)", false},
		{"(Email_Opt_Out:equals:false)", true},
		{"(Email_Opt_Out:not_equal:false)", false},
		// 10:30+05:30 is 05:00Z.
		{"(Created_Time:equals:2024-01-15T05:00:00+00:00)", true},
		{"(Created_Time:greater_than:2024-01-15T04:59:59Z)", true},
		{"(Created_Time:less_than:2024-01-15T05:00:00Z)", false},
		{"(Created_Time:between:2024-01-15T00:00:00+05:30,2024-01-15T23:59:59+05:30)", true},
		{"(Modified_Time:greater_equal:2024-03-01T05:30:00+05:30)", true},
		{"(Modified_Time:greater_than:2024-03-01T05:30:00+05:30)", false},
		{"(Owner:equals:554023000000235011)", true},
		{"(Owner:equals:Patricia Boyle)", true}, // lookups match by id or by name
		{"(Owner:equals:Patricia)", false},      // ... exactly
		{"(Owner:in:x,patricia boyle)", true},
		{"(Owner.name:equals:patricia)", true},
		{"(Owner.id:in:1,554023000000235011)", true},
		{"(Owner:not_in:554023000000235011)", false},
		{"(Tags:equals:vip)", true},
		{"(Tags:equals:vi)", false},
		{"(Tags:starts_with:par)", true},
		{"(Tags:in:x,partner)", true},
		{"(Tags:not_equal:vip)", false},
		{"(id:greater_than:4150868000000225012)", true},
		{"(id:greater_than:999999999999999999)", true}, // numeric, not lexical
		{"(id:equals:4150868000000225013)", true},
		// Nulls: only not_equal and not_in match an empty field.
		{"(Phone:equals:1)", false},
		{"(Phone:starts_with:1)", false},
		{"(Phone:not_equal:1)", true},
		{"(Phone:not_in:1,2)", true},
		{"(Description:not_equal:x)", true},
		{"(Description:equals:x)", false},
		{"(Missing:in:x)", false},
		// Groups.
		{"((Company:equals:ABC)and(First_Name:starts_with:M))", true},
		{"((Company:equals:ABC)and(First_Name:starts_with:X))", false},
		{"((Company:equals:XYZ)or(First_Name:starts_with:M))", true},
		{"((Company:equals:XYZ)or(First_Name:starts_with:X))", false},
		{"(((Company:equals:XYZ)or(First_Name:starts_with:M))and(Lead_Status:equals:Contacted))", true},
		{"(Company:equals:XYZ)or(First_Name:starts_with:M)and(Lead_Status:equals:Junk Lead)", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCriteria(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			// Unchecked, a picklist looks like text, and equals acts as contains.
			uncheckedWant := tt.want || tt.in == "(Lead_Status:equals:Contact)"
			if got := c.Match(burns); got != uncheckedWant {
				t.Errorf("unchecked Match = %v, want %v", got, tt.want)
			}
			if strings.Contains(tt.in, "Missing") {
				return
			}
			if err := c.Check("Leads", schema); err != nil {
				t.Fatal(err)
			}
			if got := c.Match(burns); got != tt.want {
				t.Errorf("checked Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCriteriaMatchDates(t *testing.T) {
	// A date field compares by day, whatever the time of day or zone the
	// record carries.
	r := rec("Date_of_Birth", time.Date(1990, 5, 17, 23, 0, 0, 0, time.FixedZone("x", -5*3600)), "Last_Name", "x")
	s := rec("Date_of_Birth", "1990-05-18")
	for _, tt := range []struct {
		in   string
		r    Record
		want bool
	}{
		{"(Date_of_Birth:equals:1990-05-17)", r, true},
		{"(Date_of_Birth:greater_than:1990-05-17)", r, false},
		{"(Date_of_Birth:less_equal:1990-05-17)", r, true},
		{"(Date_of_Birth:equals:1990-05-18)", s, true},
		{"(Date_of_Birth:between:1990-05-01,1990-05-31)", s, true},
		{"(Date_of_Birth:in:1990-05-17,1990-05-19)", s, false},
	} {
		c, err := ParseCriteria(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Match(tt.r); got != tt.want {
			t.Errorf("%s unchecked = %v, want %v", tt.in, got, tt.want)
		}
		if err := c.Check("Contacts", schema); err != nil {
			t.Fatal(err)
		}
		if got := c.Match(tt.r); got != tt.want {
			t.Errorf("%s checked = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestErrorShape(t *testing.T) {
	_, err := ParseCriteria("(Last_Name:foo:x)")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"INVALID_QUERY","details":{"api_name":"Last_Name","operator":"foo","reason":"invalid operator found"},"message":"Invalid query formed","status":"error"}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	if e.HTTPStatus() != 400 {
		t.Errorf("status = %d", e.HTTPStatus())
	}
	if got := e.Error(); got != "zql: INVALID_QUERY: Invalid query formed {api_name: Last_Name, operator: foo, reason: invalid operator found}" {
		t.Errorf("Error() = %s", got)
	}
	b, _ = json.Marshal(&Error{Code: "X", Message: "m"})
	if string(b) != `{"code":"X","details":{},"message":"m","status":"error"}` {
		t.Errorf("json = %s", b)
	}
}
