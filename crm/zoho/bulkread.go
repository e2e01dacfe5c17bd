package zoho

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/httpx"
)

// Bulk Read (reference sheet §3.1): a job exports up to BulkReadPageSize
// records of one module as a zipped CSV; further pages are further jobs.

// BulkReadPageSize is the most records one bulk read job exports.
const BulkReadPageSize = 200_000

// BulkReadCredits is what one bulk read job costs (the sheet's secondary
// source; Zoho's limits page as transcribed).
const BulkReadCredits = 50

// Bulk read job states.
const (
	BulkAdded      = "ADDED"
	BulkQueued     = "QUEUED"
	BulkInProgress = "IN PROGRESS"
	BulkCompleted  = "COMPLETED"
	BulkFailure    = "FAILURE"
)

// maxBulkPoll caps the wait between polls of a bulk read job.
const maxBulkPoll = 30 * time.Second

// Criterion is a bulk read criteria: one condition (Field, Comparator,
// Value) or, with GroupOperator (and, or), a group of criteria.
// Comparators: equal, not_equal, in, not_in, less_than, less_equal,
// greater_than, greater_equal, between, not_between (dates), contains,
// not_contains, starts_with, ends_with (text); "${EMPTY}" is the empty value.
type Criterion struct {
	Field      string
	Comparator string
	Value      any

	GroupOperator string
	Group         []Criterion
}

// MarshalJSON renders the criterion as the create call takes it.
func (c Criterion) MarshalJSON() ([]byte, error) {
	if c.GroupOperator != "" {
		return json.Marshal(map[string]any{"group_operator": c.GroupOperator, "group": c.Group})
	}
	return json.Marshal(map[string]any{"field": map[string]string{"api_name": c.Field},
		"comparator": c.Comparator, "value": c.Value})
}

// BulkReadQuery is what a bulk read job exports.
type BulkReadQuery struct {
	// Module is the module's API name.
	Module string
	// Fields are the API names to export ("Lookup.Field" reads a field of
	// the record a lookup points at); empty exports every field. The id
	// column always comes.
	Fields []string
	// Criteria filters the records (nil: all).
	Criteria *Criterion
	// Page is the page of BulkReadPageSize records (default 1); PageToken,
	// a previous job's NextPageToken, continues after that job's page
	// instead (valid 24 h, bound to the same query).
	Page      int
	PageToken string
}

// BulkReadJob is a bulk read job as the API reports it.
type BulkReadJob struct {
	ID    string `json:"id"`
	State string `json:"state"`
	// Result is set once the job completed (or failed).
	Result *BulkReadResult `json:"result"`
}

// BulkReadResult is a job's result: its page and where to download it.
type BulkReadResult struct {
	Page          int    `json:"page"`
	PerPage       int    `json:"per_page"`
	Count         int    `json:"count"`
	DownloadURL   string `json:"download_url"`
	MoreRecords   bool   `json:"more_records"`
	NextPageToken string `json:"next_page_token"`
	// ErrorMessage explains a FAILURE.
	ErrorMessage *struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error_message"`
}

// BulkReadFailedError is a job that ended in FAILURE.
type BulkReadFailedError struct {
	Module, JobID, Code, Message string
}

