package zohotest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// Options configures a Server. The zero value works: a US org with one
// client, one refresh token holding DefaultScopes, Enterprise limits.
type Options struct {
	// ClientID and ClientSecret identify the one registered OAuth client
	// (defaults "1000.SANDBOXCLIENT" and "sandbox-secret").
	ClientID, ClientSecret string
	// RefreshToken is a refresh token the client may use from the start
	// (default "1000.sandbox.refresh"); Scopes are its scopes
	// (DefaultScopes when empty).
	RefreshToken string
	Scopes       []string
	// DataCenter is the org's data center: US (default), EU, IN, AU, JP,
	// CA, CN or SA. Only that DC's accounts server knows the client.
	DataCenter string
	// OrgID is the org id (also Desk's orgId header value); default "60012345678".
	OrgID string
	// TokenTTL is the access token lifetime (default 1 h).
	TokenTTL time.Duration
	// RefreshLimit caps access tokens per refresh token per ten minutes
	// (default 10, as Zoho; negative for no cap).
	RefreshLimit int
	// Edition picks the API limits (sheet §6.1): free, standard,
	// professional, enterprise (default) or ultimate.
	Edition string
	// Users is the licensed user count that edition credits scale with
	// (default 10).
	Users int
	// DailyCredits overrides the edition's credits per rolling 24 h; a
	// negative value disables the credit ledger.
	DailyCredits int
	// DeskEdition picks Desk's API limits (sheet §8.3): free, express,
	// standard, professional or enterprise (default); Users counts agents.
	DeskEdition string
	// Concurrency overrides the edition's concurrent-call limit; a negative
	// value disables concurrency limits (including the sub-concurrency pool
	// of 10 for heavy calls).
	Concurrency int
	// PageTokenTTL is how long a list page_token stays valid (default 24 h).
	PageTokenTTL time.Duration
	// TimeZone is the API user's time zone datetimes are written in
	// (default +05:30, Zoho's own, so offsets are exercised).
	TimeZone *time.Location
	// FreezeModifiedTime is kept for old callers and has no effect:
	// Modified_Time always follows the clock (Now) in whole seconds, so
	// writes in the same second share one.
	//
	// Deprecated: writes in one second always share a Modified_Time.
	FreezeModifiedTime bool
	// StrictLayout checks the fields the standard layouts make mandatory
	// (Leads Company, Deals Closing_Date and Account_Name in a new org) on
	// every insert, as older API versions did, instead of only when a
	// record names its layout (Layout.id), as v8 does (sheet §5.3, §13.3).
	StrictLayout bool
	// BulkReadDelay keeps each bulk read job queued this long before it
	// runs (default 0: it runs at once), so that clients poll its state.
	BulkReadDelay time.Duration
	// BulkWriteDelay keeps each bulk write job ADDED this long before it
	// runs (default 0).
	BulkWriteDelay time.Duration
	// BulkPageSize is how many records one bulk read job exports (default
	// 200,000, as Zoho); tests make it small to exercise paging.
	BulkPageSize int
	// BulkDownloads is how many bulk read results may be downloaded in a
	// minute (default 10, as Zoho; negative: no limit).
	BulkDownloads int
	// Counters and Faults plug the emulator into the shared sandbox
	// middleware; nil Counters get a fresh set, nil Faults inject nothing.
	Counters *sandbox.Counters
	Faults   *sandbox.Faults
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the emulator: the org's accounts server, CRM and Desk over one
// in-memory store. Its methods are safe for concurrent use.
type Server struct {
	opts  Options
	dc    DataCenter
	oauth *oauthState

	mu      sync.RWMutex       // guards the CRM store below and desk
	modules map[string]*module // by lower-cased API name
	order   []*module
	users   []*user
	ids     idGen
	fieldID idGen
	clk     clock
	desk    *deskStore
	bulk    bulkStore
	bw      bulkWriteStore

	limits     *limiter
	deskLimits *limiter
	pageKey    []byte

	urlMu sync.RWMutex
	urls  struct{ accounts, api, desk string }

	accountsH, crmH, deskH http.Handler
}

// user is a CRM user: the owner of records.
type user struct {
	ID                         uint64
	FirstName, LastName, Email string
	Active                     bool
}

func (u *user) name() string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// New returns a Server with the standard modules and no records. Seed it
// with SeedCRM and SeedDesk.
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = "1000.SANDBOXCLIENT"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "sandbox-secret"
	}
	if opts.RefreshToken == "" {
		opts.RefreshToken = "1000.sandbox.refresh"
	}
	if opts.DataCenter == "" {
		opts.DataCenter = "US"
	}
	if opts.OrgID == "" {
		opts.OrgID = "60012345678"
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.PageTokenTTL <= 0 {
		opts.PageTokenTTL = 24 * time.Hour
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.FixedZone("IST", 5*3600+1800)
	}
	if opts.Users <= 0 {
		opts.Users = 10
	}
	if opts.Edition == "" {
		opts.Edition = "enterprise"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BulkPageSize <= 0 {
		opts.BulkPageSize = bulkPerPage
	}
	if opts.BulkDownloads == 0 {
		opts.BulkDownloads = bulkDownloadLimit
	}
	if opts.Counters == nil {
		opts.Counters = sandbox.NewCounters()
	}
	dc, ok := dataCenter(opts.DataCenter)
	if !ok {
		dc = DataCenters[0]
	}
	s := &Server{opts: opts, dc: dc, modules: map[string]*module{}}
	s.bulk.jobs = map[uint64]*bulkJob{}
	s.bw.files, s.bw.jobs = map[uint64]*bulkFile{}, map[uint64]*bulkWriteJob{}
	s.ids.base = crmIDBase
	s.fieldID.base = crmIDBase + 2_000_000_000
	s.clk = clock{now: opts.Now}
	s.oauth = &oauthState{clients: map[string]string{opts.ClientID: opts.ClientSecret},
		refresh: map[string]*refreshToken{}, access: map[string]*accessToken{}, codes: map[string]*authCode{}}
	scopes := opts.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	s.oauth.refresh[opts.RefreshToken] = &refreshToken{token: opts.RefreshToken, clientID: opts.ClientID, scopes: scopes}
	s.pageKey = make([]byte, 32)
	rand.Read(s.pageKey)
	s.limits = newLimiter(opts)
	s.deskLimits = newDeskLimiter(opts)
	s.users = []*user{{ID: s.ids.next(), FirstName: "Patricia", LastName: "Boyle", Email: "p.boyle@zylker.com", Active: true}}
	for _, d := range standardModules() {
		s.addModule(d, "default")
	}
	s.desk = newDeskStore()
	s.SetURLs("https://"+dc.Accounts, "https://"+dc.API, "https://"+dc.Desk)
	s.accountsH = s.wrap(systemAccounts, s.accountsEndpoint, writeAccountsFault, http.HandlerFunc(s.serveAccounts))
	s.crmH = s.wrap(systemCRM, s.crmEndpoint, writeCRMFault, http.HandlerFunc(s.serveCRM))
	s.deskH = s.wrap(systemDesk, s.deskEndpoint, writeDeskFault, http.HandlerFunc(s.serveDesk))
	return s
}

func (s *Server) now() time.Time { return s.opts.Now() }

func (s *Server) addModule(d moduleDef, generated string) *module {
	m := newModule(d.api, d.singular, d.plural, s.ids.next(), generated)
	m.DupField, m.NameField = d.dup, d.name
	m.Modified = s.now().Unix()
	for _, f := range commonFields() {
		f.id = s.fieldID.next()
		m.addField(f)
	}
	for _, f := range d.fields {
		f.id = s.fieldID.next()
		m.addField(f)
	}
	if d.api == "Deals" {
		m.history = map[uint64][]stageEntry{}
	}
	m.layout = newLayout(m, m.Modified)
	s.modules[strings.ToLower(d.api)] = m
	s.order = append(s.order, m)
	return m
}

// AddModule creates a custom module with the given API name and labels and
// a mandatory Name field (its duplicate-check field), like a module made in
// Zoho's setup. It fails if the name is taken.
func (s *Server) AddModule(apiName, singular, plural string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if apiName == "" || s.modules[strings.ToLower(apiName)] != nil {
		return &apiError{HTTP: 400, Code: "DUPLICATE_DATA", Message: "module " + apiName + " already exists or has no name"}
	}
	s.addModule(moduleDef{api: apiName, singular: singular, plural: plural, dup: "Name", name: "Name",
		fields: []*Field{mand(tf("Name", 120)), ff("Email", "email"), ff("Description", "textarea")}}, "custom")
	return nil
}

// AddField adds a field to a module at run time, as an admin adding a
// custom field would; existing records get it empty.
func (s *Server) AddField(moduleName string, f Field) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.modules[strings.ToLower(moduleName)]
	if m == nil {
		return errModule(0)
	}
	if f.APIName == "" || m.byName[f.APIName] != nil {
		return &apiError{HTTP: 400, Code: "DUPLICATE_DATA", Message: "field " + f.APIName + " already exists or has no name"}
	}
	if f.DataType == "" {
		f.DataType = "text"
	}
	if f.DataType == "lookup" && s.modules[strings.ToLower(f.LookupModule)] == nil {
		return &apiError{HTTP: 400, Code: "INVALID_DATA", Message: "lookup module " + f.LookupModule + " does not exist"}
	}
	nf := f
	nf.PickList = append([]string(nil), f.PickList...)
	nf.id = s.fieldID.next()
	m.addField(&nf)
	m.Modified = s.now().Unix()
	return nil
}

