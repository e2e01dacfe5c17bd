package bqtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// job is one job the emulator ran. Every job runs synchronously: it is
// DONE when jobs.insert or jobs.query answers.
type job struct {
	id       string
	location string
	jobType  string // QUERY, LOAD
	config   map[string]any
	created  time.Time
	ended    time.Time
	err      *apiError
	res      *result
	// statements counts the statements a query job ran (scripts: several).
	statements int
	loadRows   int64
	loadBytes  int64
	// anon is the table (in the hidden dataset anonDataset) that holds a
	// paged query's result for the Storage Read API; "" when none.
	anon string
}

// result is a finished query's output: its schema and encoded rows.
type result struct {
	fields        []*field
	rows          []any // {"f":[{"v":...}]}
	dml           int64 // rows touched by the last DML statement, -1 when none
	statementType string
	// selectSQL and args are a single SELECT's DuckDB text and arguments,
	// kept so that a paged result can be written to an anonymous table.
	selectSQL string
	args      []any
	// more is set when rows holds only the first rows of a result a limit
	// cut short; anon is then the anonymous table (quoted dataset.table)
	// that holds the whole result, its rows read page by page, and total
	// its row count.
	more  bool
	anon  string
	total int
}

// totalRows is the number of rows in the result.
func (r *result) totalRows() int {
	if r == nil {
		return 0
	}
	if r.anon != "" {
		return r.total
	}
	return len(r.rows)
}

// page returns the rows of one page and the token of the next: from
// memory, or read from the anonymous table.
func (s *Server) page(ctx context.Context, r *result, q url.Values) ([]any, string, *apiError) {
	if r == nil || r.anon == "" {
		rows, tok := r.page(q, s.pageRows)
		return rows, tok, nil
	}
	start, n := pageBounds(q, s.pageRows)
	start = min(start, r.total)
	end := r.total
	if n > 0 {
		end = min(start+n, r.total)
	}
	if end == start {
		return nil, "", nil
	}
	res, aerr := s.runSelect(ctx, s.db, fmt.Sprintf("SELECT * FROM %s LIMIT %d OFFSET %d", r.anon, end-start, start), nil)
	if aerr != nil {
		return nil, "", aerr
	}
	if end < r.total {
		return res.rows, strconv.Itoa(end), nil
	}
	return res.rows, "", nil
}

func pageBounds(q url.Values, def int) (start, n int) {
	if tok := q.Get("pageToken"); tok != "" {
		start, _ = strconv.Atoi(tok)
	} else if si := q.Get("startIndex"); si != "" {
		start, _ = strconv.Atoi(si)
	}
	n = def
	if mr := q.Get("maxResults"); mr != "" {
		if v, err := strconv.Atoi(mr); err == nil && v >= 0 && (v < n || n <= 0) {
			n = v
		}
	}
	return start, n
}

func (r *result) page(q url.Values, def int) ([]any, string) {
	if r == nil {
		return nil, ""
	}
	start := 0
	if tok := q.Get("pageToken"); tok != "" {
		start, _ = strconv.Atoi(tok)
	} else if si := q.Get("startIndex"); si != "" {
		start, _ = strconv.Atoi(si)
	}
	n := def
	if mr := q.Get("maxResults"); mr != "" {
		if v, err := strconv.Atoi(mr); err == nil && v >= 0 && (v < n || n <= 0) {
			n = v
		}
	}
	if start > len(r.rows) {
		start = len(r.rows)
	}
	end := start + n
	if end > len(r.rows) {
		end = len(r.rows)
	}
	rows := r.rows[start:end]
	if end < len(r.rows) && n > 0 {
		return rows, strconv.Itoa(end)
	}
	return rows, ""
}

// Job stats a test can read back.
type JobStats struct {
	Type       string // QUERY or LOAD
	Statements int    // statements a query job ran
	LoadRows   int64
	LoadBytes  int64 // bytes uploaded
	Failed     bool
}

