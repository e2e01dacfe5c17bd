//go:build duckdb_arrow

package models_test

import (
	"strings"
	"testing"

	"github.com/revops/revops/models"
)

// brokenProject has one sound chain (core.a -> metrics.ind) beside models
// broken in every way a file can be: a bad ref, a bad header, a template
// syntax error, a dependency cycle, a duplicate definition, a bad seed,
// plus dependents of each, broken tests and a file that is no model.
func brokenProject(t *testing.T) *models.Project {
	t.Helper()
	user := t.TempDir()
	writeFiles(t, user, map[string]string{
		"core/dup.sql": "SELECT 2 AS id",
	})
	other := t.TempDir()
	writeFiles(t, other, map[string]string{
		"core/dup.sql": "SELECT 3 AS id",
	})
	shipped := mapFS(map[string]string{
		"core/a.sql":          "-- test: unique id\n-- test: relationships id -> core.nope.id\nSELECT 1 AS id",
		"metrics/ind.sql":     "-- test: not_null id\nSELECT id + 1 AS id FROM {{ ref \"a\" }}",
		"core/badref.sql":     "-- config: materialized=table\n-- test: not_null id\nSELECT id\nFROM {{ ref \"a\" }} JOIN {{ ref \"core.nope\" }} USING (id)",
		"core/child.sql":      "SELECT * FROM {{ ref \"badref\" }}",
		"metrics/grand.sql":   "SELECT * FROM {{ ref \"child\" }}",
		"core/badheader.sql":  "-- config: materialised=table\nSELECT 1 AS id",
		"core/usesheader.sql": "SELECT * FROM {{ ref \"badheader\" }}",
		"core/badtmpl.sql":    "SELECT 1 AS id\nFROM {{ ref \"a\" }",
		"core/cyc1.sql":       "SELECT * FROM {{ ref \"cyc2\" }}",
		"core/cyc2.sql":       "SELECT *\nFROM {{ ref \"cyc1\" }}",
		"core/usescyc.sql":    "SELECT * FROM {{ ref \"cyc1\" }}",
		"core/usesdup.sql":    "SELECT * FROM {{ ref \"dup\" }}",
		"core/usesseed.sql":   "SELECT * FROM {{ ref \"seeds.bad\" }}",
		"tests/ok.sql":        "SELECT * FROM {{ ref \"ind\" }} WHERE id IS NULL",
		"tests/badref.sql":    "SELECT * FROM {{ ref \"nothing\" }}",
		"loose.sql":           "SELECT 1",
	})
	seeds := mapFS(map[string]string{"seeds/bad.csv": "a,b\n1\n"})
	p, err := models.Load(shipped, seeds, []string{user, other}, nil)
	if err != nil {
		t.Fatalf("one broken file stopped the whole project: %v", err)
	}
	return p
}

