package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/revops/revops/load"
)

// Collect reads the warehouse into a Report. It fails only when the
// warehouse cannot be asked which relations it has; a chart whose
// relations are missing or empty says so (Chart.Empty, Chart.Missing),
// and one whose query fails carries the error (Chart.Error) while every
// other chart is still filled.
func Collect(ctx context.Context, w Warehouse, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	c := &collector{w: w, opts: opts}
	if err := c.catalog(ctx); err != nil {
		return nil, err
	}
	r := &Report{Title: opts.Title, Warehouse: opts.Warehouse, GeneratedAt: opts.Now.UTC()}
	r.KPIs = c.kpis(ctx)
	r.Sections = []Section{
		{ID: "leads", Title: "Leads", Charts: []*Chart{c.leadsBySource(ctx), c.leadsBySystem(ctx)}},
		{ID: "pipeline", Title: "Pipeline", Charts: []*Chart{c.pipelineByStage(ctx), c.dealVelocity(ctx), c.winRate(ctx)}},
		{ID: "support", Title: "Support", Charts: []*Chart{c.ticketVolume(ctx), c.ticketTimes(ctx)}},
		{ID: "identity", Title: "Golden records", Charts: []*Chart{c.goldenRecords(ctx), c.entities(ctx)}},
		{ID: "health", Title: "Pipeline health", Charts: []*Chart{c.syncLinkRows(ctx), c.apiCalls(ctx), c.conflicts(ctx), c.stageRuns(ctx)}},
	}
	r.Failures = c.failures(ctx)
	return r, nil
}

type collector struct {
	w    Warehouse
	opts Options
	// cols maps each relation ("metrics.win_rate") to its columns.
	cols map[string]map[string]bool
}

// catalog learns which relations (and columns) the warehouse has.
func (c *collector) catalog(ctx context.Context) error {
	_, rows, err := c.rows(ctx, `SELECT table_schema, table_name, column_name FROM information_schema.columns
		WHERE table_schema IN ('metrics', 'identity', 'seeds', '_revops')`)
	if err != nil {
		return fmt.Errorf("report: list the warehouse's relations: %w", err)
	}
	c.cols = map[string]map[string]bool{}
	for _, row := range rows {
		rel := str(row[0]) + "." + str(row[1])
		if c.cols[rel] == nil {
			c.cols[rel] = map[string]bool{}
		}
		c.cols[rel][str(row[2])] = true
	}
	return nil
}

func (c *collector) has(rel string) bool { return c.cols[rel] != nil }

func (c *collector) hasColumn(rel, col string) bool { return c.cols[rel][col] }

