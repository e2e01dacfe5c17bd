package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// apiName is an object or field API name: letters, digits and underscores,
// a letter first (custom names end in __c).
var apiName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// CreateCustomField adds a custom field to object through the Tooling API
// (POST /tooling/sobjects/CustomField) and returns the CustomField id
// (00N…). name is the field's API name ending in __c; metadata holds the
// Metadata API properties: "type" (Text, Number, Checkbox, Date, Picklist,
// Lookup, …), "label" and what the type needs ("length" for Text,
// "precision" and "scale" for numbers, "valueSet" for picklists,
// "referenceTo" and "relationshipName" for lookups; reference sheet §12.1).
// A field that exists is an *APIError (DUPLICATE_DEVELOPER_NAME on the
// emulator). Create fields one at a time: metadata writes lock per object.
//
// On a real org the new field is visible to nobody until a permission set
// grants it (§12.3: PermissionSet, FieldPermissions,
// PermissionSetAssignment); describe and queries leave it out until then.
// The emulator grants it at once. The call is not retried by the
// transport.
func (c *Client) CreateCustomField(ctx context.Context, object, name string, metadata map[string]any) (string, error) {
	if !apiName.MatchString(object) || !apiName.MatchString(name) || !strings.HasSuffix(name, "__c") {
		return "", fmt.Errorf("salesforce: create custom field %s.%s: want an object name and a field name ending in __c", object, name)
	}
	var out struct {
		ID      string        `json:"id"`
		Success bool          `json:"success"`
		Errors  []RecordError `json:"errors"`
	}
	body := map[string]any{"FullName": object + "." + name, "Metadata": metadata}
	r := request{method: http.MethodPost, path: c.dataPath("tooling/sobjects/CustomField"), body: body}
	if err := c.do(ctx, r, &out); err != nil {
		return "", fmt.Errorf("salesforce: create custom field %s.%s: %w", object, name, err)
	}
	if !out.Success || out.ID == "" {
		err := error(RecordError{StatusCode: "UNKNOWN", Message: "failed without an error"})
		if len(out.Errors) > 0 {
			err = out.Errors[0]
		}
		return "", fmt.Errorf("salesforce: create custom field %s.%s: %w", object, name, err)
	}
	return out.ID, nil
}

// CustomFieldID looks a custom field up by object and API name with a
// Tooling query (CustomField by TableEnumOrId and DeveloperName) and
// returns its CustomField id, or "" when the object has no such field.
func (c *Client) CustomFieldID(ctx context.Context, object, name string) (string, error) {
	if !apiName.MatchString(object) || !apiName.MatchString(name) {
		return "", fmt.Errorf("salesforce: look up custom field %s.%s: not an API name", object, name)
	}
	soql := fmt.Sprintf("SELECT Id FROM CustomField WHERE TableEnumOrId = '%s' AND DeveloperName = '%s'",
		object, strings.TrimSuffix(name, "__c"))
	var out struct {
		Records []struct {
			ID string `json:"Id"`
		} `json:"records"`
	}
	r := request{method: http.MethodGet, path: c.dataPath("tooling/query"), query: url.Values{"q": {soql}}}
	if err := c.do(ctx, r, &out); err != nil {
		return "", fmt.Errorf("salesforce: look up custom field %s.%s: %w", object, name, err)
	}
	if len(out.Records) == 0 {
		return "", nil
	}
	return out.Records[0].ID, nil
}
