// Package report reads the warehouse's models (metrics.*, identity.*) and
// the pipeline's own state (_revops.runs, sync_runs, link_runs,
// link_conflicts) and renders them as one self-contained HTML page of
// charts: `revops report`.
//
// Collect queries the warehouse into a Report (plain data: every number a
// chart draws, under the chart's id); Render writes the page, with the
// report's data, each chart's ECharts options and the ECharts library
// itself inline, so the file opens with no network. A chart whose models
// are missing or empty says so ("no data yet: run revops run") instead of
// failing the page, and a model that cannot be read fails only its chart.
package report

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Warehouse is what the report reads through: load/duckdb.Warehouse
// satisfies it. Queries are plain SELECTs over the model relations and the
// _revops state tables, and information_schema to find which exist.
type Warehouse interface {
	Query(ctx context.Context, query string, args ...any) (array.RecordReader, error)
}

// Options shape a report.
type Options struct {
	// Title heads the page (default "revops report").
	Title string
	// Warehouse names the warehouse on the page (a path or a name); the
	// page says where its numbers come from.
	Warehouse string
	// Now is when the report is made (default time.Now).
	Now time.Time
	// SyncSources maps each sync's name to the source it writes to, so
	// that its API calls count against that source's org. A sync missing
	// here is counted under "sync NAME".
	SyncSources map[string]string
	// DailyLimits holds, per source, the org's daily API call limit where
	// it is known; the API-calls chart draws it as a line.
	DailyLimits map[string]int64
	// MaxRuns caps the sync and link runs the health chart shows, newest
	// kept (default 30).
	MaxRuns int
}

func (o Options) withDefaults() Options {
	if o.Title == "" {
		o.Title = "revops report"
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MaxRuns <= 0 {
		o.MaxRuns = 30
	}
	return o
}

// NoData is what a chart without data says.
const NoData = "no data yet: run revops run"

// Report is everything the page shows, as data. It is embedded in the page
// as JSON (element id "revops-report-data"), so a reader or a test can
// check the numbers behind every chart.
type Report struct {
	Title       string    `json:"title"`
	Warehouse   string    `json:"warehouse"`
	GeneratedAt time.Time `json:"generated_at"`
	KPIs        []KPI     `json:"kpis"`
	Sections    []Section `json:"sections"`
	// Failures are the newest runs that failed or were killed (any stage).
	Failures []Failure `json:"failures"`
}

// Section groups charts under a heading.
type Section struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Charts []*Chart `json:"charts"`
}

// Chart is one chart's data: a value per (category, series). Values[s][c]
// is series s at category c; nil where there is none.
type Chart struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Kind is bar, stacked (stacked bars), line or hbar (horizontal
	// stacked bars).
	Kind string `json:"kind"`
	// Unit names the values: leads, amount, percent, days, hours, tickets,
	// records, rows, calls, conflicts, runs.
	Unit       string       `json:"unit"`
	Categories []string     `json:"categories"`
	Series     []string     `json:"series"`
	Values     [][]*float64 `json:"values"`
	// Limits are horizontal lines (an org's daily API limit), by label.
	Limits []Limit `json:"limits,omitempty"`
	// Note is a line under the chart (e.g. the review queue's size).
	Note string `json:"note,omitempty"`
	// Empty says why there is nothing to draw; the page shows it instead.
	Empty string `json:"empty,omitempty"`
	// Missing lists the relations the chart reads that the warehouse
	// does not have.
	Missing []string `json:"missing,omitempty"`
	// Error is set when a relation exists but could not be read.
	Error string `json:"error,omitempty"`
}

// Limit is a horizontal line on a chart.
type Limit struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// Value returns the chart's value for (category, series) and whether it
// has one.
func (c *Chart) Value(category, series string) (float64, bool) {
	ci, si := -1, -1
	for i, x := range c.Categories {
		if x == category {
			ci = i
		}
	}
	for i, s := range c.Series {
		if s == series {
			si = i
		}
	}
	if ci < 0 || si < 0 || c.Values[si][ci] == nil {
		return 0, false
	}
	return *c.Values[si][ci], true
}

// Chart returns the chart with id, or nil.
func (r *Report) Chart(id string) *Chart {
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			if c.ID == id {
				return c
			}
		}
	}
	return nil
}

// KPI returns the figure with id, or nil.
func (r *Report) KPI(id string) *KPI {
	for i := range r.KPIs {
		if r.KPIs[i].ID == id {
			return &r.KPIs[i]
		}
	}
	return nil
}

// KPI is one headline figure.
type KPI struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Value is nil when the figure's relation is missing or empty.
	Value *float64 `json:"value"`
	// Unit: count, amount or percent.
	Unit string `json:"unit"`
	Note string `json:"note,omitempty"`
}

// Failure is a run that failed or was killed.
type Failure struct {
	StartedAt time.Time `json:"started_at"`
	Stage     string    `json:"stage"`
	Target    string    `json:"target"`
	Status    string    `json:"status"`
	Error     string    `json:"error"`
}

// Problems lists the charts and figures that could not be read (their
// relation exists but the query failed), as "id: error".
func (r *Report) Problems() []string {
	var out []string
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			if c.Error != "" {
				out = append(out, c.ID+": "+c.Error)
			}
		}
	}
	return out
}