func (c *collector) rows(ctx context.Context, q string, args ...any) ([]string, [][]any, error) {
	r, err := c.w.Query(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	return load.ReadAll(r)
}

// point is one value of a chart: category x, series s.
type point struct {
	x, s string
	v    *float64
}

// points runs q, whose columns are x, s, v (in the chart's order).
func (c *collector) points(ctx context.Context, q string, args ...any) ([]point, error) {
	_, rows, err := c.rows(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	out := make([]point, 0, len(rows))
	for _, row := range rows {
		out = append(out, point{x: str(row[0]), s: str(row[1]), v: num(row[2])})
	}
	return out, nil
}

// axis says how a chart's categories are laid out.
type axis struct {
	// period fills the gaps of a time axis: month (2026-01), quarter
	// (2026 Q1) or day (2026-01-02); "" keeps the categories as found.
	period string
	// series fixes the series order (others follow as found);
	// byTotal orders them by their total, largest first.
	series  []string
	byTotal bool
	// zero: a category without a value is 0 (counts), not unknown (rates).
	zero bool
}

// systems is the order of the source systems in a chart's series.
var systems = []string{"salesforce", "zoho_crm", "zoho_desk"}

// fill runs build when every relation in needs exists, and lays its
// points out on ch; otherwise it says what is missing.
func (c *collector) fill(ch *Chart, needs []string, ax axis, build func() ([]point, error)) *Chart {
	for _, rel := range needs {
		if !c.has(rel) {
			ch.Missing = append(ch.Missing, rel)
		}
	}
	if len(ch.Missing) > 0 {
		ch.Empty = NoData
		return ch
	}
	pts, err := build()
	if err != nil {
		ch.Error = err.Error()
		ch.Empty = "could not read this chart's data: " + oneLine(err.Error())
		return ch
	}
	pivot(ch, pts, ax)
	if len(ch.Categories) == 0 || len(ch.Series) == 0 {
		ch.Empty = NoData
	}
	return ch
}

// pivot lays points out as categories × series.
func pivot(ch *Chart, pts []point, ax axis) {
	var cats, series []string
	seenC, seenS := map[string]bool{}, map[string]bool{}
	for _, s := range ax.series {
		for _, p := range pts {
			if p.s == s && !seenS[s] {
				seenS[s] = true
				series = append(series, s)
			}
		}
	}
	totals := map[string]float64{}
	for _, p := range pts {
		if !seenC[p.x] {
			seenC[p.x] = true
			cats = append(cats, p.x)
		}
		if !seenS[p.s] {
			seenS[p.s] = true
			series = append(series, p.s)
		}
		if p.v != nil {
			totals[p.s] += *p.v
		}
	}
	if ax.byTotal {
		fixed := len(ax.series)
		if fixed > len(series) {
			fixed = len(series)
		}
		rest := series[fixed:]
		sort.SliceStable(rest, func(i, j int) bool { return totals[rest[i]] > totals[rest[j]] })
	}
	if ax.period != "" {
		cats = fillPeriods(cats, ax.period)
	}
	ci := make(map[string]int, len(cats))
	for i, x := range cats {
		ci[x] = i
	}
	si := make(map[string]int, len(series))
	for i, s := range series {
		si[s] = i
	}
	vals := make([][]*float64, len(series))
	for i := range vals {
		vals[i] = make([]*float64, len(cats))
	}
	if ax.zero {
		for _, row := range vals {
			for i := range row {
				z := 0.0
				row[i] = &z
			}
		}
	}
	for _, p := range pts {
		if p.v == nil {
			continue
		}
		cell := &vals[si[p.s]][ci[p.x]]
		if *cell == nil {
			v := *p.v
			*cell = &v
		} else {
			**cell += *p.v
		}
	}
	if cats == nil {
		cats, series, vals = []string{}, []string{}, [][]*float64{}
	}
	ch.Categories, ch.Series, ch.Values = cats, series, vals
}

// fillPeriods returns every period from the first to the last of cats
// (which sort as text), so that a time axis shows its empty months.
func fillPeriods(cats []string, period string) []string {
	if len(cats) == 0 {
		return cats
	}
	sorted := append([]string(nil), cats...)
	sort.Strings(sorted)
	layout, step := "2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	format := func(t time.Time) string { return t.Format(layout) }
	parse := func(s string) (time.Time, error) { return time.Parse(layout, s) }
	switch period {
	case "day":
		layout, step = "2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	case "quarter":
		step = func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }
		format = func(t time.Time) string { return fmt.Sprintf("%d Q%d", t.Year(), (int(t.Month())+2)/3) }
		parse = func(s string) (time.Time, error) {
			var y, q int
			if _, err := fmt.Sscanf(s, "%d Q%d", &y, &q); err != nil {
				return time.Time{}, err
			}
			return time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC), nil
		}
	}
	first, err1 := parse(sorted[0])
	last, err2 := parse(sorted[len(sorted)-1])
	if err1 != nil || err2 != nil {
		return sorted
	}
	var out []string
	for t := first; !t.After(last) && len(out) < 5000; t = step(t) {
		out = append(out, format(t))
	}
	return out
}

// union runs the queries of the relations that exist, in order, and
// concatenates their points.
func (c *collector) union(ctx context.Context, parts ...part) ([]point, error) {
	var out []point
	for _, p := range parts {
		if !c.has(p.rel) {
			continue
		}
		pts, err := c.points(ctx, p.q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.rel, err)
		}
		out = append(out, pts...)
	}
	return out, nil
}

type part struct{ rel, q string }

const monthExpr = `strftime(CAST(date_trunc('month', %s) AS DATE), '%%Y-%%m')`

func month(col string) string { return fmt.Sprintf(monthExpr, col) }

func quarter(col string) string {
	return fmt.Sprintf(`CAST(year(%[1]s) AS VARCHAR) || ' Q' || CAST(quarter(%[1]s) AS VARCHAR)`, col)
}

func (c *collector) leadsBySource(ctx context.Context) *Chart {
	ch := &Chart{ID: "leads_by_source", Title: "Leads created per month, by lead source", Kind: "stacked", Unit: "leads",
		Description: "Lead records created in every CRM each month, by normalized lead source (metrics.lead_volume_daily)."}
	return c.fill(ch, []string{"metrics.lead_volume_daily"}, axis{period: "month", byTotal: true, zero: true}, func() ([]point, error) {
		return c.points(ctx, `SELECT `+month("created_date")+` AS x, coalesce(lead_source, 'unknown') AS s,
			CAST(sum(leads_created) AS DOUBLE) AS v
			FROM metrics.lead_volume_daily WHERE created_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`)
	})
}

