package sftest

import (
	"fmt"
	"strings"
)

// Field types as describe reports them (lower case, as in the JSON).
const (
	TypeID            = "id"
	TypeReference     = "reference"
	TypeString        = "string"
	TypeTextArea      = "textarea"
	TypeEmail         = "email"
	TypePhone         = "phone"
	TypeURL           = "url"
	TypePicklist      = "picklist"
	TypeMultiPicklist = "multipicklist"
	TypeCombobox      = "combobox"
	TypeBoolean       = "boolean"
	TypeInt           = "int"
	TypeDouble        = "double"
	TypeCurrency      = "currency"
	TypePercent       = "percent"
	TypeDate          = "date"
	TypeDateTime      = "datetime"
)

// PicklistValue is one entry of a picklist field's picklistValues.
type PicklistValue struct {
	Value        string
	Label        string // defaults to Value
	Active       bool
	DefaultValue bool
}

// Field describes one field of an sObject the way describe reports it. Only
// Name and Type are required by AddField; the rest default sensibly
// (custom fields are nillable, createable and updateable).
type Field struct {
	Name              string // API name, e.g. "Region__c"
	Label             string
	Type              string // one of the Type… constants
	Length            int    // text types: maximum length
	Precision, Scale  int    // number types
	Nillable          bool
	Createable        bool
	Updateable        bool
	DefaultedOnCreate bool
	Calculated        bool
	AutoNumber        bool
	Unique            bool
	ExternalID        bool
	IDLookup          bool
	NameField         bool
	Custom            bool
	ReferenceTo       []string // reference fields: the parent objects
	RelationshipName  string   // reference fields: e.g. "Account" for AccountId
	// ChildRelationship is a custom reference field's relationship name on
	// the parent's side, for subqueries ("Invoices__r"); AddField derives
	// one from the child object's plural label when it is empty.
	ChildRelationship  string `json:",omitempty"`
	PicklistValues     []PicklistValue
	RestrictedPicklist bool
	DefaultValue       any
	// InlineHelpText is the field's help text ("" for none).
	InlineHelpText string `json:",omitempty"`
}

// isText reports whether values of the field are stored as strings.
func (f *Field) isText() bool {
	switch f.Type {
	case TypeString, TypeTextArea, TypeEmail, TypePhone, TypeURL, TypePicklist,
		TypeMultiPicklist, TypeCombobox, TypeID, TypeReference:
		return true
	}
	return false
}

// isNumber reports whether values of the field are JSON numbers.
func (f *Field) isNumber() bool {
	switch f.Type {
	case TypeInt, TypeDouble, TypeCurrency, TypePercent:
		return true
	}
	return false
}

// groupable is describe's groupable: text-like fields (not long text or
// multi-select picklists), ids, booleans and dates.
func (f *Field) groupable() bool {
	return f.isText() && f.Type != TypeTextArea && f.Type != TypeMultiPicklist || f.Type == TypeBoolean || f.Type == TypeDate
}

// aggregatable is describe's aggregatable: everything but long text and
// multi-select picklists.
func (f *Field) aggregatable() bool {
	return f.Type != TypeTextArea && f.Type != TypeMultiPicklist
}

// soapType is the describe soapType of the field.
func (f *Field) soapType() string {
	switch f.Type {
	case TypeID, TypeReference:
		return "tns:ID"
	case TypeBoolean:
		return "xsd:boolean"
	case TypeInt:
		return "xsd:int"
	case TypeDouble, TypeCurrency, TypePercent:
		return "xsd:double"
	case TypeDate:
		return "xsd:date"
	case TypeDateTime:
		return "xsd:dateTime"
	}
	return "xsd:string"
}

// defaultPicklist returns the picklist's default value or "".
func (f *Field) defaultPicklist() string {
	for _, p := range f.PicklistValues {
		if p.DefaultValue {
			return p.Value
		}
	}
	return ""
}

// picklistHas reports whether v is an active value (case-insensitive) and
// returns its canonical spelling.
func (f *Field) picklistHas(v string) (string, bool) {
	for _, p := range f.PicklistValues {
		if p.Active && strings.EqualFold(p.Value, v) {
			return p.Value, true
		}
	}
	return "", false
}

