package zohotest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

const (
	maxPerPage       = 200
	maxFields        = 50
	maxDiscrete      = 2000   // records reachable with page (sheet §2.1)
	maxTokenRecords  = 100000 // records reachable with page_token
	maxWriteRecords  = 100
	recycleRetention = 60 * 24 * time.Hour
)

// parseFields reads the fields parameter: required when required is set,
// at most 50 known API names.
func parseFields(m *module, q url.Values, required bool) ([]*Field, *apiError) {
	raw := q.Get("fields")
	if raw == "" {
		if required {
			return nil, errParamMissing("fields")
		}
		return m.fields, nil
	}
	names := strings.Split(raw, ",")
	if len(names) > maxFields {
		return nil, newErr(http.StatusBadRequest, "LIMIT_EXCEEDED", "the number of fields exceeds the limit",
			"param_name", "fields", "limit", maxFields)
	}
	out := make([]*Field, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || n == "id" || seen[n] {
			continue
		}
		seen[n] = true
		f := m.field(n)
		if f == nil {
			return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "the field name given seems to be invalid",
				"api_name", n, "param_name", "fields")
		}
		out = append(out, f)
	}
	return out, nil
}

// intParam reads a positive integer parameter (def when absent).
func intParam(q url.Values, name string, def, max int) (int, *apiError) {
	raw := q.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "param_name", name)
	}
	if max > 0 && n > max {
		return 0, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "param_name", name, "maximum_length", max)
	}
	return n, nil
}

// ifModifiedSince parses the If-Modified-Since header (an offset datetime);
// ok is false when absent.
func ifModifiedSince(r *http.Request) (int64, bool, *apiError) {
	h := r.Header.Get("If-Modified-Since")
	if h == "" {
		return 0, false, nil
	}
	for _, layout := range []string{datetimeLayout, time.RFC3339, http.TimeFormat} {
		if t, err := time.Parse(layout, h); err == nil {
			return t.Unix(), true, nil
		}
	}
	return 0, false, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "header_name", "If-Modified-Since")
}

// listQuery is a parsed list request.
type listQuery struct {
	fields    []*Field
	perPage   int
	page      int
	token     *pageToken
	sortBy    string
	asc       bool
	since     int64
	hasSince  bool
	converted string // Leads: false (default), true, both
	ids       map[uint64]bool
}

func (lq *listQuery) binding(m *module) string {
	var b strings.Builder
	b.WriteString(m.APIName)
	for _, f := range lq.fields {
		b.WriteString("," + f.APIName)
	}
	b.WriteString("|" + lq.sortBy + "|" + strconv.FormatBool(lq.asc) + "|" + lq.converted)
	if lq.hasSince {
		b.WriteString("|" + strconv.FormatInt(lq.since, 10))
	}
	return b.String()
}

