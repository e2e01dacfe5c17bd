package sftest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/sandbox"
)

// apiError is one item of a REST error array:
// [{"message":"…","errorCode":"…","fields":[…]}].
type apiError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

// MarshalJSON writes fields only when set (an empty, non-nil list is
// written as []).
func (e apiError) MarshalJSON() ([]byte, error) {
	o := obj{{"message", e.Message}, {"errorCode", e.ErrorCode}}
	if e.Fields != nil {
		o = append(o, kv{"fields", e.Fields})
	}
	return o.MarshalJSON()
}

// restError is a request-level failure: an HTTP status and the error array.
type restError struct {
	Status int
	Errors []apiError
}

func (e *restError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Errors[0].ErrorCode, e.Errors[0].Message)
}

func newRESTError(status int, code, msg string, fields ...string) *restError {
	return &restError{Status: status, Errors: []apiError{{Message: msg, ErrorCode: code, Fields: fields}}}
}

// Request-level errors the handlers share.
var (
	errSession  = newRESTError(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
	errNotFound = newRESTError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	errLimit    = newRESTError(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
)

func errMethod(method string, allowed ...string) *restError {
	return newRESTError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
		fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are %s", method, strings.Join(allowed, ",")))
}

func errInvalidTypeQuery(object string) *restError {
	return newRESTError(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported. "+
		"If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "+
		"Please reference your WSDL or the describe call for the appropriate names.", object))
}

func errJSON(msg string) *restError {
	return newRESTError(http.StatusBadRequest, "JSON_PARSER_ERROR", msg)
}

func errMediaType(ct string) *restError {
	return newRESTError(http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
		fmt.Sprintf("MediaType of '%s' is not supported by this resource", ct))
}

// recError is one per-record error of a write:
// {"statusCode":"…","message":"…","fields":[…]}.
type recError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

func newRecError(code, msg string, fields ...string) recError {
	if fields == nil {
		fields = []string{}
	}
	return recError{StatusCode: code, Message: msg, Fields: fields}
}

// rolledBack is the error every other record gets when allOrNone fails.
var rolledBack = newRecError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
	"Record rolled back because not all records were valid and the request was using AllOrNone header")

// lockError is the per-record error of a lock_row fault.
func lockError(id string) recError {
	return newRecError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: "+id)
}

// bulkError renders a per-record error as Bulk 2.0's sf__Error column:
// CODE:message:fields --
func (e recError) bulkError() string {
	return e.StatusCode + ":" + e.Message + ":" + strings.Join(e.Fields, ",") + " --"
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	var err error
	if o, ok := v.(obj); ok {
		b, err = appendJSON(make([]byte, 0, 4096), o)
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		// Only emulator-built values reach here; they always marshal.
		b = []byte(`[{"message":"` + err.Error() + `","errorCode":"UNKNOWN_EXCEPTION"}]`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeREST writes a request-level error.
func writeREST(w http.ResponseWriter, e *restError) {
	writeJSON(w, e.Status, e.Errors)
}

// writeFault writes the Salesforce shape of an injected 429/500/503 fault.
func writeFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	switch f.Kind {
	case sandbox.Fault429:
		writeREST(w, newRESTError(http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED",
			"ConcurrentRequests (Concurrent API Requests) Limit exceeded."))
	case sandbox.Fault503:
		writeREST(w, newRESTError(http.StatusServiceUnavailable, "SERVER_UNAVAILABLE",
			"Server temporarily unavailable, please try again later."))
	default:
		writeREST(w, newRESTError(http.StatusInternalServerError, "UNKNOWN_EXCEPTION",
			"An unexpected error occurred. Please include this ErrorId if you contact support: 1930486219-49212 (-1189343497)"))
	}
}
