// Package sftest is a local emulator of the Snowflake service as the
// gosnowflake driver speaks to it: login (password and key-pair JWT),
// session renewal and close, query requests answered in JSON or Arrow and
// split into result chunks, long and asynchronous queries (333334 and
// their result URL), multi-statement requests, PUT to a stage (answered
// as a local-filesystem stage, which the driver copies to itself), COPY
// INTO from Parquet files, REMOVE, and transactions (DDL commits an open
// one, as in Snowflake). Statements run on an embedded DuckDB after a
// translation of the Snowflake SQL revops emits; anything else is refused
// with Snowflake's error shape. Faults (HTTP 429/5xx, failed statements,
// slow statements, expired sessions) are injectable and every request is
// counted.
//
// The unchanged driver reaches it over loopback:
//
//	srv := sftest.New(t, sftest.Options{Password: "pw"})
//	cfg := gosnowflake.Config{Account: "revops", User: "revops", Password: "pw",
//		Host: srv.Host, Port: srv.Port, Protocol: "http"}
//
// Differences from the service, by design: one DuckDB database stands for
// the account (database names are echoed, not separate); temporary tables
// are ordinary tables dropped when their session closes; names resolve by
// Snowflake's rule (unquoted upper-case, quoted exact: ID, "ID" and "Id"
// name two columns), kept apart in DuckDB, which matches names
// case-insensitively, by the spelling encodeName stores them in, so a
// quoted identifier holding '~' is refused; results are JSON unless the
// session sets GO_QUERY_RESULT_FORMAT to ARROW (the service's default for
// Go clients), and integers always
// travel as int64; grants are not emulated; the functions the shared
// conformance suite borrows from DuckDB (see suiteOnly) are accepted.
package sftest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
)

// Options configure an emulator.
type Options struct {
	// Account, User and Password are what logins must present; empty
	// Password accepts any password. Defaults: "revops", "REVOPS", "".
	Account, User, Password string
	// PublicKey, when set, is the user's registered key: key-pair (JWT)
	// logins must be signed by its private key.
	PublicKey *rsa.PublicKey
	// ChunkRows is the most rows one reply or chunk carries; larger
	// results are split into chunks the driver downloads. Default 1000.
	ChunkRows int
}

// Error is a Snowflake application error: HTTP 200 with success false.
type Error struct {
	Code    string // digit string, e.g. "002003"
	State   string // SQLSTATE
	Message string
}

func (e *Error) Error() string { return e.Code + " (" + e.State + "): " + e.Message }

// Stats counts what the emulator served.
type Stats struct {
	Requests   map[string]int // by path
	Logins     int
	Renewals   int
	Statements int            // statements executed, multi-statement children included
	ByKind     map[string]int // statements by first keyword (SELECT, MERGE, COPY, PUT, ...)
	PutFiles   int            // files PUT to stages (as announced to the driver)
	CopyFiles  int            // files loaded by COPY INTO
	CopyBytes  int64          // bytes of the files COPY INTO loaded
	CopyRows   int64
	Chunks     int // result chunks downloaded
	// ArrowResults and JSONResults count query results by format.
	ArrowResults, JSONResults int
}

// Server is a running emulator.
type Server struct {
	URL  string
	Host string
	Port int

	opts  Options
	hs    *httptest.Server
	db    *sql.DB
	dir   string // stages live under dir/stages
	mu    sync.Mutex
	sess  map[string]*session // by session token
	mast  map[string]*session // by master token
	res   map[string]*queryResult
	chunk map[string]string // chunk path → body
	stats Stats
	// faults
	httpFaults  []httpFault
	queryFaults []queryFault
	slow        []queryFault               // statements answered as still running
	loaded      map[string]map[string]bool // table → files COPY loaded (load metadata)
	seq         int
}

type httpFault struct {
	path   string
	status int
	times  int
}

type queryFault struct {
	contains string
	err      Error
	times    int
}

