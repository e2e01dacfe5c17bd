package zoho

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// cursor is what an Extract call hands back as its high-water mark, as a
// JSON string: {"modified":…,"id":…,"read_at":…,"full":…,"deleted":…,
// "schema":…}. A bare RFC 3339 time is read as {"modified": it}.
type cursor struct {
	// Modified is the newest Modified_Time (Desk: modifiedTime) seen, as
	// the API wrote it (RFC 3339 with its offset).
	Modified string `json:"modified,omitempty"`
	// ID (CRM list reads and Deals_Stage_History only) is the id of the
	// last record read at Modified, in the list API's (Modified_Time, id)
	// order, and ReadAt the server time at the start of the read that
	// read up to there. The next read skips the records at or before
	// (Modified, ID) whose Modified_Time is more than the look-back older
	// than ReadAt (see skipRule), so that a second shared by more records
	// than one run may read (a bulk import) is got past. A cursor without
	// them (older revops, a Bulk Read's) skips nothing.
	ID     string `json:"id,omitempty"`
	ReadAt string `json:"read_at,omitempty"`
	// Full is the server time at the start of the last full read; the
	// next full read is due FormulaRefresh after it.
	Full string `json:"full,omitempty"`
	// Deleted is the server time at the start of the last read: the next
	// read asks the deleted-records API for deletions after it (minus the
	// look-back). Server time, from the Date header, so that neither the
	// local clock nor a long run can open a gap.
	Deleted string `json:"deleted,omitempty"`
	// FullStarted, set only in a checkpoint, is the server time at the
	// start of a full read that is not finished: records modified before
	// Modified have been read by it, and the next read continues it from
	// Modified (in Modified_Time order) instead of starting over. When it
	// finishes, Full becomes FullStarted.
	FullStarted string `json:"full_started,omitempty"`
	// Bulk, set only in a checkpoint, is a Bulk Read part way: the next
	// read continues it at its next page.
	Bulk *bulkState `json:"bulk,omitempty"`
	// Schema is the module's fields as this read used them, so that the
	// next read can do without the fields API (see fieldCache).
	Schema *fieldCache `json:"schema,omitempty"`
	// StageSpent (Deals_Stage_History only, with daily_credits set) is
	// what the read spent in the last 24 hours, against its allowance
	// (Options.StageHistoryShare): kept in the cursor so that it holds
	// across runs and processes. A pointer keeps cursor comparable; a
	// cursor written before it existed decodes with it nil.
	StageSpent *spendLedger `json:"stage_spent,omitempty"`
}

// spendLedger is calls spent, oldest first; an entry frees 24 hours
// after its time.
type spendLedger []spend

// spend is calls spent up to a time (server time, RFC 3339).
type spend struct {
	At    string `json:"at"`
	Calls int    `json:"calls"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return c, nil
	case strings.HasPrefix(s, "{"):
		if err := json.Unmarshal([]byte(s), &c); err != nil {
			return c, fmt.Errorf("cursor %q: %w", s, err)
		}
	default:
		c.Modified = s
	}
	if c.ID != "" && (c.Modified == "" || c.ReadAt == "") {
		return c, fmt.Errorf("cursor %q: id %q wants modified and read_at beside it", s, c.ID)
	}
	times := []string{c.Modified, c.Full, c.Deleted, c.FullStarted, c.ReadAt}
	if c.Bulk != nil {
		times = append(times, c.Bulk.Started, c.Bulk.Since)
	}
	if c.StageSpent != nil {
		for _, sp := range *c.StageSpent {
			if sp.At == "" || sp.Calls < 0 {
				return c, fmt.Errorf("cursor %q: stage_spent entry %+v wants a time and calls ≥ 0", s, sp)
			}
			times = append(times, sp.At)
		}
	}
	for _, v := range times {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return c, fmt.Errorf("cursor %q: %q is not an RFC 3339 time", s, v)
		}
	}
	return c, nil
}

func (c cursor) String() string {
	if c == (cursor{}) {
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// at parses one of the cursor's times; zero when empty.
func at(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// maxTime keeps the newest of the API's time strings, compared as times.
type maxTime struct {
	t time.Time
	s string
}

func (m *maxTime) observe(s string, t time.Time) {
	if m.s == "" || t.After(m.t) {
		m.t, m.s = t, s
	}
}
