// Package zoho is the API client for Zoho CRM (v8) and Zoho Desk (v1) that
// extract and sync share: OAuth per data center, records with paging and
// the 50-field limit, the deleted-records and related-records APIs, COQL,
// metadata, batched writes with per-record results, and Desk lists.
//
// Every call goes through one httpx.Transport (concurrency cap, rate limit,
// retries honouring Retry-After) under an httpx.Auth that adds the
// Zoho-oauthtoken header and renews the token when the API answers
// INVALID_TOKEN (CRM) or INVALID_OAUTH (Desk). Errors are wrapped with the
// operation ("zoho: list Leads page 3: …") and Zoho's error bodies become
// *APIError; token failures, which Zoho answers with HTTP 200, become
// *TokenError. No secret ever appears in an error or a log line.
package zoho

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
	"sync"
	"sync/atomic"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// Config configures a Client.
type Config struct {
	// DataCenter picks the accounts server, API domain and Desk host (default US).
	DataCenter string
	// AccountsURL, APIDomain and DeskURL override the data center's hosts.
	// Without APIDomain the client uses the api_domain of the token answer.
	AccountsURL, APIDomain, DeskURL string
	// OrgID is the Desk organization id (the orgId header); Desk only.
	OrgID string
	// ClientID, ClientSecret and RefreshToken are the OAuth credentials
	// (refresh_token grant).
	ClientID, ClientSecret, RefreshToken string
	// System names the transport in logs and stats (default "zoho_crm").
	System string
	// Limits bound the client's pressure on the API.
	Limits httpx.Limits
	// Transport sends the requests (default http.DefaultTransport); tests
	// point it at an emulator.
	Transport http.RoundTripper
	// Log receives retries and token renewals (default: discarded).
	Log *slog.Logger
	// TokenCacheDir keeps access tokens between runs (httpx.TokenCache), so
	// runs in quick succession stay within Zoho's ten tokens per refresh
	// token in ten minutes; "" fetches a token per client.
	TokenCacheDir string
	// BulkPoll is the first wait before polling a bulk read or write job;
	// it doubles after each poll up to 30 s (default 1 s).
	BulkPoll time.Duration
	// UploadURL overrides the upload host of bulk write files (default:
	// APIDomain when that is set, else the data center's upload host).
	UploadURL string
}

// Client calls Zoho CRM and, through Desk, Zoho Desk. It is safe for
// concurrent use.
type Client struct {
	cfg    Config
	dc     DataCenter
	tr     *httpx.Transport
	auth   *httpx.Auth
	hc     *http.Client
	log    *slog.Logger
	domain *APIDomain

	mu   sync.Mutex
	zgid string

	// credits counts the API credits the client's calls cost, as the
	// sheet prices them (see Credits); remaining is the last
	// X-API-CREDITS-REMAINING seen, -1 before any.
	credits   atomic.Int64
	remaining atomic.Int64
	// gate is asked before each CRM call (SetGate).
	gate atomic.Pointer[Gate]
}

// Gate is asked before each API call with what it is (method and path)
// and its credits as Credits prices them: it returns a release, called
// once the call is counted in Credits, or an error that fails the call
// unsent. A budget shared by several clients or goroutines reserves the
// credits there (package budget).
type Gate func(ctx context.Context, what string, credits int64) (release func(), err error)

// SetGate makes every call ask g first (nil: none).
func (c *Client) SetGate(g Gate) {
	if g == nil {
		c.gate.Store(nil)
		return
	}
	c.gate.Store(&g)
}

// reserve asks the gate for a call of credits; the release is a no-op
// without a gate.
func (c *Client) reserve(ctx context.Context, method, path string, credits int64) (func(), error) {
	g := c.gate.Load()
	if g == nil {
		return func() {}, nil
	}
	release, err := (*g)(ctx, method+" "+path, credits)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return release, nil
}

