package budget

import (
	"context"
	"fmt"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/zoho"
)

// zohoMeter reads a Zoho CRM client: its own count of credits, and the
// org's use from X-API-CREDITS-REMAINING and the daily limit.
type zohoMeter struct {
	c     *zoho.Client
	limit int64
}

// ZohoMeter meters a Zoho CRM client of an org whose daily credits are
// limit (0: unknown; Zoho reports only what remains, so the org's use is
// known only with the limit, and only once half the base credits are
// used).
func ZohoMeter(c *zoho.Client, limit int64) Meter { return zohoMeter{c, limit} }

func (m zohoMeter) Spent() int64 { return m.c.Credits() }

func (m zohoMeter) Calls() int64 { return m.c.Stats().Requests }

func (m zohoMeter) Org() (used, limit int64, ok bool) {
	rem := m.c.CreditsRemaining()
	if rem < 0 || m.limit <= 0 {
		return 0, 0, false
	}
	return max(0, m.limit-rem), m.limit, true
}

// gate makes the client reserve each call's credits (Budget.Gate).
func (m zohoMeter) gate(b *Budget) { m.c.SetGate(gateFunc(b, Credits)) }

// sfMeter reads a Salesforce client: its requests, and the org's use and
// allowance from Sforce-Limit-Info.
type sfMeter struct{ c *salesforce.Client }

// SalesforceMeter meters a Salesforce client.
func SalesforceMeter(c *salesforce.Client) Meter { return sfMeter{c} }

func (m sfMeter) Spent() int64 { return m.c.Stats().Requests }

func (m sfMeter) Org() (used, limit int64, ok bool) { return m.c.APIUsage() }

// gate makes the client reserve each request (Budget.Gate).
func (m sfMeter) gate(b *Budget) { m.c.SetGate(gateFunc(b, Calls)) }

// gateFunc reserves a call's cost from b; what names the call (method
// and path).
func gateFunc(b *Budget, unit string) func(ctx context.Context, what string, cost int64) (func(), error) {
	return func(ctx context.Context, what string, cost int64) (func(), error) {
		part := "the call " + what
		if unit == Credits {
			part += fmt.Sprintf(" (%d credits)", cost)
		}
		return b.Reserve(part, cost)
	}
}
