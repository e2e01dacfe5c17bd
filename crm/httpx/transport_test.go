package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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
