//go:build duckdb_arrow

package zoho_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

// childEnv carries the emulator and warehouse to TestKillChild.
const childEnv = "REVOPS_ZOHO_KILL_CHILD"

// TestKillChild is the process TestStageHistoryKilledResumes kills: it
// extracts Deals_Stage_History from the emulator at $REVOPS_ZOHO_KILL_CHILD
// into the DuckDB file $REVOPS_ZOHO_KILL_DB, slowly, with a checkpoint
// every 200ms. Skipped unless started so.
func TestKillChild(t *testing.T) {
	url := os.Getenv(childEnv)
	if url == "" {
		t.Skip("run by TestStageHistoryKilledResumes")
	}
	o := zoho.CRM()
	o.AccountsURL, o.APIDomain = url, url
	o.ClientID, o.ClientSecret, o.RefreshToken = os.Getenv("REVOPS_ZOHO_KILL_ID"), os.Getenv("REVOPS_ZOHO_KILL_SECRET"),
		os.Getenv("REVOPS_ZOHO_KILL_REFRESH")
	o.Modules = []string{"Deals"}
	o.Limits = fastLimits
	o.Limits.RequestsPerSecond, o.Limits.Burst = 150, 4
	object := zoho.StageHistoryObject
	r := &extract.Runner{CheckpointEvery: 200 * time.Millisecond}
	if os.Getenv("REVOPS_ZOHO_KILL_BULK") != "" {
		// A Bulk Read of Contacts, committed at every page.
		object, o.Modules = "Contacts", []string{"Contacts"}
		o.BulkThreshold, o.BulkPoll, o.Limits = 1, 2*time.Millisecond, fastLimits
		r.CheckpointRows = 1
	}
	e := newExtractor(t, o)
	wh, err := duckdb.Open(context.Background(), duckdb.Options{Path: os.Getenv("REVOPS_ZOHO_KILL_DB")})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	r.Warehouse = wh
	_, err = r.Run(context.Background(), []extract.Source{{Name: "zoho_crm", Extractor: e}},
		extract.Options{Objects: []string{object}})
	t.Fatalf("the read ended (%v) before it was killed", err)
}

