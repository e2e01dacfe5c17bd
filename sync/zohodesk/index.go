package zohodesk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho"
	revsync "github.com/revops/revops/sync"
)

// Matching many records at once: the collection read once.
//
// A duplicate check by search costs one search call per record and entry
// tried (1 to 3 for a contact), while the whole collection lists in
// pages of 100. When a run has more records to match than the list has
// pages, the Destination reads the collection once, sorted by
// modifiedTime newest first, and matches in memory with the same entries
// and normal forms as the searches (an entry matches a record when every
// part is equal in normal form; a search by one part followed by the same
// comparison finds the same records).
//
// Never a duplicate. A record a user creates or edits in Desk after the
// list was read is not in it, so before the first create of each Write
// (at most MaxWrite records) the Destination reads the records modified
// since its last read: the list sorted by -modifiedTime down to the
// newest modifiedTime of that read (ties read again). The Desk server
// stamps modifiedTime with its own clock, so a record written after a
// read's first page was served holds a time at or after that read's
// newest, and the next read finds it, whatever the clocks of revops and
// Desk. A Write's creates are then matched against Desk as it was at most
// one Write (20 calls) earlier; the per-record search it replaces left the
// same kind of gap (a record created between the search and the create).
// Updates need no fresh read: a record matched once is the one to update.
// Records this Destination creates or updates enter the index from the
// write's answer, so twins in one run match the first.
//
// Paging: the list has no cursor, so pages overlap by one record (from
// steps by 99). A record modified or created during the read moves to the
// front and shifts the rest back: a page then starts with a record seen
// already, and the shifted records are read twice, none skipped (the
// moved one is in the next fresh read). A record trashed during the read
// shifts the rest forward and could skip one: a page that starts with a
// record not seen yet gives the index up, and the run matches by search.
// sortBy=modifiedTime on contacts, and modifiedTime in the contact list,
// are unconfirmed (sheet §8.2 lists both for accounts only; the extract
// relies on them for both): a listed record without a modifiedTime gives
// the index up too.

// minIndexed is the fewest records to match for which the collection may
// be listed instead of searched: below it the searches cost about what
// the probe and one page would.
const minIndexed = 4

// pageStep is how far each page of an index read starts past the last:
// pages overlap by one record.
const pageStep = zoho.DeskMaxLimit - 1

// index is one Desk collection (contacts or accounts) as last read.
type index struct {
	kind string
	recs map[string]map[string]any // by id
	// mark is the newest modifiedTime of the last read: the next read
	// stops below it.
	mark time.Time
	// by holds, per entry ("firstName+lastName+accountId"), the ids per
	// match key (matchKey of the record's values), built on first use.
	by map[string]map[string][]string
}

// entryName names an entry in index.by.
func entryName(e []string) string { return strings.Join(e, "+") }

// recordValues returns r's values of the fields of entry, custom fields
// from cf.
func recordValues(entry []string, r map[string]any) map[string]any {
	out := make(map[string]any, len(entry))
	for _, f := range entry {
		out[f] = field(r, f)
	}
	return out
}

// keys returns the ids whose values of entry match key's, building the
// entry's map on first use.
func (ix *index) keys(entry []string, key map[string]any) []string {
	name := entryName(entry)
	m, ok := ix.by[name]
	if !ok {
		m = map[string][]string{}
		for id, r := range ix.recs {
			if v := recordValues(entry, r); complete(v, entry) {
				k := matchKey(entry, v)
				m[k] = append(m[k], id)
			}
		}
		ix.by[name] = m
	}
	return m[matchKey(entry, key)]
}

// put stores r (a record as the API renders it), replacing what the index
// held for its id.
func (ix *index) put(r map[string]any) {
	id, _ := r["id"].(string)
	if id == "" {
		return
	}
	old := ix.recs[id]
	ix.recs[id] = r
	for name, m := range ix.by {
		entry := strings.Split(name, "+")
		if old != nil {
			if v := recordValues(entry, old); complete(v, entry) {
				k := matchKey(entry, v)
				m[k] = slices.DeleteFunc(m[k], func(x string) bool { return x == id })
			}
		}
		if v := recordValues(entry, r); complete(v, entry) {
			k := matchKey(entry, v)
			if !slices.Contains(m[k], id) {
				m[k] = append(m[k], id)
			}
		}
	}
}

