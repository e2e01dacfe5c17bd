package sync

import (
	"strings"
	"unicode"
)

// MatchForm is the form in which destinations that match duplicate-check
// values themselves (Salesforce, Zoho CRM, Zoho Desk) compare a value of a
// field of type t, given as text: e-mail addresses trimmed and
// lower-cased; phones by their digits, the last ten when longer (so
// "+1 415 555 0100" is "(415) 555-0100"); other text trimmed, with single
// spaces and lower-cased.
func MatchForm(t FieldType, s string) string {
	s = strings.TrimSpace(s)
	switch t {
	case TypeEmail:
		return strings.ToLower(s)
	case TypePhone:
		var b strings.Builder
		for _, r := range s {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		d := b.String()
		if len(d) > 10 {
			d = d[len(d)-10:]
		}
		return d
	}
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
}
