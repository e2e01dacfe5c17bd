package link

import (
	"testing"
	"time"
)

// One value stored two ways compares equal in its canonical form; two
// different values do not.
func TestCanonical(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	cases := []struct {
		typ  string
		a, b any
		same bool
	}{
		{typePhone, "(415) 555-0100", "+1 415.555.0100", true},
		{typePhone, "+44 20 7946 0958", "020 7946 0958", false}, // a UK number read as US
		{typePhone, "+1 415 555 0100", "+1 415 555 0101", false},
		{typePhone, "555-0100 ext. 12", "555 0100 x12", true},
		{typeEmail, " Ann@Example.COM", "ann@example.com", true},
		{typeText, "  Head of   Sales ", "Head of Sales", true},
		{typeText, "Head of Sales", "head of sales", false},
		{typeNumber, int64(250), 250.0, true},
		{typeNumber, "1e3", int64(1000), true},
		{typeNumber, 0.1 + 0.2, 0.3, true},
		{typeNumber, 10.5, 10.0, false},
		{typeDate, at, "2026-03-01", true},
		{typeDatetime, at, "2026-03-01T08:30:00Z", true},
		{typeDatetime, at, "2026-03-01T09:30:00Z", false},
		{typeBoolean, nil, false, true},
		{typeBoolean, "yes", true, true},
		{typePicklist, "-None-", nil, true},
		{typeMultipicklist, "b;a", []any{"a", "b"}, true},
		{typeURL, "https://acme.example/", "https://acme.example", true},
	}
	for _, c := range cases {
		a, b := canon(c.typ, c.a, "US"), canon(c.typ, c.b, "US")
		if (a == b) != c.same {
			t.Errorf("%s: %v → %q, %v → %q: same %v, want %v", c.typ, c.a, a, c.b, b, a == b, c.same)
		}
	}
}

// Joined fields split back into what joins to the same value.
func TestSplitJoin(t *testing.T) {
	for _, v := range []string{"Mary Ann Smith", "Smith", "Jo  Lee"} {
		if got := joined(split(v)); text(got) != text(v) {
			t.Errorf("joined(split(%q)) = %v", v, got)
		}
	}
	if p := split("Mary Ann Smith"); p[0] != "Mary Ann" || p[1] != "Smith" {
		t.Errorf("split = %v", p)
	}
}
