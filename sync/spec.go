package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// Mode says which rows a sync sends and whether it creates or removes
// destination records.
type Mode string

// Sync modes.
const (
	// ModeUpsert creates records for new keys and updates known ones.
	ModeUpsert Mode = "upsert"
	// ModeUpdate only updates existing records; it never creates.
	ModeUpdate Mode = "update"
	// ModeInsert only creates records for keys never written before.
	ModeInsert Mode = "insert"
	// ModeMirror is upsert plus removing (deleting or archiving) the
	// destination records whose rows left the model.
	ModeMirror Mode = "mirror"
)

// Spec is one sync: a model, a destination, a mode, how rows match
// destination records, and the field mapping. It is decoded from an entry
// of `syncs:` in revops.yaml with Parse.
type Spec struct {
	// Name is the sync's name (the `name:` key of its entry).
	Name string `yaml:"-"`
	// Model is the relation the sync reads (e.g. syncs.account_enrichment_sf).
	Model string `yaml:"model"`
	// SQL is an inline SELECT read instead of Model.
	SQL string `yaml:"sql"`
	// Destination names the configured source whose API is written and
	// the object (Salesforce sObject or Zoho module).
	Destination Target `yaml:"destination"`
	// Mode is upsert, update, insert or mirror.
	Mode Mode `yaml:"mode"`
	// Match says how rows find destination records.
	Match MatchSpec `yaml:"match"`
	// Key is the model's key column: one row per key.
	Key string `yaml:"key"`
	// Mapping maps destination field API names to what fills them.
	Mapping map[string]FieldMap `yaml:"mapping"`
	// Mirror configures removals in mirror mode.
	Mirror *MirrorSpec `yaml:"mirror"`
	// OnDeleted says what a run does with a row whose destination record
	// was deleted by someone else (the API answers ENTITY_IS_DELETED,
	// INVALID_CROSS_REFERENCE_KEY, Zoho's INVALID_DATA on the id): unlink
	// (the default), recreate or fail. See DeletedPolicy.
	OnDeleted DeletedPolicy `yaml:"on_deleted"`
}

// DeletedPolicy is what a sync does when a record it writes to was
// deleted in the destination by someone else.
type DeletedPolicy string

// Deleted-record policies.
const (
	// DeletedUnlink (the default) forgets the record: the row is no longer
	// written, whatever it holds later, until `revops sync reset NAME
	// --key K` forgets the decision (the next run then creates it again).
	// Someone deleted the record on purpose; revops does not bring it back.
	DeletedUnlink DeletedPolicy = "unlink"
	// DeletedRecreate creates the record again in the same run (modes
	// that create records only).
	DeletedRecreate DeletedPolicy = "recreate"
	// DeletedFail records the row as failed (its code says why) and tries
	// again every run, as revops did before the policy existed.
	DeletedFail DeletedPolicy = "fail"
)

// DeletedPolicy returns the sync's policy for deleted destination
// records: on_deleted, or DeletedUnlink when it is not set.
func (s *Spec) DeletedPolicy() DeletedPolicy {
	if s.OnDeleted == "" {
		return DeletedUnlink
	}
	return s.OnDeleted
}

// Target is a sync's destination.
type Target struct {
	// Source names a configured source whose credentials and limits are used.
	Source string `yaml:"source"`
	// Object is the Salesforce object or Zoho module API name.
	Object string `yaml:"object"`
}

// MatchSpec is the YAML form of Match.
type MatchSpec struct {
	// By is id, external_id or duplicate_check.
	By string `yaml:"by"`
	// Field is the Salesforce external id field (by: external_id).
	Field string `yaml:"field"`
	// Fields are the duplicate-check entries (by: duplicate_check), tried
	// in order: Zoho's duplicate_check_fields, or, for Salesforce, fields
	// revops matches itself (Email across Lead and Contact, phones by
	// their digits, and entries of several fields joined by "+", such as
	// "LastName+Company", that match when every part does). See
	// MatchEntries.
	Fields []string `yaml:"fields"`
	// CreateKey (by: id only) names a unique text field of the
	// destination (in Salesforce, best a unique external id) into which
	// every create writes a key of revops's own, "<sync>:<key>", so that
	// a create whose answer was lost (a dropped connection, a killed run)
	// is found again instead of being sent twice, and a second create of
	// the same key is refused by the destination itself. It is left out
	// of Fingerprint: it changes no row already written.
	CreateKey string `yaml:"create_key" json:"-"`
}

