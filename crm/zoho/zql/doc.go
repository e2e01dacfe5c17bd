// Package zql parses and evaluates the two query languages of Zoho CRM v8:
// the search criteria of GET /crm/v8/{module}/search?criteria=... and COQL,
// the SQL-like language of POST /crm/v8/coql. The Zoho emulator
// (crm/zoho/zohotest) uses it to answer those calls the way Zoho does,
// including Zoho's error codes and details.
//
// Both languages follow the same life cycle:
//
//  1. Parse (ParseCriteria, ParseCOQL) checks syntax and the limits that need
//     no metadata (number of criteria, LIMIT/OFFSET caps, ...).
//  2. Check resolves field API names against a Schema, checks each operator
//     against the field's type, and types the literals. Check annotates the
//     parsed tree in place; call it once, before Match, from one goroutine.
//  3. Match (and Query.Sort) evaluate records. After Check, a parsed value is
//     read-only and may be evaluated from many goroutines at once.
//
// Every error is an *Error carrying Zoho's code, message and details.
//
// # Semantics
//
//   - Text comparisons are case-insensitive, as Zoho's search index and COQL
//     (backed by case-insensitive collations) are.
//   - In search criteria, equals on text, email, phone, website and textarea
//     fields behaves like "contains" (Zoho documents this: equals:ABC finds
//     "ABC Inc."); on picklists, lookups and other types it is an exact match.
//     not_equal is its negation. in and not_in are exact matches.
//   - Lookup and owner fields ({"name","id"} maps) compare by id; a
//     "Field.name" or "Field.id" path compares that key of the map, and other
//     dotted paths are resolved by the Record (COQL joins). COQL wants a
//     numeric id; search criteria also accept the lookup's name for equals,
//     not_equal, in and not_in, since Zoho's search matches either.
//     Search criteria reach no other module: the only dotted paths they
//     take are Lookup.id, Lookup.name and Owner.email.
//   - COQL = is an exact (case-insensitive) match; like takes % wildcards.
//   - COQL asks for criteria bracketed pairwise: "a and b and c" is a
//     SYNTAX_ERROR; write "(a and b) and c".
//   - Datetimes carry an offset and compare as instants; dates compare by
//     calendar day.
//   - Nulls: in COQL, every comparison with a null value is false (SQL
//     semantics) except "is null"; in search criteria, not_equal and not_in
//     match records whose field is empty, the other operators do not.
//   - Sort orders nulls first when ascending and last when descending, and
//     breaks ties by id ascending, which is also the default order.
package zql
