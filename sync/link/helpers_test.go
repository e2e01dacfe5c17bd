//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	extractsf "github.com/revops/revops/extract/salesforce"
	extractzoho "github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
	syncsf "github.com/revops/revops/sync/salesforce"
	synczoho "github.com/revops/revops/sync/zoho"
)

// world is a Zoho CRM org and a Salesforce org (emulators on loopback),
// the link's destinations for both, a user's clients that edit records
// as a person would, and a DuckDB warehouse on disk that both orgs are
// extracted into.
type world struct {
	zo       *zohotest.TestServer
	sf       *sftest.TestServer
	counters *sandbox.Counters
	dests    [2]revsync.Destination
	zuser    *synczoho.Destination
	suser    *syncsf.Destination
	path     string
	w        *duckdb.Warehouse
	runner   *link.Runner
	sfOpts   extractsf.Options
	zoOpts   *extractzoho.Options
}

var limits = httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 3, Timeout: 20 * time.Second}

// newWorld starts both orgs; Zoho's clock runs zohoAhead ahead of the
// real one (and of revops's and Salesforce's).
func newWorld(t *testing.T, zohoAhead time.Duration) *world {
	t.Helper()
	return newWorldFaults(t, zohoAhead, nil)
}

// newWorldFaults is newWorld with faults injected into both orgs (nil:
// none).
func newWorldFaults(t *testing.T, zohoAhead time.Duration, faults *sandbox.Faults) *world {
	t.Helper()
	ctx := context.Background()
	wd := &world{counters: sandbox.NewCounters()}
	zopts := zohotest.Options{Counters: wd.counters, Faults: faults}
	if zohoAhead != 0 {
		zopts.Now = func() time.Time { return time.Now().Add(zohoAhead) }
	}
	wd.zo = zohotest.Start(zopts)
	t.Cleanup(wd.zo.Close)
	wd.sf = sftest.Start(sftest.Options{Counters: wd.counters, Faults: faults})
	t.Cleanup(wd.sf.Close)
	id, secret, refresh, _ := wd.sf.Credentials()
	wd.sfOpts = extractsf.Options{LoginURL: wd.sf.URL, Auth: extractsf.Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
		Objects: []string{"Lead"}, History: []string{"Lead"}, Limits: limits}
	wd.zoOpts = extractzoho.CRM()
	wd.zoOpts.AccountsURL, wd.zoOpts.APIDomain = wd.zo.URL, wd.zo.URL
	wd.zoOpts.ClientID, wd.zoOpts.ClientSecret, wd.zoOpts.RefreshToken = wd.zo.ClientID(), wd.zo.ClientSecret(), wd.zo.RefreshToken()
	wd.zoOpts.Modules, wd.zoOpts.History, wd.zoOpts.Limits = []string{"Leads"}, []string{"Leads"}, limits
	// Zoho grants ten access tokens per refresh token in ten minutes:
	// every client of the test shares one through the cache.
	wd.zoOpts.TokenCacheDir = t.TempDir()
	wd.dests[0], wd.dests[1] = wd.newZoho(t), wd.newSF(t)
	wd.zuser, wd.suser = wd.newZoho(t), wd.newSF(t)
	wd.path = filepath.Join(t.TempDir(), "wh.duckdb")
	wd.open(t)
	t.Cleanup(func() {
		if wd.w != nil {
			wd.w.Close()
		}
	})
	_ = ctx
	return wd
}

