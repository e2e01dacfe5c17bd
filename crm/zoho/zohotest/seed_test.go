package zohotest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/crm/zoho/zohotest"
)

func TestSeedProjectionsAndTruth(t *testing.T) {
	e, crm, desk := seededEnv(t, 500)
	w := sandbox.Generate(sandbox.Options{Seed: 42, Records: 500})
	p := w.Project(sandbox.ZohoCRM)
	counts := map[string]int{}
	for _, tr := range crm {
		if tr.System != sandbox.ZohoCRM || !idPattern.MatchString(tr.RecordID) || tr.EntityID == "" {
			t.Fatalf("truth row %+v", tr)
		}
		counts[tr.Object]++
	}
	want := map[string]int{"Accounts": len(p.Accounts), "Contacts": len(p.Contacts), "Leads": len(p.Leads),
		"Deals": len(p.Deals), "Tasks": len(p.Tasks)}
	if !reflect.DeepEqual(counts, want) {
		t.Fatalf("truth counts %v, want %v", counts, want)
	}
	for mod, n := range want {
		if got := len(e.ts.Records(mod)); got != n {
			t.Fatalf("%s: %d records, want %d", mod, got, n)
		}
	}
	for _, tr := range desk {
		if tr.System != sandbox.ZohoDesk {
			t.Fatalf("desk truth %+v", tr)
		}
	}
	// Seeded deals carry Zoho stages and their history.
	deal := e.ts.Records("Deals")[0]
	stage := deal["Stage"].(string)
	if _, ok := map[string]bool{"Qualification": true, "Needs Analysis": true, "Value Proposition": true,
		"Proposal/Price Quote": true, "Negotiation/Review": true, "Closed Won": true, "Closed Lost": true}[stage]; !ok {
		t.Fatalf("stage %q", stage)
	}
	h := e.do("GET", "/crm/v8/Deals/"+deal["id"].(string)+"/Stage_History", nil).want(t, 200).data()
	if h[0]["Stage"] != stage {
		t.Fatalf("latest history entry %v, deal stage %s", h[0], stage)
	}
	// Lookups resolve to seeded accounts; owners are the world's users.
	r := e.do("GET", "/crm/v8/Contacts?fields=Account_Name,Owner,Email&per_page=50", nil).want(t, 200)
	found := false
	for _, c := range r.data() {
		if a, ok := c["Account_Name"].(map[string]any); ok && a["name"] != nil {
			found = true
		}
	}
	if !found {
		t.Fatalf("no contact with a named account: %s", r.raw)
	}
	// Incremental read by Modified_Time works on seeded history.
	r = e.do("GET", "/crm/v8/Contacts?fields=Modified_Time&sort_by=Modified_Time&sort_order=asc&per_page=200", nil).want(t, 200)
	prev := ""
	for _, c := range r.data() {
		if c["Modified_Time"].(string) < prev {
			t.Fatal("seeded Modified_Time order")
		}
		prev = c["Modified_Time"].(string)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	e, _, _ := seededEnv(t, 300)
	e.ts.AddField("Accounts", zohotest.Field{APIName: "Tier__c", DataType: "picklist", PickList: []string{"A", "B"}, Custom: true})
	e.do("DELETE", "/crm/v8/Leads?ids="+e.ts.Records("Leads")[0]["id"].(string), nil).want(t, 200)
	var buf bytes.Buffer
	if err := e.ts.Save(&buf); err != nil {
		t.Fatal(err)
	}
	f := newEnv(t, zohotest.Options{})
	if err := f.ts.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	for _, mod := range []string{"Accounts", "Contacts", "Leads", "Deals", "Tasks"} {
		a, _ := json.Marshal(e.ts.Records(mod))
		b, _ := json.Marshal(f.ts.Records(mod))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s differs after Load", mod)
		}
	}
	a, _ := json.Marshal(e.ts.DeskRecords("tickets"))
	b, _ := json.Marshal(f.ts.DeskRecords("tickets"))
	if !bytes.Equal(bytes.ReplaceAll(a, []byte(e.ts.URL), nil), bytes.ReplaceAll(b, []byte(f.ts.URL), nil)) {
		t.Fatal("tickets differ after Load")
	}
	f.do("GET", "/crm/v8/Leads/deleted", nil).want(t, 200)
	f.do("GET", "/crm/v8/Accounts?fields=Tier__c", nil).want(t, 200)
	// New writes continue with fresh ids.
	r := f.do("POST", "/crm/v8/Leads", map[string]any{"data": []any{map[string]any{"Last_Name": "After"}}}).want(t, 201)
	id := details(t, r.data()[0])["id"].(string)
	for _, l := range e.ts.Records("Leads") {
		if l["id"] == id {
			t.Fatal("id reused after Load")
		}
	}
	if err := f.ts.Load(bytes.NewReader([]byte("junk"))); err == nil {
		t.Fatal("junk loaded")
	}
}

