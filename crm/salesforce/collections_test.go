package salesforce_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/crm/salesforce/sftest"
)

func TestCollections(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	if c.MaxBatch() != 200 {
		t.Fatalf("MaxBatch = %d", c.MaxBatch())
	}

	// create: one good, one missing a required field
	res, err := c.Create(ctx, "Account", []map[string]any{{"Name": "Acme"}, {"Website": "x.example"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Success || len(res[0].ID) != 18 || res[1].Success || res[1].ID != "" {
		t.Fatalf("create results %+v", res)
	}
	var re salesforce.RecordError
	if !errors.As(res[1].Err(), &re) || re.StatusCode != "REQUIRED_FIELD_MISSING" || re.Fields[0] != "Name" {
		t.Errorf("create error %+v", res[1].Err())
	}
	acme := res[0].ID

	// all or none: both roll back
	res, err = c.Create(ctx, "Account", []map[string]any{{"Name": "Kept?"}, {"Website": "y"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Success || res[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" {
		t.Errorf("allOrNone results %+v", res)
	}

	// update: by Id; a malformed id fails its own row only
	res, err = c.Update(ctx, "Account", []map[string]any{{"Id": acme, "Industry": "Banking"}, {"Id": "001000000000000", "Name": "x"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Success || res[1].Success {
		t.Errorf("update results %+v", res)
	}
	if _, err := c.Update(ctx, "Account", []map[string]any{{"Name": "no id"}}, false); err == nil {
		t.Error("update without Id accepted")
	}

	// upsert on the external id: create then update
	recs := []map[string]any{{"Zoho_Account_Id__c": "Z-1", "Name": "Zed"}, {"Zoho_Account_Id__c": "Z-2", "Name": "Zwei"}}
	res, err = c.Upsert(ctx, "Account", "Zoho_Account_Id__c", recs, false)
	if err != nil || !res[0].Success || !res[0].Created || !res[1].Created {
		t.Fatalf("upsert create: %v %+v", err, res)
	}
	recs[0]["Name"] = "Zed 2"
	res, err = c.Upsert(ctx, "Account", "Zoho_Account_Id__c", recs[:1], false)
	if err != nil || !res[0].Success || res[0].Created {
		t.Fatalf("upsert update: %v %+v", err, res)
	}
	found := false
	for _, r := range o.Records("Account") {
		if r["Zoho_Account_Id__c"] == "Z-1" {
			found = r["Name"] == "Zed 2"
		}
	}
	if !found {
		t.Error("upserted name not stored")
	}
	if _, err := c.Upsert(ctx, "Account", "Zoho_Account_Id__c", []map[string]any{{"Name": "no key"}}, false); err == nil {
		t.Error("upsert without the key accepted")
	}

	// delete: one real, one already gone
	res, err = c.Delete(ctx, "Account", []string{acme, acme}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Success {
		t.Errorf("delete results %+v", res)
	}

	// more than 200 is refused before anything is sent
	before := o.requests("")
	many := make([]map[string]any, 201)
	ids := make([]string, 201)
	for i := range many {
		many[i] = map[string]any{"Name": fmt.Sprint("n", i)}
		ids[i] = acme
	}
	for name, call := range map[string]func() error{
		"create": func() error { _, err := c.Create(ctx, "Account", many, false); return err },
		"update": func() error { _, err := c.Update(ctx, "Account", many, false); return err },
		"upsert": func() error { _, err := c.Upsert(ctx, "Account", "Zoho_Account_Id__c", many, false); return err },
		"delete": func() error { _, err := c.Delete(ctx, "Account", ids, false); return err },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "more than the 200") {
			t.Errorf("%s of 201: %v", name, err)
		}
	}
	if o.requests("") != before {
		t.Error("an oversized batch reached the API")
	}

	// a request-level failure is an error
	_, err = c.Create(ctx, "Nope__c", []map[string]any{{"Name": "x"}}, false)
	if !salesforce.IsCode(err, "INVALID_TYPE") || !strings.Contains(err.Error(), "create Nope__c") {
		t.Errorf("unknown object: %v", err)
	}
}
