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
	known := total >= 0
	if !known {
		total = 0
	}
	appenders := []decor.Decorator{
		decor.CountersNoUnit("%d"), decor.Name(" records "),
		decor.EwmaSpeed(0, "%.0f/s", 30),
	}
	if known {
		appenders = append(appenders, decor.Name(" ETA "), decor.EwmaETA(decor.ET_STYLE_GO, 30))
	}
	bar := b.p.AddBar(total,
		mpb.PrependDecorators(decor.Name(fmt.Sprintf("%-32s", name))),
		mpb.AppendDecorators(appenders...),
	)
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
		bar.EwmaIncrInt64(rows, 0)
	}
}

func (b *barProgress) Done(r extract.Result) {
	bar := b.bar(r.Source, r.Object)
	if bar == nil {
		return
	}
	if r.Err != nil {
		bar.Abort(false)
		return
	}
	bar.SetTotal(-1, true)
}

// Wait lets the bars finish drawing.
func (b *barProgress) Wait() { b.p.Wait() }
