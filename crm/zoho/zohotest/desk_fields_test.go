package zohotest_test

import (
	"bytes"
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestDeskFieldAfterLoad: a saved state keeps the custom values of Desk
// contacts but not the field list; adding the field again to the server
// the state was loaded into keeps those values (a new field is empty on
// records that hold nothing under its name).
func TestDeskFieldAfterLoad(t *testing.T) {
	e, _, _ := seededEnv(t, 50)
	f := zohotest.DeskField{APIName: "cf_crm_id"}
	if err := e.ts.AddDeskField("contacts", f); err != nil {
		t.Fatal(err)
	}
	id := e.ts.DeskRecords("contacts")[0]["id"].(string)
	e.desk("PATCH", "/api/v1/contacts/"+id, map[string]any{"cf": map[string]any{"cf_crm_id": "K-1"}}).wantDesk(t, 200, "")
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	b := zohotest.New(zohotest.Options{})
	if err := b.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if err := b.AddDeskField("contacts", f); err != nil {
		t.Fatal(err)
	}
	for _, c := range b.DeskRecords("contacts") {
		cf, _ := c["cf"].(map[string]any)
		want := any(nil)
		if c["id"] == id {
			want = "K-1"
		}
		if v, ok := cf["cf_crm_id"]; !ok || v != want {
			t.Fatalf("contact %v: cf_crm_id %v (present %v), want %v", c["id"], v, ok, want)
		}
	}
}
