package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run revops as a child process (so that it can be
// killed with SIGKILL): with REVOPS_TEST_CHILD=1 the test binary is revops.
func TestMain(m *testing.M) {
	if os.Getenv("REVOPS_TEST_CHILD") == "1" {
		os.Exit(run(contextForChild(), os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv))
	}
	os.Exit(m.Run())
}

// child starts revops args... as a separate process.
func child(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "REVOPS_TEST_CHILD=1"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, &out
}

// oneJSON decodes out as exactly one JSON document.
func oneJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, out)
	}
	var more any
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON document:\n%s", out)
	}
	return doc
}

// TestJSONOneDocumentAndExitCodes: every invocation with --json prints
// exactly one JSON document, errors included, and exits 2 for bad usage
// or config, 1 for failures.
func TestJSONOneDocumentAndExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nwarehouse: {type: duckdb, pth: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(cfg)
	wrong := filepath.Join(dir, "wrong.yaml")
	if err := os.WriteFile(wrong, []byte(strings.ReplaceAll(string(data), info.Salesforce.ClientSecret, "not-the-secret")), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string // in error.message
	}{
		{"unknown command", []string{"extrakt", "--json"}, 2, "unknown command"},
		{"unknown flag", []string{"extract", "--json", "--bogus"}, 2, "unknown flag"},
		{"extra argument", []string{"status", "--json", "-c", cfg, "now"}, 2, "unknown command \"now\""},
		{"missing argument", []string{"query", "--json", "-c", cfg}, 2, "accepts 1 arg"},
		{"bad config", []string{"validate", "--json", "-c", bad}, 2, "warehouse.pth: unknown key"},
		{"unknown object", []string{"extract", "--json", "-c", cfg, "--object", "Leadz"}, 2, "Leadz"},
		{"bad sql", []string{"query", "--json", "-c", cfg, "SELEC 1"}, 1, "syntax error"},
		{"failing extract", []string{"extract", "--json", "-c", wrong, "--source", "salesforce"}, 1, "salesforce"},
		{"failing run", []string{"run", "--json", "-c", wrong}, 1, "salesforce"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, _ := revops(t, nil, c.args...)
			doc := oneJSON(t, out)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			e, _ := doc["error"].(map[string]any)
			if doc["ok"] != false || e == nil || !strings.Contains(e["message"].(string), c.want) {
				t.Errorf("document %v: want ok false and an error containing %q", doc, c.want)
			}
			if doc["exit_code"] != float64(c.code) {
				t.Errorf("exit_code %v in the document, want %d", doc["exit_code"], c.code)
			}
			if strings.Contains(out, "not-the-secret") {
				t.Error("the client secret reached the output")
			}
		})
	}
	// Usage errors without --json exit 2 too.
	if code, _, errOut := revops(t, nil, "status", "-c", cfg, "now"); code != 2 || !strings.Contains(errOut, "revops status") {
		t.Errorf("status with an argument: exit %d %q, want 2", code, errOut)
	}
}

