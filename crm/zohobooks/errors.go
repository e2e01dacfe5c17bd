package zohobooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho"
)

// Books' error codes the client and the emulator know. Books documents
// only 0 (success), 1000 (internal error) and 1002 ("… does not exist");
// the others are the emulator's, from third-party guides, and
// unconfirmed: branch on them only through the classifiers below.
const (
	CodeOK = 0
	// CodeInvalid: a value is missing or invalid (HTTP 400; unconfirmed).
	CodeInvalid = 2
	// CodeInvalidToken: the access token is unknown or expired (HTTP 401;
	// unconfirmed).
	CodeInvalidToken = 14
	// CodeRateLimit: the calls a minute per organization are spent (HTTP
	// 429; third-party guides: 45 for the minute, 44 for the day).
	CodeRateLimit     = 45
	CodeDailyLimit    = 44
	CodeNotAuthorized = 57
	CodeInternal      = 1000
	CodeNotFound      = 1002
	// CodeLocked is the emulator's answer to an injected lock_row fault
	// (HTTP 409); Books documents no such answer.
	CodeLocked = 1038
	// CodeDuplicate: a contact with that contact_name, or that value of a
	// unique custom field, exists (HTTP 400; unconfirmed).
	CodeDuplicate = 3062
	// CodeOrganization: the organization_id is not one of the user's
	// organizations (HTTP 400; code and status unconfirmed, the message
	// "This user is not associated with the CompanyID/CompanyName" is
	// from third-party reports).
	CodeOrganization = 6041
)

// APIError is a Books answer whose code is not 0 (or a non-2xx answer
// carrying Books' envelope). Branch on Code, never on Message. It unwraps
// to the transport's *httpx.StatusError.
type APIError struct {
	// Status is the HTTP status (Books answers some failures with 200).
	Status int
	// Code is Books' error code (1002 = does not exist, 1000 = internal).
	Code int
	// Message is Books' message.
	Message string
	// OrganizationID is the organization the call addressed.
	OrganizationID string

	status *httpx.StatusError
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("zoho books code %d: %s (HTTP %d)", e.Code, e.Message, e.Status)
	if e.Code == CodeOrganization {
		msg += fmt.Sprintf("; organization_id %q is not an organization this user belongs to (GET /organizations lists them)", e.OrganizationID)
	}
	return msg
}

// Unwrap returns the transport's view of the failed response.
func (e *APIError) Unwrap() error {
	if e.status == nil {
		return nil
	}
	return e.status
}

// ErrWrongOrganization is matched (errors.Is) by the error of a call or
// a check whose organization_id is not one of the user's organizations.
var ErrWrongOrganization = errors.New("zohobooks: wrong organization_id")

// Is makes an *APIError with CodeOrganization match ErrWrongOrganization.
func (e *APIError) Is(target error) bool {
	return target == ErrWrongOrganization && e.Code == CodeOrganization
}

func apiError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// IsNotFound reports whether the addressed record does not exist (code
// 1002, or HTTP 404).
func IsNotFound(err error) bool {
	if ae := apiError(err); ae != nil {
		return ae.Code == CodeNotFound || ae.Status == http.StatusNotFound
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

// IsRateLimited reports whether Books refused the call for its limits
// (HTTP 429), after the transport's retries: the call was not processed.
func IsRateLimited(err error) bool {
	if ae := apiError(err); ae != nil {
		return ae.Status == http.StatusTooManyRequests || ae.Code == CodeRateLimit || ae.Code == CodeDailyLimit
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusTooManyRequests
}

// IsLocked reports a 409 (the emulator's lock_row fault): worth sending
// again later.
func IsLocked(err error) bool {
	if ae := apiError(err); ae != nil {
		return ae.Status == http.StatusConflict || ae.Code == CodeLocked
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusConflict
}

// IsInvalid reports whether Books refused the call's input (HTTP 400,
// other than a wrong organization): sending it again fails again.
func IsInvalid(err error) bool {
	ae := apiError(err)
	return ae != nil && ae.Code != CodeOrganization && (ae.Status == http.StatusBadRequest ||
		ae.Status == http.StatusOK && ae.Code != CodeInternal && ae.Code != CodeNotFound)
}

// IsTransient reports whether the call failed for a reason that may pass:
// a 5xx, a dropped connection, a rate limit. A write that failed so may
// or may not have been applied, except after a 429 or a failed connect
// (Unsent).
func IsTransient(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		IsNotFound(err), IsInvalid(err), IsLocked(err), errors.Is(err, ErrWrongOrganization):
		return false
	case IsRateLimited(err):
		return true
	}
	if ae := apiError(err); ae != nil {
		return ae.Status >= 500 || ae.Code == CodeInternal
	}
	var se *httpx.StatusError
	if errors.As(err, &se) {
		return se.Code >= 500
	}
	var te *zoho.TokenError
	return !errors.As(err, &te)
}

// Unsent reports whether err proves the server did not process the call:
// a 429, or a connection that never opened.
func Unsent(err error) bool {
	var ce *httpx.ConnectError
	return IsRateLimited(err) || errors.As(err, &ce)
}
