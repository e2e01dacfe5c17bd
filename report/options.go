package report

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// side is one side of a link run as _revops.link_runs.sides records it.
type side struct {
	Source   string `json:"source"`
	APICalls int64  `json:"api_calls"`
}

func parseSides(s string) ([]side, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []side
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("link run sides: %w", err)
	}
	return out, nil
}

// Colours the page gives known series, so a system or an outcome keeps
// its colour from chart to chart; other series take the palette in turn.
var seriesColors = map[string]string{
	"salesforce":         "#1b6ac9",
	"zoho_crm":           "#e4572e",
	"zoho_desk":          "#2a9d8f",
	"people (each once)": "#6c757d",
	"each deal once":     "#6c757d",
	"written":            "#2a9d8f",
	"succeeded":          "#2a9d8f",
	"failed":             "#d62828",
	"killed":             "#f77f00",
	"partial":            "#fcbf49",
	"running":            "#adb5bd",
	"opened":             "#1b6ac9",
	"closed":             "#2a9d8f",
	"people":             "#1b6ac9",
	"companies":          "#e4572e",
	"records":            "#adb5bd",
	"entities":           "#1b6ac9",
	"in 2+ systems":      "#2a9d8f",
}

var palette = []string{"#1b6ac9", "#e4572e", "#2a9d8f", "#f4a261", "#6a4c93", "#8ab17d", "#e76f51",
	"#457b9d", "#bc4749", "#264653", "#b5838d", "#ffb703", "#219ebc", "#7f5539"}

func colorOf(series string, i int) string {
	if c, ok := seriesColors[series]; ok {
		return c
	}
	return palette[i%len(palette)]
}

// countUnits are the units of whole numbers.
var countUnits = map[string]bool{"leads": true, "tickets": true, "records": true, "rows": true, "calls": true, "conflicts": true, "runs": true}

var unitLabels = map[string]string{
	"amount": "amount", "percent": "%", "days": "days", "hours": "hours",
}

// optionJSON builds chart c's ECharts options with go-echarts and returns
// them as JSON; width is about how wide the chart is drawn, in pixels.
func optionJSON(c *Chart, width int) (string, error) {
	// The legend wraps onto as many lines as its entries need, and the
	// plot starts below it.
	lines := legendLines(c.Series, width)
	top := 16 + 22*lines
	if unitLabels[c.Unit] != "" && c.Kind != "hbar" {
		top += 14 // the value axis's name
	}
	global := []charts.GlobalOpts{
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(c.Series) > 0), Type: "plain", Top: "0"}),
		charts.WithAnimation(false),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: fmt.Sprint(top), Bottom: "8", ContainLabel: opts.Bool(true)}),
	}
	yName := unitLabels[c.Unit]
	valueAxisLabel := &opts.AxisLabel{}
	if c.Unit == "percent" {
		valueAxisLabel.Formatter = "{value} %"
	}
	// Few categories (or a horizontal chart, which grows to fit them):
	// every label shown, wrapped (see encode) rather than hidden. Many: a
	// time axis, rotated, some labels left out where they would overlap.
	few := len(c.Categories) <= 10 || c.Kind == "hbar"
	catAxisLabel := &opts.AxisLabel{Interval: "0"}
	if !few {
		catAxisLabel = &opts.AxisLabel{HideOverlap: opts.Bool(true), Rotate: 35}
	}
	valueAxis := opts.YAxis{Type: "value", Name: yName, AxisLabel: valueAxisLabel}
	if c.Unit == "percent" {
		valueAxis.Min, valueAxis.Max = 0, 100
	}
	if c.Kind == "hbar" {
		global = append(global,
			charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: yName, AxisLabel: valueAxisLabel}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", AxisLabel: catAxisLabel, Inverse: opts.Bool(true)}))
	} else {
		global = append(global,
			charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: catAxisLabel}),
			charts.WithYAxisOpts(valueAxis))
	}
	if len(c.Categories) > 60 && c.Kind != "hbar" {
		// Long time axes open on their newest 60 periods; the rest scrolls.
		global = append(global, charts.WithDataZoomOpts(opts.DataZoom{Type: "inside", Start: 100 - 6000/float32(len(c.Categories)), End: 100}))
	}
	var limits []opts.MarkLineNameYAxisItem
	for _, l := range c.Limits {
		limits = append(limits, opts.MarkLineNameYAxisItem{Name: l.Label, YAxis: l.Value})
	}
	// Wrapped labels get their share of the axis.
	wrap := 0
	if few && c.Kind != "hbar" && len(c.Categories) > 0 {
		wrap = max(48, (width-100)/len(c.Categories)-8)
	}
	switch c.Kind {
	case "line":
		ch := charts.NewLine()
		ch.SetGlobalOptions(global...)
		ch.SetXAxis(c.Categories)
		for i, name := range c.Series {
			items := make([]opts.LineData, len(c.Categories))
			for j, v := range c.Values[i] {
				items[j] = opts.LineData{Value: value(v)}
			}
			ch.AddSeries(name, items,
				charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(true), ShowSymbol: opts.Bool(true), SymbolSize: 5}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: colorOf(name, i)}),
				charts.WithLineStyleOpts(opts.LineStyle{Width: 2, Type: dashedIfOnce(name)}))
		}
		ch.Validate()
		return encode(ch.JSON(), wrap, countUnits[c.Unit])
	default:
		ch := charts.NewBar()
		ch.SetGlobalOptions(global...)
		if c.Kind == "hbar" {
			ch.XYReversal()
		}
		ch.SetXAxis(c.Categories)
		for i, name := range c.Series {
			items := make([]opts.BarData, len(c.Categories))
			for j, v := range c.Values[i] {
				items[j] = opts.BarData{Value: value(v)}
			}
			so := []charts.SeriesOpts{charts.WithItemStyleOpts(opts.ItemStyle{Color: colorOf(name, i)})}
			if c.Kind == "stacked" || c.Kind == "hbar" {
				so = append(so, charts.WithBarChartOpts(opts.BarChart{Stack: "total", BarCategoryGap: "30%"}))
			}
			if i == 0 && len(limits) > 0 {
				so = append(so, charts.WithMarkLineNameYAxisItemOpts(limits...),
					charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
						Label: &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: "{b}: {c}"}}))
			}
			ch.AddSeries(name, items, so...)
		}
		ch.Validate()
		return encode(ch.JSON(), wrap, countUnits[c.Unit])
	}
}

