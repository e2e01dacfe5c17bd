package sftest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// JWT bearer grant type.
const jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// maxAssertionLife is how far in the future a JWT assertion's exp may lie
// (Salesforce says "within 3 minutes"; clients send 3 to 5).
const maxAssertionLife = 6 * time.Minute

// oauthError is the RFC 6749 error body Salesforce sends from the token endpoint.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, oauthError{code, desc})
}

// tokenResponse is the success body of every grant.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Signature   string `json:"signature"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
}

// serveOAuth serves /services/oauth2/{token,revoke,userinfo}.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request, what string) {
	switch what {
	case "token":
		s.serveToken(w, r)
	case "revoke":
		s.serveRevoke(w, r)
	case "userinfo":
		if !s.validToken(r) {
			writeREST(w, errSession)
			return
		}
		writeJSON(w, http.StatusOK, s.identity(true))
	default:
		writeREST(w, errNotFound)
	}
}

// serveIdentity serves the identity URL returned as "id" by the token endpoint.
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request, org, user string) {
	if !s.validToken(r) {
		writeREST(w, errSession)
		return
	}
	if org != orgID || user != s.userID() {
		writeREST(w, errNotFound)
		return
	}
	writeJSON(w, http.StatusOK, s.identity(false))
}

func (s *Server) identity(userinfo bool) map[string]any {
	base := s.BaseURL()
	m := map[string]any{"user_id": s.userID(), "organization_id": orgID, "email": s.opts.Username,
		"active": true, "user_type": "STANDARD", "language": "en_US", "locale": "en_US", "utcOffset": 0}
	if userinfo {
		m["sub"] = base + "/id/" + orgID + "/" + s.userID()
		m["preferred_username"], m["name"] = s.opts.Username, "Integration User"
	} else {
		m["id"] = base + "/id/" + orgID + "/" + s.userID()
		m["username"], m["display_name"] = s.opts.Username, "Integration User"
		v := "/services/data/v{version}/"
		m["urls"] = map[string]string{"rest": base + v, "sobjects": base + v + "sobjects/", "query": base + v + "query/",
			"profile": base + "/" + s.userID()}
	}
	return m
}

// validToken reports whether r carries a live access token (no API count).
func (s *Server) validToken(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(auth, "OAuth ")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	exp, known := s.tokens[strings.TrimSpace(tok)]
	return ok && known && s.opts.Now().Before(exp)
}

// serveToken serves POST /services/oauth2/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, "invalid_request", "must use HTTP POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "invalid request body")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "refresh_token":
		if id != s.opts.ClientID {
			writeOAuthError(w, "invalid_client_id", "client identifier invalid")
			return
		}
		if secret != "" && secret != s.opts.ClientSecret {
			writeOAuthError(w, "invalid_client", "invalid client credentials")
			return
		}
		s.mu.Lock()
		revoked := s.refreshRevoked
		s.mu.Unlock()
		if revoked || r.PostForm.Get("refresh_token") != s.opts.RefreshToken {
			writeOAuthError(w, "invalid_grant", "expired access/refresh token")
			return
		}
	case "client_credentials":
		if id != s.opts.ClientID {
			writeOAuthError(w, "invalid_client_id", "client identifier invalid")
			return
		}
		if secret != s.opts.ClientSecret {
			writeOAuthError(w, "invalid_client", "invalid client credentials")
			return
		}
	case jwtGrant:
		if code, desc := s.checkAssertion(r.PostForm.Get("assertion")); code != "" {
			writeOAuthError(w, code, desc)
			return
		}
	case "password":
		writeOAuthError(w, "invalid_grant", "authentication failure")
		return
	case "":
		writeOAuthError(w, "unsupported_grant_type", "grant type not supported")
		return
	default:
		writeOAuthError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	writeJSON(w, http.StatusOK, s.issue(r.PostForm.Get("grant_type") == "refresh_token"))
}

