package zohotest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bulk Read (sheet §3.1): POST /crm/bulk/v8/read creates an export job,
// GET /crm/bulk/v8/read/{id} reports its state (ADDED → QUEUED → IN
// PROGRESS → COMPLETED or FAILURE), GET /crm/bulk/v8/read/{id}/result
// downloads a zip holding one CSV ({id}.csv) of up to 200,000 records.
// More records come from further jobs with query.page = 2, 3, … or with
// query.page_token = the previous job's result.next_page_token.
//
// Choices where the sheet is silent or unconfirmed:
//   - Records come in id order; a page_token resumes after the last id of
//     its page (so records created or deleted meanwhile never shift the
//     pages), and page=N skips (N−1)×200,000 matching records.
//   - The CSV's header row holds "id" and then the asked fields, in the
//     order asked (every field of the module when fields is empty, in the
//     fields API's order). Cells: empty for null (so an empty text and a
//     null cannot be told apart, as in any CSV); datetimes as the REST API
//     writes them (with the API user's offset); numbers as JSON writes
//     them; booleans true/false; multi-select picklists joined with ";"
//     (the separator is unconfirmed); lookups and user lookups hold the
//     record's or user's id. "Field.Other" (dot notation) reads a field of
//     the record a lookup points at; on a user lookup the emulator takes
//     id, full_name, first_name, last_name and email (unconfirmed).
//   - Converted leads are exported with the others (unconfirmed).
//   - A job costs 50 credits (sheet, secondary source); a status poll and
//     a download one credit each (the default cost, unconfirmed for these
//     calls). More than 10 downloads in a minute answer 429
//     TOO_MANY_REQUESTS.
//   - Results stay downloadable for 24 hours (unconfirmed); later, and for
//     a job id the org never had, the answer is 404 RESOURCE_NOT_FOUND. A
//     download before the job completed is 400 INVALID_REQUEST
//     (unconfirmed).
//   - Criteria: one condition {field:{api_name}, comparator, value} or a
//     group {group_operator: and|or, group: […]} (nested groups too), with
//     the comparators the sheet lists per data type; "${EMPTY}" matches
//     empty values. Errors are 400 INVALID_DATA naming the key
//     (json_path) and the field or comparator (exact details unconfirmed).
//   - FailBulkReads makes jobs end in FAILURE (result.error_message), and
//     Options.BulkReadDelay keeps a job queued for a while before it runs.

const (
	bulkPerPage       = 200_000
	bulkReadCredits   = 50
	bulkDownloadLimit = 10 // per minute
	bulkResultTTL     = 24 * time.Hour
)

// Bulk read job states (sheet §3.1).
const (
	bulkAdded      = "ADDED"
	bulkQueued     = "QUEUED"
	bulkInProgress = "IN PROGRESS"
	bulkCompleted  = "COMPLETED"
	bulkFailure    = "FAILURE"
)

// bulkStore holds the org's bulk read jobs.
type bulkStore struct {
	mu        sync.Mutex
	jobs      map[uint64]*bulkJob
	downloads []time.Time // the last minute's downloads
	failAfter int         // jobs to run before the failures start
	failNext  int
	failMsg   string
}

// bulkJob is one bulk read job.
type bulkJob struct {
	id       uint64
	m        *module
	cols     []bulkColumn
	crit     *bulkCrit
	page     int        // query.page (1 when a token is given)
	token    *pageToken // query.page_token, opened
	binding  string
	fileType string
	callback string
	created  time.Time
	query    map[string]any // echoed in the job details

	// Set by the job's run, under bulkStore.mu.
	state  string
	result map[string]any
	zip    []byte
}

// FailBulkReads makes n bulk read jobs, after the next after ones, end in
// FAILURE with the given message (as a job that hits an internal problem
// does).
func (s *Server) FailBulkReads(after, n int, message string) {
	s.bulk.mu.Lock()
	defer s.bulk.mu.Unlock()
	s.bulk.failAfter, s.bulk.failNext, s.bulk.failMsg = after, n, message
}

