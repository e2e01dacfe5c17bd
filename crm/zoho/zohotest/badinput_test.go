package zohotest_test

import (
	"net/url"
	"testing"
)

// TestBadInputNeverFailsInternally throws malformed requests at every route:
// each must get a 2xx or 4xx answer in the API's own shape, never a 5xx.
func TestBadInputNeverFailsInternally(t *testing.T) {
	e, _, _ := seededEnv(t, 200)
	deal := e.ts.Records("Deals")[0]["id"].(string)
	bodies := []any{nil, "", "null", "[]", "{", `{"data":null}`, `{"data":[null]}`, `{"data":[[]]}`, `{"data":[{"id":{}}]}`,
		`{"data":[{"Owner":"x","Account_Name":{"id":[]},"Closing_Date":5,"Stage":{},"Probability":"x"}]}`,
		`{"data":[{"What_Id":{"id":"1"},"$se_module":"Nope"}]}`, `{"data":[{"Parent_Id":{"module":"x"}}]}`,
		`{"data":[{"Last_Name":"x"}],"duplicate_check_fields":"Email"}`, `{"data":[{"Last_Name":"x"}],"trigger":"x"}`,
		`{"select_query":5}`, `{"select_query":"select from"}`, `{"select_query":"select a,b from Leads where (a = 1"}`,
		`{"subject":null,"departmentId":5,"contactId":[],"dueDate":"x","cf":1}`, `{"contact":{}}`}
	paths := []string{"/crm/v8/Leads", "/crm/v8/Deals/upsert", "/crm/v8/Deals/" + deal, "/crm/v8/Tasks", "/crm/v8/Notes",
		"/crm/v8/coql", "/crm/v8/Leads/search?criteria=" + url.QueryEscape("((((("), "/crm/v8/Leads/actions/count?criteria=x",
		"/crm/v8/Deals/" + deal + "/Stage_History?per_page=x", "/crm/v8/settings/fields?module=Leads&type=x",
		"/crm/v8/Leads/deleted?per_page=0", "/crm/v8/Leads?fields=%00&page=-1", "/crm/v8/Leads?fields=Last_Name&ids=a,b",
		"/crm/v8/users/1", "/crm/v8/org/x", "/crm/v8/Deals/" + deal + "/Notes", "/api/v1/tickets", "/api/v1/tickets/x",
		"/api/v1/tickets/1892000000000005", "/api/v1/contacts/contactsByIds?ids=", "/api/v1/accounts?from=-3"}
	for _, p := range paths {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			for _, b := range bodies {
				r := e.desk(m, p, b)
				if r.status >= 500 {
					t.Fatalf("%s %s %v: %d %s", m, p, b, r.status, r.raw)
				}
			}
		}
	}
}

func TestDeskTicketFilters(t *testing.T) {
	e, _, _ := seededEnv(t, 300)
	r := e.desk("GET", "/api/v1/tickets?limit=100&status=Closed,On%20Hold", nil).wantDesk(t, 200, "")
	if len(r.data()) == 0 {
		t.Fatal("no closed tickets seeded")
	}
	for _, d := range r.data() {
		if d["status"] != "Closed" && d["status"] != "On Hold" {
			t.Fatalf("status filter let %v through", d["status"])
		}
	}
}
