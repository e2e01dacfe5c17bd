package sftest

import "testing"

func TestIDSuffixVectors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"012000000000000", "AAA"},
		{"AAAAAAAAAAAAAAA", "555"},
		{"a0Ab00000FooBaR", "EQU"},
		{"003AaBbCcDdEeF1", "IVK"},
		{"001D000000IqhSL", "IAZ"},
		{"001D000000IRFma", "IAH"},
	} {
		if got := IDSuffix(tc.in); got != tc.want {
			t.Errorf("IDSuffix(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseID(t *testing.T) {
	id := makeID("001", 12345)
	for _, tc := range []struct {
		in     string
		seq    int64
		result idError
	}{
		{id, 12345, idOK},
		{id[:15], 12345, idOK},
		{id[:15] + "ZZZ", 0, idMalformed},
		{"001", 0, idMalformed},
		{"001D000000IqhSLIAZ", 0, idForeign},
		{"001-00000000000", 0, idMalformed},
	} {
		_, seq, e := parseID(tc.in)
		if e != tc.result || seq != tc.seq {
			t.Errorf("parseID(%s) = %d, %v; want %d, %v", tc.in, seq, e, tc.seq, tc.result)
		}
	}
	if makeID("001", 61) >= makeID("001", 62) {
		t.Error("ids do not sort like their sequence")
	}
}
