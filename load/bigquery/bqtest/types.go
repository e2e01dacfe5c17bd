package bqtest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// field is a TableFieldSchema as the REST API spells it.
type field struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Mode        string   `json:"mode,omitempty"`
	Fields      []*field `json:"fields,omitempty"`
	Description string   `json:"description,omitempty"`
	Precision   string   `json:"precision,omitempty"`
	Scale       string   `json:"scale,omitempty"`
}

type tableSchema struct {
	Fields []*field `json:"fields"`
}

// duckType renders the DuckDB column type of a BigQuery field.
func duckType(f *field) (string, *apiError) {
	var t string
	switch strings.ToUpper(f.Type) {
	case "STRING", "GEOGRAPHY":
		t = "VARCHAR"
	case "BYTES":
		t = "BLOB"
	case "INTEGER", "INT64":
		t = "BIGINT"
	case "FLOAT", "FLOAT64":
		t = "DOUBLE"
	case "BOOLEAN", "BOOL":
		t = "BOOLEAN"
	case "TIMESTAMP":
		t = "TIMESTAMPTZ"
	case "DATETIME":
		t = "TIMESTAMP"
	case "DATE":
		t = "DATE"
	case "TIME":
		t = "TIME"
	case "JSON":
		t = "JSON"
	case "NUMERIC", "DECIMAL":
		p, s := 38, 9
		if f.Precision != "" {
			p, _ = strconv.Atoi(f.Precision)
			s = 0
			if f.Scale != "" {
				s, _ = strconv.Atoi(f.Scale)
			}
		}
		t = fmt.Sprintf("DECIMAL(%d,%d)", p, s)
	case "RECORD", "STRUCT":
		parts := make([]string, 0, len(f.Fields))
		for _, sub := range f.Fields {
			st, err := duckType(sub)
			if err != nil {
				return "", err
			}
			parts = append(parts, quoteIdent(sub.Name)+" "+st)
		}
		if len(parts) == 0 {
			return "", errf(400, "invalid", "Field %s is type RECORD but has no schema", f.Name)
		}
		t = "STRUCT(" + strings.Join(parts, ", ") + ")"
	case "BIGNUMERIC", "BIGDECIMAL":
		// DuckDB's DECIMAL holds at most 38 digits.
		return "", errf(400, "invalid", "Field %s: BIGNUMERIC is not supported by this emulator", f.Name)
	default:
		return "", errf(400, "invalid", "Field %s has unknown type %q", f.Name, f.Type)
	}
	if strings.EqualFold(f.Mode, "REPEATED") {
		t += "[]"
	}
	return t, nil
}

// ddlColumns renders a CREATE TABLE column list.
func ddlColumns(fields []*field) (string, *apiError) {
	if len(fields) == 0 {
		return "", errf(400, "invalid", "Schema has no fields")
	}
	seen := map[string]bool{}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		if f.Name == "" {
			return "", errf(400, "invalid", "Empty field name")
		}
		low := strings.ToLower(f.Name)
		if seen[low] {
			return "", errf(400, "invalid", "Field %s already exists in schema", f.Name)
		}
		seen[low] = true
		t, err := duckType(f)
		if err != nil {
			return "", err
		}
		col := quoteIdent(f.Name) + " " + t
		if strings.EqualFold(f.Mode, "REQUIRED") {
			col += " NOT NULL"
		}
		parts = append(parts, col)
	}
	return strings.Join(parts, ", "), nil
}

// typeNode is a parsed DuckDB type string.
type typeNode struct {
	base   string // upper-case: VARCHAR, BIGINT, DECIMAL, STRUCT, ...
	p, s   int
	list   *typeNode
	fields []namedType
}

type namedType struct {
	name string
	typ  *typeNode
}

// parseDuckType parses DuckDB's spelling of a column type, e.g.
// `STRUCT("name" VARCHAR, id VARCHAR)[]` or DECIMAL(18,2).
func parseDuckType(s string) (*typeNode, error) {
	p := &typeParser{s: s}
	t, err := p.parse()
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", s, err)
	}
	p.skip()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("type %q: trailing %q", s, p.s[p.i:])
	}
	return t, nil
}

type typeParser struct {
	s string
	i int
}

func (p *typeParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *typeParser) word() string {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '"' {
		j := p.i + 1
		var b strings.Builder
		for j < len(p.s) {
			if p.s[j] == '"' {
				if j+1 < len(p.s) && p.s[j+1] == '"' {
					b.WriteByte('"')
					j += 2
					continue
				}
				break
			}
			b.WriteByte(p.s[j])
			j++
		}
		p.i = j + 1
		return b.String()
	}
	j := p.i
	for j < len(p.s) && isIdentByte(p.s[j]) {
		j++
	}
	if strings.EqualFold(p.s[p.i:j], "TIMESTAMP") && strings.HasPrefix(strings.ToUpper(p.s[j:]), " WITH TIME ZONE") {
		j += len(" WITH TIME ZONE")
	}
	w := p.s[p.i:j]
	p.i = j
	return w
}

