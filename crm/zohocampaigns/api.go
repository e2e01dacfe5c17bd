package zohocampaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The recipient actions of getcampaignrecipientsdata (sheet §16).
const (
	ActionSent       = "sentcontacts"
	ActionOpened     = "openedcontacts"
	ActionUnopened   = "unopenedcontacts"
	ActionClicked    = "clickedcontacts"
	ActionOptOut     = "optoutcontacts" // unsubscribed
	ActionSpam       = "spamcontacts"
	ActionHardBounce = "senthardbounce"
	ActionSoftBounce = "sentsoftbounce"
	ActionUnsent     = "unsentcontacts"
)

// Actions lists every action the API takes.
var Actions = []string{ActionSent, ActionOpened, ActionUnopened, ActionClicked, ActionOptOut, ActionSpam,
	ActionHardBounce, ActionSoftBounce, ActionUnsent}

// MaxRange is the largest page the client asks for: 500 works live
// (sheet §16, secondary); the API's own maximum is unconfirmed.
const MaxRange = 500

// Campaign is one row of recentcampaigns.
type Campaign struct {
	Key, Name, Status string
	// CreatedTime and SentTime are zero when the answer had none.
	CreatedTime, SentTime time.Time
	// Raw is the row as sent.
	Raw map[string]any
}

// ListOptions shape a recentcampaigns read.
type ListOptions struct {
	// Status filters (all, sent, drafts, …; default "sent").
	Status string
	// Sort is asc or desc by time (default desc, newest first).
	Sort string
	// Range is the page size (default and maximum MaxRange).
	Range int
}

func pageSize(n int) int {
	if n <= 0 || n > MaxRange {
		return MaxRange
	}
	return n
}

