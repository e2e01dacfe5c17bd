package zohotest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/zoho/zql"
)

const maxSearchResults = 2000

// schema is the zql view of the CRM metadata. Call it with s.mu held.
type schema struct{ s *Server }

// Module implements zql.ModuleSchema.
func (sc schema) Module(name string) (string, bool) {
	m := sc.s.modules[strings.ToLower(name)]
	if m == nil {
		return "", false
	}
	return m.APIName, true
}

// Field implements zql.Schema: plain fields and lookup paths of up to two
// hops ("Account_Name.Parent_Account.Account_Name").
func (sc schema) Field(module, path string) (string, zql.FieldType, bool) {
	m := sc.s.modules[strings.ToLower(module)]
	if m == nil {
		return "", 0, false
	}
	if path == "id" || strings.EqualFold(path, "id") {
		return "id", zql.TypeID, true
	}
	parts := strings.Split(path, ".")
	canon := make([]string, 0, len(parts))
	for i, p := range parts {
		if m == nil {
			return "", 0, false
		}
		f := m.field(p)
		if f == nil {
			if i > 0 && p == "id" {
				canon = append(canon, "id")
				return strings.Join(canon, "."), zql.TypeID, true
			}
			return "", 0, false
		}
		canon = append(canon, f.APIName)
		if i == len(parts)-1 {
			t, _ := zql.ParseFieldType(f.DataType)
			return strings.Join(canon, "."), t, true
		}
		if f.DataType != "lookup" || f.LookupModule == "" {
			return "", 0, false
		}
		m = sc.s.modules[strings.ToLower(f.LookupModule)]
	}
	return "", 0, false
}

// view is a zql.Record over one stored record. Use it with s.mu held.
type view struct {
	s *Server
	m *module
	r *record
}

// Value implements zql.Record, following lookups for dotted paths.
func (v view) Value(path string) any {
	if path == "id" {
		return fmtID(v.r.id)
	}
	head, rest, dotted := strings.Cut(path, ".")
	f := v.m.field(head)
	if f == nil {
		return nil
	}
	if !dotted {
		val := v.s.fieldValue(v.m, v.r, f)
		switch x := val.(type) {
		case int64:
			if f.DataType == "datetime" {
				return time.Unix(x, 0).In(v.s.opts.TimeZone)
			}
		case userRef, ref:
			return v.s.plainValue(v.m, v.r, f)
		}
		return val
	}
	switch x := v.m.get(v.r, f).(type) {
	case ref:
		tm := v.s.modules[strings.ToLower(x.Module)]
		if tm == nil {
			return nil
		}
		if rest == "id" {
			return fmtID(x.ID)
		}
		tr := tm.recs[x.ID]
		if tr == nil {
			return nil
		}
		return view{v.s, tm, tr}.Value(rest)
	case userRef:
		if u := v.s.userByID(uint64(x)); u != nil {
			switch rest {
			case "id":
				return fmtID(u.ID)
			case "name":
				return u.name()
			case "email":
				return u.Email
			}
		}
	}
	return nil
}

func zqlError(err error) *apiError {
	var ze *zql.Error
	if errors.As(err, &ze) {
		return &apiError{HTTP: ze.HTTPStatus(), Code: ze.Code, Message: ze.Message, Details: ze.Details}
	}
	return newErr(http.StatusBadRequest, "INVALID_QUERY", err.Error())
}

