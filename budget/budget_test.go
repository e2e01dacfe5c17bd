package budget_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/revops/revops/budget"
)

// meter is a client's count and the org's figures as an API reports them.
type meter struct {
	spent       int64
	used, limit int64
	known       bool
}

func (m *meter) Spent() int64                      { return m.spent }
func (m *meter) Org() (used, limit int64, ok bool) { return m.used, m.limit, m.known }

func TestCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		limit    int64
		ledger   []budget.Spend
		m        meter
		need     int64
		exceeded bool
		resume   time.Time
	}{
		{"no limit known", 0, nil, meter{spent: 1_000_000}, 1, false, time.Time{}},
		{"fits", 1000, nil, meter{spent: 700}, 100, false, time.Time{}},
		{"this run's spend", 1000, nil, meter{spent: 750}, 100, true, t0.Add(24 * time.Hour)},
		{"earlier runs within 24 h", 1000, []budget.Spend{{At: t0.Add(-2 * time.Hour), Amount: 700}}, meter{spent: 50}, 100, true,
			t0.Add(22 * time.Hour)},
		{"earlier runs older than 24 h", 1000, []budget.Spend{{At: t0.Add(-25 * time.Hour), Amount: 700}}, meter{spent: 50}, 100, false,
			time.Time{}},
		{"the API's figure wins", 1000, nil, meter{spent: 10, used: 790, limit: 1000, known: true}, 20, true, t0.Add(24 * time.Hour)},
		{"limit from the API", 0, nil, meter{used: 50, limit: 100, known: true}, 40, true, t0.Add(24 * time.Hour)},
	} {
		b := budget.New("org", budget.Credits, 0, tc.limit)
		b.SetClock(func() time.Time { return t0 })
		b.SetLedger(tc.ledger)
		m := &meter{used: tc.m.used, limit: tc.m.limit, known: tc.m.known}
		b.Attach(m)
		m.spent = tc.m.spent
		err := b.Check("part", tc.need)
		var ee *budget.ExceededError
		if errors.As(err, &ee) != tc.exceeded {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tc.exceeded && !ee.ResumeAt.Equal(tc.resume) {
			t.Errorf("%s: resume at %v, want %v", tc.name, ee.ResumeAt, tc.resume)
		}
	}
}

func TestZohoWriteCost(t *testing.T) {
	for _, tc := range []struct {
		op        string
		n, match  int64
		threshold int64
		want      budget.Cost
	}{
		{"upsert", 10_000, 0, -1, budget.Cost{Calls: 100, Credits: 1000}},
		{"upsert", 10_000, 0, 5_000, budget.Cost{Calls: 5, Credits: 504}},
		{"insert", 60_000, 0, 5_000, budget.Cost{Calls: 13, Credits: 1510}},
		{"delete", 500, 0, 5, budget.Cost{Calls: 5, Credits: 5}},
		{"upsert", 100, 100, -1, budget.Cost{Calls: 3, Credits: 12}},
	} {
		if got := budget.ZohoWrite(tc.op, tc.n, tc.match, tc.threshold); got != tc.want {
			t.Errorf("%s of %d (threshold %d): %+v, want %+v", tc.op, tc.n, tc.threshold, got, tc.want)
		}
	}
}

// TestReserve: calls made at once reserve from one budget: with 10
// allowed, 8 used and 50 goroutines each reserving a call and spending it
// before the release, exactly 2 get through and the meter never passes
// the budget; Check counts the calls in flight; a release frees.
func TestReserve(t *testing.T) {
	b := budget.New("org", budget.Calls, 0.5, 20)
	m := &countMeter{}
	m.spent.Store(8)
	b.Attach(m)
	m.spent.Store(16) // base 8: the run spent 8
	var wg sync.WaitGroup
	var got atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := b.Reserve("a call", 1)
			if err != nil {
				if !budget.IsExceeded(err) {
					t.Errorf("reserve: %v", err)
				}
				return
			}
			got.Add(1)
			m.spent.Add(1) // the call is counted before its release
			release()
			release() // a second release is a no-op
		}()
	}
	wg.Wait()
	if st := b.Status(); got.Load() != 2 || st.Used != 10 || st.Reserved != 0 {
		t.Errorf("%d calls got through; status %+v", got.Load(), st)
	}

	b2 := budget.New("org", budget.Calls, 1, 10)
	release, err := b2.Reserve("a job", 6)
	if err != nil {
		t.Fatal(err)
	}
	if err := b2.Check("another part", 5); !budget.IsExceeded(err) {
		t.Errorf("check past the calls in flight: %v", err)
	}
	if l := b2.Status().Left(); l != 4 {
		t.Errorf("left %d with 6 of 10 reserved", l)
	}
	release()
	if err := b2.Check("another part", 5); err != nil {
		t.Errorf("check after the release: %v", err)
	}
	// Without a known limit nothing is refused.
	if _, err := budget.New("org", budget.Calls, 1, 0).Reserve("a call", 1_000_000); err != nil {
		t.Errorf("unknown limit: %v", err)
	}
}

// countMeter is a meter counted from several goroutines.
type countMeter struct{ spent atomic.Int64 }

func (m *countMeter) Spent() int64                      { return m.spent.Load() }
func (m *countMeter) Org() (used, limit int64, ok bool) { return 0, 0, false }
