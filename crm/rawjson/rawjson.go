// Package rawjson reads JSON answers without decoding their values: a
// Scanner walks the text, checking it as encoding/json would, and hands
// each member's or element's raw bytes on, so that API clients (crm/zoho's
// list pages, crm/salesforce's query pages) can keep record values as
// slices of the body and readers convert them straight into Arrow.
//
// The checks are encoding/json's: a text Scanner accepts is one that
// encoding/json decodes without a syntax error, and one it refuses is one
// encoding/json refuses (FuzzScanner holds that).
package rawjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of arrays and objects, counted from the
// document's top, as encoding/json bounds it.
const MaxDepth = 10000

// Scanner walks one JSON text, checking it as it goes. Errors start with
// "decode answer:" and name the byte where the text went wrong. The zero
// Scanner is ready for Reset.
type Scanner struct {
	b     []byte
	pos   int
	depth int
	key   []byte // scratch for unescaped keys
	// escapedKey says the last key read had escapes (it is in key).
	escapedKey bool
}

// Reset starts reading b from its first byte.
func (s *Scanner) Reset(b []byte) {
	s.b, s.pos, s.depth, s.escapedKey = b, 0, 0, false
}

// Pos is the offset of the next byte to read.
func (s *Scanner) Pos() int { return s.pos }

// EscapedKey says whether the last key Members handed on had escapes
// (so it was decoded into scratch space, not a slice of the text).
func (s *Scanner) EscapedKey() bool { return s.escapedKey }

// Errorf is an error at the scanner's position: "decode answer: " and
// the message, then the byte and offset where it is.
func (s *Scanner) Errorf(format string, args ...any) error {
	where := "end of answer"
	if s.pos < len(s.b) {
		where = fmt.Sprintf("%q at byte %d", s.b[s.pos], s.pos)
	}
	return fmt.Errorf("decode answer: "+format+" (%s)", append(args, where)...)
}

func (s *Scanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// AtEnd skips blanks and says whether the text ends there.
func (s *Scanner) AtEnd() bool {
	s.ws()
	return s.pos >= len(s.b)
}

// Peek skips blanks and returns the next byte (0 at the end).
func (s *Scanner) Peek() byte {
	s.ws()
	if s.pos >= len(s.b) {
		return 0
	}
	return s.b[s.pos]
}

// Literal consumes lit (after blanks) when it comes next.
func (s *Scanner) Literal(lit string) bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.pos:], []byte(lit)) {
		s.pos += len(lit)
		return true
	}
	return false
}

// Object reads an object (after blanks), calling fn with each member's
// key (unescaped; valid until the next key) positioned at the value,
// which fn must consume (Skip, or a nested Object or Array). A value
// other than an object is an error saying want; so is bad JSON.
func (s *Scanner) Object(want string, fn func(key []byte) error) error {
	s.ws()
	if s.pos >= len(s.b) || s.b[s.pos] != '{' {
		return s.Errorf("%s", want)
	}
	s.pos++
	return s.members(fn)
}

// Array reads an array (after blanks), calling fn positioned at each
// element, which fn must consume. A value other than an array is an
// error saying want.
func (s *Scanner) Array(want string, fn func() error) error {
	s.ws()
	if s.pos >= len(s.b) || s.b[s.pos] != '[' {
		return s.Errorf("%s", want)
	}
	s.pos++
	return s.elements(fn)
}

// enter counts one more level of nesting.
func (s *Scanner) enter() error {
	s.depth++
	if s.depth > MaxDepth {
		return s.Errorf("nested too deep")
	}
	return nil
}

// members reads an object's members after its '{'.
func (s *Scanner) members(fn func(key []byte) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer func() { s.depth-- }()
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
			return s.Errorf("want ':' after key %q", key)
		}
		s.pos++
		s.ws()
		if err := fn(key); err != nil {
			return err
		}
		s.ws()
		if s.pos >= len(s.b) {
			return s.Errorf("unterminated object")
		}
		switch s.b[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.Errorf("want ',' or '}' after the value of %q", key)
		}
	}
}

// elements reads an array's elements after its '['.
func (s *Scanner) elements(fn func() error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer func() { s.depth-- }()
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
			return s.Errorf("unterminated array")
		}
		switch s.b[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.Errorf("want ',' or ']'")
		}
	}
}

// readKey reads a string and returns its text; escaped keys are decoded
// into scratch space valid until the next key.
func (s *Scanner) readKey() ([]byte, error) {
	if s.pos >= len(s.b) || s.b[s.pos] != '"' {
		return nil, s.Errorf("want a key")
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
func (s *Scanner) skipString() (escaped bool, err error) {
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
				return escaped, s.Errorf("unterminated string")
			}
			switch s.b[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.b) {
					return escaped, s.Errorf("unterminated string")
				}
				for _, h := range s.b[s.pos+2 : s.pos+6] {
					if !isHex(h) {
						return escaped, s.Errorf("bad \\u escape")
					}
				}
				s.pos += 6
			default:
				s.pos++
				return escaped, s.Errorf("bad escape")
			}
		case c < 0x20:
			return escaped, s.Errorf("control character in string")
		default:
			s.pos++
		}
	}
	return escaped, s.Errorf("unterminated string")
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Skip consumes one value (blanks skipped before it), checking it, and
// returns its raw text.
func (s *Scanner) Skip() ([]byte, error) {
	s.ws()
	start := s.pos
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.b[start:s.pos], nil
}

// skip consumes one value at s.pos.
func (s *Scanner) skip() error {
	if s.pos >= len(s.b) {
		return s.Errorf("want a value")
	}
	switch c := s.b[s.pos]; {
	case c == '"':
		_, err := s.skipString()
		return err
	case c == '{':
		s.pos++
		return s.members(func([]byte) error { s.ws(); return s.skip() })
	case c == '[':
		s.pos++
		return s.elements(func() error { return s.skip() })
	case c == 't':
		if s.Literal("true") {
			return nil
		}
	case c == 'f':
		if s.Literal("false") {
			return nil
		}
	case c == 'n':
		if s.Literal("null") {
			return nil
		}
	case c == '-' || isDigit(c):
		return s.number()
	}
	return s.Errorf("invalid value")
}

// number consumes a JSON number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func (s *Scanner) number() error {
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
		return s.Errorf("bad number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			s.pos = i
			return s.Errorf("bad number")
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
			return s.Errorf("bad number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	s.pos = i
	return nil
}

// String is the text of a raw JSON string value that needs no decoding
// (no escapes, valid UTF-8): what encoding/json would give, without a
// copy. ok is false for any other value.
func String(raw []byte) (text []byte, ok bool) {
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

// Members calls fn with each member of a raw JSON object value already
// checked (one a Scanner handed on), in order; false when raw is not an
// object or a key needs decoding.
func Members(raw []byte, fn func(key, value []byte)) bool {
	if len(raw) == 0 || raw[0] != '{' {
		return false
	}
	s := Scanner{b: raw}
	ok := true
	err := s.Object("want an object", func(key []byte) error {
		if s.escapedKey {
			ok = false
		}
		v, err := s.Skip()
		if err != nil {
			return err
		}
		fn(key, v)
		return nil
	})
	return ok && err == nil
}

// Elements calls fn with each element of a raw JSON array value already
// checked, in order; false when raw is not an array.
func Elements(raw []byte, fn func(value []byte)) bool {
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	s := Scanner{b: raw}
	err := s.Array("want an array", func() error {
		v, err := s.Skip()
		if err != nil {
			return err
		}
		fn(v)
		return nil
	})
	return err == nil
}
