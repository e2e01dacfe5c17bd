package zql

import (
	"reflect"
	"testing"
	"time"
)

func TestCOQLCheck(t *testing.T) {
	tests := []struct {
		in      string
		want    string // canonical query after Check, or ""
		code    string
		details map[string]any
	}{
		{in: "select last_name, ACCOUNT_NAME.account_name, owner.email from contacts where account_name.parent_account.industry = 'x' order by MODIFIED_TIME desc",
			want: "select Last_Name, Account_Name.Account_Name, Owner.email from Contacts where Account_Name.Parent_Account.Industry = 'x' order by Modified_Time desc limit 200"},
		{in: "select id from Contacts where Owner.id = '554023000000235011' and Account_Name.name like 'zyl%'",
			want: "select id from Contacts where (Owner.id = '554023000000235011' and Account_Name.name like 'zyl%') limit 200"},
		{in: "select id from Leads where Annual_Revenue between '1' and 2 and Created_Time >= '2024-01-15T10:30:00+05:30'",
			want: "select id from Leads where (Annual_Revenue between '1' and 2 and Created_Time >= '2024-01-15T10:30:00+05:30') limit 200"},
		{in: "select id from Deals where Account_Name = 3652397000000624001 or Account_Name in ('1', 2)",
			want: "select id from Deals where (Account_Name = 3652397000000624001 or Account_Name in ('1', 2)) limit 200"},
		{in: "select Stage, COUNT(*), SUM(Amount), MIN(Closing_Date), MAX(id) from Deals where Stage != 'x' group by Stage",
			want: "select Stage, COUNT(*), SUM(Amount), MIN(Closing_Date), MAX(id) from Deals where Stage != 'x' group by Stage limit 200"},
		{in: "select id from Leads where Email_Opt_Out = 'true' and Tags like '%vip%' and Description is null",
			code: CodeSyntaxError}, // three terms at one level: a parse error
		{in: "select id from Nope where a = 1", code: CodeInvalidModule, details: map[string]any{}},
		{in: "select Nope from Leads where id is not null", code: CodeInvalidQuery,
			details: map[string]any{"column_name": "Nope", "clause": "select"}},
		{in: "select id from Leads where Nope = 1", code: CodeInvalidQuery,
			details: map[string]any{"column_name": "Nope", "clause": "where"}},
		{in: "select id from Leads where id is not null order by Nope", code: CodeInvalidQuery,
			details: map[string]any{"column_name": "Nope", "clause": "order by"}},
		{in: "select id from Leads where id is not null group by Nope", code: CodeInvalidQuery,
			details: map[string]any{"column_name": "Nope", "clause": "group by"}},
		{in: "select SUM(Nope) from Leads where id is not null", code: CodeInvalidQuery,
			details: map[string]any{"column_name": "Nope", "clause": "select"}},
		{in: "select id from Leads where Last_Name.x = 1", code: CodeInvalidQuery,
			details: map[string]any{"column_name": "Last_Name.x", "clause": "where"}},
		{in: "select id from Leads where First_Name > 'a'", code: CodeInvalidQuery,
			details: map[string]any{"reason": "invalid operator found", "column_name": "First_Name", "operator": ">"}},
		{in: "select id from Leads where Email_Opt_Out != true", code: CodeInvalidQuery,
			details: map[string]any{"reason": "invalid operator found", "column_name": "Email_Opt_Out", "operator": "!="}},
		{in: "select id from Leads where Owner like '1%'", code: CodeInvalidQuery,
			details: map[string]any{"reason": "invalid operator found", "column_name": "Owner", "operator": "like"}},
		{in: "select id from Leads where Annual_Revenue like '1%'", code: CodeInvalidQuery},
		{in: "select id from Leads where Lead_Status between 'a' and 'b'", code: CodeInvalidQuery},
		{in: "select id from Leads where Annual_Revenue = 'lots'", code: CodeInvalidQuery,
			details: map[string]any{"reason": "invalid value given for the column", "column_name": "Annual_Revenue",
				"expected_data_type": "double", "value": "lots"}},
		{in: "select id from Leads where Annual_Revenue = true", code: CodeInvalidQuery},
		{in: "select id from Leads where Created_Time > '2024-01-15'", code: CodeInvalidQuery,
			details: map[string]any{"reason": "invalid value given for the column", "column_name": "Created_Time",
				"expected_data_type": "datetime", "value": "2024-01-15"}},
		{in: "select id from Leads where Created_Time > '2024-01-15T10:30:00'", code: CodeInvalidQuery},
		{in: "select id from Leads where Created_Time > 20240115", code: CodeInvalidQuery},
		{in: "select id from Contacts where Date_of_Birth = '2024-01-15T10:30:00+05:30'", code: CodeInvalidQuery},
		{in: "select id from Leads where Email_Opt_Out = 1", code: CodeInvalidQuery},
		{in: "select id from Leads where Last_Name = false", code: CodeInvalidQuery},
		{in: "select id from Leads where id = 'abc'", code: CodeInvalidQuery},
		{in: "select id from Contacts where Account_Name = 'Zylker'", code: CodeInvalidQuery},
		{in: "select SUM(Last_Name) from Leads where id is not null", code: CodeInvalidQuery,
			details: map[string]any{"reason": "invalid aggregate function for the column", "column_name": "Last_Name", "aggregate": "SUM"}},
		{in: "select MAX(Owner) from Leads where id is not null", code: CodeInvalidQuery},
		{in: "select Last_Name, COUNT(id) from Leads where id is not null", code: CodeInvalidQuery,
			details: map[string]any{"reason": "select column must be in group by", "column_name": "Last_Name"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := ParseCOQL(tt.in)
			if err == nil {
				err = q.Check(schema)
			}
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if q.String() != tt.want {
					t.Errorf("after Check:\n%s\nwant\n%s", q, tt.want)
				}
				return
			}
			wantErr(t, err, tt.code, tt.details)
		})
	}
	// Without ModuleSchema an unknown module cannot be told apart: its
	// columns are unknown instead.
	q, _ := ParseCOQL("select id from Nope where a = 1")
	wantErr(t, q.Check(plainSchema{schema}), CodeInvalidQuery, map[string]any{"column_name": "a", "clause": "where"})
}