// matcher builds the record filter of a search or count request from
// criteria, email, phone or word (that precedence). ok is false when none
// is given.
func (s *Server) matcher(m *module, c *call) (match func(*record) bool, ok bool, e *apiError) {
	q := c.r.URL.Query()
	switch {
	case q.Get("criteria") != "":
		crit, err := zql.ParseCriteria(q.Get("criteria"))
		if err != nil {
			return nil, true, zqlError(err)
		}
		s.mu.RLock()
		err = crit.Check(m.APIName, schema{s})
		s.mu.RUnlock()
		if err != nil {
			return nil, true, zqlError(err)
		}
		return func(r *record) bool { return crit.Match(view{s, m, r}) }, true, nil
	case q.Get("email") != "":
		want := strings.ToLower(q.Get("email"))
		return s.anyField(m, "email", func(v string) bool { return strings.ToLower(v) == want }), true, nil
	case q.Get("phone") != "":
		want := digitsOf(q.Get("phone"))
		if want == "" {
			return nil, true, newErr(http.StatusBadRequest, "INVALID_QUERY", "invalid phone number", "param_name", "phone")
		}
		return s.anyField(m, "phone", func(v string) bool { return strings.Contains(digitsOf(v), want) }), true, nil
	case q.Has("word"):
		word := strings.ToLower(strings.TrimSpace(q.Get("word")))
		if len([]rune(word)) < 2 {
			return nil, true, newErr(http.StatusBadRequest, "INVALID_QUERY", "the word should have at least 2 characters",
				"param_name", "word")
		}
		return s.anyField(m, "", func(v string) bool { return strings.Contains(strings.ToLower(v), word) }), true, nil
	}
	return nil, false, nil
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anyField matches records with a text value of the given data type (any
// text-like type when "") that test accepts.
func (s *Server) anyField(m *module, dataType string, test func(string) bool) func(*record) bool {
	var fields []*Field
	for _, f := range m.fields {
		switch {
		case dataType != "" && f.DataType == dataType,
			dataType == "" && (f.DataType == "text" || f.DataType == "email" || f.DataType == "phone" ||
				f.DataType == "website" || f.DataType == "picklist"):
			fields = append(fields, f)
		}
	}
	return func(r *record) bool {
		for _, f := range fields {
			if v, ok := s.fieldValue(m, r, f).(string); ok && test(v) {
				return true
			}
		}
		return false
	}
}

// serveSearch answers GET /{module}/search (sheet §2.7) and, with count
// set, GET /{module}/actions/count (§2.7b).
func (s *Server) serveSearch(c *call, m *module, count bool) {
	if !moduleScope(c.scopes, m, "READ") {
		c.fail(errScope())
		return
	}
	if !count && !hasScope(c.scopes, "zohosearch.securesearch.read", "zohosearch.securesearch.all") {
		c.fail(errScope())
		return
	}
	q := c.r.URL.Query()
	var fields []*Field
	var perPage, page int
	var e *apiError
	if !count {
		if fields, e = parseFields(m, q, false); e != nil {
			c.fail(e)
			return
		}
		if perPage, e = intParam(q, "per_page", maxPerPage, maxPerPage); e != nil {
			c.fail(e)
			return
		}
		if page, e = intParam(q, "page", 1, 0); e != nil {
			c.fail(e)
			return
		}
		if (page-1)*perPage >= maxSearchResults {
			c.fail(newErr(http.StatusBadRequest, "LIMIT_REACHED", "the search results are limited to 2000 records",
				"limit", maxSearchResults))
			return
		}
	}
	if q.Get("cvid") != "" {
		c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "the given custom view id seems to be invalid", "param_name", "cvid"))
		return
	}
	match, given, e := s.matcher(m, c)
	if e != nil {
		c.fail(e)
		return
	}
	if !given && !count {
		c.fail(newErr(http.StatusBadRequest, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
			"param_name", "criteria", "param", "criteria"))
		return
	}
	converted := q.Get("converted")
	if !c.begin(1, false) {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	keep := func(r *record) bool {
		if m.APIName == "Leads" && converted != "both" {
			conv, _ := m.get(r, m.field("Converted__s")).(bool)
			if conv != (converted == "true") {
				return false
			}
		}
		return match == nil || match(r)
	}
	if count {
		n := 0
		for i := range m.byID.e {
			e := &m.byID.e[i]
			if m.byID.live(e) && keep(e.r) {
				n++
			}
		}
		writeJSON(c.w, http.StatusOK, map[string]any{"count": n})
		return
	}
	skip := (page - 1) * perPage
	want := min(perPage, maxSearchResults-skip)
	var out []*record
	more := false
	for i := range m.byID.e {
		e := &m.byID.e[i]
		if !m.byID.live(e) || !keep(e.r) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) == want {
			more = true
			break
		}
		out = append(out, e.r)
	}
	if len(out) == 0 {
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	b := []byte(`{"data":[`)
	for i, r := range out {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendRecord(b, m, r, fields)
	}
	b = append(b, `],"info":{"per_page":`...)
	b = strconv.AppendInt(b, int64(perPage), 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(len(out)), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	b = append(b, `,"more_records":`...)
	b = strconv.AppendBool(b, more)
	b = append(b, "}}"...)
	writeRaw(c.w, http.StatusOK, b)
}