// New starts an emulator for the test; it stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts, t.TempDir())
	if err != nil {
		t.Fatalf("sftest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts an emulator keeping its stages under dir. Close stops it.
func Start(opts Options, dir string) (*Server, error) {
	if opts.Account == "" {
		opts.Account = "revops"
	}
	if opts.User == "" {
		opts.User = "REVOPS"
	}
	if opts.ChunkRows <= 0 {
		opts.ChunkRows = 1000
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	for _, q := range setupSQL {
		if _, err := db.Exec(q); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("set up duckdb (%s): %w", q, err)
		}
	}
	s := &Server{opts: opts, db: db, dir: dir, sess: map[string]*session{}, mast: map[string]*session{},
		res: map[string]*queryResult{}, chunk: map[string]string{}, loaded: map[string]map[string]bool{},
		stats: Stats{Requests: map[string]int{}, ByKind: map[string]int{}}}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.hs.URL
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	return s, nil
}

// setupSQL makes DuckDB answer the Snowflake functions that differ, and
// the catalog views information_schema.tables/columns translate to (names
// read back in Snowflake's spelling, see decodeName).
var setupSQL = []string{
	`SET TimeZone = 'UTC'`,
	`CREATE MACRO iff(c, a, b) AS CASE WHEN c THEN a ELSE b END`,
	`CREATE MACRO nvl(a, b) AS coalesce(a, b)`,
	`CREATE MACRO nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END`,
	`CREATE MACRO zeroifnull(a) AS coalesce(a, 0)`,
	`CREATE MACRO div0(a, b) AS CASE WHEN b = 0 THEN 0 ELSE a / b END`,
	`CREATE MACRO to_varchar(x) AS CAST(x AS VARCHAR)`,
	`CREATE MACRO to_char(x) AS CAST(x AS VARCHAR)`,
	`CREATE MACRO to_number(x) AS CAST(x AS DECIMAL(38,0))`,
	`CREATE MACRO to_decimal(x) AS CAST(x AS DECIMAL(38,0))`,
	`CREATE MACRO to_double(x) AS CAST(x AS DOUBLE)`,
	`CREATE MACRO to_boolean(x) AS CAST(x AS BOOLEAN)`,
	`CREATE MACRO to_date(x) AS CAST(x AS DATE)`,
	`CREATE MACRO to_timestamp(x) AS CAST(x AS TIMESTAMP)`,
	`CREATE MACRO to_timestamp_ntz(x) AS CAST(x AS TIMESTAMP)`,
	`CREATE MACRO to_timestamp_tz(x) AS CAST(x AS TIMESTAMPTZ)`,
	`CREATE MACRO to_timestamp_ltz(x) AS CAST(x AS TIMESTAMPTZ)`,
	`CREATE MACRO parse_json(x) AS CAST(x AS JSON)`,
	`CREATE MACRO try_parse_json(x) AS TRY_CAST(x AS JSON)`,
	`CREATE MACRO to_variant(x) AS to_json(x)`,
	`CREATE MACRO jarowinkler_similarity(a, b) AS round(jaro_winkler_similarity(a, b) * 100)`,
	`CREATE MACRO editdistance(a, b) AS levenshtein(a, b)`,
	`CREATE MACRO regexp_instr(x, p) AS CASE WHEN regexp_matches(x, p) THEN 1 ELSE 0 END`,
	`CREATE MACRO regexp_like(x, p) AS regexp_full_match(x, p)`,
	`CREATE MACRO rlike(x, p) AS regexp_full_match(x, p)`,
	`CREATE MACRO regexp_substr(x, p) AS nullif(regexp_extract(x, p), '')`,
	`CREATE MACRO sf_regexp_replace(x, p, r) AS regexp_replace(x, p, r, 'g')`,
	`CREATE MACRO md5_hex(x) AS md5(x)`,
	`CREATE MACRO startswith(a, b) AS starts_with(a, b)`,
	`CREATE MACRO endswith(a, b) AS suffix(a, b)`,
	`CREATE MACRO charindex(a, b) AS strpos(b, a)`,
	`CREATE MACRO array_size(a) AS json_array_length(a)`,
	`CREATE MACRO listagg(x, sep) AS string_agg(x, sep)`,
	// GET(variant, 'key') as revops emits it, always cast to VARCHAR
	// (GET(x, 'id')::VARCHAR, the text of a field of a landed struct):
	// the text of the key's value, so the cast after it changes nothing.
	`CREATE MACRO sf_get(x, k) AS json_extract_string(x, '$."' || k || '"')`,
	`CREATE MACRO sf_dateadd(u, n, d) AS d + CAST(CAST(n AS VARCHAR) || ' ' || u AS INTERVAL)`,
	nameMacro,
	`CREATE SCHEMA __sf`,
	`CREATE VIEW __sf.tables AS SELECT table_catalog, sf_name(table_schema) AS table_schema, sf_name(table_name) AS table_name,
		CASE table_type WHEN 'VIEW' THEN 'VIEW' ELSE 'BASE TABLE' END AS table_type
		FROM information_schema.tables WHERE table_schema NOT IN ('__sf', 'information_schema', 'pg_catalog')`,
	`CREATE VIEW __sf.columns AS SELECT table_catalog, sf_name(table_schema) AS table_schema, sf_name(table_name) AS table_name,
		sf_name(column_name) AS column_name, ordinal_position, is_nullable,
		CASE WHEN data_type LIKE 'DECIMAL%' OR data_type IN ('BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT') THEN 'NUMBER'
			WHEN data_type = 'VARCHAR' THEN 'TEXT'
			WHEN data_type IN ('DOUBLE', 'FLOAT') THEN 'FLOAT'
			WHEN data_type = 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_TZ'
			WHEN data_type = 'TIMESTAMP' THEN 'TIMESTAMP_NTZ'
			WHEN data_type = 'JSON' THEN 'VARIANT'
			WHEN data_type = 'BLOB' THEN 'BINARY'
			ELSE data_type END AS data_type,
		CASE WHEN data_type LIKE 'DECIMAL%' THEN numeric_precision WHEN data_type IN ('BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT') THEN 38 END AS numeric_precision,
		CASE WHEN data_type LIKE 'DECIMAL%' THEN numeric_scale WHEN data_type IN ('BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT') THEN 0 END AS numeric_scale
		FROM information_schema.columns WHERE table_schema NOT IN ('__sf', 'information_schema', 'pg_catalog')`,
}

// Close stops the emulator and its database.
func (s *Server) Close() {
	s.hs.Close()
	s.mu.Lock()
	for _, se := range s.sess {
		se.close()
	}
	s.sess = map[string]*session{}
	s.mu.Unlock()
	_ = s.db.Close()
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = map[string]int{}
	for k, v := range s.stats.Requests {
		st.Requests[k] = v
	}
	st.ByKind = map[string]int{}
	for k, v := range s.stats.ByKind {
		st.ByKind[k] = v
	}
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{Requests: map[string]int{}, ByKind: map[string]int{}}
}

// FailHTTP answers the next times requests whose path starts with path
// with the HTTP status (429, 503, ...) instead of serving them.
func (s *Server) FailHTTP(path string, status, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpFaults = append(s.httpFaults, httpFault{path: path, status: status, times: times})
}

// FailStatement fails the next times statements containing contains
// (case-insensitive) with the Snowflake error e, before running them.
func (s *Server) FailStatement(contains string, e Error, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queryFaults = append(s.queryFaults, queryFault{contains: strings.ToLower(contains), err: e, times: times})
}

// SlowStatement answers the next times statements containing contains
// (case-insensitive) as long queries: "execution in progress" (333334),
// the result fetched afterwards from its getResultUrl.
func (s *Server) SlowStatement(contains string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow = append(s.slow, queryFault{contains: strings.ToLower(contains), times: times})
}

func (s *Server) pending(sqlText string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	low := strings.ToLower(sqlText)
	for i := range s.slow {
		if f := &s.slow[i]; f.times > 0 && strings.Contains(low, f.contains) {
			f.times--
			return true
		}
	}
	return false
}

// ExpireSessions makes every open session's token expire: its next
// request gets 390112 and the driver renews it with the master token.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, se := range s.sess {
		se.expired = true
	}
}

