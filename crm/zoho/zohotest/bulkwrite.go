package zohotest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bulk Write (sheet §3.2): POST /crm/v8/upload (on the upload host; here
// the same server) takes a zip holding one CSV and answers a file id;
// POST /crm/bulk/v8/write creates a job writing that file into a module
// (insert, update or upsert); GET /crm/bulk/v8/write/{id} reports the job
// (ADDED → INPROGRESS → COMPLETED or FAILED) and, once done, the result's
// download_url; GET /crm/bulk/v8/write/{id}/result downloads a zip holding
// the input columns plus STATUS (added, updated, skipped, unprocessed),
// RECORD_ID and ERRORS (CODE-column entries joined by ":").
//
// Each row is written by the same code as the REST API's records (same
// validation, same codes), so a sync applied through either path leaves
// the same records. Choices where the sheet is silent or unconfirmed:
//   - The upload needs the headers feature: bulk-write and X-CRM-ORG (the
//     org's zgid) and the ZohoFiles.files.ALL (or .CREATE) or
//     ZohoCRM.bulk.ALL scope; a missing header is 400
//     MANDATORY_NOT_FOUND, a wrong org 400 INVALID_DATA. The answer's
//     HTTP status (200) is unconfirmed. Files are kept 24 hours.
//   - The create call needs ZohoCRM.bulk.ALL or ZohoCRM.bulk.CREATE and
//     the module's CREATE (insert, upsert) or UPDATE (update, upsert)
//     scope. It costs 500 credits (sheet, secondary); an upload, a status
//     poll and a download cost one each (the default cost, unconfirmed).
//   - A file of more than 25,000 rows is refused when the job is created
//     (400 LIMIT_EXCEEDED; where Zoho checks it is unconfirmed).
//   - Cells: numbers as JSON writes them, booleans true/false,
//     multi-select values joined by ";", lookups and owners by id (a
//     mapping's find_by must be id; a column named Field.id needs no
//     mapping); dates MM/dd/yyyy and datetimes MM/dd/yyyy HH:mm:ss in the
//     org's time zone unless the mapping's format is yyyy-MM-dd or
//     yyyy-MM-dd'T'HH:mm:ssXXX (other formats are refused; the pattern
//     syntax is unconfirmed). An empty cell clears the field, or leaves it
//     unchanged with ignore_empty.
//   - The result's rows come in input order (unconfirmed). A row the job
//     did not reach is "unprocessed"; codes are those the REST API answers
//     for the same record, except that an update whose find_by value
//     matches no record is RESOURCE_NOT_FOUND on that column.
//   - FailBulkWrites makes jobs end FAILED before writing anything;
//     Options.BulkWriteDelay keeps a job ADDED for a while before it runs.

const (
	bulkWriteMaxRows    = 25_000
	bulkWriteMaxBytes   = 25 << 20
	bulkWriteCredits    = 500
	bulkWriteDateTime   = "01/02/2006 15:04:05"
	bulkWriteDate       = "01/02/2006"
	bulkWriteISODate    = "yyyy-MM-dd"
	bulkWriteISODateTim = "yyyy-MM-dd'T'HH:mm:ssXXX"
)

// Bulk write job states (sheet §3.2).
const (
	bwAdded      = "ADDED"
	bwInProgress = "INPROGRESS"
	bwCompleted  = "COMPLETED"
	bwFailed     = "FAILED"
)

// bulkWriteStore holds the org's uploaded files and bulk write jobs.
type bulkWriteStore struct {
	mu       sync.Mutex
	files    map[uint64]*bulkFile
	jobs     map[uint64]*bulkWriteJob
	failNext int
	failMsg  string
}

type bulkFile struct {
	name    string
	header  []string
	rows    [][]string
	created time.Time
}

// bulkWriteJob is one bulk write job.
type bulkWriteJob struct {
	id          uint64
	m           *module
	op          writeOp
	opName      string
	findBy      string
	ignoreEmpty bool
	file        *bulkFile
	cols        []bwColumn
	mappings    any
	created     time.Time

	// Set by the job's run, under bulkWriteStore.mu.
	status                         string
	added, updated, skipped, total int
	message                        string
	zip                            []byte
}

// bwColumn is where a field's value comes from: a CSV column or a default.
type bwColumn struct {
	f      *Field
	index  int // -1: the default value
	def    any
	format string
}

// FailBulkWrites makes the next n bulk write jobs end FAILED with message.
func (s *Server) FailBulkWrites(n int, message string) {
	s.bw.mu.Lock()
	defer s.bw.mu.Unlock()
	s.bw.failNext, s.bw.failMsg = n, message
}

// BulkWriteJobs reports how many bulk write jobs the org has created.
func (s *Server) BulkWriteJobs() int {
	s.bw.mu.Lock()
	defer s.bw.mu.Unlock()
	return len(s.bw.jobs)
}

// serveUpload answers POST /crm/v8/upload.
func (s *Server) serveUpload(c *call) {
	r := c.r
	if r.Method != http.MethodPost {
		c.fail(errMethod())
		return
	}
	if !hasScope(c.scopes, "zohofiles.files.all", "zohofiles.files.create", "zohocrm.bulk.all") {
		c.fail(errScope())
		return
	}
	switch {
	case r.Header.Get("feature") == "":
		c.fail(bulkErr("MANDATORY_NOT_FOUND", "required header not found", "header_name", "feature"))
		return
	case !strings.EqualFold(r.Header.Get("feature"), "bulk-write"):
		c.fail(bulkErr("INVALID_DATA", "invalid data", "header_name", "feature"))
		return
	case r.Header.Get("X-CRM-ORG") == "":
		c.fail(bulkErr("MANDATORY_NOT_FOUND", "required header not found", "header_name", "X-CRM-ORG"))
		return
	case r.Header.Get("X-CRM-ORG") != s.opts.OrgID:
		c.fail(bulkErr("INVALID_DATA", "the given org id seems to be invalid", "header_name", "X-CRM-ORG"))
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		c.fail(bulkErr("INVALID_FILE_FORMAT", "the file is not a zip; send it as multipart/form-data in the file field"))
		return
	}
	r.Body = http.MaxBytesReader(c.w, r.Body, bulkWriteMaxBytes+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			c.fail(newErr(http.StatusRequestEntityTooLarge, "FILE_TOO_LARGE", "the file size exceeds the limit of 25 MB"))
			return
		}
		c.fail(bulkErr("MANDATORY_NOT_FOUND", "required field not found", "param_name", "file"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		c.fail(bulkErr("INVALID_FILE_FORMAT", "the file could not be read"))
		return
	}
	if len(data) > bulkWriteMaxBytes {
		c.fail(newErr(http.StatusRequestEntityTooLarge, "FILE_TOO_LARGE", "the file size exceeds the limit of 25 MB"))
		return
	}
	bf, e := readBulkZip(data)
	if e != nil {
		c.fail(e)
		return
	}
	bf.name, bf.created = hdr.Filename, s.now()
	if !c.begin(1, false) {
		return
	}
	id := s.ids.next()
	s.bw.mu.Lock()
	s.bw.expire(s.now())
	s.bw.files[id] = bf
	s.bw.mu.Unlock()
	writeJSON(c.w, http.StatusOK, map[string]any{"status": "success", "code": "FILE_UPLOAD_SUCCESS",
		"message": "file uploaded.", "details": map[string]any{"file_id": fmtID(id), "created_time": s.fmtTime(bf.created.Unix())}})
}

// readBulkZip opens an uploaded zip: exactly one CSV, a header row.
func readBulkZip(data []byte) (*bulkFile, *apiError) {
	bad := func(msg string) (*bulkFile, *apiError) { return nil, bulkErr("INVALID_FILE_FORMAT", msg) }
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return bad("the file is not a zip")
	}
	var csvFile *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".csv") {
			if csvFile != nil {
				return bad("the zip holds more than one CSV file")
			}
			csvFile = f
		}
	}
	if csvFile == nil {
		return bad("the zip holds no CSV file")
	}
	rc, err := csvFile.Open()
	if err != nil {
		return bad("the zip could not be read")
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, 8*bulkWriteMaxBytes))
	if err != nil {
		return bad("the zip could not be read")
	}
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = detectDelimiter(raw)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil || len(recs) == 0 {
		return bad("the CSV file could not be read")
	}
	bf := &bulkFile{header: recs[0], rows: recs[1:]}
	for i, row := range bf.rows {
		if len(row) != len(bf.header) {
			return nil, bulkErr("INVALID_FILE_FORMAT", fmt.Sprintf("row %d has %d columns, the header %d", i+1, len(row), len(bf.header)))
		}
	}
	return bf, nil
}

