// Package soql parses and evaluates the subset of Salesforce's SOQL that the
// emulator in crm/salesforce/sftest serves:
//
//	SELECT item, ... | COUNT()
//	FROM Object
//	[WHERE cond] [GROUP BY key, ...] [HAVING cond]
//	[ORDER BY key [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
//
// An item is a field path (Name, Account.Owner.Email), an aggregate
// function (COUNT(Id), COUNT_DISTINCT, SUM, AVG, MIN, MAX) or a date
// function (CALENDAR_YEAR(CloseDate), DAY_ONLY, ...) with an optional
// alias, or a parent-to-child subquery in parentheses whose FROM names a
// child relationship: (SELECT Id FROM Contacts WHERE ... ORDER BY ...
// LIMIT n). A condition compares a field or a function of a field with
// literals, or is a semi-join (Id IN (SELECT AccountId FROM Opportunity
// WHERE ...)) or anti-join (NOT IN). GROUP BY keys are fields and date
// functions; HAVING and ORDER BY may use aggregate functions.
//
// Subqueries and semi-joins are checked against the limits and with the
// error texts of the reference sheet (§10): 20 subqueries, the nesting
// depth the Schema allows, two semi-joins, none under OR or NOT or nested,
// one id field selected from another object. The emulator runs them:
// [Condition.Resolve] hands a semi-join its values, [Query.Aggregate]
// groups rows into AggregateResult rows named by [Query.Columns] (expr0,
// expr1, ... for unaliased functions).
//
// A query goes through three steps. [Parse] turns the text into a [Query]
// or returns an [*Error] shaped like Salesforce's MALFORMED_QUERY answer
// (query echo, caret, "ERROR at Row:1:Column:N", reason). [Query.Check]
// resolves every field against a [Schema], rewrites the paths to their
// canonical spelling and rejects literals of the wrong type with
// Salesforce's INVALID_FIELD text. [Query.Match], [Query.Sort] and
// [Query.Bounds] then filter, order and index rows supplied through the
// [Row] interface.
//
// # Semantics chosen where SOQL differs from SQL
//
//   - Null is a value: Field = null matches a missing value, Field != null
//     a present one. Field != 'x' and Field NOT IN ('x') are true for rows
//     where Field is null, as on Salesforce; <, <=, >, >=, LIKE and
//     INCLUDES are false for null. An empty string counts as null, both
//     in row values and as a literal (an empty quoted string compares like
//     null), because Salesforce stores empty text fields as null.
//   - String comparisons (=, !=, IN, <, >, LIKE, ORDER BY) ignore case.
//     Ordering compares the upper-cased text, as the SOQL docs describe
//     for English locales. Id and reference fields, once Check has typed
//     them, compare case-sensitively on their first 15 characters, so a
//     15-character id matches its 18-character form.
//   - Datetimes compare as instants in UTC; date fields compare by day.
//     Relative date literals (TODAY, LAST_N_DAYS:7, ...) denote a range
//     [start, end) of UTC days computed from the now passed to Match:
//     = means inside the range, < before its start, <= before its end,
//     > at or after its end, >= at or after its start, != outside it.
//     Weeks start on Sunday (the en_US locale).
//   - ORDER BY puts nulls first unless NULLS LAST is given, in both
//     directions, as the SOQL reference documents.
//   - AND and OR cannot be mixed without parentheses; NOT applies to the
//     single condition or parenthesised group that follows it.
//
// Error codes are MALFORMED_QUERY (syntax, aggregate and join rules),
// INVALID_FIELD (unknown field, literal of the wrong type), INVALID_TYPE
// (unknown object, when the Schema implements [ObjectSchema]; unknown child
// relationship), INVALID_QUERY_FILTER_OPERATOR (malformed id
// literal, INCLUDES on a non-multipicklist field) and
// NUMBER_OUTSIDE_VALID_RANGE (OFFSET above 2,000). All of them map to HTTP
// 400.
package soql
