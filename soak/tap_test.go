package soak

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The tap sits in front of each emulator (outside its fault and counting
// middleware) and sees every request revops sends and every answer it
// gets, including the ones a fault cuts off. It attributes each request to
// the revops process running at the time (the soak runs one at a time),
// counts the records each write answer reports written, and lets the
// driver kill the process at a precise request: during a read, or right
// after a write was answered.

// Request kinds the tap tells apart.
const (
	kindAuth  = "auth"
	kindRead  = "read"  // a page of records (query, list, results)
	kindWrite = "write" // creates, updates, upserts, deletes; Bulk job create/upload/close
	kindOther = "other" // describe, metadata, job status, cleanup
)

// reqInfo is what the tap learned of one request.
type reqInfo struct {
	system string // salesforce, zoho_crm, zoho_desk, zoho_accounts
	kind   string
	object string // destination object of a write (Lead, Case, Deals, …)
	op     string // create, update, upsert, delete; bulk-create, bulk-upload, bulk-close, bulk-results
	job    string // Bulk ingest job id (bulk ops)
	failed bool   // bulk-results: the failedResults page
}

// writeEvent is one write answer (or Bulk result page) a revops process
// got: how many records the destination reports written.
type writeEvent struct {
	proc      int
	object    string
	op        string
	ok        int  // records written
	created   int  // of which created
	gone      int  // deletes of records already deleted (revops counts them done)
	failed    int  // records refused
	delivered bool // the answer reached the process (not cut by a drop fault, not killed before it was sent)
	// maybe: the process was killed right before the answer was flushed;
	// a large answer may have reached it in part or whole all the same.
	maybe bool
	at    time.Time
}

// procCounts are the requests of one revops process as the tap saw them.
type procCounts struct {
	requests int
	reads    int
	writes   int // write requests
	drops    int // answers a drop fault cut off
	bySystem map[string]int
}

// trigger kills the current process at its n-th request of a kind.
type trigger struct {
	kind  string // kindRead or kindWrite
	op    string // only requests whose op starts with this ("" = any)
	n     int
	flush bool // deliver the answer first (the process may or may not record it)
	label string
}

// recorder is shared by the taps of both emulators.
type recorder struct {
	mu     sync.Mutex
	cur    int // the running process, -1 when none
	procs  map[int]*procCounts
	writes []writeEvent
	jobs   map[string]string // Bulk ingest job id → object
	ops    map[string]int    // "object op" → write requests served 2xx to revops
	trig   *trigger
	seen   int
	killFn func(reason string)
}

func newRecorder() *recorder {
	return &recorder{cur: -1, procs: map[int]*procCounts{}, jobs: map[string]string{}, ops: map[string]int{}}
}

// start makes proc the current process, with an optional trigger and the
// function that kills it.
func (r *recorder) start(proc int, trig *trigger, kill func(string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur, r.trig, r.seen, r.killFn = proc, trig, 0, kill
	if r.procs[proc] == nil {
		r.procs[proc] = &procCounts{bySystem: map[string]int{}}
	}
}

// stop ends the current process.
func (r *recorder) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur, r.trig, r.killFn = -1, nil, nil
}

func (r *recorder) counts(proc int) procCounts {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.procs[proc]; c != nil {
		out := *c
		out.bySystem = map[string]int{}
		for k, v := range c.bySystem {
			out.bySystem[k] = v
		}
		return out
	}
	return procCounts{bySystem: map[string]int{}}
}

// writesOf returns the write events of the processes accepted by keep.
func (r *recorder) writesOf(keep func(proc int) bool) []writeEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []writeEvent
	for _, w := range r.writes {
		if keep(w.proc) {
			out = append(out, w)
		}
	}
	return out
}

// tap wraps one emulator handler.
type tap struct {
	rec      *recorder
	classify func(r *http.Request, body []byte) reqInfo
	next     http.Handler
}

