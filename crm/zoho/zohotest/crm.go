package zohotest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/revops/revops/crm/sandbox"
)

// call is one CRM API request on its way through the handlers.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	scopes map[string]bool
	fault  *sandbox.Fault
	began  bool
	heavy  bool
	// noteParent is the record of POST /{module}/{id}/Notes.
	noteParent *ref
}

// begin admits the call against the concurrency pools and spends credits;
// on refusal it writes the 429 and returns false.
func (c *call) begin(credits int, heavy bool) bool {
	rem, ok := c.s.limits.acquire(credits, heavy)
	if !ok {
		c.fail(errTooMany())
		return false
	}
	c.began, c.heavy = true, heavy
	if rem >= 0 {
		c.w.Header().Set("X-API-CREDITS-REMAINING", strconv.Itoa(rem))
	}
	return true
}

// charge spends extra credits after begin.
func (c *call) charge(credits int) bool {
	if !c.s.limits.charge(credits) {
		c.fail(errTooMany())
		return false
	}
	if credits > 0 {
		// The header tells what is left after the whole call.
		if rem := c.s.limits.remaining(); rem >= 0 {
			c.w.Header().Set("X-API-CREDITS-REMAINING", strconv.Itoa(rem))
		}
	}
	return true
}

func (c *call) fail(e *apiError) { writeCRMError(c.w, e) }

// recoverInternal turns a panic of the emulator into the API's 500 answer
// instead of a dropped connection (a safety net: no input should get here).
func recoverInternal(write func()) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		write()
	}
}

func (s *Server) serveCRM(w http.ResponseWriter, r *http.Request) {
	defer recoverInternal(func() { writeCRMError(w, errInternal()) })
	// The Date header follows the org's clock (Options.Now), like every
	// time the API writes, so clients can use it as the server's time.
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	seg := splitPath(r.URL.Path)
	bulk := len(seg) >= 4 && seg[0] == "crm" && seg[1] == "bulk" && seg[2] == "v8"
	if !bulk && (len(seg) < 3 || seg[0] != "crm" || seg[1] != "v8") {
		writeCRMError(w, errURLPattern())
		return
	}
	if e := s.checkHost(r); e != nil {
		writeCRMError(w, e)
		return
	}
	scopes, aerr := s.authenticate(r)
	c := &call{s: s, w: w, r: r, scopes: scopes, fault: faultFrom(r)}
	if aerr == nil && c.fault != nil && c.fault.Kind == sandbox.FaultExpireToken {
		aerr = errInvalidToken()
	}
	if aerr != nil {
		writeCRMError(w, aerr)
		return
	}
	defer func() {
		if c.began {
			s.limits.release(c.heavy)
		}
	}()
	if bulk {
		s.serveBulk(c, seg[3:])
		return
	}
	rest := seg[2:]
	switch rest[0] {
	case "settings":
		s.serveSettings(c, rest[1:])
		return
	case "coql":
		if len(rest) != 1 {
			c.fail(errURLPattern())
			return
		}
		if r.Method != http.MethodPost {
			c.fail(errMethod())
			return
		}
		s.serveCOQL(c)
		return
	case "users":
		s.serveUsers(c, rest[1:])
		return
	case "org":
		s.serveOrg(c, rest[1:])
		return
	case "upload":
		if len(rest) != 1 {
			c.fail(errURLPattern())
			return
		}
		s.serveUpload(c)
		return
	}
	s.mu.RLock()
	m := s.modules[strings.ToLower(rest[0])]
	s.mu.RUnlock()
	if m == nil {
		c.fail(errModule(0))
		return
	}
	switch len(rest) {
	case 1:
		switch r.Method {
		case http.MethodGet:
			s.serveList(c, m)
		case http.MethodPost:
			s.serveWrite(c, m, opInsert, 0)
		case http.MethodPut:
			s.serveWrite(c, m, opUpdate, 0)
		case http.MethodDelete:
			s.serveDelete(c, m, "")
		default:
			c.fail(errMethod())
		}
		return
	case 2:
		switch rest[1] {
		case "upsert":
			if r.Method != http.MethodPost {
				c.fail(errMethod())
				return
			}
			s.serveWrite(c, m, opUpsert, 0)
			return
		case "search":
			if r.Method != http.MethodGet {
				c.fail(errMethod())
				return
			}
			s.serveSearch(c, m, false)
			return
		case "deleted":
			if r.Method != http.MethodGet {
				c.fail(errMethod())
				return
			}
			s.serveDeleted(c, m)
			return
		}
		id, ok := parseID(rest[1])
		if !ok {
			c.fail(errURLPattern())
			return
		}
		switch r.Method {
		case http.MethodGet:
			s.serveGet(c, m, id)
		case http.MethodPut:
			s.serveWrite(c, m, opUpdate, id)
		case http.MethodDelete:
			s.serveDelete(c, m, rest[1])
		default:
			c.fail(errMethod())
		}
		return
	case 3:
		if rest[1] == "actions" && rest[2] == "count" {
			if r.Method != http.MethodGet {
				c.fail(errMethod())
				return
			}
			s.serveSearch(c, m, true)
			return
		}
		id, ok := parseID(rest[1])
		if !ok {
			c.fail(errURLPattern())
			return
		}
		if r.Method == http.MethodPost && rest[2] == "Notes" && m.APIName != "Notes" {
			c.noteParent = &ref{Module: m.APIName, ID: id}
			s.serveWrite(c, s.modules["notes"], opInsert, 0)
			return
		}
		if r.Method != http.MethodGet {
			c.fail(errMethod())
			return
		}
		s.serveRelated(c, m, id, rest[2])
		return
	case 4:
		id, ok := parseID(rest[1])
		if !ok || rest[2] != "actions" || rest[3] != "convert" {
			c.fail(errURLPattern())
			return
		}
		if r.Method != http.MethodPost {
			c.fail(errMethod())
			return
		}
		s.serveConvert(c, m, id)
		return
	}
	c.fail(errURLPattern())
}

