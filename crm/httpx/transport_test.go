package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/revops/revops/crm/sandbox"
)

// emulated serves a tiny API through the sandbox's fault-injecting middleware.
func emulated(t *testing.T, faults *sandbox.Faults) (*httptest.Server, *sandbox.Counters) {
	t.Helper()
	counters := sandbox.NewCounters()
	h := &sandbox.Emulator{
		System:   "test",
		Endpoint: func(r *http.Request) string { return r.URL.Path },
		WriteError: func(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
			w.WriteHeader(map[sandbox.FaultKind]int{sandbox.Fault429: 429, sandbox.Fault500: 500, sandbox.Fault503: 503}[f.Kind])
			io.WriteString(w, `{"error":"injected"}`)
		},
		Counters: counters,
		Faults:   faults,
		Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"echo":"`+string(body)+`","pad":"`+strings.Repeat("x", 4096)+`"}`)
		}),
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, counters
}

func fastTransport(limits Limits) *Transport {
	tr := NewTransport("test", nil, limits, nil)
	tr.BaseDelay, tr.MaxDelay = time.Millisecond, 5*time.Millisecond
	return tr
}

func TestRetriesTransientFaults(t *testing.T) {
	cases := []struct {
		kind      sandbox.FaultKind
		throttled int64
		failures  int64
	}{
		{sandbox.Fault429, 2, 0},
		{sandbox.Fault500, 0, 2},
		{sandbox.Fault503, 0, 2},
		{sandbox.FaultDrop, 0, 2},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			faults := sandbox.NewFaults(1)
			faults.FailNext(2, c.kind)
			srv, counters := emulated(t, faults)
			tr := fastTransport(Limits{MaxRetries: 3})
			ctx := WithTag(t.Context(), "Lead")
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/page", nil)
			resp, err := tr.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"ok":true`) {
				t.Fatalf("final answer %d %.40q", resp.StatusCode, body)
			}
			st := tr.TagStats("Lead")
			want := Stats{Requests: 3, Retries: 2, Throttled: c.throttled, Failures: c.failures}
			if st != want || tr.Stats() != want {
				t.Fatalf("stats = %+v, want %+v", st, want)
			}
			if n := counters.Sum(nil); n != 3 {
				t.Fatalf("server saw %d requests, want 3", n)
			}
		})
	}
}

func TestGivesUpAfterMaxRetries(t *testing.T) {
	faults := sandbox.NewFaults(1)
	faults.FailNext(10, sandbox.Fault503)
	srv, _ := emulated(t, faults)
	tr := fastTransport(Limits{MaxRetries: 2})
	resp, err := tr.Client().Get(srv.URL + "/page")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(resp)
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.Path != "/page" {
		t.Fatalf("err = %v", err)
	}
	if st := tr.Stats(); st.Requests != 3 {
		t.Fatalf("requests = %d, want 1 + 2 retries", st.Requests)
	}
}

