package zohotest_test

import (
	"slices"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestSeededLifecycleStage: the sandbox's Contacts carry its custom
// Lifecycle_Stage picklist: Customer where a deal of the contact or its
// account was won, Opportunity where one is open, earlier stages (or
// nothing) elsewhere; COQL filters on it.
func TestSeededLifecycleStage(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	w := sandbox.Generate(sandbox.Options{Seed: 42, Records: 800})
	p := w.Project(sandbox.ZohoCRM)
	e.ts.SeedCRM(p)
	f := e.fieldsOf("Contacts")["Lifecycle_Stage"]
	var values []string
	for _, v := range f["pick_list_values"].([]any) {
		values = append(values, v.(map[string]any)["actual_value"].(string))
	}
	if f["data_type"] != "picklist" || f["custom_field"] != true || !slices.Equal(values, zohotest.LifecycleStages) {
		t.Fatalf("Lifecycle_Stage field: %v", f)
	}
	won := map[string]bool{}  // account ids with a won deal
	open := map[string]bool{} // account ids with an open deal
	for _, d := range e.ts.Records("Deals") {
		a, _ := d["Account_Name"].(map[string]any)
		if a == nil {
			continue
		}
		switch d["Stage"] {
		case "Closed Won":
			won[a["id"].(string)] = true
		case "Closed Lost", "Closed Lost to Competition":
		default:
			open[a["id"].(string)] = true
		}
	}
	count := map[any]int{}
	for _, c := range e.ts.Records("Contacts") {
		st := c["Lifecycle_Stage"]
		count[st]++
		a, _ := c["Account_Name"].(map[string]any)
		if a == nil {
			continue
		}
		id := a["id"].(string)
		switch {
		case won[id] && st != "Customer":
			t.Errorf("contact %s of an account with a won deal: %v", c["id"], st)
		case !won[id] && open[id] && st != "Opportunity" && st != "Customer":
			t.Errorf("contact %s of an account with an open deal: %v", c["id"], st)
		}
	}
	for _, want := range []any{"Customer", "Opportunity", "Subscriber", "Lead", "Marketing Qualified Lead", nil} {
		if count[want] == 0 {
			t.Errorf("no contact at %v: %v", want, count)
		}
	}
	t.Logf("lifecycle stages of %d contacts: %v", len(p.Contacts), count)
	r := e.do("POST", "/crm/v8/coql", map[string]any{"select_query": "select Last_Name, Lifecycle_Stage from Contacts where Lifecycle_Stage = 'Customer' limit 2000"}).want(t, 200)
	if len(r.data()) != count["Customer"] {
		t.Fatalf("COQL found %d customers, want %d", len(r.data()), count["Customer"])
	}
	// The same world seeds the same stages.
	g := newEnv(t, zohotest.Options{})
	g.ts.SeedCRM(sandbox.Generate(sandbox.Options{Seed: 42, Records: 800}).Project(sandbox.ZohoCRM))
	a, b := e.ts.Records("Contacts"), g.ts.Records("Contacts")
	for i := range a {
		if a[i]["Lifecycle_Stage"] != b[i]["Lifecycle_Stage"] {
			t.Fatalf("contact %d: %v then %v", i, a[i]["Lifecycle_Stage"], b[i]["Lifecycle_Stage"])
		}
	}
}
