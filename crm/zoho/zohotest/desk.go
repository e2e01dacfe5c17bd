package zohotest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const deskTimeLayout = "2006-01-02T15:04:05.000Z"

// The Desk kinds the emulator keeps.
const (
	deskTickets  = "tickets"
	deskContacts = "contacts"
	deskAccounts = "accounts"
)

// deskItem is one Desk record: its JSON fields (times as Unix ms int64,
// ids as uint64 under the *Id keys) and bookkeeping.
type deskItem struct {
	id       uint64
	f        map[string]any
	created  int64 // Unix ms
	modified int64
}

type deskKind struct {
	items  []*deskItem // by id
	byID   map[uint64]*deskItem
	sorted map[string][]*deskItem // cached orders, dropped on write
}

func (k *deskKind) add(it *deskItem) {
	k.items = append(k.items, it)
	k.byID[it.id] = it
	k.sorted = nil
}

// deskStore is the Desk org.
type deskStore struct {
	ids        idGen
	fieldIDs   idGen // field ids, apart so that record ids stay as seeded
	kinds      map[string]*deskKind
	fields     map[string]*deskFieldSet // contacts and accounts
	layout     map[string]uint64        // their one layout
	ticketNo   int
	department uint64
	lastMod    int64
}

func newDeskStore() *deskStore {
	d := &deskStore{kinds: map[string]*deskKind{}, ticketNo: 100}
	d.ids.base = deskIDBase
	for _, k := range []string{deskTickets, deskContacts, deskAccounts} {
		d.kinds[k] = &deskKind{byID: map[uint64]*deskItem{}}
	}
	d.department = d.ids.next()
	d.fieldIDs.base = deskIDBase + 900_000_000
	d.fields = map[string]*deskFieldSet{}
	d.layout = map[string]uint64{}
	for _, k := range []string{deskContacts, deskAccounts} {
		d.fields[k] = newDeskFieldSet(d, k)
		d.layout[k] = d.fieldIDs.next()
	}
	return d
}

// tick returns a strictly increasing modification time in ms.
func (d *deskStore) tick(now time.Time) int64 {
	t := now.UnixMilli()
	if t <= d.lastMod {
		t = d.lastMod + 1
	}
	d.lastMod = t
	return t
}

func deskErr(status int, code, msg string) *deskError {
	return &deskError{HTTP: status, Code: code, Message: msg}
}

var deskSortKeys = map[string][]string{
	deskTickets:  {"responseDueDate", "customerResponseTime", "createdTime", "ticketNumber", "modifiedTime", "dueDate"},
	deskContacts: {"firstName", "lastName", "createdTime", "modifiedTime"},
	deskAccounts: {"accountName", "createdTime", "modifiedTime"},
}

var deskListParams = map[string][]string{
	deskTickets: {"from", "limit", "departmentIds", "departmentId", "viewId", "assignee", "channel", "status",
		"priority", "receivedInDays", "sortBy", "include", "fields"},
	deskContacts: {"from", "limit", "viewId", "sortBy", "include", "fields"},
	deskAccounts: {"from", "limit", "viewId", "sortBy", "include", "fields"},
}

