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
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL("settings/modules", nil) }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: modules: %w", err)
	}
	var out struct {
		Modules []Module `json:"modules"`
	}
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &out); err != nil {
			return nil, fmt.Errorf("zoho: modules: %w", err)
		}
	}
	return out.Modules, nil
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
