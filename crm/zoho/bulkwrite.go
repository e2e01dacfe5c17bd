package zoho

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// Bulk Write (reference sheet §3.2): the records go as a zipped CSV to the
// upload host, a write job names the uploaded file, the job is polled
// until it completes, and its result (a zipped CSV with a STATUS,
// RECORD_ID and ERRORS column per input row) is downloaded.

// BulkWriteMaxRecords is the most records one bulk write file (one job)
// takes.
const BulkWriteMaxRecords = 25_000

// BulkWriteMaxBytes is the largest zip the upload takes (25 MB).
const BulkWriteMaxBytes = 25 << 20

// BulkWriteCredits is what one bulk write job costs (the sheet's secondary
// source; Zoho's limits page as transcribed).
const BulkWriteCredits = 500

// Bulk write job states.
const (
	BulkWriteAdded      = "ADDED"
	BulkWriteInProgress = "INPROGRESS"
	BulkWriteCompleted  = "COMPLETED"
	BulkWriteFailed     = "FAILED"
)

// Date and datetime formats revops names in its field mappings, so that
// the CSV carries the REST API's forms instead of the bulk default
// (MM/dd/yyyy, MM/dd/yyyy HH:mm:ss). The pattern letters of a mapping's
// format are unconfirmed by the sheet (Java-style patterns assumed).
const (
	BulkDateFormat     = "yyyy-MM-dd"
	BulkDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ssXXX"
)

// BulkFieldMapping maps one CSV column to a field.
type BulkFieldMapping struct {
	// APIName is the field's API name.
	APIName string `json:"api_name"`
	// Index is the column's position in the CSV.
	Index int `json:"index"`
	// FindBy is how a lookup's cell finds its record ("id" or a field of
	// the looked-up module); lookups need one.
	FindBy string `json:"find_by,omitempty"`
	// Format is the cell's date or datetime pattern.
	Format string `json:"format,omitempty"`
}

// BulkWriteRequest is one bulk write job: a module, an operation, and the
// rows of one CSV (at most BulkWriteMaxRecords).
type BulkWriteRequest struct {
	// Module is the module's API name.
	Module string
	// Operation is insert, update or upsert.
	Operation string
	// FindBy is the field update and upsert match on: "id" or a unique
	// field (or the module's system duplicate-check field).
	FindBy string
	// Header names the columns (field API names); Mappings, when set,
	// map them (else the header's names are the fields).
	Header   []string
	Mappings []BulkFieldMapping
	// Rows are the records' cells in Header's order; "" is an empty cell.
	Rows [][]string
	// IgnoreEmpty leaves fields of empty cells unchanged instead of
	// clearing them.
	IgnoreEmpty bool
}

// BulkWriteRow is the outcome of one input row, in input order.
type BulkWriteRow struct {
	// Status is added, updated, skipped or unprocessed.
	Status string
	// RecordID is the record written ("" when skipped).
	RecordID string
	// Errors are the row's errors (skipped rows).
	Errors []BulkWriteError
}

// BulkWriteError is one error of a row: Zoho's code (MANDATORY_NOT_FOUND,
// INVALID_DATA, DUPLICATE_DATA, NOT_APPROVED, BLOCKED_RECORD,
// CANNOT_PROCESS, LIMIT_EXCEEDED, RESOURCE_NOT_FOUND) and the column it
// names.
type BulkWriteError struct {
	Code, Field string
}

// BulkWriteJob is a job's details as the API reports them.
type BulkWriteJob struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Resource []struct {
		Status string `json:"status"`
		File   struct {
			Status       string `json:"status"`
			Name         string `json:"name"`
			AddedCount   int    `json:"added_count"`
			SkippedCount int    `json:"skipped_count"`
			UpdatedCount int    `json:"updated_count"`
			TotalCount   int    `json:"total_count"`
		} `json:"file"`
		Message string `json:"message"`
	} `json:"resource"`
	Result *struct {
		DownloadURL string `json:"download_url"`
	} `json:"result"`
}

