package sync

import (
	"strings"
	"testing"
)

// TestWriteOptionsAndPoliciesBadInput: write options, on_deleted and
// duplicate-check entries that cannot work are refused when the config is
// read, at file:line:column of their key; a good one parses.
func TestWriteOptionsAndPoliciesBadInput(t *testing.T) {
	base := `  - name: leads
    model: syncs.leads
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: external_id, field: Zoho_Lead_Id__c}
    key: id
    mapping:
      Zoho_Lead_Id__c: {column: id}
      LastName: {column: last_name}
      Phone: {column: phone, skip_nulls: true}
      Title: {column: title, fill_if_empty: true}
      Description: {column: descr, never_overwrite: true}
`
	specs, err := parseSyncs(t, base)
	if err != nil {
		t.Fatalf("good spec: %v", err)
	}
	if o := specs[0].Mapping["Phone"].WriteOptions; !o.SkipNulls || o.FillIfEmpty {
		t.Errorf("Phone options: %+v", o)
	}
	if specs[0].DeletedPolicy() != DeletedUnlink {
		t.Errorf("default policy %q, want unlink", specs[0].DeletedPolicy())
	}
	cases := []struct{ name, body, want string }{
		{"both update options", strings.Replace(base, "fill_if_empty: true}", "fill_if_empty: true, never_overwrite: true}", 1),
			"revops.yaml:15:30: syncs[0].mapping.Title.fill_if_empty: set fill_if_empty or never_overwrite, not both"},
		{"skip_nulls on a constant", strings.Replace(base, "{column: phone, skip_nulls: true}", "{value: '1', skip_nulls: true}", 1),
			"revops.yaml:14:27: syncs[0].mapping.Phone.skip_nulls: a constant (value:) is never empty"},
		{"fill_if_empty on the match field", strings.Replace(base, "Zoho_Lead_Id__c: {column: id}", "Zoho_Lead_Id__c: {column: id, fill_if_empty: true}", 1),
			"revops.yaml:12:37: syncs[0].mapping.Zoho_Lead_Id__c.fill_if_empty: Zoho_Lead_Id__c finds the record (match): it is written with every row " +
				"(fill_if_empty compares with the destination's current value: the last extract salesforce.lead, else a read of the Lead records through the API)"},
		{"fill_if_empty in mode insert", strings.Replace(base, "mode: upsert", "mode: insert", 1),
			"revops.yaml:16:36: syncs[0].mapping.Description.never_overwrite: mode insert only creates records: there is no existing value to keep"},
		{"never_overwrite in mode update", strings.Replace(base, "mode: upsert", "mode: update", 1),
			"syncs[0].mapping.Description.never_overwrite: mode update never creates records, so the field would never be written"},
		{"unknown policy", strings.Replace(base, "    key: id\n", "    key: id\n    on_deleted: ignore\n", 1),
			`revops.yaml:11:5: syncs[0].on_deleted: "ignore" is not unlink, recreate or fail (default unlink)`},
		{"recreate in mode update", strings.Replace(strings.Replace(strings.Replace(base, "mode: upsert", "mode: update", 1),
			"    key: id\n", "    key: id\n    on_deleted: recreate\n", 1), ", never_overwrite: true", "", 1),
			"revops.yaml:11:5: syncs[0].on_deleted: recreate needs a mode that creates records"},
		{"composite entry for Zoho", `  - name: zl
    model: syncs.zl
    destination: {source: zoho_crm, object: Leads}
    mode: upsert
    match: {by: duplicate_check, fields: [Email, Last_Name+Company]}
    key: id
    mapping:
      Email: {column: email}
      Last_Name: {column: last_name}
      Company: {column: company}
`, "revops.yaml:9:50: syncs[0].match.fields[1]: Last_Name+Company: a zoho_crm destination checks duplicates one field at a time"},
		{"entry part not mapped", `  - name: sl
    model: syncs.sl
    destination: {source: salesforce, object: Lead}
    mode: upsert
    match: {by: duplicate_check, fields: [Email, LastName+Company]}
    key: id
    mapping:
      Email: {column: email}
      LastName: {column: last_name}
`, "syncs[0].match.fields[1]: Company must also be in mapping"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSyncs(t, c.body)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want error containing\n  %q\ngot\n  %v", c.want, err)
			}
		})
	}
}