// detectDelimiter picks among , ; : | the one the header line holds most.
func detectDelimiter(raw []byte) rune {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	best, n := ',', 0
	for _, d := range []rune{',', ';', ':', '|'} {
		if k := bytes.Count(line, []byte(string(d))); k > n {
			best, n = d, k
		}
	}
	return best
}

// serveBulkWrite answers /crm/bulk/v8/write[/{id}[/result]].
func (s *Server) serveBulkWrite(c *call, rest []string) {
	if !hasScope(c.scopes, "zohocrm.bulk.all", "zohocrm.bulk.create") {
		c.fail(errScope())
		return
	}
	if len(rest) == 1 {
		if c.r.Method != http.MethodPost {
			c.fail(errMethod())
			return
		}
		s.createBulkWrite(c)
		return
	}
	id, ok := parseID(rest[1])
	if !ok || len(rest) > 3 || len(rest) == 3 && rest[2] != "result" {
		c.fail(errURLPattern())
		return
	}
	if c.r.Method != http.MethodGet {
		c.fail(errMethod())
		return
	}
	s.bw.mu.Lock()
	s.bw.expire(s.now())
	j := s.bw.jobs[id]
	var body map[string]any
	var status string
	var data []byte
	if j != nil {
		body, status, data = s.bwJobJSON(j), j.status, j.zip
	}
	s.bw.mu.Unlock()
	switch {
	case j == nil:
		c.fail(errBulkNotFound())
		return
	case len(rest) == 3 && status != bwCompleted:
		c.fail(bulkErr("INVALID_REQUEST", "the job is not completed: "+status, "status", status))
		return
	}
	if !c.begin(1, false) {
		return
	}
	if len(rest) == 2 {
		writeJSON(c.w, http.StatusOK, body)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="`+fmtID(j.id)+`.zip"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(data)
}

// bulkWriteRequest is the body of a create call.
type bulkWriteRequest struct {
	Operation   string `json:"operation"`
	IgnoreEmpty bool   `json:"ignore_empty"`
	Callback    any    `json:"callback"`
	Resource    []struct {
		Type          string          `json:"type"`
		Module        json.RawMessage `json:"module"`
		FileID        json.Number     `json:"file_id"`
		FindBy        string          `json:"find_by"`
		FieldMappings []struct {
			APIName      string `json:"api_name"`
			Index        *int   `json:"index"`
			FindBy       string `json:"find_by"`
			Format       string `json:"format"`
			DefaultValue *struct {
				Value any `json:"value"`
			} `json:"default_value"`
		} `json:"field_mappings"`
	} `json:"resource"`
}

// createBulkWrite answers POST /crm/bulk/v8/write.
func (s *Server) createBulkWrite(c *call) {
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
	var req bulkWriteRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		c.fail(bulkErr("INVALID_DATA", "the body is not valid JSON", "json_path", "$"))
		return
	}
	j, e := s.newBulkWriteJob(c, &req)
	if e != nil {
		c.fail(e)
		return
	}
	if !c.begin(bulkWriteCredits, false) {
		return
	}
	s.bw.mu.Lock()
	s.bw.jobs[j.id] = j
	s.bw.mu.Unlock()
	go s.runBulkWrite(j)
	u := s.users[0]
	writeJSON(c.w, http.StatusCreated, map[string]any{"status": "success", "code": "SUCCESS", "message": "success",
		"details": map[string]any{"id": fmtID(j.id), "created_by": map[string]any{"id": fmtID(u.ID), "name": u.name()}}})
}

