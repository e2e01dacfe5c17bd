package sftest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// serveSObjects serves /sobjects and everything below it.
func (s *Server) serveSObjects(w http.ResponseWriter, q *req) *restError {
	p := q.parts[1:]
	if len(p) == 0 {
		if q.method != http.MethodGet && q.method != http.MethodHead {
			return errMethod(q.method, "GET", "HEAD")
		}
		return s.describeGlobal(w, q)
	}
	s.mu.RLock()
	t := s.table(p[0])
	s.mu.RUnlock()
	if t == nil {
		return errNotFound
	}
	switch {
	case len(p) == 1:
		switch q.method {
		case http.MethodGet, http.MethodHead:
			writeJSON(w, http.StatusOK, map[string]any{"objectDescribe": s.sobjectSummary(q, t.def), "recentItems": []any{}})
			return nil
		case http.MethodPost:
			return s.createOne(w, q, t)
		}
		return errMethod(q.method, "GET", "HEAD", "POST")
	case len(p) == 2 && p[1] == "describe":
		if q.method != http.MethodGet && q.method != http.MethodHead {
			return errMethod(q.method, "GET", "HEAD")
		}
		return s.describe(w, q, t)
	case len(p) == 2 && (p[1] == "updated" || p[1] == "deleted"):
		if q.method != http.MethodGet {
			return errMethod(q.method, "GET", "HEAD")
		}
		return s.replication(w, q, t, p[1] == "deleted")
	case len(p) == 2:
		switch q.method {
		case http.MethodPost:
			if strings.EqualFold(p[1], "Id") {
				return s.createOne(w, q, t)
			}
		case http.MethodGet, http.MethodHead:
			return s.getOne(w, q, t, p[1])
		case http.MethodPatch:
			return s.updateOne(w, q, t, p[1])
		case http.MethodDelete:
			return s.deleteOne(w, q, t, p[1])
		}
		return errMethod(q.method, "GET", "HEAD", "PATCH", "DELETE")
	case len(p) == 3:
		return s.byExternalID(w, q, t, p[1], p[2])
	}
	return errNotFound
}

