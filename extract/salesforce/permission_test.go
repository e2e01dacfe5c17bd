//go:build duckdb_arrow

package salesforce

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

// TestFieldWithoutPermissionFailsOnlyItsObject: a field the integration
// user may not read (describe lists it, the query is refused) fails that
// object with a message naming the source, the object and the field; the
// other objects land, and the failed object's cursor does not move.
func TestFieldWithoutPermissionFailsOnlyItsObject(t *testing.T) {
	o := startOrg(t, 400)
	o.RestrictField("Lead", "Title")
	opts := o.options()
	opts.Objects = []string{"Lead", "Contact"}
	e := newExtractor(t, opts)
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, duckdb.Options{Path: filepath.Join(t.TempDir(), "wh.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	res, err := (&extract.Runner{Warehouse: wh}).Run(ctx, []extract.Source{{Name: "salesforce", Extractor: e}}, extract.Options{})
	if err == nil {
		t.Fatal("the run succeeded although a field could not be read")
	}
	byObj := map[string]extract.Result{}
	for _, r := range res {
		byObj[r.Object] = r
	}
	msg := byObj["Lead"].Error
	for _, want := range []string{"salesforce", "Lead", "Title"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
	if c := byObj["Contact"]; c.Err != nil || c.Rows != int64(len(o.Records("Contact"))) {
		t.Errorf("Contact should land whole: %+v", c)
	}
	if _, ok, _ := load.GetCursor(ctx, wh, "salesforce", "Lead"); ok {
		t.Error("the failed object's cursor moved")
	}
	if _, ok, _ := load.GetCursor(ctx, wh, "salesforce", "Contact"); !ok {
		t.Error("Contact's cursor was not saved")
	}
}
