// Package zohoprojects is the API client for Zoho Projects (V3 API,
// reference sheet §18) that the zoho_projects sync destination uses:
// OAuth as crm/zoho does it (the same accounts servers and refresh_token
// grant, the Zoho-oauthtoken header), the Projects host per data center,
// portals, and projects of one portal (list, get, create from a
// template, update, delete, search by name), with V3's error shape
// ({"error":{status_code,title,error_type,details}}) as *APIError.
//
// Zoho blocks a user for 30 minutes after more than 100 calls in 2
// minutes (stated for Deluge tasks; for REST unconfirmed): the client
// paces its calls below that (Config.Pace), and once blocked it fails
// every call at once with ErrBlocked until the block ends instead of
// retrying into it.
package zohoprojects

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
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
)

// System names the client in transport stats and logs.
const System = "zoho_projects"

// Hosts are the Projects API hosts by data center: US from Zoho's
// documentation, the others unconfirmed.
var Hosts = map[string]string{
	"US": "https://projectsapi.zoho.com", "EU": "https://projectsapi.zoho.eu", "IN": "https://projectsapi.zoho.in",
	"AU": "https://projectsapi.zoho.com.au", "JP": "https://projectsapi.zoho.jp", "CA": "https://projectsapi.zohocloud.ca",
	"CN": "https://projectsapi.zoho.com.cn", "SA": "https://projectsapi.zoho.sa",
}

// Pace is how many calls the API allows in a window before it blocks.
type Pace struct {
	Calls  int
	Window time.Duration
}

// DefaultPace is Zoho's stated limit: 100 calls in 2 minutes (then a
// 30-minute block; for REST unconfirmed).
var DefaultPace = Pace{Calls: 100, Window: 2 * time.Minute}

// Limits returns transport limits that keep any window of p.Window
// within 90% of p.Calls: a burst of a tenth and a steady rate of the
// remaining 80% (every attempt, retries included, passes the limiter).
func (p Pace) Limits() httpx.Limits {
	burst := max(1, p.Calls/10)
	return httpx.Limits{RequestsPerSecond: float64(p.Calls) * 0.8 / p.Window.Seconds(), Burst: burst, Concurrency: 2}
}

// Config configures a Client.
type Config struct {
	// DataCenter picks the accounts server and Projects host (default US).
	DataCenter string
	// AccountsURL and APIURL override the data center's accounts server
	// and Projects host.
	AccountsURL, APIURL string
	// PortalID is the portal the projects live in; required.
	PortalID string
	// ClientID, ClientSecret and RefreshToken are the OAuth credentials;
	// the refresh token needs ZohoProjects.portals.READ and
	// ZohoProjects.projects.ALL (or READ, CREATE, UPDATE).
	ClientID, ClientSecret, RefreshToken string
	// Pace is the API's call limit (default DefaultPace); with no Limits,
	// the client's are Pace.Limits().
	Pace Pace
	// Limits override the pacing (tests).
	Limits httpx.Limits
	// Transport sends the requests (default http.DefaultTransport).
	Transport http.RoundTripper
	// Log receives retries and token fetches (default: discarded).
	Log *slog.Logger
	// TokenCacheDir keeps access tokens between runs ("" = none).
	TokenCacheDir string
}

// Client calls Zoho Projects for one portal; safe for concurrent use.
type Client struct {
	cfg   Config
	api   string
	tr    *httpx.Transport
	auth  *httpx.Auth
	hc    *http.Client
	guard *blockGuard
}