// serveDesk answers the Desk API under /api/v1/ (sheet §8).
func (s *Server) serveDesk(w http.ResponseWriter, r *http.Request) {
	defer recoverInternal(func() {
		writeDeskError(w, deskErr(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "An internal server error occurred."))
	})
	seg := splitPath(r.URL.Path)
	if len(seg) < 3 || seg[0] != "api" || seg[1] != "v1" {
		writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The URL you requested could not be found."))
		return
	}
	scopes, aerr := s.authenticate(r)
	if aerr == nil {
		if f := faultFrom(r); f != nil && f.Kind == "expire_token" {
			aerr = errInvalidToken()
		}
	}
	if aerr != nil {
		writeDeskError(w, deskErr(http.StatusUnauthorized, "INVALID_OAUTH", "The OAuth Token you provided is invalid."))
		return
	}
	rest := seg[2:]
	if rest[0] == "organizations" {
		if !hasScope(scopes, "desk.basic.read", "desk.basic.all", "desk.settings.read", "desk.settings.all") {
			writeDeskError(w, deskErr(http.StatusUnauthorized, "SCOPE_MISMATCH", "The OAuth scope does not permit this operation."))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{{"id": s.opts.OrgID,
			"companyName": "Zylker Sandbox", "portalName": "zylkersandbox", "isDefault": true,
			"edition": strings.ToUpper(s.opts.Edition)}}})
		return
	}
	if org := r.Header.Get("orgId"); org == "" {
		writeDeskError(w, deskErr(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "The header 'orgId' is missing in the request."))
		return
	} else if org != s.opts.OrgID {
		writeDeskError(w, deskErr(http.StatusForbidden, "FORBIDDEN", "You do not have permission to access this organization."))
		return
	}
	if _, ok := s.deskLimits.acquire(1, false); !ok {
		writeDeskError(w, deskErr(http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
			"You have exceeded the API credits or concurrency limit. Try again later."))
		return
	}
	defer s.deskLimits.release(false)
	kind := rest[0]
	if kind == "organizationFields" && len(rest) == 1 && r.Method == http.MethodGet {
		if !hasScope(scopes, "desk.settings.read", "desk.settings.all", "desk.basic.read", "desk.basic.all") {
			writeDeskError(w, deskErr(http.StatusUnauthorized, "SCOPE_MISMATCH", "The OAuth scope does not permit this operation."))
			return
		}
		s.deskFieldsAnswer(w, r)
		return
	}
	if kind == "ticketsCount" && len(rest) == 1 {
		kind = deskTickets
	}
	if _, ok := s.desk.kinds[kind]; !ok {
		writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The URL you requested could not be found."))
		return
	}
	scopeArea := "contacts" // contacts and accounts share Desk.contacts.* (sheet §15)
	if kind == deskTickets {
		scopeArea = "tickets"
	}
	op := "read"
	switch r.Method {
	case http.MethodPost:
		op = "create"
	case http.MethodPatch, http.MethodPut:
		op = "update"
	}
	trash := len(rest) == 2 && rest[1] == "moveToTrash" && kind != deskTickets
	if trash {
		op = "delete"
	}
	writeScope := "desk." + scopeArea + ".write"
	if op == "read" {
		writeScope = ""
	}
	if !hasScope(scopes, "desk."+scopeArea+".all", "desk."+scopeArea+"."+op, writeScope) {
		writeDeskError(w, deskErr(http.StatusUnauthorized, "SCOPE_MISMATCH", "The OAuth scope does not permit this operation."))
		return
	}
	switch {
	case rest[0] == "ticketsCount":
		s.mu.RLock()
		n := len(s.desk.kinds[deskTickets].items)
		s.mu.RUnlock()
		writeJSON(w, http.StatusOK, map[string]any{"count": strconv.Itoa(n)})
	case len(rest) == 1 && r.Method == http.MethodGet:
		s.deskList(w, r, kind)
	case len(rest) == 1 && r.Method == http.MethodPost && kind == deskTickets:
		s.deskCreateTicket(w, r)
	case len(rest) == 1 && r.Method == http.MethodPost:
		s.deskCreateRecord(w, r, kind)
	case trash && r.Method == http.MethodPost:
		s.deskMoveToTrash(w, r, kind)
	case len(rest) == 2 && rest[1] == "search" && r.Method == http.MethodGet:
		s.deskSearch(w, r, kind)
	case len(rest) == 2 && rest[1] == "contactsByIds" && kind == deskContacts && r.Method == http.MethodGet:
		s.deskByIDs(w, r, kind)
	case len(rest) == 2:
		id, ok := parseID(rest[1])
		if !ok {
			writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The URL you requested could not be found."))
			return
		}
		switch {
		case r.Method == http.MethodGet:
			s.deskGet(w, r, kind, id)
		case r.Method == http.MethodPatch && kind == deskTickets:
			s.deskUpdateTicket(w, r, id)
		case r.Method == http.MethodPatch:
			s.deskUpdateRecord(w, r, kind, id)
		default:
			writeDeskError(w, deskErr(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "The requested method is not allowed."))
		}
	default:
		writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The URL you requested could not be found."))
	}
}

