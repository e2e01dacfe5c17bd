//go:build duckdb_arrow

package sync_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
)

// The tests below lose the outcome of writes to records that already
// exist (updates, upserts of changed rows, deletes): the server refuses
// the call before doing anything (500: never written), or does it and the
// answer is lost (drop: written, unknown to revops). Either way the next
// runs must leave every record with the model's values, once each.

// checkValues reads the records through the API: every model row that
// can be written (a match value, or a create key) has one record, holding
// the model's company; no other row has one.
func (s *side) checkValues(t *testing.T, byID bool) {
	t.Helper()
	q := `SELECT last_name, company FROM syncs.idem WHERE email IS NOT NULL`
	if byID {
		q = `SELECT last_name, company FROM syncs.idem`
	}
	want := map[string]string{}
	for _, r := range rowsOf(t, s.w, q) {
		want[r[0].(string)] = r[1].(string)
	}
	got := s.companies(t)
	wrong := 0
	for name, company := range want {
		cs := got[name]
		switch {
		case len(cs) != 1:
			t.Errorf("%s has %d records, want 1", name, len(cs))
		case cs[0] != company:
			if wrong++; wrong <= 5 {
				t.Errorf("%s: the record holds company %q, the model says %q", name, cs[0], company)
			}
		}
	}
	if wrong > 5 {
		t.Errorf("... %d records in all hold another value than the model's", wrong)
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s has a record but no row in the model", name)
		}
	}
}

// onlyMissingMatchValues: no failure is left but those of rows without a
// match value.
func (s *side) onlyMissingMatchValues(t *testing.T) {
	t.Helper()
	fails, err := revsync.Failures(context.Background(), s.w, []string{"idem"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fails {
		if f.Code != revsync.CodeMatchValueMissing {
			if n++; n <= 5 {
				t.Errorf("failure left: %s %s %q", f.Key, f.Code, f.Message)
			}
		}
	}
	if n > 5 {
		t.Errorf("... %d failures left in all", n)
	}
}

// TestUnknownOutcomeOfAWriteToAKnownRecord: rows written once change; the
// first write call of the next run has an unknown outcome. With a 500 the
// server wrote nothing (the records exist, with the old values: finding
// them says nothing of the write); with a dropped answer it wrote the new
// values, and then the model goes back to the old ones (equal to the
// snapshot). Either way the next run leaves every record with the
// model's values: the rows the lost call carried are sent again unless
// the destination is seen to hold what was sent.
func TestUnknownOutcomeOfAWriteToAKnownRecord(t *testing.T) {
	const n = 250
	cases := []struct {
		system, match string
		mode          revsync.Mode
	}{
		{"salesforce", "external_id", revsync.ModeUpsert},
		{"salesforce", "external_id", revsync.ModeUpdate},
		{"salesforce", "create_key", revsync.ModeMirror},
		{"zoho_crm", "duplicate_check", revsync.ModeMirror},
		{"zoho_crm", "duplicate_check", revsync.ModeUpdate},
		{"zoho_crm", "create_key", revsync.ModeUpsert},
	}
	for _, c := range cases {
		for _, fault := range []sandbox.FaultKind{sandbox.Fault500, sandbox.FaultDrop} {
			t.Run(fmt.Sprintf("%s/%s/%s/%s", c.system, c.mode, c.match, fault), func(t *testing.T) {
				ctx := context.Background()
				s := sfSide(t)
				if c.system == "zoho_crm" {
					s = zohoSide(t)
				}
				s.idemModel(t, n)
				spec := s.idemSpec(t, c.mode, c.match)
				byID := c.match == "create_key"
				first := spec
				if c.mode == revsync.ModeUpdate {
					first = idemSpecFor(s.system, revsync.ModeUpsert, c.match, spec.Match.CreateKey)
				}
				if _, err := s.runner.Run(ctx, first, s.dest, revsync.Options{}); err != nil {
					t.Fatal(err)
				}
				if first != spec {
					// The update sync writes them once (its snapshot).
					if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil {
						t.Fatal(err)
					}
				}
				s.checkValues(t, byID)

				s.exec(t, `UPDATE syncs.idem SET company = 'Two ' || company`)
				// Changed rows write to records revops knows: by id,
				// whatever the sync's match (a Zoho upsert of a known
				// record is an update, PUT).
				call := s.update
				s.faults.Add(sandbox.Rule{Kind: fault, System: s.system, Method: call[0], Endpoint: call[1], Times: 20})
				rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{})
				s.faults.Clear()
				if err == nil || rep.Succeeded != 0 {
					t.Fatalf("faulted run: want it stopped by the first write, got %v %+v", err, rep.Counts)
				}
				if fault == sandbox.FaultDrop {
					// Written, the answer lost; the model goes back to
					// the values of the snapshot.
					s.exec(t, `UPDATE syncs.idem SET company = substr(company, 5)`)
				}
				rep, err = s.runner.Run(ctx, spec, s.dest, revsync.Options{})
				if err != nil {
					t.Fatalf("next run: %v", err)
				}
				// What the lost call wrote is recorded as written (and
				// then sent again, the model having gone back); what it
				// did not write is not.
				wantRec := int64(0)
				if fault == sandbox.FaultDrop {
					wantRec = int64(s.maxBatch)
				}
				if rep.Recovered != wantRec {
					t.Errorf("next run recovered %d rows, want %d", rep.Recovered, wantRec)
				}
				s.checkValues(t, byID)
				if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Planned != 0 {
					t.Errorf("last run: %v %+v", err, rep.Counts)
				}
				s.onlyMissingMatchValues(t)
			})
		}
	}
}

// TestLostAnswerOfAWriteFoundWrittenIsRecovered: the answer to an update
// (or upsert) of known records is lost after the destination wrote them,
// and the model still says the same: the next run reads the records,
// sees the values it sent and records them as written (recovered)
// without sending them again.
func TestLostAnswerOfAWriteFoundWrittenIsRecovered(t *testing.T) {
	for _, system := range []string{"salesforce", "zoho_crm"} {
		t.Run(system, func(t *testing.T) {
			ctx := context.Background()
			s := sfSide(t)
			match := "external_id"
			if system == "zoho_crm" {
				s, match = zohoSide(t), "duplicate_check"
			}
			s.idemModel(t, 150)
			spec := s.idemSpec(t, revsync.ModeUpsert, match)
			if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil {
				t.Fatal(err)
			}
			s.exec(t, `UPDATE syncs.idem SET company = 'Two ' || company`)
			// Changed rows are written to their known records by id.
			s.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, System: s.system, Method: s.update[0], Endpoint: s.update[1], Times: 20})
			if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil {
				t.Fatal("want the lost answer to stop the run")
			}
			s.faults.Clear()
			want := min(s.maxBatch, 144)
			rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{})
			if err != nil || rep.Recovered != int64(want) || rep.Succeeded != int64(144-want) {
				t.Fatalf("next run: %v %+v, want %d recovered and %d sent", err, rep.Counts, want, 144-want)
			}
			s.checkValues(t, false)
		})
	}
}

