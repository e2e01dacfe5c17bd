package soql

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

// Schema resolves field paths for Check. The emulator implements it from
// its describe metadata.
type Schema interface {
	// Lookup resolves a field path on object ("Name", "Account.Name",
	// "Owner.Email", "Parent_Account__r.Name") case-insensitively and
	// returns the canonical path and the field's type; ok is false if the
	// path is unknown. Relationship segments use relationship names
	// (AccountId → Account, Foo__c → Foo__r). Check calls it once per field
	// reference, plus probes of "Rel.Id" to tell a bad relationship from a
	// bad field.
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
// and records each condition's field type. The first problem is returned as
// an *Error (INVALID_FIELD, INVALID_TYPE or INVALID_QUERY_FILTER_OPERATOR).
func (q *Query) Check(s Schema) error {
	return nil
}
