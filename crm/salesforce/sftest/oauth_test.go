package sftest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// signJWT builds an RS256 assertion.
func signJWT(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	head := enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(head))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return head + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func postForm(t *testing.T, u string, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u+"/services/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, m
}

func TestOAuthGrants(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	clk := &fakeClock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	ts := Start(Options{PublicKey: &key.PublicKey, Now: clk.Now})
	defer ts.Close()
	id, secret, refresh, user := ts.Credentials()
	claims := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"iss": id, "sub": user, "aud": "https://login.salesforce.com",
			"exp": clk.Now().Add(3 * time.Minute).Unix(), "iat": clk.Now().Unix()}
		if mod != nil {
			mod(m)
		}
		return m
	}
	jwtForm := func(k *rsa.PrivateKey, mod func(m map[string]any)) url.Values {
		return url.Values{"grant_type": {jwtGrant}, "assertion": {signJWT(t, k, claims(mod))}}
	}
	for _, tc := range []struct {
		name      string
		form      url.Values
		basic     []string
		wantErr   string
		wantDesc  string
		signature bool
	}{
		{name: "refresh", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {id}, "client_secret": {secret}}, signature: true},
		{name: "refresh without secret", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {id}}, signature: true},
		{name: "refresh basic auth", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, basic: []string{id, secret}},
		{name: "refresh bad token", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {id}}, wantErr: "invalid_grant", wantDesc: "expired access/refresh token"},
		{name: "refresh bad client", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"x"}}, wantErr: "invalid_client_id", wantDesc: "client identifier invalid"},
		{name: "refresh bad secret", form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {id}, "client_secret": {"x"}}, wantErr: "invalid_client", wantDesc: "invalid client credentials"},
		{name: "client credentials", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}},
		{name: "client credentials bad secret", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"x"}}, wantErr: "invalid_client"},
		{name: "jwt", form: jwtForm(key, nil)},
		{name: "jwt aud array own url", form: jwtForm(key, func(m map[string]any) { m["aud"] = []string{ts.URL} })},
		{name: "jwt bad signature", form: jwtForm(other, nil), wantErr: "invalid_grant", wantDesc: "invalid assertion"},
		{name: "jwt bad audience", form: jwtForm(key, func(m map[string]any) { m["aud"] = ts.URL + "/services/oauth2/token" }), wantErr: "invalid_grant", wantDesc: "audience is invalid"},
		{name: "jwt expired", form: jwtForm(key, func(m map[string]any) { m["exp"] = clk.Now().Add(-time.Minute).Unix() }), wantErr: "invalid_grant"},
		{name: "jwt one hour", form: jwtForm(key, func(m map[string]any) { m["exp"] = clk.Now().Add(time.Hour).Unix() }), wantErr: "invalid_grant"},
		{name: "jwt unknown user", form: jwtForm(key, func(m map[string]any) { m["sub"] = "someone@else" }), wantErr: "invalid_grant", wantDesc: "user hasn't approved this consumer"},
		{name: "jwt unknown app", form: jwtForm(key, func(m map[string]any) { m["iss"] = "nope" }), wantErr: "invalid_client_id"},
		{name: "jwt garbage", form: url.Values{"grant_type": {jwtGrant}, "assertion": {"a.b"}}, wantErr: "invalid_grant"},
		{name: "password", form: url.Values{"grant_type": {"password"}, "username": {user}, "password": {"x"}}, wantErr: "invalid_grant", wantDesc: "authentication failure"},
		{name: "unknown grant", form: url.Values{"grant_type": {"magic"}}, wantErr: "unsupported_grant_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := postForm(t, ts.URL, tc.form, tc.basic...)
			if tc.wantErr != "" {
				if status != 400 || m["error"] != tc.wantErr || (tc.wantDesc != "" && m["error_description"] != tc.wantDesc) {
					t.Fatalf("got %d %v, want 400 %s %s", status, m, tc.wantErr, tc.wantDesc)
				}
				return
			}
			if status != 200 {
				t.Fatalf("status %d: %v", status, m)
			}
			for _, k := range []string{"access_token", "instance_url", "id", "token_type", "issued_at", "signature"} {
				if s, _ := m[k].(string); s == "" {
					t.Errorf("%s missing: %v", k, m)
				}
			}
			if _, ok := m["refresh_token"]; ok {
				t.Errorf("refresh_token returned: %v", m)
			}
			if m["instance_url"] != ts.URL || m["token_type"] != "Bearer" || len(m["issued_at"].(string)) != 13 {
				t.Errorf("bad answer %v", m)
			}
			if !strings.HasPrefix(m["access_token"].(string), orgID[:15]+"!") {
				t.Errorf("token %v does not start with the org id", m["access_token"])
			}
			if tc.signature {
				mac := hmac.New(sha256.New, []byte(secret))
				mac.Write([]byte(m["id"].(string) + m["issued_at"].(string)))
				if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); m["signature"] != want {
					t.Errorf("signature %v, want %s", m["signature"], want)
				}
			}
			e := &env{t: t, ts: ts, token: m["access_token"].(string), ver: "v62.0"}
			e.must(200, "GET", "limits", nil)
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	faults := sandbox.NewFaults(1)
	e := newEnv(t, Options{TokenTTL: time.Hour, Now: clk.Now, Faults: faults})
	e.must(200, "GET", "sobjects", nil)
	clk.Add(59 * time.Minute)
	e.must(200, "GET", "sobjects", nil)
	clk.Add(time.Minute)
	r := e.must(401, "GET", "sobjects", nil)
	var errs []apiError
	r.json(t, &errs)
	if len(errs) != 1 || errs[0].ErrorCode != "INVALID_SESSION_ID" || errs[0].Message != "Session expired or invalid" {
		t.Fatalf("got %s", r.body)
	}

	e.token = e.ts.Token()
	e.must(200, "GET", "sobjects", nil)
	e.ts.ExpireTokens()
	e.must(401, "GET", "sobjects", nil)

	e.token = e.ts.Token()
	faults.FailNext(1, sandbox.FaultExpireToken)
	if code := e.must(401, "GET", "sobjects", nil).errCode(t); code != "INVALID_SESSION_ID" {
		t.Fatal(code)
	}
	e.must(401, "GET", "sobjects", nil) // the token stays dead
	e.token = ""
	e.must(401, "GET", "query?q=SELECT+Id+FROM+Account", nil)
	e.token = "00Dxx!bogus"
	e.must(401, "GET", "limits", nil)
	// The versions list needs no session.
	e.must(200, "GET", "/services/data", nil)
}

func TestRevokedRefreshToken(t *testing.T) {
	e := newEnv(t, Options{})
	id, secret, refresh, _ := e.ts.Credentials()
	grant := func() (int, string) {
		resp, err := http.PostForm(e.ts.URL+"/services/oauth2/token", url.Values{"grant_type": {"refresh_token"},
			"client_id": {id}, "client_secret": {secret}, "refresh_token": {refresh}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	e.token = e.ts.Token()
	e.must(200, "GET", "sobjects", nil)
	e.ts.RevokeRefreshToken()
	e.must(401, "GET", "sobjects", nil)
	if code, body := grant(); code != 400 || !strings.Contains(body, `"error":"invalid_grant"`) {
		t.Fatalf("refresh after revocation: %d %s", code, body)
	}
	e.ts.RestoreRefreshToken()
	if code, body := grant(); code != 200 || !strings.Contains(body, "access_token") {
		t.Fatalf("refresh after restore: %d %s", code, body)
	}
}
