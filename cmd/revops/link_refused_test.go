package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunLinkRefusedField: in revops run, a lead changed in Zoho with an
// e-mail Salesforce refuses (a leading dot, as the sandbox garbles some)
// and other fields. The link writes the other fields (the record is sent
// again without the e-mail), lists the e-mail in revops link failures
// (and --json), and retries it, alone, next run. A sync whose row
// Salesforce refuses runs in the same revops run: the links stage ends as
// the sync stage does (the row counted failed, the same status: failed,
// as run.go's targetStage has it for both), and the exit code follows
// (1).
func TestRunLinkRefusedField(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "revops.yaml")
	info, _ := startSandbox(t, "--records", "100", "--write-config", cfg)
	env := map[string]string{"REVOPS_CACHE_DIR": t.TempDir()}
	sf, zo := sfAPI(t, info), zohoAPI(t, info)
	sfURL := info.Salesforce.InstanceURL + "/services/data/v62.0/sobjects/Lead"

	// A pair the link takes part in, and a Salesforce lead the sync writes.
	c, b := zo.do("POST", info.Zoho.APIDomain+"/crm/v8/Leads",
		`{"data":[{"Last_Name":"King","Company":"Refusal Test Co","Email":"jking@banerjee-freight.com","City":"Austin","Designation":"CFO"}]}`)
	var zr struct {
		Data []struct {
			Details struct {
				ID string `json:"id"`
			} `json:"details"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(b), &zr); c != 201 || err != nil || len(zr.Data) != 1 {
		t.Fatalf("create zoho lead: %d %s", c, b)
	}
	zid := zr.Data[0].Details.ID
	newSF := func(body string) string {
		t.Helper()
		c, b := sf.do("POST", sfURL, body)
		var r struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(b), &r); c != 201 || err != nil {
			t.Fatalf("create salesforce lead: %d %s", c, b)
		}
		return r.ID
	}
	sid := newSF(fmt.Sprintf(`{"LastName":"King","Company":"Refusal Test Co","Email":"jking@banerjee-freight.com","City":"Austin","Title":"CFO","Zoho_Lead_Id__c":%q}`, zid))
	other := newSF(`{"LastName":"Other","Company":"Other Test Co","Email":"other@example.com"}`)

	// Only this link and this sync (the sandbox config's templates cut).
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, _, ok := strings.Cut(string(data), "\nlinks:")
	if !ok {
		t.Fatal("the sandbox config has no links: section")
	}
	base += fmt.Sprintf(`
links:
  - name: refused_leads
    left: {source: zoho_crm, object: Leads}
    right: {source: salesforce, object: Lead}
    pair: {by: id_field, right: Zoho_Lead_Id__c}
    fields:
      - {left: Email, right: Email, owner: newest}
      - {left: City, right: City, owner: newest}
      - {left: Designation, right: Title, owner: newest}
    filter:
      left: [{field: Company, op: is, value: Refusal Test Co}]

syncs:
  - name: refused_sync
    sql: "SELECT '%s' AS lead_id, (SELECT \"Email\" FROM zoho_crm.leads WHERE CAST(id AS VARCHAR) = '%s') AS email"
    destination: {source: salesforce, object: Lead}
    mode: update
    match: {by: id}
    key: lead_id
    mapping:
      Email: {column: email}
`, other, zid)
	if err := os.WriteFile(cfg, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}

	type stage struct {
		Stage      string `json:"stage"`
		Status     string `json:"status"`
		Rows       int64  `json:"rows"`
		FailedRows int64  `json:"failed_rows"`
	}
	run := func(name string) (int, map[string]stage) {
		t.Helper()
		code, out, errOut := revops(t, env, "run", "-c", cfg, "--json")
		var doc struct {
			Run struct {
				Stages []stage `json:"stages"`
			} `json:"run"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: run --json printed %q (stderr %q): %v", name, out, errOut, err)
		}
		st := map[string]stage{}
		for _, s := range doc.Run.Stages {
			st[s.Stage] = s
		}
		t.Logf("%s: exit %d, sync %+v, links %+v", name, code, st["sync"], st["links"])
		return code, st
	}
	if code, st := run("first run"); code != 0 || st["links"].Status != "succeeded" || st["sync"].Status != "succeeded" {
		t.Fatalf("first run (nothing refused): exit %d, stages %+v", code, st)
	}

	// Zoho: a garbled e-mail, a new city and title. The sync copies the
	// Zoho lead's e-mail to another Salesforce lead: refused too.
	if c, b := zo.do("PUT", info.Zoho.APIDomain+"/crm/v8/Leads",
		fmt.Sprintf(`{"data":[{"id":%q,"Email":".jking@banerjee-freight.com","City":"Lisbon","Designation":"Chief Financial Officer"}]}`, zid)); c != 200 {
		t.Fatalf("zoho edit: %d %s", c, b)
	}
	get := func(field string) string {
		t.Helper()
		c, b := sf.do("GET", sfURL+"/"+sid, "")
		var r map[string]any
		if err := json.Unmarshal([]byte(b), &r); c != 200 || err != nil {
			t.Fatalf("read salesforce lead: %d %s", c, b)
		}
		return fmt.Sprint(r[field])
	}
	failures := func() []struct {
		Field, Code, Side string
		Attempts          int64
	} {
		t.Helper()
		code, out, _ := revops(t, env, "link", "failures", "refused_leads", "-c", cfg, "--json")
		var doc struct {
			OK       bool `json:"ok"`
			Failures []struct {
				Field, Code, Side string
				Attempts          int64
			} `json:"failures"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || !doc.OK {
			t.Fatalf("link failures --json: exit %d %s", code, out)
		}
		return doc.Failures
	}
	for i, name := range []string{"run with a refused e-mail", "next run (retried)"} {
		code, st := run(name)
		if city, title, email := get("City"), get("Title"), get("Email"); city != "Lisbon" || title != "Chief Financial Officer" ||
			email != "jking@banerjee-freight.com" {
			t.Fatalf("%s: Salesforce holds City %q, Title %q, Email %q: the fields Salesforce did not refuse should have landed",
				name, city, title, email)
		}
		fs := failures()
		if len(fs) != 1 || fs[0].Field != "Email ⇄ Email" || fs[0].Code != "INVALID_EMAIL_ADDRESS" || fs[0].Side != "salesforce" ||
			fs[0].Attempts != int64(i+1) {
			t.Fatalf("%s: link failures %+v, want the e-mail alone, attempt %d", name, fs, i+1)
		}
		li, sy := st["links"], st["sync"]
		if li.Rows != int64(1-i) {
			t.Fatalf("%s: the links stage wrote %d records, want %d", name, li.Rows, 1-i)
		}
		if li.FailedRows != 1 || sy.FailedRows != 1 {
			t.Fatalf("%s: failed rows: links %d, sync %d; want 1 each", name, li.FailedRows, sy.FailedRows)
		}
		// A refused row is treated alike by both stages.
		if li.Status != sy.Status {
			t.Fatalf("%s: links stage %q, sync stage %q: a refused row should end both alike", name, li.Status, sy.Status)
		}
		if code == 2 || (code == 0) != (li.Status == "succeeded") {
			t.Fatalf("%s: exit %d with the links stage %q", name, code, li.Status)
		}
	}
	code, out, _ := revops(t, env, "link", "failures", "refused_leads", "-c", cfg)
	if code != 0 || !strings.Contains(out, "INVALID_EMAIL_ADDRESS") || !strings.Contains(out, "Email") {
		t.Fatalf("link failures: exit %d\n%s", code, out)
	}
}
