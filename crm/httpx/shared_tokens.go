package httpx

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// SharedTokens keeps access tokens in memory for the whole process, so
// that the clients of one set of credentials (Zoho CRM, Desk, Campaigns,
// Books and Projects with one refresh token) use one token between them
// even without a TokenCache on disk: Zoho grants only ten access tokens
// per refresh token in ten minutes, and one `revops run` opens a client
// per source and destination. Clients needing a token at the same time
// wait for one fetch. The zero value is ready to use.
type SharedTokens struct {
	mu      sync.Mutex
	entries map[string]*sharedEntry
}

type sharedEntry struct {
	mu  sync.Mutex // held while fetching
	tok *oauth2.Token
}

// SharedKey names one set of credentials (hashed, so that no secret is
// kept as a map key in plain text).
func SharedKey(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *SharedTokens) entry(key string) *sharedEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		s.entries = map[string]*sharedEntry{}
	}
	e := s.entries[key]
	if e == nil {
		e = &sharedEntry{}
		s.entries[key] = e
	}
	return e
}

// Wrap returns a TokenFunc that answers with the token another client of
// key fetched while it has more than two minutes left, and otherwise
// calls fetch and shares what it returns. A client that asks again after
// using a token (it was refused, or is expiring) is never handed that
// token again: it gets a newer one or fetches anew.
func (s *SharedTokens) Wrap(key string, fetch TokenFunc) TokenFunc {
	e := s.entry(key)
	var mu sync.Mutex
	var handedOut string
	return func(ctx context.Context) (*oauth2.Token, error) {
		mu.Lock()
		defer mu.Unlock()
		e.mu.Lock()
		defer e.mu.Unlock()
		if t := e.tok; t != nil && t.AccessToken != handedOut && (t.Expiry.IsZero() || time.Until(t.Expiry) > 2*time.Minute) {
			handedOut = t.AccessToken
			return t, nil
		}
		tok, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		handedOut = tok.AccessToken
		e.tok = tok
		return tok, nil
	}
}
