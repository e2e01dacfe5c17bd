package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startSandbox runs `revops sandbox args...` in-process until the test
// cancels it, and returns its JSON line and a stop function that waits
// for it to exit.
func startSandbox(t *testing.T, args ...string) (sandboxInfo, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errOut strings.Builder
	go func() {
		done <- run(ctx, append([]string{"sandbox"}, args...), pw, &errOut, func(string) (string, bool) { return "", false })
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("sandbox printed nothing: %v (stderr %q)", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	var info sandboxInfo
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		cancel()
		t.Fatalf("sandbox line %q: %v", line, err)
	}
	stopped := false
	stop := func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("sandbox did not stop")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return info, stop
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestSandboxServesWritesConfigAndKeepsState(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	state := filepath.Join(dir, "state")
	truth := filepath.Join(dir, "truth.csv")
	info, stop := startSandbox(t, "--records", "300", "--write-config", cfg, "--state", state, "--truth", truth)

	if info.Salesforce.InstanceURL == "" || info.Zoho.APIDomain == "" || info.Salesforce.InstanceURL == info.Zoho.APIDomain {
		t.Fatalf("info = %+v", info)
	}
	// The written config validates as it is.
	if code, out, errOut := revops(t, nil, "validate", "-c", cfg); code != 0 || !strings.Contains(out, "6 sources") {
		t.Fatalf("validate written config: %d %q %q", code, out, errOut)
	}
	data, err := os.ReadFile(truth)
	if err != nil || !strings.HasPrefix(string(data), "system,object,record_id,true_entity_id\n") {
		t.Fatalf("truth: %v %.80q", err, data)
	}
	for _, sys := range []string{"salesforce,", "zoho_crm,", "zoho_desk,"} {
		if !strings.Contains(string(data), "\n"+sys) {
			t.Errorf("truth has no %s rows", sys)
		}
	}

	// A real OAuth call against the emulator shows up in its counters.
	resp, err := http.PostForm(info.Salesforce.LoginURL+"/services/oauth2/token", map[string][]string{
		"grant_type": {"refresh_token"}, "client_id": {info.Salesforce.ClientID},
		"client_secret": {info.Salesforce.ClientSecret}, "refresh_token": {info.Salesforce.RefreshToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatal("no access token from the sandbox")
	}
	var stats struct {
		Requests []struct {
			System   string `json:"system"`
			Endpoint string `json:"endpoint"`
			Status   int    `json:"status"`
			Count    int    `json:"count"`
		} `json:"requests"`
	}
	getJSON(t, info.Salesforce.StatsURL, &stats)
	if len(stats.Requests) != 1 || stats.Requests[0].Endpoint != "/services/oauth2/token" || stats.Requests[0].Count != 1 {
		t.Fatalf("stats = %+v", stats)
	}

	// Change the org, stop (state saved), start again from the state: the change is there.
	req, _ := http.NewRequest("POST", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead",
		strings.NewReader(`{"LastName":"Persisted","Company":"State GmbH","Status":"Open - Not Contacted"}`))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create lead: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("sandbox exit %d", code)
	}
	info2, _ := startSandbox(t, "--records", "300", "--state", state)
	resp, err = http.PostForm(info2.Salesforce.LoginURL+"/services/oauth2/token", map[string][]string{
		"grant_type": {"refresh_token"}, "client_id": {info2.Salesforce.ClientID},
		"client_secret": {info2.Salesforce.ClientSecret}, "refresh_token": {info2.Salesforce.RefreshToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ = http.NewRequest("GET", info2.Salesforce.InstanceURL+"/services/data/v62.0/query?q="+
		"SELECT+Id+FROM+Lead+WHERE+LastName+=+'Persisted'", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var q struct {
		TotalSize int `json:"totalSize"`
	}
	json.NewDecoder(resp.Body).Decode(&q)
	resp.Body.Close()
	if q.TotalSize != 1 {
		t.Fatalf("restored sandbox has %d leads named Persisted, want 1", q.TotalSize)
	}
}

func TestSandboxFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sandbox", "--records", "5"}, "--records 5"},
		{[]string{"sandbox", "--faults", "418:every=2"}, "--faults"},
		{[]string{"sandbox", "--listen", "10.1.2.3:0"}, "loopback only"},
		{[]string{"sandbox", "--listen", "nonsense"}, "--listen"},
	}
	for _, c := range cases {
		code, _, errOut := revops(t, nil, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errOut, c.want)
		}
	}
}

func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}
