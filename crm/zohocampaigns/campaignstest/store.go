package campaignstest

import (
	"encoding/gob"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// The recipient actions of getcampaignrecipientsdata (sheet §16).
const (
	ActionSent       = "sentcontacts"
	ActionOpened     = "openedcontacts"
	ActionUnopened   = "unopenedcontacts"
	ActionClicked    = "clickedcontacts"
	ActionOptOut     = "optoutcontacts" // unsubscribed
	ActionSpam       = "spamcontacts"
	ActionHardBounce = "senthardbounce"
	ActionSoftBounce = "sentsoftbounce"
	ActionUnsent     = "unsentcontacts"
)

// Actions lists every action the API takes, in the sheet's order.
var Actions = []string{ActionSent, ActionOpened, ActionUnopened, ActionClicked, ActionOptOut, ActionSpam,
	ActionHardBounce, ActionSoftBounce, ActionUnsent}

// EventActions are the actions that are events a recipient did or met
// (each with its own time): what revops lands.
var EventActions = []string{ActionSent, ActionOpened, ActionClicked, ActionOptOut, ActionHardBounce, ActionSoftBounce}

type campaign struct {
	Key, Name, Subject, FromName, FromEmail, Status string
	Created, Sent                                   time.Time
	Recipients                                      []*recipient
	byEmail                                         map[string]*recipient
}

// recipient is one address of a campaign; Events holds the time of each
// action that happened (sentcontacts included).
type recipient struct {
	Email, First, Last, Company string
	Events                      map[string]time.Time
	Seq                         int // insertion order, the tie-break of paging
}

// Campaign describes one seeded campaign for tests and the sandbox.
type Campaign struct {
	Key, Name, Status string
	SentAt            time.Time
	Recipients        int
}

// campaignKey derives a stable campaign key from the world entity: long
// hex strings like the real keys.
func campaignKey(entityID string) string {
	h := fnv.New64a()
	h.Write([]byte(entityID))
	return fmt.Sprintf("3z%016x%08x", h.Sum64(), len(entityID)*2654435761%(1<<32))
}

// Seed adds the campaigns and recipients of p, a World's ZohoCampaigns
// projection, and returns the ground truth linking each campaign key to
// its entity.
func (s *Server) Seed(p *sandbox.Projection) []sandbox.Truth {
	s.mu.Lock()
	defer s.mu.Unlock()
	var truth []sandbox.Truth
	first := len(s.campaigns)
	for _, pc := range p.EmailCampaigns {
		c := &campaign{Key: campaignKey(pc.EntityID), Name: pc.Name, Subject: pc.Subject, FromName: pc.FromName,
			FromEmail: pc.FromTo, Status: pc.Status, Created: pc.CreatedAt, Sent: pc.SentAt, byEmail: map[string]*recipient{}}
		s.campaigns = append(s.campaigns, c)
		s.byKey[c.Key] = c
		truth = append(truth, sandbox.Truth{System: sandbox.ZohoCampaigns, Object: "campaigns", RecordID: c.Key, EntityID: pc.EntityID})
	}
	for _, pr := range p.Recipients {
		c := s.campaigns[first+pr.CampaignIdx]
		rc := c.add(pr.Email, pr.FirstName, pr.LastName, pr.Company)
		for _, e := range []struct {
			action string
			at     time.Time
		}{{ActionSent, pr.SentAt}, {ActionOpened, pr.OpenedAt}, {ActionClicked, pr.ClickedAt},
			{ActionOptOut, pr.OptOutAt}, {ActionHardBounce, pr.HardBounceAt}, {ActionSoftBounce, pr.SoftBounceAt}} {
			if !e.at.IsZero() {
				rc.Events[e.action] = e.at
			}
		}
	}
	return truth
}

func (c *campaign) add(email, first, last, company string) *recipient {
	k := strings.ToLower(email)
	if rc := c.byEmail[k]; rc != nil {
		return rc
	}
	rc := &recipient{Email: email, First: first, Last: last, Company: company, Events: map[string]time.Time{}, Seq: len(c.Recipients)}
	c.Recipients = append(c.Recipients, rc)
	c.byEmail[k] = rc
	return rc
}

// AddEngagement records that email did action (openedcontacts,
// clickedcontacts, optoutcontacts, senthardbounce, sentsoftbounce, or
// sentcontacts for a new recipient) on the campaign at at (the clock's
// now when zero): engagement arriving after a first read. A recipient
// not yet on the campaign is added (sent at the campaign's send time). It
// reports false when the action was already recorded for that address.
func (s *Server) AddEngagement(campaignKey, email, action string, at time.Time) (bool, error) {
	if !slices.Contains(EventActions, action) {
		return false, fmt.Errorf("campaignstest: action %q is not one of %s", action, strings.Join(EventActions, ", "))
	}
	if at.IsZero() {
		at = s.now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.byKey[campaignKey]
	if c == nil {
		return false, fmt.Errorf("campaignstest: no campaign %q", campaignKey)
	}
	rc := c.add(email, "", "", "")
	if _, ok := rc.Events[ActionSent]; !ok {
		rc.Events[ActionSent] = c.Sent
	}
	if _, ok := rc.Events[action]; ok {
		return false, nil
	}
	rc.Events[action] = at.Truncate(time.Second)
	if action == ActionClicked {
		if _, ok := rc.Events[ActionOpened]; !ok {
			// A click counts as an open, as e-mail tools record it.
			rc.Events[ActionOpened] = at.Truncate(time.Second)
		}
	}
	return true, nil
}

// Campaigns lists the campaigns, oldest sent first.
func (s *Server) Campaigns() []Campaign {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Campaign, 0, len(s.campaigns))
	for _, c := range s.sorted(true) {
		out = append(out, Campaign{Key: c.Key, Name: c.Name, Status: c.Status, SentAt: c.Sent, Recipients: len(c.Recipients)})
	}
	return out
}

// Events counts the recipient rows of the given actions (EventActions
// when none) over every campaign: one per campaign × address × action,
// what a full read of those actions returns.
func (s *Server) Events(actions ...string) int {
	if len(actions) == 0 {
		actions = EventActions
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, c := range s.campaigns {
		for _, a := range actions {
			n += len(c.rows(a))
		}
	}
	return n
}

// FailReports makes the next n campaignreports calls answer code 6001
// (report not available yet, retry).
func (s *Server) FailReports(n int) {
	s.mu.Lock()
	s.reportFailures = n
	s.mu.Unlock()
}

// sorted returns the campaigns by send time (asc or desc), key as tie-break.
func (s *Server) sorted(asc bool) []*campaign {
	out := slices.Clone(s.campaigns)
	slices.SortStableFunc(out, func(a, b *campaign) int {
		c := a.Sent.Compare(b.Sent)
		if c == 0 {
			c = strings.Compare(a.Key, b.Key)
		}
		if !asc {
			c = -c
		}
		return c
	})
	return out
}

// rows returns the recipients an action lists, by the action's time then
// insertion order, so that pages stay stable while engagement arrives.
func (c *campaign) rows(action string) []*recipient {
	var out []*recipient
	for _, rc := range c.Recipients {
		_, sent := rc.Events[ActionSent]
		_, opened := rc.Events[ActionOpened]
		_, hard := rc.Events[ActionHardBounce]
		_, soft := rc.Events[ActionSoftBounce]
		ok := false
		switch action {
		case ActionUnopened:
			ok = sent && !opened && !hard && !soft
		case ActionSpam, ActionUnsent:
			// The sandbox world has no spam complaints and no unsent mail.
		default:
			_, ok = rc.Events[action]
		}
		if ok {
			out = append(out, rc)
		}
	}
	key := action
	if action == ActionUnopened {
		key = ActionSent
	}
	slices.SortStableFunc(out, func(a, b *recipient) int {
		if c := a.Events[key].Compare(b.Events[key]); c != 0 {
			return c
		}
		return a.Seq - b.Seq
	})
	return out
}

// snapshot is the saved form of a Server's campaigns (gob).
type snapshot struct {
	Version   int
	Campaigns []*campaign
}

const snapshotVersion = 1

// Save writes the campaigns and their recipients for Load. The lock
// windows are not saved.
func (s *Server) Save(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := gob.NewEncoder(w).Encode(&snapshot{Version: snapshotVersion, Campaigns: s.campaigns}); err != nil {
		return fmt.Errorf("campaignstest: save: %w", err)
	}
	return nil
}

// Load replaces the server's campaigns with ones Save wrote.
func (s *Server) Load(r io.Reader) error {
	var snap snapshot
	if err := gob.NewDecoder(r).Decode(&snap); err != nil {
		return fmt.Errorf("campaignstest: load: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("campaignstest: load: snapshot version %d, want %d", snap.Version, snapshotVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.campaigns, s.byKey = snap.Campaigns, map[string]*campaign{}
	for _, c := range s.campaigns {
		c.byEmail = map[string]*recipient{}
		for _, rc := range c.Recipients {
			if rc.Events == nil {
				rc.Events = map[string]time.Time{}
			}
			c.byEmail[strings.ToLower(rc.Email)] = rc
		}
		s.byKey[c.Key] = c
	}
	return nil
}