// New returns a Client for cfg. It does not call the network.
func New(cfg Config) (*Client, error) {
	dc, err := zoho.LookupDataCenter(cfg.DataCenter)
	if err != nil {
		return nil, fmt.Errorf("zohoprojects: data_center: %w", err)
	}
	if cfg.PortalID == "" {
		return nil, errors.New("zohoprojects: portal_id is required")
	}
	if cfg.Pace.Calls <= 0 || cfg.Pace.Window <= 0 {
		cfg.Pace = DefaultPace
	}
	if cfg.Limits == (httpx.Limits{}) {
		cfg.Limits = cfg.Pace.Limits()
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	oauth := zoho.OAuth{DataCenter: dc, AccountsURL: cfg.AccountsURL, Transport: cfg.Transport, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RefreshToken: cfg.RefreshToken, CacheDir: cfg.TokenCacheDir, System: System, Log: log}
	if err := oauth.Check(); err != nil {
		return nil, fmt.Errorf("zohoprojects: %w", err)
	}
	c := &Client{cfg: cfg, api: strings.TrimSuffix(cfg.APIURL, "/")}
	if c.api == "" {
		c.api = Hosts[dc.Code]
	}
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.guard = &blockGuard{base: base}
	c.tr = httpx.NewTransport(System, c.guard, cfg.Limits, log)
	// Token calls go to the accounts server: not paced with the API's.
	tokenTr := httpx.NewTransport(System+"_accounts", cfg.Transport, httpx.Limits{}, log)
	// Any 401 renews the token (httpx.Auth's default).
	c.auth = &httpx.Auth{Fetch: oauth.TokenFunc(tokenTr), Scheme: zoho.AuthScheme, Base: c.tr}
	c.hc = &http.Client{Transport: c.auth}
	return c, nil
}

// PortalID returns the portal the client addresses.
func (c *Client) PortalID() string { return c.cfg.PortalID }

// Stats returns the API transport's request counts so far (token
// fetches are not among them).
func (c *Client) Stats() httpx.Stats { return c.tr.Stats() }

// Connect fetches an access token now.
func (c *Client) Connect(ctx context.Context) error {
	if _, err := c.auth.Token(ctx); err != nil {
		return fmt.Errorf("zohoprojects: %w", err)
	}
	return nil
}

// call sends one request to path (below the host) and decodes a 2xx
// answer into out; a V3 error body becomes *APIError.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body, out any) (int, error) {
	var rd io.Reader
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return 0, fmt.Errorf("encode body: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	target := c.api + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, err
	}
	if data != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return 0, fmt.Errorf("%s %s: %w", method, req.URL.Path, ue.Err)
		}
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &httpx.StatusError{Method: method, Path: req.URL.Path, Code: resp.StatusCode, Body: raw}
		if e := parseError(resp.StatusCode, raw); e != nil {
			e.status = se
			return resp.StatusCode, e
		}
		return resp.StatusCode, se
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode answer: %w", method, req.URL.Path, err)
		}
	}
	return resp.StatusCode, nil
}

// blockGuard sits under the transport: once the API answers that the
// user is blocked (429 with title BLOCKED, the emulator's; Zoho's own
// body for it is unconfirmed), it fails that call and every call until
// the block ends with *BlockedError, which the transport does not retry.
type blockGuard struct {
	base  http.RoundTripper
	mu    sync.Mutex
	until time.Time
}

// BlockTime is how long Zoho blocks a user who made too many calls.
const BlockTime = 30 * time.Minute

// ErrBlocked is matched by the error of a call made while Zoho Projects
// blocks the user (more than 100 calls in 2 minutes).
var ErrBlocked = errors.New("zohoprojects: blocked for making too many calls")

// BlockedError says until when calls are refused.
type BlockedError struct{ Until time.Time }

func (e *BlockedError) Error() string {
	return fmt.Sprintf("zoho projects blocks this user until %s (more than 100 calls in 2 minutes; calls resume then)",
		e.Until.Format(time.RFC3339))
}

// Is matches ErrBlocked.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

func (g *blockGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	until := g.until
	g.mu.Unlock()
	if time.Now().Before(until) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &BlockedError{Until: until}
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	raw, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if rerr == nil {
		if e := parseError(resp.StatusCode, raw); e != nil && e.Title == TitleBlocked {
			u := time.Now().Add(BlockTime)
			g.mu.Lock()
			g.until = u
			g.mu.Unlock()
			return nil, &BlockedError{Until: u}
		}
	}
	return resp, nil
}
