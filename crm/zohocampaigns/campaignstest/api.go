package campaignstest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/sandbox"
)

// Campaigns error codes (sheet §16).
const (
	CodeReportError     = 6001 // report not available: retry
	CodeNotSent         = 6002 // bad campaign key, or the campaign was not sent
	CodeNoCampaign      = 6101 // no campaign (sent)
	CodeNoContacts      = 6303 // no contacts for the action
	CodeNoPrivilege     = 6607
	CodeMandatory       = 903 // a mandatory parameter is missing
	CodeLocked          = 997 // unconfirmed: the per-API lock's code is not documented
	displayLayout       = "02 Jan 2006, 03:04 PM"
	campaignReadScope   = "zohocampaigns.campaign.read"
	campaignAllScope    = "zohocampaigns.campaign.all"
	headerAuthorization = "Authorization"
)

// apis are the API names the emulator serves, each with its own lock.
var apis = map[string]bool{"recentcampaigns": true, "campaignreports": true, "getcampaignrecipientsdata": true}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, Root)
	if !ok || !apis[name] {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": "error", "code": 404, "message": "Invalid URL"})
		return
	}
	if name == "getcampaignrecipientsdata" && r.Method != http.MethodPost ||
		r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"status": "error", "code": 405, "message": "Method not allowed"})
		return
	}
	if !s.authorized(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, CodeMandatory, "could not read the parameters")
		return
	}
	if r.Form.Get("resfmt") != "JSON" {
		// Campaigns answers XML without resfmt=JSON; the emulator speaks
		// JSON only and says so in XML.
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><response><status>error</status>`+
			`<message>the emulator answers resfmt=JSON only</message></response>`)
		return
	}
	if until, locked := s.admit(name); locked {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(until.Seconds()))))
		writeError(w, CodeLocked, fmt.Sprintf("API %s is locked: more than %d calls in %v; try again in %v",
			name, s.opts.CallsPerWindow, s.opts.Window, until.Round(time.Second)))
		return
	}
	switch name {
	case "recentcampaigns":
		s.recentCampaigns(w, r)
	case "campaignreports":
		s.campaignReports(w, r)
	case "getcampaignrecipientsdata":
		s.recipients(w, r)
	}
}

// authorized checks the Zoho-oauthtoken and the campaign scope. The
// answers to a bad token (401 INVALID_TOKEN, as CRM) and to a missing
// scope (401 OAUTH_SCOPE_MISMATCH) are unconfirmed for Campaigns.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get(headerAuthorization), "Zoho-oauthtoken ")
	tok = strings.TrimSpace(tok)
	if f := sandbox.FaultFrom(r.Context()); f != nil && f.Kind == sandbox.FaultExpireToken {
		ok = false
	}
	var scopes map[string]bool
	if ok && tok != "" {
		if s.opts.Tokens == nil {
			scopes = map[string]bool{campaignAllScope: true}
		} else {
			scopes, ok = s.opts.Tokens.TokenScopes(tok)
		}
	}
	if !ok || tok == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": "error", "code": "INVALID_TOKEN", "message": "invalid oauth token"})
		return false
	}
	if !scopes[campaignReadScope] && !scopes[campaignAllScope] {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": "error", "code": "OAUTH_SCOPE_MISMATCH",
			"message": "the token lacks ZohoCampaigns.campaign.READ"})
		return false
	}
	return true
}

// page reads fromindex (1-based) and range.
func page(r *http.Request) (from, size int) {
	from, size = 1, DefaultRange
	if v, err := strconv.Atoi(r.Form.Get("fromindex")); err == nil && v >= 1 {
		from = v
	}
	if v, err := strconv.Atoi(r.Form.Get("range")); err == nil && v >= 1 {
		size = min(v, MaxRange)
	}
	return from, size
}

func window[T any](rows []T, from, size int) []T {
	if from-1 >= len(rows) {
		return nil
	}
	return rows[from-1 : min(len(rows), from-1+size)]
}

func ms(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func (s *Server) display(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.opts.TimeZone).Format(displayLayout)
}

// recentCampaigns answers recentcampaigns: sort by send time (desc by
// default), status=all|sent|… (the emulator holds sent campaigns only),
// fromindex/range. Nothing to list (or a page past the end) is 6101. Row
// keys as the XML and the twin show them (sheet §16); sent_time and
// created_time as millisecond strings is the twin's form (unconfirmed for
// sent_time in Campaigns' JSON).
func (s *Server) recentCampaigns(w http.ResponseWriter, r *http.Request) {
	status := strings.ToLower(r.Form.Get("status"))
	s.mu.RLock()
	all := s.sorted(strings.EqualFold(r.Form.Get("sort"), "asc"))
	s.mu.RUnlock()
	var list []*campaign
	for _, c := range all {
		if status == "" || status == "all" || strings.EqualFold(status, c.Status) {
			list = append(list, c)
		}
	}
	from, size := page(r)
	rows := window(list, from, size)
	if len(rows) == 0 {
		writeError(w, CodeNoCampaign, "No campaign has been sent")
		return
	}
	out := make([]map[string]any, 0, len(rows))
	for _, c := range rows {
		out = append(out, map[string]any{"campaign_key": c.Key, "campaign_name": c.Name, "campaign_status": c.Status,
			"created_time": ms(c.Created), "created_date_string": s.display(c.Created), "sent_time": ms(c.Sent),
			"campaign_preview": "/campaigns/preview/" + c.Key})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "code": 0, "recent_campaigns": out,
		"total_record_count": strconv.Itoa(len(list))})
}

func (s *Server) campaign(w http.ResponseWriter, r *http.Request) *campaign {
	key := r.Form.Get("campaignkey")
	if key == "" {
		writeError(w, CodeMandatory, "campaignkey is mandatory")
		return nil
	}
	s.mu.RLock()
	c := s.byKey[key]
	s.mu.RUnlock()
	if c == nil || c.Status != "Sent" {
		writeError(w, CodeNotSent, "Campaign key is invalid or the campaign has not been sent")
		return nil
	}
	return c
}

func pct(n, of int) string {
	if of == 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(n)*100/float64(of), 'f', 2, 64)
}

// campaignReports answers campaignreports. Key names are Campaigns' XML
// and the twin's JSON (sheet §16; the JSON shape and which keys Campaigns
// sends are unconfirmed); counts are strings. opens_count counts the
// recipients who opened (whether Campaigns counts repeat opens is
// unconfirmed).
func (s *Server) campaignReports(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fail := s.reportFailures > 0
	if fail {
		s.reportFailures--
	}
	s.mu.Unlock()
	if fail {
		writeError(w, CodeReportError, "Error while fetching the report; try again")
		return
	}
	c := s.campaign(w, r)
	if c == nil {
		return
	}
	s.mu.RLock()
	sent := len(c.rows(ActionSent))
	opened, clicked, optout := len(c.rows(ActionOpened)), len(c.rows(ActionClicked)), len(c.rows(ActionOptOut))
	hard, soft := len(c.rows(ActionHardBounce)), len(c.rows(ActionSoftBounce))
	s.mu.RUnlock()
	delivered := sent - hard - soft
	itoa := strconv.Itoa
	report := map[string]any{
		"delivered_count": itoa(delivered), "delivered_percent": pct(delivered, sent),
		"opens_count": itoa(opened), "opens_percent": pct(opened, delivered),
		"unique_clicks_count": itoa(clicked), "unique_clicked_percent": pct(clicked, delivered),
		"clicksperopenrate": pct(clicked, opened),
		"bounces_count":     itoa(hard + soft), "bounces_percent": pct(hard+soft, sent),
		"hardbounce_count": itoa(hard), "hardbounce_percent": pct(hard, sent),
		"softbounce_count": itoa(soft), "softbounce_percent": pct(soft, sent),
		"unsub_count": itoa(optout), "unsub_percent": pct(optout, delivered),
		"spams_count": "0", "spams_percent": "0", "complaints_count": "0", "complaints_percent": "0",
		"unsent_count": "0", "unsent_percent": "0",
		"unopened": itoa(delivered - opened), "unopened_percent": pct(delivered-opened, delivered),
	}
	details := map[string]any{"campaign_key": c.Key, "campaign_name": c.Name, "email_subject": c.Subject,
		"email_from": c.FromEmail, "reply_to": c.FromEmail, "created_time": s.display(c.Created), "sent_time": s.display(c.Sent)}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "code": 0,
		"campaign-details": details, "campaign-reports": []any{report},
		"campaign-reach":       map[string]any{"total": itoa(sent), "emails": itoa(sent), "facebook": "0", "twitter": "0", "linkedin": "0", "other": "0"},
		"campaign-by-location": []any{}})
}

// actionTimeKey is the key of a row's action time. Which key Campaigns
// uses for opens, clicks, opt-outs and bounces is unconfirmed (the twin
// shows sent_time only); the emulator sends these.
var actionTimeKey = map[string]string{ActionOpened: "opened_time", ActionClicked: "clicked_time",
	ActionOptOut: "optout_time", ActionHardBounce: "bounced_time", ActionSoftBounce: "bounced_time"}

// recipients answers getcampaignrecipientsdata (form POST): campaignkey,
// action, fromindex/range. No rows for the action, or a page past the
// end, is 6303. Row keys: contactemailaddress (secondary), the twin's
// firstname, lastname, companyname, sent_time (ms string) and sentdate,
// and the action's time (actionTimeKey, unconfirmed).
func (s *Server) recipients(w http.ResponseWriter, r *http.Request) {
	c := s.campaign(w, r)
	if c == nil {
		return
	}
	action := r.Form.Get("action")
	if action == "" {
		writeError(w, CodeMandatory, "action is mandatory")
		return
	}
	known := false
	for _, a := range Actions {
		known = known || a == action
	}
	if !known {
		// The code for an unknown action is unconfirmed; 903 as a bad parameter.
		writeError(w, CodeMandatory, "action is invalid: "+action)
		return
	}
	from, size := page(r)
	s.mu.RLock()
	rows := window(c.rows(action), from, size)
	out := make([]map[string]any, 0, len(rows))
	for _, rc := range rows {
		row := map[string]any{"contactemailaddress": rc.Email, "firstname": rc.First, "lastname": rc.Last,
			"companyname": rc.Company, "sent_time": ms(rc.Events[ActionSent]), "sentdate": s.display(rc.Events[ActionSent])}
		if k := actionTimeKey[action]; k != "" {
			row[k] = ms(rc.Events[action])
		}
		out = append(out, row)
	}
	s.mu.RUnlock()
	if len(out) == 0 {
		writeError(w, CodeNoContacts, "No contacts found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "code": 0,
		"requestdetails":   map[string]any{"fromindex": strconv.Itoa(from), "range": strconv.Itoa(size), "action": action},
		"campaign_details": map[string]any{"campaign_name": c.Name, "email_subject": c.Subject},
		"list_of_details":  out})
}

// writeError answers a Campaigns failure: HTTP 200, "status":"error" and
// a numeric code (sheet §16, secondary).
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "error", "code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":"error","code":500,"message":"encode"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
