package zohodesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/zohodesk"
)

var byEmail = revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"email"}}

// insert writes records of kind through d and returns their ids.
func insert(t *testing.T, d *zohodesk.Destination, kind string, values ...map[string]any) []string {
	t.Helper()
	recs := make([]revsync.Record, len(values))
	for i, v := range values {
		recs[i] = revsync.Record{Key: "seed", Values: v}
	}
	res, err := d.Write(context.Background(), kind, revsync.OpInsert, revsync.Match{}, recs)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("insert %v: %v", values[i], r.Err)
		}
		ids[i] = r.ID
	}
	return ids
}

// TestDuplicateCheck: a contact whose e-mail Desk already holds (in
// another case, with spaces) is updated, not created; an account matches
// on its name in any case and spacing; a row matching several records is
// refused with AMBIGUOUS_MATCH and both candidates, unwritten.
func TestDuplicateCheck(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	ids := insert(t, d, "contacts", map[string]any{"lastName": "Carol", "email": "Lucas.Carol@Zylker.example"},
		map[string]any{"lastName": "Twin A", "email": "twin@example.com"}, map[string]any{"lastName": "Twin B", "email": "TWIN@example.com"})
	acct := insert(t, d, "accounts", map[string]any{"accountName": "Zylker  Labs"})

	before := o.calls("POST", "/api/v1/contacts")
	res, err := d.Write(ctx, "contacts", revsync.OpUpsert, byEmail, []revsync.Record{
		{Key: "k1", Values: map[string]any{"email": "LUCAS.carol@zylker.EXAMPLE", "lastName": "Carol", "title": "CTO"}},
		{Key: "k2", Values: map[string]any{"email": "twin@example.com", "lastName": "Twin", "title": "Which?"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].Created || res[0].ID != ids[0] {
		t.Errorf("existing e-mail: %+v, want an update of %s", res[0], ids[0])
	}
	if c := o.records("contacts", "email", "lucas.carol@zylker.example"); len(c) != 1 || c[0]["title"] != "CTO" {
		t.Errorf("contacts with the e-mail: %v", c)
	}
	e := res[1].Err
	if e == nil || e.Code != revsync.CodeAmbiguousMatch || len(e.Candidates) != 2 || e.Candidates[0].ID != ids[1] ||
		e.Candidates[1].ID != ids[2] || e.Candidates[0].Via != "email" {
		t.Fatalf("two contacts with the e-mail: %+v", res[1])
	}
	for _, c := range o.records("contacts", "email", "twin@example.com") {
		if c["title"] != nil {
			t.Errorf("an ambiguous row was written: %v", c)
		}
	}
	if n := o.calls("POST", "/api/v1/contacts"); n != before {
		t.Errorf("%d creates for rows that all matched", n-before)
	}
	// Find tells one match from several.
	found, err := d.Find(ctx, "contacts", byEmail, []map[string]any{{"email": " LUCAS.CAROL@zylker.example  "}, {"email": "twin@example.com"}})
	if err != nil || found[0] != ids[0] || found[1] != "" {
		t.Errorf("Find: %v %v", found, err)
	}

	res, err = d.Write(ctx, "accounts", revsync.OpUpsert, revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"accountName"}},
		[]revsync.Record{{Key: "a", Values: map[string]any{"accountName": "zylker labs", "industry": "Software"}}})
	if err != nil || res[0].Err != nil || res[0].Created || res[0].ID != acct[0] {
		t.Fatalf("account by name: %v %+v", err, res)
	}
	if a := o.DeskRecords("accounts"); len(a) != 1 || a[0]["industry"] != "Software" || a[0]["accountName"] != "zylker labs" {
		t.Errorf("accounts: %v", a)
	}
}

// TestContactsWithoutEmail: matched by [email, cf_revops_key], a contact
// without e-mail is created, found again by the key in the custom field
// (an upsert updates it), and a create whose answer is lost is found by
// that key instead of being created twice; twins of one batch make one
// record.
func TestContactsWithoutEmail(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"email", "cf_revops_key"}}
	row := func(key, title string) revsync.Record {
		return revsync.Record{Key: key, Values: map[string]any{"lastName": "No Mail " + key, "cf_revops_key": "desk_contacts:" + key,
			"title": title, "email": nil}}
	}
	res, err := d.Write(ctx, "contacts", revsync.OpUpsert, m, []revsync.Record{row("K1", "first")})
	if err != nil || res[0].Err != nil || !res[0].Created {
		t.Fatalf("create: %v %+v", err, res)
	}
	id := res[0].ID
	res, err = d.Write(ctx, "contacts", revsync.OpUpsert, m, []revsync.Record{row("K1", "second")})
	if err != nil || res[0].Err != nil || res[0].Created || res[0].ID != id {
		t.Fatalf("again: %v %+v, want an update of %s", err, res, id)
	}
	if c := o.DeskRecords("contacts"); len(c) != 1 || c[0]["title"] != "second" || c[0]["email"] != nil {
		t.Fatalf("contacts: %v", c)
	}
	// A dropped answer: the contact was created; it is found by its key.
	o.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, Method: "POST", Endpoint: "/api/v1/contacts", Times: 1})
	res, err = d.Write(ctx, "contacts", revsync.OpUpsert, m, []revsync.Record{row("K2", "dropped"), row("K3", "after")})
	if err != nil || res[0].Err != nil || !res[0].Created || res[1].Err != nil {
		t.Fatalf("with a dropped answer: %v %+v", err, res)
	}
	if c := o.records("contacts", "lastName", "No Mail K2"); len(c) != 1 || c[0]["id"] != res[0].ID {
		t.Fatalf("K2 written %d times: %v", len(c), c)
	}
	// Twins in one batch: the second updates what the first created.
	twin := func(title string) revsync.Record {
		return revsync.Record{Key: "T", Values: map[string]any{"lastName": "Twin", "email": "new.twin@example.com", "title": title}}
	}
	res, err = d.Write(ctx, "contacts", revsync.OpUpsert, m, []revsync.Record{twin("one"), twin("two")})
	if err != nil || !res[0].Created || res[1].Created || res[1].ID != res[0].ID {
		t.Fatalf("twins: %v %+v", err, res)
	}
	if c := o.records("contacts", "email", "new.twin@example.com"); len(c) != 1 || c[0]["title"] != "two" {
		t.Fatalf("twins made %v", c)
	}
}

