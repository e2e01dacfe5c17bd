package httpx

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// TokenCache keeps access tokens in files under Dir (mode 0600), so that
// revops runs in quick succession reuse a token instead of asking for a
// new one each time: Zoho, for one, grants only ten access tokens per
// refresh token in ten minutes. Files are named by a keyed hash of the
// credentials (see Key), never by the credentials themselves.
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

// keyFile holds the cache directory's random hashing key.
const keyFile = ".key"

// Key names the cache entry of one set of credentials. Callers pass every
// credential that decides whether the grant succeeds and what token it
// returns (accounts server or data center, client id, client secret,
// refresh token, scopes): a change of any one of them then misses the
// cache, so a wrong secret fails at once instead of hiding behind a token
// an earlier run cached with the right one.
//
// The name is an HMAC-SHA256 of the parts under a random key kept in Dir
// (file .key, mode 0600, made on first use), so that neither the name nor
// a guessed secret can be tested against it without that file, which is
// as private as the tokens themselves. Key fails when Dir is "" or the
// key file can be neither read nor made.
func (c TokenCache) Key(parts ...string) (string, error) {
	if c.Dir == "" {
		return "", fmt.Errorf("token cache: no directory")
	}
	secret, err := c.hashKey()
	if err != nil {
		return "", fmt.Errorf("token cache: %w", err)
	}
	h := hmac.New(sha256.New, secret)
	var n [8]byte
	for _, p := range parts {
		// Length-prefixed, so that no two lists of parts hash alike.
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:40], nil
}

// hashKey reads the directory's hashing key, making it when there is none.
// Two processes making it at once agree: the file is linked into place
// only if absent, and both then read the one that won.
func (c TokenCache) hashKey() ([]byte, error) {
	path := filepath.Join(c.Dir, keyFile)
	if k, err := os.ReadFile(path); err == nil && len(k) >= 32 {
		return k, nil
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(c.Dir, ".key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Write(k); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	k, err = os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(k) < 32 {
		return nil, fmt.Errorf("%s: too short", path)
	}
	return k, nil
}

// Wrap returns a TokenFunc that answers from the cache while the cached
// token has more than two minutes left, and otherwise calls fetch and
// caches what it returns. Once this process has used the cached token,
// a further call means the token was refused or is expiring, so it
// fetches anew. key comes from Key ("" disables the cache); extra names
// the token answer's extra fields to keep (e.g. Zoho's api_domain).
func (c TokenCache) Wrap(key string, fetch TokenFunc, extra ...string) TokenFunc {
	if c.Dir == "" || key == "" {
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
