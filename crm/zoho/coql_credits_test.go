package zoho_test

import (
	"context"
	"errors"
	"fmt"
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

// TestGateCredits: the gate is asked before each call with the credits
// the client then counts for it (a write of 25 records 3, a COQL query of
// LIMIT 2000 3); a refusal fails the call unsent, and the emulator
// charges nothing for it.
func TestGateCredits(t *testing.T) {
	ts := start(t, zohotest.Options{DailyCredits: 1000}, 0)
	c := newClient(t, config(ts))
	ctx := context.Background()
	var asked []int64
	c.SetGate(func(_ context.Context, what string, credits int64) (func(), error) {
		asked = append(asked, credits)
		return func() {}, nil
	})
	var recs []map[string]any
	for i := range 25 {
		recs = append(recs, map[string]any{"Last_Name": fmt.Sprint("Gate ", i)})
	}
	before := c.Credits()
	if _, err := c.Insert(ctx, "Leads", recs); err != nil {
		t.Fatal(err)
	}
	if _, err := c.COQL(ctx, "select Last_Name from Leads where Last_Name is not null limit 2000"); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || asked[0] != 3 || asked[1] != 3 || c.Credits()-before != 6 {
		t.Errorf("gate asked for %v, the client counted %d", asked, c.Credits()-before)
	}
	refused := errors.New("no room")
	c.SetGate(func(context.Context, string, int64) (func(), error) { return nil, refused })
	used0, _ := ts.Credits()
	if _, err := c.Insert(ctx, "Leads", recs); !errors.Is(err, refused) {
		t.Errorf("refused insert: %v", err)
	}
	if used1, _ := ts.Credits(); used1 != used0 || c.Credits()-before != 6 {
		t.Errorf("a refused call was charged: %d → %d credits", used0, used1)
	}
}
