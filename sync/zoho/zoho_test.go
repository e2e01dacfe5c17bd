package zoho_test

import (
	"context"
	"strings"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	extractzoho "github.com/revops/revops/extract/zoho"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/synctest"
	"github.com/revops/revops/sync/zoho"
)

func TestDescribeMapping(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	sc, err := d.Describe(context.Background(), "Deals")
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Fields
	if !f["Deal_Name"].Required || !f["Stage"].Required || f["Stage"].Type != revsync.TypePicklist || f["Stage"].Restricted {
		t.Errorf("Deal_Name %+v, Stage %+v", f["Deal_Name"], f["Stage"])
	}
	if er := f["Expected_Revenue"]; er.Createable || er.Updateable || er.Type != revsync.TypeCurrency {
		t.Errorf("Expected_Revenue %+v", er)
	}
	if a := f["Account_Name"]; a.Type != revsync.TypeLookup || len(a.ReferenceTo) != 1 || a.ReferenceTo[0] != "Accounts" {
		t.Errorf("Account_Name %+v", a)
	}
	if a := f["Amount"]; a.Scale != 2 || a.Type != revsync.TypeCurrency {
		t.Errorf("Amount %+v", a)
	}
	// Closing_Date and Account_Name are mandatory in a new org's standard
	// layout (read from the layouts API), not system-mandatory.
	if c := f["Closing_Date"]; c.Type != revsync.TypeDate || !c.Required || !f["Account_Name"].Required {
		t.Errorf("Closing_Date %+v, Account_Name %+v", c, f["Account_Name"])
	}
	if c := f["Contact_Name"]; c.Required {
		t.Errorf("Contact_Name %+v", c)
	}
	if !f["Deal_Name"].ExternalID || !f["Salesforce_Id"].ExternalID || !f["Salesforce_Id"].Unique || f["Salesforce_Id"].Length != 18 {
		t.Errorf("Deal_Name %+v, Salesforce_Id %+v", f["Deal_Name"], f["Salesforce_Id"])
	}
	for _, v := range f["Stage"].Picklist {
		if v == "-None-" {
			t.Error("-None- listed as a picklist value")
		}
	}
	if _, err := d.Describe(context.Background(), "Nope"); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown module: %v", err)
	}
}

