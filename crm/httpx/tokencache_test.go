package httpx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestTokenCacheReusesAcrossClients(t *testing.T) {
	dir := t.TempDir()
	grants := 0
	fetch := func(ctx context.Context) (*oauth2.Token, error) {
		grants++
		tok := &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", grants), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
		return tok.WithExtra(map[string]any{"api_domain": "https://www.zohoapis.eu", "scope": "x"}), nil
	}
	c := TokenCache{Dir: dir}
	key, err := c.Key("https://accounts.zoho.eu", "client", "client-secret", "refresh-secret")
	if err != nil {
		t.Fatal(err)
	}
	// Two "runs" in a row: the second reuses the first one's token.
	first, err := c.Wrap(key, fetch, "api_domain")(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Wrap(key, fetch, "api_domain")(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if grants != 1 || second.AccessToken != first.AccessToken || second.Extra("api_domain") != "https://www.zohoapis.eu" {
		t.Fatalf("grants %d, tokens %q %q, api_domain %v", grants, first.AccessToken, second.AccessToken, second.Extra("api_domain"))
	}
	// The files (the token and the hashing key) are private, and neither
	// shows the credentials.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("cache files: %v", entries)
	}
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, secret := range []string{"refresh-secret", "client-secret", "client"} {
			if strings.Contains(string(data), secret) || strings.Contains(e.Name(), secret) {
				t.Errorf("%s shows %q", e.Name(), secret)
			}
		}
	}
}

// TestTokenCacheKeyCoversEveryCredential: changing any one credential
// (a wrong client secret above all) names another cache entry, so a token
// cached with the right credentials never hides wrong ones; and the name
// cannot be recomputed from the credentials without the directory's key.
func TestTokenCacheKeyCoversEveryCredential(t *testing.T) {
	dir := t.TempDir()
	c := TokenCache{Dir: dir}
	creds := []string{"https://accounts.zoho.eu", "EU", "1000.CLIENT", "client-secret", "1000.refresh", "ZohoCRM.modules.ALL"}
	base, err := c.Key(creds...)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := (TokenCache{Dir: dir}).Key(creds...); again != base {
		t.Fatalf("the same credentials gave %s then %s", base, again)
	}
	seen := map[string]int{base: -1}
	for i := range creds {
		changed := slices.Clone(creds)
		changed[i] += "x"
		k, err := c.Key(changed...)
		if err != nil {
			t.Fatal(err)
		}
		if j, dup := seen[k]; dup {
			t.Errorf("changing credential %d gives the key of %d", i, j)
		}
		seen[k] = i
	}
	// Parts do not run into each other.
	a, _ := c.Key("ab", "c")
	b, _ := c.Key("a", "bc")
	if a == b {
		t.Error(`("ab","c") and ("a","bc") share a key`)
	}
	// Not a plain hash of the credentials: another directory (another
	// random key) names the same credentials otherwise.
	other, err := TokenCache{Dir: t.TempDir()}.Key(creds...)
	if err != nil {
		t.Fatal(err)
	}
	plain := sha256.Sum256([]byte(strings.Join(creds, "\x00")))
	if other == base || strings.HasPrefix(hex.EncodeToString(plain[:]), base) {
		t.Errorf("key %s is recomputable from the credentials alone", base)
	}
	if _, err := (TokenCache{}).Key(creds...); err == nil {
		t.Error("a cache without a directory made a key")
	}
}

func TestTokenCacheFetchesWhenTheCachedTokenDied(t *testing.T) {
	dir := t.TempDir()
	grants := 0
	fetch := func(ctx context.Context) (*oauth2.Token, error) {
		grants++
		return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", grants), Expiry: time.Now().Add(time.Hour)}, nil
	}
	c := TokenCache{Dir: dir}
	f := c.Wrap("k", fetch)
	a, _ := f(t.Context())
	// The API refused a: the same client asks again and must get a new token.
	b, _ := f(t.Context())
	if a.AccessToken == b.AccessToken || grants != 2 {
		t.Fatalf("tokens %q %q after %d grants: a refused token was handed out again", a.AccessToken, b.AccessToken, grants)
	}
	// A token about to expire is not reused.
	if err := writeCachedToken(filepath.Join(dir, "k.json"), cachedToken{AccessToken: "old", Expiry: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	tok, _ := c.Wrap("k", fetch)(t.Context())
	if tok.AccessToken == "old" || grants != 3 {
		t.Fatalf("got %q after %d grants: an expiring token was reused", tok.AccessToken, grants)
	}
	// No directory: no cache.
	off := TokenCache{}.Wrap("k", fetch)
	off(t.Context())
	off(t.Context())
	if grants != 5 {
		t.Fatalf("grants %d with the cache off", grants)
	}
}
