package zohoprojects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
)

// Titles (V3 machine codes) the client and the emulator know; Zoho's
// full list is unconfirmed, these are the emulator's.
const (
	TitleBlocked       = "BLOCKED"
	TitleTooMany       = "TOO_MANY_REQUESTS"
	TitleInvalidToken  = "INVALID_OAUTHTOKEN"
	TitleScope         = "OAUTH_SCOPE_MISMATCH"
	TitleNotFound      = "RESOURCE_NOT_FOUND"
	TitleInvalidPortal = "INVALID_PORTAL"
	TitleMandatory     = "MANDATORY_PARAM_MISSING"
	TitleInvalidValue  = "INVALID_VALUE"
	TitleInvalidTmpl   = "INVALID_TEMPLATE"
	TitleDuplicateName = "DUPLICATE_NAME"
	TitleLocked        = "RESOURCE_LOCKED"
	TitleInternal      = "INTERNAL_SERVER_ERROR"
	TitleURLNotFound   = "URL_RULE_NOT_CONFIGURED"
)

// APIError is a V3 error answer: {"error":{"status_code","title",
// "error_type","instance","details":[{"message"}]}}. Branch on Title.
type APIError struct {
	Status    int
	Title     string
	ErrorType string
	Details   []string

	status *httpx.StatusError
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("zoho projects %s", e.Title)
	if e.ErrorType != "" {
		msg += " (" + e.ErrorType + ")"
	}
	if len(e.Details) > 0 {
		msg += ": " + strings.Join(e.Details, "; ")
	}
	return msg + fmt.Sprintf(" (HTTP %d)", e.Status)
}

// Unwrap returns the transport's view of the answer.
func (e *APIError) Unwrap() error {
	if e.status == nil {
		return nil
	}
	return e.status
}

func parseError(status int, body []byte) *APIError {
	var raw struct {
		Error *struct {
			StatusCode json.RawMessage `json:"status_code"`
			Title      string          `json:"title"`
			ErrorType  string          `json:"error_type"`
			Details    []struct {
				Message string `json:"message"`
			} `json:"details"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &raw) != nil || raw.Error == nil || raw.Error.Title == "" {
		return nil
	}
	e := &APIError{Status: status, Title: raw.Error.Title, ErrorType: raw.Error.ErrorType}
	if s, err := strconv.Unquote(string(raw.Error.StatusCode)); err == nil {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			e.Status = n
		}
	}
	for _, d := range raw.Error.Details {
		e.Details = append(e.Details, d.Message)
	}
	return e
}

func apiError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// IsNotFound reports a 404: the project (or URL) does not exist.
func IsNotFound(err error) bool {
	if ae := apiError(err); ae != nil {
		return ae.Status == http.StatusNotFound
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

// IsRateLimited reports a 429 or a block: the call was not processed.
func IsRateLimited(err error) bool {
	if errors.Is(err, ErrBlocked) {
		return true
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusTooManyRequests
}

// IsLocked reports a 409 other than a duplicate name.
func IsLocked(err error) bool {
	ae := apiError(err)
	return ae != nil && ae.Status == http.StatusConflict && ae.Title != TitleDuplicateName
}

// IsInvalid reports a refusal of the input (400, 422, or a duplicate
// name): sending it again fails again.
func IsInvalid(err error) bool {
	ae := apiError(err)
	return ae != nil && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnprocessableEntity ||
		ae.Title == TitleDuplicateName)
}

// IsTransient reports a failure that may pass (5xx, dropped connection,
// rate limit); a write that failed so may have been applied unless
// Unsent.
func IsTransient(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		IsNotFound(err), IsInvalid(err), IsLocked(err):
		return false
	case IsRateLimited(err):
		return true
	}
	var te *zoho.TokenError
	if errors.As(err, &te) {
		return false
	}
	var se *httpx.StatusError
	if errors.As(err, &se) {
		return se.Code >= 500
	}
	return true
}

// Unsent reports whether the server cannot have processed the call.
func Unsent(err error) bool {
	var ce *httpx.ConnectError
	return IsRateLimited(err) || errors.As(err, &ce)
}
