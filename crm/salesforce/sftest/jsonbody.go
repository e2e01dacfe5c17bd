package sftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// kv is one member of an ordered JSON object.
type kv struct {
	K string
	V any
}

// obj is a JSON object that keeps its members in order, both ways.
type obj []kv

// MarshalJSON writes the members in order.
func (o obj) MarshalJSON() ([]byte, error) {
	return appendJSON(make([]byte, 0, 256), o)
}

// appendJSON appends v as JSON, handling the emulator's own shapes
// directly (encoding/json re-validates Marshaler output at every level,
// which made query pages slow).
func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.AppendInt(b, int64(x), 10), nil
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case json.RawMessage:
		// A body the emulator wrote itself (a batch subrequest's answer).
		return append(b, x...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case obj:
		b = append(b, '{')
		for i, m := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.K)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, m.V); err != nil {
				return nil, fmt.Errorf("sftest: marshal %s: %w", m.K, err)
			}
		}
		return append(b, '}'), nil
	case []obj:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']'), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, data...), nil
}

// appendString appends s as a JSON string (HTML-safe like encoding/json).
func appendString(b []byte, s string) []byte {
	simple := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			simple = false
			break
		}
	}
	if simple {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	data, _ := json.Marshal(s)
	return append(b, data...)
}

// get returns the member named k (case-insensitive).
func (o obj) get(k string) (any, bool) {
	for _, m := range o {
		if strings.EqualFold(m.K, k) {
			return m.V, true
		}
	}
	return nil, false
}

// UnmarshalJSON reads an object keeping member order; nested objects
// become obj too, numbers json.Number.
func (o *obj) UnmarshalJSON(data []byte) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d)
	if err != nil {
		return err
	}
	m, ok := v.(obj)
	if !ok {
		return errors.New("sftest: not a JSON object")
	}
	*o = m
	return nil
}

// decodeValue reads one JSON value, objects as obj.
func decodeValue(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := obj{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				o = append(o, kv{k, v})
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			var a []any
			for d.More() {
				v, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, err
			}
			if a == nil {
				a = []any{}
			}
			return a, nil
		}
	}
	return tok, nil
}

// readJSON reads a JSON request body into a value (obj, []any, …). Errors
// are JSON_PARSER_ERROR (or 415 for another content type).
func readJSON(r *http.Request) (any, *restError) {
	if e := checkJSONBody(r); e != nil {
		return nil, e
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBodySize+1))
	if err != nil {
		return nil, errJSON("Unable to read the request body: " + err.Error())
	}
	if len(data) > maxJSONBodySize {
		return nil, newRESTError(http.StatusRequestEntityTooLarge, "JSON_PARSER_ERROR", "Request body too large")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errJSON("No content to map due to end-of-input at [line:1, column:0]")
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := decodeValue(d)
	if err == nil {
		if _, err2 := d.Token(); err2 != io.EOF {
			err = fmt.Errorf("trailing data after the JSON value")
		}
	}
	if err != nil {
		line, col := position(data, d.InputOffset())
		return nil, errJSON(fmt.Sprintf("Unexpected character: %v at [line:%d, column:%d]", jsonReason(err), line, col))
	}
	return v, nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	return err.Error()
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