func (t *tap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(ownHeader) != "" || strings.HasPrefix(r.URL.Path, "/__sandbox/") {
		t.next.ServeHTTP(w, r)
		return
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	info := t.classify(r, body)
	t.rec.mu.Lock()
	proc := t.rec.cur
	if c := t.rec.procs[proc]; c != nil {
		c.requests++
		c.bySystem[info.system]++
		switch info.kind {
		case kindRead:
			c.reads++
		case kindWrite:
			c.writes++
		}
	}
	t.rec.mu.Unlock()

	cw := &captureWriter{ResponseWriter: w, keep: info.kind == kindWrite || info.op == "bulk-results"}
	t.next.ServeHTTP(cw, r)

	// Does this request fire the current process's trigger?
	killed := false
	t.rec.mu.Lock()
	if c := t.rec.procs[proc]; c != nil && cw.hijacked {
		c.drops++
	}
	// A trigger counts requests that were served: not a fault's 429 or
	// 5xx, not an expired token, not a dropped answer.
	served := cw.status == 0 || (cw.status >= 200 && cw.status < 300) || (info.kind == kindWrite && cw.status == http.StatusBadRequest)
	if proc >= 0 && proc == t.rec.cur && t.rec.trig != nil && t.rec.trig.kind == info.kind && !cw.hijacked && served &&
		strings.HasPrefix(info.op, t.rec.trig.op) {
		t.rec.seen++
		if t.rec.seen == t.rec.trig.n {
			trig, kill := t.rec.trig, t.rec.killFn
			t.rec.trig = nil
			if trig.flush {
				_ = http.NewResponseController(w).Flush()
			}
			if kill != nil {
				kill(trig.label)
				killed = !trig.flush
			}
		}
	}
	t.rec.mu.Unlock()

	if !cw.keep {
		return
	}
	ev := writeEvent{proc: proc, object: info.object, op: info.op, delivered: !cw.hijacked && !killed,
		maybe: !cw.hijacked && killed, at: time.Now()}
	t.account(&ev, info, cw, body)
	t.rec.mu.Lock()
	if info.op == "bulk-create" && info.job != "" {
		t.rec.jobs[info.job] = info.object
	}
	if ev.object == "" && info.job != "" {
		ev.object = t.rec.jobs[info.job]
	}
	if info.kind == kindWrite && proc >= 0 && cw.status >= 200 && cw.status < 300 {
		t.rec.ops[ev.object+" "+info.op]++
	}
	if info.op != "bulk-create" && info.op != "bulk-upload" && info.op != "bulk-close" {
		t.rec.writes = append(t.rec.writes, ev)
	}
	t.rec.mu.Unlock()
}

// account reads the per-record outcome of a write answer into ev.
func (t *tap) account(ev *writeEvent, info reqInfo, cw *captureWriter, body []byte) {
	data := cw.buf.Bytes()
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case info.op == "bulk-create":
		var job struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(data, &job)
		// The classifier saw the request; the job id is in the answer.
		if job.ID != "" {
			t.rec.mu.Lock()
			t.rec.jobs[job.ID] = info.object
			t.rec.mu.Unlock()
		}
	case info.op == "bulk-results":
		if status != http.StatusOK {
			return
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(rows) == 0 {
			return
		}
		created := -1
		for i, h := range rows[0] {
			if h == "sf__Created" {
				created = i
			}
		}
		for _, row := range rows[1:] {
			if info.failed {
				ev.failed++
				continue
			}
			ev.ok++
			if created >= 0 && created < len(row) && strings.EqualFold(row[created], "true") {
				ev.created++
			}
		}
	case info.system == "salesforce" && strings.HasPrefix(strings.TrimSpace(string(data)), "["):
		var res []struct {
			Success bool  `json:"success"`
			Created *bool `json:"created"`
			Errors  []struct {
				StatusCode string `json:"statusCode"`
				ErrorCode  string `json:"errorCode"`
			} `json:"errors"`
			ErrorCode string `json:"errorCode"`
		}
		if json.Unmarshal(data, &res) != nil {
			return
		}
		for _, x := range res {
			switch {
			case x.Success:
				ev.ok++
				if info.op == "create" || (x.Created != nil && *x.Created) {
					ev.created++
				}
			case x.ErrorCode != "": // a whole-request error in the list form
				ev.failed++
			case info.op == "delete" && len(x.Errors) > 0 && goneCode(x.Errors[0].StatusCode):
				ev.gone++
			default:
				ev.failed++
			}
		}
	case info.system == "salesforce":
		// A single-record call: 200/201/204 wrote the record.
		switch {
		case status >= 200 && status <= 299:
			ev.ok = 1
			if info.op == "create" || status == http.StatusCreated {
				ev.created = 1
			}
		case info.op == "delete" && strings.Contains(string(data), "ENTITY_IS_DELETED"):
			ev.gone = 1
		case status < 500 && status != http.StatusTooManyRequests && status != http.StatusUnauthorized:
			ev.failed = 1
		}
	default: // Zoho CRM: {"data":[{status, code, message, action}]}
		var res struct {
			Data []struct {
				Status  string `json:"status"`
				Code    string `json:"code"`
				Message string `json:"message"`
				Action  string `json:"action"`
			} `json:"data"`
		}
		if json.Unmarshal(data, &res) != nil {
			return
		}
		for _, x := range res.Data {
			switch {
			case x.Status == "success":
				ev.ok++
				if info.op == "create" || x.Action == "insert" {
					ev.created++
				}
			case info.op == "delete" && zohoGone(x.Code, x.Message):
				ev.gone++
			default:
				ev.failed++
			}
		}
	}
}

// captureWriter passes a response through, keeping a copy of its body
// (when keep) and noticing when a drop fault hijacks the connection.
type captureWriter struct {
	http.ResponseWriter
	keep     bool
	status   int
	buf      bytes.Buffer
	hijacked bool
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.keep {
		c.buf.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (c *captureWriter) Flush() { _ = http.NewResponseController(c.ResponseWriter).Flush() }

// Hijack is how the sandbox's drop fault cuts a response: the answer never
// reaches the client whole.
func (c *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c.hijacked = true
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Salesforce id prefixes of the objects the soak writes, for deletes by id.
var sfPrefixes = map[string]string{"001": "Account", "003": "Contact", "006": "Opportunity", "00Q": "Lead", "500": "Case", "00T": "Task"}

// classifySF names a Salesforce request.
func classifySF(r *http.Request, body []byte) reqInfo {
	info := reqInfo{system: "salesforce", kind: kindOther}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) >= 2 && segs[0] == "services" && segs[1] == "oauth2" {
		info.kind = kindAuth
		return info
	}
	if len(segs) < 4 || segs[0] != "services" || segs[1] != "data" {
		return info
	}
	rest := segs[3:]
	m := r.Method
	if o := r.URL.Query().Get("_HttpMethod"); o != "" && m == http.MethodPost {
		m = strings.ToUpper(o)
	}
	objectOfBody := func() string {
		var b struct {
			Records []struct {
				Attributes struct {
					Type string `json:"type"`
				} `json:"attributes"`
			} `json:"records"`
			Object string `json:"object"`
		}
		_ = json.Unmarshal(body, &b)
		if b.Object != "" {
			return b.Object
		}
		if len(b.Records) > 0 {
			return b.Records[0].Attributes.Type
		}
		return ""
	}
	switch rest[0] {
	case "query", "queryAll":
		info.kind = kindRead
	case "composite":
		if len(rest) == 1 || len(rest) == 2 && rest[1] == "batch" {
			// revops sends only queries in Composite calls and Batches.
			info.kind = kindRead
		}
		if len(rest) >= 2 && rest[1] == "sobjects" {
			switch {
			case len(rest) == 2 && m == http.MethodPost:
				info.kind, info.op, info.object = kindWrite, "create", objectOfBody()
			case len(rest) == 2 && m == http.MethodPatch:
				info.kind, info.op, info.object = kindWrite, "update", objectOfBody()
			case len(rest) == 2 && m == http.MethodDelete:
				info.kind, info.op = kindWrite, "delete"
				ids := strings.Split(r.URL.Query().Get("ids"), ",")
				if len(ids) > 0 && len(ids[0]) >= 3 {
					info.object = sfPrefixes[ids[0][:3]]
				}
			case len(rest) == 4 && m == http.MethodPatch:
				info.kind, info.op, info.object = kindWrite, "upsert", rest[2]
			case len(rest) == 3:
				info.kind = kindRead // retrieve by ids
			}
		}
	case "sobjects":
		switch {
		case len(rest) == 2 && m == http.MethodPost:
			info.kind, info.op, info.object = kindWrite, "create", rest[1]
		case len(rest) == 3 && (m == http.MethodPatch || m == http.MethodDelete) && rest[2] != "describe":
			info.kind, info.object = kindWrite, rest[1]
			info.op = map[string]string{http.MethodPatch: "update", http.MethodDelete: "delete"}[m]
		case len(rest) == 4 && m == http.MethodPatch:
			info.kind, info.op, info.object = kindWrite, "upsert", rest[1]
		case len(rest) >= 3 && (rest[2] == "updated" || rest[2] == "deleted"):
			info.kind = kindRead
		}
	case "jobs":
		if len(rest) < 2 {
			return info
		}
		if rest[1] == "query" {
			if len(rest) == 4 && rest[3] == "results" {
				info.kind = kindRead
			}
			return info
		}
		if rest[1] != "ingest" {
			return info
		}
		switch {
		case len(rest) == 2 && m == http.MethodPost:
			info.kind, info.op, info.object = kindWrite, "bulk-create", objectOfBody()
		case len(rest) == 4 && rest[3] == "batches" && m == http.MethodPut:
			info.kind, info.op, info.job = kindWrite, "bulk-upload", rest[2]
		case len(rest) == 3 && m == http.MethodPatch:
			info.kind, info.op, info.job = kindWrite, "bulk-close", rest[2]
		case len(rest) == 4 && rest[3] == "successfulResults" && m == http.MethodGet:
			info.op, info.job = "bulk-results", rest[2]
		case len(rest) == 4 && rest[3] == "failedResults" && m == http.MethodGet:
			info.op, info.job, info.failed = "bulk-results", rest[2], true
		}
	}
	return info
}

// classifyZoho names a Zoho request (accounts, CRM or Desk).
func classifyZoho(r *http.Request, _ []byte) reqInfo {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/oauth/"), strings.HasPrefix(p, "/accounts/"):
		return reqInfo{system: "zoho_accounts", kind: kindAuth}
	case strings.HasPrefix(p, "/api/v1/"):
		info := reqInfo{system: "zoho_desk", kind: kindOther}
		if r.Method == http.MethodGet {
			info.kind = kindRead
		}
		return info
	}
	info := reqInfo{system: "zoho_crm", kind: kindOther}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	if len(segs) < 3 || segs[0] != "crm" {
		return info
	}
	module := segs[2]
	switch module {
	case "settings", "users", "org", "__sandbox":
		return info
	case "coql":
		info.kind = kindRead
		return info
	}
	switch {
	case r.Method == http.MethodGet:
		info.kind = kindRead
	case len(segs) == 3 && r.Method == http.MethodPost:
		info.kind, info.op, info.object = kindWrite, "create", module
	case len(segs) == 3 && r.Method == http.MethodPut:
		info.kind, info.op, info.object = kindWrite, "update", module
	case len(segs) == 3 && r.Method == http.MethodDelete:
		info.kind, info.op, info.object = kindWrite, "delete", module
	case len(segs) == 4 && segs[3] == "upsert" && r.Method == http.MethodPost:
		info.kind, info.op, info.object = kindWrite, "upsert", module
	case len(segs) == 4 && r.Method == http.MethodPut:
		info.kind, info.op, info.object = kindWrite, "update", module
	case len(segs) == 4 && r.Method == http.MethodDelete:
		info.kind, info.op, info.object = kindWrite, "delete", module
	}
	return info
}