// newBulkWriteJob checks a create request and builds its job.
func (s *Server) newBulkWriteJob(c *call, req *bulkWriteRequest) (*bulkWriteJob, *apiError) {
	j := &bulkWriteJob{created: s.now(), status: bwAdded, ignoreEmpty: req.IgnoreEmpty}
	switch j.opName = strings.ToLower(req.Operation); j.opName {
	case "insert":
		j.op = opInsert
	case "update":
		j.op = opUpdate
	case "upsert":
		j.op = opUpsert
	case "":
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "operation", "json_path", "$.operation")
	default:
		return nil, bulkErr("INVALID_DATA", "invalid data", "api_name", "operation", "json_path", "$.operation")
	}
	switch {
	case len(req.Resource) == 0:
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "resource", "json_path", "$.resource")
	case len(req.Resource) > 1:
		// Several resources (a module and its subforms) are not emulated.
		return nil, bulkErr("NOT_SUPPORTED", "the emulator writes one resource per job", "api_name", "resource",
			"json_path", "$.resource")
	}
	res := req.Resource[0]
	if res.Type != "" && res.Type != "data" {
		return nil, bulkErr("INVALID_DATA", "invalid data", "api_name", "type", "json_path", "$.resource[0].type")
	}
	var modObj struct {
		APIName string `json:"api_name"`
	}
	if len(res.Module) == 0 || json.Unmarshal(res.Module, &modObj) != nil || modObj.APIName == "" {
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "module", "json_path", "$.resource[0].module")
	}
	s.mu.RLock()
	m := s.modules[strings.ToLower(modObj.APIName)]
	s.mu.RUnlock()
	if m == nil || m.APIName == "Notes" {
		return nil, bulkErr("INVALID_DATA", "the module name given seems to be invalid", "api_name", "module",
			"json_path", "$.resource[0].module")
	}
	j.m = m
	if (j.op != opUpdate && !moduleScope(c.scopes, m, "CREATE")) || (j.op != opInsert && !moduleScope(c.scopes, m, "UPDATE")) {
		return nil, errScope()
	}
	fid, ok := parseID(res.FileID.String())
	s.bw.mu.Lock()
	s.bw.expire(s.now())
	j.file = s.bw.files[fid]
	s.bw.mu.Unlock()
	switch {
	case res.FileID == "":
		return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "file_id", "json_path", "$.resource[0].file_id")
	case !ok || j.file == nil:
		return nil, bulkErr("INVALID_DATA", "the given file id seems to be invalid", "api_name", "file_id",
			"json_path", "$.resource[0].file_id")
	case len(j.file.rows) > bulkWriteMaxRows:
		return nil, bulkErr("LIMIT_EXCEEDED", "the file holds more records than a job takes", "api_name", "file_id",
			"json_path", "$.resource[0].file_id", "limit", bulkWriteMaxRows)
	}
	if j.op != opInsert {
		if res.FindBy == "" {
			return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "find_by", "json_path", "$.resource[0].find_by")
		}
		f := m.field(res.FindBy)
		if res.FindBy != "id" && (f == nil || !(f.Unique || f.APIName == m.DupField)) {
			return nil, bulkErr("INVALID_DATA", "the given field cannot be used to find records", "api_name", res.FindBy,
				"json_path", "$.resource[0].find_by")
		}
		j.findBy = res.FindBy
	}
	if len(res.FieldMappings) == 0 {
		for i, h := range j.file.header {
			name, findBy, _ := strings.Cut(h, ".")
			if name == "id" {
				continue
			}
			f := m.field(name)
			if f == nil {
				return nil, bulkErr("INVALID_DATA", "the column name given seems to be invalid", "api_name", h,
					"json_path", "$.resource[0].file_id")
			}
			if findBy != "" && findBy != "id" {
				return nil, bulkErr("NOT_SUPPORTED", "the emulator finds lookups by id only", "api_name", h)
			}
			j.cols = append(j.cols, bwColumn{f: f, index: i})
		}
	}
	for k, fm := range res.FieldMappings {
		jp := fmt.Sprintf("$.resource[0].field_mappings[%d]", k)
		f := m.field(fm.APIName)
		if fm.APIName == "id" {
			if fm.Index == nil || *fm.Index < 0 || *fm.Index >= len(j.file.header) {
				return nil, bulkErr("INVALID_DATA", "invalid data", "api_name", "index", "json_path", jp+".index")
			}
			continue
		}
		if f == nil {
			return nil, bulkErr("INVALID_DATA", "the field name given seems to be invalid", "api_name", fm.APIName, "json_path", jp+".api_name")
		}
		col := bwColumn{f: f, index: -1, format: fm.Format}
		switch {
		case fm.Index != nil:
			if *fm.Index < 0 || *fm.Index >= len(j.file.header) {
				return nil, bulkErr("INVALID_DATA", "invalid data", "api_name", "index", "json_path", jp+".index")
			}
			col.index = *fm.Index
		case fm.DefaultValue != nil:
			col.def = fm.DefaultValue.Value
		default:
			return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "index", "json_path", jp+".index")
		}
		switch f.DataType {
		case "lookup", "ownerlookup", "userlookup":
			if fm.FindBy == "" {
				return nil, bulkErr("MANDATORY_NOT_FOUND", "required field not found", "api_name", "find_by", "json_path", jp+".find_by")
			}
			if fm.FindBy != "id" {
				return nil, bulkErr("NOT_SUPPORTED", "the emulator finds lookups by id only", "api_name", "find_by", "json_path", jp+".find_by")
			}
		case "date":
			if col.format != "" && col.format != bulkWriteISODate && col.format != "MM/dd/yyyy" {
				return nil, bulkErr("INVALID_DATA", "the given format is not supported", "api_name", "format", "json_path", jp+".format")
			}
		case "datetime":
			if col.format != "" && col.format != bulkWriteISODateTim && col.format != "MM/dd/yyyy HH:mm:ss" {
				return nil, bulkErr("INVALID_DATA", "the given format is not supported", "api_name", "format", "json_path", jp+".format")
			}
		}
		j.cols = append(j.cols, col)
	}
	if len(res.FieldMappings) > 0 {
		j.mappings = res.FieldMappings
	}
	j.id = s.ids.next()
	return j, nil
}

