package soql

import (
	"fmt"
	"strings"
)

// FieldType is the SOQL-relevant type of a field, as the Schema reports it.
type FieldType int

// Field types. Map Salesforce describe types onto them: id and reference →
// TypeID; string, textarea, email, phone, url, picklist, combobox →
// TypeString; int, long, double, currency, percent → TypeNumber; boolean →
// TypeBool; date → TypeDate; datetime → TypeDateTime; multipicklist →
// TypeMultiPicklist; anything else → TypeAny.
const (
	TypeUnknown       FieldType = iota // not resolved yet (before Check)
	TypeString                         // text-like fields
	TypeNumber                         // numeric fields
	TypeBool                           // boolean
	TypeDate                           // date
	TypeDateTime                       // datetime
	TypeID                             // id and reference fields
	TypeMultiPicklist                  // multipicklist (values joined by ';')
	TypeAny                            // any other type; literals are not checked
)

// typeNames are the type names Salesforce uses in filter error messages.
var typeNames = [...]string{"unknown", "string", "double", "boolean", "date", "dateTime", "id", "string", "anyType"}

// String returns the Salesforce name of the type ("string", "double",
// "dateTime", ...).
func (t FieldType) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("FieldType(%d)", int(t))
}

// Schema resolves field paths for Check. The emulator implements it from
// its describe metadata.
type Schema interface {
	// Lookup resolves a field path on object ("Name", "Account.Name",
	// "Owner.Email", "Parent_Account__r.Name") case-insensitively and
	// returns the canonical path and the field's type; ok is false if the
	// path is unknown. Relationship segments use relationship names
	// (AccountId → Account, Foo__c → Foo__r). Check calls it once per field
	// reference and, only to word an error, with "Rel.Id" paths to tell a
	// bad relationship from a bad field. Check is single-threaded; Lookup
	// need not be safe for concurrent use unless Check is called
	// concurrently.
	Lookup(object, path string) (canonical string, t FieldType, ok bool)
}

// ObjectSchema is an optional interface of a Schema. When implemented,
// Check rejects unknown objects with INVALID_TYPE and canonicalizes
// Query.Object.
type ObjectSchema interface {
	// LookupObject resolves an object name case-insensitively.
	LookupObject(name string) (canonical string, ok bool)
}

// Check validates the query against s: the object (when s implements
// ObjectSchema), every field in SELECT, WHERE and ORDER BY, and the type of
// every WHERE literal. It rewrites the paths to their canonical spelling
// and records each condition's field type in Condition.Type. The first
// problem (the object first, then fields in source order) is returned as
// an *Error (INVALID_TYPE,
// INVALID_FIELD or INVALID_QUERY_FILTER_OPERATOR); the query may then be
// partly rewritten.
func (q *Query) Check(s Schema) error {
	if e := q.check(s); e != nil {
		return e
	}
	return nil
}

