package models

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/load"
)

// seed is a parsed CSV file.
type seed struct {
	cols  []string
	types []string // portable type names
	rows  [][]string
}

// parseSeed reads a CSV whose header cells are name or name:type and
// checks every value against its column's type.
func parseSeed(file string, data []byte) (*seed, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.ReuseRecord = false
	head, err := r.Read()
	if err == io.EOF {
		return nil, errAt(file, 1, "seed: the file is empty (want a header line)")
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	s := &seed{}
	seen := map[string]bool{}
	for i, cell := range head {
		name, typ, typed := strings.Cut(strings.TrimSpace(cell), ":")
		name, typ = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(typ))
		if !typed {
			typ = "varchar"
		}
		if !identRE.MatchString(name) {
			return nil, errAt(file, 1, "seed: column %d: %q is not a plain column name (letters, digits, _)", i+1, name)
		}
		if seen[strings.ToLower(name)] {
			return nil, errAt(file, 1, "seed: column %s appears twice", name)
		}
		seen[strings.ToLower(name)] = true
		if !isPortableType(typ) {
			return nil, errAt(file, 1, "seed: column %s: unknown type %q (want %s)", name, typ, strings.Join(load.PortableTypes, ", "))
		}
		s.cols = append(s.cols, name)
		s.types = append(s.types, typ)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := r.FieldPos(0)
		for i, v := range rec {
			if v == "" {
				continue
			}
			if !validValue(s.types[i], v) {
				return nil, errAt(file, line, "seed: column %s: %q is not a %s%s", s.cols[i], v, s.types[i], typeHint[s.types[i]])
			}
		}
		s.rows = append(s.rows, rec)
	}
	return s, nil
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return errAt(file, pe.Line, "seed: %v", pe.Err)
	}
	return fmt.Errorf("models: read %s: %w", file, err)
}

func isPortableType(t string) bool {
	for _, p := range load.PortableTypes {
		if p == t {
			return true
		}
	}
	return false
}

var typeHint = map[string]string{
	"boolean":   " (want true or false)",
	"date":      " (want YYYY-MM-DD)",
	"timestamp": " (want RFC 3339 or YYYY-MM-DD hh:mm:ss)",
}

// validValue reports whether v is a literal of the portable type typ.
func validValue(typ, v string) bool {
	var err error
	switch typ {
	case "bigint":
		_, err = strconv.ParseInt(v, 10, 64)
	case "double":
		_, err = strconv.ParseFloat(v, 64)
	case "boolean":
		l := strings.ToLower(v)
		return l == "true" || l == "false"
	case "date":
		_, err = time.Parse(time.DateOnly, v)
	case "timestamp":
		if _, err = time.Parse(time.RFC3339Nano, v); err != nil {
			_, err = time.Parse(time.DateTime, v)
		}
	}
	return err == nil
}

// sql renders the seed as one SELECT over VALUES in the warehouse's dialect.
func (s *seed) sql(mc load.Macros) (string, error) {
	cast := func(v string, i int) (string, error) {
		lit := "NULL"
		if v != "" {
			lit = mc.Literal(v)
		}
		return mc.SafeCast(lit, s.types[i])
	}
	var b strings.Builder
	names := make([]string, len(s.cols))
	for i, c := range s.cols {
		names[i] = mc.Ident(c)
	}
	if len(s.rows) == 0 {
		b.WriteString("SELECT ")
		for i := range s.cols {
			if i > 0 {
				b.WriteString(", ")
			}
			e, err := cast("", i)
			if err != nil {
				return "", err
			}
			b.WriteString(e + " AS " + names[i])
		}
		b.WriteString(" WHERE 1 = 0")
		return b.String(), nil
	}
	b.WriteString("SELECT * FROM (VALUES\n")
	for r, row := range s.rows {
		if r > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  (")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			e, err := cast(v, i)
			if err != nil {
				return "", err
			}
			b.WriteString(e)
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, "\n) AS seed(%s)", strings.Join(names, ", "))
	return b.String(), nil
}
