package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind names a fault an emulator can inject.
type FaultKind string

// The fault kinds.
const (
	// Fault429 answers 429 Too Many Requests with a Retry-After header and
	// the system's own error body.
	Fault429 FaultKind = "429"
	// Fault500 answers 500 with the system's own error body.
	Fault500 FaultKind = "500"
	// Fault503 answers 503 with the system's own error body.
	Fault503 FaultKind = "503"
	// FaultDrop serves the request, then closes the connection halfway
	// through the response body.
	FaultDrop FaultKind = "drop"
	// FaultSlow waits Delay before serving the request normally.
	FaultSlow FaultKind = "slow"
	// FaultExpireToken asks the emulator to treat the request's access token
	// as expired (see FaultFrom).
	FaultExpireToken FaultKind = "expire_token"
	// FaultLockRow asks the emulator to fail the chosen records with
	// UNABLE_TO_LOCK_ROW or its own equivalent (see FaultFrom).
	FaultLockRow FaultKind = "lock_row"
)

// DefaultSlowDelay is the delay of a slow fault whose rule sets none.
const DefaultSlowDelay = time.Second

var faultKinds = []FaultKind{Fault429, Fault500, Fault503, FaultDrop, FaultSlow, FaultExpireToken, FaultLockRow}

func validKind(k FaultKind) bool {
	for _, v := range faultKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Rule schedules one kind of fault. A request matches a rule when System,
// Method and Endpoint match ("" matches anything; Endpoint matches the route
// pattern exactly, or as a prefix when it ends in "*"; Method is compared
// case-insensitively). Among the matching requests the rule lets the first
// After through, then fires on every Every-th (every one when Every is 0),
// each time with Probability (always when Probability is 0), at most Times
// times (no limit when Times is 0).
type Rule struct {
	Kind        FaultKind
	System      string
	Method      string
	Endpoint    string
	After       int
	Times       int
	Every       int
	Probability float64
	RetryAfter  time.Duration // for 429: the Retry-After header, rounded up to seconds
	Delay       time.Duration // for slow; 0 means DefaultSlowDelay
	Records     []string      // for lock_row: the record ids to lock; empty lets the emulator choose
}

// Fault is what Faults decided for one request.
type Fault struct {
	Kind       FaultKind
	RetryAfter time.Duration
	Delay      time.Duration
	Records    []string
}

// Faults decides, request by request, which fault to inject. Decisions are
// deterministic given the seed, the rules and the order of requests. It is
// safe for concurrent use.
type Faults struct {
	mu    sync.Mutex
	seed  int64
	next  []FaultKind
	rules []*ruleState
}

type ruleState struct {
	Rule
	rng     *rand.Rand
	matched int
	fired   int
}

// NewFaults returns Faults with no rules; seed drives the probabilistic rules.
func NewFaults(seed int64) *Faults {
	return &Faults{seed: seed}
}

// Add appends a rule. Rules are consulted in the order they were added;
// every matching rule counts a request towards its After and Every, and the
// first that fires supplies the fault. Each rule draws from its own random
// stream, derived from the seed and the rule's position.
func (f *Faults) Add(r Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.Records = cloneStrings(r.Records)
	st := &ruleState{Rule: r}
	st.rng = rand.New(rand.NewPCG(uint64(f.seed), 0x9e3779b97f4a7c15^uint64(len(f.rules))))
	f.rules = append(f.rules, st)
}

// FailNext makes the next n requests (any endpoint; the /__sandbox/ routes
// are never faulted) fail with kind, before any rule is consulted.
func (f *Faults) FailNext(n int, kind FaultKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.next = append(f.next, kind)
	}
}

// Clear removes all rules and pending FailNext faults.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
	f.next = nil
}

// Rules returns a copy of the rules added so far.
func (f *Faults) Rules() []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Rule, len(f.rules))
	for i, st := range f.rules {
		out[i] = st.Rule
		out[i].Records = cloneStrings(st.Records)
	}
	return out
}

// Decide returns the fault to inject into one request, or nil for none.
// Every call counts as a request towards the schedules, so call it exactly
// once per request.
func (f *Faults) Decide(system, method, endpoint string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.next) > 0 {
		k := f.next[0]
		f.next = f.next[1:]
		return newFault(Rule{Kind: k})
	}
	var out *Fault
	for _, st := range f.rules {
		if !st.matches(system, method, endpoint) {
			continue
		}
		st.matched++
		if out != nil || !st.fires() {
			continue
		}
		st.fired++
		out = newFault(st.Rule)
	}
	return out
}

func newFault(r Rule) *Fault {
	ft := &Fault{Kind: r.Kind, RetryAfter: r.RetryAfter, Delay: r.Delay, Records: cloneStrings(r.Records)}
	if ft.Kind == FaultSlow && ft.Delay <= 0 {
		ft.Delay = DefaultSlowDelay
	}
	return ft
}

func (st *ruleState) matches(system, method, endpoint string) bool {
	if st.System != "" && st.System != system {
		return false
	}
	if st.Method != "" && !strings.EqualFold(st.Method, method) {
		return false
	}
	return EndpointMatches(st.Endpoint, endpoint)
}

