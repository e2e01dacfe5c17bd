package identity

import (
	"strings"
	"testing"
)

func matching(t *testing.T) *Matching {
	t.Helper()
	o := DefaultOptions()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	return &o.Matching
}

func TestNormalizeEmail(t *testing.T) {
	m := matching(t)
	for _, tc := range []struct {
		in, addr      string
		generic, free bool
	}{
		{"  Ann.Lee+CRM@Example.COM ", "ann.lee@example.com", false, false},
		{"mailto:<bob@acme.io>", "bob@acme.io", false, false},
		{"A.n.N+x@GoogleMail.com", "ann@gmail.com", false, true},
		{"info@acme.com", "info@acme.com", true, false},
		{"Sales@Acme.com", "sales@acme.com", true, false},
		{"not an address", "", false, false},
		{"a@b", "", false, false},
		{"@acme.com", "", false, false},
		{"x@y.com,z@w.com", "", false, false},
		{"j\xffrg@x.de", "jrg@x.de", false, false},
	} {
		e := m.NormalizeEmail(tc.in)
		if e.Address != tc.addr || (e.Address != "" && (e.Generic != tc.generic || e.Free != tc.free)) {
			t.Errorf("NormalizeEmail(%q) = %+v, want %s generic=%v free=%v", tc.in, e, tc.addr, tc.generic, tc.free)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	m := matching(t)
	for _, tc := range []struct{ in, e164, local string }{
		{"(312) 555-0100", "+13125550100", "5550100"},
		{"+1 312 555 0100", "+13125550100", "5550100"},
		{"1-312-555-0100", "+13125550100", "5550100"},
		{"312.555.0100 ext. 42", "+13125550100", "5550100"},
		{"+49 30 1234567", "+49301234567", "1234567"},
		{"0049 30 1234567", "+49301234567", "1234567"},
		{"+44 (0)20 7946 0958", "+442079460958", "9460958"},
		{"6223215", "6223215", "6223215"}, // no area code: its digits
		{"12345", "", ""},
		{"", "", ""},
	} {
		// Twice: the second answer comes from the shape cache.
		for range 2 {
			p := m.NormalizePhone(tc.in)
			if p.E164 != tc.e164 || p.Local != tc.local {
				t.Errorf("NormalizePhone(%q) = %+v, want %s %s", tc.in, p, tc.e164, tc.local)
			}
		}
	}
	gb := DefaultOptions()
	gb.Matching.DefaultRegion = "gb"
	if err := gb.Validate(); err != nil {
		t.Fatal(err)
	}
	if p := gb.Matching.NormalizePhone("020 7946 0958"); p.E164 != "+442079460958" {
		t.Errorf("GB national number: %+v", p)
	}
}

func TestParseName(t *testing.T) {
	for _, tc := range []struct{ first, last, full, want string }{
		{"Robert", "Smith", "", "robert||smith"},
		{"  José-María ", "O'Brien", "", "jose|maria|obrien"},
		{"", "", "Smith, John A.", "john|a|smith"},
		{"", "", "Dr. John Adam Smith Jr.", "john|adam|smith"},
		{"John Smith", "", "", "john||smith"},
		{"col. right robert", "sharman-crawford", "", "robert||sharmancrawford"},
		{"1st", "bt.", "", "||"},
		{"Müller", "", "", "muller||"},
		{"Jürgen", "Weiß", "", "jurgen||weiss"},
	} {
		n := ParseName(tc.first, tc.last, tc.full)
		if got := n.First + "|" + n.Middle + "|" + n.Last; got != tc.want {
			t.Errorf("ParseName(%q, %q, %q) = %s, want %s", tc.first, tc.last, tc.full, got, tc.want)
		}
	}
	if CanonicalFirstName("bobby") != "robert" || CanonicalFirstName("bill") != "william" || CanonicalFirstName("zed") != "zed" {
		t.Error("nicknames")
	}
}

func TestNormalizeCompanyDomainAddress(t *testing.T) {
	for in, want := range map[string]string{
		"The Acme Corp., Inc.":       "acme",
		"ACME Incorporated":          "acme",
		"Beispiel GmbH & Co. KG":     "beispiel",
		"Procter & Gamble":           "procter and gamble",
		"L.L.C.":                     "llc",
		"Salvation Army Nursery Ltd": "salvation army nursery",
	} {
		if got := NormalizeCompany(in); got != want {
			t.Errorf("NormalizeCompany(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"https://www.Acme.com/about?x=1": "acme.com",
		"www.acme.co.uk":                 "acme.co.uk",
		"acme.com:8080":                  "acme.com",
		"ann@acme.com":                   "acme.com",
		"localhost":                      "",
	} {
		if got := NormalizeDomain(in); got != want {
			t.Errorf("NormalizeDomain(%q) = %q, want %q", in, got, want)
		}
	}
	a := NormalizeAddress("5423 W. Diversey Avenue, Suite 2")
	if a.Full != "5423 w diversey ave ste 2" || a.Number != "5423" || a.Street != "w diversey ave ste" {
		t.Errorf("NormalizeAddress = %+v", a)
	}
}

func TestNormalizeDatesAndPostcodes(t *testing.T) {
	for _, tc := range []struct {
		in       string
		dayFirst bool
		want     string
	}{
		{"1980-03-04", true, "19800304"},
		{"19800304", true, "19800304"},
		{"1980/3/4", true, "19800304"},
		{"04/03/1980", true, "19800304"},
		{"04/03/1980", false, "19800403"},
		{"25/03/1980", false, "19800325"},
		{"1858-01-81", true, "18580181"},
		{"2001-02-03T10:00:00Z", true, "20010203"},
		{"March 4th", true, ""},
	} {
		if got := NormalizeDate(tc.in, tc.dayFirst); got != tc.want {
			t.Errorf("NormalizeDate(%q, %v) = %q, want %q", tc.in, tc.dayFirst, got, tc.want)
		}
	}
	for in, want := range map[string][2]string{
		"mk40 2nr":   {"MK402NR", "MK40"},
		"SW1A 2AA":   {"SW1A2AA", "SW1A"},
		"60639-1234": {"60639", "606"},
		"4659":       {"4659", "465"},
	} {
		p := NormalizePostcode(in)
		if p != want[0] || PostcodeArea(p) != want[1] {
			t.Errorf("postcode %q = %q area %q, want %v", in, p, PostcodeArea(p), want)
		}
	}
	for in, want := range map[string]string{"robert": "R163", "rupert": "R163", "tymczak": "T522", "pfister": "P236", "": ""} {
		if got := Soundex(in); got != want {
			t.Errorf("Soundex(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	o := DefaultOptions()
	if err := o.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := DefaultOptions()
	bad.Matching.LinkThreshold = 1.5
	bad.Matching.DefaultRegion = "usa"
	bad.Matching.Person.Blocking = []Rule{{Name: "x", Fields: []string{"email", "shoe_size"}}, {Fields: []string{"name_token", "name_token"}}}
	bad.Matching.Company.Ignore = []string{"first_name"}
	bad.Matching.Person.Weights = map[string]map[string]float64{"first_name": {"exactish": 3}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"matching.link_threshold: 1.5 is not a probability",
		`matching.default_region: "usa" is not a two-letter region code`,
		`matching.person.blocking[0].fields: unknown field "shoe_size"`,
		"matching.person.blocking[1].fields: at most one field of a rule may be name_token",
		`matching.company.ignore[0]: unknown comparison "first_name"`,
		`matching.person.weights.first_name: comparison first_name has no level "exactish"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if v := o.Vars(); v["identity_link_threshold"] != "0.9" || v["identity_max_block_size"] != "400" || v["identity_link_only"] != "false" {
		t.Errorf("vars %v", v)
	}
}

func TestEvaluate(t *testing.T) {
	truth := map[string]string{"a": "1", "b": "1", "c": "1", "d": "2", "e": "3", "x": ""}
	pred := map[string]string{"a": "A", "b": "A", "c": "C", "d": "A", "e": "E"}
	ev, err := Evaluate(pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	// Predicted pairs a-b (true), a-d, b-d; true pairs a-b, a-c, b-c.
	if ev.TruePositives != 1 || ev.FalsePositives != 2 || ev.FalseNegatives != 2 || ev.Records != 5 {
		t.Errorf("%+v", ev)
	}
	if d := ev.F1 - 1.0/3; d > 1e-9 || d < -1e-9 {
		t.Errorf("F1 %v", ev.F1)
	}
	// B-cubed precision: a and b see 2 of their 3 (a, b, d), d 1 of 3, c and e 1 of 1.
	if want := (2.0/3 + 2.0/3 + 1.0/3 + 1 + 1) / 5; ev.BCubedPrecision-want > 1e-9 || want-ev.BCubedPrecision > 1e-9 {
		t.Errorf("B-cubed precision %v, want %v", ev.BCubedPrecision, want)
	}
	if _, err := Evaluate(pred, map[string]string{"a": ""}); err == nil {
		t.Error("no error without truth")
	}
}
