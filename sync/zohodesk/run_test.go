//go:build duckdb_arrow

package zohodesk_test

import (
	"context"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
)

// TestRunContactsIntoDesk runs the sync engine into Desk contacts matched
// by [email, cf_revops_key]: a contact Desk already has (e-mail in another
// case) is updated, not duplicated; a row matching two contacts goes to
// review; a row without e-mail is created and later updated by the id
// revops recorded; the second run writes nothing; a contact someone moved
// to the trash is unlinked (on_deleted's default), never recreated; a
// create whose answer is lost is found again, not sent twice.
func TestRunContactsIntoDesk(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	existing := insert(t, d, "contacts", map[string]any{"lastName": "Ann", "email": "Ann@Example.com"},
		map[string]any{"lastName": "Dup A", "email": "dup@example.com"}, map[string]any{"lastName": "Dup B", "email": "dup@example.com"})
	w, err := duckdb.Open(ctx, duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	exec := func(q string) {
		t.Helper()
		if err := w.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE SCHEMA syncs`)
	exec(`CREATE TABLE syncs.desk_contacts AS SELECT 'K' || lpad(CAST(i AS VARCHAR), 2, '0') AS contact_key,
		CASE WHEN i = 1 THEN 'ann@EXAMPLE.com' WHEN i = 2 THEN 'dup@example.com' WHEN i = 3 THEN NULL
			ELSE 'desk' || i || '@example.com' END AS email,
		'Person ' || i AS last_name, 'Title ' || i AS title FROM range(1, 31) t(i)`)
	spec := &revsync.Spec{Name: "desk_contacts", Model: "syncs.desk_contacts",
		Destination: revsync.Target{Source: "zoho_desk", Object: "contacts"}, Mode: revsync.ModeUpsert,
		Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"email", "cf_revops_key"}}, Key: "contact_key",
		Mapping: map[string]revsync.FieldMap{"email": {Column: "email"}, "lastName": {Column: "last_name"},
			"title": {Column: "title"}, "cf_revops_key": {Column: "contact_key"}}}
	r := &revsync.Runner{Warehouse: w}
	run := func(what string) *revsync.Report {
		t.Helper()
		rep, err := r.Run(ctx, spec, d, revsync.Options{})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return rep
	}
	rep := run("first run")
	if rep.Succeeded != 29 || rep.Review != 1 || rep.Failed != 0 {
		t.Fatalf("first run: %+v %v", rep.Counts, rep.Errors)
	}
	if c := o.records("contacts", "email", "ann@example.com"); len(c) != 1 || c[0]["id"] != existing[0] || c[0]["title"] != "Title 1" {
		t.Errorf("Ann: %v", c)
	}
	if n := len(o.DeskRecords("contacts")); n != 3+27+1 {
		t.Errorf("%d contacts, want 31 (3 there, 27 with e-mail and 1 without created)", n)
	}
	noMail := o.records("contacts", "lastName", "Person 3")
	if len(noMail) != 1 || noMail[0]["email"] != nil {
		t.Fatalf("the row without e-mail: %v", noMail)
	}

	writes := o.writes()
	rep = run("second run")
	if o.writes() != writes || rep.Succeeded != 0 {
		t.Errorf("second run: %d writes, %+v", o.writes()-writes, rep.Counts)
	}

	// Someone trashes K04's contact; the row changes: unlinked, not recreated.
	k4 := o.records("contacts", "email", "desk4@example.com")[0]["id"].(string)
	if err := o.MoveDeskToTrash("contacts", k4); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE syncs.desk_contacts SET title = 'Changed' WHERE contact_key IN ('K03', 'K04')`)
	// And a new row whose create answer is dropped.
	exec(`INSERT INTO syncs.desk_contacts VALUES ('K31', 'desk31@example.com', 'Person 31', 'Title 31')`)
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "POST", Endpoint: "/api/v1/contacts", Times: 1})
	rep = run("third run")
	if rep.Unlinked != 1 || rep.Succeeded != 2 || rep.Failed != 0 {
		t.Fatalf("third run: %+v %v", rep.Counts, rep.Errors)
	}
	if c := o.records("contacts", "email", "desk4@example.com"); len(c) != 0 {
		t.Errorf("the trashed contact came back: %v", c)
	}
	if c := o.records("contacts", "email", "desk31@example.com"); len(c) != 1 {
		t.Errorf("K31 written %d times", len(c))
	}
	if c := o.records("contacts", "lastName", "Person 3"); len(c) != 1 || c[0]["id"] != noMail[0]["id"] || c[0]["title"] != "Changed" {
		t.Errorf("the row without e-mail was not updated in place: %v", c)
	}
	writes = o.writes()
	if rep = run("fourth run"); o.writes() != writes {
		t.Errorf("fourth run: %d writes, %+v", o.writes()-writes, rep.Counts)
	}
	if n := len(o.DeskRecords("contacts")); n != 31 {
		t.Errorf("%d contacts at the end, want 31", n)
	}
}
