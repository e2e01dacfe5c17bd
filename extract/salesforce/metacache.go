package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/revops/revops/crm/httpx"
	"github.com/revops/revops/crm/salesforce"
	"github.com/revops/revops/extract"
)

// Describes without a call per object and run.
//
// Each read's describe travels in its cursor (saved in _revops.cursors in
// the same transaction as the rows), with the server time it was last
// known current. The next read asks whether anything changed since then
// (If-Modified-Since, one second earlier than that time, as the Date
// header has whole seconds):
//
//  1. describeGlobal with If-Modified-Since: one call answers for every
//     object of the source (the first object's read makes it; the others
//     of the run reuse its answer); 304 means no object's metadata
//     changed, and every cached describe holds;
//  2. on 200 (the check is coarse: org-wide changes count too), each
//     object's describe with If-Modified-Since: 304 keeps the cached
//     describe, 200 brings the new one (a field added by an admin or
//     through the Tooling API becomes a column at once).
//
// A cursor without a describe (first read, earlier revops versions) or a
// failed check describes the object.

// objMeta is an object's describe as a cursor keeps it.
type objMeta struct {
	// Object is the object's API name.
	Object string `json:"object"`
	// At is the server time the describe was last known current (RFC 3339).
	At string `json:"at,omitempty"`
	// Fields are "Name:type[/scale]" joined by commas, in describe order.
	Fields string `json:"fields"`
}

// newMeta keeps what the columns and the cursor field need of d.
func newMeta(d *salesforce.Describe, at time.Time) *objMeta {
	var b strings.Builder
	for i, f := range d.Fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name + ":" + strings.ToLower(f.Type))
		if f.Scale != 0 {
			b.WriteString("/" + strconv.Itoa(f.Scale))
		}
	}
	m := &objMeta{Object: d.Name, Fields: b.String()}
	if !at.IsZero() {
		m.At = at.UTC().Format(time.RFC3339)
	}
	return m
}

// describe rebuilds the parts of the describe extract uses.
func (m *objMeta) describe() (*salesforce.Describe, error) {
	if m.Object == "" || m.Fields == "" {
		return nil, errors.New("the cursor's describe is empty")
	}
	d := &salesforce.Describe{SObject: salesforce.SObject{Name: m.Object}}
	for _, p := range strings.Split(m.Fields, ",") {
		name, rest, ok := strings.Cut(p, ":")
		if !ok || name == "" || rest == "" {
			return nil, fmt.Errorf("the cursor's field %q is not Name:type", p)
		}
		typ, scale, _ := strings.Cut(rest, "/")
		f := salesforce.Field{Name: name, Type: typ}
		if scale != "" {
			n, err := strconv.Atoi(scale)
			if err != nil {
				return nil, fmt.Errorf("the cursor's field %q: scale %q", p, scale)
			}
			f.Scale = n
		}
		d.Fields = append(d.Fields, f)
	}
	return d, nil
}

// state is what a cursor holds: the highest cursor-field value read
// (CursorLayout) and the describe used.
type state struct {
	Modified string   `json:"modified,omitempty"`
	Schema   *objMeta `json:"schema,omitempty"`
}

// parseState reads a cursor: JSON, or a bare time (cursors written
// before describes were kept).
func parseState(s string) (state, time.Time, error) {
	var st state
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		if err := json.Unmarshal([]byte(s), &st); err != nil {
			return st, time.Time{}, fmt.Errorf("cursor %q: %w", s, err)
		}
	} else {
		st.Modified = s
	}
	t, err := parseTime(st.Modified)
	return st, t, err
}

// encode writes the cursor for a highest value modified ("" for none).
func (st state) encode(modified string) string {
	if st.Schema == nil {
		return modified
	}
	st.Modified = modified
	b, _ := json.Marshal(st)
	return string(b)
}

// gate memoizes the answers of the describeGlobal check for the objects
// of one run: for gateTTL, a 304 for a time answers every check of a time
// not before it (with that answer's Date: nothing is known of changes
// after it), a 200 every check of a time not after it.
type gate struct {
	mu             sync.Mutex
	unchangedSince time.Time // the earliest If-Modified-Since answered 304 …
	checkedAt      time.Time // … and the Date of that answer
	changedSince   time.Time // the latest If-Modified-Since answered 200
	asked          time.Time // local time of the first call of this window
}

