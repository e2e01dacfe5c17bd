//go:build duckdb_arrow

package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/revops/revops/crm/salesforce/sftest"
	"github.com/revops/revops/crm/sandbox"
	crmzoho "github.com/revops/revops/crm/zoho"
	"github.com/revops/revops/crm/zoho/zohotest"
	"github.com/revops/revops/extract"
	extractsf "github.com/revops/revops/extract/salesforce"
	extractzoho "github.com/revops/revops/extract/zoho"
	"github.com/revops/revops/load/duckdb"
	revsync "github.com/revops/revops/sync"
	"github.com/revops/revops/sync/salesforce"
)

// side is one destination under test: an emulated org, its destination,
// a DuckDB warehouse and what the tests below need to know of its API.
type side struct {
	system   string
	runner   *revsync.Runner
	dest     revsync.Destination
	w        *duckdb.Warehouse
	faults   *sandbox.Faults
	counters *sandbox.Counters
	exec     func(t *testing.T, q string)
	// object is the object written; the fields of the model's columns.
	object                          string
	lastName, company, email, extID string
	maxBatch                        int
	// create, upsert, update and remove are the fault rules' method and
	// endpoint of those calls.
	create, upsert, update, remove [2]string
	// names counts the records of object by last name, read through the
	// emulator's API.
	names func(t *testing.T) map[string]int
	// companies lists the company of each record by last name, read
	// through the emulator's API.
	companies func(t *testing.T) map[string][]string
	// addCreateKey adds the field match.create_key fills.
	addCreateKey func(t *testing.T) string
	// login is the emulator's URL and credentials, as environment
	// variables for a helper process (see killed_test.go).
	login []string
	// extract lands the object in the warehouse with the real extractor.
	extract func(t *testing.T)
}

