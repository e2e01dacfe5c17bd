package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/revops/revops/configs"
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

// Parse decodes and checks one `syncs:` entry. Errors carry the file,
// line and key.
func Parse(s configs.Sync) (*Spec, error) {
	var sp Spec
	sp.Name = s.Name
	if err := s.Spec.Decode(&sp); err != nil {
		return nil, err
	}
	return &sp, nil
}

// ParseAll decodes every sync of cfg, checking that lookups name syncs
// that exist.
func ParseAll(cfg *configs.Config) ([]*Spec, error) {
	var out []*Spec
	names := map[string]bool{}
	for _, s := range cfg.Syncs {
		names[s.Name] = true
	}
	for _, s := range cfg.Syncs {
		sp, err := Parse(s)
		if err != nil {
			return nil, err
		}
		for _, f := range sp.Fields() {
			if l := sp.Mapping[f].Lookup; l != nil && !names[l.Sync] {
				return nil, s.Spec.Wrap(fmt.Errorf("mapping.%s.lookup.sync: no sync named %q in the config", f, l.Sync))
			}
		}
		out = append(out, sp)
	}
	return out, nil
}

// Validate checks the spec on its own (no destination metadata); errors
// are "key: reason".
func (s *Spec) Validate() error {
	switch {
	case s.Model == "" && s.SQL == "":
		return fmt.Errorf("model: required (a relation such as syncs.%s, or sql: with a SELECT)", s.Name)
	case s.Model != "" && s.SQL != "":
		return fmt.Errorf("sql: set model or sql, not both")
	case s.Model != "" && !relationRE.MatchString(s.Model):
		return fmt.Errorf("model: %q is not a relation name such as syncs.%s", s.Model, s.Name)
	case s.Destination.Source == "":
		return fmt.Errorf("destination.source: required (the configured source to write to, e.g. salesforce)")
	case s.Destination.Object == "":
		return fmt.Errorf("destination.object: required (e.g. Account, Leads)")
	case !identRE.MatchString(s.Destination.Object):
		return fmt.Errorf("destination.object: %q is not an API name", s.Destination.Object)
	case s.Key == "":
		return fmt.Errorf("key: required (the model's key column)")
	case len(s.Mapping) == 0:
		return fmt.Errorf("mapping: required (destination field: {column: ...})")
	}
	switch s.Mode {
	case ModeUpsert, ModeUpdate, ModeInsert, ModeMirror:
	case "":
		return fmt.Errorf("mode: required (upsert, update, insert or mirror)")
	default:
		return fmt.Errorf("mode: %q is not upsert, update, insert or mirror", s.Mode)
	}
	switch s.Match.By {
	case MatchID:
		if s.Match.Field != "" || len(s.Match.Fields) > 0 {
			return fmt.Errorf("match.by: id takes neither field nor fields")
		}
	case MatchExternalID:
		if s.Match.Field == "" {
			return fmt.Errorf("match.field: required with by: external_id (e.g. Zoho_Lead_Id__c)")
		}
		if _, ok := s.Mapping[s.Match.Field]; !ok {
			return fmt.Errorf("match.field: %s must also be in mapping (its value matches records)", s.Match.Field)
		}
	case MatchDuplicateCheck:
		if len(s.Match.Fields) == 0 {
			return fmt.Errorf("match.fields: required with by: duplicate_check (e.g. [Email])")
		}
		for _, f := range s.Match.Fields {
			if _, ok := s.Mapping[f]; !ok {
				return fmt.Errorf("match.fields: %s must also be in mapping (its value matches records)", f)
			}
		}
	case "":
		return fmt.Errorf("match.by: required (id, external_id or duplicate_check)")
	default:
		return fmt.Errorf("match.by: %q is not id, external_id or duplicate_check", s.Match.By)
	}
	if s.Mode == ModeMirror {
		if s.Mirror == nil {
			return fmt.Errorf("mirror: required in mode mirror (action: delete or archive)")
		}
		switch s.Mirror.Action {
		case "delete":
		case "archive":
			if s.Mirror.ArchiveField == "" {
				return fmt.Errorf("mirror.archive_field: required with action: archive")
			}
		default:
			return fmt.Errorf("mirror.action: %q is not delete or archive", s.Mirror.Action)
		}
		if s.Mirror.MaxShare < 0 || s.Mirror.MaxShare > 1 {
			return fmt.Errorf("mirror.max_share: %v is not between 0 and 1", s.Mirror.MaxShare)
		}
	} else if s.Mirror != nil {
		return fmt.Errorf("mirror: only for mode mirror")
	}
	for _, f := range s.Fields() {
		m := s.Mapping[f]
		if !identRE.MatchString(f) {
			return fmt.Errorf("mapping.%s: not a field API name", f)
		}
		n := 0
		if m.Column != "" {
			n++
		}
		if m.Value != nil {
			n++
		}
		if m.Lookup != nil {
			n++
		}
		if n != 1 {
			return fmt.Errorf("mapping.%s: set exactly one of column, value or lookup", f)
		}
		if m.Lookup != nil && (m.Lookup.Sync == "" || m.Lookup.Column == "") {
			return fmt.Errorf("mapping.%s.lookup: needs sync and column", f)
		}
		if m.Picklist != nil {
			if m.Column == "" {
				return fmt.Errorf("mapping.%s.picklist: only with column", f)
			}
			switch p := m.Picklist.(type) {
			case string:
				if !relationRE.MatchString(p) || !strings.Contains(p, ".") {
					return fmt.Errorf("mapping.%s.picklist: %q is not a table such as seeds.lead_status_map", f, p)
				}
			case map[string]any:
			default:
				return fmt.Errorf("mapping.%s.picklist: want a table name or a mapping of values", f)
			}
		}
	}
	return nil
}

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
