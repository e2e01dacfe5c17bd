//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/revops/revops/sync/link"
)

// The lost update: Zoho phone → X (synced), Salesforce phone → Y
// (synced), Zoho phone back to X. A diff against what was last sent
// found nothing to send; the three-way comparison sees Zoho changed and
// writes X to Salesforce. Every change is written once, its echo causes
// no write.
func TestLostUpdateSequence(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Phone": "+1 415 555 0100", "Email": "ann@example.com"},
		map[string]any{"Phone": "(415) 555-0100", "Email": "Ann@Example.com"})
	wd.extract(t)
	step := func(name string, wantZ, wantS int64) *link.Report {
		t.Helper()
		rep, w := wd.run(t, s)
		t.Logf("%-34s writes zoho %d salesforce %d; conflicts %d; API calls %d (zoho %d, salesforce %d)", name, w[0], w[1],
			rep.Conflicts, rep.APICalls, rep.Sides[0].APICalls, rep.Sides[1].APICalls)
		if w[0] != wantZ || w[1] != wantS || rep.Failed != 0 {
			t.Fatalf("%s: %d Zoho and %d Salesforce write calls, want %d and %d; report %+v", name, w[0], w[1], wantZ, wantS, rep)
		}
		wd.extract(t)
		return rep
	}
	rep := step("first run (phones agree)", 0, 0)
	if rep.Pairs != 1 || rep.Unchanged != 1 || rep.Agreed == 0 {
		t.Fatalf("first run: %+v", rep)
	}
	wd.edit(t, 0, zid, map[string]any{"Phone": "+1 415 555 0111"}) // X
	wd.extract(t)
	step("Zoho phone -> X", 0, 1)
	step("echo of X", 0, 0)
	wd.edit(t, 1, sid, map[string]any{"Phone": "415-555-0122"}) // Y
	wd.extract(t)
	step("Salesforce phone -> Y", 1, 0)
	step("echo of Y", 0, 0)
	wd.edit(t, 0, zid, map[string]any{"Phone": "+1 415 555 0111"}) // back to X
	wd.extract(t)
	step("Zoho phone back to X", 0, 1)
	step("echo of X again", 0, 0)
	if z, s := wd.get(t, 0, zid, "Phone"), wd.get(t, 1, sid, "Phone"); fmt.Sprint(z) != "+1 415 555 0111" || fmt.Sprint(s) != "+1 415 555 0111" {
		t.Fatalf("phones differ at the end: Zoho %v, Salesforce %v", z, s)
	}
	// Without an extract in between, a second run takes revops's own
	// write as the other side's value: still nothing to send.
	wd.edit(t, 1, sid, map[string]any{"Phone": "415-555-0133"})
	wd.extract(t)
	if _, w := wd.run(t, s); w != [2]int64{1, 0} {
		t.Fatalf("Salesforce change: writes %v", w)
	}
	if _, w := wd.run(t, s); w != [2]int64{0, 0} {
		t.Fatalf("a run on a stale extract wrote again: %v", w)
	}
}

