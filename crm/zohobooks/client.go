// Package zohobooks is the API client for Zoho Books (API v3, reference
// sheet §17) that the zoho_books sync destination uses: OAuth per data
// center as crm/zoho does it (the same accounts servers, refresh_token
// grant, Zoho-oauthtoken header, an access-token cache between runs), the
// API root per data center ({api_domain}/books/v3), organization_id on
// every call, Books' envelope ({"code":0,"message":…} on success, a
// non-zero code on failure, even under HTTP 200) turned into *APIError,
// and contacts: list with paging and filters, get, create, update (PUT),
// upsert by a unique custom field, delete.
//
// Every call goes through one httpx.Transport (rate limit, concurrency,
// retries honouring Retry-After; PUT, GET and DELETE are repeated after a
// 5xx or a dropped connection, POST only when the server cannot have seen
// it). No secret appears in an error or a log line.
package zohobooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
)

// System names the client in transport stats and logs.
const System = "zoho_books"

// Config configures a Client.
type Config struct {
	// DataCenter picks the accounts server and API domain (default US).
	// Books is documented on the US, EU, IN, AU and SA domains; JP, CA and
	// CN are unconfirmed (reference sheet §17).
	DataCenter string
	// AccountsURL and APIDomain override the data center's hosts; without
	// APIDomain the client uses the api_domain of the token answer. The
	// API root is APIDomain + "/books/v3".
	AccountsURL, APIDomain string
	// OrganizationID is the Books organization every call addresses
	// (organization_id); required.
	OrganizationID string
	// ClientID, ClientSecret and RefreshToken are the OAuth credentials
	// (refresh_token grant); the refresh token needs ZohoBooks.contacts.*
	// (or ZohoBooks.fullaccess.all) and ZohoBooks.settings.READ for
	// GET /organizations.
	ClientID, ClientSecret, RefreshToken string
	// Limits bound the client's pressure on the API. Books allows 100
	// requests a minute per organization (secondary source) and a daily
	// count per edition: the default here is 1.5 requests a second.
	Limits httpx.Limits
	// Transport sends the requests (default http.DefaultTransport).
	Transport http.RoundTripper
	// Log receives retries and token fetches (default: discarded).
	Log *slog.Logger
	// TokenCacheDir keeps access tokens between runs ("" = none).
	TokenCacheDir string
}

// DefaultLimits are the limits of a Client whose Config sets none: below
// the 100 requests a minute Books allows an organization (secondary).
var DefaultLimits = httpx.Limits{RequestsPerSecond: 1.5, Burst: 10, Concurrency: 2}

// Client calls Zoho Books for one organization. It is safe for concurrent
// use.
type Client struct {
	cfg    Config
	tr     *httpx.Transport
	auth   *httpx.Auth
	hc     *http.Client
	domain *zoho.APIDomain
}

// New returns a Client for cfg. It does not call the network.
func New(cfg Config) (*Client, error) {
	dc, err := zoho.LookupDataCenter(cfg.DataCenter)
	if err != nil {
		return nil, fmt.Errorf("zohobooks: data_center: %w", err)
	}
	if cfg.OrganizationID == "" {
		return nil, errors.New("zohobooks: organization_id is required")
	}
	if cfg.Limits == (httpx.Limits{}) {
		cfg.Limits = DefaultLimits
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	oauth := zoho.OAuth{DataCenter: dc, AccountsURL: cfg.AccountsURL, Transport: cfg.Transport, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RefreshToken: cfg.RefreshToken, CacheDir: cfg.TokenCacheDir, System: System, Log: log}
	if err := oauth.Check(); err != nil {
		return nil, fmt.Errorf("zohobooks: %w", err)
	}
	c := &Client{cfg: cfg, domain: zoho.NewAPIDomain(cfg.APIDomain, dc.APIDomain)}
	c.tr = httpx.NewTransport(System, cfg.Transport, cfg.Limits, log)
	c.auth = &httpx.Auth{Fetch: c.domain.Track(oauth.TokenFunc(c.tr)), Scheme: zoho.AuthScheme, Base: c.tr, Expired: tokenExpired}
	c.hc = &http.Client{Transport: c.auth}
	return c, nil
}

// OrganizationID returns the organization the client addresses.
func (c *Client) OrganizationID() string { return c.cfg.OrganizationID }

// Stats returns the transport's request counts so far.
func (c *Client) Stats() httpx.Stats { return c.tr.Stats() }

// Connect fetches an access token now, so that bad credentials or a wrong
// data center show before any work starts.
func (c *Client) Connect(ctx context.Context) error {
	if _, err := c.auth.Token(ctx); err != nil {
		return fmt.Errorf("zohobooks: %w", err)
	}
	return nil
}

// Root returns the API root in use: {api_domain}/books/v3.
func (c *Client) Root() string {
	return c.domain.String() + "/books/v3"
}

// url is the URL of a path with q and the organization_id.
func (c *Client) url(path string, q url.Values) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("organization_id", c.cfg.OrganizationID)
	return c.Root() + "/" + strings.TrimPrefix(path, "/") + "?" + v.Encode()
}

// envelope is the part of every Books answer the client reads first.
type envelope struct {
	Code    json.Number `json:"code"`
	Message string      `json:"message"`
}

// call sends one request and decodes the answer into out (when not nil).
// A non-2xx answer, or a 2xx whose code is not 0, is an *APIError. The
// organization_id goes with every call but the organizations list.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, hdr http.Header, body, out any) (int, error) {
	if _, err := c.auth.Token(ctx); err != nil {
		return 0, err
	}
	var rd io.Reader
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return 0, fmt.Errorf("encode body: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	target := c.url(path, q)
	if path == "organizations" {
		target = c.Root() + "/organizations"
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, err
	}
	if data != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the URL; keep the path only.
			return 0, fmt.Errorf("%s %s: %w", method, req.URL.Path, ue.Err)
		}
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read: %w", method, req.URL.Path, err)
	}
	se := &httpx.StatusError{Method: method, Path: req.URL.Path, Code: resp.StatusCode, Body: raw}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		se.RetryAfter = time.Duration(s) * time.Second
	}
	var env envelope
	if jerr := json.Unmarshal(raw, &env); jerr != nil || env.Code == "" {
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return resp.StatusCode, fmt.Errorf("%s %s: answer without Books' code: %s", method, req.URL.Path, snippet(raw))
		}
		return resp.StatusCode, se
	}
	if code, _ := env.Code.Int64(); code != 0 || resp.StatusCode > 299 {
		return resp.StatusCode, &APIError{Status: resp.StatusCode, Code: int(code), Message: env.Message,
			OrganizationID: c.cfg.OrganizationID, status: se}
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode answer: %w", method, req.URL.Path, err)
		}
	}
	return resp.StatusCode, nil
}

func snippet(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// tokenExpired recognizes a dead access token: a 401 other than a
// missing scope (code 57), which a new token does not cure.
func tokenExpired(resp *http.Response, body []byte) bool {
	if resp.StatusCode != http.StatusUnauthorized {
		return false
	}
	var env envelope
	if json.Unmarshal(body, &env) == nil {
		if n, err := env.Code.Int64(); err == nil && n == CodeNotAuthorized {
			return false
		}
	}
	return true
}
