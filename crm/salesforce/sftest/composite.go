package sftest

import (
	"fmt"
	"net/http"
	"strings"
)

// Composite (reference sheet §3.3):
//
//	POST /services/data/vXX.X/composite
//	{"allOrNone":false,"compositeRequest":[{"method":"GET","url":"/services/data/v62.0/query?q=…",
//	  "referenceId":"q1","httpHeaders":{"If-Modified-Since":"…"}}]}
//	→ 200 {"compositeResponse":[{"body":…,"httpHeaders":{…},"httpStatusCode":200,"referenceId":"q1"}]}
//
// Up to maxCompositeRequests subrequests, of which at most
// maxCompositeQueries are query operations (query, queryAll, the next page
// of a query), run one after another. The whole request counts as ONE
// call against the org's daily API allocation (Salesforce's Composite
// documentation says so in those words, unlike Composite Batch, where
// each subrequest counts). Each subrequest may carry its own headers
// (httpHeaders; If-Modified-Since on a describe answers 304 as alone);
// the composite request's own headers do not pass to them, except
// Sforce-Query-Options (unconfirmed; the emulator passes it).
//
// Not emulated, each answered 400 with a message that says so:
// references between subrequests ("@{refId.field}" in a url or body) and
// allOrNone:true together with a subrequest that writes (the emulator
// cannot roll back). Unconfirmed, chosen here: the error code and text
// of a malformed or oversized request (INVALID_COMPOSITE_REQUEST... the
// real one may differ), and of the subrequests that allOrNone stops
// after a failure (400 PROCESSING_HALTED).
const (
	maxCompositeRequests = 25
	maxCompositeQueries  = 5
)

// minCompositeVersion is the first API version with Composite (v37 or
// v38 by the release notes: unconfirmed; the emulator serves 38 and later).
const minCompositeVersion = 38

func errComposite(msg string) *restError {
	return newRESTError(http.StatusBadRequest, "INVALID_COMPOSITE_REQUEST", msg)
}

// headersNotPassed are headers a subrequest may not set.
var headersNotPassed = map[string]bool{"Accept": true, "Authorization": true, "Content-Type": true}

// serveComposite serves POST /composite.
func (s *Server) serveComposite(w http.ResponseWriter, q *req) *restError {
	if len(q.parts) != 1 || q.verNum < minCompositeVersion {
		return errNotFound
	}
	list, allOrNone, e := readEnvelope(q, "CompositeRequest", "allOrNone", "compositeRequest", maxCompositeRequests, errComposite)
	if e != nil {
		return e
	}
	subs := make([]*req, len(list))
	refs := make([]string, len(list))
	seen := map[string]bool{}
	queries, writes := 0, false
	for i, it := range list {
		o, ok := it.(obj)
		if !ok {
			return errComposite(fmt.Sprintf("compositeRequest[%d]: a subrequest must be an object with method, url and referenceId", i))
		}
		rv, _ := o.get("referenceId")
		ref, _ := rv.(string)
		switch {
		case ref == "":
			return errComposite(fmt.Sprintf("compositeRequest[%d]: referenceId is required", i))
		case seen[ref]:
			return errComposite(fmt.Sprintf("compositeRequest[%d]: duplicate referenceId %q", i, ref))
		}
		seen[ref], refs[i] = true, ref
		if b, err := appendJSON(nil, o); err == nil && strings.Contains(string(b), "@{") {
			return errComposite(fmt.Sprintf("compositeRequest[%d] (%s): references between subrequests (@{…}) are not emulated", i, ref))
		}
		sq, e := s.subrequest(q, it, errComposite)
		if e != nil {
			e.Errors[0].Message = fmt.Sprintf("compositeRequest[%d] (%s): %s", i, ref, e.Errors[0].Message)
			return e
		}
		// The composite request's headers do not pass; the subrequest's own do.
		h := http.Header{}
		if v := q.r.Header.Get("Authorization"); v != "" {
			h.Set("Authorization", v)
		}
		if v := q.r.Header.Get("Sforce-Query-Options"); v != "" {
			h.Set("Sforce-Query-Options", v)
		}
		if ct := sq.r.Header.Get("Content-Type"); ct != "" {
			h.Set("Content-Type", ct)
		}
		if hv, ok := o.get("httpHeaders"); ok && hv != nil {
			ho, ok := hv.(obj)
			if !ok {
				return errComposite(fmt.Sprintf("compositeRequest[%d] (%s): httpHeaders must be an object", i, ref))
			}
			for _, m := range ho {
				val, ok := m.V.(string)
				if !ok {
					return errComposite(fmt.Sprintf("compositeRequest[%d] (%s): header %s must be a string", i, ref, m.K))
				}
				if headersNotPassed[http.CanonicalHeaderKey(m.K)] {
					return errComposite(fmt.Sprintf("compositeRequest[%d] (%s): a subrequest may not set %s", i, ref, m.K))
				}
				h.Set(m.K, val)
			}
		}
		sq.r.Header = h
		switch sq.parts[0] {
		case "query", "queryAll":
			queries++
		}
		if sq.method != http.MethodGet && sq.method != http.MethodHead {
			writes = true
		}
		subs[i] = sq
	}
	if queries > maxCompositeQueries {
		return errComposite(fmt.Sprintf("A composite request can hold at most %d query operations; this one holds %d",
			maxCompositeQueries, queries))
	}
	if allOrNone && writes {
		return errComposite("allOrNone with subrequests that write is not emulated")
	}
	out := make([]obj, len(subs))
	halted := false
	for i, sq := range subs {
		if halted {
			out[i] = obj{{"body", []apiError{{Message: "The transaction was rolled back since another operation in the same transaction failed.",
				ErrorCode: "PROCESSING_HALTED"}}}, {"httpHeaders", obj{}}, {"httpStatusCode", http.StatusBadRequest}, {"referenceId", refs[i]}}
			continue
		}
		status, result, hdr := s.runSubrequest(sq)
		if status >= 400 && allOrNone {
			halted = true
		}
		headers := obj{}
		for _, k := range []string{"Location", "Last-Modified", "Date"} {
			if v := hdr.Get(k); v != "" {
				headers = append(headers, kv{k, v})
			}
		}
		out[i] = obj{{"body", result}, {"httpHeaders", headers}, {"httpStatusCode", status}, {"referenceId", refs[i]}}
	}
	writeJSON(w, http.StatusOK, obj{{"compositeResponse", out}})
	return nil
}
