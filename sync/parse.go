package sync

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/revops/revops/configs"
)

// keyError is a problem with one key of a sync entry: Key is the dotted
// path below the entry (e.g. "mapping.Email.value"; "" for the entry
// itself) and Msg the reason. Parse reports it at the key's line.
type keyError struct {
	Key, Msg string
}

func (e *keyError) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

func keyErr(key, format string, args ...any) error {
	return &keyError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// at places err at its key in the config entry n (file:line:column).
func at(n configs.Node, err error) error {
	var ke *keyError
	if errors.As(err, &ke) {
		return n.Errorf(ke.Key, "%s", ke.Msg)
	}
	return n.Wrap(err)
}

// Parse decodes and checks one `syncs:` entry on its own (see
// Spec.Validate). Errors are *configs.Error values naming the file, line,
// column and key.
func Parse(s configs.Sync) (*Spec, error) {
	sp := Spec{Name: s.Name}
	// DecodeKeys checks keys and types strictly; Validate runs here so
	// that its errors point at their key.
	if err := s.Spec.DecodeKeys(&sp); err != nil {
		return nil, err
	}
	if err := sp.Validate(); err != nil {
		return nil, at(s.Spec, err)
	}
	return &sp, nil
}

// Parsed is one entry of `syncs:` after ParseEach: its spec, or why it
// cannot run.
type Parsed struct {
	// Name is the sync's name.
	Name string
	// Spec is the decoded spec; nil when Err is set.
	Spec *Spec
	// Err is the first problem of the entry, a *configs.Error naming the
	// file, line, column and key.
	Err error
}

// ParseEach decodes and checks every sync of cfg on its own, in the
// config's order, so that one bad sync does not stop the others: keys
// and types (strictly), required values, mode, match, mapping (constants
// must be valid UTF-8), lookups naming syncs of the config, and the
// destination: a configured source whose type is one of writable (the
// source types revops can write to; nil skips that check). Nothing is
// opened: checks against the destination's metadata and the model's
// columns happen when the sync runs (CheckSchema).
func ParseEach(cfg *configs.Config, writable []string) []Parsed {
	names := map[string]bool{}
	for _, s := range cfg.Syncs {
		names[s.Name] = true
	}
	var sources []string
	for _, src := range cfg.Sources {
		sources = append(sources, src.Name)
	}
	sort.Strings(sources)
	w := append([]string(nil), writable...)
	sort.Strings(w)
	out := make([]Parsed, 0, len(cfg.Syncs))
	for _, s := range cfg.Syncs {
		p := Parsed{Name: s.Name}
		sp, err := Parse(s)
		if err == nil {
			err = checkRefs(s.Spec, sp, cfg, names, sources, w, writable != nil)
		}
		if err != nil {
			p.Err = err
		} else {
			p.Spec = sp
		}
		out = append(out, p)
	}
	return out
}

// checkRefs checks what a spec names outside itself: lookups' syncs and
// the destination source.
func checkRefs(n configs.Node, sp *Spec, cfg *configs.Config, syncs map[string]bool, sources, writable []string, checkType bool) error {
	for _, f := range sp.Fields() {
		if l := sp.Mapping[f].Lookup; l != nil && !syncs[l.Sync] {
			return n.Errorf("mapping."+f+".lookup.sync", "no sync named %q in the config", l.Sync)
		}
	}
	src, ok := cfg.Source(sp.Destination.Source)
	if !ok {
		have := "none are configured"
		if len(sources) > 0 {
			have = "sources: " + strings.Join(sources, ", ")
		}
		return n.Errorf("destination.source", "no source named %q (%s)", sp.Destination.Source, have)
	}
	if checkType && !inList(writable, src.Type) {
		return n.Errorf("destination.source", "source %s is of type %s, which revops cannot write to (it writes to %s)",
			src.Name, src.Type, strings.Join(writable, ", "))
	}
	// Zoho CRM checks one field at a time; Salesforce and Zoho Desk are
	// matched by revops itself, entries of several fields included.
	if src.Type == "zoho_crm" && sp.Match.By == MatchDuplicateCheck {
		for i, e := range MatchEntries(sp.Match.Fields) {
			if len(e) > 1 {
				return n.Errorf(fmt.Sprintf("match.fields[%d]", i), "%s: a %s destination checks duplicates one field at a time "+
					"(Zoho's duplicate_check_fields); entries of several fields joined by + are for Salesforce and Zoho Desk, where revops matches itself",
					sp.Match.Fields[i], src.Type)
			}
		}
	}
	return nil
}

// ParseAll decodes every sync of cfg (see ParseEach, without the check of
// writable source types). It returns every spec, or, when any sync is
// bad, an error joining each bad sync's error.
func ParseAll(cfg *configs.Config) ([]*Spec, error) {
	var specs []*Spec
	var errs []error
	for _, p := range ParseEach(cfg, nil) {
		if p.Err != nil {
			errs = append(errs, p.Err)
			continue
		}
		specs = append(specs, p.Spec)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return specs, nil
}

// Validate checks the spec on its own (no config around it, no
// destination metadata); errors are "key: reason".
func (s *Spec) Validate() error {
	if err := s.checkUTF8(); err != nil {
		return err
	}
	switch {
	case s.Model == "" && s.SQL == "":
		return keyErr("model", "required (a relation such as syncs.%s, or sql: with a SELECT)", s.Name)
	case s.Model != "" && s.SQL != "":
		return keyErr("sql", "set model or sql, not both")
	case s.Model != "" && !relationRE.MatchString(s.Model):
		return keyErr("model", "%q is not a relation name such as syncs.%s", s.Model, s.Name)
	case s.Destination.Source == "":
		return keyErr("destination.source", "required (the configured source to write to, e.g. salesforce)")
	case s.Destination.Object == "":
		return keyErr("destination.object", "required (e.g. Account, Leads)")
	case !identRE.MatchString(s.Destination.Object):
		return keyErr("destination.object", "%q is not an API name", s.Destination.Object)
	case s.Key == "":
		return keyErr("key", "required (the model's key column)")
	case len(s.Mapping) == 0:
		return keyErr("mapping", "required (destination field: {column: ...})")
	}
	switch s.Mode {
	case ModeUpsert, ModeUpdate, ModeInsert, ModeMirror:
	case "":
		return keyErr("mode", "required (upsert, update, insert or mirror)")
	default:
		return keyErr("mode", "%q is not upsert, update, insert or mirror", s.Mode)
	}
	if err := s.validateMatch(); err != nil {
		return err
	}
	if s.Mode == ModeMirror {
		if s.Mirror == nil {
			return keyErr("mirror", "required in mode mirror (action: delete or archive)")
		}
		switch s.Mirror.Action {
		case "delete":
		case "archive":
			if s.Mirror.ArchiveField == "" {
				return keyErr("mirror.archive_field", "required with action: archive")
			}
			if !identRE.MatchString(s.Mirror.ArchiveField) {
				return keyErr("mirror.archive_field", "%q is not a field API name", s.Mirror.ArchiveField)
			}
		case "":
			return keyErr("mirror.action", "required (delete or archive)")
		default:
			return keyErr("mirror.action", "%q is not delete or archive", s.Mirror.Action)
		}
		if s.Mirror.MaxShare < 0 || s.Mirror.MaxShare > 1 {
			return keyErr("mirror.max_share", "%v is not between 0 and 1", s.Mirror.MaxShare)
		}
	} else if s.Mirror != nil {
		return keyErr("mirror", "only for mode mirror")
	}
	for _, f := range s.Fields() {
		if err := s.validateField(f); err != nil {
			return err
		}
	}
	switch s.OnDeleted {
	case "", DeletedUnlink, DeletedFail:
		if s.OnDeleted != "" && s.Mode == ModeInsert {
			return keyErr("on_deleted", "mode insert only creates records: it never writes to one that could have been deleted")
		}
	case DeletedRecreate:
		if !s.creates() {
			return keyErr("on_deleted", "recreate needs a mode that creates records (upsert, mirror); mode update never creates (use unlink or fail)")
		}
		if s.Mode == ModeInsert {
			return keyErr("on_deleted", "mode insert only creates records: it never writes to one that could have been deleted")
		}
		if s.Match.By == MatchID && s.Match.CreateKey == "" {
			return keyErr("on_deleted", "recreate with match by id needs match.create_key, so that a create whose answer is lost is found again")
		}
	default:
		return keyErr("on_deleted", "%q is not unlink, recreate or fail (default unlink)", s.OnDeleted)
	}
	return nil
}

// matchField reports whether f identifies records (the external id field
// or a field of a duplicate-check entry).
func (s *Spec) matchField(f string) bool {
	for _, n := range s.matchValueFields() {
		if n == f && s.Match.By != MatchID {
			return true
		}
	}
	return false
}

// validateOptions checks a field's write options on their own.
func (s *Spec) validateOptions(f string) error {
	m := s.Mapping[f]
	o := m.WriteOptions
	key := "mapping." + f
	switch {
	case o.FillIfEmpty && o.NeverOverwrite:
		return keyErr(key+".fill_if_empty", "set fill_if_empty or never_overwrite, not both (never_overwrite already keeps every existing value)")
	case o.SkipNulls && m.Value != nil:
		return keyErr(key+".skip_nulls", "a constant (value:) is never empty, so skip_nulls does nothing here")
	case o.NeverOverwrite && s.Mode == ModeUpdate:
		return keyErr(key+".never_overwrite", "mode update never creates records, so the field would never be written")
	case o.OnUpdate() && s.Mode == ModeInsert:
		return keyErr(key+"."+o.updateName(), "mode insert only creates records: there is no existing value to keep%s", s.currentFrom(o))
	case o.OnUpdate() && s.matchField(f):
		return keyErr(key+"."+o.updateName(), "%s finds the record (match): it is written with every row%s", f, s.currentFrom(o))
	}
	return nil
}

// currentFrom says, for a fill_if_empty error, where the destination's
// current value would come from.
func (s *Spec) currentFrom(o WriteOptions) string {
	if !o.FillIfEmpty {
		return ""
	}
	return fmt.Sprintf(" (fill_if_empty compares with the destination's current value: the last extract %s.%s, "+
		"else a read of the %s records through the API)", s.Destination.Source, strings.ToLower(s.Destination.Object), s.Destination.Object)
}

// updateName names the option that applies to existing records.
func (o WriteOptions) updateName() string {
	if o.FillIfEmpty {
		return "fill_if_empty"
	}
	return "never_overwrite"
}

func (s *Spec) validateMatch() error {
	switch s.Match.By {
	case MatchID:
		if s.Match.Field != "" || len(s.Match.Fields) > 0 {
			return keyErr("match.by", "id takes neither field nor fields")
		}
	case MatchExternalID:
		if s.Match.Field == "" {
			return keyErr("match.field", "required with by: external_id (e.g. Zoho_Lead_Id__c)")
		}
		if len(s.Match.Fields) > 0 {
			return keyErr("match.fields", "only with by: duplicate_check (by: external_id takes field)")
		}
		if _, ok := s.Mapping[s.Match.Field]; !ok {
			return keyErr("match.field", "%s must also be in mapping (its value matches records)", s.Match.Field)
		}
	case MatchDuplicateCheck:
		if len(s.Match.Fields) == 0 {
			return keyErr("match.fields", "required with by: duplicate_check (e.g. [Email])")
		}
		if s.Match.Field != "" {
			return keyErr("match.field", "only with by: external_id (by: duplicate_check takes fields)")
		}
		for i, e := range MatchEntries(s.Match.Fields) {
			if len(e) == 0 {
				return keyErr(fmt.Sprintf("match.fields[%d]", i), "empty: name a field, or fields joined by + (e.g. LastName+Company)")
			}
			for _, f := range e {
				if !identRE.MatchString(f) {
					return keyErr(fmt.Sprintf("match.fields[%d]", i), "%q is not a field API name (several fields are joined by +, e.g. LastName+Company)", f)
				}
				if _, ok := s.Mapping[f]; !ok {
					return keyErr(fmt.Sprintf("match.fields[%d]", i), "%s must also be in mapping (its value matches records)", f)
				}
			}
		}
	case "":
		return keyErr("match.by", "required (id, external_id or duplicate_check)")
	default:
		return keyErr("match.by", "%q is not id, external_id or duplicate_check", s.Match.By)
	}
	if k := s.Match.CreateKey; k != "" {
		switch {
		case s.Match.By != MatchID:
			return keyErr("match.create_key", "only with by: id (a sync matched by %s finds its creates by their match values)", s.Match.By)
		case s.Mode == ModeUpdate:
			return keyErr("match.create_key", "mode update never creates records, so it needs no create key")
		case !identRE.MatchString(k):
			return keyErr("match.create_key", "%q is not a field API name", k)
		}
		if _, ok := s.Mapping[k]; ok {
			return keyErr("match.create_key", "%s is also in mapping: revops fills it itself, with <sync>:<key>", k)
		}
	}
	return nil
}

func (s *Spec) validateField(f string) error {
	m := s.Mapping[f]
	if !identRE.MatchString(f) {
		return keyErr("mapping."+f, "not a field API name")
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
		return keyErr("mapping."+f, "set exactly one of column, value or lookup")
	}
	if m.Lookup != nil && (m.Lookup.Sync == "" || m.Lookup.Column == "") {
		return keyErr("mapping."+f+".lookup", "needs sync and column")
	}
	if err := s.validateOptions(f); err != nil {
		return err
	}
	if m.Picklist != nil {
		if m.Column == "" {
			return keyErr("mapping."+f+".picklist", "only with column")
		}
		switch p := m.Picklist.(type) {
		case string:
			if !relationRE.MatchString(p) || !strings.Contains(p, ".") {
				return keyErr("mapping."+f+".picklist", "%q is not a table such as seeds.lead_status_map", p)
			}
		case map[string]any:
		default:
			return keyErr("mapping."+f+".picklist", "want a table name or a mapping of values")
		}
	}
	return nil
}

// checkUTF8 refuses text of the spec that is not valid UTF-8: a constant
// would reach the destination with its bytes replaced (U+FFFD).
func (s *Spec) checkUTF8() error {
	type item struct {
		key string
		v   any
	}
	items := []item{{"model", s.Model}, {"sql", s.SQL}, {"key", s.Key}, {"destination.source", s.Destination.Source},
		{"destination.object", s.Destination.Object}, {"match.field", s.Match.Field}, {"match.create_key", s.Match.CreateKey},
		{"on_deleted", string(s.OnDeleted)}}
	for i, f := range s.Match.Fields {
		items = append(items, item{fmt.Sprintf("match.fields[%d]", i), f})
	}
	for _, f := range s.Fields() {
		m := s.Mapping[f]
		if !utf8.ValidString(f) {
			return keyErr("mapping", "field name %s is not valid UTF-8%s", quoteBytes(f), badByte(f))
		}
		items = append(items, item{"mapping." + f + ".column", m.Column}, item{"mapping." + f + ".value", m.Value},
			item{"mapping." + f + ".picklist", m.Picklist})
		if m.Lookup != nil {
			items = append(items, item{"mapping." + f + ".lookup.sync", m.Lookup.Sync}, item{"mapping." + f + ".lookup.column", m.Lookup.Column})
		}
	}
	if s.Mirror != nil {
		items = append(items, item{"mirror.action", s.Mirror.Action}, item{"mirror.archive_field", s.Mirror.ArchiveField},
			item{"mirror.archive_value", s.Mirror.ArchiveValue})
	}
	for _, it := range items {
		if where, ok := invalidUTF8(it.v); !ok {
			return keyErr(it.key, "not valid UTF-8%s: revops sends text as UTF-8; save the config as UTF-8", where)
		}
	}
	return nil
}

// invalidUTF8 walks a decoded YAML value (string, list, mapping) and
// reports whether all of its text is valid UTF-8; when not, where says
// where the first bad byte is.
func invalidUTF8(v any) (where string, ok bool) {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return badByte(x), false
		}
	case []any:
		for i, e := range x {
			if w, ok := invalidUTF8(e); !ok {
				return fmt.Sprintf(" (item %d%s)", i, w), false
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if !utf8.ValidString(k) {
				return fmt.Sprintf(" (the key %s%s)", quoteBytes(k), badByte(k)), false
			}
			if w, ok := invalidUTF8(x[k]); !ok {
				return fmt.Sprintf(" (under %s%s)", quoteBytes(k), w), false
			}
		}
	}
	return "", true
}

// badByte says where the first byte of s that is not UTF-8 is.
func badByte(s string) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Sprintf(": byte 0x%02X at offset %d", s[i], i)
		}
		i += n
	}
	return ""
}