// BulkWriteFailedError is a job that ended FAILED, or an upload or job
// the API refused.
type BulkWriteFailedError struct {
	Module, JobID, Message string
}

func (e *BulkWriteFailedError) Error() string {
	msg := fmt.Sprintf("bulk write %s: job %s failed", e.Module, e.JobID)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// BulkWrite writes req's rows through one bulk write job: upload, create,
// poll (Config.BulkPoll, doubling up to 30 s), download the result. It
// returns one row per input row, in order, and costs BulkWriteCredits
// plus the calls' own credits. The upload, the polls and the download are
// repeated on transient failures; creating an insert job is not (a lost
// answer may have started it), while an update or upsert job is (the
// same values again). An error means the job's outcome is unknown.
func (c *Client) BulkWrite(ctx context.Context, req BulkWriteRequest) ([]BulkWriteRow, error) {
	op := strings.ToLower(req.Operation)
	switch {
	case len(req.Rows) == 0:
		return nil, nil
	case len(req.Rows) > BulkWriteMaxRecords:
		return nil, fmt.Errorf("zoho: bulk write %s: %d records exceed the %d one file takes", req.Module, len(req.Rows), BulkWriteMaxRecords)
	case op != "insert" && op != "update" && op != "upsert":
		return nil, fmt.Errorf("zoho: bulk write %s: operation %q is not insert, update or upsert", req.Module, req.Operation)
	case op != "insert" && req.FindBy == "":
		return nil, fmt.Errorf("zoho: bulk write %s: %s needs a find_by field", req.Module, op)
	}
	zipped, err := bulkZip(req.Module, req.Header, req.Rows)
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write %s: %w", req.Module, err)
	}
	fileID, err := c.UploadBulkFile(ctx, req.Module+".zip", zipped)
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write %s: %w", req.Module, err)
	}
	jobID, err := c.createBulkWrite(ctx, req, op, fileID)
	if err != nil {
		return nil, err
	}
	job, err := c.WaitBulkWrite(ctx, req.Module, jobID)
	if err != nil {
		return nil, err
	}
	rows, err := c.downloadBulkWrite(ctx, req.Module, job, len(req.Header))
	if err != nil {
		return nil, err
	}
	if len(rows) != len(req.Rows) {
		return nil, fmt.Errorf("zoho: bulk write %s: job %s: the result has %d rows for %d records", req.Module, jobID, len(rows), len(req.Rows))
	}
	return rows, nil
}

// bulkZip writes the CSV and zips it.
func bulkZip(module string, header []string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fw, err := zw.Create(module + ".csv")
	if err != nil {
		return nil, err
	}
	cw := csv.NewWriter(fw)
	if err := cw.Write(header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		if len(r) != len(header) {
			return nil, fmt.Errorf("row %d has %d cells for %d columns", i, len(r), len(header))
		}
		if err := cw.Write(r); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > BulkWriteMaxBytes {
		return nil, fmt.Errorf("the zip is %d bytes, more than the %d the upload takes", buf.Len(), BulkWriteMaxBytes)
	}
	return buf.Bytes(), nil
}

// uploadURL is the upload host's URL of the upload call: Config.UploadURL,
// else the configured API domain (an emulator serves both), else the data
// center's upload host.
func (c *Client) uploadURL() string {
	base := strings.TrimSuffix(c.cfg.UploadURL, "/")
	if base == "" && c.cfg.APIDomain != "" {
		base = strings.TrimSuffix(c.cfg.APIDomain, "/")
	}
	if base == "" {
		base = c.dc.UploadURL
	}
	return base + "/crm/v8/upload"
}

// OrgGroupID returns the org's zgid (GET /crm/v8/org), which the upload
// call names in X-CRM-ORG. It is read once per client.
func (c *Client) OrgGroupID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.zgid
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL("org", nil) }, nil, nil)
	if err != nil {
		return "", fmt.Errorf("zoho: org: %w", err)
	}
	var ans struct {
		Org []struct {
			ZGID json.Number `json:"zgid"`
		} `json:"org"`
	}
	if err := decode(r.body, &ans); err != nil {
		return "", fmt.Errorf("zoho: org: %w", err)
	}
	if len(ans.Org) == 0 || ans.Org[0].ZGID == "" {
		return "", errors.New("zoho: org: the answer has no zgid")
	}
	c.mu.Lock()
	c.zgid = ans.Org[0].ZGID.String()
	c.mu.Unlock()
	return ans.Org[0].ZGID.String(), nil
}

