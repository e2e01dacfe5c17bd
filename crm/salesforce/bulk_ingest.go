package salesforce

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// Bulk API 2.0 ingest operations.
const (
	IngestInsert     = "insert"
	IngestUpdate     = "update"
	IngestUpsert     = "upsert"
	IngestDelete     = "delete"
	IngestHardDelete = "hardDelete"
)

// MaxIngestBytes is the largest CSV one ingest job takes: Salesforce's
// 150 MB limit applies after base64, so clients keep the raw CSV under
// 100 MB (reference sheet §4.1).
const MaxIngestBytes = 100_000_000

// IngestJob says what a Bulk API 2.0 ingest job does.
type IngestJob struct {
	// Object is the sObject, e.g. "Contact".
	Object string
	// Operation is IngestInsert, IngestUpdate, IngestUpsert, IngestDelete
	// or IngestHardDelete.
	Operation string
	// ExternalIDField is the upsert key (upsert only).
	ExternalIDField string
}

// IngestRow is the outcome of one input row of an ingest job.
type IngestRow struct {
	// ID is the record's id (sf__Id): set for written rows, and for failed
	// updates, upserts and deletes when Salesforce knew the record.
	ID string
	// Success is true when the row was written.
	Success bool
	// Created is true when the row created a record (sf__Created).
	Created bool
	// Error is the row's failure (sf__Error parsed) when it failed. Rows
	// the job never processed get the code UNPROCESSED.
	Error *RecordError
	// Unprocessed is true when the job ended before reaching the row
	// (unprocessedrecords, or no result at all): nothing was written.
	Unprocessed bool
}

// IngestResult is the outcome of an ingest job, one row per input row in
// input order.
type IngestResult struct {
	// JobID is the Bulk job's id.
	JobID string
	// State is the job's final state: JobComplete, Failed or Aborted.
	State string
	// ErrorMessage is the job's errorMessage when it failed.
	ErrorMessage string
	// Rows are the per-row outcomes, in the order of the input rows.
	Rows []IngestRow
	// Polls counts the job-status requests made while waiting.
	Polls int
}

