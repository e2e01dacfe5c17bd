package sftest

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitJob polls a job until it leaves the open/in-progress states.
func (e *env) waitJob(kind, id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var info map[string]any
		e.must(200, "GET", "jobs/"+kind+"/"+id, nil).json(e.t, &info)
		switch info["state"] {
		case "JobComplete", "Failed", "Aborted":
			return info
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s stuck in %v", id, info["state"])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readCSV(t *testing.T, r resp) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatalf("csv %q: %v", r.body, err)
	}
	return rows
}

// ingest runs one ingest job to its end and returns the job info.
func (e *env) ingest(job map[string]any, data string) (string, map[string]any) {
	e.t.Helper()
	var info map[string]any
	e.must(200, "POST", "jobs/ingest", job).json(e.t, &info)
	id := info["id"].(string)
	e.must(201, "PUT", "jobs/ingest/"+id+"/batches", data, "Content-Type", "text/csv")
	e.must(200, "PATCH", "jobs/ingest/"+id, map[string]any{"state": "UploadComplete"})
	return id, e.waitJob("ingest", id)
}

func TestBulkIngest(t *testing.T) {
	e := newEnv(t, Options{})
	var info map[string]any
	e.must(200, "POST", "jobs/ingest", map[string]any{"object": "Contact", "operation": "insert"}).json(t, &info)
	for k, want := range map[string]any{"state": "Open", "object": "Contact", "operation": "insert", "apiVersion": 62.0,
		"contentType": "CSV", "lineEnding": "LF", "columnDelimiter": "COMMA", "concurrencyMode": "Parallel"} {
		if info[k] != want {
			t.Errorf("create %s = %v, want %v", k, info[k], want)
		}
	}
	if cu := info["contentUrl"].(string); !strings.HasPrefix(cu, "services/data/v62.0/jobs/ingest/750") {
		t.Errorf("contentUrl %s", cu)
	}
	acct := e.create("Account", map[string]any{"Name": "Acme", "Zoho_Account_Id__c": "ZA-1"})
	id, info := e.ingest(map[string]any{"object": "Contact", "operation": "insert"},
		"LastName,Email,Account.Zoho_Account_Id__c,Birthdate\n"+
			"Ng,ng@acme.example,ZA-1,1990-02-03\n"+
			",x@acme.example,ZA-1,\n"+
			"Bad,not-an-email,,\n"+
			"\"Quote, \"\"Q\"\"\",,,1980-13-45\n"+
			"Lone,,ZA-404,\n")
	if info["state"] != "JobComplete" || info["numberRecordsProcessed"] != 5.0 || info["numberRecordsFailed"] != 4.0 || info["jobType"] != "V2Ingest" {
		t.Fatalf("info %v", info)
	}
	ok := readCSV(t, e.must(200, "GET", "jobs/ingest/"+id+"/successfulResults/", nil))
	if strings.Join(ok[0], ",") != "sf__Id,sf__Created,LastName,Email,Account.Zoho_Account_Id__c,Birthdate" || len(ok) != 2 ||
		ok[1][1] != "true" || ok[1][2] != "Ng" || !strings.HasPrefix(ok[1][0], "003") {
		t.Fatalf("successfulResults %v", ok)
	}
	bad := readCSV(t, e.must(200, "GET", "jobs/ingest/"+id+"/failedResults/", nil))
	if strings.Join(bad[0][:2], ",") != "sf__Id,sf__Error" || len(bad) != 5 {
		t.Fatalf("failedResults %v", bad)
	}
	errs := map[string]string{}
	for _, r := range bad[1:] {
		errs[r[2]] = r[1]
	}
	for name, prefix := range map[string]string{
		"":           "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
		"Bad":        "INVALID_EMAIL_ADDRESS:",
		`Quote, "Q"`: "INVALID_TYPE_ON_FIELD_IN_RECORD:",
		"Lone":       "INVALID_FIELD:Foreign key external ID: ZA-404",
	} {
		if !strings.HasPrefix(errs[name], prefix) {
			t.Errorf("row %q: sf__Error %q, want prefix %q", name, errs[name], prefix)
		}
	}
	var c map[string]any
	e.must(200, "GET", "sobjects/Contact/"+ok[1][0], nil).json(t, &c)
	if c["AccountId"] != acct || c["Birthdate"] != "1990-02-03" {
		t.Errorf("inserted contact %v", c)
	}
	cid := ok[1][0]
	// Update: empty leaves a value, #N/A clears it; upsert; delete.
	_, info = e.ingest(map[string]any{"object": "Contact", "operation": "update"}, "Id,Email,Title\n"+cid+",,#N/A\n")
	if info["numberRecordsFailed"] != 0.0 {
		t.Fatalf("update %v", info)
	}
	_, info = e.ingest(map[string]any{"object": "Contact", "operation": "update", "lineEnding": "CRLF", "columnDelimiter": "PIPE"},
		"Id|Title\r\n"+cid+"|CEO\r\n")
	e.must(200, "GET", "sobjects/Contact/"+cid, nil).json(t, &c)
	if c["Email"] != "ng@acme.example" || c["Title"] != "CEO" || info["numberRecordsFailed"] != 0.0 {
		t.Errorf("after updates %v %v", c, info)
	}
	id, info = e.ingest(map[string]any{"object": "Account", "operation": "upsert", "externalIdFieldName": "Zoho_Account_Id__c"},
		"Zoho_Account_Id__c,Name\nZA-1,Acme 2\nZA-2,Beta\n")
	ok = readCSV(t, e.must(200, "GET", "jobs/ingest/"+id+"/successfulResults", nil))
	if len(ok) != 3 || ok[1][0] != acct || ok[1][1] != "false" || ok[2][1] != "true" {
		t.Fatalf("upsert results %v", ok)
	}
	_, info = e.ingest(map[string]any{"object": "Contact", "operation": "delete"}, "Id\n"+cid+"\n"+makeID("003", 999)+"\n")
	if info["numberRecordsProcessed"] != 2.0 || info["numberRecordsFailed"] != 1.0 {
		t.Fatalf("delete %v", info)
	}
	var all queryResult
	e.must(200, "GET", "queryAll?q="+urlEscape("SELECT Id FROM Contact WHERE IsDeleted = true"), nil).json(t, &all)
	if all.TotalSize != 1 {
		t.Fatalf("soft delete: %+v", all)
	}
	_, info = e.ingest(map[string]any{"object": "Contact", "operation": "hardDelete"}, "Id\n"+cid+"\n")
	e.must(200, "GET", "queryAll?q="+urlEscape("SELECT Id FROM Contact WHERE IsDeleted = true"), nil).json(t, &all)
	if all.TotalSize != 0 || info["numberRecordsFailed"] != 0.0 {
		t.Fatalf("hard delete: %+v %v", all, info)
	}
	// Whole-job failures.
	_, info = e.ingest(map[string]any{"object": "Contact", "operation": "insert"}, "LastName,Nope__c\nA,1\n")
	if info["state"] != "Failed" || !strings.Contains(info["errorMessage"].(string), "Nope__c") {
		t.Fatalf("unknown column %v", info)
	}
	id, info = e.ingest(map[string]any{"object": "Contact", "operation": "insert"}, "LastName\r\nA\r\n")
	if info["state"] != "Failed" || !strings.Contains(info["errorMessage"].(string), "LineEnding") {
		t.Fatalf("CRLF in LF job %v", info)
	}
	un := readCSV(t, e.must(200, "GET", "jobs/ingest/"+id+"/unprocessedrecords/", nil))
	if len(un) != 0 {
		// The line-ending check fails before parsing: no rows to report.
		t.Logf("unprocessed %v", un)
	}
	// Two uploads make the close fail; abort; delete.
	e.must(200, "POST", "jobs/ingest", map[string]any{"object": "Lead", "operation": "insert"}).json(t, &info)
	jid := info["id"].(string)
	e.must(201, "PUT", "jobs/ingest/"+jid+"/batches", "LastName,Company\nA,B\n", "Content-Type", "text/csv")
	e.must(201, "PUT", "jobs/ingest/"+jid+"/batches", "LastName,Company\nA,B\n", "Content-Type", "text/csv")
	if e.must(400, "PATCH", "jobs/ingest/"+jid, map[string]any{"state": "UploadComplete"}).errCode(t) != "INVALIDJOB" {
		t.Error("second PUT")
	}
	e.must(200, "PATCH", "jobs/ingest/"+jid, map[string]any{"state": "Aborted"}).json(t, &info)
	if info["state"] != "Aborted" {
		t.Fatal(info)
	}
	e.must(204, "DELETE", "jobs/ingest/"+jid, nil)
	e.must(404, "GET", "jobs/ingest/"+jid, nil)
	var list map[string]any
	e.must(200, "GET", "jobs/ingest", nil).json(t, &list)
	if list["done"] != true || len(list["records"].([]any)) < 5 {
		t.Errorf("list %v", list)
	}
	for _, tc := range []struct {
		body any
		code string
	}{
		{map[string]any{"object": "Nope", "operation": "insert"}, "INVALIDENTITY"},
		{map[string]any{"object": "Account", "operation": "merge"}, "INVALIDJOB"},
		{map[string]any{"object": "Account", "operation": "upsert"}, "INVALIDJOB"},
		{map[string]any{"object": "Account", "operation": "upsert", "externalIdFieldName": "Name"}, "INVALIDJOB"},
		{map[string]any{"object": "Account", "operation": "insert", "columnDelimiter": "STAR"}, "INVALIDJOB"},
	} {
		if got := e.must(400, "POST", "jobs/ingest", tc.body).errCode(t); got != tc.code {
			t.Errorf("%v: %s, want %s", tc.body, got, tc.code)
		}
	}
	e.must(200, "POST", "jobs/ingest", map[string]any{"object": "Account", "operation": "insert"}).json(t, &info)
	e.must(415, "PUT", "jobs/ingest/"+info["id"].(string)+"/batches", "Name\nA\n", "Content-Type", "application/json")
}

