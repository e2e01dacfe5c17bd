package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// checkResult tallies the checks after convergence.
type checkResult struct {
	checks, failed int

	lostLanded, dupLanded int // API records missing from / doubled in landed tables
	lostSynced, dupSynced int // model keys missing at / doubled in the destination

	writesAll        int // records the write answers to revops report written
	writesDelivered  int // of which the answer reached revops
	historySucceeded int // succeeded rows in _revops.sync_runs
	historyPairs     int // process × sync pairs with writes the history rule checked
	historyKilled    int // of which in a killed process, after two or more answers
}

// checker runs one group of assertions, each a named check that passes or
// fails with a message naming the table or sync, the ids and the values.
type checker struct {
	s   *soakRun
	res *checkResult
}

func (c *checker) check(name string, problems []string) {
	c.res.checks++
	if len(problems) == 0 {
		return
	}
	c.res.failed++
	sort.Strings(problems)
	shown := problems
	if len(shown) > 8 {
		shown = shown[:8]
	}
	more := ""
	if len(problems) > len(shown) {
		more = fmt.Sprintf("\n\t… and %d more", len(problems)-len(shown))
	}
	c.s.t.Errorf("check %s: %d problems (seed %d):\n\t%s%s", name, len(problems), c.s.set.seed, strings.Join(shown, "\n\t"), more)
}

// check runs every assertion of the soak on the converged world. Counts
// of the emulators' records come from their APIs, never from their stores.
func (s *soakRun) check(ctx context.Context) *checkResult {
	c := &checker{s: s, res: &checkResult{}}
	c.landedTables(ctx)
	c.deletions()
	c.histories()
	c.stageHistory(ctx)
	c.syncs(ctx)
	c.coverage()
	c.ownCreates(ctx)
	c.runHistory()
	c.leftovers()
	return c.res
}

