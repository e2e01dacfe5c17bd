package soak

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"
)

var (
	flagE2ERecords = flag.Int("e2e.records", 20_000, "records per system of BenchmarkEndToEnd (make bench-e2e runs 1,000,000)")
	flagE2ESeed    = flag.Int64("e2e.seed", 7, "world seed of BenchmarkEndToEnd")
	flagE2EUsers   = flag.Int("e2e.users", 10, "licensed users of the Enterprise Zoho org whose daily credits BenchmarkEndToEnd compares against (the sandbox's org has 10)")
	flagE2ESettle  = flag.Bool("e2e.settle", false, "run revops once more between the full run and the changes, so the incremental run measures 1% changed on a settled project (the second run otherwise also carries what the first run's syncs created)")
	flagE2EKeep    = flag.String("e2e.keep", "", "directory where BenchmarkEndToEnd keeps each run's --json document, a CPU profile of each revops run, and the warehouse after the incremental run")
)

// BenchmarkEndToEnd is `make bench-e2e`: a sandbox of -e2e.records records
// per system served by `revops sandbox` (a child process, as a user runs
// it), the first full `revops run` on the config the sandbox writes (every
// shipped model, identity, sync and link), 1% of the CRM records changed
// through the APIs, then an incremental `revops run`. It prints the wall
// time of each stage, the peak memory of each run, and per system the
// calls each run made against the fewest the APIs allow for the rows read.
// One iteration is the whole scenario; run it with -benchtime 1x.
func BenchmarkEndToEnd(b *testing.B) {
	bin := revopsBinary(b)
	records := *flagE2ERecords
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := startE2E(b, bin, records, *flagE2ESeed)
		b.StartTimer()
		full := e.run(b, "full")
		b.StopTimer()
		if *flagE2ESettle {
			settle := e.run(b, "settle")
			e.reportSettle(os.Stdout, settle)
		}
		changed := e.changeOnePercent(b)
		b.StartTimer()
		inc := e.run(b, "incremental")
		b.StopTimer()
		e.report(os.Stdout, records, changed, full, inc)
		e.keep(b)
		b.ReportMetric(full.wall.Seconds(), "full-s")
		b.ReportMetric(inc.wall.Seconds(), "incremental-s")
		b.ReportMetric(float64(full.total()), "full-calls")
		b.ReportMetric(float64(inc.total()), "incremental-calls")
		b.ReportMetric(100*float64(inc.extractCalls())/math.Max(1, float64(full.extractCalls())), "inc-extract-calls-%")
		e.stop()
	}
}

// e2e is one sandbox and the revops project beside it.
type e2e struct {
	bin, dir string
	sandbox  *exec.Cmd
	info     struct {
		Salesforce struct {
			InstanceURL  string `json:"instance_url"`
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			RefreshToken string `json:"refresh_token"`
			APIVersion   string `json:"api_version"`
			StatsURL     string `json:"stats_url"`
		} `json:"salesforce"`
		Zoho struct {
			AccountsURL  string `json:"accounts_url"`
			APIDomain    string `json:"api_domain"`
			DeskURL      string `json:"desk_url"`
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			RefreshToken string `json:"refresh_token"`
			OrgID        string `json:"org_id"`
			StatsURL     string `json:"stats_url"`
		} `json:"zoho"`
	}
	seeded time.Duration
}

func startE2E(b *testing.B, bin string, records int, seed int64) *e2e {
	b.Helper()
	e := &e2e{bin: bin, dir: b.TempDir()}
	start := time.Now()
	e.sandbox = exec.Command(bin, "sandbox", "--records", fmt.Sprint(records), "--seed", fmt.Sprint(seed),
		"--write-config", "revops.yaml", "--token-ttl", "24h")
	e.sandbox.Dir = e.dir
	e.sandbox.Stderr = io.Discard
	if *flagE2EKeep != "" {
		if err := os.MkdirAll(*flagE2EKeep, 0o755); err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(filepath.Join(*flagE2EKeep, "sandbox.log"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = f.Close() })
		e.sandbox.Stderr = f
	}
	out, err := e.sandbox.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := e.sandbox.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.stop)
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		b.Fatalf("revops sandbox: no first line: %v", err)
	}
	if err := json.Unmarshal(line, &e.info); err != nil {
		b.Fatalf("revops sandbox: first line %q: %v", line, err)
	}
	e.seeded = time.Since(start)
	return e
}

