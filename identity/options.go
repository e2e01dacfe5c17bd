package identity

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Options is the `identity:` section of revops.yaml. Matching is the
// matcher's part (this file); Survivorship is in survivorship.go.
type Options struct {
	// Matching configures normalization, blocking, scoring and linking.
	Matching Matching `yaml:"matching"`
	// Survivorship picks each golden field's value (survivorship.go).
	Survivorship Survivorship `yaml:"survivorship"`
}

// Matching configures how records are matched. Every field has a default
// that needs no tuning per data set (DefaultOptions).
type Matching struct {
	// LinkThreshold is the match probability at or above which a scored
	// pair links its two records into one entity (default 0.9).
	LinkThreshold float64 `yaml:"link_threshold"`
	// ReviewThreshold is the lowest match probability a pair is kept at
	// in the links tables; pairs between it and LinkThreshold are for
	// review (default 0.5).
	ReviewThreshold float64 `yaml:"review_threshold"`
	// DefaultRegion is the ISO 3166 region of phone numbers written
	// without a country code, and it decides whether 03/04/2001 is
	// day first (everywhere but US, CA, PH) (default US).
	DefaultRegion string `yaml:"default_region"`
	// MaxBlockSize: a blocking key shared by more records than this is
	// skipped (it would compare every pair of them), so comparisons stay
	// near linear (default 400).
	MaxBlockSize int `yaml:"max_block_size"`
	// LinkOnly compares only records of different sources (linking
	// files that hold no duplicates of their own) (default false).
	LinkOnly bool `yaml:"link_only"`
	// GenericMailboxes replaces the list of role mailboxes (info, sales,
	// ...) whose addresses never link people on their own.
	GenericMailboxes []string `yaml:"generic_mailboxes"`
	// FreeMailDomains replaces the list of free-mail domains, whose
	// addresses say nothing about a company.
	FreeMailDomains []string `yaml:"free_mail_domains"`
	// Person and Company configure the two kinds of entity.
	Person  Entity `yaml:"person"`
	Company Entity `yaml:"company"`

	generic    map[string]bool
	freeMail   map[string]bool
	region     string
	phoneCache *sync.Map // phoneShape -> phoneRule
}

// Entity configures the rules and weights of one kind of entity.
type Entity struct {
	// Blocking replaces the default blocking rules: a pair is compared
	// when its records agree exactly on every field of a rule.
	Blocking []Rule `yaml:"blocking"`
	// Deterministic replaces the default deterministic rules: a pair
	// that agrees exactly on every field of one links whatever its score.
	// An empty list (`deterministic: []`) turns them off.
	Deterministic []Rule `yaml:"deterministic"`
	// Ignore lists comparisons to leave out of the score.
	Ignore []string `yaml:"ignore"`
	// Weights overrides the match weight (log2 Bayes factor) of
	// comparison levels: {first_name: {exact: 6.5}}.
	Weights map[string]map[string]float64 `yaml:"weights"`
}

// Rule is a blocking or deterministic rule: fields that must all be
// present and equal.
type Rule struct {
	Name   string   `yaml:"name"`
	Fields []string `yaml:"fields"`
}

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{Matching: Matching{
		LinkThreshold:   0.9,
		ReviewThreshold: 0.5,
		DefaultRegion:   "US",
		MaxBlockSize:    400,
	}}
}

// ErrUndecodable: the section's YAML could not be decoded at all.
var ErrUndecodable = errors.New("the identity section cannot be decoded")

// Decode reads the identity section with decode (strict, such as
// configs.Node.Decode) over the defaults, then validates it; the
// section may be absent (decode nil).
func Decode(decode func(any) error) (o Options, err error) {
	o = DefaultOptions()
	if decode != nil {
		defer func() {
			// The YAML decoder panics on a few malformed documents (a tag
			// on an empty sequence item): an error, not a crash.
			if p := recover(); p != nil {
				err = fmt.Errorf("identity: %w: %v", ErrUndecodable, p)
			}
		}()
		if err := decode(&o); err != nil {
			return o, err
		}
	}
	if err := o.Validate(); err != nil {
		return o, err
	}
	return o, nil
}

// Validate checks the options and completes them: errors name the key
// ("matching.person.blocking[1].fields: unknown field ...").
func (o *Options) Validate() error {
	return errors.Join(o.Matching.validate("matching."), o.Survivorship.Validate())
}

