package sftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// jsonTypeName is how Salesforce's JSON parser names a field type in
// deserialization errors.
func jsonTypeName(f *Field) string {
	switch f.Type {
	case TypeInt:
		return "int"
	case TypeDouble, TypeCurrency, TypePercent:
		return "double"
	case TypeBoolean:
		return "boolean"
	case TypeDate:
		return "date"
	case TypeDateTime:
		return "datetime"
	}
	return "string"
}

func valueKind(v any) string {
	switch v.(type) {
	case string:
		return "VALUE_STRING"
	case json.Number:
		return "VALUE_NUMBER_INT"
	case bool:
		return "VALUE_TRUE"
	case obj:
		return "START_OBJECT"
	case []any:
		return "START_ARRAY"
	}
	return "VALUE_NULL"
}

// assignOpts says which members a JSON record may carry.
type assignOpts struct {
	allowID bool // Collections update: "id" names the record (dropped here)
}

// toAssigns turns one JSON record into assignments. Unknown fields and an Id
// on create are per-record errors; values of the wrong JSON type fail the
// whole request (JSON_PARSER_ERROR), as Salesforce's deserializer does.
func (s *Server) toAssigns(t *table, rec obj, o assignOpts) ([]assign, []recError, *restError) {
	var as []assign
	var errs []recError
	for _, m := range rec {
		if m.K == "attributes" {
			continue
		}
		if strings.EqualFold(m.K, "Id") {
			if o.allowID {
				continue
			}
			errs = append(errs, newRecError("INVALID_FIELD", "The Id field should not be specified in the sobject data."))
			continue
		}
		f, i, ok := t.def.field(m.K)
		if !ok {
			if pf, pi, ok := t.def.relation(m.K); ok {
				if po, isObj := m.V.(obj); isObj {
					a, e := s.parentAssign(pf, pi, po)
					if e != nil {
						errs = append(errs, *e)
					} else {
						as = append(as, a)
					}
					continue
				}
			}
			errs = append(errs, newRecError("INVALID_FIELD",
				fmt.Sprintf("No such column '%s' on sobject of type %s", m.K, t.def.Name)))
			continue
		}
		if _, isObj := m.V.(obj); isObj || isSlice(m.V) {
			return nil, nil, errJSON(fmt.Sprintf("Cannot deserialize instance of %s from %s value %s or request may be missing a required field",
				jsonTypeName(f), valueKind(m.V), "{"))
		}
		v, ok := coerce(f, m.V, false)
		if !ok {
			return nil, nil, errJSON(fmt.Sprintf("Cannot deserialize instance of %s from %s value %v or request may be missing a required field",
				jsonTypeName(f), valueKind(m.V), m.V))
		}
		as = append(as, assign{f: f, i: i, val: v})
	}
	return as, errs, nil
}

func isSlice(v any) bool { _, ok := v.([]any); return ok }

// parentAssign handles "Account": {"Zoho_Account_Id__c": "A-1"}.
func (s *Server) parentAssign(f *Field, i int, po obj) (assign, *recError) {
	target := f.ReferenceTo[0]
	if at, ok := po.get("attributes"); ok {
		if ao, ok := at.(obj); ok {
			if ty, ok := ao.get("type"); ok {
				target, _ = ty.(string)
			}
		}
	}
	pt := s.table(target)
	if pt == nil {
		e := newRecError("INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported.", target))
		return assign{}, &e
	}
	for _, m := range po {
		if m.K == "attributes" {
			continue
		}
		pf, pi, ok := pt.def.field(m.K)
		if !ok || !(pf.ExternalID || pf.IDLookup) || pf.Type == TypeID {
			e := newRecError("INVALID_FIELD", fmt.Sprintf("Field name provided, %s is not an External ID or indexed field for %s",
				m.K, pt.def.Name))
			return assign{}, &e
		}
		v, _ := coerce(pf, m.V, false)
		sv, _ := v.(string)
		return assign{f: f, i: i, parent: &parentRef{rel: f.RelationshipName, table: pt, field: pf, fi: pi, value: sv}}, nil
	}
	e := newRecError("INVALID_FIELD", "No external ID field provided for "+f.RelationshipName)
	return assign{}, &e
}

// attributes is a record's {"type","url"} member.
func attributes(t *table, id, ver string) obj {
	return obj{{"type", t.def.Name}, {"url", "/services/data/v" + ver + "/sobjects/" + t.def.Name + "/" + id}}
}

// render renders a record with the given fields (all when nil).
func (s *Server) render(t *table, seq int64, fields []int, ver string) obj {
	r := t.rec(seq)
	id := t.id(seq)
	out := obj{{"attributes", attributes(t, id, ver)}}
	if fields == nil {
		for i, f := range t.def.Fields {
			if i == 0 {
				out = append(out, kv{"Id", id})
				continue
			}
			out = append(out, kv{f.Name, jsonValue(f, r.get(i))})
		}
		return out
	}
	hasID := false
	for _, i := range fields {
		f := t.def.Fields[i]
		if i == 0 {
			out, hasID = append(out, kv{"Id", id}), true
			continue
		}
		out = append(out, kv{f.Name, jsonValue(f, r.get(i))})
	}
	if !hasID {
		out = append(out, kv{"Id", id})
	}
	return out
}

// lookupRecord parses an id from a URL for object t. Errors: 400
// MALFORMED_ID, 404 NOT_FOUND, 404 ENTITY_IS_DELETED.
func (s *Server) lookupRecord(t *table, id string, allowDeleted bool) (int64, *restError) {
	prefix, seq, e := parseID(id)
	switch {
	case e == idMalformed:
		return 0, newRESTError(http.StatusBadRequest, "MALFORMED_ID", "malformed id "+id)
	case prefix != t.def.KeyPrefix:
		return 0, newRESTError(http.StatusBadRequest, "MALFORMED_ID",
			fmt.Sprintf("%s ID: id value of incorrect type: %s", t.def.Label, id))
	case e == idForeign:
		return 0, errNotFound
	}
	r := t.rec(seq)
	if r == nil {
		return 0, errNotFound
	}
	if r.deleted && !allowDeleted {
		return 0, &restError{Status: http.StatusNotFound, Errors: []apiError{{Message: "entity is deleted",
			ErrorCode: "ENTITY_IS_DELETED", Fields: []string{}}}}
	}
	return seq, nil
}

// recordErrors turns per-record errors into a request-level 400.
func recordErrors(errs []recError) *restError {
	e := &restError{Status: http.StatusBadRequest}
	for _, x := range errs {
		e.Errors = append(e.Errors, apiError{Message: x.Message, ErrorCode: x.StatusCode, Fields: x.Fields})
	}
	return e
}

// fieldList parses ?fields=A,B into field indexes.
func fieldList(t *table, list string) ([]int, *restError) {
	if list == "" {
		return nil, nil
	}
	var out []int
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		_, i, ok := t.def.field(n)
		if !ok {
			return nil, newRESTError(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf(
				"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
				n, t.def.Name))
		}
		out = append(out, i)
	}
	return out, nil
}
