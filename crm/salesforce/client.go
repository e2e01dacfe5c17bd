// Package salesforce is the Salesforce API client revops's extract and
// sync stages share: OAuth (refresh token, client credentials, JWT bearer),
// SOQL query/queryAll with paging, describe, Bulk API 2.0 query jobs,
// replication (getDeleted), limits, Composite Batch (several reads in one
// API call), and sObject Collections writes. It
// talks to a real org or to the emulator in crm/salesforce/sftest alike.
//
// Every request goes through one httpx.Transport (concurrency cap, rate
// limit, retries honouring Retry-After) under an httpx.Auth layer that
// renews the access token when Salesforce answers 401 INVALID_SESSION_ID
// and replays the request once. API errors come back as *APIError, token
// endpoint refusals as *AuthError; both are wrapped with the operation
// ("salesforce: query Lead page 3: …"). No error or log line holds a token
// or a secret.
package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// DefaultAPIVersion is the REST API version used when Config leaves it empty.
const DefaultAPIVersion = "62.0"

// Config says how to reach and log in to an org.
type Config struct {
	// LoginURL is the OAuth host: https://login.salesforce.com,
	// https://test.salesforce.com, a My Domain URL, or an emulator's URL.
	LoginURL string
	// APIVersion is the REST version without the v (default 62.0).
	APIVersion string
	// Flow is FlowRefreshToken (default), FlowClientCredentials or FlowJWT.
	Flow string
	// ClientID and ClientSecret identify the connected app.
	ClientID, ClientSecret string
	// RefreshToken is used by the refresh_token flow.
	RefreshToken string
	// Username is the subject of the JWT bearer flow.
	Username string
	// PrivateKeyPEM signs JWT bearer assertions (RS256; PKCS#1 or PKCS#8 PEM).
	PrivateKeyPEM string
	// Limits bound the request rate, concurrency and retries.
	Limits httpx.Limits
	// BulkPageSize is maxRecords per Bulk API 2.0 results page (default 50,000).
	BulkPageSize int
	// BulkPoll is the first wait between polls of a Bulk job; it doubles up
	// to 10 s (default 50 ms).
	BulkPoll time.Duration
	// Base is the RoundTripper under the retrying transport
	// (http.DefaultTransport when nil).
	Base http.RoundTripper
}

// Client is a logged-in Salesforce API client. It is safe for concurrent use.
type Client struct {
	cfg       Config
	log       *slog.Logger
	transport *httpx.Transport
	auth      *httpx.Auth
	hc        *http.Client
	instance  string // instance_url of the first token
	version   string // "62.0"

	// apiUsed and apiMax are the last Sforce-Limit-Info api-usage seen
	// (-1 before any).
	apiUsed, apiMax atomic.Int64
	// gate is asked before each request (SetGate).
	gate atomic.Pointer[Gate]
}

// Gate is asked before each API request (token fetches aside) with what
// it is (method and path) and its cost (one request): it returns a
// release, called once the request is done and counted in Stats, or an
// error that fails the request unsent. A budget shared by several
// clients or goroutines reserves the call there (package budget).
type Gate func(ctx context.Context, what string, cost int64) (release func(), err error)

// SetGate makes every request ask g first (nil: none).
func (c *Client) SetGate(g Gate) {
	if g == nil {
		c.gate.Store(nil)
		return
	}
	c.gate.Store(&g)
}

// Stats are the counts of a Client's requests.
type Stats struct {
	httpx.Stats
	// TokenFetches counts access tokens fetched (the first login included).
	TokenFetches int
}

// New logs in with cfg's flow (so bad credentials fail here, as an
// *AuthError) and returns a client bound to the org's instance_url.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Client, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	cfg.APIVersion = strings.TrimPrefix(cfg.APIVersion, "v")
	if cfg.BulkPageSize <= 0 {
		cfg.BulkPageSize = 50_000
	}
	if cfg.BulkPoll <= 0 {
		cfg.BulkPoll = 50 * time.Millisecond
	}
	u, err := url.Parse(cfg.LoginURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("salesforce: login URL %q is not an http(s) URL", cfg.LoginURL)
	}
	t := httpx.NewTransport("salesforce", cfg.Base, cfg.Limits, log)
	fetch, err := tokenFunc(cfg, &http.Client{Transport: t})
	if err != nil {
		return nil, fmt.Errorf("salesforce: %w", err)
	}
	a := &httpx.Auth{Fetch: fetch, Scheme: "Bearer", Expired: sessionExpired, Base: t}
	c := &Client{cfg: cfg, log: log, transport: t, auth: a, version: cfg.APIVersion}
	c.apiUsed.Store(-1)
	c.hc = &http.Client{Transport: limitInfo{base: a, c: c}}
	tok, err := a.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("salesforce: login to %s: %w", u.Host, err)
	}
	c.instance = instanceURL(tok)
	if c.instance == "" {
		return nil, fmt.Errorf("salesforce: login to %s: the token response has no instance_url", u.Host)
	}
	log.Debug("salesforce: logged in", "flow", cfg.Flow, "instance", c.instance, "api", cfg.APIVersion)
	return c, nil
}

