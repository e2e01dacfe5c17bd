package soql

import (
	"fmt"
	"reflect"
	"testing"
)

// opps are Opportunity rows for the aggregate tests.
var opps = []Row{
	row{"Id": "006000000000001AAA", "StageName": "Closed Won", "Amount": 100.0, "AccountId": "001000000000001AAA", "Account.Name": "Acme", "CloseDate": day("2024-03-01"), "CreatedDate": instant("2024-01-02T10:00:00Z")},
	row{"Id": "006000000000002AAA", "StageName": "closed won", "Amount": 300.0, "AccountId": "001000000000001AAA", "Account.Name": "Acme", "CloseDate": day("2025-01-15"), "CreatedDate": instant("2024-12-31T23:30:00Z")},
	row{"Id": "006000000000003AAA", "StageName": "Prospecting", "Amount": nil, "AccountId": "001000000000002AAA", "Account.Name": "Globex", "CloseDate": day("2024-06-30"), "CreatedDate": instant("2024-05-01T00:00:00Z")},
	row{"Id": "006000000000004AAA", "StageName": "Prospecting", "Amount": 50.0, "AccountId": nil, "CloseDate": day("2024-07-01"), "CreatedDate": instant("2024-05-02T00:00:00Z")},
	row{"Id": "006000000000005AAA", "StageName": nil, "Amount": 7.0, "AccountId": "001000000000002AAA", "Account.Name": "Globex", "CloseDate": day("2024-07-01"), "CreatedDate": instant("2024-05-03T00:00:00Z")},
}

// aggregate parses, checks and evaluates q over rows and returns every
// group's columns (by name) as strings, in order.
func aggregate(t *testing.T, q string, rows []Row) []map[string]string {
	t.Helper()
	query, e := checkErr(t, testSchema, q)
	if e != nil {
		t.Fatalf("%s: %v", q, e)
	}
	var out []map[string]string
	for _, g := range query.Aggregate(rows, now) {
		m := map[string]string{}
		for _, c := range query.Columns() {
			m[c.Name] = fmt.Sprint(g.Value(c.Item.Key()))
		}
		out = append(out, m)
	}
	return out
}

func TestAggregate(t *testing.T) {
	tests := []struct {
		name string
		q    string
		rows []Row
		want []map[string]string
	}{
		{"count and sums without GROUP BY", "SELECT COUNT(Id), COUNT(AccountId), COUNT_DISTINCT(AccountId), SUM(Amount), AVG(Amount) avg, MIN(Amount), MAX(CloseDate) FROM Opportunity", opps,
			[]map[string]string{{"expr0": "5", "expr1": "4", "expr2": "2", "expr3": "457", "avg": "114.25", "expr4": "7", "expr5": "2025-01-15 00:00:00 +0000 UTC"}}},
		{"no rows: one group, counts 0 and sums null", "SELECT COUNT(Id), SUM(Amount), MAX(Amount) FROM Opportunity", nil,
			[]map[string]string{{"expr0": "0", "expr1": "<nil>", "expr2": "<nil>"}}},
		{"no rows with GROUP BY: no group", "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName", nil, nil},
		{"GROUP BY folds case, null group first", "SELECT StageName, COUNT(Id) n, SUM(Amount) FROM Opportunity GROUP BY StageName", opps,
			[]map[string]string{
				{"StageName": "<nil>", "n": "1", "expr0": "7"},
				{"StageName": "Closed Won", "n": "2", "expr0": "400"},
				{"StageName": "Prospecting", "n": "2", "expr0": "50"},
			}},
		{"grouped parent field keeps its last segment", "SELECT Account.Name, COUNT(Id) FROM Opportunity GROUP BY Account.Name ORDER BY Account.Name DESC NULLS LAST", opps,
			[]map[string]string{{"Name": "Globex", "expr0": "2"}, {"Name": "Acme", "expr0": "2"}, {"Name": "<nil>", "expr0": "1"}}},
		{"HAVING, ORDER BY an aggregate, LIMIT", "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1 ORDER BY SUM(Amount) DESC LIMIT 1", opps,
			[]map[string]string{{"StageName": "Closed Won", "expr0": "2"}}},
		{"HAVING on a group key, OFFSET", "SELECT StageName, MAX(Amount) FROM Opportunity GROUP BY StageName HAVING StageName != null ORDER BY StageName OFFSET 1", opps,
			[]map[string]string{{"StageName": "Prospecting", "expr0": "50"}}},
		{"date functions", "SELECT CALENDAR_YEAR(CloseDate) y, CALENDAR_QUARTER(CloseDate), COUNT(Id) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate), CALENDAR_QUARTER(CloseDate)", opps,
			[]map[string]string{{"y": "2024", "expr0": "1", "expr1": "1"}, {"y": "2024", "expr0": "2", "expr1": "1"}, {"y": "2024", "expr0": "3", "expr1": "2"}, {"y": "2025", "expr0": "1", "expr1": "1"}}},
		{"DAY_ONLY of a datetime", "SELECT DAY_ONLY(CreatedDate), COUNT(Id) FROM Opportunity WHERE CALENDAR_YEAR(CreatedDate) = 2024 AND HOUR_IN_DAY(CreatedDate) > 20 GROUP BY DAY_ONLY(CreatedDate)", opps,
			[]map[string]string{{"expr0": "2024-12-31 00:00:00 +0000 UTC", "expr1": "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, e := checkErr(t, testSchema, tt.q)
			if e != nil {
				t.Fatal(e)
			}
			var rows []Row
			for _, r := range tt.rows {
				if q.Match(r, now) {
					rows = append(rows, r)
				}
			}
			got := aggregate(t, tt.q, rows)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestAggregatePicklistOrderAndDistinct(t *testing.T) {
	accts := []Row{
		row{"Id": "001000000000001AAA", "Rating": "Warm", "Industry": "Retail", "Name": "b"},
		row{"Id": "001000000000002AAA", "Rating": "Cold", "Industry": "retail", "Name": "a"},
		row{"Id": "001000000000003AAA", "Rating": "Hot", "Industry": "Energy", "Name": "B"},
	}
	// MIN/MAX of a picklist follow the picklist's order (Hot, Warm, Cold),
	// of text the alphabet; COUNT_DISTINCT of text ignores case.
	got := aggregate(t, "SELECT MIN(Rating), MAX(Rating), MIN(Name), MAX(Name), COUNT_DISTINCT(Industry), COUNT_DISTINCT(Name) FROM Account", accts)
	want := []map[string]string{{"expr0": "Hot", "expr1": "Cold", "expr2": "a", "expr3": "b", "expr4": "2", "expr5": "2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	// A grouped text key takes the spelling of its first row.
	got = aggregate(t, "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry", accts)
	want = []map[string]string{{"Industry": "Energy", "expr0": "1"}, {"Industry": "Retail", "expr0": "2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
