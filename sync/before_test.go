//go:build duckdb_arrow

package sync_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
)

// TestPlanAfterOwnWriteIsNotRefused: the destination's table was
// extracted, then revops wrote to the records; a plan made before the
// next extract takes revops's own write as the current value (not
// someone else's change), so apply sends it, while a change made by
// hand after revops's write is still refused. An apply with refused rows
// is recorded as partial, and one whose every row was refused as failed.
func TestPlanAfterOwnWriteIsNotRefused(t *testing.T) {
	for _, c := range []struct{ system, match string }{{"salesforce", "external_id"}, {"zoho_crm", "duplicate_check"}} {
		t.Run(c.system, func(t *testing.T) {
			ctx := context.Background()
			var s *side
			if c.system == "salesforce" {
				s = sfSide(t)
			} else {
				s = zohoSide(t)
			}
			s.idemModel(t, 5)
			spec := s.idemSpec(t, revsync.ModeUpsert, c.match)
			run := func() {
				t.Helper()
				if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Failed != 0 {
					t.Fatalf("run: %v %+v %v", err, rep.Counts, rep.Errors)
				}
			}
			run()
			s.extract(t)
			// revops writes after the extract.
			s.exec(t, `UPDATE syncs.idem SET company = 'Run Co' WHERE k IN ('R0001', 'R0002', 'R0003')`)
			run()
			s.exec(t, `UPDATE syncs.idem SET company = 'Planned Co' WHERE k IN ('R0001', 'R0002', 'R0003')`)
			plan, err := s.runner.Plan(ctx, spec, s.dest, revsync.PlanOptions{})
			if err != nil || len(plan.Rows) != 3 {
				t.Fatalf("plan: %v %+v", err, plan)
			}
			ids := map[string]string{}
			for _, r := range plan.Rows {
				ids[r.Key] = r.DestID
				if b := r.Fields[s.company].Before; b != "Run Co" {
					t.Errorf("%s: before %v, want Run Co (revops's own write since the extract)", r.Key, b)
				}
			}
			// Someone edits R0003 by hand after revops's write.
			s.edit(t, ids["R0003"], "Edited By Hand")
			rep, err := s.runner.Apply(ctx, spec, s.dest, plan.ID, revsync.Options{})
			if err != nil || rep.Succeeded != 2 || rep.Refused != 1 || rep.Failed != 1 || rep.Status != "partial" {
				t.Fatalf("apply: %v %s %+v %v", err, rep.Status, rep.Counts, rep.Errors)
			}
			if rep.Errors[0].Key != "R0003" || rep.Errors[0].Code != revsync.CodeDestinationMoved {
				t.Errorf("refused: %+v", rep.Errors)
			}
			// Planning again before any extract: the apply's own write is
			// the current value.
			s.exec(t, `UPDATE syncs.idem SET company = 'Second Co' WHERE k IN ('R0001', 'R0002')`)
			plan, err = s.runner.Plan(ctx, spec, s.dest, revsync.PlanOptions{})
			if err != nil || len(plan.Rows) != 3 { // R0001, R0002 and R0003, never written
				t.Fatalf("second plan: %v %+v", err, plan)
			}
			for _, r := range plan.Rows {
				want := "Planned Co"
				if r.Key == "R0003" {
					want = "Run Co" // the last value revops wrote; the hand edit is not known
				}
				if b := r.Fields[s.company].Before; b != want {
					t.Errorf("second plan %s: before %v, want %s", r.Key, b, want)
				}
			}
			// R0001 is edited by hand too: with R0003 refused again, the
			// only rows sent are R0002's.
			s.edit(t, ids["R0001"], "Edited Again")
			rep, err = s.runner.Apply(ctx, spec, s.dest, plan.ID, revsync.Options{})
			if err != nil || rep.Succeeded != 1 || rep.Refused != 2 || rep.Status != "partial" {
				t.Fatalf("second apply: %v %s %+v", err, rep.Status, rep.Counts)
			}
			// An apply whose every row is refused failed.
			s.exec(t, `UPDATE syncs.idem SET company = 'Third Co' WHERE k = 'R0002'`)
			plan, err = s.runner.Plan(ctx, spec, s.dest, revsync.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range plan.Rows {
				s.edit(t, r.DestID, fmt.Sprintf("Edited %s", r.Key))
			}
			rep, err = s.runner.Apply(ctx, spec, s.dest, plan.ID, revsync.Options{})
			if err != nil || rep.Succeeded != 0 || rep.Refused != int64(len(plan.Rows)) || rep.Status != "failed" {
				t.Fatalf("all refused: %v %s %+v", err, rep.Status, rep.Counts)
			}
			runs, err := revsync.History(ctx, s.w, []string{"idem"}, 3)
			if err != nil || runs[0].Status != "failed" || runs[0].Refused != rep.Refused || runs[1].Status != "partial" || runs[2].Status != "partial" {
				t.Errorf("history: %+v %v", runs, err)
			}
		})
	}
}

// edit changes the company of record id by hand, as a user would.
func (s *side) edit(t *testing.T, id, company string) {
	t.Helper()
	res, err := s.dest.Write(context.Background(), s.object, revsync.OpUpdate, revsync.Match{By: revsync.MatchID},
		[]revsync.Record{{ID: id, Values: map[string]any{s.company: company}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
}

// TestPlanReadsTheDestinationAfterAnUnknownOutcome: a write's answer is
// lost (the destination wrote it), then someone edits one of its records
// by hand. The next plan finds the other records holding what was sent
// (recovered) and marks the edited one unknown; its "before" is read from
// the destination (the hand edit), not taken from the extract or the last
// confirmed write, so apply sends it instead of refusing it.
func TestPlanReadsTheDestinationAfterAnUnknownOutcome(t *testing.T) {
	for _, c := range []struct{ system, match string }{{"salesforce", "external_id"}, {"zoho_crm", "duplicate_check"}} {
		t.Run(c.system, func(t *testing.T) {
			ctx := context.Background()
			s := sfSide(t)
			if c.system == "zoho_crm" {
				s = zohoSide(t)
			}
			s.idemModel(t, 5)
			spec := s.idemSpec(t, revsync.ModeUpsert, c.match)
			if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil {
				t.Fatal(err)
			}
			s.extract(t)
			s.exec(t, `UPDATE syncs.idem SET company = 'Two ' || company`)
			// Changed rows are written to their known records by id.
			s.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, System: s.system, Method: s.update[0], Endpoint: s.update[1], Times: 20})
			if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil {
				t.Fatal("want the lost answer to stop the run")
			}
			s.faults.Clear()
			id := rowsOf(t, s.w, `SELECT destination_id FROM _revops.sync_snapshots WHERE sync = 'idem' AND key = 'R0001'`)[0][0].(string)
			s.edit(t, id, "Edited By Hand")
			plan, err := s.runner.Plan(ctx, spec, s.dest, revsync.PlanOptions{})
			if err != nil || len(plan.Rows) != 1 || plan.Rows[0].Key != "R0001" || plan.Report.Recovered != 4 {
				t.Fatalf("plan: %v %+v (recovered %d): want R0001 alone", err, plan.Rows, plan.Report.Recovered)
			}
			if b := plan.Rows[0].Fields[s.company].Before; b != "Edited By Hand" {
				t.Errorf("before %v, want the destination's current value", b)
			}
			rep, err := s.runner.Apply(ctx, spec, s.dest, plan.ID, revsync.Options{})
			if err != nil || rep.Succeeded != 1 || rep.Refused != 0 {
				t.Fatalf("apply: %v %+v %v", err, rep.Counts, rep.Errors)
			}
			s.checkValues(t, false)
		})
	}
}
