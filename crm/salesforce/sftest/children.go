package sftest

import (
	"fmt"
	"strings"
	"time"

	"github.com/revops/revops/crm/salesforce/soql"
)

// DefaultChildBatch is how many child records a parent-to-child subquery
// returns inline before paging them through their own nextRecordsUrl.
// Salesforce pages large child sets at about 200 (first pages of 199 and
// 499 were observed, reference sheet §10.1).
const DefaultChildBatch = 200

// maxChildCursors caps the open cursors of child record sets. Whether
// Salesforce counts them toward the 10 open cursors per user is
// unconfirmed; they are kept apart here so that a page of parents with
// many large child sets does not close the parent query's cursor.
const maxChildCursors = 1000

// childRel is one child relationship of an object, as describe lists it.
type childRel struct {
	Name  string // "" when the relationship has no name (not queryable)
	Child string // child object
	Field *Field // the child's reference field
}

// childRelationships lists the child relationships of parent in describe
// order: every reference field of every object that points at parent,
// except the audit fields. The caller holds s.mu.
func (s *Server) childRelationships(parent string) []childRel {
	var out []childRel
	for _, n := range s.order {
		for _, f := range s.table(n).def.Fields {
			if f.Type != TypeReference || f.Name == "CreatedById" || f.Name == "LastModifiedById" {
				continue
			}
			for _, to := range f.ReferenceTo {
				if to == parent {
					out = append(out, childRel{Name: childRelName(n, f), Child: n, Field: f})
				}
			}
		}
	}
	return out
}

// childRelName names the relationship of a lookup on the parent's side:
// the plural standard names (Contacts, Opportunities, Cases, Tasks,
// CampaignMembers, OpportunityHistories, ChildAccounts, ChildCampaigns),
// the custom field's own name for custom lookups, "" for lookups that
// cannot be subqueried (owners, ReportsTo, the converted-lead references
// and the derived Task.AccountId; those four are unconfirmed).
func childRelName(child string, f *Field) string {
	switch {
	case f.Custom:
		return f.ChildRelationship
	case f.Name == "OwnerId" || f.Name == "ReportsToId" || strings.HasPrefix(f.Name, "Converted"):
		return ""
	case child == "Task" && f.Name == "AccountId":
		return ""
	case child == "Account" && f.Name == "ParentId":
		return "ChildAccounts"
	case child == "Campaign" && f.Name == "ParentId":
		return "ChildCampaigns"
	case child == "Opportunity":
		return "Opportunities"
	case child == "OpportunityHistory":
		return "OpportunityHistories"
	}
	return child + "s"
}

// ChildRelationship implements soql.ChildSchema.
func (sc schema) ChildRelationship(parent, name string) (soql.Relationship, bool) {
	for _, c := range sc.s.childRelationships(parent) {
		if c.Name != "" && strings.EqualFold(c.Name, name) {
			return soql.Relationship{Name: c.Name, Child: c.Child, Field: c.Field.Name}, true
		}
	}
	return soql.Relationship{}, false
}

// SubqueryDepth implements soql.ChildSchema: one level of subqueries up to
// API v57.0, five from v58.0 (reference sheet §10.1).
func (sc schema) SubqueryDepth() int {
	if sc.ver > 0 && sc.ver < 58 {
		return 1
	}
	return 5
}

// FieldInfo implements soql.FieldInfoSchema from describe.
func (sc schema) FieldInfo(object, path string) soql.FieldInfo {
	acc, ok := sc.s.compilePath(object, path)
	if !ok {
		return soql.FieldInfo{}
	}
	f := acc.field
	info := soql.FieldInfo{Groupable: f.groupable(), Aggregatable: f.aggregatable()}
	if f.Type == TypePicklist {
		for _, p := range f.PicklistValues {
			info.Picklist = append(info.Picklist, p.Value)
		}
	}
	return info
}

