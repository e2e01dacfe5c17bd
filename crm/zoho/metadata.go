package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Module is one entry of the modules API (GET /crm/v8/settings/modules).
type Module struct {
	APIName       string `json:"api_name"`
	ModuleName    string `json:"module_name"`
	SingularLabel string `json:"singular_label"`
	PluralLabel   string `json:"plural_label"`
	ID            string `json:"id"`
	APISupported  bool   `json:"api_supported"`
	Creatable     bool   `json:"creatable"`
	Editable      bool   `json:"editable"`
	Deletable     bool   `json:"deletable"`
	Viewable      bool   `json:"viewable"`
	// GeneratedType is "default" for standard modules, "custom" for custom ones.
	GeneratedType string `json:"generated_type"`
	// ModifiedTime is when the module's setup last changed. Whether
	// adding, changing or removing a field moves it is unconfirmed (the
	// emulator moves it); extract uses it to notice schema changes
	// without reading the fields API on every run.
	ModifiedTime string `json:"modified_time"`
}

// Field is one field of a module as the fields API reports it
// (GET /crm/v8/settings/fields?module=).
type Field struct {
	APIName string `json:"api_name"`
	ID      string `json:"id"`
	Label   string `json:"field_label"`
	// DataType is Zoho's data_type: text, picklist, currency, lookup, formula, …
	DataType string `json:"data_type"`
	// JSONType is how values travel: string, integer, double, boolean,
	// jsonobject, jsonarray.
	JSONType string `json:"json_type"`
	// Length is the maximum length (digits for numbers).
	Length int `json:"length"`
	// DecimalPlace is the scale of currency and decimal fields (nil: unset).
	DecimalPlace    *int            `json:"decimal_place"`
	SystemMandatory bool            `json:"system_mandatory"`
	ReadOnly        bool            `json:"read_only"`
	CustomField     bool            `json:"custom_field"`
	PickListValues  []PickListValue `json:"pick_list_values"`
	// Lookup names the module a lookup field points at.
	Lookup *Lookup `json:"lookup"`
	// Formula carries a formula field's return type.
	Formula *Formula `json:"formula"`
	// Unique is non-nil for fields that reject duplicate values.
	Unique map[string]any `json:"unique"`
}

// PickListValue is one option of a picklist.
type PickListValue struct {
	DisplayValue string `json:"display_value"`
	ActualValue  string `json:"actual_value"`
	ID           string `json:"id"`
}

// Lookup describes the target of a lookup field.
type Lookup struct {
	Module *struct {
		APIName string `json:"api_name"`
		ID      string `json:"id"`
	} `json:"module"`
}

// Formula describes a formula field.
type Formula struct {
	// ReturnType is the type the formula computes: double, currency,
	// boolean, date, datetime, text, …
	ReturnType string `json:"return_type"`
	Expression string `json:"expression"`
}

// IsUnique reports whether the field rejects duplicate values (it then
// takes part in upsert's duplicate check).
func (f Field) IsUnique() bool { return len(f.Unique) > 0 }

// LookupModule is the API name of the module a lookup points at ("" for
// polymorphic lookups such as Tasks' What_Id).
func (f Field) LookupModule() string {
	if f.Lookup == nil || f.Lookup.Module == nil {
		return ""
	}
	return f.Lookup.Module.APIName
}

// Modules lists the org's modules.
func (c *Client) Modules(ctx context.Context) ([]Module, error) {
	mods, _, err := c.ModulesAt(ctx)
	return mods, err
}

// ModulesAt is Modules plus the server's clock at the time of the call
// (the Date header; zero when absent).
func (c *Client) ModulesAt(ctx context.Context) ([]Module, time.Time, error) {
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL("settings/modules", nil) }, nil, nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("zoho: modules: %w", err)
	}
	var out struct {
		Modules []Module `json:"modules"`
	}
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &out); err != nil {
			return nil, time.Time{}, fmt.Errorf("zoho: modules: %w", err)
		}
	}
	return out.Modules, serverTime(r.header), nil
}

// displayFields are the fields whose value a lookup to a record of the
// module shows as its name (the system duplicate-check fields of the
// reference sheet §2.4, Full_Name for people; activities by subject).
var displayFields = map[string]string{
	"Leads": "Full_Name", "Contacts": "Full_Name", "Accounts": "Account_Name", "Deals": "Deal_Name",
	"Campaigns": "Campaign_Name", "Products": "Product_Name", "Vendors": "Vendor_Name", "Cases": "Subject",
	"Solutions": "Solution_Title", "Price_Books": "Price_Book_Name", "Quotes": "Subject", "Sales_Orders": "Subject",
	"Purchase_Orders": "Subject", "Invoices": "Subject", "Tasks": "Subject", "Calls": "Subject",
	"Events": "Event_Title", "Notes": "Note_Title",
}

