//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/sync/link"
)

// A transition fires once per change of state: not for states the
// records held before the link's first run, once when a Salesforce lead
// becomes Working - Contacted (however many runs follow), and again only
// for a new change to that state.
func TestTransitionsFireOnce(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink+`    transitions:
      - name: contacted
        on: {side: salesforce, field: Status, to: [Working - Contacted]}
        set: {side: zoho, values: {Lead_Status: Contacted}}
`)
	zid, sid := wd.pairOf(t, map[string]any{"Lead_Status": "Not Contacted"}, map[string]any{"Status": "Open - Not Contacted"})
	z2, s2 := wd.pairOf(t, map[string]any{"Lead_Status": "Not Contacted"}, map[string]any{"Status": "Working - Contacted"})
	wd.extract(t)
	rep, _ := wd.run(t, s)
	if rep.Transitions != 0 || fmt.Sprint(wd.get(t, 0, z2, "Lead_Status")) != "Not Contacted" {
		t.Fatalf("first run acted on an old state: %+v", rep)
	}
	wd.edit(t, 1, sid, map[string]any{"Status": "Working - Contacted"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	if rep.Transitions != 1 || w[0] != 1 || fmt.Sprint(wd.get(t, 0, zid, "Lead_Status")) != "Contacted" {
		t.Fatalf("transition: %d fired, writes %v", rep.Transitions, w)
	}
	for range 2 {
		wd.extract(t)
		if rep, w := wd.run(t, s); rep.Transitions != 0 || w[0] != 0 {
			t.Fatalf("fired again: %+v, writes %v", rep, w)
		}
	}
	// Someone sets Zoho back; the state changes away and back in Salesforce.
	wd.edit(t, 0, zid, map[string]any{"Lead_Status": "Not Contacted"})
	wd.edit(t, 1, sid, map[string]any{"Status": "Open - Not Contacted"})
	wd.extract(t)
	wd.run(t, s)
	time.Sleep(10 * time.Millisecond)
	wd.edit(t, 1, sid, map[string]any{"Status": "Working - Contacted"})
	wd.extract(t)
	if rep, _ := wd.run(t, s); rep.Transitions != 1 || fmt.Sprint(wd.get(t, 0, zid, "Lead_Status")) != "Contacted" {
		t.Fatalf("second change: %+v", rep)
	}
	fired, err := link.Fired(context.Background(), wd.w, []string{"leads"}, 0)
	if err != nil || len(fired) != 2 {
		t.Fatalf("transitions: %v %v", err, fired)
	}
	for _, f := range fired {
		if f["state"] != "fired" || f["record_id"] != sid || f["target_id"] != zid || f["to"] != "Working - Contacted" {
			t.Fatalf("transition %v", f)
		}
	}
	_ = s2
}

// A plan shows per side what a run would write and the calls it would
// spend, and writes nothing.
func TestPlanShowsWritesPerSide(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	_, sid := wd.pairOf(t, map[string]any{"City": "Austin"}, map[string]any{"Title": "CEO"})
	wd.extract(t)
	before := wd.writes()
	rep, err := wd.runner.Plan(context.Background(), s, wd.dests, link.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if wd.writes() != before {
		t.Fatal("the plan wrote")
	}
	// The plan's calls are the two describes (Zoho's reads its fields and
	// its standard layout, for layout-mandatory fields) and Salesforce's.
	if rep.Updated != 2 || rep.Sides[0].PlannedCalls != 1 || rep.Sides[1].PlannedCalls != 1 || len(rep.Writes) != 2 || rep.APICalls != 3 {
		t.Fatalf("plan: %+v", rep)
	}
	for _, w := range rep.Writes {
		switch w.Side {
		case "salesforce":
			if w.RecordID != sid || w.Fields["City"].After != "Austin" || w.Fields["City"].Before != nil {
				t.Fatalf("salesforce write %+v", w)
			}
		case "zoho_crm":
			if w.Fields["Designation"].After != "CEO" {
				t.Fatalf("zoho write %+v", w)
			}
		}
	}
	n := wd.rows(t, `SELECT count(*) FROM _revops.link_values`)[0][0]
	if n != int64(0) {
		t.Fatalf("the plan recorded %v agreed values", n)
	}
	if _, w := wd.run(t, s); w != [2]int64{1, 1} {
		t.Fatalf("run after the plan: %v", w)
	}
}

// Paired through identity.crosswalk: one record of a golden id on each
// side pairs; a golden id with two records on one side pairs nothing.
func TestPairByCrosswalk(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, `  - name: people
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: crosswalk}
    fields:
      - {left: City, right: City, owner: newest}
`)
	a, sa := wd.pairOf(t, map[string]any{"City": "Oslo"}, map[string]any{"Zoho_Lead_Id__c": "x1"})
	b, sb := wd.pairOf(t, map[string]any{"City": "Rome"}, map[string]any{"Zoho_Lead_Id__c": "x2"})
	_, sc := wd.pairOf(t, nil, map[string]any{"Zoho_Lead_Id__c": "x3"})
	wd.extract(t)
	if _, err := wd.runner.Run(context.Background(), s, wd.dests, link.Options{}); err == nil {
		t.Fatal("no crosswalk, no error")
	}
	q := fmt.Sprintf(`CREATE SCHEMA identity; CREATE TABLE identity.crosswalk AS SELECT * FROM (VALUES
		('zoho_crm', 'Leads', '%s', 'P-1'), ('salesforce', 'Lead', '%s', 'P-1'),
		('zoho_crm', 'Leads', '%s', 'P-2'), ('salesforce', 'Lead', '%s', 'P-2'), ('salesforce', 'Lead', '%s', 'P-2'))
		AS t(system, object, source_id, golden_id)`, a, sa, b, sb, sc)
	if err := wd.w.Exec(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	rep, w := wd.run(t, s)
	if rep.Pairs != 1 || rep.Unpaired.Ambiguous != 3 || w != [2]int64{0, 1} || fmt.Sprint(wd.get(t, 1, sa, "City")) != "Oslo" {
		t.Fatalf("crosswalk: writes %v, %+v", w, rep)
	}
}
