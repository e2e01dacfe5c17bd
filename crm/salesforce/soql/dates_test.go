package soql

import (
	"testing"
	"time"
)

// TestRange pins the range of every relative date literal at now
// (Wednesday 2024-05-15 13:45 UTC; weeks start on Sunday 2024-05-12).
func TestRange(t *testing.T) {
	tests := []struct {
		lit        string
		n          int
		start, end string
	}{
		{"TODAY", 0, "2024-05-15", "2024-05-16"},
		{"YESTERDAY", 0, "2024-05-14", "2024-05-15"},
		{"TOMORROW", 0, "2024-05-16", "2024-05-17"},
		{"THIS_WEEK", 0, "2024-05-12", "2024-05-19"},
		{"LAST_WEEK", 0, "2024-05-05", "2024-05-12"},
		{"NEXT_WEEK", 0, "2024-05-19", "2024-05-26"},
		{"THIS_MONTH", 0, "2024-05-01", "2024-06-01"},
		{"LAST_MONTH", 0, "2024-04-01", "2024-05-01"},
		{"NEXT_MONTH", 0, "2024-06-01", "2024-07-01"},
		{"THIS_QUARTER", 0, "2024-04-01", "2024-07-01"},
		{"LAST_QUARTER", 0, "2024-01-01", "2024-04-01"},
		{"NEXT_QUARTER", 0, "2024-07-01", "2024-10-01"},
		{"THIS_YEAR", 0, "2024-01-01", "2025-01-01"},
		{"LAST_YEAR", 0, "2023-01-01", "2024-01-01"},
		{"NEXT_YEAR", 0, "2025-01-01", "2026-01-01"},
		{"LAST_90_DAYS", 0, "2024-02-15", "2024-05-16"},
		{"NEXT_90_DAYS", 0, "2024-05-16", "2024-08-14"},
		{"LAST_N_DAYS", 7, "2024-05-08", "2024-05-16"},
		{"LAST_N_DAYS", 1, "2024-05-14", "2024-05-16"},
		{"LAST_N_DAYS", 0, "2024-05-15", "2024-05-16"},
		{"NEXT_N_DAYS", 7, "2024-05-16", "2024-05-23"},
		{"N_DAYS_AGO", 3, "2024-05-12", "2024-05-13"},
		{"LAST_N_WEEKS", 2, "2024-04-28", "2024-05-12"},
		{"NEXT_N_WEEKS", 1, "2024-05-19", "2024-05-26"},
		{"N_WEEKS_AGO", 1, "2024-05-05", "2024-05-12"},
		{"LAST_N_MONTHS", 2, "2024-03-01", "2024-05-01"},
		{"NEXT_N_MONTHS", 1, "2024-06-01", "2024-07-01"},
		{"N_MONTHS_AGO", 12, "2023-05-01", "2023-06-01"},
		{"LAST_N_QUARTERS", 1, "2024-01-01", "2024-04-01"},
		{"NEXT_N_QUARTERS", 2, "2024-07-01", "2025-01-01"},
		{"N_QUARTERS_AGO", 4, "2023-04-01", "2023-07-01"},
		{"LAST_N_YEARS", 2, "2022-01-01", "2024-01-01"},
		{"NEXT_N_YEARS", 1, "2025-01-01", "2026-01-01"},
		{"N_YEARS_AGO", 1, "2023-01-01", "2024-01-01"},
	}
	for _, tt := range tests {
		v := Value{Kind: KindRelative, Text: tt.lit, N: tt.n}
		start, end, ok := v.Range(now)
		if !ok || !start.Equal(day(tt.start)) || !end.Equal(day(tt.end)) {
			t.Errorf("%s: [%s, %s) ok=%v, want [%s, %s)", v, start.Format(time.DateOnly), end.Format(time.DateOnly), ok, tt.start, tt.end)
		}
	}
	// A Sunday is the first day of its own week; now in another zone is
	// taken in UTC.
	sunday := time.Date(2024, 5, 12, 23, 0, 0, 0, time.FixedZone("x", -5*3600)) // Monday 04:00 UTC
	start, _, _ := Value{Kind: KindRelative, Text: "THIS_WEEK"}.Range(sunday)
	if !start.Equal(day("2024-05-12")) {
		t.Errorf("THIS_WEEK at %s starts %s", sunday, start)
	}
	if _, _, ok := (Value{Kind: KindString, Text: "TODAY"}).Range(now); ok {
		t.Error("Range of a string literal reported ok")
	}
	if _, _, ok := (Value{Kind: KindRelative, Text: "SOMEDAY"}).Range(now); ok {
		t.Error("Range of an unknown literal reported ok")
	}
}
