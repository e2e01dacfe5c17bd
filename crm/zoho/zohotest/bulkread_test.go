package zohotest_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// bulkJob polls a job until it is done and returns its details.
func (e *env) bulkJob(id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.do(http.MethodGet, "/crm/bulk/v8/read/"+id, nil).want(e.t, http.StatusOK)
		job := r.data()[0]
		switch job["state"] {
		case "COMPLETED", "FAILURE":
			return job
		case "ADDED", "QUEUED", "IN PROGRESS":
		default:
			e.t.Fatalf("job state %v", job["state"])
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s still %v", id, job["state"])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// download fetches a result zip and returns its one CSV's rows.
func (e *env) download(path string) (int, [][]string, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil, raw
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/zip" {
		e.t.Fatalf("download Content-Type %q", ct)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		e.t.Fatal(err)
	}
	if len(zr.File) != 1 || !strings.HasSuffix(zr.File[0].Name, ".csv") {
		e.t.Fatalf("zip holds %d files", len(zr.File))
	}
	f, _ := zr.File[0].Open()
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, rows, nil
}

func createBulk(e *env, query map[string]any) string {
	e.t.Helper()
	r := e.do(http.MethodPost, "/crm/bulk/v8/read", map[string]any{"query": query}).want(e.t, http.StatusCreated)
	d := r.data()
	if len(d) != 1 || d[0]["code"] != "ADDED_SUCCESSFULLY" || d[0]["status"] != "success" {
		e.t.Fatalf("create answer %s", r.raw)
	}
	det := d[0]["details"].(map[string]any)
	if det["state"] != "ADDED" || det["operation"] != "read" {
		e.t.Fatalf("create details %v", det)
	}
	return det["id"].(string)
}

// TestBulkReadJob runs a job through its states and checks the export:
// id first, the asked fields in order, lookups as ids, dot notation, the
// criteria on Modified_Time, 50 credits per job and the counted routes.
func TestBulkReadJob(t *testing.T) {
	e := newEnv(t, zohotest.Options{BulkReadDelay: 20 * time.Millisecond, TokenTTL: 48 * time.Hour})
	if err := e.ts.AddField("Contacts", zohotest.Field{APIName: "Tags_Multi", DataType: "multiselectpicklist",
		PickList: []string{"a", "b", "c"}}); err != nil {
		t.Fatal(err)
	}
	acct := e.do(http.MethodPost, "/crm/v8/Accounts", map[string]any{"data": []any{map[string]any{"Account_Name": "Zylker, Inc."}}}).
		want(t, http.StatusCreated).data()[0]["details"].(map[string]any)["id"].(string)
	e.do(http.MethodPost, "/crm/v8/Contacts", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Old", "Email": "old@example.com"}}}).want(t, http.StatusCreated)
	e.now = e.now.Add(time.Hour)
	e.do(http.MethodPost, "/crm/v8/Contacts", map[string]any{"data": []any{
		map[string]any{"Last_Name": "New \"quoted\", with\r\nlines", "Account_Name": map[string]any{"id": acct},
			"Tags_Multi": []any{"a", "c"}, "Email_Opt_Out": true}}}).want(t, http.StatusCreated)

	before, _ := e.ts.Credits()
	e.ts.Counters().Reset()
	id := createBulk(e, map[string]any{"module": map[string]any{"api_name": "Contacts"},
		"fields": []string{"Last_Name", "Account_Name", "Account_Name.Account_Name", "Owner", "Tags_Multi", "Email_Opt_Out", "Modified_Time"},
		"criteria": map[string]any{"group_operator": "and", "group": []any{
			map[string]any{"field": map[string]any{"api_name": "Modified_Time"}, "comparator": "greater_than",
				"value": e.now.Add(-time.Minute).Format(time.RFC3339)},
			map[string]any{"field": map[string]any{"api_name": "Last_Name"}, "comparator": "starts_with", "value": "new"},
		}}})
	if after, _ := e.ts.Credits(); after-before != 50 {
		t.Fatalf("a job cost %d credits, want 50", after-before)
	}
	job := e.bulkJob(id)
	if job["state"] != "COMPLETED" {
		t.Fatalf("job %v", job)
	}
	res := job["result"].(map[string]any)
	if res["count"] != float64(1) || res["more_records"] != false || res["page"] != float64(1) || res["per_page"] != float64(200000) {
		t.Fatalf("result %v", res)
	}
	status, rows, _ := e.download(res["download_url"].(string))
	if status != 200 {
		t.Fatalf("download HTTP %d", status)
	}
	wantHeader := "id,Last_Name,Account_Name,Account_Name.Account_Name,Owner,Tags_Multi,Email_Opt_Out,Modified_Time"
	if got := strings.Join(rows[0], ","); got != wantHeader {
		t.Fatalf("header %s, want %s", got, wantHeader)
	}
	if len(rows) != 2 {
		t.Fatalf("rows %q", rows)
	}
	r := rows[1]
	owner := e.do(http.MethodGet, "/crm/v8/users?type=CurrentUser", nil).body["users"].([]any)[0].(map[string]any)["id"]
	// encoding/csv folds the CRLF inside quotes to LF; revops's own reader keeps it.
	if r[1] != "New \"quoted\", with\nlines" || r[2] != acct || r[3] != "Zylker, Inc." || r[4] != owner ||
		r[5] != "a;c" || r[6] != "true" || r[7] != e.now.In(time.FixedZone("IST", 19800)).Format("2006-01-02T15:04:05-07:00") {
		t.Fatalf("row %q", r)
	}
	for _, ep := range []string{"/crm/bulk/v8/read", "/crm/bulk/v8/read/{id}", "/crm/bulk/v8/read/{id}/result"} {
		if n := e.ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == ep }); n == 0 {
			t.Errorf("stats count no request to %s: %v", ep, e.ts.Counters().Snapshot())
		}
	}
}

