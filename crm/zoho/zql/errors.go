package zql

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Error codes returned by this package, as Zoho spells them.
const (
	CodeInvalidQuery          = "INVALID_QUERY"
	CodeSyntaxError           = "SYNTAX_ERROR"
	CodeLimitExceeded         = "LIMIT_EXCEEDED"
	CodeCriteriaLimitExceeded = "CRITERIA_LIMIT_EXCEEDED"
	CodeDuplicateData         = "DUPLICATE_DATA"
	CodeInvalidData           = "INVALID_DATA"
	CodeInvalidModule         = "INVALID_MODULE"
)

// Error is a request-level Zoho error. It marshals to Zoho's JSON error shape
// {"code","details","message","status":"error"}, so an emulator can write it
// as the response body (with HTTPStatus) unchanged.
type Error struct {
	Code    string
	Message string
	Details map[string]any
}

// Error formats the error as "zql: CODE: message {details}".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("zql: ")
	b.WriteString(e.Code)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Details) > 0 {
		keys := make([]string, 0, len(e.Details))
		for k := range e.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" {")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %v", k, e.Details[k])
		}
		b.WriteString("}")
	}
	return b.String()
}

// HTTPStatus is the HTTP status Zoho answers the error with: 400 for every
// code this package produces.
func (e *Error) HTTPStatus() int { return http.StatusBadRequest }

// MarshalJSON renders the error as Zoho does:
// {"code":…,"details":{…},"message":…,"status":"error"}.
func (e *Error) MarshalJSON() ([]byte, error) {
	d := e.Details
	if d == nil {
		d = map[string]any{}
	}
	return json.Marshal(struct {
		Code    string         `json:"code"`
		Details map[string]any `json:"details"`
		Message string         `json:"message"`
		Status  string         `json:"status"`
	}{e.Code, d, e.Message, "error"})
}

// newErr builds an *Error from alternating detail keys and values.
func newErr(code, msg string, kv ...any) *Error {
	d := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return &Error{Code: code, Message: msg, Details: d}
}
