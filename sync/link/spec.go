package link

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/revops/revops/configs"
)

// Spec is one two-way link: two objects, how their records pair, and the
// fields kept equal, each with an owner rule. It is an entry of `links:`
// in revops.yaml, decoded with Parse or ParseEach.
//
//	links:
//	  - name: leads
//	    left:  {source: zoho_crm, object: Leads}
//	    right: {source: salesforce, object: Lead}
//	    pair: {by: id_field, right: Zoho_Lead_Id__c}   # Lead.Zoho_Lead_Id__c holds the Zoho lead's id
//	    fields:
//	      - {left: Designation, right: Title, owner: salesforce}
//	      - {left: Mobile, right: MobilePhone, owner: newest}
//	      - {left: Website, right: Website, owner: fill_if_empty}
//	      - {left: Lead_Status, right: Status, owner: zoho, map: {Contacted: Working - Contacted}, reverse: {...}}
//	      - {left: Description, right: Description, owner: read_only, from: zoho}
type Spec struct {
	// Name is the link's name (the `name:` key of its entry).
	Name string `yaml:"-"`
	// Left and Right are the two objects. Owners, from and tie name a
	// side by its source (zoho_crm), its system (zoho, salesforce) or as
	// left / right.
	Left  Side `yaml:"left"`
	Right Side `yaml:"right"`
	// Pair says how records of the two sides are paired.
	Pair Pair `yaml:"pair"`
	// Fields are the linked fields.
	Fields []Field `yaml:"fields"`
	// Tie is the side that wins a newest conflict whose two changes are
	// too close together to be ordered across two clocks (default: left).
	Tie string `yaml:"tie"`
	// MaxClockSkew bounds how far apart two systems' clocks may be while
	// revops has not measured them yet (default 15m): changes further
	// apart than that are ordered by their own times.
	MaxClockSkew string `yaml:"max_clock_skew"`
	// PhoneRegion is the region of phone numbers written without a
	// country code (default US), for their E.164 form.
	PhoneRegion string `yaml:"phone_region"`
	// Transitions react to a field of one side reaching a value.
	Transitions []Transition `yaml:"transitions"`
	// Filter chooses the records that take part (see Filter).
	Filter Filter `yaml:"filter"`

	skew time.Duration
	tie  int
}

// Side is one object of a link.
type Side struct {
	// Source names a configured source (its credentials write, its schema
	// holds the extract).
	Source string `yaml:"source"`
	// Object is the Salesforce object or Zoho module API name.
	Object string `yaml:"object"`
	// Table is the landed table read for current values (default
	// <source>.<object in lower case>).
	Table string `yaml:"table"`
	// Modified is the table's modified-time column (default
	// LastModifiedDate, Modified_Time or modifiedTime, whichever exists).
	Modified string `yaml:"modified"`
}

// Pair says how records pair.
type Pair struct {
	// By is crosswalk (identity.crosswalk: the records of one golden id,
	// one on each side), id_field (a field of one side holds the other
	// side's record id) or key (a field on each side, normalized by Type).
	By string `yaml:"by"`
	// Left and Right name the fields: with id_field exactly one (the
	// field holding the other side's id), with key both.
	Left  string `yaml:"left"`
	Right string `yaml:"right"`
	// Type normalizes key values: text (trimmed, lower-case; default),
	// email or phone.
	Type string `yaml:"type"`
	// Crosswalk is the crosswalk relation (default identity.crosswalk).
	Crosswalk string `yaml:"crosswalk"`
	// Then are further pairings, tried in order for the records the ones
	// before left unpaired (their key empty or finding no partner): e.g.
	// an id field first, then the crosswalk, so the pairs another sync
	// made, which identity knows, are paired too. A record an earlier
	// pairing found ambiguous stays unpaired.
	Then []Pair `yaml:"then"`
}

// methods lists the pairing and its Then pairings, in order.
func (p Pair) methods() []Pair {
	out := []Pair{p}
	for _, t := range p.Then {
		out = append(out, t.methods()...)
	}
	for i := range out {
		out[i].Then = nil
	}
	return out
}

