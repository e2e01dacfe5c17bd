package zql

import (
	"strings"
	"time"
)

// testField is one field of the in-test schema; target names the module a
// lookup points at.
type testField struct {
	name   string
	typ    FieldType
	target string
}

// testSchema is a small Zoho org: field names resolve case-insensitively and
// lookup paths resolve through the target module.
type testSchema map[string][]testField

var schema = testSchema{
	"Leads": {
		{name: "Last_Name", typ: TypeText},
		{name: "First_Name", typ: TypeText},
		{name: "Company", typ: TypeText},
		{name: "Email", typ: TypeEmail},
		{name: "Phone", typ: TypePhone},
		{name: "Description", typ: TypeTextArea},
		{name: "Lead_Status", typ: TypePicklist},
		{name: "Annual_Revenue", typ: TypeNumber},
		{name: "No_of_Employees", typ: TypeNumber},
		{name: "Email_Opt_Out", typ: TypeBool},
		{name: "Created_Time", typ: TypeDateTime},
		{name: "Modified_Time", typ: TypeDateTime},
		{name: "Owner", typ: TypeOwner, target: "users"},
		{name: "Tags", typ: TypeMultiSelect},
		{name: "id", typ: TypeID},
	},
	"Contacts": {
		{name: "Last_Name", typ: TypeText},
		{name: "Email", typ: TypeEmail},
		{name: "Date_of_Birth", typ: TypeDate},
		{name: "Modified_Time", typ: TypeDateTime},
		{name: "Account_Name", typ: TypeLookup, target: "Accounts"},
		{name: "Owner", typ: TypeOwner, target: "users"},
		{name: "id", typ: TypeID},
	},
	"Accounts": {
		{name: "Account_Name", typ: TypeText},
		{name: "Industry", typ: TypePicklist},
		{name: "Parent_Account", typ: TypeLookup, target: "Accounts"},
		{name: "Annual_Revenue", typ: TypeNumber},
		{name: "id", typ: TypeID},
	},
	"Deals": {
		{name: "Deal_Name", typ: TypeText},
		{name: "Stage", typ: TypePicklist},
		{name: "Amount", typ: TypeNumber},
		{name: "Closing_Date", typ: TypeDate},
		{name: "Account_Name", typ: TypeLookup, target: "Accounts"},
		{name: "id", typ: TypeID},
	},
	"users": {
		{name: "full_name", typ: TypeText},
		{name: "email", typ: TypeEmail},
		{name: "id", typ: TypeID},
	},
}

func (s testSchema) Field(module, path string) (string, FieldType, bool) {
	head, rest, dotted := strings.Cut(path, ".")
	for _, f := range s[module] {
		if !strings.EqualFold(f.name, head) {
			continue
		}
		if !dotted {
			return f.name, f.typ, true
		}
		if f.target == "" {
			return "", 0, false
		}
		c, t, ok := s.Field(f.target, rest)
		return f.name + "." + c, t, ok
	}
	return "", 0, false
}

func (s testSchema) Module(name string) (string, bool) {
	for m := range s {
		if strings.EqualFold(m, name) {
			return m, true
		}
	}
	return "", false
}

// plainSchema hides the Module method.
type plainSchema struct{ s testSchema }

func (p plainSchema) Field(module, path string) (string, FieldType, bool) {
	return p.s.Field(module, path)
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// rec builds a record from alternating keys and values.
func rec(kv ...any) MapRecord {
	m := MapRecord{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func lookup(id, name string) map[string]any { return map[string]any{"id": id, "name": name} }
