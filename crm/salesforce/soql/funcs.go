package soql

import (
	"strings"
	"time"
)

// aggregateFuncs are the aggregate functions (reference sheet §10.3).
var aggregateFuncs = map[string]bool{
	"COUNT": true, "COUNT_DISTINCT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true,
}

// dateFuncs are the date functions of SELECT, GROUP BY, WHERE and HAVING
// (§10.5). Fiscal ones follow the default fiscal year, which starts in
// January; an org with another fiscal year is not emulated.
var dateFuncs = map[string]bool{
	"CALENDAR_MONTH": true, "CALENDAR_QUARTER": true, "CALENDAR_YEAR": true,
	"DAY_IN_MONTH": true, "DAY_IN_WEEK": true, "DAY_IN_YEAR": true, "DAY_ONLY": true,
	"FISCAL_MONTH": true, "FISCAL_QUARTER": true, "FISCAL_YEAR": true,
	"HOUR_IN_DAY": true, "WEEK_IN_MONTH": true, "WEEK_IN_YEAR": true,
}

// isFunc reports whether name (any case) is a function Parse knows.
func isFunc(name string) bool {
	n := strings.ToUpper(name)
	return aggregateFuncs[n] || dateFuncs[n]
}

// applyDateFunc evaluates a date function on a (normalized) row value: a
// number, or a date for DAY_ONLY; nil for a null or non-time value. Times
// are taken in UTC, as SOQL does unless convertTimezone() is used (which
// the emulator does not support).
func applyDateFunc(fn string, v any) any {
	t, ok := v.(time.Time)
	if !ok {
		return nil
	}
	t = t.UTC()
	switch fn {
	case "CALENDAR_MONTH", "FISCAL_MONTH":
		return float64(t.Month())
	case "CALENDAR_QUARTER", "FISCAL_QUARTER":
		return float64((int(t.Month())-1)/3 + 1)
	case "CALENDAR_YEAR", "FISCAL_YEAR":
		return float64(t.Year())
	case "DAY_IN_MONTH":
		return float64(t.Day())
	case "DAY_IN_WEEK":
		return float64(t.Weekday() + 1) // 1 = Sunday
	case "DAY_IN_YEAR":
		return float64(t.YearDay())
	case "DAY_ONLY":
		return periodStart(t, unitDay)
	case "HOUR_IN_DAY":
		return float64(t.Hour())
	case "WEEK_IN_MONTH":
		// Week 1 is days 1-7 of the month.
		return float64((t.Day()-1)/7 + 1)
	case "WEEK_IN_YEAR":
		// Week 1 is days 1-7 of the year.
		return float64((t.YearDay()-1)/7 + 1)
	}
	return nil
}

// funcType is the type a function returns for an argument of type arg.
func funcType(fn string, arg FieldType) FieldType {
	switch fn {
	case "MIN", "MAX":
		return arg
	case "DAY_ONLY":
		return TypeDate
	}
	return TypeNumber
}
