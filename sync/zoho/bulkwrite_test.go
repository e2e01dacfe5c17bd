package zoho_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zoho"
)

// bulkDest is a destination of o that writes more than threshold records
// through Bulk Write.
func (o *org) bulkDest(t *testing.T, threshold int) *zoho.Destination {
	t.Helper()
	opts := o.options()
	opts.BulkPoll = 2 * time.Millisecond
	d, err := zoho.New(context.Background(), opts.ClientConfig("zoho_crm", nil), nil, zoho.WithBulkThreshold(threshold))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// sameResult compares two per-row results as the engine reads them.
func sameResult(a, b revsync.Result) bool {
	if a.Created != b.Created || (a.ID == "") != (b.ID == "") || (a.Err == nil) != (b.Err == nil) || a.Object != b.Object {
		return false
	}
	if a.Err == nil {
		return true
	}
	if a.Err.Gone || b.Err.Gone {
		// A record that no longer exists: each API says so with its own
		// code (REST INVALID_DATA on the id, bulk RESOURCE_NOT_FOUND-id);
		// the engine reads Gone.
		return a.Err.Gone == b.Err.Gone
	}
	return a.Err.Code == b.Err.Code && slices.Equal(a.Err.Fields, b.Err.Fields) && a.Err.Retryable == b.Err.Retryable
}

// contactsByEmail is the org's contacts by e-mail with the fields the
// test writes (the account as its name, ids differ between orgs).
func contactsByEmail(o *org) map[string]string {
	acc := map[string]string{}
	for _, a := range o.Records("Accounts") {
		acc[fmt.Sprint(a["id"])] = fmt.Sprint(a["Account_Name"])
	}
	out := map[string]string{}
	for _, r := range o.Records("Contacts") {
		a := ""
		if m, ok := r["Account_Name"].(map[string]any); ok {
			a = acc[fmt.Sprint(m["id"])]
		}
		out[fmt.Sprint(r["Email"])] = fmt.Sprintf("%v|%v|%v|%v|%v|%s", r["Last_Name"], r["Title"], r["Date_of_Birth"],
			r["Email_Opt_Out"], r["Description"], a)
	}
	return out
}

// TestBulkWriteSameAsREST writes the same Contacts to two orgs, through
// the REST calls and through Bulk Write jobs: an upsert matched by e-mail
// (creates, a row without Last_Name, a row whose account does not
// exist), then updates by id (one of a record deleted meanwhile). The
// per-row results and the records left are the same, and the calls and
// credits are those of 100-record calls against jobs.
func TestBulkWriteSameAsREST(t *testing.T) {
	ctx := context.Background()
	rest, bulk := startOrg(t), startOrg(t)
	dr, db := rest.dest(t), bulk.bulkDest(t, 20)
	const n = 150
	build := func(d *zoho.Destination) []revsync.Record {
		acct := insert(t, d, "Accounts", map[string]any{"Account_Name": "Bulk Parent"})
		recs := make([]revsync.Record, n)
		for i := range recs {
			v := map[string]any{"Email": fmt.Sprintf("c%d@example.com", i), "Last_Name": fmt.Sprintf("Contact %d", i),
				"Title": "T", "Date_of_Birth": "1980-05-17", "Email_Opt_Out": i%2 == 0, "Account_Name": acct,
				"Description": "line one\nline, \"two\""}
			recs[i] = revsync.Record{Key: fmt.Sprint(i), Values: v}
		}
		recs[5].Values["Last_Name"] = nil
		recs[9].Values["Account_Name"] = "111111111"
		return recs
	}
	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}
	if _, err := dr.Describe(ctx, "Contacts"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Describe(ctx, "Contacts"); err != nil {
		t.Fatal(err)
	}
	recsR, recsB := build(dr), build(db)
	restBefore, bulkBefore := rest.calls(""), bulk.calls("")
	restCredits, _ := rest.Credits()
	bulkCredits, _ := bulk.Credits()
	if got := db.MaxBatch(revsync.OpUpsert, n); got != n {
		t.Fatalf("MaxBatch above the threshold: %d", got)
	}
	var resR []revsync.Result
	for start := 0; start < n; start += dr.MaxBatch(revsync.OpUpsert, n) {
		part, err := dr.Write(ctx, "Contacts", revsync.OpUpsert, m, recsR[start:min(start+100, n)])
		if err != nil {
			t.Fatal(err)
		}
		resR = append(resR, part...)
	}
	resB, err := db.Write(ctx, "Contacts", revsync.OpUpsert, m, recsB)
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := rest.Credits()
	bc, _ := bulk.Credits()
	t.Logf("upsert of %d: REST %d calls, %d credits; bulk %d calls, %d credits", n,
		rest.calls("")-restBefore, rc-restCredits, bulk.calls("")-bulkBefore, bc-bulkCredits)
	if bulk.BulkWriteJobs() != 1 {
		t.Errorf("%d bulk write jobs, want 1", bulk.BulkWriteJobs())
	}
	for i := range n {
		if !sameResult(resR[i], resB[i]) {
			t.Errorf("row %d: REST %+v %+v, bulk %+v %+v", i, resR[i], resR[i].Err, resB[i], resB[i].Err)
		}
	}
	if e := resB[5].Err; e == nil || e.Code != "MANDATORY_NOT_FOUND" || !slices.Equal(e.Fields, []string{"Last_Name"}) {
		t.Errorf("row without Last_Name: %+v", resB[5])
	}
	if e := resB[9].Err; e == nil || e.Code != "INVALID_DATA" || !slices.Equal(e.Fields, []string{"Account_Name"}) {
		t.Errorf("row with an unknown account: %+v", resB[9])
	}
	if a, b := contactsByEmail(rest), contactsByEmail(bulk); len(a) != n-2 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("records differ: REST %d, bulk %d\n%v\n%v", len(a), len(b), a, b)
	}

	// Updates by id: new titles, one record deleted meanwhile.
	update := func(d *zoho.Destination, recs []revsync.Record, res []revsync.Result) []revsync.Result {
		var ups []revsync.Record
		for i, r := range res {
			if r.Err == nil {
				ups = append(ups, revsync.Record{Key: recs[i].Key, ID: r.ID, Values: map[string]any{"Title": fmt.Sprintf("T%d", i),
					"Description": nil}})
			}
		}
		if del, err := d.Write(ctx, "Contacts", revsync.OpDelete, revsync.Match{}, ups[3:4]); err != nil || del[0].Err != nil {
			t.Fatal(err, del)
		}
		var out []revsync.Result
		for start := 0; start < len(ups); start += d.MaxBatch(revsync.OpUpdate, len(ups)) {
			part, err := d.Write(ctx, "Contacts", revsync.OpUpdate, revsync.Match{}, ups[start:min(start+d.MaxBatch(revsync.OpUpdate, len(ups)), len(ups))])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, part...)
		}
		return out
	}
	upR, upB := update(dr, recsR, resR), update(db, recsB, resB)
	if len(upR) != len(upB) {
		t.Fatalf("%d and %d update results", len(upR), len(upB))
	}
	for i := range upR {
		if !sameResult(upR[i], upB[i]) {
			t.Errorf("update %d: REST %+v %+v, bulk %+v %+v", i, upR[i], upR[i].Err, upB[i], upB[i].Err)
		}
	}
	if e := upB[3].Err; e == nil || !e.Gone {
		t.Errorf("update of a deleted record: %+v", upB[3])
	}
	if bulk.BulkWriteJobs() != 2 {
		t.Errorf("%d bulk write jobs, want 2", bulk.BulkWriteJobs())
	}
	if a, b := contactsByEmail(rest), contactsByEmail(bulk); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("records differ after the updates:\n%v\n%v", a, b)
	}
}

// TestBulkThresholdBatches: above the threshold one Write takes the whole
// sync (deletes excepted); a negative threshold never does.
func TestBulkThresholdBatches(t *testing.T) {
	o := startOrg(t)
	for _, tc := range []struct {
		threshold int
		op        revsync.Op
		total     int
		want      int
	}{
		{0, revsync.OpUpsert, 10_000, 100},
		{0, revsync.OpUpsert, 10_001, 10_001},
		{50, revsync.OpUpdate, 51, 51},
		{50, revsync.OpDelete, 5_000, 100},
		{-1, revsync.OpInsert, 1_000_000, 100},
	} {
		if got := o.bulkDest(t, tc.threshold).MaxBatch(tc.op, tc.total); got != tc.want {
			t.Errorf("threshold %d, %s of %d: MaxBatch %d, want %d", tc.threshold, tc.op, tc.total, got, tc.want)
		}
	}
}