// SetURLs sets the public base URLs the emulator reports: the accounts
// server (the accounts-server of the auth redirect), the CRM API domain
// (api_domain of token answers) and the Desk root (webUrl of Desk records).
func (s *Server) SetURLs(accounts, apiDomain, desk string) {
	s.urlMu.Lock()
	defer s.urlMu.Unlock()
	s.urls.accounts = strings.TrimSuffix(accounts, "/")
	s.urls.api = strings.TrimSuffix(apiDomain, "/")
	s.urls.desk = strings.TrimSuffix(desk, "/")
}

// AccountsHandler serves the org's accounts server: POST /oauth/v2/token,
// /oauth/v2/token/revoke and GET /oauth/v2/auth. The other data centers'
// accounts servers are reachable under /accounts/{dc}/oauth/v2/... (or by
// a real accounts host name in the Host header); they know no client, so
// they answer invalid_client like the real ones.
func (s *Server) AccountsHandler() http.Handler { return s.accountsH }

// AccountsHandlerFor serves the accounts server of one data center (US,
// EU, IN, AU, JP, CA, CN, SA) whatever the path prefix or Host, so that a
// sandbox can give each DC its own listener. Only the org's own DC knows
// the client; the others answer invalid_client.
func (s *Server) AccountsHandlerFor(dc string) http.Handler {
	d, ok := dataCenter(dc)
	if !ok {
		d = s.dc
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		p := r.URL.Path
		if rest, ok := strings.CutPrefix(p, "/accounts/"); ok {
			if _, tail, ok := strings.Cut(rest, "/"); ok {
				p = "/" + tail
			}
		}
		r2.URL.Path = "/accounts/" + strings.ToLower(d.Code) + p
		r2.Host = ""
		s.accountsH.ServeHTTP(w, r2)
	})
}

