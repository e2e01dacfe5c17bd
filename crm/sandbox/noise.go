package sandbox

import (
	"strings"
	"unicode"
)

// noiser makes the per-system, per-record variations of clean values. Its
// draws come from the system's own seeded stream.
type noiser struct {
	r rnd
	a arena
}

// typo makes one random one-character edit: substitute, delete, insert or
// swap two neighbours.
func (n *noiser) typo(s string) string {
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	i := 1 + n.r.IntN(len(rs)-2) // keep the first letter, as typists mostly do
	letter := rune('a' + n.r.IntN(26))
	if unicode.IsUpper(rs[i]) {
		letter = unicode.ToUpper(letter)
	}
	switch n.r.IntN(4) {
	case 0:
		rs[i] = letter
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	case 2:
		rs = append(rs[:i], append([]rune{letter}, rs[i:]...)...)
	default:
		rs[i], rs[i-1] = rs[i-1], rs[i]
	}
	out := string(rs)
	if out == s { // swapped two equal letters: substitute instead
		rs[i] = letter
		if rs[i] == []rune(s)[i] {
			rs[i] = 'x'
		}
		out = string(rs)
	}
	return out
}

// recase changes the case of s: ALL CAPS, all lower or Title Case.
func (n *noiser) recase(s string) string {
	switch n.r.IntN(3) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return strings.ToLower(s)
	}
	prev := ' '
	return strings.Map(func(r rune) rune {
		up := prev == ' ' || prev == '-'
		prev = r
		if up {
			return unicode.ToUpper(r)
		}
		return unicode.ToLower(r)
	}, s)
}

// firstName is a first name as someone typed it into a system.
func (n *noiser) firstName(s string, german bool) string {
	if nick, ok := nicknames[s]; ok && n.r.chance(0.12) {
		s = nick[n.r.IntN(len(nick))]
	}
	return n.name(s, german, 0.02)
}

func (n *noiser) lastName(s string, german bool) string { return n.name(s, german, 0.03) }

func (n *noiser) name(s string, german bool, typo float64) string {
	if !isASCII(s) && n.r.chance(0.35) {
		s = n.a.fold(s, german && n.r.chance(0.5))
	}
	if n.r.chance(typo) {
		s = n.typo(s)
	}
	if n.r.chance(0.02) {
		s = n.recase(s)
	}
	return s
}

// companyName varies a company's legal suffix, spelling and case.
func (n *noiser) companyName(c *Company) string {
	s := c.Name
	if n.r.chance(0.35) {
		s = c.BaseName
		if suf := n.suffix(c.Suffix); suf != "" {
			sep := " "
			if n.r.chance(0.2) {
				sep = ", "
			}
			s = n.a.concat(c.BaseName, sep, suf)
		}
	}
	if n.r.chance(0.02) {
		s = n.typo(s)
	}
	if n.r.chance(0.03) {
		s = n.recase(s)
	}
	return s
}

var suffixVariants = map[string][]string{
	"Inc.": {"Inc", "Incorporated", "INC", ""}, "LLC": {"L.L.C.", "llc", ""}, "Corp.": {"Corp", "Corporation", ""},
	"Co.": {"Company", "Co", ""}, "Ltd": {"Ltd.", "Limited", "LTD", ""}, "Ltd.": {"Ltd", "Limited", ""},
	"Limited": {"Ltd", "Ltd.", ""}, "PLC": {"plc", "P.L.C.", ""}, "GmbH": {"Gmbh", "GMBH", "G.m.b.H.", ""},
	"AG": {"A.G.", ""}, "GmbH & Co. KG": {"GmbH & Co KG", "GmbH", ""}, "B.V.": {"BV", "B.V", ""}, "N.V.": {"NV", ""},
	"SA": {"S.A.", ""}, "SAS": {"S.A.S.", ""}, "SARL": {"S.A.R.L.", "Sarl", ""}, "S.A.": {"SA", ""}, "S.L.": {"SL", ""},
	"S.p.A.": {"SpA", ""}, "S.r.l.": {"Srl", ""}, "AB": {"Aktiebolag", ""}, "Pvt. Ltd.": {"Pvt Ltd", "Private Limited", ""},
	"Private Limited": {"Pvt. Ltd.", ""}, "Pty Ltd": {"Pty. Ltd.", "PTY LTD", ""}, "Pty. Ltd.": {"Pty Ltd", ""},
	"Ltda.": {"Ltda", ""}, "Pte. Ltd.": {"Pte Ltd", ""}, "Pte Ltd": {"Pte. Ltd.", ""}, "K.K.": {"KK", "Kabushiki Kaisha", ""},
	"Co., Ltd.": {"Co. Ltd.", "Co Ltd", ""}, "DAC": {"Ltd", ""}, "Sp. z o.o.": {"sp. z o.o.", ""},
}

