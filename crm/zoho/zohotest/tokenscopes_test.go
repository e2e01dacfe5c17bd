package zohotest_test

import (
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestTokenScopes: a token the accounts server issued is known with its
// scopes (the other Zoho services' emulators rely on it); an unknown or
// expired one is not.
func TestTokenScopes(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	scopes, ok := e.ts.TokenScopes(e.token)
	if !ok {
		t.Fatal("TokenScopes: issued token unknown")
	}
	for _, want := range []string{"zohocampaigns.campaign.all", "zohobooks.fullaccess.all", "zohoprojects.projects.all", "zohocrm.modules.all"} {
		if !scopes[want] {
			t.Errorf("scope %s missing from %v", want, scopes)
		}
	}
	if _, ok := e.ts.TokenScopes("1000.nope"); ok {
		t.Error("unknown token accepted")
	}
	e.ts.ExpireTokens()
	if _, ok := e.ts.TokenScopes(e.token); ok {
		t.Error("expired token accepted")
	}
}
