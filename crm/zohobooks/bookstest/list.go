package bookstest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/sandbox"
)

// timeFormat is Books' datetime: an offset without a colon.
const timeFormat = "2006-01-02T15:04:05-0700"

// render is a contact as the API answers it; full adds addresses,
// persons and custom fields (a list row is slim). The contact_id of a
// single contact is a JSON number (as Books' samples), of list rows a
// string, so that clients accept both.
func (s *Server) render(c *contact, full bool) map[string]any {
	status := "active"
	if !c.Active {
		status = "inactive"
	}
	out := map[string]any{"contact_id": c.ID, "contact_name": c.Name, "company_name": c.Company, "contact_type": c.Type,
		"customer_sub_type": c.SubType, "status": status, "website": c.Website, "currency_code": "USD",
		"outstanding_receivable_amount": 0, "unused_credits_receivable_amount": 0, "has_transaction": false,
		"zcrm_account_id": c.ZCRMAccountID, "created_time": c.Created.In(s.opts.TimeZone).Format(timeFormat),
		"last_modified_time": c.Modified.In(s.opts.TimeZone).Format(timeFormat),
		"first_name":         "", "last_name": "", "email": "", "phone": "", "mobile": "", "primary_contact_id": ""}
	if p := c.primary(); p != nil {
		out["first_name"], out["last_name"], out["email"], out["phone"], out["mobile"] = p.FirstName, p.LastName, p.Email, p.Phone, p.Mobile
		out["primary_contact_id"] = p.ID
	}
	// Custom field values as cf_ keys on lists and records (unconfirmed).
	for _, f := range s.opts.CustomFields {
		if v, ok := c.Custom[f.APIName]; ok {
			out[f.APIName] = v
		}
	}
	if !full {
		return out
	}
	if n, err := strconv.ParseUint(c.ID, 10, 64); err == nil {
		out["contact_id"] = json.Number(strconv.FormatUint(n, 10))
	}
	out["notes"], out["payment_terms"] = c.Notes, c.PaymentTerms
	addr := func(m map[string]string) map[string]any {
		a := map[string]any{}
		for _, k := range addressKeys {
			a[k] = m[k]
		}
		return a
	}
	out["billing_address"], out["shipping_address"] = addr(c.Billing), addr(c.Shipping)
	persons := []map[string]any{}
	for _, p := range c.Persons {
		persons = append(persons, map[string]any{"contact_person_id": p.ID, "salutation": p.Salutation, "first_name": p.FirstName,
			"last_name": p.LastName, "email": p.Email, "phone": p.Phone, "mobile": p.Mobile, "designation": p.Designation,
			"department": p.Department, "is_primary_contact": p.Primary})
	}
	out["contact_persons"] = persons
	cfs := []map[string]any{}
	for _, f := range s.opts.CustomFields {
		if v, ok := c.Custom[f.APIName]; ok {
			cfs = append(cfs, map[string]any{"index": f.Index, "api_name": f.APIName, "label": f.Label, "value": v})
		}
	}
	out["custom_fields"] = cfs
	return out
}

// filterKeys are the list filters on text (each also with _startswith
// and _contains).
var filterKeys = []string{"contact_name", "company_name", "first_name", "last_name", "email", "phone", "address"}

// matches reports whether c passes the list's filters.
func (s *Server) matches(c *contact, q map[string][]string) bool {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	values := func(k string) []string {
		var vs []string
		switch k {
		case "contact_name":
			vs = []string{c.Name}
		case "company_name":
			vs = []string{c.Company}
		case "address":
			vs = []string{c.Billing["address"], c.Shipping["address"]}
		default:
			// Person fields match any of the contact's persons.
			for _, p := range c.Persons {
				vs = append(vs, map[string]string{"first_name": p.FirstName, "last_name": p.LastName, "email": p.Email,
					"phone": p.Phone}[k])
			}
		}
		return vs
	}
	for _, k := range filterKeys {
		for suffix, test := range map[string]func(v, want string) bool{
			"":            strings.EqualFold,
			"_startswith": func(v, want string) bool { return strings.HasPrefix(strings.ToLower(v), strings.ToLower(want)) },
			"_contains":   func(v, want string) bool { return strings.Contains(strings.ToLower(v), strings.ToLower(want)) },
		} {
			want := strings.TrimSpace(get(k + suffix))
			if want == "" {
				continue
			}
			if !slices.ContainsFunc(values(k), func(v string) bool { return test(strings.TrimSpace(v), want) }) {
				return false
			}
		}
	}
	if v := get("zcrm_account_id"); v != "" && v != c.ZCRMAccountID {
		return false
	}
	switch get("filter_by") {
	case "Status.Active":
		if !c.Active {
			return false
		}
	case "Status.Inactive":
		if c.Active {
			return false
		}
	}
	if t := strings.ToLower(get("search_text")); t != "" && !strings.Contains(strings.ToLower(c.Name+" "+c.Company), t) {
		return false
	}
	// Custom fields filter as cf_{name}=value (unconfirmed).
	for _, f := range s.opts.CustomFields {
		if v := get(f.APIName); v != "" && fmt.Sprint(c.Custom[f.APIName]) != v {
			return false
		}
	}
	return true
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, per := 1, 200
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeErr(w, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for page"})
			return
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeErr(w, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for per_page"})
			return
		}
		per = min(n, s.opts.MaxPerPage)
	}
	sortCol := cmp.Or(q.Get("sort_column"), "contact_name")
	desc := q.Get("sort_order") == "D"
	s.mu.Lock()
	var rows []*contact
	for _, c := range s.contacts {
		if s.matches(c, q) {
			rows = append(rows, c)
		}
	}
	slices.SortFunc(rows, func(a, b *contact) int {
		var d int
		switch sortCol {
		case "created_time":
			d = a.Created.Compare(b.Created)
		case "last_modified_time":
			d = a.Modified.Compare(b.Modified)
		case "company_name":
			d = strings.Compare(strings.ToLower(a.Company), strings.ToLower(b.Company))
		default:
			d = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		}
		if d == 0 {
			d = cmp.Compare(len(a.ID), len(b.ID))
			if d == 0 {
				d = strings.Compare(a.ID, b.ID)
			}
		}
		if desc {
			d = -d
		}
		return d
	})
	start := min((page-1)*per, len(rows))
	end := min(start+per, len(rows))
	out := []map[string]any{}
	for _, c := range rows[start:end] {
		out = append(out, s.render(c, false))
	}
	s.mu.Unlock()
	order := "A"
	if desc {
		order = "D"
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "success", "contacts": out,
		"page_context": map[string]any{"page": page, "per_page": per, "has_more_page": end < len(rows),
			"applied_filter": cmp.Or(q.Get("filter_by"), "Status.All"), "sort_column": sortCol, "sort_order": order}})
}

