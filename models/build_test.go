//go:build duckdb_arrow

package models_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/models"
)

func openWH(t testing.TB) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(t.Context(), duckdb.Options{Path: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func exec(t testing.TB, w *duckdb.Warehouse, q string) {
	t.Helper()
	if err := w.Exec(t.Context(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func rows(t testing.TB, w *duckdb.Warehouse, q string) string {
	t.Helper()
	r, err := w.Query(t.Context(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	_, rs, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range rs {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return strings.Join(out, " ")
}

// landSalesforce creates raw salesforce.lead rows as an extract would.
func landSalesforce(t testing.TB, w *duckdb.Warehouse) {
	exec(t, w, `CREATE SCHEMA IF NOT EXISTS salesforce;
		CREATE OR REPLACE TABLE salesforce.lead AS SELECT * FROM (VALUES
		('L1', 'Ann@Acme.com', 'Open', TIMESTAMPTZ '2024-01-02 10:00:00+00'),
		('L2', 'bob@globex.com', 'Working', TIMESTAMPTZ '2024-01-09 10:00:00+00'),
		('L3', 'cy@acme.com', 'Qualified', TIMESTAMPTZ '2024-01-10 10:00:00+00')) v("Id", "Email", "Status", "CreatedDate")`)
}

func landZoho(t testing.TB, w *duckdb.Warehouse) {
	exec(t, w, `CREATE SCHEMA IF NOT EXISTS zoho_crm;
		CREATE OR REPLACE TABLE zoho_crm.leads AS SELECT * FROM (VALUES
		('Z1', 'dee@initech.com', 'Converted', TIMESTAMPTZ '2024-01-03 10:00:00+00')) v(id, "Email", "Lead_Status", "Created_Time")`)
}

func build(t testing.TB, p *models.Project, w models.Warehouse, opts models.Options) *models.Result {
	t.Helper()
	res, err := p.Build(t.Context(), w, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// statuses renders "relation=status" for every model and test.
func statuses(r *models.Result) string {
	var out []string
	for _, m := range r.Models {
		out = append(out, m.Model+"="+m.Status)
	}
	for _, t := range r.Tests {
		s := t.Test + "=" + t.Status
		if t.Failures > 0 {
			s += fmt.Sprintf("(%d)", t.Failures)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func modelResult(t *testing.T, r *models.Result, rel string) models.ModelResult {
	t.Helper()
	for _, m := range r.Models {
		if m.Model == rel {
			return m
		}
	}
	t.Fatalf("no result for %s in\n%s", rel, statuses(r))
	return models.ModelResult{}
}

func TestBuildBasic(t *testing.T) {
	w := openWH(t)
	landSalesforce(t, w)
	landZoho(t, w)
	p := loadBasic(t, nil)
	res := build(t, p, w, models.Options{})
	if res.Failed() {
		t.Fatalf("build failed:\n%s\n%+v", statuses(res), res)
	}
	if got := rows(t, w, "SELECT lead_id, status, system FROM core.leads ORDER BY lead_id"); got != "L1|open|salesforce L2|working|salesforce L3|working|salesforce Z1|converted|zoho" {
		t.Errorf("core.leads = %s", got)
	}
	if got := rows(t, w, "SELECT account_id FROM core.accounts ORDER BY 1"); got != "acme.com globex.com initech.com" {
		t.Errorf("core.accounts (user model) = %s", got)
	}
	if got := rows(t, w, "SELECT days, hours, weeks, months, month_start, name_similarity > 0.9, matches_lower, digits, dbl, bad_int, d, h, region FROM metrics.macros"); !strings.HasPrefix(got, "60|30|") || !strings.Contains(got, "|5551234567|12.5|<nil>|") || !strings.HasSuffix(got, "|emea") {
		t.Errorf("metrics.macros = %s", got)
	}
	if got := rows(t, w, "SELECT count(*), count(*) FILTER (WHERE active) FROM seeds.regions"); got != "2|1" {
		t.Errorf("seeds.regions = %s", got)
	}
	if r := modelResult(t, res, "core.leads"); r.Rows != 4 || r.Kind != load.ModelTable {
		t.Errorf("core.leads result = %+v", r)
	}
	if n := res.Count(models.StatusPass); n != 7 {
		t.Errorf("%d tests passed, want 7:\n%s", n, statuses(res))
	}
	if res.Seconds <= 0 || res.WarehouseSeconds <= 0 || res.WarehouseSeconds > res.Seconds {
		t.Errorf("seconds %v, in warehouse %v", res.Seconds, res.WarehouseSeconds)
	}
	runs, err := load.Runs(t.Context(), w, 0)
	if err != nil {
		t.Fatal(err)
	}
	builds := 0
	for _, r := range runs {
		if r.Stage == "build" && r.Status == load.RunSucceeded {
			builds++
		}
	}
	if builds != len(p.Models()) {
		t.Errorf("%d build runs recorded, want %d", builds, len(p.Models()))
	}
}

func TestBuildSkipsMissingSource(t *testing.T) {
	w := openWH(t)
	landSalesforce(t, w) // no Zoho
	p := loadBasic(t, nil)
	res := build(t, p, w, models.Options{})
	if res.Failed() {
		t.Fatalf("build failed:\n%s", statuses(res))
	}
	z := modelResult(t, res, "staging.zoho_leads")
	if z.Status != models.StatusSkipped || !strings.Contains(z.Reason, "zoho_crm.leads does not exist") {
		t.Errorf("zoho_leads = %+v", z)
	}
	// core.leads guards its ref with source_exists: it builds from Salesforce alone.
	if r := modelResult(t, res, "core.leads"); r.Status != models.StatusSuccess || r.Rows != 3 {
		t.Errorf("core.leads = %+v", r)
	}
	sql, err := p.Compile(t.Context(), w, "core.leads")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sql, "zoho") {
		t.Errorf("compiled core.leads still reads zoho:\n%s", sql)
	}
}

func TestBuildSkipsUnguardedRefOfSkipped(t *testing.T) {
	w := openWH(t)
	shipped := fstest.MapFS{
		"staging/zoho.sql": {Data: []byte(`SELECT * FROM {{ source "zoho_crm" "leads" }}`)},
		"core/z.sql":       {Data: []byte(`SELECT * FROM {{ ref "zoho" }}`)},
		"metrics/z.sql":    {Data: []byte(`SELECT count(*) AS n FROM {{ ref "core.z" }}`)},
		"core/ok.sql":      {Data: []byte(`SELECT 1 AS x`)},
	}
	p, err := models.Load(shipped, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := build(t, p, w, models.Options{})
	want := "core.ok=success\nstaging.zoho=skipped\ncore.z=skipped\nmetrics.z=skipped"
	if got := statuses(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if r := modelResult(t, res, "metrics.z"); r.Reason != "core.z was skipped" {
		t.Errorf("reason = %q", r.Reason)
	}
	if res.Failed() {
		t.Error("skips made the build fail")
	}
}

func TestBuildFailureMidDAG(t *testing.T) {
	w := openWH(t)
	shipped := fstest.MapFS{
		"core/a.sql":      {Data: []byte("SELECT 1 AS id")},
		"core/broken.sql": {Data: []byte("-- config: materialized=table\nSELECT id,\n  FROM {{ ref \"a\" }} WHERE")},
		"core/child.sql":  {Data: []byte(`SELECT * FROM {{ ref "broken" }}`)},
		"metrics/gc.sql":  {Data: []byte(`SELECT * FROM {{ ref "child" }}`)},
		"metrics/ind.sql": {Data: []byte(`SELECT id + 1 AS id FROM {{ ref "a" }}`)},
	}
	p, err := models.Load(shipped, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := build(t, p, w, models.Options{})
	want := "core.a=success\ncore.broken=failed\ncore.child=skipped\nmetrics.gc=skipped\nmetrics.ind=success"
	if got := statuses(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	b := modelResult(t, res, "core.broken")
	if !strings.HasPrefix(b.Error, "sql/core/broken.sql: ") || !strings.Contains(b.Error, "Parser Error") {
		t.Errorf("error does not show the file and DuckDB's message: %s", b.Error)
	}
	if r := modelResult(t, res, "core.child"); r.Reason != "core.broken failed" {
		t.Errorf("child reason = %q", r.Reason)
	}
	if !res.Failed() {
		t.Error("Failed() = false")
	}
	if got := rows(t, w, "SELECT id FROM metrics.ind"); got != "2" {
		t.Errorf("independent model = %s", got)
	}
	runs, err := load.Runs(t.Context(), w, 0)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, r := range runs {
		if r.Status == load.RunFailed {
			failed = append(failed, r.Target+": "+r.Error)
		}
	}
	if len(failed) != 1 || !strings.HasPrefix(failed[0], "core.broken: sql/core/broken.sql") {
		t.Errorf("failed runs = %q", failed)
	}
}

func TestBuildRuntimeErrorKeepsOldTable(t *testing.T) {
	w := openWH(t)
	fsys := fstest.MapFS{"core/t.sql": {Data: []byte("SELECT 'v1' AS v")}}
	p, err := models.Load(fsys, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	build(t, p, w, models.Options{})
	fsys["core/t.sql"] = &fstest.MapFile{Data: []byte("SELECT CAST('x' AS INTEGER) AS v")}
	if p, err = models.Load(fsys, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	res := build(t, p, w, models.Options{})
	if r := modelResult(t, res, "core.t"); r.Status != models.StatusFailed || !strings.Contains(r.Error, "Conversion Error") {
		t.Errorf("result = %+v", r)
	}
	if got := rows(t, w, "SELECT v FROM core.t"); got != "v1" {
		t.Errorf("old table replaced: %s", got)
	}
}

func TestBuildIncremental(t *testing.T) {
	w := openWH(t)
	exec(t, w, `CREATE SCHEMA src; CREATE TABLE src.events AS SELECT * FROM (VALUES (1, 'a', 10), (2, 'b', 20)) v(id, val, ts)`)
	fsys := fstest.MapFS{"core/ev.sql": {Data: []byte(`-- config: materialized=incremental; unique_key=id
SELECT id, val, ts FROM {{ source "src" "events" }}
{{- if is_incremental }} WHERE ts > (SELECT max(ts) FROM {{ this }}){{ end }}`)}}
	p, err := models.Load(fsys, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := modelResult(t, build(t, p, w, models.Options{}), "core.ev"); r.Rows != 2 {
		t.Fatalf("first build = %+v", r)
	}
	sql, err := p.Compile(t.Context(), w, "ev")
	if err != nil || !strings.Contains(sql, `WHERE ts > (SELECT max(ts) FROM "core"."ev")`) {
		t.Fatalf("compiled incremental = %q, %v", sql, err)
	}
	exec(t, w, `UPDATE src.events SET val = 'B', ts = 30 WHERE id = 2; INSERT INTO src.events VALUES (3, 'c', 40); UPDATE src.events SET val = 'ignored' WHERE id = 1`)
	if r := modelResult(t, build(t, p, w, models.Options{}), "core.ev"); r.Rows != 2 {
		t.Errorf("incremental build merged %d rows, want 2", r.Rows)
	}
	if got := rows(t, w, "SELECT id, val, ts FROM core.ev ORDER BY id"); got != "1|a|10 2|B|30 3|c|40" {
		t.Errorf("after merge: %s", got)
	}
	// --full-refresh rebuilds from everything, picking up row 1's change.
	if r := modelResult(t, build(t, p, w, models.Options{FullRefresh: true}), "core.ev"); r.Rows != 3 {
		t.Errorf("full refresh rows = %d", r.Rows)
	}
	if got := rows(t, w, "SELECT val FROM core.ev WHERE id = 1"); got != "ignored" {
		t.Errorf("after full refresh: %s", got)
	}
}

func TestBuildSelection(t *testing.T) {
	w := openWH(t)
	landSalesforce(t, w)
	landZoho(t, w)
	p := loadBasic(t, nil)
	cases := []struct {
		sel  []string
		want string
	}{
		{[]string{"leads"}, "core.leads"},
		{[]string{"core.leads+"}, "core.leads core.accounts core.lead_events metrics.lead_volume"},
		{[]string{"+leads"}, "seeds.stage_map staging.sf_leads staging.zoho_leads core.leads"},
		{[]string{"tag:daily"}, "core.leads metrics.lead_volume"},
		{[]string{"path:sql/metrics"}, "metrics.macros metrics.lead_volume"},
		{[]string{"path:staging", "seeds.regions"}, "seeds.regions staging.sf_leads staging.zoho_leads"},
		{[]string{"+sf_leads+ tag:zoho"}, "staging.sf_leads staging.zoho_leads core.leads core.accounts core.lead_events metrics.lead_volume"},
	}
	// Everything upstream first, so that narrow selections have inputs.
	build(t, p, w, models.Options{SkipTests: true})
	for _, c := range cases {
		res := build(t, p, w, models.Options{Select: c.sel, SkipTests: true})
		var got []string
		for _, m := range res.Models {
			got = append(got, m.Model)
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("--select %q: %s, want %s", c.sel, s, c.want)
		}
	}
	for _, bad := range []string{"nope", "tag:nothing", "path:sql/nowhere", "core.nope"} {
		if _, err := p.Build(t.Context(), w, models.Options{Select: []string{bad}}); err == nil {
			t.Errorf("--select %s: no error", bad)
		}
	}
	// A selected model's tests and the custom tests that use it run.
	res := build(t, p, w, models.Options{Select: []string{"core.leads"}})
	var tests []string
	for _, tr := range res.Tests {
		tests = append(tests, tr.Test)
	}
	if len(tests) != 5 || tests[4] != "tests.no_future_leads" {
		t.Errorf("tests after --select core.leads: %q", tests)
	}
}

func TestDataTests(t *testing.T) {
	w := openWH(t)
	exec(t, w, `CREATE SCHEMA raw;
		CREATE TABLE raw.accounts AS SELECT * FROM (VALUES ('A1'), ('A2')) v(id);
		CREATE TABLE raw.deals AS SELECT * FROM (VALUES
		('D1', 'A1', 'won'), ('D1', 'A2', 'lost'), ('D2', NULL, 'open'), ('D3', 'A9', 'maybe'), ('D4', 'A8', 'won')) v(id, account_id, stage)`)
	fsys := fstest.MapFS{
		"core/accounts.sql": {Data: []byte(`SELECT id AS account_id FROM {{ source "raw" "accounts" }}`)},
		"core/deals.sql": {Data: []byte(`-- test: unique id
-- test: unique id,account_id
-- test: not_null account_id
-- test: accepted_values stage: won,lost,open
-- test: relationships account_id -> core.accounts.account_id
SELECT * FROM {{ source "raw" "deals" }}`)},
		"tests/deals_have_stage.sql": {Data: []byte(`SELECT * FROM {{ ref "deals" }} WHERE stage IS NULL`)},
		"tests/no_maybes.sql":        {Data: []byte(`SELECT * FROM {{ ref "deals" }} WHERE stage = 'maybe'`)},
		"tests/broken.sql":           {Data: []byte(`SELECT * FROM {{ ref "deals" }} WHERE no_such_column`)},
	}
	p, err := models.Load(fsys, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := build(t, p, w, models.Options{})
	want := `core.accounts=success
core.deals=success
unique(core.deals.id)=fail(1)
unique(core.deals.id,account_id)=pass
not_null(core.deals.account_id)=fail(1)
accepted_values(core.deals.stage: won,lost,open)=fail(1)
relationships(core.deals.account_id -> core.accounts.account_id)=fail(2)
tests.broken=error
tests.deals_have_stage=pass
tests.no_maybes=fail(1)`
	if got := statuses(res); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !res.Failed() {
		t.Error("failing tests did not fail the run")
	}
	for _, tr := range res.Tests {
		if tr.Test == "tests.broken" && !strings.Contains(tr.Error, "sql/tests/broken.sql") {
			t.Errorf("broken test error does not name the file: %s", tr.Error)
		}
	}
	// revops test runs the same tests against what is built; --skip-tests skips them.
	tres, err := p.Test(t.Context(), w, models.Options{Select: []string{"accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tres.Tests) != 0 || len(tres.Models) != 0 {
		t.Errorf("test --select accounts = %s", statuses(tres))
	}
	tres, err = p.Test(t.Context(), w, models.Options{Select: []string{"tests.no_maybes"}})
	if err != nil || statuses(tres) != "tests.no_maybes=fail(1)" {
		t.Errorf("test --select tests.no_maybes = %s, %v", statuses(tres), err)
	}
	if res := build(t, p, w, models.Options{SkipTests: true}); len(res.Tests) != 0 || res.Failed() {
		t.Errorf("--skip-tests ran %d tests", len(res.Tests))
	}
	// Tests of a model that is not built are skipped, not errors.
	w2 := openWH(t)
	tres, err = p.Test(t.Context(), w2, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := tres.Count(models.StatusSkipped); n != len(tres.Tests) {
		t.Errorf("tests on an empty warehouse:\n%s", statuses(tres))
	}
}

func TestBuildSeedsReplacedWhole(t *testing.T) {
	w := openWH(t)
	seeds := fstest.MapFS{"seeds/m.csv": {Data: []byte("k,v:double\na,1.5\nb,\n")}}
	p, err := models.Load(fstest.MapFS{}, seeds, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	build(t, p, w, models.Options{})
	seeds["seeds/m.csv"] = &fstest.MapFile{Data: []byte("k,v:double\nc,2\n")}
	if p, err = models.Load(fstest.MapFS{}, seeds, nil, nil); err != nil {
		t.Fatal(err)
	}
	build(t, p, w, models.Options{})
	if got := rows(t, w, "SELECT k, v FROM seeds.m"); got != "c|2" {
		t.Errorf("seeds.m = %s", got)
	}
	seeds["seeds/m.csv"] = &fstest.MapFile{Data: []byte("k,v:double\n")}
	if p, err = models.Load(fstest.MapFS{}, seeds, nil, nil); err != nil {
		t.Fatal(err)
	}
	build(t, p, w, models.Options{})
	if got := rows(t, w, "SELECT count(*) FROM seeds.m"); got != "0" {
		t.Errorf("empty seed rows = %s", got)
	}
}

func TestBuildConcurrencyOne(t *testing.T) {
	w := openWH(t)
	landSalesforce(t, w)
	p := loadBasic(t, nil)
	res := build(t, p, w, models.Options{Concurrency: 1})
	if res.Failed() {
		t.Fatalf("build failed:\n%s", statuses(res))
	}
}
