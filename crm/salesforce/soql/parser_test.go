package soql

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func TestParseRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT Id FROM Account", ""},
		{"select id, name from account", "SELECT id, name FROM account"},
		{"SELECT Id, Account.Name, Account.Owner.Email FROM Contact", ""},
		{"SELECT COUNT() FROM Lead", ""},
		{"select count ( ) from Lead where IsDeleted = FALSE", "SELECT COUNT() FROM Lead WHERE IsDeleted = false"},
		{"SELECT Count FROM X", ""},
		{"SELECT Id\n\tFROM Contact\r\n WHERE  Name='x'", "SELECT Id FROM Contact WHERE Name = 'x'"},
		{"SELECT Id FROM A WHERE B <> 'x'", "SELECT Id FROM A WHERE B != 'x'"},
		{"SELECT Id FROM A WHERE B != null AND C = NULL", "SELECT Id FROM A WHERE B != null AND C = null"},
		{"SELECT Id FROM A WHERE B < 1 AND B <= -1.50 AND B > 0.25 AND B >= 007", ""},
		{"SELECT Id FROM A WHERE B = true OR B = False", "SELECT Id FROM A WHERE B = true OR B = false"},
		{"SELECT Id FROM A WHERE D = 2024-01-15 AND T > 2024-01-15T10:30:00Z", ""},
		{"SELECT Id FROM A WHERE T > 2024-01-15T10:30:00+02:00 AND T < 2024-01-15T10:30:00.000-05:00", ""},
		{"SELECT Id FROM A WHERE D = today OR D = last_n_days:07 OR D > N_DAYS_AGO:3",
			"SELECT Id FROM A WHERE D = TODAY OR D = LAST_N_DAYS:7 OR D > N_DAYS_AGO:3"},
		{"SELECT Id FROM A WHERE D = LAST_N_DAYS : 5", "SELECT Id FROM A WHERE D = LAST_N_DAYS:5"},
		{"SELECT Id FROM A WHERE B LIKE 'a\\%b_%'", ""},
		{"SELECT Id FROM A WHERE B like 'x'", "SELECT Id FROM A WHERE B LIKE 'x'"},
		{"SELECT Id FROM A WHERE B IN ('a','b' , 'c')", "SELECT Id FROM A WHERE B IN ('a', 'b', 'c')"},
		{"SELECT Id FROM A WHERE B not in (1, null)", "SELECT Id FROM A WHERE B NOT IN (1, null)"},
		{"SELECT Id FROM A WHERE B includes ('a;b', 'c') AND B EXCLUDES ('d')", "SELECT Id FROM A WHERE B INCLUDES ('a;b', 'c') AND B EXCLUDES ('d')"},
		{"SELECT Id FROM A WHERE ((B = 1))", "SELECT Id FROM A WHERE B = 1"},
		{"SELECT Id FROM A WHERE (B = 1 OR C = 2) AND D = 3", ""},
		{"SELECT Id FROM A WHERE B = 1 AND (C = 2 AND D = 3)", ""},
		{"SELECT Id FROM A WHERE B = 1 OR (C = 2 OR D = 3)", ""},
		{"SELECT Id FROM A WHERE NOT (B = 1 OR C = 2)", ""},
		{"SELECT Id FROM A WHERE NOT B = 1 AND C = 2", ""},
		{"SELECT Id FROM A WHERE NOT (B = 1) OR NOT NOT C = 2", "SELECT Id FROM A WHERE NOT B = 1 OR NOT NOT C = 2"},
		{"SELECT Id FROM A ORDER BY Name ASC NULLS FIRST, CreatedDate DESC NULLS LAST, Id desc",
			"SELECT Id FROM A ORDER BY Name, CreatedDate DESC NULLS LAST, Id DESC"},
		{"SELECT Id FROM A ORDER BY Name NULLS LAST", ""},
		{"SELECT Id FROM A LIMIT 0 OFFSET 0", "SELECT Id FROM A LIMIT 0"},
		{"SELECT Id FROM A WHERE B = 1 ORDER BY C LIMIT 10 OFFSET 2000", ""},
		{"SELECT Id FROM A OFFSET 5", ""},
		{"SELECT Id FROM Order ORDER BY OrderNumber", ""},
		{"SELECT Offset, Order.Name FROM Offset OFFSET 1", ""},
		{"SELECT Id FROM A WHERE Today = TODAY", ""},
		{`SELECT Id FROM A WHERE B = 'It\'s \"q\" \\ \n\u00e9'`, ""},
		{"SELECT Id FROM A WHERE B = 'caf\u00e9 \u65e5\u672c'", ""},
		{"SELECT Id FROM A WHERE B = ''", ""},
	}
	for _, tt := range tests {
		roundTrip(t, tt.in, tt.want)
	}
}

