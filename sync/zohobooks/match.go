package zohobooks

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/revops/revops/crm/zohobooks"
	revsync "github.com/revops/revops/sync"
)

// entry is one way of matching: fields whose values must all be equal;
// fallback entries (e-mail and name, after a custom field key) skip
// customers stamped with another key.
type entry struct {
	fields   []string
	fallback bool
}

// searchable are the fields Books' contact list filters on (sheet §17);
// cf_ fields are filtered as cf_name=value (unconfirmed: the rows found
// are compared here, so a filter Books ignored only costs pages).
func searchable(f string) bool {
	switch f {
	case "email", "contact_name", "company_name", "zcrm_account_id", "phone", "first_name", "last_name":
		return true
	}
	return strings.HasPrefix(f, "cf_")
}

// entries returns how m matches: external_id on a custom field, then
// (never a duplicate) the e-mail and the display name; or the
// duplicate-check entries in order.
func (d *Destination) entries(m revsync.Match) ([]entry, error) {
	switch m.By {
	case revsync.MatchExternalID:
		if !strings.HasPrefix(m.Field, "cf_") && m.Field != "zcrm_account_id" {
			return nil, fmt.Errorf("match by external_id: %q is not a unique custom field (cf_…) of Books contacts", m.Field)
		}
		if strings.HasPrefix(m.Field, "cf_") && !slices.Contains(d.custom, m.Field) {
			return nil, fmt.Errorf("match by external_id: %s is not among the destination's custom_fields (%s)", m.Field,
				strings.Join(d.custom, ", "))
		}
		return []entry{{fields: []string{m.Field}}, {fields: []string{"email"}, fallback: true},
			{fields: []string{"contact_name"}, fallback: true}}, nil
	case revsync.MatchDuplicateCheck:
		var out []entry
		for _, e := range revsync.MatchEntries(m.Fields) {
			if !slices.ContainsFunc(e, searchable) {
				return nil, fmt.Errorf("match by %s: Books' contact list cannot filter on it (an entry needs email, contact_name, company_name, zcrm_account_id or a cf_ field)",
					strings.Join(e, "+"))
			}
			out = append(out, entry{fields: e})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("match by duplicate_check names no fields")
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot match Books contacts by %q (want external_id on a cf_ field, or duplicate_check)", m.By)
}

// form is the normal form values are compared in.
func form(f string, v any) string {
	if v == nil {
		return ""
	}
	t := revsync.FieldType("")
	switch f {
	case "email":
		t = revsync.TypeEmail
	case "phone", "mobile":
		t = revsync.TypePhone
	}
	return revsync.MatchForm(t, fmt.Sprint(v))
}

func complete(key map[string]any, e entry) bool {
	for _, f := range e.fields {
		if form(f, key[f]) == "" {
			return false
		}
	}
	return len(e.fields) > 0
}

func matchKey(e entry, key map[string]any) string {
	var b strings.Builder
	for _, f := range e.fields {
		b.WriteString(f + "\x00" + form(f, key[f]) + "\x00")
	}
	return b.String()
}

// rowValue reads field f of a list row (slim: the primary person's name,
// e-mail and phone inline, custom fields as cf_ keys).
func rowValue(c *zohobooks.Contact, f string) any {
	switch f {
	case "email":
		return c.Email
	case "contact_name":
		return c.ContactName
	case "company_name":
		return c.CompanyName
	case "zcrm_account_id":
		return string(c.ZCRMAccountID)
	case "phone":
		return c.Phone
	case "first_name":
		return c.FirstName
	case "last_name":
		return c.LastName
	}
	return c.Custom(f)
}

// MatchRecords implements revsync.Matcher: for each key, the contacts
// matching the first entry of m that matches any (see the package doc).
func (d *Destination) MatchRecords(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([][]revsync.Candidate, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	es, err := d.entries(m)
	if err != nil {
		return nil, fmt.Errorf("zoho_books: match contacts: %w", err)
	}
	out := make([][]revsync.Candidate, len(keys))
	for i, key := range keys {
		cands, err := d.match(ctx, m, es, key)
		if err != nil {
			return nil, err
		}
		out[i] = cands
	}
	return out, nil
}

// match returns the candidates of one key.
func (d *Destination) match(ctx context.Context, m revsync.Match, es []entry, key map[string]any) ([]revsync.Candidate, error) {
	stamp := ""
	if m.By == revsync.MatchExternalID {
		stamp = form(m.Field, key[m.Field])
	}
	for _, e := range es {
		if !complete(key, e) {
			continue
		}
		cands, err := d.matchEntry(ctx, m, e, key, stamp)
		if err != nil {
			return nil, err
		}
		if len(cands) > 0 {
			return cands, nil
		}
	}
	return nil, nil
}

// matchEntry lists the contacts whose values of e equal key's: one list
// call filtered by the first searchable part, the rows compared here.
func (d *Destination) matchEntry(ctx context.Context, m revsync.Match, e entry, key map[string]any, stamp string) ([]revsync.Candidate, error) {
	via := strings.Join(e.fields, "+")
	q := e.fields[slices.IndexFunc(e.fields, searchable)]
	filters := url.Values{q: {strings.TrimSpace(fmt.Sprint(key[q]))}}
	if q == "contact_name" || q == "company_name" {
		// Names are asked for single-spaced (Books' filter ignores case:
		// unconfirmed) and compared single-spaced in any case.
		filters = url.Values{q: {strings.Join(strings.Fields(fmt.Sprint(key[q])), " ")}}
	}
	var rows []zohobooks.Contact
	err := d.c.ListContacts(ctx, zohobooks.ListOptions{Filters: filters}, func(cs []zohobooks.Contact) (bool, error) {
		for _, c := range cs {
			same := true
			for _, f := range e.fields {
				if a := form(f, key[f]); a == "" || a != form(f, rowValue(&c, f)) {
					same = false
					break
				}
			}
			if same {
				rows = append(rows, c)
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("zoho_books: match contacts by %s: %w", via, err)
	}
	var out []revsync.Candidate
	add := func(id string) {
		if id != "" && !slices.ContainsFunc(out, func(c revsync.Candidate) bool { return c.ID == id }) {
			out = append(out, revsync.Candidate{Object: Object, ID: id, Via: via})
		}
	}
	for _, c := range rows {
		if e.fallback && stamp != "" {
			// A customer stamped with another key is another record's.
			have := c.CF[m.Field]
			if c.CF == nil {
				full, err := d.c.GetContact(ctx, string(c.ContactID))
				if err != nil {
					return nil, fmt.Errorf("zoho_books: match contacts by %s: %w", via, err)
				}
				have = full.Custom(m.Field)
			}
			if h := form(m.Field, have); h != "" && h != stamp {
				continue
			}
		}
		add(string(c.ContactID))
	}
	if id := d.created[matchKey(e, key)]; id != "" {
		add(id)
	}
	return out, nil
}

// remember notes that id was created with values.
func (d *Destination) remember(es []entry, values map[string]any, id string) {
	for _, e := range es {
		if complete(values, e) {
			d.created[matchKey(e, values)] = id
		}
	}
}

// Find returns, for each key, the id of the one contact matching it (""
// for none or several), or with m.By "id", key["id"] when it exists.
func (d *Destination) Find(ctx context.Context, object string, m revsync.Match, keys []map[string]any) ([]string, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	if m.By == revsync.MatchID {
		out, err := revsync.ExistingIDs(ctx, keys, func(ctx context.Context, id string) (bool, error) {
			_, err := d.c.GetContact(ctx, id)
			if zohobooks.IsNotFound(err) {
				return false, nil
			}
			return err == nil, err
		})
		if err != nil {
			return nil, fmt.Errorf("zoho_books: find contacts by id: %w", err)
		}
		return out, nil
	}
	cands, err := d.MatchRecords(ctx, object, m, keys)
	if err != nil {
		return nil, err
	}
	return revsync.UniqueIDs(cands), nil
}
