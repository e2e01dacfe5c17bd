package salesforce_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
)

// TestCreateCustomField creates fields through the Tooling API and checks
// that the calls extract makes (describe, query, Bulk query) see them and
// that writes accept them.
func TestCreateCustomField(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	id, err := c.CreateCustomField(ctx, "Contact", "Lifecycle__c", map[string]any{"type": "Picklist", "label": "Lifecycle",
		"valueSet": map[string]any{"restricted": true, "valueSetDefinition": map[string]any{"sorted": false,
			"value": []map[string]any{{"fullName": "Lead", "label": "Lead", "default": true}, {"fullName": "Customer", "label": "Customer"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "00N") || len(id) != 18 {
		t.Fatalf("id %q", id)
	}
	if _, err := c.CreateCustomField(ctx, "Contact", "Score__c", map[string]any{"type": "Number", "label": "Score", "precision": 5, "scale": 0}); err != nil {
		t.Fatal(err)
	}
	got, err := c.CustomFieldID(ctx, "Contact", "Lifecycle__c")
	if err != nil || got != id {
		t.Fatalf("CustomFieldID = %q, %v; want %s", got, err, id)
	}
	if got, err := c.CustomFieldID(ctx, "Lead", "Lifecycle__c"); err != nil || got != "" {
		t.Errorf("CustomFieldID on another object = %q, %v", got, err)
	}
	_, err = c.CreateCustomField(ctx, "Contact", "Lifecycle__c", map[string]any{"type": "Text", "label": "Again", "length": 10})
	if !salesforce.IsCode(err, "DUPLICATE_DEVELOPER_NAME") || !strings.Contains(err.Error(), "There is already a field named Lifecycle on Contact.") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := c.CreateCustomField(ctx, "Contact", "Bad Name", nil); err == nil {
		t.Error("a bad name was sent")
	}

	d, err := c.Describe(ctx, "Contact")
	if err != nil {
		t.Fatal(err)
	}
	f, ok := d.Field("Lifecycle__c")
	if !ok || f.Type != "picklist" || !f.Custom || len(f.PicklistValues) != 2 || !f.RestrictedPick || f.Label != "Lifecycle" {
		t.Fatalf("describe: %+v", f)
	}
	if f, ok := d.Field("Score__c"); !ok || f.Type != "double" || f.Precision != 5 {
		t.Fatalf("describe Score__c: %+v", f)
	}
	res, err := c.Create(ctx, "Contact", []map[string]any{{"LastName": "Ng", "Lifecycle__c": "Customer", "Score__c": 42}}, false)
	if err != nil || !res[0].Success {
		t.Fatalf("create: %v %+v", err, res)
	}
	res, _ = c.Create(ctx, "Contact", []map[string]any{{"LastName": "Bad", "Lifecycle__c": "Nope"}}, false)
	if res[0].Success || res[0].Err().(salesforce.RecordError).StatusCode != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" {
		t.Errorf("restricted picklist: %+v", res[0])
	}
	var rows []map[string]any
	if err := c.Query(ctx, "SELECT LastName, Lifecycle__c, Score__c FROM Contact WHERE Lifecycle__c = 'Customer'", false, 0,
		func(recs []map[string]any) error { rows = append(rows, recs...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["Lifecycle__c"] != "Customer" {
		t.Fatalf("query: %v", rows)
	}
	var header []string
	var cells [][]string
	if err := c.BulkQuery(ctx, "SELECT Id, Lifecycle__c, Score__c FROM Contact", false, func(h []string, r [][]string) error {
		header, cells = h, append(cells, r...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(header, ",") != "Id,Lifecycle__c,Score__c" || len(cells) != 1 || cells[0][1] != "Customer" || cells[0][2] != "42" {
		t.Errorf("bulk query: %v %v", header, cells)
	}
}
