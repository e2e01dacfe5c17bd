package zoho

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"
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
	parser rawScanner // reused between pages
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
	if s, ok := RawString(raw); ok {
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
	s.b, s.pos = body, 0
	s.ws()
	if s.pos >= len(s.b) {
		return fmt.Errorf("decode answer: empty body")
	}
	if s.literal("null") {
		return nil // as encoding/json: nothing
	}
	if s.b[s.pos] != '{' {
		return s.errorf("want an object")
	}
	s.pos++
	return s.members(func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("data")):
			return p.data()
		case bytes.EqualFold(key, []byte("info")):
			start := s.pos
			if err := s.skip(0); err != nil {
				return fmt.Errorf("info: %w", err)
			}
			var info listInfo
			if err := json.Unmarshal(s.b[start:s.pos], &info); err != nil {
				return fmt.Errorf("decode answer: info: %w", err)
			}
			p.info = info
			return nil
		}
		return s.skip(0)
	})
}

// data reads the data array.
func (p *RawPage) data() error {
	s := &p.parser
	p.spans, p.recs = p.spans[:0], p.recs[:0]
	if s.literal("null") {
		return nil
	}
	if s.pos >= len(s.b) || s.b[s.pos] != '[' {
		return s.errorf("data: want an array")
	}
	s.pos++
	return s.elements(func() error {
		rec := len(p.recs)
		start := s.pos
		base := len(p.spans)
		for range p.nf {
			p.spans = append(p.spans, rawSpan{})
		}
		if s.literal("null") {
			p.recs = append(p.recs, rawSpan{int32(start), int32(s.pos)})
			return nil
		}
		if s.pos >= len(s.b) || s.b[s.pos] != '{' {
			return s.errorf("data: record %d: want an object", rec+1)
		}
		s.pos++
		err := s.members(func(key []byte) error {
			vs := s.pos
			if err := s.skip(0); err != nil {
				return fmt.Errorf("field %q: %w", key, err)
			}
			if f, ok := p.index[string(key)]; ok {
				p.spans[base+f] = rawSpan{int32(vs), int32(s.pos)}
			}
			return nil
		})
		if err != nil {
			if id := p.spans[base+p.idF]; id.end != 0 {
				return fmt.Errorf("data: record %d (id %s): %w", rec+1, s.b[id.start:id.end], err)
			}
			return fmt.Errorf("data: record %d: %w", rec+1, err)
		}
		p.recs = append(p.recs, rawSpan{int32(start), int32(s.pos)})
		return nil
	})
}

// rawScanner walks JSON text, checking it as it goes.
type rawScanner struct {
	b   []byte
	pos int
	key []byte // scratch for unescaped keys
	// escapedKey says the last key read had escapes (it is in key).
	escapedKey bool
}

// maxDepth bounds the nesting of values, as encoding/json does.
const maxDepth = 10000

func (s *rawScanner) errorf(format string, args ...any) error {
	where := "end of answer"
	if s.pos < len(s.b) {
		where = fmt.Sprintf("%q at byte %d", s.b[s.pos], s.pos)
	}
	return fmt.Errorf("decode answer: "+format+" (%s)", append(args, where)...)
}

func (s *rawScanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// literal consumes lit (after blanks) when it comes next.
func (s *rawScanner) literal(lit string) bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.pos:], []byte(lit)) {
		s.pos += len(lit)
		return true
	}
	return false
}

// members reads an object's members after its '{', calling fn with each
// key (unescaped) positioned at the value, which fn must consume.
func (s *rawScanner) members(fn func(key []byte) error) error {
	s.ws()
	if s.pos < len(s.b) && s.b[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.ws()
		key, err := s.readKey()
		if err != nil {
			return err
		}
		s.ws()
		if s.pos >= len(s.b) || s.b[s.pos] != ':' {
			return s.errorf("want ':' after key %q", key)
		}
		s.pos++
		s.ws()
		if err := fn(key); err != nil {
			return err
		}
		s.ws()
		if s.pos >= len(s.b) {
			return s.errorf("unterminated object")
		}
		switch s.b[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.errorf("want ',' or '}' after the value of %q", key)
		}
	}
}

// elements reads an array's elements after its '[', calling fn
// positioned at each, which fn must consume.
func (s *rawScanner) elements(fn func() error) error {
	s.ws()
	if s.pos < len(s.b) && s.b[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.ws()
		if err := fn(); err != nil {
			return err
		}
		s.ws()
		if s.pos >= len(s.b) {
			return s.errorf("unterminated array")
		}
		switch s.b[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.errorf("want ',' or ']'")
		}
	}
}

