package sftest

import (
	"fmt"
	"net/http"
	"strings"
)

// Collections limits (reference sheet §3.2).
const (
	maxCollection = 200
	maxRetrieve   = 2000
)

var errTooMany = newRESTError(http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
	"record limit reached. cannot submit more than 200 records into this call")

// result is one per-record result of a Collections call.
type result struct {
	ID       string
	Success  bool
	Errors   []recError
	Created  *bool // upsert only
	noID     bool  // failed create: no id member
	inserted bool  // a record this request created (no id once rolled back)
}

func (r result) toJSON() obj {
	o := obj{}
	if r.ID != "" && !r.noID {
		o = append(o, kv{"id", r.ID})
	}
	o = append(o, kv{"success", r.Success})
	errs := r.Errors
	if errs == nil {
		errs = []recError{}
	}
	o = append(o, kv{"errors", errs})
	if r.Created != nil {
		o = append(o, kv{"created", *r.Created})
	}
	return o
}

// serveCollections serves /composite/sobjects[/{type}[/{extField}]].
func (s *Server) serveCollections(w http.ResponseWriter, q *req) *restError {
	p := q.parts[2:]
	switch {
	case len(p) == 0:
		switch q.method {
		case http.MethodPost, http.MethodPatch:
			return s.collectionWrite(w, q, q.method == http.MethodPatch)
		case http.MethodDelete:
			return s.collectionDelete(w, q)
		}
		return errMethod(q.method, "POST", "PATCH", "DELETE")
	case len(p) == 1:
		switch q.method {
		case http.MethodGet, http.MethodPost:
			return s.collectionRetrieve(w, q, p[0])
		}
		return errMethod(q.method, "GET", "POST")
	case len(p) == 2:
		if q.method != http.MethodPatch {
			return errMethod(q.method, "PATCH")
		}
		return s.collectionUpsert(w, q, p[0], p[1])
	}
	return errNotFound
}

// collectionBody reads {"allOrNone":…,"records":[…]} and checks each
// record's attributes.type.
func (s *Server) collectionBody(q *req) (bool, []obj, []*table, *restError) {
	body, e := readJSON(q.r)
	if e != nil {
		return false, nil, nil, e
	}
	b, ok := body.(obj)
	if !ok {
		return false, nil, nil, errJSON("Cannot deserialize instance of SObjectCollectionsRequest out of START_ARRAY token")
	}
	allOrNone := false
	if v, ok := b.get("allOrNone"); ok {
		allOrNone, _ = v.(bool)
	}
	rv, _ := b.get("records")
	list, ok := rv.([]any)
	if !ok {
		return false, nil, nil, errJSON("records: expected a JSON array of records")
	}
	if len(list) > maxCollection {
		return false, nil, nil, errTooMany
	}
	recs := make([]obj, len(list))
	tables := make([]*table, len(list))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i, v := range list {
		r, ok := v.(obj)
		if !ok {
			return false, nil, nil, errJSON("records: each record must be a JSON object")
		}
		ty := ""
		if a, ok := r.get("attributes"); ok {
			if ao, ok := a.(obj); ok {
				if t, ok := ao.get("type"); ok {
					ty, _ = t.(string)
				}
			}
		}
		if ty == "" {
			return false, nil, nil, newRESTError(http.StatusBadRequest, "INVALID_TYPE",
				"Must specify a type in the attributes of every record")
		}
		t := s.table(ty)
		if t == nil {
			return false, nil, nil, errInvalidTypeQuery(ty)
		}
		recs[i], tables[i] = r, t
	}
	return allOrNone, recs, tables, nil
}

// finish applies allOrNone to the results and writes them.
func finish(w http.ResponseWriter, x *tx, allOrNone bool, res []result) {
	failed := false
	for _, r := range res {
		if !r.Success {
			failed = true
		}
	}
	if allOrNone && failed {
		x.rollback()
		for i := range res {
			if res[i].Success {
				res[i] = result{ID: res[i].ID, noID: res[i].inserted || res[i].noID,
					Errors: []recError{rolledBack}, Created: res[i].Created}
			}
		}
	}
	out := make([]obj, len(res))
	for i, r := range res {
		out[i] = r.toJSON()
	}
	writeJSON(w, http.StatusOK, out)
}

