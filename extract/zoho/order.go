package zoho

import (
	"log/slog"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho"
)

// The list API's order, and what a read need not read again.
//
// CRM reads list records sorted by Modified_Time ascending. Records that
// share a second come in id order in the emulator (crm/zoho/zohotest
// orders ties by id, and its page tokens resume by both); the reference
// sheet names the sort keys but not the order of ties, so that Zoho does
// the same is unconfirmed. A read therefore checks it as it lists: when
// two records of one second come out of id order, the read keeps no id
// in its cursor and the next read re-reads the look-back window whole,
// as before ids were kept.
//
// A cursor's (Modified, ID) is the place the reads got to in that order,
// and ReadAt the start of the read that got there. The next read lists
// from Modified minus the look-back, as always, but passes over the
// records at or before that place whose Modified_Time is more than the
// look-back (and the second the times are cut to) older than ReadAt:
// that read listed them, or they appeared later than the look-back
// allows for, which no read catches. A record changed since gets a
// Modified_Time at or after ReadAt, so it is read again. Records of the
// look-back window near ReadAt are read again as before: a bulk import
// landed within the look-back before a read is read twice up to where
// that read stopped, once.

// place is a record's place in the list API's order.
type place struct {
	mod string // Modified_Time as the API wrote it ("": none)
	t   time.Time
	id  string
}

// placeOf is the place of a record; ok is false when its Modified_Time
// is missing or not a time.
func placeOf(mod, id string) (place, bool) {
	if mod == "" {
		return place{}, false
	}
	t, err := zoho.ParseTime(mod)
	if err != nil {
		return place{}, false
	}
	return place{mod: mod, t: t, id: id}, true
}

// cmp orders places by time, then id.
func (a place) cmp(b place) int {
	switch {
	case a.t.Before(b.t):
		return -1
	case a.t.After(b.t):
		return 1
	}
	return cmpID(a.id, b.id)
}

// cmpID orders record ids as numbers (Zoho's ids are decimal digits);
// other ids by their text.
func cmpID(a, b string) int {
	if digits(a) && digits(b) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a) != len(b) {
			if len(a) < len(b) {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// listOrder follows a listing's records in the order they come: the last
// one, and whether ties kept to id order.
type listOrder struct {
	last place
	// broken is set once two records came out of (Modified_Time, id)
	// order: the read's cursors then keep no id.
	broken bool
}

// see notes the next record listed and returns its place (ok false when
// it has no Modified_Time to place it by).
func (o *listOrder) see(mod, id string) (place, bool) {
	pl, ok := placeOf(mod, id)
	if !ok {
		return pl, false
	}
	if o.last.mod != "" && pl.cmp(o.last) <= 0 {
		o.broken = true
	}
	o.last = pl
	return pl, true
}

// warnBroken says once per read that ties came out of id order.
func (o *listOrder) warnBroken(log *slog.Logger, source, object string, warned *bool) {
	if o.broken && !*warned {
		*warned = true
		log.Warn("zoho extract: records of one Modified_Time came out of id order; the cursor keeps no id and "+
			"the next read re-reads its look-back window whole", "source", source, "object", object, "at", o.last.mod)
	}
}

// skipRule is what a read from a cursor passes over: the records at or
// before the cursor's place whose Modified_Time is at or before cutoff.
type skipRule struct {
	on     bool
	to     place
	cutoff time.Time
}

// skipRule is the rule of a read from c with the given look-back; off for
// a cursor without an id.
func (c cursor) skipRule(lookback time.Duration) skipRule {
	if c.ID == "" {
		return skipRule{}
	}
	to, ok := placeOf(c.Modified, c.ID)
	readAt := at(c.ReadAt)
	if !ok || readAt.IsZero() {
		return skipRule{}
	}
	// Modified_Time has whole seconds: a record changed in the second the
	// read started has a time after cutoff even with no look-back.
	return skipRule{on: true, to: to, cutoff: readAt.Add(-lookback - time.Second)}
}

// skips says whether the record at pl need not be read again.
func (r skipRule) skips(pl place) bool {
	return r.on && !pl.t.After(r.cutoff) && pl.cmp(r.to) <= 0
}

// reach is the place a cursor holds once a read that started at readAt
// (RFC 3339) has read every record up to last (mod "": none) of a read
// from prev: the later of prev's place and last, with the start of the
// read that got there; without an id when the order broke.
func reach(prev cursor, last place, readAt string, broken bool) (mod, id, at string) {
	mod, id, at = prev.Modified, prev.ID, prev.ReadAt
	if last.mod != "" {
		pp, ok := placeOf(prev.Modified, prev.ID)
		if !ok || last.cmp(pp) >= 0 {
			mod, id, at = last.mod, last.id, readAt
		}
	}
	if broken || id == "" {
		id, at = "", ""
	}
	return mod, id, at
}
