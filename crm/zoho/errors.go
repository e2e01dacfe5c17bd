package zoho

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/revops/revops/crm/httpx"
)

// APIError is an error answer of Zoho CRM ({"code","details","message",
// "status":"error"}) or Zoho Desk ({"errorCode","message"}). Branch on
// Code, never on Message. It unwraps to the *httpx.StatusError of the
// response.
type APIError struct {
	// Status is the HTTP status code of the answer.
	Status int
	// Code is Zoho's error code: INVALID_MODULE, INVALID_TOKEN,
	// LIMIT_EXCEEDED, UNPROCESSABLE_ENTITY, …
	Code string
	// Message is Zoho's human-readable message.
	Message string
	// Details holds the error's details (field, parameter, limit, …).
	Details map[string]any

	status *httpx.StatusError
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	fmt.Fprintf(&b, " (HTTP %d", e.Status)
	if len(e.Details) > 0 {
		keys := make([]string, 0, len(e.Details))
		for k := range e.Details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, _ := json.Marshal(e.Details[k])
			fmt.Fprintf(&b, ", %s=%s", k, v)
		}
	}
	b.WriteString(")")
	return b.String()
}

// Unwrap returns the transport's view of the failed response.
func (e *APIError) Unwrap() error {
	if e.status == nil {
		return nil
	}
	return e.status
}

// TokenError is a failed token request. Zoho's accounts server answers
// failures with HTTP 200 and {"error": "..."}; Code is that error
// (invalid_client, invalid_code, invalid_client_secret, Access Denied, …).
type TokenError struct {
	// Code is the accounts server's error string.
	Code string
	// Description is its error_description, when it sent one.
	Description string
	// AccountsURL is the accounts server that answered.
	AccountsURL string
	// DataCenter is the configured data center ("" when the accounts URL
	// was given explicitly).
	DataCenter string
}

func (e *TokenError) Error() string {
	msg := "token: " + e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	switch e.Code {
	case "invalid_client":
		msg += fmt.Sprintf(" (the accounts server %s does not know this client_id: a wrong client_id, or an org in another data center", e.AccountsURL)
		if e.DataCenter != "" {
			msg += " than " + e.DataCenter
		}
		msg += "?)"
	case "invalid_code":
		msg += " (the refresh token is wrong or was revoked)"
	case "invalid_client_secret":
		msg += " (the client_secret does not match the client_id)"
	case "Access Denied":
		// The throttled answer's error string is unconfirmed (reference
		// sheet §1.3); the emulator sends this one.
		msg += " (Zoho grants ten access tokens per refresh token in ten minutes and refuses more until the" +
			" window has passed; extracts keep what they read up to their last checkpoint and the next run resumes)"
	}
	return msg
}

// asAPIError turns a failed response (a *httpx.StatusError) into an
// *APIError when its body is one of Zoho's error shapes; other errors are
// returned unchanged.
func asAPIError(err error) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	if e := parseAPIError(se.Code, se.Body); e != nil {
		e.status = se
		return e
	}
	return err
}

// parseAPIError reads a CRM or Desk error body; nil when body is neither.
func parseAPIError(status int, body []byte) *APIError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	var raw struct {
		Code      string         `json:"code"`
		ErrorCode string         `json:"errorCode"`
		Message   string         `json:"message"`
		Details   map[string]any `json:"details"`
		Errors    []any          `json:"errors"`
		// A write batch that failed as a whole carries per-record errors.
		Data []map[string]any `json:"data"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	e := &APIError{Status: status, Code: raw.Code, Message: raw.Message, Details: raw.Details}
	if e.Code == "" {
		e.Code = raw.ErrorCode
	}
	if len(raw.Errors) > 0 {
		if e.Details == nil {
			e.Details = map[string]any{}
		}
		e.Details["errors"] = raw.Errors
	}
	if e.Code == "" && len(raw.Data) > 0 {
		c, _ := raw.Data[0]["code"].(string)
		m, _ := raw.Data[0]["message"].(string)
		d, _ := raw.Data[0]["details"].(map[string]any)
		e.Code, e.Message, e.Details = c, m, d
	}
	if e.Code == "" {
		return nil
	}
	return e
}

// IsCode reports whether err is (or wraps) an *APIError with one of codes.
func IsCode(err error, codes ...string) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.Code == c {
			return true
		}
	}
	return false
}
