package models_test

import (
	"strings"
	"testing"

	"github.com/revops/revops/configs"
	"github.com/revops/revops/models"
	sqlfiles "github.com/revops/revops/sql"
)

// TestShippedTestSeverities: the shipped tests about the data people
// enter in the CRMs warn; those guarding revops's own keys and joins are
// errors (the default).
func TestShippedTestSeverities(t *testing.T) {
	p, err := models.Load(sqlfiles.FS, configs.Seeds, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if probs := p.Problems(); len(probs) > 0 {
		t.Fatalf("the shipped models have problems: %v", probs)
	}
	plan := p.Plan()
	for _, c := range []struct{ test, severity string }{
		// Ordinary CRM data: a Zoho lead without a status (not a mandatory
		// field), a ticket without a priority, a deleted lead that still
		// has tasks, picklist values no seed maps.
		{"not_null(core.leads.status)", models.SeverityWarn},
		{"not_null(core.tickets.priority)", models.SeverityWarn},
		{"relationships(core.activities.lead_id -> core.leads.lead_id)", models.SeverityWarn},
		{"relationships(core.tickets.account_id -> core.accounts.account_id)", models.SeverityWarn},
		{"accepted_values(core.leads.status: new,contacted,qualified,converted,unqualified)", models.SeverityWarn},
		{"not_null(staging.stg_zoho_crm__leads.created_at)", models.SeverityWarn},
		{"tests.pipeline_by_stage_matches_deals", models.SeverityWarn},
		// revops's own invariants.
		{"unique(core.leads.lead_id)", models.SeverityError},
		{"not_null(core.accounts.account_id)", models.SeverityError},
		{"unique(core.deals.source_system,source_id)", models.SeverityError},
		{"unique(staging.stg_zoho_crm__leads_versions.lead_id,valid_from)", models.SeverityError},
		{"relationships(core.deal_stage_history.deal_id -> core.deals.deal_id)", models.SeverityError},
		{"relationships(metrics.account_overview.account_id -> core.accounts.account_id)", models.SeverityError},
		{"unique(syncs.zoho_leads_to_sf.zoho_lead_id)", models.SeverityError},
		{"not_null(syncs.account_enrichment_sf.account_id)", models.SeverityError},
		{"unique(metrics.pipeline_by_stage.source_system,stage)", models.SeverityError},
	} {
		// "   test unique(...)" for a model's test, "test tests.x path <- deps" for a custom one.
		line := grepLine(plan, "test "+c.test+" ")
		if warn := strings.HasSuffix(line, " (warn)"); line == "" || warn != (c.severity == models.SeverityWarn) {
			t.Errorf("%s: want severity %s; the plan says: %q", c.test, c.severity, line)
		}
	}
}

func grepLine(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l+" ", s) {
			return l
		}
	}
	return ""
}
