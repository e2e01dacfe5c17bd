// Package projectstest is an in-process emulator of the Zoho Projects V3
// API (reference sheet §18) for what revops uses and a projects client
// reaches for: GET /api/v3/portals; the projects of one portal (list
// with status and paging, get, create from a template, PATCH, DELETE)
// and the portal search; V3's error shape; OAuth scopes checked against
// the Zoho accounts emulator (Options.Tokens); the limit of 100 calls in
// 2 minutes, then a 30-minute block (stated for Deluge tasks, for REST
// unconfirmed); and the shared sandbox counters and faults (system
// "zoho_projects"). A new portal holds the template projects of
// Options.Templates ("Customer Onboarding" by default).
//
// V3 key names, date formats, paging and what a template copies are
// unconfirmed (the sheet says so); the choices are marked where made.
// The package does not import testing.
package projectstest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// SystemName is the system the emulator counts requests under.
const SystemName = "zoho_projects"

// Tokens checks callers' access tokens (*zohotest.Server implements it).
type Tokens interface {
	TokenScopes(token string) (map[string]bool, bool)
}

// Template is a template project the portal starts with.
type Template struct {
	Name, Description string
	// Tasklists are copied into projects made from it (names only).
	Tasklists []string
}

// DefaultTemplates is the portal's template when Options has none.
var DefaultTemplates = []Template{{Name: "Customer Onboarding", Description: "Kick-off, set-up, training and go-live for a new customer.",
	Tasklists: []string{"Kick-off", "Set-up", "Training", "Go-live"}}}

