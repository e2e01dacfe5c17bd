//go:build duckdb_arrow

package models_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/identity"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
)

// shipped is a sandbox world served by the emulators, extracted into a
// DuckDB file, with every shipped model built on it.
type shipped struct {
	world  *sandbox.World
	truth  []sandbox.Truth
	wh     *duckdb.Warehouse
	result *models.Result
}

var shippedLimits = httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 6, Timeout: 30 * time.Second}

// buildShipped generates a world of records per system, serves it, extracts
// the named sources (salesforce, zoho_crm, zoho_desk) and builds every
// shipped model with its data tests.
func buildShipped(t *testing.T, records int, sources ...string) *shipped {
	t.Helper()
	ctx := context.Background()
	w := sandbox.Generate(sandbox.Options{Seed: 7, Records: records})
	s := &shipped{world: w}

	sf := sftest.Start(sftest.Options{})
	t.Cleanup(sf.Close)
	s.truth = append(s.truth, sf.Seed(w.Project(sandbox.Salesforce))...)
	zs := zohotest.Start(zohotest.Options{})
	t.Cleanup(zs.Close)
	s.truth = append(s.truth, zs.SeedCRM(w.Project(sandbox.ZohoCRM))...)
	s.truth = append(s.truth, zs.SeedDesk(w.Project(sandbox.ZohoDesk))...)

	var srcs []extract.Source
	for _, name := range sources {
		var (
			ex  extract.Extractor
			err error
		)
		switch name {
		case "salesforce":
			id, secret, refresh, _ := sf.Credentials()
			ex, err = salesforce.New(ctx, name, salesforce.Options{LoginURL: sf.URL,
				Auth:   salesforce.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
				Limits: shippedLimits}, nil)
		case "zoho_crm":
			o := zoho.CRM()
			o.AccountsURL, o.APIDomain = zs.URL, zs.URL
			o.ClientID, o.ClientSecret, o.RefreshToken = zs.ClientID(), zs.ClientSecret(), zs.RefreshToken()
			o.Limits = shippedLimits
			ex, err = zoho.New(ctx, name, o, nil)
		case "zoho_desk":
			o := zoho.Desk()
			o.AccountsURL, o.DeskURL, o.OrgID = zs.URL, zs.URL, zs.OrgID()
			o.ClientID, o.ClientSecret, o.RefreshToken = zs.ClientID(), zs.ClientSecret(), zs.RefreshToken()
			o.Limits = shippedLimits
			ex, err = zoho.New(ctx, name, o, nil)
		default:
			t.Fatalf("unknown source %s", name)
		}
		if err != nil {
			t.Fatalf("source %s: %v", name, err)
		}
		srcs = append(srcs, extract.Source{Name: name, Extractor: ex})
	}

	wh, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "revops.duckdb"), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	s.wh = wh
	runner := &extract.Runner{Warehouse: wh, Concurrency: 4}
	if _, err := runner.Run(ctx, srcs, extract.Options{}); err != nil {
		t.Fatalf("extract: %v", err)
	}

	p, err := loadShipped()
	if err != nil {
		t.Fatalf("load shipped models: %v", err)
	}
	s.result, err = p.Build(ctx, wh, models.Options{Concurrency: 2})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return s
}

// checkBuild returns the result of each model by relation, and fails the
// test for every failed model or failed data test, with its error.
func (s *shipped) checkBuild(t *testing.T) map[string]models.ModelResult {
	t.Helper()
	byModel := map[string]models.ModelResult{}
	for _, m := range s.result.Models {
		byModel[m.Model] = m
		if m.Status == models.StatusFailed {
			t.Errorf("model %s failed: %s", m.Model, m.Error)
		}
	}
	for _, r := range s.result.Tests {
		if r.Status == models.StatusFail || r.Status == models.StatusError {
			t.Errorf("test %s on %s: %s (%d failing rows) %s\n%s", r.Test, r.Model, r.Status, r.Failures, r.Error, r.SQL)
		}
	}
	return byModel
}

// query runs q and returns its rows.
func (s *shipped) query(t *testing.T, q string) [][]any {
	t.Helper()
	r, err := s.wh.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows
}

func numCell(v any) float64 {
	switch x := v.(type) {
	case nil:
		return math.NaN()
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case int:
		return float64(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			panic(err)
		}
		return f
	}
	panic(fmt.Sprintf("not a number: %T %v", v, v))
}

func intCell(v any) int64 { return int64(math.Round(numCell(v))) }

func strCell(v any) string {
	if v == nil {
		return ""
	}
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}

// within reports whether got is within abs or rel (a fraction) of want.
func within(got, want, abs, rel float64) bool {
	d := math.Abs(got - want)
	return d <= abs || d <= rel*math.Abs(want)
}

func TestShippedModelsBuildAndPassTests(t *testing.T) {
	s := buildShipped(t, 1000, "salesforce", "zoho_crm", "zoho_desk")
	byModel := s.checkBuild(t)
	if len(byModel) == 0 {
		t.Fatal("no model built")
	}
	for name, m := range byModel {
		if m.Status != models.StatusSuccess {
			t.Errorf("model %s: %s (%s)", name, m.Status, m.Reason)
		}
	}
	passed := 0
	for _, r := range s.result.Tests {
		if r.Status == models.StatusPass {
			passed++
		}
	}
	if passed < 100 {
		t.Errorf("%d data tests passed, want every shipped test (over 100) to run", passed)
	}
	for _, rel := range []string{"core.leads", "core.contacts", "core.accounts", "core.deals",
		"core.deal_stage_history", "core.tickets", "core.activities"} {
		rows := s.query(t, "SELECT source_system, count(*) FROM "+rel+" GROUP BY ALL")
		if len(rows) == 0 {
			t.Errorf("%s is empty", rel)
		}
	}
}