// Records returns the organization's contacts ("contacts") as GET
// /contacts/{id} renders them, the primary person's first_name,
// last_name, email, phone and mobile inline, custom fields as cf_ keys.
// Other kinds have none.
func (s *Server) Records(kind string) []map[string]any {
	if !strings.EqualFold(kind, "contacts") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, c := range s.sorted() {
		m := s.render(c, true)
		m["contact_id"] = c.ID
		out = append(out, m)
	}
	return out
}

func (s *Server) sorted() []*contact {
	out := make([]*contact, 0, len(s.contacts))
	for _, c := range s.contacts {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *contact) int { return cmp.Or(cmp.Compare(len(a.ID), len(b.ID)), strings.Compare(a.ID, b.ID)) })
	return out
}

// Seed makes some of the world's companies existing Books customers:
// every other company with a won deal, as its Books display name (the
// company's name), its billing address, and its first person (by the
// world's order) as the primary contact person, e-mail as the world has
// it. It reads world only and returns the truth of what it made
// (object "contacts").
func (s *Server) Seed(world *sandbox.World) []sandbox.Truth {
	won := map[int]bool{}
	for _, d := range world.Deals {
		if d.Stage.Won() && d.CompanyIdx >= 0 {
			won[d.CompanyIdx] = true
		}
	}
	first := map[int]int{}
	for i, p := range world.People {
		if _, ok := first[p.CompanyIdx]; !ok && !p.IsLead {
			first[p.CompanyIdx] = i
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var truth []sandbox.Truth
	n := 0
	for i, co := range world.Companies {
		if !won[i] {
			continue
		}
		n++
		if n%2 == 0 {
			continue
		}
		body := map[string]any{"contact_name": co.Name, "company_name": co.Name, "website": "https://" + co.Domain,
			"billing_address": map[string]any{"address": co.Street, "city": co.City, "state": co.State, "zip": co.PostalCode,
				"country": co.Country, "phone": co.Phone}}
		if pi, ok := first[i]; ok {
			p := world.People[pi]
			body["contact_persons"] = []any{map[string]any{"first_name": p.FirstName, "last_name": p.LastName, "email": p.Email,
				"phone": p.Phone, "designation": p.Title, "is_primary_contact": true}}
		}
		c, e := s.createLocked(body, "", nil)
		if e != nil {
			continue // a display name twice in the world: Books keeps one
		}
		c.Created, c.Modified = co.CreatedAt, co.ModifiedAt
		truth = append(truth, sandbox.Truth{System: sandbox.System(SystemName), Object: "contacts", RecordID: c.ID, EntityID: co.EntityID})
	}
	return truth
}

// state is what Save writes.
type state struct {
	NextID   uint64     `json:"next_id"`
	Contacts []*contact `json:"contacts"`
}

// Save writes the organization's contacts (for `revops sandbox --state`).
func (s *Server) Save(w io.Writer) error {
	s.mu.Lock()
	st := state{NextID: s.nextID, Contacts: s.sorted()}
	err := json.NewEncoder(w).Encode(st)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("bookstest: save: %w", err)
	}
	return nil
}

// Load replaces the contacts with those Save wrote.
func (s *Server) Load(r io.Reader) error {
	var st state
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("bookstest: load: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contacts = map[string]*contact{}
	for _, c := range st.Contacts {
		if c.Custom == nil {
			c.Custom = map[string]any{}
		}
		s.contacts[c.ID] = c
	}
	s.nextID = max(s.nextID, st.NextID)
	return nil
}
