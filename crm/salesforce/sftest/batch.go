package sftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Composite Batch (reference sheet §3.3, limits table §5):
//
//	POST /services/data/vXX.X/composite/batch
//	{"batchRequests":[{"method":"GET","url":"/services/data/v62.0/query?q=…"}],"haltOnError":false}
//	→ 200 {"hasErrors":false,"results":[{"statusCode":200,"result":{…the subrequest's own body…}}]}
//
// Up to maxBatchRequests subrequests run one after another, in order.
// Each subrequest counts as one request against the org's daily API
// allocation (Sforce-Limit-Info, /limits), as Salesforce's Composite
// Batch documentation says ("each subrequest counts against rate
// limits"; Composite, composite.go, counts once); a subrequest past the
// allocation answers 403 REQUEST_LIMIT_EXCEEDED. The sandbox counters
// count one HTTP request (the middleware sees one; subrequests never pass
// through it, so injected faults apply to the batch as a whole). The
// Sforce-Limit-Info header of the answer was set before the subrequests
// ran, so it shows the batch's first call only (unconfirmed what
// Salesforce shows). A
// subrequest that fails has its own statusCode and the REST error array
// as its result; the others still run, unless haltOnError is true, when
// every later one answers 412 BATCH_PROCESSING_HALTED.
//
// Unconfirmed details, chosen here for the emulator:
//   - whether queries inside a batch have a limit of their own (the sheet's
//     "≤ 5 query/collection operations" is a third-party figure for
//     Composite, not Batch): none here, all 25 may be queries;
//   - the error code and text of a batch with too many or no subrequests,
//     or a malformed one (INVALID_BATCH_REQUEST here, 400);
//   - the text of the halted subrequests' error (BATCH_PROCESSING_HALTED, 412);
//   - which resources a subrequest may address: limits, query, queryAll and
//     sobjects here (the documented list also has search, Connect and
//     Chatter, which the emulator does not serve); others answer 400;
//   - whether the batch request's headers apply to its subrequests: here
//     they do (Sforce-Query-Options batchSize, If-Modified-Since), minus
//     the body's Content-Type/Content-Length;
//   - a subrequest url relative to /services/data ("v62.0/query?q=…") is
//     taken as well as the absolute path.
const maxBatchRequests = 25

// minBatchVersion is the first API version with Composite Batch.
const minBatchVersion = 34

func errBatch(msg string) *restError {
	return newRESTError(http.StatusBadRequest, "INVALID_BATCH_REQUEST", msg)
}

// serveBatch serves POST /composite/batch.
func (s *Server) serveBatch(w http.ResponseWriter, q *req) *restError {
	if len(q.parts) != 2 {
		return errNotFound
	}
	if q.verNum < minBatchVersion {
		return errNotFound
	}
	list, halt, e := readEnvelope(q, "BatchRequest", "haltOnError", "batchRequests", maxBatchRequests, errBatch)
	if e != nil {
		return e
	}
	subs := make([]*req, len(list))
	for i, it := range list {
		sq, e := s.subrequest(q, it, errBatch)
		if e != nil {
			e.Errors[0].Message = fmt.Sprintf("batchRequests[%d]: %s", i, e.Errors[0].Message)
			return e
		}
		subs[i] = sq
	}
	results := make([]obj, len(subs))
	hasErrors, halted := false, false
	for i, sq := range subs {
		if halted {
			results[i] = obj{{"statusCode", http.StatusPreconditionFailed}, {"result", []apiError{{
				Message: "Batch processing halted per request", ErrorCode: "BATCH_PROCESSING_HALTED"}}}}
			continue
		}
		// Each subrequest counts against the daily allocation (the batch
		// request itself was counted as the first).
		if i > 0 && s.countCall() {
			results[i] = obj{{"statusCode", errLimit.Status}, {"result", errLimit.Errors}}
			hasErrors = true
			halted = halt
			continue
		}
		status, result, _ := s.runSubrequest(sq)
		if status >= 400 {
			hasErrors = true
			halted = halt
		}
		results[i] = obj{{"statusCode", status}, {"result", result}}
	}
	writeJSON(w, http.StatusOK, obj{{"hasErrors", hasErrors}, {"results", results}})
	return nil
}

