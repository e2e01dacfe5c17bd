// Package salesforce will extract Salesforce objects into the warehouse;
// today it holds the source's configuration, which `revops validate`
// checks.
package salesforce

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce"
)

// Options is a `type: salesforce` entry of `sources:`.
type Options struct {
	// LoginURL is the OAuth host (default https://login.salesforce.com;
	// https://test.salesforce.com for sandboxes, or a My Domain URL).
	LoginURL string `yaml:"login_url"`
	// APIVersion is the REST API version without the v (default 62.0).
	APIVersion string `yaml:"api_version"`
	// Auth says how revops gets its access token.
	Auth Auth `yaml:"auth"`
	// Objects to extract (default: Lead, Contact, Account, Opportunity,
	// OpportunityHistory, Case, Task, Campaign, CampaignMember, User).
	Objects []string `yaml:"objects"`
	// History keeps every version of these objects (default: Lead, Opportunity).
	History []string `yaml:"history"`
	// BulkThreshold switches an object to Bulk API 2.0 above this many
	// changed records (default 50,000).
	BulkThreshold int `yaml:"bulk_threshold"`
	// APIBudget is the share of the org's daily API requests
	// (DailyApiRequests, as Salesforce reports it) that revops's extracts
	// and syncs may use, counting what the org used (default 0.8).
	APIBudget float64 `yaml:"api_budget"`
	// BulkWindow splits a Bulk API 2.0 read of more rows than this into
	// SystemModstamp windows of about this many rows, one query job each;
	// the end of each window is a checkpoint, so a failed or killed read
	// keeps the windows before it (default 500,000).
	BulkWindow int `yaml:"bulk_window"`
	// Lookback re-reads this much time before the cursor (default 5m).
	Lookback time.Duration `yaml:"lookback"`
	// Limits bound the client's request rate and concurrency.
	Limits httpx.Limits `yaml:"limits"`
}

// Auth holds the OAuth flow and its credentials.
type Auth struct {
	// Flow is refresh_token, client_credentials or jwt.
	Flow         string `yaml:"flow"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	RefreshToken string `yaml:"refresh_token"`
	// Username is the subject of the JWT bearer flow.
	Username string `yaml:"username"`
	// PrivateKey is the PEM key that signs JWT assertions (use private_key_file).
	PrivateKey string `yaml:"private_key"`
}

// DefaultObjects are extracted when Objects is empty.
var DefaultObjects = []string{"Lead", "Contact", "Account", "Opportunity", "OpportunityHistory",
	"Case", "Task", "Campaign", "CampaignMember", "User"}

var (
	versionRE = regexp.MustCompile(`^[0-9]{2}\.0$`)
	objectRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// SetDefaults fills the zero fields.
func (o *Options) SetDefaults() {
	if o.LoginURL == "" {
		o.LoginURL = "https://login.salesforce.com"
	}
	if o.APIVersion == "" {
		o.APIVersion = "62.0"
	}
	if len(o.Objects) == 0 {
		o.Objects = append([]string(nil), DefaultObjects...)
	}
	if o.History == nil {
		o.History = []string{"Lead", "Opportunity"}
	}
	if o.BulkThreshold == 0 {
		o.BulkThreshold = 50_000
	}
	if o.BulkWindow == 0 {
		o.BulkWindow = 500_000
	}
	if o.Lookback == 0 {
		o.Lookback = 5 * time.Minute
	}
	o.Limits = o.Limits.WithDefaults()
}

// ClientConfig is the API client's configuration for these options
// (defaults applied): what the extractor and the sync destination share.
func (o Options) ClientConfig() salesforce.Config {
	o.SetDefaults()
	return salesforce.Config{
		LoginURL: o.LoginURL, APIVersion: o.APIVersion, Flow: o.Auth.Flow,
		ClientID: o.Auth.ClientID, ClientSecret: o.Auth.ClientSecret, RefreshToken: o.Auth.RefreshToken,
		Username: o.Auth.Username, PrivateKeyPEM: o.Auth.PrivateKey, Limits: o.Limits,
	}
}

// Validate reports the first problem as "key: reason".
func (o *Options) Validate() error {
	o.SetDefaults()
	if u, err := url.Parse(o.LoginURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("login_url: %q is not an http(s) URL", o.LoginURL)
	}
	if !versionRE.MatchString(o.APIVersion) {
		return fmt.Errorf("api_version: %q is not a version such as 62.0", o.APIVersion)
	}
	a := o.Auth
	if a.ClientID == "" {
		return errors.New("auth.client_id: required (the connected app's consumer key)")
	}
	switch a.Flow {
	case "refresh_token", "":
		if a.ClientSecret == "" || a.RefreshToken == "" {
			return errors.New("auth: the refresh_token flow needs client_secret and refresh_token")
		}
	case "client_credentials":
		if a.ClientSecret == "" {
			return errors.New("auth.client_secret: required by the client_credentials flow")
		}
	case "jwt":
		if a.Username == "" || a.PrivateKey == "" {
			return errors.New("auth: the jwt flow needs username and private_key (or private_key_file)")
		}
	default:
		return fmt.Errorf("auth.flow: %q is not refresh_token, client_credentials or jwt", a.Flow)
	}
	for i, obj := range o.Objects {
		if !objectRE.MatchString(obj) {
			return fmt.Errorf("objects[%d]: %q is not an object API name", i, obj)
		}
	}
	if o.BulkThreshold < 0 {
		return errors.New("bulk_threshold: must not be negative")
	}
	if o.APIBudget < 0 || o.APIBudget > 1 {
		return fmt.Errorf("api_budget: %v is not a share between 0 and 1 (0.8 = 80%% of the daily requests)", o.APIBudget)
	}
	if o.BulkWindow < 0 {
		return errors.New("bulk_window: must not be negative")
	}
	if o.Lookback < 0 {
		return errors.New("lookback: must not be negative")
	}
	return o.Limits.Validate()
}
