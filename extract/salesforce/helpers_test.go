package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/extract"
)

// org is an emulated org with counters and faults.
type org struct {
	*sftest.TestServer
	counters *sandbox.Counters
	faults   *sandbox.Faults
}

func startOrg(t testing.TB, records int) *org {
	t.Helper()
	o := &org{counters: sandbox.NewCounters(), faults: sandbox.NewFaults(1)}
	o.TestServer = sftest.Start(sftest.Options{Counters: o.counters, Faults: o.faults})
	t.Cleanup(o.Close)
	if records > 0 {
		w := sandbox.Generate(sandbox.Options{Seed: 11, Records: records})
		o.Seed(w.Project(sandbox.Salesforce))
	}
	return o
}

// options returns extractor options for the org (refresh_token flow).
func (o *org) options() Options {
	id, secret, refresh, _ := o.Credentials()
	return Options{LoginURL: o.URL, Auth: Auth{Flow: "refresh_token", ClientID: id, ClientSecret: secret, RefreshToken: refresh},
		Lookback: time.Nanosecond, // effectively none; tests that want one set it
		Limits:   httpx.Limits{RequestsPerSecond: 100000, Burst: 100000, Concurrency: 4, MaxRetries: 6, Timeout: 20 * time.Second}}
}

// count sums the org's requests to one endpoint pattern ("" = all).
func (o *org) count(endpoint string) int64 {
	return o.counters.Sum(func(c sandbox.Count) bool { return endpoint == "" || c.Endpoint == endpoint })
}

func newExtractor(t testing.TB, opts Options) *Extractor {
	t.Helper()
	e, err := New(context.Background(), "sf", opts, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// result is a drained stream: rows by Id, normalized for comparison.
type result struct {
	schema  *arrow.Schema
	rows    map[string]map[string]any
	batches int
	total   int64
	cursor  string // the time of the cursor
	raw     string // the cursor as Extract handed it back
	err     error
}

// run extracts obj since and drains the stream.
func run(t testing.TB, e *Extractor, object, since string) result {
	t.Helper()
	ctx := context.Background()
	s, err := e.Extract(ctx, extract.Object{Name: object, Key: "Id", Modified: "SystemModstamp"}, since)
	if err != nil {
		t.Fatalf("Extract %s: %v", object, err)
	}
	defer s.Release()
	r := result{schema: s.Schema(), rows: map[string]map[string]any{}, total: s.(*stream).Total()}
	for s.Next() {
		r.batches++
		rec := s.RecordBatch()
		if !rec.Schema().Equal(r.schema) {
			t.Fatalf("batch schema differs from the stream's")
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			row := map[string]any{}
			for c, f := range rec.Schema().Fields() {
				row[f.Name] = arrowValue(rec.Column(c), i)
			}
			id := row["Id"].(string)
			if _, dup := r.rows[id]; dup {
				t.Fatalf("%s: record %s twice", object, id)
			}
			r.rows[id] = row
		}
	}
	r.err, r.raw = s.Err(), s.Cursor()
	// The cursor's time: the describe it keeps beside it moves with every
	// check, so tests compare the times.
	st, _, err := parseState(r.raw)
	if err != nil {
		t.Fatalf("%s: cursor %q: %v", object, r.raw, err)
	}
	r.cursor = st.Modified
	return r
}

// arrowValue reads a cell as string, bool, int64, float64, time.Time
// (datetimes), "YYYY-MM-DD" (dates), []string, or nil.
func arrowValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Decimal128:
		f, _ := strconv.ParseFloat(x.ValueStr(i), 64)
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
	}
	return fmt.Sprintf("unhandled %T", a)
}

// normalize turns an emulator record value into arrowValue's form for a
// column of the given kind.
func normalize(k extract.Kind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case extract.KindDateTime:
		t, err := extract.ParseDateTime(v)
		if err != nil {
			return fmt.Sprintf("bad datetime %v", v)
		}
		return t
	case extract.KindInt:
		switch x := v.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		case json.Number:
			n, _ := x.Int64()
			return n
		}
	case extract.KindFloat, extract.KindDecimal:
		switch x := v.(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		}
	case extract.KindStringList:
		return strings.Split(v.(string), ";")
	}
	return v
}

// equal compares two normalized values.
func equal(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if la, ok := a.([]string); ok {
		lb, ok := b.([]string)
		return ok && strings.Join(la, ";") == strings.Join(lb, ";")
	}
	return a == b
}

// checkAgainstOrg asserts that got holds exactly the org's live records of
// object with the same values in every column.
func checkAgainstOrg(t testing.TB, o *org, object string, cols []extract.Column, got result) {
	t.Helper()
	want := o.Records(object)
	live := 0
	for _, row := range got.rows {
		if row[extract.DeletedAt] == nil {
			live++
		}
	}
	if live != len(want) {
		t.Errorf("%s: %d live rows, want %d", object, live, len(want))
	}
	bad := 0
	for _, w := range want {
		id := w["Id"].(string)
		row, ok := got.rows[id]
		if !ok {
			t.Errorf("%s: record %s missing", object, id)
			continue
		}
		for _, c := range cols {
			wv, gv := normalize(c.Kind, w[c.Name]), row[c.Name]
			if !equal(wv, gv) && bad < 10 {
				bad++
				t.Errorf("%s %s.%s = %#v, want %#v", object, id, c.Name, gv, wv)
			}
		}
	}
}