// BulkReadJobs reports how many bulk read jobs the org has created.
func (s *Server) BulkReadJobs() int {
	s.bulk.mu.Lock()
	defer s.bulk.mu.Unlock()
	return len(s.bulk.jobs)
}

// serveBulk answers /crm/bulk/v8/read[/{id}[/result]].
func (s *Server) serveBulk(c *call, rest []string) {
	if len(rest) > 0 && rest[0] == "write" {
		s.serveBulkWrite(c, rest)
		return
	}
	if len(rest) == 0 || rest[0] != "read" || len(rest) > 3 {
		c.fail(errURLPattern())
		return
	}
	if !hasScope(c.scopes, "zohocrm.bulk.all", "zohocrm.bulk.read") {
		c.fail(errScope())
		return
	}
	switch len(rest) {
	case 1:
		if c.r.Method != http.MethodPost {
			c.fail(errMethod())
			return
		}
		s.createBulkRead(c)
		return
	}
	id, ok := parseID(rest[1])
	if !ok {
		c.fail(errURLPattern())
		return
	}
	if c.r.Method != http.MethodGet {
		c.fail(errMethod())
		return
	}
	if len(rest) == 3 {
		if rest[2] != "result" {
			c.fail(errURLPattern())
			return
		}
		s.downloadBulkRead(c, id)
		return
	}
	s.bulkReadDetails(c, id)
}

// bulkRequest is the body of a create call.
type bulkRequest struct {
	Callback *struct {
		URL    string `json:"url"`
		Method string `json:"method"`
	} `json:"callback"`
	Query    *bulkQuery `json:"query"`
	FileType string     `json:"file_type"`
}

type bulkQuery struct {
	Module    json.RawMessage `json:"module"`
	CVID      json.RawMessage `json:"cvid"`
	Fields    []string        `json:"fields"`
	Criteria  json.RawMessage `json:"criteria"`
	Page      *json.Number    `json:"page"`
	PageToken string          `json:"page_token"`
}

func bulkErr(code, msg string, kv ...any) *apiError {
	return newErr(http.StatusBadRequest, code, msg, kv...)
}

// createBulkRead answers POST /crm/bulk/v8/read.
func (s *Server) createBulkRead(c *call) {
	if mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type")); mt != "application/json" {
		c.fail(newErr(http.StatusUnsupportedMediaType, "MEDIA_TYPE_NOT_SUPPORTED",
			"the media type given is not supported; send application/json"))
		return
	}
	data, err := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
	if err != nil {
		c.fail(bulkErr("INVALID_DATA", "the body could not be read"))
		return
	}
	var req bulkRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		c.fail(bulkErr("INVALID_DATA", "the body is not valid JSON", "json_path", "$"))
		return
	}
	j, e := s.newBulkJob(c, &req)
	if e != nil {
		c.fail(e)
		return
	}
	if !c.begin(bulkReadCredits, false) {
		return
	}
	s.bulk.mu.Lock()
	s.bulk.expire(s.now())
	s.bulk.jobs[j.id] = j
	s.bulk.mu.Unlock()
	go s.runBulkRead(j)
	u := s.users[0]
	writeJSON(c.w, http.StatusCreated, map[string]any{"data": []map[string]any{{
		"status": "success", "code": "ADDED_SUCCESSFULLY", "message": "Added successfully.",
		"details": map[string]any{"id": fmtID(j.id), "operation": "read", "state": bulkAdded,
			"created_by": map[string]any{"id": fmtID(u.ID), "name": u.name()}, "created_time": s.fmtTime(j.created.Unix())},
	}}, "info": map[string]any{}})
}

