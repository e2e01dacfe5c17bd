package sftest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/revops/revops/crm/sandbox"
)

// assign is one field value of a write, already coerced.
type assign struct {
	f   *Field
	i   int
	val any
	// parent, when set, names the parent by external id instead of val:
	// {"Account": {"Zoho_Account_Id__c": "A-1"}} or a Bulk column
	// Account.Zoho_Account_Id__c.
	parent *parentRef
}

type parentRef struct {
	rel   string // relationship name, e.g. "Account"
	table *table
	field *Field
	fi    int
	value string
}

// undo is one entry of a transaction's undo log.
type undo struct {
	t        *table
	seq      int64
	prev     record
	inserted bool
}

// tx applies writes under s.mu and can roll them back (allOrNone).
type tx struct {
	s     *Server
	log   []undo
	fault *sandbox.Fault
}

func (s *Server) begin(f *sandbox.Fault) *tx { return &tx{s: s, fault: f} }

// locked reports whether a lock_row fault applies to the record id ("" for
// a record being inserted).
func (x *tx) locked(id string) bool {
	if x.fault == nil || x.fault.Kind != sandbox.FaultLockRow {
		return false
	}
	if len(x.fault.Records) == 0 {
		return true
	}
	for _, r := range x.fault.Records {
		if id != "" && len(r) >= 15 && len(id) >= 15 && r[:15] == id[:15] {
			return true
		}
	}
	return false
}

// rollback undoes every write of the transaction.
func (x *tx) rollback() {
	for i := len(x.log) - 1; i >= 0; i-- {
		u := x.log[i]
		r := &u.t.recs[u.seq-1]
		u.t.indexRemove(u.seq, r)
		if u.inserted {
			r.gone = true
			r.vals = nil
		} else {
			*r = u.prev
			for fi, m := range u.t.ext {
				if s, ok := r.get(fi).(string); ok && s != "" {
					k := strings.ToLower(s)
					m[k] = append(m[k], u.seq)
				}
			}
		}
		u.t.unsorted = true
	}
	x.log = nil
}

// resolveID checks a reference value against the field's targets and
// returns its 18-character form.
func (x *tx) resolveID(f *Field, v string) (string, *recError) {
	prefix, seq, e := parseID(v)
	bad := newRecError("MALFORMED_ID", fmt.Sprintf("%s: id value of incorrect type: %s", f.Label, v), f.Name)
	if e == idMalformed {
		return "", &bad
	}
	var target *table
	for _, to := range f.ReferenceTo {
		if t := x.s.table(to); t != nil && t.def.KeyPrefix == prefix {
			target = t
		}
	}
	if target == nil {
		if prefix == "00G" && slices.Contains(f.ReferenceTo, "Group") {
			return To18(v[:15]), nil
		}
		if f.Name == "ProfileId" && prefix == "00e" {
			return To18(v[:15]), nil
		}
		return "", &bad
	}
	r := target.rec(seq)
	if e == idForeign || r == nil || r.deleted {
		ce := newRecError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", f.Name)
		return "", &ce
	}
	return target.id(seq), nil
}

// resolveParent finds the parent named by external id.
func (x *tx) resolveParent(p *parentRef) (string, *recError) {
	seqs := p.table.lookupExt(p.fi, p.value)
	live := seqs[:0:0]
	for _, sq := range seqs {
		if r := p.table.rec(sq); r != nil && !r.deleted {
			live = append(live, sq)
		}
	}
	switch len(live) {
	case 0:
		e := newRecError("INVALID_FIELD", fmt.Sprintf("Foreign key external ID: %s not found for field %s in entity %s",
			p.value, p.field.Name, p.table.def.Name))
		return "", &e
	case 1:
		return p.table.id(live[0]), nil
	}
	e := newRecError("INVALID_FIELD", fmt.Sprintf("More than 1 record found for External ID field %s: %s",
		p.field.Name, p.value))
	return "", &e
}