// legendLines estimates how many lines the legend's entries take at width.
func legendLines(series []string, width int) int {
	if len(series) == 0 {
		return 0
	}
	lines, used := 1, 0
	for _, s := range series {
		w := 7*len([]rune(s)) + 40 // text, symbol and gap
		if used > 0 && used+w > width-40 {
			lines, used = lines+1, 0
		}
		used += w
	}
	return lines
}

// value is a data item's value: the number, or "-" (ECharts' empty).
func value(v *float64) any {
	if v == nil {
		return "-"
	}
	return *v
}

func dashedIfOnce(series string) string {
	if strings.Contains(series, "once") {
		return "dashed"
	}
	return "solid"
}

// encode marshals go-echarts' option map and sets what go-echarts has
// no field for: category labels that break onto several lines instead of
// overlapping (wrap: their width in pixels), whole-number ticks for counts, and a bar's largest width, so that one bar (one day,
// one run) stays a bar, not a wall. Options with JavaScript functions
// (go-echarts marks them __f__) are not used: the page's options are JSON.
func encode(obj map[string]interface{}, wrap int, counts bool) (string, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("report: encode chart options: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("report: encode chart options: %w", err)
	}
	if axes, ok := m["xAxis"].([]any); ok && len(axes) > 0 && wrap > 0 {
		if ax, ok := axes[0].(map[string]any); ok {
			if lbl, ok := ax["axisLabel"].(map[string]any); ok {
				lbl["width"], lbl["overflow"] = wrap, "break"
			}
		}
	}
	// Counts tick at whole numbers.
	for _, key := range []string{"xAxis", "yAxis"} {
		if axes, ok := m[key].([]any); ok && counts {
			for _, a := range axes {
				if ax, ok := a.(map[string]any); ok && ax["type"] == "value" {
					ax["minInterval"] = 1
				}
			}
		}
	}
	if series, ok := m["series"].([]any); ok {
		for _, se := range series {
			if sm, ok := se.(map[string]any); ok && sm["type"] == "bar" {
				sm["barMaxWidth"] = 56
			}
		}
	}
	if b, err = json.Marshal(m); err != nil {
		return "", fmt.Errorf("report: encode chart options: %w", err)
	}
	if strings.Contains(string(b), "__f__") {
		return "", fmt.Errorf("report: chart options hold a JavaScript function")
	}
	return string(b), nil
}
