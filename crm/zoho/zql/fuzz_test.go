package zql

import (
	"errors"
	"reflect"
	"testing"
)

// fuzzRecord exercises Match on every value shape a Record may hold.
var fuzzRecord = MapRecord{
	"id": "4150868000000225013", "Last_Name": "Burns, B", "Amount": 12.5, "N": int64(3),
	"B": true, "T": ts("2024-01-15T10:30:00+05:30"), "D": "2024-01-15",
	"Owner": map[string]any{"id": "1", "name": "P"}, "Tags": []string{"a", "b"}, "Z": nil,
}

func FuzzParseCriteria(f *testing.F) {
	for _, s := range []string{
		"(Last_Name:equals:Burns)",
		"((Last_Name:equals:Burns\\,B)and(First_Name:starts_with:M))",
		"(((Company:equals:Zoho) and (First_Name:starts_with:J)) or (Last_Name:equals:Smith))",
		"(Lead_Status:in:a,b\\,c,d\\))",
		"(Amount:between:1,2)",
		"(T:greater_equal:2019-06-17T11:40:10+05:30)",
		"(Last_Name:equals:K\\\\)",
		"(A:equals:1)or(B:equals:2)and(C:equals:3)",
		"(Owner.id:not_in:1,2)",
		"(x:foo:y)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCriteria(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" {
				t.Fatalf("error %v is not a Zoho *Error", err)
			}
			return
		}
		out := c.String()
		again, err := ParseCriteria(out)
		if err != nil {
			t.Fatalf("%q printed as %q which fails: %v", s, out, err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("%q printed as %q reparses differently: %q", s, out, again.String())
		}
		c.Match(fuzzRecord)
		if c.Check("Leads", schema) == nil {
			c.Match(fuzzRecord)
		}
	})
}

func FuzzParseCOQL(f *testing.F) {
	for _, s := range []string{
		"select Last_Name, Account_Name.Account_Name, Modified_Time from Contacts where Modified_Time > '2024-01-01T00:00:00+00:00' order by Modified_Time asc limit 2000 offset 0",
		"select Stage, COUNT(id), SUM(Amount) from Deals where (Amount between 1 and 5 and Stage in ('a','b')) group by Stage",
		"select id from Leads where (a is null or b not like '%x\\'y%') limit 5, 10",
		"select id from Leads where ((a = 1 and b != -2.5) or c not between 1 and 2) order by a desc, b",
		"select id from Leads where Email_Opt_Out = true and id > 3652397000009851001",
		"select a from Leads where a = 1 and b = 2 and c = 3",
		"select COUNT(*) from Deals where id not in (1, 2) offset 10",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseCOQL(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" {
				t.Fatalf("error %v is not a Zoho *Error", err)
			}
			return
		}
		out := q.String()
		again, err := ParseCOQL(out)
		if err != nil {
			t.Fatalf("%q printed as %q which fails: %v", s, out, err)
		}
		if !reflect.DeepEqual(again, q) {
			t.Fatalf("%q printed as %q reparses differently: %q", s, out, again.String())
		}
		rs := []Record{fuzzRecord, MapRecord{"id": "7"}, MapRecord{}}
		q.Match(fuzzRecord)
		q.Sort(rs)
		q.Aggregate(rs)
		if q.Check(schema) == nil {
			q.Match(fuzzRecord)
			q.Sort(rs)
			q.Aggregate(rs)
		}
	})
}
