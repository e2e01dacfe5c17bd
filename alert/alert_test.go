package alert

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAlertValidate(t *testing.T) {
	secret := "https://hooks.example.invalid/services/T000/B000/very-secret-token"
	cases := []struct {
		name string
		w    *Webhook
		want string // "" = valid
	}{
		{"ok", &Webhook{URL: secret}, ""},
		{"no webhook", nil, "webhook: required"},
		{"no url", &Webhook{}, "webhook.url: required"},
		{"not a url", &Webhook{URL: "ftp://x/very-secret-token"}, "webhook.url: not an http(s) URL"},
		{"bad event", &Webhook{URL: secret, On: []Event{Failure, "sucess"}}, `webhook.on[1]: "sucess" is not an event`},
		{"negative threshold", &Webhook{URL: secret, FailedRowsThreshold: -1}, "webhook.failed_rows_threshold"},
		{"factor too small", &Webhook{URL: secret, SlowFactor: 0.5}, "webhook.slow_factor"},
		{"baseline too small", &Webhook{URL: secret, SlowBaseline: 2}, "webhook.slow_baseline"},
	}
	for _, c := range cases {
		err := (&Config{Webhook: c.w}).Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		case err != nil && strings.Contains(err.Error(), "very-secret-token"):
			t.Errorf("%s: the error quotes the URL: %v", c.name, err)
		}
	}
	w := &Webhook{URL: secret}
	w.SetDefaults()
	if len(w.On) != 3 || w.SlowFactor != 2 || w.SlowBaseline != 10 || w.Timeout != 10*time.Second {
		t.Errorf("defaults: %+v", w)
	}
}

func secs(xs ...float64) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x * float64(time.Second))
	}
	return out
}

func TestAlertEvents(t *testing.T) {
	cases := []struct {
		name string
		w    Webhook
		r    Run
		want []Event
	}{
		{"quiet run", Webhook{}, Run{Status: "succeeded", Duration: 10 * time.Second, Baseline: secs(9, 10, 11)}, nil},
		{"failed", Webhook{}, Run{Status: "failed"}, []Event{Failure}},
		{"stopped is no failure", Webhook{}, Run{Status: "stopped"}, nil},
		{"rows at the threshold", Webhook{FailedRowsThreshold: 10}, Run{Status: "succeeded", FailedRows: 10}, nil},
		{"rows above the threshold", Webhook{FailedRowsThreshold: 10}, Run{Status: "failed", FailedRows: 11}, []Event{Failure, FailedRows}},
		{"any row by default", Webhook{}, Run{Status: "succeeded", FailedRows: 1}, []Event{FailedRows}},
		{"slow", Webhook{}, Run{Status: "succeeded", Duration: 25 * time.Second, Baseline: secs(10, 12, 9, 100)}, []Event{SlowRun}},
		{"not slow enough", Webhook{}, Run{Status: "succeeded", Duration: 19 * time.Second, Baseline: secs(10, 9, 11)}, nil},
		{"too few runs to compare", Webhook{}, Run{Status: "succeeded", Duration: time.Hour, Baseline: secs(1, 1)}, nil},
		{"baseline is the newest N", Webhook{SlowBaseline: 3}, Run{Status: "succeeded", Duration: 25 * time.Second, Baseline: secs(20, 20, 20, 1, 1, 1, 1)}, nil},
		{"only the events asked for", Webhook{On: []Event{SlowRun}}, Run{Status: "failed", FailedRows: 5, Duration: time.Minute, Baseline: secs(1, 1, 1)}, []Event{SlowRun}},
	}
	for _, c := range cases {
		w := c.w
		w.URL = "http://x"
		w.SetDefaults()
		if got := w.Events(c.r); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if m := Median(secs(3, 1, 2)); m != 2*time.Second {
		t.Errorf("median of 3: %s", m)
	}
	if m := Median(secs(4, 1, 3, 2)); m != 2500*time.Millisecond {
		t.Errorf("median of 4: %s", m)
	}
}

// TestAlertSend: the body Slack reads (text, attachments with fields)
// and the revops details; a listener that fails or is gone is an error
// that never holds the URL.
func TestAlertSend(t *testing.T) {
	var got []byte
	var ctype string
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		ctype = r.Header.Get("Content-Type")
		_, _ = io.WriteString(w, "ok")
	}))
	defer ok.Close()
	w := &Webhook{URL: ok.URL + "/services/secret-path", FailedRowsThreshold: 2}
	w.SetDefaults()
	r := Run{ID: "20260301T100000Z-abcd", Status: "failed", StartedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		Duration: 30 * time.Second, Error: "sync: zoho_leads_to_sf failed\nmore", FailedRows: 3, Baseline: secs(10, 10, 10),
		Stages: []Stage{{Name: "extract", Status: "succeeded", Rows: 100}, {Name: "sync", Status: "failed", Rows: 7, Failed: 3, Note: "zoho_leads_to_sf failed"}}}
	evs := w.Events(r)
	if !slices.Equal(evs, []Event{Failure, FailedRows, SlowRun}) {
		t.Fatalf("events %v", evs)
	}
	if err := w.Send(context.Background(), nil, w.Message(r, evs)); err != nil {
		t.Fatal(err)
	}
	var body struct {
		Text        string `json:"text"`
		Attachments []struct {
			Color  string `json:"color"`
			Fields []struct{ Title, Value string }
		} `json:"attachments"`
		Revops map[string]any `json:"revops"`
	}
	if err := json.Unmarshal(got, &body); err != nil || ctype != "application/json" {
		t.Fatalf("body %s (%s): %v", got, ctype, err)
	}
	for _, want := range []string{r.ID, "failed", "3 rows failed (threshold 2)", "3.0× the median 10s", "zoho_leads_to_sf failed"} {
		if !strings.Contains(body.Text, want) {
			t.Errorf("text %q lacks %q", body.Text, want)
		}
	}
	if len(body.Attachments) != 1 || body.Attachments[0].Color != "danger" || len(body.Attachments[0].Fields) != 6 ||
		body.Attachments[0].Fields[5].Title != "sync" || !strings.Contains(body.Attachments[0].Fields[5].Value, "3 failed") {
		t.Errorf("attachments %+v", body.Attachments)
	}
	d := body.Revops
	if d["run_id"] != r.ID || d["status"] != "failed" || d["failed_rows"] != float64(3) || d["duration_seconds"] != float64(30) ||
		d["median_seconds"] != float64(10) || len(d["events"].([]any)) != 3 || len(d["stages"].([]any)) != 2 {
		t.Errorf("revops details %v", d)
	}

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no_service", http.StatusInternalServerError)
	}))
	defer failing.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	}))
	defer slow.Close()
	for _, c := range []struct {
		name, url, want string
		timeout         time.Duration
	}{
		{"500", failing.URL + "/hook/secret-path", "answered 500", 0},
		{"gone", gone.URL + "/hook/secret-path", "POST failed", 0},
		{"timeout", slow.URL + "/hook/secret-path", "POST failed", 200 * time.Millisecond},
	} {
		w := &Webhook{URL: c.url, Timeout: c.timeout}
		err := w.Send(context.Background(), nil, w.Message(r, evs))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "secret-path") || strings.Contains(err.Error(), strings.TrimPrefix(c.url, "http://")) {
			t.Errorf("%s: the error holds the URL: %v", c.name, err)
		}
	}
}
