//go:build duckdb_arrow

package zohobooks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
)

// contactsWith returns the organization's contacts whose field equals
// value, case-insensitively.
func (o *org) contactsWith(field, value string) []map[string]any {
	var out []map[string]any
	for _, r := range o.books.Records("contacts") {
		if s, _ := r[field].(string); strings.EqualFold(strings.TrimSpace(s), value) {
			out = append(out, r)
		}
	}
	return out
}

// TestRunCustomersIntoBooks runs the sync engine into Books customers
// matched by cf_revops_id: a customer Books already has is matched by
// its display name (other spacing and case) or its primary person's
// e-mail, updated and stamped, never duplicated, its contact persons
// kept; the second run writes nothing; a create whose answer is dropped
// (the request lands) is repeated by the transport and makes one
// customer; one whose every answer is lost, lookups included, fails the
// run and is found (recovered) by the next, not created twice.
func TestRunCustomersIntoBooks(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	seed := func(name, email string) string {
		res, err := d.Write(ctx, "contacts", revsync.OpInsert, revsync.Match{}, []revsync.Record{{Key: "seed",
			Values: map[string]any{"contact_name": name, "email": email, "last_name": "Existing"}}})
		if err != nil || res[0].Err != nil {
			t.Fatalf("seed %s: %v %+v", name, err, res)
		}
		return res[0].ID
	}
	acme, globex := seed("Acme GmbH", "ann@acme.example"), seed("Globex", "bob@globex.example")
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
	exec(`CREATE TABLE syncs.books_customers AS SELECT 'A' || lpad(CAST(i AS VARCHAR), 2, '0') AS account_id,
		CASE WHEN i = 1 THEN 'acme  gmbh' WHEN i = 2 THEN 'Globex Corporation' ELSE 'Customer ' || i END AS name,
		CASE WHEN i = 1 THEN 'new.person@acme.example' WHEN i = 2 THEN 'BOB@globex.example' ELSE 'buyer' || i || '@example.com' END AS email,
		'Buyer ' || i AS last_name, 'Street ' || i AS street, 'Lyon' AS city FROM range(1, 11) t(i)`)
	spec := &revsync.Spec{Name: "books_customers", Model: "syncs.books_customers",
		Destination: revsync.Target{Source: "zoho_books", Object: "contacts"}, Mode: revsync.ModeUpsert,
		Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "cf_revops_id"}, Key: "account_id",
		Mapping: map[string]revsync.FieldMap{"cf_revops_id": {Column: "account_id"}, "contact_name": {Column: "name"},
			"email": {Column: "email"}, "last_name": {Column: "last_name"}, "billing_address": {Column: "street"},
			"billing_city": {Column: "city"}}}
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
	if rep.Succeeded != 10 || rep.Failed != 0 || rep.Created != 8 || rep.Updated != 2 {
		t.Fatalf("first run: %+v created %d updated %d %v", rep.Counts, rep.Created, rep.Updated, rep.Errors)
	}
	if n := len(o.books.Records("contacts")); n != 10 {
		t.Errorf("%d contacts, want 10 (2 there, 8 created)", n)
	}
	a := o.contactsWith("cf_revops_id", "A01")
	if len(a) != 1 || a[0]["contact_id"] != acme || a[0]["contact_name"] != "acme  gmbh" {
		t.Fatalf("A01 (matched by name): %v", a)
	}
	// The existing person is kept; the row's person is added as primary.
	if ps := a[0]["contact_persons"].([]map[string]any); len(ps) != 2 || a[0]["email"] != "new.person@acme.example" {
		t.Errorf("A01 persons: %v", ps)
	}
	if g := o.contactsWith("cf_revops_id", "A02"); len(g) != 1 || g[0]["contact_id"] != globex {
		t.Errorf("A02 (matched by e-mail): %v", g)
	}

	writes := o.writes()
	if rep = run("second run"); o.writes() != writes || rep.Succeeded != 0 {
		t.Errorf("second run: %d writes, %+v", o.writes()-writes, rep.Counts)
	}

	// A new customer whose create answer is dropped once: repeated, one.
	exec(`INSERT INTO syncs.books_customers VALUES ('A11', 'Customer 11', 'buyer11@example.com', 'Buyer 11', 'Street 11', 'Lyon')`)
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "PUT", Endpoint: "/books/v3/contacts", Times: 1})
	if rep = run("third run"); rep.Succeeded != 1 || rep.Created != 1 || rep.Failed != 0 {
		t.Fatalf("third run: %+v %v", rep.Counts, rep.Errors)
	}
	if c := o.contactsWith("cf_revops_id", "A11"); len(c) != 1 {
		t.Errorf("A11 written %d times", len(c))
	}

	// Every answer lost: the run fails the row; the next finds it.
	exec(`INSERT INTO syncs.books_customers VALUES ('A12', 'Customer 12', 'buyer12@example.com', 'Buyer 12', 'Street 12', 'Lyon')`)
	// The three lookups pass; then every create (PUT) lands and loses
	// its answer, and so does every lookup after it.
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "GET", Endpoint: "/books/v3/contacts", After: 3, Times: 100})
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "PUT", Endpoint: "/books/v3/contacts", Times: 100})
	rep, err = r.Run(ctx, spec, d, revsync.Options{})
	if err == nil && rep.Failed != 1 {
		t.Fatalf("fourth run (every answer lost): %+v, want the row failed", rep.Counts)
	}
	t.Logf("fourth run (every answer lost): %v %+v", err, rep.Counts)
	o.faults.Clear()
	if c := o.contactsWith("cf_revops_id", "A12"); len(c) != 1 {
		t.Fatalf("A12 after lost answers: %d contacts", len(c))
	}
	writes = o.writes()
	rep = run("fifth run")
	if rep.Recovered != 1 || o.writes() != writes {
		t.Errorf("fifth run: %+v, %d writes; want A12 recovered, not sent again", rep.Counts, o.writes()-writes)
	}
	if c := o.contactsWith("cf_revops_id", "A12"); len(c) != 1 {
		t.Errorf("A12 after the next run: %d contacts", len(c))
	}
	if n := len(o.books.Records("contacts")); n != 12 {
		t.Errorf("%d contacts at the end, want 12", n)
	}
	t.Logf("fifth run: %+v, %d writes", rep.Counts, o.writes()-writes)
	writes = o.writes()
	if rep = run("sixth run"); o.writes() != writes || rep.Succeeded != 0 {
		t.Errorf("sixth run: %d writes, %+v", o.writes()-writes, rep.Counts)
	}
}
