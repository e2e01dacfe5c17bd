package identity

import (
	"math"
	"slices"
	"testing"
)

func TestGroupingSum(t *testing.T) {
	cmps := []Comparison{{Name: "name"}, {Name: "city", Group: GroupPlaces}, {Name: "postcode", Group: GroupPlaces},
		{Name: "state", Group: GroupPlaces}, {Name: "email"}}
	g := newGrouping(cmps)
	for _, tc := range []struct {
		name string
		w    []float64
		want float64
	}{
		{"no group agrees: a plain sum", []float64{8, 0, 0, 0, -6}, 2},
		{"places agree together: the strongest counts once", []float64{8, 5.8, 9, 5.5, 0}, 17},
		{"every disagreement counts", []float64{8, -5, -3, 5.5, 0}, 5.5},
		{"a group with only disagreements", []float64{0, -5, -3, 0, 0}, -8},
		{"nothing", []float64{0, 0, 0, 0, 0}, 0},
	} {
		if got := g.sum(tc.w); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: sum(%v) = %v, want %v", tc.name, tc.w, got, tc.want)
		}
	}
}

// TestFitPlacesDoNotMakeNamesakesMatches: people blocked on their name
// include namesakes who live in one city (city, state and country agree)
// but whose e-mail addresses, phones and employers differ. Counted one by
// one, the three places outweigh what differs and EM takes the namesakes
// for matches: m of "e-mail differs" then says a fifth of matches have
// another address, and a differing address stops telling people apart
// (the sandbox at 100,000 records per system linked colleagues and
// namesakes that way). Counted as the links models count them (the
// strongest place once), the namesakes stay non-matches.
func TestFitPlacesDoNotMakeNamesakesMatches(t *testing.T) {
	cmps := PersonComparisons
	idx := func(name string) int {
		return slices.IndexFunc(cmps, func(c Comparison) bool { return c.Name == name })
	}
	levels := func(set map[string]int) []int {
		out := make([]int, len(cmps))
		for c := range out {
			out[c] = -1
		}
		for name, l := range set {
			out[idx(name)] = l
		}
		return out
	}
	rules := []numberedRule{{Rule: Rule{Name: "name", Fields: []string{"name"}}, id: 0}}
	differ := map[string]int{"first_name": 0, "last_name": 0, "email": 0, "phone": 0, "company": 0, "city": 0, "state": 0, "country": 0}
	pats := []pattern{
		// Random pairs: everything differs, now and then a place agrees.
		{random: true, n: 900000, levels: levels(differ)},
		{random: true, n: 20000, levels: levels(map[string]int{"first_name": 0, "last_name": 0, "email": 0, "phone": 0, "company": 0, "city": 2, "state": 1, "country": 1})},
		{random: true, n: 80000, levels: levels(map[string]int{"first_name": 0, "last_name": 0, "email": 0, "phone": 0, "company": 0, "city": 0, "state": 0, "country": 1})},
		// Matches.
		{rules: 1, n: 1000, levels: levels(map[string]int{"first_name": 5, "last_name": 3, "email": 2, "phone": 2, "company": 2, "city": 2, "state": 1, "country": 1})},
		{rules: 1, n: 20, levels: levels(map[string]int{"first_name": 5, "last_name": 3, "email": 0, "phone": 2, "company": 2, "city": 2, "state": 1, "country": 1})},
		// Namesakes in one city, and elsewhere.
		{rules: 1, n: 3000, levels: levels(map[string]int{"first_name": 5, "last_name": 3, "email": 0, "phone": 0, "company": 0, "city": 2, "state": 1, "country": 1})},
		{rules: 1, n: 5000, levels: levels(map[string]int{"first_name": 5, "last_name": 3, "email": 0, "phone": 0, "company": 0, "city": 0, "state": 0, "country": 1})},
	}
	md := fit(cmps, pats, rules, 1e9, &Entity{})
	for _, name := range []string{"email", "phone", "company"} {
		if m := md.M[idx(name)][0]; m > 0.05 {
			t.Errorf("m of %s differing is %.3f: the namesakes were taken for matches (want about 0.02 or less)", name, m)
		}
		if w := md.Weight[idx(name)][0]; w > -4 {
			t.Errorf("weight of %s differing is %.2f: too weak to tell people apart", name, w)
		}
	}
}

func TestEmailLocalBlockingLeavesNamesOfItsSession(t *testing.T) {
	// A mailbox name is made of the person's name: a session blocked on it
	// must not estimate the names' m (they agree there, matches or not).
	got := ruleComparisons(Rule{Name: "email_local", Fields: []string{"email_local"}})
	for _, want := range []string{"email", "first_name", "last_name"} {
		if !slices.Contains(got, want) {
			t.Errorf("a rule on email_local informs %v, want %s among them", got, want)
		}
	}
}
