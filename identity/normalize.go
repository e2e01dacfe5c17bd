package identity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// foldSpecial spells letters that have no decomposition in ASCII.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d",
	'þ': "th", 'Þ': "th", 'œ': "oe", 'Œ': "oe", 'ı': "i", 'ð': "d", 'Ð': "d", 'ħ': "h",
}

// fold lower-cases s, strips accents (é → e, ü → u) and makes every run
// of characters that are neither letters nor digits one space; the
// characters in drop vanish without a space (apostrophes in O'Brien, the
// dots in L.L.C.). Text that is not UTF-8 has its bad bytes dropped.
func fold(s, drop string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // at the start: no leading space
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFKD.String(s)
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
			space = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
			space = false
		case strings.ContainsRune(drop, r):
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := foldSpecial[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// nameTitles are words that are not part of a person's name: titles,
// honorifics and generational suffixes.
var nameTitles = set("mr mrs ms miss mx dr prof sir dame lord lady rev revd fr col gen capt lt maj sgt " +
	"hon honourable honorable right rt the jr jnr sr snr ii iii iv esq phd md " +
	"bt bart baronet baronetess earl countess viscount viscountess baron baroness duke duchess marquess " +
	"marquis first of")

// PersonName is a person's name split and normalized for matching.
type PersonName struct {
	First  string // first given name ("robert")
	Middle string // other given names, space-separated
	Last   string // family name, without spaces or hyphens ("sharmancrawford")
}

// normName folds a name part and drops titles ("Col. Right Robert" → "robert").
func normName(s string) []string {
	toks := strings.Fields(fold(s, "'’`"))
	out := toks[:0]
	for _, t := range toks {
		if !nameTitles[t] && !strings.ContainsAny(t, "0123456789") {
			out = append(out, t)
		}
	}
	return out
}

// ParseName normalizes a person's name from its parts; full is used for
// the parts that are empty ("Smith, John A." or "John A. Smith").
func ParseName(first, last, full string) PersonName {
	f, l := normName(first), normName(last)
	var n PersonName
	if len(f) == 0 && len(l) == 0 && strings.TrimSpace(full) != "" {
		if before, after, ok := strings.Cut(full, ","); ok && strings.TrimSpace(after) != "" {
			l, f = normName(before), normName(after)
		} else {
			toks := normName(full)
			switch len(toks) {
			case 0:
			case 1:
				f = toks
			default:
				f, l = toks[:len(toks)-1], toks[len(toks)-1:]
			}
		}
	}
	if len(l) == 0 && len(f) > 1 { // "John Smith" typed into the first-name field
		f, l = f[:len(f)-1], f[len(f)-1:]
	}
	if len(f) > 0 {
		n.First = f[0]
		n.Middle = strings.Join(f[1:], " ")
	}
	n.Last = strings.Join(l, "")
	return n
}

// Email is an e-mail address normalized for matching.
type Email struct {
	Address string // local@domain, lower case, +tag removed; "" when not an address
	Local   string
	Domain  string
	// Generic: the local part is a role mailbox (info@, sales@, ...) that
	// many people read; it never links people on its own.
	Generic bool
	// Free: the domain is a free-mail provider's, so it says nothing about
	// the company.
	Free bool
}

// NormalizeEmail lower-cases and trims an address, removes a +tag from
// its local part ("ann+crm@x.com" → "ann@x.com"), and for Gmail also the
// dots ("a.nn@gmail.com" = "ann@gmail.com", googlemail.com = gmail.com).
func (o *Matching) NormalizeEmail(s string) Email {
	s = strings.ToLower(strings.TrimSpace(strings.ToValidUTF8(s, "")))
	s = strings.TrimPrefix(s, "mailto:")
	s = strings.Trim(s, "<>\"' ")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t,;") {
		return Email{}
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	if local == "" || !strings.Contains(domain, ".") {
		return Email{}
	}
	e := Email{Address: local + "@" + domain, Local: local, Domain: domain}
	e.Generic = o.generic[local]
	e.Free = o.freeMail[domain]
	return e
}

// Phone is a phone number normalized for matching.
type Phone struct {
	// E164 is the number in E.164 (+13125550100) when it parses in the
	// default region, else its digits ("" when fewer than 7).
	E164 string
	// Local is the last 7 digits: numbers typed without their area code
	// still meet their full form there.
	Local string
}

// NormalizePhone parses s (extensions dropped) with the default region.
func (o *Matching) NormalizePhone(s string) Phone {
	s = strings.TrimSpace(s)
	if s == "" {
		return Phone{}
	}
	low := strings.ToLower(s)
	for _, ext := range []string{"ext", "x", "#"} {
		if i := strings.LastIndex(low, ext); i > 0 && digitCount(low[:i]) >= 7 {
			s, low = s[:i], low[:i]
		}
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && i < 3:
			b.WriteRune(r)
		}
	}
	raw := b.String()
	if strings.HasPrefix(raw, "00") {
		raw = "+" + raw[2:]
	}
	digits := strings.TrimPrefix(raw, "+")
	if len(digits) < 7 {
		return Phone{}
	}
	p := Phone{Local: digits[len(digits)-7:], E164: digits}
	if len(digits) > 15 {
		return p
	}
	region := o.region
	if region == "" {
		region = "US"
	}
	// Parsing is slow (tens of microseconds) and its outcome depends only
	// on the number's shape: whether it starts with +, its length and its
	// leading digits. The first number of a shape is parsed; the others
	// take the same transformation (digits dropped, country code added).
	lead := digits
	if len(lead) > 4 {
		lead = lead[:4]
	}
	key := phoneShape{plus: strings.HasPrefix(raw, "+"), n: len(digits), lead: lead, region: region}
	if o.phoneCache != nil {
		if v, ok := o.phoneCache.Load(key); ok {
			return applyShape(p, digits, v.(phoneRule))
		}
	}
	rule := phoneRule{}
	num, err := phonenumbers.Parse(raw, region)
	// A number possible only locally (7 digits without an area code) is
	// kept as its digits: it has no E.164 form.
	if err == nil && phonenumbers.IsPossibleNumberWithReason(num) == phonenumbers.IS_POSSIBLE {
		e164 := phonenumbers.Format(num, phonenumbers.E164)
		nsn := phonenumbers.GetNationalSignificantNumber(num)
		if strings.HasSuffix(digits, nsn) && strings.HasSuffix(e164, nsn) {
			rule = phoneRule{possible: true, drop: len(digits) - len(nsn), prefix: strings.TrimSuffix(e164, nsn)}
		} else {
			p.E164 = e164
			if d := strings.TrimPrefix(e164, "+"); len(d) >= 7 {
				p.Local = d[len(d)-7:]
			}
			return p // not a shape to reuse
		}
	}
	if o.phoneCache != nil {
		o.phoneCache.Store(key, rule)
	}
	return applyShape(p, digits, rule)
}

type phoneShape struct {
	plus   bool
	n      int
	lead   string
	region string
}

// phoneRule turns the digits of a number of one shape into E.164.
type phoneRule struct {
	possible bool
	drop     int    // leading digits that are no part of the number (a trunk 0, the country code)
	prefix   string // + and the country code
}

func applyShape(p Phone, digits string, r phoneRule) Phone {
	if !r.possible {
		return p
	}
	p.E164 = r.prefix + digits[r.drop:]
	if d := strings.TrimPrefix(p.E164, "+"); len(d) >= 7 {
		p.Local = d[len(d)-7:]
	}
	return p
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// legalSuffixes are words that end company names without naming them
// (after folding: "L.L.C." is "llc", "S.A." is "sa").
var legalSuffixes = set("inc incorporated llc llp lp ltd limited corp corporation co company plc gmbh mbh ag kg " +
	"ohg ug ev bv nv sa sas sarl sl spa srl ab oy oyj as asa aps pvt private pty ltda pte kk kabushiki kaisha " +
	"sp zoo z oo sro doo dac cv sdn bhd tbk pc pllc and")

// companyNoise are words that add nothing to a company's name wherever
// they stand.
var companyNoise = set("the")

// NormalizeCompany folds a company name and drops its legal suffix and
// noise words ("The Acme Corp., Inc." → "acme"); "&" reads "and".
func NormalizeCompany(s string) string {
	s = strings.ReplaceAll(s, "&", " and ")
	toks := strings.Fields(fold(s, ".'’`"))
	out := toks[:0]
	for _, t := range toks {
		if !companyNoise[t] {
			out = append(out, t)
		}
	}
	for len(out) > 1 && legalSuffixes[out[len(out)-1]] {
		out = out[:len(out)-1]
	}
	return strings.Join(out, " ")
}

// NormalizeDomain returns the host of a website or URL, lower case,
// without scheme, "www.", port or path ("https://www.Acme.com/about" →
// "acme.com"); "" when it has no dot.
func NormalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.ToValidUTF8(s, "")))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
	if !strings.Contains(s, ".") || strings.ContainsAny(s, " \t,;") {
		return ""
	}
	return s
}