func TestParseStructure(t *testing.T) {
	q, err := Parse(`select Id, Account.Name from Contact where (Name = 'a\'b' or Amount__c > -1.5) and not CreatedDate = LAST_N_WEEKS:2 and Birthdate in (2024-01-15, null) order by Name desc nulls last, Id limit 200 offset 10`)
	if err != nil {
		t.Fatal(err)
	}
	if q.Object != "Contact" || !reflect.DeepEqual(q.Fields, []string{"Id", "Account.Name"}) || q.CountOnly {
		t.Errorf("select: %q %q %v", q.Object, q.Fields, q.CountOnly)
	}
	if q.Limit != 200 || q.Offset != 10 {
		t.Errorf("limit/offset = %d/%d", q.Limit, q.Offset)
	}
	wantOrder := []Order{{Field: "Name", Desc: true, NullsLast: true}, {Field: "Id"}}
	if !reflect.DeepEqual(stripped(q).OrderBy, wantOrder) {
		t.Errorf("order = %+v", q.OrderBy)
	}
	and, ok := q.Where.(*And)
	if !ok || len(and.Terms) != 3 {
		t.Fatalf("where = %#v", q.Where)
	}
	or, ok := and.Terms[0].(*Or)
	if !ok || len(or.Terms) != 2 {
		t.Fatalf("first term = %#v", and.Terms[0])
	}
	name := or.Terms[0].(*Condition)
	if name.Field != "Name" || name.Op != "=" || name.Values[0].Kind != KindString || name.Values[0].Str != "a'b" || name.Values[0].Text != `a\'b` {
		t.Errorf("name condition = %+v", name)
	}
	amt := or.Terms[1].(*Condition)
	if amt.Values[0].Kind != KindNumber || amt.Values[0].Num != -1.5 || amt.Values[0].Text != "-1.5" {
		t.Errorf("amount literal = %+v", amt.Values[0])
	}
	not := and.Terms[1].(*Not)
	rel := not.X.(*Condition).Values[0]
	if rel.Kind != KindRelative || rel.Text != "LAST_N_WEEKS" || rel.N != 2 {
		t.Errorf("relative literal = %+v", rel)
	}
	in := and.Terms[2].(*Condition)
	if in.Op != "IN" || len(in.Values) != 2 || in.Values[0].Kind != KindDate || !in.Values[0].Time.Equal(day("2024-01-15")) || in.Values[1].Kind != KindNull {
		t.Errorf("in condition = %+v", in)
	}

	q, err = Parse("SELECT COUNT() FROM Lead")
	if err != nil || !q.CountOnly || q.Fields != nil || q.Limit != -1 || q.Offset != 0 || q.Where != nil {
		t.Errorf("count query = %+v, %v", q, err)
	}
}