func (s *Server) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("01b%05x-0000-%s", s.seq, hex.EncodeToString(b[:]))
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// session is one login: its DuckDB connection holds its transaction.
type session struct {
	mu       sync.Mutex
	id       int64
	token    string
	master   string
	conn     *sql.Conn
	inTxn    bool
	expired  bool
	arrow    bool // answer SELECTs in Arrow (GO_QUERY_RESULT_FORMAT = ARROW)
	database string
	schema   string
	wh, role string
	temps    []string // temporary tables, dropped at close
}

func (se *session) close() {
	se.mu.Lock()
	defer se.mu.Unlock()
	if se.conn == nil {
		return
	}
	ctx := context.Background()
	if se.inTxn {
		_, _ = se.conn.ExecContext(ctx, "ROLLBACK")
	}
	for _, t := range se.temps {
		_, _ = se.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t)
	}
	_ = se.conn.Close()
	se.conn = nil
}

type envelope struct {
	Success bool `json:"success"`
	Code    any  `json:"code"`
	Message any  `json:"message"`
	Data    any  `json:"data"`
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *Error, queryID string) {
	writeJSON(w, envelope{Success: false, Code: e.Code, Message: e.Message,
		Data: map[string]any{"queryId": queryID, "sqlState": e.State, "errorCode": e.Code, "age": 0}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests[r.URL.Path]++
	for i := range s.httpFaults {
		f := &s.httpFaults[i]
		if f.times > 0 && strings.HasPrefix(r.URL.Path, f.path) {
			f.times--
			s.mu.Unlock()
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, http.StatusText(f.status), f.status)
			return
		}
	}
	s.mu.Unlock()
	switch {
	case r.URL.Path == "/session/v1/login-request":
		s.login(w, r)
	case r.URL.Path == "/session/token-request":
		s.renew(w, r)
	case r.URL.Path == "/session" && r.URL.Query().Get("delete") == "true":
		s.logout(w, r)
	case r.URL.Path == "/telemetry/send", r.URL.Path == "/session/heartbeat", r.URL.Path == "/queries/v1/abort-request":
		writeJSON(w, envelope{Success: true})
	case r.URL.Path == "/queries/v1/query-request":
		s.query(w, r)
	case strings.HasPrefix(r.URL.Path, "/queries/") && strings.HasSuffix(r.URL.Path, "/result"):
		s.result(w, r)
	case strings.HasPrefix(r.URL.Path, "/chunks/"):
		s.mu.Lock()
		body, ok := s.chunk[r.URL.Path]
		if ok {
			s.stats.Chunks++
		}
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, body)
	default:
		http.NotFound(w, r)
	}
}

