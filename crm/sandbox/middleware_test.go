package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testEmulator serves a tiny API: GET /items/{id} answers a JSON body of
// about 2 KB, POST /items answers 201, /fault reports the fault it was
// handed through the context.
func testEmulator(t *testing.T, spec string) (*httptest.Server, *Emulator) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"pad":%q}`, r.PathValue("id"), strings.Repeat("x", 2000))
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"success":true}`)
	})
	mux.HandleFunc("/fault", func(w http.ResponseWriter, r *http.Request) {
		f := FaultFrom(r.Context())
		if f == nil {
			_, _ = io.WriteString(w, "none")
			return
		}
		if f.Kind == FaultExpireToken {
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = io.WriteString(w, string(f.Kind)+":"+strings.Join(f.Records, ","))
	})
	faults := NewFaults(1)
	rules, err := ParseRules(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		faults.Add(r)
	}
	e := &Emulator{
		System: "test",
		Endpoint: func(r *http.Request) string {
			if strings.HasPrefix(r.URL.Path, "/items/") {
				return "/items/{id}"
			}
			return r.URL.Path
		},
		WriteError: func(w http.ResponseWriter, r *http.Request, f *Fault) {
			w.Header().Set("Content-Type", "application/json")
			code, _ := map[FaultKind]int{Fault429: 429, Fault500: 500, Fault503: 503}[f.Kind]
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"errorCode":"TEST_%s"}`, f.Kind)
		},
		Counters: NewCounters(),
		Faults:   faults,
		Next:     mux,
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, e
}

type result struct {
	status int
	body   string
	header http.Header
	err    error
}

func do(t *testing.T, ctx context.Context, c *http.Client, method, url string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, body: string(b), header: resp.Header, err: err}
}

// waitCount waits for the server to count a request it may still be
// finishing after the client saw the response.
func waitCount(t *testing.T, c *Counters, match func(Count) bool, want int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for c.Sum(match) != want {
		if time.Now().After(deadline) {
			t.Fatalf("counted %d, want %d: %v", c.Sum(match), want, c.Snapshot())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEmulatorCountsEveryRequestWithItsStatus(t *testing.T) {
	srv, e := testEmulator(t, "500:endpoint=/items/*:after=1:times=1;429:method=POST:every=2:retry_after=1500ms")
	ctx := context.Background()
	c := srv.Client()
	calls := []struct {
		method, path string
		status       int
	}{
		{"GET", "/items/1", 200},
		{"GET", "/items/2", 500}, // after=1, times=1
		{"GET", "/items/3", 200},
		{"POST", "/items", 201},
		{"POST", "/items", 429}, // every 2nd POST
		{"GET", "/nowhere", 404},
		{"GET", StatsPath, 200}, // not counted
	}
	for _, call := range calls {
		res := do(t, ctx, c, call.method, srv.URL+call.path)
		if res.err != nil || res.status != call.status {
			t.Fatalf("%s %s: status %d err %v, want %d", call.method, call.path, res.status, res.err, call.status)
		}
		if call.status == 429 {
			if got := res.header.Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After = %q, want 2 (1.5s rounded up)", got)
			}
			if res.body != `{"errorCode":"TEST_429"}` {
				t.Errorf("429 body %q: WriteError not used", res.body)
			}
		}
	}
	want := []Count{ // sorted by system, endpoint, method, status
		{"test", "POST", "/items", 201, 1},
		{"test", "POST", "/items", 429, 1},
		{"test", "GET", "/items/{id}", 200, 2},
		{"test", "GET", "/items/{id}", 500, 1},
		{"test", "GET", "/nowhere", 404, 1},
	}
	waitCount(t, e.Counters, nil, 6)
	got := e.Counters.Snapshot()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n %v\nwant\n %v", got, want)
	}
}

func TestEmulatorStatsAndReset(t *testing.T) {
	srv, e := testEmulator(t, "")
	ctx := context.Background()
	c := srv.Client()
	do(t, ctx, c, "GET", srv.URL+"/items/1")
	do(t, ctx, c, "POST", srv.URL+"/items")

	res := do(t, ctx, c, "GET", srv.URL+StatsPath)
	if res.status != 200 || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("stats: %d %s", res.status, res.header.Get("Content-Type"))
	}
	var shape map[string][]map[string]any
	if err := json.Unmarshal([]byte(res.body), &shape); err != nil {
		t.Fatalf("stats body %q: %v", res.body, err)
	}
	if len(shape) != 1 || len(shape["requests"]) != 2 {
		t.Fatalf("stats body %q: want {\"requests\":[2 rows]}", res.body)
	}
	row := shape["requests"][1]
	wantRow := map[string]any{"system": "test", "method": "GET", "endpoint": "/items/{id}", "status": 200.0, "count": 1.0}
	if !reflect.DeepEqual(row, wantRow) {
		t.Errorf("first row %v, want %v", row, wantRow)
	}

	if res := do(t, ctx, c, "GET", srv.URL+ResetPath); res.status != http.StatusMethodNotAllowed {
		t.Errorf("GET reset: %d, want 405", res.status)
	}
	if res := do(t, ctx, c, "POST", srv.URL+ResetPath); res.status != http.StatusNoContent {
		t.Errorf("POST reset: %d, want 204", res.status)
	}
	if n := e.Counters.Sum(nil); n != 0 {
		t.Errorf("after reset: %d requests counted", n)
	}
	if res := do(t, ctx, c, "GET", srv.URL+StatsPath); res.body != "{\"requests\":[]}\n" {
		t.Errorf("stats after reset: %q", res.body)
	}
}

func TestEmulatorFaultsEndpoint(t *testing.T) {
	srv, e := testEmulator(t, "500:every=3")
	ctx := context.Background()
	c := srv.Client()
	post := func(body string) int {
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+FaultsPath, strings.NewReader(body))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("429:times=1:retry_after=1s"); got != http.StatusNoContent {
		t.Fatalf("POST faults: %d", got)
	}
	if got := post("429:bogus=1"); got != http.StatusBadRequest {
		t.Errorf("POST bad faults: %d, want 400", got)
	}
	res := do(t, ctx, c, "GET", srv.URL+FaultsPath)
	if res.body != `{"rules":["500:every=3","429:times=1:retry_after=1s"]}`+"\n" {
		t.Errorf("GET faults: %q", res.body)
	}
	if res := do(t, ctx, c, "DELETE", srv.URL+FaultsPath); res.status != http.StatusNoContent {
		t.Errorf("DELETE faults: %d", res.status)
	}
	if rules := e.Faults.Rules(); len(rules) != 0 {
		t.Errorf("rules after DELETE: %v", rules)
	}
	if n := e.Counters.Sum(nil); n != 0 {
		t.Errorf("sandbox routes were counted: %v", e.Counters.Snapshot())
	}
}

func TestEmulatorFailNextSkipsSandboxRoutes(t *testing.T) {
	srv, e := testEmulator(t, "")
	ctx := context.Background()
	c := srv.Client()
	e.Faults.FailNext(2, Fault503)
	do(t, ctx, c, "GET", srv.URL+StatsPath)
	for i, want := range []int{503, 503, 200} {
		if res := do(t, ctx, c, "GET", srv.URL+"/items/9"); res.status != want {
			t.Errorf("request %d: %d, want %d", i+1, res.status, want)
		}
	}
}

func TestEmulatorDropGivesUnexpectedEOF(t *testing.T) {
	srv, e := testEmulator(t, "drop:endpoint=/items/*:times=1")
	ctx := context.Background()
	c := srv.Client()
	res := do(t, ctx, c, "GET", srv.URL+"/items/1")
	if !errors.Is(res.err, io.ErrUnexpectedEOF) {
		t.Fatalf("dropped request: status %d err %v, want unexpected EOF", res.status, res.err)
	}
	if res.status != 200 || len(res.body) == 0 || len(res.body) > 1100 {
		t.Errorf("dropped request: status %d with %d body bytes, want 200 with about half of ~2 KB", res.status, len(res.body))
	}
	// The next request is served normally, on a new connection.
	if res := do(t, ctx, c, "GET", srv.URL+"/items/2"); res.err != nil || res.status != 200 {
		t.Errorf("after drop: %d %v", res.status, res.err)
	}
	waitCount(t, e.Counters, func(k Count) bool { return k.Status == 200 }, 2)
}

func TestEmulatorSlow(t *testing.T) {
	srv, e := testEmulator(t, "slow:endpoint=/items/*:delay=50ms:times=1;slow:endpoint=/items:delay=10s")
	c := srv.Client()
	start := time.Now()
	if res := do(t, context.Background(), c, "GET", srv.URL+"/items/1"); res.status != 200 {
		t.Fatalf("slow request: %d %v", res.status, res.err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("slow request took %v, want at least 50ms", d)
	}

	// A client that gives up: the server stops waiting and counts 499.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	res := do(t, ctx, c, "POST", srv.URL+"/items")
	if !errors.Is(res.err, context.DeadlineExceeded) {
		t.Fatalf("cancelled slow request: %v, want deadline exceeded", res.err)
	}
	waitCount(t, e.Counters, func(k Count) bool { return k.Status == StatusClientGone }, 1)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("server held a cancelled request for %v", d)
	}
}

func TestEmulatorContextFaults(t *testing.T) {
	srv, e := testEmulator(t, "expire_token:times=1;lock_row:records=001A,001B:times=1")
	ctx := context.Background()
	c := srv.Client()
	for _, want := range []struct {
		status int
		body   string
	}{{401, "expire_token:"}, {200, "lock_row:001A,001B"}, {200, "none"}} {
		res := do(t, ctx, c, "GET", srv.URL+"/fault")
		if res.status != want.status || res.body != want.body {
			t.Errorf("got %d %q, want %d %q", res.status, res.body, want.status, want.body)
		}
	}
	waitCount(t, e.Counters, func(k Count) bool { return k.Status == 401 }, 1)
	if FaultFrom(context.Background()) != nil {
		t.Error("FaultFrom on a bare context is not nil")
	}
}

func TestEmulatorWithoutCountersOrFaults(t *testing.T) {
	e := &Emulator{System: "bare", Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})}
	srv := httptest.NewServer(e)
	defer srv.Close()
	ctx := context.Background()
	if res := do(t, ctx, srv.Client(), "GET", srv.URL+"/x"); res.body != "ok" {
		t.Errorf("got %q", res.body)
	}
	if res := do(t, ctx, srv.Client(), "GET", srv.URL+StatsPath); res.body != "{\"requests\":[]}\n" {
		t.Errorf("stats: %q", res.body)
	}
	if res := do(t, ctx, srv.Client(), "GET", srv.URL+FaultsPath); res.status != 404 {
		t.Errorf("faults: %d, want 404", res.status)
	}
}

func TestEmulatorDefaultErrorBody(t *testing.T) {
	e := &Emulator{System: "bare", Faults: NewFaults(1), Counters: NewCounters(),
		Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	e.Faults.FailNext(1, Fault429)
	srv := httptest.NewServer(e)
	defer srv.Close()
	res := do(t, context.Background(), srv.Client(), "GET", srv.URL+"/x")
	if res.status != 429 || res.header.Get("Retry-After") != "0" || !strings.Contains(res.body, "429") {
		t.Errorf("got %d Retry-After=%q %q", res.status, res.header.Get("Retry-After"), res.body)
	}
}

// TestEmulatorCountsBeforeTheClientHasTheAnswer: a handler that has sent
// its whole answer but not yet returned (a large body, flushed) is already
// counted when the client has read the answer, so a test reading the
// counters right after a call sees it.
func TestEmulatorCountsBeforeTheClientHasTheAnswer(t *testing.T) {
	release := make(chan struct{})
	e := &Emulator{System: "slowreturn", Counters: NewCounters(), Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := strings.Repeat("x", 64<<10)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = io.WriteString(w, body)
		http.NewResponseController(w).Flush()
		<-release
	})}
	srv := httptest.NewServer(e)
	defer srv.Close()
	defer close(release)
	res := do(t, context.Background(), srv.Client(), "GET", srv.URL+"/big")
	if len(res.body) != 64<<10 {
		t.Fatalf("read %d bytes", len(res.body))
	}
	if n := e.Counters.Sum(func(c Count) bool { return c.System == "slowreturn" }); n != 1 {
		t.Errorf("counted %d requests once the answer was read, want 1", n)
	}
}