// TestExtractUnknownObjectNamesTheConfiguredOnes: --object with a typo
// names it and lists the configured objects, and extracts nothing.
func TestExtractUnknownObjectNamesTheConfiguredOnes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	for _, args := range [][]string{{"--object", "Leadz"}, {"--object", "Lead", "--object", "zoho_crm.Leadz"}} {
		code, out, errOut := revops(t, nil, append([]string{"extract", "-c", cfg}, args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		unknown := strings.TrimPrefix(args[len(args)-1], "zoho_crm.")
		if !strings.Contains(errOut, unknown) || !strings.Contains(errOut, "zoho_crm.Leads") || !strings.Contains(errOut, "salesforce.Lead") {
			t.Errorf("%v: stderr %q: want the unknown object and the configured ones", args, errOut)
		}
		if strings.TrimSpace(out) != "" {
			t.Errorf("%v: printed %q before failing", args, out)
		}
	}
	if r := queryRows(t, cfg, `SELECT count(*) AS n FROM _revops.runs`); r[0]["n"].(float64) != 0 {
		t.Errorf("%v runs recorded: nothing should have been extracted", r[0]["n"])
	}
}

// TestWrongSalesforceSecretFailsAlone: a source whose credentials are
// refused fails alone: the other sources land, the failure is in
// _revops.runs (so status shows it), and revops run skips the syncs
// whose models read that source, saying why.
func TestWrongSalesforceSecretFailsAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "150", "--write-config", cfg)
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(string(data), info.Salesforce.ClientSecret, "not-the-secret")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := revops(t, nil, "run", "-c", cfg, "--json")
	if code != 1 {
		t.Fatalf("run: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "not-the-secret") {
		t.Fatal("the secret reached the output")
	}
	doc := oneJSON(t, out)
	for _, table := range []string{"zoho_crm.leads", "zoho_crm.accounts", "zoho_desk.tickets"} {
		if r := queryRows(t, cfg, "SELECT count(*) AS n FROM "+table); r[0]["n"].(float64) == 0 {
			t.Errorf("%s is empty: the Zoho extracts should not depend on Salesforce's credentials", table)
		}
	}
	r := queryRows(t, cfg, `SELECT status, error FROM _revops.runs WHERE stage = 'extract' AND target = 'salesforce'`)
	if len(r) != 1 || r[0]["status"] != "failed" || !strings.Contains(r[0]["error"].(string), "salesforce") {
		t.Fatalf("_revops.runs for the salesforce source: %v, want one failed run", r)
	}
	// The last run failed: status says so and exits 1.
	code, out, _ = revops(t, nil, "status", "-c", cfg)
	if code != 1 || !strings.Contains(out, "failed") || !strings.Contains(out, "salesforce") {
		t.Errorf("status: exit %d, want 1 and the failed source shown:\n%s", code, out)
	}
	// account_enrichment_sf reads metrics.account_overview, built on
	// Salesforce tables: skipped, naming the source. zoho_leads_to_sf
	// reads only Zoho: it runs (and fails on its own, at its destination).
	skipped := map[string]string{}
	list, _ := doc["skipped_syncs"].([]any)
	for _, s := range list {
		m := s.(map[string]any)
		var reasons []string
		for _, r := range m["reasons"].([]any) {
			reasons = append(reasons, r.(string))
		}
		skipped[m["sync"].(string)] = strings.Join(reasons, "; ")
	}
	if why := skipped["account_enrichment_sf"]; !strings.Contains(why, "salesforce") || !strings.Contains(why, "failed to extract") {
		t.Errorf("account_enrichment_sf: skipped for %q, want a reason naming the salesforce extract", why)
	}
	if _, ok := skipped["zoho_leads_to_sf"]; ok {
		t.Errorf("zoho_leads_to_sf was skipped (%s), but its model reads only Zoho", skipped["zoho_leads_to_sf"])
	}
	for _, stage := range []string{"extract", "build", "sync"} {
		if doc[stage] == nil {
			t.Errorf("run --json has no %s section: %v", stage, doc)
		}
	}
}

// TestKilledRunIsMarkedKilled: revops killed with SIGKILL mid-extract
// leaves runs `running`; the next invocation marks them killed.
func TestKilledRunIsMarkedKilled(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "300", "--write-config", cfg, "--faults", "slow:delay=300ms:endpoint=/crm/v8/*")
	cmd, out := child(t, []string{"REVOPS_CACHE_DIR=off"}, "extract", "-c", cfg, "--concurrency", "8")
	// Wait until the child is reading Zoho (slowly), then kill it.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var stats struct {
			Requests []struct {
				System, Endpoint string
				Count            int64
			} `json:"requests"`
		}
		getJSON(t, info.Zoho.StatsURL, &stats)
		n := int64(0)
		for _, r := range stats.Requests {
			if r.System == "zoho_crm" && strings.HasPrefix(r.Endpoint, "/crm/v8/") {
				n += r.Count
			}
		}
		if n >= 3 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if cmd.ProcessState.Success() {
		t.Fatalf("the child finished before it was killed:\n%s", out)
	}
	code, sout, errOut := revops(t, nil, "status", "-c", cfg, "--json", "--limit", "0")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	if !strings.Contains(errOut, "killed before it finished") {
		t.Errorf("status did not log the killed runs: %q", errOut)
	}
	doc := oneJSON(t, sout)
	killed := 0
	for _, r := range doc["runs"].([]any) {
		run := r.(map[string]any)
		switch run["status"] {
		case "running":
			t.Errorf("run %v is still running after its process was killed", run)
		case "killed":
			killed++
			if run["finished_at"] == nil || !strings.Contains(run["error"].(string), "ended before the run finished") {
				t.Errorf("killed run %v: want finished_at and an error saying why", run)
			}
		}
	}
	if killed == 0 {
		t.Fatal("no run was marked killed")
	}
}

// contextForChild is main's context for a test child process.
func contextForChild() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}

