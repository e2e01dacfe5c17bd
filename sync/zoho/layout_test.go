//go:build duckdb_arrow

package zoho_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zoho"
)

// required lists a schema's Required fields, sorted.
func required(t *testing.T, d *zoho.Destination, module string) []string {
	t.Helper()
	sc, err := d.Describe(context.Background(), module)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for n, f := range sc.Fields {
		if f.Required {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// TestDescribeReadsLayoutMandatoryFields: Required holds the standard
// layout's mandatory fields as the layouts API reports them, so an
// admin's change to the layout changes what sync demands.
func TestDescribeReadsLayoutMandatoryFields(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	for module, want := range map[string][]string{
		"Leads":    {"Company", "Last_Name"},
		"Deals":    {"Account_Name", "Closing_Date", "Deal_Name", "Stage"},
		"Contacts": {"Last_Name"},
		"Accounts": {"Account_Name"},
	} {
		if got := required(t, d, module); !slices.Equal(got, want) {
			t.Errorf("%s: required %v, want %v", module, got, want)
		}
	}
	if err := o.SetLayoutRequired("Leads", "Company", false); err != nil {
		t.Fatal(err)
	}
	if err := o.SetLayoutRequired("Contacts", "Email", true); err != nil {
		t.Fatal(err)
	}
	d = o.dest(t)
	if got := required(t, d, "Leads"); !slices.Equal(got, []string{"Last_Name"}) {
		t.Errorf("Leads after the layout change: %v", got)
	}
	if got := required(t, d, "Contacts"); !slices.Equal(got, []string{"Email", "Last_Name"}) {
		t.Errorf("Contacts after the layout change: %v", got)
	}
}

// TestDescribeWithoutLayoutsScope: a token that may read fields but not
// layouts gets the system-mandatory fields and a warning naming the scope.
func TestDescribeWithoutLayoutsScope(t *testing.T) {
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.TestServer = zohotest.Start(zohotest.Options{Counters: o.counters,
		Scopes: []string{"ZohoCRM.modules.ALL", "ZohoCRM.settings.fields.READ", "ZohoCRM.coql.READ"}})
	t.Cleanup(o.Close)
	var logs bytes.Buffer
	d, err := zoho.New(context.Background(), o.options().ClientConfig("zoho_crm", nil), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if got := required(t, d, "Leads"); !slices.Equal(got, []string{"Last_Name"}) {
		t.Errorf("required without layouts: %v", got)
	}
	if !strings.Contains(logs.String(), "ZohoCRM.settings.layouts.READ") || !strings.Contains(logs.String(), "OAUTH_SCOPE_MISMATCH") {
		t.Errorf("no warning: %s", logs.String())
	}
}

// layoutEnv is the org, its destination and a DuckDB warehouse with a
// syncs schema.
type layoutEnv struct {
	o      *org
	d      *zoho.Destination
	w      *duckdb.Warehouse
	runner *revsync.Runner
}

func newLayoutEnv(t *testing.T) *layoutEnv {
	t.Helper()
	e := &layoutEnv{o: startOrg(t)}
	e.d = e.o.dest(t)
	w, err := duckdb.Open(context.Background(), duckdb.Options{Path: t.TempDir() + "/wh.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	e.w, e.runner = w, &revsync.Runner{Warehouse: w}
	e.exec(t, `CREATE SCHEMA syncs`)
	return e
}

func (e *layoutEnv) exec(t *testing.T, q string) {
	t.Helper()
	if err := e.w.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// writes counts the org's record writes.
func (e *layoutEnv) writes() int64 {
	return e.o.counters.Sum(func(c sandbox.Count) bool {
		return c.Method != http.MethodGet && strings.HasPrefix(c.Endpoint, "/crm/v8/") && !strings.Contains(c.Endpoint, "coql")
	})
}

func leadSpec(mapping ...string) *revsync.Spec {
	m := map[string]revsync.FieldMap{}
	for _, f := range mapping {
		m[f] = revsync.FieldMap{Column: strings.ToLower(f)}
	}
	return &revsync.Spec{Name: "wh_leads", Model: "syncs.wh_leads", Destination: revsync.Target{Source: "zoho_crm", Object: "Leads"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}, Key: "k",
		Mapping: m}
}

// TestLayoutMandatoryOnCreate: warehouse rows into Zoho Leads and Deals.
// A spec that leaves a layout-mandatory field unmapped stops before any
// write, naming it; a row without a value for one fails alone, naming it,
// and is never sent, while the others are written.
func TestLayoutMandatoryOnCreate(t *testing.T) {
	e := newLayoutEnv(t)
	ctx := context.Background()
	e.exec(t, `CREATE TABLE syncs.wh_leads AS SELECT * FROM (VALUES
		('k1', 'a@example.com', 'Able', 'Acme'), ('k2', 'b@example.com', 'Baker', NULL),
		('k3', 'c@example.com', 'Cole', 'Corp')) t(k, email, last_name, company)`)
	_, err := e.runner.Run(ctx, leadSpec("Email", "Last_Name"), e.d, revsync.Options{})
	if !errors.Is(err, revsync.ErrBadSpec) || !strings.Contains(err.Error(), "field Company: mandatory") {
		t.Fatalf("Leads without Company mapped: %v", err)
	}
	if n := e.writes(); n != 0 {
		t.Fatalf("%d writes for a refused spec", n)
	}
	rep, err := e.runner.Run(ctx, leadSpec("Email", "Last_Name", "Company"), e.d, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Succeeded != 2 || rep.Failed != 1 || len(rep.Errors) != 1 || rep.Errors[0].Key != "k2" ||
		rep.Errors[0].Code != revsync.CodeRequiredMissing || rep.Errors[0].Fields != "Company" {
		t.Fatalf("run: %+v %+v", rep.Counts, rep.Errors)
	}
	if n := e.writes(); n != 1 {
		t.Errorf("%d write calls, want 1", n)
	}
	for _, l := range e.o.Records("Leads") {
		if l["Email"] == "b@example.com" {
			t.Fatalf("the row without Company was created: %v", l)
		}
	}
	if n := len(e.o.Records("Leads")); n != 2 {
		t.Fatalf("%d leads", n)
	}

	// Deals: the layout's Closing_Date and Account_Name, besides Deal_Name and Stage.
	e.exec(t, `CREATE TABLE syncs.wh_deals AS SELECT 'd1' AS k, 'Big deal' AS deal_name, 'Qualification' AS stage`)
	deals := &revsync.Spec{Name: "wh_deals", Model: "syncs.wh_deals", Destination: revsync.Target{Source: "zoho_crm", Object: "Deals"},
		Mode: revsync.ModeInsert, Match: revsync.MatchSpec{By: revsync.MatchID}, Key: "k",
		Mapping: map[string]revsync.FieldMap{"Deal_Name": {Column: "deal_name"}, "Stage": {Column: "stage"}}}
	_, err = e.runner.Run(ctx, deals, e.d, revsync.Options{})
	for _, want := range []string{"field Closing_Date: mandatory", "field Account_Name: mandatory"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Deals without the layout's fields: want %q in %v", want, err)
		}
	}
	// Read from the layout, not hard-coded: once the admin unstars them, the same spec runs.
	for _, f := range []string{"Closing_Date", "Account_Name"} {
		if err := e.o.SetLayoutRequired("Deals", f, false); err != nil {
			t.Fatal(err)
		}
	}
	rep, err = e.runner.Run(ctx, deals, e.o.dest(t), revsync.Options{})
	if err != nil || rep.Succeeded != 1 {
		t.Fatalf("Deals after the layout change: %v %+v", err, rep)
	}
	// Update mode creates nothing, so it needs no mandatory field.
	upd := leadSpec("Email", "Designation")
	upd.Name, upd.Mode = "wh_leads_upd", revsync.ModeUpdate
	e.exec(t, `ALTER TABLE syncs.wh_leads ADD COLUMN designation VARCHAR DEFAULT 'CTO'`)
	upd.Model = "syncs.wh_leads"
	if _, err := e.runner.Run(ctx, upd, e.d, revsync.Options{}); errors.Is(err, revsync.ErrBadSpec) {
		t.Errorf("update mode refused for a layout-mandatory field: %v", err)
	}
}
