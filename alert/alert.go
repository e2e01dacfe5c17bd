// Package alert tells people about revops runs that need a look: it
// posts a JSON message to a webhook (Slack's incoming webhooks read it
// as is) when a run fails, when more rows failed than a threshold, or
// when a run took much longer than usual.
//
// The webhook URL is a secret (it is the credential): it never appears
// in an error, a log line or run history.
package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Event is a reason to alert.
type Event string

// The events a webhook can be told of.
const (
	// Failure: the run failed (a stage failed, or syncs or links were
	// not run because of a failure).
	Failure Event = "failure"
	// FailedRows: more rows failed to be written (syncs) or compared and
	// written (links) than FailedRowsThreshold.
	FailedRows Event = "failed_rows"
	// SlowRun: the run took more than SlowFactor times the median of the
	// recent successful runs.
	SlowRun Event = "slow_run"
)

var events = []Event{Failure, FailedRows, SlowRun}

// Config is the `alerts:` section of revops.yaml.
type Config struct {
	Webhook *Webhook `yaml:"webhook"`
}

// Webhook is `alerts.webhook`.
type Webhook struct {
	// URL receives a POST with a JSON body. Secret: use ${ENV} or url_file.
	URL string `yaml:"url"`
	// On lists the events to alert on (default: all of them).
	On []Event `yaml:"on"`
	// FailedRowsThreshold: failed_rows fires when more rows than this
	// failed in a run (default 0: any failed row).
	FailedRowsThreshold int64 `yaml:"failed_rows_threshold"`
	// SlowFactor: slow_run fires when a run takes longer than this many
	// times the median duration of the recent successful runs (default 2).
	SlowFactor float64 `yaml:"slow_factor"`
	// SlowBaseline is how many recent successful runs the median is taken
	// over (default 10); slow_run needs at least MinBaseline of them.
	SlowBaseline int `yaml:"slow_baseline"`
	// Timeout bounds one POST (default 10s).
	Timeout time.Duration `yaml:"timeout"`
}

// MinBaseline is how many successful runs slow_run needs before it
// compares durations.
const MinBaseline = 3

// SetDefaults fills what was left out.
func (w *Webhook) SetDefaults() {
	if len(w.On) == 0 {
		w.On = slices.Clone(events)
	}
	if w.SlowFactor == 0 {
		w.SlowFactor = 2
	}
	if w.SlowBaseline == 0 {
		w.SlowBaseline = 10
	}
	if w.Timeout == 0 {
		w.Timeout = 10 * time.Second
	}
}

// Validate reports the first problem as "key: reason" (for the config's
// file:line:column). It never quotes the URL.
func (c *Config) Validate() error {
	if c.Webhook == nil {
		return errors.New("webhook: required (alerts: {webhook: {url: ${SLACK_WEBHOOK}}})")
	}
	w := c.Webhook
	w.SetDefaults()
	if w.URL == "" {
		return errors.New("webhook.url: required (put the URL in the environment: url: ${SLACK_WEBHOOK})")
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("webhook.url: not an http(s) URL (the value is a secret and is not shown)")
	}
	for i, e := range w.On {
		if !slices.Contains(events, e) {
			return fmt.Errorf("webhook.on[%d]: %q is not an event (want failure, failed_rows or slow_run)", i, e)
		}
	}
	switch {
	case w.FailedRowsThreshold < 0:
		return errors.New("webhook.failed_rows_threshold: must not be negative")
	case w.SlowFactor <= 1:
		return fmt.Errorf("webhook.slow_factor: %g: must be more than 1 (a run slower than that many times the median)", w.SlowFactor)
	case w.SlowBaseline < MinBaseline:
		return fmt.Errorf("webhook.slow_baseline: %d: must be at least %d runs", w.SlowBaseline, MinBaseline)
	case w.Timeout < 0:
		return errors.New("webhook.timeout: must not be negative")
	}
	return nil
}

// Stage is one stage of a run, as an alert shows it.
type Stage struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Rows   int64  `json:"rows"`
	Failed int64  `json:"failed_rows"`
	// Note says what went wrong, or what the stage did.
	Note string `json:"note,omitempty"`
}

// Run is what an alert says about a run.
type Run struct {
	ID        string        `json:"run_id"`
	Status    string        `json:"status"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"-"`
	Error     string        `json:"error,omitempty"`
	// FailedRows is the rows that failed in the run's syncs and links.
	FailedRows int64   `json:"failed_rows"`
	Stages     []Stage `json:"stages"`
	// Baseline is the durations of recent successful runs, newest
	// first (for slow_run).
	Baseline []time.Duration `json:"-"`
}

