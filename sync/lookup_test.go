//go:build duckdb_arrow

package sync_test

import (
	"context"
	"testing"

	revsync "github.com/revops/revops/sync"
)

// accountSpec and contactSpec are two syncs; the contacts' AccountId is
// the id the accounts sync wrote for the contact's account_key.
func accountSpec() *revsync.Spec {
	return &revsync.Spec{Name: "accounts", Model: "syncs.accounts", Destination: revsync.Target{Source: "salesforce", Object: "Account"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Zoho_Account_Id__c"}, Key: "account_key",
		Mapping: map[string]revsync.FieldMap{"Zoho_Account_Id__c": {Column: "account_key"}, "Name": {Column: "name"}}}
}

func contactSpec() *revsync.Spec {
	return &revsync.Spec{Name: "contacts", Model: "syncs.contacts", Destination: revsync.Target{Source: "salesforce", Object: "Contact"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Zoho_Contact_Id__c"}, Key: "contact_key",
		Mapping: map[string]revsync.FieldMap{"Zoho_Contact_Id__c": {Column: "contact_key"}, "LastName": {Column: "last_name"},
			"AccountId": {Lookup: &revsync.LookupSpec{Sync: "accounts", Column: "account_key"}}}}
}

func TestLookupResolvedFromAnotherSyncsIDs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.exec(t, `CREATE TABLE syncs.accounts AS SELECT * FROM (VALUES ('A1', 'Acme'), ('A2', 'Globex')) t(account_key, name)`)
	e.exec(t, `CREATE TABLE syncs.contacts AS SELECT * FROM (VALUES ('C1', 'Ada', 'A1'), ('C2', 'Bob', 'A2'), ('C3', 'Cy', NULL))
		t(contact_key, last_name, account_key)`)
	// The contacts run first: their accounts were not written yet, so the
	// rows that need one fail alone (retryable); the one without stays.
	rep, err := e.runner.Run(ctx, contactSpec(), e.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 1 || rep.Failed != 2 {
		t.Fatalf("contacts before accounts: %v %+v", err, rep.Counts)
	}
	fails, _ := revsync.Failures(ctx, e.w, []string{"contacts"}, 0)
	if len(fails) != 2 || fails[0].Code != revsync.CodeLookupNotFound || !fails[0].Retryable || fails[0].Fields != "AccountId" {
		t.Fatalf("failures: %+v", fails)
	}
	if rep, err := e.runner.Run(ctx, accountSpec(), e.dest, revsync.Options{}); err != nil || rep.Succeeded != 2 {
		t.Fatalf("accounts: %v %+v", err, rep)
	}
	// Next run: the failed rows go, with the accounts' ids.
	rep, err = e.runner.Run(ctx, contactSpec(), e.dest, revsync.Options{})
	if err != nil || rep.Added != 2 || rep.Succeeded != 2 || rep.Failed != 0 {
		t.Fatalf("contacts after accounts: %v %+v %v", err, rep.Counts, rep.Errors)
	}
	accountID := map[any]any{}
	for _, a := range e.org.Records("Account") {
		if k := a["Zoho_Account_Id__c"]; k != nil {
			accountID[k] = a["Id"]
		}
	}
	want := map[any]any{"C1": accountID["A1"], "C2": accountID["A2"], "C3": nil}
	got := map[any]any{}
	for _, c := range e.org.Records("Contact") {
		if k := c["Zoho_Contact_Id__c"]; k != nil {
			got[k] = c["AccountId"]
		}
	}
	for k, id := range want {
		if got[k] != id || (k != "C3" && id == nil) {
			t.Errorf("contact %s: AccountId %v, want %v", k, got[k], id)
		}
	}
	if fails, _ := revsync.Failures(ctx, e.w, []string{"contacts"}, 0); len(fails) != 0 {
		t.Errorf("failures left: %+v", fails)
	}
	// Moving a contact to the other account resends only that contact.
	e.exec(t, `UPDATE syncs.contacts SET account_key = 'A1' WHERE contact_key = 'C2'`)
	rep, err = e.runner.Run(ctx, contactSpec(), e.dest, revsync.Options{})
	if err != nil || rep.Changed != 1 || rep.Succeeded != 1 {
		t.Fatalf("move: %v %+v", err, rep.Counts)
	}
	for _, c := range e.org.Records("Contact") {
		if c["Zoho_Contact_Id__c"] == "C2" && c["AccountId"] != accountID["A1"] {
			t.Errorf("C2 moved to %v, want %v", c["AccountId"], accountID["A1"])
		}
	}
}

func TestZohoLookupAccountName(t *testing.T) {
	z := newZenv(t)
	ctx := context.Background()
	z.exec(t, `CREATE TABLE syncs.zaccounts AS SELECT * FROM (VALUES ('A1', 'Initech Zoho'), ('A2', 'Hooli Zoho')) t(account_key, name)`)
	z.exec(t, `CREATE TABLE syncs.zcontacts AS SELECT * FROM (VALUES ('C1', 'Ada', 'ada@example.com', 'A1'), ('C2', 'Bob', 'bob@example.com', 'A2'))
		t(contact_key, last_name, email, account_key)`)
	accounts := &revsync.Spec{Name: "zaccounts", Model: "syncs.zaccounts", Destination: revsync.Target{Source: "zoho_crm", Object: "Accounts"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Account_Name"}}, Key: "account_key",
		Mapping: map[string]revsync.FieldMap{"Account_Name": {Column: "name"}}}
	contacts := &revsync.Spec{Name: "zcontacts", Model: "syncs.zcontacts", Destination: revsync.Target{Source: "zoho_crm", Object: "Contacts"},
		Mode: revsync.ModeUpsert, Match: revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}, Key: "contact_key",
		Mapping: map[string]revsync.FieldMap{"Email": {Column: "email"}, "Last_Name": {Column: "last_name"},
			"Account_Name": {Lookup: &revsync.LookupSpec{Sync: "zaccounts", Column: "account_key"}}}}
	rep, err := z.runner.Run(ctx, contacts, z.dest, revsync.Options{})
	if err != nil || rep.Failed != 2 || rep.Succeeded != 0 || z.writes() != 0 {
		t.Fatalf("contacts first: %v %+v, %d writes", err, rep.Counts, z.writes())
	}
	if _, err := z.runner.Run(ctx, accounts, z.dest, revsync.Options{}); err != nil {
		t.Fatal(err)
	}
	rep, err = z.runner.Run(ctx, contacts, z.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 2 {
		t.Fatalf("contacts after accounts: %v %+v %v", err, rep.Counts, rep.Errors)
	}
	acc := z.byField("Accounts", "Account_Name", "Initech Zoho")
	c := z.byField("Contacts", "Email", "ada@example.com")
	if len(acc) != 1 || len(c) != 1 {
		t.Fatalf("%d accounts, %d contacts", len(acc), len(c))
	}
	ref, _ := c[0]["Account_Name"].(map[string]any)
	if ref == nil || ref["id"] != acc[0]["id"] {
		t.Errorf("Ada's Account_Name %v, want {id: %v}", c[0]["Account_Name"], acc[0]["id"])
	}
}