// runBulkWrite runs a job: each row written as the REST API writes one
// record, then the result zip.
func (s *Server) runBulkWrite(j *bulkWriteJob) {
	if d := s.opts.BulkWriteDelay; d > 0 {
		time.Sleep(d)
	}
	s.bw.mu.Lock()
	j.status = bwInProgress
	fail := s.bw.failNext > 0
	msg := s.bw.failMsg
	if fail {
		s.bw.failNext--
	}
	s.bw.mu.Unlock()
	if fail {
		if msg == "" {
			msg = "an internal error occurred while processing the job"
		}
		s.bw.mu.Lock()
		j.status, j.message = bwFailed, msg
		s.bw.mu.Unlock()
		return
	}
	rows := j.file.rows
	status := make([]string, len(rows))
	ids := make([]string, len(rows))
	errs := make([]string, len(rows))
	added, updated, skipped := 0, 0, 0
	s.mu.Lock()
	for i, row := range rows {
		res, action := s.bulkWriteRow(j, row, i)
		switch {
		case res["status"] == "success":
			d, _ := res["details"].(map[string]any)
			ids[i], _ = d["id"].(string)
			if action == "insert" {
				status[i] = "added"
				added++
			} else {
				status[i] = "updated"
				updated++
			}
		default:
			status[i] = "skipped"
			skipped++
			code, _ := res["code"].(string)
			d, _ := res["details"].(map[string]any)
			col, _ := d["api_name"].(string)
			if col == "" {
				if _, ok := d["id"]; ok {
					col = "id"
				}
			}
			errs[i] = code + "-" + col
		}
	}
	s.mu.Unlock()
	zipped := bulkResultZip(j, status, ids, errs)
	s.bw.mu.Lock()
	j.added, j.updated, j.skipped, j.total = added, updated, skipped, len(rows)
	j.zip, j.status = zipped, bwCompleted
	s.bw.mu.Unlock()
}

