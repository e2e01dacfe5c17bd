package soak

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
)

// mutator changes the world between runs through the emulators' APIs, as
// the CRMs' users would: it creates, updates and deletes records in both
// CRMs and renames accounts (so the lookup names of their deals and
// contacts change). Its choices come from its own random stream and from
// pools of seeded records, so the soak and the clean reference run make
// the same changes. Records it deletes are never ones it or a sync
// changed, so their last values are the ones it read just before deleting.
type mutator struct {
	rnd   *rand.Rand
	per   int // records per kind of change and epoch
	pools map[string][]map[string]any
	epoch int

	// deleted holds, per landed table, the records deleted and their last
	// values (the fields compared with the warehouse).
	deleted map[string]map[string]map[string]any
	// movedDeals are the Zoho deals whose stage the soak changed.
	movedDeals []string
	// created counts the records the soak created itself, per object.
	created map[string]int
	changes int // API writes of changes, all kinds
}

// Fields compared for the deleted records, per landed table.
var deletedFields = map[string][]string{
	"salesforce.lead":        {"LastName", "Company"},
	"salesforce.opportunity": {"Name", "StageName"},
	"zoho_crm.leads":         {"Last_Name", "Company"},
	"zoho_crm.contacts":      {"Last_Name", "First_Name"},
	"zoho_crm.deals":         {"Deal_Name", "Stage"},
}

func newMutator(seed int64, records int, seeded map[string][]map[string]any) *mutator {
	m := &mutator{rnd: rand.New(rand.NewPCG(uint64(seed), 0x6d75746174)), per: max(2, records/1000),
		pools: map[string][]map[string]any{}, deleted: map[string]map[string]map[string]any{}, created: map[string]int{}}
	str := func(r map[string]any, k string) string { s, _ := r[k].(string); return s }
	pick := func(name string, src []map[string]any, keep func(map[string]any) bool) {
		var out []map[string]any
		for _, r := range src {
			if keep(r) {
				out = append(out, r)
			}
		}
		m.rnd.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		m.pools[name] = out
	}
	pick("sf.Lead", seeded["sf.Lead"], func(r map[string]any) bool { return r["IsConverted"] != true })
	pick("sf.Opportunity", seeded["sf.Opportunity"], func(r map[string]any) bool { return r["IsClosed"] != true })
	pick("sf.Account", seeded["sf.Account"], func(map[string]any) bool { return true })
	pick("zoho.Leads", seeded["zoho.Leads"], func(r map[string]any) bool {
		return str(r, "Salesforce_Id") == "" && r["Converted__s"] != true
	})
	pick("zoho.Contacts", seeded["zoho.Contacts"], func(map[string]any) bool { return true })
	pick("zoho.Accounts", seeded["zoho.Accounts"], func(map[string]any) bool { return true })
	pick("zoho.Deals", seeded["zoho.Deals"], func(r map[string]any) bool {
		s := str(r, "Stage")
		return s != "" && !strings.HasPrefix(s, "Closed")
	})
	return m
}

// take pops n records from a pool.
func (m *mutator) take(pool string, n int) []map[string]any {
	p := m.pools[pool]
	n = min(n, len(p))
	out := p[:n]
	m.pools[pool] = p[n:]
	return out
}

func ids(recs []map[string]any, key string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i], _ = r[key].(string)
	}
	return out
}

// landedFunc reports, per landed table, which of its ids the warehouse
// holds (live or deleted).
type landedFunc func(ids map[string][]string) (map[string]map[string]bool, error)

var openStages = []string{"Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
	"Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review"}

var zohoOpenStages = []string{"Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
	"Proposal/Price Quote", "Negotiation/Review"}

