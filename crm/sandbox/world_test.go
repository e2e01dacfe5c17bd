package sandbox

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func crmSize(p *Projection) int {
	return len(p.Accounts) + len(p.Contacts) + len(p.Leads) + len(p.Deals) + len(p.Tasks) + len(p.Tickets)
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(Options{Seed: 3, Records: 2000})
	b := Generate(Options{Seed: 3, Records: 2000})
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatal("same seed and size: worlds differ")
	}
	for _, sys := range []System{Salesforce, ZohoCRM, ZohoDesk} {
		pa, _ := json.Marshal(a.Project(sys))
		pb, _ := json.Marshal(b.Project(sys))
		if !bytes.Equal(pa, pb) {
			t.Errorf("%s: same world, projections differ", sys)
		}
		pc, _ := json.Marshal(a.Project(sys)) // projecting again changes nothing
		if !bytes.Equal(pa, pc) {
			t.Errorf("%s: projecting twice gave different results", sys)
		}
	}
	c := Generate(Options{Seed: 4, Records: 2000})
	if c.Companies[0].Name == a.Companies[0].Name && c.People[0].Email == a.People[0].Email {
		t.Error("different seeds: same first company and person")
	}
	jc, _ := json.Marshal(c)
	if bytes.Equal(ja, jc) {
		t.Error("different seeds: identical worlds")
	}
	if !a.Now.Equal(DefaultNow) {
		t.Errorf("Now = %v, want DefaultNow", a.Now)
	}
}

func TestGenerateSizes(t *testing.T) {
	// Small worlds vary more: a few companies more or less are a large share.
	for _, tc := range []struct{ n, lo, hi int }{{100, 60, 140}, {10_000, 9_000, 11_000}} {
		n := tc.n
		for seed := range int64(3) {
			w := Generate(Options{Seed: seed, Records: n})
			if len(w.Users) < 3 {
				t.Errorf("n=%d: %d users, want at least 3", n, len(w.Users))
			}
			for _, sys := range []System{Salesforce, ZohoCRM} {
				got := crmSize(w.Project(sys))
				if lo, hi := tc.lo, tc.hi; got < lo || got > hi {
					t.Errorf("n=%d seed=%d %s: %d records, want %d..%d", n, seed, sys, got, lo, hi)
				}
			}
			desk := w.Project(ZohoDesk)
			if len(desk.Tickets) == 0 || len(desk.Contacts) == 0 || len(desk.Accounts) == 0 {
				t.Errorf("n=%d: desk holds %d tickets, %d contacts, %d accounts", n, len(desk.Tickets), len(desk.Contacts), len(desk.Accounts))
			}
		}
	}
	if w := Generate(Options{Seed: 1, Records: 5}); len(w.Companies) != MinRecords*perMilleCompanies/1000 {
		t.Errorf("Records below the minimum: %d companies", len(w.Companies))
	}
}

// entitySet returns the entity ids a slice of records holds.
func entitySet[T any](recs []T, id func(*T) string) map[string]int {
	m := make(map[string]int, len(recs))
	for i := range recs {
		m[id(&recs[i])]++
	}
	return m
}

