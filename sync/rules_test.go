//go:build duckdb_arrow

package sync_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
)

// run runs spec once and fails the test on a run error.
func run(t *testing.T, r *revsync.Runner, spec *revsync.Spec, d revsync.Destination, opts revsync.Options) *revsync.Report {
	t.Helper()
	rep, err := r.Run(context.Background(), spec, d, opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return rep
}

// leadByExt returns the org's Lead whose Zoho_Lead_Id__c is ext.
func (e *env) leadByExt(t *testing.T, ext string) map[string]any {
	t.Helper()
	for _, r := range e.org.Records("Lead") {
		if r["Zoho_Lead_Id__c"] == ext {
			return r
		}
	}
	t.Fatalf("no lead %s", ext)
	return nil
}

// TestPicklistTableEditResendsOnlyTheRowsItChanges: a sync maps a column
// through a picklist table (a seed). Editing one pair of the table resends
// exactly the rows whose value it maps (one write call), not the others,
// and the run after sends nothing. A value the table lacks fails its row,
// naming the value and the table (a value of the field itself passes); a
// table mapping one value to two stops the sync, naming both.
func TestPicklistTableEditResendsOnlyTheRowsItChanges(t *testing.T) {
	e := newEnv(t)
	e.exec(t, `CREATE SCHEMA seeds`)
	e.exec(t, `CREATE TABLE seeds.status_map AS SELECT * FROM (VALUES ('Contacted', 'Working - Contacted'),
		('Not Contacted', 'Open - Not Contacted')) v("from", "to")`)
	e.leadModel(t, 40)
	spec := leadSpec(revsync.ModeUpsert)
	spec.Mapping["Status"] = revsync.FieldMap{Column: "status", Picklist: "seeds.status_map"}
	if rep := run(t, e.runner, spec, e.dest, revsync.Options{}); rep.Added != 40 || rep.Succeeded != 40 {
		t.Fatalf("first run: %+v", rep.Counts)
	}
	if rep := run(t, e.runner, spec, e.dest, revsync.Options{}); rep.Planned != 0 {
		t.Fatalf("second run: %+v", rep.Counts)
	}
	e.exec(t, `UPDATE seeds.status_map SET "to" = 'Closed - Not Converted' WHERE "from" = 'Contacted'`)
	before := e.writes()
	rep := run(t, e.runner, spec, e.dest, revsync.Options{})
	t.Logf("run after the table edit: %d requests, %d write calls", rep.APICalls, e.writes()-before)
	if rep.Changed != 20 || rep.Unchanged != 20 || rep.Succeeded != 20 || e.writes()-before != 1 {
		t.Fatalf("after the table edit: %+v, %d write calls; want the 20 Contacted rows in 1 call", rep.Counts, e.writes()-before)
	}
	for i := range 40 {
		want := "Closed - Not Converted"
		if i%2 == 1 {
			want = "Open - Not Contacted"
		}
		if got := e.leadByExt(t, fmt.Sprintf("ZL-%05d", i))["Status"]; got != want {
			t.Errorf("ZL-%05d: Status %v, want %s", i, got, want)
		}
	}
	if rep := run(t, e.runner, spec, e.dest, revsync.Options{}); rep.Planned != 0 {
		t.Fatalf("run after: %+v", rep.Counts)
	}

	e.exec(t, `UPDATE syncs.leads SET status = 'Qualified' WHERE zoho_lead_id = 'ZL-00003'`)
	e.exec(t, `UPDATE syncs.leads SET status = 'Working - Contacted' WHERE zoho_lead_id = 'ZL-00005'`)
	rep = run(t, e.runner, spec, e.dest, revsync.Options{})
	if rep.Failed != 1 || rep.Succeeded != 1 || len(rep.Errors) != 1 || rep.Errors[0].Code != revsync.CodePicklistUnmapped ||
		!strings.Contains(rep.Errors[0].Message, `"Qualified" is not in picklist table seeds.status_map`) {
		t.Fatalf("unmapped value: %+v %+v", rep.Counts, rep.Errors)
	}
	if got := e.leadByExt(t, "ZL-00005")["Status"]; got != "Working - Contacted" {
		t.Errorf("a value of the field itself: Status %v", got)
	}
	if got := e.leadByExt(t, "ZL-00003")["Status"]; got != "Open - Not Contacted" {
		t.Errorf("the failed row was written: Status %v", got)
	}

	e.exec(t, `INSERT INTO seeds.status_map VALUES ('Lost', 'Closed - Not Converted'), ('Lost', 'Open - Not Contacted')`)
	_, err := e.runner.Run(context.Background(), spec, e.dest, revsync.Options{})
	if !errors.Is(err, revsync.ErrBadSpec) || !strings.Contains(err.Error(), `picklist table seeds.status_map maps "Lost" to both`) {
		t.Fatalf("a table mapping one value to two: %v", err)
	}
}

// TestWriteOptions: skip_nulls never clears a value, fill_if_empty writes
// only where the destination is empty (its current value read through
// the API: there is no extract here), never_overwrite writes on create
// only; a row left with nothing to write is recorded without a call.
func TestWriteOptions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.exec(t, `CREATE TABLE syncs.wo AS SELECT * FROM (VALUES
		('W1', 'One', 'Acme', '111', 'CEO', 'first'),
		('W2', 'Two', 'Acme', NULL, NULL, 'first')) v(id, last_name, company, phone, title, descr)`)
	spec := &revsync.Spec{Name: "wo", Model: "syncs.wo", Destination: revsync.Target{Source: "salesforce", Object: "Lead"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Zoho_Lead_Id__c"}, Key: "id",
		Mapping: map[string]revsync.FieldMap{
			"Zoho_Lead_Id__c": {Column: "id"}, "LastName": {Column: "last_name"}, "Company": {Column: "company"},
			"Phone":       {Column: "phone", WriteOptions: revsync.WriteOptions{SkipNulls: true}},
			"Title":       {Column: "title", WriteOptions: revsync.WriteOptions{FillIfEmpty: true}},
			"Description": {Column: "descr", WriteOptions: revsync.WriteOptions{NeverOverwrite: true}},
		}}
	if rep := run(t, e.runner, spec, e.dest, revsync.Options{}); rep.Succeeded != 2 {
		t.Fatalf("first run: %+v %v", rep.Counts, rep.Errors)
	}
	w1 := e.leadByExt(t, "W1")
	if w1["Phone"] != "111" || w1["Title"] != "CEO" || w1["Description"] != "first" {
		t.Fatalf("created: %v", w1)
	}
	// Someone sets W1's title by hand; the model changes every value.
	res, err := e.dest.Write(ctx, "Lead", revsync.OpUpdate, revsync.Match{By: revsync.MatchID},
		[]revsync.Record{{ID: w1["Id"].(string), Values: map[string]any{"Title": "Chief"}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	e.exec(t, `UPDATE syncs.wo SET phone = NULL, title = CASE id WHEN 'W1' THEN 'CTO' ELSE 'VP' END, descr = 'second', company = 'Acme Two'`)
	e.exec(t, `INSERT INTO syncs.wo VALUES ('W3', 'Three', 'Acme', '333', 'Dev', 'second')`)
	calls := e.counters.Sum(nil)
	rep := run(t, e.runner, spec, e.dest, revsync.Options{})
	if rep.Succeeded != 3 || rep.Failed != 0 {
		t.Fatalf("second run: %+v %v", rep.Counts, rep.Errors)
	}
	w1, w2, w3 := e.leadByExt(t, "W1"), e.leadByExt(t, "W2"), e.leadByExt(t, "W3")
	if w1["Phone"] != "111" || w1["Title"] != "Chief" || w1["Description"] != "first" || w1["Company"] != "Acme Two" {
		t.Errorf("W1: %v (want the phone kept, the hand-set title kept, the description kept, the company written)", w1)
	}
	if w2["Title"] != "VP" || w2["Description"] != "first" {
		t.Errorf("W2: %v (want the empty title filled, the description kept)", w2)
	}
	if w3["Phone"] != "333" || w3["Title"] != "Dev" || w3["Description"] != "second" {
		t.Errorf("W3 (created): %v", w3)
	}
	// describe, the lookup of W3 (new: does it exist?), the read of the
	// current titles, the update of W1 and W2, the upsert of W3.
	if n := settled(e.counters) - calls; n != 5 || rep.APICalls != 5 {
		t.Errorf("second run: %d requests (report %d), want 5", n, rep.APICalls)
	}
	if rep := run(t, e.runner, spec, e.dest, revsync.Options{}); rep.Planned != 0 {
		t.Fatalf("third run: %+v", rep.Counts)
	}

	// A row whose only change is a never_overwrite field has nothing to
	// write: recorded, not sent.
	spec.Mapping["Description"] = revsync.FieldMap{Column: "descr", WriteOptions: revsync.WriteOptions{NeverOverwrite: true}}
	e.exec(t, `UPDATE syncs.wo SET descr = 'third' WHERE id = 'W3'`)
	before := e.writes()
	rep = run(t, e.runner, spec, e.dest, revsync.Options{})
	if rep.Changed != 1 || rep.Skipped != 0 || rep.Succeeded != 1 || e.writes()-before != 1 || e.leadByExt(t, "W3")["Description"] != "second" {
		t.Errorf("a change of a never_overwrite field alone: %+v, %d writes", rep.Counts, e.writes()-before)
	}
	only := &revsync.Spec{Name: "wo_only", Model: "syncs.wo", Destination: spec.Destination, Mode: revsync.ModeUpsert, Match: spec.Match, Key: "id",
		Mapping: map[string]revsync.FieldMap{"Zoho_Lead_Id__c": {Column: "id"},
			"LastName": {Column: "last_name", WriteOptions: revsync.WriteOptions{NeverOverwrite: true}},
			"Company":  {Column: "company", WriteOptions: revsync.WriteOptions{NeverOverwrite: true}}}}
	before = e.writes()
	rep = run(t, e.runner, only, e.dest, revsync.Options{})
	if rep.Added != 3 || rep.Skipped != 3 || rep.Succeeded != 0 || e.writes() != before {
		t.Errorf("rows with nothing to write but create-only fields of existing records: %+v, %d writes", rep.Counts, e.writes()-before)
	}
	if rep := run(t, e.runner, only, e.dest, revsync.Options{}); rep.Planned != 0 || rep.Unchanged != 3 {
		t.Errorf("then: %+v", rep.Counts)
	}
}

// TestSkipNullsOnZoho: the same on Zoho, matched by e-mail: a NULL phone
// in the model leaves the record's phone alone.
func TestSkipNullsOnZoho(t *testing.T) {
	z := newZenv(t)
	z.exec(t, `CREATE TABLE syncs.zleads AS SELECT * FROM (VALUES ('K1', 'k1@example.com', 'One', 'Acme', '+1 415 555 0101')) v(lead_key, email, last_name, company, phone)`)
	spec := zleadSpec(revsync.ModeUpsert)
	spec.Mapping["Phone"] = revsync.FieldMap{Column: "phone", WriteOptions: revsync.WriteOptions{SkipNulls: true}}
	run(t, z.runner, spec, z.dest, revsync.Options{})
	z.exec(t, `UPDATE syncs.zleads SET phone = NULL, company = 'Acme Two'`)
	if rep := run(t, z.runner, spec, z.dest, revsync.Options{}); rep.Succeeded != 1 {
		t.Fatalf("second run: %+v %v", rep.Counts, rep.Errors)
	}
	r := z.byField("Leads", "Email", "k1@example.com")
	if len(r) != 1 || r[0]["Phone"] != "+1 415 555 0101" || r[0]["Company"] != "Acme Two" {
		t.Errorf("lead: %v", r)
	}
}

// deleteRecord deletes a record as a user would, through the API.
func deleteRecord(t *testing.T, d revsync.Destination, object, id string) {
	t.Helper()
	res, err := d.Write(context.Background(), object, revsync.OpDelete, revsync.Match{By: revsync.MatchID}, []revsync.Record{{ID: id}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("delete %s %s: %v %v", object, id, err, res)
	}
}

// TestDeletedRecordPolicy: a user deletes a record a sync wrote, then the
// row changes. unlink (the default) takes the row out of the sync, with no
// failure and no new record, until reset; recreate creates it again in
// the same run; fail fails the row every run, as before. Both CRMs, for
// upserts matched by external id or e-mail and for updates by record id.
func TestDeletedRecordPolicy(t *testing.T) {
	for _, system := range []string{"salesforce", "zoho_crm"} {
		for _, mode := range []revsync.Mode{revsync.ModeUpsert, revsync.ModeUpdate} {
			for _, policy := range []revsync.DeletedPolicy{"", revsync.DeletedRecreate, revsync.DeletedFail} {
				if mode == revsync.ModeUpdate && policy == revsync.DeletedRecreate {
					continue
				}
				name := fmt.Sprintf("%s/%s/%s", system, mode, policy)
				if policy == "" {
					name += "default"
				}
				t.Run(name, func(t *testing.T) { testDeletedRecordPolicy(t, system, mode, policy) })
			}
		}
	}
}

func testDeletedRecordPolicy(t *testing.T, system string, mode revsync.Mode, policy revsync.DeletedPolicy) {
	ctx := context.Background()
	s := sfSide(t)
	match := "external_id"
	if system == "zoho_crm" {
		s, match = zohoSide(t), "duplicate_check"
	}
	s.idemModel(t, 5)
	spec := s.idemSpec(t, revsync.ModeUpsert, match)
	run(t, s.runner, spec, s.dest, revsync.Options{})
	if mode == revsync.ModeUpdate {
		// An update sync by record id over the records the upsert made.
		s.exec(t, `CREATE OR REPLACE TABLE syncs.byid AS SELECT s.destination_id AS id, i.k, i.company FROM _revops.sync_snapshots s
			JOIN syncs.idem i ON i.k = s.key WHERE s.sync = 'idem'`)
		spec = &revsync.Spec{Name: "byid", Model: "syncs.byid", Destination: spec.Destination, Mode: revsync.ModeUpdate,
			Match: revsync.MatchSpec{By: revsync.MatchID}, Key: "id", Mapping: map[string]revsync.FieldMap{s.company: {Column: "company"}}}
		run(t, s.runner, spec, s.dest, revsync.Options{})
	}
	spec.OnDeleted = policy
	id := rowsOf(t, s.w, `SELECT destination_id FROM _revops.sync_snapshots WHERE sync = 'idem' AND key = 'R0002'`)[0][0].(string)
	deleteRecord(t, s.dest, s.object, id)
	key := "R0002"
	if mode == revsync.ModeUpdate {
		key = id
		s.exec(t, `UPDATE syncs.byid SET company = 'Two ' || company`)
	} else {
		s.exec(t, `UPDATE syncs.idem SET company = 'Two ' || company`)
	}
	rep := run(t, s.runner, spec, s.dest, revsync.Options{})
	t.Logf("run after the delete: %d requests, %+v", rep.APICalls, rep.Counts)
	names := s.countNames(t)
	switch policy {
	case "":
		if rep.Unlinked != 1 || rep.Failed != 0 || rep.Succeeded != 4 || names["Idem R0002"] != 0 {
			t.Fatalf("unlink: %+v %v, R0002 has %d records", rep.Counts, rep.Errors, names["Idem R0002"])
		}
		if r := rowsOf(t, s.w, `SELECT row_hash, destination_id FROM _revops.sync_snapshots WHERE sync = '`+spec.Name+`' AND key = '`+key+`'`); len(r) != 1 || r[0][0] != "~" || r[0][1] != nil {
			t.Errorf("unlinked snapshot: %v", r)
		}
		// Later changes of the row are not written, nor counted as failed.
		s.exec(t, `UPDATE syncs.`+spec.Model[len("syncs."):]+` SET company = 'Three ' || company`)
		rep = run(t, s.runner, spec, s.dest, revsync.Options{})
		if rep.Planned != 4 || rep.Failed != 0 || s.countNames(t)["Idem R0002"] != 0 {
			t.Fatalf("after unlinking: %+v", rep.Counts)
		}
		if fails, _ := revsync.Failures(ctx, s.w, []string{spec.Name}, 0); len(fails) != 0 {
			t.Errorf("failures: %+v", fails)
		}
		// reset forgets the decision: an upsert creates the record again;
		// an update by id has nothing to write to and unlinks it again.
		res, err := revsync.Reset(ctx, s.w, spec.Name, []string{key}, false)
		if err != nil || res.Snapshots != 1 {
			t.Fatalf("reset: %+v %v", res, err)
		}
		rep = run(t, s.runner, spec, s.dest, revsync.Options{})
		if mode == revsync.ModeUpsert && (rep.Added != 1 || rep.Succeeded != 1 || s.countNames(t)["Idem R0002"] != 1) {
			t.Fatalf("after reset: %+v, %d records", rep.Counts, s.countNames(t)["Idem R0002"])
		}
		if mode == revsync.ModeUpdate && (rep.Added != 1 || rep.Unlinked != 1) {
			t.Fatalf("after reset: %+v", rep.Counts)
		}
	case revsync.DeletedRecreate:
		if rep.Recreated != 1 || rep.Succeeded != 5 || rep.Failed != 0 || names["Idem R0002"] != 1 {
			t.Fatalf("recreate: %+v %v, R0002 has %d records", rep.Counts, rep.Errors, names["Idem R0002"])
		}
		if r := rowsOf(t, s.w, `SELECT destination_id FROM _revops.sync_snapshots WHERE sync = 'idem' AND key = 'R0002'`); r[0][0] == id {
			t.Errorf("the snapshot still holds the deleted record %s", id)
		}
		if rep := run(t, s.runner, spec, s.dest, revsync.Options{}); rep.Planned != 0 {
			t.Errorf("run after: %+v", rep.Counts)
		}
		s.checkValues(t, false)
	case revsync.DeletedFail:
		for i := range 2 {
			if rep.Failed != 1 || rep.Unlinked != 0 || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "on_deleted: fail") {
				t.Fatalf("fail, run %d: %+v %+v", i, rep.Counts, rep.Errors)
			}
			rep = run(t, s.runner, spec, s.dest, revsync.Options{})
		}
		if s.countNames(t)["Idem R0002"] != 0 {
			t.Error("the deleted record was created again")
		}
	}
}

// TestFullResync: records edited and deleted by hand are invisible to a
// normal run (the snapshot says they are current); --full-resync reads
// every record (one query), sends only the rows that differ, applies
// on_deleted to the record that is gone, and records the others as
// written without sending them.
func TestFullResync(t *testing.T) {
	s := sfSide(t)
	s.idemModel(t, 30)
	spec := s.idemSpec(t, revsync.ModeUpsert, "external_id")
	run(t, s.runner, spec, s.dest, revsync.Options{})
	ids := map[string]string{}
	for _, r := range rowsOf(t, s.w, `SELECT key, destination_id FROM _revops.sync_snapshots WHERE sync = 'idem'`) {
		ids[r[0].(string)] = r[1].(string)
	}
	s.edit(t, ids["R0003"], "Edited By Hand")
	s.edit(t, ids["R0004"], "Edited By Hand")
	deleteRecord(t, s.dest, "Lead", ids["R0005"])
	if rep := run(t, s.runner, spec, s.dest, revsync.Options{}); rep.Planned != 0 {
		t.Fatalf("a normal run trusts the snapshot: %+v", rep.Counts)
	}
	count := func() (int64, int64) {
		return settled(s.counters), s.counters.Sum(func(c sandbox.Count) bool {
			return c.Method != "GET" && strings.Contains(c.Endpoint, "/composite/sobjects")
		})
	}
	calls, writes := count()
	rep := run(t, s.runner, spec, s.dest, revsync.Options{FullResync: true})
	c2, w2 := count()
	if rep.Changed != 2 || rep.Succeeded != 2 || rep.Unlinked != 1 || rep.Unchanged != 26 || rep.Added != 1 || rep.Failed != 1 {
		t.Fatalf("full resync: %+v %v", rep.Counts, rep.Errors)
	}
	if w2-writes != 1 || c2-calls != 3 {
		t.Errorf("full resync: %d requests, %d writes; want 3 (describe, one read of 29 records, one write)", c2-calls, w2-writes)
	}
	if got := s.companies(t); got["Idem R0003"][0] != "Company 3" || got["Idem R0004"][0] != "Company 4" || len(got["Idem R0005"]) != 0 {
		t.Errorf("after the full resync: %v", got)
	}
	if rep := run(t, s.runner, spec, s.dest, revsync.Options{}); rep.Planned != 0 {
		t.Errorf("run after: %+v", rep.Counts)
	}
}

// TestResetRefusesWritesInFlight: a reset would forget writes whose
// outcome is unknown; it refuses unless forced.
func TestResetRefusesWritesInFlight(t *testing.T) {
	s := sfSide(t)
	ctx := context.Background()
	s.idemModel(t, 10)
	spec := s.idemSpec(t, revsync.ModeUpsert, "external_id")
	run(t, s.runner, spec, s.dest, revsync.Options{})
	s.exec(t, `UPDATE syncs.idem SET company = 'Two ' || company`)
	s.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, System: s.system, Method: s.update[0], Endpoint: s.update[1], Times: 20})
	if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil {
		t.Fatal("want the lost answer to stop the run")
	}
	s.faults.Clear()
	res, err := revsync.Reset(ctx, s.w, "idem", nil, false)
	if !errors.Is(err, revsync.ErrInflight) || res.Inflight != 9 || !strings.Contains(err.Error(), "run `revops sync idem` first") {
		t.Fatalf("reset with writes in flight: %+v %v", res, err)
	}
	if r := rowsOf(t, s.w, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'idem'`); r[0][0] != int64(9) {
		t.Fatalf("a refused reset forgot: %v", r)
	}
	res, err = revsync.Reset(ctx, s.w, "idem", nil, true)
	if err != nil || res.Inflight != 9 || res.Snapshots != 9 || res.Failures != 10 {
		t.Fatalf("forced reset: %+v %v", res, err)
	}
	// The next run finds every record again by its external id: no
	// duplicate.
	rep := run(t, s.runner, spec, s.dest, revsync.Options{})
	if rep.Added != 10 || rep.Succeeded != 9 {
		t.Fatalf("after reset: %+v", rep.Counts)
	}
	s.checkValues(t, false)
}