func TestCountersAndInjectedFaults(t *testing.T) {
	counters := sandbox.NewCounters()
	faults := sandbox.NewFaults(1)
	e := newEnv(t, zohotest.Options{Counters: counters, Faults: faults})
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	faults.Add(sandbox.Rule{Kind: sandbox.Fault429, System: "zoho_crm", Endpoint: "/crm/v8/Leads", Times: 1, RetryAfter: 2e9})
	r := e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil)
	r.wantErr(t, 429, "TOO_MANY_REQUESTS")
	if r.header.Get("Retry-After") != "2" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	faults.FailNext(1, sandbox.Fault500)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 500, "INTERNAL_ERROR")
	faults.FailNext(1, sandbox.Fault503)
	e.desk("GET", "/api/v1/tickets", nil).wantDesk(t, 503, "SERVICE_UNAVAILABLE")
	n := counters.Sum(func(c sandbox.Count) bool {
		return c.System == "zoho_crm" && c.Endpoint == "/crm/v8/Leads" && c.Method == "GET"
	})
	if n != 3 {
		t.Fatalf("counted %d Leads GETs, want 3: %v", n, counters.Snapshot())
	}
	if counters.Sum(func(c sandbox.Count) bool { return c.System == "zoho_accounts" && c.Endpoint == "/oauth/v2/token" }) != 1 {
		t.Fatalf("token calls: %v", counters.Snapshot())
	}
	e.do("PUT", "/crm/v8/Leads/5725767000000000123", map[string]any{"data": []any{map[string]any{"Company": "x"}}})
	if counters.Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/v8/Leads/{id}" }) != 1 {
		t.Fatalf("ids become {id}: %v", counters.Snapshot())
	}
	res, err := http.Get(e.ts.URL + sandbox.StatsPath)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stats: %v %v", res, err)
	}
	res.Body.Close()
}

func TestCreditsAndHeader(t *testing.T) {
	e := newEnv(t, zohotest.Options{DailyCredits: 10})
	for i := 0; i < 4; i++ {
		r := e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
		if h := r.header.Get("X-API-CREDITS-REMAINING"); (i < 4 && i+1 >= 5) != (h != "") {
			t.Fatalf("call %d: header %q", i+1, h)
		}
	}
	r := e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 204)
	if r.header.Get("X-API-CREDITS-REMAINING") != "5" {
		t.Fatalf("at half: %q", r.header.Get("X-API-CREDITS-REMAINING"))
	}
	// A write of 25 records costs 3.
	var data []any
	for range 25 {
		data = append(data, map[string]any{"Last_Name": "x"})
	}
	e.do("POST", "/crm/v8/Leads", map[string]any{"data": data}).want(t, 201)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 200)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 200)
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).wantErr(t, 429, "TOO_MANY_REQUESTS")
	if used, limit := e.ts.Credits(); used != 10 || limit != 10 {
		t.Fatalf("credits %d/%d", used, limit)
	}
	// A credit frees 24 h after use.
	e.now = e.now.Add(24*time.Hour + time.Second)
	e.token = e.refresh()
	e.do("GET", "/crm/v8/Leads?fields=Last_Name", nil).want(t, 200)
}