func TestCOQLEval(t *testing.T) {
	lead := rec("id", "4150868000000225013", "Last_Name", "Burns", "First_Name", "Mary",
		"Company", "ABC Inc.", "Email", "m.burns@zylker.com", "Lead_Status", "Contacted",
		"Annual_Revenue", 1500000.0, "No_of_Employees", int64(40), "Email_Opt_Out", false,
		"Created_Time", ts("2024-01-15T10:30:00+05:30"), "Modified_Time", "2024-03-01T00:00:00Z",
		"Owner", map[string]any{"id": "554023000000235011", "name": "Patricia Boyle", "email": "p.boyle@zylker.com"},
		"Tags", []string{"VIP", "Partner"}, "Phone", nil, "Description", "")
	tests := []struct {
		where string
		want  bool
	}{
		{"Last_Name = 'burns'", true},
		{"Last_Name = 'bur'", false}, // COQL = is exact
		{"Last_Name != 'burns'", false},
		{"Last_Name != 'smith'", true},
		{"Last_Name like 'bu%'", true},
		{"Last_Name like '%RN%'", true},
		{"Last_Name like '%ns'", true},
		{"Last_Name like '%x%'", false},
		{"Last_Name like 'burns'", true},
		{"Last_Name like 'b%r%s'", true},
		{"Last_Name like 'b%s%s'", false},
		{"Last_Name not like 'x%'", true},
		{"Last_Name not like 'b%'", false},
		{"Last_Name in ('Smith', 'BURNS')", true},
		{"Last_Name not in ('Smith', 'BURNS')", false},
		{"Lead_Status = 'contacted'", true},
		{"Annual_Revenue > 1000000", true},
		{"Annual_Revenue >= 1500000", true},
		{"Annual_Revenue > 1500000", false},
		{"Annual_Revenue < 1500000.01", true},
		{"Annual_Revenue <= 1", false},
		{"Annual_Revenue = '1500000'", true},
		{"Annual_Revenue between 1 and 1500000", true},
		{"Annual_Revenue not between 1 and 1500000", false},
		{"Annual_Revenue in (1, 1500000)", true},
		{"No_of_Employees = 40", true},
		{"Email_Opt_Out = false", true},
		{"Email_Opt_Out = true", false},
		{"Created_Time = '2024-01-15T05:00:00+00:00'", true},
		{"Created_Time > '2024-01-15T10:29:59+05:30'", true},
		{"Created_Time < '2024-01-15T10:29:59+05:30'", false},
		{"Created_Time between '2024-01-15T00:00:00Z' and '2024-01-15T23:59:59Z'", true},
		{"Modified_Time > '2024-01-01T00:00:00+00:00'", true},
		{"Modified_Time = '2024-03-01T05:30:00+05:30'", true},
		{"Owner = '554023000000235011'", true},
		{"Owner = 554023000000235011", true},
		{"Owner != 554023000000235012", true},
		{"Owner in ('1', '554023000000235011')", true},
		{"Owner.name = 'patricia boyle'", true},
		{"Owner.email like '%@zylker.com'", true},
		{"Tags = 'vip'", true},
		{"Tags like 'part%'", true},
		{"Tags in ('x', 'partner')", true},
		{"Tags not in ('x', 'partner')", false},
		{"id > 999999999999999999", true},
		{"id = 4150868000000225013", true},
		{"id in (4150868000000225013)", true},
		{"id < '4150868000000225014'", true},
		// Nulls: SQL semantics.
		{"Phone is null", true},
		{"Phone is not null", false},
		{"Description is null", true},
		{"Last_Name is null", false},
		{"Last_Name is not null", true},
		{"Phone = '1'", false},
		{"Phone != '1'", false},
		{"Phone not in ('1')", false},
		{"Phone not like '1%'", false},
		// Nesting.
		{"(Last_Name = 'burns' and First_Name = 'mary')", true},
		{"(Last_Name = 'burns' and First_Name = 'x')", false},
		{"(Last_Name = 'x' or First_Name = 'mary')", true},
		{"((Last_Name = 'x' or First_Name = 'mary') and (Phone is null and Annual_Revenue > 1))", true},
		{"((Last_Name = 'x' or First_Name = 'x') or (Phone is null and Annual_Revenue > 1e0))", false},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			q, err := ParseCOQL("select id from Leads where " + tt.where)
			if err != nil {
				if tt.where == "((Last_Name = 'x' or First_Name = 'x') or (Phone is null and Annual_Revenue > 1e0))" {
					return // 1e0 is not a COQL number
				}
				t.Fatal(err)
			}
			if got := q.Match(lead); got != tt.want {
				t.Errorf("unchecked = %v, want %v", got, tt.want)
			}
			if err := q.Check(schema); err != nil {
				t.Fatal(err)
			}
			if got := q.Match(lead); got != tt.want {
				t.Errorf("checked = %v, want %v", got, tt.want)
			}
		})
	}
	if (&Query{}).Match(lead) != true {
		t.Error("a query without WHERE matches everything")
	}
}

