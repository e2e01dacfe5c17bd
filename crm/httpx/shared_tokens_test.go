package httpx

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestSharedTokens: clients of one key use one fetched token, even when
// they ask at once; a client asking again after using a token gets a new
// one; another key fetches its own.
func TestSharedTokens(t *testing.T) {
	var s SharedTokens
	var fetches atomic.Int64
	fetch := func(ctx context.Context) (*oauth2.Token, error) {
		n := fetches.Add(1)
		time.Sleep(10 * time.Millisecond) // others ask meanwhile
		return &oauth2.Token{AccessToken: fmt.Sprint("tok-", n), Expiry: time.Now().Add(time.Hour)}, nil
	}
	key := SharedKey("zoho", "https://accounts", "US", "id", "secret", "refresh")
	clients := make([]TokenFunc, 5)
	for i := range clients {
		clients[i] = s.Wrap(key, fetch)
	}
	var wg sync.WaitGroup
	got := make([]string, len(clients))
	for i, c := range clients {
		wg.Go(func() {
			tok, err := c(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = tok.AccessToken
		})
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for 5 clients of one key, want 1 (tokens %v)", n, got)
	}
	// Client 0's token was refused: it asks again and gets a new one,
	// which client 1, asking again too, then shares.
	tok, _ := clients[0](context.Background())
	if tok.AccessToken == got[0] || fetches.Load() != 2 {
		t.Fatalf("asked again: %s after %s, %d fetches", tok.AccessToken, got[0], fetches.Load())
	}
	tok1, _ := clients[1](context.Background())
	if tok1.AccessToken != tok.AccessToken || fetches.Load() != 2 {
		t.Fatalf("client 1 asked again: %s, want the shared %s (%d fetches)", tok1.AccessToken, tok.AccessToken, fetches.Load())
	}
	// Another key (another secret) never gets these tokens.
	other := s.Wrap(SharedKey("zoho", "https://accounts", "US", "id", "wrong", "refresh"), fetch)
	if tok, _ := other(context.Background()); tok.AccessToken == tok1.AccessToken || fetches.Load() != 3 {
		t.Fatalf("another key got %s (%d fetches)", tok.AccessToken, fetches.Load())
	}
}
