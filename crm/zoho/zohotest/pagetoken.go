package zohotest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// pageToken is the state a list page_token carries: where the previous page
// ended in the sort order, how many records were served, what request it is
// bound to and when it expires. Tokens are sealed with an HMAC, so the
// server keeps no per-token state.
type pageToken struct {
	Bind   string `json:"b"`
	Key    int64  `json:"k"`
	ID     uint64 `json:"i"`
	Served int    `json:"n"`
	Exp    int64  `json:"e"`
}

func bindHash(binding string) string {
	h := sha256.Sum256([]byte(binding))
	return hex.EncodeToString(h[:8])
}

func (s *Server) sealPageToken(t *pageToken) string {
	t.Bind = bindHash(t.Bind)
	body, _ := json.Marshal(t)
	mac := hmac.New(sha256.New, s.pageKey)
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(body) + "." + hex.EncodeToString(mac.Sum(nil)[:12])
}

// openPageToken checks a list page_token against the request it comes with.
func (s *Server) openPageToken(tok, binding string) (*pageToken, *apiError) {
	return s.openToken(tok, binding, maxTokenRecords)
}

// openToken checks a page_token against the request it comes with; a
// token that has served limit records or more is refused (0: no limit).
func (s *Server) openToken(tok, binding string, limit int) (*pageToken, *apiError) {
	invalid := newErr(http.StatusBadRequest, "INVALID_DATA", "the given page_token is invalid", "param_name", "page_token")
	b64, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, invalid
	}
	body, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return nil, invalid
	}
	mac := hmac.New(sha256.New, s.pageKey)
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil)[:12])
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return nil, invalid
	}
	var t pageToken
	if json.Unmarshal(body, &t) != nil {
		return nil, invalid
	}
	if s.now().Unix() >= t.Exp {
		return nil, newErr(http.StatusBadRequest, "EXPIRED_VALUE", "the given page_token has expired", "param_name", "page_token")
	}
	if t.Bind != bindHash(binding) {
		return nil, newErr(http.StatusBadRequest, "TOKEN_BOUND_DATA_MISMATCH",
			"the page_token is bound to other parameters than the ones given", "param_name", "page_token")
	}
	if limit > 0 && t.Served >= limit {
		return nil, newErr(http.StatusBadRequest, "PAGINATION_LIMIT_EXCEEDED",
			"you can fetch at most 100000 records using page_token", "limit", maxTokenRecords)
	}
	return &t, nil
}