func TestWritesAreNotRetriedUnlessMarked(t *testing.T) {
	for _, marked := range []bool{false, true} {
		faults := sandbox.NewFaults(1)
		faults.FailNext(1, sandbox.Fault503)
		srv, counters := emulated(t, faults)
		tr := fastTransport(Limits{MaxRetries: 3})
		ctx := t.Context()
		if marked {
			ctx = Retryable(ctx)
		}
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/write", strings.NewReader("payload"))
		resp, err := tr.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if marked {
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"echo":"payload"`) || counters.Sum(nil) != 2 {
				t.Fatalf("marked POST: %d %.60q after %d requests; want the body replayed", resp.StatusCode, body, counters.Sum(nil))
			}
		} else if resp.StatusCode != 503 || counters.Sum(nil) != 1 {
			t.Fatalf("unmarked POST: status %d after %d requests; want 503 after 1", resp.StatusCode, counters.Sum(nil))
		}
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	faults := sandbox.NewFaults(1)
	faults.Add(sandbox.Rule{Kind: sandbox.Fault429, Times: 1, RetryAfter: time.Second})
	srv, _ := emulated(t, faults)
	tr := fastTransport(Limits{MaxRetries: 3})
	start := time.Now()
	resp, err := tr.Client().Get(srv.URL + "/page")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", err, resp)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("retried after %v; the server asked for 1s", waited)
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	faults := sandbox.NewFaults(1)
	faults.Add(sandbox.Rule{Kind: sandbox.Fault429, RetryAfter: 30 * time.Second})
	srv, _ := emulated(t, faults)
	tr := fastTransport(Limits{MaxRetries: 5})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/page", nil)
	start := time.Now()
	_, err := tr.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestConcurrencyCap(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	tr := fastTransport(Limits{Concurrency: 2, RequestsPerSecond: 1000, Burst: 100})
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			resp, err := tr.Client().Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
			done <- struct{}{}
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	if peak.Load() != 2 {
		t.Fatalf("peak concurrency %d, want 2", peak.Load())
	}
}

func TestAuthRenewsAndReplays(t *testing.T) {
	var current atomic.Value
	current.Store("tok-1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+current.Load().(string) {
			w.WriteHeader(401)
			io.WriteString(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, "ok:"+string(body))
	}))
	defer srv.Close()
	fetches := 0
	a := &Auth{
		Scheme: "Bearer",
		Fetch: func(ctx context.Context) (*oauth2.Token, error) {
			fetches++
			return &oauth2.Token{AccessToken: current.Load().(string), Expiry: time.Now().Add(time.Hour)}, nil
		},
		Expired: func(resp *http.Response, body []byte) bool {
			return resp.StatusCode == 401 && strings.Contains(string(body), "INVALID_SESSION_ID")
		},
		Base: fastTransport(Limits{}),
	}
	c := &http.Client{Transport: a}
	post := func() string {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("body"))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := post(); got != "ok:body" || fetches != 1 {
		t.Fatalf("first: %q after %d fetches", got, fetches)
	}
	current.Store("tok-2") // the server revokes the session
	if got := post(); got != "ok:body" || fetches != 2 {
		t.Fatalf("after expiry: %q after %d fetches; want the request replayed with a new token", got, fetches)
	}
}

func TestThrottledWriteIsRetried(t *testing.T) {
	faults := sandbox.NewFaults(1)
	faults.FailNext(2, sandbox.Fault429)
	srv, counters := emulated(t, faults)
	tr := fastTransport(Limits{MaxRetries: 3})
	req, _ := http.NewRequest("POST", srv.URL+"/write", strings.NewReader("payload"))
	resp, err := tr.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"echo":"payload"`) || counters.Sum(nil) != 3 {
		t.Fatalf("throttled POST: %d %.60q after %d requests; a 429 was not processed, so it is sent again", resp.StatusCode, body, counters.Sum(nil))
	}
}

// logged collects a logger's records as text.
func logged() (*slog.Logger, *strings.Builder) {
	var b strings.Builder
	var mu sync.Mutex
	return slog.New(slog.NewTextHandler(lockedWriter{&b, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// closedPort returns the address of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestRefusedConnectionFailsFast: a host that refuses every connection
// fails after 1 + ConnectRetries quick attempts (not MaxRetries slow
// ones), each retry logged at warn with what failed, attempt n of m and
// the wait, and the error says the host refused the connection. Writes
// are retried too: the server never saw them.
func TestRefusedConnectionFailsFast(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			addr := closedPort(t)
			log, out := logged()
			tr := NewTransport("test", nil, Limits{MaxRetries: 8}, log) // default delays
			req, _ := http.NewRequest(method, "http://"+addr+"/crm/v8/Leads?access_token=SECRET", strings.NewReader("x"))
			start := time.Now()
			_, err := tr.RoundTrip(req)
			took := time.Since(start)
			var ce *ConnectError
			if !errors.As(err, &ce) || !ce.Refused || ce.Attempts != 3 {
				t.Fatalf("err = %v; want a refused ConnectError after 3 attempts", err)
			}
			if msg := err.Error(); !strings.Contains(msg, addr+" refused the connection") || strings.Contains(msg, "SECRET") {
				t.Fatalf("error %q", msg)
			}
			if st := tr.Stats(); st.Requests != 3 || st.Retries != 2 {
				t.Fatalf("stats %+v; want 3 attempts", st)
			}
			// Two quick waits (≤250ms, ≤500ms); the bound is generous for a loaded machine.
			if took > 10*time.Second {
				t.Fatalf("gave up after %v", took)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d log lines, want one per retry:\n%s", len(lines), out)
			}
			for i, l := range lines {
				for _, want := range []string{"level=WARN", "method=" + method, "path=/crm/v8/Leads", "connection refused",
					fmt.Sprintf("attempt=%d of=3", i+1), "wait="} {
					if !strings.Contains(l, want) {
						t.Errorf("log line %q lacks %q", l, want)
					}
				}
				if strings.Contains(l, "SECRET") {
					t.Errorf("log line shows the query: %s", l)
				}
			}
		})
	}
}

// failingBase answers every request with one network error.
type failingBase struct {
	err   error
	calls atomic.Int64
}

func (f *failingBase) RoundTrip(*http.Request) (*http.Response, error) {
	f.calls.Add(1)
	return nil, f.err
}

// TestConnectFailures classifies failures to connect (hand-built errors,
// as the resolver and dialer return them): a name that does not resolve
// fails at once; unreachable hosts, connect timeouts and a DNS server
// that does not answer get the quick connect retries.
func TestConnectFailures(t *testing.T) {
	dial := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	cases := []struct {
		name     string
		err      error
		attempts int64
		notFound bool
		text     string
	}{
		{"no such host", dial(&net.DNSError{Err: "no such host", Name: "crm.example.invalid", IsNotFound: true}), 1, true,
			"host crm.example.invalid not found"},
		{"dns timeout", dial(&net.DNSError{Err: "i/o timeout", Name: "crm.example.invalid", IsTimeout: true}), 3, false,
			"cannot connect to crm.example.invalid"},
		{"unreachable", dial(syscall.EHOSTUNREACH), 3, false, "cannot connect to crm.example.invalid (3 attempts)"},
		{"connect timeout", dial(os.ErrDeadlineExceeded), 3, false, "cannot connect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := &failingBase{err: c.err}
			tr := NewTransport("test", base, Limits{MaxRetries: 5}, nil)
			tr.BaseDelay = time.Millisecond
			req, _ := http.NewRequest("GET", "https://crm.example.invalid/crm/v8/Leads", nil)
			_, err := tr.RoundTrip(req)
			var ce *ConnectError
			if !errors.As(err, &ce) || ce.NotFound != c.notFound || base.calls.Load() != c.attempts {
				t.Fatalf("err = %v after %d attempts; want %d", err, base.calls.Load(), c.attempts)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %q lacks %q", err, c.text)
			}
		})
	}
}

// TestRetriesAreLogged: 5xx and 429 retries each leave a log line (warn,
// info for a 429) with the status, attempt n of m and the wait.
func TestRetriesAreLogged(t *testing.T) {
	faults := sandbox.NewFaults(1)
	faults.FailNext(1, sandbox.Fault503)
	faults.FailNext(1, sandbox.Fault429)
	srv, _ := emulated(t, faults)
	log, out := logged()
	tr := NewTransport("zoho_crm", nil, Limits{MaxRetries: 4}, log)
	tr.BaseDelay, tr.MaxDelay = time.Millisecond, 5*time.Millisecond
	resp, err := tr.Client().Get(srv.URL + "/page?token=SECRET")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", err, resp)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", out)
	}
	for i, want := range [][]string{{"level=WARN", "503", "attempt=1 of=5"}, {"level=INFO", "429", "attempt=2 of=5"}} {
		for _, w := range append(want, "system=zoho_crm", "method=GET", "path=/page", "wait=") {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %q lacks %q", lines[i], w)
			}
		}
		if strings.Contains(lines[i], "SECRET") {
			t.Errorf("line shows the query: %s", lines[i])
		}
	}
}

