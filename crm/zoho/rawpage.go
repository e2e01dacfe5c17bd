package zoho

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/revops/revops/crm/rawjson"
)

// RawPage is one page of a list answer whose records are kept as raw
// JSON values instead of maps: a reader that converts them itself (extract
// into Arrow builders) skips the map of every record. The values are
// slices of the answer's body, valid while the callback of ListRaw runs.
//
// The page is checked whole as JSON before the callback sees it, so each
// value is one complete, valid JSON value.
type RawPage struct {
	call   int
	body   []byte
	fields []string
	index  map[string]int
	nf     int       // captured keys: fields, then id and Modified_Time when not among them
	spans  []rawSpan // rows × nf
	recs   []rawSpan // each record's object (null for a null element)
	idF    int       // index of id among the captured keys
	modF   int       // index of Modified_Time
	info   listInfo
	parser rawjson.Scanner // reused between pages
}

// rawSpan is [start, end) of a value in the body; end 0 means absent.
type rawSpan struct{ start, end int32 }

// Call is the number of the list call that read the page (1 for the
// first), as errors name it.
func (p *RawPage) Call() int { return p.call }

// Len is the number of records.
func (p *RawPage) Len() int { return len(p.recs) }

// Fields are the keys whose values Value returns, by index: the fields
// the listing asked for, then id and Modified_Time when not among them.
func (p *RawPage) Fields() []string { return p.fields }

// Value is the raw JSON value of field f (an index into Fields) of record
// rec, nil when the record does not have the key.
func (p *RawPage) Value(rec, f int) []byte {
	s := p.spans[rec*p.nf+f]
	if s.end == 0 {
		return nil
	}
	return p.body[s.start:s.end]
}

// Record decodes record rec as List hands it on (numbers as json.Number;
// nil for a null element).
func (p *RawPage) Record(rec int) (map[string]any, error) {
	s := p.recs[rec]
	var m map[string]any
	if err := decode(p.body[s.start:s.end], &m); err != nil {
		return nil, fmt.Errorf("record %d: %w", rec+1, err)
	}
	return m, nil
}

// ID is record rec's id ("" when it has none, or not a string).
func (p *RawPage) ID(rec int) string {
	s, _ := p.str(rec, p.idF)
	return s
}

// ModifiedTime is record rec's Modified_Time; ok is false when it has
// none, or not a string.
func (p *RawPage) ModifiedTime(rec int) (s string, ok bool) { return p.str(rec, p.modF) }

func (p *RawPage) str(rec, f int) (string, bool) {
	v := p.spans[rec*p.nf+f]
	if v.end == 0 {
		return "", false
	}
	raw := p.body[v.start:v.end]
	if s, ok := rawjson.String(raw); ok {
		return string(s), true
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// keep keeps the records whose mask entry is true, in order.
func (p *RawPage) keep(mask []bool) {
	n := 0
	for i, ok := range mask {
		if !ok {
			continue
		}
		if n != i {
			p.recs[n] = p.recs[i]
			copy(p.spans[n*p.nf:(n+1)*p.nf], p.spans[i*p.nf:(i+1)*p.nf])
		}
		n++
	}
	p.recs = p.recs[:n]
	p.spans = p.spans[:n*p.nf]
}

// ReadRawPage reads one list answer (the body of GET /crm/v8/{module}),
// keeping the values of fields, id and Modified_Time of each record raw,
// as ListRaw hands its pages on. Bad JSON is an error naming the record
// and field where it is.
func ReadRawPage(body []byte, fields []string) (*RawPage, error) {
	p := newRawPage(fields)
	if err := p.parse(1, body); err != nil {
		return nil, err
	}
	return p, nil
}

// MoreRecords is the page's info.more_records.
func (p *RawPage) MoreRecords() bool { return p.info.MoreRecords }

// newRawPage prepares a page reader capturing fields, id and Modified_Time.
func newRawPage(fields []string) *RawPage {
	p := &RawPage{fields: slices.Clone(fields), index: make(map[string]int, len(fields)+2)}
	for i, f := range fields {
		if _, dup := p.index[f]; !dup {
			p.index[f] = i
		}
	}
	for _, k := range []string{"id", "Modified_Time"} {
		if _, ok := p.index[k]; !ok {
			p.index[k] = len(p.fields)
			p.fields = append(p.fields, k)
		}
	}
	p.nf = len(p.fields)
	p.idF, p.modF = p.index["id"], p.index["Modified_Time"]
	return p
}

// parse reads a list answer, {"data": [...], "info": {...}}, into p.
// Like the decoding of List, it reads the first JSON value of body and
// ignores what follows, matches the top-level keys without regard to case
// and keeps the last of repeated keys.
func (p *RawPage) parse(call int, body []byte) error {
	if len(body) > 1<<31-1 {
		return fmt.Errorf("answer of %d bytes is too large", len(body))
	}
	p.call, p.body, p.info = call, body, listInfo{}
	p.spans, p.recs = p.spans[:0], p.recs[:0]
	s := &p.parser
	s.Reset(body)
	if s.AtEnd() {
		return fmt.Errorf("decode answer: empty body")
	}
	if s.Literal("null") {
		return nil // as encoding/json: nothing
	}
	return s.Object("want an object", func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("data")):
			return p.data()
		case bytes.EqualFold(key, []byte("info")):
			raw, err := s.Skip()
			if err != nil {
				return fmt.Errorf("info: %w", err)
			}
			var info listInfo
			if err := json.Unmarshal(raw, &info); err != nil {
				return fmt.Errorf("decode answer: info: %w", err)
			}
			p.info = info
			return nil
		}
		_, err := s.Skip()
		return err
	})
}

// data reads the data array.
func (p *RawPage) data() error {
	s := &p.parser
	p.spans, p.recs = p.spans[:0], p.recs[:0]
	if s.Literal("null") {
		return nil
	}
	return s.Array("data: want an array", func() error {
		rec := len(p.recs)
		start := s.Pos()
		base := len(p.spans)
		for range p.nf {
			p.spans = append(p.spans, rawSpan{})
		}
		if s.Literal("null") {
			p.recs = append(p.recs, rawSpan{int32(start), int32(s.Pos())})
			return nil
		}
		if s.Peek() != '{' {
			return s.Errorf("data: record %d: want an object", rec+1)
		}
		err := s.Object("want an object", func(key []byte) error {
			vs := s.Pos()
			if _, err := s.Skip(); err != nil {
				return fmt.Errorf("field %q: %w", key, err)
			}
			if f, ok := p.index[string(key)]; ok {
				p.spans[base+f] = rawSpan{int32(vs), int32(s.Pos())}
			}
			return nil
		})
		if err != nil {
			if id := p.spans[base+p.idF]; id.end != 0 {
				return fmt.Errorf("data: record %d (id %s): %w", rec+1, p.body[id.start:id.end], err)
			}
			return fmt.Errorf("data: record %d: %w", rec+1, err)
		}
		p.recs = append(p.recs, rawSpan{int32(start), int32(s.Pos())})
		return nil
	})
}
