package soql

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const w = "SELECT Id FROM Account WHERE " // 29 characters
	tests := []struct {
		in       string
		code     string
		reason   string
		row, col int
	}{
		{"", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 1},
		{"UPDATE Account", "MALFORMED_QUERY", "unexpected token: 'UPDATE'", 1, 1},
		{"SELECT FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'", 1, 8},
		{"SELECT Id, FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'", 1, 12},
		{"SELECT Id Account", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 18},
		{"SELECT Id Account Name FROM Account", "MALFORMED_QUERY", "unexpected token: 'Name'", 1, 19},
		{"SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 15},
		{"SELECT Id FROM Account.Name", "MALFORMED_QUERY", "unexpected token: 'Account.Name'", 1, 16},
		{"SELECT Id FROM Where", "MALFORMED_QUERY", "unexpected token: 'Where'", 1, 16},
		{"SELECT Id FROM Account a", "MALFORMED_QUERY", "unexpected token: 'a'", 1, 24},
		{"SELECT COUNT(Id, Name) FROM Account", "MALFORMED_QUERY", "unexpected token: ','", 1, 16},
		{"SELECT MAX() FROM Account", "MALFORMED_QUERY", "unexpected token: ')'", 1, 12},
		{"SELECT Name, COUNT() FROM Account", "MALFORMED_QUERY", "unexpected token: ')'", 1, 20},
		{"SELECT Name, COUNT(Id) c d FROM Lead", "MALFORMED_QUERY", "unexpected token: 'd'", 1, 26},
		{"SELECT Name, COUNT(Id) FROM Lead GROUP Name", "MALFORMED_QUERY", "unexpected token: 'Name'", 1, 40},
		{"SELECT Name FROM Lead GROUP BY", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 31},
		{"SELECT Name FROM Lead GROUP BY Name HAVING", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 43},
		{"SELECT Name FROM Lead GROUP BY ROLLUP(Name)", "MALFORMED_QUERY", "unexpected token: '('", 1, 38},
		{"SELECT COUNT(), Id FROM Account", "MALFORMED_QUERY", "unexpected token: ','", 1, 15},
		{"SELECT toLabel(Status) FROM Lead", "MALFORMED_QUERY", "unexpected token: '('", 1, 15},
		{"SELECT Id, (SELECT Id FROM Contacts FROM Account", "MALFORMED_QUERY", "unexpected token: 'FROM'", 1, 37},
		{"SELECT Id, (SELECT Id FROM Contacts) x FROM Account", "MALFORMED_QUERY", "unexpected token: 'x'", 1, 38},
		{"SELECT Id, (Id) FROM Account", "MALFORMED_QUERY", "unexpected token: 'Id'", 1, 13},

		{"SELECT Id FROM Account WITH SECURITY_ENFORCED", "MALFORMED_QUERY", "unexpected token: 'WITH'", 1, 24},
		{w, "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 30},
		{w + "A = 1 AND B = 2 OR C = 3", "MALFORMED_QUERY", "unexpected token: 'OR'", 1, 46},
		{w + "A = 1 OR B = 2 AND C = 3", "MALFORMED_QUERY", "unexpected token: 'AND'", 1, 45},
		{w + "(A = 1 OR B = 2) AND C = 3 OR D = 4", "MALFORMED_QUERY", "unexpected token: 'OR'", 1, 57},
		{w + "(A = 1 OR B = 2", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 45},
		{w + "A = 1)", "MALFORMED_QUERY", "unexpected token: ')'", 1, 35},
		{w + "A 1", "MALFORMED_QUERY", "unexpected token: '1'", 1, 32},
		{w + "A = ", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 34},
		{w + "A = B", "MALFORMED_QUERY", "unexpected token: 'B'", 1, 34},
		{w + "A = (1)", "MALFORMED_QUERY", "unexpected token: '('", 1, 34},
		{w + "A IN ()", "MALFORMED_QUERY", "unexpected token: ')'", 1, 36},
		{w + "A IN 'x'", "MALFORMED_QUERY", "unexpected token: ''x''", 1, 35},
		{w + "A IN ('x' 'y')", "MALFORMED_QUERY", "unexpected token: ''y''", 1, 40},
		{w + "A NOT LIKE 'x'", "MALFORMED_QUERY", "unexpected token: 'LIKE'", 1, 36},
		{w + "NOT", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 33},
		{w + "Name = :name", "MALFORMED_QUERY", "unexpected token: ':'", 1, 37},
		{w + "Id IN (SELECT AccountId, Id FROM Contact)", "MALFORMED_QUERY", "unexpected token: ','", 1, 53},
		{w + "Id IN (SELECT AccountId FROM Contact GROUP BY AccountId)", "MALFORMED_QUERY", "missing value at 'GROUP'", 1, 67},
		{w + "Id IN (SELECT AccountId FROM Contact LIMIT 5)", "MALFORMED_QUERY", "missing value at 'LIMIT'", 1, 67},
		{w + "Id IN (SELECT AccountId FROM Contact order by Id)", "MALFORMED_QUERY", "missing value at 'order'", 1, 67},
		{w + "Id IN (SELECT COUNT(Id) FROM Contact)", "MALFORMED_QUERY", "unexpected token: '('", 1, 49},
		{w + "Id IN (SELECT AccountId a FROM Contact)", "MALFORMED_QUERY", "unexpected token: 'a'", 1, 54},
		{w + "Id IN (SELECT (SELECT Id FROM Contacts) FROM Contact)", "MALFORMED_QUERY", "unexpected token: '('", 1, 44},
		{w + "Id IN (SELECT AccountId FROM Contact", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 66},
		{w + "Id IN SELECT AccountId FROM Contact", "MALFORMED_QUERY", "unexpected token: 'SELECT'", 1, 36},
		{w + "A = LAST_N_DAYS", "MALFORMED_QUERY", "expecting a colon, found '<EOF>'", 1, 45},
		{w + "A = LAST_N_DAYS 5", "MALFORMED_QUERY", "expecting a colon, found '5'", 1, 46},
		{w + "A = LAST_N_DAYS:x", "MALFORMED_QUERY", "expecting a number, found 'x'", 1, 46},
		{w + "A = LAST_N_DAYS:-1", "MALFORMED_QUERY", "expecting a number, found '-1'", 1, 46},
		{w + "A = LAST_N_DAYS:1.5", "MALFORMED_QUERY", "expecting a number, found '1.5'", 1, 46},
		{w + "A = TODAY:1", "MALFORMED_QUERY", "unexpected token: ':'", 1, 39},
		{w + "A = LAST_FISCAL_YEAR", "MALFORMED_QUERY", "unexpected token: 'LAST_FISCAL_YEAR'", 1, 34},
		{w + "A = 'x", "MALFORMED_QUERY", "line 1:35 mismatched character '<EOF>' expecting '''", 1, 36},
		{w + `A = "x"`, "MALFORMED_QUERY", `line 1:33 no viable alternative at character '"'`, 1, 34},
		{w + `A = 'a\qb'`, "MALFORMED_QUERY", `Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal.`, 1, 34},
		{w + `A = '\u12'`, "MALFORMED_QUERY", `Invalid string literal '\u12'. Illegal character sequence '\u12' in string literal.`, 1, 34},
		{w + `A = '\u12zz'`, "MALFORMED_QUERY", `Invalid string literal '\u12zz'. Illegal character sequence '\u12zz' in string literal.`, 1, 34},
		{w + "A = 2024-13-01", "MALFORMED_QUERY", "Invalid date: 2024-13-01", 1, 34},
		{w + "A = 2023-02-29", "MALFORMED_QUERY", "Invalid date: 2023-02-29", 1, 34},
		{w + "A = 2024-1-01", "MALFORMED_QUERY", "Invalid date: 2024-1-01", 1, 34},
		{w + "A = 2024-01-15T25:00:00Z", "MALFORMED_QUERY", "Invalid date: 2024-01-15T25:00:00Z", 1, 34},
		{w + "A = 2024-01-15T10:00:00", "MALFORMED_QUERY", "Invalid date: 2024-01-15T10:00:00", 1, 34},
		{w + "A = 2024-01-15t10:00:00z", "MALFORMED_QUERY", "Invalid date: 2024-01-15t10:00:00z", 1, 34},
		{w + "A = 2024-01-15T10:00:00+0200", "MALFORMED_QUERY", "Invalid date: 2024-01-15T10:00:00+0200", 1, 34},
		{w + "A = 2024-01-15T10:00:00.Z", "MALFORMED_QUERY", "Invalid date: 2024-01-15T10:00:00.Z", 1, 34},
		{w + "A = 5.", "MALFORMED_QUERY", "line 1:34 no viable alternative at character '.'", 1, 35},
		{w + "Account. = 1", "MALFORMED_QUERY", "line 1:36 no viable alternative at character '.'", 1, 37},
		{w + "A = - 1", "MALFORMED_QUERY", "line 1:33 no viable alternative at character '-'", 1, 34},
		{w + "A = 1 ;", "MALFORMED_QUERY", "line 1:35 no viable alternative at character ';'", 1, 36},
		{w + "A ! 1", "MALFORMED_QUERY", "line 1:31 no viable alternative at character '!'", 1, 32},
		{w + "Name = 'é' AND X = 1 OR Y = 2", "MALFORMED_QUERY", "unexpected token: 'OR'", 1, 51},
		{"SELECT Id FROM Account LIMIT", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 29},
		{"SELECT Id FROM Account LIMIT -1", "MALFORMED_QUERY", "unexpected token: '-1'", 1, 30},
		{"SELECT Id FROM Account LIMIT 1.5", "MALFORMED_QUERY", "unexpected token: '1.5'", 1, 30},
		{"SELECT Id FROM Account LIMIT 99999999999999999999", "MALFORMED_QUERY", "unexpected token: '99999999999999999999'", 1, 30},
		{"SELECT Id FROM Account LIMIT 5 ORDER BY Name", "MALFORMED_QUERY", "unexpected token: 'ORDER'", 1, 32},
		{"SELECT Id FROM Account OFFSET 5 LIMIT 1", "MALFORMED_QUERY", "unexpected token: 'LIMIT'", 1, 33},
		{"SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000", 1, 31},
		{"SELECT Id FROM Account ORDER Name", "MALFORMED_QUERY", "unexpected token: 'Name'", 1, 30},
		{"SELECT Id FROM Account ORDER BY", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 32},
		{"SELECT Id FROM Account ORDER BY Name NULLS", "MALFORMED_QUERY", "unexpected token: '<EOF>'", 1, 43},
		{"SELECT Id FROM Account ORDER BY Name NULLS MIDDLE", "MALFORMED_QUERY", "unexpected token: 'MIDDLE'", 1, 44},
		{"SELECT Id FROM Account ORDER BY Name ASC DESC", "MALFORMED_QUERY", "unexpected token: 'DESC'", 1, 42},
		{"SELECT Id\nFROM Contact\nWHERE A = 1 AND B = 2 OR C = 3", "MALFORMED_QUERY", "unexpected token: 'OR'", 3, 23},
		{"SELECT Id\nFROM Contact\nWHERE A = 'x\ny", "MALFORMED_QUERY", "line 4:1 mismatched character '<EOF>' expecting '''", 4, 2},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want error", tt.in, q)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) error %T is not *Error", tt.in, err)
			continue
		}
		if e.Code != tt.code || e.Reason != tt.reason || e.Row != tt.row || e.Column != tt.col {
			t.Errorf("Parse(%q):\n got %s %q at %d:%d\nwant %s %q at %d:%d",
				tt.in, e.Code, e.Reason, e.Row, e.Column, tt.code, tt.reason, tt.row, tt.col)
		}
		if !strings.HasSuffix(e.Message, "\nERROR at Row:"+itoa(tt.row)+":Column:"+itoa(tt.col)+"\n"+tt.reason) {
			t.Errorf("Parse(%q) message %q lacks the position and reason", tt.in, e.Message)
		}
		if e.Error() != e.Code+": "+e.Message {
			t.Errorf("Error() = %q", e.Error())
		}
	}
}

