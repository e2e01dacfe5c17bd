package soak

import (
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
	"sync"
	"time"
)

// ownHeader marks the soak's own requests (world changes, counts): the
// tap leaves them out of every figure and never kills on them.
const ownHeader = "X-Revops-Soak"

// apiError is a non-2xx answer the soak's own client gave up on.
type apiError struct {
	Method, URL string
	Status      int
	Body        string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %.300s", e.Method, e.URL, e.Status, e.Body)
}

// client is the soak's own HTTP client of one emulator. Faults are on
// while the world changes, so it retries what the emulators inject (429,
// 5xx, dropped connections, expired tokens) the way a careful client
// would; every write it sends is idempotent (upserts on a key of its own,
// updates, deletes), so a retry never doubles a record.
type client struct {
	hc    *http.Client
	login func(ctx context.Context) (string, error) // returns a fresh access token
	auth  func(h http.Header, token string)
	extra http.Header

	mu    sync.Mutex
	token string
}

func newClient(login func(context.Context) (string, error), auth func(http.Header, string)) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}
	return &client{hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}, login: login, auth: auth}
}

func (c *client) currentToken(ctx context.Context, renew bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == "" || renew {
		t, err := c.login(ctx)
		if err != nil {
			return "", err
		}
		c.token = t
	}
	return c.token, nil
}

// do sends one request (body: nil, []byte, or a value encoded as JSON)
// and returns the status and body of its final answer. 2xx answers and
// 4xx answers other than 401/429 are final; the rest are retried.
func (c *client) do(ctx context.Context, method, u string, body any) (int, []byte, error) {
	var data []byte
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		data, ctype = b, "text/csv"
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			return 0, nil, err
		}
		ctype = "application/json"
	}
	renew := false
	var last error
	for attempt := 0; attempt < 40; attempt++ {
		if attempt > 0 {
			wait := time.Duration(min(attempt, 10)) * 50 * time.Millisecond
			select {
			case <-ctx.Done():
				return 0, nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		tok, err := c.currentToken(ctx, renew)
		if err != nil {
			last = err
			continue
		}
		renew = false
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(data))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set(ownHeader, "1")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for k, v := range c.extra {
			req.Header[k] = v
		}
		c.auth(req.Header, tok)
		resp, err := c.hc.Do(req)
		if err != nil {
			last = err
			continue
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			last = err // a dropped connection
			continue
		}
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			renew, last = true, &apiError{method, u, resp.StatusCode, string(out)}
			continue
		case resp.StatusCode == http.StatusTooManyRequests:
			last = &apiError{method, u, resp.StatusCode, string(out)}
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				select {
				case <-ctx.Done():
					return 0, nil, ctx.Err()
				case <-time.After(time.Duration(min(s, 5)) * time.Second):
				}
			}
			continue
		case resp.StatusCode >= 500:
			last = &apiError{method, u, resp.StatusCode, string(out)}
			continue
		}
		return resp.StatusCode, out, nil
	}
	return 0, nil, fmt.Errorf("soak client: %s %s: giving up: %w", method, u, last)
}

// doJSON is do for a 2xx JSON answer decoded into out (nil: ignored).
func (c *client) doJSON(ctx context.Context, method, u string, body, out any) error {
	status, data, err := c.do(ctx, method, u, body)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return &apiError{method, u, status, string(data)}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode %.200q: %w", method, u, data, err)
	}
	return nil
}

// tokenGrant posts a refresh_token grant to an OAuth token URL.
func tokenGrant(ctx context.Context, hc *http.Client, tokenURL, clientID, secret, refresh string) (string, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret},
		"refresh_token": {refresh}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(ownHeader, "1")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(data, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token grant at %s: %d %.200s", tokenURL, resp.StatusCode, data)
	}
	return tok.AccessToken, nil
}

// sfClient talks to the Salesforce emulator.
type sfClient struct {
	*client
	base string // instance URL + /services/data/vXX.X
}

func newSFClient(instance, version, clientID, secret, refresh string) *sfClient {
	sc := &sfClient{base: instance + "/services/data/v" + version}
	sc.client = newClient(func(ctx context.Context) (string, error) {
		return tokenGrant(ctx, sc.hc, instance+"/services/oauth2/token", clientID, secret, refresh)
	}, func(h http.Header, tok string) { h.Set("Authorization", "Bearer "+tok) })
	return sc
}

