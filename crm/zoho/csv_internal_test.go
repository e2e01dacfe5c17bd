package zoho

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// TestCSVReader: RFC 4180 with every byte of a quoted field kept (CRLF
// inside quotes stays CRLF, unlike encoding/csv), LF or CRLF record ends,
// empty fields anywhere, and clear errors for broken quoting.
func TestCSVReader(t *testing.T) {
	cases := []struct {
		name, in string
		want     [][]string
		err      string
	}{
		{"plain", "a,b\n1,2\n", [][]string{{"a", "b"}, {"1", "2"}}, ""},
		{"crlf records", "a,b\r\n1,2\r\n", [][]string{{"a", "b"}, {"1", "2"}}, ""},
		{"no final newline", "a,b\n1,2", [][]string{{"a", "b"}, {"1", "2"}}, ""},
		{"empty fields", ",\n,x,\n", [][]string{{"", ""}, {"", "x", ""}}, ""},
		{"empty last field at eof", "a,", [][]string{{"a", ""}}, ""},
		{"quoted", "\"a,b\",\"say \"\"hi\"\"\"\n", [][]string{{"a,b", `say "hi"`}}, ""},
		{"crlf inside quotes kept", "\"l1\r\nl2\nl3\",x\r\n", [][]string{{"l1\r\nl2\nl3", "x"}}, ""},
		{"quoted empty", "\"\",a\n", [][]string{{"", "a"}}, ""},
		{"quoted at eof", "\"a\"", [][]string{{"a"}}, ""},
		{"lone CR in plain field", "a\rb,c\n", [][]string{{"a\rb", "c"}}, ""},
		{"unicode", "Ünïcødé,😀\n", [][]string{{"Ünïcødé", "😀"}}, ""},
		{"bare quote", "a\"b,c\n", nil, "bare"},
		{"text after closing quote", "\"a\"b,c\n", nil, "bare"},
		{"unterminated", "\"abc\n", nil, "does not end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newCSVReader(strings.NewReader(c.in))
			var got [][]string
			var err error
			for {
				var row []string
				row, err = r.Read()
				if err != nil {
					break
				}
				got = append(got, row)
			}
			if c.err != "" {
				if err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				return
			}
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}
