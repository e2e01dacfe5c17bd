package campaignstest

import (
	"sort"
	"time"
)

// apiLock is one API's budget: the times of its calls within the window
// (sliding, the strictest reading of "500 calls per 5 minutes") and when
// its lock ends.
type apiLock struct {
	calls  []time.Time
	until  time.Time
	locked int // lockouts so far
}

// admit counts one call of api. It answers locked (with the time left)
// while the API is locked, and locks it for LockFor when the call would be
// one more than CallsPerWindow within Window. A refused call is not
// counted in the window. How Campaigns counts (sliding or fixed windows,
// whether refused calls count) is unconfirmed.
func (s *Server) admit(api string) (time.Duration, bool) {
	if s.opts.CallsPerWindow < 0 {
		return 0, false
	}
	now := s.now()
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	l := s.apis[api]
	if l == nil {
		l = &apiLock{}
		s.apis[api] = l
	}
	if now.Before(l.until) {
		return l.until.Sub(now), true
	}
	cut := now.Add(-s.opts.Window)
	i := sort.Search(len(l.calls), func(i int) bool { return l.calls[i].After(cut) })
	l.calls = l.calls[i:]
	if len(l.calls) >= s.opts.CallsPerWindow {
		l.until = now.Add(s.opts.LockFor)
		l.locked++
		l.calls = l.calls[:0]
		return s.opts.LockFor, true
	}
	l.calls = append(l.calls, now)
	return 0, false
}

// LockInfo is the state of one API's lock.
type LockInfo struct {
	// InWindow is how many calls count in the current window.
	InWindow int
	// LockedUntil is when the lock ends (zero: never locked).
	LockedUntil time.Time
	// Lockouts is how many times the API was locked.
	Lockouts int
}

// Lock returns the lock state of one API (recentcampaigns,
// campaignreports, getcampaignrecipientsdata).
func (s *Server) Lock(api string) LockInfo {
	now := s.now()
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	l := s.apis[api]
	if l == nil {
		return LockInfo{}
	}
	n := 0
	for _, t := range l.calls {
		if t.After(now.Add(-s.opts.Window)) {
			n++
		}
	}
	return LockInfo{InWindow: n, LockedUntil: l.until, Lockouts: l.locked}
}

// Lockouts is how many times any API was locked.
func (s *Server) Lockouts() int {
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	n := 0
	for _, l := range s.apis {
		n += l.locked
	}
	return n
}
