package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"sort"
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
	// Fields are the Zoho duplicate_check_fields (by: duplicate_check).
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
type FieldMap struct {
	Column   string      `yaml:"column"`
	Value    any         `yaml:"value"`
	Lookup   *LookupSpec `yaml:"lookup"`
	Picklist any         `yaml:"picklist"`
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
