package zohocampaigns

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Campaigns error codes the client acts on (sheet §16).
const (
	// CodeReportError: the report is not available yet; retried.
	CodeReportError = 6001
	// CodeNotSent: a bad campaign key, or a campaign that was not sent.
	CodeNotSent = 6002
	// CodeNoCampaign: no campaign (sent); an empty list, not an error.
	CodeNoCampaign = 6101
	// CodeNoContacts: no contacts for the action; an empty list.
	CodeNoContacts = 6303
	// CodeNoPrivilege: the user lacks the privilege.
	CodeNoPrivilege = 6607
	// CodeLocked is the emulator's code for a locked API; Campaigns'
	// own answer to an overrun is unconfirmed, so a message about a lock
	// is recognized too.
	CodeLocked = 997
)

// APIError is a failure Campaigns answered with HTTP 200 and
// {"status":"error","code":N,"message":…}. Branch on Code.
type APIError struct {
	// API is the call that failed (campaignreports, …).
	API string
	// Code is Campaigns' numeric code (0 when it sent none or a non-number).
	Code int
	// RawCode is the code as sent, when it was not a number.
	RawCode string
	// Message is Campaigns' message.
	Message string
	// CampaignKey is the campaign key the call named, if any.
	CampaignKey string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.API)
	if e.Code == CodeNotSent && e.CampaignKey != "" {
		fmt.Fprintf(&b, "campaign key %q is unknown or the campaign was not sent (code 6002)", e.CampaignKey)
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
		return b.String()
	}
	code := strconv.Itoa(e.Code)
	if e.RawCode != "" {
		code = e.RawCode
	}
	fmt.Fprintf(&b, "code %s", code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.CampaignKey != "" {
		fmt.Fprintf(&b, " (campaign key %q)", e.CampaignKey)
	}
	return b.String()
}

// LockedError says Campaigns locked an API for overrunning its 500 calls
// in 5 minutes: nothing more can be read from it until RetryAfter passes.
type LockedError struct {
	API        string
	RetryAfter time.Duration // 0 when the answer did not say
	Message    string
}

func (e *LockedError) Error() string {
	msg := fmt.Sprintf("%s: the API is locked (more than 500 calls in 5 minutes)", e.API)
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf("; usable again in %v", e.RetryAfter.Round(time.Second))
	}
	return msg
}

// IsCode reports whether err is an *APIError with one of codes.
func IsCode(err error, codes ...int) bool {
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

// IsEmpty reports whether err is Campaigns' "nothing to list" (6101 no
// campaign, 6303 no contacts).
func IsEmpty(err error) bool { return IsCode(err, CodeNoCampaign, CodeNoContacts) }

// envelope is the status part of every answer.
type envelope struct {
	Status  string          `json:"status"`
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
}

// parseStatus returns the error a 2xx answer holds, or nil for a success.
func parseStatus(api string, h http.Header, body []byte) error {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: decode answer: %w", api, err)
	}
	if !strings.EqualFold(env.Status, "error") {
		return nil
	}
	raw := strings.Trim(string(env.Code), `"`)
	code, err := strconv.Atoi(raw)
	ae := &APIError{API: api, Code: code, Message: env.Message}
	if err != nil {
		ae.Code, ae.RawCode = 0, raw
	}
	if ae.Code == CodeLocked || strings.Contains(strings.ToLower(env.Message), "locked") {
		le := &LockedError{API: api, Message: env.Message}
		if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
			le.RetryAfter = time.Duration(s) * time.Second
		}
		return le
	}
	return ae
}