// TestBrokenModelsStayWithTheirFile: a model with a bad ref (or header,
// template, cycle, duplicate, seed) is reported as that model's error;
// everything that does not depend on it still plans, compiles, builds
// and tests, and its dependents are skipped naming it.
func TestBrokenModelsStayWithTheirFile(t *testing.T) {
	p := brokenProject(t)
	wantBroken := map[string]string{
		"core.badref":    "sql/core/badref.sql:4: ref \"core.nope\": no model core.nope",
		"core.badheader": "sql/core/badheader.sql:1: config: unknown key \"materialised\"",
		"core.badtmpl":   "sql/core/badtmpl.sql:2: template: unexpected \"}\" in operand",
		"core.cyc1":      "sql/core/cyc1.sql:1: dependency cycle: core.cyc1 (sql/core/cyc1.sql:1) refs core.cyc2; core.cyc2 (sql/core/cyc2.sql:2) refs core.cyc1",
		"core.cyc2":      "sql/core/cyc2.sql:2: dependency cycle: core.cyc1 (sql/core/cyc1.sql:1) refs core.cyc2",
		"core.dup":       "core/dup.sql: core.dup is also defined in ",
		"seeds.bad":      "configs/seeds/bad.csv:2: seed: wrong number of fields",
	}
	for _, m := range p.Models() {
		want, broken := wantBroken[m.Relation]
		switch {
		case broken && !strings.Contains(m.Error, want):
			t.Errorf("%s: error %q, want it to contain %q", m.Relation, m.Error, want)
		case !broken && m.Error != "":
			t.Errorf("%s is broken although its file is sound: %s", m.Relation, m.Error)
		}
	}
	if n := len(p.Models()); n != 15 {
		t.Errorf("%d models in the project, want all 15 (broken ones included)", n)
	}
	var problems []string
	for _, e := range p.Problems() {
		problems = append(problems, e.Error())
	}
	all := strings.Join(problems, "\n")
	for _, want := range []string{"sql/loose.sql: a model must sit in a folder",
		"sql/tests/badref.sql:1: ref \"nothing\": no model named nothing",
		"sql/core/a.sql:2: test: relationships: no model core.nope"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if len(problems) != len(wantBroken)+3 {
		t.Errorf("%d problems, want %d:\n%s", len(problems), len(wantBroken)+3, all)
	}

	// compile: the sound ones render, a broken one says why.
	if sql, err := p.CompileFor("metrics.ind", nil); err != nil || !strings.Contains(sql, "core.a") {
		t.Errorf("compile metrics.ind = %q, %v", sql, err)
	}
	if sql, err := p.CompileFor("core.child", nil); err != nil || !strings.Contains(sql, "core.badref") {
		t.Errorf("compile core.child = %q, %v", sql, err)
	}
	if _, err := p.CompileFor("core.badref", nil); err == nil || !strings.Contains(err.Error(), wantBroken["core.badref"]) {
		t.Errorf("compile core.badref: %v", err)
	}
	if _, err := p.CompileFor("tests.badref", nil); err == nil || !strings.Contains(err.Error(), "sql/tests/badref.sql:1") {
		t.Errorf("compile tests.badref: %v", err)
	}
	plan := p.Plan()
	for _, want := range []string{"core.badref [table] sql/core/badref.sql <- core.a\n   error: sql/core/badref.sql:4:",
		"core.child [table] sql/core/child.sql <- core.badref\n", "error: sql/loose.sql"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}

	w := openWH(t)
	res := build(t, p, w, models.Options{})
	want := map[string]string{
		"core.a": "success", "metrics.ind": "success",
		"core.badref": "failed", "core.child": "skipped: core.badref failed", "metrics.grand": "skipped: core.child was skipped",
		"core.badheader": "failed", "core.usesheader": "skipped: core.badheader failed",
		"core.badtmpl": "failed",
		"core.cyc1":    "failed", "core.cyc2": "failed", "core.usescyc": "skipped: core.cyc1 failed",
		"core.dup": "failed", "core.usesdup": "skipped: core.dup failed",
		"seeds.bad": "failed", "core.usesseed": "skipped: seeds.bad failed",
	}
	for _, m := range res.Models {
		got := m.Status
		if m.Reason != "" {
			got += ": " + m.Reason
		}
		if w, ok := want[m.Model]; ok && got != w {
			t.Errorf("%s: %s, want %s", m.Model, got, w)
		}
		if b, ok := wantBroken[m.Model]; ok && !strings.Contains(m.Error, b) {
			t.Errorf("%s: error %q does not name its file and line (%s)", m.Model, m.Error, b)
		}
	}
	if got := rows(t, w, "SELECT id FROM metrics.ind"); got != "2" {
		t.Errorf("metrics.ind = %s", got)
	}
	tests := map[string]string{}
	for _, tr := range res.Tests {
		tests[tr.Test] = tr.Status + " " + tr.Reason + tr.Error
	}
	for name, want := range map[string]string{
		"unique(core.a.id)":                        "pass ",
		"not_null(metrics.ind.id)":                 "pass ",
		"tests.ok":                                 "pass ",
		"not_null(core.badref.id)":                 "skipped core.badref failed",
		"relationships(core.a.id -> core.nope.id)": "error sql/core/a.sql:2: test: relationships: no model core.nope",
		"tests.badref":                             "error sql/tests/badref.sql:1: ref \"nothing\"",
	} {
		if got := tests[name]; !strings.HasPrefix(got, want) {
			t.Errorf("test %s: %q, want %q", name, got, want)
		}
	}
	if !res.Failed() || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "sql/loose.sql") {
		t.Errorf("Failed() = %v, problems %q", res.Failed(), res.Problems)
	}

	// A selection that does not reach a broken model builds cleanly.
	sel := build(t, p, w, models.Options{Select: []string{"+metrics.ind"}})
	if got := statuses(sel); got != "core.a=success\nmetrics.ind=success\nunique(core.a.id)=pass\nrelationships(core.a.id -> core.nope.id)=error\nnot_null(metrics.ind.id)=pass\ntests.ok=pass" {
		t.Errorf("build --select +metrics.ind:\n%s", got)
	}

	// revops test: the sound models' tests run; a broken model is reported.
	tres, err := p.Test(t.Context(), w, models.Options{Select: []string{"core.a", "metrics.ind", "core.badref"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(tres); got != "core.badref=failed\nunique(core.a.id)=pass\nrelationships(core.a.id -> core.nope.id)=error\nnot_null(core.badref.id)=skipped\nnot_null(metrics.ind.id)=pass\ntests.ok=pass" {
		t.Errorf("test:\n%s", got)
	}
}
