// Package zohocampaigns is the extract source for Zoho Campaigns (`type:
// zoho_campaigns`): it lands `campaigns` (one row per sent campaign with
// its report's counts) and `campaign_recipients` (one row per campaign ×
// e-mail × action: sent, opened, clicked, unsubscribed, bounced, with the
// action's time when the API gives it), built on crm/zohocampaigns.
//
// Recipients are read incrementally. The cursor remembers when the last
// read ended and a fingerprint of each campaign's report; a campaign is
// read again only when it is new, when its report changed (new opens,
// clicks, opt-outs, bounces), or when it was sent within Options.Settle
// of the last read (reports may lag). Rows are keyed by campaign, action
// and e-mail, so a campaign read again lands only what is new. Every call
// goes through the client's per-API pacing (Campaigns locks an API for 30
// minutes after 500 calls in 5), and is counted per object (Stats).
package zohocampaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/zohocampaigns"
	"github.com/revops/revops/extract"
)

// Extractor reads one Zoho Campaigns account. It is safe for concurrent
// use by its two objects.
type Extractor struct {
	name  string
	opts  Options
	c     *zohocampaigns.Client
	log   *slog.Logger
	loc   *time.Location
	clock zohocampaigns.Clock

	mu       sync.Mutex
	listing  []listed
	listedAt time.Time
	used     map[string]bool // objects that read listing
}

// listed is a campaign and its report.
type listed struct {
	zohocampaigns.Campaign
	report *zohocampaigns.Report
}

// listingTTL is how long one listing of the campaigns may serve the other
// object of the same run.
const listingTTL = time.Minute

// New returns the extractor of source name.
func New(ctx context.Context, name string, o *Options, log *slog.Logger) (*Extractor, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("zoho_campaigns: source %s: %w", name, err)
	}
	loc, _ := o.location()
	c, err := zohocampaigns.New(o.ClientConfig(log))
	if err != nil {
		return nil, fmt.Errorf("zoho_campaigns: source %s: %w", name, err)
	}
	clock := o.Clock
	if clock == nil {
		clock = zohocampaigns.WallClock{}
	}
	return &Extractor{name: name, opts: *o, c: c, log: log, loc: loc, clock: clock}, nil
}

// Client returns the API client (its Stats and Pacing).
func (e *Extractor) Client() *zohocampaigns.Client { return e.c }

// Objects lists the configured objects.
func (e *Extractor) Objects(ctx context.Context) ([]extract.Object, error) {
	var out []extract.Object
	for _, o := range e.opts.Objects {
		switch o {
		case ObjectCampaigns:
			out = append(out, extract.Object{Name: o, Table: o, Key: "campaign_key"})
		case ObjectRecipients:
			out = append(out, extract.Object{Name: o, Table: o, Key: "id"})
		default:
			return out, fmt.Errorf("zoho_campaigns: source %s: object %q: %w", e.name, o, extract.ErrUnknownObject)
		}
	}
	return out, nil
}

// Stats counts the requests made for one object (the campaign listing is
// counted under the object that read it first).
func (e *Extractor) Stats(object string) httpx.Stats { return e.c.TagStats(object) }

var campaignColumns = func() []extract.Column {
	cols := []extract.Column{{Name: "campaign_key"}, {Name: "campaign_name"}, {Name: "campaign_status"},
		{Name: "email_subject"}, {Name: "email_from"}, {Name: "created_time", Kind: extract.KindDateTime},
		{Name: "sent_time", Kind: extract.KindDateTime}}
	for _, m := range zohocampaigns.MetricKeys {
		cols = append(cols, extract.Column{Name: m, Kind: extract.KindInt})
	}
	return cols
}()

var recipientColumns = []extract.Column{{Name: "id"}, {Name: "campaign_key"}, {Name: "action"}, {Name: "api_action"},
	{Name: "email"}, {Name: "first_name"}, {Name: "last_name"}, {Name: "company"},
	{Name: "event_time", Kind: extract.KindDateTime}, {Name: "sent_time", Kind: extract.KindDateTime}}

