package main

import (
	"context"
	"log/slog"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// sourceUsage is what an extract saw of a source's API use: the requests
// its client sent (logins, discovery, retries included) and, where the
// API says, the org's daily allowance and use.
type sourceUsage struct {
	calls       int64
	limit, used *int64
	note        string
}

// readSourceUsage reads, after an extract, each source's request count
// and the daily allowance of the orgs that report theirs: Salesforce's
// /limits (DailyApiRequests, one call; it needs the View Setup and
// Configuration permission, without which the allowance stays unknown).
// Zoho reports its remaining credits only in a response header once half
// of them are spent, which revops does not record: its allowance stays
// unknown, and Zoho's credits are not calls (a COQL query of 2,000
// records costs 3).
func readSourceUsage(ctx context.Context, sources []extract.Source, log *slog.Logger) map[string]sourceUsage {
	out := map[string]sourceUsage{}
	for _, s := range sources {
		var u sourceUsage
		if c, ok := s.Extractor.(interface{ Client() *salesforce.Client }); ok {
			lims, err := c.Client().Limits(ctx)
			switch l, found := lims["DailyApiRequests"]; {
			case err != nil:
				u.note = "daily allowance unknown: " + oneLine(err.Error())
				log.Warn("could not read the org's API limits", "source", s.Name, "error", err)
			case !found || l.Max <= 0:
				u.note = "the org's limits hold no DailyApiRequests"
			default:
				limit, used := int64(l.Max), int64(l.Max-l.Remaining)
				u.limit, u.used = &limit, &used
				u.note = "daily use read from /limits after the extract"
			}
		} else {
			u.note = "the API does not report the daily allowance"
		}
		if t, ok := s.Extractor.(interface{ TotalStats() httpx.Stats }); ok {
			u.calls = t.TotalStats().Requests
		}
		out[s.Name] = u
	}
	return out
}
