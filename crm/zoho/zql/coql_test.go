package zql

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseCOQL(t *testing.T) {
	tests := []struct {
		in   string
		want string
		q    *Query // optional deep check
	}{
		{
			in:   "select Last_Name, Account_Name.Account_Name, Modified_Time from Contacts where Modified_Time > '2024-01-01T00:00:00+00:00' order by Modified_Time asc limit 2000 offset 0",
			want: "select Last_Name, Account_Name.Account_Name, Modified_Time from Contacts where Modified_Time > '2024-01-01T00:00:00+00:00' order by Modified_Time asc limit 2000",
			q: &Query{Module: "Contacts", Fields: []string{"Last_Name", "Account_Name.Account_Name", "Modified_Time"},
				Where:   &Comparison{Field: "Modified_Time", Op: ">", Values: []Literal{{LitString, "2024-01-01T00:00:00+00:00"}}},
				OrderBy: []Order{{Field: "Modified_Time"}}, Limit: 2000},
		},
		{
			in:   "SELECT Last_Name FROM Leads WHERE Last_Name = 'Smith'",
			want: "select Last_Name from Leads where Last_Name = 'Smith' limit 200",
			q: &Query{Module: "Leads", Fields: []string{"Last_Name"},
				Where: &Comparison{Field: "Last_Name", Op: "=", Values: []Literal{{LitString, "Smith"}}}, Limit: 200},
		},
		{
			in:   "select id from Leads where (Amount >= 10 and (Stage = 'Won' or Stage <> 'Lost')) limit 5, 10",
			want: "select id from Leads where (Amount >= 10 and (Stage = 'Won' or Stage != 'Lost')) limit 10 offset 5",
		},
		{
			in:   "select id from Leads where ((a < 1 and b <= 2) or c > 3) order by a desc, b limit 1 offset 99999",
			want: "select id from Leads where ((a < 1 and b <= 2) or c > 3) order by a desc, b asc limit 1 offset 99999",
		},
		{
			in:   "select id from Leads where a in ('x', 'y''s', 'z\\'q') and b not in (1, 2)",
			want: "select id from Leads where (a in ('x', 'y\\'s', 'z\\'q') and b not in (1, 2)) limit 200",
		},
		{
			in:   "select id from Leads where Last_Name like '%bur%' or Last_Name not like 'x%'",
			want: "select id from Leads where (Last_Name like '%bur%' or Last_Name not like 'x%') limit 200",
		},
		{
			in:   "select id from Deals where Amount between 10 and 20.5 and Closing_Date not between '2024-01-01' and '2024-12-31'",
			want: "select id from Deals where (Amount between 10 and 20.5 and Closing_Date not between '2024-01-01' and '2024-12-31') limit 200",
		},
		{
			in:   "select id from Leads where Email is null or Phone IS NOT NULL",
			want: "select id from Leads where (Email is null or Phone is not null) limit 200",
		},
		{
			in:   "select id from Leads where Email_Opt_Out = TRUE and id > 3652397000009851001",
			want: "select id from Leads where (Email_Opt_Out = true and id > 3652397000009851001) limit 200",
		},
		{
			in:   "select Stage, count(id), SUM(Amount), max(Closing_Date) from Deals where Amount > -1.5 group by Stage order by Stage",
			want: "select Stage, COUNT(id), SUM(Amount), MAX(Closing_Date) from Deals where Amount > -1.5 group by Stage order by Stage asc limit 200",
			q: &Query{Module: "Deals", Fields: []string{"Stage"},
				Aggregates: []Aggregate{{"COUNT", "id"}, {"SUM", "Amount"}, {"MAX", "Closing_Date"}},
				Where:      &Comparison{Field: "Amount", Op: ">", Values: []Literal{{LitNumber, "-1.5"}}},
				GroupBy:    []string{"Stage"}, OrderBy: []Order{{Field: "Stage"}}, Limit: 200},
		},
		{
			in:   "select COUNT(*) from Deals where id is not null",
			want: "select COUNT(*) from Deals where id is not null limit 200",
		},
		{
			in:   "select id\nfrom Leads\nwhere\n\tLast_Name = 'a\nb' offset 400",
			want: "select id from Leads where Last_Name = 'a\nb' limit 200 offset 400",
		},
		{
			in:   "select Account_Name.Parent_Account.Account_Name from Contacts where Account_Name.Parent_Account.Account_Name = 'Z'",
			want: "select Account_Name.Parent_Account.Account_Name from Contacts where Account_Name.Parent_Account.Account_Name = 'Z' limit 200",
		},
		{
			in:   "select id from Leads where ((((a = 1))))",
			want: "select id from Leads where a = 1 limit 200",
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseCOQL(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() =\n%s\nwant\n%s", got, tt.want)
			}
			if tt.q != nil && !reflect.DeepEqual(q, tt.q) {
				t.Errorf("parsed %#v\nwant %#v", q, tt.q)
			}
			again, err := ParseCOQL(q.String())
			if err != nil || !reflect.DeepEqual(again, q) {
				t.Errorf("reparse = %v, %v", again, err)
			}
		})
	}
}

