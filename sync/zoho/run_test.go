//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
)

// TestLeadsRunLostAnswerAndReview runs the sync engine over the Zoho
// destination with a Leads sync matched by e-mail: the upsert's answer is
// lost (the connection drops after Zoho wrote), so the run fails its
// rows; the next run finds the leads it created (recovered, not sent
// again), updates the person who is a contact as that contact, and sends
// the row whose e-mail two contacts hold to review; the run after writes
// nothing.
func TestLeadsRunLostAnswerAndReview(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	known := insert(t, d, "Contacts", map[string]any{"Last_Name": "Known", "Email": "known@example.com"})
	insert(t, d, "Contacts", map[string]any{"Last_Name": "Twin One", "Email": "twin@example.com"})
	insert(t, d, "Contacts", map[string]any{"Last_Name": "Twin Two", "Email": "Twin@Example.com"})
	for _, q := range []string{`CREATE SCHEMA syncs`, `CREATE TABLE syncs.people AS SELECT * FROM (VALUES
		('S1', 'Ann', 'a@example.com', 'Founder'),
		('S2', 'Bob', 'b@example.com', 'CTO'),
		('S3', 'Known', 'KNOWN@example.com', 'Boss'),
		('S4', 'Twin', 'twin@example.com', 'Twin')) v(k, last_name, email, title)`} {
		if err := w.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	spec := &revsync.Spec{Name: "people", Model: "syncs.people", Destination: revsync.Target{Source: "zoho_crm", Object: "Leads"},
		Mode: revsync.ModeUpsert, Key: "k", Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}},
		Mapping: map[string]revsync.FieldMap{"Last_Name": {Column: "last_name"}, "Email": {Column: "email"},
			"Designation": {Column: "title"}, "Company": {Value: "People Inc"}}}
	r := &revsync.Runner{Warehouse: w}

	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: http.MethodPost, Endpoint: "/crm/v8/Leads/upsert", Times: 1})
	rep, _ := r.Run(ctx, spec, d, revsync.Options{})
	if rep == nil || rep.Succeeded != 0 {
		t.Fatalf("run with the upsert's answer lost: %+v", rep)
	}
	rep, err = r.Run(ctx, spec, d, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("next run: %+v", rep.Counts)
	if rep.Recovered != 2 || rep.Succeeded != 1 || rep.Review != 1 || rep.Failed != 0 {
		t.Errorf("next run: %+v %v, want 2 recovered, the contact written, 1 to review", rep.Counts, rep.Errors)
	}
	for _, e := range []string{"a@example.com", "b@example.com"} {
		if n := o.withEmail("Leads", e); n != 1 {
			t.Errorf("%d leads hold %s", n, e)
		}
	}
	if n := o.withEmail("Leads", "known@example.com") + o.withEmail("Leads", "twin@example.com"); n != 0 {
		t.Errorf("%d leads for people who are contacts", n)
	}
	if c := o.record(t, "Contacts", known); c["Title"] != "Boss" {
		t.Errorf("the known contact: %v", c)
	}
	revs, err := revsync.Reviews(ctx, w, []string{"people"}, 0)
	if err != nil || len(revs) != 1 || revs[0].Key != "S4" || len(revs[0].Candidates) != 2 || revs[0].Candidates[0].Object != "Contacts" {
		t.Errorf("review: %+v %v", revs, err)
	}
	rep, err = r.Run(ctx, spec, d, revsync.Options{})
	if err != nil || rep.Succeeded != 0 || rep.Planned != 1 || rep.Review != 1 {
		t.Errorf("last run: %v %+v, want only the row under review tried", err, rep)
	}
}