func sfSide(t *testing.T) *side {
	e := newEnv(t)
	// One retry: a lost answer is lost for good sooner.
	opts := e.opts
	opts.Limits.MaxRetries = 1
	d, err := salesforce.New(context.Background(), opts.ClientConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.dest = d
	id, secret, refresh, _ := e.org.Credentials()
	login := []string{"REVOPS_SYNC_URL=" + e.org.URL, "REVOPS_SYNC_CLIENT_ID=" + id, "REVOPS_SYNC_CLIENT_SECRET=" + secret, "REVOPS_SYNC_REFRESH_TOKEN=" + refresh}
	extractLeads := func(t *testing.T) {
		o := opts
		o.Objects = []string{"Lead"}
		ex, err := extractsf.New(context.Background(), "salesforce", o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&extract.Runner{Warehouse: e.w}).Run(context.Background(), []extract.Source{{Name: "salesforce", Extractor: ex}}, extract.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	s := &side{system: "salesforce", login: login, extract: extractLeads, runner: e.runner, dest: e.dest, w: e.w, faults: e.faults, counters: e.counters, exec: func(t *testing.T, q string) { e.exec(t, q) },
		object: "Lead", lastName: "LastName", company: "Company", email: "Email", extID: "Zoho_Lead_Id__c", maxBatch: 200,
		create: [2]string{"POST", collections}, upsert: [2]string{"PATCH", collections}, update: [2]string{"PATCH", collections}, remove: [2]string{"DELETE", collections},
		companies: func(t *testing.T) map[string][]string {
			out := map[string][]string{}
			err := e.dest.Client().Query(context.Background(), "SELECT Id, LastName, Company FROM Lead", false, 0, func(recs []map[string]any) error {
				for _, r := range recs {
					if s, _ := r["LastName"].(string); strings.HasPrefix(s, "Idem ") {
						c, _ := r["Company"].(string)
						out[s] = append(out[s], c)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
		addCreateKey: func(t *testing.T) string {
			if err := e.org.AddField("Lead", sftest.Field{Name: "Revops_Key__c", Type: sftest.TypeString, Length: 255, ExternalID: true, Unique: true}); err != nil {
				t.Fatal(err)
			}
			return "Revops_Key__c"
		}}
	s.names = s.countNames
	return s
}

func zohoSide(t *testing.T) *side {
	z := newZenv(t)
	z.retries = 1
	z.dest = z.newDest(t, z.org.RefreshToken())
	login := []string{"REVOPS_SYNC_URL=" + z.org.URL, "REVOPS_SYNC_CLIENT_ID=" + z.org.ClientID(), "REVOPS_SYNC_CLIENT_SECRET=" + z.org.ClientSecret(),
		"REVOPS_SYNC_REFRESH_TOKEN=" + z.org.RefreshToken()}
	extractLeads := func(t *testing.T) {
		o := extractzoho.CRM()
		o.AccountsURL, o.APIDomain, o.Modules = z.org.URL, z.org.URL, []string{"Leads"}
		o.ClientID, o.ClientSecret, o.RefreshToken = z.org.ClientID(), z.org.ClientSecret(), z.org.RefreshToken()
		ex, err := extractzoho.New(context.Background(), "zoho_crm", o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&extract.Runner{Warehouse: z.w}).Run(context.Background(), []extract.Source{{Name: "zoho_crm", Extractor: ex}}, extract.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	s := &side{system: "zoho_crm", login: login, extract: extractLeads, runner: z.runner, dest: z.dest, w: z.w, faults: z.faults, counters: z.counters, exec: func(t *testing.T, q string) { z.exec(t, q) },
		object: "Leads", lastName: "Last_Name", company: "Company", email: "Email", maxBatch: 100,
		create: [2]string{"POST", "/crm/v8/Leads"}, upsert: [2]string{"POST", "/crm/v8/Leads/upsert"}, update: [2]string{"PUT", "/crm/v8/Leads"}, remove: [2]string{"DELETE", "/crm/v8/Leads"},
		companies: func(t *testing.T) map[string][]string {
			out := map[string][]string{}
			err := z.dest.Client().List(context.Background(), "Leads", []string{"Last_Name", "Company"}, crmzoho.ListOptions{}, func(recs []map[string]any) error {
				for _, r := range recs {
					if s, _ := r["Last_Name"].(string); strings.HasPrefix(s, "Idem ") {
						c, _ := r["Company"].(string)
						out[s] = append(out[s], c)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
		addCreateKey: func(t *testing.T) string {
			if err := z.org.AddField("Leads", zohotest.Field{APIName: "Revops_Key", DataType: "text", Length: 255, Unique: true, Custom: true}); err != nil {
				t.Fatal(err)
			}
			return "Revops_Key"
		}}
	s.names = s.countNames
	return s
}

// countNames counts the records of the object by last name.
func (s *side) countNames(t *testing.T) map[string]int {
	out := map[string]int{}
	for name, cs := range s.companies(t) {
		out[name] = len(cs)
	}
	return out
}

// idemModel creates syncs.idem with n rows; every 25th row (i % 25 = 7)
// has neither email nor external id.
func (s *side) idemModel(t *testing.T, n int) {
	s.exec(t, fmt.Sprintf(`CREATE OR REPLACE TABLE syncs.idem AS SELECT 'R' || lpad(CAST(i AS VARCHAR), 4, '0') AS k,
		'Idem R' || lpad(CAST(i AS VARCHAR), 4, '0') AS last_name, 'Company ' || (i %% 7) AS company,
		CASE WHEN i %% 25 = 7 THEN NULL ELSE 'r' || i || '@example.com' END AS email,
		CASE WHEN i %% 25 = 7 THEN NULL ELSE 'X-' || i END AS ext FROM range(%d) t(i)`, n))
}

// idemSpec syncs syncs.idem in mode, matched by match: "external_id" (the
// Salesforce external id), "duplicate_check" (Zoho, on Email) or
// "create_key" (by id, with a create key of revops's own, added to the
// emulated org first).
func (s *side) idemSpec(t *testing.T, mode revsync.Mode, match string) *revsync.Spec {
	key := ""
	if match == "create_key" {
		key = s.addCreateKey(t)
	}
	return idemSpecFor(s.system, mode, match, key)
}

// idemSpecFor is idemSpec once the create key field (if any) exists.
func idemSpecFor(system string, mode revsync.Mode, match, createKey string) *revsync.Spec {
	object, last, company, email := "Lead", "LastName", "Company", "Email"
	if system == "zoho_crm" {
		object, last = "Leads", "Last_Name"
	}
	sp := &revsync.Spec{Name: "idem", Model: "syncs.idem", Destination: revsync.Target{Source: system, Object: object}, Mode: mode, Key: "k",
		Mapping: map[string]revsync.FieldMap{last: {Column: "last_name"}, company: {Column: "company"}, email: {Column: "email"}}}
	switch match {
	case "external_id":
		sp.Match = revsync.MatchSpec{By: revsync.MatchExternalID, Field: "Zoho_Lead_Id__c"}
		sp.Mapping["Zoho_Lead_Id__c"] = revsync.FieldMap{Column: "ext"}
	case "duplicate_check":
		sp.Match = revsync.MatchSpec{By: revsync.MatchDuplicateCheck, Fields: []string{email}}
	case "create_key":
		sp.Match = revsync.MatchSpec{By: revsync.MatchID, CreateKey: createKey}
	}
	if mode == revsync.ModeMirror {
		sp.Mirror = &revsync.MirrorSpec{Action: "delete"}
	}
	return sp
}

// TestLostCreateAnswersNeverDuplicate: for every mode and both
// destinations, the destination processes the first write but its answer
// is lost (the connection drops after the server wrote, on every retry);
// the run stops, and the next runs find what was written instead of
// creating it again. Rows without any match value are never sent
// (MATCH_VALUE_MISSING) until the model gives them one. Records are
// counted through the emulator's API: each row's record exists once.
func TestLostCreateAnswersNeverDuplicate(t *testing.T) {
	const n = 250
	cases := []struct {
		system, match string
		mode          revsync.Mode
	}{
		{"salesforce", "external_id", revsync.ModeUpsert},
		{"salesforce", "external_id", revsync.ModeInsert},
		{"salesforce", "external_id", revsync.ModeMirror},
		{"salesforce", "external_id", revsync.ModeUpdate},
		{"salesforce", "create_key", revsync.ModeUpsert},
		{"salesforce", "create_key", revsync.ModeInsert},
		{"salesforce", "create_key", revsync.ModeMirror},
		{"zoho_crm", "duplicate_check", revsync.ModeUpsert},
		{"zoho_crm", "duplicate_check", revsync.ModeInsert},
		{"zoho_crm", "duplicate_check", revsync.ModeMirror},
		{"zoho_crm", "duplicate_check", revsync.ModeUpdate},
		{"zoho_crm", "create_key", revsync.ModeUpsert},
		{"zoho_crm", "create_key", revsync.ModeInsert},
		{"zoho_crm", "create_key", revsync.ModeMirror},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", c.system, c.mode, c.match), func(t *testing.T) {
			ctx := context.Background()
			var s *side
			if c.system == "salesforce" {
				s = sfSide(t)
			} else {
				s = zohoSide(t)
			}
			s.idemModel(t, n)
			spec := s.idemSpec(t, c.mode, c.match)
			if ok, why := spec.Idempotency(); !ok {
				t.Fatalf("spec not idempotent: %s", why)
			}
			byID := c.match == "create_key"
			want := n - n/25 // rows with a match value
			if byID {
				want = n
			}
			call := s.create
			switch {
			case c.mode == revsync.ModeUpdate:
				// Update never creates: the records exist first.
				up := s.idemSpec(t, revsync.ModeUpsert, c.match)
				if _, err := s.runner.Run(ctx, up, s.dest, revsync.Options{}); err != nil {
					t.Fatal(err)
				}
				s.exec(t, `UPDATE syncs.idem SET company = 'Moved ' || company`)
				call = s.update
			case !byID && c.mode != revsync.ModeInsert:
				call = s.upsert
			}
			// The first write call is served, and its answer lost, on
			// every attempt the HTTP layer makes.
			s.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, System: s.system, Method: call[0], Endpoint: call[1], Times: 20})
			rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{})
			s.faults.Clear()
			if err == nil || rep.Succeeded != 0 {
				t.Fatalf("faulted run: want it stopped by the lost answer, got %v %+v", err, rep.Counts)
			}
			if c.mode != revsync.ModeUpdate {
				if got := len(s.names(t)); got != min(s.maxBatch, want) {
					t.Fatalf("%d records after the lost answer, want %d (the first batch was written)", got, min(s.maxBatch, want))
				}
			}
			rep, err = s.runner.Run(ctx, spec, s.dest, revsync.Options{})
			if err != nil {
				t.Fatalf("re-run: %v", err)
			}
			if c.mode != revsync.ModeUpdate && rep.Recovered != int64(min(s.maxBatch, want)) {
				t.Errorf("re-run recovered %d, want %d (the first batch, found at the destination)", rep.Recovered, min(s.maxBatch, want))
			}
			s.checkOnce(t, want)
			fails, err := revsync.Failures(ctx, s.w, []string{"idem"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if byID && len(fails) != 0 {
				t.Errorf("failures left: %+v", fails)
			}
			if !byID {
				if len(fails) != n/25 {
					t.Fatalf("%d failures, want the %d rows without a match value", len(fails), n/25)
				}
				for _, f := range fails {
					if f.Code != revsync.CodeMatchValueMissing || !f.Retryable || !strings.Contains(f.Message, "empty") {
						t.Errorf("row %s: %s %q (retryable %v)", f.Key, f.Code, f.Message, f.Retryable)
					}
				}
				// The values appear: the rows are sent, once.
				s.exec(t, `UPDATE syncs.idem SET email = 'late' || k || '@example.com', ext = 'X-late-' || k WHERE email IS NULL`)
				if c.mode == revsync.ModeUpdate {
					want = n // they were never created: update finds nothing
					if _, err := s.runner.Run(ctx, s.idemSpec(t, revsync.ModeUpsert, c.match), s.dest, revsync.Options{}); err != nil {
						t.Fatal(err)
					}
				} else {
					want = n
				}
				rep, err = s.runner.Run(ctx, spec, s.dest, revsync.Options{})
				if err != nil || (c.mode != revsync.ModeUpdate && rep.Succeeded != int64(n/25)) {
					t.Fatalf("run after the values appeared: %v %+v %v", err, rep.Counts, rep.Errors)
				}
				s.checkOnce(t, want)
			}
			// Nothing is left to send.
			if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Planned != 0 {
				t.Errorf("last run: %v %+v", err, rep.Counts)
			}
		})
	}
}

// checkOnce counts the records through the API: want of them, none twice.
func (s *side) checkOnce(t *testing.T, want int) {
	t.Helper()
	names := s.names(t)
	if len(names) != want {
		t.Errorf("%d rows have records, want %d", len(names), want)
	}
	for name, k := range names {
		if k != 1 {
			t.Errorf("%s has %d records", name, k)
		}
	}
}

// TestApplyNeverCreatesWhatARunWroteSincePlan: a plan says to create rows;
// before it is applied, a run creates them (one with other values than
// planned). Apply sends neither: the one written as planned is skipped,
// the other refused; every row's record exists once.
func TestApplyNeverCreatesWhatARunWroteSincePlan(t *testing.T) {
	for _, system := range []string{"salesforce", "zoho_crm"} {
		t.Run(system, func(t *testing.T) {
			ctx := context.Background()
			s := sfSide(t)
			if system == "zoho_crm" {
				s = zohoSide(t)
			}
			s.idemModel(t, 5)
			spec := s.idemSpec(t, revsync.ModeInsert, "create_key")
			plan, err := s.runner.Plan(ctx, spec, s.dest, revsync.PlanOptions{})
			if err != nil || len(plan.Rows) != 5 {
				t.Fatalf("plan: %v %+v", err, plan)
			}
			s.exec(t, `UPDATE syncs.idem SET company = 'Changed Co' WHERE k = 'R0004'`)
			if rep, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err != nil || rep.Succeeded != 5 {
				t.Fatalf("run: %v %+v", err, rep.Counts)
			}
			rep, err := s.runner.Apply(ctx, spec, s.dest, plan.ID, revsync.Options{})
			if err != nil || rep.Succeeded != 0 || rep.Skipped != 4 || rep.Refused != 1 || rep.Errors[0].Key != "R0004" {
				t.Fatalf("apply: %v %+v %v", err, rep.Counts, rep.Errors)
			}
			s.checkOnce(t, 5)
		})
	}
}

// TestPlanRecordsTheCreatesItRecovers: a plan made after a run lost a
// create's answer finds the records the run wrote, leaves them out of the
// plan, and records that resolution in history as a run of kind recover.
func TestPlanRecordsTheCreatesItRecovers(t *testing.T) {
	ctx := context.Background()
	s := zohoSide(t)
	s.idemModel(t, 150)
	spec := s.idemSpec(t, revsync.ModeUpsert, "create_key")
	s.faults.Add(sandbox.Rule{Kind: sandbox.FaultDrop, System: s.system, Method: s.create[0], Endpoint: s.create[1], Times: 1})
	if _, err := s.runner.Run(ctx, spec, s.dest, revsync.Options{}); err == nil {
		t.Fatal("want the lost answer to stop the run")
	}
	plan, err := s.runner.Plan(ctx, spec, s.dest, revsync.PlanOptions{})
	if err != nil || len(plan.Rows) != 50 || plan.Report.Recovered != 100 {
		t.Fatalf("plan: %v, %d rows, recovered %d: want the 50 rows never sent", err, len(plan.Rows), plan.Report.Recovered)
	}
	runs, err := revsync.History(ctx, s.w, []string{"idem"}, 0)
	if err != nil || len(runs) != 2 || runs[0].Kind != "recover" || runs[0].Recovered != 100 || runs[0].Status != "succeeded" {
		t.Fatalf("history: %+v %v", runs, err)
	}
	if rep, err := s.runner.Apply(ctx, spec, s.dest, plan.ID, revsync.Options{}); err != nil || rep.Succeeded != 50 {
		t.Fatalf("apply: %v %+v", err, rep.Counts)
	}
	s.checkOnce(t, 150)
}
