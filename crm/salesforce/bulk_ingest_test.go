package salesforce_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
)

func TestIngestMapsResultsToRows(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	cfg := o.config()
	cfg.BulkPoll = 5 * time.Millisecond
	c := newClient(t, cfg)
	ctx := context.Background()

	// insert: row 2 lacks LastName, rows 0 and 3 are identical
	header := []string{"LastName", "Email", "Zoho_Contact_Id__c"}
	rows := [][]string{{"Ada", "ada@example.com", ""}, {"Bo", "bo@example.com", "Z-2"}, {"", "nobody@example.com", ""},
		{"Ada", "ada@example.com", ""}, {"Cy", "cy@example.com", "Z-4"}}
	res, err := c.Ingest(ctx, salesforce.IngestJob{Object: "Contact", Operation: salesforce.IngestInsert}, header, rows)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != salesforce.JobComplete || len(res.Rows) != len(rows) {
		t.Fatalf("result %+v", res)
	}
	for i, r := range res.Rows {
		if i == 2 {
			if r.Success || r.Error == nil || r.Error.StatusCode != "REQUIRED_FIELD_MISSING" || len(r.Error.Fields) != 1 || r.Error.Fields[0] != "LastName" {
				t.Errorf("row 2 = %+v (error %+v)", r, r.Error)
			}
			continue
		}
		if !r.Success || !r.Created || len(r.ID) != 18 {
			t.Errorf("row %d = %+v", i, r)
		}
	}
	ids := map[string]string{}
	for _, rec := range o.Records("Contact") {
		ids[rec["Id"].(string)] = fmt.Sprint(rec["LastName"])
	}
	for i, r := range res.Rows {
		if r.Success && ids[r.ID] != rows[i][0] {
			t.Errorf("row %d: id %s holds %q, want %q", i, r.ID, ids[r.ID], rows[i][0])
		}
	}
	if res.Rows[0].ID == res.Rows[3].ID {
		t.Error("identical rows got one id")
	}

	// upsert by external id: Z-2 updates, Z-9 creates; #N/A clears Email
	res, err = c.Ingest(ctx, salesforce.IngestJob{Object: "Contact", Operation: salesforce.IngestUpsert, ExternalIDField: "Zoho_Contact_Id__c"},
		[]string{"Zoho_Contact_Id__c", "LastName", "Email"}, [][]string{{"Z-9", "Nine", ""}, {"Z-2", "Bo2", "#N/A"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; !r.Success || !r.Created {
		t.Errorf("upsert row 0 = %+v", r)
	}
	if r := res.Rows[1]; !r.Success || r.Created || r.ID != resultID(t, o, "Z-2") {
		t.Errorf("upsert row 1 = %+v", r)
	}
	for _, rec := range o.Records("Contact") {
		if rec["Zoho_Contact_Id__c"] == "Z-2" && (rec["LastName"] != "Bo2" || rec["Email"] != nil) {
			t.Errorf("Z-2 after upsert: %v %v", rec["LastName"], rec["Email"])
		}
	}

	// delete: one good id, one unknown
	res, err = c.Ingest(ctx, salesforce.IngestJob{Object: "Contact", Operation: salesforce.IngestDelete},
		[]string{"Id"}, [][]string{{"003000000000000AAA"}, {res.Rows[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0].Success || res.Rows[0].Error == nil || !res.Rows[1].Success {
		t.Errorf("delete rows %+v %+v", res.Rows[0], res.Rows[1])
	}
	// every job was deleted afterwards
	if n := o.requests("/services/data/vXX.X/jobs/ingest/{id}"); n == 0 {
		t.Error("no job requests counted")
	}
}

func resultID(t *testing.T, o *org, ext string) string {
	t.Helper()
	for _, rec := range o.Records("Contact") {
		if rec["Zoho_Contact_Id__c"] == ext {
			return rec["Id"].(string)
		}
	}
	t.Fatalf("no contact %s", ext)
	return ""
}

func TestIngestCloseAnswerLost(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	cfg := o.config()
	cfg.BulkPoll = 5 * time.Millisecond
	c := newClient(t, cfg)
	// The close is served, then the connection drops: Ingest learns from
	// the job's state that it runs, and reports the rows.
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "PATCH", Endpoint: "/services/data/vXX.X/jobs/ingest/{id}", Times: 1})
	res, err := c.Ingest(context.Background(), salesforce.IngestJob{Object: "Account", Operation: salesforce.IngestInsert},
		[]string{"Name"}, [][]string{{"One"}, {"Two"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Rows[0].Success || !res.Rows[1].Success || len(o.Records("Account")) != 2 {
		t.Fatalf("rows %+v, %d accounts", res.Rows, len(o.Records("Account")))
	}
}

func TestIngestUploadTwice(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	cfg := o.config()
	cfg.BulkPoll = 5 * time.Millisecond
	c := newClient(t, cfg)
	// The upload lands but its answer is lost; the transport sends it again,
	// Salesforce refuses to close a job with two uploads, and Ingest starts
	// over with a new job: one write, not two.
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "PUT", Times: 1})
	res, err := c.Ingest(context.Background(), salesforce.IngestJob{Object: "Account", Operation: salesforce.IngestInsert},
		[]string{"Name"}, [][]string{{"Once"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Rows[0].Success || len(o.Records("Account")) != 1 {
		t.Fatalf("rows %+v, %d accounts", res.Rows, len(o.Records("Account")))
	}
	if n := o.requests("/services/data/vXX.X/jobs/ingest"); n != 2 {
		t.Errorf("%d jobs created, want 2", n)
	}
}

func TestIngestRefusesBadInput(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	before := o.requests("")
	if _, err := c.Ingest(ctx, salesforce.IngestJob{Object: "Account", Operation: salesforce.IngestUpsert}, []string{"Name"}, [][]string{{"x"}}); err == nil {
		t.Error("upsert without external id accepted")
	}
	if _, err := c.Ingest(ctx, salesforce.IngestJob{Object: "Account", Operation: "merge"}, []string{"Name"}, [][]string{{"x"}}); err == nil {
		t.Error("unknown operation accepted")
	}
	if _, err := c.Ingest(ctx, salesforce.IngestJob{Object: "Account", Operation: salesforce.IngestInsert}, []string{"Name"}, [][]string{{"x", "y"}}); err == nil {
		t.Error("ragged row accepted")
	}
	if n := o.requests("") - before; n != 0 {
		t.Errorf("%d requests for refused input", n)
	}
}

func TestParseBulkError(t *testing.T) {
	for _, tc := range []struct {
		in, code, msg string
		fields        []string
	}{
		{"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --", "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", []string{"LastName"}},
		{"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access: 003x: --", "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access: 003x", nil},
		{"INVALID_FIELD:bad:A,B --", "INVALID_FIELD", "bad", []string{"A", "B"}},
		{"garbage", "UNKNOWN", "garbage", nil},
	} {
		e := salesforce.ParseBulkError(tc.in)
		if e.StatusCode != tc.code || e.Message != tc.msg || fmt.Sprint(e.Fields) != fmt.Sprint(tc.fields) && len(e.Fields)+len(tc.fields) > 0 {
			t.Errorf("ParseBulkError(%q) = %+v", tc.in, e)
		}
	}
}

func TestIngestFailedJobLeavesRowsUnprocessed(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	cfg := o.config()
	cfg.BulkPoll = 5 * time.Millisecond
	c := newClient(t, cfg)
	res, err := c.Ingest(context.Background(), salesforce.IngestJob{Object: "Account", Operation: salesforce.IngestInsert},
		[]string{"Name", "No_Such_Field__c"}, [][]string{{"a", "1"}, {"b", "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != salesforce.JobFailed || res.ErrorMessage == "" {
		t.Fatalf("state %s, message %q", res.State, res.ErrorMessage)
	}
	for i, r := range res.Rows {
		if !r.Unprocessed || r.Success || r.Error == nil || r.Error.StatusCode != "UNPROCESSED" || r.Error.Message != res.ErrorMessage {
			t.Errorf("row %d: %+v %+v", i, r, r.Error)
		}
	}
	if n := len(o.Records("Account")); n != 0 {
		t.Errorf("%d accounts written by a failed job", n)
	}
}
