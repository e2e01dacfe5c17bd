package salesforce_test

import (
	"context"
	"strings"
	"testing"

	extractsf "github.com/revops/revops/extract/salesforce"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

func TestWriteRefusals(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	before := o.calls("")
	ext := revsync.Match{By: revsync.MatchExternalID, Field: "Zoho_Contact_Id__c"}
	one := []revsync.Record{{Values: map[string]any{"LastName": "x"}}}
	if _, err := d.Write(ctx, "Contact", revsync.OpUpsert, revsync.Match{By: revsync.MatchID}, one); err == nil {
		t.Error("upsert matched by id accepted")
	}
	if _, err := d.Write(ctx, "Contact", "merge", ext, one); err == nil {
		t.Error("unknown op accepted")
	}
	// Records without their id or key fail alone, before any request.
	res, err := d.Write(ctx, "Contact", revsync.OpUpsert, ext, one)
	if err != nil || res[0].Err == nil || res[0].Err.Code != "MISSING_EXTERNAL_ID" {
		t.Errorf("upsert without key: %v %+v", err, res)
	}
	res, err = d.Write(ctx, "Contact", revsync.OpDelete, ext, one)
	if err != nil || res[0].Err == nil || res[0].Err.Code != "MISSING_ID" {
		t.Errorf("delete without id: %v %+v", err, res)
	}
	if n := o.calls("") - before; n != 0 {
		t.Errorf("%d requests for refused writes", n)
	}
	// A request-level failure names the object and operation.
	_, err = d.Write(ctx, "NoSuchObject__c", revsync.OpUpsert, ext, []revsync.Record{{Values: map[string]any{"Zoho_Contact_Id__c": "1"}}})
	if err == nil || !strings.Contains(err.Error(), "upsert NoSuchObject__c") {
		t.Errorf("unknown object: %v", err)
	}
	if _, err := d.Describe(ctx, "NoSuchObject__c"); err == nil || !strings.Contains(err.Error(), "NoSuchObject__c") {
		t.Errorf("describe unknown object: %v", err)
	}
	if _, err := d.Find(ctx, "Contact", revsync.Match{By: revsync.MatchDuplicateCheck}, nil); err == nil {
		t.Error("find by duplicate check accepted")
	}
}

func TestNewRefusesBadCredentials(t *testing.T) {
	o := startOrg(t)
	opts := o.options()
	opts.Auth.ClientSecret = "wrong-secret-value"
	_, err := salesforce.New(context.Background(), opts.ClientConfig(), nil)
	if err == nil {
		t.Fatal("New with a wrong secret succeeded")
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if _, err := salesforce.New(context.Background(), extractsf.Options{}.ClientConfig(), nil); err == nil {
		t.Error("empty options accepted")
	}
}

// A record Salesforce refuses for two fields (an e-mail with a leading
// dot, a last name too long) carries both fields, so a caller leaving the
// refused fields out leaves out both; the code is the first error's.
func TestRefusalNamesEveryField(t *testing.T) {
	o := startOrg(t)
	d := o.dest(t)
	ctx := context.Background()
	res, err := d.Write(ctx, "Contact", revsync.OpInsert, revsync.Match{By: revsync.MatchID},
		[]revsync.Record{{Values: map[string]any{"LastName": "King", "Email": "jking@banerjee-freight.com"}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("create: %v %+v", err, res)
	}
	res, err = d.Write(ctx, "Contact", revsync.OpUpdate, revsync.Match{By: revsync.MatchID}, []revsync.Record{{ID: res[0].ID,
		Values: map[string]any{"Email": ".jking@banerjee-freight.com", "LastName": strings.Repeat("k", 81), "Title": "CFO"}}})
	if err != nil {
		t.Fatal(err)
	}
	e := res[0].Err
	if e == nil || e.Code != "INVALID_EMAIL_ADDRESS" || len(e.Fields) != 2 || e.Fields[0] != "Email" || e.Fields[1] != "LastName" ||
		!strings.Contains(e.Message, "STRING_TOO_LONG") {
		t.Fatalf("refusal %+v, want INVALID_EMAIL_ADDRESS naming Email and LastName", e)
	}
}