// TestBulkReadPages: page_token continues after the previous page in id
// order, page=N skips N−1 pages, and every record comes once.
func TestBulkReadPages(t *testing.T) {
	e := newEnv(t, zohotest.Options{BulkPageSize: 3})
	var batch []any
	for i := range 7 {
		batch = append(batch, map[string]any{"Last_Name": strings.Repeat("x", i+1)})
	}
	e.do(http.MethodPost, "/crm/v8/Leads", map[string]any{"data": batch}).want(t, http.StatusCreated)
	q := map[string]any{"module": map[string]any{"api_name": "Leads"}, "fields": []string{"Last_Name"}}
	var seen []string
	token := ""
	for page := 1; ; page++ {
		qq := map[string]any{}
		for k, v := range q {
			qq[k] = v
		}
		if token != "" {
			qq["page_token"] = token
		}
		job := e.bulkJob(createBulk(e, qq))
		res := job["result"].(map[string]any)
		if res["page"] != float64(page) {
			t.Fatalf("page %v, want %d", res["page"], page)
		}
		_, rows, _ := e.download(res["download_url"].(string))
		for _, r := range rows[1:] {
			seen = append(seen, r[1])
		}
		if res["more_records"] != true {
			if res["next_page_token"] != nil {
				t.Fatalf("last page has a token: %v", res)
			}
			break
		}
		token = res["next_page_token"].(string)
	}
	if len(seen) != 7 || seen[0] != "x" || seen[6] != "xxxxxxx" {
		t.Fatalf("pages gave %q", seen)
	}
	q["page"] = 3
	job := e.bulkJob(createBulk(e, q))
	_, rows, _ := e.download(job["result"].(map[string]any)["download_url"].(string))
	if len(rows) != 2 || rows[1][1] != "xxxxxxx" {
		t.Fatalf("page 3 %q", rows)
	}
}

