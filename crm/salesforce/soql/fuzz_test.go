package soql

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is a
// positioned *Error, and that String() of a parsed query reparses to an
// equal query. Evaluation, Check, Sort and Bounds run on every parsed
// query too, to catch panics there.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"SELECT Id FROM Account",
		"SELECT COUNT() FROM Lead WHERE IsDeleted = false",
		"SELECT Id, Name, Email, AccountId, Account.Name, Owner.Email, SystemModstamp, IsDeleted FROM Contact WHERE SystemModstamp > 2024-01-15T10:30:00Z ORDER BY SystemModstamp ASC, Id ASC LIMIT 2000",
		"SELECT Id FROM Contact WHERE (Name LIKE 'a\\%b_%' OR Email != null) AND NOT Amount__c IN (1, -2.5, null)",
		"SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:7 AND Birthdate < TODAY ORDER BY Name DESC NULLS LAST OFFSET 10",
		"SELECT Id FROM Contact WHERE Interests__c INCLUDES ('a;b', 'c') AND Interests__c EXCLUDES ('d')",
		"SELECT Id FROM A WHERE T > 2024-01-15T10:30:00.123+02:00 AND D = 2024-02-29",
		"SELECT Id FROM A WHERE B = 'It\\'s \\\"q\\\" \\\\ \\n\\u00e9'",
		"SELECT Id FROM A WHERE A = 1 AND B = 2 OR C = 3",
		"SELECT Id FROM A WHERE A = 'x",
		"select id from a where not (a = 1 or b <> 2) and c not in ('x') order by d nulls first limit 5",
		"SELECT Id FROM Order WHERE Today = TODAY ORDER BY Offset OFFSET 1",
		"SELECT Id, (SELECT Id, LastName FROM Contacts WHERE Email != null ORDER BY LastName LIMIT 5), (SELECT Id, (SELECT Id FROM Tasks) FROM Opportunities) FROM Account",
		"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Won') AND Id NOT IN (SELECT AccountId FROM Contact)",
		"SELECT StageName, COUNT(Id) n, SUM(Amount), MIN(CloseDate) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC LIMIT 3",
		"SELECT CALENDAR_YEAR(CreatedDate) y, COUNT_DISTINCT(Name) FROM Contact WHERE DAY_ONLY(CreatedDate) > 2024-01-01 GROUP BY CALENDAR_YEAR(CreatedDate)",
		"SELECT Name, COUNT(Id) FROM Contact GROUP BY Name HAVING Name LIKE 'a%' OR MAX(Amount__c) < 5",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T is not *Error", s, err)
			}
			if e.Row < 1 || e.Column < 1 || e.Code == "" || !strings.Contains(e.Message, "\nERROR at Row:") {
				t.Fatalf("Parse(%q) malformed error %#v", s, e)
			}
			return
		}
		out := q.String()
		q2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not reparse: %v", s, out, err)
		}
		if !equalQuery(q, q2) {
			t.Fatalf("Parse(%q) = %q, which reparses differently:\n%#v\n%#v", s, out, stripped(q), stripped(q2))
		}
		if out2 := q2.String(); out2 != out {
			t.Fatalf("String not stable: %q then %q", out, out2)
		}
		q.Match(record, now)
		q.Sort([]Row{record, row{}, record})
		q.BoundsAt(now)
		q.Aggregate([]Row{record, row{}}, now)
		q.Columns()
		if err := q2.Check(testSchema); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Row < 1 || e.Column < 1 {
				t.Fatalf("Check(%q) malformed error %v", out, err)
			}
		} else if q2.IsAggregate() {
			q2.Aggregate([]Row{record, row{}, record}, now)
		}
		resolveAll(q2.Where)
		q2.Match(record, now)
		q2.BoundsAt(now)
	})
}

// resolveAll resolves every semi-join of e with one made-up id.
func resolveAll(e Expr) {
	for _, c := range Conditions(e) {
		if c.Sub != nil {
			c.Resolve([]string{"001000000000001AAA"})
		}
	}
}
