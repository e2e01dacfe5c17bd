// Package campaignstest is an in-memory emulator of the Zoho Campaigns API
// v1.1 calls revops makes (reference sheet §9, §16): recentcampaigns,
// campaignreports and getcampaignrecipientsdata, answered as Campaigns
// answers them (HTTP 200 with "status":"error" and a numeric code for
// failures, JSON under resfmt=JSON), with fromindex/range paging and the
// per-API lock (500 calls in 5 minutes lock that API for 30 minutes).
//
// Access tokens come from the Zoho accounts emulator (Options.Tokens: a
// *zohotest.Server), as the real service shares the data center's accounts
// server; calls need ZohoCampaigns.campaign.READ or .ALL. It is seeded
// from a sandbox World's ZohoCampaigns projection (Seed), counts its
// requests and injects faults through the shared sandbox middleware
// (system "zoho_campaigns"). The package does not import testing, so
// `revops sandbox` can serve it.
//
// Where the sheet marks a detail unconfirmed (JSON key names of the
// reports and recipient rows, the action-time keys, the lock answer, the
// largest range), the emulator's choice is said in a comment next to it.
package campaignstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// System names the emulator in the sandbox counters and fault rules.
const System = string(sandbox.ZohoCampaigns)

// Root is the path prefix of the API (…/api/v1.1/).
const Root = "/api/v1.1/"

// The per-API lock (sheet §9, §16): each API has its own budget.
const (
	DefaultCallsPerWindow = 500
	DefaultWindow         = 5 * time.Minute
	DefaultLockFor        = 30 * time.Minute
)

// MaxRange is the largest page the emulator answers: 500 works live
// (sheet §16, secondary); whether more does is unconfirmed, so a larger
// range is cut to 500.
const MaxRange = 500

// DefaultRange is the page size when range is absent: the answer echoes
// fromindex=1, range=20 (sheet §16, secondary).
const DefaultRange = 20

// Tokens checks access tokens: *zohotest.Server implements it.
type Tokens interface {
	// TokenScopes reports whether token is live and its scopes, lower-cased.
	TokenScopes(token string) (map[string]bool, bool)
}

// Options configures a Server.
type Options struct {
	// Tokens validates the callers' access tokens; nil accepts any
	// non-empty token with every scope (for tests of the emulator alone).
	Tokens Tokens
	// CallsPerWindow, Window and LockFor shape the per-API lock (defaults
	// 500, 5 minutes, 30 minutes); a negative CallsPerWindow disables it.
	CallsPerWindow int
	Window         time.Duration
	LockFor        time.Duration
	// TimeZone is the account's time zone the display strings
	// (sent_time of a report, sentdate of a row) are written in (default UTC).
	TimeZone *time.Location
	// Counters and Faults plug the emulator into the shared sandbox
	// middleware; nil Counters get a fresh set, nil Faults inject nothing.
	Counters *sandbox.Counters
	Faults   *sandbox.Faults
	// Now is the clock of the lock windows and of AddEngagement's default
	// time (default time.Now).
	Now func() time.Time
}

// Server is the emulator. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	h    http.Handler

	mu        sync.RWMutex
	campaigns []*campaign
	byKey     map[string]*campaign
	// reportFailures answer this many campaignreports calls with 6001.
	reportFailures int

	lockMu sync.Mutex
	apis   map[string]*apiLock
}

// New returns a Server with no campaigns; Seed adds them.
func New(opts Options) *Server {
	if opts.CallsPerWindow == 0 {
		opts.CallsPerWindow = DefaultCallsPerWindow
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.LockFor <= 0 {
		opts.LockFor = DefaultLockFor
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Counters == nil {
		opts.Counters = sandbox.NewCounters()
	}
	s := &Server{opts: opts, byKey: map[string]*campaign{}, apis: map[string]*apiLock{}}
	s.h = &sandbox.Emulator{System: System, Endpoint: endpoint, WriteError: writeFault,
		Counters: opts.Counters, Faults: opts.Faults, Next: http.HandlerFunc(s.serve)}
	return s
}

func (s *Server) now() time.Time { return s.opts.Now() }

// ServeHTTP serves the API under /api/v1.1/ (and the /__sandbox/ routes).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Counters returns the request counters the server counts into.
func (s *Server) Counters() *sandbox.Counters { return s.opts.Counters }

// endpoint names a request for the counters and fault rules: the path.
func endpoint(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, Root) {
		return r.URL.Path
	}
	return "/{unknown}"
}

// writeFault writes an injected 429 or 5xx. Campaigns' own answer to
// these is unconfirmed: the emulator sends the status with a JSON body in
// its error shape.
func writeFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	status := http.StatusInternalServerError
	switch f.Kind {
	case sandbox.Fault429:
		status = http.StatusTooManyRequests
	case sandbox.Fault503:
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{"status": "error", "code": status, "message": http.StatusText(status)})
}

// TestServer is a Server on a loopback httptest server.
type TestServer struct {
	*Server
	// URL is the base URL; the API root is URL + "/api/v1.1".
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
