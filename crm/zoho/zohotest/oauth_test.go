package zohotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestTokenRefreshAnswersLikeZoho(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	body := e.tokenCall(url.Values{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {e.ts.RefreshToken()}})
	if body["api_domain"] != e.ts.URL || body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) {
		t.Fatalf("token answer: %v", body)
	}
	if _, ok := body["refresh_token"]; ok {
		t.Fatalf("refresh grant must not return a refresh token: %v", body)
	}
	if !strings.HasPrefix(body["access_token"].(string), "1000.") || !strings.Contains(body["scope"].(string), "ZohoCRM.modules.ALL") {
		t.Fatalf("token answer: %v", body)
	}
}

func TestTokenErrorsAreHTTP200WithError(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	base := url.Values{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {e.ts.RefreshToken()}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for kk, vv := range base {
			out[kk] = vv
		}
		out.Set(k, v)
		return out
	}
	cases := []struct {
		name string
		path string
		form url.Values
		want string
	}{
		{"unknown client", "/oauth/v2/token", with("client_id", "1000.NOPE"), "invalid_client"},
		{"wrong secret", "/oauth/v2/token", with("client_secret", "nope"), "invalid_client_secret"},
		{"bad refresh token", "/oauth/v2/token", with("refresh_token", "1000.x.y"), "invalid_code"},
		{"bad code", "/oauth/v2/token", with("grant_type", "authorization_code"), "invalid_code"},
		{"other DC accounts server", "/accounts/eu/oauth/v2/token", base, "invalid_client"},
		{"other DC accounts server (IN)", "/accounts/IN/oauth/v2/token", base, "invalid_client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := e.tokenCallAt(c.path, c.form)
			if body["error"] != c.want || body["access_token"] != nil {
				t.Fatalf("want error %q, got %v", c.want, body)
			}
		})
	}
	// The org's own DC reached through the /accounts/{dc} prefix works.
	if body := e.tokenCallAt("/accounts/us/oauth/v2/token", base); body["access_token"] == nil {
		t.Fatalf("own DC: %v", body)
	}
}

func TestOrgInAnotherDataCenter(t *testing.T) {
	e := newEnv(t, zohotest.Options{DataCenter: "EU"})
	base := url.Values{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {e.ts.RefreshToken()}}
	if body := e.tokenCallAt("/accounts/us/oauth/v2/token", base); body["error"] != "invalid_client" {
		t.Fatalf("US accounts server must not know an EU client: %v", body)
	}
	// A real accounts host name in Host selects that DC too.
	req, _ := http.NewRequest("POST", e.ts.URL+"/oauth/v2/token", strings.NewReader(base.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "accounts.zoho.com"
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// A call to another DC's API domain does not know the token.
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	r := e.doHost("www.zohoapis.com", "GET", "/crm/v8/Leads?fields=Last_Name")
	r.wantErr(t, 401, "INVALID_TOKEN")
	e.doHost("www.zohoapis.eu", "GET", "/crm/v8/Leads?fields=Last_Name").want(t, 204)
	e.doHost("crm.zoho.eu", "GET", "/crm/v8/Leads?fields=Last_Name").wantErr(t, 400, "INVALID_HOST")
}

func (e *env) doHost(host, method, path string) *resp {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, nil)
	req.Host = host
	req.Header.Set("Authorization", "Zoho-oauthtoken "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.body)
	}
	return out
}

func TestAuthorizationCodeFlow(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"scope": {"ZohoCRM.modules.ALL,ZohoCRM.settings.ALL"}, "client_id": {e.ts.ClientID()},
		"response_type": {"code"}, "access_type": {"offline"}, "redirect_uri": {"http://localhost/cb"}, "state": {"xyz"}}
	res, err := client.Get(e.ts.URL + "/oauth/v2/auth?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 302 || loc.Query().Get("state") != "xyz" || loc.Query().Get("location") != "us" ||
		loc.Query().Get("accounts-server") != e.ts.URL {
		t.Fatalf("redirect %d %s", res.StatusCode, loc)
	}
	code := loc.Query().Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "redirect_uri": {"http://localhost/cb"}, "code": {code}}
	body := e.tokenCall(form)
	if body["access_token"] == nil || body["refresh_token"] == nil || body["scope"] != "ZohoCRM.modules.ALL ZohoCRM.settings.ALL" {
		t.Fatalf("code grant: %v", body)
	}
	if again := e.tokenCall(form); again["error"] != "invalid_code" {
		t.Fatalf("a code is single use: %v", again)
	}
	// The new refresh token works; its scopes stop at what was granted.
	tok := e.tokenCall(url.Values{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {body["refresh_token"].(string)}})["access_token"].(string)
	e.doToken(tok, "GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	e.doToken(tok, "POST", "/crm/v8/coql", map[string]any{"select_query": "select Last_Name from Leads where Last_Name is not null"}).
		wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	// Codes expire after two minutes.
	code2 := e.ts.IssueAuthCode("")
	e.now = e.now.Add(3 * time.Minute)
	form.Set("code", code2)
	if b := e.tokenCall(form); b["error"] != "invalid_code" {
		t.Fatalf("expired code: %v", b)
	}
}

