package sftest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// seedAccounts creates n accounts named A0000… with a Zoho id each.
func seedAccounts(e *env, n int) []string {
	e.t.Helper()
	ids := make([]string, 0, n)
	for start := 0; start < n; start += 200 {
		var recs []map[string]any
		for i := start; i < min(n, start+200); i++ {
			recs = append(recs, map[string]any{"attributes": map[string]any{"type": "Account"},
				"Name": fmt.Sprintf("A%04d", i), "Zoho_Account_Id__c": fmt.Sprintf("Z%d", i), "NumberOfEmployees": i})
		}
		var res []map[string]any
		e.must(200, "POST", "composite/sobjects", map[string]any{"records": recs}).json(e.t, &res)
		for _, r := range res {
			if r["success"] != true {
				e.t.Fatalf("seed: %v", r)
			}
			ids = append(ids, r["id"].(string))
		}
	}
	return ids
}

func TestQueryPaging(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Now: clk.Now, LocatorTTL: 15 * time.Minute})
	seedAccounts(e, 450)
	for _, tc := range []struct {
		name       string
		soql       string
		batch      string
		wantTotal  int
		wantPages  []int
		wantFirstN string
	}{
		{"empty", "SELECT Id FROM Account WHERE Name = 'nobody'", "", 0, []int{0}, ""},
		{"one page default", "SELECT Id, Name FROM Account ORDER BY Name", "", 450, []int{450}, "A0000"},
		{"batch 200", "SELECT Id, Name FROM Account ORDER BY Name DESC", "batchSize=200", 450, []int{200, 200, 50}, "A0449"},
		{"exactly one page", "SELECT Id, Name FROM Account WHERE NumberOfEmployees < 200 ORDER BY Name", "batchSize=200", 200, []int{200}, "A0000"},
		{"batch below minimum", "SELECT Id FROM Account", "batchSize=10", 450, []int{200, 200, 50}, ""},
		{"limit", "SELECT Id, Name FROM Account ORDER BY NumberOfEmployees LIMIT 5 OFFSET 3", "", 5, []int{5}, "A0003"},
		{"ext id index", "SELECT Name FROM Account WHERE Zoho_Account_Id__c IN ('z7', 'Z9')", "", 2, []int{2}, "A0007"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.batch != "" {
				hdr = []string{"Sforce-Query-Options", tc.batch}
			}
			q := e.query(tc.soql, hdr...)
			var pages []int
			seen := map[string]bool{}
			first := q
			for {
				if q.TotalSize != tc.wantTotal {
					t.Fatalf("totalSize %d, want %d", q.TotalSize, tc.wantTotal)
				}
				pages = append(pages, len(q.Records))
				for _, r := range q.Records {
					u := r["attributes"].(map[string]any)["url"].(string)
					if seen[u] {
						t.Fatalf("record %s twice", u)
					}
					seen[u] = true
				}
				if q.Done {
					if q.NextRecordsURL != "" {
						t.Fatal("done page with nextRecordsUrl")
					}
					break
				}
				if !strings.HasPrefix(q.NextRecordsURL, "/services/data/v62.0/query/01g") {
					t.Fatalf("nextRecordsUrl %q", q.NextRecordsURL)
				}
				q = queryResult{}
				e.must(200, "GET", q2path(first, pages, e), nil).json(t, &q)
				first.NextRecordsURL = q.NextRecordsURL
			}
			if fmt.Sprint(pages) != fmt.Sprint(tc.wantPages) {
				t.Fatalf("pages %v, want %v", pages, tc.wantPages)
			}
			if tc.wantFirstN != "" && first.Records[0]["Name"] != tc.wantFirstN {
				t.Fatalf("first row %v", first.Records[0])
			}
		})
	}
	// An idle locator expires.
	q := e.query("SELECT Id FROM Account", "Sforce-Query-Options", "batchSize=200")
	clk.Add(16 * time.Minute)
	r := e.must(400, "GET", q.NextRecordsURL, nil)
	if r.errCode(t) != "INVALID_QUERY_LOCATOR" {
		t.Fatal(string(r.body))
	}
	e.must(400, "GET", "query/garbage", nil)
	// Only 10 cursors stay open: the oldest is dropped.
	var urls []string
	for i := 0; i < 11; i++ {
		urls = append(urls, e.query("SELECT Id FROM Account", "Sforce-Query-Options", "batchSize=200").NextRecordsURL)
	}
	e.must(400, "GET", urls[0], nil)
	e.must(200, "GET", urls[10], nil)
}

