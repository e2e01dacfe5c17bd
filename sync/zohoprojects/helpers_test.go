package zohoprojects_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	projects "github.com/revops/revops/crm/zohoprojects"
	"github.com/revops/revops/crm/zohoprojects/projectstest"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
	"github.com/revops/revops/sync/zohoprojects"
)

// portal is an emulated Projects portal behind the accounts emulator.
type portal struct {
	accounts *zohotest.TestServer
	projects *projectstest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
}

func startPortal(t *testing.T) *portal {
	t.Helper()
	p := &portal{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	p.accounts = zohotest.Start(zohotest.Options{Counters: p.counters, Faults: p.faults})
	t.Cleanup(p.accounts.Close)
	p.projects = projectstest.Start(projectstest.Options{Tokens: p.accounts, Counters: p.counters, Faults: p.faults, Calls: -1})
	t.Cleanup(p.projects.Close)
	return p
}

func (p *portal) config(id string) projects.Config {
	if id == "" {
		id = p.projects.PortalID()
	}
	return projects.Config{AccountsURL: p.accounts.URL, APIURL: p.projects.URL, PortalID: id,
		ClientID: p.accounts.ClientID(), ClientSecret: p.accounts.ClientSecret(), RefreshToken: p.accounts.RefreshToken(),
		Limits: httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 5, Timeout: 20 * time.Second}}
}

func (p *portal) dest(t *testing.T) *zohoprojects.Destination {
	t.Helper()
	d, err := zohoprojects.New(context.Background(), p.config(""), nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// creates counts project creates (POST).
func (p *portal) creates() int64 {
	return p.counters.Sum(func(c sandbox.Count) bool {
		return c.System == projectstest.SystemName && c.Method == "POST"
	})
}

// writes counts project writes (POST, PATCH, DELETE).
func (p *portal) writes() int64 {
	return p.counters.Sum(func(c sandbox.Count) bool {
		return c.System == projectstest.SystemName && (c.Method == "POST" || c.Method == "PATCH" || c.Method == "DELETE")
	})
}

var byName = revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"name"}}

func fixture() synctest.Fixture {
	return synctest.Fixture{
		Object:   "projects",
		Match:    byName,
		KeyField: "name",
		Valid: func(i int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("Onboarding: Synctest %d", i), "description": fmt.Sprintf("Deal %d", i),
				"template": "Customer Onboarding"}
		},
		UpdateField: "description",
		Invalid:     map[string]any{"description": "no name"},
		InvalidCode: "MANDATORY_PARAM_MISSING",
		Required:    []string{"name"},
		ReadOnly:    []string{"id", "status", "created_time", "template_id"},
		Typed:       map[string]any{"start_date": "2026-12-01", "end_date": "2027-01-31"},
	}
}
