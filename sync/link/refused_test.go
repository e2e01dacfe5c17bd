//go:build duckdb_arrow

package link_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/revops/revops/crm/sandbox"
	"github.com/revops/revops/load"
	"github.com/revops/revops/sync/link"
)

// A Zoho lead whose e-mail the sandbox garbles (a leading dot) changes
// with other fields: Salesforce refuses the e-mail (INVALID_EMAIL_ADDRESS
// on Email), which fails the record's whole write. The record is sent
// once more without it: the other fields land, the e-mail stays a failure
// (listed, retried next run), and the run is partial, not failed. The
// next run sends the e-mail alone and fails it alone.
func TestRefusedFieldLeavesTheOthers(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Email": "jking@banerjee-freight.com", "City": "Austin", "Phone": "+1 415 555 0100"},
		map[string]any{"Email": "jking@banerjee-freight.com", "City": "Austin", "Phone": "+1 415 555 0100"})
	wd.extract(t)
	if rep, w := wd.run(t, s); w != [2]int64{0, 0} || rep.Failed != 0 {
		t.Fatalf("first run (all agree): writes %v, %+v", w, rep)
	}
	wd.edit(t, 0, zid, map[string]any{"Email": ".jking@banerjee-freight.com", "City": "Boston", "Phone": "+1 415 555 0199"})
	wd.extract(t)

	failures := func() []link.Failure {
		t.Helper()
		fs, err := link.Failures(context.Background(), wd.w, []string{s.Name}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	check := func(name string, rep *link.Report, attempts int64) {
		t.Helper()
		if rep.Status != "partial" || rep.Error != "" || rep.Failed != 1 || rep.Sides[1].Failed != 1 {
			t.Fatalf("%s: status %q, error %q, failed %d (salesforce side %d), want partial with one failed field",
				name, rep.Status, rep.Error, rep.Failed, rep.Sides[1].Failed)
		}
		fs := failures()
		if len(fs) != 1 || fs[0].Field != "Email ⇄ Email" || fs[0].Code != "INVALID_EMAIL_ADDRESS" || fs[0].Side != "salesforce" ||
			fs[0].Attempts != attempts || fs[0].LeftID != zid || fs[0].RightID != sid {
			t.Fatalf("%s: failures %+v, want Email refused (INVALID_EMAIL_ADDRESS), attempt %d", name, fs, attempts)
		}
		if got := wd.get(t, 1, sid, "Email"); fmt.Sprint(got) != "jking@banerjee-freight.com" {
			t.Fatalf("%s: Salesforce e-mail %v", name, got)
		}
		if n := wd.rows(t, `SELECT count(*) FROM _revops.link_inflight`)[0][0]; fmt.Sprint(n) != "0" {
			t.Fatalf("%s: %v writes left in flight", name, n)
		}
	}

	rep, w := wd.run(t, s)
	t.Logf("run with a refused e-mail: writes %v, updated %d, failed %d, API calls %d", w, rep.Updated, rep.Failed, rep.APICalls)
	// The refused write, then the same record without the e-mail.
	if w != [2]int64{0, 2} || rep.Updated != 1 || rep.Sides[1].Updated != 1 {
		t.Fatalf("run: writes %v, updated %d, want 2 Salesforce write calls and the record updated", w, rep.Updated)
	}
	if c, p := wd.get(t, 1, sid, "City"), wd.get(t, 1, sid, "Phone"); fmt.Sprint(c) != "Boston" || fmt.Sprint(p) != "+1 415 555 0199" {
		t.Fatalf("the fields Salesforce did not refuse were not written: City %v, Phone %v", c, p)
	}
	check("run", rep, 1)
	runs, err := link.Runs(context.Background(), wd.w, []string{s.Name}, 1)
	if err != nil || len(runs) != 1 || runs[0].Status != "partial" || runs[0].Failed != 1 || runs[0].Updated != 1 {
		t.Fatalf("recorded run: %+v %v", runs, err)
	}

	// Next run: only the e-mail is still to write, and is refused again.
	wd.extract(t)
	rep, w = wd.run(t, s)
	if w != [2]int64{0, 1} || rep.Updated != 0 {
		t.Fatalf("second run: writes %v, updated %d, want the e-mail alone sent once", w, rep.Updated)
	}
	check("second run", rep, 2)

	// Fixed in Zoho: it is written, and its failure is cleared.
	wd.edit(t, 0, zid, map[string]any{"Email": "jking@banerjee-freight.com"})
	wd.extract(t)
	rep, _ = wd.run(t, s)
	if rep.Status != load.RunSucceeded || rep.Failed != 0 || len(failures()) != 0 {
		t.Fatalf("after the fix: %+v, failures %+v", rep, failures())
	}
}

// A write that fails as a whole (Salesforce answers 500 to every write,
// retries included) still fails the link: the run returns an error, its
// fields are recorded BATCH_FAILED, and nothing is sent without them.
func TestWholeWriteFailureFailsTheLink(t *testing.T) {
	faults := sandbox.NewFaults(1)
	wd := newWorldFaults(t, 0, faults)
	s := spec(t, leadLink)
	zid, _ := wd.pairOf(t, map[string]any{"Email": "ann@example.com", "City": "Austin"}, map[string]any{"Email": "ann@example.com", "City": "Austin"})
	wd.extract(t)
	if rep, _ := wd.run(t, s); rep.Failed != 0 {
		t.Fatalf("first run: %+v", rep)
	}
	wd.edit(t, 0, zid, map[string]any{"Email": ".ann@example.com", "City": "Boston"})
	wd.extract(t)
	faults.Add(sandbox.Rule{Kind: sandbox.Fault500, System: "salesforce", Method: http.MethodPatch})
	rep, err := wd.runner.Run(context.Background(), s, wd.dests, link.Options{})
	if err == nil || rep.Status != load.RunFailed {
		t.Fatalf("a 5xx storm: err %v, status %q, want the link failed", err, rep.Status)
	}
	fs, ferr := link.Failures(context.Background(), wd.w, []string{s.Name}, 0)
	if ferr != nil || len(fs) != 2 || fs[0].Code != link.CodeBatchFailed || fs[1].Code != link.CodeBatchFailed {
		t.Fatalf("failures %+v %v, want City and Email BATCH_FAILED", fs, ferr)
	}
	faults.Clear()
}

// The same the other way: Zoho refuses a value for a field
// (No_of_Employees holds 9 digits; Salesforce's NumberOfEmployees took
// ten): INVALID_DATA names it in details.api_name, the record is sent
// again without it, and the phone changed beside it lands in Zoho.
func TestZohoRefusedFieldLeavesTheOthers(t *testing.T) {
	wd := newWorld(t, 0)
	s := spec(t, leadLink)
	zid, sid := wd.pairOf(t, map[string]any{"Phone": "+1 415 555 0100", "No_of_Employees": int64(50)},
		map[string]any{"Phone": "+1 415 555 0100", "NumberOfEmployees": int64(50)})
	wd.extract(t)
	if rep, w := wd.run(t, s); w != [2]int64{0, 0} || rep.Failed != 0 {
		t.Fatalf("first run (all agree): writes %v, %+v", w, rep)
	}
	wd.edit(t, 1, sid, map[string]any{"NumberOfEmployees": int64(1234567890), "Phone": "+1 415 555 0177"})
	wd.extract(t)
	rep, w := wd.run(t, s)
	if w != [2]int64{2, 0} || rep.Status != "partial" || rep.Failed != 1 || rep.Sides[0].Updated != 1 || rep.Sides[0].Failed != 1 {
		t.Fatalf("run: writes %v, %+v; want 2 Zoho write calls, the record updated and one field failed", w, rep)
	}
	if p, n := wd.get(t, 0, zid, "Phone"), wd.get(t, 0, zid, "No_of_Employees"); fmt.Sprint(p) != "+1 415 555 0177" || fmt.Sprint(n) != "50" {
		t.Fatalf("Zoho holds Phone %v, No_of_Employees %v: want the phone written, the refused number not", p, n)
	}
	fs, err := link.Failures(context.Background(), wd.w, []string{s.Name}, 0)
	if err != nil || len(fs) != 1 || fs[0].Field != "No_of_Employees ⇄ NumberOfEmployees" || fs[0].Code != "INVALID_DATA" || fs[0].Side != "zoho_crm" {
		t.Fatalf("failures %+v %v, want No_of_Employees refused by Zoho", fs, err)
	}
}
