package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/load/duckdb"
)

// TestAlertConfigValidate: validate checks the alerts section at its
// file:line:column and never prints the URL.
func TestAlertConfigValidate(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOOK": "https://hooks.example.invalid/services/T1/B2/secret-token"}
	base := "version: 1\nwarehouse: {type: duckdb, path: x.duckdb}\n"
	for _, c := range []struct {
		name, body, want string
	}{
		{"ok", "alerts:\n  webhook:\n    url: ${HOOK}\n    on: [failure, failed_rows, slow_run]\n    failed_rows_threshold: 10\n    slow_factor: 2\n", ""},
		{"unknown event", "alerts:\n  webhook:\n    url: ${HOOK}\n    on: [failure, sucess]\n", `bad.yaml:6:19: alerts.webhook.on[1]: "sucess" is not an event`},
		{"unknown key", "alerts:\n  webhook:\n    url: ${HOOK}\n    treshold: 3\n", "bad.yaml:6:5: alerts.webhook.treshold: unknown key"},
		{"no url", "alerts:\n  webhook:\n    on: [failure]\n", "bad.yaml:4:3: alerts.webhook.url: required"},
		{"not a url", "alerts:\n  webhook:\n    url: secret-token\n", "bad.yaml:5:5: alerts.webhook.url: not an http(s) URL"},
		{"slow factor", "alerts:\n  webhook:\n    url: ${HOOK}\n    slow_factor: 0.5\n", "bad.yaml:6:5: alerts.webhook.slow_factor"},
		{"unset variable", "alerts:\n  webhook:\n    url: ${NO_SUCH_HOOK}\n", "NO_SUCH_HOOK"},
		{"no webhook", "alerts: {}\n", "alerts.webhook: required"},
	} {
		p := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(p, []byte(base+c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := revops(t, env, "validate", "-c", p)
		if c.want == "" {
			if code != 0 {
				t.Errorf("%s: exit %d %s", c.name, code, errOut)
			}
			continue
		}
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.name, code, errOut, c.want)
		}
		if strings.Contains(out+errOut, "secret-token") {
			t.Errorf("%s: the URL reached the output: %s%s", c.name, out, errOut)
		}
	}
}

// hook is a local webhook listener that records the bodies it gets and
// answers with status.
type hook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func newHook(t *testing.T, status int) *hook {
	h := &hook{status: status}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.mu.Unlock()
		w.WriteHeader(h.status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) got() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...)
}