// Ingest runs one Bulk API 2.0 ingest job over rows (each as long as
// header): it creates the job, uploads the CSV (commas, LF, every value
// quoted as needed), marks it UploadComplete, polls the job with a doubling
// wait (Config.BulkPoll up to 10 s) until JobComplete, Failed or Aborted,
// then reads successfulResults, failedResults and unprocessedrecords and
// maps them back to the input rows. Result rows carry the original columns,
// and Salesforce does not keep their order, so each is matched to an input
// row with the same values (identical rows are interchangeable), else by
// the key column (Id, or the external id field on upsert). The job is
// deleted afterwards, best effort.
//
// Cell conventions are the caller's: "" leaves a field unchanged on update
// (null on insert), "#N/A" clears it, dates are YYYY-MM-DD, datetimes
// ISO 8601 with Z or an offset, multi-select values joined by ";".
//
// An error means nothing was written: it comes from a failure before the
// job was closed (the job is then aborted, best effort). Once the close is
// known to have reached Salesforce, the job runs and Ingest reports rows.
// Creating the job and reading its state and results are retried on
// transient failures (they write nothing); the close is not retried: if
// its answer is lost, Ingest reads the job's state to learn whether it was
// closed. The upload (a PUT) is retried by the transport; if a lost answer
// made it arrive twice, Salesforce refuses the close (INVALIDJOB: one PUT
// per job) and Ingest aborts that job and starts once more with a new one.
func (c *Client) Ingest(ctx context.Context, job IngestJob, header []string, rows [][]string) (*IngestResult, error) {
	what := fmt.Sprintf("salesforce: bulk %s %s", job.Operation, job.Object)
	switch job.Operation {
	case IngestInsert, IngestUpdate, IngestDelete, IngestHardDelete:
	case IngestUpsert:
		if job.ExternalIDField == "" {
			return nil, fmt.Errorf("%s: upsert needs an external id field", what)
		}
	default:
		return nil, fmt.Errorf("%s: unknown operation", what)
	}
	if len(header) == 0 {
		return nil, fmt.Errorf("%s: no columns", what)
	}
	if len(rows) == 0 {
		return &IngestResult{State: JobComplete}, nil
	}
	data, err := encodeCSV(header, rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(data) > MaxIngestBytes {
		return nil, fmt.Errorf("%s: the CSV is %d bytes, more than the %d one job takes", what, len(data), MaxIngestBytes)
	}
	info, err := c.startIngest(ctx, what, job, data)
	var dup *duplicateUpload
	if errors.As(err, &dup) {
		c.log.Debug("salesforce: bulk upload arrived twice; starting a new job", "object", job.Object, "job", dup.job)
		info, err = c.startIngest(ctx, what, job, data)
	}
	if err != nil {
		return nil, err
	}
	defer c.deleteIngestJob(ctx, job.Object, info.ID)
	polls, err := c.waitIngest(ctx, what, info)
	if err != nil {
		return nil, err
	}
	res := &IngestResult{JobID: info.ID, State: info.State, ErrorMessage: info.ErrorMessage, Polls: polls}
	if res.Rows, err = c.ingestResults(ctx, what, job, info.ID, header, rows); err != nil {
		return nil, err
	}
	if info.State != JobComplete {
		msg := info.ErrorMessage
		if msg == "" {
			msg = "job " + info.State
		}
		for i := range res.Rows {
			if res.Rows[i].Unprocessed {
				res.Rows[i].Error.Message = msg
			}
		}
	}
	return res, nil
}

// duplicateUpload is the close refused because the upload arrived twice.
type duplicateUpload struct{ job string }

func (e *duplicateUpload) Error() string { return "job " + e.job + ": upload arrived twice" }

// startIngest creates the job, uploads data and closes the job. When it
// returns an error, the job was not closed (and was aborted, best effort).
func (c *Client) startIngest(ctx context.Context, what string, job IngestJob, data []byte) (*JobInfo, error) {
	body := map[string]string{"object": job.Object, "operation": job.Operation, "contentType": "CSV",
		"columnDelimiter": "COMMA", "lineEnding": "LF"}
	if job.Operation == IngestUpsert {
		body["externalIdFieldName"] = job.ExternalIDField
	}
	var info JobInfo
	// A job created twice (a lost answer) leaves an empty Open job that
	// Salesforce discards; it writes nothing, so a retry is safe.
	if err := c.do(httpx.Retryable(ctx), request{method: http.MethodPost, path: c.dataPath("jobs/ingest"), body: body}, &info); err != nil {
		return nil, fmt.Errorf("%s: create job: %w", what, err)
	}
	if info.ID == "" {
		return nil, fmt.Errorf("%s: create job: the answer has no job id", what)
	}
	jobPath := c.dataPath("jobs/ingest/" + info.ID)
	resp, err := c.send(ctx, request{method: http.MethodPut, path: jobPath + "/batches", body: data,
		header: http.Header{"Content-Type": {"text/csv"}}})
	if err != nil {
		c.abortIngest(ctx, job.Object, info.ID)
		return nil, fmt.Errorf("%s: upload to job %s: %w", what, info.ID, err)
	}
	resp.Body.Close()
	err = c.do(ctx, request{method: http.MethodPatch, path: jobPath, body: map[string]string{"state": JobUploadComplete}}, &info)
	if err == nil {
		return &info, nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		c.abortIngest(ctx, job.Object, info.ID)
		if ae.Code == "INVALIDJOB" && strings.Contains(strings.ToLower(ae.Message), "put") {
			return nil, &duplicateUpload{job: info.ID}
		}
		return nil, fmt.Errorf("%s: close job %s: %w", what, info.ID, err)
	}
	// The answer was lost: did the close arrive?
	var now JobInfo
	if gerr := c.do(ctx, request{method: http.MethodGet, path: jobPath}, &now); gerr != nil {
		return nil, fmt.Errorf("%s: close job %s: %w (and its state is unknown: %v)", what, info.ID, err, gerr)
	}
	if now.State == "Open" {
		c.abortIngest(ctx, job.Object, info.ID)
		return nil, fmt.Errorf("%s: close job %s: %w", what, info.ID, err)
	}
	c.log.Debug("salesforce: bulk close answer lost, the job is closed", "object", job.Object, "job", info.ID, "state", now.State)
	return &now, nil
}

// waitIngest polls the job until it is JobComplete, Failed or Aborted,
// waiting Config.BulkPoll first and doubling up to 10 s.
func (c *Client) waitIngest(ctx context.Context, what string, info *JobInfo) (int, error) {
	wait := c.cfg.BulkPoll
	path := c.dataPath("jobs/ingest/" + info.ID)
	for polls := 0; ; polls++ {
		switch info.State {
		case JobComplete, JobFailed, JobAborted:
			return polls, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return polls, fmt.Errorf("%s: wait for job %s: %w (the job may still write)", what, info.ID, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, maxBulkPoll)
		if err := c.do(ctx, request{method: http.MethodGet, path: path}, info); err != nil {
			return polls + 1, fmt.Errorf("%s: poll job %s: %w (the job may still write)", what, info.ID, err)
		}
	}
}

// ingestResults reads the three result CSVs and maps them to the input rows.
func (c *Client) ingestResults(ctx context.Context, what string, job IngestJob, id string, header []string, rows [][]string) ([]IngestRow, error) {
	m := newRowMatcher(job, header, rows)
	out := make([]IngestRow, len(rows))
	done := make([]bool, len(rows))
	for _, which := range []string{"successfulResults", "failedResults", "unprocessedrecords"} {
		resp, err := c.send(ctx, request{method: http.MethodGet, path: c.dataPath("jobs/ingest/" + id + "/" + which + "/"),
			header: http.Header{"Accept": {"text/csv"}}})
		if err != nil {
			return nil, fmt.Errorf("%s: job %s %s: %w", what, id, which, err)
		}
		rh, recs, err := readCSV(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: job %s %s: %w", what, id, which, err)
		}
		skip := 2
		if which == "unprocessedrecords" {
			skip = 0
		}
		if len(rh) < skip {
			continue
		}
		for _, rec := range recs {
			i := m.find(rh[skip:], rec[skip:])
			if i < 0 || done[i] {
				c.log.Warn("salesforce: bulk result row matches no input row", "object", job.Object, "job", id, "result", which)
				continue
			}
			done[i] = true
			switch which {
			case "successfulResults":
				out[i] = IngestRow{ID: rec[0], Success: true, Created: strings.EqualFold(rec[1], "true")}
			case "failedResults":
				e := ParseBulkError(rec[1])
				out[i] = IngestRow{ID: rec[0], Error: &e}
			default:
				out[i] = unprocessedRow()
			}
		}
	}
	for i := range out {
		if !done[i] {
			out[i] = unprocessedRow()
		}
	}
	return out, nil
}

func unprocessedRow() IngestRow {
	return IngestRow{Unprocessed: true, Error: &RecordError{StatusCode: "UNPROCESSED", Message: "the job ended before this row"}}
}

// rowMatcher finds the input row a result row came from.
type rowMatcher struct {
	header []string
	byRow  map[string][]int // joined values → input rows not yet matched
	byKey  map[string][]int // key column value → input rows
	key    string           // key column name ("" when none)
	rows   [][]string
}

func newRowMatcher(job IngestJob, header []string, rows [][]string) *rowMatcher {
	m := &rowMatcher{header: header, byRow: map[string][]int{}, byKey: map[string][]int{}, rows: rows}
	switch job.Operation {
	case IngestUpdate, IngestDelete, IngestHardDelete:
		m.key = "Id"
	case IngestUpsert:
		m.key = job.ExternalIDField
	}
	ki := m.col(header, m.key)
	for i, r := range rows {
		k := strings.Join(r, "\x00")
		m.byRow[k] = append(m.byRow[k], i)
		if ki >= 0 {
			m.byKey[keyOf(m.key, r[ki])] = append(m.byKey[keyOf(m.key, r[ki])], i)
		}
	}
	return m
}

// keyOf normalizes a key value: ids by their case-sensitive 15-character
// form, external ids case-insensitively.
func keyOf(col, v string) string {
	if strings.EqualFold(col, "Id") {
		if len(v) > 15 {
			return v[:15]
		}
		return v
	}
	return strings.ToLower(v)
}

func (m *rowMatcher) col(header []string, name string) int {
	if name == "" {
		return -1
	}
	for i, h := range header {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	return -1
}

// find returns the input row of a result row (its original columns under
// rh), or -1; each input row is returned once.
func (m *rowMatcher) find(rh, vals []string) int {
	same := len(rh) == len(m.header)
	for i := range rh {
		if same && !strings.EqualFold(rh[i], m.header[i]) {
			same = false
		}
	}
	if same {
		k := strings.Join(vals, "\x00")
		if q := m.byRow[k]; len(q) > 0 {
			m.byRow[k] = q[1:]
			m.drop(m.byKey, q[0])
			return q[0]
		}
	}
	ki := m.col(rh, m.key)
	if ki < 0 || ki >= len(vals) {
		return -1
	}
	k := keyOf(m.key, vals[ki])
	if q := m.byKey[k]; len(q) > 0 {
		m.byKey[k] = q[1:]
		rk := strings.Join(m.rows[q[0]], "\x00")
		m.dropFrom(m.byRow, rk, q[0])
		return q[0]
	}
	return -1
}

// drop removes row i from the key index.
func (m *rowMatcher) drop(idx map[string][]int, i int) {
	ki := m.col(m.header, m.key)
	if ki < 0 {
		return
	}
	m.dropFrom(idx, keyOf(m.key, m.rows[i][ki]), i)
}

func (m *rowMatcher) dropFrom(idx map[string][]int, k string, i int) {
	q := idx[k]
	for j, v := range q {
		if v == i {
			idx[k] = append(q[:j:j], q[j+1:]...)
			return
		}
	}
}

// ParseBulkError reads a Bulk 2.0 sf__Error cell, "CODE:message:fields --"
// (the message may itself hold colons; fields are comma-separated).
func ParseBulkError(s string) RecordError {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "--"))
	code, rest, ok := strings.Cut(s, ":")
	if !ok {
		return RecordError{StatusCode: "UNKNOWN", Message: s}
	}
	e := RecordError{StatusCode: strings.TrimSpace(code), Message: rest, Fields: []string{}}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		e.Message = rest[:i]
		for _, f := range strings.Split(rest[i+1:], ",") {
			if f = strings.TrimSpace(f); f != "" {
				e.Fields = append(e.Fields, f)
			}
		}
	}
	e.Message = strings.TrimSpace(e.Message)
	return e
}

