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

// Relationship is a child relationship of an object, as describe's
// childRelationships lists it.
type Relationship struct {
	// Name is the canonical relationship name ("Contacts", "Invoices__r").
	Name string
	// Child is the child object ("Contact").
	Child string
	// Field is the child's field that references the parent ("AccountId").
	Field string
}

// ChildSchema is an optional interface of a Schema. Check needs it for
// parent-to-child subqueries; without it every subquery names an unknown
// relationship.
type ChildSchema interface {
	// ChildRelationship resolves a child relationship of parent by name,
	// case-insensitively. ok is false for an unknown name (a relationship
	// whose relationshipName is null cannot be queried).
	ChildRelationship(parent, name string) (rel Relationship, ok bool)
	// SubqueryDepth is how deep parent-to-child subqueries may nest: 1 up
	// to API v57.0, 5 from v58.0 (reference sheet §10.1).
	SubqueryDepth() int
}

// FieldInfo is what aggregate checks need to know of a field beyond its
// type, from describe.
type FieldInfo struct {
	// Groupable is describe's groupable: the field may be a GROUP BY key.
	Groupable bool
	// Aggregatable is describe's aggregatable: the field may be an
	// aggregate function's argument.
	Aggregatable bool
	// Picklist lists a picklist's values in their order, which MIN and MAX
	// follow; nil for other fields.
	Picklist []string
}

// FieldInfoSchema is an optional interface of a Schema. Without it every
// field counts as groupable and aggregatable.
type FieldInfoSchema interface {
	// FieldInfo describes the field at a canonical path.
	FieldInfo(object, path string) FieldInfo
}

// Statement limits (reference sheet §10.1, §10.2).
const (
	maxSubqueries  = 20 // parent-to-child subqueries per statement
	maxSemiJoins   = 2  // semi-joins and anti-joins per statement
	defaultSubNest = 5  // subquery nesting when the schema does not say
)

// semiJoinRefused are the objects a semi-join's subquery may not select
// from (§10.2: Task, Event and other activity objects, Note, Attachment).
var semiJoinRefused = map[string]bool{"Task": true, "Event": true, "Note": true, "Attachment": true,
	"ActivityHistory": true, "OpenActivity": true}

// Check validates the query against s: the object (when s implements
// ObjectSchema), every field in SELECT, WHERE, GROUP BY, HAVING and ORDER
// BY, the type of every literal, parent-to-child subqueries (with
// ChildSchema), semi-joins and anti-joins, and the rules of aggregate
// queries. It rewrites the paths to their canonical spelling and records
// each item's and condition's type. The first problem (the object first,
// then the clauses in source order) is returned as an *Error (INVALID_TYPE,
// INVALID_FIELD, INVALID_QUERY_FILTER_OPERATOR or MALFORMED_QUERY); the
// query may then be partly rewritten.
func (q *Query) Check(s Schema) error {
	c := &checker{s: s, root: q}
	if e := c.query(q, modeRoot, "", 1, 0); e != nil {
		return e
	}
	return nil
}

// checker carries the statement-wide state of Check.
type checker struct {
	s          Schema
	root       *Query
	subqueries int
	semiJoins  int
}

func (c *checker) errorAt(pos int, code, format string, args ...any) *Error {
	return c.root.errorAt(pos, code, format, args...)
}

// exprCtx says where an expression stands.
type exprCtx struct {
	m        mode
	having   bool
	underOr  bool
	underNot bool
}