func TestParseCOQLLimits(t *testing.T) {
	cols := func(n int) string {
		c := make([]string, n)
		for i := range c {
			c[i] = "f" + itoa3(i)
		}
		return strings.Join(c, ", ")
	}
	crit := func(n int) string {
		s := "a = 0"
		for i := 1; i < n; i++ {
			s = "(" + s + " and a = " + strconv.Itoa(i) + ")"
		}
		return s
	}
	ins := func(n int) string { return strings.TrimSuffix(strings.Repeat("1, ", n), ", ") }
	ok := []string{
		"select " + cols(MaxCOQLFields) + " from Leads where a = 1",
		"select id from Leads where " + crit(MaxCOQLCriteria),
		"select id from Leads where a in (" + ins(MaxCOQLInValues) + ")",
		"select id from Leads where a = 1 order by " + cols(MaxCOQLOrderBy),
		"select id from Leads where a = 1 group by " + cols(MaxCOQLGroupBy),
		"select COUNT(a), SUM(b), MIN(c), MAX(d), AVG(e) from Leads where a = 1",
		"select id from Leads where a = 1 limit 2000 offset 98000",
		"select id from Leads where a = 1 limit 98000, 2000",
		"select id from Leads where a = 1 offset 99800",
	}
	for _, s := range ok {
		if _, err := ParseCOQL(s); err != nil {
			t.Errorf("%s: %v", clip(s), err)
		}
	}
	tests := []struct {
		in      string
		details map[string]any
	}{
		{"select " + cols(MaxCOQLFields+1) + " from Leads where a = 1", map[string]any{"clause": "select", "limit": MaxCOQLFields}},
		{"select id from Leads where " + crit(MaxCOQLCriteria+1), map[string]any{"clause": "where", "limit": MaxCOQLCriteria}},
		{"select id from Leads where a in (" + ins(MaxCOQLInValues+1) + ")", map[string]any{"clause": "where", "column_name": "a", "limit": MaxCOQLInValues}},
		{"select id from Leads where a = 1 order by " + cols(MaxCOQLOrderBy+1), map[string]any{"clause": "order by", "limit": MaxCOQLOrderBy}},
		{"select id from Leads where a = 1 group by " + cols(MaxCOQLGroupBy+1), map[string]any{"clause": "group by", "limit": MaxCOQLGroupBy}},
		{"select COUNT(a), SUM(b), MIN(c), MAX(d), AVG(e), COUNT(f) from Leads where a = 1", map[string]any{"clause": "aggregate", "limit": MaxCOQLAggregates}},
		{"select id from Leads where a = 1 limit 2001", map[string]any{"clause": "limit", "limit": MaxCOQLLimit}},
		{"select id from Leads where a = 1 limit 99999999999999999999999", map[string]any{"clause": "limit", "limit": MaxCOQLLimit}},
		{"select id from Leads where a = 1 limit 2000 offset 98001", map[string]any{"clause": "offset", "limit": MaxCOQLRows}},
		{"select id from Leads where a = 1 offset 99999999999999999999", map[string]any{"clause": "offset", "limit": MaxCOQLRows}},
		{"select a.b.c.d from Leads where a = 1", map[string]any{"clause": "select", "column_name": "a.b.c.d", "limit": MaxCOQLLookupHops}},
		{"select id from Leads where a.b.c.d = 1", map[string]any{"clause": "where", "column_name": "a.b.c.d", "limit": MaxCOQLLookupHops}},
		{"select id from Leads where a = 1 order by a.b.c.d", map[string]any{"clause": "order by", "column_name": "a.b.c.d", "limit": MaxCOQLLookupHops}},
	}
	for _, tt := range tests {
		t.Run(clip(tt.in), func(t *testing.T) {
			_, err := ParseCOQL(tt.in)
			wantErr(t, err, CodeLimitExceeded, tt.details)
		})
	}
}

