package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/revops/revops/crm/rawjson"
)

// QueryPage is one page of a query result whose records keep their
// values as raw JSON instead of maps: a reader that converts them itself
// (extract, into Arrow builders) skips the map of every record. It holds
// the values of the fields it was made for (NewQueryPage); a value is a
// slice of the page's body, valid until the page is filled again.
//
// The page is checked whole as JSON when it is read, and read as Next
// would read it: the same records, totalSize, done and nextRecordsUrl,
// and an error wherever Next's decoding errs. A field's value is what
// the record holds under that exact key ("attributes" is never one); a
// parent relationship or subquery value is a raw object whose own
// "attributes" are still in it (Record strips them).
type QueryPage struct {
	fields []string
	index  map[string]int
	nf     int
	body   []byte
	spans  []rawSpan // records × nf
	recs   []rawSpan // each record's object (null for a null element)
	total  int
	done   bool
	next   string
	scan   rawjson.Scanner
}

// rawSpan is [start, end) of a value in the body; end 0 means absent.
type rawSpan struct{ start, end int32 }

// NewQueryPage returns a page that keeps the values of fields (by index
// in Value, in this order; duplicates answer at their first index).
func NewQueryPage(fields []string) *QueryPage {
	p := &QueryPage{fields: slices.Clone(fields), index: make(map[string]int, len(fields)), nf: len(fields)}
	for i, f := range fields {
		if _, dup := p.index[f]; !dup && f != "attributes" {
			p.index[f] = i
		}
	}
	return p
}

// ReadQueryPage reads one query answer (the body of query, queryAll or
// a nextRecordsUrl) into a new page keeping fields.
func ReadQueryPage(body []byte, fields []string) (*QueryPage, error) {
	p := NewQueryPage(fields)
	if err := p.parse(body); err != nil {
		return nil, err
	}
	return p, nil
}

// Len is the number of records.
func (p *QueryPage) Len() int { return len(p.recs) }

// Fields are the keys Value returns values of, by index.
func (p *QueryPage) Fields() []string { return p.fields }

// Value is the raw JSON value of field f (an index into Fields) of record
// rec, nil when the record does not have the key.
func (p *QueryPage) Value(rec, f int) []byte {
	s := p.spans[rec*p.nf+f]
	if s.end == 0 {
		return nil
	}
	return p.body[s.start:s.end]
}

// String is the value of field f of record rec when it is a JSON string
// (ok false for anything else, or when absent).
func (p *QueryPage) String(rec, f int) (s string, ok bool) {
	raw := p.Value(rec, f)
	if t, plain := rawjson.String(raw); plain {
		return string(t), true
	}
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// Record decodes record rec as Next hands it on: numbers as
// json.Number, "attributes" removed at every level, nil for a null
// element.
func (p *QueryPage) Record(rec int) (map[string]any, error) {
	s := p.recs[rec]
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(p.body[s.start:s.end]))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("record %d: %w", rec+1, err)
	}
	stripAttributes(m)
	return m, nil
}

// TotalSize is the result's totalSize.
func (p *QueryPage) TotalSize() int { return p.total }

// Done is the page's done.
func (p *QueryPage) Done() bool { return p.done }

// NextRecordsURL is the page's nextRecordsUrl ("" on the last page).
func (p *QueryPage) NextRecordsURL() string { return p.next }

// parse reads a query answer, {"totalSize", "done", "nextRecordsUrl",
// "records": [...]}, into p. Like Next's decoding it reads the first JSON
// value of body and ignores what follows, matches the top-level keys
// without regard to case, and keeps the last of repeated keys.
func (p *QueryPage) parse(body []byte) error {
	if len(body) > 1<<31-1 {
		return fmt.Errorf("decode answer: answer of %d bytes is too large", len(body))
	}
	p.body, p.total, p.done, p.next = body, 0, false, ""
	p.spans, p.recs = p.spans[:0], p.recs[:0]
	s := &p.scan
	s.Reset(body)
	if s.AtEnd() {
		return fmt.Errorf("decode answer: empty body")
	}
	if s.Literal("null") {
		return nil // as encoding/json: nothing
	}
	seen := false // a records member was read
	var typeErr error
	err := s.Object("want an object", func(key []byte) error {
		var dst any
		switch {
		case bytes.EqualFold(key, []byte("records")):
			if seen {
				return errRepeatedRecords
			}
			seen = true
			return p.records()
		case bytes.EqualFold(key, []byte("totalSize")):
			dst = &p.total
		case bytes.EqualFold(key, []byte("done")):
			dst = &p.done
		case bytes.EqualFold(key, []byte("nextRecordsUrl")):
			dst = &p.next
		}
		raw, err := s.Skip()
		if err != nil || dst == nil {
			return err
		}
		// encoding/json reads on past a value of the wrong type and
		// reports the first such error at the end.
		if err := json.Unmarshal(raw, dst); err != nil && typeErr == nil {
			typeErr = fmt.Errorf("decode answer: %s: %w", key, err)
		}
		return nil
	})
	if err == errRepeatedRecords {
		return p.parseRepeated(body)
	}
	if err != nil {
		return err
	}
	return typeErr
}

