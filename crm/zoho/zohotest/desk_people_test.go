package zohotest_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestDeskListIncludes: include=contacts on the ticket list gives each
// ticket its contact (with the contact's account), as the single-ticket
// call does; include=accounts on the contact list gives each contact its
// account; values a list does not take are refused.
func TestDeskListIncludes(t *testing.T) {
	e, _, _ := seededEnv(t, 300)
	contacts := map[string]map[string]any{}
	for _, c := range e.ts.DeskRecords("contacts") {
		contacts[c["id"].(string)] = c
	}
	accounts := map[string]map[string]any{}
	for _, a := range e.ts.DeskRecords("accounts") {
		accounts[a["id"].(string)] = a
	}
	r := e.desk("GET", "/api/v1/tickets?limit=100&include=contacts,departments", nil).wantDesk(t, 200, "")
	withAccount := 0
	for _, tk := range r.data() {
		c, ok := tk["contact"].(map[string]any)
		cid, _ := tk["contactId"].(string)
		if cid == "" {
			if tk["contact"] != nil {
				t.Fatalf("ticket %s without contactId has a contact: %v", tk["id"], tk["contact"])
			}
			continue
		}
		if !ok || c["id"] != cid {
			t.Fatalf("ticket %s: contact %v, want id %s", tk["id"], tk["contact"], cid)
		}
		want := contacts[cid]
		for _, k := range []string{"firstName", "lastName", "email", "phone", "mobile", "type"} {
			if c[k] != want[k] {
				t.Fatalf("ticket %s: contact %s = %v, want %v", tk["id"], k, c[k], want[k])
			}
		}
		if aid, _ := want["accountId"].(string); aid != "" {
			a, _ := c["account"].(map[string]any)
			if a == nil || a["id"] != aid || a["accountName"] != accounts[aid]["accountName"] {
				t.Fatalf("ticket %s: contact account %v, want %s", tk["id"], c["account"], aid)
			}
			withAccount++
		}
		if d, _ := tk["department"].(map[string]any); d == nil || d["id"] != e.ts.DeskDepartmentID() {
			t.Fatalf("ticket %s: department %v", tk["id"], tk["department"])
		}
	}
	if withAccount == 0 {
		t.Fatal("no ticket's contact had an account: the test checks nothing")
	}
	r = e.desk("GET", "/api/v1/tickets?limit=5", nil).wantDesk(t, 200, "")
	if _, ok := r.data()[0]["contact"]; ok {
		t.Fatalf("contact without include: %s", r.raw)
	}
	r = e.desk("GET", "/api/v1/contacts?limit=100&include=accounts", nil).wantDesk(t, 200, "")
	linked := 0
	for _, c := range r.data() {
		aid, _ := c["accountId"].(string)
		a, _ := c["account"].(map[string]any)
		switch {
		case aid == "" && c["account"] != nil:
			t.Fatalf("contact %s without account: %v", c["id"], c["account"])
		case aid != "" && (a == nil || a["id"] != aid || a["accountName"] != accounts[aid]["accountName"]):
			t.Fatalf("contact %s: account %v, want %s", c["id"], c["account"], aid)
		case aid != "":
			linked++
		}
	}
	if linked == 0 {
		t.Fatal("no contact had an account")
	}
	e.desk("GET", "/api/v1/tickets?include=bogus", nil).wantDesk(t, 422, "INVALID_DATA")
	e.desk("GET", "/api/v1/contacts?include=contacts", nil).wantDesk(t, 422, "INVALID_DATA")
}

