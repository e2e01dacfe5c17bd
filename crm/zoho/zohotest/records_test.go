package zohotest_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// insertLeads creates n leads through the API (100 per call) and returns
// their ids in creation order.
func (e *env) insertLeads(n int) []string {
	e.t.Helper()
	var ids []string
	for done := 0; done < n; {
		batch := min(100, n-done)
		var data []any
		for i := range batch {
			k := done + i
			data = append(data, map[string]any{"Last_Name": fmt.Sprintf("Lead %05d", k),
				"Email": fmt.Sprintf("lead%05d@example.com", k), "Company": "Acme"})
		}
		r := e.do("POST", "/crm/v8/Leads", map[string]any{"data": data}).want(e.t, 201)
		for _, d := range r.data() {
			ids = append(ids, d["details"].(map[string]any)["id"].(string))
		}
		done += batch
	}
	return ids
}

var idPattern = regexp.MustCompile(`^\d{19}$`)

func TestListEnvelopeAndPaging(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	// Empty module: 204 with an empty body.
	r := e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	if len(r.raw) != 0 {
		t.Fatalf("204 with a body: %s", r.raw)
	}
	ids := e.insertLeads(200)
	// Exactly 200: one full page, no more records, no token.
	r = e.do("GET", "/crm/v8/Leads?fields=Last_Name,Email,Owner,Created_Time", nil).want(t, 200)
	info := r.info()
	if len(r.data()) != 200 || info["more_records"] != false || info["next_page_token"] != nil ||
		info["count"] != float64(200) || info["per_page"] != float64(200) || info["page"] != float64(1) ||
		info["sort_by"] != "id" || info["sort_order"] != "desc" || info["page_token_expiry"] != nil {
		t.Fatalf("info: %v (%d records)", info, len(r.data()))
	}
	first := r.data()[0]
	if first["id"] != ids[199] || !idPattern.MatchString(first["id"].(string)) {
		t.Fatalf("default order is id desc: first %v, want %s", first["id"], ids[199])
	}
	owner := first["Owner"].(map[string]any)
	if owner["name"] != "Patricia Boyle" || !idPattern.MatchString(owner["id"].(string)) || owner["email"] == nil {
		t.Fatalf("owner: %v", owner)
	}
	if _, err := time.Parse("2006-01-02T15:04:05-07:00", first["Created_Time"].(string)); err != nil ||
		!strings.HasSuffix(first["Created_Time"].(string), "+05:30") {
		t.Fatalf("Created_Time %v: %v", first["Created_Time"], err)
	}
	if _, ok := first["Company"]; ok {
		t.Fatalf("fields not asked for are returned: %v", first)
	}
	// per_page and page.
	r = e.do("GET", "/crm/v8/Leads?fields=Last_Name&per_page=150&page=2&sort_order=asc", nil).want(t, 200)
	if len(r.data()) != 50 || r.data()[0]["id"] != ids[150] || r.info()["more_records"] != false {
		t.Fatalf("page 2: %d records, first %v", len(r.data()), r.data()[0]["id"])
	}
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&page=2", nil).want(t, 204)
	// 201 records: more_records and a token.
	e.insertLeads(1)
	r = e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 200)
	if r.info()["more_records"] != true || r.info()["next_page_token"] == nil || r.info()["page_token_expiry"] == nil {
		t.Fatalf("info: %v", r.info())
	}
}