func TestShippedModelsSalesforceOnly(t *testing.T) {
	s := buildShipped(t, 500, "salesforce")
	byModel := s.checkBuild(t)
	for name, m := range byModel {
		// The Zoho Campaigns staging models build empty while no
		// zoho_campaigns source has landed (their header says so), so
		// that engagement models build for every user.
		zoho := strings.Contains(name, "zoho") && !strings.Contains(name, "zoho_campaigns")
		switch {
		case zoho && m.Status != models.StatusSkipped:
			t.Errorf("%s: %s, want skipped (no Zoho tables)", name, m.Status)
		case !zoho && m.Status != models.StatusSuccess:
			t.Errorf("%s: %s (%s), want built from Salesforce alone", name, m.Status, m.Reason)
		}
	}
	for _, rel := range []string{"core.leads", "core.deals", "core.accounts", "core.deal_stage_history", "metrics.pipeline_by_stage"} {
		rows := s.query(t, "SELECT DISTINCT source_system FROM "+rel)
		if len(rows) != 1 || strCell(rows[0][0]) != "salesforce" {
			t.Errorf("%s holds systems %v, want only salesforce", rel, rows)
		}
	}
	want := int64(len(s.world.Project(sandbox.Salesforce).Leads))
	if got := intCell(s.query(t, "SELECT count(*) FROM core.leads")[0][0]); got != want {
		t.Errorf("core.leads: %d rows, want %d Salesforce leads", got, want)
	}
}

// TestShippedModelsOrdinaryDataWarns: data people enter in the CRMs every
// day (a Zoho lead without a status, which is not a mandatory field; a
// Desk ticket without a priority; a deleted Salesforce lead that still
// has tasks) makes shipped tests warn, not fail: the build has not
// failed and no shipped sync is blocked. A duplicate key still fails and
// blocks the syncs that read it.
func TestShippedModelsOrdinaryDataWarns(t *testing.T) {
	s := buildShipped(t, 300, "salesforce", "zoho_crm", "zoho_desk")
	s.checkBuild(t)
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE zoho_crm.leads SET Lead_Status = NULL WHERE id = (SELECT min(id) FROM zoho_crm.leads
			WHERE _deleted_at IS NULL AND NOT coalesce(Converted__s, false))`,
		`UPDATE zoho_desk.tickets SET priority = NULL WHERE id = (SELECT min(id) FROM zoho_desk.tickets WHERE _deleted_at IS NULL)`,
		`UPDATE salesforce.lead SET _deleted_at = now() WHERE Id = (SELECT min(WhoId) FROM salesforce.task
			WHERE _deleted_at IS NULL AND WhoId LIKE '00Q%')`,
	} {
		if err := s.wh.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	p, err := loadShipped()
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Build(ctx, s.wh, models.Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	s.result = res
	s.checkBuild(t)
	warned := map[string]int64{}
	for _, r := range res.Tests {
		if r.Status == models.StatusWarn {
			warned[r.Test] = r.Failures
		}
	}
	for _, name := range []string{"not_null(core.leads.status)", "not_null(core.tickets.priority)",
		"relationships(core.activities.lead_id -> core.leads.lead_id)"} {
		if warned[name] == 0 {
			t.Errorf("%s did not warn; warnings: %v", name, warned)
		}
	}
	if res.Failed() {
		t.Error("warnings failed the build")
	}
	syncs := []string{"syncs.zoho_leads_to_sf", "syncs.account_enrichment_sf", "syncs.account_enrichment_zoho"}
	for _, rel := range syncs {
		if why := res.Blocked(rel); why != nil {
			t.Errorf("%s blocked by warnings: %q", rel, why)
		}
	}

	// A Zoho lead landed twice (a key revops relies on) is an error: the
	// sync of Zoho leads is blocked, naming the test.
	if err := s.wh.Exec(ctx, `INSERT INTO zoho_crm.leads SELECT * FROM zoho_crm.leads
		WHERE id = (SELECT min(id) FROM zoho_crm.leads WHERE _deleted_at IS NULL)`); err != nil {
		t.Fatal(err)
	}
	if res, err = p.Build(ctx, s.wh, models.Options{Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	if !res.Failed() {
		t.Error("a duplicate lead id did not fail the build")
	}
	why := strings.Join(res.Blocked("syncs.zoho_leads_to_sf"), "\n")
	if !strings.Contains(why, "test unique(staging.stg_zoho_crm__leads.lead_id) failed on 1 rows") {
		t.Errorf("syncs.zoho_leads_to_sf not blocked by the duplicate: %q", why)
	}
}

// loadShipped loads the shipped models and seeds as revops build does:
// with the identity models' Go steps registered and their vars set.
func loadShipped() (*models.Project, error) {
	opts := identity.DefaultOptions()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	p, err := models.Load(sqlfiles.FS, configs.Seeds, nil, opts.Vars())
	if err != nil {
		return nil, err
	}
	opts.Register(p)
	return p, nil
}
