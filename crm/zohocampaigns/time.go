package zohocampaigns

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// displayLayouts are the display forms Campaigns writes times in
// ("02 Aug 2013, 12:39 PM", sheet §16) and close variants.
var displayLayouts = []string{
	"02 Jan 2006, 03:04 PM", "2 Jan 2006, 03:04 PM", "02 Jan 2006, 3:04 PM", "2 Jan 2006, 3:04 PM",
	"02 Jan 2006 03:04 PM", "2 Jan 2006 3:04 PM", "Jan 02, 2006 03:04 PM", "Jan 2, 2006 3:04 PM",
	"02 Jan 2006, 15:04", "02 Jan 2006",
}

// ParseTime reads a time as Campaigns sends it: epoch milliseconds as a
// string ("1375427340000", the twin's created_time and sent_time), epoch
// seconds (ten digits or fewer), RFC 3339, or a display string in the
// account's time zone loc ("02 Aug 2013, 12:39 PM"). "" is the zero time.
// The error quotes the value.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if isDigits(s) {
		if len(s) > 16 {
			return time.Time{}, fmt.Errorf("time %q: too many digits for epoch milliseconds", s)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		if len(s) <= 10 {
			return time.Unix(n, 0).UTC(), nil
		}
		return time.UnixMilli(n).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, l := range displayLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: not epoch milliseconds, RFC 3339 or like \"02 Aug 2013, 12:39 PM\"", s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