func (c *collector) leadsBySystem(ctx context.Context) *Chart {
	ch := &Chart{ID: "leads_by_system", Title: "Leads created per month, by system", Kind: "line", Unit: "leads",
		Description: "Lead records created each month in each CRM (metrics.lead_volume_daily); \"people\" counts each person once, " +
			"in the month of their first lead in any CRM (metrics.lead_volume_daily_unique)."}
	return c.fill(ch, []string{"metrics.lead_volume_daily"}, axis{period: "month", series: systems, zero: true}, func() ([]point, error) {
		return c.union(ctx,
			part{"metrics.lead_volume_daily", `SELECT ` + month("created_date") + ` AS x, source_system AS s,
				CAST(sum(leads_created) AS DOUBLE) AS v
				FROM metrics.lead_volume_daily WHERE created_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`},
			part{"metrics.lead_volume_daily_unique", `SELECT ` + month("created_date") + ` AS x, 'people (each once)' AS s,
				CAST(sum(leads_created) AS DOUBLE) AS v
				FROM metrics.lead_volume_daily_unique WHERE created_date IS NOT NULL GROUP BY 1 ORDER BY 1`})
	})
}

func (c *collector) pipelineByStage(ctx context.Context) *Chart {
	ch := &Chart{ID: "pipeline_by_stage", Title: "Open pipeline by stage", Kind: "bar", Unit: "amount",
		Description: "Amount of the open deals in each normalized stage, per CRM (metrics.pipeline_by_stage)."}
	return c.fill(ch, []string{"metrics.pipeline_by_stage"}, axis{series: systems}, func() ([]point, error) {
		return c.points(ctx, `SELECT stage_label AS x, source_system AS s, CAST(sum(total_amount) AS DOUBLE) AS v
			FROM metrics.pipeline_by_stage WHERE NOT is_closed
			GROUP BY stage_label, stage_order, source_system ORDER BY stage_order, source_system`)
	})
}

func (c *collector) dealVelocity(ctx context.Context) *Chart {
	ch := &Chart{ID: "deal_velocity", Title: "Deal velocity: days in each stage", Kind: "bar", Unit: "days",
		Description: "Median days a deal spends in each stage before it moves on, per CRM (metrics.deal_stage_velocity, finished stints)."}
	label := "stage"
	join := ""
	if c.has("seeds.deal_stages") {
		label = "coalesce(st.stage_label, v.stage)"
		join = "LEFT JOIN seeds.deal_stages AS st ON st.stage = v.stage"
	}
	c.fill(ch, []string{"metrics.deal_stage_velocity"}, axis{series: systems}, func() ([]point, error) {
		return c.points(ctx, `SELECT `+label+` AS x, v.source_system AS s, CAST(v.median_days_in_stage AS DOUBLE) AS v
			FROM metrics.deal_stage_velocity AS v `+join+`
			WHERE v.stints_finished > 0 ORDER BY v.stage_order, v.source_system`)
	})
	if ch.Empty == "" && c.has("metrics.deal_days_to_close") {
		_, rows, err := c.rows(ctx, `SELECT source_system, CAST(sum(avg_days_to_close * deals) / sum(deals) AS DOUBLE)
			FROM metrics.deal_days_to_close WHERE outcome = 'won' GROUP BY 1 ORDER BY 1`)
		if err == nil && len(rows) > 0 {
			var parts []string
			for _, row := range rows {
				if v := num(row[1]); v != nil {
					parts = append(parts, fmt.Sprintf("%s %.0f days", str(row[0]), *v))
				}
			}
			ch.Note = "Won deals took on average, from creation to close: " + strings.Join(parts, ", ") + " (metrics.deal_days_to_close)."
		}
	}
	return ch
}

func (c *collector) winRate(ctx context.Context) *Chart {
	ch := &Chart{ID: "win_rate", Title: "Win rate per quarter", Kind: "line", Unit: "percent",
		Description: "Deals won of deals closed each quarter, per CRM (metrics.win_rate); \"each deal once\" counts a deal held by both CRMs once (metrics.win_rate_unique)."}
	return c.fill(ch, []string{"metrics.win_rate"}, axis{period: "quarter", series: systems}, func() ([]point, error) {
		return c.union(ctx,
			part{"metrics.win_rate", `SELECT ` + quarter("close_month") + ` AS x, source_system AS s,
				CAST(100.0 * sum(deals_won) / sum(deals_closed) AS DOUBLE) AS v
				FROM metrics.win_rate WHERE close_month IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`},
			part{"metrics.win_rate_unique", `SELECT ` + quarter("close_month") + ` AS x, 'each deal once' AS s,
				CAST(100.0 * sum(deals_won) / sum(deals_closed) AS DOUBLE) AS v
				FROM metrics.win_rate_unique WHERE close_month IS NOT NULL GROUP BY 1 ORDER BY 1`})
	})
}