func TestParseLiterals(t *testing.T) {
	tests := []struct {
		lit  string
		want Value
	}{
		{"'x'", Value{Kind: KindString, Str: "x", Text: "x"}},
		{`'\n\N\r\R\t\T\b\B\f\F'`, Value{Kind: KindString, Str: "\n\n\r\r\t\t\b\b\f\f", Text: `\n\N\r\R\t\T\b\B\f\F`}},
		{`'\'\"\\\_\%'`, Value{Kind: KindString, Str: `'"\_%`, Text: `\'\"\\\_\%`}},
		{`'\u00E9\u4e2d'`, Value{Kind: KindString, Str: "é中", Text: `\u00E9\u4e2d`}},
		{"42", Value{Kind: KindNumber, Num: 42, Text: "42"}},
		{"-0.125", Value{Kind: KindNumber, Num: -0.125, Text: "-0.125"}},
		{"TRUE", Value{Kind: KindBool, Bool: true, Text: "true"}},
		{"null", Value{Kind: KindNull, Text: "null"}},
		{"2024-02-29", Value{Kind: KindDate, Time: day("2024-02-29"), Text: "2024-02-29"}},
		{"2024-01-15T10:30:00Z", Value{Kind: KindDateTime, Time: instant("2024-01-15T10:30:00Z"), Text: "2024-01-15T10:30:00Z"}},
		{"2024-01-15T10:30:00+02:00", Value{Kind: KindDateTime, Time: instant("2024-01-15T08:30:00Z"), Text: "2024-01-15T10:30:00+02:00"}},
		{"2024-01-15T10:30:00-05:00", Value{Kind: KindDateTime, Time: instant("2024-01-15T15:30:00Z"), Text: "2024-01-15T10:30:00-05:00"}},
		{"2024-01-15T10:30:00.123Z", Value{Kind: KindDateTime, Time: instant("2024-01-15T10:30:00.123Z"), Text: "2024-01-15T10:30:00.123Z"}},
		{"yesterday", Value{Kind: KindRelative, Text: "YESTERDAY"}},
		{"NEXT_N_MONTHS:12", Value{Kind: KindRelative, Text: "NEXT_N_MONTHS", N: 12}},
	}
	for _, tt := range tests {
		q, err := Parse("SELECT Id FROM A WHERE B = " + tt.lit)
		if err != nil {
			t.Errorf("%s: %v", tt.lit, err)
			continue
		}
		got := q.Where.(*Condition).Values[0]
		got.pos = 0
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.lit, got, tt.want)
		}
		if got.Time.Location() != time.UTC {
			t.Errorf("%s: time not in UTC", tt.lit)
		}
	}
}

func TestValueString(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Value{Kind: KindString, Str: "it's\n\\"}, `'it\'s\n\\'`},
		{Value{Kind: KindString, Str: "\"\r\t\b\f"}, `'\"\r\t\b\f'`},
		{Value{Kind: KindNumber, Num: 1.5}, "1.5"},
		{Value{Kind: KindNumber, Num: math.Inf(1), Text: "1"}, "1"},
		{Value{Kind: KindBool, Bool: true}, "true"},
		{Value{Kind: KindDate, Time: day("2024-01-02")}, "2024-01-02"},
		{Value{Kind: KindDateTime, Time: instant("2024-01-02T03:04:05+01:00")}, "2024-01-02T02:04:05Z"},
		{Value{Kind: KindRelative, Text: "LAST_N_DAYS", N: 3}, "LAST_N_DAYS:3"},
		{Value{Kind: KindRelative, Text: "TODAY"}, "TODAY"},
		{Value{}, "null"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%#v.String() = %s, want %s", tt.v, got, tt.want)
		}
	}
	for k, want := range map[Kind]string{KindNull: "null", KindDateTime: "dateTime", Kind(99): "Kind(99)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind %d = %s, want %s", int(k), got, want)
		}
	}
}

// TestStringOfBuiltQuery covers String on a Query built by hand (no Text).
func TestStringOfBuiltQuery(t *testing.T) {
	q := &Query{
		Object: "Lead", Fields: []string{"Id"}, Limit: -1,
		Where: &And{Terms: []Expr{
			&Condition{Field: "Name", Op: "LIKE", Values: []Value{{Kind: KindString, Str: "a'%"}}},
			&Or{Terms: []Expr{
				&Condition{Field: "X", Op: "IN", Values: []Value{{Kind: KindNumber, Num: 1}, {Kind: KindNull}}},
				&Not{X: &Condition{Field: "Y", Op: "=", Values: []Value{{Kind: KindBool}}}},
			}},
		}},
	}
	want := `SELECT Id FROM Lead WHERE Name LIKE 'a\'%' AND (X IN (1, null) OR NOT Y = false)`
	if got := q.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	r := row{"Name": "A'bc", "Y": true}
	if !q.Match(r, now) {
		t.Errorf("built query should match %v", r)
	}
}
