package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// extractResult is one object of `revops extract --json`.
type extractResult struct {
	Source, Object, Error   string
	Rows, Inserted, Updated int64
	APICalls                int64 `json:"api_calls"`
	Retries                 int64
}

func runExtract(t *testing.T, cfg string, args ...string) (int, []extractResult, string) {
	t.Helper()
	code, out, errOut := revops(t, nil, append([]string{"extract", "-c", cfg, "--json"}, args...)...)
	var res struct {
		OK      bool            `json:"ok"`
		Objects []extractResult `json:"objects"`
	}
	if out != "" {
		if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &res); err != nil {
			t.Fatalf("extract --json printed %q: %v", out, err)
		}
	}
	return code, res.Objects, errOut + out
}

func byObject(rs []extractResult) map[string]extractResult {
	m := map[string]extractResult{}
	for _, r := range rs {
		m[r.Source+"."+r.Object] = r
	}
	return m
}

// truthCounts counts the sandbox's seeded records per system.object.
func truthCounts(t *testing.T, path string) map[string]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows[1:] {
		out[r[0]+"."+r[1]]++
	}
	return out
}

func queryRows(t *testing.T, cfg, sql string) []map[string]any {
	t.Helper()
	code, out, errOut := revops(t, nil, "query", "-c", cfg, "--json", sql)
	if code != 0 {
		t.Fatalf("query %q: %s", sql, errOut)
	}
	var res struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

// api is a tiny client for changing the sandbox orgs between extracts.
type api struct {
	t     *testing.T
	auth  string
	token string
}

func login(t *testing.T, tokenURL, scheme string, form url.Values) *api {
	t.Helper()
	resp, err := http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("login at %s: %v", tokenURL, err)
	}
	return &api{t: t, auth: scheme, token: tok.AccessToken}
}

func (a *api) do(method, url, body string) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", a.auth+" "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sfAPI(t *testing.T, info sandboxInfo) *api {
	return login(t, info.Salesforce.LoginURL+"/services/oauth2/token", "Bearer", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {info.Salesforce.ClientID},
		"client_secret": {info.Salesforce.ClientSecret}, "refresh_token": {info.Salesforce.RefreshToken}})
}

func zohoAPI(t *testing.T, info sandboxInfo) *api {
	return login(t, info.Zoho.AccountsURL+"/oauth/v2/token", "Zoho-oauthtoken", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {info.Zoho.ClientID},
		"client_secret": {info.Zoho.ClientSecret}, "refresh_token": {info.Zoho.RefreshToken}})
}

