package zoho

import (
	"context"
	"fmt"
	"slices"
	"strings"

	revsync "github.com/revops/revops/sync"
)

// A sync matched by duplicate_check is matched by revops itself, with
// COQL, as the Salesforce destination does (Zoho's own upsert would pick
// the oldest of several records silently, and knows neither Contacts nor
// entries of several fields):
//
//   - the entries of match.fields are tried in order; an entry of several
//     fields joined by "+" (Last_Name+Company) matches when every part
//     does; the first entry that matches any record decides;
//   - values are compared in a normal form: e-mail addresses trimmed and
//     lower-cased, phones by their digits (the last ten when longer),
//     other text trimmed, with single spaces and any case. COQL itself
//     compares text without regard to case (so the emulator; unconfirmed
//     for Zoho), so the query sends the trimmed value and the answer is
//     compared in the normal form;
//   - a Leads sync also looks among Contacts (by the Contacts fields of
//     LeadToContact, Company as the contact's Account_Name.Account_Name,
//     custom fields by their API name): a person who is already a contact
//     is updated as that contact, not added as a lead; a converted lead
//     (Converted__s) counts as the contact it became (Converted_Contact);
//   - no match: the record is created (Zoho's upsert, with the entries of
//     one field as duplicate_check_fields); one: it is updated by id, in
//     its module; several: the row is not written
//     (revsync.CodeAmbiguousMatch, with the candidates) and goes to review.
//
// Each entry costs one COQL call (one credit: LIMIT 200) per module
// searched and per 50 values (phones: 20, each by its last four digits).

// coqlMatchLimit is the LIMIT of a match query: one credit a call (sheet
// §2.8); more rows are read with OFFSET.
const coqlMatchLimit = 200

// phoneChunk is how many phones one match query asks for: each is a like
// criterion, and COQL takes at most 25 per WHERE.
const phoneChunk = 20

// MatchRecords implements revsync.Matcher (see above): for each key
// (duplicate-check field → value) the distinct records of the first entry
// of m that matches any record. m.By "external_id" matches on m.Field.
func (d *Destination) MatchRecords(ctx context.Context, module string, m revsync.Match, keys []map[string]any) ([][]revsync.Candidate, error) {
	targets := []string{module}
	if strings.EqualFold(module, "Leads") {
		targets = append(targets, "Contacts")
	}
	return d.matchIn(ctx, module, targets, m, keys)
}

// matchEntries returns the entries of m.
func matchEntries(m revsync.Match) ([][]string, error) {
	switch m.By {
	case revsync.MatchDuplicateCheck:
		if es := revsync.MatchEntries(m.Fields); len(es) > 0 {
			return es, nil
		}
		return nil, fmt.Errorf("no duplicate-check fields")
	case revsync.MatchExternalID:
		if m.Field == "" {
			return nil, fmt.Errorf("match by external_id names no field")
		}
		return [][]string{{m.Field}}, nil
	}
	return nil, fmt.Errorf("cannot match by %q", m.By)
}

// matchIn matches the keys against the records of targets (module itself
// and, for Leads, Contacts).
func (d *Destination) matchIn(ctx context.Context, module string, targets []string, m revsync.Match, keys []map[string]any) ([][]revsync.Candidate, error) {
	entries, err := matchEntries(m)
	if err != nil {
		return nil, fmt.Errorf("zoho: match %s: %w", module, err)
	}
	sc, err := d.schemaOf(ctx, module)
	if err != nil {
		return nil, err
	}
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
		if isEmpty(key[f]) || strings.TrimSpace(fmt.Sprint(key[f])) == "" {
			return false
		}
	}
	return len(entry) > 0
}

// distinct drops repeated records (a converted lead and its contact).
func distinct(cs []revsync.Candidate) []revsync.Candidate {
	var out []revsync.Candidate
	for _, c := range cs {
		if !slices.ContainsFunc(out, func(o revsync.Candidate) bool { return strings.EqualFold(o.Object, c.Object) && o.ID == c.ID }) {
			out = append(out, c)
		}
	}
	return out
}

// matchForm is the form values are compared in (see above).
func matchForm(t revsync.FieldType, v any) string {
	if v == nil {
		return ""
	}
	if m, ok := v.(map[string]any); ok { // a lookup
		return idString(m["id"])
	}
	return revsync.MatchForm(t, fmt.Sprint(v))
}

// targetField is the field of target holding the value of module's field
// f ("" when it has none): f itself, or for a lead's contact the field of
// LeadToContact (Company: the contact's account name), or a custom field
// of the same API name.
func (d *Destination) targetField(ctx context.Context, module, target, f string) (string, error) {
	if strings.EqualFold(module, target) {
		return f, nil
	}
	if strings.EqualFold(module, "Leads") && strings.EqualFold(target, "Contacts") {
		if f == "Company" {
			return "Account_Name.Account_Name", nil
		}
		return d.contactField(ctx, f)
	}
	return "", nil
}

