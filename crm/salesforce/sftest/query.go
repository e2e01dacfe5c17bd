package sftest

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/crm/salesforce/soql"
)

// Query paging (reference sheet §2.2).
const (
	defaultBatch = 2000
	minBatch     = 200
	maxCursors   = 10
)

// schema adapts the org's metadata to soql.Schema (and ChildSchema,
// FieldInfoSchema). ver is the request's API version (0: the newest).
// Callers hold s.mu.
type schema struct {
	s   *Server
	ver int
}

// LookupObject implements soql.ObjectSchema.
func (sc schema) LookupObject(name string) (string, bool) {
	t := sc.s.table(name)
	if t == nil {
		return "", false
	}
	return t.def.Name, true
}

// Lookup implements soql.Schema.
func (sc schema) Lookup(object, path string) (string, soql.FieldType, bool) {
	acc, ok := sc.s.compilePath(object, path)
	if !ok {
		return "", 0, false
	}
	if _, hidden := sc.s.restricted.Load(strings.ToLower(object + "." + acc.canon)); hidden {
		return "", 0, false
	}
	return acc.canon, soqlType(acc.field), true
}

func soqlType(f *Field) soql.FieldType {
	switch f.Type {
	case TypeID, TypeReference:
		return soql.TypeID
	case TypeInt, TypeDouble, TypeCurrency, TypePercent:
		return soql.TypeNumber
	case TypeBoolean:
		return soql.TypeBool
	case TypeDate:
		return soql.TypeDate
	case TypeDateTime:
		return soql.TypeDateTime
	case TypeMultiPicklist:
		return soql.TypeMultiPicklist
	}
	return soql.TypeString
}

// accessor reads one field path of a record: the reference fields to
// follow (by index), then the field.
type accessor struct {
	canon string
	hops  []int    // reference field indexes on the successive objects
	rels  []string // canonical relationship names
	field *Field
	fi    int
}

// compilePath resolves a path like "Account.Owner.Email" on object.
func (s *Server) compilePath(object, path string) (*accessor, bool) {
	t := s.table(object)
	if t == nil {
		return nil, false
	}
	segs := strings.Split(path, ".")
	if len(segs) > 6 {
		return nil, false
	}
	acc := &accessor{}
	var canon []string
	for i, seg := range segs {
		if i == len(segs)-1 {
			f, fi, ok := t.def.field(seg)
			if !ok {
				return nil, false
			}
			acc.field, acc.fi = f, fi
			canon = append(canon, f.Name)
			break
		}
		f, fi, ok := t.def.relation(seg)
		if !ok {
			return nil, false
		}
		acc.hops = append(acc.hops, fi)
		acc.rels = append(acc.rels, f.RelationshipName)
		canon = append(canon, f.RelationshipName)
		if t = s.table(f.ReferenceTo[0]); t == nil {
			return nil, false
		}
	}
	acc.canon = strings.Join(canon, ".")
	return acc, true
}

// follow resolves a reference value to the parent's table and record.
func (s *Server) follow(v any) (*table, int64, *record) {
	id, ok := v.(string)
	if !ok {
		return nil, 0, nil
	}
	prefix, seq, e := parseID(id)
	if e != idOK {
		return nil, 0, nil
	}
	t := s.byPrefix[prefix]
	if t == nil {
		return nil, 0, nil
	}
	r := t.rec(seq)
	if r == nil {
		return nil, 0, nil
	}
	return t, seq, r
}

// get reads the path from a record, as a soql row value.
func (s *Server) get(acc *accessor, t *table, seq int64, r *record) any {
	for _, h := range acc.hops {
		t, seq, r = s.follow(r.get(h))
		if r == nil {
			return nil
		}
	}
	if acc.fi == 0 {
		return t.id(seq)
	}
	switch v := r.get(acc.fi).(type) {
	case msTime:
		return time.UnixMilli(int64(v)).UTC()
	case dateVal:
		d, _ := time.Parse("2006-01-02", string(v))
		return d
	default:
		return v
	}
}

