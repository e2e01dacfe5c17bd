package zoho_test

import (
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/sync/synctest"
)

func TestConformance(t *testing.T) {
	synctest.Run(t, synctest.Harness{Fixture: fixture(), New: func(t *testing.T) *synctest.Env {
		o := startOrg(t)
		return &synctest.Env{Dest: o.dest(t), Records: o.Records, Faults: o.faults, Counters: o.counters,
			IsAuth: func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" }}
	}})
}
