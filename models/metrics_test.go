//go:build duckdb_arrow

package models_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// The expected values below come from the generator's projections (what
// each emulator was seeded with), computed here in Go without the seeds or
// the SQL, and are compared with what the shipped metric models computed
// from the extracted warehouse.

// normSource is a lead source the way the shipped seed normalizes the
// generator's values: "Phone Inquiry" → "phone_inquiry", "" → "unknown".
func normSource(s string) string {
	if s == "" {
		return "unknown"
	}
	return strings.ReplaceAll(strings.ToLower(s), " ", "_")
}

// stageIn is the stage sys holds for a normalized stage: Zoho CRM's
// standard pipeline has no prospecting.
func stageIn(sys sandbox.System, st sandbox.Stage) sandbox.Stage {
	if sys == sandbox.ZohoCRM && st == sandbox.StageProspecting {
		return sandbox.StageQualification
	}
	return st
}

// stints folds a stage history into (stage, entered) runs of distinct
// consecutive stages, as the system records them.
type stint struct {
	stage sandbox.Stage
	at    time.Time
}

func stintsOf(sys sandbox.System, h []sandbox.StageChange) []stint {
	var out []stint
	for _, c := range h {
		st := stageIn(sys, c.Stage)
		if len(out) > 0 && out[len(out)-1].stage == st {
			continue
		}
		out = append(out, stint{st, c.At})
	}
	return out
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func meanOf(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func TestShippedMetricsMatchGenerator(t *testing.T) {
	s := buildShipped(t, 2000, "salesforce", "zoho_crm", "zoho_desk")
	s.checkBuild(t)
	crms := []sandbox.System{sandbox.Salesforce, sandbox.ZohoCRM}
	proj := map[sandbox.System]*sandbox.Projection{}
	for _, sys := range []sandbox.System{sandbox.Salesforce, sandbox.ZohoCRM, sandbox.ZohoDesk} {
		proj[sys] = s.world.Project(sys)
	}

	t.Run("lead_volume_daily", func(t *testing.T) {
		want := map[string]int64{}
		for _, sys := range crms {
			for _, l := range proj[sys].Leads {
				want[fmt.Sprintf("%s|%s|%s", l.CreatedAt.UTC().Format(time.DateOnly), sys, normSource(l.LeadSource))]++
			}
		}
		got := map[string]int64{}
		for _, r := range s.query(t, "SELECT created_date, source_system, lead_source, leads_created FROM metrics.lead_volume_daily") {
			got[fmt.Sprintf("%s|%s|%s", strCell(r[0]), strCell(r[1]), strCell(r[2]))] = intCell(r[3])
		}
		compareShippedCounts(t, got, want)
	})

	t.Run("lead_volume_weekly", func(t *testing.T) {
		want := map[string]int64{}
		for _, sys := range crms {
			for _, l := range proj[sys].Leads {
				d := l.CreatedAt.UTC()
				d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
				monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
				want[fmt.Sprintf("%s|%s", monday.Format(time.DateOnly), sys)]++
			}
		}
		got := map[string]int64{}
		for _, r := range s.query(t, "SELECT week_start, source_system, sum(leads_created) FROM metrics.lead_volume_weekly GROUP BY ALL") {
			got[fmt.Sprintf("%s|%s", strCell(r[0]), strCell(r[1]))] = intCell(r[2])
		}
		compareShippedCounts(t, got, want)
	})

	t.Run("pipeline_by_stage", func(t *testing.T) {
		count, amount := map[string]int64{}, map[string]float64{}
		for _, sys := range crms {
			for _, st := range sandbox.Stages() {
				if sys == sandbox.ZohoCRM && st == sandbox.StageProspecting {
					continue
				}
				count[fmt.Sprintf("%s|%s", sys, st)] = 0
			}
			for _, d := range proj[sys].Deals {
				k := fmt.Sprintf("%s|%s", sys, stageIn(sys, d.Stage))
				count[k]++
				amount[k] += d.Amount
			}
		}
		got := map[string]int64{}
		for _, r := range s.query(t, "SELECT source_system, stage, deal_count, CAST(total_amount AS DOUBLE) FROM metrics.pipeline_by_stage") {
			k := fmt.Sprintf("%s|%s", strCell(r[0]), strCell(r[1]))
			got[k] = intCell(r[2])
			if a := numCell(r[3]); !within(a, amount[k], 0.005, 0) {
				t.Errorf("%s: total_amount %.2f, want %.2f", k, a, amount[k])
			}
		}
		// Zoho has no prospecting deals; its row (0 deals) may be there.
		delete(got, "zoho_crm|prospecting")
		compareShippedCounts(t, got, count)
	})

	t.Run("win_rate", func(t *testing.T) {
		won, closed := map[string]int64{}, map[string]int64{}
		wonAmt := map[string]float64{}
		for _, sys := range crms {
			for _, d := range proj[sys].Deals {
				if !d.Stage.Closed() {
					continue
				}
				closed[string(sys)]++
				if d.Stage.Won() {
					won[string(sys)]++
					wonAmt[string(sys)] += d.Amount
				}
			}
		}
		for _, r := range s.query(t, `SELECT source_system, sum(deals_won), sum(deals_closed), CAST(sum(won_amount) AS DOUBLE),
			sum(deals_won) * 1.0 / sum(deals_closed) FROM metrics.win_rate GROUP BY ALL`) {
			sys := strCell(r[0])
			if intCell(r[1]) != won[sys] || intCell(r[2]) != closed[sys] || !within(numCell(r[3]), wonAmt[sys], 0.005, 0) {
				t.Errorf("%s: won %v of %v (%v), want %d of %d (%.2f)", sys, r[1], r[2], r[3], won[sys], closed[sys], wonAmt[sys])
			}
			if want := float64(won[sys]) / float64(closed[sys]); !within(numCell(r[4]), want, 1e-9, 0) {
				t.Errorf("%s: win rate %v, want %v", sys, r[4], want)
			}
		}
	})

	t.Run("days_to_close", func(t *testing.T) {
		days := map[string][]float64{}
		for _, sys := range crms {
			for _, d := range proj[sys].Deals {
				if !d.Stage.Closed() {
					continue
				}
				c := d.CreatedAt.UTC()
				created := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
				days[string(sys)] = append(days[string(sys)], d.CloseDate.Sub(created).Hours()/24)
			}
		}
		for _, r := range s.query(t, `SELECT source_system, sum(deals), sum(avg_days_to_close * deals) / sum(deals)
			FROM metrics.deal_days_to_close GROUP BY ALL`) {
			sys := strCell(r[0])
			if intCell(r[1]) != int64(len(days[sys])) || !within(numCell(r[2]), meanOf(days[sys]), 1e-6, 0) {
				t.Errorf("%s: %v closed deals, %v days to close on average; want %d, %.4f", sys, r[1], r[2], len(days[sys]), meanOf(days[sys]))
			}
		}
	})

	t.Run("deal_stage_velocity", func(t *testing.T) {
		days := map[string][]float64{}
		for _, sys := range crms {
			for _, d := range proj[sys].Deals {
				st := stintsOf(sys, d.History)
				for i := 0; i+1 < len(st); i++ {
					k := fmt.Sprintf("%s|%s", sys, st[i].stage)
					days[k] = append(days[k], st[i+1].at.Sub(st[i].at).Hours()/24)
				}
			}
		}
		seen := 0
		for _, r := range s.query(t, `SELECT source_system, stage, stints_finished, avg_days_in_stage, median_days_in_stage
			FROM metrics.deal_stage_velocity WHERE stints_finished > 0`) {
			k := fmt.Sprintf("%s|%s", strCell(r[0]), strCell(r[1]))
			seen++
			want := days[k]
			// Hours are counted in whole hours: within 1/24 day per stint.
			if intCell(r[2]) != int64(len(want)) || !within(numCell(r[3]), meanOf(want), 1.0/24, 0) || !within(numCell(r[4]), medianOf(want), 1.0/24, 0) {
				t.Errorf("%s: %v stints, avg %v, median %v days; want %d, %.3f, %.3f", k, r[2], r[3], r[4], len(want), meanOf(want), medianOf(want))
			}
		}
		if seen != len(days) {
			t.Errorf("%d (system, stage) rows with finished stints, want %d", seen, len(days))
		}
	})

	t.Run("stage_conversion", func(t *testing.T) {
		entered, advanced := map[string]int64{}, map[string]int64{}
		for _, sys := range crms {
			for _, d := range proj[sys].Deals {
				furthest := -1
				for _, c := range stintsOf(sys, d.History) {
					if !c.stage.Closed() {
						furthest = max(furthest, c.stage.Rank())
					}
				}
				done := map[sandbox.Stage]bool{}
				for _, c := range stintsOf(sys, d.History) {
					if c.stage.Closed() || done[c.stage] {
						continue
					}
					done[c.stage] = true
					k := fmt.Sprintf("%s|%s", sys, c.stage)
					entered[k]++
					if d.Stage.Won() || furthest > c.stage.Rank() {
						advanced[k]++
					}
				}
			}
		}
		gotE, gotA := map[string]int64{}, map[string]int64{}
		for _, r := range s.query(t, "SELECT source_system, stage, deals_entered, deals_advanced FROM metrics.stage_conversion") {
			k := fmt.Sprintf("%s|%s", strCell(r[0]), strCell(r[1]))
			gotE[k], gotA[k] = intCell(r[2]), intCell(r[3])
		}
		compareShippedCounts(t, gotE, entered)
		compareShippedCounts(t, gotA, advanced)
	})

	t.Run("ticket_backlog", func(t *testing.T) {
		want := map[string]int64{}
		for _, k := range proj[sandbox.ZohoDesk].Tickets {
			if k.Status != "Closed" {
				want[strings.ToLower(k.Priority)]++
			}
		}
		got := map[string]int64{}
		for _, r := range s.query(t, "SELECT priority, sum(open_tickets) FROM metrics.ticket_backlog WHERE source_system = 'zoho_desk' GROUP BY ALL") {
			got[strCell(r[0])] = intCell(r[1])
		}
		compareShippedCounts(t, got, want)
	})

	t.Run("ticket_response_times", func(t *testing.T) {
		first, resolve := map[string][]float64{}, map[string][]float64{}
		total := map[string]int64{}
		for _, k := range proj[sandbox.ZohoDesk].Tickets {
			p := strings.ToLower(k.Priority)
			total[p]++
			if k.FirstResponseAt != nil {
				first[p] = append(first[p], k.FirstResponseAt.Sub(k.CreatedAt).Hours())
			}
			if k.ClosedAt != nil {
				resolve[p] = append(resolve[p], k.ClosedAt.Sub(k.CreatedAt).Hours())
			}
		}
		rows := s.query(t, `SELECT priority, tickets, tickets_responded, avg_first_response_hours, median_first_response_hours,
			tickets_resolved, avg_resolution_hours, median_resolution_hours
			FROM metrics.ticket_response_times WHERE source_system = 'zoho_desk'`)
		if len(rows) != len(total) {
			t.Errorf("%d priorities, want %d", len(rows), len(total))
		}
		for _, r := range rows {
			p := strCell(r[0])
			if intCell(r[1]) != total[p] || intCell(r[2]) != int64(len(first[p])) || intCell(r[5]) != int64(len(resolve[p])) {
				t.Errorf("%s: %v tickets, %v responded, %v resolved; want %d, %d, %d", p, r[1], r[2], r[5], total[p], len(first[p]), len(resolve[p]))
			}
			// The warehouse counts whole hours between the two times, so
			// each ticket is off by less than an hour: averages agree within
			// a quarter of an hour or 3%, medians within an hour or 10%.
			if got, want := numCell(r[3]), meanOf(first[p]); !within(got, want, 0.25, 0.03) {
				t.Errorf("%s: average first response %.3f h, want %.3f h", p, got, want)
			}
			if got, want := numCell(r[4]), medianOf(first[p]); !within(got, want, 1, 0.10) {
				t.Errorf("%s: median first response %.3f h, want %.3f h", p, got, want)
			}
			if got, want := numCell(r[6]), meanOf(resolve[p]); !within(got, want, 0.25, 0.03) {
				t.Errorf("%s: average resolution %.3f h, want %.3f h", p, got, want)
			}
			if got, want := numCell(r[7]), medianOf(resolve[p]); !within(got, want, 1, 0.10) {
				t.Errorf("%s: median resolution %.3f h, want %.3f h", p, got, want)
			}
		}
	})

	t.Run("account_overview", func(t *testing.T) {
		// Open deals per CRM account, through the seeded records' ids.
		type key struct {
			sys sandbox.System
			id  string
		}
		accountIDs := map[sandbox.System][]string{}
		for _, tr := range s.truth {
			if (tr.System == sandbox.Salesforce && tr.Object == "Account") || (tr.System == sandbox.ZohoCRM && tr.Object == "Accounts") {
				accountIDs[tr.System] = append(accountIDs[tr.System], tr.RecordID)
			}
		}
		openDeals, openAmount := map[key]int64{}, map[key]float64{}
		for _, sys := range crms {
			if len(accountIDs[sys]) != len(proj[sys].Accounts) {
				t.Fatalf("%s: %d account ids for %d accounts", sys, len(accountIDs[sys]), len(proj[sys].Accounts))
			}
			for _, d := range proj[sys].Deals {
				if d.Stage.Closed() || d.AccountIdx < 0 {
					continue
				}
				k := key{sys, accountIDs[sys][d.AccountIdx]}
				openDeals[k]++
				openAmount[k] += d.Amount
			}
		}
		rows := s.query(t, "SELECT source_system, source_id, open_deals, CAST(open_pipeline_amount AS DOUBLE) FROM metrics.account_overview")
		if want := len(proj[sandbox.Salesforce].Accounts) + len(proj[sandbox.ZohoCRM].Accounts); len(rows) != want {
			t.Errorf("%d accounts, want %d", len(rows), want)
		}
		for _, r := range rows {
			k := key{sandbox.System(strCell(r[0])), strCell(r[1])}
			if intCell(r[2]) != openDeals[k] || !within(numCell(r[3]), openAmount[k], 0.005, 0) {
				t.Errorf("account %v: %v open deals worth %v, want %d worth %.2f", k, r[2], r[3], openDeals[k], openAmount[k])
			}
		}
	})
}

// compareShippedCounts reports every key whose count differs.
func compareShippedCounts(t *testing.T, got, want map[string]int64) {
	t.Helper()
	bad := 0
	for k, w := range want {
		if g := got[k]; g != w {
			if bad < 10 {
				t.Errorf("%s: %d, want %d", k, g, w)
			}
			bad++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g != 0 {
			if bad < 10 {
				t.Errorf("%s: %d, want none", k, g)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d keys differ", bad, len(want))
	}
}
