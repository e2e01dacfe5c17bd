package zohotest

import (
	"encoding/gob"
	"fmt"
	"io"
	"strings"
)

// snapshot is the saved form of a Server's state (gob-encoded).
type snapshot struct {
	Version int
	// Clock was the last Modified_Time handed out while writes advanced
	// it one second each; kept so that older snapshots still decode.
	Clock     int64
	NextID    uint64
	NextField uint64
	Users     []user
	Modules   []snapModule
	Desk      snapDesk
}

type snapModule struct {
	APIName, Singular, Plural, Generated, DupField, NameField string
	ID                                                        uint64
	Modified                                                  int64
	Fields                                                    []snapField
	Records                                                   []snapRecord
	Deleted                                                   []deletedEntry
	History                                                   map[uint64][]stageEntry
	// HasLayout is set by snapshots that keep the standard layout's
	// mandatory fields (LayoutRequired); older ones get the defaults.
	HasLayout      bool
	LayoutRequired []string
	LayoutModified int64
	// AutoSeq counts the numbers each autonumber field handed out.
	AutoSeq map[string]int64
}

type snapField struct {
	Field
	ID uint64
}

type snapRecord struct {
	ID, Creator, Modifier uint64
	Created, Modified     int64
	Vals                  []any
}

type snapDesk struct {
	NextID, Department uint64
	TicketNo           int
	LastMod            int64
	Kinds              map[string][]snapDeskItem
}

type snapDeskItem struct {
	ID                uint64
	Created, Modified int64
	F                 map[string]any
}

const snapshotVersion = 1

func init() {
	gob.Register(ref{})
	gob.Register(userRef(0))
	gob.Register(map[string]any{})
	gob.Register([]any{})
	gob.Register([]string{})
}

// Save writes the server's state (users, modules with their fields,
// records, deleted records and stage histories, and the Desk org) in a
// private binary format that Load reads back. Tokens are not saved.
func (s *Server) Save(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap := snapshot{Version: snapshotVersion, NextID: s.ids.seq.Load(), NextField: s.fieldID.seq.Load()}
	for _, u := range s.users {
		snap.Users = append(snap.Users, *u)
	}
	for _, m := range s.order {
		sm := snapModule{APIName: m.APIName, Singular: m.Singular, Plural: m.Plural, Generated: m.Generated,
			DupField: m.DupField, NameField: m.NameField, ID: m.ID, Modified: m.Modified, Deleted: m.deleted, History: m.history,
			HasLayout: true, LayoutRequired: savedLayout(m), LayoutModified: m.layout.modified, AutoSeq: m.autoSeq}
		for _, f := range m.fields {
			sm.Fields = append(sm.Fields, snapField{Field: *f, ID: f.id})
		}
		for i := range m.byID.e {
			e := &m.byID.e[i]
			if m.byID.live(e) {
				r := e.r
				// Values in field order: a removed field's slot is dropped.
				vals := make([]any, len(m.fields))
				for i, f := range m.fields {
					vals[i] = m.get(r, f)
				}
				sm.Records = append(sm.Records, snapRecord{ID: r.id, Creator: r.creator, Modifier: r.modifier,
					Created: r.created, Modified: r.modified, Vals: vals})
			}
		}
		snap.Modules = append(snap.Modules, sm)
	}
	d := s.desk
	snap.Desk = snapDesk{NextID: d.ids.seq.Load(), Department: d.department, TicketNo: d.ticketNo, LastMod: d.lastMod,
		Kinds: map[string][]snapDeskItem{}}
	for name, k := range d.kinds {
		items := make([]snapDeskItem, 0, len(k.items))
		for _, it := range k.items {
			items = append(items, snapDeskItem{ID: it.id, Created: it.created, Modified: it.modified, F: it.f})
		}
		snap.Desk.Kinds[name] = items
	}
	if err := gob.NewEncoder(w).Encode(&snap); err != nil {
		return fmt.Errorf("zohotest: save: %w", err)
	}
	return nil
}

// Load replaces the server's state with one Save wrote. Issued tokens stay
// valid.
func (s *Server) Load(r io.Reader) error {
	var snap snapshot
	if err := gob.NewDecoder(r).Decode(&snap); err != nil {
		return fmt.Errorf("zohotest: load: %w", err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("zohotest: load: snapshot version %d, want %d", snap.Version, snapshotVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = nil
	for i := range snap.Users {
		u := snap.Users[i]
		s.users = append(s.users, &u)
	}
	if len(s.users) == 0 {
		return fmt.Errorf("zohotest: load: snapshot has no users")
	}
	s.modules = map[string]*module{}
	s.order = nil
	for _, sm := range snap.Modules {
		m := newModule(sm.APIName, sm.Singular, sm.Plural, sm.ID, sm.Generated)
		m.DupField, m.NameField, m.Modified, m.deleted = sm.DupField, sm.NameField, sm.Modified, sm.Deleted
		m.history = sm.History
		if m.APIName == "Deals" && m.history == nil {
			m.history = map[uint64][]stageEntry{}
		}
		for _, sf := range sm.Fields {
			f := sf.Field
			f.id = sf.ID
			m.addField(&f)
		}
		for _, sr := range sm.Records {
			vals := sr.Vals
			if len(vals) < m.nslots {
				vals = append(vals, make([]any, m.nslots-len(vals))...)
			}
			r := &record{id: sr.ID, vals: vals, created: sr.Created, modified: sr.Modified, ver: 1,
				creator: sr.Creator, modifier: sr.Modifier}
			m.recs[r.id] = r
			m.indexValues(r, true)
		}
		restoreLayout(m, sm.HasLayout, sm.LayoutRequired, sm.LayoutModified)
		if sm.AutoSeq != nil {
			m.autoSeq = sm.AutoSeq
		}
		m.byID.rebuild(m.recs)
		m.byCreated.rebuild(m.recs)
		m.byModified.rebuild(m.recs)
		s.modules[strings.ToLower(m.APIName)] = m
		s.order = append(s.order, m)
	}
	s.ids.seq.Store(snap.NextID)
	s.fieldID.seq.Store(snap.NextField)
	d := newDeskStore()
	d.ids.seq.Store(snap.Desk.NextID)
	d.department, d.ticketNo, d.lastMod = snap.Desk.Department, snap.Desk.TicketNo, snap.Desk.LastMod
	for name, items := range snap.Desk.Kinds {
		k := d.kinds[name]
		if k == nil {
			continue
		}
		for _, it := range items {
			k.add(&deskItem{id: it.ID, created: it.Created, modified: it.Modified, f: it.F})
		}
	}
	s.desk = d
	return nil
}
