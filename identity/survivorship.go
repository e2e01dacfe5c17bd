package identity

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Survivorship rules: how a golden record's field picks its value among
// the values its source records hold (empty values never win).
const (
	// RuleSourcePriority takes the value of the system listed first (the
	// field's sources, else Survivorship.SourcePriority).
	RuleSourcePriority = "source_priority"
	// RuleMostRecent takes the value of the record updated last.
	RuleMostRecent = "most_recent"
	// RuleMostComplete takes the value of the record with the most filled
	// fields.
	RuleMostComplete = "most_complete"
	// RuleMostFrequent takes the value most records hold (compared
	// lower-cased and trimmed).
	RuleMostFrequent = "most_frequent"
)

// Rules lists the survivorship rules in the order the docs give them.
var Rules = []string{RuleSourcePriority, RuleMostRecent, RuleMostComplete, RuleMostFrequent}

// Systems are the source systems whose records the CRM identity models
// read (the `source` of identity.person_input and company_input).
var Systems = []string{"salesforce", "zoho_crm", "zoho_desk"}

// PersonFields and CompanyFields are the fields of identity.persons and
// identity.companies that survivorship fills, each with its default rule.
// The SQL models (sql/identity/person_fields.sql, company_fields.sql)
// pick one value per field; a rule for any other field is a config error.
var (
	PersonFields = []FieldDefault{
		{"first_name", RuleMostFrequent},
		{"last_name", RuleMostFrequent},
		{"email", RuleMostRecent},
		{"phone", RuleMostRecent},
		{"mobile", RuleMostRecent},
		{"title", RuleMostRecent},
		{"company", RuleMostFrequent},
		{"address", RuleMostRecent},
		{"city", RuleMostRecent},
		{"state", RuleMostRecent},
		{"postcode", RuleMostRecent},
		{"country", RuleMostFrequent},
		{"date_of_birth", RuleMostFrequent},
		{"lead_source", RuleSourcePriority},
	}
	CompanyFields = []FieldDefault{
		{"name", RuleMostFrequent},
		{"website", RuleMostFrequent},
		{"email", RuleMostRecent},
		{"phone", RuleMostRecent},
		{"industry", RuleMostFrequent},
		{"employees", RuleMostRecent},
		{"annual_revenue", RuleMostRecent},
		{"address", RuleMostRecent},
		{"city", RuleMostRecent},
		{"state", RuleMostRecent},
		{"postcode", RuleMostRecent},
		{"country", RuleMostFrequent},
	}
)

// FieldDefault is a golden field and the rule it uses unless configured.
type FieldDefault struct {
	Field string
	Rule  string
}

// Survivorship is the `survivorship:` part of the identity section of
// revops.yaml (Options.Survivorship):
//
//	survivorship:
//	  source_priority: [salesforce, zoho_crm, zoho_desk]
//	  persons:
//	    email: most_recent
//	    title: {rule: source_priority, sources: [salesforce, zoho_desk]}
//	  companies:
//	    name: most_frequent
//
// A field's rule is a name (RuleMostRecent, ...) or a mapping with the rule
// and the order of systems it prefers. Ties under any rule fall to the
// most recent record, then the system order, then the record id, so every
// build picks the same value from the same data.
type Survivorship struct {
	// SourcePriority orders the systems for source_priority rules that
	// name no sources of their own, and for ties. Default: salesforce,
	// zoho_crm, zoho_desk (systems left out come after, in that order).
	SourcePriority []string `yaml:"source_priority"`
	// Persons and Companies map a golden field to its rule.
	Persons   map[string]FieldRule `yaml:"persons"`
	Companies map[string]FieldRule `yaml:"companies"`
}

// FieldRule is one field's survivorship rule.
type FieldRule struct {
	// Rule is one of Rules.
	Rule string `yaml:"rule"`
	// Sources orders the systems for this field (source_priority and
	// ties); empty means Survivorship.SourcePriority.
	Sources []string `yaml:"sources"`
}