// matchIndexed returns the records matching key by the first entry of es that
// matches any (as MatchRecords), with those this Destination created.
func (d *Destination) matchIndexed(ix *index, es [][]string, key map[string]any) []revsync.Candidate {
	for _, e := range es {
		if !complete(key, e) {
			continue
		}
		var out []revsync.Candidate
		add := func(id string) {
			if id != "" && !slices.ContainsFunc(out, func(c revsync.Candidate) bool { return c.ID == id }) {
				out = append(out, revsync.Candidate{ID: id, Via: entryName(e)})
			}
		}
		for _, id := range ix.keys(e, key) {
			add(id)
		}
		add(d.created[ix.kind][matchKey(e, key)])
		if len(out) > 0 {
			slices.SortFunc(out, func(a, b revsync.Candidate) int { return compareIDs(a.ID, b.ID) })
			return out
		}
	}
	return nil
}

// indexFor returns the index of kind for matching n records: the one
// held, else, when n is at least minIndexed and the collection lists in
// at most n pages, a new one (built reports that it was read just now);
// nil to match by search. Whether the collection fits is asked with one
// probe: a list page of one record at position n*pageStep+1, empty when
// it fits. A collection found too big for n is not probed again for n or
// fewer.
func (d *Destination) indexFor(ctx context.Context, kind string, n int) (ix *index, built bool, err error) {
	if ix := d.index[kind]; ix != nil {
		return ix, false, nil
	}
	if n < minIndexed || d.noIndex[kind] || n <= d.tooBig[kind] {
		return nil, false, nil
	}
	probe, err := d.desk.Page(ctx, kind, zoho.DeskListOptions{}, n*pageStep+1, 1)
	if err != nil {
		return nil, false, fmt.Errorf("zoho_desk: count %s: %w", kind, err)
	}
	if len(probe) > 0 {
		d.tooBig[kind] = n
		return nil, false, nil
	}
	ix = &index{kind: kind, recs: map[string]map[string]any{}, by: map[string]map[string][]string{}}
	ok, err := d.list(ctx, ix)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, nil
	}
	d.index[kind] = ix
	d.log.Debug("zoho_desk: matching in memory", "object", kind, "records", len(ix.recs), "to_match", n)
	return ix, true, nil
}

// list pages the collection of ix newest first, down to ix.mark (all of
// it for a new index), into ix (see the comment at the top of this file):
// a new index is read whole, a held one refreshed with what changed since
// its last read. false, and the index dropped, when a page starts with a
// record this read has not seen (the list may have skipped one).
func (d *Destination) list(ctx context.Context, ix *index) (bool, error) {
	var newest time.Time
	var last string // id of the previous page's last record
	seen := map[string]bool{}
	for from := 1; ; from += pageStep {
		page, err := d.desk.Page(ctx, ix.kind, zoho.DeskListOptions{SortBy: "-modifiedTime"}, from, zoho.DeskMaxLimit)
		if err != nil {
			return false, fmt.Errorf("zoho_desk: list %s: %w", ix.kind, err)
		}
		if last != "" && len(page) > 0 {
			if first, _ := page[0]["id"].(string); !seen[first] {
				d.log.Warn("zoho_desk: the list moved while it was read (a record removed); matching by search", "object", ix.kind)
				d.dropIndex(ix.kind)
				return false, nil
			}
		}
		for _, r := range page {
			mt, _ := r["modifiedTime"].(string)
			t, err := zoho.ParseTime(mt)
			if err != nil || t.IsZero() {
				// Without modifiedTime a later read cannot tell what
				// changed: match by search instead.
				d.log.Warn("zoho_desk: a listed record has no modifiedTime; matching by search", "object", ix.kind, "id", r["id"])
				d.dropIndex(ix.kind)
				return false, nil
			}
			if t.Before(ix.mark) {
				return d.marked(ix, newest), nil // newest first: the rest was read before
			}
			if t.After(newest) {
				newest = t
			}
			id, _ := r["id"].(string)
			seen[id] = true
			ix.put(r)
		}
		if len(page) < zoho.DeskMaxLimit {
			return d.marked(ix, newest), nil
		}
		last, _ = page[len(page)-1]["id"].(string)
	}
}

// marked moves ix.mark to newest when it is later.
func (d *Destination) marked(ix *index, newest time.Time) bool {
	if newest.After(ix.mark) {
		ix.mark = newest
	}
	return true
}

// dropIndex stops matching kind in memory for the Destination's life.
func (d *Destination) dropIndex(kind string) {
	delete(d.index, kind)
	d.noIndex[kind] = true
}