// NormalizeDate reads a date as YYYYMMDD: ISO (2001-02-03, 20010203,
// 2001/02/03, a time after it is ignored) or day first (03/02/2001,
// 03.02.2001; month first when dayFirst is false or the first part is
// over 12... and the second is not). Values with digits out of range
// (1858-01-81) are kept as they are: they still meet their correct form
// at one edit. "" when s is no date.
func NormalizeDate(s string, dayFirst bool) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "T "); i >= 8 {
		s = s[:i]
	}
	var parts []string
	cur := ""
	for _, r := range s {
		if r >= '0' && r <= '9' {
			cur += string(r)
			continue
		}
		if cur != "" {
			parts = append(parts, cur)
			cur = ""
		}
	}
	if cur != "" {
		parts = append(parts, cur)
	}
	pad := func(p string) string {
		if len(p) == 1 {
			return "0" + p
		}
		return p
	}
	switch {
	case len(parts) == 1 && len(parts[0]) == 8:
		return parts[0]
	case len(parts) == 3 && len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return parts[0] + pad(parts[1]) + pad(parts[2])
	case len(parts) == 3 && len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		a, b := pad(parts[0]), pad(parts[1])
		switch {
		case a > "12" && b <= "12":
			return parts[2] + b + a
		case b > "12" && a <= "12":
			return parts[2] + a + b
		case dayFirst:
			return parts[2] + b + a
		default:
			return parts[2] + a + b
		}
	}
	return ""
}