// suffix returns a variant of a legal suffix, often none; a company without
// one sometimes gains a generic one.
func (n *noiser) suffix(s string) string {
	if s == "" {
		if n.r.chance(0.3) {
			return [...]string{"Inc.", "Ltd", "LLC"}[n.r.IntN(3)]
		}
		return ""
	}
	if v, ok := suffixVariants[s]; ok {
		return v[n.r.IntN(len(v))]
	}
	return ""
}

// website spells a company domain as a URL the way people type them.
func (n *noiser) website(domain string) string {
	switch n.r.IntN(6) {
	case 0:
		return n.a.concat("https://www.", domain)
	case 1:
		return n.a.concat("www.", domain)
	case 2:
		return n.a.concat("http://", domain)
	case 3:
		return n.a.concat("https://", domain, "/")
	case 4:
		return domain
	}
	return n.a.concat("https://www.", domain, "/")
}

// email varies an address: case, plus-addressing, an alias domain, a typo.
func (n *noiser) email(e, alt string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok {
		return e
	}
	switch x := n.r.Float64(); {
	case x < 0.05:
		return n.a.concat(n.recase(local), "@", domain)
	case x < 0.08:
		tag := [...]string{"crm", "sales", "work", "news"}[n.r.IntN(4)]
		return n.a.concat(local, "+", tag, "@", domain)
	case x < 0.14 && alt != "":
		return n.a.concat(local, "@", alt)
	case x < 0.155:
		return n.a.concat(n.typo(local), "@", domain)
	}
	return e
}

// phone formats an E.164 number in one of the ways people write numbers.
func (n *noiser) phone(e164 string, style int) string {
	c, national := countryByDial(e164)
	if c == nil || len(national) < 6 {
		return e164
	}
	al := c.areaLen(national)
	area, sub := national[:al], national[al:]
	b := n.a.begin(len(e164) + 12)
	if c.dial == "1" { // North American numbering
		ex, line := sub[:3], sub[3:]
		switch style % 6 {
		case 0:
			b.WriteString("+1 " + area + "-" + ex + "-" + line)
		case 1:
			b.WriteString("(" + area + ") " + ex + "-" + line)
		case 2:
			b.WriteString(area + "." + ex + "." + line)
		case 3:
			b.WriteString(area + ex + line)
		case 4:
			b.WriteString("+1 (" + area + ") " + ex + " " + line)
		default:
			b.WriteString(e164)
		}
		return n.a.str()
	}
	half := len(sub) / 2
	if c.trunk == "" && (style%6 == 1 || style%6 == 4) {
		style = 0 // no trunk prefix to bracket or lead with
	}
	switch style % 6 {
	case 0:
		b.WriteString("+" + c.dial + " " + area + " " + sub)
	case 1:
		b.WriteString("+" + c.dial + " (" + c.trunk + ")" + area + " " + sub)
	case 2:
		b.WriteString(c.trunk + area + " " + sub[:half] + " " + sub[half:])
	case 3:
		b.WriteString("00" + c.dial + " " + area + " " + sub[:half] + " " + sub[half:])
	case 4:
		b.WriteString(c.trunk + area + "/" + sub)
	default:
		b.WriteString(e164)
	}
	return n.a.str()
}

// country spells a country name the way a system might hold it.
func (n *noiser) country(name string) string {
	if !n.r.chance(0.3) {
		return name
	}
	for i := range countries {
		if countries[i].name == name {
			return n.r.pick(countries[i].aliases)
		}
	}
	return name
}

// isGerman reports whether a country spells ü as ue in ASCII.
func isGerman(country string) bool {
	return country == "Germany" || country == "Switzerland"
}

// title varies a job title's case now and then.
func (n *noiser) title(s string) string {
	if n.r.chance(0.03) {
		return n.recase(s)
	}
	return s
}
