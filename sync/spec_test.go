package sync

import (
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/configs"
)

func parseSyncs(t *testing.T, body string) ([]*Spec, error) {
	t.Helper()
	cfg, err := configs.Parse("revops.yaml", []byte("version: 1\nwarehouse: {type: duckdb, path: ':memory:'}\nsyncs:\n"+body), nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return ParseAll(cfg)
}

func TestParseErrors(t *testing.T) {
	ok := `  - name: s
    model: syncs.s
    destination: {source: salesforce, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
`
	specs, err := parseSyncs(t, ok)
	if err != nil || len(specs) != 1 || specs[0].Name != "s" || specs[0].Mode != ModeUpdate {
		t.Fatalf("ok spec: %v %+v", err, specs)
	}
	cases := []struct{ body, want string }{
		{strings.Replace(ok, "mode: update", "mode: merge", 1), `revops.yaml:7:5: syncs[0].mode: "merge" is not upsert, update, insert or mirror`},
		{strings.Replace(ok, "    key: account_id\n", "", 1), "syncs[0].key: required"},
		{strings.Replace(ok, "match: {by: id}", "match: {by: external_id}", 1), "syncs[0].match.field: required"},
		{strings.Replace(ok, "match: {by: id}", "match: {by: external_id, field: X__c}", 1), "X__c must also be in mapping"},
		{strings.Replace(ok, "{column: open_tickets}", "{column: a, value: 3}", 1), "mapping.Open_Tickets__c: set exactly one of column, value or lookup"},
		{strings.Replace(ok, "{column: open_tickets}", "{lookup: {sync: nope, column: a}}", 1), `no sync named "nope"`},
		{strings.Replace(ok, "mode: update", "mode: mirror", 1), "mirror: required in mode mirror"},
		{strings.Replace(ok, "    key:", "    colour: red\n    key:", 1), "syncs[0].colour: unknown key"},
		{strings.Replace(ok, "    model: syncs.s\n", "", 1), "model: required"},
	}
	for _, c := range cases {
		_, err := parseSyncs(t, c.body)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want error containing %q, got %v", c.want, err)
		}
	}
}

func TestCoerce(t *testing.T) {
	day := time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)
	cases := []struct {
		v    any
		f    Field
		want any
		code string
	}{
		{"3", Field{Name: "N", Type: TypeInt}, int64(3), ""},
		{3.0, Field{Name: "N", Type: TypeInt}, int64(3), ""},
		{3.5, Field{Name: "N", Type: TypeInt}, nil, CodeInvalidValue},
		{"1234.567", Field{Name: "A", Type: TypeCurrency, Length: 16, Scale: 2}, 1234.57, ""},
		{int64(1), Field{Name: "B", Type: TypeBoolean}, true, ""},
		{"no", Field{Name: "B", Type: TypeBoolean}, false, ""},
		{day, Field{Name: "D", Type: TypeDate}, "2024-03-05", ""},
		{day, Field{Name: "T", Type: TypeDatetime}, "2024-03-05T14:30:00+00:00", ""},
		{"2024-03-05T16:30:00+02:00", Field{Name: "T", Type: TypeDatetime}, "2024-03-05T16:30:00+02:00", ""},
		{"a;b", Field{Name: "M", Type: TypeMultipicklist}, []string{"a", "b"}, ""},
		{[]any{"a", "z"}, Field{Name: "M", Type: TypeMultipicklist, Restricted: true, Picklist: []string{"a", "b"}}, nil, CodeBadPicklist},
		{"Hot", Field{Name: "P", Type: TypePicklist, Restricted: true, Picklist: []string{"Hot", "Cold"}}, "Hot", ""},
		{"Warm", Field{Name: "P", Type: TypePicklist, Restricted: true, Picklist: []string{"Hot", "Cold"}}, nil, CodeBadPicklist},
		{"abcdef", Field{Name: "S", Type: TypeString, Length: 5}, nil, CodeTooLong},
		{"not-an-email", Field{Name: "E", Type: TypeEmail}, nil, CodeBadEmail},
		{"a@b.co", Field{Name: "E", Type: TypeEmail}, "a@b.co", ""},
		{nil, Field{Name: "S", Type: TypeString}, nil, ""},
	}
	for _, c := range cases {
		got, rerr := Coerce(c.v, c.f)
		if c.code != "" {
			if rerr == nil || rerr.Code != c.code {
				t.Errorf("Coerce(%v, %s): want %s, got %v %v", c.v, c.f.Type, c.code, got, rerr)
			}
			continue
		}
		if rerr != nil || toJSON(got) != toJSON(c.want) {
			t.Errorf("Coerce(%v, %s) = %v %v, want %v", c.v, c.f.Type, got, rerr, c.want)
		}
	}
}

func TestCheckSchema(t *testing.T) {
	sc := &Schema{Object: "Lead", Fields: map[string]Field{
		"LastName":        {Name: "LastName", Type: TypeString, Length: 80, Required: true, Createable: true, Updateable: true},
		"Company":         {Name: "Company", Type: TypeString, Length: 255, Required: true, Createable: true, Updateable: true},
		"Status":          {Name: "Status", Type: TypePicklist, Required: true, Createable: true, Updateable: true, Restricted: true, Picklist: []string{"Open", "Closed"}},
		"IsConverted":     {Name: "IsConverted", Type: TypeBoolean, Createable: false, Updateable: false},
		"Zoho_Lead_Id__c": {Name: "Zoho_Lead_Id__c", Type: TypeString, Length: 255, Createable: true, Updateable: true, ExternalID: true},
	}}
	s := &Spec{Name: "leads", Model: "syncs.leads", Destination: Target{Source: "salesforce", Object: "Lead"}, Mode: ModeUpsert,
		Match: MatchSpec{By: MatchExternalID, Field: "Zoho_Lead_Id__c"}, Key: "id",
		Mapping: map[string]FieldMap{
			"Zoho_Lead_Id__c": {Column: "id"},
			"LastName":        {Column: "last_name"},
			"Status":          {Value: "Warm"},
			"IsConverted":     {Value: true},
			"Compny":          {Column: "company"},
		}}
	err := CheckSchema(s, sc, nil)
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		`sync leads: field Compny: unknown field on Lead (did you mean Company?)`,
		`sync leads: field IsConverted: read-only`,
		`sync leads: field Status: value "Warm": "Warm" is not one of its values`,
		`sync leads: field Company: mandatory on Lead`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
}
