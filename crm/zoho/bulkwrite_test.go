package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestBulkWriteClient inserts, then upserts by e-mail, a file of leads
// through bulk write jobs against the emulator: per-row results in input
// order (a row without its mandatory field skipped with
// MANDATORY_NOT_FOUND-Last_Name, a bad e-mail INVALID_DATA-Email), the
// records as written, credits of 500 per job, and a job that fails.
func TestBulkWriteClient(t *testing.T) {
	ts := start(t, zohotest.Options{BulkWriteDelay: 5 * time.Millisecond, DailyCredits: 5000}, 0)
	cfg := config(ts)
	cfg.BulkPoll = 2 * time.Millisecond
	c := newClient(t, cfg)
	ctx := context.Background()
	header := []string{"Email", "Last_Name", "Company", "Annual_Revenue", "Email_Opt_Out"}
	var rows [][]string
	for i := range 30 {
		rows = append(rows, []string{fmt.Sprintf("p%d@example.com", i), fmt.Sprintf("Person %d", i), "Acme", "1200.5", "true"})
	}
	rows[3][1] = ""               // no Last_Name
	rows[7][0] = "not-an-address" // bad e-mail
	maps := []zoho.BulkFieldMapping{{APIName: "Email", Index: 0}, {APIName: "Last_Name", Index: 1}, {APIName: "Company", Index: 2},
		{APIName: "Annual_Revenue", Index: 3}, {APIName: "Email_Opt_Out", Index: 4}}
	before, _ := ts.Credits()
	res, err := c.BulkWrite(ctx, zoho.BulkWriteRequest{Module: "Leads", Operation: "insert", Header: header, Mappings: maps, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 30 {
		t.Fatalf("%d results for 30 rows", len(res))
	}
	for i, r := range res {
		switch i {
		case 3:
			if r.Status != "skipped" || len(r.Errors) != 1 || r.Errors[0] != (zoho.BulkWriteError{Code: "MANDATORY_NOT_FOUND", Field: "Last_Name"}) {
				t.Errorf("row 3: %+v", r)
			}
		case 7:
			if r.Status != "skipped" || len(r.Errors) != 1 || r.Errors[0] != (zoho.BulkWriteError{Code: "INVALID_DATA", Field: "Email"}) {
				t.Errorf("row 7: %+v", r)
			}
		default:
			if r.Status != "added" || r.RecordID == "" {
				t.Errorf("row %d: %+v", i, r)
			}
		}
	}
	got := ts.Records("Leads")
	if len(got) != 28 {
		t.Fatalf("%d leads, want 28", len(got))
	}
	byID := map[string]map[string]any{}
	for _, r := range got {
		byID[r["id"].(string)] = r
	}
	if r := byID[res[0].RecordID]; r["Email"] != "p0@example.com" || r["Annual_Revenue"] != 1200.5 || r["Email_Opt_Out"] != true {
		t.Errorf("record 0: %v", r)
	}
	after, _ := ts.Credits()
	// upload, org (zgid), job, polls and a download: 500 for the job, one
	// for each other call.
	if spent := after - before; spent < zoho.BulkWriteCredits+4 || spent > zoho.BulkWriteCredits+20 {
		t.Errorf("the job cost %d credits", spent)
	}
	if c.Credits() != int64(after-before) {
		t.Errorf("the client counts %d credits, the org %d", c.Credits(), after-before)
	}

	// Upsert by e-mail: the 28 are updated, the two fixed rows added.
	rows[3][1], rows[7][0] = "Person 3", "p7@example.com"
	for i := range rows {
		rows[i][2] = "Acme 2"
	}
	res, err = c.BulkWrite(ctx, zoho.BulkWriteRequest{Module: "Leads", Operation: "upsert", FindBy: "Email", Header: header, Mappings: maps, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	added, updated := 0, 0
	for _, r := range res {
		switch r.Status {
		case "added":
			added++
		case "updated":
			updated++
		}
	}
	if added != 2 || updated != 28 {
		t.Errorf("upsert: %d added, %d updated", added, updated)
	}
	for _, r := range ts.Records("Leads") {
		if r["Company"] != "Acme 2" {
			t.Errorf("lead %v not updated", r["id"])
		}
	}

	ts.FailBulkWrites(1, "disk full")
	_, err = c.BulkWrite(ctx, zoho.BulkWriteRequest{Module: "Leads", Operation: "upsert", FindBy: "Email", Header: header, Mappings: maps, Rows: rows})
	var fe *zoho.BulkWriteFailedError
	if !errors.As(err, &fe) || fe.Message != "disk full" {
		t.Errorf("failed job: %v", err)
	}
}

// TestBulkWriteRefusals checks the emulator's error shapes for a bad
// upload and bad jobs, as the client reports them.
func TestBulkWriteRefusals(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	cfg := config(ts)
	cfg.BulkPoll = 2 * time.Millisecond
	c := newClient(t, cfg)
	ctx := context.Background()
	_, err := c.UploadBulkFile(ctx, "x.zip", []byte("not a zip"))
	if !zoho.IsCode(err, "INVALID_FILE_FORMAT") {
		t.Errorf("upload of a non-zip: %v", err)
	}
	var ae *zoho.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Errorf("upload of a non-zip: %v", err)
	}
	for _, tc := range []struct {
		name string
		req  zoho.BulkWriteRequest
		code string
	}{
		{"unknown module", zoho.BulkWriteRequest{Module: "Nope", Operation: "insert", Header: []string{"Last_Name"}, Rows: [][]string{{"x"}}}, "INVALID_DATA"},
		{"unknown column", zoho.BulkWriteRequest{Module: "Leads", Operation: "insert", Header: []string{"Nope"}, Rows: [][]string{{"x"}}}, "INVALID_DATA"},
		{"find_by not unique", zoho.BulkWriteRequest{Module: "Leads", Operation: "upsert", FindBy: "Company", Header: []string{"Last_Name"}, Rows: [][]string{{"x"}}}, "INVALID_DATA"},
		{"lookup without find_by", zoho.BulkWriteRequest{Module: "Contacts", Operation: "insert", Header: []string{"Last_Name", "Account_Name"},
			Mappings: []zoho.BulkFieldMapping{{APIName: "Last_Name", Index: 0}, {APIName: "Account_Name", Index: 1}}, Rows: [][]string{{"x", "1"}}}, "MANDATORY_NOT_FOUND"},
	} {
		_, err := c.BulkWrite(ctx, tc.req)
		if !zoho.IsCode(err, tc.code) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if n := ts.BulkWriteJobs(); n != 0 {
		t.Errorf("%d jobs created by refused requests", n)
	}
}
