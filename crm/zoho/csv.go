package zoho

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// csvReader reads RFC 4180 CSV (comma separated; records end with LF or
// CRLF; quoted fields with "" for a quote) and keeps every byte of a
// quoted field as it is: encoding/csv turns a CRLF inside quotes into LF,
// which would change text values that hold one.
type csvReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
	ends []int
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 1<<16), line: 1}
}

var errBareQuote = errors.New(`bare " in a field`)

// Read returns the next record, or io.EOF after the last. The strings
// are new for each record.
func (c *csvReader) Read() ([]string, error) {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	start := c.line
	b, err := c.r.ReadByte()
	if err != nil {
		return nil, err // io.EOF at the end
	}
	for {
		var term byte
		var eof bool
		if b == '"' {
			term, eof, err = c.quoted(start)
		} else {
			term, eof, err = c.plain(b)
		}
		if err != nil {
			return nil, err
		}
		c.ends = append(c.ends, len(c.buf))
		if eof || term == '\n' {
			return c.record(), nil
		}
		// After a comma: the next field starts with the next byte.
		if b, err = c.r.ReadByte(); err == io.EOF {
			c.ends = append(c.ends, len(c.buf)) // an empty last field
			return c.record(), nil
		} else if err != nil {
			return nil, err
		}
	}
}

// plain reads an unquoted field starting with b; it returns what ended
// it: ',' or '\n' (for LF or CRLF), or eof.
func (c *csvReader) plain(b byte) (byte, bool, error) {
	for {
		switch b {
		case ',':
			return ',', false, nil
		case '\n':
			c.line++
			return '\n', false, nil
		case '\r':
			n, err := c.r.ReadByte()
			if err == nil && n == '\n' {
				c.line++
				return '\n', false, nil
			}
			if err == nil {
				_ = c.r.UnreadByte()
			}
			c.buf = append(c.buf, b)
		case '"':
			return 0, false, fmt.Errorf("line %d: %w", c.line, errBareQuote)
		default:
			c.buf = append(c.buf, b)
		}
		var err error
		if b, err = c.r.ReadByte(); err == io.EOF {
			return 0, true, nil
		} else if err != nil {
			return 0, false, err
		}
	}
}

// quoted reads a quoted field after its opening quote, keeping CR and LF
// inside it; it returns what ended it as plain does.
func (c *csvReader) quoted(start int) (byte, bool, error) {
	for {
		q, err := c.r.ReadByte()
		if err == io.EOF {
			return 0, false, fmt.Errorf("line %d: a quoted field does not end", start)
		}
		if err != nil {
			return 0, false, err
		}
		if q != '"' {
			if q == '\n' {
				c.line++
			}
			c.buf = append(c.buf, q)
			continue
		}
		n, err := c.r.ReadByte()
		switch {
		case err == io.EOF:
			return 0, true, nil
		case err != nil:
			return 0, false, err
		case n == '"':
			c.buf = append(c.buf, '"')
		case n == ',':
			return ',', false, nil
		case n == '\n':
			c.line++
			return '\n', false, nil
		case n == '\r':
			if m, err := c.r.ReadByte(); err == nil && m == '\n' {
				c.line++
				return '\n', false, nil
			}
			return 0, false, fmt.Errorf("line %d: %w", c.line, errBareQuote)
		default:
			return 0, false, fmt.Errorf("line %d: %w", c.line, errBareQuote)
		}
	}
}

// record splits buf at ends into new strings.
func (c *csvReader) record() []string {
	s := string(c.buf) // one allocation for the whole record
	out := make([]string, len(c.ends))
	prev := 0
	for i, e := range c.ends {
		out[i] = s[prev:e]
		prev = e
	}
	return out
}