// UploadBulkFile uploads a zip for a bulk write job and returns its file
// id. Uploading again is harmless (a file nobody names is never read), so
// the transport repeats it on transient failures.
func (c *Client) UploadBulkFile(ctx context.Context, name string, zipped []byte) (string, error) {
	zgid, err := c.OrgGroupID(ctx)
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	fw.Write(zipped)
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	data := body.Bytes()
	if _, err := c.auth.Token(ctx); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	req, err := http.NewRequestWithContext(httpx.Retryable(ctx), http.MethodPost, c.uploadURL(), bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("feature", "bulk-write")
	req.Header.Set("X-CRM-ORG", zgid)
	release, err := c.reserve(ctx, http.MethodPost, req.URL.Path, 1)
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	defer release()
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return "", fmt.Errorf("upload: POST %s: %w", req.URL.Path, ue.Err)
		}
		return "", fmt.Errorf("upload: %w", err)
	}
	defer resp.Body.Close()
	out := &response{status: resp.StatusCode, header: resp.Header, method: http.MethodPost, path: req.URL.Path}
	if out.body, err = io.ReadAll(resp.Body); err != nil {
		return "", fmt.Errorf("upload: read: %w", err)
	}
	c.credits.Add(1)
	c.noteCredits(out.header)
	if out.status < 200 || out.status > 299 {
		return "", fmt.Errorf("upload: %w", out.err())
	}
	var ans struct {
		Status  string `json:"status"`
		Code    string `json:"code"`
		Details struct {
			FileID json.Number `json:"file_id"`
		} `json:"details"`
	}
	if err := decode(out.body, &ans); err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	if ans.Details.FileID == "" {
		return "", fmt.Errorf("upload: the answer (%s) has no file id", ans.Code)
	}
	return ans.Details.FileID.String(), nil
}

func (c *Client) bulkWriteURL(rest string) string {
	u := c.APIDomain() + "/crm/bulk/v8/write"
	if rest != "" {
		u += "/" + rest
	}
	return u
}

// createBulkWrite creates the job for an uploaded file.
func (c *Client) createBulkWrite(ctx context.Context, req BulkWriteRequest, op, fileID string) (string, error) {
	res := map[string]any{"type": "data", "module": map[string]string{"api_name": req.Module}, "file_id": fileID}
	if op != "insert" {
		res["find_by"] = req.FindBy
	}
	if len(req.Mappings) > 0 {
		res["field_mappings"] = req.Mappings
	}
	body := map[string]any{"operation": op, "ignore_empty": req.IgnoreEmpty, "resource": []any{res}}
	if op != "insert" {
		ctx = httpx.Retryable(ctx)
	}
	r, err := c.send(withCost(ctx, BulkWriteCredits), http.MethodPost, func() string { return c.bulkWriteURL("") }, nil, body)
	if err != nil {
		return "", fmt.Errorf("zoho: bulk write %s: create job: %w", req.Module, err)
	}
	var ans struct {
		Status  string `json:"status"`
		Code    string `json:"code"`
		Details struct {
			ID json.Number `json:"id"`
		} `json:"details"`
	}
	if err := decode(r.body, &ans); err != nil {
		return "", fmt.Errorf("zoho: bulk write %s: create job: %w", req.Module, err)
	}
	if ans.Details.ID == "" {
		return "", fmt.Errorf("zoho: bulk write %s: create job: the answer (%s) has no job id", req.Module, ans.Code)
	}
	return ans.Details.ID.String(), nil
}