// ---- values --------------------------------------------------------------

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// instant parses the timestamp forms the APIs and DuckDB print.
func instant(v any) (time.Time, bool) {
	s := str(v)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700",
		"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999Z07:00", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// sameValue compares a destination's value with the model's: numbers
// numerically (to the cent), the rest as trimmed text, empty equal to null.
func sameValue(dest, model any) bool {
	if a, ok := num(dest); ok {
		if b, ok := num(model); ok {
			return math.Abs(a-b) < 0.005
		}
	}
	a, b := str(dest), str(model)
	// A date against a timestamp at midnight UTC (DuckDB prints DATE
	// columns of some landings as timestamps).
	if len(a) == 10 && strings.HasPrefix(b, a) && (b[10:] == "T00:00:00Z" || b[10:] == " 00:00:00") {
		return true
	}
	if len(b) == 10 && strings.HasPrefix(a, b) && (a[10:] == "T00:00:00Z" || a[10:] == " 00:00:00") {
		return true
	}
	return a == b
}

// ---- landed tables ----------------------------------------------------------

// apiRecord is one record as the API lists it.
type apiRecord struct {
	stamp  time.Time
	lookup string // the name of its account lookup (Zoho contacts, deals)
}

// tableSpec describes how to compare one landed table with its API.
type tableSpec struct {
	table, idCol, stampCol, lookupCol string
	live                              func(ctx context.Context) (map[string]apiRecord, error)
	deleted                           func(ctx context.Context) (map[string]bool, error)
}

func (c *checker) specs() []tableSpec {
	w := c.s.w
	var out []tableSpec
	for _, obj := range []string{"Lead", "Contact", "Account", "Opportunity", "OpportunityHistory", "Case", "Task", "User"} {
		obj := obj
		out = append(out, tableSpec{table: "salesforce." + strings.ToLower(obj), idCol: "Id", stampCol: "SystemModstamp",
			live: func(ctx context.Context) (map[string]apiRecord, error) {
				recs, err := w.sfc.query(ctx, "SELECT Id, SystemModstamp FROM "+obj, false)
				if err != nil {
					return nil, err
				}
				m := map[string]apiRecord{}
				for _, r := range recs {
					t, _ := instant(r["SystemModstamp"])
					m[str(r["Id"])] = apiRecord{stamp: t}
				}
				return m, nil
			},
			deleted: func(ctx context.Context) (map[string]bool, error) {
				recs, err := w.sfc.query(ctx, "SELECT Id FROM "+obj+" WHERE IsDeleted = true", true)
				if err != nil {
					return nil, err
				}
				m := map[string]bool{}
				for _, r := range recs {
					m[str(r["Id"])] = true
				}
				return m, nil
			}})
	}
	for _, mod := range []string{"Leads", "Contacts", "Accounts", "Deals"} {
		mod := mod
		spec := tableSpec{table: "zoho_crm." + strings.ToLower(mod), idCol: "id", stampCol: "Modified_Time"}
		fields := []string{"Modified_Time"}
		if mod == "Contacts" || mod == "Deals" {
			spec.lookupCol = "Account_Name.name"
			fields = append(fields, "Account_Name")
		}
		extra := url.Values{}
		if mod == "Leads" {
			extra.Set("converted", "both")
		}
		spec.live = func(ctx context.Context) (map[string]apiRecord, error) {
			recs, err := w.zoc.records(ctx, mod, fields, extra)
			if err != nil {
				return nil, err
			}
			m := map[string]apiRecord{}
			for _, r := range recs {
				t, _ := instant(r["Modified_Time"])
				a := apiRecord{stamp: t}
				if l, ok := r["Account_Name"].(map[string]any); ok {
					a.lookup = str(l["name"])
				}
				m[str(r["id"])] = a
			}
			return m, nil
		}
		spec.deleted = func(ctx context.Context) (map[string]bool, error) { return w.zoc.deleted(ctx, mod) }
		out = append(out, spec)
	}
	for _, kind := range []string{"tickets", "contacts", "accounts"} {
		kind := kind
		out = append(out, tableSpec{table: "zoho_desk." + kind, idCol: "id", stampCol: "modifiedTime",
			live: func(ctx context.Context) (map[string]apiRecord, error) {
				recs, err := w.zoc.deskList(ctx, kind)
				if err != nil {
					return nil, err
				}
				m := map[string]apiRecord{}
				for _, r := range recs {
					t, _ := instant(r["modifiedTime"])
					m[str(r["id"])] = apiRecord{stamp: t}
				}
				return m, nil
			},
			deleted: func(context.Context) (map[string]bool, error) { return map[string]bool{}, nil }})
	}
	return out
}

// landedTables: every landed table equals the emulator's records: each
// record the API lists is landed once, live, with the API's modified time
// (and, for Zoho contacts and deals, its account lookup's current name);
// each landed id the API no longer lists is marked deleted.
func (c *checker) landedTables(ctx context.Context) {
	d := c.s.d
	for _, sp := range c.specs() {
		live, err := sp.live(ctx)
		if err != nil {
			c.check(sp.table+" API", []string{err.Error()})
			continue
		}
		gone, err := sp.deleted(ctx)
		if err != nil {
			c.check(sp.table+" API", []string{err.Error()})
			continue
		}
		sel := fmt.Sprintf("SELECT %s AS id, %s AS stamp, _deleted_at AS deleted_at", sp.idCol, sp.stampCol)
		if sp.lookupCol != "" {
			sel += ", " + sp.lookupCol + " AS lookup"
		}
		rows, err := d.query(sel + " FROM " + sp.table)
		if err != nil {
			c.check(sp.table+" landed", []string{err.Error()})
			continue
		}
		count := map[string]int{}
		byID := map[string]map[string]any{}
		for _, r := range rows {
			id := str(r["id"])
			count[id]++
			byID[id] = r
		}
		var dups, missing, stale, notDeleted, lookups []string
		for id, n := range count {
			if n > 1 {
				dups = append(dups, fmt.Sprintf("%s landed %d times", id, n))
			}
		}
		for id, a := range live {
			r, ok := byID[id]
			switch {
			case !ok:
				missing = append(missing, fmt.Sprintf("%s (modified %s) is not landed", id, a.stamp.Format(time.RFC3339Nano)))
				continue
			case r["deleted_at"] != nil:
				stale = append(stale, fmt.Sprintf("%s is live in the API but marked deleted at %v", id, r["deleted_at"]))
				continue
			}
			if t, ok := instant(r["stamp"]); !ok || !t.Equal(a.stamp) {
				stale = append(stale, fmt.Sprintf("%s: landed %s %v, the API says %s", id, sp.stampCol, r["stamp"], a.stamp.Format(time.RFC3339Nano)))
			}
			if sp.lookupCol != "" && str(r["lookup"]) != a.lookup {
				lookups = append(lookups, fmt.Sprintf("%s: landed %s %q, the API says %q", id, sp.lookupCol, str(r["lookup"]), a.lookup))
			}
		}
		for id, r := range byID {
			if _, ok := live[id]; ok {
				continue
			}
			if r["deleted_at"] == nil {
				notDeleted = append(notDeleted, fmt.Sprintf("%s is landed live but the API no longer lists it (in its deleted records: %v)", id, gone[id]))
			}
		}
		c.res.lostLanded += len(missing)
		c.res.dupLanded += len(dups)
		c.check(sp.table+": no duplicate ids", dups)
		c.check(sp.table+": every API record landed", missing)
		c.check(sp.table+": landed versions are the API's current ones", stale)
		c.check(sp.table+": records gone from the API are marked deleted", notDeleted)
		if sp.lookupCol != "" {
			c.check(sp.table+": lookup names are the API's current ones", lookups)
		}
		c.s.t.Logf("check %s: %d API records, %d landed rows (%d deleted in the API)", sp.table, len(live), len(rows), len(gone))
	}
}

// deletions: records the soak deleted are landed, marked deleted, and keep
// the values they had when they were deleted.
func (c *checker) deletions() {
	for table, recs := range c.s.mut.deleted {
		if len(recs) == 0 {
			continue
		}
		idCol := "id"
		if strings.HasPrefix(table, "salesforce.") {
			idCol = "Id"
		}
		fields := deletedFields[table]
		var list []string
		for id := range recs {
			list = append(list, id)
		}
		rows, err := c.s.d.query(fmt.Sprintf("SELECT %s AS id, _deleted_at AS deleted_at, %s FROM %s WHERE %s IN ('%s')",
			idCol, strings.Join(fields, ", "), table, idCol, strings.Join(list, "','")))
		if err != nil {
			c.check(table+": deletions", []string{err.Error()})
			continue
		}
		got := map[string]map[string]any{}
		for _, r := range rows {
			got[str(r["id"])] = r
		}
		var problems []string
		for id, want := range recs {
			r := got[id]
			if r == nil {
				problems = append(problems, fmt.Sprintf("%s (deleted by the soak) is not landed", id))
				continue
			}
			if r["deleted_at"] == nil {
				problems = append(problems, fmt.Sprintf("%s (deleted by the soak) is not marked deleted", id))
			}
			for _, f := range fields {
				if !sameValue(r[f], want[f]) {
					problems = append(problems, fmt.Sprintf("%s (deleted): %s is %q, its last value was %q", id, f, str(r[f]), str(want[f])))
				}
			}
		}
		c.check(table+": deletions marked with their last values", problems)
	}
}

// histories: each history table holds, per record, versions with distinct
// starts, one open version for a live record and none for a deleted one.
func (c *checker) histories() {
	for _, h := range []struct{ table, id string }{
		{"salesforce.lead", "Id"}, {"salesforce.opportunity", "Id"},
		{"zoho_crm.leads", "id"}, {"zoho_crm.deals", "id"}, {"zoho_desk.tickets", "id"},
	} {
		q := fmt.Sprintf(`WITH v AS (
			SELECT %[2]s AS id, count(*) FILTER (WHERE _valid_to IS NULL) AS open, count(*) AS versions,
			       count(DISTINCT _valid_from) AS starts, count(*) FILTER (WHERE _valid_to <= _valid_from) AS empty
			FROM %[1]s__history GROUP BY 1)
			SELECT m.%[2]s AS id, m._deleted_at IS NULL AS live, coalesce(v.open, 0) AS open,
			       coalesce(v.versions, 0) AS versions, coalesce(v.starts, 0) AS starts, coalesce(v.empty, 0) AS empty
			FROM %[1]s AS m LEFT JOIN v ON v.id = m.%[2]s
			WHERE (m._deleted_at IS NULL AND coalesce(v.open, 0) <> 1) OR (m._deleted_at IS NOT NULL AND coalesce(v.open, 0) <> 0)
			   OR v.starts < v.versions OR v.empty > 0
			ORDER BY 1 LIMIT 50`, h.table, h.id)
		rows, err := c.s.d.query(q)
		if err != nil {
			c.check(h.table+"__history", []string{err.Error()})
			continue
		}
		var problems []string
		for _, r := range rows {
			problems = append(problems, fmt.Sprintf("%s (live %v): %v open versions of %v, %v distinct starts, %v versions ending before they start",
				str(r["id"]), r["live"], r["open"], r["versions"], r["starts"], r["empty"]))
		}
		c.check(h.table+"__history: one open version per live record, none per deleted one, distinct starts", problems)
	}
}

// stageHistory: for the deals the soak moved (and the first deals the
// mirror wrote), the landed Stage_History entries are the API's.
func (c *checker) stageHistory(ctx context.Context) {
	w := c.s.w
	deals := append([]string(nil), c.s.mut.movedDeals...)
	mirrored, err := w.zoc.records(ctx, "Deals", []string{"Salesforce_Id"}, nil)
	if err == nil {
		n := 0
		for _, r := range mirrored {
			if str(r["Salesforce_Id"]) != "" && n < 10 {
				deals = append(deals, str(r["id"]))
				n++
			}
		}
	}
	if len(deals) == 0 {
		return
	}
	rows, err := c.s.d.query(fmt.Sprintf("SELECT Deal_Id AS deal, id FROM zoho_crm.deals_stage_history WHERE Deal_Id IN ('%s')", strings.Join(deals, "','")))
	if err != nil {
		c.check("zoho_crm.deals_stage_history", []string{err.Error()})
		return
	}
	landed := map[string]map[string]int{}
	for _, r := range rows {
		d := str(r["deal"])
		if landed[d] == nil {
			landed[d] = map[string]int{}
		}
		landed[d][str(r["id"])]++
	}
	var problems []string
	for _, id := range deals {
		entries, err := w.zoc.related(ctx, "Deals", id, "Stage_History", []string{"Stage", "Modified_Time"})
		if err != nil {
			problems = append(problems, fmt.Sprintf("deal %s: %v", id, err))
			continue
		}
		api := map[string]bool{}
		for _, e := range entries {
			api[str(e["id"])] = true
			if landed[id][str(e["id"])] != 1 {
				problems = append(problems, fmt.Sprintf("deal %s: Stage_History entry %s (%v) landed %d times", id, str(e["id"]), e["Stage"], landed[id][str(e["id"])]))
			}
		}
		for e := range landed[id] {
			if !api[e] {
				problems = append(problems, fmt.Sprintf("deal %s: landed Stage_History entry %s is not in the API", id, e))
			}
		}
	}
	c.check("zoho_crm.deals_stage_history: the API's entries of changed deals, each once", problems)
}

// ---- syncs -------------------------------------------------------------------

// destRecord is one destination record of a sync, read through the API.
type destRecord struct {
	id     string
	key    string
	values map[string]any
}

// syncSpec says how to read a sync's destination and compare it.
type syncSpec struct {
	name, model, key string
	fields           map[string]string // destination field → model column (values compared)
	read             func(ctx context.Context) ([]destRecord, error)
	// orphanOK says why a destination key that is not in the model may
	// stay (its source record was deleted); nil: no orphan may stay.
	orphanOK func(key string) bool
}

func (c *checker) syncSpecs(ctx context.Context) []syncSpec {
	w := c.s.w
	sfRead := func(soql, keyField string, fields []string) func(context.Context) ([]destRecord, error) {
		return func(ctx context.Context) ([]destRecord, error) {
			recs, err := w.sfc.query(ctx, soql, false)
			if err != nil {
				return nil, err
			}
			out := make([]destRecord, len(recs))
			for i, r := range recs {
				out[i] = destRecord{id: str(r["Id"]), key: str(r[keyField]), values: r}
			}
			return out, nil
		}
	}
	zoRead := func(module, keyField string, fields []string, extra url.Values) func(context.Context) ([]destRecord, error) {
		return func(ctx context.Context) ([]destRecord, error) {
			recs, err := w.zoc.records(ctx, module, append([]string{keyField}, fields...), extra)
			if err != nil {
				return nil, err
			}
			var out []destRecord
			for _, r := range recs {
				if k := str(r[keyField]); k != "" {
					out = append(out, destRecord{id: str(r["id"]), key: k, values: r})
				}
			}
			return out, nil
		}
	}
	zohoDeleted := func(module string) map[string]bool {
		m, err := w.zoc.deleted(ctx, module)
		if err != nil {
			c.check("zoho "+module+" deleted records", []string{err.Error()})
		}
		return m
	}
	sfDeleted := func(object string) map[string]bool {
		recs, err := w.sfc.query(ctx, "SELECT Id FROM "+object+" WHERE IsDeleted = true OR IsConverted = true", true)
		if err != nil {
			c.check("salesforce "+object+" deleted records", []string{err.Error()})
		}
		m := map[string]bool{}
		for _, r := range recs {
			m[str(r["Id"])] = true
		}
		return m
	}
	zLeadsGone, zContactsGone, sfLeadsGone := zohoDeleted("Leads"), zohoDeleted("Contacts"), sfDeleted("Lead")
	both := url.Values{"converted": {"both"}}
	return []syncSpec{
		{name: "soak_leads_to_sf", model: "soak.leads_to_sf", key: "zoho_lead_id",
			fields: map[string]string{"FirstName": "first_name", "LastName": "last_name", "Company": "company", "Description": "description"},
			read: sfRead("SELECT Id, Zoho_Lead_Id__c, FirstName, LastName, Company, Description FROM Lead WHERE Zoho_Lead_Id__c != null",
				"Zoho_Lead_Id__c", nil),
			orphanOK: func(k string) bool { return zLeadsGone[k] }},
		{name: "soak_cases_bulk", model: "soak.cases_bulk", key: "case_key",
			fields: map[string]string{"Subject": "subject", "Description": "description"},
			read:   sfRead("SELECT Id, Soak_Key__c, Subject, Description FROM Case WHERE Soak_Key__c != null", "Soak_Key__c", nil),
			orphanOK: func(k string) bool {
				contact, _, _ := strings.Cut(k, "-")
				return zContactsGone[contact]
			}},
		{name: "soak_accounts_sf", model: "soak.accounts_sf", key: "account_id",
			fields: map[string]string{"Description": "description"},
			read:   sfRead("SELECT Id, Description FROM Account", "Id", nil),
			// Update mode never creates and never removes: every account is
			// a destination record, the model's or not.
			orphanOK: func(string) bool { return true }},
		{name: "soak_deals_mirror", model: "soak.deals_mirror", key: "opportunity_id",
			fields: map[string]string{"Deal_Name": "deal_name", "Amount": "amount", "Closing_Date": "closing_date", "Description": "description"},
			read:   zoRead("Deals", "Salesforce_Id", []string{"Deal_Name", "Stage", "Amount", "Closing_Date", "Description"}, nil)},
		{name: "soak_leads_to_zoho", model: "soak.leads_to_zoho", key: "sf_lead_id",
			read:     zoRead("Leads", "Salesforce_Id", []string{"Last_Name"}, both),
			orphanOK: func(k string) bool { return sfLeadsGone[k] }},
	}
}

// syncs: every sync row is written exactly once: each model key has one
// destination record (counted through the API), with the model's values
// (modes that update), the id the snapshot recorded, and no record stays
// for a key that left the model unless its mode keeps it; no failure and
// no create in flight is left.
func (c *checker) syncs(ctx context.Context) {
	snaps := map[string]map[string]string{}
	for _, r := range c.s.d.mustQuery("SELECT sync, key, destination_id FROM _revops.sync_snapshots") {
		if snaps[str(r["sync"])] == nil {
			snaps[str(r["sync"])] = map[string]string{}
		}
		snaps[str(r["sync"])][str(r["key"])] = str(r["destination_id"])
	}
	stageMap := map[string]string{"Prospecting": "Qualification", "Perception Analysis": "Id. Decision Makers"}
	inModel := map[string]map[string]bool{}
	for _, sp := range c.syncSpecs(ctx) {
		model, err := c.s.d.query("SELECT * FROM " + sp.model)
		if err != nil {
			c.check(sp.name+": model", []string{err.Error()})
			continue
		}
		dest, err := sp.read(ctx)
		if err != nil {
			c.check(sp.name+": destination", []string{err.Error()})
			continue
		}
		byKey := map[string][]destRecord{}
		for _, r := range dest {
			byKey[r.key] = append(byKey[r.key], r)
		}
		keys := map[string]bool{}
		inModel[sp.name] = keys
		var dups, missing, values, ids, orphans []string
		for _, row := range model {
			k := str(row[sp.key])
			keys[k] = true
			recs := byKey[k]
			switch {
			case len(recs) == 0:
				missing = append(missing, fmt.Sprintf("key %s has no %s record", k, syncObjects[sp.name]))
				continue
			case len(recs) > 1:
				var rid []string
				for _, r := range recs {
					rid = append(rid, r.id)
				}
				dups = append(dups, fmt.Sprintf("key %s has %d records: %s", k, len(recs), strings.Join(rid, ", ")))
			}
			r := recs[0]
			for f, col := range sp.fields {
				if !sameValue(r.values[f], row[col]) {
					values = append(values, fmt.Sprintf("key %s (record %s): %s is %q, the model says %q", k, r.id, f, str(r.values[f]), str(row[col])))
				}
			}
			if sp.name == "soak_deals_mirror" {
				want := str(row["stage"])
				if m, ok := stageMap[want]; ok {
					want = m
				}
				if str(r.values["Stage"]) != want {
					values = append(values, fmt.Sprintf("key %s (record %s): Stage is %q, the model says %q", k, r.id, str(r.values["Stage"]), want))
				}
			}
			if id, ok := snaps[sp.name][k]; !ok || (id != r.id && len(recs) == 1) {
				ids = append(ids, fmt.Sprintf("key %s: the snapshot records destination id %q, the API has %s", k, id, r.id))
			}
		}
		for k, recs := range byKey {
			if keys[k] || (sp.orphanOK != nil && sp.orphanOK(k)) {
				continue
			}
			orphans = append(orphans, fmt.Sprintf("key %s (record %s) is not in the model", k, recs[0].id))
		}
		c.res.lostSynced += len(missing)
		c.res.dupSynced += len(dups)
		c.check(sp.name+": every model row has a destination record", missing)
		c.check(sp.name+": no key written twice", dups)
		c.check(sp.name+": destination values are the model's", values)
		c.check(sp.name+": the snapshot holds each record's destination id", ids)
		c.check(sp.name+": no destination record for keys that left the model (unless the mode keeps them)", orphans)
		c.s.t.Logf("check %s: %d model rows, %d destination records with a key", sp.name, len(model), len(dest))
	}
	// A failure left for a model row is a row revops gave up on; one left
	// for a key that left the model is stale: `revops sync failures` shows
	// it, and --retry-failed would send it, forever.
	var problems, stale []string
	for _, r := range c.s.d.mustQuery("SELECT sync, key, code, message, retryable, attempts FROM _revops.sync_failures ORDER BY sync, key") {
		msg := fmt.Sprintf("%s key %s: %s %s (retryable %v, %v attempts)", str(r["sync"]), str(r["key"]), str(r["code"]), str(r["message"]), r["retryable"], r["attempts"])
		if inModel[str(r["sync"])][str(r["key"])] {
			problems = append(problems, msg)
		} else {
			stale = append(stale, msg+"; the key is no longer in the model")
		}
	}
	c.check("no sync failure left for a model row after convergence", problems)
	c.check("no sync failure left for a key that left the model", stale)
	problems = nil
	for _, r := range c.s.d.mustQuery("SELECT sync, key, run_id FROM _revops.sync_inflight") {
		problems = append(problems, fmt.Sprintf("%s key %s sent by run %s", str(r["sync"]), str(r["key"]), str(r["run_id"])))
	}
	c.check("no create left in flight", problems)
}

// coverage: each sync's path was taken at least once by revops: sObject
// Collections upserts (Lead) and updates (Account), a Bulk API 2.0 ingest
// job created, uploaded and closed (Case), Zoho upserts and deletes
// (Deals) and inserts (Leads).
func (c *checker) coverage() {
	c.s.w.rec.mu.Lock()
	ops := map[string]int{}
	for k, v := range c.s.w.rec.ops {
		ops[k] = v
	}
	c.s.w.rec.mu.Unlock()
	var problems []string
	for _, want := range [][]string{
		{"Lead upsert"}, {"Case bulk-create"}, {"Case bulk-upload"}, {"Case bulk-close"}, {"Account update"},
		{"Deals upsert", "Deals create"}, {"Deals delete"}, {"Leads create", "Leads upsert"},
	} {
		n := 0
		for _, k := range want {
			n += ops[k]
		}
		if n == 0 {
			problems = append(problems, fmt.Sprintf("no %s request was answered", strings.Join(want, " or ")))
		}
	}
	c.s.t.Logf("check coverage: write requests answered to revops: %v", ops)
	c.check("every sync path was taken", problems)
}

// ownCreates: the records the soak created itself exist once each (its
// own client retries under faults; this holds it to the same rule).
func (c *checker) ownCreates(ctx context.Context) {
	w, m := c.s.w, c.s.mut
	var problems []string
	for obj, want := range map[string]int{"Lead": m.created["sf.Lead"], "Opportunity": m.created["sf.Opportunity"]} {
		recs, err := w.sfc.query(ctx, "SELECT Id, Soak_Ref__c FROM "+obj+" WHERE Soak_Ref__c != null", true)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if len(recs) != want {
			problems = append(problems, fmt.Sprintf("salesforce %s: %d records with Soak_Ref__c (deleted included), the soak created %d", obj, len(recs), want))
		}
	}
	recs, err := w.zoc.records(ctx, "Leads", []string{"Soak_Ref"}, url.Values{"converted": {"both"}})
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		n := 0
		for _, r := range recs {
			if str(r["Soak_Ref"]) != "" {
				n++
			}
		}
		if n != m.created["zoho.Leads"] {
			problems = append(problems, fmt.Sprintf("zoho Leads: %d records with Soak_Ref, the soak created %d", n, m.created["zoho.Leads"]))
		}
	}
	c.check("the soak's own creates exist once each", problems)
}

