package bqtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Load jobs arrive at /upload/bigquery/v2/projects/{p}/jobs, as one
// multipart/related request (job JSON, then the file) or as a resumable
// session (job JSON first; then chunks POSTed to the session's absolute
// Location, acked with 200 + X-Http-Status-Code-Override: 308).

type loadConfig struct {
	DestinationTable struct {
		ProjectID string `json:"projectId"`
		DatasetID string `json:"datasetId"`
		TableID   string `json:"tableId"`
	} `json:"destinationTable"`
	SourceFormat        string       `json:"sourceFormat"`
	WriteDisposition    string       `json:"writeDisposition"`
	CreateDisposition   string       `json:"createDisposition"`
	SchemaUpdateOptions []string     `json:"schemaUpdateOptions"`
	Schema              *tableSchema `json:"schema"`
}

type uploadSession struct {
	body []byte // the job JSON
	file *os.File
	size int64
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, path string) {
	parts := strings.Split(path, "/")
	if len(parts) != 3 || parts[0] != "projects" || parts[2] != "jobs" || r.Method != http.MethodPost {
		writeError(w, errf(404, "notFound", "Not found: %s %s", r.Method, r.URL.Path))
		return
	}
	if parts[1] != s.project {
		writeError(w, errf(404, "notFound", "Not found: Project %s", parts[1]))
		return
	}
	switch r.URL.Query().Get("uploadType") {
	case "multipart":
		s.multipartUpload(w, r)
	case "resumable":
		s.resumableUpload(w, r)
	default:
		writeError(w, errf(400, "invalid", "bqtest: uploadType %q is not emulated (multipart or resumable)", r.URL.Query().Get("uploadType")))
	}
}

func (s *Server) multipartUpload(w http.ResponseWriter, r *http.Request) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		writeError(w, errf(400, "invalid", "upload: want a multipart/related body"))
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	meta, err := mr.NextPart()
	if err != nil {
		writeError(w, errf(400, "invalid", "upload: job part: %v", err))
		return
	}
	body, err := io.ReadAll(meta)
	if err != nil {
		writeError(w, errf(400, "invalid", "upload: job part: %v", err))
		return
	}
	media, err := mr.NextPart()
	if err != nil {
		writeError(w, errf(400, "invalid", "upload: media part: %v", err))
		return
	}
	f, err := os.CreateTemp(s.dir, "load-*.parquet")
	if err != nil {
		writeError(w, errf(500, "internalError", "upload: %v", err))
		return
	}
	defer os.Remove(f.Name())
	n, err := io.Copy(f, media)
	_ = f.Close()
	if err != nil {
		writeError(w, errf(400, "invalid", "upload: media part: %v", err))
		return
	}
	s.finishLoad(w, r.Context(), body, f.Name(), n)
}

func (s *Server) resumableUpload(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("upload_id")
	if id == "" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, errf(400, "invalid", "upload: %v", err))
			return
		}
		f, err := os.CreateTemp(s.dir, "load-*.parquet")
		if err != nil {
			writeError(w, errf(500, "internalError", "upload: %v", err))
			return
		}
		id = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f.Name()), "load-"), ".parquet")
		s.mu.Lock()
		if s.uploads == nil {
			s.uploads = map[string]*uploadSession{}
		}
		s.uploads[id] = &uploadSession{body: body, file: f}
		s.mu.Unlock()
		w.Header().Set("Location", fmt.Sprintf("%s/upload/bigquery/v2/projects/%s/jobs?uploadType=resumable&upload_id=%s", s.srv.URL, s.project, id))
		w.WriteHeader(http.StatusOK)
		return
	}
	s.mu.Lock()
	up := s.uploads[id]
	s.mu.Unlock()
	if up == nil {
		writeError(w, errf(404, "notFound", "upload session %s not found", id))
		return
	}
	n, err := io.Copy(up.file, r.Body)
	if err != nil {
		writeError(w, errf(400, "invalid", "upload chunk: %v", err))
		return
	}
	up.size += n
	// Content-Range: bytes a-b/* (more to come), bytes a-b/total or bytes */total (the last).
	cr := r.Header.Get("Content-Range")
	total := cr[strings.LastIndexByte(cr, '/')+1:]
	if total == "*" {
		w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", up.size-1))
		w.Header().Set("X-Http-Status-Code-Override", "308")
		w.WriteHeader(http.StatusOK)
		return
	}
	if want, err := strconv.ParseInt(total, 10, 64); err != nil || want != up.size {
		writeError(w, errf(400, "invalid", "upload: Content-Range %q does not match the %d bytes received", cr, up.size))
		return
	}
	s.mu.Lock()
	delete(s.uploads, id)
	s.mu.Unlock()
	name := up.file.Name()
	_ = up.file.Close()
	defer os.Remove(name)
	s.finishLoad(w, r.Context(), up.body, name, up.size)
}

