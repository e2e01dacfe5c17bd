package httpx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// TokenCache keeps access tokens in files under Dir (mode 0600), so that
// revops runs in quick succession reuse a token instead of asking for a
// new one each time: Zoho, for one, grants only ten access tokens per
// refresh token in ten minutes. Files are named by a hash of the
// credentials, never by the credentials themselves.
type TokenCache struct {
	// Dir holds the cache files; "" disables the cache.
	Dir string
}

type cachedToken struct {
	AccessToken string         `json:"access_token"`
	TokenType   string         `json:"token_type,omitempty"`
	Expiry      time.Time      `json:"expiry"`
	Extra       map[string]any `json:"extra,omitempty"`
}

// Key names the cache entry of one set of credentials.
func (c TokenCache) Key(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Wrap returns a TokenFunc that answers from the cache while the cached
// token has more than two minutes left, and otherwise calls fetch and
// caches what it returns. Once this process has used the cached token,
// a further call means the token was refused or is expiring, so it
// fetches anew. extra names the token answer's extra fields to keep
// (e.g. Zoho's api_domain).
func (c TokenCache) Wrap(key string, fetch TokenFunc, extra ...string) TokenFunc {
	if c.Dir == "" {
		return fetch
	}
	path := filepath.Join(c.Dir, key+".json")
	var mu sync.Mutex
	var handedOut string
	return func(ctx context.Context) (*oauth2.Token, error) {
		mu.Lock()
		defer mu.Unlock()
		if ct, ok := readCachedToken(path); ok && ct.AccessToken != handedOut && time.Until(ct.Expiry) > 2*time.Minute {
			handedOut = ct.AccessToken
			tok := &oauth2.Token{AccessToken: ct.AccessToken, TokenType: ct.TokenType, Expiry: ct.Expiry}
			return tok.WithExtra(ct.Extra), nil
		}
		tok, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		handedOut = tok.AccessToken
		ct := cachedToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, Expiry: tok.Expiry, Extra: map[string]any{}}
		for _, k := range extra {
			if v := tok.Extra(k); v != nil {
				ct.Extra[k] = v
			}
		}
		if !tok.Expiry.IsZero() {
			// A cache that cannot be written only costs a token next time.
			_ = writeCachedToken(path, ct)
		}
		return tok, nil
	}
}

func readCachedToken(path string) (cachedToken, bool) {
	var ct cachedToken
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &ct) != nil || ct.AccessToken == "" {
		return ct, false
	}
	return ct, true
}

func writeCachedToken(path string, ct cachedToken) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(ct)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".token-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("token cache: %w", err)
	}
	return nil
}
