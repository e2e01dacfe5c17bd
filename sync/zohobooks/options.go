package zohobooks

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zohobooks"
)

// Options is a `type: zoho_books` entry of `sources:` (a destination
// only). Secrets may be given as ${VAR} or through <key>_file.
type Options struct {
	// DataCenter picks the accounts server and API domain (default US).
	DataCenter string `yaml:"data_center"`
	// AccountsURL and APIDomain override the data center's hosts (the
	// API root is APIDomain + /books/v3).
	AccountsURL string `yaml:"accounts_url"`
	APIDomain   string `yaml:"api_domain"`
	// OrganizationID is the Books organization (organization_id).
	OrganizationID string `yaml:"organization_id"`
	ClientID       string `yaml:"client_id"`
	ClientSecret   string `yaml:"client_secret"`
	RefreshToken   string `yaml:"refresh_token"`
	// CustomFields are the contact custom fields (API names, cf_…) syncs
	// write or match on; one matched on must be unique in Books.
	CustomFields []string `yaml:"custom_fields"`
	// Limits bound the pressure on the API (default 1.5 requests a
	// second, below Books' 100 a minute).
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
	if err := httpx.CheckURLs("accounts_url", o.AccountsURL, "api_domain", o.APIDomain); err != nil {
		return err
	}
	switch {
	case o.OrganizationID == "":
		return errors.New("organization_id: required (Books: Settings → Organization Profile, or GET /organizations)")
	case strings.Trim(o.OrganizationID, "0123456789") != "":
		return fmt.Errorf("organization_id: %q is not a Books organization id (digits only)", o.OrganizationID)
	case o.ClientID == "":
		return errors.New("client_id: required")
	case o.ClientSecret == "":
		return errors.New("client_secret: required")
	case o.RefreshToken == "":
		return errors.New("refresh_token: required (with the scopes ZohoBooks.contacts.ALL and ZohoBooks.settings.READ, or ZohoBooks.fullaccess.all)")
	}
	for i, f := range o.CustomFields {
		if !strings.HasPrefix(f, "cf_") || len(f) == 3 {
			return fmt.Errorf("custom_fields[%d]: %q is not a custom field API name (cf_…)", i, f)
		}
		if slices.Contains(o.CustomFields[:i], f) {
			return fmt.Errorf("custom_fields[%d]: %s is listed twice", i, f)
		}
	}
	return o.Limits.Validate()
}

// ClientConfig is the Books client's configuration for these options.
func (o *Options) ClientConfig(log *slog.Logger) zohobooks.Config {
	l := o.Limits
	if l != (httpx.Limits{}) && l.RequestsPerSecond == 0 {
		// Pacing left out: Books' default, the rest as set.
		l.RequestsPerSecond, l.Burst = zohobooks.DefaultLimits.RequestsPerSecond, zohobooks.DefaultLimits.Burst
	}
	return zohobooks.Config{DataCenter: o.DataCenter, AccountsURL: o.AccountsURL, APIDomain: o.APIDomain,
		OrganizationID: o.OrganizationID, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RefreshToken: o.RefreshToken,
		Limits: l, Transport: o.Transport, Log: log, TokenCacheDir: o.TokenCacheDir}
}