// plan is a checked query bound to the org.
type plan struct {
	s     *Server
	q     *soql.Query
	t     *table
	paths map[string]*accessor
	sel   []*accessor
	all   bool // queryAll: include IsDeleted rows
	// subs are the parent-to-child subqueries by SELECT item index.
	subs map[int]*subPlan
	// aggregate is set for aggregate queries: run returns every matching
	// row, unsorted, and soql.Aggregate orders and limits the groups.
	aggregate bool
	// resolved is set once the semi-joins have their values.
	resolved bool
	// sortedScan is set by run when the scan already yields ORDER BY order.
	sortedScan bool
}

// row is one record seen by soql.
type row struct {
	p   *plan
	seq int64
	r   *record
}

// Value implements soql.Row.
func (x row) Value(path string) any {
	acc := x.p.paths[path]
	if acc == nil {
		var ok bool
		if acc, ok = x.p.s.compilePath(x.p.t.def.Name, path); !ok {
			return nil
		}
		x.p.paths[path] = acc
	}
	return x.p.s.get(acc, x.p.t, x.seq, x.r)
}

// queryError turns a soql error into the REST error array.
func queryError(err error) *restError {
	var se *soql.Error
	if errors.As(err, &se) {
		return newRESTError(http.StatusBadRequest, se.Code, se.Message)
	}
	return newRESTError(http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
}

// prepare parses and checks a query for API version ver. The caller holds
// s.mu.
func (s *Server) prepare(text string, all bool, ver int) (*plan, *restError) {
	if strings.TrimSpace(text) == "" {
		return nil, newRESTError(http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
	}
	q, err := soql.Parse(text)
	if err != nil {
		return nil, queryError(err)
	}
	if err := q.Check(schema{s, ver}); err != nil {
		return nil, queryError(err)
	}
	return s.newPlan(q, all), nil
}

// newPlan binds a checked query (or subquery) to the org. The caller holds
// s.mu.
func (s *Server) newPlan(q *soql.Query, all bool) *plan {
	p := &plan{s: s, q: q, t: s.table(q.Object), paths: map[string]*accessor{}, all: all, aggregate: q.IsAggregate()}
	for _, f := range q.Fields {
		acc, _ := s.compilePath(q.Object, f)
		p.paths[f] = acc
		p.sel = append(p.sel, acc)
	}
	for i, it := range q.Items {
		if it.Kind == soql.ItemSubquery && it.Sub != nil {
			if p.subs == nil {
				p.subs = map[int]*subPlan{}
			}
			sub := s.newPlan(it.Sub, all)
			p.subs[i] = &subPlan{rel: it.Sub.Relationship, plan: sub, join: fieldIndex(sub.t, it.Sub.JoinField)}
		}
	}
	return p
}

// resolveSemiJoins runs the subqueries of the plan's semi-joins and
// anti-joins once and hands their values to the conditions. Inner queries
// see live records only (whether queryAll extends to them is
// unconfirmed). The caller holds s.mu.
func (p *plan) resolveSemiJoins(now time.Time) {
	if p.resolved {
		return
	}
	p.resolved = true
	for _, c := range soql.Conditions(p.q.Where) {
		if c.Sub == nil {
			continue
		}
		inner := p.s.newPlan(c.Sub, false)
		seqs := inner.run(now)
		vals := make([]string, 0, len(seqs))
		for _, sq := range seqs {
			if r := inner.t.rec(sq); r != nil && len(inner.sel) == 1 {
				if v, ok := p.s.get(inner.sel[0], inner.t, sq, r).(string); ok && v != "" {
					vals = append(vals, v)
				}
			}
		}
		c.Resolve(vals)
	}
}

// stampOrdered reports whether ORDER BY is SystemModstamp ASC [, Id ASC],
// the order of the SystemModstamp index.
func (p *plan) stampOrdered() bool {
	ob := p.q.OrderBy
	if len(ob) == 0 || len(ob) > 2 || ob[0].Field != "SystemModstamp" || ob[0].Desc {
		return false
	}
	return len(ob) == 1 || ob[1].Field == "Id" && !ob[1].Desc
}

// run executes the plan and returns the matching records' sequences in
// result order, after OFFSET and LIMIT. The caller holds s.mu (write: the
// stamp index may be rebuilt).
func (p *plan) run(now time.Time) []int64 {
	p.resolveSemiJoins(now)
	t := p.t
	want := -1
	if p.q.Limit >= 0 && !p.aggregate {
		want = p.q.Limit + p.q.Offset
	}
	var out []int64
	keep := func(seq int64, r *record) bool {
		if r == nil || (r.deleted && !p.all) {
			return true
		}
		if !p.q.Match(row{p, seq, r}, now) {
			return true
		}
		out = append(out, seq)
		return want < 0 || len(out) < want || !p.sortedScan
	}
	p.sortedScan = false
	if seqs, ok := p.indexed(); ok {
		slices.Sort(seqs)
		seqs = slices.Compact(seqs)
		for _, sq := range seqs {
			keep(sq, t.rec(sq))
		}
	} else if lo, hi, ok := p.stampRange(); ok || p.stampOrdered() {
		idx := t.stampIndex()
		if !ok {
			lo, hi = 0, len(idx)
		}
		p.sortedScan = p.stampOrdered()
		for _, e := range idx[lo:hi] {
			if r := t.live(e); r != nil && !keep(e.seq, r) {
				break
			}
		}
	} else {
		for i := range t.recs {
			if r := &t.recs[i]; !r.gone {
				keep(int64(i+1), r)
			}
		}
	}
	if p.aggregate {
		return out
	}
	if !p.sortedScan {
		p.sort(out)
	}
	if p.q.Offset > 0 {
		if p.q.Offset >= len(out) {
			return nil
		}
		out = out[p.q.Offset:]
	}
	if p.q.Limit >= 0 && len(out) > p.q.Limit {
		out = out[:p.q.Limit]
	}
	return out
}

// indexed returns candidate sequences from an Id or external-id bound.
func (p *plan) indexed() ([]int64, bool) {
	t := p.t
	for _, b := range p.q.Bounds() {
		if b.Op != "=" && b.Op != "IN" || strings.Contains(b.Field, ".") {
			continue
		}
		_, fi, ok := t.def.field(b.Field)
		if !ok || (fi != 0 && t.ext[fi] == nil) {
			continue
		}
		var out []int64
		for _, v := range b.Values {
			s, ok := v.(string)
			if !ok {
				continue
			}
			if fi == 0 {
				if prefix, seq, e := parseID(s); e == idOK && prefix == t.def.KeyPrefix {
					out = append(out, seq)
				}
				continue
			}
			out = append(out, t.lookupExt(fi, s)...)
		}
		return out, true
	}
	return nil, false
}

// stampRange narrows the SystemModstamp index with bounds on it.
func (p *plan) stampRange() (int, int, bool) {
	var lo, hi *stampEntry
	for _, b := range p.q.Bounds() {
		if b.Field != "SystemModstamp" || len(b.Values) != 1 {
			continue
		}
		tm, ok := b.Values[0].(time.Time)
		if !ok {
			continue
		}
		ms := toMS(tm)
		// Entries are (ms, seq) with seq ≥ 1: (ms, 0) sorts before all of ms.
		var l, h stampEntry
		switch b.Op {
		case ">":
			l = stampEntry{ms + 1, 0}
		case ">=":
			l = stampEntry{ms, 0}
		case "<":
			h = stampEntry{ms, 0}
		case "<=":
			h = stampEntry{ms + 1, 0}
		case "=":
			l, h = stampEntry{ms, 0}, stampEntry{ms + 1, 0}
		default:
			continue
		}
		if l.ms != 0 && (lo == nil || cmpStamp(l, *lo) > 0) {
			lo = &l
		}
		if h.ms != 0 && (hi == nil || cmpStamp(h, *hi) < 0) {
			hi = &h
		}
	}
	if lo == nil && hi == nil {
		return 0, 0, false
	}
	idx := p.t.stampIndex()
	a, b := 0, len(idx)
	if lo != nil {
		a = searchStamp(idx, lo.ms, lo.seq)
	}
	if hi != nil {
		b = searchStamp(idx, hi.ms, hi.seq)
	}
	if b < a {
		b = a
	}
	return a, b, true
}

// sort orders sequences by ORDER BY. Ids and references compare
// case-sensitively (their natural order); everything else as soql.Compare.
func (p *plan) sort(seqs []int64) {
	ob := p.q.OrderBy
	if len(ob) == 0 || len(seqs) < 2 {
		return
	}
	accs := make([]*accessor, len(ob))
	for i, o := range ob {
		accs[i], _ = p.s.compilePath(p.t.def.Name, o.Field)
	}
	type keyed struct {
		seq  int64
		keys []any
	}
	ks := make([]keyed, len(seqs))
	flat := make([]any, len(seqs)*len(ob))
	for i, sq := range seqs {
		keys := flat[i*len(ob) : (i+1)*len(ob)]
		r := p.t.rec(sq)
		for j, acc := range accs {
			v := p.s.get(acc, p.t, sq, r)
			if s, ok := v.(string); ok && s == "" {
				v = nil
			}
			keys[j] = v
		}
		ks[i] = keyed{sq, keys}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for j, o := range ob {
			x, y := a.keys[j], b.keys[j]
			var n int
			switch {
			case x == nil && y == nil:
				continue
			case x == nil || y == nil:
				n = -1
				if o.NullsLast {
					n = 1
				}
				if y == nil {
					n = -n
				}
				if n != 0 {
					return n
				}
				continue
			case accs[j].field.Type == TypeID || accs[j].field.Type == TypeReference:
				xs, _ := x.(string)
				ys, _ := y.(string)
				n = strings.Compare(xs, ys)
			default:
				n = soql.Compare(x, y)
			}
			if o.Desc {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return 0
	})
	for i := range ks {
		seqs[i] = ks[i].seq
	}
}

// batchSize reads Sforce-Query-Options: batchSize=N (200..2000).
func batchSize(r *http.Request) int {
	n := defaultBatch
	for _, part := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			if b, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				n = min(max(b, minBatch), defaultBatch)
			}
		}
	}
	return n
}