func (c *collector) ticketVolume(ctx context.Context) *Chart {
	ch := &Chart{ID: "ticket_volume", Title: "Tickets opened and closed per month", Kind: "bar", Unit: "tickets",
		Description: "Support tickets created and closed each month, every ticket system (metrics.ticket_volume_daily)."}
	return c.fill(ch, []string{"metrics.ticket_volume_daily"}, axis{period: "month", series: []string{"opened", "closed"}, zero: true}, func() ([]point, error) {
		return c.points(ctx, `SELECT `+month("day")+` AS x, 'opened' AS s, CAST(sum(tickets_created) AS DOUBLE) AS v
			FROM metrics.ticket_volume_daily WHERE day IS NOT NULL GROUP BY 1
			UNION ALL
			SELECT `+month("day")+`, 'closed', CAST(sum(tickets_closed) AS DOUBLE)
			FROM metrics.ticket_volume_daily WHERE day IS NOT NULL GROUP BY 1
			ORDER BY 1, 2`)
	})
}

func (c *collector) ticketTimes(ctx context.Context) *Chart {
	ch := &Chart{ID: "ticket_times", Title: "First response and resolution times", Kind: "bar", Unit: "hours",
		Description: "Median hours from a ticket's creation to its first response and to its resolution, by priority (metrics.ticket_response_times)."}
	return c.fill(ch, []string{"metrics.ticket_response_times"}, axis{}, func() ([]point, error) {
		return c.points(ctx, `SELECT x, s, v FROM (
			SELECT coalesce(priority, 'none') AS x, source_system || ' · first response' AS s,
				CAST(median_first_response_hours AS DOUBLE) AS v, priority_order AS o
			FROM metrics.ticket_response_times
			UNION ALL
			SELECT coalesce(priority, 'none'), source_system || ' · resolution',
				CAST(median_resolution_hours AS DOUBLE), priority_order
			FROM metrics.ticket_response_times) AS t
			ORDER BY o NULLS LAST, x, s`)
	})
}

func (c *collector) goldenRecords(ctx context.Context) *Chart {
	ch := &Chart{ID: "golden_records", Title: "Golden records by number of systems", Kind: "bar", Unit: "records",
		Description: "People and companies (identity.persons, identity.companies) by how many of the systems hold a record of them."}
	if !c.has("identity.persons") && !c.has("identity.companies") {
		ch.Missing = []string{"identity.persons", "identity.companies"}
		ch.Empty = NoData
		return ch
	}
	label := `CASE WHEN systems = 1 THEN '1 system' ELSE CAST(systems AS VARCHAR) || ' systems' END`
	c.fill(ch, nil, axis{series: []string{"people", "companies"}}, func() ([]point, error) {
		pts, err := c.union(ctx,
			part{"identity.persons", `SELECT ` + label + ` AS x, 'people' AS s, CAST(count(*) AS DOUBLE) AS v
				FROM identity.persons GROUP BY systems ORDER BY systems`},
			part{"identity.companies", `SELECT ` + label + ` AS x, 'companies' AS s, CAST(count(*) AS DOUBLE) AS v
				FROM identity.companies GROUP BY systems ORDER BY systems`})
		// Categories in the order of their number of systems.
		sort.SliceStable(pts, func(i, j int) bool { return systemsOrder(pts[i].x) < systemsOrder(pts[j].x) })
		return pts, err
	})
	for _, rel := range []string{"identity.persons", "identity.companies"} {
		if !c.has(rel) {
			ch.Missing = append(ch.Missing, rel)
		}
	}
	if c.has("identity.review") {
		_, rows, err := c.rows(ctx, `SELECT entity, CAST(count(*) AS DOUBLE) FROM identity.review GROUP BY 1 ORDER BY 1`)
		if err == nil {
			total := 0.0
			var parts []string
			for _, row := range rows {
				if v := num(row[1]); v != nil {
					total += *v
					parts = append(parts, fmt.Sprintf("%.0f %s", *v, str(row[0])))
				}
			}
			ch.Note = fmt.Sprintf("Review queue: %.0f unsure pairs", total)
			if len(parts) > 0 {
				ch.Note += " (" + strings.Join(parts, ", ") + ")"
			}
			ch.Note += "; `revops identity review` lists them."
		}
	}
	return ch
}