func itoa3(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

func TestParseCOQLErrors(t *testing.T) {
	tests := []struct {
		in      string
		code    string
		details map[string]any
	}{
		{"select Last_Name from Leads", CodeSyntaxError, map[string]any{"clause": "where"}},
		{"select Last_Name from Leads order by Last_Name", CodeSyntaxError, map[string]any{"clause": "where"}},
		{"select Last_Name from Leads limit 5", CodeSyntaxError, map[string]any{"clause": "where"}},
		{"select Last_Name FROM", CodeSyntaxError, map[string]any{"line": 1, "column": 22, "near": "FROM"}},
		{"select from Leads where a = 1", CodeSyntaxError, map[string]any{"line": 1, "column": 8, "near": "from"}},
		{"update Leads set a = 1", CodeSyntaxError, map[string]any{"line": 1, "column": 1, "near": "update"}},
		{"", CodeSyntaxError, map[string]any{"line": 1, "column": 1, "near": ""}},
		{"select a from Leads\nwhere a == 1", CodeSyntaxError, map[string]any{"line": 2, "column": 10, "near": "="}},
		{"select a from Leads where a = 1 and b = 2 and c = 3", CodeSyntaxError, map[string]any{"line": 1, "column": 43, "near": "and"}},
		{"select a from Leads where a = 1 or b = 2 and c = 3", CodeSyntaxError, map[string]any{"line": 1, "column": 42, "near": "and"}},
		{"select a from Leads where not a = 1", CodeSyntaxError, map[string]any{"operator": "not"}},
		{"select a from Leads where a not = 1", CodeSyntaxError, map[string]any{"line": 1, "column": 33, "near": "="}},
		{"select a from Leads where a = 'x", CodeSyntaxError, map[string]any{"line": 1, "column": 31, "near": "'x"}},
		{"select a from Leads where a = 1x", CodeSyntaxError, nil},
		{"select a from Leads where a = 1.2.3", CodeSyntaxError, nil},
		{"select a from Leads where a ! 1", CodeSyntaxError, nil},
		{"select a from Leads where a = #", CodeSyntaxError, map[string]any{"line": 1, "column": 31, "near": "#"}},
		{"select a from Leads where a = null", CodeSyntaxError, map[string]any{"line": 1, "column": 31, "near": "null"}},
		{"select a from Leads where a is nul", CodeSyntaxError, nil},
		{"select a from Leads where a like 5", CodeSyntaxError, nil},
		{"select a from Leads where a in 1", CodeSyntaxError, nil},
		{"select a from Leads where a in ()", CodeSyntaxError, nil},
		{"select a from Leads where a in (1", CodeSyntaxError, nil},
		{"select a from Leads where a between 1 or 2", CodeSyntaxError, nil},
		{"select a from Leads where (a = 1", CodeSyntaxError, nil},
		{"select a from Leads where a = 1)", CodeSyntaxError, nil},
		{"select a from Leads where", CodeSyntaxError, map[string]any{"line": 1, "column": 26, "near": "where"}},
		{"select a from Leads where a", CodeSyntaxError, nil},
		{"select a from Leads.x where a = 1", CodeSyntaxError, nil},
		{"select a, from Leads where a = 1", CodeSyntaxError, nil},
		{"select a b from Leads where a = 1", CodeSyntaxError, nil},
		{"select a from Leads where a = 1 order a", CodeSyntaxError, nil},
		{"select a from Leads where a = 1 order by", CodeSyntaxError, nil},
		{"select a from Leads where a = 1 group a", CodeSyntaxError, nil},
		{"select a from Leads where a = 1 limit", CodeSyntaxError, nil},
		{"select a from Leads where a = 1 limit 5 junk", CodeSyntaxError, nil},
		{"select COUNT( from Leads where a = 1", CodeSyntaxError, nil},
		{"select SUM(*) from Leads where a = 1", CodeInvalidData, map[string]any{"reason": "unsupported aggregate function", "column": "SUM(*)"}},
		{"select TestFunction(Last_Name) from Leads where a = 1", CodeInvalidData, map[string]any{"reason": "unsupported aggregate function", "column": "TestFunction(Last_Name)"}},
		{"select a from Leads where a = 1 limit s", CodeInvalidQuery, map[string]any{"limit": "s"}},
		{"select a from Leads where a = 1 limit '5'", CodeInvalidQuery, map[string]any{"limit": "5"}},
		{"select a from Leads where a = 1 limit 1.5", CodeInvalidQuery, map[string]any{"limit": "1.5"}},
		{"select a from Leads where a = 1 limit 0", CodeInvalidData, map[string]any{}},
		{"select a from Leads where a = 1 limit -3", CodeInvalidData, map[string]any{}},
		{"select a from Leads where a = 1 offset -3", CodeInvalidQuery, map[string]any{"offset": "-3"}},
		{"select a from Leads where a = 1 limit 5 offset x", CodeInvalidQuery, map[string]any{"offset": "x"}},
		{"select a, A from Leads where a = 1", CodeDuplicateData, map[string]any{"column_name": "A"}},
		{"select MAX(Annual_Revenue), max(annual_revenue) from Leads where a = 1", CodeDuplicateData, map[string]any{"column_name": "annual_revenue", "aggregate": "MAX"}},
		{"select id from Contacts where id is not null order by id,id", CodeDuplicateData, map[string]any{"column_name": "id"}},
		{"select id from Contacts where id is not null group by a, a", CodeDuplicateData, map[string]any{"column_name": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseCOQL(tt.in)
			if err == nil {
				t.Fatalf("parsed to %s, want error", q)
			}
			wantErr(t, err, tt.code, tt.details)
		})
	}
}

func TestParseCOQLErrorMessages(t *testing.T) {
	for in, msg := range map[string]string{
		"select a from Leads":                           "missing clause",
		"select a from Leads where not a = 1":           "operator not supported",
		"select a from Leads where a = 1 limit s":       "limit given seems to be invalid",
		"select a from Leads where a = 1 limit 0":       "limit should be greater than 0",
		"select a, a from Leads where a = 1":            "duplicate select column",
		"select a from Leads where a = 1 limit 1, 2, 3": "unexpected token",
	} {
		_, err := ParseCOQL(in)
		if e, ok := err.(*Error); !ok || e.Message != msg {
			t.Errorf("%s: err = %v, want message %q", in, err, msg)
		}
	}
}
