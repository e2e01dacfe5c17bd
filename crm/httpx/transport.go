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
// only after a 429 or a failed connect (the server did not see them)
// unless marked Retryable. Response bodies are read whole inside the
// retry loop, so a connection dropped mid-body is retried too.
//
// A request that cannot connect at all fails fast instead: a host name
// that does not resolve fails at once (*ConnectError, NotFound), and a
// host that refuses the connection, cannot be reached or does not answer
// the connect is tried ConnectRetries more times, quickly, before a
// *ConnectError says so. Every retry is logged (warn; info for a 429)
// with the method, the URL path (never the query), what failed, the
// attempt number out of the most there can be, and the wait.
type Transport struct {
	base    http.RoundTripper
	limits  Limits
	limiter *rate.Limiter
	sem     chan struct{}
	log     *slog.Logger
	system  string

	// BaseDelay and MaxDelay shape the backoff (defaults 250ms and 30s).
	BaseDelay, MaxDelay time.Duration
	// ConnectRetries bounds the retries of a request whose connection
	// failed (refused, unreachable, connect timeout), within
	// Limits.MaxRetries (default DefaultConnectRetries).
	ConnectRetries int

	mu    sync.Mutex
	total Stats
	byTag map[string]*Stats
	rnd   *rand.Rand
}

// DefaultConnectRetries is Transport.ConnectRetries unless set otherwise.
const DefaultConnectRetries = 2

// ConnectTimeout bounds the TCP connect of the default base transport.
const ConnectTimeout = 10 * time.Second

// NewTransport wraps base with limits. A nil base is a copy of
// http.DefaultTransport whose connects give up after ConnectTimeout.
func NewTransport(system string, base http.RoundTripper, limits Limits, log *slog.Logger) *Transport {
	if base == nil {
		base = defaultBase()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	limits = limits.WithDefaults()
	return &Transport{
		base:           base,
		limits:         limits,
		limiter:        rate.NewLimiter(rate.Limit(limits.RequestsPerSecond), limits.Burst),
		sem:            make(chan struct{}, limits.Concurrency),
		log:            log,
		system:         system,
		BaseDelay:      250 * time.Millisecond,
		MaxDelay:       30 * time.Second,
		ConnectRetries: DefaultConnectRetries,
		byTag:          map[string]*Stats{},
		rnd:            rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x5eed)),
	}
}

func defaultBase() http.RoundTripper {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	tr := dt.Clone()
	tr.DialContext = (&net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	return tr
}

// ConnectError is a request that never reached the server: its host name
// did not resolve (NotFound), or every connect attempt failed (Refused:
// the host refused them all). It names the host, never the URL, whose
// query may hold secrets.
type ConnectError struct {
	Method, Path string
	Host         string
	NotFound     bool // the host name does not resolve
	Refused      bool // the host refused the connection
	Attempts     int
	Err          error
}

func (e *ConnectError) Error() string {
	switch {
	case e.NotFound:
		return fmt.Sprintf("%s %s: host %s not found (DNS): %v", e.Method, e.Path, e.Host, e.Err)
	case e.Refused:
		return fmt.Sprintf("%s %s: %s refused the connection (%d attempts; is the service running and the URL right?): %v",
			e.Method, e.Path, e.Host, e.Attempts, e.Err)
	}
	return fmt.Sprintf("%s %s: cannot connect to %s (%d attempts): %v", e.Method, e.Path, e.Host, e.Attempts, e.Err)
}

// Unwrap returns the network error.
func (e *ConnectError) Unwrap() error { return e.Err }

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
	connectFails := 0
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
		o := t.classify(ctx, resp, err)
		if o.notFound {
			return nil, &ConnectError{Method: req.Method, Path: req.URL.Path, Host: req.URL.Host, NotFound: true,
				Attempts: attempt + 1, Err: err}
		}
		// Most attempts this request can have if every further one fails alike.
		most := t.limits.MaxRetries + 1
		if o.connect {
			connectFails++
			most = min(most, attempt+1+t.ConnectRetries-(connectFails-1))
		}
		// A 429 or a failed connect means the server did not process the
		// request, so even a write that is not idempotent may be sent again.
		unseen := o.connect || err == nil && resp.StatusCode == http.StatusTooManyRequests
		if !o.again || !(retry || (unseen && replayable)) || attempt+1 >= most {
			if o.connect {
				return nil, &ConnectError{Method: req.Method, Path: req.URL.Path, Host: req.URL.Host,
					Refused: errors.Is(err, syscall.ECONNREFUSED), Attempts: attempt + 1, Err: err}
			}
			if err != nil {
				return nil, err
			}
			return resp, nil
		}
		if resp != nil {
			resp.Body.Close()
		}
		wait := o.wait
		if wait == 0 {
			n := attempt
			if o.connect {
				n = connectFails - 1 // quick: the host is down, not busy
			}
			wait = t.backoff(n)
		}
		level := slog.LevelWarn
		if o.throttled {
			level = slog.LevelInfo
		}
		t.log.Log(ctx, level, "retrying request", "system", t.system, "method", req.Method, "path", req.URL.Path,
			"error", reason(resp, err), "attempt", attempt+1, "of", most, "wait", wait.Round(time.Millisecond))
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
	body, err := readBody(resp)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", r.Method, r.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// maxSizeHint caps the buffer a Content-Length reserves before the body
// arrives, so that a lying header cannot make one huge allocation.
const maxSizeHint = 64 << 20

// readBody reads a whole body into one buffer sized by its
// Content-Length when the answer has one (io.ReadAll grows and copies
// its buffer several times over a page of a few hundred kilobytes).
func readBody(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n <= 0 || n > maxSizeHint {
		return io.ReadAll(resp.Body)
	}
	buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead)) // room for the read that sees EOF
	_, err := buf.ReadFrom(resp.Body)
	return buf.Bytes(), err
}

// outcome is what classify made of one attempt.
type outcome struct {
	again     bool          // worth another attempt
	wait      time.Duration // the server's Retry-After
	throttled bool          // a 429
	connect   bool          // the connection failed: the server never saw the request
	notFound  bool          // the host name does not resolve: no attempt will do better
}

// classify says whether an outcome is worth another attempt, and how long
// the server asked to wait.
func (t *Transport) classify(ctx context.Context, resp *http.Response, err error) outcome {
	if err != nil {
		if ctx.Err() != nil {
			return outcome{}
		}
		var dns *net.DNSError
		if errors.As(err, &dns) && dns.IsNotFound {
			return outcome{notFound: true}
		}
		if dialFailed(err) {
			t.count(ctx, func(s *Stats) { s.Failures++ })
			return outcome{again: true, connect: true}
		}
		if transient(err) {
			t.count(ctx, func(s *Stats) { s.Failures++ })
			return outcome{again: true}
		}
		return outcome{}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		t.count(ctx, func(s *Stats) { s.Throttled++ })
		return outcome{again: true, wait: retryAfter(resp), throttled: true}
	case resp.StatusCode == http.StatusInternalServerError, resp.StatusCode == http.StatusBadGateway,
		resp.StatusCode == http.StatusServiceUnavailable, resp.StatusCode == http.StatusGatewayTimeout:
		t.count(ctx, func(s *Stats) { s.Failures++ })
		return outcome{again: true, wait: retryAfter(resp)}
	}
	return outcome{}
}

// dialFailed reports a failure to connect (refused, unreachable, connect
// timeout, a DNS server that did not answer): nothing was sent.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" || errors.Is(err, syscall.ECONNREFUSED)
}

func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
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
