package salesforce

import (
	"context"
	"fmt"
	"slices"
	"strings"

	revsync "github.com/revops/revops/sync"
)

// Salesforce's upsert knows only external ids, so a sync matched by
// duplicate_check (Zoho's duplicate_check_fields, reproduced) is matched
// by revops itself, with SOQL:
//
//   - the entries of match.fields are tried in order; an entry of several
//     fields joined by "+" (LastName+Company) matches when every part does;
//     the first entry that matches any record decides;
//   - values are compared in a normal form: e-mail addresses trimmed and
//     lower-cased, phones by their digits (the last ten when longer, so
//     "+1 415 555 0100" is "(415) 555-0100"), other text trimmed, with
//     single spaces and any case;
//   - a Lead sync also looks among Contacts (by the Contact fields of
//     LeadToContact, Company as the Contact's Account.Name): a person who
//     is already a Contact is updated as a Contact, not added as a Lead;
//     a converted lead counts as the Contact it became;
//   - no match: the record is created; one: it is updated; several: the
//     row is not written (revsync.CodeAmbiguousMatch, with the
//     candidates) and goes to review.
//
// Each entry costs one query per object searched and per 100 values
// (phones: 50, each by its last four digits).

var _ revsync.Matcher = (*Destination)(nil)

// MatchRecords implements revsync.Matcher (see above). keys hold the
// values of the match fields by field name.
func (d *Destination) MatchRecords(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([][]revsync.Candidate, error) {
	var entries [][]string
	switch m.By {
	case revsync.MatchDuplicateCheck:
		entries = revsync.MatchEntries(m.Fields)
	case revsync.MatchExternalID:
		entries = [][]string{{m.Field}}
	default:
		return nil, fmt.Errorf("salesforce: match %s: cannot match by %q", object, m.By)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("salesforce: match %s: no duplicate-check fields", object)
	}
	sc, err := d.schema(ctx, object)
	if err != nil {
		return nil, err
	}
	object = sc.Object
	out := make([][]revsync.Candidate, len(keys))
	left := make([]int, len(keys))
	for i := range left {
		left[i] = i
	}
	for _, e := range entries {
		var idx []int
		for _, i := range left {
			if complete(keys[i], e) {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		found := map[int][]revsync.Candidate{}
		targets := []string{object}
		if strings.EqualFold(object, "Lead") {
			targets = append(targets, "Contact")
		}
		for _, target := range targets {
			if err := d.matchEntry(ctx, sc, target, e, keys, idx, found); err != nil {
				return nil, err
			}
		}
		var next []int
		for _, i := range left {
			if c := distinct(found[i]); len(c) > 0 {
				out[i] = c
			} else {
				next = append(next, i)
			}
		}
		left = next
	}
	return out, nil
}

// complete reports whether key holds a value for every field of entry.
func complete(key map[string]any, entry []string) bool {
	for _, f := range entry {
		if isEmpty(lookup(key, f)) {
			return false
		}
	}
	return len(entry) > 0
}

// distinct drops repeated records (a converted lead and its contact).
func distinct(cs []revsync.Candidate) []revsync.Candidate {
	var out []revsync.Candidate
	for _, c := range cs {
		if !slices.ContainsFunc(out, func(o revsync.Candidate) bool {
			return o.Object == c.Object && normKey("Id", o.ID) == normKey("Id", c.ID)
		}) {
			out = append(out, c)
		}
	}
	return out
}

// matchForm is the form values are compared in (see above).
func matchForm(t revsync.FieldType, v any) string {
	return revsync.MatchForm(t, fmt.Sprint(v))
}

// targetField is the field of target holding the value of object's field
// f ("" when it has none): f itself, or for a Lead's Contact the field of
// LeadToContact (Company: the Contact's Account.Name).
func (d *Destination) targetField(ctx context.Context, object, target, f string) (string, error) {
	if object == target {
		return f, nil
	}
	if object == "Lead" && target == "Contact" {
		if f == "Company" {
			return "Account.Name", nil
		}
		return d.contactField(ctx, f)
	}
	return "", nil
}

// matchEntry finds the records of target matching entry for the keys at
// idx, adding them to found.
func (d *Destination) matchEntry(ctx context.Context, sc *revsync.Schema, target string, entry []string, keys []map[string]any,
	idx []int, found map[int][]revsync.Candidate) error {
	object := sc.Object
	cols := make([]string, len(entry))
	kinds := make([]revsync.FieldType, len(entry))
	for j, f := range entry {
		tf, err := d.targetField(ctx, object, target, canonical(sc, f))
		if err != nil {
			return err
		}
		if tf == "" {
			return nil // target has no such field: nothing of target matches
		}
		cols[j], kinds[j] = tf, sc.Fields[canonical(sc, f)].Type
	}
	// Query by the first part that is not a phone (selective, exact), else
	// by the phone's last four digits.
	q := 0
	for j := range entry {
		if kinds[j] != revsync.TypePhone {
			q = j
			break
		}
	}
	byValue := map[string][]int{}
	var vals []string
	for _, i := range idx {
		v := lookup(keys[i], entry[q])
		form := matchForm(kinds[q], v)
		if form == "" || kinds[q] == revsync.TypePhone && len(form) < 4 {
			continue
		}
		if _, seen := byValue[form]; !seen {
			if kinds[q] == revsync.TypePhone {
				vals = append(vals, form[len(form)-4:])
			} else {
				vals = append(vals, strings.TrimSpace(fmt.Sprint(v)))
			}
		}
		byValue[form] = append(byValue[form], i)
	}
	vals = slices.Compact(slices.Sorted(slices.Values(vals)))
	sel := []string{"Id"}
	for _, c := range cols {
		if !slices.Contains(sel, c) {
			sel = append(sel, c)
		}
	}
	if target == "Lead" {
		sel = append(sel, "IsConverted", "ConvertedContactId")
	}
	step := queryChunk
	if kinds[q] == revsync.TypePhone {
		step = 50
	}
	via := strings.Join(entry, "+")
	for start := 0; start < len(vals); start += step {
		part := vals[start:min(start+step, len(vals))]
		var where string
		if kinds[q] == revsync.TypePhone {
			var ors []string
			for _, v := range part {
				ors = append(ors, cols[q]+" LIKE "+quote("%"+v))
			}
			where = "(" + strings.Join(ors, " OR ") + ")"
		} else {
			where = cols[q] + " IN (" + quoteList(part) + ")"
		}
		soql := fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(sel, ", "), target, where)
		err := d.c.Query(ctx, soql, false, 0, func(recs []map[string]any) error {
			for _, r := range recs {
				for _, i := range byValue[matchForm(kinds[q], path(r, cols[q]))] {
					if !sameParts(keys[i], r, entry, cols, kinds) {
						continue
					}
					c := revsync.Candidate{Object: target, ID: str(r["Id"]), Via: via}
					if conv, _ := r["IsConverted"].(bool); conv {
						if str(r["ConvertedContactId"]) == "" {
							continue
						}
						c = revsync.Candidate{Object: "Contact", ID: str(r["ConvertedContactId"]), Via: via, From: "Lead " + c.ID}
					}
					found[i] = append(found[i], c)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("salesforce: match %s records by %s: %w", target, via, err)
		}
	}
	return nil
}

// sameParts reports whether record r holds the key's value of every part.
func sameParts(key, r map[string]any, entry, cols []string, kinds []revsync.FieldType) bool {
	for j, f := range entry {
		a, b := matchForm(kinds[j], lookup(key, f)), matchForm(kinds[j], path(r, cols[j]))
		if a == "" || a != b {
			return false
		}
	}
	return true
}

// path reads a field of a query record, following a relationship
// ("Account.Name").
func path(r map[string]any, p string) any {
	var cur any = r
	for _, part := range strings.Split(p, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = lookup(m, part)
	}
	return cur
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// match resolves the records of upserts matched by duplicate-check
// values (see MatchRecords): no candidate, the record is created
// (inserts); one, it is updated (updates, by the candidate's object);
// several, it fails with revsync.CodeAmbiguousMatch. A record to create
// whose values match an earlier record to create of the same write is
// deferred (returned: record → that earlier record): Salesforce checks a
// batch against existing data only, so both would be created; it is
// written to the record the earlier one creates instead (sameBatch).
func (w *write) match(ctx context.Context, rows []int, inserts *[]int, updates map[string][]int) (map[int]int, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	keys := make([]map[string]any, len(rows))
	for k, i := range rows {
		keys[k] = w.recs[i].Values
	}
	cands, err := w.d.MatchRecords(ctx, w.object, w.m, keys)
	if err != nil {
		return nil, err
	}
	sc, err := w.d.schema(ctx, w.object)
	if err != nil {
		return nil, err
	}
	entries := revsync.MatchEntries(w.m.Fields)
	deferred := map[int]int{}
	leaders := map[string]int{}
	for k, i := range rows {
		switch c := cands[k]; len(c) {
		case 0:
			var mine []string
			for j, e := range entries {
				if !complete(w.recs[i].Values, e) {
					continue
				}
				key := fmt.Sprint(j)
				for _, f := range e {
					key += "\x00" + matchForm(sc.Fields[canonical(sc, f)].Type, lookup(w.recs[i].Values, f))
				}
				mine = append(mine, key)
			}
			leader, found := -1, false
			for _, key := range mine {
				if l, ok := leaders[key]; ok {
					leader, found = l, true
					break
				}
			}
			if found {
				deferred[i] = leader
				continue
			}
			for _, key := range mine {
				leaders[key] = i
			}
			*inserts = append(*inserts, i)
		case 1:
			w.recs[i].ID = c[0].ID
			o := c[0].Object
			if o == "" {
				o = w.object
			}
			updates[o] = append(updates[o], i)
		default:
			var parts []string
			for _, x := range c {
				p := x.Object + " " + x.ID + " (by " + x.Via + ")"
				if x.From != "" {
					p += ", converted from " + x.From
				}
				parts = append(parts, p)
			}
			w.out[i].Err = &revsync.RowError{Code: revsync.CodeAmbiguousMatch, Candidates: c,
				Message: fmt.Sprintf("matches %d records: %s; not written until one is left (merge or delete the others, or change the row)",
					len(c), strings.Join(parts, "; "))}
		}
	}
	return deferred, nil
}

// sameBatch sends the deferred records (see match) to the records their
// earlier twins created; when that create failed, they fail too
// (retryable: the next run finds the record, or creates it).
func (w *write) sameBatch(ctx context.Context, deferred map[int]int, updates map[string][]int) error {
	for i, l := range deferred {
		if r := w.out[l]; r.Err == nil && r.ID != "" {
			w.recs[i].ID = r.ID
			updates[w.object] = append(updates[w.object], i)
			continue
		}
		w.out[i].Err = &revsync.RowError{Code: "MATCH_PENDING", Retryable: true,
			Message: fmt.Sprintf("not written: its values match record %s of the same batch, whose create failed; it is sent again next run", w.recs[l].Key)}
	}
	for o := range updates {
		slices.Sort(updates[o])
	}
	return nil
}
