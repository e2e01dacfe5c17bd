package zohotest_test

import (
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func seededEnv(t *testing.T, records int) (*env, []sandbox.Truth, []sandbox.Truth) {
	t.Helper()
	e := newEnv(t, zohotest.Options{})
	w := sandbox.Generate(sandbox.Options{Seed: 42, Records: records})
	crm := e.ts.SeedCRM(w.Project(sandbox.ZohoCRM))
	desk := e.ts.SeedDesk(w.Project(sandbox.ZohoDesk))
	return e, crm, desk
}

func TestDeskLists(t *testing.T) {
	e, _, truth := seededEnv(t, 400)
	tickets := 0
	for _, tr := range truth {
		if tr.Object == "tickets" {
			tickets++
		}
	}
	// Page through all tickets with from/limit, by modifiedTime.
	seen := map[string]bool{}
	prev := ""
	for from := 1; ; from += 100 {
		r := e.desk("GET", "/api/v1/tickets?limit=100&sortBy=modifiedTime&from="+itoa(from), nil).wantDesk(t, 200, "")
		for _, d := range r.data() {
			mt := d["modifiedTime"].(string)
			if mt < prev {
				t.Fatalf("modifiedTime order: %s after %s", mt, prev)
			}
			prev = mt
			seen[d["id"].(string)] = true
			if _, err := time.Parse("2006-01-02T15:04:05.000Z", mt); err != nil {
				t.Fatalf("modifiedTime format %q", mt)
			}
			if _, ok := d["threadCount"].(string); !ok {
				t.Fatalf("threadCount must be a string: %v", d)
			}
		}
		if len(r.data()) < 100 {
			break
		}
	}
	if len(seen) != tickets {
		t.Fatalf("paged %d tickets, seeded %d", len(seen), tickets)
	}
	r := e.desk("GET", "/api/v1/tickets?limit=5&sortBy=-modifiedTime", nil).wantDesk(t, 200, "")
	if len(r.data()) != 5 || r.data()[0]["modifiedTime"].(string) < r.data()[4]["modifiedTime"].(string) {
		t.Fatalf("descending: %s", r.raw)
	}
	e.desk("GET", "/api/v1/contacts?limit=10&sortBy=createdTime", nil).wantDesk(t, 200, "")
	e.desk("GET", "/api/v1/accounts?limit=10&sortBy=accountName", nil).wantDesk(t, 200, "")
	r = e.desk("GET", "/api/v1/ticketsCount", nil).wantDesk(t, 200, "")
	if r.body["count"] != itoa(tickets) {
		t.Fatalf("count: %s", r.raw)
	}
	r = e.desk("GET", "/api/v1/tickets?from=100000", nil).wantDesk(t, 200, "")
	if len(r.data()) != 0 {
		t.Fatalf("past the end: %s", r.raw)
	}
	// Errors in Desk's own shape.
	e.desk("GET", "/api/v1/tickets?sortOrder=asc", nil).wantDesk(t, 422, "UNPROCESSABLE_ENTITY")
	e.desk("GET", "/api/v1/tickets?limit=101", nil).wantDesk(t, 422, "INVALID_DATA")
	e.desk("GET", "/api/v1/tickets?sortBy=subject", nil).wantDesk(t, 422, "INVALID_DATA")
	e.do("GET", "/api/v1/tickets", nil).wantDesk(t, 422, "UNPROCESSABLE_ENTITY")
	e.do("GET", "/api/v1/tickets", nil, "orgId", "1").wantDesk(t, 403, "FORBIDDEN")
	e.doToken("bogus", "GET", "/api/v1/tickets", nil, "orgId", e.ts.OrgID()).wantDesk(t, 401, "INVALID_OAUTH")
	e.desk("GET", "/api/v1/nothing", nil).wantDesk(t, 404, "URL_NOT_FOUND")
	e.desk("GET", "/api/v1/tickets/1892000099999999", nil).wantDesk(t, 404, "URL_NOT_FOUND")
	r = e.do("GET", "/api/v1/organizations", nil).wantDesk(t, 200, "")
	if r.data()[0]["id"] != e.ts.OrgID() {
		t.Fatalf("organizations: %s", r.raw)
	}
}

func itoa(n int) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestDeskTicketWrites(t *testing.T) {
	e, _, _ := seededEnv(t, 200)
	contact := e.desk("GET", "/api/v1/contacts?limit=1", nil).wantDesk(t, 200, "").data()[0]
	dept := e.ts.DeskDepartmentID()
	r := e.desk("POST", "/api/v1/tickets", map[string]any{"subject": "Printer on fire", "departmentId": dept,
		"contactId": contact["id"], "priority": "High", "channel": "Phone"}).wantDesk(t, 200, "")
	id := r.body["id"].(string)
	if r.body["status"] != "Open" || r.body["statusType"] != "Open" || r.body["email"] != contact["email"] ||
		r.body["isEscalated"] != false || r.body["ticketNumber"] == nil {
		t.Fatalf("create: %s", r.raw)
	}
	created := r.body["modifiedTime"].(string)
	e.now = e.now.Add(time.Minute)
	r = e.desk("PATCH", "/api/v1/tickets/"+id, map[string]any{"status": "Escalated", "priority": "Low"}).wantDesk(t, 200, "")
	if r.body["isEscalated"] != true || r.body["statusType"] != "Open" || r.body["priority"] != "Low" ||
		r.body["modifiedTime"].(string) <= created {
		t.Fatalf("escalate: %s", r.raw)
	}
	r = e.desk("PATCH", "/api/v1/tickets/"+id, map[string]any{"status": "Closed"}).wantDesk(t, 200, "")
	if r.body["statusType"] != "Closed" || r.body["closedTime"] == nil || r.body["isEscalated"] != false {
		t.Fatalf("close: %s", r.raw)
	}
	r = e.desk("GET", "/api/v1/tickets/"+id+"?include=contacts", nil).wantDesk(t, 200, "")
	if r.body["contact"].(map[string]any)["id"] != contact["id"] || r.body["subject"] != "Printer on fire" {
		t.Fatalf("get: %s", r.raw)
	}
	// Created inline with a new contact.
	r = e.desk("POST", "/api/v1/tickets", map[string]any{"subject": "Hi", "departmentId": dept,
		"contact": map[string]any{"lastName": "New", "email": "new@example.com"}}).wantDesk(t, 200, "")
	if r.body["contactId"] == nil {
		t.Fatalf("inline contact: %s", r.raw)
	}
	// Invalid input.
	bad := func(body any, field string) {
		t.Helper()
		r := e.desk("POST", "/api/v1/tickets", body).wantDesk(t, 422, "INVALID_DATA")
		errs := r.body["errors"].([]any)
		if errs[0].(map[string]any)["fieldName"] != "/"+field {
			t.Fatalf("errors: %s", r.raw)
		}
	}
	bad(map[string]any{"departmentId": dept, "contactId": contact["id"]}, "subject")
	bad(map[string]any{"subject": "x", "contactId": contact["id"]}, "departmentId")
	bad(map[string]any{"subject": "x", "departmentId": dept}, "contactId")
	bad(map[string]any{"subject": "x", "departmentId": dept, "contactId": contact["id"], "status": "Lost"}, "status")
	bad(map[string]any{"subject": "x", "departmentId": dept, "contactId": "1892000099999999"}, "contactId")
	e.desk("PATCH", "/api/v1/tickets/"+id, map[string]any{"isEscalated": "yes"}).wantDesk(t, 422, "INVALID_DATA")
	e.desk("POST", "/api/v1/tickets", "{nope").wantDesk(t, 422, "INVALID_DATA")
	found := false
	for _, tk := range e.ts.DeskRecords("tickets") {
		if tk["id"] == id && tk["status"] == "Closed" {
			found = true
		}
	}
	if !found {
		t.Fatal("DeskRecords lacks the closed ticket")
	}
}

func TestDeskSearchByModifiedTime(t *testing.T) {
	e, _, _ := seededEnv(t, 300)
	all := e.ts.DeskRecords("tickets")
	lo, hi := all[10]["modifiedTime"].(string), all[20]["modifiedTime"].(string)
	if lo > hi {
		lo, hi = hi, lo
	}
	r := e.desk("GET", "/api/v1/tickets/search?limit=100&sortBy=modifiedTime&modifiedTimeRange="+lo+","+hi, nil).wantDesk(t, 200, "")
	want := 0
	for _, tk := range all {
		if m := tk["modifiedTime"].(string); m >= lo && m <= hi {
			want++
		}
	}
	if r.body["count"] != float64(want) || len(r.data()) != min(want, 100) {
		t.Fatalf("search: count %v, %d rows, want %d", r.body["count"], len(r.data()), want)
	}
	r = e.desk("GET", "/api/v1/contacts/search?email=*@*&limit=5", nil).wantDesk(t, 200, "")
	if len(r.data()) != 5 {
		t.Fatalf("wildcard: %s", r.raw)
	}
	e.desk("GET", "/api/v1/tickets/search?modifiedTimeRange=yesterday", nil).wantDesk(t, 422, "INVALID_DATA")
	e.desk("GET", "/api/v1/tickets/search?sortOrder=asc", nil).wantDesk(t, 422, "UNPROCESSABLE_ENTITY")
}