// TestDeskContactAccountWrites: contacts and accounts are created and
// updated through the API, answered as bare objects with 200, and their
// modifiedTime is the clock of the write, so that a search by
// modifiedTimeRange (how extract reads Desk incrementally) sees them.
func TestDeskContactAccountWrites(t *testing.T) {
	e, _, _ := seededEnv(t, 200)
	e.now = e.now.Add(time.Hour / 2).Add(1234 * time.Millisecond) // the emulator's clock
	start := e.now
	r := e.desk("POST", "/api/v1/accounts", map[string]any{"accountName": "Zylker Labs", "website": "https://zylker.example",
		"annualrevenue": "125000.50", "code": "94105"}).wantDesk(t, 200, "")
	acct := r.body["id"].(string)
	if r.body["accountName"] != "Zylker Labs" || r.body["annualrevenue"] != "125000.5" || r.body["data"] != nil ||
		r.body["modifiedTime"] != start.Format("2006-01-02T15:04:05.000Z") || r.body["isTrashed"] != false {
		t.Fatalf("create account: %s", r.raw)
	}
	r = e.desk("POST", "/api/v1/contacts", map[string]any{"lastName": "Carol", "firstName": "Lucas",
		"email": "Lucas.Carol@Zylker.example", "accountId": acct, "title": "CTO"}).wantDesk(t, 200, "")
	id := r.body["id"].(string)
	for k, want := range map[string]any{"lastName": "Carol", "email": "Lucas.Carol@Zylker.example", "accountId": acct,
		"title": "CTO", "street": nil, "zip": nil, "isDeleted": false, "type": "End User"} {
		if v, ok := r.body[k]; !ok || v != want {
			t.Fatalf("create contact: %s = %v, want %v: %s", k, r.body[k], want, r.raw)
		}
	}
	if ld, _ := r.body["layoutDetails"].(map[string]any); ld == nil || ld["id"] != r.body["layoutId"] {
		t.Fatalf("layout: %s", r.raw)
	}
	created := r.body["modifiedTime"].(string)

	e.now = e.now.Add(90 * time.Second)
	r = e.desk("PATCH", "/api/v1/contacts/"+id, map[string]any{"phone": "+1 415 555 0100", "title": nil}).wantDesk(t, 200, "")
	mod := r.body["modifiedTime"].(string)
	if r.body["phone"] != "+1 415 555 0100" || r.body["title"] != nil || r.body["lastName"] != "Carol" ||
		mod != e.now.Format("2006-01-02T15:04:05.000Z") || r.body["createdTime"] != created {
		t.Fatalf("update: %s", r.raw)
	}
	got := e.desk("GET", "/api/v1/contacts/"+id, nil).wantDesk(t, 200, "")
	if got.body["phone"] != "+1 415 555 0100" || got.body["modifiedTime"] != mod {
		t.Fatalf("get after update: %s", got.raw)
	}
	// Incremental reads see the write, and only it, after the start.
	rng := url.QueryEscape(start.Add(time.Second).Format("2006-01-02T15:04:05.000Z") + "," +
		e.now.Add(time.Second).Format("2006-01-02T15:04:05.000Z"))
	r = e.desk("GET", "/api/v1/contacts/search?modifiedTimeRange="+rng, nil).wantDesk(t, 200, "")
	if len(r.data()) != 1 || r.data()[0]["id"] != id {
		t.Fatalf("search by modifiedTimeRange: %s", r.raw)
	}
	r = e.desk("GET", "/api/v1/contacts?limit=1&sortBy=-modifiedTime", nil).wantDesk(t, 200, "")
	if r.data()[0]["id"] != id {
		t.Fatalf("newest contact: %s", r.raw)
	}
	e.now = e.now.Add(time.Minute)
	r = e.desk("PATCH", "/api/v1/accounts/"+acct, map[string]any{"industry": "Software"}).wantDesk(t, 200, "")
	if r.body["industry"] != "Software" || r.body["accountName"] != "Zylker Labs" || r.body["modifiedTime"] != e.now.Format("2006-01-02T15:04:05.000Z") {
		t.Fatalf("update account: %s", r.raw)
	}
	r = e.desk("GET", "/api/v1/contacts/search?email=lucas.carol@zylker.example", nil).wantDesk(t, 200, "")
	if len(r.data()) != 1 || r.data()[0]["id"] != id {
		t.Fatalf("search by e-mail, other case: %s", r.raw)
	}
	// Twins are not refused (unconfirmed on the real API): dedup is the client's.
	e.desk("POST", "/api/v1/contacts", map[string]any{"lastName": "Carol", "email": "lucas.carol@zylker.example"}).wantDesk(t, 200, "")

	// Moved to the trash: gone from GET, PATCH, search.
	e.desk("POST", "/api/v1/contacts/moveToTrash", map[string]any{"contactIds": []string{id}}).want(t, 204)
	e.desk("GET", "/api/v1/contacts/"+id, nil).wantDesk(t, 404, "URL_NOT_FOUND")
	e.desk("PATCH", "/api/v1/contacts/"+id, map[string]any{"phone": "1"}).wantDesk(t, 404, "URL_NOT_FOUND")
	r = e.desk("GET", "/api/v1/contacts/search?email=lucas.carol@zylker.example", nil).wantDesk(t, 200, "")
	if len(r.data()) != 1 || r.data()[0]["id"] == id {
		t.Fatalf("search after trash: %s", r.raw)
	}
	e.desk("POST", "/api/v1/contacts/moveToTrash", map[string]any{"contactIds": []string{id}}).wantDesk(t, 422, "INVALID_DATA")
	e.desk("POST", "/api/v1/accounts/moveToTrash", map[string]any{"accountIds": []string{acct}}).want(t, 204)
	e.desk("PATCH", "/api/v1/accounts/"+acct, map[string]any{"industry": "x"}).wantDesk(t, 404, "URL_NOT_FOUND")
}

