package zohocampaigns

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Clock is the time a Pacer reads and waits on.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx ends (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
}

// WallClock is the real clock.
type WallClock struct{}

// Now returns time.Now().
func (WallClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (WallClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pace is the call budget of each API: Campaigns locks an API for 30
// minutes once it takes more than Limit calls within Window (sheet §9).
type Pace struct {
	// Limit is the API's calls per Window (default 500).
	Limit int
	// Window is the limit's window (default 5 minutes).
	Window time.Duration
	// Share is the part of Limit the client allows itself (default 0.9),
	// leaving room for other tools of the same account.
	Share float64
}

// DefaultPace is Campaigns' documented limit, used at 90%.
var DefaultPace = Pace{Limit: 500, Window: 5 * time.Minute, Share: 0.9}

func (p Pace) withDefaults() Pace {
	if p.Limit <= 0 {
		p.Limit = DefaultPace.Limit
	}
	if p.Window <= 0 {
		p.Window = DefaultPace.Window
	}
	if p.Share <= 0 || p.Share > 1 {
		p.Share = DefaultPace.Share
	}
	return p
}

// Budget is the most calls the pacer lets through in any Window.
func (p Pace) Budget() int {
	p = p.withDefaults()
	return max(1, int(float64(p.Limit)*p.Share))
}

// PaceStats is what a Pacer did for one API.
type PaceStats struct {
	// Calls is how many calls it let through.
	Calls int64
	// Waits is how many of them had to wait, for Waited in total.
	Waits  int64
	Waited time.Duration
}

// Pacer holds one token bucket per API name. A bucket holds Budget/10
// calls and refills at the rest of Budget per Window, so that any window
// of that length sees at most Budget calls (burst + rate × window), which
// is below the lock's limit: a client that asks the pacer before each
// call is never locked out.
type Pacer struct {
	pace  Pace
	clock Clock

	mu   sync.Mutex
	apis map[string]*bucket
}

type bucket struct {
	lim   *rate.Limiter
	stats PaceStats
}

// NewPacer returns a Pacer for p on clock (the wall clock when nil).
func NewPacer(p Pace, clock Clock) *Pacer {
	if clock == nil {
		clock = WallClock{}
	}
	return &Pacer{pace: p.withDefaults(), clock: clock, apis: map[string]*bucket{}}
}

// Wait takes one call of api from its bucket, waiting for a token when
// the bucket is empty. It fails only when ctx ends.
func (p *Pacer) Wait(ctx context.Context, api string) error {
	now := p.clock.Now()
	p.mu.Lock()
	b := p.apis[api]
	if b == nil {
		budget := p.pace.Budget()
		burst := max(1, budget/10)
		per := float64(budget-burst) / p.pace.Window.Seconds()
		// A new bucket starts full.
		b = &bucket{lim: rate.NewLimiter(rate.Limit(per), burst)}
		p.apis[api] = b
	}
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		p.mu.Unlock()
		return fmt.Errorf("zohocampaigns: pace %s: no token can ever be had", api)
	}
	d := r.DelayFrom(now)
	b.stats.Calls++
	if d > 0 {
		b.stats.Waits++
		b.stats.Waited += d
	}
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if err := p.clock.Sleep(ctx, d); err != nil {
		r.CancelAt(p.clock.Now())
		return fmt.Errorf("zohocampaigns: waiting for %s's call budget: %w", api, err)
	}
	return nil
}

// Stats returns what the pacer did per API.
func (p *Pacer) Stats() map[string]PaceStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]PaceStats, len(p.apis))
	for k, b := range p.apis {
		out[k] = b.stats
	}
	return out
}