// query checks q. parent is the object of the enclosing query (for
// subqueries), depth the subquery level (1 for the root), pos where q
// begins in the source (for subquery errors).
func (c *checker) query(q *Query, m mode, parent string, depth, pos int) *Error {
	if e := c.object(q, m, parent, depth, pos); e != nil {
		return e
	}
	if len(q.Items) == 0 && len(q.Fields) > 0 {
		q.Items = q.items()
	}
	if q.CountOnly && m != modeRoot {
		return c.errorAt(q.objectPos, "MALFORMED_QUERY", "only root queries support aggregate expressions")
	}
	seen := map[string]bool{}
	q.Fields = q.Fields[:0]
	for i := range q.Items {
		it := &q.Items[i]
		switch it.Kind {
		case ItemField:
			canon, t, err := c.resolve(q, it.Field, it.pos)
			if err != nil {
				return err
			}
			key := strings.ToLower(canon)
			if seen[key] {
				return c.errorAt(it.pos, "INVALID_FIELD", "duplicate field selected: %s", canon[strings.LastIndexByte(canon, '.')+1:])
			}
			seen[key] = true
			it.Field, it.Type = canon, t
			q.Fields = append(q.Fields, canon)
		case ItemFunc:
			if it.IsAggregate() && m != modeRoot {
				return c.errorAt(it.pos, "MALFORMED_QUERY", "only root queries support aggregate expressions")
			}
			if err := c.function(q, it); err != nil {
				return err
			}
		case ItemSubquery:
			if it.Sub == nil {
				return c.errorAt(it.pos, "MALFORMED_QUERY", "unexpected token: '('")
			}
			if err := c.query(it.Sub, modeChild, q.Object, depth+1, it.pos); err != nil {
				return err
			}
			key := "(" + strings.ToLower(it.Sub.Relationship)
			if seen[key] {
				// The text of this error is unconfirmed.
				return c.errorAt(it.pos, "INVALID_FIELD", "duplicate field selected: %s", it.Sub.Relationship)
			}
			seen[key] = true
		}
	}
	if q.Where != nil {
		if err := c.expr(q, q.Where, exprCtx{m: m}); err != nil {
			return err
		}
	}
	for i := range q.GroupBy {
		g := &q.GroupBy[i]
		if m != modeRoot {
			// Whether a subquery's GROUP BY gets this text is unconfirmed.
			return c.errorAt(g.pos, "MALFORMED_QUERY", "only root queries support aggregate expressions")
		}
		if g.Kind == ItemFunc {
			if g.IsAggregate() {
				// The text of this error is unconfirmed.
				return c.errorAt(g.pos, "MALFORMED_QUERY", "Grouped field should not be aggregated: %s", g.Key())
			}
			if err := c.function(q, g); err != nil {
				return err
			}
			continue
		}
		canon, t, err := c.resolve(q, g.Field, g.pos)
		if err != nil {
			return err
		}
		g.Field, g.Type = canon, t
		if !c.info(q.Object, canon).Groupable {
			// Text seen on the wire; the code is unconfirmed.
			return c.errorAt(g.pos, "MALFORMED_QUERY", "field '%s' can not be grouped in a query call", canon)
		}
	}
	if q.Having != nil {
		if m != modeRoot {
			return c.errorAt(q.objectPos, "MALFORMED_QUERY", "only root queries support aggregate expressions")
		}
		if err := c.expr(q, q.Having, exprCtx{m: m, having: true}); err != nil {
			return err
		}
	}
	for i := range q.OrderBy {
		o := &q.OrderBy[i]
		if o.Func != "" {
			if aggregateFuncs[o.Func] && m != modeRoot {
				return c.errorAt(o.pos, "MALFORMED_QUERY", "only root queries support aggregate expressions")
			}
			it := Item{Kind: ItemFunc, Func: o.Func, Field: o.Field, pos: o.pos, argPos: o.pos}
			if err := c.function(q, &it); err != nil {
				return err
			}
			o.Field, o.Type = it.Field, funcType(it.Func, it.Type)
			continue
		}
		canon, t, err := c.resolve(q, o.Field, o.pos)
		if err != nil {
			return err
		}
		if t == TypeMultiPicklist {
			return c.errorAt(o.pos, "INVALID_FIELD", "field '%s' can not be sorted in a query call", canon)
		}
		o.Field, o.Type = canon, t
	}
	return c.aggregateRules(q)
}

