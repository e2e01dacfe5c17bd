package salesforce

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// Bulk API 2.0 job states.
const (
	JobUploadComplete = "UploadComplete"
	JobInProgress     = "InProgress"
	JobComplete       = "JobComplete"
	JobFailed         = "Failed"
	JobAborted        = "Aborted"
)

// maxBulkPoll caps the wait between polls of a Bulk job.
const maxBulkPoll = 10 * time.Second

// JobInfo is a Bulk API 2.0 job's state.
type JobInfo struct {
	ID                     string `json:"id"`
	Operation              string `json:"operation"`
	Object                 string `json:"object"`
	State                  string `json:"state"`
	ErrorMessage           string `json:"errorMessage"`
	NumberRecordsProcessed int64  `json:"numberRecordsProcessed"`
	Retries                int    `json:"retries"`
}

// BulkQuery runs soql as a Bulk API 2.0 query job (queryAll when all):
// it creates the job, polls it with a doubling wait until it completes,
// then reads the CSV results page by page (Sforce-Locator, maxRecords =
// Config.BulkPageSize) and calls fn with each page's header and rows. A
// cell is "" for null. The job is deleted afterwards. fn's error stops it
// and is returned.
func (c *Client) BulkQuery(ctx context.Context, soql string, all bool,
	fn func(header []string, rows [][]string) error) error {
	object := objectOf(soql)
	op := "query"
	if all {
		op = "queryAll"
	}
	var job JobInfo
	// Creating a query job twice is harmless (it only reads), so a
	// transient failure may be retried.
	body := map[string]string{"operation": op, "query": soql, "contentType": "CSV",
		"columnDelimiter": "COMMA", "lineEnding": "LF"}
	if err := c.do(httpx.Retryable(ctx), request{method: http.MethodPost, path: c.dataPath("jobs/query"), body: body}, &job); err != nil {
		return fmt.Errorf("salesforce: bulk query %s: create job: %w", object, err)
	}
	defer c.deleteJob(ctx, object, job.ID)
	if err := c.waitJob(ctx, object, &job); err != nil {
		return err
	}
	locator := ""
	for pageNo := 1; ; pageNo++ {
		q := url.Values{"maxRecords": {strconv.Itoa(c.cfg.BulkPageSize)}}
		if locator != "" {
			q.Set("locator", locator)
		}
		resp, err := c.send(ctx, request{method: http.MethodGet, path: c.dataPath("jobs/query/" + job.ID + "/results"),
			query: q, header: http.Header{"Accept": {"text/csv"}}})
		if err != nil {
			return fmt.Errorf("salesforce: bulk query %s: results page %d: %w", object, pageNo, err)
		}
		header, rows, err := readCSV(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("salesforce: bulk query %s: results page %d: %w", object, pageNo, err)
		}
		if header != nil {
			if err := fn(header, rows); err != nil {
				return err
			}
		}
		locator = resp.Header.Get("Sforce-Locator")
		if locator == "" || locator == "null" {
			return nil
		}
	}
}

// waitJob polls the job until it is complete; Failed and Aborted are errors.
func (c *Client) waitJob(ctx context.Context, object string, job *JobInfo) error {
	wait := c.cfg.BulkPoll
	for polls := 0; ; polls++ {
		switch job.State {
		case JobComplete:
			return nil
		case JobFailed, JobAborted:
			msg := job.ErrorMessage
			if msg == "" {
				msg = "no message"
			}
			return fmt.Errorf("salesforce: bulk query %s: job %s %s: %s", object, job.ID, job.State, msg)
		}
		if polls > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			wait = min(2*wait, maxBulkPoll)
		}
		if err := c.do(ctx, request{method: http.MethodGet, path: c.dataPath("jobs/query/" + job.ID)}, job); err != nil {
			return fmt.Errorf("salesforce: bulk query %s: poll job %s: %w", object, job.ID, err)
		}
	}
}

// deleteJob removes a finished job, best effort (results live 7 days otherwise).
func (c *Client) deleteJob(ctx context.Context, object, id string) {
	if ctx.Err() != nil {
		return
	}
	err := c.do(ctx, request{method: http.MethodDelete, path: c.dataPath("jobs/query/" + id)}, nil)
	if err != nil {
		c.log.Debug("salesforce: delete bulk job", "object", object, "job", id, "error", err)
	}
}

// readCSV reads a results page: the header row and the records.
func readCSV(r io.Reader) ([]string, [][]string, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read CSV header: %w", err)
	}
	cr.FieldsPerRecord = len(header)
	var rows [][]string
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return header, rows, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read CSV: %w", err)
		}
		rows = append(rows, row)
	}
}
