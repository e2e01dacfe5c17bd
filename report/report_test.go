package report_test

import (
	"bytes"
	"encoding/json"
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/load/duckdb"
	"github.com/revops/revops/report"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/link"
)

func openWarehouse(t *testing.T) *duckdb.Warehouse {
	t.Helper()
	w, err := duckdb.Open(t.Context(), duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func exec(t *testing.T, w *duckdb.Warehouse, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := w.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

var now = time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)

// dataIsland reads the report data a page embeds.
func dataIsland(t *testing.T, page string) *report.Report {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="revops-report-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no revops-report-data element")
	}
	var r report.Report
	if err := json.Unmarshal([]byte(m[1]), &r); err != nil {
		t.Fatalf("report data: %v", err)
	}
	return &r
}

func render(t *testing.T, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestEmptyWarehouse: a report asked for before anything ran is a page
// whose every chart says there is no data yet, and whose figures are
// blank; nothing fails.
func TestEmptyWarehouse(t *testing.T) {
	w := openWarehouse(t)
	r, err := report.Collect(t.Context(), w, report.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			n++
			if c.Empty != report.NoData {
				t.Errorf("chart %s: empty = %q, want %q", c.ID, c.Empty, report.NoData)
			}
			if c.Error != "" {
				t.Errorf("chart %s: error %s", c.ID, c.Error)
			}
		}
	}
	if n < 12 {
		t.Errorf("%d charts, want every chart listed even without data", n)
	}
	for _, k := range r.KPIs {
		if k.Value != nil && k.ID != "failing" {
			t.Errorf("figure %s = %v on an empty warehouse", k.ID, *k.Value)
		}
	}
	page := render(t, r)
	if got := strings.Count(page, `data-empty="`); got != n {
		t.Errorf("%d charts say they have no data, want every chart (%d)", got, n)
	}
	if got := len(regexp.MustCompile(`data-empty="[a-z_]+">`+report.NoData).FindAllString(page, -1)); got != n {
		t.Errorf("the page says %q %d times, want once per chart (%d)", report.NoData, got, n)
	}
	if strings.Contains(page, `data-chart="`) {
		t.Error("the empty page has chart elements to draw")
	}
	if c := r.Chart("win_rate"); len(c.Missing) != 1 || c.Missing[0] != "metrics.win_rate" {
		t.Errorf("win_rate missing %v, want [metrics.win_rate]", c.Missing)
	}
}

// partialWarehouse holds some models (with known rows), one model whose
// columns are not what the report reads, and the sync and link state.
func partialWarehouse(t *testing.T) *duckdb.Warehouse {
	w := openWarehouse(t)
	ctx := t.Context()
	if err := revsync.EnsureState(ctx, w); err != nil {
		t.Fatal(err)
	}
	if err := link.EnsureState(ctx, w); err != nil {
		t.Fatal(err)
	}
	exec(t, w,
		`CREATE SCHEMA metrics`,
		`CREATE TABLE metrics.lead_volume_daily (created_date DATE, source_system VARCHAR, lead_source VARCHAR, leads_created BIGINT, leads_open BIGINT, leads_converted BIGINT)`,
		`INSERT INTO metrics.lead_volume_daily VALUES
			('2026-01-05', 'salesforce', 'web', 3, 1, 0), ('2026-01-20', 'salesforce', 'web', 2, 0, 1),
			('2026-01-07', 'zoho_crm', 'trade_show', 4, 4, 0), ('2026-03-02', 'zoho_crm', 'web', 1, 1, 0),
			(NULL, 'zoho_crm', 'web', 9, 0, 0)`,
		`CREATE TABLE metrics.win_rate (close_month DATE, source_system VARCHAR, deals_won BIGINT, deals_lost BIGINT, deals_closed BIGINT, win_rate DOUBLE)`,
		`INSERT INTO metrics.win_rate VALUES
			('2025-10-01', 'salesforce', 1, 1, 2, 0.5), ('2025-11-01', 'salesforce', 2, 0, 2, 1.0),
			('2026-02-01', 'salesforce', 0, 4, 4, 0.0), ('2026-01-01', 'zoho_crm', 3, 1, 4, 0.75)`,
		// A model whose columns changed under the report: its chart fails alone.
		`CREATE TABLE metrics.pipeline_by_stage (stage VARCHAR, amount DOUBLE)`,
		`INSERT INTO _revops.sync_runs (id, sync, kind, started_at, finished_at, status, succeeded, failed, api_calls) VALUES
			('r1', 'leads_to_sf', 'run', '2026-04-01 09:00:00+00', '2026-04-01 09:00:05+00', 'succeeded', 120, 0, 3),
			('r2', 'leads_to_sf', 'run', '2026-04-02 09:00:00+00', '2026-04-02 09:00:05+00', 'partial', 10, 4, 2),
			('r3', 'enrich_zoho', 'run', '2026-04-02 09:01:00+00', '2026-04-02 09:01:02+00', 'failed', 0, 7, 1)`,
		`INSERT INTO _revops.link_runs (id, link, kind, started_at, status, created, updated, failed, api_calls, sides) VALUES
			('l1', 'leads', 'run', '2026-04-02 09:02:00+00', 'succeeded', 0, 5, 1, 4,
			 '[{"source":"zoho_crm","object":"Leads","api_calls":3},{"source":"salesforce","object":"Lead","api_calls":1}]')`,
	)
	return w
}

