package zoho_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func deskClient(t *testing.T, ts *zohotest.TestServer, retries int) *zoho.Desk {
	t.Helper()
	cfg := config(ts)
	cfg.Limits.MaxRetries = retries
	d, err := newClient(t, cfg).Desk()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDeskRecordWrites: the Desk client creates, updates, searches, reads
// by ids and trashes contacts and accounts, and reads the fields API.
func TestDeskRecordWrites(t *testing.T) {
	ts := start(t, zohotest.Options{}, 200)
	if err := ts.AddDeskField("contacts", zohotest.DeskField{APIName: "cf_revops_key"}); err != nil {
		t.Fatal(err)
	}
	d := deskClient(t, ts, 3)
	ctx := context.Background()
	acct, err := d.Create(ctx, "accounts", map[string]any{"accountName": "Zylker Labs"})
	if err != nil || acct["accountName"] != "Zylker Labs" {
		t.Fatalf("create account: %v %v", err, acct)
	}
	c, err := d.Create(ctx, "contacts", map[string]any{"lastName": "Carol", "email": "lucas@zylker.example",
		"accountId": acct["id"], "cf": map[string]any{"cf_revops_key": "s:1"}})
	if err != nil || c["accountId"] != acct["id"] {
		t.Fatalf("create contact: %v %v", err, c)
	}
	id := c["id"].(string)
	if c, err = d.Update(ctx, "contacts", id, map[string]any{"title": "CTO"}); err != nil || c["title"] != "CTO" || c["lastName"] != "Carol" {
		t.Fatalf("update: %v %v", err, c)
	}
	var found []string
	err = d.Search(ctx, "contacts", url.Values{"customField1": {"cf_revops_key:s:1"}}, func(recs []map[string]any) (bool, error) {
		for _, r := range recs {
			found = append(found, r["id"].(string))
		}
		return true, nil
	})
	if err != nil || len(found) != 1 || found[0] != id {
		t.Fatalf("search: %v %v", err, found)
	}
	got, err := d.ContactsByIDs(ctx, []string{id, "1892000099999999"})
	if err != nil || len(got) != 1 || got[0]["title"] != "CTO" {
		t.Fatalf("by ids: %v %v", err, got)
	}
	fields, err := d.DeskFields(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	var last, key *zoho.DeskField
	for i := range fields {
		switch fields[i].APIName {
		case "lastName":
			last = &fields[i]
		case "cf_revops_key":
			key = &fields[i]
		}
	}
	if last == nil || !last.Mandatory || last.MaxLength != 200 || key == nil || !key.Custom || key.MaxLength != 100 {
		t.Fatalf("fields: %+v %+v", last, key)
	}

	// Typed errors.
	_, err = d.Create(ctx, "contacts", map[string]any{"email": "x@y.example"})
	if !zoho.IsInvalid(err) || !zoho.IsCode(err, "INVALID_DATA") || zoho.IsTransient(err) || zoho.IsNotFound(err) {
		t.Fatalf("contact without lastName: %v", err)
	}
	if err := d.MoveToTrash(ctx, "contacts", []string{id}); err != nil {
		t.Fatal(err)
	}
	_, err = d.Update(ctx, "contacts", id, map[string]any{"title": "gone"})
	if !zoho.IsNotFound(err) || zoho.IsTransient(err) || zoho.IsInvalid(err) {
		t.Fatalf("update of a trashed contact: %v", err)
	}
	if _, err := d.Update(ctx, "accounts", acct["id"].(string), map[string]any{"accountName": nil}); !zoho.IsInvalid(err) {
		t.Fatalf("clearing accountName: %v", err)
	}
}

// TestDeskWriteRetries: an update (PATCH) is sent again after a 5xx or a
// dropped answer; a create (POST) only after a 429: a create whose answer
// was dropped fails (IsTransient, not Unsent) and was written once; spent
// limits are IsRateLimited and Unsent; a locked record is IsLocked.
func TestDeskWriteRetries(t *testing.T) {
	faults := sandbox.NewFaults(1)
	counters := sandbox.NewCounters()
	ts := start(t, zohotest.Options{Faults: faults, Counters: counters}, 0)
	d := deskClient(t, ts, 2)
	ctx := context.Background()
	c, err := d.Create(ctx, "contacts", map[string]any{"lastName": "Base"})
	if err != nil {
		t.Fatal(err)
	}
	id := c["id"].(string)
	calls := func(method string) int64 {
		return counters.Sum(func(x sandbox.Count) bool { return x.System == "zoho_desk" && x.Method == method })
	}
	for _, kind := range []sandbox.FaultKind{sandbox.Fault503, sandbox.FaultDrop} {
		before := calls("PATCH")
		faults.FailNext(1, kind)
		if c, err := d.Update(ctx, "contacts", id, map[string]any{"title": string(kind)}); err != nil || c["title"] != string(kind) {
			t.Fatalf("update after %s: %v %v", kind, err, c)
		}
		if n := calls("PATCH") - before; n != 2 {
			t.Fatalf("update after %s: %d PATCHes, want 2", kind, n)
		}
	}
	faults.FailNext(1, sandbox.Fault429)
	if _, err := d.Create(ctx, "contacts", map[string]any{"lastName": "After429"}); err != nil {
		t.Fatalf("create after a 429: %v", err)
	}
	faults.FailNext(1, sandbox.FaultDrop)
	_, err = d.Create(ctx, "contacts", map[string]any{"lastName": "Dropped"})
	if err == nil || !zoho.IsTransient(err) || zoho.Unsent(err) {
		t.Fatalf("create with a dropped answer: %v (transient %v, unsent %v)", err, zoho.IsTransient(err), zoho.Unsent(err))
	}
	faults.FailNext(1, sandbox.Fault503)
	if _, err = d.Create(ctx, "contacts", map[string]any{"lastName": "After503"}); !zoho.IsTransient(err) || zoho.Unsent(err) {
		t.Fatalf("create after a 503: %v", err)
	}
	n := map[string]int{}
	for _, r := range ts.DeskRecords("contacts") {
		n[r["lastName"].(string)]++
	}
	if n["After429"] != 1 || n["Dropped"] != 1 || n["After503"] != 0 {
		t.Fatalf("contacts written: %v", n)
	}
	faults.Add(sandbox.Rule{Kind: sandbox.Fault429, Times: 3})
	_, err = d.Create(ctx, "contacts", map[string]any{"lastName": "Limited"})
	if !zoho.IsRateLimited(err) || !zoho.Unsent(err) || !zoho.IsTransient(err) {
		t.Fatalf("create past the limits: %v", err)
	}
	faults.Add(sandbox.Rule{Kind: sandbox.FaultLockRow, Records: []string{id}, Times: 1})
	if _, err = d.Update(ctx, "contacts", id, map[string]any{"title": "locked"}); !zoho.IsLocked(err) || zoho.IsInvalid(err) {
		t.Fatalf("update of a locked contact: %v", err)
	}
}
