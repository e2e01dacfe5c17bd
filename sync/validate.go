package sync

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// SpecError is a sync spec that the destination's metadata refuses: it
// names the sync, the field and the reason.
type SpecError struct {
	Sync   string
	Field  string
	Reason string
}

func (e *SpecError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("sync %s: %s", e.Sync, e.Reason)
	}
	return fmt.Sprintf("sync %s: field %s: %s", e.Sync, e.Field, e.Reason)
}

// ErrBadSpec is wrapped by every validation error (errors.Is).
var ErrBadSpec = errors.New("invalid sync spec")

func (e *SpecError) Unwrap() error { return ErrBadSpec }

// CheckSchema validates the spec against the destination's own metadata
// and the model's columns (nil: not checked): unknown fields, read-only
// fields, mandatory fields missing on modes that create, match fields,
// lookup targets, constant values (type, length, picklist) and column
// types that cannot hold the field's type. It returns every problem
// found, joined.
func CheckSchema(s *Spec, sc *Schema, columns *arrow.Schema) error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, &SpecError{Sync: s.Name, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	var cols map[string]arrow.DataType
	if columns != nil {
		cols = map[string]arrow.DataType{}
		for _, f := range columns.Fields() {
			cols[strings.ToLower(f.Name)] = f.Type
		}
		if _, ok := cols[strings.ToLower(s.Key)]; !ok {
			add("", "key column %q is not a column of the model (columns: %s)", s.Key, columnList(columns))
		}
	}
	matchFields := map[string]bool{}
	if s.Match.By != MatchID {
		for _, f := range s.matchValueFields() {
			matchFields[f] = true
		}
	}
	for _, name := range s.Fields() {
		m := s.Mapping[name]
		f, ok := sc.Fields[name]
		if !ok {
			add(name, "unknown field on %s%s", sc.Object, suggest(name, sc))
			continue
		}
		switch {
		case s.Mode == ModeUpdate && !f.Updateable:
			add(name, "read-only: %s.%s cannot be updated", sc.Object, name)
		case s.Mode == ModeInsert && !f.Createable:
			add(name, "read-only: %s.%s cannot be set on create", sc.Object, name)
		case (s.Mode == ModeUpsert || s.Mode == ModeMirror) && !f.Createable && !f.Updateable:
			add(name, "read-only: %s.%s can be neither created nor updated", sc.Object, name)
		case (s.Mode == ModeUpsert || s.Mode == ModeMirror) && m.NeverOverwrite && f.Createable:
			// Written on create only.
		case (s.Mode == ModeUpsert || s.Mode == ModeMirror) && !matchFields[name] && (!f.Createable || !f.Updateable):
			add(name, "read-only on %s: an upsert both creates and updates (createable %v, updateable %v)%s",
				map[bool]string{true: "update", false: "create"}[f.Createable], f.Createable, f.Updateable,
				map[bool]string{true: "; never_overwrite writes it on create only", false: ""}[f.Createable && !f.Updateable])
		}
		if m.FillIfEmpty && f.Type == TypeBoolean {
			add(name, "fill_if_empty on a boolean field: a boolean is never empty (false is a value), so it would never be written "+
				"to an existing record; use never_overwrite to write it on create only%s", s.currentFrom(m.WriteOptions))
		}
		if m.Value != nil {
			if _, rerr := Coerce(m.Value, f); rerr != nil {
				add(name, "value %s: %s", show(m.Value), strings.TrimPrefix(rerr.Message, name+": "))
			}
		}
		if m.Lookup != nil && f.Type != TypeReference && f.Type != TypeLookup && f.Type != TypeID && f.Type != TypeString {
			add(name, "lookup into a %s field: lookups fill reference/lookup fields", f.Type)
		}
		if m.Picklist != nil && f.Type != TypePicklist && f.Type != TypeMultipicklist {
			add(name, "picklist mapping on a %s field", f.Type)
		}
		if mp, ok := m.Picklist.(map[string]any); ok && f.Restricted && len(f.Picklist) > 0 {
			var bad []string
			for k, v := range mp {
				if !inList(f.Picklist, fmt.Sprint(v)) {
					bad = append(bad, fmt.Sprintf("%s → %q", k, fmt.Sprint(v)))
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				add(name, "picklist maps to values %s does not have: %s (values: %s)", sc.Object+"."+name, strings.Join(bad, ", "), strings.Join(f.Picklist, ", "))
			}
		}
		if cols != nil && m.Column != "" {
			t, ok := cols[strings.ToLower(m.Column)]
			if !ok {
				add(name, "column %q is not a column of the model (columns: %s)", m.Column, columnList(columns))
			} else if why := typeMismatch(t, f, m.Picklist != nil); why != "" {
				add(name, "column %s is %s: %s", m.Column, t, why)
			}
		}
		if cols != nil && m.Lookup != nil {
			if _, ok := cols[strings.ToLower(m.Lookup.Column)]; !ok {
				add(name, "lookup column %q is not a column of the model", m.Lookup.Column)
			}
		}
	}
	switch s.Match.By {
	case MatchExternalID:
		if f, ok := sc.Fields[s.Match.Field]; ok && !f.ExternalID && f.Type != TypeID {
			add(s.Match.Field, "not an external id field of %s (match.by external_id needs one)", sc.Object)
		}
	case MatchDuplicateCheck:
		for _, n := range s.matchValueFields() {
			if f, ok := sc.Fields[n]; ok && !f.Unique && !f.ExternalID && f.Type != TypeEmail && f.Type != TypeString && f.Type != TypePhone {
				add(n, "a %s field cannot be a duplicate-check field", f.Type)
			}
		}
	}
	if k := s.Match.CreateKey; k != "" {
		f, ok := sc.Fields[k]
		switch {
		case !ok:
			add(k, "match.create_key: unknown field on %s%s", sc.Object, suggest(k, sc))
		case !f.Createable:
			add(k, "match.create_key: read-only: %s.%s cannot be set on create", sc.Object, k)
		case f.Type != TypeString:
			add(k, "match.create_key: a %s field cannot hold revops's key (want a text field)", f.Type)
		case !f.Unique:
			// Unique, so that the destination itself refuses a second
			// create of a key even when revops cannot know of the first
			// (a Bulk job still running when the next run looks).
			add(k, "match.create_key: not a unique field of %s: make it unique (and an external id, so it is indexed)", sc.Object)
		case f.Length > 0 && f.Length < len(s.Name)+2:
			add(k, "match.create_key: holds %d characters, too few for %s:<key>", f.Length, s.Name)
		}
	}
	if s.creates() {
		var missing []string
		for n, f := range sc.Fields {
			if f.Required && f.Createable && n != s.Match.CreateKey {
				if _, ok := s.Mapping[n]; !ok {
					missing = append(missing, n)
				}
			}
		}
		sort.Strings(missing)
		for _, n := range missing {
			add(n, "mandatory on %s: mode %s creates records, so the mapping must fill it", sc.Object, s.Mode)
		}
	}
	if s.Mirror != nil && s.Mirror.Action == "archive" {
		f, ok := sc.Fields[s.Mirror.ArchiveField]
		switch {
		case !ok:
			add(s.Mirror.ArchiveField, "mirror.archive_field: unknown field on %s", sc.Object)
		case !f.Updateable:
			add(s.Mirror.ArchiveField, "mirror.archive_field: read-only")
		default:
			if _, rerr := Coerce(s.Mirror.ArchiveValue, f); rerr != nil {
				add(s.Mirror.ArchiveField, "mirror.archive_value: %s", rerr.Message)
			}
		}
	}
	return errors.Join(errs...)
}

// typeMismatch says why a column of type t cannot fill f ("" when it can).
func typeMismatch(t arrow.DataType, f Field, mapped bool) string {
	if mapped {
		return ""
	}
	id := t.ID()
	isNum := arrow.IsInteger(id) || arrow.IsFloating(id) || arrow.IsDecimal(id)
	isTime := id == arrow.DATE32 || id == arrow.DATE64 || id == arrow.TIMESTAMP
	isText := id == arrow.STRING || id == arrow.LARGE_STRING || id == arrow.STRING_VIEW
	isList := id == arrow.LIST || id == arrow.LARGE_LIST
	if id == arrow.BINARY || id == arrow.LARGE_BINARY || id == arrow.BINARY_VIEW || id == arrow.FIXED_SIZE_BINARY {
		// Bytes would be sent base64-encoded; text needs decoding in the
		// model, which says which encoding it is.
		return fmt.Sprintf("cannot fill a %s field (bytes, not text: decode them in the model, e.g. decode(col))", f.Type)
	}
	switch f.Type {
	case TypeBoolean:
		if isTime || isList || arrow.IsFloating(id) || arrow.IsDecimal(id) {
			return "cannot fill a boolean field"
		}
	case TypeInt, TypeDouble, TypeCurrency, TypePercent:
		if isTime || isList || id == arrow.STRUCT {
			return "cannot fill a number field"
		}
	case TypeDate, TypeDatetime:
		if isNum || id == arrow.BOOL || isList {
			return fmt.Sprintf("cannot fill a %s field", f.Type)
		}
	case TypeMultipicklist:
		if !isList && !isText {
			return "cannot fill a multi-select field (want a list or ;-separated text)"
		}
	default:
		if isList || id == arrow.STRUCT {
			return fmt.Sprintf("cannot fill a %s field", f.Type)
		}
	}
	return ""
}

func columnList(s *arrow.Schema) string {
	var names []string
	for _, f := range s.Fields() {
		if !strings.HasPrefix(f.Name, "_") {
			names = append(names, f.Name)
		}
	}
	return strings.Join(names, ", ")
}

// suggest proposes a field whose name is close to name.
func suggest(name string, sc *Schema) string {
	best, bestD := "", 4
	for n := range sc.Fields {
		if d := distance(strings.ToLower(name), strings.ToLower(n)); d < bestD || (d == bestD && n < best) {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