// entities charts how many records the systems hold against how many
// people, companies and deals they are.
func (c *collector) entities(ctx context.Context) *Chart {
	ch := &Chart{ID: "entities", Title: "Records against the people, companies and deals they are", Kind: "bar", Unit: "records",
		Description: "Records of each kind in all systems, the golden people, companies and unique deals they are, and how many of those two or more systems hold (metrics.unique_entities)."}
	return c.fill(ch, []string{"metrics.unique_entities"}, axis{series: []string{"records", "entities", "in 2+ systems"}}, func() ([]point, error) {
		order := `CASE record_kind WHEN 'lead' THEN 1 WHEN 'contact' THEN 2 WHEN 'account' THEN 3 WHEN 'deal' THEN 4 ELSE 5 END`
		return c.points(ctx, `SELECT x, s, v FROM (
			SELECT record_kind || 's' AS x, 'records' AS s, CAST(records AS DOUBLE) AS v, `+order+` AS o FROM metrics.unique_entities WHERE source_system = 'all'
			UNION ALL
			SELECT record_kind || 's', 'entities', CAST(entities AS DOUBLE), `+order+` FROM metrics.unique_entities WHERE source_system = 'all'
			UNION ALL
			SELECT record_kind || 's', 'in 2+ systems', CAST(in_other_systems AS DOUBLE), `+order+` FROM metrics.unique_entities WHERE source_system = 'all'
		) AS e ORDER BY o, x`)
	})
}

func systemsOrder(label string) int {
	var n int
	fmt.Sscanf(label, "%d", &n)
	return n
}

// syncLinkRows charts the rows each of the newest sync and link runs
// wrote and failed.
func (c *collector) syncLinkRows(ctx context.Context) *Chart {
	ch := &Chart{ID: "sync_link_rows", Title: "Rows written and failed per sync and link run", Kind: "hbar", Unit: "rows",
		Description: fmt.Sprintf("The newest %d sync and link runs, oldest first (times in UTC): rows a sync wrote (created, updated, removed), records a link updated, and the rows that failed (_revops.sync_runs, _revops.link_runs).", c.opts.MaxRuns)}
	if !c.has("_revops.sync_runs") && !c.has("_revops.link_runs") {
		ch.Missing = []string{"_revops.sync_runs", "_revops.link_runs"}
		ch.Empty = NoData
		return ch
	}
	var qs []string
	if c.has("_revops.sync_runs") {
		qs = append(qs, `SELECT id, started_at, 'sync ' || sync || CASE WHEN kind = 'run' THEN '' ELSE ' (' || kind || ')' END AS name,
			CAST(coalesce(succeeded, 0) AS DOUBLE) AS written, CAST(coalesce(failed, 0) AS DOUBLE) AS failed
			FROM _revops.sync_runs`)
	}
	if c.has("_revops.link_runs") {
		qs = append(qs, `SELECT id, started_at, 'link ' || link || CASE WHEN kind = 'run' THEN '' ELSE ' (' || kind || ')' END,
			CAST(coalesce(created, 0) + coalesce(updated, 0) AS DOUBLE), CAST(coalesce(failed, 0) AS DOUBLE)
			FROM _revops.link_runs`)
	}
	q := `SELECT strftime(started_at, '%m-%d %H:%M:%S') || '  ' || name, written, failed FROM (` +
		strings.Join(qs, " UNION ALL ") + fmt.Sprintf(`) AS r ORDER BY started_at DESC, id DESC LIMIT %d`, c.opts.MaxRuns)
	return c.fill(ch, nil, axis{series: []string{"written", "failed"}}, func() ([]point, error) {
		_, rows, err := c.rows(ctx, q)
		if err != nil {
			return nil, err
		}
		var pts []point
		seen := map[string]int{}
		for i := len(rows) - 1; i >= 0; i-- {
			x := str(rows[i][0])
			if seen[x]++; seen[x] > 1 {
				x = fmt.Sprintf("%s #%d", x, seen[x])
			}
			pts = append(pts, point{x, "written", num(rows[i][1])}, point{x, "failed", num(rows[i][2])})
		}
		return pts, nil
	})
}

