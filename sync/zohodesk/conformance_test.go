package zohodesk_test

import (
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
)

func TestConformance(t *testing.T) {
	synctest.Run(t, synctest.Harness{Fixture: fixture(), New: func(t *testing.T) *synctest.Env {
		o := startOrg(t)
		return &synctest.Env{Dest: o.dest(t), Records: o.DeskRecords, Faults: o.faults, Counters: o.counters,
			IsAuth: func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" },
			Remove: func(object, id string) error { return o.MoveDeskToTrash(object, id) }}
	}, WriteCalls: func(op revsync.Op, n int) int64 {
		// One call per record; an upsert searches each record first.
		if op == revsync.OpUpsert {
			return int64(2 * n)
		}
		return int64(n)
	}})
}
