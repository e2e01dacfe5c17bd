package sftest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// revoke calls /services/oauth2/revoke and returns the status, the body and
// its content type.
func revoke(t *testing.T, base, method string, form url.Values, accept string) (int, string, string) {
	t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(method, base+"/services/oauth2/revoke?"+form.Encode(), nil)
	} else {
		req, _ = http.NewRequest(method, base+"/services/oauth2/revoke", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Content-Type")
}

func TestRevoke(t *testing.T) {
	e := newEnv(t, Options{})
	id, secret, refresh, _ := e.ts.Credentials()
	refreshGrant := func() string {
		t.Helper()
		code, m := postForm(t, e.ts.URL, url.Values{"grant_type": {"refresh_token"}, "client_id": {id},
			"client_secret": {secret}, "refresh_token": {refresh}})
		if code != 200 {
			t.Fatalf("refresh grant: %d %v", code, m)
		}
		return m["access_token"].(string)
	}
	other := e.ts.Token()
	fromRefresh := refreshGrant()

	// An unknown token: 400 invalid_token (RFC 7009 would say 200).
	for _, tc := range []struct {
		name, method string
		form         url.Values
		accept       string
		status       int
		body         string
	}{
		{"unknown POST", "POST", url.Values{"token": {"00Dnope!bogus"}}, "", 400, `{"error":"invalid_token","error_description":"invalid token"}`},
		{"unknown GET", "GET", url.Values{"token": {"00Dnope!bogus"}}, "", 400, `"error":"invalid_token"`},
		{"unknown urlencoded", "POST", url.Values{"token": {"x"}}, "application/x-www-form-urlencoded", 400, "error=invalid_token&error_description=invalid%20token"},
		{"unknown JSONP", "GET", url.Values{"token": {"x"}, "callback": {"done"}}, "", 200, `done({"error":"invalid_token"})`},
		{"missing token", "POST", url.Values{}, "", 400, `"error":"unsupported_token_type"`},
		{"missing token urlencoded", "POST", url.Values{"format": {"urlencoded"}}, "", 400, "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := revoke(t, e.ts.URL, tc.method, tc.form, tc.accept)
			if code != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("got %d %s, want %d with %s", code, body, tc.status, tc.body)
			}
		})
	}

	// A known access token is revoked alone.
	e.token = other
	e.must(200, "GET", "limits", nil)
	if code, body, _ := revoke(t, e.ts.URL, "POST", url.Values{"token": {other}}, ""); code != 200 || body != "" {
		t.Fatalf("revoke access token: %d %q", code, body)
	}
	e.must(401, "GET", "limits", nil)
	if code, _, _ := revoke(t, e.ts.URL, "POST", url.Values{"token": {other}}, ""); code != 400 {
		t.Fatalf("second revocation: %d, want 400", code)
	}
	e.token = fromRefresh
	e.must(200, "GET", "limits", nil)

	// The refresh token takes its access tokens along and is refused afterwards.
	survivor := e.ts.Token()
	if code, body, ct := revoke(t, e.ts.URL, "GET", url.Values{"token": {refresh}, "callback": {"cb"}}, ""); code != 200 || body != "cb({})" || ct != "application/javascript" {
		t.Fatalf("revoke refresh token: %d %q %s", code, body, ct)
	}
	e.must(401, "GET", "limits", nil)
	e.token = survivor
	e.must(200, "GET", "limits", nil)
	code, m := postForm(t, e.ts.URL, url.Values{"grant_type": {"refresh_token"}, "client_id": {id},
		"client_secret": {secret}, "refresh_token": {refresh}})
	if code != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("refresh after revocation: %d %v", code, m)
	}
	if code, _, _ := revoke(t, e.ts.URL, "POST", url.Values{"token": {refresh}}, ""); code != 400 {
		t.Fatalf("revoking a revoked refresh token: %d, want 400", code)
	}
	e.ts.RestoreRefreshToken()
	refreshGrant()
}
