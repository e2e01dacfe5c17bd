package sftest

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/sandbox"
)

// Request size limits (Salesforce's are not documented precisely).
const (
	maxURILength    = 16384
	maxHeaderBytes  = 32768
	maxBodyBytes    = 150 << 20
	maxJSONBodySize = 50 << 20
)

// req is one API request after routing.
type req struct {
	r      *http.Request
	method string   // after the _HttpMethod override
	ver    string   // "62.0"
	verNum int      // 62
	parts  []string // path parts after /services/data/vXX.X/
	fault  *sandbox.Fault
}

// versionOf parses "v62.0" into "62.0" and 62.
func versionOf(seg string) (string, int, bool) {
	v, ok := strings.CutPrefix(seg, "v")
	if !ok {
		return "", 0, false
	}
	maj, min, ok := strings.Cut(v, ".")
	n, err := strconv.Atoi(maj)
	if !ok || err != nil || min != "0" {
		return "", 0, false
	}
	return v, n, true
}

// splitPath returns the non-empty segments of p.
func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// endpointOf maps a request to its route pattern for counters and faults.
func endpointOf(r *http.Request) string {
	segs := splitPath(r.URL.Path)
	if len(segs) >= 2 && segs[0] == "services" && segs[1] == "oauth2" {
		return r.URL.Path
	}
	if len(segs) >= 1 && segs[0] == "id" {
		return "/id/{org}/{user}"
	}
	if len(segs) < 2 || segs[0] != "services" || segs[1] != "data" {
		return r.URL.Path
	}
	if len(segs) == 2 {
		return "/services/data"
	}
	p := "/services/data/vXX.X"
	rest := segs[3:]
	if len(rest) == 0 {
		return p
	}
	names := map[string][]string{
		"query":     {"", "{locator}"},
		"queryAll":  {"", "{locator}"},
		"limits":    {""},
		"sobjects":  {"", "{object}", "{id}", "{value}"},
		"composite": {"", "sobjects", "{object}", "{field}"},
		"jobs":      {"", "{kind}", "{id}", "{resource}"},
	}
	if rest[0] == "tooling" {
		// /tooling/query, /tooling/sobjects/{object}[/{id}]
		p += "/tooling"
		for i, seg := range rest[1:min(len(rest), 4)] {
			switch i {
			case 0:
				p += "/" + seg
			case 1:
				p += "/{object}"
			case 2:
				p += "/{id}"
			}
		}
		return p
	}
	if rest[0] == "composite" && len(rest) >= 2 && rest[1] == "batch" {
		return p + "/composite/batch"
	}
	if rest[0] == "composite" && len(rest) == 1 {
		return p + "/composite"
	}
	pat, ok := names[rest[0]]
	if !ok {
		return p + "/" + rest[0]
	}
	p += "/" + rest[0]
	for i, seg := range rest[1:] {
		if i+1 >= len(pat) {
			break
		}
		name := pat[i+1]
		switch {
		case rest[0] == "sobjects" && i == 1 && (seg == "describe" || seg == "updated" || seg == "deleted"):
			name = seg
		case rest[0] == "sobjects" && i == 1 && len(rest) == 4:
			name = "{field}"
		case rest[0] == "jobs" && i == 0:
			name = seg
		case rest[0] == "jobs" && i == 2:
			name = seg
		}
		p += "/" + name
	}
	return p
}