func TestBulkQuery(t *testing.T) {
	e := newEnv(t, Options{})
	seedAccounts(e, 450)
	acct := e.create("Account", map[string]any{"Name": `Quote "Q", Inc`})
	e.create("Contact", map[string]any{"LastName": "Ng", "AccountId": acct})
	var info map[string]any
	e.must(200, "POST", "jobs/query", map[string]any{"operation": "query", "query": "SELECT Id, Name, NumberOfEmployees, CreatedDate FROM Account"}).json(t, &info)
	if info["state"] != "UploadComplete" || info["operation"] != "query" || !strings.HasPrefix(info["id"].(string), "750") {
		t.Fatalf("create %v", info)
	}
	id := info["id"].(string)
	info = e.waitJob("query", id)
	if info["state"] != "JobComplete" || info["numberRecordsProcessed"] != 451.0 || info["jobType"] != "V2Query" {
		t.Fatalf("info %v", info)
	}
	loc, pages, total := "", 0, 0
	var last [][]string
	for {
		path := "jobs/query/" + id + "/results?maxRecords=200"
		if loc != "" {
			path += "&locator=" + loc
		}
		r := e.must(200, "GET", path, nil, "Accept", "text/csv")
		rows := readCSV(t, r)
		if strings.Join(rows[0], ",") != "Id,Name,NumberOfEmployees,CreatedDate" {
			t.Fatalf("header %v", rows[0])
		}
		if n := r.header.Get("Sforce-NumberOfRecords"); n != itoa(len(rows)-1) {
			t.Fatalf("Sforce-NumberOfRecords %s for %d rows", n, len(rows)-1)
		}
		pages++
		total += len(rows) - 1
		last = rows
		loc = r.header.Get("Sforce-Locator")
		if loc == "null" {
			break
		}
		if loc == "" || pages > 5 {
			t.Fatalf("locator %q", loc)
		}
	}
	if pages != 3 || total != 451 || last[len(last)-1][1] != `Quote "Q", Inc` {
		t.Fatalf("pages %d total %d last %v", pages, total, last[len(last)-1])
	}
	if !strings.HasSuffix(last[1][3], "Z") || last[len(last)-1][2] != "" {
		t.Errorf("value formats %v", last[len(last)-1])
	}
	// Relationship columns; queryAll sees deleted rows.
	c := e.create("Contact", map[string]any{"LastName": "Gone"})
	e.must(204, "DELETE", "sobjects/Contact/"+c, nil)
	e.must(200, "POST", "jobs/query", map[string]any{"operation": "queryAll", "query": "SELECT LastName, Account.Name, IsDeleted FROM Contact"}).json(t, &info)
	qid := info["id"].(string)
	e.waitJob("query", qid)
	rows := readCSV(t, e.must(200, "GET", "jobs/query/"+qid+"/results", nil))
	if strings.Join(rows[0], ",") != "LastName,Account.Name,IsDeleted" || len(rows) != 3 || rows[1][1] != `Quote "Q", Inc` || rows[2][2] != "true" {
		t.Fatalf("queryAll rows %v", rows)
	}
	e.ver = "v61.0"
	e.must(409, "GET", "jobs/query/"+qid+"/results", nil)
	e.ver = "v62.0"
	e.must(204, "DELETE", "jobs/query/"+qid, nil)
	e.must(404, "GET", "jobs/query/"+qid, nil)
	if e.must(400, "POST", "jobs/query", map[string]any{"query": "SELECT Nope FROM Account"}).errCode(t) != "INVALID_FIELD" {
		t.Error("bad query accepted")
	}
	if e.must(400, "POST", "jobs/query", map[string]any{"query": "SELECT Id FROM Nope"}).errCode(t) != "INVALID_TYPE" {
		t.Error("bad object accepted")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
