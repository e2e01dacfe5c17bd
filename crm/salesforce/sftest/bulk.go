package sftest

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bulk API 2.0 job states.
const (
	stateOpen           = "Open"
	stateUploadComplete = "UploadComplete"
	stateInProgress     = "InProgress"
	stateJobComplete    = "JobComplete"
	stateFailed         = "Failed"
	stateAborted        = "Aborted"
)

// bulkChunk is how many rows an ingest job writes per lock acquisition.
const bulkChunk = 2000

// defaultMaxRecords is a query job results page without maxRecords.
const defaultMaxRecords = 100000

var delimiters = map[string]rune{"COMMA": ',', "BACKQUOTE": '`', "CARET": '^', "PIPE": '|', "SEMICOLON": ';', "TAB": '\t'}

// job is a Bulk API 2.0 ingest or query job.
type job struct {
	id, kind                       string // kind: "ingest" or "query"
	object, operation, extField    string
	lineEnding, delimiter, ver     string
	state, errorMessage            string
	created, modstamp              msTime
	uploads                        int
	data                           []byte
	processed, failed              int
	started                        time.Time
	elapsed                        time.Duration
	header                         []string
	success, failures, unprocessed [][]string
	query                          string
	plan                           *plan
	seqs                           []int64
}

func (j *job) terminal() bool {
	return j.state == stateJobComplete || j.state == stateFailed || j.state == stateAborted
}

// info renders the job info JSON.
func (s *Server) info(j *job, full bool) obj {
	v, _ := strconv.ParseFloat(j.ver, 64)
	o := obj{{"id", j.id}, {"operation", j.operation}, {"object", j.object}, {"createdById", s.userID()},
		{"createdDate", formatMS(j.created)}, {"systemModstamp", formatMS(j.modstamp)}, {"state", j.state}}
	if j.kind == "ingest" && j.extField != "" {
		o = append(o, kv{"externalIdFieldName", j.extField})
	}
	o = append(o, kv{"concurrencyMode", "Parallel"}, kv{"contentType", "CSV"}, kv{"apiVersion", v})
	if j.kind == "ingest" {
		o = append(o, kv{"contentUrl", "services/data/v" + j.ver + "/jobs/ingest/" + j.id + "/batches"})
	}
	o = append(o, kv{"lineEnding", j.lineEnding}, kv{"columnDelimiter", j.delimiter})
	if !full {
		return o
	}
	ms := j.elapsed.Milliseconds()
	if j.kind == "ingest" {
		o = append(o, kv{"jobType", "V2Ingest"}, kv{"numberRecordsProcessed", j.processed},
			kv{"numberRecordsFailed", j.failed}, kv{"retries", 0}, kv{"totalProcessingTime", ms},
			kv{"apiActiveProcessingTime", ms}, kv{"apexProcessingTime", 0})
	} else {
		o = append(o, kv{"jobType", "V2Query"}, kv{"numberRecordsProcessed", j.processed}, kv{"retries", 0},
			kv{"totalProcessingTime", ms}, kv{"isPkChunkingSupported", true})
	}
	if j.errorMessage != "" {
		o = append(o, kv{"errorMessage", j.errorMessage})
	}
	return o
}

func errInvalidJob(msg string) *restError {
	return newRESTError(http.StatusBadRequest, "INVALIDJOB", msg)
}

// newJob registers a job; the caller holds s.mu.
func (s *Server) newJob(kind string, q *req) *job {
	s.jobSeq++
	now := s.clock.tick()
	j := &job{id: makeID("750", s.jobSeq), kind: kind, ver: q.ver, created: now, modstamp: now,
		lineEnding: "LF", delimiter: "COMMA"}
	s.jobs[j.id] = j
	return j
}

// jobFormat reads lineEnding and columnDelimiter from a create request.
func jobFormat(j *job, body obj) *restError {
	if v, ok := body.get("lineEnding"); ok {
		le, _ := v.(string)
		if le != "LF" && le != "CRLF" {
			return errInvalidJob("Invalid line ending: " + le)
		}
		j.lineEnding = le
	}
	if v, ok := body.get("columnDelimiter"); ok {
		d, _ := v.(string)
		if _, ok := delimiters[d]; !ok {
			return errInvalidJob("Invalid column delimiter: " + d)
		}
		j.delimiter = d
	}
	if v, ok := body.get("contentType"); ok && v != "CSV" {
		return errInvalidJob(fmt.Sprintf("Invalid content type: %v", v))
	}
	return nil
}