// apiCalls charts the API calls spent per day against each source's org.
func (c *collector) apiCalls(ctx context.Context) *Chart {
	ch := &Chart{ID: "api_calls", Title: "API calls per day, by org", Kind: "stacked", Unit: "calls",
		Description: "HTTP requests revops sent to each source per day (UTC): syncs (_revops.sync_runs, counted against the source each writes to) and links (_revops.link_runs, per side)."}
	extractCalls := c.hasColumn("_revops.runs", "api_calls")
	if extractCalls {
		ch.Description += " Extracts are counted from _revops.runs."
	}
	if !c.has("_revops.sync_runs") && !c.has("_revops.link_runs") && !extractCalls {
		ch.Missing = []string{"_revops.sync_runs", "_revops.link_runs"}
		ch.Empty = NoData
		return ch
	}
	c.fill(ch, nil, axis{period: "day", series: systems, byTotal: true, zero: true}, func() ([]point, error) {
		var pts []point
		if c.has("_revops.sync_runs") {
			_, rows, err := c.rows(ctx, `SELECT strftime(CAST(started_at AS DATE), '%Y-%m-%d'), sync, CAST(sum(api_calls) AS DOUBLE)
				FROM _revops.sync_runs WHERE api_calls > 0 GROUP BY 1, 2 ORDER BY 1, 2`)
			if err != nil {
				return nil, fmt.Errorf("_revops.sync_runs: %w", err)
			}
			for _, row := range rows {
				src, ok := c.opts.SyncSources[str(row[1])]
				if !ok {
					src = "sync " + str(row[1])
				}
				pts = append(pts, point{str(row[0]), src, num(row[2])})
			}
		}
		if c.has("_revops.link_runs") {
			linkPts, err := c.linkCalls(ctx)
			if err != nil {
				return nil, err
			}
			pts = append(pts, linkPts...)
		}
		if extractCalls {
			p, err := c.points(ctx, `SELECT strftime(CAST(started_at AS DATE), '%Y-%m-%d'), split_part(target, '.', 1), CAST(sum(api_calls) AS DOUBLE)
				FROM _revops.runs WHERE stage = 'extract' AND api_calls > 0 GROUP BY 1, 2 ORDER BY 1, 2`)
			if err != nil {
				return nil, fmt.Errorf("_revops.runs: %w", err)
			}
			pts = append(pts, p...)
		}
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
		return pts, nil
	})
	var known, unknown []string
	for _, s := range ch.Series {
		if lim, ok := c.opts.DailyLimits[s]; ok && lim > 0 {
			ch.Limits = append(ch.Limits, Limit{Label: s + " daily limit", Value: float64(lim)})
			known = append(known, fmt.Sprintf("%s %d", s, lim))
		} else {
			unknown = append(unknown, s)
		}
	}
	switch {
	case ch.Empty != "":
	case len(unknown) == 0:
		ch.Note = "Daily API limits: " + strings.Join(known, ", ") + "."
	case len(known) == 0:
		ch.Note = "Daily API limits are not known for " + strings.Join(unknown, ", ") + "."
	default:
		ch.Note = "Daily API limits: " + strings.Join(known, ", ") + "; not known for " + strings.Join(unknown, ", ") + "."
	}
	if ch.Empty == "" && !extractCalls {
		ch.Note += " Extract calls are not recorded in this warehouse."
	}
	return ch
}

// linkCalls reads each link run's calls per side (the sides column holds
// a JSON list of {source, api_calls, ...}).
func (c *collector) linkCalls(ctx context.Context) ([]point, error) {
	_, rows, err := c.rows(ctx, `SELECT strftime(CAST(started_at AS DATE), '%Y-%m-%d'), link, sides, CAST(coalesce(api_calls, 0) AS DOUBLE)
		FROM _revops.link_runs ORDER BY started_at, id`)
	if err != nil {
		return nil, fmt.Errorf("_revops.link_runs: %w", err)
	}
	var pts []point
	for _, row := range rows {
		sides, err := parseSides(str(row[2]))
		if err != nil || len(sides) == 0 {
			// No per-side counts: the run's total, under the link.
			if v := num(row[3]); v != nil && *v > 0 {
				pts = append(pts, point{str(row[0]), "link " + str(row[1]), v})
			}
			continue
		}
		for _, s := range sides {
			if s.APICalls > 0 {
				v := float64(s.APICalls)
				pts = append(pts, point{str(row[0]), s.Source, &v})
			}
		}
	}
	return pts, nil
}

