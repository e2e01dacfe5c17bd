//go:build duckdb_arrow

package salesforce

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
)

// TestDescribeKeptInTheWarehouse: each run is a new extractor (a new
// process) with only the warehouse's cursors. The first run describes
// every object; the next one, with nothing changed, makes no describe
// call (one describeGlobal answered 304 covers them all, sent in the same
// Composite call as the objects' first queries); after a custom field is
// created through the Tooling API, that check answers 200 and the run
// re-describes each object with If-Modified-Since (Contact 200, the
// others 304), queries again, and the new field lands as a column; the
// run after that describes nothing again.
func TestDescribeKeptInTheWarehouse(t *testing.T) {
	o := startOrg(t, 600)
	opts := o.options()
	opts.Objects = []string{"Lead", "Contact", "Account", "Opportunity"}
	wh := openWarehouse(t, "meta")
	ctx := context.Background()
	const global, describe = "/services/data/vXX.X/sobjects", "/services/data/vXX.X/sobjects/{object}/describe"
	const composite = "/services/data/vXX.X/composite"
	count := func(endpoint string, status int) int64 {
		return o.counters.Sum(func(c sandbox.Count) bool {
			return c.Endpoint == endpoint && (status == 0 || c.Status == status)
		})
	}
	run := func() []extract.Result {
		t.Helper()
		o.counters.Reset()
		res, err := (&extract.Runner{Warehouse: wh}).Run(ctx, []extract.Source{{Name: "salesforce",
			Extractor: newExtractor(t, opts)}}, extract.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	time.Sleep(1100 * time.Millisecond) // the org's metadata lies in an earlier second than the first describes

	run()
	if d, g := count(describe, 0), count(global, 0); d != 4 || g != 1 {
		t.Fatalf("first run: %d describes, %d describeGlobal; want 4 and 1", d, g)
	}
	cur, _, err := load.GetCursor(ctx, wh, "salesforce", "Contact")
	if err != nil || !strings.Contains(cur.Value, `"schema"`) || !strings.Contains(cur.Value, "LastName:string") {
		t.Fatalf("Contact's cursor keeps no describe: %q %v", cur.Value, err)
	}

	run()
	if d, g, c := count(describe, 0), count(global, 0), count(composite, 0); d != 0 || g != 1 || c != 1 {
		t.Fatalf("unchanged org: %d describes, %d describeGlobal, %d composite calls; want 0, 1 and 1", d, g, c)
	}

	if _, err := newExtractor(t, opts).Client().CreateCustomField(ctx, "Contact", "Tier__c",
		map[string]any{"type": "Text", "label": "Tier", "length": 20}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // the field lies in an earlier second than the next run's answers
	run()
	if d, ok, nm := count(describe, 0), count(describe, http.StatusOK), count(describe, http.StatusNotModified); d != 4 || ok != 1 || nm != 3 {
		t.Fatalf("after a Contact field: %d describes (%d answered 200, %d 304); want 4, 1 and 3", d, ok, nm)
	}
	if c := count(composite, 0); c != 2 {
		t.Fatalf("after a Contact field: %d composite calls, want 2 (the check's, answered 200, then the queries again)", c)
	}
	r, err := wh.Query(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'salesforce' AND table_name = 'contact' AND column_name = 'Tier__c'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, err := load.ReadAll(r); err != nil || rows[0][0] != int64(1) {
		t.Fatalf("the new field is not a column of salesforce.contact: %v %v", rows, err)
	}

	run()
	if d, g, c := count(describe, 0), count(global, 0), count(composite, 0); d != 0 || g != 1 || c != 1 {
		t.Fatalf("the run after: %d describes, %d describeGlobal, %d composite calls; want 0, 1 and 1", d, g, c)
	}
}
