package zoho_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
)

// compare checks that res holds every record of the module exactly once,
// with the emulator's values in every column.
func compare(t *testing.T, res *result, records []map[string]any) {
	t.Helper()
	if len(res.rows) != len(records) {
		t.Fatalf("%d rows, want %d", len(res.rows), len(records))
	}
	got := res.byID()
	if len(got) != len(records) {
		t.Fatalf("%d distinct ids in %d rows", len(got), len(res.rows))
	}
	for _, rec := range records {
		row := got[rec["id"].(string)]
		if row == nil {
			t.Fatalf("record %s missing", rec["id"])
		}
		for _, f := range res.schema.Fields() {
			if f.Name == extract.DeletedAt {
				continue
			}
			w := want(f.Type, rec[f.Name])
			if !reflect.DeepEqual(row[f.Name], w) {
				t.Fatalf("record %s field %s: got %#v, want %#v", rec["id"], f.Name, row[f.Name], w)
			}
		}
	}
}

func TestFullExtract(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	e := newExtractor(t, crmOptions(ts))
	ctx := context.Background()
	objs, err := e.Objects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.Name+":"+o.Table)
		if o.Key != "id" || o.Modified != "Modified_Time" {
			t.Fatalf("object %+v", o)
		}
	}
	if got := strings.Join(names, ","); got != "Leads:leads,Contacts:contacts,Accounts:accounts,Deals:deals,Tasks:tasks,Deals_Stage_History:deals_stage_history" {
		t.Fatalf("objects %s", got)
	}
	if !objs[0].History || objs[1].History {
		t.Fatal("history: Leads and Deals by default")
	}
	pages := int64(0)
	for _, o := range objs[:5] {
		recs := ts.Records(o.Name)
		res := extractObj(t, e, o.Name, "")
		compare(t, res, recs)
		t.Logf("%s: %d rows, %d columns", o.Name, len(res.rows), len(res.schema.Fields()))
		if len(res.deleted) != 0 {
			t.Fatalf("%s: deleted rows on a first read", o.Name)
		}
		// One call per 200 records plus the fields call, and the count
		// call that weighs Bulk Read when there is more than one page.
		n := int64((len(recs)+199)/200) + 1
		if len(recs) > 200 {
			n++
		}
		if s := e.Stats(o.Name); s.Requests != n || s.Retries != 0 {
			t.Fatalf("%s: %d records took %+v, want %d calls", o.Name, len(recs), s, n)
		}
		pages += n
		if res.cursor == "" || !strings.Contains(res.cursor, `"modified"`) || !strings.Contains(res.cursor, `"full"`) {
			t.Fatalf("cursor %q", res.cursor)
		}
		if o.Name == "Contacts" {
			// Lookups land as {name, id} structs.
			for _, row := range res.rows {
				if acct, ok := row["Account_Name"].(map[string]any); ok && acct["id"] != nil && acct["name"] != nil {
					goto lookupOK
				}
			}
			t.Fatal("no Contacts row with an Account_Name lookup")
		lookupOK:
		}
	}
	// Plus the token and the modules call.
	if s := e.TotalStats(); s.Requests != pages+2 {
		t.Fatalf("total %+v, want %d", s, pages+2)
	}
}

func TestUnknownModule(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	o := crmOptions(ts)
	o.Modules = []string{"Leads", "Widgets"}
	e := newExtractor(t, o)
	_, err := e.Objects(context.Background())
	if !errors.Is(err, extract.ErrUnknownObject) || !strings.Contains(err.Error(), "Widgets") {
		t.Fatalf("want ErrUnknownObject naming Widgets, got %v", err)
	}
	_, err = e.Extract(context.Background(), extract.Object{Name: "Widgets"}, "")
	if !errors.Is(err, extract.ErrUnknownObject) || !strings.Contains(err.Error(), "Widgets") {
		t.Fatalf("Extract: want ErrUnknownObject naming Widgets, got %v", err)
	}
	d := deskOptions(ts)
	d.Modules = []string{"tickets", "calls"}
	_, err = newExtractor(t, d).Objects(context.Background())
	if !errors.Is(err, extract.ErrUnknownObject) || !strings.Contains(err.Error(), "calls") {
		t.Fatalf("Desk: want ErrUnknownObject naming calls, got %v", err)
	}
}