func (c *collector) conflicts(ctx context.Context) *Chart {
	ch := &Chart{ID: "conflicts", Title: "Two-way link conflicts per day", Kind: "stacked", Unit: "conflicts",
		Description: "Fields both sides of a link changed to different values, decided by the field's owner rule, per day (UTC) and link (_revops.link_conflicts; `revops link conflicts` lists them)."}
	c.fill(ch, []string{"_revops.link_conflicts"}, axis{period: "day", byTotal: true, zero: true}, func() ([]point, error) {
		return c.points(ctx, `SELECT strftime(CAST(decided_at AS DATE), '%Y-%m-%d') AS x, link AS s, CAST(count(*) AS DOUBLE) AS v
			FROM _revops.link_conflicts GROUP BY 1, 2 ORDER BY 1, 2`)
	})
	if ch.Empty == NoData && len(ch.Missing) == 0 && c.has("_revops.link_runs") {
		_, rows, err := c.rows(ctx, `SELECT CAST(count(*) AS DOUBLE) FROM _revops.link_runs`)
		if err == nil && len(rows) == 1 {
			if n := num(rows[0][0]); n != nil && *n > 0 {
				ch.Empty = fmt.Sprintf("no conflicts: the links ran %.0f times and no field changed on both sides between two runs", *n)
			}
		}
	}
	return ch
}

var stageOrder = map[string]int{"extract": 1, "build": 2, "identity": 3, "sync": 4, "link": 5}

func (c *collector) stageRuns(ctx context.Context) *Chart {
	ch := &Chart{ID: "stage_runs", Title: "Runs by stage and outcome", Kind: "hbar", Unit: "runs",
		Description: "Every recorded run of each stage: an extract of one object, a model build, a sync, a link (_revops.runs, _revops.sync_runs, _revops.link_runs)."}
	c.fill(ch, []string{"_revops.runs"}, axis{series: []string{"succeeded", "partial", "failed", "killed", "running"}}, func() ([]point, error) {
		pts, err := c.union(ctx,
			part{"_revops.runs", `SELECT stage AS x, status AS s, CAST(count(*) AS DOUBLE) AS v FROM _revops.runs GROUP BY 1, 2 ORDER BY 1, 2`},
			// Sync and link runs, unless _revops.runs records them too.
			part{"_revops.sync_runs", `SELECT 'sync', status, CAST(count(*) AS DOUBLE) FROM _revops.sync_runs
				WHERE NOT EXISTS (SELECT 1 FROM _revops.runs WHERE stage = 'sync') GROUP BY 1, 2 ORDER BY 1, 2`},
			part{"_revops.link_runs", `SELECT 'link', status, CAST(count(*) AS DOUBLE) FROM _revops.link_runs
				WHERE NOT EXISTS (SELECT 1 FROM _revops.runs WHERE stage = 'link') GROUP BY 1, 2 ORDER BY 1, 2`})
		sort.SliceStable(pts, func(i, j int) bool { return rank(pts[i].x) < rank(pts[j].x) })
		return pts, err
	})
	return ch
}

func rank(stage string) int {
	if r, ok := stageOrder[stage]; ok {
		return r
	}
	return len(stageOrder) + 1
}

// failures lists the newest runs that did not succeed.
func (c *collector) failures(ctx context.Context) []Failure {
	var qs []string
	if c.has("_revops.runs") {
		qs = append(qs, `SELECT started_at, stage, coalesce(target, ''), status, coalesce(error, '') FROM _revops.runs`)
	}
	if c.has("_revops.sync_runs") {
		qs = append(qs, `SELECT started_at, 'sync', sync, status, coalesce(error, '') FROM _revops.sync_runs`)
	}
	if c.has("_revops.link_runs") {
		qs = append(qs, `SELECT started_at, 'link', link, status, coalesce(error, '') FROM _revops.link_runs`)
	}
	if len(qs) == 0 {
		return nil
	}
	_, rows, err := c.rows(ctx, `SELECT * FROM (`+strings.Join(qs, " UNION ALL ")+`) AS r (started_at, stage, target, status, error)
		WHERE status NOT IN ('succeeded', 'running') ORDER BY started_at DESC LIMIT 10`)
	if err != nil {
		return []Failure{{Stage: "report", Status: "error", Error: "could not read the run history: " + oneLine(err.Error())}}
	}
	out := make([]Failure, 0, len(rows))
	for _, row := range rows {
		t, _ := row[0].(time.Time)
		out = append(out, Failure{StartedAt: t, Stage: str(row[1]), Target: str(row[2]), Status: str(row[3]), Error: oneLine(str(row[4]))})
	}
	return out
}