func (s *Server) finishLoad(w http.ResponseWriter, ctx context.Context, body []byte, file string, size int64) {
	var req struct {
		JobReference  jobRef         `json:"jobReference"`
		Configuration map[string]any `json:"configuration"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, errf(400, "invalid", "upload: job JSON: %v", err))
		return
	}
	raw, ok := req.Configuration["load"]
	if !ok {
		writeError(w, errf(400, "invalid", "upload: the job has no load configuration"))
		return
	}
	var lc loadConfig
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &lc); err != nil {
		writeError(w, errf(400, "invalid", "load configuration: %v", err))
		return
	}
	j, aerr := s.newJob(req.JobReference)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	j.jobType, j.config, j.loadBytes = "LOAD", req.Configuration, size
	j.err = s.runLoad(ctx, j, lc, file)
	j.ended = j.created
	s.register(j)
	writeJSON(w, 200, s.jobJSON(j))
}

// runLoad appends (or writes) the Parquet file into the destination
// table in one DuckDB transaction. Columns match by name; a file column
// the table lacks is added only with ALLOW_FIELD_ADDITION.
func (s *Server) runLoad(ctx context.Context, j *job, lc loadConfig, file string) *apiError {
	dst := lc.DestinationTable
	if f := strings.ToUpper(lc.SourceFormat); f != "PARQUET" {
		return errf(400, "invalid", "bqtest: load jobs of format %q are not emulated (PARQUET only)", lc.SourceFormat)
	}
	if msg, ok := s.takeJobFault(dst.TableID); ok {
		return errf(400, "jobInternalError", "%s", msg)
	}
	d, aerr := s.lookupDataset(dst.DatasetID)
	if aerr != nil {
		return aerr
	}
	rel := quoteIdent(d.ID) + "." + quoteIdent(dst.TableID)
	src := "read_parquet(" + quoteString(file) + ")"
	s.ddlMu.Lock()
	defer s.ddlMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return errf(500, "internalError", "load: %v", err)
	}
	defer conn.Close()
	fileCols := map[string]string{}
	var order []string
	dr, err := conn.QueryContext(ctx, "DESCRIBE SELECT * FROM "+src)
	if err != nil {
		return errf(400, "invalid", "Error while reading data, error message: the file is not valid Parquet: %v", err)
	}
	for dr.Next() {
		var name, typ string
		var null, key, def, extra any
		if err := dr.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			dr.Close()
			return errf(500, "internalError", "load: %v", err)
		}
		fileCols[strings.ToLower(name)] = typ
		order = append(order, name)
	}
	dr.Close()

	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return errf(500, "internalError", "load: %v", err)
	}
	committed := false
	defer func() {
		if !committed {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	t, aerr := s.describe(ctx, d.ID, dst.TableID)
	switch {
	case aerr != nil && aerr.code == 404:
		if strings.EqualFold(lc.CreateDisposition, "CREATE_NEVER") {
			return aerr
		}
		var q string
		if lc.Schema != nil && len(lc.Schema.Fields) > 0 {
			cols, aerr := ddlColumns(lc.Schema.Fields)
			if aerr != nil {
				return aerr
			}
			q = fmt.Sprintf("CREATE TABLE %s (%s)", rel, cols)
		} else {
			q = fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM %s LIMIT 0", rel, src)
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return errf(400, "invalid", "load: create %s.%s: %v", d.ID, dst.TableID, err)
		}
		t = &tableInfo{dataset: d.ID, name: dst.TableID}
		for _, name := range order {
			t.fields = append(t.fields, &field{Name: name})
		}
		if lc.Schema != nil && len(lc.Schema.Fields) > 0 {
			t.fields = lc.Schema.Fields
		}
	case aerr != nil:
		return aerr
	case t.view:
		return errf(400, "invalid", "Cannot load into view %s.%s", d.ID, t.name)
	}
	tableCols := map[string]bool{}
	for _, f := range t.fields {
		tableCols[strings.ToLower(f.Name)] = true
	}
	allowAdd := false
	for _, o := range lc.SchemaUpdateOptions {
		if o == "ALLOW_FIELD_ADDITION" {
			allowAdd = true
		}
	}
	var cols []string
	for _, name := range order {
		if !tableCols[strings.ToLower(name)] {
			if !allowAdd {
				return errf(400, "invalid", "Provided Schema does not match Table %s:%s.%s. Cannot add fields (field: %s)", s.project, d.ID, dst.TableID, name)
			}
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", rel, quoteIdent(name), fileCols[strings.ToLower(name)])); err != nil {
				return errf(400, "invalid", "load: add field %s: %v", name, err)
			}
		}
		cols = append(cols, quoteIdent(name))
	}
	switch strings.ToUpper(lc.WriteDisposition) {
	case "WRITE_TRUNCATE", "WRITE_TRUNCATE_DATA":
		if _, err := conn.ExecContext(ctx, "DELETE FROM "+rel); err != nil {
			return errf(400, "invalid", "load: truncate: %v", err)
		}
	case "WRITE_EMPTY":
		var n int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+rel).Scan(&n); err != nil {
			return errf(500, "internalError", "load: %v", err)
		}
		if n > 0 {
			return errf(409, "duplicate", "Already Exists: Table %s:%s.%s", s.project, d.ID, dst.TableID)
		}
	case "", "WRITE_APPEND":
	default:
		return errf(400, "invalid", "Invalid writeDisposition %q", lc.WriteDisposition)
	}
	list := strings.Join(cols, ", ")
	res, err := conn.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", rel, list, list, src))
	if err != nil {
		return errf(400, "invalid", "Error while reading data, error message: %v", err)
	}
	j.loadRows, _ = res.RowsAffected()
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return errf(500, "internalError", "load: commit: %v", err)
	}
	committed = true
	return nil
}
