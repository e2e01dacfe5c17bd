package zohotest

import (
	"net/http"
	"slices"
	"strings"
)

// deskField is a field of a Desk contact or account, as the fields
// metadata API describes it (GET /api/v1/organizationFields?module=). The
// API and its answer shape ({"data":[{"id","apiName","displayLabel",
// "type","maxLength","isMandatory","isCustomField","allowedValues"}]}) are
// not on the reference sheet: they follow Zoho's Desk OAS field schema and
// third-party connectors (unconfirmed).
type deskField struct {
	id        uint64
	API       string
	Label     string
	Type      string // Text, Email, Phone, URL, Textarea, LookUp, Picklist, Decimal, Number, Boolean, Date, DateTime
	Max       int    // longest text value (0: none)
	Mandatory bool
	Custom    bool
	Values    []string // Picklist values
	Lookup    string   // LookUp target kind ("accounts", "agents")
}

// deskStandardFields are the keys contacts and accounts accept on create
// and update (sheet §15.1, §15.2), with the lengths the sheet gives; the
// lengths it does not give (title, city, state, country, zip, code,
// industry, twitter, facebook, language, website) are 100 here, and
// description 65535 (unconfirmed).
func deskStandardFields(kind string) []*deskField {
	t := func(api string, max int) *deskField { return &deskField{API: api, Type: "Text", Max: max} }
	typed := func(api, typ string, max int) *deskField { return &deskField{API: api, Type: typ, Max: max} }
	switch kind {
	case deskContacts:
		last := t("lastName", 200)
		last.Mandatory = true
		return []*deskField{last, t("firstName", 40), typed("email", "Email", 255), typed("secondaryEmail", "Email", 255),
			typed("phone", "Phone", 50), typed("mobile", "Phone", 50), {API: "accountId", Type: "LookUp", Lookup: deskAccounts},
			{API: "ownerId", Type: "LookUp", Lookup: "agents"}, t("type", 100), t("title", 100),
			typed("description", "Textarea", 65535), t("street", 250), t("city", 100), t("state", 100), t("country", 100),
			t("zip", 100), t("twitter", 100), t("facebook", 100), t("language", 100)}
	case deskAccounts:
		name := t("accountName", 200)
		name.Mandatory = true
		return []*deskField{name, typed("email", "Email", 255), typed("website", "URL", 255), typed("phone", "Phone", 50),
			typed("fax", "Phone", 50), t("industry", 100), {API: "annualrevenue", Type: "Decimal"}, t("street", 250),
			t("city", 100), t("state", 100), t("code", 100), t("country", 100), typed("description", "Textarea", 65535),
			{API: "ownerId", Type: "LookUp", Lookup: "agents"}}
	}
	return nil
}

// deskFieldSet is the fields of one kind, standard then custom.
type deskFieldSet struct {
	list  []*deskField
	byAPI map[string]*deskField
}

func newDeskFieldSet(d *deskStore, kind string) *deskFieldSet {
	fs := &deskFieldSet{byAPI: map[string]*deskField{}}
	for _, f := range deskStandardFields(kind) {
		fs.add(d, f)
	}
	return fs
}

func (fs *deskFieldSet) add(d *deskStore, f *deskField) {
	f.id = d.fieldIDs.next()
	if f.Label == "" {
		f.Label = f.API
	}
	fs.list = append(fs.list, f)
	fs.byAPI[f.API] = f
}

// deskExtraKeys are keys a write may carry that the fields metadata does
// not list: the layout, SLAs of an account, and the deprecated
// customFields (refused: cf replaces it).
var deskExtraKeys = map[string]map[string]bool{
	deskContacts: {"layoutId": true, "cf": true},
	deskAccounts: {"layoutId": true, "cf": true, "associatedSLAIds": true},
}

// DeskField describes a custom field added with AddDeskField.
type DeskField struct {
	// APIName is the field's API name; it must start with "cf_".
	APIName string
	// Label is its display label (APIName when empty).
	Label string
	// Type is Text (default), Textarea, Email, Phone, URL, Picklist,
	// Number, Decimal, Boolean, Date or DateTime.
	Type string
	// MaxLength bounds text values (default 100, as the sheet gives for
	// custom field values).
	MaxLength int
	// Values are the values of a Picklist.
	Values []string
}

// AddDeskField adds a custom field to Desk contacts or accounts, as an
// admin would in Desk's setup; existing records get it empty, unless they
// hold a value under its name already (a state saved with the field and
// loaded into a server that lacks it: the field list is not saved).
// Values are written and read under "cf" (sheet §15.1).
func (s *Server) AddDeskField(kind string, f DeskField) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	kind = strings.ToLower(kind)
	fs := s.desk.fields[kind]
	switch {
	case fs == nil:
		return deskErr(http.StatusUnprocessableEntity, "INVALID_DATA", "custom fields are kept for contacts and accounts only, not "+kind)
	case !strings.HasPrefix(f.APIName, "cf_") || len(f.APIName) < 4:
		return deskErr(http.StatusUnprocessableEntity, "INVALID_DATA", "a custom field's API name starts with cf_: "+f.APIName)
	case fs.byAPI[f.APIName] != nil:
		return deskErr(http.StatusUnprocessableEntity, "INVALID_DATA", "field "+f.APIName+" already exists")
	}
	if f.Type == "" {
		f.Type = "Text"
	}
	if !slices.Contains([]string{"Text", "Textarea", "Email", "Phone", "URL", "Picklist", "Number", "Decimal", "Boolean",
		"Date", "DateTime"}, f.Type) {
		return deskErr(http.StatusUnprocessableEntity, "INVALID_DATA", "unknown field type "+f.Type)
	}
	max := f.MaxLength
	if max <= 0 && (f.Type == "Text" || f.Type == "Email" || f.Type == "Phone" || f.Type == "URL" || f.Type == "Picklist") {
		max = 100
	}
	fs.add(s.desk, &deskField{API: f.APIName, Label: f.Label, Type: f.Type, Max: max, Custom: true,
		Values: slices.Clone(f.Values)})
	for _, it := range s.desk.kinds[kind].items {
		cf, _ := it.f["cf"].(map[string]any)
		if cf == nil {
			cf = map[string]any{}
			it.f["cf"] = cf
		}
		if _, ok := cf[f.APIName]; !ok {
			cf[f.APIName] = nil
		}
	}
	return nil
}

// deskFieldsAnswer answers GET /api/v1/organizationFields?module=.
func (s *Server) deskFieldsAnswer(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "module" && k != "departmentId" {
			writeDeskError(w, deskErr(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY",
				"Extra query parameter '"+k+"' is present in the input."))
			return
		}
	}
	module := q.Get("module")
	if module == "" {
		writeDeskError(w, deskInvalid("module", "missing"))
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fs := s.desk.fields[module]
	if fs == nil {
		writeDeskError(w, deskInvalid("module", "invalid"))
		return
	}
	out := make([]map[string]any, 0, len(fs.list))
	for _, f := range fs.list {
		m := map[string]any{"id": fmtID(f.id), "apiName": f.API, "displayLabel": f.Label, "type": f.Type,
			"isMandatory": f.Mandatory, "isCustomField": f.Custom, "maxLength": nil}
		if f.Max > 0 {
			m["maxLength"] = f.Max
		}
		if f.Type == "Picklist" {
			m["allowedValues"] = f.Values
		}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}
