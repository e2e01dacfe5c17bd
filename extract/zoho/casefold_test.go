//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	crmzoho "github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
)

func TestColumnNamesCaseFold(t *testing.T) {
	f := func(name, id string) crmzoho.Field { return crmzoho.Field{APIName: name, ID: id} }
	for _, tc := range []struct {
		name   string
		fields []crmzoho.Field
		want   []string
	}{
		{"distinct", []crmzoho.Field{f("Last_Name", "5"), f("Email", "6")}, []string{"Last_Name", "Email"}},
		// The field created first keeps the name, whatever the API's order.
		{"older keeps", []crmzoho.Field{f("last_name", "90"), f("Last_Name", "5")}, []string{"last_name__2", "Last_Name"}},
		{"three", []crmzoho.Field{f("LAST_NAME", "99"), f("Last_Name", "5"), f("last_name", "90")},
			[]string{"LAST_NAME__3", "Last_Name", "last_name__2"}},
		// Numeric order, not text order, of ids.
		{"numeric ids", []crmzoho.Field{f("region", "10"), f("Region", "9")}, []string{"region__2", "Region"}},
		// Named like a column revops adds: renamed.
		{"reserved", []crmzoho.Field{f("ID", "7"), f("_Source", "8")}, []string{"ID__2", "_Source__2"}},
		// A generated name never takes a field's own name.
		{"taken suffix", []crmzoho.Field{f("Last_Name", "5"), f("last_name", "90"), f("LAST_NAME__2", "91")},
			[]string{"Last_Name", "last_name__3", "LAST_NAME__2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := zoho.ColumnNames(tc.fields); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCaseCollidingFieldsBothLand: a Leads custom field last_name beside
// the standard Last_Name (and one named ID beside the record id) lands in
// a column of its own with its own values; a third one created later
// (LAST_NAME) gets a new column and renames none that holds data.
func TestCaseCollidingFieldsBothLand(t *testing.T) {
	ctx := context.Background()
	ts := start(t, zohotest.Options{}, 300)
	for _, name := range []string{"last_name", "ID"} {
		if err := ts.AddField("Leads", zohotest.Field{APIName: name, DataType: "text", Custom: true}); err != nil {
			t.Fatal(err)
		}
	}
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	e := newExtractor(t, o)
	id := ts.Records("Leads")[0]["id"].(string)
	update := func(rec map[string]any) {
		t.Helper()
		rec["id"] = id
		res, err := e.Client().Update(ctx, "Leads", []map[string]any{rec})
		if err != nil || !res[0].OK() {
			t.Fatalf("update: %v %+v", err, res)
		}
	}
	update(map[string]any{"Last_Name": "Standard", "last_name": "custom", "ID": "ext-1"})
	wh := openWarehouse(t, "casefold")
	row := func(cols ...string) []any {
		t.Helper()
		q := "SELECT "
		for i, c := range cols {
			if i > 0 {
				q += ", "
			}
			q += `"` + c + `"`
		}
		r, err := wh.Query(ctx, q+" FROM zoho_crm.leads WHERE id = ?", id)
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := load.ReadAll(r)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		return rows[0]
	}
	if _, err := extractInto(t, wh, e, "Leads", 0); err != nil {
		t.Fatal(err)
	}
	if got := row("Last_Name", "last_name__2", "ID__2"); !slices.Equal(got, []any{"Standard", "custom", "ext-1"}) {
		t.Fatalf("Last_Name, last_name__2, ID__2 = %v", got)
	}

	if err := ts.AddField("Leads", zohotest.Field{APIName: "LAST_NAME", DataType: "text", Custom: true}); err != nil {
		t.Fatal(err)
	}
	update(map[string]any{"LAST_NAME": "third", "last_name": "custom 2"})
	if _, err := extractInto(t, wh, e, "Leads", 0); err != nil {
		t.Fatal(err)
	}
	if got := row("Last_Name", "last_name__2", "LAST_NAME__3", "ID__2"); !slices.Equal(got, []any{"Standard", "custom 2", "third", "ext-1"}) {
		t.Fatalf("after LAST_NAME was added: Last_Name, last_name__2, LAST_NAME__3, ID__2 = %v", got)
	}
}

// TestDeskCustomFieldsKeepCase: Desk custom fields whose names differ only
// by case are keys of the cf JSON column, which keeps both.
func TestDeskCustomFieldsKeepCase(t *testing.T) {
	ctx := context.Background()
	ts := start(t, zohotest.Options{}, 200)
	o := deskOptions(ts)
	o.Modules = []string{"tickets"}
	e := newExtractor(t, o)
	d, err := e.Client().Desk()
	if err != nil {
		t.Fatal(err)
	}
	id := ts.DeskRecords("tickets")[0]["id"].(string)
	if _, err := d.UpdateTicket(ctx, id, map[string]any{"cf": map[string]any{"cf_region": "EMEA", "cf_Region": "APAC"}}); err != nil {
		t.Fatal(err)
	}
	wh := openWarehouse(t, "deskcf")
	r := &extract.Runner{Warehouse: wh}
	if _, err := r.Run(ctx, []extract.Source{{Name: "zoho_desk", Extractor: e}}, extract.Options{}); err != nil {
		t.Fatal(err)
	}
	q, err := wh.Query(ctx, "SELECT CAST(cf AS VARCHAR) FROM zoho_desk.tickets WHERE id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(q)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	var cf map[string]any
	if err := json.Unmarshal([]byte(rows[0][0].(string)), &cf); err != nil {
		t.Fatalf("cf %v: %v", rows[0][0], err)
	}
	if cf["cf_region"] != "EMEA" || cf["cf_Region"] != "APAC" {
		t.Fatalf("cf = %v", cf)
	}
}