// gateTTL is how long describeGlobal answers serve other objects: about
// one run's objects (a long-lived extractor asks again each run).
var gateTTL = time.Minute

// unchanged reports whether no object's metadata changed after since,
// and the server time that answer holds at.
func (e *Extractor) unchanged(ctx context.Context, since time.Time) (bool, time.Time, error) {
	g := &e.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if same, at, known := g.answer(since); known {
		return same, at, nil
	}
	gl, date, err := e.client.DescribeGlobalIfModified(httpx.WithTag(ctx, "metadata"), since)
	if err != nil {
		return false, time.Time{}, err
	}
	same := gl == nil && !date.IsZero()
	g.record(since, same, date)
	return same, date, nil
}

// answer is the gate's answer for since, if it holds one (the caller
// holds g.mu).
func (g *gate) answer(since time.Time) (same bool, at time.Time, known bool) {
	if time.Since(g.asked) > gateTTL {
		g.unchangedSince, g.checkedAt, g.changedSince = time.Time{}, time.Time{}, time.Time{}
	}
	switch {
	case !g.unchangedSince.IsZero() && !since.Before(g.unchangedSince):
		return true, g.checkedAt, true
	case !g.changedSince.IsZero() && !since.After(g.changedSince):
		return false, time.Time{}, true
	}
	return false, time.Time{}, false
}

// record keeps the answer of a check for since: same (304, at its Date)
// or not (the caller holds g.mu).
func (g *gate) record(since time.Time, same bool, date time.Time) {
	if g.unchangedSince.IsZero() && g.changedSince.IsZero() {
		g.asked = time.Now() // a new window
	}
	if !same {
		g.changedSince = since
		return
	}
	g.unchangedSince, g.checkedAt = since, date
}

// gateAnswered reports whether the gate holds an answer for since.
func (e *Extractor) gateAnswered(since time.Time) bool {
	e.gate.mu.Lock()
	defer e.gate.mu.Unlock()
	_, _, known := e.gate.answer(since)
	return known
}

// gateRecord keeps the answer to a describeGlobal check sent in a
// Composite call (prefetch.go).
func (e *Extractor) gateRecord(since time.Time, same bool, date time.Time) {
	e.gate.mu.Lock()
	defer e.gate.mu.Unlock()
	e.gate.record(since, same, date)
}

// ifModifiedSince is the header time for metadata known current at at.
func ifModifiedSince(at time.Time) time.Time {
	return at.Truncate(time.Second).Add(-time.Second)
}

// describeFor returns the describe of obj for a read from a cursor that
// kept meta (nil: none), and what the next cursor keeps.
func (e *Extractor) describeFor(ctx context.Context, obj extract.Object, meta *objMeta) (*salesforce.Describe, *objMeta, error) {
	if meta != nil && strings.EqualFold(meta.Object, obj.Name) && meta.At != "" {
		cached, err := meta.describe()
		at, perr := time.Parse(time.RFC3339, meta.At)
		if err == nil && perr == nil {
			since := ifModifiedSince(at)
			same, checked, err := e.unchanged(ctx, since)
			if err != nil {
				e.log.Warn("describeGlobal check failed; describing the object", "object", obj.Name, "error", err)
			}
			if same {
				m := *meta
				m.At = checked.UTC().Format(time.RFC3339)
				return cached, &m, nil
			}
			d, date, err := e.client.DescribeIfModified(ctx, obj.Name, since)
			if err != nil {
				return nil, nil, err
			}
			if d == nil {
				m := *meta
				m.At = ""
				if !date.IsZero() {
					m.At = date.UTC().Format(time.RFC3339)
				}
				return cached, &m, nil
			}
			return d, newMeta(d, date), nil
		}
		e.log.Warn("the cursor's describe does not decode; describing the object", "object", obj.Name, "error",
			errors.Join(err, perr))
	}
	d, date, err := e.client.DescribeIfModified(ctx, obj.Name, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	return d, newMeta(d, date), nil
}
