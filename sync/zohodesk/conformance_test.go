package zohodesk_test

import (
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
)

func TestConformance(t *testing.T) {
	upserts := 0 // upsert Writes counted so far
	synctest.Run(t, synctest.Harness{Fixture: fixture(), New: func(t *testing.T) *synctest.Env {
		upserts = 0
		o := startOrg(t)
		return &synctest.Env{Dest: o.dest(t), Records: o.DeskRecords, Faults: o.faults, Counters: o.counters,
			IsAuth: func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" },
			Remove: func(object, id string) error { return o.MoveDeskToTrash(object, id) }}
	}, WriteCalls: func(op revsync.Op, n int) int64 {
		// One call per record. The suite upserts 250 records in Writes of
		// 20 after inserting 250: more records than the org's pages, so
		// the first Write probes the size (1) and lists the 250 contacts
		// in overlapping pages of 100 (3), each later Write reads what
		// changed since (1 page: the previous Write's 20).
		if op != revsync.OpUpsert {
			return int64(n)
		}
		upserts++
		if upserts == 1 {
			return int64(n + 1 + 3)
		}
		return int64(n + 1)
	}})
}
