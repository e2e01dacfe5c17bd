package zohotest

import (
	"testing"
	"time"
)

func TestConcurrencyPools(t *testing.T) {
	now := func() time.Time { return time.Unix(1e9, 0) }
	l := newLimiter(Options{Edition: "free", Users: 1, Now: now})
	if l.concurrency != 5 || l.credits != 5000 {
		t.Fatalf("free edition: %d concurrent, %d credits", l.concurrency, l.credits)
	}
	for i := range 5 {
		if _, ok := l.acquire(1, false); !ok {
			t.Fatalf("call %d refused", i+1)
		}
	}
	if _, ok := l.acquire(1, false); ok {
		t.Fatal("6th concurrent call admitted on Free")
	}
	l.release(false)
	if _, ok := l.acquire(1, false); !ok {
		t.Fatal("slot not freed")
	}

	l = newLimiter(Options{Edition: "ultimate", Users: 1, Now: now})
	for i := range heavyConcurrency {
		if _, ok := l.acquire(1, true); !ok {
			t.Fatalf("heavy call %d refused", i+1)
		}
	}
	if _, ok := l.acquire(1, true); ok {
		t.Fatal("11th heavy call admitted")
	}
	if _, ok := l.acquire(1, false); !ok {
		t.Fatal("a light call must still pass while the heavy pool is full")
	}
	if l.credits != 52000 {
		t.Fatalf("ultimate credits %d", l.credits)
	}
	l = newLimiter(Options{Edition: "enterprise", Users: 100000, Concurrency: -1, DailyCredits: -1, Now: now})
	for range 100 {
		if _, ok := l.acquire(1, true); !ok {
			t.Fatal("unlimited limiter refused")
		}
	}
}

func TestDeskLimits(t *testing.T) {
	now := func() time.Time { return time.Unix(1e9, 0) }
	l := newDeskLimiter(Options{DeskEdition: "free", Users: 3, Now: now})
	if l.credits != 5000 || l.concurrency != 5 {
		t.Fatalf("desk free: %d credits, %d concurrent", l.credits, l.concurrency)
	}
	l = newDeskLimiter(Options{DeskEdition: "Professional", Users: 4, Now: now})
	if l.credits != 77000 || l.concurrency != 15 {
		t.Fatalf("desk professional: %d credits, %d concurrent", l.credits, l.concurrency)
	}
}
