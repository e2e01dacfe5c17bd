package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// The routes Emulator serves itself. They are neither counted nor faulted.
const (
	// StatsPath answers GET with {"requests":[Count…]}.
	StatsPath = "/__sandbox/stats"
	// ResetPath zeroes the counters on POST (204).
	ResetPath = "/__sandbox/reset"
	// FaultsPath lists the fault rules on GET ({"rules":["429:every=10",…]}),
	// adds rules in ParseRules syntax from the body on POST (204), and
	// clears rules and pending faults on DELETE (204).
	FaultsPath = "/__sandbox/faults"
)

// StatusClientGone is the status counted for a request whose client went
// away before anything was sent (during a slow fault): nginx's 499.
const StatusClientGone = 499

// Emulator wraps an emulator's handler with request counting and fault
// injection. System, Next and WriteError are the emulator's; Counters and
// Faults may be nil (then nothing is counted or injected).
type Emulator struct {
	// System names the system in counters and fault rules, e.g. "salesforce".
	System string
	// Endpoint maps a request to its route pattern, e.g.
	// "/services/data/vXX.X/query"; OAuth calls get their own. Nil means the
	// URL path.
	Endpoint func(r *http.Request) string
	// WriteError writes the system's own error response for a 429, 500 or
	// 503 fault (f.Kind), including the status line. Retry-After is already
	// set for a 429. Nil writes a plain-text error.
	WriteError func(w http.ResponseWriter, r *http.Request, f *Fault)
	// Counters counts every request except the /__sandbox/ routes, with the
	// status actually sent.
	Counters *Counters
	// Faults decides one fault per request.
	Faults *Faults
	// Next is the emulator proper.
	Next http.Handler
}

type faultKey struct{}

// FaultFrom returns the fault decided for this request when it is one the
// emulator must act on itself (expire_token: answer as its API does for an
// expired access token; lock_row: fail the Records, or records of its
// choosing when Records is empty, as locked), or nil.
func FaultFrom(ctx context.Context) *Fault {
	f, _ := ctx.Value(faultKey{}).(*Fault)
	return f
}

// WithFault returns ctx carrying f for FaultFrom, for emulators' own tests.
func WithFault(ctx context.Context, f *Fault) context.Context {
	return context.WithValue(ctx, faultKey{}, f)
}

// ServeHTTP implements http.Handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case StatsPath:
		e.serveStats(w, r)
		return
	case ResetPath:
		e.serveReset(w, r)
		return
	case FaultsPath:
		e.serveFaults(w, r)
		return
	}
	endpoint := r.URL.Path
	if e.Endpoint != nil {
		endpoint = e.Endpoint(r)
	}
	var f *Fault
	if e.Faults != nil {
		f = e.Faults.Decide(e.System, r.Method, endpoint)
	}
	sw := &statusWriter{ResponseWriter: w}
	if e.Counters != nil {
		// Counted as soon as the status is known, before any of the
		// answer can reach the client: a client that reads the counters
		// right after its call returns sees that call.
		sw.count = func(status int) { e.Counters.Add(e.System, r.Method, endpoint, status) }
	}
	status := e.serve(sw, w, r, f)
	if e.Counters != nil && !sw.counted {
		e.Counters.Add(e.System, r.Method, endpoint, status)
	}
	if status == dropAborted {
		panic(http.ErrAbortHandler)
	}
}

// dropAborted tells ServeHTTP to abort the response after counting (a drop
// on a connection that cannot be hijacked, such as HTTP/2).
const dropAborted = -1

// serve handles one request under fault f and returns the status to count.
func (e *Emulator) serve(sw *statusWriter, w http.ResponseWriter, r *http.Request, f *Fault) int {
	if f == nil {
		e.Next.ServeHTTP(sw, r)
		return sw.sent()
	}
	switch f.Kind {
	case Fault429:
		secs := int64(math.Ceil(f.RetryAfter.Seconds()))
		sw.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		e.writeError(sw, r, f, http.StatusTooManyRequests)
	case Fault500:
		e.writeError(sw, r, f, http.StatusInternalServerError)
	case Fault503:
		e.writeError(sw, r, f, http.StatusServiceUnavailable)
	case FaultSlow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return StatusClientGone
		}
		e.Next.ServeHTTP(sw, r)
	case FaultDrop:
		return e.drop(w, r)
	default: // expire_token, lock_row: the emulator acts on it
		e.Next.ServeHTTP(sw, r.WithContext(WithFault(r.Context(), f)))
	}
	return sw.sent()
}