// TestMissingModelsShowTheRest: the charts whose models exist are drawn
// with their numbers; the others say what is missing; a model that
// cannot be read fails only its own chart.
func TestMissingModelsShowTheRest(t *testing.T) {
	w := partialWarehouse(t)
	r, err := report.Collect(t.Context(), w, report.Options{Now: now,
		SyncSources: map[string]string{"leads_to_sf": "salesforce"}, DailyLimits: map[string]int64{"salesforce": 15000}})
	if err != nil {
		t.Fatal(err)
	}
	ls := r.Chart("leads_by_source")
	if ls.Empty != "" {
		t.Fatalf("leads_by_source: %s", ls.Empty)
	}
	if got, want := strings.Join(ls.Categories, ","), "2026-01,2026-02,2026-03"; got != want {
		t.Errorf("leads_by_source months %s, want %s (February filled in)", got, want)
	}
	lsys := r.Chart("leads_by_system")
	if got := strings.Join(lsys.Series, ","); got != "salesforce,zoho_crm" {
		t.Errorf("leads_by_system series %s, want systems in order", got)
	}
	winRate := r.Chart("win_rate")
	for _, tc := range []struct {
		chart     *report.Chart
		cat, ser  string
		want      float64
		wantFound bool
	}{
		{ls, "2026-01", "web", 5, true},
		{ls, "2026-01", "trade_show", 4, true},
		{ls, "2026-02", "web", 0, true}, // a month without leads is 0
		{ls, "2026-03", "web", 1, true},
		{lsys, "2026-01", "zoho_crm", 4, true},
		{winRate, "2025 Q4", "salesforce", 75, true}, // (1+2)/(2+2), not the mean of the months
		{winRate, "2026 Q1", "salesforce", 0, true},
		{winRate, "2026 Q1", "zoho_crm", 75, true},
		{winRate, "2025 Q4", "zoho_crm", 0, false}, // no closed deal: no rate
	} {
		got, ok := tc.chart.Value(tc.cat, tc.ser)
		if ok != tc.wantFound || got != tc.want {
			t.Errorf("%s[%s, %s] = %v (found %v), want %v (found %v)", tc.chart.ID, tc.cat, tc.ser, got, ok, tc.want, tc.wantFound)
		}
	}
	if p := r.Chart("pipeline_by_stage"); p.Error == "" || !strings.HasPrefix(p.Empty, "could not read") {
		t.Errorf("pipeline_by_stage: error %q, empty %q: want the query's error", p.Error, p.Empty)
	}
	if probs := r.Problems(); len(probs) != 1 || !strings.HasPrefix(probs[0], "pipeline_by_stage: ") {
		t.Errorf("problems %v, want only pipeline_by_stage", probs)
	}
	for _, id := range []string{"deal_velocity", "ticket_volume", "ticket_times", "golden_records", "entities"} {
		if c := r.Chart(id); c.Empty != report.NoData || len(c.Missing) == 0 {
			t.Errorf("%s: empty %q, missing %v: want no data and the missing relation named", id, c.Empty, c.Missing)
		}
	}
	rows := r.Chart("sync_link_rows")
	if got := len(rows.Categories); got != 4 {
		t.Fatalf("sync_link_rows: %d runs, want 4: %v", got, rows.Categories)
	}
	if !strings.HasPrefix(rows.Categories[0], "04-01 09:00:00  sync leads_to_sf") || !strings.HasSuffix(rows.Categories[3], "  link leads") {
		t.Errorf("runs not oldest first: %q", rows.Categories)
	}
	if v, _ := rows.Value(rows.Categories[2], "failed"); v != 7 {
		t.Errorf("enrich_zoho failed %v, want 7", v)
	}
	if v, _ := rows.Value(rows.Categories[3], "written"); v != 5 {
		t.Errorf("link written %v, want 5", v)
	}
	api := r.Chart("api_calls")
	for _, tc := range []struct {
		day, src string
		want     float64
	}{
		{"2026-04-01", "salesforce", 3},
		{"2026-04-02", "salesforce", 2 + 1}, // the sync's 2 and the link's Salesforce side
		{"2026-04-02", "zoho_crm", 3},
		{"2026-04-02", "sync enrich_zoho", 1}, // a sync the config does not name
		{"2026-04-01", "zoho_crm", 0},
	} {
		if got, _ := api.Value(tc.day, tc.src); got != tc.want {
			t.Errorf("api_calls[%s, %s] = %v, want %v", tc.day, tc.src, got, tc.want)
		}
	}
	if len(api.Limits) != 1 || api.Limits[0].Value != 15000 {
		t.Errorf("limits %+v, want salesforce's 15000", api.Limits)
	}
	if !strings.Contains(api.Note, "not known for zoho_crm") {
		t.Errorf("api note %q should say zoho_crm's limit is not known", api.Note)
	}
	if c := r.Chart("conflicts"); !strings.HasPrefix(c.Empty, "no conflicts: the links ran 1 times") {
		t.Errorf("conflicts: %q", c.Empty)
	}
	if k := r.KPI("win_rate"); k.Value == nil || *k.Value != 50 {
		t.Errorf("win rate figure %v, want 50 (6 of 12)", k.Value)
	}
	if k := r.KPI("leads"); k.Value == nil || *k.Value != 19 {
		t.Errorf("leads figure %v, want 19", k.Value)
	}
	if len(r.Failures) != 2 || r.Failures[0].Target != "enrich_zoho" {
		t.Errorf("failures %+v, want enrich_zoho then the partial leads_to_sf run", r.Failures)
	}

	page := render(t, r)
	back := dataIsland(t, page)
	if v, _ := back.Chart("win_rate").Value("2025 Q4", "salesforce"); v != 75 {
		t.Errorf("the page's data has win rate %v, want 75", v)
	}
	if !strings.Contains(page, "not in the warehouse: metrics.deal_stage_velocity") {
		t.Error("the page does not name the missing model")
	}
	if !strings.Contains(page, `id="problems"`) {
		t.Error("the page does not list the chart that could not be read")
	}
}