// A conflict (both sides changed a field since they agreed) is decided
// by the field's owner rule and logged; the loser gets the winner's value.
func TestConflictsDecidedByOwner(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Designation": "CTO", "City": "Austin", "Website": "https://acme.example", "Description": "from zoho"},
		map[string]any{"Title": "CTO", "City": "Austin", "Description": "from zoho"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	// Website is empty in Salesforce: filled from Zoho.
	if w != [2]int64{0, 1} || rep.Conflicts != 0 || fmt.Sprint(wd.get(t, 1, sid, "Website")) != "https://acme.example" {
		t.Fatalf("first run: writes %v, %+v", w, rep)
	}
	wd.extract(t)
	wd.edit(t, 0, zid, map[string]any{"Designation": "VP Engineering", "City": "Dallas", "Website": "https://zoho.example", "Description": "zoho edit"})
	wd.edit(t, 1, sid, map[string]any{"Title": "Chief Technology Officer", "City": "Houston", "Website": "https://sf.example", "Description": "sf edit"})
	wd.extract(t)
	rep, w = wd.run(t, s)
	t.Logf("conflict run: writes zoho %d salesforce %d; conflicts %d; API calls %d", w[0], w[1], rep.Conflicts, rep.APICalls)
	want := map[string][2]string{
		"Designation": {"Chief Technology Officer", "Chief Technology Officer"}, // owner salesforce
		"City":        {"Dallas", "Dallas"},                                     // owner zoho
		"Website":     {"https://zoho.example", "https://sf.example"},           // fill_if_empty never overwrites
		"Description": {"zoho edit", "zoho edit"},                               // read_only from zoho
	}
	sfName := map[string]string{"Designation": "Title", "City": "City", "Website": "Website", "Description": "Description"}
	for f, v := range want {
		if z, s := fmt.Sprint(wd.get(t, 0, zid, f)), fmt.Sprint(wd.get(t, 1, sid, sfName[f])); z != v[0] || s != v[1] {
			t.Errorf("%s: Zoho %q, Salesforce %q, want %q and %q", f, z, s, v[0], v[1])
		}
	}
	if rep.Conflicts != 2 || w != [2]int64{1, 1} {
		t.Fatalf("conflicts %d, writes %v (want 2 conflicts, one write each way)", rep.Conflicts, w)
	}
	cs, err := link.Conflicts(context.Background(), wd.w, []string{"leads"}, 0)
	if err != nil || len(cs) != 2 {
		t.Fatalf("conflict log: %v %+v", err, cs)
	}
	for _, c := range cs {
		switch c.Field {
		case "Designation ⇄ Title":
			if c.Winner != "salesforce" || c.Base != "CTO" || c.LeftValue != "VP Engineering" || c.RightValue != "Chief Technology Officer" {
				t.Errorf("logged %+v", c)
			}
		case "City ⇄ City":
			if c.Winner != "zoho_crm" || c.Rule != "zoho_crm" {
				t.Errorf("logged %+v", c)
			}
		default:
			t.Errorf("unexpected conflict %+v", c)
		}
	}
	wd.extract(t)
	if _, w := wd.run(t, s); w != [2]int64{0, 0} {
		t.Fatalf("after the conflict: writes %v", w)
	}
	// A change on the copy side of a read_only field is not copied back.
	wd.edit(t, 1, sid, map[string]any{"Description": "changed in salesforce"})
	wd.extract(t)
	if _, w := wd.run(t, s); w != [2]int64{0, 0} || fmt.Sprint(wd.get(t, 0, zid, "Description")) != "zoho edit" {
		t.Fatalf("read_only copied back: writes %v", w)
	}
}

// Two systems storing one value differently never ping-pong: phones in
// other formats, e-mails in other case, text with other spacing, numbers
// of other types, names joined and split.
func TestNoFlipFlop(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	wd.pairOf(t, map[string]any{"Phone": "+1 (415) 555-0100", "Email": "Bob.Smith@Example.COM", "Designation": "  Head of  Sales ",
		"No_of_Employees": 250, "First_Name": "Mary Ann", "Last_Name": "Smith"},
		map[string]any{"Phone": "415.555.0100", "Email": "bob.smith@example.com", "Title": "Head of Sales", "NumberOfEmployees": 250.0,
			"FirstName": "Mary", "LastName": "Ann Smith"})
	wd.extract(t)
	for run := 1; run <= 3; run++ {
		rep, w := wd.run(t, s)
		if w != [2]int64{0, 0} || rep.Conflicts != 0 || rep.Failed != 0 || rep.Unchanged != 1 {
			t.Fatalf("run %d: writes %v, %+v", run, w, rep)
		}
		wd.extract(t)
	}
}

// The full loop extract → link → extract → link ends with zero writes;
// with 150 pairs (two Zoho batches) a change made in one system reaches
// the other once.
func TestFullLoopEndsWithZeroWrites(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	var zids, sids []string
	for i := range 150 {
		z, sf := wd.pairOf(t, map[string]any{"Phone": fmt.Sprintf("+1 212 555 %04d", i), "City": "Zoho City"},
			map[string]any{"Title": fmt.Sprintf("Title %d", i)})
		zids, sids = append(zids, z), append(sids, sf)
	}
	wd.extract(t)
	var per []string
	for run := 1; run <= 3; run++ {
		rep, w := wd.run(t, s)
		per = append(per, fmt.Sprintf("run %d: zoho %d, salesforce %d write calls, %d records updated, %d API calls", run, w[0], w[1], rep.Updated, rep.APICalls))
		switch run {
		case 1:
			// Phone and City fill Salesforce, Title fills Zoho: 150
			// records each way, in 2 Zoho calls (100 a call) and 1
			// Salesforce call (200 a call).
			if w != [2]int64{2, 1} || rep.Updated != 300 || rep.Failed != 0 {
				t.Fatalf("run 1: writes %v, %+v", w, rep)
			}
		default:
			if w != [2]int64{0, 0} || rep.Updated != 0 {
				t.Fatalf("run %d: writes %v, %+v", run, w, rep)
			}
		}
		wd.extract(t)
	}
	wd.edit(t, 1, sids[7], map[string]any{"City": "Boston"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	per = append(per, fmt.Sprintf("after one Salesforce edit: zoho %d, salesforce %d write calls", w[0], w[1]))
	if w != [2]int64{1, 0} || rep.Updated != 1 || fmt.Sprint(wd.get(t, 0, zids[7], "City")) != "Boston" {
		t.Fatalf("one change: writes %v, %+v", w, rep)
	}
	for range 2 {
		wd.extract(t)
		if _, w := wd.run(t, s); w != [2]int64{0, 0} {
			t.Fatalf("the change came back: writes %v", w)
		}
	}
	for _, p := range per {
		t.Log(p)
	}
}

// Zoho's clock runs 5 minutes ahead. When only Salesforce changed since
// the last agreement there is no conflict, whatever the clocks say; when
// both changed, newest corrects Zoho's times by the offset measured from
// revops's own writes, so the later Salesforce edit wins.
func TestNewestSurvivesClockSkew(t *testing.T) {
	wd := newWorld(t, 5*time.Minute)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Phone": "+1 415 555 0100"}, map[string]any{"Phone": "+1 415 555 0100"})
	wd.extract(t)
	wd.run(t, s)
	wd.extract(t)
	// Only Salesforce changes; Zoho's record was modified "later" by its clock.
	wd.edit(t, 0, zid, map[string]any{"City": "Zoho touched it"})
	time.Sleep(1100 * time.Millisecond)
	wd.edit(t, 1, sid, map[string]any{"Phone": "+1 415 555 0200"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	if w != [2]int64{1, 1} || rep.Conflicts != 0 || fmt.Sprint(wd.get(t, 0, zid, "Phone")) != "+1 415 555 0200" {
		t.Fatalf("only Salesforce changed: writes %v, %+v", w, rep)
	}
	wd.extract(t)
	wd.run(t, s) // measures Zoho's clock from revops's write
	wd.extract(t)
	// A real conflict: Zoho first, Salesforce 3 s later.
	wd.edit(t, 0, zid, map[string]any{"Phone": "+1 415 555 0300"})
	time.Sleep(3 * time.Second)
	wd.edit(t, 1, sid, map[string]any{"Phone": "+1 415 555 0400"})
	wd.extract(t)
	rep, w = wd.run(t, s)
	t.Logf("conflict under skew: writes zoho %d salesforce %d; %+v", w[0], w[1], rep.Decided)
	if rep.Conflicts != 1 || len(rep.Decided) != 1 || rep.Decided[0].Winner != "salesforce" || fmt.Sprint(wd.get(t, 0, zid, "Phone")) != "+1 415 555 0400" {
		t.Fatalf("the later Salesforce edit lost: %+v", rep)
	}
}

// Without a measurement of Zoho's clock, two changes seconds apart
// cannot be ordered: the tie side wins and the conflict log says why.
func TestNewestUnmeasuredClockIsATie(t *testing.T) {
	wd := newWorld(t, 5*time.Minute)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Phone": "+1 415 555 0100"}, map[string]any{"Phone": "+1 415 555 0100"})
	wd.extract(t)
	wd.run(t, s)
	wd.edit(t, 0, zid, map[string]any{"Phone": "+1 415 555 0300"})
	time.Sleep(1100 * time.Millisecond)
	wd.edit(t, 1, sid, map[string]any{"Phone": "+1 415 555 0400"})
	wd.extract(t)
	rep, _ := wd.run(t, s)
	if rep.Conflicts != 1 || rep.Decided[0].Winner != "zoho_crm" {
		t.Fatalf("%+v", rep)
	}
	if r := rep.Decided[0].Reason; !contains(r, "cannot order") || !contains(r, "not measured") {
		t.Fatalf("reason %q", r)
	}
}

// newest dates a change by the field's own change time (from the
// extracted history: the first version seen holding the value), not by
// the record's modified time: a later edit of another field on the Zoho
// lead does not make its older phone change win.
func TestNewestUsesFieldChangeTime(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Phone": "+1 415 555 0100", "City": "Austin"}, map[string]any{"Title": "CEO"})
	wd.extract(t)
	wd.run(t, s) // fills each side: revops's writes measure both clocks
	wd.extract(t)
	wd.run(t, s)
	wd.edit(t, 0, zid, map[string]any{"Phone": "+1 415 555 0300"})
	wd.extract(t) // the history keeps this version (an extract ran between the edits)
	time.Sleep(4 * time.Second)
	wd.edit(t, 1, sid, map[string]any{"Phone": "+1 415 555 0400"})
	time.Sleep(2500 * time.Millisecond)
	wd.edit(t, 0, zid, map[string]any{"Designation": "Founder"}) // the Zoho record is now the newer one
	wd.extract(t)
	rep, _ := wd.run(t, s)
	if rep.Conflicts != 1 || rep.Decided[0].Winner != "salesforce" || fmt.Sprint(wd.get(t, 0, zid, "Phone")) != "+1 415 555 0400" {
		t.Fatalf("the older Zoho phone change won: %+v", rep.Decided)
	}
}