// newBulkJob checks a create request and builds its job.
func (s *Server) newBulkJob(c *call, req *bulkRequest) (*bulkJob, *apiError) {
	q := req.Query
	if q == nil {
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "query", "json_path", "$.query")
	}
	var modName string
	var modObj struct {
		APIName string `json:"api_name"`
		ID      string `json:"id"`
	}
	switch {
	case len(q.Module) == 0 || string(q.Module) == "null":
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "module", "json_path", "$.query.module")
	case json.Unmarshal(q.Module, &modObj) == nil:
		modName = modObj.APIName
		if modName == "" {
			modName = modObj.ID
		}
	default:
		_ = json.Unmarshal(q.Module, &modName)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var m *module
	for _, x := range s.order {
		if strings.EqualFold(x.APIName, modName) || modName == fmtID(x.ID) {
			m = x
		}
	}
	if m == nil {
		return nil, bulkErr("INVALID_DATA", "the module name given seems to be invalid", "api_name", "module",
			"json_path", "$.query.module")
	}
	if m.APIName == "Notes" {
		return nil, bulkErr("NOT_SUPPORTED", "the module is not supported for bulk read", "api_name", "module",
			"json_path", "$.query.module")
	}
	if !moduleScope(c.scopes, m, "READ") {
		return nil, errScope()
	}
	if len(q.CVID) > 0 && string(q.CVID) != "null" {
		return nil, bulkErr("INVALID_DATA", "the given custom view id seems to be invalid", "api_name", "cvid",
			"json_path", "$.query.cvid")
	}
	j := &bulkJob{id: s.ids.next(), m: m, page: 1, fileType: "csv", created: s.now(), state: bulkAdded}
	switch ft := strings.ToLower(req.FileType); ft {
	case "", "csv":
	case "ics":
		if m.APIName != "Events" {
			return nil, bulkErr("INVALID_DATA", "the file type ics is supported for Events only", "api_name", "file_type",
				"json_path", "$.file_type")
		}
		// The emulator writes events as CSV too: ICS export is not emulated.
		j.fileType = "ics"
	default:
		return nil, bulkErr("INVALID_DATA", "invalid data", "api_name", "file_type", "json_path", "$.file_type")
	}
	if cb := req.Callback; cb != nil {
		u, err := url.Parse(cb.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, bulkErr("INVALID_DATA", "the callback url given seems to be invalid", "api_name", "url",
				"json_path", "$.callback.url")
		}
		if !strings.EqualFold(cb.Method, "post") {
			return nil, bulkErr("INVALID_DATA", "the callback method must be post", "api_name", "method",
				"json_path", "$.callback.method")
		}
		j.callback = cb.URL
	}
	var e *apiError
	if j.cols, e = s.bulkColumns(m, q.Fields); e != nil {
		return nil, e
	}
	if len(q.Criteria) > 0 && string(q.Criteria) != "null" {
		if j.crit, e = s.parseBulkCrit(m, q.Criteria, "$.query.criteria", 0); e != nil {
			return nil, e
		}
	}
	j.binding = j.bindingOf(q.Criteria)
	if q.Page != nil {
		n, err := q.Page.Int64()
		if err != nil || n < 1 {
			return nil, bulkErr("INVALID_DATA", "invalid data", "api_name", "page", "json_path", "$.query.page")
		}
		j.page = int(n)
	}
	if q.PageToken != "" {
		if q.Page != nil && j.page != 1 {
			return nil, bulkErr("AMBIGUITY_DURING_PROCESSING", "page and page_token can not be given together",
				"ambiguity_due_to", []string{"page", "page_token"})
		}
		t, e := s.openToken(q.PageToken, j.binding, 0)
		if e != nil {
			e.Details["json_path"] = "$.query.page_token"
			return nil, e
		}
		j.token = t
		j.page = t.Served/s.opts.BulkPageSize + 1
	}
	j.query = map[string]any{"module": map[string]any{"id": fmtID(m.ID), "api_name": m.APIName}, "page": j.page}
	if len(q.Fields) > 0 {
		j.query["fields"] = q.Fields
	}
	if j.crit != nil {
		var raw any
		_ = json.Unmarshal(q.Criteria, &raw)
		j.query["criteria"] = raw
	}
	return j, nil
}

