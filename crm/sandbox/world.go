package sandbox

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Record-count limits of Options.Records.
const (
	MinRecords = 100
	MaxRecords = 1_000_000
)

// The share of Options.Records each kind of world entity gets, in
// thousandths. They are tuned so that each CRM projection holds about
// Records records (a CRM holds ~80% of companies and people, ~65% of deals).
const (
	perMilleCompanies = 180
	perMillePeople    = 670
	perMilleDeals     = 310
	perMilleTickets   = 300
	perMilleTasks     = 320
	recordsPerUser    = 50
	prospectShare     = 0.30 // companies that are nobody's account yet: their people are leads
	leadShare         = 0.12 // people at account companies not converted yet
	ourDomain         = "brightlane.io"
)

const day1 = 24 * time.Hour

// Generate builds the World for opts. The same Seed and Records give a
// byte-identical World; times all lie before Now.
func Generate(opts Options) *World {
	n := min(max(opts.Records, MinRecords), MaxRecords)
	now := opts.Now
	if now.IsZero() {
		now = DefaultNow
	}
	now = now.UTC()
	g := &gen{r: newRnd(opts.Seed, 0x776f726c64), now: now, w: &World{Seed: opts.Seed, Now: now}}
	g.users(max(3, n/recordsPerUser))
	g.companies(n * perMilleCompanies / 1000)
	g.people(n * perMillePeople / 1000)
	g.deals(n * perMilleDeals / 1000)
	g.tickets(n * perMilleTickets / 1000)
	g.tasks(n * perMilleTasks / 1000)
	g.salesforceExtras(n)
	g.zohoCampaignsPresence()
	return g.w
}

// gen holds the generator's state while it builds a World.
type gen struct {
	r   rnd
	now time.Time
	a   arena
	w   *World

	compCountry []uint8 // index into countries
	compCity    []uint8 // index into the country's cities
	compEmail   []uint8 // email pattern of the company
	compFirst   []int32 // first person of the company in World.People
	compCount   []int32 // number of people of the company
	accounts    []int32 // companies with any CRM presence
	histBuf     []StageChange
	timeBuf     []time.Time
	seen        map[string]bool
	countryPick weighted
}

var (
	presenceBoth = InSalesforce | InZohoCRM
	emailPattern = newWeighted(45, 20, 10, 10, 8, 7)
	leadStatuses = []LeadStatus{LeadNew, LeadContacted, LeadQualified, LeadUnqualified}
	leadStatusW  = newWeighted(35, 35, 15, 15)
	leadSourceW  = newWeighted(leadSourceWeights...)
)

// crmPresence splits entities between the CRMs: both with probability
// both, otherwise one of the two at even odds.
func (g *gen) crmPresence(both float64) Presence {
	switch x := g.r.Float64(); {
	case x < both:
		return presenceBoth
	case x < both+(1-both)/2:
		return InSalesforce
	default:
		return InZohoCRM
	}
}

// recent draws an instant in [lo, hi) biased towards hi (businesses grow).
func (g *gen) recent(lo, hi time.Time) time.Time {
	d := hi.Sub(lo)
	if d <= 0 {
		return lo
	}
	u := g.r.Float64()
	return lo.Add(time.Duration(float64(d) * (1 - (1-u)*(1-u))))
}

func (g *gen) origin(c *country) int {
	if g.r.chance(0.65) {
		return c.origin
	}
	return g.r.IntN(numOrigins)
}

// phone returns an E.164 number in area (mobile: a mobile prefix of c).
func (g *gen) phone(c *country, area string, mobile bool) string {
	if mobile && len(c.mobile) > 0 {
		area = g.r.pick(c.mobile)
	}
	b := g.a.begin(24)
	b.WriteByte('+')
	b.WriteString(c.dial)
	b.WriteString(area)
	b.WriteByte(byte('2' + g.r.IntN(8))) // no leading 0 or 1 in the subscriber number
	g.r.digits(b, c.subLen-1)
	return g.a.str()
}

