package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/report"
	"github.com/revops/revops/report/reporttest"
)

// pageData reads the report data a page embeds.
func pageData(t *testing.T, path string) (*report.Report, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<script type="application/json" id="revops-report-data">(.*?)</script>`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no report data", path)
	}
	var r report.Report
	if err := json.Unmarshal(m[1], &r); err != nil {
		t.Fatalf("report data: %v", err)
	}
	return &r, string(b)
}

func f64(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case string:
		var f float64
		fmt.Sscanf(n, "%g", &f)
		return f
	}
	return math.NaN()
}

// sameCells checks that a chart holds exactly the cells an independent
// query computes (x, s, v), within rounding; cells the query does not
// return must be empty or 0.
func sameCells(t *testing.T, c *report.Chart, rows []map[string]any) {
	t.Helper()
	if c == nil || c.Empty != "" {
		t.Fatalf("chart %v has no data: %+v", c, c)
	}
	want := map[[2]string]float64{}
	for _, r := range rows {
		want[[2]string{fmt.Sprint(r["x"]), fmt.Sprint(r["s"])}] += f64(r["v"])
	}
	if len(want) == 0 {
		t.Fatalf("chart %s: the independent query returned nothing", c.ID)
	}
	for k, v := range want {
		got, ok := c.Value(k[0], k[1])
		if !ok || math.Abs(got-v) > 1e-6*math.Max(1, math.Abs(v)) {
			t.Errorf("chart %s [%s, %s] = %v (found %v), SQL on core says %v", c.ID, k[0], k[1], got, ok, v)
		}
	}
	for si, s := range c.Series {
		for ci, x := range c.Categories {
			if v := c.Values[si][ci]; v != nil && *v != 0 {
				if _, ok := want[[2]string{x, s}]; !ok {
					t.Errorf("chart %s [%s, %s] = %v, which the independent query does not have", c.ID, x, s, *v)
				}
			}
		}
	}
}

// TestReportOfASandboxRun: after `revops run` on the sandbox, `revops
// report` writes a page whose numbers equal SQL computed independently on
// the warehouse (from core and identity, not from the metrics the report
// reads); in headless Chromium the page logs no error, makes no request,
// draws every chart, and its screenshot is a drawn page. A warehouse that
// then loses some models still gets a page: those charts say so.
func TestReportOfASandboxRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "200", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	if code, out, errOut := revops(t, env, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	out := filepath.Join(dir, "report.html")
	code, stdout, errOut := revops(t, nil, "report", "-c", cfg, "--out", out)
	if code != 0 || !strings.Contains(stdout, "wrote "+out) {
		t.Fatalf("report: exit %d\n%s%s", code, stdout, errOut)
	}
	r, page := pageData(t, out)
	if strings.Contains(page, "src=\"http") || strings.Contains(page, "href=\"http") {
		t.Error("the page links an external resource")
	}
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			if c.Empty != "" && c.ID != "conflicts" {
				t.Errorf("chart %s has no data after a run: %s", c.ID, c.Empty)
			}
		}
	}

	q := func(sql string) []map[string]any { return queryRows(t, cfg, sql) }
	sameCells(t, r.Chart("leads_by_source"), q(`SELECT strftime(created_date, '%Y-%m') AS x, coalesce(lead_source, 'unknown') AS s, count(*) AS v
		FROM core.leads WHERE created_date IS NOT NULL GROUP BY 1, 2`))
	sameCells(t, r.Chart("leads_by_system"), q(`SELECT strftime(created_date, '%Y-%m') AS x, source_system AS s, count(*) AS v
		FROM core.leads WHERE created_date IS NOT NULL GROUP BY 1, 2
		UNION ALL
		SELECT strftime(min(created_date), '%Y-%m'), 'people (each once)', 1
		FROM core.leads GROUP BY coalesce(person_id, lead_id) HAVING min(created_date) IS NOT NULL`))
	sameCells(t, r.Chart("pipeline_by_stage"), q(`SELECT st.stage_label AS x, d.source_system AS s, sum(coalesce(d.amount, 0)) AS v
		FROM core.deals AS d JOIN seeds.deal_stages AS st ON st.stage = d.stage WHERE NOT d.is_closed GROUP BY 1, 2`))
	sameCells(t, r.Chart("win_rate"), q(`SELECT CAST(year(close_date) AS VARCHAR) || ' Q' || CAST(quarter(close_date) AS VARCHAR) AS x,
		source_system AS s, 100.0 * sum(CASE WHEN is_won THEN 1 ELSE 0 END) / count(*) AS v
		FROM core.deals WHERE is_closed AND close_date IS NOT NULL GROUP BY 1, 2
		UNION ALL
		SELECT CAST(year(close_date) AS VARCHAR) || ' Q' || CAST(quarter(close_date) AS VARCHAR), 'each deal once',
			100.0 * sum(CASE WHEN is_won THEN 1 ELSE 0 END) / count(*)
		FROM (SELECT *, row_number() OVER (PARTITION BY coalesce(unique_deal_id, deal_id) ORDER BY updated_at DESC NULLS LAST, deal_id) AS nth
			FROM core.deals) AS d
		WHERE nth = 1 AND is_closed AND close_date IS NOT NULL GROUP BY 1`))
	sameCells(t, r.Chart("deal_velocity"), q(`SELECT st.stage_label AS x, h.source_system AS s, median(h.days_in_stage) AS v
		FROM core.deal_stage_history AS h JOIN seeds.deal_stages AS st ON st.stage = h.stage
		GROUP BY 1, 2 HAVING count(h.exited_at) > 0`))
	sameCells(t, r.Chart("ticket_volume"), q(`SELECT strftime(created_date, '%Y-%m') AS x, 'opened' AS s, count(*) AS v
		FROM core.tickets WHERE created_date IS NOT NULL GROUP BY 1
		UNION ALL
		SELECT strftime(closed_at, '%Y-%m'), 'closed', count(*) FROM core.tickets WHERE closed_at IS NOT NULL GROUP BY 1`))
	sameCells(t, r.Chart("ticket_times"), q(`SELECT priority AS x, source_system || ' · first response' AS s, median(first_response_hours) AS v
		FROM core.tickets GROUP BY 1, 2 HAVING count(first_response_hours) > 0
		UNION ALL
		SELECT priority, source_system || ' · resolution', median(resolution_hours)
		FROM core.tickets GROUP BY 1, 2 HAVING count(resolution_hours) > 0`))
	// Golden records from the crosswalk: how many systems each golden id's records are in.
	sameCells(t, r.Chart("golden_records"), q(`SELECT CASE WHEN n = 1 THEN '1 system' ELSE CAST(n AS VARCHAR) || ' systems' END AS x,
		CASE entity WHEN 'person' THEN 'people' ELSE 'companies' END AS s, count(*) AS v
		FROM (SELECT entity, golden_id, count(DISTINCT system) AS n FROM identity.crosswalk GROUP BY 1, 2) GROUP BY 1, 2`))
	// Pipeline health from the run history itself.
	sameCells(t, r.Chart("stage_runs"), q(`SELECT stage AS x, status AS s, count(*) AS v FROM _revops.runs GROUP BY 1, 2
		UNION ALL SELECT 'sync', status, count(*) FROM _revops.sync_runs
			WHERE NOT EXISTS (SELECT 1 FROM _revops.runs WHERE stage = 'sync') GROUP BY 2
		UNION ALL SELECT 'link', status, count(*) FROM _revops.link_runs
			WHERE NOT EXISTS (SELECT 1 FROM _revops.runs WHERE stage = 'link') GROUP BY 2`))
	total := func(c *report.Chart, series string) float64 {
		sum := 0.0
		for _, x := range c.Categories {
			v, _ := c.Value(x, series)
			sum += v
		}
		return sum
	}
	rows := r.Chart("sync_link_rows")
	wantRows := q(`SELECT (SELECT sum(succeeded) FROM _revops.sync_runs) + (SELECT sum(created + updated) FROM _revops.link_runs) AS written,
		(SELECT sum(failed) FROM _revops.sync_runs) + (SELECT sum(failed) FROM _revops.link_runs) AS failed,
		(SELECT count(*) FROM _revops.sync_runs) + (SELECT count(*) FROM _revops.link_runs) AS runs`)[0]
	if got := total(rows, "written"); got != f64(wantRows["written"]) || got == 0 {
		t.Errorf("rows written %v, the run history says %v", got, wantRows["written"])
	}
	if got := total(rows, "failed"); got != f64(wantRows["failed"]) {
		t.Errorf("rows failed %v, the run history says %v", got, wantRows["failed"])
	}
	if got := float64(len(rows.Categories)); got != f64(wantRows["runs"]) {
		t.Errorf("%v runs charted, the run history has %v", got, wantRows["runs"])
	}
	api := r.Chart("api_calls")
	calls := 0.0
	for _, s := range api.Series {
		calls += total(api, s)
	}
	// Extract runs record their calls too (in _revops.runs, since runs
	// record a run id across stages).
	wantCalls := f64(q(`SELECT (SELECT sum(api_calls) FROM _revops.sync_runs) + (SELECT sum(api_calls) FROM _revops.link_runs)
		+ (SELECT coalesce(sum(api_calls), 0) FROM _revops.runs WHERE stage = 'extract' AND api_calls > 0) AS n`)[0]["n"])
	if calls != wantCalls || calls == 0 {
		t.Errorf("API calls charted %v, the run history says %v", calls, wantCalls)
	}
	for _, s := range api.Series {
		if strings.HasPrefix(s, "sync ") || strings.HasPrefix(s, "link ") {
			t.Errorf("API calls under %q: every sync and link of the sandbox writes to a configured source", s)
		}
	}
	for id, sql := range map[string]string{
		"persons":      `SELECT count(DISTINCT golden_id) AS n FROM identity.crosswalk WHERE entity = 'person'`,
		"companies":    `SELECT count(DISTINCT golden_id) AS n FROM identity.crosswalk WHERE entity = 'company'`,
		"review_queue": `SELECT count(*) AS n FROM identity.review`,
		"leads":        `SELECT count(*) AS n FROM core.leads`,
		"open_tickets": `SELECT count(*) AS n FROM core.tickets WHERE NOT is_closed`,
	} {
		k := r.KPI(id)
		if want := f64(q(sql)[0]["n"]); k == nil || k.Value == nil || *k.Value != want {
			t.Errorf("figure %s = %v, SQL says %v", id, k, want)
		}
	}

	if bin := reporttest.Browser(); bin == "" {
		t.Log("no Chromium binary: the page was not opened in a browser (run `make chromium`)")
	} else {
		p, err := reporttest.Open(t.Context(), bin, out, 1400, 60*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Console) > 0 {
			t.Errorf("console errors:\n%s", strings.Join(p.Console, "\n"))
		}
		if len(p.Requests) > 0 {
			t.Errorf("the page made requests: %v", p.Requests)
		}
		drawn := map[string]bool{}
		for _, c := range p.Charts {
			drawn[c.ID] = c.Rendered && c.Shapes >= 10
			if !drawn[c.ID] {
				t.Errorf("chart %s not drawn: %+v", c.ID, c)
			}
		}
		for _, s := range r.Sections {
			for _, c := range s.Charts {
				if c.Empty == "" && !drawn[c.ID] {
					t.Errorf("chart %s has data but is not on the page", c.ID)
				}
			}
		}
		shot := filepath.Join(t.TempDir(), "report.png")
		if keep := os.Getenv("REVOPS_REPORT_SCREENSHOT"); keep != "" {
			shot = keep
		}
		if err := os.WriteFile(shot, p.Screenshot, 0o644); err != nil {
			t.Fatal(err)
		}
		colors, dominant, w, h, err := reporttest.Colors(p.Screenshot)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s: %dx%d, %d colours, the commonest covers %.0f%%", shot, w, h, colors, 100*dominant)
		if colors < 200 || dominant > 0.85 || h < 2000 {
			t.Errorf("the screenshot looks blank: %dx%d, %d colours, commonest %.0f%%", w, h, colors, 100*dominant)
		}
	}

	// A warehouse that lost some models: the rest is still drawn.
	for _, rel := range []string{"metrics.win_rate", "metrics.win_rate_unique", "identity.persons"} {
		if code, _, errOut := revops(t, nil, "query", "-c", cfg, "DROP TABLE "+rel+" CASCADE"); code != 0 {
			t.Fatalf("drop %s: %s", rel, errOut)
		}
	}
	if code, stdout, errOut := revops(t, nil, "report", "-c", cfg, "--out", out); code != 0 {
		t.Fatalf("report after dropping models: exit %d\n%s%s", code, stdout, errOut)
	}
	r2, page2 := pageData(t, out)
	if c := r2.Chart("win_rate"); c.Empty != report.NoData || strings.Join(c.Missing, ",") != "metrics.win_rate" {
		t.Errorf("win_rate without its model: empty %q, missing %v", c.Empty, c.Missing)
	}
	if c := r2.Chart("golden_records"); c.Empty != "" || len(c.Series) != 1 || c.Series[0] != "companies" {
		t.Errorf("golden_records without identity.persons: %q %v, want the companies alone", c.Empty, c.Series)
	}
	if c := r2.Chart("leads_by_source"); c.Empty != "" {
		t.Errorf("leads_by_source lost its data with other models: %s", c.Empty)
	}
	if k := r2.KPI("persons"); k.Value != nil {
		t.Errorf("people figure %v without identity.persons", *k.Value)
	}
	if !strings.Contains(page2, "not in the warehouse: metrics.win_rate") {
		t.Error("the page does not name the missing model")
	}
}