// bindingOf is what a page_token of this job's query is bound to: the
// module, the columns and the criteria.
func (j *bulkJob) bindingOf(criteria json.RawMessage) string {
	var b strings.Builder
	b.WriteString("bulk|" + j.m.APIName)
	for _, c := range j.cols {
		b.WriteString("," + c.header)
	}
	b.WriteString("|")
	var v any
	if json.Unmarshal(criteria, &v) == nil {
		canon, _ := json.Marshal(v) // map keys sorted
		b.Write(canon)
	}
	return b.String()
}

// bulkColumn is one column of the result CSV.
type bulkColumn struct {
	header string
	f      *Field
	sub    string // after the dot ("" for the field itself)
	target *Field // sub in the lookup's module (module lookups)
}

var userSubfields = []string{"id", "full_name", "first_name", "last_name", "email"}

// bulkColumns resolves the asked fields (every field when none).
func (s *Server) bulkColumns(m *module, names []string) ([]bulkColumn, *apiError) {
	out := []bulkColumn{{header: "id"}}
	if len(names) == 0 {
		for _, f := range m.fields {
			switch f.DataType {
			case "subform", "multiselectlookup", "multiuserlookup":
				continue
			}
			out = append(out, bulkColumn{header: f.APIName, f: f})
		}
		return out, nil
	}
	seen := map[string]bool{"id": true}
	for i, n := range names {
		n = strings.TrimSpace(n)
		path := "$.query.fields[" + strconv.Itoa(i) + "]"
		if seen[n] {
			continue
		}
		seen[n] = true
		head, sub, dotted := strings.Cut(n, ".")
		f := m.field(head)
		if f == nil {
			return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", n, "json_path", path)
		}
		col := bulkColumn{header: n, f: f}
		if dotted {
			col.sub = sub
			switch f.DataType {
			case "lookup":
				tm := s.modules[strings.ToLower(f.LookupModule)]
				if tm == nil {
					return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", n, "json_path", path)
				}
				if sub != "id" {
					if col.target = tm.field(sub); col.target == nil {
						return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", n, "json_path", path)
					}
				}
			case "ownerlookup", "userlookup":
				if !slices.Contains(userSubfields, sub) {
					return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", n, "json_path", path)
				}
			default:
				return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", n, "json_path", path)
			}
		}
		out = append(out, col)
	}
	return out, nil
}

// bulkCrit is a parsed criteria tree.
type bulkCrit struct {
	groupOp string // and | or for a group
	group   []*bulkCrit

	f     *Field
	cmp   string
	empty bool  // value ${EMPTY}
	vals  []any // typed values (string, int64, float64, bool, uint64 ids)
}