// checkHost answers a call sent to a real Zoho host name the way Zoho does:
// another data center's API domain does not know the token, and any other
// zoho host is INVALID_HOST. Loopback and other names pass.
func (s *Server) checkHost(r *http.Request) *apiError {
	host := strings.ToLower(r.Host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if !strings.Contains(host, "zoho") {
		return nil
	}
	for _, dc := range DataCenters {
		for _, prefix := range []string{"www.", "sandbox.", "developer."} {
			if host == prefix+strings.TrimPrefix(dc.API, "www.") {
				if dc.Code == s.dc.Code {
					return nil
				}
				return errInvalidToken()
			}
		}
	}
	return newErr(http.StatusBadRequest, "INVALID_HOST", "the host given seems to be invalid")
}

// serveUsers answers GET /crm/v8/users[?type=CurrentUser|ActiveUsers|AllUsers].
func (s *Server) serveUsers(c *call, rest []string) {
	if c.r.Method != http.MethodGet || len(rest) > 1 {
		c.fail(errURLPattern())
		return
	}
	if !hasScope(c.scopes, "zohocrm.users.read", "zohocrm.users.all") {
		c.fail(errScope())
		return
	}
	if !c.begin(1, false) {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	typ := c.r.URL.Query().Get("type")
	var out []map[string]any
	for i, u := range s.users {
		if len(rest) == 1 && fmtID(u.ID) != rest[0] {
			continue
		}
		if typ == "CurrentUser" && i > 0 || typ == "ActiveUsers" && !u.Active {
			continue
		}
		status := "active"
		if !u.Active {
			status = "disabled"
		}
		role, profile := "Manager", "Standard"
		if i == 0 {
			role, profile = "CEO", "Administrator"
		}
		out = append(out, map[string]any{"id": fmtID(u.ID), "first_name": u.FirstName, "last_name": u.LastName,
			"full_name": u.name(), "email": u.Email, "status": status,
			"role":      map[string]any{"name": role, "id": fmtID(crmIDBase + 1_000_000 + uint64(len(role)))},
			"profile":   map[string]any{"name": profile, "id": fmtID(crmIDBase + 1_100_000 + uint64(len(profile)))},
			"time_zone": s.opts.TimeZone.String(), "confirm": true})
	}
	if len(out) == 0 {
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"users": out,
		"info": map[string]any{"per_page": 200, "count": len(out), "page": 1, "more_records": false}})
}

// serveOrg answers GET /crm/v8/org.
func (s *Server) serveOrg(c *call, rest []string) {
	if c.r.Method != http.MethodGet || len(rest) > 0 {
		c.fail(errURLPattern())
		return
	}
	if !hasScope(c.scopes, "zohocrm.org.read", "zohocrm.org.all", "zohocrm.settings.all") {
		c.fail(errScope())
		return
	}
	if !c.begin(1, false) {
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"org": []map[string]any{{
		"id": fmtID(crmIDBase + 999), "zgid": s.opts.OrgID, "company_name": "Zylker Sandbox",
		"domain_name": "org" + s.opts.OrgID, "time_zone": s.opts.TimeZone.String(),
		"currency": "US Dollar", "iso_code": "USD", "currency_symbol": "$", "country_code": s.dc.Code,
		"primary_email": s.users[0].Email, "type": "production", "license_details": map[string]any{
			"paid": true, "paid_type": s.opts.Edition, "users_license_purchased": s.opts.Users},
	}}})
}
