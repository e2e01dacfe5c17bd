package zohocampaigns

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	for _, c := range []struct {
		in   string
		loc  *time.Location
		want time.Time
		bad  bool
	}{
		{in: "", want: time.Time{}},
		{in: "1375427340000", want: time.Date(2013, 8, 2, 7, 9, 0, 0, time.UTC)},
		{in: "1375427340", want: time.Date(2013, 8, 2, 7, 9, 0, 0, time.UTC)},
		{in: "02 Aug 2013, 12:39 PM", loc: ist, want: time.Date(2013, 8, 2, 7, 9, 0, 0, time.UTC)},
		{in: "2 Aug 2013, 9:05 AM", want: time.Date(2013, 8, 2, 9, 5, 0, 0, time.UTC)},
		{in: "Aug 02, 2013 12:39 PM", want: time.Date(2013, 8, 2, 12, 39, 0, 0, time.UTC)},
		{in: "2013-08-02T12:39:00+05:30", want: time.Date(2013, 8, 2, 7, 9, 0, 0, time.UTC)},
		{in: " 1375427340000 ", want: time.Date(2013, 8, 2, 7, 9, 0, 0, time.UTC)},
		{in: "yesterday", bad: true},
		{in: "12345678901234567890", bad: true},
		{in: "32 Aug 2013, 12:39 PM", bad: true},
	} {
		got, err := ParseTime(c.in, c.loc)
		if c.bad {
			if err == nil || !strconvQuoted(err.Error(), c.in) {
				t.Errorf("ParseTime(%q) = %v, %v; want an error quoting the value", c.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func strconvQuoted(msg, v string) bool { return strings.Contains(msg, strconv.Quote(v)) }

// FuzzParseTime: any input parses or fails cleanly; epoch milliseconds
// round-trip; a parsed time is UTC.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "1375427340000", "02 Aug 2013, 12:39 PM", "2013-08-02T12:39:00Z", "0", "9999999999999999", "Aug 2, 2013 3:04 PM"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, time.FixedZone("X", -7*3600))
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(strings.TrimSpace(s))) {
				t.Fatalf("error %q does not quote the value", err)
			}
			return
		}
		if !got.IsZero() && got.Location() != time.UTC {
			t.Fatalf("%q parsed to %v, not UTC", s, got)
		}
		if v := strings.TrimSpace(s); isDigits(v) && len(v) > 10 && len(v) <= 16 {
			if ms := strconv.FormatInt(got.UnixMilli(), 10); ms != trimZeros(v) {
				t.Fatalf("%q round-trips to %s", s, ms)
			}
		}
	})
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