// TestDeskWriteValidation: Desk's refusals of contact and account writes,
// each in its own shape (errorCode, message, errors[fieldName, errorType],
// HTTP status), and nothing is written.
func TestDeskWriteValidation(t *testing.T) {
	e, _, _ := seededEnv(t, 200)
	acct := e.ts.DeskRecords("accounts")[0]["id"].(string)
	contact := e.ts.DeskRecords("contacts")[0]["id"].(string)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, field, typ   string
	}{
		{"contact without lastName", "POST", "/api/v1/contacts", map[string]any{"email": "a@b.example"}, 422, "INVALID_DATA", "/lastName", "missing"},
		{"contact with empty lastName", "POST", "/api/v1/contacts", map[string]any{"lastName": "  "}, 422, "INVALID_DATA", "/lastName", "missing"},
		{"account without accountName", "POST", "/api/v1/accounts", map[string]any{"website": "https://x.example"}, 422, "INVALID_DATA", "/accountName", "missing"},
		{"unknown field", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "Last_Name": "X"}, 422, "INVALID_DATA", "/Last_Name", "invalid"},
		{"deprecated customFields", "POST", "/api/v1/accounts", map[string]any{"accountName": "X", "customFields": map[string]any{}}, 422, "INVALID_DATA", "/customFields", "invalid"},
		{"number for text", "POST", "/api/v1/contacts", map[string]any{"lastName": 42}, 422, "INVALID_DATA", "/lastName", "invalid"},
		{"bad e-mail", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "email": "not-an-address"}, 422, "INVALID_DATA", "/email", "invalid"},
		{"firstName too long", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "firstName": strings.Repeat("a", 41)}, 422, "INVALID_DATA", "/firstName", "invalid"},
		{"unknown account id", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "accountId": "1892000099999999"}, 422, "INVALID_DATA", "/accountId", "invalid"},
		{"account id not a number", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "accountId": "acme"}, 422, "INVALID_DATA", "/accountId", "invalid"},
		{"revenue not a number", "POST", "/api/v1/accounts", map[string]any{"accountName": "X", "annualrevenue": "lots"}, 422, "INVALID_DATA", "/annualrevenue", "invalid"},
		{"unknown custom field", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "cf": map[string]any{"cf_nope": "1"}}, 422, "INVALID_DATA", "/cf/cf_nope", "invalid"},
		{"cf not an object", "POST", "/api/v1/contacts", map[string]any{"lastName": "X", "cf": "x"}, 422, "INVALID_DATA", "/cf", "invalid"},
		{"clearing lastName", "PATCH", "/api/v1/contacts/" + contact, map[string]any{"lastName": nil}, 422, "INVALID_DATA", "/lastName", "missing"},
		{"clearing accountName", "PATCH", "/api/v1/accounts/" + acct, map[string]any{"accountName": ""}, 422, "INVALID_DATA", "/accountName", "missing"},
		{"empty update", "PATCH", "/api/v1/contacts/" + contact, map[string]any{}, 422, "EMPTY_PAYLOAD", "", ""},
		{"not JSON", "POST", "/api/v1/contacts", "{lastName", 422, "INVALID_DATA", "", ""},
		{"unknown contact id", "PATCH", "/api/v1/contacts/1892000099999999", map[string]any{"phone": "1"}, 404, "URL_NOT_FOUND", "", ""},
		{"bad contact id", "PATCH", "/api/v1/contacts/abc", map[string]any{"phone": "1"}, 404, "URL_NOT_FOUND", "", ""},
		{"unknown account id in path", "PATCH", "/api/v1/accounts/1892000099999999", map[string]any{"phone": "1"}, 404, "URL_NOT_FOUND", "", ""},
		{"delete verb", "DELETE", "/api/v1/contacts/" + contact, nil, 405, "METHOD_NOT_ALLOWED", "", ""},
	}
	before := len(e.ts.DeskRecords("contacts")) + len(e.ts.DeskRecords("accounts"))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.desk(c.method, c.path, c.body).wantDesk(t, c.status, c.code)
			if c.field == "" {
				return
			}
			errs, _ := r.body["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("no errors list: %s", r.raw)
			}
			first := errs[0].(map[string]any)
			if first["fieldName"] != c.field || first["errorType"] != c.typ {
				t.Fatalf("errors %s, want %s %s", r.raw, c.field, c.typ)
			}
		})
	}
	if after := len(e.ts.DeskRecords("contacts")) + len(e.ts.DeskRecords("accounts")); after != before {
		t.Fatalf("refused writes changed the org: %d records, %d before", after, before)
	}
	if got := e.ts.DeskRecords("contacts")[0]; got["lastName"] == nil {
		t.Fatalf("refused update cleared lastName: %v", got)
	}
}