// FieldMap fills one destination field: from a column, a constant, or a
// lookup of another sync's destination ids. Picklist optionally maps the
// column's values (an inline mapping, or a table "schema.table" whose
// columns `from` and `to` — else its last two columns — hold the pairs).
// A value missing from the map passes through only when it is itself a
// value of the destination's picklist; otherwise the row fails naming
// the value. The write options say when the field is written.
type FieldMap struct {
	Column       string      `yaml:"column"`
	Value        any         `yaml:"value"`
	Lookup       *LookupSpec `yaml:"lookup"`
	Picklist     any         `yaml:"picklist"`
	WriteOptions `yaml:",inline"`
}

// WriteOptions say when a mapped field is written. They apply to one-way
// syncs field by field; all false (the default) writes the field's value
// on every create and every update, empty values included (they clear the
// field).
type WriteOptions struct {
	// SkipNulls never writes an empty value (NULL, "" or an empty list):
	// the field is left out of the write, so the destination keeps what it
	// holds (a NULL phone in the model does not clear the record's phone).
	SkipNulls bool `yaml:"skip_nulls" json:",omitempty"`
	// FillIfEmpty writes the field on create, and on update only when the
	// destination's current value is empty. The current value is read from
	// the last extract of the destination (the table <source>.<object>,
	// adjusted for what revops itself wrote since), else from the
	// destination's API (one read per 100 records).
	FillIfEmpty bool `yaml:"fill_if_empty" json:",omitempty"`
	// NeverOverwrite writes the field on create only: a record that
	// exists keeps its value.
	NeverOverwrite bool `yaml:"never_overwrite" json:",omitempty"`
}

// Any reports whether any option is set.
func (o WriteOptions) Any() bool { return o.SkipNulls || o.FillIfEmpty || o.NeverOverwrite }

// OnUpdate reports whether the options need to know that the record
// exists (and, for FillIfEmpty, its current value) before writing.
func (o WriteOptions) OnUpdate() bool { return o.FillIfEmpty || o.NeverOverwrite }

// Allows reports whether a write sends value to the field: exists says
// whether the record already exists (false: the write creates it), and
// current is the destination's current value when known (known false:
// not read). A FillIfEmpty field whose current value is not known is not
// sent to an existing record: revops never overwrites what it could not
// see.
func (o WriteOptions) Allows(value any, exists bool, current any, known bool) bool {
	if o.SkipNulls && isEmpty(value) {
		return false
	}
	if !exists {
		return true
	}
	switch {
	case o.NeverOverwrite:
		return false
	case o.FillIfEmpty:
		return known && isEmpty(current)
	}
	return true
}

// LookupSpec resolves a reference field: the destination id that sync
// Sync wrote for the key held in Column.
type LookupSpec struct {
	Sync   string `yaml:"sync"`
	Column string `yaml:"column"`
}

// MirrorSpec says what mirror mode does to records whose rows left the model.
type MirrorSpec struct {
	// Action is delete or archive.
	Action string `yaml:"action"`
	// ArchiveField and ArchiveValue are set on archived records.
	ArchiveField string `yaml:"archive_field"`
	ArchiveValue any    `yaml:"archive_value"`
	// MaxShare is the largest share of the synced records one run may
	// remove without --allow-mass-delete (default 0.1).
	MaxShare float64 `yaml:"max_share"`
}

var (
	identRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	relationRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)
)

// Fields returns the mapped destination fields, sorted.
func (s *Spec) Fields() []string {
	out := make([]string, 0, len(s.Mapping))
	for f := range s.Mapping {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// MatchFor returns the Destination match of the spec.
func (s *Spec) MatchFor() Match {
	return Match{By: s.Match.By, Field: s.Match.Field, Fields: s.Match.Fields}
}

// MatchEntries splits duplicate-check entries into their fields: "Email"
// is one field, "LastName+Company" two (a record matches the entry when
// every part matches).
func MatchEntries(fields []string) [][]string {
	out := make([][]string, 0, len(fields))
	for _, f := range fields {
		var parts []string
		for _, p := range strings.Split(f, "+") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		out = append(out, parts)
	}
	return out
}

// matchValueFields lists the fields whose values find a row's record:
// the external id field, or every field of the duplicate-check entries,
// in order and once each.
func (s *Spec) matchValueFields() []string {
	if s.Match.By == MatchExternalID {
		return []string{s.Match.Field}
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range MatchEntries(s.Match.Fields) {
		for _, f := range e {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// Fingerprint is a hash of everything in the spec that shapes what is
// sent: a change to it makes every row count as changed.
func (s *Spec) Fingerprint() string {
	b, _ := json.Marshal(struct {
		D  Target
		M  Mode
		Ma MatchSpec
		K  string
		F  map[string]FieldMap
	}{s.Destination, s.Mode, s.Match, s.Key, s.Mapping})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// creates reports whether the mode may create records.
func (s *Spec) creates() bool { return s.Mode != ModeUpdate }