func TestClientCredentials(t *testing.T) {
	e := newEnv(t, zohotest.Options{OrgID: "777"})
	body := e.tokenCall(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "scope": {"ZohoCRM.modules.READ"}, "soid": {"ZohoCRM.777"}})
	tok, _ := body["access_token"].(string)
	if tok == "" || body["refresh_token"] != nil {
		t.Fatalf("client_credentials: %v", body)
	}
	e.doToken(tok, "GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	e.doToken(tok, "POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "X"}}}).
		wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	if b := e.tokenCall(url.Values{"grant_type": {"client_credentials"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "scope": {"ZohoCRM.modules.READ"}, "soid": {"ZohoCRM.999"}}); b["error"] == nil {
		t.Fatalf("wrong org: %v", b)
	}
}

func TestInvalidAndExpiredTokens(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	e.doToken("", "GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 401, "AUTHENTICATION_FAILURE")
	e.doToken("1000.bogus.token", "GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 401, "INVALID_TOKEN")
	r := e.doToken("1000.bogus.token", "GET", "/crm/v8/Leads?fields=Last_Name", nil)
	if r.body["message"] != "invalid oauth token" {
		t.Fatalf("message: %s", r.raw)
	}
	// An hour later the token has expired.
	e.now = e.now.Add(time.Hour)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 401, "INVALID_TOKEN")
	e.token = e.refresh()
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	e.ts.ExpireTokens()
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 401, "INVALID_TOKEN")
}

func TestRefreshLimitAndRevoke(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {e.ts.ClientID()},
		"client_secret": {e.ts.ClientSecret()}, "refresh_token": {e.ts.RefreshToken()}}
	for i := 0; i < 9; i++ { // newEnv already took one
		if b := e.tokenCall(form); b["access_token"] == nil {
			t.Fatalf("refresh %d: %v", i+2, b)
		}
	}
	if b := e.tokenCall(form); b["error"] != "Access Denied" {
		t.Fatalf("11th refresh in ten minutes: %v", b)
	}
	e.now = e.now.Add(10 * time.Minute)
	if b := e.tokenCall(form); b["access_token"] == nil {
		t.Fatalf("after the window: %v", b)
	}
	if b := e.tokenCallAt("/oauth/v2/token/revoke", url.Values{"token": {e.ts.RefreshToken()}}); b["status"] != "success" {
		t.Fatalf("revoke: %v", b)
	}
	if b := e.tokenCall(form); b["error"] != "invalid_code" {
		t.Fatalf("revoked refresh token: %v", b)
	}
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 401, "INVALID_TOKEN")
}

func TestScopesEnforced(t *testing.T) {
	e := newEnv(t, zohotest.Options{Scopes: []string{"ZohoCRM.modules.leads.READ", "Desk.tickets.READ"}})
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	e.do("GET", "/crm/v8/Contacts?fields=Last_Name", nil).wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "X"}}}).wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	e.do("GET", "/crm/v8/settings/modules", nil).wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	e.do("GET", "/crm/v8/Leads/search?email=a@b.co", nil).wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	e.do("POST", "/crm/v8/coql", map[string]any{"select_query": "select Last_Name from Leads where Last_Name is not null"}).
		wantErr(t, 401, "OAUTH_SCOPE_MISMATCH")
	e.desk("GET", "/api/v1/tickets", nil).wantDesk(t, 200, "")
	e.desk("GET", "/api/v1/contacts", nil).wantDesk(t, 401, "SCOPE_MISMATCH")
	e.desk("POST", "/api/v1/tickets", map[string]any{"subject": "x"}).wantDesk(t, 401, "SCOPE_MISMATCH")
}

func TestExpireTokenFault(t *testing.T) {
	faults := sandbox.NewFaults(1)
	e := newEnv(t, zohotest.Options{Faults: faults})
	faults.FailNext(1, sandbox.FaultExpireToken)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 401, "INVALID_TOKEN")
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	faults.FailNext(1, sandbox.FaultExpireToken)
	e.desk("GET", "/api/v1/tickets", nil).wantDesk(t, 401, "INVALID_OAUTH")
}

func TestAccountsHandlerFor(t *testing.T) {
	s := zohotest.New(zohotest.Options{DataCenter: "JP"})
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {s.ClientID()},
		"client_secret": {s.ClientSecret()}, "refresh_token": {s.RefreshToken()}}
	for dc, want := range map[string]bool{"JP": true, "US": false, "CA": false} {
		h := s.AccountsHandlerFor(dc)
		req := httptestRequest("POST", "/oauth/v2/token", form.Encode())
		w := newRecorder()
		h.ServeHTTP(w, req)
		var body map[string]any
		json.Unmarshal(w.Body.Bytes(), &body)
		if (body["access_token"] != nil) != want || w.Code != 200 {
			t.Fatalf("%s: %d %v", dc, w.Code, body)
		}
	}
}