// ---- run history -------------------------------------------------------------

// runHistory: _revops.sync_runs accounts for every write. The tap counts,
// per revops process and sync (each sync writes its own object), the
// records the destination's write answers report written (ok), or deleted
// already (gone: revops counts such a delete as done), among the answers
// that reached the process. The runs a process started (started_at within
// its lifetime) must record, in succeeded:
//   - a process that ended by itself: at least ok and at most ok + gone,
//     because it was told of each of those writes and had time to record
//     them;
//   - a killed process: at most ok + gone (plus the records of an answer
//     the kill cut while it was being sent, which may have arrived), and
//     at least ok minus the records of the last answer it got (the one it
//     may not have had time to record before SIGKILL): a run records its
//     writes as they happen, not only when it finishes.
//
// Writes whose answer was cut off (a dropped connection, a process killed
// before the answer was sent) are counted by no one: the next run finds
// those creates by their key and records them as written without a write.
// And no run may stay "running" once the soak converged: a later run marks
// the runs of killed processes.
func (c *checker) runHistory() {
	rows := c.s.d.mustQuery("SELECT id, sync, started_at, status, succeeded FROM _revops.sync_runs")
	type run struct {
		id, sync, status string
		start            time.Time
		succeeded        int
	}
	var runs []run
	var stuck []string
	for _, r := range rows {
		t, _ := instant(r["started_at"])
		n, _ := num(r["succeeded"])
		x := run{id: str(r["id"]), sync: str(r["sync"]), status: str(r["status"]), start: t, succeeded: int(n)}
		runs = append(runs, x)
		c.res.historySucceeded += x.succeeded
		if x.status == "running" {
			stuck = append(stuck, fmt.Sprintf("sync run %s of %s started %s is still running", x.id, x.sync, x.start.Format(time.RFC3339Nano)))
		}
	}
	for _, r := range c.s.d.mustQuery("SELECT id, stage, target, started_at FROM _revops.runs WHERE status = 'running'") {
		stuck = append(stuck, fmt.Sprintf("%s run %s of %s started %v is still running", str(r["stage"]), str(r["id"]), str(r["target"]), r["started_at"]))
	}
	c.check("no run left running after convergence", stuck)

	events := c.s.w.rec.writesOf(func(int) bool { return true })
	for _, ev := range events {
		c.res.writesAll += ev.ok
		if ev.delivered {
			c.res.writesDelivered += ev.ok
		}
	}
	var problems []string
	for _, p := range c.s.d.procs {
		for _, name := range syncNames {
			obj := syncObjects[name]
			ok, gone, last, maybe := 0, 0, 0, 0
			for _, ev := range events {
				if ev.proc != p.idx || ev.object != obj {
					continue
				}
				if ev.maybe {
					maybe += ev.ok + ev.gone
				}
				if !ev.delivered {
					continue
				}
				ok += ev.ok
				gone += ev.gone
				if ev.ok > 0 {
					last = ev.ok
				}
			}
			recorded, nruns := 0, 0
			for _, r := range runs {
				if r.sync == name && !r.start.Before(p.start) && !r.start.After(p.end) {
					recorded += r.succeeded
					nruns++
				}
			}
			if ok == 0 && gone == 0 && recorded == 0 {
				continue
			}
			c.res.historyPairs++
			if p.killed && ok > last {
				c.res.historyKilled++
			}
			switch {
			case recorded > ok+gone+maybe:
				problems = append(problems, fmt.Sprintf("%s, sync %s: %d run(s) record %d succeeded, but the destination answered only %d written + %d already deleted (+ %d in an answer cut by the kill)",
					p, name, nruns, recorded, ok, gone, maybe))
			case !p.killed && recorded < ok:
				problems = append(problems, fmt.Sprintf("%s, sync %s: the destination answered %d written, %d run(s) record %d succeeded",
					p, name, ok, nruns, recorded))
			case p.killed && recorded < ok-last:
				problems = append(problems, fmt.Sprintf("%s, sync %s: the destination answered %d written before the kill (the last answer %d), %d run(s) record %d succeeded",
					p, name, ok, last, nruns, recorded))
			}
		}
	}
	c.check("run history accounts for every write (per process and sync)", problems)
}

