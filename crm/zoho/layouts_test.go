package zoho_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestLayouts(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	c := newClient(t, config(ts))
	ctx := context.Background()
	for module, want := range map[string][]string{
		"Leads":    {"Last_Name", "Company"},
		"Deals":    {"Deal_Name", "Account_Name", "Closing_Date", "Stage"},
		"Contacts": {"Last_Name"},
	} {
		ls, err := c.Layouts(ctx, module)
		if err != nil {
			t.Fatal(err)
		}
		l, ok := zoho.StandardLayout(ls)
		if !ok || l.APIName != "Standard__s" || l.ID != ts.LayoutID(module) || len(l.Sections) == 0 {
			t.Fatalf("%s: standard layout %+v", module, l)
		}
		var got []string
		for _, f := range l.Required() {
			got = append(got, f.APIName)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: required %v, want %v", module, got, want)
		}
	}
	if _, err := c.Layouts(ctx, "Nope"); !zoho.IsCode(err, "INVALID_MODULE") {
		t.Fatalf("unknown module: %v", err)
	}
	if _, ok := zoho.StandardLayout(nil); ok {
		t.Fatal("a standard layout among none")
	}
	other := []zoho.Layout{{ID: "1", Name: "Old", Status: "inactive"}, {ID: "2", Name: "Partner", Status: "active"}}
	if l, _ := zoho.StandardLayout(other); l.ID != "2" {
		t.Fatalf("without a standard layout: %+v", l)
	}
}

// TestCreateFields creates seven fields (two calls of at most five), one
// of them refused, reads them back and deletes one.
func TestCreateFields(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	c := newClient(t, config(ts))
	ctx := context.Background()
	two := 2
	fields := []zoho.NewField{
		{Label: "Lead Score", DataType: "integer"},
		{Label: "Lifecycle Stage", DataType: "picklist", PickList: []string{"Subscriber", "Customer"}},
		{Label: "Company", DataType: "text"}, // the label is taken
		{Label: "Desk Contact Id", DataType: "text", Length: 40, Unique: true},
		{Label: "Health", DataType: "double", DecimalPlace: &two, Tooltip: "0 to 100"},
		{Label: "Notes Long", DataType: "textarea", TextareaType: "large"},
		{Label: "Partner", DataType: "lookup", LookupModule: "Accounts"},
	}
	before := ts.Counters().Sum(func(x sandbox.Count) bool { return x.Method == "POST" && x.Endpoint == "/crm/v8/settings/fields" })
	res, err := c.CreateFields(ctx, "Leads", fields)
	if err != nil {
		t.Fatal(err)
	}
	if n := ts.Counters().Sum(func(x sandbox.Count) bool { return x.Method == "POST" && x.Endpoint == "/crm/v8/settings/fields" }) - before; n != 2 {
		t.Errorf("%d create calls for 7 fields, want 2", n)
	}
	if len(res) != 7 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if i == 2 {
			if r.OK() || r.Code != "DUPLICATE_DATA" || r.Details["api_name"] != "field_label" || r.Err() == nil {
				t.Errorf("taken label: %+v", r)
			}
			continue
		}
		if !r.OK() || r.ID == "" {
			t.Errorf("field %d: %+v", i, r)
		}
	}
	fs, err := c.Fields(ctx, "Leads")
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]zoho.Field{}
	for _, f := range fs {
		by[f.APIName] = f
	}
	if f := by["Lifecycle_Stage"]; f.DataType != "picklist" || len(f.PickListValues) != 2 || !f.CustomField {
		t.Errorf("Lifecycle_Stage %+v", f)
	}
	if f := by["Desk_Contact_Id"]; !f.IsUnique() || f.Length != 40 {
		t.Errorf("Desk_Contact_Id %+v", f)
	}
	if f := by["Health"]; f.DecimalPlace == nil || *f.DecimalPlace != 2 {
		t.Errorf("Health %+v", f)
	}
	if f := by["Notes_Long"]; f.Length != 32000 {
		t.Errorf("Notes_Long %+v", f)
	}
	if f := by["Partner"]; f.LookupModule() != "Accounts" {
		t.Errorf("Partner %+v", f)
	}
	if err := c.DeleteField(ctx, "Leads", res[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteField(ctx, "Leads", by["Email"].ID); !zoho.IsCode(err, "NOT_ALLOWED") {
		t.Fatalf("delete a standard field: %v", err)
	}
	fs, _ = c.Fields(ctx, "Leads")
	for _, f := range fs {
		if f.APIName == "Lead_Score" {
			t.Fatal("deleted field still listed")
		}
	}
	// A call refused as a whole is an error.
	if _, err := c.CreateFields(ctx, "Nope", fields[:1]); !zoho.IsCode(err, "INVALID_MODULE") {
		t.Fatalf("unknown module: %v", err)
	}
}
