//go:build duckdb_arrow

package link_test

import (
	"fmt"
	"testing"
)

// Two links that share a record carry one another's writes within a
// run: link a copies Salesforce's Phone to the Zoho lead; link b, run
// after it on the same extract, copies the Zoho lead's Phone to
// Salesforce's MobilePhone and sees a's write at once (instead of the
// extract's older phone, which would leave the copy to the next run).
// The next run, on a fresh extract, writes nothing.
func TestLinksShareWrites(t *testing.T) {
	wd := newWorld(t, 0)
	a := spec(t, `  - name: a
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: Phone, right: Phone, owner: read_only, from: salesforce}
`)
	b := spec(t, `  - name: b
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: Phone, right: MobilePhone, owner: read_only, from: zoho_crm}
`)
	zid, sid := wd.pairOf(t, map[string]any{"Phone": "+1 415 555 0100"}, map[string]any{"Phone": "+1 415 555 0100", "MobilePhone": "+1 415 555 0100"})
	wd.extract(t)
	for _, s := range [...]struct {
		name string
		want [2]int64
	}{{"a", [2]int64{0, 0}}, {"b", [2]int64{0, 0}}} {
		sp := a
		if s.name == "b" {
			sp = b
		}
		if _, w := wd.run(t, sp); w != s.want {
			t.Fatalf("first run of %s: writes %v", s.name, w)
		}
	}
	wd.edit(t, 1, sid, map[string]any{"Phone": "+1 415 555 0177"})
	wd.extract(t)
	if _, w := wd.run(t, a); w != [2]int64{1, 0} {
		t.Fatalf("a after Salesforce's phone changed: writes %v", w)
	}
	rep, w := wd.run(t, b)
	if w != [2]int64{0, 1} || rep.Sides[1].Updated != 1 {
		t.Fatalf("b after a wrote the Zoho phone, same extract: writes %v, %+v (want a's write carried to MobilePhone)", w, rep)
	}
	if got := fmt.Sprint(wd.get(t, 1, sid, "MobilePhone")); got != "+1 415 555 0177" {
		t.Fatalf("MobilePhone %s", got)
	}
	wd.extract(t)
	if _, w := wd.run(t, a); w != [2]int64{0, 0} {
		t.Fatalf("a on the next extract: writes %v", w)
	}
	if _, w := wd.run(t, b); w != [2]int64{0, 0} {
		t.Fatalf("b on the next extract: writes %v", w)
	}
	if got := fmt.Sprint(wd.get(t, 0, zid, "Phone")); got != "+1 415 555 0177" {
		t.Fatalf("zoho Phone %s", got)
	}
}
