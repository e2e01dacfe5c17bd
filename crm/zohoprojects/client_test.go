package zohoprojects_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohoprojects"
	"github.com/revops/revops/crm/zohoprojects/projectstest"
)

type env struct {
	accounts *zohotest.TestServer
	projects *projectstest.TestServer
	counters *sandbox.Counters
}

func start(t *testing.T, opts projectstest.Options) *env {
	t.Helper()
	e := &env{accounts: zohotest.Start(zohotest.Options{}), counters: sandbox.NewCounters()}
	t.Cleanup(e.accounts.Close)
	opts.Tokens, opts.Counters = e.accounts, e.counters
	e.projects = projectstest.Start(opts)
	t.Cleanup(e.projects.Close)
	return e
}

func (e *env) client(t *testing.T, portal string, pace zohoprojects.Pace, limits httpx.Limits) *zohoprojects.Client {
	t.Helper()
	if portal == "" {
		portal = e.projects.PortalID()
	}
	c, err := zohoprojects.New(zohoprojects.Config{AccountsURL: e.accounts.URL, APIURL: e.projects.URL, PortalID: portal,
		ClientID: e.accounts.ClientID(), ClientSecret: e.accounts.ClientSecret(), RefreshToken: e.accounts.RefreshToken(),
		Pace: pace, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var fast = httpx.Limits{RequestsPerSecond: 10000, Burst: 10000, Concurrency: 2, MaxRetries: 2, Timeout: 10 * time.Second}

// TestProjects: portals, the template by name (an unknown one named in
// the error with the templates there are), a project made from the
// template, paging, search by name, PATCH, and a 404 once deleted.
func TestProjects(t *testing.T) {
	e := start(t, projectstest.Options{Calls: -1})
	c := e.client(t, "", zohoprojects.Pace{}, fast)
	ctx := context.Background()
	if err := c.CheckPortal(ctx); err != nil {
		t.Fatal(err)
	}
	ts, err := c.Templates(ctx)
	if err != nil || len(ts) != 1 {
		t.Fatalf("templates: %v %+v", err, ts)
	}
	tpl, err := zohoprojects.TemplateNamed(ts, "customer  onboarding", c.PortalID())
	if err != nil {
		t.Fatal(err)
	}
	_, err = zohoprojects.TemplateNamed(ts, "Enterprise Rollout", c.PortalID())
	if !errors.Is(err, zohoprojects.ErrUnknownTemplate) || !strings.Contains(err.Error(), `"Enterprise Rollout"`) ||
		!strings.Contains(err.Error(), `"Customer Onboarding"`) {
		t.Errorf("unknown template: %v", err)
	}
	var ids []string
	for i := range 5 {
		p, err := c.CreateProject(ctx, map[string]any{"name": fmt.Sprintf("Onboarding: Acme %d", i), "template_id": string(tpl.ID),
			"start_date": "2026-12-01"})
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == "" || p.TemplateID != tpl.ID || p.Status != "active" || p.Description == "" {
			t.Fatalf("created %+v", p)
		}
		ids = append(ids, string(p.ID))
	}
	if _, err := c.CreateProject(ctx, map[string]any{"name": "x", "template_id": ids[0]}); !zohoprojects.IsInvalid(err) {
		t.Errorf("a project as template: %v", err)
	}
	if _, err := c.CreateProject(ctx, map[string]any{"description": "no name"}); !zohoprojects.IsInvalid(err) || !strings.Contains(err.Error(), "name") {
		t.Errorf("no name: %v", err)
	}
	pages, n := 0, 0
	if err := c.ListProjects(ctx, zohoprojects.ListOptions{PerPage: 2}, func(ps []zohoprojects.Project) (bool, error) {
		pages++
		n += len(ps)
		return true, nil
	}); err != nil || pages != 3 || n != 5 {
		t.Fatalf("list: %v, %d pages, %d projects", err, pages, n)
	}
	found, err := c.SearchProjects(ctx, "onboarding:  ACME 3")
	if err != nil || len(found) != 1 || string(found[0].ID) != ids[3] {
		t.Fatalf("search: %v %+v", err, found)
	}
	p, err := c.UpdateProject(ctx, ids[3], map[string]any{"description": "changed"})
	if err != nil || p.Description != "changed" || p.Name != "Onboarding: Acme 3" {
		t.Fatalf("update: %v %+v", err, p)
	}
	if err := c.DeleteProject(ctx, ids[3]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetProject(ctx, ids[3]); !zohoprojects.IsNotFound(err) {
		t.Errorf("get deleted: %v", err)
	}
}

// TestWrongPortal: a portal_id that is not the user's is named.
func TestWrongPortal(t *testing.T) {
	e := start(t, projectstest.Options{Calls: -1})
	c := e.client(t, "123", zohoprojects.Pace{}, fast)
	err := c.CheckPortal(context.Background())
	if !errors.Is(err, zohoprojects.ErrWrongPortal) || !strings.Contains(err.Error(), `portal_id "123"`) ||
		!strings.Contains(err.Error(), e.projects.PortalID()) {
		t.Errorf("check: %v", err)
	}
}

// TestPacedNeverBlocked: the emulator blocks past 10 calls a second (the
// real limit scaled down); a client paced for it makes 30 calls without
// being blocked, while an unpaced one is blocked and then fails at once,
// without sending, until the block ends.
func TestPacedNeverBlocked(t *testing.T) {
	e := start(t, projectstest.Options{Calls: 10, Window: time.Second, Block: time.Hour})
	ctx := context.Background()
	paced := e.client(t, "", zohoprojects.Pace{Calls: 10, Window: time.Second}, httpx.Limits{})
	for i := range 30 {
		if _, err := paced.Portals(ctx); err != nil {
			t.Fatalf("paced call %d: %v", i, err)
		}
	}
	e2 := start(t, projectstest.Options{Calls: 10, Window: time.Minute, Block: time.Hour})
	unpaced := e2.client(t, "", zohoprojects.Pace{}, fast)
	var err error
	for range 11 {
		if _, err = unpaced.Portals(ctx); err != nil {
			break
		}
	}
	if !errors.Is(err, zohoprojects.ErrBlocked) || !zohoprojects.IsRateLimited(err) {
		t.Fatalf("11th call in a minute with a limit of 10: %v", err)
	}
	before := e2.counters.Sum(nil)
	if _, err := unpaced.Portals(ctx); !errors.Is(err, zohoprojects.ErrBlocked) {
		t.Errorf("call during the block: %v", err)
	}
	if d := e2.counters.Sum(nil) - before; d != 0 {
		t.Errorf("a call during the block was sent (%d requests)", d)
	}
}
