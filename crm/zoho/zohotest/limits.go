package zohotest

import (
	"strings"
	"sync"
	"time"
)

// edition holds the API limits of one CRM edition (sheet §6.1).
type edition struct {
	base, perUser, cap, concurrency int
}

var editions = map[string]edition{
	"free":         {5000, 0, 5000, 5},
	"standard":     {50000, 250, 100000, 10},
	"starter":      {50000, 250, 100000, 10},
	"professional": {50000, 500, 3000000, 15},
	"enterprise":   {50000, 1000, 5000000, 20},
	"zohoone":      {50000, 1000, 5000000, 20},
	"ultimate":     {50000, 2000, -1, 25},
	"crmplus":      {50000, 2000, -1, 25},
}

// deskEditions are Zoho Desk's API credits (base, per agent) and
// concurrency per edition (sheet §8.3; Standard is unconfirmed there and
// takes Express's credits here).
var deskEditions = map[string]edition{
	"free":         {5000, 0, -1, 5},
	"trial":        {5000, 0, -1, 5},
	"express":      {25000, 100, -1, 10},
	"standard":     {25000, 100, -1, 10},
	"professional": {75000, 500, -1, 15},
	"enterprise":   {100000, 1000, -1, 25},
	"zohoone":      {100000, 1000, -1, 25},
	"crmplus":      {100000, 1000, -1, 25},
}

// newDeskLimiter is the Desk org's ledger: edition Options.DeskEdition
// with Options.Users agents; negative DailyCredits or Concurrency disable
// Desk's limits too.
func newDeskLimiter(o Options) *limiter {
	ed, ok := deskEditions[strings.ToLower(strings.ReplaceAll(o.DeskEdition, " ", ""))]
	if !ok {
		ed = deskEditions["enterprise"]
	}
	l := &limiter{now: o.Now, concurrency: ed.concurrency, credits: ed.base + ed.perUser*o.Users}
	l.base = l.credits
	if o.DailyCredits < 0 {
		l.credits = -1
	}
	if o.Concurrency < 0 {
		l.concurrency = -1
	}
	return l
}

// heavyConcurrency is the sub-concurrency pool every edition has for the
// "complex" calls (sheet §6.1).
const heavyConcurrency = 10

// limiter is the credit ledger (rolling 24 h) and the concurrency pools.
type limiter struct {
	now         func() time.Time
	credits     int // per rolling 24 h; <0 means unlimited
	base        int // base credits: X-API-CREDITS-REMAINING shows once half is used
	concurrency int // <0 means unlimited

	mu     sync.Mutex
	ledger []spend // oldest first
	used   int
	active int
	heavy  int
}

type spend struct {
	at      int64
	credits int
}

func newLimiter(o Options) *limiter {
	ed, ok := editions[strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(o.Edition, " ", ""), "_", ""))]
	if !ok {
		ed = editions["enterprise"]
	}
	l := &limiter{now: o.Now, concurrency: ed.concurrency}
	l.credits = ed.base + ed.perUser*o.Users
	if ed.cap > 0 && l.credits > ed.cap {
		l.credits = ed.cap
	}
	l.base = l.credits
	if o.DailyCredits != 0 {
		l.credits = o.DailyCredits
		l.base = o.DailyCredits
	}
	if o.Concurrency != 0 {
		l.concurrency = o.Concurrency
	}
	return l
}

// acquire takes a concurrency slot (and a heavy slot) and spends credits.
// It returns ok=false when a pool is full or the credits would run out:
// the caller answers 429. remaining is the credits left after this call,
// or -1 when the header is not due (less than half the base used).
func (l *limiter) acquire(credits int, heavy bool) (remaining int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.concurrency >= 0 {
		if l.active >= l.concurrency || heavy && l.heavy >= heavyConcurrency {
			return -1, false
		}
	}
	if l.credits >= 0 {
		l.expire()
		if l.used+credits > l.credits {
			return -1, false
		}
		now := l.now().Unix()
		if n := len(l.ledger); n > 0 && l.ledger[n-1].at == now {
			l.ledger[n-1].credits += credits
		} else {
			l.ledger = append(l.ledger, spend{now, credits})
		}
		l.used += credits
	}
	if l.concurrency >= 0 {
		l.active++
		if heavy {
			l.heavy++
		}
	}
	remaining = -1
	if l.credits >= 0 && l.used*2 >= l.base {
		remaining = l.credits - l.used
	}
	return remaining, true
}

func (l *limiter) release(heavy bool) {
	if l.concurrency < 0 {
		return
	}
	l.mu.Lock()
	l.active--
	if heavy {
		l.heavy--
	}
	l.mu.Unlock()
}

// charge spends extra credits for a call already admitted (writes cost
// one credit per ten records, COQL by LIMIT). It reports false when the
// credits run out: the caller answers 429.
func (l *limiter) charge(credits int) bool {
	if l.credits < 0 || credits <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.used+credits > l.credits {
		return false
	}
	now := l.now().Unix()
	if n := len(l.ledger); n > 0 && l.ledger[n-1].at == now {
		l.ledger[n-1].credits += credits
	} else {
		l.ledger = append(l.ledger, spend{now, credits})
	}
	l.used += credits
	return true
}

// remaining is the credits left when X-API-CREDITS-REMAINING is due
// (half the base used), else -1.
func (l *limiter) remaining() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.credits < 0 || l.used*2 < l.base {
		return -1
	}
	return l.credits - l.used
}

// expire drops spends older than 24 h. Called with mu held.
func (l *limiter) expire() {
	cut := l.now().Add(-24 * time.Hour).Unix()
	i := 0
	for i < len(l.ledger) && l.ledger[i].at <= cut {
		l.used -= l.ledger[i].credits
		i++
	}
	if i > 0 {
		l.ledger = append(l.ledger[:0], l.ledger[i:]...)
	}
}

// Credits reports the credits used in the rolling 24 h window and the
// daily allowance (negative when unlimited).
func (s *Server) Credits() (used, limit int) {
	l := s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire()
	return l.used, l.credits
}