// kpis reads the headline figures; a figure whose relation is missing
// has no value.
func (c *collector) kpis(ctx context.Context) []KPI {
	one := func(k KPI, rel, q string) KPI {
		if !c.has(rel) {
			k.Note = NoData
			return k
		}
		_, rows, err := c.rows(ctx, q)
		if err != nil {
			k.Note = "could not read " + rel
			return k
		}
		if len(rows) == 1 && len(rows[0]) > 0 {
			k.Value = num(rows[0][0])
		}
		return k
	}
	var out []KPI
	leads := one(KPI{ID: "leads", Label: "Lead records", Unit: "count"}, "metrics.lead_volume_daily",
		`SELECT CAST(sum(leads_created) AS DOUBLE) FROM metrics.lead_volume_daily`)
	if leads.Value != nil && c.has("metrics.lead_volume_daily_unique") {
		if p := one(KPI{}, "metrics.lead_volume_daily_unique", `SELECT CAST(sum(leads_created) AS DOUBLE) FROM metrics.lead_volume_daily_unique`); p.Value != nil {
			leads.Note = fmt.Sprintf("%s people", formatCount(*p.Value))
		}
	}
	out = append(out, leads)
	if c.has("metrics.pipeline_by_stage_unique") {
		out = append(out, one(KPI{ID: "open_pipeline", Label: "Open pipeline", Unit: "amount", Note: "each deal once"}, "metrics.pipeline_by_stage_unique",
			`SELECT CAST(sum(total_amount) AS DOUBLE) FROM metrics.pipeline_by_stage_unique WHERE NOT is_closed`))
	} else {
		out = append(out, one(KPI{ID: "open_pipeline", Label: "Open pipeline", Unit: "amount", Note: "both CRMs' records"}, "metrics.pipeline_by_stage",
			`SELECT CAST(sum(total_amount) AS DOUBLE) FROM metrics.pipeline_by_stage WHERE NOT is_closed`))
	}
	if c.has("metrics.win_rate_unique") {
		out = append(out, one(KPI{ID: "win_rate", Label: "Win rate", Unit: "percent", Note: "all closed deals, each once"}, "metrics.win_rate_unique",
			`SELECT CAST(100.0 * sum(deals_won) / nullif(sum(deals_closed), 0) AS DOUBLE) FROM metrics.win_rate_unique`))
	} else {
		out = append(out, one(KPI{ID: "win_rate", Label: "Win rate", Unit: "percent", Note: "all closed deals"}, "metrics.win_rate",
			`SELECT CAST(100.0 * sum(deals_won) / nullif(sum(deals_closed), 0) AS DOUBLE) FROM metrics.win_rate`))
	}
	out = append(out,
		one(KPI{ID: "open_tickets", Label: "Open tickets", Unit: "count"}, "metrics.ticket_backlog",
			`SELECT CAST(coalesce(sum(open_tickets), 0) AS DOUBLE) FROM metrics.ticket_backlog`),
		one(KPI{ID: "persons", Label: "People", Unit: "count", Note: "golden records"}, "identity.persons",
			`SELECT CAST(count(*) AS DOUBLE) FROM identity.persons`),
		one(KPI{ID: "companies", Label: "Companies", Unit: "count", Note: "golden records"}, "identity.companies",
			`SELECT CAST(count(*) AS DOUBLE) FROM identity.companies`),
		one(KPI{ID: "review_queue", Label: "Review queue", Unit: "count", Note: "unsure pairs"}, "identity.review",
			`SELECT CAST(count(*) AS DOUBLE) FROM identity.review`),
	)
	failing := one(KPI{ID: "failing", Label: "Failing targets", Unit: "count", Note: "latest run not succeeded"}, "_revops.runs",
		`SELECT CAST(count(*) AS DOUBLE) FROM (
			SELECT status, row_number() OVER (PARTITION BY stage, target ORDER BY started_at DESC, id DESC) AS n FROM _revops.runs) AS r
		WHERE n = 1 AND status NOT IN ('succeeded', 'running')`)
	if c.has("_revops.runs") {
		_, rows, err := c.rows(ctx, `SELECT max(started_at) FROM _revops.runs`)
		if err == nil && len(rows) == 1 {
			if t, ok := rows[0][0].(time.Time); ok {
				failing.Note = "last run " + t.UTC().Format("2006-01-02 15:04 UTC")
			} else {
				failing.Value, failing.Note = nil, NoData
			}
		}
	}
	out = append(out, failing)
	return out
}

func str(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case time.Time:
		return s.UTC().Format("2006-01-02")
	}
	return fmt.Sprint(v)
}

// num converts a query value to a number; nil stays nil.
func num(v any) *float64 {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case int64:
		f = float64(n)
	case string:
		if _, err := fmt.Sscanf(n, "%g", &f); err != nil {
			return nil
		}
	default:
		return nil
	}
	return &f
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// formatCount writes n with thousands separators.
func formatCount(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