// quoteBytes quotes s for a message, escaping bytes that are not UTF-8.
func quoteBytes(s string) string {
	return fmt.Sprintf("%+q", s)
}

// Idempotency reports whether the sync never creates a record twice, even
// when a create's answer is lost (a dropped connection, a run killed
// between the API call and recording the answer), and why. Writes are
// recorded in flight before they are sent; the next run looks creates up by
// their match values (by: external_id, by: duplicate_check: rows without
// a value are refused, MATCH_VALUE_MISSING) or by the key revops wrote
// into match.create_key (by: id). A sync matched by id that creates
// without a create_key cannot look its creates up: after a lost answer it
// stops until an operator checks (--resend-unknown sends them again, and
// may create duplicates).
func (s *Spec) Idempotency() (ok bool, why string) {
	switch {
	case !s.creates():
		return true, "mode update never creates records"
	case s.Match.By == MatchExternalID:
		return true, fmt.Sprintf("creates are found again by %s (rows without a value are refused)", s.Match.Field)
	case s.Match.By == MatchDuplicateCheck:
		return true, fmt.Sprintf("creates are found again by %s (rows without a value are refused)", strings.Join(s.Match.Fields, ", "))
	case s.Match.By == MatchID && s.Match.CreateKey != "":
		return true, fmt.Sprintf("creates write %s:<key> into %s and are found again by it", s.Name, s.Match.CreateKey)
	}
	return false, fmt.Sprintf("mode %s matched by record id creates records it cannot look up: when a create's answer is lost "+
		"(a dropped connection, a killed run) the sync stops until someone checks %s, and --resend-unknown may create duplicates; "+
		"set match.create_key to a unique text field of %s for revops to fill", s.Mode, s.Destination.Object, s.Destination.Object)
}

// createKeyValue is the key of revops's own a create of row key writes
// into match.create_key.
func (s *Spec) createKeyValue(key string) string { return s.Name + ":" + key }
