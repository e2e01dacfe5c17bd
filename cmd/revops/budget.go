package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/budget"
	"github.com/revops/revops/configs"
	crmsf "github.com/revops/revops/crm/salesforce"
	crmzoho "github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
	revsync "github.com/revops/revops/sync"
	syncsf "github.com/revops/revops/sync/salesforce"
)

// sourceBudget returns the API budget of a source's org (nil for sources
// without one: Zoho Desk), with what earlier runs recorded of the last
// 24 hours: api_budget (share, default 0.8) of Salesforce's
// DailyApiRequests as the API reports it, or of a zoho_crm source's
// daily_credits.
func sourceBudget(ctx context.Context, w load.StateStore, src configs.Source) (*budget.Budget, error) {
	var b *budget.Budget
	switch src.Type {
	case "zoho_crm":
		o := zoho.CRM()
		if err := src.Options.Decode(o); err != nil {
			return nil, err
		}
		b = budget.New(src.Name, budget.Credits, o.APIBudget, o.DailyCredits)
	case "salesforce":
		var o salesforce.Options
		if err := src.Options.Decode(&o); err != nil {
			return nil, err
		}
		b = budget.New(src.Name, budget.Calls, o.APIBudget, 0)
	default:
		return nil, nil
	}
	ledger, err := budget.LoadLedger(ctx, w, src.Name, time.Now())
	if err != nil {
		return nil, err
	}
	b.SetLedger(ledger)
	return b, nil
}

// meterOf meters the API client behind an extractor or a destination.
func meterOf(x any, src configs.Source) budget.Meter {
	switch c := x.(type) {
	case interface{ Client() *crmzoho.Client }:
		var limit int64
		o := zoho.CRM()
		if src.Options.Decode(o) == nil {
			limit = o.DailyCredits
		}
		return budget.ZohoMeter(c.Client(), limit)
	case interface{ Client() *crmsf.Client }:
		return budget.SalesforceMeter(c.Client())
	}
	return nil
}

// extractBudgets builds the budgets of the sources an extract reads,
// each gating its extractor's client: objects extracting at once reserve
// every call from the one budget (extract.Runner.Budgets).
func (a *app) extractBudgets(ctx context.Context, cfg *configs.Config, w load.StateStore, sources []extract.Source) map[string]*budget.Budget {
	out := map[string]*budget.Budget{}
	for _, s := range sources {
		src, ok := cfg.Source(s.Name)
		if !ok {
			continue
		}
		b, err := sourceBudget(ctx, w, src)
		if err != nil {
			a.log.Warn("no API budget for the source", "source", s.Name, "error", err)
			continue
		}
		if b == nil {
			continue
		}
		b.Gate(meterOf(s.Extractor, src))
		out[s.Name] = b
	}
	return out
}

// budgetDestination gives a sync destination that checks a budget
// (SetBudget) its org's budget, recorded in w as part "sync".
func (a *app) budgetDestination(ctx context.Context, cfg *configs.Config, w load.StateStore, source string, d revsync.Destination) {
	bd, ok := d.(interface{ SetBudget(*budget.Budget) })
	if !ok || w == nil {
		return
	}
	src, ok := cfg.Source(source)
	if !ok {
		return
	}
	b, err := sourceBudget(ctx, w, src)
	if err != nil || b == nil {
		if err != nil {
			a.log.Warn("no API budget for the destination", "source", source, "error", err)
		}
		return
	}
	b.Attach(meterOf(d, src))
	b.RecordTo(w, "sync")
	bd.SetBudget(b)
}

// apiCost is what sending the plans of a sync plan would cost one
// destination org (sync plan --json: api_cost[]); Credits only for Zoho
// CRM.
type apiCost struct {
	Source  string `json:"source"`
	Calls   int64  `json:"calls"`
	Credits *int64 `json:"credits,omitempty"`
}