// route is the emulator proper, behind the sandbox middleware.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if len(r.RequestURI) > maxURILength || len(r.URL.RawQuery)+len(r.URL.Path) > maxURILength {
		writeREST(w, newRESTError(http.StatusRequestURITooLong, "URI_TOO_LONG", "The request URI is too long"))
		return
	}
	hsize := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			hsize += len(k) + len(v) + 4
		}
	}
	if hsize > maxHeaderBytes {
		writeREST(w, newRESTError(http.StatusRequestHeaderFieldsTooLarge, "REQUEST_HEADER_FIELDS_TOO_LARGE",
			"Request header fields too large"))
		return
	}
	segs := splitPath(r.URL.Path)
	switch {
	case len(segs) == 3 && segs[0] == "services" && segs[1] == "oauth2":
		s.serveOAuth(w, r, segs[2])
		return
	case len(segs) == 3 && segs[0] == "id":
		s.serveIdentity(w, r, segs[1], segs[2])
		return
	case len(segs) == 2 && segs[0] == "services" && segs[1] == "data":
		s.serveVersions(w, r)
		return
	case len(segs) >= 3 && segs[0] == "services" && segs[1] == "data":
	default:
		writeREST(w, errNotFound)
		return
	}
	ver, n, ok := versionOf(segs[2])
	if !ok || n < 20 || n > s.maxVer {
		writeREST(w, errNotFound)
		return
	}
	q := &req{r: r, method: r.Method, ver: ver, verNum: n, parts: segs[3:], fault: sandbox.FaultFrom(r.Context())}
	if m := r.URL.Query().Get("_HttpMethod"); m != "" && r.Method == http.MethodPost {
		q.method = strings.ToUpper(m)
	}
	if e := s.authorize(w, q); e != nil {
		writeREST(w, e)
		return
	}
	if e := s.dispatch(w, q); e != nil {
		writeREST(w, e)
	}
}

// authorize checks the bearer token, counts the call against the daily
// allocation and sets Sforce-Limit-Info.
func (s *Server) authorize(w http.ResponseWriter, q *req) *restError {
	auth := q.r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(auth, "OAuth ")
	}
	if q.fault != nil && q.fault.Kind == sandbox.FaultExpireToken {
		s.mu.Lock()
		delete(s.tokens, strings.TrimSpace(tok))
		s.mu.Unlock()
		return errSession
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, known := s.tokens[strings.TrimSpace(tok)]
	if !ok || !known {
		return errSession
	}
	if !s.opts.Now().Before(exp) {
		delete(s.tokens, tok)
		return errSession
	}
	s.apiUsed++
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", s.apiUsed, s.opts.DailyAPILimit))
	if s.apiUsed > s.opts.DailyAPILimit {
		return errLimit
	}
	return nil
}

// countCall counts one more call against the daily allocation (a Composite
// Batch's later subrequests) and reports whether it is past it.
func (s *Server) countCall() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiUsed++
	return s.apiUsed > s.opts.DailyAPILimit
}

// dispatch sends an authorized request to its handler.
func (s *Server) dispatch(w http.ResponseWriter, q *req) *restError {
	p := q.parts
	if len(p) == 0 {
		if q.method != http.MethodGet {
			return errMethod(q.method, "GET", "HEAD")
		}
		return s.serveResources(w, q)
	}
	switch p[0] {
	case "limits":
		if len(p) != 1 {
			return errNotFound
		}
		if q.method != http.MethodGet {
			return errMethod(q.method, "GET", "HEAD")
		}
		return s.serveLimits(w, q)
	case "query", "queryAll":
		if q.method != http.MethodGet {
			return errMethod(q.method, "GET", "HEAD")
		}
		if len(p) == 1 {
			return s.serveQuery(w, q, p[0] == "queryAll")
		}
		if len(p) == 2 {
			return s.serveQueryMore(w, q, p[1])
		}
		return errNotFound
	case "sobjects":
		return s.serveSObjects(w, q)
	case "composite":
		if len(p) >= 2 && p[1] == "sobjects" {
			return s.serveCollections(w, q)
		}
		if len(p) >= 2 && p[1] == "batch" {
			return s.serveBatch(w, q)
		}
		if len(p) == 1 {
			return s.serveComposite(w, q)
		}
		return errNotFound
	case "tooling":
		return s.serveTooling(w, q)
	case "jobs":
		if len(p) >= 2 && p[1] == "ingest" {
			return s.serveIngest(w, q)
		}
		if len(p) >= 2 && p[1] == "query" {
			return s.serveQueryJobs(w, q)
		}
		return errNotFound
	}
	return errNotFound
}

// checkJSONBody rejects bodies that are not JSON.
func checkJSONBody(r *http.Request) *restError {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return errMediaType(ct)
	}
	return nil
}
