package sync

import "testing"

func TestMatchForm(t *testing.T) {
	cases := []struct {
		t    FieldType
		in   string
		want string
	}{
		{TypeEmail, "  Bob.Smith@Example.COM ", "bob.smith@example.com"},
		{TypePhone, "+1 (415) 555-0100", "4155550100"},
		{TypePhone, "415.555.0100", "4155550100"},
		{TypePhone, "x12", "12"},
		{"", "  Acme \t  Corp ", "acme corp"},
		{TypeEmail, "", ""},
	}
	for _, c := range cases {
		if got := MatchForm(c.t, c.in); got != c.want {
			t.Errorf("MatchForm(%q, %q) = %q, want %q", c.t, c.in, got, c.want)
		}
	}
}
