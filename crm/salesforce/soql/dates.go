package soql

import "time"

// Units and modes of relative date literals.
const (
	unitDay = iota
	unitWeek
	unitMonth
	unitQuarter
	unitYear
)

const (
	modeThis  = iota // THIS_WEEK: the current period
	modeLast         // LAST_WEEK: the period before
	modeNext         // NEXT_WEEK: the period after
	modeLastN        // LAST_N_WEEKS:n: the n periods before the current one
	modeNextN        // NEXT_N_WEEKS:n: the n periods after the current one
	modeAgo          // N_WEEKS_AGO:n: the single period n periods back
)

type relSpec struct {
	unit, mode int
	n          int  // fixed count for LAST_90_DAYS-style literals
	param      bool // takes ":n"
}

// relatives lists the supported relative date literals (fiscal ones are
// not supported) by upper-case name.
var relatives = map[string]relSpec{
	"YESTERDAY":    {unit: unitDay, mode: modeLast},
	"TODAY":        {unit: unitDay, mode: modeThis},
	"TOMORROW":     {unit: unitDay, mode: modeNext},
	"LAST_90_DAYS": {unit: unitDay, mode: modeLastN, n: 90},
	"NEXT_90_DAYS": {unit: unitDay, mode: modeNextN, n: 90},
}

func init() {
	units := []struct {
		one, many string
		unit      int
	}{
		{"DAY", "DAYS", unitDay},
		{"WEEK", "WEEKS", unitWeek},
		{"MONTH", "MONTHS", unitMonth},
		{"QUARTER", "QUARTERS", unitQuarter},
		{"YEAR", "YEARS", unitYear},
	}
	for _, u := range units {
		if u.unit != unitDay {
			relatives["THIS_"+u.one] = relSpec{unit: u.unit, mode: modeThis}
			relatives["LAST_"+u.one] = relSpec{unit: u.unit, mode: modeLast}
			relatives["NEXT_"+u.one] = relSpec{unit: u.unit, mode: modeNext}
		}
		relatives["LAST_N_"+u.many] = relSpec{unit: u.unit, mode: modeLastN, param: true}
		relatives["NEXT_N_"+u.many] = relSpec{unit: u.unit, mode: modeNextN, param: true}
		relatives["N_"+u.many+"_AGO"] = relSpec{unit: u.unit, mode: modeAgo, param: true}
	}
}

// Range returns the UTC range [start, end) that a KindRelative literal
// denotes at the instant now; ok is false for other kinds.
// LAST_N_DAYS:n includes today (it starts n days before today), while
// NEXT_N_DAYS:n starts tomorrow, as on Salesforce.
func (v Value) Range(now time.Time) (start, end time.Time, ok bool) {
	spec, found := relatives[v.Text]
	if v.Kind != KindRelative || !found {
		return time.Time{}, time.Time{}, false
	}
	n := spec.n
	if spec.param {
		n = v.N
	}
	p0 := periodStart(now.UTC(), spec.unit)
	at := func(k int) time.Time { return addPeriods(p0, spec.unit, k) }
	switch spec.mode {
	case modeThis:
		return at(0), at(1), true
	case modeLast:
		return at(-1), at(0), true
	case modeNext:
		return at(1), at(2), true
	case modeLastN:
		if spec.unit == unitDay {
			return at(-n), at(1), true
		}
		return at(-n), at(0), true
	case modeNextN:
		return at(1), at(1 + n), true
	default: // modeAgo
		return at(-n), at(-n + 1), true
	}
}

// periodStart truncates t (UTC) to the start of its day, week (Sunday),
// month, quarter or year.
func periodStart(t time.Time, unit int) time.Time {
	y, m, d := t.Date()
	switch unit {
	case unitWeek:
		return time.Date(y, m, d-int(t.Weekday()), 0, 0, 0, 0, time.UTC)
	case unitMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case unitQuarter:
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	case unitYear:
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// addPeriods moves the period start p by k units.
func addPeriods(p time.Time, unit, k int) time.Time {
	switch unit {
	case unitWeek:
		return p.AddDate(0, 0, 7*k)
	case unitMonth:
		return p.AddDate(0, k, 0)
	case unitQuarter:
		return p.AddDate(0, 3*k, 0)
	case unitYear:
		return p.AddDate(k, 0, 0)
	}
	return p.AddDate(0, 0, k)
}
