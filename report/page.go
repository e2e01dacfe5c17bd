package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

// EChartsVersion is the version of the ECharts build in assets/.
const EChartsVersion = "5.6.0"

// echartsJS is ECharts' common build (assets/README.md says where it comes
// from): written inline into every page, so a report needs no network.
//
//go:embed assets/echarts.common.min.js
var echartsJS string

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).Parse(pageTemplate))

// wide charts take the page's whole width: long time axes and run lists.
var wide = map[string]bool{"leads_by_source": true, "leads_by_system": true, "win_rate": true, "sync_link_rows": true, "api_calls": true}

type pageData struct {
	*Report
	Generated string
	KPIs      []kpiView
	Sections  []sectionView
	Failures  []failureView
	ECharts   template.JS
	Data      template.JS
	Version   string
	Problems  []string
}

type sectionView struct {
	ID, Title string
	Charts    []chartView
}

type chartView struct {
	*Chart
	Wide   bool
	Option template.JS
	// Height in pixels: horizontal bar charts grow with their categories.
	Height int
}

type kpiView struct {
	KPI
	Text string
}

type failureView struct {
	When, Stage, Target, Status, Error string
}

// Render writes r as one HTML page: the data, every chart's options and
// the ECharts library inline, no external resource.
func Render(w io.Writer, r *Report) error {
	// The library goes inside a <script> element: it must not close it.
	if strings.Contains(strings.ToLower(echartsJS), "</script") {
		return fmt.Errorf("report: the embedded ECharts build contains </script>")
	}
	data, err := json.Marshal(r) // escapes <, > and &: safe inside <script>
	if err != nil {
		return fmt.Errorf("report: encode data: %w", err)
	}
	pd := pageData{Report: r, Generated: r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"),
		ECharts: template.JS(echartsJS), Data: template.JS(data), Version: EChartsVersion, Problems: r.Problems()}
	for _, k := range r.KPIs {
		pd.KPIs = append(pd.KPIs, kpiView{KPI: k, Text: formatKPI(k)})
	}
	for _, s := range r.Sections {
		sv := sectionView{ID: s.ID, Title: s.Title}
		for _, c := range s.Charts {
			cv := chartView{Chart: c, Wide: wide[c.ID], Height: 320}
			if c.Kind == "hbar" {
				cv.Height = max(cv.Height, 80+26*len(c.Categories)+22*legendLines(c.Series, 560))
			}
			width := 560
			if cv.Wide {
				width = 1240
			}
			if c.Empty == "" {
				opt, err := optionJSON(c, width)
				if err != nil {
					return fmt.Errorf("report: chart %s: %w", c.ID, err)
				}
				cv.Option = template.JS(opt)
			}
			sv.Charts = append(sv.Charts, cv)
		}
		pd.Sections = append(pd.Sections, sv)
	}
	for _, f := range r.Failures {
		when := ""
		if !f.StartedAt.IsZero() {
			when = f.StartedAt.UTC().Format("2006-01-02 15:04:05")
		}
		pd.Failures = append(pd.Failures, failureView{When: when, Stage: f.Stage, Target: f.Target, Status: f.Status, Error: f.Error})
	}
	if err := page.Execute(w, pd); err != nil {
		return fmt.Errorf("report: write page: %w", err)
	}
	return nil
}

func formatKPI(k KPI) string {
	if k.Value == nil || math.IsNaN(*k.Value) {
		return "—"
	}
	v := *k.Value
	switch k.Unit {
	case "percent":
		return fmt.Sprintf("%.1f %%", v)
	case "amount":
		return compact(v)
	}
	return formatCount(v)
}

// compact writes an amount as 950, 12.3k, 4.56M.
func compact(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return fmt.Sprintf("%.2fB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return formatCount(v)
}