// cursor is an open query result: the matched sequences, kept for paging.
type cursor struct {
	p        *plan
	seqs     []int64
	ver      string
	batch    int
	lastUsed time.Time
	child    bool // the children of one parent record (a subquery)
}

// serveQuery serves GET /query?q= and /queryAll?q=.
func (s *Server) serveQuery(w http.ResponseWriter, q *req, all bool) *restError {
	text := q.r.URL.Query().Get("q")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.prepare(text, all, q.verNum)
	if e != nil {
		return e
	}
	seqs := p.run(s.opts.Now())
	if p.q.CountOnly {
		writeJSON(w, http.StatusOK, obj{{"totalSize", len(seqs)}, {"done", true}, {"records", []any{}}})
		return nil
	}
	if p.aggregate {
		return s.writeAggregate(w, p, seqs)
	}
	c := &cursor{p: p, seqs: seqs, ver: q.ver, batch: batchSize(q.r), lastUsed: s.opts.Now()}
	s.writePage(w, c, 0)
	return nil
}

// serveQueryMore serves GET /query/{cursor}-{offset}.
func (s *Server) serveQueryMore(w http.ResponseWriter, q *req, loc string) *restError {
	bad := newRESTError(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
	cid, offS, ok := strings.Cut(loc, "-")
	if !ok {
		return bad
	}
	_, seq, e := parseID(cid)
	off, err := strconv.Atoi(offS)
	if e != idOK || err != nil || off < 0 {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cursors[seq]
	now := s.opts.Now()
	if c == nil || now.Sub(c.lastUsed) >= s.opts.LocatorTTL || off > len(c.seqs) {
		if c != nil && now.Sub(c.lastUsed) >= s.opts.LocatorTTL {
			s.dropCursor(seq)
		}
		return bad
	}
	c.lastUsed = now
	c.ver = q.ver
	if b := q.r.Header.Get("Sforce-Query-Options"); b != "" {
		c.batch = batchSize(q.r)
	}
	s.writePage(w, c, off)
	if off+c.batch >= len(c.seqs) {
		s.dropCursor(seq)
	}
	return nil
}

// writePage writes one page of a result from offset off; the caller holds
// s.mu. A first page that does not hold everything opens a cursor.
func (s *Server) writePage(w http.ResponseWriter, c *cursor, off int) {
	end := min(off+c.batch, len(c.seqs))
	recs := make([]obj, 0, end-off)
	for _, sq := range c.seqs[off:end] {
		if r := c.p.t.rec(sq); r != nil {
			recs = append(recs, s.renderQuery(c.p, sq, r, c.ver))
		}
	}
	out := obj{{"totalSize", len(c.seqs)}, {"done", end >= len(c.seqs)}}
	if end < len(c.seqs) {
		id := s.cursorID(c)
		out = append(out, kv{"nextRecordsUrl", "/services/data/v" + c.ver + "/query/" + formatLocator(id, end)})
	}
	out = append(out, kv{"records", recs})
	writeJSON(w, http.StatusOK, out)
}

// cursorID registers c (once) and returns its id, dropping the oldest
// cursor beyond maxCursors (maxChildCursors for child record sets, which
// are counted apart).
func (s *Server) cursorID(c *cursor) int64 {
	for id, x := range s.cursors {
		if x == c {
			return id
		}
	}
	s.curSeq++
	s.cursors[s.curSeq] = c
	lru, limit := &s.curLRU, maxCursors
	if c.child {
		lru, limit = &s.childLRU, maxChildCursors
	}
	*lru = append(*lru, s.curSeq)
	for len(*lru) > limit {
		delete(s.cursors, (*lru)[0])
		*lru = (*lru)[1:]
	}
	return s.curSeq
}

func (s *Server) dropCursor(id int64) {
	delete(s.cursors, id)
	s.curLRU = slices.DeleteFunc(s.curLRU, func(x int64) bool { return x == id })
	s.childLRU = slices.DeleteFunc(s.childLRU, func(x int64) bool { return x == id })
}

// renderQuery renders one query row: selected fields in order, parents
// nested with their own attributes (or null), child relationships as
// nested query results (or null).
func (s *Server) renderQuery(p *plan, seq int64, r *record, ver string) obj {
	out := obj{{"attributes", attributes(p.t, p.t.id(seq), ver)}}
	if len(p.subs) == 0 {
		for _, acc := range p.sel {
			out = s.place(out, acc, 0, p.t, seq, r, ver)
		}
		return out
	}
	f := 0
	for i, it := range p.q.Items {
		switch it.Kind {
		case soql.ItemField:
			out = s.place(out, p.sel[f], 0, p.t, seq, r, ver)
			f++
		case soql.ItemSubquery:
			sp := p.subs[i]
			out = append(out, kv{sp.rel, s.renderChildren(sp, p.t, seq, ver)})
		}
	}
	return out
}

// place puts the value of acc (from hop h on) into o, nesting parents.
func (s *Server) place(o obj, acc *accessor, h int, t *table, seq int64, r *record, ver string) obj {
	if h == len(acc.hops) {
		v := any(nil)
		if acc.fi == 0 {
			v = t.id(seq)
		} else {
			v = jsonValue(acc.field, r.get(acc.fi))
		}
		for _, m := range o {
			if m.K == acc.field.Name {
				return o
			}
		}
		return append(o, kv{acc.field.Name, v})
	}
	rel := acc.rels[h]
	pt, pseq, pr := s.follow(r.get(acc.hops[h]))
	for i, m := range o {
		if m.K != rel {
			continue
		}
		if child, ok := m.V.(obj); ok && pr != nil {
			o[i].V = s.place(child, acc, h+1, pt, pseq, pr, ver)
		}
		return o
	}
	if pr == nil {
		return append(o, kv{rel, nil})
	}
	child := obj{{"attributes", attributes(pt, pt.id(pseq), ver)}}
	return append(o, kv{rel, s.place(child, acc, h+1, pt, pseq, pr, ver)})
}