func (e *e2e) stop() {
	if e.sandbox != nil && e.sandbox.Process != nil {
		_ = e.sandbox.Process.Signal(syscall.SIGTERM)
		_ = e.sandbox.Wait()
		e.sandbox = nil
	}
}

// runResult is what one `revops run` did and cost.
type runResult struct {
	name    string
	wall    time.Duration
	maxRSS  int64 // bytes
	stages  []runStage
	objects []runObject
	calls   map[string]int64 // system → requests the emulators answered
	credits int64            // Zoho CRM credits the run recorded
}

type runStage struct {
	Stage    string      `json:"stage"`
	Status   string      `json:"status"`
	Rows     int64       `json:"rows"`
	APICalls int64       `json:"api_calls"`
	Seconds  float64     `json:"seconds"`
	Targets  []runTarget `json:"targets"`
}

// runTarget is one sync or link of a run (or a failed object, model or
// test of the other stages).
type runTarget struct {
	Name     string  `json:"name"`
	Status   string  `json:"status"`
	Rows     int64   `json:"rows"`
	APICalls int64   `json:"api_calls"`
	Seconds  float64 `json:"seconds"`
}

type runObject struct {
	Source   string `json:"source"`
	Object   string `json:"object"`
	Rows     int64  `json:"rows"`
	Inserted int64  `json:"inserted"`
	Updated  int64  `json:"updated"`
}

func (r runResult) total() int64 {
	var n int64
	for _, c := range r.calls {
		n += c
	}
	return n
}

func (r runResult) extractCalls() int64 {
	for _, s := range r.stages {
		if s.Stage == "extract" {
			return s.APICalls
		}
	}
	return 0
}