func TestDiscreteLimitAndPageToken(t *testing.T) {
	e := newEnv(t, zohotest.Options{PageTokenTTL: time.Hour})
	ids := e.insertLeads(2100)
	// page 10 is the last one page can reach.
	r := e.do("GET", "/crm/v8/Leads?fields=Last_Name&page=10&sort_order=asc", nil).want(t, 200)
	if r.data()[199]["id"] != ids[1999] || r.info()["more_records"] != true {
		t.Fatalf("page 10 ends at record 2000: %v %v", r.data()[199]["id"], r.info())
	}
	tok := r.info()["next_page_token"].(string)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&page=11&sort_order=asc", nil).wantErr(t, 400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED")
	// per_page 150: page 14 is cut at record 2,000.
	r = e.do("GET", "/crm/v8/Leads?fields=Last_Name&page=14&per_page=150&sort_order=asc", nil).want(t, 200)
	if len(r.data()) != 50 {
		t.Fatalf("page 14 of 150: %d records", len(r.data()))
	}
	// The token continues past 2,000.
	r = e.do("GET", "/crm/v8/Leads?fields=Last_Name&sort_order=asc&page_token="+url.QueryEscape(tok), nil).want(t, 200)
	if len(r.data()) != 100 || r.data()[0]["id"] != ids[2000] || r.info()["more_records"] != false || r.info()["page"] != float64(11) {
		t.Fatalf("token page: %d records, first %v, info %v", len(r.data()), r.data()[0]["id"], r.info())
	}
	// The token is bound to the other parameters and never goes with page.
	e.do("GET", "/crm/v8/Leads?fields=Last_Name,Email&sort_order=asc&page_token="+url.QueryEscape(tok), nil).
		wantErr(t, 400, "TOKEN_BOUND_DATA_MISMATCH")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&sort_order=asc&page=2&page_token="+url.QueryEscape(tok), nil).
		wantErr(t, 400, "AMBIGUITY_DURING_PROCESSING")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&page_token=garbage", nil).wantErr(t, 400, "INVALID_DATA")
	// Walk everything with tokens, descending by Modified_Time.
	seen := map[string]bool{}
	q := "/crm/v8/Leads?fields=Last_Name&sort_by=Modified_Time&per_page=200"
	next := ""
	for calls := 0; ; calls++ {
		p := q
		if next != "" {
			p += "&page_token=" + url.QueryEscape(next)
		}
		r := e.do("GET", p, nil).want(t, 200)
		for _, d := range r.data() {
			if seen[d["id"].(string)] {
				t.Fatalf("record %v twice", d["id"])
			}
			seen[d["id"].(string)] = true
		}
		if r.info()["more_records"] != true {
			break
		}
		next = r.info()["next_page_token"].(string)
	}
	if len(seen) != 2100 {
		t.Fatalf("walked %d records, want 2100", len(seen))
	}
	// Tokens expire.
	e.now = e.now.Add(2 * time.Hour)
	e.token = e.refresh()
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&sort_order=asc&page_token="+url.QueryEscape(tok), nil).wantErr(t, 400, "EXPIRED_VALUE")
}

func TestListParameterErrors(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.insertLeads(3)
	r := e.do("GET", "/crm/v8/Leads", nil)
	r.wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	if r.body["details"].(map[string]any)["param_name"] != "fields" {
		t.Fatalf("details: %s", r.raw)
	}
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("F%d", i))
	}
	e.do("GET", "/crm/v8/Leads?fields="+strings.Join(many, ","), nil).wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name,Nope", nil).wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&per_page=201", nil).wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&sort_by=Email", nil).wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name&sort_order=up", nil).wantErr(t, 400, "INVALID_DATA")
	r = e.do("GET", "/crm/v8/Lead?fields=Last_Name", nil)
	r.wantErr(t, 400, "INVALID_MODULE")
	if r.body["details"].(map[string]any)["resource_path_index"] != float64(0) {
		t.Fatalf("details: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Leads/x/y/z", nil).wantErr(t, 404, "INVALID_URL_PATTERN")
	e.do("GET", "/crm/v2/Leads?fields=Last_Name", nil).wantErr(t, 404, "INVALID_URL_PATTERN")
	e.do("PATCH", "/crm/v8/Leads", nil).wantErr(t, 400, "INVALID_REQUEST_METHOD")
	// Module names are matched case-insensitively, answered canonically.
	e.do("GET", "/crm/v8/leads?fields=Last_Name", nil).want(t, 200)
}

