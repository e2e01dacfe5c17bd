package salesforce_test

import (
	"context"
	"testing"
	"time"

	"github.com/revops/revops/crm/salesforce/sftest"
)

// TestDescribeIfModified: the conditional describes return nil on 304
// with the org's Date, and the describe after a field was added.
func TestDescribeIfModified(t *testing.T) {
	o := startOrg(t, sftest.Options{})
	c := newClient(t, o.config())
	ctx := context.Background()
	d, date, err := c.DescribeIfModified(ctx, "Contact", time.Time{})
	if err != nil || d == nil || date.IsZero() {
		t.Fatalf("unconditional describe: %v, %v, %v", d != nil, date, err)
	}
	time.Sleep(1100 * time.Millisecond) // the org's stamp lies in an earlier second than since
	since := date
	if d, date2, err := c.DescribeIfModified(ctx, "Contact", since); err != nil || d != nil || date2.IsZero() {
		t.Fatalf("describe since its own Date: describe %v, date %v, %v; want 304", d != nil, date2, err)
	}
	if g, _, err := c.DescribeGlobalIfModified(ctx, since); err != nil || g != nil {
		t.Fatalf("describeGlobal since: %v, %v; want 304", g != nil, err)
	}
	if err := o.AddField("Contact", sftest.Field{Name: "Tier__c", Type: sftest.TypeString, Length: 20}); err != nil {
		t.Fatal(err)
	}
	d, _, err = c.DescribeIfModified(ctx, "Contact", since)
	if err != nil || d == nil {
		t.Fatalf("describe after a new field: %v, %v", d != nil, err)
	}
	if _, ok := d.Field("Tier__c"); !ok {
		t.Fatal("the new field is not in the describe")
	}
	if g, _, err := c.DescribeGlobalIfModified(ctx, since); err != nil || g == nil || len(g.SObjects) == 0 {
		t.Fatalf("describeGlobal after a new field: %v, %v", g, err)
	}
	if d, _, err := c.DescribeIfModified(ctx, "Lead", since); err != nil || d != nil {
		t.Fatalf("Lead after a Contact field: %v, %v; want 304", d != nil, err)
	}
}
