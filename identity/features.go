package identity

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Roles are the input columns of identity.person_input and
// identity.company_input (and of `revops identity match --map`) that
// the matcher reads; a role a data set lacks is a NULL column.
var Roles = []string{"first_name", "last_name", "full_name", "email", "phone", "company", "city",
	"postcode", "address", "country", "website", "date_of_birth", "state", "gender", "id_number",
	"occupation", "birth_place"}

// featureColumns are the columns of identity.person_features and
// identity.company_features after rn, record_id and source (VARCHAR but
// email_generic, a BOOLEAN).
var featureColumns = []string{"first_name", "middle_name", "last_name", "first_canon", "first_initial",
	"first_soundex", "last_soundex", "name", "email", "email_local", "email_domain", "email_generic",
	"email_digits", "domain", "phone", "phone_local", "dob", "dob_year", "postcode", "postcode_area", "city", "state",
	"country", "address", "address_number", "street", "company", "company_token", "id_number", "gender",
	"occupation", "birth_place"}

func featureSchema() *arrow.Schema {
	fs := []arrow.Field{
		{Name: "rn", Type: arrow.PrimitiveTypes.Int64},
		{Name: "record_id", Type: arrow.BinaryTypes.String},
		{Name: "source", Type: arrow.BinaryTypes.String, Nullable: true},
	}
	for _, c := range featureColumns {
		t := arrow.DataType(arrow.BinaryTypes.String)
		if c == "email_generic" {
			t = arrow.FixedWidthTypes.Boolean
		}
		fs = append(fs, arrow.Field{Name: c, Type: t, Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// Features are one record's normalized values.
type Features struct {
	Name                                         PersonName
	Canon                                        string
	NameKey                                      string
	Email                                        Email
	Domain                                       string
	Phone                                        Phone
	DOB                                          string
	Postcode, PostcodeArea, City, State, Country string
	Address                                      Address
	Company, CompanyToken                        string
	IDNumber, Gender, Occupation, BirthPlace     string
}

// dayFirstRegions write dates month first; everyone else day first.
var monthFirstRegions = map[string]bool{"US": true, "CA": true, "PH": true, "FM": true}

var countryNames = map[string]string{
	"united states": "us", "united states of america": "us", "usa": "us", "u s a": "us", "u s": "us", "america": "us",
	"united kingdom": "gb", "uk": "gb", "great britain": "gb", "england": "gb", "scotland": "gb", "wales": "gb",
	"deutschland": "de", "germany": "de", "france": "fr", "espana": "es", "spain": "es", "italia": "it", "italy": "it",
	"nederland": "nl", "netherlands": "nl", "the netherlands": "nl", "holland": "nl", "schweiz": "ch", "switzerland": "ch",
	"osterreich": "at", "austria": "at", "belgique": "be", "belgium": "be", "canada": "ca", "australia": "au",
	"india": "in", "japan": "jp", "brasil": "br", "brazil": "br", "mexico": "mx", "ireland": "ie", "sweden": "se",
	"sverige": "se", "norway": "no", "norge": "no", "denmark": "dk", "danmark": "dk", "poland": "pl", "polska": "pl",
	"singapore": "sg", "new zealand": "nz", "south africa": "za", "china": "cn", "portugal": "pt", "finland": "fi",
}

func normCountry(s string) string {
	f := fold(s, ".'")
	if c, ok := countryNames[f]; ok {
		return c
	}
	if len(f) == 2 || len(f) == 3 && !strings.Contains(f, " ") {
		switch f {
		case "usa":
			return "us"
		case "gbr":
			return "gb"
		case "deu":
			return "de"
		}
		if len(f) == 2 {
			return f
		}
	}
	return f
}

func normGender(s string) string {
	switch f := fold(s, ""); f {
	case "m", "male", "man", "mr", "h", "homme", "mann", "masculino":
		return "m"
	case "f", "female", "woman", "w", "femme", "frau", "weiblich", "femenino":
		return "f"
	default:
		return f
	}
}

func normID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Normalize computes a record's features from its roles (get returns a
// role's raw value).
func (m *Matching) Normalize(get func(role string) string) Features {
	var f Features
	f.Name = ParseName(get("first_name"), get("last_name"), get("full_name"))
	f.Canon = CanonicalFirstName(f.Name.First)
	if f.Canon != "" && f.Name.Last != "" {
		a, b := f.Canon, f.Name.Last
		if b < a {
			a, b = b, a
		}
		f.NameKey = a + " " + b
	}
	f.Email = m.NormalizeEmail(get("email"))
	f.Domain = NormalizeDomain(get("website"))
	if f.Domain == "" && f.Email.Domain != "" && !f.Email.Free {
		f.Domain = f.Email.Domain
	}
	f.Phone = m.NormalizePhone(get("phone"))
	f.DOB = NormalizeDate(get("date_of_birth"), !monthFirstRegions[m.region])
	f.Postcode = NormalizePostcode(get("postcode"))
	f.PostcodeArea = PostcodeArea(f.Postcode)
	f.City = fold(get("city"), ".'")
	f.State = fold(get("state"), ".")
	f.Country = normCountry(get("country"))
	f.Address = NormalizeAddress(get("address"))
	f.Company = NormalizeCompany(get("company"))
	if tok, _, _ := strings.Cut(f.Company, " "); len(tok) >= 3 {
		f.CompanyToken = tok
	} else if f.Company != "" {
		f.CompanyToken = strings.ReplaceAll(f.Company, " ", "")
		if len(f.CompanyToken) > 8 {
			f.CompanyToken = f.CompanyToken[:8]
		}
	}
	f.IDNumber = normID(get("id_number"))
	f.Gender = normGender(get("gender"))
	f.Occupation = fold(get("occupation"), "'")
	f.BirthPlace = fold(get("birth_place"), "'")
	return f
}

// values returns the feature columns of f in featureColumns order
// (email_generic as "true"/"false"/"").
func (f *Features) values() []string {
	initial := ""
	if f.Name.First != "" {
		initial = f.Name.First[:1]
	}
	email := f.Email.Address
	generic := ""
	if email != "" {
		generic = "false"
		if f.Email.Generic {
			generic = "true"
		}
	}
	local := f.Email.Local
	if f.Email.Generic {
		local = ""
	}
	dobYear := ""
	if len(f.DOB) == 8 {
		dobYear = f.DOB[:4]
	}
	return []string{f.Name.First, f.Name.Middle, f.Name.Last, f.Canon, initial,
		Soundex(f.Name.First), Soundex(f.Name.Last), f.NameKey, email, local, f.Email.Domain, generic,
		digitsOf(local), f.Domain, f.Phone.E164, f.Phone.Local, f.DOB, dobYear, f.Postcode, f.PostcodeArea, f.City, f.State,
		f.Country, f.Address.Full, f.Address.Number, f.Address.Street, f.Company, f.CompanyToken, f.IDNumber,
		f.Gender, f.Occupation, f.BirthPlace}
}

// digitsOf returns the digits of s in order ("j.smith2" → "2"): the
// number that tells two namesakes' mailboxes apart.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// featuresTransform normalizes the rows of an input model (rn,
// record_id, source and the Roles) into feature rows.
func (m *Matching) featuresTransform(ctx context.Context, in array.RecordReader, _ map[string]string) (array.RecordReader, error) {
	schema := featureSchema()
	for _, need := range []string{"rn", "record_id"} {
		if len(in.Schema().FieldIndices(need)) == 0 {
			return nil, fmt.Errorf("features: the input has no column %s", need)
		}
	}
	return newParallelReader(ctx, in, schema, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		rn, err := intCol(rec, "rn")
		if err != nil {
			return nil, fmt.Errorf("features: %w", err)
		}
		id, src := column(rec, "record_id"), column(rec, "source")
		roles := map[string]strCol{}
		for _, r := range Roles {
			roles[r] = column(rec, r)
		}
		b := array.NewRecordBuilder(alloc, schema)
		defer b.Release()
		n := int(rec.NumRows())
		b.Reserve(n)
		var row int
		get := func(role string) string {
			v, _ := roles[role](row)
			return v
		}
		for row = 0; row < n; row++ {
			b.Field(0).(*array.Int64Builder).Append(rn(row))
			v, _ := id(row)
			b.Field(1).(*array.StringBuilder).Append(v)
			s, _ := src(row)
			appendStr(b.Field(2).(*array.StringBuilder), s)
			f := m.Normalize(get)
			for i, v := range f.values() {
				fb := b.Field(3 + i)
				if bb, ok := fb.(*array.BooleanBuilder); ok {
					if v == "" {
						bb.AppendNull()
					} else {
						bb.Append(v == "true")
					}
					continue
				}
				appendStr(fb.(*array.StringBuilder), v)
			}
		}
		return b.NewRecordBatch(), nil
	}), nil
}

// ruleSet is an entity's blocking and deterministic rules, numbered.
type ruleSet struct {
	rules []numberedRule
}

type numberedRule struct {
	Rule
	id            int
	deterministic bool
}

func (m *Matching) ruleSet(kind Kind) ruleSet {
	blocking, det := m.Entity(kind).rules(kind)
	var rs ruleSet
	for _, r := range blocking {
		rs.rules = append(rs.rules, numberedRule{Rule: r, id: len(rs.rules)})
	}
	for _, r := range det {
		rs.rules = append(rs.rules, numberedRule{Rule: r, id: len(rs.rules), deterministic: true})
	}
	return rs
}

// rulesTransform writes the rules table of kind: rule, name, kind
// (blocking | deterministic), bit (2^rule), fields and the comparisons
// the fields inform. It reads nothing from its input.
func (m *Matching) rulesTransform(kind Kind) func(context.Context, array.RecordReader, map[string]string) (array.RecordReader, error) {
	return func(_ context.Context, in array.RecordReader, _ map[string]string) (array.RecordReader, error) {
		for in.Next() {
		}
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "rule", Type: arrow.PrimitiveTypes.Int32},
			{Name: "name", Type: arrow.BinaryTypes.String},
			{Name: "kind", Type: arrow.BinaryTypes.String},
			{Name: "bit", Type: arrow.PrimitiveTypes.Int64},
			{Name: "fields", Type: arrow.BinaryTypes.String},
			{Name: "comparisons", Type: arrow.BinaryTypes.String},
		}, nil)
		b := array.NewRecordBuilder(alloc, schema)
		defer b.Release()
		for _, r := range m.ruleSet(kind).rules {
			b.Field(0).(*array.Int32Builder).Append(int32(r.id))
			b.Field(1).(*array.StringBuilder).Append(r.Name)
			k := "blocking"
			if r.deterministic {
				k = "deterministic"
			}
			b.Field(2).(*array.StringBuilder).Append(k)
			b.Field(3).(*array.Int64Builder).Append(int64(1) << r.id)
			b.Field(4).(*array.StringBuilder).Append(strings.Join(r.Fields, ","))
			b.Field(5).(*array.StringBuilder).Append(strings.Join(ruleComparisons(r.Rule), ","))
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		return array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	}
}

func ruleComparisons(r Rule) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Fields {
		for _, c := range fields[f] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// blockKeysTransform reads feature rows and writes one row (rn, rule,
// key) per record and rule whose fields are all present: key is a
// 64-bit hash of the rule and the values (two records meet in a block
// when their keys are equal; a rare collision only adds a pair to score).
func (m *Matching) blockKeysTransform(kind Kind) func(context.Context, array.RecordReader, map[string]string) (array.RecordReader, error) {
	return func(ctx context.Context, in array.RecordReader, _ map[string]string) (array.RecordReader, error) {
		rules := m.ruleSet(kind).rules
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "rn", Type: arrow.PrimitiveTypes.Int64},
			{Name: "rule", Type: arrow.PrimitiveTypes.Int32},
			{Name: "key", Type: arrow.PrimitiveTypes.Int64},
		}, nil)
		return newParallelReader(ctx, in, schema, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
			rn, err := intCol(rec, "rn")
			if err != nil {
				return nil, fmt.Errorf("block keys: %w", err)
			}
			cols := map[string]strCol{}
			if kind == KindPerson {
				// A role mailbox (info@) never links people on its own.
				email, generic := column(rec, "email"), column(rec, "email_generic")
				cols["email"] = func(i int) (string, bool) {
					if g, _ := generic(i); g == "true" {
						return "", false
					}
					return email(i)
				}
			}
			for _, r := range rules {
				for _, f := range r.Fields {
					if cols[f] == nil {
						cols[f] = column(rec, f)
					}
				}
			}
			b := array.NewRecordBuilder(alloc, schema)
			defer b.Release()
			rnB := b.Field(0).(*array.Int64Builder)
			ruleB := b.Field(1).(*array.Int32Builder)
			keyB := b.Field(2).(*array.Int64Builder)
			h := fnv.New64a()
			var buf []byte
			first, middle, last := column(rec, "first_name"), column(rec, "middle_name"), column(rec, "last_name")
			var tokens []string
			for i := 0; i < int(rec.NumRows()); i++ {
				tokens = tokens[:0]
				for _, c := range []strCol{first, middle, last} {
					if v, ok := c(i); ok {
						for _, t := range strings.Fields(v) {
							if len(t) > 1 && !slices.Contains(tokens, t) {
								tokens = append(tokens, t)
							}
						}
					}
				}
			rule:
				for _, r := range rules {
					buf = append(buf[:0], byte(r.id))
					multi := -1
					for _, f := range r.Fields {
						buf = append(buf, 0)
						if multiValued[f] {
							if len(tokens) == 0 {
								continue rule
							}
							multi = len(buf)
							continue
						}
						v, ok := cols[f](i)
						if !ok || v == "" {
							continue rule
						}
						buf = append(buf, v...)
					}
					emit := func(b []byte) {
						h.Reset()
						h.Write(b)
						rnB.Append(rn(i))
						ruleB.Append(int32(r.id))
						keyB.Append(int64(h.Sum64()))
					}
					if multi < 0 {
						emit(buf)
						continue
					}
					for _, t := range tokens {
						b := append(append(append([]byte(nil), buf[:multi]...), t...), buf[multi:]...)
						emit(b)
					}
				}
			}
			return b.NewRecordBatch(), nil
		}), nil
	}
}
