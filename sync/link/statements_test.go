//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/sync/link"
)

// countingWarehouse is the test's DuckDB warehouse, counting the
// statements the link engine executes and the values it binds. It runs
// a batch in one transaction on the warehouse's database, as the engine
// does itself for a DuckDB warehouse.
type countingWarehouse struct {
	*duckdb.Warehouse
	stmts   []string
	args    int
	queries []string
}

func (c *countingWarehouse) Query(ctx context.Context, q string, args ...any) (array.RecordReader, error) {
	c.queries = append(c.queries, q)
	return c.Warehouse.Query(ctx, q, args...)
}

func (c *countingWarehouse) Exec(ctx context.Context, q string, args ...any) error {
	c.stmts = append(c.stmts, q)
	c.args += len(args)
	return c.Warehouse.Exec(ctx, q, args...)
}

func (c *countingWarehouse) ExecTx(ctx context.Context, qs []string, args [][]any) error {
	tx, err := c.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for i, q := range qs {
		c.stmts = append(c.stmts, q)
		c.args += len(args[i])
		if _, err := tx.ExecContext(ctx, q, args[i]...); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func (c *countingWarehouse) reset() { c.stmts, c.args, c.queries = nil, 0, nil }

// historyReads returns the queries that read rows of a history table.
func (c *countingWarehouse) historyReads() []string {
	var out []string
	for _, q := range c.queries {
		if strings.Contains(q, "__history") && !strings.Contains(q, "LIMIT 0") {
			out = append(out, q)
		}
	}
	return out
}

// A run with nothing to write records what grows with the changes, not
// with the pairs: it deletes no failures when none is recorded (it used
// to send a DELETE of every pair's every field that compared equal, 400
// at a time: at 20,000 contacts half a minute of a run that wrote
// nothing).
func TestSettledRunStatementsDoNotGrowWithPairs(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	const pairs = 40
	for i := range pairs {
		v := map[string]any{"Phone": fmt.Sprintf("+1 212 555 %04d", i), "City": "Austin"}
		wd.pairOf(t, v, v)
	}
	wd.extract(t)
	cw := &countingWarehouse{Warehouse: wd.w}
	r := &link.Runner{Warehouse: cw}
	for run := 1; run <= 2; run++ {
		cw.reset()
		before := wd.writes()
		rep, err := r.Run(context.Background(), s, wd.dests, link.Options{})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if w := wd.writes(); w != before || rep.Pairs != pairs || rep.Updated != 0 || rep.Failed != 0 {
			t.Fatalf("run %d: writes %v → %v, %+v", run, before, w, rep)
		}
		var deletes []string
		for _, q := range cw.stmts {
			if strings.Contains(q, "DELETE FROM _revops.link_failures") {
				deletes = append(deletes, q[:min(len(q), 120)])
			}
		}
		t.Logf("run %d: %d statements, %d values bound", run, len(cw.stmts), cw.args)
		if len(deletes) > 0 {
			t.Fatalf("run %d: %d deletes of failures with none recorded, e.g. %s", run, len(deletes), deletes[0])
		}
		// The second run agrees nothing new: its statements bind a
		// constant number of values (run row, counts, clocks, metadata).
		if run == 2 && cw.args > 60 {
			t.Fatalf("run 2 bound %d values over %d statements for %d pairs with nothing to record", cw.args, len(cw.stmts), pairs)
		}
	}
}

// A run reads the history (when each field took its value) of the
// records whose fields are in conflict only, by id: a run with none reads
// no history at all (it used to read every version of every record of
// both sides, each run). The conflict is still dated by the field's own
// change time (TestNewestUsesFieldChangeTime).
func TestRunReadsHistoryOfConflictsOnly(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	const pairs = 30
	var zids, sids []string
	for i := range pairs {
		v := map[string]any{"Phone": fmt.Sprintf("+1 212 555 %04d", i), "City": "Austin"}
		z, sf := wd.pairOf(t, v, v)
		zids, sids = append(zids, z), append(sids, sf)
	}
	wd.extract(t)
	cw := &countingWarehouse{Warehouse: wd.w}
	r := &link.Runner{Warehouse: cw}
	run := func(name string) *link.Report {
		t.Helper()
		cw.reset()
		rep, err := r.Run(context.Background(), s, wd.dests, link.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rep
	}
	if rep := run("first run"); rep.Pairs != pairs || rep.Conflicts != 0 {
		t.Fatalf("first run: %+v", rep)
	}
	if h := cw.historyReads(); len(h) != 0 {
		t.Fatalf("a run without conflicts read history %d times: %s", len(h), h[0])
	}
	// One pair's phone changes on both sides: a conflict (owner newest).
	wd.edit(t, 0, zids[3], map[string]any{"Phone": "+1 415 555 0300"})
	wd.edit(t, 1, sids[3], map[string]any{"Phone": "+1 415 555 0400"})
	// Another pair changes on one side only: no conflict, no history.
	wd.edit(t, 1, sids[5], map[string]any{"City": "Boston"})
	wd.extract(t)
	rep := run("run with one conflict")
	if rep.Conflicts != 1 || rep.Updated != 2 {
		t.Fatalf("run with one conflict: conflicts %d, updated %d: %+v", rep.Conflicts, rep.Updated, rep)
	}
	d := rep.Decided[0]
	if d.LeftChangedAt.IsZero() || d.RightChangedAt.IsZero() {
		t.Fatalf("the conflict is not dated: %+v", d)
	}
	h := cw.historyReads()
	if len(h) == 0 || len(h) > 2 {
		t.Fatalf("history reads %d (want one per side, of the conflict's records): %v", len(h), h)
	}
	for _, q := range h {
		if !strings.Contains(q, " IN (?)") {
			t.Fatalf("history read not restricted to the record in conflict: %s", q)
		}
	}
}