var bulkComparators = map[string][]string{
	"number":   {"equal", "not_equal", "in", "not_in", "less_than", "less_equal", "greater_than", "greater_equal"},
	"text":     {"equal", "not_equal", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with"},
	"date":     {"equal", "not_equal", "in", "not_in", "less_than", "less_equal", "greater_than", "greater_equal", "between", "not_between"},
	"boolean":  {"equal"},
	"lookup":   {"equal", "not_equal", "in", "not_in"},
	"multiple": {"equal", "not_equal", "in", "not_in", "contains", "not_contains"},
}

func critKind(f *Field) string {
	switch f.DataType {
	case "integer", "bigint", "double", "currency", "percent", "decimal":
		return "number"
	case "date", "datetime":
		return "date"
	case "boolean":
		return "boolean"
	case "lookup", "ownerlookup", "userlookup":
		return "lookup"
	case "multiselectpicklist":
		return "multiple"
	}
	return "text"
}

const maxBulkCritDepth = 5 // nesting of groups the emulator accepts (unconfirmed)

func (s *Server) parseBulkCrit(m *module, raw json.RawMessage, path string, depth int) (*bulkCrit, *apiError) {
	var node struct {
		GroupOperator string            `json:"group_operator"`
		Group         []json.RawMessage `json:"group"`
		Field         *struct {
			APIName string `json:"api_name"`
		} `json:"field"`
		Comparator string          `json:"comparator"`
		Value      json.RawMessage `json:"value"`
	}
	if json.Unmarshal(raw, &node) != nil {
		return nil, bulkErr("INVALID_DATA", "the criteria given seems to be invalid", "json_path", path)
	}
	if depth > maxBulkCritDepth {
		return nil, bulkErr("LIMIT_EXCEEDED", "the criteria is nested too deeply", "json_path", path)
	}
	if node.Group != nil || node.GroupOperator != "" {
		op := strings.ToLower(node.GroupOperator)
		if op != "and" && op != "or" {
			return nil, bulkErr("INVALID_DATA", "the group_operator must be and or or", "api_name", "group_operator",
				"json_path", path+".group_operator")
		}
		if len(node.Group) == 0 {
			return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "group", "json_path", path+".group")
		}
		out := &bulkCrit{groupOp: op}
		for i, g := range node.Group {
			sub, e := s.parseBulkCrit(m, g, path+".group["+strconv.Itoa(i)+"]", depth+1)
			if e != nil {
				return nil, e
			}
			out.group = append(out.group, sub)
		}
		return out, nil
	}
	if node.Field == nil || node.Field.APIName == "" {
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "field", "json_path", path+".field")
	}
	f := m.field(node.Field.APIName)
	if f == nil {
		return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", node.Field.APIName,
			"json_path", path+".field.api_name")
	}
	cmp := strings.ToLower(node.Comparator)
	if !slices.Contains(bulkComparators[critKind(f)], cmp) {
		return nil, bulkErr("INVALID_DATA", "the comparator given is not supported for the field", "api_name", f.APIName,
			"comparator", node.Comparator, "json_path", path+".comparator")
	}
	out := &bulkCrit{f: f, cmp: cmp}
	bad := func() (*bulkCrit, *apiError) {
		return nil, bulkErr("INVALID_DATA", "the value given seems to be invalid", "api_name", f.APIName,
			"expected_data_type", f.DataType, "json_path", path+".value")
	}
	dec := json.NewDecoder(bytes.NewReader(node.Value))
	dec.UseNumber()
	var v any
	if len(node.Value) == 0 || dec.Decode(&v) != nil {
		return bad()
	}
	var items []any
	switch cmp {
	case "in", "not_in", "between", "not_between":
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 || (cmp == "between" || cmp == "not_between") && len(arr) != 2 {
			return bad()
		}
		items = arr
	default:
		if arr, ok := v.([]any); ok && len(arr) == 1 {
			v = arr[0]
		}
		items = []any{v}
	}
	for _, it := range items {
		if str, ok := it.(string); ok && str == "${EMPTY}" {
			if len(items) != 1 || cmp == "between" || cmp == "not_between" {
				return bad()
			}
			out.empty = true
			continue
		}
		tv, ok := critValue(f, it)
		if !ok {
			return bad()
		}
		out.vals = append(out.vals, tv)
	}
	return out, nil
}

// critValue types one criteria value for field f like the record slots:
// datetimes as Unix seconds, numbers as float64, ids as uint64.
func critValue(f *Field, v any) (any, bool) {
	switch critKind(f) {
	case "number":
		var str string
		switch x := v.(type) {
		case json.Number:
			str = string(x)
		case string:
			str = x
		default:
			return nil, false
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(str), 64)
		return n, err == nil
	case "date":
		str, ok := v.(string)
		if !ok {
			return nil, false
		}
		if f.DataType == "date" {
			_, err := time.Parse(dateLayout, str)
			return str, err == nil
		}
		for _, l := range []string{datetimeLayout, time.RFC3339} {
			if t, err := time.Parse(l, str); err == nil {
				return t.Unix(), true
			}
		}
		return nil, false
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, true
		case string:
			b, err := strconv.ParseBool(x)
			return b, err == nil
		}
		return nil, false
	case "lookup":
		return lookupID(v)
	}
	str, ok := v.(string)
	if !ok {
		if n, isNum := v.(json.Number); isNum {
			return string(n), true
		}
	}
	return strings.ToLower(str), ok
}