// ActionNames are the names the action column lands, per API action.
var ActionNames = map[string]string{
	zohocampaigns.ActionSent: "sent", zohocampaigns.ActionOpened: "opened", zohocampaigns.ActionUnopened: "unopened",
	zohocampaigns.ActionClicked: "clicked", zohocampaigns.ActionOptOut: "unsubscribed", zohocampaigns.ActionSpam: "spam",
	zohocampaigns.ActionHardBounce: "hard_bounce", zohocampaigns.ActionSoftBounce: "soft_bounce", zohocampaigns.ActionUnsent: "unsent",
}

// Extract streams obj: all campaigns, or the recipients of the campaigns
// to read since the cursor.
func (e *Extractor) Extract(ctx context.Context, obj extract.Object, since string) (extract.Stream, error) {
	ctx = httpx.WithTag(ctx, obj.Name)
	switch obj.Name {
	case ObjectCampaigns:
		return e.extractCampaigns(ctx), nil
	case ObjectRecipients:
		cur, err := parseCursor(since)
		if err != nil {
			return nil, fmt.Errorf("zoho_campaigns: source %s: %s: %w", e.name, obj.Name, err)
		}
		return e.extractRecipients(ctx, cur), nil
	}
	return nil, fmt.Errorf("zoho_campaigns: source %s: object %q: %w", e.name, obj.Name, extract.ErrUnknownObject)
}