// createOne serves POST /sobjects/{type}.
func (s *Server) createOne(w http.ResponseWriter, q *req, t *table) *restError {
	body, e := readJSON(q.r)
	if e != nil {
		return e
	}
	rec, ok := body.(obj)
	if !ok {
		return errJSON("Cannot deserialize instance of " + t.def.Name + " out of START_ARRAY token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	as, errs, je := s.toAssigns(t, rec, assignOpts{})
	if je != nil {
		return je
	}
	if len(errs) > 0 {
		return recordErrors(errs)
	}
	seq, errs := s.begin(q.fault).insert(t, as)
	if len(errs) > 0 {
		return recordErrors(errs)
	}
	id := t.id(seq)
	w.Header().Set("Location", "/services/data/v"+q.ver+"/sobjects/"+t.def.Name+"/"+id)
	writeJSON(w, http.StatusCreated, obj{{"id", id}, {"success", true}, {"errors", []any{}}})
	return nil
}

// getOne serves GET /sobjects/{type}/{id}?fields=.
func (s *Server) getOne(w http.ResponseWriter, q *req, t *table, id string) *restError {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seq, e := s.lookupRecord(t, id, false)
	if e != nil {
		return e
	}
	fields, e := fieldList(t, q.r.URL.Query().Get("fields"))
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, s.render(t, seq, fields, q.ver))
	return nil
}

// updateOne serves PATCH /sobjects/{type}/{id} → 204.
func (s *Server) updateOne(w http.ResponseWriter, q *req, t *table, id string) *restError {
	body, e := readJSON(q.r)
	if e != nil {
		return e
	}
	rec, ok := body.(obj)
	if !ok {
		return errJSON("Cannot deserialize instance of " + t.def.Name + " out of START_ARRAY token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, e := s.lookupRecord(t, id, false)
	if e != nil {
		return e
	}
	as, errs, je := s.toAssigns(t, rec, assignOpts{})
	if je != nil {
		return je
	}
	if len(errs) > 0 {
		return recordErrors(errs)
	}
	if errs := s.begin(q.fault).update(t, seq, as); len(errs) > 0 {
		return recordErrors(errs)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteOne serves DELETE /sobjects/{type}/{id} → 204.
func (s *Server) deleteOne(w http.ResponseWriter, q *req, t *table, id string) *restError {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, e := s.lookupRecord(t, id, false)
	if e != nil {
		return e
	}
	if errs := s.begin(q.fault).remove(t, seq, false); len(errs) > 0 {
		return recordErrors(errs)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// extField resolves an external-id field named in a URL; Id is allowed.
func extField(t *table, name string) (*Field, int, bool) {
	f, i, ok := t.def.field(name)
	if !ok || !(f.ExternalID || f.IDLookup) {
		return nil, -1, false
	}
	return f, i, true
}

// liveMatches returns the live records whose field fi equals v.
func liveMatches(t *table, fi int, v string) []int64 {
	var out []int64
	for _, sq := range t.lookupExt(fi, v) {
		if r := t.rec(sq); r != nil && !r.deleted {
			out = append(out, sq)
		}
	}
	return out
}

// byExternalID serves /sobjects/{type}/{field}/{value}: GET, upsert
// (PATCH; POST for field Id = create) and DELETE.
func (s *Server) byExternalID(w http.ResponseWriter, q *req, t *table, field, value string) *restError {
	if strings.EqualFold(field, "Id") && q.method == http.MethodPost {
		return s.createOne(w, q, t)
	}
	f, fi, ok := extField(t, field)
	if !ok || f.Type == TypeID {
		return errNotFound
	}
	switch q.method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPatch:
	default:
		return errMethod(q.method, "GET", "HEAD", "PATCH", "DELETE")
	}
	var rec obj
	if q.method == http.MethodPatch {
		body, e := readJSON(q.r)
		if e != nil {
			return e
		}
		if rec, ok = body.(obj); !ok {
			return errJSON("Cannot deserialize instance of " + t.def.Name + " out of START_ARRAY token")
		}
	}
	if q.method == http.MethodGet || q.method == http.MethodHead {
		s.mu.RLock()
		defer s.mu.RUnlock()
	} else {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	seqs := liveMatches(t, fi, value)
	if len(seqs) > 1 {
		urls := make([]string, len(seqs))
		for i, sq := range seqs {
			urls[i] = "/services/data/v" + q.ver + "/sobjects/" + t.def.Name + "/" + t.id(sq)
		}
		writeJSON(w, http.StatusMultipleChoices, urls)
		return nil
	}
	switch q.method {
	case http.MethodGet, http.MethodHead:
		if len(seqs) == 0 {
			return errNotFound
		}
		fields, e := fieldList(t, q.r.URL.Query().Get("fields"))
		if e != nil {
			return e
		}
		writeJSON(w, http.StatusOK, s.render(t, seqs[0], fields, q.ver))
		return nil
	case http.MethodDelete:
		if len(seqs) == 0 {
			return errNotFound
		}
		if errs := s.begin(q.fault).remove(t, seqs[0], false); len(errs) > 0 {
			return recordErrors(errs)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	as, errs, je := s.toAssigns(t, rec, assignOpts{})
	if je != nil {
		return je
	}
	if len(errs) > 0 {
		return recordErrors(errs)
	}
	as, e := withExtValue(as, f, fi, value)
	if e != nil {
		return recordErrors([]recError{*e})
	}
	x := s.begin(q.fault)
	if len(seqs) == 0 {
		seq, errs := x.insert(t, as)
		if len(errs) > 0 {
			return recordErrors(errs)
		}
		writeJSON(w, http.StatusCreated, obj{{"id", t.id(seq)}, {"success", true}, {"errors", []any{}}, {"created", true}})
		return nil
	}
	if errs := x.update(t, seqs[0], dropExt(as, fi)); len(errs) > 0 {
		return recordErrors(errs)
	}
	if q.verNum < 46 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeJSON(w, http.StatusOK, obj{{"id", t.id(seqs[0])}, {"success", true}, {"errors", []any{}}, {"created", false}})
	return nil
}

// withExtValue adds the external-id value of an upsert to the assignments;
// a different value of that field in the body is an error.
func withExtValue(as []assign, f *Field, fi int, value string) ([]assign, *recError) {
	for _, a := range as {
		if a.i == fi {
			if s, _ := a.val.(string); !strings.EqualFold(s, value) {
				e := newRecError("INVALID_FIELD", fmt.Sprintf(
					"The value of the external ID field %s in the body does not match the URL.", f.Name), f.Name)
				return nil, &e
			}
			return as, nil
		}
	}
	return append(as, assign{f: f, i: fi, val: value}), nil
}

// dropExt removes the external-id assignment (an update keeps the value).
func dropExt(as []assign, fi int) []assign {
	out := as[:0:0]
	for _, a := range as {
		if a.i != fi {
			out = append(out, a)
		}
	}
	return out
}

// Replication limits (reference sheet §2.5).
const (
	maxReplicationIDs = 600000
	updatedLookback   = 30 * 24 * time.Hour
	deletedLookback   = 15 * 24 * time.Hour
)

// replication serves /sobjects/{type}/updated/ and /deleted/.
func (s *Server) replication(w http.ResponseWriter, q *req, t *table, deleted bool) *restError {
	qs := q.r.URL.Query()
	bad := func(msg string) *restError {
		return newRESTError(http.StatusBadRequest, "INVALID_REPLICATION_DATE", msg)
	}
	startS, endS := qs.Get("start"), qs.Get("end")
	if startS == "" || endS == "" {
		return newRESTError(http.StatusBadRequest, "MISSING_ARGUMENT", "start and end parameters are required")
	}
	start, ok1 := parseDateTime(startS)
	end, ok2 := parseDateTime(endS)
	if !ok1 || !ok2 {
		return bad("start and end must be ISO 8601 datetimes")
	}
	start, end = start-start%60000, end-end%60000
	now := toMS(s.opts.Now())
	if end > now {
		end = now - now%60000
	}
	if start >= end {
		return bad("startDate must chronologically precede endDate")
	}
	look := updatedLookback
	if deleted {
		look = deletedLookback
	}
	if start < now-msTime(look.Milliseconds()) {
		return bad(fmt.Sprintf("startDate cannot be more than %d days ago", int(look.Hours()/24)))
	}
	s.mu.Lock() // the stamp index may be rebuilt
	defer s.mu.Unlock()
	idx := t.stampIndex()
	lo := searchStamp(idx, start, 0)
	var ids []string
	var dels []obj
	for _, e := range idx[lo:] {
		if e.ms >= end {
			break
		}
		r := t.live(e)
		if r == nil || r.deleted != deleted {
			continue
		}
		if deleted {
			dels = append(dels, obj{{"id", t.id(e.seq)}, {"deletedDate", formatMS(r.delAt)}})
		} else {
			ids = append(ids, t.id(e.seq))
		}
		if len(ids)+len(dels) > maxReplicationIDs {
			return newRESTError(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", "record limit reached. narrow the time range")
		}
	}
	if deleted {
		if dels == nil {
			dels = []obj{}
		}
		earliest := now - msTime(deletedLookback.Milliseconds())
		writeJSON(w, http.StatusOK, obj{{"deletedRecords", dels}, {"earliestDateAvailable", formatMS(earliest - earliest%60000)},
			{"latestDateCovered", formatMS(end)}})
		return nil
	}
	if ids == nil {
		ids = []string{}
	}
	writeJSON(w, http.StatusOK, obj{{"ids", ids}, {"latestDateCovered", formatMS(end)}})
	return nil
}

// searchStamp returns the first index entry at or after (ms, seq).
func searchStamp(idx []stampEntry, ms msTime, seq int64) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		m := (lo + hi) / 2
		if cmpStamp(idx[m], stampEntry{ms, seq}) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
