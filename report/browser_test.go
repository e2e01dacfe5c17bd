package report_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/report"
	"github.com/revops/revops/report/reporttest"
)

// browser returns the Chromium binary, or skips the test saying how to
// get one (`make chromium`; `make test` installs it first).
func browser(t *testing.T) string {
	t.Helper()
	bin := reporttest.Browser()
	if bin == "" {
		t.Skip("no Chromium binary (chromium, chromium-browser or google-chrome on PATH, or $REVOPS_CHROMIUM): " +
			"run `make chromium` (apt-get install chromium) to run the browser tests")
	}
	return bin
}

// openPage writes r to a file and loads it in headless Chromium.
func openPage(t *testing.T, r *report.Report) (*reporttest.Page, string) {
	t.Helper()
	bin := browser(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, []byte(render(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := reporttest.Open(t.Context(), bin, path, 1400, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return p, path
}

// TestPageLoadsInBrowser: in headless Chromium the page logs no error,
// asks for nothing over the network, draws every chart that has data
// (axis labels and legend from the data) and shows the others' message.
func TestPageLoadsInBrowser(t *testing.T) {
	w := partialWarehouse(t)
	r, err := report.Collect(t.Context(), w, report.Options{Now: now, SyncSources: map[string]string{"leads_to_sf": "salesforce"},
		DailyLimits: map[string]int64{"salesforce": 15000}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := openPage(t, r)
	if len(p.Console) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p.Console, "\n"))
	}
	if len(p.Requests) > 0 {
		t.Errorf("the page made requests: %v", p.Requests)
	}
	want := map[string]*report.Chart{}
	for _, s := range r.Sections {
		for _, c := range s.Charts {
			if c.Empty == "" {
				want[c.ID] = c
			} else if got := p.Empty[c.ID]; !strings.HasPrefix(got, c.Empty) {
				t.Errorf("chart %s shows %q, want %q", c.ID, got, c.Empty)
			}
		}
	}
	if len(p.Charts) != len(want) {
		t.Errorf("%d charts on the page, want %d", len(p.Charts), len(want))
	}
	for _, got := range p.Charts {
		c := want[got.ID]
		if c == nil {
			t.Errorf("chart %s drawn, but it has no data", got.ID)
			continue
		}
		if !got.Rendered || got.Shapes < 10 || got.Width < 300 || got.Height < 200 {
			t.Errorf("chart %s not drawn: %+v", got.ID, got)
		}
		if got.Series != len(c.Series) {
			t.Errorf("chart %s: %d series drawn, want %d", got.ID, got.Series, len(c.Series))
		}
		texts := strings.Join(got.Texts, "|")
		for _, s := range c.Series {
			if len(c.Series) > 1 && !strings.Contains(texts, s) {
				t.Errorf("chart %s: legend lacks %q (texts %s)", got.ID, s, texts)
			}
		}
	}
	if api := p.Text; !strings.Contains(api, "Daily API limits: salesforce 15000") {
		t.Errorf("the page does not state the known limit")
	}
	for _, id := range []string{"leads_by_source", "win_rate", "api_calls"} {
		var texts string
		for _, c := range p.Charts {
			if c.ID == id {
				texts = strings.Join(c.Texts, "|")
			}
		}
		if !strings.Contains(texts, want[id].Categories[0]) {
			t.Errorf("chart %s: first category %q not among its labels %s", id, want[id].Categories[0], texts)
		}
	}
	if !strings.Contains(strings.Join(p.Charts[0].Texts, "|"), "2026-01") {
		t.Errorf("the first chart's axis does not show January 2026: %v", p.Charts[0].Texts)
	}
}

// TestEmptyPageLoadsInBrowser: the page of an empty warehouse loads with
// no error and says, for every chart, that there is no data yet.
func TestEmptyPageLoadsInBrowser(t *testing.T) {
	w := openWarehouse(t)
	r, err := report.Collect(t.Context(), w, report.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := openPage(t, r)
	if len(p.Console) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(p.Console, "\n"))
	}
	if len(p.Charts) != 0 {
		t.Errorf("%d charts drawn on an empty warehouse", len(p.Charts))
	}
	n := 0
	for _, s := range r.Sections {
		n += len(s.Charts)
	}
	if len(p.Empty) != n {
		t.Errorf("%d charts say they are empty, want %d", len(p.Empty), n)
	}
	if got := strings.Count(p.Text, report.NoData); got < n {
		t.Errorf("the visible page says %q %d times, want at least %d", report.NoData, got, n)
	}
}