// CRMHandler serves the CRM API under /crm/v8/.
func (s *Server) CRMHandler() http.Handler { return s.crmH }

// DeskHandler serves the Desk API under /api/v1/.
func (s *Server) DeskHandler() http.Handler { return s.deskH }

// ServeHTTP serves all three APIs on one mux: /oauth/ and /accounts/ go to
// the accounts server, /crm/ to CRM, /api/v1/ to Desk; /__sandbox/ routes
// are answered by the CRM middleware.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/oauth/"), strings.HasPrefix(p, "/accounts/"):
		s.accountsH.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/api/v1/"):
		s.deskH.ServeHTTP(w, r)
	default:
		s.crmH.ServeHTTP(w, r)
	}
}

// Counters returns the request counters the server counts into.
func (s *Server) Counters() *sandbox.Counters { return s.opts.Counters }

// OrgID returns the org id (Desk's orgId header value).
func (s *Server) OrgID() string { return s.opts.OrgID }

// ClientID returns the registered OAuth client id (Options.ClientID or its
// default).
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret returns the registered client's secret.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// RefreshToken returns the refresh token Options set up.
func (s *Server) RefreshToken() string { return s.opts.RefreshToken }

// apiURL returns the API domain the token answers report.
func (s *Server) apiURL() string {
	s.urlMu.RLock()
	defer s.urlMu.RUnlock()
	return s.urls.api
}

// accountsURL returns the accounts server URL the auth redirect reports.
func (s *Server) accountsURL() string {
	s.urlMu.RLock()
	defer s.urlMu.RUnlock()
	return s.urls.accounts
}

// TestServer is a Server listening on a loopback httptest server that
// serves all three APIs (Server.ServeHTTP).
type TestServer struct {
	*Server
	// URL is the base URL (http://127.0.0.1:port): the accounts server, the
	// API domain and the Desk host at once.
	URL string
	hs  *httptest.Server
}

// Start returns a TestServer for opts with its URLs set. Call Close when done.
func Start(opts Options) *TestServer {
	s := New(opts)
	hs := httptest.NewServer(s)
	s.SetURLs(hs.URL, hs.URL, hs.URL)
	return &TestServer{Server: s, URL: hs.URL, hs: hs}
}

// Close shuts the listener down.
func (t *TestServer) Close() { t.hs.Close() }