// TestNeverDeletesAndGone: a delete is refused row by row without a call;
// an update of a contact moved to Desk's trash fails alone with Gone set
// and creates nothing; an insert whose answer is lost and that has no
// match values fails the Write (the engine resolves it).
func TestNeverDeletesAndGone(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	ids := insert(t, d, "contacts", map[string]any{"lastName": "Kept", "email": "kept@example.com"},
		map[string]any{"lastName": "Trashed", "email": "trashed@example.com"})
	before := o.calls("", "/api/v1/")
	res, err := d.Write(ctx, "contacts", revsync.OpDelete, byEmail, []revsync.Record{{Key: "a", ID: ids[0]}, {Key: "b", ID: ids[1]}})
	if err != nil || res[0].Err == nil || res[0].Err.Code != zohodesk.CodeNotSupported || res[0].Err.Retryable || res[1].Err == nil {
		t.Fatalf("delete: %v %+v", err, res)
	}
	if n := o.calls("", "/api/v1/") - before; n != 0 || len(o.DeskRecords("contacts")) != 2 {
		t.Fatalf("a refused delete made %d calls", n)
	}
	if err := o.MoveDeskToTrash("contacts", ids[1]); err != nil {
		t.Fatal(err)
	}
	for _, op := range []revsync.Op{revsync.OpUpdate, revsync.OpUpsert} {
		res, err = d.Write(ctx, "contacts", op, byEmail, []revsync.Record{
			{Key: "b", ID: ids[1], Values: map[string]any{"lastName": "Trashed", "email": "trashed@example.com", "title": "x"}},
			{Key: "a", ID: ids[0], Values: map[string]any{"title": "still here"}}})
		if err != nil || res[0].Err == nil || !res[0].Err.Gone || res[1].Err != nil {
			t.Fatalf("%s of a trashed contact: %v %+v", op, err, res)
		}
		if !strings.Contains(res[0].Err.Message, ids[1]) {
			t.Errorf("gone message names no id: %s", res[0].Err.Message)
		}
	}
	if n := len(o.DeskRecords("contacts")); n != 1 {
		t.Fatalf("%d contacts: a write to a trashed record created one", n)
	}
	o.faults.FailNext(1, sandbox.FaultDrop)
	if _, err := d.Write(ctx, "contacts", revsync.OpInsert, revsync.Match{By: revsync.MatchID},
		[]revsync.Record{{Key: "c", Values: map[string]any{"lastName": "Lost"}}}); err == nil {
		t.Fatal("an insert with a lost answer and no match values: want the Write to fail")
	}
}

