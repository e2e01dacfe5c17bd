package zoho_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	crmzoho "github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/zoho"
)

func TestStageHistory(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1000)
	e := newExtractor(t, crmOptions(ts))
	deals := ts.Records("Deals")
	first := extractObj(t, e, zoho.StageHistoryObject, "")
	var wantRows []map[string]any
	for _, d := range deals {
		for _, h := range ts.StageHistory(d["id"].(string)) {
			h["Deal_Id"] = d["id"]
			wantRows = append(wantRows, h)
		}
	}
	if len(wantRows) == 0 {
		t.Fatal("the world has no stage history")
	}
	compare(t, first, wantRows)
	// One call per deal plus the deal pages.
	if n, w := e.Stats(zoho.StageHistoryObject).Requests, int64(len(deals)+(len(deals)+199)/200); n != w {
		t.Fatalf("%d calls, want %d", n, w)
	}
	// A stage change: the deal's whole history comes again, nothing else
	// (but the look-back overlap).
	id := deals[0]["id"].(string)
	res, err := e.Client().Update(context.Background(), "Deals", []map[string]any{{"id": id, "Stage": "Negotiation/Review"}})
	if err != nil || !res[0].OK() {
		t.Fatalf("update: %v %+v", err, res)
	}
	second := extractObj(t, e, zoho.StageHistoryObject, first.cursor)
	c1 := cursorModified(t, first.cursor)
	changed := map[string]bool{}
	for _, d := range modifiedSince(t, ts.Records("Deals"), c1.Add(-5*time.Minute)) {
		changed[d] = true
	}
	if !changed[id] {
		t.Fatal("the changed deal is not after the cursor")
	}
	n := 0
	for _, r := range second.rows {
		if !changed[r["Deal_Id"].(string)] {
			t.Fatalf("row of unchanged deal %v", r)
		}
		if r["Deal_Id"] == id {
			n++
		}
	}
	if hist := ts.StageHistory(id); n != len(hist) || hist[0]["Stage"] != "Negotiation/Review" {
		t.Fatalf("%d rows for the changed deal, history %v", n, hist)
	}
}

func TestDeskFullAndIncremental(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	e := newExtractor(t, deskOptions(ts))
	objs, err := e.Objects(context.Background())
	if err != nil || len(objs) != 3 || objs[0].Name != "tickets" || objs[0].Modified != "modifiedTime" {
		t.Fatalf("objects %+v %v", objs, err)
	}
	for _, kind := range []string{"tickets", "contacts", "accounts"} {
		recs := ts.DeskRecords(kind)
		if kind == "tickets" {
			for _, r := range recs {
				delete(r, "description") // lists leave it out
			}
		}
		res := extractObj(t, e, kind, "")
		compare(t, res, recs)
		if n, w := e.Stats(kind).Requests, int64(len(recs)/100+1); n != w {
			t.Fatalf("%s: %d records took %d calls, want %d", kind, len(recs), n, w)
		}
	}
	first := extractObj(t, e, "tickets", "")
	c1 := cursorModified(t, first.cursor)
	d, _ := e.Client().Desk()
	id := first.rows[len(first.rows)-1]["id"].(string)
	if _, err := d.UpdateTicket(context.Background(), id, map[string]any{"status": "Closed"}); err != nil {
		t.Fatal(err)
	}
	before := e.Stats("tickets").Requests
	second := extractObj(t, e, "tickets", first.cursor)
	var wantIDs []string
	for _, r := range ts.DeskRecords("tickets") {
		tm, _ := time.Parse(time.RFC3339, r["modifiedTime"].(string))
		if !tm.Before(c1.Add(-5 * time.Minute)) {
			wantIDs = append(wantIDs, r["id"].(string))
		}
	}
	if got := ids(second); !equal(got, sorted(wantIDs...)) || !contains(got, id) {
		t.Fatalf("incremental tickets %v, want %v (with %s)", got, wantIDs, id)
	}
	if n := e.Stats("tickets").Requests - before; n != 1 {
		t.Fatalf("incremental read took %d calls, want 1", n)
	}
	if row := second.byID()[id]; row["status"] != "Closed" {
		t.Fatalf("row %v", row)
	}
}