// TestUnknownOutcomeOfADelete: a mirror removes rows that left the model
// and the delete call's outcome is unknown (500: not deleted; drop:
// deleted, answer lost). When the rows come back to the model unchanged,
// their records exist again, once; when they stay out, their records are
// gone. History counts a delete found done as recovered.
func TestUnknownOutcomeOfADelete(t *testing.T) {
	cases := []struct{ system, match string }{
		{"salesforce", "external_id"},
		{"zoho_crm", "duplicate_check"},
		{"zoho_crm", "create_key"},
	}
	for _, c := range cases {
		for _, fault := range []sandbox.FaultKind{sandbox.Fault500, sandbox.FaultDrop} {
			for _, back := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/%s/back=%v", c.system, c.match, fault, back), func(t *testing.T) {
					ctx := context.Background()
					s := sfSide(t)
					if c.system == "zoho_crm" {
						s = zohoSide(t)
					}
					s.idemModel(t, 30)
					spec := s.idemSpec(t, revsync.ModeMirror, c.match)
					spec.Mirror.MaxShare = 0.5
					byID := c.match == "create_key"
					if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil {
						t.Fatal(err)
					}
					s.exec(t, `CREATE TABLE syncs.gone AS SELECT * FROM syncs.idem WHERE k IN ('R0001', 'R0002', 'R0003')`)
					s.exec(t, `DELETE FROM syncs.idem WHERE k IN (SELECT k FROM syncs.gone)`)
					s.faults.Add(sandbox.Rule{Kind: fault, System: s.system, Method: s.remove[0], Endpoint: s.remove[1], Times: 20})
					if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil || rep.Succeeded != 0 {
						t.Fatalf("faulted run: want it stopped by the delete, got %v %+v", err, rep.Counts)
					}
					s.faults.Clear()
					if back {
						s.exec(t, `INSERT INTO syncs.idem SELECT * FROM syncs.gone`)
					}
					rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{})
					if err != nil {
						t.Fatalf("next run: %v", err)
					}
					deleted := fault == sandbox.FaultDrop
					if wantRec := map[bool]int64{true: 3, false: 0}[deleted]; rep.Recovered != wantRec {
						t.Errorf("next run recovered %d, want %d", rep.Recovered, wantRec)
					}
					s.checkValues(t, byID)
					if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Planned != 0 {
						t.Errorf("last run: %v %+v", err, rep.Counts)
					}
					s.onlyMissingMatchValues(t)
				})
			}
		}
	}
}

