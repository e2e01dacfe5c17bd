package sftest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable wall clock for token and locator expiry.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one emulator under test with a logged-in client.
type env struct {
	t     *testing.T
	ts    *TestServer
	token string
	ver   string
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	ts := Start(opts)
	t.Cleanup(ts.Close)
	return &env{t: t, ts: ts, token: ts.Token(), ver: "v62.0"}
}

// resp is a decoded HTTP response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errCode returns the first errorCode of a REST error array.
func (r resp) errCode(t *testing.T) string {
	t.Helper()
	var errs []map[string]any
	r.json(t, &errs)
	if len(errs) == 0 {
		t.Fatalf("empty error array: %s", r.body)
	}
	s, _ := errs[0]["errorCode"].(string)
	return s
}

// do sends a request; path is relative to /services/data/<ver>/ unless it
// starts with "/". body is marshalled to JSON unless it is a string.
func (e *env) do(method, path string, body any, hdr ...string) resp {
	e.t.Helper()
	url := e.ts.URL
	if strings.HasPrefix(path, "/") {
		url += path
	} else {
		url += "/services/data/" + e.ver + "/" + path
	}
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: data}
}

// must sends a request and fails the test unless the status is want.
func (e *env) must(want int, method, path string, body any, hdr ...string) resp {
	e.t.Helper()
	r := e.do(method, path, body, hdr...)
	if r.status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.body)
	}
	return r
}

// create inserts a record and returns its id.
func (e *env) create(object string, fields map[string]any) string {
	e.t.Helper()
	var out struct {
		ID      string `json:"id"`
		Success bool   `json:"success"`
	}
	e.must(201, "POST", "sobjects/"+object, fields).json(e.t, &out)
	if !out.Success || len(out.ID) != 18 {
		e.t.Fatalf("create %s: %+v", object, out)
	}
	return out.ID
}

// queryResult is the query envelope.
type queryResult struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func (e *env) query(soql string, hdr ...string) queryResult {
	e.t.Helper()
	var q queryResult
	e.must(200, "GET", "query?q="+urlEscape(soql), nil, hdr...).json(e.t, &q)
	return q
}

func urlEscape(s string) string {
	r := strings.NewReplacer(" ", "+", "'", "%27", ">", "%3E", "<", "%3C", "=", "%3D", ":", "%3A", "+", "%2B", ",", "%2C")
	return r.Replace(s)
}