// TestDeskWriteScopesAndLocks: writes need Desk.contacts.CREATE / UPDATE
// (accounts too), the fields API Desk.settings.READ or Desk.basic.READ;
// the lock_row fault fails the named record's update with 409.
func TestDeskWriteScopesAndLocks(t *testing.T) {
	e := newEnv(t, zohotest.Options{Scopes: []string{"Desk.contacts.READ", "Desk.contacts.UPDATE"}})
	e.desk("POST", "/api/v1/accounts", map[string]any{"accountName": "X"}).wantDesk(t, 401, "SCOPE_MISMATCH")
	e.desk("POST", "/api/v1/contacts", map[string]any{"lastName": "X"}).wantDesk(t, 401, "SCOPE_MISMATCH")
	e.desk("POST", "/api/v1/contacts/moveToTrash", map[string]any{"contactIds": []string{"1"}}).wantDesk(t, 401, "SCOPE_MISMATCH")
	e.desk("GET", "/api/v1/organizationFields?module=contacts", nil).wantDesk(t, 401, "SCOPE_MISMATCH")

	faults := sandbox.NewFaults(1)
	e = newEnv(t, zohotest.Options{Faults: faults})
	a := e.desk("POST", "/api/v1/contacts", map[string]any{"lastName": "A"}).wantDesk(t, 200, "").body["id"].(string)
	b := e.desk("POST", "/api/v1/contacts", map[string]any{"lastName": "B"}).wantDesk(t, 200, "").body["id"].(string)
	faults.Add(sandbox.Rule{Kind: sandbox.FaultLockRow, Records: []string{b}, Times: 2})
	e.desk("PATCH", "/api/v1/contacts/"+a, map[string]any{"title": "free"}).wantDesk(t, 200, "")
	e.desk("PATCH", "/api/v1/contacts/"+b, map[string]any{"title": "locked"}).wantDesk(t, 409, "RECORD_LOCKED")
	e.desk("PATCH", "/api/v1/contacts/"+b, map[string]any{"title": "free"}).wantDesk(t, 200, "")
}