type loginRequest struct {
	Data struct {
		AccountName   string `json:"ACCOUNT_NAME"`
		LoginName     string `json:"LOGIN_NAME"`
		Password      string `json:"PASSWORD"`
		Authenticator string `json:"AUTHENTICATOR"`
		Token         string `json:"TOKEN"`
		// SessionParameters holds the connection's Params.
		SessionParameters map[string]any `json:"SESSION_PARAMETERS"`
	} `json:"data"`
}

var errBadLogin = &Error{Code: "390100", State: "08004", Message: "Incorrect username or password was specified."}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad login body", http.StatusBadRequest)
		return
	}
	d := req.Data
	jwt := strings.EqualFold(d.Authenticator, "SNOWFLAKE_JWT")
	// A key-pair login names its user in the token, not in LOGIN_NAME.
	if !strings.EqualFold(d.AccountName, s.opts.Account) || !jwt && !strings.EqualFold(d.LoginName, s.opts.User) {
		writeError(w, errBadLogin, "")
		return
	}
	switch strings.ToUpper(d.Authenticator) {
	case "SNOWFLAKE_JWT":
		if err := s.checkJWT(d.Token); err != nil {
			writeError(w, &Error{Code: "390144", State: "08004", Message: "JWT token is invalid. " + err.Error()}, "")
			return
		}
	case "", "SNOWFLAKE":
		if s.opts.Password != "" && d.Password != s.opts.Password {
			writeError(w, errBadLogin, "")
			return
		}
	default:
		writeError(w, &Error{Code: "390100", State: "08004", Message: "authenticator " + d.Authenticator + " is not emulated"}, "")
		return
	}
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	se := &session{token: newToken(), master: newToken(), conn: conn,
		database: q.Get("databaseName"), schema: q.Get("schemaName"), wh: q.Get("warehouse"), role: q.Get("roleName")}
	if se.schema == "" {
		se.schema = "PUBLIC"
	}
	for k, v := range d.SessionParameters {
		if strings.EqualFold(k, "GO_QUERY_RESULT_FORMAT") {
			se.arrow = strings.EqualFold(fmt.Sprint(v), "ARROW")
		}
	}
	s.mu.Lock()
	s.seq++
	se.id = int64(1000 + s.seq)
	s.sess[se.token] = se
	s.mast[se.master] = se
	s.stats.Logins++
	s.mu.Unlock()
	writeJSON(w, envelope{Success: true, Data: map[string]any{
		"token": se.token, "masterToken": se.master, "sessionId": se.id,
		"validityInSeconds": 3600, "masterValidityInSeconds": 14400,
		"parameters":  []map[string]any{{"name": "TIMEZONE", "value": "UTC"}, {"name": "CLIENT_SESSION_KEEP_ALIVE", "value": false}},
		"sessionInfo": map[string]any{"databaseName": se.database, "schemaName": se.schema, "warehouseName": se.wh, "roleName": se.role},
	}})
}