func TestFormulaRefreshSchedule(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	if err := ts.AddField("Deals", zohotest.Field{APIName: "Margin__c", DataType: "formula", Custom: true}); err != nil {
		t.Fatal(err)
	}
	o := crmOptions(ts)
	o.FormulaRefresh = 6 * time.Hour
	e := newExtractor(t, o)
	first := extractObj(t, e, "Deals", "")
	if f, ok := first.schema.FieldsByName("Margin__c"); !ok || f[0].Type.ID().String() != "STRING" {
		t.Fatalf("formula column %v", f)
	}
	n := len(ts.Records("Deals"))
	var cur map[string]string
	json.Unmarshal([]byte(first.cursor), &cur)
	for _, tc := range []struct {
		name string
		full time.Time
		want int // rows
	}{
		{"refresh not due", time.Now().Add(-time.Hour), 0},
		{"refresh due", time.Now().Add(-7 * time.Hour), n},
	} {
		c := map[string]string{"modified": cur["modified"], "deleted": cur["deleted"], "full": tc.full.Format(time.RFC3339)}
		raw, _ := json.Marshal(c)
		res := extractObj(t, e, "Deals", string(raw))
		overlap := len(modifiedSince(t, ts.Records("Deals"), cursorModified(t, first.cursor).Add(-5*time.Minute)))
		switch {
		case tc.want == n && len(res.rows) != n:
			t.Fatalf("%s: %d rows, want all %d", tc.name, len(res.rows), n)
		case tc.want == 0 && len(res.rows) != overlap:
			t.Fatalf("%s: %d rows, want the %d of the look-back", tc.name, len(res.rows), overlap)
		}
		var next map[string]string
		json.Unmarshal([]byte(res.cursor), &next)
		refreshed := next["full"] != c["full"]
		if refreshed != (tc.want == n) {
			t.Fatalf("%s: full %s → %s", tc.name, c["full"], next["full"])
		}
	}
}

func TestTokenExpiryMidExtract(t *testing.T) {
	faults := sandbox.NewFaults(1)
	faults.Add(sandbox.Rule{Kind: sandbox.FaultExpireToken, System: "zoho_crm", Endpoint: "/crm/v8/Contacts", After: 2, Times: 1})
	ts := start(t, zohotest.Options{Faults: faults}, 3000)
	e := newExtractor(t, crmOptions(ts))
	res := extractObj(t, e, "Contacts", "")
	compare(t, res, ts.Records("Contacts"))
	if n := e.Client().TokenFetches(); n != 2 {
		t.Fatalf("token fetches %d, want 2", n)
	}
}

func TestFaultsRetried(t *testing.T) {
	faults := sandbox.NewFaults(1)
	list := "/crm/v8/Contacts"
	// One fault per attempt number (each rule counts every list attempt),
	// spread out so that each retry succeeds: 429, 500, 503, drop, 429,
	// 500 on attempts 2, 4, …, 12, and two slow answers.
	for i, k := range []sandbox.FaultKind{sandbox.Fault429, sandbox.Fault500, sandbox.Fault503, sandbox.FaultDrop,
		sandbox.Fault429, sandbox.Fault500} {
		faults.Add(sandbox.Rule{Kind: k, System: "zoho_crm", Endpoint: list, After: 2*i + 1, Times: 1})
	}
	faults.Add(sandbox.Rule{Kind: sandbox.FaultSlow, System: "zoho_crm", Endpoint: list, After: 2, Times: 2,
		Delay: 50 * time.Millisecond}) // attempts 3 and 5
	ts := start(t, zohotest.Options{Faults: faults}, 3000)
	e := newExtractor(t, crmOptions(ts))
	recs := ts.Records("Contacts")
	res := extractObj(t, e, "Contacts", "")
	compare(t, res, recs)
	s := e.Stats("Contacts")
	pages := int64((len(recs) + 199) / 200)
	// The pages, the fields call, the count call and the retries.
	if s.Retries != 6 || s.Throttled != 2 || s.Failures != 4 || s.Requests != pages+2+6 {
		t.Fatalf("stats %+v for %d pages", s, pages)
	}
}

