package zohodesk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	revsync "github.com/revops/revops/sync"
)

// TestManyMatchedInMemory: a sync matching more records than the Desk
// collection has pages lists it once (a probe, then pages of 100) and
// matches in memory, with the stamp, the e-mail (any case) and first +
// last name within the account, as the searches do: no search call,
// each record one write, plus one read of what changed before each
// Write's first create. A contact a user creates in Desk after the list
// was read, and one whose e-mail a user edits to match, are updated,
// never duplicated; twins of one run make one record.
func TestManyMatchedInMemory(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	// The org: 150 contacts a user entered, one account.
	acct := insert(t, d, "accounts", map[string]any{"accountName": "Zylker Labs"})[0]
	var seed []map[string]any
	for i := range 150 {
		seed = append(seed, map[string]any{"lastName": fmt.Sprintf("Held %d", i), "firstName": "Ann",
			"email": fmt.Sprintf("Held%d@Example.com", i)})
	}
	seed[7]["email"], seed[7]["accountId"] = nil, acct // matched by name within the account
	for start := 0; start < len(seed); start += 20 {
		insert(t, d, "contacts", seed[start:min(start+20, len(seed))]...)
	}

	m := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"cf_revops_key", "email", "firstName+lastName+accountId"}}
	const n = 100 // rows: 0–39 held by Desk, 40–99 new; 95 twins 94
	row := func(i int) revsync.Record {
		v := map[string]any{"cf_revops_key": fmt.Sprintf("k%d", i), "lastName": fmt.Sprintf("Row %d", i), "title": "Synced",
			"email": fmt.Sprintf("row%d@example.com", i)}
		switch {
		case i < 40:
			v["email"], v["lastName"] = fmt.Sprintf("  held%d@EXAMPLE.com ", i), fmt.Sprintf("Held %d", i)
		case i == 95:
			v["cf_revops_key"], v["email"] = "k94", "row94@example.com"
		}
		if i == 7 {
			v["email"], v["firstName"], v["accountId"] = nil, "ann", acct
		}
		return revsync.Record{Key: fmt.Sprint(i), Values: v}
	}
	if got := d.MaxBatch(revsync.OpUpsert, n); got != 20 {
		t.Fatalf("MaxBatch = %d", got)
	}
	before := o.calls("", "/api/v1/")
	beforeWrites := o.writes()
	results := map[int]revsync.Result{}
	for start := 0; start < n; start += 20 {
		var recs []revsync.Record
		for i := start; i < start+20; i++ {
			recs = append(recs, row(i))
		}
		if start == 40 {
			// After the list was read: a user adds row 50's person (by
			// e-mail, in another case) and gives a held contact row 60's
			// e-mail.
			insert(t, d, "contacts", map[string]any{"lastName": "Fifty", "email": "ROW50@example.com"})
			held := o.records("contacts", "email", "held140@example.com")
			if len(held) != 1 {
				t.Fatalf("held140: %v", held)
			}
			if _, err := d.Write(ctx, "contacts", revsync.OpUpdate, revsync.Match{By: revsync.MatchID},
				[]revsync.Record{{Key: "u", ID: fmt.Sprint(held[0]["id"]), Values: map[string]any{"email": "row60@example.com"}}}); err != nil {
				t.Fatal(err)
			}
			before += 2 // the user's two writes
			beforeWrites += 2
		}
		res, err := d.Write(ctx, "contacts", revsync.OpUpsert, m, recs)
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range res {
			if r.Err != nil {
				t.Fatalf("row %d: %v", start+j, r.Err)
			}
			results[start+j] = r
		}
	}
	calls, writes := o.calls("", "/api/v1/")-before, o.writes()-beforeWrites
	if s := o.calls("GET", "/api/v1/contacts/search"); s != 0 {
		t.Errorf("%d searches, want 0 (matched in memory)", s)
	}
	// 100 writes; the probe and 3 pages of the 190 contacts; one read of
	// what changed before each later Write's creates (4).
	if writes != n || calls > n+1+3+4 {
		t.Errorf("%d calls, %d of them writes, for %d rows; want %d writes and at most %d calls", calls, writes, n, n, n+8)
	}
	t.Logf("%d rows matched and written in %d Desk calls (%d writes)", n, calls, writes)

	for i := range 40 {
		if r := results[i]; r.Created {
			t.Errorf("row %d held by Desk was created: %+v", i, r)
		}
	}
	for _, i := range []int{50, 60} {
		if r := results[i]; r.Created {
			t.Errorf("row %d, whose person a user added after the list was read, was created: %+v", i, r)
		}
	}
	if results[95].ID != results[94].ID {
		t.Errorf("twins: %s and %s", results[94].ID, results[95].ID)
	}
	// No e-mail held twice, each row's contact once.
	seen := map[string]int{}
	for _, c := range o.DeskRecords("contacts") {
		if e, _ := c["email"].(string); e != "" {
			seen[strings.ToLower(strings.TrimSpace(e))]++
		}
	}
	for e, k := range seen {
		if k > 1 {
			t.Errorf("%d contacts hold %s", k, e)
		}
	}
	if c := o.records("contacts", "lastName", "Held 7"); len(c) != 1 || c[0]["title"] != "Synced" {
		t.Errorf("the contact matched by name within its account: %v", c)
	}
	if got, want := len(o.DeskRecords("contacts")), 150+1+(n-40-2-1); got != want {
		t.Errorf("%d contacts, want %d", got, want)
	}
}