// collectionWrite serves POST (create) and PATCH (update) /composite/sobjects.
func (s *Server) collectionWrite(w http.ResponseWriter, q *req, update bool) *restError {
	allOrNone, recs, tables, e := s.collectionBody(q)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.begin(q.fault)
	res := make([]result, len(recs))
	for i, rec := range recs {
		t := tables[i]
		var id string
		if v, ok := rec.get("id"); ok {
			id, _ = v.(string)
		}
		if !update {
			res[i].noID = true
			if id != "" {
				res[i].Errors = []recError{newRecError("INVALID_FIELD_FOR_INSERT_UPDATE",
					"cannot specify Id in an insert call", "Id")}
				continue
			}
		}
		as, errs, je := s.toAssigns(t, rec, assignOpts{allowID: update})
		if je != nil {
			x.rollback()
			return je
		}
		if len(errs) > 0 {
			res[i].Errors = errs
			res[i].ID = id
			continue
		}
		if !update {
			seq, errs := x.insert(t, as)
			if len(errs) > 0 {
				res[i].Errors = errs
				continue
			}
			res[i] = result{ID: t.id(seq), Success: true, inserted: true}
			continue
		}
		res[i].ID = id
		if id == "" {
			res[i].Errors = []recError{newRecError("MISSING_ARGUMENT", "Id not specified in an update call")}
			continue
		}
		seq, re := s.collectionID(t, id)
		if re != nil {
			res[i].Errors = []recError{*re}
			continue
		}
		res[i].ID = t.id(seq)
		if errs := x.update(t, seq, as); len(errs) > 0 {
			res[i].Errors = errs
			continue
		}
		res[i].Success = true
	}
	finish(w, x, allOrNone, res)
	return nil
}

// collectionID resolves a record id inside a Collections request into a
// per-record error when bad.
func (s *Server) collectionID(t *table, id string) (int64, *recError) {
	prefix, seq, e := parseID(id)
	switch {
	case e == idMalformed:
		re := newRecError("MALFORMED_ID", "malformed id "+id)
		return 0, &re
	case t != nil && prefix != t.def.KeyPrefix:
		re := newRecError("MALFORMED_ID", fmt.Sprintf("%s ID: id value of incorrect type: %s", t.def.Label, id))
		return 0, &re
	}
	var r *record
	if e == idOK {
		r = t.rec(seq)
	}
	if r == nil {
		re := newRecError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
		return 0, &re
	}
	if r.deleted {
		re := newRecError("ENTITY_IS_DELETED", "entity is deleted")
		return 0, &re
	}
	return seq, nil
}

// tableForID finds the table of an id by its key prefix.
func (s *Server) tableForID(id string) *table {
	if len(id) < 3 {
		return nil
	}
	return s.byPrefix[id[:3]]
}

