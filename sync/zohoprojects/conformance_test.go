package zohoprojects_test

import (
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
)

// TestConformance runs the destination conformance suite against the
// Projects emulator: projects made from the template, matched by name.
func TestConformance(t *testing.T) {
	synctest.Run(t, synctest.Harness{
		Fixture: fixture(),
		New: func(t *testing.T) *synctest.Env {
			p := startPortal(t)
			return &synctest.Env{Dest: p.dest(t), Records: p.projects.Records, Faults: p.faults, Counters: p.counters,
				IsAuth: func(c sandbox.Count) bool { return c.System == "zoho_accounts" }}
		},
		// One call per insert; an upsert of a new project searches its
		// name, then creates it.
		WriteCalls: func(op revsync.Op, n int) int64 {
			if op == revsync.OpUpsert {
				return int64(2 * n)
			}
			return int64(n)
		},
	})
}
