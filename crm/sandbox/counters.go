package sandbox

import (
	"cmp"
	"slices"
	"sync"
)

// Counters counts requests by system, method, endpoint (the route pattern)
// and the HTTP status sent. The zero value is not usable; call NewCounters.
// It is safe for concurrent use.
type Counters struct {
	mu sync.Mutex
	m  map[countKey]int64
}

type countKey struct {
	system, method, endpoint string
	status                   int
}

// Count is one row of a Counters snapshot.
type Count struct {
	System   string `json:"system"`
	Method   string `json:"method"`
	Endpoint string `json:"endpoint"`
	Status   int    `json:"status"`
	Count    int64  `json:"count"`
}

// NewCounters returns empty Counters.
func NewCounters() *Counters {
	return &Counters{m: make(map[countKey]int64)}
}

// Add counts one request.
func (c *Counters) Add(system, method, endpoint string, status int) {
	k := countKey{system, method, endpoint, status}
	c.mu.Lock()
	c.m[k]++
	c.mu.Unlock()
}

// Snapshot returns the counts so far, sorted by system, endpoint, method and
// status. It never returns nil.
func (c *Counters) Snapshot() []Count {
	c.mu.Lock()
	out := make([]Count, 0, len(c.m))
	for k, n := range c.m {
		out = append(out, Count{System: k.system, Method: k.method, Endpoint: k.endpoint, Status: k.status, Count: n})
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(
			cmp.Compare(a.System, b.System),
			cmp.Compare(a.Endpoint, b.Endpoint),
			cmp.Compare(a.Method, b.Method),
			cmp.Compare(a.Status, b.Status),
		)
	})
	return out
}

// Sum adds up the counts of the rows match accepts; a nil match accepts all.
func (c *Counters) Sum(match func(Count) bool) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var total int64
	for k, n := range c.m {
		if match == nil || match(Count{System: k.system, Method: k.method, Endpoint: k.endpoint, Status: k.status, Count: n}) {
			total += n
		}
	}
	return total
}

// Reset zeroes all counts.
func (c *Counters) Reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
