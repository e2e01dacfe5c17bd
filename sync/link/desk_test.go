//go:build duckdb_arrow

package link_test

import (
	"context"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
	extractsf "github.com/revops/revops/extract/salesforce"
	extractzoho "github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/sync/link"
)

// Zoho Desk contacts ⇄ Salesforce contacts, paired by e-mail. revops does
// not write to Desk, so every field is read_only from Desk: Desk's values
// fill Salesforce once, and the next runs write nothing.
func TestDeskToSalesforceContacts(t *testing.T) {
	wd := newWorld(t, 0)
	world := sandbox.Generate(sandbox.Options{Seed: 7, Records: 200})
	wd.sf.Seed(world.Project(sandbox.Salesforce))
	wd.zo.SeedDesk(world.Project(sandbox.ZohoDesk))
	s := spec(t, `  - name: desk_contacts
    left: {source: zoho_desk, object: contacts}
    right: {source: salesforce, object: Contact}
    pair: {by: key, left: email, right: Email, type: email}
    fields:
      - {left: phone, right: Phone, owner: read_only, from: zoho_desk}
      - {left: [firstName, lastName], right: [FirstName, LastName], owner: read_only, from: zoho_desk}
`)
	ctx := context.Background()
	extractBoth := func() {
		t.Helper()
		desk := extractzoho.Desk()
		desk.AccountsURL, desk.DeskURL, desk.OrgID = wd.zo.URL, wd.zo.URL, wd.zo.OrgID()
		desk.ClientID, desk.ClientSecret, desk.RefreshToken = wd.zo.ClientID(), wd.zo.ClientSecret(), wd.zo.RefreshToken()
		desk.Modules, desk.Limits, desk.TokenCacheDir = []string{"contacts"}, limits, wd.zoOpts.TokenCacheDir
		dx, err := extractzoho.New(ctx, "zoho_desk", desk, nil)
		if err != nil {
			t.Fatal(err)
		}
		o := wd.sfOpts
		o.Objects, o.History = []string{"Contact"}, []string{}
		sx, err := extractsf.New(ctx, "salesforce", o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&extract.Runner{Warehouse: wd.w}).Run(ctx, []extract.Source{{Name: "zoho_desk", Extractor: dx}, {Name: "salesforce", Extractor: sx}}, extract.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	extractBoth()
	dests := wd.dests
	dests[0] = nil // no destination for Desk
	for run := 1; run <= 3; run++ {
		before := wd.writes()
		rep, err := wd.runner.Run(ctx, s, dests, link.Options{})
		if err != nil {
			t.Fatal(err)
		}
		after := wd.writes()
		if run == 1 && (rep.Pairs == 0 || rep.Sides[1].Updated == 0) {
			t.Fatalf("run 1: %+v", rep)
		}
		if run > 1 && (after[1] != before[1] || rep.Updated != 0) {
			t.Fatalf("run %d wrote again: %+v", run, rep)
		}
		if after[0] != before[0] {
			t.Fatal("a write reached Zoho")
		}
		t.Logf("run %d: %d pairs, %d Salesforce contacts updated in %d calls, %d unpaired by e-mail (%d/%d), %d ambiguous", run, rep.Pairs,
			rep.Sides[1].Updated, after[1]-before[1], rep.Unpaired.MissingKey[0]+rep.Unpaired.MissingKey[1], rep.Unpaired.NoPartner[0], rep.Unpaired.NoPartner[1], rep.Unpaired.Ambiguous)
		extractBoth()
	}
}
