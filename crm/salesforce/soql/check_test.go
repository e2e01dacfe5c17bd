package soql

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckCanonicalizes(t *testing.T) {
	q, err := Parse("select id, account.name, OWNER.email from contact where EMAIL = 'x' and (birthdate = today or account.owner.email != null) order by createddate desc, parent__r.name")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Check(testSchema); err != nil {
		t.Fatal(err)
	}
	want := "SELECT Id, Account.Name, Owner.Email FROM Contact WHERE Email = 'x' AND (Birthdate = TODAY OR Account.Owner.Email != null) ORDER BY CreatedDate DESC, Parent__r.Name"
	if got := q.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	and := q.Where.(*And)
	if c := and.Terms[0].(*Condition); c.Type != TypeString {
		t.Errorf("Email type = %v", c.Type)
	}
	if c := and.Terms[1].(*Or).Terms[0].(*Condition); c.Type != TypeDate {
		t.Errorf("Birthdate type = %v", c.Type)
	}

	// Without ObjectSchema the object name is kept as written.
	q, _ = Parse("SELECT Id FROM contact")
	if err := q.Check(fieldsOnly{testSchema}); err != nil || q.Object != "contact" {
		t.Errorf("fieldsOnly: object %q, err %v", q.Object, err)
	}
}