// badSyncs are sync entries that are wrong in the ways a user gets them
// wrong; each must be reported at its line and column.
const badSyncs = `
  - name: typo_key
    model: syncs.zoho_leads_to_sf
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {column: zoho_lead_id}
    batch_sise: 10
  - name: bad_mode
    model: syncs.zoho_leads_to_sf
    destination: {source: salesforce, object: Lead}
    mode: upsrt
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {column: zoho_lead_id}
  - name: no_such_source
    model: syncs.zoho_leads_to_sf
    destination: {source: hubspot, object: Lead}
    mode: upsert
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {column: zoho_lead_id}
  - name: colum
    model: syncs.zoho_leads_to_sf
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: zoho_lead_id
    mapping:
      Zoho_Lead_Id__c: {colum: zoho_lead_id}
  - name: into_desk
    model: syncs.zoho_leads_to_sf
    destination: {source: zoho_desk, object: tickets}
    mode: update
    match: {by: id}
    key: zoho_lead_id
    mapping:
      subject: {column: last_name}
`

// withBadSyncs appends badSyncs to the sandbox-written config and returns
// the line of each bad sync's problem, found in the file.
func withBadSyncs(t *testing.T, cfg string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	text += badSyncs
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	lineOf := func(needle string) string {
		i := strings.Index(text, needle)
		if i < 0 {
			t.Fatalf("%q not in the config", needle)
		}
		return filepath.Base(cfg) + ":" + strconv.Itoa(strings.Count(text[:i], "\n")+1) + ":"
	}
	return map[string]string{
		"typo_key":       lineOf("batch_sise"),
		"bad_mode":       lineOf("mode: upsrt"),
		"no_such_source": lineOf("source: hubspot"),
		"colum":          lineOf("{colum:"),
		"into_desk":      lineOf("source: zoho_desk, object: tickets"),
	}
}

// TestValidateChecksSyncs: validate reads syncs as strictly as sources,
// names every bad one at its line, and says which cannot be idempotent.
func TestValidateChecksSyncs(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	startSandbox(t, "--records", "100", "--write-config", cfg)
	if code, out, errOut := revops(t, nil, "validate", "-c", cfg); code != 0 || !strings.Contains(out, "zoho_leads_to_sf") {
		t.Fatalf("the sandbox config: exit %d\n%s%s", code, out, errOut)
	}
	lines := withBadSyncs(t, cfg)
	code, out, errOut := revops(t, nil, "validate", "-c", cfg)
	if code != 2 {
		t.Fatalf("validate: exit %d, want 2\n%s%s", code, out, errOut)
	}
	for name, at := range lines {
		found := false
		for _, l := range strings.Split(errOut, "\n") {
			if strings.Contains(l, at) && strings.Contains(l, name) {
				found = true
			}
		}
		if !found {
			t.Errorf("sync %s: no error at %s in\n%s", name, at, errOut)
		}
	}
	for _, want := range []string{"batch_sise: unknown key", "upsrt", "hubspot", "colum", "zoho_desk"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("errors do not mention %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "zoho_leads_to_sf") || strings.Contains(out, "zoho_leads_to_sf         INVALID") {
		t.Errorf("the valid syncs should be listed as ok:\n%s", out)
	}
	// A sync matched by record id that creates cannot find its creates again.
	data, _ := os.ReadFile(cfg)
	nonIdem := strings.Replace(string(data), "    mode: update                 # never creates accounts", "    mode: upsert", 1)
	if nonIdem == string(data) {
		t.Fatal("the account sync's mode line was not found")
	}
	_ = os.WriteFile(cfg, []byte(strings.SplitN(nonIdem, "\n  - name: typo_key", 2)[0]), 0o600)
	code, out, errOut = revops(t, nil, "validate", "-c", cfg, "--json")
	doc := oneJSON(t, out)
	if code != 0 {
		t.Fatalf("validate: exit %d %s", code, errOut)
	}
	for _, s := range doc["syncs"].([]any) {
		m := s.(map[string]any)
		if m["name"] == "account_enrichment_sf" && (m["idempotent"] != false || !strings.Contains(m["idempotency"].(string), "create_key")) {
			t.Errorf("account_enrichment_sf in upsert mode by id: %v, want not idempotent, pointing at create_key", m)
		}
	}
}

// TestRunOneBadSyncDoesNotStopTheOthers: the valid syncs run and write;
// the bad ones are reported with their positions; the exit status is 2.
func TestRunOneBadSyncDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	_, valid := sandboxTemplates(t)
	lines := withBadSyncs(t, cfg)
	code, out, errOut := revops(t, nil, "run", "-c", cfg, "--json")
	if code != 2 {
		t.Fatalf("run: exit %d, want 2\n%s", code, errOut)
	}
	doc := oneJSON(t, out)
	skipped := map[string]string{}
	for _, s := range doc["skipped_syncs"].([]any) {
		m := s.(map[string]any)
		skipped[m["sync"].(string)] = m["reasons"].([]any)[0].(string)
	}
	for name, at := range lines {
		if !strings.Contains(skipped[name], at) {
			t.Errorf("sync %s: skipped for %q, want its error at %s", name, skipped[name], at)
		}
	}
	if len(skipped) != len(lines) {
		t.Errorf("skipped %v, want only the bad syncs", skipped)
	}
	if crmWrites(t, info) == 0 {
		t.Fatal("no write reached the CRMs: the valid syncs did not run")
	}
	if n := queryRows(t, cfg, `SELECT count(DISTINCT sync) AS n FROM _revops.sync_runs WHERE status = 'succeeded'`)[0]["n"]; n != float64(len(valid)) {
		t.Errorf("%v syncs succeeded, want the %d valid ones", n, len(valid))
	}
	// revops sync alone does the same.
	code, out, errOut = revops(t, nil, "sync", "-c", cfg)
	if code != 2 || !strings.Contains(errOut, lines["bad_mode"]) || !strings.Contains(out, "zoho_leads_to_sf") {
		t.Errorf("sync: exit %d, want 2 naming bad_mode and running the rest\n%s%s", code, out, errOut)
	}
}

