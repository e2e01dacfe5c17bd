// Package sftest is an in-process emulator of the Salesforce APIs a
// reverse-ETL pipeline uses: OAuth (token, revoke, userinfo), REST
// query/queryAll (parent-to-child subqueries, semi-joins and anti-joins,
// aggregate queries), describe, limits, sObject rows and Collections,
// Composite Batch,
// replication (getUpdated/getDeleted), Bulk API 2.0 ingest and query jobs,
// and the Tooling API's CustomField (create, read, update, query). Like net/http/httptest it serves an
// http.Handler over an in-memory org; tests start it with Start, and
// `revops sandbox` serves it on loopback. Paths, field API names, JSON
// envelopes, status codes and error bodies follow the reference sheet
// (shared/reference/salesforce-api.md) so that real client libraries work
// against it unchanged.
//
// The package does not import testing.
package sftest

import (
	"crypto"
	"crypto/x509"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// Defaults of Options.
const (
	DefaultAPIVersion    = "62.0"
	DefaultClientID      = "3MVG9revops.sandbox.consumer.key"
	DefaultClientSecret  = "revops-sandbox-consumer-secret"
	DefaultRefreshToken  = "5Aep861revops.sandbox.refresh.token"
	DefaultUsername      = "integration@revops.sandbox"
	DefaultTokenTTL      = 2 * time.Hour
	DefaultLocatorTTL    = 15 * time.Minute
	DefaultDailyAPILimit = 100000
)

// Options configures an emulated org. The zero value works: every empty
// field takes its Default… value.
type Options struct {
	// ClientID and ClientSecret identify the connected app.
	ClientID, ClientSecret string
	// RefreshToken is the one refresh token the refresh_token grant accepts.
	RefreshToken string
	// Username is the integration user: the JWT sub, the client-credentials
	// run-as user and the owner of records written through the API.
	Username string
	// JWTCert verifies JWT bearer assertions; PublicKey is used when it is
	// nil. With neither, the JWT grant answers invalid_grant.
	JWTCert   *x509.Certificate
	PublicKey crypto.PublicKey
	// TokenTTL is the session timeout of access tokens.
	TokenTTL time.Duration
	// APIVersion is the newest version served, e.g. "62.0".
	APIVersion string
	// DailyAPILimit is DailyApiRequests.Max; past it requests get 403
	// REQUEST_LIMIT_EXCEEDED.
	DailyAPILimit int
	// LocatorTTL is how long an idle query cursor lives.
	LocatorTTL time.Duration
	// ChildBatchSize is how many child records a parent-to-child subquery
	// returns inline (DefaultChildBatch when zero); more page through the
	// nested result's own nextRecordsUrl.
	ChildBatchSize int
	// Counters and Faults are handed to the sandbox middleware (nil: none).
	Counters *sandbox.Counters
	Faults   *sandbox.Faults
	// Now is the wall clock (time.Now when nil).
	Now func() time.Time
}

// Server is an emulated Salesforce org. It implements http.Handler (wrapped
// in the sandbox middleware) and is safe for concurrent use.
type Server struct {
	opts    Options
	handler http.Handler
	maxVer  int // newest API version, major number

	mu       sync.RWMutex // guards everything below
	baseURL  string
	tables   map[string]*table // lower-case object name → table
	byPrefix map[string]*table // key prefix → table
	order    []string          // object names in describeGlobal order
	clock    clock
	userSeq  int64 // the integration user's sequence
	tokens   map[string]time.Time
	// refreshIssued marks the access tokens of the refresh_token grant.
	refreshIssued map[string]bool
	// refreshRevoked makes the refresh_token grant refuse (RevokeRefreshToken).
	refreshRevoked bool
	// restricted holds "object.field" (lower case) the user may not read (RestrictField).
	restricted sync.Map
	apiUsed    int
	cursors    map[int64]*cursor
	curSeq     int64
	curLRU     []int64
	childLRU   []int64 // cursors of child record sets, apart from curLRU
	jobs       map[string]*job
	// tooling holds the Tooling API's CustomField records by "Object.Field".
	tooling    map[string]*toolingField
	toolingSeq int64
	jobSeq     int64
}

// New returns an emulated org with the standard objects, the integration
// fields and one user, the integration user. Call SetBaseURL before clients
// log in.
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.RefreshToken == "" {
		opts.RefreshToken = DefaultRefreshToken
	}
	if opts.Username == "" {
		opts.Username = DefaultUsername
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.APIVersion == "" {
		opts.APIVersion = DefaultAPIVersion
	}
	if opts.DailyAPILimit <= 0 {
		opts.DailyAPILimit = DefaultDailyAPILimit
	}
	if opts.LocatorTTL <= 0 {
		opts.LocatorTTL = DefaultLocatorTTL
	}
	if opts.ChildBatchSize <= 0 {
		opts.ChildBatchSize = DefaultChildBatch
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, baseURL: "http://127.0.0.1", tables: map[string]*table{}, byPrefix: map[string]*table{},
		tokens: map[string]time.Time{}, refreshIssued: map[string]bool{}, cursors: map[int64]*cursor{}, jobs: map[string]*job{},
		tooling: map[string]*toolingField{}}
	s.maxVer, _ = strconv.Atoi(strings.SplitN(opts.APIVersion, ".", 2)[0])
	if s.maxVer < 46 {
		s.maxVer = 46
	}
	s.clock.now = opts.Now
	born := msTime(opts.Now().UnixMilli())
	for _, def := range standardObjects() {
		s.tables[strings.ToLower(def.Name)] = newTable(def)
		s.tables[strings.ToLower(def.Name)].metaStamp = born
		s.byPrefix[def.KeyPrefix] = s.tables[strings.ToLower(def.Name)]
		s.order = append(s.order, def.Name)
	}
	s.userSeq = s.addIntegrationUser()
	s.registerAllTooling()
	s.handler = &sandbox.Emulator{System: string(sandbox.Salesforce), Endpoint: endpointOf,
		WriteError: writeFault, Counters: opts.Counters, Faults: opts.Faults, Next: http.HandlerFunc(s.route)}
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetBaseURL sets the URL the org reports as its login URL and
// instance_url, e.g. the httptest server's URL.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	s.baseURL = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// BaseURL returns the URL set by SetBaseURL.
func (s *Server) BaseURL() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.baseURL
}

// APIVersion returns the newest API version served, e.g. "62.0".
func (s *Server) APIVersion() string { return strconv.Itoa(s.maxVer) + ".0" }

// Credentials returns the connected app's client id and secret, the refresh
// token and the integration username the org accepts.
func (s *Server) Credentials() (clientID, clientSecret, refreshToken, username string) {
	return s.opts.ClientID, s.opts.ClientSecret, s.opts.RefreshToken, s.opts.Username
}

// FreezeClock makes every write from now on stamp exactly t (CreatedDate,
// LastModifiedDate, SystemModstamp), so that tests can produce ties; the
// zero time thaws the clock, which then never repeats a millisecond.
func (s *Server) FreezeClock(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.IsZero() {
		s.clock.frozen = 0
		return
	}
	s.clock.frozen = toMS(t)
	if s.clock.frozen > s.clock.last {
		s.clock.last = s.clock.frozen
	}
}

// table returns the table of the named object (case-insensitive).
func (s *Server) table(name string) *table { return s.tables[strings.ToLower(name)] }

// addIntegrationUser creates the API user; the caller need not hold mu (New).
func (s *Server) addIntegrationUser() int64 {
	t := s.table("User")
	now := s.clock.tick()
	r := record{}
	vals := map[string]any{"FirstName": "Integration", "LastName": "User", "Name": "Integration User",
		"Username": s.opts.Username, "Email": s.opts.Username, "Alias": "integ", "CommunityNickname": "integration",
		"IsActive": true, "TimeZoneSidKey": "America/Los_Angeles", "LocaleSidKey": "en_US",
		"EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US", "ProfileId": To18("00e5g000000AbCd"),
		"IsDeleted": false, "CreatedDate": now, "LastModifiedDate": now, "SystemModstamp": now}
	for k, v := range vals {
		_, i, _ := t.def.field(k)
		r.set(i, v)
	}
	t.recs = append(t.recs, r)
	seq := int64(len(t.recs))
	rec := &t.recs[seq-1]
	rec.set(t.iCreatedBy, t.id(seq))
	rec.set(t.iModifiedBy, t.id(seq))
	t.indexAdd(seq, rec)
	return seq
}

// userID is the integration user's id.
func (s *Server) userID() string { return makeID("005", s.userSeq) }
