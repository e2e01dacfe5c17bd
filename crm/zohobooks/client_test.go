package zohobooks_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/crm/zohobooks"
	"github.com/revops/revops/crm/zohobooks/bookstest"
)

type env struct {
	accounts *zohotest.TestServer
	books    *bookstest.TestServer
	faults   *sandbox.Faults
}

func start(t *testing.T, opts bookstest.Options) *env {
	t.Helper()
	e := &env{accounts: zohotest.Start(zohotest.Options{}), faults: sandbox.NewFaults(1)}
	t.Cleanup(e.accounts.Close)
	opts.Tokens, opts.Faults = e.accounts, e.faults
	if opts.PerMinute == 0 {
		opts.PerMinute = -1
	}
	opts.CustomFields = append(opts.CustomFields, bookstest.CustomField{APIName: "cf_revops_id", Unique: true})
	e.books = bookstest.Start(opts)
	t.Cleanup(e.books.Close)
	return e
}

func (e *env) client(t *testing.T, org string, retries int) *zohobooks.Client {
	t.Helper()
	if org == "" {
		org = e.books.OrganizationID()
	}
	c, err := zohobooks.New(zohobooks.Config{AccountsURL: e.accounts.URL, APIDomain: e.books.URL, OrganizationID: org,
		ClientID: e.accounts.ClientID(), ClientSecret: e.accounts.ClientSecret(), RefreshToken: e.accounts.RefreshToken(),
		Limits: httpx.Limits{RequestsPerSecond: 1000, Burst: 1000, Concurrency: 2, MaxRetries: retries, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestContacts: create (201, ids as numbers or strings), get, list with
// paging and filters, update keeping the persons sent back and deleting
// the one left out, upsert by a unique custom field (created, then
// updated), delete and a 404 for what is gone.
func TestContacts(t *testing.T) {
	e := start(t, bookstest.Options{})
	c := e.client(t, "", 2)
	ctx := context.Background()
	if err := c.CheckOrganization(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 5 {
		ct, err := c.CreateContact(ctx, map[string]any{"contact_name": fmt.Sprintf("Acme %d", i),
			"billing_address": map[string]any{"city": "Berlin"},
			"contact_persons": []any{map[string]any{"first_name": "Ann", "last_name": fmt.Sprint(i), "email": fmt.Sprintf("ann%d@acme.example", i)},
				map[string]any{"last_name": "Second", "email": "second@acme.example"}}})
		if err != nil {
			t.Fatal(err)
		}
		if ct.ContactID == "" || len(ct.ContactPersons) != 2 || !ct.ContactPersons[0].IsPrimaryContact || ct.BillingAddress.City != "Berlin" {
			t.Fatalf("created %+v", ct)
		}
		ids = append(ids, string(ct.ContactID))
	}
	if _, err := c.CreateContact(ctx, map[string]any{"contact_name": "ACME 1"}); !zohobooks.IsInvalid(err) {
		t.Errorf("a second contact named ACME 1: %v, want a refusal", err)
	}
	if _, err := c.CreateContact(ctx, map[string]any{"company_name": "no name"}); !zohobooks.IsInvalid(err) || !strings.Contains(err.Error(), "contact_name") {
		t.Errorf("no contact_name: %v", err)
	}
	var seen []string
	pages := 0
	err := c.ListContacts(ctx, zohobooks.ListOptions{PerPage: 2}, func(cs []zohobooks.Contact) (bool, error) {
		pages++
		for _, x := range cs {
			seen = append(seen, string(x.ContactID))
		}
		return true, nil
	})
	if err != nil || pages != 3 || len(seen) != 5 {
		t.Fatalf("list: %v, %d pages, %v", err, pages, seen)
	}
	var found []zohobooks.Contact
	err = c.ListContacts(ctx, zohobooks.ListOptions{Filters: url.Values{"email": {"ANN3@acme.example"}}}, func(cs []zohobooks.Contact) (bool, error) {
		found = append(found, cs...)
		return true, nil
	})
	if err != nil || len(found) != 1 || string(found[0].ContactID) != ids[3] || found[0].Email != "ann3@acme.example" {
		t.Fatalf("by email: %v %+v", err, found)
	}
	got, err := c.GetContact(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	// Keep the primary person (changed), leave the second out: deleted.
	p := got.ContactPersons[0]
	upd, err := c.UpdateContact(ctx, ids[0], map[string]any{"contact_name": "Acme 0", "notes": "won",
		"contact_persons": []any{map[string]any{"contact_person_id": string(p.ContactPersonID), "first_name": "Anne"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(upd.ContactPersons) != 1 || upd.ContactPersons[0].ContactPersonID != p.ContactPersonID || upd.ContactPersons[0].FirstName != "Anne" ||
		upd.ContactPersons[0].Email != "ann0@acme.example" || upd.Notes != "won" {
		t.Errorf("updated: %+v", upd)
	}
	ct, created, err := c.UpsertContact(ctx, "cf_revops_id", "deal-1", map[string]any{"contact_name": "Upserted"})
	if err != nil || !created || ct.Custom("cf_revops_id") != "deal-1" {
		t.Fatalf("upsert create: %v %v %+v", err, created, ct)
	}
	ct2, created, err := c.UpsertContact(ctx, "cf_revops_id", "deal-1", map[string]any{"contact_name": "Upserted", "notes": "again"})
	if err != nil || created || ct2.ContactID != ct.ContactID || ct2.Notes != "again" {
		t.Fatalf("upsert update: %v %v %+v", err, created, ct2)
	}
	if err := c.DeleteContact(ctx, ids[4]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetContact(ctx, ids[4]); !zohobooks.IsNotFound(err) {
		t.Errorf("get deleted: %v", err)
	}
}

// TestWrongOrganization: a wrong organization_id is named in the error of
// the check and of any call.
func TestWrongOrganization(t *testing.T) {
	e := start(t, bookstest.Options{})
	c := e.client(t, "999", 0)
	ctx := context.Background()
	err := c.CheckOrganization(ctx)
	if !errors.Is(err, zohobooks.ErrWrongOrganization) || !strings.Contains(err.Error(), `organization_id "999"`) ||
		!strings.Contains(err.Error(), e.books.OrganizationID()) {
		t.Errorf("check: %v", err)
	}
	_, err = c.GetContact(ctx, "1")
	if !errors.Is(err, zohobooks.ErrWrongOrganization) || !strings.Contains(err.Error(), `organization_id "999"`) {
		t.Errorf("call: %v", err)
	}
	if zohobooks.IsInvalid(err) || zohobooks.IsTransient(err) {
		t.Errorf("a wrong organization is neither a row's fault nor transient: %v", err)
	}
}

// TestLimits: past the calls a day Books answers 429 (code 44); after the
// transport's retries the error is a rate limit (the call was not
// processed). A 429 injected by the sandbox is retried.
func TestLimits(t *testing.T) {
	e := start(t, bookstest.Options{PerDay: 3})
	c := e.client(t, "", 0)
	ctx := context.Background()
	var err error
	for range 4 {
		if _, err = c.Organizations(ctx); err != nil {
			break
		}
	}
	if !zohobooks.IsRateLimited(err) || !zohobooks.Unsent(err) || !zohobooks.IsTransient(err) {
		t.Errorf("4th call a day with a cap of 3: %v", err)
	}
	e2 := start(t, bookstest.Options{})
	c2 := e2.client(t, "", 2)
	e2.faults.FailNext(1, sandbox.Fault429)
	if _, err := c2.Organizations(ctx); err != nil {
		t.Errorf("after one injected 429: %v", err)
	}
}

// TestScopes: a token without Books scopes is refused with code 57, and
// the client does not fetch new tokens for it (a new one has the same
// scopes).
func TestScopes(t *testing.T) {
	accounts := zohotest.Start(zohotest.Options{Scopes: []string{"ZohoCRM.modules.ALL"}})
	defer accounts.Close()
	books := bookstest.Start(bookstest.Options{Tokens: accounts, PerMinute: -1})
	defer books.Close()
	c, err := zohobooks.New(zohobooks.Config{AccountsURL: accounts.URL, APIDomain: books.URL, OrganizationID: books.OrganizationID(),
		ClientID: accounts.ClientID(), ClientSecret: accounts.ClientSecret(), RefreshToken: accounts.RefreshToken(),
		Limits: httpx.Limits{RequestsPerSecond: 1000, Burst: 1000, MaxRetries: 1}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.ListContacts(context.Background(), zohobooks.ListOptions{}, func([]zohobooks.Contact) (bool, error) { return true, nil })
	var ae *zohobooks.APIError
	if !errors.As(err, &ae) || ae.Code != zohobooks.CodeNotAuthorized || ae.Status != 401 {
		t.Fatalf("without scopes: %v", err)
	}
	// One token fetch and one list call: a missing scope is not a dead
	// token, so no new token is fetched and the call is not replayed.
	if n := c.Stats().Requests; n != 2 {
		t.Errorf("%d requests, want 2 (a token, a list call)", n)
	}
}