// subPlan is a parent-to-child subquery bound to the org: the child plan
// and, built on first use, the children of every parent.
type subPlan struct {
	rel   string // relationship name: the JSON key
	plan  *plan  // the subquery on the child table
	join  int    // index of the child's reference field
	index map[int64][]int64
}

// children returns the sequences of the parent's matching children, in the
// subquery's order, after its OFFSET and LIMIT. The caller holds s.mu.
func (sp *subPlan) children(parent *table, pseq int64, now time.Time) []int64 {
	p := sp.plan
	if sp.index == nil {
		p.resolveSemiJoins(now)
		sp.index = map[int64][]int64{}
		t := p.t
		for i := range t.recs {
			r := &t.recs[i]
			if r.gone || r.deleted && !p.all {
				continue
			}
			id, _ := r.get(sp.join).(string)
			prefix, seq, e := parseID(id)
			if e != idOK || prefix != parent.def.KeyPrefix {
				continue
			}
			sp.index[seq] = append(sp.index[seq], int64(i+1))
		}
	}
	var out []int64
	for _, cs := range sp.index[pseq] {
		r := p.t.rec(cs)
		if r != nil && p.q.Match(row{p, cs, r}, now) {
			out = append(out, cs)
		}
	}
	p.sort(out)
	if p.q.Offset > 0 {
		out = out[min(p.q.Offset, len(out)):]
	}
	if p.q.Limit >= 0 && len(out) > p.q.Limit {
		out = out[:p.q.Limit]
	}
	return out
}

// renderChildren renders the value of a subquery item for one parent: null
// without children, else a query result whose records page at the child
// batch size, with a nextRecordsUrl of its own past it. The caller holds
// s.mu.
func (s *Server) renderChildren(sp *subPlan, parent *table, pseq int64, ver string) any {
	now := s.opts.Now()
	seqs := sp.children(parent, pseq, now)
	if len(seqs) == 0 {
		return nil
	}
	batch := s.opts.ChildBatchSize
	end := min(batch, len(seqs))
	recs := make([]obj, 0, end)
	for _, cs := range seqs[:end] {
		if r := sp.plan.t.rec(cs); r != nil {
			recs = append(recs, s.renderQuery(sp.plan, cs, r, ver))
		}
	}
	out := obj{{"totalSize", len(seqs)}, {"done", end >= len(seqs)}}
	if end < len(seqs) {
		c := &cursor{p: sp.plan, seqs: seqs, ver: ver, batch: defaultBatch, lastUsed: now, child: true}
		out = append(out, kv{"nextRecordsUrl", "/services/data/v" + ver + "/query/" + formatLocator(s.cursorID(c), end)})
	}
	return append(out, kv{"records", recs})
}

// nameChildRelationship sets a new custom lookup's child relationship name:
// the one given (with "__r" appended when missing), else the child
// object's plural label ("Contacts__r"), else, when the parent already has
// that name, the plural and the field's name ("Contacts_Referrer__r"). A
// given name the parent already has is an error. The caller holds s.mu.
func (s *Server) nameChildRelationship(child *objectDef, f *Field) error {
	taken := func(name string) bool {
		for _, to := range f.ReferenceTo {
			for _, c := range s.childRelationships(to) {
				if strings.EqualFold(c.Name, name) {
					return true
				}
			}
		}
		return false
	}
	if f.ChildRelationship != "" {
		if !strings.HasSuffix(f.ChildRelationship, "__r") {
			f.ChildRelationship += "__r"
		}
		if taken(f.ChildRelationship) {
			return fmt.Errorf("child relationship name %s is already used on %s", f.ChildRelationship, strings.Join(f.ReferenceTo, ", "))
		}
		return nil
	}
	plural := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, child.LabelPlural)
	f.ChildRelationship = plural + "__r"
	if taken(f.ChildRelationship) {
		f.ChildRelationship = plural + "_" + strings.TrimSuffix(f.Name, "__c") + "__r"
	}
	return nil
}
