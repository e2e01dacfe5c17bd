package salesforce_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

// calls counts the emulator's requests to one endpoint pattern ("" = all).
func (o *org) calls(endpoint string) int64 {
	return o.counters.Sum(func(c sandbox.Count) bool { return endpoint == "" || c.Endpoint == endpoint })
}

const (
	jobsEndpoint        = "/services/data/vXX.X/jobs/ingest"
	collectionsEndpoint = "/services/data/vXX.X/composite/sobjects"
)

func TestBulkPathMapsRowsBack(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t, salesforce.WithBulkThreshold(5))
	ctx := context.Background()
	if got := d.MaxBatch(revsync.OpInsert, 5); got != 200 {
		t.Errorf("MaxBatch at the threshold = %d, want 200", got)
	}
	if got := d.MaxBatch(revsync.OpInsert, 12); got != 12 {
		t.Errorf("MaxBatch above the threshold = %d, want 12", got)
	}
	match := revsync.Match{By: revsync.MatchExternalID, Field: "Zoho_Contact_Id__c"}

	// insert 12 through one job; record 3 lacks LastName
	recs := make([]revsync.Record, 12)
	for i := range recs {
		recs[i] = revsync.Record{Key: fmt.Sprint(i), Values: map[string]any{"Zoho_Contact_Id__c": fmt.Sprintf("B-%d", i),
			"LastName": fmt.Sprintf("Bulk %d", i), "Title": "T", "Birthdate": "1990-01-02", "HasOptedOutOfEmail": i%2 == 0}}
	}
	delete(recs[3].Values, "LastName")
	recs[5].Values["Title"] = nil // null on insert
	res, err := d.Write(ctx, "Contact", revsync.OpInsert, match, recs)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]any{}
	for _, r := range o.Records("Contact") {
		byID[r["Id"].(string)] = r
	}
	for i, r := range res {
		if i == 3 {
			if r.Err == nil || r.Err.Code != "REQUIRED_FIELD_MISSING" || len(r.Err.Fields) != 1 || r.Err.Fields[0] != "LastName" || r.Err.Retryable {
				t.Errorf("row 3: %+v %+v", r, r.Err)
			}
			continue
		}
		rec := byID[r.ID]
		if r.Err != nil || !r.Created || rec == nil || rec["Zoho_Contact_Id__c"] != fmt.Sprintf("B-%d", i) {
			t.Errorf("row %d: %+v → %v", i, r, rec)
			continue
		}
		if rec["Birthdate"] != "1990-01-02" || rec["HasOptedOutOfEmail"] != (i%2 == 0) {
			t.Errorf("row %d values: %v %v", i, rec["Birthdate"], rec["HasOptedOutOfEmail"])
		}
	}
	if byID[res[5].ID]["Title"] != nil {
		t.Errorf("row 5 Title = %v, want null", byID[res[5].ID]["Title"])
	}
	if n := o.calls(jobsEndpoint); n != 1 {
		t.Errorf("%d jobs created, want 1", n)
	}
	if n := o.calls(collectionsEndpoint); n != 0 {
		t.Errorf("%d Collections calls on the bulk path", n)
	}

	// upsert: B-0..B-5 exist (B-3 does not), B-20.. are new; B-0 clears Title
	up := make([]revsync.Record, 8)
	for i := range up {
		k := i
		if i >= 6 {
			k = 20 + i
		}
		up[i] = revsync.Record{Key: fmt.Sprint(k), Values: map[string]any{"Zoho_Contact_Id__c": fmt.Sprintf("B-%d", k),
			"LastName": fmt.Sprintf("Up %d", k), "Title": "Upserted"}}
	}
	up[0].Values["Title"] = nil
	res2, err := d.Write(ctx, "Contact", revsync.OpUpsert, match, up)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res2 {
		wantCreated := i == 3 || i >= 6
		if r.Err != nil || r.Created != wantCreated {
			t.Errorf("upsert row %d: %+v (err %v), want created=%v", i, r, r.Err, wantCreated)
		}
		if i < 6 && i != 3 && r.ID != res[i].ID {
			t.Errorf("upsert row %d: id %s, want %s", i, r.ID, res[i].ID)
		}
	}
	for _, r := range o.Records("Contact") {
		if r["Zoho_Contact_Id__c"] == "B-0" && (r["Title"] != nil || r["LastName"] != "Up 0") {
			t.Errorf("B-0 after upsert: %v %v", r["Title"], r["LastName"])
		}
	}

	// update by id: one unknown id fails alone
	upd := make([]revsync.Record, 6)
	for i := range upd {
		upd[i] = revsync.Record{Key: fmt.Sprint(i), ID: res2[i].ID, Values: map[string]any{"Department": fmt.Sprint("D", i)}}
	}
	upd[4].ID = "0035g0000000999AAA"
	res3, err := d.Write(ctx, "Contact", revsync.OpUpdate, match, upd)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res3 {
		if (r.Err != nil) != (i == 4) || i != 4 && r.ID != upd[i].ID {
			t.Errorf("update row %d: %+v %v", i, r, r.Err)
		}
	}
	t.Logf("unknown id on bulk update: %v", res3[4].Err)

	// delete through a job
	del := make([]revsync.Record, 6)
	for i := range del {
		del[i] = revsync.Record{Key: fmt.Sprint(i), ID: res2[i].ID}
	}
	res4, err := d.Write(ctx, "Contact", revsync.OpDelete, match, del)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res4 {
		if r.Err != nil || r.ID != del[i].ID {
			t.Errorf("delete row %d: %+v %v", i, r, r.Err)
		}
	}
	if n := len(o.Records("Contact")); n != 11+3-6 {
		t.Errorf("%d contacts left, want 8", n)
	}
	if n := o.calls(jobsEndpoint); n != 4 {
		t.Errorf("%d jobs for 4 writes", n)
	}
}

func TestBulkJobFailsToStart(t *testing.T) {
	o := startOrg(t)
	opts := o.options()
	opts.Limits.MaxRetries = 1
	d, err := salesforce.New(context.Background(), opts.ClientConfig(), nil, salesforce.WithBulkThreshold(2))
	if err != nil {
		t.Fatal(err)
	}
	recs := []revsync.Record{{Values: map[string]any{"Name": "a"}}, {Values: map[string]any{"Name": "b"}}, {Values: map[string]any{"Name": "c"}}}
	if _, err := d.Describe(context.Background(), "Account"); err != nil {
		t.Fatal(err)
	}
	// The upload fails with a 500 past every retry: nothing is written and
	// the Write fails as a whole.
	o.faults.Add(sandbox.Rule{Kind: sandbox.Fault500, Method: "PUT"})
	_, err = d.Write(context.Background(), "Account", revsync.OpInsert, revsync.Match{}, recs)
	if err == nil {
		t.Fatal("Write succeeded")
	}
	t.Log(err)
	if n := len(o.Records("Account")); n != 0 {
		t.Errorf("%d accounts written", n)
	}
}