func itoa(n int) string {
	var b []byte
	for n >= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(append([]byte{byte('0' + n)}, b...))
}

// TestErrorMessage pins the full Salesforce-shaped message: the echo of up
// to five tokens either side, the caret under the offending token, the
// position and the reason.
func TestErrorMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			"SELECT Id, Name FROM Account WHERE Name = 'a' AND Id = 'b' OR Id = 'c'",
			"\n'a' AND Id = 'b' OR Id = 'c'\n                 ^\nERROR at Row:1:Column:60\nunexpected token: 'OR'",
		},
		{
			"SELECT Id FROM",
			"\nSELECT Id FROM\n              ^\nERROR at Row:1:Column:15\nunexpected token: '<EOF>'",
		},
		{
			"SELECT Id\nFROM Contact\nWHERE AccountId = '0014000000p6XlS' AND LastName LIKE 'test' OR email\nLIKE 'test'",
			"\n'0014000000p6XlS' AND LastName LIKE 'test' OR email\nLIKE 'test'\n                                           ^\nERROR at Row:3:Column:62\nunexpected token: 'OR'",
		},
		{
			"SELECT Id FROM Account WHERE Name = \"x\" AND Id = 'y'",
			"\nFROM Account WHERE Name = \"x\" AND Id = 'y'\n                          ^\nERROR at Row:1:Column:37\nline 1:36 no viable alternative at character '\"'",
		},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse(%q) = %v, want *Error", tt.in, err)
		}
		if e.Message != tt.want {
			t.Errorf("Parse(%q) message:\n got %q\nwant %q", tt.in, e.Message, tt.want)
		}
	}
}