// UnmarshalYAML reads a rule name (`email: most_recent`) or a mapping
// (`email: {rule: source_priority, sources: [salesforce]}`).
func (f *FieldRule) UnmarshalYAML(unmarshal func(any) error) error {
	var name string
	if err := unmarshal(&name); err == nil {
		*f = FieldRule{Rule: name}
		return nil
	}
	type plain FieldRule
	var p plain
	if err := unmarshal(&p); err != nil {
		return err
	}
	*f = FieldRule(p)
	return nil
}

// Validate checks rules, fields and systems. Its errors start with the key
// path below the identity section ("survivorship.persons.emial: ..."), so
// that configs.Node reports them at their line and column.
func (s *Survivorship) Validate() error {
	if err := checkSystems("survivorship.source_priority", s.SourcePriority); err != nil {
		return err
	}
	for _, e := range []struct {
		key    string
		rules  map[string]FieldRule
		fields []FieldDefault
	}{{"persons", s.Persons, PersonFields}, {"companies", s.Companies, CompanyFields}} {
		for _, field := range sortedFields(e.rules) {
			r := e.rules[field]
			key := "survivorship." + e.key + "." + field
			if !hasField(e.fields, field) {
				return fmt.Errorf("%s: unknown field %q (%s fields: %s)", key, field, strings.TrimSuffix(e.key, "s"), fieldNames(e.fields))
			}
			if r.Rule == "" {
				return fmt.Errorf("%s: no rule (want one of %s)", key, strings.Join(Rules, ", "))
			}
			if !slices.Contains(Rules, r.Rule) {
				return fmt.Errorf("%s: unknown rule %q (want one of %s)", key, r.Rule, strings.Join(Rules, ", "))
			}
			if err := checkSystems(key+".sources", r.Sources); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSystems(key string, systems []string) error {
	seen := map[string]bool{}
	for _, s := range systems {
		if !slices.Contains(Systems, s) {
			return fmt.Errorf("%s: unknown source %q (the identity models read %s)", key, s, strings.Join(Systems, ", "))
		}
		if seen[s] {
			return fmt.Errorf("%s: %s is listed twice", key, s)
		}
		seen[s] = true
	}
	return nil
}

func sortedFields(m map[string]FieldRule) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hasField(fields []FieldDefault, name string) bool {
	for _, f := range fields {
		if f.Field == name {
			return true
		}
	}
	return false
}

func fieldNames(fields []FieldDefault) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Field
	}
	return strings.Join(names, ", ")
}

// order is systems first, then the remaining known systems in default order.
func order(systems []string) []string {
	out := slices.Clone(systems)
	for _, s := range Systems {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Seeds renders the effective rules (defaults overlaid with s) as the two
// seed files the identity models read:
//
//   - identity_survivorship.csv: entity,field,rule — one row per golden
//     field of persons and companies;
//   - identity_source_priority.csv: entity,field,source,priority — field
//     "*" holds the default system order, other fields their own.
//
// cmd hands them to the models engine in place of the shipped copies
// (configs/seeds), which hold Survivorship{}.Seeds() (a test keeps them
// equal).
func (s Survivorship) Seeds() map[string][]byte {
	var rules, prio bytes.Buffer
	rw, pw := csv.NewWriter(&rules), csv.NewWriter(&prio)
	_ = rw.Write([]string{"entity", "field", "rule"})
	_ = pw.Write([]string{"entity", "field", "source", "priority:bigint"})
	for _, e := range []struct {
		entity string
		rules  map[string]FieldRule
		fields []FieldDefault
	}{{"person", s.Persons, PersonFields}, {"company", s.Companies, CompanyFields}} {
		for i, sys := range order(s.SourcePriority) {
			_ = pw.Write([]string{e.entity, "*", sys, strconv.Itoa(i + 1)})
		}
		for _, f := range e.fields {
			rule := f.Rule
			r, ok := e.rules[f.Field]
			if ok {
				rule = r.Rule
			}
			_ = rw.Write([]string{e.entity, f.Field, rule})
			if ok && len(r.Sources) > 0 {
				for i, sys := range order(r.Sources) {
					_ = pw.Write([]string{e.entity, f.Field, sys, strconv.Itoa(i + 1)})
				}
			}
		}
	}
	rw.Flush()
	pw.Flush()
	return map[string][]byte{
		"identity_survivorship.csv":    rules.Bytes(),
		"identity_source_priority.csv": prio.Bytes(),
	}
}
