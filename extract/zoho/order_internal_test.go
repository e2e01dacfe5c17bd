package zoho

import (
	"testing"
	"time"
)

// TestListOrder: ties out of id order (or times going back) break the
// order, and a broken read's cursor place keeps no id; ids compare as
// numbers.
func TestListOrder(t *testing.T) {
	const t0, t1 = "2026-03-02T14:30:00+05:30", "2026-03-02T14:30:01+05:30"
	for _, tc := range []struct {
		name   string
		recs   [][2]string // Modified_Time, id
		broken bool
	}{
		{"ties by id", [][2]string{{t0, "98"}, {t0, "99"}, {t0, "100"}, {t1, "1"}}, false},
		{"ties out of id order", [][2]string{{t0, "100"}, {t0, "99"}}, true},
		{"same id twice", [][2]string{{t0, "7"}, {t0, "7"}}, true},
		{"time goes back", [][2]string{{t1, "1"}, {t0, "2"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o listOrder
			for _, r := range tc.recs {
				o.see(r[0], r[1])
			}
			if o.broken != tc.broken {
				t.Fatalf("broken %v, want %v", o.broken, tc.broken)
			}
			_, id, readAt := reach(cursor{}, o.last, "2026-03-02T10:00:00Z", o.broken)
			if (id == "" || readAt == "") != tc.broken {
				t.Fatalf("place id %q read_at %q with broken %v", id, readAt, o.broken)
			}
		})
	}
}

// TestSkipRule: a read passes over the records at or before the cursor's
// place that were more than the look-back (and a second) old at read_at.
func TestSkipRule(t *testing.T) {
	c := cursor{Modified: "2026-03-02T09:00:00Z", ID: "500", ReadAt: "2026-03-02T09:10:00Z"}
	r := c.skipRule(5 * time.Minute)
	for _, tc := range []struct {
		mod, id string
		skips   bool
	}{
		{"2026-03-02T09:00:00Z", "500", true},
		{"2026-03-02T09:00:00Z", "499", true},
		{"2026-03-02T09:00:00Z", "501", false},   // after the place
		{"2026-03-02T08:59:59Z", "9999", true},   // an earlier second
		{"2026-03-02T09:00:01Z", "1", false},     // a later second
		{"2026-03-02T09:00:00+05:30", "1", true}, // 03:30Z
	} {
		pl, _ := placeOf(tc.mod, tc.id)
		if got := r.skips(pl); got != tc.skips {
			t.Errorf("%s %s: skips %v, want %v", tc.mod, tc.id, got, tc.skips)
		}
	}
	// A place within the look-back of read_at is read again.
	fresh := cursor{Modified: "2026-03-02T09:06:00Z", ID: "500", ReadAt: "2026-03-02T09:10:00Z"}.skipRule(5 * time.Minute)
	if pl, _ := placeOf("2026-03-02T09:04:59Z", "1"); !fresh.skips(pl) {
		t.Error("a record 5m1s older than read_at is read again")
	}
	if pl, _ := placeOf("2026-03-02T09:05:00Z", "1"); fresh.skips(pl) {
		t.Error("a record 5m older than read_at is passed over")
	}
	if (cursor{Modified: "2026-03-02T09:00:00Z"}).skipRule(5 * time.Minute).on {
		t.Error("a cursor without an id passes records over")
	}
}