// step makes one epoch's changes. Zoho deletions take only records the
// warehouse already holds (landed), because Zoho reports a deletion by id
// alone: a record never landed has no last values to keep.
func (m *mutator) step(ctx context.Context, w *world, landed landedFunc) error {
	m.epoch++
	e, n := m.epoch, m.per
	sf, zo := w.sfc, w.zoc

	// Salesforce: new leads and opportunities (upserts on the soak's own
	// key, so a retried request never doubles them).
	var leads, opps []map[string]any
	accts := w.seeded["sf.Account"]
	for i := range n {
		leads = append(leads, map[string]any{"Soak_Ref__c": fmt.Sprintf("soak-lead-%d-%d", e, i),
			"FirstName": "Nova", "LastName": fmt.Sprintf("Soaklead%d%d", e, i), "Company": fmt.Sprintf("Soak Works %d", e)})
		a := accts[m.rnd.IntN(len(accts))]
		opps = append(opps, map[string]any{"Soak_Ref__c": fmt.Sprintf("soak-opp-%d-%d", e, i),
			"Name": fmt.Sprintf("Soak deal %d-%d", e, i), "StageName": "Prospecting", "CloseDate": "2027-03-31",
			"Amount": float64(1000 * (i + e)), "AccountId": a["Id"]})
	}
	if _, err := sf.upsert(ctx, "Lead", "Soak_Ref__c", leads); err != nil {
		return err
	}
	if _, err := sf.upsert(ctx, "Opportunity", "Soak_Ref__c", opps); err != nil {
		return err
	}
	m.created["sf.Lead"] += len(leads)
	m.created["sf.Opportunity"] += len(opps)

	// Salesforce updates: leads renamed, opportunities moved (a stage, or
	// closed: the mirror deletes their Zoho deals), accounts renamed.
	var upd []map[string]any
	for _, r := range m.take("sf.Lead", n) {
		upd = append(upd, map[string]any{"Id": r["Id"], "LastName": fmt.Sprintf("%v-e%d", r["LastName"], e), "Company": fmt.Sprintf("%v (moved %d)", r["Company"], e)})
	}
	if err := sf.update(ctx, "Lead", upd); err != nil {
		return err
	}
	upd = nil
	for i, r := range m.take("sf.Opportunity", n) {
		st := openStages[m.rnd.IntN(len(openStages))]
		if i%2 == 1 {
			st = []string{"Closed Won", "Closed Lost"}[m.rnd.IntN(2)]
		}
		upd = append(upd, map[string]any{"Id": r["Id"], "StageName": st, "Amount": float64(500 + m.rnd.IntN(100000))})
	}
	if err := sf.update(ctx, "Opportunity", upd); err != nil {
		return err
	}
	upd = nil
	for _, r := range m.take("sf.Account", n) {
		upd = append(upd, map[string]any{"Id": r["Id"], "Name": fmt.Sprintf("%v (r%d)", r["Name"], e)})
	}
	if err := sf.update(ctx, "Account", upd); err != nil {
		return err
	}

	// Salesforce deletions (queryAll keeps the values, so any record will do).
	for _, d := range []struct{ pool, object, table string }{
		{"sf.Lead", "Lead", "salesforce.lead"}, {"sf.Opportunity", "Opportunity", "salesforce.opportunity"},
	} {
		victims := ids(m.take(d.pool, max(1, n/2)), "Id")
		if err := m.sfDelete(ctx, sf, d.object, d.table, victims); err != nil {
			return err
		}
	}

	// Zoho: new leads (upsert on the soak's key), leads and contacts
	// changed, accounts renamed (their contacts' and deals' lookup names
	// change without their Modified_Time moving), deal stages moved.
	var zl []map[string]any
	for i := range n {
		zl = append(zl, map[string]any{"Soak_Ref": fmt.Sprintf("soak-zlead-%d-%d", e, i), "First_Name": "Zed",
			"Last_Name": fmt.Sprintf("Zsoak%d%d", e, i), "Company": fmt.Sprintf("Zoak Ltd %d", e), "Email": fmt.Sprintf("zed%d.%d@soak.example", e, i),
			"Lead_Status": "Not Contacted"})
	}
	if _, err := zo.upsert(ctx, "Leads", "Soak_Ref", zl); err != nil {
		return err
	}
	m.created["zoho.Leads"] += len(zl)
	upd = nil
	for _, r := range m.take("zoho.Leads", n) {
		upd = append(upd, map[string]any{"id": r["id"], "Last_Name": fmt.Sprintf("%v-z%d", r["Last_Name"], e),
			"Email": fmt.Sprintf("changed%d.%v@soak.example", e, r["id"])})
	}
	if err := zo.update(ctx, "Leads", upd); err != nil {
		return err
	}
	upd = nil
	for _, r := range m.take("zoho.Contacts", n) {
		upd = append(upd, map[string]any{"id": r["id"], "First_Name": fmt.Sprintf("Re%d", e)})
	}
	if err := zo.update(ctx, "Contacts", upd); err != nil {
		return err
	}
	upd = nil
	for _, r := range m.take("zoho.Accounts", n) {
		upd = append(upd, map[string]any{"id": r["id"], "Account_Name": fmt.Sprintf("%v (r%d)", r["Account_Name"], e)})
	}
	if err := zo.update(ctx, "Accounts", upd); err != nil {
		return err
	}
	upd = nil
	for _, r := range m.take("zoho.Deals", n) {
		upd = append(upd, map[string]any{"id": r["id"], "Stage": zohoOpenStages[m.rnd.IntN(len(zohoOpenStages))]})
		m.movedDeals = append(m.movedDeals, r["id"].(string))
	}
	if err := zo.update(ctx, "Deals", upd); err != nil {
		return err
	}
	m.changes += 4 + 2*n

	// Zoho deletions, of landed records only.
	dels := []struct{ pool, module, table string }{
		{"zoho.Leads", "Leads", "zoho_crm.leads"}, {"zoho.Contacts", "Contacts", "zoho_crm.contacts"},
		{"zoho.Deals", "Deals", "zoho_crm.deals"},
	}
	victims := map[string][]string{}
	for _, d := range dels {
		victims[d.table] = ids(m.take(d.pool, max(1, n/2)), "id")
	}
	have, err := landed(victims)
	if err != nil {
		return err
	}
	for _, d := range dels {
		var keep []string
		for _, id := range victims[d.table] {
			if have[d.table][id] {
				keep = append(keep, id)
			}
		}
		if err := m.zohoDelete(ctx, zo, d.module, d.table, keep); err != nil {
			return err
		}
	}
	return nil
}

