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
// request (up to twice), so a token that dies mid-run loses no request.
//
// Fetches are single-flight, keyed on the token they replace: however
// many requests fail at once with the same dead token, one fetch runs and
// they all share its outcome; a request that failed with a token already
// replaced just replays with the new one. A failed fetch is shared the
// same way, and is remembered for the dead token for FailureHold: requests
// that fail with that token meanwhile get the same error at once instead
// of asking again an accounts server that refused (Zoho grants ten tokens
// per ten minutes and then refuses for the rest of the window).
type Auth struct {
	// Fetch gets a new token.
	Fetch TokenFunc
	// Scheme prefixes the token in the Authorization header ("Bearer",
	// Zoho's "Zoho-oauthtoken").
	Scheme string
	// Expired recognizes the API's answer to a dead token among the 401
	// answers (it is asked about no other status); by default any 401.
	Expired func(resp *http.Response, body []byte) bool
	// Base sends the requests (usually a *Transport).
	Base http.RoundTripper
	// FailureHold is how long a failed fetch answers for the token it was
	// to replace (default DefaultFailureHold; negative: not at all).
	FailureHold time.Duration

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshes int
	attempts  int
	flight    *tokenFlight // the fetch running now, if any
	failed    *tokenFlight // the last fetch, when it failed
}

// DefaultFailureHold is Auth.FailureHold when it is 0.
const DefaultFailureHold = 30 * time.Second

// tokenFlight is one fetch, shared by every request that waits for it.
type tokenFlight struct {
	replaces *oauth2.Token // the token it replaces (nil: there was none)
	done     chan struct{}
	tok      *oauth2.Token
	err      error
	ended    time.Time
}

// Token returns the current token, fetching one when there is none or it
// is about to expire.
func (a *Auth) Token(ctx context.Context) (*oauth2.Token, error) {
	a.mu.Lock()
	if a.tok != nil && (a.tok.Expiry.IsZero() || time.Until(a.tok.Expiry) > 30*time.Second) {
		tok := a.tok
		a.mu.Unlock()
		return tok, nil
	}
	return a.fetchUnlock(ctx, a.tok)
}

// renew replaces used, the token the API refused, unless another request
// already did: then the current token is the answer.
func (a *Auth) renew(ctx context.Context, used *oauth2.Token) (*oauth2.Token, error) {
	a.mu.Lock()
	if a.tok != nil && a.tok != used {
		tok := a.tok
		a.mu.Unlock()
		return tok, nil
	}
	return a.fetchUnlock(ctx, used)
}

// fetchUnlock, called with a.mu held (and releasing it), gets the token
// that replaces old: it joins the fetch in flight, answers with the
// failure of the last fetch for old while FailureHold lasts, or starts a
// fetch. The fetch runs on its own, not cancelled with the request that
// started it, because other requests may be waiting for it; each waiter
// stops waiting when its own ctx ends.
func (a *Auth) fetchUnlock(ctx context.Context, old *oauth2.Token) (*oauth2.Token, error) {
	f := a.flight
	if f == nil {
		hold := a.FailureHold
		if hold == 0 {
			hold = DefaultFailureHold
		}
		if last := a.failed; last != nil && last.replaces == old && time.Since(last.ended) < hold {
			a.mu.Unlock()
			return nil, last.err
		}
		f = &tokenFlight{replaces: old, done: make(chan struct{})}
		a.flight = f
		a.attempts++
		go a.run(context.WithoutCancel(ctx), f)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run performs one fetch and publishes its outcome.
func (a *Auth) run(ctx context.Context, f *tokenFlight) {
	tok, err := a.Fetch(ctx)
	if err == nil && tok.AccessToken == "" {
		err = fmt.Errorf("token endpoint answered without an access token")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	f.ended = time.Now()
	if err != nil {
		f.err = err
		a.failed = f
	} else {
		f.tok = tok
		a.tok = tok
		a.refreshes++
		a.failed = nil
	}
	a.flight = nil
	close(f.done)
}

// Fetches is how many tokens were fetched so far.
func (a *Auth) Fetches() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refreshes
}

// FetchAttempts is how many fetches were started so far, failed ones included.
func (a *Auth) FetchAttempts() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.attempts
}

// maxRenewals bounds how often one request renews its token: a replay
// with a fresh token may meet an expiry again (another request's token
// died meanwhile), but a token refused right after every grant is not
// worth more grants.
const maxRenewals = 2

// RoundTrip sends req with the token, renewing it and replaying the
// request (up to twice) when the API says the token died.
func (a *Auth) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := a.Token(req.Context())
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	resp, err := a.send(req, tok, false)
	for renewals := 0; err == nil && renewals < maxRenewals && a.expired(resp); renewals++ {
		if req.Body != nil && req.GetBody == nil {
			return resp, nil // cannot replay: the caller sees the 401
		}
		resp.Body.Close()
		tok, err = a.renew(req.Context(), tok)
		if err != nil {
			return nil, fmt.Errorf("auth: renew expired token: %w", err)
		}
		resp, err = a.send(req, tok, true)
	}
	return resp, err
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
	if a.Expired == nil || resp.StatusCode != http.StatusUnauthorized {
		// Only a 401 can say the token died: every other answer, the
		// pages of data above all, goes on without its body read again.
		return resp.StatusCode == http.StatusUnauthorized
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return a.Expired(resp, body)
}