// fires decides for a request already counted in matched.
func (st *ruleState) fires() bool {
	if st.Times > 0 && st.fired >= st.Times {
		return false
	}
	k := st.matched - st.After
	if k <= 0 {
		return false
	}
	if st.Every > 0 && k%st.Every != 0 {
		return false
	}
	if st.Probability > 0 && st.rng.Float64() >= st.Probability {
		return false
	}
	return true
}

// EndpointMatches reports whether the route pattern endpoint matches pattern:
// "" matches anything, "prefix*" matches by prefix, anything else exactly.
func EndpointMatches(pattern, endpoint string) bool {
	if pattern == "" {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(endpoint, p)
	}
	return pattern == endpoint
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

// ParseRules parses the CLI syntax for fault rules: rules separated by ";"
// (or newlines), each a kind followed by ":key=value" options, e.g.
//
//	429:every=10:retry_after=2s;500:prob=0.01;drop:after=5:times=1;slow:delay=2s;
//	lock_row:records=001xx,001yy;expire_token:times=1;429:endpoint=/crm/v8/*
//
// Keys: system, method, endpoint, after, times, every, prob (or probability),
// retry_after, delay (durations like "2s", or bare seconds) and records
// (comma-separated). Empty rules are skipped. Errors name the rule and key.
func ParseRules(spec string) ([]Rule, error) {
	var out []Rule
	n := 0
	for _, raw := range strings.FieldsFunc(spec, func(r rune) bool { return r == ';' || r == '\n' }) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		n++
		r, err := parseRule(raw)
		if err != nil {
			return nil, fmt.Errorf("sandbox: fault rule %d %q: %w", n, raw, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRule(raw string) (Rule, error) {
	parts := strings.Split(raw, ":")
	r := Rule{Kind: FaultKind(strings.TrimSpace(parts[0]))}
	if !validKind(r.Kind) {
		return Rule{}, fmt.Errorf("unknown fault kind %q (want one of %v)", r.Kind, faultKinds)
	}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		key, val, ok := strings.Cut(p, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return Rule{}, fmt.Errorf("option %q: want key=value", p)
		}
		if key == "probability" {
			key = "prob"
		}
		if seen[key] {
			return Rule{}, fmt.Errorf("key %q: given twice", key)
		}
		seen[key] = true
		if err := r.set(key, val); err != nil {
			return Rule{}, fmt.Errorf("key %q: %w", key, err)
		}
	}
	return r, nil
}

func (r *Rule) set(key, val string) error {
	var err error
	switch key {
	case "system":
		r.System = val
	case "method":
		r.Method = strings.ToUpper(val)
	case "endpoint":
		if i := strings.IndexByte(val, '*'); i >= 0 && i != len(val)-1 {
			return fmt.Errorf("%q: \"*\" is allowed only at the end", val)
		}
		r.Endpoint = val
	case "after":
		r.After, err = parseCount(val)
	case "times":
		r.Times, err = parseCount(val)
	case "every":
		r.Every, err = parseCount(val)
	case "prob":
		r.Probability, err = strconv.ParseFloat(val, 64)
		if err == nil && !(r.Probability >= 0 && r.Probability <= 1) {
			err = fmt.Errorf("%q is outside 0..1", val)
		}
	case "retry_after":
		r.RetryAfter, err = parseDuration(val)
	case "delay":
		r.Delay, err = parseDuration(val)
	case "records":
		r.Records = nil
		for _, id := range strings.Split(val, ",") {
			if id = strings.TrimSpace(id); id != "" {
				r.Records = append(r.Records, id)
			}
		}
	default:
		return fmt.Errorf("unknown key (want system, method, endpoint, after, times, every, prob, retry_after, delay or records)")
	}
	return err
}

func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return n, nil
}

func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > int(24*time.Hour/time.Second) {
			return 0, fmt.Errorf("%q seconds is out of range", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 2s or 500ms", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// String renders r in the syntax ParseRules reads, options in a fixed order
// and only those that differ from their zero value.
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString(string(r.Kind))
	opt := func(k, v string) { b.WriteString(":" + k + "=" + v) }
	if r.System != "" {
		opt("system", r.System)
	}
	if r.Method != "" {
		opt("method", r.Method)
	}
	if r.Endpoint != "" {
		opt("endpoint", r.Endpoint)
	}
	if r.After != 0 {
		opt("after", strconv.Itoa(r.After))
	}
	if r.Times != 0 {
		opt("times", strconv.Itoa(r.Times))
	}
	if r.Every != 0 {
		opt("every", strconv.Itoa(r.Every))
	}
	if r.Probability != 0 {
		opt("prob", strconv.FormatFloat(r.Probability, 'g', -1, 64))
	}
	if r.RetryAfter != 0 {
		opt("retry_after", r.RetryAfter.String())
	}
	if r.Delay != 0 {
		opt("delay", r.Delay.String())
	}
	if len(r.Records) > 0 {
		opt("records", strings.Join(r.Records, ","))
	}
	return b.String()
}