func (e *BulkReadFailedError) Error() string {
	msg := fmt.Sprintf("bulk read %s: job %s failed", e.Module, e.JobID)
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func (c *Client) bulkURL(rest string) string {
	u := c.APIDomain() + "/crm/bulk/v8/read"
	if rest != "" {
		u += "/" + rest
	}
	return u
}

// CreateBulkRead creates a bulk read job and returns its id. It costs
// BulkReadCredits. Creating a job only reads, so a transient failure is
// retried (at worst one more job's credits).
func (c *Client) CreateBulkRead(ctx context.Context, q BulkReadQuery) (string, error) {
	query := map[string]any{"module": map[string]string{"api_name": q.Module}}
	if len(q.Fields) > 0 {
		query["fields"] = q.Fields
	}
	if q.Criteria != nil {
		query["criteria"] = q.Criteria
	}
	switch {
	case q.PageToken != "":
		query["page_token"] = q.PageToken
	case q.Page > 1:
		query["page"] = q.Page
	}
	r, err := c.send(withCost(httpx.Retryable(ctx), BulkReadCredits), http.MethodPost, func() string { return c.bulkURL("") }, nil,
		map[string]any{"query": query})
	if err != nil {
		return "", fmt.Errorf("zoho: bulk read %s: create job: %w", q.Module, err)
	}
	var ans struct {
		Data []struct {
			Status  string `json:"status"`
			Code    string `json:"code"`
			Message string `json:"message"`
			Details struct {
				ID string `json:"id"`
			} `json:"details"`
		} `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return "", fmt.Errorf("zoho: bulk read %s: create job: %w", q.Module, err)
	}
	if len(ans.Data) == 0 || ans.Data[0].Details.ID == "" {
		return "", fmt.Errorf("zoho: bulk read %s: create job: the answer has no job id", q.Module)
	}
	return ans.Data[0].Details.ID, nil
}

// BulkRead reports a job's state (and result once it is done).
func (c *Client) BulkRead(ctx context.Context, id string) (*BulkReadJob, error) {
	r, err := c.send(ctx, http.MethodGet, func() string { return c.bulkURL(url.PathEscape(id)) }, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("zoho: bulk read job %s: %w", id, err)
	}
	var ans struct {
		Data []BulkReadJob `json:"data"`
	}
	if err := decode(r.body, &ans); err != nil {
		return nil, fmt.Errorf("zoho: bulk read job %s: %w", id, err)
	}
	if len(ans.Data) == 0 {
		return nil, fmt.Errorf("zoho: bulk read job %s: empty answer", id)
	}
	return &ans.Data[0], nil
}

// WaitBulkRead polls a job until it completes, waiting Config.BulkPoll
// first and twice as long after each poll (up to 30 s). A FAILURE is a
// *BulkReadFailedError.
func (c *Client) WaitBulkRead(ctx context.Context, module, id string) (*BulkReadJob, error) {
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
		job, err := c.BulkRead(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("zoho: bulk read %s: %w", module, err)
		}
		switch job.State {
		case BulkCompleted:
			if job.Result == nil {
				return nil, fmt.Errorf("zoho: bulk read %s: job %s completed without a result", module, id)
			}
			return job, nil
		case BulkFailure:
			fe := &BulkReadFailedError{Module: module, JobID: id}
			if job.Result != nil && job.Result.ErrorMessage != nil {
				fe.Code, fe.Message = job.Result.ErrorMessage.Code, job.Result.ErrorMessage.Message
			}
			return nil, fe
		}
	}
}

// DownloadBulkRead downloads a completed job's result (a zip holding one
// CSV) and calls fn with the header, then with each record's cells in
// header order ("" for empty). fn's error stops the reading and is
// returned. Zoho allows 10 downloads a minute; a 429 is retried by the
// transport.
func (c *Client) DownloadBulkRead(ctx context.Context, module string, res *BulkReadResult,
	header func([]string) error, fn func(row []string) error) error {
	target := res.DownloadURL
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		// The sheet shows a path on the API domain; an absolute URL (another
		// download host) is taken as it is.
		target = c.APIDomain() + "/" + strings.TrimPrefix(target, "/")
	}
	r, err := c.send(ctx, http.MethodGet, func() string { return target }, nil, nil)
	if err != nil {
		return fmt.Errorf("zoho: bulk read %s: download: %w", module, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		return fmt.Errorf("zoho: bulk read %s: download: not a zip: %w", module, err)
	}
	var file *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".csv") {
			if file != nil {
				return fmt.Errorf("zoho: bulk read %s: download: the zip holds more than one CSV", module)
			}
			file = f
		}
	}
	if file == nil {
		return fmt.Errorf("zoho: bulk read %s: download: the zip holds no CSV", module)
	}
	rc, err := file.Open()
	if err != nil {
		return fmt.Errorf("zoho: bulk read %s: download: %w", module, err)
	}
	defer rc.Close()
	cr := newCSVReader(rc)
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("zoho: bulk read %s: %s: %w", module, file.Name, err)
	}
	head = append([]string(nil), head...)
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff") // a byte order mark
	}
	if err := header(head); err != nil {
		return err
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("zoho: bulk read %s: %s record %d: %w", module, file.Name, line-1, err)
		}
		if len(row) != len(head) {
			return fmt.Errorf("zoho: bulk read %s: %s record %d: %d cells for %d columns", module, file.Name, line-1, len(row), len(head))
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// CRMUser is a user of the org (GET /crm/v8/users).
type CRMUser struct {
	ID        string `json:"id"`
	FullName  string `json:"full_name"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Status    string `json:"status"`
}

// Users lists the org's users of a type: AllUsers, ActiveUsers,
// DeactiveUsers, … (every page). It needs ZohoCRM.users.READ.
func (c *Client) Users(ctx context.Context, typ string) ([]CRMUser, error) {
	var out []CRMUser
	for page := 1; ; page++ {
		q := url.Values{"type": {typ}, "page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(MaxPerPage)}}
		r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL("users", q) }, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("zoho: users page %d: %w", page, err)
		}
		if r.status == http.StatusNoContent || len(r.body) == 0 {
			return out, nil
		}
		var ans struct {
			Users []CRMUser `json:"users"`
			Info  listInfo  `json:"info"`
		}
		if err := json.Unmarshal(r.body, &ans); err != nil {
			return nil, fmt.Errorf("zoho: users page %d: %w", page, err)
		}
		out = append(out, ans.Users...)
		if !ans.Info.MoreRecords || len(ans.Users) == 0 {
			return out, nil
		}
	}
}

// Count returns how many records of module match a search criteria
// string such as "(Modified_Time:greater_than:2024-01-01T00:00:00+05:30)"
// ("" counts every record) with GET /{module}/actions/count. converted is
// Leads' converted filter (false by default, true, both).
func (c *Client) Count(ctx context.Context, module, criteria, converted string) (int, error) {
	q := url.Values{}
	if criteria != "" {
		q.Set("criteria", criteria)
	}
	if converted != "" {
		q.Set("converted", converted)
	}
	r, err := c.send(ctx, http.MethodGet, func() string { return c.crmURL(module+"/actions/count", q) }, nil, nil)
	if err != nil {
		return 0, fmt.Errorf("zoho: count %s: %w", module, err)
	}
	if r.status == http.StatusNoContent || len(r.body) == 0 {
		return 0, nil
	}
	var ans struct {
		// A string in Zoho's OpenAPI file, a number in its samples:
		// json.Number takes both.
		Count json.Number `json:"count"`
	}
	if err := json.Unmarshal(r.body, &ans); err != nil {
		return 0, fmt.Errorf("zoho: count %s: %w", module, err)
	}
	n, err := strconv.Atoi(ans.Count.String())
	if err != nil {
		return 0, fmt.Errorf("zoho: count %s: count %q is not a number", module, ans.Count)
	}
	return n, nil
}

// CriteriaValue escapes a value for a search criteria string: a
// backslash before ( ) , and before a trailing \ (reference sheet §2.7).
func CriteriaValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '(' || r == ')' || r == ',' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	if strings.HasSuffix(s, "\\") {
		b.WriteByte('\\')
	}
	return b.String()
}