// TestRenderEscapesData: text from the warehouse (a lead source, a sync
// name) cannot break out of the page's markup or scripts.
func TestRenderEscapesData(t *testing.T) {
	evil := `</script><script>alert(1)</script><b>x`
	v := 2.0
	r := &report.Report{Title: "t", GeneratedAt: now, Sections: []report.Section{{ID: "s", Title: "S", Charts: []*report.Chart{{
		ID: "c", Title: evil, Description: evil, Kind: "stacked", Unit: "leads",
		Categories: []string{evil}, Series: []string{evil}, Values: [][]*float64{{&v}},
	}}}}, Failures: []report.Failure{{Stage: "sync", Target: evil, Status: "failed", Error: evil}}}
	page := render(t, r)
	if strings.Contains(page, "<script>alert(1)") || strings.Contains(page, "<b>x") {
		t.Fatal("warehouse text reached the page unescaped")
	}
	if !strings.Contains(page, html.EscapeString(evil)) {
		t.Error("the title is not on the page, escaped")
	}
	if got := dataIsland(t, page).Chart("c").Series[0]; got != evil {
		t.Errorf("series name came back as %q", got)
	}
	// One script element per chart option, the data, ECharts and ours.
	if n := strings.Count(page, "<script"); n != 4 {
		t.Errorf("%d script elements, want 4", n)
	}
}