// Jobs returns the stats of every job run so far, oldest first.
func (s *Server) Jobs() []JobStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	js := make([]*job, 0, len(s.jobs))
	for _, j := range s.jobs {
		js = append(js, j)
	}
	out := make([]JobStats, 0, len(js))
	for _, j := range sortJobs(js) {
		out = append(out, JobStats{Type: j.jobType, Statements: j.statements, LoadRows: j.loadRows, LoadBytes: j.loadBytes, Failed: j.err != nil})
	}
	return out
}

func sortJobs(js []*job) []*job {
	for i := 1; i < len(js); i++ {
		for k := i; k > 0 && js[k].created.Before(js[k-1].created); k-- {
			js[k], js[k-1] = js[k-1], js[k]
		}
	}
	return js
}

func (s *Server) jobJSON(j *job) map[string]any {
	cfg := map[string]any{}
	for k, v := range j.config {
		cfg[k] = v
	}
	cfg["jobType"] = j.jobType
	if q, ok := cfg["query"].(map[string]any); ok && j.anon != "" {
		qc := make(map[string]any, len(q)+1)
		for k, v := range q {
			qc[k] = v
		}
		qc["destinationTable"] = map[string]any{"projectId": s.project, "datasetId": anonDataset, "tableId": j.anon}
		cfg["query"] = qc
	}
	status := map[string]any{"state": "DONE"}
	if j.err != nil {
		e := map[string]any{"reason": j.err.reason, "message": j.err.message}
		if j.err.location != "" {
			e["location"] = j.err.location
		}
		status["errorResult"] = e
		status["errors"] = []any{e}
	}
	stats := map[string]any{"creationTime": msString(j.created), "startTime": msString(j.created), "endTime": msString(j.ended)}
	switch j.jobType {
	case "QUERY":
		q := map[string]any{"totalBytesProcessed": "0", "totalBytesBilled": "0", "cacheHit": false}
		if j.res != nil {
			q["statementType"] = j.res.statementType
			if j.res.dml >= 0 {
				q["numDmlAffectedRows"] = fmt.Sprint(j.res.dml)
			}
			if len(j.res.fields) > 0 {
				q["schema"] = tableSchema{Fields: j.res.fields}
			}
		}
		stats["query"] = q
		stats["totalBytesProcessed"] = "0"
		if j.statements > 1 {
			stats["numChildJobs"] = fmt.Sprint(j.statements)
		}
	case "LOAD":
		stats["load"] = map[string]any{"inputFiles": "1", "inputFileBytes": fmt.Sprint(j.loadBytes),
			"outputRows": fmt.Sprint(j.loadRows), "outputBytes": "0", "badRecords": "0"}
	}
	return map[string]any{
		"kind": "bigquery#job", "id": fmt.Sprintf("%s:%s.%s", s.project, j.location, j.id),
		"jobReference":  map[string]any{"projectId": s.project, "jobId": j.id, "location": j.location},
		"configuration": cfg, "status": status, "statistics": stats,
	}
}

type jobRef struct {
	ProjectID string `json:"projectId"`
	JobID     string `json:"jobId"`
	Location  string `json:"location"`
}

type queryParam struct {
	Name          string `json:"name"`
	ParameterType struct {
		Type string `json:"type"`
	} `json:"parameterType"`
	ParameterValue *struct {
		Value *string `json:"value"`
	} `json:"parameterValue"`
}

type queryConfig struct {
	Query            string       `json:"query"`
	UseLegacySQL     *bool        `json:"useLegacySql"`
	QueryParameters  []queryParam `json:"queryParameters"`
	DestinationTable *struct {
		DatasetID string `json:"datasetId"`
		TableID   string `json:"tableId"`
	} `json:"destinationTable"`
	WriteDisposition string `json:"writeDisposition"`
}

func (s *Server) register(j *job) {
	s.mu.Lock()
	s.jobs[j.id] = j
	s.mu.Unlock()
}

func (s *Server) lookupJob(id string) (*job, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return nil, errf(404, "notFound", "Not found: Job %s:%s", s.project, id)
	}
	return j, nil
}

