package snowflake_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/crm/httpx"
	sfcrm "github.com/revops/revops/crm/salesforce/sftest"
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

var crmLimits = httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 6, Timeout: 30 * time.Second}

// extractSandbox serves a sandbox world of records per system on the CRM
// emulators and extracts Salesforce, Zoho CRM and Zoho Desk into w.
func extractSandbox(t *testing.T, w extract.Warehouse, records int) {
	t.Helper()
	ctx := t.Context()
	world := sandbox.Generate(sandbox.Options{Seed: 7, Records: records})
	sf := sfcrm.Start(sfcrm.Options{})
	t.Cleanup(sf.Close)
	sf.Seed(world.Project(sandbox.Salesforce))
	zs := zohotest.Start(zohotest.Options{})
	t.Cleanup(zs.Close)
	zs.SeedCRM(world.Project(sandbox.ZohoCRM))
	zs.SeedDesk(world.Project(sandbox.ZohoDesk))

	id, secret, refresh, _ := sf.Credentials()
	sfx, err := salesforce.New(ctx, "salesforce", salesforce.Options{LoginURL: sf.URL,
		Auth:   salesforce.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
		Limits: crmLimits}, nil)
	if err != nil {
		t.Fatal(err)
	}
	crm := zoho.CRM()
	crm.AccountsURL, crm.APIDomain = zs.URL, zs.URL
	crm.ClientID, crm.ClientSecret, crm.RefreshToken = zs.ClientID(), zs.ClientSecret(), zs.RefreshToken()
	crm.Limits = crmLimits
	crmx, err := zoho.New(ctx, "zoho_crm", crm, nil)
	if err != nil {
		t.Fatal(err)
	}
	desk := zoho.Desk()
	desk.AccountsURL, desk.DeskURL, desk.OrgID = zs.URL, zs.URL, zs.OrgID()
	desk.ClientID, desk.ClientSecret, desk.RefreshToken = zs.ClientID(), zs.ClientSecret(), zs.RefreshToken()
	desk.Limits = crmLimits
	deskx, err := zoho.New(ctx, "zoho_desk", desk, nil)
	if err != nil {
		t.Fatal(err)
	}
	runner := &extract.Runner{Warehouse: w, Concurrency: 4}
	srcs := []extract.Source{{Name: "salesforce", Extractor: sfx}, {Name: "zoho_crm", Extractor: crmx}, {Name: "zoho_desk", Extractor: deskx}}
	if _, err := runner.Run(ctx, srcs, extract.Options{}); err != nil {
		t.Fatalf("extract: %v", err)
	}
}

// loadShipped loads the shipped models and seeds as revops build does.
func loadShipped(t *testing.T) *models.Project {
	t.Helper()
	opts := identity.DefaultOptions()
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := models.Load(sqlfiles.FS, configs.Seeds, nil, opts.Vars())
	if err != nil {
		t.Fatal(err)
	}
	opts.Register(p)
	return p
}

// TestShippedModelsEmulated extracts a sandbox world into the emulator and
// builds every shipped model (staging, core, metrics, identity, syncs)
// with its data tests, twice (the second build reads the identity state
// and merges the incremental models).
func TestShippedModelsEmulated(t *testing.T) {
	w, _ := emulated(t)
	extractSandbox(t, w, 300)
	p := loadShipped(t)
	ctx := t.Context()
	for pass := 1; pass <= 2; pass++ {
		res, err := p.Build(ctx, w, models.Options{Concurrency: 2})
		if err != nil {
			t.Fatalf("build %d: %v", pass, err)
		}
		built := 0
		for _, m := range res.Models {
			if m.Status == models.StatusSuccess {
				built++
				continue
			}
			t.Errorf("build %d: model %s: %s %s %s", pass, m.Model, m.Status, m.Reason, m.Error)
		}
		tests := 0
		for _, r := range res.Tests {
			switch r.Status {
			case models.StatusPass:
				tests++
			case models.StatusFail, models.StatusError:
				t.Errorf("build %d: test %s on %s: %s (%d rows) %s", pass, r.Test, r.Model, r.Status, r.Failures, r.Error)
			}
		}
		t.Logf("build %d: %d of %d shipped models built, %d data tests passed", pass, built, len(res.Models), tests)
	}
	// The same world built on DuckDB: every model holds as many rows on
	// Snowflake (what the dialect macros and the translation render must
	// mean the same on both).
	duck, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "revops.duckdb"), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { duck.Close() })
	extractSandbox(t, duck, 300)
	if res, err := p.Build(ctx, duck, models.Options{Concurrency: 2, SkipTests: true}); err != nil || res.Failed() {
		t.Fatalf("DuckDB build: %v", err)
	}
	count := func(w load.StateStore, rel string) int64 {
		r, err := w.Query(ctx, "SELECT COUNT(*) AS n FROM "+rel)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		_, rows, err := load.ReadAll(r)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s: %v %v", rel, rows, err)
		}
		n, _ := rows[0][0].(int64)
		return n
	}
	empty := 0
	for _, m := range p.Models() {
		sf, dk := count(w, m.Relation), count(duck, m.Relation)
		if sf != dk {
			t.Errorf("%s: %d rows on Snowflake, %d on DuckDB", m.Relation, sf, dk)
		}
		if dk == 0 {
			empty++
		}
	}
	t.Logf("%d models compared, %d empty on both", len(p.Models()), empty)
	// Values too: the fields of Zoho lookups (GET(x, 'id')::VARCHAR on
	// Snowflake), medians and casts.
	rowsOf := func(w load.StateStore, q string) string {
		r, err := w.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		_, rows, err := load.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return fmt.Sprint(rows)
	}
	for _, q := range []string{
		`SELECT COUNT(DISTINCT owner_id), MIN(owner_id), MAX(account_id), MIN(account_name) FROM staging.stg_zoho_crm__contacts`,
		`SELECT COUNT(who_id), MIN(what_id), MAX(who_name) FROM staging.stg_zoho_crm__tasks`,
		`SELECT COUNT(lead_id), COUNT(contact_id), COUNT(deal_id) FROM core.activities`,
		`SELECT ROUND(SUM(median_days_to_close), 3) FROM metrics.deal_days_to_close`,
		`SELECT COUNT(*) FROM syncs.closed_won_contacts_zoho`,
	} {
		if sf, dk := rowsOf(w, q), rowsOf(duck, q); sf != dk {
			t.Errorf("%s:\n Snowflake %s\n    DuckDB %s", q, sf, dk)
		}
	}
	for _, rel := range []string{"core.leads", "core.contacts", "core.accounts", "core.deals", "core.tickets", "identity.persons"} {
		if count(w, rel) == 0 {
			t.Errorf("%s is empty", rel)
		}
	}
}
