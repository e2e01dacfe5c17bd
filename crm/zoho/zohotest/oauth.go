package zohotest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// DataCenter describes one Zoho data center (sheet §1.1).
type DataCenter struct {
	// Code is the short name: US, EU, IN, AU, JP, CA, CN or SA.
	Code string
	// Accounts is the host of the accounts (OAuth) server.
	Accounts string
	// API is the CRM API domain host.
	API string
	// Desk is the Desk host.
	Desk string
	// Location is the value of the location parameter of the auth redirect.
	Location string
}

// DataCenters lists the data centers the emulator knows, in the sheet's order.
var DataCenters = []DataCenter{
	{"US", "accounts.zoho.com", "www.zohoapis.com", "desk.zoho.com", "us"},
	{"EU", "accounts.zoho.eu", "www.zohoapis.eu", "desk.zoho.eu", "eu"},
	{"IN", "accounts.zoho.in", "www.zohoapis.in", "desk.zoho.in", "in"},
	{"AU", "accounts.zoho.com.au", "www.zohoapis.com.au", "desk.zoho.com.au", "au"},
	{"JP", "accounts.zoho.jp", "www.zohoapis.jp", "desk.zoho.jp", "jp"},
	{"CA", "accounts.zohocloud.ca", "www.zohoapis.ca", "desk.zohocloud.ca", "ca"},
	{"CN", "accounts.zoho.com.cn", "www.zohoapis.com.cn", "desk.zoho.com.cn", "cn"},
	{"SA", "accounts.zoho.sa", "www.zohoapis.sa", "desk.zoho.sa", "sa"},
}

func dataCenter(code string) (DataCenter, bool) {
	for _, dc := range DataCenters {
		if strings.EqualFold(dc.Code, code) {
			return dc, true
		}
	}
	return DataCenter{}, false
}

// DefaultScopes are the scopes of the refresh token Options describe when
// Options.Scopes is empty: everything the emulator serves.
var DefaultScopes = []string{
	"ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.users.ALL", "ZohoCRM.org.ALL",
	"ZohoCRM.coql.READ", "ZohoSearch.securesearch.READ", "ZohoCRM.bulk.ALL", "ZohoFiles.files.ALL",
	"Desk.tickets.ALL", "Desk.contacts.ALL", "Desk.basic.ALL", "Desk.search.READ", "Desk.settings.ALL",
	// The other Zoho services whose emulators take this accounts server's
	// tokens (TokenScopes): Campaigns, Books and Projects (sheet §16–§18).
	"ZohoCampaigns.campaign.ALL", "ZohoCampaigns.contact.ALL",
	"ZohoBooks.fullaccess.all", "ZohoBooks.settings.READ",
	"ZohoProjects.portals.READ", "ZohoProjects.projects.ALL",
}

const (
	maxLiveAccessTokens = 30 // per refresh token; the oldest is evicted
	refreshWindow       = 10 * time.Minute
	authCodeTTL         = 2 * time.Minute
)

type refreshToken struct {
	token    string
	clientID string
	scopes   []string
	issued   []time.Time // access tokens minted within refreshWindow
	access   []string    // live access tokens, oldest first
}

type accessToken struct {
	scopes  map[string]bool // lowercased
	expires time.Time
	refresh string // "" for client_credentials tokens
	expired bool
}

type authCode struct {
	clientID, redirect string
	scopes             []string
	expires            time.Time
}

// oauthState holds the clients and tokens of the org's accounts server.
type oauthState struct {
	mu      sync.Mutex
	clients map[string]string // client id → secret
	refresh map[string]*refreshToken
	access  map[string]*accessToken
	codes   map[string]*authCode
}

func newToken(prefix string) string {
	var b [32]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:16]) + "." + hex.EncodeToString(b[16:])
}

// IssueRefreshToken registers a refresh token for the Options' client with
// the given scopes (DefaultScopes when none) and returns it.
func (s *Server) IssueRefreshToken(scopes ...string) string {
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	t := newToken("1000.")
	o.refresh[t] = &refreshToken{token: t, clientID: s.opts.ClientID, scopes: slices.Clone(scopes)}
	return t
}

// IssueAuthCode mints a single-use authorization code for the Options'
// client (what the consent page redirects with), valid two minutes.
func (s *Server) IssueAuthCode(redirectURI string, scopes ...string) string {
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	c := newToken("1000.")
	o.codes[c] = &authCode{clientID: s.opts.ClientID, redirect: redirectURI, scopes: slices.Clone(scopes),
		expires: s.now().Add(authCodeTTL)}
	return c
}