func overlap(a, b map[string]int) float64 {
	both := 0
	for k := range a {
		if b[k] > 0 {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

func TestProjectionOverlapNoiseAndDuplicates(t *testing.T) {
	w := Generate(Options{Seed: 11, Records: 10_000})
	sf, zc := w.Project(Salesforce), w.Project(ZohoCRM)

	accID := func(a *Account) string { return a.EntityID }
	sfAcc, zcAcc := entitySet(sf.Accounts, accID), entitySet(zc.Accounts, accID)
	if o := overlap(sfAcc, zcAcc); o < 0.60 || o > 0.75 {
		t.Errorf("companies in both CRMs: %.2f, want 0.60..0.75", o)
	}
	people := func(p *Projection) map[string]int {
		m := entitySet(p.Contacts, func(c *Contact) string { return c.EntityID })
		for _, l := range p.Leads {
			m[l.EntityID]++
		}
		return m
	}
	if o := overlap(people(sf), people(zc)); o < 0.55 || o > 0.75 {
		t.Errorf("people in both CRMs: %.2f, want 0.55..0.75", o)
	}
	dealID := func(d *ProjDeal) string { return d.EntityID }
	sfDeals, zcDeals := entitySet(sf.Deals, dealID), entitySet(zc.Deals, dealID)
	onlySF, onlyZ, both := 0, 0, 0
	for id := range sfDeals {
		if zcDeals[id] > 0 {
			both++
		} else {
			onlySF++
		}
	}
	for id := range zcDeals {
		if sfDeals[id] == 0 {
			onlyZ++
		}
	}
	if onlySF == 0 || onlyZ == 0 || both == 0 {
		t.Errorf("deals: %d only in Salesforce, %d only in Zoho, %d in both; want some of each", onlySF, onlyZ, both)
	}
	if len(sf.Tickets) != 0 || len(zc.Tickets) != 0 {
		t.Error("CRM projections hold tickets")
	}

	// Duplicates inside one system.
	for _, p := range []*Projection{sf, zc} {
		dupAcc, dupPeople := 0, 0
		for _, n := range entitySet(p.Accounts, accID) {
			if n > 1 {
				dupAcc++
			}
		}
		for _, n := range people(p) {
			if n > 1 {
				dupPeople++
			}
		}
		if dupAcc == 0 || dupPeople == 0 {
			t.Errorf("%s: %d duplicated accounts, %d duplicated people; want some", p.System, dupAcc, dupPeople)
		}
		if dupAcc > len(p.Accounts)/20 || dupPeople > (len(p.Contacts)+len(p.Leads))/20 {
			t.Errorf("%s: too many duplicates: %d accounts, %d people", p.System, dupAcc, dupPeople)
		}
	}

	// Noise: the same person reads differently in the two CRMs.
	zByID := map[string]*Contact{}
	for i := range zc.Contacts {
		zByID[zc.Contacts[i].EntityID] = &zc.Contacts[i]
	}
	var pairs, email, first, last, phone, title int
	for i := range sf.Contacts {
		s := &sf.Contacts[i]
		z, ok := zByID[s.EntityID]
		if !ok {
			continue
		}
		pairs++
		email += b2i(s.Email != z.Email)
		first += b2i(s.FirstName != z.FirstName)
		last += b2i(s.LastName != z.LastName)
		phone += b2i(s.Phone != z.Phone)
		title += b2i(s.Title != z.Title)
	}
	share := func(n int) float64 { return float64(n) / float64(pairs) }
	for _, c := range []struct {
		field  string
		n      int
		lo, hi float64
	}{{"email", email, 0.05, 0.45}, {"first name", first, 0.05, 0.45}, {"last name", last, 0.02, 0.40},
		{"phone", phone, 0.3, 0.95}, {"title", title, 0.1, 0.6}} {
		if s := share(c.n); s < c.lo || s > c.hi {
			t.Errorf("%s differs for %.2f of %d shared contacts, want %.2f..%.2f", c.field, s, pairs, c.lo, c.hi)
		}
	}
	names := map[string]int{}
	for i := range sf.Accounts {
		if z, ok := zcAcc[sf.Accounts[i].EntityID]; ok && z > 0 {
			names[sf.Accounts[i].EntityID] = i
		}
	}
	differ := 0
	for i := range zc.Accounts {
		if j, ok := names[zc.Accounts[i].EntityID]; ok && sf.Accounts[j].Name != zc.Accounts[i].Name {
			differ++
		}
	}
	if differ == 0 {
		t.Error("no company name differs between the CRMs")
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestProjectionReferences(t *testing.T) {
	w := Generate(Options{Seed: 5, Records: 5000})
	people := map[string]*Person{}
	for i := range w.People {
		people[w.People[i].EntityID] = &w.People[i]
	}
	companies := map[string]int{}
	for i := range w.Companies {
		companies[w.Companies[i].EntityID] = i
	}
	in := func(i, n int) bool { return i >= -1 && i < n }
	for _, sys := range []System{Salesforce, ZohoCRM, ZohoDesk} {
		p := w.Project(sys)
		for _, c := range p.Contacts {
			if !in(c.AccountIdx, len(p.Accounts)) || !in(c.OwnerIdx, len(p.Users)) || c.OwnerIdx < 0 {
				t.Fatalf("%s contact %s: bad index %d/%d", sys, c.EntityID, c.AccountIdx, c.OwnerIdx)
			}
			if c.AccountIdx >= 0 && companies[p.Accounts[c.AccountIdx].EntityID] != people[c.EntityID].CompanyIdx {
				t.Fatalf("%s contact %s points at the wrong account", sys, c.EntityID)
			}
		}
		for _, d := range p.Deals {
			if !in(d.AccountIdx, len(p.Accounts)) || d.AccountIdx < 0 || !in(d.ContactIdx, len(p.Contacts)) {
				t.Fatalf("%s deal %s: bad index", sys, d.EntityID)
			}
		}
		for _, k := range p.Tasks {
			if !in(k.ContactIdx, len(p.Contacts)) || !in(k.LeadIdx, len(p.Leads)) || !in(k.DealIdx, len(p.Deals)) ||
				!in(k.AccountIdx, len(p.Accounts)) || k.ContactIdx >= 0 && k.LeadIdx >= 0 {
				t.Fatalf("%s task %s: bad index %+v", sys, k.EntityID, k)
			}
		}
		for _, tk := range p.Tickets {
			if tk.ContactIdx < 0 || tk.ContactIdx >= len(p.Contacts) || !in(tk.AccountIdx, len(p.Accounts)) {
				t.Fatalf("%s ticket %s: bad index", sys, tk.EntityID)
			}
		}
		for _, a := range p.Accounts {
			if !a.ModifiedAt.Before(w.Now) || a.ModifiedAt.Before(a.CreatedAt) {
				t.Fatalf("%s account %s: created %v modified %v", sys, a.EntityID, a.CreatedAt, a.ModifiedAt)
			}
		}
	}
}

func TestDealHistories(t *testing.T) {
	w := Generate(Options{Seed: 9, Records: 20_000})
	stages := map[Stage]int{}
	for _, d := range w.Deals {
		h := d.History
		if len(h) == 0 {
			t.Fatalf("deal %s: no history", d.EntityID)
		}
		if !h[0].At.Equal(d.CreatedAt) {
			t.Fatalf("deal %s: first change at %v, created %v", d.EntityID, h[0].At, d.CreatedAt)
		}
		for i := 1; i < len(h); i++ {
			if !h[i].At.After(h[i-1].At) {
				t.Fatalf("deal %s: change %d at %v not after %v", d.EntityID, i, h[i].At, h[i-1].At)
			}
			if h[i].Stage.Rank() <= h[i-1].Stage.Rank() {
				t.Fatalf("deal %s: stage %s after %s", d.EntityID, h[i].Stage, h[i-1].Stage)
			}
			if h[i-1].Stage.Closed() {
				t.Fatalf("deal %s: change after closing", d.EntityID)
			}
		}
		last := h[len(h)-1]
		if last.Stage != d.Stage || last.Amount != d.Amount || !last.CloseDate.Equal(d.CloseDate) {
			t.Fatalf("deal %s: last change %+v does not match the deal (%s %v %v)", d.EntityID, last, d.Stage, d.Amount, d.CloseDate)
		}
		if !last.At.Before(w.Now) || d.ModifiedAt.Before(last.At) || d.ModifiedAt.After(w.Now) {
			t.Fatalf("deal %s: last change %v, modified %v", d.EntityID, last.At, d.ModifiedAt)
		}
		if w.Now.Sub(d.CreatedAt) > 731*24*time.Hour {
			t.Fatalf("deal %s created %v, more than 2 years before Now", d.EntityID, d.CreatedAt)
		}
		if d.CloseDate != d.CloseDate.Truncate(24*time.Hour) || d.Amount <= 0 || d.Probability != StageProbability(d.Stage) {
			t.Fatalf("deal %s: close date %v amount %v probability %d", d.EntityID, d.CloseDate, d.Amount, d.Probability)
		}
		if d.Stage.Closed() && day(last.At) != d.CloseDate {
			t.Fatalf("deal %s closed %v but close date %v", d.EntityID, last.At, d.CloseDate)
		}
		stages[d.Stage]++
	}
	for _, s := range Stages() {
		if stages[s] == 0 && s != StageProspecting {
			t.Errorf("no deal ends in %s: %v", s, stages)
		}
	}
	if stages[StageClosedWon] > stages[StageClosedLost] {
		t.Errorf("more won than lost deals: %v", stages)
	}
}

func TestTicketTimes(t *testing.T) {
	w := Generate(Options{Seed: 2, Records: 20_000})
	status := map[string]int{}
	for _, tk := range w.Tickets {
		status[tk.Status]++
		if tk.FirstResponseAt != nil && tk.FirstResponseAt.Before(tk.CreatedAt) {
			t.Fatalf("ticket %s answered before it was created", tk.EntityID)
		}
		if (tk.ClosedAt != nil) != (tk.Status == "Closed") {
			t.Fatalf("ticket %s: status %s, closed at %v", tk.EntityID, tk.Status, tk.ClosedAt)
		}
		if tk.ClosedAt != nil {
			if tk.FirstResponseAt == nil || tk.ClosedAt.Before(*tk.FirstResponseAt) {
				t.Fatalf("ticket %s closed %v before its first response %v", tk.EntityID, tk.ClosedAt, tk.FirstResponseAt)
			}
			if !tk.ClosedAt.Before(w.Now) {
				t.Fatalf("ticket %s closed in the future", tk.EntityID)
			}
		}
		if tk.ModifiedAt.Before(tk.CreatedAt) || tk.ModifiedAt.After(w.Now) {
			t.Fatalf("ticket %s modified %v", tk.EntityID, tk.ModifiedAt)
		}
	}
	for _, s := range []string{"Open", "On Hold", "Escalated", "Closed"} {
		if status[s] == 0 {
			t.Errorf("no %s tickets: %v", s, status)
		}
	}
}

func TestWriteTruthGolden(t *testing.T) {
	rows := []Truth{
		{System: ZohoDesk, Object: "tickets", RecordID: "1892000000042034", EntityID: "E-T-000001"},
		{System: Salesforce, Object: "Contact", RecordID: "003000000000002AAA", EntityID: "E-P-000002"},
		{System: Salesforce, Object: "Account", RecordID: "001000000000001AAA", EntityID: "E-C-000001"},
		{System: ZohoCRM, Object: "Leads", RecordID: "4150868000000000001", EntityID: `E-P-"quoted",odd`},
		{System: Salesforce, Object: "Contact", RecordID: "003000000000001AAA", EntityID: "E-P-000001"},
	}
	var buf bytes.Buffer
	if err := WriteTruth(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if rows[0].System != ZohoDesk {
		t.Error("WriteTruth reordered its input")
	}
	golden := filepath.Join("testdata", "truth.golden.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteTruth output:\n%s\nwant:\n%s", buf.Bytes(), want)
	}
}

func TestWriteTruthError(t *testing.T) {
	err := WriteTruth(failWriter{}, []Truth{{System: Salesforce}})
	if err == nil {
		t.Fatal("no error from a failing writer")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestStageHelpers(t *testing.T) {
	prev := -1
	for _, s := range Stages()[:7] {
		if s.Rank() <= prev {
			t.Errorf("%s ranks %d after %d", s, s.Rank(), prev)
		}
		prev = s.Rank()
	}
	if !StageClosedLost.Closed() || StageClosedLost.Won() || !StageClosedWon.Won() || StageProposal.Closed() {
		t.Error("Closed/Won wrong")
	}
	if Stage("nope").Rank() != -1 {
		t.Error("unknown stage has a rank")
	}
	if !reflect.DeepEqual(Presence(InSalesforce|InZohoDesk).Has(ZohoDesk), true) || Presence(InSalesforce).Has(ZohoCRM) {
		t.Error("Presence.Has wrong")
	}
}

func TestZohoHistoriesHaveNoProspecting(t *testing.T) {
	w := Generate(Options{Seed: 9, Records: 5000})
	sfProspecting := 0
	for _, d := range w.Project(Salesforce).Deals {
		if d.History[0].Stage == StageProspecting {
			sfProspecting++
		}
	}
	if sfProspecting == 0 {
		t.Error("no Salesforce deal starts in prospecting")
	}
	for _, d := range w.Project(ZohoCRM).Deals {
		h := d.History
		for i, c := range h {
			if c.Stage == StageProspecting {
				t.Fatalf("Zoho deal %s: prospecting in its history", d.EntityID)
			}
			if i > 0 && (c.Stage.Rank() <= h[i-1].Stage.Rank() || !c.At.After(h[i-1].At)) {
				t.Fatalf("Zoho deal %s: history not moving forward: %+v", d.EntityID, h)
			}
		}
		last := h[len(h)-1]
		if d.Stage != last.Stage || d.Amount != last.Amount || !d.CloseDate.Equal(last.CloseDate) || !h[0].At.Equal(d.CreatedAt) {
			t.Fatalf("Zoho deal %s: history %+v does not match the deal %s %v %v", d.EntityID, h, d.Stage, d.Amount, d.CloseDate)
		}
	}
}

func TestCompanyNamesAndDomainsAreUnique(t *testing.T) {
	n := MaxRecords // the largest world uses the region-word names too
	if testing.Short() {
		n = MaxRecords / 10
	}
	w := Generate(Options{Seed: 1, Records: n})
	names := make(map[string]bool, len(w.Companies))
	domains := make(map[string]bool, len(w.Companies))
	for _, c := range w.Companies {
		if names[c.BaseName] || domains[c.Domain] {
			t.Fatalf("company %s: name %q or domain %q repeats", c.EntityID, c.BaseName, c.Domain)
		}
		names[c.BaseName], domains[c.Domain] = true, true
	}
	emails := make(map[string]bool, len(w.People))
	for _, p := range w.People {
		if emails[p.Email] {
			t.Fatalf("person %s: email %q repeats", p.EntityID, p.Email)
		}
		emails[p.Email] = true
	}
}