// object resolves the FROM of q: an object, or for a parent-to-child
// subquery a child relationship of parent.
func (c *checker) object(q *Query, m mode, parent string, depth, pos int) *Error {
	if m == modeChild {
		cs, ok := c.s.(ChildSchema)
		var rel Relationship
		if ok {
			rel, ok = cs.ChildRelationship(parent, q.from())
		}
		if !ok {
			// The text is the one clients quote; the errorCode is
			// unconfirmed (INVALID_TYPE, as for an unknown object).
			return c.errorAt(q.objectPos, "INVALID_TYPE", "Didn't understand relationship '%s' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", q.from())
		}
		q.Relationship, q.Object, q.JoinField = rel.Name, rel.Child, rel.Field
		maxDepth := cs.SubqueryDepth()
		if maxDepth <= 0 {
			maxDepth = defaultSubNest
		}
		if depth-1 > maxDepth {
			// Seen on the wire for one level (up to v57.0); the wording for
			// five levels is extrapolated.
			levels := "1 level"
			if maxDepth > 1 {
				levels = fmt.Sprintf("%d levels", maxDepth)
			}
			return c.errorAt(pos, "MALFORMED_QUERY", "SOQL statements cannot query aggregate relationships more than %s away from the root entity object.", levels)
		}
		if c.subqueries++; c.subqueries > maxSubqueries {
			// The limit is documented; the text is unconfirmed.
			return c.errorAt(pos, "MALFORMED_QUERY", "SOQL statements cannot query more than %d aggregate relationships", maxSubqueries)
		}
		return nil
	}
	if os, ok := c.s.(ObjectSchema); ok {
		canon, ok := os.LookupObject(q.Object)
		if !ok {
			return c.errorAt(q.objectPos, "INVALID_TYPE", "sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.Object)
		}
		q.Object = canon
	}
	if m == modeSemi {
		if strings.EqualFold(q.Object, parent) {
			return c.errorAt(q.objectPos, "MALFORMED_QUERY", "The inner and outer selects should not be on the same object type")
		}
		if semiJoinRefused[q.Object] {
			return c.errorAt(q.objectPos, "MALFORMED_QUERY", "Entity '%s' is not supported for semi join inner selects", q.Object)
		}
	}
	return nil
}

// info returns the FieldInfo of a canonical path (everything allowed
// without a FieldInfoSchema).
func (c *checker) info(object, path string) FieldInfo {
	if fs, ok := c.s.(FieldInfoSchema); ok {
		return fs.FieldInfo(object, path)
	}
	return FieldInfo{Groupable: true, Aggregatable: true}
}

// function resolves a function's argument and checks that the function
// applies to it.
func (c *checker) function(q *Query, it *Item) *Error {
	canon, t, err := c.resolve(q, it.Field, it.argPos)
	if err != nil {
		return err
	}
	it.Field, it.Type = canon, t
	if dateFuncs[it.Func] {
		ok := t == TypeDate || t == TypeDateTime || t == TypeAny
		if it.Func == "DAY_ONLY" || it.Func == "HOUR_IN_DAY" {
			ok = t == TypeDateTime || t == TypeAny
		}
		if !ok {
			// The text of this error is unconfirmed.
			return c.errorAt(it.argPos, "MALFORMED_QUERY", "field %s does not support date function %s", canon, it.Func)
		}
		return nil
	}
	info := c.info(q.Object, canon)
	ok := info.Aggregatable && t != TypeBool && t != TypeMultiPicklist
	if it.Func == "SUM" || it.Func == "AVG" {
		ok = ok && (t == TypeNumber || t == TypeAny)
	}
	if !ok {
		// Text and code seen on the wire. That booleans refuse every
		// aggregate (COUNT too) was observed by a third party.
		return c.errorAt(it.argPos, "MALFORMED_QUERY", "field %s does not support aggregate operator %s", canon, it.Func)
	}
	if (it.Func == "MIN" || it.Func == "MAX") && len(info.Picklist) > 0 {
		it.picklist = make(map[string]int, len(info.Picklist))
		for i, v := range info.Picklist {
			it.picklist[strings.ToLower(v)] = i
		}
	}
	return nil
}

// aggregateRules checks the rules of aggregate queries (reference sheet
// §10.3): grouped or aggregated fields, aliases on aggregates only, ORDER
// BY on groups.
func (c *checker) aggregateRules(q *Query) *Error {
	grouped := map[string]bool{}
	for _, g := range q.GroupBy {
		grouped[strings.ToLower(g.Key())] = true
	}
	agg := q.IsAggregate()
	if agg && q.CountOnly {
		// The text of this error is unconfirmed.
		return c.errorAt(q.objectPos, "MALFORMED_QUERY", "COUNT() and GROUP BY cannot be used together")
	}
	aliases := map[string]bool{}
	for _, it := range q.Items {
		if it.Alias != "" {
			if !agg || it.Kind != ItemFunc {
				return c.errorAt(it.pos, "MALFORMED_QUERY", "only aggregate expressions use field aliasing")
			}
			if k := strings.ToLower(it.Alias); aliases[k] {
				// The text of this error is unconfirmed.
				return c.errorAt(it.pos, "MALFORMED_QUERY", "duplicate alias: %s", it.Alias)
			} else {
				aliases[k] = true
			}
		}
		switch {
		case it.Kind == ItemSubquery && agg:
			// The text of this error is unconfirmed.
			return c.errorAt(it.pos, "MALFORMED_QUERY", "Field must be grouped or aggregated: %s", it.Key())
		case it.Kind == ItemField && agg, it.Kind == ItemFunc && !it.IsAggregate():
			if !grouped[strings.ToLower(it.Key())] {
				return c.errorAt(it.pos, "MALFORMED_QUERY", "Field must be grouped or aggregated: %s", it.Key())
			}
		}
	}
	for _, o := range q.OrderBy {
		if !agg && o.Func == "" || aggregateFuncs[o.Func] {
			continue
		}
		if !grouped[strings.ToLower(o.Key())] {
			// The text of this error is unconfirmed.
			return c.errorAt(o.pos, "MALFORMED_QUERY", "Ordered field must be grouped or aggregated: %s", o.Key())
		}
	}
	if q.Having != nil {
		if err := c.havingGrouped(q.Having, grouped); err != nil {
			return err
		}
	}
	return nil
}

// havingGrouped checks that HAVING names only groups and aggregates.
func (c *checker) havingGrouped(e Expr, grouped map[string]bool) *Error {
	for _, x := range Conditions(e) {
		if !aggregateFuncs[x.Func] && !grouped[strings.ToLower(x.Key())] {
			// The text of this error is unconfirmed.
			return c.errorAt(x.pos, "MALFORMED_QUERY", "Field must be grouped or aggregated: %s", x.Key())
		}
	}
	return nil
}

// IsAggregate reports whether q is an aggregate query: it has an
// aggregate function (in SELECT, HAVING or ORDER BY), a GROUP BY or a
// HAVING clause. SELECT COUNT() is not one: it answers with totalSize.
func (q *Query) IsAggregate() bool {
	if len(q.GroupBy) > 0 || q.Having != nil {
		return true
	}
	for _, it := range q.Items {
		if it.IsAggregate() {
			return true
		}
	}
	for _, o := range q.OrderBy {
		if aggregateFuncs[o.Func] {
			return true
		}
	}
	return false
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

// resolve looks path up on q's object, wording Salesforce's error when it
// is unknown.
func (c *checker) resolve(q *Query, path string, pos int) (string, FieldType, *Error) {
	s := c.s
	if canon, t, ok := s.Lookup(q.Object, path); ok {
		return canon, t, nil
	}
	segs := strings.Split(path, ".")
	entity := q.Object
	for k := 1; k < len(segs); k++ {
		rel, _, ok := s.Lookup(q.Object, strings.Join(segs[:k], ".")+".Id")
		if !ok {
			return "", 0, c.errorAt(pos, "INVALID_FIELD", "Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", segs[k-1])
		}
		rel = strings.TrimSuffix(rel, ".Id")
		entity = rel[strings.LastIndexByte(rel, '.')+1:]
	}
	return "", 0, c.errorAt(pos, "INVALID_FIELD", "No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", segs[len(segs)-1], entity)
}

func (c *checker) expr(q *Query, e Expr, ctx exprCtx) *Error {
	switch x := e.(type) {
	case *And:
		for _, t := range x.Terms {
			if err := c.expr(q, t, ctx); err != nil {
				return err
			}
		}
	case *Or:
		inner := ctx
		inner.underOr = true
		for _, t := range x.Terms {
			if err := c.expr(q, t, inner); err != nil {
				return err
			}
		}
	case *Not:
		inner := ctx
		inner.underNot = true
		return c.expr(q, x.X, inner)
	case *Condition:
		return c.condition(q, x, ctx)
	}
	return nil
}

func (c *checker) condition(q *Query, x *Condition, ctx exprCtx) *Error {
	if x.Sub != nil {
		return c.semiJoin(q, x, ctx)
	}
	var canon string
	var t FieldType
	if x.Func != "" {
		if aggregateFuncs[x.Func] && !ctx.having {
			// The text of this error is unconfirmed.
			return c.errorAt(x.pos, "MALFORMED_QUERY", "Aggregate functions are not supported in the WHERE clause")
		}
		it := Item{Kind: ItemFunc, Func: x.Func, Field: x.Field, pos: x.pos, argPos: x.pos}
		if err := c.function(q, &it); err != nil {
			return err
		}
		canon, t = it.Func+"("+it.Field+")", funcType(it.Func, it.Type)
		x.Field = it.Field
	} else {
		var err *Error
		canon, t, err = c.resolve(q, x.Field, x.pos)
		if err != nil {
			return err
		}
		x.Field = canon
	}
	x.Type = t
	switch x.Op {
	case "INCLUDES", "EXCLUDES":
		if t != TypeMultiPicklist && t != TypeAny {
			return c.errorAt(x.pos, "INVALID_QUERY_FILTER_OPERATOR", "includes or excludes operator only valid on multipicklist field")
		}
	case "<", "<=", ">", ">=":
		if t == TypeMultiPicklist {
			return c.errorAt(x.pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on multipicklist field")
		}
	}
	for _, v := range x.Values {
		if !accepts(t, x.Op, v) {
			quoted := "should not be enclosed in quotes"
			if t == TypeString || t == TypeID || t == TypeMultiPicklist {
				quoted = "should be enclosed in quotes"
			}
			return c.errorAt(v.pos, "INVALID_FIELD", "value of filter criterion for field '%s' must be of type %s and %s", canon, t, quoted)
		}
		if t == TypeID && v.Kind == KindString && v.Str != "" && x.Op != "LIKE" && !validID(v.Str) {
			return c.errorAt(v.pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: %s", v.Str)
		}
	}
	return nil
}

// semiJoin checks a semi-join or anti-join (reference sheet §10.2). Texts
// marked "seen" were seen on the wire; the others are unconfirmed.
func (c *checker) semiJoin(q *Query, x *Condition, ctx exprCtx) *Error {
	switch {
	case ctx.m == modeSemi: // seen
		return c.errorAt(x.pos, "MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported")
	case ctx.having:
		return c.errorAt(x.pos, "MALFORMED_QUERY", "Semi join sub-selects are not allowed in the HAVING clause")
	case ctx.underOr: // seen
		return c.errorAt(x.pos, "MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'OR' operator")
	case ctx.underNot:
		return c.errorAt(x.pos, "MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'NOT' operator")
	case x.Func != "":
		return c.errorAt(x.pos, "MALFORMED_QUERY", "semi join sub selects can only be used on id fields, cannot use: '%s'", x.Key())
	}
	if c.semiJoins++; c.semiJoins > maxSemiJoins {
		return c.errorAt(x.pos, "MALFORMED_QUERY", "Maximum of %d semi join sub-selects are allowed", maxSemiJoins)
	}
	canon, t, err := c.resolve(q, x.Field, x.pos)
	if err != nil {
		return err
	}
	if t != TypeID && t != TypeAny || strings.Contains(canon, ".") {
		return c.errorAt(x.pos, "MALFORMED_QUERY", "semi join sub selects can only be used on id fields, cannot use: '%s'", x.Field)
	}
	x.Field, x.Type = canon, TypeID
	sub := x.Sub
	if err := c.object(sub, modeSemi, q.Object, 1, x.pos); err != nil {
		return err
	}
	if len(sub.Items) == 0 && len(sub.Fields) > 0 {
		sub.Items = sub.items()
	}
	if len(sub.Items) != 1 || sub.Items[0].Kind != ItemField || sub.CountOnly {
		return c.errorAt(sub.objectPos, "MALFORMED_QUERY", "semi join sub selects can only query one id field")
	}
	it := &sub.Items[0]
	if strings.Contains(it.Field, ".") {
		// Seen on the wire (for a one-hop path).
		return c.errorAt(it.pos, "MALFORMED_QUERY", "inner select field cannot have more than one level of relationships")
	}
	icanon, it2, err := c.resolve(sub, it.Field, it.pos)
	if err != nil {
		return err
	}
	if it2 != TypeID && it2 != TypeAny { // seen
		return c.errorAt(it.pos, "MALFORMED_QUERY", "semi join sub selects can only query id fields, cannot use: '%s'", it.Field)
	}
	it.Field, it.Type = icanon, TypeID
	sub.Fields = []string{icanon}
	if sub.Where != nil {
		return c.expr(sub, sub.Where, exprCtx{m: modeSemi})
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