// ExpireTokens makes every access token issued so far expired, as if an
// hour had passed: the next API call with one gets INVALID_TOKEN.
func (s *Server) ExpireTokens() {
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, a := range o.access {
		a.expired = true
	}
}

// accountsDC returns the data center whose accounts server r was sent to:
// a /accounts/{dc}/ path prefix or a real accounts host name in Host picks
// one; anything else is the org's own.
func (s *Server) accountsDC(r *http.Request) (DataCenter, string) {
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/accounts/"); ok {
		code, tail, _ := strings.Cut(rest, "/")
		if dc, ok := dataCenter(code); ok {
			return dc, "/" + tail
		}
	}
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	for _, dc := range DataCenters {
		if strings.EqualFold(host, dc.Accounts) {
			return dc, p
		}
	}
	return s.dc, p
}

func (s *Server) serveAccounts(w http.ResponseWriter, r *http.Request) {
	dc, path := s.accountsDC(r)
	switch path {
	case "/oauth/v2/token":
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusOK, map[string]any{"error": "invalid_request"})
			return
		}
		s.serveToken(w, r, dc)
	case "/oauth/v2/token/revoke":
		s.serveRevoke(w, r, dc)
	case "/oauth/v2/auth":
		s.serveAuth(w, r, dc)
	default:
		http.NotFound(w, r)
	}
}

// formValues merges the query string and a form body (url-encoded or
// multipart), as Zoho accepts token parameters in either.
func formValues(r *http.Request) url.Values {
	v := url.Values{}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err == nil {
			for k, vs := range r.MultipartForm.Value {
				v[k] = append(v[k], vs...)
			}
		}
	} else if err := r.ParseForm(); err == nil {
		for k, vs := range r.PostForm {
			v[k] = append(v[k], vs...)
		}
	}
	for k, vs := range r.URL.Query() {
		if _, ok := v[k]; !ok {
			v[k] = vs
		}
	}
	return v
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusOK, map[string]any{"error": code})
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, dc DataCenter) {
	v := formValues(r)
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	clientID, secret := v.Get("client_id"), v.Get("client_secret")
	want, known := o.clients[clientID]
	if dc.Code != s.dc.Code || !known {
		// Clients are registered with one data center; any other accounts
		// server does not know them.
		tokenError(w, "invalid_client")
		return
	}
	if secret != want {
		tokenError(w, "invalid_client_secret")
		return
	}
	now := s.now()
	switch v.Get("grant_type") {
	case "refresh_token":
		rt := o.refresh[v.Get("refresh_token")]
		if rt == nil || rt.clientID != clientID {
			tokenError(w, "invalid_code")
			return
		}
		if !s.allowRefresh(rt, now) {
			writeJSON(w, http.StatusOK, map[string]any{"error": "Access Denied",
				"error_description": "You have made too many requests continuously. Please try again after some time.",
				"status":            "failure"})
			return
		}
		s.grant(w, rt, rt.scopes, now, false)
	case "authorization_code":
		code := v.Get("code")
		c := o.codes[code]
		if c == nil || c.clientID != clientID || now.After(c.expires) {
			tokenError(w, "invalid_code")
			return
		}
		if c.redirect != "" && v.Get("redirect_uri") != c.redirect {
			tokenError(w, "invalid_redirect_uri")
			return
		}
		delete(o.codes, code)
		rt := &refreshToken{token: newToken("1000."), clientID: clientID, scopes: c.scopes}
		o.refresh[rt.token] = rt
		s.allowRefresh(rt, now)
		s.grant(w, rt, c.scopes, now, true)
	case "client_credentials":
		scope := v.Get("scope")
		soid := v.Get("soid")
		if scope == "" {
			tokenError(w, "invalid_scope")
			return
		}
		if _, org, ok := strings.Cut(soid, "."); soid != "" && (!ok || org != s.opts.OrgID) {
			tokenError(w, "invalid_client")
			return
		}
		scopes := strings.FieldsFunc(scope, func(r rune) bool { return r == ',' || r == ' ' })
		s.grant(w, nil, scopes, now, false)
	default:
		tokenError(w, "unsupported_grant_type")
	}
}

// allowRefresh applies the limit of access tokens per refresh token per
// ten minutes (sheet §1.3). Called with o.mu held.
func (s *Server) allowRefresh(rt *refreshToken, now time.Time) bool {
	limit := s.opts.RefreshLimit
	if limit == 0 {
		limit = 10
	}
	rt.issued = slices.DeleteFunc(rt.issued, func(t time.Time) bool { return now.Sub(t) >= refreshWindow })
	if limit > 0 && len(rt.issued) >= limit {
		return false
	}
	rt.issued = append(rt.issued, now)
	return true
}