// Median is the median of the durations (0 for none).
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Events returns the events r fires, in the order failure, failed_rows,
// slow_run, among those the webhook is on.
func (w *Webhook) Events(r Run) []Event {
	var out []Event
	on := func(e Event) bool { return slices.Contains(w.On, e) }
	if on(Failure) && r.Status == "failed" {
		out = append(out, Failure)
	}
	if on(FailedRows) && r.FailedRows > w.FailedRowsThreshold {
		out = append(out, FailedRows)
	}
	if on(SlowRun) {
		if base := w.baseline(r); len(base) >= MinBaseline && float64(r.Duration) > w.SlowFactor*float64(Median(base)) {
			out = append(out, SlowRun)
		}
	}
	return out
}

func (w *Webhook) baseline(r Run) []time.Duration {
	n := w.SlowBaseline
	if n <= 0 {
		n = 10
	}
	return r.Baseline[:min(len(r.Baseline), n)]
}

// Message is the JSON body posted: Slack reads text and attachments;
// other receivers can read the revops object.
type Message struct {
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
	Revops      Details      `json:"revops"`
}

// Attachment is a Slack message attachment.
type Attachment struct {
	Color    string  `json:"color"`
	Fallback string  `json:"fallback"`
	Fields   []Field `json:"fields"`
}

// Field is a title and value shown in an attachment.
type Field struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// Details is the machine-readable part of a Message.
type Details struct {
	Events []Event `json:"events"`
	Run
	DurationSeconds float64 `json:"duration_seconds"`
	// MedianSeconds is the median of the recent successful runs (0 when
	// there were too few to compare).
	MedianSeconds float64 `json:"median_seconds"`
	Threshold     int64   `json:"failed_rows_threshold"`
}

// Message builds the body for r and its events.
func (w *Webhook) Message(r Run, evs []Event) Message {
	base := w.baseline(r)
	median := time.Duration(0)
	if len(base) >= MinBaseline {
		median = Median(base)
	}
	var why []string
	for _, e := range evs {
		switch e {
		case Failure:
			why = append(why, "failed")
		case FailedRows:
			why = append(why, fmt.Sprintf("%d rows failed (threshold %d)", r.FailedRows, w.FailedRowsThreshold))
		case SlowRun:
			why = append(why, fmt.Sprintf("took %s, %.1f× the median %s of the last %d successful runs",
				round(r.Duration), float64(r.Duration)/float64(median), round(median), len(base)))
		}
	}
	text := fmt.Sprintf("revops run %s %s", r.ID, strings.Join(why, "; "))
	if r.Error != "" {
		text += ": " + oneLine(r.Error)
	}
	color := "warning"
	if slices.Contains(evs, Failure) {
		color = "danger"
	}
	fields := []Field{
		{Title: "Run", Value: r.ID, Short: true},
		{Title: "Status", Value: r.Status, Short: true},
		{Title: "Duration", Value: round(r.Duration).String(), Short: true},
		{Title: "Failed rows", Value: fmt.Sprint(r.FailedRows), Short: true},
	}
	for _, s := range r.Stages {
		v := fmt.Sprintf("%s · %d rows", s.Status, s.Rows)
		if s.Failed > 0 {
			v += fmt.Sprintf(" · %d failed", s.Failed)
		}
		if s.Note != "" {
			v += " · " + oneLine(s.Note)
		}
		fields = append(fields, Field{Title: s.Name, Value: v, Short: false})
	}
	return Message{
		Text:        text,
		Attachments: []Attachment{{Color: color, Fallback: text, Fields: fields}},
		Revops: Details{Events: evs, Run: r, DurationSeconds: r.Duration.Seconds(),
			MedianSeconds: median.Seconds(), Threshold: w.FailedRowsThreshold},
	}
}

// Send posts m to the webhook. Its error never holds the URL.
func (w *Webhook) Send(ctx context.Context, client *http.Client, m Message) error {
	if client == nil {
		client = http.DefaultClient
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	if w.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("alert webhook: cannot build the request (is the URL right?)")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error quotes the URL: keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("alert webhook: POST failed: %s", scrub(err.Error(), w.URL))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("alert webhook: answered %s: %s", resp.Status, scrub(strings.TrimSpace(string(snippet)), w.URL))
	}
	return nil
}

// scrub removes the URL and its host from s, should a lower layer have
// quoted them.
func scrub(s, rawURL string) string {
	if rawURL == "" {
		return s
	}
	s = strings.ReplaceAll(s, rawURL, "<webhook>")
	if u, err := url.Parse(rawURL); err == nil && u.Path != "" && u.Path != "/" {
		s = strings.ReplaceAll(s, u.Path, "/<path>")
	}
	return s
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// oneLine joins an error's lines and keeps its first 300 characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
