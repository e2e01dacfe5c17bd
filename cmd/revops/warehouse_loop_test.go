package main

import (
	"fmt"
	"testing"
)

// editLinkedLeadPair changes a lead that the example link zoho_sf_leads
// pairs on each side (City in Zoho, Title in Salesforce) and extracts
// both, as the warehouse loop tests do before running the link. It
// returns the pair's ids and the two APIs.
func editLinkedLeadPair(t *testing.T, env map[string]string, cfg string, info sandboxInfo) (zid, sid string, sf, zo *api) {
	t.Helper()
	pair := queryRows(t, cfg, `SELECT z.id AS zid, s.Id AS sid FROM zoho_crm.leads z JOIN salesforce.lead s ON s.Zoho_Lead_Id__c = z.id ORDER BY z.id LIMIT 1`)
	if len(pair) != 1 {
		t.Fatalf("no linked lead pair: %v", pair)
	}
	zid, sid = fmt.Sprint(pair[0]["zid"]), fmt.Sprint(pair[0]["sid"])
	sf, zo = sfAPI(t, info), zohoAPI(t, info)
	if c, b := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads", fmt.Sprintf(`{"data":[{"id":%q,"City":"Lisbon"}]}`, zid)); c != 200 {
		t.Fatalf("zoho edit: %d %s", c, b)
	}
	if c, b := sf.do("PATCH", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead/"+sid, `{"Title":"Head of Revenue"}`); c != 204 {
		t.Fatalf("salesforce edit: %d %s", c, b)
	}
	if code, _, errOut := revops(t, env, "extract", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("extract: %s", errOut)
	}
	return zid, sid, sf, zo
}
