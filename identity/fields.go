package identity

import "sort"

// Kind is a kind of entity: people or companies.
type Kind string

// The kinds of entity identity resolves.
const (
	KindPerson  Kind = "person"
	KindCompany Kind = "company"
)

// fields are the normalized features a blocking or deterministic rule may
// name, each with the comparisons it informs (an EM session blocked on a
// field does not estimate those comparisons' m).
var fields = map[string][]string{
	"email": {"email"},
	// A mailbox name is mostly the person's name (ann.lee@): blocking on it
	// makes the names agree, matches or not.
	"email_local":    {"email", "first_name", "last_name"},
	"email_domain":   {"email", "domain"},
	"domain":         {"domain"},
	"phone":          {"phone"},
	"phone_local":    {"phone"},
	"first_name":     {"first_name"},
	"first_canon":    {"first_name"},
	"first_initial":  {"first_name"},
	"first_soundex":  {"first_name"},
	"last_name":      {"last_name"},
	"last_soundex":   {"last_name"},
	"name":           {"first_name", "last_name"},
	"name_token":     {"first_name", "last_name"},
	"dob":            {"dob"},
	"dob_year":       {"dob"},
	"postcode":       {"postcode"},
	"postcode_area":  {"postcode"},
	"city":           {"city"},
	"state":          {"state"},
	"country":        {"country"},
	"address":        {"address"},
	"address_number": {"address"},
	"street":         {"address"},
	"company":        {"company"},
	"company_token":  {"company"},
	"id_number":      {"id_number"},
	"gender":         {"gender"},
	"occupation":     {"occupation"},
	"birth_place":    {"birth_place"},
}

// multiValued fields give a record one key per value: name_token is each
// word of the name (first, middle and last), so "Ewen MacEachen" meets
// "MacEachen" typed alone or the other way round.
var multiValued = map[string]bool{"name_token": true}