// TestBadInput: objects other than contacts and accounts, match fields
// Desk cannot search, and more records than one Write takes are refused
// before any call; Desk's own refusals name the field.
func TestBadInput(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	if _, err := d.Describe(ctx, "tickets"); err == nil || !strings.Contains(err.Error(), "contacts and accounts") {
		t.Errorf("tickets: %v", err)
	}
	if _, err := d.Describe(ctx, "contacts"); err != nil {
		t.Fatal(err)
	}
	before := o.calls("", "/api/v1/")
	_, err := d.Write(ctx, "contacts", revsync.OpUpsert, revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"title"}},
		[]revsync.Record{{Key: "a", Values: map[string]any{"lastName": "X", "title": "CEO"}}})
	if err == nil || !strings.Contains(err.Error(), "cannot filter on title") {
		t.Errorf("match by title: %v", err)
	}
	_, err = d.Write(ctx, "contacts", revsync.OpUpsert, revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}},
		[]revsync.Record{{Key: "a", Values: map[string]any{"lastName": "X"}}})
	if err == nil || !strings.Contains(err.Error(), "no field Email") {
		t.Errorf("match by Email: %v", err)
	}
	recs := make([]revsync.Record, zohodesk.MaxWrite+1)
	if _, err := d.Write(ctx, "contacts", revsync.OpInsert, byEmail, recs); err == nil {
		t.Error("21 records: want an error")
	}
	if n := o.calls("", "/api/v1/") - before; n != 0 {
		t.Errorf("refused writes made %d calls", n)
	}
	res, err := d.Write(ctx, "contacts", revsync.OpInsert, byEmail, []revsync.Record{
		{Key: "a", Values: map[string]any{"lastName": "X", "email": "not an address"}},
		{Key: "b", Values: map[string]any{"lastName": strings.Repeat("x", 201), "email": "b@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if e := res[0].Err; e == nil || e.Code != "INVALID_DATA" || len(e.Fields) != 1 || e.Fields[0] != "email" || e.Retryable {
		t.Errorf("bad e-mail: %+v", e)
	}
	if e := res[1].Err; e == nil || e.Fields[0] != "lastName" || !strings.Contains(e.Message, "200") {
		t.Errorf("long lastName: %+v", e)
	}
}

// TestMatchByNameAndAccount: a contact without e-mail is matched by an
// entry whose account part Desk's search cannot filter on
// (firstName+lastName+accountId): searched by name, compared by account.
// The person in the same account is updated; the namesake in another
// account is not touched, and a row for a third account creates one.
func TestMatchByNameAndAccount(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	accts := insert(t, d, "accounts", map[string]any{"accountName": "Zylker"}, map[string]any{"accountName": "Acme"},
		map[string]any{"accountName": "Initech"})
	insert(t, d, "contacts", map[string]any{"firstName": "Ann", "lastName": "Lee", "accountId": accts[0]},
		map[string]any{"firstName": "Ann", "lastName": "Lee", "accountId": accts[1]})
	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"cf_revops_key", "email", "firstName+lastName+accountId"}}
	row := func(key, acct string) revsync.Record {
		return revsync.Record{Key: key, Values: map[string]any{"firstName": "ann", "lastName": "Lee", "accountId": acct,
			"cf_revops_key": key, "title": "Buyer " + key}}
	}
	before := o.calls("GET", "/api/v1/contacts/search")
	res, err := d.Write(ctx, "contacts", revsync.OpUpsert, m, []revsync.Record{row("k1", accts[1]), row("k2", accts[2])})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	if res[0].Created || !res[1].Created {
		t.Fatalf("created %v %v, want an update of Acme's Ann Lee and a new contact in Initech", res[0].Created, res[1].Created)
	}
	// Each row: the key (no match), the name; e-mail is empty.
	if n := o.calls("GET", "/api/v1/contacts/search") - before; n != 4 {
		t.Errorf("%d searches, want 4", n)
	}
	for _, c := range o.records("contacts", "lastName", "Lee") {
		want := map[string]string{accts[0]: "", accts[1]: "Buyer k1"}[c["accountId"].(string)]
		if c["accountId"] == accts[2] {
			want = "Buyer k2"
		}
		if got, _ := c["title"].(string); got != want {
			t.Errorf("Ann Lee of account %v: title %q, want %q", c["accountId"], got, want)
		}
	}
	if n := len(o.records("contacts", "lastName", "Lee")); n != 3 {
		t.Errorf("%d contacts named Lee, want 3", n)
	}
	// An entry with no part Desk's search filters on is refused.
	_, err = d.Write(ctx, "contacts", revsync.OpUpsert, revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"accountId+title"}},
		[]revsync.Record{row("k3", accts[0])})
	if err == nil || !strings.Contains(err.Error(), "cannot filter on accountId or title") {
		t.Errorf("an entry of fields Desk cannot search: %v", err)
	}
}