// TestStageHistoryKilledResumes: a process reading Deals_Stage_History for
// the first time (one call per deal, few rows) is killed with SIGKILL part
// way. The segments it committed on time (Runner.CheckpointEvery) stay
// with their cursor; the next run resumes there, with fewer calls than a
// whole read, and the table equals a one-shot read's, each entry once.
func TestStageHistoryKilledResumes(t *testing.T) {
	ctx := context.Background()
	ts := start(t, zohotest.Options{}, 1500)
	deals := len(ts.Records("Deals"))
	dealCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return strings.HasPrefix(c.Endpoint, "/crm/v8/Deals") })
	}
	stageCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/v8/Deals/{id}/Stage_History" })
	}
	o := crmOptions(ts)
	o.Modules = []string{"Deals"}

	// The reference: one uninterrupted read.
	ts.Counters().Reset()
	one := openWarehouse(t, "oneshot")
	if _, err := extractInto(t, one, newExtractor(t, o), zoho.StageHistoryObject, 0); err != nil {
		t.Fatal(err)
	}
	oneShot := dealCalls()
	want := tableRows(t, one, "zoho_crm.deals_stage_history")

	// The killed read, in a child process.
	path := filepath.Join(t.TempDir(), "killed.duckdb")
	ts.Counters().Reset()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+ts.URL, "REVOPS_ZOHO_KILL_DB="+path,
		"REVOPS_ZOHO_KILL_ID="+ts.ClientID(), "REVOPS_ZOHO_KILL_SECRET="+ts.ClientSecret(),
		"REVOPS_ZOHO_KILL_REFRESH="+ts.RefreshToken())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Kill once about 60% of the deals' histories have been read.
	deadline := time.After(2 * time.Minute)
	for stageCalls() < int64(deals)*6/10 {
		select {
		case err := <-exited:
			t.Fatalf("the child ended before it was killed (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("the child read %d of %d histories in 2 minutes:\n%s", stageCalls(), deals, out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	<-exited
	killed := dealCalls()

	kw, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kw.Close() })
	cur, ok, err := load.GetCursor(ctx, kw, "zoho_crm", zoho.StageHistoryObject)
	if err != nil || !ok {
		t.Fatalf("no cursor after the kill (%v): the killed read kept nothing", err)
	}
	kept := len(tableRows(t, kw, "zoho_crm.deals_stage_history"))

	// The next run resumes.
	ts.Counters().Reset()
	res, err := extractInto(t, kw, newExtractor(t, o), zoho.StageHistoryObject, 0)
	if err != nil {
		t.Fatal(err)
	}
	resumed := dealCalls()
	got := tableRows(t, kw, "zoho_crm.deals_stage_history")
	if len(got) != len(want) {
		t.Fatalf("%d rows after resuming, one-shot %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("entry %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
	if resumed >= oneShot || kept == 0 {
		t.Fatalf("resumed with %d calls (one-shot %d) after keeping %d rows", resumed, oneShot, kept)
	}
	t.Logf("%d deals, %d entries: one-shot read %d calls; killed read %d calls, kept %d rows (cursor %s); "+
		"resumed read %d calls, %d rows; killed + resumed %d calls", deals, len(want), oneShot, killed, kept, cur.Value,
		resumed, res.Rows, killed+resumed)
}

// TestInterruptedReadKeepsCheckpoint: a run cancelled part way (Ctrl-C,
// a scheduler's SIGTERM) commits what it read up to the stream's last
// checkpoint, and the next run resumes there.
func TestInterruptedReadKeepsCheckpoint(t *testing.T) {
	ts := start(t, zohotest.Options{}, 1500)
	deals := len(ts.Records("Deals"))
	stageCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/v8/Deals/{id}/Stage_History" })
	}
	o := crmOptions(ts)
	o.Modules = []string{"Deals"}
	one := openWarehouse(t, "oneshot")
	if _, err := extractInto(t, one, newExtractor(t, o), zoho.StageHistoryObject, 0); err != nil {
		t.Fatal(err)
	}
	want := tableRows(t, one, "zoho_crm.deals_stage_history")

	wh := openWarehouse(t, "interrupted")
	ts.Counters().Reset()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for stageCalls() < int64(deals)/2 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	r := &extract.Runner{Warehouse: wh}
	res, err := r.Run(ctx, []extract.Source{{Name: "zoho_crm", Extractor: newExtractor(t, o)}}, extract.Options{Objects: []string{zoho.StageHistoryObject}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	if len(res) != 1 || res[0].Rows == 0 || res[0].Cursor == "" {
		t.Fatalf("the interrupted run kept nothing: %+v", res)
	}
	kept := len(tableRows(t, wh, "zoho_crm.deals_stage_history"))
	if kept == 0 || kept >= len(want) {
		t.Fatalf("kept %d of %d entries", kept, len(want))
	}
	ts.Counters().Reset()
	if _, err := extractInto(t, wh, newExtractor(t, o), zoho.StageHistoryObject, 0); err != nil {
		t.Fatal(err)
	}
	if n := stageCalls(); n >= int64(deals) {
		t.Errorf("the resumed run read %d histories of %d deals: it did not resume", n, deals)
	}
	got := tableRows(t, wh, "zoho_crm.deals_stage_history")
	if len(got) != len(want) {
		t.Fatalf("%d entries after resuming, one-shot %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("entry %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
}

// TestBulkReadKilledResumes: a process landing Contacts through Bulk Read
// (eight pages, each committed with the next page's token) is killed with
// SIGKILL while a job is running. The next run goes on at the page after
// the last one committed: no page committed is exported again, each
// record lands once, and the table equals a one-shot read's.
func TestBulkReadKilledResumes(t *testing.T) {
	ctx := context.Background()
	ts := start(t, zohotest.Options{BulkPageSize: 100, BulkDownloads: -1, BulkReadDelay: 150 * time.Millisecond}, 1500)
	n := len(ts.Records("Contacts"))
	pages := (n + 99) / 100
	o := crmOptions(ts)
	o.Modules, o.BulkThreshold, o.BulkPoll = []string{"Contacts"}, 1, 2*time.Millisecond
	one := openWarehouse(t, "oneshot")
	if _, err := extractInto(t, one, newExtractor(t, o), "Contacts", 0); err != nil {
		t.Fatal(err)
	}
	want := tableRows(t, one, "zoho_crm.contacts")
	created := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Method == "POST" && c.Endpoint == "/crm/bulk/v8/read" })
	}

	path := filepath.Join(t.TempDir(), "killed.duckdb")
	ts.Counters().Reset()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+ts.URL, "REVOPS_ZOHO_KILL_DB="+path, "REVOPS_ZOHO_KILL_BULK=1",
		"REVOPS_ZOHO_KILL_ID="+ts.ClientID(), "REVOPS_ZOHO_KILL_SECRET="+ts.ClientSecret(),
		"REVOPS_ZOHO_KILL_REFRESH="+ts.RefreshToken())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Kill while the fifth job runs.
	deadline := time.After(2 * time.Minute)
	for created() < 5 {
		select {
		case err := <-exited:
			t.Fatalf("the child ended before it was killed (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("the child created %d jobs in 2 minutes:\n%s", created(), out.String())
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	<-exited

	kw, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kw.Close() })
	cur, ok, err := load.GetCursor(ctx, kw, "zoho_crm", "Contacts")
	if err != nil || !ok || !strings.Contains(cur.Value, `"bulk"`) {
		t.Fatalf("cursor after the kill: %+v, %v: the killed read kept no page", cur, err)
	}
	kept := len(tableRows(t, kw, "zoho_crm.contacts"))
	if kept == 0 || kept%100 != 0 {
		t.Fatalf("the killed read kept %d rows: not whole pages", kept)
	}

	ts.Counters().Reset()
	res, err := extractInto(t, kw, newExtractor(t, o), "Contacts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, wantJobs := created(), int64(pages-kept/100); got != wantJobs {
		t.Fatalf("the resumed run made %d jobs, want %d (the pages after the %d kept)", got, wantJobs, kept/100)
	}
	got := tableRows(t, kw, "zoho_crm.contacts")
	if len(got) != len(want) {
		t.Fatalf("%d rows after resuming, one-shot %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("contact %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
	t.Logf("%d contacts in %d pages: killed after keeping %d rows; resumed with %d jobs, %d rows", n, pages, kept,
		created(), res.Rows)
}

// TestStageHistoryBulkImportKilledResumes: 1,500 deals share one
// Modified_Time (a bulk import), and a process reading their
// Stage_History is killed with SIGKILL between batches. The next run
// reads the history of exactly the deals the killed one did not commit,
// none of the others again, although all of them are in its look-back
// window; the table equals a one-shot read's.
func TestStageHistoryBulkImportKilledResumes(t *testing.T) {
	ctx := context.Background()
	clk := newStageClock()
	ts := start(t, zohotest.Options{Now: clk.now}, 0)
	bulkImport(t, ts, "Deals", 1500)
	clk.advance(10 * time.Minute)
	deals := len(ts.Records("Deals"))
	stageCalls := func() int64 {
		return ts.Counters().Sum(func(c sandbox.Count) bool { return c.Endpoint == "/crm/v8/Deals/{id}/Stage_History" })
	}
	o := crmOptions(ts)
	o.Modules = []string{"Deals"}
	one := openWarehouse(t, "oneshot")
	if _, err := extractInto(t, one, newExtractor(t, o), zoho.StageHistoryObject, 0); err != nil {
		t.Fatal(err)
	}
	want := tableRows(t, one, "zoho_crm.deals_stage_history")

	path := filepath.Join(t.TempDir(), "killed.duckdb")
	ts.Counters().Reset()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+ts.URL, "REVOPS_ZOHO_KILL_DB="+path,
		"REVOPS_ZOHO_KILL_ID="+ts.ClientID(), "REVOPS_ZOHO_KILL_SECRET="+ts.ClientSecret(),
		"REVOPS_ZOHO_KILL_REFRESH="+ts.RefreshToken())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for stageCalls() < int64(deals)/2 {
		select {
		case err := <-exited:
			t.Fatalf("the child ended before it was killed (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("the child read %d of %d histories in 2 minutes:\n%s", stageCalls(), deals, out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	<-exited
	killed := stageCalls()

	kw, err := duckdb.Open(ctx, duckdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kw.Close() })
	cur, ok, err := load.GetCursor(ctx, kw, "zoho_crm", zoho.StageHistoryObject)
	if err != nil || !ok || !strings.Contains(cur.Value, `"id"`) {
		t.Fatalf("cursor after the kill: %+v, %v", cur, err)
	}
	kept := len(landedDeals(t, tableRows(t, kw, "zoho_crm.deals_stage_history")))
	if kept == 0 || kept == deals {
		t.Fatalf("the killed read kept %d of %d deals", kept, deals)
	}

	ts.Counters().Reset()
	if _, err := extractInto(t, kw, newExtractor(t, o), zoho.StageHistoryObject, 0); err != nil {
		t.Fatal(err)
	}
	if n := stageCalls(); n != int64(deals-kept) {
		t.Fatalf("the resumed run read %d histories; %d of %d deals were not kept", n, deals-kept, deals)
	}
	got := tableRows(t, kw, "zoho_crm.deals_stage_history")
	if len(got) != len(want) {
		t.Fatalf("%d entries after resuming, one-shot %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("entry %s:\n got %s\nwant %s", id, got[id], w)
		}
	}
	t.Logf("%d deals of one second: killed after %d histories, %d deals kept (cursor %s); resumed with %d",
		deals, killed, kept, cur.Value, deals-kept)
}
