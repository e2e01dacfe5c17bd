package zohocampaigns

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zohocampaigns"
)

// DataCenters are the data centers a zoho_campaigns source takes.
var DataCenters = []string{"US", "EU", "IN", "AU", "JP", "CA", "CN", "SA"}

// The objects a zoho_campaigns source lands.
const (
	ObjectCampaigns  = "campaigns"
	ObjectRecipients = "campaign_recipients"
)

// Objects lists them.
var Objects = []string{ObjectCampaigns, ObjectRecipients}

// DefaultActions are the recipient actions landed by default: the events
// a recipient did or met.
var DefaultActions = []string{zohocampaigns.ActionSent, zohocampaigns.ActionOpened, zohocampaigns.ActionClicked,
	zohocampaigns.ActionOptOut, zohocampaigns.ActionHardBounce, zohocampaigns.ActionSoftBounce}

// Options is a `type: zoho_campaigns` entry of `sources:`.
type Options struct {
	// DataCenter picks the accounts server and the Campaigns host (default US).
	DataCenter string `yaml:"data_center"`
	// AccountsURL and CampaignsURL override the data center's hosts.
	AccountsURL  string `yaml:"accounts_url"`
	CampaignsURL string `yaml:"campaigns_url"`
	// ClientID, ClientSecret and RefreshToken are the OAuth credentials; the
	// refresh token needs ZohoCampaigns.campaign.READ. Secrets may come
	// from ${VAR} or a `<key>_file`.
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	RefreshToken string `yaml:"refresh_token"`
	// Objects to land: campaigns, campaign_recipients (default both).
	Objects []string `yaml:"objects"`
	// Actions are the recipient lists read per campaign (default
	// DefaultActions: sentcontacts, openedcontacts, clickedcontacts,
	// optoutcontacts, senthardbounce, sentsoftbounce).
	Actions []string `yaml:"actions"`
	// Settle re-reads the recipients of campaigns sent within this long
	// before the last read even when their report did not change, as
	// reports may lag behind the lists (default 72h).
	Settle time.Duration `yaml:"settle"`
	// TimeZone is the account's time zone, which display times are
	// written in (default UTC), e.g. Asia/Kolkata.
	TimeZone string `yaml:"time_zone"`
	// PageSize is the recipients page (default and maximum 500).
	PageSize int `yaml:"page_size"`
	// CallShare is the share of each API's 500 calls per 5 minutes that
	// revops allows itself (default 0.9).
	CallShare float64 `yaml:"call_share"`
	// CallLimit is each API's calls per 5 minutes before Campaigns locks
	// it for 30 minutes (default 500, as documented; change it only for an
	// account whose limit differs, or an emulator's).
	CallLimit int          `yaml:"call_limit"`
	Limits    httpx.Limits `yaml:"limits"`

	// Clock paces calls (tests share a fake one with the emulator); not
	// part of revops.yaml.
	Clock zohocampaigns.Clock `yaml:"-"`
	// Transport sends the requests; tests point it at the emulator.
	Transport http.RoundTripper `yaml:"-"`
	// TokenCacheDir keeps access tokens between runs (set by the CLI).
	TokenCacheDir string `yaml:"-"`
}

// SetDefaults fills the zero fields.
func (o *Options) SetDefaults() {
	if o.DataCenter == "" {
		o.DataCenter = "US"
	}
	o.DataCenter = strings.ToUpper(o.DataCenter)
	if len(o.Objects) == 0 {
		o.Objects = slices.Clone(Objects)
	}
	if len(o.Actions) == 0 {
		o.Actions = slices.Clone(DefaultActions)
	}
	if o.Settle == 0 {
		o.Settle = 72 * time.Hour
	}
	if o.PageSize == 0 {
		o.PageSize = zohocampaigns.MaxRange
	}
	if o.CallShare == 0 {
		o.CallShare = zohocampaigns.DefaultPace.Share
	}
	if o.CallLimit == 0 {
		o.CallLimit = zohocampaigns.DefaultPace.Limit
	}
	o.Limits = o.Limits.WithDefaults()
}

// Validate reports the first problem as "key: reason".
func (o *Options) Validate() error {
	o.SetDefaults()
	if !slices.Contains(DataCenters, o.DataCenter) {
		return fmt.Errorf("data_center: %q is not one of %s", o.DataCenter, strings.Join(DataCenters, ", "))
	}
	if err := httpx.CheckURLs("accounts_url", o.AccountsURL, "campaigns_url", o.CampaignsURL); err != nil {
		return err
	}
	switch {
	case o.ClientID == "":
		return errors.New("client_id: required")
	case o.ClientSecret == "":
		return errors.New("client_secret: required")
	case o.RefreshToken == "":
		return errors.New("refresh_token: required (with the scope ZohoCampaigns.campaign.READ)")
	case o.Settle < 0:
		return errors.New("settle: must not be negative")
	case o.PageSize < 1 || o.PageSize > zohocampaigns.MaxRange:
		return fmt.Errorf("page_size: %d is outside 1..%d", o.PageSize, zohocampaigns.MaxRange)
	case o.CallLimit < 1:
		return fmt.Errorf("call_limit: %d is not a number of calls (500 as documented)", o.CallLimit)
	case o.CallShare <= 0 || o.CallShare > 1:
		return fmt.Errorf("call_share: %v is not a share between 0 and 1 (0.9 = 450 of the 500 calls per 5 minutes)", o.CallShare)
	}
	if _, err := o.location(); err != nil {
		return err
	}
	for i, obj := range o.Objects {
		if !slices.Contains(Objects, obj) {
			return fmt.Errorf("objects[%d]: %q is not one of %s", i, obj, strings.Join(Objects, ", "))
		}
	}
	for i, a := range o.Actions {
		if !slices.Contains(zohocampaigns.Actions, a) {
			return fmt.Errorf("actions[%d]: %q is not one of %s", i, a, strings.Join(zohocampaigns.Actions, ", "))
		}
	}
	return o.Limits.Validate()
}

func (o *Options) location() (*time.Location, error) {
	if o.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time_zone: %q is not a time zone name (like Asia/Kolkata)", o.TimeZone)
	}
	return loc, nil
}

// ClientConfig is the API client's configuration for these options.
func (o *Options) ClientConfig(log *slog.Logger) zohocampaigns.Config {
	c := *o
	c.SetDefaults()
	return zohocampaigns.Config{DataCenter: c.DataCenter, AccountsURL: c.AccountsURL, BaseURL: c.CampaignsURL,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, RefreshToken: c.RefreshToken, System: "zoho_campaigns",
		Limits: c.Limits, Pace: zohocampaigns.Pace{Limit: c.CallLimit, Share: c.CallShare}, Clock: c.Clock, Transport: c.Transport,
		Log: log, TokenCacheDir: c.TokenCacheDir}
}
