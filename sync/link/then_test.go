//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	revsync "github.com/revops/revops/sync"
)

// The shipped zoho_sf_leads link (configs/links/zoho_sf_leads.yaml)
// pairs by Lead.Zoho_Lead_Id__c, then by the crosswalk: a Salesforce
// lead that sf_leads_to_zoho copied to Zoho (it holds no Zoho id; the
// Zoho lead holds its Salesforce_Id, which identity pairs) is linked
// too, and a pair found by the id field is not offered to the crosswalk
// again.
func TestShippedLeadLinkPairsByCrosswalkToo(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "configs", "links", "zoho_sf_leads.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		b.WriteString("  " + line + "\n")
	}
	s := spec(t, b.String())
	wd := newWorld(t, 0)
	ctx := context.Background()
	zA, sA := wd.pairOf(t, map[string]any{"City": "Austin"}, map[string]any{"City": "Austin"})
	res, err := wd.zuser.Write(ctx, "Leads", revsync.OpInsert, revsync.Match{By: revsync.MatchID},
		[]revsync.Record{{Key: "b", Values: map[string]any{"Last_Name": "Copy", "Company": "Acme", "City": "Boston"}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("zoho lead: %v %+v", err, res)
	}
	zB := res[0].ID
	res, err = wd.suser.Write(ctx, "Lead", revsync.OpInsert, revsync.Match{By: revsync.MatchID},
		[]revsync.Record{{Key: "b", Values: map[string]any{"LastName": "Copy", "Company": "Acme", "City": "Boston"}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("salesforce lead: %v %+v", err, res)
	}
	sB := res[0].ID
	for _, q := range []string{`CREATE SCHEMA IF NOT EXISTS identity`,
		`CREATE TABLE identity.crosswalk (system VARCHAR, object VARCHAR, source_id VARCHAR, golden_id VARCHAR)`,
		fmt.Sprintf(`INSERT INTO identity.crosswalk VALUES ('zoho_crm', 'Leads', '%s', 'P-a'), ('salesforce', 'Lead', '%s', 'P-a'),
			('zoho_crm', 'Leads', '%s', 'P-b'), ('salesforce', 'Lead', '%s', 'P-b')`, zA, sA, zB, sB)} {
		if err := wd.w.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	wd.extract(t)
	rep, w := wd.run(t, s)
	if rep.Pairs != 2 || rep.Unpaired.Ambiguous != 0 || w != [2]int64{0, 0} {
		t.Fatalf("first run: %d pairs (want 2: one by Zoho_Lead_Id__c, one by the crosswalk), writes %v, %+v", rep.Pairs, w, rep.Unpaired)
	}
	wd.edit(t, 0, zB, map[string]any{"City": "Denver"})
	wd.extract(t)
	if rep, w = wd.run(t, s); w != [2]int64{0, 1} {
		t.Fatalf("after a Zoho edit of the crosswalk pair: writes %v, %+v", w, rep)
	}
	if got := fmt.Sprint(wd.get(t, 1, sB, "City")); got != "Denver" {
		t.Fatalf("salesforce lead %s: City %s, want Denver", sB, got)
	}
}
