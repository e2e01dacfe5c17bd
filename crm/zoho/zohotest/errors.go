package zohotest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is a request-level Zoho CRM error:
// {"code","details","message","status":"error"} with its HTTP status.
type apiError struct {
	HTTP    int
	Code    string
	Message string
	Details map[string]any
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func (e *apiError) body() map[string]any {
	d := e.Details
	if d == nil {
		d = map[string]any{}
	}
	return map[string]any{"code": e.Code, "details": d, "message": e.Message, "status": "error"}
}

// newErr builds an apiError; kv alternates detail keys and values.
func newErr(status int, code, msg string, kv ...any) *apiError {
	d := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return &apiError{HTTP: status, Code: code, Message: msg, Details: d}
}

// The request-level errors the emulator sends, as Zoho words them (sheet §7).
func errInvalidToken() *apiError {
	return newErr(http.StatusUnauthorized, "INVALID_TOKEN", "invalid oauth token")
}

func errAuthFailure() *apiError {
	return newErr(http.StatusUnauthorized, "AUTHENTICATION_FAILURE", "Authentication failed")
}

func errScope() *apiError {
	return newErr(http.StatusUnauthorized, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
}

func errURLPattern() *apiError {
	return newErr(http.StatusNotFound, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")
}

func errMethod() *apiError {
	return newErr(http.StatusBadRequest, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")
}

func errModule(index int) *apiError {
	return newErr(http.StatusBadRequest, "INVALID_MODULE", "the module name given seems to be invalid", "resource_path_index", index)
}

func errParamMissing(name string) *apiError {
	return newErr(http.StatusBadRequest, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
		"param_name", name, "param", name)
}

func errTooMany() *apiError {
	return newErr(http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
		"You have exceeded the maximum number of API calls or concurrent requests allowed. Try again later.")
}

func errInternal() *apiError {
	return newErr(http.StatusInternalServerError, "INTERNAL_ERROR", "Internal Server Error")
}

// writeJSON writes v as the JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":"INTERNAL_ERROR","details":{},"message":"Internal Server Error","status":"error"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeCRMError(w http.ResponseWriter, e *apiError) { writeJSON(w, e.HTTP, e.body()) }

// deskError is Zoho Desk's error shape {"errorCode","message"} (sheet §8.3),
// with an optional errors list for invalid input.
type deskError struct {
	HTTP    int
	Code    string
	Message string
	Errors  []map[string]any
}

func (e *deskError) Error() string { return e.Code + ": " + e.Message }

func writeDeskError(w http.ResponseWriter, e *deskError) {
	body := map[string]any{"errorCode": e.Code, "message": e.Message}
	if len(e.Errors) > 0 {
		body["errors"] = e.Errors
	}
	writeJSON(w, e.HTTP, body)
}

// recordResult is one element of a write answer's data array.
func recordError(code, msg string, kv ...any) map[string]any {
	d := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return map[string]any{"code": code, "details": d, "message": msg, "status": "error"}
}