// FieldNames lists the fields rules may name, sorted.
func FieldNames() []string {
	out := make([]string, 0, len(fields))
	for f := range fields {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Comparison is one term of the score: its levels, from "different"
// (level 0) up to the strongest agreement; level -1 is "a value is
// missing" and weighs nothing. The SQL of sql/identity/*_comparisons.sql
// computes the levels, column c_<name>.
type Comparison struct {
	Name   string
	Levels []string
	// M is the prior probability of each level among true matches: the
	// start of EM, and m where no session could estimate it.
	M []float64
	// TF: the top level's weight is adjusted for how common the value is
	// (column tf_<name>: the value's share of records).
	TF bool
	// Group names the comparisons that say one thing in several fields:
	// only the strongest agreement within a group adds to the match weight,
	// and every disagreement subtracts. Counting each of them would count
	// one fact several times (a postcode, its city and its state agree
	// together; so do a company's name and its web domain).
	Group string
}

// GroupPlaces is the group of the comparisons that say where a record is:
// address, postcode, city, state, country (and birth place); and for a
// person, where they work: the company and its web domain, since in CRM
// data a contact's address is mostly their company's, and two colleagues
// agree on all of them.
const GroupPlaces = "places"

func (c Comparison) level(name string) int {
	for i, l := range c.Levels {
		if l == name {
			return i
		}
	}
	return -1
}

// PersonComparisons are the comparisons of people, in column order.
var PersonComparisons = []Comparison{
	{Name: "first_name", Levels: []string{"different", "initial", "similar", "close", "nickname", "exact"}, M: []float64{0.05, 0.03, 0.04, 0.08, 0.05, 0.75}, TF: true},
	{Name: "last_name", Levels: []string{"different", "similar", "close", "exact"}, M: []float64{0.05, 0.04, 0.1, 0.81}, TF: true},
	{Name: "dob", Levels: []string{"different", "year", "year_typo", "close", "exact"}, M: []float64{0.05, 0.04, 0.03, 0.08, 0.8}, TF: true},
	{Name: "email", Levels: []string{"different", "close", "exact"}, M: []float64{0.1, 0.15, 0.75}},
	{Name: "phone", Levels: []string{"different", "local", "exact"}, M: []float64{0.1, 0.05, 0.85}},
	{Name: "postcode", Levels: []string{"different", "area", "close", "exact"}, M: []float64{0.1, 0.05, 0.05, 0.8}, TF: true, Group: GroupPlaces},
	{Name: "city", Levels: []string{"different", "close", "exact"}, M: []float64{0.1, 0.05, 0.85}, TF: true, Group: GroupPlaces},
	{Name: "address", Levels: []string{"different", "street", "close", "exact"}, M: []float64{0.1, 0.05, 0.1, 0.75}, Group: GroupPlaces},
	{Name: "company", Levels: []string{"different", "close", "exact"}, M: []float64{0.15, 0.1, 0.75}, TF: true, Group: GroupPlaces},
	{Name: "domain", Levels: []string{"different", "exact"}, M: []float64{0.15, 0.85}, Group: GroupPlaces},
	{Name: "id_number", Levels: []string{"different", "close", "exact"}, M: []float64{0.05, 0.1, 0.85}},
	{Name: "gender", Levels: []string{"different", "exact"}, M: []float64{0.05, 0.95}},
	{Name: "state", Levels: []string{"different", "exact"}, M: []float64{0.1, 0.9}, TF: true, Group: GroupPlaces},
	{Name: "country", Levels: []string{"different", "exact"}, M: []float64{0.05, 0.95}, TF: true, Group: GroupPlaces},
	{Name: "occupation", Levels: []string{"different", "close", "exact"}, M: []float64{0.2, 0.1, 0.7}, TF: true},
	{Name: "birth_place", Levels: []string{"different", "close", "exact"}, M: []float64{0.15, 0.05, 0.8}, TF: true, Group: GroupPlaces},
}

// CompanyComparisons are the comparisons of companies, in column order.
var CompanyComparisons = []Comparison{
	{Name: "company", Levels: []string{"different", "token", "similar", "close", "exact"}, M: []float64{0.1, 0.1, 0.1, 0.1, 0.6}, TF: true},
	{Name: "domain", Levels: []string{"different", "exact"}, M: []float64{0.1, 0.9}},
	{Name: "phone", Levels: []string{"different", "local", "exact"}, M: []float64{0.15, 0.1, 0.75}},
	{Name: "address", Levels: []string{"different", "number", "street", "close", "exact"}, M: []float64{0.1, 0.05, 0.05, 0.2, 0.6}, Group: GroupPlaces},
	{Name: "postcode", Levels: []string{"different", "area", "exact"}, M: []float64{0.1, 0.05, 0.85}, TF: true, Group: GroupPlaces},
	{Name: "city", Levels: []string{"different", "close", "exact"}, M: []float64{0.1, 0.05, 0.85}, TF: true, Group: GroupPlaces},
	{Name: "state", Levels: []string{"different", "exact"}, M: []float64{0.1, 0.9}, TF: true, Group: GroupPlaces},
	{Name: "country", Levels: []string{"different", "exact"}, M: []float64{0.05, 0.95}, TF: true, Group: GroupPlaces},
}

// Comparisons returns the comparisons of kind.
func Comparisons(kind Kind) []Comparison {
	if kind == KindCompany {
		return CompanyComparisons
	}
	return PersonComparisons
}

func comparisonsOf(kind Kind) map[string]Comparison {
	out := map[string]Comparison{}
	for _, c := range Comparisons(kind) {
		out[c.Name] = c
	}
	return out
}

// DefaultPersonBlocking are the blocking rules of people.
var DefaultPersonBlocking = []Rule{
	{"email", []string{"email"}},
	{"email_local", []string{"email_local"}},
	{"phone", []string{"phone"}},
	{"name", []string{"name"}},
	{"last_dob", []string{"last_name", "dob"}},
	{"first_dob", []string{"first_canon", "dob"}},
	{"token_dob", []string{"name_token", "dob"}},
	{"dob_postcode", []string{"dob", "postcode"}},
	{"last_postcode", []string{"last_name", "postcode"}},
	{"first_postcode", []string{"first_canon", "postcode"}},
	{"token_postcode", []string{"name_token", "postcode"}},
	{"soundex_year", []string{"last_soundex", "first_initial", "dob_year"}},
	{"soundexes", []string{"first_soundex", "last_soundex"}},
	{"last_initial", []string{"last_name", "first_initial"}},
	{"last_year", []string{"last_name", "dob_year"}},
	{"last_city", []string{"last_name", "city"}},
	{"token_birth_place", []string{"name_token", "birth_place"}},
	{"last_company", []string{"last_name", "company"}},
	{"token_company", []string{"name_token", "company"}},
	{"address", []string{"address"}},
	{"id_number", []string{"id_number"}},
}

// DefaultPersonDeterministic are the deterministic rules of people.
var DefaultPersonDeterministic = []Rule{
	{"email", []string{"email"}},
	{"id_number", []string{"id_number"}},
}

// DefaultCompanyBlocking are the blocking rules of companies.
var DefaultCompanyBlocking = []Rule{
	{"company", []string{"company"}},
	{"domain", []string{"domain"}},
	{"phone", []string{"phone"}},
	{"phone_local", []string{"phone_local"}},
	{"address_postcode", []string{"address_number", "postcode"}},
	{"address_street", []string{"address_number", "street"}},
	{"token_postcode", []string{"company_token", "postcode"}},
	{"token_city", []string{"company_token", "city"}},
}

// DefaultCompanyDeterministic are the deterministic rules of companies:
// none (a shared domain is strong evidence, weighed by the score, but
// sites of one organisation share it too).
var DefaultCompanyDeterministic = []Rule{}

// rules returns the entity's blocking and deterministic rules, defaults
// where the config sets none.
func (e *Entity) rules(kind Kind) (blocking, deterministic []Rule) {
	blocking, deterministic = e.Blocking, e.Deterministic
	if blocking == nil {
		blocking = DefaultPersonBlocking
		if kind == KindCompany {
			blocking = DefaultCompanyBlocking
		}
	}
	if deterministic == nil {
		deterministic = DefaultPersonDeterministic
		if kind == KindCompany {
			deterministic = DefaultCompanyDeterministic
		}
	}
	return blocking, deterministic
}

// Entity returns the options of kind.
func (m *Matching) Entity(kind Kind) *Entity {
	if kind == KindCompany {
		return &m.Company
	}
	return &m.Person
}