func TestCheckErrors(t *testing.T) {
	const pre = "SELECT Id FROM Contact WHERE " // 29 characters
	const noCol = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
	const noRel = "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
	tests := []struct {
		q      string
		code   string
		reason string // "" when Check passes
		col    int
	}{
		{"SELECT Id FROM Contct", "INVALID_TYPE", "sObject type 'Contct' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", 16},
		{"SELECT Id, Foo FROM Contact", "INVALID_FIELD", "No such column 'Foo' on entity 'Contact'. " + noCol, 12},
		{"SELECT Id, Acount.Name FROM Contact", "INVALID_FIELD", "Didn't understand relationship 'Acount' in field path. " + noRel, 12},
		{"SELECT Account.Foo FROM Contact", "INVALID_FIELD", "No such column 'Foo' on entity 'Account'. " + noCol, 8},
		{"SELECT Account.Owner.Foo FROM Contact", "INVALID_FIELD", "No such column 'Foo' on entity 'Owner'. " + noCol, 8},
		{"SELECT Account.Ownr.Email FROM Contact", "INVALID_FIELD", "Didn't understand relationship 'Ownr' in field path. " + noRel, 8},
		{"SELECT Parent__c.Name FROM Contact", "INVALID_FIELD", "Didn't understand relationship 'Parent__c' in field path. " + noRel, 8},
		{"SELECT Id, Name, id FROM Contact", "INVALID_FIELD", "duplicate field selected: Id", 18},
		{"SELECT Account.Name, account.name FROM Contact", "INVALID_FIELD", "duplicate field selected: Name", 22},
		{"SELECT Account.Name, Name FROM Contact", "", "", 0},
		{pre + "Foo = 1", "INVALID_FIELD", "No such column 'Foo' on entity 'Contact'. " + noCol, 30},
		{pre + "Name = 'x' OR (Email = 'y' AND NOT Bar = 1)", "INVALID_FIELD", "No such column 'Bar' on entity 'Contact'. " + noCol, 65},
		{pre + "Name = 'x' ORDER BY Foo DESC", "INVALID_FIELD", "No such column 'Foo' on entity 'Contact'. " + noCol, 50},
		{"SELECT Foo FROM Contact WHERE Bar = 1", "INVALID_FIELD", "No such column 'Foo' on entity 'Contact'. " + noCol, 8},
		{pre + "CreatedDate > 2024-01-01", "INVALID_FIELD", "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes", 44},
		{pre + "CreatedDate > '2024-01-01T00:00:00Z'", "INVALID_FIELD", "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes", 44},
		{pre + "createddate > 5", "INVALID_FIELD", "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes", 44},
		{pre + "Birthdate = 2024-01-01T00:00:00Z", "INVALID_FIELD", "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes", 42},
		{pre + "Birthdate IN (2024-01-01, '2024-01-02')", "INVALID_FIELD", "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes", 56},
		{pre + "Amount__c = '5'", "INVALID_FIELD", "value of filter criterion for field 'Amount__c' must be of type double and should not be enclosed in quotes", 42},
		{pre + "Amount__c LIKE '5%'", "INVALID_FIELD", "value of filter criterion for field 'Amount__c' must be of type double and should not be enclosed in quotes", 45},
		{pre + "Name = 5", "INVALID_FIELD", "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes", 37},
		{pre + "Name LIKE 5", "INVALID_FIELD", "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes", 40},
		{pre + "Name = TODAY", "INVALID_FIELD", "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes", 37},
		{pre + "IsDeleted = 'true'", "INVALID_FIELD", "value of filter criterion for field 'IsDeleted' must be of type boolean and should not be enclosed in quotes", 42},
		{pre + "AccountId = 5", "INVALID_FIELD", "value of filter criterion for field 'AccountId' must be of type id and should be enclosed in quotes", 42},
		{pre + "Interests__c INCLUDES (1)", "INVALID_FIELD", "value of filter criterion for field 'Interests__c' must be of type string and should be enclosed in quotes", 53},
		{pre + "Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: abc", 35},
		{pre + "AccountId IN ('001D000000IqhSLIAZ', '001D000000IqhS_')", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: 001D000000IqhS_", 66},
		{pre + "Name INCLUDES ('a')", "INVALID_QUERY_FILTER_OPERATOR", "includes or excludes operator only valid on multipicklist field", 30},
		{pre + "Interests__c > 'a'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on multipicklist field", 30},
		{"SELECT Id FROM Contact ORDER BY Interests__c", "INVALID_FIELD", "field 'Interests__c' can not be sorted in a query call", 33},
		// Accepted literals.
		{pre + "Id = '001D000000IqhSL' AND AccountId = '' AND Parent__c = null", "", "", 0},
		{pre + "Id LIKE '001%'", "", "", 0},
		{pre + "CreatedDate = LAST_N_DAYS:7 AND Birthdate < TODAY AND CreatedDate = null", "", "", 0},
		{pre + "CreatedDate >= 2024-01-01T00:00:00+01:00 AND Birthdate = 2024-01-01", "", "", 0},
		{pre + "Amount__c IN (1, -2.5, null) AND IsDeleted = false", "", "", 0},
		{pre + "Interests__c INCLUDES ('a;b') AND Interests__c = 'a'", "", "", 0},
		{pre + "Location__c = 5 AND Location__c = 'x' AND Location__c LIKE 'x'", "", "", 0},
		{pre + "NOT (Name LIKE 'a%' OR Email = 'x')", "", "", 0},
	}
	for _, tt := range tests {
		q, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		err = q.Check(testSchema)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("Check(%q): %v", tt.q, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Check(%q) = %v, want *Error", tt.q, err)
			continue
		}
		if e.Code != tt.code || e.Reason != tt.reason || e.Row != 1 || e.Column != tt.col {
			t.Errorf("Check(%q):\n got %s %q at %d:%d\nwant %s %q at 1:%d", tt.q, e.Code, e.Reason, e.Row, e.Column, tt.code, tt.reason, tt.col)
		}
		if !strings.Contains(e.Message, "\nERROR at Row:1:Column:") || !strings.HasSuffix(e.Message, tt.reason) {
			t.Errorf("Check(%q) message %q", tt.q, e.Message)
		}
	}
}

// TestCheckMessage pins one full INVALID_FIELD message, as the emulator
// returns it.
func TestCheckMessage(t *testing.T) {
	q, err := Parse("SELECT Id, Name, Foo FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	want := "\nSELECT Id, Name, Foo FROM Contact\n                 ^\nERROR at Row:1:Column:18\nNo such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
	var e *Error
	if err := q.Check(testSchema); !errors.As(err, &e) || e.Message != want {
		t.Errorf("got %v\nwant %q", err, want)
	}
}

// TestCheckBuiltQuery checks a Query made by hand (no source text).
func TestCheckBuiltQuery(t *testing.T) {
	q := &Query{Object: "Contact", Fields: []string{"Nope"}, Limit: -1}
	var e *Error
	if err := q.Check(testSchema); !errors.As(err, &e) || e.Code != "INVALID_FIELD" || e.Row != 1 || e.Column != 1 {
		t.Errorf("got %v", err)
	}
}

func TestFieldTypeString(t *testing.T) {
	for ft, want := range map[FieldType]string{TypeString: "string", TypeNumber: "double", TypeBool: "boolean", TypeDate: "date", TypeDateTime: "dateTime", TypeID: "id", TypeMultiPicklist: "string", TypeAny: "anyType", FieldType(42): "FieldType(42)"} {
		if got := ft.String(); got != want {
			t.Errorf("%d: %s, want %s", int(ft), got, want)
		}
	}
}