// TestFailuresOfKeysThatLeftTheModelAreCleared: rows failed (a 500 on the
// first write call: BATCH_FAILED, and NOT_SENT for the rest), then some
// of them leave the model. The next run clears their failures (nothing is
// left to retry) and says how many; failures of rows still in the model
// stay until they are written, and so does the failure of a removal
// (mirror) not yet done.
func TestFailuresOfKeysThatLeftTheModelAreCleared(t *testing.T) {
	for _, mode := range []revsync.Mode{revsync.ModeMirror, revsync.ModeUpsert, revsync.ModeInsert} {
		t.Run(string(mode), func(t *testing.T) {
			ctx := context.Background()
			s := zohoSide(t)
			s.idemModel(t, 150)
			spec := s.idemSpec(t, mode, "duplicate_check")
			if spec.Mirror != nil {
				spec.Mirror.MaxShare = 0.5
			}
			call := s.upsert
			if mode == revsync.ModeInsert {
				call = s.create
			}
			s.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, System: s.system, Method: call[0], Endpoint: call[1], Times: 1})
			if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil {
				t.Fatal("want the 500 to stop the run")
			}
			s.faults.Clear()
			codes := func() map[string]string {
				out := map[string]string{}
				for _, r := range rowsOf(t, s.w, `SELECT key, code FROM _revops.sync_failures WHERE sync = 'idem'`) {
					out[r[0].(string)] = r[1].(string)
				}
				return out
			}
			// 100 rows failed with the call, 44 were not sent, 6 have no
			// match value.
			if got := codes(); got["R0000"] != revsync.CodeBatchFailed || got["R0140"] != revsync.CodeNotSent || got["R0007"] != revsync.CodeMatchValueMissing || len(got) != 150 {
				t.Fatalf("failures after the 500: %d, %v %v %v", len(got), got["R0000"], got["R0140"], got["R0007"])
			}
			// Keys of each kind leave the model: 3 batch failures, 2
			// unsent rows, 1 row without a match value.
			s.exec(t, `DELETE FROM syncs.idem WHERE k IN ('R0000', 'R0001', 'R0002', 'R0140', 'R0141', 'R0007')`)
			rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{})
			if err != nil || rep.Succeeded != 139 || rep.FailuresCleared != 6 {
				t.Fatalf("next run: %v %+v, %d failures cleared: want 139 written and 6 cleared", err, rep.Counts, rep.FailuresCleared)
			}
			got := codes()
			if len(got) != 5 {
				t.Errorf("failures left: %v, want the 5 rows still in the model without a match value", got)
			}
			for k, code := range got {
				if code != revsync.CodeMatchValueMissing {
					t.Errorf("failure left for %s: %s", k, code)
				}
			}
			s.checkOnce(t, 139)
			if mode != revsync.ModeMirror {
				return
			}
			// A removal that failed keeps its failure, though its key is
			// out of the model, until the record is removed.
			s.exec(t, `DELETE FROM syncs.idem WHERE k = 'R0010'`)
			s.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, System: s.system, Method: s.remove[0], Endpoint: s.remove[1], Times: 20})
			if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil {
				t.Fatal("want the 500 to stop the removal")
			}
			s.faults.Clear()
			if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{RetryFailed: true}); err != nil || rep.FailuresCleared != 0 || codes()["R0010"] != revsync.CodeBatchFailed {
				t.Fatalf("retry-failed run: %v %+v: the removal's failure must stay (%v)", err, rep.Counts, codes()["R0010"])
			}
			if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Succeeded != 1 || codes()["R0010"] != "" {
				t.Fatalf("removal run: %v %+v, failure %q", err, rep.Counts, codes()["R0010"])
			}
			s.checkOnce(t, 138)
		})
	}
}
