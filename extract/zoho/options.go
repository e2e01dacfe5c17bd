package zoho

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
)

// DataCenters are the Zoho data centers revops knows by name.
var DataCenters = []string{"US", "EU", "IN", "AU", "JP", "CA", "CN", "SA"}

// Options is a `type: zoho_crm` or `type: zoho_desk` entry of `sources:`.
type Options struct {
	// DataCenter picks the accounts server and API domain (default US).
	DataCenter string `yaml:"data_center"`
	// AccountsURL and APIDomain override the data center's hosts.
	AccountsURL string `yaml:"accounts_url"`
	APIDomain   string `yaml:"api_domain"`
	// DeskURL is Zoho Desk's base URL (zoho_desk only).
	DeskURL string `yaml:"desk_url"`
	// OrgID is the Desk organization id sent as the orgId header (zoho_desk only).
	OrgID        string `yaml:"org_id"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	RefreshToken string `yaml:"refresh_token"`
	// Modules to extract: CRM module API names, or Desk tickets, contacts, accounts.
	Modules []string `yaml:"modules"`
	// History keeps every version of these modules.
	History []string `yaml:"history"`
	// Lookback re-reads this much time before the cursor (default 5m).
	Lookback time.Duration `yaml:"lookback"`
	// FormulaRefresh re-reads every record this often, because formula
	// fields change without moving Modified_Time (default 24h; 0 keeps it).
	FormulaRefresh time.Duration `yaml:"formula_refresh"`
	Limits         httpx.Limits  `yaml:"limits"`
	// MaxCalls stops one object's read after about this many API calls
	// in a run, at a checkpoint (zoho_crm only; 0 = no limit). The run
	// lands what was read with that checkpoint as the cursor, reports the
	// object incomplete, and the next run continues from there: a first
	// Deals_Stage_History read (one call per deal) can be spread over days
	// within the org's daily credits. List pages that list only records
	// an earlier run read (the look-back window before the cursor) do not
	// count, so that a run always gets past them.
	MaxCalls int `yaml:"max_calls"`
	// BulkThreshold sends a CRM module's read through Bulk Read (zoho_crm
	// only) when it would return more than this many records (default
	// 20,000; negative: never). A job costs 50 credits and exports up to
	// 200,000 records, against one credit per 200 records for the list
	// API, so above about 10,000 records bulk costs fewer credits.
	BulkThreshold int `yaml:"bulk_threshold"`
	// BulkWriteThreshold sends a sync's writes to this zoho_crm source
	// through Bulk Write jobs when a sync writes more than this many
	// records (default 10,000; negative: never). A job costs 500 credits
	// and takes up to 25,000 records, against one credit per ten records
	// for the 100-record calls.
	BulkWriteThreshold int `yaml:"bulk_write_threshold"`
	// APIBudget is the share of the org's daily credits that revops's
	// extracts and syncs may use, counting what the org used (default
	// 0.8; zoho_crm only).
	APIBudget float64 `yaml:"api_budget"`
	// DailyCredits is the org's credits per rolling 24 hours (Zoho
	// reports only what remains, once half is used): with it, the budget
	// is enforced; without (0), revops records its credits but cannot
	// tell the org's share.
	DailyCredits int64 `yaml:"daily_credits"`
	// StageHistoryShare is the share of DailyCredits that the
	// Deals_Stage_History read may spend in any 24 hours (default 0.05;
	// above 0, at most 1; zoho_crm only). That read costs one call per
	// deal, so a first read of many deals would otherwise take the org's
	// whole day: with it, the read stops at a checkpoint once the share is
	// spent (the object is reported incomplete), the other objects and the
	// syncs go on, and a run after the oldest spend is 24 hours old
	// continues. What it spent travels in its cursor, so the allowance
	// holds across runs. Without daily_credits the share means nothing and
	// the read is limited only by max_calls and api_budget, as before.
	StageHistoryShare *float64 `yaml:"stage_history_share"`
	// BulkPoll is the first wait before polling a bulk read job (default
	// 1 s, doubling up to 30 s). Tests make it short; not part of revops.yaml.
	BulkPoll time.Duration `yaml:"-"`
	// Transport sends the API requests (default http.DefaultTransport);
	// tests point it at an emulator. Not part of revops.yaml.
	Transport http.RoundTripper `yaml:"-"`
	// TokenCacheDir keeps access tokens between runs (set by the CLI, not the config).
	TokenCacheDir string `yaml:"-"`

	desk bool
}

// DefaultBulkThreshold is Options.BulkThreshold when it is 0.
const DefaultBulkThreshold = 20_000

// DefaultStageHistoryShare is Options.StageHistoryShare when it is unset.
const DefaultStageHistoryShare = 0.05

// stageAllowance is the calls Deals_Stage_History may spend per rolling
// 24 hours (0: no allowance, without daily_credits).
func (o *Options) stageAllowance() int {
	if o.DailyCredits <= 0 {
		return 0
	}
	share := DefaultStageHistoryShare
	if o.StageHistoryShare != nil {
		share = *o.StageHistoryShare
	}
	return max(1, int(share*float64(o.DailyCredits)))
}

// CRM returns empty options for a zoho_crm source.
func CRM() *Options { return &Options{} }

// Desk returns empty options for a zoho_desk source.
func Desk() *Options { return &Options{desk: true} }

// IsDesk reports whether the options are a zoho_desk source's.
func (o *Options) IsDesk() bool { return o.desk }

var moduleRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// SetDefaults fills the zero fields.
func (o *Options) SetDefaults() {
	if o.DataCenter == "" {
		o.DataCenter = "US"
	}
	o.DataCenter = strings.ToUpper(o.DataCenter)
	if len(o.Modules) == 0 {
		if o.desk {
			o.Modules = []string{"tickets", "contacts", "accounts"}
		} else {
			o.Modules = []string{"Leads", "Contacts", "Accounts", "Deals", "Tasks"}
		}
	}
	if o.History == nil {
		if o.desk {
			o.History = []string{"tickets"}
		} else {
			o.History = []string{"Leads", "Deals"}
		}
	}
	if o.Lookback == 0 {
		o.Lookback = 5 * time.Minute
	}
	if o.FormulaRefresh == 0 && !o.desk {
		o.FormulaRefresh = 24 * time.Hour
	}
	if o.BulkThreshold == 0 && !o.desk {
		o.BulkThreshold = DefaultBulkThreshold
	}
	o.Limits = o.Limits.WithDefaults()
}

// ClientConfig is the API client's configuration for these options
// (defaults applied): what the extractor and the sync destination share.
// system names the client in counts and errors ("zoho_crm", "zoho_desk").
func (o *Options) ClientConfig(system string, log *slog.Logger) zoho.Config {
	c := *o
	c.SetDefaults()
	return zoho.Config{DataCenter: c.DataCenter, AccountsURL: c.AccountsURL, APIDomain: c.APIDomain,
		DeskURL: c.DeskURL, OrgID: c.OrgID, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		RefreshToken: c.RefreshToken, System: system, Limits: c.Limits, Transport: c.Transport, Log: log,
		TokenCacheDir: c.TokenCacheDir, BulkPoll: c.BulkPoll}
}

// Validate reports the first problem as "key: reason".
func (o *Options) Validate() error {
	o.SetDefaults()
	known := false
	for _, dc := range DataCenters {
		known = known || dc == o.DataCenter
	}
	if !known {
		return fmt.Errorf("data_center: %q is not one of %s", o.DataCenter, strings.Join(DataCenters, ", "))
	}
	if err := httpx.CheckURLs("accounts_url", o.AccountsURL, "api_domain", o.APIDomain, "desk_url", o.DeskURL); err != nil {
		return err
	}
	switch {
	case o.ClientID == "":
		return errors.New("client_id: required")
	case o.ClientSecret == "":
		return errors.New("client_secret: required")
	case o.RefreshToken == "":
		return errors.New("refresh_token: required (from a self-client or the code flow)")
	case o.desk && o.OrgID == "":
		return errors.New("org_id: required for Zoho Desk")
	case !o.desk && (o.DeskURL != "" || o.OrgID != ""):
		return errors.New("desk_url: only a zoho_desk source takes desk_url and org_id")
	case o.desk && o.BulkThreshold != 0:
		return errors.New("bulk_threshold: only a zoho_crm source reads through Bulk Read")
	case o.desk && o.BulkWriteThreshold != 0:
		return errors.New("bulk_write_threshold: only a zoho_crm source is written through Bulk Write")
	case o.APIBudget < 0 || o.APIBudget > 1:
		return fmt.Errorf("api_budget: %v is not a share between 0 and 1 (0.8 = 80%% of the daily credits)", o.APIBudget)
	case o.DailyCredits < 0:
		return errors.New("daily_credits: must not be negative")
	}
	for i, m := range o.Modules {
		if !moduleRE.MatchString(m) {
			return fmt.Errorf("modules[%d]: %q is not a module API name", i, m)
		}
	}
	if o.MaxCalls < 0 {
		return errors.New("max_calls: must not be negative")
	}
	if v := o.StageHistoryShare; v != nil {
		switch {
		case o.desk:
			return errors.New("stage_history_share: only a zoho_crm source reads Deals_Stage_History")
		case math.IsNaN(*v) || *v <= 0 || *v > 1:
			return fmt.Errorf("stage_history_share: %v is not a share above 0 and at most 1 "+
				"(0.05 = 5%% of daily_credits per 24 hours)", *v)
		}
	}
	if o.Lookback < 0 || o.FormulaRefresh < 0 {
		return errors.New("lookback: durations must not be negative")
	}
	return o.Limits.Validate()
}