// TestBulkReadErrors checks the refusals' shapes.
func TestBulkReadErrors(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	post := func(body any) *resp {
		return e.do(http.MethodPost, "/crm/bulk/v8/read", body)
	}
	leads := map[string]any{"api_name": "Leads"}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no query", map[string]any{}, 400, "MANDATORY_NOT_FOUND"},
		{"no module", map[string]any{"query": map[string]any{}}, 400, "MANDATORY_NOT_FOUND"},
		{"unknown module", map[string]any{"query": map[string]any{"module": map[string]any{"api_name": "Nope"}}}, 400, "INVALID_DATA"},
		{"notes", map[string]any{"query": map[string]any{"module": map[string]any{"api_name": "Notes"}}}, 400, "NOT_SUPPORTED"},
		{"unknown field", map[string]any{"query": map[string]any{"module": leads, "fields": []string{"Nope"}}}, 400, "INVALID_DATA"},
		{"dot on a text field", map[string]any{"query": map[string]any{"module": leads, "fields": []string{"Email.x"}}}, 400, "INVALID_DATA"},
		{"comparator for the type", map[string]any{"query": map[string]any{"module": leads, "criteria": map[string]any{
			"field": map[string]any{"api_name": "Email_Opt_Out"}, "comparator": "greater_than", "value": true}}}, 400, "INVALID_DATA"},
		{"bad datetime", map[string]any{"query": map[string]any{"module": leads, "criteria": map[string]any{
			"field": map[string]any{"api_name": "Modified_Time"}, "comparator": "greater_than", "value": "yesterday"}}}, 400, "INVALID_DATA"},
		{"between needs two", map[string]any{"query": map[string]any{"module": leads, "criteria": map[string]any{
			"field": map[string]any{"api_name": "Modified_Time"}, "comparator": "between", "value": []string{"2024-01-01T00:00:00+00:00"}}}}, 400, "INVALID_DATA"},
		{"bad group operator", map[string]any{"query": map[string]any{"module": leads, "criteria": map[string]any{
			"group_operator": "xor", "group": []any{}}}}, 400, "INVALID_DATA"},
		{"page and token", map[string]any{"query": map[string]any{"module": leads, "page": 2, "page_token": "abc"}}, 400, "AMBIGUITY_DURING_PROCESSING"},
		{"bad token", map[string]any{"query": map[string]any{"module": leads, "page_token": "abc"}}, 400, "INVALID_DATA"},
		{"page zero", map[string]any{"query": map[string]any{"module": leads, "page": 0}}, 400, "INVALID_DATA"},
		{"ics for leads", map[string]any{"query": map[string]any{"module": leads}, "file_type": "ics"}, 400, "INVALID_DATA"},
		{"bad callback", map[string]any{"query": map[string]any{"module": leads}, "callback": map[string]any{"url": "ftp://x", "method": "post"}}, 400, "INVALID_DATA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { post(c.body).wantErr(t, c.status, c.code) })
	}
	e.do(http.MethodPost, "/crm/bulk/v8/read", `{"query":{"module":{"api_name":"Leads"}}}`, "Content-Type", "text/plain").
		wantErr(t, http.StatusUnsupportedMediaType, "MEDIA_TYPE_NOT_SUPPORTED")
	e.do(http.MethodGet, "/crm/bulk/v8/read/5725767000000000999", nil).wantErr(t, http.StatusNotFound, "RESOURCE_NOT_FOUND")
	e.do(http.MethodGet, "/crm/bulk/v8/read/5725767000000000999/result", nil).wantErr(t, http.StatusNotFound, "RESOURCE_NOT_FOUND")
	e.do(http.MethodDelete, "/crm/bulk/v8/read/5725767000000000999", nil).wantErr(t, http.StatusBadRequest, "INVALID_REQUEST_METHOD")

	// A token bound to other fields.
	e.do(http.MethodPost, "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "A"}, map[string]any{"Last_Name": "B"}}})
	small := newEnv(t, zohotest.Options{BulkPageSize: 1})
	small.do(http.MethodPost, "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "A"}, map[string]any{"Last_Name": "B"}}})
	job := small.bulkJob(createBulk(small, map[string]any{"module": leads, "fields": []string{"Last_Name"}}))
	tok := job["result"].(map[string]any)["next_page_token"].(string)
	small.do(http.MethodPost, "/crm/bulk/v8/read", map[string]any{"query": map[string]any{"module": leads,
		"fields": []string{"Email"}, "page_token": tok}}).wantErr(t, http.StatusBadRequest, "TOKEN_BOUND_DATA_MISMATCH")

	// A failed job says why.
	e.ts.FailBulkReads(0, 1, "disk full")
	failed := e.bulkJob(createBulk(e, map[string]any{"module": leads}))
	em, _ := failed["result"].(map[string]any)["error_message"].(map[string]any)
	if failed["state"] != "FAILURE" || em["message"] != "disk full" || em["code"] == "" {
		t.Fatalf("failed job %v", failed)
	}
	if code, _, raw := e.download("/crm/bulk/v8/read/" + failed["id"].(string) + "/result"); code != http.StatusBadRequest {
		t.Fatalf("download of a failed job: HTTP %d %s", code, raw)
	}

	// Ten downloads a minute.
	done := e.bulkJob(createBulk(e, map[string]any{"module": leads}))
	path := done["result"].(map[string]any)["download_url"].(string)
	for i := range 10 {
		if code, _, raw := e.download(path); code != 200 {
			t.Fatalf("download %d: HTTP %d %s", i+1, code, raw)
		}
	}
	if code, _, raw := e.download(path); code != http.StatusTooManyRequests || !strings.Contains(string(raw), "TOO_MANY_REQUESTS") {
		t.Fatalf("11th download in a minute: HTTP %d %s", code, raw)
	}

	// Without a bulk scope.
	refresh := e.ts.IssueRefreshToken("ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL")
	access, _ := e.tokenCall(map[string][]string{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {refresh}})["access_token"].(string)
	e.doToken(access, http.MethodPost, "/crm/bulk/v8/read", map[string]any{"query": map[string]any{"module": leads}}).
		wantErr(t, http.StatusUnauthorized, "OAUTH_SCOPE_MISMATCH")
}