func (s *Server) parseList(c *call, m *module) (*listQuery, *apiError) {
	q := c.r.URL.Query()
	lq := &listQuery{sortBy: "id", converted: "false"}
	var e *apiError
	if lq.fields, e = parseFields(m, q, true); e != nil {
		return nil, e
	}
	if lq.perPage, e = intParam(q, "per_page", maxPerPage, maxPerPage); e != nil {
		return nil, e
	}
	if lq.page, e = intParam(q, "page", 1, 0); e != nil {
		return nil, e
	}
	if q.Get("cvid") != "" {
		return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "the given custom view id seems to be invalid", "param_name", "cvid")
	}
	switch sb := q.Get("sort_by"); sb {
	case "", "id":
	case "Created_Time", "Modified_Time":
		lq.sortBy = sb
	default:
		return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "param_name", "sort_by",
			"supported_values", []string{"id", "Created_Time", "Modified_Time"})
	}
	switch so := q.Get("sort_order"); so {
	case "", "desc":
	case "asc":
		lq.asc = true
	default:
		return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "param_name", "sort_order",
			"supported_values", []string{"asc", "desc"})
	}
	if m.APIName == "Leads" {
		switch cv := q.Get("converted"); cv {
		case "", "false":
		case "true", "both":
			lq.converted = cv
		default:
			return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "invalid data", "param_name", "converted")
		}
	}
	if raw := q.Get("ids"); raw != "" {
		lq.ids = map[uint64]bool{}
		parts := strings.Split(raw, ",")
		if len(parts) > maxWriteRecords {
			return nil, newErr(http.StatusBadRequest, "LIMIT_EXCEEDED", "the number of ids exceeds the limit",
				"param_name", "ids", "limit", maxWriteRecords)
		}
		for _, p := range parts {
			id, ok := parseID(strings.TrimSpace(p))
			if !ok {
				return nil, newErr(http.StatusBadRequest, "INVALID_DATA", "the id given seems to be invalid", "param_name", "ids")
			}
			lq.ids[id] = true
		}
	}
	if lq.since, lq.hasSince, e = ifModifiedSince(c.r); e != nil {
		return nil, e
	}
	if tok := q.Get("page_token"); tok != "" {
		if q.Get("page") != "" {
			return nil, newErr(http.StatusBadRequest, "AMBIGUITY_DURING_PROCESSING",
				"page and page_token can not be given together", "ambiguity_due_to", []string{"page", "page_token"})
		}
		pt, e := s.openPageToken(tok, lq.binding(m))
		if e != nil {
			return nil, e
		}
		lq.token = pt
	} else if (lq.page-1)*lq.perPage >= maxDiscrete {
		return nil, newErr(http.StatusBadRequest, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
			"you can only get the first 2000 records without using page_token", "limit", maxDiscrete)
	}
	return lq, nil
}

func (lq *listQuery) match(m *module, r *record) bool {
	if lq.hasSince && r.modified <= lq.since {
		return false
	}
	if lq.ids != nil && !lq.ids[r.id] {
		return false
	}
	if m.APIName == "Leads" && lq.converted != "both" {
		conv, _ := m.get(r, m.field("Converted__s")).(bool)
		if conv != (lq.converted == "true") {
			return false
		}
	}
	return true
}