func TestCOQLEvalDates(t *testing.T) {
	// Dates compare by day, whatever clock time or zone a record carries.
	late := time.Date(2024, 1, 15, 23, 30, 0, 0, time.FixedZone("", -8*3600))
	for _, tt := range []struct {
		where string
		v     any
		want  bool
	}{
		{"Date_of_Birth = '2024-01-15'", late, true},
		{"Date_of_Birth > '2024-01-14'", late, true},
		{"Date_of_Birth > '2024-01-15'", late, false},
		{"Date_of_Birth between '2024-01-01' and '2024-01-15'", "2024-01-15", true},
		{"Date_of_Birth not between '2024-01-01' and '2024-01-14'", "2024-01-15", true},
		{"Date_of_Birth in ('2024-01-16', '2024-01-15')", "2024-01-15", true},
		{"Date_of_Birth < '2024-01-15'", "garbage", false},
	} {
		q, err := ParseCOQL("select id from Contacts where " + tt.where)
		if err != nil {
			t.Fatal(err)
		}
		r := rec("Date_of_Birth", tt.v)
		if got := q.Match(r); got != tt.want {
			t.Errorf("%s on %v unchecked = %v", tt.where, tt.v, got)
		}
		if err := q.Check(schema); err != nil {
			t.Fatal(err)
		}
		if got := q.Match(r); got != tt.want {
			t.Errorf("%s on %v checked = %v", tt.where, tt.v, got)
		}
	}
}

