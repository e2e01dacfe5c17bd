package sftest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
)

type colResult struct {
	ID      string     `json:"id"`
	Success bool       `json:"success"`
	Errors  []recError `json:"errors"`
	Created *bool      `json:"created"`
}

func acctRec(fields map[string]any) map[string]any {
	fields["attributes"] = map[string]any{"type": "Account"}
	return fields
}

func TestCollections(t *testing.T) {
	faults := sandbox.NewFaults(1)
	e := newEnv(t, Options{Faults: faults})
	var res []colResult
	// Create, mixed types, one failure without allOrNone.
	e.must(200, "POST", "composite/sobjects", map[string]any{"allOrNone": false, "records": []any{
		acctRec(map[string]any{"Name": "A", "Zoho_Account_Id__c": "ZA"}),
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "LastName": "Ng"},
		acctRec(map[string]any{"Phone": "1"}),
	}}).json(t, reset(&res))
	if len(res) != 3 || !res[0].Success || !res[1].Success || res[2].Success || res[2].ID != "" ||
		res[2].Errors[0].StatusCode != "REQUIRED_FIELD_MISSING" || res[2].Errors[0].Fields[0] != "Name" || res[0].Created != nil {
		t.Fatalf("create: %+v", res)
	}
	a, c := res[0].ID, res[1].ID
	if !strings.HasPrefix(a, "001") || !strings.HasPrefix(c, "003") {
		t.Fatalf("ids %s %s", a, c)
	}
	// allOrNone: the failure keeps its error, the rest roll back.
	e.must(200, "POST", "composite/sobjects", map[string]any{"allOrNone": true, "records": []any{
		acctRec(map[string]any{"Name": "Rolled"}),
		acctRec(map[string]any{"Name": "Dup", "Zoho_Account_Id__c": "za"}),
	}}).json(t, reset(&res))
	if res[0].Success || res[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" ||
		res[1].Errors[0].StatusCode != "DUPLICATE_VALUE" || res[0].ID != "" {
		t.Fatalf("allOrNone: %+v", res)
	}
	if q := e.query("SELECT Id FROM Account WHERE Name = 'Rolled'"); q.TotalSize != 0 {
		t.Fatal("rolled-back record is visible")
	}
	// Update (PATCH), with allOrNone rollback restoring values.
	e.must(200, "PATCH", "composite/sobjects", map[string]any{"allOrNone": true, "records": []any{
		acctRec(map[string]any{"id": a, "Name": "A2"}),
		acctRec(map[string]any{"id": a[:15], "Website": strings.Repeat("w", 300)}),
	}}).json(t, reset(&res))
	if res[0].ID != a || res[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" || res[1].Errors[0].StatusCode != "STRING_TOO_LONG" {
		t.Fatalf("update allOrNone %+v", res)
	}
	if q := e.query("SELECT Name FROM Account WHERE Id = '" + a + "'"); q.Records[0]["Name"] != "A" {
		t.Fatalf("rollback did not restore: %v", q.Records)
	}
	e.must(200, "PATCH", "composite/sobjects", map[string]any{"records": []any{
		acctRec(map[string]any{"id": a, "Name": "A2"}),
		acctRec(map[string]any{"Name": "no id"}),
		acctRec(map[string]any{"id": "001xx", "Name": "bad"}),
		acctRec(map[string]any{"id": makeID("001", 999), "Name": "gone"}),
	}}).json(t, reset(&res))
	if !res[0].Success || res[1].Errors[0].StatusCode != "MISSING_ARGUMENT" || res[2].Errors[0].StatusCode != "MALFORMED_ID" ||
		res[3].Errors[0].StatusCode != "INVALID_CROSS_REFERENCE_KEY" {
		t.Fatalf("update %+v", res)
	}
	// Upsert by external id: created true/false.
	e.must(200, "PATCH", "composite/sobjects/Account/Zoho_Account_Id__c", map[string]any{"records": []any{
		acctRec(map[string]any{"Zoho_Account_Id__c": "ZA", "Name": "A3"}),
		acctRec(map[string]any{"Zoho_Account_Id__c": "ZB", "Name": "B"}),
		acctRec(map[string]any{"Name": "no key"}),
	}}).json(t, reset(&res))
	if *res[0].Created || res[0].ID != a || !*res[1].Created || !res[1].Success || res[2].Errors[0].StatusCode != "MISSING_ARGUMENT" {
		t.Fatalf("upsert %+v", res)
	}
	e.must(200, "PATCH", "composite/sobjects/Account/Zoho_Account_Id__c", map[string]any{"records": []any{
		acctRec(map[string]any{"Zoho_Account_Id__c": "ZC", "Name": "C"}),
		acctRec(map[string]any{"Zoho_Account_Id__c": "zc", "Name": "C"}),
	}}).json(t, reset(&res))
	if res[0].Errors[0].StatusCode != "DUPLICATE_EXTERNAL_ID" {
		t.Fatalf("duplicate keys in one request %+v", res)
	}
	e.must(404, "PATCH", "composite/sobjects/Account/Name", map[string]any{"records": []any{}})
	// Retrieve.
	var got []map[string]any
	e.must(200, "GET", "composite/sobjects/Account?ids="+a+","+makeID("001", 999)+"&fields=Id,Name", nil).json(t, &got)
	if len(got) != 2 || got[0]["Name"] != "A3" || got[1] != nil {
		t.Fatalf("retrieve %v", got)
	}
	e.must(200, "POST", "composite/sobjects/Account", map[string]any{"ids": []string{a}, "fields": []string{"Name"}}).json(t, &got)
	if len(got) != 1 || got[0]["Name"] != "A3" {
		t.Fatalf("retrieve POST %v", got)
	}
	// lock_row fault: chosen records fail with UNABLE_TO_LOCK_ROW.
	faults.Add(sandbox.Rule{Kind: sandbox.FaultLockRow, Times: 1, Records: []string{a}})
	e.must(200, "PATCH", "composite/sobjects", map[string]any{"records": []any{
		acctRec(map[string]any{"id": a, "Name": "locked"}),
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "id": c, "Title": "ok"},
	}}).json(t, reset(&res))
	if res[0].Success || res[0].Errors[0].StatusCode != "UNABLE_TO_LOCK_ROW" || !res[1].Success {
		t.Fatalf("lock_row %+v", res)
	}
	// Delete, mixed types, then again: ENTITY_IS_DELETED.
	e.must(200, "DELETE", "composite/sobjects?ids="+a+","+c+"&allOrNone=false", nil).json(t, reset(&res))
	if !res[0].Success || !res[1].Success || res[0].ID != a {
		t.Fatalf("delete %+v", res)
	}
	e.must(200, "DELETE", "composite/sobjects?ids="+a, nil).json(t, reset(&res))
	if res[0].Errors[0].StatusCode != "ENTITY_IS_DELETED" {
		t.Fatalf("delete twice %+v", res)
	}
	// Request-level failures.
	var many []any
	var ids []string
	for i := 0; i < 201; i++ {
		many = append(many, acctRec(map[string]any{"Name": fmt.Sprint(i)}))
		ids = append(ids, a)
	}
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", "composite/sobjects", map[string]any{"records": many}, 400, "EXCEEDED_ID_LIMIT"},
		{"DELETE", "composite/sobjects?ids=" + strings.Join(ids, ","), nil, 400, "EXCEEDED_ID_LIMIT"},
		{"POST", "composite/sobjects", map[string]any{"records": []any{map[string]any{"Name": "x"}}}, 400, "INVALID_TYPE"},
		{"POST", "composite/sobjects", `{"records": [`, 400, "JSON_PARSER_ERROR"},
		{"POST", "composite/sobjects", map[string]any{"records": []any{acctRec(map[string]any{"Name": "x", "NumberOfEmployees": "lots"})}}, 400, "JSON_PARSER_ERROR"},
		{"PUT", "composite/sobjects", map[string]any{}, 405, "METHOD_NOT_ALLOWED"},
	} {
		r := e.do(tc.method, tc.path, tc.body)
		if r.status != tc.status || r.errCode(t) != tc.code {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path[:min(40, len(tc.path))], r.status, r.body, tc.status, tc.code)
		}
	}
	if q := e.query("SELECT COUNT() FROM Account WHERE Name = '5'"); q.TotalSize != 0 {
		t.Error("oversized request wrote records")
	}
}

func reset(res *[]colResult) *[]colResult { *res = nil; return res }
