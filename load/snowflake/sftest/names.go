package sftest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Snowflake resolves an unquoted identifier upper-case and a quoted one
// exactly as written: ID, id and "ID" name one column, "Id" and "id" two
// others. DuckDB matches names case-insensitively even when quoted, so
// the emulator stores names in a spelling where two names Snowflake
// tells apart never meet: translate upper-cases unquoted words, and
// encodeName marks every lower-case letter of a quoted name with a
// leading '~' ("Id" → "I~d", "id" → "~i~d", "ID" → "ID"). Names compared
// case-insensitively then match exactly when Snowflake's would.
// decodeName reads a stored name back: a letter after '~' as it is, any
// other letter upper-case (DuckDB's names for unaliased expressions come
// back upper-case, as the service's do).

// nameMark precedes a lower-case letter in a stored name.
const nameMark = '~'

// encodeName is the DuckDB spelling of the quoted identifier s. It
// refuses names holding the mark, which revops never writes.
func encodeName(s string) (string, error) {
	if strings.ContainsRune(s, nameMark) {
		return "", &Error{Code: "001003", State: "42000", Message: "SQL compilation error:\nsftest: identifiers containing '~' are not emulated: " + s}
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLower(r) {
			b.WriteRune(nameMark)
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// decodeName is the Snowflake spelling of the stored name s.
func decodeName(s string) string {
	if !strings.ContainsRune(s, nameMark) && strings.ToUpper(s) == s {
		return s
	}
	var b strings.Builder
	marked := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == nameMark && !marked:
			marked = true
			continue
		case marked:
			b.WriteRune(r)
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
		marked = false
	}
	return b.String()
}

// nameMacro is decodeName in SQL, for the catalog views.
const nameMacro = `CREATE MACRO sf_name(s) AS array_to_string(list_transform(range(1, length(s) + 1),
	lambda i: CASE WHEN s[i] = '~' THEN '' WHEN i > 1 AND s[i - 1] = '~' THEN s[i] ELSE upper(s[i]) END), '')`