func ids(rs []Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i], _ = r.Value("id").(string)
	}
	return out
}

func TestCOQLSort(t *testing.T) {
	records := func() []Record {
		return []Record{
			rec("id", "10", "Last_Name", "b", "Amount", 5.0, "Modified_Time", "2024-01-01T10:00:00+05:30"),
			rec("id", "9", "Last_Name", "A", "Amount", nil, "Modified_Time", "2024-01-01T05:00:00Z"),
			rec("id", "100", "Last_Name", "a", "Amount", int64(7), "Modified_Time", ts("2024-01-01T04:00:00Z")),
			rec("id", "11", "Last_Name", nil, "Amount", 5.0, "Modified_Time", nil),
		}
	}
	tests := []struct {
		order string
		want  []string
	}{
		{"", []string{"9", "10", "11", "100"}}, // id asc, numerically
		{"order by id desc", []string{"100", "11", "10", "9"}},
		{"order by Last_Name", []string{"11", "9", "100", "10"}},      // nulls first; case-insensitive; ties by id
		{"order by Last_Name desc", []string{"10", "9", "100", "11"}}, // nulls last
		{"order by Amount desc, Last_Name asc", []string{"100", "11", "10", "9"}},
		{"order by Amount, Last_Name desc", []string{"9", "10", "11", "100"}},
		{"order by Modified_Time", []string{"11", "100", "10", "9"}}, // instants: 04:00Z, 04:30Z, 05:00Z
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			for _, check := range []bool{false, true} {
				q, err := ParseCOQL("select id from Leads where id is not null " + tt.order)
				if err != nil {
					t.Fatal(err)
				}
				if check {
					if err := q.Check(testSchema{"Leads": append(schema["Leads"], testField{name: "Amount", typ: TypeNumber})}); err != nil {
						t.Fatal(err)
					}
				}
				rs := records()
				q.Sort(rs)
				if got := ids(rs); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("checked=%v: %v, want %v", check, got, tt.want)
				}
			}
		})
	}
}

func TestCOQLSortDatesAndLookups(t *testing.T) {
	rs := []Record{
		rec("id", "1", "Closing_Date", "2024-02-01", "Account_Name", lookup("7", "Zeta")),
		rec("id", "2", "Closing_Date", time.Date(2024, 1, 31, 23, 0, 0, 0, time.UTC), "Account_Name", lookup("8", "alpha")),
		rec("id", "3", "Closing_Date", "2023-12-31", "Account_Name", nil),
	}
	q, _ := ParseCOQL("select id from Deals where id is not null order by Closing_Date desc")
	if err := q.Check(schema); err != nil {
		t.Fatal(err)
	}
	q.Sort(rs)
	if got := ids(rs); !reflect.DeepEqual(got, []string{"1", "2", "3"}) {
		t.Errorf("by date: %v", got)
	}
	q, _ = ParseCOQL("select id from Deals where id is not null order by Account_Name")
	if err := q.Check(schema); err != nil {
		t.Fatal(err)
	}
	q.Sort(rs)
	if got := ids(rs); !reflect.DeepEqual(got, []string{"3", "2", "1"}) {
		t.Errorf("by lookup name: %v", got)
	}
}

