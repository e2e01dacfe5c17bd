package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

// TestBulkReadClient reads a module through bulk read jobs, page by page
// with page tokens, and checks every record comes once with the CSV's
// cells as the emulator holds them, CRLF inside a text value included.
func TestBulkReadClient(t *testing.T) {
	ts := start(t, zohotest.Options{BulkPageSize: 150, BulkReadDelay: 10 * time.Millisecond}, 300)
	cfg := config(ts)
	cfg.BulkPoll = 5 * time.Millisecond
	c := newClient(t, cfg)
	ctx := context.Background()
	res, err := c.Insert(ctx, "Leads", []map[string]any{{"Last_Name": "Crlf\r\nline, \"q\"", "Company": "Ünïcødé"}})
	if err != nil || res[0].Err() != nil {
		t.Fatal(err, res)
	}
	want := map[string]map[string]any{}
	for _, r := range ts.Records("Leads") {
		want[r["id"].(string)] = r
	}
	got := map[string][]string{}
	token, jobs := "", 0
	var header []string
	for {
		id, err := c.CreateBulkRead(ctx, zoho.BulkReadQuery{Module: "Leads", Fields: []string{"Last_Name", "Company", "Owner"},
			PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		jobs++
		job, err := c.WaitBulkRead(ctx, "Leads", id)
		if err != nil {
			t.Fatal(err)
		}
		err = c.DownloadBulkRead(ctx, "Leads", job.Result, func(h []string) error { header = h; return nil },
			func(row []string) error {
				if _, dup := got[row[0]]; dup {
					return fmt.Errorf("record %s twice", row[0])
				}
				got[row[0]] = row
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if !job.Result.MoreRecords {
			break
		}
		token = job.Result.NextPageToken
	}
	if strings.Join(header, ",") != "id,Last_Name,Company,Owner" {
		t.Fatalf("header %q", header)
	}
	if len(got) != len(want) || jobs != (len(want)+149)/150 {
		t.Fatalf("%d records in %d jobs, want %d", len(got), jobs, len(want))
	}
	for id, row := range got {
		w := want[id]
		ln, _ := w["Last_Name"].(string)
		co, _ := w["Company"].(string)
		if row[1] != ln || row[2] != co || row[3] != w["Owner"].(map[string]any)["id"] {
			t.Fatalf("record %s: %q, want %v", id, row, w)
		}
	}
	if n := ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/bulk/v8/read" }); n != int64(jobs) {
		t.Fatalf("%d jobs created for %d pages", n, jobs)
	}

	// A failed job is an error naming it.
	ts.FailBulkReads(0, 1, "boom")
	id, err := c.CreateBulkRead(ctx, zoho.BulkReadQuery{Module: "Leads"})
	if err != nil {
		t.Fatal(err)
	}
	var fe *zoho.BulkReadFailedError
	if _, err := c.WaitBulkRead(ctx, "Leads", id); !errors.As(err, &fe) || fe.Message != "boom" || fe.JobID != id {
		t.Fatalf("failed job: %v", err)
	}
	// Bad input is the API's error.
	_, err = c.CreateBulkRead(ctx, zoho.BulkReadQuery{Module: "Leads", Criteria: &zoho.Criterion{Field: "Nope", Comparator: "equal", Value: "x"}})
	if !zoho.IsCode(err, "INVALID_DATA") {
		t.Fatalf("bad criteria: %v", err)
	}
}

// TestCountAndUsers: the count call with a Modified_Time criteria, and
// the users list.
func TestCountAndUsers(t *testing.T) {
	ts := start(t, zohotest.Options{}, 300)
	c := newClient(t, config(ts))
	ctx := context.Background()
	recs := ts.Records("Leads")
	all, err := c.Count(ctx, "Leads", "", "both")
	if err != nil || all != len(recs) {
		t.Fatalf("count %d, %v; want %d", all, err, len(recs))
	}
	cut := time.Now().Add(-time.Hour)
	if _, err := c.Update(ctx, "Leads", []map[string]any{{"id": recs[0]["id"], "Designation": "x"}}); err != nil {
		t.Fatal(err)
	}
	n, err := c.Count(ctx, "Leads", "(Modified_Time:greater_than:"+zoho.CriteriaValue(cut.Format(zoho.DateTimeLayout))+")", "both")
	if err != nil || n != 1 {
		t.Fatalf("count since an hour ago: %d, %v; want 1", n, err)
	}
	users, err := c.Users(ctx, "AllUsers")
	if err != nil || len(users) == 0 || users[0].FullName == "" || users[0].ID == "" {
		t.Fatalf("users %v, %v", users, err)
	}
	if got := zoho.CriteriaValue(`a(b),c\`); got != `a\(b\)\,c\\` {
		t.Fatalf("CriteriaValue = %s", got)
	}
}