// BulkWriteStatus reports a bulk write job's details.
func (c *Client) BulkWriteStatus(ctx context.Context, id string) (*BulkWriteJob, error) {
	r, err := c.send(ctx, http.MethodGet, func() string { return c.bulkWriteURL(url.PathEscape(id)) }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write job %s: %w", id, err)
	}
	// The sheet shows the details at the top level; a data array (as bulk
	// read answers) is taken too.
	var ans struct {
		BulkWriteJob
		Data []BulkWriteJob `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: bulk write job %s: %w", id, err)
	}
	job := ans.BulkWriteJob
	if job.Status == "" && len(ans.Data) > 0 {
		job = ans.Data[0]
	}
	if job.Status == "" {
		return nil, fmt.Errorf("zoho: bulk write job %s: the answer has no status", id)
	}
	return &job, nil
}

// WaitBulkWrite polls a job until it completes; FAILED is a
// *BulkWriteFailedError.
func (c *Client) WaitBulkWrite(ctx context.Context, module, id string) (*BulkWriteJob, error) {
	wait := c.cfg.BulkPoll
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxBulkPoll)
		job, err := c.BulkWriteStatus(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("zoho: bulk write %s: %w", module, err)
		}
		switch job.Status {
		case BulkWriteCompleted:
			if job.Result == nil || job.Result.DownloadURL == "" {
				return nil, fmt.Errorf("zoho: bulk write %s: job %s completed without a result", module, id)
			}
			return job, nil
		case BulkWriteFailed:
			fe := &BulkWriteFailedError{Module: module, JobID: id}
			for _, r := range job.Resource {
				if r.Message != "" {
					fe.Message = r.Message
				}
			}
			return nil, fe
		}
	}
}

// downloadBulkWrite reads a completed job's result zip: the columns
// written, then STATUS, RECORD_ID and ERRORS.
func (c *Client) downloadBulkWrite(ctx context.Context, module string, job *BulkWriteJob, _ int) ([]BulkWriteRow, error) {
	target := job.Result.DownloadURL
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		// The download host is unconfirmed: a path is taken on the API
		// domain, an absolute URL as it is.
		target = c.APIDomain() + "/" + strings.TrimPrefix(target, "/")
	}
	r, err := c.send(ctx, http.MethodGet, func() string { return target }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write %s: download: %w", module, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write %s: download: not a zip: %w", module, err)
	}
	var file *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".csv") && file == nil {
			file = f
		}
	}
	if file == nil {
		return nil, fmt.Errorf("zoho: bulk write %s: download: the zip holds no CSV", module)
	}
	rc, err := file.Open()
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write %s: download: %w", module, err)
	}
	defer rc.Close()
	cr := newCSVReader(rc)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk write %s: %s: header: %w", module, file.Name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToUpper(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	st, okS := col["STATUS"]
	id, okI := col["RECORD_ID"]
	er, okE := col["ERRORS"]
	if !okS || !okI || !okE {
		return nil, fmt.Errorf("zoho: bulk write %s: %s: no STATUS, RECORD_ID and ERRORS columns in %q", module, file.Name, head)
	}
	var out []BulkWriteRow
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("zoho: bulk write %s: %s line %d: %w", module, file.Name, line, err)
		}
		if len(row) != len(head) {
			return nil, fmt.Errorf("zoho: bulk write %s: %s line %d: %d cells for %d columns", module, file.Name, line, len(row), len(head))
		}
		out = append(out, BulkWriteRow{Status: strings.ToLower(row[st]), RecordID: row[id], Errors: ParseBulkErrors(row[er])})
	}
}

// ParseBulkErrors reads a result row's ERRORS cell: CODE-column entries
// joined by ":".
func ParseBulkErrors(cell string) []BulkWriteError {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil
	}
	var out []BulkWriteError
	for _, part := range strings.Split(cell, ":") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		code, field, _ := strings.Cut(part, "-")
		out = append(out, BulkWriteError{Code: code, Field: field})
	}
	return out
}