// q2path returns the path of the next page.
func q2path(q queryResult, _ []int, _ *env) string { return q.NextRecordsURL }

func TestQueryShapesAndErrors(t *testing.T) {
	e := newEnv(t, Options{})
	acct := e.create("Account", map[string]any{"Name": "Acme"})
	c1 := e.create("Contact", map[string]any{"LastName": "Ng", "AccountId": acct, "Email": "ng@acme.example"})
	c2 := e.create("Contact", map[string]any{"LastName": "Orphan"})
	q := e.query("SELECT Id, LastName, Account.Name, Owner.Email, Account.Owner.Username FROM Contact ORDER BY LastName")
	if q.TotalSize != 2 || !q.Done {
		t.Fatalf("%+v", q)
	}
	ng, orphan := q.Records[0], q.Records[1]
	a, ok := ng["Account"].(map[string]any)
	if !ok || a["Name"] != "Acme" || a["attributes"].(map[string]any)["type"] != "Account" {
		t.Fatalf("nested parent %v", ng)
	}
	if a["Owner"].(map[string]any)["Username"] != DefaultUsername || ng["Owner"].(map[string]any)["Email"] != DefaultUsername {
		t.Errorf("owner %v", ng)
	}
	if v, ok := orphan["Account"]; !ok || v != nil {
		t.Errorf("missing parent should be null: %v", orphan)
	}
	if ng["Id"] != c1 || orphan["Id"] != c2 {
		t.Errorf("ids %v %v", ng["Id"], orphan["Id"])
	}
	if q := e.query("SELECT COUNT() FROM Contact"); q.TotalSize != 2 || len(q.Records) != 0 || !q.Done {
		t.Errorf("count %+v", q)
	}
	if q := e.query("SELECT Id FROM Contact WHERE Id = '" + c1[:15] + "'"); q.TotalSize != 1 {
		t.Errorf("15-char id filter %+v", q)
	}
	// Deleted rows only through queryAll.
	e.must(204, "DELETE", "sobjects/Contact/"+c2, nil)
	if q := e.query("SELECT Id FROM Contact"); q.TotalSize != 1 {
		t.Errorf("query sees deleted rows: %+v", q)
	}
	var all queryResult
	e.must(200, "GET", "queryAll?q="+urlEscape("SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = true"), nil).json(t, &all)
	if all.TotalSize != 1 || all.Records[0]["Id"] != c2 || all.Records[0]["IsDeleted"] != true {
		t.Errorf("queryAll %+v", all)
	}
	for _, tc := range []struct{ soql, code string }{
		{"SELECT FROM Account", "MALFORMED_QUERY"},
		{"SELECT Nope FROM Account", "INVALID_FIELD"},
		{"SELECT Id FROM Nope", "INVALID_TYPE"},
		{"SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", "INVALID_FIELD"},
		{"", "MALFORMED_QUERY"},
	} {
		r := e.must(400, "GET", "query?q="+urlEscape(tc.soql), nil)
		if got := r.errCode(t); got != tc.code {
			t.Errorf("%q: %s, want %s", tc.soql, r.body, tc.code)
		}
	}
	e.must(405, "POST", "query?q=SELECT+Id+FROM+Account", map[string]any{})
}