// serveList answers GET /crm/v8/{module} (sheet §2.1).
func (s *Server) serveList(c *call, m *module) {
	if !moduleScope(c.scopes, m, "READ") {
		c.fail(errScope())
		return
	}
	lq, e := s.parseList(c, m)
	if e != nil {
		c.fail(e)
		return
	}
	if !c.begin(1, c.r.URL.Query().Get("sort_by") != "") {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix := &m.byID
	switch lq.sortBy {
	case "Created_Time":
		ix = &m.byCreated
	case "Modified_Time":
		ix = &m.byModified
	}
	want := lq.perPage
	skip := 0
	if lq.token == nil {
		skip = (lq.page - 1) * lq.perPage
		want = min(lq.perPage, maxDiscrete-skip)
	}
	var pos int
	switch {
	case lq.token != nil:
		pos = ix.after(lq.token.Key, lq.token.ID, lq.asc)
	case lq.asc && lq.hasSince && ix.kind == sortModified:
		pos = ix.search(lq.since+1, 0)
	case lq.asc:
		pos = 0
	default:
		pos = len(ix.e) - 1
	}
	var page []*record
	more := false
	step := 1
	if !lq.asc {
		step = -1
	}
	for ; pos >= 0 && pos < len(ix.e); pos += step {
		e := &ix.e[pos]
		if !ix.live(e) || !lq.match(m, e.r) {
			continue
		}
		if lq.asc && lq.hasSince && ix.kind == sortModified && e.key <= lq.since {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(page) == want {
			more = true
			break
		}
		page = append(page, e.r)
	}
	if len(page) == 0 {
		if lq.hasSince {
			c.w.WriteHeader(http.StatusNotModified)
		} else {
			c.w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	served := 0
	pageNo := lq.page
	if lq.token != nil {
		served = lq.token.Served
		pageNo = served/lq.perPage + 1
	} else {
		served = (lq.page - 1) * lq.perPage
	}
	b := make([]byte, 0, 256*len(page))
	b = append(b, `{"data":[`...)
	for i, r := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendRecord(b, m, r, lq.fields)
	}
	b = append(b, `],"info":{"per_page":`...)
	b = strconv.AppendInt(b, int64(lq.perPage), 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(len(page)), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(pageNo), 10)
	b = append(b, `,"sort_by":`...)
	b = appendString(b, lq.sortBy)
	b = append(b, `,"sort_order":`...)
	if lq.asc {
		b = append(b, `"asc"`...)
	} else {
		b = append(b, `"desc"`...)
	}
	b = append(b, `,"more_records":`...)
	b = strconv.AppendBool(b, more)
	b = append(b, `,"next_page_token":`...)
	if more {
		last := page[len(page)-1]
		exp := s.now().Add(s.opts.PageTokenTTL)
		tok := s.sealPageToken(&pageToken{Bind: lq.binding(m), Key: ix.keyOf(last), ID: last.id,
			Served: served + len(page), Exp: exp.Unix()})
		b = appendString(b, tok)
		b = append(b, `,"previous_page_token":null,"page_token_expiry":`...)
		b = s.appendTime(b, exp.Unix())
	} else {
		b = append(b, `null,"previous_page_token":null,"page_token_expiry":null`...)
	}
	b = append(b, `}}`...)
	writeRaw(c.w, http.StatusOK, b)
}

// after returns the position to continue from after (key, id) in the
// given direction.
func (ix *index) after(key int64, id uint64, asc bool) int {
	pos := ix.search(key, id)
	if !asc {
		return pos - 1
	}
	for pos < len(ix.e) && ix.e[pos].key == key && ix.e[pos].id == id {
		pos++
	}
	return pos
}

// serveGet answers GET /crm/v8/{module}/{id} (sheet §2.2): 204 when the
// record does not exist.
func (s *Server) serveGet(c *call, m *module, id uint64) {
	if !moduleScope(c.scopes, m, "READ") {
		c.fail(errScope())
		return
	}
	fields, e := parseFields(m, c.r.URL.Query(), false)
	if e != nil {
		c.fail(e)
		return
	}
	if !c.begin(1, false) {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := m.recs[id]
	if r == nil {
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	b := append([]byte(`{"data":[`), nil...)
	b = s.appendRecord(b, m, r, fields)
	b = append(b, "]}"...)
	writeRaw(c.w, http.StatusOK, b)
}

// lockedIDs returns the ids a lock_row fault locks for this request, or
// nil; an empty Records list locks the first record of the batch.
func lockedIDs(f *sandbox.Fault, batch []uint64) map[uint64]bool {
	if f == nil || f.Kind != sandbox.FaultLockRow {
		return nil
	}
	out := map[uint64]bool{}
	for _, id := range f.Records {
		if n, ok := parseID(id); ok {
			out[n] = true
		}
	}
	if len(f.Records) == 0 && len(batch) > 0 {
		out[batch[0]] = true
	}
	return out
}

// errLocked is the per-record error of a record a lock_row fault holds:
// Zoho's RECORD_LOCKED (sheet §7), its closest equivalent of Salesforce's
// UNABLE_TO_LOCK_ROW.
func errLocked(id uint64) map[string]any {
	return recordError("RECORD_LOCKED", "the record is locked by another process", "id", fmtID(id))
}

// serveDelete answers DELETE /crm/v8/{module}?ids= and /{module}/{id}.
func (s *Server) serveDelete(c *call, m *module, one string) {
	if !moduleScope(c.scopes, m, "DELETE") {
		c.fail(errScope())
		return
	}
	raw := one
	if raw == "" {
		raw = c.r.URL.Query().Get("ids")
		if raw == "" {
			c.fail(errParamMissing("ids"))
			return
		}
	}
	parts := strings.Split(raw, ",")
	if len(parts) > maxWriteRecords {
		c.fail(newErr(http.StatusBadRequest, "LIMIT_EXCEEDED", "the number of records to delete exceeds the limit",
			"param_name", "ids", "limit", maxWriteRecords))
		return
	}
	ids := make([]uint64, len(parts))
	for i, p := range parts {
		id, ok := parseID(strings.TrimSpace(p))
		if !ok {
			c.fail(newErr(http.StatusBadRequest, "INVALID_DATA", "the id given seems to be invalid", "param_name", "ids"))
			return
		}
		ids[i] = id
	}
	if !c.begin(1, false) {
		return
	}
	locked := lockedIDs(c.fault, ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().Unix()
	out := make([]map[string]any, len(ids))
	ok := 0
	for i, id := range ids {
		r := m.recs[id]
		switch {
		case r == nil:
			out[i] = recordError("INVALID_DATA", "record not deleted", "id", fmtID(id))
		case locked[id]:
			out[i] = errLocked(id)
		default:
			m.deleted = append(m.deleted, deletedEntry{ID: id, DisplayName: s.displayName(m, r), Type: "recycle",
				At: now, DeletedBy: s.users[0].ID, CreatedBy: r.creator})
			m.remove(r)
			out[i] = map[string]any{"code": "SUCCESS", "details": map[string]any{"id": fmtID(id)},
				"message": "record deleted", "status": "success"}
			ok++
		}
	}
	writeJSON(c.w, batchStatus(ok, len(ids), http.StatusOK), map[string]any{"data": out})
}

// batchStatus is the HTTP status of a write batch: okStatus when every
// record succeeded, 207 when some did, 400 when none did.
func batchStatus(ok, total, okStatus int) int {
	switch {
	case ok == total:
		return okStatus
	case ok == 0:
		return http.StatusBadRequest
	}
	return http.StatusMultiStatus
}

// serveDeleted answers GET /crm/v8/{module}/deleted (sheet §2.6).
func (s *Server) serveDeleted(c *call, m *module) {
	if !moduleScope(c.scopes, m, "READ") {
		c.fail(errScope())
		return
	}
	q := c.r.URL.Query()
	typ := q.Get("type")
	switch typ {
	case "":
		typ = "all"
	case "all", "recycle", "permanent":
	default:
		c.fail(newErr(http.StatusBadRequest, "PATTERN_NOT_MATCHED", "Please check whether the input values are correct",
			"param_name", "type"))
		return
	}
	perPage, e := intParam(q, "per_page", maxPerPage, maxPerPage)
	if e == nil {
		var page int
		page, e = intParam(q, "page", 1, 0)
		if e == nil {
			since, hasSince, e2 := ifModifiedSince(c.r)
			if e2 != nil {
				c.fail(e2)
				return
			}
			if !c.begin(2, false) {
				return
			}
			s.serveDeletedPage(c, m, typ, perPage, page, since, hasSince)
			return
		}
	}
	c.fail(e)
}

func (s *Server) serveDeletedPage(c *call, m *module, typ string, perPage, page int, since int64, hasSince bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cut := s.now().Add(-recycleRetention).Unix()
	skip := (page - 1) * perPage
	var out []map[string]any
	more := false
	for i := len(m.deleted) - 1; i >= 0; i-- {
		d := m.deleted[i]
		if typ != "all" && d.Type != typ || d.Type == "recycle" && d.At < cut || hasSince && d.At <= since {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(out) == perPage {
			more = true
			break
		}
		row := map[string]any{"id": fmtID(d.ID), "display_name": nil, "type": d.Type,
			"deleted_time": s.fmtTime(d.At), "deleted_by": nil, "created_by": nil}
		if d.Type == "recycle" {
			row["display_name"] = d.DisplayName
			if u := s.userByID(d.DeletedBy); u != nil {
				row["deleted_by"] = map[string]any{"name": u.name(), "id": fmtID(u.ID)}
			}
			if u := s.userByID(d.CreatedBy); u != nil {
				row["created_by"] = map[string]any{"name": u.name(), "id": fmtID(u.ID)}
			}
		}
		out = append(out, row)
	}
	if len(out) == 0 {
		if hasSince {
			c.w.WriteHeader(http.StatusNotModified)
		} else {
			c.w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"data": out,
		"info": map[string]any{"per_page": perPage, "count": len(out), "page": page, "more_records": more}})
}