// bulkWriteRow turns one CSV row into a REST record and writes it. Called
// with s.mu held.
func (s *Server) bulkWriteRow(j *bulkWriteJob, row []string, i int) (map[string]any, string) {
	m := j.m
	obj := map[string]any{}
	for _, col := range j.cols {
		if col.index < 0 {
			obj[col.f.APIName] = col.def
			continue
		}
		cell := row[col.index]
		if cell == "" {
			if !j.ignoreEmpty {
				obj[col.f.APIName] = nil
			}
			continue
		}
		v, ok := s.bulkCell(col, cell)
		if !ok {
			return recordError("INVALID_DATA", "invalid data", "api_name", col.f.APIName, "expected_data_type", col.f.DataType), ""
		}
		obj[col.f.APIName] = v
	}
	var dup []*Field
	op := j.op
	switch {
	case j.op == opInsert:
	case j.findBy == "id":
		idCell := ""
		for k, h := range j.file.header {
			if h == "id" {
				idCell = row[k]
			}
		}
		id, ok := parseID(idCell)
		if !ok || m.recs[id] == nil || isConverted(m, m.recs[id]) {
			if j.op == opUpdate {
				return recordError("RESOURCE_NOT_FOUND", "the record to update was not found", "api_name", "id"), ""
			}
		} else {
			obj["id"] = idCell
			op = opUpdate
		}
	case j.op == opUpsert:
		// writeOne's upsert finds the record by the field, as the REST
		// upsert with duplicate_check_fields [find_by] does.
		dup = []*Field{m.field(j.findBy)}
	default:
		f := m.field(j.findBy)
		v, given := obj[f.APIName]
		var target *record
		if given && v != nil {
			if cv, e := s.coerce(m, f, v, "", ""); e == nil && cv != nil {
				target = m.findBy(f, cv)
			}
		}
		if target == nil {
			return recordError("RESOURCE_NOT_FOUND", "the record to update was not found", "api_name", f.APIName), ""
		}
		obj["id"] = fmtID(target.id)
	}
	return s.writeOne(m, op, obj, i, 0, dup, nil)
}

