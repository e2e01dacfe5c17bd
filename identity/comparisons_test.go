//go:build duckdb_arrow

package identity_test

import (
	"strings"
	"testing"

	"github.com/revops/revops/identity"
)

// TestPersonEmailLevels compares e-mail addresses the way
// identity.person_comparisons does (explain renders the model's SQL for
// one pair): close is the same address with a typo, not a colleague's or
// a namesake's address that only looks like it.
func TestPersonEmailLevels(t *testing.T) {
	const people = `id,first,last,mail
a1,Anna,Anderson,a.anderson@desai-consulting.co.uk
a2,Anna,Anderson,a.andersoon@desai-consulting.co.uk
b1,Ashley,Brown,ashley.brown@northwind.com
b2,Ashley,Brown,sahley.brown@northwind.com
c1,Juan,Navarro,juan.navarro@westfin.io
c2,Juan,Navarro,juan.navarro2@westfin.io
d1,Pieter,Svensson,pieters@silverbridge.nl
d2,Pieter,Karlsson,pieterk@silverbridge.nl
e1,Katherine,Edwards,katherine.edwards@silvershore-clinics.com
e2,Katherine,Edwards,katherine.edwards@silverforge-maritime.com
f1,Freya,Vandenberg,f.vandenberg@lakewater.nl
f2,Pieter,Vandenberg,p.vandenberg@lakewater.nl
g1,Tao,Xu,txu@stonewayhotels.com
g2,Tao,Xu,txu@stonewayhotel.com
`
	m, err := identity.ParseRoleMap("first_name=first,last_name=last,email=mail")
	if err != nil {
		t.Fatal(err)
	}
	data, err := identity.ReadCSV(strings.NewReader(people), "people.csv", "id", m)
	if err != nil {
		t.Fatal(err)
	}
	opts := identity.DefaultOptions()
	if err := opts.Validate(); err != nil {
		t.Fatal(err)
	}
	w := openMem(t)
	res, err := identity.MatchCSV(t.Context(), w, data, identity.KindPerson, &opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		l, r, level, guard, why string
	}{
		{"a1", "a2", "close", "", "a typo in the mailbox name"},
		{"b1", "b2", "close", "", "the first two letters swapped"},
		{"g1", "g2", "close", "", "a typo in the domain"},
		{"c1", "c2", "different", "two mailboxes of one domain told apart by their number", "the second Juan Navarro's mailbox"},
		{"d1", "d2", "different", "", "colleagues whose mailbox names differ where their last names do"},
		{"e1", "e2", "different", "", "the same name at two companies whose domains only look alike"},
		{"f1", "f2", "different", "", "the mailbox names differ in their first letter, the initial of other first names"},
	} {
		e, err := identity.Explain(t.Context(), w, res.Project, identity.KindPerson, tc.l, tc.r, &opts)
		if err != nil {
			t.Fatal(err)
		}
		var level string
		for _, c := range e.Comparisons {
			if c.Comparison == "email" {
				level = c.LevelName
			}
		}
		if level != tc.level || e.Guard != tc.guard {
			t.Errorf("%s / %s (%s): email %s, guard %q; want %s, guard %q", tc.l, tc.r, tc.why, level, e.Guard, tc.level, tc.guard)
		}
	}
}
