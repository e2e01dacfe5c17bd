//go:build duckdb_arrow

package sync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	revsync "github.com/revops/revops/sync"
)

func TestZohoUpsertMatchesOnEmail(t *testing.T) {
	z := newZenv(t)
	ctx := context.Background()
	// A lead already in Zoho with the email of model row 3 (other case).
	res, err := z.dest.Write(ctx, "Leads", revsync.OpInsert, revsync.Match{}, []revsync.Record{
		{Values: map[string]any{"Last_Name": "Typed By Hand", "Email": "ZLEAD3@example.com"}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	z.zleadModel(t, 250)
	z.exec(t, `UPDATE syncs.zleads SET last_name = NULL WHERE lead_key = 'K0007'`)
	before := z.writes()
	rep, err := z.runner.Run(ctx, zleadSpec(revsync.ModeUpsert), z.dest, revsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// K0007 has no Last_Name (mandatory): refused before sending.
	if rep.Succeeded != 249 || rep.Failed != 1 || rep.Errors[0].Key != "K0007" || rep.Errors[0].Code != revsync.CodeRequiredMissing {
		t.Fatalf("run: %+v %v", rep.Counts, rep.Errors)
	}
	// ceil(249/100) upserts, and the update (by id) of the lead the
	// destination's own matching found.
	if n := z.writes() - before; n != 4 {
		t.Errorf("%d write calls for 249 records, want 4 = ceil(249/100) + 1", n)
	}
	if m := z.byField("Leads", "Email", "zlead3@example.com"); len(m) != 1 || m[0]["Last_Name"] != "Zoho 3" || m[0]["id"] != res[0].ID {
		t.Errorf("the existing lead was not matched on Email: %v", m)
	}
	if n := len(z.org.Records("Leads")); n != 249 {
		t.Errorf("%d leads in Zoho, want 249 (248 created + 1 matched)", n)
	}
	before = z.writes()
	if rep, err := z.runner.Run(ctx, zleadSpec(revsync.ModeUpsert), z.dest, revsync.Options{}); err != nil || rep.Planned != 0 || z.writes() != before {
		t.Errorf("re-run: %v %+v, %d writes", err, rep.Counts, z.writes()-before)
	}
}

func TestZohoMandatoryFieldsCheckedBeforeAnyWrite(t *testing.T) {
	z := newZenv(t)
	ctx := context.Background()
	z.zleadModel(t, 5)
	s := zleadSpec(revsync.ModeUpsert)
	delete(s.Mapping, "Last_Name")
	_, err := z.runner.Run(ctx, s, z.dest, revsync.Options{})
	if !errors.Is(err, revsync.ErrBadSpec) || !strings.Contains(err.Error(), "sync zleads: field Last_Name: mandatory") {
		t.Errorf("Leads without Last_Name: %v", err)
	}
	z.exec(t, `CREATE TABLE syncs.zdeals AS SELECT 'D1' AS deal_key, 'Big deal' AS name, 1000.5 AS amount`)
	deals := &revsync.Spec{Name: "zdeals", Model: "syncs.zdeals", Destination: revsync.Target{Source: "zoho_crm", Object: "Deals"},
		Mode: revsync.ModeInsert, Match: revsync.MatchSpec{By: revsync.MatchID}, Key: "deal_key",
		Mapping: map[string]revsync.FieldMap{"Amount": {Column: "amount"}}}
	_, err = z.runner.Run(ctx, deals, z.dest, revsync.Options{})
	for _, want := range []string{"field Deal_Name: mandatory", "field Stage: mandatory"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Deals without Deal_Name and Stage: want %q in %v", want, err)
		}
	}
	// Update mode never creates, so it needs no mandatory field.
	upd := zleadSpec(revsync.ModeUpdate)
	delete(upd.Mapping, "Last_Name")
	if _, err := z.runner.Run(ctx, upd, z.dest, revsync.Options{}); errors.Is(err, revsync.ErrBadSpec) {
		t.Errorf("update mode refused for a missing mandatory field: %v", err)
	}
	if z.writes() != 0 {
		t.Errorf("%d writes", z.writes())
	}
}

func TestZohoInsertModeSendsOnlyNewKeys(t *testing.T) {
	z := newZenv(t)
	ctx := context.Background()
	z.zleadModel(t, 30)
	s := zleadSpec(revsync.ModeInsert)
	if rep, err := z.runner.Run(ctx, s, z.dest, revsync.Options{}); err != nil || rep.Succeeded != 30 {
		t.Fatalf("first: %v %+v", err, rep)
	}
	z.exec(t, `UPDATE syncs.zleads SET company = 'Changed' WHERE lead_key = 'K0001'`)
	z.exec(t, `INSERT INTO syncs.zleads VALUES ('K9999', 'new@example.com', 'New', 'New Co')`)
	before := z.writes()
	rep, err := z.runner.Run(ctx, s, z.dest, revsync.Options{})
	if err != nil || rep.Added != 1 || rep.Succeeded != 1 || z.writes()-before != 1 {
		t.Fatalf("insert run: %v %+v, %d writes", err, rep.Counts, z.writes()-before)
	}
	if m := z.byField("Leads", "Email", "zlead1@example.com"); len(m) != 1 || m[0]["Company"] == "Changed" {
		t.Errorf("insert mode updated an existing record: %v", m)
	}
	if len(z.byField("Leads", "Email", "new@example.com")) != 1 || len(z.org.Records("Leads")) != 31 {
		t.Errorf("%d leads", len(z.org.Records("Leads")))
	}
}

func TestZohoUpdateModeNeverCreates(t *testing.T) {
	z := newZenv(t)
	ctx := context.Background()
	// Zoho holds leads 0..9; the model has 0..14.
	var recs []revsync.Record
	for i := range 10 {
		recs = append(recs, revsync.Record{Values: map[string]any{"Last_Name": "Old", "Email": "zlead" + itoa(i) + "@example.com"}})
	}
	if _, err := z.dest.Write(ctx, "Leads", revsync.OpInsert, revsync.Match{}, recs); err != nil {
		t.Fatal(err)
	}
	z.zleadModel(t, 15)
	rep, err := z.runner.Run(ctx, zleadSpec(revsync.ModeUpdate), z.dest, revsync.Options{})
	if err != nil || rep.Succeeded != 10 || rep.Failed != 5 {
		t.Fatalf("update: %v %+v", err, rep.Counts)
	}
	if n := len(z.org.Records("Leads")); n != 10 {
		t.Errorf("%d leads: update mode created records", n)
	}
	if m := z.byField("Leads", "Email", "zlead4@example.com"); len(m) != 1 || m[0]["Last_Name"] != "Zoho 4" {
		t.Errorf("lead 4 not updated: %v", m)
	}
	fails, _ := revsync.Failures(ctx, z.w, []string{"zleads"}, 0)
	if len(fails) != 5 || fails[0].Code != revsync.CodeNotFound {
		t.Errorf("failures: %+v", fails)
	}
}