// campaigns lists the sent campaigns with their reports for object. A
// listing serves each object once: the other object of the same run
// reuses it (within listingTTL), a later read of the same object lists
// afresh.
func (e *Extractor) campaigns(ctx context.Context, object string) ([]listed, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.listing != nil && !e.used[object] && time.Since(e.listedAt) < listingTTL {
		e.used[object] = true
		return e.listing, nil
	}
	var out []listed
	err := e.c.RecentCampaigns(ctx, zohocampaigns.ListOptions{Status: "sent", Sort: "asc"}, func(page []zohocampaigns.Campaign) (bool, error) {
		for _, c := range page {
			out = append(out, listed{Campaign: c})
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		r, err := e.c.CampaignReport(ctx, out[i].Key, e.loc)
		if zohocampaigns.IsCode(err, zohocampaigns.CodeNotSent) {
			// Listed as sent, answered as not sent: the list raced a
			// send; the next run reads it.
			e.log.Warn("zoho_campaigns: campaign listed as sent has no report yet; skipped this run", "source", e.name, "campaign", out[i].Key)
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i].report = r
	}
	out = slices.DeleteFunc(out, func(l listed) bool { return l.report == nil })
	e.listing, e.listedAt, e.used = out, time.Now(), map[string]bool{object: true}
	return out, nil
}

func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (e *Extractor) extractCampaigns(ctx context.Context) extract.Stream {
	schema := extract.NewBatcher(campaignColumns).Schema()
	return newStream(ctx, schema, func(ctx context.Context, emit func(arrow.RecordBatch) error) (string, error) {
		list, err := e.campaigns(ctx, ObjectCampaigns)
		if err != nil {
			return "", fmt.Errorf("zoho_campaigns: source %s: campaigns: %w", e.name, err)
		}
		b := extract.NewBatcher(campaignColumns)
		defer b.Release()
		for _, l := range list {
			row := map[string]any{"campaign_key": l.Key, "campaign_name": l.Name, "campaign_status": l.Status,
				"email_subject": l.report.Subject, "email_from": l.report.From,
				"created_time": timeValue(l.CreatedTime), "sent_time": timeValue(firstTime(l.SentTime, l.report.SentTime))}
			for _, m := range zohocampaigns.MetricKeys {
				if v, ok := l.report.Metrics[m]; ok {
					row[m] = json.Number(strconv.FormatInt(v, 10))
				}
			}
			if err := b.Append(row, nil); err != nil {
				return "", fmt.Errorf("zoho_campaigns: source %s: campaign %s: %w", e.name, l.Key, err)
			}
		}
		if rec := b.Flush(); rec != nil {
			if err := emit(rec); err != nil {
				return "", err
			}
		}
		return "", nil
	})
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// cursor is the recipients' high-water mark: when the last read started,
// and each campaign's report fingerprint as then read in full.
type cursor struct {
	ReadAt    time.Time         `json:"read_at"`
	Campaigns map[string]string `json:"campaigns"`
}

func parseCursor(s string) (cursor, error) {
	c := cursor{Campaigns: map[string]string{}}
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return c, fmt.Errorf("cursor %q is not a zoho_campaigns cursor: %w", s, err)
	}
	if c.Campaigns == nil {
		c.Campaigns = map[string]string{}
	}
	return c, nil
}

// fingerprint sums up what a report says, so that a change in any count
// re-reads the campaign's recipients.
func fingerprint(l listed) string {
	keys := make([]string, 0, len(l.report.Metrics))
	for k := range l.report.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strconv.FormatInt(l.SentTime.UnixMilli(), 10))
	for _, k := range keys {
		b.WriteString(";" + k + "=" + strconv.FormatInt(l.report.Metrics[k], 10))
	}
	return b.String()
}

func (e *Extractor) extractRecipients(ctx context.Context, cur cursor) extract.Stream {
	schema := extract.NewBatcher(recipientColumns).Schema()
	return newStream(ctx, schema, func(ctx context.Context, emit func(arrow.RecordBatch) error) (string, error) {
		start := e.clock.Now()
		list, err := e.campaigns(ctx, ObjectRecipients)
		if err != nil {
			return "", fmt.Errorf("zoho_campaigns: source %s: campaign_recipients: %w", e.name, err)
		}
		b := extract.NewBatcher(recipientColumns)
		defer b.Release()
		flush := func(min int) error {
			if b.Len() < max(1, min) {
				return nil
			}
			return emit(b.Flush())
		}
		next := cursor{ReadAt: start, Campaigns: map[string]string{}}
		read := 0
		for _, l := range list {
			fp := fingerprint(l)
			next.Campaigns[l.Key] = fp
			settled := !cur.ReadAt.IsZero() && l.SentTime.Before(cur.ReadAt.Add(-e.opts.Settle))
			if old, ok := cur.Campaigns[l.Key]; ok && old == fp && settled {
				continue
			}
			read++
			for _, action := range e.opts.Actions {
				err := e.c.Recipients(ctx, l.Key, action, e.opts.PageSize, func(rows []zohocampaigns.Recipient) (bool, error) {
					for _, r := range rows {
						at := r.At
						if action == zohocampaigns.ActionSent && at.IsZero() {
							at = r.SentAt
						}
						row := map[string]any{"id": l.Key + "|" + action + "|" + strings.ToLower(r.Email),
							"campaign_key": l.Key, "action": ActionNames[action], "api_action": action, "email": r.Email,
							"first_name": nonEmpty(r.FirstName), "last_name": nonEmpty(r.LastName), "company": nonEmpty(r.Company),
							"event_time": timeValue(at), "sent_time": timeValue(r.SentAt)}
						if err := b.Append(row, nil); err != nil {
							return false, fmt.Errorf("campaign %s %s %s: %w", l.Key, action, r.Email, err)
						}
					}
					return true, flush(batchRows)
				})
				if err != nil {
					return "", fmt.Errorf("zoho_campaigns: source %s: campaign_recipients: %w", e.name, err)
				}
			}
		}
		if err := flush(1); err != nil {
			return "", err
		}
		e.log.Debug("zoho_campaigns: recipients read", "source", e.name, "campaigns", len(list), "read", read)
		data, err := json.Marshal(next)
		if err != nil {
			return "", err
		}
		return string(data), nil
	})
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var _ extract.Extractor = (*Extractor)(nil)