func (m *Matching) validate(prefix string) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", prefix, key, fmt.Sprintf(format, args...)))
	}
	if m.LinkThreshold <= 0 || m.LinkThreshold >= 1 {
		bad("link_threshold", "%v is not a probability between 0 and 1 (exclusive)", m.LinkThreshold)
	}
	if m.ReviewThreshold <= 0 || m.ReviewThreshold >= 1 {
		bad("review_threshold", "%v is not a probability between 0 and 1 (exclusive)", m.ReviewThreshold)
	} else if m.ReviewThreshold > m.LinkThreshold {
		bad("review_threshold", "%v is above link_threshold %v", m.ReviewThreshold, m.LinkThreshold)
	}
	m.region = strings.ToUpper(strings.TrimSpace(m.DefaultRegion))
	if len(m.region) != 2 || !isUpperASCII(m.region) {
		bad("default_region", "%q is not a two-letter region code (e.g. US, GB, DE)", m.DefaultRegion)
	}
	if m.MaxBlockSize < 2 {
		bad("max_block_size", "%d: want at least 2", m.MaxBlockSize)
	}
	mailboxes, domains := m.GenericMailboxes, m.FreeMailDomains
	if mailboxes == nil {
		mailboxes = DefaultGenericMailboxes
	}
	if domains == nil {
		domains = DefaultFreeMailDomains
	}
	m.generic, m.freeMail = lowerSet(mailboxes), lowerSet(domains)
	m.phoneCache = &sync.Map{}
	for _, k := range []struct {
		name string
		e    *Entity
		kind Kind
	}{{"person", &m.Person, KindPerson}, {"company", &m.Company, KindCompany}} {
		errs = append(errs, k.e.validate(prefix+k.name+".", k.kind)...)
	}
	return errors.Join(errs...)
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func lowerSet(list []string) map[string]bool {
	out := make(map[string]bool, len(list))
	for _, s := range list {
		out[strings.ToLower(strings.TrimSpace(s))] = true
	}
	return out
}

func (e *Entity) validate(prefix string, kind Kind) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", prefix, key, fmt.Sprintf(format, args...)))
	}
	checkRules := func(what string, rules []Rule) {
		names := map[string]bool{}
		for i, r := range rules {
			key := fmt.Sprintf("%s[%d]", what, i)
			if r.Name == "" {
				r.Name = strings.Join(r.Fields, "_")
				rules[i].Name = r.Name
			}
			if !ruleNameOK(r.Name) {
				bad(key+".name", "%q is not a plain name (letters, digits, _)", r.Name)
			}
			if names[r.Name] {
				bad(key+".name", "rule %s is named twice", r.Name)
			}
			names[r.Name] = true
			if len(r.Fields) == 0 {
				bad(key+".fields", "a rule needs at least one field (known: %s)", strings.Join(FieldNames(), ", "))
			}
			multi := 0
			for _, f := range r.Fields {
				if _, ok := fields[f]; !ok {
					bad(key+".fields", "unknown field %q (known: %s)", f, strings.Join(FieldNames(), ", "))
				}
				if multiValued[f] {
					multi++
				}
			}
			if multi > 1 {
				bad(key+".fields", "at most one field of a rule may be name_token")
			}
		}
	}
	checkRules("blocking", e.Blocking)
	checkRules("deterministic", e.Deterministic)
	if len(e.Blocking)+len(e.Deterministic) > maxRules {
		bad("blocking", "%d rules: at most %d blocking and deterministic rules together", len(e.Blocking)+len(e.Deterministic), maxRules)
	}
	known := comparisonsOf(kind)
	for i, c := range e.Ignore {
		if _, ok := known[c]; !ok {
			bad(fmt.Sprintf("ignore[%d]", i), "unknown comparison %q (known: %s)", c, strings.Join(sortedKeys(known), ", "))
		}
	}
	for _, c := range sortedKeys(e.Weights) {
		cmp, ok := known[c]
		if !ok {
			bad("weights."+c, "unknown comparison %q (known: %s)", c, strings.Join(sortedKeys(known), ", "))
			continue
		}
		for _, lv := range sortedKeys(e.Weights[c]) {
			if cmp.level(lv) < 0 {
				bad("weights."+c, "comparison %s has no level %q (levels: %s)", c, lv, strings.Join(cmp.Levels, ", "))
			}
		}
	}
	return errs
}

// maxRules bounds blocking plus deterministic rules: each is a bit of a
// BIGINT mask in the pairs table.
const maxRules = 60

func ruleNameOK(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