// sfDelete reads the records' last values, then deletes them.
func (m *mutator) sfDelete(ctx context.Context, sf *sfClient, object, table string, victims []string) error {
	if len(victims) == 0 {
		return nil
	}
	fields := deletedFields[table]
	q := fmt.Sprintf("SELECT Id, %s FROM %s WHERE Id IN ('%s')", strings.Join(fields, ", "), object, strings.Join(victims, "','"))
	recs, err := sf.query(ctx, q, false)
	if err != nil {
		return err
	}
	if m.deleted[table] == nil {
		m.deleted[table] = map[string]map[string]any{}
	}
	for _, r := range recs {
		m.deleted[table][r["Id"].(string)] = r
	}
	m.changes++
	return sf.delete(ctx, victims)
}

// zohoDelete reads the records' last values, then deletes them.
func (m *mutator) zohoDelete(ctx context.Context, zo *zohoClient, module, table string, victims []string) error {
	if len(victims) == 0 {
		return nil
	}
	fields := deletedFields[table]
	recs, err := zo.records(ctx, module, fields, url.Values{"ids": {strings.Join(victims, ",")}})
	if err != nil {
		return err
	}
	if m.deleted[table] == nil {
		m.deleted[table] = map[string]map[string]any{}
	}
	for _, r := range recs {
		m.deleted[table][r["id"].(string)] = r
	}
	m.changes++
	return zo.delete(ctx, module, victims)
}