func (s *Server) deskList(w http.ResponseWriter, r *http.Request, kind string) {
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains(deskListParams[kind], k) {
			writeDeskError(w, deskErr(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY",
				"Extra query parameter '"+k+"' is present in the input."))
			return
		}
	}
	from, limit := 1, 10
	if v := q.Get("from"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeDeskError(w, deskInvalid("from", "invalid"))
			return
		}
		from = max(n, 1)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeDeskError(w, deskInvalid("limit", "invalid"))
			return
		}
		limit = n
	}
	sortBy := q.Get("sortBy")
	desc := strings.HasPrefix(sortBy, "-")
	key := strings.TrimPrefix(sortBy, "-")
	if key != "" && !slices.Contains(deskSortKeys[kind], key) {
		writeDeskError(w, deskInvalid("sortBy", "invalid"))
		return
	}
	include, de := deskIncludes(kind, q.Get("include"))
	if de != nil {
		writeDeskError(w, de)
		return
	}
	filters := map[string][]string{}
	if kind == deskTickets {
		for _, k := range []string{"status", "priority", "channel"} {
			if v := q.Get(k); v != "" {
				filters[k] = strings.Split(v, ",")
			}
		}
	}
	s.mu.Lock() // the sort cache is filled on demand
	defer s.mu.Unlock()
	items := s.desk.ordered(kind, key)
	var out []map[string]any
	seen := 0
	n := len(items)
	for i := 0; i < n && len(out) < limit; i++ {
		it := items[i]
		if desc {
			it = items[n-1-i]
		}
		if !deskFilter(it, filters) {
			continue
		}
		seen++
		if seen < from {
			continue
		}
		out = append(out, s.deskInclude(kind, it, s.deskJSON(kind, it, false), include))
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// deskSearch answers GET /api/v1/{kind}/search: modifiedTimeRange and
// createdTimeRange ("start,end", ISO times), status/priority/channel for
// tickets, 0-based from, limit 1–100, sortBy; {"data":[…],"count":N}.
func (s *Server) deskSearch(w http.ResponseWriter, r *http.Request, kind string) {
	q := r.URL.Query()
	allowed := []string{"from", "limit", "sortBy", "modifiedTimeRange", "createdTimeRange", "status", "priority",
		"channel", "email", "accountName", "firstName", "lastName", "subject", "ticketNumber", "departmentId",
		"phone", "mobile", "secondaryEmail", "website"}
	for k := range q {
		if !slices.Contains(allowed, k) && !isCustomFieldParam(k) {
			writeDeskError(w, deskErr(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY",
				"Extra query parameter '"+k+"' is present in the input."))
			return
		}
	}
	from, limit := 0, 10
	if v := q.Get("from"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeDeskError(w, deskInvalid("from", "invalid"))
			return
		}
		from = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeDeskError(w, deskInvalid("limit", "invalid"))
			return
		}
		limit = n
	}
	timeRange := func(name string) (lo, hi int64, ok bool, bad bool) {
		v := q.Get(name)
		if v == "" {
			return 0, 0, false, false
		}
		a, b, found := strings.Cut(v, ",")
		t1, err1 := time.Parse(time.RFC3339, a)
		t2, err2 := time.Parse(time.RFC3339, b)
		if !found || err1 != nil || err2 != nil {
			return 0, 0, false, true
		}
		return t1.UnixMilli(), t2.UnixMilli(), true, false
	}
	mlo, mhi, mok, mbad := timeRange("modifiedTimeRange")
	clo, chi, cok, cbad := timeRange("createdTimeRange")
	if mbad || cbad {
		writeDeskError(w, deskInvalid("modifiedTimeRange", "invalid"))
		return
	}
	sortBy := q.Get("sortBy")
	desc := strings.HasPrefix(sortBy, "-")
	key := strings.TrimPrefix(sortBy, "-")
	if key != "" && !slices.Contains(deskSortKeys[kind], key) {
		writeDeskError(w, deskInvalid("sortBy", "invalid"))
		return
	}
	filters := map[string][]string{}
	for _, k := range []string{"status", "priority", "channel"} {
		if v := q.Get(k); v != "" {
			filters[k] = strings.Split(v, ",")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.desk.ordered(kind, key)
	var match []*deskItem
	for i := range items {
		it := items[i]
		if desc {
			it = items[len(items)-1-i]
		}
		if mok && (it.modified < mlo || it.modified > mhi) || cok && (it.created < clo || it.created > chi) ||
			!deskFilter(it, filters) || !deskTextMatch(it, q) {
			continue
		}
		match = append(match, it)
	}
	out := []map[string]any{}
	for i := from; i < len(match) && len(out) < limit; i++ {
		out = append(out, s.deskJSON(kind, match[i], false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out, "count": len(match)})
}

// deskTextMatch applies the text filters of a Desk search: "*" is a
// wildcard, ${empty} and ${notempty} test presence.
func deskTextMatch(it *deskItem, q map[string][]string) bool {
	type cond struct{ have, want string }
	var conds []cond
	for _, k := range []string{"email", "accountName", "firstName", "lastName", "subject", "ticketNumber", "phone",
		"mobile", "secondaryEmail", "website"} {
		if vs, ok := q[k]; ok && len(vs) > 0 {
			have, _ := it.f[k].(string)
			conds = append(conds, cond{have, vs[0]})
		}
	}
	for k, vs := range q {
		if !isCustomFieldParam(k) || len(vs) == 0 {
			continue
		}
		// customFieldN=cf_x:value (sheet §8.2).
		name, val, _ := strings.Cut(vs[0], ":")
		cf, _ := it.f["cf"].(map[string]any)
		have := ""
		if v, ok := cf[name]; ok && v != nil {
			have = fmtValue(v)
		}
		conds = append(conds, cond{have, val})
	}
	for _, c := range conds {
		want := strings.ToLower(c.want)
		have := strings.ToLower(c.have)
		switch {
		case want == "${empty}":
			if have != "" {
				return false
			}
		case want == "${notempty}":
			if have == "" {
				return false
			}
		case strings.Contains(want, "*"):
			parts := strings.Split(want, "*")
			rest := have
			if !strings.HasPrefix(rest, parts[0]) {
				return false
			}
			rest = rest[len(parts[0]):]
			for _, p := range parts[1:] {
				i := strings.Index(rest, p)
				if i < 0 {
					return false
				}
				rest = rest[i+len(p):]
			}
			if last := parts[len(parts)-1]; last != "" && !strings.HasSuffix(have, last) {
				return false
			}
		case have != want:
			return false
		}
	}
	return true
}

// isCustomFieldParam reports whether a search parameter filters on a
// custom field: customField1, customField2, … (sheet §8.2).
func isCustomFieldParam(k string) bool {
	n, ok := strings.CutPrefix(k, "customField")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// deskFilter reports whether it passes the comma-list filters (status,
// priority, channel) of a ticket list.
func deskFilter(it *deskItem, filters map[string][]string) bool {
	for k, want := range filters {
		v, _ := it.f[k].(string)
		if !slices.Contains(want, v) {
			return false
		}
	}
	return true
}

// ordered returns kind's items in the order of sort key ("" = by id).
func (d *deskStore) ordered(kind, key string) []*deskItem {
	k := d.kinds[kind]
	if key == "" {
		return k.items
	}
	if o, ok := k.sorted[key]; ok {
		return o
	}
	o := slices.Clone(k.items)
	slices.SortStableFunc(o, func(a, b *deskItem) int { return cmpDesk(a, b, key) })
	if k.sorted == nil {
		k.sorted = map[string][]*deskItem{}
	}
	k.sorted[key] = o
	return o
}

func cmpDesk(a, b *deskItem, key string) int {
	va, vb := deskSortValue(a, key), deskSortValue(b, key)
	switch x := va.(type) {
	case int64:
		y, _ := vb.(int64)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	case string:
		y, _ := vb.(string)
		if c := strings.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
			return c
		}
	}
	if a.id < b.id {
		return -1
	}
	if a.id > b.id {
		return 1
	}
	return 0
}

func deskSortValue(it *deskItem, key string) any {
	switch key {
	case "createdTime":
		return it.created
	case "modifiedTime":
		return it.modified
	case "ticketNumber":
		n, _ := strconv.ParseInt(it.f["ticketNumber"].(string), 10, 64)
		return n
	}
	switch v := it.f[key].(type) {
	case int64:
		return v
	case string:
		return v
	}
	return int64(1<<62 - 1) // nulls last
}

func deskInvalid(field, typ string) *deskError {
	return &deskError{HTTP: http.StatusUnprocessableEntity, Code: "INVALID_DATA",
		Message: "An invalid value has been passed in the input.",
		Errors:  []map[string]any{{"fieldName": "/" + field, "errorType": typ, "errorMessage": ""}}}
}

func (s *Server) deskGet(w http.ResponseWriter, r *http.Request, kind string, id uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it := s.desk.kinds[kind].byID[id]
	if it == nil {
		writeDeskError(w, deskErr(http.StatusNotFound, "URL_NOT_FOUND", "The requested resource does not exist."))
		return
	}
	include, de := deskIncludes(kind, r.URL.Query().Get("include"))
	if de != nil {
		writeDeskError(w, de)
		return
	}
	writeJSON(w, http.StatusOK, s.deskInclude(kind, it, s.deskJSON(kind, it, true), include))
}

// deskIncludeValues are the include= values each kind's GETs take (sheet
// §8.1, §8.2, §15.4; the single-ticket call also takes contract and
// skills). Other values are refused 422 INVALID_DATA (unconfirmed).
var deskIncludeValues = map[string][]string{
	deskTickets:  {"contacts", "products", "departments", "team", "isRead", "assignee", "contract", "skills"},
	deskContacts: {"accounts"},
	deskAccounts: {},
}

// deskIncludes parses an include= list.
func deskIncludes(kind, v string) (map[string]bool, *deskError) {
	out := map[string]bool{}
	if v == "" {
		return out, nil
	}
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(deskIncludeValues[kind], p) {
			return nil, deskInvalid("include", "invalid")
		}
		out[p] = true
	}
	return out, nil
}

// deskInclude adds the related objects include= asks for to a rendered
// item: a ticket's contact {id, firstName, lastName, email, phone, mobile,
// type, account{id, accountName, website}} and department (sheet §15.4),
// and a contact's account {id, accountName, website} (the sheet gives no
// shape for include=accounts: unconfirmed). The emulator keeps no agents,
// teams or products: those come back null. Called with s.mu held.
func (s *Server) deskInclude(kind string, it *deskItem, out map[string]any, include map[string]bool) map[string]any {
	account := func(id uint64) any {
		a := s.desk.kinds[deskAccounts].byID[id]
		if a == nil {
			return nil
		}
		return map[string]any{"id": fmtID(a.id), "accountName": a.f["accountName"], "website": a.f["website"]}
	}
	switch kind {
	case deskTickets:
		if include["contacts"] {
			var cj any
			if c := s.desk.kinds[deskContacts].byID[toU64(it.f["contactId"])]; c != nil {
				cj = map[string]any{"id": fmtID(c.id), "firstName": c.f["firstName"], "lastName": c.f["lastName"],
					"email": c.f["email"], "phone": c.f["phone"], "mobile": c.f["mobile"], "type": c.f["type"],
					"account": account(toU64(c.f["accountId"]))}
			}
			out["contact"] = cj
		}
		if include["departments"] {
			out["department"] = map[string]any{"id": fmtID(s.desk.department), "name": "Support"}
		}
		if include["assignee"] {
			out["assignee"] = nil
		}
		if include["team"] {
			out["team"] = nil
		}
		if include["products"] {
			out["product"] = nil
		}
		if include["isRead"] {
			out["isRead"] = false
		}
	case deskContacts:
		if include["accounts"] {
			out["account"] = account(toU64(it.f["accountId"]))
		}
	}
	return out
}

func (s *Server) deskByIDs(w http.ResponseWriter, r *http.Request, kind string) {
	parts := strings.Split(r.URL.Query().Get("ids"), ",")
	if len(parts) == 0 || parts[0] == "" || len(parts) > 20 {
		writeDeskError(w, deskInvalid("ids", "invalid"))
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []map[string]any{}
	for _, p := range parts {
		if id, ok := parseID(strings.TrimSpace(p)); ok {
			if it := s.desk.kinds[kind].byID[id]; it != nil {
				out = append(out, s.deskJSON(kind, it, false))
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

func toU64(v any) uint64 {
	if n, ok := v.(uint64); ok {
		return n
	}
	return 0
}

// deskJSON renders an item: ids and counters as strings, times as UTC
// with ms.
func (s *Server) deskJSON(kind string, it *deskItem, single bool) map[string]any {
	out := make(map[string]any, len(it.f)+6)
	for k, v := range it.f {
		switch x := v.(type) {
		case uint64:
			out[k] = fmtID(x)
		case int64:
			out[k] = time.UnixMilli(x).UTC().Format(deskTimeLayout)
		default:
			out[k] = v
		}
	}
	if kind == deskTickets && !single {
		delete(out, "description")
	}
	if fs := s.desk.fields[kind]; fs != nil {
		// Every custom field is in cf, null when empty; the single-record
		// form (GET one, create and update answers) carries every standard
		// key and the layout too (sheet §15.1).
		cf := map[string]any{}
		if have, ok := it.f["cf"].(map[string]any); ok {
			for k, v := range have {
				cf[k] = v
			}
		}
		for _, fd := range fs.list {
			if _, ok := cf[fd.API]; fd.Custom && !ok {
				cf[fd.API] = nil
			}
			if _, ok := out[fd.API]; single && !fd.Custom && !ok {
				out[fd.API] = nil
			}
		}
		out["cf"] = cf
		if single {
			for _, k := range []string{"isDeleted", "isTrashed"} {
				if _, ok := out[k]; !ok {
					out[k] = false
				}
			}
			if out["layoutId"] == nil {
				out["layoutId"] = fmtID(s.desk.layout[kind])
			}
			out["layoutDetails"] = map[string]any{"id": out["layoutId"], "layoutName": "Standard Layout"}
		}
	}
	out["id"] = fmtID(it.id)
	out["createdTime"] = time.UnixMilli(it.created).UTC().Format(deskTimeLayout)
	out["modifiedTime"] = time.UnixMilli(it.modified).UTC().Format(deskTimeLayout)
	s.urlMu.RLock()
	base := s.urls.desk
	s.urlMu.RUnlock()
	switch kind {
	case deskTickets:
		out["webUrl"] = base + "/support/zylkersandbox/ShowHomePage.do#Cases/dv/" + fmtID(it.id)
	case deskContacts:
		out["webUrl"] = base + "/support/zylkersandbox/ShowHomePage.do#Contacts/dv/" + fmtID(it.id)
	case deskAccounts:
		out["webUrl"] = base + "/support/zylkersandbox/ShowHomePage.do#Accounts/dv/" + fmtID(it.id)
	}
	return out
}

// deskAdd stores a new Desk item (created/modified in Unix ms; 0 = now).
// Called with s.mu held.
func (s *Server) deskAdd(kind string, f map[string]any, created, modified int64) *deskItem {
	it := &deskItem{id: s.desk.ids.next(), f: f, created: created, modified: modified}
	if it.created == 0 {
		it.created = s.desk.tick(s.now())
	}
	if it.modified == 0 {
		it.modified = it.created
	}
	if it.modified > s.desk.lastMod {
		s.desk.lastMod = it.modified
	}
	s.desk.kinds[kind].add(it)
	return it
}

// DeskRecords returns the Desk records of kind ("tickets", "contacts" or
// "accounts") as the API renders them (single-record form), in id order.
func (s *Server) DeskRecords(kind string) []map[string]any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.desk.kinds[strings.ToLower(kind)]
	if k == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(k.items))
	for _, it := range k.items {
		out = append(out, s.deskJSON(strings.ToLower(kind), it, true))
	}
	return out
}

// DeskDepartmentID returns the id of the org's one Desk department (what a
// ticket create needs as departmentId).
func (s *Server) DeskDepartmentID() string { return fmtID(s.desk.department) }