func TestExtractFullThenIncremental(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, truth := filepath.Join(dir, "revops.yaml"), filepath.Join(dir, "truth.csv")
	info, _ := startSandbox(t, "--records", "300", "--write-config", cfg, "--truth", truth)

	code, res, out := runExtract(t, cfg)
	if code != 0 {
		t.Fatalf("extract: exit %d\n%s", code, out)
	}
	got := byObject(res)
	want := truthCounts(t, truth)
	for _, obj := range []string{"salesforce.Lead", "salesforce.Contact", "salesforce.Account", "salesforce.Opportunity",
		"zoho_crm.Leads", "zoho_crm.Contacts", "zoho_crm.Accounts", "zoho_crm.Deals", "zoho_desk.tickets"} {
		sys, name, _ := strings.Cut(obj, ".")
		if got[obj].Rows != want[sys+"."+name] || got[obj].Inserted != want[sys+"."+name] {
			t.Errorf("%s: landed %d rows (%d new), the sandbox seeded %d", obj, got[obj].Rows, got[obj].Inserted, want[sys+"."+name])
		}
	}
	rows := queryRows(t, cfg, `SELECT count(*) AS n, count(DISTINCT "Id") AS ids, min(_source) AS src, count(_extracted_at) AS stamped FROM salesforce.lead`)
	if rows[0]["n"] != rows[0]["ids"] || rows[0]["src"] != "salesforce" || rows[0]["stamped"] != rows[0]["n"] {
		t.Fatalf("salesforce.lead: %v", rows[0])
	}

	// Change the orgs: one Salesforce lead updated, one contact deleted; one Zoho lead updated.
	sf := sfAPI(t, info)
	lead := queryRows(t, cfg, `SELECT "Id" FROM salesforce.lead ORDER BY "Id" LIMIT 1`)[0]["Id"].(string)
	contact := queryRows(t, cfg, `SELECT "Id" FROM salesforce.contact ORDER BY "Id" LIMIT 1`)[0]["Id"].(string)
	if code, body := sf.do("PATCH", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead/"+lead, `{"Title":"Chief Revenue Officer"}`); code != 204 {
		t.Fatalf("update lead: %d %s", code, body)
	}
	if code, body := sf.do("DELETE", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Contact/"+contact, ""); code != 204 {
		t.Fatalf("delete contact: %d %s", code, body)
	}
	zo := zohoAPI(t, info)
	zlead := queryRows(t, cfg, `SELECT id FROM zoho_crm.leads ORDER BY id LIMIT 1`)[0]["id"].(string)
	if code, body := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads", fmt.Sprintf(`{"data":[{"id":"%s","Designation":"VP Sales"}]}`, zlead)); code >= 300 {
		t.Fatalf("update zoho lead: %d %s", code, body)
	}

	code, res, out = runExtract(t, cfg)
	if code != 0 {
		t.Fatalf("incremental extract: exit %d\n%s", code, out)
	}
	got = byObject(res)
	if got["salesforce.Lead"].Updated != 1 || got["salesforce.Contact"].Updated != 1 || got["zoho_crm.Leads"].Updated != 1 {
		t.Errorf("incremental: lead %+v, contact %+v, zoho lead %+v; want exactly one change each",
			got["salesforce.Lead"], got["salesforce.Contact"], got["zoho_crm.Leads"])
	}
	for obj, r := range got {
		if r.Inserted != 0 {
			t.Errorf("%s: %d inserted by an incremental run with no new records", obj, r.Inserted)
		}
		if r.APICalls > 12 {
			t.Errorf("%s: %d API calls for an incremental run", obj, r.APICalls)
		}
	}
	if r := queryRows(t, cfg, fmt.Sprintf(`SELECT "Title" FROM salesforce.lead WHERE "Id" = '%s'`, lead)); r[0]["Title"] != "Chief Revenue Officer" {
		t.Errorf("lead after incremental: %v", r)
	}
	if r := queryRows(t, cfg, fmt.Sprintf(`SELECT _deleted_at IS NOT NULL AS gone FROM salesforce.contact WHERE "Id" = '%s'`, contact)); r[0]["gone"] != true {
		t.Errorf("deleted contact: %v", r)
	}
	if r := queryRows(t, cfg, fmt.Sprintf(`SELECT count(*) AS versions, count(_valid_to) AS closed FROM salesforce.lead__history WHERE "Id" = '%s'`, lead)); r[0]["versions"] != float64(2) || r[0]["closed"] != float64(1) {
		t.Errorf("lead history: %v, want 2 versions, the first closed", r)
	}
	if r := queryRows(t, cfg, fmt.Sprintf(`SELECT "Designation" FROM zoho_crm.leads WHERE id = '%s'`, zlead)); r[0]["Designation"] != "VP Sales" {
		t.Errorf("zoho lead after incremental: %v", r)
	}
}

func TestExtractThroughFaults(t *testing.T) {
	dir := t.TempDir()
	cfg, truth := filepath.Join(dir, "revops.yaml"), filepath.Join(dir, "truth.csv")
	startSandbox(t, "--records", "200", "--write-config", cfg, "--truth", truth,
		"--faults", "429:every=9;500:every=13;503:every=17;drop:every=19")
	code, res, out := runExtract(t, cfg)
	if code != 0 {
		t.Fatalf("extract under faults: exit %d\n%s", code, out)
	}
	want := truthCounts(t, truth)
	var retries int64
	for _, r := range res {
		retries += r.Retries
		// User: the org also has its integration user, which the truth leaves out.
		if n, ok := want[r.Source+"."+r.Object]; ok && r.Object != "User" && r.Rows != n {
			t.Errorf("%s.%s: %d rows under faults, want %d", r.Source, r.Object, r.Rows, n)
		}
	}
	if retries == 0 {
		t.Error("no retries counted although faults were injected")
	}
	for _, table := range []string{"salesforce.lead", "zoho_crm.leads", "zoho_desk.tickets"} {
		r := queryRows(t, cfg, "SELECT count(*) AS n FROM "+table)
		if r[0]["n"].(float64) <= 0 {
			t.Errorf("%s is empty", table)
		}
	}
}