// issue mints an access token and builds the token response. fromRefresh
// marks a token of the refresh_token grant: revoking the refresh token
// revokes it too.
func (s *Server) issue(fromRefresh bool) tokenResponse {
	var raw [48]byte
	_, _ = rand.Read(raw[:])
	tok := orgID[:15] + "!AQ8AQ" + base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.opts.Now()
	s.mu.Lock()
	s.tokens[tok] = now.Add(s.opts.TokenTTL)
	if fromRefresh {
		s.refreshIssued[tok] = true
	}
	base := s.baseURL
	s.mu.Unlock()
	idURL := base + "/id/" + orgID + "/" + s.userID()
	issued := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(s.opts.ClientSecret))
	mac.Write([]byte(idURL + issued))
	return tokenResponse{AccessToken: tok, Signature: base64.StdEncoding.EncodeToString(mac.Sum(nil)),
		Scope: "api", InstanceURL: base, ID: idURL, TokenType: "Bearer", IssuedAt: issued}
}

// AccessToken mints a fresh access token, as if a client had logged in.
func (s *Server) AccessToken() string { return s.issue(false).AccessToken }

// ExpireTokens expires every access token issued so far: their next use gets
// 401 INVALID_SESSION_ID.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	clear(s.tokens)
	clear(s.refreshIssued)
	s.mu.Unlock()
}

// RevokeRefreshToken does what an admin revoking the connected app's
// access does: every access token dies (401 INVALID_SESSION_ID) and the
// refresh token is refused (400 invalid_grant) until RestoreRefreshToken.
func (s *Server) RevokeRefreshToken() {
	s.mu.Lock()
	clear(s.tokens)
	clear(s.refreshIssued)
	s.refreshRevoked = true
	s.mu.Unlock()
}

// RestoreRefreshToken accepts the refresh token again (new credentials issued).
func (s *Server) RestoreRefreshToken() {
	s.mu.Lock()
	s.refreshRevoked = false
	s.mu.Unlock()
}

// checkAssertion verifies a JWT bearer assertion and returns an OAuth error
// code and description, or "" when it is good.
func (s *Server) checkAssertion(a string) (code, desc string) {
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return "invalid_grant", "invalid assertion"
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp json.Number     `json:"exp"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil || hdr.Alg != "RS256" {
		return "invalid_grant", "invalid assertion"
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return "invalid_grant", "invalid assertion"
	}
	if claims.Iss != s.opts.ClientID {
		return "invalid_client_id", "client identifier invalid"
	}
	var pub *rsa.PublicKey
	switch {
	case s.opts.JWTCert != nil:
		pub, _ = s.opts.JWTCert.PublicKey.(*rsa.PublicKey)
	case s.opts.PublicKey != nil:
		pub, _ = s.opts.PublicKey.(*rsa.PublicKey)
	}
	if pub == nil {
		return "invalid_grant", "invalid assertion"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "invalid_grant", "invalid assertion"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return "invalid_grant", "invalid assertion"
	}
	if !s.audienceOK(claims.Aud) {
		return "invalid_grant", "audience is invalid"
	}
	exp, err := claims.Exp.Float64()
	now := s.opts.Now()
	if err != nil || exp == 0 {
		return "invalid_grant", "invalid assertion"
	}
	expAt := time.Unix(int64(exp), 0)
	if !now.Before(expAt) {
		return "invalid_grant", "expired authorization code"
	}
	if expAt.Sub(now) > maxAssertionLife {
		return "invalid_grant", "invalid assertion"
	}
	if !strings.EqualFold(claims.Sub, s.opts.Username) {
		return "invalid_grant", "user hasn't approved this consumer"
	}
	return "", ""
}

// audienceOK accepts the login hosts and the emulator's own URL, as a
// string or a one-element array.
func (s *Server) audienceOK(raw json.RawMessage) bool {
	var auds []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw, &auds) != nil {
		return false
	}
	base := s.BaseURL()
	for _, a := range auds {
		a = strings.TrimRight(a, "/")
		if a == "https://login.salesforce.com" || a == "https://test.salesforce.com" || a == base {
			return true
		}
	}
	return false
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return fmt.Errorf("sftest: jwt segment: %w", err)
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("sftest: jwt segment: %w", err)
	}
	return nil
}