// query runs a SOQL query (queryAll when all) and returns every record.
func (c *sfClient) query(ctx context.Context, soql string, all bool) ([]map[string]any, error) {
	res := "query"
	if all {
		res = "queryAll"
	}
	u := c.base + "/" + res + "?q=" + url.QueryEscape(soql)
	var out []map[string]any
	for {
		var page struct {
			Done           bool             `json:"done"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
			Records        []map[string]any `json:"records"`
		}
		if err := c.doJSON(ctx, http.MethodGet, u, nil, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			delete(r, "attributes")
			out = append(out, r)
		}
		if page.Done || page.NextRecordsURL == "" {
			return out, nil
		}
		base, _ := url.Parse(c.base)
		u = base.Scheme + "://" + base.Host + page.NextRecordsURL
	}
}

// sfResult is one record's outcome of a Collections call.
type sfResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Errors  []struct {
		StatusCode string `json:"statusCode"`
		Message    string `json:"message"`
	} `json:"errors"`
}

func (r sfResult) err() error {
	if r.Success {
		return nil
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s: %s", r.Errors[0].StatusCode, r.Errors[0].Message)
	}
	return errors.New("failed without an error")
}

// upsert writes records of object keyed by the external id field (at most
// 200) and returns their ids in input order.
func (c *sfClient) upsert(ctx context.Context, object, field string, records []map[string]any) ([]string, error) {
	recs := make([]map[string]any, len(records))
	for i, r := range records {
		m := map[string]any{"attributes": map[string]string{"type": object}}
		for k, v := range r {
			m[k] = v
		}
		recs[i] = m
	}
	var res []sfResult
	err := c.doJSON(ctx, http.MethodPatch, c.base+"/composite/sobjects/"+object+"/"+field,
		map[string]any{"allOrNone": false, "records": recs}, &res)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res))
	for i, r := range res {
		if err := r.err(); err != nil {
			return nil, fmt.Errorf("upsert %s record %d: %w", object, i, err)
		}
		ids[i] = r.ID
	}
	return ids, nil
}

// update changes records of object by Id (each map holds "Id").
func (c *sfClient) update(ctx context.Context, object string, records []map[string]any) error {
	if len(records) == 0 {
		return nil
	}
	recs := make([]map[string]any, len(records))
	for i, r := range records {
		m := map[string]any{"attributes": map[string]string{"type": object}}
		for k, v := range r {
			m[k] = v
		}
		recs[i] = m
	}
	var res []sfResult
	if err := c.doJSON(ctx, http.MethodPatch, c.base+"/composite/sobjects", map[string]any{"allOrNone": false, "records": recs}, &res); err != nil {
		return err
	}
	for i, r := range res {
		if err := r.err(); err != nil {
			return fmt.Errorf("update %s %v: %w", object, records[i]["Id"], err)
		}
	}
	return nil
}

// delete deletes records by id; a record already deleted (a retried
// request whose first answer was lost) counts as deleted.
func (c *sfClient) delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var res []sfResult
	u := c.base + "/composite/sobjects?allOrNone=false&ids=" + url.QueryEscape(strings.Join(ids, ","))
	if err := c.doJSON(ctx, http.MethodDelete, u, nil, &res); err != nil {
		return err
	}
	for i, r := range res {
		if r.Success || (len(r.Errors) > 0 && r.Errors[0].StatusCode == "ENTITY_IS_DELETED") {
			continue
		}
		return fmt.Errorf("delete %s: %w", ids[i], r.err())
	}
	return nil
}

// zohoClient talks to the Zoho emulator: CRM and Desk.
type zohoClient struct {
	*client
	base  string // API domain
	desk  string // Desk URL
	orgID string
}

func newZohoClient(accounts, apiDomain, desk, orgID, clientID, secret, refresh string) *zohoClient {
	zc := &zohoClient{base: apiDomain, desk: desk, orgID: orgID}
	zc.client = newClient(func(ctx context.Context) (string, error) {
		return tokenGrant(ctx, zc.hc, accounts+"/oauth/v2/token", clientID, secret, refresh)
	}, func(h http.Header, tok string) { h.Set("Authorization", "Zoho-oauthtoken "+tok) })
	return zc
}

// records lists every record of a CRM module with the given fields,
// following page numbers and then page tokens (past 2,000 records).
func (c *zohoClient) records(ctx context.Context, module string, fields []string, extra url.Values) ([]map[string]any, error) {
	var out []map[string]any
	page, token := 1, ""
	for {
		q := url.Values{"fields": {strings.Join(fields, ",")}, "per_page": {"200"}}
		for k, v := range extra {
			q[k] = v
		}
		if token != "" {
			q.Set("page_token", token)
		} else {
			q.Set("page", strconv.Itoa(page))
		}
		status, data, err := c.do(ctx, http.MethodGet, c.base+"/crm/v8/"+module+"?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return out, nil
		}
		if status != http.StatusOK {
			return nil, &apiError{"GET", module, status, string(data)}
		}
		var p struct {
			Data []map[string]any `json:"data"`
			Info struct {
				More  bool   `json:"more_records"`
				Token string `json:"next_page_token"`
			} `json:"info"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("list %s: %w", module, err)
		}
		out = append(out, p.Data...)
		if !p.Info.More {
			return out, nil
		}
		if p.Info.Token != "" || page*200 >= 2000 {
			if p.Info.Token == "" {
				return nil, fmt.Errorf("list %s: more records past %d but no next_page_token", module, len(out))
			}
			token = p.Info.Token
		} else {
			page++
		}
	}
}