// matchEntry finds the records of target matching entry for the keys at
// idx, adding them to found (by key index).
func (d *Destination) matchEntry(ctx context.Context, sc *schema, target string, entry []string, keys []map[string]any,
	idx []int, found map[int][]revsync.Candidate) error {
	module := sc.s.Object
	cols := make([]string, len(entry))
	kinds := make([]revsync.FieldType, len(entry))
	for j, f := range entry {
		tf, err := d.targetField(ctx, module, target, f)
		if err != nil {
			return err
		}
		if tf == "" {
			return nil // target has no such field: nothing of target matches
		}
		cols[j], kinds[j] = tf, sc.s.Fields[f].Type
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
	byForm := map[string][]int{}
	var vals []any
	for _, i := range idx {
		v := keys[i][entry[q]]
		form := matchForm(kinds[q], v)
		if form == "" || kinds[q] == revsync.TypePhone && len(form) < 4 {
			continue
		}
		if _, seen := byForm[form]; !seen {
			switch {
			case kinds[q] == revsync.TypePhone:
				vals = append(vals, form[len(form)-4:])
			case kinds[q] == revsync.TypeEmail:
				vals = append(vals, form)
			default:
				vals = append(vals, literalValue(v))
			}
		}
		byForm[form] = append(byForm[form], i)
	}
	sel := []string{"id"}
	for _, c := range cols {
		if !slices.Contains(sel, c) {
			sel = append(sel, c)
		}
	}
	if strings.EqualFold(target, "Leads") {
		sel = append(sel, "Converted__s", "Converted_Contact")
	}
	step := coqlInValues
	if kinds[q] == revsync.TypePhone {
		step = phoneChunk
		vals = compactValues(vals)
	}
	via := strings.Join(entry, "+")
	for start := 0; start < len(vals); start += step {
		part := vals[start:min(start+step, len(vals))]
		var where string
		if kinds[q] == revsync.TypePhone {
			conds := make([]string, len(part))
			for k, v := range part {
				conds[k] = cols[q] + " like " + literals([]any{"%" + fmt.Sprint(v)})
			}
			where = anyOf(conds)
		} else {
			where = cols[q] + " in (" + literals(part) + ")"
		}
		for offset := 0; ; offset += coqlMatchLimit {
			query := fmt.Sprintf("select %s from %s where %s limit %d offset %d", strings.Join(sel, ", "), target, where, coqlMatchLimit, offset)
			res, err := d.c.COQL(ctx, query)
			if err != nil {
				return fmt.Errorf("zoho: match %s records by %s: %w", target, via, err)
			}
			for _, r := range res.Data {
				for _, i := range byForm[matchForm(kinds[q], r[cols[q]])] {
					if !sameParts(keys[i], r, entry, cols, kinds) {
						continue
					}
					c := revsync.Candidate{Object: target, ID: idString(r["id"]), Via: via}
					if conv, _ := r["Converted__s"].(bool); conv {
						contact := idString(refID(r["Converted_Contact"]))
						if contact == "" {
							continue
						}
						c = revsync.Candidate{Object: "Contacts", ID: contact, Via: via, From: "Leads " + c.ID}
					}
					found[i] = append(found[i], c)
				}
			}
			if !res.MoreRecords || len(res.Data) == 0 {
				break
			}
		}
	}
	return nil
}

// sameParts reports whether record r holds the key's value of every part.
func sameParts(key, r map[string]any, entry, cols []string, kinds []revsync.FieldType) bool {
	for j, f := range entry {
		a, b := matchForm(kinds[j], key[f]), matchForm(kinds[j], r[cols[j]])
		if a == "" || a != b {
			return false
		}
	}
	return true
}

// anyOf joins conditions with or, two per bracket as COQL wants them
// (((a or b) or (c or d)) …).
func anyOf(conds []string) string {
	for len(conds) > 1 {
		var next []string
		for k := 0; k < len(conds); k += 2 {
			if k+1 < len(conds) {
				next = append(next, "("+conds[k]+" or "+conds[k+1]+")")
			} else {
				next = append(next, conds[k])
			}
		}
		conds = next
	}
	if len(conds) == 0 {
		return ""
	}
	return conds[0]
}

// literalValue is a key value as a query literal: text trimmed, numbers
// and booleans as they are.
func literalValue(v any) any {
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	return v
}

// compactValues drops repeated values, keeping the first.
func compactValues(vals []any) []any {
	seen := map[string]bool{}
	out := vals[:0]
	for _, v := range vals {
		k := fmt.Sprint(v)
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// contactField returns the Contacts field a Leads field is written to
// ("" when none): LeadToContact, else a custom Leads field's namesake on
// Contacts when that is a writable field.
func (d *Destination) contactField(ctx context.Context, leadField string) (string, error) {
	if f, ok := LeadToContact[leadField]; ok {
		return f, nil
	}
	leads, err := d.schemaOf(ctx, "Leads")
	if err != nil {
		return "", err
	}
	if !leads.custom[leadField] && !strings.HasSuffix(strings.ToLower(leadField), "__c") {
		return "", nil
	}
	contacts, err := d.schemaOf(ctx, "Contacts")
	if err != nil {
		return "", err
	}
	if f, ok := contacts.s.Fields[leadField]; ok && f.Updateable {
		return leadField, nil
	}
	return "", nil
}

// match resolves the records of duplicate-check upserts whose record is
// not known (see MatchRecords): no candidate, the record is sent to
// Zoho's upsert (returned in create); one, it is updated by id in its
// module (added to updates); several, it fails with
// revsync.CodeAmbiguousMatch. A record to create whose values match an
// earlier record to create of the same Write is deferred (returned:
// record → that earlier record) and written to the record the earlier one
// creates (sameBatch): whether Zoho checks a batch's records against each
// other is not documented.
func (d *Destination) match(ctx context.Context, module string, m revsync.Match, recs []revsync.Record, rows []int,
	out []revsync.Result, updates map[string][]int) (create []int, deferred map[int]int, err error) {
	if len(rows) == 0 {
		return nil, nil, nil
	}
	keys := make([]map[string]any, len(rows))
	for k, i := range rows {
		keys[k] = recs[i].Values
	}
	cands, err := d.MatchRecords(ctx, module, m, keys)
	if err != nil {
		return nil, nil, err
	}
	sc, err := d.schemaOf(ctx, module)
	if err != nil {
		return nil, nil, err
	}
	entries, _ := matchEntries(m)
	deferred = map[int]int{}
	leaders := map[string]int{}
	for k, i := range rows {
		switch c := cands[k]; len(c) {
		case 0:
			var mine []string
			for j, e := range entries {
				if !complete(recs[i].Values, e) {
					continue
				}
				key := fmt.Sprint(j)
				for _, f := range e {
					key += "\x00" + matchForm(sc.s.Fields[f].Type, recs[i].Values[f])
				}
				mine = append(mine, key)
			}
			leader := -1
			for _, key := range mine {
				if l, ok := leaders[key]; ok {
					leader = l
					break
				}
			}
			if leader >= 0 {
				deferred[i] = leader
				continue
			}
			for _, key := range mine {
				leaders[key] = i
			}
			create = append(create, i)
		case 1:
			recs[i].ID = c[0].ID
			updates[c[0].Object] = append(updates[c[0].Object], i)
		default:
			var parts []string
			for _, x := range c {
				p := x.Object + " " + x.ID + " (by " + x.Via + ")"
				if x.From != "" {
					p += ", converted from " + x.From
				}
				parts = append(parts, p)
			}
			out[i].Err = &revsync.RowError{Code: revsync.CodeAmbiguousMatch, Candidates: c,
				Message: fmt.Sprintf("matches %d records: %s; not written until one is left (merge or delete the others, or change the row)",
					len(c), strings.Join(parts, "; "))}
		}
	}
	return create, deferred, nil
}

// sameBatch sends the deferred records (see match) to the records their
// earlier twins created; when that create failed they fail too
// (retryable: the next run finds the record, or creates it).
func sameBatch(module string, recs []revsync.Record, out []revsync.Result, deferred map[int]int, updates map[string][]int) {
	for i, l := range deferred {
		if r := out[l]; r.Err == nil && r.ID != "" {
			recs[i].ID = r.ID
			updates[module] = append(updates[module], i)
			continue
		}
		out[i].Err = &revsync.RowError{Code: "MATCH_PENDING", Retryable: true,
			Message: fmt.Sprintf("not written: its values match record %s of the same batch, whose create failed; it is sent again next run", recs[l].Key)}
	}
	for mod := range updates {
		slices.Sort(updates[mod])
	}
}

// nativeDupFields are the entries Zoho's upsert can check itself: those
// of one field that is the module's system duplicate-check field or a
// unique field (Zoho refuses others in duplicate_check_fields).
func nativeDupFields(sc *schema, m revsync.Match) []string {
	var out []string
	for _, e := range revsync.MatchEntries(m.Fields) {
		if len(e) == 1 && sc.s.Fields[e[0]].ExternalID {
			out = append(out, e[0])
		}
	}
	return out
}
