package zoho

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/revops/revops/crm/httpx"
)

// AuthScheme prefixes the access token in the Authorization header of
// every Zoho API (CRM, Desk, Books, Projects, Campaigns).
const AuthScheme = "Zoho-oauthtoken"

// OAuth is the OAuth side that every Zoho API client shares: the
// refresh_token grant against a data center's accounts server, its
// failures as *TokenError, and access tokens kept between runs. The
// clients of Books, Projects and Campaigns use it as this package does.
type OAuth struct {
	// DataCenter is the data center whose accounts server grants tokens.
	DataCenter DataCenter
	// AccountsURL overrides the data center's accounts server.
	AccountsURL string
	// ClientID, ClientSecret and RefreshToken are the credentials.
	ClientID, ClientSecret, RefreshToken string
	// CacheDir keeps access tokens between runs (httpx.TokenCache), so
	// that runs in quick succession stay within Zoho's ten tokens per
	// refresh token in ten minutes; "" fetches a token per client.
	CacheDir string
	// Transport is the client's configured transport (nil: the default
	// one). Clients share a token within the process only when they
	// reach the accounts server the same way: a test's transport may send
	// one URL to another server.
	Transport http.RoundTripper
	// System names the client in log lines.
	System string
	// Log receives token fetches and cache troubles (default: discarded).
	Log *slog.Logger
}

// Check reports the first credential missing.
func (o OAuth) Check() error {
	switch {
	case o.ClientID == "":
		return errors.New("client_id is required")
	case o.ClientSecret == "":
		return errors.New("client_secret is required")
	case o.RefreshToken == "":
		return errors.New("refresh_token is required")
	}
	return nil
}

// Accounts returns the accounts server in use: AccountsURL, else the
// data center's.
func (o OAuth) Accounts() string {
	if a := strings.TrimSuffix(o.AccountsURL, "/"); a != "" {
		return a
	}
	return o.DataCenter.AccountsURL
}

// TokenFunc returns what fetches an access token: the refresh_token
// grant, sent through tr and repeated as tr repeats a safe call, behind
// the token cache of CacheDir. The cache file is keyed on the accounts
// server, the data center and every credential, so that a token got
// with other credentials (a right secret before a wrong one) is never
// used, while the clients of several Zoho services with the same
// credentials share one. A refusal of the accounts server is a
// *TokenError; no secret appears in any error.
func (o OAuth) TokenFunc(tr http.RoundTripper) httpx.TokenFunc {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	accounts := o.Accounts()
	fetch := func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := o.grant(ctx, accounts, tr)
		if err != nil {
			return nil, err
		}
		log.Debug("zoho token fetched", "system", o.System, "accounts", accounts, "expires", tok.Expiry)
		return tok, nil
	}
	cache := httpx.TokenCache{Dir: o.CacheDir}
	key := ""
	if o.CacheDir != "" {
		var err error
		key, err = cache.Key("zoho", accounts, o.DataCenter.Code, o.ClientID, o.ClientSecret, o.RefreshToken)
		if err != nil {
			log.Warn("zoho: access tokens are not kept between runs", "system", o.System, "error", err)
		}
	}
	// Within the process, the clients of one set of credentials share
	// one token even without the cache on disk.
	shared := sharedTokens.Wrap(httpx.SharedKey("zoho", accounts, o.DataCenter.Code, o.ClientID, o.ClientSecret, o.RefreshToken,
		fmt.Sprintf("%p", o.Transport)), fetch)
	return cache.Wrap(key, shared, "api_domain")
}

// sharedTokens are the access tokens of this process's Zoho clients.
var sharedTokens httpx.SharedTokens

// grant runs the refresh_token grant against accounts.
func (o OAuth) grant(ctx context.Context, accounts string, tr http.RoundTripper) (*oauth2.Token, error) {
	conf := &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: accounts + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams},
	}
	// The grant is safe to repeat after a dropped connection or a 5xx.
	ctx = context.WithValue(httpx.Retryable(ctx), oauth2.HTTPClient, &http.Client{Transport: tr})
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: o.RefreshToken}).Token()
	if err == nil {
		return tok, nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		dc := o.DataCenter.Code
		if o.AccountsURL != "" {
			dc = ""
		}
		return nil, &TokenError{Code: re.ErrorCode, Description: re.ErrorDescription, AccountsURL: accounts, DataCenter: dc}
	}
	if errors.As(err, &re) && re.Response != nil {
		return nil, fmt.Errorf("token: %s answered HTTP %d", accounts, re.Response.StatusCode)
	}
	return nil, fmt.Errorf("token: %s: %w", accounts, scrub(err, o.ClientSecret, o.RefreshToken))
}

// scrub removes secrets from an error's text (a URL in a transport error
// could carry them in its query).
func scrub(err error, secrets ...string) error {
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "***")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}

// APIDomain is the API domain a Zoho client calls: the configured one,
// else the api_domain of the token answer in use, else the data
// center's. It is safe for concurrent use.
type APIDomain struct {
	configured, fallback string

	mu        sync.Mutex
	fromToken string
}

// NewAPIDomain returns the APIDomain of a client configured with
// configured ("" = none) in a data center whose domain is fallback.
func NewAPIDomain(configured, fallback string) *APIDomain {
	return &APIDomain{configured: strings.TrimSuffix(configured, "/"), fallback: fallback}
}

// String returns the domain in use.
func (d *APIDomain) String() string {
	if d.configured != "" {
		return d.configured
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fromToken != "" {
		return d.fromToken
	}
	return d.fallback
}

// Track returns fetch that also takes the api_domain of every token the
// client starts to use, fetched or cached.
func (d *APIDomain) Track(fetch httpx.TokenFunc) httpx.TokenFunc {
	return func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		if s, ok := tok.Extra("api_domain").(string); ok && s != "" {
			d.mu.Lock()
			d.fromToken = strings.TrimSuffix(s, "/")
			d.mu.Unlock()
		}
		return tok, nil
	}
}