// NormalizePostcode upper-cases a postal code and drops its spaces and
// punctuation ("mk40 2nr" → "MK402NR"; a ZIP+4 keeps its five digits).
func NormalizePostcode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	p := b.String()
	if len(p) == 9 && digitCount(p) == 9 && strings.Contains(s, "-") {
		p = p[:5]
	}
	return p
}

// PostcodeArea is the part of a postcode that names an area: a British
// one's outward code (MK40 of MK40 2NR), else its first three characters.
func PostcodeArea(p string) string {
	if len(p) >= 5 && len(p) <= 7 && p[len(p)-3] >= '0' && p[len(p)-3] <= '9' && isLetter(p[len(p)-1]) && isLetter(p[0]) {
		return p[:len(p)-3]
	}
	if len(p) > 3 {
		return p[:3]
	}
	return p
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// streetWords abbreviates the words of street addresses one way.
var streetWords = map[string]string{
	"street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
	"lane": "ln", "court": "ct", "place": "pl", "crescent": "cres", "terrace": "tce", "highway": "hwy",
	"parkway": "pkwy", "square": "sq", "circuit": "cct", "close": "cl", "grove": "gr", "mount": "mt",
	"north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
	"southeast": "se", "southwest": "sw", "apartment": "apt", "suite": "ste", "unit": "unt", "floor": "fl",
	"first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
	"strasse": "str", "straße": "str",
}

// Address is a street address normalized for matching.
type Address struct {
	Full   string // folded, street words abbreviated ("5423 w diversey ave")
	Number string // the first number in it ("5423")
	Street string // the words without numbers ("w diversey ave")
}

// NormalizeAddress folds an address and abbreviates its street words.
func NormalizeAddress(s string) Address {
	toks := strings.Fields(fold(s, ".'’`"))
	var a Address
	var street []string
	for i, t := range toks {
		if w, ok := streetWords[t]; ok {
			t = w
			toks[i] = t
		}
		if t[0] >= '0' && t[0] <= '9' {
			if a.Number == "" {
				a.Number = strings.TrimRightFunc(t, unicode.IsLetter)
			}
			continue
		}
		street = append(street, t)
	}
	a.Full = strings.Join(toks, " ")
	a.Street = strings.Join(street, " ")
	return a
}

// Soundex is the American Soundex code of a folded word ("robert" → "R163").
func Soundex(s string) string {
	if s == "" {
		return ""
	}
	code := func(c byte) byte {
		switch c {
		case 'b', 'f', 'p', 'v':
			return '1'
		case 'c', 'g', 'j', 'k', 'q', 's', 'x', 'z':
			return '2'
		case 'd', 't':
			return '3'
		case 'l':
			return '4'
		case 'm', 'n':
			return '5'
		case 'r':
			return '6'
		case 'h', 'w':
			return 'h'
		}
		if c >= 'a' && c <= 'z' {
			return '0' // vowels (and y)
		}
		return 0
	}
	i := 0
	for i < len(s) && code(s[i]) == 0 {
		i++
	}
	if i == len(s) {
		return ""
	}
	out := []byte{s[i] - 'a' + 'A'}
	last := code(s[i])
	for _, c := range []byte(s[i+1:]) {
		d := code(c)
		switch d {
		case 0, 'h':
			continue
		case '0':
			last = '0'
			continue
		}
		if d != last {
			out = append(out, d)
			if len(out) == 4 {
				break
			}
		}
		last = d
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}

// set makes a lookup set of the space-separated words of s.
func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