func TestValuesRoundTrip(t *testing.T) {
	o := startOrg(t)
	if err := o.AddField("Contacts", zohotest.Field{APIName: "Tags__c", DataType: "multiselectpicklist", PickList: []string{"a", "b", "c"}, Custom: true}); err != nil {
		t.Fatal(err)
	}
	d := o.dest(t)
	ctx := context.Background()
	ev := map[string]any{"Event_Title": "Sync demo", "Start_DateTime": "2024-03-01T10:00:00Z", "End_DateTime": "2024-03-01T13:30:00+02:00"}
	res, err := d.Write(ctx, "Events", revsync.OpInsert, revsync.Match{}, []revsync.Record{{Values: ev}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("insert event: %v %+v", err, res)
	}
	got, err := d.Read(ctx, "Events", []string{res[0].ID}, []string{"Start_DateTime", "End_DateTime"})
	if err != nil {
		t.Fatal(err)
	}
	if v := got[res[0].ID]; v["Start_DateTime"] != "2024-03-01T10:00:00Z" || v["End_DateTime"] != "2024-03-01T11:30:00Z" {
		t.Errorf("datetimes read back %v", v)
	}
	c := map[string]any{"Last_Name": "Multi", "Tags__c": []string{"a", "c"}, "Email": "multi@example.com"}
	res, err = d.Write(ctx, "Contacts", revsync.OpInsert, revsync.Match{}, []revsync.Record{{Values: c}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("insert contact: %v %+v", err, res)
	}
	got, err = d.Read(ctx, "Contacts", []string{res[0].ID, "not-an-id", "4150868000000999999"}, []string{"Tags__c", "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !synctest.Same(got[res[0].ID]["Tags__c"], []string{"a", "c"}) {
		t.Errorf("read back %v", got)
	}
	if owner, _ := got[res[0].ID]["Owner"].(string); owner == "" {
		t.Errorf("Owner read back as %#v, want an id", got[res[0].ID]["Owner"])
	}
}

func TestWriteErrorMapping(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	dup := revsync.Match{By: revsync.MatchDuplicateCheck, Fields: []string{"Email"}}
	recs := []revsync.Record{
		{Values: map[string]any{"Last_Name": strings.Repeat("x", 81)}},
		{Values: map[string]any{"Last_Name": "ok", "No_of_Employees": "many"}},
		{Values: map[string]any{"Last_Name": "ok", "Email": "not an email"}},
		{Values: map[string]any{"Last_Name": "Good", "Salesforce_Id": "00Q000000000001"}},
	}
	res, err := d.Write(ctx, "Leads", revsync.OpUpsert, dup, recs)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"INVALID_DATA", "INVALID_DATA", "INVALID_DATA", ""} {
		r := res[i]
		switch {
		case want == "" && (r.Err != nil || !r.Created):
			t.Errorf("row %d: %+v %v", i, r, r.Err)
		case want != "" && (r.Err == nil || r.Err.Code != want || r.Err.Retryable || len(r.Err.Fields) != 1):
			t.Errorf("row %d: %+v, want %s naming its field", i, r.Err, want)
		}
	}
	t.Logf("errors: %v | %v | %v", res[0].Err, res[1].Err, res[2].Err)
	// A unique value another record holds.
	res, err = d.Write(ctx, "Leads", revsync.OpInsert, dup, []revsync.Record{{Values: map[string]any{"Last_Name": "Twin", "Salesforce_Id": "00Q000000000001"}}})
	if err != nil || res[0].Err == nil || res[0].Err.Code != "DUPLICATE_DATA" || res[0].Err.Fields[0] != "Salesforce_Id" {
		t.Errorf("duplicate: %v %+v", err, res)
	}
	// Refusals before any request.
	before := o.calls("")
	if _, err := d.Write(ctx, "Leads", revsync.OpInsert, dup, make([]revsync.Record, 101)); err == nil {
		t.Error("101 records accepted")
	}
	if _, err := d.Write(ctx, "Leads", revsync.OpUpsert, revsync.Match{By: "fuzzy"}, recs); err == nil {
		t.Error("unknown match accepted")
	}
	res, err = d.Write(ctx, "Leads", revsync.OpUpdate, dup, []revsync.Record{{Values: map[string]any{"Last_Name": "x"}}})
	if err != nil || res[0].Err == nil || res[0].Err.Code != "MISSING_ID" {
		t.Errorf("update without id: %v %+v", err, res)
	}
	if n := o.calls("") - before; n != 0 {
		t.Errorf("%d requests for refused writes", n)
	}
	if _, err := d.Write(ctx, "Nope", revsync.OpInsert, dup, recs[:1]); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown module: %v", err)
	}
}

func TestDeleteRetriedAfterDrop(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	res, err := d.Write(ctx, "Leads", revsync.OpInsert, revsync.Match{}, []revsync.Record{
		{Values: map[string]any{"Last_Name": "A"}}, {Values: map[string]any{"Last_Name": "B"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The delete is served, its answer lost; the transport sends it again,
	// Zoho answers "record not deleted", and COQL confirms they are gone.
	o.faults.FailNext(1, sandbox.FaultDrop)
	out, err := d.Write(ctx, "Leads", revsync.OpDelete, revsync.Match{}, []revsync.Record{{ID: res[0].ID}, {ID: res[1].ID}, {ID: "4150868000000999999"}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Err != nil || out[1].Err != nil || out[0].ID != res[0].ID {
		t.Errorf("delete after a drop: %+v %+v", out[0], out[1])
	}
	if out[2].Err != nil {
		t.Logf("unknown id: %v", out[2].Err)
	}
	if n := len(o.Records("Leads")); n != 0 {
		t.Errorf("%d leads left", n)
	}
}

func TestNewRefuses(t *testing.T) {
	o := startOrg(t)
	desk := extractzoho.Desk()
	desk.ClientID, desk.ClientSecret, desk.RefreshToken, desk.OrgID = "a", "b", "c", "1"
	if _, err := zoho.New(context.Background(), desk.ClientConfig("zoho_desk", nil), nil); err == nil {
		t.Error("desk options accepted")
	}
	opts := o.options()
	opts.ClientSecret = "wrong-secret-value"
	_, err := zoho.New(context.Background(), opts.ClientConfig("zoho_crm", nil), nil)
	if err == nil || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("wrong secret: %v", err)
	}
	if _, err := zoho.New(context.Background(), extractzoho.CRM().ClientConfig("zoho_crm", nil), nil); err == nil {
		t.Error("options without credentials accepted")
	}
}