// bulkCell turns a CSV cell into the value the REST API takes.
func (s *Server) bulkCell(col bwColumn, cell string) (any, bool) {
	switch col.f.DataType {
	case "integer", "bigint", "double", "currency", "percent", "decimal":
		return json.Number(cell), true
	case "boolean":
		b, err := strconv.ParseBool(cell)
		return b, err == nil
	case "multiselectpicklist":
		var out []any
		for _, p := range strings.Split(cell, ";") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, true
	case "lookup", "ownerlookup", "userlookup":
		return map[string]any{"id": cell}, true
	case "date":
		if col.format == bulkWriteISODate {
			return cell, true
		}
		t, err := time.Parse(bulkWriteDate, cell)
		if err != nil {
			return nil, false
		}
		return t.Format(dateLayout), true
	case "datetime":
		if col.format == bulkWriteISODateTim {
			return cell, true
		}
		t, err := time.ParseInLocation(bulkWriteDateTime, cell, s.opts.TimeZone)
		if err != nil {
			return nil, false
		}
		return t.Format(datetimeLayout), true
	}
	return cell, true
}

// bulkResultZip writes the result CSV: the input columns, then STATUS,
// RECORD_ID and ERRORS.
func bulkResultZip(j *bulkWriteJob, status, ids, errs []string) []byte {
	var csvBuf bytes.Buffer
	w := csv.NewWriter(&csvBuf)
	_ = w.Write(append(append([]string(nil), j.file.header...), "STATUS", "RECORD_ID", "ERRORS"))
	for i, row := range j.file.rows {
		_ = w.Write(append(append([]string(nil), row...), status[i], ids[i], errs[i]))
	}
	w.Flush()
	var zipBuf bytes.Buffer
	zw := zip.NewWriter(&zipBuf)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: fmtID(j.id) + ".csv", Method: zip.Deflate, Modified: j.created})
	if err == nil {
		_, err = fw.Write(csvBuf.Bytes())
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return nil
	}
	return zipBuf.Bytes()
}

// bwJobJSON is a job's details. Called with bw.mu held.
func (s *Server) bwJobJSON(j *bulkWriteJob) map[string]any {
	u := s.users[0]
	file := map[string]any{"status": j.status, "name": j.file.name, "added_count": j.added, "skipped_count": j.skipped,
		"updated_count": j.updated, "total_count": j.total}
	res := map[string]any{"status": j.status, "type": "data", "module": map[string]any{"api_name": j.m.APIName, "id": fmtID(j.m.ID)},
		"file": file}
	if j.findBy != "" {
		res["find_by"] = j.findBy
	}
	if j.mappings != nil {
		res["field_mappings"] = j.mappings
	}
	if j.message != "" {
		res["message"] = j.message
	}
	out := map[string]any{"id": fmtID(j.id), "status": j.status, "operation": j.opName, "character_encoding": "UTF-8",
		"resource": []any{res}, "created_time": s.fmtTime(j.created.Unix()),
		"created_by": map[string]any{"id": fmtID(u.ID), "name": u.name()}}
	if j.status == bwCompleted {
		out["result"] = map[string]any{"download_url": "/crm/bulk/v8/write/" + fmtID(j.id) + "/result"}
	}
	return out
}

// expire drops files and jobs older than 24 hours. Called with mu held.
func (b *bulkWriteStore) expire(now time.Time) {
	for id, f := range b.files {
		if now.Sub(f.created) > bulkResultTTL {
			delete(b.files, id)
		}
	}
	for id, j := range b.jobs {
		if now.Sub(j.created) > bulkResultTTL {
			delete(b.jobs, id)
		}
	}
}
