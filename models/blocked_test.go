//go:build duckdb_arrow

package models_test

import (
	"strings"
	"testing"

	"github.com/revops/revops/models"
)

// TestResultBlocked builds, on DuckDB, a project whose sync models read a
// failing upstream model, a model with a failing test of severity warn, a
// model with a failing test of severity error, and so on, and asks
// Result.Blocked about each.
func TestResultBlocked(t *testing.T) {
	w := openWH(t)
	exec(t, w, `CREATE SCHEMA raw;
		CREATE TABLE raw.accounts AS SELECT * FROM (VALUES ('A1', 'open'), ('A2', NULL), ('A2', 'open')) v(id, status);
		CREATE TABLE raw.leads AS SELECT * FROM (VALUES ('L1', 'new'), ('L2', NULL)) v(id, status)`)
	files := mapFS(map[string]string{
		// A warning: a lead without a status.
		"staging/leads.sql": "-- test: unique id\n-- test: not_null status; severity=warn\nSELECT * FROM {{ source \"raw\" \"leads\" }}",
		// An error: a duplicate account id.
		"staging/accounts.sql": "-- test: unique id\n-- test: not_null status; severity=warn\nSELECT * FROM {{ source \"raw\" \"accounts\" }}",
		// Fails in the warehouse.
		"core/deals.sql":   "SELECT no_such_column FROM {{ ref \"staging.accounts\" }}",
		"metrics/won.sql":  "SELECT count(*) AS n FROM {{ ref \"core.deals\" }}",
		"core/leads.sql":   "SELECT * FROM {{ ref \"staging.leads\" }}",
		"core/broken.sql":  "SELECT * FROM {{ ref \"core.nowhere\" }}",
		"core/checked.sql": "SELECT 1 AS id",
		// A custom test of severity error on core.checked fails; one of severity warn on core.leads too.
		"tests/checked_is_empty.sql": "-- A custom test of severity error (the default).\nSELECT * FROM {{ ref \"core.checked\" }}",
		"tests/leads_are_new.sql":    "-- config: severity=warn\nSELECT * FROM {{ ref \"core.leads\" }} WHERE status IS DISTINCT FROM 'new'",
		// A custom test of severity warn that cannot run does not block either.
		"tests/leads_warn_broken.sql": "-- config: severity=warn\nSELECT no_such_column FROM {{ ref \"core.leads\" }}",
		"syncs/leads_out.sql":         "SELECT * FROM {{ ref \"core.leads\" }}",
		"syncs/accounts_out.sql":      "SELECT * FROM {{ ref \"staging.accounts\" }}",
		"syncs/won_out.sql":           "SELECT * FROM {{ ref \"metrics.won\" }}",
		"syncs/broken_out.sql":        "SELECT * FROM {{ ref \"core.broken\" }}",
		"syncs/checked_out.sql":       "SELECT * FROM {{ ref \"core.checked\" }}",
		"syncs/missing_out.sql":       "SELECT * FROM {{ source \"raw\" \"nope\" }}",
		"syncs/guarded_out.sql":       "SELECT 1 AS x{{ if source_exists \"raw\" \"nope\" }} FROM {{ ref \"staging.nope\" }}{{ end }}",
		"staging/nope.sql":            "SELECT * FROM {{ source \"raw\" \"nope\" }}",
	})
	p, err := models.Load(files, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := build(t, p, w, models.Options{})
	if !res.Failed() {
		t.Error("Failed() = false")
	}
	cases := []struct {
		relation string
		want     []string
	}{
		// A failing test of severity warn upstream (and a custom one) does not block.
		{"syncs.leads_out", nil},
		{"leads_out", nil},
		// A failing test of severity error on a model read directly blocks.
		{"syncs.accounts_out", []string{"test unique(staging.accounts.id) failed on 1 rows"}},
		// A model failed upstream (and one of severity error failed further up).
		{"syncs.won_out", []string{"core.deals failed: sql/core/deals.sql: duckdb: materialize core.deals",
			"test unique(staging.accounts.id) failed on 1 rows"}},
		// A model broken in its file upstream.
		{"syncs.broken_out", []string{"core.broken failed: sql/core/broken.sql:1: ref \"core.nowhere\": no model core.nowhere"}},
		// A custom test of severity error that refs a model upstream.
		{"syncs.checked_out", []string{"test tests.checked_is_empty failed on 1 rows"}},
		// The relation itself was not built.
		{"syncs.missing_out", []string{"syncs.missing_out was skipped: source raw.nope does not exist"}},
		// An upstream model skipped for a missing source, guarded: not blocked.
		{"syncs.guarded_out", nil},
		// Not a model of the project: nothing here blocks it.
		{"syncs.inline", nil},
		{"core.checked", []string{"test tests.checked_is_empty failed on 1 rows"}},
		{"core.leads", nil},
	}
	for _, c := range cases {
		got := res.Blocked(c.relation)
		if len(got) != len(c.want) {
			t.Errorf("Blocked(%s) = %q, want %q", c.relation, got, c.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], c.want[i]) {
				t.Errorf("Blocked(%s)[%d] = %q, want it to start with %q", c.relation, i, got[i], c.want[i])
			}
		}
	}
	if s := modelResult(t, res, "syncs.guarded_out"); s.Status != models.StatusSuccess {
		t.Errorf("syncs.guarded_out: %+v", s)
	}
	warned := map[string]bool{}
	for _, tr := range res.Tests {
		if tr.Status == models.StatusWarn {
			warned[tr.Test] = true
			if tr.Severity != models.SeverityWarn || tr.Failures != 1 {
				t.Errorf("%s: %+v", tr.Test, tr)
			}
		}
	}
	for _, name := range []string{"not_null(staging.leads.status)", "not_null(staging.accounts.status)", "tests.leads_are_new"} {
		if !warned[name] {
			t.Errorf("%s did not warn:\n%s", name, statuses(res))
		}
	}
	for _, tr := range res.Tests {
		if tr.Test == "tests.leads_warn_broken" && (tr.Status != models.StatusError || !strings.Contains(tr.Error, "no_such_column")) {
			t.Errorf("%s: %+v", tr.Test, tr)
		}
	}

	// The same answers from the build `revops sync` makes: a selection
	// with what the sync models read, without tests (only model failures).
	sel := build(t, p, w, models.Options{Select: []string{"+syncs.won_out", "+syncs.leads_out"}, SkipTests: true})
	if got := sel.Blocked("syncs.leads_out"); got != nil {
		t.Errorf("selected build: Blocked(syncs.leads_out) = %q", got)
	}
	if got := sel.Blocked("syncs.won_out"); len(got) != 1 || !strings.HasPrefix(got[0], "core.deals failed: ") {
		t.Errorf("selected build: Blocked(syncs.won_out) = %q", got)
	}
	// A model outside the selection is blocked by nothing in this result.
	if got := sel.Blocked("syncs.broken_out"); got != nil {
		t.Errorf("selected build: Blocked(syncs.broken_out) = %q", got)
	}
}

