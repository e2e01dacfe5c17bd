package zohotest

import (
	"slices"
	"strings"
	"time"
)

// The value kinds a record slot holds, by field data type:
//
//	text, textarea, email, phone, website, picklist, date, autonumber → string
//	integer, bigint                                                 → int64
//	double, currency, percent, decimal                              → float64
//	boolean                                                         → bool
//	multiselectpicklist                                             → []string
//	datetime                                                        → int64 (Unix seconds)
//	lookup                                                          → ref
//	ownerlookup, userlookup                                         → userRef
//
// A nil slot is an empty (null) field.

// ref points at a record of another (or the same) module.
type ref struct {
	Module string
	ID     uint64
}

// userRef points at a user by id.
type userRef uint64

// record is one CRM record. Created and Modified are Unix seconds.
type record struct {
	id       uint64
	vals     []any
	created  int64
	modified int64
	ver      uint64 // bumped by every write; index entries remember it
	deleted  bool
	creator  uint64 // user id
	modifier uint64
}

// stageEntry is one row of a deal's Stage_History related list.
type stageEntry struct {
	ID          uint64
	Stage       string
	Amount      *float64
	Probability *int64
	ClosingDate string
	ModifiedBy  uint64
	At          int64 // Unix seconds
}

// deletedEntry is one row of the deleted-records list (sheet §2.6).
type deletedEntry struct {
	ID          uint64
	DisplayName string
	Type        string // recycle | permanent
	At          int64
	DeletedBy   uint64
	CreatedBy   uint64
}

// module is one CRM module: its metadata, fields and records.
type module struct {
	APIName   string
	Singular  string
	Plural    string
	ID        uint64
	Generated string // "default" or "custom"
	DupField  string // the system duplicate-check field for upsert, or ""
	NameField string // the field a lookup shows as its "name"
	Modified  int64

	fields []*Field
	byName map[string]*Field
	nslots int // record value slots handed out (a removed field keeps its slot)

	layout  *layout          // the module's standard layout
	autoSeq map[string]int64 // autonumber field → numbers handed out

	recs       map[uint64]*record
	byID       index // sorted by id
	byCreated  index // sorted by (Created_Time, id)
	byModified index // sorted by (Modified_Time, id)

	unique  map[string]map[string]uint64   // unique field → value → id
	dupIdx  map[string]map[string][]uint64 // lazily built value index of dup-check fields
	deleted []deletedEntry
	history map[uint64][]stageEntry // Deals only
}

func newModule(api, singular, plural string, id uint64, generated string) *module {
	m := &module{APIName: api, Singular: singular, Plural: plural, ID: id, Generated: generated,
		byName: map[string]*Field{}, recs: map[uint64]*record{},
		unique: map[string]map[string]uint64{}, dupIdx: map[string]map[string][]uint64{}, autoSeq: map[string]int64{}}
	m.byID.kind = sortID
	m.byCreated.kind = sortCreated
	m.byModified.kind = sortModified
	return m
}

// field returns the field with API name n (case-sensitive, as Zoho).
func (m *module) field(n string) *Field { return m.byName[n] }

// newVals returns an empty value slice for a new record.
func (m *module) newVals() []any { return make([]any, m.nslots) }

func (m *module) addField(f *Field) {
	f.slot = m.nslots
	m.nslots++
	m.fields = append(m.fields, f)
	m.byName[f.APIName] = f
	if f.Unique {
		m.unique[f.APIName] = map[string]uint64{}
	}
	for _, r := range m.recs {
		r.vals = append(r.vals, nil)
	}
}

// removeField drops f from the module; records keep its slot, unread.
func (m *module) removeField(f *Field) {
	m.fields = slices.DeleteFunc(m.fields, func(x *Field) bool { return x == f })
	delete(m.byName, f.APIName)
	delete(m.unique, f.APIName)
	delete(m.dupIdx, f.APIName)
	delete(m.autoSeq, f.APIName)
}

func (m *module) get(r *record, f *Field) any {
	if f.slot < len(r.vals) {
		return r.vals[f.slot]
	}
	return nil
}

// insert stores a new record and indexes it.
func (m *module) insert(r *record) {
	m.recs[r.id] = r
	m.byID.add(r)
	m.byCreated.add(r)
	m.byModified.add(r)
	m.indexValues(r, true)
}

// touch re-indexes r after its Modified_Time changed.
func (m *module) touch(r *record) {
	m.byModified.stale++
	m.byModified.add(r)
	m.byModified.compact()
}

// remove deletes r from the live set.
func (m *module) remove(r *record) {
	m.indexValues(r, false)
	delete(m.recs, r.id)
	r.deleted = true
	for _, ix := range []*index{&m.byID, &m.byCreated, &m.byModified} {
		ix.stale++
		ix.compact()
	}
}

// uniqueKey normalizes a value for unique and duplicate checks (Zoho's
// checks are case-insensitive).
func uniqueKey(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		if v == "" {
			return "", false
		}
		return strings.ToLower(v), true
	case int64, float64:
		return strings.ToLower(fmtValue(v)), true
	}
	return "", false
}

