package zohocampaigns_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohocampaigns/campaignstest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/extract/zohocampaigns"
	"github.com/revops/revops/identity"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
)

// TestShippedEngagementModels extracts a sandbox world from Salesforce,
// Zoho CRM and Zoho Campaigns, builds every shipped model with its data
// tests, and checks the engagement models: every event is in
// core.email_events, events join golden people by e-mail, addresses of
// nobody are counted unmatched (never guessed), and every engaged person
// has a score and a band.
func TestShippedEngagementModels(t *testing.T) {
	ctx := context.Background()
	w := sandbox.Generate(sandbox.Options{Seed: 7, Records: 2000})
	lim := httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 4, Timeout: 30 * time.Second}
	sf := sftest.Start(sftest.Options{})
	t.Cleanup(sf.Close)
	sf.Seed(w.Project(sandbox.Salesforce))
	zs := zohotest.Start(zohotest.Options{})
	t.Cleanup(zs.Close)
	zs.SeedCRM(w.Project(sandbox.ZohoCRM))
	clock := &fakeClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	cs := campaignstest.Start(campaignstest.Options{Tokens: zs.Server, Now: clock.Now})
	t.Cleanup(cs.Close)
	cs.Seed(w.Project(sandbox.ZohoCampaigns))

	id, secret, refresh, _ := sf.Credentials()
	sfx, err := salesforce.New(ctx, "salesforce", salesforce.Options{LoginURL: sf.URL,
		Auth: salesforce.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh}, Limits: lim}, nil)
	if err != nil {
		t.Fatal(err)
	}
	zo := zoho.CRM()
	zo.AccountsURL, zo.APIDomain = zs.URL, zs.URL
	zo.ClientID, zo.ClientSecret, zo.RefreshToken = zs.ClientID(), zs.ClientSecret(), zs.RefreshToken()
	zo.Limits = lim
	zx, err := zoho.New(ctx, "zoho_crm", zo, nil)
	if err != nil {
		t.Fatal(err)
	}
	co := &zohocampaigns.Options{AccountsURL: zs.URL, CampaignsURL: cs.URL, ClientID: zs.ClientID(),
		ClientSecret: zs.ClientSecret(), RefreshToken: zs.RefreshToken(), Clock: clock, Limits: lim}
	cx, err := zohocampaigns.New(ctx, "zoho_campaigns", co, nil)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "m.duckdb"), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	r := &extract.Runner{Warehouse: wh, Concurrency: 3}
	if _, err := r.Run(ctx, []extract.Source{{Name: "salesforce", Extractor: sfx}, {Name: "zoho_crm", Extractor: zx},
		{Name: "zoho_campaigns", Extractor: cx}}, extract.Options{}); err != nil {
		t.Fatal(err)
	}

	opts := identity.DefaultOptions()
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := models.Load(sqlfiles.FS, configs.Seeds, nil, opts.Vars())
	if err != nil {
		t.Fatal(err)
	}
	opts.Register(p)
	res, err := p.Build(ctx, wh, models.Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Models {
		if m.Status == models.StatusFailed {
			t.Errorf("model %s failed: %s", m.Model, m.Error)
		}
	}
	for _, tr := range res.Tests {
		if tr.Status == models.StatusFail || tr.Status == models.StatusError {
			t.Errorf("test %s on %s: %s (%d rows) %s", tr.Test, tr.Model, tr.Status, tr.Failures, tr.Error)
		}
	}
	q := func(sql string) []any {
		t.Helper()
		rr, err := wh.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		_, rows, err := load.ReadAll(rr)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s: %v", sql, err)
		}
		return rows[0]
	}
	n := func(v any) int64 {
		switch x := v.(type) {
		case int64:
			return x
		case int32:
			return int64(x)
		case float64:
			return int64(x)
		}
		t.Fatalf("not a count: %T", v)
		return 0
	}
	total := n(q("SELECT count(*) FROM core.email_events")[0])
	if total != int64(cs.Events()) {
		t.Errorf("core.email_events holds %d events, the emulator %d", total, cs.Events())
	}
	row := q("SELECT count(*) FILTER (WHERE match = 'person'), count(*) FILTER (WHERE match = 'no_person'), " +
		"count(*) FILTER (WHERE email LIKE '%@lists.example' AND match <> 'no_person') FROM core.email_events")
	matched, nobody, strangersMatched := n(row[0]), n(row[1]), n(row[2])
	if matched < total*6/10 || nobody == 0 || strangersMatched != 0 {
		t.Errorf("%d of %d events matched a person, %d nobody, %d list addresses matched", matched, total, nobody, strangersMatched)
	}
	row = q("SELECT count(*), count(*) FILTER (WHERE reason = 'no_person' AND email LIKE '%@lists.example') FROM metrics.email_engagement_unmatched")
	if n(row[0]) == 0 || n(row[1]) == 0 {
		t.Errorf("unmatched addresses: %v", row)
	}
	row = q("SELECT count(*), count(*) FILTER (WHERE band NOT IN (SELECT band FROM seeds.lead_score_bands)), " +
		"(SELECT count(*) FROM metrics.email_engagement_by_person) FROM metrics.lead_scores")
	if n(row[0]) == 0 || n(row[0]) != n(row[2]) || n(row[1]) != 0 {
		t.Errorf("lead scores: %d people (%d engaged), %d in no seeded band", n(row[0]), n(row[2]), n(row[1]))
	}
	// Scores follow the rules: someone who only unsubscribed scores -40
	// (no decay) and lands in the lowest band; an opener scores above 0.
	row = q("SELECT count(*) FILTER (WHERE opens = 0 AND clicks = 0 AND unsubscribes > 0 AND (score <> -40 OR band <> 'Cold')), " +
		"count(*) FILTER (WHERE opens > 0 AND unsubscribes = 0 AND bounces = 0 AND score <= 0), count(*) FILTER (WHERE opens > 0) FROM metrics.lead_scores")
	if n(row[0]) != 0 || n(row[1]) != 0 || n(row[2]) == 0 {
		t.Errorf("scores off the rules: %d unsubscribers, %d openers (of %d)", n(row[0]), n(row[1]), n(row[2]))
	}
	t.Logf("%d events: %d matched a golden person, %d matched nobody", total, matched, nobody)
}
