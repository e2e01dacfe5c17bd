package soql

import (
	"testing"
	"time"
)

// record is the row most evaluation cases run against.
var record = row{
	"Id":           "001D000000IqhSLIAZ",
	"Name":         "Acme Corp",
	"LastName":     "50%_off",
	"Email":        nil,
	"Amount__c":    100.0,
	"IsDeleted":    false,
	"CreatedDate":  instant("2024-05-15T10:00:00Z"),
	"Birthdate":    day("1990-03-04"),
	"Interests__c": "Golf;Tennis",
	"Account.Name": "Parent Inc",
	"Parent__c":    "",
}

func TestMatch(t *testing.T) {
	tests := []struct {
		where string
		want  bool
	}{
		// Strings compare without case; nulls follow SOQL.
		{"Name = 'acme corp'", true},
		{"Name != 'ACME CORP'", false},
		{"Name = 'Acme'", false},
		{"Email = null", true},
		{"Email != null", false},
		{"Name != null", true},
		{"Parent__c = null", true}, // empty string is null
		{"Email = ''", true},
		{"Email != ''", false},
		{"Name != ''", true},
		{"Name = ''", false},
		{"Email IN ('', 'x')", true},
		{"Email < ''", false},
		{"Name > ''", false},
		{"Email != 'x'", true},
		{"Email = 'x'", false},
		{"Email NOT IN ('x', 'y')", true},
		{"Email IN ('x', null)", true},
		{"Email IN ('x')", false},
		{"Name IN ('x', 'ACME corp')", true},
		{"Name NOT IN ('x', 'ACME corp')", false},
		{"Email < 'x'", false},
		{"Email >= 'x'", false},
		{"NOT Email < 'x'", true},
		{"Name > 'acme'", true},
		{"Name < 'B'", true},
		{"Name >= 'ACME CORP'", true},
		{"Name <= 'acme corp'", true},
		{"Name < 'acme corp'", false},
		{"Name > null", false},
		{"Account.Name = 'parent inc'", true},
		{"Account.Owner.Email = null", true},
		// Numbers, booleans.
		{"Amount__c > 99.5", true},
		{"Amount__c = 100", true},
		{"Amount__c = 100.0", true},
		{"Amount__c <= -1", false},
		{"Amount__c IN (1, 100)", true},
		{"Amount__c != 100", false},
		{"IsDeleted = false", true},
		{"IsDeleted != true", true},
		{"IsDeleted = true", false},
		// Datetimes compare as instants, dates by day.
		{"CreatedDate > 2024-05-15T09:59:59Z", true},
		{"CreatedDate = 2024-05-15T12:00:00+02:00", true},
		{"CreatedDate = 2024-05-15T05:00:00-05:00", true},
		{"CreatedDate < 2024-05-15T10:00:00.000Z", false},
		{"CreatedDate <= 2024-05-15T10:00:00.000Z", true},
		{"CreatedDate >= 2024-05-15T10:00:00.001Z", false},
		{"Birthdate = 1990-03-04", true},
		{"Birthdate > 1990-03-03", true},
		{"Birthdate < 1990-03-04", false},
		{"Birthdate IN (1990-03-04, 2000-01-01)", true},
		// Relative date literals as ranges, on datetime and date fields.
		{"CreatedDate = TODAY", true},
		{"CreatedDate = YESTERDAY", false},
		{"CreatedDate > YESTERDAY", true},
		{"CreatedDate >= TODAY", true},
		{"CreatedDate > TODAY", false},
		{"CreatedDate <= TODAY", true},
		{"CreatedDate < TODAY", false},
		{"CreatedDate < TOMORROW", true},
		{"CreatedDate != TODAY", false},
		{"CreatedDate = THIS_WEEK", true},
		{"CreatedDate = THIS_MONTH", true},
		{"CreatedDate = LAST_MONTH", false},
		{"CreatedDate = LAST_N_DAYS:1", true},
		{"CreatedDate > LAST_N_DAYS:1", false},
		{"CreatedDate = NEXT_N_DAYS:7", false},
		{"CreatedDate < NEXT_N_DAYS:7", true},
		{"CreatedDate = LAST_90_DAYS", true},
		{"CreatedDate IN (YESTERDAY, TODAY)", true},
		{"CreatedDate NOT IN (YESTERDAY, TODAY)", false},
		{"Birthdate < LAST_90_DAYS", true},
		{"Birthdate = LAST_YEAR", false},
		{"Birthdate < THIS_YEAR", true},
		{"Birthdate = N_YEARS_AGO:34", true},
		// LIKE: case-insensitive, % and _ wildcards, \% and \_ literal.
		{"Name LIKE 'acme%'", true},
		{"Name LIKE '%CORP'", true},
		{"Name LIKE '%me%'", true},
		{"Name LIKE 'a_me%'", true},
		{"Name LIKE 'a_me'", false},
		{"Name LIKE 'acme'", false},
		{"Name LIKE '%'", true},
		{"Name LIKE '%%c%o%r%p%'", true},
		{"Name LIKE 'Acme\\_Corp'", false},
		{"Name LIKE 'Acme\\u0020Corp'", true},
		{"LastName LIKE '50\\%\\_off'", true},
		{"LastName LIKE '50\\%_off'", true},
		{"LastName LIKE '50\\_%'", false},
		{"LastName LIKE '_0%'", true},
		{"Email LIKE '%'", false},
		{"NOT Email LIKE 'x%'", true},
		// Multipicklists.
		{"Interests__c INCLUDES ('golf')", true},
		{"Interests__c INCLUDES ('Tennis;Golf')", true},
		{"Interests__c INCLUDES ('Golf;Chess')", false},
		{"Interests__c INCLUDES ('Chess', 'Tennis')", true},
		{"Interests__c EXCLUDES ('Chess')", true},
		{"Interests__c EXCLUDES ('Chess', 'golf')", false},
		{"Interests__c = 'tennis;golf'", true},
		{"Interests__c = 'Golf'", false},
		// Ids: 15/18 characters, case-sensitive.
		{"Id = '001D000000IqhSLIAZ'", true},
		{"Id = '001D000000IqhSL'", true},
		{"Id = '001d000000iqhsl'", false},
		{"Id IN ('001D000000IRFmaIAH', '001D000000IqhSL')", true},
		{"Id != '001D000000IqhSL'", false},
		{"Id > '001D000000IqhSA'", true},
		// Precedence and NOT.
		{"NOT Name = 'x' AND Amount__c = 100", true},
		{"NOT (Name = 'Acme Corp' OR Amount__c = 5)", false},
		{"(Name = 'x' OR Amount__c = 100) AND IsDeleted = false", true},
		{"Name = 'x' OR (Amount__c = 100 AND IsDeleted = true)", false},
		{"Name = 'x' OR Amount__c = 1 OR IsDeleted = false", true},
		{"Name = 'Acme Corp' AND Amount__c = 100 AND IsDeleted = true", false},
		{"NOT NOT Name = 'acme corp'", true},
	}
	for _, tt := range tests {
		q, err := Parse("SELECT Id FROM Contact WHERE " + tt.where)
		if err != nil {
			t.Errorf("%s: %v", tt.where, err)
			continue
		}
		if err := q.Check(testSchema); err != nil {
			t.Errorf("%s: Check: %v", tt.where, err)
			continue
		}
		if got := q.Match(record, now); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.where, got, tt.want)
		}
	}
}