// TestPlanApplyAfterOwnWrite: right after revops wrote to a CRM, a plan
// and its apply are not refused as if someone else had changed the
// records (the "before" accounts for revops's own write); a record that
// someone did change after the plan is refused, the apply exits 1, and
// history does not call it succeeded.
func TestPlanApplyAfterOwnWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "150", "--write-config", cfg)
	if code, out, errOut := revops(t, nil, "run", "-c", cfg, "-q"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	// Two Zoho leads change; nothing is extracted from Salesforce since
	// revops wrote the leads there.
	zo := zohoAPI(t, info)
	leads := queryRows(t, cfg, `SELECT id FROM zoho_crm.leads WHERE _deleted_at IS NULL AND "Email" IS NOT NULL ORDER BY id LIMIT 2`)
	for i, l := range leads {
		body := fmt.Sprintf(`{"data":[{"id":"%s","Company":"Renamed %d"}]}`, l["id"], i)
		if code, resp := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads", body); code >= 300 {
			t.Fatalf("update zoho lead: %d %s", code, resp)
		}
	}
	if code, out, errOut := revops(t, nil, "extract", "-c", cfg, "-q", "--source", "zoho_crm"); code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	planID := func() string {
		code, out, errOut := revops(t, nil, "sync", "plan", "zoho_leads_to_sf", "-c", cfg, "--json")
		if code != 0 {
			t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
		}
		doc := oneJSON(t, out)
		p := doc["plans"].([]any)[0].(map[string]any)
		return p["plan_id"].(string)
	}
	code, out, errOut := revops(t, nil, "sync", "apply", planID(), "-c", cfg, "--json")
	doc := oneJSON(t, out)
	run := doc["run"].(map[string]any)
	if code != 0 || run["refused"] != float64(0) || run["succeeded"] != float64(2) {
		t.Fatalf("apply right after revops's own write: exit %d, run %v\n%s", code, run, errOut)
	}
	// Now someone edits a Salesforce lead between plan and apply.
	if code, resp := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads",
		fmt.Sprintf(`{"data":[{"id":"%s","Company":"Renamed again"}]}`, leads[0]["id"])); code >= 300 {
		t.Fatalf("update zoho lead: %d %s", code, resp)
	}
	if code, out, errOut := revops(t, nil, "extract", "-c", cfg, "-q", "--source", "zoho_crm"); code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	plan := planID()
	sf := sfAPI(t, info)
	recs := soql(t, sf, info, fmt.Sprintf("SELECT Id FROM Lead WHERE Zoho_Lead_Id__c = '%s'", leads[0]["id"]))
	if len(recs) != 1 {
		t.Fatalf("the synced lead: %v", recs)
	}
	if code, resp := sf.do("PATCH", info.Salesforce.InstanceURL+"/services/data/v62.0/sobjects/Lead/"+recs[0]["Id"].(string), `{"Company":"Edited by a person"}`); code != 204 {
		t.Fatalf("edit salesforce lead: %d %s", code, resp)
	}
	if code, out, errOut := revops(t, nil, "extract", "-c", cfg, "-q", "--source", "salesforce", "--object", "Lead"); code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = revops(t, nil, "sync", "apply", plan, "-c", cfg, "--json")
	doc = oneJSON(t, out)
	run = doc["run"].(map[string]any)
	if code != 1 || run["refused"] != float64(1) || run["status"] == "succeeded" {
		t.Fatalf("apply over a person's edit: exit %d, run %v; want exit 1, 1 refused, not succeeded", code, run)
	}
	hist := queryRows(t, cfg, fmt.Sprintf(`SELECT status FROM _revops.sync_runs WHERE plan_id = '%s'`, plan))
	if len(hist) != 1 || hist[0]["status"] == "succeeded" {
		t.Fatalf("history of the refused apply: %v", hist)
	}
}