func (e *Emulator) writeError(w http.ResponseWriter, r *http.Request, f *Fault, code int) {
	if e.WriteError != nil {
		e.WriteError(w, r, f)
		return
	}
	http.Error(w, fmt.Sprintf("sandbox: injected fault %s", f.Kind), code)
}

// drop serves the request into a buffer, then sends the status line, the
// headers (with the full Content-Length) and half of the body, and closes
// the connection.
func (e *Emulator) drop(w http.ResponseWriter, r *http.Request) int {
	buf := &bufferWriter{header: make(http.Header)}
	e.Next.ServeHTTP(buf, r)
	status := buf.sent()
	body := buf.body.Bytes()
	h := buf.header.Clone()
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	half := body[:len(body)/2]

	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// No hijacking (HTTP/2, or a recorder): send what we can and abort.
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write(half)
		_ = http.NewResponseController(w).Flush()
		return dropAborted
	}
	defer conn.Close()
	if len(body) == 0 {
		// Nothing to cut in half: close before sending anything.
		return status
	}
	fmt.Fprintf(rw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(rw)
	_, _ = io.WriteString(rw, "\r\n")
	_, _ = rw.Write(half)
	_ = rw.Flush()
	return status
}

func (e *Emulator) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "sandbox: stats: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	counts := []Count{}
	if e.Counters != nil {
		counts = e.Counters.Snapshot()
	}
	writeJSON(w, struct {
		Requests []Count `json:"requests"`
	}{counts})
}

func (e *Emulator) serveReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "sandbox: reset: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if e.Counters != nil {
		e.Counters.Reset()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) serveFaults(w http.ResponseWriter, r *http.Request) {
	if e.Faults == nil {
		http.Error(w, "sandbox: faults: this emulator injects no faults", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		rules := []string{}
		for _, rl := range e.Faults.Rules() {
			rules = append(rules, rl.String())
		}
		writeJSON(w, struct {
			Rules []string `json:"rules"`
		}{rules})
	case http.MethodPost:
		spec, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, fmt.Sprintf("sandbox: faults: read body: %v", err), http.StatusBadRequest)
			return
		}
		rules, err := ParseRules(string(spec))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, rl := range rules {
			e.Faults.Add(rl)
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		e.Faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "sandbox: faults: method not allowed", http.StatusMethodNotAllowed)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("sandbox: encode: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	_, _ = w.Write(append(b, '\n'))
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
	// count, when set, counts the request once its status is known;
	// counted says it did.
	count   func(status int)
	counted bool
}

// setStatus records the first final status and counts the request.
func (s *statusWriter) setStatus(code int) {
	if s.status != 0 || code < 200 {
		return
	}
	s.status = code
	if s.count != nil {
		s.count(code)
		s.counted = true
	}
}

// WriteHeader records the first final status and passes it on.
func (s *statusWriter) WriteHeader(code int) {
	s.setStatus(code)
	s.ResponseWriter.WriteHeader(code)
}

// Write passes p on; a first write implies 200.
func (s *statusWriter) Write(p []byte) (int, error) {
	s.setStatus(http.StatusOK)
	return s.ResponseWriter.Write(p)
}

// Flush lets streaming handlers flush through the wrapper.
func (s *statusWriter) Flush() {
	s.setStatus(http.StatusOK)
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) sent() int {
	if s.status == 0 {
		return http.StatusOK // net/http sends 200 for a handler that wrote nothing
	}
	return s.status
}

// bufferWriter collects a whole response in memory.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header returns the buffered response's header.
func (b *bufferWriter) Header() http.Header { return b.header }

// WriteHeader records the first final status.
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 && code >= 200 {
		b.status = code
	}
}

// Write buffers p; a first write implies 200.
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferWriter) sent() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

var _ http.Handler = (*Emulator)(nil)