// TestMatchUnchecked covers evaluation without Check: Row value types
// drive the comparison and mismatched types never match.
func TestMatchUnchecked(t *testing.T) {
	r := row{
		"S": "abc", "I": int64(7), "N": 7, "F": float32(1.5), "U": uint8(3),
		"T":  time.Date(2024, 5, 15, 12, 0, 0, 0, time.FixedZone("cet", 3600)),
		"Id": "001D000000IqhSLIAZ", "M": "a;b", "X": struct{}{},
	}
	tests := []struct {
		where string
		want  bool
	}{
		{"S = 5", false},
		{"S != 5", true},
		{"S > 5", false},
		{"I = 7", true},
		{"I = '7'", false},
		{"N >= 7", true},
		{"F = 1.5", true},
		{"U < 4", true},
		{"T = 2024-05-15T11:00:00Z", true},
		{"T = 2024-05-15", true},
		{"T > 2024-05-14", true},
		{"T = true", false},
		{"S LIKE 5", false},
		{"I LIKE '7'", false},
		{"Id = '001d000000iqhslIAZ'", true}, // untyped: compared as text
		{"M = 'b;a'", false},                // untyped: compared as text
		{"X = 'x'", false},
		{"X != null", true},
		{"Missing = null", true},
		{"TODAY_FIELD = TODAY", false},
		{"S = TODAY", false},
		{"S < TODAY", false},
		{"S != TODAY", true},
		{"Missing INCLUDES ('x')", false},
		{"Missing EXCLUDES ('x')", true},
		{"S INCLUDES ('abc', 5)", true},
	}
	for _, tt := range tests {
		q, err := Parse("SELECT Id FROM X WHERE " + tt.where)
		if err != nil {
			t.Errorf("%s: %v", tt.where, err)
			continue
		}
		if got := q.Match(r, now); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.where, got, tt.want)
		}
	}
	if q, _ := Parse("SELECT Id FROM X"); !q.Match(r, now) {
		t.Error("a query without WHERE must match every row")
	}
	// Typed id conditions on values that are not 15/18-character ids
	// compare exactly.
	id := &Condition{Field: "S", Op: "=", Type: TypeID, Values: []Value{{Kind: KindString, Str: "abc"}}}
	if !id.Eval(r, now) || id.Eval(row{"S": "ABC"}, now) {
		t.Error("short id values must compare exactly")
	}
	// A hand-built LIKE condition compiles its pattern from Str.
	like := &Condition{Field: "S", Op: "LIKE", Values: []Value{{Kind: KindString, Str: "A%"}}}
	if !like.Eval(r, now) {
		t.Error("hand-built LIKE did not match")
	}
	if (&Condition{Field: "S", Op: "="}).Eval(r, now) {
		t.Error("a condition without values must not match")
	}
}

func TestLikeMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"%", "", true},
		{"_", "", false},
		{"a%b%c", "aXbYc", true},
		{"a%b%c", "aXbY", false},
		{"%a%a%a%", "aaa", true},
		{"%a%a%a%", "aa", false},
		{"ÉCOLE", "école", true},
		{"straße", "STRASSE", false},
		{"%ab", "aab", true},
		{`\\%`, `\x`, true},
		{`a\'b`, `a'b`, true},
	}
	for _, tt := range tests {
		if got := likeMatch(compileLike(tt.pattern), tt.s); got != tt.want {
			t.Errorf("%q LIKE %q = %v, want %v", tt.s, tt.pattern, got, tt.want)
		}
	}
}