// checkValue validates one assigned value (length, email, picklist,
// references) and returns the value to store.
func (x *tx) checkValue(a *assign) (any, *recError) {
	if a.parent != nil {
		id, e := x.resolveParent(a.parent)
		return id, e
	}
	f, v := a.f, a.val
	s, isStr := v.(string)
	if !isStr {
		return v, nil
	}
	switch f.Type {
	case TypeReference, TypeID:
		id, e := x.resolveID(f, s)
		return id, e
	case TypePicklist:
		if f.RestrictedPicklist {
			c, ok := f.picklistHas(s)
			if !ok {
				e := newRecError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
					fmt.Sprintf("%s: bad value for restricted picklist field: %s", f.Label, s), f.Name)
				return nil, &e
			}
			s = c
		}
	case TypeEmail:
		if !validEmail(s) {
			e := newRecError("INVALID_EMAIL_ADDRESS", fmt.Sprintf("%s: invalid email address: %s", f.Label, s), f.Name)
			return nil, &e
		}
	}
	if f.Length > 0 && utf8.RuneCountInString(s) > f.Length {
		e := newRecError("STRING_TOO_LONG", fmt.Sprintf("%s: data value too large: %s (max length=%d)",
			f.Label, s, f.Length), f.Name)
		return nil, &e
	}
	return s, nil
}