// eachPage pages an API by fromindex/range: read reads the page that
// starts at from (the page-th, counted from 1), fn gets every page that
// holds rows and returns false to stop. A short page ends the list, and
// so does Campaigns' "nothing to list" (IsEmpty).
func eachPage[T any](size int, read func(from, page int) ([]T, error), fn func([]T) (more bool, err error)) error {
	for from, page := 1, 1; ; from, page = from+size, page+1 {
		out, err := read(from, page)
		if IsEmpty(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(out) > 0 {
			more, err := fn(out)
			if err != nil || !more {
				return err
			}
		}
		if len(out) < size {
			return nil
		}
	}
}

// RecentCampaigns pages through recentcampaigns, calling fn with each
// page; fn returns false to stop. No campaign (6101) is an empty list.
func (c *Client) RecentCampaigns(ctx context.Context, opts ListOptions, fn func([]Campaign) (more bool, err error)) error {
	size := pageSize(opts.Range)
	status, sort := opts.Status, opts.Sort
	if status == "" {
		status = "sent"
	}
	if sort == "" {
		sort = "desc"
	}
	return eachPage(size, func(from, page int) ([]Campaign, error) {
		q := url.Values{"fromindex": {strconv.Itoa(from)}, "range": {strconv.Itoa(size)}, "status": {status}, "sort": {sort}}
		var ans struct {
			Rows []map[string]any `json:"recent_campaigns"`
		}
		err := c.call(ctx, http.MethodGet, "recentcampaigns", q, &ans)
		if err != nil {
			return nil, fmt.Errorf("zohocampaigns: recent campaigns page %d: %w", page, err)
		}
		out := make([]Campaign, 0, len(ans.Rows))
		for i, r := range ans.Rows {
			cp := Campaign{Key: str(r["campaign_key"]), Name: str(r["campaign_name"]), Status: str(r["campaign_status"]), Raw: r}
			if cp.Key == "" {
				return nil, fmt.Errorf("zohocampaigns: recent campaigns page %d row %d: no campaign_key", page, i+1)
			}
			if cp.CreatedTime, err = ParseTime(str(r["created_time"]), time.UTC); err != nil {
				return nil, fmt.Errorf("zohocampaigns: campaign %s: created_time: %w", cp.Key, err)
			}
			if cp.SentTime, err = ParseTime(str(r["sent_time"]), time.UTC); err != nil {
				return nil, fmt.Errorf("zohocampaigns: campaign %s: sent_time: %w", cp.Key, err)
			}
			out = append(out, cp)
		}
		return out, nil
	}, fn)
}

// Report is a campaign's report (campaignreports).
type Report struct {
	Key, Name, Subject, From, ReplyTo string
	// SentTime is campaign-details' sent_time, a display string in the
	// account's time zone (zero when absent).
	SentTime time.Time
	// Metrics are the counts of campaign-reports (delivered_count,
	// opens_count, unique_clicks_count, bounces_count, hardbounce_count,
	// softbounce_count, unsub_count, spams_count, complaints_count,
	// unsent_count, unopened), those present in the answer; the JSON key
	// names are unconfirmed (sheet §16).
	Metrics map[string]int64
}

// MetricKeys are the report counts revops reads.
var MetricKeys = []string{"delivered_count", "opens_count", "unique_clicks_count", "bounces_count", "hardbounce_count",
	"softbounce_count", "unsub_count", "spams_count", "complaints_count", "unsent_count", "unopened"}

// CampaignReport reads one campaign's report, retrying a 6001 (report not
// ready) up to Config.ReportRetries times with growing waits. A bad key
// or an unsent campaign is an *APIError with code 6002 naming the key.
// loc is the account's time zone for the display times (UTC when nil).
func (c *Client) CampaignReport(ctx context.Context, key string, loc *time.Location) (*Report, error) {
	if loc == nil {
		loc = time.UTC
	}
	var ans struct {
		Details map[string]any   `json:"campaign-details"`
		Reports []map[string]any `json:"campaign-reports"`
	}
	wait := 2 * time.Second
	for attempt := 0; ; attempt++ {
		err := c.call(ctx, http.MethodGet, "campaignreports", url.Values{"campaignkey": {key}}, &ans)
		if err == nil {
			break
		}
		if ae, ok := err.(*APIError); ok {
			ae.CampaignKey = key
		}
		if IsCode(err, CodeReportError) && attempt < c.cfg.ReportRetries {
			c.log.Info("zohocampaigns: report not ready, retrying", "campaign", key, "wait", wait)
			if err := c.sleep(ctx, wait); err != nil {
				return nil, err
			}
			wait *= 2
			continue
		}
		return nil, fmt.Errorf("zohocampaigns: report of campaign %s: %w", key, err)
	}
	r := &Report{Key: key, Metrics: map[string]int64{}}
	d := ans.Details
	r.Name, r.Subject, r.From, r.ReplyTo = str(d["campaign_name"]), str(d["email_subject"]), str(d["email_from"]), str(d["reply_to"])
	if k := str(d["campaign_key"]); k != "" {
		r.Key = k
	}
	var err error
	if r.SentTime, err = ParseTime(str(d["sent_time"]), loc); err != nil {
		return nil, fmt.Errorf("zohocampaigns: report of campaign %s: sent_time: %w", key, err)
	}
	for _, m := range ans.Reports {
		for k, v := range m {
			if strings.HasSuffix(k, "_percent") || k == "clicksperopenrate" {
				continue
			}
			if n, ok := count(v); ok {
				r.Metrics[k] = n
			}
		}
	}
	return r, nil
}

// Recipient is one row of getcampaignrecipientsdata.
type Recipient struct {
	Email, FirstName, LastName, Company string
	// SentAt is the row's sent_time; At is the time of the action itself
	// (SentAt for sentcontacts), zero when the answer does not give it.
	SentAt, At time.Time
	Raw        map[string]any
}

// actionTimeKeys are where a row may carry its action's time. Campaigns'
// keys are unconfirmed (sheet §16); the emulator sends the first.
var actionTimeKeys = map[string][]string{
	ActionOpened: {"opened_time", "open_time"}, ActionClicked: {"clicked_time", "click_time"},
	ActionOptOut: {"optout_time", "unsub_time"}, ActionHardBounce: {"bounced_time", "bounce_time"},
	ActionSoftBounce: {"bounced_time", "bounce_time"}, ActionSent: {"sent_time"},
}

// Recipients pages through a campaign's recipients for one action (form
// POST, fromindex/range) and stops on a short page; no contacts (6303) is
// an empty list. size is the page (default and maximum MaxRange).
func (c *Client) Recipients(ctx context.Context, key, action string, size int, fn func([]Recipient) (more bool, err error)) error {
	known := false
	for _, a := range Actions {
		known = known || a == action
	}
	if !known {
		return fmt.Errorf("zohocampaigns: recipients: action %q is not one of %s", action, strings.Join(Actions, ", "))
	}
	size = pageSize(size)
	return eachPage(size, func(from, page int) ([]Recipient, error) {
		q := url.Values{"campaignkey": {key}, "action": {action}, "fromindex": {strconv.Itoa(from)}, "range": {strconv.Itoa(size)}}
		var ans struct {
			Rows []map[string]any `json:"list_of_details"`
		}
		err := c.call(ctx, http.MethodPost, "getcampaignrecipientsdata", q, &ans)
		if err != nil {
			if ae, ok := err.(*APIError); ok {
				ae.CampaignKey = key
			}
			return nil, fmt.Errorf("zohocampaigns: campaign %s %s page %d: %w", key, action, page, err)
		}
		out := make([]Recipient, 0, len(ans.Rows))
		for i, r := range ans.Rows {
			rc := Recipient{Email: str(r["contactemailaddress"]), FirstName: str(r["firstname"]), LastName: str(r["lastname"]),
				Company: str(r["companyname"]), Raw: r}
			if rc.Email == "" {
				return nil, fmt.Errorf("zohocampaigns: campaign %s %s page %d row %d: no contactemailaddress", key, action, page, i+1)
			}
			if rc.SentAt, err = ParseTime(str(r["sent_time"]), time.UTC); err != nil {
				return nil, fmt.Errorf("zohocampaigns: campaign %s %s row %s: sent_time: %w", key, action, rc.Email, err)
			}
			for _, k := range actionTimeKeys[action] {
				if v := str(r[k]); v != "" {
					if rc.At, err = ParseTime(v, time.UTC); err != nil {
						return nil, fmt.Errorf("zohocampaigns: campaign %s %s row %s: %s: %w", key, action, rc.Email, k, err)
					}
					break
				}
			}
			out = append(out, rc)
		}
		return out, nil
	}, fn)
}

// str renders a JSON scalar as text ("" for null and for objects).
func str(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// count reads a count sent as a string or a number.
func count(v any) (int64, bool) {
	s := strings.ReplaceAll(str(v), ",", "")
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f), true
	}
	return 0, false
}
