package sftest

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// msTime is a datetime value: Unix milliseconds, UTC.
type msTime int64

// dateVal is a date value, "YYYY-MM-DD".
type dateVal string

// record is one row of a table. vals is indexed like the object's fields
// (it may be shorter than the field list after AddField: missing = null);
// the Id is derived from the record's position.
type record struct {
	vals    []any
	deleted bool   // IsDeleted: in the recycle bin
	gone    bool   // hard-deleted or rolled back: invisible everywhere
	delAt   msTime // when deleted
}

// get returns the value of field i or nil.
func (r *record) get(i int) any {
	if i < len(r.vals) {
		return r.vals[i]
	}
	return nil
}

// set stores v in field i, growing vals as needed.
func (r *record) set(i int, v any) {
	if i >= len(r.vals) {
		if v == nil {
			return
		}
		nv := make([]any, i+1, i+4)
		copy(nv, r.vals)
		r.vals = nv
	}
	r.vals[i] = v
}

// stampEntry is one entry of the SystemModstamp index.
type stampEntry struct {
	ms  msTime
	seq int64
}

func cmpStamp(a, b stampEntry) int {
	return cmp.Or(cmp.Compare(a.ms, b.ms), cmp.Compare(a.seq, b.seq))
}

// table holds the records of one object and their indexes.
type table struct {
	def  *objectDef
	recs []record // recs[seq-1]
	// ext indexes the external-id and unique fields: field index →
	// lower-cased value → sequences.
	ext map[int]map[string][]int64
	// stamps indexes SystemModstamp. Writes append; entries whose ms no
	// longer matches the record are stale and skipped. It is re-sorted (and
	// compacted) lazily when unsorted or too stale.
	stamps   []stampEntry
	unsorted bool
	stale    int
	// field indexes of the system fields (-1 when absent).
	iCreated, iCreatedBy, iModified, iModifiedBy, iStamp, iOwner, iName int
	autoNum                                                             int64
	// metaStamp is when the object's metadata last changed (a field
	// added or changed, field-level security): describe's
	// If-Modified-Since compares with it.
	metaStamp msTime
}

func newTable(def *objectDef) *table {
	t := &table{def: def, ext: map[int]map[string][]int64{}}
	t.reindexSchema()
	return t
}

// reindexSchema caches field positions and creates missing ext indexes.
func (t *table) reindexSchema() {
	pos := func(n string) int {
		_, i, ok := t.def.field(n)
		if !ok {
			return -1
		}
		return i
	}
	t.iCreated, t.iCreatedBy = pos("CreatedDate"), pos("CreatedById")
	t.iModified, t.iModifiedBy = pos("LastModifiedDate"), pos("LastModifiedById")
	t.iStamp, t.iOwner, t.iName = pos("SystemModstamp"), pos("OwnerId"), pos("Name")
	for i, f := range t.def.Fields {
		if (f.ExternalID || f.Unique) && t.ext[i] == nil {
			m := map[string][]int64{}
			for j := range t.recs {
				r := &t.recs[j]
				if s, ok := r.get(i).(string); ok && !r.gone {
					k := strings.ToLower(s)
					m[k] = append(m[k], int64(j+1))
				}
			}
			t.ext[i] = m
		}
	}
}

// rec returns the record with sequence seq, or nil when there is none.
func (t *table) rec(seq int64) *record {
	if seq <= 0 || seq > int64(len(t.recs)) {
		return nil
	}
	r := &t.recs[seq-1]
	if r.gone {
		return nil
	}
	return r
}

// id returns the 18-character id of the seq-th record.
func (t *table) id(seq int64) string { return makeID(t.def.KeyPrefix, seq) }

// stamp returns the record's SystemModstamp.
func (t *table) stamp(r *record) msTime {
	v, _ := r.get(t.iStamp).(msTime)
	return v
}

// indexAdd adds the record's external-id values and modstamp to the indexes.
func (t *table) indexAdd(seq int64, r *record) {
	for i, m := range t.ext {
		if s, ok := r.get(i).(string); ok && s != "" {
			k := strings.ToLower(s)
			m[k] = append(m[k], seq)
		}
	}
	t.stampAdd(seq, t.stamp(r))
}

// indexRemove removes the record's external-id values from the index (the
// modstamp entry just goes stale).
func (t *table) indexRemove(seq int64, r *record) {
	for i, m := range t.ext {
		if s, ok := r.get(i).(string); ok && s != "" {
			k := strings.ToLower(s)
			l := slices.DeleteFunc(m[k], func(x int64) bool { return x == seq })
			if len(l) == 0 {
				delete(m, k)
			} else {
				m[k] = l
			}
		}
	}
	t.stale++
}

func (t *table) stampAdd(seq int64, ms msTime) {
	e := stampEntry{ms, seq}
	if n := len(t.stamps); n > 0 && cmpStamp(t.stamps[n-1], e) > 0 {
		t.unsorted = true
	}
	t.stamps = append(t.stamps, e)
}

// stampIndex returns the SystemModstamp index, sorted by (SystemModstamp,
// Id) and with its stale entries dropped when there are many.
func (t *table) stampIndex() []stampEntry {
	if t.stale > len(t.stamps)/2 || t.unsorted {
		t.rebuildStamps()
	}
	return t.stamps
}

func (t *table) rebuildStamps() {
	st := t.stamps[:0]
	if cap(st) < len(t.recs) {
		st = make([]stampEntry, 0, len(t.recs))
	}
	for i := range t.recs {
		r := &t.recs[i]
		if !r.gone {
			st = append(st, stampEntry{t.stamp(r), int64(i + 1)})
		}
	}
	slices.SortFunc(st, cmpStamp)
	t.stamps, t.unsorted, t.stale = st, false, 0
}

// live reports whether the stamp entry still describes its record.
func (t *table) live(e stampEntry) *record {
	r := t.rec(e.seq)
	if r == nil || t.stamp(r) != e.ms {
		return nil
	}
	return r
}

// lookupExt returns the live or deleted records whose field i equals v
// (case-insensitively).
func (t *table) lookupExt(i int, v string) []int64 {
	m := t.ext[i]
	if m == nil {
		var out []int64
		for j := range t.recs {
			r := &t.recs[j]
			if s, ok := r.get(i).(string); ok && !r.gone && strings.EqualFold(s, v) {
				out = append(out, int64(j+1))
			}
		}
		return out
	}
	return m[strings.ToLower(v)]
}

// clock hands out write timestamps: strictly increasing milliseconds, or
// one frozen instant.
type clock struct {
	now    func() time.Time
	last   msTime
	frozen msTime
}

// tick returns the timestamp of the next write.
func (c *clock) tick() msTime {
	if c.frozen != 0 {
		return c.frozen
	}
	ms := msTime(c.now().UnixMilli())
	if ms <= c.last {
		ms = c.last + 1
	}
	c.last = ms
	return ms
}

// formatMS renders a datetime the way responses do: 2024-01-15T10:30:00.000+0000.
func formatMS(ms msTime) string {
	return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02T15:04:05.000+0000")
}

// toMS converts a time to msTime.
func toMS(t time.Time) msTime { return msTime(t.UnixMilli()) }