func (g *gen) street(c *country) string {
	name := g.r.pick(c.streets)
	n := 1 + g.r.IntN(min(400, 1+int(g.r.lognorm(40, 1.2))))
	b := g.a.begin(len(name) + 8)
	if c.numFirst {
		g.a.itoa(b, n)
		b.WriteByte(' ')
		b.WriteString(name)
	} else {
		b.WriteString(name)
		b.WriteByte(' ')
		g.a.itoa(b, n)
	}
	return g.a.str()
}

func (g *gen) users(n int) {
	g.w.Users = make([]User, n)
	g.seen = make(map[string]bool, n)
	for i := range g.w.Users {
		o := &origins[g.r.IntN(numOrigins)]
		u := &g.w.Users[i]
		u.EntityID = g.a.id("E-U-", i+1)
		u.FirstName, u.LastName = g.r.pick(o.first), g.r.pick(o.last)
		for k := 1; ; k++ {
			b := g.a.begin(64)
			writeSlug(b, u.FirstName)
			b.WriteByte('.')
			writeSlug(b, u.LastName)
			if k > 1 {
				g.a.itoa(b, k)
			}
			b.WriteString("@" + ourDomain)
			if e := g.a.str(); !g.seen[e] {
				g.seen[e] = true
				u.Email = e
				break
			}
		}
		u.Phone = g.phone(&countries[0], countries[0].cities[g.r.IntN(len(countries[0].cities))].area, false)
		u.Title = g.r.pick(userTitles)
		u.Active = i < 3 || g.r.chance(0.94)
		u.CreatedAt = g.now.Add(-time.Duration(400+g.r.IntN(800)) * day1)
	}
	g.seen = nil
}