// deleted lists the ids the deleted-records API reports for module.
func (c *zohoClient) deleted(ctx context.Context, module string) (map[string]bool, error) {
	out := map[string]bool{}
	for page := 1; ; page++ {
		status, data, err := c.do(ctx, http.MethodGet, fmt.Sprintf("%s/crm/v8/%s/deleted?type=all&per_page=200&page=%d", c.base, module, page), nil)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return out, nil
		}
		if status != http.StatusOK {
			return nil, &apiError{"GET", module + "/deleted", status, string(data)}
		}
		var p struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			Info struct {
				More bool `json:"more_records"`
			} `json:"info"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, err
		}
		for _, d := range p.Data {
			out[d.ID] = true
		}
		if !p.Info.More {
			return out, nil
		}
	}
}

// related lists every row of a record's related list (e.g. a deal's
// Stage_History) with the given fields.
func (c *zohoClient) related(ctx context.Context, module, id, list string, fields []string) ([]map[string]any, error) {
	var out []map[string]any
	for page := 1; ; page++ {
		u := fmt.Sprintf("%s/crm/v8/%s/%s/%s?fields=%s&per_page=200&page=%d", c.base, module, id, list, url.QueryEscape(strings.Join(fields, ",")), page)
		status, data, err := c.do(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return out, nil
		}
		if status != http.StatusOK {
			return nil, &apiError{"GET", u, status, string(data)}
		}
		var p struct {
			Data []map[string]any `json:"data"`
			Info struct {
				More bool `json:"more_records"`
			} `json:"info"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Data...)
		if !p.Info.More {
			return out, nil
		}
	}
}

// zohoResult is one record's outcome of a CRM write.
type zohoResult struct {
	Code    string         `json:"code"`
	Status  string         `json:"status"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func (c *zohoClient) write(ctx context.Context, method, path string, body any) ([]zohoResult, error) {
	status, data, err := c.do(ctx, method, c.base+"/crm/v8/"+path, body)
	if err != nil {
		return nil, err
	}
	var p struct {
		Data []zohoResult `json:"data"`
	}
	if err := json.Unmarshal(data, &p); err != nil || len(p.Data) == 0 {
		return nil, &apiError{method, path, status, string(data)}
	}
	return p.Data, nil
}

// upsert writes records of module matched on the duplicate-check field
// and returns their ids in input order.
func (c *zohoClient) upsert(ctx context.Context, module, field string, records []map[string]any) ([]string, error) {
	res, err := c.write(ctx, http.MethodPost, module+"/upsert", map[string]any{"data": records, "duplicate_check_fields": []string{field}})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res))
	for i, r := range res {
		if r.Status != "success" {
			return nil, fmt.Errorf("upsert %s record %d: %s %s %v", module, i, r.Code, r.Message, r.Details)
		}
		ids[i], _ = r.Details["id"].(string)
	}
	return ids, nil
}

// update changes records of module by id (each map holds "id").
func (c *zohoClient) update(ctx context.Context, module string, records []map[string]any) error {
	if len(records) == 0 {
		return nil
	}
	res, err := c.write(ctx, http.MethodPut, module, map[string]any{"data": records})
	if err != nil {
		return err
	}
	for i, r := range res {
		if r.Status != "success" {
			return fmt.Errorf("update %s %v: %s %s", module, records[i]["id"], r.Code, r.Message)
		}
	}
	return nil
}

// delete deletes records of module by id; an id already gone (a retried
// request whose first answer was lost) counts as deleted.
func (c *zohoClient) delete(ctx context.Context, module string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	res, err := c.write(ctx, http.MethodDelete, module+"?ids="+url.QueryEscape(strings.Join(ids, ",")), nil)
	if err != nil {
		return err
	}
	for i, r := range res {
		if r.Status != "success" && !zohoGone(r.Code, r.Message) {
			return fmt.Errorf("delete %s %s: %s %s", module, ids[i], r.Code, r.Message)
		}
	}
	return nil
}

// deskList lists every item of a Desk collection (tickets, contacts,
// accounts), 100 per page.
func (c *zohoClient) deskList(ctx context.Context, kind string) ([]map[string]any, error) {
	var out []map[string]any
	for from := 1; ; from += 100 {
		status, data, err := c.do(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/%s?from=%d&limit=100", c.desk, kind, from), nil)
		if err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return out, nil
		}
		if status != http.StatusOK {
			return nil, &apiError{"GET", kind, status, string(data)}
		}
		var p struct {
			Data []map[string]any `json:"data"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Data...)
		if len(p.Data) < 100 {
			return out, nil
		}
	}
}

// zohoGone reports a Zoho delete result that means the record was
// already deleted: Zoho answers INVALID_DATA "record not deleted".
func zohoGone(code, message string) bool {
	return goneCode(code) || (code == "INVALID_DATA" && strings.Contains(message, "not deleted"))
}

// goneCode is a per-record error that means the record is already
// deleted: revops's sync counts such a delete as done, and so does the soak.
func goneCode(code string) bool {
	switch strings.ToUpper(code) {
	case "ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY", "INVALID_DATA_NOT_FOUND", "RECORD_NOT_FOUND":
		return true
	}
	return false
}