func (p *typeParser) parse() (*typeNode, error) {
	w := strings.ToUpper(strings.TrimSpace(p.word()))
	if w == "" {
		return nil, fmt.Errorf("missing type at %d", p.i)
	}
	t := &typeNode{base: w}
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		switch w {
		case "STRUCT":
			for {
				name := p.word()
				sub, err := p.parse()
				if err != nil {
					return nil, err
				}
				t.fields = append(t.fields, namedType{name: name, typ: sub})
				p.skip()
				if p.i < len(p.s) && p.s[p.i] == ',' {
					p.i++
					continue
				}
				break
			}
		case "DECIMAL", "NUMERIC":
			t.base = "DECIMAL"
			j := strings.IndexByte(p.s[p.i:], ')')
			if j < 0 {
				return nil, fmt.Errorf("unclosed DECIMAL")
			}
			ps := strings.Split(p.s[p.i:p.i+j], ",")
			t.p, _ = strconv.Atoi(strings.TrimSpace(ps[0]))
			if len(ps) > 1 {
				t.s, _ = strconv.Atoi(strings.TrimSpace(ps[1]))
			}
			p.i += j
		default:
			j := strings.IndexByte(p.s[p.i:], ')')
			if j < 0 {
				return nil, fmt.Errorf("unclosed (")
			}
			p.i += j
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, fmt.Errorf("want ) at %d", p.i)
		}
		p.i++
	}
	for {
		p.skip()
		if strings.HasPrefix(p.s[p.i:], "[]") {
			p.i += 2
			t = &typeNode{base: "LIST", list: t}
			continue
		}
		return t, nil
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// bqField renders a DuckDB column as a BigQuery schema field, using the
// legacy type names the client's decoder knows.
func bqField(name string, t *typeNode, required bool) (*field, error) {
	f := &field{Name: name}
	if t.base == "LIST" {
		if t.list.base == "LIST" {
			return nil, fmt.Errorf("column %s: arrays of arrays are not supported by BigQuery", name)
		}
		inner, err := bqField(name, t.list, false)
		if err != nil {
			return nil, err
		}
		inner.Mode = "REPEATED"
		return inner, nil
	}
	switch t.base {
	case "VARCHAR", "UUID", "ENUM":
		f.Type = "STRING"
	case "BLOB":
		f.Type = "BYTES"
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "HUGEINT", "UBIGINT", "INT", "INT4", "INT8":
		f.Type = "INTEGER"
	case "FLOAT", "DOUBLE", "REAL":
		f.Type = "FLOAT"
	case "BOOLEAN":
		f.Type = "BOOLEAN"
	case "DATE":
		f.Type = "DATE"
	case "TIME":
		f.Type = "TIME"
	case "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S":
		f.Type = "DATETIME"
	case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
		f.Type = "TIMESTAMP"
	case "JSON":
		f.Type = "JSON"
	case "DECIMAL":
		f.Type = "NUMERIC"
		if !(t.p == 38 && t.s == 9) {
			f.Precision, f.Scale = strconv.Itoa(t.p), strconv.Itoa(t.s)
		}
	case "STRUCT":
		f.Type = "RECORD"
		for _, sub := range t.fields {
			sf, err := bqField(sub.name, sub.typ, false)
			if err != nil {
				return nil, err
			}
			f.Fields = append(f.Fields, sf)
		}
	case "INTERVAL":
		f.Type = "INTERVAL"
	case `"NULL"`, "NULL":
		f.Type = "INTEGER" // an untyped NULL: BigQuery types it INT64
	default:
		return nil, fmt.Errorf("column %s: DuckDB type %s has no BigQuery counterpart in this emulator", name, t.base)
	}
	if required {
		f.Mode = "REQUIRED"
	}
	return f, nil
}

// cell encodes one value the way the REST API sends rows[].f[].v.
func cell(t *typeNode, v any) (any, error) {
	if v == nil {
		if t.base == "LIST" {
			return []any{}, nil // arrays are never NULL in BigQuery
		}
		return nil, nil
	}
	switch t.base {
	case "LIST":
		xs, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("list value %T", v)
		}
		out := make([]any, 0, len(xs))
		for _, x := range xs {
			if x == nil {
				return nil, errors.New("array cannot have a NULL element")
			}
			c, err := cell(t.list, x)
			if err != nil {
				return nil, err
			}
			out = append(out, map[string]any{"v": c})
		}
		return out, nil
	case "STRUCT":
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("struct value %T", v)
		}
		fs := make([]any, len(t.fields))
		for i, sub := range t.fields {
			c, err := cell(sub.typ, m[sub.name])
			if err != nil {
				return nil, err
			}
			fs[i] = map[string]any{"v": c}
		}
		return map[string]any{"f": fs}, nil
	case "JSON":
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case "DECIMAL":
		switch x := v.(type) {
		case duckdb.Decimal:
			return decimalText(x.Value, int(x.Scale)), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
		return fmt.Sprint(v), nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		return fmt.Sprint(x), nil
	case *big.Int:
		return x.String(), nil
	case float32:
		return floatText(float64(x)), nil
	case float64:
		return floatText(x), nil
	case time.Time:
		switch t.base {
		case "DATE":
			return x.Format("2006-01-02"), nil
		case "TIME":
			return x.Format("15:04:05.999999"), nil
		case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
			return strconv.FormatInt(x.UnixMicro(), 10), nil
		default:
			return x.Format("2006-01-02T15:04:05.999999"), nil
		}
	case duckdb.Interval:
		return fmt.Sprintf("0-%d %d 0:0:%d", x.Months, x.Days, x.Micros/1e6), nil
	}
	return fmt.Sprint(v), nil
}

func floatText(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func decimalText(v *big.Int, scale int) string {
	if v == nil {
		return "0"
	}
	neg := v.Sign() < 0
	s := new(big.Int).Abs(v).String()
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if neg {
		s = "-" + s
	}
	return s
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
