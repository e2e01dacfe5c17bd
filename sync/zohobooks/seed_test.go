package zohobooks_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	revsync "github.com/revops/revops/sync"
)

// TestSeededCustomersNotDuplicated: Books seeded from the world holds
// some won companies as customers; upserting every won company (its
// name, its first person's e-mail, the company id as the key) updates
// those and creates the others: one customer per company, none twice.
// The organization's state survives Save and Load.
func TestSeededCustomersNotDuplicated(t *testing.T) {
	o := startOrg(t)
	world := sandbox.Generate(sandbox.Options{Seed: 7, Records: 300})
	truth := o.books.Seed(world)
	if len(truth) == 0 {
		t.Fatal("seeded no customers")
	}
	d := o.dest(t)
	ctx := context.Background()
	if _, err := d.Describe(ctx, "contacts"); err != nil {
		t.Fatal(err)
	}
	won, email := map[int]bool{}, map[int]string{}
	for _, deal := range world.Deals {
		if deal.Stage.Won() && deal.CompanyIdx >= 0 {
			won[deal.CompanyIdx] = true
		}
	}
	for _, p := range world.People {
		if _, ok := email[p.CompanyIdx]; !ok && !p.IsLead {
			email[p.CompanyIdx] = p.Email
		}
	}
	names := map[string]bool{}
	var recs []revsync.Record
	for i, co := range world.Companies {
		if !won[i] || names[co.Name] {
			continue
		}
		names[co.Name] = true
		recs = append(recs, revsync.Record{Key: co.EntityID, Values: map[string]any{"cf_revops_id": co.EntityID,
			"contact_name": co.Name, "email": email[i], "billing_city": co.City}})
	}
	created, updated := 0, 0
	for start := 0; start < len(recs); start += 20 {
		res, err := d.Write(ctx, "contacts", revsync.OpUpsert, byKey, recs[start:min(start+20, len(recs))])
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil {
				t.Fatalf("%s: %v", recs[start+i].Key, r.Err)
			}
			if r.Created {
				created++
			} else {
				updated++
			}
		}
	}
	if updated != len(truth) || created != len(recs)-len(truth) {
		t.Errorf("%d updated, %d created; want %d seeded customers updated, %d created", updated, created, len(truth), len(recs)-len(truth))
	}
	if n := len(o.books.Records("contacts")); n != len(recs) {
		t.Errorf("%d customers for %d companies", n, len(recs))
	}
	var buf bytes.Buffer
	if err := o.books.Save(&buf); err != nil {
		t.Fatal(err)
	}
	o2 := startOrg(t)
	if err := o2.books.Load(&buf); err != nil {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(o.books.Records("contacts")), fmt.Sprint(o2.books.Records("contacts")); a != b {
		t.Error("the loaded organization differs from the saved one")
	}
}