// grant mints an access token and writes the token response. Called with
// o.mu held.
func (s *Server) grant(w http.ResponseWriter, rt *refreshToken, scopes []string, now time.Time, withRefresh bool) {
	o := s.oauth
	tok := newToken("1000.")
	at := &accessToken{scopes: map[string]bool{}, expires: now.Add(s.opts.TokenTTL)}
	for _, sc := range scopes {
		at.scopes[strings.ToLower(sc)] = true
	}
	o.access[tok] = at
	if rt != nil {
		at.refresh = rt.token
		rt.access = append(rt.access, tok)
		if len(rt.access) > maxLiveAccessTokens {
			delete(o.access, rt.access[0])
			rt.access = rt.access[1:]
		}
	}
	body := map[string]any{
		"access_token": tok,
		"scope":        strings.Join(scopes, " "),
		"api_domain":   s.apiURL(),
		"token_type":   "Bearer",
		"expires_in":   int(s.opts.TokenTTL / time.Second),
	}
	if withRefresh {
		body["refresh_token"] = rt.token
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request, dc DataCenter) {
	v := formValues(r)
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	rt := o.refresh[v.Get("token")]
	if rt == nil || dc.Code != s.dc.Code {
		writeJSON(w, http.StatusOK, map[string]any{"error": "invalid_code"})
		return
	}
	for _, a := range rt.access {
		delete(o.access, a)
	}
	delete(o.refresh, rt.token)
	writeJSON(w, http.StatusOK, map[string]any{"status": "success"})
}

// serveAuth plays the consent page: it approves at once and redirects to
// redirect_uri with a code, location and accounts-server (sheet §1.1).
func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request, dc DataCenter) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	if err != nil || redirect == "" {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	o := s.oauth
	o.mu.Lock()
	_, known := o.clients[q.Get("client_id")]
	o.mu.Unlock()
	rq := u.Query()
	if !known || dc.Code != s.dc.Code {
		rq.Set("error", "invalid_client")
	} else {
		scopes := strings.FieldsFunc(q.Get("scope"), func(r rune) bool { return r == ',' || r == ' ' })
		rq.Set("code", s.IssueAuthCode(redirect, scopes...))
		rq.Set("location", s.dc.Location)
		rq.Set("accounts-server", s.accountsURL())
	}
	if st := q.Get("state"); st != "" {
		rq.Set("state", st)
	}
	u.RawQuery = rq.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// authenticate checks the Authorization header of an API call and returns
// the token's scopes, or the 401 the real API sends.
func (s *Server) authenticate(r *http.Request) (map[string]bool, *apiError) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Zoho-oauthtoken ")
	if !ok {
		if h == "" {
			return nil, errAuthFailure()
		}
		return nil, errInvalidToken()
	}
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	at := o.access[strings.TrimSpace(tok)]
	if at == nil || at.expired || !s.now().Before(at.expires) {
		return nil, errInvalidToken()
	}
	return at.scopes, nil
}

// TokenScopes reports whether token is a live access token this accounts
// server issued, and its scopes (lower-cased). The emulators of the other
// Zoho services (Campaigns, Books, Projects) check their callers' tokens
// with it, as the real services share one accounts server per data center.
func (s *Server) TokenScopes(token string) (map[string]bool, bool) {
	o := s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	at := o.access[strings.TrimSpace(token)]
	if at == nil || at.expired || !s.now().Before(at.expires) {
		return nil, false
	}
	out := make(map[string]bool, len(at.scopes))
	for k, v := range at.scopes {
		out[k] = v
	}
	return out, true
}

// hasScope reports whether scopes hold any of want (case-insensitive).
func hasScope(scopes map[string]bool, want ...string) bool {
	for _, w := range want {
		if scopes[strings.ToLower(w)] {
			return true
		}
	}
	return false
}

// moduleScope reports whether scopes allow op (READ, CREATE, UPDATE,
// DELETE) on module m.
func moduleScope(scopes map[string]bool, m *module, op string) bool {
	name := strings.ToLower(m.APIName)
	if m.Generated == "custom" {
		name = "custom"
	}
	op = strings.ToLower(op)
	want := []string{"zohocrm.modules.all", "zohocrm.modules." + op,
		"zohocrm.modules." + name + ".all", "zohocrm.modules." + name + "." + op}
	if op == "create" || op == "update" {
		want = append(want, "zohocrm.modules.write", "zohocrm.modules."+name+".write")
	}
	return hasScope(scopes, want...)
}
