// Package bqtest is a local emulator of BigQuery's REST API (v2) for
// tests and demos: the official Go client (cloud.google.com/go/bigquery)
// reaches it unchanged over loopback with option.WithEndpoint(s.URL()+"/")
// and option.WithoutAuthentication().
//
// It serves datasets, tables (get, insert, patch, update, delete, list),
// query jobs (jobs.insert, jobs.query, getQueryResults with paging, jobs.get
// polling), load jobs from Parquet uploads (multipart and resumable) and
// the error shapes of the real service, and executes SQL on an embedded
// DuckDB after translating the GoogleSQL revops emits (translate.go);
// anything else is refused with a clear invalidQuery error.
//
// Faults are injectable (FailNext, FailJobs) and every request is counted.
// The package does not import testing, so a dev command can serve it.
package bqtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the engine behind the emulator
)

// Server is a running emulator. Its zero value is not usable: call New.
type Server struct {
	project string
	srv     *httptest.Server
	db      *sql.DB
	dir     string // uploaded files
	log     *slog.Logger

	pageRows int

	mu       sync.Mutex
	datasets map[string]*dataset // by id
	jobs     map[string]*job     // by job id
	requests map[string]int      // "GET tables.get" -> count
	faults   []fault
	jobFails []jobFault
	seq      int
	// requestIDs dedupes jobs.query retries (the client re-sends the same requestId).
	requestIDs map[string]string
	uploads    map[string]*uploadSession

	// ddlMu serializes DDL and scripts against DuckDB's catalog conflicts.
	ddlMu sync.Mutex

	storageState
}

type dataset struct {
	ID       string
	Location string
	Created  time.Time
	Hidden   bool // the anonymous dataset of query results: not listed
}

// Option configures New.
type Option func(*Server)

// WithProject sets the project id the emulator answers for ("revops-test" by default).
func WithProject(p string) Option { return func(s *Server) { s.project = p } }

// WithPageRows sets how many rows one page of results holds (default 10000),
// so tests can exercise paging with small results.
func WithPageRows(n int) Option { return func(s *Server) { s.pageRows = n } }

// WithLogger logs every request at debug level.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// New starts an emulator on a loopback port.
func New(opts ...Option) (*Server, error) {
	s := &Server{
		project:    "revops-test",
		pageRows:   10000,
		datasets:   map[string]*dataset{},
		jobs:       map[string]*job{},
		requests:   map[string]int{},
		requestIDs: map[string]string{},
		log:        slog.New(slog.DiscardHandler),
	}
	s.streamRows = 50000
	s.sessions = map[string]*readSession{}
	for _, o := range opts {
		o(s)
	}
	dir, err := os.MkdirTemp("", "bqtest-")
	if err != nil {
		return nil, fmt.Errorf("bqtest: %w", err)
	}
	s.dir = dir
	db, err := sql.Open("duckdb", "")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("bqtest: open duckdb: %w", err)
	}
	s.db = db
	for _, q := range setupSQL {
		if _, err := db.Exec(q); err != nil {
			_ = db.Close()
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("bqtest: set up duckdb (%s): %w", q, err)
		}
	}
	if _, err := db.Exec("CREATE SCHEMA " + quoteIdent(anonDataset)); err != nil {
		_ = db.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("bqtest: set up duckdb: %w", err)
	}
	s.datasets[anonDataset] = &dataset{ID: anonDataset, Location: "US", Created: time.Now(), Hidden: true}
	if s.streamRows < 1 {
		s.streamRows = 1
	}
	if err := s.startStorage(); err != nil {
		_ = db.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// setupSQL runs once: UTC session time and the macros that give GoogleSQL
// functions their DuckDB bodies.
var setupSQL = []string{
	`SET TimeZone = 'UTC'`,
	`CREATE MACRO to_json_string(x) AS CAST(to_json(x) AS VARCHAR)`,
	`CREATE MACRO timestamp_add(ts, i) AS ts + i`,
	`CREATE MACRO timestamp_sub(ts, i) AS ts - i`,
	// count_if over only NULLs is NULL in DuckDB; COUNTIF is 0 in BigQuery.
	`CREATE MACRO countif(x) AS count(CASE WHEN x THEN 1 END)`,
	`CREATE MACRO safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END`,
	// DATE(ts) is the UTC date of a timestamp; DATE(y, m, d) is not emulated.
	`CREATE MACRO date_bq(x) AS CAST(x AS DATE)`,
	// CAST(x AS STRING): a NUMERIC without trailing zeros, as GoogleSQL writes it.
	`CREATE MACRO string_bq(x) AS CASE WHEN typeof(x) LIKE 'DECIMAL%' AND contains(CAST(x AS VARCHAR), '.')
		THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.') ELSE CAST(x AS VARCHAR) END`,
	// DIV is integer division (toward zero).
	`CREATE MACRO div_bq(a, b) AS CAST(trunc(a / b) AS BIGINT)`,
	// LEFT and RIGHT refuse a negative length (DuckDB counts it from the other
	// end); the message is the emulator's own, the service's wording is unconfirmed.
	`CREATE MACRO left_bq(x, n) AS CASE WHEN n < 0 THEN error('LEFT: the length may not be negative') ELSE left(x, n) END`,
	`CREATE MACRO right_bq(x, n) AS CASE WHEN n < 0 THEN error('RIGHT: the length may not be negative') ELSE right(x, n) END`,
}

// URL is the emulator's base URL (no trailing slash); pass URL()+"/" to
// option.WithEndpoint.
func (s *Server) URL() string { return s.srv.URL }

// Project is the project id the emulator answers for.
func (s *Server) Project() string { return s.project }

// Close stops the emulator and frees its database.
func (s *Server) Close() {
	s.srv.Close()
	s.grpc.Stop()
	_ = s.db.Close()
	_ = os.RemoveAll(s.dir)
}

// Requests returns how many requests of each kind were served, keyed by
// method name ("jobs.query", "jobs.insert", "upload", "tables.get", ...).
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// ResetRequests zeroes the request counts.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[string]int{}
}

