package zoho_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestWrites(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	c := newClient(t, config(ts))
	ctx := context.Background()
	if c.MaxBatch() != 100 {
		t.Fatal("MaxBatch")
	}
	// Insert: one good record, one without the mandatory Last_Name.
	res, err := c.Insert(ctx, "Leads", []map[string]any{
		{"Last_Name": "Daly", "Company": "ABC", "Email": "p.daly@zylker.com"},
		{"Company": "No Name"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !res[0].OK() || res[0].ID == "" || res[1].OK() || res[1].Code != "MANDATORY_NOT_FOUND" ||
		res[1].Details["api_name"] != "Last_Name" {
		t.Fatalf("insert results %+v", res)
	}
	if err := res[1].Err(); !zoho.IsCode(err, "MANDATORY_NOT_FOUND") {
		t.Fatalf("record error %v", err)
	}
	id := res[0].ID
	// Every record failing is still per-record results, not an error.
	res, err = c.Insert(ctx, "Leads", []map[string]any{{"Company": "x"}})
	if err != nil || len(res) != 1 || res[0].Code != "MANDATORY_NOT_FOUND" {
		t.Fatalf("all-failed insert: %v %+v", err, res)
	}
	// Update.
	res, err = c.Update(ctx, "Leads", []map[string]any{{"id": id, "City": "Lyon"}, {"id": "4150868000000999999", "City": "x"}})
	if err != nil || !res[0].OK() || res[1].OK() || res[1].Code != "INVALID_DATA" {
		t.Fatalf("update: %v %+v", err, res)
	}
	if rec, err := c.Get(ctx, "Leads", id); err != nil || rec["City"] != "Lyon" {
		t.Fatalf("get after update: %v %v", err, rec)
	}
	if _, err := c.Update(ctx, "Leads", []map[string]any{{"City": "no id"}}); err == nil {
		t.Fatal("update without id: want an error")
	}
	// Upsert on Email: the existing lead is updated, a new one inserted.
	res, err = c.Upsert(ctx, "Leads", []map[string]any{
		{"Last_Name": "Daly", "Email": "p.daly@zylker.com", "City": "Paris"},
		{"Last_Name": "Fresh", "Email": "fresh@zylker.com"},
	}, []string{"Email"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != "update" || res[0].DuplicateField != "Email" || res[0].ID != id || res[1].Action != "insert" {
		t.Fatalf("upsert results %+v", res)
	}
	// More than 100 records are refused before any call.
	before := c.Stats().Requests
	many := make([]map[string]any, 101)
	for i := range many {
		many[i] = map[string]any{"Last_Name": fmt.Sprint("N", i)}
	}
	for name, call := range map[string]func() ([]zoho.Result, error){
		"insert": func() ([]zoho.Result, error) { return c.Insert(ctx, "Leads", many) },
		"upsert": func() ([]zoho.Result, error) { return c.Upsert(ctx, "Leads", many, nil) },
		"delete": func() ([]zoho.Result, error) { return c.Delete(ctx, "Leads", make([]string, 101)) },
	} {
		if _, err := call(); err == nil || !strings.Contains(err.Error(), "101 records exceed") {
			t.Fatalf("%s of 101: %v", name, err)
		}
	}
	if c.Stats().Requests != before {
		t.Fatal("a refused batch was sent")
	}
	// Delete, then the deleted-records API lists it.
	res, err = c.Delete(ctx, "Leads", []string{id, "4150868000000999999"})
	if err != nil || !res[0].OK() || res[1].OK() {
		t.Fatalf("delete: %v %+v", err, res)
	}
	dels, err := c.Deleted(ctx, "Leads", time.Time{})
	if err != nil || len(dels) != 1 || dels[0].ID != id || dels[0].Type != "recycle" || dels[0].DeletedTime.IsZero() {
		t.Fatalf("deleted: %v %+v", err, dels)
	}
	if dels, err := c.Deleted(ctx, "Leads", time.Now().Add(time.Hour)); err != nil || len(dels) != 0 {
		t.Fatalf("deleted since later: %v %+v", err, dels)
	}
	if rec, err := c.Get(ctx, "Leads", id); err != nil || rec != nil {
		t.Fatalf("get deleted: %v %v", err, rec)
	}
}

func TestCOQLAndRelated(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1000)
	c := newClient(t, config(ts))
	ctx := context.Background()
	res, err := c.COQL(ctx, "select Deal_Name, Stage from Deals where Stage = 'Closed Won' limit 5")
	if err != nil || len(res.Data) == 0 || res.Data[0]["Stage"] != "Closed Won" {
		t.Fatalf("coql: %v %+v", err, res)
	}
	if _, err := c.COQL(ctx, "select from"); !zoho.IsCode(err, "SYNTAX_ERROR") {
		t.Fatalf("bad coql: %v", err)
	}
	deals := ts.Records("Deals")
	id := deals[0]["id"].(string)
	hist, err := c.Related(ctx, "Deals", id, "Stage_History", nil, time.Time{})
	if err != nil || len(hist) != len(ts.StageHistory(id)) || len(hist) == 0 {
		t.Fatalf("stage history: %v %d rows", err, len(hist))
	}
	mods, err := c.Modules(ctx)
	if err != nil || len(mods) < 5 {
		t.Fatalf("modules: %v %v", err, mods)
	}
	fields, err := c.Fields(ctx, "Deals")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if f.APIName == "Account_Name" && (f.DataType != "lookup" || f.LookupModule() != "Accounts") {
			t.Fatalf("lookup field %+v", f)
		}
		if f.APIName == "Stage" && (!f.SystemMandatory || len(f.PickListValues) == 0) {
			t.Fatalf("Stage %+v", f)
		}
		if f.APIName == "Amount" && (f.DecimalPlace == nil || *f.DecimalPlace != 2) {
			t.Fatalf("Amount %+v", f)
		}
	}
}

func TestDeskClient(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1000)
	c := newClient(t, config(ts))
	d, err := c.Desk()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n := 0
	err = d.List(ctx, "contacts", zoho.DeskListOptions{SortBy: "-modifiedTime", Limit: 50}, func(recs []map[string]any) (bool, error) {
		n += len(recs)
		return true, nil
	})
	if err != nil || n != len(ts.DeskRecords("contacts")) {
		t.Fatalf("contacts: %v, %d of %d", err, n, len(ts.DeskRecords("contacts")))
	}
	contact := ts.DeskRecords("contacts")[0]
	tk, err := d.CreateTicket(ctx, map[string]any{"subject": "Printer on fire", "departmentId": ts.DeskDepartmentID(),
		"contactId": contact["id"]})
	if err != nil || tk["id"] == nil {
		t.Fatalf("create: %v %v", err, tk)
	}
	id := tk["id"].(string)
	if tk, err = d.UpdateTicket(ctx, id, map[string]any{"priority": "High"}); err != nil || tk["priority"] != "High" {
		t.Fatalf("update: %v %v", err, tk)
	}
	if got, err := d.Get(ctx, "tickets", id); err != nil || got["subject"] != "Printer on fire" {
		t.Fatalf("get: %v %v", err, got)
	}
	if got, err := d.Get(ctx, "tickets", "1"); err != nil || got != nil {
		t.Fatalf("get unknown: %v %v", err, got)
	}
	if _, err := d.UpdateTicket(ctx, id, map[string]any{"bogus": 1}); !zoho.IsCode(err, "INVALID_DATA") {
		t.Fatalf("bad update: %v", err)
	}
	cfg := config(ts)
	cfg.OrgID = ""
	if _, err := newClient(t, cfg).Desk(); err == nil {
		t.Fatal("Desk without org id: want an error")
	}
}
