package sandbox

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// ZohoCampaigns is Zoho Campaigns: e-mail campaigns sent to the world's
// people (its subscribers), with each recipient's opens, clicks, opt-outs
// and bounces.
const ZohoCampaigns System = "zoho_campaigns"

// InZohoCampaigns marks a person subscribed to the Zoho Campaigns lists.
// It is set after the other Presence bits by a stream of its own
// (zohoCampaignsPresence), so that it changed no other entity.
const InZohoCampaigns Presence = 1 << 3

// Shares of the Zoho Campaigns projection.
const (
	campaignSubscriberRate = 0.45  // people with an e-mail on the lists
	campaignAudienceRate   = 0.25  // subscribers one campaign goes to
	campaignStrangerRate   = 0.02  // recipients per campaign that match no person
	campaignsPerPeople     = 250   // one campaign per this many people
	campaignHardBounceRate = 0.012 // of the sent
	campaignSoftBounceRate = 0.02
)

// EmailCampaignStatusSent is the campaign_status of a sent campaign in
// Zoho Campaigns' recent campaigns list.
const EmailCampaignStatusSent = "Sent"

// ProjEmailCampaign is an e-mail campaign as Zoho Campaigns records it.
type ProjEmailCampaign struct {
	EntityID          string // "E-Z-000001"
	Name, Subject     string
	FromName, FromTo  string // the sender's name and address
	Status            string // Sent
	CreatedAt, SentAt time.Time
}

// ProjRecipient is one recipient of one campaign and what they did with
// it: a zero time is an action that did not happen. A recipient who
// bounced neither opened nor clicked. EntityID is the person's, "" for an
// address that matches no person of the World (a subscriber bought with a
// list, a forward): counted and reported downstream, never guessed.
type ProjRecipient struct {
	CampaignIdx                   int // into Projection.EmailCampaigns
	EntityID                      string
	Email, FirstName, LastName    string
	Company                       string
	SentAt                        time.Time
	OpenedAt, ClickedAt, OptOutAt time.Time
	HardBounceAt, SoftBounceAt    time.Time
}

var (
	emailCampaignTopics = []string{"Product Tour", "Monthly Newsletter", "Spring Launch", "Year-End Offer", "Webinar Invitation",
		"Analytics Masterclass", "Customer Stories", "Security Briefing", "Migration Clinic", "Roadmap Preview", "Feature Digest"}
	strangerLocals = []string{"info", "office", "hello", "contact", "sales", "team", "admin", "jobs"}
)

// zohoCampaignsPresence subscribes a share of the people with an e-mail
// to Zoho Campaigns, from a stream of its own.
func (g *gen) zohoCampaignsPresence() {
	r := newRnd(g.w.Seed, 0x7a63616d70) // "zcamp"
	for i := range g.w.People {
		p := &g.w.People[i]
		if p.Email != "" && r.chance(campaignSubscriberRate) {
			p.Presence |= InZohoCampaigns
		}
	}
}