// Fault kinds FailNext can inject.
const (
	RateLimited  = "rateLimitExceeded" // HTTP 403, retried by the client
	TooMany      = "tooManyRequests"   // HTTP 429 with reason rateLimitExceeded, retried by the client
	BackendError = "backendError"      // HTTP 503, retried by the client
	InternalErr  = "internalError"     // HTTP 500
	QuotaExceed  = "quotaExceeded"     // HTTP 403, not retried
)

type fault struct {
	method string // "" = any
	n      int
	reason string
}

// FailNext makes the next n requests of method ("jobs.query",
// "jobs.insert", "upload", "getQueryResults", "tables.get", ... or "" for
// any) fail with reason (RateLimited, BackendError, InternalErr,
// QuotaExceed) in the service's error shape.
func (s *Server) FailNext(method string, n int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, n: n, reason: reason})
}

type jobFault struct {
	contains string
	n        int
	message  string
}

// FailJobs makes the next n jobs whose SQL contains substr (or, for a load
// job, whose destination table name does) finish DONE with an errorResult
// of reason jobInternalError carrying message, without running. (A
// retryable reason such as backendError would make the client poll the
// failed job for ever.)
func (s *Server) FailJobs(substr string, n int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobFails = append(s.jobFails, jobFault{contains: substr, n: n, message: message})
}

func (s *Server) takeJobFault(text string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.jobFails {
		f := &s.jobFails[i]
		if f.n > 0 && strings.Contains(text, f.contains) {
			f.n--
			return f.message, true
		}
	}
	return "", false
}

func (s *Server) takeFault(method string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		f := &s.faults[i]
		if f.n > 0 && (f.method == "" || f.method == method) {
			f.n--
			return f.reason, true
		}
	}
	return "", false
}

// apiError is an error in the service's JSON shape.
type apiError struct {
	code     int
	reason   string
	message  string
	location string
}

func (e *apiError) Error() string { return e.message }

func errf(code int, reason, format string, args ...any) *apiError {
	return &apiError{code: code, reason: reason, message: fmt.Sprintf(format, args...)}
}

var statusNames = map[int]string{
	400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS",
	412: "FAILED_PRECONDITION", 500: "INTERNAL", 503: "UNAVAILABLE",
}

func writeError(w http.ResponseWriter, e *apiError) {
	item := map[string]any{"message": e.message, "domain": "global", "reason": e.reason}
	if e.location != "" {
		item["location"], item["locationType"] = e.location, "other"
	}
	body := map[string]any{"error": map[string]any{
		"code": e.code, "message": e.message, "errors": []any{item}, "status": statusNames[e.code],
	}}
	writeJSON(w, e.code, body)
}

