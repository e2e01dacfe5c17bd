//go:build duckdb_arrow

package zohoprojects_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
)

// TestRunOnboardingProjects runs the sync engine into Projects: one
// project per won deal, made from the template its row names; a row
// naming a template the portal lacks fails alone, the message naming
// it; the project ids are kept by the engine (to write back on the
// deal); a re-run creates none; a create whose answer is dropped is
// found by its name, not created twice.
func TestRunOnboardingProjects(t *testing.T) {
	p := startPortal(t)
	d := p.dest(t)
	ctx := context.Background()
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
	exec(`CREATE TABLE syncs.onboarding AS SELECT '006D' || lpad(CAST(i AS VARCHAR), 3, '0') AS deal_id,
		'Onboarding: Customer ' || i || ' (006D' || lpad(CAST(i AS VARCHAR), 3, '0') || ')' AS name,
		'Won deal ' || i AS description,
		CASE WHEN i = 4 THEN 'Enterprise Rollout' ELSE 'Customer Onboarding' END AS template FROM range(1, 9) t(i)`)
	spec := &revsync.Spec{Name: "onboarding", Model: "syncs.onboarding",
		Destination: revsync.Target{Source: "zoho_projects", Object: "projects"}, Mode: revsync.ModeUpsert,
		Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"name"}}, Key: "deal_id",
		Mapping: map[string]revsync.FieldMap{"name": {Column: "name"}, "description": {Column: "description"},
			"template": {Column: "template", WriteOptions: revsync.WriteOptions{NeverOverwrite: true}}}}
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
	if rep.Succeeded != 7 || rep.Failed != 1 || rep.Created != 7 {
		t.Fatalf("first run: %+v %v", rep.Counts, rep.Errors)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Key != "006D004" || rep.Errors[0].Code != "TEMPLATE_NOT_FOUND" ||
		!strings.Contains(rep.Errors[0].Message, `"Enterprise Rollout"`) || rep.Errors[0].Retryable {
		t.Errorf("the row with an unknown template: %+v", rep.Errors)
	}
	recs := p.projects.Records("projects")
	if len(recs) != 7 {
		t.Fatalf("%d projects, want 7", len(recs))
	}
	for _, rec := range recs {
		if rec["template"] != "Customer Onboarding" {
			t.Errorf("%v: not made from the template", rec["name"])
		}
	}
	// The engine keeps each deal's project id.
	rr, err := w.Query(ctx, `SELECT count(*) FROM _revops.sync_snapshots WHERE sync = 'onboarding' AND destination_id IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	rr.Next()
	if n := rr.RecordBatch().Column(0).(*array.Int64).Value(0); n != 7 {
		t.Errorf("%d project ids kept, want 7", n)
	}
	rr.Release()

	creates := p.creates()
	if rep = run("second run"); p.creates() != creates || rep.Created != 0 {
		t.Errorf("second run: %d creates, %+v", p.creates()-creates, rep.Counts)
	}

	// A new won deal whose create answer is dropped: found by name.
	exec(`INSERT INTO syncs.onboarding VALUES ('006D009', 'Onboarding: Customer 9 (006D009)', 'Won deal 9', 'Customer Onboarding')`)
	p.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "POST", Endpoint: "/api/v3/portal/{portal_id}/projects", Times: 1})
	if rep = run("third run"); rep.Created != 1 || rep.Succeeded != 1 {
		t.Fatalf("third run: %+v %v", rep.Counts, rep.Errors)
	}
	n := 0
	for _, rec := range p.projects.Records("projects") {
		if strings.Contains(rec["name"].(string), "006D009") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("deal 9 has %d projects", n)
	}
	writes := p.writes()
	if rep = run("fourth run"); p.writes() != writes || rep.Created != 0 {
		t.Errorf("fourth run: %d writes, %+v", p.writes()-writes, rep.Counts)
	}
}
