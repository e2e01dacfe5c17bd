package zoho_test

import (
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
)

// matchCalls is the number of requests a Write of n new records makes
// when it is matched by duplicate-check values over modules modules: one
// COQL call per module and per 50 values, then the upsert.
func matchCalls(modules int) func(op revsync.Op, n int) int64 {
	return func(op revsync.Op, n int) int64 {
		if op != revsync.OpUpsert {
			return 1
		}
		return int64(modules*((n+49)/50) + 1)
	}
}

func TestConformance(t *testing.T) {
	synctest.Run(t, synctest.Harness{Fixture: fixture(), WriteCalls: matchCalls(1), New: newEnv})
}

// TestConformanceLeads runs the suite on Leads matched by e-mail, which
// revops matches among Leads and Contacts itself before the upsert.
func TestConformanceLeads(t *testing.T) {
	f := synctest.Fixture{
		Object:   "Leads",
		Match:    revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}},
		KeyField: "Email",
		Valid: func(i int) map[string]any {
			return map[string]any{"Email": fmt.Sprintf("lead%d@example.com", i), "Last_Name": fmt.Sprintf("Lead %d", i),
				"Company": "Synctest", "Designation": fmt.Sprintf("Title %d", i)}
		},
		UpdateField: "Designation",
		Invalid:     map[string]any{"Email": "bad@example.com", "Company": "No Last Name"},
		InvalidCode: "MANDATORY_NOT_FOUND",
		Required:    []string{"Last_Name", "Company"},
		ReadOnly:    []string{"Full_Name", "Converted__s", "id"},
		Picklist:    "Lead_Status", PicklistValue: "Contacted",
		Typed: map[string]any{"Email_Opt_Out": true, "Lead_Source": "Trade Show", "No_of_Employees": int64(40)},
	}
	synctest.Run(t, synctest.Harness{Fixture: f, WriteCalls: matchCalls(2), New: newEnv})
}

func newEnv(t *testing.T) *synctest.Env {
	o := startOrg(t)
	return &synctest.Env{Dest: o.dest(t), Records: o.Records, Faults: o.faults, Counters: o.counters,
		IsAuth: func(c sandbox.Count) bool { return c.Endpoint == "/oauth/v2/token" }}
}