func TestExtractBadObjectLandsTheRest(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "150", "--write-config", cfg)
	data, _ := os.ReadFile(cfg)
	bad := strings.Replace(string(data), "    api_version:", "    objects: [Lead, Nope__c]\n    api_version:", 1)
	if err := os.WriteFile(cfg, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, res, out := runExtract(t, cfg, "--source", "salesforce")
	if code != 1 || !strings.Contains(out, "Nope__c") {
		t.Fatalf("exit %d, output %q: want 1 naming Nope__c", code, out)
	}
	if got := byObject(res)["salesforce.Lead"]; got.Rows == 0 || got.Error != "" {
		t.Fatalf("Lead should still land: %+v", got)
	}
	if c := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.cursors WHERE object = 'Nope__c'`); c[0]["n"] != float64(0) {
		t.Fatal("a cursor was saved for the unknown object")
	}
}

func TestExtractWrongCredentials(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	data, _ := os.ReadFile(cfg)
	bad := strings.ReplaceAll(string(data), info.Zoho.ClientSecret, "wrong-secret")
	if err := os.WriteFile(cfg, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, out := runExtract(t, cfg, "--source", "zoho_crm")
	if code == 0 || !strings.Contains(out, "zoho_crm") || strings.Contains(out, "wrong-secret") {
		t.Fatalf("exit %d, output %q: want a failure naming the source, without the secret", code, out)
	}
}

func TestExtractKilledThenRerun(t *testing.T) {
	dir := t.TempDir()
	cfg, truth := filepath.Join(dir, "revops.yaml"), filepath.Join(dir, "truth.csv")
	startSandbox(t, "--records", "300", "--write-config", cfg, "--truth", truth, "--faults", "slow:delay=150ms:endpoint=/crm/v8/*")
	// The first run is cancelled while Zoho answers slowly.
	ctx, cancel := contextWithTimeout(t, 700*time.Millisecond)
	defer cancel()
	code := run(ctx, []string{"extract", "-c", cfg, "-q"}, io.Discard, io.Discard, func(string) (string, bool) { return "", false })
	if code == 0 {
		t.Log("the first run finished before it was cancelled; the re-run still must not duplicate")
	}
	code, _, out := runExtract(t, cfg)
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}
	want := truthCounts(t, truth)
	for table, key := range map[string]string{"zoho_crm.leads": "id", "zoho_crm.contacts": "id", "salesforce.lead": `"Id"`} {
		r := queryRows(t, cfg, fmt.Sprintf(`SELECT count(*) AS n, count(DISTINCT %s) AS ids FROM %s`, key, table))
		sys, obj, _ := strings.Cut(table, ".")
		n := want[sys+"."+map[string]string{"leads": "Leads", "contacts": "Contacts", "lead": "Lead"}[obj]]
		if r[0]["n"] != float64(n) || r[0]["ids"] != float64(n) {
			t.Errorf("%s after a killed run and a re-run: %v rows/ids, want %d", table, r[0], n)
		}
	}
}

// TestZohoTokensAreReusedAcrossRuns: Zoho grants ten access tokens per
// refresh token in ten minutes; runs in quick succession share one token
// through the cache instead of running out.
func TestZohoTokensAreReusedAcrossRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": filepath.Join(dir, "cache")}
	for i := 0; i < 12; i++ {
		if code, out, errOut := revops(t, env, "extract", "-c", cfg, "-q", "--source", "zoho_crm", "--object", "Leads"); code != 0 {
			t.Fatalf("run %d with the token cache: exit %d\n%s%s", i+1, code, out, errOut)
		}
	}
	// Without the cache every run (a process of its own: the clients of
	// one process share a token in memory) asks for a token, and Zoho's
	// limit stops the eleventh.
	var failed string
	for i := 0; i < 12 && failed == ""; i++ {
		cmd, out := child(t, []string{"REVOPS_CACHE_DIR=off"}, "extract", "-c", cfg, "-q", "--source", "zoho_crm", "--object", "Leads")
		if err := cmd.Wait(); err != nil {
			failed = out.String()
		}
	}
	if !strings.Contains(failed, "too many requests") {
		t.Fatalf("without the cache the runs never hit Zoho's token limit (last error %q): the test proves nothing", failed)
	}
}