// TestCheckSchemaWriteOptions: against the destination's metadata,
// fill_if_empty on a boolean is refused (naming where the current value
// would come from), and never_overwrite lets an upsert map a field that
// can be set on create only.
func TestCheckSchemaWriteOptions(t *testing.T) {
	sc := &Schema{Object: "Contact", Fields: map[string]Field{
		"LastName":             {Name: "LastName", Type: TypeString, Required: true, Createable: true, Updateable: true},
		"Zoho_Contact_Id__c":   {Name: "Zoho_Contact_Id__c", Type: TypeString, Createable: true, Updateable: true, ExternalID: true},
		"HasOptedOutOfEmail":   {Name: "HasOptedOutOfEmail", Type: TypeBoolean, Createable: true, Updateable: true},
		"First_Source__c":      {Name: "First_Source__c", Type: TypeString, Createable: true, Updateable: false},
		"Second_Source__c":     {Name: "Second_Source__c", Type: TypeString, Createable: true, Updateable: false},
		"Account_Created__c":   {Name: "Account_Created__c", Type: TypeDate, Createable: true, Updateable: true},
		"Description":          {Name: "Description", Type: TypeTextarea, Createable: true, Updateable: true},
		"Secondary_Phone__c":   {Name: "Secondary_Phone__c", Type: TypePhone, Createable: true, Updateable: true},
		"Preferred_Channel__c": {Name: "Preferred_Channel__c", Type: TypePicklist, Createable: true, Updateable: true},
	}}
	s := &Spec{Name: "contacts", Model: "syncs.contacts", Destination: Target{Source: "salesforce", Object: "Contact"}, Mode: ModeUpsert,
		Match: MatchSpec{By: MatchExternalID, Field: "Zoho_Contact_Id__c"}, Key: "id",
		Mapping: map[string]FieldMap{
			"Zoho_Contact_Id__c": {Column: "id"},
			"LastName":           {Column: "last_name"},
			"HasOptedOutOfEmail": {Column: "opted_out", WriteOptions: WriteOptions{FillIfEmpty: true}},
			"First_Source__c":    {Column: "source", WriteOptions: WriteOptions{NeverOverwrite: true}},
			"Second_Source__c":   {Column: "source"},
		}}
	err := CheckSchema(s, sc, nil)
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{
		"sync contacts: field HasOptedOutOfEmail: fill_if_empty on a boolean field: a boolean is never empty (false is a value)",
		"the last extract salesforce.contact, else a read of the Contact records through the API",
		"sync contacts: field Second_Source__c: read-only on update: an upsert both creates and updates (createable true, updateable false); never_overwrite writes it on create only",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("want %q in:\n%v", want, msg)
		}
	}
	if strings.Contains(msg, "First_Source__c") {
		t.Errorf("a never_overwrite field that can be set on create is refused:\n%v", msg)
	}
}

// TestMapPicklist: a value missing from the map fails the row naming the
// value and the table, unless the destination's picklist has it; lists
// and ;-separated multi-select text are mapped value by value.
func TestMapPicklist(t *testing.T) {
	f := Field{Name: "Status", Type: TypePicklist, Picklist: []string{"Open", "Working", "Closed"}}
	m := map[string]string{"Contacted": "Working", "New": "Open"}
	if v, rerr := mapPicklist("Contacted", m, f, "seeds.status_map"); rerr != nil || v != "Working" {
		t.Errorf("mapped: %v %v", v, rerr)
	}
	if v, rerr := mapPicklist("Closed", m, f, "seeds.status_map"); rerr != nil || v != "Closed" {
		t.Errorf("a value of the field passes: %v %v", v, rerr)
	}
	_, rerr := mapPicklist("Qualified", m, f, "seeds.status_map")
	if rerr == nil || rerr.Code != CodePicklistUnmapped || !strings.Contains(rerr.Message, `"Qualified" is not in picklist table seeds.status_map`) {
		t.Errorf("missing value: %v", rerr)
	}
	if _, rerr := mapPicklist("Qualified", m, f, map[string]any{}); rerr == nil || !strings.Contains(rerr.Message, "the inline picklist map") {
		t.Errorf("missing value, inline map: %v", rerr)
	}
	multi := Field{Name: "Tags", Type: TypeMultipicklist, Picklist: []string{"Working", "Open"}}
	if v, rerr := mapPicklist("Contacted; New", m, multi, "seeds.x"); rerr != nil || toJSON(v) != `["Working","Open"]` {
		t.Errorf("multi-select text: %v %v", v, rerr)
	}
	if _, rerr := mapPicklist([]any{"New", "Lost"}, m, multi, "seeds.x"); rerr == nil || !strings.Contains(rerr.Message, `"Lost"`) {
		t.Errorf("multi-select list with a missing value: %v", rerr)
	}
	if v, rerr := mapPicklist("Anything", m, Field{Name: "Free", Type: TypePicklist}, "seeds.x"); rerr != nil || v != "Anything" {
		t.Errorf("a field without listed values takes anything: %v %v", v, rerr)
	}
}

// TestWriteOptionsAllows: the options applied to one value.
func TestWriteOptionsAllows(t *testing.T) {
	cases := []struct {
		o              WriteOptions
		v              any
		exists         bool
		current        any
		known, allowed bool
	}{
		{WriteOptions{}, nil, true, "x", true, true},
		{WriteOptions{SkipNulls: true}, nil, false, nil, false, false},
		{WriteOptions{SkipNulls: true}, "", true, "x", true, false},
		{WriteOptions{SkipNulls: true}, "y", true, "x", true, true},
		{WriteOptions{FillIfEmpty: true}, "y", false, nil, false, true},
		{WriteOptions{FillIfEmpty: true}, "y", true, nil, true, true},
		{WriteOptions{FillIfEmpty: true}, "y", true, "x", true, false},
		{WriteOptions{FillIfEmpty: true}, "y", true, nil, false, false},
		{WriteOptions{NeverOverwrite: true}, "y", false, nil, false, true},
		{WriteOptions{NeverOverwrite: true}, "y", true, nil, true, false},
	}
	for i, c := range cases {
		if got := c.o.Allows(c.v, c.exists, c.current, c.known); got != c.allowed {
			t.Errorf("case %d: %+v.Allows(%v, exists %v, current %v known %v) = %v", i, c.o, c.v, c.exists, c.current, c.known, got)
		}
	}
}
