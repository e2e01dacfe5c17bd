package zohotest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	extractzoho "github.com/revops/revops/extract/zoho"
)

// tieOrg is an emulator on loopback whose clock the test moves by hand,
// with a hook run once between computing and sending the next page of a
// Leads list sorted by Modified_Time.
type tieOrg struct {
	*zohotest.Server
	url string
	mu  sync.Mutex
	now time.Time

	armed atomic.Bool
	hook  func()
}

func startTieOrg(t *testing.T, now time.Time) *tieOrg {
	t.Helper()
	o := &tieOrg{now: now}
	o.Server = zohotest.New(zohotest.Options{Now: o.clock})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !(r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/crm/v8/Leads") &&
			r.URL.Query().Get("sort_by") == "Modified_Time" && o.armed.CompareAndSwap(true, false)) {
			o.Server.ServeHTTP(w, r)
			return
		}
		// The page is computed, then the hook writes (on another
		// connection: this one is busy until the page is sent), then the
		// page goes out.
		rec := httptest.NewRecorder()
		o.Server.ServeHTTP(rec, r)
		o.hook()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(hs.Close)
	o.url = hs.URL
	o.SetURLs(hs.URL, hs.URL, hs.URL)
	return o
}

func (o *tieOrg) clock() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.now
}

func (o *tieOrg) set(t time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.now = t
}

// read is one Extract of Leads: its rows (id → City) in the order read, and its cursor.
type read struct {
	ids    []string
	city   map[string]string
	cursor string
}

func extractLeads(t *testing.T, e *extractzoho.Extractor, since string) read {
	t.Helper()
	st, err := e.Extract(context.Background(), extract.Object{Name: "Leads", Key: "id"}, since)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	out := read{city: map[string]string{}}
	for st.Next() {
		b := st.RecordBatch()
		col := map[string]int{}
		for i := range int(b.NumCols()) {
			col[b.ColumnName(i)] = i
		}
		ids := b.Column(col["id"]).(*array.String)
		city := b.Column(col["City"]).(*array.String)
		for i := range int(b.NumRows()) {
			id := ids.Value(i)
			if _, twice := out.city[id]; twice {
				t.Fatalf("record %s read twice in one extract", id)
			}
			out.ids = append(out.ids, id)
			out.city[id] = ""
			if !city.IsNull(i) {
				out.city[id] = city.Value(i)
			}
		}
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	out.cursor = st.Cursor()
	return out
}

// TestExtractSharedModifiedTime: with Modified_Time in whole seconds,
// hundreds of records share one; an incremental extract still reads each
// record once per read, across page boundaries inside a tie, and never
// misses a write made in the cursor's second, even one made while the
// read was paging (the next read re-reads the boundary second).
func TestExtractSharedModifiedTime(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	o := startTieOrg(t, t0)
	opts := extractzoho.CRM()
	opts.AccountsURL, opts.APIDomain = o.url, o.url
	opts.ClientID, opts.ClientSecret, opts.RefreshToken = o.ClientID(), o.ClientSecret(), o.RefreshToken()
	opts.Modules = []string{"Leads"}
	opts.Lookback = time.Nanosecond // only the boundary second is read again
	opts.Limits = httpx.Limits{RequestsPerSecond: 10000, Burst: 1000, Concurrency: 4, MaxRetries: 3}
	e, err := extractzoho.New(context.Background(), "zoho_ties", opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := e.Client()
	ctx := context.Background()
	var ids []string
	insert := func(n int) {
		t.Helper()
		for done := 0; done < n; done += 100 {
			var recs []map[string]any
			for range min(100, n-done) {
				recs = append(recs, map[string]any{"Last_Name": "Tie", "Company": "T"})
			}
			res, err := c.Insert(ctx, "Leads", recs)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if !r.OK() {
					t.Fatalf("insert: %+v", r)
				}
				ids = append(ids, r.ID)
			}
		}
	}
	update := func(city string, which ...string) {
		t.Helper()
		var recs []map[string]any
		for _, id := range which {
			recs = append(recs, map[string]any{"id": id, "City": city})
		}
		for len(recs) > 0 {
			n := min(100, len(recs))
			res, err := c.Update(ctx, "Leads", recs[:n])
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if !r.OK() {
					t.Fatalf("update: %+v", r)
				}
			}
			recs = recs[n:]
		}
	}

	// 450 records in one second: a full read pages through the tie (200 a page).
	insert(450)
	first := extractLeads(t, e, "")
	if len(first.ids) != 450 {
		t.Fatalf("full read of 450 records sharing a Modified_Time: %d rows", len(first.ids))
	}
	// 10 more in the cursor's second: the next read has them.
	insert(10)
	second := extractLeads(t, e, first.cursor)
	for _, id := range ids[450:] {
		if _, ok := second.city[id]; !ok {
			t.Fatalf("record %s written in the cursor's second was missed", id)
		}
	}

	// Ten seconds later 300 records change; a read takes the cursor there.
	o.set(t0.Add(10 * time.Second))
	update("Moved", ids[100:400]...)
	mid := extractLeads(t, e, second.cursor)
	if len(mid.ids) < 300 {
		t.Fatalf("read after 300 changes: %d rows", len(mid.ids))
	}
	// The next read re-reads that second (300 records, two pages). While
	// it is between its pages, two writes land in the same second: one to
	// a record the first page returned (ids[100]), one to a record of a
	// lower id than the page boundary that the read had not reached
	// (ids[5]): its new entry sorts before the page token, so this read
	// cannot see it.
	o.hook = func() { update("Late", ids[100], ids[5]) }
	o.armed.Store(true)
	third := extractLeads(t, e, mid.cursor)
	if o.armed.Load() {
		t.Fatal("the hook never ran: the read did not page")
	}
	_, saw5 := third.city[ids[5]]
	if len(third.ids) != 300 || third.city[ids[100]] != "Moved" || saw5 {
		t.Fatalf("third read: %d rows, ids[100] City %q, ids[5] read %v: not the case this test means",
			len(third.ids), third.city[ids[100]], saw5)
	}
	// The next read has both late writes: they share the cursor's second.
	fourth := extractLeads(t, e, third.cursor)
	for _, id := range []string{ids[100], ids[5]} {
		if fourth.city[id] != "Late" {
			_, read := fourth.city[id]
			t.Errorf("the write to %s in the cursor's second was missed: the next read has City %q (read: %v)",
				id, fourth.city[id], read)
		}
	}
	// Nothing changed since: a fifth read reads the boundary second again,
	// and the values agree with the emulator's.
	fifth := extractLeads(t, e, fourth.cursor)
	for _, r := range o.Records("Leads") {
		id := r["id"].(string)
		if v, ok := fifth.city[id]; ok {
			want, _ := r["City"].(string)
			if v != want {
				t.Errorf("record %s: City %q, the emulator has %q", id, v, want)
			}
		}
	}
}