func (wd *world) newZoho(t *testing.T) *synczoho.Destination {
	t.Helper()
	d, err := synczoho.New(context.Background(), wd.zoOpts.ClientConfig("zoho_crm", nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (wd *world) newSF(t *testing.T) *syncsf.Destination {
	t.Helper()
	d, err := syncsf.New(context.Background(), wd.sfOpts.ClientConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (wd *world) open(t *testing.T) {
	t.Helper()
	w, err := duckdb.Open(context.Background(), duckdb.Options{Path: wd.path})
	if err != nil {
		t.Fatal(err)
	}
	wd.w = w
	wd.runner = &link.Runner{Warehouse: w}
}

func (wd *world) close() {
	wd.w.Close()
	wd.w = nil
}

// extract lands both orgs' leads (with history), incrementally.
func (wd *world) extract(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	sfx, err := extractsf.New(ctx, "salesforce", wd.sfOpts, nil)
	if err != nil {
		t.Fatal(err)
	}
	zox, err := extractzoho.New(ctx, "zoho_crm", wd.zoOpts, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&extract.Runner{Warehouse: wd.w}).Run(ctx, []extract.Source{{Name: "salesforce", Extractor: sfx}, {Name: "zoho_crm", Extractor: zox}}, extract.Options{})
	if err != nil {
		t.Fatalf("extract: %v (%+v)", err, res)
	}
}

// spec parses one link from a config's links: section (sources zoho_crm
// and salesforce).
func spec(t *testing.T, yaml string) *link.Spec {
	t.Helper()
	cfg := "version: 1\nwarehouse: {type: duckdb}\nsources:\n  - {name: zoho_crm, type: zoho_crm}\n  - {name: salesforce, type: salesforce}\n  - {name: zoho_desk, type: zoho_desk}\nlinks:\n" + yaml
	c, err := configs.Parse("revops.yaml", []byte(cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := link.ParseEach(c, []string{"salesforce", "zoho_crm"})
	if len(ps) != 1 || ps[0].Err != nil {
		t.Fatalf("parse: %+v", ps)
	}
	return ps[0].Spec
}

// leadLink is the link most tests use: Zoho Leads ⇄ Salesforce Lead,
// paired by Lead.Zoho_Lead_Id__c.
const leadLink = `  - name: leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: Phone, right: Phone, owner: newest}
      - {left: Email, right: Email, owner: newest}
      - {left: Designation, right: Title, owner: salesforce}
      - {left: City, right: City, owner: zoho}
      - {left: Website, right: Website, owner: fill_if_empty}
      - {left: Description, right: Description, owner: read_only, from: zoho}
      - {left: No_of_Employees, right: NumberOfEmployees, owner: newest}
      - {left: [First_Name, Last_Name], right: [FirstName, LastName], owner: newest}
`

// pairOf creates a Zoho lead and a Salesforce lead naming it, with the
// given values (Zoho field names; Salesforce's are mapped), and returns
// their ids.
func (wd *world) pairOf(t *testing.T, zoho, sf map[string]any) (string, string) {
	t.Helper()
	ctx := context.Background()
	zv := map[string]any{"Last_Name": "Lead", "Company": "Acme"}
	for k, v := range zoho {
		zv[k] = v
	}
	res, err := wd.zuser.Write(ctx, "Leads", revsync.OpInsert, revsync.Match{By: revsync.MatchID}, []revsync.Record{{Key: "z", Values: zv}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("create zoho lead: %v %v", err, res)
	}
	zid := res[0].ID
	sv := map[string]any{"LastName": "Lead", "Company": "Acme", "Zoho_Lead_Id__c": zid}
	for k, v := range sf {
		sv[k] = v
	}
	res, err = wd.suser.Write(ctx, "Lead", revsync.OpInsert, revsync.Match{By: revsync.MatchID}, []revsync.Record{{Key: "s", Values: sv}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("create salesforce lead: %v %v", err, res)
	}
	return zid, res[0].ID
}

// edit changes a record as a user would (side 0 Zoho, 1 Salesforce).
func (wd *world) edit(t *testing.T, side int, id string, vals map[string]any) {
	t.Helper()
	var d revsync.Destination = wd.zuser
	obj := "Leads"
	if side == 1 {
		d, obj = wd.suser, "Lead"
	}
	res, err := d.Write(context.Background(), obj, revsync.OpUpdate, revsync.Match{By: revsync.MatchID}, []revsync.Record{{Key: "e", ID: id, Values: vals}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("edit %s %s: %v %v", obj, id, err, res)
	}
}

// get returns a record's field as the org holds it now.
func (wd *world) get(t *testing.T, side int, id, field string) any {
	t.Helper()
	recs := wd.zo.Records("Leads")
	key := "id"
	if side == 1 {
		recs, key = wd.sf.Records("Lead"), "Id"
	}
	for _, r := range recs {
		if fmt.Sprint(r[key]) == id {
			return r[field]
		}
	}
	t.Fatalf("no record %s", id)
	return nil
}

// writes counts the record write calls each org served (Zoho PUT/POST
// on /crm/v8/Leads..., Salesforce sObject Collections and sObject
// PATCH/POST), the users' edits included: callers take differences.
func (wd *world) writes() [2]int64 {
	z := wd.counters.Sum(func(c sandbox.Count) bool {
		return c.System == "zoho_crm" && c.Method != http.MethodGet && strings.HasPrefix(c.Endpoint, "/crm/v8/") && !strings.Contains(c.Endpoint, "coql")
	})
	s := wd.counters.Sum(func(c sandbox.Count) bool {
		return c.System == "salesforce" && c.Method != http.MethodGet && (strings.Contains(c.Endpoint, "/composite/sobjects") || strings.Contains(c.Endpoint, "/sobjects/"))
	})
	return [2]int64{z, s}
}

// run runs the link and returns its report and the write calls each org
// served during it.
func (wd *world) run(t *testing.T, s *link.Spec) (*link.Report, [2]int64) {
	t.Helper()
	before := wd.writes()
	rep, err := wd.runner.Run(context.Background(), s, wd.dests, link.Options{})
	if err != nil {
		t.Fatalf("link run: %v", err)
	}
	after := wd.writes()
	return rep, [2]int64{after[0] - before[0], after[1] - before[1]}
}

func (wd *world) rows(t *testing.T, q string, args ...any) [][]any {
	t.Helper()
	r, err := wd.w.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		helperRun()
		os.Exit(3)
	}
	os.Exit(m.Run())
}
