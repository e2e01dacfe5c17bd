package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/revops/revops/crm/httpx"
)

// APIError is a Salesforce REST error answer: the HTTP status and the first
// item of the error array [{"message","errorCode","fields"}]. It wraps the
// transport's *httpx.StatusError (errors.As reaches both).
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the errorCode, e.g. MALFORMED_QUERY, INVALID_TYPE,
	// INVALID_SESSION_ID (empty when the body was not an error array).
	Code string
	// Message is the API's own message.
	Message string
	// Fields names the fields the error is about, when the API says.
	Fields []string
	// More holds the further items of the error array, if any.
	More []APIError

	err *httpx.StatusError
}

// Error renders "CODE (HTTP n): message".
func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.Status)
	}
	msg := strings.TrimSpace(e.Message)
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	s := fmt.Sprintf("%s (HTTP %d): %s", code, e.Status, msg)
	if len(e.Fields) > 0 {
		s += " [fields: " + strings.Join(e.Fields, ", ") + "]"
	}
	return s
}

// Unwrap returns the transport's status error.
func (e *APIError) Unwrap() error {
	if e.err == nil {
		return nil
	}
	return e.err
}

// IsCode reports whether err is (or wraps) an *APIError with the given errorCode.
func IsCode(err error, code string) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == code
}

// apiError turns a transport error into an *APIError when it carries a
// Salesforce error body; other errors are returned unchanged.
func apiError(err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	ae := &APIError{Status: se.Code, err: se}
	var items []struct {
		Message   string   `json:"message"`
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	if json.Unmarshal(se.Body, &items) == nil && len(items) > 0 {
		ae.Code, ae.Message, ae.Fields = items[0].ErrorCode, items[0].Message, items[0].Fields
		for _, it := range items[1:] {
			ae.More = append(ae.More, APIError{Status: se.Code, Code: it.ErrorCode, Message: it.Message, Fields: it.Fields})
		}
		return ae
	}
	ae.Message = strings.TrimSpace(string(se.Body))
	return ae
}

// AuthError is a refusal from the OAuth token endpoint
// ({"error","error_description"}), e.g. invalid_grant or invalid_client_id.
type AuthError struct {
	// Flow is the grant that was refused: refresh_token, client_credentials or jwt.
	Flow string
	// Status is the HTTP status of the token endpoint's answer.
	Status int
	// Code is the OAuth error code ("invalid_grant").
	Code string
	// Description is the endpoint's error_description.
	Description string
}

// Error renders the flow, code and description (never a credential).
func (e *AuthError) Error() string {
	return fmt.Sprintf("%s flow refused (HTTP %d): %s: %s", e.Flow, e.Status, e.Code, e.Description)
}

// RecordError is one per-record error of a Collections write:
// {"statusCode","message","fields"}.
type RecordError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

// Error renders "STATUS_CODE: message".
func (e RecordError) Error() string {
	s := e.StatusCode + ": " + e.Message
	if len(e.Fields) > 0 {
		s += " [fields: " + strings.Join(e.Fields, ", ") + "]"
	}
	return s
}