// zohoCampaigns projects the e-mail campaigns: a few sent campaigns per
// thousand records, oldest first, the last sent a day or two before the
// World's Now; each goes to a quarter of the subscribers (addresses with
// the noise CRMs show) plus a few addresses that match nobody, and each
// recipient's engagement follows a propensity of their own, so that the
// same people open campaign after campaign. Engagement after the World's
// Now has not happened yet and is left out.
func (p *projector) zohoCampaigns() {
	w, out, r := p.w, p.out, p.n.r
	var subs []int
	for pi := range w.People {
		if w.People[pi].Presence.Has(ZohoCampaigns) {
			subs = append(subs, pi)
		}
	}
	n := max(2, len(w.People)/campaignsPerPeople)
	out.EmailCampaigns = make([]ProjEmailCampaign, n)
	start := w.Now.Add(-180 * day1)
	for i := range out.EmailCampaigns {
		c := &out.EmailCampaigns[i]
		c.EntityID = p.n.a.id("E-Z-", i+1)
		// Evenly spread over half a year with some jitter; the last one
		// goes out 1–3 days before Now, so its engagement is still coming.
		slot := start.Add(time.Duration(float64(i) / float64(n) * float64(178*day1)))
		c.SentAt = slot.Add(time.Duration(r.Int64N(int64(day1)))).Truncate(time.Minute)
		if i == n-1 {
			c.SentAt = w.Now.Add(-day1 - time.Duration(r.Int64N(int64(2*day1)))).Truncate(time.Minute)
		}
		c.CreatedAt = c.SentAt.Add(-time.Duration(1+r.IntN(10)) * day1).Add(-time.Duration(r.IntN(600)) * time.Minute)
		topic := emailCampaignTopics[r.IntN(len(emailCampaignTopics))]
		c.Name = p.n.a.concat(topic, " ", c.SentAt.Format("Jan 2006"), " #", strconv.Itoa(i+1))
		c.Subject = p.n.a.concat(topic, ": what's new at Brightlane")
		c.FromName, c.FromTo = "Brightlane Marketing", "marketing@"+ourDomain
		c.Status = EmailCampaignStatusSent
	}
	// A propensity to open per subscriber, fixed across campaigns.
	prop := make([]float64, len(subs))
	for i := range prop {
		prop[i] = min(0.95, r.lognorm(0.25, 0.7))
	}
	for ci := range out.EmailCampaigns {
		c := &out.EmailCampaigns[ci]
		for si, pi := range subs {
			if !r.chance(campaignAudienceRate) {
				continue
			}
			per := &w.People[pi]
			comp := &w.Companies[per.CompanyIdx]
			rc := ProjRecipient{CampaignIdx: ci, EntityID: per.EntityID, Email: p.n.email(per.Email, comp.AltDomain),
				FirstName: per.FirstName, LastName: per.LastName, Company: comp.Name}
			p.engage(&rc, c.SentAt, prop[si])
			out.Recipients = append(out.Recipients, rc)
		}
		strangers := int(float64(len(subs))*campaignAudienceRate*campaignStrangerRate) + 1
		for k := range strangers {
			local := strangerLocals[r.IntN(len(strangerLocals))]
			rc := ProjRecipient{CampaignIdx: ci,
				Email: p.n.a.concat(local, ".", strconv.Itoa(100+r.IntN(900)), strconv.Itoa(k), "@lists.example")}
			p.engage(&rc, c.SentAt, 0.15)
			out.Recipients = append(out.Recipients, rc)
		}
	}
	// One address once per campaign, as the lists de-duplicate it.
	seen := map[string]bool{}
	out.Recipients = slices.DeleteFunc(out.Recipients, func(rc ProjRecipient) bool {
		k := strconv.Itoa(rc.CampaignIdx) + "|" + strings.ToLower(rc.Email)
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

// engage draws what a recipient did with a campaign sent at sent.
func (p *projector) engage(rc *ProjRecipient, sent time.Time, prop float64) {
	r, now := p.n.r, p.w.Now
	rc.SentAt = sent.Add(time.Duration(r.IntN(1800)) * time.Second)
	happened := func(t time.Time) time.Time {
		if t.After(now) {
			return time.Time{}
		}
		return t.Truncate(time.Second)
	}
	switch x := r.Float64(); {
	case x < campaignHardBounceRate:
		rc.HardBounceAt = happened(rc.SentAt.Add(time.Duration(1+r.IntN(120)) * time.Second))
		return
	case x < campaignHardBounceRate+campaignSoftBounceRate:
		rc.SoftBounceAt = happened(rc.SentAt.Add(time.Duration(1+r.IntN(3600)) * time.Second))
		return
	}
	if !r.chance(prop) {
		if r.chance(0.003) {
			rc.OptOutAt = happened(rc.SentAt.Add(r.dur(6*time.Hour, 1.2, time.Minute)))
		}
		return
	}
	rc.OpenedAt = happened(rc.SentAt.Add(r.dur(3*time.Hour, 1.5, 30*time.Second)))
	if rc.OpenedAt.IsZero() {
		return
	}
	if r.chance(0.3 + prop/3) {
		rc.ClickedAt = happened(rc.OpenedAt.Add(r.dur(40*time.Second, 1.0, 2*time.Second)))
	}
	if r.chance(0.015) {
		rc.OptOutAt = happened(rc.OpenedAt.Add(r.dur(2*time.Minute, 1.0, 5*time.Second)))
	}
}