// collectionDelete serves DELETE /composite/sobjects?ids=…&allOrNone=.
func (s *Server) collectionDelete(w http.ResponseWriter, q *req) *restError {
	qs := q.r.URL.Query()
	var ids []string
	for _, id := range strings.Split(qs.Get("ids"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return newRESTError(http.StatusBadRequest, "MISSING_ARGUMENT", "The ids parameter is required")
	}
	if len(ids) > maxCollection {
		return errTooMany
	}
	allOrNone := strings.EqualFold(qs.Get("allOrNone"), "true")
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.begin(q.fault)
	res := make([]result, len(ids))
	for i, id := range ids {
		res[i].ID = id
		t := s.tableForID(id)
		if t == nil {
			res[i].Errors = []recError{newRecError("MALFORMED_ID", "malformed id "+id)}
			continue
		}
		seq, re := s.collectionID(t, id)
		if re != nil {
			res[i].Errors = []recError{*re}
			continue
		}
		res[i].ID = t.id(seq)
		if errs := x.remove(t, seq, false); len(errs) > 0 {
			res[i].Errors = errs
			continue
		}
		res[i].Success = true
	}
	finish(w, x, allOrNone, res)
	return nil
}

// collectionUpsert serves PATCH /composite/sobjects/{type}/{extField}.
func (s *Server) collectionUpsert(w http.ResponseWriter, q *req, object, field string) *restError {
	s.mu.RLock()
	t := s.table(object)
	s.mu.RUnlock()
	if t == nil {
		return errNotFound
	}
	f, fi, ok := extField(t, field)
	if !ok || f.Type == TypeID {
		return errNotFound
	}
	allOrNone, recs, tables, e := s.collectionBody(q)
	if e != nil {
		return e
	}
	for _, rt := range tables {
		if rt != t {
			return newRESTError(http.StatusBadRequest, "INVALID_TYPE",
				"All records in an upsert request must be of type "+t.def.Name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.begin(q.fault)
	res := make([]result, len(recs))
	seen := map[string]int{}
	keys := make([]string, len(recs))
	for i, rec := range recs {
		v, _ := rec.get(f.Name)
		cv, _ := coerce(f, v, false)
		keys[i], _ = cv.(string)
		if keys[i] != "" {
			seen[strings.ToLower(keys[i])]++
		}
	}
	for i, rec := range recs {
		key := keys[i]
		res[i].noID = true
		if key == "" {
			res[i].Errors = []recError{newRecError("MISSING_ARGUMENT", f.Name+" not specified", f.Name)}
			continue
		}
		if seen[strings.ToLower(key)] > 1 {
			res[i].Errors = []recError{newRecError("DUPLICATE_EXTERNAL_ID",
				fmt.Sprintf("Duplicate external id specified: %s", key), f.Name)}
			continue
		}
		as, errs, je := s.toAssigns(t, rec, assignOpts{})
		if je != nil {
			x.rollback()
			return je
		}
		if len(errs) > 0 {
			res[i].Errors = errs
			continue
		}
		matches := liveMatches(t, fi, key)
		switch len(matches) {
		case 0:
			seq, errs := x.insert(t, as)
			if len(errs) > 0 {
				res[i].Errors = errs
				continue
			}
			created := true
			res[i] = result{ID: t.id(seq), Success: true, Created: &created, inserted: true}
		case 1:
			created := false
			res[i].ID, res[i].noID, res[i].Created = t.id(matches[0]), false, &created
			if errs := x.update(t, matches[0], dropExt(as, fi)); len(errs) > 0 {
				res[i].Errors = errs
				continue
			}
			res[i].Success = true
		default:
			ids := make([]string, len(matches))
			for j, m := range matches {
				ids[j] = t.id(m)
			}
			res[i].Errors = []recError{newRecError("DUPLICATE_EXTERNAL_ID", fmt.Sprintf(
				"%s: more than one record found for external id field: [%s]", f.Name, strings.Join(ids, ", ")), f.Name)}
		}
	}
	finish(w, x, allOrNone, res)
	return nil
}

// collectionRetrieve serves GET /composite/sobjects/{type}?ids=&fields= and
// POST with {"ids":[…],"fields":[…]}.
func (s *Server) collectionRetrieve(w http.ResponseWriter, q *req, object string) *restError {
	s.mu.RLock()
	t := s.table(object)
	s.mu.RUnlock()
	if t == nil {
		return errNotFound
	}
	var ids, fields []string
	if q.method == http.MethodPost {
		body, e := readJSON(q.r)
		if e != nil {
			return e
		}
		b, _ := body.(obj)
		for _, k := range []string{"ids", "fields"} {
			v, _ := b.get(k)
			l, _ := v.([]any)
			for _, x := range l {
				if sx, ok := x.(string); ok {
					if k == "ids" {
						ids = append(ids, sx)
					} else {
						fields = append(fields, sx)
					}
				}
			}
		}
	} else {
		qs := q.r.URL.Query()
		ids = splitList(qs.Get("ids"))
		fields = splitList(qs.Get("fields"))
	}
	if len(ids) == 0 || len(fields) == 0 {
		return newRESTError(http.StatusBadRequest, "MISSING_ARGUMENT", "ids and fields are required")
	}
	if len(ids) > maxRetrieve {
		return newRESTError(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 2000 records into this call")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fi, e := fieldList(t, strings.Join(fields, ","))
	if e != nil {
		return e
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		seq, re := s.collectionID(t, id)
		if re != nil {
			if re.StatusCode == "MALFORMED_ID" {
				return newRESTError(http.StatusBadRequest, "MALFORMED_ID", re.Message)
			}
			continue
		}
		out[i] = s.render(t, seq, fi, q.ver)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
