package zohotest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// env is a started emulator plus an access token for it.
type env struct {
	t     *testing.T
	ts    *zohotest.TestServer
	token string
	now   time.Time
}

func newEnv(t *testing.T, opts zohotest.Options) *env {
	t.Helper()
	e := &env{t: t, now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	if opts.Now == nil {
		opts.Now = func() time.Time { return e.now }
	}
	e.ts = zohotest.Start(opts)
	t.Cleanup(e.ts.Close)
	e.token = e.refresh()
	return e
}

// refresh exchanges the Options' refresh token for an access token.
func (e *env) refresh() string {
	e.t.Helper()
	body := e.tokenCall(url.Values{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {e.ts.RefreshToken()}})
	tok, _ := body["access_token"].(string)
	if tok == "" {
		e.t.Fatalf("no access token: %v", body)
	}
	return tok
}

func (e *env) tokenCall(v url.Values) map[string]any {
	e.t.Helper()
	return e.tokenCallAt("/oauth/v2/token", v)
}

func (e *env) tokenCallAt(path string, v url.Values) map[string]any {
	e.t.Helper()
	resp, err := http.PostForm(e.ts.URL+path, v)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		e.t.Fatalf("token call: HTTP %d", resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// resp is a decoded API answer.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (e *env) do(method, path string, body any, hdr ...string) *resp {
	e.t.Helper()
	return e.doToken(e.token, method, path, body, hdr...)
}

func (e *env) doToken(token, method, path string, body any, hdr ...string) *resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Zoho-oauthtoken "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			e.t.Fatalf("%s %s: body is not a JSON object: %s", method, path, raw)
		}
	}
	return out
}

// wantErr checks a request-level CRM error.
func (r *resp) wantErr(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.body["code"] != code || r.body["status"] != "error" {
		t.Fatalf("want %d %s, got %d %s", status, code, r.status, r.raw)
	}
	if _, ok := r.body["details"].(map[string]any); !ok {
		t.Fatalf("error without details object: %s", r.raw)
	}
	if _, ok := r.body["message"].(string); !ok {
		t.Fatalf("error without message: %s", r.raw)
	}
}

func (r *resp) data() []map[string]any {
	arr, _ := r.body["data"].([]any)
	out := make([]map[string]any, len(arr))
	for i, x := range arr {
		out[i], _ = x.(map[string]any)
	}
	return out
}

func (r *resp) info() map[string]any {
	m, _ := r.body["info"].(map[string]any)
	return m
}

func (r *resp) want(t *testing.T, status int) *resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("want HTTP %d, got %d: %s", status, r.status, r.raw)
	}
	return r
}

// desk calls the Desk API with the org's orgId header.
func (e *env) desk(method, path string, body any, hdr ...string) *resp {
	e.t.Helper()
	return e.do(method, path, body, append([]string{"orgId", e.ts.OrgID()}, hdr...)...)
}

// wantDesk checks a Desk answer's status and, when code is set, its
// {"errorCode","message"} body.
func (r *resp) wantDesk(t *testing.T, status int, code string) *resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("want HTTP %d, got %d: %s", status, r.status, r.raw)
	}
	if code != "" {
		if r.body["errorCode"] != code {
			t.Fatalf("want errorCode %s, got %s", code, r.raw)
		}
		if _, ok := r.body["message"].(string); !ok {
			t.Fatalf("Desk error without message: %s", r.raw)
		}
	}
	return r
}

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

func httptestRequest(method, path, form string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
