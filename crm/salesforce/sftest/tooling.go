package sftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/salesforce/soql"
)

// The Tooling API's CustomField (reference sheet §12): create a custom
// field with POST /tooling/sobjects/CustomField, read it back with GET
// /tooling/sobjects/CustomField/{id} or a Tooling query, update it with
// PATCH. Every custom field of the org is listed, the integration fields
// and those of AddField included.
//
// Not emulated: field-level security (§12.3). On a real org a field made
// through the Tooling API is visible to nobody until a permission set
// grants it; here the integration user sees it at once, in describe,
// queries and writes. Deleting a field is not emulated either.

// customFieldPrefix is the key prefix of CustomField metadata ids.
const customFieldPrefix = "00N"

// toolingField is the Tooling API's record of one custom field.
type toolingField struct {
	Seq      int64  `json:"seq"`
	Created  int64  `json:"created"`
	Modified int64  `json:"modified"`
	Desc     string `json:"description,omitempty"`
	// Metadata is the Metadata last written through the Tooling API (nil
	// for fields made otherwise); reads answer it over the field's own
	// properties.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// registerTooling gives a custom field its CustomField id (once), created
// at stamp. The caller holds s.mu.
func (s *Server) registerTooling(object string, f *Field, stamp msTime) *toolingField {
	key := object + "." + f.Name
	if tf := s.tooling[key]; tf != nil {
		return tf
	}
	s.toolingSeq++
	tf := &toolingField{Seq: s.toolingSeq, Created: int64(stamp), Modified: int64(stamp)}
	s.tooling[key] = tf
	return tf
}

// registerAllTooling registers the custom fields that have no CustomField
// id yet, in describeGlobal order, dated at the clock's last stamp (the
// clock does not move). The caller holds s.mu (or owns s).
func (s *Server) registerAllTooling() {
	for _, n := range s.order {
		for _, f := range s.table(n).def.Fields {
			if f.Custom {
				s.registerTooling(n, f, s.clock.last)
			}
		}
	}
}

// customFieldRow is one CustomField as the Tooling API shows it.
type customFieldRow struct {
	object string
	f      *Field
	tf     *toolingField
}

// customFields lists the org's custom fields in id order. The caller
// holds s.mu.
func (s *Server) customFields() []customFieldRow {
	var out []customFieldRow
	for _, n := range s.order {
		for _, f := range s.table(n).def.Fields {
			if tf := s.tooling[n+"."+f.Name]; f.Custom && tf != nil {
				out = append(out, customFieldRow{n, f, tf})
			}
		}
	}
	slices.SortFunc(out, func(a, b customFieldRow) int { return int(a.tf.Seq - b.tf.Seq) })
	return out
}

// toolingColumns are the CustomField fields a Tooling query may select, in
// the order a full read renders them.
var toolingColumns = []struct {
	name string
	t    soql.FieldType
}{
	{"Id", soql.TypeID}, {"TableEnumOrId", soql.TypeString}, {"EntityDefinitionId", soql.TypeString},
	{"DeveloperName", soql.TypeString}, {"NamespacePrefix", soql.TypeString}, {"Description", soql.TypeString},
	{"Length", soql.TypeNumber}, {"Precision", soql.TypeNumber}, {"Scale", soql.TypeNumber},
	{"RelationshipLabel", soql.TypeString}, {"InlineHelpText", soql.TypeString}, {"ManageableState", soql.TypeString},
	{"CreatedDate", soql.TypeDateTime}, {"CreatedById", soql.TypeID}, {"LastModifiedDate", soql.TypeDateTime},
	{"LastModifiedById", soql.TypeID}, {"FullName", soql.TypeString}, {"Metadata", soql.TypeAny},
}

// toolingSchema is the soql.Schema of Tooling queries: CustomField only.
type toolingSchema struct{}

// LookupObject implements soql.ObjectSchema.
func (toolingSchema) LookupObject(name string) (string, bool) {
	if strings.EqualFold(name, "CustomField") {
		return "CustomField", true
	}
	return "", false
}

// Lookup implements soql.Schema.
func (toolingSchema) Lookup(object, path string) (string, soql.FieldType, bool) {
	for _, c := range toolingColumns {
		if strings.EqualFold(c.name, path) {
			return c.name, c.t, true
		}
	}
	return "", 0, false
}

// toolingRow is a CustomField as a soql.Row, its values as soql expects
// them (times as time.Time).
type toolingRow map[string]any

// Value implements soql.Row.
func (r toolingRow) Value(path string) any {
	v := r[path]
	if ms, ok := v.(msTime); ok {
		return time.UnixMilli(int64(ms)).UTC()
	}
	return v
}

// toolingValues returns the CustomField's values by field name. The caller holds
// s.mu.
func (s *Server) toolingValues(c customFieldRow) toolingRow {
	f := c.f
	num := func(n int) any {
		if n == 0 {
			return nil
		}
		return float64(n)
	}
	user := s.userID()
	var length, precision, scale any
	switch {
	case f.isText() && f.Type != TypeReference && f.Type != TypePicklist && f.Type != TypeMultiPicklist:
		length = num(f.Length)
	case f.isNumber():
		precision, scale = num(f.Precision), float64(f.Scale)
	}
	var relLabel any
	if f.Type == TypeReference {
		relLabel = strings.ReplaceAll(strings.TrimSuffix(f.ChildRelationship, "__r"), "_", " ")
	}
	var desc, help any
	if c.tf.Desc != "" {
		desc = c.tf.Desc
	}
	if f.InlineHelpText != "" {
		help = f.InlineHelpText
	}
	return toolingRow{
		"Id": makeID(customFieldPrefix, c.tf.Seq), "TableEnumOrId": c.object, "EntityDefinitionId": c.object,
		"DeveloperName": strings.TrimSuffix(f.Name, "__c"), "NamespacePrefix": nil, "Description": desc,
		"Length": length, "Precision": precision, "Scale": scale, "RelationshipLabel": relLabel,
		"InlineHelpText": help, "ManageableState": "unmanaged",
		"CreatedDate": msTime(c.tf.Created), "CreatedById": user,
		"LastModifiedDate": msTime(c.tf.Modified), "LastModifiedById": user,
		"FullName": c.object + "." + f.Name, "Metadata": s.fieldMetadata(c),
	}
}

// renderTooling renders a CustomField with the given fields (all when
// nil).
func renderTooling(vals toolingRow, id string, fields []string, ver string) obj {
	out := obj{{"attributes", obj{{"type", "CustomField"}, {"url", "/services/data/v" + ver + "/tooling/sobjects/CustomField/" + id}}}}
	if fields == nil {
		for _, c := range toolingColumns {
			fields = append(fields, c.name)
		}
	}
	for _, n := range fields {
		v := vals[n]
		if ms, ok := v.(msTime); ok {
			v = formatMS(ms)
		}
		out = append(out, kv{n, v})
	}
	return out
}

// metadataType maps describe types to Metadata API field types.
func metadataType(f *Field) string {
	switch f.Type {
	case TypeString, TypeCombobox:
		return "Text"
	case TypeTextArea:
		if f.Length > 255 {
			return "LongTextArea"
		}
		return "TextArea"
	case TypeEmail:
		return "Email"
	case TypePhone:
		return "Phone"
	case TypeURL:
		return "Url"
	case TypePicklist:
		return "Picklist"
	case TypeMultiPicklist:
		return "MultiselectPicklist"
	case TypeBoolean:
		return "Checkbox"
	case TypeInt, TypeDouble:
		return "Number"
	case TypeCurrency:
		return "Currency"
	case TypePercent:
		return "Percent"
	case TypeDate:
		return "Date"
	case TypeDateTime:
		return "DateTime"
	case TypeReference:
		return "Lookup"
	}
	return "Text"
}

// fieldMetadata is the Metadata of a CustomField: what was written through
// the Tooling API, else the field's properties in the Metadata API's
// names (null where they do not apply).
func (s *Server) fieldMetadata(c customFieldRow) map[string]any {
	f := c.f
	md := map[string]any{
		"fullName": nil, "label": f.Label, "type": metadataType(f), "description": nil, "inlineHelpText": nil,
		"required": !f.Nillable && f.Type != TypeBoolean, "externalId": f.ExternalID, "unique": f.Unique,
		"caseSensitive": false, "length": nil, "precision": nil, "scale": nil, "visibleLines": nil,
		"defaultValue": nil, "referenceTo": nil, "relationshipName": nil, "relationshipLabel": nil,
		"deleteConstraint": nil, "valueSet": nil,
	}
	if c.tf.Desc != "" {
		md["description"] = c.tf.Desc
	}
	if f.InlineHelpText != "" {
		md["inlineHelpText"] = f.InlineHelpText
	}
	switch md["type"] {
	case "Text", "TextArea", "LongTextArea", "Email", "Phone", "Url":
		if f.Type == TypeString || f.Type == TypeTextArea {
			md["length"] = f.Length
		}
		if md["type"] == "LongTextArea" {
			md["visibleLines"] = 3
		}
	case "Number", "Currency", "Percent":
		md["precision"], md["scale"] = f.Precision, f.Scale
	case "Checkbox":
		def, _ := f.DefaultValue.(bool)
		md["defaultValue"] = strconv.FormatBool(def)
	case "Picklist", "MultiselectPicklist":
		var vals []map[string]any
		for _, p := range f.PicklistValues {
			vals = append(vals, map[string]any{"fullName": p.Value, "label": p.Label, "default": p.DefaultValue})
		}
		md["valueSet"] = map[string]any{"restricted": f.RestrictedPicklist,
			"valueSetDefinition": map[string]any{"sorted": false, "value": vals}}
		if md["type"] == "MultiselectPicklist" {
			md["visibleLines"] = 4
		}
	case "Lookup":
		md["referenceTo"] = f.ReferenceTo[0]
		rel := strings.TrimSuffix(f.ChildRelationship, "__r")
		md["relationshipName"], md["relationshipLabel"] = rel, strings.ReplaceAll(rel, "_", " ")
		md["deleteConstraint"] = "SetNull"
	}
	for k, v := range c.tf.Metadata {
		md[k] = v
	}
	return md
}

// serveTooling serves /tooling/query and /tooling/sobjects/CustomField.
func (s *Server) serveTooling(w http.ResponseWriter, q *req) *restError {
	p := q.parts[1:]
	switch {
	case len(p) == 1 && p[0] == "query":
		if q.method != http.MethodGet && q.method != http.MethodHead {
			return errMethod(q.method, "GET", "HEAD")
		}
		return s.toolingQuery(w, q)
	case len(p) >= 2 && p[0] == "sobjects" && strings.EqualFold(p[1], "CustomField"):
	default:
		return errNotFound
	}
	switch {
	case len(p) == 2 && q.method == http.MethodPost:
		return s.createCustomField(w, q)
	case len(p) == 2:
		return errMethod(q.method, "POST")
	case len(p) == 3 && (q.method == http.MethodGet || q.method == http.MethodHead):
		s.mu.RLock()
		defer s.mu.RUnlock()
		c, e := s.customFieldByID(p[2])
		if e != nil {
			return e
		}
		writeJSON(w, http.StatusOK, renderTooling(s.toolingValues(c), p[2], nil, q.ver))
		return nil
	case len(p) == 3 && q.method == http.MethodPatch:
		return s.updateCustomField(w, q, p[2])
	case len(p) == 3:
		return errMethod(q.method, "GET", "HEAD", "PATCH")
	}
	return errNotFound
}

// customFieldByID finds a CustomField by its 15- or 18-character id. The
// caller holds s.mu.
func (s *Server) customFieldByID(id string) (customFieldRow, *restError) {
	prefix, seq, e := parseID(id)
	if e != idOK || prefix != customFieldPrefix {
		return customFieldRow{}, errNotFound
	}
	for _, c := range s.customFields() {
		if c.tf.Seq == seq {
			return c, nil
		}
	}
	return customFieldRow{}, errNotFound
}

// fieldNamePattern is a valid custom field name without __c: a letter
// first, letters and digits, single underscores inside.
var fieldNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$`)

// maxFieldNameLength is the longest custom field name without __c
// (unconfirmed).
const maxFieldNameLength = 40

// toolingError is a 400 answer about one property. The texts and codes of
// the Tooling API's validation errors are unconfirmed (reference sheet
// §12.2) except where noted; each names the property it is about.
func toolingError(code, prop, format string, args ...any) *restError {
	var fields []string
	if prop != "" {
		fields = []string{prop}
	}
	return newRESTError(http.StatusBadRequest, code, fmt.Sprintf(format, args...), fields...)
}

// mdString, mdInt and mdBool read Metadata properties (absent: zero, false).
func mdString(md obj, k string) (string, *restError) {
	v, ok := md.get(k)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", toolingError("FIELD_INTEGRITY_EXCEPTION", k, "%s: expected a string", k)
	}
	return s, nil
}

func mdInt(md obj, k string) (int, bool, *restError) {
	v, ok := md.get(k)
	if !ok || v == nil {
		return 0, false, nil
	}
	var str string
	switch x := v.(type) {
	case json.Number:
		str = string(x)
	case string:
		str = x
	default:
		return 0, false, toolingError("FIELD_INTEGRITY_EXCEPTION", k, "%s: expected a number", k)
	}
	n, err := strconv.Atoi(str)
	if err != nil {
		return 0, false, toolingError("FIELD_INTEGRITY_EXCEPTION", k, "%s: expected a whole number, got %s", k, str)
	}
	return n, true, nil
}

func mdBool(md obj, k string) (bool, *restError) {
	v, ok := md.get(k)
	if !ok || v == nil {
		return false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, toolingError("FIELD_INTEGRITY_EXCEPTION", k, "%s: expected true or false", k)
}

// customFieldSpec turns a CustomField's FullName and Metadata into the
// field to add (reference sheet §12.1's table of types and their needs).
// The caller holds s.mu.
func (s *Server) customFieldSpec(full string, md obj) (*table, Field, map[string]any, *restError) {
	object, name, ok := strings.Cut(full, ".")
	if full == "" {
		return nil, Field{}, nil, toolingError("REQUIRED_FIELD_MISSING", "FullName", "Required fields are missing: [FullName]")
	}
	t := s.table(object)
	if !ok || t == nil {
		return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "FullName", "FullName: no such object in %s (expected Object.Field__c)", full)
	}
	base, ok := strings.CutSuffix(name, "__c")
	if !ok || !fieldNamePattern.MatchString(base) {
		// The UI's wording of this rule.
		return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "FullName", "The Field Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores. (%s)", name)
	}
	if len(base) > maxFieldNameLength {
		return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "FullName", "Field Name: data value too large: %s (max length=%d)", base, maxFieldNameLength)
	}
	if md == nil {
		return nil, Field{}, nil, toolingError("REQUIRED_FIELD_MISSING", "Metadata", "Required fields are missing: [Metadata]")
	}
	f := Field{Name: name}
	typ, e := mdString(md, "type")
	if e != nil {
		return nil, Field{}, nil, e
	}
	label, e := mdString(md, "label")
	if e != nil {
		return nil, Field{}, nil, e
	}
	if label == "" {
		return nil, Field{}, nil, toolingError("REQUIRED_FIELD_MISSING", "label", "Required fields are missing: [label]")
	}
	f.Label = label
	length, hasLength, e := mdInt(md, "length")
	if e != nil {
		return nil, Field{}, nil, e
	}
	precision, hasPrecision, e := mdInt(md, "precision")
	if e != nil {
		return nil, Field{}, nil, e
	}
	scale, _, e := mdInt(md, "scale")
	if e != nil {
		return nil, Field{}, nil, e
	}
	_, hasLines, e := mdInt(md, "visibleLines")
	if e != nil {
		return nil, Field{}, nil, e
	}
	need := func(prop string, ok bool) *restError {
		if ok {
			return nil
		}
		return toolingError("FIELD_INTEGRITY_EXCEPTION", prop, "%s: required for a field of type %s", prop, typ)
	}
	switch typ {
	case "Text":
		f.Type, f.Length = TypeString, length
		if e := need("length", hasLength); e != nil {
			return nil, Field{}, nil, e
		}
		if length < 1 || length > 255 {
			return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "length", "length: a Text field holds 1 to 255 characters, not %d", length)
		}
	case "TextArea":
		f.Type, f.Length = TypeTextArea, 255
	case "LongTextArea":
		f.Type, f.Length = TypeTextArea, length
		if e := need("length", hasLength); e != nil {
			return nil, Field{}, nil, e
		}
		if e := need("visibleLines", hasLines); e != nil {
			return nil, Field{}, nil, e
		}
		if length < 256 || length > 131072 {
			return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "length", "length: a Long Text Area field holds 256 to 131,072 characters, not %d", length)
		}
	case "Number", "Currency", "Percent":
		f.Type = map[string]string{"Number": TypeDouble, "Currency": TypeCurrency, "Percent": TypePercent}[typ]
		if e := need("precision", hasPrecision); e != nil {
			return nil, Field{}, nil, e
		}
		if precision < 1 || precision > 18 || scale < 0 || scale > precision {
			return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "precision", "precision: %d digits with %d decimals is outside 1 to 18 digits", precision, scale)
		}
		f.Precision, f.Scale = precision, scale
	case "Checkbox":
		f.Type = TypeBoolean
		def, e := mdBool(md, "defaultValue")
		if e != nil {
			return nil, Field{}, nil, e
		}
		f.DefaultValue = def
	case "Date", "DateTime", "Email", "Phone", "Url":
		f.Type = map[string]string{"Date": TypeDate, "DateTime": TypeDateTime, "Email": TypeEmail, "Phone": TypePhone, "Url": TypeURL}[typ]
		if typ == "Email" {
			f.Length = 80
		}
	case "Picklist", "MultiselectPicklist":
		f.Type = TypePicklist
		if typ == "MultiselectPicklist" {
			f.Type = TypeMultiPicklist
			if e := need("visibleLines", hasLines); e != nil {
				return nil, Field{}, nil, e
			}
		}
		vals, restricted, e := valueSet(md)
		if e != nil {
			return nil, Field{}, nil, e
		}
		f.PicklistValues, f.RestrictedPicklist = vals, restricted
	case "Lookup":
		f.Type = TypeReference
		to, e := mdString(md, "referenceTo")
		if e != nil {
			return nil, Field{}, nil, e
		}
		pt := s.table(to)
		if to == "" || pt == nil {
			return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "referenceTo", "referenceTo: no such object %q", to)
		}
		rel, e := mdString(md, "relationshipName")
		if e != nil {
			return nil, Field{}, nil, e
		}
		if e := need("relationshipName", rel != ""); e != nil {
			return nil, Field{}, nil, e
		}
		f.ReferenceTo, f.ChildRelationship = []string{pt.def.Name}, rel
	case "":
		return nil, Field{}, nil, toolingError("REQUIRED_FIELD_MISSING", "type", "Required fields are missing: [type]")
	default:
		return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "type", "type: bad value for restricted picklist field: %s", typ)
	}
	ext, e := mdBool(md, "externalId")
	if e != nil {
		return nil, Field{}, nil, e
	}
	uniq, e := mdBool(md, "unique")
	if e != nil {
		return nil, Field{}, nil, e
	}
	keyable := typ == "Text" || typ == "Number" || typ == "Email"
	if ext && !keyable {
		return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "externalId", "externalId: only Text, Number and Email fields can be external ids, not %s", typ)
	}
	if uniq && !keyable {
		return nil, Field{}, nil, toolingError("FIELD_INTEGRITY_EXCEPTION", "unique", "unique: only Text, Number and Email fields can be unique, not %s", typ)
	}
	f.ExternalID, f.Unique = ext, uniq
	help, e := mdString(md, "inlineHelpText")
	if e != nil {
		return nil, Field{}, nil, e
	}
	f.InlineHelpText = help
	raw, _ := jsonRoundTrip(md)
	return t, f, raw, nil
}

// valueSet reads a picklist's valueSet (the JSON mirror of the Metadata
// API's ValueSet; over Tooling REST unconfirmed).
func valueSet(md obj) ([]PicklistValue, bool, *restError) {
	bad := toolingError("FIELD_INTEGRITY_EXCEPTION", "valueSet", "valueSet: expected {\"valueSetDefinition\":{\"value\":[{\"fullName\":…,\"label\":…}]}}")
	v, ok := md.get("valueSet")
	if !ok || v == nil {
		return nil, false, toolingError("FIELD_INTEGRITY_EXCEPTION", "valueSet", "valueSet: required for a picklist field")
	}
	vs, ok := v.(obj)
	if !ok {
		return nil, false, bad
	}
	restricted, e := mdBool(vs, "restricted")
	if e != nil {
		return nil, false, e
	}
	def, ok := vs.get("valueSetDefinition")
	dobj, ok2 := def.(obj)
	if !ok || !ok2 {
		return nil, false, bad
	}
	list, _ := dobj.get("value")
	items, ok := list.([]any)
	if !ok || len(items) == 0 {
		return nil, false, bad
	}
	var out []PicklistValue
	for _, it := range items {
		io, ok := it.(obj)
		if !ok {
			return nil, false, bad
		}
		name, e := mdString(io, "fullName")
		if e != nil || name == "" {
			return nil, false, bad
		}
		label, _ := mdString(io, "label")
		isDef, _ := mdBool(io, "default")
		out = append(out, PicklistValue{Value: name, Label: label, Active: true, DefaultValue: isDef})
	}
	return out, restricted, nil
}

// jsonRoundTrip turns a decoded request value into plain maps and slices.
func jsonRoundTrip(v any) (map[string]any, error) {
	b, err := appendJSON(nil, v)
	if err != nil {
		return nil, fmt.Errorf("sftest: metadata: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("sftest: metadata: %w", err)
	}
	return m, nil
}

// readCustomField reads a CustomField request body: FullName and Metadata.
func readCustomField(q *req) (string, obj, string, *restError) {
	body, e := readJSON(q.r)
	if e != nil {
		return "", nil, "", e
	}
	rec, ok := body.(obj)
	if !ok {
		return "", nil, "", errJSON("Cannot deserialize instance of CustomField out of START_ARRAY token")
	}
	full, e := mdString(rec, "FullName")
	if e != nil {
		return "", nil, "", e
	}
	var md obj
	if v, ok := rec.get("Metadata"); ok && v != nil {
		if md, ok = v.(obj); !ok {
			return "", nil, "", toolingError("FIELD_INTEGRITY_EXCEPTION", "Metadata", "Metadata: expected an object")
		}
	}
	desc, e := mdString(md, "description")
	if e != nil {
		return "", nil, "", e
	}
	return full, md, desc, nil
}

// createCustomField serves POST /tooling/sobjects/CustomField: 201 (status
// unconfirmed) with {"id":"00N…","success":true,"errors":[]} as captured.
func (s *Server) createCustomField(w http.ResponseWriter, q *req) *restError {
	full, md, desc, e := readCustomField(q)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, f, raw, e := s.customFieldSpec(full, md)
	if e != nil {
		return e
	}
	if _, _, taken := t.def.field(f.Name); taken {
		// The message's start is quoted by clients; the code is unconfirmed.
		return toolingError("DUPLICATE_DEVELOPER_NAME", "FullName", "There is already a field named %s on %s.", strings.TrimSuffix(f.Name, "__c"), t.def.Name)
	}
	required, e := mdBool(md, "required")
	if e != nil {
		return e
	}
	nf, err := s.addField(t, f)
	if err != nil {
		return toolingError("FIELD_INTEGRITY_EXCEPTION", "Metadata", "%s", strings.TrimPrefix(err.Error(), "sftest: "))
	}
	if required && nf.Type != TypeBoolean {
		nf.Nillable = false
	}
	tf := s.tooling[t.def.Name+"."+nf.Name]
	tf.Desc, tf.Metadata = desc, raw
	id := makeID(customFieldPrefix, tf.Seq)
	w.Header().Set("Location", "/services/data/v"+q.ver+"/tooling/sobjects/CustomField/"+id)
	writeJSON(w, http.StatusCreated, obj{{"id", id}, {"success", true}, {"errors", []any{}}})
	return nil
}

// updateCustomField serves PATCH /tooling/sobjects/CustomField/{id} → 204:
// the Metadata replaces the field's properties (omitted ones reset, as the
// sheet warns; unconfirmed). The type, the name and the referenced object
// cannot change here.
func (s *Server) updateCustomField(w http.ResponseWriter, q *req, id string) *restError {
	full, md, desc, e := readCustomField(q)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.customFieldByID(id)
	if e != nil {
		return e
	}
	cur := c.object + "." + c.f.Name
	if full == "" {
		full = cur
	}
	if !strings.EqualFold(full, cur) {
		return toolingError("FIELD_INTEGRITY_EXCEPTION", "FullName", "FullName: renaming %s to %s is not supported by the emulator", cur, full)
	}
	if !c.f.Custom || isStandardCustom(c.object, c.f.Name) {
		return toolingError("FIELD_INTEGRITY_EXCEPTION", "FullName", "%s: the integration fields of the emulated org cannot be changed", cur)
	}
	_, f, raw, e := s.customFieldSpec(full, md)
	if e != nil {
		return e
	}
	if f.Type != c.f.Type || !slices.Equal(f.ReferenceTo, c.f.ReferenceTo) {
		return toolingError("FIELD_INTEGRITY_EXCEPTION", "type", "type: changing the type of %s is not supported by the emulator", cur)
	}
	required, e := mdBool(md, "required")
	if e != nil {
		return e
	}
	t := s.table(c.object)
	old := *c.f
	c.f.Label, c.f.Length, c.f.Precision, c.f.Scale = f.Label, f.Length, f.Precision, f.Scale
	c.f.PicklistValues, c.f.RestrictedPicklist, c.f.DefaultValue = f.PicklistValues, f.RestrictedPicklist, f.DefaultValue
	c.f.ExternalID, c.f.Unique, c.f.IDLookup = f.ExternalID, f.Unique, f.ExternalID
	c.f.InlineHelpText = f.InlineHelpText
	c.f.Nillable = !required || c.f.Type == TypeBoolean
	if f.ChildRelationship != "" && !strings.EqualFold(strings.TrimSuffix(f.ChildRelationship, "__r")+"__r", old.ChildRelationship) {
		c.f.ChildRelationship = ""
		probe := *c.f
		probe.ChildRelationship = f.ChildRelationship
		if err := s.nameChildRelationship(t.def, &probe); err != nil {
			*c.f = old
			return toolingError("FIELD_INTEGRITY_EXCEPTION", "relationshipName", "relationshipName: %v", err)
		}
		c.f.ChildRelationship = probe.ChildRelationship
	}
	t.reindexSchema()
	t.metaStamp = s.clock.tick()
	c.tf.Desc, c.tf.Metadata, c.tf.Modified = desc, raw, int64(t.metaStamp)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// toolingQuery serves GET /tooling/query?q=: SOQL over CustomField,
// answered in the Tooling envelope (size, totalSize, done, queryLocator,
// entityTypeName, records; one page).
func (s *Server) toolingQuery(w http.ResponseWriter, q *req) *restError {
	text := q.r.URL.Query().Get("q")
	if strings.TrimSpace(text) == "" {
		return newRESTError(http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
	}
	query, err := soql.Parse(text)
	if err != nil {
		return queryError(err)
	}
	if err := query.Check(toolingSchema{}); err != nil {
		return queryError(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.opts.Now()
	var rows []soql.Row
	for _, c := range s.customFields() {
		r := s.toolingValues(c)
		if query.Match(r, now) {
			rows = append(rows, r)
		}
	}
	envelope := func(n int, recs []obj) obj {
		return obj{{"size", n}, {"totalSize", n}, {"done", true}, {"queryLocator", nil},
			{"entityTypeName", "CustomField"}, {"records", recs}}
	}
	if query.CountOnly {
		writeJSON(w, http.StatusOK, envelope(len(rows), []obj{}))
		return nil
	}
	if query.IsAggregate() {
		groups := query.Aggregate(rows, now)
		recs := make([]obj, 0, len(groups))
		for _, g := range groups {
			o := obj{{"attributes", obj{{"type", "AggregateResult"}}}}
			for _, c := range query.Columns() {
				o = append(o, kv{c.Name, aggregateJSON(c.Item, nil, g.Value(c.Item.Key()))})
			}
			recs = append(recs, o)
		}
		writeJSON(w, http.StatusOK, envelope(len(recs), recs))
		return nil
	}
	query.Sort(rows)
	if query.Offset > 0 {
		rows = rows[min(query.Offset, len(rows)):]
	}
	if query.Limit >= 0 && len(rows) > query.Limit {
		rows = rows[:query.Limit]
	}
	if len(rows) > 1 && (slices.Contains(query.Fields, "Metadata") || slices.Contains(query.Fields, "FullName")) {
		// Text and code seen on the wire.
		return newRESTError(http.StatusBadRequest, "MALFORMED_QUERY", fmt.Sprintf("When retrieving results with Metadata or FullName fields, the query qualifications must specify no more than one row for retrieval. Result size: %d", len(rows)))
	}
	recs := make([]obj, 0, len(rows))
	for _, r := range rows {
		vals := r.(toolingRow)
		recs = append(recs, renderTooling(vals, vals["Id"].(string), query.Fields, q.ver))
	}
	writeJSON(w, http.StatusOK, envelope(len(recs), recs))
	return nil
}