// encodeCSV renders header and rows with commas and LF line endings.
func encodeCSV(header []string, rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		return nil, fmt.Errorf("encode CSV: %w", err)
	}
	for i, r := range rows {
		if len(r) != len(header) {
			return nil, fmt.Errorf("encode CSV: row %d has %d values for %d columns", i, len(r), len(header))
		}
		if err := w.Write(r); err != nil {
			return nil, fmt.Errorf("encode CSV: row %d: %w", i, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("encode CSV: %w", err)
	}
	return b.Bytes(), nil
}

// abortIngest aborts a job that was not closed, best effort.
func (c *Client) abortIngest(ctx context.Context, object, id string) {
	if ctx.Err() != nil {
		return
	}
	err := c.do(ctx, request{method: http.MethodPatch, path: c.dataPath("jobs/ingest/" + id),
		body: map[string]string{"state": JobAborted}}, nil)
	if err != nil {
		c.log.Debug("salesforce: abort bulk job", "object", object, "job", id, "error", err)
	}
}

// deleteIngestJob removes a finished job, best effort.
func (c *Client) deleteIngestJob(ctx context.Context, object, id string) {
	if ctx.Err() != nil {
		return
	}
	if err := c.do(ctx, request{method: http.MethodDelete, path: c.dataPath("jobs/ingest/" + id)}, nil); err != nil {
		c.log.Debug("salesforce: delete bulk job", "object", object, "job", id, "error", err)
	}
}
