//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load"
	"github.com/revops/revops/load/duckdb"
)

// bulkOrg is an emulator whose Contacts carry a field of every type the
// CSV must carry, and records with the values that are hard to get right.
func bulkOrg(t *testing.T, opts zohotest.Options) *zohotest.TestServer {
	t.Helper()
	ts := start(t, opts, 1500)
	dp := 3
	for _, f := range []zohotest.Field{
		{APIName: "Tags_Multi", DataType: "multiselectpicklist", PickList: []string{"a", "b, c", "Ünï"}, Custom: true},
		{APIName: "Score", DataType: "currency", DecimalPlace: dp, Custom: true},
		{APIName: "Big_Num", DataType: "bigint", Custom: true},
		{APIName: "Ratio", DataType: "double", Custom: true},
		{APIName: "Pct", DataType: "percent", Custom: true},
		{APIName: "Seats", DataType: "integer", Custom: true},
		{APIName: "Last_Seen", DataType: "datetime", Custom: true},
		{APIName: "Launch", DataType: "date", Custom: true},
		{APIName: "Active_Flag", DataType: "boolean", Custom: true},
		{APIName: "Long_Note", DataType: "textarea", TextareaType: "large", Custom: true},
	} {
		if err := ts.AddField("Contacts", f); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// bulkSpecials inserts the contacts with the awkward values.
func bulkSpecials(t *testing.T, e *zoho.Extractor, ts *zohotest.TestServer) {
	t.Helper()
	contacts := ts.Records("Contacts")
	acct := ts.Records("Accounts")[0]["id"]
	recs := []map[string]any{
		{"Last_Name": `Ünïcødé "quoted", with commas`, "First_Name": "Zoë",
			"Description": "line 1\r\nline 2\nline 3, \"q\"\r\n", "Long_Note": strings.Repeat("long, \"text\"\n", 300),
			"Tags_Multi": []any{"a", "b, c", "Ünï"}, "Score": 1234.567, "Big_Num": "123456789012345678", "Ratio": 0.1,
			"Pct": 12.5, "Seats": 42, "Last_Seen": "2024-02-29T23:59:59-08:00", "Launch": "2024-02-29",
			"Active_Flag": false, "Email_Opt_Out": true, "Account_Name": map[string]any{"id": acct},
			"Reporting_To": map[string]any{"id": contacts[0]["id"]}, "Date_of_Birth": "1970-01-01"},
		{"Last_Name": "Empty values", "Tags_Multi": []any{}, "Description": "", "Title": "", "Score": 0, "Seats": 0,
			"Active_Flag": true},
		{"Last_Name": "  leading and trailing spaces  ", "Title": "=1+2", "Description": "\"", "Ratio": -1e-7,
			"Score": -0.001, "Last_Seen": "2030-12-31T00:00:00+14:00"},
	}
	res, err := e.Client().Insert(context.Background(), "Contacts", recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err() != nil {
			t.Fatal(r.Err())
		}
	}
}

// bulkCalls counts the requests to the Bulk Read routes.
func bulkCalls(ts *zohotest.TestServer) int64 {
	return ts.Counters().Sum(func(c sandbox.Count) bool { return strings.HasPrefix(c.Endpoint, "/crm/bulk/") })
}

// table reads a landed table: its columns (with types) and its rows by
// the key column, every column but _extracted_at.
func table(t *testing.T, wh *duckdb.Warehouse, name, key string) ([]string, map[string][]any) {
	t.Helper()
	r, err := wh.Query(context.Background(), "SELECT * FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, f := range r.Schema().Fields() {
		cols = append(cols, f.Name+" "+f.Type.String())
	}
	names, rows, err := load.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]any{}
	for _, row := range rows {
		var id string
		var kept []any
		for i, c := range names {
			if c == key {
				id = fmt.Sprint(row[i])
			}
			if c == extract.ExtractedAt {
				kept = append(kept, nil)
				continue
			}
			kept = append(kept, row[i])
		}
		if _, dup := out[id]; dup && key != "" {
			t.Fatalf("%s: %s %s twice", name, key, id)
		}
		out[id] = kept
	}
	return cols, out
}

// sameTable fails unless two landings of a table hold the same columns
// of the same types and the same value in every cell.
func sameTable(t *testing.T, a, b *duckdb.Warehouse, name, key string) int {
	t.Helper()
	colsA, rowsA := table(t, a, name, key)
	colsB, rowsB := table(t, b, name, key)
	if !reflect.DeepEqual(colsA, colsB) {
		t.Fatalf("%s: columns differ:\n list API %v\nBulk Read %v", name, colsA, colsB)
	}
	if len(rowsA) != len(rowsB) {
		t.Fatalf("%s: %d rows through the list API, %d through Bulk Read", name, len(rowsA), len(rowsB))
	}
	ids := make([]string, 0, len(rowsA))
	for id := range rowsA {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	cells := 0
	for _, id := range ids {
		ra, rb := rowsA[id], rowsB[id]
		if rb == nil {
			t.Fatalf("%s: %s %s only through the list API", name, key, id)
		}
		for i := range ra {
			if !reflect.DeepEqual(ra[i], rb[i]) {
				t.Errorf("%s: %s %s column %s: list API %#v, Bulk Read %#v", name, key, id, colsA[i], ra[i], rb[i])
			}
			cells++
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return cells
}

// cellOf returns one landed value.
func cellOf(t *testing.T, wh *duckdb.Warehouse, q string, args ...any) any {
	t.Helper()
	r, err := wh.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := load.ReadAll(r)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%s: %d rows, %v", q, len(rows), err)
	}
	return rows[0][0]
}

// TestBulkReadLandsLikeTheListAPI lands Contacts twice, through the list
// API and through Bulk Read (several pages), and compares every cell:
// lookups and owners with their names, multi-selects, booleans, dates,
// datetimes with offsets, decimals, bigints, empty values, unicode, and
// commas, quotes, CR and LF in text. Then 1% … 40% of the contacts change
// and some are deleted, and the incremental runs (the bulk one again
// through Bulk Read, with criteria on Modified_Time) agree too, their
// deletions and history included.
func TestBulkReadLandsLikeTheListAPI(t *testing.T) {
	ts := bulkOrg(t, zohotest.Options{BulkPageSize: 200, BulkReadDelay: 5 * time.Millisecond})
	restOpts := crmOptions(ts)
	restOpts.Modules, restOpts.History = []string{"Contacts"}, []string{"Contacts"}
	restOpts.BulkThreshold = -1
	bulkOpts := crmOptions(ts)
	bulkOpts.Modules, bulkOpts.History = []string{"Contacts"}, []string{"Contacts"}
	bulkOpts.BulkThreshold, bulkOpts.BulkPoll = 1, 2*time.Millisecond
	rest, bulk := newExtractor(t, restOpts), newExtractor(t, bulkOpts)
	bulkSpecials(t, rest, ts)
	n := len(ts.Records("Contacts"))

	whRest, whBulk := openWarehouse(t, "rest"), openWarehouse(t, "bulk")
	before := bulkCalls(ts)
	if _, err := extractInto(t, whRest, rest, "Contacts", 0); err != nil {
		t.Fatal(err)
	}
	if bulkCalls(ts) != before {
		t.Fatal("the list API run called Bulk Read")
	}
	jobs := ts.BulkReadJobs()
	res, err := extractInto(t, whBulk, bulk, "Contacts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ts.BulkReadJobs()-jobs, (n+199)/200; got != want {
		t.Fatalf("the bulk run made %d jobs for %d contacts, want %d", got, n, want)
	}
	if res.Rows != int64(n) {
		t.Fatalf("the bulk run landed %d rows of %d", res.Rows, n)
	}
	cells := sameTable(t, whRest, whBulk, "zoho_crm.contacts", "id")

	// The awkward values landed as they should (not merely alike).
	id := cellOf(t, whBulk, `SELECT id FROM zoho_crm.contacts WHERE First_Name = 'Zoë'`)
	for q, want := range map[string]any{
		`SELECT Last_Name FROM zoho_crm.contacts WHERE id = ?`:                                                                                  `Ünïcødé "quoted", with commas`,
		`SELECT Description FROM zoho_crm.contacts WHERE id = ?`:                                                                                "line 1\r\nline 2\nline 3, \"q\"\r\n",
		`SELECT array_to_string(Tags_Multi, '|') FROM zoho_crm.contacts WHERE id = ?`:                                                           "a|b, c|Ünï",
		`SELECT CAST(Score AS VARCHAR) FROM zoho_crm.contacts WHERE id = ?`:                                                                     "1234.567",
		`SELECT Big_Num FROM zoho_crm.contacts WHERE id = ?`:                                                                                    int64(123456789012345678),
		`SELECT strftime(Last_Seen, '%Y-%m-%d %H:%M:%S') FROM zoho_crm.contacts WHERE id = ?`:                                                   "2024-03-01 07:59:59",
		`SELECT Active_Flag FROM zoho_crm.contacts WHERE id = ?`:                                                                                false,
		`SELECT Account_Name.name IS NOT NULL AND Owner.name IS NOT NULL AND Reporting_To.name IS NOT NULL FROM zoho_crm.contacts WHERE id = ?`: true,
	} {
		if got := cellOf(t, whBulk, q, id); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", q, got, want)
		}
	}
	if got := cellOf(t, whBulk, `SELECT count(*) FROM zoho_crm.contacts WHERE Last_Name = 'Empty values' AND Tags_Multi IS NULL AND Title IS NULL AND Description IS NULL AND Seats = 0`); got != int64(1) {
		t.Errorf("empty values: %v rows", got)
	}
	t.Logf("full read: %d contacts, %d cells equal", n, cells)

	// Changes: 250 contacts updated (more than a page, so the bulk run
	// weighs Bulk Read again), three deleted, one added.
	time.Sleep(1100 * time.Millisecond) // a new Modified_Time second
	recs := ts.Records("Contacts")
	var upd []map[string]any
	for i := 0; i < 250; i++ {
		upd = append(upd, map[string]any{"id": recs[i]["id"], "Title": fmt.Sprintf("Changed, \"%d\"", i),
			"Tags_Multi": []any{"b, c"}})
	}
	for len(upd) > 0 {
		k := min(100, len(upd))
		if _, err := rest.Client().Update(context.Background(), "Contacts", upd[:k]); err != nil {
			t.Fatal(err)
		}
		upd = upd[k:]
	}
	var gone []string
	for _, r := range recs[len(recs)-3:] {
		gone = append(gone, r["id"].(string))
	}
	if _, err := rest.Client().Delete(context.Background(), "Contacts", gone); err != nil {
		t.Fatal(err)
	}
	if _, err := rest.Client().Insert(context.Background(), "Contacts", []map[string]any{{"Last_Name": "New, after"}}); err != nil {
		t.Fatal(err)
	}

	if _, err := extractInto(t, whRest, rest, "Contacts", 0); err != nil {
		t.Fatal(err)
	}
	jobs = ts.BulkReadJobs()
	if _, err := extractInto(t, whBulk, bulk, "Contacts", 0); err != nil {
		t.Fatal(err)
	}
	if ts.BulkReadJobs() == jobs {
		t.Fatal("the incremental bulk run did not use Bulk Read")
	}
	cells = sameTable(t, whRest, whBulk, "zoho_crm.contacts", "id")
	for _, g := range gone {
		if cellOf(t, whBulk, `SELECT _deleted_at IS NOT NULL FROM zoho_crm.contacts WHERE id = ?`, g) != true {
			t.Fatalf("deleted contact %s is not marked deleted after the Bulk Read", g)
		}
	}
	hist := sameTable(t, whRest, whBulk, "(SELECT * EXCLUDE (_extracted_at), id || '@' || CAST(_valid_from AS VARCHAR) AS version FROM zoho_crm.contacts__history)", "version")
	if v := cellOf(t, whBulk, `SELECT count(*) FROM zoho_crm.contacts__history WHERE id = ?`, recs[0]["id"]); v != int64(2) {
		t.Fatalf("a changed contact has %v versions, want 2", v)
	}
	t.Logf("incremental: %d cells equal, history %d cells equal", cells, hist)
}

// TestBulkReadResumesAfterFailure: a Bulk Read of eight pages fails at the
// fifth job; the pages before it stay committed with a checkpoint holding
// the next page's token, and the next run goes on from there with a job
// per remaining page only, each record landed once, the table as a
// one-shot read's.
func TestBulkReadResumesAfterFailure(t *testing.T) {
	ts := start(t, zohotest.Options{BulkPageSize: 100, BulkDownloads: -1}, 1500)
	n := len(ts.Records("Contacts"))
	pages := (n + 99) / 100
	if pages < 6 {
		t.Fatalf("only %d pages", pages)
	}
	o := crmOptions(ts)
	o.Modules, o.BulkThreshold, o.BulkPoll = []string{"Contacts"}, 1, 2*time.Millisecond
	one := openWarehouse(t, "oneshot")
	if _, err := extractInto(t, one, newExtractor(t, o), "Contacts", 0); err != nil {
		t.Fatal(err)
	}
	want := tableRows(t, one, "zoho_crm.contacts")

	wh := openWarehouse(t, "failed")
	ts.FailBulkReads(4, 1, "the export failed")
	jobs := ts.BulkReadJobs()
	res, err := extractInto(t, wh, newExtractor(t, o), "Contacts", 1)
	if err == nil || !strings.Contains(err.Error(), "the export failed") {
		t.Fatalf("failed run: %v", err)
	}
	if res.Rows != 400 || !strings.Contains(res.Cursor, `"bulk"`) || !strings.Contains(res.Cursor, `"page":5`) {
		t.Fatalf("the failed run kept %d rows, cursor %s; want 4 pages and a checkpoint at page 5", res.Rows, res.Cursor)
	}
	if got := ts.BulkReadJobs() - jobs; got != 5 {
		t.Fatalf("%d jobs before the failure, want 5", got)
	}
	jobs = ts.BulkReadJobs()
	res, err = extractInto(t, wh, newExtractor(t, o), "Contacts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.BulkReadJobs() - jobs; got != pages-4 {
		t.Fatalf("the resumed run made %d jobs, want %d (pages 5 to %d)", got, pages-4, pages)
	}
	if res.Rows != int64(n-400) || strings.Contains(res.Cursor, `"bulk"`) {
		t.Fatalf("the resumed run landed %d rows (want %d), cursor %s", res.Rows, n-400, res.Cursor)
	}
	got := tableRows(t, wh, "zoho_crm.contacts")
	if len(got) != len(want) {
		t.Fatalf("%d rows after resuming, one-shot %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("contact %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
}