// readKey reads a string and returns its text; escaped keys are decoded
// into scratch space valid until the next key.
func (s *rawScanner) readKey() ([]byte, error) {
	if s.pos >= len(s.b) || s.b[s.pos] != '"' {
		return nil, s.errorf("want a key")
	}
	start := s.pos
	escaped, err := s.skipString()
	if err != nil {
		return nil, err
	}
	raw := s.b[start:s.pos]
	s.escapedKey = escaped
	if !escaped {
		return raw[1 : len(raw)-1], nil
	}
	var k string
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, fmt.Errorf("decode answer: key at byte %d: %w", start, err)
	}
	s.key = append(s.key[:0], k...)
	return s.key, nil
}

// skipString consumes a string at s.pos, checking its escapes.
func (s *rawScanner) skipString() (escaped bool, err error) {
	s.pos++ // the opening quote
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			s.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			if s.pos+1 >= len(s.b) {
				return escaped, s.errorf("unterminated string")
			}
			switch s.b[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.b) {
					return escaped, s.errorf("unterminated string")
				}
				for _, h := range s.b[s.pos+2 : s.pos+6] {
					if !isHex(h) {
						return escaped, s.errorf("bad \\u escape")
					}
				}
				s.pos += 6
			default:
				s.pos++
				return escaped, s.errorf("bad escape")
			}
		case c < 0x20:
			return escaped, s.errorf("control character in string")
		default:
			s.pos++
		}
	}
	return escaped, s.errorf("unterminated string")
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skip consumes one value at s.pos (blanks skipped before it).
func (s *rawScanner) skip(depth int) error {
	s.ws()
	if s.pos >= len(s.b) {
		return s.errorf("want a value")
	}
	switch c := s.b[s.pos]; {
	case c == '"':
		_, err := s.skipString()
		return err
	case c == '{':
		if depth >= maxDepth {
			return s.errorf("nested too deep")
		}
		s.pos++
		return s.members(func([]byte) error { return s.skip(depth + 1) })
	case c == '[':
		if depth >= maxDepth {
			return s.errorf("nested too deep")
		}
		s.pos++
		return s.elements(func() error { return s.skip(depth + 1) })
	case c == 't':
		if s.literal("true") {
			return nil
		}
	case c == 'f':
		if s.literal("false") {
			return nil
		}
	case c == 'n':
		if s.literal("null") {
			return nil
		}
	case c == '-' || isDigit(c):
		return s.number()
	}
	return s.errorf("invalid value")
}

// number consumes a JSON number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func (s *rawScanner) number() error {
	b := s.b
	i := s.pos
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		s.pos = i
		return s.errorf("bad number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			s.pos = i
			return s.errorf("bad number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			s.pos = i
			return s.errorf("bad number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	s.pos = i
	return nil
}

// RawString is the text of a raw JSON string value that needs no
// decoding (no escapes, valid UTF-8): what encoding/json would give,
// without a copy. ok is false for any other value.
func RawString(raw []byte) (text []byte, ok bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	text = raw[1 : len(raw)-1]
	ascii := true
	for _, c := range text {
		if c == '\\' || c == '"' || c < 0x20 {
			return nil, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(text) {
		return nil, false // encoding/json replaces bad bytes with U+FFFD
	}
	return text, true
}

// RawMembers calls fn with each member of a raw JSON object value that
// came in a RawPage (so is known to be valid), in order; false when raw is
// not an object or a key needs decoding.
func RawMembers(raw []byte, fn func(key, value []byte)) bool {
	if len(raw) == 0 || raw[0] != '{' {
		return false
	}
	s := rawScanner{b: raw, pos: 1}
	ok := true
	err := s.members(func(key []byte) error {
		if s.escapedKey {
			ok = false
		}
		start := s.pos
		if err := s.skip(1); err != nil {
			return err
		}
		fn(key, raw[start:s.pos])
		return nil
	})
	return ok && err == nil
}

// RawElements calls fn with each element of a raw JSON array value that
// came in a RawPage, in order; false when raw is not an array.
func RawElements(raw []byte, fn func(value []byte)) bool {
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	s := rawScanner{b: raw, pos: 1}
	err := s.elements(func() error {
		start := s.pos
		if err := s.skip(1); err != nil {
			return err
		}
		fn(raw[start:s.pos])
		return nil
	})
	return err == nil
}