// DisplayField is the field of module whose value a lookup to one of its
// records shows as "name": Full_Name for Leads and Contacts, Account_Name
// for Accounts, Deal_Name for Deals, …, Name for custom modules. The
// table is unconfirmed beyond the modules the reference sheet names.
func DisplayField(module string) string {
	if f, ok := displayFields[module]; ok {
		return f
	}
	return "Name"
}

// Fields lists the fields of module across all its layouts. An unknown
// module is an *APIError with Code INVALID_MODULE.
func (c *Client) Fields(ctx context.Context, module string) ([]Field, error) {
	fields, _, err := c.fieldsAt(ctx, module)
	return fields, err
}

// FieldsAt is Fields plus the server's clock at the time of the call (the
// Date header; zero when absent), which extractors use as a watermark
// that does not depend on the local clock.
func (c *Client) FieldsAt(ctx context.Context, module string) ([]Field, time.Time, error) {
	return c.fieldsAt(ctx, module)
}

func (c *Client) fieldsAt(ctx context.Context, module string) ([]Field, time.Time, error) {
	q := url.Values{"module": {module}}
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL("settings/fields", q) }, nil, nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("zoho: fields of %s: %w", module, err)
	}
	var out struct {
		Fields []Field `json:"fields"`
	}
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &out); err != nil {
			return nil, time.Time{}, fmt.Errorf("zoho: fields of %s: %w", module, err)
		}
	}
	return out.Fields, serverTime(r.header), nil
}

// LayoutField is a field as a layout reports it: the fields API's object
// plus Required, set when the layout makes the field mandatory (system
// mandatory fields are required in every layout).
type LayoutField struct {
	Field
	Required bool `json:"required"`
}

// LayoutSection is one section of a layout.
type LayoutSection struct {
	APIName      string        `json:"api_name"`
	DisplayLabel string        `json:"display_label"`
	Fields       []LayoutField `json:"fields"`
}

// Layout is one layout of a module (GET /crm/v8/settings/layouts?module=).
type Layout struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// APIName is "Standard__s" for a module's standard layout.
	APIName string `json:"api_name"`
	// Status is active, inactive, downgrade or hidden.
	Status   string          `json:"status"`
	Visible  bool            `json:"visible"`
	Sections []LayoutSection `json:"sections"`
}

// Required lists the fields a record of this layout must have, in layout
// order: the system-mandatory ones and those the layout makes mandatory.
// Zoho's API checks the second kind only for records that send the
// layout's id (Layout.id); the UI always does.
func (l Layout) Required() []LayoutField {
	var out []LayoutField
	for _, s := range l.Sections {
		for _, f := range s.Fields {
			if f.Required || f.SystemMandatory {
				out = append(out, f)
			}
		}
	}
	return out
}

// StandardLayout picks the layout records created through the API get
// when they name none: the standard layout (api_name Standard__s, or the
// one named Standard), else the first active one. Which layout Zoho gives
// such records is unconfirmed (sheet §13.3); ok is false when there is
// no layout.
func StandardLayout(layouts []Layout) (Layout, bool) {
	for _, l := range layouts {
		if l.APIName == "Standard__s" {
			return l, true
		}
	}
	for _, l := range layouts {
		if l.Name == "Standard" {
			return l, true
		}
	}
	for _, l := range layouts {
		if l.Status == "" || l.Status == "active" {
			return l, true
		}
	}
	return Layout{}, false
}

// Layouts lists a module's layouts with their sections and fields. It
// needs the ZohoCRM.settings.layouts.READ scope (or settings.ALL); an
// unknown module is an *APIError with Code INVALID_MODULE.
func (c *Client) Layouts(ctx context.Context, module string) ([]Layout, error) {
	q := url.Values{"module": {module}}
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL("settings/layouts", q) }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: layouts of %s: %w", module, err)
	}
	var out struct {
		Layouts []Layout `json:"layouts"`
	}
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &out); err != nil {
			return nil, fmt.Errorf("zoho: layouts of %s: %w", module, err)
		}
	}
	return out.Layouts, nil
}

// MaxNewFields is the most custom fields one create call takes (sheet §13.1).
const MaxNewFields = 5

