package zohoprojects

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zohoprojects"
)

// Options is a `type: zoho_projects` entry of `sources:` (a destination
// only). Secrets may be given as ${VAR} or through <key>_file.
type Options struct {
	// DataCenter picks the accounts server and Projects host (default US).
	DataCenter string `yaml:"data_center"`
	// AccountsURL and APIURL override the data center's hosts.
	AccountsURL string `yaml:"accounts_url"`
	APIURL      string `yaml:"api_url"`
	// PortalID is the portal the projects are made in.
	PortalID     string `yaml:"portal_id"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	RefreshToken string `yaml:"refresh_token"`
	// CallLimit is the calls in 2 minutes past which Zoho Projects blocks
	// the user for 30 minutes (default 100, as Zoho states it; change it
	// only for a portal whose limit differs, or an emulator's). revops
	// paces itself below it.
	CallLimit int `yaml:"call_limit"`
	// Limits override the pacing below CallLimit; limits that would
	// exceed it are refused.
	Limits httpx.Limits `yaml:"limits"`
	// Transport sends the requests (tests); not part of revops.yaml.
	Transport http.RoundTripper `yaml:"-"`
	// TokenCacheDir keeps access tokens between runs (set by the CLI).
	TokenCacheDir string `yaml:"-"`
}

// Validate reports the first problem as "key: reason".
func (o *Options) Validate() error {
	if o.DataCenter == "" {
		o.DataCenter = "US"
	}
	o.DataCenter = strings.ToUpper(o.DataCenter)
	if _, err := zoho.LookupDataCenter(o.DataCenter); err != nil {
		return fmt.Errorf("data_center: %q is not a Zoho data center (US, EU, IN, AU, JP, CA, CN, SA)", o.DataCenter)
	}
	if err := httpx.CheckURLs("accounts_url", o.AccountsURL, "api_url", o.APIURL); err != nil {
		return err
	}
	switch {
	case o.PortalID == "":
		return errors.New("portal_id: required (the number in the portal's URL, or GET /api/v3/portals)")
	case strings.Trim(o.PortalID, "0123456789") != "":
		return fmt.Errorf("portal_id: %q is not a Projects portal id (digits only)", o.PortalID)
	case o.ClientID == "":
		return errors.New("client_id: required")
	case o.ClientSecret == "":
		return errors.New("client_secret: required")
	case o.RefreshToken == "":
		return errors.New("refresh_token: required (with the scopes ZohoProjects.portals.READ and ZohoProjects.projects.ALL)")
	}
	if o.CallLimit < 0 {
		return fmt.Errorf("call_limit: %d: want the calls Zoho Projects allows in 2 minutes (default %d)", o.CallLimit, zohoprojects.DefaultPace.Calls)
	}
	if err := o.Limits.Validate(); err != nil {
		return err
	}
	if o.Limits.RequestsPerSecond > 0 {
		p := o.pace()
		burst := o.Limits.WithDefaults().Burst
		if in := o.Limits.RequestsPerSecond*p.Window.Seconds() + float64(burst); in > float64(p.Calls) {
			return fmt.Errorf("limits.requests_per_second: %v a second with a burst of %d allows %.0f calls in 2 minutes; "+
				"Zoho Projects blocks a user for 30 minutes past %d (call_limit; leave limits out: revops paces below it)",
				o.Limits.RequestsPerSecond, burst, in, p.Calls)
		}
	}
	return nil
}

// ClientConfig is the Projects client's configuration for these options.
// pace is the API's call limit: DefaultPace with CallLimit's calls.
func (o *Options) pace() zohoprojects.Pace {
	p := zohoprojects.DefaultPace
	if o.CallLimit > 0 {
		p.Calls = o.CallLimit
	}
	return p
}

func (o *Options) ClientConfig(log *slog.Logger) zohoprojects.Config {
	cfg := zohoprojects.Config{DataCenter: o.DataCenter, AccountsURL: o.AccountsURL, APIURL: o.APIURL, PortalID: o.PortalID,
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken, Transport: o.Transport, Log: log,
		TokenCacheDir: o.TokenCacheDir, Pace: o.pace()}
	if o.Limits.RequestsPerSecond > 0 {
		cfg.Limits = o.Limits.WithDefaults()
	} else if o.Limits != (httpx.Limits{}) {
		l := o.pace().Limits()
		l.MaxRetries, l.Timeout = o.Limits.MaxRetries, o.Limits.Timeout
		if o.Limits.Concurrency > 0 {
			l.Concurrency = o.Limits.Concurrency
		}
		cfg.Limits = l
	}
	return cfg
}
