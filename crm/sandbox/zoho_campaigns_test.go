package sandbox

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestZohoCampaignsProjection(t *testing.T) {
	w := Generate(Options{Seed: 5, Records: 2000})
	p := w.Project(ZohoCampaigns)
	again, _ := json.Marshal(Generate(Options{Seed: 5, Records: 2000}).Project(ZohoCampaigns))
	if got, _ := json.Marshal(p); string(got) != string(again) {
		t.Fatal("the Zoho Campaigns projection is not deterministic")
	}
	if n := len(p.EmailCampaigns); n < 4 || n > 12 {
		t.Errorf("%d campaigns at 2,000 records, want a few per thousand", n)
	}
	if len(p.Contacts)+len(p.Leads)+len(p.Deals) != 0 {
		t.Error("Zoho Campaigns holds no CRM records")
	}
	people := map[string]*Person{}
	for i := range w.People {
		people[w.People[i].EntityID] = &w.People[i]
	}
	var strangers, joined, opened, clicked, bounced, optout int
	for i, rc := range p.Recipients {
		c := p.EmailCampaigns[rc.CampaignIdx]
		if rc.SentAt.Before(c.SentAt) || rc.SentAt.After(w.Now) {
			t.Fatalf("recipient %d sent at %v, campaign at %v", i, rc.SentAt, c.SentAt)
		}
		if !rc.OpenedAt.IsZero() {
			opened++
			if rc.OpenedAt.Before(rc.SentAt) || rc.OpenedAt.After(w.Now) {
				t.Fatalf("recipient %d opened at %v, sent %v", i, rc.OpenedAt, rc.SentAt)
			}
		}
		if !rc.ClickedAt.IsZero() {
			clicked++
			if rc.OpenedAt.IsZero() || rc.ClickedAt.Before(rc.OpenedAt) {
				t.Fatalf("recipient %d clicked without opening first", i)
			}
		}
		if !rc.HardBounceAt.IsZero() || !rc.SoftBounceAt.IsZero() {
			bounced++
			if !rc.OpenedAt.IsZero() {
				t.Fatalf("recipient %d bounced and opened", i)
			}
		}
		if !rc.OptOutAt.IsZero() {
			optout++
		}
		if rc.EntityID == "" {
			strangers++
			if !strings.HasSuffix(rc.Email, ".example") {
				t.Fatalf("stranger %q is not at a reserved domain", rc.Email)
			}
			continue
		}
		per := people[rc.EntityID]
		if per == nil || !per.Presence.Has(ZohoCampaigns) {
			t.Fatalf("recipient %d is %s, not a subscriber", i, rc.EntityID)
		}
		if strings.EqualFold(per.Email, rc.Email) {
			joined++
		}
	}
	n := len(p.Recipients)
	if strangers == 0 || strangers > n/20 {
		t.Errorf("%d of %d recipients match no person, want a few", strangers, n)
	}
	if joined < (n-strangers)*8/10 {
		t.Errorf("only %d of %d recipients' e-mails equal their person's", joined, n-strangers)
	}
	if opened < n/10 || clicked == 0 || bounced == 0 || optout == 0 || clicked >= opened {
		t.Errorf("engagement opened=%d clicked=%d bounced=%d optout=%d of %d", opened, clicked, bounced, optout, n)
	}
	last := p.EmailCampaigns[len(p.EmailCampaigns)-1]
	if w.Now.Sub(last.SentAt) > 3*day1 {
		t.Errorf("last campaign sent %v before Now, want within 3 days", w.Now.Sub(last.SentAt))
	}
	// The CRM projections do not change with Zoho Campaigns' presence bit.
	for _, sys := range []System{Salesforce, ZohoCRM, ZohoDesk} {
		if len(w.Project(sys).EmailCampaigns) != 0 {
			t.Errorf("%s holds e-mail campaigns", sys)
		}
	}
}
