package sync

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/configs"
)

func parseSyncs(t *testing.T, body string) ([]*Spec, error) {
	t.Helper()
	cfg, err := configs.Parse("revops.yaml", []byte(syncConfigHead+body), nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return ParseAll(cfg)
}

// syncConfigHead is a config up to its syncs: (5 lines), with a source
// of each type.
const syncConfigHead = `version: 1
warehouse: {type: duckdb, path: ':memory:'}
sources: [{name: salesforce, type: salesforce}, {name: zoho_crm, type: zoho_crm}, {name: zoho_desk, type: zoho_desk}]
syncs:
`

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
		{strings.Replace(ok, "mode: update", "mode: merge", 1), `revops.yaml:8:5: syncs[0].mode: "merge" is not upsert, update, insert or mirror`},
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
		{"caf\xe9", Field{Name: "S", Type: TypeString}, nil, CodeInvalidUTF8},
		{[]any{"ok", "caf\xe9"}, Field{Name: "M", Type: TypeMultipicklist}, nil, CodeInvalidUTF8},
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

// TestParseEachReportsEveryBadSyncAtItsKey: each bad sync of the issue
// comes back with file:line:column and its key, and the good syncs
// around them still parse.
func TestParseEachReportsEveryBadSyncAtItsKey(t *testing.T) {
	body := `  - name: good_first
    model: syncs.a
    destination: {source: salesforce, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
  - name: unknown_key
    model: syncs.a
    destination: {source: salesforce, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    colour: red
    mapping:
      Open_Tickets__c: {column: open_tickets}
  - name: typo_mode
    model: syncs.a
    destination: {source: salesforce, object: Account}
    mode: upsrt
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
  - name: no_such_source
    model: syncs.a
    destination: {source: salesforse, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets__c: {column: open_tickets}
  - name: typo_column
    model: syncs.a
    destination: {source: salesforce, object: Account}
    mode: update
    match: {by: id}
    key: account_id
    mapping:
      Open_Tickets__c: {colum: open_tickets}
  - name: into_desk
    model: syncs.a
    destination: {source: zoho_desk, object: tickets}
    mode: update
    match: {by: id}
    key: ticket_id
    mapping:
      subject: {column: subject}
  - name: create_key_by_email
    model: syncs.a
    destination: {source: zoho_crm, object: Leads}
    mode: upsert
    match: {by: duplicate_check, fields: [Email], create_key: Revops_Key}
    key: lead_id
    mapping:
      Email: {column: email}
  - name: good_last
    model: syncs.b
    destination: {source: zoho_crm, object: Leads}
    mode: insert
    match: {by: id, create_key: Revops_Key}
    key: lead_id
    mapping:
      Last_Name: {column: last_name}
      Company: {lookup: {sync: typo_mode, column: account_id}}
`
	cfg, err := configs.Parse("revops.yaml", []byte(syncConfigHead+body), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ParseEach(cfg, []string{"salesforce", "zoho_crm"})
	want := map[string]string{
		"unknown_key":         "revops.yaml:19:5: syncs[1].colour: unknown key",
		"typo_mode":           `revops.yaml:25:5: syncs[2].mode: "upsrt" is not upsert, update, insert or mirror`,
		"no_such_source":      `revops.yaml:32:19: syncs[3].destination.source: no source named "salesforse" (sources: salesforce, zoho_crm, zoho_desk)`,
		"typo_column":         "revops.yaml:45:25: syncs[4].mapping.Open_Tickets__c.colum: unknown key",
		"into_desk":           "revops.yaml:48:19: syncs[5].destination.source: source zoho_desk is of type zoho_desk, which revops cannot write to (it writes to salesforce, zoho_crm)",
		"create_key_by_email": "revops.yaml:58:51: syncs[6].match.create_key: only with by: id",
	}
	if len(got) != 8 {
		t.Fatalf("%d results for 8 syncs", len(got))
	}
	for _, p := range got {
		w, bad := want[p.Name]
		switch {
		case !bad && (p.Err != nil || p.Spec == nil):
			t.Errorf("%s: want it parsed, got %v", p.Name, p.Err)
		case bad && (p.Err == nil || p.Spec != nil):
			t.Errorf("%s: want an error, got a spec", p.Name)
		case bad && !strings.HasPrefix(p.Err.Error(), w):
			t.Errorf("%s:\n got %v\nwant %s", p.Name, p.Err, w)
		}
		var ce *configs.Error
		if p.Err != nil && !errors.As(p.Err, &ce) {
			t.Errorf("%s: %T is not a *configs.Error", p.Name, p.Err)
		}
	}
	// ParseAll joins every bad sync's error.
	if _, err := ParseAll(cfg); err == nil || strings.Count(err.Error(), "revops.yaml:") != 5 {
		t.Errorf("ParseAll: want the 5 errors found without the writable check, got %v", err)
	}
}

func TestValidateRefusesBytesThatAreNotUTF8(t *testing.T) {
	base := func() *Spec {
		return &Spec{Name: "s", Model: "syncs.s", Destination: Target{Source: "salesforce", Object: "Account"}, Mode: ModeUpdate,
			Match: MatchSpec{By: MatchID}, Key: "id", Mapping: map[string]FieldMap{"Description": {Value: "ok"}}}
	}
	cases := []struct {
		edit func(s *Spec)
		want string
	}{
		{func(s *Spec) { s.Mapping["Description"] = FieldMap{Value: "Synced by revops \xe9t\xe9"} },
			"mapping.Description.value: not valid UTF-8: byte 0xE9 at offset 17"},
		{func(s *Spec) { s.Mapping["Description"] = FieldMap{Value: []any{"a", "caf\xe9"}} },
			"mapping.Description.value: not valid UTF-8 (item 1: byte 0xE9 at offset 3)"},
		{func(s *Spec) {
			s.Mapping["Status"] = FieldMap{Column: "status", Picklist: map[string]any{"Contact\xe9": "Working"}}
		}, `mapping.Status.picklist: not valid UTF-8 (the key "Contact\xe9": byte 0xE9 at offset 7)`},
		{func(s *Spec) {
			s.Mode, s.Mirror = ModeMirror, &MirrorSpec{Action: "archive", ArchiveField: "Active__c", ArchiveValue: "n\xf6"}
		}, "mirror.archive_value: not valid UTF-8: byte 0xF6 at offset 1"},
		{func(s *Spec) { s.SQL, s.Model = "SELECT 'caf\xe9' AS id", "" }, "sql: not valid UTF-8"},
	}
	for _, c := range cases {
		s := base()
		c.edit(s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
	if err := base().Validate(); err != nil {
		t.Errorf("a valid spec: %v", err)
	}
}

func TestIdempotency(t *testing.T) {
	spec := func(mode Mode, m MatchSpec) *Spec {
		return &Spec{Name: "s", Mode: mode, Match: m, Destination: Target{Source: "salesforce", Object: "Lead"}}
	}
	cases := []struct {
		s    *Spec
		ok   bool
		want string
	}{
		{spec(ModeUpdate, MatchSpec{By: MatchID}), true, "never creates"},
		{spec(ModeUpsert, MatchSpec{By: MatchExternalID, Field: "Zoho_Lead_Id__c"}), true, "found again by Zoho_Lead_Id__c"},
		{spec(ModeInsert, MatchSpec{By: MatchDuplicateCheck, Fields: []string{"Email"}}), true, "rows without a value are refused"},
		{spec(ModeMirror, MatchSpec{By: MatchID, CreateKey: "Revops_Key__c"}), true, "write s:<key> into Revops_Key__c"},
		{spec(ModeInsert, MatchSpec{By: MatchID}), false, "set match.create_key"},
		{spec(ModeUpsert, MatchSpec{By: MatchID}), false, "cannot look up"},
	}
	for _, c := range cases {
		ok, why := c.s.Idempotency()
		if ok != c.ok || !strings.Contains(why, c.want) {
			t.Errorf("%s by %s: %v %q, want %v and %q", c.s.Mode, c.s.Match.By, ok, why, c.ok, c.want)
		}
	}
}

// TestBuildRefusesModelTextThatIsNotUTF8: a model value that is not valid
// UTF-8 fails its row, naming the field, the column and the key; it is
// never sent (DuckDB itself refuses such text, other warehouses may not).
func TestBuildRefusesModelTextThatIsNotUTF8(t *testing.T) {
	s := &Spec{Name: "s", Model: "syncs.s", Destination: Target{Source: "salesforce", Object: "Lead"}, Mode: ModeUpdate,
		Match: MatchSpec{By: MatchID}, Key: "id", Mapping: map[string]FieldMap{
			"Description": {Column: "notes"}, "Industry": {Column: "industry", Picklist: map[string]any{"Tech": "Technology"}},
			"Tags__c": {Column: "tags"}}}
	sc := &Schema{Object: "Lead", Fields: map[string]Field{
		"Description": {Name: "Description", Type: TypeTextarea, Updateable: true},
		"Industry":    {Name: "Industry", Type: TypePicklist, Updateable: true},
		"Tags__c":     {Name: "Tags__c", Type: TypeMultipicklist, Updateable: true},
	}}
	p := &prepared{spec: s, schema: sc}
	cases := []struct {
		values []any // Description, Industry, Tags__c (Spec.Fields order)
		want   string
	}{
		{[]any{"Caf\xe9 owner", "Tech", nil}, `Description: column notes of key "00Q1" is not valid UTF-8: byte 0xE9 at offset 3`},
		{[]any{"ok", "T\xe9ch", nil}, `Industry: column industry of key "00Q1" is not valid UTF-8: byte 0xE9 at offset 1`},
		{[]any{"ok", "Tech", []any{"a", "b\xff"}}, `Tags__c: column tags of key "00Q1" is not valid UTF-8 (item 1: byte 0xFF at offset 1)`},
	}
	for _, c := range cases {
		pd, rerr := p.build(Change{Key: "00Q1", Kind: "changed", Values: c.values, LookupKeys: make([]any, 3)}, nil)
		if pd != nil || rerr == nil || rerr.Code != CodeInvalidUTF8 || !strings.HasPrefix(rerr.Message, c.want) {
			t.Errorf("%q: got %v %v, want %s", c.values, pd, rerr, c.want)
		}
	}
	pd, rerr := p.build(Change{Key: "00Q1", Kind: "changed", Values: []any{"Café owner", "Tech", []any{"a"}}, LookupKeys: make([]any, 3)}, nil)
	if rerr != nil || pd.rec.Values["Description"] != "Café owner" {
		t.Errorf("valid text: %v %v", pd, rerr)
	}
}

func TestCheckSchemaCreateKeyAndBytes(t *testing.T) {
	sc := &Schema{Object: "Account", Fields: map[string]Field{
		"Name":          {Name: "Name", Type: TypeString, Length: 255, Required: true, Createable: true, Updateable: true},
		"Description":   {Name: "Description", Type: TypeTextarea, Createable: true, Updateable: true},
		"Revops_Key__c": {Name: "Revops_Key__c", Type: TypeString, Length: 255, Createable: true, Updateable: true, ExternalID: true, Unique: true},
		"Plain__c":      {Name: "Plain__c", Type: TypeString, Length: 255, Createable: true, Updateable: true, ExternalID: true},
		"Tiny__c":       {Name: "Tiny__c", Type: TypeString, Length: 4, Createable: true, Updateable: true, Unique: true},
		"Email__c":      {Name: "Email__c", Type: TypeEmail, Createable: true, Updateable: true, Unique: true},
	}}
	cols := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "raw", Type: arrow.BinaryTypes.Binary}}, nil)
	spec := func(key string) *Spec {
		return &Spec{Name: "accts", Model: "syncs.a", Destination: Target{Source: "salesforce", Object: "Account"}, Mode: ModeUpsert,
			Match: MatchSpec{By: MatchID, CreateKey: key}, Key: "k", Mapping: map[string]FieldMap{"Name": {Column: "name"}}}
	}
	if err := CheckSchema(spec("Revops_Key__c"), sc, cols); err != nil {
		t.Errorf("an external id create key: %v", err)
	}
	for key, want := range map[string]string{
		"Nope__c":  "match.create_key: unknown field on Account",
		"Plain__c": "match.create_key: not a unique field of Account",
		"Tiny__c":  "match.create_key: holds 4 characters, too few for accts:<key>",
		"Email__c": "match.create_key: a email field cannot hold revops's key",
	} {
		if err := CheckSchema(spec(key), sc, cols); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("create_key %s: want %q, got %v", key, want, err)
		}
	}
	s := spec("Revops_Key__c")
	s.Mapping["Description"] = FieldMap{Column: "raw"}
	if err := CheckSchema(s, sc, cols); err == nil || !strings.Contains(err.Error(), "field Description: column raw is binary: cannot fill a textarea field (bytes, not text") {
		t.Errorf("a BLOB column: %v", err)
	}
}