// TestChartOptions: each drawn chart's ECharts options (JSON in the page)
// hold its series in order with one value per category, "-" where there
// is none; percents run 0..100, counts tick at whole numbers, and a known
// daily API limit is a line.
func TestChartOptions(t *testing.T) {
	w := partialWarehouse(t)
	r, err := report.Collect(t.Context(), w, report.Options{Now: now,
		SyncSources: map[string]string{"leads_to_sf": "salesforce"}, DailyLimits: map[string]int64{"salesforce": 15000}})
	if err != nil {
		t.Fatal(err)
	}
	page := render(t, r)
	type axis struct {
		Type        string   `json:"type"`
		Max         any      `json:"max"`
		MinInterval float64  `json:"minInterval"`
		Data        []string `json:"data"`
	}
	type option struct {
		Series []struct {
			Name     string                `json:"name"`
			Type     string                `json:"type"`
			Stack    string                `json:"stack"`
			Data     []struct{ Value any } `json:"data"`
			MarkLine struct {
				Data []struct {
					Name  string  `json:"name"`
					YAxis float64 `json:"yAxis"`
				} `json:"data"`
			} `json:"markLine"`
		} `json:"series"`
		XAxis []axis `json:"xAxis"`
		YAxis []axis `json:"yAxis"`
	}
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			m := regexp.MustCompile(`(?s)<script type="application/json" id="option-` + c.ID + `">(.*?)</script>`).FindStringSubmatch(page)
			if c.Empty != "" {
				if m != nil {
					t.Errorf("%s: options on the page for a chart without data", c.ID)
				}
				continue
			}
			if m == nil {
				t.Fatalf("%s: no options on the page", c.ID)
			}
			var o option
			if err := json.Unmarshal([]byte(m[1]), &o); err != nil {
				t.Fatalf("%s: options: %v", c.ID, err)
			}
			if len(o.Series) != len(c.Series) {
				t.Fatalf("%s: %d series, want %d", c.ID, len(o.Series), len(c.Series))
			}
			cat, val := o.XAxis[0], o.YAxis[0]
			if c.Kind == "hbar" {
				cat, val = val, cat
			}
			if strings.Join(cat.Data, "|") != strings.Join(c.Categories, "|") {
				t.Errorf("%s: categories %v, want %v", c.ID, cat.Data, c.Categories)
			}
			for i, se := range o.Series {
				if se.Name != c.Series[i] || len(se.Data) != len(c.Categories) {
					t.Errorf("%s: series %d is %q with %d values, want %q with %d", c.ID, i, se.Name, len(se.Data), c.Series[i], len(c.Categories))
					continue
				}
				for j, d := range se.Data {
					want := any("-")
					if v := c.Values[i][j]; v != nil {
						want = *v
					}
					if d.Value != want {
						t.Errorf("%s: %s[%s] = %v, want %v", c.ID, se.Name, c.Categories[j], d.Value, want)
					}
				}
				if stacked := c.Kind == "stacked" || c.Kind == "hbar"; stacked != (se.Stack != "") {
					t.Errorf("%s: series %s stack %q", c.ID, se.Name, se.Stack)
				}
			}
			switch c.Unit {
			case "percent":
				if val.Max != float64(100) {
					t.Errorf("%s: percent axis max %v, want 100", c.ID, val.Max)
				}
			case "leads", "rows", "calls", "runs":
				if val.MinInterval != 1 {
					t.Errorf("%s: counts axis minInterval %v, want 1", c.ID, val.MinInterval)
				}
			}
			if c.ID == "api_calls" {
				ml := o.Series[0].MarkLine.Data
				if len(ml) != 1 || ml[0].YAxis != 15000 || ml[0].Name != "salesforce daily limit" {
					t.Errorf("api_calls: limit line %+v, want salesforce's 15000", ml)
				}
			}
		}
	}
}
