package sandbox

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fired runs n requests through f and returns the 1-based numbers of the
// requests that drew a fault.
func fired(f *Faults, n int, system, method, endpoint string) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if f.Decide(system, method, endpoint) != nil {
			out = append(out, i)
		}
	}
	return out
}

func TestFaultsSchedules(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want []int
	}{
		{"always", Rule{Kind: Fault500}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"after", Rule{Kind: Fault500, After: 7}, []int{8, 9, 10}},
		{"times", Rule{Kind: Fault500, Times: 2}, []int{1, 2}},
		{"after+times", Rule{Kind: Fault500, After: 2, Times: 3}, []int{3, 4, 5}},
		{"every", Rule{Kind: Fault429, Every: 3}, []int{3, 6, 9}},
		{"after+every", Rule{Kind: Fault429, After: 2, Every: 2}, []int{4, 6, 8, 10}},
		{"every+times", Rule{Kind: Fault429, Every: 2, Times: 2}, []int{2, 4}},
		{"system match", Rule{Kind: Fault500, System: "salesforce", Times: 1}, []int{1}},
		{"system mismatch", Rule{Kind: Fault500, System: "zoho_crm"}, nil},
		{"method case-insensitive", Rule{Kind: Fault500, Method: "get", Times: 1}, []int{1}},
		{"method mismatch", Rule{Kind: Fault500, Method: "POST"}, nil},
		{"endpoint exact", Rule{Kind: Fault500, Endpoint: "/services/data/vXX.X/query", Times: 1}, []int{1}},
		{"endpoint prefix", Rule{Kind: Fault500, Endpoint: "/services/data/*", Times: 1}, []int{1}},
		{"endpoint not a prefix without *", Rule{Kind: Fault500, Endpoint: "/services/data/"}, nil},
		{"endpoint other", Rule{Kind: Fault500, Endpoint: "/crm/v8/*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFaults(1)
			f.Add(tt.rule)
			got := fired(f, 10, "salesforce", "GET", "/services/data/vXX.X/query")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fired on %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFaultsFirstRuleWinsOthersKeepCounting(t *testing.T) {
	f := NewFaults(1)
	f.Add(Rule{Kind: Fault429, Every: 2})
	f.Add(Rule{Kind: Fault500, After: 2})
	var got []FaultKind
	for range 6 {
		if ft := f.Decide("s", "GET", "/x"); ft != nil {
			got = append(got, ft.Kind)
		} else {
			got = append(got, "")
		}
	}
	// Request 2 and 4 and 6 are 429s; the 500 rule has seen every request,
	// so it fires from request 3 on wherever the 429 rule does not.
	want := []FaultKind{"", Fault429, Fault500, Fault429, Fault500, Fault429}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFaultsFailNextAndClear(t *testing.T) {
	f := NewFaults(1)
	f.Add(Rule{Kind: Fault500, Every: 100})
	f.FailNext(2, Fault503)
	for i, want := range []FaultKind{Fault503, Fault503} {
		ft := f.Decide("s", "POST", "/anything")
		if ft == nil || ft.Kind != want {
			t.Fatalf("request %d: fault %+v, want %s", i+1, ft, want)
		}
	}
	if ft := f.Decide("s", "POST", "/anything"); ft != nil {
		t.Fatalf("request 3: fault %+v, want none", ft)
	}
	f.FailNext(5, FaultDrop)
	f.Clear()
	if ft := f.Decide("s", "GET", "/"); ft != nil {
		t.Errorf("after Clear: fault %+v, want none", ft)
	}
	if len(f.Rules()) != 0 {
		t.Errorf("after Clear: rules %v", f.Rules())
	}
}

func TestFaultsCarryParameters(t *testing.T) {
	f := NewFaults(1)
	f.Add(Rule{Kind: Fault429, RetryAfter: 3 * time.Second, Times: 1})
	f.Add(Rule{Kind: FaultSlow, Times: 1})
	f.Add(Rule{Kind: FaultLockRow, Records: []string{"001A", "001B"}})
	if ft := f.Decide("s", "GET", "/"); ft.Kind != Fault429 || ft.RetryAfter != 3*time.Second {
		t.Errorf("first: %+v", ft)
	}
	if ft := f.Decide("s", "GET", "/"); ft.Kind != FaultSlow || ft.Delay != DefaultSlowDelay {
		t.Errorf("second: %+v, want slow with the default delay", ft)
	}
	ft := f.Decide("s", "GET", "/")
	if ft.Kind != FaultLockRow || !reflect.DeepEqual(ft.Records, []string{"001A", "001B"}) {
		t.Errorf("third: %+v", ft)
	}
	ft.Records[0] = "changed" // a decided fault is the caller's copy
	if again := f.Decide("s", "GET", "/"); again.Records[0] != "001A" {
		t.Errorf("rule records changed through a decided fault: %v", again.Records)
	}
}

func TestFaultsProbabilityIsSeeded(t *testing.T) {
	run := func(seed int64) []int {
		f := NewFaults(seed)
		f.Add(Rule{Kind: Fault500, Probability: 0.1})
		return fired(f, 5000, "s", "GET", "/")
	}
	a, b, c := run(42), run(42), run(43)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed, different decisions")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds, same decisions")
	}
	if share := float64(len(a)) / 5000; share < 0.08 || share > 0.12 {
		t.Errorf("fired on %.3f of requests, want about 0.1", share)
	}
}

func TestFaultsMixedRulesReproducible(t *testing.T) {
	decide := func() []FaultKind {
		f := NewFaults(7)
		f.Add(Rule{Kind: Fault503, Endpoint: "/a", Probability: 0.5})
		f.Add(Rule{Kind: Fault500, Probability: 0.3})
		f.Add(Rule{Kind: Fault429, Every: 4})
		var out []FaultKind
		for i := range 300 {
			ep := []string{"/a", "/b", "/c"}[i%3]
			if ft := f.Decide("s", "GET", ep); ft != nil {
				out = append(out, ft.Kind)
			} else {
				out = append(out, "")
			}
		}
		return out
	}
	if a, b := decide(), decide(); !reflect.DeepEqual(a, b) {
		t.Error("same rules, seed and request order gave different decisions")
	}
}

func TestFaultsConcurrentTimes(t *testing.T) {
	f := NewFaults(1)
	f.Add(Rule{Kind: Fault500, Times: 100})
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if f.Decide("s", "GET", "/") != nil {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if n != 100 {
		t.Errorf("fired %d times, want exactly 100", n)
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		spec string
		want []Rule
	}{
		{"", nil},
		{" ; ;\n", nil},
		{"429:every=10:retry_after=2s;500:prob=0.01;drop:after=5:times=1;slow:delay=2s;lock_row:records=001xx,001yy;expire_token:times=1;429:endpoint=/crm/v8/*",
			[]Rule{
				{Kind: Fault429, Every: 10, RetryAfter: 2 * time.Second},
				{Kind: Fault500, Probability: 0.01},
				{Kind: FaultDrop, After: 5, Times: 1},
				{Kind: FaultSlow, Delay: 2 * time.Second},
				{Kind: FaultLockRow, Records: []string{"001xx", "001yy"}},
				{Kind: FaultExpireToken, Times: 1},
				{Kind: Fault429, Endpoint: "/crm/v8/*"},
			}},
		{"503 : system=zoho_crm : method=post : probability=0.5\n429:retry_after=3", []Rule{
			{Kind: Fault503, System: "zoho_crm", Method: "POST", Probability: 0.5},
			{Kind: Fault429, RetryAfter: 3 * time.Second},
		}},
		{"slow:delay=250ms:records=", []Rule{{Kind: FaultSlow, Delay: 250 * time.Millisecond}}},
		{"lock_row:records= a , ,b", []Rule{{Kind: FaultLockRow, Records: []string{"a", "b"}}}},
	}
	for _, tt := range tests {
		got, err := ParseRules(tt.spec)
		if err != nil {
			t.Errorf("ParseRules(%q): %v", tt.spec, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRules(%q) =\n %+v\nwant\n %+v", tt.spec, got, tt.want)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		spec string
		want []string // substrings of the error
	}{
		{"418", []string{`rule 1 "418"`, "unknown fault kind"}},
		{"429;500:every", []string{`rule 2 "500:every"`, `"every"`, "key=value"}},
		{"500:every=x", []string{"rule 1", `key "every"`, "whole number"}},
		{"500:after=-1", []string{`key "after"`, "negative"}},
		{"500:times=1.5", []string{`key "times"`}},
		{"500:prob=1.5", []string{`key "prob"`, "outside 0..1"}},
		{"500:prob=NaN", []string{`key "prob"`}},
		{"500:probability=abc", []string{`key "prob"`}},
		{"429:retry_after=soon", []string{`key "retry_after"`, "duration"}},
		{"slow:delay=-2s", []string{`key "delay"`, "negative"}},
		{"500:color=red", []string{`key "color"`, "unknown key"}},
		{"500:prob=0.1:probability=0.2", []string{`key "prob"`, "twice"}},
		{"500:endpoint=/a/*/b", []string{`key "endpoint"`, "only at the end"}},
	}
	for _, tt := range tests {
		_, err := ParseRules(tt.spec)
		if err == nil {
			t.Errorf("ParseRules(%q): no error", tt.spec)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseRules(%q) error %q lacks %q", tt.spec, err, w)
			}
		}
	}
}

func TestRuleStringRoundTrips(t *testing.T) {
	spec := "429:system=salesforce:method=PATCH:endpoint=/services/*:after=1:times=2:every=3:prob=0.25:retry_after=1.5s:delay=10ms:records=a,b"
	rules, err := ParseRules(spec)
	if err != nil {
		t.Fatal(err)
	}
	if got := rules[0].String(); got != spec {
		t.Errorf("String() = %q, want %q", got, spec)
	}
}

func FuzzParseRules(f *testing.F) {
	for _, s := range []string{
		"429:every=10:retry_after=2s;500:prob=0.01;drop:after=5:times=1;slow:delay=2s",
		"lock_row:records=001xx,001yy;expire_token:times=1;429:endpoint=/crm/v8/*",
		"503:system=zoho_desk:method=get\n500", "", ";;", "500:prob=1e-3:delay=3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		rules, err := ParseRules(spec)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sandbox: fault rule ") {
				t.Errorf("error %q does not name the rule", err)
			}
			return
		}
		var parts []string
		for _, r := range rules {
			if !validKind(r.Kind) || r.After < 0 || r.Times < 0 || r.Every < 0 ||
				!(r.Probability >= 0 && r.Probability <= 1) || r.RetryAfter < 0 || r.Delay < 0 {
				t.Fatalf("ParseRules(%q) accepted an invalid rule %+v", spec, r)
			}
			parts = append(parts, r.String())
		}
		again, err := ParseRules(strings.Join(parts, ";"))
		if err != nil {
			t.Fatalf("rendered rules %q do not parse: %v", parts, err)
		}
		if !reflect.DeepEqual(rules, again) {
			t.Fatalf("round trip of %q:\n %+v\n %+v", spec, rules, again)
		}
	})
}