// match evaluates the criteria on a record. Call with s.mu held.
func (c *bulkCrit) match(s *Server, m *module, r *record) bool {
	if c.groupOp != "" {
		for _, g := range c.group {
			ok := g.match(s, m, r)
			if c.groupOp == "and" && !ok {
				return false
			}
			if c.groupOp == "or" && ok {
				return true
			}
		}
		return c.groupOp == "and"
	}
	raw := s.fieldValue(m, r, c.f)
	negated := strings.HasPrefix(c.cmp, "not_")
	if isEmptyValue(raw) {
		if c.empty {
			return !negated
		}
		return negated
	}
	if c.empty {
		return negated
	}
	var hit bool
	switch c.cmp {
	case "equal", "not_equal", "in", "not_in":
		hit = slices.ContainsFunc(c.vals, func(v any) bool { return critCompare(raw, v) == 0 })
	case "less_than":
		hit = critCompare(raw, c.vals[0]) < 0
	case "less_equal":
		hit = critCompare(raw, c.vals[0]) <= 0
	case "greater_than":
		hit = critCompare(raw, c.vals[0]) > 0
	case "greater_equal":
		hit = critCompare(raw, c.vals[0]) >= 0
	case "between", "not_between":
		hit = critCompare(raw, c.vals[0]) >= 0 && critCompare(raw, c.vals[1]) <= 0
	case "contains", "not_contains", "starts_with", "ends_with":
		want, _ := c.vals[0].(string)
		test := func(s string) bool {
			s = strings.ToLower(s)
			switch c.cmp {
			case "starts_with":
				return strings.HasPrefix(s, want)
			case "ends_with":
				return strings.HasSuffix(s, want)
			}
			return strings.Contains(s, want)
		}
		switch x := raw.(type) {
		case string:
			hit = test(x)
		case []string:
			hit = slices.ContainsFunc(x, test)
		}
	}
	if negated {
		return !hit
	}
	return hit
}

func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	}
	return false
}