// namePlan hands out company name parts from a seeded permutation of
// brand × sector (then brand × region × sector, once plain names run out),
// so that names never repeat within a World.
type namePlan struct {
	brands       []string
	m1, a1, b1   int64
	m2, a2, b2   int64
	sectorsCount int64
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func (g *gen) coprime(m int64) (a, b int64) {
	for {
		a = 1 + g.r.Int64N(m-1)
		if gcd(a, m) == 1 {
			return a, g.r.Int64N(m)
		}
	}
}

func (g *gen) newNamePlan() *namePlan {
	p := &namePlan{sectorsCount: int64(len(sectors))}
	for _, pre := range brandPrefixes {
		for _, root := range brandRoots {
			p.brands = append(p.brands, pre+root)
		}
	}
	// Some surnames belong to several origins, or differ only in accents
	// (García, Garcia): keep one brand per domain spelling.
	seen := make(map[string]bool)
	for i := range origins {
		for _, last := range origins[i].last {
			var slug strings.Builder
			writeSlug(&slug, last)
			if !seen[slug.String()] {
				seen[slug.String()] = true
				p.brands = append(p.brands, last)
			}
		}
	}
	p.m1 = int64(len(p.brands)) * p.sectorsCount
	p.m2 = p.m1 * int64(len(regionWords))
	p.a1, p.b1 = g.coprime(p.m1)
	p.a2, p.b2 = g.coprime(p.m2)
	return p
}

func (p *namePlan) name(i int64) (brand, region string, sec *sector) {
	if i < p.m1 {
		k := (p.a1*i + p.b1) % p.m1
		return p.brands[k/p.sectorsCount], "", &sectors[k%p.sectorsCount]
	}
	k := (p.a2*((i-p.m1)%p.m2) + p.b2) % p.m2
	region = regionWords[k%int64(len(regionWords))]
	k /= int64(len(regionWords))
	return p.brands[k/p.sectorsCount], region, &sectors[k%p.sectorsCount]
}

func (g *gen) companies(n int) {
	w := g.w
	w.Companies = make([]Company, n)
	g.compCountry = make([]uint8, n)
	g.compCity = make([]uint8, n)
	g.compEmail = make([]uint8, n)
	ws := make([]int, len(countries))
	for i := range countries {
		ws[i] = countries[i].weight
	}
	g.countryPick = newWeighted(ws...)
	plan := g.newNamePlan()
	for i := range w.Companies {
		c := &w.Companies[i]
		ci := g.countryPick.pick(g.r)
		ct := &countries[ci]
		cy := g.r.IntN(len(ct.cities))
		g.compCountry[i], g.compCity[i] = uint8(ci), uint8(cy)
		g.compEmail[i] = uint8(emailPattern.pick(g.r))
		brand, region, sec := plan.name(int64(i))

		c.EntityID = g.a.id("E-C-", i+1)
		if region != "" {
			c.BaseName = g.a.concat(brand, " ", region, " ", sec.word)
		} else {
			c.BaseName = g.a.concat(brand, " ", sec.word)
		}
		c.Name = c.BaseName
		if g.r.chance(0.85) {
			c.Suffix = g.r.pick(ct.suffixes)
			c.Name = g.a.concat(c.BaseName, " ", c.Suffix)
		}
		c.Domain = g.domain(brand, region, sec.word, ct.tld, g.r.IntN(3))
		if g.r.chance(0.15) {
			c.AltDomain = g.domain(brand, "", sec.word, "", 3+g.r.IntN(2))
		}
		c.Industry = sec.industry
		c.Employees = min(250_000, max(1, int(g.r.lognorm(60, 1.5))))
		c.AnnualRevenue = roundSig(float64(c.Employees)*g.r.lognorm(180_000, 0.5), 3)
		cityRec := &ct.cities[cy]
		c.Phone = g.phone(ct, cityRec.area, false)
		c.Street = g.street(ct)
		c.City, c.State, c.PostalCode, c.Country = cityRec.name, cityRec.state, cityRec.postal, ct.name
		c.OwnerIdx = g.r.IntN(len(w.Users))
		if !g.r.chance(prospectShare) {
			c.Presence = g.crmPresence(0.70)
			g.accounts = append(g.accounts, int32(i))
		}
		c.CreatedAt = g.now.Add(-time.Duration(g.r.Int64N(int64(1080*day1))) - 20*day1)
		c.ModifiedAt = g.recent(c.CreatedAt, g.now)
	}
}

// domain spells a company domain in one of several styles: 0-2 for the
// primary domain under tld, 3-4 for an alternative one.
func (g *gen) domain(brand, region, word, tld string, style int) string {
	b := g.a.begin(64)
	writeSlug(b, brand)
	switch style {
	case 0, 3:
		writeSlug(b, region)
		writeSlug(b, word)
	case 1:
		if region != "" {
			b.WriteByte('-')
			writeSlug(b, region)
		}
		b.WriteByte('-')
		writeSlug(b, word)
	case 2:
		writeSlug(b, region)
		b.WriteString("-")
		writeSlug(b, word)
		b.WriteString("-hq")
	case 4:
		b.WriteString("-")
		writeSlug(b, word)
	}
	switch {
	case tld != "":
		b.WriteString("." + tld)
	case style == 3:
		b.WriteString(".io")
	default:
		b.WriteString(".net")
	}
	return g.a.str()
}

func (g *gen) people(target int) {
	w := g.w
	nc := len(w.Companies)
	prospects := nc - len(g.accounts)
	perAccount := 1.0
	if len(g.accounts) > 0 {
		perAccount = max(1, (float64(target)-1.3*float64(prospects))/float64(len(g.accounts)))
	}
	spread := 2*perAccount - 1 // 1 + floor(u*spread) has mean perAccount
	w.People = make([]Person, 0, target+target/8)
	g.compFirst = make([]int32, nc)
	g.compCount = make([]int32, nc)
	for ci := range w.Companies {
		comp := &w.Companies[ci]
		k := 1
		if comp.Presence == 0 {
			if g.r.chance(0.3) {
				k = 2
			}
		} else {
			k = 1 + int(g.r.Float64()*spread)
		}
		g.compFirst[ci] = int32(len(w.People))
		g.compCount[ci] = int32(k)
		for range k {
			w.People = append(w.People, Person{})
			g.person(ci, len(w.People)-1)
		}
	}
}

func (g *gen) person(ci, pi int) {
	w := g.w
	comp := &w.Companies[ci]
	ct := &countries[g.compCountry[ci]]
	p := &w.People[pi]
	o := &origins[g.origin(ct)]
	p.EntityID = g.a.id("E-P-", pi+1)
	p.FirstName, p.LastName = g.r.pick(o.first), g.r.pick(o.last)
	p.CompanyIdx = ci
	p.Title = g.r.pick(titles)
	if g.r.chance(0.15) {
		p.OldTitle = g.r.pick(titles)
	}
	p.Email = g.email(ci, pi, p.FirstName, p.LastName)
	cy := &ct.cities[g.compCity[ci]]
	if g.r.chance(0.25) {
		cy = &ct.cities[g.r.IntN(len(ct.cities))]
	}
	p.Phone = g.phone(ct, cy.area, false)
	if g.r.chance(0.55) {
		p.Mobile = g.phone(ct, cy.area, true)
	}
	p.City, p.State, p.Country = cy.name, cy.state, ct.name
	if g.r.chance(0.08) {
		if old := ct.cities[g.r.IntN(len(ct.cities))].name; old != p.City {
			p.OldCity = old
		}
	}
	p.LeadSource = leadSources[leadSourceW.pick(g.r)]
	switch {
	case comp.Presence == 0:
		p.IsLead = true
		p.Presence = g.crmPresence(0.60)
	case g.r.chance(leadShare):
		p.IsLead = true
		p.Presence = comp.Presence
	case comp.Presence == presenceBoth:
		p.Presence = g.crmPresence(0.88)
	default:
		p.Presence = comp.Presence
	}
	if p.IsLead {
		p.LeadStatus = leadStatuses[leadStatusW.pick(g.r)]
	}
	p.OwnerIdx = comp.OwnerIdx
	if g.r.chance(0.3) {
		p.OwnerIdx = g.r.IntN(len(w.Users))
	}
	p.CreatedAt = g.recent(comp.CreatedAt, g.now.Add(-time.Hour))
	p.ModifiedAt = g.recent(p.CreatedAt, g.now)
}

// email spells a person's work address in the company's pattern, unique
// among the company's people.
func (g *gen) email(ci, pi int, first, last string) string {
	domain := g.w.Companies[ci].Domain
	for k := 1; ; k++ {
		b := g.a.begin(len(first) + len(last) + len(domain) + 8)
		switch g.compEmail[ci] {
		case 0: // first.last
			writeSlug(b, first)
			b.WriteByte('.')
			writeSlug(b, last)
		case 1: // flast
			writeSlug(b, firstRune(first))
			writeSlug(b, last)
		case 2: // first
			writeSlug(b, first)
		case 3: // first_last
			writeSlug(b, first)
			b.WriteByte('_')
			writeSlug(b, last)
		case 4: // firstl
			writeSlug(b, first)
			writeSlug(b, firstRune(last))
		default: // f.last
			writeSlug(b, firstRune(first))
			b.WriteByte('.')
			writeSlug(b, last)
		}
		if k > 1 {
			g.a.itoa(b, k)
		}
		b.WriteByte('@')
		b.WriteString(domain)
		e := g.a.str()
		taken := false
		for j := int(g.compFirst[ci]); j < pi; j++ {
			if g.w.People[j].Email == e {
				taken = true
				break
			}
		}
		if !taken {
			return e
		}
	}
}

// firstRune returns the first character of s.
func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}
