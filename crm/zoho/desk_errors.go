package zoho

import (
	"context"
	"errors"
	"net/http"

	"github.com/revops/revops/crm/httpx"
)

// ErrNotFound is matched (errors.Is) by the error of a write to a record
// that does not exist: Desk answers 404 URL_NOT_FOUND for the PATCH of a
// deleted or trashed contact or account (as for its GET; unconfirmed for
// writes).
var ErrNotFound = errors.New("zoho: no such record")

// The classifiers below sort a failed call of the Desk (or CRM) client
// into what a caller does next; each answers false for nil.

// IsNotFound reports whether err says the record the call addressed does
// not exist (deleted in the destination): see ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsRateLimited reports whether the API refused the call for its limits,
// after the transport's retries: HTTP 429 (Desk's TOO_MANY_REQUESTS for
// concurrency and THRESHOLD_EXCEEDED for spent daily credits, CRM's
// TOO_MANY_REQUESTS). The server did not process the call.
func IsRateLimited(err error) bool {
	if IsCode(err, "TOO_MANY_REQUESTS", "THRESHOLD_EXCEEDED") {
		return true
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusTooManyRequests
}

// IsInvalid reports whether the API refused the call's input: a 400 or
// 422 answer (INVALID_DATA, UNPROCESSABLE_ENTITY, EMPTY_PAYLOAD,
// BAD_REQUEST, MANDATORY_NOT_FOUND, …). Sending it again fails again.
func IsInvalid(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnprocessableEntity
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && (se.Code == http.StatusBadRequest || se.Code == http.StatusUnprocessableEntity)
}

// IsLocked reports whether the record was held by another process (the
// emulator's 409 RECORD_LOCKED for Desk, CRM's RECORD_LOCKED): worth
// sending again later.
func IsLocked(err error) bool {
	if IsCode(err, "RECORD_LOCKED") {
		return true
	}
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusConflict
}

// IsTransient reports whether the call failed for a reason that may pass:
// a 5xx answer or a transport failure (dropped connection, timeout, host
// unreachable) after the transport's retries, or a rate limit. A write
// that failed so may or may not have been applied, except after a 429 or
// a failed connect. Cancellation of ctx is not transient; neither are
// answers about the input, the credentials or a missing record.
func IsTransient(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled), IsNotFound(err), IsInvalid(err), IsLocked(err):
		return false
	case IsRateLimited(err):
		return true
	}
	var te *TokenError
	if errors.As(err, &te) {
		return false
	}
	var se *httpx.StatusError
	if errors.As(err, &se) {
		return se.Code >= 500
	}
	return true // no answer at all: the connection failed or was dropped
}

// Unsent reports whether err proves that the server did not process the
// call: a 429, or a connection that never opened (*httpx.ConnectError).
// A create that failed so can be sent again without looking it up.
func Unsent(err error) bool {
	var ce *httpx.ConnectError
	return IsRateLimited(err) || errors.As(err, &ce)
}
