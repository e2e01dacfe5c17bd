package zohodesk

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"

	revsync "github.com/revops/revops/sync"
)

// searchParams are the standard keys Desk's contact and account search
// filters on (sheet §8.2 names the search APIs and email; the others are
// unconfirmed); custom fields are searched with customField1=cf_x:value.
var searchParams = map[string]map[string]bool{
	"contacts": {"email": true, "secondaryEmail": true, "firstName": true, "lastName": true, "phone": true, "mobile": true},
	"accounts": {"accountName": true, "email": true, "phone": true, "website": true},
}

// entries returns the duplicate-check entries of m.
func entries(m revsync.Match) ([][]string, error) {
	switch m.By {
	case revsync.MatchDuplicateCheck:
		if len(m.Fields) == 0 {
			return nil, fmt.Errorf("no duplicate-check fields")
		}
		return revsync.MatchEntries(m.Fields), nil
	case revsync.MatchExternalID:
		if m.Field == "" {
			return nil, fmt.Errorf("match by external_id names no field")
		}
		return [][]string{{m.Field}}, nil
	}
	return nil, fmt.Errorf("cannot match by %q (want duplicate_check or external_id)", m.By)
}

// MatchRecords implements revsync.Matcher (see the package doc): for each
// key, the records matching the first entry of m that matches any record.
// One search call per key and entry tried; or, for many keys (see
// index.go), in memory on the collection read once, after reading what
// changed since.
func (d *Destination) MatchRecords(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([][]revsync.Candidate, error) {
	kind, err := kindOf(object)
	if err != nil {
		return nil, err
	}
	sc, err := d.schemaOf(ctx, kind)
	if err != nil {
		return nil, err
	}
	if err := checkMatch(kind, sc, m); err != nil {
		return nil, fmt.Errorf("zoho_desk: match %s: %w", kind, err)
	}
	es, _ := entries(m)
	ix, built, err := d.indexFor(ctx, kind, max(len(keys), d.pending))
	if err != nil {
		return nil, err
	}
	if ix != nil && !built {
		// Read what changed since the index was read: a caller may be
		// about to create (or looking for a create whose answer was lost).
		ok, err := d.list(ctx, ix)
		if err != nil {
			return nil, err
		}
		if !ok {
			ix = nil
		}
	}
	if ix != nil {
		out := make([][]revsync.Candidate, len(keys))
		for i, key := range keys {
			out[i] = d.matchIndexed(ix, es, key)
		}
		return out, nil
	}
	return d.matchSearch(ctx, kind, sc, es, keys)
}

// matchSearch matches keys by Desk's search: one call per key and entry
// tried until one matches.
func (d *Destination) matchSearch(ctx context.Context, kind string, sc *schema, es [][]string, keys []map[string]any) ([][]revsync.Candidate, error) {
	out := make([][]revsync.Candidate, len(keys))
	for i, key := range keys {
		for _, e := range es {
			if !complete(key, e) {
				continue
			}
			cands, err := d.matchEntry(ctx, kind, sc, e, key)
			if err != nil {
				return nil, err
			}
			if len(cands) > 0 {
				out[i] = cands
				break
			}
		}
	}
	return out, nil
}

// checkMatch reports whether the records of kind can be matched by m:
// every field of its entries is a field of kind, and each entry has a
// part Desk's search filters on (the other parts, such as accountId in
// firstName+lastName+accountId, are compared on the records it finds).
func checkMatch(kind string, sc *schema, m revsync.Match) error {
	es, err := entries(m)
	if err != nil {
		return err
	}
	for _, e := range es {
		for _, f := range e {
			if _, ok := sc.s.Fields[f]; !ok {
				return fmt.Errorf("match by %s: %s has no field %s", strings.Join(e, "+"), kind, f)
			}
		}
		if !slices.ContainsFunc(e, func(f string) bool { return searchable(kind, f) }) {
			return fmt.Errorf("match by %s: Desk's search cannot filter on %s (an entry needs one of %s, or a cf_ custom field)",
				strings.Join(e, "+"), strings.Join(e, " or "), strings.Join(slices.Sorted(maps.Keys(searchParams[kind])), ", "))
		}
	}
	return nil
}

// searchable reports whether Desk's search of kind filters on field f.
func searchable(kind, f string) bool { return searchParams[kind][f] || strings.HasPrefix(f, "cf_") }

// complete reports whether key holds a value for every field of entry.
func complete(key map[string]any, entry []string) bool {
	for _, f := range entry {
		if form(f, key[f]) == "" {
			return false
		}
	}
	return len(entry) > 0
}

// matchEntry searches the records holding key's values of entry: one
// search by the first searchable part that is not a phone (its words
// joined by the wildcard *; an e-mail as it is, trimmed), else by the
// phone's last four digits (*0100), then every part compared in its
// normal form. Records this Destination created with those values count
// too.
func (d *Destination) matchEntry(ctx context.Context, kind string, sc *schema, entry []string, key map[string]any) ([]revsync.Candidate, error) {
	via := strings.Join(entry, "+")
	// The part searched by: the first searchable one that is not a phone,
	// else the first searchable phone.
	q := -1
	for j, f := range entry {
		if searchable(kind, f) && (q < 0 || sc.s.Fields[entry[q]].Type == revsync.TypePhone && sc.s.Fields[f].Type != revsync.TypePhone) {
			q = j
		}
	}
	f := entry[q]
	value := strings.TrimSpace(fmt.Sprint(key[f]))
	if !isEmailField(f) && sc.s.Fields[f].Type != revsync.TypePhone {
		// Words joined by the wildcard: "Zylker  Labs" is found from
		// "zylker labs"; what else it finds is dropped below.
		value = strings.Join(strings.FieldsFunc(value, unicode.IsSpace), "*")
	}
	if sc.s.Fields[f].Type == revsync.TypePhone {
		digits := form(f, key[f])
		if len(digits) < 4 {
			return nil, nil
		}
		value = "*" + digits[len(digits)-4:]
	}
	params := url.Values{}
	if strings.HasPrefix(f, "cf_") {
		params.Set("customField1", f+":"+value)
	} else {
		params.Set(f, value)
	}
	var out []revsync.Candidate
	add := func(id string) {
		if id != "" && !slices.ContainsFunc(out, func(c revsync.Candidate) bool { return c.ID == id }) {
			out = append(out, revsync.Candidate{ID: id, Via: via})
		}
	}
	err := d.desk.Search(ctx, kind, params, func(recs []map[string]any) (bool, error) {
		for _, r := range recs {
			if sameParts(entry, key, r) {
				id, _ := r["id"].(string)
				add(id)
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("zoho_desk: match %s by %s: %w", kind, via, err)
	}
	if id := d.created[kind][matchKey(entry, key)]; id != "" {
		add(id)
	}
	slices.SortFunc(out, func(a, b revsync.Candidate) int { return compareIDs(a.ID, b.ID) })
	return out, nil
}

// compareIDs orders Desk ids (decimal strings) numerically.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// sameParts reports whether record r holds key's value of every field of
// entry, in normal form.
func sameParts(entry []string, key, r map[string]any) bool {
	for _, f := range entry {
		a, b := form(f, key[f]), form(f, field(r, f))
		if a == "" || a != b {
			return false
		}
	}
	return true
}

// field reads a field of a Desk record; custom fields from cf.
func field(r map[string]any, f string) any {
	if strings.HasPrefix(f, "cf_") {
		cf, _ := r["cf"].(map[string]any)
		return cf[f]
	}
	return r[f]
}

// matchKey is the key a record created with key's values of entry is
// remembered by.
func matchKey(entry []string, key map[string]any) string {
	var b strings.Builder
	for _, f := range entry {
		b.WriteString(f + "\x00" + form(f, key[f]) + "\x00")
	}
	return b.String()
}

// form is the normal form values of field f are compared in: e-mail
// addresses trimmed and lower-cased, phones by their digits (the last ten
// when longer), other text trimmed, single-spaced and lower-cased; "" for
// an empty value.
func form(f string, v any) string {
	if v == nil {
		return ""
	}
	t := revsync.FieldType("")
	switch {
	case isEmailField(f):
		t = revsync.TypeEmail
	case isPhoneField(f):
		t = revsync.TypePhone
	}
	return revsync.MatchForm(t, fmt.Sprint(v))
}

func isEmailField(f string) bool { return f == "email" || f == "secondaryEmail" }

func isPhoneField(f string) bool { return f == "phone" || f == "mobile" || f == "fax" }

// remember notes that id was created with values (see Destination.created).
func (d *Destination) remember(kind string, m revsync.Match, values map[string]any, id string) {
	es, err := entries(m)
	if err != nil {
		return
	}
	if d.created[kind] == nil {
		d.created[kind] = map[string]string{}
	}
	for _, e := range es {
		if complete(values, e) {
			d.created[kind][matchKey(e, values)] = id
		}
	}
}

// Find returns, for each key, the id of the one record matching it (by
// m, as MatchRecords; "" for none or several), or, with m.By "id",
// key["id"] when that record exists.
func (d *Destination) Find(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([]string, error) {
	kind, err := kindOf(object)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	if m.By == revsync.MatchID {
		ids := make([]string, 0, len(keys))
		for _, k := range keys {
			if id, ok := k["id"].(string); ok && id != "" {
				ids = append(ids, id)
			}
		}
		live, err := d.read(ctx, kind, ids)
		if err != nil {
			return nil, fmt.Errorf("zoho_desk: find %s by id: %w", kind, err)
		}
		for i, k := range keys {
			if id, _ := k["id"].(string); live[id] != nil {
				out[i] = id
			}
		}
		return out, nil
	}
	cands, err := d.MatchRecords(ctx, kind, m, keys)
	if err != nil {
		return nil, err
	}
	return revsync.UniqueIDs(cands), nil
}
