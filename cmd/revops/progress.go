package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/revops/revops/extract"
)

// isTerminal reports whether w is a terminal (progress bars are drawn only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// showProgress says whether progress bars are drawn (on stderr): only for
// a person at a terminal, that is when both stdout and stderr are
// terminals. Output piped or redirected to a file (a script, a log)
// never holds bars or spinners, nor their escape codes.
func (a *app) showProgress() bool {
	return !a.json && !a.quiet && a.tty
}

// barProgress draws one bar per object on a terminal: records, rate and,
// where the total is known, the ETA.
type barProgress struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*mpb.Bar
}

func newBarProgress(w io.Writer) *barProgress {
	return &barProgress{p: mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(150*time.Millisecond)), bars: map[string]*mpb.Bar{}}
}

func (b *barProgress) Start(source, object string, total int64) {
	name := source + "." + object
	prepend := mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-32s", name)))
	var bar *mpb.Bar
	if total >= 0 {
		bar = b.p.New(total, mpb.BarStyle(), prepend, mpb.BarRemoveOnComplete(), mpb.AppendDecorators(
			decor.CountersNoUnit("%d/%d records"), decor.Name("  "),
			decor.AverageSpeed(0, "%.0f/s", decor.WCSyncSpace), decor.Name("  ETA "),
			decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace)))
	} else {
		// Unknown total: a spinner with the count and the rate.
		bar = b.p.New(0, mpb.SpinnerStyle().PositionLeft(), prepend, mpb.BarRemoveOnComplete(), mpb.AppendDecorators(
			decor.CurrentNoUnit("%d records"), decor.Name("  "),
			decor.AverageSpeed(0, "%.0f/s", decor.WCSyncSpace)))
	}
	b.mu.Lock()
	b.bars[name] = bar
	b.mu.Unlock()
}

func (b *barProgress) bar(source, object string) *mpb.Bar {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bars[source+"."+object]
}

func (b *barProgress) Add(source, object string, rows int64) {
	if bar := b.bar(source, object); bar != nil {
		bar.IncrInt64(rows)
	}
}

func (b *barProgress) Done(r extract.Result) {
	bar := b.bar(r.Source, r.Object)
	if bar == nil {
		return
	}
	if r.Err != nil {
		// Cleared like a finished bar: the summary names the failure.
		bar.Abort(true)
		return
	}
	bar.SetTotal(-1, true)
}

// Wait lets the bars finish drawing.
func (b *barProgress) Wait() { b.p.Wait() }