// indexValues adds (add) or removes r's values from the unique and
// duplicate-check indexes.
func (m *module) indexValues(r *record, add bool) {
	for name, idx := range m.unique {
		k, ok := uniqueKey(m.get(r, m.byName[name]))
		if !ok {
			continue
		}
		if add {
			idx[k] = r.id
		} else if idx[k] == r.id {
			delete(idx, k)
		}
	}
	for name, idx := range m.dupIdx {
		k, ok := uniqueKey(m.get(r, m.byName[name]))
		if !ok {
			continue
		}
		if add {
			idx[k] = append(idx[k], r.id)
		} else {
			idx[k] = slices.DeleteFunc(idx[k], func(id uint64) bool { return id == r.id })
			if len(idx[k]) == 0 {
				delete(idx, k)
			}
		}
	}
}

// findBy returns the oldest live record whose field f equals v
// (case-insensitively), building the value index on first use.
func (m *module) findBy(f *Field, v any) *record {
	k, ok := uniqueKey(v)
	if !ok {
		return nil
	}
	if idx, ok := m.unique[f.APIName]; ok {
		if r := m.recs[idx[k]]; r != nil && !isConverted(m, r) {
			return r
		}
		return nil
	}
	idx, ok := m.dupIdx[f.APIName]
	if !ok {
		idx = map[string][]uint64{}
		for _, e := range m.byID.e {
			if e.r.deleted {
				continue
			}
			if k, ok := uniqueKey(m.get(e.r, f)); ok {
				idx[k] = append(idx[k], e.r.id)
			}
		}
		m.dupIdx[f.APIName] = idx
	}
	// The oldest record that is not a converted lead (converted leads
	// leave the module's duplicate check; unconfirmed).
	var best *record
	for _, id := range idx[k] {
		if r := m.recs[id]; r != nil && !isConverted(m, r) && (best == nil || id < best.id) {
			best = r
		}
	}
	return best
}

// Sort keys of an index.
const (
	sortID = iota
	sortCreated
	sortModified
)

// index keeps records in one sort order. Entries are never updated in
// place: a write appends a new entry and leaves the old one stale (deleted
// record, or an older version for the Modified_Time order); compact drops
// stale entries once they outnumber the live ones. Writes carry the newest
// times, so adding is an append in the common case; older keys (seeding,
// a frozen clock) are inserted in place.
type index struct {
	kind  int
	e     []ientry
	stale int
}

type ientry struct {
	key int64
	id  uint64
	ver uint64
	r   *record
}

func (ix *index) keyOf(r *record) int64 {
	switch ix.kind {
	case sortCreated:
		return r.created
	case sortModified:
		return r.modified
	}
	return 0
}

func less(ak int64, aid uint64, bk int64, bid uint64) bool {
	return ak < bk || ak == bk && aid < bid
}

func (ix *index) add(r *record) {
	e := ientry{key: ix.keyOf(r), id: r.id, ver: r.ver, r: r}
	n := len(ix.e)
	if n == 0 || less(ix.e[n-1].key, ix.e[n-1].id, e.key, e.id) {
		ix.e = append(ix.e, e)
		return
	}
	i := ix.search(e.key, e.id)
	ix.e = slices.Insert(ix.e, i, e)
}

// search returns the position of the first entry not below (key, id).
func (ix *index) search(key int64, id uint64) int {
	i, _ := slices.BinarySearchFunc(ix.e, ientry{key: key, id: id}, func(a, b ientry) int {
		if less(a.key, a.id, b.key, b.id) {
			return -1
		}
		if a.key == b.key && a.id == b.id {
			return 0
		}
		return 1
	})
	return i
}

func (ix *index) live(e *ientry) bool {
	if e.r.deleted {
		return false
	}
	return ix.kind != sortModified || e.ver == e.r.ver
}

func (ix *index) compact() {
	if ix.stale < 1024 || ix.stale*2 < len(ix.e) {
		return
	}
	out := ix.e[:0]
	for i := range ix.e {
		if ix.live(&ix.e[i]) {
			out = append(out, ix.e[i])
		}
	}
	clear(ix.e[len(out):])
	ix.e = out
	ix.stale = 0
}

// rebuild re-sorts the index from the live records (after seeding).
func (ix *index) rebuild(recs map[uint64]*record) {
	ix.e = ix.e[:0]
	for _, r := range recs {
		ix.e = append(ix.e, ientry{key: ix.keyOf(r), id: r.id, ver: r.ver, r: r})
	}
	slices.SortFunc(ix.e, func(a, b ientry) int {
		if less(a.key, a.id, b.key, b.id) {
			return -1
		}
		if a.key == b.key && a.id == b.id {
			return 0
		}
		return 1
	})
	ix.stale = 0
}

// clock hands out Modified_Time values: the server's clock (Options.Now)
// in whole seconds, as Zoho writes them. Writes in the same second share a
// Modified_Time, as on the real service; a cursor on Modified_Time must
// re-read its boundary second (the list orders ties by id, and a page
// token remembers both). A skewed Options.Now (a clock running ahead or
// behind) is followed as it is: the skew is an offset on the real clock.
type clock struct {
	now func() time.Time
}

func (c *clock) tick() int64 { return c.now().Unix() }