// critCompare compares a slot value with a typed criteria value: -1, 0,
// 1, or 2 when they cannot be compared.
func critCompare(raw, v any) int {
	switch x := raw.(type) {
	case int64: // integers and datetimes (Unix seconds)
		switch y := v.(type) {
		case int64:
			return cmpInt(x, y)
		case float64:
			return cmpFloat(float64(x), y)
		}
	case float64:
		if y, ok := v.(float64); ok {
			return cmpFloat(x, y)
		}
	case bool:
		if y, ok := v.(bool); ok && x == y {
			return 0
		}
	case string:
		if y, ok := v.(string); ok {
			return strings.Compare(strings.ToLower(x), y)
		}
	case []string:
		if y, ok := v.(string); ok {
			for _, e := range x {
				if strings.ToLower(e) == y {
					return 0
				}
			}
		}
	case ref:
		if y, ok := v.(uint64); ok && x.ID == y {
			return 0
		}
	case userRef:
		if y, ok := v.(uint64); ok && uint64(x) == y {
			return 0
		}
	}
	return 2
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// runBulkRead runs a job: queued for Options.BulkReadDelay, then in
// progress while the CSV and its zip are written from a snapshot of the
// records, then completed (or failed), and the callback is called.
func (s *Server) runBulkRead(j *bulkJob) {
	s.bulk.setState(j, bulkQueued)
	if d := s.opts.BulkReadDelay; d > 0 {
		time.Sleep(d)
	}
	s.bulk.setState(j, bulkInProgress)
	s.bulk.mu.Lock()
	fail := s.bulk.failNext > 0 && s.bulk.failAfter == 0
	msg := s.bulk.failMsg
	switch {
	case fail:
		s.bulk.failNext--
	case s.bulk.failAfter > 0:
		s.bulk.failAfter--
	}
	s.bulk.mu.Unlock()
	if fail {
		if msg == "" {
			msg = "an internal error occurred while processing the job"
		}
		s.bulk.mu.Lock()
		j.state = bulkFailure
		j.result = map[string]any{"error_message": map[string]any{"status": "error", "code": "INTERNAL_ERROR",
			"message": msg, "details": map[string]any{}}}
		s.bulk.mu.Unlock()
		s.bulkCallback(j)
		return
	}
	zipped, result := s.bulkExport(j)
	s.bulk.mu.Lock()
	j.zip, j.result, j.state = zipped, result, bulkCompleted
	s.bulk.mu.Unlock()
	s.bulkCallback(j)
}

func (b *bulkStore) setState(j *bulkJob, state string) {
	b.mu.Lock()
	j.state = state
	b.mu.Unlock()
}

// expire drops the results older than bulkResultTTL. Called with mu held.
func (b *bulkStore) expire(now time.Time) {
	for id, j := range b.jobs {
		if now.Sub(j.created) > bulkResultTTL {
			delete(b.jobs, id)
		}
	}
}

// bulkExport writes the job's page of records as a zipped CSV and
// returns it with the job's result object.
func (s *Server) bulkExport(j *bulkJob) ([]byte, map[string]any) {
	var csvBuf bytes.Buffer
	w := csv.NewWriter(&csvBuf)
	header := make([]string, len(j.cols))
	for i, c := range j.cols {
		header[i] = c.header
	}
	_ = w.Write(header)
	row := make([]string, len(j.cols))
	var last *record
	count, served := 0, 0
	more := false
	s.mu.RLock()
	m := j.m
	ix := &m.byID
	pos := 0
	skip := 0
	if j.token != nil {
		pos = ix.after(0, j.token.ID, true)
		served = j.token.Served
	} else {
		skip = (j.page - 1) * s.opts.BulkPageSize
		served = skip
	}
	for ; pos < len(ix.e); pos++ {
		e := &ix.e[pos]
		if !ix.live(e) || j.crit != nil && !j.crit.match(s, m, e.r) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if count == s.opts.BulkPageSize {
			more = true
			break
		}
		for i, c := range j.cols {
			row[i] = s.csvCell(m, e.r, c)
		}
		_ = w.Write(row)
		last = e.r
		count++
	}
	s.mu.RUnlock()
	w.Flush()

	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: fmtID(j.id) + ".csv", Method: zip.Deflate, Modified: j.created})
	if err == nil {
		_, err = fw.Write(csvBuf.Bytes())
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		// Writing to memory does not fail; keep the job's shape if it does.
		zipBuf.Reset()
	}
	result := map[string]any{"page": j.page, "per_page": s.opts.BulkPageSize, "count": count,
		"download_url": "/crm/bulk/v8/read/" + fmtID(j.id) + "/result", "more_records": more, "next_page_token": nil}
	if more && last != nil {
		exp := s.now().Add(s.opts.PageTokenTTL)
		result["next_page_token"] = s.sealPageToken(&pageToken{Bind: j.binding, ID: last.id, Served: served + count,
			Exp: exp.Unix()})
		result["page_token_expiry"] = s.fmtTime(exp.Unix())
	}
	return zipBuf.Bytes(), result
}