// Options configures a Server.
type Options struct {
	// Tokens validates access tokens (required).
	Tokens Tokens
	// PortalID and PortalName are the one portal (defaults "58572595",
	// the sheet's sample, and "Zylker").
	PortalID, PortalName string
	// Templates are the template projects (default DefaultTemplates).
	Templates []Template
	// Calls in Window block the user for Block past the limit (defaults
	// 100, 2 min, 30 min; Calls < 0: no limit).
	Calls         int
	Window, Block time.Duration
	// Counters and Faults plug into the sandbox middleware.
	Counters *sandbox.Counters
	Faults   *sandbox.Faults
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the emulator; safe for concurrent use.
type Server struct {
	opts Options
	h    http.Handler

	mu       sync.Mutex
	projects map[string]*project
	nextID   uint64
	calls    []time.Time
	blocked  time.Time
}

type project struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	StartDate   string    `json:"start_date"`
	EndDate     string    `json:"end_date"`
	TemplateID  string    `json:"template_id"`
	Tasklists   []string  `json:"tasklists"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

// New returns a Server whose portal holds the template projects.
func New(opts Options) *Server {
	if opts.PortalID == "" {
		opts.PortalID = "58572595"
	}
	if opts.PortalName == "" {
		opts.PortalName = "Zylker"
	}
	if opts.Templates == nil {
		opts.Templates = DefaultTemplates
	}
	if opts.Calls == 0 {
		opts.Calls = 100
	}
	if opts.Window <= 0 {
		opts.Window = 2 * time.Minute
	}
	if opts.Block <= 0 {
		opts.Block = 30 * time.Minute
	}
	if opts.Counters == nil {
		opts.Counters = sandbox.NewCounters()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, projects: map[string]*project{}, nextID: 1752587000000010005}
	now := opts.Now()
	for _, t := range opts.Templates {
		p := &project{ID: s.newID(), Name: t.Name, Description: t.Description, Status: "template",
			Tasklists: slices.Clone(t.Tasklists), Created: now, Modified: now}
		s.projects[p.ID] = p
	}
	s.h = &sandbox.Emulator{System: SystemName, Endpoint: endpoint, WriteError: writeFault,
		Counters: opts.Counters, Faults: opts.Faults, Next: http.HandlerFunc(s.serve)}
	return s
}

func (s *Server) newID() string {
	s.nextID += 1000
	return strconv.FormatUint(s.nextID, 10)
}

// PortalID returns the portal's id.
func (s *Server) PortalID() string { return s.opts.PortalID }

// ServeHTTP serves the API under /api/v3/ (and /__sandbox/).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// endpoint names a request's route: the portal and project ids become
// {portal_id} and {id}.
func endpoint(r *http.Request) string {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(seg) >= 4 && seg[0] == "api" && seg[2] == "portal" {
		seg[3] = "{portal_id}"
		if len(seg) >= 6 && seg[4] == "projects" {
			seg[5] = "{id}"
		}
	}
	return "/" + strings.Join(seg, "/")
}

// apiErr is a V3 error.
type apiErr struct {
	status      int
	title, kind string
	msg         string
}

func writeErr(w http.ResponseWriter, r *http.Request, e *apiErr) {
	writeJSON(w, e.status, map[string]any{"error": map[string]any{"status_code": strconv.Itoa(e.status), "title": e.title,
		"error_type": e.kind, "instance": r.URL.Path, "details": []map[string]any{{"message": e.msg}}}})
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

func writeFault(w http.ResponseWriter, r *http.Request, f *sandbox.Fault) {
	switch f.Kind {
	case sandbox.Fault429:
		writeErr(w, r, &apiErr{http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "THROTTLE_ERROR", "Too many requests. Try again later."})
	case sandbox.Fault503:
		writeErr(w, r, &apiErr{http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "SERVER_ERROR", "Service unavailable."})
	default:
		writeErr(w, r, &apiErr{http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "SERVER_ERROR", "Internal error."})
	}
}

// TestServer is a Server on a loopback listener.
type TestServer struct {
	*Server
	// URL is the Projects host (the API is under URL + "/api/v3").
	URL string
	hs  *httptest.Server
}

// Start returns a TestServer; call Close when done.
func Start(opts Options) *TestServer {
	s := New(opts)
	hs := httptest.NewServer(s)
	return &TestServer{Server: s, URL: hs.URL, hs: hs}
}

// Close shuts the listener down.
func (t *TestServer) Close() { t.hs.Close() }

// serve routes a request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(seg) < 3 || seg[0] != "api" || seg[1] != "v3" {
		writeErr(w, r, &apiErr{http.StatusNotFound, "URL_RULE_NOT_CONFIGURED", "FIELDS_VALIDATION_ERROR", "Given URL is wrong"})
		return
	}
	scopes, e := s.authenticate(r)
	if e != nil {
		writeErr(w, r, e)
		return
	}
	if e := s.meter(); e != nil {
		writeErr(w, r, e)
		return
	}
	if seg[2] == "portals" && len(seg) == 3 && r.Method == http.MethodGet {
		if !scope(scopes, "portals", "READ") {
			writeErr(w, r, errScope())
			return
		}
		// V3 portals answer: a list (shape unconfirmed; the legacy one
		// is {"login_id","portals":[…]}).
		writeJSON(w, http.StatusOK, []map[string]any{{"id": s.opts.PortalID, "id_string": s.opts.PortalID,
			"name": s.opts.PortalName, "default": true, "role": "admin"}})
		return
	}
	if seg[2] != "portal" || len(seg) < 5 {
		writeErr(w, r, &apiErr{http.StatusNotFound, "URL_RULE_NOT_CONFIGURED", "FIELDS_VALIDATION_ERROR", "Given URL is wrong"})
		return
	}
	if seg[3] != s.opts.PortalID {
		// The answer to another portal's id is unconfirmed.
		writeErr(w, r, &apiErr{http.StatusNotFound, "INVALID_PORTAL", "FIELDS_VALIDATION_ERROR", "Portal " + seg[3] + " does not exist or is not yours."})
		return
	}
	op := map[string]string{http.MethodGet: "READ", http.MethodPost: "CREATE", http.MethodPatch: "UPDATE", http.MethodDelete: "DELETE"}[r.Method]
	if op == "" {
		writeErr(w, r, &apiErr{http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "FIELDS_VALIDATION_ERROR", "Method not allowed"})
		return
	}
	if !scope(scopes, "projects", op) && !(seg[4] == "search" && scope(scopes, "search", "READ")) {
		writeErr(w, r, errScope())
		return
	}
	rest := seg[4:]
	if len(rest) >= 2 && rest[0] == "projects" {
		if f := sandbox.FaultFrom(r.Context()); f != nil && f.Kind == sandbox.FaultLockRow && (len(f.Records) == 0 || slices.Contains(f.Records, rest[1])) {
			// Projects documents 409 without saying when: a lock is the
			// emulator's use of it.
			writeErr(w, r, &apiErr{http.StatusConflict, "RESOURCE_LOCKED", "CONFLICT", "The project is being updated. Try again."})
			return
		}
	}
	switch {
	case len(rest) == 1 && rest[0] == "search" && r.Method == http.MethodGet:
		s.search(w, r)
	case len(rest) == 1 && rest[0] == "projects" && r.Method == http.MethodGet:
		s.list(w, r)
	case len(rest) == 1 && rest[0] == "projects" && r.Method == http.MethodPost:
		s.create(w, r)
	case len(rest) == 2 && rest[0] == "projects" && r.Method == http.MethodGet:
		s.get(w, r, rest[1])
	case len(rest) == 2 && rest[0] == "projects" && r.Method == http.MethodPatch:
		s.update(w, r, rest[1])
	case len(rest) == 2 && rest[0] == "projects" && r.Method == http.MethodDelete:
		s.delete(w, r, rest[1])
	default:
		writeErr(w, r, &apiErr{http.StatusNotFound, "URL_RULE_NOT_CONFIGURED", "FIELDS_VALIDATION_ERROR", "Given URL is wrong"})
	}
}

func errScope() *apiErr {
	return &apiErr{http.StatusUnauthorized, "OAUTH_SCOPE_MISMATCH", "AUTHENTICATION_ERROR", "The token does not have the scope this API needs."}
}

func scope(scopes map[string]bool, module, op string) bool {
	m := "zohoprojects." + module + "."
	return scopes[m+"all"] || scopes[m+strings.ToLower(op)]
}

func (s *Server) authenticate(r *http.Request) (map[string]bool, *apiErr) {
	bad := &apiErr{http.StatusUnauthorized, "INVALID_OAUTHTOKEN", "AUTHENTICATION_ERROR", "Invalid OAuth access token."}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Zoho-oauthtoken ")
	if !ok || s.opts.Tokens == nil {
		return nil, bad
	}
	if f := sandbox.FaultFrom(r.Context()); f != nil && f.Kind == sandbox.FaultExpireToken {
		return nil, bad
	}
	scopes, ok := s.opts.Tokens.TokenScopes(tok)
	if !ok {
		return nil, bad
	}
	return scopes, nil
}

// meter counts the call: past Calls in Window the user is blocked for
// Block; calls during the block answer 429 BLOCKED (body, and whether a
// blocked call counts, unconfirmed; no Retry-After).
func (s *Server) meter() *apiErr {
	if s.opts.Calls < 0 {
		return nil
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.blocked) {
		return &apiErr{http.StatusTooManyRequests, "BLOCKED", "THROTTLE_ERROR",
			fmt.Sprintf("More than %d calls in %s: blocked until %s.", s.opts.Calls, s.opts.Window, s.blocked.UTC().Format(time.RFC3339))}
	}
	cut := 0
	for cut < len(s.calls) && now.Sub(s.calls[cut]) >= s.opts.Window {
		cut++
	}
	s.calls = append(s.calls[cut:], now)
	if len(s.calls) > s.opts.Calls {
		s.blocked = now.Add(s.opts.Block)
		s.calls = nil
		return &apiErr{http.StatusTooManyRequests, "BLOCKED", "THROTTLE_ERROR",
			fmt.Sprintf("More than %d calls in %s: blocked until %s.", s.opts.Calls, s.opts.Window, s.blocked.UTC().Format(time.RFC3339))}
	}
	return nil
}

// render is a project as V3 answers it (keys unconfirmed: the legacy
// names; ids as strings, dates yyyy-MM-dd).
func (s *Server) render(p *project) map[string]any {
	return map[string]any{"id": p.ID, "id_string": p.ID, "name": p.Name, "description": p.Description, "status": p.Status,
		"owner_name": "Patricia Boyle", "start_date": p.StartDate, "end_date": p.EndDate, "template_id": p.TemplateID,
		"tasklists": p.Tasklists, "created_time": p.Created.UTC().Format(time.RFC3339), "modified_time": p.Modified.UTC().Format(time.RFC3339)}
}

func (s *Server) sorted(status string) []*project {
	var out []*project
	for _, p := range s.projects {
		if status == "" && p.Status != "template" || status != "" && p.Status == status {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *project) int { return cmp.Or(cmp.Compare(len(a.ID), len(b.ID)), strings.Compare(a.ID, b.ID)) })
	return out
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(cmp.Or(q.Get("page"), "1"))
	per, _ := strconv.Atoi(cmp.Or(q.Get("per_page"), "100"))
	if page < 1 || per < 1 {
		writeErr(w, r, &apiErr{http.StatusBadRequest, "INVALID_VALUE", "FIELDS_VALIDATION_ERROR", "page and per_page must be positive"})
		return
	}
	per = min(per, 200)
	s.mu.Lock()
	rows := s.sorted(q.Get("status"))
	start := min((page-1)*per, len(rows))
	end := min(start+per, len(rows))
	out := []map[string]any{}
	for _, p := range rows[start:end] {
		out = append(out, s.render(p))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"projects": out,
		"page_info": map[string]any{"page": page, "per_page": per, "has_next_page": end < len(rows)}})
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	term := strings.ToLower(strings.TrimSpace(q.Get("search_term")))
	if term == "" || q.Get("module") != "projects" && q.Get("module") != "all" {
		writeErr(w, r, &apiErr{http.StatusBadRequest, "MANDATORY_PARAM_MISSING", "FIELDS_VALIDATION_ERROR", "search_term and module are required"})
		return
	}
	s.mu.Lock()
	out := []map[string]any{}
	for _, p := range s.sorted("") {
		if strings.Contains(strings.ToLower(strings.Join(strings.Fields(p.Name), " ")), term) {
			out = append(out, s.render(p))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"projects": out})
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[id]
	if p == nil {
		writeErr(w, r, notFound(id))
		return
	}
	writeJSON(w, http.StatusOK, s.render(p))
}

func notFound(id string) *apiErr {
	return &apiErr{http.StatusNotFound, "RESOURCE_NOT_FOUND", "FIELDS_VALIDATION_ERROR", "Project " + id + " does not exist."}
}

func decode(r *http.Request) (map[string]any, *apiErr) {
	var m map[string]any
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(b, &m) != nil || m == nil {
		return nil, &apiErr{http.StatusBadRequest, "INVALID_INPUT_STREAM", "FIELDS_VALIDATION_ERROR", "The body is not a JSON object."}
	}
	return m, nil
}

// apply validates body and writes it into p (a copy, kept on success).
func (s *Server) apply(p *project, body map[string]any, isNew bool) *apiErr {
	next := *p
	for k, dst := range map[string]*string{"name": &next.Name, "description": &next.Description, "start_date": &next.StartDate, "end_date": &next.EndDate} {
		v, ok := body[k]
		if !ok {
			continue
		}
		str, isStr := v.(string)
		if v != nil && !isStr {
			return &apiErr{http.StatusBadRequest, "INVALID_VALUE", "FIELDS_VALIDATION_ERROR", "Invalid value for " + k}
		}
		if (k == "start_date" || k == "end_date") && str != "" {
			if _, err := time.Parse("2006-01-02", str); err != nil {
				// V3's date format is unconfirmed: the emulator takes yyyy-MM-dd.
				return &apiErr{http.StatusBadRequest, "INVALID_VALUE", "FIELDS_VALIDATION_ERROR", k + " must be yyyy-MM-dd"}
			}
		}
		*dst = str
	}
	if strings.TrimSpace(next.Name) == "" {
		return &apiErr{http.StatusBadRequest, "MANDATORY_PARAM_MISSING", "FIELDS_VALIDATION_ERROR", "name is required"}
	}
	if len([]rune(next.Name)) > 100 {
		return &apiErr{http.StatusBadRequest, "INVALID_VALUE", "FIELDS_VALIDATION_ERROR", "name is longer than 100 characters"}
	}
	if next.StartDate != "" && next.EndDate != "" && next.EndDate < next.StartDate {
		return &apiErr{http.StatusBadRequest, "INVALID_VALUE", "FIELDS_VALIDATION_ERROR", "end_date is before start_date"}
	}
	if v, ok := body["template_id"]; ok && isNew && v != nil {
		t := s.projects[fmt.Sprint(v)]
		if t == nil || t.Status != "template" {
			return &apiErr{http.StatusBadRequest, "INVALID_TEMPLATE", "FIELDS_VALIDATION_ERROR", fmt.Sprintf("%v is not a template project", v)}
		}
		// What a template copies is unconfirmed: its task lists, and its
		// description when the project has none.
		next.TemplateID, next.Tasklists = t.ID, slices.Clone(t.Tasklists)
		if next.Description == "" {
			next.Description = t.Description
		}
	}
	for _, o := range s.projects {
		// Projects refuses a second project of the same name (unconfirmed).
		if o.ID != p.ID && o.Status != "template" && strings.EqualFold(strings.TrimSpace(o.Name), strings.TrimSpace(next.Name)) {
			return &apiErr{http.StatusBadRequest, "DUPLICATE_NAME", "FIELDS_VALIDATION_ERROR", fmt.Sprintf("A project named %q already exists.", next.Name)}
		}
	}
	next.Modified = s.opts.Now()
	*p = next
	return nil
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	body, e := decode(r)
	if e != nil {
		writeErr(w, r, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	p := &project{Status: "active", Created: now}
	if e := s.apply(p, body, true); e != nil {
		writeErr(w, r, e)
		return
	}
	p.ID = s.newID()
	s.projects[p.ID] = p
	writeJSON(w, http.StatusCreated, s.render(p))
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, id string) {
	body, e := decode(r)
	if e != nil {
		writeErr(w, r, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projects[id]
	if p == nil || p.Status == "template" {
		writeErr(w, r, notFound(id))
		return
	}
	if e := s.apply(p, body, false); e != nil {
		writeErr(w, r, e)
		return
	}
	writeJSON(w, http.StatusOK, s.render(p))
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.projects[id]; p == nil || p.Status == "template" {
		writeErr(w, r, notFound(id))
		return
	}
	delete(s.projects, id)
	w.WriteHeader(http.StatusNoContent)
}

// Records returns the portal's projects ("projects"; templates left out)
// as the API renders them, with "template" the name of the template a
// project was made from.
func (s *Server) Records(kind string) []map[string]any {
	if !strings.EqualFold(kind, "projects") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, p := range s.sorted("") {
		m := s.render(p)
		if t := s.projects[p.TemplateID]; t != nil {
			m["template"] = t.Name
		}
		out = append(out, m)
	}
	return out
}

type state struct {
	NextID   uint64     `json:"next_id"`
	Projects []*project `json:"projects"`
}

// Save writes the portal's projects, templates included.
func (s *Server) Save(w io.Writer) error {
	s.mu.Lock()
	st := state{NextID: s.nextID}
	for _, p := range s.projects {
		st.Projects = append(st.Projects, p)
	}
	slices.SortFunc(st.Projects, func(a, b *project) int { return cmp.Or(cmp.Compare(len(a.ID), len(b.ID)), strings.Compare(a.ID, b.ID)) })
	err := json.NewEncoder(w).Encode(st)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("projectstest: save: %w", err)
	}
	return nil
}

// Load replaces the projects with those Save wrote.
func (s *Server) Load(r io.Reader) error {
	var st state
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("projectstest: load: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projects = map[string]*project{}
	for _, p := range st.Projects {
		s.projects[p.ID] = p
	}
	s.nextID = max(s.nextID, st.NextID)
	return nil
}