func TestCOQLAggregate(t *testing.T) {
	deals := []Record{
		rec("id", "1", "Stage", "Won", "Amount", 100.0, "Closing_Date", "2024-01-05"),
		rec("id", "2", "Stage", "won", "Amount", 50.0, "Closing_Date", "2024-03-01"),
		rec("id", "3", "Stage", "Lost", "Amount", nil, "Closing_Date", nil),
		rec("id", "4", "Stage", "Lost", "Amount", int64(10), "Closing_Date", "2023-12-01"),
		rec("id", "5", "Stage", nil, "Amount", 1.0, "Closing_Date", "2024-01-01"),
	}
	q, err := ParseCOQL("select Stage, COUNT(id), COUNT(Amount), SUM(Amount), AVG(Amount) from Deals where id is not null group by Stage")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Check(schema); err != nil {
		t.Fatal(err)
	}
	got := q.Aggregate(deals)
	want := []map[string]any{
		{"Stage": nil, "COUNT(id)": int64(1), "COUNT(Amount)": int64(1), "SUM(Amount)": 1.0, "AVG(Amount)": 1.0},
		{"Stage": "Lost", "COUNT(id)": int64(2), "COUNT(Amount)": int64(1), "SUM(Amount)": 10.0, "AVG(Amount)": 10.0},
		{"Stage": "Won", "COUNT(id)": int64(2), "COUNT(Amount)": int64(2), "SUM(Amount)": 150.0, "AVG(Amount)": 75.0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Aggregate =\n%v\nwant\n%v", got, want)
	}
	q, _ = ParseCOQL("select Stage, MIN(Closing_Date), MAX(Closing_Date) from Deals where id is not null group by Stage")
	if err := q.Check(schema); err != nil {
		t.Fatal(err)
	}
	got = q.Aggregate(deals)
	want = []map[string]any{
		{"Stage": nil, "MIN(Closing_Date)": "2024-01-01", "MAX(Closing_Date)": "2024-01-01"},
		{"Stage": "Lost", "MIN(Closing_Date)": "2023-12-01", "MAX(Closing_Date)": "2023-12-01"},
		{"Stage": "Won", "MIN(Closing_Date)": "2024-01-05", "MAX(Closing_Date)": "2024-03-01"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Aggregate =\n%v\nwant\n%v", got, want)
	}

	q, _ = ParseCOQL("select Stage, COUNT(*) from Deals where id is not null group by Stage order by Stage desc")
	if got := q.Aggregate(deals); len(got) != 3 || got[0]["Stage"] != "Won" || got[2]["Stage"] != nil {
		t.Errorf("ordered desc: %v", got)
	}

	q, _ = ParseCOQL("select COUNT(*), SUM(Amount), MAX(Amount) from Deals where id is not null")
	if got := q.Aggregate(nil); !reflect.DeepEqual(got, []map[string]any{{"COUNT(*)": int64(0), "SUM(Amount)": nil, "MAX(Amount)": nil}}) {
		t.Errorf("empty: %v", got)
	}
	if got := q.Aggregate(deals); got[0]["COUNT(*)"] != int64(5) || got[0]["SUM(Amount)"] != 161.0 || got[0]["MAX(Amount)"] != 100.0 {
		t.Errorf("ungrouped: %v", got)
	}
}

func TestMapRecord(t *testing.T) {
	r := MapRecord{"Owner": map[string]any{"id": "1", "name": "P"}, "Account_Name.Account_Name": "Zylker",
		"a": map[string]any{"b": map[string]any{"c": 3}}}
	for path, want := range map[string]any{
		"Owner.id": "1", "Account_Name.Account_Name": "Zylker", "a.b.c": 3, "a.x.c": nil, "Owner.id.x": nil, "missing": nil,
	} {
		if got := r.Value(path); got != want {
			t.Errorf("Value(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestParseFieldType(t *testing.T) {
	for name, want := range map[string]FieldType{
		"text": TypeText, "website": TypeText, "textarea": TypeTextArea, "integer": TypeNumber, "bigint": TypeNumber,
		"currency": TypeNumber, "boolean": TypeBool, "date": TypeDate, "DateTime": TypeDateTime, "lookup": TypeLookup,
		"ownerlookup": TypeOwner, "userlookup": TypeOwner, "picklist": TypePicklist, "multiselectpicklist": TypeMultiSelect,
		"email": TypeEmail, "phone": TypePhone,
	} {
		if got, ok := ParseFieldType(name); !ok || got != want {
			t.Errorf("ParseFieldType(%s) = %v, %v", name, got, ok)
		}
	}
	if _, ok := ParseFieldType("subform"); ok {
		t.Error("subform should be unknown")
	}
	if TypeDateTime.String() != "datetime" || FieldType(99).String() != "unknown" {
		t.Error("String")
	}
}
