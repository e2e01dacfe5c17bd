package zql

import "strings"

// FieldType is the type of a Zoho field as far as querying is concerned. It
// decides which operators a field accepts and how literals are read.
type FieldType int

// The field types. Several Zoho data types share one FieldType; ParseFieldType
// maps Zoho's data_type names onto them.
const (
	TypeText        FieldType = iota // text, website, autonumber
	TypeNumber                       // integer, double, currency, percent, decimal, bigint
	TypeBool                         // boolean
	TypeDate                         // date (yyyy-MM-dd)
	TypeDateTime                     // datetime (yyyy-MM-ddTHH:mm:ss±HH:mm)
	TypeLookup                       // lookup: {"name","id"}
	TypeOwner                        // ownerlookup, userlookup: {"name","id","email"}
	TypePicklist                     // picklist
	TypeMultiSelect                  // multiselectpicklist: []string
	TypeEmail                        // email
	TypePhone                        // phone
	TypeTextArea                     // textarea (multi-line)
	TypeID                           // the record id: a 18–19 digit string compared as a number
)

var typeNames = [...]string{
	TypeText:        "text",
	TypeNumber:      "double",
	TypeBool:        "boolean",
	TypeDate:        "date",
	TypeDateTime:    "datetime",
	TypeLookup:      "lookup",
	TypeOwner:       "ownerlookup",
	TypePicklist:    "picklist",
	TypeMultiSelect: "multiselectpicklist",
	TypeEmail:       "email",
	TypePhone:       "phone",
	TypeTextArea:    "textarea",
	TypeID:          "bigint",
}

// String returns the Zoho data_type name used for the type in error details
// (expected_data_type), e.g. "datetime".
func (t FieldType) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// ParseFieldType maps a Zoho field-metadata data_type (GET
// /crm/v8/settings/fields) onto a FieldType. Unknown names map to TypeText
// with ok false.
func ParseFieldType(dataType string) (t FieldType, ok bool) {
	switch strings.ToLower(dataType) {
	case "text", "website", "autonumber", "formula":
		return TypeText, true
	case "textarea":
		return TypeTextArea, true
	case "integer", "double", "currency", "percent", "decimal", "bigint", "rollup_summary":
		return TypeNumber, true
	case "boolean":
		return TypeBool, true
	case "date":
		return TypeDate, true
	case "datetime":
		return TypeDateTime, true
	case "lookup":
		return TypeLookup, true
	case "ownerlookup", "userlookup":
		return TypeOwner, true
	case "picklist":
		return TypePicklist, true
	case "multiselectpicklist":
		return TypeMultiSelect, true
	case "email":
		return TypeEmail, true
	case "phone":
		return TypePhone, true
	}
	return TypeText, false
}

// isText reports whether t holds free text (compared case-insensitively,
// "contains" for search equals).
func (t FieldType) isText() bool {
	switch t {
	case TypeText, TypeEmail, TypePhone, TypeTextArea:
		return true
	}
	return false
}

// isOrdered reports whether t supports < <= > >= and between.
func (t FieldType) isOrdered() bool {
	switch t {
	case TypeNumber, TypeDate, TypeDateTime, TypeID:
		return true
	}
	return false
}

// Schema resolves field API names for Check. The emulator implements it from
// its field metadata.
//
// Field is called once per field reference during Check, never during Match.
// apiName is the name as the query spelled it; for COQL it may be a lookup
// path such as "Account_Name.Account_Name" or
// "Account_Name.Parent_Account.Account_Name", which the Schema resolves
// through the lookups' target modules. Field returns the canonical spelling
// of the name (or path), the field's type, and ok=false for an unknown field.
type Schema interface {
	Field(module, apiName string) (canonical string, t FieldType, ok bool)
}

// ModuleSchema is an optional upgrade of Schema: when the Schema passed to
// Query.Check implements it, an unknown module in FROM is reported as
// INVALID_MODULE, and the module name is replaced by its canonical spelling.
type ModuleSchema interface {
	Schema
	Module(name string) (canonical string, ok bool)
}

// Record is one record as Match and Sort see it. Value returns the value at a
// field path: nil, string, float64, int64, bool, time.Time,
// map[string]any for lookups and owners ({"name","id"}), or []string for
// multi-select picklists. Dates and datetimes may also be given as Zoho's
// strings ("2024-01-15", "2024-01-15T10:30:00+05:30"), and bigints and ids as
// decimal strings.
//
// For a dotted path the Record performs the join ("Account_Name.Industry" is
// the Industry of the account the record looks up). When Value returns nil
// for "L.key" and Value("L") is a map, the map's "key" entry is used, so
// "Owner.id" and "Account_Name.name" work on plain records.
type Record interface {
	Value(path string) any
}

// MapRecord is a Record over a JSON-like map. Value looks the path up as a
// whole key first, then walks dotted paths through nested maps.
type MapRecord map[string]any

// Value implements Record.
func (m MapRecord) Value(path string) any {
	if v, ok := m[path]; ok {
		return v
	}
	var cur any = map[string]any(m)
	for _, part := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[part]
	}
	return cur
}

// value reads path from r, falling back to the key of a lookup map for
// dotted paths the Record does not resolve itself.
func value(r Record, path string) any {
	v := r.Value(path)
	if v != nil {
		return v
	}
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return nil
	}
	if m, ok := value(r, path[:i]).(map[string]any); ok {
		return m[path[i+1:]]
	}
	return nil
}
