package sftest

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// serveRevoke serves /services/oauth2/revoke (reference sheet §11.1):
// POST with a form body token=…, or GET ?token=… (optionally JSONP with
// callback=fn). An access token dies alone; the refresh token takes every
// access token of the refresh_token grant along, and the grant refuses it
// afterwards (as RevokeRefreshToken does). Success is 200 with an empty
// body (the empty body is unconfirmed). Failure is always 400, unlike RFC
// 7009: invalid_token for an unknown, expired or already revoked token,
// unsupported_token_type for a missing token field.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeRevokeError(w, r, "invalid_request", "must use HTTP POST or GET")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeRevokeError(w, r, "invalid_request", "invalid request body")
		return
	}
	tok := strings.TrimSpace(r.Form.Get("token"))
	if tok == "" {
		// The description is the one seen on the wire for a malformed token
		// field (§11.1); that a missing one gets it too is unconfirmed.
		writeRevokeError(w, r, "unsupported_token_type", "this token type is not supported")
		return
	}
	s.mu.Lock()
	known := false
	if exp, ok := s.tokens[tok]; ok {
		known = s.opts.Now().Before(exp)
		delete(s.tokens, tok)
		delete(s.refreshIssued, tok)
	} else if tok == s.opts.RefreshToken && !s.refreshRevoked {
		known = true
		s.refreshRevoked = true
		for t := range s.refreshIssued {
			delete(s.tokens, t)
		}
		clear(s.refreshIssued)
	}
	s.mu.Unlock()
	if !known {
		// The error code is documented; the description text is unconfirmed.
		writeRevokeError(w, r, "invalid_token", "invalid token")
		return
	}
	if cb := r.Form.Get("callback"); cb != "" && r.Method == http.MethodGet {
		writeJSONP(w, cb, "{}")
		return
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// writeRevokeError answers a failed revocation: JSONP for a GET with a
// callback (status 200, as JSONP cannot read statuses), an urlencoded body
// when the client asks for one (format=urlencoded or that Accept type, as
// seen on the wire), JSON otherwise (the sheet's default for the OAuth
// endpoints; for revoke unconfirmed).
func writeRevokeError(w http.ResponseWriter, r *http.Request, code, desc string) {
	if cb := r.Form.Get("callback"); cb != "" && r.Method == http.MethodGet {
		b, _ := json.Marshal(map[string]string{"error": code})
		writeJSONP(w, cb, string(b))
		return
	}
	if wantsURLEncoded(r) {
		body := url.Values{"error": {code}, "error_description": {desc}}.Encode()
		// Salesforce encodes spaces as %20 in this body.
		body = strings.ReplaceAll(body, "+", "%20")
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(body))
		return
	}
	writeOAuthError(w, code, desc)
}

// wantsURLEncoded reports whether the request asks for an urlencoded answer.
func wantsURLEncoded(r *http.Request) bool {
	if f := r.Form.Get("format"); f != "" {
		return strings.EqualFold(f, "urlencoded")
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/x-www-form-urlencoded" {
			return true
		}
	}
	return false
}

// writeJSONP writes fn(body) when fn is a plain JavaScript identifier path;
// anything else gets the bare JSON.
func writeJSONP(w http.ResponseWriter, fn, body string) {
	for _, c := range fn {
		if !(c == '_' || c == '$' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			fn = ""
			break
		}
	}
	out := body
	ct := "application/json;charset=UTF-8"
	if fn != "" {
		out, ct = fn+"("+body+")", "application/javascript"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(out))
}