// TestDataCenterOAuth reaches the accounts server and API by the real
// host names of the EU data center: the EU config works, a US config
// fails clearly.
func TestDataCenterOAuth(t *testing.T) {
	ts := start(t, zohotest.Options{DataCenter: "EU"}, 0)
	ts.SetURLs("https://accounts.zoho.eu", "https://www.zohoapis.eu", "https://desk.zoho.eu")
	target, _ := url.Parse(ts.URL)
	o := zoho.CRM()
	o.DataCenter = "EU"
	o.ClientID, o.ClientSecret, o.RefreshToken = ts.ClientID(), ts.ClientSecret(), ts.RefreshToken()
	o.Limits = fastLimits
	o.Transport = hostTransport{target}
	e := newExtractor(t, o)
	if _, err := e.Objects(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := e.Client().APIDomain(); d != "https://www.zohoapis.eu" {
		t.Fatalf("api domain %s", d)
	}
	o.DataCenter = "US"
	_, err := zoho.New(context.Background(), "zoho_crm", o, nil)
	var te *crmzoho.TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "zoho: source zoho_crm: zoho: token: invalid_client") ||
		!strings.Contains(err.Error(), "accounts.zoho.com") {
		t.Fatalf("want a clear invalid_client error, got %v", err)
	}
	if strings.Contains(err.Error(), o.ClientSecret) || strings.Contains(err.Error(), o.RefreshToken) {
		t.Fatal("secret in error")
	}
	o.DataCenter, o.ClientSecret = "EU", "bad"
	if _, err := zoho.New(context.Background(), "zoho_crm", o, nil); !errors.As(err, &te) || te.Code != "invalid_client_secret" {
		t.Fatalf("bad secret: %v", err)
	}
}

type hostTransport struct{ target *url.URL }

func (h hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Host = r.URL.Host
	r2.URL.Scheme, r2.URL.Host = h.target.Scheme, h.target.Host
	return http.DefaultTransport.RoundTrip(r2)
}

func TestPagingPastDiscreteLimit(t *testing.T) {
	ts := start(t, zohotest.Options{}, 0)
	p := &sandbox.Projection{System: sandbox.ZohoCRM}
	base := sandbox.DefaultNow.Add(-100 * time.Hour)
	for i := range 2345 {
		at := base.Add(time.Duration(i/4) * time.Second)
		p.Leads = append(p.Leads, sandbox.Lead{LastName: "L", Company: "C", CreatedAt: at, ModifiedAt: at})
	}
	ts.SeedCRM(p)
	o := crmOptions(ts)
	o.Modules = []string{"Leads"}
	e := newExtractor(t, o)
	res := extractObj(t, e, "Leads", "")
	compare(t, res, ts.Records("Leads"))
	// 12 pages, the fields call and the count call.
	if n := e.Stats("Leads").Requests; n != 12+2 {
		t.Fatalf("%d calls, want 14", n)
	}
	// page_token carried the read past 2,000 records.
	var viaToken int64
	for _, c := range ts.Counters().Snapshot() {
		if c.Endpoint == "/crm/v8/Leads" && c.Status == 200 {
			viaToken += c.Count
		}
	}
	if viaToken != 12 {
		t.Fatalf("list calls %d", viaToken)
	}
}

func TestCancelStopsStream(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	e := newExtractor(t, crmOptions(ts))
	ctx, cancel := context.WithCancel(context.Background())
	st, err := e.Extract(ctx, extract.Object{Name: "Contacts"}, "")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	for st.Next() {
	}
	if !errors.Is(st.Err(), context.Canceled) {
		t.Fatalf("err %v", st.Err())
	}
	st.Release()
	_ = reflect.DeepEqual
}