func TestIfModifiedSinceAndSort(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	ids := e.insertLeads(5)
	cut := e.now.Add(time.Minute)
	e.now = e.now.Add(2 * time.Minute)
	e.do("PUT", "/crm/v8/Leads/"+ids[1], map[string]any{"data": []any{map[string]any{"Company": "Changed"}}}).want(t, 200)
	ims := cut.Format("2006-01-02T15:04:05-07:00")
	r := e.do("GET", "/crm/v8/Leads?fields=Company&sort_by=Modified_Time&sort_order=asc", nil, "If-Modified-Since", ims).want(t, 200)
	if len(r.data()) != 1 || r.data()[0]["id"] != ids[1] || r.data()[0]["Company"] != "Changed" {
		t.Fatalf("modified since: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Leads?fields=Company", nil, "If-Modified-Since", e.now.Add(time.Hour).Format(time.RFC3339)).want(t, 304)
	r = e.do("GET", "/crm/v8/Leads?fields=Company&sort_by=Modified_Time&sort_order=desc", nil).want(t, 200)
	if r.data()[0]["id"] != ids[1] {
		t.Fatalf("latest modified first: %v", r.data()[0]["id"])
	}
	r = e.do("GET", "/crm/v8/Leads?fields=Company&sort_by=Created_Time&sort_order=asc", nil).want(t, 200)
	if r.data()[0]["id"] != ids[0] {
		t.Fatalf("oldest created first: %v", r.data()[0]["id"])
	}
}

// TestModifiedTimeFollowsClock: Modified_Time is the clock of the write in
// whole seconds. Hundreds of writes in one second share it (they used to
// be pushed one second apart each, which ran minutes ahead of real time),
// the next second's writes get the next second, and a clock running ahead
// (a skewed Options.Now) is followed as it is.
func TestModifiedTimeFollowsClock(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.now = e.now.Add(400 * time.Millisecond)
	ids := e.insertLeads(300) // same wall-clock second
	for _, id := range ids[:3] {
		e.do("PUT", "/crm/v8/Leads/"+id, map[string]any{"data": []any{map[string]any{"City": "Oslo"}}}).want(t, 200)
	}
	want := e.now.Truncate(time.Second).In(time.FixedZone("IST", 5*3600+1800)).Format("2006-01-02T15:04:05-07:00")
	walk := func() map[string]int {
		t.Helper()
		seen, times := map[string]bool{}, map[string]int{}
		next := ""
		for {
			q := "/crm/v8/Leads?fields=Modified_Time&sort_by=Modified_Time&sort_order=asc"
			if next != "" {
				q += "&page_token=" + url.QueryEscape(next)
			}
			r := e.do("GET", q, nil).want(t, 200)
			for _, d := range r.data() {
				id := d["id"].(string)
				if seen[id] {
					t.Fatalf("record %s twice in one walk", id)
				}
				seen[id] = true
				times[d["Modified_Time"].(string)]++
			}
			if r.info()["more_records"] != true {
				return times
			}
			next = r.info()["next_page_token"].(string)
		}
	}
	if got := walk(); len(got) != 1 || got[want] != 300 {
		t.Fatalf("300 writes in one second: %d distinct Modified_Time values (%d at %s), want all 300 at %s",
			len(got), got[want], want, want)
	}
	e.now = e.now.Add(time.Second)
	r := e.do("PUT", "/crm/v8/Leads/"+ids[0], map[string]any{"data": []any{map[string]any{"City": "Bergen"}}}).want(t, 200)
	mt := r.data()[0]["details"].(map[string]any)["Modified_Time"]
	if next := e.now.Truncate(time.Second).In(time.FixedZone("IST", 5*3600+1800)).Format("2006-01-02T15:04:05-07:00"); mt != next {
		t.Fatalf("write a second later: Modified_Time %v, want %s", mt, next)
	}
	if got := walk(); got[want] != 299 || len(got) != 2 {
		t.Fatalf("after one more write: %v", got)
	}

	// A clock five minutes ahead of the real one: the emulator's times are
	// the real time plus the skew, however many writes.
	skew := 5 * time.Minute
	f := newEnv(t, zohotest.Options{Now: func() time.Time { return time.Now().Add(skew) }})
	f.insertLeads(250)
	before := time.Now()
	r = f.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "Last"}}}).want(t, 201)
	after := time.Now()
	got, err := time.Parse(time.RFC3339, r.data()[0]["details"].(map[string]any)["Modified_Time"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := before.Add(skew).Truncate(time.Second), after.Add(skew); got.Before(lo) || got.After(hi) {
		t.Fatalf("Modified_Time %s after 251 writes, want the skewed clock within [%s, %s]", got, lo, hi)
	}
}

func TestGetOneAndDelete(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	ids := e.insertLeads(3)
	r := e.do("GET", "/crm/v8/Leads/"+ids[0], nil).want(t, 200)
	d := r.data()[0]
	if d["id"] != ids[0] || d["Last_Name"] != "Lead 00000" || d["Full_Name"] != "Lead 00000" || d["Salesforce_Id"] != nil {
		t.Fatalf("single get: %s", r.raw)
	}
	if _, ok := d["Modified_By"].(map[string]any); !ok {
		t.Fatalf("no Modified_By: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Leads/"+ids[0]+"?fields=Email", nil).want(t, 200)
	e.do("GET", "/crm/v8/Leads/1234567890123456789", nil).want(t, 204)

	r = e.do("DELETE", "/crm/v8/Leads?ids="+ids[0]+",1234567890123456789", nil).want(t, 207)
	if r.data()[0]["code"] != "SUCCESS" || r.data()[0]["message"] != "record deleted" ||
		r.data()[1]["code"] != "INVALID_DATA" || r.data()[1]["message"] != "record not deleted" {
		t.Fatalf("delete: %s", r.raw)
	}
	e.do("DELETE", "/crm/v8/Leads/"+ids[1], nil).want(t, 200)
	e.do("DELETE", "/crm/v8/Leads", nil).wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	var many []string
	for i := range 101 {
		many = append(many, fmt.Sprint(5725767000000000000+i))
	}
	e.do("DELETE", "/crm/v8/Leads?ids="+strings.Join(many, ","), nil).wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("GET", "/crm/v8/Leads/"+ids[0], nil).want(t, 204)

	r = e.do("GET", "/crm/v8/Leads/deleted", nil).want(t, 200)
	if len(r.data()) != 2 || r.data()[0]["id"] != ids[1] || r.data()[0]["type"] != "recycle" ||
		r.data()[0]["display_name"] != "Lead 00001" || r.info()["count"] != float64(2) {
		t.Fatalf("deleted: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Leads/deleted?type=permanent", nil).want(t, 204)
	e.do("GET", "/crm/v8/Leads/deleted?type=bogus", nil).wantErr(t, 400, "PATTERN_NOT_MATCHED")
	e.do("GET", "/crm/v8/Contacts/deleted", nil).want(t, 204)
	e.now = e.now.Add(61 * 24 * time.Hour)
	e.token = e.refresh()
	e.do("GET", "/crm/v8/Leads/deleted?type=recycle", nil).want(t, 204)
}

func TestLockRowFault(t *testing.T) {
	faults := sandbox.NewFaults(1)
	e := newEnv(t, zohotest.Options{Faults: faults})
	ids := e.insertLeads(3)
	faults.Add(sandbox.Rule{Kind: sandbox.FaultLockRow, Method: "PUT", Records: []string{ids[1]}, Times: 1})
	r := e.do("PUT", "/crm/v8/Leads", map[string]any{"data": []any{
		map[string]any{"id": ids[0], "Company": "A"}, map[string]any{"id": ids[1], "Company": "B"}}}).want(t, 207)
	if r.data()[0]["status"] != "success" || r.data()[1]["code"] != "RECORD_LOCKED" {
		t.Fatalf("lock_row: %s", r.raw)
	}
	// With no records named, the first record of the batch is locked.
	faults.FailNext(1, sandbox.FaultLockRow)
	r = e.do("DELETE", "/crm/v8/Leads?ids="+ids[2], nil).want(t, 400)
	if r.data()[0]["code"] != "RECORD_LOCKED" {
		t.Fatalf("lock_row on delete: %s", r.raw)
	}
}
