// Package reporttest opens a revops report in headless Chromium and tells
// what a person would see: the console's errors, every request the page
// made (it must make none), which charts drew and what they show, which
// say they have no data, and a screenshot of the whole page.
//
// It does not import testing: the report's tests and the CLI's tests use
// it alike. Chromium comes from Debian's chromium package (the Makefile's
// chromium target installs it); Browser finds it.
package reporttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser returns the Chromium binary to use: $REVOPS_CHROMIUM, else the
// first of chromium, chromium-browser, google-chrome on PATH; "" when
// there is none.
func Browser() string {
	if p := os.Getenv("REVOPS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Chart is what one chart element holds once the page has run.
type Chart struct {
	ID string `json:"id"`
	// Rendered is set by the page's script once ECharts drew the chart.
	Rendered bool `json:"rendered"`
	// Width and Height of the element, in CSS pixels.
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	// Shapes counts the SVG shapes ECharts drew (paths, rects, texts…).
	Shapes int `json:"shapes"`
	// Texts are the SVG texts: axis labels, legend entries.
	Texts []string `json:"texts"`
	// Series is how many series the chart's ECharts instance holds.
	Series int `json:"series"`
}

// Page is what a loaded report shows.
type Page struct {
	// Console holds console errors and warnings, uncaught exceptions and
	// browser log errors, one line each.
	Console []string
	// Requests lists every URL the page asked for besides itself and
	// data: URLs: a report must need no network.
	Requests []string
	Charts   []Chart
	// Empty maps each chart that has nothing to draw to what it says.
	Empty map[string]string
	// Title is the document's title; Text the page's visible text.
	Title, Text string
	// Screenshot is a PNG of the whole page.
	Screenshot []byte
}

// Open loads the HTML file at path in headless Chromium (binary bin) with
// a window width wide, waits until every chart drew (or timeout), and
// reads the page.
func Open(ctx context.Context, bin, path string, width int, timeout time.Duration) (*Page, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("reporttest: %w", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // tests run as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(width, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// Start the browser and open the tab before listening, so that no
	// event of the load is missed.
	if err := chromedp.Do(bctx); err != nil {
		return nil, fmt.Errorf("reporttest: start %s: %w", bin, err)
	}
	var mu sync.Mutex
	p := &Page{Empty: map[string]string{}}
	self := "file://" + abs
	err = chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					if len(a.Value) > 0 {
						parts = append(parts, string(a.Value))
					} else {
						parts = append(parts, a.Description)
					}
				}
				p.Console = append(p.Console, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			p.Console = append(p.Console, fmt.Sprintf("exception at %d:%d: %s", e.ExceptionDetails.LineNumber, e.ExceptionDetails.ColumnNumber, msg))
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				p.Console = append(p.Console, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			u := e.Request.URL
			if u != self && !strings.HasPrefix(u, "data:") {
				p.Requests = append(p.Requests, u)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("reporttest: listen: %w", err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(self)); err != nil {
		return nil, fmt.Errorf("reporttest: load %s: %w", self, err)
	}
	// Every chart element rendered and holding an SVG with shapes.
	waitCtx, waitCancel := context.WithTimeout(bctx, timeout)
	_, werr := chromedp.Run(waitCtx, chromedp.Poll[bool](`(function () {
		var els = document.querySelectorAll("[data-chart]");
		for (var i = 0; i < els.length; i++) {
			var svg = els[i].querySelector("svg");
			if (els[i].getAttribute("data-rendered") !== "true" || !svg || svg.querySelectorAll("path,rect,text").length === 0) return false;
		}
		return document.readyState === "complete";
	})()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0)))
	waitCancel()
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[[]byte](`JSON.stringify({
		title: document.title,
		text: document.body.innerText,
		charts: Array.from(document.querySelectorAll("[data-chart]")).map(function (el) {
			var inst = window.echarts && echarts.getInstanceByDom(el);
			var opt = inst && inst.getOption();
			var svg = el.querySelector("svg");
			return {
				id: el.getAttribute("data-chart"),
				rendered: el.getAttribute("data-rendered") === "true",
				width: el.clientWidth, height: el.clientHeight,
				shapes: svg ? svg.querySelectorAll("path,rect,text,circle,polyline,polygon,line").length : 0,
				texts: svg ? Array.from(svg.querySelectorAll("text")).map(function (t) { return t.textContent; }) : [],
				series: opt && opt.series ? opt.series.length : 0
			};
		}),
		empty: Array.from(document.querySelectorAll("[data-empty]")).map(function (el) {
			return { id: el.getAttribute("data-empty"), text: el.innerText };
		})
	})`))
	if err != nil {
		return nil, fmt.Errorf("reporttest: read the page: %w", err)
	}
	var st struct {
		Title  string  `json:"title"`
		Text   string  `json:"text"`
		Charts []Chart `json:"charts"`
		Empty  []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"empty"`
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("reporttest: read the page: %w", err)
	}
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return nil, fmt.Errorf("reporttest: read the page: %w", err)
	}
	p.Title, p.Text, p.Charts = st.Title, st.Text, st.Charts
	for _, e := range st.Empty {
		p.Empty[e.ID] = e.Text
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		return nil, fmt.Errorf("reporttest: screenshot: %w", err)
	}
	p.Screenshot = shot
	// The listener may still run until the browser stops: hand back copies.
	mu.Lock()
	p.Console = append([]string(nil), p.Console...)
	p.Requests = append([]string(nil), p.Requests...)
	mu.Unlock()
	if werr != nil && !errors.Is(werr, context.DeadlineExceeded) {
		return p, fmt.Errorf("reporttest: wait for the charts: %w", werr)
	}
	return p, nil
}

// Colors decodes a PNG and counts its distinct colours, and the share of
// its pixels that are the most common colour: a blank or failed page is
// one or two colours, a drawn report has hundreds.
func Colors(pngData []byte) (distinct int, dominant float64, width, height int, err error) {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("reporttest: decode screenshot: %w", err)
	}
	b := img.Bounds()
	counts := map[[4]uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			counts[[4]uint32{r, g, bl, a}]++
		}
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	total := b.Dx() * b.Dy()
	if total == 0 {
		return 0, 0, 0, 0, errors.New("reporttest: empty screenshot")
	}
	return len(counts), float64(most) / float64(total), b.Dx(), b.Dy(), nil
}