// Field is one linked field.
type Field struct {
	// Left and Right are the field API names on each side; a side may
	// list two fields (first and last name): they are compared joined by
	// a space, and a value written to them is split at its last space.
	Left  any `yaml:"left"`
	Right any `yaml:"right"`
	// Type is the comparison type: text, email, phone, number, date,
	// datetime, boolean, picklist, multipicklist, url (default from the
	// right side's metadata, else the left's).
	Type string `yaml:"type"`
	// Owner is a side (it wins conflicts), newest, fill_if_empty or
	// read_only (with From: copied from that side only).
	Owner string `yaml:"owner"`
	// From is the side a read_only field is copied from.
	From string `yaml:"from"`
	// Tie overrides the link's tie side for this field.
	Tie string `yaml:"tie"`
	// Map translates left values to right values: an inline mapping or a
	// table schema.table (columns from and to, else its last two).
	// A value missing from it fails the row, naming the value.
	Map any `yaml:"map"`
	// Reverse translates right values to left values where the inverse of
	// Map does not: its entries take precedence over the inverse, so it
	// needs only the right values several left values map to, and right
	// values Map does not produce. Two values are the same when either
	// translates to the other (with map {A: X, B: X} and reverse {X: A},
	// a left B and a right X agree).
	Reverse any `yaml:"reverse"`

	left, right []string
	owner       ownerKind
	side        int // ownerSide: the side that wins; ownerReadOnly: the side copied from
	tie         int
}

// Transition reacts to a change of state: when On.Field of a record on
// On.Side changes to a value in On.To (from a value in On.From, when
// given), Set.Values are written to the paired record on Set.Side (the
// record itself when it is On.Side). Each transition is keyed by
// (record, from, to, time of the change) and acts once, across re-runs
// and kills. Changes before the link's first run are not acted on.
type Transition struct {
	Name string `yaml:"name"`
	On   struct {
		Side  string `yaml:"side"`
		Field string `yaml:"field"`
		From  any    `yaml:"from"`
		To    any    `yaml:"to"`
	} `yaml:"on"`
	Set struct {
		Side   string         `yaml:"side"`
		Values map[string]any `yaml:"values"`
	} `yaml:"set"`

	on, set  int
	from, to []string
}

type ownerKind int

const (
	ownerSide ownerKind = iota
	ownerNewest
	ownerFill
	ownerReadOnly
)

func (o ownerKind) String() string {
	return [...]string{"side", "newest", "fill_if_empty", "read_only"}[o]
}

// Comparison types.
const (
	typeText          = "text"
	typeEmail         = "email"
	typePhone         = "phone"
	typeNumber        = "number"
	typeDate          = "date"
	typeDatetime      = "datetime"
	typeBoolean       = "boolean"
	typePicklist      = "picklist"
	typeMultipicklist = "multipicklist"
	typeURL           = "url"
)

var validTypes = []string{typeText, typeEmail, typePhone, typeNumber, typeDate, typeDatetime, typeBoolean, typePicklist, typeMultipicklist, typeURL}

