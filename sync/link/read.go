package link

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// record is one live record of a side, as the latest extract holds it.
type record struct {
	id        string
	vals      map[string]any // by lower-case column name
	modified  time.Time      // the record's modified time (the system's clock)
	extracted time.Time      // when revops read this version (revops's clock)
	// changed holds, per lower-case column, when the column took its
	// current value (from the history table; absent without history).
	changed map[string]time.Time
	// pass is false for a record its side's filter leaves out.
	pass bool
	// dated is set once the history was read for the record (see
	// sideData.date).
	dated bool
	// written holds the columns another link wrote since the record's
	// extract (loadOthersWrites): their change time is that write's.
	written map[string]bool
}

// sideData is one side's extract.
type sideData struct {
	rel   string
	recs  map[string]*record
	order []string // ids in order
	// hist is where the side's history is read from, on demand (date).
	hist histSource
	// converted counts converted leads, left out.
	converted int64
}

// columnsOf returns the lower-case column names of rel mapped to their
// spelling; an error when rel cannot be read.
func columnsOf(ctx context.Context, w Warehouse, rel string) (map[string]string, error) {
	r, err := w.Query(ctx, "SELECT * FROM "+rel+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer r.Release()
	for r.Next() {
	}
	out := map[string]string{}
	for _, f := range r.Schema().Fields() {
		out[strings.ToLower(f.Name)] = f.Name
	}
	return out, nil
}

// loadSide reads the live records of side i with the columns cols (API
// names; case-insensitive) from its landed table, and, when the table
// has a history (<table>__history), when each column took its value.
func (e *engine) loadSide(ctx context.Context, i int, cols []string) (*sideData, error) {
	s := e.spec
	schema, table := s.table(i)
	rel := quoteIdent(schema) + "." + quoteIdent(table)
	sd := s.Sides()[i]
	have, err := columnsOf(ctx, e.w, rel)
	if err != nil {
		return nil, fmt.Errorf("link %s: read %s (%s %s): %w (extract the source first)", s.Name, schema+"."+table, sd.Source, sd.Object, err)
	}
	idCol := have["id"]
	if idCol == "" {
		return nil, fmt.Errorf("link %s: %s.%s has no id column", s.Name, schema, table)
	}
	modCol := ""
	if sd.Modified != "" {
		if modCol = have[strings.ToLower(sd.Modified)]; modCol == "" {
			return nil, fmt.Errorf("link %s: %s.%s has no column %s (%s.modified)", s.Name, schema, table, sd.Modified, [...]string{"left", "right"}[i])
		}
	} else {
		for _, c := range []string{"lastmodifieddate", "modified_time", "modifiedtime", "systemmodstamp"} {
			if have[c] != "" {
				modCol = have[c]
				break
			}
		}
	}
	sel := []string{quoteIdent(idCol)}
	sel = append(sel, orNull(have, modCol), orNull(have, "_extracted_at"))
	var want []string
	seen := map[string]bool{}
	for _, c := range cols {
		lc := strings.ToLower(c)
		if seen[lc] {
			continue
		}
		seen[lc] = true
		real := have[lc]
		if real == "" {
			return nil, fmt.Errorf("link %s: %s.%s has no column %s: %s %s has no such field, or it was not extracted yet (run revops extract)",
				s.Name, schema, table, c, sd.Source, sd.Object)
		}
		want = append(want, lc)
		sel = append(sel, quoteIdent(real))
	}
	where := []string{}
	if have["_deleted_at"] != "" {
		where = append(where, "_deleted_at IS NULL")
	}
	if have["isdeleted"] != "" {
		where = append(where, "NOT coalesce("+quoteIdent(have["isdeleted"])+", false)")
	}
	// A converted lead is not written (Salesforce refuses updates of it,
	// Zoho answers as for a missing record): it is counted, not paired.
	converted := ""
	for _, c := range []string{"isconverted", "converted__s"} {
		if have[c] != "" {
			converted = "coalesce(" + quoteIdent(have[c]) + ", false)"
		}
	}
	filter, args, err := s.filterSQL(i, have, schema+"."+table)
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", s.Name, err)
	}
	if filter == "" {
		filter = "true"
	}
	sel = append(sel, filter)
	if converted != "" {
		sel = append(sel, converted)
	} else {
		sel = append(sel, "false")
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + rel
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := queryRows(ctx, e.w, q, args...)
	if err != nil {
		if s.filtered(i) {
			return nil, fmt.Errorf("link %s: read %s.%s with filter.%s: %w", s.Name, schema, table, [...]string{"left", "right"}[i], err)
		}
		return nil, fmt.Errorf("link %s: read %s.%s: %w", s.Name, schema, table, err)
	}
	out := &sideData{rel: schema + "." + table, recs: make(map[string]*record, len(rows))}
	for _, row := range rows {
		if row[len(row)-1] == true {
			out.converted++
			continue
		}
		r := &record{id: str(row[0]), modified: tm(row[1]), extracted: tm(row[2]), vals: make(map[string]any, len(want)),
			pass: row[len(row)-2] == true}
		for j, c := range want {
			r.vals[c] = row[3+j]
		}
		if r.id == "" {
			continue
		}
		out.recs[r.id] = r
		out.order = append(out.order, r.id)
	}
	sort.Strings(out.order)
	out.hist = histSource{schema: schema, table: table, idCol: idCol, cols: want}
	if hc, err := columnsOf(ctx, e.w, quoteIdent(schema)+"."+quoteIdent(table+"__history")); err == nil && hc["_valid_from"] != "" {
		out.hist.have = hc
	}
	if err := e.loadOthersWrites(ctx, i, out); err != nil {
		return nil, err
	}
	return out, nil
}

const (
	writtenValuesInsert   = `INSERT INTO _revops.link_written_values (link, source, object, record_id, answered_at, vals)`
	writtenValuesConflict = `ON CONFLICT (link, source, object, record_id) DO UPDATE SET answered_at = excluded.answered_at, vals = excluded.vals`
)

// loadOthersWrites takes, for the records of side i that another link
// wrote after they were extracted (in this run, before this link: an
// earlier link of the run, or of a run whose extract has not seen it),
// the values that link wrote as their current values, changed at the
// time of its answer; a later write of this link to the record wins.
// So links that share a record (Zoho Desk ⇄ Zoho CRM and Zoho CRM ⇄
// Salesforce contacts) carry one another's writes in the same run
// instead of comparing against an extract older than them.
func (e *engine) loadOthersWrites(ctx context.Context, i int, sd *sideData) error {
	side := e.spec.Sides()[i]
	rows, err := queryRows(ctx, e.w, `SELECT w.record_id, w.answered_at, w.vals FROM _revops.link_written_values AS w
		WHERE w.link <> ? AND lower(w.source) = lower(?) AND lower(w.object) = lower(?)
		  AND NOT EXISTS (SELECT 1 FROM _revops.link_written_values AS o
		      WHERE o.link = ? AND o.source = w.source AND o.object = w.object AND o.record_id = w.record_id AND o.answered_at >= w.answered_at)
		ORDER BY w.answered_at`, e.spec.Name, side.Source, side.Object, e.spec.Name)
	if err != nil {
		return fmt.Errorf("link %s: read other links' writes to %s %s: %w", e.spec.Name, side.Source, side.Object, err)
	}
	for _, row := range rows {
		r := sd.recs[str(row[0])]
		answered := tm(row[1])
		if r == nil || !r.extracted.IsZero() && r.extracted.After(answered) {
			continue
		}
		var vals map[string]any
		if json.Unmarshal([]byte(str(row[2])), &vals) != nil {
			continue
		}
		for n, v := range vals {
			lc := strings.ToLower(n)
			if _, read := r.vals[lc]; !read {
				continue
			}
			r.vals[lc] = v
			if r.changed == nil {
				r.changed = map[string]time.Time{}
			}
			if r.written == nil {
				r.written = map[string]bool{}
			}
			r.changed[lc], r.written[lc] = answered, true
		}
	}
	return nil
}

func orNull(have map[string]string, col string) string {
	if c := have[strings.ToLower(col)]; c != "" {
		return quoteIdent(c)
	}
	return "NULL"
}

// histSource is a side's history table (<table>__history) and the
// columns whose change times a comparison may need.
type histSource struct {
	schema, table, idCol string
	cols                 []string
	// have are the history table's columns (lower-case to spelling);
	// nil when the side has no history.
	have map[string]string
}

// datedFor reports whether r's change times are known: its history was
// read, or the side has none (its modified time dates its fields).
func (sd *sideData) datedFor(r *record) bool { return sd.hist.have == nil || r.dated }

// historyAll is the share of a side's records above which date reads
// the whole history table instead of the records' versions by id.
const historyAll = 4

// date reads, for the records ids of sd whose history was not read yet,
// when each column took its current value (loadHistory). Only the
// records whose change times a run needs are dated (conflicts,
// transitions): a run that changes little reads little history.
func (e *engine) date(ctx context.Context, sd *sideData, ids []string) error {
	if sd.hist.have == nil {
		return nil
	}
	var want []string
	for _, id := range ids {
		if r := sd.recs[id]; r != nil && !r.dated {
			r.dated = true
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if len(want)*historyAll > len(sd.recs) {
		return e.loadHistory(ctx, sd, nil)
	}
	sort.Strings(want)
	for start := 0; start < len(want); start += chunk {
		if err := e.loadHistory(ctx, sd, want[start:min(start+chunk, len(want))]); err != nil {
			return err
		}
	}
	return nil
}

// loadHistory sets, for each record (of ids; all when nil) and column,
// the start of the trailing run of versions holding the column's current
// value: the column's own change time (the system's clock, as
// _valid_from is). A column another link wrote since the record's
// extract keeps the time of that write (loadOthersWrites).
func (e *engine) loadHistory(ctx context.Context, sd *sideData, ids []string) error {
	h := sd.hist
	rel := quoteIdent(h.schema) + "." + quoteIdent(h.table+"__history")
	have := h.have
	if have == nil {
		return nil // no history extracted: the record's modified time dates its fields
	}
	idCol := quoteIdent(have[strings.ToLower(h.idCol)])
	sel := []string{idCol, quoteIdent(have["_valid_from"])}
	var use []string
	for _, c := range h.cols {
		if have[c] != "" {
			sel = append(sel, quoteIdent(have[c]))
			use = append(use, c)
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + rel
	var args []any
	if ids != nil {
		q += " WHERE " + idCol + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := queryRows(ctx, e.w, q+" ORDER BY 1, 2", args...)
	if err != nil {
		return fmt.Errorf("link %s: read %s.%s__history: %w", e.spec.Name, h.schema, h.table, err)
	}
	type run struct {
		val   string
		start time.Time
	}
	var cur string
	runs := map[string]run{}
	flush := func() {
		r := sd.recs[cur]
		if r == nil {
			return
		}
		r.dated = true
		if r.changed == nil {
			r.changed = map[string]time.Time{}
		}
		for c, ru := range runs {
			if _, other := r.written[c]; !other {
				r.changed[c] = ru.start
			}
		}
	}
	for _, row := range rows {
		id := str(row[0])
		if id != cur {
			flush()
			cur, runs = id, map[string]run{}
		}
		from := tm(row[1])
		for j, c := range use {
			v := text(row[2+j])
			if ru, ok := runs[c]; !ok || ru.val != v {
				runs[c] = run{val: v, start: from}
			}
		}
	}
	flush()
	return nil
}

// pairing is the link's pairs and what could not be paired.
type pairing struct {
	pairs [][2]string // left id, right id; sorted by left id
	// missing counts records per side whose pairing key is empty;
	// orphans records whose key finds no record on the other side;
	// ambiguous records whose key is held by more than one record.
	missing, orphans [2]int64
	ambiguous        int64
	examples         []string
	// ambiguousIDs are the records (per side) counted in ambiguous.
	ambiguousIDs [2]map[string]bool
}

func (p *pairing) note(format string, args ...any) {
	if len(p.examples) < 10 {
		p.examples = append(p.examples, fmt.Sprintf(format, args...))
	}
}

// pair pairs the records of the two sides as the spec says: by its
// pairing, then by each of pair.then for the records still unpaired.
// Records whose key is missing or shared are reported, never guessed; a
// record a pairing found ambiguous is not offered to the next.
func (e *engine) pair(ctx context.Context, data [2]*sideData) (*pairing, error) {
	ms := e.spec.Pair.methods()
	out := &pairing{}
	cur := data
	for k, m := range ms {
		p, err := e.pairBy(ctx, cur, m)
		if err != nil {
			return nil, err
		}
		out.pairs = append(out.pairs, p.pairs...)
		out.ambiguous += p.ambiguous
		for _, x := range p.examples {
			out.note("%s", x)
		}
		if k == len(ms)-1 {
			out.missing, out.orphans = p.missing, p.orphans
			break
		}
		taken := [2]map[string]bool{{}, {}}
		for _, pr := range p.pairs {
			taken[0][pr[0]], taken[1][pr[1]] = true, true
		}
		for i := range 2 {
			for id := range p.ambiguousIDs[i] {
				taken[i][id] = true
			}
		}
		var next [2]*sideData
		for i := range 2 {
			next[i] = cur[i].without(taken[i])
		}
		cur = next
	}
	sort.Slice(out.pairs, func(a, b int) bool { return out.pairs[a][0] < out.pairs[b][0] })
	return out, nil
}

// without returns sd less the records of ids.
func (sd *sideData) without(ids map[string]bool) *sideData {
	out := *sd
	out.recs = make(map[string]*record, len(sd.recs))
	out.order = make([]string, 0, len(sd.order))
	for _, id := range sd.order {
		if !ids[id] {
			out.recs[id] = sd.recs[id]
			out.order = append(out.order, id)
		}
	}
	return &out
}

// ambiguousOn notes records of side i that a pairing found ambiguous.
func (p *pairing) ambiguousOn(i int, ids ...string) {
	if p.ambiguousIDs[i] == nil {
		p.ambiguousIDs[i] = map[string]bool{}
	}
	for _, id := range ids {
		p.ambiguousIDs[i][id] = true
	}
}

// pairBy pairs the records of data by one pairing.
func (e *engine) pairBy(ctx context.Context, data [2]*sideData, pp Pair) (*pairing, error) {
	s := e.spec
	p := &pairing{}
	switch pp.By {
	case "crosswalk":
		rel := pp.Crosswalk
		if rel == "" {
			rel = "identity.crosswalk"
		}
		sch, tab, _ := strings.Cut(rel, ".")
		rows, err := queryRows(ctx, e.w, `SELECT system, object, source_id, golden_id FROM `+quoteIdent(sch)+"."+quoteIdent(tab)+
			` WHERE lower(system) IN (?, ?)`, strings.ToLower(s.Left.Source), strings.ToLower(s.Right.Source))
		if err != nil {
			return nil, fmt.Errorf("link %s: pair by crosswalk: read %s: %w (run revops build first)", s.Name, rel, err)
		}
		byGolden := map[string][2][]string{}
		for _, row := range rows {
			sys, obj, id, g := str(row[0]), str(row[1]), str(row[2]), str(row[3])
			for i, sd := range s.Sides() {
				if strings.EqualFold(sys, sd.Source) && strings.EqualFold(obj, sd.Object) && data[i].recs[id] != nil && g != "" {
					m := byGolden[g]
					m[i] = append(m[i], id)
					byGolden[g] = m
				}
			}
		}
		inGolden := [2]map[string]bool{{}, {}}
		for _, g := range sortedKeys(byGolden) {
			m := byGolden[g]
			for i := range 2 {
				for _, id := range m[i] {
					inGolden[i][id] = true
				}
			}
			switch {
			case len(m[0]) == 1 && len(m[1]) == 1:
				p.pairs = append(p.pairs, [2]string{m[0][0], m[1][0]})
			case len(m[0]) > 0 && len(m[1]) > 0:
				p.ambiguous += int64(len(m[0]) + len(m[1]))
				p.ambiguousOn(0, m[0]...)
				p.ambiguousOn(1, m[1]...)
				p.note("golden id %s holds %d %s and %d %s records: not paired (decide with revops identity decide)", g,
					len(m[0]), s.Left.Object, len(m[1]), s.Right.Object)
			default:
				p.orphans[0] += int64(len(m[0]))
				p.orphans[1] += int64(len(m[1]))
			}
		}
		for i := range 2 {
			for _, id := range data[i].order {
				if !inGolden[i][id] {
					p.missing[i]++
					switch {
					case p.missing[i] != 1:
					case pp.Crosswalk == "":
						p.note("%s %s %s is not in %s yet (run revops build): not paired", s.Sides()[i].Source, s.Sides()[i].Object, id, rel)
					default: // a relation of the user's: it pairs only some records
						p.note("%s %s %s is not in %s: not paired", s.Sides()[i].Source, s.Sides()[i].Object, id, rel)
					}
				}
			}
		}
	case "id_field":
		from, field := 0, pp.Left
		if field == "" {
			from, field = 1, pp.Right
		}
		to := 1 - from
		index := map[string]string{}
		for _, id := range data[to].order {
			index[idKey(id)] = id
		}
		claimed := map[string][]string{}
		for _, id := range data[from].order {
			v := text(data[from].recs[id].vals[strings.ToLower(field)])
			switch {
			case v == "":
				p.missing[from]++
				if p.missing[from] <= 3 {
					p.note("%s %s %s: %s is empty: not paired", s.Sides()[from].Source, s.Sides()[from].Object, id, field)
				}
			case index[idKey(v)] == "":
				p.orphans[from]++
				if p.orphans[from] <= 3 {
					p.note("%s %s %s: %s holds %s, which is no live %s %s record: not paired", s.Sides()[from].Source, s.Sides()[from].Object,
						id, field, v, s.Sides()[to].Source, s.Sides()[to].Object)
				}
			default:
				claimed[index[idKey(v)]] = append(claimed[index[idKey(v)]], id)
			}
		}
		paired := map[string]bool{}
		for _, other := range sortedKeys(claimed) {
			ids := claimed[other]
			if len(ids) > 1 {
				p.ambiguous += int64(len(ids))
				p.ambiguousOn(from, ids...)
				p.ambiguousOn(to, other)
				p.note("%d %s records name %s %s in %s (%s): not paired", len(ids), s.Sides()[from].Object, s.Sides()[to].Object, other, field, strings.Join(ids, ", "))
				continue
			}
			paired[other] = true
			pr := [2]string{}
			pr[from], pr[to] = ids[0], other
			p.pairs = append(p.pairs, pr)
		}
		for _, id := range data[to].order {
			if !paired[id] && len(claimed[id]) == 0 {
				p.orphans[to]++
			}
		}
	case "key":
		typ := pp.Type
		if typ == "" {
			typ = typeText
		}
		idx := [2]map[string][]string{{}, {}}
		for i, field := range [2]string{pp.Left, pp.Right} {
			for _, id := range data[i].order {
				k := canon(typ, data[i].recs[id].vals[strings.ToLower(field)], e.region)
				if typ == typeText {
					k = strings.ToLower(k)
				}
				if k == "" {
					p.missing[i]++
					if p.missing[i] <= 3 {
						p.note("%s %s %s: %s is empty: not paired", s.Sides()[i].Source, s.Sides()[i].Object, id, field)
					}
					continue
				}
				idx[i][k] = append(idx[i][k], id)
			}
		}
		for _, k := range sortedKeys(idx[0]) {
			l, r := idx[0][k], idx[1][k]
			switch {
			case len(r) == 0:
				p.orphans[0] += int64(len(l))
			case len(l) == 1 && len(r) == 1:
				p.pairs = append(p.pairs, [2]string{l[0], r[0]})
			default:
				p.ambiguous += int64(len(l) + len(r))
				p.ambiguousOn(0, l...)
				p.ambiguousOn(1, r...)
				p.note("key %q is held by %d %s and %d %s records: not paired", k, len(l), s.Left.Object, len(r), s.Right.Object)
			}
		}
		for k, r := range idx[1] {
			if len(idx[0][k]) == 0 {
				p.orphans[1] += int64(len(r))
			}
		}
	}
	return p, nil
}

// idKey compares record ids: Salesforce's 18-character ids by their
// case-sensitive 15-character form.
func idKey(id string) string {
	if len(id) == 18 && !isDigits(id) {
		return id[:15]
	}
	return id
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