// New returns a Client for cfg. It does not call the network: the first
// API call fetches the token.
func New(cfg Config) (*Client, error) {
	dc, err := LookupDataCenter(cfg.DataCenter)
	if err != nil {
		return nil, err
	}
	if cfg.System == "" {
		cfg.System = "zoho_crm"
	}
	if cfg.BulkPoll <= 0 {
		cfg.BulkPoll = time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	oauth := OAuth{DataCenter: dc, AccountsURL: cfg.AccountsURL, Transport: cfg.Transport, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RefreshToken: cfg.RefreshToken, CacheDir: cfg.TokenCacheDir, System: cfg.System, Log: log}
	if err := oauth.Check(); err != nil {
		return nil, fmt.Errorf("zoho: %w", err)
	}
	c := &Client{cfg: cfg, dc: dc, log: log, domain: NewAPIDomain(cfg.APIDomain, dc.APIDomain)}
	c.remaining.Store(-1)
	c.tr = httpx.NewTransport(cfg.System, cfg.Transport, cfg.Limits, log)
	c.auth = &httpx.Auth{Fetch: c.domain.Track(oauth.TokenFunc(c.tr)), Scheme: AuthScheme, Expired: tokenExpired, Base: c.tr}
	c.hc = &http.Client{Transport: c.auth}
	return c, nil
}

// tokenExpired recognizes a dead access token: CRM's 401 INVALID_TOKEN
// and Desk's 401 INVALID_OAUTH.
func tokenExpired(resp *http.Response, body []byte) bool {
	if resp.StatusCode != http.StatusUnauthorized {
		return false
	}
	e := parseAPIError(resp.StatusCode, body)
	return e != nil && (e.Code == "INVALID_TOKEN" || e.Code == "INVALID_OAUTH")
}

// Connect fetches an access token now (calls do it on demand), so that bad
// credentials or a wrong data center show before any work starts.
func (c *Client) Connect(ctx context.Context) error {
	if _, err := c.auth.Token(ctx); err != nil {
		return fmt.Errorf("zoho: %w", err)
	}
	return nil
}

// APIDomain returns the CRM API domain in use: the configured one, else the
// token answer's api_domain, else the data center's.
func (c *Client) APIDomain() string {
	return c.domain.String()
}

// Stats returns the transport's request counts so far.
func (c *Client) Stats() httpx.Stats { return c.tr.Stats() }

// TagStats returns the counts of the requests made under an httpx.WithTag tag.
func (c *Client) TagStats(tag string) httpx.Stats { return c.tr.TagStats(tag) }

// TokenFetches is how many access tokens the client fetched.
func (c *Client) TokenFetches() int { return c.auth.Fetches() }

// crmURL is the URL of a CRM v8 path with its query.
func (c *Client) crmURL(path string, q url.Values) string {
	u := c.APIDomain() + "/crm/v8/" + strings.TrimPrefix(path, "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// response is an answer read whole.
type response struct {
	status       int
	header       http.Header
	body         []byte
	method, path string
}

// send makes one request and fails on a non-2xx answer: Zoho's error
// bodies become *APIError, others *httpx.StatusError. 204 and 304 are
// returned as they are.
func (c *Client) send(ctx context.Context, method string, target func() string, hdr http.Header, body any) (*response, error) {
	return c.sendInto(ctx, method, target, hdr, body, nil)
}

// sendInto is send with the body of a 2xx answer read into buf (see
// sendRawInto).
func (c *Client) sendInto(ctx context.Context, method string, target func() string, hdr http.Header, body any, buf *bytes.Buffer) (*response, error) {
	r, err := c.sendRawInto(ctx, method, target, hdr, body, buf)
	if err != nil {
		return nil, err
	}
	if r.status >= 200 && r.status <= 299 || r.status == http.StatusNotModified {
		return r, nil
	}
	return nil, r.err()
}

// err is the error of a non-2xx answer.
func (r *response) err() error {
	se := &httpx.StatusError{Method: r.method, Path: r.path, Code: r.status, Body: r.body}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err == nil {
		se.RetryAfter = time.Duration(s) * time.Second
	}
	return asAPIError(se)
}

// sendRaw makes one request and returns the answer whatever its status. A
// token is fetched first, so that the API domain of the token answer is
// known before target builds the URL. body is JSON-encoded when not nil.
func (c *Client) sendRaw(ctx context.Context, method string, target func() string, hdr http.Header, body any) (*response, error) {
	return c.sendRawInto(ctx, method, target, hdr, body, nil)
}

// sendRawInto is sendRaw reading a 2xx answer's body into buf (reset
// first) when buf is not nil: the body is then valid until buf is used
// again. Other answers get a body of their own, which errors keep.
func (c *Client) sendRawInto(ctx context.Context, method string, target func() string, hdr http.Header, body any, buf *bytes.Buffer) (*response, error) {
	if _, err := c.auth.Token(ctx); err != nil {
		return nil, err
	}
	var rd io.Reader
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode body: %w", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, target(), rd)
	if err != nil {
		return nil, err
	}
	if data != nil {
		req.Header.Set("Content-Type", "application/json")
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	release, err := c.reserve(ctx, method, req.URL.Path, int64(callCost(ctx)))
	if err != nil {
		return nil, err
	}
	// The credits are counted before the reservation ends.
	defer release()
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the whole URL; keep the path only.
			return nil, fmt.Errorf("%s %s: %w", method, req.URL.Path, ue.Err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	out := &response{status: resp.StatusCode, header: resp.Header, method: method, path: req.URL.Path}
	if buf != nil && out.status >= 200 && out.status <= 299 {
		buf.Reset()
		if resp.ContentLength > 0 && resp.ContentLength < 1<<30 {
			buf.Grow(int(resp.ContentLength) + bytes.MinRead)
		}
		if _, err := buf.ReadFrom(resp.Body); err != nil {
			return nil, fmt.Errorf("%s %s: read: %w", method, req.URL.Path, err)
		}
		out.body = buf.Bytes()
	} else if out.body, err = io.ReadAll(resp.Body); err != nil {
		return nil, fmt.Errorf("%s %s: read: %w", method, req.URL.Path, err)
	}
	if out.status != http.StatusTooManyRequests && out.status != http.StatusUnauthorized {
		c.credits.Add(int64(callCost(ctx)))
	}
	c.noteCredits(out.header)
	return out, nil
}

type costKey struct{}

// withCost prices the calls made with ctx at n credits each (default 1).
func withCost(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, costKey{}, n)
}

func callCost(ctx context.Context) int {
	if n, ok := ctx.Value(costKey{}).(int); ok {
		return n
	}
	return 1
}

// noteCredits keeps the X-API-CREDITS-REMAINING of an answer.
func (c *Client) noteCredits(h http.Header) {
	if v := h.Get("X-API-CREDITS-REMAINING"); v != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			c.remaining.Store(n)
		}
	}
}

// Credits is what the client's CRM calls cost so far, priced as the
// reference sheet prices them (§6.1: one credit per call, writes one per
// ten records, a bulk read job 50, a bulk write job 500; answers 401 and
// 429 are not counted). Zoho reports no spend per call, so this is the
// client's own count; retries inside the transport are not seen here.
func (c *Client) Credits() int64 { return c.credits.Load() }

// CreditsRemaining is the org's credits left as the last
// X-API-CREDITS-REMAINING said, or -1 when no answer carried it (Zoho
// sends it only once half of the day's base credits are used).
func (c *Client) CreditsRemaining() int64 { return c.remaining.Load() }

// decode reads a JSON body with numbers kept as json.Number, so that
// bigint ids and currency values lose no digits.
func decode(body []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// serverTime returns the Date header of a response, or the zero time.
func serverTime(h http.Header) time.Time {
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t
}