var (
	identRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	relationRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`)
)

// keyError is a problem at a key below the link's entry.
type keyError struct{ Key, Msg string }

func (e *keyError) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

func keyErr(key, format string, args ...any) error {
	return &keyError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

func at(n configs.Node, err error) error {
	var ke *keyError
	if errors.As(err, &ke) {
		return n.Errorf(ke.Key, "%s", ke.Msg)
	}
	return n.Wrap(err)
}

// sideNames says which words name each side: left/right, the source
// name, and the source's system (zoho for zoho_crm, salesforce) and type
// when known.
func (s *Spec) side(name string, types map[string]string) (int, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	match := func(sd Side, word string) bool {
		src := strings.ToLower(sd.Source)
		if name == word || name == src {
			return true
		}
		t := strings.ToLower(types[sd.Source])
		if t == "" {
			t = src
		}
		return name == t || strings.HasPrefix(t, name+"_") || strings.HasPrefix(src, name+"_")
	}
	l, r := match(s.Left, "left"), match(s.Right, "right")
	switch {
	case l && r:
		return 0, fmt.Errorf("%q names both sides (%s and %s): say left or right", name, s.Left.Source, s.Right.Source)
	case l:
		return 0, nil
	case r:
		return 1, nil
	}
	return 0, fmt.Errorf("%q names neither side (%s, %s, left or right)", name, s.Left.Source, s.Right.Source)
}

// Sides returns the two sides, left first.
func (s *Spec) Sides() [2]Side { return [2]Side{s.Left, s.Right} }

// Validate checks the spec on its own (no config, no metadata); errors
// are "key: reason". types maps source names to their types, when known.
func (s *Spec) Validate() error { return s.validate(nil) }

func (s *Spec) validate(types map[string]string) error {
	for i, sd := range s.Sides() {
		key := [...]string{"left", "right"}[i]
		switch {
		case sd.Source == "":
			return keyErr(key+".source", "required (the configured source of this side, e.g. zoho_crm)")
		case sd.Object == "":
			return keyErr(key+".object", "required (e.g. Leads, Lead)")
		case !identRE.MatchString(sd.Object):
			return keyErr(key+".object", "%q is not an API name", sd.Object)
		case sd.Table != "" && !relationRE.MatchString(sd.Table):
			return keyErr(key+".table", "%q is not a table such as %s.%s", sd.Table, sd.Source, strings.ToLower(sd.Object))
		case sd.Modified != "" && !identRE.MatchString(sd.Modified):
			return keyErr(key+".modified", "%q is not a column name", sd.Modified)
		}
	}
	if s.Left.Source == s.Right.Source && strings.EqualFold(s.Left.Object, s.Right.Object) {
		return keyErr("right", "the same object as left: a link pairs two different objects")
	}
	if err := s.validatePair(); err != nil {
		return err
	}
	s.tie = 0
	if s.Tie != "" {
		t, err := s.side(s.Tie, types)
		if err != nil {
			return keyErr("tie", "%v", err)
		}
		s.tie = t
	}
	s.skew = 15 * time.Minute
	if s.MaxClockSkew != "" {
		d, err := time.ParseDuration(s.MaxClockSkew)
		if err != nil || d < 0 {
			return keyErr("max_clock_skew", "%q is not a duration such as 15m", s.MaxClockSkew)
		}
		s.skew = d
	}
	if len(s.Fields) == 0 {
		return keyErr("fields", "required (a list of {left: FIELD, right: FIELD, owner: ...})")
	}
	seen := [2]map[string]string{{}, {}}
	for i := range s.Fields {
		if err := s.validateField(i, types, seen); err != nil {
			return err
		}
	}
	if err := s.validateFilter(); err != nil {
		return err
	}
	names := map[string]bool{}
	for i := range s.Transitions {
		if err := s.validateTransition(i, types, names); err != nil {
			return err
		}
	}
	return nil
}

func (s *Spec) validatePair() error {
	if err := validatePair(s.Pair, "pair"); err != nil {
		return err
	}
	for i, t := range s.Pair.Then {
		if len(t.Then) > 0 {
			return keyErr(fmt.Sprintf("pair.then[%d].then", i), "list every further pairing in pair.then, not inside one")
		}
		if err := validatePair(t, fmt.Sprintf("pair.then[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// validatePair checks one pairing; at names where it is ("pair" or
// "pair.then[i]").
func validatePair(p Pair, at string) error {
	bad := func(key, format string, args ...any) error {
		return keyErr(at+strings.TrimPrefix(key, "pair"), format, args...)
	}
	switch p.By {
	case "crosswalk":
		if p.Left != "" || p.Right != "" {
			return bad("pair.by", "crosswalk takes neither left nor right (it pairs the records of one golden id)")
		}
		if p.Crosswalk != "" && !relationRE.MatchString(p.Crosswalk) {
			return bad("pair.crosswalk", "%q is not a relation such as identity.crosswalk", p.Crosswalk)
		}
	case "id_field":
		if (p.Left == "") == (p.Right == "") {
			return bad("pair", "by: id_field takes one of left or right: the field of that side that holds the other side's record id")
		}
	case "key":
		if p.Left == "" || p.Right == "" {
			return bad("pair", "by: key takes left and right: the fields whose normalized values pair records")
		}
		switch p.Type {
		case "", typeText, typeEmail, typePhone:
		default:
			return bad("pair.type", "%q is not text, email or phone", p.Type)
		}
	case "":
		return bad("pair.by", "required (crosswalk, id_field or key)")
	default:
		return bad("pair.by", "%q is not crosswalk, id_field or key", p.By)
	}
	for _, f := range [...]struct{ k, v string }{{"pair.left", p.Left}, {"pair.right", p.Right}} {
		if f.v != "" && !identRE.MatchString(f.v) {
			return bad(f.k, "%q is not a field API name", f.v)
		}
	}
	if p.By != "crosswalk" && p.Crosswalk != "" {
		return bad("pair.crosswalk", "only with by: crosswalk")
	}
	if p.By != "key" && p.Type != "" {
		return bad("pair.type", "only with by: key")
	}
	return nil
}

// names reads a field's left or right: a name or a list of names.
func names(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, identRE.MatchString(x)
	case []any:
		var out []string
		for _, e := range x {
			s, ok := e.(string)
			if !ok || !identRE.MatchString(s) {
				return nil, false
			}
			out = append(out, s)
		}
		return out, len(out) > 0
	}
	return nil, false
}

// Label is how errors and reports name the field: "Mobile ⇄ MobilePhone".
func (f *Field) Label() string {
	return strings.Join(f.left, "+") + " ⇄ " + strings.Join(f.right, "+")
}

// Names returns the field's API names on side i (0 left, 1 right).
func (f *Field) Names(i int) []string {
	if i == 0 {
		return f.left
	}
	return f.right
}

// writes reports whether the field may be written to side i.
func (f *Field) writes(i int) bool {
	return f.owner != ownerReadOnly || f.side != i
}

func (s *Spec) validateField(i int, types map[string]string, seen [2]map[string]string) error {
	f := &s.Fields[i]
	key := fmt.Sprintf("fields[%d]", i)
	var ok bool
	if f.left, ok = names(f.Left); !ok {
		return keyErr(key+".left", "want a field API name (or a list of two joined by a space)")
	}
	if f.right, ok = names(f.Right); !ok {
		return keyErr(key+".right", "want a field API name (or a list of two joined by a space)")
	}
	if len(f.left) > 2 || len(f.right) > 2 {
		return keyErr(key, "at most two fields are joined (first and last name)")
	}
	for side, ns := range [2][]string{f.left, f.right} {
		for _, n := range ns {
			if prev, dup := seen[side][strings.ToLower(n)]; dup {
				return keyErr(key+"."+[...]string{"left", "right"}[side], "%s is linked twice (also by %s)", n, prev)
			}
			seen[side][strings.ToLower(n)] = key
		}
	}
	if f.Type != "" && !inList(validTypes, f.Type) {
		return keyErr(key+".type", "%q is not one of %s", f.Type, strings.Join(validTypes, ", "))
	}
	f.tie = s.tie
	if f.Tie != "" {
		t, err := s.side(f.Tie, types)
		if err != nil {
			return keyErr(key+".tie", "%v", err)
		}
		f.tie = t
	}
	switch f.Owner {
	case "":
		return keyErr(key+".owner", "required: a side (%s or %s: it wins conflicts), newest, fill_if_empty or read_only (with from:)", s.Left.Source, s.Right.Source)
	case "newest":
		f.owner = ownerNewest
	case "fill_if_empty":
		f.owner = ownerFill
	case "read_only":
		f.owner = ownerReadOnly
		if f.From == "" {
			return keyErr(key+".from", "required with owner read_only: the side the field is copied from (%s or %s)", s.Left.Source, s.Right.Source)
		}
		side, err := s.side(f.From, types)
		if err != nil {
			return keyErr(key+".from", "%v", err)
		}
		f.side = side
	default:
		side, err := s.side(f.Owner, types)
		if err != nil {
			return keyErr(key+".owner", "%v; or newest, fill_if_empty, read_only", err)
		}
		f.owner, f.side = ownerSide, side
	}
	if f.From != "" && f.owner != ownerReadOnly {
		return keyErr(key+".from", "only with owner read_only")
	}
	if f.Reverse != nil && f.Map == nil {
		return keyErr(key+".reverse", "only with map")
	}
	for _, m := range [...]struct {
		k string
		v any
	}{{"map", f.Map}, {"reverse", f.Reverse}} {
		switch x := m.v.(type) {
		case nil:
		case string:
			if !relationRE.MatchString(x) {
				return keyErr(key+"."+m.k, "%q is not a table such as seeds.lead_status_map", x)
			}
		case map[string]any:
		default:
			return keyErr(key+"."+m.k, "want a table name or a mapping of values")
		}
	}
	if f.Map != nil && (len(f.left) > 1 || len(f.right) > 1) {
		return keyErr(key+".map", "not with joined fields")
	}
	// A map written backwards must be invertible: two left values that
	// map to one right value leave revops no way to know which to write.
	if m, ok := f.Map.(map[string]any); ok && f.writes(0) {
		rev, inline := f.Reverse.(map[string]any)
		if a, b, to, clash := notInjective(m, rev); clash && (f.Reverse == nil || inline) {
			return keyErr(key+".map", "%s: %q and %q both map to %q, so a change on %s cannot be written back to %s (owner %s writes both ways); "+
				"add reverse: {%q: ...} or make the field read_only from %s", f.Label(), a, b, to, s.Right.Source, s.Left.Source, f.ownerName(s), to, s.Left.Source)
		}
	}
	return nil
}

// ownerName renders the field's owner for messages.
func (f *Field) ownerName(s *Spec) string {
	switch f.owner {
	case ownerSide:
		return s.Sides()[f.side].Source
	case ownerReadOnly:
		return "read_only from " + s.Sides()[f.side].Source
	}
	return f.owner.String()
}

// notInjective finds two keys of m with one value that rev (right
// values to left values) does not translate back.
func notInjective(m, rev map[string]any) (a, b, to string, clash bool) {
	by := map[string]string{}
	for _, k := range sortedKeys(m) {
		v := fmt.Sprint(m[k])
		if _, ok := rev[v]; ok {
			continue
		}
		if prev, ok := by[v]; ok {
			return prev, k, v, true
		}
		by[v] = k
	}
	return "", "", "", false
}

func (s *Spec) validateTransition(i int, types map[string]string, seen map[string]bool) error {
	t := &s.Transitions[i]
	key := fmt.Sprintf("transitions[%d]", i)
	switch {
	case t.Name == "" || !identRE.MatchString(t.Name):
		return keyErr(key+".name", "required: a plain identifier naming the transition")
	case seen[t.Name]:
		return keyErr(key+".name", "transition %q is declared twice", t.Name)
	case t.On.Field == "" || !identRE.MatchString(t.On.Field):
		return keyErr(key+".on.field", "required: the field whose change fires the transition")
	case t.On.To == nil:
		return keyErr(key+".on.to", "required: the value (or list of values) the field changes to")
	case len(t.Set.Values) == 0:
		return keyErr(key+".set.values", "required: the fields and values to write")
	}
	seen[t.Name] = true
	var err error
	if t.on, err = s.side(t.On.Side, types); err != nil {
		return keyErr(key+".on.side", "%v", err)
	}
	if t.set, err = s.side(t.Set.Side, types); err != nil {
		return keyErr(key+".set.side", "%v", err)
	}
	var ok bool
	if t.to, ok = valueList(t.On.To); !ok {
		return keyErr(key+".on.to", "want a value or a list of values")
	}
	if t.On.From != nil {
		if t.from, ok = valueList(t.On.From); !ok {
			return keyErr(key+".on.from", "want a value or a list of values")
		}
	}
	for _, f := range sortedKeys(t.Set.Values) {
		if !identRE.MatchString(f) {
			return keyErr(key+".set.values", "%q is not a field API name", f)
		}
	}
	return nil
}

func valueList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if e == nil {
				return nil, false
			}
			out = append(out, fmt.Sprint(e))
		}
		return out, len(out) > 0
	case nil, map[string]any:
		return nil, false
	}
	return []string{fmt.Sprint(v)}, true
}

// Parse decodes and checks one `links:` entry on its own. Errors are
// *configs.Error values naming the file, line, column and key.
func Parse(l configs.Link) (*Spec, error) {
	return parse(l, nil)
}

func parse(l configs.Link, types map[string]string) (*Spec, error) {
	sp := Spec{Name: l.Name}
	if err := l.Spec.DecodeKeys(&sp); err != nil {
		return nil, err
	}
	if err := sp.validate(types); err != nil {
		return nil, at(l.Spec, err)
	}
	return &sp, nil
}

// Parsed is one entry of `links:` after ParseEach.
type Parsed struct {
	Name string
	Spec *Spec
	// Err is the entry's first problem (a *configs.Error with the file,
	// line, column and key), nil when Spec is set.
	Err error
}

// ParseEach decodes and checks every link of cfg on its own: keys and
// types strictly, sides naming configured sources, owners, maps, and that
// every side a link may write to is a source of a type revops writes to
// (writable; nil skips that check). Nothing is opened: the objects'
// metadata is checked when the link runs (CheckMetadata).
func ParseEach(cfg *configs.Config, writable []string) []Parsed {
	types := map[string]string{}
	var sources []string
	for _, s := range cfg.Sources {
		types[s.Name] = s.Type
		sources = append(sources, s.Name)
	}
	sort.Strings(sources)
	out := make([]Parsed, 0, len(cfg.Links))
	for _, l := range cfg.Links {
		p := Parsed{Name: l.Name}
		sp, err := parse(l, types)
		if err == nil {
			err = sp.checkSources(l.Spec, types, sources, writable)
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

func (s *Spec) checkSources(n configs.Node, types map[string]string, sources, writable []string) error {
	for i, sd := range s.Sides() {
		key := [...]string{"left", "right"}[i]
		t, ok := types[sd.Source]
		if !ok {
			have := "none are configured"
			if len(sources) > 0 {
				have = "sources: " + strings.Join(sources, ", ")
			}
			return n.Errorf(key+".source", "no source named %q (%s)", sd.Source, have)
		}
		if writable == nil || inList(writable, t) {
			continue
		}
		for j := range s.Fields {
			if s.Fields[j].writes(i) {
				return n.Errorf(fmt.Sprintf("fields[%d].owner", j), "%s may be written to %s, a source of type %s, which revops cannot write to "+
					"(it writes to %s): make it read_only from %s", s.Fields[j].Label(), sd.Source, t, strings.Join(writable, ", "), sd.Source)
			}
		}
		for j, tr := range s.Transitions {
			if tr.set == i {
				return n.Errorf(fmt.Sprintf("transitions[%d].set.side", j), "%s is a source of type %s, which revops cannot write to", sd.Source, t)
			}
		}
	}
	return nil
}

// Written reports whether the link may write to side i.
func (s *Spec) Written(i int) bool {
	for j := range s.Fields {
		if s.Fields[j].writes(i) {
			return true
		}
	}
	for _, t := range s.Transitions {
		if t.set == i {
			return true
		}
	}
	return false
}

// table is the landed table of side i.
func (s *Spec) table(i int) (schema, table string) {
	sd := s.Sides()[i]
	if sd.Table != "" {
		schema, table, _ = strings.Cut(sd.Table, ".")
		return schema, table
	}
	return sd.Source, strings.ToLower(sd.Object)
}

func inList(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