// leftovers: no temporary object of a landing, a dedup or a table build
// survives the soak.
func (c *checker) leftovers() {
	rows, err := c.s.d.query(`SELECT schema_name || '.' || view_name AS name, 'view' AS kind FROM duckdb_views()
		WHERE view_name LIKE '\_revops\_arrow\_%' ESCAPE '\' OR view_name LIKE '\_revops\_stage\_%' ESCAPE '\'
		   OR view_name LIKE '\_revops\_dedup\_%' ESCAPE '\' OR view_name LIKE '%\_\_revops\_new' ESCAPE '\'
		UNION ALL
		SELECT schema_name || '.' || table_name, 'table' FROM duckdb_tables()
		WHERE table_name LIKE '\_revops\_arrow\_%' ESCAPE '\' OR table_name LIKE '\_revops\_stage\_%' ESCAPE '\'
		   OR table_name LIKE '\_revops\_dedup\_%' ESCAPE '\' OR table_name LIKE '%\_\_revops\_new' ESCAPE '\'`)
	if err != nil {
		c.check("no temporary objects left", []string{err.Error()})
		return
	}
	var problems []string
	for _, r := range rows {
		problems = append(problems, fmt.Sprintf("%s %s", str(r["kind"]), str(r["name"])))
	}
	c.check("no temporary objects left", problems)
}
