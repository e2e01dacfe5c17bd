package zohotest_test

import (
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	r := e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "Daly", "Email": "p.daly@zylker.com"}}})
	r.want(t, 201)
	t.Logf("%s", r.raw)
	r = e.do("GET", "/crm/v8/Leads?fields=Last_Name,Email,Owner,Modified_Time", nil).want(t, 200)
	t.Logf("%s", r.raw)
}