// TestWarnTestsDoNotFailTheRun: a run whose only failing tests are of
// severity warn has not failed; one failing test of severity error fails it.
func TestWarnTestsDoNotFailTheRun(t *testing.T) {
	w := openWH(t)
	exec(t, w, `CREATE SCHEMA raw; CREATE TABLE raw.t AS SELECT * FROM (VALUES (1, NULL), (1, 'x')) v(id, s)`)
	for _, c := range []struct {
		header string
		failed bool
		status string
	}{
		{"-- test: not_null s; severity=warn\n-- test: unique id; severity=warn\n", false, "warn"},
		{"-- test: not_null s; severity=warn\n-- test: unique id; severity=error\n", true, "fail"},
		{"-- test: not_null s; severity=warn\n-- test: unique id\n", true, "fail"},
	} {
		p, err := models.Load(mapFS(map[string]string{"core/t.sql": c.header + "SELECT * FROM {{ source \"raw\" \"t\" }}"}), nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range []*models.Result{build(t, p, w, models.Options{}), mustTest(t, p, w)} {
			if res.Failed() != c.failed || res.Tests[0].Status != models.StatusWarn || res.Tests[1].Status != c.status {
				t.Errorf("%q: Failed() = %v, want %v\n%s", c.header, res.Failed(), c.failed, statuses(res))
			}
			if n := res.Count(models.StatusWarn); (c.status == "warn" && n != 2) || (c.status == "fail" && n != 1) {
				t.Errorf("%q: %d warnings", c.header, n)
			}
		}
	}
}

func mustTest(t *testing.T, p *models.Project, w models.Warehouse) *models.Result {
	t.Helper()
	res, err := p.Test(t.Context(), w, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestUpstreamSources: the landed tables a relation reads, through every
// model it refs.
func TestUpstreamSources(t *testing.T) {
	files := mapFS(map[string]string{
		"staging/leads.sql":    "SELECT * FROM {{ source \"zoho_crm\" \"Leads\" }}",
		"staging/accounts.sql": "SELECT * FROM {{ source \"salesforce\" \"account\" }}",
		"core/leads.sql":       "SELECT * FROM {{ ref \"staging.leads\" }} UNION ALL SELECT * FROM {{ source \"salesforce\" \"lead\" }}",
		"syncs/out.sql":        "SELECT * FROM {{ ref \"core.leads\" }}",
		"syncs/other.sql":      "SELECT * FROM {{ ref \"staging.accounts\" }}",
	})
	p, err := models.Load(files, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{
		"syncs.out":     "salesforce.lead zoho_crm.leads",
		"other":         "salesforce.account",
		"syncs.nope":    "",
		"core.leads":    "salesforce.lead zoho_crm.leads",
		"staging.leads": "zoho_crm.leads",
	} {
		if got := strings.Join(p.UpstreamSources(rel), " "); got != want {
			t.Errorf("UpstreamSources(%s) = %q, want %q", rel, got, want)
		}
	}
}