// planCosts estimates the API calls (and Zoho credits) of sending plans,
// per destination source, in the order the plans name them. Describes
// are not counted.
func planCosts(cfg *configs.Config, specs []*revsync.Spec, plans []*revsync.Plan) []apiCost {
	by := map[string]*budget.Cost{}
	var out []apiCost
	for _, p := range plans {
		var spec *revsync.Spec
		for _, s := range specs {
			if s.Name == p.Sync {
				spec = s
			}
		}
		if spec == nil {
			continue
		}
		src, ok := cfg.Source(spec.Destination.Source)
		if !ok {
			continue
		}
		ops := map[string]int64{}
		var match int64
		for _, r := range p.Rows {
			op := string(r.Op)
			if r.Op == revsync.OpUpsert && r.DestID != "" {
				op = string(revsync.OpUpdate)
			}
			ops[op]++
			if r.Op == revsync.OpUpsert && r.DestID == "" && spec.Match.By == revsync.MatchDuplicateCheck {
				match++
			}
		}
		c := by[src.Name]
		if c == nil {
			c = &budget.Cost{}
			by[src.Name] = c
			out = append(out, apiCost{Source: src.Name})
			if src.Type == "zoho_crm" {
				out[len(out)-1].Credits = new(int64)
			}
		}
		var total int64
		for _, n := range ops {
			total += n
		}
		for op, n := range ops {
			switch src.Type {
			case "zoho_crm":
				o := zoho.CRM()
				_ = src.Options.Decode(o)
				th := int64(o.BulkWriteThreshold)
				if th == 0 {
					th = 10_000
				}
				m := int64(0)
				if op == string(revsync.OpUpsert) {
					m = match
				}
				// The destination goes bulk by the sync's total.
				if total <= th {
					th = -1
				}
				*c = c.Add(budget.ZohoWrite(op, n, m, th))
			case "salesforce":
				th := int64(syncsf.DefaultBulkThreshold)
				if total <= th {
					th = -1
				}
				*c = c.Add(budget.SalesforceWrite(n, th))
			default:
				*c = c.Add(budget.Cost{Calls: (n + 99) / 100})
			}
		}
	}
	for i := range out {
		c := by[out[i].Source]
		out[i].Calls = c.Calls
		if out[i].Credits != nil {
			*out[i].Credits = c.Credits
		}
	}
	return out
}

// planCost is the line sync plan ends with, e.g. "API use to send:
// zoho_crm about 12 calls, 105 credits; salesforce about 3 calls
// (besides describes)"; "" when the plans send nothing anywhere.
func planCost(cfg *configs.Config, specs []*revsync.Spec, plans []*revsync.Plan) string {
	costs := planCosts(cfg, specs, plans)
	if len(costs) == 0 {
		return ""
	}
	var parts []string
	for _, c := range costs {
		s := fmt.Sprintf("%s about %d calls", c.Source, c.Calls)
		if c.Credits != nil {
			s += fmt.Sprintf(", %d credits", *c.Credits)
		}
		parts = append(parts, s)
	}
	return "API use to send: " + strings.Join(parts, "; ") + " (besides describes)"
}

// budgetStage is the _revops.runs stage of the rows budgets record.
const budgetStage = "api_budget"

// addBudgetUsage adds to a run's per-source API calls what its budgets
// recorded (rows of stage api_budget tagged with the run's id): Zoho
// credits, the budget's share, and the org's allowance and use where the
// summary has none.
func addBudgetUsage(ctx context.Context, w load.StateStore, s *runSummary) {
	us, err := budget.RunUsage(ctx, w, s.RunID)
	if err != nil || len(us) == 0 {
		return
	}
	for _, u := range us {
		for i := range s.APICalls {
			c := &s.APICalls[i]
			if c.Source != u.Source {
				continue
			}
			if u.Unit == budget.Credits {
				credits := u.Credits
				c.Credits = &credits
			}
			share := u.Share
			c.APIBudget = &share
			if c.DailyLimit == nil && u.Limit > 0 {
				limit, used := u.Limit, u.Used
				c.DailyLimit, c.DailyUsed = &limit, &used
			}
		}
	}
}