func TestIncrementalExtractByModstamp(t *testing.T) {
	e := newEnv(t, Options{})
	ids := seedAccounts(e, 30)
	var rec map[string]any
	e.must(200, "GET", "sobjects/Account/"+ids[9], nil).json(t, &rec)
	cut := rec["SystemModstamp"].(string)
	e.must(204, "PATCH", "sobjects/Account/"+ids[2], map[string]any{"Phone": "1"})
	soql := "SELECT Id, SystemModstamp FROM Account WHERE SystemModstamp > " + strings.Replace(cut, "+0000", "Z", 1) +
		" ORDER BY SystemModstamp ASC, Id ASC"
	q := e.query(soql)
	if q.TotalSize != 21 || q.Records[20]["Id"] != ids[2] || q.Records[0]["Id"] != ids[10] {
		t.Fatalf("incremental: %d rows, last %v", q.TotalSize, q.Records[len(q.Records)-1])
	}
	prev := ""
	for _, r := range q.Records {
		s := r["SystemModstamp"].(string)
		if s <= prev {
			t.Fatalf("stamps not strictly increasing: %s after %s", s, prev)
		}
		prev = s
	}
	// A frozen clock gives ties, broken by Id.
	tie := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e.ts.FreezeClock(tie)
	for _, i := range []int{5, 1, 3} {
		e.must(204, "PATCH", "sobjects/Account/"+ids[i], map[string]any{"Phone": "2"})
	}
	e.ts.FreezeClock(time.Time{})
	q = e.query("SELECT Id FROM Account WHERE SystemModstamp = 2030-01-01T00:00:00Z ORDER BY SystemModstamp, Id")
	if q.TotalSize != 3 || q.Records[0]["Id"] != ids[1] || q.Records[2]["Id"] != ids[5] {
		t.Fatalf("ties: %+v", q.Records)
	}
	q = e.query("SELECT Id FROM Account WHERE SystemModstamp >= 2030-01-01T00:00:00Z AND Id > '" + ids[1] + "' ORDER BY SystemModstamp, Id")
	if q.TotalSize != 2 || q.Records[0]["Id"] != ids[3] {
		t.Fatalf("keyset after tie: %+v", q.Records)
	}
	id := e.create("Account", map[string]any{"Name": "after thaw"})
	e.must(200, "GET", "sobjects/Account/"+id, nil).json(t, &rec)
	if rec["SystemModstamp"].(string) <= "2030-01-01T00:00:00.000+0000" {
		t.Errorf("clock went back after thaw: %v", rec["SystemModstamp"])
	}
}

func TestReplication(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Now: clk.Now})
	a := e.create("Account", map[string]any{"Name": "A"})
	b := e.create("Account", map[string]any{"Name": "B"})
	clk.Add(2 * time.Minute)
	e.must(204, "DELETE", "sobjects/Account/"+b, nil)
	clk.Add(2 * time.Minute)
	var up struct {
		IDs    []string `json:"ids"`
		Latest string   `json:"latestDateCovered"`
	}
	e.must(200, "GET", "sobjects/Account/updated/?start=2026-01-15T09%3A00%3A00%2B00%3A00&end=2026-01-15T11%3A00%3A00Z", nil).json(t, &up)
	if len(up.IDs) != 1 || up.IDs[0] != a || up.Latest != "2026-01-15T10:04:00.000+0000" {
		t.Fatalf("updated %+v", up)
	}
	var del struct {
		Deleted  []map[string]string `json:"deletedRecords"`
		Earliest string              `json:"earliestDateAvailable"`
		Latest   string              `json:"latestDateCovered"`
	}
	e.must(200, "GET", "sobjects/Account/deleted/?start=2026-01-15T09:00:00Z&end=2026-01-15T10:03:00Z", nil).json(t, &del)
	if len(del.Deleted) != 1 || del.Deleted[0]["id"] != b || del.Deleted[0]["deletedDate"] != "2026-01-15T10:02:00.000+0000" || del.Earliest == "" {
		t.Fatalf("deleted %+v", del)
	}
	for _, q := range []string{
		"start=2026-01-15T10:00:00Z&end=2026-01-15T09:00:00Z",
		"start=2025-11-01T10:00:00Z&end=2026-01-15T09:00:00Z",
		"start=yesterday&end=2026-01-15T09:00:00Z",
	} {
		if e.must(400, "GET", "sobjects/Account/updated/?"+q, nil).errCode(t) != "INVALID_REPLICATION_DATE" {
			t.Error(q)
		}
	}
}
