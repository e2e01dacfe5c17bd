package zoho_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
)

var fastLimits = httpx.Limits{RequestsPerSecond: 10000, Burst: 1000, Concurrency: 4, MaxRetries: 8}

// start runs an emulator seeded with a world of n records per system.
func start(t testing.TB, opts zohotest.Options, n int) *zohotest.TestServer {
	t.Helper()
	ts := zohotest.Start(opts)
	t.Cleanup(ts.Close)
	if n > 0 {
		w := sandbox.Generate(sandbox.Options{Seed: 11, Records: n})
		ts.SeedCRM(w.Project(sandbox.ZohoCRM))
		ts.SeedDesk(w.Project(sandbox.ZohoDesk))
	}
	return ts
}

func crmOptions(ts *zohotest.TestServer) *zoho.Options {
	o := zoho.CRM()
	o.AccountsURL, o.APIDomain = ts.URL, ts.URL
	o.ClientID, o.ClientSecret, o.RefreshToken = ts.ClientID(), ts.ClientSecret(), ts.RefreshToken()
	o.Limits = fastLimits
	return o
}

func deskOptions(ts *zohotest.TestServer) *zoho.Options {
	o := zoho.Desk()
	o.AccountsURL, o.DeskURL, o.OrgID = ts.URL, ts.URL, ts.OrgID()
	o.ClientID, o.ClientSecret, o.RefreshToken = ts.ClientID(), ts.ClientSecret(), ts.RefreshToken()
	o.Limits = fastLimits
	return o
}

func newExtractor(t testing.TB, o *zoho.Options) *zoho.Extractor {
	t.Helper()
	e, err := zoho.New(context.Background(), "zoho_test", o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// result is a drained stream: live rows, deleted rows (id → _deleted_at),
// the schema and the cursor.
type result struct {
	schema  *arrow.Schema
	rows    []map[string]any
	deleted map[string]time.Time
	mixed   bool // a batch held live and deleted rows
	batches int
	cursor  string
}

func (r *result) byID() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, row := range r.rows {
		out[row["id"].(string)] = row
	}
	return out
}

func extractObj(t testing.TB, e *zoho.Extractor, name, since string) *result {
	t.Helper()
	st, err := e.Extract(context.Background(), extract.Object{Name: name, Key: "id"}, since)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	return drain(t, st)
}

func drain(t testing.TB, st extract.Stream) *result {
	t.Helper()
	res := &result{schema: st.Schema(), deleted: map[string]time.Time{}}
	for st.Next() {
		b := st.RecordBatch()
		res.batches++
		del := b.Column(int(b.NumCols()) - 1)
		live, dead := 0, 0
		for i := range int(b.NumRows()) {
			row := map[string]any{}
			for c := range int(b.NumCols()) {
				row[b.ColumnName(c)] = cell(b.Column(c), i)
			}
			if del.IsNull(i) {
				live++
				res.rows = append(res.rows, row)
			} else {
				dead++
				res.deleted[row["id"].(string)] = row[extract.DeletedAt].(time.Time)
				for k, v := range row {
					if v != nil && k != "id" && k != extract.DeletedAt {
						t.Fatalf("deleted row %s has %s = %v", row["id"], k, v)
					}
				}
			}
		}
		res.mixed = res.mixed || live > 0 && dead > 0
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if res.mixed {
		t.Fatal("a batch mixes live and deleted rows")
	}
	res.cursor = st.Cursor()
	return res
}

// cell reads one value as a plain Go value: string, int64, float64 (also
// decimals), bool, "YYYY-MM-DD" dates, UTC times, []string, lookups as
// map{name,id}, JSON as its text.
func cell(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Decimal128:
		dt := x.DataType().(*arrow.Decimal128Type)
		f, _ := strconv.ParseFloat(x.Value(i).ToString(dt.Scale), 64)
		return f
	case *array.Date32:
		return x.Value(i).ToTime().Format(time.DateOnly)
	case *array.Timestamp:
		return time.UnixMicro(int64(x.Value(i))).UTC()
	case *array.List:
		start, end := x.ValueOffsets(i)
		vals := x.ListValues().(*array.String)
		out := []string{}
		for j := start; j < end; j++ {
			out = append(out, vals.Value(int(j)))
		}
		return out
	case *array.Struct:
		return map[string]any{"name": cell(x.Field(0), i), "id": cell(x.Field(1), i)}
	case array.ExtensionArray:
		return cell(x.Storage(), i)
	}
	return fmt.Sprintf("unsupported %T", a)
}

// want converts a value of zohotest's Records (or Desk JSON) to what cell
// returns for a column of the given Arrow type.
func want(dt arrow.DataType, v any) any {
	if v == nil {
		return nil
	}
	switch t := dt.(type) {
	case *arrow.StringType:
		switch x := v.(type) {
		case string:
			return x
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case int64:
			return strconv.FormatInt(x, 10)
		}
	case *arrow.Int64Type:
		switch x := v.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		case string:
			n, _ := strconv.ParseInt(x, 10, 64)
			return n
		}
	case *arrow.Float64Type:
		switch x := v.(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		}
	case *arrow.Decimal128Type:
		f, _ := v.(float64)
		if n, ok := v.(int64); ok {
			f = float64(n)
		}
		p := math.Pow10(int(t.Scale))
		return math.Round(f*p) / p
	case *arrow.Date32Type:
		s := v.(string)
		return s[:10]
	case *arrow.TimestampType:
		tm, err := time.Parse(time.RFC3339Nano, v.(string))
		if err != nil {
			return err.Error()
		}
		return tm.UTC()
	case *arrow.StructType:
		m := v.(map[string]any)
		name := m["name"]
		if name == nil {
			name = nil
		}
		return map[string]any{"name": name, "id": m["id"]}
	case *arrow.ListType:
		if xs, ok := v.([]string); ok {
			return xs
		}
	case arrow.ExtensionType:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return v
}