// checkJWT verifies a key-pair login token: RS256 over header.payload,
// subject ACCOUNT.USER, not expired; signed by PublicKey when one is set.
func (s *Server) checkJWT(tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	if want := strings.ToUpper(s.opts.Account) + "." + strings.ToUpper(s.opts.User); !strings.EqualFold(claims.Sub, want) {
		return fmt.Errorf("subject %q, want %q", claims.Sub, want)
	}
	if claims.Exp < time.Now().Unix() {
		return fmt.Errorf("expired")
	}
	if s.opts.PublicKey == nil {
		return nil
	}
	der, err := x509.MarshalPKIXPublicKey(s.opts.PublicKey)
	if err != nil {
		return err
	}
	fp := sha256.Sum256(der)
	if !strings.HasSuffix(claims.Iss, ".SHA256:"+base64.StdEncoding.EncodeToString(fp[:])) {
		return fmt.Errorf("issuer does not name the registered key's fingerprint")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(s.opts.PublicKey, crypto.SHA256, h[:], sig); err != nil {
		return fmt.Errorf("signature does not verify")
	}
	return nil
}

func authToken(r *http.Request) string {
	a := r.Header.Get("Authorization")
	const p = `Snowflake Token="`
	if !strings.HasPrefix(a, p) || !strings.HasSuffix(a, `"`) {
		return ""
	}
	return a[len(p) : len(a)-1]
}

func (s *Server) renew(w http.ResponseWriter, r *http.Request) {
	var req struct {
		OldSessionToken string `json:"oldSessionToken"`
		RequestType     string `json:"requestType"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	se, ok := s.mast[authToken(r)]
	if !ok {
		s.mu.Unlock()
		writeError(w, &Error{Code: "390114", State: "08001", Message: "Authentication token has expired.  The user must authenticate again."}, "")
		return
	}
	delete(s.sess, se.token)
	se.token = newToken()
	se.expired = false
	s.sess[se.token] = se
	s.stats.Renewals++
	s.mu.Unlock()
	writeJSON(w, envelope{Success: true, Data: map[string]any{
		"sessionToken": se.token, "validityInSecondsST": 3600, "masterToken": se.master, "validityInSecondsMT": 14400, "sessionId": se.id}})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	se, ok := s.sess[authToken(r)]
	if ok {
		delete(s.sess, se.token)
		delete(s.mast, se.master)
	}
	s.mu.Unlock()
	if ok {
		se.close()
	}
	writeJSON(w, envelope{Success: true})
}

// session returns the request's session, or writes the error.
func (s *Server) session(w http.ResponseWriter, r *http.Request) *session {
	s.mu.Lock()
	se, ok := s.sess[authToken(r)]
	expired := ok && se.expired
	s.mu.Unlock()
	switch {
	case !ok:
		writeError(w, &Error{Code: "390104", State: "08001", Message: "User must login again to access the service."}, "")
		return nil
	case expired:
		writeError(w, &Error{Code: "390112", State: "08001", Message: "Your session has expired. Please login again."}, "")
		return nil
	}
	return se
}

func (s *Server) result(w http.ResponseWriter, r *http.Request) {
	if s.session(w, r) == nil {
		return
	}
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/queries/"), "/result")
	s.mu.Lock()
	res, ok := s.res[id]
	s.mu.Unlock()
	if !ok {
		writeError(w, &Error{Code: "000709", State: "02000", Message: "Statement " + id + " not found"}, id)
		return
	}
	writeJSON(w, envelope{Success: true, Data: res.data})
}

// stageDir is where a stage's files live: @~ (the user stage), @%table
// and named stages each get a directory.
func (s *Server) stageDir(stage string) (string, error) {
	name := strings.TrimPrefix(stage, "@")
	name = strings.Trim(name, `"`)
	switch {
	case name == "~":
		name = "_user"
	case strings.HasPrefix(name, "%"):
		name = "_table_" + strings.ToUpper(name[1:])
	default:
		name = strings.ToUpper(name)
	}
	if name == "" || strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") {
		return "", fmt.Errorf("bad stage %q", stage)
	}
	d := filepath.Join(s.dir, "stages", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	return d, nil
}

// StageFiles lists the files in every stage, relative to the stages' root.
func (s *Server) StageFiles() []string {
	var out []string
	root := filepath.Join(s.dir, "stages")
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}