// errRepeatedRecords: the answer has records twice.
var errRepeatedRecords = fmt.Errorf("decode answer: records twice")

// parseRepeated reads an answer with more than one records member,
// which encoding/json merges element by element into the same maps:
// decoded as Next decodes it, the records are written out again and read
// raw. No server sends such answers; the rule keeps the two readers alike.
func (p *QueryPage) parseRepeated(body []byte) error {
	var pg page
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&pg); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	for _, rec := range pg.Records {
		stripAttributes(rec)
	}
	again, err := json.Marshal(struct {
		TotalSize      int              `json:"totalSize"`
		Done           bool             `json:"done"`
		NextRecordsURL string           `json:"nextRecordsUrl"`
		Records        []map[string]any `json:"records"`
	}{pg.TotalSize, pg.Done, pg.NextRecordsURL, pg.Records})
	if err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return p.parse(again)
}

// records reads the records array.
func (p *QueryPage) records() error {
	s := &p.scan
	p.spans, p.recs = p.spans[:0], p.recs[:0]
	if s.Literal("null") {
		return nil
	}
	return s.Array("records: want an array", func() error {
		rec := len(p.recs)
		base := len(p.spans)
		for range p.nf {
			p.spans = append(p.spans, rawSpan{})
		}
		s.Peek()
		start := s.Pos()
		if s.Literal("null") {
			p.recs = append(p.recs, rawSpan{int32(start), int32(s.Pos())})
			return nil
		}
		if s.Peek() != '{' {
			return s.Errorf("records: record %d: want an object", rec+1)
		}
		err := s.Object("want an object", func(key []byte) error {
			raw, err := s.Skip()
			if err != nil {
				return fmt.Errorf("field %q: %w", key, err)
			}
			if f, ok := p.index[string(key)]; ok {
				end := s.Pos()
				p.spans[base+f] = rawSpan{int32(end - len(raw)), int32(end)}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("records: record %d: %w", rec+1, err)
		}
		p.recs = append(p.recs, rawSpan{int32(start), int32(s.Pos())})
		return nil
	})
}

// NextRaw reads the next page into into (a page made by NewQueryPage,
// whose earlier values it overwrites), as Next reads it. After the last
// page Done is true and NextRaw returns false, nil.
func (p *Pager) NextRaw(ctx context.Context, into *QueryPage) (bool, error) {
	if p.done {
		return false, nil
	}
	r, err := p.request()
	if err != nil {
		return false, err
	}
	resp, err := p.c.send(ctx, r)
	if err != nil {
		return false, fmt.Errorf("salesforce: query %s page %d: %w", p.object, p.page+1, err)
	}
	buf := bytes.NewBuffer(into.body[:0])
	_, err = io.Copy(buf, resp.Body)
	resp.Body.Close()
	if err != nil {
		return false, fmt.Errorf("salesforce: query %s page %d: read answer: %w", p.object, p.page+1, err)
	}
	if err := into.parse(buf.Bytes()); err != nil {
		return false, fmt.Errorf("salesforce: query %s page %d: %w", p.object, p.page+1, err)
	}
	p.took(into.total, into.done, into.next)
	return true, nil
}

// PrimeRaw is Prime into a raw page: res, the answer to p's first query
// sent as a Composite (or Composite Batch) subrequest, becomes p's first page.
func (p *Pager) PrimeRaw(res BatchResult, into *QueryPage) error {
	if err := p.primable(res); err != nil {
		return err
	}
	if err := into.parse(append(into.body[:0], res.Result...)); err != nil {
		return fmt.Errorf("salesforce: query %s page 1 (batch): %w", p.object, err)
	}
	p.took(into.total, into.done, into.next)
	return nil
}

// request is the call of the next page.
func (p *Pager) request() (request, error) {
	r := request{method: http.MethodGet}
	if p.next == "" {
		op := "query"
		if p.all {
			op = "queryAll"
		}
		r.path, r.query = p.c.dataPath(op), url.Values{"q": {p.soql}}
	} else {
		u, err := url.Parse(p.next)
		if err != nil {
			return r, fmt.Errorf("salesforce: query %s page %d: bad nextRecordsUrl: %w", p.object, p.page+1, err)
		}
		r.path, r.query = u.Path, u.Query()
	}
	if p.batch > 0 {
		r.header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(p.batch)}}
	}
	return r, nil
}

// took records a page read.
func (p *Pager) took(total int, done bool, next string) {
	p.page++
	p.total = total
	p.next = next
	p.done = done || next == ""
}
