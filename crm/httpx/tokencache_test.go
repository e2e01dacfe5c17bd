package httpx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	key := c.Key("https://accounts.zoho.eu", "client", "refresh-secret")
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
	// The file is private and does not name the credentials.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("cache files: %v", entries)
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	for _, secret := range []string{"refresh-secret", "client"} {
		if strings.Contains(string(data), secret) || strings.Contains(entries[0].Name(), secret) {
			t.Errorf("the cache shows %q", secret)
		}
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