func faultError(reason string) *apiError {
	switch reason {
	case TooMany:
		return errf(429, RateLimited, "Too many requests. (injected)")
	case RateLimited:
		return errf(403, reason, "Exceeded rate limits: too many api requests per user per method for this user_method. (injected)")
	case QuotaExceed:
		return errf(403, reason, "Quota exceeded: Your project exceeded quota for table modifications. (injected)")
	case InternalErr:
		return errf(500, reason, "An internal error occurred and the request could not be completed. (injected)")
	default:
		return errf(503, BackendError, "Backend error. Job aborted. (injected)")
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// route is one REST method: HTTP method, path pattern under /projects/{p}
// and handler.
type route struct {
	method, pattern, name string
	fn                    func(ctx context.Context, r *http.Request, args []string) (any, *apiError)
}

func (s *Server) routes() []route {
	return []route{
		{"GET", "datasets", "datasets.list", s.listDatasets},
		{"POST", "datasets", "datasets.insert", s.insertDataset},
		{"GET", "datasets/*", "datasets.get", s.getDataset},
		{"PATCH", "datasets/*", "datasets.patch", s.getDataset},
		{"DELETE", "datasets/*", "datasets.delete", s.deleteDataset},
		{"GET", "datasets/*/tables", "tables.list", s.listTables},
		{"POST", "datasets/*/tables", "tables.insert", s.insertTable},
		{"GET", "datasets/*/tables/*", "tables.get", s.getTable},
		{"PATCH", "datasets/*/tables/*", "tables.patch", s.patchTable},
		{"PUT", "datasets/*/tables/*", "tables.update", s.patchTable},
		{"DELETE", "datasets/*/tables/*", "tables.delete", s.deleteTable},
		{"GET", "datasets/*/tables/*/data", "tabledata.list", s.listTableData},
		{"POST", "jobs", "jobs.insert", s.insertJob},
		{"GET", "jobs/*", "jobs.get", s.getJob},
		{"POST", "jobs/*/cancel", "jobs.cancel", s.cancelJob},
		{"POST", "queries", "jobs.query", s.query},
		{"GET", "queries/*", "getQueryResults", s.getQueryResults},
	}
}

func match(pattern string, parts []string) ([]string, bool) {
	pp := strings.Split(pattern, "/")
	if len(pp) != len(parts) {
		return nil, false
	}
	var args []string
	for i, p := range pp {
		if p == "*" {
			args = append(args, parts[i])
		} else if p != parts[i] {
			return nil, false
		}
	}
	return args, true
}

func (s *Server) count(name string) {
	s.mu.Lock()
	s.requests[name]++
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.log.Debug("bqtest request", "method", r.Method, "path", r.URL.Path)
	path := strings.TrimPrefix(r.URL.Path, "/")
	if strings.HasPrefix(path, "upload/bigquery/v2/") {
		s.count("upload")
		if reason, ok := s.takeFault("upload"); ok {
			writeError(w, faultError(reason))
			return
		}
		s.serveUpload(w, r, strings.TrimPrefix(path, "upload/bigquery/v2/"))
		return
	}
	path = strings.TrimPrefix(path, "bigquery/v2/")
	parts := strings.Split(path, "/")
	if len(parts) < 3 || parts[0] != "projects" {
		writeError(w, errf(404, "notFound", "Not found: %s %s", r.Method, r.URL.Path))
		return
	}
	if parts[1] != s.project {
		writeError(w, errf(404, "notFound", "Not found: Project %s", parts[1]))
		return
	}
	rest := parts[2:]
	for _, rt := range s.routes() {
		if rt.method != r.Method {
			continue
		}
		args, ok := match(rt.pattern, rest)
		if !ok {
			continue
		}
		s.count(rt.name)
		if reason, ok := s.takeFault(rt.name); ok {
			writeError(w, faultError(reason))
			return
		}
		out, aerr := rt.fn(r.Context(), r, args)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		if out == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, 200, out)
		return
	}
	writeError(w, errf(404, "notFound", "Not found: %s %s", r.Method, r.URL.Path))
}

func decodeBody(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return errf(400, "invalid", "Invalid JSON payload received: %v", err)
	}
	return nil
}

func msString(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

func (s *Server) nextID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("%s%d_%d", prefix, time.Now().UnixNano(), s.seq)
}