// TestDeskCustomFields: custom fields added to contacts are listed by the
// fields API, written and read under cf (as strings), checked against
// their type, and searchable with customFieldN=cf_x:value.
func TestDeskCustomFields(t *testing.T) {
	e, _, _ := seededEnv(t, 200)
	for _, f := range []zohotest.DeskField{{APIName: "cf_revops_key", MaxLength: 60}, {APIName: "cf_score", Type: "Number"},
		{APIName: "cf_tier", Type: "Picklist", Values: []string{"Gold", "Silver"}}} {
		if err := e.ts.AddDeskField("contacts", f); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.ts.AddDeskField("contacts", zohotest.DeskField{APIName: "score"}); err == nil {
		t.Fatal("a custom field without cf_: want an error")
	}
	r := e.desk("GET", "/api/v1/organizationFields?module=contacts", nil).wantDesk(t, 200, "")
	byName := map[string]map[string]any{}
	for _, f := range r.data() {
		byName[f["apiName"].(string)] = f
	}
	if f := byName["lastName"]; f["isMandatory"] != true || f["isCustomField"] != false || f["maxLength"] != float64(200) {
		t.Fatalf("lastName: %v", f)
	}
	if f := byName["cf_revops_key"]; f["isCustomField"] != true || f["type"] != "Text" || f["maxLength"] != float64(60) {
		t.Fatalf("cf_revops_key: %v", f)
	}
	if f := byName["cf_tier"]; len(f["allowedValues"].([]any)) != 2 {
		t.Fatalf("cf_tier: %v", f)
	}
	r = e.desk("GET", "/api/v1/organizationFields?module=accounts", nil).wantDesk(t, 200, "")
	if r.data()[0]["apiName"] != "accountName" || r.data()[0]["isMandatory"] != true {
		t.Fatalf("accounts fields: %s", r.raw)
	}
	e.desk("GET", "/api/v1/organizationFields?module=deals", nil).wantDesk(t, 422, "INVALID_DATA")
	e.desk("GET", "/api/v1/organizationFields", nil).wantDesk(t, 422, "INVALID_DATA")

	r = e.desk("POST", "/api/v1/contacts", map[string]any{"lastName": "Keyed", "cf": map[string]any{"cf_revops_key": "sync:42",
		"cf_score": 7, "cf_tier": "Gold"}}).wantDesk(t, 200, "")
	cf := r.body["cf"].(map[string]any)
	if cf["cf_revops_key"] != "sync:42" || cf["cf_score"] != "7" || cf["cf_tier"] != "Gold" {
		t.Fatalf("cf: %s", r.raw)
	}
	id := r.body["id"].(string)
	r = e.desk("GET", "/api/v1/contacts/search?customField1="+url.QueryEscape("cf_revops_key:sync:42"), nil).wantDesk(t, 200, "")
	if len(r.data()) != 1 || r.data()[0]["id"] != id {
		t.Fatalf("search by custom field: %s", r.raw)
	}
	for _, bad := range []map[string]any{{"cf_score": "many"}, {"cf_score": 1.5}, {"cf_tier": "Bronze"},
		{"cf_revops_key": strings.Repeat("k", 61)}} {
		e.desk("PATCH", "/api/v1/contacts/"+id, map[string]any{"cf": bad}).wantDesk(t, 422, "INVALID_DATA")
	}
	r = e.desk("PATCH", "/api/v1/contacts/"+id, map[string]any{"cf": map[string]any{"cf_tier": nil}}).wantDesk(t, 200, "")
	if cf := r.body["cf"].(map[string]any); cf["cf_tier"] != nil || cf["cf_revops_key"] != "sync:42" {
		t.Fatalf("clear one custom field: %s", r.raw)
	}
	// Seeded contacts carry the new fields, empty.
	r = e.desk("GET", "/api/v1/contacts?limit=1", nil).wantDesk(t, 200, "")
	if cf := r.data()[0]["cf"].(map[string]any); len(cf) != 3 || cf["cf_tier"] != nil {
		t.Fatalf("seeded contact cf: %s", r.raw)
	}
}
