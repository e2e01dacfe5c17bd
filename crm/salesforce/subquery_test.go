package salesforce_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
)

// TestQuerySubqueryRecords reads parent-to-child subqueries and aggregates
// through the client: child records lose their attributes like parents
// do, and errors name the statement's own object.
func TestQuerySubqueryRecords(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	res, err := c.Create(ctx, "Account", []map[string]any{{"Name": "Acme"}, {"Name": "Bare"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx, "Contact", []map[string]any{{"LastName": "Ng", "AccountId": res[0].ID}, {"LastName": "Yi", "AccountId": res[0].ID}}, true); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := c.Query(ctx, "SELECT Name, Owner.Email, (SELECT LastName, Account.Name FROM Contacts ORDER BY LastName) FROM Account WHERE Name != 'it\\'s (x)' ORDER BY Name", false, 0,
		func(recs []map[string]any) error { rows = append(rows, recs...); return nil }); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rows)
	if strings.Contains(string(b), "attributes") || len(rows) != 2 || rows[1]["Contacts"] != nil {
		t.Fatalf("records %s", b)
	}
	contacts := rows[0]["Contacts"].(map[string]any)
	if contacts["totalSize"] != json.Number("2") || contacts["records"].([]any)[1].(map[string]any)["LastName"] != "Yi" {
		t.Errorf("Contacts %v", contacts)
	}
	rows = nil
	if err := c.Query(ctx, "SELECT COUNT(Id) n FROM Contact", false, 0,
		func(recs []map[string]any) error { rows = append(rows, recs...); return nil }); err != nil || len(rows) != 1 || rows[0]["n"] != json.Number("2") {
		t.Errorf("aggregate: %v %v", rows, err)
	}
	err = c.Query(ctx, "SELECT Id, (SELECT Id FROM Contactz) FROM Account", false, 0, func([]map[string]any) error { return nil })
	if !salesforce.IsCode(err, "INVALID_TYPE") || !strings.Contains(err.Error(), "salesforce: query Account page 1:") {
		t.Errorf("error %v", err)
	}
}
