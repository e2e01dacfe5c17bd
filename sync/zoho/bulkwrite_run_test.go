//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zoho"
)

// TestBulkWriteRun runs one Contacts sync through the engine into two
// orgs, one over the REST calls and one over Bulk Write (threshold 20):
// both leave the same records and count the same rows (a row whose
// account does not exist fails in both); a second run sends only the
// failed row (by REST: one row is under the threshold) and a third, after
// every title changed, updates through one more job.
func TestBulkWriteRun(t *testing.T) {
	ctx := context.Background()
	type side struct {
		o    *org
		d    *zoho.Destination
		w    *duckdb.Warehouse
		r    *revsync.Runner
		reps []*revsync.Report
	}
	rest, bulk := &side{o: startOrg(t)}, &side{o: startOrg(t)}
	rest.d, bulk.d = rest.o.dest(t), bulk.o.bulkDest(t, 20)
	const n = 60
	var spec *revsync.Spec
	for _, s := range []*side{rest, bulk} {
		w, err := duckdb.Open(ctx, duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		s.w, s.r = w, &revsync.Runner{Warehouse: w}
		acct := insert(t, s.d, "Accounts", map[string]any{"Account_Name": "Run Parent"})
		var rows []string
		for i := range n {
			a := acct
			if i == 7 {
				a = "111111111"
			}
			rows = append(rows, fmt.Sprintf("('K%d', 'Person %d', 'p%d@example.com', 'Title', '%s')", i, i, i, a))
		}
		for _, q := range []string{`CREATE SCHEMA syncs`, `CREATE TABLE syncs.people AS SELECT * FROM (VALUES ` +
			strings.Join(rows, ", ") + `) v(k, last_name, email, title, account)`} {
			if err := w.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		spec = &revsync.Spec{Name: "people", Model: "syncs.people", Destination: revsync.Target{Source: "zoho_crm", Object: "Contacts"},
			Mode: revsync.ModeUpsert, Key: "k", Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}},
			Mapping: map[string]revsync.FieldMap{"Last_Name": {Column: "last_name"}, "Email": {Column: "email"},
				"Title": {Column: "title"}, "Account_Name": {Column: "account"}}}
	}
	run := func(s *side) *revsync.Report {
		t.Helper()
		before, _ := s.o.Credits()
		calls := s.o.calls("")
		rep, err := s.r.Run(ctx, spec, s.d, revsync.Options{})
		if err != nil {
			t.Fatal(err)
		}
		after, _ := s.o.Credits()
		t.Logf("%d calls, %d credits: %+v", s.o.calls("")-calls, after-before, rep.Counts)
		s.reps = append(s.reps, rep)
		return rep
	}
	for round := range 3 {
		if round == 2 {
			for _, s := range []*side{rest, bulk} {
				if err := s.w.Exec(ctx, `UPDATE syncs.people SET title = 'Chief ' || k`); err != nil {
					t.Fatal(err)
				}
			}
		}
		a, b := run(rest), run(bulk)
		if a.Created != b.Created || a.Updated != b.Updated || a.Failed != b.Failed || a.Succeeded != b.Succeeded {
			t.Errorf("round %d: REST %+v created %d updated %d, bulk %+v created %d updated %d", round,
				a.Counts, a.Created, a.Updated, b.Counts, b.Created, b.Updated)
		}
		if len(b.Errors) != 1 || b.Errors[0].Key != "K7" || b.Errors[0].Code != "INVALID_DATA" {
			t.Errorf("round %d: failures %+v", round, b.Errors)
		}
		if x, y := contactsByEmail(rest.o), contactsByEmail(bulk.o); fmt.Sprint(x) != fmt.Sprint(y) || len(y) != n-1 {
			t.Errorf("round %d: records differ (%d, %d)", round, len(x), len(y))
		}
	}
	if b := bulk.reps; b[0].Created != n-1 || b[1].Created+b[1].Updated != 0 || b[1].Failed != 1 || b[2].Updated != n-1 {
		t.Errorf("bulk runs: %+v / %+v / %+v", b[0], b[1], b[2])
	}
	if j := bulk.o.BulkWriteJobs(); j != 2 {
		t.Errorf("%d bulk write jobs, want 2 (the first run's creates, the third's updates)", j)
	}
	if j := rest.o.BulkWriteJobs(); j != 0 {
		t.Errorf("%d bulk write jobs under the threshold", j)
	}
}