func (q *Query) check(s Schema) *Error {
	if os, ok := s.(ObjectSchema); ok {
		canon, ok := os.LookupObject(q.Object)
		if !ok {
			return q.errorAt(q.objectPos, "INVALID_TYPE", "sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.Object)
		}
		q.Object = canon
	}
	seen := make(map[string]bool, len(q.Fields))
	for i, f := range q.Fields {
		pos := at(q.fieldPos, i)
		canon, _, err := q.resolve(s, f, pos)
		if err != nil {
			return err
		}
		key := strings.ToLower(canon)
		if seen[key] {
			return q.errorAt(pos, "INVALID_FIELD", "duplicate field selected: %s", canon[strings.LastIndexByte(canon, '.')+1:])
		}
		seen[key] = true
		q.Fields[i] = canon
	}
	if q.Where != nil {
		if err := q.checkExpr(s, q.Where); err != nil {
			return err
		}
	}
	for i := range q.OrderBy {
		o := &q.OrderBy[i]
		canon, t, err := q.resolve(s, o.Field, o.pos)
		if err != nil {
			return err
		}
		if t == TypeMultiPicklist {
			return q.errorAt(o.pos, "INVALID_FIELD", "field '%s' can not be sorted in a query call", canon)
		}
		o.Field, o.Type = canon, t
	}
	return nil
}

func at(ps []int, i int) int {
	if i < len(ps) {
		return ps[i]
	}
	return 0
}

func (q *Query) errorAt(pos int, code, format string, args ...any) *Error {
	toks, _ := lex(q.src)
	return newError(q.src, toks, pos, code, fmt.Sprintf(format, args...))
}

// resolve looks path up, wording Salesforce's error when it is unknown.
func (q *Query) resolve(s Schema, path string, pos int) (string, FieldType, *Error) {
	if canon, t, ok := s.Lookup(q.Object, path); ok {
		return canon, t, nil
	}
	segs := strings.Split(path, ".")
	entity := q.Object
	for k := 1; k < len(segs); k++ {
		rel, _, ok := s.Lookup(q.Object, strings.Join(segs[:k], ".")+".Id")
		if !ok {
			return "", 0, q.errorAt(pos, "INVALID_FIELD", "Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", segs[k-1])
		}
		rel = strings.TrimSuffix(rel, ".Id")
		entity = rel[strings.LastIndexByte(rel, '.')+1:]
	}
	return "", 0, q.errorAt(pos, "INVALID_FIELD", "No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", segs[len(segs)-1], entity)
}

func (q *Query) checkExpr(s Schema, e Expr) *Error {
	switch x := e.(type) {
	case *And:
		for _, t := range x.Terms {
			if err := q.checkExpr(s, t); err != nil {
				return err
			}
		}
	case *Or:
		for _, t := range x.Terms {
			if err := q.checkExpr(s, t); err != nil {
				return err
			}
		}
	case *Not:
		return q.checkExpr(s, x.X)
	case *Condition:
		return q.checkCondition(s, x)
	}
	return nil
}

func (q *Query) checkCondition(s Schema, c *Condition) *Error {
	canon, t, err := q.resolve(s, c.Field, c.pos)
	if err != nil {
		return err
	}
	c.Field, c.Type = canon, t
	switch c.Op {
	case "INCLUDES", "EXCLUDES":
		if t != TypeMultiPicklist && t != TypeAny {
			return q.errorAt(c.pos, "INVALID_QUERY_FILTER_OPERATOR", "includes or excludes operator only valid on multipicklist field")
		}
	case "<", "<=", ">", ">=":
		if t == TypeMultiPicklist {
			return q.errorAt(c.pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on multipicklist field")
		}
	}
	for _, v := range c.Values {
		if !accepts(t, c.Op, v) {
			quoted := "should not be enclosed in quotes"
			if t == TypeString || t == TypeID || t == TypeMultiPicklist {
				quoted = "should be enclosed in quotes"
			}
			return q.errorAt(v.pos, "INVALID_FIELD", "value of filter criterion for field '%s' must be of type %s and %s", canon, t, quoted)
		}
		if t == TypeID && v.Kind == KindString && v.Str != "" && c.Op != "LIKE" && !validID(v.Str) {
			return q.errorAt(v.pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: %s", v.Str)
		}
	}
	return nil
}

// accepts reports whether a literal fits a field of type t under op.
func accepts(t FieldType, op string, v Value) bool {
	if v.Kind == KindNull || t == TypeAny || t == TypeUnknown {
		return true
	}
	if op == "LIKE" {
		// A LIKE pattern is always a string; only text fields take it.
		return v.Kind == KindString && (t == TypeString || t == TypeID || t == TypeMultiPicklist)
	}
	switch t {
	case TypeString, TypeID, TypeMultiPicklist:
		return v.Kind == KindString
	case TypeNumber:
		return v.Kind == KindNumber
	case TypeBool:
		return v.Kind == KindBool
	case TypeDate:
		return v.Kind == KindDate || v.Kind == KindRelative
	case TypeDateTime:
		return v.Kind == KindDateTime || v.Kind == KindRelative
	}
	return true
}

// validID reports whether s looks like a 15- or 18-character Salesforce id.
func validID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentPart(s[i]) || s[i] == '_' {
			return false
		}
	}
	return true
}
