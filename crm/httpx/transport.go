package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// StatusError is an HTTP answer the client could not use: a non-2xx
// status after retries, with the body (cut to 4 KiB) for the API's own
// error parsing. It never holds request headers, so no token leaks.
type StatusError struct {
	Method     string
	Path       string // URL path without the query, which may hold secrets
	Code       int
	RetryAfter time.Duration
	Body       []byte
}

func (e *StatusError) Error() string {
	body := bytes.TrimSpace(e.Body)
	if len(body) > 300 {
		body = append(body[:300:300], "…"...)
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Code, body)
}

// Stats counts what a Transport did, in total or for one tag.
type Stats struct {
	Requests  int64 // attempts sent, retries included
	Retries   int64 // attempts that were retries
	Throttled int64 // 429 answers
	Failures  int64 // 5xx answers and dropped connections
}

type tagKey struct{}
type retryKey struct{}

// WithTag attributes the requests made with ctx to tag (e.g. an object
// name) in the Transport's per-tag Stats.
func WithTag(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, tagKey{}, tag)
}

// Retryable marks the requests made with ctx as safe to repeat although
// their method is not idempotent (a POST that only reads, such as COQL or
// a Bulk query job's status). Writes are never retried unless marked.
func Retryable(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryKey{}, true)
}

// Transport is the RoundTripper every API client shares: a concurrency
// cap, a rate limiter, and retries with exponential backoff and full
// jitter that honour Retry-After, for 429, 5xx and dropped connections,
// up to Limits.MaxRetries. Writes that are not idempotent are retried
// only after a 429 (the server did not process them) unless marked
// Retryable. Response bodies are read whole inside the
// retry loop, so a connection dropped mid-body is retried too.
type Transport struct {
	base    http.RoundTripper
	limits  Limits
	limiter *rate.Limiter
	sem     chan struct{}
	log     *slog.Logger
	system  string

	// BaseDelay and MaxDelay shape the backoff (defaults 250ms and 30s).
	BaseDelay, MaxDelay time.Duration

	mu    sync.Mutex
	total Stats
	byTag map[string]*Stats
	rnd   *rand.Rand
}

// NewTransport wraps base (http.DefaultTransport when nil) with limits.
func NewTransport(system string, base http.RoundTripper, limits Limits, log *slog.Logger) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limits = limits.WithDefaults()
	return &Transport{
		base:      base,
		limits:    limits,
		limiter:   rate.NewLimiter(rate.Limit(limits.RequestsPerSecond), limits.Burst),
		sem:       make(chan struct{}, limits.Concurrency),
		log:       log,
		system:    system,
		BaseDelay: 250 * time.Millisecond,
		MaxDelay:  30 * time.Second,
		byTag:     map[string]*Stats{},
		rnd:       rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed)),
	}
}

// Client returns an *http.Client using t, with the per-request timeout of the limits.
func (t *Transport) Client() *http.Client {
	return &http.Client{Transport: t, Timeout: 0}
}

// Stats returns the totals so far.
func (t *Transport) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// TagStats returns the counts of requests made under tag.
func (t *Transport) TagStats(tag string) Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.byTag[tag]; s != nil {
		return *s
	}
	return Stats{}
}

func (t *Transport) count(ctx context.Context, f func(*Stats)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.total)
	if tag, ok := ctx.Value(tagKey{}).(string); ok {
		s := t.byTag[tag]
		if s == nil {
			s = &Stats{}
			t.byTag[tag] = s
		}
		f(s)
	}
}

func idempotent(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	v, _ := r.Context().Value(retryKey{}).(bool)
	return v
}

// RoundTrip sends req, retrying where that is safe.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-t.sem }()

	replayable := req.Body == nil || req.GetBody != nil
	retry := idempotent(req) && replayable
	for attempt := 0; ; attempt++ {
		if err := t.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		r := req
		if attempt > 0 {
			r = req.Clone(ctx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		t.count(ctx, func(s *Stats) {
			s.Requests++
			if attempt > 0 {
				s.Retries++
			}
		})
		resp, err := t.attempt(r)
		wait, again := t.classify(ctx, resp, err)
		// A 429 means the server did not process the request, so even a
		// write that is not idempotent may be sent again.
		throttled := err == nil && resp.StatusCode == http.StatusTooManyRequests
		if !again || !(retry || (throttled && replayable)) || attempt >= t.limits.MaxRetries {
			if err != nil {
				return nil, err
			}
			return resp, nil
		}
		if resp != nil {
			resp.Body.Close()
		}
		if wait == 0 {
			wait = t.backoff(attempt)
		}
		t.log.Debug("retrying", "system", t.system, "method", req.Method, "path", req.URL.Path,
			"attempt", attempt+1, "wait", wait, "reason", reason(resp, err))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// attempt sends one request and reads the whole body, so that a drop
// mid-body is an error here rather than later in the caller's decoder.
func (t *Transport) attempt(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	if t.limits.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.limits.Timeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", r.Method, r.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// classify says whether an outcome is worth another attempt, and how long
// the server asked to wait.
func (t *Transport) classify(ctx context.Context, resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		if ctx.Err() != nil {
			return 0, false
		}
		if transient(err) {
			t.count(ctx, func(s *Stats) { s.Failures++ })
			return 0, true
		}
		return 0, false
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		t.count(ctx, func(s *Stats) { s.Throttled++ })
		return retryAfter(resp), true
	case resp.StatusCode == http.StatusInternalServerError, resp.StatusCode == http.StatusBadGateway,
		resp.StatusCode == http.StatusServiceUnavailable, resp.StatusCode == http.StatusGatewayTimeout:
		t.count(ctx, func(s *Stats) { s.Failures++ })
		return retryAfter(resp), true
	}
	return 0, false
}

func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

func reason(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(resp *http.Response) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0)
	}
	return 0
}

// backoff is exponential with full jitter: uniform in [0, min(max, base·2^n)].
func (t *Transport) backoff(attempt int) time.Duration {
	ceil := t.BaseDelay << min(attempt, 20)
	if ceil > t.MaxDelay || ceil <= 0 {
		ceil = t.MaxDelay
	}
	t.mu.Lock()
	d := time.Duration(t.rnd.Int64N(int64(ceil) + 1))
	t.mu.Unlock()
	return d
}

// Check turns a non-2xx response into a *StatusError (closing its body)
// and returns resp unchanged otherwise.
func Check(resp *http.Response) (*http.Response, error) {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	return nil, &StatusError{
		Method: resp.Request.Method, Path: resp.Request.URL.Path, Code: resp.StatusCode,
		RetryAfter: retryAfter(resp), Body: body,
	}
}