// TestReportBeforeAnyData: asked for before anything ran, report writes a
// page saying, chart by chart, that there is no data yet (and tells the
// user to run revops run); a directory that does not exist is an error
// naming the file.
func TestReportBeforeAnyData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	out := filepath.Join(dir, "report.html")
	code, stdout, errOut := revops(t, nil, "report", "-c", cfg, "--out", out)
	if code != 0 || !strings.Contains(stdout, "0 charts drawn") || !strings.Contains(stdout, "run `revops run`") {
		t.Fatalf("report: exit %d\n%s%s", code, stdout, errOut)
	}
	r, page := pageData(t, out)
	n := 0
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			n++
			if c.Empty != report.NoData {
				t.Errorf("chart %s: %q", c.ID, c.Empty)
			}
		}
	}
	if got := len(regexp.MustCompile(`data-empty="[a-z_]+">`+report.NoData).FindAllString(page, -1)); got != n || n == 0 {
		t.Errorf("%d of %d charts say %q", got, n, report.NoData)
	}
	code, stdout, _ = revops(t, nil, "report", "-c", cfg, "--out", out, "--json")
	var doc struct {
		OK      bool     `json:"ok"`
		Empty   []string `json:"charts_without_data"`
		Charts  []string `json:"charts"`
		Written int      `json:"bytes"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != 0 || !doc.OK || len(doc.Empty) != n || len(doc.Charts) != 0 || doc.Written < 100000 {
		t.Errorf("--json: exit %d %v %+v\n%s", code, err, doc, stdout)
	}
	bad := filepath.Join(dir, "no", "such", "dir", "report.html")
	code, _, errOut = revops(t, nil, "report", "-c", cfg, "--out", bad)
	if code != 1 || !strings.Contains(errOut, bad) {
		t.Errorf("--out into a missing directory: exit %d, %q: want 1 naming %s", code, errOut, bad)
	}
	if bin := reporttest.Browser(); bin != "" {
		p, err := reporttest.Open(t.Context(), bin, out, 1200, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Console) > 0 || len(p.Charts) != 0 || len(p.Empty) != n {
			t.Errorf("empty page in Chromium: console %v, %d charts drawn, %d empty (want %d)", p.Console, len(p.Charts), len(p.Empty), n)
		}
	}
}