// NewField is a custom field to create (POST /crm/v8/settings/fields).
// Label and DataType are mandatory; the API name is made from the label
// (read it back with Fields, or from the id CreateFields returns).
type NewField struct {
	Label string `json:"field_label"`
	// DataType: text, textarea, email, phone, website, integer, bigint,
	// double, currency, percent, picklist, multiselectpicklist, lookup,
	// userlookup, date, datetime, boolean, autonumber, formula, …
	DataType string `json:"data_type"`
	// Length: text 1–255, email 1–100, phone 1–30, website 1–450,
	// integer 1–9, bigint/double 1–18, currency 1–16, percent 1–5 (0: the
	// type's default).
	Length       int  `json:"length,omitempty"`
	DecimalPlace *int `json:"decimal_place,omitempty"`
	// PickList holds the values of a picklist or multi-select picklist.
	PickList []string `json:"-"`
	// LookupModule is the module a lookup field points at.
	LookupModule string `json:"-"`
	// TextareaType is small, large or rich_text (mandatory for textarea).
	TextareaType string `json:"-"`
	// Unique fields refuse a value another record holds and serve upsert's
	// duplicate check (at most 2 per module).
	Unique bool `json:"-"`
	// Tooltip is help text shown as an info icon.
	Tooltip string `json:"-"`
}

// MarshalJSON renders the field as the create call takes it.
func (f NewField) MarshalJSON() ([]byte, error) {
	type plain NewField
	out := map[string]any{}
	b, err := json.Marshal(plain(f))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	if len(f.PickList) > 0 {
		vals := make([]map[string]string, len(f.PickList))
		for i, v := range f.PickList {
			vals[i] = map[string]string{"display_value": v, "actual_value": v}
		}
		out["pick_list_values"] = vals
	}
	if f.LookupModule != "" {
		out["lookup"] = map[string]any{"module": map[string]string{"api_name": f.LookupModule}}
	}
	if f.TextareaType != "" {
		out["textarea"] = map[string]string{"type": f.TextareaType}
	}
	if f.Unique {
		out["unique"] = map[string]any{"case_sensitive": false}
	}
	if f.Tooltip != "" {
		out["tooltip"] = map[string]string{"name": "info_icon", "value": f.Tooltip}
	}
	return json.Marshal(out)
}

// CreateFields creates custom fields on a module, MaxNewFields per call
// (it makes as many calls as needed). Fields land in the module's
// standard layout. Results come one per field, in order: Result.ID is the
// new field's id; a refused field carries Zoho's code (DUPLICATE_DATA for
// a label or API name taken, DEPENDENT_MISMATCH for a length out of
// range, LIMIT_EXCEEDED, …) and details naming the key. It needs the
// ZohoCRM.settings.fields.CREATE scope (or fields.ALL, settings.ALL).
func (c *Client) CreateFields(ctx context.Context, module string, fields []NewField) ([]Result, error) {
	var out []Result
	q := url.Values{"module": {module}}
	for start := 0; start < len(fields); start += MaxNewFields {
		part := fields[start:min(start+MaxNewFields, len(fields))]
		r, err := c.sendRaw(ctx, http.MethodPost, func() string { return c.crmURL("settings/fields", q) }, nil,
			map[string]any{"fields": part})
		if err != nil {
			return out, fmt.Errorf("zoho: create fields of %s: %w", module, err)
		}
		var ans struct {
			Fields []json.RawMessage `json:"fields"`
		}
		if len(r.body) > 0 {
			_ = json.Unmarshal(r.body, &ans)
		}
		if len(ans.Fields) != len(part) {
			if r.status < 200 || r.status > 299 {
				return out, fmt.Errorf("zoho: create fields of %s: %w", module, r.err())
			}
			return out, fmt.Errorf("zoho: create fields of %s: answer has %d results for %d fields", module, len(ans.Fields), len(part))
		}
		for i, raw := range ans.Fields {
			var res Result
			if err := decode(raw, &res); err != nil {
				return out, fmt.Errorf("zoho: create fields of %s: result %d: %w", module, start+i, err)
			}
			if id, ok := res.Details["id"].(string); ok {
				res.ID = id
			}
			out = append(out, res)
		}
	}
	return out, nil
}

// DeleteField deletes a custom field by id (DELETE
// /crm/v8/settings/fields/{id}?module=); standard fields answer
// NOT_ALLOWED.
func (c *Client) DeleteField(ctx context.Context, module, id string) error {
	q := url.Values{"module": {module}}
	if _, err := c.send(ctx, http.MethodDelete, func() string { return c.crmURL("settings/fields/"+url.PathEscape(id), q) }, nil, nil); err != nil {
		return fmt.Errorf("zoho: delete field %s of %s: %w", id, module, err)
	}
	return nil
}