// write validates the assignments against the record r (a fresh record on
// insert) and stores them into r. It returns the per-record errors.
func (x *tx) write(t *table, seq int64, r *record, as []assign, insert bool) []recError {
	var errs []recError
	var ro []string
	for _, a := range as {
		if insert && !a.f.Createable || !insert && !a.f.Updateable {
			ro = append(ro, a.f.Name)
		}
	}
	if len(ro) > 0 {
		op := "create/update"
		errs = append(errs, newRecError("INVALID_FIELD_FOR_INSERT_UPDATE", fmt.Sprintf("Unable to %s fields: %s. "+
			"Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
			op, strings.Join(ro, ", ")), ro...))
		return errs
	}
	changed := map[string]bool{}
	for i := range as {
		v, e := x.checkValue(&as[i])
		if e != nil {
			errs = append(errs, *e)
			continue
		}
		if !insert && equalValue(r.get(as[i].i), v) {
			continue
		}
		r.set(as[i].i, v)
		changed[as[i].f.Name] = true
	}
	if len(errs) > 0 {
		return errs
	}
	x.derive(t, r, changed, insert)
	var missing []string
	for i, f := range t.def.Fields {
		if !f.Nillable && f.Type != TypeBoolean && f.Type != TypeID && r.get(i) == nil && (f.Createable || f.Updateable) {
			missing = append(missing, f.Name)
		}
	}
	if t.def.Name == "CampaignMember" && r.get(fieldIndex(t, "LeadId")) == nil && r.get(fieldIndex(t, "ContactId")) == nil {
		missing = append(missing, "ContactId", "LeadId")
	}
	if len(missing) > 0 {
		return []recError{newRecError("REQUIRED_FIELD_MISSING",
			"Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...)}
	}
	for fi, f := range t.def.Fields {
		if !f.Unique {
			continue
		}
		s, ok := r.get(fi).(string)
		if !ok {
			continue
		}
		for _, other := range t.lookupExt(fi, s) {
			// Records in the recycle bin do not hold their unique values.
			if o := t.rec(other); other != seq && o != nil && !o.deleted {
				errs = append(errs, newRecError("DUPLICATE_VALUE", fmt.Sprintf(
					"duplicate value found: %s duplicates value on record with id: %s", f.Name, t.id(other))))
				break
			}
		}
	}
	if t.def.Name == "CampaignMember" {
		if dup := x.memberDuplicate(t, seq, r); dup != "" {
			errs = append(errs, newRecError("DUPLICATE_VALUE", "Already a campaign member."))
		}
	}
	return errs
}

func equalValue(a, b any) bool { return a == b }

func fieldIndex(t *table, name string) int {
	_, i, _ := t.def.field(name)
	return i
}

// memberDuplicate finds another CampaignMember of the same campaign and person.
func (x *tx) memberDuplicate(t *table, seq int64, r *record) string {
	ci, li, ki := fieldIndex(t, "CampaignId"), fieldIndex(t, "LeadId"), fieldIndex(t, "ContactId")
	for j := range t.recs {
		o := &t.recs[j]
		if int64(j+1) == seq || o.gone || o.deleted || o.get(ci) != r.get(ci) {
			continue
		}
		if (r.get(li) != nil && o.get(li) == r.get(li)) || (r.get(ki) != nil && o.get(ki) == r.get(ki)) {
			return t.id(int64(j + 1))
		}
	}
	return ""
}

// insert creates a record; it returns its sequence or the errors.
func (x *tx) insert(t *table, as []assign) (int64, []recError) {
	if !t.def.Createable {
		return 0, []recError{newRecError("INVALID_TYPE_FOR_OPERATION",
			fmt.Sprintf("entity type %s does not support insert", t.def.Name))}
	}
	if x.locked("") {
		return 0, []recError{lockError(t.def.KeyPrefix)}
	}
	seq := int64(len(t.recs) + 1)
	r := record{vals: make([]any, len(t.def.Fields))}
	for i, f := range t.def.Fields {
		switch {
		case f.Type == TypeBoolean:
			r.vals[i] = false
			if b, ok := f.DefaultValue.(bool); ok {
				r.vals[i] = b
			}
		case f.Type == TypePicklist && f.defaultPicklist() != "":
			r.vals[i] = f.defaultPicklist()
		}
	}
	user := x.s.userID()
	if t.iOwner >= 0 {
		r.vals[t.iOwner] = user
	}
	if t.def.Name == "Case" {
		t.autoNum++
		r.vals[fieldIndex(t, "CaseNumber")] = fmt.Sprintf("%08d", 1000+t.autoNum)
	}
	if errs := x.write(t, seq, &r, as, true); len(errs) > 0 {
		return 0, errs
	}
	now := x.s.clock.tick()
	for _, i := range []int{t.iCreated, t.iModified, t.iStamp} {
		if i >= 0 {
			r.vals[i] = now
		}
	}
	for _, i := range []int{t.iCreatedBy, t.iModifiedBy} {
		if i >= 0 {
			r.vals[i] = user
		}
	}
	t.recs = append(t.recs, r)
	t.indexAdd(seq, &t.recs[seq-1])
	x.log = append(x.log, undo{t: t, seq: seq, inserted: true})
	if t.def.Name == "Opportunity" {
		x.history(t, seq, nil)
	}
	return seq, nil
}

// update changes the record seq.
func (x *tx) update(t *table, seq int64, as []assign) []recError {
	if !t.def.Updateable {
		return []recError{newRecError("INVALID_TYPE_FOR_OPERATION",
			fmt.Sprintf("entity type %s does not support update", t.def.Name))}
	}
	cur := t.rec(seq)
	if cur == nil {
		return []recError{newRecError("ENTITY_IS_DELETED", "entity is deleted")}
	}
	if cur.deleted {
		return []recError{newRecError("ENTITY_IS_DELETED", "entity is deleted")}
	}
	if convertedLead(t, cur) {
		// Reference sheet §13.1 (the HTTP status is unconfirmed; the code
		// and message are as integrations quote them).
		return []recError{newRecError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")}
	}
	if x.locked(t.id(seq)) {
		return []recError{lockError(t.id(seq))}
	}
	prev := record{vals: slices.Clone(cur.vals), deleted: cur.deleted, delAt: cur.delAt}
	next := record{vals: slices.Clone(cur.vals)}
	if len(next.vals) < len(t.def.Fields) {
		next.vals = append(next.vals, make([]any, len(t.def.Fields)-len(next.vals))...)
	}
	if errs := x.write(t, seq, &next, as, false); len(errs) > 0 {
		return errs
	}
	now := x.s.clock.tick()
	next.vals[t.iModified], next.vals[t.iStamp], next.vals[t.iModifiedBy] = now, now, x.s.userID()
	t.indexRemove(seq, cur)
	cur.vals = next.vals
	t.indexAdd(seq, cur)
	x.log = append(x.log, undo{t: t, seq: seq, prev: prev})
	if t.def.Name == "Opportunity" {
		x.history(t, seq, &prev)
	}
	return nil
}

// remove soft-deletes the record seq (recycle bin); hard removes it.
func (x *tx) remove(t *table, seq int64, hard bool) []recError {
	if !t.def.Deletable {
		return []recError{newRecError("INVALID_TYPE_FOR_OPERATION",
			fmt.Sprintf("entity type %s does not support delete", t.def.Name))}
	}
	cur := t.rec(seq)
	if cur == nil || (cur.deleted && !hard) {
		return []recError{newRecError("ENTITY_IS_DELETED", "entity is deleted")}
	}
	if x.locked(t.id(seq)) {
		return []recError{lockError(t.id(seq))}
	}
	prev := record{vals: slices.Clone(cur.vals), deleted: cur.deleted, delAt: cur.delAt}
	x.log = append(x.log, undo{t: t, seq: seq, prev: prev})
	t.indexRemove(seq, cur)
	if hard {
		cur.gone = true
		return nil
	}
	now := x.s.clock.tick()
	cur.vals = slices.Clone(cur.vals)
	cur.deleted, cur.delAt = true, now
	cur.set(1, true)
	cur.set(t.iModified, now)
	cur.set(t.iStamp, now)
	cur.set(t.iModifiedBy, x.s.userID())
	t.indexAdd(seq, cur)
	return nil
}

// derive computes the read-only fields that follow from others.
func (x *tx) derive(t *table, r *record, changed map[string]bool, insert bool) {
	get := func(n string) any { return r.get(fieldIndex(t, n)) }
	set := func(n string, v any) { r.set(fieldIndex(t, n), v) }
	str := func(n string) string { s, _ := get(n).(string); return s }
	switch t.def.Name {
	case "Contact", "Lead", "User":
		set("Name", strings.TrimSpace(str("FirstName")+" "+str("LastName")))
	case "Opportunity":
		st, ok := stageOf(str("StageName"))
		if ok && (insert || changed["StageName"]) {
			if !changed["Probability"] {
				set("Probability", st.Probability)
			}
			if !changed["ForecastCategoryName"] {
				set("ForecastCategoryName", st.Forecast)
			}
		}
		set("IsClosed", ok && st.Closed)
		set("IsWon", ok && st.Won)
		amt, ok1 := get("Amount").(float64)
		p, ok2 := get("Probability").(float64)
		if ok1 && ok2 {
			set("ExpectedRevenue", math.Round(amt*p)/100)
		} else {
			set("ExpectedRevenue", nil)
		}
	case "Case":
		closed := str("Status") == "Closed"
		if closed && get("ClosedDate") == nil {
			set("ClosedDate", x.s.clock.tick())
		} else if !closed {
			set("ClosedDate", nil)
		}
		set("IsClosed", closed)
	case "Task":
		set("IsClosed", str("Status") == "Completed")
		acct := any(nil)
		if w := str("WhatId"); strings.HasPrefix(w, "001") {
			acct = w
		} else if who := str("WhoId"); strings.HasPrefix(who, "003") {
			ct := x.s.table("Contact")
			if _, sq, e := parseID(who); e == idOK {
				if c := ct.rec(sq); c != nil {
					acct = c.get(fieldIndex(ct, "AccountId"))
				}
			}
		}
		set("AccountId", acct)
	case "CampaignMember":
		set("HasResponded", str("Status") == "Responded")
	}
}

// forecastCategory maps ForecastCategoryName to OpportunityHistory's
// ForecastCategory API values.
func forecastCategory(name string) string {
	switch name {
	case "Best Case":
		return "BestCase"
	case "Commit":
		return "Forecast"
	}
	return name
}

// history writes an OpportunityHistory row when an opportunity is created
// or its StageName, Amount, Probability or CloseDate changes.
func (x *tx) history(ot *table, seq int64, prev *record) {
	cur := ot.rec(seq)
	g := func(r *record, n string) any { return r.get(fieldIndex(ot, n)) }
	if prev != nil {
		same := true
		for _, n := range []string{"StageName", "Amount", "Probability", "CloseDate"} {
			if g(prev, n) != g(cur, n) {
				same = false
			}
		}
		if same {
			return
		}
	}
	ht := x.s.table("OpportunityHistory")
	fc, _ := g(cur, "ForecastCategoryName").(string)
	r := record{vals: make([]any, len(ht.def.Fields))}
	set := func(n string, v any) { r.set(fieldIndex(ht, n), v) }
	set("OpportunityId", ot.id(seq))
	for _, n := range []string{"StageName", "Amount", "ExpectedRevenue", "CloseDate", "Probability"} {
		set(n, g(cur, n))
	}
	set("ForecastCategory", forecastCategory(fc))
	if prev != nil {
		set("PrevAmount", g(prev, "Amount"))
		set("PrevCloseDate", g(prev, "CloseDate"))
	}
	set("IsDeleted", false)
	stamp := ot.stamp(cur)
	set("CreatedDate", stamp)
	set("SystemModstamp", stamp)
	set("CreatedById", x.s.userID())
	ht.recs = append(ht.recs, r)
	hseq := int64(len(ht.recs))
	ht.indexAdd(hseq, &ht.recs[hseq-1])
	x.log = append(x.log, undo{t: ht, seq: hseq, inserted: true})
}
