package httpx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// TokenFunc fetches a fresh access token (an OAuth grant against the
// API's token endpoint).
type TokenFunc func(ctx context.Context) (*oauth2.Token, error)

// Auth is a RoundTripper that adds the access token to every request,
// fetches a new one when it expires, and when the API answers that the
// session is no longer valid (Expired) fetches a new token and replays the
// request once, so a token that dies mid-run loses no request.
type Auth struct {
	// Fetch gets a new token.
	Fetch TokenFunc
	// Scheme prefixes the token in the Authorization header ("Bearer",
	// Zoho's "Zoho-oauthtoken").
	Scheme string
	// Expired recognizes the API's answer to a dead token; by default any 401.
	Expired func(resp *http.Response, body []byte) bool
	// Base sends the requests (usually a *Transport).
	Base http.RoundTripper

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshes int
}

// Token returns the current token, fetching one when there is none or it
// is about to expire.
func (a *Auth) Token(ctx context.Context) (*oauth2.Token, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok != nil && (a.tok.Expiry.IsZero() || time.Until(a.tok.Expiry) > 30*time.Second) {
		return a.tok, nil
	}
	return a.fetchLocked(ctx)
}

func (a *Auth) fetchLocked(ctx context.Context) (*oauth2.Token, error) {
	tok, err := a.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("token endpoint answered without an access token")
	}
	a.tok = tok
	a.refreshes++
	return tok, nil
}

// Fetches is how many tokens were fetched so far.
func (a *Auth) Fetches() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refreshes
}

// renew replaces used with a new token unless another request already did.
func (a *Auth) renew(ctx context.Context, used *oauth2.Token) (*oauth2.Token, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tok != nil && a.tok != used {
		return a.tok, nil
	}
	return a.fetchLocked(ctx)
}

// RoundTrip sends req with the token, renewing it once if the API says it died.
func (a *Auth) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := a.Token(req.Context())
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	resp, err := a.send(req, tok, false)
	if err != nil || !a.expired(resp) {
		return resp, err
	}
	if req.Body != nil && req.GetBody == nil {
		return resp, nil // cannot replay: the caller sees the 401
	}
	resp.Body.Close()
	tok, err = a.renew(req.Context(), tok)
	if err != nil {
		return nil, fmt.Errorf("auth: renew expired token: %w", err)
	}
	return a.send(req, tok, true)
}

func (a *Auth) send(req *http.Request, tok *oauth2.Token, replay bool) (*http.Response, error) {
	r := req.Clone(req.Context())
	if replay && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	r.Header.Set("Authorization", a.Scheme+" "+tok.AccessToken)
	base := a.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

func (a *Auth) expired(resp *http.Response) bool {
	if a.Expired == nil {
		return resp.StatusCode == http.StatusUnauthorized
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return a.Expired(resp, body)
}
