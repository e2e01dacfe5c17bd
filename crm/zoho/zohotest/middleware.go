package zohotest

import (
	"net/http"
	"strings"

	"github.com/revops/revops/crm/sandbox"
)

// System names the emulator counts requests under.
const (
	systemAccounts = "zoho_accounts"
	systemCRM      = string(sandbox.ZohoCRM)
	systemDesk     = string(sandbox.ZohoDesk)
)

// wrap puts the shared sandbox middleware (counters, scheduled faults,
// /__sandbox/ routes) in front of one API's handler.
func (s *Server) wrap(system string, endpoint func(*http.Request) string,
	writeErr func(http.ResponseWriter, *http.Request, *sandbox.Fault), next http.Handler) http.Handler {
	return &sandbox.Emulator{System: system, Endpoint: endpoint, WriteError: writeErr,
		Counters: s.opts.Counters, Faults: s.opts.Faults, Next: next}
}

// faultFrom returns the fault the middleware left for the emulator to act
// on (expire_token, lock_row), or nil.
func faultFrom(r *http.Request) *sandbox.Fault { return sandbox.FaultFrom(r.Context()) }

// writeCRMFault writes an injected fault in CRM's error shape.
func writeCRMFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	switch f.Kind {
	case sandbox.Fault429:
		writeCRMError(w, errTooMany())
	case sandbox.Fault503:
		writeCRMError(w, newErr(http.StatusServiceUnavailable, "INTERNAL_ERROR", "Service Unavailable"))
	default:
		writeCRMError(w, errInternal())
	}
}

// writeDeskFault writes an injected fault in Desk's error shape.
func writeDeskFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	switch f.Kind {
	case sandbox.Fault429:
		writeDeskError(w, &deskError{HTTP: http.StatusTooManyRequests, Code: "TOO_MANY_REQUESTS",
			Message: "You have exceeded the API rate limit. Try again later."})
	case sandbox.Fault503:
		writeDeskError(w, &deskError{HTTP: http.StatusServiceUnavailable, Code: "SERVICE_UNAVAILABLE",
			Message: "The service is temporarily unavailable."})
	default:
		writeDeskError(w, &deskError{HTTP: http.StatusInternalServerError, Code: "INTERNAL_SERVER_ERROR",
			Message: "An internal server error occurred."})
	}
}

// writeAccountsFault writes an injected fault the way the accounts server
// fails: a 429 or 5xx with a small JSON error.
func writeAccountsFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	switch f.Kind {
	case sandbox.Fault429:
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "Access Denied",
			"error_description": "You have made too many requests continuously. Please try again after some time."})
	case sandbox.Fault503:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "general_error"})
	default:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "general_error"})
	}
}

func (s *Server) accountsEndpoint(r *http.Request) string {
	_, p := s.accountsDC(r)
	switch p {
	case "/oauth/v2/token", "/oauth/v2/token/revoke", "/oauth/v2/auth":
		return p
	}
	return "/oauth/{unknown}"
}

// crmEndpoint names the route of a CRM request for counters and fault
// rules: the path with the module's API name kept and ids replaced by
// {id}, e.g. "/crm/v8/Leads/upsert", "/crm/v8/Deals/{id}/Stage_History",
// "/crm/bulk/v8/read/{id}/result".
func (s *Server) crmEndpoint(r *http.Request) string {
	seg := splitPath(r.URL.Path)
	if len(seg) >= 4 && seg[0] == "crm" && seg[1] == "bulk" {
		// /crm/bulk/v8/read/{id}[/result]
		for i := 4; i < len(seg); i++ {
			if _, ok := parseID(seg[i]); ok {
				seg[i] = "{id}"
			}
		}
		return "/" + strings.Join(seg, "/")
	}
	if len(seg) < 2 || seg[0] != "crm" || seg[1] != "v8" {
		return r.URL.Path
	}
	out := make([]string, len(seg))
	copy(out, seg)
	for i := 3; i < len(out); i++ {
		if _, ok := parseID(out[i]); ok {
			out[i] = "{id}"
		}
	}
	if len(out) >= 3 && out[2] != "settings" && out[2] != "coql" && out[2] != "users" && out[2] != "org" {
		s.mu.RLock()
		m := s.modules[strings.ToLower(out[2])]
		s.mu.RUnlock()
		if m == nil {
			out[2] = "{module}"
		} else {
			out[2] = m.APIName
		}
	}
	return "/" + strings.Join(out, "/")
}

func (s *Server) deskEndpoint(r *http.Request) string {
	seg := splitPath(r.URL.Path)
	for i := 2; i < len(seg); i++ {
		if _, ok := parseID(seg[i]); ok {
			seg[i] = "{id}"
		}
	}
	return "/" + strings.Join(seg, "/")
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
