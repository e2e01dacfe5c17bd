//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/sync/link"
)

// countingWarehouse is the test's DuckDB warehouse, counting the
// statements the link engine executes and the values it binds. It runs
// a batch in one transaction on the warehouse's database, as the engine
// does itself for a DuckDB warehouse.
type countingWarehouse struct {
	*duckdb.Warehouse
	stmts []string
	args  int
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

func (c *countingWarehouse) reset() { c.stmts, c.args = nil, 0 }

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
