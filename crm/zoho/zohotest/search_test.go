package zohotest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestSearch(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Burns,B", "First_Name": "Monty", "Email": "monty@plant.com", "Phone": "+1 (555) 010-2000", "No_of_Employees": 500},
		map[string]any{"Last_Name": "Simpson", "First_Name": "Homer", "Email": "homer@plant.com", "No_of_Employees": 1},
		map[string]any{"Last_Name": "Flanders", "First_Name": "Ned", "Email": "ned@leftorium.com"},
	}}).want(t, 201)
	crit := "((Last_Name:equals:Burns\\,B)and(First_Name:starts_with:M))"
	r := e.do("GET", "/crm/v8/Leads/search?criteria="+url.QueryEscape(crit)+"&fields=Last_Name", nil).want(t, 200)
	if len(r.data()) != 1 || r.data()[0]["Last_Name"] != "Burns,B" || r.info()["count"] != float64(1) || r.info()["more_records"] != false {
		t.Fatalf("criteria: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Leads/search?criteria="+url.QueryEscape("(No_of_Employees:greater_than:10)"), nil).want(t, 200)
	if len(r.data()) != 1 {
		t.Fatalf("number criteria: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Leads/search?email=HOMER@plant.com", nil).want(t, 200)
	if len(r.data()) != 1 || r.data()[0]["First_Name"] != "Homer" {
		t.Fatalf("email: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Leads/search?phone=5550102000", nil).want(t, 200)
	if len(r.data()) != 1 {
		t.Fatalf("phone: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Leads/search?word=plant", nil).want(t, 200)
	if len(r.data()) != 2 {
		t.Fatalf("word: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Leads/search?word=zzz", nil).want(t, 204)
	// criteria wins over email when both are given.
	r = e.do("GET", "/crm/v8/Leads/search?email=homer@plant.com&criteria="+url.QueryEscape("(Last_Name:equals:Flanders)"), nil).want(t, 200)
	if r.data()[0]["Last_Name"] != "Flanders" {
		t.Fatalf("precedence: %s", r.raw)
	}
	e.do("GET", "/crm/v8/Leads/search", nil).wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	e.do("GET", "/crm/v8/Leads/search?word=a", nil).wantErr(t, 400, "INVALID_QUERY")
	e.do("GET", "/crm/v8/Leads/search?criteria="+url.QueryEscape("(Nope:equals:x)"), nil).wantErr(t, 400, "INVALID_QUERY")
	e.do("GET", "/crm/v8/Leads/search?criteria="+url.QueryEscape("(Last_Name:equals"), nil).wantErr(t, 400, "INVALID_QUERY")
	e.do("GET", "/crm/v8/Leads/search?email=a@b.co&page=11", nil).wantErr(t, 400, "LIMIT_REACHED")
	var conds []string
	for range 11 {
		conds = append(conds, "(Last_Name:equals:x)")
	}
	r = e.do("GET", "/crm/v8/Leads/search?criteria="+url.QueryEscape("("+strings.Join(conds, "or")+")"), nil)
	if r.status != 400 {
		t.Fatalf("11 conditions: %s", r.raw)
	}

	// Count.
	r = e.do("GET", "/crm/v8/Leads/actions/count", nil).want(t, 200)
	if r.body["count"] != float64(3) {
		t.Fatalf("count: %s", r.raw)
	}
	r = e.do("GET", "/crm/v8/Leads/actions/count?word=plant", nil).want(t, 200)
	if r.body["count"] != float64(2) {
		t.Fatalf("count word: %s", r.raw)
	}
}

func TestCOQL(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	r := e.do("POST", "/crm/v8/Accounts", map[string]any{"data": []any{
		map[string]any{"Account_Name": "Zylker", "Industry": "Large Enterprise"},
		map[string]any{"Account_Name": "Acme"},
	}}).want(t, 201)
	zylker := details(t, r.data()[0])["id"].(string)
	e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{
		map[string]any{"Last_Name": "Boyle", "Account_Name": map[string]any{"id": zylker}},
		map[string]any{"Last_Name": "Daly", "Account_Name": map[string]any{"id": zylker}},
		map[string]any{"Last_Name": "Kent"},
	}}).want(t, 201)
	coql := func(q string) *resp {
		return e.do("POST", "/crm/v8/coql", map[string]any{"select_query": q})
	}
	r = coql("select Last_Name, Account_Name, Account_Name.Account_Name, Modified_Time from Contacts where Account_Name.Industry = 'Large Enterprise' order by Last_Name desc limit 10").want(t, 200)
	d := r.data()
	if len(d) != 2 || d[0]["Last_Name"] != "Daly" || d[0]["Account_Name.Account_Name"] != "Zylker" || r.info()["count"] != float64(2) ||
		r.info()["more_records"] != false {
		t.Fatalf("coql: %s", r.raw)
	}
	if acct := d[0]["Account_Name"].(map[string]any); len(acct) != 1 || acct["id"] != zylker {
		t.Fatalf("lookup columns carry only the id: %v", acct)
	}
	if !strings.HasSuffix(d[0]["Modified_Time"].(string), "+05:30") || d[0]["id"] == nil {
		t.Fatalf("row: %v", d[0])
	}
	r = coql("select Last_Name from Contacts where Last_Name is not null limit 1 offset 1").want(t, 200)
	if len(r.data()) != 1 || r.data()[0]["Last_Name"] != "Daly" || r.info()["more_records"] != true {
		t.Fatalf("limit/offset (default order id asc): %s", r.raw)
	}
	r = coql("select COUNT(id) from Contacts where Last_Name is not null").want(t, 200)
	if r.data()[0]["COUNT(id)"] != float64(3) {
		t.Fatalf("aggregate: %s", r.raw)
	}
	coql("select Last_Name from Contacts where Last_Name = 'Nobody'").want(t, 204)
	coql("select Last_Name from Contacts where").wantErr(t, 400, "SYNTAX_ERROR")
	coql("select Nope from Contacts where Last_Name is not null").wantErr(t, 400, "INVALID_QUERY")
	coql("select Last_Name from Nowhere where Last_Name is not null").wantErr(t, 400, "INVALID_MODULE")
	coql("select Last_Name from Contacts where Last_Name is not null limit 2001").wantErr(t, 400, "LIMIT_EXCEEDED")
	e.do("POST", "/crm/v8/coql", map[string]any{}).wantErr(t, 400, "REQUIRED_PARAM_MISSING")
	e.do("POST", "/crm/v8/coql", "{bad json").wantErr(t, 400, "INVALID_DATA")
	e.do("GET", "/crm/v8/coql", nil).wantErr(t, 400, "INVALID_REQUEST_METHOD")
}