// readEnvelope reads the body of a POST of subrequests (Composite
// Batch, Composite): {flagKey: a boolean, listKey: [1..max subrequests]}.
// typ names the body's type in the JSON parser's message; mkErr makes the
// other errors.
func readEnvelope(q *req, typ, flagKey, listKey string, max int, mkErr func(string) *restError) ([]any, bool, *restError) {
	if q.method != http.MethodPost {
		return nil, false, errMethod(q.method, "POST")
	}
	v, e := readJSON(q.r)
	if e != nil {
		return nil, false, e
	}
	body, ok := v.(obj)
	if !ok {
		return nil, false, errJSON("Cannot deserialize instance of " + typ + " from a non-object value")
	}
	flag := false
	if f, ok := body.get(flagKey); ok {
		b, isBool := f.(bool)
		if !isBool {
			return nil, false, errJSON(flagKey + ": expected a boolean")
		}
		flag = b
	}
	raw, _ := body.get(listKey)
	list, ok := raw.([]any)
	switch {
	case !ok || len(list) == 0:
		return nil, false, mkErr("A request must hold at least one subrequest in " + listKey)
	case len(list) > max:
		return nil, false, mkErr(fmt.Sprintf("A request can hold at most %d subrequests in %s; this one holds %d",
			max, listKey, len(list)))
	}
	return list, flag, nil
}

// subrequest checks one batchRequests (or compositeRequest) item and
// builds its request; errBatch (or errComposite) makes its errors.
func (s *Server) subrequest(q *req, it any, errBatch func(string) *restError) (*req, *restError) {
	o, ok := it.(obj)
	if !ok {
		return nil, errBatch("a subrequest must be an object with method and url")
	}
	mv, _ := o.get("method")
	uv, _ := o.get("url")
	method, _ := mv.(string)
	raw, _ := uv.(string)
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" || raw == "" {
		return nil, errBatch("a subrequest needs a method and a url")
	}
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodHead:
	default:
		return nil, errBatch(fmt.Sprintf("method %s is not supported in a batch", method))
	}
	if !strings.HasPrefix(raw, "/") {
		raw = "/services/data/" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errBatch(fmt.Sprintf("url %q does not parse", raw))
	}
	segs := splitPath(u.Path)
	if len(segs) < 4 || segs[0] != "services" || segs[1] != "data" {
		return nil, errBatch(fmt.Sprintf("url %s is not a REST resource of /services/data/vXX.X", u.Path))
	}
	ver, n, ok := versionOf(segs[2])
	if !ok || n < minBatchVersion || n > s.maxVer {
		return nil, errBatch(fmt.Sprintf("url %s: API version %s is not served in a batch", u.Path, segs[2]))
	}
	var body []byte
	ri, ok := o.get("richInput")
	if !ok {
		ri, ok = o.get("body") // Composite's name for it
	}
	if ok && ri != nil {
		if body, err = appendJSON(nil, ri); err != nil {
			return nil, errJSON("richInput: " + err.Error())
		}
	}
	r, err := http.NewRequestWithContext(q.r.Context(), method, s.BaseURL()+u.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, errBatch(fmt.Sprintf("url %s: %v", u.Path, err))
	}
	r.Header = q.r.Header.Clone()
	r.Header.Del("Content-Length")
	r.Header.Del("Content-Type")
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	return &req{r: r, method: method, ver: ver, verNum: n, parts: segs[3:]}, nil
}

// runSubrequest serves one subrequest into a buffer and returns its
// status, body (JSON null when it has none, e.g. 204 or 304) and headers.
func (s *Server) runSubrequest(q *req) (int, any, http.Header) {
	buf := &subWriter{header: http.Header{}}
	var e *restError
	switch q.parts[0] {
	case "limits", "query", "queryAll", "sobjects":
		e = s.dispatch(buf, q)
	default:
		e = errBatch(fmt.Sprintf("resource %s is not supported in a batch", q.parts[0]))
	}
	if e != nil {
		return e.Status, e.Errors, buf.header
	}
	status := buf.status
	if status == 0 {
		status = http.StatusOK
	}
	if b := bytes.TrimSpace(buf.body.Bytes()); len(b) > 0 {
		// The resources a batch serves answer JSON.
		return status, json.RawMessage(b), buf.header
	}
	return status, nil, buf.header
}

// subWriter is the http.ResponseWriter a subrequest writes into.
type subWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *subWriter) Header() http.Header { return w.header }

func (w *subWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *subWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}