// InstanceURL is the org's instance URL from the token response.
func (c *Client) InstanceURL() string { return c.instance }

// APIVersion is the REST version in use, e.g. "62.0".
func (c *Client) APIVersion() string { return c.version }

// Stats returns the request counts so far (retries and token fetches
// included).
func (c *Client) Stats() Stats {
	return Stats{Stats: c.transport.Stats(), TokenFetches: c.auth.Fetches()}
}

// TagStats returns the counts of requests made with httpx.WithTag(ctx, tag).
func (c *Client) TagStats(tag string) httpx.Stats { return c.transport.TagStats(tag) }

// dataPath is the REST path of a resource: /services/data/vXX.X/<rest>.
func (c *Client) dataPath(rest string) string {
	return "/services/data/v" + c.version + "/" + strings.TrimLeft(rest, "/")
}

// request is one API call.
type request struct {
	method string
	path   string     // absolute path on the instance (/services/data/…)
	query  url.Values // may be nil
	body   any        // JSON-encoded unless []byte
	header http.Header
	// conditional accepts 304 Not Modified as an answer.
	conditional bool
}

// send performs r and returns the response with a 2xx status (its body
// already read whole by the transport) or an *APIError.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.instance + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		data, ok := r.body.([]byte)
		if !ok {
			var err error
			if data, err = json.Marshal(r.body); err != nil {
				return nil, fmt.Errorf("encode request: %w", err)
			}
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	if r.conditional && resp.StatusCode == http.StatusNotModified {
		return resp, nil
	}
	if _, err := httpx.Check(resp); err != nil {
		return nil, apiError(err)
	}
	return resp, nil
}

// do performs r and decodes the JSON answer into out (numbers as
// json.Number when out is an any or map).
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode %s answer: %w", r.method, err)
	}
	return nil
}

// unwrapURLError drops *url.Error's URL (which may hold a query string)
// and keeps its cause.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s %s: %w", ue.Op, redact(ue.URL), ue.Err)
	}
	return err
}

// redact cuts the query off a URL.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

var fromRE = regexp.MustCompile(`(?i)\bFROM\s+([A-Za-z0-9_]+)`)

// objectOf returns the object a SOQL statement reads ("?" when unclear):
// the FROM outside parentheses, not a subquery's.
func objectOf(soql string) string {
	var outer strings.Builder
	depth := 0
	quoted := false
	for i := 0; i < len(soql); i++ {
		c := soql[i]
		switch {
		case quoted && c == '\\':
			i++
			continue
		case c == '\'':
			quoted = !quoted
		case !quoted && c == '(':
			depth++
		case !quoted && c == ')':
			depth = max(0, depth-1)
		case depth == 0:
			outer.WriteByte(c)
			continue
		}
		if depth == 0 {
			outer.WriteByte(' ')
		}
	}
	if m := fromRE.FindStringSubmatch(outer.String()); m != nil {
		return m[1]
	}
	return "?"
}

// limitInfo reads the Sforce-Limit-Info header of every answer, and asks
// the client's Gate before each request.
type limitInfo struct {
	base http.RoundTripper
	c    *Client
}

func (l limitInfo) RoundTrip(r *http.Request) (*http.Response, error) {
	if g := l.c.gate.Load(); g != nil {
		release, err := (*g)(r.Context(), r.Method+" "+r.URL.Path, 1)
		if err != nil {
			if r.Body != nil {
				r.Body.Close()
			}
			return nil, err
		}
		// The transport has counted the request's attempts when it
		// returns: the reservation ends after them.
		defer release()
	}
	resp, err := l.base.RoundTrip(r)
	if resp != nil {
		if used, max, ok := ParseLimitInfo(resp.Header.Get("Sforce-Limit-Info")); ok {
			l.c.apiMax.Store(max)
			l.c.apiUsed.Store(used)
		}
	}
	return resp, err
}

// ParseLimitInfo reads the api-usage of a Sforce-Limit-Info header
// ("api-usage=10018/100000", possibly beside other entries): the org's
// API requests used in the last 24 hours and its daily allowance.
func ParseLimitInfo(h string) (used, max int64, ok bool) {
	for _, part := range strings.Split(h, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "api-usage") {
			continue
		}
		u, m, found := strings.Cut(strings.TrimSpace(v), "/")
		if !found {
			return 0, 0, false
		}
		var err1, err2 error
		used, err1 = strconv.ParseInt(strings.TrimSpace(u), 10, 64)
		max, err2 = strconv.ParseInt(strings.TrimSpace(m), 10, 64)
		if err1 != nil || err2 != nil || max <= 0 {
			return 0, 0, false
		}
		return used, max, true
	}
	return 0, 0, false
}

// APIUsage is the org's daily API use and allowance as the last answer's
// Sforce-Limit-Info said; ok is false before any answer carried it.
func (c *Client) APIUsage() (used, max int64, ok bool) {
	used, max = c.apiUsed.Load(), c.apiMax.Load()
	return used, max, used >= 0 && max > 0
}
