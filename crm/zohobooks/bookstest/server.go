// Package bookstest is an in-process emulator of the Zoho Books API v3
// (reference sheet §17) for the endpoints revops uses and those a client
// of contacts reaches for: GET /organizations and contacts (list with
// paging and filters, get, create, update, upsert by a unique custom
// field, delete, mark active/inactive), with Books' envelope ({"code":0,
// "message":…}; a non-zero code on failure), organization_id on every
// call, OAuth scopes checked against tokens of the Zoho accounts emulator
// (Options.Tokens: a *zohotest.Server), the per-minute and per-day call
// limits, and the shared sandbox counters and faults (system
// "zoho_books").
//
// Details the sheet marks unconfirmed are marked so where they are
// decided; the package does not import testing, so `revops sandbox` can
// serve it.
package bookstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// SystemName is the system the emulator counts requests and matches
// fault rules under.
const SystemName = "zoho_books"

// Tokens checks the access tokens callers send: *zohotest.Server (the
// Zoho accounts emulator) implements it. Scopes are lower-cased.
type Tokens interface {
	TokenScopes(token string) (map[string]bool, bool)
}

// CustomField is a contact custom field the organization has. Unique
// fields refuse a value another contact holds, and may key an upsert.
type CustomField struct {
	// APIName is the field's API name, e.g. "cf_revops_id".
	APIName string `json:"api_name"`
	// Label is its label (default: APIName without cf_).
	Label string `json:"label"`
	// Index is its position 1–10 (default: its order in Options).
	Index int `json:"index"`
	// Unique: no two contacts hold the same value.
	Unique bool `json:"unique"`
}

// Options configures a Server.
type Options struct {
	// Tokens validates callers' access tokens (required: a
	// *zohotest.Server, whose accounts server issues them).
	Tokens Tokens
	// OrganizationID and OrganizationName are the one organization
	// (defaults "10234695", "Zillum", as the sheet's sample).
	OrganizationID, OrganizationName string
	// CustomFields are the organization's contact custom fields.
	CustomFields []CustomField
	// PerMinute caps calls per minute for the organization (default 100,
	// a secondary source; negative: no cap); PerDay caps calls per day
	// (default 5,000, the Professional edition; negative: no cap).
	PerMinute, PerDay int
	// MaxPerPage is the largest per_page (default 200; Books' maximum is
	// unconfirmed, 200 is its default).
	MaxPerPage int
	// TimeZone is the organization's time zone answers are written in
	// (default +05:30).
	TimeZone *time.Location
	// Counters and Faults plug the emulator into the sandbox middleware;
	// nil Counters get a fresh set, nil Faults inject nothing.
	Counters *sandbox.Counters
	Faults   *sandbox.Faults
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the emulator. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	h    http.Handler

	mu       sync.Mutex
	contacts map[string]*contact
	nextID   uint64
	minute   []time.Time // calls in the last minute
	day      struct {
		date  string
		calls int
	}
}

// New returns a Server with no contacts.
func New(opts Options) *Server {
	if opts.OrganizationID == "" {
		opts.OrganizationID = "10234695"
	}
	if opts.OrganizationName == "" {
		opts.OrganizationName = "Zillum"
	}
	if opts.PerMinute == 0 {
		opts.PerMinute = 100
	}
	if opts.PerDay == 0 {
		opts.PerDay = 5000
	}
	if opts.MaxPerPage <= 0 {
		opts.MaxPerPage = 200
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.FixedZone("IST", 5*3600+1800)
	}
	if opts.Counters == nil {
		opts.Counters = sandbox.NewCounters()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.CustomFields = append([]CustomField(nil), opts.CustomFields...)
	for i := range opts.CustomFields {
		f := &opts.CustomFields[i]
		if f.Index == 0 {
			f.Index = i + 1
		}
		if f.Label == "" {
			f.Label = strings.TrimPrefix(f.APIName, "cf_")
		}
	}
	s := &Server{opts: opts, contacts: map[string]*contact{}, nextID: 460000000026049}
	s.h = &sandbox.Emulator{System: SystemName, Endpoint: endpoint, WriteError: writeFault,
		Counters: opts.Counters, Faults: opts.Faults, Next: http.HandlerFunc(s.serve)}
	return s
}

// OrganizationID returns the organization's id.
func (s *Server) OrganizationID() string { return s.opts.OrganizationID }

// Counters returns the counters the server counts into.
func (s *Server) Counters() *sandbox.Counters { return s.opts.Counters }

// ServeHTTP serves the API under /books/v3/ (and the /__sandbox/ routes).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// endpoint names a request's route for counters and fault rules: ids
// become {id}, e.g. "/books/v3/contacts/{id}".
func endpoint(r *http.Request) string {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(seg) >= 4 && seg[2] == "contacts" {
		seg[3] = "{id}"
	}
	return "/" + strings.Join(seg, "/")
}

// writeFault writes an injected fault in Books' envelope.
func writeFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	switch f.Kind {
	case sandbox.Fault429:
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"code": codeRateLimit,
			"message": "You have made too many requests per minute. Please try again after some time."})
	case sandbox.Fault503:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"code": codeInternal, "message": "Service unavailable"})
	default:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"code": codeInternal, "message": "Internal error"})
	}
}

// The codes the emulator answers (see crm/zohobooks: only 0, 1000 and
// 1002 are documented by Books; the others are unconfirmed).
const (
	codeInvalid       = 2
	codeInvalidToken  = 14
	codeDailyLimit    = 44
	codeRateLimit     = 45
	codeNotAuthorized = 57
	codeInternal      = 1000
	codeNotFound      = 1002
	codeLocked        = 1038
	codeDuplicate     = 3062
	codeOrganization  = 6041
)

// apiErr is an error answer.
type apiErr struct {
	status int
	code   int
	msg    string
}

func writeErr(w http.ResponseWriter, e *apiErr) {
	writeJSON(w, e.status, map[string]any{"code": e.code, "message": e.msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// TestServer is a Server on a loopback listener.
type TestServer struct {
	*Server
	// URL is the base URL: the API root is URL + "/books/v3".
	URL string
	hs  *httptest.Server
}

// Start returns a TestServer for opts. Call Close when done.
func Start(opts Options) *TestServer {
	s := New(opts)
	hs := httptest.NewServer(s)
	return &TestServer{Server: s, URL: hs.URL, hs: hs}
}

// Close shuts the listener down.
func (t *TestServer) Close() { t.hs.Close() }