// objectDef is the schema of one sObject.
type objectDef struct {
	Name, Label, LabelPlural, KeyPrefix string
	Createable, Updateable, Deletable   bool
	Custom                              bool
	Fields                              []*Field
	byName                              map[string]int // lower-case field name → index
	byRel                               map[string]int // lower-case relationship name → index
}

// field returns the field named name (case-insensitive).
func (o *objectDef) field(name string) (*Field, int, bool) {
	i, ok := o.byName[strings.ToLower(name)]
	if !ok {
		return nil, -1, false
	}
	return o.Fields[i], i, true
}

// relation returns the reference field whose relationship is named rel.
func (o *objectDef) relation(rel string) (*Field, int, bool) {
	i, ok := o.byRel[strings.ToLower(rel)]
	if !ok {
		return nil, -1, false
	}
	return o.Fields[i], i, true
}

// addField appends f and indexes it.
func (o *objectDef) addField(f *Field) int {
	if f.Label == "" {
		f.Label = labelFor(f.Name)
	}
	for i := range f.PicklistValues {
		if f.PicklistValues[i].Label == "" {
			f.PicklistValues[i].Label = f.PicklistValues[i].Value
		}
	}
	i := len(o.Fields)
	o.Fields = append(o.Fields, f)
	o.byName[strings.ToLower(f.Name)] = i
	if f.RelationshipName != "" {
		o.byRel[strings.ToLower(f.RelationshipName)] = i
	}
	return i
}

// labelFor derives a label from an API name ("Zoho_Lead_Id__c" → "Zoho Lead Id").
func labelFor(name string) string {
	n := strings.TrimSuffix(name, "__c")
	n = strings.TrimSuffix(n, "Id")
	if n == "" {
		n = name
	}
	return strings.ReplaceAll(n, "_", " ")
}

// validateNewField checks a field passed to AddField and fills defaults.
func validateNewField(o *objectDef, f Field) (*Field, error) {
	if !strings.HasSuffix(f.Name, "__c") || len(f.Name) < 4 {
		return nil, fmt.Errorf("sftest: add field %s.%s: custom field names end in __c", o.Name, f.Name)
	}
	if _, _, ok := o.field(f.Name); ok {
		return nil, fmt.Errorf("sftest: add field %s.%s: field exists", o.Name, f.Name)
	}
	switch f.Type {
	case TypeString, TypeTextArea, TypeEmail, TypePhone, TypeURL, TypePicklist, TypeMultiPicklist,
		TypeCombobox, TypeBoolean, TypeInt, TypeDouble, TypeCurrency, TypePercent, TypeDate, TypeDateTime, TypeReference:
	default:
		return nil, fmt.Errorf("sftest: add field %s.%s: unsupported type %q", o.Name, f.Name, f.Type)
	}
	if f.Type == TypeReference {
		if len(f.ReferenceTo) == 0 {
			return nil, fmt.Errorf("sftest: add field %s.%s: reference needs ReferenceTo", o.Name, f.Name)
		}
		if f.RelationshipName == "" {
			f.RelationshipName = strings.TrimSuffix(f.Name, "__c") + "__r"
		}
	}
	nf := f
	nf.Custom = true
	if f.Type != TypeBoolean {
		nf.Nillable = true
	} else {
		nf.DefaultedOnCreate = true
		if nf.DefaultValue == nil {
			nf.DefaultValue = false
		}
	}
	nf.Createable, nf.Updateable = true, true
	if nf.Length == 0 {
		switch f.Type {
		case TypeString, TypeEmail, TypeURL, TypeCombobox:
			nf.Length = 255
		case TypePhone:
			nf.Length = 40
		case TypeTextArea:
			nf.Length = 32768
		case TypePicklist, TypeMultiPicklist:
			nf.Length = 255
		case TypeReference:
			nf.Length = 18
		}
	}
	if f.Type == TypeString && nf.Length > 255 {
		return nil, fmt.Errorf("sftest: add field %s.%s: text length %d > 255", o.Name, f.Name, nf.Length)
	}
	if nf.ExternalID {
		nf.IDLookup = true
	}
	return &nf, nil
}
