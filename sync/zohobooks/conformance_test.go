package zohobooks_test

import (
	"testing"

	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
)

// TestConformance runs the destination conformance suite against the
// Books emulator: contacts matched by a unique custom field.
func TestConformance(t *testing.T) {
	synctest.Run(t, synctest.Harness{
		Fixture: fixture(),
		New: func(t *testing.T) *synctest.Env {
			o := startOrg(t)
			return &synctest.Env{Dest: o.dest(t), Records: o.books.Records, Faults: o.faults, Counters: o.counters, IsAuth: isAuth}
		},
		// One call per insert; an upsert of a new contact looks it up by
		// key, e-mail and name, then creates it (four calls).
		WriteCalls: func(op revsync.Op, n int) int64 {
			if op == revsync.OpUpsert {
				return int64(4 * n)
			}
			return int64(n)
		},
	})
}
