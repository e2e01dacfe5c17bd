package duckdb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/load"
)

// kind classifies a DuckDB column type for the widening rules.
type kind int

const (
	kOther kind = iota // nested or exotic: only identical types are compatible
	kBool
	kInt // TINYINT .. BIGINT, width in bits
	kFloat
	kDouble
	kDecimal
	kDate
	kTimestamp
	kTimestampTZ
	kVarchar
	kJSON
)

// colType is a DuckDB column type as revops reasons about it.
type colType struct {
	k    kind
	bits int    // kInt
	p, s int    // kDecimal
	sql  string // DDL spelling
	key  string // comparable spelling: nested types normalized
}

func (c colType) String() string { return c.sql }

// sqlType renders the DuckDB type for an Arrow type, or an error naming
// the Arrow type when DuckDB has no faithful counterpart.
func sqlType(dt arrow.DataType) (string, error) {
	switch t := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return "VARCHAR", nil
	case *arrow.BooleanType:
		return "BOOLEAN", nil
	case *arrow.Int8Type:
		return "TINYINT", nil
	case *arrow.Int16Type:
		return "SMALLINT", nil
	case *arrow.Int32Type:
		return "INTEGER", nil
	case *arrow.Int64Type:
		return "BIGINT", nil
	case *arrow.Float32Type:
		return "FLOAT", nil
	case *arrow.Float64Type:
		return "DOUBLE", nil
	case *arrow.Decimal128Type:
		if t.Precision < 1 || t.Precision > 38 {
			return "", fmt.Errorf("decimal precision %d outside 1..38", t.Precision)
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	case *arrow.Date32Type:
		return "DATE", nil
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "TIMESTAMP WITH TIME ZONE", nil
		}
		return "TIMESTAMP", nil
	case *arrow.ListType:
		inner, err := sqlType(t.Elem())
		if err != nil {
			return "", fmt.Errorf("list element: %w", err)
		}
		return inner + "[]", nil
	case *arrow.LargeListType:
		inner, err := sqlType(t.Elem())
		if err != nil {
			return "", fmt.Errorf("list element: %w", err)
		}
		return inner + "[]", nil
	case *arrow.StructType:
		parts := make([]string, 0, t.NumFields())
		for _, f := range t.Fields() {
			inner, err := sqlType(f.Type)
			if err != nil {
				return "", fmt.Errorf("struct field %s: %w", f.Name, err)
			}
			parts = append(parts, quoteIdent(f.Name)+" "+inner)
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")", nil
	case arrow.ExtensionType:
		if t.ExtensionName() == "arrow.json" {
			return "JSON", nil
		}
		return "", fmt.Errorf("arrow extension type %s is not supported", t.ExtensionName())
	}
	return "", fmt.Errorf("arrow type %s is not supported", dt)
}

// parseType classifies a DuckDB type string as information_schema or our
// own DDL spells it.
func parseType(s string) (c colType) {
	u := strings.ToUpper(strings.TrimSpace(s))
	c.sql = u
	defer func() {
		if c.key == "" {
			c.key = c.sql
		}
	}()
	switch u {
	case "BOOLEAN", "BOOL":
		c.k = kBool
	case "TINYINT", "INT1":
		c.k, c.bits = kInt, 8
	case "SMALLINT", "INT2":
		c.k, c.bits = kInt, 16
	case "INTEGER", "INT", "INT4":
		c.k, c.bits = kInt, 32
	case "BIGINT", "INT8":
		c.k, c.bits = kInt, 64
	case "FLOAT", "REAL", "FLOAT4":
		c.k = kFloat
	case "DOUBLE", "FLOAT8":
		c.k = kDouble
	case "DATE":
		c.k = kDate
	case "TIMESTAMP":
		c.k = kTimestamp
	case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
		c.k, c.sql = kTimestampTZ, "TIMESTAMP WITH TIME ZONE"
	case "VARCHAR", "TEXT", "STRING":
		c.k, c.sql = kVarchar, "VARCHAR"
	case "JSON":
		c.k = kJSON
	default:
		if strings.HasPrefix(u, "DECIMAL(") && strings.HasSuffix(u, ")") {
			ps := strings.Split(u[len("DECIMAL("):len(u)-1], ",")
			if len(ps) == 2 {
				p, err1 := strconv.Atoi(strings.TrimSpace(ps[0]))
				sc, err2 := strconv.Atoi(strings.TrimSpace(ps[1]))
				if err1 == nil && err2 == nil {
					c.k, c.p, c.s = kDecimal, p, sc
					c.sql = fmt.Sprintf("DECIMAL(%d,%d)", p, sc)
				}
			}
		}
		if c.k == kOther {
			c.sql = strings.TrimSpace(s)
			return colType{k: kOther, sql: c.sql, key: normalizeNested(s)}
		}
	}
	return c
}

// normalizeNested spells nested types the same whether they came from
// our DDL or from information_schema (which quotes only where needed).
func normalizeNested(s string) string {
	r := strings.NewReplacer(`"`, "", " ", "")
	return strings.ToUpper(r.Replace(s))
}

func (c colType) scalar() bool { return c.k != kOther && c.k != kJSON }

func (c colType) numeric() bool {
	return c.k == kInt || c.k == kFloat || c.k == kDouble || c.k == kDecimal
}

// intDigits is the number of decimal digits an integer of the given width needs.
func intDigits(bits int) int {
	switch bits {
	case 8:
		return 3
	case 16:
		return 5
	case 32:
		return 10
	}
	return 19
}

// fits reports whether every value of type a can be stored in a column of
// type b without losing its meaning.
func fits(a, b colType) bool {
	if a.key == b.key {
		return true
	}
	switch b.k {
	case kVarchar:
		return a.scalar()
	case kJSON:
		return a.k == kOther || a.k == kVarchar
	case kDouble:
		return a.k == kInt || a.k == kFloat || a.k == kDecimal
	case kInt:
		return a.k == kInt && a.bits <= b.bits
	case kDecimal:
		switch a.k {
		case kDecimal:
			return b.s >= a.s && b.p-b.s >= a.p-a.s
		case kInt:
			return b.p-b.s >= intDigits(a.bits)
		}
	case kTimestamp, kTimestampTZ:
		return a.k == kDate || (a.k == kTimestamp && b.k == kTimestampTZ)
	}
	return false
}

// reconcile decides how a table column of type table takes batch values
// of type batch (load.Reconcile on DuckDB's types).
func reconcile(table, batch colType) (load.Evolution, colType) {
	return load.Reconcile(table, batch, fits, colType.numeric, parseType("DOUBLE"))
}

// quoteIdent quotes a SQL identifier for DuckDB.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString quotes a SQL string literal.
func quoteString(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}