// csvCell renders one cell of the export. Call with s.mu held.
func (s *Server) csvCell(m *module, r *record, c bulkColumn) string {
	if c.f == nil {
		return fmtID(r.id)
	}
	v := s.fieldValue(m, r, c.f)
	if c.sub == "" {
		return s.csvValue(c.f, v)
	}
	switch x := v.(type) {
	case ref:
		if c.sub == "id" {
			return fmtID(x.ID)
		}
		tm := s.modules[strings.ToLower(x.Module)]
		if tm == nil || tm.recs[x.ID] == nil || c.target == nil {
			return ""
		}
		tr := tm.recs[x.ID]
		return s.csvValue(c.target, s.fieldValue(tm, tr, c.target))
	case userRef:
		u := s.userByID(uint64(x))
		if u == nil {
			return ""
		}
		switch c.sub {
		case "id":
			return fmtID(u.ID)
		case "full_name":
			return u.name()
		case "first_name":
			return u.FirstName
		case "last_name":
			return u.LastName
		case "email":
			return u.Email
		}
	}
	return ""
}

// csvValue renders a slot value as a CSV cell.
func (s *Server) csvValue(f *Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		if f.DataType == "datetime" {
			return s.fmtTime(x)
		}
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		return strings.Join(x, ";")
	case userRef:
		return fmtID(uint64(x))
	case ref:
		return fmtID(x.ID)
	}
	return ""
}

// jobJSON is a job as the details call and the callback show it.
func (s *Server) jobJSON(j *bulkJob) map[string]any {
	u := s.users[0]
	out := map[string]any{"id": fmtID(j.id), "operation": "read", "state": j.state, "file_type": j.fileType,
		"created_time": s.fmtTime(j.created.Unix()), "query": j.query,
		"created_by": map[string]any{"id": fmtID(u.ID), "name": u.name()}}
	if j.result != nil {
		out["result"] = j.result
	}
	if j.callback != "" {
		out["callback"] = map[string]any{"url": j.callback, "method": "post"}
	}
	return out
}

// bulkReadDetails answers GET /crm/bulk/v8/read/{id}.
func (s *Server) bulkReadDetails(c *call, id uint64) {
	if !c.begin(1, false) {
		return
	}
	s.bulk.mu.Lock()
	s.bulk.expire(s.now())
	j := s.bulk.jobs[id]
	var body map[string]any
	if j != nil {
		body = s.jobJSON(j)
	}
	s.bulk.mu.Unlock()
	if j == nil {
		c.fail(errBulkNotFound())
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"data": []map[string]any{body}})
}

func errBulkNotFound() *apiError {
	return newErr(http.StatusNotFound, "RESOURCE_NOT_FOUND", "the requested resource doesn't exist")
}

// downloadBulkRead answers GET /crm/bulk/v8/read/{id}/result with the zip.
func (s *Server) downloadBulkRead(c *call, id uint64) {
	now := time.Now()
	s.bulk.mu.Lock()
	s.bulk.expire(s.now())
	j := s.bulk.jobs[id]
	keep := s.bulk.downloads[:0]
	for _, t := range s.bulk.downloads {
		if now.Sub(t) < time.Minute {
			keep = append(keep, t)
		}
	}
	s.bulk.downloads = keep
	limited := s.opts.BulkDownloads > 0 && len(keep) >= s.opts.BulkDownloads
	var state string
	var data []byte
	if j != nil {
		state, data = j.state, j.zip
	}
	if j != nil && !limited && state == bulkCompleted {
		s.bulk.downloads = append(s.bulk.downloads, now)
	}
	s.bulk.mu.Unlock()
	switch {
	case j == nil:
		c.fail(errBulkNotFound())
		return
	case limited:
		c.fail(newErr(http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
			"only 10 downloads are allowed in a minute; try again after a minute"))
		return
	case state != bulkCompleted:
		c.fail(bulkErr("INVALID_REQUEST", "the job is not completed: "+state, "state", state))
		return
	}
	if !c.begin(1, false) {
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+fmtID(j.id)+`.zip"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(data)
}

// bulkCallback posts the finished job to its callback URL, once, best
// effort (Zoho does not retry a failed callback; unconfirmed).
func (s *Server) bulkCallback(j *bulkJob) {
	if j.callback == "" {
		return
	}
	s.bulk.mu.Lock()
	body, _ := json.Marshal(s.jobJSON(j))
	s.bulk.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.callback, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