// run runs `revops run --json` and measures it.
func (e *e2e) run(b *testing.B, name string) runResult {
	b.Helper()
	before := e.stats(b)
	cmd := exec.Command(e.bin, "run", "--json", "-c", "revops.yaml")
	cmd.Dir = e.dir
	if *flagE2EKeep != "" {
		if err := os.MkdirAll(*flagE2EKeep, 0o755); err != nil {
			b.Fatal(err)
		}
		cmd.Env = append(os.Environ(), "REVOPS_CPUPROFILE="+filepath.Join(*flagE2EKeep, name+".pprof"))
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := runResult{name: name, wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024
	}
	var doc struct {
		OK  bool `json:"ok"`
		Run struct {
			Status   string     `json:"status"`
			Stages   []runStage `json:"stages"`
			APICalls []struct {
				Source  string `json:"source"`
				Credits *int64 `json:"credits"`
			} `json:"api_calls"`
		} `json:"run"`
		Extract struct {
			Objects []runObject `json:"objects"`
		} `json:"extract"`
	}
	if derr := json.Unmarshal(stdout.Bytes(), &doc); derr != nil {
		b.Fatalf("revops run (%s): %v %v\nstdout: %s\nstderr: %s", name, err, derr, tail(stdout.String(), 20), tail(stderr.String(), 40))
	}
	if err != nil {
		// A run that failed in part still reports what it did; the
		// figures say which stages failed.
		fmt.Fprintf(os.Stderr, "revops run (%s): %v: %s\n", name, err, runErrors(stdout.Bytes()))
	}
	r.stages, r.objects = doc.Run.Stages, doc.Extract.Objects
	if *flagE2EKeep != "" {
		if err := os.WriteFile(filepath.Join(*flagE2EKeep, name+".json"), stdout.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range doc.Run.APICalls {
		if c.Credits != nil {
			r.credits += *c.Credits
		}
	}
	after := e.stats(b)
	r.calls = map[string]int64{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			r.calls[k] = d
		}
	}
	return r
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stats reads the emulators' request counters, per system. Both stats
// endpoints serve the sandbox's one set of counters, and are themselves
// not counted.
func (e *e2e) stats(b *testing.B) map[string]int64 {
	b.Helper()
	resp, err := http.Get(e.info.Salesforce.StatsURL)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Requests []struct {
			System string `json:"system"`
			Count  int64  `json:"count"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		b.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range doc.Requests {
		out[r.System] += r.Count
	}
	return out
}

// query runs `revops query --json` on the project.
func (e *e2e) query(b *testing.B, sql string) []map[string]any {
	b.Helper()
	cmd := exec.Command(e.bin, "query", "--json", "-c", "revops.yaml", sql)
	cmd.Dir = e.dir
	out, err := cmd.Output()
	var doc struct {
		Rows []map[string]any `json:"rows"`
	}
	if jerr := json.Unmarshal(out, &doc); jerr != nil || err != nil {
		b.Fatalf("revops query %q: %v %v: %s", sql, err, jerr, out)
	}
	return doc.Rows
}

// e2eChanges are the records changed between the two runs: the same 1%
// of each CRM object (by a hash of the id), one field each.
var e2eChanges = []struct {
	system, object, table, idCol, field string
}{
	{"salesforce", "Lead", "salesforce.lead", "Id", "Title"},
	{"salesforce", "Contact", "salesforce.contact", "Id", "Title"},
	{"salesforce", "Account", "salesforce.account", "Id", "Description"},
	{"salesforce", "Opportunity", "salesforce.opportunity", "Id", "NextStep"},
	{"zoho", "Leads", "zoho_crm.leads", "id", "Designation"},
	{"zoho", "Contacts", "zoho_crm.contacts", "id", "Title"},
	{"zoho", "Accounts", "zoho_crm.accounts", "id", "Description"},
	{"zoho", "Deals", "zoho_crm.deals", "id", "Description"},
}

// changeOnePercent changes 1% of the records of each CRM object through
// the APIs, as users would, in batches of the APIs' maximum size.
func (e *e2e) changeOnePercent(b *testing.B) map[string]int {
	b.Helper()
	ctx := context.Background()
	sf := newSFClient(e.info.Salesforce.InstanceURL, e.info.Salesforce.APIVersion, e.info.Salesforce.ClientID,
		e.info.Salesforce.ClientSecret, e.info.Salesforce.RefreshToken)
	zo := newZohoClient(e.info.Zoho.AccountsURL, e.info.Zoho.APIDomain, e.info.Zoho.DeskURL, e.info.Zoho.OrgID,
		e.info.Zoho.ClientID, e.info.Zoho.ClientSecret, e.info.Zoho.RefreshToken)
	stamp := time.Now().UTC().Format("15:04:05")
	changed := map[string]int{}
	for _, c := range e2eChanges {
		rows := e.query(b, fmt.Sprintf(`SELECT %q AS id FROM %s WHERE _deleted_at IS NULL AND hash(%q) %% 100 = 0 ORDER BY 1`,
			c.idCol, c.table, c.idCol))
		batch := 200
		if c.system == "zoho" {
			batch = 100
		}
		for start := 0; start < len(rows); start += batch {
			var recs []map[string]any
			for _, r := range rows[start:min(start+batch, len(rows))] {
				id := fmt.Sprint(r["id"])
				if c.system == "salesforce" {
					recs = append(recs, map[string]any{"Id": id, c.field: "e2e " + stamp})
				} else {
					recs = append(recs, map[string]any{"id": id, c.field: "e2e " + stamp})
				}
			}
			var err error
			if c.system == "salesforce" {
				err = sf.update(ctx, c.object, recs)
			} else {
				err = zo.update(ctx, c.object, recs)
			}
			if err != nil {
				b.Fatalf("change 1%% of %s %s: %v", c.system, c.object, err)
			}
		}
		changed[c.system+" "+c.object] = len(rows)
	}
	return changed
}

// fewestCalls is the fewest data calls the APIs allow to read rows of one
// object: pages of the maximum size, or one bulk job (create, one poll,
// results) when that is fewer. Metadata and auth calls are not counted.
func fewestCalls(source string, rows int64) int64 {
	pages := func(size int64) int64 { return max(1, (rows+size-1)/size) }
	switch source {
	case "salesforce":
		// REST query pages of 2,000; a Bulk API 2.0 query job is create, a
		// poll and results pages (the client picks maxRecords).
		return min(pages(2000), 3)
	case "zoho_crm", "zoho":
		// 200 records per list page; a Bulk Read job (create, poll,
		// download) holds 200,000 records.
		return min(pages(200), 3*pages(200_000))
	default:
		// Zoho Desk lists 100 per page.
		return pages(100)
	}
}

// fewestCredits is the fewest Zoho CRM credits that read rows of one
// module: 1 per list page of 200, or 50 per Bulk Read job.
func fewestCredits(rows int64) int64 {
	pages := max(1, (rows+199)/200)
	return min(pages, 50*max(1, (rows+199_999)/200_000))
}

func (e *e2e) report(w io.Writer, records int, changed map[string]int, full, inc runResult) {
	fmt.Fprintf(w, "\nrevops end to end: %d records per system (sandbox seeded in %s)\n\n", records, e.seeded.Round(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tfull s\tincremental s\tfull calls\tincremental calls\tstatus\t")
	for i, s := range full.stages {
		var is runStage
		if i < len(inc.stages) {
			is = inc.stages[i]
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%d\t%d\t%s/%s\t\n", s.Stage, s.Seconds, is.Seconds, s.APICalls, is.APICalls, s.Status, is.Status)
	}
	fmt.Fprintf(tw, "run (wall)\t%.1f\t%.1f\t\t\t\n", full.wall.Seconds(), inc.wall.Seconds())
	fmt.Fprintf(tw, "peak memory MB\t%d\t%d\t\t\t\n", full.maxRSS>>20, inc.maxRSS>>20)
	tw.Flush()

	// The syncs and links, each: where the sync and links stages spend.
	fmt.Fprintf(w, "\nsyncs and links\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\ttarget\tfull s\tincremental s\tfull calls\tincremental calls\tfull rows\tincremental rows\t")
	for _, s := range full.stages {
		if s.Stage != "sync" && s.Stage != "links" {
			continue
		}
		incT := map[string]runTarget{}
		for _, is := range inc.stages {
			if is.Stage == s.Stage {
				for _, t := range is.Targets {
					incT[t.Name] = t
				}
			}
		}
		for _, t := range s.Targets {
			it := incT[t.Name]
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t\n", s.Stage, t.Name, t.Seconds, it.Seconds, t.APICalls, it.APICalls, t.Rows, it.Rows)
		}
	}
	tw.Flush()

	// Per system: the calls the emulators answered during each run, and
	// the fewest data calls the APIs allow for what the extract read.
	minFull, minInc := map[string]int64{}, map[string]int64{}
	credFull, credInc := int64(0), int64(0)
	for _, o := range full.objects {
		minFull[o.Source] += fewestCalls(o.Source, o.Rows)
		if o.Source == "zoho_crm" || o.Source == "zoho" {
			credFull += fewestCredits(o.Rows)
		}
	}
	sfObjects := int64(0)
	for _, o := range inc.objects {
		if o.Source == "salesforce" {
			// An incremental read sends every object's first page in
			// Composite calls of up to 5 queries, one API call each:
			// an object costs its further pages alone.
			sfObjects++
			minInc[o.Source] += fewestCalls(o.Source, o.Inserted+o.Updated) - 1
			continue
		}
		minInc[o.Source] += fewestCalls(o.Source, o.Inserted+o.Updated)
		if o.Source == "zoho_crm" || o.Source == "zoho" {
			credInc += fewestCredits(o.Inserted + o.Updated)
		}
	}
	minInc["salesforce"] += (sfObjects + 4) / 5
	systems := map[string]bool{}
	for k := range full.calls {
		systems[k] = true
	}
	for k := range inc.calls {
		systems[k] = true
	}
	names := make([]string, 0, len(systems))
	for k := range systems {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\ncalls per system (all stages) and the fewest data calls the extract needs\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\tfull\tfewest (extract)\tincremental\tfewest (extract)\t")
	for _, s := range names {
		src := map[string]string{"zoho_crm": "zoho_crm", "zoho_desk": "zoho_desk", "salesforce": "salesforce"}[s]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", s, full.calls[s], minFull[src], inc.calls[s], minInc[src])
	}
	tw.Flush()
	enterprise := int64(50_000 + 1_000**flagE2EUsers)
	fmt.Fprintf(w, "\nZoho CRM credits, fewest the extract needs: full %d, incremental %d; an Enterprise org of %d users has %d a day (10%% = %d)\n",
		credFull, credInc, *flagE2EUsers, enterprise, enterprise/10)
	fmt.Fprintf(w, "Zoho CRM credits the runs spent (every stage, as revops recorded them): full %d (%.1f%% of the day), incremental %d (%.1f%%)\n",
		full.credits, 100*float64(full.credits)/float64(enterprise), inc.credits, 100*float64(inc.credits)/float64(enterprise))
	var keys []string
	for k := range changed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, changed[k]))
	}
	fmt.Fprintf(w, "changed between the runs: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(w, "project: %s\n\n", filepath.Join(e.dir, "revops.yaml"))
}

// reportSettle prints the run between the full run and the changes
// (-e2e.settle): what the second run costs when nothing changed in the
// CRMs but what the first run's syncs created.
func (e *e2e) reportSettle(w io.Writer, r runResult) {
	fmt.Fprintf(w, "\nsettling run (nothing changed in the CRMs since the full run)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\ts\tcalls\trows\tstatus\t")
	for _, s := range r.stages {
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%d\t%s\t\n", s.Stage, s.Seconds, s.APICalls, s.Rows, s.Status)
		for _, t := range s.Targets {
			if t.Seconds >= 1 || t.APICalls >= 50 {
				fmt.Fprintf(tw, "  %s\t%.1f\t%d\t%d\t%s\t\n", t.Name, t.Seconds, t.APICalls, t.Rows, t.Status)
			}
		}
	}
	fmt.Fprintf(tw, "run (wall)\t%.1f\t%d\t\t\t\n", r.wall.Seconds(), r.total())
	tw.Flush()
}

// keep copies the warehouse to -e2e.keep (the revops runs have ended;
// the sandbox still serves).
func (e *e2e) keep(b *testing.B) {
	b.Helper()
	if *flagE2EKeep == "" {
		return
	}
	files, err := filepath.Glob(filepath.Join(e.dir, "*.duckdb*"))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range append(files, filepath.Join(e.dir, "revops.yaml")) {
		if strings.HasSuffix(f, ".lock") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*flagE2EKeep, filepath.Base(f)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// runErrors lists the errors a `revops run --json` document holds, in
// short: the failed stages, syncs and links with their messages.
func runErrors(doc []byte) string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if (k == "error" || k == "err") && e != nil && e != "" {
					out = append(out, fmt.Sprintf("%s: %v", path, e))
					continue
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	var v any
	if json.Unmarshal(doc, &v) == nil {
		walk("", v)
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… %d more", len(out)-20))
	}
	return strings.Join(out, "; ")
}
