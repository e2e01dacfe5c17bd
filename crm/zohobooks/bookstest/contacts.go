package bookstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// contact is a stored contact.
type contact struct {
	ID            string            `json:"id"`
	Name          string            `json:"contact_name"`
	Company       string            `json:"company_name"`
	Type          string            `json:"contact_type"`
	SubType       string            `json:"customer_sub_type"`
	Website       string            `json:"website"`
	Notes         string            `json:"notes"`
	Active        bool              `json:"active"`
	PaymentTerms  int               `json:"payment_terms"`
	Billing       map[string]string `json:"billing_address"`
	Shipping      map[string]string `json:"shipping_address"`
	Persons       []*person         `json:"contact_persons"`
	Custom        map[string]any    `json:"custom"`
	ZCRMAccountID string            `json:"zcrm_account_id"`
	Created       time.Time         `json:"created"`
	Modified      time.Time         `json:"modified"`
}

type person struct {
	ID          string `json:"contact_person_id"`
	Salutation  string `json:"salutation"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Email       string `json:"email"`
	Phone       string `json:"phone"`
	Mobile      string `json:"mobile"`
	Designation string `json:"designation"`
	Department  string `json:"department"`
	Primary     bool   `json:"is_primary_contact"`
}

var addressKeys = []string{"attention", "address", "street2", "city", "state", "state_code", "zip", "country", "phone", "fax"}

func (c *contact) primary() *person {
	for _, p := range c.Persons {
		if p.Primary {
			return p
		}
	}
	return nil
}

// serve routes one request under /books/v3.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/books/v3/")
	if !ok {
		writeErr(w, &apiErr{http.StatusNotFound, 5, "Invalid URL Passed"})
		return
	}
	seg := strings.Split(strings.Trim(rest, "/"), "/")
	scopes, e := s.authenticate(r)
	if e != nil {
		writeErr(w, e)
		return
	}
	if e := s.meter(w); e != nil {
		writeErr(w, e)
		return
	}
	if seg[0] == "organizations" && len(seg) == 1 && r.Method == http.MethodGet {
		if !hasScope(scopes, "settings", "READ") {
			writeErr(w, notAuthorized())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "success", "organizations": []map[string]any{{
			"organization_id": s.opts.OrganizationID, "name": s.opts.OrganizationName, "is_default_org": true,
			"currency_code": "USD", "time_zone": s.opts.TimeZone.String(), "contact_name": "Patricia Boyle"}}})
		return
	}
	if seg[0] != "contacts" {
		writeErr(w, &apiErr{http.StatusNotFound, 5, "Invalid URL Passed"})
		return
	}
	switch org := r.URL.Query().Get("organization_id"); {
	case org == "":
		// Books' answer to a missing organization_id: unconfirmed.
		writeErr(w, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for organization_id"})
		return
	case org != s.opts.OrganizationID:
		writeErr(w, &apiErr{http.StatusBadRequest, codeOrganization,
			"This user is not associated with the CompanyID/CompanyName:" + org + "."})
		return
	}
	need := map[string]string{http.MethodGet: "READ", http.MethodPost: "CREATE", http.MethodPut: "UPDATE", http.MethodDelete: "DELETE"}[r.Method]
	if need == "" {
		writeErr(w, &apiErr{http.StatusMethodNotAllowed, 5, "Method not allowed"})
		return
	}
	if !hasScope(scopes, "contacts", need) {
		writeErr(w, notAuthorized())
		return
	}
	fault := sandbox.FaultFrom(r.Context())
	switch {
	case len(seg) >= 2 && locked(fault, seg[1]):
		writeErr(w, &apiErr{http.StatusConflict, codeLocked, "The contact is being updated by another request. Please try again."})
	case len(seg) == 1 && r.Method == http.MethodGet:
		s.list(w, r)
	case len(seg) == 1 && r.Method == http.MethodPost:
		s.create(w, r)
	case len(seg) == 1 && r.Method == http.MethodPut:
		s.upsert(w, r)
	case len(seg) == 2 && r.Method == http.MethodGet:
		s.get(w, seg[1])
	case len(seg) == 2 && r.Method == http.MethodPut:
		s.update(w, r, seg[1])
	case len(seg) == 2 && r.Method == http.MethodDelete:
		s.delete(w, seg[1])
	case len(seg) == 3 && r.Method == http.MethodPost && (seg[2] == "active" || seg[2] == "inactive"):
		s.setActive(w, seg[1], seg[2] == "active")
	default:
		writeErr(w, &apiErr{http.StatusNotFound, 5, "Invalid URL Passed"})
	}
}

// locked reports whether an injected lock_row fault holds contact id
// (every contact when the rule names none): any call addressing it
// answers 409. Books documents no lock answer: the 409 is the emulator's.
func locked(f *sandbox.Fault, id string) bool {
	return f != nil && f.Kind == sandbox.FaultLockRow && (len(f.Records) == 0 || slices.Contains(f.Records, id))
}

func notAuthorized() *apiErr {
	return &apiErr{http.StatusUnauthorized, codeNotAuthorized, "You are not authorized to perform this operation"}
}

// authenticate checks the Zoho-oauthtoken header against the accounts
// emulator. An unknown or expired token answers 401 code 14 (code and
// message unconfirmed), as does an injected expire_token fault.
func (s *Server) authenticate(r *http.Request) (map[string]bool, *apiErr) {
	bad := &apiErr{http.StatusUnauthorized, codeInvalidToken, "Invalid value passed for authtoken."}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Zoho-oauthtoken ")
	if !ok || s.opts.Tokens == nil {
		return nil, bad
	}
	if f := sandbox.FaultFrom(r.Context()); f != nil && f.Kind == sandbox.FaultExpireToken {
		return nil, bad
	}
	scopes, ok := s.opts.Tokens.TokenScopes(tok)
	if !ok {
		return nil, bad
	}
	return scopes, nil
}

// hasScope: ZohoBooks.fullaccess.all, ZohoBooks.{module}.ALL or
// ZohoBooks.{module}.{op}.
func hasScope(scopes map[string]bool, module, op string) bool {
	m := "zohobooks." + module + "."
	return scopes["zohobooks.fullaccess.all"] || scopes[m+"all"] || scopes[m+strings.ToLower(op)]
}

// meter counts the call against the organization's limits: 429 with code
// 45 past the minute's calls, 44 past the day's (codes from third-party
// guides; Retry-After unconfirmed, sent here).
func (s *Server) meter(w http.ResponseWriter) *apiErr {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.PerMinute > 0 {
		cut := 0
		for cut < len(s.minute) && now.Sub(s.minute[cut]) >= time.Minute {
			cut++
		}
		s.minute = s.minute[cut:]
		if len(s.minute) >= s.opts.PerMinute {
			wait := time.Minute - now.Sub(s.minute[0])
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return &apiErr{http.StatusTooManyRequests, codeRateLimit,
				"You have made too many requests per minute. Please try again after some time."}
		}
		s.minute = append(s.minute, now)
	}
	if s.opts.PerDay > 0 {
		d := now.In(s.opts.TimeZone).Format("2006-01-02")
		if s.day.date != d {
			s.day.date, s.day.calls = d, 0
		}
		if s.day.calls >= s.opts.PerDay {
			return &apiErr{http.StatusTooManyRequests, codeDailyLimit,
				"You have reached the maximum number of API calls allowed for the day."}
		}
		s.day.calls++
	}
	return nil
}

// decodeBody reads a JSON object body with numbers kept as json.Number.
func decodeBody(r *http.Request) (map[string]any, *apiErr) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return nil, &apiErr{http.StatusBadRequest, codeInvalid, "could not read the request"}
	}
	// Books also takes the JSON in a JSONString form field (unconfirmed
	// for contacts); the emulator takes a JSON body.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for JSONString"}
	}
	return m, nil
}

func (s *Server) newID() string {
	s.nextID += 1000
	return strconv.FormatUint(s.nextID, 10)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	body, e := decodeBody(r)
	if e != nil {
		writeErr(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.createLocked(body, "", nil)
	if e != nil {
		writeErr(w, e)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"code": 0, "message": "The contact has been added.", "contact": s.render(c, true)})
}

// createLocked validates body and stores a new contact (with key=value
// for an upsert).
func (s *Server) createLocked(body map[string]any, key string, value any) (*contact, *apiErr) {
	now := s.opts.Now()
	c := &contact{ID: s.newID(), Type: "customer", SubType: "business", Active: true, Custom: map[string]any{},
		Billing: map[string]string{}, Shipping: map[string]string{}, Created: now, Modified: now}
	if name, _ := body["contact_name"].(string); strings.TrimSpace(name) == "" {
		return nil, &apiErr{http.StatusBadRequest, codeInvalid, "Please enter the contact_name (Display Name)."}
	}
	if key != "" {
		c.Custom[key] = value
	}
	if e := s.apply(c, body, true); e != nil {
		return nil, e
	}
	s.contacts[c.ID] = c
	return c, nil
}

// apply writes body's keys into c (a copy is not needed: it validates
// first, then writes).
func (s *Server) apply(c *contact, body map[string]any, isNew bool) *apiErr {
	str := func(k string, max int) (string, bool, *apiErr) {
		v, ok := body[k]
		if !ok {
			return "", false, nil
		}
		if v == nil {
			return "", true, nil
		}
		t, isStr := v.(string)
		if !isStr {
			return "", true, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for " + k}
		}
		if max > 0 && len([]rune(t)) > max {
			return "", true, &apiErr{http.StatusBadRequest, codeInvalid, fmt.Sprintf("%s should have at most %d characters.", k, max)}
		}
		return t, true, nil
	}
	next := *c
	next.Custom = clone(c.Custom)
	for _, f := range []struct {
		key string
		max int
		dst *string
	}{{"contact_name", 200, &next.Name}, {"company_name", 200, &next.Company}, {"website", 0, &next.Website},
		{"notes", 0, &next.Notes}, {"contact_type", 0, &next.Type}, {"customer_sub_type", 0, &next.SubType}} {
		v, ok, e := str(f.key, f.max)
		if e != nil {
			return e
		}
		if ok {
			*f.dst = v
		}
	}
	if !isNew {
		if v, _ := body["contact_name"].(string); strings.TrimSpace(v) == "" {
			// Books wants contact_name in every update (sheet §17).
			return &apiErr{http.StatusBadRequest, codeInvalid, "Please enter the contact_name (Display Name)."}
		}
	}
	if next.Type != "customer" && next.Type != "vendor" {
		return &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for contact_type"}
	}
	if next.SubType != "" && next.SubType != "business" && next.SubType != "individual" {
		return &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for customer_sub_type"}
	}
	if v, ok := body["payment_terms"]; ok {
		n, err := strconv.Atoi(fmt.Sprint(v))
		if v == nil {
			n, err = 0, nil
		}
		if err != nil || n < 0 {
			return &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for payment_terms"}
		}
		next.PaymentTerms = n
	}
	for _, a := range []struct {
		key string
		dst *map[string]string
	}{{"billing_address", &next.Billing}, {"shipping_address", &next.Shipping}} {
		v, ok := body[a.key]
		if !ok {
			continue
		}
		m, isMap := v.(map[string]any)
		if v != nil && !isMap {
			return &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for " + a.key}
		}
		addr := map[string]string{}
		for k, x := range m {
			if !slices.Contains(addressKeys, k) {
				continue
			}
			t, _ := x.(string)
			if k == "address" && len([]rune(t)) > 500 {
				return &apiErr{http.StatusBadRequest, codeInvalid, a.key + ".address should have at most 500 characters."}
			}
			if t != "" {
				addr[k] = t
			}
		}
		*a.dst = addr
	}
	if v, ok := body["contact_persons"]; ok {
		list, isList := v.([]any)
		if v != nil && !isList {
			return &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for contact_persons"}
		}
		persons, e := s.persons(c, list)
		if e != nil {
			return e
		}
		next.Persons = persons
	}
	if v, ok := body["custom_fields"]; ok {
		list, _ := v.([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			f := s.field(m)
			if f == nil {
				return &apiErr{http.StatusBadRequest, codeInvalid, fmt.Sprintf("Invalid custom field %v", m)}
			}
			val := m["value"]
			if str, isStr := val.(string); val == nil || isStr && str == "" {
				delete(next.Custom, f.APIName)
			} else {
				next.Custom[f.APIName] = val
			}
		}
	}
	// Uniqueness: contact_name (display name) and unique custom fields.
	for _, o := range s.contacts {
		if o.ID == c.ID {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(o.Name), strings.TrimSpace(next.Name)) {
			return &apiErr{http.StatusBadRequest, codeDuplicate, fmt.Sprintf("The contact name %q already exists.", next.Name)}
		}
		for _, f := range s.opts.CustomFields {
			if f.Unique && next.Custom[f.APIName] != nil && fmt.Sprint(o.Custom[f.APIName]) == fmt.Sprint(next.Custom[f.APIName]) {
				return &apiErr{http.StatusBadRequest, codeDuplicate,
					fmt.Sprintf("The value %v of %s already exists for another contact.", next.Custom[f.APIName], f.Label)}
			}
		}
	}
	next.Modified = s.opts.Now()
	*c = next
	return nil
}

// field finds the custom field an entry of custom_fields names: by
// index (documented) or api_name (unconfirmed) or customfield_id.
func (s *Server) field(m map[string]any) *CustomField {
	for i := range s.opts.CustomFields {
		f := &s.opts.CustomFields[i]
		if n, ok := m["api_name"].(string); ok && strings.EqualFold(n, f.APIName) {
			return f
		}
		if idx, ok := m["index"]; ok && fmt.Sprint(idx) == strconv.Itoa(f.Index) {
			return f
		}
	}
	return nil
}

// persons builds the contact persons of an update or create: entries
// with a contact_person_id of c are kept and changed, others are new,
// and c's persons not listed are deleted (Books' rule).
func (s *Server) persons(c *contact, list []any) ([]*person, *apiErr) {
	var out []*person
	primary := false
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for contact_persons"}
		}
		p := &person{}
		if id := fmt.Sprint(m["contact_person_id"]); m["contact_person_id"] != nil && id != "" {
			var old *person
			for _, q := range c.Persons {
				if q.ID == id {
					old = q
				}
			}
			if old == nil {
				return nil, &apiErr{http.StatusBadRequest, codeInvalid, "Invalid value passed for contact_person_id " + id}
			}
			cp := *old
			p = &cp
		} else {
			p.ID = s.newID()
		}
		for k, dst := range map[string]*string{"salutation": &p.Salutation, "first_name": &p.FirstName, "last_name": &p.LastName,
			"email": &p.Email, "phone": &p.Phone, "mobile": &p.Mobile, "designation": &p.Designation, "department": &p.Department} {
			if v, ok := m[k]; ok {
				t, _ := v.(string)
				*dst = t
			}
		}
		if len([]rune(p.LastName)) > 100 {
			return nil, &apiErr{http.StatusBadRequest, codeInvalid, "last_name should have at most 100 characters."}
		}
		if v, ok := m["is_primary_contact"].(bool); ok {
			p.Primary = v && !primary
		}
		primary = primary || p.Primary
		out = append(out, p)
	}
	if !primary && len(out) > 0 {
		out[0].Primary = true
	}
	return out, nil
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) get(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	if c == nil {
		writeErr(w, notFound())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "success", "contact": s.render(c, true)})
}

func notFound() *apiErr {
	// Books' 1002 ("… does not exist."); the HTTP status of a missing
	// contact (404) is unconfirmed.
	return &apiErr{http.StatusNotFound, codeNotFound, "Contact does not exist."}
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, id string) {
	body, e := decodeBody(r)
	if e != nil {
		writeErr(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	if c == nil {
		writeErr(w, notFound())
		return
	}
	if e := s.apply(c, body, false); e != nil {
		writeErr(w, e)
		return
	}
	// The update answer's message is unconfirmed.
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "Contact information has been saved.", "contact": s.render(c, true)})
}

// upsert serves PUT /contacts with X-Unique-Identifier-Key/-Value and
// X-Upsert: true: the contact whose unique custom field holds the value
// is updated, else one is created with it (201).
func (s *Server) upsert(w http.ResponseWriter, r *http.Request) {
	key, value := r.Header.Get("X-Unique-Identifier-Key"), r.Header.Get("X-Unique-Identifier-Value")
	if !strings.EqualFold(r.Header.Get("X-Upsert"), "true") || key == "" || value == "" {
		writeErr(w, &apiErr{http.StatusBadRequest, codeInvalid,
			"PUT /contacts needs X-Unique-Identifier-Key, X-Unique-Identifier-Value and X-Upsert: true"})
		return
	}
	body, e := decodeBody(r)
	if e != nil {
		writeErr(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f *CustomField
	for i := range s.opts.CustomFields {
		if strings.EqualFold(s.opts.CustomFields[i].APIName, key) && s.opts.CustomFields[i].Unique {
			f = &s.opts.CustomFields[i]
		}
	}
	if f == nil {
		writeErr(w, &apiErr{http.StatusBadRequest, codeInvalid, "X-Unique-Identifier-Key " + key + " is not a unique custom field"})
		return
	}
	for _, c := range s.contacts {
		if fmt.Sprint(c.Custom[f.APIName]) == value {
			if _, ok := body["contact_name"]; !ok {
				body["contact_name"] = c.Name
			}
			if e := s.apply(c, body, false); e != nil {
				writeErr(w, e)
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "Contact information has been saved.", "contact": s.render(c, true)})
			return
		}
	}
	c, e := s.createLocked(body, f.APIName, value)
	if e != nil {
		writeErr(w, e)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"code": 0, "message": "The contact has been added.", "contact": s.render(c, true)})
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.contacts[id] == nil {
		writeErr(w, notFound())
		return
	}
	delete(s.contacts, id)
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": "The contact has been deleted."})
}

func (s *Server) setActive(w http.ResponseWriter, id string, active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	if c == nil {
		writeErr(w, notFound())
		return
	}
	c.Active, c.Modified = active, s.opts.Now()
	msg := "The contact has been marked as active."
	if !active {
		msg = "The contact has been marked as inactive."
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "message": msg})
}