// TestAlertWebhook: a failed run posts one Slack-compatible message
// (text, attachments, and the revops details) to the webhook; a run much
// slower than the median of the recent successful ones posts slow_run;
// a webhook that fails is logged (without its URL) and the run's exit
// status is unchanged.
func TestAlertWebhook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	good := newHook(t, http.StatusOK)
	data, _ := os.ReadFile(cfg)
	text := string(data) + "\nalerts:\n  webhook:\n    url: ${REVOPS_TEST_HOOK}\n    on: [failure, failed_rows, slow_run]\n    failed_rows_threshold: 10\n    slow_factor: 2\n"
	wrong := strings.ReplaceAll(text, info.Salesforce.ClientSecret, "not-the-secret")
	if err := os.WriteFile(cfg, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir(), "REVOPS_TEST_HOOK": good.srv.URL + "/services/T1/B2/secret-token"}
	code, out, errOut := revops(t, env, "run", "-c", cfg, "--json")
	if code != 1 {
		t.Fatalf("failing run: exit %d\n%s", code, errOut)
	}
	run := oneJSON(t, out)["run"].(map[string]any)
	bodies := good.got()
	if len(bodies) != 1 {
		t.Fatalf("%d alerts posted, want 1", len(bodies))
	}
	var msg struct {
		Text        string `json:"text"`
		Attachments []struct {
			Color  string `json:"color"`
			Fields []struct {
				Title string `json:"title"`
				Value string `json:"value"`
			} `json:"fields"`
		} `json:"attachments"`
		Revops map[string]any `json:"revops"`
	}
	if err := json.Unmarshal(bodies[0], &msg); err != nil {
		t.Fatalf("alert body %s: %v", bodies[0], err)
	}
	if !strings.Contains(msg.Text, run["run_id"].(string)) || !strings.Contains(msg.Text, "failed") || !strings.Contains(msg.Text, "salesforce") {
		t.Errorf("alert text %q: want the run id, failed and the cause", msg.Text)
	}
	if len(msg.Attachments) != 1 || msg.Attachments[0].Color != "danger" {
		t.Fatalf("attachments %+v", msg.Attachments)
	}
	fields := map[string]string{}
	for _, f := range msg.Attachments[0].Fields {
		fields[f.Title] = f.Value
	}
	if fields["Status"] != "failed" || !strings.Contains(fields["extract"], "failed") || fields["links"] == "" {
		t.Errorf("attachment fields %v: want the status and a field per stage", fields)
	}
	if evs, _ := msg.Revops["events"].([]any); len(evs) == 0 || evs[0] != "failure" || msg.Revops["run_id"] != run["run_id"] {
		t.Errorf("revops details %v", msg.Revops)
	}
	if al, _ := run["alerts"].([]any); len(al) != 1 || al[0].(map[string]any)["ok"] != true {
		t.Errorf("the run's summary does not record the alert: %v", run["alerts"])
	}

	// Earlier successful runs took 100ms each: the next run is slow. Its
	// webhook answers 500: logged, recorded, and the run still exits 0.
	seedRuns(t, filepath.Join(dir, "revops.duckdb"), 3, 100*time.Millisecond)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	failing := newHook(t, http.StatusInternalServerError)
	env["REVOPS_TEST_HOOK"] = failing.srv.URL + "/services/T1/B2/secret-token"
	code, out, errOut = revops(t, env, "run", "-c", cfg, "--json")
	if code != 0 {
		t.Fatalf("run whose alert fails: exit %d, want 0 (an alert never fails a run)\n%s", code, errOut)
	}
	run = oneJSON(t, out)["run"].(map[string]any)
	bodies = failing.got()
	if len(bodies) != 1 || !strings.Contains(string(bodies[0]), `"slow_run"`) || !strings.Contains(string(bodies[0]), "the median 100ms") {
		t.Fatalf("slow run alert: %d bodies: %s", len(bodies), bodies)
	}
	al, _ := run["alerts"].([]any)
	if len(al) != 1 || al[0].(map[string]any)["ok"] != false || !strings.Contains(al[0].(map[string]any)["error"].(string), "500") {
		t.Errorf("the failed alert is not recorded: %v", run["alerts"])
	}
	if !strings.Contains(errOut, "alert not delivered") {
		t.Errorf("the failed alert was not logged:\n%s", errOut)
	}
	if strings.Contains(out+errOut, "secret-token") || strings.Contains(out+errOut, strings.TrimPrefix(failing.srv.URL, "http://")) {
		t.Error("the webhook URL reached the output")
	}
	code, out, _ = revops(t, env, "query", "-c", cfg, `SELECT count(*) AS n FROM _revops.runs WHERE detail LIKE '%secret-token%' OR error LIKE '%secret-token%'`)
	if code != 0 || !strings.Contains(out, "\n0\n") {
		t.Errorf("the webhook URL reached the run history: exit %d\n%s", code, out)
	}
}

// seedRuns records n successful runs of revops run that took d each,
// before any other run, as the history of a warehouse would hold them.
func seedRuns(t *testing.T, path string, n int, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now().Add(-time.Hour)
	for i := 0; i < n; i++ {
		s := start.Add(time.Duration(i) * time.Minute)
		if err := w.Exec(ctx, `INSERT INTO _revops.runs (id, stage, target, started_at, finished_at, status, rows_read, rows_written)
			VALUES (?, 'run', 'once', ?, ?, 'succeeded', 0, 0)`, "seed-"+s.Format("150405"), s, s.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
}