// TestAuthRenewsTwiceAtMost: a replay that meets an expiry again renews
// once more; a token refused after every grant costs two grants, and the
// caller then sees the 401.
func TestAuthRenewsTwiceAtMost(t *testing.T) {
	for _, tc := range []struct {
		expiries      int64 // answers that say the token died, then success
		status        int
		sends, grants int64
	}{
		{1, 200, 2, 2},
		{2, 200, 3, 3},
		{100, 401, 3, 3},
	} {
		var sends, grants atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if sends.Add(1) <= tc.expiries {
				w.WriteHeader(401)
				return
			}
			io.WriteString(w, "ok")
		}))
		a := &Auth{Scheme: "Bearer", Base: fastTransport(Limits{}),
			Fetch: func(ctx context.Context) (*oauth2.Token, error) {
				return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", grants.Add(1)), Expiry: time.Now().Add(time.Hour)}, nil
			}}
		resp, err := (&http.Client{Transport: a}).Get(srv.URL)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || sends.Load() != tc.sends || grants.Load() != tc.grants {
			t.Errorf("%d expiries: status %d after %d sends and %d grants; want %d, %d, %d",
				tc.expiries, resp.StatusCode, sends.Load(), grants.Load(), tc.status, tc.sends, tc.grants)
		}
	}
}

// TestExpiredAskedOnlyAbout401: the pages of data (200) reach the caller
// without Expired reading their bodies again; a 401 is still asked
// about, with its body.
func TestExpiredAskedOnlyAbout401(t *testing.T) {
	page := strings.Repeat("x", 300_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dead" {
			w.WriteHeader(401)
			io.WriteString(w, `{"code":"SOMETHING_ELSE"}`)
			return
		}
		io.WriteString(w, page)
	}))
	defer srv.Close()
	var asked []int
	var bodies []string
	a := &Auth{
		Scheme: "Bearer",
		Fetch: func(ctx context.Context) (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)}, nil
		},
		Expired: func(resp *http.Response, body []byte) bool {
			asked, bodies = append(asked, resp.StatusCode), append(bodies, string(body))
			return false
		},
		Base: fastTransport(Limits{}),
	}
	c := &http.Client{Transport: a}
	for _, path := range []string{"/page", "/dead"} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/page" && string(b) != page {
			t.Fatalf("the page arrived with %d bytes, want %d", len(b), len(page))
		}
	}
	if len(asked) != 1 || asked[0] != 401 || bodies[0] != `{"code":"SOMETHING_ELSE"}` {
		t.Fatalf("Expired was asked about %v (bodies %q), want only the 401 with its body", asked, bodies)
	}
}

// TestReadBodyWhole: a body is read whole whether or not its length is
// announced, also when the announced length is past the size hint.
func TestReadBodyWhole(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		cl   int64
	}{
		{"announced", 100_000, 100_000},
		{"unknown length", 100_000, -1},
		{"empty", 0, 0},
		{"announced past the hint", 1000, maxSizeHint + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := strings.Repeat("ab", tc.size/2)
			resp := &http.Response{Body: io.NopCloser(strings.NewReader(want)), ContentLength: tc.cl}
			got, err := readBody(resp)
			if err != nil || string(got) != want {
				t.Fatalf("read %d bytes, err %v; want %d", len(got), err, len(want))
			}
		})
	}
}