func (s *Server) insertJob(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	var body struct {
		JobReference  jobRef         `json:"jobReference"`
		Configuration map[string]any `json:"configuration"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	j, aerr := s.newJob(body.JobReference)
	if aerr != nil {
		return nil, aerr
	}
	j.config = body.Configuration
	raw, ok := body.Configuration["query"]
	if !ok {
		return nil, errf(400, "invalid", "bqtest: only query jobs may be inserted without media (load jobs go to the upload endpoint; copy and extract jobs are not emulated)")
	}
	var qc queryConfig
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &qc); err != nil {
		return nil, errf(400, "invalid", "query configuration: %v", err)
	}
	j.jobType = "QUERY"
	s.runQueryJob(ctx, j, qc)
	s.register(j)
	return s.jobJSON(j), nil
}

func (s *Server) newJob(ref jobRef) (*job, *apiError) {
	id := ref.JobID
	if id == "" {
		id = s.nextID("job_")
	}
	if _, err := s.lookupJob(id); err == nil {
		return nil, errf(409, "duplicate", "Already Exists: Job %s:%s", s.project, id)
	}
	loc := ref.Location
	if loc == "" {
		loc = "US"
	}
	return &job{id: id, location: loc, created: time.Now()}, nil
}

func (s *Server) runQueryJob(ctx context.Context, j *job, qc queryConfig) {
	defer func() { j.ended = time.Now() }()
	if qc.UseLegacySQL == nil || *qc.UseLegacySQL {
		j.err = invalidQuery("bqtest: legacy SQL is not emulated (set useLegacySql: false)")
		return
	}
	if msg, ok := s.takeJobFault(qc.Query); ok {
		j.err = errf(400, "jobInternalError", "%s", msg)
		return
	}
	params, aerr := decodeParams(qc.QueryParameters)
	if aerr != nil {
		j.err = aerr
		return
	}
	res, n, aerr := s.runScript(ctx, qc.Query, params)
	j.statements = n
	if aerr != nil {
		j.err = aerr
		return
	}
	if d := qc.DestinationTable; d != nil {
		j.err = errf(400, "invalid", "bqtest: query jobs with a destination table are not emulated")
		return
	}
	j.res = res
	if res != nil && res.more {
		s.writeAnonymous(ctx, j)
	}
}

func decodeParams(ps []queryParam) ([]any, *apiError) {
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		if p.Name != "" {
			return nil, invalidQuery("bqtest: named query parameters are not emulated")
		}
		if p.ParameterValue == nil || p.ParameterValue.Value == nil {
			out = append(out, nil)
			continue
		}
		v := *p.ParameterValue.Value
		switch strings.ToUpper(p.ParameterType.Type) {
		case "STRING", "JSON":
			out = append(out, v)
		case "INT64":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, errf(400, "invalid", "Invalid INT64 parameter value %q", v)
			}
			out = append(out, n)
		case "FLOAT64":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, errf(400, "invalid", "Invalid FLOAT64 parameter value %q", v)
			}
			out = append(out, f)
		case "BOOL":
			out = append(out, v == "true")
		case "TIMESTAMP", "DATETIME", "DATE":
			var t time.Time
			var err error
			for _, layout := range []string{"2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02"} {
				if t, err = time.Parse(layout, v); err == nil {
					break
				}
			}
			if err != nil {
				return nil, errf(400, "invalid", "Invalid %s parameter value %q", p.ParameterType.Type, v)
			}
			out = append(out, t.UTC())
		default:
			return nil, invalidQuery("bqtest: query parameters of type " + p.ParameterType.Type + " are not emulated")
		}
	}
	return out, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// runScript runs a GoogleSQL statement or script. The result is the last
// statement's. Scripts and writes run one at a time; reads run at once.
func (s *Server) runScript(ctx context.Context, src string, params []any) (*result, int, *apiError) {
	sts, aerr := s.translateScript(src)
	if aerr != nil {
		return nil, 0, aerr
	}
	want := 0
	for _, st := range sts {
		want += st.params
	}
	if want != len(params) {
		return nil, 0, invalidQuery(fmt.Sprintf("Query has %d positional parameters but %d were given", want, len(params)))
	}
	if len(sts) == 1 && sts[0].kind == "SELECT" {
		// A result longer than a page is cut short here and written
		// whole to an anonymous table (runQueryJob).
		res, aerr := s.runSelectLimit(ctx, s.db, sts[0].sql, params, s.pageRows)
		if res != nil {
			res.selectSQL, res.args = sts[0].sql, params
		}
		return res, 1, aerr
	}
	s.ddlMu.Lock()
	defer s.ddlMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, 0, errf(500, "internalError", "bqtest: %v", err)
	}
	defer conn.Close()
	// Temporary tables live as long as their script, as in BigQuery.
	defer dropTemp(context.WithoutCancel(ctx), conn)
	inTx := false
	defer func() {
		if inTx {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	var res *result
	for i, st := range sts {
		args := params[:st.params]
		params = params[st.params:]
		switch st.kind {
		case "BEGIN":
			if inTx {
				return nil, i, invalidQuery("Transaction is already in progress; nested transactions are not supported")
			}
			inTx = true
		case "COMMIT", "ROLLBACK":
			if !inTx {
				return nil, i, invalidQuery(st.kind + " without an open transaction")
			}
			inTx = false
		case "DDL":
			if inTx && !st.temp {
				return nil, i, invalidQuery("bqtest: " + st.verb + " of a permanent table or view is not allowed inside a transaction (BigQuery allows DDL on temporary tables only)")
			}
		}
		var aerr *apiError
		res, aerr = s.runOne(ctx, conn, st, args)
		if aerr != nil {
			return nil, i + 1, aerr
		}
	}
	if inTx {
		return nil, len(sts), invalidQuery("Transaction was never committed")
	}
	return res, len(sts), nil
}

func (s *Server) runOne(ctx context.Context, c execer, st stmt, args []any) (*result, *apiError) {
	switch st.kind {
	case "SELECT":
		return s.runSelect(ctx, c, st.sql, args)
	case "BEGIN", "COMMIT", "ROLLBACK":
		if _, err := c.ExecContext(ctx, st.sql); err != nil {
			return nil, invalidQuery(err.Error())
		}
		return &result{dml: -1, statementType: st.kind}, nil
	}
	r, err := c.ExecContext(ctx, st.sql, args...)
	if err != nil {
		return nil, sqlError(err)
	}
	res := &result{dml: -1, statementType: st.verb}
	if st.kind == "DML" {
		res.dml, _ = r.RowsAffected()
	}
	switch st.verb {
	case "CREATE":
		res.statementType = "CREATE_TABLE"
		if strings.Contains(strings.ToUpper(st.sql), " VIEW ") {
			res.statementType = "CREATE_VIEW"
		} else if strings.Contains(strings.ToUpper(st.sql), " AS ") {
			res.statementType = "CREATE_TABLE_AS_SELECT"
		}
	case "DROP":
		res.statementType = "DROP_TABLE"
	case "ALTER":
		res.statementType = "ALTER_TABLE"
	case "TRUNCATE":
		res.statementType = "TRUNCATE_TABLE"
	}
	return res, nil
}

// sqlError turns a DuckDB error into the service's invalidQuery shape.
func sqlError(err error) *apiError {
	msg := err.Error()
	if strings.Contains(msg, "does not exist") && strings.Contains(msg, "Table") {
		return &apiError{code: 404, reason: "notFound", message: msg}
	}
	return invalidQuery(msg)
}

func (s *Server) runSelect(ctx context.Context, c execer, q string, args []any) (*result, *apiError) {
	return s.runSelectLimit(ctx, c, q, args, 0)
}

// runSelectLimit runs a SELECT and encodes its rows, at most limit of
// them when limit > 0 (more is set when there were others).
func (s *Server) runSelectLimit(ctx context.Context, c execer, q string, args []any, limit int) (*result, *apiError) {
	if c == nil {
		c = s.db
	}
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqlError(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, sqlError(err)
	}
	res := &result{dml: -1, statementType: "SELECT"}
	types := make([]*typeNode, len(cts))
	for i, ct := range cts {
		tn, err := parseDuckType(ct.DatabaseTypeName())
		if err != nil {
			return nil, invalidQuery("bqtest: " + err.Error())
		}
		f, err := bqField(ct.Name(), tn, false)
		if err != nil {
			return nil, invalidQuery("bqtest: " + err.Error())
		}
		types[i] = tn
		res.fields = append(res.fields, f)
	}
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if limit > 0 && len(res.rows) == limit {
			res.more = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, sqlError(err)
		}
		fs := make([]any, len(vals))
		for i, v := range vals {
			c, err := cell(types[i], v)
			if err != nil {
				return nil, invalidQuery(fmt.Sprintf("column %s: %v", cts[i].Name(), err))
			}
			fs[i] = map[string]any{"v": c}
		}
		res.rows = append(res.rows, map[string]any{"f": fs})
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(err)
	}
	return res, nil
}

func (s *Server) query(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	var body struct {
		queryConfig
		RequestID string `json:"requestId"`
		Location  string `json:"location"`
	}
	if err := decodeBody(r, &body); err != nil {
		return nil, err
	}
	if body.RequestID != "" {
		s.mu.Lock()
		id, seen := s.requestIDs[body.RequestID]
		s.mu.Unlock()
		if seen {
			j, aerr := s.lookupJob(id)
			if aerr == nil {
				return s.queryResponse(ctx, j, url.Values{}, "bigquery#queryResponse")
			}
		}
	}
	j, aerr := s.newJob(jobRef{Location: body.Location})
	if aerr != nil {
		return nil, aerr
	}
	j.jobType = "QUERY"
	cfg := map[string]any{"query": map[string]any{"query": body.Query, "useLegacySql": false}}
	j.config = cfg
	s.runQueryJob(ctx, j, body.queryConfig)
	s.register(j)
	if body.RequestID != "" {
		s.mu.Lock()
		s.requestIDs[body.RequestID] = j.id
		s.mu.Unlock()
	}
	return s.queryResponse(ctx, j, url.Values{}, "bigquery#queryResponse")
}

func (s *Server) queryResponse(ctx context.Context, j *job, q url.Values, kind string) (any, *apiError) {
	if j.err != nil {
		return nil, j.err
	}
	out := map[string]any{
		"kind": kind, "jobComplete": true, "cacheHit": false, "totalBytesProcessed": "0",
		"jobReference": map[string]any{"projectId": s.project, "jobId": j.id, "location": j.location},
		"queryId":      j.id,
	}
	res := j.res
	if res != nil && len(res.fields) > 0 {
		out["schema"] = tableSchema{Fields: res.fields}
	}
	if res != nil && res.dml >= 0 {
		out["numDmlAffectedRows"] = fmt.Sprint(res.dml)
	}
	out["totalRows"] = fmt.Sprint(res.totalRows())
	rows, token, aerr := s.page(ctx, res, q)
	if aerr != nil {
		return nil, aerr
	}
	if len(rows) > 0 {
		out["rows"] = rows
	}
	if token != "" {
		out["pageToken"] = token
	}
	return out, nil
}

func (s *Server) getQueryResults(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	j, aerr := s.lookupJob(args[0])
	if aerr != nil {
		return nil, aerr
	}
	if j.jobType != "QUERY" {
		return nil, errf(400, "invalid", "Job %s is not a query job", j.id)
	}
	return s.queryResponse(ctx, j, r.URL.Query(), "bigquery#getQueryResultsResponse")
}

func (s *Server) getJob(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	j, aerr := s.lookupJob(args[0])
	if aerr != nil {
		return nil, aerr
	}
	return s.jobJSON(j), nil
}

func (s *Server) cancelJob(ctx context.Context, r *http.Request, args []string) (any, *apiError) {
	j, aerr := s.lookupJob(args[0])
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"kind": "bigquery#jobCancelResponse", "job": s.jobJSON(j)}, nil
}

func dropTemp(ctx context.Context, conn *sql.Conn) {
	rows, err := conn.QueryContext(ctx, "SELECT table_name FROM duckdb_tables() WHERE temporary")
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		_, _ = conn.ExecContext(ctx, "DROP TABLE IF EXISTS temp."+quoteIdent(n))
	}
}
