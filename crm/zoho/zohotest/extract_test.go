package zohotest_test

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	extractzoho "github.com/revops/revops/extract/zoho"
)

// TestCustomFieldExtracted: a field created through the fields API
// between two extracts is a column of the next one, with the values
// written to it (the extractor reads the fields API every run).
func TestCustomFieldExtracted(t *testing.T) {
	e := newEnv(t, zohotest.Options{})
	opts := extractzoho.CRM()
	opts.AccountsURL, opts.APIDomain = e.ts.URL, e.ts.URL
	opts.ClientID, opts.ClientSecret, opts.RefreshToken = e.ts.ClientID(), e.ts.ClientSecret(), e.ts.RefreshToken()
	opts.Modules = []string{"Contacts"}
	opts.Limits = httpx.Limits{RequestsPerSecond: 10000, Burst: 1000, Concurrency: 4, MaxRetries: 3}
	x, err := extractzoho.New(context.Background(), "zoho_fields", opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := func(since string) (map[string]map[string]any, []string, string) {
		t.Helper()
		st, err := x.Extract(context.Background(), extract.Object{Name: "Contacts", Key: "id"}, since)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Release()
		var cols []string
		for _, f := range st.Schema().Fields() {
			cols = append(cols, f.Name)
		}
		rows := map[string]map[string]any{}
		for st.Next() {
			b := st.RecordBatch()
			for i := range int(b.NumRows()) {
				row := map[string]any{}
				for c := range int(b.NumCols()) {
					col := b.Column(c)
					switch a := col.(type) {
					case *array.String:
						if !a.IsNull(i) {
							row[b.ColumnName(c)] = a.Value(i)
						}
					case *array.Int64:
						if !a.IsNull(i) {
							row[b.ColumnName(c)] = a.Value(i)
						}
					}
				}
				rows[row["id"].(string)] = row
			}
		}
		if err := st.Err(); err != nil {
			t.Fatal(err)
		}
		return rows, cols, st.Cursor()
	}
	e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{map[string]any{"Last_Name": "Before"}}}).want(t, 201)
	_, cols, cur := run("")
	for _, c := range cols {
		if c == "Desk_Contact_Id" || c == "Seats" {
			t.Fatalf("column %s before the field exists", c)
		}
	}
	e.createFields("Contacts",
		map[string]any{"field_label": "Desk Contact Id", "data_type": "text", "length": 40, "unique": map[string]any{}},
		map[string]any{"field_label": "Seats", "data_type": "integer"}).want(t, 201)
	e.now = e.now.Add(2 * time.Second)
	w := e.do("POST", "/crm/v8/Contacts", map[string]any{"data": []any{map[string]any{"Last_Name": "After",
		"Desk_Contact_Id": "1892000000042032", "Seats": 7}}}).want(t, 201)
	id := w.data()[0]["details"].(map[string]any)["id"].(string)
	rows, cols, _ := run(cur)
	has := map[string]bool{}
	for _, c := range cols {
		has[c] = true
	}
	if !has["Desk_Contact_Id"] || !has["Seats"] {
		t.Fatalf("columns after the fields were created: %v", cols)
	}
	if r := rows[id]; r == nil || r["Desk_Contact_Id"] != "1892000000042032" || r["Seats"] != int64(7) {
		t.Fatalf("extracted record: %v", r)
	}
}