// lookupJob finds a job of the kind; the caller holds s.mu.
func (s *Server) lookupJob(kind, id string) (*job, *restError) {
	j := s.jobs[To18(id)]
	if j == nil || j.kind != kind {
		return nil, newRESTError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	return j, nil
}

// listJobs writes GET /jobs/{kind}.
func (s *Server) listJobs(w http.ResponseWriter, kind string) {
	s.mu.RLock()
	var list []*job
	for _, j := range s.jobs {
		if j.kind == kind {
			list = append(list, j)
		}
	}
	slices.SortFunc(list, func(a, b *job) int { return strings.Compare(a.id, b.id) })
	recs := make([]obj, len(list))
	for i, j := range list {
		recs[i] = s.info(j, false)
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, obj{{"done", true}, {"records", recs}, {"nextRecordsUrl", nil}})
}

// serveJobs serves what ingest and query jobs share: /jobs/{kind} (create,
// list) and /jobs/{kind}/{id} (info, state change, delete).
func (s *Server) serveJobs(w http.ResponseWriter, q *req, kind string, p []string,
	create func(http.ResponseWriter, *req) *restError) *restError {
	if len(p) == 0 {
		switch q.method {
		case http.MethodPost:
			return create(w, q)
		case http.MethodGet:
			s.listJobs(w, kind)
			return nil
		}
		return errMethod(q.method, "GET", "POST")
	}
	switch q.method {
	case http.MethodGet:
		s.mu.RLock()
		defer s.mu.RUnlock()
		j, e := s.lookupJob(kind, p[0])
		if e != nil {
			return e
		}
		writeJSON(w, http.StatusOK, s.info(j, true))
		return nil
	case http.MethodPatch:
		return s.patchJob(w, q, kind, p[0])
	case http.MethodDelete:
		return s.deleteJob(w, kind, p[0])
	}
	return errMethod(q.method, "GET", "PATCH", "DELETE")
}

// serveIngest serves /jobs/ingest[/{id}[/{resource}]].
func (s *Server) serveIngest(w http.ResponseWriter, q *req) *restError {
	p := q.parts[2:]
	if len(p) < 2 {
		return s.serveJobs(w, q, "ingest", p, s.createIngest)
	}
	switch len(p) {
	case 2:
		switch p[1] {
		case "batches":
			if q.method != http.MethodPut {
				return errMethod(q.method, "PUT")
			}
			return s.upload(w, q, p[0])
		case "successfulResults", "failedResults", "unprocessedrecords":
			if q.method != http.MethodGet {
				return errMethod(q.method, "GET")
			}
			return s.ingestResults(w, p[0], p[1])
		}
	}
	return errNotFound
}

// createIngest serves POST /jobs/ingest.
func (s *Server) createIngest(w http.ResponseWriter, q *req) *restError {
	v, e := readJSON(q.r)
	if e != nil {
		return e
	}
	body, _ := v.(obj)
	str := func(k string) string { x, _ := body.get(k); sx, _ := x.(string); return sx }
	s.mu.Lock()
	defer s.mu.Unlock()
	object, op := str("object"), str("operation")
	t := s.table(object)
	if object == "" {
		return errInvalidJob("InvalidJob : Invalid job: object is required")
	}
	if t == nil {
		return newRESTError(http.StatusBadRequest, "INVALIDENTITY", "Entity '"+object+"' is not supported by the Bulk API.")
	}
	switch op {
	case "insert", "update", "upsert", "delete", "hardDelete":
	default:
		return errInvalidJob("InvalidJob : Invalid job: operation '" + op + "' is not supported")
	}
	ext := str("externalIdFieldName")
	if op == "upsert" {
		if ext == "" {
			return errInvalidJob("InvalidJob : External ID was blank for " + t.def.Name + ". An External ID must be specified for upsert.")
		}
		f, _, ok := extField(t, ext)
		if !ok {
			return errInvalidJob("InvalidJob : Field name provided, " + ext + " is not an External ID or indexed field for " + t.def.Name)
		}
		ext = f.Name
	}
	j := s.newJob("ingest", q)
	j.object, j.operation, j.extField, j.state = t.def.Name, op, ext, stateOpen
	if e := jobFormat(j, body); e != nil {
		delete(s.jobs, j.id)
		return e
	}
	writeJSON(w, http.StatusOK, s.info(j, false))
	return nil
}

// upload serves PUT /jobs/ingest/{id}/batches.
func (s *Server) upload(w http.ResponseWriter, q *req, id string) *restError {
	ct := q.r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/csv" {
		return errMediaType(ct)
	}
	data, err := io.ReadAll(io.LimitReader(q.r.Body, maxBodyBytes+1))
	if err != nil {
		return newRESTError(http.StatusBadRequest, "INVALIDJOB", "Unable to read the upload: "+err.Error())
	}
	if len(data) > maxBodyBytes {
		return newRESTError(http.StatusRequestEntityTooLarge, "INVALIDJOB", "Upload exceeds the 150 MB limit")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, e := s.lookupJob("ingest", id)
	if e != nil {
		return e
	}
	if j.state != stateOpen {
		return newRESTError(http.StatusConflict, "INVALIDJOBSTATE", "Job's state "+j.state+" does not allow uploads")
	}
	j.uploads++
	j.data = data
	w.WriteHeader(http.StatusCreated)
	return nil
}

// patchJob serves PATCH /jobs/{kind}/{id} {"state":…}.
func (s *Server) patchJob(w http.ResponseWriter, q *req, kind, id string) *restError {
	v, e := readJSON(q.r)
	if e != nil {
		return e
	}
	body, _ := v.(obj)
	st, _ := body.get("state")
	s.mu.Lock()
	defer s.mu.Unlock()
	j, e := s.lookupJob(kind, id)
	if e != nil {
		return e
	}
	switch st {
	case stateUploadComplete:
		if kind != "ingest" || j.state != stateOpen {
			return newRESTError(http.StatusConflict, "INVALIDJOBSTATE", "Job's state "+j.state+" does not allow UploadComplete")
		}
		if j.uploads > 1 {
			return errInvalidJob("Found multipe contents for job: <" + j.id + ">, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.")
		}
		j.state, j.modstamp = stateUploadComplete, s.clock.tick()
		go s.runIngest(j)
	case stateAborted:
		if j.terminal() {
			return newRESTError(http.StatusConflict, "INVALIDJOBSTATE", "Job's state "+j.state+" does not allow Aborted")
		}
		j.state, j.modstamp = stateAborted, s.clock.tick()
	default:
		return errInvalidJob(fmt.Sprintf("InvalidJob : Invalid state: %v", st))
	}
	writeJSON(w, http.StatusOK, s.info(j, false))
	return nil
}

// deleteJob serves DELETE /jobs/{kind}/{id}.
func (s *Server) deleteJob(w http.ResponseWriter, kind, id string) *restError {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, e := s.lookupJob(kind, id)
	if e != nil {
		return e
	}
	if !j.terminal() && j.state != stateUploadComplete {
		return newRESTError(http.StatusBadRequest, "INVALIDJOBSTATE", "Job's state "+j.state+" does not allow deletion")
	}
	delete(s.jobs, j.id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// column is one ingest CSV column.
type column struct {
	f      *Field
	i      int
	parent *parentRef // Rel.ExtField
	skip   bool       // Id on insert
	isID   bool
}

// fail ends the job as Failed with every row unprocessed; holds s.mu.
func (j *job) fail(msg string, rows [][]string) {
	j.state, j.errorMessage = stateFailed, msg
	j.unprocessed = rows
}

// runIngest processes an uploaded job in the background.
func (s *Server) runIngest(j *job) {
	s.mu.Lock()
	if j.state != stateUploadComplete {
		s.mu.Unlock()
		return
	}
	j.state, j.started = stateInProgress, time.Now()
	data := j.data
	s.mu.Unlock()

	header, rows, perr := parseCSV(data, delimiters[j.delimiter], j.lineEnding)
	s.mu.Lock()
	j.header = header
	if perr != "" {
		j.fail(perr, rows)
		j.modstamp = s.clock.tick()
		s.mu.Unlock()
		return
	}
	cols, cerr := s.columns(j, header)
	if cerr != "" {
		j.fail(cerr, rows)
		j.modstamp = s.clock.tick()
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	for start := 0; start < len(rows); start += bulkChunk {
		s.mu.Lock()
		if j.state == stateAborted {
			j.unprocessed = append(j.unprocessed, rows[start:]...)
			s.mu.Unlock()
			return
		}
		for _, row := range rows[start:min(start+bulkChunk, len(rows))] {
			s.ingestRow(j, cols, row)
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	if j.state == stateInProgress {
		j.state = stateJobComplete
	}
	j.elapsed = time.Since(j.started)
	j.modstamp = s.clock.tick()
	j.data = nil
	s.mu.Unlock()
}

// parseCSV splits an upload into header and rows, checking the line ending.
func parseCSV(data []byte, delim rune, lineEnding string) ([]string, [][]string, string) {
	if lineEnding == "LF" && bytes.Contains(data, []byte("\r\n")) {
		return nil, nil, "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF"
	}
	if lineEnding == "CRLF" && bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
		return nil, nil, "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF"
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.Comma = delim
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil {
		return nil, nil, "InvalidBatch : Failed to parse CSV: " + err.Error()
	}
	if len(all) == 0 {
		return nil, nil, "InvalidBatch : Failed to process query: no data"
	}
	return all[0], all[1:], ""
}

// columns maps the CSV header to fields; holds s.mu.
func (s *Server) columns(j *job, header []string) ([]column, string) {
	t := s.table(j.object)
	cols := make([]column, len(header))
	for c, h := range header {
		name := strings.TrimSpace(h)
		if strings.EqualFold(name, "Id") {
			cols[c] = column{f: t.def.Fields[0], i: 0, isID: true, skip: j.operation == "insert"}
			continue
		}
		if j.operation == "delete" || j.operation == "hardDelete" {
			return nil, "InvalidBatch : Field name not found : " + name
		}
		if rel, fld, ok := strings.Cut(name, "."); ok {
			if _, after, poly := strings.Cut(rel, ":"); poly {
				typ := rel[:strings.IndexByte(rel, ':')]
				rel = after
				f, fi, ok := t.def.relation(rel)
				pt := s.table(typ)
				if !ok || pt == nil {
					return nil, "InvalidBatch : Field name not found : " + name
				}
				pf, pfi, ok := pt.def.field(fld)
				if !ok || !(pf.ExternalID || pf.IDLookup) {
					return nil, "InvalidBatch : Field name not found : " + name
				}
				cols[c] = column{f: f, i: fi, parent: &parentRef{rel: f.RelationshipName, table: pt, field: pf, fi: pfi}}
				continue
			}
			f, fi, ok := t.def.relation(rel)
			if !ok {
				return nil, "InvalidBatch : Field name not found : " + name
			}
			pt := s.table(f.ReferenceTo[0])
			pf, pfi, ok := pt.def.field(fld)
			if !ok || !(pf.ExternalID || pf.IDLookup) {
				return nil, "InvalidBatch : Field name not found : " + name
			}
			cols[c] = column{f: f, i: fi, parent: &parentRef{rel: f.RelationshipName, table: pt, field: pf, fi: pfi}}
			continue
		}
		f, fi, ok := t.def.field(name)
		if !ok {
			return nil, "InvalidBatch : Field name not found : " + name
		}
		cols[c] = column{f: f, i: fi}
	}
	return cols, ""
}

// ingestRow applies one CSV row; holds s.mu.
func (s *Server) ingestRow(j *job, cols []column, row []string) {
	t := s.table(j.object)
	x := s.begin(nil)
	j.processed++
	var as []assign
	id := ""
	fail := func(id string, e recError) {
		j.failed++
		j.failures = append(j.failures, append([]string{id, e.bulkError()}, row...))
	}
	if len(row) != len(cols) {
		fail("", newRecError("INVALID_FIELD", fmt.Sprintf("Row has %d columns, header has %d", len(row), len(cols))))
		return
	}
	update := j.operation != "insert"
	for c, col := range cols {
		v := row[c]
		if col.isID {
			id = v
			continue
		}
		if v == "" && (update || true) {
			continue // empty: unchanged on update, null on insert
		}
		if col.parent != nil {
			p := *col.parent
			p.value = v
			if v == "#N/A" {
				as = append(as, assign{f: col.f, i: col.i})
				continue
			}
			as = append(as, assign{f: col.f, i: col.i, parent: &p})
			continue
		}
		if v == "#N/A" {
			as = append(as, assign{f: col.f, i: col.i})
			continue
		}
		cv, ok := coerce(col.f, v, true)
		if !ok {
			fail(id, newRecError("INVALID_TYPE_ON_FIELD_IN_RECORD",
				fmt.Sprintf("%s: value not of required type: %s", col.f.Label, v), col.f.Name))
			return
		}
		as = append(as, assign{f: col.f, i: col.i, val: cv})
	}
	var seq int64
	var errs []recError
	created := false
	switch j.operation {
	case "insert":
		seq, errs = x.insert(t, as)
		created = true
	case "update", "delete", "hardDelete":
		if id == "" {
			fail("", newRecError("MISSING_ARGUMENT", "Id not specified in an update call"))
			return
		}
		var re *recError
		seq, re = s.collectionID(t, id)
		if re != nil && !(j.operation == "hardDelete" && re.StatusCode == "ENTITY_IS_DELETED") {
			fail(id, *re)
			return
		}
		if j.operation == "hardDelete" && re != nil {
			_, seq, _ = parseID(id)
		}
		switch j.operation {
		case "update":
			errs = x.update(t, seq, as)
		case "delete":
			errs = x.remove(t, seq, false)
		default:
			errs = x.remove(t, seq, true)
		}
	case "upsert":
		_, fi, _ := t.def.field(j.extField)
		key := ""
		for _, a := range as {
			if a.i == fi {
				key, _ = a.val.(string)
			}
		}
		if key == "" {
			fail("", newRecError("MISSING_ARGUMENT", j.extField+" not specified", j.extField))
			return
		}
		matches := liveMatches(t, fi, key)
		switch len(matches) {
		case 0:
			seq, errs = x.insert(t, as)
			created = true
		case 1:
			seq = matches[0]
			errs = x.update(t, seq, dropExt(as, fi))
		default:
			fail("", newRecError("DUPLICATE_EXTERNAL_ID", fmt.Sprintf(
				"%s: more than one record found for external id field", j.extField), j.extField))
			return
		}
	}
	if len(errs) > 0 {
		fid := ""
		if !created && seq > 0 {
			fid = t.id(seq)
		}
		fail(fid, errs[0])
		return
	}
	j.success = append(j.success, append([]string{t.id(seq), strconv.FormatBool(created)}, row...))
}

// writeCSV writes rows as CSV with every value quoted.
func writeCSV(w io.Writer, delim rune, lineEnding string, rows [][]string) error {
	nl := "\n"
	if lineEnding == "CRLF" {
		nl = "\r\n"
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		for i, v := range row {
			if i > 0 {
				b.WriteRune(delim)
			}
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(v, `"`, `""`))
			b.WriteByte('"')
		}
		b.WriteString(nl)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return fmt.Errorf("sftest: write csv: %w", err)
		}
	}
	return nil
}

// ingestResults serves the three result CSVs of an ingest job.
func (s *Server) ingestResults(w http.ResponseWriter, id, which string) *restError {
	s.mu.RLock()
	defer s.mu.RUnlock()
	j, e := s.lookupJob("ingest", id)
	if e != nil {
		return e
	}
	var rows [][]string
	switch which {
	case "successfulResults":
		rows = append([][]string{append([]string{"sf__Id", "sf__Created"}, j.header...)}, j.success...)
	case "failedResults":
		rows = append([][]string{append([]string{"sf__Id", "sf__Error"}, j.header...)}, j.failures...)
	default:
		rows = append([][]string{j.header}, j.unprocessed...)
		if j.header == nil {
			rows = nil
		}
	}
	w.Header().Set("Content-Type", "text/csv")
	w.WriteHeader(http.StatusOK)
	_ = writeCSV(w, delimiters[j.delimiter], j.lineEnding, rows)
	return nil
}

// serveQueryJobs serves /jobs/query[/{id}[/results]].
func (s *Server) serveQueryJobs(w http.ResponseWriter, q *req) *restError {
	p := q.parts[2:]
	if len(p) < 2 {
		return s.serveJobs(w, q, "query", p, s.createQueryJob)
	}
	switch len(p) {
	case 2:
		if p[1] != "results" {
			return errNotFound
		}
		if q.method != http.MethodGet {
			return errMethod(q.method, "GET")
		}
		return s.queryResults(w, q, p[0])
	}
	return errNotFound
}

// createQueryJob serves POST /jobs/query.
func (s *Server) createQueryJob(w http.ResponseWriter, q *req) *restError {
	v, e := readJSON(q.r)
	if e != nil {
		return e
	}
	body, _ := v.(obj)
	str := func(k string) string { x, _ := body.get(k); sx, _ := x.(string); return sx }
	op := str("operation")
	if op == "" {
		op = "query"
	}
	if op != "query" && op != "queryAll" {
		return errInvalidJob("InvalidJob : Invalid job: operation '" + op + "' is not supported")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.prepare(str("query"), op == "queryAll", q.verNum)
	if e != nil {
		return e
	}
	if p.q.CountOnly || p.q.Offset > 0 {
		return newRESTError(http.StatusBadRequest, "INVALIDJOB", "InvalidJob : COUNT() and OFFSET are not supported by the Bulk API")
	}
	if p.aggregate || len(p.subs) > 0 {
		// Bulk 2.0 refuses aggregates, GROUP BY and parent-to-child
		// subqueries (reference sheet §4.4); the text is unconfirmed.
		return newRESTError(http.StatusBadRequest, "INVALIDJOB", "InvalidJob : Aggregate queries, GROUP BY and parent-to-child relationship queries are not supported by the Bulk API")
	}
	j := s.newJob("query", q)
	j.object, j.operation, j.query, j.plan, j.state = p.t.def.Name, op, str("query"), p, stateUploadComplete
	if e := jobFormat(j, body); e != nil {
		delete(s.jobs, j.id)
		return e
	}
	go s.runQueryJob(j)
	writeJSON(w, http.StatusOK, s.info(j, false))
	return nil
}

// runQueryJob executes a query job in the background.
func (s *Server) runQueryJob(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.state != stateUploadComplete {
		return
	}
	start := time.Now()
	j.state = stateInProgress
	j.seqs = j.plan.run(s.opts.Now())
	j.processed = len(j.seqs)
	j.state, j.elapsed, j.modstamp = stateJobComplete, time.Since(start), s.clock.tick()
}

// queryResults serves GET /jobs/query/{id}/results?locator=&maxRecords=.
func (s *Server) queryResults(w http.ResponseWriter, q *req, id string) *restError {
	qs := q.r.URL.Query()
	s.mu.RLock()
	defer s.mu.RUnlock()
	j, e := s.lookupJob("query", id)
	if e != nil {
		return e
	}
	if j.ver != q.ver {
		return newRESTError(http.StatusConflict, "INVALIDJOB", "The job was created with API version "+j.ver+"; use that version to read its results")
	}
	if j.state != stateJobComplete {
		return newRESTError(http.StatusBadRequest, "INVALIDJOBSTATE", "Job is not complete: "+j.state)
	}
	off := 0
	if loc := qs.Get("locator"); loc != "" {
		b, err := base64.RawURLEncoding.DecodeString(loc)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(j.seqs) {
			return newRESTError(http.StatusBadRequest, "INVALIDLOCATOR", "Invalid locator: "+loc)
		}
		off = n
	}
	limit := defaultMaxRecords
	if m := qs.Get("maxRecords"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n <= 0 {
			return newRESTError(http.StatusBadRequest, "INVALIDPARAMETER", "Invalid maxRecords: "+m)
		}
		limit = n
	}
	end := min(off+limit, len(j.seqs))
	locator := "null"
	if end < len(j.seqs) {
		locator = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	p := j.plan
	rows := make([][]string, 0, end-off+1)
	rows = append(rows, slices.Clone(p.q.Fields))
	for _, sq := range j.seqs[off:end] {
		r := p.t.rec(sq)
		if r == nil {
			continue
		}
		row := make([]string, len(p.sel))
		for i, acc := range p.sel {
			row[i] = bulkValue(acc.field, s.get(acc, p.t, sq, r))
		}
		rows = append(rows, row)
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Sforce-Locator", locator)
	w.Header().Set("Sforce-NumberOfRecords", strconv.Itoa(len(rows)-1))
	w.WriteHeader(http.StatusOK)
	_ = writeCSV(w, delimiters[j.delimiter], j.lineEnding, rows)
	return nil
}

// bulkValue renders a soql row value as a Bulk query CSV cell.
func bulkValue(f *Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if f.Type == TypeDate {
			return x.Format("2006-01-02")
		}
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return csvValue(f, v)
}
