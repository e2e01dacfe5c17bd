package zoho_test

import (
	"context"
	"testing"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestCOQLCredits: a COQL call is priced by its LIMIT (sheet §2.8) the
// same by the client's count and by the emulator's ledger, and once half
// the day's credits are used the emulator sends X-API-CREDITS-REMAINING,
// which the client keeps.
func TestCOQLCredits(t *testing.T) {
	ts := start(t, zohotest.Options{DailyCredits: 30}, 20)
	c := newClient(t, config(ts))
	ctx := context.Background()
	for _, tc := range []struct {
		query string
		want  int64
	}{
		{"select Last_Name from Contacts where Last_Name is not null", 1},
		{"select Last_Name from Contacts where Last_Name is not null limit 200", 1},
		{"select Last_Name from Contacts where Last_Name is not null limit 201", 2},
		{"select Last_Name from Contacts where Last_Name is not null limit 1000", 2},
		{"select Last_Name from Contacts where Last_Name is not null limit 1001", 3},
		{"select Last_Name from Contacts where Last_Name is not null limit 2000 offset 0", 3},
		{"select Last_Name from Contacts where Last_Name is not null limit 10, 1500", 3},
	} {
		if got := int64(zoho.COQLCredits(tc.query)); got != tc.want {
			t.Errorf("COQLCredits(%q) = %d, want %d", tc.query, got, tc.want)
		}
		before := c.Credits()
		used0, _ := ts.Credits()
		if _, err := c.COQL(ctx, tc.query); err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		used1, _ := ts.Credits()
		if got := c.Credits() - before; got != tc.want || int64(used1-used0) != tc.want {
			t.Errorf("%s: the client counted %d credits, the emulator charged %d, want %d", tc.query, got, used1-used0, tc.want)
		}
	}
	// 15 of 30 credits used (the token fetch is free): the header is due.
	used, limit := ts.Credits()
	if rem := c.CreditsRemaining(); used < limit/2 || rem != int64(limit-used) {
		t.Errorf("X-API-CREDITS-REMAINING %d after %d of %d credits", rem, used, limit)
	}
}
